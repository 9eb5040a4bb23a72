//! Temporary credentials that need no server state.
//!
//! The session token is the base64 of a serialized [`Session`] followed by
//! an HMAC-SHA256 over it, keyed with the emulator's random master key; the
//! secret access key is derived from the master key and the access key id.
//! So any credentials this emulator issued can be checked by recomputing
//! two MACs, and nothing issued by another emulator instance is accepted.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

type HmacSha256 = Hmac<Sha256>;

/// What kind of principal a session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Kind {
    /// AssumeRole, AssumeRoleWithWebIdentity, AssumeRoleWithSAML.
    AssumedRole,
    /// GetFederationToken.
    FederatedUser,
    /// GetSessionToken: the user itself, with temporary keys.
    UserSession,
    /// AssumeRoot: the root user of a member account.
    RootSession,
    /// GetDelegatedAccessToken: the principal the trade-in token named.
    Delegated,
}

/// Everything the emulator needs to know about a temporary session.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Session {
    pub kind: Kind,
    /// The ARN GetCallerIdentity returns.
    pub arn: String,
    /// The UserId GetCallerIdentity returns.
    pub user_id: String,
    pub account: String,
    /// The access key id the session was issued with.
    pub access_key_id: String,
    /// Expiry, Unix seconds.
    pub expires: u64,
    /// For assumed roles: the role's ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_identity: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transitive_tag_keys: Vec<String>,
    #[serde(default)]
    pub mfa: bool,
    /// Duration asked for when issued, seconds (GetWebIdentityToken keeps
    /// tokens within it).
    #[serde(default)]
    pub duration: u32,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("kind", &self.kind)
            .field("arn", &self.arn)
            .field("access_key_id", &self.access_key_id)
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

/// Why a session token was refused. Callers answer `InvalidClientTokenId`
/// for all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenError {
    /// Not base64, too short, or not a session this emulator wrote.
    Invalid,
    /// Issued for another access key id.
    KeyMismatch,
}

const VERSION: u8 = 1;
const MAC_LEN: usize = 32;
/// Session tokens longer than this are refused before decoding.
const MAX_TOKEN_LEN: usize = 16 * 1024;

/// Issues and checks sessions with one master key.
#[derive(Clone)]
pub(crate) struct Codec {
    /// HMAC-SHA256 keyed with the master key once; each MAC starts from a
    /// clone of it instead of keying again.
    keyed: HmacSha256,
}

impl fmt::Debug for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Codec(** redacted **)")
    }
}

