//! The pooled HTTPS transport: the only place the STS client touches the
//! network.
//!
//! [`Transport::send`] takes a complete request (already signed) and returns
//! the complete response, its body read into memory. Underneath, HTTP/1.1
//! connections (plain TCP, or TLS through rustls) are kept per
//! (scheme, host, port) and reused, and retired by a recycling policy:
//!
//! - after [`max_consecutive_errors`](TransportConfig::max_consecutive_errors)
//!   error responses (5xx or 429) in a row on one connection, so a failing
//!   backend behind a load balancer is left behind;
//! - after [`max_connection_age`](TransportConfig::max_connection_age), so DNS
//!   and load-balancer changes are picked up;
//! - after [`max_requests_per_connection`](TransportConfig::max_requests_per_connection);
//! - when idle longer than [`idle_timeout`](TransportConfig::idle_timeout),
//!   or closed by the server.
//!
//! A request that fails on a reused connection because the server had closed
//! it in the meantime is sent once more on a fresh connection; any other
//! failure is returned, with a [`TransportErrorKind`] precise enough for the
//! retry layer to decide what to do.
//!
//! # Runtime
//!
//! `send` must run inside a tokio runtime with the `net` and `time` drivers
//! enabled (`Builder::enable_all()`, or `#[tokio::main]`): each connection's
//! driver runs in a task started with `tokio::spawn`, and the timeouts use
//! tokio's timer.
//!
//! ```no_run
//! # async fn demo() -> Result<(), awssts::transport::TransportError> {
//! use awssts::transport::{HttpRequest, Transport, TransportConfig};
//!
//! let transport = Transport::new(TransportConfig::default())?;
//! let request = HttpRequest::new(http::Method::GET, http::Uri::from_static("https://sts.amazonaws.com/"));
//! let response = transport.send(request).await?;
//! println!("{} ({} bytes)", response.status, response.body.len());
//! # Ok(())
//! # }
//! ```

mod body;
mod config;
mod connect;
mod error;
mod pool;
mod tls;

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::Bytes;
use http::header::{CONNECTION, CONTENT_LENGTH, HOST};
use http::{HeaderMap, HeaderValue, Method, Uri, Version};
use http_body_util::Full;
use hyper::body::{Body as _, Incoming};

pub use config::{RootSource, TlsRoots, TransportConfig};
pub use error::{TransportError, TransportErrorKind};
pub use pool::PoolStats;

use pool::{Conn, ConnState, Counters, HostPool, Origin, Policy};

/// A request to send: method, absolute `http`/`https` URI, headers and body.
///
/// The transport adds `Host` and `Content-Length` when they are missing and
/// never changes a header that is present.
#[derive(Clone)]
pub struct HttpRequest {
    /// The HTTP method.
    pub method: Method,
    /// The absolute URI: scheme `http` or `https`, a host, optionally a port.
    pub uri: Uri,
    /// The headers, sent as given.
    pub headers: HeaderMap,
    /// The complete body.
    pub body: Bytes,
}

impl HttpRequest {
    /// A request with no headers and an empty body.
    pub fn new(method: Method, uri: Uri) -> Self {
        HttpRequest {
            method,
            uri,
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }
}

/// Headers and body may hold signatures, tokens and credentials: only their
/// shape is shown, and the URI without its query (presigned URLs carry the
/// signature there).
impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("scheme", &self.uri.scheme_str())
            .field("authority", &self.uri.authority().map(|a| a.as_str()))
            .field("path", &self.uri.path())
            .field("header_names", &HeaderNames(&self.headers))
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// A complete response.
#[derive(Clone)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The response headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

/// STS response bodies carry credentials: only the shape is shown.
impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("header_names", &HeaderNames(&self.headers))
            .field("body_len", &self.body.len())
            .finish()
    }
}

struct HeaderNames<'a>(&'a HeaderMap);

impl fmt::Debug for HeaderNames<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.keys()).finish()
    }
}

/// A pooled HTTP/1.1 client over TCP and rustls. Cheap to clone; clones
/// share the pool.
#[derive(Clone)]
pub struct Transport {
    inner: Arc<Inner>,
}

struct Inner {
    config: TransportConfig,
    policy: Policy,
    tls: tls::Tls,
    /// Few origins per client (one STS endpoint, perhaps a few regions), so
    /// a short list scanned under a lock held for the scan only.
    pools: Mutex<Vec<Arc<HostPool>>>,
    counters: Counters,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("config", &self.inner.config)
            .field("stats", &self.stats())
            .finish()
    }
}

/// Why no response head arrived.
enum HeadFailure {
    Hyper(hyper::Error),
    Timeout(std::time::Duration),
}

