//! One credentials cache per source for the whole process.
//!
//! Libraries and threads that each build a client for the same role would
//! otherwise each keep their own cache and each call STS. Here caches are
//! registered under a string key that names the source and the role
//! parameters (see [`CacheKey`]); every caller asking for the same key gets
//! the same cache, whichever thread it runs on.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Mutex, MutexGuard, OnceLock};

use super::cache::CredentialsCache;

fn registry() -> MutexGuard<'static, HashMap<String, CredentialsCache>> {
    static REGISTRY: OnceLock<Mutex<HashMap<String, CredentialsCache>>> = OnceLock::new();
    // The map is only touched under the lock, never left half-updated.
    REGISTRY
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The process-wide cache for `key`, built with `make` the first time the
/// key is asked for. Later callers get the same cache (clones share it) and
/// their `make` is not called.
///
/// The key is kept in memory and may show up in diagnostics: never put a
/// secret in it.
pub fn cache(key: &str, make: impl FnOnce() -> CredentialsCache) -> CredentialsCache {
    if let Some(found) = registry().get(key) {
        return found.clone();
    }
    // `make` runs without the registry lock: it may itself ask the registry
    // (a role cache whose source is another global cache). If two callers
    // race, the first to insert wins; the loser's cache has fetched nothing
    // yet and is simply dropped.
    let made = make();
    registry().entry(key.to_owned()).or_insert(made).clone()
}

/// The process-wide cache for `key`, if one was registered.
pub fn get(key: &str) -> Option<CredentialsCache> {
    registry().get(key).cloned()
}

/// Forgets the cache for `key` (callers holding a clone keep using it).
pub fn remove(key: &str) -> Option<CredentialsCache> {
    registry().remove(key)
}

/// Builds a registry key from a source name and its parameters, in a form
/// that cannot collide between different parameter sets (each part is
/// length-prefixed).
///
/// ```
/// use awssts::credentials::global::CacheKey;
/// let key = CacheKey::new("assume-role")
///     .param("role_arn", "arn:aws:iam::123456789012:role/deploy")
///     .param("role_session_name", "ci")
///     .build();
/// assert!(key.starts_with("assume-role"));
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct CacheKey {
    key: String,
}

impl CacheKey {
    /// A key for the provider named `source` (e.g. `"assume-role"`).
    pub fn new(source: &str) -> CacheKey {
        CacheKey {
            key: source.to_owned(),
        }
    }

    /// Adds one parameter (never a secret).
    pub fn param(mut self, name: &str, value: &str) -> CacheKey {
        let _ = write!(self.key, "|{}:{name}={}:{value}", name.len(), value.len());
        self
    }

    /// The key string.
    pub fn build(self) -> String {
        self.key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_do_not_collide_across_boundaries() {
        let a = CacheKey::new("s").param("a", "b|1:c=1:d").build();
        let b = CacheKey::new("s").param("a", "b").param("c", "d").build();
        assert_ne!(a, b);
        assert_eq!(a, CacheKey::new("s").param("a", "b|1:c=1:d").build());
    }

    #[test]
    fn make_may_use_the_registry_itself() {
        use crate::credentials::Credentials;
        let outer = cache("global-test-outer", || {
            let source = cache("global-test-source", || {
                CredentialsCache::new(Credentials::from_keys("AKIDSOURCE", "s"))
            });
            CredentialsCache::new(source)
        });
        assert!(get("global-test-source").is_some());
        assert!(outer.same_cache(&cache("global-test-outer", || unreachable!())));
        remove("global-test-outer");
        remove("global-test-source");
    }
}
