//! `credential-process` and `export-credentials`: the JSON and every
//! format's text, the disk cache (a second run and 20 concurrent runs call
//! STS once, one 0600 file), and the cache shared with the real AWS CLI in
//! both directions.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use awssts::credentials::disk_cache::AssumeRoleArgs;
use support::moto::Moto;
use support::stub::StubSts;
use support::{ACCESS_KEY, SECRET_KEY, Sandbox};

const ROLE: &str = "arn:aws:iam::123456789012:role/demo";

/// A sandbox whose `role` profile assumes ROLE with the `base` profile's
/// keys, against `endpoint`.
fn role_sandbox(endpoint: &str) -> Sandbox {
    let mut s = Sandbox::new();
    s.file(
        ".aws/config",
        &format!(
            "[default]\ncli_timestamp_format = iso8601\n\n\
             [profile role]\nrole_arn = {ROLE}\nsource_profile = base\n\n\
             [profile base]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
        ),
    );
    s.var("AWS_ACCESS_KEY_ID", None)
        .var("AWS_SECRET_ACCESS_KEY", None)
        .var("AWS_ENDPOINT_URL_STS", Some(endpoint));
    s
}

fn cache_dir(s: &Sandbox) -> PathBuf {
    s.home().join(".aws/cli/cache")
}

fn cache_files(s: &Sandbox) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(cache_dir(s))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

fn role_cache_file(s: &Sandbox) -> PathBuf {
    cache_dir(s).join(format!("{}.json", AssumeRoleArgs::new(ROLE).cache_key()))
}

fn assert_private(path: &std::path::Path) {
    let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{}", path.display());
}

/// The credential_process document, with its shape checked.
fn process_doc(out: &str) -> serde_json::Value {
    let doc: serde_json::Value = serde_json::from_str(out).unwrap();
    let keys: Vec<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [
            "AccessKeyId",
            "Expiration",
            "SecretAccessKey",
            "SessionToken",
            "Version"
        ]
    );
    assert_eq!(doc["Version"], 1);
    let exp = doc["Expiration"].as_str().unwrap();
    assert!(awssts::DateTime::parse(exp).is_ok(), "{exp}");
    assert!(exp.ends_with("+00:00"), "{exp}");
    // The AWS CLI's layout: two-space indent, keys in this order.
    assert!(
        out.starts_with("{\n  \"Version\": 1,\n  \"AccessKeyId\": \"ASIA"),
        "{out}"
    );
    doc
}

#[test]
fn a_second_run_is_served_from_the_disk_cache() {
    let stub = StubSts::start(Duration::from_secs(3600));
    let s = role_sandbox(&stub.url);
    let first = s.awssts(&["credential-process", "--profile", "role"]);
    let doc = process_doc(first.ok());
    assert_eq!(doc["AccessKeyId"], "ASIASTUB00000001");
    assert_eq!(doc["SessionToken"], "stub-token-1");
    assert_eq!(stub.assume_role_calls(), 1);
    assert_eq!(cache_files(&s), [role_cache_file(&s)]);
    assert_private(&role_cache_file(&s));

    let second = s.awssts(&["credential-process", "--profile", "role"]);
    assert_eq!(second.ok(), first.ok());
    // --role-arn with the same arguments finds the same cache entry.
    let by_arn = s.awssts(&[
        "credential-process",
        "--role-arn",
        ROLE,
        "--source-profile",
        "base",
    ]);
    assert_eq!(by_arn.ok(), first.ok());
    assert_eq!(stub.assume_role_calls(), 1);

    // Other arguments are another session, in another file.
    let named = s.awssts(&[
        "credential-process",
        "--role-arn",
        ROLE,
        "--source-profile",
        "base",
        "--role-session-name",
        "ci",
    ]);
    assert_eq!(process_doc(named.ok())["AccessKeyId"], "ASIASTUB00000002");
    assert_eq!(stub.assume_role_calls(), 2);
    assert_eq!(cache_files(&s).len(), 2);
}

