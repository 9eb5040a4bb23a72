//! GetWebIdentityToken: a JWT about the caller, signed with a key the
//! emulator publishes at `/.well-known/jwks.json`.

use std::time::{Duration, UNIX_EPOCH};

use awssts::model::{GetWebIdentityTokenInput, GetWebIdentityTokenOutput};
use awssts::{DateTime, SecretString};

use super::Ctx;
use super::policy::session_tags;
use crate::error::StsError;
use crate::jwt::{Algorithm, WebIdentityTokenRequest};

pub(super) fn get_web_identity_token(
    ctx: &Ctx<'_>,
    input: GetWebIdentityTokenInput,
) -> Result<GetWebIdentityTokenOutput, StsError> {
    let caller = ctx.caller()?;
    let alg_name = input.signing_algorithm.as_deref().unwrap_or_default();
    let alg = Algorithm::from_name(alg_name).ok_or_else(|| {
        StsError::validation(format!(
            "1 validation error detected: Value '{}' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [ES384, RS256]",
            crate::request::clip(alg_name, 16)
        ))
    })?;
    let now = ctx.unix_now();
    if let (Some(session), Some(seconds)) = (caller.session(), input.duration_seconds)
        && now.saturating_add(u64::try_from(seconds).unwrap_or(0)) > session.expires
    {
        return Err(StsError::sender(
            403,
            "SessionDurationEscalationException",
            "The requested token duration exceeds the remaining duration of the calling session.",
        ));
    }
    let request_tags = session_tags(None, &input.tags, &[])?.tags;
    let principal_tags = caller
        .session()
        .map(|s| s.tags.as_slice())
        .unwrap_or_default();
    let issued = ctx
        .shared
        .signer
        .issue_web_identity_token(
            alg,
            &WebIdentityTokenRequest {
                subject: caller.arn(),
                account: caller.account(),
                region: ctx.region.unwrap_or("us-east-1"),
                audiences: &input.audience,
                now: i64::try_from(now).unwrap_or(i64::MAX),
                duration_seconds: input.duration_seconds.map(i64::from),
                principal_tags,
                request_tags: &request_tags,
            },
        )
        .map_err(|e| {
            let status = if e.code() == "InternalFailure" {
                500
            } else {
                400
            };
            StsError::sender(status, e.code(), e.to_string())
        })?;
    let mut out = GetWebIdentityTokenOutput::default();
    out.web_identity_token = Some(SecretString::new(issued.token));
    out.expiration = Some(DateTime::from_system_time(
        UNIX_EPOCH + Duration::from_secs(u64::try_from(issued.expiration).unwrap_or(0)),
    ));
    Ok(out)
}
