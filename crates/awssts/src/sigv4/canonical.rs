//! The canonical request: path, query, headers and payload hash brought to
//! the one form both sides of a SigV4 exchange compute independently.
//!
//! Everything here writes into caller-provided buffers so that signing a
//! request costs a handful of copies, not a string per component.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::encode::{self, canonical_component, is_unreserved};
use super::sink::Sink;
use super::{Error, RequestPart};

/// A query parameter in canonical (encoded) form.
pub(crate) type QueryPair<'a> = (Cow<'a, [u8]>, Cow<'a, [u8]>);

/// Checks the method: a non-empty HTTP token.
pub(crate) fn check_method(method: &str) -> Result<(), Error> {
    if method.is_empty() || !method.bytes().all(is_tchar) {
        return Err(Error::InvalidMethod);
    }
    Ok(())
}

/// The canonical URI: normalized (unless turned off, as for S3) and then
/// percent-encoded once more (unless turned off, as for S3).
pub(crate) fn canonical_path(
    path: &str,
    normalize: bool,
    double_encode: bool,
) -> Result<Cow<'_, [u8]>, Error> {
    let raw = path.as_bytes();
    // The root, which every STS request uses, is canonical as it is.
    if raw.is_empty() || raw == b"/" {
        return Ok(Cow::Borrowed(b"/"));
    }
    if raw[0] != b'/' {
        return Err(Error::InvalidPath {
            reason: "the path must start with '/'",
        });
    }
    if raw.iter().any(|&b| b < 0x21 && b != b' ' || b == 0x7f) {
        return Err(Error::InvalidPath {
            reason: "the path contains a control character",
        });
    }
    let normalized = if normalize {
        normalize_path(raw)
    } else {
        Cow::Borrowed(raw)
    };
    if !double_encode || normalized.iter().all(|&b| is_unreserved(b) || b == b'/') {
        return Ok(normalized);
    }
    let mut out = Vec::with_capacity(normalized.len() + 16);
    encode::uri_encode_into(&mut out, &normalized, true);
    Ok(Cow::Owned(out))
}

/// Removes `.` and `..` segments and empty segments (`//`), keeping a
/// trailing slash, as every service but S3 expects.
fn normalize_path(raw: &[u8]) -> Cow<'_, [u8]> {
    let needs_work =
        memchr::memchr_iter(b'/', raw).any(|i| matches!(raw.get(i + 1), Some(b'/') | Some(b'.')));
    if !needs_work {
        return Cow::Borrowed(raw);
    }
    let mut segments: Vec<&[u8]> = Vec::new();
    let mut trailing_slash = false;
    for segment in raw.split(|&b| b == b'/').skip(1) {
        trailing_slash = true;
        match segment {
            b"" | b"." => {}
            b".." => {
                segments.pop();
            }
            _ => {
                segments.push(segment);
                trailing_slash = false;
            }
        }
    }
    let mut out = Vec::with_capacity(raw.len());
    for segment in &segments {
        out.push(b'/');
        out.extend_from_slice(segment);
    }
    if trailing_slash || segments.is_empty() {
        out.push(b'/');
    }
    Cow::Owned(out)
}

/// Splits a raw query string into canonical key/value pairs (unsorted).
#[inline]
pub(crate) fn parse_query(query: &str) -> Result<Vec<QueryPair<'_>>, Error> {
    if query.is_empty() {
        return Ok(Vec::new());
    }
    parse_nonempty_query(query)
}

fn parse_nonempty_query(query: &str) -> Result<Vec<QueryPair<'_>>, Error> {
    let mut pairs = Vec::new();
    let raw = query.as_bytes();
    let mut offset = 0;
    for piece in raw.split(|&b| b == b'&') {
        let at = offset;
        offset += piece.len() + 1;
        if piece.is_empty() {
            continue;
        }
        let (key, value) = match memchr::memchr(b'=', piece) {
            Some(eq) => (&piece[..eq], &piece[eq + 1..]),
            None => (piece, &piece[piece.len()..]),
        };
        let bad = |e: encode::BadEscape, base: usize| Error::InvalidPercentEncoding {
            part: RequestPart::Query,
            offset: base + e.offset,
        };
        let k = canonical_component(key).map_err(|e| bad(e, at))?;
        let v = canonical_component(value).map_err(|e| bad(e, at + key.len() + 1))?;
        pairs.push((k, v));
    }
    Ok(pairs)
}

/// Sorts canonical query pairs by key, then value, byte-wise.
pub(crate) fn sort_query(pairs: &mut [QueryPair<'_>]) {
    pairs.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
}

/// Writes sorted pairs as `k=v&k=v`.
pub(crate) fn write_query(out: &mut impl Sink, pairs: &[QueryPair<'_>]) {
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.put_byte(b'&');
        }
        out.put(k);
        out.put_byte(b'=');
        out.put(v);
    }
}

/// A header to sign.
#[derive(Clone, Copy)]
pub(crate) struct Header<'a> {
    pub(crate) name: &'a str,
    pub(crate) value: &'a str,
    /// Checked plain by [`check_header`]: canonical form is the trimmed value.
    pub(crate) plain: bool,
}

