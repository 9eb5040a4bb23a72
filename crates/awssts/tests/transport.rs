#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The transport against misbehaving in-test servers on 127.0.0.1: raw TCP
//! (and rustls) servers that count connections and requests, stall, close
//! early, or send too much.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use awssts::transport::{
    HttpRequest, HttpResponse, TlsRoots, Transport, TransportConfig, TransportError,
    TransportErrorKind,
};
use bytes::Bytes;
use http::{Method, Uri};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Long enough to outlast any test; the runtime is dropped with the test,
/// which ends the stalled server task.
const FOREVER: Duration = Duration::from_secs(30);

/// Which request a server is answering.
#[derive(Clone, Copy, Debug)]
struct Ctx {
    /// 0-based index of the connection, in accept order.
    conn: usize,
    /// 0-based index of the request on its connection.
    nth: usize,
    /// 0-based index of the request over the whole server.
    total: usize,
}

/// What the server does with one request.
#[derive(Clone, Debug)]
enum Action {
    Reply {
        status: u16,
        body: Vec<u8>,
        /// Sends `Connection: close` and closes.
        header_close: bool,
        /// Closes after the response without saying so (as an idle timeout would).
        hang_up_after: bool,
    },
    Delay(Duration, Box<Action>),
    /// Reads the request and never answers.
    StallHead,
    /// Declares `declared` bytes, sends `sent`, then stalls.
    StallBody {
        declared: usize,
        sent: usize,
    },
    /// A chunked body of `count` chunks of `size` bytes.
    Chunked {
        size: usize,
        count: usize,
    },
    /// Closes the connection without a response.
    HangUp,
}

fn ok() -> Action {
    status(200)
}

fn status(status: u16) -> Action {
    Action::Reply {
        status,
        body: b"<ok/>".to_vec(),
        header_close: false,
        hang_up_after: false,
    }
}

#[derive(Default)]
struct Seen {
    accepted: AtomicUsize,
    open: AtomicUsize,
    max_open: AtomicUsize,
    requests: AtomicUsize,
    per_conn: Mutex<Vec<usize>>,
    heads: Mutex<Vec<String>>,
}

impl Seen {
    fn accepted(&self) -> usize {
        self.accepted.load(SeqCst)
    }
    fn per_conn(&self) -> Vec<usize> {
        self.per_conn.lock().unwrap().clone()
    }
}

type Behaviour = Arc<dyn Fn(Ctx) -> Action + Send + Sync>;

struct Server {
    port: u16,
    seen: Arc<Seen>,
}

impl Server {
    fn url(&self, path: &str) -> Uri {
        format!("http://127.0.0.1:{}{path}", self.port)
            .parse()
            .unwrap()
    }
}

async fn serve(behaviour: impl Fn(Ctx) -> Action + Send + Sync + 'static) -> Server {
    serve_with(Arc::new(behaviour), None).await
}

async fn serve_with(behaviour: Behaviour, tls: Option<tokio_rustls::TlsAcceptor>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Seen::default());
    let seen2 = Arc::clone(&seen);
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let conn = seen2.accepted.fetch_add(1, SeqCst);
            let open = seen2.open.fetch_add(1, SeqCst) + 1;
            seen2.max_open.fetch_max(open, SeqCst);
            seen2.per_conn.lock().unwrap().push(0);
            let (seen, behaviour, tls) = (Arc::clone(&seen2), Arc::clone(&behaviour), tls.clone());
            tokio::spawn(async move {
                match tls {
                    None => handle(tcp, conn, &seen, &behaviour).await,
                    Some(acceptor) => {
                        if let Ok(stream) = acceptor.accept(tcp).await {
                            handle(stream, conn, &seen, &behaviour).await;
                        }
                    }
                }
                seen.open.fetch_sub(1, SeqCst);
            });
        }
    });
    Server { port, seen }
}

