//! Every STS subcommand moto implements, run as a child process against
//! moto, with stdout, stderr and the exit code checked; and the same calls
//! made with the real AWS CLI against the same server, whose output ours
//! must equal: byte for byte where the response is deterministic, with the
//! random values (keys, tokens, expiry times) normalised where it is not.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::compare::{self, is_iso_utc, normalize_text};
use support::moto::Moto;
use support::{ACCESS_KEY, Sandbox};

const ACCOUNT: &str = "123456789012";

/// The values moto makes up per call (its SAML subject is the role
/// session's random id).
const RANDOM: &[&str] = &[
    "AccessKeyId",
    "SecretAccessKey",
    "SessionToken",
    "Expiration",
    "AssumedRoleId",
    "Subject",
];

fn normalize_json(out: &str) -> String {
    compare::normalize_json(out, RANDOM)
}

fn saml_assertion(role: &str, provider: &str, session: &str) -> String {
    let xml = format!(
        r#"<?xml version="1.0"?>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r" Version="2.0" IssueInstant="2026-11-23T00:00:00Z">
  <saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">http://localhost:3000/</saml:Issuer>
  <saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a" Version="2.0" IssueInstant="2026-11-23T00:00:00Z">
    <saml:Issuer>http://localhost:3000/</saml:Issuer>
    <saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">alice</saml:NameID></saml:Subject>
    <saml:AttributeStatement>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role">
        <saml:AttributeValue>{role},{provider}</saml:AttributeValue>
      </saml:Attribute>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName">
        <saml:AttributeValue>{session}</saml:AttributeValue>
      </saml:Attribute>
    </saml:AttributeStatement>
  </saml:Assertion>
</samlp:Response>"#
    );
    base64(xml.as_bytes())
}

fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Runs the same arguments through awssts and the AWS CLI; both must
/// succeed silently. Returns (ours, theirs).
fn both(sb: &Sandbox, args: &[&str]) -> (String, String) {
    let ours = sb.awssts(args);
    let theirs = sb.aws(args);
    assert_eq!(theirs.code, 0, "aws {args:?}: {}", theirs.stderr);
    (ours.ok().to_owned(), theirs.stdout)
}

#[test]
fn deterministic_calls_print_what_the_aws_cli_prints_byte_for_byte() {
    let moto = Moto::start();
    let sb = Sandbox::new();
    let e = ["--endpoint-url", moto.url.as_str()];

    let args = [&e[..], &["get-caller-identity"]].concat();
    let (ours, theirs) = both(&sb, &args);
    assert_eq!(ours, theirs);
    let me: serde_json::Value = serde_json::from_str(&ours).unwrap();
    assert_eq!(me["Account"], ACCOUNT);
    assert_eq!(me["UserId"], ACCESS_KEY);
    assert!(ours.starts_with("{\n    \"UserId\": "), "{ours}");

    for extra in [
        &["--output", "text"][..],
        &["--query", "Account"],
        &["--query", "Account", "--output", "text"],
        &["--query", "{arn: Arn, id: UserId, n: length(Arn)}"],
        &["--query", "[Arn, Account]", "--output", "text"],
        &["--query", "Nothing"],
        &["--query", "Nothing", "--output", "text"],
    ] {
        let args = [&e[..], &["get-caller-identity"], extra].concat();
        let (ours, theirs) = both(&sb, &args);
        assert_eq!(ours, theirs, "{extra:?}");
    }

    for extra in [&[][..], &["--output", "text"], &["--query", "Account"]] {
        let args = [
            &e[..],
            &[
                "get-access-key-info",
                "--access-key-id",
                "ASIAIOSFODNN7EXAMPLE",
            ],
            extra,
        ]
        .concat();
        let (ours, theirs) = both(&sb, &args);
        assert_eq!(ours, theirs, "{extra:?}");
        assert!(ours.contains(ACCOUNT), "{ours}");
    }
}

