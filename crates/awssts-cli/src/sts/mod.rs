//! The STS operations, one subcommand each, named and flagged as in the AWS
//! CLI (`aws sts assume-role --role-arn … --role-session-name …`).

mod doc;
mod flags;
mod input;

use awssts::Client;
use awssts::model::Credentials;

use crate::args::ArgError;
use crate::output::doc::Doc;
pub use doc::ToDoc;
pub use flags::{
    ASSUME_ROLE, ASSUME_ROLE_WITH_SAML, ASSUME_ROLE_WITH_WEB_IDENTITY, ASSUME_ROOT,
    DECODE_AUTHORIZATION_MESSAGE, GET_ACCESS_KEY_INFO, GET_CALLER_IDENTITY,
    GET_DELEGATED_ACCESS_TOKEN, GET_FEDERATION_TOKEN, GET_SESSION_TOKEN, GET_WEB_IDENTITY_TOKEN,
};

/// What one operation returned, ready to print.
pub struct Outcome {
    /// The response as the AWS CLI's JSON document.
    pub doc: Doc,
    /// The temporary credentials, for `--output env`.
    pub credentials: Option<Credentials>,
    /// Request id, attempts and retry delay (shown with `--debug`).
    pub metadata: awssts::metadata::ResponseMetadata,
}

// The flags and their help are in `flags`.

/// Flags of `assume-role`.
pub struct AssumeRole {
    pub role_arn: Option<String>,
    pub role_session_name: Option<String>,
    pub policy_arns: Vec<String>,
    pub policy: Option<String>,
    pub duration_seconds: Option<String>,
    pub tags: Vec<String>,
    pub transitive_tag_keys: Vec<String>,
    pub external_id: Option<String>,
    pub serial_number: Option<String>,
    pub token_code: Option<String>,
    pub source_identity: Option<String>,
    pub provided_contexts: Vec<String>,
    pub minimum_session_token_size: Option<String>,
}

/// Flags of `assume-role-with-saml`.
pub struct AssumeRoleWithSaml {
    pub role_arn: Option<String>,
    pub principal_arn: Option<String>,
    pub saml_assertion: Option<String>,
    pub policy_arns: Vec<String>,
    pub policy: Option<String>,
    pub duration_seconds: Option<String>,
    pub minimum_session_token_size: Option<String>,
}

/// Flags of `assume-role-with-web-identity`.
pub struct AssumeRoleWithWebIdentity {
    pub role_arn: Option<String>,
    pub role_session_name: Option<String>,
    pub web_identity_token: Option<String>,
    pub provider_id: Option<String>,
    pub policy_arns: Vec<String>,
    pub policy: Option<String>,
    pub duration_seconds: Option<String>,
    pub minimum_session_token_size: Option<String>,
}

/// Flags of `assume-root`.
pub struct AssumeRoot {
    pub target_principal: Option<String>,
    pub task_policy_arn: Option<String>,
    pub duration_seconds: Option<String>,
    pub minimum_session_token_size: Option<String>,
}

/// Flags of `decode-authorization-message`.
pub struct DecodeAuthorizationMessage {
    pub encoded_message: Option<String>,
}

/// Flags of `get-access-key-info`.
pub struct GetAccessKeyInfo {
    pub access_key_id: Option<String>,
}

/// Flags of `get-caller-identity` (the operation takes none; `--presign`
/// is an awssts addition, not a model member).
pub struct GetCallerIdentity {
    pub presign: bool,
    pub expires_in: u64,
}

/// Flags of `get-delegated-access-token`.
pub struct GetDelegatedAccessToken {
    pub trade_in_token: Option<String>,
}

/// Flags of `get-federation-token`.
pub struct GetFederationToken {
    pub name: Option<String>,
    pub policy: Option<String>,
    pub policy_arns: Vec<String>,
    pub duration_seconds: Option<String>,
    pub tags: Vec<String>,
    pub minimum_session_token_size: Option<String>,
}

/// Flags of `get-session-token`.
pub struct GetSessionToken {
    pub duration_seconds: Option<String>,
    pub serial_number: Option<String>,
    pub token_code: Option<String>,
    pub minimum_session_token_size: Option<String>,
}

/// Flags of `get-web-identity-token`.
pub struct GetWebIdentityToken {
    pub audience: Vec<String>,
    pub duration_seconds: Option<String>,
    pub signing_algorithm: Option<String>,
    pub tags: Vec<String>,
}

/// The STS operations.
pub enum Command {
    /// Get temporary credentials for an IAM role (signed with your credentials).
    AssumeRole(AssumeRole),
    /// Get temporary credentials for a role with a SAML assertion (unsigned).
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
