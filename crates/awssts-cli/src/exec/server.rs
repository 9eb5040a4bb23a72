//! The container-credentials endpoint of `exec --server`: what ECS and EKS
//! Pod Identity serve, and what every AWS SDK reads from
//! `AWS_CONTAINER_CREDENTIALS_FULL_URI` with the
//! `AWS_CONTAINER_AUTHORIZATION_TOKEN` header. Only on 127.0.0.1, only to
//! requests carrying this run's random token, answered from an
//! auto-renewing credentials cache.

use std::time::{Duration, SystemTime};

use awssts::credentials::cache::CredentialsCache;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::error::CliError;
use crate::output::doc::timestamp;

/// Requests larger than this are not credential requests.
const MAX_REQUEST: usize = 16 * 1024;
/// A client that sends nothing for this long is dropped.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// The expiry reported for long-term keys, which the protocol cannot
/// express: SDKs come back for them after this (and get the same keys).
const LONG_TERM_REPORTED_LIFETIME: Duration = Duration::from_secs(15 * 60);
const PATH: &str = "/credentials";

/// The running endpoint; stops when dropped.
pub struct Server {
    url: String,
    token: String,
    task: JoinHandle<()>,
}

impl Server {
    /// Listens on 127.0.0.1 on a port the OS picks, with a fresh token.
    pub async fn start(cache: CredentialsCache) -> Result<Server, CliError> {
        let token = random_token()?;
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.map_err(|e| {
            CliError::Other(format!("cannot listen on 127.0.0.1 for --server: {e}"))
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| CliError::Other(format!("cannot read the --server port: {e}")))?
            .port();
        let expected = token.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    // Out of file descriptors and the like: wait rather
                    // than spin for the child's whole lifetime.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                };
                let cache = cache.clone();
                let expected = expected.clone();
                tokio::spawn(async move {
                    let _ = tokio::time::timeout(REQUEST_TIMEOUT, serve(stream, &cache, &expected))
                        .await;
                });
            }
        });
        Ok(Server {
            url: format!("http://127.0.0.1:{port}{PATH}"),
            token,
            task,
        })
    }

    /// `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
    pub fn token(&self) -> &str {
        &self.token
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// 32 random bytes from the OS, in hex.
fn random_token() -> Result<String, CliError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        CliError::Other(format!(
            "cannot get random bytes for the --server token: {e}"
        ))
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Compares in constant time, so the time taken says nothing about how
/// much of a guess was right.
fn same_token(given: &str, expected: &str) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
}

/// What a request asked, as far as this endpoint cares.
#[derive(Debug, PartialEq, Eq)]
enum Request {
    /// `GET` with this `Authorization` header, if any.
    Get { authorization: Option<String> },
    /// Anything else (another method, a malformed request).
    Other,
}

fn parse(head: &str) -> Request {
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    if parts.next() != Some("GET") {
        return Request::Other;
    }
    let authorization = lines.find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("authorization")
            .then(|| value.trim().to_owned())
    });
    Request::Get { authorization }
}

async fn serve(
    mut stream: TcpStream,
    cache: &CredentialsCache,
    expected: &str,
) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    let head_end = loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        if buf.len() > MAX_REQUEST {
            return respond(
                &mut stream,
                431,
                "Request Header Fields Too Large",
                &error_body("RequestTooLarge", "the request head is too large"),
            )
            .await;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
    };
    let head = String::from_utf8_lossy(buf.get(..head_end).unwrap_or_default());
    let (status, reason, body) = match parse(&head) {
        Request::Other => (
            405,
            "Method Not Allowed",
            error_body("MethodNotAllowed", "only GET is served"),
        ),
        Request::Get {
            authorization: None,
        } => (
            401,
            "Unauthorized",
            error_body(
                "Unauthorized",
                "the Authorization header is missing: send AWS_CONTAINER_AUTHORIZATION_TOKEN",
            ),
        ),
        Request::Get {
            authorization: Some(given),
        } if !same_token(&given, expected) => (
            403,
            "Forbidden",
            error_body("Forbidden", "the authorization token is not this run's"),
        ),
        Request::Get { .. } => match cache.credentials().await {
            Ok(c) => (200, "OK", credentials_body(&c, SystemTime::now())),
            Err(e) => {
                tracing::warn!(error = %e, "exec --server could not get credentials");
                (
                    500,
                    "Internal Server Error",
                    error_body("CredentialsUnavailable", &e.to_string()),
                )
            }
        },
    };
    respond(&mut stream, status, reason, &body).await
}

async fn respond(
    stream: &mut TcpStream,
    status: u16,
    reason: &str,
    body: &str,
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}

fn error_body(code: &str, message: &str) -> String {
    serde_json::json!({ "code": code, "message": message }).to_string()
}

/// The container-credentials document.
fn credentials_body(c: &awssts::credentials::Credentials, now: SystemTime) -> String {
    let expiration = c.expiration().unwrap_or(now + LONG_TERM_REPORTED_LIFETIME);
    let mut doc = serde_json::json!({
        "AccessKeyId": c.access_key_id(),
        "SecretAccessKey": c.secret_access_key(),
        "Expiration": timestamp(awssts::DateTime::from_system_time(expiration)),
    });
    if let Some(t) = c.session_token() {
        doc["Token"] = serde_json::Value::from(t);
    }
    if let Some(a) = c.account_id() {
        doc["AccountId"] = serde_json::Value::from(a);
    }
    doc.to_string()
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use awssts::credentials::Credentials;

    use super::*;

    #[test]
    fn requests_are_told_apart() {
        assert_eq!(
            parse("GET /credentials HTTP/1.1\r\nHost: x\r\nauthorization:  tok \r\n"),
            Request::Get {
                authorization: Some("tok".into())
            }
        );
        assert_eq!(
            parse("GET / HTTP/1.1\r\nHost: x"),
            Request::Get {
                authorization: None
            }
        );
        assert_eq!(
            parse("POST / HTTP/1.1\r\nAuthorization: tok"),
            Request::Other
        );
        assert_eq!(parse(""), Request::Other);
    }

    #[test]
    fn tokens_match_only_exactly() {
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abd", "abc"));
        assert!(!same_token("ab", "abc"));
        assert!(!same_token("", "abc"));
        let t = random_token().unwrap();
        assert_eq!(t.len(), 64);
        assert_ne!(t, random_token().unwrap());
    }

    #[test]
    fn the_document_sdks_read() {
        let c = Credentials::new(
            "ASIAX",
            "secret",
            Some("token".into()),
            Some(UNIX_EPOCH + Duration::from_secs(1_795_348_800)),
            "test",
        );
        let doc: serde_json::Value =
            serde_json::from_str(&credentials_body(&c, SystemTime::now())).unwrap();
        assert_eq!(
            doc,
            serde_json::json!({
                "AccessKeyId": "ASIAX",
                "SecretAccessKey": "secret",
                "Token": "token",
                "Expiration": "2026-11-22T12:00:00+00:00",
            })
        );
        let now = UNIX_EPOCH + Duration::from_secs(1_795_348_800);
        let keys: serde_json::Value =
            serde_json::from_str(&credentials_body(&Credentials::from_keys("AKIA", "s"), now))
                .unwrap();
        assert_eq!(keys["Expiration"], "2026-11-22T12:15:00+00:00");
        assert!(keys.get("Token").is_none());
    }
}
