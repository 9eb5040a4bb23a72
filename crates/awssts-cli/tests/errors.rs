//! Exit codes and messages, as the AWS CLI v2 gives them: 252 for bad
//! arguments, 253 for bad configuration, 254 for an error from STS, 255 for
//! anything else.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::Sandbox;
use support::moto::Moto;

fn one_line(stderr: &str) {
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr:?}");
    assert!(stderr.starts_with("awssts: "), "{stderr:?}");
}

#[test]
fn bad_arguments_exit_252_with_one_line() {
    let sb = Sandbox::new();
    let cases: &[(&[&str], &str)] = &[
        (&["get-caller-identity", "--bogus"], "'--bogus'"),
        (
            &[
                "assume-role",
                "--role-arn",
                "arn:aws:iam::123456789012:role/r",
            ],
            "--role-session-name",
        ),
        (
            &[
                "assume-role",
                "--role-arn",
                "arn:aws:iam::123456789012:role/r",
                "--role-session-name",
                "s-1",
                "--tags",
                "Key=a,Colour=b",
            ],
            "Error parsing parameter '--tags': unknown key \"Colour\"",
        ),
        (
            &[
                "assume-role",
                "--role-arn",
                "arn:aws:iam::123456789012:role/r",
                "--role-session-name",
                "bad name",
            ],
            "RoleSessionName",
        ),
        (
            &["get-session-token", "--duration-seconds", "soon"],
            "'--duration-seconds'",
        ),
        (&["get-caller-identity", "--query", "Arn["], "--query"),
        (&["get-caller-identity", "--output", "yaml"], "yaml"),
        (&["get-caller-identity", "--output", "env"], "--output env"),
        (
            &["get-session-token", "--policy", "file:///no/such/file"],
            "'--policy'",
        ),
    ];
    for (args, needle) in cases {
        let out = sb.awssts(args);
        assert_eq!(out.code, 252, "{args:?}: {out:?}");
        assert_eq!(out.stdout, "", "{args:?}");
        one_line(&out.stderr);
        assert!(
            out.stderr.contains(needle),
            "{args:?}: {needle:?} in {:?}",
            out.stderr
        );
    }
    // A missing file is reported before anything is sent.
    let out = sb.awssts(&[
        "get-federation-token",
        "--name",
        "n",
        "--policy",
        "file:///no/such/file",
    ]);
    assert_eq!(out.code, 252, "{out:?}");
}

#[test]
fn bad_configuration_exits_253() {
    let sb = Sandbox::new();
    let out = sb.awssts(&["get-caller-identity", "--profile", "missing"]);
    assert_eq!(out.code, 253, "{out:?}");
    one_line(&out.stderr);
    assert!(out.stderr.contains("\"missing\""), "{}", out.stderr);

    sb.file(".aws/config", "[default\nregion = x\n");
    let out = sb.awssts(&["get-caller-identity"]);
    assert_eq!(out.code, 253, "malformed config: {out:?}");
    assert!(out.stderr.contains("config"), "{}", out.stderr);

    let mut sb = Sandbox::new();
    sb.var("AWS_DEFAULT_REGION", None);
    let out = sb.awssts(&["get-caller-identity"]);
    assert_eq!(out.code, 253, "no region: {out:?}");
    assert!(
        out.stderr.to_lowercase().contains("region"),
        "{}",
        out.stderr
    );

    let mut sb = Sandbox::new();
    sb.var("AWS_ACCESS_KEY_ID", None)
        .var("AWS_SECRET_ACCESS_KEY", None);
    let out = sb.awssts(&[
        "get-caller-identity",
        "--endpoint-url",
        "http://127.0.0.1:9",
    ]);
    assert_eq!(out.code, 253, "no credentials: {out:?}");
    one_line(&out.stderr);
    assert!(out.stderr.contains("credentials"), "{}", out.stderr);

    let sb = Sandbox::new();
    sb.file(".aws/config", "[default]\noutput = fancy\n");
    let out = sb.awssts(&["get-caller-identity"]);
    assert_eq!(out.code, 253, "unknown output format: {out:?}");
    assert!(out.stderr.contains("\"fancy\""), "{}", out.stderr);
}

