//! The operations built on tokens: web identity, SAML, GetWebIdentityToken
//! and its JWKS, DecodeAuthorizationMessage, GetAccessKeyInfo of issued keys.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use awssts::DateTime;
use awssts::credentials::Credentials;
use awssts::model::Tag;
use awssts_emulator::authz_message::DeniedAction;
use awssts_emulator::{Config, RoleConfig};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use support::*;

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

fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// A JWT from some OIDC provider (its signature is not checked).
fn oidc_token(aud: &str, exp: u64) -> String {
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT","kid":"k1"}"#);
    let payload = URL_SAFE_NO_PAD.encode(
        serde_json::json!({
            "iss": "https://token.actions.githubusercontent.com",
            "sub": "repo:octo/app:ref:refs/heads/main",
            "aud": aud,
            "exp": exp,
            "iat": exp - 300,
        })
        .to_string(),
    );
    format!(
        "{header}.{payload}.{}",
        URL_SAFE_NO_PAD.encode(b"not-checked")
    )
}

const WEB_ROLE: &str = "arn:aws:iam::123456789012:role/ci";

fn config() -> Config {
    Config::default()
        .role(RoleConfig::new(WEB_ROLE).web_identity_audiences(["sts.amazonaws.com"]))
        .role(RoleConfig::new("arn:aws:iam::123456789012:role/Developers"))
        .role(RoleConfig::new("arn:aws:iam::123456789012:role/any"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assume_role_with_web_identity_checks_form_expiry_and_audience() {
    let emu = start_with(config()).await;
    // Unsigned requests: the client's credentials are not used.
    let c = client_with(
        &emu.url(),
        Credentials::from_keys("AKIAUNUSED0000000000", "unused"),
    );
    let now = unix(SystemTime::now());
    let out = c
        .assume_role_with_web_identity()
        .role_arn(WEB_ROLE)
        .role_session_name("gha")
        .web_identity_token(oidc_token("sts.amazonaws.com", now + 300))
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.subject_from_web_identity_token.as_deref(),
        Some("repo:octo/app:ref:refs/heads/main")
    );
    assert_eq!(
        out.provider.as_deref(),
        Some("token.actions.githubusercontent.com")
    );
    assert_eq!(out.audience.as_deref(), Some("sts.amazonaws.com"));
    assert_eq!(
        out.assumed_role_user.unwrap().arn,
        "arn:aws:sts::123456789012:assumed-role/ci/gha"
    );
    let me = client_with(&emu.url(), creds(out.credentials.as_ref().unwrap()))
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(
        me.arn.as_deref(),
        Some("arn:aws:sts::123456789012:assumed-role/ci/gha")
    );

    let e = c
        .assume_role_with_web_identity()
        .role_arn(WEB_ROLE)
        .role_session_name("gha")
        .web_identity_token(oidc_token("someone-else", now + 300))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&e),
        (
            400,
            "InvalidIdentityToken".into(),
            "Incorrect token audience".into()
        )
    );
    let e = c
        .assume_role_with_web_identity()
        .role_arn(WEB_ROLE)
        .role_session_name("gha")
        .web_identity_token("not-a-jwt-at-all")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e).1, "InvalidIdentityToken");
    let token = oidc_token("sts.amazonaws.com", now + 300);
    emu.clock().advance(Duration::from_secs(301));
    let e = c
        .assume_role_with_web_identity()
        .role_arn(WEB_ROLE)
        .role_session_name("gha")
        .web_identity_token(token.as_str())
        .send()
        .await
        .unwrap_err();
    let (status, code_, message) = code(&e);
    assert_eq!((status, code_.as_str()), (400, "ExpiredTokenException"));
    assert!(
        !message.contains(&token[..20]),
        "the token is never echoed: {message}"
    );
    emu.shutdown().await;
}

