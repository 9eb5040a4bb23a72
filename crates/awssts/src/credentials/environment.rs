//! Credentials from environment variables: `AWS_ACCESS_KEY_ID` and
//! `AWS_SECRET_ACCESS_KEY`, with `AWS_SESSION_TOKEN`,
//! `AWS_CREDENTIAL_EXPIRATION` (RFC 3339) and `AWS_ACCOUNT_ID`.

use super::{Credentials, CredentialsError, ProvideCredentials, ProvideCredentialsFuture};
use crate::DateTime;
use crate::env::Env;

const PROVIDER: &str = "environment";
const ACCESS_KEY: &str = "AWS_ACCESS_KEY_ID";
const SECRET_KEY: &str = "AWS_SECRET_ACCESS_KEY";

/// Reads credentials from the environment each time it is asked, so a
/// process that changes its variables is followed.
#[derive(Clone, Debug, Default)]
pub struct EnvironmentProvider {
    env: Env,
}

impl EnvironmentProvider {
    /// A provider reading `env` (use [`Env::process`] for the real one).
    pub fn new(env: Env) -> Self {
        EnvironmentProvider { env }
    }

    /// Reads the variables now. Neither key set: not loaded. Only one of
    /// them, or an unreadable expiration or account id: invalid
    /// configuration naming the variable.
    pub fn credentials(&self) -> Result<Credentials, CredentialsError> {
        let env = &self.env;
        let (akid, secret) = match (env.get(ACCESS_KEY), env.get(SECRET_KEY)) {
            (None, None) => {
                return Err(CredentialsError::not_loaded(
                    PROVIDER,
                    format!("neither {ACCESS_KEY} nor {SECRET_KEY} is set"),
                ));
            }
            (Some(a), Some(s)) => (a, s),
            (Some(_), None) => return Err(half_pair(ACCESS_KEY, SECRET_KEY)),
            (None, Some(_)) => return Err(half_pair(SECRET_KEY, ACCESS_KEY)),
        };
        let expiration = match env.get("AWS_CREDENTIAL_EXPIRATION") {
            None => None,
            Some(v) => match DateTime::parse(v.trim()) {
                Ok(t) => Some(t.to_system_time()),
                Err(e) => {
                    return Err(CredentialsError::invalid_configuration(
                        PROVIDER,
                        format!(
                            "AWS_CREDENTIAL_EXPIRATION is {v:?}, which is not an RFC 3339 \
                             time such as 2030-01-01T00:00:00Z; fix or unset it"
                        ),
                    )
                    .with_source(e));
                }
            },
        };
        let creds = Credentials::new(
            akid.trim(),
            secret.trim(),
            env.get("AWS_SESSION_TOKEN").map(|t| t.trim().to_owned()),
            expiration,
            PROVIDER,
        );
        match env.get("AWS_ACCOUNT_ID") {
            None => Ok(creds),
            Some(id) => {
                let id = id.trim();
                if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
                    Ok(creds.with_account_id(id))
                } else {
                    Err(CredentialsError::invalid_configuration(
                        PROVIDER,
                        format!(
                            "AWS_ACCOUNT_ID is {id:?}, but it must be a 12-digit account id; \
                             fix or unset it"
                        ),
                    ))
                }
            }
        }
    }
}

fn half_pair(present: &str, missing: &str) -> CredentialsError {
    CredentialsError::invalid_configuration(
        PROVIDER,
        format!("{present} is set but {missing} is not; set {missing} or unset {present}"),
    )
}

impl ProvideCredentials for EnvironmentProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::ready(self.credentials())
    }
    fn provider_name(&self) -> &'static str {
        PROVIDER
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::CredentialsErrorKind;
    use std::time::{Duration, UNIX_EPOCH};

    const CANARY: &str = "CANARYenvSecret0123456789";

    fn provide(vars: &[(&str, &str)]) -> Result<Credentials, CredentialsError> {
        EnvironmentProvider::new(Env::from_vars(vars.iter().copied())).credentials()
    }

    #[test]
    fn full_set_of_variables() {
        let c = provide(&[
            ("AWS_ACCESS_KEY_ID", "ASIAENV"),
            ("AWS_SECRET_ACCESS_KEY", CANARY),
            ("AWS_SESSION_TOKEN", "tok"),
            ("AWS_CREDENTIAL_EXPIRATION", "2030-01-01T00:00:00Z"),
            ("AWS_ACCOUNT_ID", "123456789012"),
        ])
        .unwrap();
        assert_eq!(c.access_key_id(), "ASIAENV");
        assert_eq!(c.secret_access_key(), CANARY);
        assert_eq!(c.session_token(), Some("tok"));
        assert_eq!(
            c.expiration(),
            Some(UNIX_EPOCH + Duration::from_secs(1_893_456_000))
        );
        assert_eq!(c.account_id(), Some("123456789012"));
        assert_eq!(c.provider_name(), "environment");
        assert!(!format!("{c:?}").contains(CANARY));
    }

    #[test]
    fn keys_only() {
        let c = provide(&[
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
        ])
        .unwrap();
        assert_eq!(c.session_token(), None);
        assert_eq!(c.expiration(), None);
        assert_eq!(c.account_id(), None);
    }

    #[test]
    fn nothing_set_is_not_loaded() {
        let err = provide(&[("AWS_SESSION_TOKEN", "t")]).unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::NotLoaded);
        assert_eq!(err.provider(), "environment");
        let err =
            provide(&[("AWS_ACCESS_KEY_ID", ""), ("AWS_SECRET_ACCESS_KEY", " ")]).unwrap_err();
        assert_eq!(
            err.kind(),
            CredentialsErrorKind::NotLoaded,
            "empty counts as unset"
        );
    }

    #[test]
    fn half_a_pair_names_the_missing_variable() {
        let err = provide(&[("AWS_ACCESS_KEY_ID", "AKID")]).unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
        assert!(
            err.message().contains("AWS_SECRET_ACCESS_KEY is not"),
            "{err}"
        );
        let err = provide(&[("AWS_SECRET_ACCESS_KEY", CANARY)]).unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
        assert!(err.message().contains("AWS_ACCESS_KEY_ID is not"), "{err}");
        assert!(!err.to_string().contains(CANARY));
        assert!(!format!("{err:?}").contains(CANARY));
    }

    #[test]
    fn bad_expiration_and_account_are_invalid_configuration() {
        let base = [
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", CANARY),
        ];
        for (name, value) in [
            ("AWS_CREDENTIAL_EXPIRATION", "tomorrow"),
            ("AWS_ACCOUNT_ID", "12-34"),
        ] {
            let mut vars = base.to_vec();
            vars.push((name, value));
            let err = provide(&vars).unwrap_err();
            assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
            let msg = err.to_string();
            assert!(msg.contains(name) && msg.contains(value), "{msg}");
            assert!(!msg.contains(CANARY));
        }
    }
}
