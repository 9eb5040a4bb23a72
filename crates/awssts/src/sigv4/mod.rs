//! AWS Signature Version 4, as a pure module: no clock is read, no I/O is
//! done; the signing time is an argument.
//!
//! - [`sign`] adds `Authorization`, `X-Amz-Date` and (when there is a
//!   session token) `X-Amz-Security-Token` headers;
//! - [`presign`] produces the query parameters of a presigned URL, the form
//!   EKS tokens and Vault's AWS auth use for `GetCallerIdentity`;
//! - [`verify`] checks a received request, for servers (the emulator).
//!
//! ```
//! use std::time::{Duration, UNIX_EPOCH};
//! use awssts::sigv4::{self, Payload, SignableRequest, SigningParams};
//!
//! let body = b"Action=GetCallerIdentity&Version=2011-06-15";
//! let headers = [
//!     ("host", "sts.eu-west-1.amazonaws.com"),
//!     ("content-type", "application/x-www-form-urlencoded; charset=utf-8"),
//! ];
//! let request = SignableRequest {
//!     method: "POST",
//!     path: "/",
//!     query: "",
//!     headers: &headers,
//!     payload: Payload::Bytes(body),
//! };
//! let params = SigningParams::new(
//!     "AKIDEXAMPLE",
//!     "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
//!     "eu-west-1",
//!     "sts",
//!     UNIX_EPOCH + Duration::from_secs(1_700_000_000),
//! );
//! let signed = sigv4::sign(&request, &params)?;
//! assert!(signed.authorization().starts_with(
//!     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/eu-west-1/sts/aws4_request, \
//!      SignedHeaders=content-type;host;x-amz-date, Signature="
//! ));
//! for (name, value) in signed.headers() {
//!     // add (name, value) to the outgoing request
//! #   let _ = (name, value);
//! }
//! # Ok::<(), sigv4::Error>(())
//! ```

mod canonical;
mod date;
pub(crate) mod encode;
mod key;
mod sign;
mod sink;
mod verify;

use std::fmt;
use std::time::{Duration, SystemTime};

pub use date::AmzDate;
pub use key::SigningKey;
pub use sign::{PresignedRequest, SigningOutput, canonical_request, presign, sign};
pub use verify::{CredentialScope, Verified, VerifyError, VerifyOptions, VerifyRequest, verify};

/// The only algorithm SigV4 names.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The payload hash that tells the server the body is not signed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// The longest a presigned URL may stay valid: seven days.
pub const MAX_PRESIGN_EXPIRY: Duration = Duration::from_secs(604_800);

/// A request to sign, borrowed from wherever the caller keeps it.
#[derive(Debug, Clone, Copy)]
pub struct SignableRequest<'a> {
    /// The HTTP method, e.g. `POST`.
    pub method: &'a str,
    /// The path as it goes on the wire (already percent-encoded where the
    /// caller encoded it), starting with `/`; empty means `/`.
    pub path: &'a str,
    /// The raw query string, without the leading `?`; may be empty.
    pub query: &'a str,
    /// Header names and values as they will be sent. Every header given is
    /// signed, and a `host` header is required. Repeated names are signed as
    /// one comma-joined value, in the order given.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body, or what stands for it in the signature.
    pub payload: Payload<'a>,
}

/// The payload part of the signature.
#[derive(Clone, Copy)]
pub enum Payload<'a> {
    /// The body itself; its SHA-256 is computed.
    Bytes(&'a [u8]),
    /// A hash (or marker such as `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`)
    /// computed elsewhere, used as given.
    Precomputed(&'a str),
    /// `UNSIGNED-PAYLOAD`: the body is not covered by the signature.
    Unsigned,
}

impl fmt::Debug for Payload<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Bodies can carry secrets (a SAML assertion, a web identity token):
        // show only their size.
        match self {
            Payload::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Payload::Precomputed(h) => write!(f, "Precomputed({h:?})"),
            Payload::Unsigned => f.write_str("Unsigned"),
        }
    }
}

/// Where the session token goes relative to the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SessionTokenMode {
    /// The token is part of what is signed (what STS and most services expect).
    #[default]
    Signed,
    /// The token is added after signing, unsigned (what a few services expect).
    AfterSigning,
}

/// How to canonicalize and what to add; the default suits STS and every
/// service but S3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigningSettings {
    /// Remove `.`/`..` and empty path segments before signing. On by default;
    /// off for S3.
    pub normalize_path: bool,
    /// Percent-encode the (already encoded) path once more. On by default;
    /// off for S3.
    pub double_uri_encode: bool,
    /// Whether the session token is signed.
    pub session_token: SessionTokenMode,
    /// Add an `x-amz-content-sha256` header carrying the payload hash (S3 and
    /// a few others require it). Off by default.
    pub content_sha256_header: bool,
}

