//! The cache file's content, as botocore writes and reads it: the
//! AssumeRole response as JSON, `Expiration` written like
//! `2026-11-22T12:00:00UTC` (botocore's `strftime('%Y-%m-%dT%H:%M:%S%Z')`).

use serde_json::Value;
use zeroize::Zeroizing;

use super::python_json;
use super::{CacheEntry, DiskCacheError};
use crate::DateTime;
use crate::credentials::Credentials;
use crate::credentials::sts_session::account_of_arn;
use crate::model::AssumedRoleUser;

/// The file text for `entry`, in the key order botocore writes.
pub(super) fn encode(entry: &CacheEntry) -> Result<Zeroizing<String>, DiskCacheError> {
    let creds = &entry.credentials;
    let expiration = creds.expiration().ok_or(DiskCacheError::NoExpiration)?;
    let expiration = format_expiration(DateTime::from_system_time(expiration));

    let mut credentials = vec![
        ("AccessKeyId", Py::Str(creds.access_key_id())),
        ("SecretAccessKey", Py::Str(creds.secret_access_key())),
    ];
    if let Some(token) = creds.session_token() {
        credentials.push(("SessionToken", Py::Str(token)));
    }
    credentials.push(("Expiration", Py::Str(&expiration)));
    if let Some(account) = creds.account_id() {
        credentials.push(("AccountId", Py::Str(account)));
    }
    let mut response = vec![("Credentials", Py::Obj(credentials))];
    if let Some(user) = &entry.assumed_role_user {
        response.push((
            "AssumedRoleUser",
            Py::Obj(vec![
                ("AssumedRoleId", Py::Str(&user.assumed_role_id)),
                ("Arn", Py::Str(&user.arn)),
            ]),
        ));
    }
    let mut metadata = Vec::new();
    if let Some(id) = &entry.request_id {
        metadata.push(("RequestId", Py::Str(id)));
    }
    metadata.push(("HTTPStatusCode", Py::Int(200)));
    metadata.push(("HTTPHeaders", Py::Obj(Vec::new())));
    metadata.push(("RetryAttempts", Py::Int(0)));
    response.push(("ResponseMetadata", Py::Obj(metadata)));

    let mut out = Zeroizing::new(String::with_capacity(1024));
    Py::Obj(response).dump(&mut out);
    Ok(out)
}

