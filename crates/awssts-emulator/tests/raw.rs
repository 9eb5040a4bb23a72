//! Requests written by hand: malformed ones get STS's error XML with the
//! right status on a connection that stays usable; signed ones refused the
//! moment any signed byte changes; presigned (EKS-style) URLs; STS's exact
//! validation texts; the admin endpoint.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, SystemTime};

use awssts::sigv4::{self, Payload, SignableRequest, SigningParams};
use awssts_emulator::{DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, Emulator, MAX_BODY_BYTES};
use support::*;

fn form_head(raw: &Raw, method: &str, target: &str) -> String {
    format!(
        "{method} {target} HTTP/1.1\r\nhost: {}\r\ncontent-type: application/x-www-form-urlencoded",
        raw.host()
    )
}

fn assert_sts_error(r: &RawResponse, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(r.code(), code, "{}", r.body);
    assert!(r.body.contains("<Type>Sender</Type>"), "{}", r.body);
    let id = r
        .header("x-amzn-requestid")
        .expect("x-amzn-RequestId header");
    assert!(
        r.body.contains(&format!("<RequestId>{id}</RequestId>")),
        "{}",
        r.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_sts_errors_on_a_live_connection() {
    let emu = start().await;
    let mut raw = Raw::connect(&emu).await;
    let cases: [(&str, &str, &[u8], u16, &str); 8] = [
        (
            "POST",
            "/",
            b"Action=GetCallerIdentity&Version=2011-06-15&X=%zz",
            400,
            "MalformedQueryString",
        ),
        (
            "POST",
            "/",
            b"Action=GetCallerIdentity&Version=2011-06-15&X=%FF%FE",
            400,
            "MalformedQueryString",
        ),
        ("POST", "/", b"Version=2011-06-15", 400, "MissingAction"),
        (
            "POST",
            "/",
            b"Action=DoSomethingElse&Version=2011-06-15",
            400,
            "InvalidAction",
        ),
        (
            "POST",
            "/",
            b"Action=GetCallerIdentity",
            400,
            "MissingParameter",
        ),
        (
            "GET",
            "/?Action=GetCallerIdentity&Version=2011-06-15",
            b"",
            403,
            "MissingAuthenticationToken",
        ),
        (
            "POST",
            "/",
            b"Action=GetCallerIdentity&Version=2011-06-15",
            403,
            "MissingAuthenticationToken",
        ),
        ("DELETE", "/", b"", 405, "InvalidHttpRequest"),
    ];
    for (method, target, body, status, code) in cases {
        let head = form_head(&raw, method, target);
        let r = raw.send(&head, body).await;
        assert_sts_error(&r, status, code);
    }
    let r = raw
        .send(
            &form_head(&raw, "POST", "/"),
            b"Action=DoSomethingElse&Version=2011-06-15",
        )
        .await;
    assert_eq!(
        r.message(),
        "Could not find operation DoSomethingElse for version 2011-06-15"
    );

    // A body over the limit: 413, and the connection still answers.
    let huge = vec![b'a'; MAX_BODY_BYTES + 1];
    let r = raw.send(&form_head(&raw, "POST", "/"), &huge).await;
    assert_sts_error(&r, 413, "RequestEntityTooLarge");
    let r = post_signed(&mut raw, "Action=GetCallerIdentity&Version=2011-06-15").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body
            .contains("<Arn>arn:aws:iam::123456789012:user/emulator</Arn>")
    );

    // GET with the parameters in a signed query works like POST.
    let now = SystemTime::now();
    let host = raw.host().to_owned();
    let headers = [("host", host.as_str())];
    let query = "Action=GetCallerIdentity&Version=2011-06-15";
    let req = SignableRequest {
        method: "GET",
        path: "/",
        query,
        headers: &headers,
        payload: Payload::Bytes(b""),
    };
    let params = SigningParams::new(
        DEFAULT_ACCESS_KEY_ID,
        DEFAULT_SECRET_ACCESS_KEY,
        "eu-west-1",
        "sts",
        now,
    );
    let signed = sigv4::sign(&req, &params).unwrap();
    let mut head = format!("GET /?{query} HTTP/1.1\r\nhost: {host}");
    for (n, v) in signed.headers() {
        head.push_str(&format!("\r\n{n}: {v}"));
    }
    let r = raw.send(&head, b"").await;
    assert_eq!(r.status, 200, "{}", r.body);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_errors_use_sts_text() {
    let emu = start().await;
    let mut raw = Raw::connect(&emu).await;
    let (code, message, status) =
        recorded_error("test_sts_invalid_parameters", "invalid-session-name");
    let r = post_signed(
        &mut raw,
        "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=Session1%3A2",
    )
    .await;
    assert_eq!((r.status, r.code(), r.message()), (status, code, message));

    // Every recorded malformed-ARN message, including ARNs too short for the
    // client to send.
    let all = recorded();
    let (_, entry) = all
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, _)| k.ends_with("test_sts_invalid_parameters"))
        .unwrap();
    let mut checked = 0;
    for (name, e) in entry["recorded-content"].as_object().unwrap() {
        let message = e["Error"]["Message"].as_str().unwrap();
        let Some(arn) = message.strip_suffix(" is invalid") else {
            continue;
        };
        let mut body = b"Action=AssumeRole&Version=2011-06-15&RoleSessionName=ss&RoleArn=".to_vec();
        body.extend_from_slice(enc(arn).as_bytes());
        let r = post_signed(&mut raw, std::str::from_utf8(&body).unwrap()).await;
        if arn.chars().count() < 20 {
            // The model's length rule comes first, as in STS.
            assert_eq!(r.code(), "ValidationError", "{name}");
            assert!(
                r.message()
                    .contains("Member must have length greater than or equal to 20"),
                "{}",
                r.message()
            );
        } else {
            assert_eq!(
                (r.status, r.code(), r.message()),
                (400, "ValidationError".to_owned(), message.to_owned()),
                "{name}"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 5);

    let r = post_signed(
        &mut raw,
        "Action=AssumeRole&Version=2011-06-15&RoleSessionName=ss",
    )
    .await;
    assert_eq!(
        r.message(),
        "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null"
    );
    let r = post_signed(
        &mut raw,
        "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=ss&DurationSeconds=60",
    )
    .await;
    assert_eq!(
        r.message(),
        "1 validation error detected: Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"
    );
    let r = post_signed(
        &mut raw,
        "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=ss&Tags.member.1.Key=a%21&Tags.member.1.Value=v",
    )
    .await;
    assert!(
        r.message().starts_with("1 validation error detected: Value 'a!' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: "),
        "{}",
        r.message()
    );
    // Secrets are never echoed.
    let r = post_signed(
        &mut raw,
        "Action=GetSessionToken&Version=2011-06-15&SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Fx&TokenCode=12a456",
    )
    .await;
    assert_eq!(r.code(), "ValidationError");
    assert!(!r.message().contains("12a456"), "{}", r.message());
    assert!(r.message().contains("at 'tokenCode'"), "{}", r.message());
    emu.shutdown().await;
}

/// Percent-encodes all but RFC 3986's unreserved characters.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Flips one byte to another character of the same class, so the request
/// stays well-formed where possible.
fn flip(b: u8) -> u8 {
    match b {
        b'0'..=b'8' | b'a'..=b'y' | b'A'..=b'Y' => b + 1,
        b'9' => b'0',
        b'z' => b'a',
        b'Z' => b'A',
        b'=' => b'-',
        _ => b'x',
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_request_is_always_refused() {
    let emu = start().await;
    let mut raw = Raw::connect(&emu).await;
    let host = raw.host().to_owned();
    let body = b"Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=tamper";
    let signed = sign_post(
        &host,
        body,
        DEFAULT_ACCESS_KEY_ID,
        DEFAULT_SECRET_ACCESS_KEY,
        None,
        SystemTime::now(),
    );
    let r = raw.send(&signed.head(), &signed.body).await;
    assert_eq!(r.status, 200, "untampered: {}", r.body);

    // Every byte of the body.
    for i in 0..body.len() {
        let mut b = signed.body.clone();
        b[i] = flip(b[i]);
        let r = raw.send(&signed.head(), &b).await;
        assert_ne!(r.status, 200, "body byte {i} changed and still accepted");
        assert!(
            r.status >= 400 && r.status < 500,
            "body byte {i}: {}",
            r.status
        );
    }
    // Every byte of the signed header values but the Authorization header's
    // own (changing the signature or key id is covered below), bounded.
    let mut changed = 0;
    for (h, (name, value)) in signed.headers.iter().enumerate() {
        if name.eq_ignore_ascii_case("authorization") || name.eq_ignore_ascii_case("host") {
            continue;
        }
        for i in 0..value.len().min(64) {
            let mut headers = signed.headers.clone();
            let mut v = value.clone().into_bytes();
            v[i] = flip(v[i]);
            headers[h].1 = String::from_utf8(v).unwrap();
            let s = Signed {
                headers,
                body: signed.body.clone(),
            };
            let r = raw.send(&s.head(), &s.body).await;
            assert_ne!(
                r.status, 200,
                "header {name} byte {i} changed and still accepted"
            );
            changed += 1;
        }
    }
    assert!(changed > 20);
    // The signature and key id in the Authorization header.
    let auth = signed
        .headers
        .iter()
        .position(|(n, _)| n == "Authorization")
        .unwrap();
    let value = &signed.headers[auth].1;
    for i in (0..value.len()).step_by(3) {
        let mut headers = signed.headers.clone();
        let mut v = value.clone().into_bytes();
        v[i] = flip(v[i]);
        headers[auth].1 = String::from_utf8(v).unwrap();
        let s = Signed {
            headers,
            body: signed.body.clone(),
        };
        let r = raw.send(&s.head(), &s.body).await;
        assert_ne!(
            r.status, 200,
            "Authorization byte {i} changed and still accepted"
        );
    }

    // A signed GET query: every byte of the query.
    let query = "Action=GetCallerIdentity&Version=2011-06-15&Extra=abc";
    let headers = [("host", host.as_str())];
    let req = SignableRequest {
        method: "GET",
        path: "/",
        query,
        headers: &headers,
        payload: Payload::Bytes(b""),
    };
    let params = SigningParams::new(
        DEFAULT_ACCESS_KEY_ID,
        DEFAULT_SECRET_ACCESS_KEY,
        "us-east-1",
        "sts",
        SystemTime::now(),
    );
    let out = sigv4::sign(&req, &params).unwrap();
    let extra: String = out
        .headers()
        .map(|(n, v)| format!("\r\n{n}: {v}"))
        .collect();
    let r = raw
        .send(
            &format!("GET /?{query} HTTP/1.1\r\nhost: {host}{extra}"),
            b"",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    for i in 0..query.len() {
        let mut q = query.as_bytes().to_vec();
        q[i] = flip(q[i]);
        let q = String::from_utf8(q).unwrap();
        let r = raw
            .send(&format!("GET /?{q} HTTP/1.1\r\nhost: {host}{extra}"), b"")
            .await;
        assert_ne!(
            r.status, 200,
            "query byte {i} changed and still accepted: {q}"
        );
    }
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presigned_eks_style_urls_verify() {
    let emu = start().await;
    let mut raw = Raw::connect(&emu).await;
    let host = raw.host().to_owned();
    let headers = [("host", host.as_str()), ("x-k8s-aws-id", "my-cluster")];
    let req = SignableRequest {
        method: "GET",
        path: "/",
        query: "Action=GetCallerIdentity&Version=2011-06-15",
        headers: &headers,
        payload: Payload::Bytes(b""),
    };
    let params = SigningParams::new(
        DEFAULT_ACCESS_KEY_ID,
        DEFAULT_SECRET_ACCESS_KEY,
        "us-east-1",
        "sts",
        SystemTime::now(),
    );
    let url = sigv4::presign(&req, &params, Duration::from_secs(60)).unwrap();
    let r = raw
        .send(
            &format!(
                "GET /?{} HTTP/1.1\r\nhost: {host}\r\nx-k8s-aws-id: my-cluster",
                url.query()
            ),
            b"",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body
            .contains("<Arn>arn:aws:iam::123456789012:user/emulator</Arn>")
    );
    // Another cluster name: refused.
    let r = raw
        .send(
            &format!(
                "GET /?{} HTTP/1.1\r\nhost: {host}\r\nx-k8s-aws-id: other",
                url.query()
            ),
            b"",
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (403, "SignatureDoesNotMatch")
    );
    // Expired: the emulator's clock moves past the URL's lifetime.
    emu.clock().advance(Duration::from_secs(120));
    let r = raw
        .send(
            &format!(
                "GET /?{} HTTP/1.1\r\nhost: {host}\r\nx-k8s-aws-id: my-cluster",
                url.query()
            ),
            b"",
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_endpoint_drives_faults_and_clock() {
    let off = start().await;
    let mut raw = Raw::connect(&off).await;
    let r = raw
        .send(
            &format!("GET /_awssts/state HTTP/1.1\r\nhost: {}", raw.host()),
            b"",
        )
        .await;
    assert_eq!(r.status, 404);
    assert!(r.body.contains("admin endpoint is off"), "{}", r.body);
    off.shutdown().await;

    let emu = Emulator::new().admin(true).start().await.unwrap();
    let mut raw = Raw::connect(&emu).await;
    let host = raw.host().to_owned();
    let json_head = |method: &str, path: &str| {
        format!("{method} {path} HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json")
    };
    let r = raw
        .send(&json_head("POST", "/_awssts/faults"), br#"[{"kind":"throttling","count":2,"operation":"GetCallerIdentity"},{"kind":"service_unavailable"}]"#)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(emu.faults().list().len(), 2);
    let r = post_signed(&mut raw, "Action=GetCallerIdentity&Version=2011-06-15").await;
    assert_sts_error(&r, 400, "Throttling");
    assert_eq!(r.message(), "Rate exceeded");
    let r = raw.send(&json_head("GET", "/_awssts/faults"), b"").await;
    let listed: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(listed[0]["count"], 1);
    let r = raw.send(&json_head("DELETE", "/_awssts/faults"), b"").await;
    assert_eq!(r.status, 200);
    assert!(emu.faults().list().is_empty());

    let r = raw
        .send(
            &json_head("POST", "/_awssts/clock/advance"),
            br#"{"seconds":3600}"#,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(emu.clock().offset(), Duration::from_secs(3600));
    let state: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(state["clock_offset_seconds"], 3600);

    let r = raw
        .send(
            &json_head("POST", "/_awssts/faults"),
            br#"{"kind":"nonsense"}"#,
        )
        .await;
    assert_eq!(r.status, 400);
    let r = raw
        .send(&json_head("POST", "/_awssts/authorization-message"), br#"{"principal_arn":"arn:aws:iam::123456789012:user/emulator","action":"s3:ListBucket"}"#)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = raw
        .send(
            &json_head("POST", "/_awssts/trade-in-token"),
            br#"{"principal_arn":"arn:aws:iam::123456789012:user/emulator"}"#,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("trade_in_token"));

    // A misspelt operation would never fire: refused, with the names.
    let r = raw
        .send(
            &json_head("POST", "/_awssts/faults"),
            br#"[{"kind":"throttling"},{"kind":"throttling","operation":"GetCallerIdentiy"}]"#,
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body.contains("GetCallerIdentiy") && r.body.contains("GetCallerIdentity"),
        "{}",
        r.body
    );
    assert!(emu.faults().list().is_empty());
    // Known routes answer other methods with 405.
    for path in [
        "/_awssts/state",
        "/_awssts/clock/advance",
        "/_awssts/authorization-message",
        "/_awssts/trade-in-token",
    ] {
        let method = if path == "/_awssts/state" {
            "POST"
        } else {
            "GET"
        };
        let r = raw.send(&json_head(method, path), b"").await;
        assert_eq!(r.status, 405, "{method} {path}: {}", r.body);
    }
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_and_stalled_bodies_on_the_wire() {
    let emu = Emulator::new()
        .stall_limit(Duration::from_millis(200))
        .start()
        .await
        .unwrap();
    emu.faults().push(awssts_emulator::Fault::new(
        awssts_emulator::FaultKind::TruncatedBody,
    ));
    let mut raw = Raw::connect(&emu).await;
    let s = sign_post(
        raw.host(),
        b"Action=GetCallerIdentity&Version=2011-06-15",
        DEFAULT_ACCESS_KEY_ID,
        DEFAULT_SECRET_ACCESS_KEY,
        None,
        SystemTime::now(),
    );
    let mut req = s.head().into_bytes();
    req.extend_from_slice(format!("\r\ncontent-length: {}\r\n\r\n", s.body.len()).as_bytes());
    req.extend_from_slice(&s.body);
    let text = send_and_read_to_close(&emu, &req).await;
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("{text:?}"));
    let promised: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(body.len() < promised, "{} of {promised}", body.len());

    // A stall sends the headers, then nothing until the limit, then closes.
    emu.faults().push(awssts_emulator::Fault::new(
        awssts_emulator::FaultKind::Stall,
    ));
    let text = send_and_read_to_close(&emu, &req).await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.ends_with("\r\n\r\n"), "no body bytes: {text}");
    // And the emulator carries on.
    let r = post_signed(&mut raw, "Action=GetCallerIdentity&Version=2011-06-15").await;
    assert_eq!(r.status, 200);
    emu.shutdown().await;
}

async fn send_and_read_to_close(emu: &awssts_emulator::RunningEmulator, req: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(emu.addr()).await.unwrap();
    stream.write_all(req).await.unwrap();
    let mut out = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
            .await
            .expect("closed within 10 s")
        {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&chunk[..n]),
        }
    }
    String::from_utf8(out).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clock_cannot_leave_four_digit_years() {
    let emu = Emulator::new().admin(true).start().await.unwrap();
    let mut raw = Raw::connect(&emu).await;
    let head = format!(
        "POST /_awssts/clock/advance HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json",
        raw.host()
    );
    let r = raw
        .send(&head, br#"{"seconds":18446744073709551615}"#)
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("seconds"), "{}", r.body);
    assert_eq!(emu.clock().offset(), Duration::ZERO);

    // Steps that each fit stop at the cap together.
    let max = awssts_emulator::Clock::MAX_OFFSET.as_secs();
    for _ in 0..2 {
        let r = raw
            .send(&head, format!(r#"{{"seconds":{max}}}"#).as_bytes())
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    emu.clock().advance(Duration::MAX);
    assert_eq!(emu.clock().offset(), awssts_emulator::Clock::MAX_OFFSET);

    // Requests signed at the emulator's time still verify, and what it
    // issues expires in a year STS could write.
    let s = sign_post(
        raw.host(),
        b"Action=GetSessionToken&Version=2011-06-15&DurationSeconds=43200",
        DEFAULT_ACCESS_KEY_ID,
        DEFAULT_SECRET_ACCESS_KEY,
        None,
        emu.clock().now(),
    );
    let r = raw.send(&s.head(), &s.body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let expiration = r
        .body
        .split_once("<Expiration>")
        .and_then(|(_, rest)| rest.split_once("</Expiration>"))
        .map(|(e, _)| e)
        .unwrap();
    awssts::DateTime::parse(expiration).unwrap_or_else(|e| panic!("{expiration}: {e}"));
    assert_eq!(expiration.find('-'), Some(4), "{expiration}");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_bodies_too_large_to_drain_close_the_connection() {
    let emu = Emulator::new().admin(true).start().await.unwrap();
    let host = emu.addr().to_string();
    for path in ["/", "/_awssts/faults"] {
        let req = format!(
            "POST {path} HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{{",
            64 * 1024 * 1024
        );
        let text = send_and_read_to_close(&emu, req.as_bytes()).await;
        assert!(text.starts_with("HTTP/1.1 413"), "{path}: {text}");
        let head = text.split_once("\r\n\r\n").unwrap().0.to_ascii_lowercase();
        assert!(head.contains("\r\nconnection: close"), "{path}: {head}");
    }
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_stop_sending_are_disconnected() {
    let emu = Emulator::new()
        .admin(true)
        .read_timeout(Duration::from_millis(300))
        .start()
        .await
        .unwrap();
    let host = emu.addr().to_string();
    // Headers that never end: the connection is closed, with no response.
    let partial = format!("POST / HTTP/1.1\r\nhost: {host}\r\ncontent-type: applic");
    let text = send_and_read_to_close(&emu, partial.as_bytes()).await;
    assert!(!text.starts_with("HTTP/1.1 200"), "{text}");
    // A body shorter than its Content-Length: 408, and the connection ends.
    for path in ["/", "/_awssts/faults"] {
        let short = format!(
            "POST {path} HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\nAction="
        );
        let text = send_and_read_to_close(&emu, short.as_bytes()).await;
        assert!(text.starts_with("HTTP/1.1 408"), "{path}: {text}");
        let head = text.split_once("\r\n\r\n").unwrap().0.to_ascii_lowercase();
        assert!(head.contains("\r\nconnection: close"), "{path}: {head}");
    }
    let sts = send_and_read_to_close(
        &emu,
        format!("POST / HTTP/1.1\r\nhost: {host}\r\ncontent-length: 9\r\n\r\n").as_bytes(),
    )
    .await;
    assert!(sts.contains("<Code>RequestTimeout</Code>"), "{sts}");
    emu.shutdown().await;
}
