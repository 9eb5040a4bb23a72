//! awssts's own client against the in-process emulator: every operation's
//! happy path and the errors STS would answer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use awssts::credentials::Credentials;
use awssts::model::{PolicyDescriptorType, Tag};
use awssts_emulator::{Config, Fault, FaultKind, RoleConfig, UserConfig};
use support::*;

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const ALICE_KEY: &str = "AKIAALICEEXAMPLE0001";
const ALICE_SECRET: &str = "aliceSecretKeyExampleAliceSecretKeyExamp";
const DEPLOY: &str = "arn:aws:iam::111122223333:role/deploy";

fn code(e: &awssts::Error) -> (u16, String, String) {
    let s = e
        .service_error()
        .unwrap_or_else(|| panic!("not a service error: {e}"));
    (
        s.status(),
        s.code().to_owned(),
        s.message().unwrap_or_default().to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caller_identity_of_the_built_in_user() {
    let emu = start().await;
    let out = client(&emu.url())
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.arn.as_deref(),
        Some("arn:aws:iam::123456789012:user/emulator")
    );
    assert_eq!(out.account.as_deref(), Some("123456789012"));
    assert!(out.user_id.unwrap().starts_with("AIDA"));
    let id = out.metadata.request_id.unwrap();
    assert_eq!(id.len(), 36, "{id}");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_secret_and_unknown_key_are_refused() {
    let emu = start().await;
    let wrong = client_with(
        &emu.url(),
        Credentials::from_keys(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEz",
        ),
    );
    let e = wrong.get_caller_identity().send().await.unwrap_err();
    assert_eq!(
        code(&e),
        (
            403,
            "SignatureDoesNotMatch".into(),
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.".into()
        )
    );
    let unknown = client_with(
        &emu.url(),
        Credentials::from_keys("AKIAUNKNOWNKEY000000", "x"),
    );
    let e = unknown.get_caller_identity().send().await.unwrap_err();
    assert_eq!(
        code(&e),
        (
            403,
            "InvalidClientTokenId".into(),
            "The security token included in the request is invalid.".into()
        )
    );
    // A made-up session token for an ASIA key.
    let forged = client_with(
        &emu.url(),
        Credentials::new(
            "ASIAFORGEDKEY0000000",
            "secret",
            Some("Zm9yZ2Vk".into()),
            None,
            "test",
        ),
    );
    let e = forged.get_caller_identity().send().await.unwrap_err();
    assert_eq!(code(&e).1, "InvalidClientTokenId");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assume_role_gives_working_session_credentials() {
    let emu = start().await;
    let c = client(&emu.url());
    let out = c
        .assume_role()
        .role_arn("arn:aws:iam::444455556666:role/team/app")
        .role_session_name("ci-run")
        .send()
        .await
        .unwrap();
    let user = out.assumed_role_user.unwrap();
    assert_eq!(
        user.arn,
        "arn:aws:sts::444455556666:assumed-role/app/ci-run"
    );
    assert!(user.assumed_role_id.starts_with("AROA") && user.assumed_role_id.ends_with(":ci-run"));
    let credentials = out.credentials.unwrap();
    assert!(credentials.access_key_id.starts_with("ASIA"));
    assert_eq!(credentials.secret_access_key.len(), 40);
    let lifetime = credentials
        .expiration
        .to_system_time()
        .duration_since(std::time::SystemTime::now())
        .unwrap();
    assert!(lifetime <= Duration::from_secs(3600) && lifetime > Duration::from_secs(3500));

    let session = client_with(&emu.url(), creds(&credentials));
    let me = session.get_caller_identity().send().await.unwrap();
    assert_eq!(me.arn.as_deref(), Some(user.arn.as_str()));
    assert_eq!(me.user_id.as_deref(), Some(user.assumed_role_id.as_str()));
    assert_eq!(me.account.as_deref(), Some("444455556666"));

    // A session token from another emulator is refused.
    let other = start().await;
    let e = client_with(&other.url(), creds(&credentials))
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e).1, "InvalidClientTokenId");
    other.shutdown().await;

    // Role chaining: an hour at most.
    let e = session
        .assume_role()
        .role_arn("arn:aws:iam::444455556666:role/next")
        .role_session_name("chained")
        .duration_seconds(3601)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&e),
        (400, "ValidationError".into(), "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.".into())
    );
    session
        .assume_role()
        .role_arn("arn:aws:iam::444455556666:role/next")
        .role_session_name("chained")
        .duration_seconds(3600)
        .send()
        .await
        .unwrap();
    // SourceIdentity stays with the session through the chain.
    let with_identity = c
        .assume_role()
        .role_arn("arn:aws:iam::444455556666:role/app")
        .role_session_name("si")
        .source_identity("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(with_identity.source_identity.as_deref(), Some("alice"));
    let chained = client_with(
        &emu.url(),
        creds(with_identity.credentials.as_ref().unwrap()),
    )
    .assume_role()
    .role_arn("arn:aws:iam::444455556666:role/next")
    .role_session_name("si2")
    .send()
    .await
    .unwrap();
    assert_eq!(chained.source_identity.as_deref(), Some("alice"));
    // Above the role's maximum (IAM's default: one hour).
    let e = c
        .assume_role()
        .role_arn("arn:aws:iam::444455556666:role/next")
        .role_session_name("long")
        .duration_seconds(7200)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&e),
        (
            400,
            "ValidationError".into(),
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
                .into()
        )
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_credentials_expire_with_the_emulator_clock() {
    let emu = start().await;
    let out = client(&emu.url())
        .get_session_token()
        .duration_seconds(900)
        .send()
        .await
        .unwrap();
    let session = client_with(&emu.url(), creds(&out.credentials.unwrap()));
    let me = session.get_caller_identity().send().await.unwrap();
    assert_eq!(
        me.arn.as_deref(),
        Some("arn:aws:iam::123456789012:user/emulator")
    );
    let e = session.get_session_token().send().await.unwrap_err();
    assert_eq!(
        code(&e),
        (
            403,
            "AccessDenied".into(),
            "Cannot call GetSessionToken with session credentials".into()
        )
    );
    emu.clock().advance(Duration::from_secs(901));
    // The client first sees "Signature expired" (its clock is now 15 min
    // off), adopts the Date header, re-signs, and gets ExpiredToken.
    let e = session.get_caller_identity().send().await.unwrap_err();
    assert_eq!(
        code(&e),
        (
            403,
            "ExpiredToken".into(),
            "The security token included in the request is expired".into()
        )
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skewed_request_gets_sts_signature_expired_text() {
    let emu = start().await;
    emu.clock().advance(Duration::from_secs(3600));
    let client = awssts::Client::builder()
        .region("us-east-1")
        .endpoint_url(emu.url())
        .credentials(Credentials::from_keys(
            awssts_emulator::DEFAULT_ACCESS_KEY_ID,
            awssts_emulator::DEFAULT_SECRET_ACCESS_KEY,
        ))
        .retry(awssts::retry::RetryConfig::disabled())
        .build()
        .unwrap();
    let e = client.get_caller_identity().send().await;
    // Either refused with STS's text, or accepted after the client adopted
    // the emulator's clock from the Date header.
    match e {
        Err(e) => {
            let (status, code, message) = code(&e);
            assert_eq!((status, code.as_str()), (403, "SignatureDoesNotMatch"));
            assert!(message.starts_with("Signature expired: "), "{message}");
            assert!(message.ends_with(" - 15 min.)"), "{message}");
        }
        Ok(out) => assert!(out.arn.is_some()),
    }
    emu.shutdown().await;
}

fn trust_config() -> Config {
    Config::default()
        .user(
            UserConfig::new(ALICE, ALICE_KEY, ALICE_SECRET)
                .with_mfa("arn:aws:iam::111122223333:mfa/alice", Some("123456".into())),
        )
        .role(
            RoleConfig::new(DEPLOY)
                .trust([ALICE])
                .max_session_duration(7200),
        )
        .role(
            RoleConfig::new("arn:aws:iam::111122223333:role/vendor")
                .trust(["111122223333"])
                .external_id("ext-42"),
        )
        .role(
            RoleConfig::new("arn:aws:iam::111122223333:role/admin")
                .trust(["*"])
                .mfa_required(true),
        )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declared_roles_trust_external_id_and_mfa() {
    let emu = start_with(trust_config()).await;
    let shown = format!("{emu:?}");
    for secret in [ALICE_SECRET, awssts_emulator::DEFAULT_SECRET_ACCESS_KEY] {
        assert!(!shown.contains(secret), "Debug shows a secret: {shown}");
    }
    let alice = client_with(&emu.url(), Credentials::from_keys(ALICE_KEY, ALICE_SECRET));
    let default = client(&emu.url());

    let out = alice
        .assume_role()
        .role_arn(DEPLOY)
        .role_session_name("s1")
        .duration_seconds(7200)
        .send()
        .await
        .unwrap();
    assert!(out.credentials.is_some());
    let e = default
        .assume_role()
        .role_arn(DEPLOY)
        .role_session_name("s1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&e),
        (
            403,
            "AccessDenied".into(),
            format!(
                "User: arn:aws:iam::123456789012:user/emulator is not authorized to perform: sts:AssumeRole on resource: {DEPLOY}"
            )
        )
    );
    // Undeclared roles do not exist once roles are declared.
    let e = alice
        .assume_role()
        .role_arn("arn:aws:iam::111122223333:role/undeclared")
        .role_session_name("s1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e).1, "AccessDenied");

    // ExternalId.
    let vendor = "arn:aws:iam::111122223333:role/vendor";
    for external in [None, Some("wrong-id")] {
        let e = alice
            .assume_role()
            .role_arn(vendor)
            .role_session_name("vv")
            .set_external_id(external.map(str::to_owned))
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&e).1, "AccessDenied", "{external:?}");
    }
    alice
        .assume_role()
        .role_arn(vendor)
        .role_session_name("vv")
        .external_id("ext-42")
        .send()
        .await
        .unwrap();

    // MFA.
    let admin = "arn:aws:iam::111122223333:role/admin";
    let e = alice
        .assume_role()
        .role_arn(admin)
        .role_session_name("mm")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e).1, "AccessDenied");
    let e = alice
        .assume_role()
        .role_arn(admin)
        .role_session_name("mm")
        .serial_number("arn:aws:iam::111122223333:mfa/alice")
        .token_code("654321")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&e),
        (
            403,
            "AccessDenied".into(),
            "MultiFactorAuthentication failed with invalid MFA one time pass code. ".into()
        )
    );
    alice
        .assume_role()
        .role_arn(admin)
        .role_session_name("mm")
        .serial_number("arn:aws:iam::111122223333:mfa/alice")
        .token_code("123456")
        .send()
        .await
        .unwrap();
    // An MFA session from GetSessionToken satisfies the role too.
    let gst = alice
        .get_session_token()
        .serial_number("arn:aws:iam::111122223333:mfa/alice")
        .token_code("123456")
        .send()
        .await
        .unwrap();
    client_with(&emu.url(), creds(&gst.credentials.unwrap()))
        .assume_role()
        .role_arn(admin)
        .role_session_name("m2")
        .send()
        .await
        .unwrap();
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tag_rules_match_recorded_sts_messages() {
    let emu = start().await;
    let c = client(&emu.url());
    let role = "arn:aws:iam::123456789012:role/tagged";

    let (code_, message, status) = recorded_error(
        "test_assume_role_tag_validation",
        "duplicate-tag-keys-different-casing",
    );
    let e = c
        .assume_role()
        .role_arn(role)
        .role_session_name("tt")
        .tags(Tag::new("Project", "a"))
        .tags(Tag::new("project", "b"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), (status, code_, message));

    let (code_, message, status) = recorded_error(
        "test_assume_role_tag_validation",
        "invalid-transitive-tag-keys",
    );
    let e = c
        .assume_role()
        .role_arn(role)
        .role_session_name("tt")
        .tags(Tag::new("Project", "a"))
        .transitive_tag_keys("Team")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), (status, code_, message));

    // A transitive tag is inherited through a chain and cannot be overridden.
    let first = c
        .assume_role()
        .role_arn(role)
        .role_session_name("tt")
        .tags(Tag::new("Project", "a"))
        .transitive_tag_keys("Project")
        .send()
        .await
        .unwrap();
    #[allow(deprecated)]
    let packed = first.packed_policy_size;
    assert!(packed.is_some_and(|p| (0..=100).contains(&p)));
    let chained = client_with(&emu.url(), creds(first.credentials.as_ref().unwrap()));
    let (code_, message, status) = recorded_error(
        "test_iam_role_chaining_override_transitive_tags",
        "override-transitive-tag-case-ignore-error",
    );
    let e = chained
        .assume_role()
        .role_arn(role)
        .role_session_name("t2")
        .tags(Tag::new("PROJECT", "b"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), (status, code_, message));
    chained
        .assume_role()
        .role_arn(role)
        .role_session_name("t2")
        .tags(Tag::new("Other", "b"))
        .send()
        .await
        .unwrap();
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_role_arns_match_recorded_sts_messages() {
    let emu = start().await;
    let c = client(&emu.url());
    let all = recorded();
    let (_, entry) = all
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, _)| k.ends_with("test_sts_invalid_parameters"))
        .unwrap();
    let mut checked = 0;
    for (name, e) in entry["recorded-content"].as_object().unwrap() {
        let message = e["Error"]["Message"].as_str().unwrap();
        let Some(arn) = message.strip_suffix(" is invalid") else {
            continue;
        };
        // The client checks lengths first; ARNs shorter than the model's 20
        // characters are checked by the raw-request tests instead.
        if arn.chars().count() < 20 {
            continue;
        }
        let err = c
            .assume_role()
            .role_arn(arn)
            .role_session_name("ss")
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            code(&err),
            (
                400,
                e["Error"]["Code"].as_str().unwrap().to_owned(),
                message.to_owned()
            ),
            "{name}"
        );
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} recorded ARNs checked");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn federation_and_session_tokens() {
    let emu = start().await;
    let c = client(&emu.url());
    #[allow(deprecated)]
    {
        let out = c
            .get_federation_token()
            .name("bob")
            .policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#)
            .send()
            .await
            .unwrap();
        let fed = out.federated_user.unwrap();
        assert_eq!(fed.arn, "arn:aws:sts::123456789012:federated-user/bob");
        assert_eq!(fed.federated_user_id, "123456789012:bob");
        assert!(out.packed_policy_size.unwrap() > 0);
        let exp = out
            .credentials
            .as_ref()
            .unwrap()
            .expiration
            .to_system_time();
        assert!(exp > std::time::SystemTime::now() + Duration::from_secs(43000));
        let fed_client = client_with(&emu.url(), creds(out.credentials.as_ref().unwrap()));
        let me = fed_client.get_caller_identity().send().await.unwrap();
        assert_eq!(me.arn.as_deref(), Some(fed.arn.as_str()));
        let e = fed_client
            .get_federation_token()
            .name("again")
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            code(&e),
            (
                403,
                "AccessDenied".into(),
                "Cannot call GetFederationToken with session credentials".into()
            )
        );
        let e = fed_client
            .assume_role()
            .role_arn("arn:aws:iam::123456789012:role/x")
            .role_session_name("ss")
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&e).1, "AccessDenied");
    }
    let e = c
        .get_federation_token()
        .name("bob")
        .policy("not json")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e).1, "MalformedPolicyDocument");
    // Fifty tags of the largest size do not fit in a session.
    let tags: Vec<Tag> = (0..50)
        .map(|i| Tag::new(format!("{i:0>128}"), "v".repeat(256)))
        .collect();
    let e = c
        .get_federation_token()
        .name("bob")
        .set_tags(tags)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e).1, "PackedPolicyTooLarge");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_key_info_root_and_delegated_tokens() {
    let emu = start_with(trust_config()).await;
    let c = client(&emu.url());
    let out = c
        .get_access_key_info()
        .access_key_id(ALICE_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(out.account.as_deref(), Some("111122223333"));

    let out = c
        .assume_root()
        .target_principal("444455556666")
        .task_policy_arn(PolicyDescriptorType::new(
            "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials",
        ))
        .send()
        .await
        .unwrap();
    let root = client_with(&emu.url(), creds(out.credentials.as_ref().unwrap()));
    let me = root.get_caller_identity().send().await.unwrap();
    assert_eq!(me.arn.as_deref(), Some("arn:aws:iam::444455556666:root"));
    let e = client_with(&emu.url(), Credentials::from_keys(ALICE_KEY, ALICE_SECRET))
        .assume_root()
        .target_principal("444455556666")
        .task_policy_arn(PolicyDescriptorType::new(
            "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials",
        ))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e).1, "AccessDenied");

    let token = emu.trade_in_token(ALICE, Duration::from_secs(300)).unwrap();
    let out = c
        .get_delegated_access_token()
        .trade_in_token(token.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(out.assumed_principal.as_deref(), Some(ALICE));
    let me = client_with(&emu.url(), creds(out.credentials.as_ref().unwrap()))
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(me.arn.as_deref(), Some(ALICE));
    emu.clock().advance(Duration::from_secs(301));
    let e = c
        .get_delegated_access_token()
        .trade_in_token(token.as_str())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e).1, "ExpiredTradeInTokenException");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_are_consumed_in_order_and_retried() {
    let emu = start().await;
    let c = client(&emu.url());
    emu.faults()
        .push(Fault::new(FaultKind::Throttling).times(2));
    let out = c.get_caller_identity().send().await.unwrap();
    assert_eq!(out.metadata.attempts, 3);
    assert!(emu.faults().list().is_empty());

    emu.faults()
        .push(Fault::new(FaultKind::ServiceUnavailable).only("AssumeRole"));
    emu.faults().push(Fault::new(FaultKind::InternalError));
    let out = c.get_caller_identity().send().await.unwrap();
    assert_eq!(out.metadata.attempts, 2, "the 500 applies to any operation");
    assert_eq!(emu.faults().list().len(), 1);
    let out = c
        .assume_role()
        .role_arn("arn:aws:iam::123456789012:role/r")
        .role_session_name("ss")
        .send()
        .await
        .unwrap();
    assert_eq!(out.metadata.attempts, 2);

    emu.faults()
        .push(Fault::new(FaultKind::Throttling).times(5));
    let e = c.get_caller_identity().send().await.unwrap_err();
    assert_eq!(code(&e), (400, "Throttling".into(), "Rate exceeded".into()));
    emu.faults().clear();

    emu.faults().push(Fault::new(FaultKind::ExpiredToken));
    let e = c.get_caller_identity().send().await.unwrap_err();
    assert_eq!(code(&e).1, "ExpiredToken");

    // A truncated body on a fresh connection: the client retries it.
    emu.faults().push(Fault::new(FaultKind::TruncatedBody));
    let out = client(&emu.url()).get_caller_identity().send().await;
    let out = out.unwrap();
    assert!(emu.faults().list().is_empty());
    assert_eq!(out.metadata.attempts, 2, "a truncated body is retried");
    // On a pooled connection too, and the attempt is counted.
    emu.faults().push(Fault::new(FaultKind::TruncatedBody));
    let out = c.get_caller_identity().send().await.unwrap();
    assert_eq!(
        out.metadata.attempts, 2,
        "a truncated body on a pooled connection"
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_body_ends_in_a_client_timeout() {
    let emu = start().await;
    emu.faults().push(Fault::new(FaultKind::Stall));
    let c = awssts::Client::builder()
        .region("us-east-1")
        .endpoint_url(emu.url())
        .credentials(Credentials::from_keys(
            awssts_emulator::DEFAULT_ACCESS_KEY_ID,
            awssts_emulator::DEFAULT_SECRET_ACCESS_KEY,
        ))
        .retry(awssts::retry::RetryConfig::disabled())
        .transport_config(
            awssts::transport::TransportConfig::default()
                .read_timeout(Some(Duration::from_millis(300))),
        )
        .build()
        .unwrap();
    let e = c.get_caller_identity().send().await.unwrap_err();
    match e.kind() {
        awssts::ErrorKind::Transport(t) => {
            assert_eq!(
                t.kind(),
                awssts::transport::TransportErrorKind::ReadTimeout,
                "{e}"
            )
        }
        other => panic!("expected a read timeout, got {other:?}"),
    }
    // The next request is served normally.
    c.get_caller_identity().send().await.unwrap();
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_clients_get_their_own_answers() {
    let emu = start().await;
    let c = client(&emu.url());
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..32 {
        let c = c.clone();
        let url = emu.url();
        tasks.spawn(async move {
            let name = format!("session-{i}");
            let out = c
                .assume_role()
                .role_arn(format!("arn:aws:iam::123456789012:role/r{}", i % 4))
                .role_session_name(&name)
                .send()
                .await
                .unwrap();
            let me = client_with(&url, creds(out.credentials.as_ref().unwrap()))
                .get_caller_identity()
                .send()
                .await
                .unwrap();
            assert_eq!(
                me.arn.unwrap(),
                format!("arn:aws:sts::123456789012:assumed-role/r{}/{name}", i % 4)
            );
        });
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while let Some(r) = tokio::time::timeout_at(deadline, tasks.join_next())
        .await
        .unwrap()
    {
        r.unwrap();
    }
    emu.shutdown().await;
}
