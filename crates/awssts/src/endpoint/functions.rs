//! The rules engine's standard library, as the Smithy rules language
//! defines it, plus the AWS `aws.partition` result type.
//!
//! The generated rules call these by name. STS's current rule set needs only
//! [`Partition`]; the others (`parseURL`, `isValidHostLabel`, `substring`,
//! `uriEncode`) are here and tested so that a rule set that starts using them
//! compiles without further hand work.

// The functions STS's rule set does not call yet are kept compiled and tested.
#![allow(dead_code)]

use std::net::{Ipv4Addr, Ipv6Addr};

/// What `aws.partition` returns for a region: the partition's outputs (with
/// any overrides the region entry carries).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Partition {
    /// `name`: the partition id, e.g. `aws-cn`.
    pub name: &'static str,
    /// `dnsSuffix`, e.g. `amazonaws.com`.
    pub dns_suffix: &'static str,
    /// `dualStackDnsSuffix`, e.g. `api.aws`.
    pub dual_stack_dns_suffix: &'static str,
    /// `supportsFIPS`.
    pub supports_fips: bool,
    /// `supportsDualStack`.
    pub supports_dual_stack: bool,
    /// `implicitGlobalRegion`: where the partition's global endpoints live.
    pub implicit_global_region: &'static str,
}

/// A URL as `parseURL` splits it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Url<'a> {
    /// `http` or `https`, lowercase.
    pub scheme: &'static str,
    /// Host and port as written (`example.com:8443`, `[::1]:80`).
    pub authority: &'a str,
    /// The path as written; empty when the URL has none.
    pub path: &'a str,
    /// The path with exactly one `/` at the start and one at the end.
    pub normalized_path: String,
    /// Whether the host is an IPv4 or IPv6 address rather than a name.
    pub is_ip: bool,
}

/// `parseURL`: splits an `http`/`https` URL, or `None` when it is not one
/// the rules can use. Besides a bad scheme or host, a query string is
/// rejected (the rules language forbids it), and so are a fragment and user
/// information, which have no meaning for an endpoint.
pub(crate) fn parse_url(url: &str) -> Option<Url<'_>> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = if scheme.eq_ignore_ascii_case("https") {
        "https"
    } else if scheme.eq_ignore_ascii_case("http") {
        "http"
    } else {
        return None;
    };
    if rest.contains(['?', '#']) {
        return None;
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    if authority.contains('@') {
        return None;
    }
    let is_ip = parse_authority(authority)?;
    if path
        .bytes()
        .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
    {
        return None;
    }
    let trimmed = path.trim_matches('/');
    let normalized_path = if trimmed.is_empty() {
        "/".to_owned()
    } else {
        format!("/{trimmed}/")
    };
    Some(Url {
        scheme,
        authority,
        path,
        normalized_path,
        is_ip,
    })
}

/// Checks `host[:port]`; returns whether the host is an IP address.
fn parse_authority(authority: &str) -> Option<bool> {
    let (port, is_ip) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (v6, after) = bracketed.split_once(']')?;
        v6.parse::<Ipv6Addr>().ok()?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?),
        };
        (port, true)
    } else {
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        let valid = host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
        if host.is_empty() || !valid {
            return None;
        }
        (port, host.parse::<Ipv4Addr>().is_ok())
    };
    if let Some(port) = port {
        let digits =
            !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit());
        if !digits || port.parse::<u16>().is_err() {
            return None;
        }
    }
    Some(is_ip)
}

/// `isValidHostLabel`: whether `value` is one DNS label (RFC 1123: 1 to 63
/// letters, digits or hyphens, not starting with a hyphen), or with
/// `allow_sub_domains` several such labels joined by dots.
pub(crate) fn is_valid_host_label(value: &str, allow_sub_domains: bool) -> bool {
    if allow_sub_domains {
        value
            .split('.')
            .all(|label| is_valid_host_label(label, false))
    } else {
        let bytes = value.as_bytes();
        match bytes.first() {
            Some(first) if first.is_ascii_alphanumeric() => {
                bytes.len() <= 63
                    && bytes
                        .iter()
                        .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
            }
            _ => false,
        }
    }
}

/// `substring`: the ASCII characters `start..stop` of `input`, counted from
/// the end when `reverse`; `None` when the range does not fit or the input
/// is not all ASCII (the rules language counts characters, and only ASCII
/// makes that unambiguous).
pub(crate) fn substring(input: &str, start: usize, stop: usize, reverse: bool) -> Option<&str> {
    if start >= stop || stop > input.len() || !input.is_ascii() {
        return None;
    }
    let (from, to) = if reverse {
        (input.len() - stop, input.len() - start)
    } else {
        (start, stop)
    };
    input.get(from..to)
}

