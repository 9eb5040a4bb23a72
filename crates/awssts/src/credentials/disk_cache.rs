//! A credentials cache shared across processes, in the AWS CLI's own files.
//!
//! The AWS CLI keeps assumed-role sessions in `~/.aws/cli/cache`, one JSON
//! file per set of AssumeRole arguments, named by their SHA-1
//! ([`AssumeRoleArgs::cache_key`]). [`DiskCache`] reads and writes the same
//! files in the same format, so awssts, the AWS CLI and boto3 (when it is
//! given that directory) reuse each other's sessions, and a short-lived
//! program stops calling AssumeRole, and prompting for an MFA code, on every
//! run.
//!
//! What the AWS CLI does not do: [`DiskCache::get_or_refresh`] holds an
//! exclusive file lock (`<key>.lock`) while it re-checks the file and
//! fetches, so any number of processes that need the same session at the
//! same moment call the source once. Files are written `0600` through a
//! temporary file and a rename, so a reader never sees half a file; a file
//! that is corrupt or expired is ignored and replaced. The cache never
//! causes an outage: when the lock or the directory cannot be used, the
//! source is called directly and a warning logged.
//!
//! ```no_run
//! # async fn demo(source: std::sync::Arc<dyn awssts::credentials::ProvideCredentials>)
//! # -> Result<(), Box<dyn std::error::Error>> {
//! use awssts::credentials::disk_cache::{AssumeRoleArgs, DiskCache, DiskCachedProvider};
//! use awssts::env::Env;
//!
//! let cache = DiskCache::from_env(&Env::process())?;
//! let key = AssumeRoleArgs::new("arn:aws:iam::123456789012:role/demo")
//!     .role_session_name("me")
//!     .cache_key();
//! let provider = DiskCachedProvider::new(key, source, cache);
//! # Ok(()) }
//! ```

mod file_format;
mod key;
mod lock;
mod python_json;

use std::fmt;
use std::fs::{File, OpenOptions};
use std::future::Future;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use zeroize::Zeroizing;

pub use key::{AssumeRoleArgs, cache_key};

use crate::credentials::sts_session::credentials_from_sts;
use crate::credentials::{
    Credentials, CredentialsError, ProvideCredentials, ProvideCredentialsFuture,
};
use crate::env::Env;
use crate::model::AssumedRoleUser;

/// How long before expiry cached credentials stop being handed out, unless
/// told otherwise: botocore's window for its assume-role cache, 15 minutes.
pub const DEFAULT_EXPIRY_MARGIN: Duration = Duration::from_secs(15 * 60);

/// How long [`DiskCache::get_or_refresh`] waits for another process's
/// refresh before it fetches on its own. Long enough for an MFA prompt
/// answered at a normal pace in the other process.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(60);

/// Cache files above this size are not AWS CLI cache files.
const MAX_FILE_LEN: u64 = 1 << 20;

/// What went wrong using the disk cache.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiskCacheError {
    /// No home directory to put `~/.aws/cli/cache` in.
    #[error(
        "cannot locate ~/.aws/cli/cache: neither HOME nor USERPROFILE is set; set HOME, \
         or give the directory to DiskCache::new"
    )]
    NoHome,
    /// The key cannot be a file name.
    #[error(
        "disk cache key {key:?} is not a safe file name (use letters, digits, '-', '_' and '.', \
         not starting with '.'); make keys with AssumeRoleArgs::cache_key"
    )]
    InvalidKey {
        /// The rejected key.
        key: String,
    },
    /// The AWS CLI's format needs an expiration, and these credentials have none.
    #[error(
        "credentials without an expiration cannot go in the AWS CLI cache, which requires one; \
         cache only temporary credentials"
    )]
    NoExpiration,
    /// A file operation failed.
    #[error("disk cache: could not {action} {}: {source}", path.display())]
    Io {
        /// What was being done ("create directory", "write", ...).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
}

impl DiskCacheError {
    fn io(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> DiskCacheError {
        let path = path.to_path_buf();
        move |source| DiskCacheError::Io {
            action,
            path,
            source,
        }
    }
}

/// One cached session: the credentials and what STS said about them.
#[derive(Clone, Debug, PartialEq)]
pub struct CacheEntry {
    credentials: Credentials,
    assumed_role_user: Option<AssumedRoleUser>,
    request_id: Option<String>,
}

impl CacheEntry {
    /// An entry holding just the credentials.
    pub fn new(credentials: Credentials) -> Self {
        CacheEntry {
            credentials,
            assumed_role_user: None,
            request_id: None,
        }
    }

