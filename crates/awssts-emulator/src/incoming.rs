//! Reading requests off a client connection: the head, then the body by
//! Content-Length or chunked, within the emulator's limits.
//!
//! Requests are small and answered one at a time, so each is read whole
//! before it is handled. What a client may send is bounded: the head by
//! [`MAX_HEAD`] bytes and [`MAX_HEADERS`] fields, the body by
//! [`MAX_BODY_BYTES`]. The read timeouts are the server's: it wraps each
//! read, and a read that times out ends the connection, so nothing here
//! has to survive being cancelled halfway.

use std::io;
use std::time::Duration;

use awssts::transport::wire::{
    Canned, ChunkError, Dechunker, chunked_last, content_length, keeps_alive, run_canned,
};
use bytes::{Buf, Bytes, BytesMut};
use http::header::{CONTENT_LENGTH, EXPECT};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri, Version};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::error::StsError;
use crate::request::MAX_BODY_BYTES;

/// The most a request head (request line and fields) may take: a presigned
/// URL and a SigV4 header set fit many times over.
pub(crate) const MAX_HEAD: usize = 64 * 1024;
/// The most header fields a request may have.
pub(crate) const MAX_HEADERS: usize = 100;
/// Bodies of refused oversized requests are read and dropped up to this
/// size, so the connection stays usable; beyond it the connection closes.
const DRAIN_LIMIT: u64 = 4 * 1024 * 1024;
/// How much is asked of the socket per read.
const READ_CHUNK: usize = 8 * 1024;

/// One client connection: the socket and the bytes read from it that no
/// request has used yet (the start of a pipelined next request).
pub(crate) struct Connection<S> {
    pub(crate) stream: S,
    buf: BytesMut,
}

/// A request's head, and how its body is to be read.
#[derive(Debug)]
pub(crate) struct Head {
    pub(crate) parts: http::request::Parts,
    framing: Framing,
    /// The client waits for `100 Continue` before it sends the body.
    expects_continue: bool,
    /// The client lets the connection carry another request after this one.
    pub(crate) keep_alive: bool,
}

/// How a request body is delimited (RFC 9112, section 6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Length(u64),
    Chunked,
}

/// Why no request could be read: either way the connection ends.
#[derive(Debug)]
pub(crate) enum Unreadable {
    /// Not HTTP/1.1 as this server reads it, or over a limit: answered
    /// with 400 and the reason.
    Malformed(&'static str),
    /// The client went away (or the socket failed) in the middle of it.
    Closed,
}

/// Why a request body was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Larger than [`MAX_BODY_BYTES`]. `keep_alive`: the rest of it was
    /// read and dropped, so the connection can carry the next request.
    TooLarge { keep_alive: bool },
    /// Not all sent within the read timeout (a Content-Length the client
    /// never fills, a client that stopped): the connection closes.
    TimedOut,
}

impl Refused {
    /// The STS error the refusal is answered with (the admin endpoint uses
    /// its status and message).
    pub(crate) fn error(self, timeout: Duration) -> StsError {
        match self {
            Refused::TooLarge { .. } => crate::request::too_large(),
            Refused::TimedOut => crate::request::timed_out(timeout),
        }
    }

    /// Whether the connection can carry another request: only when the
    /// refused body was read to its end (what is left of it otherwise
    /// cannot be told from a request).
    pub(crate) fn keeps_connection(self) -> bool {
        self == Refused::TooLarge { keep_alive: true }
    }
}

/// What reading a body gave.
#[derive(Debug)]
pub(crate) enum BodyRead {
    Read(Bytes),
    Refused(Refused),
}

impl<S: AsyncRead + AsyncWrite + Unpin> Connection<S> {
    pub(crate) fn new(stream: S) -> Self {
        Connection {
            stream,
            buf: BytesMut::with_capacity(READ_CHUNK),
        }
    }

    /// Reads more bytes into the buffer; `Ok(0)` at the end of the stream.
    async fn fill(&mut self) -> io::Result<usize> {
        self.buf.reserve(READ_CHUNK);
        self.stream.read_buf(&mut self.buf).await
    }

    /// Reads until the buffer holds at least `n` bytes.
    async fn need(&mut self, n: usize) -> Result<(), Unreadable> {
        while self.buf.len() < n {
            match self.fill().await {
                Ok(0) | Err(_) => return Err(Unreadable::Closed),
                Ok(_) => {}
            }
        }
        Ok(())
    }

