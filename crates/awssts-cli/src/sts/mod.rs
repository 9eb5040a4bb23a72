//! The STS operations, one subcommand each, named and flagged as in the AWS
//! CLI (`aws sts assume-role --role-arn … --role-session-name …`).

mod doc;
mod input;

use awssts::Client;
use awssts::model::Credentials;
use clap::{Args, Subcommand};

use crate::args::ArgError;
use crate::output::doc::Doc;
pub use doc::ToDoc;

/// What one operation returned, ready to print.
pub struct Outcome {
    /// The response as the AWS CLI's JSON document.
    pub doc: Doc,
    /// The temporary credentials, for `--output env`.
    pub credentials: Option<Credentials>,
    /// Request id, attempts and retry delay (shown with `--debug`).
    pub metadata: awssts::metadata::ResponseMetadata,
}

// The flag names are the model's member names in kebab case, as the AWS CLI
// derives them; tests/commands.rs checks them against the model.

/// Flags of `assume-role`.
#[derive(Args)]
pub struct AssumeRole {
    /// ARN of the role to assume.
    #[arg(long, required = true)]
    pub role_arn: Option<String>,
    /// Name for this role session (appears in CloudTrail and in the session's ARN).
    #[arg(long, required = true)]
    pub role_session_name: Option<String>,
    /// Managed policies limiting the session: `arn=ARN` (repeatable) or JSON.
    #[arg(long, num_args = 1..)]
    pub policy_arns: Vec<String>,
    /// Inline session policy, JSON text or `file://policy.json`.
    #[arg(long)]
    pub policy: Option<String>,
    /// Session lifetime in seconds (900 up to the role's maximum).
    #[arg(long)]
    pub duration_seconds: Option<String>,
    /// Session tags: `Key=k,Value=v` (repeatable) or JSON.
    #[arg(long, num_args = 1..)]
    pub tags: Vec<String>,
    /// Tag keys that stay with the session through role chaining.
    #[arg(long, num_args = 1..)]
    pub transitive_tag_keys: Vec<String>,
    /// External id the role's trust policy asks third parties for.
    #[arg(long)]
    pub external_id: Option<String>,
    /// Serial number or ARN of the MFA device.
    #[arg(long)]
    pub serial_number: Option<String>,
    /// Current code shown by the MFA device.
    #[arg(long)]
    pub token_code: Option<String>,
    /// Identity that stays attached to the session and sessions made from it.
    #[arg(long)]
    pub source_identity: Option<String>,
    /// Context assertions: `ProviderArn=…,ContextAssertion=…` (repeatable) or JSON.
    #[arg(long, num_args = 1..)]
    pub provided_contexts: Vec<String>,
    /// Smallest session token, in bytes, the caller can handle.
    #[arg(long)]
    pub minimum_session_token_size: Option<String>,
}

/// Flags of `assume-role-with-saml`.
#[derive(Args)]
pub struct AssumeRoleWithSaml {
    /// ARN of the role to assume.
    #[arg(long, required = true)]
    pub role_arn: Option<String>,
    /// ARN of the SAML identity provider in IAM.
    #[arg(long, required = true)]
    pub principal_arn: Option<String>,
    /// Base64 SAML response from the identity provider (or `file://…`).
    #[arg(long, required = true)]
    pub saml_assertion: Option<String>,
    /// Managed policies limiting the session: `arn=ARN` (repeatable) or JSON.
    #[arg(long, num_args = 1..)]
    pub policy_arns: Vec<String>,
    /// Inline session policy, JSON text or `file://policy.json`.
    #[arg(long)]
    pub policy: Option<String>,
    /// Session lifetime in seconds.
    #[arg(long)]
    pub duration_seconds: Option<String>,
    /// Smallest session token, in bytes, the caller can handle.
    #[arg(long)]
    pub minimum_session_token_size: Option<String>,
}

