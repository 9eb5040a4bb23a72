//! Interop with the official AWS SDK for Rust (feature `aws-sdk`): every
//! awssts provider and the credentials cache implement
//! `aws_credential_types::provider::ProvideCredentials`, so any official SDK
//! client can use them
//! (`aws_sdk_s3::config::Builder::credentials_provider(cache)`); any other
//! implementation of our trait can be wrapped in [`SdkProvider`].

use aws_credential_types::provider::{self as sdk, error::CredentialsError as SdkError};

use super::{CredentialsErrorKind, ProvideCredentials};

/// An awssts provider seen through `aws-credential-types`' trait.
#[derive(Clone, Debug)]
pub struct SdkProvider<P> {
    inner: P,
}

impl<P: ProvideCredentials> SdkProvider<P> {
    /// Wraps `provider`.
    pub fn new(provider: P) -> Self {
        SdkProvider { inner: provider }
    }

    /// The wrapped provider.
    pub fn get_ref(&self) -> &P {
        &self.inner
    }
}

/// Runs one of our providers' futures and converts the answer.
async fn to_sdk(
    future: super::ProvideCredentialsFuture<'_>,
) -> Result<aws_credential_types::Credentials, SdkError> {
    match future.await {
        Ok(c) => {
            let mut b = aws_credential_types::Credentials::builder()
                .access_key_id(c.access_key_id())
                .secret_access_key(c.secret_access_key())
                .provider_name(c.provider_name());
            b.set_session_token(c.session_token().map(str::to_owned));
            b.set_expiry(c.expiration());
            if let Some(account) = c.account_id() {
                b = b.account_id(account);
            }
            Ok(b.build())
        }
        Err(e) if e.kind() == CredentialsErrorKind::NotLoaded => Err(SdkError::not_loaded(e)),
        Err(e) if e.kind() == CredentialsErrorKind::InvalidConfiguration => {
            Err(SdkError::invalid_configuration(e))
        }
        Err(e) => Err(SdkError::provider_error(e)),
    }
}

impl<P: ProvideCredentials> sdk::ProvideCredentials for SdkProvider<P> {
    fn provide_credentials<'a>(&'a self) -> sdk::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        sdk::future::ProvideCredentials::new(to_sdk(self.inner.provide_credentials()))
    }
}

macro_rules! sdk_provider {
    ($($ty:ty),* $(,)?) => {
        $(
            impl sdk::ProvideCredentials for $ty {
                fn provide_credentials<'a>(&'a self) -> sdk::future::ProvideCredentials<'a>
                where
                    Self: 'a,
                {
                    sdk::future::ProvideCredentials::new(to_sdk(
                        ProvideCredentials::provide_credentials(self),
                    ))
                }
            }
        )*
    };
}

sdk_provider!(
    super::Credentials,
    super::cache::CredentialsCache,
    super::chain::ChainProvider,
    super::profile::ProfileProvider,
    super::assume_role::AssumeRoleProvider,
    super::environment::EnvironmentProvider,
    super::process::ProcessProvider,
    super::web_identity::WebIdentityProvider,
    super::container::ContainerProvider,
    super::imds::ImdsProvider,
    super::disk_cache::DiskCachedProvider,
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Credentials;
    use aws_credential_types::provider::ProvideCredentials as _;

    #[tokio::test]
    async fn official_clients_see_our_credentials() {
        let ours = Credentials::new(
            "ASIAEXAMPLE",
            "canary-secret",
            Some("tok".into()),
            None,
            "static",
        )
        .with_account_id("123456789012");
        let theirs = SdkProvider::new(ours).provide_credentials().await.unwrap();
        assert_eq!(theirs.access_key_id(), "ASIAEXAMPLE");
        assert_eq!(theirs.secret_access_key(), "canary-secret");
        assert_eq!(theirs.session_token(), Some("tok"));
        assert_eq!(
            theirs.account_id().map(|a| a.as_str()),
            Some("123456789012")
        );
        let chain = crate::credentials::chain::ChainProvider::new();
        let err = SdkProvider::new(chain)
            .provide_credentials()
            .await
            .unwrap_err();
        assert!(matches!(err, SdkError::CredentialsNotLoaded(_)), "{err:?}");
    }
}
