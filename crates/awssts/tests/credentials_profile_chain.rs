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

/// Who STS at `url` says `creds` belong to.
async fn caller_arn(url: &str, creds: awssts::credentials::Credentials) -> String {
    awssts::Client::builder()
        .env(Env::from_vars(std::iter::empty::<(String, String)>()))
        .region("us-east-1")
        .endpoint_url(url)
        .credentials(creds)
        .build()
        .unwrap()
        .get_caller_identity()
        .send()
        .await
        .unwrap()
        .arn
        .unwrap()
}

fn lifetime(creds: &awssts::credentials::Credentials) -> Duration {
    creds
        .expiration()
        .unwrap()
        .duration_since(SystemTime::now())
        .unwrap()
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
    let left = lifetime(&creds);
    assert!(
        left <= Duration::from_secs(3600),
        "role chaining capped at 1 h, got {left:?}"
    );
    assert_eq!(
        caller_arn(&moto.url, creds).await,
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
async fn a_fixed_config_file_is_read_again() {
    let dir = tempfile::tempdir().unwrap();
    let env = env(dir.path(), "[profile p\n", KEYS, &[("AWS_PROFILE", "p")]);
    let provider = ProfileProvider::new(env);
    let err = provider.provide_credentials().await.unwrap_err();
    assert_eq!(
        err.kind(),
        CredentialsErrorKind::InvalidConfiguration,
        "{err}"
    );
    write(dir.path(), "config", "[profile p]\nsource_profile = base\n");
    write(
        dir.path(),
        "credentials",
        &format!("{KEYS}[p]\naws_access_key_id = AKIDFIXED\naws_secret_access_key = s\n"),
    );
    let creds = provider.provide_credentials().await.unwrap();
    assert_eq!(creds.access_key_id(), "AKIDFIXED");
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

/// A role profile whose MFA codes come from a counter, against an emulator
/// whose `admin` role requires MFA and accepts only alice's code 123456.
struct MfaSetup {
    emulator: awssts_emulator::RunningEmulator,
    dir: tempfile::TempDir,
    env: Env,
    asked: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

const ALICE_SERIAL: &str = "arn:aws:iam::111122223333:mfa/alice";
const ADMIN: &str = "arn:aws:iam::111122223333:role/admin";

impl MfaSetup {
    async fn start() -> MfaSetup {
        use awssts_emulator::{Config, RoleConfig, UserConfig};
        let config = Config::default()
            .user(
                UserConfig::new(
                    "arn:aws:iam::111122223333:user/alice",
                    "AKIAALICEEXAMPLE0001",
                    "aliceSecretKeyExampleAliceSecretKeyExamp",
                )
                .with_mfa(ALICE_SERIAL, Some("123456".into())),
            )
            .role(
                RoleConfig::new(ADMIN)
                    .trust(["111122223333"])
                    .mfa_required(true)
                    .max_session_duration(43_200),
            );
        let emulator = awssts_emulator::Emulator::with_config(config)
            .start()
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let url = emulator.url();
        let keys = "[alice]\naws_access_key_id = AKIAALICEEXAMPLE0001\n\
                    aws_secret_access_key = aliceSecretKeyExampleAliceSecretKeyExamp\n";
        let config = format!(
            "[profile admin]\nrole_arn = {ADMIN}\nsource_profile = alice\nmfa_serial = {ALICE_SERIAL}\n\
             region = us-east-1\nendpoint_url = {url}\n\
             [profile admin-long]\nrole_arn = {ADMIN}\nsource_profile = alice\nmfa_serial = {ALICE_SERIAL}\n\
             duration_seconds = 7200\nregion = us-east-1\nendpoint_url = {url}\n\
             [profile alice]\nregion = us-east-1\nendpoint_url = {url}\n"
        );
        let env = env(dir.path(), &config, keys, &[]);
        MfaSetup {
            emulator,
            dir,
            env,
            asked: std::sync::Arc::default(),
        }
    }

    fn provider(&self, profile: &str, code: &'static str) -> ProfileProvider {
        let asked = self.asked.clone();
        ProfileProvider::new(self.env.clone())
            .profile(profile)
            .mfa(MfaCallback::new(move |_| {
                asked.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Ok(code.into())
            }))
    }

    fn disk_cache(&self) -> DiskCache {
        DiskCache::new(self.dir.path().join("cli-cache"))
    }

    fn asked(&self) -> usize {
        self.asked.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_mfa_code_opens_a_session_that_assumes_the_role_again_and_again() {
    let setup = MfaSetup::start().await;
    // In one process: each fetch assumes the role anew (a refresh), signed
    // by the MFA session, which the role's MFA requirement accepts.
    let provider = setup.provider("admin", "123456");
    let first = provider.provide_credentials().await.unwrap();
    let second = provider.provide_credentials().await.unwrap();
    assert_ne!(
        first.access_key_id(),
        second.access_key_id(),
        "two AssumeRole calls"
    );
    assert_eq!(setup.asked(), 1, "one code for both role sessions");
    assert!(
        lifetime(&second) <= Duration::from_secs(3600),
        "AWS caps it: role chaining"
    );
    let arn = caller_arn(&setup.emulator.url(), second).await;
    assert!(
        arn.starts_with("arn:aws:sts::111122223333:assumed-role/admin/"),
        "{arn}"
    );

    // Across processes, with the disk cache: the role session expires (its
    // file goes), and the next process assumes the role with the MFA
    // session from disk: no new code.
    let cache = setup.disk_cache();
    let before = setup.asked();
    let a = setup
        .provider("admin", "123456")
        .disk_cache(cache.clone())
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(
        setup.asked(),
        before + 1,
        "a new process, a new MFA session"
    );
    let role_key = awssts::credentials::disk_cache::AssumeRoleArgs::new(ADMIN)
        .mfa_serial(ALICE_SERIAL)
        .cache_key();
    let role_file = setup
        .dir
        .path()
        .join("cli-cache")
        .join(format!("{role_key}.json"));
    assert!(
        role_file.exists(),
        "the role session is in the AWS CLI's file"
    );
    let files = std::fs::read_dir(setup.dir.path().join("cli-cache")).unwrap();
    let json = files
        .filter_map(Result::ok)
        .filter(|f| f.path().extension().is_some_and(|e| e == "json"))
        .count();
    assert_eq!(json, 2, "the role session and the MFA session");
    std::fs::remove_file(&role_file).unwrap();
    let b = setup
        .provider("admin", "123456")
        .disk_cache(cache)
        .provide_credentials()
        .await
        .unwrap();
    assert_ne!(
        a.access_key_id(),
        b.access_key_id(),
        "the role was assumed again"
    );
    assert_eq!(setup.asked(), before + 1, "with the MFA session from disk");
    setup.emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn longer_role_sessions_and_opting_out_send_the_code_with_assume_role() {
    let setup = MfaSetup::start().await;
    // More than an hour is impossible through a session: the code goes with
    // each AssumeRole, as the AWS CLI sends it.
    let long = setup.provider("admin-long", "123456");
    let creds = long.provide_credentials().await.unwrap();
    assert!(lifetime(&creds) > Duration::from_secs(3600), "{creds:?}");
    long.provide_credentials().await.unwrap();
    assert_eq!(setup.asked(), 2);

    let direct = setup.provider("admin", "123456").mfa_session(false);
    direct.provide_credentials().await.unwrap();
    direct.provide_credentials().await.unwrap();
    assert_eq!(setup.asked(), 4);

    // A wrong code is STS's refusal, named as the MFA session's.
    let err = setup
        .provider("admin", "654321")
        .provide_credentials()
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("GetSessionToken") && msg.contains(ALICE_SERIAL),
        "{msg}"
    );
    assert!(msg.contains("MultiFactorAuthentication failed"), "{msg}");
    assert!(!msg.contains("654321"), "the code is not echoed: {msg}");
    setup.emulator.shutdown().await;
}
