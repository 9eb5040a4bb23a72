//! From parsed flags to the library's typed inputs.

use awssts::SecretString;
use awssts::model::{
    AssumeRoleInput, AssumeRoleWithSAMLInput, AssumeRoleWithWebIdentityInput, AssumeRootInput,
    DecodeAuthorizationMessageInput, GetAccessKeyInfoInput, GetDelegatedAccessTokenInput,
    GetFederationTokenInput, GetSessionTokenInput, GetWebIdentityTokenInput, PolicyDescriptorType,
    ProvidedContext, Tag,
};

use crate::args::{self, ArgError, member};

type Home<'a> = Option<&'a str>;

fn policy_arns(raw: &[String], home: Home<'_>) -> Result<Vec<PolicyDescriptorType>, ArgError> {
    Ok(args::structure_list("--policy-arns", raw, &["arn"], home)?
        .iter()
        .map(|m| PolicyDescriptorType::default().set_arn(member(m, "arn")))
        .collect())
}

fn tags(raw: &[String], home: Home<'_>) -> Result<Vec<Tag>, ArgError> {
    Ok(
        args::structure_list("--tags", raw, &["Key", "Value"], home)?
            .iter()
            .map(|m| {
                Tag::default()
                    .set_key(member(m, "Key"))
                    .set_value(member(m, "Value"))
            })
            .collect(),
    )
}

fn provided_contexts(raw: &[String], home: Home<'_>) -> Result<Vec<ProvidedContext>, ArgError> {
    Ok(args::structure_list(
        "--provided-contexts",
        raw,
        &["ProviderArn", "ContextAssertion"],
        home,
    )?
    .iter()
    .map(|m| {
        ProvidedContext::default()
            .set_provider_arn(member(m, "ProviderArn"))
            .set_context_assertion(member(m, "ContextAssertion").map(SecretString::from))
    })
    .collect())
}

fn s(flag: &str, raw: &Option<String>, home: Home<'_>) -> Result<Option<String>, ArgError> {
    args::string(flag, raw.as_deref(), home)
}

fn secret(
    flag: &str,
    raw: &Option<String>,
    home: Home<'_>,
) -> Result<Option<SecretString>, ArgError> {
    Ok(s(flag, raw, home)?.map(|v| SecretString::from(v.trim_end_matches(['\n', '\r']))))
}

fn int(flag: &str, raw: &Option<String>, home: Home<'_>) -> Result<Option<i32>, ArgError> {
    args::integer(flag, raw.as_deref(), home)
}

pub fn assume_role(a: super::AssumeRole, home: Home<'_>) -> Result<AssumeRoleInput, ArgError> {
    Ok(AssumeRoleInput::default()
        .set_role_arn(s("--role-arn", &a.role_arn, home)?)
        .set_role_session_name(s("--role-session-name", &a.role_session_name, home)?)
        .set_policy_arns(policy_arns(&a.policy_arns, home)?)
        .set_policy(s("--policy", &a.policy, home)?)
        .set_duration_seconds(int("--duration-seconds", &a.duration_seconds, home)?)
        .set_tags(tags(&a.tags, home)?)
        .set_transitive_tag_keys(args::string_list(
            "--transitive-tag-keys",
            &a.transitive_tag_keys,
            home,
        )?)
        .set_external_id(s("--external-id", &a.external_id, home)?)
        .set_serial_number(s("--serial-number", &a.serial_number, home)?)
        .set_token_code(secret("--token-code", &a.token_code, home)?)
        .set_source_identity(s("--source-identity", &a.source_identity, home)?)
        .set_provided_contexts(provided_contexts(&a.provided_contexts, home)?)
        .set_minimum_session_token_size(int(
            "--minimum-session-token-size",
            &a.minimum_session_token_size,
            home,
        )?))
}

pub fn assume_role_with_saml(
    a: super::AssumeRoleWithSaml,
    home: Home<'_>,
) -> Result<AssumeRoleWithSAMLInput, ArgError> {
    Ok(AssumeRoleWithSAMLInput::default()
        .set_role_arn(s("--role-arn", &a.role_arn, home)?)
        .set_principal_arn(s("--principal-arn", &a.principal_arn, home)?)
        .set_saml_assertion(secret("--saml-assertion", &a.saml_assertion, home)?)
        .set_policy_arns(policy_arns(&a.policy_arns, home)?)
        .set_policy(s("--policy", &a.policy, home)?)
        .set_duration_seconds(int("--duration-seconds", &a.duration_seconds, home)?)
        .set_minimum_session_token_size(int(
            "--minimum-session-token-size",
            &a.minimum_session_token_size,
            home,
        )?))
}

