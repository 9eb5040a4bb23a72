//! Shared helpers for tests that read `../shared/reference`.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod sts;

use std::path::PathBuf;

/// The reference data directory: `$AWSSTS_REFERENCE_DIR`, or `shared/reference`
/// beside the repository. Panics with instructions when it is missing, so a
/// missing checkout never looks like a passing suite.
pub fn reference_dir() -> PathBuf {
    let dir = match std::env::var_os("AWSSTS_REFERENCE_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference"),
    };
    assert!(
        dir.is_dir(),
        "reference data not found at {}: check out `shared/` beside the repository \
         or set AWSSTS_REFERENCE_DIR to its `reference` folder",
        dir.display()
    );
    dir
}

/// How a test-suite file writes a header value over several lines.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Continuation {
    /// Each indented line is one more value of the header (the 2015 suite's
    /// expected canonical requests join them with commas).
    SeparateValues,
    /// Indented lines continue the value (obs-fold); canonicalization folds
    /// the line breaks into single spaces (the CRT suite).
    Folded,
}

/// One header as the file writes it.
pub struct RawHeader {
    /// The name as written.
    pub name: String,
    /// The value(s) to sign, per the suite's continuation rule.
    pub values: Vec<String>,
    /// The exact lines, to write the signed request back out.
    pub lines: Vec<String>,
}

/// A request parsed byte for byte from a `.req` / `request.txt` file.
pub struct RawRequest {
    pub method: String,
    /// The request target (path and query) as written.
    pub target: String,
    pub version: String,
    pub headers: Vec<RawHeader>,
    /// Whether an empty line (and maybe a body) follows the headers.
    pub has_body_section: bool,
    pub body: Vec<u8>,
}

impl RawRequest {
    pub fn parse(text: &[u8], continuation: Continuation) -> RawRequest {
        let text = std::str::from_utf8(text).expect("suite files are UTF-8");
        let (head, body, has_body_section) = match text.find("\n\n") {
            Some(i) => (&text[..i], text.as_bytes()[i + 2..].to_vec(), true),
            None => (text.trim_end_matches('\n'), Vec::new(), false),
        };
        let mut lines = head.split('\n');
        let request_line = lines.next().expect("a request line");
        // The target may contain spaces (`GET /example space/ HTTP/1.1`).
        let (method, rest) = request_line.split_once(' ').expect("METHOD target VERSION");
        let (target, version) = rest.rsplit_once(' ').expect("METHOD target VERSION");
        let mut headers: Vec<RawHeader> = Vec::new();
        for line in lines {
            if line.starts_with([' ', '\t']) {
                let last = headers.last_mut().expect("a continuation follows a header");
                last.lines.push(line.to_string());
                match continuation {
                    Continuation::SeparateValues => last.values.push(line.to_string()),
                    Continuation::Folded => {
                        let v = last.values.last_mut().expect("a value");
                        v.push('\n');
                        v.push_str(line);
                    }
                }
                continue;
            }
            let (name, value) = line.split_once(':').expect("Name:value");
            headers.push(RawHeader {
                name: name.to_string(),
                values: vec![value.to_string()],
                lines: vec![line.to_string()],
            });
        }
        RawRequest {
            method: method.to_string(),
            target: target.to_string(),
            version: version.to_string(),
            headers,
            has_body_section,
            body,
        }
    }

    pub fn path(&self) -> &str {
        self.target.split_once('?').map_or(&self.target, |(p, _)| p)
    }

    pub fn query(&self) -> &str {
        self.target.split_once('?').map_or("", |(_, q)| q)
    }

    /// The request for the signer, over `headers` from [`Self::header_pairs`].
    pub fn signable<'a>(
        &'a self,
        headers: &'a [(&'a str, &'a str)],
    ) -> awssts::sigv4::SignableRequest<'a> {
        awssts::sigv4::SignableRequest {
            method: &self.method,
            path: self.path(),
            query: self.query(),
            headers,
            payload: awssts::sigv4::Payload::Bytes(&self.body),
        }
    }

    /// Name/value pairs for the signer.
    pub fn header_pairs(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .flat_map(|h| h.values.iter().map(move |v| (h.name.as_str(), v.as_str())))
            .collect()
    }

    /// The request's header lines with the signer's headers applied: a header
    /// of the same name is replaced in place, the others are appended in the
    /// signer's order, each written by `format`.
    pub fn signed_header_lines<'n, 'v>(
        &self,
        added: impl IntoIterator<Item = (&'n str, &'v str)>,
        format: impl Fn(&str, &str) -> String,
    ) -> Vec<String> {
        let added: Vec<(&str, &str)> = added.into_iter().collect();
        let mut out = Vec::new();
        for h in &self.headers {
            match added.iter().find(|(n, _)| n.eq_ignore_ascii_case(&h.name)) {
                Some((_, v)) => out.push(format!("{}:{}", h.name, v)),
                None => out.extend(h.lines.iter().cloned()),
            }
        }
        for (name, value) in &added {
            if !self
                .headers
                .iter()
                .any(|h| h.name.eq_ignore_ascii_case(name))
            {
                out.push(format(name, value));
            }
        }
        out
    }
}

/// Reads a file as bytes, panicking with its path.
pub fn read(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Reads a file as text.
pub fn read_text(path: &std::path::Path) -> String {
    String::from_utf8(read(path)).unwrap_or_else(|_| panic!("{} is not UTF-8", path.display()))
}

/// The first difference between two texts, for readable failures.
pub fn diff(expected: &str, actual: &str) -> String {
    let pos = expected
        .bytes()
        .zip(actual.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(actual.len()));
    format!("differ at byte {pos}:\n--- expected\n{expected:?}\n--- actual\n{actual:?}")
}