/// Flags of `assume-role-with-web-identity`.
#[derive(Args)]
pub struct AssumeRoleWithWebIdentity {
    /// ARN of the role to assume.
    #[arg(long, required = true)]
    pub role_arn: Option<String>,
    /// Name for this role session.
    #[arg(long, required = true)]
    pub role_session_name: Option<String>,
    /// OIDC or OAuth 2.0 token from the identity provider (or `file://token`).
    #[arg(long, required = true)]
    pub web_identity_token: Option<String>,
    /// OAuth 2.0 provider domain (only for Login with Amazon and Facebook).
    #[arg(long)]
    pub provider_id: Option<String>,
    /// Managed policies limiting the session: `arn=ARN` (repeatable) or JSON.
    #[arg(long, num_args = 1..)]
    pub policy_arns: Vec<String>,
    /// Inline session policy, JSON text or `file://policy.json`.
    #[arg(long)]
    pub policy: Option<String>,
    /// Session lifetime in seconds.
    #[arg(long)]
    pub duration_seconds: Option<String>,
    /// Smallest session token, in bytes, the caller can handle.
    #[arg(long)]
    pub minimum_session_token_size: Option<String>,
}

/// Flags of `assume-root`.
#[derive(Args)]
pub struct AssumeRoot {
    /// Member account (id) to get a privileged root session for.
    #[arg(long, required = true)]
    pub target_principal: Option<String>,
    /// The task policy that scopes the root session: `arn=ARN` or JSON.
    #[arg(long, required = true)]
    pub task_policy_arn: Option<String>,
    /// Session lifetime in seconds (at most 900).
    #[arg(long)]
    pub duration_seconds: Option<String>,
    /// Smallest session token, in bytes, the caller can handle.
    #[arg(long)]
    pub minimum_session_token_size: Option<String>,
}

/// Flags of `decode-authorization-message`.
#[derive(Args)]
pub struct DecodeAuthorizationMessage {
    /// The encoded message from an access-denied error.
    #[arg(long, required = true)]
    pub encoded_message: Option<String>,
}

/// Flags of `get-access-key-info`.
#[derive(Args)]
pub struct GetAccessKeyInfo {
    /// Access key id to look up (AKIA… or ASIA…).
    #[arg(long, required = true)]
    pub access_key_id: Option<String>,
}

/// Flags of `get-caller-identity` (the operation takes none; `--presign`
/// is an awssts addition, not a model member).
#[derive(Args)]
pub struct GetCallerIdentity {
    /// Print a presigned GetCallerIdentity URL instead of calling STS.
    #[arg(long)]
    pub presign: bool,
    /// How long the presigned URL stays valid, 1 to 604800 seconds.
    #[arg(long, value_name = "SECONDS", requires = "presign", default_value_t = 900,
          value_parser = clap::value_parser!(u64).range(1..=604_800))]
    pub expires_in: u64,
}

/// Flags of `get-delegated-access-token`.
#[derive(Args)]
pub struct GetDelegatedAccessToken {
    /// The trade-in token from the delegation request (or `file://…`).
    #[arg(long, required = true)]
    pub trade_in_token: Option<String>,
}

/// Flags of `get-federation-token`.
#[derive(Args)]
pub struct GetFederationToken {
    /// Name of the federated user (appears in its ARN).
    #[arg(long, required = true)]
    pub name: Option<String>,
    /// Inline session policy, JSON text or `file://policy.json`.
    #[arg(long)]
    pub policy: Option<String>,
    /// Managed policies limiting the session: `arn=ARN` (repeatable) or JSON.
    #[arg(long, num_args = 1..)]
    pub policy_arns: Vec<String>,
    /// Session lifetime in seconds.
    #[arg(long)]
    pub duration_seconds: Option<String>,
    /// Session tags: `Key=k,Value=v` (repeatable) or JSON.
    #[arg(long, num_args = 1..)]
    pub tags: Vec<String>,
    /// Smallest session token, in bytes, the caller can handle.
    #[arg(long)]
    pub minimum_session_token_size: Option<String>,
}

/// Flags of `get-session-token`.
#[derive(Args)]
pub struct GetSessionToken {
    /// Session lifetime in seconds.
    #[arg(long)]
    pub duration_seconds: Option<String>,
    /// Serial number or ARN of the MFA device.
    #[arg(long)]
    pub serial_number: Option<String>,
    /// Current code shown by the MFA device.
    #[arg(long)]
    pub token_code: Option<String>,
    /// Smallest session token, in bytes, the caller can handle.
    #[arg(long)]
    pub minimum_session_token_size: Option<String>,
}

