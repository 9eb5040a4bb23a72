//! Reading the SAML 2.0 assertions `AssumeRoleWithSAML` receives.
//!
//! The input is what an identity provider posts to AWS's sign-in page: a
//! base64 `Response` (or a bare `Assertion`). [`parse_base64`] reads the
//! parts STS uses — issuer, subject `NameID` and its format, audiences, the
//! validity window, and the `https://aws.amazon.com/SAML/Attributes/…`
//! attributes — matching elements by local name, since identity providers
//! differ in namespace prefixes (`saml2:`, `saml:`, none).
//!
//! The XML signature is **not** verified: that needs the provider's
//! certificate from its metadata document and XML canonicalisation, and the
//! emulator is for tests that write their own assertions. Document type
//! declarations and entity references other than XML's five predefined ones
//! are refused, so no entity expansion can happen.
//!
//! Times are Unix seconds, passed in; nothing here reads a clock.

use base64::Engine as _;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, general_purpose};
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use thiserror::Error;

/// The attribute-name prefix AWS reads its SAML attributes under.
pub const AWS_ATTRIBUTE_PREFIX: &str = "https://aws.amazon.com/SAML/Attributes/";

const ROLE: &str = "https://aws.amazon.com/SAML/Attributes/Role";
const ROLE_SESSION_NAME: &str = "https://aws.amazon.com/SAML/Attributes/RoleSessionName";
const SESSION_DURATION: &str = "https://aws.amazon.com/SAML/Attributes/SessionDuration";
const SOURCE_IDENTITY: &str = "https://aws.amazon.com/SAML/Attributes/SourceIdentity";
const PRINCIPAL_TAG: &str = "https://aws.amazon.com/SAML/Attributes/PrincipalTag:";
const TRANSITIVE_TAG_KEYS: &str = "https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys";

const PERSISTENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
const TRANSIENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";
/// The format a `NameID` without a `Format` attribute has.
const UNSPECIFIED: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";

/// Nesting deeper than this is refused (real responses are under 10 deep).
const MAX_DEPTH: usize = 64;

/// Base64 as IdPs send it: standard alphabet, padding optional.
const SAML_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Why an assertion was refused. Messages never include the assertion.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SamlError {
    /// Not base64, not well-formed XML, not SAML, or missing something STS
    /// requires.
    #[error("Invalid SAML response: {0}")]
    Invalid(String),
    /// The assertion's `NotOnOrAfter` has passed.
    #[error(
        "Token expired: current date/time {now} must be before the expiration date/time {not_on_or_after}"
    )]
    Expired {
        /// The time of the check, Unix seconds.
        now: i64,
        /// The earliest `NotOnOrAfter` in the assertion, Unix seconds.
        not_on_or_after: i64,
    },
    /// The assertion's `NotBefore` is still ahead.
    #[error(
        "Invalid SAML response: the assertion is not valid before {not_before} (current date/time {now})"
    )]
    NotYetValid {
        /// The time of the check, Unix seconds.
        now: i64,
        /// The assertion's `NotBefore`, Unix seconds.
        not_before: i64,
    },
    /// No `Audience` is one of the accepted ones.
    #[error(
        "Invalid SAML response: the assertion's audience is not this service; list https://signin.aws.amazon.com/saml in the assertion's AudienceRestriction"
    )]
    WrongAudience,
    /// The requested role/provider pair is not in the `Role` attribute.
    #[error(
        "Not authorized to perform sts:AssumeRoleWithSAML: the SAML assertion's Role attribute does not list role {role_arn} with provider {principal_arn}"
    )]
    RoleNotInAssertion {
        /// The requested `RoleArn`.
        role_arn: String,
        /// The requested `PrincipalArn`.
        principal_arn: String,
    },
}

impl SamlError {
    /// The STS error code this failure is answered with.
    pub fn code(&self) -> &'static str {
        match self {
            SamlError::Expired { .. } => "ExpiredTokenException",
            SamlError::RoleNotInAssertion { .. } => "AccessDenied",
            _ => "InvalidIdentityToken",
        }
    }
}

fn invalid(reason: impl Into<String>) -> SamlError {
    SamlError::Invalid(reason.into())
}

/// One value of the `Role` attribute: a role and the SAML provider that may
/// assume it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolePair {
    /// `arn:aws:iam::ACCOUNT:role/NAME`.
    pub role_arn: String,
    /// `arn:aws:iam::ACCOUNT:saml-provider/NAME`.
    pub principal_arn: String,
}