    /// An entry from an STS answer (AssumeRole, AssumeRoleWithWebIdentity,
    /// ...): its credentials, named as coming from `provider`, and the
    /// session's identity, whose ARN gives the account id.
    pub fn from_sts(
        credentials: &crate::model::Credentials,
        assumed_role_user: Option<&AssumedRoleUser>,
        provider: &'static str,
    ) -> Self {
        let arn = assumed_role_user.map(|u| u.arn.as_str());
        CacheEntry {
            credentials: credentials_from_sts(credentials, arn, provider),
            assumed_role_user: assumed_role_user.cloned(),
            request_id: None,
        }
    }

    /// With the session's identity (AssumeRole's `AssumedRoleUser`).
    pub fn with_assumed_role_user(mut self, user: AssumedRoleUser) -> Self {
        self.assumed_role_user = Some(user);
        self
    }

    /// With the request id of the STS call that made the session.
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }

    /// The credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The session's identity, when known.
    pub fn assumed_role_user(&self) -> Option<&AssumedRoleUser> {
        self.assumed_role_user.as_ref()
    }

    /// The request id of the STS call, when known.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The credentials, dropping the rest.
    pub fn into_credentials(self) -> Credentials {
        self.credentials
    }
}

impl From<Credentials> for CacheEntry {
    fn from(credentials: Credentials) -> Self {
        CacheEntry::new(credentials)
    }
}

/// A directory of AWS CLI credential cache files. Cheap to clone.
#[derive(Clone, Debug)]
pub struct DiskCache {
    dir: PathBuf,
    margin: Duration,
    lock_timeout: Duration,
    provider: &'static str,
}

