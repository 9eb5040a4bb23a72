//! Properties of signing and verification over arbitrary requests:
//! sign→verify and presign→verify round-trip, any change to a signed part is
//! refused, and malformed input gives errors, never panics.

// Tests report failures by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use awssts::sigv4::{
    self, Error, Payload, SessionTokenMode, SignableRequest, SigningParams, SigningSettings,
    VerifyError, VerifyOptions, VerifyRequest,
};
use proptest::prelude::*;

const AKID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// Percent-encodes everything but unreserved characters, as a client would
/// when building a query string.
fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[derive(Debug, Clone)]
struct Req {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    token: Option<String>,
    time: SystemTime,
    region: String,
}

fn managed(name: &str) -> bool {
    [
        "authorization",
        "x-amz-date",
        "x-amz-security-token",
        "x-amz-content-sha256",
        "host",
    ]
    .iter()
    .any(|m| m.eq_ignore_ascii_case(name))
}

fn request() -> impl Strategy<Value = Req> {
    let method = prop_oneof![
        Just("GET".to_string()),
        Just("POST".to_string()),
        "[A-Z]{1,10}",
    ];
    let segment = "[a-zA-Z0-9._~ %!$&'()*+,;=:@ሴé-]{0,8}";
    let path = prop::collection::vec(segment, 0..5).prop_map(|s| format!("/{}", s.join("/")));
    let query = prop::collection::vec(("\\PC{0,8}", "\\PC{0,8}"), 0..5).prop_map(|pairs| {
        pairs
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&")
    });
    let headers = prop::collection::vec(("[a-zA-Z][a-zA-Z0-9-]{0,15}", "[ -~]{0,30}"), 0..6)
        .prop_map(|hs| {
            hs.into_iter()
                .filter(|(n, _)| !managed(n))
                .collect::<Vec<_>>()
        });
    let body = prop::collection::vec(any::<u8>(), 0..200);
    let token = prop::option::of("[A-Za-z0-9+/=]{16,80}");
    let time = (946_684_800u64..4_102_444_800).prop_map(|s| UNIX_EPOCH + Duration::from_secs(s));
    let region = prop_oneof![Just("us-east-1".to_string()), "[a-z]{2}-[a-z]{4,9}-[1-9]"];
    (method, path, query, headers, body, token, time, region).prop_map(
        |(method, path, query, headers, body, token, time, region)| Req {
            method,
            path,
            query,
            headers,
            body,
            token,
            time,
            region,
        },
    )
}

impl Req {
    fn header_refs(&self) -> Vec<(&str, &str)> {
        let mut h = vec![("Host", "sts.example.amazonaws.com")];
        h.extend(self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        h
    }

    fn params(&self) -> SigningParams<'_> {
        let p = SigningParams::new(AKID, SECRET, &self.region, "sts", self.time);
        match &self.token {
            Some(t) => p.with_session_token(t),
            None => p,
        }
    }

    /// Signs in header mode; returns the headers as the server receives them.
    fn signed_headers(&self) -> Vec<(String, String)> {
        let headers = self.header_refs();
        let signable = SignableRequest {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            headers: &headers,
            payload: Payload::Bytes(&self.body),
        };
        let out = sigv4::sign(&signable, &self.params()).expect("valid requests sign");
        received(&headers, &out)
    }
}

/// The headers a server receives: the request's own, then the signer's.
fn received(headers: &[(&str, &str)], out: &sigv4::SigningOutput<'_>) -> Vec<(String, String)> {
    let own = |(n, v): (&str, &str)| (n.to_string(), v.to_string());
    let mut all: Vec<(String, String)> = headers.iter().copied().map(own).collect();
    all.extend(out.headers().map(own));
    all
}

fn lookup(akid: &str) -> Option<&'static str> {
    (akid == AKID).then_some(SECRET)
}

