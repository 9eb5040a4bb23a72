//! HTTP/1.1 framing read the same way by the client's response reader and
//! the emulator's request reader: Content-Length, Transfer-Encoding,
//! `Connection`, chunked bodies; and a canned byte stream on which both
//! readers run without a runtime, for their fuzz targets.
//!
//! Not a public interface: it is exported (hidden) for the emulator only.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use bytes::{Buf, Bytes, BytesMut};
use http::header::{CONNECTION, CONTENT_LENGTH, TRANSFER_ENCODING};
use http::{HeaderMap, Version};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The longest chunk-size or trailer line, and the most all trailer fields
/// of a body may take together.
pub const MAX_CHUNK_LINE: usize = 64 * 1024;

/// The Content-Length of a message: `None` without one; an error (its
/// reason) when it is not a number or its values disagree. A list of equal
/// values is one length (RFC 9110, 8.6).
pub fn content_length(headers: &HeaderMap) -> Result<Option<u64>, &'static str> {
    let mut length: Option<u64> = None;
    for value in headers.get_all(CONTENT_LENGTH) {
        for part in value.as_bytes().split(|&b| b == b',') {
            let n = parse_decimal(part.trim_ascii()).ok_or("the Content-Length is not a number")?;
            if length.is_some_and(|l| l != n) {
                return Err("the message has conflicting Content-Lengths");
            }
            length = Some(n);
        }
    }
    Ok(length)
}

fn parse_decimal(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0'))
    })
}

/// Whether the transfer coding applied last (the last one of the last
/// Transfer-Encoding field) is chunked; `None` without the field.
pub fn chunked_last(headers: &HeaderMap) -> Option<bool> {
    let te = headers.get_all(TRANSFER_ENCODING).iter().next_back()?;
    let last = te
        .as_bytes()
        .rsplit(|&b| b == b',')
        .next()
        .map(<[u8]>::trim_ascii)
        .unwrap_or_default();
    Some(last.eq_ignore_ascii_case(b"chunked"))
}

/// Whether the connection stays open after this message: HTTP/1.1 unless
/// `Connection: close`, HTTP/1.0 only with `Connection: keep-alive`.
pub fn keeps_alive(version: Version, headers: &HeaderMap) -> bool {
    let has = |token: &str| {
        headers
            .get_all(CONNECTION)
            .iter()
            .flat_map(|v| v.as_bytes().split(|&b| b == b','))
            .any(|t| t.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
    };
    if version == Version::HTTP_10 {
        has("keep-alive")
    } else {
        !has("close")
    }
}

/// Why a chunked body cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkError {
    /// Longer than the reader's limit.
    TooLarge,
    /// Not chunked coding as RFC 9112 (7.1) has it; the reason.
    Malformed(&'static str),
}

/// Decodes a chunked body from the bytes of a connection as they arrive:
/// each call takes what it can from the front of the buffer and leaves
/// what follows the body (the next message) in place.
#[derive(Debug)]
pub struct Dechunker {
    state: State,
    body: BytesMut,
    max_body: usize,
    /// Trailer bytes seen so far.
    trailer: usize,
    /// Where the search for the current line's CRLF resumes.
    scanned: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Size,
    /// Bytes of the current chunk still to come.
    Data(usize),
    /// The CRLF after a chunk's data.
    DataEnd,
    Trailer,
}

impl Dechunker {
    /// A decoder for a body of at most `max_body` bytes.
    pub fn new(max_body: usize) -> Self {
        Dechunker {
            state: State::Size,
            body: BytesMut::new(),
            max_body,
            trailer: 0,
            scanned: 0,
        }
    }

    /// Takes what it can of the body from `buf`: the whole body once its
    /// end has been taken, `None` while more bytes are needed.
    pub fn advance(&mut self, buf: &mut BytesMut) -> Result<Option<Bytes>, ChunkError> {
        loop {
            match self.state {
                State::Size => {
                    let Some(line) = self.line(buf)? else {
                        return Ok(None);
                    };
                    let size = chunk_size(&line)
                        .ok_or(ChunkError::Malformed("a chunk size is not valid"))?;
                    self.state = if size == 0 {
                        State::Trailer
                    } else if size > self.max_body - self.body.len() {
                        return Err(ChunkError::TooLarge);
                    } else {
                        State::Data(size)
                    };
                }
                State::Data(left) => {
                    let here = left.min(buf.len());
                    if here == 0 {
                        return Ok(None);
                    }
                    self.body.extend_from_slice(&buf[..here]);
                    buf.advance(here);
                    self.state = match left - here {
                        0 => State::DataEnd,
                        left => State::Data(left),
                    };
                }
                State::DataEnd => {
                    if buf.len() < 2 {
                        return Ok(None);
                    }
                    if &buf[..2] != b"\r\n" {
                        return Err(ChunkError::Malformed("a chunk is not followed by CRLF"));
                    }
                    buf.advance(2);
                    self.state = State::Size;
                }
                State::Trailer => {
                    // Trailer fields, up to the empty line: read and ignored.
                    let Some(line) = self.line(buf)? else {
                        return Ok(None);
                    };
                    if line.is_empty() {
                        return Ok(Some(self.body.split().freeze()));
                    }
                    self.trailer += line.len() + 2;
                    if self.trailer > MAX_CHUNK_LINE {
                        return Err(ChunkError::Malformed("the chunked trailer is too large"));
                    }
                }
            }
        }
    }

    /// The CRLF-terminated line at the front of `buf`, without its CRLF,
    /// once it is all there.
    fn line(&mut self, buf: &mut BytesMut) -> Result<Option<Bytes>, ChunkError> {
        let too_long = ChunkError::Malformed("a chunk-size or trailer line is too long");
        match buf[self.scanned..].windows(2).position(|w| w == b"\r\n") {
            Some(at) => {
                let end = self.scanned + at;
                if end > MAX_CHUNK_LINE {
                    return Err(too_long);
                }
                self.scanned = 0;
                let line = buf.split_to(end).freeze();
                buf.advance(2);
                Ok(Some(line))
            }
            // A CRLF that ends within the limit would have been found.
            None if buf.len() >= MAX_CHUNK_LINE + 2 => Err(too_long),
            None => {
                // A CR at the end may be completed by the next byte.
                self.scanned = buf.len().saturating_sub(1);
                Ok(None)
            }
        }
    }
}

/// The size in a chunk-size line (hex digits, then optional extensions).
fn chunk_size(line: &[u8]) -> Option<usize> {
    let digits = line
        .split(|&b| b == b';')
        .next()
        .unwrap_or_default()
        .trim_ascii();
    if digits.is_empty() || digits.len() > 15 {
        return None;
    }
    digits.iter().try_fold(0usize, |n, &b| {
        let d = char::from(b).to_digit(16)?;
        n.checked_mul(16)?.checked_add(d as usize)
    })
}

/// A peer whose whole stream is known: reads hand it out `segment` bytes
/// at a time, then the end of the stream; writes are accepted and dropped.
#[derive(Debug)]
pub struct Canned<'a> {
    input: &'a [u8],
    segment: usize,
}

