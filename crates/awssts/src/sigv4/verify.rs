//! Server-side verification of SigV4 requests, header or presigned, by
//! recomputing the signature with the same canonicalization the signer uses.

use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, SystemTime};

use subtle::ConstantTimeEq;

use super::canonical::{self, Header, QueryPair};
use super::encode::{hex32, percent_decode, unhex32};
use super::sign::{signature, string_to_sign};
use super::sink::HashSink;
use super::{ALGORITHM, AmzDate, Error, MAX_PRESIGN_EXPIRY, UNSIGNED_PAYLOAD};

/// A request as a server received it.
#[derive(Clone, Copy)]
pub struct VerifyRequest<'a> {
    /// The HTTP method.
    pub method: &'a str,
    /// The path exactly as received (still percent-encoded).
    pub path: &'a str,
    /// The raw query string without `?`.
    pub query: &'a str,
    /// Every header received, in order, names in any case.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body.
    pub body: &'a [u8],
}

impl fmt::Debug for VerifyRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Headers and query can carry session tokens; bodies, assertions.
        f.debug_struct("VerifyRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("headers", &self.headers.len())
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

/// How strict to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyOptions {
    /// How far the request's time may be from the server's: 15 minutes by
    /// default, as STS allows.
    pub max_skew: Duration,
    /// Normalize the path, as the signer did (true except for S3).
    pub normalize_path: bool,
    /// Double-encode the path, as the signer did (true except for S3).
    pub double_uri_encode: bool,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self {
            max_skew: Duration::from_secs(15 * 60),
            normalize_path: true,
            double_uri_encode: true,
        }
    }
}

/// The `date/region/service` a signature was made for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialScope {
    /// `YYYYMMDD`.
    pub date: String,
    /// The signing region.
    pub region: String,
    /// The signing name of the service.
    pub service: String,
}

/// An authenticated request.
#[derive(Clone, PartialEq, Eq)]
pub struct Verified {
    /// Who signed it.
    pub access_key_id: String,
    /// What for.
    pub scope: CredentialScope,
    /// When it was signed.
    pub request_time: AmzDate,
    /// The `X-Amz-Security-Token` sent (header or query), signed or not.
    /// The caller must check that it belongs to the access key.
    pub session_token: Option<String>,
    /// The signed header names, lowercase.
    pub signed_headers: Vec<String>,
    /// For a presigned URL, when it stops being valid.
    pub expires_at: Option<SystemTime>,
}

impl Verified {
    /// Whether the request came as a presigned URL.
    pub fn is_presigned(&self) -> bool {
        self.expires_at.is_some()
    }
}

impl fmt::Debug for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verified")
            .field("access_key_id", &self.access_key_id)
            .field("scope", &self.scope)
            .field("request_time", &self.request_time)
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "** redacted **"),
            )
            .field("signed_headers", &self.signed_headers)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Why a request was not authenticated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// Neither an `Authorization` header nor `X-Amz-Algorithm` in the query.
    #[error(
        "the request is not signed: it has no Authorization header and no X-Amz-Algorithm query parameter"
    )]
    MissingAuthentication,
    /// The authorization information cannot be parsed.
    #[error("malformed SigV4 authorization: {reason}")]
    Malformed {
        /// What is wrong.
        reason: String,
    },
    /// Another algorithm than `AWS4-HMAC-SHA256`.
    #[error("unsupported signing algorithm {algorithm:?}: only AWS4-HMAC-SHA256 is accepted")]
    UnsupportedAlgorithm {
        /// The algorithm named by the request.
        algorithm: String,
    },
    /// The lookup knows no secret for this access key id.
    #[error("the access key id {access_key_id:?} is not known to this server")]
    UnknownAccessKey {
        /// The access key id the request names.
        access_key_id: String,
    },
    /// The recomputed signature differs.
    #[error(
        "the signature does not match: check the secret access key and how the request is canonicalized"
    )]
    SignatureMismatch {
        /// The string to sign the server computed (it holds no secret), to
        /// compare with the client's.
        string_to_sign: String,
    },
    /// The request was signed too far from the server's time.
    #[error(
        "request time {request_time} is more than {} s away from the server time {server_time}: fix the client's clock",
        max_skew.as_secs()
    )]
    RequestTimeTooSkewed {
        /// The request's `X-Amz-Date`.
        request_time: AmzDate,
        /// The server's time.
        server_time: AmzDate,
        /// The skew allowed.
        max_skew: Duration,
    },
    /// A presigned URL used after its lifetime.
    #[error(
        "the presigned URL expired at {expired_at} (server time {server_time}): presign it again"
    )]
    Expired {
        /// `X-Amz-Date` plus `X-Amz-Expires`.
        expired_at: AmzDate,
        /// The server's time.
        server_time: AmzDate,
    },
    /// A header that must be covered by the signature is not.
    #[error("the {name} header must be signed: add it to SignedHeaders")]
    UnsignedHeader {
        /// The header's name.
        name: &'static str,
    },
    /// `x-amz-content-sha256` does not match the body received.
    #[error("the x-amz-content-sha256 header does not match the SHA-256 of the body received")]
    PayloadHashMismatch,
    /// The request cannot be canonicalized (bad path or query encoding).
    #[error("the request cannot be canonicalized: {0}")]
    Canonicalization(#[from] Error),
}

