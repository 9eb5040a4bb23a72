//! `sigv4::verify` on arbitrary requests: it must answer, never panic.

#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use awssts::sigv4::{self, VerifyOptions, VerifyRequest};
use libfuzzer_sys::fuzz_target;

mod request;

fuzz_target!(|data: &[u8]| {
    let Some(parts) = request::split(data) else {
        return;
    };
    let req = VerifyRequest {
        method: parts.method,
        path: parts.path,
        query: parts.query,
        headers: &parts.headers,
        body: parts.body,
    };
    let now = UNIX_EPOCH + Duration::from_secs(1_440_938_160);
    let lookup =
        |akid: &str| (akid == "AKIDEXAMPLE").then_some("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    let _ = sigv4::verify(&req, lookup, now, &VerifyOptions::default());
});
