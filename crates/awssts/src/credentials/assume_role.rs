//! Credentials from `AssumeRole`, signed with any source credentials: long-term
//! keys (the Nim awsSTS package's `awsSTScreateASIA`), another role (role
//! chaining), a process, a web identity.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::mfa::MfaTokenProvider;
use super::sts_session::{credentials_from_sts, default_session_name};
use super::{Credentials, CredentialsError, ProvideCredentials, ProvideCredentialsFuture};
use crate::client::{Client, ClientBuilder, ConfigError};
use crate::model::{AssumeRoleInput, PolicyDescriptorType, Tag};

const PROVIDER: &str = "assume-role";

/// AWS caps sessions of a role assumed with another role's credentials
/// ("role chaining") at one hour.
pub const ROLE_CHAINING_MAX: Duration = Duration::from_secs(3600);

/// Calls `AssumeRole` with credentials from a source provider.
#[derive(Clone)]
pub struct AssumeRoleProvider {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    input: AssumeRoleInput,
    mfa: Option<(String, Arc<dyn MfaTokenProvider>)>,
    source_name: &'static str,
}

impl fmt::Debug for AssumeRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("AssumeRoleProvider")
            .field("role_arn", &i.input.role_arn)
            .field("role_session_name", &i.input.role_session_name)
            .field("duration_seconds", &i.input.duration_seconds)
            .field("mfa_serial", &i.mfa.as_ref().map(|(s, _)| s))
            .field("source", &i.source_name)
            .finish_non_exhaustive()
    }
}

impl AssumeRoleProvider {
    /// Starts building a provider for `role_arn`.
    pub fn builder(role_arn: impl Into<String>) -> AssumeRoleBuilder {
        AssumeRoleBuilder {
            input: AssumeRoleInput::default().role_arn(role_arn),
            duration: None,
            mfa: None,
            client: None,
            chained: None,
        }
    }

    /// The role this provider assumes.
    pub fn role_arn(&self) -> &str {
        self.inner.input.role_arn.as_deref().unwrap_or_default()
    }

    /// The AssumeRole input this provider sends (without an MFA code).
    pub fn input(&self) -> &AssumeRoleInput {
        &self.inner.input
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let i = &*self.inner;
        let mut input = i.input.clone();
        if let Some((serial, tokens)) = &i.mfa {
            let code = tokens.token(serial).await?;
            input = input.serial_number(serial.clone()).token_code(code);
        }
        let out = i.client.send(input).await.map_err(|e| {
            let message = format!("assuming {} failed: {e}", self.role_arn());
            CredentialsError::new(PROVIDER, message).with_source(e)
        })?;
        let c = out.credentials.as_ref().ok_or_else(|| {
            CredentialsError::new(PROVIDER, "STS answered AssumeRole without credentials")
        })?;
        let arn = out.assumed_role_user.as_ref().map(|u| u.arn.as_str());
        Ok(credentials_from_sts(c, arn, PROVIDER))
    }
}

impl ProvideCredentials for AssumeRoleProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::new(self.fetch())
    }

    fn provider_name(&self) -> &'static str {
        PROVIDER
    }
}

/// Settings for an [`AssumeRoleProvider`].
#[must_use]
pub struct AssumeRoleBuilder {
    input: AssumeRoleInput,
    duration: Option<Duration>,
    mfa: Option<(String, Arc<dyn MfaTokenProvider>)>,
    client: Option<ClientBuilder>,
    chained: Option<bool>,
}

impl fmt::Debug for AssumeRoleBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssumeRoleBuilder")
            .field("role_arn", &self.input.role_arn)
            .field("duration", &self.duration)
            .finish_non_exhaustive()
    }
}

impl AssumeRoleBuilder {
    /// The session name (default `awssts-<unix millis>`, as the AWS CLI
    /// generates one).
    pub fn session_name(mut self, name: impl Into<String>) -> Self {
        self.input = self.input.role_session_name(name);
        self
    }

    /// The external id the role's trust policy asks for.
    pub fn external_id(mut self, id: impl Into<String>) -> Self {
        self.input = self.input.external_id(id);
        self
    }

    /// How long the session lasts (STS's default is one hour).
    pub fn duration(mut self, duration: Duration) -> Self {
        self.duration = Some(duration);
        self
    }

    /// An inline session policy.
    pub fn policy(mut self, policy: impl Into<String>) -> Self {
        self.input = self.input.policy(policy);
        self
    }

    /// A managed session policy, by ARN.
    pub fn policy_arn(mut self, arn: impl Into<String>) -> Self {
        self.input = self.input.policy_arns(PolicyDescriptorType::new(arn));
        self
    }