async fn handle<S: AsyncRead + AsyncWrite + Unpin>(
    mut io: S,
    conn: usize,
    seen: &Seen,
    behaviour: &Behaviour,
) {
    let mut buf = Vec::new();
    // Bounded: each pass either serves a request or ends the connection.
    for nth in 0..10_000 {
        let Some(head) = read_request(&mut io, &mut buf).await else {
            return;
        };
        seen.heads.lock().unwrap().push(head);
        seen.per_conn.lock().unwrap()[conn] += 1;
        let total = seen.requests.fetch_add(1, SeqCst);
        let mut action = behaviour(Ctx { conn, nth, total });
        while let Action::Delay(d, next) = action {
            tokio::time::sleep(d).await;
            action = *next;
        }
        match action {
            Action::Reply {
                status,
                body,
                header_close,
                hang_up_after,
            } => {
                let close = if header_close {
                    "Connection: close\r\n"
                } else {
                    ""
                };
                let head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Length: {}\r\n{close}\r\n",
                    body.len()
                );
                if io.write_all(head.as_bytes()).await.is_err()
                    || io.write_all(&body).await.is_err()
                    || io.flush().await.is_err()
                {
                    return;
                }
                if header_close || hang_up_after {
                    let _ = io.shutdown().await;
                    return;
                }
            }
            Action::StallHead => {
                tokio::time::sleep(FOREVER).await;
                return;
            }
            Action::StallBody { declared, sent } => {
                let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {declared}\r\n\r\n");
                let _ = io.write_all(head.as_bytes()).await;
                let _ = io.write_all(&vec![b'x'; sent]).await;
                let _ = io.flush().await;
                tokio::time::sleep(FOREVER).await;
                return;
            }
            Action::Chunked { size, count } => {
                let _ = io
                    .write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .await;
                for _ in 0..count {
                    let chunk = format!("{size:x}\r\n{}\r\n", "y".repeat(size));
                    if io.write_all(chunk.as_bytes()).await.is_err() {
                        return;
                    }
                }
                let _ = io.write_all(b"0\r\n\r\n").await;
                let _ = io.flush().await;
            }
            Action::HangUp => {
                let _ = io.shutdown().await;
                return;
            }
            Action::Delay(..) => unreachable!(),
        }
    }
}

/// Reads one request (head and Content-Length body); `None` at EOF.
async fn read_request<S: AsyncRead + Unpin>(io: &mut S, buf: &mut Vec<u8>) -> Option<String> {
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = io.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = io.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    buf.drain(..head_end + length);
    Some(head)
}

fn config() -> TransportConfig {
    TransportConfig::default()
        .connect_timeout(Duration::from_secs(2))
        .read_timeout(Some(Duration::from_secs(5)))
}

fn post(uri: Uri) -> HttpRequest {
    let mut req = HttpRequest::new(Method::POST, uri);
    req.headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    req.body = Bytes::from_static(b"Action=GetCallerIdentity&Version=2011-06-15");
    req
}

async fn send(t: &Transport, server: &Server) -> Result<HttpResponse, TransportError> {
    t.send(post(server.url("/"))).await
}

fn kind(r: Result<HttpResponse, TransportError>) -> TransportErrorKind {
    match r {
        Ok(resp) => panic!("expected an error, got status {}", resp.status),
        Err(e) => e.kind(),
    }
}

#[tokio::test]
async fn keep_alive_reuses_one_connection() {
    let server = serve(|_| ok()).await;
    let t = Transport::new(config()).unwrap();
    for _ in 0..3 {
        let resp = send(&t, &server).await.unwrap();
        assert_eq!(resp.status, 200);
        assert_eq!(&resp.body[..], b"<ok/>");
    }
    assert_eq!(server.seen.accepted(), 1);
    assert_eq!(server.seen.per_conn(), vec![3]);
    let stats = t.stats();
    assert_eq!(stats.connections_opened, 1);
    assert_eq!(stats.reused, 2);
    assert_eq!(stats.idle, 1);

    let head = server.seen.heads.lock().unwrap()[0].to_ascii_lowercase();
    assert!(head.starts_with("post / http/1.1\r\n"), "{head}");
    assert!(
        head.contains(&format!("\r\nhost: 127.0.0.1:{}\r\n", server.port)),
        "{head}"
    );
    assert!(head.contains("\r\ncontent-length: 43\r\n"), "{head}");
}

#[tokio::test]
async fn clones_share_the_pool() {
    let server = serve(|_| ok()).await;
    let t = Transport::new(config()).unwrap();
    send(&t, &server).await.unwrap();
    send(&t.clone(), &server).await.unwrap();
    assert_eq!(server.seen.accepted(), 1);
}

#[tokio::test]
async fn retires_after_max_requests_per_connection() {
    let server = serve(|_| ok()).await;
    let t = Transport::new(config().max_requests_per_connection(Some(2))).unwrap();
    for _ in 0..3 {
        assert_eq!(send(&t, &server).await.unwrap().status, 200);
    }
    assert_eq!(server.seen.per_conn(), vec![2, 1]);
    assert_eq!(t.stats().retired_requests, 1);
}

