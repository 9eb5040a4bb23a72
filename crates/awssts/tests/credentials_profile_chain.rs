//! Profiles resolved into credentials: role chains through moto (two hops),
//! cycles, credential_source, static keys, credential_process, the
//! role-chaining cap, the disk cache, and the default chain's order.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::time::{Duration, SystemTime};

use awssts::credentials::chain::default_chain;
use awssts::credentials::disk_cache::DiskCache;
use awssts::credentials::mfa::MfaCallback;
use awssts::credentials::profile::ProfileProvider;
use awssts::credentials::{CredentialsErrorKind, ProvideCredentials};
use awssts::env::Env;
use support::moto::Moto;

const ACCOUNT: &str = "123456789012";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn env(dir: &Path, config: &str, credentials: &str, extra: &[(&str, &str)]) -> Env {
    let mut vars = vec![
        ("HOME".to_owned(), dir.to_string_lossy().into_owned()),
        ("AWS_CONFIG_FILE".to_owned(), write(dir, "config", config)),
        (
            "AWS_SHARED_CREDENTIALS_FILE".to_owned(),
            write(dir, "credentials", credentials),
        ),
        ("AWS_EC2_METADATA_DISABLED".to_owned(), "true".to_owned()),
    ];
    vars.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    Env::from_vars(vars)
}

const KEYS: &str = "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = canary-secret-base\n";

#[tokio::test]
async fn a_two_hop_role_chain_through_moto() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[profile first]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/first\nsource_profile = base\nrole_session_name = hop1\nregion = us-east-1\nendpoint_url = {url}\n\
         [profile second]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/second\nsource_profile = first\nrole_session_name = hop2\nduration_seconds = 7200\nregion = us-east-1\nendpoint_url = {url}\n",
        url = moto.url
    );
    let env = env(dir.path(), &config, KEYS, &[("AWS_PROFILE", "second")]);
    let creds = ProfileProvider::new(env.clone())
        .provide_credentials()
        .await
        .unwrap();
    assert!(creds.access_key_id().starts_with("ASIA"));
    assert_eq!(creds.account_id(), Some(ACCOUNT));
    let left = creds
        .expiration()
        .unwrap()
        .duration_since(SystemTime::now())
        .unwrap();
    assert!(
        left <= Duration::from_secs(3600),
        "role chaining capped at 1 h, got {left:?}"
    );
    let who = awssts::Client::builder()
        .env(Env::from_vars(std::iter::empty::<(String, String)>()))
        .region("us-east-1")
        .endpoint_url(&moto.url)
        .credentials(creds)
        .build()
        .unwrap()
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(
        who.arn.unwrap(),
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/second/hop2")
    );

    // The default chain finds the same profile.
    let creds = default_chain(&env).provide_credentials().await.unwrap();
    assert_eq!(creds.provider_name(), "assume-role");
}

#[tokio::test]
async fn mfa_and_the_disk_cache_ask_once_across_providers() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[profile admin]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/admin\nsource_profile = base\nmfa_serial = arn:aws:iam::{ACCOUNT}:mfa/alice\nregion = us-east-1\nendpoint_url = {}\n",
        moto.url
    );
    let env = env(dir.path(), &config, KEYS, &[("AWS_PROFILE", "admin")]);
    let asked = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let provider = |asked: std::sync::Arc<std::sync::atomic::AtomicUsize>| {
        ProfileProvider::new(env.clone())
            .mfa(MfaCallback::new(move |_| {
                asked.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Ok("123456".into())
            }))
            .disk_cache(DiskCache::new(dir.path().join("cli-cache")))
    };
    let first = provider(asked.clone()).provide_credentials().await.unwrap();
    // A second process-like provider finds the session on disk: no new code asked.
    let second = provider(asked.clone()).provide_credentials().await.unwrap();
    assert_eq!(first.access_key_id(), second.access_key_id());
    assert_eq!(asked.load(std::sync::atomic::Ordering::SeqCst), 1);
    let files: Vec<_> = std::fs::read_dir(dir.path().join("cli-cache"))
        .unwrap()
        .collect();
    assert!(!files.is_empty());
}

#[tokio::test]
async fn cycles_are_reported_with_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let config = "[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = b\n\
                  [profile b]\nrole_arn = arn:aws:iam::123456789012:role/b\nsource_profile = c\n\
                  [profile c]\nrole_arn = arn:aws:iam::123456789012:role/c\nsource_profile = a\n";
    let env = env(dir.path(), config, "", &[("AWS_PROFILE", "a")]);
    let err = ProfileProvider::new(env)
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
    assert!(err.to_string().contains("a -> b -> c -> a"), "{err}");
}

#[tokio::test]
async fn configuration_mistakes_name_the_profile_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "[profile p]\nrole_arn = arn:aws:iam::1:role/r\n",
            "no source_profile, credential_source",
        ),
        (
            "[profile p]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\ncredential_source = Environment\n",
            "both source_profile and credential_source",
        ),
        (
            "[profile p]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Laptop\n",
            "\"Laptop\" is not one of",
        ),
        (
            "[profile p]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = nowhere\n",
            "\"nowhere\" is not defined",
        ),
        (
            "[profile p]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\nduration_seconds = 60\n",
            "from 900 to 43200",
        ),
    ];
    for (config, expected) in cases {
        let env = env(dir.path(), config, KEYS, &[("AWS_PROFILE", "p")]);
        let err = ProfileProvider::new(env)
            .provide_credentials()
            .await
            .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("\"p\"") && msg.contains(expected),
            "{expected:?} in {msg}"
        );
        assert!(!msg.contains("canary"), "{msg}");
    }
}

