//! Building a client: explicit settings first, then the environment the AWS
//! CLI and SDKs read, then defaults.

use std::fmt;
use std::sync::Arc;

use crate::credentials::ProvideCredentials;
use crate::endpoint;
use crate::env::Env;
use crate::retry::{RetryConfig, RetryMode};
use crate::transport::{Transport, TransportConfig, TransportError};

/// Why a client could not be built. Each variant names the setting and
/// what would fix it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// An environment variable holds a value that cannot be used.
    #[error("environment variable {name} is {value:?}, but it must be {expected}")]
    InvalidEnv {
        /// The variable.
        name: &'static str,
        /// Its value (these variables never hold secrets).
        value: String,
        /// What it must be.
        expected: &'static str,
    },
    /// The endpoint rules refused the combination of settings.
    #[error("cannot resolve the STS endpoint: {0}")]
    Endpoint(#[from] endpoint::Error),
    /// The resolved or configured endpoint URL is not a usable http(s) URL.
    #[error("endpoint URL {url:?} is not usable: {reason}")]
    EndpointUrl {
        /// The URL.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The transport could not be set up (TLS roots).
    #[error("cannot set up the HTTP transport: {0}")]
    Transport(#[from] TransportError),
}

/// Settings for a [`Client`](super::Client); every one is optional.
#[derive(Clone, Default)]
#[must_use]
pub struct ClientBuilder {
    env: Option<Env>,
    region: Option<String>,
    endpoint_url: Option<String>,
    use_fips: Option<bool>,
    use_dual_stack: Option<bool>,
    use_global_endpoint: Option<bool>,
    ignore_configured_endpoint_urls: Option<bool>,
    credentials: Option<Arc<dyn ProvideCredentials>>,
    retry: Option<RetryConfig>,
    transport_config: Option<TransportConfig>,
    transport: Option<Transport>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url)
            .field("use_fips", &self.use_fips)
            .field("use_dual_stack", &self.use_dual_stack)
            .field("use_global_endpoint", &self.use_global_endpoint)
            .field(
                "ignore_configured_endpoint_urls",
                &self.ignore_configured_endpoint_urls,
            )
            .field("credentials", &self.credentials)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Reads settings from `env` instead of the process environment.
    pub fn env(mut self, env: Env) -> Self {
        self.env = Some(env);
        self
    }

    /// The AWS region (else `AWS_REGION`, then `AWS_DEFAULT_REGION`).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// A custom endpoint such as `http://127.0.0.1:4566` (else
    /// `AWS_ENDPOINT_URL_STS`, then `AWS_ENDPOINT_URL`, unless
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`).
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// Use FIPS endpoints (else `AWS_USE_FIPS_ENDPOINT`).
    pub fn use_fips(mut self, on: bool) -> Self {
        self.use_fips = Some(on);
        self
    }

    /// Use dual-stack (IPv6) endpoints (else `AWS_USE_DUALSTACK_ENDPOINT`).
    pub fn use_dual_stack(mut self, on: bool) -> Self {
        self.use_dual_stack = Some(on);
        self
    }

    /// Use the legacy global endpoint `sts.amazonaws.com` for the regions
    /// that had it (else `AWS_STS_REGIONAL_ENDPOINTS=legacy`). Off by
    /// default: regional endpoints are faster and survive a us-east-1 outage.
    pub fn use_global_endpoint(mut self, on: bool) -> Self {
        self.use_global_endpoint = Some(on);
        self
    }

    /// Whether endpoint URLs from the environment (`AWS_ENDPOINT_URL_STS`,
    /// `AWS_ENDPOINT_URL`) and from profiles are ignored, as
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` or the profile setting
    /// `ignore_configured_endpoint_urls` say. An explicit
    /// [`endpoint_url`](Self::endpoint_url) is always used.
    pub fn ignore_configured_endpoint_urls(mut self, on: bool) -> Self {
        self.ignore_configured_endpoint_urls = Some(on);
        self
    }

    /// Where signing credentials come from (else the AWS CLI's default
    /// chain, cached). Operations that STS does not sign
    /// (`AssumeRoleWithWebIdentity`, `AssumeRoleWithSAML`) never ask.
    pub fn credentials(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.credentials = Some(Arc::new(provider));
        self
    }

    /// Where signing credentials come from, already shared.
    pub fn credentials_shared(mut self, provider: Arc<dyn ProvideCredentials>) -> Self {
        self.credentials = Some(provider);
        self
    }

    /// Retry settings (else `AWS_MAX_ATTEMPTS` and `AWS_RETRY_MODE`, then
    /// standard mode with 3 attempts).
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Transport settings: timeouts, pool size, recycling, TLS roots.
    pub fn transport_config(mut self, config: TransportConfig) -> Self {
        self.transport_config = Some(config);
        self
    }

    /// Shares an existing transport (and its connection pool) with this
    /// client; `transport_config` is then ignored.
    pub fn transport(mut self, transport: Transport) -> Self {
        self.transport = Some(transport);
        self
    }

    pub(crate) fn configured_env(&self) -> Option<&Env> {
        self.env.as_ref()
    }

    pub(crate) fn configured_region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    pub(crate) fn configured_endpoint_url(&self) -> Option<&str> {
        self.endpoint_url.as_deref()
    }

    pub(crate) fn configured_ignore_endpoint_urls(&self) -> Option<bool> {
        self.ignore_configured_endpoint_urls
    }

    pub(crate) fn configured_use_fips(&self) -> Option<bool> {
        self.use_fips
    }

    pub(crate) fn configured_use_dual_stack(&self) -> Option<bool> {
        self.use_dual_stack
    }

    pub(crate) fn configured_use_global_endpoint(&self) -> Option<bool> {
        self.use_global_endpoint
    }

    pub(crate) fn configured_retry(&self) -> Option<&RetryConfig> {
        self.retry.as_ref()
    }

    /// Builds the client.
    pub fn build(self) -> Result<super::Client, ConfigError> {
        let resolved = self.resolve()?;
        Ok(super::Client::from_resolved(resolved))
    }

    /// Builds the blocking twin of the client.
    pub fn build_blocking(self) -> Result<crate::blocking::Client, crate::blocking::BuildError> {
        crate::blocking::Client::from_builder(self)
    }

    pub(crate) fn resolve(self) -> Result<Resolved, ConfigError> {
        let env = self.env.unwrap_or_default();
        let region = self
            .region
            .or_else(|| env.get("AWS_REGION"))
            .or_else(|| env.get("AWS_DEFAULT_REGION"));
        let use_fips = match self.use_fips {
            Some(v) => v,
            None => env_bool(&env, "AWS_USE_FIPS_ENDPOINT")?.unwrap_or(false),
        };
        let use_dual_stack = match self.use_dual_stack {
            Some(v) => v,
            None => env_bool(&env, "AWS_USE_DUALSTACK_ENDPOINT")?.unwrap_or(false),
        };
        let use_global_endpoint = match self.use_global_endpoint {
            Some(v) => v,
            None => match env.get("AWS_STS_REGIONAL_ENDPOINTS") {
                None => false,
                Some(v) => match v.trim().to_ascii_lowercase().as_str() {
                    "regional" => false,
                    "legacy" => true,
                    _ => {
                        return Err(ConfigError::InvalidEnv {
                            name: "AWS_STS_REGIONAL_ENDPOINTS",
                            value: v,
                            expected: "`regional` or `legacy`",
                        });
                    }
                },
            },
        };
        let ignore_configured = match self.ignore_configured_endpoint_urls {
            Some(v) => v,
            None => env_bool(&env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")?.unwrap_or(false),
        };
        let endpoint_url = match self.endpoint_url {
            Some(url) => Some(url),
            None if ignore_configured => None,
            None => env
                .get("AWS_ENDPOINT_URL_STS")
                .or_else(|| env.get("AWS_ENDPOINT_URL")),
        };
        let retry = match self.retry {
            Some(r) => r,
            None => {
                let mut r = RetryConfig::default();
                if let Some(v) = env.get("AWS_MAX_ATTEMPTS") {
                    match v.trim().parse::<u32>() {
                        Ok(n) if n >= 1 => r = r.with_max_attempts(n),
                        _ => {
                            return Err(ConfigError::InvalidEnv {
                                name: "AWS_MAX_ATTEMPTS",
                                value: v,
                                expected: "a whole number of attempts, 1 or more",
                            });
                        }
                    }
                }
                if let Some(v) = env.get("AWS_RETRY_MODE") {
                    match RetryMode::parse(&v) {
                        Some(mode) => r = r.with_mode(mode),
                        None => {
                            return Err(ConfigError::InvalidEnv {
                                name: "AWS_RETRY_MODE",
                                value: v,
                                expected: "`standard` or `adaptive` (or `legacy`)",
                            });
                        }
                    }
                }
                r
            }
        };
        let params = endpoint::Params {
            region: region.clone(),
            use_dual_stack,
            use_fips,
            use_global_endpoint,
            endpoint: endpoint_url,
        };
        let resolved_endpoint = endpoint::resolve(&params)?;
        let target = Target::parse(&resolved_endpoint.url)?;
        let transport = match self.transport {
            Some(t) => t,
            None => Transport::new(self.transport_config.unwrap_or_default())?,
        };
        Ok(Resolved {
            region,
            endpoint: resolved_endpoint,
            target,
            // Without explicit credentials, the AWS CLI's default chain,
            // behind a cache so that it runs once per session, not per call.
            credentials: self.credentials.unwrap_or_else(|| {
                Arc::new(crate::credentials::cache::CredentialsCache::new(
                    crate::credentials::chain::default_chain(&env),
                ))
            }),
            retry,
            transport,
        })
    }
}

fn env_bool(env: &Env, name: &'static str) -> Result<Option<bool>, ConfigError> {
    match env.get(name) {
        None => Ok(None),
        Some(v) => match v.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            _ => Err(ConfigError::InvalidEnv {
                name,
                value: v,
                expected: "`true` or `false`",
            }),
        },
    }
}

/// Everything a client needs, resolved once.
pub(crate) struct Resolved {
    pub(crate) region: Option<String>,
    pub(crate) endpoint: endpoint::Endpoint,
    pub(crate) target: Target,
    pub(crate) credentials: Arc<dyn ProvideCredentials>,
    pub(crate) retry: RetryConfig,
    pub(crate) transport: Transport,
}

/// The endpoint URL taken apart once, for building and signing requests.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    /// The absolute URI requests are sent to.
    pub(crate) uri: http::Uri,
    /// The `Host` header value: host, plus the port when it is not the
    /// scheme's default (what SigV4 signs and what servers compare).
    pub(crate) host: http::HeaderValue,
    /// The request path (`/` unless the custom endpoint has one).
    pub(crate) path: String,
}