/// Flags of `get-web-identity-token`.
#[derive(Args)]
pub struct GetWebIdentityToken {
    /// Audiences (`aud` claims) of the token, space-separated.
    #[arg(long, num_args = 1.., required = true)]
    pub audience: Vec<String>,
    /// Token lifetime in seconds.
    #[arg(long)]
    pub duration_seconds: Option<String>,
    /// JWS algorithm the token is signed with (e.g. RS256 or ES384).
    #[arg(long, required = true)]
    pub signing_algorithm: Option<String>,
    /// Claims to add to the token: `Key=k,Value=v` (repeatable) or JSON.
    #[arg(long, num_args = 1..)]
    pub tags: Vec<String>,
}

/// The STS operations.
#[derive(Subcommand)]
pub enum Command {
    /// Get temporary credentials for an IAM role (signed with your credentials).
    AssumeRole(AssumeRole),
    /// Get temporary credentials for a role with a SAML assertion (unsigned).
    #[command(name = "assume-role-with-saml")]
    AssumeRoleWithSaml(AssumeRoleWithSaml),
    /// Get temporary credentials for a role with an OIDC token (unsigned).
    AssumeRoleWithWebIdentity(AssumeRoleWithWebIdentity),
    /// Get a short, task-scoped root session for a member account.
    AssumeRoot(AssumeRoot),
    /// Decode the details of an encoded access-denied message.
    DecodeAuthorizationMessage(DecodeAuthorizationMessage),
    /// Show the account that owns an access key id.
    GetAccessKeyInfo(GetAccessKeyInfo),
    /// Show who the credentials in use belong to.
    GetCallerIdentity(GetCallerIdentity),
    /// Exchange a trade-in token for delegated credentials.
    GetDelegatedAccessToken(GetDelegatedAccessToken),
    /// Get temporary credentials for a federated user.
    GetFederationToken(GetFederationToken),
    /// Get temporary credentials for your IAM user, with MFA if given.
    GetSessionToken(GetSessionToken),
    /// Get a signed JSON web token identifying you to outside services.
    GetWebIdentityToken(GetWebIdentityToken),
}

impl Command {
    /// Whether the operation's response carries credentials (for `--output env`).
    pub fn returns_credentials(&self) -> bool {
        !matches!(
            self,
            Command::DecodeAuthorizationMessage(_)
                | Command::GetAccessKeyInfo(_)
                | Command::GetCallerIdentity(_)
                | Command::GetWebIdentityToken(_)
        )
    }

    /// The subcommand's name.
    pub fn name(&self) -> &'static str {
        match self {
            Command::AssumeRole(_) => "assume-role",
            Command::AssumeRoleWithSaml(_) => "assume-role-with-saml",
            Command::AssumeRoleWithWebIdentity(_) => "assume-role-with-web-identity",
            Command::AssumeRoot(_) => "assume-root",
            Command::DecodeAuthorizationMessage(_) => "decode-authorization-message",
            Command::GetAccessKeyInfo(_) => "get-access-key-info",
            Command::GetCallerIdentity(_) => "get-caller-identity",
            Command::GetDelegatedAccessToken(_) => "get-delegated-access-token",
            Command::GetFederationToken(_) => "get-federation-token",
            Command::GetSessionToken(_) => "get-session-token",
            Command::GetWebIdentityToken(_) => "get-web-identity-token",
        }
    }

    /// Builds the typed input (no I/O beyond `file://` reads) so that
    /// argument errors surface before any configuration is loaded.
    pub fn into_request(self, vars: crate::paramfile::Vars<'_>) -> Result<Request, ArgError> {
        Ok(match self {
            Command::AssumeRole(a) => Request::AssumeRole(input::assume_role(a, vars)?),
            Command::AssumeRoleWithSaml(a) => {
                Request::AssumeRoleWithSaml(input::assume_role_with_saml(a, vars)?)
            }
            Command::AssumeRoleWithWebIdentity(a) => {
                Request::AssumeRoleWithWebIdentity(input::assume_role_with_web_identity(a, vars)?)
            }
            Command::AssumeRoot(a) => Request::AssumeRoot(input::assume_root(a, vars)?),
            Command::DecodeAuthorizationMessage(a) => {
                Request::DecodeAuthorizationMessage(input::decode_authorization_message(a, vars)?)
            }
            Command::GetAccessKeyInfo(a) => {
                Request::GetAccessKeyInfo(input::get_access_key_info(a, vars)?)
            }
            Command::GetCallerIdentity(_) => {
                Request::GetCallerIdentity(awssts::model::GetCallerIdentityInput::default())
            }
            Command::GetDelegatedAccessToken(a) => {
                Request::GetDelegatedAccessToken(input::get_delegated_access_token(a, vars)?)
            }
            Command::GetFederationToken(a) => {
                Request::GetFederationToken(input::get_federation_token(a, vars)?)
            }
            Command::GetSessionToken(a) => {
                Request::GetSessionToken(input::get_session_token(a, vars)?)
            }
            Command::GetWebIdentityToken(a) => {
                Request::GetWebIdentityToken(input::get_web_identity_token(a, vars)?)
            }
        })
    }
}

