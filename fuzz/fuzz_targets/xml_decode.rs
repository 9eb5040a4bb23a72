//! Every operation's `decode_output` and `decode_error` on arbitrary bytes:
//! no panics; errors display on one line, bounded.

#![no_main]

use awssts::model::*;
use awssts::protocol::{Operation, decode_error};
use libfuzzer_sys::fuzz_target;

fn one<O: Operation>(data: &[u8]) {
    match O::decode_output(data) {
        Ok((out, _)) => {
            let mut again = Vec::new();
            O::encode_output(&out, "r", &mut again);
            let (back, _) = O::decode_output(&again).expect("re-encoded output decodes");
            let mut twice = Vec::new();
            O::encode_output(&back, "r", &mut twice);
            assert_eq!(again, twice);
        }
        Err(e) => {
            let shown = e.to_string();
            assert!(!shown.contains('\n'));
            assert!(e.excerpt().chars().count() <= 160);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    one::<AssumeRoleInput>(data);
    one::<AssumeRoleWithSAMLInput>(data);
    one::<AssumeRoleWithWebIdentityInput>(data);
    one::<AssumeRootInput>(data);
    one::<DecodeAuthorizationMessageInput>(data);
    one::<GetAccessKeyInfoInput>(data);
    one::<GetCallerIdentityInput>(data);
    one::<GetDelegatedAccessTokenInput>(data);
    one::<GetFederationTokenInput>(data);
    one::<GetSessionTokenInput>(data);
    one::<GetWebIdentityTokenInput>(data);
    if let Ok(e) = decode_error(data) {
        let mut out = Vec::new();
        awssts::protocol::encode_error(&e, &mut out);
        assert_eq!(decode_error(&out).expect("re-encoded error decodes"), e);
    }
});
