//! The disk cache: files as the AWS CLI keeps them, read and written by
//! botocore itself in the interop tests, and a refresh that runs once when
//! 20 processes ask at the same moment.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use awssts::credentials::disk_cache::{
    AssumeRoleArgs, CacheEntry, DiskCache, DiskCacheError, DiskCachedProvider,
};
use awssts::credentials::{
    Credentials, CredentialsError, ProvideCredentials, ProvideCredentialsFuture,
};
use awssts::model::AssumedRoleUser;

const CANARY_SECRET: &str = "CANARY-SECRET-d1sk-7f3a";
const CANARY_TOKEN: &str = "CANARY-TOKEN-d1sk-90b2";

fn creds(akid: &str, valid_for: Duration) -> Credentials {
    Credentials::new(
        akid,
        CANARY_SECRET,
        Some(CANARY_TOKEN.into()),
        Some(SystemTime::now() + valid_for),
        "assume-role",
    )
}

fn expired(akid: &str) -> Credentials {
    Credentials::new(
        akid,
        CANARY_SECRET,
        Some(CANARY_TOKEN.into()),
        Some(SystemTime::now() - Duration::from_secs(60)),
        "assume-role",
    )
}

fn key() -> String {
    AssumeRoleArgs::new("arn:aws:iam::123456789012:role/demo")
        .role_session_name("tests")
        .cache_key()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

/// A source that counts its calls.
#[derive(Debug, Default)]
struct Counting {
    calls: AtomicUsize,
}

impl ProvideCredentials for Counting {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        ProvideCredentialsFuture::ready(Ok(creds(
            &format!("ASIACOUNT{n}"),
            Duration::from_secs(3600),
        )))
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn round_trip_in_a_private_directory() {
    let home = tempfile::tempdir().unwrap();
    let env = awssts::env::Env::from_vars([("HOME", home.path().to_str().unwrap())]);
    let cache = DiskCache::from_env(&env).unwrap();
    let dir = home.path().join(".aws/cli/cache");
    assert_eq!(cache.dir(), dir);

    let user = {
        let mut u = AssumedRoleUser::default();
        u.assumed_role_id = "AROAEXAMPLE:tests".into();
        u.arn = "arn:aws:sts::123456789012:assumed-role/demo/tests".into();
        u
    };
    let stored = creds("ASIAROUND", Duration::from_secs(3600));
    cache
        .store(
            &key(),
            &CacheEntry::new(stored.clone())
                .with_assumed_role_user(user.clone())
                .with_request_id("req-1"),
        )
        .unwrap();

    let loaded = cache.load(&key()).unwrap();
    assert_eq!(loaded.access_key_id(), "ASIAROUND");
    assert_eq!(loaded.secret_access_key(), CANARY_SECRET);
    assert_eq!(loaded.session_token(), Some(CANARY_TOKEN));
    assert_eq!(loaded.account_id(), Some("123456789012"));
    assert_eq!(loaded.provider_name(), "assume-role");
    // The file keeps whole seconds, as botocore writes them.
    let want = stored
        .expiration()
        .unwrap()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let got = loaded
        .expiration()
        .unwrap()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap();
    assert_eq!(got, Duration::from_secs(want));
    let entry = cache.load_entry(&key()).unwrap();
    assert_eq!(entry.assumed_role_user(), Some(&user));
    assert_eq!(entry.request_id(), Some("req-1"));

    let path = cache.path(&key()).unwrap();
    assert_eq!(path, dir.join(format!("{}.json", key())));
    #[cfg(unix)]
    {
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir), 0o700);
    }
    // Only the file itself is left behind: no temporary files.
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, vec![format!("{}.json", key())]);

    cache.remove(&key()).unwrap();
    assert!(cache.load(&key()).is_none());
    cache.remove(&key()).unwrap();
}

