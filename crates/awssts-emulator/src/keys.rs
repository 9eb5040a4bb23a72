//! Key ids and unique ids in AWS's layout, which embeds the owning account
//! (see [`crate::access_key`]), so GetAccessKeyInfo can answer for any id
//! the emulator made.

use sha2::{Digest, Sha256};

use crate::access_key::{self, KeyKind};

/// A fresh `ASIA…` key id for a session of `account`.
pub(crate) fn temporary_key_id(account: &str) -> String {
    let mut random = [0u8; 5];
    if getrandom::fill(&mut random).is_err() {
        // Key ids only need to be distinct; the request-id generator is a
        // fine fallback for the 39 random bits.
        let id = crate::ids::request_id();
        let digest = Sha256::digest(id.as_bytes());
        random.copy_from_slice(&digest[..5]);
    }
    access_key::new_access_key_id(KeyKind::Temporary, account, &random)
        .unwrap_or_else(|_| format!("ASIA{}", crate::ids::random_base32(16)))
}

/// A stable id of `kind` (`AROA…`, `AIDA…`) for the principal `arn` of
/// `account`: the same ARN always gets the same id.
pub(crate) fn stable_id(kind: KeyKind, account: &str, arn: &str) -> String {
    let digest = Sha256::digest(arn.as_bytes());
    let mut random = [0u8; 5];
    random.copy_from_slice(&digest[..5]);
    access_key::new_access_key_id(kind, account, &random)
        .unwrap_or_else(|_| crate::ids::unique_id(kind.prefix(), arn))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access_key::account_of;

    #[test]
    fn ids_carry_their_account() {
        let k = temporary_key_id("444455556666");
        assert!(k.starts_with("ASIA") && k.len() == 20, "{k}");
        assert_eq!(account_of(&k).as_deref(), Some("444455556666"));
        let r = stable_id(
            KeyKind::Role,
            "111122223333",
            "arn:aws:iam::111122223333:role/x",
        );
        assert_eq!(
            r,
            stable_id(
                KeyKind::Role,
                "111122223333",
                "arn:aws:iam::111122223333:role/x"
            )
        );
        assert!(r.starts_with("AROA"));
        assert_eq!(account_of(&r).as_deref(), Some("111122223333"));
    }
}
