//! Our output beside the real AWS CLI's (`aws sts …` from the venv, v1 with
//! `cli_timestamp_format = iso8601`) for the same call against the same
//! emulator, for every operation botocore's STS model has (all 11):
//! byte for byte where the answer is deterministic, and with the values the
//! emulator makes up per call (keys, tokens, expiry times) normalised, after
//! their shape is checked, where it is not. JSON, text and `--query`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::compare::{normalize_json, normalize_text};
use support::emulator::*;
use support::{ACCESS_KEY, Sandbox};

/// What the emulator draws afresh for every call.
const RANDOM: &[&str] = &[
    "AccessKeyId",
    "SecretAccessKey",
    "SessionToken",
    "Expiration",
    "WebIdentityToken",
];

/// Runs the same arguments through awssts and the AWS CLI; both must
/// succeed silently. Returns (ours, theirs).
fn both(sb: &Sandbox, args: &[&str]) -> (String, String) {
    let ours = sb.awssts(args);
    let theirs = sb.aws(args);
    assert_eq!(theirs.code, 0, "aws {args:?}: {}", theirs.stderr);
    assert_eq!(theirs.stderr, "", "aws {args:?}");
    (ours.ok().to_owned(), theirs.stdout)
}

/// The operations botocore's STS model lists, from the venv's botocore.
fn botocore_operations() -> Vec<String> {
    let python = support::venv().join("bin/python");
    let out = std::process::Command::new(&python)
        .args([
            "-c",
            "import botocore.session as s; \
             print('\\n'.join(s.get_session().get_service_model('sts').operation_names))",
        ])
        .env_clear()
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// `GetCallerIdentity` → `get-caller-identity`.
fn command_name(operation: &str) -> String {
    let mut out = String::new();
    for (i, c) in operation.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out.replace("s-a-m-l", "saml")
}

#[test]
fn every_operation_prints_what_the_aws_cli_prints() {
    let emu = start();
    let url = emu.url();
    let sb = Sandbox::new();
    let e = ["--endpoint-url", url.as_str()];

    let saml = sb.file("saml.b64", &saml_assertion());
    let saml_arg = format!("file://{}", saml.display());
    let token = sb.file("token.jwt", &oidc_token());
    let token_arg = format!("file://{}", token.display());
    let trade_in = sb.file("trade-in", &trade_in_token(&emu));
    let trade_in_arg = format!("file://{}", trade_in.display());
    let encoded = encoded_message(&emu);
    let policy = sb.file(
        "policy.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
    );
    let policy_arg = format!("file://{}", policy.display());
    let root_policy = format!("arn={ROOT_TASK_POLICY}");

    // (arguments, deterministic?)
    let calls: Vec<(Vec<&str>, bool)> = vec![
        (vec!["get-caller-identity"], true),
        (
            vec!["get-access-key-info", "--access-key-id", ACCESS_KEY],
            true,
        ),
        (
            vec![
                "decode-authorization-message",
                "--encoded-message",
                &encoded,
            ],
            true,
        ),
        (
            vec![
                "assume-role",
                "--role-arn",
                ROLE,
                "--role-session-name",
                "cli-session",
                "--duration-seconds",
                "1800",
                "--policy",
                &policy_arg,
                "--policy-arns",
                "arn=arn:aws:iam::aws:policy/ReadOnlyAccess",
                "--tags",
                "Key=Project,Value=Unicorn",
                "Key=Team,Value=Blue",
                "--transitive-tag-keys",
                "Project",
                "--source-identity",
                "alice",
            ],
            false,
        ),
        (
            vec![
                "assume-role-with-saml",
                "--role-arn",
                SAML_ROLE,
                "--principal-arn",
                SAML_PROVIDER,
                "--saml-assertion",
                &saml_arg,
            ],
            false,
        ),
        (
            vec![
                "assume-role-with-web-identity",
                "--role-arn",
                WEB_ROLE,
                "--role-session-name",
                "pod-1",
                "--web-identity-token",
                &token_arg,
            ],
            false,
        ),
        (
            vec![
                "assume-root",
                "--target-principal",
                "444455556666",
                "--task-policy-arn",
                &root_policy,
            ],
            false,
        ),
        (
            vec![
                "get-delegated-access-token",
                "--trade-in-token",
                &trade_in_arg,
            ],
            false,
        ),
        (
            vec![
                "get-federation-token",
                "--name",
                "fed-user",
                "--policy",
                &policy_arg,
                "--duration-seconds",
                "3600",
            ],
            false,
        ),
        (
            vec!["get-session-token", "--duration-seconds", "900"],
            false,
        ),
        (
            vec![
                "get-web-identity-token",
                // Not a URL: AWS CLI v1 fetches http(s) parameter values
                // (v2 and awssts do not).
                "--audience",
                "api.example.com",
                "--signing-algorithm",
                "ES384",
            ],
            false,
        ),
    ];

    let mut covered: Vec<String> = calls.iter().map(|(c, _)| c[0].to_owned()).collect();
    covered.sort();
    let mut known: Vec<String> = botocore_operations()
        .iter()
        .map(|o| command_name(o))
        .collect();
    known.sort();
    assert_eq!(covered, known, "one call per operation botocore knows");

    for (call, deterministic) in &calls {
        let args = [&e[..], &call[..]].concat();
        let (ours, theirs) = both(&sb, &args);
        serde_json::from_str::<serde_json::Value>(&ours).unwrap();
        if *deterministic {
            assert_eq!(ours, theirs, "{call:?}");
        } else {
            assert_eq!(
                normalize_json(&ours, RANDOM),
                normalize_json(&theirs, RANDOM),
                "{call:?}"
            );
            assert_ne!(
                normalize_json(&ours, RANDOM),
                ours,
                "{call:?}: something was normalised"
            );
        }

        let text = [&args[..], &["--output", "text"]].concat();
        let (ours, theirs) = both(&sb, &text);
        if *deterministic {
            assert_eq!(ours, theirs, "{call:?} text");
        } else {
            assert_eq!(
                normalize_text(&ours),
                normalize_text(&theirs),
                "{call:?} text"
            );
        }
    }

    // --query over the credentials of each credential-returning operation.
    for (call, deterministic) in &calls {
        if *deterministic || call[0] == "get-web-identity-token" {
            continue;
        }
        let args = [
            &e[..],
            &call[..],
            &["--query", "Credentials.[Expiration, AccessKeyId]"],
        ]
        .concat();
        let (ours, theirs) = both(&sb, &args);
        let shape = |s: &str| {
            let v: serde_json::Value = serde_json::from_str(s).unwrap();
            let a = v.as_array().unwrap().clone();
            assert_eq!(a.len(), 2, "{s}");
            assert!(a[1].as_str().unwrap().starts_with("ASIA"), "{s}");
            s.lines().count()
        };
        assert_eq!(shape(&ours), shape(&theirs), "{call:?} query");
    }
}

#[test]
fn service_errors_match_the_aws_cli_line() {
    let emu = start();
    let url = emu.url();
    let sb = Sandbox::new();
    let args = [
        "--endpoint-url",
        url.as_str(),
        "assume-role",
        "--role-arn",
        ROLE,
        "--role-session-name",
        "too-long",
        "--duration-seconds",
        "7200",
    ];
    let ours = sb.awssts(&args);
    let theirs = sb.aws(&args);
    assert_eq!(ours.code, 254);
    // AWS CLI v1 exits 255 for service errors (v2: 254); the line is the same.
    assert_eq!(theirs.code, 255);
    assert_eq!(ours.stdout, "");
    assert_eq!(ours.stderr, theirs.stderr);
    assert!(ours.stderr.contains("(ValidationError)"), "{}", ours.stderr);

    // Throttled until the retries run out: both name the retries (the AWS
    // CLI in standard mode, 3 attempts, as v2 and awssts retry).
    let mut sb = Sandbox::new();
    sb.var("AWS_RETRY_MODE", Some("standard"));
    let args = ["--endpoint-url", url.as_str(), "get-caller-identity"];
    emu.faults()
        .push(awssts_emulator::Fault::new(awssts_emulator::FaultKind::Throttling).times(3));
    let ours = sb.awssts(&args);
    assert!(emu.faults().list().is_empty(), "awssts made 3 attempts");
    emu.faults()
        .push(awssts_emulator::Fault::new(awssts_emulator::FaultKind::Throttling).times(3));
    let theirs = sb.aws(&args);
    assert!(
        emu.faults().list().is_empty(),
        "the AWS CLI made 3 attempts"
    );
    assert_eq!((ours.code, theirs.code), (254, 255));
    assert_eq!(ours.stderr, theirs.stderr);
    assert!(
        ours.stderr
            .contains("(reached max retries: 2): Rate exceeded"),
        "{}",
        ours.stderr
    );
}