/// The request in pieces, so that it can be rebuilt for the one resend
/// after a stale connection.
struct Parts {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

impl Parts {
    fn to_request(&self) -> http::Request<Full<Bytes>> {
        let mut req = http::Request::new(Full::new(self.body.clone()));
        *req.method_mut() = self.method.clone();
        *req.uri_mut() = self.uri.clone();
        *req.headers_mut() = self.headers.clone();
        req
    }

    fn into_request(self) -> http::Request<Full<Bytes>> {
        let mut req = http::Request::new(Full::new(self.body));
        *req.method_mut() = self.method;
        *req.uri_mut() = self.uri;
        *req.headers_mut() = self.headers;
        req
    }
}

impl Transport {
    /// Creates a transport. Fails when an extra root certificate is not
    /// usable DER, or when nothing would be trusted
    /// ([`RootSource::None`] without extra certificates). The system's
    /// certificate store is read on the first HTTPS connection, not here: a
    /// failure to find roots there is that request's
    /// [`Tls`](TransportErrorKind::Tls) error.
    pub fn new(config: TransportConfig) -> Result<Transport, TransportError> {
        let tls = tls::Tls::new(&config.tls_roots)?;
        Ok(Transport {
            inner: Arc::new(Inner {
                policy: Policy::new(&config),
                config,
                tls,
                pools: Mutex::new(Vec::new()),
                counters: Counters::default(),
            }),
        })
    }

    /// The configuration this transport was created with.
    pub fn config(&self) -> &TransportConfig {
        &self.inner.config
    }

    /// The pool's counters since creation.
    pub fn stats(&self) -> PoolStats {
        let pools = self.inner.pools.lock().unwrap_or_else(|p| p.into_inner());
        let idle: usize = pools.iter().map(|p| p.idle_count()).sum();
        self.inner.counters.snapshot(idle as u64)
    }

    /// Sends `request` and reads the whole response.
    ///
    /// Waits for a free slot when `max_connections_per_host` requests to the
    /// same origin are already in flight. Must be called within a tokio
    /// runtime with the `net` and `time` drivers enabled.
    ///
    /// # Errors
    ///
    /// A [`TransportError`] whose [`kind`](TransportError::kind) says what
    /// failed. An HTTP error status is not an error here: it is returned as
    /// a response.
    pub async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let pool = self.inner.pool_for(&request.uri)?;
        match self.inner.config.attempt_timeout {
            None => self.inner.attempt(&pool, request).await,
            Some(limit) => tokio::time::timeout(limit, self.inner.attempt(&pool, request))
                .await
                .unwrap_or_else(|_| {
                    Err(TransportError::new(
                        TransportErrorKind::AttemptTimeout,
                        pool.origin.host(),
                        pool.origin.port(),
                    )
                    .duration(limit))
                }),
        }
    }
}

