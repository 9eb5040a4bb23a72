//! Running a caller's request with cached credentials, retrying once with
//! fresh ones when the request was rejected for its credentials.

use std::future::Future;

use super::CredentialsCache;
use crate::credentials::{Credentials, CredentialsError};

/// Why [`CredentialsCache::with_retry_on_auth_failure`] gave up.
#[derive(Debug, thiserror::Error)]
pub enum AuthRetryError<E> {
    /// No credentials could be obtained to make (or repeat) the request.
    #[error("no credentials for the request: {0}")]
    Credentials(#[source] CredentialsError),
    /// The request failed (after the one retry, when its error was an
    /// authentication failure and fresh credentials were available).
    #[error("request failed: {0}")]
    Request(#[source] E),
}

impl CredentialsCache {
    /// Runs `request` with the cached credentials. When it fails with an
    /// error `is_auth_failure` recognises (an expired or invalid token), the
    /// credentials are invalidated, refreshed, and the request runs exactly
    /// once more with the new ones.
    ///
    /// If the refresh cannot produce different credentials (the source is
    /// failing and the cache keeps serving the rejected ones), repeating the
    /// request would only fail the same way, so the first error is returned.
    pub async fn with_retry_on_auth_failure<T, E, F, Fut>(
        &self,
        mut request: F,
        is_auth_failure: impl Fn(&E) -> bool,
    ) -> Result<T, AuthRetryError<E>>
    where
        F: FnMut(Credentials) -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let creds = self
            .credentials()
            .await
            .map_err(AuthRetryError::Credentials)?;
        let rejected = creds.access_key_id().to_owned();
        let error = match request(creds.clone()).await {
            Ok(value) => return Ok(value),
            Err(e) if is_auth_failure(&e) => e,
            Err(e) => return Err(AuthRetryError::Request(e)),
        };
        tracing::debug!(
            access_key_id = %rejected,
            "request rejected for its credentials; refreshing and retrying once"
        );
        self.invalidate(&rejected);
        let fresh = self
            .credentials()
            .await
            .map_err(AuthRetryError::Credentials)?;
        if fresh == creds {
            return Err(AuthRetryError::Request(error));
        }
        request(fresh).await.map_err(AuthRetryError::Request)
    }
}
