//! Request building for every operation (from the command line to the
//! form body sent), including those moto does not implement, and the
//! output documents' member order checked against the model.

#![allow(clippy::unwrap_used, clippy::expect_used, deprecated)]

use super::{Request, ToDoc};
use crate::cli::{Cli, Command};
use crate::output::doc::Doc;

fn request(args: &[&str]) -> Request {
    let args: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
    let Ok(cli) = Cli::parse(&args) else {
        panic!("{args:?} did not parse")
    };
    let Command::Sts(cmd) = cli.command else {
        panic!("not an STS command")
    };
    cmd.into_request(&|_| None).unwrap()
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(if b[i] == b'+' { b' ' } else { b[i] });
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// The form body the request would send, as decoded pairs.
fn form(r: &Request) -> Vec<(String, String)> {
    use awssts::protocol::Operation;
    r.validate().unwrap();
    let mut body = Vec::new();
    match r {
        Request::AssumeRole(i) => i.encode_form(&mut body),
        Request::AssumeRoleWithSaml(i) => i.encode_form(&mut body),
        Request::AssumeRoleWithWebIdentity(i) => i.encode_form(&mut body),
        Request::AssumeRoot(i) => i.encode_form(&mut body),
        Request::DecodeAuthorizationMessage(i) => i.encode_form(&mut body),
        Request::GetAccessKeyInfo(i) => i.encode_form(&mut body),
        Request::GetCallerIdentity(i) => i.encode_form(&mut body),
        Request::GetDelegatedAccessToken(i) => i.encode_form(&mut body),
        Request::GetFederationToken(i) => i.encode_form(&mut body),
        Request::GetSessionToken(i) => i.encode_form(&mut body),
        Request::GetWebIdentityToken(i) => i.encode_form(&mut body),
    }
    String::from_utf8(body)
        .unwrap()
        .split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (decode(k), decode(v))
        })
        .collect()
}

fn has(pairs: &[(String, String)], expected: &[(&str, &str)]) {
    for (k, v) in expected {
        assert!(
            pairs.iter().any(|(pk, pv)| pk == k && pv == v),
            "{k}={v} missing from {pairs:?}"
        );
    }
}

#[test]
fn assume_root_with_a_shorthand_task_policy() {
    let r = request(&[
        "assume-root",
        "--target-principal",
        "111122223333",
        "--task-policy-arn",
        "arn=arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials",
        "--duration-seconds",
        "900",
    ]);
    has(
        &form(&r),
        &[
            ("Action", "AssumeRoot"),
            ("TargetPrincipal", "111122223333"),
            (
                "TaskPolicyArn.arn",
                "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials",
            ),
            ("DurationSeconds", "900"),
        ],
    );
    let r = request(&[
        "assume-root",
        "--target-principal",
        "111122223333",
        "--task-policy-arn",
        r#"{"arn":"arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"}"#,
    ]);
    has(
        &form(&r),
        &[(
            "TaskPolicyArn.arn",
            "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy",
        )],
    );
}

#[test]
fn get_web_identity_token_with_audiences_and_tags() {
    let r = request(&[
        "get-web-identity-token",
        "--audience",
        "https://a.example.com",
        "https://b.example.com",
        "--signing-algorithm",
        "RS256",
        "--tags",
        "Key=team,Value=blue",
    ]);
    has(
        &form(&r),
        &[
            ("Action", "GetWebIdentityToken"),
            ("Audience.member.1", "https://a.example.com"),
            ("Audience.member.2", "https://b.example.com"),
            ("SigningAlgorithm", "RS256"),
            ("Tags.member.1.Key", "team"),
            ("Tags.member.1.Value", "blue"),
        ],
    );
}