/// Reads a cache file. The error is a short reason for a debug log; it
/// never quotes the file (which holds secrets).
pub(super) fn decode(text: &str, provider: &'static str) -> Result<CacheEntry, &'static str> {
    let value: Value = serde_json::from_str(text).map_err(|_| "not valid JSON")?;
    let creds = value.get("Credentials").ok_or("no Credentials object")?;
    let field = |name: &'static str| creds.get(name).and_then(Value::as_str);
    let access_key_id = field("AccessKeyId")
        .filter(|s| !s.is_empty())
        .ok_or("no Credentials.AccessKeyId")?;
    let secret = field("SecretAccessKey")
        .filter(|s| !s.is_empty())
        .ok_or("no Credentials.SecretAccessKey")?;
    let token = field("SessionToken").filter(|s| !s.is_empty());
    let expiration = field("Expiration").ok_or("no Credentials.Expiration")?;
    let expiration = parse_expiration(expiration).ok_or("unreadable Credentials.Expiration")?;

    let assumed_role_user = value.get("AssumedRoleUser").and_then(|user| {
        Some(AssumedRoleUser {
            assumed_role_id: user.get("AssumedRoleId")?.as_str()?.to_owned(),
            arn: user.get("Arn")?.as_str()?.to_owned(),
        })
    });
    let account_id = field("AccountId")
        .map(str::to_owned)
        .or_else(|| account_of_arn(assumed_role_user.as_ref()?.arn.as_str()).map(str::to_owned));
    let request_id = value
        .get("ResponseMetadata")
        .and_then(|m| m.get("RequestId"))
        .and_then(Value::as_str)
        .map(str::to_owned);

    let mut credentials = Credentials::new(
        access_key_id,
        secret,
        token.map(str::to_owned),
        Some(expiration.to_system_time()),
        provider,
    );
    if let Some(account) = account_id {
        credentials = credentials.with_account_id(account);
    }
    Ok(CacheEntry {
        credentials,
        assumed_role_user,
        request_id,
    })
}

/// `2026-11-22T12:00:00UTC`: whole seconds, `UTC` for the zone, exactly as
/// botocore's `strftime` writes a UTC datetime.
fn format_expiration(t: DateTime) -> String {
    let whole = DateTime::from_unix(t.unix_seconds(), 0).to_string();
    match whole.strip_suffix('Z') {
        Some(stem) => format!("{stem}UTC"),
        None => whole,
    }
}

/// botocore reads the field with dateutil, which takes the `UTC` form it
/// writes as well as RFC 3339 (`Z`, `+00:00`, fractions); so do we.
fn parse_expiration(s: &str) -> Option<DateTime> {
    let s = s.trim();
    for zone in ["UTC", "GMT"] {
        if let Some(stem) = s.strip_suffix(zone) {
            return DateTime::parse(&format!("{}Z", stem.trim_end())).ok();
        }
    }
    DateTime::parse(s).ok()
}

/// A JSON value written in a fixed key order (botocore writes the response
/// dict unsorted, in the order it was parsed).
enum Py<'a> {
    Str(&'a str),
    Int(i64),
    Obj(Vec<(&'a str, Py<'a>)>),
}

impl Py<'_> {
    fn dump(&self, out: &mut String) {
        match self {
            Py::Str(s) => python_json::write_str(s, out),
            Py::Int(i) => out.push_str(&i.to_string()),
            Py::Obj(fields) => {
                out.push('{');
                for (i, (key, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    python_json::write_str(key, out);
                    out.push_str(": ");
                    value.dump(out);
                }
                out.push('}');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn expiration_is_written_as_botocore_writes_it() {
        let t = DateTime::from_unix(1_795_348_800, 250_000_000);
        assert_eq!(format_expiration(t), "2026-11-22T12:00:00UTC");
    }

    #[test]
    fn expiration_forms_botocore_accepts_are_read() {
        let want = DateTime::from_unix(1_795_348_800, 0);
        for s in [
            "2026-11-22T12:00:00UTC",
            "2026-11-22T12:00:00Z",
            "2026-11-22T12:00:00+00:00",
            "2026-11-22T13:00:00+01:00",
            "2026-11-22T12:00:00 UTC",
        ] {
            assert_eq!(parse_expiration(s), Some(want), "{s}");
        }
        assert_eq!(parse_expiration("tomorrow"), None);
    }

    #[test]
    fn round_trip_keeps_every_field() {
        let creds = Credentials::new(
            "ASIAROUNDTRIP",
            "secret",
            Some("token".into()),
            Some(UNIX_EPOCH + Duration::from_secs(1_795_348_800)),
            "assume-role",
        );
        let user = AssumedRoleUser {
            assumed_role_id: "AROAEXAMPLE:me".into(),
            arn: "arn:aws:sts::123456789012:assumed-role/demo/me".into(),
        };
        let entry = CacheEntry::new(creds)
            .with_assumed_role_user(user.clone())
            .with_request_id("req-1");
        let text = encode(&entry).unwrap();
        assert!(text.starts_with(r#"{"Credentials": {"AccessKeyId": "ASIAROUNDTRIP", "#));
        let back = decode(&text, "assume-role").unwrap();
        assert_eq!(back.credentials.access_key_id(), "ASIAROUNDTRIP");
        assert_eq!(back.credentials.session_token(), Some("token"));
        // The account comes from the ARN when the file has no AccountId.
        assert_eq!(back.credentials.account_id(), Some("123456789012"));
        assert_eq!(back.assumed_role_user, Some(user));
        assert_eq!(back.request_id.as_deref(), Some("req-1"));
    }
}