    /// The next request's head; `None` when the client closes the
    /// connection between requests.
    pub(crate) async fn read_head(&mut self) -> Result<Option<Head>, Unreadable> {
        // Bytes already looked at: a head ends with a newline, so it is
        // parsed again only when one arrives, and a client that trickles
        // a long head costs linear time, not quadratic.
        let mut scanned = 0;
        loop {
            if self.buf[scanned..].contains(&b'\n')
                && let Some((head, len)) = parse_head(&self.buf)?
            {
                self.buf.advance(len);
                return Ok(Some(head));
            }
            scanned = self.buf.len();
            if self.buf.len() >= MAX_HEAD {
                return Err(Unreadable::Malformed("the request head is too large"));
            }
            match self.fill().await {
                Ok(0) if self.buf.is_empty() => return Ok(None),
                Ok(0) => {
                    // What came after the last newline may already be
                    // wrong: the answer does not depend on how it arrived.
                    parse_head(&self.buf)?;
                    return Err(Unreadable::Closed);
                }
                Ok(_) => {}
                Err(_) if self.buf.is_empty() => return Ok(None),
                Err(_) => return Err(Unreadable::Closed),
            }
        }
    }

    /// Reads the body `head` announces: all of it, or the refusal of one
    /// that is too large (drained when that is cheap enough). Asks for the
    /// body with `100 Continue` when the client waits for that.
    pub(crate) async fn read_body(&mut self, head: &Head) -> Result<BodyRead, Unreadable> {
        let empty = head.framing == Framing::Length(0);
        if head.expects_continue && !empty && self.buf.is_empty() {
            let oversized = matches!(head.framing, Framing::Length(n) if n > DRAIN_LIMIT);
            // An oversized body is refused unread: asking for it would
            // only make the client send what is thrown away.
            if !oversized {
                self.stream
                    .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                    .await
                    .map_err(|_| Unreadable::Closed)?;
            }
        }
        match head.framing {
            Framing::Length(n) if n > MAX_BODY_BYTES as u64 => {
                let keep_alive = n <= DRAIN_LIMIT && self.drain(n).await.is_ok();
                Ok(BodyRead::Refused(Refused::TooLarge { keep_alive }))
            }
            Framing::Length(n) => {
                // Bounded by the limit just checked.
                let n = usize::try_from(n).unwrap_or(MAX_BODY_BYTES);
                self.need(n).await?;
                Ok(BodyRead::Read(self.buf.split_to(n).freeze()))
            }
            Framing::Chunked => self.read_chunked().await,
        }
    }

    /// Reads and drops `n` bytes.
    async fn drain(&mut self, mut n: u64) -> Result<(), Unreadable> {
        loop {
            let here = self.buf.len().min(usize::try_from(n).unwrap_or(usize::MAX));
            self.buf.advance(here);
            n -= here as u64;
            if n == 0 {
                return Ok(());
            }
            self.need(1).await?;
        }
    }

    async fn read_chunked(&mut self) -> Result<BodyRead, Unreadable> {
        let mut dechunker = Dechunker::new(MAX_BODY_BYTES);
        loop {
            match dechunker.advance(&mut self.buf) {
                Ok(Some(body)) => return Ok(BodyRead::Read(body)),
                Ok(None) => {}
                // Unlike a declared length, what follows cannot be skipped
                // cheaply: the connection closes.
                Err(ChunkError::TooLarge) => {
                    return Ok(BodyRead::Refused(Refused::TooLarge { keep_alive: false }));
                }
                Err(ChunkError::Malformed(why)) => return Err(Unreadable::Malformed(why)),
            }
            let have = self.buf.len();
            self.need(have + 1).await?;
        }
    }
}

/// Parses the request head at the start of `buf`, if it is all there:
/// the head and its length.
fn parse_head(buf: &[u8]) -> Result<Option<(Head, usize)>, Unreadable> {
    let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut fields);
    let len = match request.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(Unreadable::Malformed(
                "the request has too many header fields",
            ));
        }
        Err(_) => {
            return Err(Unreadable::Malformed(
                "the request head is not valid HTTP/1.1",
            ));
        }
    };
    if len > MAX_HEAD {
        // Refused however it arrived, not only when it arrives slowly.
        return Err(Unreadable::Malformed("the request head is too large"));
    }
    let method = Method::from_bytes(request.method.unwrap_or_default().as_bytes())
        .map_err(|_| Unreadable::Malformed("the request method is not valid"))?;
    let uri = Uri::try_from(request.path.unwrap_or_default())
        .map_err(|_| Unreadable::Malformed("the request target is not a valid URI"))?;
    let version = match request.version {
        Some(0) => Version::HTTP_10,
        _ => Version::HTTP_11,
    };
    let mut headers = HeaderMap::with_capacity(request.headers.len());
    for field in request.headers.iter() {
        let name = HeaderName::from_bytes(field.name.as_bytes())
            .map_err(|_| Unreadable::Malformed("a header name is not valid"))?;
        let value = HeaderValue::from_bytes(field.value)
            .map_err(|_| Unreadable::Malformed("a header value is not valid"))?;
        headers.append(name, value);
    }
    let framing = framing(version, &headers)?;
    let expects_continue = version == Version::HTTP_11
        && headers
            .get(EXPECT)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let keep_alive = keeps_alive(version, &headers);
    let mut parts = http::Request::new(()).into_parts().0;
    parts.method = method;
    parts.uri = uri;
    parts.version = version;
    parts.headers = headers;
    Ok(Some((
        Head {
            parts,
            framing,
            expects_continue,
            keep_alive,
        },
        len,
    )))
}