impl Default for SigningSettings {
    fn default() -> Self {
        Self {
            normalize_path: true,
            double_uri_encode: true,
            session_token: SessionTokenMode::Signed,
            content_sha256_header: false,
        }
    }
}

impl SigningSettings {
    /// The settings S3 expects: no normalization, no double encoding, and an
    /// `x-amz-content-sha256` header.
    pub fn s3() -> Self {
        Self {
            normalize_path: false,
            double_uri_encode: false,
            session_token: SessionTokenMode::Signed,
            content_sha256_header: true,
        }
    }
}

/// Who signs, for what scope, and when.
#[derive(Clone, Copy)]
pub struct SigningParams<'a> {
    /// The access key id (`AKIA…` or `ASIA…`).
    pub access_key_id: &'a str,
    /// The secret access key. Never printed.
    pub secret_access_key: &'a str,
    /// The session token of temporary credentials. Never printed.
    pub session_token: Option<&'a str>,
    /// The signing region, e.g. `us-east-1`.
    pub region: &'a str,
    /// The signing name of the service, e.g. `sts`.
    pub service: &'a str,
    /// The signing time; sub-second precision is dropped.
    pub time: SystemTime,
    /// Canonicalization settings.
    pub settings: SigningSettings,
}

impl<'a> SigningParams<'a> {
    /// Parameters with long-term credentials and default settings.
    pub fn new(
        access_key_id: &'a str,
        secret_access_key: &'a str,
        region: &'a str,
        service: &'a str,
        time: SystemTime,
    ) -> Self {
        Self {
            access_key_id,
            secret_access_key,
            session_token: None,
            region,
            service,
            time,
            settings: SigningSettings::default(),
        }
    }

    /// The same parameters with a session token.
    pub fn with_session_token(mut self, token: &'a str) -> Self {
        self.session_token = Some(token);
        self
    }

    /// The same parameters with other settings.
    pub fn with_settings(mut self, settings: SigningSettings) -> Self {
        self.settings = settings;
        self
    }
}

impl fmt::Debug for SigningParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningParams")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.session_token.map(|_| "** redacted **"),
            )
            .field("region", &self.region)
            .field("service", &self.service)
            .field("time", &self.time)
            .field("settings", &self.settings)
            .finish()
    }
}

/// The part of a request an encoding error was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestPart {
    /// The URI path.
    Path,
    /// The query string.
    Query,
}

impl fmt::Display for RequestPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RequestPart::Path => "path",
            RequestPart::Query => "query string",
        })
    }
}

/// Why a request could not be signed. No variant carries a secret or a header
/// value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The method is empty or not an HTTP token.
    #[error("invalid HTTP method: it must be a non-empty token such as GET or POST")]
    InvalidMethod,
    /// The path does not start with `/` or holds control characters.
    #[error("invalid request path: {reason}")]
    InvalidPath {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A `%` not followed by two hex digits.
    #[error(
        "broken percent-encoding in the {part} at byte {offset}: '%' must be followed by two hex digits"
    )]
    InvalidPercentEncoding {
        /// Path or query.
        part: RequestPart,
        /// Byte offset of the `%`.
        offset: usize,
    },
    /// A header name that is not an HTTP token (e.g. non-ASCII).
    #[error(
        "invalid header name {name:?}: header names are ASCII letters, digits and !#$%&'*+-.^_`|~"
    )]
    InvalidHeaderName {
        /// The offending name, escaped.
        name: String,
    },
    /// A header value with control characters (its value is not shown).
    #[error("invalid value for header {name:?}: {reason}")]
    InvalidHeaderValue {
        /// The header's name.
        name: String,
        /// What is wrong with the value.
        reason: &'static str,
    },
    /// No `host` header; SigV4 always signs the host.
    #[error("the request has no host header: add one (SigV4 always signs the host)")]
    MissingHost,
    /// A precomputed payload hash that cannot be used.
    #[error(
        "invalid precomputed payload hash: use 64 hex digits or a marker like UNSIGNED-PAYLOAD"
    )]
    InvalidPayloadHash,
    /// A signing time SigV4 cannot express.
    #[error("invalid signing time: {reason}")]
    InvalidTime {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A presigned URL lifetime outside 1 second ..= 7 days.
    #[error(
        "invalid presigned URL lifetime of {seconds} s: it must be between 1 and 604800 seconds (7 days)"
    )]
    InvalidExpiry {
        /// The lifetime asked for, in whole seconds.
        seconds: u64,
    },
    /// An access key id, region or service that would break the credential
    /// scope.
    #[error("invalid {field} for signing: {reason}")]
    InvalidScope {
        /// `access key id`, `region` or `service`.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The request to presign already carries SigV4 query parameters.
    #[error("the query string already has {name}: the request looks presigned already")]
    AlreadyPresigned {
        /// The parameter found.
        name: &'static str,
    },
}