#[tokio::test]
async fn retires_after_consecutive_error_responses() {
    let server = serve(|_| status(503)).await;
    let t = Transport::new(config().max_consecutive_errors(3)).unwrap();
    for _ in 0..4 {
        assert_eq!(send(&t, &server).await.unwrap().status, 503);
    }
    assert_eq!(server.seen.per_conn(), vec![3, 1]);
    assert_eq!(t.stats().retired_errors, 1);
}

#[tokio::test]
async fn a_success_resets_the_error_run() {
    // 503 503 200 503 503 429: never three errors in a row.
    let server = serve(|ctx| match ctx.total {
        2 => ok(),
        5 => status(429),
        _ => status(503),
    })
    .await;
    let t = Transport::new(config().max_consecutive_errors(3)).unwrap();
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(send(&t, &server).await.unwrap().status);
    }
    assert_eq!(statuses, [503, 503, 200, 503, 503, 429]);
    assert_eq!(server.seen.per_conn(), vec![6]);
    assert_eq!(
        t.stats().retired_errors,
        1,
        "closed after the third error in a row"
    );
}

#[tokio::test]
async fn client_errors_do_not_retire() {
    let server = serve(|_| status(403)).await;
    let t = Transport::new(config().max_consecutive_errors(1)).unwrap();
    for _ in 0..3 {
        assert_eq!(send(&t, &server).await.unwrap().status, 403);
    }
    assert_eq!(server.seen.accepted(), 1);
}

#[tokio::test]
async fn retires_after_max_connection_age() {
    let server = serve(|_| ok()).await;
    let t = Transport::new(config().max_connection_age(Some(Duration::from_millis(1)))).unwrap();
    send(&t, &server).await.unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    send(&t, &server).await.unwrap();
    assert_eq!(server.seen.accepted(), 2);
    assert!(t.stats().retired_age >= 1);
}

#[tokio::test]
async fn evicts_idle_connections() {
    let server = serve(|_| ok()).await;
    let t = Transport::new(config().idle_timeout(Duration::from_millis(1))).unwrap();
    send(&t, &server).await.unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    send(&t, &server).await.unwrap();
    assert_eq!(server.seen.accepted(), 2);
    assert_eq!(t.stats().evicted_idle, 1);
}

#[tokio::test]
async fn max_idle_zero_keeps_nothing() {
    let server = serve(|_| ok()).await;
    let t = Transport::new(config().max_idle_per_host(0)).unwrap();
    send(&t, &server).await.unwrap();
    send(&t, &server).await.unwrap();
    assert_eq!(server.seen.accepted(), 2);
    assert_eq!(t.stats().discarded_over_idle_limit, 2);
}

#[tokio::test]
async fn connection_close_response_is_not_reused() {
    let server = serve(|_| Action::Reply {
        status: 200,
        body: b"bye".to_vec(),
        header_close: true,
        hang_up_after: false,
    })
    .await;
    let t = Transport::new(config()).unwrap();
    assert_eq!(&send(&t, &server).await.unwrap().body[..], b"bye");
    assert_eq!(&send(&t, &server).await.unwrap().body[..], b"bye");
    assert_eq!(server.seen.accepted(), 2);
    assert_eq!(t.stats().closed_by_server, 2);
    assert_eq!(t.stats().reused, 0);
}

#[tokio::test]
async fn server_closing_an_idle_connection_does_not_fail_the_next_send() {
    // The first connection's server side hangs up after its response.
    let server = serve(|ctx| Action::Reply {
        status: 200,
        body: b"<ok/>".to_vec(),
        header_close: false,
        hang_up_after: ctx.conn == 0,
    })
    .await;
    let t = Transport::new(config()).unwrap();
    send(&t, &server).await.unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(send(&t, &server).await.unwrap().status, 200);
    assert_eq!(server.seen.accepted(), 2);
}

#[tokio::test]
async fn stale_connection_is_resent_once_on_a_fresh_one() {
    // The pooled connection is closed by the server the moment the next
    // request arrives on it, before any response byte: the race a server's
    // idle timeout causes.
    let server = serve(|ctx| if ctx.nth == 1 { Action::HangUp } else { ok() }).await;
    let t = Transport::new(config()).unwrap();
    send(&t, &server).await.unwrap();
    assert_eq!(send(&t, &server).await.unwrap().status, 200);
    assert_eq!(server.seen.accepted(), 2);
    assert_eq!(server.seen.per_conn(), vec![2, 1]);
    assert_eq!(t.stats().stale_retries, 1);
}