impl Codec {
    /// A codec with a fresh random master key.
    pub(crate) fn random() -> Result<Self, getrandom::Error> {
        let mut key = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut *key)?;
        Ok(Codec::keyed(&key))
    }

    fn keyed(key: &[u8; 32]) -> Self {
        // HMAC zero-pads a short key to SHA-256's 64-byte block, so the padded
        // block keys the same MAC, through KeyInit::new, which cannot fail.
        let mut block = Zeroizing::new([0u8; 64]);
        block[..32].copy_from_slice(key);
        Codec {
            keyed: HmacSha256::new(&(*block).into()),
        }
    }

    fn mac(&self, domain: &[u8], data: &[u8]) -> [u8; 32] {
        let mut mac = self.keyed.clone();
        mac.update(domain);
        mac.update(&[0]);
        mac.update(data);
        mac.finalize().into_bytes().into()
    }

    /// The 40-character secret access key of `access_key_id`.
    pub(crate) fn secret_for(&self, access_key_id: &str) -> Zeroizing<String> {
        let mac = self.mac(b"secret", access_key_id.as_bytes());
        Zeroizing::new(STANDARD.encode(&mac[..30]))
    }

    /// The session token for `session`.
    pub(crate) fn encode(&self, session: &Session) -> String {
        let mut data = vec![VERSION];
        // Serializing plain strings, numbers and bools cannot fail.
        if let Ok(json) = serde_json::to_vec(session) {
            data.extend_from_slice(&json);
        }
        let mac = self.mac(b"session", &data);
        data.extend_from_slice(&mac);
        STANDARD.encode(&data)
    }

    /// Checks a token's MAC and reads it.
    pub(crate) fn decode(&self, token: &str) -> Result<Session, TokenError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::Invalid);
        }
        let raw = STANDARD
            .decode(token.trim())
            .map_err(|_| TokenError::Invalid)?;
        if raw.len() <= MAC_LEN + 1 {
            return Err(TokenError::Invalid);
        }
        let (data, mac) = raw.split_at(raw.len() - MAC_LEN);
        let expected = self.mac(b"session", data);
        if !bool::from(subtle::ConstantTimeEq::ct_eq(&expected[..], mac)) {
            return Err(TokenError::Invalid);
        }
        let (version, json) = data.split_first().ok_or(TokenError::Invalid)?;
        if *version != VERSION {
            return Err(TokenError::Invalid);
        }
        serde_json::from_slice(json).map_err(|_| TokenError::Invalid)
    }

    /// Decodes a token and checks it belongs to `access_key_id`.
    pub(crate) fn open(&self, token: &str, access_key_id: &str) -> Result<Session, TokenError> {
        let session = self.decode(token)?;
        if session.access_key_id != access_key_id {
            return Err(TokenError::KeyMismatch);
        }
        Ok(session)
    }

    /// A MACed, base64url blob for other short-lived tokens (trade-in
    /// tokens): `domain` separates their uses.
    pub(crate) fn seal(&self, domain: &[u8], payload: &[u8]) -> String {
        let mut data = payload.to_vec();
        let mac = self.mac(domain, payload);
        data.extend_from_slice(&mac);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&data)
    }

    /// The payload of a blob [`seal`](Self::seal) made for `domain`.
    pub(crate) fn unseal(&self, domain: &[u8], blob: &str) -> Option<Vec<u8>> {
        if blob.len() > MAX_TOKEN_LEN {
            return None;
        }
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(blob.trim())
            .ok()?;
        if raw.len() < MAC_LEN {
            return None;
        }
        let (data, mac) = raw.split_at(raw.len() - MAC_LEN);
        let expected = self.mac(domain, data);
        bool::from(subtle::ConstantTimeEq::ct_eq(&expected[..], mac)).then(|| data.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        Session {
            kind: Kind::AssumedRole,
            arn: "arn:aws:sts::123456789012:assumed-role/r/s".into(),
            user_id: "AROAEXAMPLE:s".into(),
            account: "123456789012".into(),
            access_key_id: "ASIAEXAMPLEEXAMPLE00".into(),
            expires: 1_700_000_000,
            role_arn: Some("arn:aws:iam::123456789012:role/r".into()),
            source_identity: None,
            tags: vec![("Project".into(), "x".into())],
            transitive_tag_keys: vec!["Project".into()],
            mfa: false,
            duration: 3600,
        }
    }

    #[test]
    fn round_trip_and_tamper() {
        let codec = Codec::random().unwrap();
        let s = session();
        let token = codec.encode(&s);
        assert_eq!(codec.open(&token, &s.access_key_id), Ok(s.clone()));
        assert_eq!(
            codec.open(&token, "ASIAOTHER"),
            Err(TokenError::KeyMismatch)
        );
        let other = Codec::random().unwrap();
        assert_eq!(other.decode(&token), Err(TokenError::Invalid));
        let mut bytes = token.clone().into_bytes();
        for i in (0..bytes.len()).step_by(7) {
            let orig = bytes[i];
            bytes[i] = if orig == b'A' { b'B' } else { b'A' };
            let t = String::from_utf8(bytes.clone()).unwrap();
            assert!(codec.decode(&t).is_err(), "byte {i}");
            bytes[i] = orig;
        }
        assert_eq!(codec.decode("not base64!"), Err(TokenError::Invalid));
        assert_eq!(codec.decode(""), Err(TokenError::Invalid));
    }

    #[test]
    fn macs_are_hmac_sha256_of_the_master_key() {
        let key = [0x5a; 32];
        let mut plain = HmacSha256::new_from_slice(&key).unwrap();
        plain.update(b"secret\0ASIAAAAA");
        let expected: [u8; 32] = plain.finalize().into_bytes().into();
        let codec = Codec::keyed(&key);
        assert_eq!(codec.mac(b"secret", b"ASIAAAAA"), expected);
        // The keyed state is reused, not consumed.
        assert_eq!(codec.mac(b"secret", b"ASIAAAAA"), expected);
    }

    #[test]
    fn secrets_are_40_chars_and_per_key() {
        let codec = Codec::random().unwrap();
        let a = codec.secret_for("ASIAAAAA");
        assert_eq!(a.len(), 40);
        assert_ne!(*a, *codec.secret_for("ASIAAAAB"));
        assert_eq!(*a, *codec.secret_for("ASIAAAAA"));
        assert!(!format!("{codec:?}").contains(&a[..8]));
    }

    #[test]
    fn sealed_blobs() {
        let codec = Codec::random().unwrap();
        let blob = codec.seal(b"trade-in", b"payload");
        assert_eq!(
            codec.unseal(b"trade-in", &blob).as_deref(),
            Some(&b"payload"[..])
        );
        assert_eq!(codec.unseal(b"other", &blob), None);
    }
}
