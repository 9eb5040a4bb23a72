//! From parsed flags to the library's typed inputs.

use awssts::SecretString;
use awssts::model::{
    AssumeRoleInput, AssumeRoleWithSAMLInput, AssumeRoleWithWebIdentityInput, AssumeRootInput,
    DecodeAuthorizationMessageInput, GetAccessKeyInfoInput, GetDelegatedAccessTokenInput,
    GetFederationTokenInput, GetSessionTokenInput, GetWebIdentityTokenInput, PolicyDescriptorType,
    ProvidedContext, Tag,
};

use crate::args::{self, ArgError, member};
use crate::paramfile::Vars;

fn policy_arns(raw: &[String], vars: Vars<'_>) -> Result<Vec<PolicyDescriptorType>, ArgError> {
    Ok(args::structure_list("--policy-arns", raw, &["arn"], vars)?
        .iter()
        .map(|m| PolicyDescriptorType::default().set_arn(member(m, "arn")))
        .collect())
}

fn tags(raw: &[String], vars: Vars<'_>) -> Result<Vec<Tag>, ArgError> {
    Ok(
        args::structure_list("--tags", raw, &["Key", "Value"], vars)?
            .iter()
            .map(|m| {
                Tag::default()
                    .set_key(member(m, "Key"))
                    .set_value(member(m, "Value"))
            })
            .collect(),
    )
}

fn provided_contexts(raw: &[String], vars: Vars<'_>) -> Result<Vec<ProvidedContext>, ArgError> {
    Ok(args::structure_list(
        "--provided-contexts",
        raw,
        &["ProviderArn", "ContextAssertion"],
        vars,
    )?
    .iter()
    .map(|m| {
        ProvidedContext::default()
            .set_provider_arn(member(m, "ProviderArn"))
            .set_context_assertion(member(m, "ContextAssertion").map(SecretString::from))
    })
    .collect())
}

fn s(flag: &str, raw: &Option<String>, vars: Vars<'_>) -> Result<Option<String>, ArgError> {
    args::string(flag, raw.as_deref(), vars)
}

fn secret(
    flag: &str,
    raw: &Option<String>,
    vars: Vars<'_>,
) -> Result<Option<SecretString>, ArgError> {
    // As the AWS CLI, a file's trailing newline is sent with the value.
    Ok(s(flag, raw, vars)?.map(SecretString::from))
}

fn int(flag: &str, raw: &Option<String>, vars: Vars<'_>) -> Result<Option<i32>, ArgError> {
    args::integer(flag, raw.as_deref(), vars)
}

pub fn assume_role(a: super::AssumeRole, vars: Vars<'_>) -> Result<AssumeRoleInput, ArgError> {
    Ok(AssumeRoleInput::default()
        .set_role_arn(s("--role-arn", &a.role_arn, vars)?)
        .set_role_session_name(s("--role-session-name", &a.role_session_name, vars)?)
        .set_policy_arns(policy_arns(&a.policy_arns, vars)?)
        .set_policy(s("--policy", &a.policy, vars)?)
        .set_duration_seconds(int("--duration-seconds", &a.duration_seconds, vars)?)
        .set_tags(tags(&a.tags, vars)?)
        .set_transitive_tag_keys(args::string_list(
            "--transitive-tag-keys",
            &a.transitive_tag_keys,
            vars,
        )?)
        .set_external_id(s("--external-id", &a.external_id, vars)?)
        .set_serial_number(s("--serial-number", &a.serial_number, vars)?)
        .set_token_code(secret("--token-code", &a.token_code, vars)?)
        .set_source_identity(s("--source-identity", &a.source_identity, vars)?)
        .set_provided_contexts(provided_contexts(&a.provided_contexts, vars)?)
        .set_minimum_session_token_size(int(
            "--minimum-session-token-size",
            &a.minimum_session_token_size,
            vars,
        )?))
}

pub fn assume_role_with_saml(
    a: super::AssumeRoleWithSaml,
    vars: Vars<'_>,
) -> Result<AssumeRoleWithSAMLInput, ArgError> {
    Ok(AssumeRoleWithSAMLInput::default()
        .set_role_arn(s("--role-arn", &a.role_arn, vars)?)
        .set_principal_arn(s("--principal-arn", &a.principal_arn, vars)?)
        .set_saml_assertion(secret("--saml-assertion", &a.saml_assertion, vars)?)
        .set_policy_arns(policy_arns(&a.policy_arns, vars)?)
        .set_policy(s("--policy", &a.policy, vars)?)
        .set_duration_seconds(int("--duration-seconds", &a.duration_seconds, vars)?)
        .set_minimum_session_token_size(int(
            "--minimum-session-token-size",
            &a.minimum_session_token_size,
            vars,
        )?))
}

