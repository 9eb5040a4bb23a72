//! awsQuery form bodies: writing `key=value` pairs straight into the body
//! buffer, and parsing a received body (the emulator's side).
//!
//! Values are percent-encoded with only RFC 3986 unreserved characters left
//! bare, as the AWS SDKs do. Lists are sent as `Name.member.N` (1-based).

use std::collections::BTreeMap;

use crate::sigv4::encode::uri_encode_into;

/// The largest list index `decode_form` accepts; STS lists hold at most 50.
pub const MAX_LIST_INDEX: u32 = 1000;

/// Why a form body or one of its parameters could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormError {
    /// A `%` not followed by two hex digits.
    #[error("form body: bad percent-escape at byte {offset}")]
    BadEscape {
        /// Byte offset in the body.
        offset: usize,
    },
    /// A key or value that is not UTF-8 once decoded.
    #[error("form body: the key or value at byte {offset} is not valid UTF-8 once decoded")]
    NotUtf8 {
        /// Byte offset of the key or value in the body.
        offset: usize,
    },
    /// A parameter that should be an integer is not one.
    #[error("form parameter {key}: expected an integer, got {value:?}")]
    BadInteger {
        /// The parameter's name.
        key: String,
        /// The value received (inputs carry no secret integers).
        value: String,
    },
    /// A list parameter whose index is not a number from 1 to 1000.
    #[error("form parameter {key}: list index must be a number from 1 to {MAX_LIST_INDEX}")]
    BadIndex {
        /// The parameter's name.
        key: String,
    },
}

/// A parsed form body: its pairs in order, decoded.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Form {
    pairs: Vec<(String, String)>,
}

/// Keys only: a form's values include web identity tokens, SAML assertions
/// and MFA codes.
impl std::fmt::Debug for Form {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Form")
            .field(
                &self
                    .pairs
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Form {
    /// Parses `a=1&b=x%20y`: `+` is a space, escapes are strict, keys and
    /// values must be UTF-8. Empty segments are skipped; a segment without
    /// `=` has an empty value.
    pub fn parse(body: &[u8]) -> Result<Form, FormError> {
        let mut pairs = Vec::new();
        let mut offset = 0;
        for segment in body.split(|&b| b == b'&') {
            let seg_offset = offset;
            offset += segment.len() + 1;
            if segment.is_empty() {
                continue;
            }
            let (k, v) = match segment.iter().position(|&b| b == b'=') {
                Some(i) => (&segment[..i], &segment[i + 1..]),
                None => (segment, &b""[..]),
            };
            let key = decode_component(k, seg_offset)?;
            let value = decode_component(v, seg_offset + k.len() + 1)?;
            pairs.push((key, value));
        }
        Ok(Form { pairs })
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every pair, in body order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The `Action` parameter.
    pub fn action(&self) -> Option<&str> {
        self.get("Action")
    }

    /// The `Version` parameter.
    pub fn version(&self) -> Option<&str> {
        self.get("Version")
    }
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn decode_component(raw: &[u8], offset: usize) -> Result<String, FormError> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = raw.get(i + 1).copied().and_then(hex_value);
                let lo = raw.get(i + 2).copied().and_then(hex_value);
                match (hi, lo) {
                    (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
                    _ => return Err(FormError::BadEscape { offset: offset + i }),
                }
                i += 2;
            }
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| FormError::NotUtf8 { offset })
}

/// Appends `&`, then the caller writes the key.
pub(crate) fn begin_pair(body: &mut Vec<u8>) {
    body.push(b'&');
}

/// Appends `=` and the percent-encoded value.
pub(crate) fn value(body: &mut Vec<u8>, v: &str) {
    body.push(b'=');
    uri_encode_into(body, v.as_bytes(), false);
}

/// Appends `=` and a decimal integer.
pub(crate) fn int_value(body: &mut Vec<u8>, v: i32) {
    body.push(b'=');
    let mut buf = [0u8; 11];
    let mut i = buf.len();
    let negative = v < 0;
    let mut n = v.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if negative {
        i -= 1;
        buf[i] = b'-';
    }
    body.extend_from_slice(&buf[i..]);
}

/// Appends a 1-based list index.
pub(crate) fn index(body: &mut Vec<u8>, zero_based: usize) {
    push_decimal(body, zero_based + 1);
}

/// Appends `n` in decimal (no formatting machinery: it runs per request).
pub(crate) fn push_decimal(out: &mut Vec<u8>, mut n: usize) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Parses an integer parameter.
pub(crate) fn parse_int(key: &str, v: &str) -> Result<i32, FormError> {
    v.parse().map_err(|_| FormError::BadInteger {
        key: key.to_owned(),
        value: v.chars().take(40).collect(),
    })
}

/// Splits `N` or `N.rest` (after a list's `Name.member.` prefix) into the
/// 1-based index and the rest (which starts with `.` or is empty).
pub(crate) fn split_index<'k>(
    key: &str,
    after_prefix: &'k str,
) -> Result<(u32, &'k str), FormError> {
    let end = after_prefix.find('.').unwrap_or(after_prefix.len());
    let digits = &after_prefix[..end];
    let bad = || FormError::BadIndex {
        key: key.to_owned(),
    };
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n: u32 = digits.parse().map_err(|_| bad())?;
    if n == 0 || n > MAX_LIST_INDEX {
        return Err(bad());
    }
    Ok((n, &after_prefix[end..]))
}

/// The items of a list being decoded, by their 1-based index; gaps close up.
pub(crate) type Slots<T> = BTreeMap<u32, T>;

/// The list in index order.
pub(crate) fn into_list<T>(slots: Slots<T>) -> Vec<T> {
    slots.into_values().collect()
}

#[cfg(test)]
mod tests {

