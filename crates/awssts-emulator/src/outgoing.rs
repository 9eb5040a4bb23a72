//! Writing responses: the head, always with a Content-Length, then the
//! body, whole or deliberately cut short for the faults that break
//! responses (a body that stalls after the headers, one that ends before
//! its Content-Length).

use std::io::Write as _;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, DATE};
use http::{Response, Version};
use tokio::io::{AsyncWrite, AsyncWriteExt};

/// A response body.
#[derive(Debug)]
pub(crate) enum Body {
    /// All of it.
    Full(Bytes),
    /// `sent`, then nothing for `hold`, then the connection closes: the
    /// client sees fewer bytes than the Content-Length header (set by the
    /// fault) promised. The pause lets what was sent reach the client.
    Cut { sent: Bytes, hold: Duration },
}

impl Body {
    pub(crate) fn full(bytes: impl Into<Bytes>) -> Body {
        Body::Full(bytes.into())
    }
}

/// What a response answers, as far as writing it goes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Answering {
    /// The connection carries another request after this one.
    pub(crate) keep_alive: bool,
    /// The request's HTTP version (an HTTP/1.0 client is told the
    /// connection stays open).
    pub(crate) version: Version,
    /// A `HEAD` request: the head says what a GET would get, no body.
    pub(crate) head: bool,
}

/// Writes `resp`; whether the connection can carry another request.
pub(crate) async fn write_response<S: AsyncWrite + Unpin>(
    stream: &mut S,
    resp: Response<Body>,
    to: Answering,
) -> std::io::Result<bool> {
    let (parts, body) = resp.into_parts();
    let (sent, hold) = match body {
        Body::Full(b) => (b, None),
        Body::Cut { sent, hold } => (sent, Some(hold)),
    };
    let mut out = Vec::with_capacity(256 + sent.len());
    let status = parts.status;
    // Writes to a Vec cannot fail.
    let _ = write!(
        out,
        "HTTP/1.1 {} {}\r\n",
        status.as_str(),
        status.canonical_reason().unwrap_or("")
    );
    for (name, value) in &parts.headers {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if !parts.headers.contains_key(CONTENT_LENGTH) {
        let _ = write!(out, "content-length: {}\r\n", sent.len());
    }
    if !parts.headers.contains_key(DATE) {
        let now = awssts::DateTime::from_system_time(SystemTime::now()).to_http_date();
        let _ = write!(out, "date: {now}\r\n");
    }
    // A cut body is a connection that breaks: its head does not say so.
    if !to.keep_alive {
        out.extend_from_slice(b"connection: close\r\n");
    } else if to.version == Version::HTTP_10 {
        out.extend_from_slice(b"connection: keep-alive\r\n");
    }
    out.extend_from_slice(b"\r\n");
    if !to.head {
        out.extend_from_slice(&sent);
    }
    stream.write_all(&out).await?;
    stream.flush().await?;
    if let Some(hold) = hold {
        tokio::time::sleep(hold).await;
    }
    Ok(to.keep_alive && hold.is_none())
}
