//! The client's error: one type for everything a call can run into, whose
//! one-line `Display` tells the whole story (operation, what failed, the
//! service's code and message, request id, attempts), and whose `source()`
//! leads to the underlying cause.

use std::fmt;

use crate::credentials::CredentialsError;
use crate::metadata::ResponseMetadata;
use crate::model::{ServiceErrorKind, ValidationError};
use crate::protocol::DecodeError;
use crate::sigv4;
use crate::transport::TransportError;

/// An STS call that did not produce an output.
pub struct Error {
    inner: Box<ErrorInner>,
}

struct ErrorInner {
    operation: &'static str,
    kind: ErrorKind,
    metadata: ResponseMetadata,
    quota_exhausted: bool,
}

/// What went wrong.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input broke a rule of the STS model; nothing was sent.
    Validation(ValidationError),
    /// No credentials to sign with.
    Credentials(CredentialsError),
    /// The request could not be signed (e.g. a clock before 1970).
    Signing(sigv4::Error),
    /// STS answered with an error.
    Service(ServiceError),
    /// STS (or something in front of it) answered with a body that is not
    /// an STS response: an HTML error page, an empty or truncated body.
    Response {
        /// The HTTP status of the response.
        status: u16,
        /// What was wrong with the body, with a short excerpt.
        source: DecodeError,
    },
    /// The request did not get a response: connection, TLS or timeout.
    Transport(TransportError),
    /// The blocking client was used where it cannot block.
    Runtime(&'static str),
}

/// An error answered by STS: its code, message and HTTP status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceError {
    kind: ServiceErrorKind,
    code: String,
    message: Option<String>,
    status: u16,
    error_type: Option<String>,
}

impl ServiceError {
    /// A service error from the decoded `ErrorResponse`.
    pub fn new(
        code: String,
        message: Option<String>,
        status: u16,
        error_type: Option<String>,
    ) -> Self {
        ServiceError {
            kind: ServiceErrorKind::from_code(&code),
            code,
            message,
            status,
            error_type,
        }
    }

    /// The modeled exception, or `Unmodeled` for codes outside the model
    /// (`AccessDenied`, `ValidationError`, `InvalidClientTokenId`, …).
    pub fn kind(&self) -> &ServiceErrorKind {
        &self.kind
    }

    /// The error code as STS sent it.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The message STS sent, if any.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// `Sender` (the request was wrong) or `Receiver` (STS failed).
    pub fn error_type(&self) -> Option<&str> {
        self.error_type.as_deref()
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)?;
        match self.message.as_deref() {
            Some(m) if !m.is_empty() => write!(f, ": {m}")?,
            _ => f.write_str(" (no message)")?,
        }
        write!(f, " (HTTP {})", self.status)
    }
}

impl std::error::Error for ServiceError {}

impl Error {
    pub(crate) fn new(
        operation: &'static str,
        kind: ErrorKind,
        metadata: ResponseMetadata,
    ) -> Self {
        Error {
            inner: Box::new(ErrorInner {
                operation,
                kind,
                metadata,
                quota_exhausted: false,
            }),
        }
    }

    pub(crate) fn with_quota_exhausted(mut self) -> Self {
        self.inner.quota_exhausted = true;
        self
    }

    /// The operation that failed, e.g. `"AssumeRole"`.
    pub fn operation(&self) -> &'static str {
        self.inner.operation
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// Request ids, attempts and retry delay.
    pub fn metadata(&self) -> &ResponseMetadata {
        &self.inner.metadata
    }

    /// The service's request id, when STS answered.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.metadata.request_id.as_deref()
    }

    /// The STS error, when STS answered with one.
    pub fn service_error(&self) -> Option<&ServiceError> {
        match &self.inner.kind {
            ErrorKind::Service(e) => Some(e),
            _ => None,
        }
    }

    /// The STS error code, when STS answered with one.
    pub fn code(&self) -> Option<&str> {
        self.service_error().map(ServiceError::code)
    }

    /// The HTTP status of the last response, when there was one.
    pub fn status(&self) -> Option<u16> {
        match &self.inner.kind {
            ErrorKind::Service(e) => Some(e.status),
            ErrorKind::Response { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether the retry quota ran out before the retries did.
    pub fn retry_quota_exhausted(&self) -> bool {
        self.inner.quota_exhausted
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = self.inner.operation;
        match &self.inner.kind {
            ErrorKind::Validation(e) => {
                return write!(f, "{e} (the request was not sent)");
            }
            ErrorKind::Credentials(e) => write!(f, "{op}: no credentials to sign with: {e}")?,
            ErrorKind::Signing(e) => write!(f, "{op}: cannot sign the request: {e}")?,
            ErrorKind::Service(e) => write!(f, "{op} failed: {e}")?,
            ErrorKind::Response { status, source } => write!(
                f,
                "{op} failed: HTTP {status} with a body that is not an STS response: {source}"
            )?,
            ErrorKind::Transport(e) => write!(f, "{op} failed: {e}")?,
            ErrorKind::Runtime(why) => return write!(f, "{op}: {why}"),
        }
        let m = &self.inner.metadata;
        f.write_str(" [")?;
        match &m.request_id {
            Some(id) => write!(f, "request id {id}, ")?,
            None if matches!(
                self.inner.kind,
                ErrorKind::Service(_) | ErrorKind::Response { .. }
            ) =>
            {
                f.write_str("no request id, ")?
            }
            None => {}
        }
        if m.attempts == 1 {
            f.write_str("1 attempt")?;
        } else {
            write!(f, "{} attempts", m.attempts)?;
        }
        if !m.retry_delay.is_zero() {
            write!(f, ", {:.1?} waiting between them", m.retry_delay)?;
        }
        if self.inner.quota_exhausted {
            f.write_str(", retry quota exhausted")?;
        }
        f.write_str("]")
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("operation", &self.inner.operation)
            .field("kind", &self.inner.kind)
            .field("metadata", &self.inner.metadata)
            .field("retry_quota_exhausted", &self.inner.quota_exhausted)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.inner.kind {
            ErrorKind::Validation(e) => Some(e),
            ErrorKind::Credentials(e) => Some(e),
            ErrorKind::Signing(e) => Some(e),
            ErrorKind::Service(e) => Some(e),
            ErrorKind::Response { source, .. } => Some(source),
            ErrorKind::Transport(e) => Some(e),
            ErrorKind::Runtime(_) => None,
        }
    }
}
