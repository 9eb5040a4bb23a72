//! AssumeRoleWithWebIdentity (unsigned): a role session for the holder of
//! an OIDC token, checked for form, expiry and, when the role lists them,
//! audience.

use awssts::model::{AssumeRoleWithWebIdentityInput, AssumeRoleWithWebIdentityOutput};

use super::Ctx;
use super::assume_role::{role_duration, role_session};
use super::policy::{check_arn, packed_policy_size};
use crate::error::StsError;
use crate::jwt;

#[allow(deprecated)] // PackedPolicySize is deprecated by STS, still sent.
pub(super) fn assume_role_with_web_identity(
    ctx: &Ctx<'_>,
    input: AssumeRoleWithWebIdentityInput,
) -> Result<AssumeRoleWithWebIdentityOutput, StsError> {
    let role_arn = input.role_arn.as_deref().unwrap_or_default();
    check_arn(role_arn)?;
    let role = ctx.shared.dir.role(role_arn).ok_or_else(|| {
        StsError::access_denied("Not authorized to perform sts:AssumeRoleWithWebIdentity")
    })?;
    let token = input
        .web_identity_token
        .as_ref()
        .map(|t| t.expose_secret())
        .unwrap_or_default();
    let audiences =
        (!role.web_identity_audiences.is_empty()).then_some(role.web_identity_audiences.as_slice());
    let claims = jwt::validate(
        token,
        &jwt::Validation {
            now: i64::try_from(ctx.unix_now()).unwrap_or(i64::MAX),
            audiences,
            own: Some(&ctx.shared.signer),
        },
    )
    .map_err(|e| StsError::sender(400, e.code(), e.to_string()))?;
    let duration = role_duration(&role, input.duration_seconds, false)?;
    let packed = (input.policy.is_some() || !input.policy_arns.is_empty())
        .then(|| packed_policy_size(input.policy.as_deref(), input.policy_arns.len(), &[]))
        .transpose()?;
    let session_name = input.role_session_name.as_deref().unwrap_or_default();
    let (session, user) = role_session(&role, session_name);
    let mut out = AssumeRoleWithWebIdentityOutput::default();
    out.credentials = Some(ctx.issue(session, duration));
    out.subject_from_web_identity_token = Some(claims.sub);
    out.assumed_role_user = Some(user);
    out.packed_policy_size = packed;
    out.provider = Some(
        claims
            .iss
            .strip_prefix("https://")
            .unwrap_or(&claims.iss)
            .to_owned(),
    );
    out.audience = claims.azp.or_else(|| claims.aud.into_iter().next());
    Ok(out)
}
