//! Identifiers the emulator makes up: request ids, IAM unique ids (`AIDA…`,
//! `AROA…`), all cheap (no lock, no system call per request).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

use crate::access_key::ALPHABET as BASE32;

fn seed() -> u64 {
    static SEED: OnceLock<u64> = OnceLock::new();
    *SEED.get_or_init(|| {
        let mut b = [0u8; 8];
        if getrandom::fill(&mut b).is_err() {
            // Request ids only need to be distinct within a run.
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0x9e37_79b9_7f4a_7c15);
            b = t.to_le_bytes();
        }
        u64::from_le_bytes(b)
    })
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A fresh request id in UUID form (version 4 layout), unique per process.
pub(crate) fn request_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let s = seed();
    let hi = splitmix(s ^ n);
    let lo = splitmix(hi ^ n.rotate_left(17) ^ s.rotate_left(29));
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0x0fff,
        0x8000 | (lo >> 48 & 0x3fff),
        lo & 0xffff_ffff_ffff
    )
}

/// A stable IAM unique id for `name`: `prefix` and 17 base32 characters
/// derived from it, so the same role always gets the same `AROA…` id.
pub(crate) fn unique_id(prefix: &str, name: &str) -> String {
    let digest = Sha256::digest(name.as_bytes());
    let mut out = String::with_capacity(prefix.len() + 17);
    out.push_str(prefix);
    for b in digest.iter().take(17) {
        out.push(char::from(BASE32[usize::from(b & 31)]));
    }
    out
}

/// Random characters from the access-key alphabet.
pub(crate) fn random_base32(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    if getrandom::fill(&mut bytes).is_err() {
        static COUNTER: AtomicU64 = AtomicU64::new(1);
        let mut x = splitmix(seed() ^ COUNTER.fetch_add(1, Ordering::Relaxed));
        for b in &mut bytes {
            x = splitmix(x);
            *b = x as u8;
        }
    }
    bytes
        .iter()
        .map(|b| char::from(BASE32[usize::from(b & 31)]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_uuid_shaped_and_distinct() {
        let a = request_id();
        let b = request_id();
        assert_ne!(a, b);
        for id in [a, b] {
            let groups: Vec<&str> = id.split('-').collect();
            let lens: Vec<usize> = groups.iter().map(|g| g.len()).collect();
            assert_eq!(lens, [8, 4, 4, 4, 12], "{id}");
            assert!(groups[2].starts_with('4'));
            assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
        }
    }

    #[test]
    fn unique_ids_are_stable() {
        let a = unique_id("AROA", "arn:aws:iam::123456789012:role/x");
        assert_eq!(a, unique_id("AROA", "arn:aws:iam::123456789012:role/x"));
        assert_ne!(a, unique_id("AROA", "arn:aws:iam::123456789012:role/y"));
        assert_eq!(a.len(), 21);
        assert_eq!(random_base32(16).len(), 16);
    }
}
