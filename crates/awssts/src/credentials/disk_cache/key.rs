//! Cache file names: the SHA-1 of the AssumeRole arguments, computed the way
//! botocore's assume-role fetchers do, so that the AWS CLI, boto3 and awssts
//! find each other's files.

use serde_json::{Map, Value};
use sha1::{Digest, Sha1};

use super::python_json;

/// The AssumeRole (or AssumeRoleWithWebIdentity) arguments that identify a
/// cached session, named as in the STS API (`RoleArn`, `RoleSessionName`,
/// ...). Only what the AWS CLI puts in its key belongs here: the MFA token
/// code and the web identity token are not part of it.
///
/// ```
/// use awssts::credentials::disk_cache::AssumeRoleArgs;
/// let key = AssumeRoleArgs::new("arn:aws:iam::123456789012:role/demo").cache_key();
/// assert_eq!(key, "5f52c9c583acfd120a607977e4f21fe86b7fa42d");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AssumeRoleArgs {
    args: Map<String, Value>,
}

impl AssumeRoleArgs {
    /// Arguments for assuming `role_arn`.
    pub fn new(role_arn: impl Into<String>) -> Self {
        AssumeRoleArgs::default().arg("RoleArn", Value::String(role_arn.into()))
    }

    /// The session name, when the user chose one (profile key
    /// `role_session_name`). A name the tool generates itself is left out,
    /// as botocore leaves it out, so the key stays the same across runs.
    pub fn role_session_name(self, name: impl Into<String>) -> Self {
        self.arg("RoleSessionName", Value::String(name.into()))
    }

    /// The external id (profile key `external_id`).
    pub fn external_id(self, external_id: impl Into<String>) -> Self {
        self.arg("ExternalId", Value::String(external_id.into()))
    }

    /// The MFA device (profile key `mfa_serial`; `SerialNumber` in the API).
    pub fn mfa_serial(self, serial: impl Into<String>) -> Self {
        self.arg("SerialNumber", Value::String(serial.into()))
    }

    /// The requested session length (profile key `duration_seconds`).
    pub fn duration_seconds(self, seconds: u32) -> Self {
        self.arg("DurationSeconds", Value::from(seconds))
    }

    /// An inline session policy, as JSON text. It is hashed as parsed JSON
    /// with sorted keys, so its formatting does not change the key.
    pub fn policy(self, policy: impl Into<String>) -> Self {
        self.arg("Policy", Value::String(policy.into()))
    }

    /// Any other argument, under its API name (`SourceIdentity`, `Tags`,
    /// `PolicyArns`, ...), for callers that pass more than a profile can.
    pub fn arg(mut self, name: impl Into<String>, value: Value) -> Self {
        self.args.insert(name.into(), value);
        self
    }

    /// The arguments as a JSON object.
    pub fn to_json(&self) -> Value {
        Value::Object(self.args.clone())
    }

    /// The cache key (file name without `.json`) for these arguments.
    pub fn cache_key(&self) -> String {
        key_of_object(&self.args)
    }
}

/// The cache key botocore computes for assume-role arguments given as a
/// JSON object: `Policy`, when it is JSON text, is parsed first; then
/// `json.dumps(args, sort_keys=True)` (Python's default separators), SHA-1,
/// lowercase hex, with `:` and `/` made file-name safe.
///
/// A value that is not an object is hashed as it is.
pub fn cache_key(args: &Value) -> String {
    match args {
        Value::Object(map) => key_of_object(map),
        other => hash_to_key(other),
    }
}

fn key_of_object(map: &Map<String, Value>) -> String {
    let mut map = map.clone();
    // botocore parses the policy so that its keys get sorted too. A policy
    // that is not JSON would make botocore fail; here it is hashed as text.
    if let Some(Value::String(text)) = map.get("Policy")
        && let Ok(parsed) = serde_json::from_str::<Value>(text)
    {
        map.insert("Policy".into(), parsed);
    }
    hash_to_key(&Value::Object(map))
}

fn hash_to_key(value: &Value) -> String {
    let mut text = String::new();
    python_json::dumps_sorted(value, &mut text);
    let digest = Sha1::digest(text.as_bytes());
    let mut hex = String::with_capacity(40);
    for byte in digest.iter() {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    make_file_safe(&hex)
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// botocore's `_make_file_safe`. A hex digest never holds these characters;
/// it is kept so that keys built from other text stay safe file names.
fn make_file_safe(name: &str) -> String {
    name.replace([':', '/', '\\'], "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_match_botocore() {
        // Expected keys computed with CPython's json + hashlib the way
        // botocore's BaseAssumeRoleCredentialFetcher does.
        assert_eq!(
            AssumeRoleArgs::new("arn:aws:iam::123456789012:role/demo").cache_key(),
            "5f52c9c583acfd120a607977e4f21fe86b7fa42d"
        );
        let args = AssumeRoleArgs::new("arn:aws:iam::123456789012:role/demo")
            .role_session_name("me")
            .external_id("ext-1")
            .mfa_serial("arn:aws:iam::123456789012:mfa/me")
            .duration_seconds(7200)
            .policy(
                r#"{"Version":"2012-10-17",
                    "Statement":[{"Resource":"*","Effect":"Allow","Action":"s3:*"}]}"#,
            );
        assert_eq!(args.cache_key(), "e55ff3eeb4992b1f2be23f47d365d99b899a1b7d");
        assert_eq!(cache_key(&args.to_json()), args.cache_key());
    }

    #[test]
    fn every_argument_changes_the_key() {
        let base = AssumeRoleArgs::new("arn:aws:iam::123456789012:role/demo");
        let keys = [
            base.cache_key(),
            base.clone().role_session_name("s").cache_key(),
            base.clone().external_id("s").cache_key(),
            base.clone().mfa_serial("s").cache_key(),
            base.clone().duration_seconds(900).cache_key(),
            base.clone().policy("{}").cache_key(),
        ];
        let unique: std::collections::HashSet<_> = keys.iter().collect();
        assert_eq!(unique.len(), keys.len(), "{keys:?}");
    }
}