impl DiskCache {
    /// A cache in `dir` (created, `0700`, on the first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        DiskCache {
            dir: dir.into(),
            margin: DEFAULT_EXPIRY_MARGIN,
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
            provider: "assume-role",
        }
    }

    /// The AWS CLI's cache, `~/.aws/cli/cache`, with the home directory
    /// from `HOME`, else `USERPROFILE`.
    pub fn from_env(env: &Env) -> Result<Self, DiskCacheError> {
        let home = env.home().ok_or(DiskCacheError::NoHome)?;
        Ok(DiskCache::new(
            Path::new(&home).join(".aws").join("cli").join("cache"),
        ))
    }

    /// Credentials expiring within `margin` are not returned by
    /// [`load`](Self::load) (default [`DEFAULT_EXPIRY_MARGIN`]).
    pub fn with_expiry_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// How long to wait for another process's refresh (default
    /// [`DEFAULT_LOCK_TIMEOUT`]); after that, fetch without the lock.
    pub fn with_lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// The provider name given to credentials read from files (default
    /// `"assume-role"`).
    pub fn with_provider_name(mut self, provider: &'static str) -> Self {
        self.provider = provider;
        self
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file that holds `key` (`<dir>/<key>.json`).
    pub fn path(&self, key: &str) -> Result<PathBuf, DiskCacheError> {
        check_key(key)?;
        Ok(self.dir.join(format!("{key}.json")))
    }

    /// The cached credentials for `key`, unless missing, unreadable, or
    /// expiring within the cache's margin.
    pub fn load(&self, key: &str) -> Option<Credentials> {
        self.load_fresh(key, self.margin)
            .map(CacheEntry::into_credentials)
    }

    /// The whole cached entry for `key`, whatever its expiry; `None` when
    /// missing or unreadable.
    pub fn load_entry(&self, key: &str) -> Option<CacheEntry> {
        let path = match self.path(key) {
            Ok(path) => path,
            Err(e) => {
                tracing::warn!(error = %e, "disk cache key rejected");
                return None;
            }
        };
        let text = match read_small(&path) {
            Ok(text) => text,
            Err(e) => {
                if e.kind() != io::ErrorKind::NotFound {
                    tracing::debug!(path = %path.display(), error = %e, "disk cache file unreadable; ignored");
                }
                return None;
            }
        };
        match file_format::decode(&text, self.provider) {
            Ok(entry) => Some(entry),
            Err(reason) => {
                tracing::debug!(path = %path.display(), reason, "disk cache file corrupt; ignored");
                None
            }
        }
    }

    /// Writes `entry` under `key`: `0600`, through a temporary file in the
    /// same directory, flushed to disk, then renamed over the old file.
    pub fn store(&self, key: &str, entry: &CacheEntry) -> Result<(), DiskCacheError> {
        let path = self.path(key)?;
        let text = file_format::encode(entry)?;
        create_private_dir(&self.dir)?;
        write_atomically(&self.dir, &path, text.as_bytes())
    }

    /// Deletes the file for `key` (after the credentials were refused, say).
    /// A missing file is not an error.
    pub fn remove(&self, key: &str) -> Result<(), DiskCacheError> {
        let path = self.path(key)?;
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                Err(DiskCacheError::io("remove", &path)(e))
            }
            _ => Ok(()),
        }
    }

    /// The credentials for `key`: from the file when they are good for more
    /// than `margin`, otherwise from `fetch`, which is then stored.
    ///
    /// Across processes, `fetch` runs once: the caller takes `<key>.lock`,
    /// reads the file again (another process may have just refreshed it),
    /// and fetches only if it is still missing or expiring. A lock held past
    /// the lock timeout, or a directory that cannot be written, never stops
    /// the caller: it fetches without the lock and logs a warning. Only
    /// `fetch`'s own error is returned.
    pub async fn get_or_refresh<F, Fut, T>(
        &self,
        key: &str,
        margin: Duration,
        fetch: F,
    ) -> Result<Credentials, CredentialsError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, CredentialsError>>,
        T: Into<CacheEntry>,
    {
        if let Some(entry) = self.load_fresh(key, margin) {
            return Ok(entry.into_credentials());
        }
        let held = match self.lock(key).await {
            Ok(held) => Some(held),
            Err(why) => {
                tracing::warn!(
                    key,
                    reason = %why,
                    "disk cache lock not taken; fetching credentials without it"
                );
                None
            }
        };
        if held.is_some()
            && let Some(entry) = self.load_fresh(key, margin)
        {
            return Ok(entry.into_credentials());
        }
        let entry: CacheEntry = fetch().await?.into();
        if entry.credentials.expiration().is_some() {
            if let Err(e) = self.store(key, &entry) {
                tracing::warn!(error = %e, "could not write the disk cache; credentials used anyway");
            }
        } else {
            tracing::debug!(
                key,
                "credentials without an expiration are not written to the disk cache"
            );
        }
        drop(held);
        Ok(entry.into_credentials())
    }

    fn load_fresh(&self, key: &str, margin: Duration) -> Option<CacheEntry> {
        let entry = self.load_entry(key)?;
        let expiration = entry.credentials.expiration()?;
        let fresh = expiration
            .duration_since(SystemTime::now())
            .is_ok_and(|left| left > margin);
        if !fresh {
            tracing::debug!(key, "disk cache entry expired or expiring soon; ignored");
        }
        fresh.then_some(entry)
    }

    async fn lock(&self, key: &str) -> Result<lock::HeldLock, LockError> {
        check_key(key).map_err(|e| LockError(e.to_string()))?;
        create_private_dir(&self.dir).map_err(|e| LockError(e.to_string()))?;
        let path = self.dir.join(format!("{key}.lock"));
        lock::acquire(&path, self.lock_timeout)
            .await
            .map_err(|failure| match failure {
                lock::LockFailure::TimedOut => LockError(format!(
                    "{} still held by another process after {:?}",
                    path.display(),
                    self.lock_timeout
                )),
                lock::LockFailure::Io(e) => {
                    LockError(format!("cannot lock {}: {e}", path.display()))
                }
            })
    }
}

/// Why the refresh lock was not taken (logged, never returned).
struct LockError(String);

impl fmt::Display for LockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A provider whose credentials go through a [`DiskCache`]: the inner
/// provider (an assume-role provider, typically) is called only when the
/// file for `key` is missing or expiring, and once across processes.
#[derive(Clone, Debug)]
pub struct DiskCachedProvider {
    key: String,
    inner: Arc<dyn ProvideCredentials>,
    cache: DiskCache,
    margin: Duration,
}

impl DiskCachedProvider {
    /// Caches `inner`'s credentials under `key` in `cache`, refreshing them
    /// when they expire within the cache's margin.
    pub fn new(
        key: impl Into<String>,
        inner: Arc<dyn ProvideCredentials>,
        cache: DiskCache,
    ) -> Self {
        let margin = cache.margin;
        DiskCachedProvider {
            key: key.into(),
            inner,
            cache,
            margin,
        }
    }

