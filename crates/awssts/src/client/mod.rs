//! The STS client: per-operation request builders over a shared, cheaply
//! cloned client.
//!
//! One call goes: validate the input (nothing is sent if it breaks a model
//! rule) → encode the awsQuery form once → for each attempt: take
//! credentials, sign with clock-skew-corrected time, send through the pooled
//! transport, decode → retry transient failures with backoff, within the
//! retry quota.

mod config;
mod error;
mod fluent;
mod presign;

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::{Instant, SystemTime};

use bytes::Bytes;
use http::HeaderName;

pub use config::{ClientBuilder, ConfigError};
pub use error::{Error, ErrorKind, ServiceError};
pub use presign::{DEFAULT_PRESIGN_EXPIRY, PresignOptions, PresignedUrl};

use crate::credentials::ProvideCredentials;
use crate::endpoint::Endpoint;
use crate::metadata::ResponseMetadata;
use crate::protocol::{self, DecodeError, DecodeErrorKind, Operation};
use crate::retry::{
    self, ClockSkew, Failure, RateLimiter, RetryConfig, RetryKind, RetryMode, RetryQuota,
};
use crate::sigv4::{self, Payload, SignableRequest, SigningParams};
use crate::transport::{
    HttpResponse, Message, Route, Transport, TransportError, TransportErrorKind, is_field_value,
};
use config::{Resolved, Target};

const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";
const USER_AGENT_VALUE: &str = concat!("awssts/", env!("CARGO_PKG_VERSION"));