#[test]
fn delegated_token_and_decode_message() {
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("trade-in");
    std::fs::write(&token, "trade-in-token-value\n").unwrap();
    let r = request(&[
        "get-delegated-access-token",
        "--trade-in-token",
        &format!("file://{}", token.display()),
    ]);
    has(
        &form(&r),
        &[
            ("Action", "GetDelegatedAccessToken"),
            ("TradeInToken", "trade-in-token-value\n"),
        ],
    );
    assert!(
        !format!("{r:?}").contains("trade-in-token-value"),
        "the token is a secret"
    );
    let r = request(&[
        "decode-authorization-message",
        "--encoded-message",
        "AbCd+/=",
    ]);
    has(
        &form(&r),
        &[
            ("Action", "DecodeAuthorizationMessage"),
            ("EncodedMessage", "AbCd+/="),
        ],
    );
}

#[test]
fn assume_role_lists_and_contexts() {
    let r = request(&[
        "assume-role",
        "--role-arn",
        "arn:aws:iam::123456789012:role/r",
        "--role-session-name",
        "s-1",
        "--policy-arns",
        "arn=arn:aws:iam::aws:policy/A",
        "arn=arn:aws:iam::aws:policy/B",
        "--transitive-tag-keys",
        "a",
        "b",
        "--provided-contexts",
        "ProviderArn=arn:aws:iam::aws:contextProvider/IdentityCenter,ContextAssertion=abcd1234",
        "--serial-number",
        "arn:aws:iam::123456789012:mfa/me",
        "--token-code",
        "123456",
        "--source-identity",
        "me",
        "--minimum-session-token-size",
        "1024",
    ]);
    has(
        &form(&r),
        &[
            ("PolicyArns.member.1.arn", "arn:aws:iam::aws:policy/A"),
            ("PolicyArns.member.2.arn", "arn:aws:iam::aws:policy/B"),
            ("TransitiveTagKeys.member.2", "b"),
            (
                "ProvidedContexts.member.1.ProviderArn",
                "arn:aws:iam::aws:contextProvider/IdentityCenter",
            ),
            ("ProvidedContexts.member.1.ContextAssertion", "abcd1234"),
            ("TokenCode", "123456"),
            ("SourceIdentity", "me"),
            ("MinimumSessionTokenSize", "1024"),
        ],
    );
}

fn keys(d: &Doc) -> Vec<String> {
    match d {
        Doc::Map(m) => m.iter().map(|(k, _)| k.clone()).collect(),
        _ => panic!("not an object"),
    }
}

/// The output shape's member names, in the model's order.
fn model_members(operation: &str) -> Vec<String> {
    let dir = match std::env::var_os("AWSSTS_REFERENCE_DIR") {
        Some(d) => std::path::PathBuf::from(d),
        None => {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference")
        }
    };
    let text = std::fs::read_to_string(dir.join("sts-model/service-2.json")).unwrap();
    let model: serde_json::Value = serde_json::from_str(&text).unwrap();
    let shape = model["operations"][operation]["output"]["shape"]
        .as_str()
        .unwrap();
    // serde_json sorts object keys; the order is read from the text.
    let start = text.find(&format!("\"{shape}\":{{")).unwrap();
    let members = model["shapes"][shape]["members"].as_object().unwrap();
    let mut found: Vec<(usize, String)> = members
        .keys()
        .map(|k| {
            let pos = text[start..].find(&format!("\"{k}\":{{")).unwrap();
            (pos, k.clone())
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, k)| k).collect()
}

fn creds() -> Option<awssts::model::Credentials> {
    let mut c = awssts::model::Credentials::default();
    c.access_key_id = "ASIA".into();
    Some(c)
}