impl Inner {
    fn pool_for(&self, uri: &Uri) -> Result<Arc<HostPool>, TransportError> {
        let invalid =
            |why: &'static str| TransportError::general(TransportErrorKind::InvalidUri, why);
        let tls = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            Some(_) => return Err(invalid("the request URI's scheme must be http or https")),
            None => {
                return Err(invalid(
                    "the request URI must be absolute (http:// or https://)",
                ));
            }
        };
        let host = match uri.host() {
            Some(h) if !h.is_empty() => h,
            _ => return Err(invalid("the request URI has no host")),
        };
        let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
        let mut pools = self.pools.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(pool) = pools.iter().find(|p| p.is(tls, host, port)) {
            return Ok(Arc::clone(pool));
        }
        let origin = Origin::new(tls, host, port)
            .ok_or_else(|| invalid("the request URI's host is not a valid Host header value"))?;
        let pool = Arc::new(HostPool::new(origin, self.config.max_connections_per_host));
        pools.push(Arc::clone(&pool));
        Ok(pool)
    }

    async fn attempt(
        &self,
        pool: &HostPool,
        request: HttpRequest,
    ) -> Result<HttpResponse, TransportError> {
        let origin = &pool.origin;
        // The semaphore is never closed, so acquiring only fails in theory.
        let _slot = pool.slots.acquire().await.map_err(|_| {
            TransportError::new(
                TransportErrorKind::ConnectionClosed,
                origin.host(),
                origin.port(),
            )
        })?;
        let parts = prepare(request, origin);
        let (mut conn, reused) = self.obtain(pool, false).await?;
        let head = if reused {
            // A copy is kept only here, where the connection may turn out to
            // have been closed by the server while it sat idle.
            match self.round_trip(&mut conn, parts.to_request()).await {
                Err(HeadFailure::Hyper(e)) if is_stale(&e) => {
                    tracing::debug!(host = origin.host(), error = %e, "pooled connection was stale; resending on a new one");
                    Counters::bump(&self.counters.failed);
                    Counters::bump(&self.counters.stale_retries);
                    (conn, _) = self.obtain(pool, true).await?;
                    self.round_trip(&mut conn, parts.into_request()).await
                }
                other => other,
            }
        } else {
            self.round_trip(&mut conn, parts.into_request()).await
        };
        let response = head.map_err(|failure| {
            Counters::bump(&self.counters.failed);
            match failure {
                HeadFailure::Hyper(e) => {
                    TransportError::from_hyper(e, origin.host(), origin.port())
                }
                HeadFailure::Timeout(d) => TransportError::new(
                    TransportErrorKind::ReadTimeout,
                    origin.host(),
                    origin.port(),
                )
                .duration(d),
            }
        })?;
        self.finish(pool, conn, response).await
    }

    /// Sends the request and waits for the response head.
    async fn round_trip(
        &self,
        conn: &mut Conn,
        request: http::Request<Full<Bytes>>,
    ) -> Result<http::Response<Incoming>, HeadFailure> {
        conn.state.requests = conn.state.requests.saturating_add(1);
        let sent = conn.sender.send_request(request);
        let head = match self.config.read_timeout {
            None => sent.await,
            Some(d) => tokio::time::timeout(d, sent)
                .await
                .map_err(|_| HeadFailure::Timeout(d))?,
        };
        head.map_err(HeadFailure::Hyper)
    }

    /// An idle connection that is still open, or else (or when `fresh`) a
    /// new one; the flag says whether the connection was reused.
    async fn obtain(&self, pool: &HostPool, fresh: bool) -> Result<(Conn, bool), TransportError> {
        if !fresh {
            // Bounded by the idle list, which only shrinks here.
            while let Some(mut conn) = pool.checkout(&self.policy, &self.counters, Instant::now()) {
                // Waits for the connection's driver to finish with the
                // previous response; fails if the connection closed since.
                if conn.sender.ready().await.is_ok() {
                    Counters::bump(&self.counters.reused);
                    return Ok((conn, true));
                }
                Counters::bump(&self.counters.closed_idle);
            }
        }
        let tls = if pool.origin.is_tls() {
            Some(self.tls.client_config()?)
        } else {
            None
        };
        let sender = connect::connect(
            &pool.origin,
            self.config.connect_timeout,
            self.config.tcp_keepalive,
            tls,
        )
        .await?;
        Counters::bump(&self.counters.connections_opened);
        tracing::debug!(
            host = pool.origin.host(),
            port = pool.origin.port(),
            "opened connection"
        );
        Ok((
            Conn {
                sender,
                state: ConnState::new(Instant::now()),
            },
            false,
        ))
    }

    /// Reads the body and, when the exchange left the connection reusable,
    /// returns it to the pool.
    async fn finish(
        &self,
        pool: &HostPool,
        mut conn: Conn,
        response: http::Response<Incoming>,
    ) -> Result<HttpResponse, TransportError> {
        let origin = &pool.origin;
        let (head, mut body) = response.into_parts();
        let limit = self.config.max_response_bytes;
        let size_hint = body.size_hint().exact();
        if size_hint.is_some_and(|n| n > limit as u64) {
            Counters::bump(&self.counters.failed);
            return Err(body::too_large(origin, limit));
        }
        let bytes = match body::read_to_end(
            &mut body,
            size_hint,
            limit,
            self.config.read_timeout,
            origin,
        )
        .await
        {
            Ok(b) => b,
            Err(e) => {
                Counters::bump(&self.counters.failed);
                return Err(e);
            }
        };
        let status = head.status.as_u16();
        if keeps_alive(head.version, &head.headers) {
            conn.state.record(status, Instant::now());
            pool.checkin(conn, &self.policy, &self.counters, Instant::now());
        } else {
            Counters::bump(&self.counters.closed_by_server);
        }
        Ok(HttpResponse {
            status,
            headers: head.headers,
            body: bytes,
        })
    }
}

/// Adds what HTTP/1.1 needs and the caller left out, and puts the URI in
/// origin form (`/path?query`), which is what goes on the request line.
fn prepare(request: HttpRequest, origin: &Origin) -> Parts {
    let HttpRequest {
        method,
        uri,
        mut headers,
        body,
    } = request;
    if !headers.contains_key(HOST) {
        headers.insert(HOST, origin.host_header().clone());
    }
    if !headers.contains_key(CONTENT_LENGTH)
        && (!body.is_empty()
            || !matches!(
                method,
                Method::GET | Method::HEAD | Method::OPTIONS | Method::DELETE
            ))
    {
        headers.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
    }
    let uri = match uri.path_and_query() {
        Some(pq) => Uri::from(pq.clone()),
        None => Uri::from_static("/"),
    };
    Parts {
        method,
        uri,
        headers,
        body,
    }
}

