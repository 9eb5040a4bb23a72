//! The container credentials provider against a scripted endpoint on
//! 127.0.0.1 (an allowed FULL_URI host).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use awssts::credentials::container::ContainerProvider;
use awssts::credentials::{CredentialsErrorKind, ProvideCredentials};
use awssts::env::Env;
use support::stub::{Recorded, Reply, Stub};

const CANARY_SECRET: &str = "CANARYcontainerSecretKey";
const CANARY_TOKEN: &str = "CANARYcontainerAuthToken";

fn json(status: u16, body: &str) -> Reply {
    Reply::Respond {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.as_bytes().to_vec(),
    }
}

fn creds_json(akid: &str) -> String {
    format!(
        r#"{{"AccessKeyId":"{akid}","SecretAccessKey":"{CANARY_SECRET}","Token":"session-token",
            "Expiration":"2100-01-01T00:00:00Z","AccountId":"123456789012","RoleArn":"arn:aws:iam::123456789012:role/pod"}}"#
    )
}

fn ok_stub() -> Stub {
    Stub::start(|_: &Recorded, i| json(200, &creds_json(&format!("ASIACONT{i}"))))
}

#[tokio::test]
async fn full_uri_with_an_auth_token() {
    let stub = ok_stub();
    let env = Env::from_vars([
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            format!("{}/v1/credentials", stub.url),
        ),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", CANARY_TOKEN.into()),
    ]);
    let provider = ContainerProvider::from_env(&env);
    let creds = provider.provide_credentials().await.unwrap();
    assert_eq!(creds.access_key_id(), "ASIACONT0");
    assert_eq!(creds.secret_access_key(), CANARY_SECRET);
    assert_eq!(creds.session_token(), Some("session-token"));
    assert_eq!(creds.account_id(), Some("123456789012"));
    assert_eq!(creds.provider_name(), "container");
    assert_eq!(
        creds.expiration(),
        Some(
            awssts::DateTime::parse("2100-01-01T00:00:00Z")
                .unwrap()
                .to_system_time()
        )
    );
    let r = &stub.requests()[0];
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/v1/credentials");
    assert_eq!(r.header("authorization"), Some(CANARY_TOKEN));
    for shown in [
        format!("{provider:?}"),
        format!("{creds:?}"),
        creds.to_string(),
    ] {
        assert!(!shown.contains("CANARY"), "{shown}");
    }
}

#[tokio::test]
async fn the_token_file_wins_and_is_read_again_on_every_call() {
    let stub = ok_stub();
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("eks-pod-identity-token");
    std::fs::write(&token_file, "token-one\n").unwrap();
    let env = Env::from_vars([
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            format!("{}/v1/credentials", stub.url),
        ),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ignored".into()),
        (
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            token_file.to_str().unwrap().into(),
        ),
    ]);
    let provider = ContainerProvider::from_env(&env);
    provider.provide_credentials().await.unwrap();
    std::fs::write(&token_file, "token-two").unwrap();
    let second = provider.provide_credentials().await.unwrap();
    assert_eq!(second.access_key_id(), "ASIACONT1");
    let requests = stub.requests();
    assert_eq!(requests[0].header("authorization"), Some("token-one"));
    assert_eq!(requests[1].header("authorization"), Some("token-two"));
}

#[tokio::test]
async fn a_missing_token_file_or_a_token_with_a_line_break_is_refused() {
    let stub = ok_stub();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let provider =
        ContainerProvider::full_uri(&format!("{}/c", stub.url)).auth_token_file(&missing);
    let err = provider.provide_credentials().await.unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
    assert!(err.message().contains(missing.to_str().unwrap()), "{err}");

    let provider =
        ContainerProvider::full_uri(&format!("{}/c", stub.url)).auth_token("CANARYa\r\nX-Evil: 1");
    let err = provider.provide_credentials().await.unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
    assert!(!format!("{err:?}").contains("CANARY"), "{err:?}");
    assert!(stub.requests().is_empty());
}