pub fn assume_role_with_web_identity(
    a: super::AssumeRoleWithWebIdentity,
    home: Home<'_>,
) -> Result<AssumeRoleWithWebIdentityInput, ArgError> {
    Ok(AssumeRoleWithWebIdentityInput::default()
        .set_role_arn(s("--role-arn", &a.role_arn, home)?)
        .set_role_session_name(s("--role-session-name", &a.role_session_name, home)?)
        .set_web_identity_token(secret("--web-identity-token", &a.web_identity_token, home)?)
        .set_provider_id(s("--provider-id", &a.provider_id, home)?)
        .set_policy_arns(policy_arns(&a.policy_arns, home)?)
        .set_policy(s("--policy", &a.policy, home)?)
        .set_duration_seconds(int("--duration-seconds", &a.duration_seconds, home)?)
        .set_minimum_session_token_size(int(
            "--minimum-session-token-size",
            &a.minimum_session_token_size,
            home,
        )?))
}

pub fn assume_root(a: super::AssumeRoot, home: Home<'_>) -> Result<AssumeRootInput, ArgError> {
    let task = args::structure(
        "--task-policy-arn",
        a.task_policy_arn.as_deref(),
        &["arn"],
        home,
    )?
    .map(|m| PolicyDescriptorType::default().set_arn(member(&m, "arn")));
    Ok(AssumeRootInput::default()
        .set_target_principal(s("--target-principal", &a.target_principal, home)?)
        .set_task_policy_arn(task)
        .set_duration_seconds(int("--duration-seconds", &a.duration_seconds, home)?)
        .set_minimum_session_token_size(int(
            "--minimum-session-token-size",
            &a.minimum_session_token_size,
            home,
        )?))
}

pub fn decode_authorization_message(
    a: super::DecodeAuthorizationMessage,
    home: Home<'_>,
) -> Result<DecodeAuthorizationMessageInput, ArgError> {
    Ok(
        DecodeAuthorizationMessageInput::default().set_encoded_message(s(
            "--encoded-message",
            &a.encoded_message,
            home,
        )?),
    )
}

pub fn get_access_key_info(
    a: super::GetAccessKeyInfo,
    home: Home<'_>,
) -> Result<GetAccessKeyInfoInput, ArgError> {
    Ok(GetAccessKeyInfoInput::default().set_access_key_id(s(
        "--access-key-id",
        &a.access_key_id,
        home,
    )?))
}

pub fn get_delegated_access_token(
    a: super::GetDelegatedAccessToken,
    home: Home<'_>,
) -> Result<GetDelegatedAccessTokenInput, ArgError> {
    Ok(
        GetDelegatedAccessTokenInput::default().set_trade_in_token(secret(
            "--trade-in-token",
            &a.trade_in_token,
            home,
        )?),
    )
}

pub fn get_federation_token(
    a: super::GetFederationToken,
    home: Home<'_>,
) -> Result<GetFederationTokenInput, ArgError> {
    Ok(GetFederationTokenInput::default()
        .set_name(s("--name", &a.name, home)?)
        .set_policy(s("--policy", &a.policy, home)?)
        .set_policy_arns(policy_arns(&a.policy_arns, home)?)
        .set_duration_seconds(int("--duration-seconds", &a.duration_seconds, home)?)
        .set_tags(tags(&a.tags, home)?)
        .set_minimum_session_token_size(int(
            "--minimum-session-token-size",
            &a.minimum_session_token_size,
            home,
        )?))
}

pub fn get_session_token(
    a: super::GetSessionToken,
    home: Home<'_>,
) -> Result<GetSessionTokenInput, ArgError> {
    Ok(GetSessionTokenInput::default()
        .set_duration_seconds(int("--duration-seconds", &a.duration_seconds, home)?)
        .set_serial_number(s("--serial-number", &a.serial_number, home)?)
        .set_token_code(secret("--token-code", &a.token_code, home)?)
        .set_minimum_session_token_size(int(
            "--minimum-session-token-size",
            &a.minimum_session_token_size,
            home,
        )?))
}

pub fn get_web_identity_token(
    a: super::GetWebIdentityToken,
    home: Home<'_>,
) -> Result<GetWebIdentityTokenInput, ArgError> {
    Ok(GetWebIdentityTokenInput::default()
        .set_audience(args::string_list("--audience", &a.audience, home)?)
        .set_duration_seconds(int("--duration-seconds", &a.duration_seconds, home)?)
        .set_signing_algorithm(s("--signing-algorithm", &a.signing_algorithm, home)?)
        .set_tags(tags(&a.tags, home)?))
}