fn malformed(reason: impl Into<String>) -> VerifyError {
    VerifyError::Malformed {
        reason: reason.into(),
    }
}

/// Everything the signature covers, as parsed from the request.
struct Claimed<'r> {
    access_key_id: String,
    scope_date: String,
    region: String,
    service: String,
    signed_headers: Vec<String>,
    signature: [u8; 32],
    date: AmzDate,
    session_token: Option<Cow<'r, str>>,
    expires: Option<Duration>,
}

fn header_values<'r>(req: &VerifyRequest<'r>, name: &str) -> impl Iterator<Item = &'r str> {
    req.headers
        .iter()
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
}

fn single_header<'r>(req: &VerifyRequest<'r>, name: &str) -> Result<Option<&'r str>, VerifyError> {
    let mut values = header_values(req, name);
    let first = values.next();
    if values.next().is_some() {
        return Err(malformed(format!(
            "the {name} header appears more than once"
        )));
    }
    Ok(first)
}

/// Parses `AKID/YYYYMMDD/region/service/aws4_request`.
fn parse_credential(credential: &str) -> Result<(String, String, String, String), VerifyError> {
    let mut parts = credential.split('/');
    let (Some(akid), Some(date), Some(region), Some(service), Some(term), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(malformed(
            "Credential must be ACCESS_KEY_ID/YYYYMMDD/REGION/SERVICE/aws4_request",
        ));
    };
    if term != "aws4_request" {
        return Err(malformed("the credential scope must end with aws4_request"));
    }
    if akid.is_empty() || region.is_empty() || service.is_empty() {
        return Err(malformed(
            "the credential has an empty access key id, region or service",
        ));
    }
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed("the credential scope date must be YYYYMMDD"));
    }
    Ok((akid.into(), date.into(), region.into(), service.into()))
}

fn parse_signed_headers(list: &str) -> Result<Vec<String>, VerifyError> {
    let names: Vec<String> = list.split(';').map(str::to_ascii_lowercase).collect();
    if names.iter().any(|n| n.is_empty()) {
        return Err(malformed("SignedHeaders has an empty name"));
    }
    if !names.iter().any(|n| n == "host") {
        return Err(VerifyError::UnsignedHeader { name: "host" });
    }
    Ok(names)
}

fn parse_signature(sig: &str) -> Result<[u8; 32], VerifyError> {
    unhex32(sig.as_bytes()).ok_or_else(|| malformed("Signature must be 64 hex digits"))
}

fn parse_header_auth<'r>(
    req: &VerifyRequest<'r>,
    auth: &'r str,
) -> Result<Claimed<'r>, VerifyError> {
    let (algorithm, rest) = auth.trim().split_once(' ').unwrap_or((auth.trim(), ""));
    if algorithm != ALGORITHM {
        return Err(VerifyError::UnsupportedAlgorithm {
            algorithm: algorithm.chars().take(64).collect(),
        });
    }
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for component in rest.split(',') {
        let component = component.trim();
        let (key, value) = component
            .split_once('=')
            .ok_or_else(|| malformed("each Authorization component must be Name=value"))?;
        let slot = match key {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            _ => {
                return Err(malformed(format!(
                    "unknown Authorization component {key:?}"
                )));
            }
        };
        if slot.replace(value).is_some() {
            return Err(malformed(format!("{key} appears more than once")));
        }
    }
    let credential = credential.ok_or_else(|| malformed("Authorization has no Credential"))?;
    let signed = signed.ok_or_else(|| malformed("Authorization has no SignedHeaders"))?;
    let signature = signature.ok_or_else(|| malformed("Authorization has no Signature"))?;
    let (access_key_id, scope_date, region, service) = parse_credential(credential)?;
    let signed_headers = parse_signed_headers(signed)?;
    let date_value = single_header(req, "x-amz-date")?
        .ok_or_else(|| malformed("the request has no X-Amz-Date header"))?;
    if !signed_headers.iter().any(|n| n == "x-amz-date") {
        return Err(VerifyError::UnsignedHeader { name: "x-amz-date" });
    }
    let date = AmzDate::parse(date_value.trim())
        .map_err(|_| malformed("X-Amz-Date must be YYYYMMDDTHHMMSSZ"))?;
    Ok(Claimed {
        access_key_id,
        scope_date,
        region,
        service,
        signed_headers,
        signature: parse_signature(signature)?,
        date,
        session_token: single_header(req, "x-amz-security-token")?.map(Cow::Borrowed),
        expires: None,
    })
}