#[cfg(unix)]
#[test]
fn an_existing_world_readable_file_is_replaced_by_a_private_one() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let cache = DiskCache::new(dir.path());
    let path = cache.path(&key()).unwrap();
    std::fs::write(&path, "{}").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    cache
        .store(
            &key(),
            &creds("ASIAPRIVATE", Duration::from_secs(3600)).into(),
        )
        .unwrap();
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn readers_never_see_a_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let cache = DiskCache::new(dir.path());
    cache
        .store(
            &key(),
            &creds("ASIAWRITE0", Duration::from_secs(3600)).into(),
        )
        .unwrap();
    let path = cache.path(&key()).unwrap();
    let writer_cache = cache.clone();
    let writer = std::thread::spawn(move || {
        for i in 1..=300 {
            // Long tokens make each write big enough to be seen half-done
            // if it were written in place.
            let token = format!("{CANARY_TOKEN}{}", "x".repeat(8192 + i));
            let c = Credentials::new(
                format!("ASIAWRITE{i}"),
                CANARY_SECRET,
                Some(token),
                Some(SystemTime::now() + Duration::from_secs(3600)),
                "assume-role",
            );
            writer_cache.store(&key(), &c.into()).unwrap();
        }
    });
    let mut reads = 0;
    while !writer.is_finished() && reads < 100_000 {
        let text = std::fs::read_to_string(&path).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("partial or corrupt file seen after {reads} reads: {e}"));
        assert!(value["Credentials"]["AccessKeyId"].is_string());
        assert!(cache.load(&key()).is_some());
        reads += 1;
    }
    writer.join().unwrap();
    assert_eq!(cache.load(&key()).unwrap().access_key_id(), "ASIAWRITE300");
}

#[test]
fn a_corrupt_file_is_ignored_and_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let cache = DiskCache::new(dir.path());
    let path = cache.path(&key()).unwrap();
    for junk in [
        "",
        "{",
        "null",
        r#"{"Credentials": {"AccessKeyId": "ASIA"}}"#,
        r#"{"Credentials": {"AccessKeyId": "ASIA", "SecretAccessKey": "s", "Expiration": "soon"}}"#,
        "\u{0}\u{1}binary",
    ] {
        std::fs::write(&path, junk).unwrap();
        assert!(cache.load(&key()).is_none(), "{junk:?}");
        let source = Counting::default();
        let got = runtime()
            .block_on(cache.get_or_refresh(&key(), Duration::from_secs(60), || {
                source.provide_credentials()
            }))
            .unwrap();
        assert_eq!(got.access_key_id(), "ASIACOUNT1");
        assert_eq!(source.calls.load(Ordering::SeqCst), 1);
        assert_eq!(cache.load(&key()).unwrap().access_key_id(), "ASIACOUNT1");
    }
}

#[test]
fn expired_and_expiring_files_are_ignored_and_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let cache = DiskCache::new(dir.path());
    for old in [
        expired("ASIAOLD"),
        // Valid, but inside the default 15-minute margin.
        creds("ASIASOON", Duration::from_secs(300)),
    ] {
        cache.store(&key(), &old.into()).unwrap();
        assert!(cache.load(&key()).is_none());
        let source = Counting::default();
        let got = runtime()
            .block_on(cache.get_or_refresh(&key(), Duration::from_secs(900), || {
                source.provide_credentials()
            }))
            .unwrap();
        assert_eq!(got.access_key_id(), "ASIACOUNT1");
        assert_eq!(cache.load(&key()).unwrap().access_key_id(), "ASIACOUNT1");
    }
    // A smaller margin accepts what the default refuses.
    cache
        .store(&key(), &creds("ASIASOON", Duration::from_secs(300)).into())
        .unwrap();
    let short = cache.clone().with_expiry_margin(Duration::from_secs(60));
    assert_eq!(short.load(&key()).unwrap().access_key_id(), "ASIASOON");
}

#[test]
fn a_fresh_file_is_used_without_calling_the_source() {
    let dir = tempfile::tempdir().unwrap();
    let cache = DiskCache::new(dir.path());
    cache
        .store(
            &key(),
            &creds("ASIACACHED", Duration::from_secs(3600)).into(),
        )
        .unwrap();
    let source = Arc::new(Counting::default());
    let provider = DiskCachedProvider::new(key(), source.clone(), cache.clone());
    let rt = runtime();
    for _ in 0..3 {
        let got = rt.block_on(provider.provide_credentials()).unwrap();
        assert_eq!(got.access_key_id(), "ASIACACHED");
    }
    assert_eq!(source.calls.load(Ordering::SeqCst), 0);

    cache.remove(&key()).unwrap();
    for _ in 0..3 {
        let got = rt.block_on(provider.provide_credentials()).unwrap();
        assert_eq!(got.access_key_id(), "ASIACOUNT1");
    }
    assert_eq!(source.calls.load(Ordering::SeqCst), 1);
}

#[test]
fn a_failing_source_fails_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let cache = DiskCache::new(dir.path());
    let err = runtime()
        .block_on(
            cache.get_or_refresh(&key(), Duration::from_secs(60), || async {
                Err::<Credentials, _>(CredentialsError::new("assume-role", "AccessDenied"))
            }),
        )
        .unwrap_err();
    assert_eq!(err.message(), "AccessDenied");
    assert!(!cache.path(&key()).unwrap().exists());
}

