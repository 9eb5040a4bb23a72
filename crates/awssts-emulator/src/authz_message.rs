//! Encoded authorization messages: what an AWS service puts in an
//! `AccessDenied` error ("Encoded authorization failure message: …") and
//! `DecodeAuthorizationMessage` turns back into JSON.
//!
//! Like STS's, the encoded form is opaque (encrypted, so a client has to
//! ask STS to read it) and authenticated (a changed or foreign message is
//! refused). It is AES-256-GCM under a key derived from the emulator's
//! 32-byte secret, written as base64url without padding:
//! `version (1 byte) || nonce (12) || ciphertext || tag (16)`.
//!
//! The nonce is synthetic — an HMAC of the plaintext under a separate
//! derived key — so encoding needs no random source and stays a pure
//! function; the only thing that leaks is whether two messages are equal.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::hmac;
use serde_json::{Value, json};
use thiserror::Error;

/// The format version byte, so a later format can be told apart.
const VERSION: u8 = 1;

/// Why a message could not be encoded or decoded. Never includes the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum AuthzMessageError {
    /// Not base64url text, too short, an unknown version, or its
    /// authentication tag does not verify (changed, or made under another
    /// key): STS answers these with `InvalidAuthorizationMessageException`.
    #[error(
        "The encoded authorization message is not valid: {0}. Pass the message exactly as the AccessDenied error returned it, to the same emulator instance that produced it"
    )]
    Invalid(&'static str),
    /// The message is too large to encrypt (over 64 GiB; cannot happen for
    /// real policy decisions).
    #[error("the authorization message is too large to encode")]
    TooLarge,
    /// The cipher refused the derived key (it takes any 32 bytes, so this
    /// cannot happen in practice).
    #[error("the authorization-message key could not be derived")]
    Key,
}

impl AuthzMessageError {
    /// The STS error code this failure is answered with.
    pub fn code(&self) -> &'static str {
        match self {
            AuthzMessageError::Invalid(_) => "InvalidAuthorizationMessageException",
            AuthzMessageError::TooLarge | AuthzMessageError::Key => "InternalFailure",
        }
    }
}

/// The keys of one emulator's messages, derived once from its 32-byte
/// secret: one for the cipher (its AES key schedule kept), one for the
/// synthetic nonce.
pub struct MessageKey {
    cipher: LessSafeKey,
    nonce: hmac::Key,
}

/// Leaves the keys out.
impl std::fmt::Debug for MessageKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MessageKey(** redacted **)")
    }
}

impl MessageKey {
    /// The keys derived from `secret`.
    pub fn new(secret: &[u8; 32]) -> Result<MessageKey, AuthzMessageError> {
        let root = hmac::Key::new(hmac::HMAC_SHA256, secret);
        let cipher_key = hmac::sign(&root, b"awssts authorization message cipher key");
        let nonce_key = hmac::sign(&root, b"awssts authorization message nonce key");
        let cipher = UnboundKey::new(&AES_256_GCM, cipher_key.as_ref())
            .map_err(|_| AuthzMessageError::Key)?;
        Ok(MessageKey {
            cipher: LessSafeKey::new(cipher),
            nonce: hmac::Key::new(hmac::HMAC_SHA256, nonce_key.as_ref()),
        })
    }

    /// Encrypts and authenticates `decoded_json` as URL-safe text.
    pub fn encode(&self, decoded_json: &str) -> Result<String, AuthzMessageError> {
        let tag = hmac::sign(&self.nonce, decoded_json.as_bytes());
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(tag.as_ref().get(..NONCE_LEN).unwrap_or(&[0; NONCE_LEN]));

        let mut buf = Vec::with_capacity(1 + NONCE_LEN + decoded_json.len() + 16);
        buf.push(VERSION);
        buf.extend_from_slice(&nonce);
        let mut sealed = decoded_json.as_bytes().to_vec();
        self.cipher
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from([VERSION]),
                &mut sealed,
            )
            .map_err(|_| AuthzMessageError::TooLarge)?;
        buf.extend_from_slice(&sealed);
        Ok(B64URL.encode(buf))
    }

    /// Checks and decrypts a message [`encode`](Self::encode) made with
    /// keys from the same secret.
    pub fn decode(&self, encoded: &str) -> Result<String, AuthzMessageError> {
        let raw = B64URL
            .decode(encoded.trim())
            .map_err(|_| AuthzMessageError::Invalid("it is not base64url text"))?;
        let (version, rest) = raw
            .split_first()
            .ok_or(AuthzMessageError::Invalid("it is empty"))?;
        if *version != VERSION {
            return Err(AuthzMessageError::Invalid(
                "it has an unknown format version",
            ));
        }
        if rest.len() < NONCE_LEN + AES_256_GCM.tag_len() {
            return Err(AuthzMessageError::Invalid("it is too short"));
        }
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce)
            .map_err(|_| AuthzMessageError::Invalid("it is too short"))?;
        let mut sealed = sealed.to_vec();
        let plain = self
            .cipher
            .open_in_place(nonce, Aad::from([VERSION]), &mut sealed)
            .map_err(|_| {
                AuthzMessageError::Invalid(
                    "it was changed, or encoded by another emulator instance",
                )
            })?;
        String::from_utf8(plain.to_vec())
            .map_err(|_| AuthzMessageError::Invalid("its content is not UTF-8"))
    }
}

