//! The awssts emulator started in the test process, and the inputs its
//! token-based operations accept: a SAML response, an OIDC JWT, a trade-in
//! token, an encoded authorization message.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use awssts_emulator::{BlockingEmulator, Emulator};

pub const ACCOUNT: &str = "123456789012";
pub const ROLE: &str = "arn:aws:iam::123456789012:role/demo";
pub const SAML_ROLE: &str = "arn:aws:iam::123456789012:role/saml";
pub const SAML_PROVIDER: &str = "arn:aws:iam::123456789012:saml-provider/ExampleIdP";
pub const WEB_ROLE: &str = "arn:aws:iam::123456789012:role/ci";
pub const ROOT_TASK_POLICY: &str = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials";
/// What DecodeAuthorizationMessage should give back.
pub const DECODED: &str = r#"{"allowed":false,"explicitDeny":true,"matchedStatements":{"items":[]},"failures":{"items":[]},"context":{"principal":{"id":"AIDAEXAMPLE","name":"emulator","arn":"arn:aws:iam::123456789012:user/emulator"},"action":"s3:GetObject","resource":"arn:aws:s3:::bucket/key","conditions":{"items":[]}}}"#;

/// The default emulator (example user, any role) on its own runtime.
pub fn start() -> BlockingEmulator {
    Emulator::new().start_blocking().unwrap()
}

fn base64_with(data: &[u8], table: &[u8; 64], pad: bool) -> String {
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
                out.push(table[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

pub fn base64(data: &[u8]) -> String {
    base64_with(
        data,
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
        true,
    )
}

pub fn base64url(data: &[u8]) -> String {
    base64_with(
        data,
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        false,
    )
}

fn iso(t: SystemTime) -> String {
    awssts::DateTime::from_system_time(t).to_string()
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// A base64 SAML 2.0 response for `SAML_ROLE` through `SAML_PROVIDER`,
/// valid from a minute ago for five minutes (its signature is not checked).
pub fn saml_assertion() -> String {
    let now = SystemTime::now();
    let (issued, start, end) = (
        iso(now - Duration::from_secs(2)),
        iso(now - Duration::from_secs(60)),
        iso(now + Duration::from_secs(300)),
    );
    let xml = format!(
        r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r1" Version="2.0" IssueInstant="{issued}">
  <saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">https://idp.example.org/saml</saml:Issuer>
  <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
  <saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1" Version="2.0" IssueInstant="{issued}">
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
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role"><saml:AttributeValue>{SAML_PROVIDER},{SAML_ROLE}</saml:AttributeValue></saml:Attribute>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><saml:AttributeValue>jdoe@example.org</saml:AttributeValue></saml:Attribute>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/SourceIdentity"><saml:AttributeValue>jdoe</saml:AttributeValue></saml:Attribute>
    </saml:AttributeStatement>
  </saml:Assertion>
</samlp:Response>"#
    );
    base64(xml.as_bytes())
}

/// A JWT from an OIDC provider for audience `sts.amazonaws.com`, expiring
/// in ten minutes (the emulator checks form, expiry and audience).
pub fn oidc_token() -> String {
    let now = unix(SystemTime::now());
    let header = base64url(br#"{"alg":"RS256","typ":"JWT","kid":"k1"}"#);
    let payload = base64url(
        format!(
            r#"{{"iss":"https://token.actions.githubusercontent.com","sub":"repo:octo/app:ref:refs/heads/main","aud":"sts.amazonaws.com","exp":{},"iat":{}}}"#,
            now + 600,
            now - 10
        )
        .as_bytes(),
    );
    format!("{header}.{payload}.{}", base64url(b"not-checked"))
}

/// A trade-in token for the emulator's user, valid for ten minutes.
pub fn trade_in_token(emu: &BlockingEmulator) -> String {
    emu.trade_in_token(
        "arn:aws:iam::123456789012:user/emulator",
        Duration::from_secs(600),
    )
    .unwrap()
}

/// `DECODED`, encoded by the emulator.
pub fn encoded_message(emu: &BlockingEmulator) -> String {
    emu.encode_authorization_message(DECODED).unwrap()
}
