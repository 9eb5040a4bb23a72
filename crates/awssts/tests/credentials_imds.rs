//! The IMDSv2 provider against a scripted metadata service on 127.0.0.1.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use awssts::credentials::imds::ImdsProvider;
use awssts::credentials::{CredentialsErrorKind, ProvideCredentials};
use awssts::env::Env;
use support::stub::{Recorded, Reply, Stub};

const CANARY_SECRET: &str = "CANARYimdsSecretKey";
const ROLE: &str = "web-server";

fn text(status: u16, body: &str) -> Reply {
    Reply::Respond {
        status,
        headers: vec![("content-type".into(), "text/plain".into())],
        body: body.as_bytes().to_vec(),
    }
}

fn creds_json(akid: &str, account: bool) -> String {
    let account = if account {
        r#","AccountId":"123456789012""#
    } else {
        ""
    };
    format!(
        r#"{{"Code":"Success","LastUpdated":"2024-01-01T00:00:00Z","Type":"AWS-HMAC",
            "AccessKeyId":"{akid}","SecretAccessKey":"{CANARY_SECRET}","Token":"imds-session",
            "Expiration":"2100-01-01T00:00:00Z"{account}}}"#
    )
}

/// A metadata service: tokens `tok-<n>` (n counts PUTs), paths as on EC2.
/// `extended` says whether the extended path is served; `reject_first`
/// makes the first token stop working after the role listing.
fn imds(extended: bool, reject_first: bool) -> Stub {
    let puts = Arc::new(AtomicUsize::new(0));
    Stub::start(move |r: &Recorded, _| {
        if r.method == "PUT" && r.path == "/latest/api/token" {
            if r.header("x-aws-ec2-metadata-token-ttl-seconds") != Some("21600") {
                return text(400, "missing TTL");
            }
            let n = puts.fetch_add(1, Ordering::SeqCst) + 1;
            return text(200, &format!("tok-{n}"));
        }
        let Some(token) = r.header("x-aws-ec2-metadata-token") else {
            return text(401, "");
        };
        let path = r.path.as_str();
        let (prefix, is_extended) = if let Some(rest) =
            path.strip_prefix("/latest/meta-data/iam/security-credentials-extended/")
        {
            (rest, true)
        } else if let Some(rest) = path.strip_prefix("/latest/meta-data/iam/security-credentials/")
        {
            (rest, false)
        } else {
            return text(404, "");
        };
        if is_extended && !extended {
            return text(404, "");
        }
        if prefix.is_empty() {
            return text(200, &format!("{ROLE}\n"));
        }
        if reject_first && token == "tok-1" {
            return text(401, "");
        }
        if prefix == ROLE {
            return text(
                200,
                &creds_json(&format!("ASIA{}", token.replace('-', "")), is_extended),
            );
        }
        text(404, "")
    })
}

fn provider(stub: &Stub) -> ImdsProvider {
    ImdsProvider::new().endpoint(&stub.url)
}

#[tokio::test]
async fn token_role_then_credentials_on_the_extended_path() {
    let stub = imds(true, false);
    let env = Env::from_vars([("AWS_EC2_METADATA_SERVICE_ENDPOINT", stub.url.as_str())]);
    let provider = ImdsProvider::from_env(&env);
    let creds = provider.provide_credentials().await.unwrap();
    assert_eq!(creds.access_key_id(), "ASIAtok1");
    assert_eq!(creds.secret_access_key(), CANARY_SECRET);
    assert_eq!(creds.session_token(), Some("imds-session"));
    assert_eq!(creds.account_id(), Some("123456789012"));
    assert_eq!(creds.provider_name(), "imds");
    assert_eq!(
        creds.expiration(),
        Some(
            awssts::DateTime::parse("2100-01-01T00:00:00Z")
                .unwrap()
                .to_system_time()
        )
    );
    let requests = stub.requests();
    let seen: Vec<(String, String)> = requests
        .iter()
        .map(|r| (r.method.clone(), r.path.clone()))
        .collect();
    assert_eq!(
        seen,
        [
            ("PUT".into(), "/latest/api/token".into()),
            (
                "GET".into(),
                "/latest/meta-data/iam/security-credentials-extended/".into()
            ),
            (
                "GET".into(),
                format!("/latest/meta-data/iam/security-credentials-extended/{ROLE}")
            ),
        ]
    );
    assert_eq!(
        requests[2].header("x-aws-ec2-metadata-token"),
        Some("tok-1")
    );
    for shown in [format!("{provider:?}"), format!("{creds:?}")] {
        assert!(!shown.contains("CANARY"), "{shown}");
        assert!(!shown.contains("tok-1"), "{shown}");
    }
}

#[tokio::test]
async fn the_token_is_cached_between_calls() {
    let stub = imds(true, false);
    let provider = provider(&stub);
    provider.provide_credentials().await.unwrap();
    let again = provider.clone().provide_credentials().await.unwrap();
    assert_eq!(again.access_key_id(), "ASIAtok1");
    let puts = stub.requests().iter().filter(|r| r.method == "PUT").count();
    assert_eq!(puts, 1);
}

