//! One handler per STS operation. Each decodes the generated input type
//! from the form, validates it against the model, applies STS's semantics
//! and returns the generated output, which is encoded as STS's XML.

mod assume_role;
mod authz;
mod delegated;
mod identity;
mod policy;
mod root;
mod saml;
mod session_token;
mod web_identity;
mod web_identity_token;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use awssts::model::{
    AssumeRoleInput, AssumeRoleWithSAMLInput, AssumeRoleWithWebIdentityInput, AssumeRootInput,
    Credentials, DecodeAuthorizationMessageInput, GetAccessKeyInfoInput, GetCallerIdentityInput,
    GetDelegatedAccessTokenInput, GetFederationTokenInput, GetSessionTokenInput,
    GetWebIdentityTokenInput,
};
use awssts::protocol::{Form, Operation};
use awssts::{DateTime, SecretString};

use crate::auth::Caller;
use crate::error::StsError;
use crate::request::Action;
use crate::session::{Kind, Session};
use crate::state::Shared;

pub(crate) use delegated::issue_trade_in_token;

/// What a handler gets besides its input.
pub(crate) struct Ctx<'a> {
    pub shared: &'a Shared,
    /// The emulator's time when the request arrived.
    pub now: SystemTime,
    /// The authenticated caller (signed operations only).
    pub caller: Option<&'a Caller>,
    /// The region the request was signed for (signed operations only).
    pub region: Option<&'a str>,
}

impl Ctx<'_> {
    /// The caller of a signed operation.
    pub(crate) fn caller(&self) -> Result<&Caller, StsError> {
        // The server authenticates every signed operation before dispatch.
        self.caller.ok_or_else(|| {
            StsError::sender(
                403,
                "MissingAuthenticationToken",
                "Request is missing Authentication Token",
            )
        })
    }

    /// Unix seconds, emulator time.
    pub(crate) fn unix_now(&self) -> u64 {
        crate::clock::unix_seconds(self.now)
    }

    /// New temporary credentials for `session`, valid `seconds` from now.
    pub(crate) fn issue(&self, mut session: Session, seconds: u32) -> Credentials {
        let access_key_id = crate::keys::temporary_key_id(&session.account);
        session.access_key_id.clone_from(&access_key_id);
        session.expires = self.unix_now() + u64::from(seconds);
        session.duration = seconds;
        let token = self.shared.codec.encode(&session);
        let secret = self.shared.codec.secret_for(&access_key_id);
        let mut c = Credentials::default();
        c.access_key_id = access_key_id;
        c.secret_access_key = SecretString::new(secret.as_str());
        c.session_token = SecretString::new(token);
        c.expiration =
            DateTime::from_system_time(UNIX_EPOCH + Duration::from_secs(session.expires));
        c
    }
}

impl Session {
    /// A session of `kind` for `arn`; keys and expiry are set when issued.
    pub(crate) fn new(kind: Kind, arn: String, user_id: String, account: String) -> Session {
        Session {
            kind,
            arn,
            user_id,
            account,
            access_key_id: String::new(),
            expires: 0,
            role_arn: None,
            source_identity: None,
            tags: Vec::new(),
            transitive_tag_keys: Vec::new(),
            mfa: false,
            duration: 0,
        }
    }
}

