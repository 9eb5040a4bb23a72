//! The awsQuery protocol STS speaks: requests are form bodies
//! (`Action=AssumeRole&Version=2011-06-15&...`), responses are XML.
//!
//! Every operation's input implements [`Operation`], which carries both
//! directions: the client encodes inputs and decodes outputs; the emulator
//! decodes inputs and encodes outputs. Errors are decoded and encoded by
//! [`decode_error`] and [`encode_error`].

mod error;
pub mod form;
pub(crate) mod xml;

use std::fmt;

pub use error::{ErrorResponse, decode_error, encode_error};
pub use form::{Form, FormError};

use crate::metadata::ResponseMetadata;
use crate::model::{ServiceErrorKind, ValidationError};

/// The STS API version every request names.
pub const API_VERSION: &str = "2011-06-15";

/// The XML namespace of STS responses.
pub const XML_NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// One STS operation, implemented by its input type.
pub trait Operation: Clone + fmt::Debug + Send + Sync + 'static {
    /// The operation's name, e.g. `"AssumeRole"`.
    const NAME: &'static str;
    /// Whether requests are signed (false for the operations that
    /// authenticate with a SAML assertion or web identity token instead).
    const SIGNED: bool;
    /// The errors the model says this operation can return.
    const ERRORS: &'static [ServiceErrorKind];
    /// What a successful call returns.
    type Output: fmt::Debug + Clone + Send + Sync + 'static;

    /// Checks every constraint of the model (required members, lengths,
    /// patterns, ranges, list sizes).
    fn validate(&self) -> Result<(), ValidationError>;

    /// Appends the whole form body: `Action=AssumeRole&Version=2011-06-15&...`.
    fn encode_form(&self, body: &mut Vec<u8>);

    /// Decodes a 2xx body; also returns the XML `ResponseMetadata/RequestId`.
    fn decode_output(body: &[u8]) -> Result<(Self::Output, Option<String>), DecodeError>;

    /// Stores the call's metadata in the output.
    fn set_metadata(output: &mut Self::Output, metadata: ResponseMetadata);

    /// Server side: builds the input from parsed form parameters (no
    /// validation here; unknown parameters are ignored).
    fn decode_form(form: &Form) -> Result<Self, FormError>;

    /// Server side: writes the complete XML response.
    fn encode_output(output: &Self::Output, request_id: &str, out: &mut Vec<u8>);
}

/// What was wrong with a response body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The body is empty.
    #[error("the response body is empty")]
    Empty,
    /// The body is an HTML page (a proxy or load balancer answered).
    #[error("the response is an HTML page, not STS XML (a proxy or load balancer answered?)")]
    Html,
    /// The body is not XML at all.
    #[error("the response is not XML")]
    NotXml,
    /// The body is not UTF-8.
    #[error("the response is not UTF-8")]
    NotUtf8,
    /// The body ends before the document does.
    #[error("the response XML is truncated")]
    Truncated,
    /// Elements nest deeper than any STS response does.
    #[error("the response XML nests too deeply")]
    TooDeep,
    /// Malformed XML.
    #[error("malformed XML at byte {offset}: {problem}")]
    Malformed {
        /// What is wrong.
        problem: &'static str,
        /// Byte offset in the body.
        offset: usize,
    },
    /// The root element is not the one expected.
    #[error("unexpected root element <{found}> (expected <{expected}>)")]
    UnexpectedRoot {
        /// The expected root element.
        expected: &'static str,
        /// The root element found (at most 64 characters).
        found: String,
    },
    /// A member the model marks required is missing.
    #[error("required element {element} is missing")]
    Missing {
        /// Its path, e.g. `AssumeRoleResult/Credentials/AccessKeyId`.
        element: &'static str,
    },
    /// An element that must hold a timestamp does not.
    #[error("element {element} does not hold an RFC 3339 timestamp")]
    BadTimestamp {
        /// The element's name.
        element: &'static str,
    },
    /// An element that must hold an integer does not.
    #[error("element {element} does not hold a 32-bit integer")]
    BadInteger {
        /// The element's name.
        element: &'static str,
    },
}

/// A response body that could not be decoded: what was wrong, and the
/// start of the body (secrets redacted) to help diagnose it.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}; body starts: {excerpt}")]
pub struct DecodeError {
    kind: DecodeErrorKind,
    excerpt: String,
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("kind", &self.kind)
            .field("excerpt", &self.excerpt)
            .finish()
    }
}

/// How many characters of the body an error shows.
pub const EXCERPT_CHARS: usize = 160;