impl Target {
    pub(crate) fn parse(url: &str) -> Result<Target, ConfigError> {
        let bad = |reason| ConfigError::EndpointUrl {
            url: url.to_owned(),
            reason,
        };
        let uri: http::Uri = url.parse().map_err(|_| bad("it does not parse as a URL"))?;
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(bad("the scheme must be http or https")),
        };
        let host = uri.host().ok_or_else(|| bad("it has no host"))?;
        if uri.query().is_some() {
            return Err(bad("an endpoint URL cannot have a query string"));
        }
        let default_port = if https { 443 } else { 80 };
        let host_header = match uri.port_u16() {
            Some(p) if p != default_port => format!("{host}:{p}"),
            _ => host.to_owned(),
        };
        let host = http::HeaderValue::from_str(&host_header)
            .map_err(|_| bad("its host is not a valid header value"))?;
        let path = match uri.path() {
            "" => "/".to_owned(),
            p => p.to_owned(),
        };
        let uri = http::Uri::builder()
            .scheme(if https { "https" } else { "http" })
            .authority(host_header.as_str())
            .path_and_query(path.as_str())
            .build()
            .map_err(|_| bad("it cannot be rebuilt as a request URL"))?;
        Ok(Target { uri, host, path })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(vars: &[(&str, &str)]) -> Result<Resolved, ConfigError> {
        ClientBuilder::default()
            .env(Env::from_vars(vars.iter().copied()))
            .resolve()
    }