#[tokio::test]
async fn falls_back_to_the_classic_path_and_remembers_it() {
    let stub = imds(false, false);
    let provider = provider(&stub);
    let first = provider.provide_credentials().await.unwrap();
    assert_eq!(first.account_id(), None);
    let before = stub.requests().len();
    provider.provide_credentials().await.unwrap();
    let later: Vec<String> = stub.requests()[before..]
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(
        later,
        [
            "/latest/meta-data/iam/security-credentials/".to_owned(),
            format!("/latest/meta-data/iam/security-credentials/{ROLE}"),
        ]
    );
}

#[tokio::test]
async fn a_401_fetches_a_new_token_and_repeats_once() {
    let stub = imds(true, true);
    let provider = provider(&stub);
    let creds = provider.provide_credentials().await.unwrap();
    assert_eq!(creds.access_key_id(), "ASIAtok2");
    let puts = stub.requests().iter().filter(|r| r.method == "PUT").count();
    assert_eq!(puts, 2);
}

#[tokio::test]
async fn a_401_with_every_token_gives_up() {
    let stub = Stub::start(|r, _| {
        if r.method == "PUT" {
            text(200, "tok")
        } else {
            text(401, "")
        }
    });
    let err = provider(&stub).provide_credentials().await.unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::ProviderFailed);
    assert!(err.message().contains("401"), "{err}");
    // PUT, GET (401), PUT, GET (401): bounded.
    assert_eq!(stub.requests().len(), 4);
}

#[tokio::test]
async fn server_errors_are_retried_once_by_default() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    // The first role listing fails with 503, everything after succeeds.
    let stub = Stub::start(move |r, _| {
        if r.method == "GET"
            && r.path.ends_with("-extended/")
            && c.fetch_add(1, Ordering::SeqCst) == 0
        {
            return text(503, "");
        }
        if r.method == "PUT" {
            return text(200, "tok-1");
        }
        if r.path.ends_with("-extended/") {
            return text(200, ROLE);
        }
        text(200, &creds_json("ASIARETRIED", true))
    });
    let provider = ImdsProvider::new()
        .endpoint(&stub.url)
        .retries(1, Duration::from_millis(1));
    let creds = provider.provide_credentials().await.unwrap();
    assert_eq!(creds.access_key_id(), "ASIARETRIED");
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    let always = Stub::start(|r, _| {
        if r.method == "PUT" {
            text(200, "tok")
        } else {
            text(500, "")
        }
    });
    let err = ImdsProvider::new()
        .endpoint(&always.url)
        .retries(1, Duration::from_millis(1))
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::ProviderFailed);
    assert!(err.message().contains("HTTP 500"), "{err}");
    // PUT, then the listing twice.
    assert_eq!(always.requests().len(), 3);
}

#[tokio::test]
async fn no_role_attached_is_not_loaded() {
    let stub = Stub::start(|r, _| {
        if r.method == "PUT" {
            text(200, "tok")
        } else {
            text(404, "")
        }
    });
    let err = provider(&stub).provide_credentials().await.unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::NotLoaded);
    assert!(err.message().contains("no IAM role"), "{err}");
}

#[tokio::test]
async fn a_failure_code_and_malformed_json_are_reported_without_secrets() {
    for body in [
        format!(
            r#"{{"Code":"AssumeRoleUnauthorizedAccess","AccessKeyId":"A","SecretAccessKey":"{CANARY_SECRET}"}}"#
        ),
        format!("{{not json {CANARY_SECRET}"),
        format!(r#"{{"Code":"Success","AccessKeyId":"A","SecretAccessKey":"{CANARY_SECRET}"}}"#),
    ] {
        let stub = Stub::start(move |r, _| {
            if r.method == "PUT" {
                text(200, "tok")
            } else if r.path.ends_with('/') {
                text(200, ROLE)
            } else {
                text(200, &body)
            }
        });
        let err = provider(&stub).provide_credentials().await.unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::ProviderFailed);
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("CANARY"), "{shown}");
        assert!(shown.contains(ROLE), "{shown}");
    }
}

#[tokio::test]
async fn disabled_by_the_environment() {
    let env = Env::from_vars([("AWS_EC2_METADATA_DISABLED", "TRUE")]);
    let err = ImdsProvider::from_env(&env)
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::NotLoaded);
    assert!(err.message().contains("AWS_EC2_METADATA_DISABLED"), "{err}");
}

#[tokio::test]
async fn bad_settings_in_the_environment_are_configuration_errors() {
    for (name, value) in [
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv5"),
        ("AWS_METADATA_SERVICE_TIMEOUT", "soon"),
        ("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "0"),
    ] {
        let err = ImdsProvider::from_env(&Env::from_vars([(name, value)]))
            .provide_credentials()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
        assert!(err.message().contains(name), "{err}");
    }
}

#[tokio::test]
async fn a_closed_port_is_not_loaded_at_once() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let err = ImdsProvider::new()
        .endpoint(&format!("http://127.0.0.1:{port}"))
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::NotLoaded);
    assert!(err.message().contains("not running on EC2"), "{err}");
}

#[tokio::test]
async fn a_silent_endpoint_gives_up_after_one_attempt_with_the_default_budget() {
    // Accepts connections (the kernel completes the handshake) but never
    // answers: the default 1 s attempt bound must end the wait.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let env = Env::from_vars([("AWS_EC2_METADATA_SERVICE_ENDPOINT", url.as_str())]);
    let err = ImdsProvider::from_env(&env)
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::NotLoaded);
    assert!(err.message().contains("within 1s"), "{err}");
    drop(listener);
}
