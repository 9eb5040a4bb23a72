//! Every case of the AWS Common Runtime's SigV4 suite
//! (`shared/reference/aws-signing-test-suite/v4`), header and query
//! (presigned) variants, byte for byte: canonical request, string to sign,
//! signature and signed request.

// Tests report failures by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::time::{Duration, SystemTime};

use awssts::sigv4::{
    self, AmzDate, SessionTokenMode, SignableRequest, SigningParams, SigningSettings,
};
use common::{Continuation, RawRequest, diff, read, read_text, reference_dir};
use serde_json::Value;

struct Context {
    access_key_id: String,
    secret: String,
    token: Option<String>,
    region: String,
    service: String,
    time: SystemTime,
    normalize: bool,
    sign_body: bool,
    omit_session_token: bool,
    expires: Duration,
}

fn parse_iso_time(ts: &str) -> SystemTime {
    // `2015-08-30T12:36:00Z` → SigV4's compact form, parsed by the library.
    let compact: String = ts.chars().filter(|c| *c != '-' && *c != ':').collect();
    AmzDate::parse(&compact)
        .unwrap_or_else(|e| panic!("bad timestamp {ts:?}: {e}"))
        .to_system_time()
}

fn load_context(dir: &Path) -> Context {
    let v: Value = serde_json::from_slice(&read(&dir.join("context.json"))).expect("valid JSON");
    let s = |v: &Value| v.as_str().expect("a string").to_string();
    let creds = &v["credentials"];
    Context {
        access_key_id: s(&creds["access_key_id"]),
        secret: s(&creds["secret_access_key"]),
        token: creds.get("token").map(s),
        region: s(&v["region"]),
        service: s(&v["service"]),
        time: parse_iso_time(v["timestamp"].as_str().expect("timestamp")),
        normalize: v["normalize"].as_bool().unwrap_or(true),
        sign_body: v["sign_body"].as_bool().unwrap_or(false),
        omit_session_token: v["omit_session_token"].as_bool().unwrap_or(false),
        expires: Duration::from_secs(v["expiration_in_seconds"].as_u64().unwrap_or(3600)),
    }
}

/// `line\n` for the request line and each header, a blank line, the body.
fn http_text(request_line: &str, header_lines: &[String], body: &[u8]) -> String {
    let mut text = format!("{request_line}\n");
    for line in header_lines {
        text.push_str(line);
        text.push('\n');
    }
    text.push('\n');
    text.push_str(std::str::from_utf8(body).expect("UTF-8 body"));
    text
}

fn check(case: &str, what: &str, expected: &str, actual: &str) -> Result<(), String> {
    if expected == actual {
        Ok(())
    } else {
        Err(format!("{case} {what} {}", diff(expected, actual)))
    }
}

fn run_case(dir: &Path) -> Result<usize, String> {
    let case = dir.file_name().unwrap().to_string_lossy().to_string();
    let mut req = RawRequest::parse(&read(&dir.join("request.txt")), Continuation::Folded);
    // `get-space-normalized` writes its request target percent-encoded in
    // request.txt (a request line cannot hold a space) while its signed
    // requests, and its canonical request, show that the signer was given
    // `/example space/`. The signed request's target is what the signer saw.
    if let Some(target) = read_text(&dir.join("header-signed-request.txt"))
        .lines()
        .next()
        .and_then(|l| l.split_once(' '))
        .and_then(|(_, rest)| rest.rsplit_once(' '))
        .map(|(target, _)| target.to_string())
        .filter(|t| t.starts_with('/') && *t != req.target)
        .filter(|_| case == "get-space-normalized")
    {
        req.target = target;
    }
    let headers = req.header_pairs();
    let signable = req.signable(&headers);
    if !dir.join("context.json").exists() {
        return run_canonical_only(&case, dir, &signable);
    }
    let ctx = load_context(dir);
    let settings = SigningSettings {
        normalize_path: ctx.normalize,
        double_uri_encode: true,
        session_token: if ctx.omit_session_token {
            SessionTokenMode::AfterSigning
        } else {
            SessionTokenMode::Signed
        },
        content_sha256_header: ctx.sign_body,
    };
    let mut params = SigningParams::new(
        &ctx.access_key_id,
        &ctx.secret,
        &ctx.region,
        &ctx.service,
        ctx.time,
    )
    .with_settings(settings);
    if let Some(t) = &ctx.token {
        params = params.with_session_token(t);
    }
    let file = |name: &str| read_text(&dir.join(name));
    let mut checked = 0;

    // Header variant.
    let out = sigv4::sign(&signable, &params).map_err(|e| format!("{case}: sign: {e}"))?;
    check(
        &case,
        "header canonical request",
        &file("header-canonical-request.txt"),
        &sigv4::canonical_request(&signable, &params).map_err(|e| e.to_string())?,
    )?;
    check(
        &case,
        "header string to sign",
        &file("header-string-to-sign.txt"),
        &out.string_to_sign(),
    )?;
    check(
        &case,
        "header signature",
        &file("header-signature.txt"),
        out.signature(),
    )?;
    let lines = req.signed_header_lines(out.headers(), |n, v| format!("{n}:{v}"));
    let request_line = format!("{} {} {}", req.method, req.target, req.version);
    check(
        &case,
        "header signed request",
        &file("header-signed-request.txt"),
        &http_text(&request_line, &lines, &req.body),
    )?;
    checked += 1;

    // Query (presigned) variant: no content-sha256 header in query mode.
    let query_params = params.with_settings(SigningSettings {
        content_sha256_header: false,
        ..settings
    });
    let pre = sigv4::presign(&signable, &query_params, ctx.expires)
        .map_err(|e| format!("{case}: presign: {e}"))?;
    check(
        &case,
        "query canonical request",
        &file("query-canonical-request.txt"),
        pre.canonical_request(),
    )?;
    check(
        &case,
        "query string to sign",
        &file("query-string-to-sign.txt"),
        pre.string_to_sign(),
    )?;
    check(
        &case,
        "query signature",
        &file("query-signature.txt"),
        pre.signature(),
    )?;
    let request_line = format!(
        "{} {}?{} {}",
        req.method,
        req.path(),
        pre.query(),
        req.version
    );
    let lines: Vec<String> = req.headers.iter().flat_map(|h| h.lines.clone()).collect();
    check(
        &case,
        "query signed request",
        &file("query-signed-request.txt"),
        &http_text(&request_line, &lines, &req.body),
    )?;
    checked += 1;
    Ok(checked)
}