/// The raw value of each SigV4 query parameter, decoded.
fn query_param<'r>(query: &'r str, name: &str) -> Result<Option<Cow<'r, str>>, VerifyError> {
    let mut found = None;
    for piece in query.split('&') {
        let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
        if k != name {
            continue;
        }
        if found.is_some() {
            return Err(malformed(format!(
                "{name} appears more than once in the query"
            )));
        }
        let decoded = percent_decode(v.as_bytes())
            .map_err(|_| malformed(format!("{name} has broken percent-encoding")))?;
        found = Some(match decoded {
            Cow::Borrowed(_) => Cow::Borrowed(v),
            Cow::Owned(bytes) => Cow::Owned(
                String::from_utf8(bytes).map_err(|_| malformed(format!("{name} is not UTF-8")))?,
            ),
        });
    }
    Ok(found)
}

fn parse_presigned<'r>(query: &'r str, algorithm: &str) -> Result<Claimed<'r>, VerifyError> {
    if algorithm != ALGORITHM {
        return Err(VerifyError::UnsupportedAlgorithm {
            algorithm: algorithm.chars().take(64).collect(),
        });
    }
    let required = |name: &'static str| -> Result<Cow<'r, str>, VerifyError> {
        query_param(query, name)?.ok_or_else(|| malformed(format!("the query has no {name}")))
    };
    let (access_key_id, scope_date, region, service) =
        parse_credential(&required("X-Amz-Credential")?)?;
    let signed_headers = parse_signed_headers(&required("X-Amz-SignedHeaders")?)?;
    let signature = parse_signature(&required("X-Amz-Signature")?)?;
    let date = AmzDate::parse(&required("X-Amz-Date")?)
        .map_err(|_| malformed("X-Amz-Date must be YYYYMMDDTHHMMSSZ"))?;
    let expires: u64 = required("X-Amz-Expires")?
        .parse()
        .map_err(|_| malformed("X-Amz-Expires must be a whole number of seconds"))?;
    if expires == 0 || expires > MAX_PRESIGN_EXPIRY.as_secs() {
        return Err(malformed("X-Amz-Expires must be between 1 and 604800"));
    }
    Ok(Claimed {
        access_key_id,
        scope_date,
        region,
        service,
        signed_headers,
        signature,
        date,
        session_token: query_param(query, "X-Amz-Security-Token")?,
        expires: Some(Duration::from_secs(expires)),
    })
}

/// The headers the client says it signed, in its order, each with every
/// value the request carries for it.
fn signed_headers<'r>(
    req: &VerifyRequest<'r>,
    names: &'r [String],
) -> Result<Vec<Header<'r>>, VerifyError> {
    let mut headers = Vec::with_capacity(names.len() + 2);
    for name in names {
        let before = headers.len();
        headers.extend(header_values(req, name).map(|value| Header {
            name,
            value,
            plain: false,
        }));
        if headers.len() == before {
            return Err(malformed(format!(
                "SignedHeaders names {name:?}, which the request does not have"
            )));
        }
    }
    Ok(headers)
}

/// The payload hash the client must have used.
fn payload_hash(req: &VerifyRequest<'_>, claimed: &Claimed<'_>) -> Result<Vec<u8>, VerifyError> {
    let body_hash = || hex32(&super::sink::sha256(req.body));
    let declared = single_header(req, "x-amz-content-sha256")?;
    match declared {
        Some(h)
            if claimed
                .signed_headers
                .iter()
                .any(|n| n == "x-amz-content-sha256") =>
        {
            let h = h.trim();
            if h == UNSIGNED_PAYLOAD || h.starts_with("STREAMING-") {
                return Ok(h.as_bytes().to_vec());
            }
            if !h.as_bytes().eq_ignore_ascii_case(&body_hash()) {
                return Err(VerifyError::PayloadHashMismatch);
            }
            Ok(h.as_bytes().to_vec())
        }
        _ => Ok(body_hash().to_vec()),
    }
}

fn server_time(now: SystemTime) -> Result<AmzDate, VerifyError> {
    Ok(AmzDate::from_system_time(now)?)
}