    /// The key of the cache file.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The cache.
    pub fn cache(&self) -> &DiskCache {
        &self.cache
    }
}

impl ProvideCredentials for DiskCachedProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::new(
            self.cache
                .get_or_refresh(&self.key, self.margin, || self.inner.provide_credentials()),
        )
    }

    /// The wrapped provider's name, so that an assume-role provider behind
    /// the disk cache still counts as a role source (role chaining).
    fn provider_name(&self) -> &'static str {
        self.inner.provider_name()
    }
}

fn check_key(key: &str) -> Result<(), DiskCacheError> {
    let ok = !key.is_empty()
        && key.len() <= 200
        && !key.starts_with('.')
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(DiskCacheError::InvalidKey { key: key.into() })
    }
}

fn read_small(path: &Path) -> io::Result<Zeroizing<String>> {
    let mut text = Zeroizing::new(String::new());
    File::open(path)?
        .take(MAX_FILE_LEN)
        .read_to_string(&mut text)?;
    Ok(text)
}

fn create_private_dir(dir: &Path) -> Result<(), DiskCacheError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(DiskCacheError::io("create directory", dir))
}

fn write_atomically(dir: &Path, target: &Path, bytes: &[u8]) -> Result<(), DiskCacheError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let stem = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut attempt = 0;
    let (temp_path, mut file) = loop {
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp_path = dir.join(format!(".{stem}.{}.{nanos}.{n}.tmp", std::process::id()));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&temp_path) {
            Ok(file) => break (temp_path, file),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 8 => attempt += 1,
            Err(e) => return Err(DiskCacheError::io("create temporary file", &temp_path)(e)),
        }
    };
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(DiskCacheError::io("write", &temp_path));
    drop(file);
    let renamed = written.and_then(|()| {
        std::fs::rename(&temp_path, target).map_err(DiskCacheError::io("rename into", target))
    });
    if renamed.is_err() {
        let _ = std::fs::remove_file(&temp_path);
        return renamed;
    }
    // The rename is durable once the directory entry is on disk too.
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_could_leave_the_directory_are_refused() {
        for bad in ["", "..", ".hidden", "a/b", "a\\b", "a:b", "x y"] {
            assert!(check_key(bad).is_err(), "{bad:?}");
        }
        check_key("5f52c9c583acfd120a607977e4f21fe86b7fa42d").unwrap();
    }

    #[test]
    fn an_sts_answer_becomes_an_entry_with_its_account() {
        let sts = crate::model::Credentials {
            access_key_id: "ASIASTS".into(),
            secret_access_key: crate::SecretString::new("s"),
            session_token: crate::SecretString::new("t"),
            expiration: crate::DateTime::from_unix(1_795_348_800, 0),
        };
        let user = AssumedRoleUser {
            assumed_role_id: "AROA:me".into(),
            arn: "arn:aws:sts::123456789012:assumed-role/demo/me".into(),
        };
        let entry = CacheEntry::from_sts(&sts, Some(&user), "assume-role");
        let c = entry.credentials();
        assert_eq!(c.access_key_id(), "ASIASTS");
        assert_eq!(c.secret_access_key(), "s");
        assert_eq!(c.session_token(), Some("t"));
        assert_eq!(c.account_id(), Some("123456789012"));
        assert_eq!(
            c.expiration(),
            Some(crate::DateTime::from_unix(1_795_348_800, 0).to_system_time())
        );
        assert_eq!(entry.assumed_role_user(), Some(&user));
    }

    #[test]
    fn from_env_finds_the_cli_cache_under_home() {
        let cache = DiskCache::from_env(&Env::from_vars([("USERPROFILE", "/users/me")])).unwrap();
        assert_eq!(cache.dir(), Path::new("/users/me/.aws/cli/cache"));
        let cache =
            DiskCache::from_env(&Env::from_vars([("HOME", "/h"), ("USERPROFILE", "/u")])).unwrap();
        assert_eq!(cache.dir(), Path::new("/h/.aws/cli/cache"));
        let err = DiskCache::from_env(&Env::from_vars([("HOME", "")])).unwrap_err();
        assert!(err.to_string().contains("HOME"), "{err}");
    }
}