/// What STS reads from an assertion.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SamlAssertion {
    /// The assertion's `Issuer` (the response's when the assertion has none).
    pub issuer: String,
    /// `Subject/NameID`.
    pub name_id: String,
    /// `NameID`'s `Format`, when given.
    pub name_id_format: Option<String>,
    /// Every `Conditions/AudienceRestriction/Audience`.
    pub audiences: Vec<String>,
    /// `Conditions/@NotBefore`, Unix seconds.
    pub not_before: Option<i64>,
    /// The earliest of `Conditions/@NotOnOrAfter` and
    /// `SubjectConfirmationData/@NotOnOrAfter`, Unix seconds.
    pub not_on_or_after: Option<i64>,
    /// The `Role` attribute's values.
    pub roles: Vec<RolePair>,
    /// The `RoleSessionName` attribute.
    pub role_session_name: Option<String>,
    /// The `SessionDuration` attribute, seconds.
    pub session_duration: Option<i64>,
    /// The `SourceIdentity` attribute.
    pub source_identity: Option<String>,
    /// `PrincipalTag:KEY` attributes, in document order.
    pub principal_tags: Vec<(String, String)>,
    /// The `TransitiveTagKeys` attribute's values.
    pub transitive_tag_keys: Vec<String>,
}

impl SamlAssertion {
    /// `SubjectType` as STS reports it: `persistent` or `transient` for
    /// those formats, otherwise the format URI itself.
    pub fn subject_type(&self) -> &str {
        match self.name_id_format.as_deref() {
            Some(PERSISTENT) => "persistent",
            Some(TRANSIENT) => "transient",
            Some(other) => other,
            None => UNSPECIFIED,
        }
    }

    /// Checks the validity window against `now` (Unix seconds).
    pub fn check_time(&self, now: i64) -> Result<(), SamlError> {
        if let Some(not_before) = self.not_before
            && now < not_before
        {
            return Err(SamlError::NotYetValid { now, not_before });
        }
        if let Some(not_on_or_after) = self.not_on_or_after
            && now >= not_on_or_after
        {
            return Err(SamlError::Expired {
                now,
                not_on_or_after,
            });
        }
        Ok(())
    }

    /// Checks that one of the assertion's audiences is in `accepted`
    /// (e.g. `https://signin.aws.amazon.com/saml`).
    pub fn check_audience(&self, accepted: &[&str]) -> Result<(), SamlError> {
        if self
            .audiences
            .iter()
            .any(|a| accepted.contains(&a.as_str()))
        {
            Ok(())
        } else {
            Err(SamlError::WrongAudience)
        }
    }

    /// Checks that the `Role` attribute lists this role/provider pair.
    pub fn check_role(&self, role_arn: &str, principal_arn: &str) -> Result<(), SamlError> {
        if self
            .roles
            .iter()
            .any(|r| r.role_arn == role_arn && r.principal_arn == principal_arn)
        {
            Ok(())
        } else {
            Err(SamlError::RoleNotInAssertion {
                role_arn: role_arn.to_owned(),
                principal_arn: principal_arn.to_owned(),
            })
        }
    }
}

/// `NameQualifier` as STS computes it: base64 of the SHA-1 of the issuer,
/// the account id, `/` and the SAML provider's name, concatenated.
pub fn name_qualifier(issuer: &str, account: &str, provider_name: &str) -> String {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY);
    ctx.update(issuer.as_bytes());
    ctx.update(account.as_bytes());
    ctx.update(b"/");
    ctx.update(provider_name.as_bytes());
    general_purpose::STANDARD.encode(ctx.finish())
}

/// Decodes a base64 SAML response (whitespace and line breaks allowed, as
/// some IdPs wrap it) and reads it with [`parse_xml`].
pub fn parse_base64(encoded: &str) -> Result<SamlAssertion, SamlError> {
    let compact: String = encoded
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    if compact.is_empty() {
        return Err(invalid("the assertion is empty"));
    }
    let bytes = SAML_BASE64.decode(compact).map_err(|_| {
        invalid(
            "the assertion is not base64; pass the SAMLResponse form value as the IdP posted it",
        )
    })?;
    let xml =
        String::from_utf8(bytes).map_err(|_| invalid("the decoded assertion is not UTF-8 XML"))?;
    parse_xml(&xml)
}

/// One open element while reading.
struct Frame {
    name: String,
    /// Text content, kept only for the leaf elements that are read.
    text: Option<String>,
    /// `Attribute/@Name`, for `Attribute` frames.
    attribute_name: Option<String>,
    /// Collected `AttributeValue`s, for `Attribute` frames.
    values: Vec<String>,
}

#[derive(Default)]
struct Collected {
    response_issuer: Option<String>,
    assertion_issuer: Option<String>,
    name_id: Option<String>,
    name_id_format: Option<String>,
    audiences: Vec<String>,
    not_before: Option<i64>,
    not_on_or_after: Option<i64>,
    attributes: Vec<(String, Vec<String>)>,
    assertions: usize,
}

