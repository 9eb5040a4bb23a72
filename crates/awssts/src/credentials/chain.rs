//! A chain of providers tried in order, as the AWS CLI's default chain is.
//!
//! A provider that is not configured here (`NotLoaded`) passes the turn to
//! the next one; a provider that is configured but fails stops the chain
//! with its error, because silently falling through to other credentials
//! would sign requests as someone the user did not choose. When no provider
//! has credentials, the error lists every provider and why it had none.

use std::fmt;
use std::sync::Arc;

use super::{CredentialsError, CredentialsErrorKind, ProvideCredentials, ProvideCredentialsFuture};

/// Providers tried in order until one has credentials.
#[derive(Clone, Default)]
pub struct ChainProvider {
    providers: Vec<Arc<dyn ProvideCredentials>>,
}

impl fmt::Debug for ChainProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.providers.iter().map(|p| p.provider_name()))
            .finish()
    }
}

impl ChainProvider {
    /// An empty chain (it finds nothing until providers are added).
    pub fn new() -> Self {
        ChainProvider::default()
    }

    /// Adds a provider at the end of the chain.
    #[must_use]
    pub fn with(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.providers.push(Arc::new(provider));
        self
    }

    /// Adds an already shared provider at the end of the chain.
    #[must_use]
    pub fn with_shared(mut self, provider: Arc<dyn ProvideCredentials>) -> Self {
        self.providers.push(provider);
        self
    }

    /// The providers' names, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.providers.iter().map(|p| p.provider_name()).collect()
    }

    async fn resolve(&self) -> Result<super::Credentials, CredentialsError> {
        let mut skipped = Vec::with_capacity(self.providers.len());
        for provider in &self.providers {
            match provider.provide_credentials().await {
                Ok(creds) => return Ok(creds),
                Err(e) if e.kind() == CredentialsErrorKind::NotLoaded => {
                    skipped.push(format!("{}: {}", e.provider(), e.message()));
                }
                Err(e) => return Err(e),
            }
        }
        let tried = if skipped.is_empty() {
            "the chain has no providers".to_owned()
        } else {
            skipped.join("; ")
        };
        Err(CredentialsError::not_loaded(
            "chain",
            format!(
                "no credentials found. Tried, in order: {tried}. Set AWS_ACCESS_KEY_ID and \
                 AWS_SECRET_ACCESS_KEY, choose a profile with AWS_PROFILE, or run where a \
                 container or instance role is available"
            ),
        ))
    }
}

impl ProvideCredentials for ChainProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::new(self.resolve())
    }

    fn provider_name(&self) -> &'static str {
        "chain"
    }
}

/// The AWS CLI's default chain, in its order: environment variables; a
/// profile's `role_arn` (assume role, or web identity from the profile); web
/// identity from `AWS_WEB_IDENTITY_TOKEN_FILE`; the profile's other sources
/// (static keys, `credential_process`); the container endpoint; IMDS.
///
/// Wrap it in a credentials cache: IMDS alone takes up to a second to say
/// it is not there, and roles should not be assumed on every request.
pub fn default_chain(env: &crate::env::Env) -> ChainProvider {
    default_chain_with(env, None)
}

/// [`default_chain`], with the sessions of assumed-role profiles kept in
/// `disk_cache` (the AWS CLI's `~/.aws/cli/cache`, as the AWS CLI keeps
/// them), shared with other processes and the AWS CLI.
pub fn default_chain_with(
    env: &crate::env::Env,
    disk_cache: Option<super::disk_cache::DiskCache>,
) -> ChainProvider {
    use super::container::ContainerProvider;
    use super::environment::EnvironmentProvider;
    use super::imds::ImdsProvider;
    use super::profile::{ProfileProvider, ProfileSources};
    use super::web_identity::WebIdentityProvider;
    let profile = |sources| {
        let p = ProfileProvider::new(env.clone()).sources(sources);
        match &disk_cache {
            Some(cache) => p.disk_cache(cache.clone()),
            None => p,
        }
    };
    ChainProvider::new()
        .with(EnvironmentProvider::new(env.clone()))
        .with(profile(ProfileSources::Roles))
        .with(WebIdentityProvider::from_env(env))
        .with(profile(ProfileSources::NonRoles))
        .with(ContainerProvider::from_env(env))
        .with(ImdsProvider::from_env(env))
}

#[cfg(test)]
mod tests {
    use super::super::Credentials;
    use super::*;

    #[derive(Debug)]
    struct Fixed(Result<Credentials, (&'static str, CredentialsErrorKind, &'static str)>);

    impl ProvideCredentials for Fixed {
        fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
            ProvideCredentialsFuture::ready(match &self.0 {
                Ok(c) => Ok(c.clone()),
                Err((p, k, m)) => Err(CredentialsError::with_kind(p, *k, *m)),
            })
        }

        fn provider_name(&self) -> &'static str {
            match &self.0 {
                Ok(c) => c.provider_name(),
                Err((p, _, _)) => p,
            }
        }
    }

    fn skip(name: &'static str, why: &'static str) -> Fixed {
        Fixed(Err((name, CredentialsErrorKind::NotLoaded, why)))
    }

    #[tokio::test]
    async fn skips_what_is_not_configured_and_stops_at_the_first_answer() {
        let chain = ChainProvider::new()
            .with(skip("environment", "AWS_ACCESS_KEY_ID is not set"))
            .with(Credentials::new("AKID", "s", None, None, "profile"))
            .with(Credentials::new("OTHER", "s", None, None, "imds"));
        let c = chain.provide_credentials().await.unwrap();
        assert_eq!(c.access_key_id(), "AKID");
        assert_eq!(chain.names(), ["environment", "profile", "imds"]);
    }

    #[tokio::test]
    async fn a_configured_provider_that_fails_stops_the_chain() {
        let chain = ChainProvider::new()
            .with(Fixed(Err((
                "process",
                CredentialsErrorKind::ProviderFailed,
                "exited with status 1",
            ))))
            .with(Credentials::new("AKID", "s", None, None, "imds"));
        let e = chain.provide_credentials().await.unwrap_err();
        assert_eq!(e.provider(), "process");
    }

    #[tokio::test]
    async fn finding_nothing_lists_every_provider_and_why() {
        let chain = ChainProvider::new()
            .with(skip("environment", "AWS_ACCESS_KEY_ID is not set"))
            .with(skip("profile", "profile default has no credentials"))
            .with(skip("imds", "not on EC2"));
        let e = chain.provide_credentials().await.unwrap_err();
        let msg = e.to_string();
        for part in [
            "environment: AWS_ACCESS_KEY_ID is not set",
            "profile: profile default",
            "imds: not on EC2",
        ] {
            assert!(msg.contains(part), "{part:?} in {msg}");
        }
        assert_eq!(e.kind(), CredentialsErrorKind::NotLoaded);
    }
}