    #[test]
    fn region_and_endpoint_come_from_the_environment() {
        let r = resolve(&[("AWS_REGION", "eu-west-1")]).unwrap();
        assert_eq!(r.endpoint.url, "https://sts.eu-west-1.amazonaws.com");
        assert_eq!(r.target.host, "sts.eu-west-1.amazonaws.com");
        assert_eq!(r.target.path, "/");
        let r = resolve(&[("AWS_DEFAULT_REGION", "ap-south-1")]).unwrap();
        assert_eq!(r.region.as_deref(), Some("ap-south-1"));
        let r = resolve(&[
            ("AWS_REGION", "us-east-1"),
            ("AWS_DEFAULT_REGION", "eu-west-1"),
        ])
        .unwrap();
        assert_eq!(r.region.as_deref(), Some("us-east-1"));
    }

    #[test]
    fn legacy_global_endpoint_fips_and_dual_stack() {
        let r = resolve(&[
            ("AWS_REGION", "eu-west-1"),
            ("AWS_STS_REGIONAL_ENDPOINTS", "legacy"),
        ])
        .unwrap();
        assert_eq!(r.endpoint.url, "https://sts.amazonaws.com");
        assert_eq!(r.endpoint.signing_region, "us-east-1");
        let r = resolve(&[
            ("AWS_REGION", "us-west-2"),
            ("AWS_USE_FIPS_ENDPOINT", "true"),
        ])
        .unwrap();
        assert_eq!(r.endpoint.url, "https://sts-fips.us-west-2.amazonaws.com");
        let r = resolve(&[
            ("AWS_REGION", "us-west-2"),
            ("AWS_USE_DUALSTACK_ENDPOINT", "TRUE"),
        ])
        .unwrap();
        assert_eq!(r.endpoint.url, "https://sts.us-west-2.api.aws");
    }

