//! DecodeAuthorizationMessage: reads messages the emulator itself encoded
//! (see [`RunningEmulator::encode_authorization_message`](crate::RunningEmulator::encode_authorization_message)).

use awssts::model::{DecodeAuthorizationMessageInput, DecodeAuthorizationMessageOutput};

use super::Ctx;
use crate::error::StsError;

pub(super) fn decode_authorization_message(
    ctx: &Ctx<'_>,
    input: DecodeAuthorizationMessageInput,
) -> Result<DecodeAuthorizationMessageOutput, StsError> {
    let _caller = ctx.caller()?;
    let encoded = input.encoded_message.as_deref().unwrap_or_default();
    let decoded = ctx
        .shared
        .authz_key
        .decode(encoded)
        .map_err(|e| StsError::sender(400, e.code(), e.to_string()))?;
    let mut out = DecodeAuthorizationMessageOutput::default();
    out.decoded_message = Some(decoded);
    Ok(out)
}
