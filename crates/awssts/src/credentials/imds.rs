//! Credentials of the EC2 instance profile, from the instance metadata
//! service (IMDSv2 only: a session token is fetched with `PUT` first).
//!
//! Flow: `PUT /latest/api/token` (TTL 6 h, cached until shortly before it
//! expires), then the role name from
//! `/latest/meta-data/iam/security-credentials-extended/`, then the role's
//! credentials below it. The extended path is what current AWS SDKs ask for
//! first, because its answer carries the `AccountId`; instances that do not
//! serve it answer 404, and then the classic
//! `/latest/meta-data/iam/security-credentials/` path is used and
//! remembered. A 401 (the session token expired or was revoked) fetches a
//! new token and repeats the request once.
//!
//! Off EC2 nothing answers at 169.254.169.254, and a credentials chain must
//! not stall on it: the first contact is one attempt bounded by
//! [`timeout`](ImdsProvider::timeout) (1 s by default), after which the
//! provider gives up with `NotLoaded`. Once IMDS has answered, 5xx answers
//! and timeouts are retried ([`retries`](ImdsProvider::retries), 1 by
//! default).

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use http::{HeaderName, HeaderValue, Method, Uri};

use super::container::{Problem, parse_json_credentials};
use super::{
    Credentials, CredentialsError, CredentialsErrorKind, ProvideCredentials,
    ProvideCredentialsFuture,
};
use crate::SecretString;
use crate::env::Env;
use crate::transport::{HttpRequest, HttpResponse, Transport, TransportConfig};

const PROVIDER: &str = "imds";
const IPV4_ENDPOINT: &str = "http://169.254.169.254";
const IPV6_ENDPOINT: &str = "http://[fd00:ec2::254]";
const TOKEN_PATH: &str = "/latest/api/token";
const EXTENDED_PATH: &str = "/latest/meta-data/iam/security-credentials-extended/";
const LEGACY_PATH: &str = "/latest/meta-data/iam/security-credentials/";
const TOKEN_TTL_SECONDS: u64 = 21_600;
/// A token is replaced this long before IMDS would stop accepting it.
const TOKEN_MARGIN: Duration = Duration::from_secs(120);
const TTL_HEADER: HeaderName = HeaderName::from_static("x-aws-ec2-metadata-token-ttl-seconds");
const TOKEN_HEADER: HeaderName = HeaderName::from_static("x-aws-ec2-metadata-token");

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);
const DEFAULT_RETRIES: u32 = 1;

/// Which credentials path this instance serves, once known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Api {
    Unknown,
    Extended,
    Legacy,
}

#[derive(Debug)]
struct State {
    token: Option<(SecretString, Instant)>,
    api: Api,
    /// IMDS has answered at least once: later failures are failures, not
    /// a sign that this is not EC2.
    reached: bool,
}

/// Fetches the instance profile's credentials from IMDSv2.
#[derive(Clone, Debug)]
pub struct ImdsProvider {
    endpoint: Result<String, Problem>,
    timeout: Duration,
    retries: u32,
    retry_delay: Duration,
    transport: Arc<OnceLock<Transport>>,
    state: Arc<Mutex<State>>,
}

impl Default for ImdsProvider {
    fn default() -> Self {
        ImdsProvider::new()
    }
}

impl ImdsProvider {
    /// A provider for `http://169.254.169.254` with the default 1 s budget
    /// and one retry.
    pub fn new() -> Self {
        ImdsProvider::with_endpoint(Ok(IPV4_ENDPOINT.to_owned()))
    }

    fn with_endpoint(endpoint: Result<String, Problem>) -> Self {
        ImdsProvider {
            endpoint,
            timeout: DEFAULT_TIMEOUT,
            retries: DEFAULT_RETRIES,
            retry_delay: Duration::from_millis(100),
            transport: Arc::new(OnceLock::new()),
            state: Arc::new(Mutex::new(State {
                token: None,
                api: Api::Unknown,
                reached: false,
            })),
        }
    }

