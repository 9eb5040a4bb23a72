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
//! enabled (`Builder::enable_all()`, or `#[tokio::main]`). The exchange runs
//! in the caller's task: no task is spawned per connection, so nothing is
//! handed between tasks on the way (see `http1`).
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

mod config;
mod connect;
mod error;
mod http1;
mod pool;
mod tls;
#[doc(hidden)]
pub mod wire;

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, HOST};
use http::{HeaderMap, Method, Uri};

pub use config::{RootSource, TlsRoots, TransportConfig};
pub use error::{TransportError, TransportErrorKind};
pub use pool::PoolStats;

#[doc(hidden)]
pub use http1::read_for_fuzzing;

use http1::{Failure, Limits};
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

/// One origin's pool, as [`Transport::route`] found it.
#[derive(Clone)]
pub(crate) struct Route(Arc<HostPool>);

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
        let message = encode(&request, &pool.origin);
        let head_request = request.method == Method::HEAD;
        self.inner.send_on(&pool, &message, head_request).await
    }

    /// The pool of `uri`'s origin, for a caller that sends every request
    /// there and so need not look it up (parse the URI, lock the list) each
    /// time.
    pub(crate) fn route(&self, uri: &Uri) -> Result<Route, TransportError> {
        self.inner.pool_for(uri).map(Route)
    }

    /// Sends a request the caller wrote with [`Message`] to `route`'s
    /// origin (of this transport); the message carries its own `Host`
    /// field. The STS client's own path: its requests never go through a
    /// `HeaderMap`, built only to be written out again.
    pub(crate) async fn send_message(
        &self,
        route: &Route,
        message: &Message,
    ) -> Result<HttpResponse, TransportError> {
        self.inner.send_on(&route.0, &message.0, false).await
    }
}