fn verify_with(
    method: &str,
    path: &str,
    query: &str,
    headers: &[(String, String)],
    body: &[u8],
    now: SystemTime,
) -> Result<sigv4::Verified, VerifyError> {
    let refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let req = VerifyRequest {
        method,
        path,
        query,
        headers: &refs,
        body,
    };
    sigv4::verify(&req, lookup, now, &VerifyOptions::default())
}

fn assert_mismatch(result: Result<sigv4::Verified, VerifyError>) -> Result<(), TestCaseError> {
    match result {
        Err(VerifyError::SignatureMismatch { .. }) => Ok(()),
        other => Err(TestCaseError::fail(format!(
            "expected a signature mismatch, got {other:?}"
        ))),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn sign_then_verify_round_trips(r in request()) {
        let headers = r.signed_headers();
        let v = verify_with(&r.method, &r.path, &r.query, &headers, &r.body, r.time)
            .map_err(|e| TestCaseError::fail(format!("verify failed: {e}")))?;
        prop_assert_eq!(v.access_key_id.as_str(), AKID);
        prop_assert_eq!(v.scope.region.as_str(), r.region.as_str());
        prop_assert_eq!(v.scope.service.as_str(), "sts");
        prop_assert_eq!(v.session_token.as_deref(), r.token.as_deref());
        prop_assert_eq!(v.request_time.to_system_time(), r.time);
        prop_assert!(!v.is_presigned());
    }

    #[test]
    fn any_change_to_a_signed_part_is_refused(r in request(), which in 0usize..7, pick in any::<prop::sample::Index>()) {
        let mut headers = r.signed_headers();
        let (mut method, mut path, mut query, mut body) =
            (r.method.clone(), r.path.clone(), r.query.clone(), r.body.clone());
        let mut lookup_secret = SECRET.to_string();
        match which {
            0 => if body.is_empty() { body.push(b'x') } else { let i = pick.index(body.len()); body[i] ^= 0x01 },
            1 => path.push('x'),
            2 => query = if query.is_empty() { "tamper=1".into() } else { format!("{query}&tamper=1") },
            3 => {
                // Any of the request's own signed headers (X-Amz-Date is
                // changed by case 6, the token by its own property).
                let signed: Vec<usize> = (0..headers.len())
                    .filter(|&i| !["authorization", "x-amz-security-token", "x-amz-date"]
                        .iter().any(|m| headers[i].0.eq_ignore_ascii_case(m)))
                    .collect();
                let i = signed[pick.index(signed.len())];
                headers[i].1.push('x');
            }
            4 => method = if method == "PUT" { "POST".into() } else { "PUT".into() },
            5 => lookup_secret.push('x'),
            _ => {
                let i = headers.iter().position(|h| h.0 == "X-Amz-Date").unwrap();
                let t = sigv4::AmzDate::parse(&headers[i].1).unwrap().unix_seconds();
                // Stay within the scope's day so only the signature can object.
                let t = if t % 86_400 == 86_399 { t - 1 } else { t + 1 };
                headers[i].1 = sigv4::AmzDate::from_unix_seconds(t).unwrap().as_str().to_string();
            }
        }
        let refs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let req = VerifyRequest { method: &method, path: &path, query: &query, headers: &refs, body: &body };
        let result = sigv4::verify(&req, |_| Some(lookup_secret.as_str()), r.time, &VerifyOptions::default());
        assert_mismatch(result)?;
    }

    #[test]
    fn a_signed_session_token_cannot_be_swapped(r in request(), other in "[A-Za-z0-9]{16,40}") {
        prop_assume!(r.token.is_some());
        let mut headers = r.signed_headers();
        let i = headers.iter().position(|h| h.0 == "X-Amz-Security-Token").unwrap();
        headers[i].1 = other;
        assert_mismatch(verify_with(&r.method, &r.path, &r.query, &headers, &r.body, r.time))?;
    }

    #[test]
    fn presign_then_verify_round_trips(r in request(), expires in 1u64..=604_800, tamper in any::<bool>()) {
        let headers = r.header_refs();
        let signable = SignableRequest {
            method: &r.method,
            path: &r.path,
            query: &r.query,
            headers: &headers,
            payload: Payload::Bytes(&r.body),
        };
        let pre = sigv4::presign(&signable, &r.params(), Duration::from_secs(expires)).unwrap();
        let owned: Vec<(String, String)> =
            headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        let mut query = pre.query().to_string();
        if tamper {
            query.push_str("&tamper=1");
            assert_mismatch(verify_with(&r.method, &r.path, &query, &owned, &r.body, r.time))?;
            return Ok(());
        }
        let at_end = r.time + Duration::from_secs(expires);
        let v = verify_with(&r.method, &r.path, &query, &owned, &r.body, at_end)
            .map_err(|e| TestCaseError::fail(format!("verify failed: {e}")))?;
        prop_assert_eq!(v.expires_at, Some(at_end));
        prop_assert_eq!(v.session_token.as_deref(), r.token.as_deref());
        let after = at_end + Duration::from_secs(1);
        let expired = verify_with(&r.method, &r.path, &query, &owned, &r.body, after);
        prop_assert!(matches!(expired, Err(VerifyError::Expired { .. })), "got {:?}", expired);
    }

    #[test]
    fn signing_arbitrary_input_never_panics(
        method in "\\PC{0,6}|[\\x00-\\x7f]{0,6}",
        path in "\\PC{0,20}|[\\x00-\\x7f]{0,20}",
        query in "\\PC{0,20}|[\\x00-\\x7f%]{0,20}",
        headers in prop::collection::vec(("\\PC{0,8}|[\\x00-\\x7f]{0,8}", "\\PC{0,12}|[\\x00-\\x7f]{0,12}"), 0..4),
        secs in any::<u64>(),
        expires in any::<u64>(),
    ) {
        let refs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let signable = SignableRequest { method: &method, path: &path, query: &query, headers: &refs, payload: Payload::Unsigned };
        let time = UNIX_EPOCH.checked_add(Duration::from_secs(secs)).unwrap_or(UNIX_EPOCH);
        let params = SigningParams::new(AKID, SECRET, "us-east-1", "sts", time);
        let _ = sigv4::sign(&signable, &params);
        let _ = sigv4::presign(&signable, &params, Duration::from_secs(expires));
    }

    #[test]
    fn verifying_arbitrary_input_never_panics(
        auth in "\\PC{0,120}",
        query in "\\PC{0,120}",
        date in "\\PC{0,20}",
        secs in any::<u64>(),
    ) {
        let mut headers = vec![("host", "example.com"), ("x-amz-date", date.as_str())];
        if !auth.is_empty() {
            headers.push(("authorization", auth.as_str()));
        }
        let req = VerifyRequest { method: "GET", path: "/", query: &query, headers: &headers, body: b"" };
        let now = UNIX_EPOCH.checked_add(Duration::from_secs(secs)).unwrap_or(UNIX_EPOCH);
        prop_assert!(sigv4::verify(&req, lookup, now, &VerifyOptions::default()).is_err());
    }

    #[test]
    fn verifying_near_miss_authorizations_never_panics(
        r in request(),
        cut in any::<prop::sample::Index>(),
        junk in "[ -~]{0,5}",
    ) {
        let mut headers = r.signed_headers();
        let i = headers.iter().position(|h| h.0 == "Authorization").unwrap();
        let auth = &headers[i].1;
        let at = cut.index(auth.len() + 1);
        let at = (0..=at).rev().find(|&k| auth.is_char_boundary(k)).unwrap_or(0);
        headers[i].1 = format!("{}{}", &auth[..at], junk);
        let _ = verify_with(&r.method, &r.path, &r.query, &headers, &r.body, r.time);
    }
}

fn sts_request<'a>(headers: &'a [(&'a str, &'a str)], query: &'a str) -> SignableRequest<'a> {
    SignableRequest {
        method: "POST",
        path: "/",
        query,
        headers,
        payload: Payload::Bytes(b"Action=GetCallerIdentity&Version=2011-06-15"),
    }
}

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

#[test]
fn malformed_requests_are_errors() {
    let params = SigningParams::new(AKID, SECRET, "us-east-1", "sts", at(1_700_000_000));
    let sign =
        |headers: &[(&str, &str)], query: &str| sigv4::sign(&sts_request(headers, query), &params);

    let host = ("host", "sts.amazonaws.com");
    assert!(matches!(
        sign(&[host, ("x-bäd", "v")], ""),
        Err(Error::InvalidHeaderName { .. })
    ));
    assert!(matches!(
        sign(&[host, ("x-a b", "v")], ""),
        Err(Error::InvalidHeaderName { .. })
    ));
    assert!(matches!(
        sign(&[host, ("x-ok", "a\0b")], ""),
        Err(Error::InvalidHeaderValue { .. })
    ));
    assert!(matches!(
        sign(&[host, ("x-ok", "a\r\nX-Evil: 1")], ""),
        Err(Error::InvalidHeaderValue { .. })
    ));
    assert!(matches!(
        sign(&[host], "a=%G1"),
        Err(Error::InvalidPercentEncoding { offset: 2, .. })
    ));
    assert!(matches!(
        sign(&[host], "a=1%"),
        Err(Error::InvalidPercentEncoding { .. })
    ));
    assert!(matches!(
        sign(&[("x-no-host", "1")], ""),
        Err(Error::MissingHost)
    ));

    for absurd in [
        UNIX_EPOCH - Duration::from_secs(1),
        at(253_402_300_800),
        UNIX_EPOCH + Duration::from_secs(u64::MAX / 4),
    ] {
        let p = SigningParams {
            time: absurd,
            ..params
        };
        assert!(matches!(
            sigv4::sign(&sts_request(&[host], ""), &p),
            Err(Error::InvalidTime { .. })
        ));
    }
    for bad in [0, 604_801] {
        assert!(matches!(
            sigv4::presign(&sts_request(&[host], ""), &params, Duration::from_secs(bad)),
            Err(Error::InvalidExpiry { .. })
        ));
    }
    let bad_scope = SigningParams {
        region: "us/east",
        ..params
    };
    assert!(matches!(
        sigv4::sign(&sts_request(&[host], ""), &bad_scope),
        Err(Error::InvalidScope {
            field: "region",
            ..
        })
    ));
    let presigned_twice = sigv4::presign(
        &sts_request(&[host], "X-Amz-Signature=abc"),
        &params,
        Duration::from_secs(60),
    );
    assert!(matches!(
        presigned_twice,
        Err(Error::AlreadyPresigned { .. })
    ));
}

#[test]
fn errors_and_debug_output_never_show_secrets() {
    let token = "SESSIONTOKENCANARY";
    let params = SigningParams::new(AKID, SECRET, "us-east-1", "sts", at(1_700_000_000))
        .with_session_token(token);
    let shown = format!("{params:?}");
    assert!(!shown.contains(SECRET) && !shown.contains(token), "{shown}");
    let headers = [("host", "sts.amazonaws.com")];
    let out = sigv4::sign(&sts_request(&headers, ""), &params).unwrap();
    assert!(!format!("{out:?}").contains(token));
    let pre = sigv4::presign(&sts_request(&headers, ""), &params, Duration::from_secs(60)).unwrap();
    assert!(!format!("{pre:?}").contains(token));
    let bad = SigningParams {
        session_token: Some("SESSIONTOKENCANARY\n"),
        ..params
    };
    let err = sigv4::sign(&sts_request(&headers, ""), &bad).unwrap_err();
    assert!(!err.to_string().contains(token) && !format!("{err:?}").contains(token));
}

#[test]
fn verify_reports_each_failure_precisely() {
    let now = at(1_700_000_000);
    let params = SigningParams::new(AKID, SECRET, "us-east-1", "sts", now);
    let headers = [("host", "sts.amazonaws.com")];
    let req = sts_request(&headers, "");
    let out = sigv4::sign(&req, &params).unwrap();
    let received = received(&[("host", "sts.amazonaws.com")], &out);
    let body = b"Action=GetCallerIdentity&Version=2011-06-15";
    let v = |headers: &[(String, String)], now: SystemTime| {
        verify_with("POST", "/", "", headers, body, now)
    };

    assert!(v(&received, now).is_ok());
    assert!(v(&received, now + Duration::from_secs(15 * 60)).is_ok());
    assert!(matches!(
        v(&received, now + Duration::from_secs(15 * 60 + 1)),
        Err(VerifyError::RequestTimeTooSkewed { .. })
    ));
    assert!(matches!(
        v(&received, now - Duration::from_secs(16 * 60)),
        Err(VerifyError::RequestTimeTooSkewed { .. })
    ));

    let without_auth: Vec<_> = received
        .iter()
        .filter(|h| h.0 != "Authorization")
        .cloned()
        .collect();
    assert!(matches!(
        v(&without_auth, now),
        Err(VerifyError::MissingAuthentication)
    ));

    let with_auth = |auth: &str| {
        let mut h = without_auth.clone();
        h.push(("Authorization".into(), auth.into()));
        h
    };
    let auth = out.authorization();
    let unknown = auth.replace(AKID, "AKIAUNKNOWNKEY000000");
    assert!(matches!(
        v(&with_auth(&unknown), now),
        Err(VerifyError::UnknownAccessKey { .. })
    ));
    let other_alg = auth.replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256");
    assert!(matches!(
        v(&with_auth(&other_alg), now),
        Err(VerifyError::UnsupportedAlgorithm { .. })
    ));
    let no_host = auth.replace("SignedHeaders=host;x-amz-date", "SignedHeaders=x-amz-date");
    assert!(matches!(
        v(&with_auth(&no_host), now),
        Err(VerifyError::UnsignedHeader { name: "host" })
    ));
    let no_date = auth.replace("SignedHeaders=host;x-amz-date", "SignedHeaders=host");
    assert!(matches!(
        v(&with_auth(&no_date), now),
        Err(VerifyError::UnsignedHeader { name: "x-amz-date" })
    ));
    let short_sig = &auth[..auth.len() - 1];
    assert!(matches!(
        v(&with_auth(short_sig), now),
        Err(VerifyError::Malformed { .. })
    ));
    let other_day = auth.replace("/20231114/", "/20231113/");
    assert!(matches!(
        v(&with_auth(&other_day), now),
        Err(VerifyError::Malformed { .. })
    ));
    for garbage in [
        "",
        "AWS4-HMAC-SHA256",
        "AWS4-HMAC-SHA256 Credential",
        "AWS4-HMAC-SHA256 a=b",
    ] {
        assert!(v(&with_auth(garbage), now).is_err(), "{garbage:?}");
    }
}

#[test]
fn content_sha256_header_is_checked_against_the_body() {
    let now = at(1_700_000_000);
    let settings = SigningSettings {
        content_sha256_header: true,
        ..SigningSettings::default()
    };
    let params = SigningParams::new(AKID, SECRET, "us-east-1", "sts", now).with_settings(settings);
    let headers = [("host", "sts.amazonaws.com")];
    let out = sigv4::sign(&sts_request(&headers, ""), &params).unwrap();
    let received = received(&[("host", "sts.amazonaws.com")], &out);
    let body = b"Action=GetCallerIdentity&Version=2011-06-15";
    assert!(verify_with("POST", "/", "", &received, body, now).is_ok());
    assert!(matches!(
        verify_with("POST", "/", "", &received, b"Action=Other", now),
        Err(VerifyError::PayloadHashMismatch)
    ));
}

#[test]
fn token_added_after_signing_is_reported_but_not_signed() {
    let now = at(1_700_000_000);
    let settings = SigningSettings {
        session_token: SessionTokenMode::AfterSigning,
        ..SigningSettings::default()
    };
    let params = SigningParams::new(AKID, SECRET, "us-east-1", "sts", now)
        .with_session_token("TOKEN")
        .with_settings(settings);
    let headers = [("host", "sts.amazonaws.com")];
    let out = sigv4::sign(&sts_request(&headers, ""), &params).unwrap();
    assert!(
        out.authorization()
            .contains("SignedHeaders=host;x-amz-date,")
    );
    let received = received(&[("host", "sts.amazonaws.com")], &out);
    let body = b"Action=GetCallerIdentity&Version=2011-06-15";
    let v = verify_with("POST", "/", "", &received, body, now).unwrap();
    assert_eq!(v.session_token.as_deref(), Some("TOKEN"));

    // Presigned with the token appended after signing also verifies.
    let get = SignableRequest {
        method: "GET",
        path: "/",
        query: "Action=GetCallerIdentity&Version=2011-06-15",
        headers: &headers,
        payload: Payload::Bytes(b""),
    };
    let pre = sigv4::presign(&get, &params, Duration::from_secs(60)).unwrap();
    assert!(pre.query().contains("X-Amz-Security-Token=TOKEN"));
    assert!(!pre.canonical_request().contains("TOKEN"));
    let host: Vec<(String, String)> = vec![("host".into(), "sts.amazonaws.com".into())];
    let v = verify_with("GET", "/", pre.query(), &host, b"", now).unwrap();
    assert_eq!(v.session_token.as_deref(), Some("TOKEN"));
}

#[test]
fn eks_style_presigned_get_caller_identity() {
    // What `aws eks get-token` makes: a presigned GET with x-k8s-aws-id signed.
    let now = at(1_700_000_000);
    let params = SigningParams::new(AKID, SECRET, "us-east-1", "sts", now);
    let headers = [
        ("host", "sts.amazonaws.com"),
        ("x-k8s-aws-id", "my-cluster"),
    ];
    let req = SignableRequest {
        method: "GET",
        path: "/",
        query: "Action=GetCallerIdentity&Version=2011-06-15",
        headers: &headers,
        payload: Payload::Bytes(b""),
    };
    let pre = sigv4::presign(&req, &params, Duration::from_secs(60)).unwrap();
    assert!(pre.query().starts_with(
        "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20231114%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20231114T221320Z&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Expires=60&X-Amz-Signature="
    ));
    assert_eq!(
        pre.url("https://sts.amazonaws.com/"),
        format!("https://sts.amazonaws.com/?{}", pre.query())
    );
    let received: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    let v = verify_with("GET", "/", pre.query(), &received, b"", now).unwrap();
    assert_eq!(v.signed_headers, ["host", "x-k8s-aws-id"]);
    // Without the cluster header, the URL is useless.
    let no_cluster = &received[..1];
    assert!(verify_with("GET", "/", pre.query(), no_cluster, b"", now).is_err());
}

#[test]
fn presigned_with_unsigned_payload_verifies_as_botocore_makes_them() {
    // botocore presigns with UNSIGNED-PAYLOAD; STS accepts those URLs too.
    let now = at(1_700_000_000);
    let headers = [("host", "sts.amazonaws.com")];
    let received: Vec<(String, String)> = vec![("host".into(), "sts.amazonaws.com".into())];
    for token in [None, Some("TOKEN")] {
        let mut params = SigningParams::new(AKID, SECRET, "us-east-1", "sts", now);
        if let Some(t) = token {
            params = params.with_session_token(t);
        }
        let req = SignableRequest {
            method: "GET",
            path: "/",
            query: "Action=GetCallerIdentity&Version=2011-06-15",
            headers: &headers,
            payload: Payload::Unsigned,
        };
        let pre = sigv4::presign(&req, &params, Duration::from_secs(60)).unwrap();
        assert!(pre.canonical_request().ends_with("UNSIGNED-PAYLOAD"));
        let v = verify_with("GET", "/", pre.query(), &received, b"", now).unwrap();
        assert_eq!(v.session_token.as_deref(), token);
        // Still bound to everything else it signs.
        let tampered = pre
            .query()
            .replace("GetCallerIdentity", "GetCallerIdentitx");
        assert!(verify_with("GET", "/", &tampered, &received, b"", now).is_err());
    }
}