#[test]
fn credentials_without_expiration_are_returned_but_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let cache = DiskCache::new(dir.path());
    let long_term = Credentials::from_keys("AKIALONG", CANARY_SECRET);
    let err = cache.store(&key(), &long_term.clone().into()).unwrap_err();
    assert!(matches!(err, DiskCacheError::NoExpiration), "{err}");
    let got = runtime()
        .block_on(
            cache.get_or_refresh(&key(), Duration::from_secs(60), || async {
                Ok::<_, CredentialsError>(long_term.clone())
            }),
        )
        .unwrap();
    assert_eq!(got, long_term);
    assert!(!cache.path(&key()).unwrap().exists());
}

#[test]
fn a_lock_held_too_long_does_not_stop_the_caller() {
    let dir = tempfile::tempdir().unwrap();
    let cache = DiskCache::new(dir.path()).with_lock_timeout(Duration::from_millis(100));
    let held = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.path().join(format!("{}.lock", key())))
        .unwrap();
    held.lock().unwrap();
    let source = Counting::default();
    let got = runtime()
        .block_on(cache.get_or_refresh(&key(), Duration::from_secs(60), || {
            source.provide_credentials()
        }))
        .unwrap();
    assert_eq!(got.access_key_id(), "ASIACOUNT1");
    // Written anyway: the write is atomic, the lock only avoids duplicate fetches.
    assert_eq!(cache.load(&key()).unwrap().access_key_id(), "ASIACOUNT1");
    held.unlock().unwrap();
}

#[test]
fn an_unusable_directory_does_not_stop_the_caller() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "").unwrap();
    let cache = DiskCache::new(file.join("cache"));
    let source = Counting::default();
    let got = runtime()
        .block_on(cache.get_or_refresh(&key(), Duration::from_secs(60), || {
            source.provide_credentials()
        }))
        .unwrap();
    assert_eq!(got.access_key_id(), "ASIACOUNT1");
    let err = cache
        .store(&key(), &creds("ASIAX", Duration::from_secs(3600)).into())
        .unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("not-a-dir"), "{shown}");
}

#[test]
fn an_unsafe_key_is_refused_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let cache = DiskCache::new(dir.path().join("inner"));
    let err = cache
        .store(
            "../escape",
            &creds("ASIAX", Duration::from_secs(3600)).into(),
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("AssumeRoleArgs::cache_key"),
        "{err}"
    );
    assert!(!dir.path().join("escape.json").exists());
    assert!(cache.load("../escape").is_none());
}

#[test]
fn the_canary_secret_never_shows() {
    let dir = tempfile::tempdir().unwrap();
    let cache = DiskCache::new(dir.path());
    let entry = CacheEntry::new(creds("ASIACANARY", Duration::from_secs(3600)));
    cache.store(&key(), &entry).unwrap();
    let loaded = cache.load_entry(&key()).unwrap();
    let provider =
        DiskCachedProvider::new(key(), Arc::new(loaded.credentials().clone()), cache.clone());
    let mut shown = vec![
        format!("{entry:?}"),
        format!("{loaded:#?}"),
        format!("{cache:?}"),
        format!("{provider:?}"),
        loaded.credentials().to_string(),
    ];
    // Errors about the same entry and file.
    let no_exp = cache
        .store(
            &key(),
            &Credentials::from_keys("AKIA", CANARY_SECRET).into(),
        )
        .unwrap_err();
    shown.push(format!("{no_exp} {no_exp:?}"));
    let file = dir.path().join("f");
    std::fs::write(&file, "").unwrap();
    let io = DiskCache::new(file.join("x"))
        .store(&key(), &entry)
        .unwrap_err();
    shown.push(format!("{io} {io:?}"));
    for s in shown {
        assert!(!s.contains("CANARY-"), "{s}");
    }
}

// ---------------------------------------------------------------------------
// 20 processes, one fetch.

const WORKER_DIR: &str = "AWSSTS_TEST_DISK_CACHE_DIR";
const WORKERS: usize = 20;