impl<'a> Header<'a> {
    pub(crate) const EMPTY: Header<'static> = Header {
        name: "",
        value: "",
        plain: true,
    };

    /// A value the signer made itself (a date, a hash).
    pub(crate) fn own(name: &'a str, value: &'a str) -> Self {
        Header {
            name,
            value,
            plain: true,
        }
    }
}

/// HTTP token characters (RFC 9110 `tchar`), the only ones a header name or
/// method may contain.
const TCHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            );
        i += 1;
    }
    t
};

fn is_tchar(b: u8) -> bool {
    TCHAR[usize::from(b)]
}

/// Compares header names as their lowercase forms would compare.
pub(crate) fn cmp_name(a: &str, b: &str) -> Ordering {
    let a = a.bytes().map(|c| c.to_ascii_lowercase());
    let b = b.bytes().map(|c| c.to_ascii_lowercase());
    a.cmp(b)
}

/// Checks a header name and value; the value is never echoed in the error
/// because it may be a session token.
///
/// Returns whether the value is plain (no control bytes, no two spaces in a
/// row): its canonical form is then just the value trimmed, and the signer
/// need not scan it again.
pub(crate) fn check_header(name: &str, value: &str) -> Result<bool, Error> {
    if name.is_empty() || !name.bytes().all(is_tchar) {
        return Err(Error::InvalidHeaderName {
            name: name.escape_debug().to_string(),
        });
    }
    let v = value.as_bytes();
    // One vectorised pass; only values with control bytes (which include
    // line breaks) need a closer look.
    let (control, double_space) = scan(v);
    if !control {
        return Ok(!double_space);
    }
    for (i, &b) in v.iter().enumerate() {
        let ok = match b {
            b' ' | b'\t' => true,
            // A line break is only a fold when the next line starts with
            // white space; anything else would smuggle a new header in.
            b'\r' => v.get(i + 1) == Some(&b'\n') && matches!(v.get(i + 2), Some(b' ' | b'\t')),
            b'\n' => matches!(v.get(i + 1), Some(b' ' | b'\t')),
            0x7f => false,
            b => b >= 0x20,
        };
        if !ok {
            return Err(Error::InvalidHeaderValue {
                name: name.to_string(),
                reason: "it contains a control character or a line break that is not a fold",
            });
        }
    }
    Ok(false)
}

fn is_control(b: u8) -> u8 {
    u8::from(b < 0x20) | u8::from(b == 0x7f)
}