    /// The provider the AWS CLI configures from the environment:
    /// `AWS_EC2_METADATA_DISABLED=true` turns it off (`NotLoaded`);
    /// `AWS_EC2_METADATA_SERVICE_ENDPOINT` overrides the endpoint, else
    /// `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` (`IPv4` or `IPv6`) picks
    /// `http://169.254.169.254` or `http://[fd00:ec2::254]`;
    /// `AWS_METADATA_SERVICE_TIMEOUT` (seconds) and
    /// `AWS_METADATA_SERVICE_NUM_ATTEMPTS` set the timeout and the retries.
    pub fn from_env(env: &Env) -> Self {
        let disabled = env
            .get("AWS_EC2_METADATA_DISABLED")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        if disabled {
            return ImdsProvider::with_endpoint(Err(Problem {
                kind: CredentialsErrorKind::NotLoaded,
                message: "IMDS is disabled by AWS_EC2_METADATA_DISABLED=true".into(),
            }));
        }
        let mut provider = ImdsProvider::with_endpoint(endpoint_from_env(env));
        match env.get("AWS_METADATA_SERVICE_TIMEOUT") {
            None => {}
            Some(v) => match v.trim().parse::<f64>() {
                Ok(secs) if secs > 0.0 && secs <= 3600.0 => {
                    provider.timeout = Duration::from_secs_f64(secs);
                }
                _ => {
                    provider.endpoint = Err(invalid(format!(
                        "AWS_METADATA_SERVICE_TIMEOUT is `{v}`; it should be a number of \
                         seconds greater than 0, such as 1"
                    )));
                }
            },
        }
        match env.get("AWS_METADATA_SERVICE_NUM_ATTEMPTS") {
            None => {}
            Some(v) => match v.trim().parse::<u32>() {
                Ok(n) if n >= 1 => provider.retries = n - 1,
                _ => {
                    provider.endpoint = Err(invalid(format!(
                        "AWS_METADATA_SERVICE_NUM_ATTEMPTS is `{v}`; it should be a whole \
                         number of attempts, 1 or more"
                    )));
                }
            },
        }
        provider
    }

    /// Uses `url` (scheme and host, e.g. `http://127.0.0.1:8080`) as the
    /// IMDS endpoint.
    pub fn endpoint(mut self, url: &str) -> Self {
        self.endpoint = check_endpoint(url, "the IMDS endpoint");
        self.reset();
        self
    }

