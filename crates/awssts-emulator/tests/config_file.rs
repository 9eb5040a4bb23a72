//! The configuration file: the documented examples parse, and a file on
//! disk configures a running emulator.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Write as _;

use awssts::credentials::Credentials;
use awssts_emulator::{Config, Emulator};

fn toml_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let line = line
            .strip_prefix("//! ")
            .or_else(|| line.strip_prefix("//!"))
            .unwrap_or(line);
        match (&mut current, line.trim()) {
            (None, "```toml") => current = Some(String::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(b), _) => {
                b.push_str(line);
                b.push('\n');
            }
            _ => {}
        }
    }
    blocks
}

#[test]
fn documented_examples_parse() {
    let dir = env!("CARGO_MANIFEST_DIR");
    for file in ["README.md", "src/lib.rs"] {
        let text = std::fs::read_to_string(format!("{dir}/{file}")).unwrap();
        let blocks = toml_blocks(&text);
        assert_eq!(blocks.len(), 1, "{file}");
        let config = Config::from_toml(&blocks[0], file).unwrap_or_else(|e| panic!("{e}"));
        assert!(config.admin, "{file}");
        assert_eq!(config.users.len(), 1);
        assert_eq!(config.roles.len(), 1);
        assert_eq!(config.faults.len(), 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_file_configures_the_emulator() {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(
        br#"
default_user = false
[[users]]
arn = "arn:aws:iam::111122223333:user/carol"
access_key_id = "AKIACAROLEXAMPLE0001"
secret_access_key = "carolSecretKeyExampleCarolSecretKeyExamp"
"#,
    )
    .unwrap();
    let emu = Emulator::from_config_file(file.path())
        .unwrap()
        .start()
        .await
        .unwrap();
    let carol = support::client_with(
        &emu.url(),
        Credentials::from_keys(
            "AKIACAROLEXAMPLE0001",
            "carolSecretKeyExampleCarolSecretKeyExamp",
        ),
    );
    let me = carol.get_caller_identity().send().await.unwrap();
    assert_eq!(
        me.arn.as_deref(),
        Some("arn:aws:iam::111122223333:user/carol")
    );
    // The built-in user is gone.
    let e = support::client(&emu.url())
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("InvalidClientTokenId"));
    emu.shutdown().await;

    let mut bad = tempfile::NamedTempFile::new().unwrap();
    bad.write_all(
        b"[[roles]]\narn = \"arn:aws:iam::111122223333:role/r\"\nmax_session_duration = 60\n",
    )
    .unwrap();
    let err = Emulator::from_config_file(bad.path())
        .unwrap_err()
        .to_string();
    assert!(err.starts_with(&bad.path().display().to_string()), "{err}");
    assert!(
        err.contains("roles[0].max_session_duration") && err.contains("3600 to 43200"),
        "{err}"
    );
}

#[test]
fn a_misspelt_fault_operation_is_refused() {
    let e = Config::from_toml(
        "[[faults]]\nkind = \"throttling\"\noperation = \"AssumeRol\"\n",
        "emu.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("emu.toml"), "{e}");
    assert!(e.contains("faults[0].operation"), "{e}");
    assert!(
        e.contains("\"AssumeRol\"") && e.contains("AssumeRoleWithSAML"),
        "{e}"
    );
    let ok = "[[faults]]\nkind = \"throttling\"\noperation = \"AssumeRoleWithSAML\"\n";
    Config::from_toml(ok, "emu.toml").unwrap();
}