    #[test]
    fn custom_endpoints_and_their_precedence() {
        let r = resolve(&[
            ("AWS_REGION", "us-east-1"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:1111"),
            ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:2222"),
        ])
        .unwrap();
        assert_eq!(r.target.host, "127.0.0.1:2222");
        let r = resolve(&[
            ("AWS_REGION", "us-east-1"),
            ("AWS_ENDPOINT_URL", "http://localhost:80/sts"),
        ])
        .unwrap();
        assert_eq!(r.target.host, "localhost");
        assert_eq!(r.target.path, "/sts");
        let r = resolve(&[
            ("AWS_REGION", "us-east-1"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:1111"),
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
        ])
        .unwrap();
        assert_eq!(r.endpoint.url, "https://sts.us-east-1.amazonaws.com");
        let r = ClientBuilder::default()
            .env(Env::from_vars([(
                "AWS_ENDPOINT_URL_STS",
                "http://127.0.0.1:2222",
            )]))
            .region("eu-west-1")
            .endpoint_url("http://127.0.0.1:3333")
            .resolve()
            .unwrap();
        assert_eq!(r.target.host, "127.0.0.1:3333", "explicit settings win");
    }

    #[test]
    fn bad_values_name_the_variable_and_the_fix() {
        for (name, value) in [
            ("AWS_USE_FIPS_ENDPOINT", "yes"),
            ("AWS_STS_REGIONAL_ENDPOINTS", "global"),
            ("AWS_MAX_ATTEMPTS", "0"),
            ("AWS_RETRY_MODE", "fast"),
        ] {
            let err = resolve(&[("AWS_REGION", "us-east-1"), (name, value)])
                .err()
                .unwrap();
            let msg = err.to_string();
            assert!(msg.contains(name) && msg.contains(value), "{msg}");
            assert!(msg.contains("must be"), "{msg}");
        }
        let err = resolve(&[("AWS_REGION", "us-east-1"), ("AWS_ENDPOINT_URL", "ftp://x")])
            .err()
            .unwrap();
        assert!(err.to_string().contains("ftp://x"), "{err}");
    }

    #[test]
    fn retry_settings_from_the_environment() {
        let r = resolve(&[
            ("AWS_REGION", "us-east-1"),
            ("AWS_MAX_ATTEMPTS", "5"),
            ("AWS_RETRY_MODE", "adaptive"),
        ])
        .unwrap();
        assert_eq!(r.retry.max_attempts, 5);
        assert_eq!(r.retry.mode, RetryMode::Adaptive);
    }
}
