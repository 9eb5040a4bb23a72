//! SigV4 signing, side by side: `awssts::sigv4::sign` against the official
//! `aws-sigv4` crate and against the hashing floor (the SHA-256 and HMAC work
//! no correct signer can skip), for one realistic request: an STS
//! `AssumeRole` POST signed with temporary credentials.
//!
//! Run with `cargo bench -p awssts-bench --bench sigv4`; BENCHMARKS.md at the
//! repository root records the figures.

// Setup failures (a signer refusing this fixed, valid request, or the two
// signers disagreeing) must stop the benchmark loudly: there is nothing
// meaningful to measure after them, so `expect` with a message is the right
// tool here.
#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{self as aws_http, SignableBody};
use aws_sigv4::sign::v4 as aws_v4;
use aws_smithy_runtime_api::client::identity::Identity;
use awssts::sigv4::{self, Payload, SignableRequest, SigningParams};
use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

const HOST: &str = "sts.eu-west-1.amazonaws.com";
const URL: &str = "https://sts.eu-west-1.amazonaws.com/";
const CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";
const HEADERS: [(&str, &str); 2] = [("host", HOST), ("content-type", CONTENT_TYPE)];
const BODY: &[u8] = b"Action=AssumeRole&Version=2011-06-15\
    &RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo\
    &RoleSessionName=bench-session&DurationSeconds=3600";
const ACCESS_KEY_ID: &str = "ASIAIOSFODNN7EXAMPLE";
const SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const REGION: &str = "eu-west-1";
const SERVICE: &str = "sts";

/// 2026-11-23T09:30:00Z.
fn signing_time() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_795_426_200)
}

/// A deterministic stand-in for an STS session token: 824 characters of
/// base64 text (real ones run 700-1,000), starting the way real ones do.
fn session_token() -> String {
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

/// The awssts side: build the request and parameters, sign, and produce the
/// headers to send.
/// The canonical request awssts signs for this request (it hashes it
/// without keeping it; this recomputes it for the floor's input).
fn awssts_canonical_request(token: &str, time: SystemTime) -> String {
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

fn sign_awssts<'t>(token: &'t str, time: SystemTime) -> sigv4::SigningOutput<'t> {
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
fn sign_aws_sigv4(
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

fn sigv4_signing(c: &mut Criterion) {
    let token = session_token();
    let time = signing_time();
    let identity: Identity = Credentials::new(
        ACCESS_KEY_ID,
        SECRET_ACCESS_KEY,
        Some(token.clone()),
        None,
        "awssts-bench",
    )
    .into();

    // Apples to apples: both signers must produce the same Authorization
    // header for this request, or the comparison means nothing.
    let ours = sign_awssts(&token, time);
    let theirs = sign_aws_sigv4(&identity, time);
    let their_auth = theirs
        .output()
        .headers()
        .find(|(name, _)| name.eq_ignore_ascii_case("authorization"))
        .map(|(_, value)| value.to_owned())
        .expect("aws-sigv4 returns an authorization header");
    assert_eq!(
        ours.authorization(),
        their_auth,
        "awssts and aws-sigv4 disagree on the Authorization header for the same request; \
         the benchmark would compare different work"
    );
    let their_token = theirs
        .output()
        .headers()
        .find(|(name, _)| name.eq_ignore_ascii_case("x-amz-security-token"))
        .map(|(_, value)| value);
    assert_eq!(
        their_token,
        Some(token.as_str()),
        "aws-sigv4 did not send the session token"
    );

    // Inputs of the hashing floor, from the request awssts signed.
    let canonical_request = awssts_canonical_request(&token, time).into_bytes();
    let string_to_sign = ours.string_to_sign().as_bytes().to_vec();
    let hmac_key = [0x5au8; 32];

    let mut group = c.benchmark_group("sigv4_sign_assume_role");
    group.measurement_time(Duration::from_secs(5));

    group.bench_function("awssts", |b| {
        b.iter(|| {
            let out = sign_awssts(black_box(&token), black_box(time));
            for header in out.headers() {
                black_box(header);
            }
            out
        });
    });

    group.bench_function("aws-sigv4", |b| {
        b.iter(|| {
            let out = sign_aws_sigv4(black_box(&identity), black_box(time));
            for header in out.output().headers() {
                black_box(header);
            }
            out
        });
    });

    group.bench_function("hashing-floor", |b| {
        b.iter(|| {
            let body_hash = Sha256::digest(black_box(BODY));
            let creq_hash = Sha256::digest(black_box(&canonical_request[..]));
            let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(black_box(&hmac_key))
                .expect("HMAC takes keys of any length");
            mac.update(black_box(&string_to_sign[..]));
            (body_hash, creq_hash, mac.finalize().into_bytes())
        });
    });

    group.finish();
}

criterion_group!(benches, sigv4_signing);
criterion_main!(benches);