/// Elements whose contents never appear in an excerpt: every secret member
/// of the model, as the generator lists them.
use crate::model::shapes::SECRET_ELEMENTS;

use crate::secret::REDACTED;

impl DecodeError {
    /// An error of `kind` about `body`.
    pub fn new(kind: DecodeErrorKind, body: &[u8]) -> Self {
        DecodeError {
            kind,
            excerpt: excerpt(body),
        }
    }

    /// What was wrong.
    pub fn kind(&self) -> &DecodeErrorKind {
        &self.kind
    }

    /// The start of the body, secrets redacted and control characters
    /// escaped (at most [`EXCERPT_CHARS`] characters plus escapes).
    pub fn excerpt(&self) -> &str {
        &self.excerpt
    }
}

/// The start of `body` for an error message: secret elements' contents
/// replaced, control characters escaped, at most [`EXCERPT_CHARS`] chars.
fn excerpt(body: &[u8]) -> String {
    // Only the start is shown; redaction needs to see a little further.
    let text = String::from_utf8_lossy(body.get(..64 * 1024).unwrap_or(body));
    let mut out = String::new();
    let mut rest: &str = &text;
    let mut cut = false;
    while let Some(c) = rest.chars().next() {
        if out.chars().count() >= EXCERPT_CHARS {
            cut = true;
            break;
        }
        if c == '<'
            && let Some((tag_len, name)) = secret_open_tag(rest)
        {
            rest[..tag_len]
                .chars()
                .for_each(|c| push_escaped(&mut out, c));
            out.push_str(REDACTED);
            rest = &rest[tag_len..];
            // Skip to the matching end tag, or to the end of a truncated body.
            rest = match find_end_tag(rest, name) {
                Some(i) => &rest[i..],
                None => "",
            };
            continue;
        }
        push_escaped(&mut out, c);
        rest = &rest[c.len_utf8()..];
    }
    if cut || out.chars().count() > EXCERPT_CHARS {
        out = out.chars().take(EXCERPT_CHARS - 1).collect();
        out.push('…');
    }
    out
}

fn push_escaped(out: &mut String, c: char) {
    use std::fmt::Write as _;
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if c.is_control() => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
        c => out.push(c),
    }
}

/// If `s` starts with the start tag of a secret element (any namespace
/// prefix), its length up to and including `>` (or all of `s` when cut
/// short), and the element name.
fn secret_open_tag(s: &str) -> Option<(usize, &'static str)> {
    let after = s.strip_prefix('<')?;
    let name_len = after
        .bytes()
        .take_while(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/'))
        .count();
    let qname = &after[..name_len];
    let local = qname.rsplit(':').next().unwrap_or(qname);
    let name = SECRET_ELEMENTS.iter().copied().find(|n| *n == local)?;
    let tag_len = match after[name_len..].find('>') {
        Some(i) => 1 + name_len + i + 1,
        None => s.len(),
    };
    Some((tag_len, name))
}

fn find_end_tag(s: &str, name: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = s[from..].find("</") {
        let at = from + i;
        let after = &s[at + 2..];
        let len = after.find('>').unwrap_or(after.len());
        let qname = after[..len].trim_end();
        if qname.rsplit(':').next() == Some(name) {
            return Some(at);
        }
        from = at + 2;
    }
    None
}

/// Classifies a body that does not start like XML, or checks it is UTF-8.
pub(crate) fn body_text(body: &[u8]) -> Result<&str, DecodeErrorKind> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(DecodeErrorKind::Empty);
    }
    let trimmed = body.trim_ascii_start();
    let starts_with = |prefix: &[u8]| {
        trimmed
            .get(..prefix.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(prefix))
    };
    if starts_with(b"<!doctype html") || starts_with(b"<html") {
        return Err(DecodeErrorKind::Html);
    }
    if !trimmed.starts_with(b"<") {
        return Err(DecodeErrorKind::NotXml);
    }
    std::str::from_utf8(body).map_err(|_| DecodeErrorKind::NotUtf8)
}

/// Decoding helpers the generated code calls.
pub(crate) mod decode {
    use super::DecodeErrorKind;
    use super::xml::Reader;
    use crate::DateTime;

    /// Reads an element's text as an owned string.
    pub(crate) fn string(r: &mut Reader<'_>) -> Result<String, DecodeErrorKind> {
        Ok(r.read_text()?.into_owned())
    }

    /// Reads an element's text as a timestamp.
    pub(crate) fn timestamp(
        r: &mut Reader<'_>,
        element: &'static str,
    ) -> Result<DateTime, DecodeErrorKind> {
        let text = r.read_text()?;
        DateTime::parse(text.trim_ascii()).map_err(|_| DecodeErrorKind::BadTimestamp { element })
    }

