//! The client against moto's STS (every operation moto implements), with
//! the output fields checked. moto runs from the repo's venv, started on a
//! free 127.0.0.1 port by the test and stopped after.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, SystemTime};

use awssts::Client;
use awssts::credentials::Credentials;
use awssts::model::{PolicyDescriptorType, Tag};
use support::moto::Moto;

const ACCOUNT: &str = "123456789012";

fn client(moto: &Moto, creds: Credentials) -> Client {
    Client::builder()
        .env(awssts::env::Env::from_vars(std::iter::empty::<(
            String,
            String,
        )>()))
        .region("us-east-1")
        .endpoint_url(&moto.url)
        .credentials(creds)
        .build()
        .unwrap()
}

fn root_creds() -> Credentials {
    Credentials::from_keys(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
}

fn expires_within(c: &awssts::model::Credentials, lo: Duration, hi: Duration) {
    let exp = c.expiration.to_system_time();
    let now = SystemTime::now();
    let left = exp.duration_since(now).unwrap_or_default();
    assert!(
        left >= lo && left <= hi,
        "expires in {left:?}, expected {lo:?}..{hi:?}"
    );
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
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/SessionDuration">
        <saml:AttributeValue>1800</saml:AttributeValue>
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

#[tokio::test]
#[allow(deprecated)] // PackedPolicySize is deprecated in the model, and still sent
async fn every_operation_moto_implements() {
    let moto = Moto::start();
    let c = client(&moto, root_creds());

    // GetCallerIdentity
    let me = c.get_caller_identity().send().await.unwrap();
    assert_eq!(me.account.as_deref(), Some(ACCOUNT));
    assert!(me.arn.as_deref().unwrap().starts_with("arn:aws:"), "{me:?}");
    assert!(me.user_id.is_some());
    assert!(
        me.metadata.request_id.is_some(),
        "request id read from moto's answer"
    );
    assert_eq!(me.metadata.attempts, 1);

    // AssumeRole, with the nested lists encoded.
    let role_arn = format!("arn:aws:iam::{ACCOUNT}:role/demo");
    let assumed = c
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("moto-session")
        .duration_seconds(1800)
        .external_id("ext-123")
        .policy_arns(PolicyDescriptorType::new(
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
        ))
        .tags(Tag::new("Project", "Unicorn"))
        .transitive_tag_keys("Project")
        .send()
        .await
        .unwrap();
    let creds = assumed.credentials.as_ref().unwrap();
    assert!(
        creds.access_key_id.starts_with("ASIA"),
        "{}",
        creds.access_key_id
    );
    assert!(!creds.secret_access_key.expose_secret().is_empty());
    assert!(!creds.session_token.expose_secret().is_empty());
    expires_within(creds, Duration::from_secs(1700), Duration::from_secs(1810));
    let user = assumed.assumed_role_user.as_ref().unwrap();
    assert_eq!(
        user.arn,
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/demo/moto-session")
    );
    assert!(
        user.assumed_role_id.ends_with(":moto-session"),
        "{}",
        user.assumed_role_id
    );
    assert!(!format!("{assumed:?}").contains(creds.secret_access_key.expose_secret()));

    // The assumed role's credentials sign the next call: role chaining.
    let as_role = client(
        &moto,
        Credentials::new(
            creds.access_key_id.clone(),
            creds.secret_access_key.expose_secret(),
            Some(creds.session_token.expose_secret().to_owned()),
            Some(creds.expiration.to_system_time()),
            "test",
        ),
    );
    let who = as_role.get_caller_identity().send().await.unwrap();
    assert_eq!(who.arn.as_deref(), Some(user.arn.as_str()));

    // AssumeRoleWithWebIdentity (unsigned).
    let web = c
        .assume_role_with_web_identity()
        .role_arn(format!("arn:aws:iam::{ACCOUNT}:role/web"))
        .role_session_name("pod-1")
        .web_identity_token("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwb2QifQ.c2lnbmF0dXJl")
        .duration_seconds(900)
        .send()
        .await
        .unwrap();
    let wc = web.credentials.as_ref().unwrap();
    assert!(wc.access_key_id.starts_with("ASIA"));
    expires_within(wc, Duration::from_secs(800), Duration::from_secs(910));
    assert_eq!(
        web.assumed_role_user.as_ref().unwrap().arn,
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/web/pod-1")
    );

    // AssumeRoleWithSAML (unsigned).
    let saml_role = format!("arn:aws:iam::{ACCOUNT}:role/saml");
    let provider = format!("arn:aws:iam::{ACCOUNT}:saml-provider/idp");
    let saml = c
        .assume_role_with_saml()
        .role_arn(&saml_role)
        .principal_arn(&provider)
        .saml_assertion(saml_assertion(&saml_role, &provider, "alice"))
        .send()
        .await
        .unwrap();
    assert!(
        saml.credentials
            .as_ref()
            .unwrap()
            .access_key_id
            .starts_with("ASIA")
    );
    assert_eq!(saml.subject_type.as_deref(), Some("persistent"));
    assert_eq!(
        saml.audience.as_deref(),
        Some("https://signin.aws.amazon.com/saml")
    );
    assert!(saml.issuer.is_some() && saml.name_qualifier.is_some() && saml.subject.is_some());
    assert_eq!(saml.packed_policy_size, Some(123));
    assert_eq!(
        saml.assumed_role_user.as_ref().unwrap().arn,
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/saml/alice")
    );

    // GetSessionToken
    let session = c
        .get_session_token()
        .duration_seconds(3600)
        .send()
        .await
        .unwrap();
    let sc = session.credentials.as_ref().unwrap();
    // moto answers GetSessionToken with its fixed example key pair.
    assert!(sc.access_key_id.len() >= 16, "{}", sc.access_key_id);
    assert!(!sc.session_token.expose_secret().is_empty());
    expires_within(sc, Duration::from_secs(3500), Duration::from_secs(3610));

    // GetFederationToken
    let fed = c
        .get_federation_token()
        .name("fed-bob")
        .duration_seconds(1200)
        .policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let fu = fed.federated_user.as_ref().unwrap();
    assert_eq!(
        fu.arn,
        format!("arn:aws:sts::{ACCOUNT}:federated-user/fed-bob")
    );
    assert_eq!(fu.federated_user_id, format!("{ACCOUNT}:fed-bob"));
    expires_within(
        fed.credentials.as_ref().unwrap(),
        Duration::from_secs(1100),
        Duration::from_secs(1210),
    );

    // GetAccessKeyInfo
    let info = c
        .get_access_key_info()
        .access_key_id("AKIAIOSFODNN7EXAMPLE")
        .send()
        .await
        .unwrap();
    assert_eq!(info.account.as_deref(), Some(ACCOUNT));
}

#[test]
fn the_blocking_client_against_moto() {
    let moto = Moto::start();
    let c = Client::builder()
        .env(awssts::env::Env::from_vars(std::iter::empty::<(
            String,
            String,
        )>()))
        .region("eu-west-1")
        .endpoint_url(&moto.url)
        .credentials(root_creds())
        .build_blocking()
        .unwrap();
    let out = c
        .assume_role()
        .role_arn(format!("arn:aws:iam::{ACCOUNT}:role/blocking"))
        .role_session_name("b1")
        .send()
        .unwrap();
    assert_eq!(
        out.assumed_role_user.unwrap().arn,
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/blocking/b1")
    );
}