#[tokio::test]
async fn hang_up_on_a_fresh_connection_is_connection_closed() {
    let server = serve(|_| Action::HangUp).await;
    let t = Transport::new(config()).unwrap();
    assert_eq!(
        kind(send(&t, &server).await),
        TransportErrorKind::ConnectionClosed
    );
    assert_eq!(server.seen.accepted(), 1, "no resend on a fresh connection");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_limit_bounds_concurrent_connections() {
    let server = serve(|_| Action::Delay(Duration::from_millis(30), Box::new(ok()))).await;
    let t = Transport::new(config().max_connections_per_host(2)).unwrap();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (t, uri) = (t.clone(), server.url("/"));
        tasks.push(tokio::spawn(async move { t.send(post(uri)).await }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().status, 200);
    }
    assert_eq!(server.seen.requests.load(SeqCst), 8);
    assert!(server.seen.max_open.load(SeqCst) <= 2);
    assert!(t.stats().connections_opened <= 2);
}

#[tokio::test]
async fn stalled_response_head_is_a_read_timeout() {
    let server = serve(|_| Action::StallHead).await;
    let t = Transport::new(config().read_timeout(Some(Duration::from_millis(200)))).unwrap();
    let err = send(&t, &server).await.unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::ReadTimeout);
    assert_eq!(
        err.to_string(),
        format!(
            "no response data from 127.0.0.1:{} for 200ms (read timeout)",
            server.port
        )
    );
}

#[tokio::test]
async fn body_stalled_midway_is_a_read_timeout() {
    let server = serve(|_| Action::StallBody {
        declared: 100,
        sent: 10,
    })
    .await;
    let t = Transport::new(config().read_timeout(Some(Duration::from_millis(200)))).unwrap();
    assert_eq!(
        kind(send(&t, &server).await),
        TransportErrorKind::ReadTimeout
    );
    // The half-read connection is not pooled.
    assert_eq!(t.stats().idle, 0);
}

#[tokio::test]
async fn attempt_timeout_caps_the_whole_send() {
    let server = serve(|_| Action::Delay(FOREVER, Box::new(ok()))).await;
    let t = Transport::new(
        config()
            .read_timeout(None)
            .attempt_timeout(Some(Duration::from_millis(200))),
    )
    .unwrap();
    let err = send(&t, &server).await.unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::AttemptTimeout);
    assert!(err.is_timeout());
}

#[tokio::test]
async fn attempt_timeout_counts_the_wait_for_a_slot() {
    // The only slot is held by a request the server never answers; it is
    // freed when that request's own attempt timeout fires, shortly before the
    // second one's. Had the wait not counted, the second request would have
    // its whole 400 ms for the server's 200 ms answer and succeed.
    let server = serve(|ctx| {
        if ctx.total == 0 {
            Action::StallHead
        } else {
            Action::Delay(Duration::from_millis(200), Box::new(ok()))
        }
    })
    .await;
    let t = Transport::new(
        config()
            .max_connections_per_host(1)
            .read_timeout(None)
            .attempt_timeout(Some(Duration::from_millis(400))),
    )
    .unwrap();
    let first = {
        let (t, uri) = (t.clone(), server.url("/"));
        tokio::spawn(async move { t.send(post(uri)).await })
    };
    // Bounded wait until the first request holds the slot.
    for _ in 0..200 {
        if server.seen.requests.load(SeqCst) == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert_eq!(server.seen.requests.load(SeqCst), 1);
    assert_eq!(
        kind(send(&t, &server).await),
        TransportErrorKind::AttemptTimeout
    );
    assert_eq!(
        kind(first.await.unwrap()),
        TransportErrorKind::AttemptTimeout
    );
}

#[tokio::test]
async fn content_length_over_the_limit_is_refused() {
    let server = serve(|_| Action::Reply {
        status: 200,
        body: vec![b'z'; 2000],
        header_close: false,
        hang_up_after: false,
    })
    .await;
    let t = Transport::new(config().max_response_bytes(1000)).unwrap();
    let err = send(&t, &server).await.unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::BodyTooLarge);
    assert_eq!(
        err.to_string(),
        "response body from 127.0.0.1 exceeds 1000 bytes"
    );
    // Exactly at the limit is fine.
    let t = Transport::new(config().max_response_bytes(2000)).unwrap();
    assert_eq!(send(&t, &server).await.unwrap().body.len(), 2000);
}

#[tokio::test]
async fn chunked_body_over_the_limit_is_refused() {
    let server = serve(|_| Action::Chunked {
        size: 300,
        count: 4,
    })
    .await;
    let t = Transport::new(config().max_response_bytes(1000)).unwrap();
    assert_eq!(
        kind(send(&t, &server).await),
        TransportErrorKind::BodyTooLarge
    );
    // A chunked body within the limit is gathered whole, and the connection
    // is reused afterwards.
    let t = Transport::new(config()).unwrap();
    for _ in 0..2 {
        let body = send(&t, &server).await.unwrap().body;
        assert_eq!(body.len(), 1200);
        assert!(body.iter().all(|&b| b == b'y'));
    }
    assert_eq!(t.stats().reused, 1);
}