/// Reads a SAML 2.0 `Response` or `Assertion` document.
pub fn parse_xml(xml: &str) -> Result<SamlAssertion, SamlError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Frame> = Vec::new();
    let mut got = Collected::default();
    let mut root_seen = false;

    loop {
        let event = reader.read_event().map_err(|e| {
            invalid(format!(
                "the XML is not well-formed ({})",
                xml_error_kind(&e)
            ))
        })?;
        match event {
            Event::DocType(_) => {
                return Err(invalid(
                    "document type declarations (DOCTYPE) are not allowed",
                ));
            }
            Event::Start(e) => {
                open(&e, &mut stack, &mut got, &mut root_seen)?;
            }
            Event::Empty(e) => {
                open(&e, &mut stack, &mut got, &mut root_seen)?;
                close(&mut stack, &mut got)?;
            }
            Event::End(_) => close(&mut stack, &mut got)?,
            Event::Text(t) => append_text(&mut stack, &t.xml10_content())?,
            Event::CData(t) => append_text(&mut stack, &t.xml10_content())?,
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    Ok(None) => predefined_entity(&r.xml10_content()).ok_or_else(|| {
                        invalid(
                            "entity references other than XML's predefined ones are not allowed",
                        )
                    })?,
                    Err(_) => {
                        return Err(invalid("a character reference is not a valid character"));
                    }
                };
                append_text(&mut stack, c.encode_utf8(&mut [0; 4]))?;
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(invalid("the XML ends inside an element"));
    }
    finish(got)
}

fn xml_error_kind(e: &quick_xml::Error) -> &'static str {
    match e {
        quick_xml::Error::Syntax(_) => "syntax error",
        quick_xml::Error::IllFormed(_) => "mismatched or unexpected tags",
        quick_xml::Error::InvalidAttr(_) => "malformed attribute",
        quick_xml::Error::Escape(_) => "bad escape",
        quick_xml::Error::Encoding(_) => "bad encoding",
        _ => "unreadable",
    }
}

fn predefined_entity(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => return None,
    })
}

fn local(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, l)| l)
}

/// The attributes of `e` by local name, values unescaped and normalised.
fn attr(e: &BytesStart<'_>, wanted: &str) -> Result<Option<String>, SamlError> {
    for a in e.attributes() {
        let a = a.map_err(|_| invalid("the XML has a malformed attribute"))?;
        if a.key.local_name().into_inner() == wanted {
            let v = a
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|_| invalid("an attribute value has an unknown entity reference"))?;
            return Ok(Some(v.into_owned()));
        }
    }
    Ok(None)
}

/// Elements whose text content is read.
fn keeps_text(name: &str) -> bool {
    matches!(name, "Issuer" | "NameID" | "Audience" | "AttributeValue")
}

fn open(
    e: &BytesStart<'_>,
    stack: &mut Vec<Frame>,
    got: &mut Collected,
    root_seen: &mut bool,
) -> Result<(), SamlError> {
    if stack.len() >= MAX_DEPTH {
        return Err(invalid("the XML is nested too deeply"));
    }
    let qname = e.name();
    let name = local(qname.into_inner()).to_owned();
    let parent = stack.last().map(|f| f.name.as_str());
    if parent.is_none() {
        if *root_seen {
            return Err(invalid("the XML has more than one root element"));
        }
        *root_seen = true;
        if name != "Response" && name != "Assertion" {
            return Err(invalid(format!(
                "the root element is {name}, not a SAML 2.0 Response or Assertion"
            )));
        }
    }
    match (parent, name.as_str()) {
        (_, "EncryptedAssertion") => {
            return Err(invalid(
                "encrypted assertions are not supported by the emulator; send it unencrypted",
            ));
        }
        (_, "Assertion") => {
            got.assertions += 1;
            if got.assertions > 1 {
                return Err(invalid("the response holds more than one assertion"));
            }
        }
        (Some("Subject"), "NameID") => got.name_id_format = attr(e, "Format")?,
        (Some("Assertion"), "Conditions") => {
            got.not_before = time_attr(e, "NotBefore")?;
            earliest(&mut got.not_on_or_after, time_attr(e, "NotOnOrAfter")?);
        }
        (Some("SubjectConfirmation"), "SubjectConfirmationData") => {
            earliest(&mut got.not_on_or_after, time_attr(e, "NotOnOrAfter")?);
        }
        _ => {}
    }
    let attribute_name = if name == "Attribute" {
        attr(e, "Name")?
    } else {
        None
    };
    stack.push(Frame {
        text: keeps_text(&name).then(String::new),
        name,
        attribute_name,
        values: Vec::new(),
    });
    Ok(())
}

fn earliest(slot: &mut Option<i64>, t: Option<i64>) {
    if let Some(t) = t {
        *slot = Some(slot.map_or(t, |s| s.min(t)));
    }
}

fn time_attr(e: &BytesStart<'_>, name: &str) -> Result<Option<i64>, SamlError> {
    match attr(e, name)? {
        None => Ok(None),
        Some(v) => parse_datetime(&v).map(Some).ok_or_else(|| {
            invalid(format!(
                "{name} is not a date-time like 2024-05-01T12:00:00Z"
            ))
        }),
    }
}