/// Whether a value has control bytes (below 0x20, or 0x7f), and whether it
/// has two spaces in a row. Header values include ~1 KB session tokens: the
/// control fold has no early exit, so the compiler turns it into
/// 16-bytes-at-a-time vector compares, and spaces are found with memchr.
fn scan(v: &[u8]) -> (bool, bool) {
    let control = v.iter().fold(0u8, |acc, &b| acc | is_control(b)) != 0;
    let double_space = memchr::memchr_iter(b' ', v).any(|i| v.get(i + 1) == Some(&b' '));
    (control, double_space)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Writes a header value trimmed, with every run of white space (including
/// folded line breaks) collapsed into one space.
pub(crate) fn write_value(out: &mut impl Sink, value: &str) {
    let v = value.as_bytes();
    let start = v.iter().position(|&b| !is_space(b)).unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|&b| !is_space(b))
        .map_or(start, |i| i + 1);
    let v = &v[start..end];
    let (control, double_space) = scan(v);
    if !control && !double_space {
        out.put(v);
        return;
    }
    let mut rest = v;
    while let Some(ws) = rest.iter().position(|&b| is_space(b)) {
        out.put(&rest[..ws]);
        out.put_byte(b' ');
        let after = rest[ws..].iter().position(|&b| !is_space(b)).unwrap_or(0);
        rest = &rest[ws + after..];
    }
    out.put(rest);
}

/// Writes a value [`check_header`] found plain: trimming is all it needs.
#[inline]
fn write_plain_value(out: &mut impl Sink, value: &str) {
    // Plain values have no control bytes, so a space is the only white
    // space to trim; a byte loop, not the `char` pattern machinery.
    let mut v = value.as_bytes();
    while let [b' ', rest @ ..] = v {
        v = rest;
    }
    while let [rest @ .., b' '] = v {
        v = rest;
    }
    out.put(v);
}

/// Writes the canonical headers block (each `name:value\n`, values of the
/// same name joined by `,`) and appends the signed-headers list to `signed`.
/// `headers` must be sorted with [`cmp_name`] (stable, so values keep their
/// order).
pub(crate) fn write_headers(out: &mut impl Sink, signed: &mut String, headers: &[Header<'_>]) {
    let write = |out: &mut _, h: &Header<'_>| {
        if h.plain {
            write_plain_value(out, h.value);
        } else {
            write_value(out, h.value);
        }
    };
    let start = signed.len();
    let mut i = 0;
    while i < headers.len() {
        let name = headers[i].name;
        if signed.len() > start {
            signed.push(';');
        }
        // Lowercased once, into the signed-headers list, and copied from
        // there.
        let at = signed.len();
        signed.push_str(name);
        signed[at..].make_ascii_lowercase();
        out.put(&signed.as_bytes()[at..]);
        out.put_byte(b':');
        write(out, &headers[i]);
        i += 1;
        while i < headers.len() && headers[i].name.eq_ignore_ascii_case(name) {
            out.put_byte(b',');
            write(out, &headers[i]);
            i += 1;
        }
        out.put_byte(b'\n');
    }
}

/// Writes the canonical request:
/// `METHOD\npath\nquery\nheaders\n\nsigned-headers\npayload-hash`. The
/// signed-headers list is also appended to `signed`, so the signer can write
/// it straight into the `Authorization` value it is building.
pub(crate) fn write_canonical_request(
    out: &mut impl Sink,
    method: &str,
    path: &[u8],
    query: &[QueryPair<'_>],
    headers: &[Header<'_>],
    signed: &mut String,
    payload_hash: &[u8],
) {
    out.put(method.as_bytes());
    out.put_byte(b'\n');
    out.put(path);
    out.put_byte(b'\n');
    write_query(out, query);
    out.put_byte(b'\n');
    let start = signed.len();
    write_headers(out, signed, headers);
    out.put_byte(b'\n');
    out.put(&signed.as_bytes()[start..]);
    out.put_byte(b'\n');
    out.put(payload_hash);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> String {
        String::from_utf8(canonical_path(p, true, true).unwrap().into_owned()).unwrap()
    }

    #[test]
    fn normalizes_paths() {
        assert_eq!(path(""), "/");
        assert_eq!(path("/"), "/");
        assert_eq!(path("//"), "/");
        assert_eq!(path("/example/.."), "/");
        assert_eq!(path("/a/b/../c"), "/a/c");
        assert_eq!(path("/a/b/.."), "/a/");
        assert_eq!(path("/./example"), "/example");
        assert_eq!(path("//example//"), "/example/");
        assert_eq!(path("/../../x"), "/x");
        assert_eq!(path("/.hidden/x."), "/.hidden/x.");
        assert_eq!(path("/a b/%3D"), "/a%20b/%253D");
    }

    #[test]
    fn unnormalized_paths_are_kept() {
        let p = canonical_path("//a/./b", false, false).unwrap();
        assert_eq!(&*p, b"//a/./b");
        assert!(canonical_path("a", true, true).is_err());
        assert!(canonical_path("/a\nb", true, true).is_err());
    }

    #[test]
    fn query_parsing_reports_the_offset_of_a_bad_escape() {
        let err = parse_query("a=1&b=%zz").unwrap_err();
        assert_eq!(
            err,
            Error::InvalidPercentEncoding {
                part: RequestPart::Query,
                offset: 6
            }
        );
        let pairs = parse_query("b=2&&a&c=x=y").unwrap();
        let flat: Vec<_> = pairs
            .iter()
            .map(|(k, v)| (k.to_vec(), v.to_vec()))
            .collect();
        assert_eq!(
            flat,
            vec![
                (b"b".to_vec(), b"2".to_vec()),
                (b"a".to_vec(), b"".to_vec()),
                (b"c".to_vec(), b"x%3Dy".to_vec())
            ]
        );
    }

    #[test]
    fn header_values_are_trimmed_and_folded() {
        let mut out = Vec::new();
        write_value(&mut out, "  a   b\n   c\t d  ");
        assert_eq!(out, b"a b c d");
    }

    #[test]
    fn control_scan_matches_the_byte_by_byte_rule() {
        for len in 0..40 {
            for at in 0..len {
                for bad in [0u8, 0x1f, b'\t', b'\n', 0x7f] {
                    let mut v = vec![b'a'; len];
                    v[at] = bad;
                    assert!(scan(&v).0, "{bad:#x} at {at} of {len}");
                }
                for ok in [b' ', 0x20, 0x7e, 0x80, 0xff, 0x9f] {
                    let mut v = vec![0xffu8; len];
                    v[at] = ok;
                    assert!(!scan(&v).0, "{ok:#x} at {at} of {len}");
                }
            }
        }
        for b in 0..=255u8 {
            assert_eq!(scan(&[b; 9]).0, b < 0x20 || b == 0x7f, "{b:#x}");
            assert_eq!(scan(&[b]).0, b < 0x20 || b == 0x7f, "{b:#x}");
        }
    }

    #[test]
    fn header_checks() {
        assert!(check_header("x-ok", "v\n  folded").is_ok());
        assert!(check_header("x-ok", "v\r\n folded").is_ok());
        assert!(check_header("x-bad", "v\nX-Injected: 1").is_err());
        assert!(check_header("x-bad", "v\0").is_err());
        assert!(check_header("x-bad", "v\x7f").is_err());
        assert!(check_header("bad name", "v").is_err());
        assert!(check_header("bäd", "v").is_err());
        assert!(check_header("", "v").is_err());
        let err = check_header("x-amz-security-token", "secret\u{1}").unwrap_err();
        assert!(!err.to_string().contains("secret"));
    }
}
