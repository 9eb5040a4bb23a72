//! `sigv4::sign` and `sigv4::presign` on arbitrary requests must never
//! panic, and whatever they sign must verify.

#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use awssts::sigv4::{self, Payload, SignableRequest, SigningParams, VerifyOptions, VerifyRequest};
use libfuzzer_sys::fuzz_target;

mod request;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fuzz_target!(|data: &[u8]| {
    let Some(parts) = request::split(data) else {
        return;
    };
    // A request that declares its own payload hash is checked against its
    // body by the verifier, whatever the signer did: not a round trip.
    if parts
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("x-amz-content-sha256"))
    {
        return;
    }
    let signable = SignableRequest {
        method: parts.method,
        path: parts.path,
        query: parts.query,
        headers: &parts.headers,
        payload: Payload::Bytes(parts.body),
    };
    let now = UNIX_EPOCH + Duration::from_secs(1_440_938_160);
    let params = SigningParams::new("AKIDEXAMPLE", SECRET, "us-east-1", "sts", now)
        .with_session_token("TOKEN");
    let lookup = |akid: &str| (akid == "AKIDEXAMPLE").then_some(SECRET);
    let options = VerifyOptions::default();

    if let Ok(out) = sigv4::sign(&signable, &params) {
        let mut owned: Vec<(String, String)> = parts
            .headers
            .iter()
            .filter(|(n, _)| !out.headers().any(|(m, _)| m.eq_ignore_ascii_case(n)))
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        owned.extend(out.headers().map(|(n, v)| (n.to_string(), v.to_string())));
        let headers: Vec<(&str, &str)> = owned
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let req = VerifyRequest {
            method: parts.method,
            path: parts.path,
            query: parts.query,
            headers: &headers,
            body: parts.body,
        };
        if let Err(e) = sigv4::verify(&req, lookup, now, &options) {
            panic!("a request awssts signed does not verify: {e}");
        }
    }
    if let Ok(pre) = sigv4::presign(&signable, &params, Duration::from_secs(60)) {
        // A presigned URL is used without an Authorization header.
        let headers: Vec<(&str, &str)> = parts
            .headers
            .iter()
            .copied()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("authorization"))
            .collect();
        let req = VerifyRequest {
            method: parts.method,
            path: parts.path,
            query: pre.query(),
            headers: &headers,
            body: parts.body,
        };
        if let Err(e) = sigv4::verify(&req, lookup, now, &options) {
            panic!("a URL awssts presigned does not verify: {e}");
        }
    }
});
