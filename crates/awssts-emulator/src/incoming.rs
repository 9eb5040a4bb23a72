//! Reading request bodies: at most [`MAX_BODY_BYTES`], within the read
//! timeout, and what to do with the connection when a body is refused.

use std::time::Duration;

use bytes::Bytes;
use http::HeaderMap;
use http::header::{CONNECTION, CONTENT_LENGTH, HeaderValue};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;

use crate::body::Body;
use crate::error::StsError;
use crate::request::MAX_BODY_BYTES;

/// Bodies of refused oversized requests are read and dropped up to this
/// size, so the connection stays usable; beyond it the connection closes.
const DRAIN_LIMIT: u64 = 4 * 1024 * 1024;

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

/// Reads a request body of at most [`MAX_BODY_BYTES`], its declared length
/// taken from `headers`, all of it (and of what is drained) within
/// `timeout`.
pub(crate) async fn read_body(
    headers: &HeaderMap,
    body: Incoming,
    timeout: Duration,
) -> Result<Bytes, Refused> {
    tokio::time::timeout(timeout, read_limited(headers, body))
        .await
        .unwrap_or(Err(Refused::TimedOut))
}

async fn read_limited(headers: &HeaderMap, body: Incoming) -> Result<Bytes, Refused> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        let keep_alive = declared.is_some_and(|n| n <= DRAIN_LIMIT) && drain(body).await;
        return Err(Refused::TooLarge { keep_alive });
    }
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        // Too large (chunked) or the client went away: close either way.
        Err(_) => Err(Refused::TooLarge { keep_alive: false }),
    }
}

/// Reads and drops a body of at most [`DRAIN_LIMIT`] bytes, one frame at a
/// time; `false` when it is longer or the client went away.
async fn drain(mut body: Incoming) -> bool {
    let mut seen: u64 = 0;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return false;
        };
        if let Some(data) = frame.data_ref() {
            seen = seen.saturating_add(data.len() as u64);
            if seen > DRAIN_LIMIT {
                return false;
            }
        }
    }
    true
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

    /// Marks `resp` as the connection's last unless the refused body was
    /// read to its end (what is left of it cannot be told from a request).
    pub(crate) fn close_if_unread(self, resp: &mut http::Response<Body>) {
        if self != (Refused::TooLarge { keep_alive: true }) {
            resp.headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
        }
    }
}
