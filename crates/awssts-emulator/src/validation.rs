//! Model validation failures worded as STS words them:
//! `1 validation error detected: Value 'x' at 'roleSessionName' failed to
//! satisfy constraint: Member must satisfy regular expression pattern: …`.

use awssts::model::{Rule, ValidationError};
use awssts::protocol::{Form, FormError};

use crate::error::StsError;

/// Form parameters whose values are secrets and are never echoed.
const SECRET_PARAMS: &[&str] = &[
    "TokenCode",
    "WebIdentityToken",
    "SAMLAssertion",
    "ContextAssertion",
    "TradeInToken",
];

/// The path of a member as STS names it (`Tags[2].Key` → `tags.3.member.key`)
/// and as the form names it (`Tags.member.3.Key`).
fn paths(field: &str) -> (String, String) {
    let mut sts = String::new();
    let mut form = String::new();
    for (i, segment) in field.split('.').enumerate() {
        if i > 0 {
            sts.push('.');
            form.push('.');
        }
        let (name, index) = match segment.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (segment, None),
        };
        let mut chars = name.chars();
        if let Some(first) = chars.next() {
            sts.extend(first.to_lowercase());
            sts.push_str(chars.as_str());
        }
        form.push_str(name);
        if let Some(n) = index {
            sts.push_str(&format!(".{}.member", n + 1));
            form.push_str(&format!(".member.{}", n + 1));
        }
    }
    (sts, form)
}

/// `ValidationError` (400) for a broken model constraint, with the value
/// (unless secret) looked up in the form.
pub(crate) fn to_sts(err: &ValidationError, form: &Form) -> StsError {
    let (sts_path, form_key) = paths(&err.field);
    let secret = SECRET_PARAMS
        .iter()
        .any(|p| form_key == *p || form_key.ends_with(&format!(".{p}")));
    let value = match err.rule {
        Rule::Required => "null".to_owned(),
        Rule::MinItems(_) | Rule::MaxItems(_) => {
            let prefix = format!("{form_key}.member.");
            let n = form
                .pairs()
                .filter_map(|(k, _)| k.strip_prefix(&prefix))
                .filter_map(|rest| rest.split('.').next())
                .collect::<std::collections::BTreeSet<_>>()
                .len();
            format!("'[{n} items]'")
        }
        _ if secret => "'*** Sensitive Data Redacted ***'".to_owned(),
        _ => match form.get(&form_key) {
            Some(v) => format!("'{v}'"),
            None => "null".to_owned(),
        },
    };
    let constraint = match err.rule {
        Rule::Required => "Member must not be null".to_owned(),
        Rule::MinLength(n) | Rule::MinItems(n) => {
            format!("Member must have length greater than or equal to {n}")
        }
        Rule::MaxLength(n) | Rule::MaxItems(n) => {
            format!("Member must have length less than or equal to {n}")
        }
        Rule::Min(n) => format!("Member must have value greater than or equal to {n}"),
        Rule::Max(n) => format!("Member must have value less than or equal to {n}"),
        Rule::Pattern(p) => format!("Member must satisfy regular expression pattern: {p}"),
        _ => err.problem.clone(),
    };
    StsError::validation(format!(
        "1 validation error detected: Value {value} at '{sts_path}' failed to satisfy constraint: {constraint}"
    ))
}

/// The error for a form that cannot become the operation's input (a
/// number that is not one, a list index out of range).
pub(crate) fn form_error(err: &FormError) -> StsError {
    match err {
        FormError::BadInteger { key, value } => {
            let (sts_path, _) = paths(key);
            StsError::validation(format!(
                "1 validation error detected: Value '{}' at '{sts_path}' failed to satisfy constraint: Member must be a number",
                crate::request::clip(value, 32)
            ))
        }
        other => StsError::validation(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_sts_and_the_form() {
        assert_eq!(
            paths("RoleSessionName"),
            ("roleSessionName".into(), "RoleSessionName".into())
        );
        assert_eq!(
            paths("Tags[2].Key"),
            ("tags.3.member.key".into(), "Tags.member.3.Key".into())
        );
        assert_eq!(
            paths("TransitiveTagKeys[0]"),
            (
                "transitiveTagKeys.1.member".into(),
                "TransitiveTagKeys.member.1".into()
            )
        );
        assert_eq!(
            paths("PolicyArns[1].arn"),
            (
                "policyArns.2.member.arn".into(),
                "PolicyArns.member.2.arn".into()
            )
        );
    }
}
