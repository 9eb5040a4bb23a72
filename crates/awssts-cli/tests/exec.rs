//! `exec`: the child's exit code (0, 3, killed by a signal), the
//! environment it sees, signals passed on to it, and `--server`: boto3 in
//! the child reading renewed credentials from the container endpoint, which
//! refuses requests without this run's token.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::stub::StubSts;
use support::{ACCESS_KEY, SECRET_KEY, Sandbox, venv};

const ROLE: &str = "arn:aws:iam::123456789012:role/demo";

fn role_sandbox(endpoint: &str) -> Sandbox {
    let mut s = Sandbox::new();
    s.file(
        ".aws/config",
        &format!(
            "[profile role]\nrole_arn = {ROLE}\nsource_profile = base\nregion = eu-central-1\n\n\
             [profile base]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
        ),
    );
    s.var("AWS_ACCESS_KEY_ID", None)
        .var("AWS_SECRET_ACCESS_KEY", None)
        .var("AWS_DEFAULT_REGION", None)
        .var("AWS_ENDPOINT_URL_STS", Some(endpoint));
    s
}

/// `program ARGS` with only the sandbox's variables (and PATH), its
/// output piped and its stdin as given.
fn sandboxed(s: &Sandbox, program: &str, args: &[&str], stdin: Stdio) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .env_clear()
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    for (k, v) in &s.vars {
        cmd.env(k, v);
    }
    cmd
}