#[test]
fn twenty_concurrent_runs_call_sts_once_and_leave_one_file() {
    let stub = StubSts::start(Duration::from_secs(3600));
    let s = role_sandbox(&stub.url);
    let children: Vec<_> = (0..20)
        .map(|_| {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_awssts"));
            cmd.args(["credential-process", "--profile", "role"])
                .env_clear()
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            for (k, v) in &s.vars {
                cmd.env(k, v);
            }
            cmd.spawn().unwrap()
        })
        .collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    for out in &outputs {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc = process_doc(std::str::from_utf8(&out.stdout).unwrap());
        assert_eq!(doc["AccessKeyId"], "ASIASTUB00000001");
    }
    assert_eq!(stub.assume_role_calls(), 1);
    let files = cache_files(&s);
    assert_eq!(files, [role_cache_file(&s)]);
    assert_private(&files[0]);
    let entry: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    assert_eq!(entry["Credentials"]["AccessKeyId"], "ASIASTUB00000001");
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(cache_dir(&s))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn export_credentials_prints_every_format() {
    let stub = StubSts::start(Duration::from_secs(3600));
    let s = role_sandbox(&stub.url);
    let process = s.awssts(&["export-credentials", "--profile", "role"]);
    let doc = process_doc(process.ok());
    let exp = doc["Expiration"].as_str().unwrap().to_owned();
    let vals = [
        ("AWS_ACCESS_KEY_ID", "ASIASTUB00000001"),
        ("AWS_SECRET_ACCESS_KEY", "stub-secret-1"),
        ("AWS_SESSION_TOKEN", "stub-token-1"),
        ("AWS_CREDENTIAL_EXPIRATION", exp.as_str()),
    ];
    let expect = |line: &dyn Fn(&str, &str) -> String| -> String {
        vals.iter().map(|(k, v)| line(k, v)).collect()
    };
    for (format, want) in [
        ("env", expect(&|k, v| format!("export {k}={v}\n"))),
        ("env-no-export", expect(&|k, v| format!("{k}={v}\n"))),
        ("powershell", expect(&|k, v| format!("$Env:{k}=\"{v}\"\n"))),
        ("windows-cmd", expect(&|k, v| format!("set {k}={v}\n"))),
        ("fish", expect(&|k, v| format!("set -gx {k} \"{v}\"\n"))),
    ] {
        let out = s.awssts(&[
            "export-credentials",
            "--profile",
            "role",
            "--format",
            format,
        ]);
        assert_eq!(out.ok(), want, "--format {format}");
    }
    assert_eq!(
        process.ok(),
        format!(
            "{{\n  \"Version\": 1,\n  \"AccessKeyId\": \"ASIASTUB00000001\",\n  \
             \"SecretAccessKey\": \"stub-secret-1\",\n  \"SessionToken\": \"stub-token-1\",\n  \
             \"Expiration\": \"{exp}\"\n}}\n"
        )
    );
    // All through the disk cache: one AssumeRole.
    assert_eq!(stub.assume_role_calls(), 1);

    // Long-term keys: no token, no expiry.
    let keys = s.awssts(&["export-credentials", "--profile", "base", "--format", "env"]);
    assert_eq!(
        keys.ok(),
        format!(
            "export AWS_ACCESS_KEY_ID={ACCESS_KEY}\nexport AWS_SECRET_ACCESS_KEY={SECRET_KEY}\n"
        )
    );
    let missing = s.awssts(&["export-credentials", "--profile", "nope"]);
    assert_eq!(missing.code, 253, "{missing:?}");
    assert!(missing.stderr.contains("nope"), "{}", missing.stderr);
}

#[test]
fn the_aws_cli_and_awssts_reuse_each_others_cache_entries() {
    let moto = Moto::start();

    // The AWS CLI assumes the role and writes the cache; awssts reuses it.
    let s = role_sandbox(&moto.url);
    let aws = s.aws(&["get-caller-identity", "--profile", "role"]);
    assert!(aws.ok().contains("assumed-role"), "{}", aws.stdout);
    let file = role_cache_file(&s);
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let ours = process_doc(s.awssts(&["credential-process", "--profile", "role"]).ok());
    assert_eq!(ours["AccessKeyId"], written["Credentials"]["AccessKeyId"]);
    assert_eq!(ours["SessionToken"], written["Credentials"]["SessionToken"]);
    assert_eq!(cache_files(&s), [file]);

    // awssts assumes the role and writes the cache; the AWS CLI reuses it
    // (a new AssumeRole would have rewritten the file with other keys).
    let s = role_sandbox(&moto.url);
    let ours = process_doc(s.awssts(&["credential-process", "--profile", "role"]).ok());
    let file = role_cache_file(&s);
    let before = std::fs::read_to_string(&file).unwrap();
    assert_private(&file);
    let aws = s.aws(&["get-caller-identity", "--profile", "role"]);
    assert!(aws.ok().contains("assumed-role"), "{}", aws.stdout);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
    let entry: serde_json::Value = serde_json::from_str(&before).unwrap();
    assert_eq!(entry["Credentials"]["AccessKeyId"], ours["AccessKeyId"]);
}

/// Runs `lines` in sh, then prints the two key variables: what a user who
/// `eval`s our output gets.
fn read_back(lines: &str) -> String {
    let script = format!("{lines}printf '%s|%s' \"$AWS_ACCESS_KEY_ID\" \"$AWS_SECRET_ACCESS_KEY\"");
    let out = Command::new("sh")
        .args(["-c", &script])
        .env_clear()
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{script}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn credentials_as_shell_variables_read_back_unchanged_in_every_command() {
    let stub = StubSts::start(Duration::from_secs(3600));
    let s = role_sandbox(&stub.url);
    // Keys no real account has, with characters a shell would act on.
    let secret = "it's $HOME \"q\" `id` ~ a&b";
    let config = std::fs::read_to_string(s.home().join(".aws/config")).unwrap();
    s.file(
        ".aws/config",
        &format!(
            "{config}\n[profile odd]\naws_access_key_id = AKIA ODD\naws_secret_access_key = {secret}\n"
        ),
    );
    let want = format!("AKIA ODD|{secret}");
    for format in ["env", "env-no-export"] {
        let out = s.awssts(&["export-credentials", "--profile", "odd", "--format", format]);
        assert_eq!(read_back(out.ok()), want, "--format {format}");
    }
    // exec sets the values themselves, unquoted.
    let out = s.awssts(&[
        "exec",
        "--profile",
        "odd",
        "--region",
        "us-east-1",
        "--",
        "sh",
        "-c",
        "printf '%s|%s' \"$AWS_ACCESS_KEY_ID\" \"$AWS_SECRET_ACCESS_KEY\"",
    ]);
    assert_eq!(out.ok(), want);

    // --output env of an STS call: the lines `export-credentials --format
    // env` prints for the same credentials, byte for byte.
    let out = s.awssts(&[
        "assume-role",
        "--profile",
        "base",
        "--role-arn",
        ROLE,
        "--role-session-name",
        "s-1",
        "--output",
        "env",
    ]);
    let text = out.ok();
    let n = stub.assume_role_calls();
    let expiration = text
        .lines()
        .last()
        .and_then(|l| l.strip_prefix("export AWS_CREDENTIAL_EXPIRATION="))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(support::compare::is_iso_utc(expiration), "{text}");
    assert_eq!(
        text,
        format!(
            "export AWS_ACCESS_KEY_ID=ASIASTUB{n:08}\nexport AWS_SECRET_ACCESS_KEY=stub-secret-{n}\n\
             export AWS_SESSION_TOKEN=stub-token-{n}\nexport AWS_CREDENTIAL_EXPIRATION={expiration}\n"
        )
    );
    assert_eq!(read_back(text), format!("ASIASTUB{n:08}|stub-secret-{n}"));
}
