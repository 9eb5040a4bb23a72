//! Percent-encoding as SigV4 defines it (RFC 3986 unreserved characters
//! only), strict percent-decoding, and lowercase hex.

use std::borrow::Cow;

/// `A-Z a-z 0-9 - . _ ~`: the only bytes SigV4 leaves unencoded.
const UNRESERVED: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_' || b == b'~';
        i += 1;
    }
    t
};

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

pub(crate) fn is_unreserved(b: u8) -> bool {
    UNRESERVED[usize::from(b)]
}

/// Appends `input` percent-encoded; `/` is kept as is when `keep_slash`.
pub(crate) fn uri_encode_into(out: &mut Vec<u8>, input: &[u8], keep_slash: bool) {
    let mut start = 0;
    for (i, &b) in input.iter().enumerate() {
        if is_unreserved(b) || (keep_slash && b == b'/') {
            continue;
        }
        out.extend_from_slice(&input[start..i]);
        out.extend_from_slice(&[
            b'%',
            HEX_UPPER[usize::from(b >> 4)],
            HEX_UPPER[usize::from(b & 15)],
        ]);
        start = i + 1;
    }
    out.extend_from_slice(&input[start..]);
}

/// Where a percent-decoding error was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BadEscape {
    pub(crate) offset: usize,
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes `%XX` escapes; a `%` not followed by two hex digits is an error.
/// `+` is a literal plus, as in RFC 3986 (not a space, as in HTML forms).
pub(crate) fn percent_decode(input: &[u8]) -> Result<Cow<'_, [u8]>, BadEscape> {
    let Some(first) = memchr::memchr(b'%', input) else {
        return Ok(Cow::Borrowed(input));
    };
    let mut out = Vec::with_capacity(input.len());
    out.extend_from_slice(&input[..first]);
    let mut i = first;
    while i < input.len() {
        let b = input[i];
        if b == b'%' {
            let hi = input.get(i + 1).copied().and_then(hex_value);
            let lo = input.get(i + 2).copied().and_then(hex_value);
            match (hi, lo) {
                (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
                _ => return Err(BadEscape { offset: i }),
            }
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    Ok(Cow::Owned(out))
}

/// Brings a query key or value to its canonical encoding: decoded, then
/// encoded with only unreserved characters left bare. Components that are
/// already canonical are borrowed.
pub(crate) fn canonical_component(raw: &[u8]) -> Result<Cow<'_, [u8]>, BadEscape> {
    if raw.iter().all(|&b| is_unreserved(b)) {
        return Ok(Cow::Borrowed(raw));
    }
    let decoded = percent_decode(raw)?;
    let mut out = Vec::with_capacity(decoded.len() + 8);
    uri_encode_into(&mut out, &decoded, false);
    Ok(Cow::Owned(out))
}

/// Lowercase hex of a 32-byte digest. Each byte becomes one 16-bit word
/// holding its two digits, computed without branches or table lookups, so
/// the compiler processes many bytes per instruction.
pub(crate) fn hex32(bytes: &[u8; 32]) -> [u8; 64] {
    // 0..=9 -> '0'..='9'; 10..=15 -> 'a'..='f' ('a' - '0' - 10 = 39).
    fn digit(n: u8) -> u16 {
        u16::from(n + b'0' + (9u8.wrapping_sub(n) >> 7) * 39)
    }
    let mut words = [0u16; 32];
    for (w, &b) in words.iter_mut().zip(bytes) {
        *w = digit(b >> 4) | (digit(b & 0x0f) << 8);
    }
    let mut out = [0u8; 64];
    for (pair, w) in out.chunks_exact_mut(2).zip(words) {
        pair.copy_from_slice(&w.to_le_bytes());
    }
    out
}

/// Decodes 64 lowercase or uppercase hex digits into 32 bytes.
pub(crate) fn unhex32(s: &[u8]) -> Option<[u8; 32]> {
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in s.chunks_exact(2).enumerate() {
        out[i] = hex_value(pair[0])? << 4 | hex_value(pair[1])?;
    }
    Some(out)
}

/// Views bytes that are known to be ASCII (they came out of this module) as a
/// `str`.
pub(crate) fn ascii_str(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_everything_but_unreserved() {
        let mut out = Vec::new();
        uri_encode_into(&mut out, "a b/c~d-e.f_g+h=ሴ%".as_bytes(), true);
        assert_eq!(ascii_str(&out), "a%20b/c~d-e.f_g%2Bh%3D%E1%88%B4%25");
    }

    #[test]
    fn decoding_is_strict() {
        assert_eq!(&*percent_decode(b"a%2Fb+c").unwrap(), b"a/b+c");
        assert_eq!(percent_decode(b"abc%"), Err(BadEscape { offset: 3 }));
        assert_eq!(percent_decode(b"a%4"), Err(BadEscape { offset: 1 }));
        assert_eq!(percent_decode(b"%zz"), Err(BadEscape { offset: 0 }));
        assert!(matches!(percent_decode(b"plain"), Ok(Cow::Borrowed(_))));
    }

    #[test]
    fn canonical_component_normalises_escapes() {
        assert_eq!(&*canonical_component(b"%7e%2f").unwrap(), b"~%2F");
        assert_eq!(&*canonical_component("ሴ".as_bytes()).unwrap(), b"%E1%88%B4");
        assert!(matches!(
            canonical_component(b"Value1"),
            Ok(Cow::Borrowed(_))
        ));
    }

    #[test]
    fn hex_matches_the_formatter() {
        for seed in 0..64u8 {
            let bytes: [u8; 32] =
                std::array::from_fn(|i| (i as u8).wrapping_mul(seed).wrapping_add(seed));
            let expected: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(ascii_str(&hex32(&bytes)), expected);
        }
    }

    #[test]
    fn hex_round_trip() {
        let bytes: [u8; 32] = std::array::from_fn(|i| (i * 37) as u8);
        let hex = hex32(&bytes);
        assert_eq!(unhex32(&hex), Some(bytes));
        assert_eq!(unhex32(&hex[..63]), None);
        assert_eq!(unhex32(&[b'g'; 64]), None);
    }
}