#[tokio::test]
async fn disallowed_full_uri_hosts_are_refused_before_any_request() {
    for uri in [
        "http://169.254.169.254/latest/meta-data",
        "http://192.0.2.10/creds",
        "http://example.com/creds",
        "not a uri",
    ] {
        let env = Env::from_vars([("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri)]);
        let err = ContainerProvider::from_env(&env)
            .provide_credentials()
            .await
            .unwrap_err();
        assert_eq!(
            err.kind(),
            CredentialsErrorKind::InvalidConfiguration,
            "{uri}"
        );
        assert!(
            err.message().contains("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
            "{err}"
        );
    }
}

#[tokio::test]
async fn nothing_set_is_not_loaded() {
    let env = Env::from_vars(std::iter::empty::<(String, String)>());
    let err = ContainerProvider::from_env(&env)
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::NotLoaded);
    assert_eq!(err.provider(), "container");
}

#[tokio::test]
async fn relative_uri_goes_to_the_ecs_host() {
    // The ECS address is not reachable here; the error must name it.
    let env = Env::from_vars([(
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "/v2/credentials/abc",
    )]);
    let provider = ContainerProvider::from_env(&env)
        .timeouts(Duration::from_millis(200), Duration::from_millis(200))
        .retries(0, Duration::ZERO);
    let err = provider.provide_credentials().await.unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::ProviderFailed);
    assert!(
        err.message()
            .contains("http://169.254.170.2/v2/credentials/abc"),
        "{err}"
    );
}

#[tokio::test]
async fn server_errors_are_retried_then_succeed() {
    let stub = Stub::start(|_, i| {
        if i < 2 {
            json(503, "{}")
        } else {
            json(200, &creds_json("ASIAAFTER"))
        }
    });
    let provider = ContainerProvider::full_uri(&format!("{}/c", stub.url))
        .retries(2, Duration::from_millis(1));
    let creds = provider.provide_credentials().await.unwrap();
    assert_eq!(creds.access_key_id(), "ASIAAFTER");
    assert_eq!(stub.requests().len(), 3);

    // With fewer retries than failures, the last status is reported.
    let stub = Stub::start(|_, _| json(500, "{}"));
    let provider = ContainerProvider::full_uri(&format!("{}/c", stub.url))
        .retries(1, Duration::from_millis(1));
    let err = provider.provide_credentials().await.unwrap_err();
    assert!(
        err.message().contains("HTTP 500 after 2 attempt(s)"),
        "{err}"
    );
    assert_eq!(stub.requests().len(), 2);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let stub = Stub::start(|_, _| json(401, r#"{"message":"nope"}"#));
    let provider = ContainerProvider::full_uri(&format!("{}/c", stub.url));
    let err = provider.provide_credentials().await.unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::ProviderFailed);
    assert!(err.message().contains("HTTP 401"), "{err}");
    assert_eq!(stub.requests().len(), 1);
}

#[tokio::test]
async fn malformed_json_is_reported_without_its_content() {
    for body in [
        format!("<html>{CANARY_SECRET}</html>"),
        format!(r#"{{"AccessKeyId":"A","SecretAccessKey":"{CANARY_SECRET}"}}"#),
        format!(
            r#"{{"AccessKeyId":"A","SecretAccessKey":"{CANARY_SECRET}","Token":"t","Expiration":"{CANARY_SECRET}"}}"#
        ),
        "[1,2]".to_owned(),
    ] {
        let stub = Stub::start(move |_, _| json(200, &body));
        let provider = ContainerProvider::full_uri(&format!("{}/c", stub.url));
        let err = provider.provide_credentials().await.unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::ProviderFailed);
        let shown = format!("{err} {err:?}");
        assert!(
            shown.contains("credentials from http://127.0.0.1"),
            "{shown}"
        );
        assert!(!shown.contains("CANARY"), "{shown}");
    }
}