/// `uriEncode`: percent-encodes every byte outside RFC 3986's unreserved
/// set (`A-Z a-z 0-9 - . _ ~`), `/` included, with uppercase hex.
pub(crate) fn uri_encode(value: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(
        scheme: &'static str,
        authority: &str,
        path: &str,
        normalized: &str,
        is_ip: bool,
    ) -> Url<'static> {
        Url {
            scheme,
            authority: authority.to_owned().leak(),
            path: path.to_owned().leak(),
            normalized_path: normalized.to_owned(),
            is_ip,
        }
    }

    #[test]
    fn parse_url_splits_names_addresses_ports_and_paths() {
        let cases = [
            (
                "https://example.com",
                url("https", "example.com", "", "/", false),
            ),
            (
                "https://example.com/",
                url("https", "example.com", "/", "/", false),
            ),
            (
                "http://example.com:8080/foo/bar",
                url("http", "example.com:8080", "/foo/bar", "/foo/bar/", false),
            ),
            (
                "https://example.com/foo/",
                url("https", "example.com", "/foo/", "/foo/", false),
            ),
            (
                "HTTPS://Example.com/a",
                url("https", "Example.com", "/a", "/a/", false),
            ),
            ("http://127.0.0.1", url("http", "127.0.0.1", "", "/", true)),
            (
                "http://127.0.0.1:4566/",
                url("http", "127.0.0.1:4566", "/", "/", true),
            ),
            ("https://[::1]", url("https", "[::1]", "", "/", true)),
            (
                "http://[2001:db8::7]:8443/p/q",
                url("http", "[2001:db8::7]:8443", "/p/q", "/p/q/", true),
            ),
            (
                "https://localhost:4566",
                url("https", "localhost:4566", "", "/", false),
            ),
            (
                "https://999.1.1.1",
                url("https", "999.1.1.1", "", "/", false),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_url(input), Some(expected), "{input}");
        }
    }

    #[test]
    fn parse_url_refuses_what_the_rules_cannot_use() {
        for input in [
            "ftp://example.com",
            "example.com",
            "://example.com",
            "https://",
            "https:///path",
            "https://example.com?x=1",
            "https://example.com/path?x=1",
            "https://example.com/?",
            "https://example.com/#frag",
            "https://user:pw@example.com",
            "https://example.com:",
            "https://example.com:65536",
            "https://example.com:80a",
            "https://[::1",
            "https://[::g]",
            "https://[::1]x",
            // A zone id is not part of an address `Ipv6Addr` accepts.
            "https://[fe80::1%25en0]:443/x",
            "https://exa mple.com",
            "https://example.com/a b",
        ] {
            assert_eq!(parse_url(input), None, "{input}");
        }
    }

    #[test]
    fn host_labels() {
        for ok in ["a", "abc", "a-b", "0", "a1-", &"x".repeat(63)] {
            assert!(is_valid_host_label(ok, false), "{ok}");
        }
        for bad in ["", "-a", "a.b", "a_b", "ä", &"x".repeat(64)] {
            assert!(!is_valid_host_label(bad, false), "{bad}");
        }
        for ok in ["a.b", "abc.def-1.x", "a"] {
            assert!(is_valid_host_label(ok, true), "{ok}");
        }
        for bad in ["a..b", ".a", "a.", "a.-b", "a.b_c"] {
            assert!(!is_valid_host_label(bad, true), "{bad}");
        }
    }

    #[test]
    fn substrings() {
        assert_eq!(substring("abcdefg", 0, 4, false), Some("abcd"));
        assert_eq!(substring("abcdefg", 0, 4, true), Some("defg"));
        assert_eq!(substring("abcdefg", 1, 3, true), Some("ef"));
        assert_eq!(substring("abcdefg", 0, 7, false), Some("abcdefg"));
        assert_eq!(substring("abcdefg", 0, 8, false), None);
        assert_eq!(substring("abcdefg", 3, 3, false), None);
        assert_eq!(substring("abcdefg", 4, 2, false), None);
        assert_eq!(substring("abcdéfg", 0, 2, false), None);
    }

    #[test]
    fn uri_encoding() {
        assert_eq!(uri_encode("abc-._~XYZ019"), "abc-._~XYZ019");
        assert_eq!(uri_encode("a/b c+d"), "a%2Fb%20c%2Bd");
        assert_eq!(uri_encode("?&=#:@"), "%3F%26%3D%23%3A%40");
        assert_eq!(uri_encode("é"), "%C3%A9");
        assert_eq!(uri_encode(""), "");
    }
}
