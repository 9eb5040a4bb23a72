//! HTTP/1.1 on one connection, run in the caller's own task.
//!
//! An STS exchange is one small request and one small response, one at a
//! time per connection. Writing the request in one piece and reading the
//! response into memory right here avoids what a general client pays on
//! every request: a connection task to wake, channels to hand the request
//! and the response across, and a body stream polled frame by frame.
//!
//! What the server may send is bounded: the head by [`MAX_HEAD`] bytes and
//! [`MAX_HEADERS`] fields, the body by the caller's limit, each read by the
//! read timeout.

use std::io;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::header::{CONNECTION, TRANSFER_ENCODING};
use http::{HeaderMap, HeaderName, HeaderValue, Version};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use super::error::{TransportErrorKind, classify_io};
use super::wire::{
    Canned, ChunkError, Dechunker, chunked_last, content_length, keeps_alive, run_canned,
};

/// The most a response head (status line and fields) may take.
pub(crate) const MAX_HEAD: usize = 64 * 1024;
/// The most header fields a response may have.
pub(crate) const MAX_HEADERS: usize = 128;

/// How much is asked of the socket per read.
const READ_CHUNK: usize = 8 * 1024;

/// A TCP connection, with or without TLS.
pub(crate) enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// Why an exchange failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The connection ended (closed or reset) before any byte of a response
    /// came back: on a pooled connection, the server had dropped it while it
    /// sat idle, and the request can go again on a new one.
    ClosedBeforeResponse(Option<io::Error>),
    /// The connection ended in the middle of the response.
    ClosedDuringResponse(Option<io::Error>),
    /// Another I/O error.
    Io(io::Error),
    /// Nothing arrived within the read timeout.
    Timeout(Duration),
    /// The response is not HTTP/1.x as this client reads it.
    Protocol(&'static str),
    /// The body is larger than the caller's limit.
    TooLarge,
}

/// A complete response.
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    /// Whether the connection may carry another exchange.
    pub(crate) reusable: bool,
}

/// The body carries credentials: only its length is shown.
impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .field("reusable", &self.reusable)
            .finish_non_exhaustive()
    }
}

/// What the caller allows the server.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) max_body: usize,
}