/// Run by the test below in child processes (ignored when run directly).
/// Waits for the start signal, then asks the disk cache for credentials;
/// the source counts its calls in a file, under its own lock.
#[test]
#[ignore = "child process of twenty_processes_fetch_once"]
fn disk_cache_worker() {
    let Some(dir) = std::env::var_os(WORKER_DIR).map(PathBuf::from) else {
        return;
    };
    let go = dir.join("go");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !go.exists() {
        assert!(Instant::now() < deadline, "no start signal");
        std::thread::sleep(Duration::from_millis(5));
    }
    let cache = DiskCache::new(dir.join("cache")).with_lock_timeout(Duration::from_secs(120));
    let counter = dir.join("fetches");
    let got = runtime()
        .block_on(
            cache.get_or_refresh(&key(), Duration::from_secs(60), || async {
                count_fetch(&counter);
                // Widen the window in which others would fetch too if the lock
                // did not hold them back.
                tokio::time::sleep(Duration::from_millis(300)).await;
                Ok::<_, CredentialsError>(creds(
                    &format!("ASIAPROC{}", std::process::id()),
                    Duration::from_secs(3600),
                ))
            }),
        )
        .unwrap();
    println!("GOT={}", got.access_key_id());
}

fn count_fetch(counter: &Path) {
    let mut f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(counter)
        .unwrap();
    f.lock().unwrap();
    let mut text = String::new();
    f.read_to_string(&mut text).unwrap();
    let n: u32 = text.trim().parse().unwrap_or(0);
    f.set_len(0).unwrap();
    f.rewind().unwrap();
    write!(f, "{}", n + 1).unwrap();
    f.sync_all().unwrap();
    f.unlock().unwrap();
}

