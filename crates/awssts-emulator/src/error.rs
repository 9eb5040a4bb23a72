//! STS-style errors: what a handler returns when it refuses a request, and
//! the `<ErrorResponse>` XML it becomes.

use std::borrow::Cow;

use awssts::protocol::{ErrorResponse, encode_error};

/// An error answered to an STS request: HTTP status, STS code, message.
///
/// Messages never carry secrets (keys, tokens, assertions, MFA codes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsError {
    /// The HTTP status.
    pub status: u16,
    /// The STS error code, e.g. `AccessDenied`.
    pub code: Cow<'static, str>,
    /// The message, as STS words it.
    pub message: String,
    /// `Sender` (the caller's fault) or `Receiver` (the service's).
    pub sender: bool,
}

impl StsError {
    /// A caller's error.
    pub fn sender(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        StsError {
            status,
            code: Cow::Borrowed(code),
            message: message.into(),
            sender: true,
        }
    }

    /// A service-side error.
    pub fn receiver(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        StsError {
            status,
            code: Cow::Borrowed(code),
            message: message.into(),
            sender: false,
        }
    }

    /// `AccessDenied` (403).
    pub fn access_denied(message: impl Into<String>) -> Self {
        Self::sender(403, "AccessDenied", message)
    }

    /// STS's refusal of an action on a resource.
    pub fn not_authorized(caller_arn: &str, action: &str, resource: &str) -> Self {
        Self::access_denied(format!(
            "User: {caller_arn} is not authorized to perform: sts:{action} on resource: {resource}"
        ))
    }

    /// `ValidationError` (400).
    pub fn validation(message: impl Into<String>) -> Self {
        Self::sender(400, "ValidationError", message)
    }

    /// `InvalidParameterValue` (400).
    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::sender(400, "InvalidParameterValue", message)
    }

    /// The `<ErrorResponse>` body for this error.
    pub fn to_xml(&self, request_id: &str) -> Vec<u8> {
        let response = ErrorResponse {
            error_type: Some(if self.sender { "Sender" } else { "Receiver" }.to_owned()),
            code: self.code.clone().into_owned(),
            message: Some(self.message.clone()),
            request_id: Some(request_id.to_owned()),
        };
        let mut out = Vec::with_capacity(256 + self.message.len());
        encode_error(&response, &mut out);
        out
    }
}

impl std::fmt::Display for StsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.message)
    }
}

impl std::error::Error for StsError {}