impl Inner {
    /// One attempt at sending `message`, within the attempt timeout.
    async fn send_on(
        &self,
        pool: &HostPool,
        message: &[u8],
        head_request: bool,
    ) -> Result<HttpResponse, TransportError> {
        match self.config.attempt_timeout {
            None => self.attempt(pool, message, head_request).await,
            Some(limit) => tokio::time::timeout(limit, self.attempt(pool, message, head_request))
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
        message: &[u8],
        head_request: bool,
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
        let limits = Limits {
            read_timeout: self.config.read_timeout,
            max_body: self.config.max_response_bytes,
        };
        let (mut conn, reused) = self.obtain(pool, false).await?;
        conn.state.requests = conn.state.requests.saturating_add(1);
        let mut result = conn
            .connection
            .exchange(message, head_request, limits)
            .await;
        if reused && let Err(Failure::ClosedBeforeResponse(e)) = &result {
            // The server closed the connection while it sat idle in the pool;
            // nothing was processed, so the request goes once more, on a new one.
            tracing::debug!(host = origin.host(), error = ?e, "pooled connection was stale; resending on a new one");
            Counters::bump(&self.counters.failed);
            Counters::bump(&self.counters.stale_retries);
            (conn, _) = self.obtain(pool, true).await?;
            conn.state.requests = 1;
            result = conn
                .connection
                .exchange(message, head_request, limits)
                .await;
        }
        let response = result.map_err(|failure| {
            Counters::bump(&self.counters.failed);
            failure_to_error(failure, origin, limits.max_body)
        })?;
        if response.reusable {
            let now = Instant::now();
            conn.state.record(response.status, now);
            pool.checkin(conn, &self.policy, &self.counters, now);
        } else {
            Counters::bump(&self.counters.closed_by_server);
        }
        Ok(HttpResponse {
            status: response.status,
            headers: response.headers,
            body: response.body,
        })
    }

    /// An idle connection that is still open, or else (or when `fresh`) a
    /// new one; the flag says whether the connection was reused.
    async fn obtain(&self, pool: &HostPool, fresh: bool) -> Result<(Conn, bool), TransportError> {
        if !fresh {
            // Bounded by the idle list, which only shrinks here.
            while let Some(mut conn) = pool.checkout(&self.policy, &self.counters, Instant::now()) {
                if conn.connection.is_open() {
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
        let connection = connect::connect(
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
                connection,
                state: ConnState::new(Instant::now()),
            },
            false,
        ))
    }
}

fn failure_to_error(failure: Failure, origin: &Origin, max_body: usize) -> TransportError {
    let error = |kind| TransportError::new(kind, origin.host(), origin.port());
    let closed = |e: Option<std::io::Error>, message| {
        let err = error(TransportErrorKind::ConnectionClosed).message(message);
        match e {
            Some(e) => err.with_source(e),
            None => err,
        }
    };
    match failure {
        Failure::ClosedBeforeResponse(e) => {
            closed(e, "the server closed the connection before responding")
        }
        Failure::ClosedDuringResponse(e) => closed(
            e,
            "the server closed the connection in the middle of the response",
        ),
        Failure::Io(e) => error(error::classify_io(e.kind())).with_source(e),
        Failure::Timeout(d) => error(TransportErrorKind::ReadTimeout).duration(d),
        Failure::Protocol(why) => error(TransportErrorKind::Protocol).message(why),
        Failure::TooLarge => error(TransportErrorKind::BodyTooLarge).limit(max_body),
    }
}

/// The request as it goes on the wire: the request line in origin form
/// (`/path?query`), the caller's headers, `Host` and `Content-Length` when
/// the caller left them out, then the body, in one buffer written at once.
fn encode(request: &HttpRequest, origin: &Origin) -> Vec<u8> {
    let HttpRequest {
        method,
        uri,
        headers,
        body,
    } = request;
    let fields: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    let mut out = Message::start(method, uri, fields + body.len() + 96);
    if !headers.contains_key(HOST) {
        out.field("host", origin.host_header().as_bytes());
    }
    for (name, value) in headers {
        out.field(name.as_str(), value.as_bytes());
    }
    let length = !headers.contains_key(CONTENT_LENGTH)
        && (!body.is_empty()
            || !matches!(
                *method,
                Method::GET | Method::HEAD | Method::OPTIONS | Method::DELETE
            ));
    out.end(length, body);
    out.0
}

/// An HTTP/1.1 request being written out: the request line, then each
/// field, then the body.
pub(crate) struct Message(Vec<u8>);

impl Message {
    /// The request line for `uri` in origin form; `room` is what the
    /// fields and body are expected to take.
    pub(crate) fn start(method: &Method, uri: &Uri, room: usize) -> Message {
        let target = uri.path_and_query().map_or("/", |pq| pq.as_str());
        let target = if target.is_empty() { "/" } else { target };
        let mut out = Vec::with_capacity(target.len() + room + 32);
        out.extend_from_slice(method.as_str().as_bytes());
        out.push(b' ');
        out.extend_from_slice(target.as_bytes());
        out.extend_from_slice(b" HTTP/1.1\r\n");
        Message(out)
    }

    /// A field; `name` in lower case, `value` one that [`is_field_value`]
    /// accepts.
    pub(crate) fn field(&mut self, name: &str, value: &[u8]) {
        let out = &mut self.0;
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }

    /// Ends the head, with a `Content-Length` field when `length` is set,
    /// and appends the body.
    pub(crate) fn end(&mut self, length: bool, body: &[u8]) {
        let out = &mut self.0;
        if length {
            out.extend_from_slice(b"content-length: ");
            crate::protocol::form::push_decimal(out, body.len());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(body);
    }
}

/// Whether `value` may be sent as a field value: the bytes
/// `http::HeaderValue` accepts (no control bytes but tab), so that a value
/// written straight into a [`Message`] is held to the same rule as one that
/// went through a `HeaderMap`.
pub(crate) fn is_field_value(value: &[u8]) -> bool {
    // Folded without stopping early, so that the compiler tests many bytes
    // per instruction: a signed request's values take a few hundred.
    value.iter().fold(true, |ok, &b| {
        ok & (((b >= 0x20) & (b != 0x7f)) | (b == b'\t'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        Origin::new(false, "127.0.0.1", 8080).unwrap()
    }

    fn encoded(req: &HttpRequest) -> String {
        String::from_utf8(encode(req, &origin())).unwrap()
    }

    #[test]
    fn encode_adds_host_and_length_and_uses_origin_form() {
        let mut req = HttpRequest::new(
            Method::POST,
            Uri::from_static("http://127.0.0.1:8080/a/b?x=1"),
        );
        req.headers.insert(
            "x-amz-date",
            http::HeaderValue::from_static("20260101T000000Z"),
        );
        req.body = Bytes::from_static(b"Action=GetCallerIdentity");
        assert_eq!(
            encoded(&req),
            "POST /a/b?x=1 HTTP/1.1\r\nhost: 127.0.0.1:8080\r\nx-amz-date: 20260101T000000Z\r\n\
             content-length: 24\r\n\r\nAction=GetCallerIdentity"
        );
    }

    #[test]
    fn encode_keeps_callers_headers() {
        let mut req = HttpRequest::new(Method::POST, Uri::from_static("http://127.0.0.1:8080"));
        req.headers
            .insert(HOST, http::HeaderValue::from_static("example.com"));
        req.headers
            .insert(CONTENT_LENGTH, http::HeaderValue::from_static("0"));
        assert_eq!(
            encoded(&req),
            "POST / HTTP/1.1\r\nhost: example.com\r\ncontent-length: 0\r\n\r\n"
        );
    }

    #[test]
    fn lengths_are_written_in_decimal() {
        for n in [0usize, 7, 10, 99, 100, 12_345, 1_000_000] {
            let mut req =
                HttpRequest::new(Method::POST, Uri::from_static("http://127.0.0.1:8080/"));
            req.body = Bytes::from(vec![b'a'; n]);
            let text = encoded(&req);
            assert!(
                text.contains(&format!("\r\ncontent-length: {n}\r\n")),
                "{n}"
            );
        }
    }

    #[test]
    fn field_values_follow_http_header_value() {
        let mut values: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b'a', b, b'z']).collect();
        values.push(vec![b'x'; 100]);
        values.push(Vec::new());
        let mut long = vec![b'y'; 70];
        long[65] = b'\n';
        values.push(long);
        for v in values {
            assert_eq!(
                is_field_value(&v),
                http::HeaderValue::from_bytes(&v).is_ok(),
                "{v:?}"
            );
        }
    }

    #[test]
    fn empty_get_has_no_length() {
        let req = HttpRequest::new(Method::GET, Uri::from_static("http://127.0.0.1:8080/"));
        assert_eq!(
            encoded(&req),
            "GET / HTTP/1.1\r\nhost: 127.0.0.1:8080\r\n\r\n"
        );
    }

    #[test]
    fn debug_hides_secrets() {
        let mut req = HttpRequest::new(
            Method::GET,
            Uri::from_static("https://sts.amazonaws.com/?X-Amz-Signature=deadbeef"),
        );
        req.headers.insert(
            "authorization",
            http::HeaderValue::from_static("AWS4-HMAC-SHA256 secret"),
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