    /// The bound on each attempt: connecting, sending and reading the whole
    /// answer (default 1 s). Off EC2, this is how long the provider waits
    /// before it gives up.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self.reset();
        self
    }

    /// Retries after a 5xx answer or a timeout once IMDS has answered
    /// (default 1), and the pause before the first (default 100 ms, doubled
    /// for each next one).
    pub fn retries(mut self, retries: u32, first_delay: Duration) -> Self {
        self.retries = retries;
        self.retry_delay = first_delay;
        self
    }

    /// Clones share the token cache and the connection pool; a changed
    /// endpoint or timeout starts fresh.
    fn reset(&mut self) {
        self.transport = Arc::new(OnceLock::new());
        self.state = Arc::new(Mutex::new(State {
            token: None,
            api: Api::Unknown,
            reached: false,
        }));
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn transport(&self) -> Result<Transport, CredentialsError> {
        if let Some(t) = self.transport.get() {
            return Ok(t.clone());
        }
        let config = TransportConfig::default()
            .connect_timeout(self.timeout)
            .read_timeout(Some(self.timeout))
            .attempt_timeout(Some(self.timeout))
            .max_response_bytes(64 * 1024);
        let transport = Transport::new(config).map_err(|e| {
            CredentialsError::new(PROVIDER, format!("cannot set up HTTP: {e}")).with_source(e)
        })?;
        let _ = self.transport.set(transport.clone());
        Ok(transport)
    }

    /// Sends one request. Before IMDS has ever answered, a request that gets
    /// no answer means "not on EC2": one attempt, then `NotLoaded`.
    async fn send(
        &self,
        transport: &Transport,
        request: &HttpRequest,
    ) -> Result<HttpResponse, CredentialsError> {
        let mut delay = self.retry_delay;
        let mut attempt = 0u32;
        loop {
            let reached = self.state().reached;
            let result = transport.send(request.clone()).await;
            match result {
                Ok(r) => {
                    self.state().reached = true;
                    if r.status >= 500 && attempt < self.retries {
                        tracing::debug!(status = r.status, attempt, "IMDS server error, retrying");
                    } else {
                        return Ok(r);
                    }
                }
                Err(e) if !reached => {
                    return Err(CredentialsError::not_loaded(
                        PROVIDER,
                        format!(
                            "not running on EC2 or IMDS unreachable within {:?} ({e}); \
                             set AWS_EC2_METADATA_DISABLED=true to skip IMDS",
                            self.timeout
                        ),
                    )
                    .with_source(e));
                }
                Err(e) if attempt < self.retries && (e.is_timeout() || is_reset(&e)) => {
                    tracing::debug!(error = %e, attempt, "IMDS request failed, retrying");
                }
                Err(e) => {
                    return Err(CredentialsError::new(
                        PROVIDER,
                        format!(
                            "IMDS {} {} failed after {} attempt(s): {e}",
                            request.method,
                            request.uri.path(),
                            attempt + 1
                        ),
                    )
                    .with_source(e));
                }
            }
            attempt += 1;
            tokio::time::sleep(delay).await;
            delay = delay.saturating_mul(2);
        }
    }

    async fn token(
        &self,
        base: &str,
        transport: &Transport,
    ) -> Result<HeaderValue, CredentialsError> {
        if let Some((token, until)) = &self.state().token
            && Instant::now() < *until
        {
            return token_header(token);
        }
        let mut request = HttpRequest::new(Method::PUT, uri(base, TOKEN_PATH)?);
        request
            .headers
            .insert(TTL_HEADER, HeaderValue::from(TOKEN_TTL_SECONDS));
        let started = Instant::now();
        let response = self.send(transport, &request).await?;
        match response.status {
            200 => {}
            403 => {
                return Err(CredentialsError::new(
                    PROVIDER,
                    "IMDS refused a session token (HTTP 403): IMDS is turned off for this \
                     instance, or the PUT is blocked; check the instance's metadata options",
                ));
            }
            status => {
                return Err(CredentialsError::new(
                    PROVIDER,
                    format!("IMDS answered the token request with HTTP {status}"),
                ));
            }
        }
        let text = std::str::from_utf8(&response.body)
            .map(str::trim)
            .unwrap_or_default();
        if text.is_empty() {
            return Err(CredentialsError::new(
                PROVIDER,
                "IMDS answered the token request with an empty or non-UTF-8 token",
            ));
        }
        let token = SecretString::new(text);
        let header = token_header(&token)?;
        let until = started + Duration::from_secs(TOKEN_TTL_SECONDS) - TOKEN_MARGIN;
        self.state().token = Some((token, until));
        Ok(header)
    }

    /// A `GET` with the session token; on 401 a new token is fetched and the
    /// request repeated once.
    async fn get(
        &self,
        base: &str,
        path: &str,
        transport: &Transport,
    ) -> Result<HttpResponse, CredentialsError> {
        let target = uri(base, path)?;
        for _ in 0..2 {
            let token = self.token(base, transport).await?;
            let mut request = HttpRequest::new(Method::GET, target.clone());
            request.headers.insert(TOKEN_HEADER, token);
            let response = self.send(transport, &request).await?;
            if response.status != 401 {
                return Ok(response);
            }
            self.state().token = None;
        }
        Err(CredentialsError::new(
            PROVIDER,
            format!("IMDS refused a fresh session token for GET {path} (HTTP 401 twice)"),
        ))
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let base = self
            .endpoint
            .as_ref()
            .map_err(|p| p.to_error(PROVIDER))?
            .clone();
        let transport = self.transport()?;

        let mut api = self.state().api;
        let (role, prefix) = loop {
            let prefix = match api {
                Api::Legacy => LEGACY_PATH,
                Api::Unknown | Api::Extended => EXTENDED_PATH,
            };
            let response = self.get(&base, prefix, &transport).await?;
            match (response.status, api) {
                (200, _) => {
                    if api == Api::Unknown {
                        self.state().api = Api::Extended;
                    }
                    break (role_name(&response.body)?, prefix);
                }
                (404, Api::Unknown) => {
                    api = Api::Legacy;
                    self.state().api = Api::Legacy;
                }
                (404, _) => {
                    return Err(CredentialsError::not_loaded(
                        PROVIDER,
                        "this EC2 instance has no IAM role (instance profile) attached",
                    ));
                }
                (status, _) => {
                    return Err(CredentialsError::new(
                        PROVIDER,
                        format!("IMDS answered GET {prefix} with HTTP {status}"),
                    ));
                }
            }
        };

        let path = format!("{prefix}{role}");
        let response = self.get(&base, &path, &transport).await?;
        if response.status != 200 {
            return Err(CredentialsError::new(
                PROVIDER,
                format!(
                    "IMDS answered GET {path} with HTTP {}{}",
                    response.status,
                    if response.status == 404 {
                        " (the role was detached or renamed meanwhile)"
                    } else {
                        ""
                    }
                ),
            ));
        }
        check_code(&response.body, &path)?;
        parse_json_credentials(&response.body, PROVIDER, &format!("IMDS {path}"))
    }
}

impl ProvideCredentials for ImdsProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::new(self.fetch())
    }

    fn provider_name(&self) -> &'static str {
        PROVIDER
    }
}

fn invalid(message: String) -> Problem {
    Problem {
        kind: CredentialsErrorKind::InvalidConfiguration,
        message,
    }
}