#[test]
fn twenty_processes_fetch_once() {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut children: Vec<_> = (0..WORKERS)
        .map(|_| {
            Command::new(&exe)
                .args([
                    "--ignored",
                    "--exact",
                    "disk_cache_worker",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(WORKER_DIR, dir.path())
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    File::create(dir.path().join("go")).unwrap();

    let deadline = Instant::now() + Duration::from_secs(300);
    let mut got = Vec::new();
    for child in &mut children {
        loop {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            if Instant::now() > deadline {
                for c in &mut children {
                    let _ = c.kill();
                }
                panic!("workers did not finish within 300 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "worker failed: {}\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let akid = stdout
            .lines()
            .find_map(|l| l.split_once("GOT=").map(|(_, akid)| akid.trim()))
            .unwrap_or_else(|| panic!("worker printed no credentials:\n{stdout}"))
            .to_owned();
        got.push(akid);
    }
    let fetches = std::fs::read_to_string(dir.path().join("fetches")).unwrap();
    assert_eq!(fetches, "1", "the source was called {fetches} times");
    assert_eq!(got.len(), WORKERS);
    assert!(got.iter().all(|a| *a == got[0]), "{got:?}");
}

// ---------------------------------------------------------------------------
// botocore interop: its own JSONFileCache and AssumeRoleCredentialFetcher.

fn python() -> PathBuf {
    let venv = match std::env::var_os("AWSSTS_VENV") {
        Some(v) => PathBuf::from(v),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv"),
    };
    let python = venv.join("bin/python");
    assert!(
        python.is_file(),
        "no Python at {}: run the tests with scripts/test.sh, which creates the venv \
         (or set AWSSTS_VENV to a venv with boto3)",
        python.display()
    );
    python
}

/// Writes (mode `write`: a fake STS answers) or reads (mode `read`: STS
/// must not be called) the cache through botocore's fetcher, and prints
/// the fetcher's cache key and the credentials it returned.
const BOTOCORE_SCRIPT: &str = r#"
import datetime, json, sys
from botocore.credentials import AssumeRoleCredentialFetcher, Credentials
from botocore.utils import JSONFileCache
from dateutil.parser import parse
from dateutil.tz import tzutc

cache_dir, args_json, mode = sys.argv[1:4]
extra = json.loads(args_json)
role_arn = extra.pop("RoleArn")

class FakeSts:
    def assume_role(self, **kwargs):
        assert kwargs.get("TokenCode") == "123456", kwargs
        return {
            "Credentials": {
                "AccessKeyId": "ASIABOTOCORE",
                "SecretAccessKey": "botocore-secret",
                "SessionToken": "botocore-token",
                "Expiration": datetime.datetime.now(tzutc()) + datetime.timedelta(hours=1),
            },
            "AssumedRoleUser": {
                "AssumedRoleId": "AROABOTOCORE:me",
                "Arn": "arn:aws:sts::210987654321:assumed-role/demo/me",
            },
            "ResponseMetadata": {"RequestId": "req-botocore", "HTTPStatusCode": 200,
                                 "HTTPHeaders": {}, "RetryAttempts": 0},
        }

def client_creator(service, **kwargs):
    if mode != "write":
        raise AssertionError("botocore called STS instead of using the cache")
    return FakeSts()

fetcher = AssumeRoleCredentialFetcher(
    client_creator, Credentials("AKIASOURCE", "source-secret"), role_arn,
    extra_args=extra, cache=JSONFileCache(cache_dir), mfa_prompter=lambda prompt: "123456")
creds = fetcher.fetch_credentials()
expiry = int(parse(creds["expiry_time"]).timestamp())
print(json.dumps({"key": fetcher._cache_key, "creds": creds, "expiry_epoch": expiry}))
"#;

fn botocore(cache_dir: &Path, args: &AssumeRoleArgs, mode: &str) -> serde_json::Value {
    let out = Command::new(python())
        .args(["-c", BOTOCORE_SCRIPT])
        .arg(cache_dir)
        .arg(args.to_json().to_string())
        .arg(mode)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "botocore script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn interop_args() -> AssumeRoleArgs {
    AssumeRoleArgs::new("arn:aws:iam::123456789012:role/interop")
        .role_session_name("me")
        .external_id("ext-ünïcode-1")
        .mfa_serial("arn:aws:iam::123456789012:mfa/me")
        .duration_seconds(3600)
        .policy(
            r#"{"Version": "2012-10-17", "Statement": [{"Resource": "*", "Effect": "Allow",
               "Action": ["s3:GetObject", "s3:ListBucket"], "Sid": "Ünïcode"}]}"#,
        )
}

#[test]
fn botocore_writes_and_we_read() {
    let dir = tempfile::tempdir().unwrap();
    let args = interop_args();
    let answer = botocore(dir.path(), &args, "write");
    assert_eq!(answer["key"], args.cache_key().as_str());
    assert!(
        dir.path()
            .join(format!("{}.json", args.cache_key()))
            .is_file()
    );

    let cache = DiskCache::new(dir.path());
    let entry = cache.load_entry(&args.cache_key()).unwrap();
    let c = entry.credentials();
    assert_eq!(c.access_key_id(), "ASIABOTOCORE");
    assert_eq!(c.secret_access_key(), "botocore-secret");
    assert_eq!(c.session_token(), Some("botocore-token"));
    assert_eq!(c.account_id(), Some("210987654321"));
    assert_eq!(entry.request_id(), Some("req-botocore"));
    assert_eq!(
        entry.assumed_role_user().unwrap().arn,
        "arn:aws:sts::210987654321:assumed-role/demo/me"
    );
    // botocore's own view of the expiry and ours agree to the second.
    let theirs = answer["expiry_epoch"].as_i64().unwrap();
    let ours = awssts::DateTime::from_system_time(c.expiration().unwrap()).unix_seconds();
    assert_eq!(theirs, ours);
    assert!(cache.load(&args.cache_key()).is_some());
}

#[test]
fn we_write_and_botocore_reads() {
    let dir = tempfile::tempdir().unwrap();
    let args = interop_args();
    let cache = DiskCache::new(dir.path());
    let mut user = AssumedRoleUser::default();
    user.assumed_role_id = "AROAAWSSTS:me".into();
    user.arn = "arn:aws:sts::123456789012:assumed-role/interop/me".into();
    let ours = Credentials::new(
        "ASIAAWSSTS",
        "awssts-secret",
        Some("awssts-token".into()),
        Some(SystemTime::now() + Duration::from_secs(3600)),
        "assume-role",
    )
    .with_account_id("123456789012");
    cache
        .store(
            &args.cache_key(),
            &CacheEntry::new(ours.clone())
                .with_assumed_role_user(user)
                .with_request_id("req-awssts"),
        )
        .unwrap();

    let answer = botocore(dir.path(), &args, "read");
    assert_eq!(answer["key"], args.cache_key().as_str());
    let theirs = &answer["creds"];
    assert_eq!(theirs["access_key"], "ASIAAWSSTS");
    assert_eq!(theirs["secret_key"], "awssts-secret");
    assert_eq!(theirs["token"], "awssts-token");
    assert_eq!(theirs["account_id"], "123456789012");
    // botocore hands back the file's own Expiration text and parses it with
    // dateutil; the instant it reads is the one we wrote.
    let expiry = answer["expiry_epoch"].as_i64().unwrap();
    assert_eq!(
        expiry,
        awssts::DateTime::from_system_time(ours.expiration().unwrap()).unix_seconds()
    );
}
