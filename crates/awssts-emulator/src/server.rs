//! The HTTP/1.1 server: one task per connection, keep-alive, each request
//! routed to STS, the admin endpoint or the JWKS document.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use awssts::DateTime;
use awssts::sigv4::VerifyRequest;
use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, DATE, HeaderValue};
use http::{Method, Request, Response, StatusCode, Version};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::error::StsError;
use crate::faults::FaultKind;
use crate::incoming::{BodyRead, Connection, Refused, Unreadable};
use crate::ops::{self, Ctx};
use crate::outgoing::{Answering, Body, write_response};
use crate::request;
use crate::state::Shared;

/// How long connections get to finish their request at shutdown.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// Accepts connections until `shutdown` turns true (or its sender drops).
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut tasks = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        // Out of file descriptors and the like: wait a little
                        // instead of spinning.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let shared = Arc::clone(&shared);
                let mut stop = shutdown.clone();
                tasks.spawn(async move {
                    let conn = serve_connection(stream, shared, stop.clone());
                    tokio::select! {
                        () = conn => {}
                        () = async {
                            stopped(&mut stop).await;
                            tokio::time::sleep(SHUTDOWN_GRACE).await;
                        } => {}
                    }
                });
            }
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            _ = stopped(&mut shutdown) => break,
        }
    }
    drop(listener);
    while tasks.join_next().await.is_some() {}
}

/// Resolves once shutdown is asked for (or its sender is gone).
async fn stopped(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|v| *v).await;
}

/// Answers the requests of one connection in order until the client (or a
/// shutdown) ends it. The read timeout bounds the wait for each head (an
/// idle connection included) and then for each body.
async fn serve_connection<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let mut conn = Connection::new(stream);
    let timeout = shared.read_timeout;
    loop {
        // A shutdown ends the connection here, between requests (or in the
        // middle of a head); a request being read or answered is finished.
        let head = tokio::select! {
            head = tokio::time::timeout(timeout, conn.read_head()) => head,
            () = stopped(&mut stop) => return,
        };
        let head = match head {
            Ok(Ok(Some(head))) => head,
            Ok(Err(Unreadable::Malformed(why))) => return bad_request(&mut conn, why).await,
            // Closed, failed, or no whole head in time: nothing to answer.
            Ok(Ok(None) | Err(Unreadable::Closed)) | Err(_) => return,
        };
        let body = match tokio::time::timeout(timeout, conn.read_body(&head)).await {
            Ok(Ok(BodyRead::Read(body))) => Ok(body),
            Ok(Ok(BodyRead::Refused(refused))) => Err(refused),
            Ok(Err(Unreadable::Malformed(why))) => return bad_request(&mut conn, why).await,
            Ok(Err(Unreadable::Closed)) => return,
            Err(_) => Err(Refused::TimedOut),
        };
        let mut keep_alive =
            head.keep_alive && body.as_ref().err().is_none_or(|r| r.keeps_connection());
        let to_head = head.parts.method == Method::HEAD;
        let version = head.parts.version;
        let resp = match body {
            Ok(body) => handle(&shared, Request::from_parts(head.parts, body)).await,
            Err(refused) => refusal(&shared, head.parts.uri.path(), refused),
        };
        keep_alive &= !*stop.borrow();
        let to = Answering {
            keep_alive,
            version,
            head: to_head,
        };
        match write_response(&mut conn.stream, resp, to).await {
            Ok(true) => {}
            Ok(false) | Err(_) => return,
        }
    }
}

/// Answers a request that cannot be read with 400 and its reason; the
/// connection then closes.
async fn bad_request<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut Connection<S>,
    why: &'static str,
) {
    let mut resp = Response::new(Body::full(format!("{why}\n")));
    *resp.status_mut() = StatusCode::BAD_REQUEST;
    resp.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    let to = Answering {
        keep_alive: false,
        version: Version::HTTP_11,
        head: false,
    };
    let _ = write_response(&mut conn.stream, resp, to).await;
}

/// The answer to a request whose body was refused: the admin endpoint's
/// JSON error under its path, STS's error elsewhere.
fn refusal(shared: &Shared, path: &str, refused: Refused) -> Response<Body> {
    let error = refused.error(shared.read_timeout);
    if is_admin(path) {
        let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
        crate::admin::error(status, error.message)
    } else {
        error_response(&error, &crate::ids::request_id(), shared.clock.now())
    }
}

fn is_admin(path: &str) -> bool {
    path.starts_with("/_awssts/") || path == "/_awssts"
}

async fn handle(shared: &Shared, req: Request<Bytes>) -> Response<Body> {
    let path = req.uri().path();
    if is_admin(path) {
        return crate::admin::handle(shared, req);
    }
    if req.method() == Method::GET {
        match path {
            "/.well-known/jwks.json" => return jwks(shared).await,
            "/.well-known/openid-configuration" => return openid_configuration(shared),
            _ => {}
        }
    }
    sts(shared, req).await
}

