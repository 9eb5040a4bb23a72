//! `awssts serve` as a child process: the URL line, calls against it, the
//! admin switch, a clean exit on SIGTERM and SIGINT, and its config and
//! address errors.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use support::{ACCESS_KEY, Sandbox};

/// A running `awssts serve`, killed on drop if the test did not stop it.
struct Served {
    child: Child,
    url: String,
    line: String,
}

impl Served {
    fn start(args: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_awssts"))
            .arg("serve")
            .args(args)
            .env_clear()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                panic!("awssts serve printed no URL line within 60 s");
            }
        };
        let url = line
            .split_whitespace()
            .last()
            .unwrap_or_default()
            .to_owned();
        Served { child, url, line }
    }

    /// Sends `signal` (e.g. "TERM") and waits, at most 20 s, for the exit.
    fn stop_with(mut self, signal: &str) -> (i32, String) {
        let pid = self.child.id().to_string();
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .unwrap();
        assert!(status.success(), "kill -{signal} {pid}");
        let status = wait_bounded(&mut self.child, Duration::from_secs(20));
        let mut stderr = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        (status, stderr)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The exit code, polled for at most `limit`; a child still running then
/// is killed and the test fails.
fn wait_bounded(child: &mut Child, limit: Duration) -> i32 {
    let deadline = Instant::now() + limit;
    for _ in 0..10_000 {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code().unwrap_or(-1);
        }
        if Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    panic!("the child did not exit within {limit:?}");
}

/// One HTTP/1.1 GET over a fresh connection; the status line and the body.
fn http_get(url: &str, path: &str) -> (String, String) {
    let host = url.trim_start_matches("http://");
    let mut conn = TcpStream::connect(host).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        conn,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    conn.read_to_string(&mut response).unwrap();
    let status = response.lines().next().unwrap_or_default().to_owned();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn serves_until_sigterm_and_exits_zero() {
    let served = Served::start(&["--addr", "127.0.0.1:0"]);
    assert!(
        served
            .line
            .starts_with("awssts emulator listening on http://127.0.0.1:"),
        "{:?}",
        served.line
    );
    assert!(served.line.ends_with('\n'), "one whole line");
    let port: u16 = served.url.rsplit(':').next().unwrap().parse().unwrap();
    assert_ne!(port, 0, "port 0 is replaced by the port picked");

    let sb = Sandbox::new();
    let out = sb.awssts(&["get-caller-identity", "--endpoint-url", &served.url]);
    assert_eq!(
        out.ok(),
        format!(
            "{{\n    \"UserId\": \"{}\",\n    \"Account\": \"123456789012\",\n    \"Arn\": \"arn:aws:iam::123456789012:user/emulator\"\n}}\n",
            out.json()["UserId"].as_str().unwrap()
        )
    );
    let role = sb
        .awssts(&[
            "assume-role",
            "--endpoint-url",
            &served.url,
            "--role-arn",
            "arn:aws:iam::123456789012:role/ci",
            "--role-session-name",
            "from-serve",
        ])
        .json();
    assert!(
        role["Credentials"]["AccessKeyId"]
            .as_str()
            .unwrap()
            .starts_with("ASIA")
    );

    // A wrong secret is refused: the emulator checks signatures.
    let mut wrong = Sandbox::new();
    wrong.var("AWS_SECRET_ACCESS_KEY", Some("not-the-secret"));
    let out = wrong.awssts(&["get-caller-identity", "--endpoint-url", &served.url]);
    assert_eq!(out.code, 254, "{out:?}");
    assert!(
        out.stderr
            .starts_with("\nAn error occurred (SignatureDoesNotMatch) when calling the GetCallerIdentity operation: "),
        "{}",
        out.stderr
    );

    // The admin endpoint is off unless asked for.
    let (status, _) = http_get(&served.url, "/_awssts/state");
    assert!(!status.contains(" 200 "), "{status}");

    let (code, stderr) = served.stop_with("TERM");
    assert_eq!(code, 0, "exit code after SIGTERM; stderr: {stderr}");
    assert_eq!(stderr, "");
    assert!(
        TcpStream::connect(format!("127.0.0.1:{port}")).is_err(),
        "nothing listens after the exit"
    );
}

#[test]
fn sigint_stops_it_too_and_admin_serves_state() {
    let served = Served::start(&["--addr", "127.0.0.1:0", "--admin"]);
    let (status, body) = http_get(&served.url, "/_awssts/state");
    assert!(status.contains(" 200 "), "{status}");
    let state: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(state.is_object(), "{body}");
    let (code, stderr) = served.stop_with("INT");
    assert_eq!(code, 0, "exit code after SIGINT; stderr: {stderr}");
}

fn serve_once(args: &[&str]) -> support::Output {
    let sb = Sandbox::new();
    let mut full = vec!["serve"];
    full.extend_from_slice(args);
    sb.awssts(&full)
}

#[test]
fn config_errors_exit_253_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.toml");
    let out = serve_once(&[
        "--addr",
        "127.0.0.1:0",
        "--config",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 253, "{out:?}");
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains(missing.to_str().unwrap()) && out.stderr.contains("--config"),
        "{}",
        out.stderr
    );

    let bad = dir.path().join("emulator.toml");
    std::fs::write(
        &bad,
        "[[roles]]\narn = \"arn:aws:iam::111122223333:role/deploy\"\nmax_session_duration = 60\n",
    )
    .unwrap();
    let out = serve_once(&["--addr", "127.0.0.1:0", "--config", bad.to_str().unwrap()]);
    assert_eq!(out.code, 253, "{out:?}");
    assert_eq!(out.stdout, "", "no URL line for a config that cannot run");
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(
        out.stderr
            .starts_with(&format!("awssts: {}: ", bad.display()))
            && out.stderr.contains("max_session_duration")
            && out.stderr.contains("3600 to 43200"),
        "the file, the key and the fix: {}",
        out.stderr
    );

    let syntax = dir.path().join("syntax.toml");
    std::fs::write(&syntax, "[[users]\n").unwrap();
    let out = serve_once(&[
        "--addr",
        "127.0.0.1:0",
        "--config",
        syntax.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 253, "{out:?}");
    assert!(
        out.stderr.contains(syntax.to_str().unwrap()),
        "{}",
        out.stderr
    );
}

#[test]
fn a_config_file_declares_who_may_assume_what() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("emulator.toml");
    std::fs::write(
        &config,
        "[[roles]]\narn = \"arn:aws:iam::123456789012:role/deploy\"\n\
         trust = [\"arn:aws:iam::123456789012:user/emulator\"]\nexternal_id = \"build-42\"\n",
    )
    .unwrap();
    let served = Served::start(&[
        "--addr",
        "127.0.0.1:0",
        "--config",
        config.to_str().unwrap(),
    ]);
    let sb = Sandbox::new();
    let assume = |role: &str, extra: &[&str]| {
        let mut args = vec![
            "assume-role",
            "--endpoint-url",
            &served.url,
            "--role-arn",
            role,
            "--role-session-name",
            "cfg",
        ];
        args.extend_from_slice(extra);
        sb.awssts(&args)
    };
    let ok = assume(
        "arn:aws:iam::123456789012:role/deploy",
        &["--external-id", "build-42"],
    );
    assert!(ok.json()["Credentials"]["AccessKeyId"].is_string());
    for (role, extra) in [
        ("arn:aws:iam::123456789012:role/deploy", &[][..]),
        ("arn:aws:iam::123456789012:role/undeclared", &[]),
    ] {
        let out = assume(role, extra);
        assert_eq!(out.code, 254, "{out:?}");
        assert_eq!(out.stdout, "");
        assert_eq!(
            out.stderr,
            format!(
                "\nAn error occurred (AccessDenied) when calling the AssumeRole operation: \
                 User: arn:aws:iam::123456789012:user/emulator is not authorized to perform: \
                 sts:AssumeRole on resource: {role}\n"
            )
        );
    }
    assert_eq!(served.stop_with("TERM").0, 0);
}

#[test]
fn an_address_in_use_is_refused_with_the_fix() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = serve_once(&["--addr", &addr]);
    assert_eq!(out.code, 255, "{out:?}");
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains(&addr) && out.stderr.contains("0 picks a free one"),
        "{}",
        out.stderr
    );
    let out = serve_once(&["--addr", "localhost"]);
    assert_eq!(out.code, 252, "not an IP:PORT: {out:?}");
}

#[test]
fn help_and_completions_list_serve_and_demo() {
    let sb = Sandbox::new();
    let help = sb.awssts(&["--help"]);
    for line in ["  serve ", "  demo "] {
        assert!(help.ok().contains(line), "{line:?} in {}", help.stdout);
    }
    let help = sb.awssts(&["serve", "--help"]);
    for flag in [
        "--addr <IP:PORT>",
        "--config <FILE>",
        "--admin",
        "127.0.0.1:4599",
        ACCESS_KEY,
    ] {
        assert!(help.ok().contains(flag), "{flag:?} in {}", help.stdout);
    }
    let bash = sb.awssts(&["completions", "bash"]);
    assert!(bash.ok().contains("serve") && bash.stdout.contains("demo"));
    assert!(bash.stdout.contains("--addr"));
}