/// A typed STS input, ready to send.
#[derive(Debug)]
pub enum Request {
    AssumeRole(awssts::model::AssumeRoleInput),
    AssumeRoleWithSaml(awssts::model::AssumeRoleWithSAMLInput),
    AssumeRoleWithWebIdentity(awssts::model::AssumeRoleWithWebIdentityInput),
    AssumeRoot(awssts::model::AssumeRootInput),
    DecodeAuthorizationMessage(awssts::model::DecodeAuthorizationMessageInput),
    GetAccessKeyInfo(awssts::model::GetAccessKeyInfoInput),
    GetCallerIdentity(awssts::model::GetCallerIdentityInput),
    GetDelegatedAccessToken(awssts::model::GetDelegatedAccessTokenInput),
    GetFederationToken(awssts::model::GetFederationTokenInput),
    GetSessionToken(awssts::model::GetSessionTokenInput),
    GetWebIdentityToken(awssts::model::GetWebIdentityTokenInput),
}

async fn call<I>(client: &Client, input: I) -> Result<Outcome, awssts::Error>
where
    I: awssts::protocol::Operation,
    I::Output: ToDoc,
{
    let out = client.send(input).await?;
    Ok(Outcome {
        doc: out.to_doc(),
        credentials: out.credentials().cloned(),
        metadata: out.metadata().clone(),
    })
}

impl Request {
    /// Sends the request.
    pub async fn send(self, client: &Client) -> Result<Outcome, awssts::Error> {
        match self {
            Request::AssumeRole(i) => call(client, i).await,
            Request::AssumeRoleWithSaml(i) => call(client, i).await,
            Request::AssumeRoleWithWebIdentity(i) => call(client, i).await,
            Request::AssumeRoot(i) => call(client, i).await,
            Request::DecodeAuthorizationMessage(i) => call(client, i).await,
            Request::GetAccessKeyInfo(i) => call(client, i).await,
            Request::GetCallerIdentity(i) => call(client, i).await,
            Request::GetDelegatedAccessToken(i) => call(client, i).await,
            Request::GetFederationToken(i) => call(client, i).await,
            Request::GetSessionToken(i) => call(client, i).await,
            Request::GetWebIdentityToken(i) => call(client, i).await,
        }
    }

    /// Checks the model's constraints without sending anything.
    pub fn validate(&self) -> Result<(), awssts::model::ValidationError> {
        use awssts::protocol::Operation;
        match self {
            Request::AssumeRole(i) => i.validate(),
            Request::AssumeRoleWithSaml(i) => i.validate(),
            Request::AssumeRoleWithWebIdentity(i) => i.validate(),
            Request::AssumeRoot(i) => i.validate(),
            Request::DecodeAuthorizationMessage(i) => i.validate(),
            Request::GetAccessKeyInfo(i) => i.validate(),
            Request::GetCallerIdentity(i) => i.validate(),
            Request::GetDelegatedAccessToken(i) => i.validate(),
            Request::GetFederationToken(i) => i.validate(),
            Request::GetSessionToken(i) => i.validate(),
            Request::GetWebIdentityToken(i) => i.validate(),
        }
    }
}

#[cfg(test)]
mod tests;