pub fn assume_role_with_web_identity(
    a: super::AssumeRoleWithWebIdentity,
    vars: Vars<'_>,
) -> Result<AssumeRoleWithWebIdentityInput, ArgError> {
    Ok(AssumeRoleWithWebIdentityInput::default()
        .set_role_arn(s("--role-arn", &a.role_arn, vars)?)
        .set_role_session_name(s("--role-session-name", &a.role_session_name, vars)?)
        .set_web_identity_token(secret("--web-identity-token", &a.web_identity_token, vars)?)
        .set_provider_id(s("--provider-id", &a.provider_id, vars)?)
        .set_policy_arns(policy_arns(&a.policy_arns, vars)?)
        .set_policy(s("--policy", &a.policy, vars)?)
        .set_duration_seconds(int("--duration-seconds", &a.duration_seconds, vars)?)
        .set_minimum_session_token_size(int(
            "--minimum-session-token-size",
            &a.minimum_session_token_size,
            vars,
        )?))
}

pub fn assume_root(a: super::AssumeRoot, vars: Vars<'_>) -> Result<AssumeRootInput, ArgError> {
    let task = args::structure(
        "--task-policy-arn",
        a.task_policy_arn.as_deref(),
        &["arn"],
        vars,
    )?
    .map(|m| PolicyDescriptorType::default().set_arn(member(&m, "arn")));
    Ok(AssumeRootInput::default()
        .set_target_principal(s("--target-principal", &a.target_principal, vars)?)
        .set_task_policy_arn(task)
        .set_duration_seconds(int("--duration-seconds", &a.duration_seconds, vars)?)
        .set_minimum_session_token_size(int(
            "--minimum-session-token-size",
            &a.minimum_session_token_size,
            vars,
        )?))
}

pub fn decode_authorization_message(
    a: super::DecodeAuthorizationMessage,
    vars: Vars<'_>,
) -> Result<DecodeAuthorizationMessageInput, ArgError> {
    Ok(
        DecodeAuthorizationMessageInput::default().set_encoded_message(s(
            "--encoded-message",
            &a.encoded_message,
            vars,
        )?),
    )
}

pub fn get_access_key_info(
    a: super::GetAccessKeyInfo,
    vars: Vars<'_>,
) -> Result<GetAccessKeyInfoInput, ArgError> {
    Ok(GetAccessKeyInfoInput::default().set_access_key_id(s(
        "--access-key-id",
        &a.access_key_id,
        vars,
    )?))
}

pub fn get_delegated_access_token(
    a: super::GetDelegatedAccessToken,
    vars: Vars<'_>,
) -> Result<GetDelegatedAccessTokenInput, ArgError> {
    Ok(
        GetDelegatedAccessTokenInput::default().set_trade_in_token(secret(
            "--trade-in-token",
            &a.trade_in_token,
            vars,
        )?),
    )
}

pub fn get_federation_token(
    a: super::GetFederationToken,
    vars: Vars<'_>,
) -> Result<GetFederationTokenInput, ArgError> {
    Ok(GetFederationTokenInput::default()
        .set_name(s("--name", &a.name, vars)?)
        .set_policy(s("--policy", &a.policy, vars)?)
        .set_policy_arns(policy_arns(&a.policy_arns, vars)?)
        .set_duration_seconds(int("--duration-seconds", &a.duration_seconds, vars)?)
        .set_tags(tags(&a.tags, vars)?)
        .set_minimum_session_token_size(int(
            "--minimum-session-token-size",
            &a.minimum_session_token_size,
            vars,
        )?))
}

pub fn get_session_token(
    a: super::GetSessionToken,
    vars: Vars<'_>,
) -> Result<GetSessionTokenInput, ArgError> {
    Ok(GetSessionTokenInput::default()
        .set_duration_seconds(int("--duration-seconds", &a.duration_seconds, vars)?)
        .set_serial_number(s("--serial-number", &a.serial_number, vars)?)
        .set_token_code(secret("--token-code", &a.token_code, vars)?)
        .set_minimum_session_token_size(int(
            "--minimum-session-token-size",
            &a.minimum_session_token_size,
            vars,
        )?))
}

pub fn get_web_identity_token(
    a: super::GetWebIdentityToken,
    vars: Vars<'_>,
) -> Result<GetWebIdentityTokenInput, ArgError> {
    Ok(GetWebIdentityTokenInput::default()
        .set_audience(args::string_list("--audience", &a.audience, vars)?)
        .set_duration_seconds(int("--duration-seconds", &a.duration_seconds, vars)?)
        .set_signing_algorithm(s("--signing-algorithm", &a.signing_algorithm, vars)?)
        .set_tags(tags(&a.tags, vars)?))
}
