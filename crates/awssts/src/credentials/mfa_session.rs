//! An MFA session: `GetSessionToken` with a code from the MFA device,
//! signed with an IAM user's long-term keys.
//!
//! STS carries the MFA check of a session into every request signed with
//! it, AssumeRole included, so a role whose trust policy requires MFA can
//! be assumed with the session's credentials and no new code. Kept in a
//! [`CredentialsCache`](super::cache::CredentialsCache) (and the
//! [`DiskCache`](super::disk_cache::DiskCache) across processes), one code
//! buys as many role refreshes as the session lasts (12 hours by default),
//! which is how aws-vault spares its users a prompt every hour.
//!
//! The cost: AWS treats a role assumed with session credentials as role
//! chaining, so its sessions last one hour at most.
//!
//! ```no_run
//! # fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use awssts::credentials::Credentials;
//! use awssts::credentials::assume_role::AssumeRoleProvider;
//! use awssts::credentials::cache::CredentialsCache;
//! use awssts::credentials::mfa::MfaPrompt;
//! use awssts::credentials::mfa_session::MfaSessionProvider;
//!
//! let user = Credentials::from_keys("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
//! let session = MfaSessionProvider::builder("arn:aws:iam::123456789012:mfa/alice", Arc::new(MfaPrompt::new()))
//!     .build(user)?;
//! // The cache reports the session's provider name, so the 1-hour cap applies.
//! let admin = AssumeRoleProvider::builder("arn:aws:iam::123456789012:role/admin")
//!     .build(CredentialsCache::new(session))?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::mfa::MfaTokenProvider;
use super::sts_session::credentials_from_sts;
use super::{Credentials, CredentialsError, ProvideCredentials, ProvideCredentialsFuture};
use crate::client::{Client, ClientBuilder, ConfigError};
use crate::model::GetSessionTokenInput;

const PROVIDER: &str = "mfa-session";

/// Calls `GetSessionToken` with the MFA device's current code.
#[derive(Clone)]
pub struct MfaSessionProvider {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    serial: String,
    tokens: Arc<dyn MfaTokenProvider>,
    duration: Option<Duration>,
}

impl fmt::Debug for MfaSessionProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MfaSessionProvider")
            .field("mfa_serial", &self.inner.serial)
            .field("duration", &self.inner.duration)
            .finish_non_exhaustive()
    }
}

impl MfaSessionProvider {
    /// Starts building a provider for the MFA device `serial`, whose codes
    /// come from `tokens`.
    pub fn builder(
        serial: impl Into<String>,
        tokens: Arc<dyn MfaTokenProvider>,
    ) -> MfaSessionBuilder {
        MfaSessionBuilder {
            serial: serial.into(),
            tokens,
            duration: None,
            client: None,
        }
    }

    /// The MFA device.
    pub fn serial(&self) -> &str {
        &self.inner.serial
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let i = &*self.inner;
        let code = i.tokens.token(&i.serial).await?;
        let mut input = GetSessionTokenInput::default()
            .serial_number(i.serial.clone())
            .token_code(code);
        if let Some(d) = i.duration {
            input = input.duration_seconds(i32::try_from(d.as_secs()).unwrap_or(i32::MAX));
        }
        let out = i.client.send(input).await.map_err(|e| {
            let message = format!(
                "GetSessionToken with a code from MFA device {} failed: {e} (it needs an IAM \
                 user's long-term keys, not session credentials)",
                i.serial
            );
            CredentialsError::new(PROVIDER, message).with_source(e)
        })?;
        let c = out.credentials.as_ref().ok_or_else(|| {
            CredentialsError::new(PROVIDER, "STS answered GetSessionToken without credentials")
        })?;
        Ok(credentials_from_sts(c, None, PROVIDER))
    }
}

impl ProvideCredentials for MfaSessionProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::new(self.fetch())
    }

    fn provider_name(&self) -> &'static str {
        PROVIDER
    }
}

/// Settings for an [`MfaSessionProvider`].
#[must_use]
pub struct MfaSessionBuilder {
    serial: String,
    tokens: Arc<dyn MfaTokenProvider>,
    duration: Option<Duration>,
    client: Option<ClientBuilder>,
}

impl fmt::Debug for MfaSessionBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MfaSessionBuilder")
            .field("mfa_serial", &self.serial)
            .field("duration", &self.duration)
            .finish_non_exhaustive()
    }
}

impl MfaSessionBuilder {
    /// How long the session lasts: 15 minutes to 36 hours (STS's default
    /// is 12 hours).
    pub fn duration(mut self, duration: Duration) -> Self {
        self.duration = Some(duration);
        self
    }

    /// Client settings (region, endpoint, retries) for the STS call;
    /// default: from the environment.
    pub fn client_builder(mut self, builder: ClientBuilder) -> Self {
        self.client = Some(builder);
        self
    }

    /// Builds the provider; `source` (an IAM user's long-term keys) signs
    /// the GetSessionToken calls.
    pub fn build(
        self,
        source: impl ProvideCredentials + 'static,
    ) -> Result<MfaSessionProvider, ConfigError> {
        self.build_shared(Arc::new(source))
    }

    /// Builds the provider from a shared source.
    pub fn build_shared(
        self,
        source: Arc<dyn ProvideCredentials>,
    ) -> Result<MfaSessionProvider, ConfigError> {
        let client = self
            .client
            .unwrap_or_default()
            .credentials_shared(source)
            .build()?;
        Ok(MfaSessionProvider {
            inner: Arc::new(Inner {
                client,
                serial: self.serial,
                tokens: self.tokens,
                duration: self.duration,
            }),
        })
    }
}