/// Authenticates a request.
///
/// `lookup` returns the secret access key for an access key id, or `None`
/// when the id is unknown. Requests are checked in this order: parsed
/// (malformed → error), the key looked up, the signature recomputed and
/// compared in constant time, and only then the time checked (skew for
/// header signatures; validity window for presigned URLs), so that a forger
/// learns nothing about the server's clock.
pub fn verify<F, S>(
    req: &VerifyRequest<'_>,
    lookup: F,
    now: SystemTime,
    options: &VerifyOptions,
) -> Result<Verified, VerifyError>
where
    F: FnOnce(&str) -> Option<S>,
    S: AsRef<str>,
{
    canonical::check_method(req.method)?;
    let claimed = match single_header(req, "authorization")? {
        Some(auth) => parse_header_auth(req, auth)?,
        None => match query_param(req.query, "X-Amz-Algorithm")? {
            Some(algorithm) => parse_presigned(req.query, &algorithm)?,
            None => return Err(VerifyError::MissingAuthentication),
        },
    };
    if claimed.scope_date != claimed.date.date() {
        return Err(malformed(
            "the credential scope date differs from the date of X-Amz-Date",
        ));
    }

    let secret = lookup(&claimed.access_key_id).ok_or_else(|| VerifyError::UnknownAccessKey {
        access_key_id: claimed.access_key_id.chars().take(128).collect(),
    })?;

    let path =
        canonical::canonical_path(req.path, options.normalize_path, options.double_uri_encode)?;
    let mut query = canonical::parse_query(req.query)?;
    if claimed.expires.is_some() {
        query.retain(|(k, _)| &**k != b"X-Amz-Signature");
    }
    canonical::sort_query(&mut query);
    let headers = signed_headers(req, &claimed.signed_headers)?;
    let payload = payload_hash(req, &claimed)?;

    // The canonical request is hashed as it is written, as when signing.
    let check = |query: &[QueryPair<'_>], payload: &[u8]| {
        let mut sink = HashSink::new();
        canonical::write_canonical_request(
            &mut sink,
            req.method,
            &path,
            query,
            &headers,
            &mut String::new(),
            payload,
        );
        let hash = sink.finish();
        let computed = signature(
            secret.as_ref(),
            &claimed.date,
            &claimed.region,
            &claimed.service,
            &hash,
        );
        (bool::from(computed.ct_eq(&claimed.signature)), hash)
    };
    let (mut ok, hash) = check(&query, &payload);
    if !ok && claimed.expires.is_some() {
        // A presigned URL carries no payload hash, and signers differ: the
        // Go SDK and aws-iam-authenticator hash the (empty) body, botocore
        // writes UNSIGNED-PAYLOAD. STS accepts both, so the verifier does.
        let unsigned = UNSIGNED_PAYLOAD.as_bytes();
        // As in `payload_hash`: only a signed header declares the payload.
        let declared = single_header(req, "x-amz-content-sha256")?.is_some()
            && claimed
                .signed_headers
                .iter()
                .any(|n| n == "x-amz-content-sha256");
        if !declared {
            ok = check(&query, unsigned).0;
        }
        if !ok && claimed.session_token.is_some() {
            // Some signers add the token to a presigned URL after signing.
            query.retain(|(k, _)| &**k != b"X-Amz-Security-Token");
            ok = check(&query, &payload).0 || (!declared && check(&query, unsigned).0);
        }
    }
    if !ok {
        return Err(VerifyError::SignatureMismatch {
            string_to_sign: string_to_sign(&claimed.date, &claimed.region, &claimed.service, &hash),
        });
    }

    let server = server_time(now)?;
    let request_time = claimed.date;
    let expires_at = match claimed.expires {
        None => {
            let diff = server.unix_seconds().abs_diff(request_time.unix_seconds());
            if diff > options.max_skew.as_secs() {
                return Err(VerifyError::RequestTimeTooSkewed {
                    request_time,
                    server_time: server,
                    max_skew: options.max_skew,
                });
            }
            None
        }
        Some(lifetime) => {
            if request_time.unix_seconds() > server.unix_seconds() + options.max_skew.as_secs() {
                return Err(VerifyError::RequestTimeTooSkewed {
                    request_time,
                    server_time: server,
                    max_skew: options.max_skew,
                });
            }
            let end = request_time.unix_seconds() + lifetime.as_secs();
            if server.unix_seconds() > end {
                return Err(VerifyError::Expired {
                    expired_at: AmzDate::from_unix_seconds(end)?,
                    server_time: server,
                });
            }
            Some(request_time.to_system_time() + lifetime)
        }
    };

    Ok(Verified {
        access_key_id: claimed.access_key_id,
        scope: CredentialScope {
            date: claimed.scope_date,
            region: claimed.region,
            service: claimed.service,
        },
        request_time,
        session_token: claimed.session_token.map(Cow::into_owned),
        signed_headers: claimed.signed_headers,
        expires_at,
    })
}