fn append_text(stack: &mut [Frame], text: &str) -> Result<(), SamlError> {
    if let Some(Frame {
        text: Some(buf), ..
    }) = stack.last_mut()
    {
        buf.push_str(text);
    }
    Ok(())
}

fn close(stack: &mut Vec<Frame>, got: &mut Collected) -> Result<(), SamlError> {
    let frame = stack
        .pop()
        .ok_or_else(|| invalid("the XML closes an element it never opened"))?;
    let parent = stack.last_mut();
    let parent_name = parent.as_ref().map(|p| p.name.as_str());
    let text = frame.text.map(|t| t.trim().to_owned());
    match (parent_name, frame.name.as_str()) {
        (Some("Response"), "Issuer") => got.response_issuer = text,
        (Some("Assertion"), "Issuer") => got.assertion_issuer = text,
        (Some("Subject"), "NameID") => got.name_id = text,
        (Some("AudienceRestriction"), "Audience") => got.audiences.extend(text),
        (Some("Attribute"), "AttributeValue") => {
            if let (Some(p), Some(t)) = (parent, text) {
                p.values.push(t);
            }
        }
        (Some("AttributeStatement"), "Attribute") => {
            if let Some(name) = frame.attribute_name {
                got.attributes.push((name, frame.values));
            }
        }
        _ => {}
    }
    Ok(())
}

fn finish(got: Collected) -> Result<SamlAssertion, SamlError> {
    if got.assertions == 0 {
        return Err(invalid("the response holds no Assertion"));
    }
    let issuer = got
        .assertion_issuer
        .or(got.response_issuer)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| invalid("the assertion has no Issuer"))?;
    let name_id = got
        .name_id
        .filter(|s| !s.is_empty())
        .ok_or_else(|| invalid("the assertion has no Subject/NameID"))?;
    let mut out = SamlAssertion {
        issuer,
        name_id,
        name_id_format: got.name_id_format,
        audiences: got.audiences,
        not_before: got.not_before,
        not_on_or_after: got.not_on_or_after,
        ..SamlAssertion::default()
    };
    for (name, values) in got.attributes {
        let single = |what: &str| -> Result<Option<String>, SamlError> {
            match values.as_slice() {
                [] => Ok(None),
                [one] => Ok(Some(one.clone())),
                _ => Err(invalid(format!(
                    "the {what} attribute has more than one value"
                ))),
            }
        };
        match name.as_str() {
            ROLE => {
                for v in &values {
                    out.roles.push(role_pair(v)?);
                }
            }
            ROLE_SESSION_NAME => out.role_session_name = single("RoleSessionName")?,
            SOURCE_IDENTITY => out.source_identity = single("SourceIdentity")?,
            SESSION_DURATION => out.session_duration = match single("SessionDuration")? {
                None => None,
                Some(v) => Some(v.parse::<i64>().ok().filter(|d| *d > 0).ok_or_else(|| {
                    invalid(
                        "the SessionDuration attribute is not a positive whole number of seconds",
                    )
                })?),
            },
            TRANSITIVE_TAG_KEYS => out.transitive_tag_keys = values,
            _ => {
                if let Some(key) = name.strip_prefix(PRINCIPAL_TAG) {
                    if key.is_empty() {
                        return Err(invalid(
                            "a PrincipalTag attribute has no tag key after \"PrincipalTag:\"",
                        ));
                    }
                    let value = single("PrincipalTag")?.unwrap_or_default();
                    out.principal_tags.push((key.to_owned(), value));
                }
            }
        }
    }
    if out.roles.is_empty() {
        return Err(invalid(format!(
            "the assertion has no {ROLE} attribute; add one whose values are \"role ARN,provider ARN\""
        )));
    }
    if out.role_session_name.as_deref().is_none_or(str::is_empty) {
        return Err(invalid(format!(
            "the assertion has no {ROLE_SESSION_NAME} attribute; add one naming the session"
        )));
    }
    Ok(out)
}

/// Reads `roleArn,principalArn` in either order (AWS accepts both).
fn role_pair(value: &str) -> Result<RolePair, SamlError> {
    let bad = || {
        invalid(
            "a Role attribute value is not \"arn:aws:iam::ACCOUNT:role/NAME,arn:aws:iam::ACCOUNT:saml-provider/NAME\"",
        )
    };
    let (a, b) = value.split_once(',').ok_or_else(bad)?;
    let (a, b) = (a.trim(), b.trim());
    let is_provider = |s: &str| s.starts_with("arn:") && s.contains(":saml-provider/");
    let is_role = |s: &str| s.starts_with("arn:") && s.contains(":role/");
    let (role, principal) = if is_role(a) && is_provider(b) {
        (a, b)
    } else if is_provider(a) && is_role(b) {
        (b, a)
    } else {
        return Err(bad());
    };
    Ok(RolePair {
        role_arn: role.to_owned(),
        principal_arn: principal.to_owned(),
    })
}

