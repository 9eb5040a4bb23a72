//! The client against a server that misbehaves on purpose: which failures
//! are retried, which surface at once and with what, the retry quota, read
//! timeouts, clock-skew correction, and that what is sent is signed right.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use awssts::credentials::Credentials;
use awssts::model::ServiceErrorKind;
use awssts::retry::RetryConfig;
use awssts::transport::{TransportConfig, TransportErrorKind};
use awssts::{Client, ErrorKind};
use support::stub::{Recorded, Reply, Stub};

const ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn gci_ok() -> Reply {
    Reply::xml(
        200,
        r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::123456789012:user/alice</Arn>
    <UserId>AIDAEXAMPLEALICE</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>xml-request-id</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"#,
    )
}

fn error_reply(status: u16, code: &str, message: &str) -> Reply {
    Reply::xml(
        status,
        format!(
            r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>
  <RequestId>err-{code}</RequestId>
</ErrorResponse>"#
        ),
    )
}

fn client(stub: &Stub, retry: RetryConfig, transport: TransportConfig) -> Client {
    Client::builder()
        .env(awssts::env::Env::from_vars(std::iter::empty::<(
            String,
            String,
        )>()))
        .region("us-east-1")
        .endpoint_url(&stub.url)
        .credentials(Credentials::from_keys(ACCESS_KEY, SECRET))
        .retry(retry)
        .transport_config(transport)
        .build()
        .unwrap()
}

/// A client with temporary credentials: key `ASIAEXAMPLE` and `token`.
fn session_client(stub: &Stub, region: &str, token: &str) -> Client {
    Client::builder()
        .env(awssts::env::Env::from_vars(std::iter::empty::<(
            String,
            String,
        )>()))
        .region(region)
        .endpoint_url(&stub.url)
        .credentials(Credentials::new(
            "ASIAEXAMPLE",
            SECRET,
            Some(token.into()),
            None,
            "test",
        ))
        .build()
        .unwrap()
}

fn fast_retries(attempts: u32) -> RetryConfig {
    RetryConfig::default()
        .with_max_attempts(attempts)
        .with_initial_backoff(Duration::from_millis(1))
}

fn short_timeouts() -> TransportConfig {
    TransportConfig::default().read_timeout(Some(Duration::from_millis(300)))
}

#[tokio::test]
async fn each_retryable_fault_is_retried_then_succeeds() {
    let faults: Vec<(&str, Reply)> = vec![
        (
            "HTML 503 page",
            Reply::Respond {
                status: 503,
                headers: vec![("content-type".into(), "text/html".into())],
                body: b"<!DOCTYPE html><html><body>Service Unavailable</body></html>".to_vec(),
            },
        ),
        (
            "Throttling",
            error_reply(400, "Throttling", "Rate exceeded"),
        ),
        (
            "429",
            error_reply(429, "TooManyRequestsException", "slow down"),
        ),
        (
            "500 InternalFailure",
            error_reply(500, "InternalFailure", "oops"),
        ),
        ("502 empty", Reply::xml(502, "")),
        ("504", Reply::xml(504, "gateway timeout")),
        (
            "RequestTimeout",
            error_reply(400, "RequestTimeout", "took too long"),
        ),
        ("connection closed", Reply::Close),
        (
            "stalled body",
            Reply::StallMidBody {
                body: vec![b'x'; 64],
                stall: Duration::from_secs(3),
            },
        ),
    ];
    for (name, fault) in faults {
        let stub = Stub::start(move |_, i| if i == 0 { fault.clone() } else { gci_ok() });
        let c = client(&stub, fast_retries(3), short_timeouts());
        let out = c
            .get_caller_identity()
            .send()
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            out.arn.as_deref(),
            Some("arn:aws:iam::123456789012:user/alice"),
            "{name}"
        );
        assert_eq!(out.metadata.attempts, 2, "{name}");
        assert_eq!(
            out.metadata.request_id.as_deref(),
            Some("xml-request-id"),
            "{name}"
        );
        assert_eq!(stub.requests().len(), 2, "{name}");
    }
}