impl<'a> Canned<'a> {
    /// `input` in reads of `segment` bytes (at least one).
    pub fn new(input: &'a [u8], segment: usize) -> Self {
        Canned {
            input,
            segment: segment.max(1),
        }
    }
}

/// Runs `work`, whose reads (of a [`Canned`] stream) never wait, to its
/// end without a runtime.
///
/// # Panics
///
/// If `work` waits for anything: a bug in the reader it drives.
pub fn run_canned<F: Future>(work: F) -> F::Output {
    let mut work = std::pin::pin!(work);
    match work.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("a read of canned bytes waited"),
    }
}

impl AsyncRead for Canned<'_> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let n = self.segment.min(self.input.len()).min(buf.remaining());
        let (now, rest) = self.input.split_at(n);
        buf.put_slice(now);
        self.input = rest;
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Canned<'_> {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `input` to a dechunker `segment` bytes at a time: the body and
    /// what is left after it, or the error.
    fn dechunk(input: &[u8], segment: usize, max: usize) -> Result<(Bytes, Bytes), ChunkError> {
        let mut d = Dechunker::new(max);
        let mut buf = BytesMut::new();
        for (i, piece) in input.chunks(segment).enumerate() {
            buf.extend_from_slice(piece);
            if let Some(body) = d.advance(&mut buf)? {
                // What was not fed yet follows what is left.
                let fed = ((i + 1) * segment).min(input.len());
                buf.extend_from_slice(&input[fed..]);
                return Ok((body, buf.freeze()));
            }
        }
        Err(ChunkError::Malformed("incomplete"))
    }

    #[test]
    fn chunked_bodies_however_split() {
        let input = b"5;ext=1\r\nhello\r\n7 ; x\r\n, world\r\n0;last\r\nT: 1\r\n\r\nNEXT";
        for segment in 1..=input.len() {
            let (body, rest) = dechunk(input, segment, 64).unwrap();
            assert_eq!((&body[..], &rest[..]), (&b"hello, world"[..], &b"NEXT"[..]));
        }
        assert_eq!(dechunk(input, 3, 11), Err(ChunkError::TooLarge));
        for bad in [
            &b"zz\r\n"[..],
            b"\r\n",
            b"ffffffffffffffffff\r\n",
            b"1\r\nxyz\r\n0\r\n\r\n",
        ] {
            assert!(
                matches!(dechunk(bad, 1, 64), Err(ChunkError::Malformed(m)) if m != "incomplete"),
                "{bad:?}"
            );
        }
        let long = [&b"1;"[..], &vec![b'e'; MAX_CHUNK_LINE][..], b"\r\n"].concat();
        assert!(matches!(
            dechunk(&long, 1, 64),
            Err(ChunkError::Malformed(_))
        ));
        assert!(matches!(
            dechunk(&long, long.len(), 64),
            Err(ChunkError::Malformed(_))
        ));
    }

    #[test]
    fn framing_fields() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut h = HeaderMap::new();
            for (n, v) in pairs {
                h.append(*n, http::HeaderValue::from_static(v));
            }
            h
        };
        assert_eq!(content_length(&headers(&[])), Ok(None));
        assert_eq!(
            content_length(&headers(&[("content-length", "7, 7")])),
            Ok(Some(7))
        );
        assert!(
            content_length(&headers(&[
                ("content-length", "7"),
                ("content-length", "8")
            ]))
            .is_err()
        );
        assert!(content_length(&headers(&[("content-length", "+7")])).is_err());
        assert_eq!(chunked_last(&headers(&[])), None);
        assert_eq!(
            chunked_last(&headers(&[
                ("transfer-encoding", "gzip"),
                ("transfer-encoding", "Chunked")
            ])),
            Some(true)
        );
        assert_eq!(
            chunked_last(&headers(&[("transfer-encoding", "chunked, gzip")])),
            Some(false)
        );
        let mut h = HeaderMap::new();
        assert!(keeps_alive(Version::HTTP_11, &h));
        assert!(!keeps_alive(Version::HTTP_10, &h));
        h.insert(CONNECTION, http::HeaderValue::from_static("Keep-Alive"));
        assert!(keeps_alive(Version::HTTP_10, &h));
        h.insert(CONNECTION, http::HeaderValue::from_static("upgrade, Close"));
        assert!(!keeps_alive(Version::HTTP_11, &h));
    }
}