#[tokio::test]
async fn static_keys_process_and_credential_source() {
    let dir = tempfile::tempdir().unwrap();
    let script = write(
        dir.path(),
        "creds.sh",
        "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROCESS\", \"SecretAccessKey\": \"s\"}'\n",
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let config = format!("[profile proc]\ncredential_process = {script}\n");
    let e = env(dir.path(), &config, KEYS, &[("AWS_PROFILE", "proc")]);
    let c = ProfileProvider::new(e).provide_credentials().await.unwrap();
    assert_eq!(c.access_key_id(), "AKIDPROCESS");

    let e = env(dir.path(), "", KEYS, &[("AWS_PROFILE", "base")]);
    let c = ProfileProvider::new(e).provide_credentials().await.unwrap();
    assert_eq!(c.secret_access_key(), "canary-secret-base");

    // credential_source = Environment: the environment's keys sign AssumeRole.
    let moto = Moto::start();
    let config = format!(
        "[profile envrole]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/fromenv\ncredential_source = Environment\nregion = us-east-1\nendpoint_url = {}\n",
        moto.url
    );
    let e = env(
        dir.path(),
        &config,
        "",
        &[
            ("AWS_PROFILE", "envrole"),
            ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
            (
                "AWS_SECRET_ACCESS_KEY",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            ),
        ],
    );
    let c = ProfileProvider::new(e).provide_credentials().await.unwrap();
    assert_eq!(c.provider_name(), "assume-role");
}

#[tokio::test]
async fn the_default_chain_says_what_it_tried() {
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path(), "", "", &[]);
    let err = default_chain(&e).provide_credentials().await.unwrap_err();
    let msg = err.to_string();
    for provider in [
        "environment",
        "profile",
        "web-identity",
        "container",
        "imds",
    ] {
        assert!(
            msg.contains(&format!("{provider}:")),
            "{provider} missing from {msg}"
        );
    }
    // The environment wins over a profile.
    let e = env(
        dir.path(),
        "",
        KEYS,
        &[
            ("AWS_PROFILE", "base"),
            ("AWS_ACCESS_KEY_ID", "AKIDENV"),
            ("AWS_SECRET_ACCESS_KEY", "x"),
        ],
    );
    let c = default_chain(&e).provide_credentials().await.unwrap();
    assert_eq!(c.access_key_id(), "AKIDENV");
}

#[tokio::test]
async fn providers_holding_the_environment_never_print_its_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let e = env(
        dir.path(),
        "",
        KEYS,
        &[
            ("AWS_PROFILE", "base"),
            ("AWS_ACCESS_KEY_ID", "AKIDENV"),
            ("AWS_SECRET_ACCESS_KEY", "canary-secret-env"),
        ],
    );
    // Resolved, so its Debug also shows the provider tree (static keys).
    let profile = ProfileProvider::new(e.clone());
    profile.provide_credentials().await.unwrap();
    let chain = default_chain(&e);
    for shown in [
        format!("{profile:?}"),
        format!("{chain:?}"),
        format!("{e:?}"),
    ] {
        assert!(!shown.contains("canary"), "{shown}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_tags_from_the_profile_reach_sts() {
    // The emulator enforces STS's tag rules, so its refusals prove what was sent.
    let emulator = awssts_emulator::Emulator::new().start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let keys = "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";
    let url = emulator.url();
    let config = format!(
        "[default]\nregion = us-east-1\nendpoint_url = {url}\n\
         [profile tagged]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/tagged\nsource_profile = base\n\
         session_tags = team=infra, project=alpha\ntransitive_session_tags = team\nregion = us-east-1\nendpoint_url = {url}\n\
         [profile missing]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/tagged\nsource_profile = base\n\
         session_tags = team=infra\ntransitive_session_tags = owner\nregion = us-east-1\nendpoint_url = {url}\n\
         [profile override]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/next\nsource_profile = tagged\n\
         session_tags = Team=other\ntransitive_session_tags = Team\nregion = us-east-1\nendpoint_url = {url}\n\
         [profile malformed]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/tagged\nsource_profile = base\n\
         session_tags = team\nregion = us-east-1\nendpoint_url = {url}\n"
    );
    let env = env(dir.path(), &config, keys, &[]);
    let provider = |name: &str| ProfileProvider::new(env.clone()).profile(name);

    let creds = provider("tagged").provide_credentials().await.unwrap();
    assert!(creds.access_key_id().starts_with("ASIA"));

    let err = provider("missing").provide_credentials().await.unwrap_err();
    assert!(
        err.to_string()
            .contains("The specified transitive tag key must be included in the requested tags."),
        "{err}"
    );

    // The first hop's transitive `team` cannot be overridden (keys are case-insensitive).
    let err = provider("override")
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("conflicts with a transitive tag key"),
        "{err}"
    );

    let err = provider("malformed")
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
    let msg = err.to_string();
    assert!(
        msg.contains("\"malformed\"") && msg.contains("session_tags") && msg.contains("key=value"),
        "{msg}"
    );
    emulator.shutdown().await;
}
