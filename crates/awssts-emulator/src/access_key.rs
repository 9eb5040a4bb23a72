//! AWS-style access key ids and the account number they carry.
//!
//! Since 2019 the 16 characters after an id's four-letter prefix are the
//! base32 (RFC 4648 alphabet `A-Z2-7`, no padding) encoding of 10 bytes. The
//! first six of them, read as a big-endian integer, hold the owning account
//! in bits 7..47; the rest is random. That is what lets
//! `GetAccessKeyInfo` answer without a lookup, and what this module mirrors:
//! [`new_access_key_id`] builds ids in that layout and [`account_of`] reads
//! the account back out of any id.

use thiserror::Error;

/// The RFC 4648 base32 alphabet (also of IAM unique ids).
pub(crate) const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Length of every id this module makes or reads: prefix + 16 base32 chars.
pub const KEY_ID_LEN: usize = 20;

/// The largest 12-digit account number.
const MAX_ACCOUNT: u64 = 999_999_999_999;

/// Which kind of identifier to mint; each has its own prefix in AWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// An IAM user's long-term access key (`AKIA`).
    LongTerm,
    /// A temporary access key issued by STS (`ASIA`).
    Temporary,
    /// A role's unique id, the first half of an assumed-role user id (`AROA`).
    Role,
    /// An IAM user's unique id (`AIDA`).
    User,
}

impl KeyKind {
    /// The four-letter prefix AWS uses for this kind.
    pub const fn prefix(self) -> &'static str {
        match self {
            KeyKind::LongTerm => "AKIA",
            KeyKind::Temporary => "ASIA",
            KeyKind::Role => "AROA",
            KeyKind::User => "AIDA",
        }
    }
}

/// Why an id could not be minted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AccessKeyError {
    /// The account is not exactly 12 ASCII digits.
    #[error(
        "account id {account:?} is not 12 digits; use a 12-digit AWS account number such as 123456789012"
    )]
    InvalidAccount {
        /// The rejected account id (not a secret).
        account: String,
    },
}

/// Mints a 20-character id of `kind` that embeds `account`.
///
/// `random` supplies the 39 random bits (the top bit of `random[0]` is
/// unused); pass fresh bytes from a CSPRNG, e.g. via [`random_access_key_id`].
/// Errors when `account` is not 12 digits.
pub fn new_access_key_id(
    kind: KeyKind,
    account: &str,
    random: &[u8; 5],
) -> Result<String, AccessKeyError> {
    let account_num = parse_account(account).ok_or_else(|| AccessKeyError::InvalidAccount {
        account: account.to_owned(),
    })?;
    // Bits 7..47 of the first six bytes carry the account; bit 47 stays 0
    // and the low seven bits take random bits, as in AWS's own ids.
    let head = (account_num << 7) | u64::from(random[0] & 0x7f);
    let mut raw = [0u8; 10];
    raw[..6].copy_from_slice(&head.to_be_bytes()[2..]);
    raw[6..].copy_from_slice(&random[1..]);

    let mut id = String::with_capacity(KEY_ID_LEN);
    id.push_str(kind.prefix());
    base32_encode_into(&raw, &mut id);
    Ok(id)
}

/// Mints an id with random bits drawn from `rng`.
///
/// Errors when `account` is not 12 digits or the RNG fails.
pub fn random_access_key_id(
    kind: KeyKind,
    account: &str,
    rng: &dyn ring::rand::SecureRandom,
) -> Result<String, RandomKeyIdError> {
    let mut random = [0u8; 5];
    rng.fill(&mut random)
        .map_err(|_| RandomKeyIdError::Random(RandomError))?;
    Ok(new_access_key_id(kind, account, &random)?)
}

/// The system random number generator failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("the system random number generator failed; check that the OS entropy source is available")]
pub struct RandomError;

/// Why [`random_access_key_id`] failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RandomKeyIdError {
    /// See [`AccessKeyError`].
    #[error(transparent)]
    Account(#[from] AccessKeyError),
    /// See [`RandomError`].
    #[error(transparent)]
    Random(RandomError),
}

/// The 12-digit (zero-padded) account embedded in an access key id, or
/// `None` when `key_id` is not a 20-character id of four uppercase letters
/// followed by 16 base32 characters, or encodes a number above 12 digits.
///
/// Works for any prefix (`AKIA`, `ASIA`, `AROA`, `AIDA`, `AGPA`, ...). Ids
/// minted before AWS adopted this layout yield some unrelated number, as
/// they do for AWS's own decoders; `AKIAIOSFODNN7EXAMPLE` is one such id.
pub fn account_of(key_id: &str) -> Option<String> {
    let bytes = key_id.as_bytes();
    if bytes.len() != KEY_ID_LEN {
        return None;
    }
    let (prefix, body) = bytes.split_at(4);
    if !prefix.iter().all(u8::is_ascii_uppercase) {
        return None;
    }
    let raw = base32_decode16(body)?;
    let mut head = [0u8; 8];
    head[2..].copy_from_slice(&raw[..6]);
    let account = (u64::from_be_bytes(head) & 0x7fff_ffff_ff80) >> 7;
    (account <= MAX_ACCOUNT).then(|| format!("{account:012}"))
}

fn parse_account(account: &str) -> Option<u64> {
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    account.parse().ok()
}

/// Encodes exactly 10 bytes as 16 base32 characters (80 bits, no padding).
fn base32_encode_into(raw: &[u8; 10], out: &mut String) {
    let mut bits = [0u8; 16];
    let mut value = 0u128;
    for b in raw {
        value = (value << 8) | u128::from(*b);
    }
    for (i, slot) in bits.iter_mut().enumerate() {
        // 16 groups of 5 bits, most significant first.
        *slot = ((value >> (75 - 5 * i)) & 0x1f) as u8;
    }
    out.extend(bits.iter().map(|&v| char::from(ALPHABET[usize::from(v)])));
}

