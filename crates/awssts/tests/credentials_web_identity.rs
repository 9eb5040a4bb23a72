//! The web identity provider against moto (AssumeRoleWithWebIdentity) and a
//! scripted stub that records the token each call sent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, SystemTime};

use awssts::Client;
use awssts::credentials::web_identity::WebIdentityProvider;
use awssts::credentials::{CredentialsErrorKind, ProvideCredentials};
use awssts::env::Env;
use support::moto::Moto;
use support::stub::{Reply, Stub};

const ACCOUNT: &str = "123456789012";
const CANARY: &str = "CANARYwebIdentityTokenSecret";

fn no_env() -> Env {
    Env::from_vars(std::iter::empty::<(String, String)>())
}

fn client(url: &str) -> Client {
    Client::builder()
        .env(no_env())
        .region("us-east-1")
        .endpoint_url(url)
        .build()
        .unwrap()
}

#[tokio::test]
async fn exchanges_the_token_with_moto() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(
        &token_file,
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwb2QifQ.c2lnbmF0dXJl\n",
    )
    .unwrap();
    let env = Env::from_vars([
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token_file.to_str().unwrap()),
        ("AWS_ROLE_ARN", &format!("arn:aws:iam::{ACCOUNT}:role/web")),
        ("AWS_ROLE_SESSION_NAME", "pod-1"),
        ("AWS_REGION", "eu-west-1"),
        ("AWS_ENDPOINT_URL_STS", &moto.url),
    ]);
    let provider = WebIdentityProvider::from_env(&env);
    let creds = provider.provide_credentials().await.unwrap();
    assert!(creds.access_key_id().starts_with("ASIA"), "{creds:?}");
    assert!(!creds.secret_access_key().is_empty());
    assert!(creds.session_token().is_some_and(|t| !t.is_empty()));
    assert_eq!(creds.account_id(), Some(ACCOUNT));
    assert_eq!(creds.provider_name(), "web-identity");
    let expiry = creds.expiration().unwrap();
    assert!(expiry > SystemTime::now() + Duration::from_secs(600));
}

#[tokio::test]
async fn explicit_settings_are_sent_and_the_default_session_name_generated() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "eyJ0b2tlbiI6MX0.e30.c2ln").unwrap();
    let provider = WebIdentityProvider::new(&token_file, format!("arn:aws:iam::{ACCOUNT}:role/x"))
        .duration_seconds(900)
        .client(client(&moto.url));
    let creds = provider.provide_credentials().await.unwrap();
    let left = creds
        .expiration()
        .unwrap()
        .duration_since(SystemTime::now())
        .unwrap();
    assert!(left <= Duration::from_secs(910) && left >= Duration::from_secs(800));
}

fn web_identity_xml(akid: &str) -> String {
    format!(
        "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
         <AssumeRoleWithWebIdentityResult>\
         <Credentials><AccessKeyId>{akid}</AccessKeyId><SecretAccessKey>sk</SecretAccessKey>\
         <SessionToken>st</SessionToken><Expiration>2100-01-01T00:00:00Z</Expiration></Credentials>\
         <AssumedRoleUser><AssumedRoleId>AROA:s</AssumedRoleId>\
         <Arn>arn:aws:sts::210987654321:assumed-role/r/s</Arn></AssumedRoleUser>\
         </AssumeRoleWithWebIdentityResult>\
         <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>\
         </AssumeRoleWithWebIdentityResponse>"
    )
}

