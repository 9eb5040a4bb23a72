//! Presigned `GetCallerIdentity` URLs: a GET request whose SigV4 signature
//! is in the query string, so that whoever holds the URL can ask STS who
//! signed it, until it expires, without ever seeing the signer's secret.
//!
//! This is how a caller proves its AWS identity to a third party: an EKS
//! cluster (the `k8s-aws-v1.` bearer token of `aws eks get-token`, which
//! signs an `x-k8s-aws-id` header naming the cluster), Vault's AWS auth
//! method, or any service that forwards the URL to STS and reads the answer.

use std::fmt;
use std::time::{Duration, SystemTime};

use super::{Client, Error, ErrorKind};
use crate::metadata::ResponseMetadata;
use crate::protocol::API_VERSION;
use crate::sigv4::{self, Payload, SignableRequest, SigningParams};

const OPERATION: &str = "GetCallerIdentity";

/// How long a presigned URL stays valid unless told otherwise: 15 minutes.
pub const DEFAULT_PRESIGN_EXPIRY: Duration = Duration::from_secs(15 * 60);

/// Settings of a presigned `GetCallerIdentity` URL.
///
/// ```
/// use std::time::Duration;
/// use awssts::PresignOptions;
///
/// // What `aws eks get-token` signs: one minute, and the cluster's name in
/// // a header the cluster checks.
/// let options = PresignOptions::new(Duration::from_secs(60)).header("x-k8s-aws-id", "prod");
/// assert_eq!(options.expires_in(), Duration::from_secs(60));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresignOptions {
    expires_in: Duration,
    headers: Vec<(String, String)>,
    time: Option<SystemTime>,
}

impl Default for PresignOptions {
    fn default() -> Self {
        PresignOptions::new(DEFAULT_PRESIGN_EXPIRY)
    }
}

impl PresignOptions {
    /// A URL valid for `expires_in` (1 second to 7 days; whole seconds).
    pub fn new(expires_in: Duration) -> Self {
        PresignOptions {
            expires_in,
            headers: Vec::new(),
            time: None,
        }
    }

    /// Signs a header besides `host`. Whoever uses the URL must send it
    /// with exactly this value, which lets the receiver bind the URL to a
    /// purpose (EKS: `x-k8s-aws-id` = the cluster name).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Signs as of `time` instead of now (corrected for the clock skew the
    /// client has seen); for reproducible URLs in tests.
    pub fn signing_time(mut self, time: SystemTime) -> Self {
        self.time = Some(time);
        self
    }

    /// How long the URL stays valid.
    pub fn expires_in(&self) -> Duration {
        self.expires_in
    }

    /// The extra signed headers.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }
}

/// A presigned `GetCallerIdentity` URL and what must go with it.
///
/// The URL carries the session token of temporary credentials and works
/// for anyone until it expires: treat it as a secret. `Debug` shows only
/// its scheme, host and path.
#[derive(Clone, PartialEq, Eq)]
pub struct PresignedUrl {
    url: String,
    headers: Vec<(String, String)>,
    signed_at: SystemTime,
    expires_in: Duration,
}

impl PresignedUrl {
    /// The URL (send it as a `GET`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL, consuming this value.
    pub fn into_url(self) -> String {
        self.url
    }

    /// Headers that were signed besides `host` and must be sent with the URL.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The signing time (whole seconds are what the signature holds).
    pub fn signed_at(&self) -> SystemTime {
        self.signed_at
    }

    /// How long after [`signed_at`](Self::signed_at) STS accepts the URL.
    pub fn expires_in(&self) -> Duration {
        self.expires_in
    }
}

impl fmt::Debug for PresignedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let base = self.url.split('?').next().unwrap_or_default();
        f.debug_struct("PresignedUrl")
            .field("url", &format_args!("{base}?** redacted **"))
            .field("headers", &self.headers)
            .field("signed_at", &self.signed_at)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

