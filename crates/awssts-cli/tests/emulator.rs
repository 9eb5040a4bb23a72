//! Every STS subcommand against the awssts emulator (started in the test
//! process), as a child process with its own HOME: stdout, stderr and the
//! exit code; the credentials handed out are used for the next call; and
//! modeled errors (trust rules, role limits, queued faults) end with the AWS
//! CLI's line and exit 254.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use awssts_emulator::{Config, Emulator, Fault, FaultKind, RoleConfig};
use serde_json::Value;
use support::emulator::*;
use support::{ACCESS_KEY, Output, Sandbox};

/// `2026-11-22T12:00:00+00:00`: the AWS CLI's ISO 8601 timestamps.
fn is_iso_utc(v: &Value) -> bool {
    let Some(v) = v.as_str() else { return false };
    let b = v.as_bytes();
    b.len() == 25
        && b[4] == b'-'
        && b[10] == b'T'
        && v.ends_with("+00:00")
        && v[..4].chars().all(|c| c.is_ascii_digit())
}

/// Checks a `Credentials` object and returns a sandbox signing with it.
fn check_credentials(c: &Value) -> Sandbox {
    let id = c["AccessKeyId"].as_str().unwrap();
    assert!(id.starts_with("ASIA") && id.len() == 20, "{c}");
    assert_eq!(c["SecretAccessKey"].as_str().unwrap().len(), 40, "{c}");
    assert!(c["SessionToken"].as_str().unwrap().len() > 40, "{c}");
    assert!(is_iso_utc(&c["Expiration"]), "{c}");
    assert_eq!(c.as_object().unwrap().len(), 4, "{c}");
    let mut sb = Sandbox::new();
    sb.var("AWS_ACCESS_KEY_ID", Some(id))
        .var("AWS_SECRET_ACCESS_KEY", c["SecretAccessKey"].as_str())
        .var("AWS_SESSION_TOKEN", c["SessionToken"].as_str());
    sb
}

fn whoami(sb: &Sandbox, url: &str) -> String {
    let me = sb
        .awssts(&["get-caller-identity", "--endpoint-url", url])
        .json();
    me["Arn"].as_str().unwrap().to_owned()
}

fn run(sb: &Sandbox, url: &str, args: &[&str]) -> Output {
    let mut full = vec!["--endpoint-url", url];
    full.extend_from_slice(args);
    sb.awssts(&full)
}

/// A sandbox without any credentials, for the unsigned operations.
fn anonymous() -> Sandbox {
    let mut sb = Sandbox::new();
    sb.var("AWS_ACCESS_KEY_ID", None)
        .var("AWS_SECRET_ACCESS_KEY", None);
    sb
}

#[test]
fn get_caller_identity_and_get_access_key_info() {
    let emu = start();
    let url = emu.url();
    let sb = Sandbox::new();
    let out = run(&sb, &url, &["get-caller-identity"]);
    let user_id = out.json()["UserId"].as_str().unwrap().to_owned();
    assert!(user_id.starts_with("AIDA"), "{user_id}");
    assert_eq!(
        out.ok(),
        format!(
            "{{\n    \"UserId\": \"{user_id}\",\n    \"Account\": \"{ACCOUNT}\",\n    \"Arn\": \"arn:aws:iam::{ACCOUNT}:user/emulator\"\n}}\n"
        )
    );
    let out = run(&sb, &url, &["get-caller-identity", "--output", "text"]);
    assert_eq!(
        out.ok(),
        format!("{ACCOUNT}\tarn:aws:iam::{ACCOUNT}:user/emulator\t{user_id}\n")
    );

    let out = run(
        &sb,
        &url,
        &["get-access-key-info", "--access-key-id", ACCESS_KEY],
    );
    assert_eq!(
        out.ok(),
        format!("{{\n    \"Account\": \"{ACCOUNT}\"\n}}\n")
    );
    // Issued keys embed their account.
    let creds = run(
        &sb,
        &url,
        &[
            "assume-role",
            "--role-arn",
            "arn:aws:iam::444455556666:role/x",
            "--role-session-name",
            "other",
            "--query",
            "Credentials.AccessKeyId",
            "--output",
            "text",
        ],
    );
    let key = creds.ok().trim().to_owned();
    let out = run(
        &sb,
        &url,
        &[
            "get-access-key-info",
            "--access-key-id",
            &key,
            "--output",
            "text",
        ],
    );
    assert_eq!(out.ok(), "444455556666\n");
}