#[test]
fn credential_calls_match_the_aws_cli_up_to_the_random_values() {
    let moto = Moto::start();
    let sb = Sandbox::new();
    let e = ["--endpoint-url", moto.url.as_str()];
    let role = format!("arn:aws:iam::{ACCOUNT}:role/demo");
    let policy = sb.file(
        "policy.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
    );
    let policy_arg = format!("file://{}", policy.display());
    let token = sb.file(
        "token.jwt",
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwb2QifQ.c2lnbmF0dXJl",
    );
    let token_arg = format!("file://{}", token.display());
    let saml_role = format!("arn:aws:iam::{ACCOUNT}:role/saml");
    let provider = format!("arn:aws:iam::{ACCOUNT}:saml-provider/idp");
    let saml = sb.file("saml.b64", &saml_assertion(&saml_role, &provider, "alice"));
    let saml_arg = format!("file://{}", saml.display());

    let calls: Vec<Vec<&str>> = vec![
        vec![
            "assume-role",
            "--role-arn",
            &role,
            "--role-session-name",
            "cli-session",
            "--duration-seconds",
            "1800",
            "--external-id",
            "ext-123",
            "--policy",
            &policy_arg,
            "--policy-arns",
            "arn=arn:aws:iam::aws:policy/ReadOnlyAccess",
            "--tags",
            "Key=Project,Value=Unicorn",
            "Key=Team,Value=Blue",
            "--transitive-tag-keys",
            "Project",
            "Team",
        ],
        vec![
            "assume-role",
            "--role-arn",
            &role,
            "--role-session-name",
            "json-args",
            "--tags",
            r#"[{"Key":"Project","Value":"Unicorn"}]"#,
            "--policy-arns",
            r#"[{"arn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}]"#,
        ],
        vec!["get-session-token", "--duration-seconds", "900"],
        vec![
            "get-federation-token",
            "--name",
            "fed-user",
            "--policy",
            &policy_arg,
        ],
        vec![
            "assume-role-with-web-identity",
            "--role-arn",
            &role,
            "--role-session-name",
            "pod-1",
            "--web-identity-token",
            &token_arg,
        ],
        vec![
            "assume-role-with-saml",
            "--role-arn",
            &saml_role,
            "--principal-arn",
            &provider,
            "--saml-assertion",
            &saml_arg,
        ],
    ];
    for call in &calls {
        let args = [&e[..], &call[..]].concat();
        let (ours, theirs) = both(&sb, &args);
        assert_eq!(normalize_json(&ours), normalize_json(&theirs), "{call:?}");
        let doc: serde_json::Value = serde_json::from_str(&ours).unwrap();
        assert!(
            doc["Credentials"]["SessionToken"]
                .as_str()
                .is_some_and(|t| !t.is_empty()),
            "{ours}"
        );

        let text = [&args[..], &["--output", "text"]].concat();
        let (ours, theirs) = both(&sb, &text);
        assert_eq!(
            normalize_text(&ours),
            normalize_text(&theirs),
            "{call:?} text"
        );

        let query = [&args[..], &["--query", "Credentials"]].concat();
        let (ours, theirs) = both(&sb, &query);
        assert_eq!(
            normalize_json(&ours),
            normalize_json(&theirs),
            "{call:?} query"
        );
    }
}