/// Runs the handler of `action` and returns the XML body.
pub(crate) fn dispatch(
    ctx: &Ctx<'_>,
    action: Action,
    form: &Form,
    request_id: &str,
) -> Result<Vec<u8>, StsError> {
    if let Some(caller) = ctx.caller
        && caller
            .session()
            .is_some_and(|s| s.kind == Kind::FederatedUser)
        && !matches!(
            action,
            Action::GetCallerIdentity | Action::GetSessionToken | Action::GetFederationToken
        )
    {
        // Federated users may call no STS operation but GetCallerIdentity.
        return Err(StsError::not_authorized(
            caller.arn(),
            action.name(),
            form.get("RoleArn").unwrap_or("*"),
        ));
    }
    match action {
        Action::GetCallerIdentity => {
            run::<GetCallerIdentityInput>(ctx, form, request_id, identity::get_caller_identity)
        }
        Action::GetAccessKeyInfo => {
            run::<GetAccessKeyInfoInput>(ctx, form, request_id, identity::get_access_key_info)
        }
        Action::AssumeRole => {
            run::<AssumeRoleInput>(ctx, form, request_id, assume_role::assume_role)
        }
        Action::GetSessionToken => {
            run::<GetSessionTokenInput>(ctx, form, request_id, session_token::get_session_token)
        }
        Action::GetFederationToken => run::<GetFederationTokenInput>(
            ctx,
            form,
            request_id,
            session_token::get_federation_token,
        ),
        Action::AssumeRoot => run::<AssumeRootInput>(ctx, form, request_id, root::assume_root),
        Action::GetDelegatedAccessToken => run::<GetDelegatedAccessTokenInput>(
            ctx,
            form,
            request_id,
            delegated::get_delegated_access_token,
        ),
        Action::AssumeRoleWithWebIdentity => run::<AssumeRoleWithWebIdentityInput>(
            ctx,
            form,
            request_id,
            web_identity::assume_role_with_web_identity,
        ),
        Action::AssumeRoleWithSaml => {
            run::<AssumeRoleWithSAMLInput>(ctx, form, request_id, saml::assume_role_with_saml)
        }
        Action::GetWebIdentityToken => run::<GetWebIdentityTokenInput>(
            ctx,
            form,
            request_id,
            web_identity_token::get_web_identity_token,
        ),
        Action::DecodeAuthorizationMessage => run::<DecodeAuthorizationMessageInput>(
            ctx,
            form,
            request_id,
            authz::decode_authorization_message,
        ),
    }
}

/// Decodes and validates the input of `action` without running it (for
/// the fuzz target): the same errors a request would get.
pub(crate) fn check_input(action: Action, form: &Form) -> Result<(), StsError> {
    fn check<I: Operation>(form: &Form) -> Result<(), StsError> {
        let input = I::decode_form(form).map_err(|e| crate::validation::form_error(&e))?;
        input
            .validate()
            .map_err(|e| crate::validation::to_sts(&e, form))
    }
    match action {
        Action::AssumeRole => check::<AssumeRoleInput>(form),
        Action::AssumeRoleWithSaml => check::<AssumeRoleWithSAMLInput>(form),
        Action::AssumeRoleWithWebIdentity => check::<AssumeRoleWithWebIdentityInput>(form),
        Action::AssumeRoot => check::<AssumeRootInput>(form),
        Action::DecodeAuthorizationMessage => check::<DecodeAuthorizationMessageInput>(form),
        Action::GetAccessKeyInfo => check::<GetAccessKeyInfoInput>(form),
        Action::GetCallerIdentity => check::<GetCallerIdentityInput>(form),
        Action::GetDelegatedAccessToken => check::<GetDelegatedAccessTokenInput>(form),
        Action::GetFederationToken => check::<GetFederationTokenInput>(form),
        Action::GetSessionToken => check::<GetSessionTokenInput>(form),
        Action::GetWebIdentityToken => check::<GetWebIdentityTokenInput>(form),
    }
}

fn run<I: Operation>(
    ctx: &Ctx<'_>,
    form: &Form,
    request_id: &str,
    handler: fn(&Ctx<'_>, I) -> Result<I::Output, StsError>,
) -> Result<Vec<u8>, StsError> {
    let input = I::decode_form(form).map_err(|e| crate::validation::form_error(&e))?;
    input
        .validate()
        .map_err(|e| crate::validation::to_sts(&e, form))?;
    let output = handler(ctx, input)?;
    let mut body = Vec::with_capacity(1024);
    I::encode_output(&output, request_id, &mut body);
    Ok(body)
}
