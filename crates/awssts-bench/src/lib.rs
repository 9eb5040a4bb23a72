//! Shared setup of the side-by-side benchmarks in `benches/`: the request
//! every contender signs, each contender's call, and the hashing floor. See
//! BENCHMARKS.md at the repository root.

// Setup failures (a signer refusing this fixed, valid request) must stop a
// benchmark loudly: there is nothing meaningful to measure after them.
#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{self as aws_http, SignableBody};
use aws_sigv4::sign::v4 as aws_v4;
use aws_smithy_runtime_api::client::identity::Identity;
use awssts::sigv4::{self, Payload, SignableRequest, SigningParams};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// The STS regional endpoint signed for.
pub const HOST: &str = "sts.eu-west-1.amazonaws.com";
/// The same endpoint as a URL, for aws-sigv4.
pub const URL: &str = "https://sts.eu-west-1.amazonaws.com/";
/// The awsQuery content type.
pub const CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";
/// The headers both signers sign.
pub const HEADERS: [(&str, &str); 2] = [("host", HOST), ("content-type", CONTENT_TYPE)];
/// An AssumeRole form body.
pub const BODY: &[u8] = b"Action=AssumeRole&Version=2011-06-15\
    &RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo\
    &RoleSessionName=bench-session&DurationSeconds=3600";
/// A temporary access key id.
pub const ACCESS_KEY_ID: &str = "ASIAIOSFODNN7EXAMPLE";
/// AWS's documented example secret.
pub const SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
/// The signing region.
pub const REGION: &str = "eu-west-1";
/// The signing name.
pub const SERVICE: &str = "sts";

/// 2026-11-23T09:30:00Z.
pub fn signing_time() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_795_426_200)
}

/// A deterministic stand-in for an STS session token: 824 characters of
/// base64 text (real ones run 700-1,000), starting the way real ones do.
pub fn session_token() -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const LEN: usize = 824;
    let mut token = String::with_capacity(LEN);
    token.push_str("IQoJb3JpZ2luX2Vj");
    // xorshift64: fixed seed, so every run signs the same bytes.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    while token.len() < LEN - 2 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        token.push(char::from(ALPHABET[(state >> 58) as usize]));
    }
    token.push_str("==");
    token
}

/// The canonical request awssts signs for this request (it hashes it
/// without keeping it; this recomputes it for the floor's input).
pub fn awssts_canonical_request(token: &str, time: SystemTime) -> String {
    let request = SignableRequest {
        method: "POST",
        path: "/",
        query: "",
        headers: &HEADERS,
        payload: Payload::Bytes(BODY),
    };
    let params = SigningParams::new(ACCESS_KEY_ID, SECRET_ACCESS_KEY, REGION, SERVICE, time)
        .with_session_token(token);
    sigv4::canonical_request(&request, &params).expect("awssts canonicalises the request")
}

/// The awssts side: build the request and parameters, and sign.
pub fn sign_awssts<'t>(token: &'t str, time: SystemTime) -> sigv4::SigningOutput<'t> {
    let request = SignableRequest {
        method: "POST",
        path: "/",
        query: "",
        headers: black_box(&HEADERS),
        payload: Payload::Bytes(black_box(BODY)),
    };
    let params = SigningParams::new(ACCESS_KEY_ID, SECRET_ACCESS_KEY, REGION, SERVICE, time)
        .with_session_token(token);
    sigv4::sign(&request, &params).expect("awssts signs the AssumeRole request")
}

/// The aws-sigv4 side, the way its documentation shows: a `SignableRequest`,
/// default settings and v4 parameters built per request.
pub fn sign_aws_sigv4(
    identity: &Identity,
    time: SystemTime,
) -> aws_sigv4::SigningOutput<aws_http::SigningInstructions> {
    let request = aws_http::SignableRequest::new(
        "POST",
        URL,
        black_box(&HEADERS).iter().copied(),
        SignableBody::Bytes(black_box(BODY)),
    )
    .expect("aws-sigv4 accepts the AssumeRole request");
    let params: aws_http::SigningParams<'_> = aws_v4::SigningParams::builder()
        .identity(identity)
        .region(REGION)
        .name(SERVICE)
        .time(time)
        .settings(aws_http::SigningSettings::default())
        .build()
        .expect("aws-sigv4 signing params are complete")
        .into();
    aws_http::sign(request, &params).expect("aws-sigv4 signs the AssumeRole request")
}

/// An aws-sigv4 identity for the benchmark's credentials.
pub fn aws_identity(token: &str) -> Identity {
    Credentials::new(
        ACCESS_KEY_ID,
        SECRET_ACCESS_KEY,
        Some(token.to_owned()),
        None,
        "awssts-bench",
    )
    .into()
}

/// Checks that both signers produce the same `Authorization` header and
/// both send the session token: otherwise the comparison would measure
/// different work. Panics with an explanation when they disagree.
pub fn assert_same_signature(token: &str, identity: &Identity, time: SystemTime) {
    let ours = sign_awssts(token, time);
    let theirs = sign_aws_sigv4(identity, time);
    let header = |name: &str| {
        theirs
            .output()
            .headers()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.to_owned())
    };
    assert_eq!(
        Some(ours.authorization().to_owned()),
        header("authorization"),
        "awssts and aws-sigv4 disagree on the Authorization header for the same request; \
         the benchmark would compare different work"
    );
    assert_eq!(
        header("x-amz-security-token").as_deref(),
        Some(token),
        "aws-sigv4 did not send the session token"
    );
}

/// The inputs of the hashing floor, taken from the request awssts signs.
pub struct Floor {
    canonical_request: Vec<u8>,
    string_to_sign: Vec<u8>,
    hmac_key: [u8; 32],
}

impl Floor {
    /// The floor for the benchmark request.
    pub fn new(token: &str, time: SystemTime) -> Self {
        Self {
            canonical_request: awssts_canonical_request(token, time).into_bytes(),
            string_to_sign: sign_awssts(token, time).string_to_sign().into_bytes(),
            hmac_key: [0x5a; 32],
        }
    }

    /// The crypto no correct signer can skip: SHA-256 of the body and of the
    /// canonical request, and one HMAC-SHA256 (with a fresh key) of the
    /// string to sign.
    pub fn run(&self) -> impl Sized {
        let body_hash = Sha256::digest(black_box(BODY));
        let creq_hash = Sha256::digest(black_box(&self.canonical_request[..]));
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(black_box(&self.hmac_key))
            .expect("HMAC takes keys of any length");
        mac.update(black_box(&self.string_to_sign[..]));
        (body_hash, creq_hash, mac.finalize().into_bytes())
    }
}

/// One awssts signature, headers read as a caller would.
pub fn run_awssts(token: &str, time: SystemTime) -> impl Sized + '_ {
    let out = sign_awssts(black_box(token), black_box(time));
    for header in out.headers() {
        black_box(header);
    }
    out
}

/// One aws-sigv4 signature, headers read as a caller would.
pub fn run_aws_sigv4(identity: &Identity, time: SystemTime) -> impl Sized {
    let out = sign_aws_sigv4(black_box(identity), black_box(time));
    for header in out.output().headers() {
        black_box(header);
    }
    out
}