fn saml_response(now: SystemTime, role: &str, provider: &str) -> String {
    let t = |d: i64| {
        let at = if d >= 0 {
            now + Duration::from_secs(d as u64)
        } else {
            now - Duration::from_secs((-d) as u64)
        };
        DateTime::from_system_time(at).to_string()
    };
    let xml = format!(
        r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r1" Version="2.0" IssueInstant="{i}">
  <saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">https://idp.example.org/saml</saml:Issuer>
  <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
  <saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1" Version="2.0" IssueInstant="{i}">
    <saml:Issuer>https://idp.example.org/saml</saml:Issuer>
    <saml:Subject>
      <saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">jdoe@example.org</saml:NameID>
      <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
        <saml:SubjectConfirmationData NotOnOrAfter="{end}" Recipient="https://signin.aws.amazon.com/saml"/>
      </saml:SubjectConfirmation>
    </saml:Subject>
    <saml:Conditions NotBefore="{start}" NotOnOrAfter="{end}">
      <saml:AudienceRestriction><saml:Audience>https://signin.aws.amazon.com/saml</saml:Audience></saml:AudienceRestriction>
    </saml:Conditions>
    <saml:AttributeStatement>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role"><saml:AttributeValue>{provider},{role}</saml:AttributeValue></saml:Attribute>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><saml:AttributeValue>jdoe@example.org</saml:AttributeValue></saml:Attribute>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/SourceIdentity"><saml:AttributeValue>jdoe</saml:AttributeValue></saml:Attribute>
    </saml:AttributeStatement>
  </saml:Assertion>
</samlp:Response>"#,
        i = t(-2),
        start = t(-60),
        end = t(300),
    );
    STANDARD.encode(xml)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assume_role_with_saml_reads_the_assertion() {
    let emu = start_with(config()).await;
    let c = client_with(
        &emu.url(),
        Credentials::from_keys("AKIAUNUSED0000000000", "unused"),
    );
    let role = "arn:aws:iam::123456789012:role/Developers";
    let provider = "arn:aws:iam::123456789012:saml-provider/ExampleIdP";
    let assertion = saml_response(SystemTime::now(), role, provider);
    let out = c
        .assume_role_with_saml()
        .role_arn(role)
        .principal_arn(provider)
        .saml_assertion(assertion.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(out.subject.as_deref(), Some("jdoe@example.org"));
    assert_eq!(out.subject_type.as_deref(), Some("persistent"));
    assert_eq!(out.issuer.as_deref(), Some("https://idp.example.org/saml"));
    assert_eq!(out.source_identity.as_deref(), Some("jdoe"));
    assert!(out.name_qualifier.is_some());
    let user = out.assumed_role_user.unwrap();
    assert_eq!(
        user.arn,
        "arn:aws:sts::123456789012:assumed-role/Developers/jdoe@example.org"
    );

    // A role the assertion does not list.
    let e = c
        .assume_role_with_saml()
        .role_arn("arn:aws:iam::123456789012:role/any")
        .principal_arn(provider)
        .saml_assertion(assertion.as_str())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e).1, "AccessDenied");
    // Expired by the emulator's clock.
    emu.clock().advance(Duration::from_secs(600));
    let e = c
        .assume_role_with_saml()
        .role_arn(role)
        .principal_arn(provider)
        .saml_assertion(assertion.as_str())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e).1, "ExpiredTokenException");
    let e = c
        .assume_role_with_saml()
        .role_arn(role)
        .principal_arn(provider)
        .saml_assertion("bm90IHhtbA==")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e).1, "InvalidIdentityToken");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_identity_tokens_are_signed_with_the_published_keys() {
    let emu = start_with(config()).await;
    let c = client(&emu.url());
    for alg in ["ES384", "RS256"] {
        let out = c
            .get_web_identity_token()
            .audience("https://api.example.com")
            .signing_algorithm(alg)
            .duration_seconds(120)
            .tags(Tag::new("team", "blue"))
            .send()
            .await
            .unwrap();
        let token = out.web_identity_token.unwrap();
        let parts: Vec<&str> = token.expose_secret().split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        let payload: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(header["alg"], alg);
        assert_eq!(payload["iss"], emu.url());
        assert_eq!(payload["sub"], "arn:aws:iam::123456789012:user/emulator");
        assert_eq!(payload["aud"], "https://api.example.com");
        let exp = out.expiration.unwrap().to_system_time();
        assert!(exp <= SystemTime::now() + Duration::from_secs(121));

        let mut raw = Raw::connect(&emu).await;
        let jwks = raw
            .send(
                &format!(
                    "GET /.well-known/jwks.json HTTP/1.1\r\nhost: {}",
                    raw.host()
                ),
                b"",
            )
            .await;
        assert_eq!(jwks.status, 200);
        let jwks: serde_json::Value = serde_json::from_str(&jwks.body).unwrap();
        assert!(
            jwks["keys"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["kid"] == header["kid"]),
            "{jwks}"
        );
        // The emulator accepts its own token (signature verified) for a role.
        let federated = client_with(
            &emu.url(),
            Credentials::from_keys("AKIAUNUSED0000000000", "unused"),
        )
        .assume_role_with_web_identity()
        .role_arn("arn:aws:iam::123456789012:role/any")
        .role_session_name("own")
        .web_identity_token(token.expose_secret())
        .send()
        .await
        .unwrap();
        assert_eq!(
            federated.audience.as_deref(),
            Some("https://api.example.com")
        );
        // A changed signature is refused.
        let mut forged = token.expose_secret().to_owned();
        let last = forged.pop().unwrap();
        forged.push(if last == 'A' { 'B' } else { 'A' });
        let e = client_with(
            &emu.url(),
            Credentials::from_keys("AKIAUNUSED0000000000", "unused"),
        )
        .assume_role_with_web_identity()
        .role_arn("arn:aws:iam::123456789012:role/any")
        .role_session_name("own")
        .web_identity_token(forged)
        .send()
        .await
        .unwrap_err();
        assert_eq!(code(&e).1, "InvalidIdentityToken");
    }
    // A token may not outlive the calling session.
    let session = c
        .assume_role()
        .role_arn("arn:aws:iam::123456789012:role/any")
        .role_session_name("short")
        .duration_seconds(900)
        .send()
        .await
        .unwrap();
    emu.clock().advance(Duration::from_secs(850));
    let e = client_with(&emu.url(), creds(session.credentials.as_ref().unwrap()))
        .get_web_identity_token()
        .audience("x")
        .signing_algorithm("ES384")
        .duration_seconds(300)
        .send()
        .await;
    // The client may need one clock correction first; either way the
    // answer is the escalation error.
    let e = e.unwrap_err();
    assert_eq!(code(&e).1, "SessionDurationEscalationException");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_messages_and_access_key_info() {
    let emu = start().await;
    let c = client(&emu.url());
    let encoded = emu
        .deny_message(&DeniedAction {
            principal_id: "AIDAEXAMPLE",
            principal_name: Some("emulator"),
            principal_arn: "arn:aws:iam::123456789012:user/emulator",
            action: "s3:GetObject",
            resource: "arn:aws:s3:::bucket/key",
            conditions: &[],
            explicit_deny: true,
        })
        .unwrap();
    let out = c
        .decode_authorization_message()
        .encoded_message(encoded.as_str())
        .send()
        .await
        .unwrap();
    let doc: serde_json::Value = serde_json::from_str(&out.decoded_message.unwrap()).unwrap();
    assert_eq!(doc["context"]["action"], "s3:GetObject");
    let e = c
        .decode_authorization_message()
        .encoded_message(format!("{encoded}AA"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e).1, "InvalidAuthorizationMessageException");

    let out = c
        .assume_role()
        .role_arn("arn:aws:iam::444455556666:role/x")
        .role_session_name("ki")
        .send()
        .await
        .unwrap();
    let key = out.credentials.unwrap().access_key_id;
    let info = c
        .get_access_key_info()
        .access_key_id(key)
        .send()
        .await
        .unwrap();
    assert_eq!(info.account.as_deref(), Some("444455556666"));
    emu.shutdown().await;
}
