//! GetDelegatedAccessToken: trading a token the emulator issued for
//! credentials of the principal it names.
//!
//! The emulator issues trade-in tokens itself
//! ([`RunningEmulator::trade_in_token`](crate::RunningEmulator::trade_in_token)
//! or `POST /_awssts/trade-in-token`): a MAC-protected blob naming a
//! principal ARN and an expiry. Trading one in returns one-hour credentials
//! whose GetCallerIdentity is that principal.

use std::time::Duration;

use awssts::model::{GetDelegatedAccessTokenInput, GetDelegatedAccessTokenOutput};
use serde::{Deserialize, Serialize};

use super::Ctx;
use crate::access_key::KeyKind;
use crate::error::StsError;
use crate::session::{Codec, Kind, Session};

const DOMAIN: &[u8] = b"trade-in-token";
const SESSION_SECONDS: u32 = 3600;

/// What a trade-in token carries.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct TradeInToken {
    /// The principal the credentials will be for.
    pub principal_arn: String,
    /// Expiry, Unix seconds (emulator time).
    pub expires: u64,
}

/// Makes a trade-in token for `principal_arn`, valid `valid_for` from `now`.
pub(crate) fn issue_trade_in_token(
    codec: &Codec,
    principal_arn: &str,
    now: u64,
    valid_for: Duration,
) -> Result<String, String> {
    if crate::arn::account_of(principal_arn).is_none() {
        return Err(format!(
            "{principal_arn:?} is not a principal ARN: use arn:aws:iam::ACCOUNT:user/NAME or :role/NAME"
        ));
    }
    let token = TradeInToken {
        principal_arn: principal_arn.to_owned(),
        expires: now.saturating_add(valid_for.as_secs()),
    };
    let payload = serde_json::to_vec(&token).map_err(|e| e.to_string())?;
    Ok(codec.seal(DOMAIN, &payload))
}

#[allow(deprecated)] // PackedPolicySize is deprecated by STS, still sent.
pub(super) fn get_delegated_access_token(
    ctx: &Ctx<'_>,
    input: GetDelegatedAccessTokenInput,
) -> Result<GetDelegatedAccessTokenOutput, StsError> {
    let _caller = ctx.caller()?;
    let blob = input
        .trade_in_token
        .as_ref()
        .map(|t| t.expose_secret())
        .unwrap_or_default();
    let token: TradeInToken = ctx
        .shared
        .codec
        .unseal(DOMAIN, blob)
        .and_then(|p| serde_json::from_slice(&p).ok())
        .ok_or_else(|| StsError::invalid_parameter("The provided trade-in token is not valid."))?;
    if ctx.unix_now() >= token.expires {
        return Err(StsError::sender(
            400,
            "ExpiredTradeInTokenException",
            "The provided trade-in token has expired.",
        ));
    }
    let arn = token.principal_arn;
    let account = crate::arn::account_of(&arn).unwrap_or_default().to_owned();
    let kind = if arn.contains(":role/") {
        KeyKind::Role
    } else {
        KeyKind::User
    };
    let user_id = crate::keys::stable_id(kind, &account, &arn);
    let session = Session::new(Kind::Delegated, arn.clone(), user_id, account);
    let mut out = GetDelegatedAccessTokenOutput::default();
    out.credentials = Some(ctx.issue(session, SESSION_SECONDS));
    out.packed_policy_size = Some(0);
    out.assumed_principal = Some(arn);
    Ok(out)
}