#[test]
fn assume_role_gives_a_working_role_session() {
    let emu = start();
    let url = emu.url();
    let sb = Sandbox::new();
    let policy = sb.file(
        "policy.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
    );
    let policy_arg = format!("file://{}", policy.display());
    let doc = run(
        &sb,
        &url,
        &[
            "assume-role",
            "--role-arn",
            ROLE,
            "--role-session-name",
            "cli-session",
            "--duration-seconds",
            "1800",
            "--policy",
            &policy_arg,
            "--tags",
            "Key=Project,Value=Unicorn",
            "--transitive-tag-keys",
            "Project",
            "--source-identity",
            "alice",
        ],
    )
    .json();
    let session = check_credentials(&doc["Credentials"]);
    let arn = format!("arn:aws:sts::{ACCOUNT}:assumed-role/demo/cli-session");
    assert_eq!(doc["AssumedRoleUser"]["Arn"], arn.as_str());
    let role_id = doc["AssumedRoleUser"]["AssumedRoleId"].as_str().unwrap();
    assert!(
        role_id.starts_with("AROA") && role_id.ends_with(":cli-session"),
        "{role_id}"
    );
    assert!(doc["PackedPolicySize"].as_i64().unwrap() > 0, "{doc}");
    assert_eq!(doc["SourceIdentity"], "alice");
    assert_eq!(whoami(&session, &url), arn);

    // Role chaining: the session assumes another role.
    let chained = run(
        &session,
        &url,
        &[
            "assume-role",
            "--role-arn",
            "arn:aws:iam::123456789012:role/next",
            "--role-session-name",
            "hop",
        ],
    )
    .json();
    let next = check_credentials(&chained["Credentials"]);
    assert_eq!(
        whoami(&next, &url),
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/next/hop")
    );

    // --output env prints the credentials as exports.
    let env = run(
        &sb,
        &url,
        &[
            "assume-role",
            "--role-arn",
            ROLE,
            "--role-session-name",
            "env",
            "--output",
            "env",
        ],
    );
    let lines: Vec<&str> = env.ok().lines().collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(lines[0].starts_with("export AWS_ACCESS_KEY_ID=ASIA"));
}

#[test]
fn assume_role_with_saml_needs_no_credentials() {
    let emu = start();
    let url = emu.url();
    let sb = anonymous();
    let saml = sb.file("saml.b64", &saml_assertion());
    let doc = run(
        &sb,
        &url,
        &[
            "assume-role-with-saml",
            "--role-arn",
            SAML_ROLE,
            "--principal-arn",
            SAML_PROVIDER,
            "--saml-assertion",
            &format!("file://{}", saml.display()),
            "--duration-seconds",
            "900",
        ],
    )
    .json();
    let session = check_credentials(&doc["Credentials"]);
    let arn = format!("arn:aws:sts::{ACCOUNT}:assumed-role/saml/jdoe@example.org");
    assert_eq!(doc["AssumedRoleUser"]["Arn"], arn.as_str());
    assert_eq!(doc["Subject"], "jdoe@example.org");
    assert_eq!(doc["SubjectType"], "persistent");
    assert_eq!(doc["Issuer"], "https://idp.example.org/saml");
    assert_eq!(doc["Audience"], "https://signin.aws.amazon.com/saml");
    assert_eq!(doc["SourceIdentity"], "jdoe");
    assert!(doc["NameQualifier"].as_str().is_some_and(|q| !q.is_empty()));
    assert_eq!(whoami(&session, &url), arn);
}

#[test]
fn assume_role_with_web_identity_needs_no_credentials() {
    let emu = start();
    let url = emu.url();
    let sb = anonymous();
    let token = sb.file("token.jwt", &oidc_token());
    let doc = run(
        &sb,
        &url,
        &[
            "assume-role-with-web-identity",
            "--role-arn",
            WEB_ROLE,
            "--role-session-name",
            "pod-1",
            "--web-identity-token",
            &format!("file://{}", token.display()),
        ],
    )
    .json();
    let session = check_credentials(&doc["Credentials"]);
    let arn = format!("arn:aws:sts::{ACCOUNT}:assumed-role/ci/pod-1");
    assert_eq!(doc["AssumedRoleUser"]["Arn"], arn.as_str());
    assert_eq!(
        doc["SubjectFromWebIdentityToken"],
        "repo:octo/app:ref:refs/heads/main"
    );
    assert_eq!(doc["Audience"], "sts.amazonaws.com");
    assert_eq!(doc["Provider"], "token.actions.githubusercontent.com");
    assert_eq!(whoami(&session, &url), arn);

    // A malformed token is the service's error, and is never echoed.
    let out = run(
        &sb,
        &url,
        &[
            "assume-role-with-web-identity",
            "--role-arn",
            WEB_ROLE,
            "--role-session-name",
            "pod-1",
            "--web-identity-token",
            "not-a-jwt-but-a-secret-nonetheless",
        ],
    );
    assert_eq!(out.code, 254, "{out:?}");
    assert!(
        out.stderr.starts_with(
            "\nAn error occurred (InvalidIdentityToken) when calling the \
             AssumeRoleWithWebIdentity operation: "
        ),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("secret-nonetheless"), "{}", out.stderr);
}