#[tokio::test]
async fn refused_connection_is_connect() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let t = Transport::new(config()).unwrap();
    let uri: Uri = format!("http://127.0.0.1:{port}/").parse().unwrap();
    let err = t.send(post(uri)).await.unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::Connect);
    assert_eq!(
        err.to_string(),
        format!("connect to 127.0.0.1:{port} failed")
    );
    assert!(std::error::Error::source(&err).is_some());
    assert_eq!((err.host(), err.port()), ("127.0.0.1", port));
}

#[tokio::test]
async fn connect_timeout_against_a_full_backlog() {
    // A listener that never accepts, with a backlog of 1: once the queue is
    // full the kernel drops further SYNs, so a connect hangs.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    let mut full = false;
    for _ in 0..32 {
        match tokio::time::timeout(Duration::from_millis(100), TcpStream::connect(addr)).await {
            Ok(Ok(s)) => fillers.push(s),
            Ok(Err(_)) => break,
            Err(_) => {
                full = true;
                break;
            }
        }
    }
    if !full {
        eprintln!("skipped: this kernel does not stall connects to a full backlog");
        return;
    }
    let t = Transport::new(config().connect_timeout(Duration::from_millis(150))).unwrap();
    let uri: Uri = format!("http://{addr}/").parse().unwrap();
    let err = t.send(post(uri)).await.unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::ConnectTimeout);
    assert_eq!(
        err.to_string(),
        format!("connect to {addr} timed out after 150ms")
    );
    drop(listener);
}

#[tokio::test]
async fn invalid_uri_is_refused_before_any_io() {
    let t = Transport::new(config()).unwrap();
    let req = HttpRequest::new(Method::GET, Uri::from_static("/no-host"));
    assert_eq!(kind(t.send(req).await), TransportErrorKind::InvalidUri);
}

mod https {
    use super::*;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

    fn acceptor() -> (tokio_rustls::TlsAcceptor, CertificateDer<'static>) {
        let certified = rcgen::generate_simple_self_signed(vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
        ])
        .unwrap();
        let cert = certified.cert.der().clone();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            certified.signing_key.serialize_der(),
        ));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert.clone()], key)
            .unwrap();
        (tokio_rustls::TlsAcceptor::from(Arc::new(config)), cert)
    }

    fn url(server: &Server, host: &str) -> Uri {
        format!("https://{host}:{}/", server.port).parse().unwrap()
    }

    #[tokio::test]
    async fn trusted_self_signed_certificate_works_and_is_reused() {
        let (acceptor, cert) = acceptor();
        let server = serve_with(Arc::new(|_| ok()), Some(acceptor)).await;
        let roots = TlsRoots::only_extra().with_extra_der(cert.to_vec());
        let t = Transport::new(config().tls_roots(roots)).unwrap();
        // An IP host (IP server name) and a DNS name, each reused once.
        for host in ["127.0.0.1", "127.0.0.1", "localhost", "localhost"] {
            let resp = t.send(post(url(&server, host))).await.unwrap();
            assert_eq!((resp.status, &resp.body[..]), (200, &b"<ok/>"[..]));
        }
        assert_eq!(server.seen.accepted(), 2);
        assert_eq!(t.stats().reused, 2);
        let head = server.seen.heads.lock().unwrap()[2].to_ascii_lowercase();
        assert!(
            head.contains(&format!("\r\nhost: localhost:{}\r\n", server.port)),
            "{head}"
        );
    }

    #[tokio::test]
    async fn self_signed_certificate_is_refused_with_default_roots() {
        let (acceptor, _) = acceptor();
        let server = serve_with(Arc::new(|_| ok()), Some(acceptor)).await;
        let t = Transport::new(config()).unwrap();
        let err = t.send(post(url(&server, "127.0.0.1"))).await.unwrap_err();
        assert_eq!(err.kind(), TransportErrorKind::Tls);
        assert_eq!(
            err.to_string(),
            format!("TLS handshake with 127.0.0.1:{} failed", server.port)
        );
        let cause = std::error::Error::source(&err).unwrap().to_string();
        assert!(cause.contains("certificate"), "{cause}");
        assert_eq!(server.seen.requests.load(SeqCst), 0);
    }
}