/// The public keys of GetWebIdentityToken's tokens.
async fn jwks(shared: &Shared) -> Response<Body> {
    let doc = match shared.signer.rsa_key_ready().await {
        Ok(()) => shared.signer.jwks(),
        Err(e) => Err(e),
    };
    match doc {
        Ok(doc) => {
            let mut resp = Response::new(Body::full(doc));
            resp.headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            resp
        }
        Err(e) => json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &serde_json::json!({ "error": e.to_string() }),
        ),
    }
}

/// Enough OIDC discovery for verifiers that start from the issuer URL.
fn openid_configuration(shared: &Shared) -> Response<Body> {
    let issuer = shared.signer.issuer();
    json_response(
        StatusCode::OK,
        &serde_json::json!({
            "issuer": issuer,
            "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
            "id_token_signing_alg_values_supported": ["ES384", "RS256"],
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
        }),
    )
}

/// A JSON response (admin endpoint, JWKS).
pub(crate) fn json_response(status: StatusCode, value: &serde_json::Value) -> Response<Body> {
    let body = serde_json::to_vec(value).unwrap_or_default();
    let mut resp = Response::new(Body::full(body));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

async fn sts(shared: &Shared, req: Request<Bytes>) -> Response<Body> {
    let request_id = crate::ids::request_id();
    let now = shared.clock.now();
    let (parts, body) = req.into_parts();

    let method = parts.method.as_str();
    let query = parts.uri.query().unwrap_or("");
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let form = match request::parse_form(method, query, content_type, &body) {
        Ok(f) => f,
        Err(e) => return error_response(&e, &request_id, now),
    };
    if let Some(kind) = shared.faults.take(request::action_hint(&form)) {
        return fault_response(shared, kind, request::action_hint(&form), &request_id, now);
    }
    let sts_request = match request::check_form(form) {
        Ok(r) => r,
        Err(e) => return error_response(&e, &request_id, now),
    };
    let (caller, region) = if sts_request.action.signed() {
        let headers: Vec<(&str, &str)> = parts
            .headers
            .iter()
            .filter_map(|(n, v)| v.to_str().ok().map(|v| (n.as_str(), v)))
            .collect();
        let verify = VerifyRequest {
            method,
            path: parts.uri.path(),
            query,
            headers: &headers,
            body: &body,
        };
        let query_token = if query.contains("X-Amz-Security-Token") {
            sts_request.form.get("X-Amz-Security-Token")
        } else {
            None
        };
        match crate::auth::authenticate(&shared.dir, &shared.codec, &verify, query_token, now) {
            Ok((c, region)) => (Some(c), Some(region)),
            Err(e) => return error_response(&e, &request_id, now),
        }
    } else {
        (None, None)
    };
    if sts_request.action == request::Action::GetWebIdentityToken
        && sts_request.form.get("SigningAlgorithm") == Some("RS256")
    {
        // Signing must not make the key on this worker; a failure to make
        // it is reported by the operation, which finds it in the signer.
        let _ = shared.signer.rsa_key_ready().await;
    }
    let ctx = Ctx {
        shared,
        now,
        caller: caller.as_ref(),
        region: region.as_deref(),
    };
    match ops::dispatch(&ctx, sts_request.action, &sts_request.form, &request_id) {
        Ok(xml) => xml_response(StatusCode::OK, xml, &request_id, now),
        Err(e) => error_response(&e, &request_id, now),
    }
}

fn xml_response(
    status: StatusCode,
    body: Vec<u8>,
    request_id: &str,
    now: SystemTime,
) -> Response<Body> {
    let mut resp = Response::new(Body::full(body));
    *resp.status_mut() = status;
    common_headers(&mut resp, request_id, now);
    resp
}

fn common_headers(resp: &mut Response<Body>, request_id: &str, now: SystemTime) {
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-amzn-requestid", v);
    }
    h.insert(CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    // The emulator's clock, so clients that correct their clock from the
    // Date header follow it when a test moves it.
    if let Ok(v) = HeaderValue::from_str(&DateTime::from_system_time(now).to_http_date()) {
        h.insert(DATE, v);
    }
}

/// The response for an STS error.
pub(crate) fn error_response(err: &StsError, request_id: &str, now: SystemTime) -> Response<Body> {
    let status = StatusCode::from_u16(err.status).unwrap_or(StatusCode::BAD_REQUEST);
    xml_response(status, err.to_xml(request_id), request_id, now)
}

fn fault_response(
    shared: &Shared,
    kind: FaultKind,
    action: Option<&str>,
    request_id: &str,
    now: SystemTime,
) -> Response<Body> {
    let error = match kind {
        FaultKind::Throttling => StsError::sender(400, "Throttling", "Rate exceeded"),
        FaultKind::InternalError => StsError::receiver(
            500,
            "InternalFailure",
            "An internal error occurred. Please try again.",
        ),
        FaultKind::ServiceUnavailable => StsError::receiver(
            503,
            "ServiceUnavailable",
            "Service is unavailable. Please try again later.",
        ),
        FaultKind::ExpiredToken => crate::auth::expired_token(),
        FaultKind::RequestTimeTooSkewed => StsError::sender(
            403,
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.",
        ),
        FaultKind::Stall | FaultKind::TruncatedBody => {
            let name = action
                .and_then(crate::request::Action::from_name)
                .map_or("GetCallerIdentity", crate::request::Action::name);
            let start = format!(
                "<{name}Response xmlns=\"{}\">\n  <{name}Result>\n",
                awssts::protocol::XML_NAMESPACE
            );
            let promised = start.len() + 512;
            let body = if kind == FaultKind::Stall {
                Body::Cut {
                    sent: Bytes::new(),
                    hold: shared.stall_limit,
                }
            } else {
                Body::Cut {
                    sent: Bytes::from(start),
                    hold: Duration::from_millis(50),
                }
            };
            let mut resp = Response::new(body);
            common_headers(&mut resp, request_id, now);
            resp.headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from(promised));
            return resp;
        }
    };
    error_response(&error, request_id, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
    use tokio::task::JoinHandle;

    /// One connection served over an in-memory pipe: the client's end, the
    /// shutdown switch and the connection's task.
    fn connect(read_timeout: Duration) -> (DuplexStream, watch::Sender<bool>, JoinHandle<()>) {
        let emulator = crate::Emulator::new().read_timeout(read_timeout);
        let dir = emulator
            .config
            .resolve(std::path::Path::new("<test>"))
            .unwrap();
        let shared = Arc::new(emulator.build(dir, "http://127.0.0.1:1").unwrap());
        let (client, server) = tokio::io::duplex(1 << 20);
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(serve_connection(server, shared, stopped));
        (client, stop, task)
    }

    /// Everything the server writes until it closes the connection.
    async fn to_close(client: &mut DuplexStream) -> String {
        let mut out = Vec::new();
        client.read_to_end(&mut out).await.unwrap();
        String::from_utf8(out).unwrap()
    }

    /// The responses in `text`, each its head (lowercased) and body.
    fn responses(text: &str) -> Vec<(String, String)> {
        responses_to_head(text, usize::MAX)
    }

    /// The same, when the `head`th response answers a HEAD request.
    fn responses_to_head(mut text: &str, head_at: usize) -> Vec<(String, String)> {
        let mut out = Vec::new();
        while let Some((head, rest)) = text.split_once("\r\n\r\n") {
            let head = head.to_ascii_lowercase();
            let mut len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length: "))
                .unwrap()
                .parse()
                .unwrap();
            if out.len() == head_at {
                len = 0;
            }
            out.push((head, rest[..len].to_owned()));
            text = &rest[len..];
        }
        assert!(text.is_empty(), "left over: {text:?}");
        out
    }

    const CALLER: &str = "Action=GetCallerIdentity&Version=2011-06-15";

    #[tokio::test]
    async fn pipelined_requests_are_answered_in_order() {
        let (mut client, _stop, _task) = connect(Duration::from_secs(30));
        let chunked = format!(
            "POST / HTTP/1.1\r\ncontent-type: application/x-www-form-urlencoded\r\n\
             Transfer-Encoding: chunked\r\n\r\n5;ext\r\n{}\r\n{:x}\r\n{}\r\n0\r\nT: x\r\n\r\n",
            &CALLER[..5],
            CALLER.len() - 5,
            &CALLER[5..]
        );
        let requests = format!(
            "GET /.well-known/openid-configuration HTTP/1.1\r\n\r\n{chunked}\
             HEAD /?{CALLER} HTTP/1.1\r\n\r\n\
             GET / HTTP/1.1\r\nConnection: close\r\n\r\n\
             GET /never-read HTTP/1.1\r\n\r\n"
        );
        client.write_all(requests.as_bytes()).await.unwrap();
        let got = responses_to_head(&to_close(&mut client).await, 2);
        assert_eq!(got.len(), 4, "{got:?}");
        assert!(got[0].0.starts_with("http/1.1 200 ok\r\n"), "{got:?}");
        assert!(got[0].1.contains("jwks_uri"), "{got:?}");
        // The chunked form was decoded: the request got as far as asking
        // for a signature.
        assert!(got[1].0.starts_with("http/1.1 403 "), "{got:?}");
        assert!(
            got[1].1.contains("<Code>MissingAuthenticationToken</Code>"),
            "{got:?}"
        );
        // HEAD: the length of what a GET gets, no body.
        assert!(got[2].0.starts_with("http/1.1 405 "), "{got:?}");
        let promised = got[2]
            .0
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "));
        assert_ne!(promised, Some("0"));
        assert!(got[3].0.starts_with("http/1.1 400 "), "{got:?}");
        assert!(got[3].1.contains("<Code>MissingAction</Code>"), "{got:?}");
        for (i, (head, _)) in got.iter().enumerate() {
            assert_eq!(head.contains("\r\nconnection: close"), i == 3, "{head}");
            assert!(head.contains("\r\ndate: "), "{head}");
        }
    }

    #[tokio::test]
    async fn http10_clients_get_one_answer_unless_they_keep_alive() {
        let (mut client, _stop, _task) = connect(Duration::from_secs(30));
        client
            .write_all(
                b"GET /.well-known/openid-configuration HTTP/1.0\r\nConnection: keep-alive\r\n\r\n\
                  GET /.well-known/openid-configuration HTTP/1.0\r\n\r\n\
                  GET /.well-known/openid-configuration HTTP/1.0\r\n\r\n",
            )
            .await
            .unwrap();
        let got = responses(&to_close(&mut client).await);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].0.contains("\r\nconnection: keep-alive"), "{got:?}");
        assert!(got[1].0.contains("\r\nconnection: close"), "{got:?}");
    }

    #[tokio::test]
    async fn a_client_that_expects_100_continue_gets_it() {
        let (mut client, _stop, _task) = connect(Duration::from_secs(30));
        let head = format!(
            "POST / HTTP/1.1\r\nExpect: 100-continue\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
            CALLER.len()
        );
        client.write_all(head.as_bytes()).await.unwrap();
        let mut interim = [0u8; 25];
        client.read_exact(&mut interim).await.unwrap();
        assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
        client.write_all(CALLER.as_bytes()).await.unwrap();
        let got = responses(&to_close(&mut client).await);
        assert!(got[0].0.starts_with("http/1.1 403 "), "{got:?}");
    }

    #[tokio::test]
    async fn unreadable_requests_get_400_and_the_connection_closes() {
        for bad in [
            &b"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"[..],
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nnot hex\r\n",
            b"GET / HTTP/1.1\r\nbad header\r\n\r\n",
        ] {
            let (mut client, _stop, _task) = connect(Duration::from_secs(30));
            client.write_all(bad).await.unwrap();
            client.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
            let got = responses(&to_close(&mut client).await);
            assert_eq!(got.len(), 1, "{got:?}");
            assert!(got[0].0.starts_with("http/1.1 400 "), "{got:?}");
            assert!(got[0].0.contains("\r\nconnection: close"), "{got:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn clients_that_stall_are_timed_out() {
        // Halfway through a head: closed without an answer.
        let (mut client, _stop, _task) = connect(Duration::from_secs(30));
        client
            .write_all(b"POST / HTTP/1.1\r\nHost: ")
            .await
            .unwrap();
        assert_eq!(to_close(&mut client).await, "");
        // Idle between requests: the same.
        let (mut client, _stop, _task) = connect(Duration::from_secs(30));
        client
            .write_all(b"GET /.well-known/openid-configuration HTTP/1.1\r\n\r\n")
            .await
            .unwrap();
        let got = responses(&to_close(&mut client).await);
        assert_eq!(got.len(), 1, "{got:?}");
        // Halfway through a body: 408, then closed.
        let (mut client, _stop, _task) = connect(Duration::from_secs(30));
        client
            .write_all(b"POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\nAction=")
            .await
            .unwrap();
        let got = responses(&to_close(&mut client).await);
        assert!(got[0].0.starts_with("http/1.1 408 "), "{got:?}");
        assert!(got[0].0.contains("\r\nconnection: close"), "{got:?}");
        assert!(got[0].1.contains("<Code>RequestTimeout</Code>"), "{got:?}");
    }

    #[tokio::test]
    async fn a_shutdown_finishes_the_request_being_read() {
        let (mut client, stop, task) = connect(Duration::from_secs(30));
        let head = format!(
            "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n",
            CALLER.len()
        );
        client.write_all(head.as_bytes()).await.unwrap();
        let mut interim = [0u8; 25];
        // Once asked to continue, the server is reading the body.
        client.read_exact(&mut interim).await.unwrap();
        stop.send(true).unwrap();
        client.write_all(CALLER.as_bytes()).await.unwrap();
        let got = responses(&to_close(&mut client).await);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].0.starts_with("http/1.1 403 "), "{got:?}");
        assert!(got[0].0.contains("\r\nconnection: close"), "{got:?}");
        task.await.unwrap();

        // An idle connection just closes.
        let (mut client, stop, task) = connect(Duration::from_secs(30));
        stop.send(true).unwrap();
        assert_eq!(to_close(&mut client).await, "");
        task.await.unwrap();
    }
}
