//! Helpers for the tests that check the generated model against
//! `service-2.json` using only the public API.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use awssts::model::*;
use awssts::protocol::{Form, Operation};
use serde_json::Value;

/// Calls `$f::<Input>($args)` for the operation named `$name`.
#[macro_export]
macro_rules! with_op {
    ($name:expr, $f:ident ( $($arg:expr),* )) => {
        match $name {
            "AssumeRole" => $f::<AssumeRoleInput>($($arg),*),
            "AssumeRoleWithSAML" => $f::<AssumeRoleWithSAMLInput>($($arg),*),
            "AssumeRoleWithWebIdentity" => $f::<AssumeRoleWithWebIdentityInput>($($arg),*),
            "AssumeRoot" => $f::<AssumeRootInput>($($arg),*),
            "DecodeAuthorizationMessage" => $f::<DecodeAuthorizationMessageInput>($($arg),*),
            "GetAccessKeyInfo" => $f::<GetAccessKeyInfoInput>($($arg),*),
            "GetCallerIdentity" => $f::<GetCallerIdentityInput>($($arg),*),
            "GetDelegatedAccessToken" => $f::<GetDelegatedAccessTokenInput>($($arg),*),
            "GetFederationToken" => $f::<GetFederationTokenInput>($($arg),*),
            "GetSessionToken" => $f::<GetSessionTokenInput>($($arg),*),
            "GetWebIdentityToken" => $f::<GetWebIdentityTokenInput>($($arg),*),
            other => panic!("operation {other} is in the model but has no Rust type"),
        }
    };
}

pub fn load_json(name: &str) -> Value {
    let path = super::reference_dir().join("sts-model").join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Percent-encodes a form component (unreserved characters bare).
pub fn pct(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn form_of(pairs: &[(String, String)]) -> Form {
    let body: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
        .collect();
    Form::parse(body.join("&").as_bytes()).unwrap()
}

/// decode_form then encode_form then parse: what the input keeps.
pub fn form_round_trip<O: Operation>(pairs: &[(String, String)]) -> Vec<(String, String)> {
    let input = O::decode_form(&form_of(pairs)).unwrap();
    let mut body = Vec::new();
    input.encode_form(&mut body);
    let form = Form::parse(&body).unwrap();
    assert_eq!(form.action(), Some(O::NAME));
    assert_eq!(form.version(), Some("2011-06-15"));
    form.pairs()
        .filter(|(k, _)| *k != "Action" && *k != "Version")
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

pub fn validate<O: Operation>(pairs: &[(String, String)]) -> Result<(), ValidationError> {
    O::decode_form(&form_of(pairs)).unwrap().validate()
}

/// decode_output, encode_output, decode again, encode again: both
/// encodings must be equal; returns the encoding.
pub fn xml_round_trip<O: Operation>(body: &str) -> String {
    let (out, id) =
        O::decode_output(body.as_bytes()).unwrap_or_else(|e| panic!("{}: {e}\n{body}", O::NAME));
    assert_eq!(id.as_deref(), Some("req-1"));
    let mut first = Vec::new();
    O::encode_output(&out, "req-1", &mut first);
    let (again, _) = O::decode_output(&first).unwrap();
    let mut second = Vec::new();
    O::encode_output(&again, "req-1", &mut second);
    assert_eq!(first, second, "{}: re-encoding changed the XML", O::NAME);
    String::from_utf8(first).unwrap()
}

pub fn decode_output_err<O: Operation>(body: &str) -> String {
    match O::decode_output(body.as_bytes()) {
        Ok(_) => panic!("{}: decoding should fail: {body}", O::NAME),
        Err(e) => e.to_string(),
    }
}

pub fn errors_of<O: Operation>() -> Vec<ServiceErrorKind> {
    O::ERRORS.to_vec()
}

pub fn signed<O: Operation>() -> (&'static str, bool) {
    (O::NAME, O::SIGNED)
}

pub fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// The response document an STS server would send for `result` members.
pub fn response(op: &str, result_members: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{op}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <{op}Result>{result_members}</{op}Result>\n  <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>\n</{op}Response>\n"
    )
}
