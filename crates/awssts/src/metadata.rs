//! What a call learned about itself: the service's request ids and what the
//! retry loop did.

use std::time::Duration;

/// Response metadata carried by every output and every error of the client.
///
/// `request_id` comes from the `x-amzn-RequestId` header or, when the header
/// is missing, from the XML `RequestId`; the other ids are present only when
/// the service (or a CDN in front of it) sent them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseMetadata {
    /// The service's request id (`x-amzn-RequestId`, or the XML `RequestId`).
    pub request_id: Option<String>,
    /// The extended request id (`x-amz-id-2`), when sent.
    pub extended_request_id: Option<String>,
    /// The CloudFront id (`x-amz-cf-id`), when sent.
    pub cf_id: Option<String>,
    /// How many attempts the call made, the first one included.
    pub attempts: u32,
    /// The total time spent waiting between attempts.
    pub retry_delay: Duration,
}
