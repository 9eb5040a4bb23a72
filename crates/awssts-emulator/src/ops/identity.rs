//! GetCallerIdentity and GetAccessKeyInfo.

use awssts::model::{
    GetAccessKeyInfoInput, GetAccessKeyInfoOutput, GetCallerIdentityInput, GetCallerIdentityOutput,
};

use super::Ctx;
use crate::error::StsError;

pub(super) fn get_caller_identity(
    ctx: &Ctx<'_>,
    _input: GetCallerIdentityInput,
) -> Result<GetCallerIdentityOutput, StsError> {
    let caller = ctx.caller()?;
    let mut out = GetCallerIdentityOutput::default();
    out.user_id = Some(caller.user_id().to_owned());
    out.account = Some(caller.account().to_owned());
    out.arn = Some(caller.arn().to_owned());
    Ok(out)
}

pub(super) fn get_access_key_info(
    ctx: &Ctx<'_>,
    input: GetAccessKeyInfoInput,
) -> Result<GetAccessKeyInfoOutput, StsError> {
    let key = input.access_key_id.unwrap_or_default();
    // Keys the configuration declares first: their accounts are whatever
    // the configuration says, whatever the key id encodes.
    let account = match ctx.shared.dir.users.get(&key) {
        Some(user) => Some(user.account.clone()),
        None => crate::access_key::account_of(&key),
    };
    let account = account.ok_or_else(|| {
        StsError::invalid_parameter(format!(
            "The access key id {} does not encode an account",
            crate::request::clip(&key, 128)
        ))
    })?;
    let mut out = GetAccessKeyInfoOutput::default();
    out.account = Some(account);
    Ok(out)
}
