//! Rules several operations share: session policies and their packed size,
//! session tags, MFA, session names and role ARNs.

use std::collections::HashSet;

use awssts::SecretString;
use awssts::model::Tag;

use crate::auth::Caller;
use crate::error::StsError;
use crate::session::Session;

/// The packed size, in percent, above which STS refuses the session.
const PACKED_LIMIT: u64 = 100;
/// What 100 % stands for, in packed units.
const PACKED_CAPACITY: u64 = 2048;

/// Checks the session policy is JSON and returns how full the packed
/// policies and tags are, in percent.
pub(super) fn packed_policy_size(
    policy: Option<&str>,
    policy_arns: usize,
    tags: &[(String, String)],
) -> Result<i32, StsError> {
    let mut units: u64 = 0;
    if let Some(text) = policy {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|_| {
            StsError::sender(
                400,
                "MalformedPolicyDocument",
                "The policy is not in the valid JSON format.",
            )
        })?;
        if !value.is_object() {
            return Err(StsError::sender(
                400,
                "MalformedPolicyDocument",
                "The policy must be a JSON object.",
            ));
        }
        // Packing removes whitespace and compresses repeated keywords:
        // count the compact form at about half its size.
        units += serde_json::to_string(&value).map_or(0, |s| s.len() as u64) / 2;
    }
    units += 48 * policy_arns as u64;
    units += tags
        .iter()
        .map(|(k, v)| 4 + k.len() as u64 + v.len() as u64)
        .sum::<u64>();
    let percent = (units * 100).div_ceil(PACKED_CAPACITY);
    if percent > PACKED_LIMIT {
        return Err(StsError::sender(
            400,
            "PackedPolicyTooLarge",
            format!(
                "Packed policy consumes {percent}% of allotted space, please use smaller policy."
            ),
        ));
    }
    Ok(i32::try_from(percent).unwrap_or(i32::MAX))
}

/// The tags of a new session: the calling session's transitive tags, then
/// the requested ones, under STS's rules.
pub(super) struct SessionTags {
    pub tags: Vec<(String, String)>,
    pub transitive: Vec<String>,
}

pub(super) fn session_tags(
    parent: Option<&Session>,
    requested: &[Tag],
    transitive: &[String],
) -> Result<SessionTags, StsError> {
    let mut seen = HashSet::new();
    let mut tags = Vec::new();
    for t in requested {
        let key = t.key.clone().unwrap_or_default();
        if !seen.insert(key.to_lowercase()) {
            return Err(StsError::invalid_parameter(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
            ));
        }
        tags.push((key, t.value.clone().unwrap_or_default()));
    }
    for k in transitive {
        if !seen.contains(&k.to_lowercase()) {
            return Err(StsError::invalid_parameter(
                "The specified transitive tag key must be included in the requested tags.",
            ));
        }
    }
    let mut out = SessionTags {
        tags: Vec::new(),
        transitive: Vec::new(),
    };
    if let Some(parent) = parent {
        for key in &parent.transitive_tag_keys {
            if seen.contains(&key.to_lowercase()) {
                return Err(StsError::invalid_parameter(
                    "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.",
                ));
            }
            if let Some(tag) = parent
                .tags
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
            {
                out.tags.push(tag.clone());
            }
            out.transitive.push(key.clone());
        }
    }
    out.tags.extend(tags);
    out.transitive.extend(transitive.iter().cloned());
    Ok(out)
}

/// Checks an MFA serial and code given by `caller`. Returns whether the
/// session is MFA-authenticated (by this call or by the calling session).
pub(super) fn check_mfa(
    caller: &Caller,
    serial: Option<&str>,
    code: Option<&SecretString>,
) -> Result<bool, StsError> {
    let inherited = caller.session().is_some_and(|s| s.mfa);
    let (serial, code) = match (serial, code) {
        (None, None) => return Ok(inherited),
        (Some(s), Some(c)) => (s, c),
        _ => return Err(mfa_unknown()),
    };
    let Caller::User(user) = caller else {
        return Err(mfa_unknown());
    };
    if user.mfa_serial.as_deref() != Some(serial) {
        return Err(mfa_unknown());
    }
    let ok = match &user.mfa_code {
        Some(expected) => bool::from(subtle::ConstantTimeEq::ct_eq(
            expected.expose_secret().as_bytes(),
            code.expose_secret().as_bytes(),
        )),
        None => code.len() == 6 && code.expose_secret().bytes().all(|b| b.is_ascii_digit()),
    };
    if !ok {
        return Err(StsError::access_denied(
            "MultiFactorAuthentication failed with invalid MFA one time pass code. ",
        ));
    }
    Ok(true)
}

fn mfa_unknown() -> StsError {
    StsError::access_denied(
        "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.",
    )
}

/// STS's check of a role ARN's form: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`
/// with partition, service and resource present.
pub(super) fn check_arn(arn: &str) -> Result<(), StsError> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ok = matches!(
        parts.as_slice(),
        ["arn", partition, service, _, _, resource]
            if !partition.is_empty() && !service.is_empty() && !resource.is_empty()
    );
    if ok {
        Ok(())
    } else {
        Err(StsError::validation(format!("{arn} is invalid")))
    }
}
