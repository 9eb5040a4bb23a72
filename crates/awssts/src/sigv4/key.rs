//! The derived signing key, `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date),
//! region), service), "aws4_request")`, and a small process-wide cache of it.
//!
//! Deriving costs four HMACs; a cache hit costs a short lock and a copy of a
//! MAC state already keyed with the result, so a steady stream of requests
//! pays one HMAC per signature.

use std::fmt;
use std::sync::Mutex;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

use super::sink::HmacKey;

type HmacSha256 = Hmac<Sha256>;

/// Entries kept; a process signing for more distinct (secret, day, region,
/// service) combinations than this at once just derives more often.
const CACHE_CAPACITY: usize = 16;

/// A derived SigV4 signing key. Zeroized on drop, never printed.
#[derive(Clone)]
pub struct SigningKey([u8; 32]);

impl SigningKey {
    /// Derives the key for a secret access key and a credential scope.
    pub fn derive(secret_access_key: &str, date: &str, region: &str, service: &str) -> Self {
        let mut seed = Zeroizing::new(Vec::with_capacity(4 + secret_access_key.len()));
        seed.extend_from_slice(b"AWS4");
        seed.extend_from_slice(secret_access_key.as_bytes());
        let k_date = Zeroizing::new(hmac(&seed, date.as_bytes()));
        let k_region = Zeroizing::new(hmac(&*k_date, region.as_bytes()));
        let k_service = Zeroizing::new(hmac(&*k_region, service.as_bytes()));
        Self(hmac(&*k_service, b"aws4_request"))
    }

    /// The raw key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub(crate) fn hmac_key(&self) -> HmacKey {
        HmacKey::new(&self.0)
    }
}

impl Drop for SigningKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(** redacted **)")
    }
}

pub(crate) fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(data);
    mac.finalize().into_bytes().into()
}

struct Entry {
    secret: Zeroizing<Box<[u8]>>,
    date: [u8; 8],
    region: Box<str>,
    service: Box<str>,
    /// The signing key as HMAC states (its inner and outer pads
    /// absorbed); copying it skips two compressions per signature.
    mac: HmacKey,
    /// What [`sign`](super::sign) checked and wrote for the credential it
    /// last signed with under this key.
    signer: Option<Signer>,
}

/// Per-credential work `sign` does once: checking the access key id,
/// scope and session token, and writing the start of the `Authorization`
/// value, which only depend on the credential and the scope.
struct Signer {
    access_key_id: Box<str>,
    /// The session token checked, wiped when the entry goes.
    token: Option<Zeroizing<Box<[u8]>>>,
    /// Whether that token's canonical form is the token itself.
    token_plain: bool,
    /// `AWS4-HMAC-SHA256 Credential=AKID/scope, SignedHeaders=`.
    authorization_prefix: Box<str>,
}

/// The credential and scope `sign` looks up.
pub(crate) struct SignerKey<'a> {
    pub(crate) access_key_id: &'a str,
    pub(crate) secret: &'a str,
    pub(crate) token: Option<&'a str>,
    pub(crate) date: &'a [u8],
    pub(crate) region: &'a str,
    pub(crate) service: &'a str,
}

/// A hit of [`signer_hit`].
pub(crate) struct SignerHit {
    pub(crate) key: HmacKey,
    pub(crate) token_plain: bool,
}

/// The cached signing key and per-credential checks for `k`, when `sign`
/// has remembered them: the `Authorization` prefix is appended to `auth`.
/// A hit means the access key id, scope and token were checked before.
pub(crate) fn signer_hit(k: &SignerKey<'_>, auth: &mut String) -> Option<SignerHit> {
    let cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    let e = cache.entries.iter().find(|e| {
        e.matches(k.secret.as_bytes(), k.date, k.region, k.service)
            && e.signer.as_ref().is_some_and(|s| {
                *s.access_key_id == *k.access_key_id
                    && s.token.as_ref().map(|t| &t[..]) == k.token.map(str::as_bytes)
            })
    })?;
    let signer = e.signer.as_ref()?;
    auth.push_str(&signer.authorization_prefix);
    Some(SignerHit {
        key: e.mac.clone(),
        token_plain: signer.token_plain,
    })
}

