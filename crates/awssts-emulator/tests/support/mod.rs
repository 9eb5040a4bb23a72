//! Helpers shared by the emulator's integration tests: clients, a raw
//! HTTP/1.1 connection, signing by hand, and the recorded STS messages.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use awssts::credentials::Credentials;
use awssts::retry::RetryConfig;
use awssts::sigv4::{self, Payload, SignableRequest, SigningParams};
use awssts_emulator::{
    Config, DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, Emulator, RunningEmulator,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub async fn start() -> RunningEmulator {
    Emulator::new().start().await.unwrap()
}

pub async fn start_with(config: Config) -> RunningEmulator {
    Emulator::with_config(config).start().await.unwrap()
}

pub fn retry() -> RetryConfig {
    RetryConfig::default()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(20))
}

pub fn client_with(url: &str, creds: Credentials) -> awssts::Client {
    awssts::Client::builder()
        .region("us-east-1")
        .endpoint_url(url)
        .credentials(creds)
        .retry(retry())
        .build()
        .unwrap()
}

pub fn client(url: &str) -> awssts::Client {
    client_with(
        url,
        Credentials::from_keys(DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY),
    )
}

/// Credentials from an STS output.
pub fn creds(c: &awssts::model::Credentials) -> Credentials {
    Credentials::new(
        c.access_key_id.clone(),
        c.secret_access_key.expose_secret(),
        Some(c.session_token.expose_secret().to_owned()),
        None,
        "test",
    )
}

/// The recorded real-STS responses (read, never copied).
pub fn recorded() -> serde_json::Value {
    let dir = std::env::var_os("AWSSTS_REFERENCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference")
        });
    let path = dir.join("sts-recorded/localstack-test_sts.snapshot.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; the reference data lives in ../shared/reference (or set AWSSTS_REFERENCE_DIR)",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap()
}

/// The recorded error `name` of test `test`: (code, message, status).
pub fn recorded_error(test: &str, name: &str) -> (String, String, u16) {
    let all = recorded();
    let (_, entry) = all
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, _)| k.ends_with(test))
        .unwrap_or_else(|| panic!("no recorded test {test}"));
    let e = &entry["recorded-content"][name];
    (
        e["Error"]["Code"].as_str().unwrap().to_owned(),
        e["Error"]["Message"].as_str().unwrap().to_owned(),
        e["ResponseMetadata"]["HTTPStatusCode"].as_u64().unwrap() as u16,
    )
}

/// A response read off a raw connection.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `<Code>` of an error body.
    pub fn code(&self) -> String {
        awssts::protocol::decode_error(self.body.as_bytes())
            .map(|e| e.code)
            .unwrap_or_else(|e| panic!("not an STS error body ({e}): {}", self.body))
    }

    pub fn message(&self) -> String {
        awssts::protocol::decode_error(self.body.as_bytes())
            .unwrap()
            .message
            .unwrap_or_default()
    }
}

/// One keep-alive HTTP/1.1 connection driven by hand.
pub struct Raw {
    stream: TcpStream,
    host: String,
}

impl Raw {
    pub async fn connect(emu: &RunningEmulator) -> Raw {
        Raw {
            stream: TcpStream::connect(emu.addr()).await.unwrap(),
            host: emu.addr().to_string(),
        }
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    /// Sends `head` (request line and headers, without the final CRLF) and
    /// `body`, with a Content-Length, and reads the response.
    pub async fn send(&mut self, head: &str, body: &[u8]) -> RawResponse {
        let mut req = head.as_bytes().to_vec();
        req.extend_from_slice(format!("\r\ncontent-length: {}\r\n\r\n", body.len()).as_bytes());
        req.extend_from_slice(body);
        self.stream.write_all(&req).await.unwrap();
        tokio::time::timeout(Duration::from_secs(10), self.read_response())
            .await
            .expect("no response within 10 s")
    }

    pub async fn read_response(&mut self) -> RawResponse {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 8192];
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i;
            }
            let n = self.stream.read(&mut chunk).await.unwrap();
            assert!(n > 0, "connection closed before a response");
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8(buf[..head_end].to_vec()).unwrap();
        let mut lines = head.split("\r\n");
        let status: u16 = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .map(|l| {
                let (n, v) = l.split_once(':').unwrap();
                (n.trim().to_owned(), v.trim().to_owned())
            })
            .collect();
        let len: usize = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .map(|(_, v)| v.parse().unwrap())
            .unwrap_or(0);
        let mut body = buf[head_end + 4..].to_vec();
        while body.len() < len {
            let n = self.stream.read(&mut chunk).await.unwrap();
            assert!(n > 0, "connection closed inside a body");
            body.extend_from_slice(&chunk[..n]);
        }
        RawResponse {
            status,
            headers,
            body: String::from_utf8(body).unwrap(),
        }
    }
}

/// Headers and body of a POST of `body`, signed with the given keys.
pub struct Signed {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

pub fn sign_post(
    host: &str,
    body: &[u8],
    akid: &str,
    secret: &str,
    token: Option<&str>,
    time: SystemTime,
) -> Signed {
    let base = [
        ("host", host),
        (
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8",
        ),
    ];
    let req = SignableRequest {
        method: "POST",
        path: "/",
        query: "",
        headers: &base,
        payload: Payload::Bytes(body),
    };
    let mut params = SigningParams::new(akid, secret, "us-east-1", "sts", time);
    if let Some(t) = token {
        params = params.with_session_token(t);
    }
    let out = sigv4::sign(&req, &params).unwrap();
    let mut headers: Vec<(String, String)> = base
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    headers.extend(out.headers().map(|(n, v)| (n.to_string(), v.to_string())));
    Signed {
        headers,
        body: body.to_vec(),
    }
}

impl Signed {
    /// The request head for a raw connection.
    pub fn head(&self) -> String {
        let mut head = "POST / HTTP/1.1".to_owned();
        for (n, v) in &self.headers {
            head.push_str(&format!("\r\n{n}: {v}"));
        }
        head
    }
}

/// POSTs a body signed by the built-in user.
pub async fn post_signed(raw: &mut Raw, body: &str) -> RawResponse {
    let host = raw.host().to_owned();
    let s = sign_post(
        &host,
        body.as_bytes(),
        DEFAULT_ACCESS_KEY_ID,
        DEFAULT_SECRET_ACCESS_KEY,
        None,
        SystemTime::now(),
    );
    raw.send(&s.head(), &s.body).await
}