impl Client {
    /// A presigned URL for `GetCallerIdentity` on this client's endpoint,
    /// signed for its signing region with its credentials (and their session
    /// token, if any).
    ///
    /// Nothing is sent. The payload signed is the empty body's hash (a GET
    /// has none), as the AWS SDK for Go and `aws-iam-authenticator` sign
    /// EKS tokens; STS accepts it, and so does [`sigv4::verify`].
    ///
    /// ```no_run
    /// # async fn demo(client: awssts::Client) -> Result<(), awssts::Error> {
    /// use awssts::PresignOptions;
    ///
    /// let presigned = client
    ///     .presign_get_caller_identity(&PresignOptions::default())
    ///     .await?;
    /// // Hand presigned.url() to whoever must check who you are.
    /// # let _ = presigned; Ok(()) }
    /// ```
    pub async fn presign_get_caller_identity(
        &self,
        options: &PresignOptions,
    ) -> Result<PresignedUrl, Error> {
        let fail = |kind| Error::new(OPERATION, kind, ResponseMetadata::default());
        let inner = &*self.inner;
        let target = &inner.target;
        let host = target.host.to_str().unwrap_or_default();
        let mut headers: Vec<(&str, &str)> = Vec::with_capacity(1 + options.headers.len());
        headers.push(("host", host));
        for (name, value) in &options.headers {
            if name.trim().eq_ignore_ascii_case("host") {
                return Err(fail(ErrorKind::Signing(sigv4::Error::InvalidHeaderValue {
                    name: name.clone(),
                    reason: "the host comes from the client's endpoint; set the endpoint instead",
                })));
            }
            headers.push((name, value));
        }
        let creds = inner
            .credentials
            .provide_credentials()
            .await
            .map_err(|e| fail(ErrorKind::Credentials(e)))?;
        let time = options
            .time
            .unwrap_or_else(|| inner.clock_skew.corrected(SystemTime::now()));
        let query = format!("Action={OPERATION}&Version={API_VERSION}");
        let request = SignableRequest {
            method: "GET",
            path: &target.path,
            query: &query,
            headers: &headers,
            payload: Payload::Bytes(b""),
        };
        let mut params = SigningParams::new(
            creds.access_key_id(),
            creds.secret_access_key(),
            &inner.endpoint.signing_region,
            &inner.endpoint.signing_name,
            time,
        );
        if let Some(token) = creds.session_token() {
            params = params.with_session_token(token);
        }
        let presigned = sigv4::presign(&request, &params, options.expires_in)
            .map_err(|e| fail(ErrorKind::Signing(e)))?;
        Ok(PresignedUrl {
            url: presigned.url(&target.uri.to_string()),
            headers: options.headers.clone(),
            signed_at: presigned.date().to_system_time(),
            expires_in: presigned.expires_in(),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;
    use crate::credentials::Credentials;
    use crate::env::Env;
    use crate::sigv4::{VerifyError, VerifyOptions, VerifyRequest};

    const AKID: &str = "ASIAPRESIGNEXAMPLE";
    const SECRET: &str = "presign/secret+key";
    const TOKEN: &str = "session/token+with=chars";

    fn client(endpoint: Option<&str>) -> Client {
        let mut b = Client::builder()
            .env(Env::from_vars::<&str, &str>([]))
            .region("eu-west-1")
            .credentials(Credentials::new(
                AKID,
                SECRET,
                Some(TOKEN.to_owned()),
                None,
                "static",
            ));
        if let Some(e) = endpoint {
            b = b.endpoint_url(e);
        }
        b.build().unwrap()
    }

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn split(url: &str) -> (&str, &str, &str) {
        let (base, query) = url.split_once('?').unwrap();
        let rest = base.split_once("://").unwrap().1;
        let (host, path) = rest.split_at(rest.find('/').unwrap());
        (host, path, query)
    }

    fn verify(url: &str, headers: &[(&str, &str)], now: SystemTime) -> Result<(), VerifyError> {
        let (host, path, query) = split(url);
        let mut all = vec![("host", host)];
        all.extend_from_slice(headers);
        let req = VerifyRequest {
            method: "GET",
            path,
            query,
            headers: &all,
            body: b"",
        };
        let v = sigv4::verify(
            &req,
            |id| (id == AKID).then_some(SECRET),
            now,
            &VerifyOptions::default(),
        )?;
        assert_eq!(v.session_token.as_deref(), Some(TOKEN));
        assert_eq!(v.scope.region, "eu-west-1");
        assert_eq!(v.scope.service, "sts");
        Ok(())
    }

    #[tokio::test]
    async fn an_eks_style_url_verifies_with_its_header_and_only_with_it() {
        let options = PresignOptions::new(Duration::from_secs(60))
            .header("x-k8s-aws-id", "my-cluster")
            .signing_time(at(1_700_000_000));
        let p = client(None)
            .presign_get_caller_identity(&options)
            .await
            .unwrap();
        let url = p.url();
        assert!(
            url.starts_with(
                "https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&\
                 X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAPRESIGNEXAMPLE%2F20231114%2Feu-west-1%2Fsts%2Faws4_request&\
                 X-Amz-Date=20231114T221320Z&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Expires=60&\
                 X-Amz-Security-Token=session%2Ftoken%2Bwith%3Dchars&X-Amz-Signature="
            ),
            "{url}"
        );
        assert_eq!(p.signed_at(), at(1_700_000_000));
        assert_eq!(p.expires_in(), Duration::from_secs(60));
        assert_eq!(
            p.headers(),
            &[("x-k8s-aws-id".to_owned(), "my-cluster".to_owned())]
        );

        let header = [("x-k8s-aws-id", "my-cluster")];
        verify(url, &header, at(1_700_000_030)).unwrap();
        // Another cluster's name, or none, does not verify.
        let other = [("x-k8s-aws-id", "other-cluster")];
        assert!(matches!(
            verify(url, &other, at(1_700_000_030)),
            Err(VerifyError::SignatureMismatch { .. })
        ));
        assert!(verify(url, &[], at(1_700_000_030)).is_err());
        // A minute later it has expired.
        assert!(matches!(
            verify(url, &header, at(1_700_000_061)),
            Err(VerifyError::Expired { .. })
        ));
    }

    #[tokio::test]
    async fn a_custom_endpoint_keeps_its_port_and_path() {
        let options = PresignOptions::default().signing_time(at(1_700_000_000));
        let p = client(Some("http://127.0.0.1:4566/sts"))
            .presign_get_caller_identity(&options)
            .await
            .unwrap();
        let url = p.url();
        assert!(
            url.starts_with("http://127.0.0.1:4566/sts?Action=GetCallerIdentity&"),
            "{url}"
        );
        assert!(url.contains("&X-Amz-Expires=900&"), "{url}");
        assert!(url.contains("&X-Amz-SignedHeaders=host&"), "{url}");
        verify(url, &[], at(1_700_000_100)).unwrap();
    }

    #[tokio::test]
    async fn bad_lifetimes_and_a_host_header_are_refused_before_signing() {
        let c = client(None);
        for secs in [0, 604_801] {
            let e = c
                .presign_get_caller_identity(&PresignOptions::new(Duration::from_secs(secs)))
                .await
                .unwrap_err();
            assert!(
                matches!(
                    e.kind(),
                    ErrorKind::Signing(sigv4::Error::InvalidExpiry { .. })
                ),
                "{e}"
            );
            assert_eq!(e.operation(), "GetCallerIdentity");
        }
        let e = c
            .presign_get_caller_identity(&PresignOptions::default().header("Host", "evil.example"))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("endpoint"), "{e}");
    }

    #[tokio::test]
    async fn debug_hides_the_query_and_its_token() {
        let p = client(None)
            .presign_get_caller_identity(&PresignOptions::default())
            .await
            .unwrap();
        let shown = format!("{p:?}");
        assert!(shown.contains("https://sts.eu-west-1.amazonaws.com/?** redacted **"));
        assert!(!shown.contains("token"), "{shown}");
        assert!(!shown.contains("Signature"), "{shown}");
    }
}