#[tokio::test]
async fn non_retryable_errors_surface_at_once_with_their_metadata() {
    let stub = Stub::start(|_, _| {
        error_reply(403, "AccessDenied", "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole")
            .with_header("x-amzn-RequestId", "hdr-request-id")
            .with_header("x-amz-id-2", "extended-id")
            .with_header("x-amz-cf-id", "cloudfront-id")
    });
    let c = client(&stub, fast_retries(3), short_timeouts());
    let err = c
        .assume_role()
        .role_arn("arn:aws:iam::123456789012:role/demo")
        .role_session_name("s1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(stub.requests().len(), 1, "not retried");
    assert_eq!(err.operation(), "AssumeRole");
    assert_eq!(err.code(), Some("AccessDenied"));
    assert_eq!(err.status(), Some(403));
    assert_eq!(err.request_id(), Some("hdr-request-id"));
    let m = err.metadata();
    assert_eq!(m.extended_request_id.as_deref(), Some("extended-id"));
    assert_eq!(m.cf_id.as_deref(), Some("cloudfront-id"));
    assert_eq!(m.attempts, 1);
    let svc = err.service_error().unwrap();
    assert_eq!(svc.kind(), &ServiceErrorKind::Unmodeled);
    assert!(svc.message().unwrap().contains("not authorized"));
    let shown = err.to_string();
    for part in [
        "AssumeRole",
        "AccessDenied",
        "not authorized",
        "HTTP 403",
        "hdr-request-id",
        "1 attempt",
    ] {
        assert!(shown.contains(part), "{part:?} missing from {shown}");
    }
    assert!(!shown.contains('\n'), "one line: {shown}");
    assert!(std::error::Error::source(&err).is_some());
}

#[tokio::test]
async fn modeled_errors_are_typed_and_not_retried() {
    let stub = Stub::start(|_, _| error_reply(400, "MalformedPolicyDocument", "bad policy"));
    let c = client(&stub, fast_retries(3), short_timeouts());
    let err = c
        .assume_role()
        .role_arn("arn:aws:iam::123456789012:role/demo")
        .role_session_name("s1")
        .policy("{}")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.service_error().unwrap().kind(),
        &ServiceErrorKind::MalformedPolicyDocument
    );
    assert_eq!(
        err.request_id(),
        Some("err-MalformedPolicyDocument"),
        "XML RequestId used"
    );
    assert_eq!(stub.requests().len(), 1);
}

#[tokio::test]
async fn retries_stop_at_max_attempts_and_say_so() {
    let stub = Stub::start(|_, _| error_reply(503, "ServiceUnavailable", "down"));
    let c = client(&stub, fast_retries(4), short_timeouts());
    let err = c.get_caller_identity().send().await.unwrap_err();
    assert_eq!(stub.requests().len(), 4);
    assert_eq!(err.metadata().attempts, 4);
    assert!(err.to_string().contains("4 attempts"), "{err}");
}

#[tokio::test]
async fn the_retry_quota_runs_out_against_a_broken_endpoint() {
    let stub = Stub::start(|_, _| error_reply(503, "ServiceUnavailable", "down"));
    let c = client(&stub, fast_retries(10), short_timeouts());
    let mut exhausted_after = None;
    // 500 tokens at 5 per retry: about 100 retries, so well within 30 calls.
    for call in 0..30 {
        let err = c.get_caller_identity().send().await.unwrap_err();
        if err.retry_quota_exhausted() {
            assert!(err.to_string().contains("retry quota exhausted"), "{err}");
            exhausted_after = Some(call);
            break;
        }
    }
    let calls = exhausted_after.expect("the quota never ran out") + 1;
    // Once exhausted, a failing call is not retried at all.
    let before = stub.requests().len();
    let err = c.get_caller_identity().send().await.unwrap_err();
    assert!(err.retry_quota_exhausted());
    assert_eq!(stub.requests().len(), before + 1);
    assert!(before < calls * 10, "the quota limited the retries");
}

#[tokio::test]
async fn a_stalled_body_times_out() {
    let stub = Stub::start(|_, _| Reply::StallMidBody {
        body: vec![b'x'; 128],
        stall: Duration::from_secs(5),
    });
    let c = client(&stub, RetryConfig::disabled(), short_timeouts());
    let err = c.get_caller_identity().send().await.unwrap_err();
    match err.kind() {
        ErrorKind::Transport(t) => assert_eq!(t.kind(), TransportErrorKind::ReadTimeout, "{t}"),
        other => panic!("expected a read timeout, got {other:?}"),
    }
    assert!(err.to_string().contains("GetCallerIdentity"), "{err}");
}