    /// Reads an element's text as an `i32`.
    pub(crate) fn integer(
        r: &mut Reader<'_>,
        element: &'static str,
    ) -> Result<i32, DecodeErrorKind> {
        let text = r.read_text()?;
        text.trim_ascii()
            .parse()
            .map_err(|_| DecodeErrorKind::BadInteger { element })
    }

    /// A required member that was not seen.
    pub(crate) fn required<T>(v: Option<T>, element: &'static str) -> Result<T, DecodeErrorKind> {
        v.ok_or(DecodeErrorKind::Missing { element })
    }

    /// Reads `<ResponseMetadata><RequestId>`.
    pub(crate) fn response_metadata(r: &mut Reader<'_>) -> Result<Option<String>, DecodeErrorKind> {
        let mut id = None;
        while let Some(name) = r.next_child()? {
            if name == "RequestId" {
                id = Some(string(r)?);
            } else {
                r.skip_element()?;
            }
        }
        Ok(id)
    }

    /// Opens the document and checks its root element.
    pub(crate) fn open<'a>(
        body: &'a [u8],
        root: &'static str,
    ) -> Result<Reader<'a>, DecodeErrorKind> {
        let text = super::body_text(body)?;
        let mut r = Reader::new(text);
        let found = r.root()?;
        if found != root {
            return Err(DecodeErrorKind::UnexpectedRoot {
                expected: root,
                found: found.chars().take(64).collect(),
            });
        }
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_page_is_recognised() {
        let body =
            b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head></html>";
        let e = DecodeError::new(body_text(body).unwrap_err(), body);
        assert_eq!(e.kind(), &DecodeErrorKind::Html);
        let shown = e.to_string();
        assert!(shown.starts_with("the response is an HTML page"), "{shown}");
        assert!(shown.contains("<!DOCTYPE html>\\n<html>"), "{shown}");
        assert!(!shown.contains('\n'));
        assert_eq!(body_text(b" \n<HTML><body>"), Err(DecodeErrorKind::Html));
        assert_eq!(body_text(b"<!DocType HTML>"), Err(DecodeErrorKind::Html));
        assert_eq!(body_text(b"<htm"), Ok("<htm"));
        assert_eq!(body_text(b"<!doctype htm"), Ok("<!doctype htm"));
    }

    #[test]
    fn empty_and_non_xml() {
        assert_eq!(body_text(b""), Err(DecodeErrorKind::Empty));
        assert_eq!(body_text(b" \r\n"), Err(DecodeErrorKind::Empty));
        assert_eq!(body_text(b"{\"json\":1}"), Err(DecodeErrorKind::NotXml));
        assert_eq!(body_text(b"<a>\xff</a>"), Err(DecodeErrorKind::NotUtf8));
        let e = DecodeError::new(DecodeErrorKind::Empty, b"");
        assert_eq!(e.to_string(), "the response body is empty; body starts: ");
    }

    #[test]
    fn excerpt_is_bounded_and_escaped() {
        let body = format!("<A>\u{1}{}</A>", "x".repeat(500));
        let e = excerpt(body.as_bytes());
        assert!(e.starts_with("<A>\\u{1}xxx"));
        assert_eq!(e.chars().count(), EXCERPT_CHARS);
        assert!(e.ends_with('…'));
    }

    #[test]
    fn secrets_are_redacted_even_when_cut() {
        let secret = "SuperSecretTokenValue0123456789";
        for body in [
            format!("<R><sts:SessionToken>{secret}</sts:SessionToken><X>ok</X></R>"),
            format!("<R><SecretAccessKey a=\"1\">{secret}"),
            format!("<R><SAMLAssertion>{}", &secret[..7]),
            format!("<R><WebIdentityToken><![CDATA[{secret}]]></WebIdentityToken></R>"),
            format!("<R><ContextAssertion>{secret}<b></ContextAssertion>"),
            "<R><SessionToken".to_owned(),
        ] {
            let e = DecodeError::new(DecodeErrorKind::Truncated, body.as_bytes());
            for shown in [e.to_string(), format!("{e:?}")] {
                assert!(!shown.contains(&secret[..7]), "{shown}");
            }
        }
        let e = DecodeError::new(
            DecodeErrorKind::Truncated,
            b"<R><SessionToken>abc</SessionToken><X>visible</X></R>",
        );
        assert!(
            e.excerpt()
                .contains("<SessionToken>** redacted **</SessionToken><X>visible")
        );
    }
}
