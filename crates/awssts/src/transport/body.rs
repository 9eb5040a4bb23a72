//! Reading a response body whole, within a size limit and a per-chunk read
//! timeout.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::body::Incoming;

use super::error::{TransportError, TransportErrorKind};
use super::pool::Origin;

/// Reads `body` to its end. A single-chunk body (the usual case for STS
/// responses) is returned without copying; more chunks are gathered into one
/// buffer sized from the Content-Length when there is one.
pub(crate) async fn read_to_end(
    body: &mut Incoming,
    size_hint: Option<u64>,
    limit: usize,
    read_timeout: Option<Duration>,
    origin: &Origin,
) -> Result<Bytes, TransportError> {
    let mut first: Option<Bytes> = None;
    let mut gathered: Option<BytesMut> = None;
    let mut total: usize = 0;
    loop {
        let next = match read_timeout {
            Some(d) => tokio::time::timeout(d, body.frame()).await.map_err(|_| {
                TransportError::new(
                    TransportErrorKind::ReadTimeout,
                    origin.host(),
                    origin.port(),
                )
                .duration(d)
            })?,
            None => body.frame().await,
        };
        let frame = match next {
            None => break,
            Some(Ok(frame)) => frame,
            Some(Err(e)) => {
                return Err(TransportError::from_hyper(e, origin.host(), origin.port()));
            }
        };
        let Ok(data) = frame.into_data() else {
            continue; // trailers carry nothing STS uses
        };
        total = total.saturating_add(data.len());
        if total > limit {
            return Err(too_large(origin, limit));
        }
        match (&mut first, &mut gathered) {
            (None, None) => first = Some(data),
            (Some(head), None) => {
                let hinted = size_hint.map_or(0, |n| usize::try_from(n).unwrap_or(limit));
                let mut buf = BytesMut::with_capacity(hinted.clamp(total, limit));
                buf.extend_from_slice(head);
                buf.extend_from_slice(&data);
                first = None;
                gathered = Some(buf);
            }
            (_, Some(buf)) => buf.extend_from_slice(&data),
        }
    }
    Ok(match (first, gathered) {
        (_, Some(buf)) => buf.freeze(),
        (Some(one), None) => one,
        (None, None) => Bytes::new(),
    })
}

pub(crate) fn too_large(origin: &Origin, limit: usize) -> TransportError {
    TransportError::new(
        TransportErrorKind::BodyTooLarge,
        origin.host(),
        origin.port(),
    )
    .limit(limit)
}