    /// A session tag.
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.input = self.input.tags(Tag::new(key, value));
        self
    }

    /// A tag key that passes on to roles assumed from this session.
    pub fn transitive_tag_key(mut self, key: impl Into<String>) -> Self {
        self.input = self.input.transitive_tag_keys(key);
        self
    }

    /// The source identity to set on the session.
    pub fn source_identity(mut self, identity: impl Into<String>) -> Self {
        self.input = self.input.source_identity(identity);
        self
    }

    /// The MFA device the role requires, and where its codes come from. A
    /// code goes with every AssumeRole, so every refresh asks for one; to ask
    /// once for many refreshes, sign with an
    /// [`MfaSessionProvider`](super::mfa_session::MfaSessionProvider) instead.
    pub fn mfa(
        mut self,
        serial: impl Into<String>,
        tokens: impl MfaTokenProvider + 'static,
    ) -> Self {
        self.mfa = Some((serial.into(), Arc::new(tokens)));
        self
    }

    /// The MFA device, with an already shared code source.
    pub fn mfa_shared(
        mut self,
        serial: impl Into<String>,
        tokens: Arc<dyn MfaTokenProvider>,
    ) -> Self {
        self.mfa = Some((serial.into(), tokens));
        self
    }

    /// Client settings (region, endpoint, retries) for the STS calls;
    /// default: from the environment.
    pub fn client_builder(mut self, builder: ClientBuilder) -> Self {
        self.client = Some(builder);
        self
    }

    /// Says whether the source credentials are a session's (role chaining,
    /// which AWS caps at one hour). By default a source that is an
    /// assume-role, web-identity or MFA-session provider counts as one
    /// (through caches too: they report their provider's name).
    pub fn role_chaining(mut self, chained: bool) -> Self {
        self.chained = Some(chained);
        self
    }

    /// Builds the provider; `source` signs the AssumeRole calls.
    pub fn build(
        self,
        source: impl ProvideCredentials + 'static,
    ) -> Result<AssumeRoleProvider, ConfigError> {
        self.build_shared(Arc::new(source), None)
    }

    /// Builds the provider from a shared source; `source_name` overrides
    /// the source's own [`ProvideCredentials::provider_name`] (used for the
    /// role-chaining rule).
    pub fn build_shared(
        self,
        source: Arc<dyn ProvideCredentials>,
        source_name: Option<&'static str>,
    ) -> Result<AssumeRoleProvider, ConfigError> {
        let source_name = source_name.unwrap_or_else(|| source.provider_name());
        let chained = self.chained.unwrap_or(matches!(
            source_name,
            "assume-role" | "web-identity" | "mfa-session"
        ));
        let mut input = self.input;
        if let Some(mut d) = self.duration {
            if chained && d > ROLE_CHAINING_MAX {
                tracing::warn!(
                    role_arn = input.role_arn.as_deref().unwrap_or_default(),
                    requested = d.as_secs(),
                    "the source credentials belong to a role (role chaining), and AWS limits \
                     chained role sessions to 1 hour: asking for 3600 s instead"
                );
                d = ROLE_CHAINING_MAX;
            }
            input = input.duration_seconds(i32::try_from(d.as_secs()).unwrap_or(i32::MAX));
        }
        if input.role_session_name.is_none() {
            input = input.role_session_name(default_session_name());
        }
        let client = self
            .client
            .unwrap_or_default()
            .credentials_shared(source)
            .build()?;
        Ok(AssumeRoleProvider {
            inner: Arc::new(Inner {
                client,
                input,
                mfa: self.mfa,
                source_name,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::cache::CredentialsCache;

    /// A client that reads nothing from the process environment.
    fn quiet_client() -> ClientBuilder {
        ClientBuilder::default()
            .env(crate::env::Env::from_vars(std::iter::empty::<(
                String,
                String,
            )>()))
            .region("us-east-1")
    }

    fn builder(role: &str) -> AssumeRoleBuilder {
        AssumeRoleProvider::builder(role).client_builder(quiet_client())
    }

    #[test]
    fn a_cached_role_source_is_still_role_chaining() {
        let first = builder("arn:aws:iam::123456789012:role/first")
            .build(Credentials::from_keys("AKID", "secret"))
            .unwrap();
        let two_hours = Duration::from_secs(7200);
        let direct = builder("arn:aws:iam::123456789012:role/second")
            .duration(two_hours)
            .build(first.clone())
            .unwrap();
        let cached = builder("arn:aws:iam::123456789012:role/second")
            .duration(two_hours)
            .build(CredentialsCache::new(first))
            .unwrap();
        // A role assumed with an MFA session's credentials is chained too.
        let session = crate::credentials::mfa_session::MfaSessionProvider::builder(
            "arn:aws:iam::123456789012:mfa/alice",
            Arc::new(crate::credentials::mfa::MfaCallback::new(|_| {
                Ok("123456".into())
            })),
        )
        .client_builder(quiet_client())
        .build(Credentials::from_keys("AKID", "secret"))
        .unwrap();
        let over_session = builder("arn:aws:iam::123456789012:role/second")
            .duration(two_hours)
            .build(CredentialsCache::new(session))
            .unwrap();
        for p in [direct, cached, over_session] {
            assert_eq!(p.input().duration_seconds, Some(3600), "{p:?}");
        }
        let from_keys = builder("arn:aws:iam::123456789012:role/second")
            .duration(two_hours)
            .build(Credentials::from_keys("AKID", "secret"))
            .unwrap();
        assert_eq!(from_keys.input().duration_seconds, Some(7200));
    }
}
