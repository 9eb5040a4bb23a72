//! The request checks on arbitrary input (what the fuzz target does, in
//! bounded form): no panic, every refusal a 4xx STS error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use awssts_emulator::check_request;
use proptest::prelude::*;

fn action() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("AssumeRole".to_owned()),
        Just("GetSessionToken".to_owned()),
        Just("AssumeRoleWithWebIdentity".to_owned()),
        Just("GetWebIdentityToken".to_owned()),
        "[A-Za-z]{0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(method in prop_oneof![Just("POST"), Just("GET"), Just("PATCH")],
                                   query in "[ -~]{0,64}",
                                   body in proptest::collection::vec(any::<u8>(), 0..256)) {
        if let Err(e) = check_request(method, &query, None, &body) {
            prop_assert!((400..500).contains(&e.status), "{e}");
        }
    }

    #[test]
    fn structured_forms_get_sts_errors(action in action(),
                                       pairs in proptest::collection::vec(
                                           (prop_oneof![
                                               Just("RoleArn"), Just("RoleSessionName"), Just("DurationSeconds"),
                                               Just("Tags.member.1.Key"), Just("Tags.member.2.Value"),
                                               Just("TransitiveTagKeys.member.1"), Just("TokenCode"),
                                               Just("SerialNumber"), Just("Audience.member.1"),
                                               Just("WebIdentityToken"), Just("PolicyArns.member.1.arn"),
                                           ], "[ -~]{0,40}"),
                                           0..8)) {
        let mut body = format!("Action={action}&Version=2011-06-15");
        for (k, v) in &pairs {
            body.push('&');
            body.push_str(k);
            body.push('=');
            for b in v.bytes() {
                body.push_str(&format!("%{b:02X}"));
            }
        }
        if let Err(e) = check_request("POST", "", None, body.as_bytes()) {
            prop_assert!((400..500).contains(&e.status), "{e}");
            if e.code == "ValidationError" {
                prop_assert!(e.message.starts_with("1 validation error detected: Value "), "{e}");
            }
            // Secret parameters are never echoed.
            for (k, v) in &pairs {
                if (*k == "TokenCode" || *k == "WebIdentityToken") && v.len() >= 4 {
                    prop_assert!(!e.message.contains(v.as_str()), "{k} echoed: {e}");
                }
            }
        }
    }
}