/// The body's framing. Transfer-Encoding beside Content-Length, or in
/// HTTP/1.0, may be read differently by something in between, and a final
/// coding other than chunked leaves the end unknown: all refused (RFC 9112,
/// 6.1 and 6.3).
fn framing(version: Version, headers: &HeaderMap) -> Result<Framing, Unreadable> {
    if let Some(chunked) = chunked_last(headers) {
        if headers.contains_key(CONTENT_LENGTH) {
            return Err(Unreadable::Malformed(
                "the request has both Transfer-Encoding and Content-Length",
            ));
        }
        if version == Version::HTTP_10 {
            return Err(Unreadable::Malformed(
                "an HTTP/1.0 request cannot use Transfer-Encoding",
            ));
        }
        return if chunked {
            Ok(Framing::Chunked)
        } else {
            Err(Unreadable::Malformed(
                "the request's last transfer coding is not chunked",
            ))
        };
    }
    let length = content_length(headers).map_err(Unreadable::Malformed)?;
    Ok(Framing::Length(length.unwrap_or(0)))
}

/// What the fuzz target learns of one request.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FuzzedRequest {
    /// A request read whole: its method, target and body length, and
    /// whether the connection may carry another.
    Read {
        method: String,
        target: String,
        body: usize,
        keep_alive: bool,
    },
    /// A body refused as too large; `keep_alive` as in [`Refused`].
    TooLarge { keep_alive: bool },
    /// Answered with 400.
    Malformed,
    /// The input ended in the middle of a request.
    Closed,
}

/// Runs the request reader over `input` as a client's bytes, delivered
/// `segment` bytes per read, without a runtime: the reads never wait. For
/// the fuzz target: every request read until the connection would end.
#[doc(hidden)]
pub fn read_for_fuzzing(input: &[u8], segment: usize) -> Vec<FuzzedRequest> {
    run_canned(read_all(Connection::new(Canned::new(input, segment))))
}

/// Every request on `conn`, read the way the server reads them.
async fn read_all(mut conn: Connection<Canned<'_>>) -> Vec<FuzzedRequest> {
    let mut seen = Vec::new();
    loop {
        let head = match conn.read_head().await {
            Ok(Some(head)) => head,
            Ok(None) => return seen,
            Err(e) => {
                seen.push(e.into());
                return seen;
            }
        };
        match conn.read_body(&head).await {
            Ok(BodyRead::Read(body)) => seen.push(FuzzedRequest::Read {
                method: head.parts.method.to_string(),
                target: head.parts.uri.to_string(),
                body: body.len(),
                keep_alive: head.keep_alive,
            }),
            Ok(BodyRead::Refused(refused)) => {
                seen.push(FuzzedRequest::TooLarge {
                    keep_alive: refused.keeps_connection(),
                });
                if !refused.keeps_connection() {
                    return seen;
                }
            }
            Err(e) => {
                seen.push(e.into());
                return seen;
            }
        }
        if !head.keep_alive {
            return seen;
        }
    }
}