#[tokio::test]
async fn the_token_file_is_read_again_on_every_call() {
    let stub = Stub::start(|_, i| Reply::xml(200, web_identity_xml(&format!("ASIASTUB{i}"))));
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "first-token").unwrap();
    let provider = WebIdentityProvider::new(&token_file, "arn:aws:iam::210987654321:role/r")
        .session_name("s1")
        .policy("{\"Version\":\"2012-10-17\"}")
        .policy_arns(["arn:aws:iam::aws:policy/ReadOnlyAccess"])
        .client(client(&stub.url));
    let first = provider.provide_credentials().await.unwrap();
    std::fs::write(&token_file, "second-token").unwrap();
    let second = provider.provide_credentials().await.unwrap();
    assert_eq!(first.access_key_id(), "ASIASTUB0");
    assert_eq!(second.access_key_id(), "ASIASTUB1");
    assert_eq!(second.account_id(), Some("210987654321"));
    assert_eq!(
        second.expiration().unwrap(),
        awssts::DateTime::parse("2100-01-01T00:00:00Z")
            .unwrap()
            .to_system_time()
    );

    let requests = stub.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].param("WebIdentityToken").as_deref(),
        Some("first-token")
    );
    assert_eq!(
        requests[1].param("WebIdentityToken").as_deref(),
        Some("second-token")
    );
    let r = &requests[1];
    assert_eq!(
        r.param("Action").as_deref(),
        Some("AssumeRoleWithWebIdentity")
    );
    assert_eq!(r.param("RoleSessionName").as_deref(), Some("s1"));
    assert_eq!(
        r.param("Policy").as_deref(),
        Some("{\"Version\":\"2012-10-17\"}")
    );
    assert_eq!(
        r.param("PolicyArns.member.1.arn").as_deref(),
        Some("arn:aws:iam::aws:policy/ReadOnlyAccess")
    );
    // Unsigned: no Authorization header.
    assert_eq!(r.header("authorization"), None);
}

#[tokio::test]
async fn settings_sts_refuses_are_configuration_errors() {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "tok").unwrap();
    let provider = WebIdentityProvider::new(&token_file, "arn:aws:iam::210987654321:role/r")
        .session_name("s")
        .client(client("http://127.0.0.1:9"));
    let err = provider.provide_credentials().await.unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
    assert!(err.to_string().contains("RoleSessionName"), "{err}");
}

#[tokio::test]
async fn missing_and_empty_token_files_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-token");
    let provider = WebIdentityProvider::new(&missing, "arn:aws:iam::210987654321:role/r")
        .client(client("http://127.0.0.1:9"));
    let err = provider.provide_credentials().await.unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
    assert!(err.message().contains(missing.to_str().unwrap()), "{err}");

    let empty = dir.path().join("empty-token");
    std::fs::write(&empty, "\n").unwrap();
    let provider = WebIdentityProvider::new(&empty, "arn:aws:iam::210987654321:role/r")
        .client(client("http://127.0.0.1:9"));
    let err = provider.provide_credentials().await.unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
    assert!(err.message().contains("is empty"), "{err}");
    assert!(err.message().contains(empty.to_str().unwrap()), "{err}");
}

#[tokio::test]
async fn from_env_says_what_is_missing() {
    let err = WebIdentityProvider::from_env(&no_env())
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::NotLoaded);
    assert_eq!(err.provider(), "web-identity");

    let only_file = Env::from_vars([("AWS_WEB_IDENTITY_TOKEN_FILE", "/tmp/t")]);
    let err = WebIdentityProvider::from_env(&only_file)
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
    assert!(err.message().contains("AWS_ROLE_ARN"), "{err}");

    let only_role = Env::from_vars([("AWS_ROLE_ARN", "arn:aws:iam::210987654321:role/r")]);
    let err = WebIdentityProvider::from_env(&only_role)
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
    assert!(
        err.message().contains("AWS_WEB_IDENTITY_TOKEN_FILE"),
        "{err}"
    );
}

#[tokio::test]
async fn the_token_never_appears_in_errors_or_debug() {
    let stub = Stub::start(|_, _| {
        Reply::xml(
            400,
            "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>\
             <Message>Token rejected</Message></Error><RequestId>r-2</RequestId></ErrorResponse>",
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, CANARY).unwrap();
    let provider = WebIdentityProvider::new(&token_file, "arn:aws:iam::210987654321:role/r")
        .client(client(&stub.url));
    let err = provider.provide_credentials().await.unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::ProviderFailed);
    assert!(err.to_string().contains("InvalidIdentityToken"), "{err}");
    let mut shown = vec![err.to_string(), format!("{err:?}"), format!("{provider:?}")];
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        shown.push(s.to_string());
        shown.push(format!("{s:?}"));
        source = s.source();
    }
    for text in shown {
        assert!(!text.contains(CANARY), "{text}");
    }
    // The stub did receive it, so the check above is meaningful.
    assert_eq!(
        stub.requests()[0].param("WebIdentityToken").as_deref(),
        Some(CANARY)
    );
}