/// One HTTP/1.1 connection, over a [`Stream`] (or, for tests and the fuzz
/// target, any byte stream).
pub(crate) struct Connection<S = Stream> {
    stream: S,
    /// Bytes read and not yet used; kept between exchanges for its capacity.
    buf: BytesMut,
    /// Set once the connection cannot carry another exchange.
    done: bool,
    /// How much of the request being sent went without waiting.
    written: usize,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Connection<S> {
    pub(crate) fn new(stream: S) -> Self {
        Connection {
            stream,
            buf: BytesMut::with_capacity(READ_CHUNK),
            done: false,
            written: 0,
        }
    }

    /// Whether the connection is known to be finished, without looking at
    /// the socket.
    pub(crate) fn is_closed(&self) -> bool {
        self.done
    }

    /// Whether an idle connection is still usable: the server has neither
    /// closed it nor sent anything unasked. Looks at the socket once,
    /// without waiting.
    pub(crate) fn is_open(&mut self) -> bool {
        if self.done {
            return false;
        }
        let mut probe = [0u8; 1];
        let mut buf = ReadBuf::new(&mut probe);
        let mut cx = Context::from_waker(Waker::noop());
        // Ready means the end of the stream, a stray byte or an error: not reusable.
        let open = Pin::new(&mut self.stream)
            .poll_read(&mut cx, &mut buf)
            .is_pending();
        self.done = !open;
        open
    }

    /// Writes `request` (a complete HTTP/1.1 message) and reads the whole
    /// response. `head_request` says the request was `HEAD`, whose response
    /// has no body whatever its fields say.
    pub(crate) async fn exchange(
        &mut self,
        request: &[u8],
        head_request: bool,
        limits: Limits,
    ) -> Result<Response, Failure> {
        // Marked done until the exchange completes cleanly, so that any
        // early return (or a dropped future) leaves it out of the pool.
        self.done = true;
        self.buf.clear();
        // A server that stops reading must not hold the request forever:
        // the write gets the same limit as each read. A small request
        // usually goes in whole at once, and then no timer is set up.
        let written = match self.write_now(request) {
            Ok(true) => Ok(()),
            Ok(false) => match limits.read_timeout {
                None => self.write(request).await,
                Some(d) => tokio::time::timeout(d, self.write(request))
                    .await
                    .map_err(|_| Failure::Timeout(d))?,
            },
            Err(e) => Err(e),
        };
        if let Err(e) = written {
            return Err(if is_closed(&e) {
                Failure::ClosedBeforeResponse(Some(e))
            } else {
                Failure::Io(e)
            });
        }
        let Head {
            status,
            version,
            headers,
            present,
        } = self.read_head(limits.read_timeout).await?;
        let (framing, must_close) = framing(status, version, head_request, &headers, present)?;
        let body = match framing {
            Framing::Empty => Bytes::new(),
            Framing::Length(n) => {
                if n > limits.max_body as u64 {
                    return Err(Failure::TooLarge);
                }
                // Bounded by the limit just checked.
                let n = usize::try_from(n).map_err(|_| Failure::TooLarge)?;
                self.read_exact_body(n, limits.read_timeout).await?
            }
            Framing::Chunked => self.read_chunked(limits).await?,
            Framing::UntilClose => self.read_to_close(limits).await?,
        };
        let reusable = !must_close
            && framing != Framing::UntilClose
            && self.buf.is_empty()
            && if present.connection {
                keeps_alive(version, &headers)
            } else {
                // What `keeps_alive` says without the field.
                version != Version::HTTP_10
            };
        self.done = !reusable;
        Ok(Response {
            status,
            headers,
            body,
            reusable,
        })
    }

    /// Writes and flushes what is left of `request` (all of it but what
    /// [`write_now`](Self::write_now) took).
    async fn write(&mut self, request: &[u8]) -> io::Result<()> {
        let rest = request.get(self.written..).unwrap_or_default();
        self.stream.write_all(rest).await?;
        self.stream.flush().await
    }

    /// Writes as much of `request` as the stream takes without waiting,
    /// and flushes it when all of it went: whether the request is sent.
    /// What was taken is counted in `written`, for `write` to go on from.
    fn write_now(&mut self, request: &[u8]) -> io::Result<bool> {
        let mut cx = Context::from_waker(Waker::noop());
        let mut stream = Pin::new(&mut self.stream);
        self.written = 0;
        while self.written < request.len() {
            match stream
                .as_mut()
                .poll_write(&mut cx, &request[self.written..])
            {
                Poll::Ready(Ok(0)) => return Err(io::ErrorKind::WriteZero.into()),
                Poll::Ready(Ok(n)) => self.written += n,
                Poll::Ready(Err(e)) => return Err(e),
                Poll::Pending => return Ok(false),
            }
        }
        match stream.poll_flush(&mut cx) {
            Poll::Ready(Ok(())) => Ok(true),
            Poll::Ready(Err(e)) => Err(e),
            Poll::Pending => Ok(false),
        }
    }

    /// Reads more bytes into the buffer; `Ok(0)` at the end of the stream.
    async fn fill(&mut self, timeout: Option<Duration>) -> Result<usize, ReadFailure> {
        self.buf.reserve(READ_CHUNK);
        let read = self.stream.read_buf(&mut self.buf);
        let result = match timeout {
            None => read.await,
            Some(d) => tokio::time::timeout(d, read)
                .await
                .map_err(|_| ReadFailure::Timeout(d))?,
        };
        result.map_err(ReadFailure::Io)
    }

    /// Reads until the buffer holds a whole final (non-1xx) response head,
    /// informational heads before it skipped, and takes it off the buffer.
    async fn read_head(&mut self, timeout: Option<Duration>) -> Result<Head, Failure> {
        let mut received_any = false;
        // Bytes already looked at: a head ends with a newline, so it is
        // parsed again only when one arrives, and a server that trickles
        // a long head costs linear time, not quadratic.
        let mut scanned = 0;
        loop {
            let parsed = match memchr::memchr(b'\n', &self.buf[scanned..]) {
                Some(_) => parse_head(&mut self.buf)?,
                None => None,
            };
            scanned = self.buf.len();
            match parsed {
                Some(head) if (100..200).contains(&head.status) => {
                    scanned = 0;
                    continue;
                }
                Some(head) => return Ok(head),
                None if self.buf.len() >= MAX_HEAD => {
                    return Err(Failure::Protocol("the response head is too large"));
                }
                None => {}
            }
            match self.fill(timeout).await {
                Ok(0) if received_any => return Err(Failure::ClosedDuringResponse(None)),
                Ok(0) => return Err(Failure::ClosedBeforeResponse(None)),
                Ok(_) => received_any = true,
                Err(ReadFailure::Timeout(d)) => return Err(Failure::Timeout(d)),
                Err(ReadFailure::Io(e)) if is_closed(&e) && !received_any => {
                    return Err(Failure::ClosedBeforeResponse(Some(e)));
                }
                Err(ReadFailure::Io(e)) if is_closed(&e) => {
                    return Err(Failure::ClosedDuringResponse(Some(e)));
                }
                Err(ReadFailure::Io(e)) => return Err(Failure::Io(e)),
            }
        }
    }

    /// Reads until the buffer holds at least `n` bytes.
    async fn need(&mut self, n: usize, timeout: Option<Duration>) -> Result<(), Failure> {
        while self.buf.len() < n {
            match self.fill(timeout).await {
                Ok(0) => return Err(Failure::ClosedDuringResponse(None)),
                Ok(_) => {}
                Err(e) => return Err(e.during_response()),
            }
        }
        Ok(())
    }

    async fn read_exact_body(
        &mut self,
        n: usize,
        timeout: Option<Duration>,
    ) -> Result<Bytes, Failure> {
        if self.buf.capacity() < n {
            self.buf.reserve(n - self.buf.len());
        }
        self.need(n, timeout).await?;
        Ok(self.buf.split_to(n).freeze())
    }

    async fn read_chunked(&mut self, limits: Limits) -> Result<Bytes, Failure> {
        let mut dechunker = Dechunker::new(limits.max_body);
        loop {
            match dechunker.advance(&mut self.buf) {
                Ok(Some(body)) => return Ok(body),
                Ok(None) => {}
                Err(ChunkError::TooLarge) => return Err(Failure::TooLarge),
                Err(ChunkError::Malformed(why)) => return Err(Failure::Protocol(why)),
            }
            let have = self.buf.len();
            self.need(have + 1, limits.read_timeout).await?;
        }
    }

    async fn read_to_close(&mut self, limits: Limits) -> Result<Bytes, Failure> {
        loop {
            if self.buf.len() > limits.max_body {
                return Err(Failure::TooLarge);
            }
            match self.fill(limits.read_timeout).await {
                Ok(0) => return Ok(self.buf.split().freeze()),
                Ok(_) => {}
                Err(e) => return Err(e.during_response()),
            }
        }
    }
}

enum ReadFailure {
    Timeout(Duration),
    Io(io::Error),
}

impl ReadFailure {
    fn during_response(self) -> Failure {
        match self {
            ReadFailure::Timeout(d) => Failure::Timeout(d),
            ReadFailure::Io(e) if is_closed(&e) => Failure::ClosedDuringResponse(Some(e)),
            ReadFailure::Io(e) => Failure::Io(e),
        }
    }
}

/// Whether an I/O error means the peer closed or reset the connection.
fn is_closed(e: &io::Error) -> bool {
    classify_io(e.kind()) == TransportErrorKind::ConnectionClosed
}

/// A parsed response head.
struct Head {
    status: u16,
    version: Version,
    headers: HeaderMap,
    /// Which fields that bear on framing and reuse it has, noted while the
    /// fields were read so that the absent ones are not looked up.
    present: Present,
}

#[derive(Clone, Copy, Default)]
struct Present {
    transfer_encoding: bool,
    connection: bool,
}

/// Where one field of a head lies in it.
#[derive(Clone, Copy, Default)]
struct FieldSpan {
    name: (u32, u32),
    value: (u32, u32),
}

/// Heads with up to this many fields note their places on the stack.
const INLINE_FIELDS: usize = 16;

/// Parses a response head at the start of `buf` and, once it is complete,
/// takes it off the buffer; `None` while it is incomplete. The field values
/// are slices of the head's bytes, not copies of them.
fn parse_head(buf: &mut BytesMut) -> Result<Option<Head>, Failure> {
    // Left uninitialised for httparse to fill: zeroing room for
    // `MAX_HEADERS` fields cost more than parsing a whole STS head.
    let mut fields = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut []);
    let parsed = httparse::ParserConfig::default().parse_response_with_uninit_headers(
        &mut response,
        buf,
        &mut fields,
    );
    let len = match parsed {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(Failure::Protocol("the response has too many header fields"));
        }
        Err(_) => return Err(Failure::Protocol("the response head is not valid HTTP/1.1")),
    };
    // Refused however it arrived, not only when it arrives slowly.
    if len > MAX_HEAD {
        return Err(Failure::Protocol("the response head is too large"));
    }
    let status = response
        .code
        .ok_or(Failure::Protocol("the response has no status code"))?;
    let version = match response.version {
        Some(0) => Version::HTTP_10,
        _ => Version::HTTP_11,
    };
    // httparse's fields borrow the buffer, which is split below: their
    // places are noted first. Offsets fit in u32: the head is at most
    // `MAX_HEAD` bytes.
    let start = buf.as_ptr() as usize;
    let span = |s: &[u8]| {
        let at = s.as_ptr() as usize - start;
        (at as u32, (at + s.len()) as u32)
    };
    let count = response.headers.len();
    let mut inline = [FieldSpan::default(); INLINE_FIELDS];
    let mut heap = Vec::new();
    let spans: &mut [FieldSpan] = if count <= INLINE_FIELDS {
        &mut inline[..count]
    } else {
        heap.resize(count, FieldSpan::default());
        &mut heap
    };
    for (field, place) in response.headers.iter().zip(spans.iter_mut()) {
        *place = FieldSpan {
            name: span(field.name.as_bytes()),
            value: span(field.value),
        };
    }
    let head = buf.split_to(len).freeze();
    let mut headers = HeaderMap::with_capacity(count);
    let mut present = Present::default();
    for place in spans.iter() {
        let (name, value) = (place.name, place.value);
        let name = HeaderName::from_bytes(&head[name.0 as usize..name.1 as usize])
            .map_err(|_| Failure::Protocol("a response header name is not valid"))?;
        let value = HeaderValue::from_maybe_shared(head.slice(value.0 as usize..value.1 as usize))
            .map_err(|_| Failure::Protocol("a response header value is not valid"))?;
        present.transfer_encoding |= name == TRANSFER_ENCODING;
        present.connection |= name == CONNECTION;
        headers.append(name, value);
    }
    Ok(Some(Head {
        status,
        version,
        headers,
        present,
    }))
}