/// The asynchronous STS client. Cheap to clone; clones share one connection
/// pool, credentials source, retry quota and clock correction.
///
/// Needs a tokio runtime (with I/O and timers enabled) to send requests.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    region: Option<String>,
    endpoint: Endpoint,
    target: Target,
    credentials: Arc<dyn ProvideCredentials>,
    retry: RetryConfig,
    transport: Transport,
    quota: RetryQuota,
    rate_limiter: Option<RateLimiter>,
    clock_skew: ClockSkew,
    started: Instant,
    /// The transport's pool for `target`, once the first request found it.
    route: OnceLock<Route>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("region", &self.inner.region)
            .field("endpoint", &self.inner.endpoint.url)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Settings for a new client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the process environment alone (region,
    /// endpoint, retries), signing with credentials from the AWS CLI's
    /// default chain (environment, profile, web identity, container, IMDS).
    pub fn from_env() -> Result<Client, ConfigError> {
        Client::builder().build()
    }

    pub(crate) fn from_resolved(r: Resolved) -> Client {
        let rate_limiter = (r.retry.mode == RetryMode::Adaptive).then(RateLimiter::new);
        Client {
            inner: Arc::new(Inner {
                region: r.region,
                endpoint: r.endpoint,
                target: r.target,
                credentials: r.credentials,
                retry: r.retry,
                transport: r.transport,
                quota: RetryQuota::default(),
                rate_limiter,
                clock_skew: ClockSkew::new(),
                started: Instant::now(),
                route: OnceLock::new(),
            }),
        }
    }

    /// The resolved endpoint: URL, signing region and name.
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// The transport, e.g. to read its connection statistics or share it.
    pub fn transport(&self) -> &Transport {
        &self.inner.transport
    }

    /// The current clock correction, in milliseconds (service minus local).
    pub fn clock_offset_millis(&self) -> i64 {
        self.inner.clock_skew.offset_millis()
    }

    /// Sends any operation's input. The per-operation builders
    /// (`client.assume_role()…send()`) end up here.
    pub async fn send<I: Operation>(&self, input: I) -> Result<I::Output, Error> {
        self.invoke(&input).await
    }

    async fn invoke<I: Operation>(&self, input: &I) -> Result<I::Output, Error> {
        if let Err(e) = input.validate() {
            return Err(Error::new(
                I::NAME,
                ErrorKind::Validation(e),
                ResponseMetadata::default(),
            ));
        }
        let mut body = Vec::with_capacity(256);
        input.encode_form(&mut body);

        let mut output = None;
        let mut decode = |bytes: &[u8]| {
            let (decoded, xml_request_id) = I::decode_output(bytes)?;
            output = Some(decoded);
            Ok(xml_request_id)
        };
        let call = Call {
            name: I::NAME,
            signed: I::SIGNED,
        };
        let metadata = self.exchange(call, Bytes::from(body), &mut decode).await?;
        match output {
            Some(mut output) => {
                I::set_metadata(&mut output, metadata);
                Ok(output)
            }
            // `exchange` succeeds only after `decode` did.
            None => Err(Error::new(
                I::NAME,
                ErrorKind::Response {
                    status: 200,
                    source: DecodeError::new(DecodeErrorKind::Empty, b""),
                },
                metadata,
            )),
        }
    }

    /// The retry loop: signs, sends, classifies and retries one encoded
    /// request until `decode` accepts a 2xx body or the attempts run out.
    /// Not generic over the operation, so that one copy of it (and of the
    /// transport and signing code it inlines) serves all eleven.
    async fn exchange(
        &self,
        call: Call,
        body: Bytes,
        decode: &mut DecodeBody<'_>,
    ) -> Result<ResponseMetadata, Error> {
        let inner = &*self.inner;
        let name = call.name;
        let mut metadata = ResponseMetadata::default();
        let mut last_retry_cost = None;
        let mut corrected_clock = false;
        loop {
            metadata.attempts += 1;
            if let Some(limiter) = &inner.rate_limiter {
                let wait = limiter.acquire(self.seconds());
                if !wait.is_zero() {
                    tokio::time::sleep(wait).await;
                }
            }
            let (request, sent_at) = match self.build_request(call.signed, &body).await {
                Ok(r) => r,
                Err(kind) => return Err(Error::new(name, kind, metadata)),
            };
            let sent = match self.route() {
                Ok(route) => inner.transport.send_message(route, &request).await,
                Err(e) => Err(e),
            };
            let (kind, server_date) = match sent {
                Ok(response) => {
                    read_ids(&response, &mut metadata);
                    if (200..300).contains(&response.status) {
                        match decode(&response.body) {
                            Ok(xml_request_id) => {
                                if metadata.request_id.is_none() {
                                    metadata.request_id = xml_request_id;
                                }
                                inner.quota.refund(last_retry_cost);
                                if let Some(limiter) = &inner.rate_limiter {
                                    limiter.update(self.seconds(), false);
                                }
                                return Ok(metadata);
                            }
                            Err(source) => (
                                ErrorKind::Response {
                                    status: response.status,
                                    source,
                                },
                                None,
                            ),
                        }
                    } else {
                        let date = response
                            .headers
                            .get(http::header::DATE)
                            .and_then(|v| v.to_str().ok())
                            .and_then(crate::DateTime::parse_http_date)
                            .map(crate::DateTime::to_system_time);
                        (decode_error(&response, &mut metadata), date)
                    }
                }
                Err(e) => (ErrorKind::Transport(e), None),
            };

            let failure = match &kind {
                ErrorKind::Service(e) => Failure::Service {
                    status: e.status(),
                    code: e.code(),
                },
                ErrorKind::Response { status, .. } => Failure::Undecodable { status: *status },
                ErrorKind::Transport(e) => match e.kind() {
                    TransportErrorKind::ConnectTimeout
                    | TransportErrorKind::ReadTimeout
                    | TransportErrorKind::AttemptTimeout => Failure::Timeout,
                    TransportErrorKind::Dns
                    | TransportErrorKind::Connect
                    | TransportErrorKind::ConnectionClosed
                    | TransportErrorKind::Io => Failure::Connection,
                    _ => Failure::Other,
                },
                _ => Failure::Other,
            };
            let retry_kind = retry::classify(name, failure);
            if let Some(limiter) = &inner.rate_limiter {
                limiter.update(self.seconds(), retry_kind == RetryKind::Throttling);
            }
            let fail = |metadata| Error::new(name, kind, metadata);
            match retry_kind {
                RetryKind::NotRetryable => return Err(fail(metadata)),
                RetryKind::ClockSkew => {
                    // Correcting the clock is not a retry in the backoff
                    // sense: the request was refused only for its timestamp,
                    // so it is re-signed and sent once more at once.
                    let adopted = !corrected_clock
                        && server_date.is_some_and(|d| inner.clock_skew.observe(d, sent_at));
                    if !adopted {
                        return Err(fail(metadata));
                    }
                    corrected_clock = true;
                    tracing::debug!(
                        operation = name,
                        offset_ms = inner.clock_skew.offset_millis(),
                        "adopted the service's clock and re-signing"
                    );
                }
                _ => {
                    if metadata.attempts >= inner.retry.max_attempts {
                        return Err(fail(metadata));
                    }
                    if inner.retry.use_quota {
                        match inner.quota.acquire(retry_kind) {
                            Some(cost) => last_retry_cost = Some(cost),
                            None => return Err(fail(metadata).with_quota_exhausted()),
                        }
                    }
                    let delay = inner.retry.backoff(metadata.attempts, retry::jitter());
                    tracing::debug!(
                        operation = name,
                        attempt = metadata.attempts,
                        ?delay,
                        ?retry_kind,
                        "retrying"
                    );
                    metadata.retry_delay += delay;
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    /// The transport's pool for the endpoint, looked up on the first
    /// request and kept (a failed lookup is that request's error).
    fn route(&self) -> Result<&Route, TransportError> {
        let inner = &*self.inner;
        if let Some(route) = inner.route.get() {
            return Ok(route);
        }
        let route = inner.transport.route(&inner.target.uri)?;
        Ok(inner.route.get_or_init(|| route))
    }

    /// Seconds since the client was built, for the adaptive rate limiter.
    fn seconds(&self) -> f64 {
        self.inner.started.elapsed().as_secs_f64()
    }

    /// The request as it goes on the wire, and the time it was signed at
    /// (read once, also as the send time the clock correction compares
    /// the server's date with).
    async fn build_request(
        &self,
        signed: bool,
        body: &Bytes,
    ) -> Result<(Message, SystemTime), ErrorKind> {
        let inner = &*self.inner;
        let target = &inner.target;
        let head = |room: usize| {
            let mut message = Message::start(&http::Method::POST, &target.uri, body.len() + room);
            message.field("host", target.host.as_bytes());
            message.field("content-type", FORM_CONTENT_TYPE.as_bytes());
            message.field("user-agent", USER_AGENT_VALUE.as_bytes());
            message
        };
        if !signed {
            let mut message = head(128);
            message.end(true, body);
            return Ok((message, SystemTime::now()));
        }
        let creds = inner
            .credentials
            .provide_credentials()
            .await
            .map_err(ErrorKind::Credentials)?;
        // Room for the fields above, the date, the Authorization value and
        // the token, so that the buffer is not grown on the way.
        let mut message = head(512 + creds.session_token().map_or(0, str::len));
        let now = SystemTime::now();
        let host = target.host.to_str().unwrap_or_default();
        let signed_headers = [("host", host), ("content-type", FORM_CONTENT_TYPE)];
        let request = SignableRequest {
            method: "POST",
            path: &target.path,
            query: "",
            headers: &signed_headers,
            payload: Payload::Bytes(body),
        };
        let mut params = SigningParams::new(
            creds.access_key_id(),
            creds.secret_access_key(),
            &inner.endpoint.signing_region,
            &inner.endpoint.signing_name,
            inner.clock_skew.corrected(now),
        );
        if let Some(token) = creds.session_token() {
            params = params.with_session_token(token);
        }
        let signed = sigv4::sign(&request, &params).map_err(ErrorKind::Signing)?;
        for (name, value) in signed.headers() {
            if !is_field_value(value.as_bytes()) {
                return Err(ErrorKind::Credentials(
                    crate::credentials::CredentialsError::new(
                        creds.provider_name(),
                        "the session token contains characters not allowed in an HTTP header",
                    ),
                ));
            }
            message.field(header_name(name).as_str(), value.as_bytes());
        }
        message.end(true, body);
        Ok((message, now))
    }
}

/// Decodes a 2xx body into the caller's output slot; returns the XML
/// request id.
type DecodeBody<'a> = dyn FnMut(&[u8]) -> Result<Option<String>, DecodeError> + Send + 'a;

/// What the retry loop needs to know of the operation it sends.
#[derive(Clone, Copy)]
struct Call {
    name: &'static str,
    signed: bool,
}

/// The names `SigningOutput::headers` yields, as `http` constants (their
/// canonical spelling there has capitals, which `from_static` refuses).
fn header_name(name: &'static str) -> http::HeaderName {
    match name {
        "Authorization" => http::header::AUTHORIZATION,
        "X-Amz-Date" => http::HeaderName::from_static("x-amz-date"),
        "X-Amz-Security-Token" => http::HeaderName::from_static("x-amz-security-token"),
        other => http::HeaderName::from_bytes(other.as_bytes())
            .unwrap_or_else(|_| http::HeaderName::from_static("x-amz-unknown")),
    }
}

// Compared as `HeaderName`s rather than `&str`: a string is parsed and
// lower-cased on every comparison.
const REQUEST_ID: HeaderName = HeaderName::from_static("x-amzn-requestid");
const EXTENDED_REQUEST_ID: HeaderName = HeaderName::from_static("x-amz-id-2");
const CF_ID: HeaderName = HeaderName::from_static("x-amz-cf-id");

/// The ids the service put in the response's headers: each one's first
/// value, when it is visible ASCII (what `HeaderMap::get` and `to_str`
/// give). One pass over the few fields of a response costs less than
/// hashing each name for a lookup.
fn read_ids(response: &HttpResponse, metadata: &mut ResponseMetadata) {
    let (mut request_id, mut extended, mut cf) = (None, None, None);
    for (name, value) in &response.headers {
        let slot = if *name == REQUEST_ID {
            &mut request_id
        } else if *name == EXTENDED_REQUEST_ID {
            &mut extended
        } else if *name == CF_ID {
            &mut cf
        } else {
            continue;
        };
        slot.get_or_insert(value);
    }
    let text = |v: Option<&http::HeaderValue>| v.and_then(|v| v.to_str().ok()).map(str::to_owned);
    metadata.request_id = text(request_id);
    metadata.extended_request_id = text(extended);
    metadata.cf_id = text(cf);
}

fn decode_error(response: &HttpResponse, metadata: &mut ResponseMetadata) -> ErrorKind {
    match protocol::decode_error(&response.body) {
        Ok(e) => {
            if metadata.request_id.is_none() {
                metadata.request_id = e.request_id;
            }
            ErrorKind::Service(ServiceError::new(
                e.code,
                e.message,
                response.status,
                e.error_type,
            ))
        }
        Err(source) => ErrorKind::Response {
            status: response.status,
            source,
        },
    }
}

/// A request being built: the client it will be sent through and the
/// operation's input. Created by the client's per-operation methods
/// (`client.assume_role()`); each setter returns the builder.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct RequestBuilder<C, I> {
    client: C,
    input: I,
}

impl<C, I: Default> RequestBuilder<C, I> {
    pub(crate) fn new(client: C) -> Self {
        RequestBuilder {
            client,
            input: I::default(),
        }
    }
}

impl<C, I> RequestBuilder<C, I> {
    /// The input as built so far.
    pub fn as_input(&self) -> &I {
        &self.input
    }

    /// Replaces the whole input, e.g. with one built elsewhere.
    pub fn set_input(mut self, input: I) -> Self {
        self.input = input;
        self
    }

    /// Applies one change to the input; the generated setters go through here.
    pub(crate) fn map_input(mut self, f: impl FnOnce(I) -> I) -> Self {
        self.input = f(self.input);
        self
    }
}

impl<C, I> RequestBuilder<C, I> {
    pub(crate) fn into_parts(self) -> (C, I) {
        (self.client, self.input)
    }
}

impl<I: Operation> RequestBuilder<Client, I> {
    /// Validates, signs and sends the request, retrying transient failures.
    pub async fn send(self) -> Result<I::Output, Error> {
        self.client.invoke(&self.input).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn ids_are_each_headers_first_value_when_it_is_text() {
        let mut headers = http::HeaderMap::new();
        headers.append("content-type", HeaderValue::from_static("text/xml"));
        headers.append(&CF_ID, HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap());
        headers.append(&EXTENDED_REQUEST_ID, HeaderValue::from_static("ext-1"));
        headers.append(&REQUEST_ID, HeaderValue::from_static("req-1"));
        headers.append(&REQUEST_ID, HeaderValue::from_static("req-2"));
        headers.append(&EXTENDED_REQUEST_ID, HeaderValue::from_static("ext-2"));
        headers.append(&CF_ID, HeaderValue::from_static("cf-2"));
        let response = HttpResponse {
            status: 200,
            headers,
            body: Bytes::new(),
        };
        let mut metadata = ResponseMetadata::default();
        read_ids(&response, &mut metadata);
        assert_eq!(metadata.request_id.as_deref(), Some("req-1"));
        assert_eq!(metadata.extended_request_id.as_deref(), Some("ext-1"));
        // The first value is not visible ASCII: none, not the second.
        assert_eq!(metadata.cf_id, None);

        let empty = HttpResponse {
            status: 200,
            headers: http::HeaderMap::new(),
            body: Bytes::new(),
        };
        metadata.request_id = Some("stale".into());
        read_ids(&empty, &mut metadata);
        assert_eq!(metadata.request_id, None);
    }
}
