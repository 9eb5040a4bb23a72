//! Credentials and where they come from.
//!
//! [`Credentials`] is what signs a request; [`ProvideCredentials`] is anything
//! that can produce them. Static credentials implement it directly; the
//! environment, profile, process, web-identity, container and IMDS providers
//! build on the same trait.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::SystemTime;

use zeroize::Zeroizing;

pub mod assume_role;
#[cfg(feature = "aws-sdk")]
pub mod aws_sdk;
pub mod cache;
pub mod chain;
pub mod container;
pub mod disk_cache;
pub mod environment;
pub mod global;
pub mod imds;
pub mod mfa;
pub mod mfa_session;
pub mod process;
pub mod profile;
mod secret_file;
mod sts_session;
pub mod web_identity;

/// AWS credentials: an access key id, its secret, and for temporary
/// credentials a session token and an expiry.
///
/// Cheap to clone (the fields are shared). The secret and the token are
/// wiped from memory when the last clone is dropped, and never printed:
/// `Debug` shows the access key id, the expiry and the provider only.
#[derive(Clone)]
pub struct Credentials {
    inner: Arc<Inner>,
}

struct Inner {
    access_key_id: String,
    secret_access_key: Zeroizing<String>,
    session_token: Option<Zeroizing<String>>,
    expiration: Option<SystemTime>,
    account_id: Option<String>,
    provider: &'static str,
}

impl Inner {
    fn copy(&self) -> Inner {
        Inner {
            access_key_id: self.access_key_id.clone(),
            secret_access_key: self.secret_access_key.clone(),
            session_token: self.session_token.clone(),
            expiration: self.expiration,
            account_id: self.account_id.clone(),
            provider: self.provider,
        }
    }
}

impl Credentials {
    /// Credentials from their parts. `provider` names where they came from
    /// (shown in `Debug` and in errors), e.g. `"static"` or `"environment"`.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
        expiration: Option<SystemTime>,
        provider: &'static str,
    ) -> Self {
        Credentials {
            inner: Arc::new(Inner {
                access_key_id: access_key_id.into(),
                secret_access_key: Zeroizing::new(secret_access_key.into()),
                session_token: session_token.map(Zeroizing::new),
                expiration,
                account_id: None,
                provider,
            }),
        }
    }

    /// Long-term credentials that never expire (`provider` is `"static"`).
    pub fn from_keys(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
    ) -> Self {
        Credentials::new(access_key_id, secret_access_key, None, None, "static")
    }

    /// The same credentials with the AWS account id they belong to.
    pub fn with_account_id(self, account_id: impl Into<String>) -> Self {
        let inner = match Arc::try_unwrap(self.inner) {
            Ok(inner) => inner,
            Err(shared) => shared.copy(),
        };
        Credentials {
            inner: Arc::new(Inner {
                account_id: Some(account_id.into()),
                ..inner
            }),
        }
    }

    /// An equal copy that shares nothing with `self`, so clones of one and of
    /// the other never touch the same reference count (the credentials cache
    /// keeps one per thread; see `cache::local`).
    pub(crate) fn unshared_copy(&self) -> Credentials {
        Credentials {
            inner: Arc::new(self.inner.copy()),
        }
    }

    /// The access key id (not a secret: it appears in every signed request).
    pub fn access_key_id(&self) -> &str {
        &self.inner.access_key_id
    }

    /// The secret access key. Handle with care: never log it.
    pub fn secret_access_key(&self) -> &str {
        &self.inner.secret_access_key
    }

    /// The session token of temporary credentials.
    pub fn session_token(&self) -> Option<&str> {
        self.inner.session_token.as_deref().map(String::as_str)
    }

    /// When temporary credentials stop working.
    pub fn expiration(&self) -> Option<SystemTime> {
        self.inner.expiration
    }

    /// The account the credentials belong to, when the provider knew it.
    pub fn account_id(&self) -> Option<&str> {
        self.inner.account_id.as_deref()
    }

    /// Which provider produced these credentials.
    pub fn provider_name(&self) -> &'static str {
        self.inner.provider
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Credentials");
        d.field("access_key_id", &self.inner.access_key_id)
            .field("secret_access_key", &"** redacted **");
        if self.inner.session_token.is_some() {
            d.field("session_token", &"** redacted **");
        }
        d.field("expiration", &self.inner.expiration)
            .field("account_id", &self.inner.account_id)
            .field("provider", &self.inner.provider)
            .finish()
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "credentials {} from {}",
            self.inner.access_key_id, self.inner.provider
        )
    }
}

impl PartialEq for Credentials {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (&self.inner, &other.inner);
        a.access_key_id == b.access_key_id
            && *a.secret_access_key == *b.secret_access_key
            && a.session_token == b.session_token
            && a.expiration == b.expiration
            && a.account_id == b.account_id
    }
}

impl Eq for Credentials {}

/// Why credentials could not be provided.
///
/// One pointer wide, so that `Result<Credentials, CredentialsError>` is two
/// words and a cache read moves next to nothing.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct CredentialsError {
    inner: Box<ErrorInner>,
}

#[derive(Debug, thiserror::Error)]
#[error("{provider}: {message}")]
struct ErrorInner {
    provider: &'static str,
    kind: CredentialsErrorKind,
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// The broad reason a provider gave no credentials; a chain uses it to
/// decide whether to try the next provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialsErrorKind {
    /// The provider is not configured here (no variables, no profile key,
    /// not on EC2): a chain moves on to the next provider.
    NotLoaded,
    /// The provider is configured, but wrongly (a malformed file, a missing
    /// key, a cycle of profiles): fix the configuration.
    InvalidConfiguration,
    /// The provider is configured and tried, and its source failed (STS
    /// refused, the process exited non-zero, the endpoint timed out).
    ProviderFailed,
}

