//! Reading request bodies: at most [`MAX_BODY_BYTES`], and what to do with
//! the connection when a body is refused.

use bytes::Bytes;
use http::HeaderMap;
use http::header::{CONNECTION, CONTENT_LENGTH, HeaderValue};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;

use crate::body::Body;
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
}

/// Reads a request body of at most [`MAX_BODY_BYTES`], its declared length
/// taken from `headers`.
pub(crate) async fn read_body(headers: &HeaderMap, body: Incoming) -> Result<Bytes, Refused> {
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

/// Marks `resp` as the connection's last when the refused body was not
/// read to its end (what is left of it cannot be told from a request).
pub(crate) fn close_unless(keep_alive: bool, resp: &mut http::Response<Body>) {
    if !keep_alive {
        resp.headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
}
