//! `Form::parse`, every operation's `decode_form` and `validate` on
//! arbitrary bytes; a decoded input re-encodes to an equal input.

#![no_main]

use awssts::model::*;
use awssts::protocol::{Form, Operation};
use libfuzzer_sys::fuzz_target;

fn one<O: Operation + PartialEq>(form: &Form) {
    if let Ok(input) = O::decode_form(form) {
        let _ = input.validate().map_err(|e| e.to_string());
        let mut body = Vec::new();
        input.encode_form(&mut body);
        let again = O::decode_form(&Form::parse(&body).expect("encoded form parses"))
            .expect("encoded form decodes");
        assert!(again == input, "{} changed through encode/decode", O::NAME);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(form) = Form::parse(data) else { return };
    one::<AssumeRoleInput>(&form);
    one::<AssumeRoleWithSAMLInput>(&form);
    one::<AssumeRoleWithWebIdentityInput>(&form);
    one::<AssumeRootInput>(&form);
    one::<DecodeAuthorizationMessageInput>(&form);
    one::<GetAccessKeyInfoInput>(&form);
    one::<GetCallerIdentityInput>(&form);
    one::<GetDelegatedAccessTokenInput>(&form);
    one::<GetFederationTokenInput>(&form);
    one::<GetSessionTokenInput>(&form);
    one::<GetWebIdentityTokenInput>(&form);
});