impl CredentialsError {
    /// An error from `provider`, saying what went wrong and what to do.
    pub fn new(provider: &'static str, message: impl Into<String>) -> Self {
        CredentialsError::with_kind(provider, CredentialsErrorKind::ProviderFailed, message)
    }

    /// The provider is not configured here; `why` says what it looked for.
    pub fn not_loaded(provider: &'static str, why: impl Into<String>) -> Self {
        CredentialsError::with_kind(provider, CredentialsErrorKind::NotLoaded, why)
    }

    /// The provider's configuration is wrong; `message` names the file,
    /// variable or key and the fix.
    pub fn invalid_configuration(provider: &'static str, message: impl Into<String>) -> Self {
        CredentialsError::with_kind(
            provider,
            CredentialsErrorKind::InvalidConfiguration,
            message,
        )
    }

    /// An error of the given kind.
    pub fn with_kind(
        provider: &'static str,
        kind: CredentialsErrorKind,
        message: impl Into<String>,
    ) -> Self {
        CredentialsError {
            inner: Box::new(ErrorInner {
                provider,
                kind,
                message: message.into(),
                source: None,
            }),
        }
    }

    /// The same error, caused by `source`.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }

    /// The provider that failed.
    pub fn provider(&self) -> &'static str {
        self.inner.provider
    }

    /// The broad reason.
    pub fn kind(&self) -> CredentialsErrorKind {
        self.inner.kind
    }

    /// The message, without the provider name.
    pub fn message(&self) -> &str {
        &self.inner.message
    }
}

/// Something that produces credentials, possibly asynchronously (a file, a
/// process, an STS call).
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// Produces credentials, or says why it cannot.
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_>;

    /// The provider's short, stable name (`"environment"`, `"assume-role"`,
    /// …), used in errors and to recognise role chaining.
    fn provider_name(&self) -> &'static str {
        "custom"
    }
}

/// The future returned by [`ProvideCredentials::provide_credentials`].
/// Providers that already have an answer return it without allocating.
pub struct ProvideCredentialsFuture<'a> {
    inner: FutureInner<'a>,
}

type BoxedCredentialsFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Credentials, CredentialsError>> + Send + 'a>>;

enum FutureInner<'a> {
    Ready(Option<Result<Credentials, CredentialsError>>),
    Pending(BoxedCredentialsFuture<'a>),
}

impl<'a> ProvideCredentialsFuture<'a> {
    /// A future that is already done.
    pub fn ready(result: Result<Credentials, CredentialsError>) -> Self {
        ProvideCredentialsFuture {
            inner: FutureInner::Ready(Some(result)),
        }
    }

    /// Wraps an async computation.
    pub fn new(
        future: impl Future<Output = Result<Credentials, CredentialsError>> + Send + 'a,
    ) -> Self {
        ProvideCredentialsFuture {
            inner: FutureInner::Pending(Box::pin(future)),
        }
    }
}

impl Future for ProvideCredentialsFuture<'_> {
    type Output = Result<Credentials, CredentialsError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().inner {
            FutureInner::Ready(result) => match result.take() {
                Some(result) => Poll::Ready(result),
                None => Poll::Ready(Err(CredentialsError::new(
                    "credentials",
                    "credentials future polled after it completed",
                ))),
            },
            FutureInner::Pending(future) => future.as_mut().poll(cx),
        }
    }
}

/// Static credentials provide themselves.
impl ProvideCredentials for Credentials {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::ready(Ok(self.clone()))
    }

    fn provider_name(&self) -> &'static str {
        self.inner.provider
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Arc<T> {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        (**self).provide_credentials()
    }

    fn provider_name(&self) -> &'static str {
        (**self).provider_name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let c = Credentials::new(
            "ASIAEXAMPLE",
            "very-secret-key",
            Some("very-secret-token".into()),
            None,
            "test",
        );
        for shown in [format!("{c:?}"), format!("{c:#?}"), c.to_string()] {
            assert!(!shown.contains("very-secret"), "{shown}");
            assert!(shown.contains("ASIAEXAMPLE"));
        }
        assert_eq!(c.secret_access_key(), "very-secret-key");
        assert_eq!(c.session_token(), Some("very-secret-token"));
        let with_account = c.clone().with_account_id("123456789012");
        assert_eq!(with_account.account_id(), Some("123456789012"));
        assert_eq!(with_account.secret_access_key(), "very-secret-key");
        assert_eq!(c.account_id(), None);
    }

    #[test]
    fn a_read_result_is_two_words() {
        // Cache reads move this around; a wide error would make them copy it.
        assert_eq!(
            std::mem::size_of::<Result<Credentials, CredentialsError>>(),
            2 * std::mem::size_of::<usize>()
        );
    }

    #[test]
    fn errors_show_provider_message_and_cause() {
        let io = std::io::Error::other("disk on fire");
        let e = CredentialsError::invalid_configuration("profile", "bad file").with_source(io);
        assert_eq!(e.to_string(), "profile: bad file");
        assert_eq!(e.kind(), CredentialsErrorKind::InvalidConfiguration);
        assert_eq!(
            std::error::Error::source(&e).map(ToString::to_string),
            Some("disk on fire".to_owned())
        );
    }

    #[test]
    fn static_credentials_provide_themselves_without_waiting() {
        let c = Credentials::from_keys("AKID", "secret");
        let mut fut = c.provide_credentials();
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        match Pin::new(&mut fut).poll(&mut cx) {
            Poll::Ready(Ok(got)) => assert_eq!(got, c),
            other => panic!("expected ready credentials, got {other:?}"),
        }
    }
}