/// Whether hyper's error means the connection was already closed when the
/// request went out: the server dropped an idle connection we had pooled.
fn is_stale(err: &hyper::Error) -> bool {
    err.is_canceled()
        || err.is_incomplete_message()
        || err.is_closed()
        || error::classify_hyper(err) == TransportErrorKind::ConnectionClosed
}

/// HTTP/1.1 keeps the connection unless told `close`; HTTP/1.0 closes it
/// unless told `keep-alive`.
fn keeps_alive(version: Version, headers: &HeaderMap) -> bool {
    let has = |token: &str| {
        headers.get_all(CONNECTION).iter().any(|v| {
            v.to_str()
                .is_ok_and(|s| s.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
        })
    };
    match version {
        Version::HTTP_11 => !has("close"),
        Version::HTTP_10 => has("keep-alive"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        Origin::new(false, "127.0.0.1", 8080).unwrap()
    }

    #[test]
    fn prepare_adds_host_and_length_and_uses_origin_form() {
        let mut req = HttpRequest::new(
            Method::POST,
            Uri::from_static("http://127.0.0.1:8080/a/b?x=1"),
        );
        req.body = Bytes::from_static(b"Action=GetCallerIdentity");
        let p = prepare(req, &origin());
        assert_eq!(p.uri, "/a/b?x=1");
        assert_eq!(p.headers[HOST], "127.0.0.1:8080");
        assert_eq!(p.headers[CONTENT_LENGTH], "24");
    }

    #[test]
    fn prepare_keeps_callers_headers() {
        let mut req = HttpRequest::new(Method::POST, Uri::from_static("http://127.0.0.1:8080"));
        req.headers
            .insert(HOST, HeaderValue::from_static("example.com"));
        req.headers
            .insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
        let p = prepare(req, &origin());
        assert_eq!(p.uri, "/");
        assert_eq!(p.headers[HOST], "example.com");
        assert_eq!(p.headers.get_all(HOST).iter().count(), 1);
        assert_eq!(p.headers[CONTENT_LENGTH], "0");
    }

    #[test]
    fn empty_get_has_no_length() {
        let req = HttpRequest::new(Method::GET, Uri::from_static("http://127.0.0.1:8080/"));
        assert!(!prepare(req, &origin()).headers.contains_key(CONTENT_LENGTH));
    }

    #[test]
    fn keep_alive_rules() {
        let mut h = HeaderMap::new();
        assert!(keeps_alive(Version::HTTP_11, &h));
        assert!(!keeps_alive(Version::HTTP_10, &h));
        h.insert(CONNECTION, HeaderValue::from_static("Keep-Alive"));
        assert!(keeps_alive(Version::HTTP_10, &h));
        h.insert(CONNECTION, HeaderValue::from_static("upgrade, Close"));
        assert!(!keeps_alive(Version::HTTP_11, &h));
    }

    #[test]
    fn debug_hides_secrets() {
        let mut req = HttpRequest::new(
            Method::GET,
            Uri::from_static("https://sts.amazonaws.com/?X-Amz-Signature=deadbeef"),
        );
        req.headers.insert(
            "authorization",
            HeaderValue::from_static("AWS4-HMAC-SHA256 secret"),
        );
        req.body = Bytes::from_static(b"token=abc");
        let shown = format!("{req:?}");
        assert!(
            !shown.contains("deadbeef") && !shown.contains("secret") && !shown.contains("abc"),
            "{shown}"
        );
        let resp = HttpResponse {
            status: 200,
            headers: HeaderMap::new(),
            body: Bytes::from_static(b"<SecretAccessKey>s3cr3t</SecretAccessKey>"),
        };
        assert!(!format!("{resp:?}").contains("s3cr3t"));
    }

    #[test]
    fn invalid_uris_are_refused() {
        let t = Transport::new(TransportConfig::default()).unwrap();
        for uri in ["/relative", "ftp://host/", "localhost:8080"] {
            let uri: Uri = uri.parse().unwrap();
            let err = t.inner.pool_for(&uri).err().map(|e| e.kind());
            assert_eq!(err, Some(TransportErrorKind::InvalidUri), "{uri}");
        }
    }

    #[test]
    fn transport_is_send_sync_and_send_future_is_send() {
        fn assert_send_sync<T: Send + Sync>(_: &T) {}
        fn assert_send<T: Send>(_: &T) {}
        let t = Transport::new(TransportConfig::default()).unwrap();
        assert_send_sync(&t);
        let fut = t.send(HttpRequest::new(
            Method::GET,
            Uri::from_static("http://127.0.0.1:1/"),
        ));
        assert_send(&fut);
    }
}
