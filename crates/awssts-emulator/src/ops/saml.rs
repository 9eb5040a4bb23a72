//! AssumeRoleWithSAML (unsigned): a role session for the subject of a SAML
//! assertion that lists the role and its provider.

use awssts::model::{AssumeRoleWithSAMLInput, AssumeRoleWithSAMLOutput};

use super::Ctx;
use super::assume_role::{role_duration, role_session};
use super::policy::{check_arn, packed_policy_size};
use crate::error::StsError;
use crate::saml::{self, SamlError};

/// The audiences AWS's SAML endpoint answers to.
const AUDIENCES: &[&str] = &[
    "https://signin.aws.amazon.com/saml",
    "urn:amazon:webservices",
];

fn refused(e: &SamlError) -> StsError {
    let status = if e.code() == "AccessDenied" { 403 } else { 400 };
    StsError::sender(status, e.code(), e.to_string())
}

#[allow(deprecated)] // PackedPolicySize is deprecated by STS, still sent.
pub(super) fn assume_role_with_saml(
    ctx: &Ctx<'_>,
    input: AssumeRoleWithSAMLInput,
) -> Result<AssumeRoleWithSAMLOutput, StsError> {
    let role_arn = input.role_arn.as_deref().unwrap_or_default();
    let principal_arn = input.principal_arn.as_deref().unwrap_or_default();
    check_arn(role_arn)?;
    check_arn(principal_arn)?;
    let encoded = input
        .saml_assertion
        .as_ref()
        .map(|a| a.expose_secret())
        .unwrap_or_default();
    let assertion = saml::parse_base64(encoded).map_err(|e| refused(&e))?;
    assertion
        .check_time(i64::try_from(ctx.unix_now()).unwrap_or(i64::MAX))
        .map_err(|e| refused(&e))?;
    assertion
        .check_audience(AUDIENCES)
        .map_err(|e| refused(&e))?;
    assertion
        .check_role(role_arn, principal_arn)
        .map_err(|e| refused(&e))?;
    let denied = || StsError::access_denied("Not authorized to perform sts:AssumeRoleWithSAML");
    let role = ctx.shared.dir.role(role_arn).ok_or_else(denied)?;
    if !role.saml_providers.is_empty() && !role.saml_providers.iter().any(|p| p == principal_arn) {
        return Err(denied());
    }
    let session_name = assertion.role_session_name.clone().unwrap_or_default();
    let name_ok = (2..=64).contains(&session_name.len())
        && session_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
    if !name_ok {
        return Err(StsError::sender(
            400,
            "InvalidIdentityToken",
            "Invalid SAML response: the RoleSessionName attribute is missing or not 2 to 64 of letters, digits and _+=,.@-",
        ));
    }
    let mut duration = role_duration(&role, input.duration_seconds, false)?;
    if let Some(max) = assertion.session_duration {
        let max = u32::try_from(max.clamp(900, 43200)).unwrap_or(3600);
        duration = duration.min(max);
    }
    let packed = (input.policy.is_some()
        || !input.policy_arns.is_empty()
        || !assertion.principal_tags.is_empty())
    .then(|| {
        packed_policy_size(
            input.policy.as_deref(),
            input.policy_arns.len(),
            &assertion.principal_tags,
        )
    })
    .transpose()?;

    let (mut session, user) = role_session(&role, &session_name);
    session
        .source_identity
        .clone_from(&assertion.source_identity);
    session.tags.clone_from(&assertion.principal_tags);
    session
        .transitive_tag_keys
        .clone_from(&assertion.transitive_tag_keys);
    let provider_name = principal_arn.rsplit('/').next().unwrap_or_default();
    let provider_account = crate::arn::account_of(principal_arn).unwrap_or(&role.account);
    let mut out = AssumeRoleWithSAMLOutput::default();
    out.credentials = Some(ctx.issue(session, duration));
    out.assumed_role_user = Some(user);
    out.packed_policy_size = packed;
    out.subject = Some(assertion.name_id.clone());
    out.subject_type = Some(assertion.subject_type().to_owned());
    out.issuer = Some(assertion.issuer.clone());
    out.audience = assertion
        .audiences
        .iter()
        .find(|a| AUDIENCES.contains(&a.as_str()))
        .cloned();
    out.name_qualifier = Some(saml::name_qualifier(
        &assertion.issuer,
        provider_account,
        provider_name,
    ));
    out.source_identity = assertion.source_identity;
    Ok(out)
}