/// Who was denied what, for [`denied_message`].
#[derive(Debug, Clone, Copy)]
pub struct DeniedAction<'a> {
    /// The principal's unique id (`AIDA…`, or `AROA…:session`).
    pub principal_id: &'a str,
    /// The principal's friendly name, when it has one (IAM users).
    pub principal_name: Option<&'a str>,
    /// The principal's ARN.
    pub principal_arn: &'a str,
    /// The action, `service:Action`.
    pub action: &'a str,
    /// The resource ARN (or `*`).
    pub resource: &'a str,
    /// Request context keys and their values, e.g. `aws:SourceIp`.
    pub conditions: &'a [(&'a str, &'a [&'a str])],
    /// Whether a `Deny` statement matched (otherwise nothing allowed it).
    pub explicit_deny: bool,
}

fn items(values: impl IntoIterator<Item = Value>) -> Value {
    json!({ "items": values.into_iter().collect::<Vec<_>>() })
}

fn value_items<'a>(values: impl IntoIterator<Item = &'a str>) -> Value {
    items(values.into_iter().map(|v| json!({ "value": v })))
}

/// The decoded JSON document for a denied request, in the shape STS's
/// decoded messages have: `allowed`, `explicitDeny`, `matchedStatements`,
/// `failures`, and `context` with `principal`, `action`, `resource` and
/// `conditions` (lists wrapped in `{"items": …}`, values in `{"value": …}`).
///
/// For an explicit deny, one matching `DENY` statement naming the action
/// and resource is listed; for an implicit one, none.
pub fn denied_message(d: &DeniedAction<'_>) -> String {
    let mut principal = serde_json::Map::new();
    principal.insert("id".into(), d.principal_id.into());
    if let Some(name) = d.principal_name {
        principal.insert("name".into(), name.into());
    }
    principal.insert("arn".into(), d.principal_arn.into());

    let statements = d.explicit_deny.then(|| {
        json!({
            "statementId": "",
            "effect": "DENY",
            "principals": value_items([d.principal_id]),
            "principalGroups": items([]),
            "actions": value_items([d.action]),
            "resources": value_items([d.resource]),
            "conditions": items([]),
        })
    });
    let conditions = d
        .conditions
        .iter()
        .map(|(key, values)| json!({ "key": key, "values": value_items(values.iter().copied()) }));
    json!({
        "allowed": false,
        "explicitDeny": d.explicit_deny,
        "matchedStatements": items(statements),
        "failures": items([]),
        "context": {
            "principal": Value::Object(principal),
            "action": d.action,
            "resource": d.resource,
            "conditions": items(conditions),
        },
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const KEY: [u8; 32] = [7; 32];

    fn encode(secret: &[u8; 32], json: &str) -> Result<String, AuthzMessageError> {
        MessageKey::new(secret)?.encode(json)
    }

    fn decode(secret: &[u8; 32], encoded: &str) -> Result<String, AuthzMessageError> {
        MessageKey::new(secret)?.decode(encoded)
    }

    fn sample() -> String {
        denied_message(&DeniedAction {
            principal_id: "AIDAEXAMPLEUSERID0001",
            principal_name: Some("emulator"),
            principal_arn: "arn:aws:iam::123456789012:user/emulator",
            action: "ec2:RunInstances",
            resource: "arn:aws:ec2:us-east-1:123456789012:instance/*",
            conditions: &[
                ("aws:Region", &["us-east-1"]),
                ("ec2:InstanceType", &["t3.micro", "t3.small"]),
            ],
            explicit_deny: false,
        })
    }

    #[test]
    fn round_trip() {
        let json = sample();
        let encoded = encode(&KEY, &json).unwrap();
        assert_eq!(decode(&KEY, &encoded).unwrap(), json);
        // Deterministic: same key and message, same text.
        assert_eq!(encode(&KEY, &json).unwrap(), encoded);
        assert_eq!(decode(&KEY, &encode(&KEY, "").unwrap()).unwrap(), "");
        // One derived key serves any number of messages.
        let key = MessageKey::new(&KEY).unwrap();
        assert_eq!(key.encode(&json).unwrap(), encoded);
        assert_eq!(key.decode(&encoded).unwrap(), json);
        assert_eq!(format!("{key:?}"), "MessageKey(** redacted **)");
    }

    #[test]
    fn encoded_text_is_url_safe_and_opaque() {
        let encoded = encode(&KEY, &sample()).unwrap();
        assert!(
            encoded
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert!(!encoded.contains("RunInstances"));
        let raw = B64URL.decode(&encoded).unwrap();
        assert!(!raw.windows(12).any(|w| w == b"RunInstances"));
    }

    #[test]
    fn tampered_messages_are_refused() {
        let encoded = encode(&KEY, &sample()).unwrap();
        let raw = B64URL.decode(&encoded).unwrap();
        for i in 0..raw.len() {
            let mut bad = raw.clone();
            bad[i] ^= 0x01;
            let err = decode(&KEY, &B64URL.encode(&bad)).unwrap_err();
            assert_eq!(
                err.code(),
                "InvalidAuthorizationMessageException",
                "byte {i}"
            );
        }
        // Truncated and extended.
        assert!(decode(&KEY, &B64URL.encode(&raw[..raw.len() - 1])).is_err());
        let mut longer = raw.clone();
        longer.push(0);
        assert!(decode(&KEY, &B64URL.encode(&longer)).is_err());
    }

    #[test]
    fn foreign_messages_are_refused() {
        let encoded = encode(&[8; 32], &sample()).unwrap();
        assert_eq!(
            decode(&KEY, &encoded),
            Err(AuthzMessageError::Invalid(
                "it was changed, or encoded by another emulator instance"
            ))
        );
        for junk in [
            "",
            "!!!",
            "AQ",
            "a b",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ] {
            let err = decode(&KEY, junk).unwrap_err();
            assert_eq!(
                err.code(),
                "InvalidAuthorizationMessageException",
                "{junk:?}"
            );
            assert!(!err.to_string().contains(junk) || junk.is_empty());
        }
    }

    #[test]
    fn decoded_document_has_sts_shape() {
        let doc: Value = serde_json::from_str(&sample()).unwrap();
        assert_eq!(doc["allowed"], false);
        assert_eq!(doc["explicitDeny"], false);
        assert_eq!(doc["matchedStatements"]["items"], json!([]));
        assert_eq!(doc["failures"]["items"], json!([]));
        let ctx = &doc["context"];
        assert_eq!(ctx["principal"]["id"], "AIDAEXAMPLEUSERID0001");
        assert_eq!(ctx["principal"]["name"], "emulator");
        assert_eq!(
            ctx["principal"]["arn"],
            "arn:aws:iam::123456789012:user/emulator"
        );
        assert_eq!(ctx["action"], "ec2:RunInstances");
        assert_eq!(
            ctx["resource"],
            "arn:aws:ec2:us-east-1:123456789012:instance/*"
        );
        let conds = ctx["conditions"]["items"].as_array().unwrap();
        assert_eq!(conds[1]["key"], "ec2:InstanceType");
        assert_eq!(conds[1]["values"]["items"][1]["value"], "t3.small");
    }

    #[test]
    fn explicit_deny_lists_the_matching_statement() {
        let doc: Value = serde_json::from_str(&denied_message(&DeniedAction {
            principal_id: "AROAEXAMPLEROLEID0001:s",
            principal_name: None,
            principal_arn: "arn:aws:sts::123456789012:assumed-role/r/s",
            action: "s3:GetObject",
            resource: "arn:aws:s3:::bucket/key",
            conditions: &[],
            explicit_deny: true,
        }))
        .unwrap();
        assert_eq!(doc["explicitDeny"], true);
        assert!(doc["context"]["principal"].get("name").is_none());
        let st = &doc["matchedStatements"]["items"][0];
        assert_eq!(st["effect"], "DENY");
        assert_eq!(st["actions"]["items"][0]["value"], "s3:GetObject");
        assert_eq!(
            st["resources"]["items"][0]["value"],
            "arn:aws:s3:::bucket/key"
        );
    }

    proptest! {
        #[test]
        fn decode_never_panics(s in ".{0,200}") {
            let _ = decode(&KEY, &s);
        }

        #[test]
        fn decode_never_panics_on_base64(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
            let mut bytes = bytes;
            if let Some(b) = bytes.first_mut() { *b = VERSION; }
            prop_assert!(decode(&KEY, &B64URL.encode(&bytes)).is_err());
        }

        #[test]
        fn any_text_round_trips(s in ".{0,200}", key in any::<[u8; 32]>()) {
            let encoded = encode(&key, &s).unwrap();
            prop_assert_eq!(decode(&key, &encoded).unwrap(), s);
        }
    }
}
