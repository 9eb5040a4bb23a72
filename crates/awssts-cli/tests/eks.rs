//! `eks-token` and `get-caller-identity --presign`: the URLs verify with
//! `awssts::sigv4::verify` (and only with the cluster's header), and the
//! document is the one `aws eks get-token` prints, byte for byte apart from
//! the token and the time.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::SystemTime;

use awssts::sigv4::{self, VerifyError, VerifyOptions, VerifyRequest};
use support::{ACCESS_KEY, SECRET_KEY, Sandbox};

fn sandbox() -> Sandbox {
    let mut s = Sandbox::new();
    s.var("AWS_DEFAULT_REGION", Some("us-west-2"))
        .var("AWS_STS_REGIONAL_ENDPOINTS", Some("regional"));
    s
}

fn base64url_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'-' => 62,
            b'_' => 63,
            _ => panic!("not base64url: {c}"),
        }
    };
    let mut out = Vec::new();
    for chunk in s.as_bytes().chunks(4) {
        let mut n = 0;
        for (i, c) in chunk.iter().enumerate() {
            n |= val(*c) << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

fn verify(url: &str, headers: &[(&str, &str)]) -> Result<sigv4::Verified, VerifyError> {
    let rest = url.strip_prefix("https://").unwrap();
    let (host_path, query) = rest.split_once('?').unwrap();
    let (host, path) = host_path.split_at(host_path.find('/').unwrap());
    let mut all = vec![("host", host)];
    all.extend_from_slice(headers);
    sigv4::verify(
        &VerifyRequest {
            method: "GET",
            path,
            query,
            headers: &all,
            body: b"",
        },
        |id| (id == ACCESS_KEY).then_some(SECRET_KEY),
        SystemTime::now(),
        &VerifyOptions::default(),
    )
}

fn url_of_token(token: &str) -> String {
    let b64 = token.strip_prefix("k8s-aws-v1.").unwrap();
    assert!(!b64.contains('='), "padding in {b64}");
    String::from_utf8(base64url_decode(b64)).unwrap()
}

/// The document with the token and the timestamp replaced, after checking
/// their shape.
fn normalize(out: &str) -> (String, String) {
    let doc: serde_json::Value = serde_json::from_str(out).unwrap();
    let token = doc["status"]["token"].as_str().unwrap().to_owned();
    let ts = doc["status"]["expirationTimestamp"].as_str().unwrap();
    assert_eq!(ts.len(), 20, "{ts}");
    assert!(ts.ends_with('Z') && ts.as_bytes()[10] == b'T', "{ts}");
    let text = out.replace(&token, "<token>").replace(ts, "<time>");
    (text, token)
}

#[test]
fn eks_token_verifies_for_its_cluster_and_matches_the_aws_cli() {
    let s = sandbox();
    let out = s.awssts(&["eks-token", "--cluster-name", "prod-cluster"]);
    let (ours, token) = normalize(out.ok());
    assert_eq!(
        ours,
        "{\n    \"kind\": \"ExecCredential\",\n    \"apiVersion\": \"client.authentication.k8s.io/v1beta1\",\n    \
         \"spec\": {},\n    \"status\": {\n        \"expirationTimestamp\": \"<time>\",\n        \
         \"token\": \"<token>\"\n    }\n}\n\n"
    );
    let url = url_of_token(&token);
    assert!(
        url.starts_with(
            "https://sts.us-west-2.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&"
        ),
        "{url}"
    );
    assert!(url.contains("&X-Amz-Expires=60&"), "{url}");
    let v = verify(&url, &[("x-k8s-aws-id", "prod-cluster")]).unwrap();
    assert_eq!(v.signed_headers, ["host", "x-k8s-aws-id"]);
    assert_eq!(v.scope.region, "us-west-2");
    assert!(matches!(
        verify(&url, &[("x-k8s-aws-id", "other-cluster")]),
        Err(VerifyError::SignatureMismatch { .. })
    ));

    // The AWS CLI prints the same document around its own token, for the
    // same endpoint and signed headers.
    let aws = s.aws_cmd(&["eks", "get-token", "--cluster-name", "prod-cluster"]);
    let (theirs, their_token) = normalize(aws.ok());
    assert_eq!(ours, theirs);
    let their_url = url_of_token(&their_token);
    let params = |u: &str| {
        let mut p: Vec<String> = u
            .split_once('?')
            .unwrap()
            .1
            .split('&')
            .map(|kv| kv.split('=').next().unwrap().to_owned())
            .collect();
        p.sort();
        p
    };
    assert_eq!(params(&url), params(&their_url));
    assert_eq!(url.split('?').next(), their_url.split('?').next());
    assert!(their_url.contains("X-Amz-SignedHeaders=host%3Bx-k8s-aws-id"));
}

#[test]
fn eks_token_follows_kubernetes_exec_info() {
    let mut s = sandbox();
    s.var(
        "KUBERNETES_EXEC_INFO",
        Some(r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}"#),
    );
    let doc = s.awssts(&["eks-token", "--cluster-id", "abc-123"]).json();
    assert_eq!(doc["apiVersion"], "client.authentication.k8s.io/v1");
    let url = url_of_token(doc["status"]["token"].as_str().unwrap());
    verify(&url, &[("x-k8s-aws-id", "abc-123")]).unwrap();

    let out = s.awssts(&["eks-token"]);
    assert_eq!(out.code, 252, "{out:?}");
}

#[test]
fn presigned_get_caller_identity_verifies_and_expires_as_asked() {
    let s = sandbox();
    let out = s.awssts(&["get-caller-identity", "--presign", "--expires-in", "120"]);
    let url = out.ok().strip_suffix('\n').unwrap();
    assert!(!url.contains('\n'));
    let v = verify(url, &[]).unwrap();
    assert_eq!(v.signed_headers, ["host"]);
    let lifetime = v
        .expires_at
        .unwrap()
        .duration_since(v.request_time.to_system_time())
        .unwrap();
    assert_eq!(lifetime.as_secs(), 120);

    let bad = s.awssts(&["get-caller-identity", "--presign", "--expires-in", "0"]);
    assert_eq!(bad.code, 252, "{bad:?}");
    let bad = s.awssts(&["get-caller-identity", "--expires-in", "60"]);
    assert_eq!(bad.code, 252, "{bad:?}");
}