#[tokio::test]
async fn bodies_that_are_not_sts_responses_are_reported_with_an_excerpt() {
    let stub = Stub::start(|_, _| {
        Reply::xml(
            200,
            "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws",
        )
    });
    let c = client(&stub, fast_retries(3), short_timeouts());
    let err = c.get_caller_identity().send().await.unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Response { status: 200, .. }),
        "{err:?}"
    );
    assert_eq!(stub.requests().len(), 1, "a bad 200 body is not retried");
    let shown = err.to_string();
    assert!(
        shown.contains("HTTP 200") && shown.contains("GetCallerIdentityResponse"),
        "{shown}"
    );
}

fn amz_date_secs(r: &Recorded) -> u64 {
    let d = r.header("x-amz-date").unwrap();
    awssts::sigv4::AmzDate::parse(d).unwrap().unix_seconds()
}

fn http_date(t: SystemTime) -> String {
    awssts::DateTime::from_system_time(t).to_http_date()
}

#[tokio::test]
async fn a_skewed_clock_is_corrected_from_the_service_date() {
    let ahead = Duration::from_secs(20 * 60);
    let stub = Stub::start(move |r, _| {
        let server_now = SystemTime::now() + ahead;
        let server_secs = server_now.duration_since(UNIX_EPOCH).unwrap().as_secs();
        if server_secs.abs_diff(amz_date_secs(r)) > 300 {
            error_reply(
                403,
                "SignatureDoesNotMatch",
                "Signature expired: is now earlier than ...",
            )
            .with_header("date", &http_date(server_now))
        } else {
            gci_ok()
        }
    });
    let c = client(&stub, fast_retries(3), short_timeouts());
    let out = c.get_caller_identity().send().await.unwrap();
    assert_eq!(out.metadata.attempts, 2);
    let offset = c.clock_offset_millis();
    assert!(
        (19 * 60_000..=21 * 60_000).contains(&offset),
        "offset {offset} ms"
    );
    // Later calls are signed with the corrected clock from the start.
    let out = c.get_caller_identity().send().await.unwrap();
    assert_eq!(out.metadata.attempts, 1);
}

#[tokio::test]
async fn a_signature_error_without_skew_is_not_retried() {
    let stub = Stub::start(|_, _| {
        error_reply(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match",
        )
        .with_header("date", &http_date(SystemTime::now()))
    });
    let c = client(&stub, fast_retries(3), short_timeouts());
    let err = c.get_caller_identity().send().await.unwrap_err();
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"));
    assert_eq!(stub.requests().len(), 1);
    assert_eq!(c.clock_offset_millis(), 0);
}

#[tokio::test]
async fn requests_are_signed_so_a_verifier_accepts_them() {
    use awssts::sigv4::{VerifyOptions, VerifyRequest, verify};
    let stub = Stub::start(|_, _| gci_ok());
    let c = session_client(&stub, "eu-west-1", "session-token-value");
    c.get_caller_identity().send().await.unwrap();
    let r = &stub.requests()[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.param("Action").as_deref(), Some("GetCallerIdentity"));
    assert_eq!(r.param("Version").as_deref(), Some("2011-06-15"));
    assert_eq!(
        r.header("x-amz-security-token"),
        Some("session-token-value")
    );
    let headers: Vec<(&str, &str)> = r
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let req = VerifyRequest {
        method: &r.method,
        path: "/",
        query: "",
        headers: &headers,
        body: &r.body,
    };
    let verified = verify(
        &req,
        |key| (key == "ASIAEXAMPLE").then(|| SECRET.to_owned()),
        SystemTime::now(),
        &VerifyOptions::default(),
    )
    .unwrap();
    assert_eq!(verified.scope.region, "eu-west-1");
    assert_eq!(verified.scope.service, "sts");
    // The head the client writes itself: every field once, in this order.
    let names: Vec<&str> = headers.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "host",
            "content-type",
            "user-agent",
            "x-amz-security-token",
            "x-amz-date",
            "authorization",
            "content-length"
        ]
    );
    assert_eq!(
        r.header("content-length"),
        Some(r.body.len().to_string().as_str())
    );
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded; charset=utf-8")
    );
}

