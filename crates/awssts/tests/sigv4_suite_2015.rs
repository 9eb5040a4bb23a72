//! Every case of the 2015 AWS SigV4 test suite
//! (`shared/reference/sigv4-test-suite`), byte for byte: canonical request,
//! string to sign, Authorization header and signed request.

// Tests report failures by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use awssts::sigv4::{self, SessionTokenMode, SigningParams, SigningSettings};
use common::{Continuation, RawRequest, diff, read, read_text, reference_dir};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// 2015-08-30T12:36:00Z, the suite's fixed signing time.
const TIME: u64 = 1_440_938_160;

fn cases() -> Vec<PathBuf> {
    let root = reference_dir().join("sigv4-test-suite/aws-sig-v4-test-suite");
    let mut found = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable suite directory") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "req") {
                found.push(path.with_extension(""));
            }
        }
    }
    found.sort();
    found
}

fn session_token() -> String {
    let readme = read_text(
        &reference_dir().join("sigv4-test-suite/aws-sig-v4-test-suite/post-sts-token/readme.txt"),
    );
    readme
        .split_whitespace()
        .find(|w| w.starts_with("AQoDYXdzEPT"))
        .expect("the readme gives the example session token")
        .to_string()
}

fn with_ext(base: &Path, ext: &str) -> PathBuf {
    base.with_extension(ext)
}

fn run_case(base: &Path, token: &str) -> Result<(), String> {
    let name = base.file_name().unwrap().to_string_lossy().to_string();
    // Continuation lines in this suite are separate values (its expected
    // canonical request for get-header-value-multiline is `value1,value2,value3`).
    let mut req = RawRequest::parse(&read(&with_ext(base, "req")), Continuation::SeparateValues);
    check_signing(&name, base, &req, token, Check::CanonicalRequest)?;
    match name.as_str() {
        // This case gained a Content-Length header in `.req` and `.creq`
        // only: its `.sts`, `.authz` and `.sreq` (which has no Content-Length
        // line) describe the request without it, and match byte for byte.
        "post-x-www-form-urlencoded" => {
            req.headers
                .retain(|h| !h.name.eq_ignore_ascii_case("content-length"));
            check_signing(&name, base, &req, token, Check::Everything)
        }
        // This case's `.sts` and signature were computed for an older version
        // of its request (`charset=utf8`, no Content-Length) and never
        // updated; its `.authz` pairs that signature with the new
        // SignedHeaders, and its `.sreq` with the new Content-Type, so no
        // signer can reproduce those two files. The string to sign and the
        // signature are checked against the request they were made for.
        "post-x-www-form-urlencoded-parameters" => {
            req.headers
                .retain(|h| !h.name.eq_ignore_ascii_case("content-length"));
            for h in &mut req.headers {
                for v in &mut h.values {
                    *v = v.replace("charset=utf-8", "charset=utf8");
                }
            }
            check_signing(&name, base, &req, token, Check::StringToSignAndSignature)
        }
        _ => check_signing(&name, base, &req, token, Check::Everything),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Check {
    CanonicalRequest,
    StringToSignAndSignature,
    Everything,
}

fn check_signing(
    name: &str,
    base: &Path,
    req: &RawRequest,
    token: &str,
    what: Check,
) -> Result<(), String> {
    let headers = req.header_pairs();
    let signable = req.signable(&headers);
    let mut params = SigningParams::new(
        "AKIDEXAMPLE",
        SECRET,
        "us-east-1",
        "service",
        UNIX_EPOCH + Duration::from_secs(TIME),
    );
    if name == "post-sts-header-before" {
        params = params.with_session_token(token);
    } else if name == "post-sts-header-after" {
        params = params
            .with_session_token(token)
            .with_settings(SigningSettings {
                session_token: SessionTokenMode::AfterSigning,
                ..SigningSettings::default()
            });
    }
    let out = sigv4::sign(&signable, &params).map_err(|e| format!("{name}: sign failed: {e}"))?;

    let check = |what: &str, expected: String, actual: &str| {
        if expected == actual {
            Ok(())
        } else {
            Err(format!("{name} {what} {}", diff(&expected, actual)))
        }
    };
    if what == Check::CanonicalRequest {
        return check(
            "canonical request",
            read_text(&with_ext(base, "creq")),
            &sigv4::canonical_request(&signable, &params).map_err(|e| e.to_string())?,
        );
    }
    check(
        "string to sign",
        read_text(&with_ext(base, "sts")),
        &out.string_to_sign(),
    )?;
    if what == Check::StringToSignAndSignature {
        let authz = read_text(&with_ext(base, "authz"));
        let expected = authz.rsplit("Signature=").next().unwrap_or_default();
        return check("signature", expected.to_string(), out.signature());
    }
    check(
        "authorization",
        read_text(&with_ext(base, "authz")),
        out.authorization(),
    )?;

    // The suite writes `Authorization: ` with a space after the colon and
    // every other added header without one.
    let lines = req.signed_header_lines(out.headers(), |n, v| {
        if n == "Authorization" {
            format!("{n}: {v}")
        } else {
            format!("{n}:{v}")
        }
    });
    let mut signed = format!("{} {} {}", req.method, req.target, req.version);
    for line in lines {
        signed.push('\n');
        signed.push_str(&line);
    }
    if req.has_body_section {
        signed.push_str("\n\n");
        signed.push_str(std::str::from_utf8(&req.body).unwrap());
    }
    check(
        "signed request",
        read_text(&with_ext(base, "sreq")),
        &signed,
    )
}

#[test]
fn every_case_of_the_2015_suite_passes_byte_for_byte() {
    let cases = cases();
    // 22 top-level cases, 7 under normalize-path/, 2 under post-sts-token/.
    assert_eq!(cases.len(), 31, "expected all 31 cases of the suite");
    let token = session_token();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| run_case(c, &token).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
