//! The credential_process provider against real shell scripts written to a
//! temp dir: success, failure, hangs (killed), junk, wrong versions, huge
//! output. A canary secret must never show up in an error or `Debug`.
//!
//! Scripts are run as `/bin/sh script`, not executed directly: a file just
//! written can be "busy" when another test thread forks at that moment.

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use awssts::credentials::process::ProcessProvider;
use awssts::credentials::profile::ProfileSet;
use awssts::credentials::{CredentialsError, CredentialsErrorKind, ProvideCredentials};

const CANARY: &str = "CANARYprocSecret0123456789abcdef";

struct Scripts {
    dir: tempfile::TempDir,
}

impl Scripts {
    fn new() -> Self {
        Scripts {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// Writes `body` as a script and returns the command line running it.
    fn command(&self, name: &str, body: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        format!("/bin/sh '{}'", path.display())
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

async fn run(command: &str) -> Result<awssts::credentials::Credentials, CredentialsError> {
    ProcessProvider::new(command)
        .timeout(Duration::from_secs(20))
        .provide_credentials()
        .await
}

fn assert_no_canary(err: &CredentialsError) {
    let shown = format!("{err} {err:?} {:?}", std::error::Error::source(err));
    assert!(!shown.contains(CANARY), "{shown}");
}

#[tokio::test]
async fn full_document() {
    let s = Scripts::new();
    let cmd = s.command(
        "full.sh",
        &format!(
            r#"cat <<EOF
{{"Version": 1, "AccessKeyId": "ASIAPROC", "SecretAccessKey": "{CANARY}",
  "SessionToken": "{CANARY}-token", "Expiration": "2030-01-01T00:00:00Z",
  "AccountId": "123456789012"}}
EOF"#
        ),
    );
    let c = run(&cmd).await.unwrap();
    assert_eq!(c.access_key_id(), "ASIAPROC");
    assert_eq!(c.secret_access_key(), CANARY);
    assert_eq!(c.session_token(), Some(format!("{CANARY}-token").as_str()));
    assert_eq!(
        c.expiration(),
        Some(std::time::UNIX_EPOCH + Duration::from_secs(1_893_456_000))
    );
    assert_eq!(c.account_id(), Some("123456789012"));
    assert_eq!(c.provider_name(), "process");
    assert!(!format!("{c:?} {c}").contains(CANARY));
}

#[tokio::test]
async fn keys_only_document() {
    let s = Scripts::new();
    let cmd = s.command(
        "keys.sh",
        r#"echo '{"Version": 1, "AccessKeyId": "AKIAPROC", "SecretAccessKey": "s"}'"#,
    );
    let c = run(&cmd).await.unwrap();
    assert_eq!(c.access_key_id(), "AKIAPROC");
    assert_eq!(c.session_token(), None);
    assert_eq!(c.expiration(), None);
    assert_eq!(c.account_id(), None);
}

#[tokio::test]
async fn arguments_are_split_like_the_aws_cli_and_not_given_to_a_shell() {
    let s = Scripts::new();
    let out = s.path("args.txt");
    let cmd = s.command(
        "args.sh",
        &format!(
            "printf '%s\\n' \"$@\" > '{}'\necho '{{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s\"}}'",
            out.display()
        ),
    );
    run(&format!(r#"{cmd} 'one two' "a\"b\\c" $HOME;x "" #y"#))
        .await
        .unwrap();
    let args = std::fs::read_to_string(&out).unwrap();
    assert_eq!(args, "one two\na\"b\\c\n$HOME;x\n\n#y\n");
}

#[tokio::test]
async fn non_zero_exit_reports_status_and_stderr_but_not_stdout() {
    let s = Scripts::new();
    let cmd = s.command(
        "fail.sh",
        &format!("echo '{{\"SecretAccessKey\": \"{CANARY}\"}}'\necho 'token expired, run login' >&2\nexit 3"),
    );
    let err = run(&cmd).await.unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::ProviderFailed);
    let msg = err.to_string();
    assert!(msg.contains("status 3"), "{msg}");
    assert!(msg.contains("token expired, run login"), "{msg}");
    assert_no_canary(&err);
}

#[tokio::test]
async fn only_the_end_of_a_long_stderr_is_kept() {
    let s = Scripts::new();
    let cmd = s.command(
        "noisy.sh",
        "i=0; while [ $i -lt 400 ]; do echo 'noise noise noise noise noise noise' >&2; i=$((i+1)); done\necho 'THE-REAL-REASON' >&2\nexit 1",
    );
    let msg = run(&cmd).await.unwrap_err().to_string();
    assert!(msg.contains("THE-REAL-REASON"), "{msg}");
    assert!(msg.len() < 5 * 1024, "{} bytes", msg.len());
}

#[tokio::test]
async fn junk_and_wrong_versions() {
    let s = Scripts::new();
    let cases = [
        ("junk.sh", format!("echo 'hello {CANARY}'"), "not JSON"),
        (
            "v2.sh",
            format!(
                r#"echo '{{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "{CANARY}"}}'"#
            ),
            "`Version` is 2",
        ),
        (
            "noversion.sh",
            format!(r#"echo '{{"AccessKeyId": "A", "SecretAccessKey": "{CANARY}"}}'"#),
            "no `Version`",
        ),
        (
            "nokey.sh",
            format!(r#"echo '{{"Version": 1, "SecretAccessKey": "{CANARY}"}}'"#),
            "`AccessKeyId` is missing",
        ),
        (
            "badexp.sh",
            format!(
                r#"echo '{{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "{CANARY}", "Expiration": "{CANARY}"}}'"#
            ),
            "`Expiration`",
        ),
        ("empty.sh", String::new(), "not JSON"),
    ];
    for (name, body, reason) in cases {
        let err = run(&s.command(name, &body)).await.unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::ProviderFailed, "{name}");
        assert!(err.to_string().contains(reason), "{name}: {err}");
        assert_no_canary(&err);
    }
}

#[tokio::test]
async fn huge_output_is_cut_off_and_the_child_stopped() {
    let s = Scripts::new();
    let cmd = s.command("huge.sh", &format!("exec yes '{CANARY}'"));
    let err = run(&cmd).await.unwrap_err();
    assert!(err.to_string().contains("more than"), "{err}");
    assert!(!err.to_string().contains("did not finish"), "{err}");
    assert_no_canary(&err);
}

/// Whether `pid` is still a live process (a zombie counts as dead).
fn alive(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/status")) {
        Ok(status) => !status
            .lines()
            .any(|l| l.starts_with("State:") && l.contains('Z')),
        Err(_) => {
            // No /proc: ask kill -0.
            std::process::Command::new("kill")
                .args(["-0", pid])
                .stderr(std::process::Stdio::null())
                .status()
                .map(|s| s.success())
                .unwrap_or(false)
        }
    }
}

fn read_pid(path: &Path) -> String {
    // Bounded: the script writes the file before it starts hanging.
    for _ in 0..200 {
        if let Ok(pid) = std::fs::read_to_string(path)
            && !pid.trim().is_empty()
        {
            return pid.trim().to_owned();
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("the script never wrote {}", path.display());
}

#[tokio::test]
async fn a_hanging_command_is_killed_and_reaped_on_timeout() {
    let s = Scripts::new();
    let pid_file = s.path("pid");
    let cmd = s.command(
        "hang.sh",
        &format!("echo $$ > '{}'\nexec sleep 600", pid_file.display()),
    );
    let err = ProcessProvider::new(cmd)
        .timeout(Duration::from_millis(1500))
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::ProviderFailed);
    let msg = err.to_string();
    assert!(
        msg.contains("did not finish") && msg.contains("killed"),
        "{msg}"
    );
    let pid = read_pid(&pid_file);
    // `kill -0` fails once the process is gone: it was killed and reaped
    // before the error was returned, so no waiting is needed.
    let status = std::process::Command::new("kill")
        .args(["-0", &pid])
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success(), "process {pid} still exists");
}

#[tokio::test]
async fn a_dropped_future_kills_the_child() {
    let s = Scripts::new();
    let pid_file = s.path("pid");
    let cmd = s.command(
        "hang.sh",
        &format!("echo $$ > '{}'\nexec sleep 600", pid_file.display()),
    );
    let provider = ProcessProvider::new(cmd);
    {
        let fut = provider.provide_credentials();
        tokio::pin!(fut);
        // Drive the future until the script has started, then drop it.
        for _ in 0..200 {
            tokio::select! {
                _ = &mut fut => panic!("a hanging script produced a result"),
                _ = tokio::time::sleep(Duration::from_millis(25)) => {}
            }
            if pid_file.exists() {
                break;
            }
        }
    }
    let pid = read_pid(&pid_file);
    let mut gone = false;
    for _ in 0..200 {
        if !alive(&pid) {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(gone, "process {pid} outlived the dropped future");
}

#[tokio::test]
async fn missing_command_and_bad_command_lines_are_configuration_errors() {
    let err = run("/nonexistent/awssts-helper --flag").await.unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
    let msg = err.to_string();
    assert!(
        msg.contains("`/nonexistent/awssts-helper` was not found"),
        "{msg}"
    );
    assert!(msg.contains("credential_process"), "{msg}");

    for line in ["", "   ", "helper 'unclosed"] {
        let err = run(line).await.unwrap_err();
        assert_eq!(
            err.kind(),
            CredentialsErrorKind::InvalidConfiguration,
            "{line:?}"
        );
    }
}

#[tokio::test]
async fn from_profile_names_the_profile_in_errors() {
    let set = ProfileSet::parse(
        "[profile dev]\nregion = eu-west-1\ncredential_process = /nonexistent/helper --x\n",
        "",
    )
    .unwrap();
    let profile = set.profile("dev").unwrap();
    let provider = ProcessProvider::from_profile(profile).unwrap();
    let msg = provider
        .provide_credentials()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("profile \"dev\"") && msg.contains("<config>:3"),
        "{msg}"
    );
    assert!(ProcessProvider::from_profile(set.profile("dev").unwrap()).is_some());

    let set = ProfileSet::parse("[default]\nregion = x\n", "").unwrap();
    assert!(ProcessProvider::from_profile(set.profile("default").unwrap()).is_none());
}

#[test]
fn debug_shows_the_program_not_its_arguments() {
    let p = ProcessProvider::new(format!("/usr/bin/helper --password {CANARY}"));
    let shown = format!("{p:?}");
    assert!(shown.contains("/usr/bin/helper"), "{shown}");
    assert!(!shown.contains(CANARY), "{shown}");
}