/// Decodes exactly 16 base32 characters into 10 bytes; `None` on any other
/// length or a character outside `A-Z2-7`.
fn base32_decode16(body: &[u8]) -> Option<[u8; 10]> {
    if body.len() != 16 {
        return None;
    }
    let mut value = 0u128;
    for &c in body {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        value = (value << 5) | u128::from(v);
    }
    let bytes = value.to_be_bytes();
    let mut raw = [0u8; 10];
    raw.copy_from_slice(&bytes[6..]);
    Some(raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn published_example_decodes_to_its_account() {
        // A temporary key id published with its account in write-ups of
        // this encoding.
        assert_eq!(
            account_of("ASIAY34FZKBOKMUTVV7A").as_deref(),
            Some("609629065308")
        );
    }

    #[test]
    fn minted_ids_have_the_aws_shape() {
        let id = new_access_key_id(KeyKind::Temporary, "123456789012", &[0xff; 5]).unwrap();
        assert_eq!(id.len(), 20);
        assert!(id.starts_with("ASIA"));
        assert!(id[4..].bytes().all(|b| ALPHABET.contains(&b)));
        assert_eq!(account_of(&id).as_deref(), Some("123456789012"));
    }

    #[test]
    fn each_kind_has_its_prefix() {
        for (kind, prefix) in [
            (KeyKind::LongTerm, "AKIA"),
            (KeyKind::Temporary, "ASIA"),
            (KeyKind::Role, "AROA"),
            (KeyKind::User, "AIDA"),
        ] {
            let id = new_access_key_id(kind, "000000000001", &[1, 2, 3, 4, 5]).unwrap();
            assert!(id.starts_with(prefix), "{id}");
            assert_eq!(account_of(&id).as_deref(), Some("000000000001"));
        }
    }

    #[test]
    fn zero_padded_accounts_round_trip() {
        let id = new_access_key_id(KeyKind::LongTerm, "000000000000", &[0; 5]).unwrap();
        assert_eq!(id, "AKIAAAAAAAAAAAAAAAAA");
        assert_eq!(account_of(&id).as_deref(), Some("000000000000"));
    }

    #[test]
    fn bad_accounts_are_refused() {
        for bad in [
            "",
            "12345678901",
            "1234567890123",
            "12345678901a",
            "-12345678901",
            "１２３４５６７８９０１２",
        ] {
            assert_eq!(
                new_access_key_id(KeyKind::LongTerm, bad, &[0; 5]),
                Err(AccessKeyError::InvalidAccount {
                    account: bad.to_owned()
                })
            );
        }
    }

    #[test]
    fn malformed_ids_have_no_account() {
        for bad in [
            "",
            "ASIA",
            "ASIAY34FZKBOKMUTVV7",
            "ASIAY34FZKBOKMUTVV7AA",
            "asiaY34FZKBOKMUTVV7A",
            "ASIAY34FZKBOKMUTVV7a",
            "ASIAY34FZKBOKMUTVV18",
            "ASIAY34FZKBOKMUTVV7é",
        ] {
            assert_eq!(account_of(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn numbers_beyond_twelve_digits_are_not_accounts() {
        // All 40 account bits set: 1_099_511_627_775, 13 digits.
        assert_eq!(account_of("AKIAP777777777777777"), None);
    }

    #[test]
    fn system_rng_ids_round_trip() {
        let rng = ring::rand::SystemRandom::new();
        let a = random_access_key_id(KeyKind::Temporary, "123456789012", &rng).unwrap();
        let b = random_access_key_id(KeyKind::Temporary, "123456789012", &rng).unwrap();
        assert_ne!(a, b);
        assert_eq!(account_of(&a).as_deref(), Some("123456789012"));
    }

    proptest! {
        #[test]
        fn round_trip(account in 0u64..=MAX_ACCOUNT, random in any::<[u8; 5]>(), kind in 0usize..4) {
            let kind = [KeyKind::LongTerm, KeyKind::Temporary, KeyKind::Role, KeyKind::User][kind];
            let account = format!("{account:012}");
            let id = new_access_key_id(kind, &account, &random).unwrap();
            prop_assert_eq!(id.len(), KEY_ID_LEN);
            prop_assert!(id.starts_with(kind.prefix()));
            prop_assert_eq!(account_of(&id), Some(account));
        }

        #[test]
        fn random_bits_change_the_id(account in 0u64..=MAX_ACCOUNT, a in any::<[u8; 5]>(), b in any::<[u8; 5]>()) {
            let account = format!("{account:012}");
            let ia = new_access_key_id(KeyKind::Temporary, &account, &a).unwrap();
            let ib = new_access_key_id(KeyKind::Temporary, &account, &b).unwrap();
            // Only the top bit of the first random byte is unused.
            let same = a[0] & 0x7f == b[0] & 0x7f && a[1..] == b[1..];
            prop_assert_eq!(ia == ib, same);
        }

        #[test]
        fn account_of_never_panics(s in ".{0,40}") {
            if let Some(account) = account_of(&s) {
                prop_assert_eq!(account.len(), 12);
            }
        }

        #[test]
        fn account_of_any_base32_id(body in "[A-Z2-7]{16}") {
            let id = format!("AKIA{body}");
            // Every well-formed id either yields a 12-digit account or is
            // past the 12-digit range.
            if let Some(account) = account_of(&id) {
                prop_assert_eq!(account.len(), 12);
            }
        }
    }
}
