//! The flags of each STS operation, for the command-line tables, and the
//! flags structs built from what was parsed.
//!
//! The flag names are the model's member names in kebab case, as the AWS
//! CLI derives them; tests/commands.rs checks them against the model.

use super::{
    AssumeRole, AssumeRoleWithSaml, AssumeRoleWithWebIdentity, AssumeRoot, Command,
    DecodeAuthorizationMessage, GetAccessKeyInfo, GetCallerIdentity, GetDelegatedAccessToken,
    GetFederationToken, GetSessionToken, GetWebIdentityToken,
};
use crate::cmdline::{Check, Flag, Matches};

// Flags several operations share, with the same help.
const ROLE_ARN: Flag = Flag::one("role-arn", "ARN of the role to assume").required();
const POLICY_ARNS: Flag = Flag::many(
    "policy-arns",
    "Managed policies limiting the session: `arn=ARN` (repeatable) or JSON",
);
const POLICY: Flag = Flag::one(
    "policy",
    "Inline session policy, JSON text or `file://policy.json`",
);
const DURATION: Flag = Flag::one("duration-seconds", "Session lifetime in seconds");
const TOKEN_SIZE: Flag = Flag::one(
    "minimum-session-token-size",
    "Smallest session token, in bytes, the caller can handle",
);
const TAGS: Flag = Flag::many("tags", "Session tags: `Key=k,Value=v` (repeatable) or JSON");
const SERIAL_NUMBER: Flag = Flag::one("serial-number", "Serial number or ARN of the MFA device");
const TOKEN_CODE: Flag = Flag::one("token-code", "Current code shown by the MFA device");

pub static ASSUME_ROLE: &[Flag] = &[
    ROLE_ARN,
    Flag::one(
        "role-session-name",
        "Name for this role session (appears in CloudTrail and in the session's ARN)",
    )
    .required(),
    POLICY_ARNS,
    POLICY,
    Flag::one(
        "duration-seconds",
        "Session lifetime in seconds (900 up to the role's maximum)",
    ),
    TAGS,
    Flag::many(
        "transitive-tag-keys",
        "Tag keys that stay with the session through role chaining",
    ),
    Flag::one(
        "external-id",
        "External id the role's trust policy asks third parties for",
    ),
    SERIAL_NUMBER,
    TOKEN_CODE,
    Flag::one(
        "source-identity",
        "Identity that stays attached to the session and sessions made from it",
    ),
    Flag::many(
        "provided-contexts",
        "Context assertions: `ProviderArn=…,ContextAssertion=…` (repeatable) or JSON",
    ),
    TOKEN_SIZE,
];

pub static ASSUME_ROLE_WITH_SAML: &[Flag] = &[
    ROLE_ARN,
    Flag::one("principal-arn", "ARN of the SAML identity provider in IAM").required(),
    Flag::one(
        "saml-assertion",
        "Base64 SAML response from the identity provider (or `file://…`)",
    )
    .required(),
    POLICY_ARNS,
    POLICY,
    DURATION,
    TOKEN_SIZE,
];

pub static ASSUME_ROLE_WITH_WEB_IDENTITY: &[Flag] = &[
    ROLE_ARN,
    Flag::one("role-session-name", "Name for this role session").required(),
    Flag::one(
        "web-identity-token",
        "OIDC or OAuth 2.0 token from the identity provider (or `file://token`)",
    )
    .required(),
    Flag::one(
        "provider-id",
        "OAuth 2.0 provider domain (only for Login with Amazon and Facebook)",
    ),
    POLICY_ARNS,
    POLICY,
    DURATION,
    TOKEN_SIZE,
];

pub static ASSUME_ROOT: &[Flag] = &[
    Flag::one(
        "target-principal",
        "Member account (id) to get a privileged root session for",
    )
    .required(),
    Flag::one(
        "task-policy-arn",
        "The task policy that scopes the root session: `arn=ARN` or JSON",
    )
    .required(),
    Flag::one(
        "duration-seconds",
        "Session lifetime in seconds (at most 900)",
    ),
    TOKEN_SIZE,
];

pub static DECODE_AUTHORIZATION_MESSAGE: &[Flag] = &[Flag::one(
    "encoded-message",
    "The encoded message from an access-denied error",
)
.required()];

pub static GET_ACCESS_KEY_INFO: &[Flag] =
    &[Flag::one("access-key-id", "Access key id to look up (AKIA… or ASIA…)").required()];

pub static GET_CALLER_IDENTITY: &[Flag] = &[
    Flag::switch(
        "presign",
        "Print a presigned GetCallerIdentity URL instead of calling STS",
    ),
    Flag::one(
        "expires-in",
        "How long the presigned URL stays valid, 1 to 604800 seconds",
    )
    .value("SECONDS")
    .requires("presign")
    .default("900")
    .check(Check::Range(1, 604_800)),
];