#[tokio::test]
async fn a_session_token_that_cannot_be_a_header_is_refused_before_any_io() {
    let stub = Stub::start(|_, _| gci_ok());
    // A folded line passes the signer's header rules but is no field
    // value; a control byte is refused by the signer already.
    for (token, by_signer) in [("line\r\n folded", false), ("bell\u{7}", true)] {
        let c = session_client(&stub, "us-east-1", token);
        let err = c.get_caller_identity().send().await.unwrap_err();
        let refused_by_signer = match err.kind() {
            ErrorKind::Signing(_) => true,
            ErrorKind::Credentials(_) => false,
            other => panic!("{token:?}: {other:?}"),
        };
        assert_eq!(refused_by_signer, by_signer, "{token:?}: {err:?}");
    }
    assert!(stub.requests().is_empty());
}

#[tokio::test]
async fn web_identity_is_sent_unsigned_and_needs_no_credentials() {
    let stub = Stub::start(|_, _| error_reply(400, "InvalidIdentityToken", "bad token"));
    let c = Client::builder()
        .env(awssts::env::Env::from_vars(std::iter::empty::<(
            String,
            String,
        )>()))
        .region("us-east-1")
        .endpoint_url(&stub.url)
        .retry(fast_retries(3))
        .build()
        .unwrap();
    let err = c
        .assume_role_with_web_identity()
        .role_arn("arn:aws:iam::123456789012:role/web")
        .role_session_name("pod")
        .web_identity_token("eyJhbGciOiJSUzI1NiJ9.e30.c2ln")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.service_error().unwrap().kind(),
        &ServiceErrorKind::InvalidIdentityToken
    );
    let r = &stub.requests()[0];
    assert_eq!(r.header("authorization"), None);
    let names: Vec<&str> = r.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["host", "content-type", "user-agent", "content-length"]
    );
    assert!(
        !err.to_string().contains("eyJhbGci"),
        "token not echoed: {err}"
    );
    // Without credentials, a signed operation fails before any I/O.
    let err = c.get_caller_identity().send().await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Credentials(_)), "{err:?}");
    assert_eq!(stub.requests().len(), 1);
}

#[tokio::test]
async fn invalid_input_is_refused_before_any_io() {
    let stub = Stub::start(|_, _| gci_ok());
    let c = client(&stub, fast_retries(3), short_timeouts());
    let err = c
        .assume_role()
        .role_arn("arn:aws:iam::123456789012:role/demo")
        .role_session_name("has space")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Validation(_)), "{err:?}");
    let shown = err.to_string();
    assert!(
        shown.contains("RoleSessionName") && shown.contains("AssumeRole"),
        "{shown}"
    );
    assert_eq!(stub.requests().len(), 0);
}

#[test]
fn the_blocking_client_has_the_same_surface() {
    let stub = Stub::start(|_, _| gci_ok());
    let c = Client::builder()
        .env(awssts::env::Env::from_vars(std::iter::empty::<(
            String,
            String,
        )>()))
        .region("us-east-1")
        .endpoint_url(&stub.url)
        .credentials(Credentials::from_keys(ACCESS_KEY, SECRET))
        .build_blocking()
        .unwrap();
    for _ in 0..3 {
        let out = c.get_caller_identity().send().unwrap();
        assert_eq!(out.account.as_deref(), Some("123456789012"));
    }
    assert_eq!(
        stub.connections(),
        1,
        "the pool is kept between blocking calls"
    );
    // Used from inside a runtime it refuses instead of deadlocking.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = rt
        .block_on(async { c.get_caller_identity().send() })
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Runtime(_)), "{err:?}");
}

#[test]
fn clients_are_cheap_to_share_across_threads() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Client>();
    assert_send_sync::<awssts::blocking::Client>();
}

#[tokio::test]
async fn adaptive_mode_retries_throttling_and_keeps_serving() {
    use awssts::retry::RetryMode;
    let stub = Stub::start(|_, i| {
        if i == 1 {
            error_reply(400, "Throttling", "Rate exceeded")
        } else {
            gci_ok()
        }
    });
    let c = client(
        &stub,
        fast_retries(3).with_mode(RetryMode::Adaptive),
        short_timeouts(),
    );
    // The second request is throttled: the call retries and succeeds, and
    // later calls go through the (now active) client-side limiter.
    let attempts: Vec<u32> = {
        let mut v = Vec::new();
        for _ in 0..3 {
            v.push(
                c.get_caller_identity()
                    .send()
                    .await
                    .unwrap()
                    .metadata
                    .attempts,
            );
        }
        v
    };
    assert_eq!(attempts, [1, 2, 1]);
    assert_eq!(stub.requests().len(), 4);
}