fn endpoint_from_env(env: &Env) -> Result<String, Problem> {
    if let Some(url) = env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT") {
        return check_endpoint(&url, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
    }
    match env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE") {
        None => Ok(IPV4_ENDPOINT.to_owned()),
        Some(mode) if mode.trim().eq_ignore_ascii_case("ipv4") => Ok(IPV4_ENDPOINT.to_owned()),
        Some(mode) if mode.trim().eq_ignore_ascii_case("ipv6") => Ok(IPV6_ENDPOINT.to_owned()),
        Some(mode) => Err(invalid(format!(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE is `{mode}`; it should be `IPv4` or `IPv6`"
        ))),
    }
}

fn check_endpoint(url: &str, what: &str) -> Result<String, Problem> {
    let trimmed = url.trim().trim_end_matches('/');
    match trimmed.parse::<Uri>() {
        Ok(u)
            if matches!(u.scheme_str(), Some("http" | "https"))
                && u.host().is_some()
                && u.query().is_none() =>
        {
            Ok(trimmed.to_owned())
        }
        // Shown without user-info or query: those could carry a token.
        _ => Err(invalid(format!(
            "{what} `{}` is not an http(s) URL with a host and no query, such as http://169.254.169.254",
            super::container::redact_query(trimmed)
        ))),
    }
}

fn uri(base: &str, path: &str) -> Result<Uri, CredentialsError> {
    format!("{base}{path}").parse::<Uri>().map_err(|_| {
        CredentialsError::new(
            PROVIDER,
            format!("`{base}{path}` is not a valid URI (is the role name valid?)"),
        )
    })
}

fn token_header(token: &SecretString) -> Result<HeaderValue, CredentialsError> {
    let mut value = HeaderValue::from_str(token.expose_secret()).map_err(|_| {
        CredentialsError::new(
            PROVIDER,
            "IMDS answered with a session token that is not a valid header value",
        )
    })?;
    value.set_sensitive(true);
    Ok(value)
}

fn is_reset(e: &crate::transport::TransportError) -> bool {
    use crate::transport::TransportErrorKind as K;
    matches!(e.kind(), K::ConnectionClosed | K::Io | K::Connect)
}

/// The first line of the role listing; role names are path segments, so
/// anything that would change the path is refused.
fn role_name(body: &[u8]) -> Result<String, CredentialsError> {
    let text = std::str::from_utf8(body).unwrap_or_default();
    let role = text.lines().next().unwrap_or_default().trim();
    if role.is_empty() {
        return Err(CredentialsError::not_loaded(
            PROVIDER,
            "IMDS lists no IAM role for this instance",
        ));
    }
    if !role
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
    {
        return Err(CredentialsError::new(
            PROVIDER,
            "IMDS answered with a role name that is not a valid IAM role name",
        ));
    }
    Ok(role.to_owned())
}

/// IMDS reports failures inside a 200 answer with a `Code` other than
/// `Success` (e.g. while the instance profile is being attached).
fn check_code(body: &[u8], path: &str) -> Result<(), CredentialsError> {
    let Ok(serde_json::Value::Object(doc)) = serde_json::from_slice::<serde_json::Value>(body)
    else {
        // Malformed JSON is reported by the credentials parser.
        return Ok(());
    };
    match doc.get("Code").and_then(|c| c.as_str()) {
        None | Some("Success") => Ok(()),
        Some(code) => {
            let code: String = code
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .take(64)
                .collect();
            Err(CredentialsError::new(
                PROVIDER,
                format!("IMDS {path} answered Code `{code}` instead of `Success`"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_from_the_environment() {
        let env = |vars: &[(&str, &str)]| Env::from_vars(vars.iter().copied());
        assert_eq!(endpoint_from_env(&env(&[])).unwrap(), IPV4_ENDPOINT);
        assert_eq!(
            endpoint_from_env(&env(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6")])).unwrap(),
            IPV6_ENDPOINT
        );
        assert_eq!(
            endpoint_from_env(&env(&[
                ("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6"),
                (
                    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                    "http://127.0.0.1:1234/"
                ),
            ]))
            .unwrap(),
            "http://127.0.0.1:1234"
        );
        let err = endpoint_from_env(&env(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ipv5")]))
            .unwrap_err();
        assert!(err.message.contains("IPv4"));
        assert!(
            endpoint_from_env(&env(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT", "not a url")])).is_err()
        );
    }

    #[test]
    fn role_names_are_single_path_segments() {
        assert_eq!(role_name(b"my-role\nother").unwrap(), "my-role");
        assert!(role_name(b"../../api/token").is_err());
        assert_eq!(
            role_name(b"").unwrap_err().kind(),
            CredentialsErrorKind::NotLoaded
        );
    }
}