/// How the response body is delimited (RFC 9112, section 6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Framing {
    Empty,
    Length(u64),
    Chunked,
    UntilClose,
}

/// The body's framing, and whether the connection must be closed after it
/// whatever `Connection` says: a response that carries both
/// Transfer-Encoding and Content-Length, or Transfer-Encoding in HTTP/1.0,
/// may be read differently by something in between (RFC 9112, 6.1).
fn framing(
    status: u16,
    version: Version,
    head_request: bool,
    headers: &HeaderMap,
    present: Present,
) -> Result<(Framing, bool), Failure> {
    if head_request || status == 204 || status == 304 {
        return Ok((Framing::Empty, false));
    }
    if present.transfer_encoding
        && let Some(chunked) = chunked_last(headers)
    {
        let must_close =
            version == Version::HTTP_10 || headers.contains_key(http::header::CONTENT_LENGTH);
        return if chunked {
            Ok((Framing::Chunked, must_close))
        } else {
            Ok((Framing::UntilClose, true))
        };
    }
    let length = content_length(headers).map_err(Failure::Protocol)?;
    Ok((
        match length {
            Some(0) => Framing::Empty,
            Some(n) => Framing::Length(n),
            None => Framing::UntilClose,
        },
        false,
    ))
}

/// Runs the response reader over `input` as the server's bytes, delivered
/// `segment` bytes per read, without a runtime: the reads never wait. For
/// the fuzz target; `None` when the response is refused.
#[doc(hidden)]
pub fn read_for_fuzzing(
    input: &[u8],
    segment: usize,
    head_request: bool,
    max_body: usize,
) -> Option<(u16, usize, bool)> {
    let mut conn = Connection::new(Canned::new(input, segment));
    let limits = Limits {
        read_timeout: None,
        max_body,
    };
    run_canned(conn.exchange(b"GET / HTTP/1.1\r\n\r\n", head_request, limits))
        .ok()
        .map(|r| (r.status, r.body.len(), r.reusable))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    const GET: &[u8] = b"GET / HTTP/1.1\r\nhost: x\r\n\r\n";

    fn limits() -> Limits {
        Limits {
            read_timeout: Some(Duration::from_secs(5)),
            max_body: 1024,
        }
    }

    /// Reads up to the end of one request head (the test requests have no
    /// body); false when the client went away first.
    async fn read_request_head(socket: &mut TcpStream) -> bool {
        let mut seen = Vec::new();
        let mut chunk = [0u8; 1024];
        while !seen.ends_with(b"\r\n\r\n") {
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return false,
                Ok(n) => seen.extend_from_slice(&chunk[..n]),
            }
        }
        true
    }

    /// A connection to a server that reads one request head, answers with
    /// each of `replies` in turn (a separate write each) and then closes,
    /// or keeps the socket open when `hold` is set.
    async fn serve(replies: Vec<&'static [u8]>, hold: bool) -> Connection {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            if !read_request_head(&mut socket).await {
                return;
            }
            for reply in replies {
                if socket.write_all(reply).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            if hold {
                tokio::time::sleep(Duration::from_secs(30)).await;
            }
        });
        Connection::new(Stream::Plain(TcpStream::connect(addr).await.unwrap()))
    }

    async fn exchange(replies: Vec<&'static [u8]>) -> Result<Response, Failure> {
        serve(replies, true)
            .await
            .exchange(GET, false, limits())
            .await
    }

    #[tokio::test]
    async fn a_length_delimited_response_keeps_the_connection() {
        let r = exchange(vec![
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhe",
            b"llo",
        ])
        .await
        .unwrap();
        assert_eq!(
            (r.status, &r.body[..], r.reusable),
            (200, &b"hello"[..], true)
        );
        assert_eq!(r.headers["x-a"], "1");
    }

    #[tokio::test]
    async fn header_values_outlive_the_buffer_they_were_read_into() {
        // The second response is read into the connection's buffer after
        // the first one's head, which its values are slices of, was taken.
        // Each reply waits for its request, so that neither arrives early.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let replies: [&[u8]; 2] = [
                b"HTTP/1.1 200 OK\r\nX-A: first\r\nX-A: again\r\nX-Id: 1111\r\nContent-Length: 2\r\n\r\nab",
                b"HTTP/1.1 503 Busy\r\nX-Id: 2222\r\nX-B: second\r\nContent-Length: 2\r\n\r\ncd",
            ];
            for reply in replies {
                if !read_request_head(&mut socket).await {
                    return;
                }
                if socket.write_all(reply).await.is_err() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_secs(30)).await;
        });
        let mut conn = Connection::new(Stream::Plain(TcpStream::connect(addr).await.unwrap()));
        let first = conn.exchange(GET, false, limits()).await.unwrap();
        let second = conn.exchange(GET, false, limits()).await.unwrap();
        let all: Vec<_> = first.headers.get_all("x-a").iter().collect();
        assert_eq!(all, ["first", "again"]);
        assert_eq!(first.headers["x-id"], "1111");
        assert_eq!(&first.body[..], b"ab");
        assert_eq!(second.status, 503);
        assert_eq!(second.headers["x-id"], "2222");
        assert_eq!(second.headers["x-b"], "second");
        assert_eq!(&second.body[..], b"cd");
        assert!(!second.headers.contains_key("x-a"));
    }

    #[tokio::test]
    async fn chunked_bodies_with_extensions_and_trailers() {
        let r = exchange(vec![
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n",
            b"7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n",
        ])
        .await
        .unwrap();
        assert_eq!(&r.body[..], b"hello, world");
        assert!(r.reusable);
    }

    #[tokio::test]
    async fn informational_heads_are_skipped() {
        let r = exchange(vec![
            b"HTTP/1.1 100 Continue\r\n\r\n",
            b"HTTP/1.1 503 Slow Down\r\nContent-Length: 2\r\n\r\nno",
        ])
        .await
        .unwrap();
        assert_eq!((r.status, &r.body[..]), (503, &b"no"[..]));
    }

    #[tokio::test]
    async fn close_delimited_and_http10_bodies_end_the_connection() {
        let mut conn = serve(vec![b"HTTP/1.0 200 OK\r\n\r\nuntil the end"], false).await;
        let r = conn.exchange(GET, false, limits()).await.unwrap();
        assert_eq!(&r.body[..], b"until the end");
        assert!(!r.reusable && conn.is_closed());

        let r = exchange(vec![
            b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        ])
        .await
        .unwrap();
        assert!(!r.reusable);
        let r = exchange(vec![
            b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx",
        ])
        .await
        .unwrap();
        assert!(r.reusable);
    }

    #[tokio::test]
    async fn bytes_after_the_response_make_the_connection_unusable() {
        let r = exchange(vec![
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 200 OK\r\n",
        ])
        .await
        .unwrap();
        assert!(!r.reusable);
    }

    #[tokio::test]
    async fn head_requests_and_204_have_no_body() {
        let mut conn = serve(vec![b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n"], true).await;
        let r = conn
            .exchange(b"HEAD / HTTP/1.1\r\n\r\n", true, limits())
            .await
            .unwrap();
        assert!(r.body.is_empty() && r.reusable);
        let r = exchange(vec![b"HTTP/1.1 204 No Content\r\n\r\n"])
            .await
            .unwrap();
        assert!(r.body.is_empty() && r.reusable);
    }

    #[tokio::test]
    async fn oversized_and_malformed_responses_are_refused() {
        let too_big = exchange(vec![b"HTTP/1.1 200 OK\r\nContent-Length: 1025\r\n\r\n"]).await;
        assert!(matches!(too_big, Err(Failure::TooLarge)), "{too_big:?}");
        let too_big = exchange(vec![
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n401\r\n",
        ])
        .await;
        assert!(matches!(too_big, Err(Failure::TooLarge)), "{too_big:?}");
        for bad in [
            &b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx"[..],
            b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxyz",
            b"NOT HTTP AT ALL\r\n\r\n",
        ] {
            let got = exchange(vec![bad]).await;
            assert!(
                matches!(got, Err(Failure::Protocol(_))),
                "{got:?} for {bad:?}"
            );
        }
        let huge: &'static [u8] = Box::leak(
            [&b"HTTP/1.1 200 OK\r\nX: "[..], &vec![b'a'; MAX_HEAD][..]]
                .concat()
                .into_boxed_slice(),
        );
        let got = exchange(vec![huge]).await;
        assert!(matches!(got, Err(Failure::Protocol(_))), "{got:?}");
    }

    #[tokio::test]
    async fn closing_before_or_during_the_response() {
        let got = serve(vec![], false)
            .await
            .exchange(GET, false, limits())
            .await;
        assert!(
            matches!(got, Err(Failure::ClosedBeforeResponse(_))),
            "{got:?}"
        );
        let got = serve(
            vec![b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"],
            false,
        )
        .await
        .exchange(GET, false, limits())
        .await;
        assert!(
            matches!(got, Err(Failure::ClosedDuringResponse(_))),
            "{got:?}"
        );
        let got = serve(vec![b"HTTP/1.1 200"], false)
            .await
            .exchange(GET, false, limits())
            .await;
        assert!(
            matches!(got, Err(Failure::ClosedDuringResponse(_))),
            "{got:?}"
        );
    }

    #[tokio::test]
    async fn a_silent_server_times_out() {
        let mut conn = serve(
            vec![b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"],
            true,
        )
        .await;
        let quick = Limits {
            read_timeout: Some(Duration::from_millis(100)),
            max_body: 1024,
        };
        let got = conn.exchange(GET, false, quick).await;
        assert!(matches!(got, Err(Failure::Timeout(_))), "{got:?}");
        assert!(
            conn.is_closed(),
            "a failed exchange leaves the connection unusable"
        );
    }

    #[tokio::test]
    async fn idle_connections_closed_by_the_server_are_noticed() {
        let mut open = serve(vec![b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"], true).await;
        open.exchange(GET, false, limits()).await.unwrap();
        assert!(open.is_open());

        let mut closed = serve(vec![b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"], false).await;
        closed.exchange(GET, false, limits()).await.unwrap();
        // The server's FIN arrives shortly after its response.
        let mut noticed = false;
        for _ in 0..200 {
            if !closed.is_open() {
                noticed = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(noticed && closed.is_closed());
    }

    #[test]
    fn how_the_bytes_arrive_changes_nothing() {
        let responses: [&[u8]; 3] = [
            b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world",
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
              5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nT: 1\r\n\r\n",
            b"HTTP/1.0 200 OK\r\n\r\nuntil close",
        ];
        let expected = [
            Some((200, 11, true)),
            Some((200, 11, true)),
            Some((200, 11, false)),
        ];
        for (response, expected) in responses.iter().zip(expected) {
            for segment in 1..=response.len() {
                assert_eq!(
                    read_for_fuzzing(response, segment, false, 1024),
                    expected,
                    "{segment}-byte reads of {:?}",
                    String::from_utf8_lossy(response)
                );
            }
        }
        // Bytes past the response that arrive with it spoil the connection
        // (ones that arrive later are caught by `is_open` before reuse).
        let extra = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcEXTRA";
        assert_eq!(
            read_for_fuzzing(extra, extra.len(), false, 1024),
            Some((200, 3, false))
        );
        assert_eq!(
            read_for_fuzzing(responses[0], 3, false, 10),
            None,
            "over the limit"
        );
        // A body sent after a HEAD request's head is not read, and spoils
        // the connection.
        assert_eq!(
            read_for_fuzzing(responses[0], responses[0].len(), true, 10),
            Some((200, 0, false))
        );
    }

    #[test]
    fn transfer_encoding_framing_follows_rfc_9112() {
        let full = |te: &[u8]| {
            let mut r = b"HTTP/1.1 200 OK\r\n".to_vec();
            r.extend_from_slice(te);
            r.extend_from_slice(b"\r\n5\r\nhello\r\n0\r\n\r\n");
            r
        };
        // Chunked is applied last across two fields: the body is dechunked.
        let two_fields = full(b"Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n");
        assert_eq!(
            read_for_fuzzing(&two_fields, two_fields.len(), false, 1024),
            Some((200, 5, true))
        );
        // Transfer-Encoding beside Content-Length: read as chunked, then closed.
        let both = full(b"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n");
        assert_eq!(
            read_for_fuzzing(&both, both.len(), false, 1024),
            Some((200, 5, false))
        );
    }

    #[tokio::test]
    async fn a_request_larger_than_the_socket_takes_at_once_arrives_whole() {
        // Bytes that differ along the request, so that a part sent twice
        // or skipped shows.
        let request: Vec<u8> = (0..4 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
        let expected = request.clone();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            // Read late, so that the client's first write fills the buffers.
            tokio::time::sleep(Duration::from_millis(50)).await;
            let mut seen = vec![0u8; expected.len()];
            socket.read_exact(&mut seen).await.unwrap();
            socket
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                .await
                .unwrap();
            seen == expected
        });
        let mut conn = Connection::new(Stream::Plain(TcpStream::connect(addr).await.unwrap()));
        let r = conn.exchange(&request, false, limits()).await.unwrap();
        assert_eq!(r.status, 200);
        assert!(server.await.unwrap(), "the server got other bytes");
    }

    #[tokio::test]
    async fn a_server_that_stops_reading_times_out_the_write() {
        // The server accepts and never reads: the kernel buffers fill and
        // the write waits.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let held = listener.accept().await;
            tokio::time::sleep(Duration::from_secs(30)).await;
            drop(held);
        });
        let mut conn = Connection::new(Stream::Plain(TcpStream::connect(addr).await.unwrap()));
        let huge = vec![b'a'; 64 * 1024 * 1024];
        let quick = Limits {
            read_timeout: Some(Duration::from_millis(200)),
            max_body: 1024,
        };
        let got = conn.exchange(&huge, false, quick).await;
        assert!(matches!(got, Err(Failure::Timeout(_))), "{got:?}");
        server.abort();
    }
}