/// Parses an `xs:dateTime` (`2024-05-01T12:00:00Z`, with optional fraction
/// and `±hh:mm` offset; no offset is taken as UTC) to Unix seconds.
pub fn parse_datetime(s: &str) -> Option<i64> {
    // awssts::DateTime reads RFC 3339, which xs:dateTime narrows (only `T`
    // between date and time, offsets `±hh:mm` up to 14:00) and widens (the
    // zone may be left out).
    if !matches!(s.as_bytes().get(10), Some(b'T' | b't')) {
        return None;
    }
    let fraction_and_zone = s.get(19..)?;
    let parsed = match fraction_and_zone.find(['Z', 'z', '+', '-']) {
        None => awssts::DateTime::parse(&format!("{s}Z")),
        Some(at) => {
            if let [b'+' | b'-', h1, h2, rest @ ..] = &fraction_and_zone.as_bytes()[at..]
                && ([*h1, *h2] > *b"14" || rest.first() != Some(&b':'))
            {
                return None;
            }
            awssts::DateTime::parse(s)
        }
    };
    parsed.ok().map(awssts::DateTime::unix_seconds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/Developers";
    const PROVIDER_ARN: &str = "arn:aws:iam::123456789012:saml-provider/ExampleIdP";
    /// 2024-05-01T12:00:00Z
    const T0: i64 = 1_714_564_800;

    /// A response shaped like those IdPs post, with prefix `p` on
    /// assertion elements ("" for a default namespace).
    fn response(p: &str, attributes: &str) -> String {
        let ns = if p.is_empty() {
            r#"xmlns="urn:oasis:names:tc:SAML:2.0:assertion""#.to_owned()
        } else {
            format!(
                r#"xmlns:{}="urn:oasis:names:tc:SAML:2.0:assertion""#,
                p.trim_end_matches(':')
            )
        };
        format!(
            r##"<?xml version="1.0" encoding="UTF-8"?>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r1" Version="2.0"
    IssueInstant="2024-05-01T11:59:58Z" Destination="https://signin.aws.amazon.com/saml">
  <{p}Issuer {ns}>https://idp.example.org/outer</{p}Issuer>
  <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
  <{p}Assertion {ns} ID="_a1" Version="2.0" IssueInstant="2024-05-01T11:59:58Z">
    <{p}Issuer>https://idp.example.org/saml</{p}Issuer>
    <ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
      <ds:SignedInfo><ds:Reference URI="#_a1"><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference></ds:SignedInfo>
      <ds:SignatureValue>c2lnbmF0dXJl</ds:SignatureValue>
    </ds:Signature>
    <{p}Subject>
      <{p}NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">jdoe@example.org</{p}NameID>
      <{p}SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
        <{p}SubjectConfirmationData NotOnOrAfter="2024-05-01T12:05:00Z" Recipient="https://signin.aws.amazon.com/saml"/>
      </{p}SubjectConfirmation>
    </{p}Subject>
    <{p}Conditions NotBefore="2024-05-01T11:55:00.123Z" NotOnOrAfter="2024-05-01T13:00:00+01:00">
      <{p}AudienceRestriction><{p}Audience>https://signin.aws.amazon.com/saml</{p}Audience></{p}AudienceRestriction>
    </{p}Conditions>
    <{p}AuthnStatement AuthnInstant="2024-05-01T11:59:57Z"/>
    <{p}AttributeStatement>{attributes}</{p}AttributeStatement>
  </{p}Assertion>
</samlp:Response>"##,
            attributes = attributes.replace("{p}", p),
        )
    }

    fn standard_attributes() -> String {
        format!(
            r#"
      <{{p}}Attribute Name="https://aws.amazon.com/SAML/Attributes/Role">
        <{{p}}AttributeValue>{PROVIDER_ARN}, {ROLE_ARN}</{{p}}AttributeValue>
        <{{p}}AttributeValue>arn:aws:iam::123456789012:role/Readers,{PROVIDER_ARN}</{{p}}AttributeValue>
      </{{p}}Attribute>
      <{{p}}Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName">
        <{{p}}AttributeValue>jdoe@example.org</{{p}}AttributeValue>
      </{{p}}Attribute>
      <{{p}}Attribute Name="https://aws.amazon.com/SAML/Attributes/SessionDuration"><{{p}}AttributeValue>7200</{{p}}AttributeValue></{{p}}Attribute>
      <{{p}}Attribute Name="https://aws.amazon.com/SAML/Attributes/SourceIdentity"><{{p}}AttributeValue>jdoe</{{p}}AttributeValue></{{p}}Attribute>
      <{{p}}Attribute Name="https://aws.amazon.com/SAML/Attributes/PrincipalTag:Department"><{{p}}AttributeValue>R&amp;D</{{p}}AttributeValue></{{p}}Attribute>
      <{{p}}Attribute Name="https://aws.amazon.com/SAML/Attributes/PrincipalTag:CostCenter"><{{p}}AttributeValue><![CDATA[cc-42]]></{{p}}AttributeValue></{{p}}Attribute>
      <{{p}}Attribute Name="https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys">
        <{{p}}AttributeValue>Department</{{p}}AttributeValue><{{p}}AttributeValue>CostCenter</{{p}}AttributeValue>
      </{{p}}Attribute>
      <{{p}}Attribute Name="urn:oid:0.9.2342.19200300.100.1.3"><{{p}}AttributeValue>jdoe@example.org</{{p}}AttributeValue></{{p}}Attribute>"#
        )
    }

    fn b64(xml: &str) -> String {
        general_purpose::STANDARD.encode(xml)
    }

    #[test]
    fn reads_a_response_with_any_prefix() {
        for p in ["saml2:", "saml:", ""] {
            let a = parse_base64(&b64(&response(p, &standard_attributes()))).unwrap();
            assert_eq!(a.issuer, "https://idp.example.org/saml", "{p}");
            assert_eq!(a.name_id, "jdoe@example.org");
            assert_eq!(a.subject_type(), "persistent");
            assert_eq!(a.audiences, vec!["https://signin.aws.amazon.com/saml"]);
            assert_eq!(a.not_before, Some(T0 - 300));
            // Conditions says 13:00+01:00 = 12:00Z; SubjectConfirmationData
            // says 12:05Z; the earlier wins.
            assert_eq!(a.not_on_or_after, Some(T0));
            assert_eq!(
                a.roles,
                vec![
                    RolePair {
                        role_arn: ROLE_ARN.into(),
                        principal_arn: PROVIDER_ARN.into()
                    },
                    RolePair {
                        role_arn: "arn:aws:iam::123456789012:role/Readers".into(),
                        principal_arn: PROVIDER_ARN.into()
                    },
                ]
            );
            assert_eq!(a.role_session_name.as_deref(), Some("jdoe@example.org"));
            assert_eq!(a.session_duration, Some(7200));
            assert_eq!(a.source_identity.as_deref(), Some("jdoe"));
            assert_eq!(
                a.principal_tags,
                vec![
                    ("Department".into(), "R&D".into()),
                    ("CostCenter".into(), "cc-42".into())
                ]
            );
            assert_eq!(a.transitive_tag_keys, vec!["Department", "CostCenter"]);
            a.check_role(ROLE_ARN, PROVIDER_ARN).unwrap();
            a.check_audience(&["https://signin.aws.amazon.com/saml"])
                .unwrap();
        }
    }

    #[test]
    fn a_bare_assertion_wrapped_base64_is_read() {
        let xml = response("saml2:", &standard_attributes());
        let start = xml.find("<saml2:Assertion").unwrap();
        let end = xml.find("</samlp:Response>").unwrap();
        let assertion = &xml[start..end];
        // Line-wrapped at 76 columns, as some IdPs send it, without padding.
        let encoded = b64(assertion);
        let wrapped: Vec<String> = encoded
            .trim_end_matches('=')
            .as_bytes()
            .chunks(76)
            .map(|c| String::from_utf8(c.to_vec()).unwrap())
            .collect();
        let a = parse_base64(&wrapped.join("\r\n")).unwrap();
        assert_eq!(a.issuer, "https://idp.example.org/saml");
    }

    #[test]
    fn subject_types() {
        let mut a = SamlAssertion::default();
        assert_eq!(
            a.subject_type(),
            "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
        );
        a.name_id_format = Some(TRANSIENT.into());
        assert_eq!(a.subject_type(), "transient");
        a.name_id_format = Some("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress".into());
        assert_eq!(
            a.subject_type(),
            "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
        );
    }

    #[test]
    fn validity_window() {
        let a = parse_xml(&response("saml2:", &standard_attributes())).unwrap();
        a.check_time(T0 - 300).unwrap();
        a.check_time(T0 - 1).unwrap();
        let err = a.check_time(T0).unwrap_err();
        assert_eq!(
            err,
            SamlError::Expired {
                now: T0,
                not_on_or_after: T0
            }
        );
        assert_eq!(err.code(), "ExpiredTokenException");
        let err = a.check_time(T0 - 301).unwrap_err();
        assert_eq!(err.code(), "InvalidIdentityToken");
        assert!(matches!(err, SamlError::NotYetValid { .. }));
    }

    #[test]
    fn role_and_audience_checks() {
        let a = parse_xml(&response("saml2:", &standard_attributes())).unwrap();
        let err = a
            .check_role("arn:aws:iam::123456789012:role/Admins", PROVIDER_ARN)
            .unwrap_err();
        assert_eq!(err.code(), "AccessDenied");
        assert!(err.to_string().contains("role/Admins"));
        // The pair must match, not just each half.
        assert!(
            a.check_role(ROLE_ARN, "arn:aws:iam::123456789012:saml-provider/Other")
                .is_err()
        );
        let err = a.check_audience(&["urn:amazon:webservices"]).unwrap_err();
        assert_eq!(err.code(), "InvalidIdentityToken");
    }

    #[test]
    fn missing_attributes_are_named() {
        let only_session = r#"<{p}Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><{p}AttributeValue>s</{p}AttributeValue></{p}Attribute>"#;
        let err = parse_xml(&response("saml2:", only_session)).unwrap_err();
        assert_eq!(err.code(), "InvalidIdentityToken");
        assert!(
            err.to_string().contains("Attributes/Role attribute"),
            "{err}"
        );

        let only_role = format!(
            r#"<{{p}}Attribute Name="{ROLE}"><{{p}}AttributeValue>{ROLE_ARN},{PROVIDER_ARN}</{{p}}AttributeValue></{{p}}Attribute>"#
        );
        let err = parse_xml(&response("saml2:", &only_role)).unwrap_err();
        assert!(err.to_string().contains("RoleSessionName"), "{err}");
    }

    #[test]
    fn bad_attribute_values_are_refused() {
        let cases = [
            (
                format!(
                    "<{{p}}Attribute Name=\"{ROLE}\"><{{p}}AttributeValue>{ROLE_ARN}</{{p}}AttributeValue></{{p}}Attribute>"
                ),
                "Role attribute value",
            ),
            (
                format!(
                    "<{{p}}Attribute Name=\"{ROLE}\"><{{p}}AttributeValue>{ROLE_ARN},{ROLE_ARN}</{{p}}AttributeValue></{{p}}Attribute>"
                ),
                "Role attribute value",
            ),
            (
                format!(
                    "<{{p}}Attribute Name=\"{SESSION_DURATION}\"><{{p}}AttributeValue>1h</{{p}}AttributeValue></{{p}}Attribute>"
                ),
                "SessionDuration",
            ),
            (
                format!(
                    "<{{p}}Attribute Name=\"{ROLE_SESSION_NAME}\"><{{p}}AttributeValue>a</{{p}}AttributeValue><{{p}}AttributeValue>b</{{p}}AttributeValue></{{p}}Attribute>"
                ),
                "more than one value",
            ),
            (
                format!(
                    "<{{p}}Attribute Name=\"{PRINCIPAL_TAG}\"><{{p}}AttributeValue>a</{{p}}AttributeValue></{{p}}Attribute>"
                ),
                "no tag key",
            ),
        ];
        for (attr, why) in cases {
            let err = parse_xml(&response(
                "saml2:",
                &format!("{}{attr}", standard_attributes()),
            ))
            .unwrap_err();
            assert!(err.to_string().contains(why), "{err} lacks {why:?}");
        }
    }

    #[test]
    fn malformed_input_is_an_invalid_saml_response() {
        let good = response("saml2:", &standard_attributes());
        let cases: Vec<(String, &str)> = vec![
            ("not base64!".into(), "not base64"),
            ("".into(), "empty"),
            (general_purpose::STANDARD.encode([0xff, 0xfe, 0x00]), "not UTF-8"),
            (b64("just text"), "no Assertion"),
            (b64("<html><body/></html>"), "root element is html"),
            (b64("<Response><Assertion></Response>"), "not well-formed"),
            (b64("<Response>"), "ends inside"),
            (b64(&good.replace("<saml2:Issuer>https://idp.example.org/saml</saml2:Issuer>", "").replace("<saml2:Issuer xmlns:saml2=\"urn:oasis:names:tc:SAML:2.0:assertion\">https://idp.example.org/outer</saml2:Issuer>", "")), "no Issuer"),
            (b64(&good.replace("jdoe@example.org</saml2:NameID>", "</saml2:NameID>")), "no Subject/NameID"),
            (b64(&good.replace("2024-05-01T11:55:00.123Z", "yesterday")), "NotBefore is not a date-time"),
            (b64(&good.replace("</saml2:Assertion>", "</saml2:Assertion><saml2:Assertion/>")), "more than one assertion"),
            (b64("<samlp:Response xmlns:samlp=\"p\"><saml:EncryptedAssertion/></samlp:Response>"), "encrypted"),
            (b64(&format!("<!DOCTYPE r [<!ENTITY x \"y\">]>{good}")), "DOCTYPE"),
            (b64(&good.replace("R&amp;D", "&x;")), "entity references"),
            (b64(&good.replace("R&amp;D", "&#0;")), "character reference"),
            (b64(&format!("{good}<Response/>")), "more than one root"),
            (b64(&format!("{}{}", "<a>".repeat(100), "</a>".repeat(100))), "root element is a"),
            (b64(&format!("<Response>{}{}</Response>", "<a>".repeat(100), "</a>".repeat(100))), "nested too deeply"),
        ];
        for (input, why) in cases {
            let err = parse_base64(&input).unwrap_err();
            assert_eq!(err.code(), "InvalidIdentityToken", "{why}");
            assert!(
                err.to_string().starts_with("Invalid SAML response"),
                "{err}"
            );
            assert!(err.to_string().contains(why), "{err} lacks {why:?}");
        }
    }

    #[test]
    fn errors_never_show_the_assertion() {
        let xml = response("saml2:", "");
        let err = parse_base64(&b64(&xml)).unwrap_err();
        assert!(!err.to_string().contains("jdoe"));
    }

    #[test]
    fn name_qualifier_matches_the_documented_recipe() {
        // SHA-1 of the concatenation, base64 with padding.
        let expected = general_purpose::STANDARD.encode(ring::digest::digest(
            &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            b"https://idp.example.org/saml123456789012/ExampleIdP",
        ));
        let got = name_qualifier("https://idp.example.org/saml", "123456789012", "ExampleIdP");
        assert_eq!(got, expected);
        assert_eq!(got.len(), 28);
        // Independently: `printf %s ab/c | sha1sum | xxd -r -p | base64`.
        assert_eq!(
            name_qualifier("a", "b", "c"),
            "c/YsYvn3OUOTQC0+f6sA0wJ37aQ="
        );
    }

    #[test]
    fn datetimes() {
        assert_eq!(parse_datetime("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_datetime("2024-05-01T12:00:00Z"), Some(T0));
        assert_eq!(parse_datetime("2024-05-01T12:00:00"), Some(T0));
        assert_eq!(parse_datetime("2024-05-01T12:00:00.25"), Some(T0));
        assert_eq!(parse_datetime("2024-05-02T02:00:00+14:00"), Some(T0));
        assert_eq!(parse_datetime("2024-05-01T12:00:00.999999Z"), Some(T0));
        assert_eq!(parse_datetime("2024-05-01T14:30:00+02:30"), Some(T0));
        assert_eq!(parse_datetime("2024-05-01T11:00:00-01:00"), Some(T0));
        assert_eq!(parse_datetime("2024-02-29T00:00:00Z"), Some(1_709_164_800));
        assert_eq!(parse_datetime("2000-03-01T00:00:00Z"), Some(951_868_800));
        assert_eq!(parse_datetime("1969-12-31T23:59:59Z"), Some(-1));
        for bad in [
            "",
            "2024-05-01",
            "2024-05-01 12:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-04-31T00:00:00Z",
            "2024-05-01T24:00:00Z",
            "2024-05-01T12:60:00Z",
            "2024-05-01T12:00:00.Z",
            "2024-05-01T12:00:00+0100",
            "2024-05-01T12:00:00+15:00",
            "+024-05-01T12:00:00Z",
            "2024-05-01T12:00:00ZZ",
            "２０２４-05-01T12:00:00Z",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn parse_base64_never_panics(s in ".{0,300}") {
            let _ = parse_base64(&s);
        }

        #[test]
        fn parse_xml_never_panics(s in "[<>/=\"'a-zA-Z:&#;! \\[\\]-]{0,200}") {
            let _ = parse_xml(&s);
        }

        #[test]
        fn parse_xml_never_panics_on_mutated_responses(pos in 0usize..4000, cut in 0usize..50, insert in "[<>/&;\"a-z:]{0,5}") {
            let good = response("saml2:", &standard_attributes());
            let mut s: Vec<u8> = good.into_bytes();
            let pos = pos.min(s.len());
            let end = (pos + cut).min(s.len());
            s.splice(pos..end, insert.bytes());
            if let Ok(s) = String::from_utf8(s) {
                let _ = parse_xml(&s);
            }
        }

        #[test]
        fn parse_datetime_never_panics(s in "[0-9T:Z+.-]{0,30}") {
            let _ = parse_datetime(&s);
        }

        #[test]
        fn datetime_round_trip(secs in 0i64..253_402_300_799) {
            // Format with the same civil arithmetic run backwards.
            let days = secs.div_euclid(86_400);
            let rem = secs.rem_euclid(86_400);
            let z = days + 719_468;
            let era = z.div_euclid(146_097);
            let doe = z.rem_euclid(146_097);
            let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
            let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
            let mp = (5 * doy + 2) / 153;
            let d = doy - (153 * mp + 2) / 5 + 1;
            let m = if mp < 10 { mp + 3 } else { mp - 9 };
            let y = yoe + era * 400 + i64::from(m <= 2);
            let text = format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60);
            prop_assert_eq!(parse_datetime(&text), Some(secs));
        }
    }
}
