//! The assume-role provider against moto: long-term keys → role → role
//! (two hops), MFA codes asked for per fetch, the role-chaining cap.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use awssts::credentials::assume_role::AssumeRoleProvider;
use awssts::credentials::mfa::MfaCallback;
use awssts::credentials::{Credentials, ProvideCredentials};
use awssts::env::Env;
use awssts::{Client, ClientBuilder};
use support::moto::Moto;
use support::stub::{Reply, Stub};

const ACCOUNT: &str = "123456789012";

fn builder(url: &str) -> ClientBuilder {
    Client::builder()
        .env(Env::from_vars(std::iter::empty::<(String, String)>()))
        .region("us-east-1")
        .endpoint_url(url)
}

fn root() -> Credentials {
    Credentials::from_keys(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
}

#[tokio::test]
async fn two_hops_through_moto() {
    let moto = Moto::start();
    let first = AssumeRoleProvider::builder(format!("arn:aws:iam::{ACCOUNT}:role/first"))
        .session_name("hop1")
        .duration(Duration::from_secs(7200))
        .client_builder(builder(&moto.url))
        .build(root())
        .unwrap();
    assert_eq!(
        first.input().duration_seconds,
        Some(7200),
        "long-term source: no cap"
    );
    let second = AssumeRoleProvider::builder(format!("arn:aws:iam::{ACCOUNT}:role/second"))
        .session_name("hop2")
        .duration(Duration::from_secs(7200))
        .client_builder(builder(&moto.url))
        .build(first.clone())
        .unwrap();
    assert_eq!(
        second.input().duration_seconds,
        Some(3600),
        "role chaining is capped at one hour"
    );
    let creds = second.provide_credentials().await.unwrap();
    assert_eq!(creds.provider_name(), "assume-role");
    assert_eq!(creds.account_id(), Some(ACCOUNT));
    assert!(creds.access_key_id().starts_with("ASIA"));
    let left = creds
        .expiration()
        .unwrap()
        .duration_since(SystemTime::now())
        .unwrap();
    assert!(
        left <= Duration::from_secs(3600) && left > Duration::from_secs(3000),
        "{left:?}"
    );

    // Whose credentials are these? moto tracks the session it issued.
    let who = builder(&moto.url)
        .credentials(creds)
        .build()
        .unwrap()
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(
        who.arn.as_deref(),
        Some(format!("arn:aws:sts::{ACCOUNT}:assumed-role/second/hop2").as_str())
    );
}

#[tokio::test]
async fn mfa_codes_are_asked_for_on_each_fetch_and_sent() {
    let stub = Stub::start(|r, _| {
        assert_eq!(
            r.param("SerialNumber").as_deref(),
            Some("arn:aws:iam::123456789012:mfa/alice")
        );
        assert_eq!(r.param("TokenCode").as_deref(), Some("123456"));
        Reply::xml(
            200,
            r#"<AssumeRoleResponse><AssumeRoleResult>
<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/admin/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>
<Credentials><AccessKeyId>ASIAEXAMPLEEXAMPLE</AccessKeyId><SecretAccessKey>canary-secret-value</SecretAccessKey>
<SessionToken>canary-token-value</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>
</AssumeRoleResult></AssumeRoleResponse>"#,
        )
    });
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = asked.clone();
    let provider = AssumeRoleProvider::builder("arn:aws:iam::123456789012:role/admin")
        .session_name("s1")
        .mfa(
            "arn:aws:iam::123456789012:mfa/alice",
            MfaCallback::new(move |_| {
                counter.fetch_add(1, Ordering::SeqCst);
                Ok("123456".into())
            }),
        )
        .client_builder(builder(&stub.url))
        .build(root())
        .unwrap();
    let creds = provider.provide_credentials().await.unwrap();
    assert_eq!(creds.secret_access_key(), "canary-secret-value");
    assert_eq!(asked.load(Ordering::SeqCst), 1);
    for shown in [
        format!("{provider:?}"),
        format!("{creds:?}"),
        creds.to_string(),
    ] {
        assert!(!shown.contains("canary"), "{shown}");
    }
}

#[tokio::test]
async fn sts_refusals_name_the_role_and_the_reason() {
    let stub = Stub::start(|_, _| {
        Reply::xml(
            403,
            "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to perform: sts:AssumeRole</Message></Error><RequestId>r-1</RequestId></ErrorResponse>",
        )
    });
    let provider = AssumeRoleProvider::builder("arn:aws:iam::123456789012:role/locked")
        .client_builder(builder(&stub.url))
        .build(root())
        .unwrap();
    let err = provider.provide_credentials().await.unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("role/locked") && msg.contains("AccessDenied") && msg.contains("r-1"),
        "{msg}"
    );
}