impl From<Unreadable> for FuzzedRequest {
    fn from(e: Unreadable) -> Self {
        match e {
            Unreadable::Malformed(_) => FuzzedRequest::Malformed,
            Unreadable::Closed => FuzzedRequest::Closed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

    use FuzzedRequest::{Closed, Malformed, TooLarge};

    fn read(method: &str, target: &str, body: usize, keep_alive: bool) -> FuzzedRequest {
        FuzzedRequest::Read {
            method: method.to_owned(),
            target: target.to_owned(),
            body,
            keep_alive,
        }
    }

    /// The requests read from `input`, checked to be the same however the
    /// bytes are split into reads.
    fn requests(input: &[u8]) -> Vec<FuzzedRequest> {
        let whole = read_for_fuzzing(input, input.len());
        for segment in 1..input.len().min(64) {
            assert_eq!(
                read_for_fuzzing(input, segment),
                whole,
                "{segment}-byte reads of {:?}",
                String::from_utf8_lossy(input)
            );
        }
        whole
    }

    #[test]
    fn requests_read_the_same_however_the_bytes_arrive() {
        assert_eq!(
            requests(b"POST /?a=b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"),
            [read("POST", "/?a=b", 5, true)]
        );
        assert_eq!(requests(b""), []);
        // Leading empty lines before a request line are skipped.
        assert_eq!(
            requests(b"\r\nGET / HTTP/1.1\r\n\r\n"),
            [read("GET", "/", 0, true)]
        );
    }

    #[test]
    fn pipelined_requests_are_read_in_order() {
        let input = b"POST /one HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc\
                      GET /two HTTP/1.1\r\n\r\n\
                      POST /three HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n\
                      GET /four HTTP/1.1\r\nConnection: close\r\n\r\n\
                      GET /never HTTP/1.1\r\n\r\n";
        assert_eq!(
            requests(input),
            [
                read("POST", "/one", 3, true),
                read("GET", "/two", 0, true),
                read("POST", "/three", 2, true),
                read("GET", "/four", 0, false),
            ]
        );
    }

    #[test]
    fn http10_keeps_the_connection_only_when_asked() {
        assert_eq!(
            requests(b"GET / HTTP/1.0\r\n\r\nGET /next HTTP/1.0\r\n\r\n"),
            [read("GET", "/", 0, false)]
        );
        assert_eq!(
            requests(
                b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\nGET /next HTTP/1.1\r\nConnection: upgrade, Close\r\n\r\n"
            ),
            [read("GET", "/", 0, true), read("GET", "/next", 0, false)]
        );
    }

    #[test]
    fn chunked_bodies_with_extensions_and_trailers() {
        let input = b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n\
                      5;name=value\r\nhello\r\n7 ; x\r\n, world\r\n0;last\r\nX-Trailer: t\r\nY: u\r\n\r\n\
                      GET / HTTP/1.1\r\n\r\n";
        assert_eq!(
            requests(input),
            [read("POST", "/", 12, true), read("GET", "/", 0, true)]
        );
    }

    #[test]
    fn malformed_requests_are_refused() {
        let huge_head = [
            &b"GET / HTTP/1.1\r\nX: "[..],
            &vec![b'a'; MAX_HEAD][..],
            b"\r\n\r\n",
        ]
        .concat();
        let many_fields = [
            &b"GET / HTTP/1.1\r\n"[..],
            &b"X: y\r\n".repeat(MAX_HEADERS + 1)[..],
            b"\r\n",
        ]
        .concat();
        let long_chunk_line = [
            &b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;"[..],
            &vec![b'e'; awssts::transport::wire::MAX_CHUNK_LINE][..],
            b"\r\nx\r\n0\r\n\r\n",
        ]
        .concat();
        let cases: [&[u8]; 14] = [
            b"NOT HTTP AT ALL\r\n\r\n",
            b"GET / HTTP/2.0\r\n\r\n",
            b"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxy",
            b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxyz\r\n0\r\n\r\n",
            b"GET / HTTP/1.1\r\nX: \x01\r\n\r\n",
        ];
        for bad in
            cases
                .iter()
                .copied()
                .chain([&huge_head[..], &many_fields[..], &long_chunk_line[..]])
        {
            assert_eq!(
                read_for_fuzzing(bad, bad.len()),
                [Malformed],
                "{:?}",
                String::from_utf8_lossy(bad)
            );
            assert_eq!(read_for_fuzzing(bad, 1), [Malformed]);
        }
        // A comma-separated list of one length is that length.
        assert_eq!(
            requests(b"POST / HTTP/1.1\r\nContent-Length: 2, 2\r\n\r\nxy"),
            [read("POST", "/", 2, true)]
        );
    }

    #[test]
    fn input_that_ends_early_is_closed_not_answered() {
        for cut in [
            &b"GET / HTTP/1.1\r\nHost"[..],
            b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nTrailer: x\r\n",
        ] {
            assert_eq!(
                requests(cut),
                [Closed],
                "{:?}",
                String::from_utf8_lossy(cut)
            );
        }
    }

    #[test]
    fn bodies_over_the_limit_are_refused_and_drained_when_cheap() {
        let at_limit = [
            format!("POST / HTTP/1.1\r\nContent-Length: {MAX_BODY_BYTES}\r\n\r\n").as_bytes(),
            &vec![b'a'; MAX_BODY_BYTES][..],
        ]
        .concat();
        assert_eq!(
            read_for_fuzzing(&at_limit, 4096),
            [read("POST", "/", MAX_BODY_BYTES, true)]
        );

        let over = MAX_BODY_BYTES + 1;
        let drained = [
            format!("POST / HTTP/1.1\r\nContent-Length: {over}\r\n\r\n").as_bytes(),
            &vec![b'a'; over][..],
            b"GET /next HTTP/1.1\r\n\r\n",
        ]
        .concat();
        assert_eq!(
            read_for_fuzzing(&drained, 4096),
            [TooLarge { keep_alive: true }, read("GET", "/next", 0, true)]
        );
        // Too large to drain: refused unread.
        let huge = format!(
            "POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\nabc",
            DRAIN_LIMIT + 1
        );
        assert_eq!(requests(huge.as_bytes()), [TooLarge { keep_alive: false }]);
        // A chunk that would take the body over the limit.
        let chunked = format!(
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
            MAX_BODY_BYTES + 1
        );
        assert_eq!(
            requests(chunked.as_bytes()),
            [TooLarge { keep_alive: false }]
        );
    }

    /// A connection over an in-memory pipe, and the client's end.
    fn pipe() -> (Connection<DuplexStream>, DuplexStream) {
        let (client, server) = tokio::io::duplex(64 * 1024);
        (Connection::new(server), client)
    }

    async fn body_of(conn: &mut Connection<DuplexStream>, head: &Head) -> Bytes {
        match conn.read_body(head).await.unwrap() {
            BodyRead::Read(body) => body,
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_waiting_client_is_asked_to_continue() {
        let (mut conn, mut client) = pipe();
        client
            .write_all(b"POST / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 5\r\n\r\n")
            .await
            .unwrap();
        let head = conn.read_head().await.unwrap().unwrap();
        let reader = tokio::spawn(async move { body_of(&mut conn, &head).await });
        let mut asked = [0u8; 25];
        client.read_exact(&mut asked).await.unwrap();
        assert_eq!(&asked, b"HTTP/1.1 100 Continue\r\n\r\n");
        client.write_all(b"hello").await.unwrap();
        assert_eq!(&reader.await.unwrap()[..], b"hello");
    }

    #[tokio::test]
    async fn no_continue_when_the_body_is_already_there_or_refused_unread() {
        let (mut conn, mut client) = pipe();
        client
            .write_all(b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi")
            .await
            .unwrap();
        let head = conn.read_head().await.unwrap().unwrap();
        assert_eq!(&body_of(&mut conn, &head).await[..], b"hi");

        let too_large = format!(
            "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n",
            DRAIN_LIMIT + 1
        );
        client.write_all(too_large.as_bytes()).await.unwrap();
        let head = conn.read_head().await.unwrap().unwrap();
        let got = conn.read_body(&head).await.unwrap();
        assert!(
            matches!(
                got,
                BodyRead::Refused(Refused::TooLarge { keep_alive: false })
            ),
            "{got:?}"
        );
        // HTTP/1.0 clients are never sent 1xx.
        client
            .write_all(b"POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
            .await
            .unwrap();
        let head = conn.read_head().await.unwrap().unwrap();
        drop(conn.stream);
        let mut written = Vec::new();
        client.read_to_end(&mut written).await.unwrap();
        assert!(
            written.is_empty(),
            "{:?}",
            String::from_utf8_lossy(&written)
        );
        assert!(!head.expects_continue);
    }

    #[tokio::test]
    async fn heads_keep_their_fields() {
        let (mut conn, mut client) = pipe();
        client
            .write_all(b"POST /p?q=1 HTTP/1.1\r\nHost: h\r\nX-Amz-Date: d\r\nX-Multi: a\r\nX-Multi: b\r\nContent-Length: 0\r\n\r\n")
            .await
            .unwrap();
        let head = conn.read_head().await.unwrap().unwrap();
        let parts = &head.parts;
        assert_eq!(parts.method, Method::POST);
        assert_eq!((parts.uri.path(), parts.uri.query()), ("/p", Some("q=1")));
        assert_eq!(parts.headers["host"], "h");
        assert_eq!(parts.headers["x-amz-date"], "d");
        assert_eq!(parts.headers.get_all("x-multi").iter().count(), 2);
        assert!(body_of(&mut conn, &head).await.is_empty());
    }
}
