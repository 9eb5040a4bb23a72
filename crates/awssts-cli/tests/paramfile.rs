//! `file://` values beside the AWS CLI's: the same files sent by both to a
//! server that keeps what arrives, and the same error for a missing file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use support::Sandbox;
use support::stub::StubSts;

/// The decoded value of `name` in a form body (`a=b&c=d`, percent-encoded
/// with `+` for a space).
fn form_value(body: &str, name: &str) -> Option<String> {
    fn decode(s: &str) -> String {
        let mut out = Vec::with_capacity(s.len());
        let mut bytes = s.bytes();
        while let Some(b) = bytes.next() {
            out.push(match b {
                b'+' => b' ',
                b'%' => {
                    let hex: String = bytes.by_ref().take(2).map(char::from).collect();
                    u8::from_str_radix(&hex, 16).unwrap()
                }
                b => b,
            });
        }
        String::from_utf8(out).unwrap()
    }
    body.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (decode(k) == name).then(|| decode(v))
    })
}

#[test]
fn file_values_arrive_as_the_aws_cli_sends_them() {
    let sb = Sandbox::new();
    let stub = StubSts::start(Duration::from_secs(3600));
    // A trailing newline, CRLF line ends and non-ASCII text; the token is
    // a secret, which awssts used to trim.
    sb.file(
        "policy.json",
        "{\r\n  \"Version\": \"2012-10-17\",\r\n  \"Statement\": []\r\n}\n",
    );
    sb.file("token", "eyJhbGciOi.é.sig\n");
    let args = [
        "assume-role-with-web-identity",
        "--endpoint-url",
        &stub.url,
        "--role-arn",
        "arn:aws:iam::123456789012:role/r",
        "--role-session-name",
        "s-1",
        "--web-identity-token",
        "file://~/token",
        "--policy",
        "file://$HOME/policy.json",
    ];
    // The stub answers this operation with a 400: both give up at once
    // (the venv's AWS CLI is v1, which exits 255 rather than v2's 254).
    let theirs = sb.aws(&args);
    assert!(theirs.stderr.contains("(InvalidAction)"), "{theirs:?}");
    let ours = sb.awssts(&args);
    assert_eq!(ours.code, 254, "{ours:?}");
    let bodies = stub.bodies();
    assert_eq!(bodies.len(), 2, "one request each: {bodies:?}");
    for name in ["Policy", "WebIdentityToken"] {
        let sent: Vec<Option<String>> = bodies.iter().map(|b| form_value(b, name)).collect();
        assert_eq!(sent[1], sent[0], "{name}: ours, then the AWS CLI's");
    }
    assert_eq!(
        form_value(&bodies[1], "WebIdentityToken").as_deref(),
        Some("eyJhbGciOi.é.sig\n")
    );
    assert_eq!(
        form_value(&bodies[1], "Policy").as_deref(),
        Some("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": []\n}\n")
    );
}

#[test]
fn a_missing_file_is_the_aws_clis_error() {
    let sb = Sandbox::new();
    let args = [
        "get-federation-token",
        "--name",
        "n",
        "--policy",
        "file://~/no-such-policy.json",
    ];
    let theirs = sb.aws(&args);
    let ours = sb.awssts(&args);
    assert_eq!(ours.code, 252, "{ours:?}");
    assert_eq!(ours.stdout, "");
    let message = |stderr: &str| {
        stderr
            .lines()
            .find_map(|l| {
                l.find("Error parsing parameter")
                    .map(|at| l[at..].to_owned())
            })
            .unwrap_or_else(|| panic!("no parameter error in {stderr:?}"))
    };
    let path = sb.home().join("no-such-policy.json");
    assert_eq!(
        message(&ours.stderr),
        format!(
            "Error parsing parameter '--policy': Unable to load paramfile \
             file://~/no-such-policy.json: [Errno 2] No such file or directory: '{}'",
            path.display()
        )
    );
    assert_eq!(message(&ours.stderr), message(&theirs.stderr));
}
