//! What every provider that gets credentials from an STS session needs:
//! turning STS's answer into [`Credentials`], the account id of a session's
//! ARN, and a session name when the user gave none.

use std::time::{SystemTime, UNIX_EPOCH};

use super::Credentials;
use crate::model;

/// Credentials from an STS answer (AssumeRole, AssumeRoleWithWebIdentity,
/// GetSessionToken, ...), credited to `provider`. `session_arn` (the
/// assumed-role user's ARN) gives the account id when it has one.
pub(crate) fn credentials_from_sts(
    c: &model::Credentials,
    session_arn: Option<&str>,
    provider: &'static str,
) -> Credentials {
    let creds = Credentials::new(
        c.access_key_id.clone(),
        c.secret_access_key.expose_secret(),
        Some(c.session_token.expose_secret().to_owned()),
        Some(c.expiration.to_system_time()),
        provider,
    );
    match session_arn.and_then(account_of_arn) {
        Some(account) => creds.with_account_id(account),
        None => creds,
    }
}

/// The account field of an ARN (`arn:partition:service:region:account:...`),
/// when it is an account id (twelve digits).
pub(crate) fn account_of_arn(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    if parts.next()? != "arn" {
        return None;
    }
    let account = parts.nth(3)?;
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then_some(account)
}

/// A session name for a caller who gave none: `awssts-<unix millis>`, as
/// the AWS CLI names its sessions `botocore-session-<unix seconds>`.
pub(crate) fn default_session_name() -> String {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    format!("awssts-{millis}")
}

/// The temporary credentials of an STS answer, credited to `"sts"` (for
/// callers that hold an output of their own, such as the CLI printing an
/// AssumeRole answer as environment variables).
impl From<&model::Credentials> for Credentials {
    fn from(c: &model::Credentials) -> Self {
        credentials_from_sts(c, None, "sts")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_come_from_session_arns() {
        assert_eq!(
            account_of_arn("arn:aws:sts::123456789012:assumed-role/demo/s"),
            Some("123456789012")
        );
        assert_eq!(account_of_arn("arn:aws:sts::12345:assumed-role/r/s"), None);
        assert_eq!(account_of_arn("arn:aws:sts:::x"), None);
        assert_eq!(account_of_arn("nope:aws:sts::123456789012:x"), None);
        assert_eq!(account_of_arn("nonsense"), None);
    }

    #[test]
    fn default_session_names_are_valid_session_names() {
        let name = default_session_name();
        assert!(name.starts_with("awssts-"));
        assert!(name.len() <= 64);
        assert!(name[7..].bytes().all(|b| b.is_ascii_digit()), "{name}");
    }

    #[test]
    fn an_sts_answer_converts_to_credentials() {
        let c = model::Credentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: "s3cret".into(),
            session_token: "t0ken".into(),
            expiration: crate::DateTime::from_unix(2_000_000_000, 0),
        };
        let creds = Credentials::from(&c);
        assert_eq!(creds.access_key_id(), "ASIAEXAMPLE");
        assert_eq!(creds.secret_access_key(), "s3cret");
        assert_eq!(creds.session_token(), Some("t0ken"));
        assert_eq!(creds.provider_name(), "sts");
    }
}