#[test]
fn assumed_role_details_and_env_output() {
    let moto = Moto::start();
    let sb = Sandbox::new();
    let e = ["--endpoint-url", moto.url.as_str()];
    let role = format!("arn:aws:iam::{ACCOUNT}:role/demo");
    let args = [
        &e[..],
        &[
            "assume-role",
            "--role-arn",
            &role,
            "--role-session-name",
            "s-1",
        ],
    ]
    .concat();
    let doc = sb.awssts(&args).json();
    assert_eq!(
        doc["AssumedRoleUser"]["Arn"],
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/demo/s-1")
    );

    let env = sb.awssts(&[&args[..], &["--output", "env"]].concat());
    let lines: Vec<&str> = env.ok().lines().collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    for (line, var) in lines.iter().zip([
        "AWS_ACCESS_KEY_ID=ASIA",
        "AWS_SECRET_ACCESS_KEY=",
        "AWS_SESSION_TOKEN=",
        "AWS_CREDENTIAL_EXPIRATION=",
    ]) {
        assert!(line.starts_with(&format!("export {var}")), "{line}");
    }
    assert!(
        is_iso_utc(lines[3].rsplit('=').next().unwrap()),
        "{}",
        lines[3]
    );

    // The exported credentials work: they identify the role session.
    let mut as_role = Sandbox::new();
    for line in &lines[..3] {
        let (k, v) = line
            .strip_prefix("export ")
            .unwrap()
            .split_once('=')
            .unwrap();
        as_role.var(k, Some(v));
    }
    let who = as_role
        .awssts(&[&e[..], &["get-caller-identity"]].concat())
        .json();
    assert_eq!(
        who["Arn"],
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/demo/s-1")
    );

    // The output format can come from the profile.
    let mut sb2 = Sandbox::new();
    sb2.file(".aws/config", "[profile t]\noutput = text\n");
    sb2.var("AWS_PROFILE", Some("t"));
    let text = sb2.awssts(&[&e[..], &["get-caller-identity"]].concat());
    assert_eq!(
        text.ok(),
        format!("{ACCOUNT}\tarn:aws:sts::{ACCOUNT}:user/moto\t{ACCESS_KEY}\n")
    );
    // AWS_DEFAULT_OUTPUT beats the profile, as in the AWS CLI.
    sb2.var("AWS_DEFAULT_OUTPUT", Some("json"));
    let json = sb2.awssts(&[&e[..], &["get-caller-identity"]].concat());
    assert_eq!(json.json()["Account"], ACCOUNT);
    // The AWS CLI's table format, which awssts does not print, falls back
    // to JSON with a note instead of failing every command.
    let sb3 = Sandbox::new();
    sb3.file(".aws/config", "[default]\noutput = table\n");
    let out = sb3.awssts(&[&e[..], &["get-caller-identity"]].concat());
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("using json"), "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["Account"], ACCOUNT);
}

#[test]
fn profiles_give_region_endpoint_and_credentials() {
    let moto = Moto::start();
    let mut sb = Sandbox::new();
    // Credentials moto recognises as a role session, for the profile.
    let role = format!("arn:aws:iam::{ACCOUNT}:role/prof");
    let creds = sb
        .awssts(&[
            "--endpoint-url",
            &moto.url,
            "assume-role",
            "--role-arn",
            &role,
            "--role-session-name",
            "from-profile",
            "--query",
            "Credentials",
        ])
        .json();
    sb.var("AWS_DEFAULT_REGION", None);
    sb.file(
        ".aws/config",
        &format!(
            "[profile dev]\nregion = eu-west-1\nendpoint_url = {}\n",
            moto.url
        ),
    );
    sb.file(
        ".aws/credentials",
        &format!(
            "[dev]\naws_access_key_id = {}\naws_secret_access_key = {}\naws_session_token = {}\n",
            creds["AccessKeyId"].as_str().unwrap(),
            creds["SecretAccessKey"].as_str().unwrap(),
            creds["SessionToken"].as_str().unwrap(),
        ),
    );
    let session = format!("arn:aws:sts::{ACCOUNT}:assumed-role/prof/from-profile");
    // --profile wins over the keys in the environment, as in the AWS CLI.
    let who = sb
        .awssts(&["get-caller-identity", "--profile", "dev"])
        .json();
    assert_eq!(who["Arn"], session.as_str());
    let who = sb
        .awssts(&["--profile", "dev", "get-caller-identity"])
        .json();
    assert_eq!(who["Arn"], session.as_str(), "global flags go anywhere");
    // AWS_PROFILE selects the profile, but keys in the environment come first.
    sb.var("AWS_PROFILE", Some("dev"));
    let who = sb.awssts(&["get-caller-identity"]).json();
    assert_eq!(who["UserId"], ACCESS_KEY);
}