#[test]
fn assume_root_gives_a_root_session() {
    let emu = start();
    let url = emu.url();
    let sb = Sandbox::new();
    let doc = run(
        &sb,
        &url,
        &[
            "assume-root",
            "--target-principal",
            "444455556666",
            "--task-policy-arn",
            &format!("arn={ROOT_TASK_POLICY}"),
            "--duration-seconds",
            "900",
        ],
    )
    .json();
    let root = check_credentials(&doc["Credentials"]);
    assert_eq!(whoami(&root, &url), "arn:aws:iam::444455556666:root");
}

#[test]
fn decode_authorization_message_decodes_the_emulators_messages() {
    let emu = start();
    let url = emu.url();
    let sb = Sandbox::new();
    let encoded = encoded_message(&emu);
    let out = run(
        &sb,
        &url,
        &[
            "decode-authorization-message",
            "--encoded-message",
            &encoded,
        ],
    );
    assert_eq!(
        out.ok(),
        format!(
            "{{\n    \"DecodedMessage\": {}\n}}\n",
            serde_json::to_string(DECODED).unwrap()
        )
    );
    let out = run(
        &sb,
        &url,
        &[
            "decode-authorization-message",
            "--encoded-message",
            &encoded,
            "--output",
            "text",
        ],
    );
    assert_eq!(out.ok(), format!("{DECODED}\n"));

    let out = run(
        &sb,
        &url,
        &[
            "decode-authorization-message",
            "--encoded-message",
            &format!("{encoded}AA"),
        ],
    );
    assert_eq!(out.code, 254, "{out:?}");
    assert!(
        out.stderr.starts_with(
            "\nAn error occurred (InvalidAuthorizationMessageException) when calling the \
             DecodeAuthorizationMessage operation: "
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn get_delegated_access_token_trades_the_token_in() {
    let emu = start();
    let url = emu.url();
    let sb = Sandbox::new();
    let token = sb.file("trade-in", &trade_in_token(&emu));
    let doc = run(
        &sb,
        &url,
        &[
            "get-delegated-access-token",
            "--trade-in-token",
            &format!("file://{}", token.display()),
        ],
    )
    .json();
    let delegated = check_credentials(&doc["Credentials"]);
    let user = format!("arn:aws:iam::{ACCOUNT}:user/emulator");
    assert_eq!(doc["AssumedPrincipal"], user.as_str());
    assert_eq!(whoami(&delegated, &url), user);
}

#[test]
fn get_federation_token_and_get_session_token() {
    let emu = start();
    let url = emu.url();
    let sb = Sandbox::new();
    let doc = run(
        &sb,
        &url,
        &[
            "get-federation-token",
            "--name",
            "fed-user",
            "--policy-arns",
            "arn=arn:aws:iam::aws:policy/ReadOnlyAccess",
            "--duration-seconds",
            "3600",
        ],
    )
    .json();
    let fed = check_credentials(&doc["Credentials"]);
    let arn = format!("arn:aws:sts::{ACCOUNT}:federated-user/fed-user");
    assert_eq!(doc["FederatedUser"]["Arn"], arn.as_str());
    assert_eq!(
        doc["FederatedUser"]["FederatedUserId"],
        format!("{ACCOUNT}:fed-user")
    );
    assert_eq!(whoami(&fed, &url), arn);

    let doc = run(
        &sb,
        &url,
        &["get-session-token", "--duration-seconds", "900"],
    )
    .json();
    assert_eq!(doc.as_object().unwrap().len(), 1, "{doc}");
    let session = check_credentials(&doc["Credentials"]);
    assert_eq!(
        whoami(&session, &url),
        format!("arn:aws:iam::{ACCOUNT}:user/emulator")
    );
}

#[test]
fn get_web_identity_token_returns_a_signed_jwt() {
    let emu = start();
    let url = emu.url();
    let sb = Sandbox::new();
    for alg in ["ES384", "RS256"] {
        let doc = run(
            &sb,
            &url,
            &[
                "get-web-identity-token",
                "--audience",
                "https://api.example.com",
                "--signing-algorithm",
                alg,
                "--duration-seconds",
                "120",
            ],
        )
        .json();
        let token = doc["WebIdentityToken"].as_str().unwrap();
        assert_eq!(token.split('.').count(), 3, "{token}");
        assert!(is_iso_utc(&doc["Expiration"]), "{doc}");
        assert_eq!(doc.as_object().unwrap().len(), 2, "{doc}");
    }
}

#[test]
fn modeled_errors_exit_254_with_the_aws_cli_line() {
    let config = Config::default().role(
        RoleConfig::new("arn:aws:iam::123456789012:role/deploy")
            .trust(["arn:aws:iam::123456789012:user/someone-else"]),
    );
    let emu = Emulator::with_config(config).start_blocking().unwrap();
    let url = emu.url();
    let sb = Sandbox::new();
    let assume = |duration: &str| {
        run(
            &sb,
            &url,
            &[
                "assume-role",
                "--role-arn",
                "arn:aws:iam::123456789012:role/deploy",
                "--role-session-name",
                "denied",
                "--duration-seconds",
                duration,
            ],
        )
    };
    let out = assume("900");
    assert_eq!(out.code, 254);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "\nAn error occurred (AccessDenied) when calling the AssumeRole operation: User: \
         arn:aws:iam::123456789012:user/emulator is not authorized to perform: sts:AssumeRole \
         on resource: arn:aws:iam::123456789012:role/deploy\n"
    );

    // A duration past the role's maximum.
    let emu2 = start();
    let out = run(
        &sb,
        &emu2.url(),
        &[
            "assume-role",
            "--role-arn",
            ROLE,
            "--role-session-name",
            "long",
            "--duration-seconds",
            "7200",
        ],
    );
    assert_eq!(out.code, 254, "{out:?}");
    assert!(
        out.stderr.starts_with(
            "\nAn error occurred (ValidationError) when calling the AssumeRole operation: "
        ) && out.stderr.contains("DurationSeconds"),
        "{}",
        out.stderr
    );

    // Faults queued on the emulator: not retryable, then retried until
    // the attempts run out (the AWS CLI then names the retries).
    emu2.faults().push(Fault::new(FaultKind::ExpiredToken));
    let out = run(&sb, &emu2.url(), &["get-caller-identity"]);
    assert_eq!(out.code, 254, "{out:?}");
    assert_eq!(
        out.stderr,
        "\nAn error occurred (ExpiredToken) when calling the GetCallerIdentity operation: \
         The security token included in the request is expired\n"
    );
    emu2.faults()
        .push(Fault::new(FaultKind::Throttling).times(10));
    let out = run(&sb, &emu2.url(), &["get-caller-identity"]);
    assert_eq!(out.code, 254, "{out:?}");
    assert_eq!(
        out.stderr,
        "\nAn error occurred (Throttling) when calling the GetCallerIdentity operation \
         (reached max retries: 2): Rate exceeded\n"
    );
    emu2.faults().clear();
    // One throttled attempt, then success: nothing on stderr.
    emu2.faults().push(Fault::new(FaultKind::Throttling));
    let out = run(&sb, &emu2.url(), &["get-caller-identity"]);
    assert_eq!(out.json()["Account"], ACCOUNT);
}

#[test]
fn credential_process_from_a_role_profile_keeps_the_role_chaining_cap() {
    // The source profile is itself a role: STS refuses chained sessions
    // over 1 hour, so awssts asks for 3600 s instead of failing.
    let emu = start();
    let url = emu.url();
    let mut sb = Sandbox::new();
    sb.file(
        ".aws/config",
        &format!(
            "[default]\ncli_timestamp_format = iso8601\n\
             [profile hop]\nrole_arn = {ROLE}\ncredential_source = Environment\n"
        ),
    );
    sb.var("AWS_ENDPOINT_URL", Some(&url));
    let out = sb.awssts(&[
        "credential-process",
        "--role-arn",
        "arn:aws:iam::123456789012:role/second",
        "--source-profile",
        "hop",
        "--duration-seconds",
        "43200",
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(
        doc["AccessKeyId"].as_str().unwrap().starts_with("ASIA"),
        "{doc}"
    );
    let expires = awssts::DateTime::parse(doc["Expiration"].as_str().unwrap())
        .unwrap()
        .to_system_time();
    let left = expires
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_default();
    assert!(left <= std::time::Duration::from_secs(3600), "{doc}");
}
