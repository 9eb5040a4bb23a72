//! `awssts demo` on a fresh machine: an empty HOME and no AWS variables;
//! then with a poisoned `~/.aws` and environment, which it must ignore and
//! leave as they were. Its output shows the flow and never a secret.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `awssts demo` with exactly `vars` in its environment (and PATH).
fn demo(vars: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_awssts"));
    cmd.arg("demo")
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Words that look like a secret access key or a session token: 40 or more
/// characters, all of base64's alphabet (ARNs and URLs have `:`).
fn secret_looking(text: &str) -> Vec<&str> {
    text.split_whitespace()
        .map(|w| w.trim_matches(|c: char| matches!(c, '(' | ')' | ',' | ';' | '.')))
        .filter(|w| {
            w.len() >= 40
                && w.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        })
        .collect()
}

#[test]
fn the_secret_detector_finds_secrets() {
    let leaked = "key ASIAEXAMPLE secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, token \
                  FwoGZXIvYXdzEJr//////////wEaDM+base64+token+that+goes+on+and+on==";
    assert_eq!(secret_looking(leaked).len(), 2);
    assert!(secret_looking("arn:aws:sts::123456789012:assumed-role/demo/awssts-demo").is_empty());
}

fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    for _ in 0..1000 {
        let Some(d) = stack.pop() else { break };
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().display().to_string();
                out.push((rel, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn check_output(code: i32, stdout: &str, stderr: &str) {
    assert_eq!(code, 0, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert_eq!(stderr, "");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!((5..=12).contains(&lines.len()), "a few lines: {stdout}");
    assert!(
        lines[0].contains("http://127.0.0.1:"),
        "the emulator's address: {stdout}"
    );
    assert!(stdout.contains("AKIAIOSFODNN7EXAMPLE"), "{stdout}");
    let asia: Vec<&str> = stdout
        .split_whitespace()
        .map(|w| w.trim_end_matches(','))
        .filter(|w| w.starts_with("ASIA") && w.len() == 20)
        .collect();
    assert!(asia.len() >= 3, "temporary keys shown: {stdout}");
    assert!(
        stdout.contains("arn:aws:sts::123456789012:assumed-role/demo/awssts-demo"),
        "the assumed-role ARN: {stdout}"
    );
    let renewal = lines
        .iter()
        .find(|l| l.contains("renewed"))
        .unwrap_or_else(|| panic!("a renewal: {stdout}"));
    let renewed_key = renewal
        .split_whitespace()
        .find(|w| w.starts_with("ASIA"))
        .unwrap();
    let cached_line = lines
        .iter()
        .find(|l| l.contains("CredentialsCache"))
        .unwrap();
    assert!(
        !cached_line.contains(renewed_key),
        "the renewed key is a new key: {stdout}"
    );
    assert_eq!(secret_looking(stdout), Vec::<&str>::new(), "{stdout}");
    assert!(
        !stdout.contains("wJalrXUtnFEMI"),
        "not even the example secret"
    );
}

#[test]
fn runs_on_a_fresh_machine() {
    let home = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = demo(&[("HOME", home.path().to_str().unwrap())]);
    check_output(code, &stdout, &stderr);
    assert!(
        files_under(home.path()).is_empty(),
        "nothing written to HOME"
    );
    assert!(!home.path().join(".aws").exists());
}

#[test]
fn ignores_and_keeps_the_users_aws_configuration() {
    let home = tempfile::tempdir().unwrap();
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    // Everything here would break the demo if it were read: an unreachable
    // endpoint, a region that does not exist, keys the emulator refuses, a
    // malformed file.
    std::fs::write(
        aws.join("config"),
        "[default]\nregion = nowhere-1\nendpoint_url = http://192.0.2.1:9\n[broken\n",
    )
    .unwrap();
    std::fs::write(
        aws.join("credentials"),
        "[default]\naws_access_key_id = AKIANOTTHEEXAMPLE000\naws_secret_access_key = nope\n",
    )
    .unwrap();
    let before = files_under(home.path());
    let (code, stdout, stderr) = demo(&[
        ("HOME", home.path().to_str().unwrap()),
        ("AWS_ACCESS_KEY_ID", "AKIANOTTHEEXAMPLE000"),
        ("AWS_SECRET_ACCESS_KEY", "nope"),
        ("AWS_ENDPOINT_URL", "http://192.0.2.1:9"),
        ("AWS_ENDPOINT_URL_STS", "http://192.0.2.1:9"),
        ("AWS_REGION", "nowhere-1"),
        ("AWS_PROFILE", "missing"),
        ("AWS_MAX_ATTEMPTS", "not-a-number"),
        ("HTTP_PROXY", "http://192.0.2.1:9"),
        ("HTTPS_PROXY", "http://192.0.2.1:9"),
    ]);
    check_output(code, &stdout, &stderr);
    assert_eq!(files_under(home.path()), before, "HOME left as it was");
}
