//! boto3 (a client no one here wrote) calls every STS operation it knows
//! against the emulator, with the right and a wrong secret.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use awssts_emulator::authz_message::DeniedAction;
use awssts_emulator::{DEFAULT_USER_ARN, Emulator};

fn python() -> PathBuf {
    let venv = std::env::var_os("AWSSTS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv"));
    let python = venv.join("bin/python");
    assert!(
        python.exists(),
        "no Python venv at {}: run scripts/test.sh (it creates .venv with boto3), or set AWSSTS_VENV",
        venv.display()
    );
    python
}

#[test]
fn boto3_calls_every_operation() {
    let python = python();
    let emu = Emulator::new().start_blocking().unwrap();
    let trade_in = emu
        .trade_in_token(DEFAULT_USER_ARN, Duration::from_secs(600))
        .unwrap();
    let authz = emu
        .deny_message(&DeniedAction {
            principal_id: "AIDAEXAMPLE",
            principal_name: Some("emulator"),
            principal_arn: DEFAULT_USER_ARN,
            action: "s3:GetObject",
            resource: "arn:aws:s3:::bucket/key",
            conditions: &[],
            explicit_deny: false,
        })
        .unwrap();
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python/boto3_all_operations.py");
    let out = Command::new(python)
        .arg(script)
        .arg(emu.url())
        .env("TRADE_IN_TOKEN", trade_in)
        .env("AUTHZ_MESSAGE", authz)
        // boto3 must not pick up anything from the machine it runs on.
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "boto3 script failed:\n{stdout}\n{stderr}"
    );
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(
        report["operations"].as_array().unwrap().len(),
        11,
        "{report}"
    );
    emu.shutdown();
}