fn spawn(s: &Sandbox, args: &[&str]) -> Child {
    sandboxed(s, env!("CARGO_BIN_EXE_awssts"), args, Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits at most `limit` for the child to end.
fn wait_bounded(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    for _ in 0..10_000 {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > limit {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    panic!("the child did not end within {limit:?}");
}

#[test]
fn the_childs_exit_code_becomes_ours() {
    let s = Sandbox::new();
    for (script, code) in [
        ("exit 0", 0),
        ("exit 3", 3),
        ("kill -KILL $$", 128 + 9),
        ("kill -TERM $$", 128 + 15),
    ] {
        let out = s.awssts(&["exec", "--", "sh", "-c", script]);
        assert_eq!(out.code, code, "{script}: {out:?}");
        assert_eq!(out.stderr, "", "{script}");
    }
    let missing = s.awssts(&["exec", "--", "/nonexistent/awssts-test-command"]);
    assert_eq!(missing.code, 255, "{missing:?}");
    assert!(
        missing.stderr.contains("/nonexistent/awssts-test-command"),
        "{}",
        missing.stderr
    );
    let none = s.awssts(&["exec"]);
    assert_eq!(none.code, 252, "{none:?}");
}

#[test]
fn the_child_sees_the_profiles_credentials_and_region_and_nothing_confusing() {
    let stub = StubSts::start(Duration::from_secs(3600));
    let mut s = role_sandbox(&stub.url);
    s.var("AWS_SESSION_TOKEN", Some("stale-token"))
        .var("AWS_WEB_IDENTITY_TOKEN_FILE", Some("/tmp/nothing"))
        .var("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", Some("/v2/creds"))
        .var("KEEP_ME", Some("kept"));
    let out = s.awssts(&["exec", "--profile", "role", "--", "env"]);
    let vars: std::collections::BTreeMap<&str, &str> =
        out.ok().lines().filter_map(|l| l.split_once('=')).collect();
    assert_eq!(vars["AWS_ACCESS_KEY_ID"], "ASIASTUB00000001");
    assert_eq!(vars["AWS_SECRET_ACCESS_KEY"], "stub-secret-1");
    assert_eq!(vars["AWS_SESSION_TOKEN"], "stub-token-1");
    let exp = vars["AWS_CREDENTIAL_EXPIRATION"];
    assert!(awssts::DateTime::parse(exp).is_ok(), "{exp}");
    assert_eq!(vars["AWS_REGION"], "eu-central-1");
    assert_eq!(vars["AWS_DEFAULT_REGION"], "eu-central-1");
    assert_eq!(vars["KEEP_ME"], "kept");
    for gone in [
        "AWS_PROFILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ] {
        assert!(!vars.contains_key(gone), "{gone} reached the child");
    }
    // --region wins over the profile's.
    let out = s.awssts(&[
        "exec",
        "--profile",
        "role",
        "--region",
        "ap-south-1",
        "--",
        "sh",
        "-c",
        "echo $AWS_REGION",
    ]);
    assert_eq!(out.ok(), "ap-south-1\n");
    // Both runs used the one cached session.
    assert_eq!(stub.assume_role_calls(), 1);

    // No credentials anywhere: a configuration error, and the child never runs.
    let bare = role_sandbox(&stub.url);
    let out = bare.awssts(&["exec", "--profile", "missing", "--", "sh", "-c", "echo ran"]);
    assert_eq!(out.code, 253, "{out:?}");
    assert_eq!(out.stdout, "");
}

/// Starts a child that reports signals, and returns it once it is ready.
fn trapping_child(s: &Sandbox) -> (Child, BufReader<std::process::ChildStdout>) {
    let script = "trap 'echo got-int; exit 5' INT; trap 'echo got-term; exit 7' TERM; \
                  trap 'echo got-hup; exit 8' HUP; echo ready; \
                  i=0; while [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; exit 9";
    let mut child = spawn(s, &["exec", "--", "sh", "-c", script]);
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert_eq!(line, "ready\n");
    (child, out)
}

#[test]
fn signals_are_passed_on_to_the_child() {
    let s = Sandbox::new();
    for (signal, reply, code) in [
        ("TERM", "got-term", 7),
        ("INT", "got-int", 5),
        ("HUP", "got-hup", 8),
    ] {
        let (mut child, mut out) = trapping_child(&s);
        let kill = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        let status = wait_bounded(&mut child, Duration::from_secs(15));
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
        assert_eq!(rest, format!("{reply}\n"), "SIG{signal}");
        assert_eq!(status.code(), Some(code), "SIG{signal}");
    }
}

#[test]
fn exec_server_renews_credentials_for_boto3_and_refuses_strangers() {
    // Sessions that live 6 seconds: the endpoint's cache renews them while
    // the child runs.
    let stub = StubSts::start(Duration::from_secs(6));
    let s = role_sandbox(&stub.url);
    // Keys the child's SDK would find before the endpoint if it read them.
    s.file(
        ".aws/credentials",
        "[default]\naws_access_key_id = AKIAOTHERKEYS0000000\naws_secret_access_key = other\n",
    );
    let python = venv().join("bin/python");
    assert!(
        python.is_file(),
        "no python in the venv at {}",
        python.display()
    );
    let script = r#"
import os, time, urllib.request, urllib.error
import boto3
uri = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
def status(headers):
    try:
        urllib.request.urlopen(urllib.request.Request(uri, headers=headers), timeout=5)
        return 200
    except urllib.error.HTTPError as e:
        return e.code
print("no-token", status({}), flush=True)
print("bad-token", status({"Authorization": "x" * 64}), flush=True)
print("env-keys", "AWS_ACCESS_KEY_ID" in os.environ, "AWS_PROFILE" in os.environ, flush=True)
sts = boto3.client("sts")
seen = []
for _ in range(80):
    uid = sts.get_caller_identity()["UserId"]
    if uid not in seen:
        seen.append(uid)
        print("key", uid, flush=True)
    if len(seen) >= 2:
        break
    time.sleep(0.25)
"#;
    let mut child = spawn(
        &s,
        &[
            "exec",
            "--profile",
            "role",
            "--server",
            "--",
            python.to_str().unwrap(),
            "-c",
            script,
        ],
    );
    let status = wait_bounded(&mut child, Duration::from_secs(60));
    let mut stdout = String::new();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut stdout).unwrap();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "{stdout}\n{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "no-token 401", "{stdout}");
    assert_eq!(lines[1], "bad-token 403", "{stdout}");
    assert_eq!(lines[2], "env-keys False False", "{stdout}");
    let keys: Vec<&str> = lines[3..]
        .iter()
        .map(|l| l.strip_prefix("key ").unwrap())
        .collect();
    assert_eq!(keys.len(), 2, "no renewal reached boto3: {stdout}");
    assert!(keys.iter().all(|k| k.starts_with("ASIASTUB")), "{keys:?}");
    assert!(stub.assume_role_calls() >= 2);
    assert!(stub.get_caller_identity_calls() >= 2);
}

#[test]
fn exec_server_warns_of_credentials_in_the_childs_config_profile() {
    let stub = StubSts::start(Duration::from_secs(3600));
    let s = role_sandbox(&stub.url);
    let config = std::fs::read_to_string(s.home().join(".aws/config")).unwrap();
    s.file(
        ".aws/config",
        &format!("{config}\n[default]\ncredential_process = /bin/false\n"),
    );
    let args = [
        "exec",
        "--profile",
        "role",
        "--server",
        "--",
        "sh",
        "-c",
        "echo \"$AWS_SHARED_CREDENTIALS_FILE\"",
    ];
    let out = s.awssts(&args);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "/dev/null\n");
    let warnings: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(warnings.len(), 1, "{out:?}");
    assert!(
        warnings[0].starts_with("awssts: warning: profile [default]")
            && warnings[0].contains("credential_process")
            && warnings[0].contains("named profile"),
        "{out:?}"
    );
}

/// Counts the SIGINTs it gets. After the first it asks its parent (awssts)
/// for a SIGTERM: awssts takes a pending SIGINT before a pending SIGTERM, so
/// any SIGINT it passed on reaches this process before that SIGTERM does.
const COUNT_SIGINTS: &str = r#"
import os, signal, time
count = 0
done = False
def on_int(signum, frame):
    global count
    count += 1
    if count == 1:
        os.kill(os.getppid(), signal.SIGTERM)
def on_term(signum, frame):
    global done
    done = True
signal.signal(signal.SIGINT, on_int)
signal.signal(signal.SIGTERM, on_term)
print("ready", flush=True)
for _ in range(600):
    if done:
        break
    time.sleep(0.05)
print("sigints", count, flush=True)
"#;

/// `'…'` for sh.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[test]
fn ctrl_c_in_a_terminal_reaches_the_child_once() {
    let s = Sandbox::new();
    let script = s.file("count_sigints.py", COUNT_SIGINTS);
    let python = venv().join("bin/python");
    let line = format!(
        "exec {} exec -- {} {}",
        sh_quote(env!("CARGO_BIN_EXE_awssts")),
        sh_quote(python.to_str().unwrap()),
        sh_quote(script.to_str().unwrap())
    );
    // util-linux `script` runs the line on a new pseudo-terminal, with
    // awssts and its child in the terminal's foreground group, and copies
    // our bytes to the terminal: \x03 is Ctrl-C.
    let mut term = sandboxed(&s, "script", &["-qfec", &line, "/dev/null"], Stdio::piped())
        .spawn()
        .expect("util-linux `script` is needed for this test");
    let (lines_tx, lines) = std::sync::mpsc::channel();
    let out = term.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let mut wait_for = |prefix: &str| -> Option<String> {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            match lines.recv_timeout(Duration::from_millis(200)) {
                Ok(l) => {
                    let l = l.trim_matches(|c: char| c.is_control()).to_owned();
                    seen.push(l.clone());
                    if let Some(at) = l.find(prefix) {
                        return Some(l[at..].to_owned());
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        None
    };
    if wait_for("ready").is_none() {
        let _ = term.kill();
        panic!("the child did not start on the terminal");
    }
    {
        use std::io::Write;
        let stdin = term.stdin.as_mut().unwrap();
        stdin.write_all(b"\x03").unwrap();
        stdin.flush().unwrap();
    }
    let count = wait_for("sigints ");
    drop(term.stdin.take());
    let Some(count) = count else {
        let _ = term.kill();
        panic!("the child did not report its SIGINTs");
    };
    let status = wait_bounded(&mut term, Duration::from_secs(30));
    assert_eq!(count, "sigints 1", "one Ctrl-C, one SIGINT");
    assert!(status.success(), "{status:?}");
}
