//! Response bodies: whole, or deliberately broken for faults (a body that
//! stalls after the headers, one cut short of its Content-Length).

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Frame, SizeHint};

/// A response body.
pub(crate) enum Body {
    /// All of it at once.
    Full(Option<Bytes>),
    /// Nothing until the sleep ends, then an error (the connection closes).
    Stall(Pin<Box<tokio::time::Sleep>>),
    /// Some bytes, a pause (so they are flushed), then an error: the client
    /// sees fewer bytes than the Content-Length header promised and the
    /// connection closed.
    Truncated(Option<Bytes>, Pin<Box<tokio::time::Sleep>>),
}

impl Body {
    pub(crate) fn full(bytes: impl Into<Bytes>) -> Body {
        Body::Full(Some(bytes.into()))
    }
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match self.get_mut() {
            Body::Full(b) => Poll::Ready(b.take().map(|d| Ok(Frame::data(d)))),
            Body::Stall(sleep) => match sleep.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(std::io::Error::other(
                    "stall fault: the stall limit passed",
                )))),
                Poll::Pending => Poll::Pending,
            },
            Body::Truncated(b, pause) => match b.take() {
                Some(d) => Poll::Ready(Some(Ok(Frame::data(d)))),
                None => match pause.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(std::io::Error::other(
                        "truncated-body fault: closing early",
                    )))),
                    Poll::Pending => Poll::Pending,
                },
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, Body::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Body::Full(Some(b)) => SizeHint::with_exact(b.len() as u64),
            Body::Full(None) => SizeHint::with_exact(0),
            // The Content-Length header set by the fault is what counts.
            _ => SizeHint::default(),
        }
    }
}