/// A server that answers every request (at most `count`) with an STS
/// error, as STS words it.
fn error_server(count: usize) -> (String, std::thread::JoinHandle<()>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        for _ in 0..count {
            let Ok((mut conn, _)) = listener.accept() else {
                return;
            };
            conn.set_read_timeout(Some(std::time::Duration::from_secs(10)))
                .unwrap();
            // Read the head and the body its Content-Length announces.
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            loop {
                let n = conn.read(&mut chunk).unwrap_or(0);
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf).to_ascii_lowercase();
                if let Some(head_end) = text.find("\r\n\r\n") {
                    let len = text[..head_end]
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if buf.len() >= head_end + 4 + len {
                        break;
                    }
                }
            }
            let body = "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/dev is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/admin</Message></Error><RequestId>4a1c4a3e-0000-4000-8000-000000000000</RequestId></ErrorResponse>";
            let response = format!(
                "HTTP/1.1 403 Forbidden\r\nContent-Type: text/xml\r\nx-amzn-RequestId: 4a1c4a3e-0000-4000-8000-000000000000\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = conn.write_all(response.as_bytes());
        }
    });
    (url, handle)
}

#[test]
fn service_errors_exit_254_with_the_aws_clis_message() {
    let (url, server) = error_server(2);
    let sb = Sandbox::new();
    let args = [
        "--endpoint-url",
        url.as_str(),
        "assume-role",
        "--role-arn",
        "arn:aws:iam::123456789012:role/admin",
        "--role-session-name",
        "denied",
    ];
    let out = sb.awssts(&args);
    assert_eq!(out.code, 254, "{out:?}");
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "\nAn error occurred (AccessDenied) when calling the AssumeRole operation: User: \
         arn:aws:iam::123456789012:user/dev is not authorized to perform: sts:AssumeRole on \
         resource: arn:aws:iam::123456789012:role/admin\n"
    );
    let theirs = sb.aws(&args);
    assert_eq!(out.stderr, theirs.stderr, "same message as the AWS CLI");
    server.join().unwrap();
}

#[test]
fn connection_failures_exit_255_naming_the_endpoint() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let mut sb = Sandbox::new();
    sb.var("AWS_MAX_ATTEMPTS", Some("1"));
    let out = sb.awssts(&["get-caller-identity", "--endpoint-url", &url]);
    assert_eq!(out.code, 255, "{out:?}");
    one_line(&out.stderr);
    assert!(out.stderr.contains(&url), "{}", out.stderr);

    // A huge timeout is capped, not an overflow.
    let out = sb.awssts(&[
        "get-caller-identity",
        "--endpoint-url",
        &url,
        "--cli-connect-timeout",
        "1e19",
        "--cli-read-timeout",
        "1e19",
    ]);
    assert_eq!(out.code, 255, "{out:?}");
}

#[test]
fn debug_shows_request_ids_and_attempts_but_no_secrets() {
    let moto = Moto::start();
    let sb = Sandbox::new();
    let out = sb.awssts(&[
        "--debug",
        "--endpoint-url",
        &moto.url,
        "assume-role",
        "--role-arn",
        "arn:aws:iam::123456789012:role/r",
        "--role-session-name",
        "dbg",
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("request_id="), "{}", out.stderr);
    assert!(out.stderr.contains("attempts=1"), "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    for secret in [
        doc["Credentials"]["SecretAccessKey"].as_str().unwrap(),
        doc["Credentials"]["SessionToken"].as_str().unwrap(),
        support::SECRET_KEY,
    ] {
        assert!(!out.stderr.contains(secret), "secret in --debug output");
    }
}

#[test]
fn read_timeout_flag_bounds_the_wait_and_exits_255() {
    use std::io::Read;
    // A server that accepts and never answers; it lets go when the client
    // closes the connection (or after 30 s at most).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        conn.set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        let mut buf = [0u8; 4096];
        while matches!(conn.read(&mut buf), Ok(n) if n > 0) {}
    });
    let mut sb = Sandbox::new();
    sb.var("AWS_MAX_ATTEMPTS", Some("1"));
    let out = sb.awssts(&[
        "get-caller-identity",
        "--endpoint-url",
        &url,
        "--cli-read-timeout",
        "1",
        "--cli-connect-timeout",
        "0",
    ]);
    assert_eq!(out.code, 255, "{out:?}");
    one_line(&out.stderr);
    assert!(out.stderr.contains("read timeout"), "{}", out.stderr);
    assert!(out.stderr.contains(&url), "{}", out.stderr);
    server.join().unwrap();

    let out = sb.awssts(&["get-caller-identity", "--cli-read-timeout", "-1"]);
    assert_eq!(out.code, 252, "{out:?}");
}