/// Remembers what `sign` checked and wrote for `k` (after [`keyed_mac`]
/// cached its key), for [`signer_hit`] to find.
pub(crate) fn remember_signer(k: &SignerKey<'_>, token_plain: bool, authorization_prefix: &str) {
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(e) = cache
        .entries
        .iter_mut()
        .find(|e| e.matches(k.secret.as_bytes(), k.date, k.region, k.service))
    {
        e.signer = Some(Signer {
            access_key_id: k.access_key_id.into(),
            token: k.token.map(|t| Zeroizing::new(t.as_bytes().into())),
            token_plain,
            authorization_prefix: authorization_prefix.into(),
        });
    }
}

impl Entry {
    fn matches(&self, secret: &[u8], date: &[u8], region: &str, service: &str) -> bool {
        &self.date[..] == date
            && &*self.region == region
            && &*self.service == service
            && &self.secret[..] == secret
    }
}

struct Cache {
    entries: Vec<Entry>,
    next_victim: usize,
}

static CACHE: Mutex<Cache> = Mutex::new(Cache {
    entries: Vec::new(),
    next_victim: 0,
});

/// A MAC keyed with the signing key for this scope, from the cache when it
/// has one.
pub(crate) fn keyed_mac(secret: &str, date: &str, region: &str, service: &str) -> HmacKey {
    let secret_bytes = secret.as_bytes();
    {
        // A poisoned lock only means another thread panicked mid-insert; the
        // entries are still whole, so keep using them.
        let cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = cache
            .entries
            .iter()
            .find(|e| e.matches(secret_bytes, date.as_bytes(), region, service))
        {
            return e.mac.clone();
        }
    }
    let mac = SigningKey::derive(secret, date, region, service).hmac_key();
    let mut date_bytes = [0u8; 8];
    if date.len() == 8 {
        date_bytes.copy_from_slice(date.as_bytes());
    } else {
        // Not a scope date SigV4 produces; do not cache it.
        return mac;
    }
    let entry = Entry {
        secret: Zeroizing::new(secret_bytes.into()),
        date: date_bytes,
        region: region.into(),
        service: service.into(),
        mac: mac.clone(),
        signer: None,
    };
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if cache.entries.len() < CACHE_CAPACITY {
        cache.entries.push(entry);
    } else {
        let victim = cache.next_victim;
        cache.entries[victim] = entry;
        cache.next_victim = (victim + 1) % CACHE_CAPACITY;
    }
    mac
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigv4::encode::hex32;
    use crate::sigv4::sink::Sink;

    #[test]
    fn derives_the_documented_key() {
        // From the AWS documentation's key-derivation example.
        let key = SigningKey::derive(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20120215",
            "us-east-1",
            "iam",
        );
        assert_eq!(
            std::str::from_utf8(&hex32(key.as_bytes())).unwrap(),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
        assert_eq!(format!("{key:?}"), "SigningKey(** redacted **)");
    }

    #[test]
    fn cached_mac_equals_fresh_derivation() {
        let secret = "cached-mac-test-secret";
        for region in ["eu-west-1", "us-east-1", "eu-west-1"] {
            let cached = keyed_mac(secret, "20240101", region, "sts");
            let mut sink = cached.sink();
            sink.put(b"payload");
            let expected = hmac(
                SigningKey::derive(secret, "20240101", region, "sts").as_bytes(),
                b"payload",
            );
            assert_eq!(cached.finish(&mut sink), expected);
        }
    }

    #[test]
    fn cache_eviction_keeps_answers_right() {
        for i in 0..(CACHE_CAPACITY * 3) {
            let secret = format!("secret-{i}");
            let mac = keyed_mac(&secret, "20240102", "us-west-2", "sts");
            let mut sink = mac.sink();
            sink.put(b"x");
            let expected = hmac(
                SigningKey::derive(&secret, "20240102", "us-west-2", "sts").as_bytes(),
                b"x",
            );
            assert_eq!(mac.finish(&mut sink), expected);
        }
    }
}