#[test]
fn output_documents_follow_the_models_member_order() {
    let s = || Some("x".to_owned());
    let mut ar = awssts::model::AssumeRoleOutput::default();
    ar.credentials = creds();
    ar.assumed_role_user = Some(Default::default());
    ar.packed_policy_size = Some(1);
    ar.source_identity = s();
    ar.session_token_utilization = Some(1);
    ar.session_token_size = Some(1);
    assert_eq!(keys(&ar.to_doc()), model_members("AssumeRole"));

    let mut saml = awssts::model::AssumeRoleWithSAMLOutput::default();
    saml.credentials = creds();
    saml.assumed_role_user = Some(Default::default());
    saml.packed_policy_size = Some(1);
    saml.subject = s();
    saml.subject_type = s();
    saml.issuer = s();
    saml.audience = s();
    saml.name_qualifier = s();
    saml.source_identity = s();
    saml.session_token_utilization = Some(1);
    saml.session_token_size = Some(1);
    assert_eq!(keys(&saml.to_doc()), model_members("AssumeRoleWithSAML"));

    let mut web = awssts::model::AssumeRoleWithWebIdentityOutput::default();
    web.credentials = creds();
    web.subject_from_web_identity_token = s();
    web.assumed_role_user = Some(Default::default());
    web.packed_policy_size = Some(1);
    web.provider = s();
    web.audience = s();
    web.source_identity = s();
    web.session_token_utilization = Some(1);
    web.session_token_size = Some(1);
    assert_eq!(
        keys(&web.to_doc()),
        model_members("AssumeRoleWithWebIdentity")
    );

    let mut root = awssts::model::AssumeRootOutput::default();
    root.credentials = creds();
    root.source_identity = s();
    root.session_token_utilization = Some(1);
    root.session_token_size = Some(1);
    assert_eq!(keys(&root.to_doc()), model_members("AssumeRoot"));

    let mut dec = awssts::model::DecodeAuthorizationMessageOutput::default();
    dec.decoded_message = s();
    assert_eq!(
        keys(&dec.to_doc()),
        model_members("DecodeAuthorizationMessage")
    );

    let mut aki = awssts::model::GetAccessKeyInfoOutput::default();
    aki.account = s();
    assert_eq!(keys(&aki.to_doc()), model_members("GetAccessKeyInfo"));

    let mut gci = awssts::model::GetCallerIdentityOutput::default();
    gci.user_id = s();
    gci.account = s();
    gci.arn = s();
    assert_eq!(keys(&gci.to_doc()), model_members("GetCallerIdentity"));

    let mut del = awssts::model::GetDelegatedAccessTokenOutput::default();
    del.credentials = creds();
    del.packed_policy_size = Some(1);
    del.assumed_principal = s();
    assert_eq!(
        keys(&del.to_doc()),
        model_members("GetDelegatedAccessToken")
    );

    let mut fed = awssts::model::GetFederationTokenOutput::default();
    fed.credentials = creds();
    fed.federated_user = Some(Default::default());
    fed.packed_policy_size = Some(1);
    fed.session_token_utilization = Some(1);
    fed.session_token_size = Some(1);
    assert_eq!(keys(&fed.to_doc()), model_members("GetFederationToken"));

    let mut gst = awssts::model::GetSessionTokenOutput::default();
    gst.credentials = creds();
    gst.session_token_utilization = Some(1);
    gst.session_token_size = Some(1);
    assert_eq!(keys(&gst.to_doc()), model_members("GetSessionToken"));

    let mut wit = awssts::model::GetWebIdentityTokenOutput::default();
    wit.web_identity_token = Some("t".into());
    wit.expiration = Some(awssts::DateTime::from_unix(0, 0));
    assert_eq!(keys(&wit.to_doc()), model_members("GetWebIdentityToken"));
    assert_eq!(
        wit.to_doc(),
        Doc::Map(vec![
            ("WebIdentityToken".into(), Doc::Str("t".into())),
            (
                "Expiration".into(),
                Doc::Str("1970-01-01T00:00:00+00:00".into())
            ),
        ])
    );

    let Doc::Map(members) = ar.to_doc() else {
        panic!()
    };
    assert_eq!(
        keys(&members[0].1),
        [
            "AccessKeyId",
            "SecretAccessKey",
            "SessionToken",
            "Expiration"
        ]
    );
}
