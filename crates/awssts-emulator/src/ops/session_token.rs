//! GetSessionToken and GetFederationToken: temporary credentials for a
//! user's own long-term key.

use awssts::model::{
    FederatedUser, GetFederationTokenInput, GetFederationTokenOutput, GetSessionTokenInput,
    GetSessionTokenOutput,
};

use super::Ctx;
use super::policy::{check_mfa, packed_policy_size, session_tags};
use crate::arn::Arn;
use crate::auth::Caller;
use crate::error::StsError;
use crate::session::{Kind, Session};

/// Sessions of an account's root user last at most an hour.
const ROOT_LIMIT: i32 = 3600;
const DEFAULT_DURATION: i32 = 43200;

fn duration(requested: Option<i32>, root: bool) -> u32 {
    let mut seconds = requested.unwrap_or(DEFAULT_DURATION);
    if root {
        seconds = seconds.min(ROOT_LIMIT);
    }
    u32::try_from(seconds).unwrap_or(3600)
}

pub(super) fn get_session_token(
    ctx: &Ctx<'_>,
    input: GetSessionTokenInput,
) -> Result<GetSessionTokenOutput, StsError> {
    let caller = ctx.caller()?;
    let Caller::User(user) = caller else {
        return Err(StsError::access_denied(
            "Cannot call GetSessionToken with session credentials",
        ));
    };
    let mfa = check_mfa(
        caller,
        input.serial_number.as_deref(),
        input.token_code.as_ref(),
    )?;
    let mut session = Session::new(
        Kind::UserSession,
        user.arn.clone(),
        user.user_id.clone(),
        user.account.clone(),
    );
    session.mfa = mfa;
    let mut out = GetSessionTokenOutput::default();
    out.credentials = Some(ctx.issue(session, duration(input.duration_seconds, user.root)));
    Ok(out)
}

#[allow(deprecated)] // PackedPolicySize is deprecated by STS, still sent.
pub(super) fn get_federation_token(
    ctx: &Ctx<'_>,
    input: GetFederationTokenInput,
) -> Result<GetFederationTokenOutput, StsError> {
    let caller = ctx.caller()?;
    let Caller::User(user) = caller else {
        return Err(StsError::access_denied(
            "Cannot call GetFederationToken with session credentials",
        ));
    };
    let name = input.name.as_deref().unwrap_or_default();
    let tags = session_tags(None, &input.tags, &[])?;
    let packed = packed_policy_size(input.policy.as_deref(), input.policy_arns.len(), &tags.tags)?;
    let partition = Arn::parse(&user.arn).map_or("aws", |a| a.partition);
    let arn = format!(
        "arn:{partition}:sts::{}:federated-user/{name}",
        user.account
    );
    let federated_id = format!("{}:{name}", user.account);
    let mut session = Session::new(
        Kind::FederatedUser,
        arn.clone(),
        federated_id.clone(),
        user.account.clone(),
    );
    session.tags = tags.tags;
    let mut fed = FederatedUser::default();
    fed.arn = arn;
    fed.federated_user_id = federated_id;
    let mut out = GetFederationTokenOutput::default();
    out.credentials = Some(ctx.issue(session, duration(input.duration_seconds, user.root)));
    out.federated_user = Some(fed);
    out.packed_policy_size = Some(packed);
    Ok(out)
}
