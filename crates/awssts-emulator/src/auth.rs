//! Authenticating a signed request as STS does: the signature (header or
//! presigned query) recomputed with the caller's secret, the request time
//! within 15 minutes, temporary credentials checked through their session
//! token and their expiry.

use std::sync::Arc;
use std::time::SystemTime;

use awssts::sigv4::{self, AmzDate, VerifyError, VerifyOptions, VerifyRequest};
use zeroize::Zeroizing;

use crate::clock::unix_seconds;
use crate::config::{Directory, User};
use crate::error::StsError;
use crate::session::{Codec, Session};

/// Who signed a request.
#[derive(Debug, Clone)]
pub(crate) enum Caller {
    /// A user's long-term key.
    User(Arc<User>),
    /// Temporary credentials this emulator issued.
    Session(Box<Session>),
}

impl Caller {
    /// The ARN STS names the caller by.
    pub(crate) fn arn(&self) -> &str {
        match self {
            Caller::User(u) => &u.arn,
            Caller::Session(s) => &s.arn,
        }
    }

    /// The caller's account.
    pub(crate) fn account(&self) -> &str {
        match self {
            Caller::User(u) => &u.account,
            Caller::Session(s) => &s.account,
        }
    }

    /// The UserId GetCallerIdentity returns.
    pub(crate) fn user_id(&self) -> &str {
        match self {
            Caller::User(u) => &u.user_id,
            Caller::Session(s) => &s.user_id,
        }
    }

    /// The session, for temporary credentials.
    pub(crate) fn session(&self) -> Option<&Session> {
        match self {
            Caller::User(_) => None,
            Caller::Session(s) => Some(s),
        }
    }

    /// Whether the caller signs with temporary credentials (so AssumeRole
    /// from it is role chaining).
    pub(crate) fn is_session(&self) -> bool {
        self.session().is_some()
    }
}

enum Secret<'a> {
    Borrowed(&'a str),
    Derived(Zeroizing<String>),
}

impl AsRef<str> for Secret<'_> {
    fn as_ref(&self) -> &str {
        match self {
            Secret::Borrowed(s) => s,
            Secret::Derived(s) => s,
        }
    }
}

const INVALID_TOKEN: &str = "The security token included in the request is invalid.";
const SIGNATURE_MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/// `InvalidClientTokenId` (403).
pub(crate) fn invalid_client_token() -> StsError {
    StsError::sender(403, "InvalidClientTokenId", INVALID_TOKEN)
}

/// `ExpiredToken` (403).
pub(crate) fn expired_token() -> StsError {
    StsError::sender(
        403,
        "ExpiredToken",
        "The security token included in the request is expired",
    )
}

/// Authenticates `req`. `query_token` is the presigned URL's
/// `X-Amz-Security-Token`, decoded, if any.
pub(crate) fn authenticate(
    dir: &Directory,
    codec: &Codec,
    req: &VerifyRequest<'_>,
    query_token: Option<&str>,
    now: SystemTime,
) -> Result<(Caller, String), StsError> {
    let header_token = req
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("x-amz-security-token"))
        .map(|(_, v)| *v);
    let token = header_token.or(query_token);
    let mut caller = None;
    let verified = sigv4::verify(
        req,
        |akid| {
            if let Some(user) = dir.users.get(akid) {
                if token.is_some() {
                    // A long-term key never comes with a session token.
                    return None;
                }
                caller = Some(Caller::User(Arc::clone(user)));
                return Some(Secret::Borrowed(user.secret.expose_secret()));
            }
            let session = codec.open(token?, akid).ok()?;
            caller = Some(Caller::Session(Box::new(session)));
            Some(Secret::Derived(codec.secret_for(akid)))
        },
        now,
        &VerifyOptions::default(),
    )
    .map_err(|e| verify_error(&e))?;
    if verified.scope.service != "sts" {
        return Err(StsError::sender(
            403,
            "SignatureDoesNotMatch",
            "Credential should be scoped to correct service: 'sts'. ",
        ));
    }
    let caller = caller.ok_or_else(invalid_client_token)?;
    if let Some(s) = caller.session()
        && unix_seconds(now) >= s.expires
    {
        return Err(expired_token());
    }
    Ok((caller, verified.scope.region))
}

fn verify_error(e: &VerifyError) -> StsError {
    match e {
        VerifyError::MissingAuthentication => StsError::sender(
            403,
            "MissingAuthenticationToken",
            "Request is missing Authentication Token",
        ),
        VerifyError::UnknownAccessKey { .. } => invalid_client_token(),
        VerifyError::SignatureMismatch { .. } | VerifyError::PayloadHashMismatch => {
            StsError::sender(403, "SignatureDoesNotMatch", SIGNATURE_MISMATCH)
        }
        VerifyError::RequestTimeTooSkewed {
            request_time,
            server_time,
            ..
        } => StsError::sender(
            403,
            "SignatureDoesNotMatch",
            skew_message(request_time, server_time),
        ),
        VerifyError::Expired {
            expired_at,
            server_time,
        } => StsError::sender(
            403,
            "SignatureDoesNotMatch",
            format!(
                "Signature expired: {} is now earlier than {}",
                expired_at.as_str(),
                server_time.as_str()
            ),
        ),
        VerifyError::Canonicalization(inner) => {
            StsError::sender(400, "IncompleteSignature", inner.to_string())
        }
        other => StsError::sender(400, "IncompleteSignature", other.to_string()),
    }
}

/// STS's words for a request signed too far from its clock.
fn skew_message(request: &AmzDate, server: &AmzDate) -> String {
    let window = 15 * 60;
    let (req, now) = (request.unix_seconds(), server.unix_seconds());
    if req < now {
        let edge = AmzDate::from_unix_seconds(now.saturating_sub(window));
        format!(
            "Signature expired: {} is now earlier than {} ({} - 15 min.)",
            request.as_str(),
            edge.as_ref().map_or("", AmzDate::as_str),
            server.as_str()
        )
    } else {
        let edge = AmzDate::from_unix_seconds(now + window);
        format!(
            "Signature not yet current: {} is still later than {} ({} + 15 min.)",
            request.as_str(),
            edge.as_ref().map_or("", AmzDate::as_str),
            server.as_str()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn skew_messages() {
        let req = AmzDate::from_unix_seconds(1_700_000_000).unwrap();
        let now = AmzDate::from_unix_seconds(1_700_000_000 + 3600).unwrap();
        assert_eq!(
            skew_message(&req, &now),
            "Signature expired: 20231114T221320Z is now earlier than 20231114T225820Z (20231114T231320Z - 15 min.)"
        );
        assert!(
            skew_message(&now, &req)
                .starts_with("Signature not yet current: 20231114T231320Z is still later than")
        );
        let _ = UNIX_EPOCH + Duration::from_secs(1);
    }
}