    #[test]
    fn debug_shows_keys_but_no_secret_values() {
        let form =
            Form::parse(b"Action=AssumeRoleWithWebIdentity&WebIdentityToken=canary-jwt").unwrap();
        let shown = format!("{form:?}");
        assert!(
            shown.contains("WebIdentityToken") && !shown.contains("canary"),
            "{shown}"
        );
        let input = crate::model::AssumeRoleInput::default()
            .serial_number("arn:aws:iam::123456789012:mfa/alice")
            .token_code("987654");
        let shown = format!("{input:?}");
        assert!(
            !shown.contains("987654"),
            "the MFA code is a secret: {shown}"
        );
    }

    use super::*;

    #[test]
    fn parses_pairs() {
        let f =
            Form::parse(b"Action=AssumeRole&&Version=2011-06-15&A=a+b%2Bc%20d&Empty&E=").unwrap();
        assert_eq!(f.action(), Some("AssumeRole"));
        assert_eq!(f.version(), Some("2011-06-15"));
        assert_eq!(f.get("A"), Some("a b+c d"));
        assert_eq!(f.get("Empty"), Some(""));
        assert_eq!(f.get("E"), Some(""));
        assert_eq!(f.get("Missing"), None);
        assert_eq!(f.pairs().count(), 5);
        assert_eq!(Form::parse(b"").unwrap(), Form::default());
    }

    #[test]
    fn rejects_bad_escapes_and_utf8() {
        assert_eq!(
            Form::parse(b"a=b&c=%2"),
            Err(FormError::BadEscape { offset: 6 })
        );
        assert_eq!(
            Form::parse(b"a=%zz"),
            Err(FormError::BadEscape { offset: 2 })
        );
        assert_eq!(Form::parse(b"a=%FF"), Err(FormError::NotUtf8 { offset: 2 }));
        assert_eq!(
            Form::parse(b"ok=1&%C3=x"),
            Err(FormError::NotUtf8 { offset: 5 })
        );
    }

    #[test]
    fn writes_values_and_numbers() {
        let mut body = b"Action=X".to_vec();
        begin_pair(&mut body);
        body.extend_from_slice(b"Tags.member.");
        index(&mut body, 9);
        body.extend_from_slice(b".Key");
        value(&mut body, "a b+/=ሴ~");
        begin_pair(&mut body);
        body.extend_from_slice(b"N");
        int_value(&mut body, i32::MIN);
        assert_eq!(
            String::from_utf8(body.clone()).unwrap(),
            "Action=X&Tags.member.10.Key=a%20b%2B%2F%3D%E1%88%B4~&N=-2147483648"
        );
        let f = Form::parse(&body).unwrap();
        assert_eq!(f.get("Tags.member.10.Key"), Some("a b+/=ሴ~"));
    }

    #[test]
    fn list_indexes_are_strict() {
        assert_eq!(split_index("k", "1.Key").unwrap(), (1, ".Key"));
        assert_eq!(split_index("k", "50").unwrap(), (50, ""));
        for bad in ["", "0", "x", "1001", "99999999999", "-1", "+1.Key", ".Key"] {
            assert_eq!(
                split_index("k", bad),
                Err(FormError::BadIndex { key: "k".into() }),
                "{bad}"
            );
        }
        assert!(matches!(
            parse_int("D", "12x"),
            Err(FormError::BadInteger { .. })
        ));
        assert_eq!(parse_int("D", "-5"), Ok(-5));
    }
}