/// `double-encode-path` and `double-url-encode` come without `context.json`
/// and only state a canonical request (and, for one, a string to sign). The
/// signing time is the one their canonical request states, the scope the one
/// their string to sign (or signed request) names; the suite's secret key
/// is not given for the first, so its signature cannot be checked.
fn run_canonical_only(
    case: &str,
    dir: &Path,
    signable: &SignableRequest<'_>,
) -> Result<usize, String> {
    let creq = read_text(&dir.join("header-canonical-request.txt"));
    let date = creq
        .lines()
        .find_map(|l| l.strip_prefix("x-amz-date:"))
        .ok_or_else(|| format!("{case}: no x-amz-date in the canonical request"))?;
    let time = AmzDate::parse(date)
        .map_err(|e| format!("{case}: {e}"))?
        .to_system_time();
    let sts_path = dir.join("header-string-to-sign.txt");
    let sts = sts_path.exists().then(|| read_text(&sts_path));
    let scope = match &sts {
        Some(sts) => sts.lines().nth(2).unwrap_or_default().to_string(),
        None => {
            let signed = read_text(&dir.join("header-signed-request.txt"));
            let cred = signed
                .split("Credential=")
                .nth(1)
                .and_then(|c| c.split(',').next())
                .ok_or_else(|| format!("{case}: no Credential in the signed request"))?;
            cred.split_once('/')
                .map(|(_, s)| s.to_string())
                .unwrap_or_default()
        }
    };
    let parts: Vec<&str> = scope.split('/').collect();
    let (region, service) = (parts[1], parts[2]);
    let params = SigningParams::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        region,
        service,
        time,
    );
    let out = sigv4::sign(signable, &params).map_err(|e| format!("{case}: sign: {e}"))?;
    check(
        case,
        "header canonical request",
        &creq,
        &sigv4::canonical_request(signable, &params).map_err(|e| e.to_string())?,
    )?;
    if let Some(sts) = sts {
        check(
            case,
            "header string to sign",
            sts.trim_end(),
            &out.string_to_sign(),
        )?;
        let signed = read_text(&dir.join("header-signed-request.txt"));
        let expected_sig = signed
            .split("Signature=")
            .nth(1)
            .map(str::trim)
            .unwrap_or_default();
        check(case, "header signature", expected_sig, out.signature())?;
    }
    Ok(1)
}

#[test]
fn every_case_of_the_crt_suite_passes_byte_for_byte() {
    let root = reference_dir().join("aws-signing-test-suite/v4");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("readable suite directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert_eq!(dirs.len(), 40, "expected all 40 cases of the suite");
    let mut variants = 0;
    let mut failures = Vec::new();
    for dir in &dirs {
        match run_case(dir) {
            Ok(n) => variants += n,
            Err(e) => failures.push(e),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n\n")
    );
    // 38 cases with a header and a query variant, 2 canonical-only ones.
    assert_eq!(variants, 38 * 2 + 2);
}