pub static GET_DELEGATED_ACCESS_TOKEN: &[Flag] = &[Flag::one(
    "trade-in-token",
    "The trade-in token from the delegation request (or `file://…`)",
)
.required()];

pub static GET_FEDERATION_TOKEN: &[Flag] = &[
    Flag::one("name", "Name of the federated user (appears in its ARN)").required(),
    POLICY,
    POLICY_ARNS,
    DURATION,
    TAGS,
    TOKEN_SIZE,
];

pub static GET_SESSION_TOKEN: &[Flag] = &[DURATION, SERIAL_NUMBER, TOKEN_CODE, TOKEN_SIZE];

pub static GET_WEB_IDENTITY_TOKEN: &[Flag] = &[
    Flag::many(
        "audience",
        "Audiences (`aud` claims) of the token, space-separated",
    )
    .required(),
    Flag::one("duration-seconds", "Token lifetime in seconds"),
    Flag::one(
        "signing-algorithm",
        "JWS algorithm the token is signed with (e.g. RS256 or ES384)",
    )
    .required(),
    Flag::many(
        "tags",
        "Claims to add to the token: `Key=k,Value=v` (repeatable) or JSON",
    ),
];

impl Command {
    pub fn from_matches(name: &str, m: &mut Matches) -> Option<Command> {
        Some(match name {
            "assume-role" => Command::AssumeRole(AssumeRole {
                role_arn: m.one("role-arn"),
                role_session_name: m.one("role-session-name"),
                policy_arns: m.many("policy-arns"),
                policy: m.one("policy"),
                duration_seconds: m.one("duration-seconds"),
                tags: m.many("tags"),
                transitive_tag_keys: m.many("transitive-tag-keys"),
                external_id: m.one("external-id"),
                serial_number: m.one("serial-number"),
                token_code: m.one("token-code"),
                source_identity: m.one("source-identity"),
                provided_contexts: m.many("provided-contexts"),
                minimum_session_token_size: m.one("minimum-session-token-size"),
            }),
            "assume-role-with-saml" => Command::AssumeRoleWithSaml(AssumeRoleWithSaml {
                role_arn: m.one("role-arn"),
                principal_arn: m.one("principal-arn"),
                saml_assertion: m.one("saml-assertion"),
                policy_arns: m.many("policy-arns"),
                policy: m.one("policy"),
                duration_seconds: m.one("duration-seconds"),
                minimum_session_token_size: m.one("minimum-session-token-size"),
            }),
            "assume-role-with-web-identity" => {
                Command::AssumeRoleWithWebIdentity(AssumeRoleWithWebIdentity {
                    role_arn: m.one("role-arn"),
                    role_session_name: m.one("role-session-name"),
                    web_identity_token: m.one("web-identity-token"),
                    provider_id: m.one("provider-id"),
                    policy_arns: m.many("policy-arns"),
                    policy: m.one("policy"),
                    duration_seconds: m.one("duration-seconds"),
                    minimum_session_token_size: m.one("minimum-session-token-size"),
                })
            }
            "assume-root" => Command::AssumeRoot(AssumeRoot {
                target_principal: m.one("target-principal"),
                task_policy_arn: m.one("task-policy-arn"),
                duration_seconds: m.one("duration-seconds"),
                minimum_session_token_size: m.one("minimum-session-token-size"),
            }),
            "decode-authorization-message" => {
                Command::DecodeAuthorizationMessage(DecodeAuthorizationMessage {
                    encoded_message: m.one("encoded-message"),
                })
            }
            "get-access-key-info" => Command::GetAccessKeyInfo(GetAccessKeyInfo {
                access_key_id: m.one("access-key-id"),
            }),
            "get-caller-identity" => Command::GetCallerIdentity(GetCallerIdentity {
                presign: m.given("presign"),
                expires_in: m.parsed("expires-in").unwrap_or(900),
            }),
            "get-delegated-access-token" => {
                Command::GetDelegatedAccessToken(GetDelegatedAccessToken {
                    trade_in_token: m.one("trade-in-token"),
                })
            }
            "get-federation-token" => Command::GetFederationToken(GetFederationToken {
                name: m.one("name"),
                policy: m.one("policy"),
                policy_arns: m.many("policy-arns"),
                duration_seconds: m.one("duration-seconds"),
                tags: m.many("tags"),
                minimum_session_token_size: m.one("minimum-session-token-size"),
            }),
            "get-session-token" => Command::GetSessionToken(GetSessionToken {
                duration_seconds: m.one("duration-seconds"),
                serial_number: m.one("serial-number"),
                token_code: m.one("token-code"),
                minimum_session_token_size: m.one("minimum-session-token-size"),
            }),
            "get-web-identity-token" => Command::GetWebIdentityToken(GetWebIdentityToken {
                audience: m.many("audience"),
                duration_seconds: m.one("duration-seconds"),
                signing_algorithm: m.one("signing-algorithm"),
                tags: m.many("tags"),
            }),
            _ => return None,
        })
    }
}
