//! Credentials from a container credentials endpoint: ECS task roles
//! (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`, served on 169.254.170.2) and
//! EKS Pod Identity or any local agent (`AWS_CONTAINER_CREDENTIALS_FULL_URI`).
//!
//! A full URI over plain `http` is accepted only for the hosts the AWS SDKs
//! accept: loopback (`127.0.0.0/8`, `::1`, `localhost`), the ECS endpoint
//! `169.254.170.2` and the EKS Pod Identity endpoints `169.254.170.23` and
//! `fd00:ec2::23`. Anything else must be `https`, so a credentials request
//! (and its authorization token) never crosses a network in the clear.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use http::header::{ACCEPT, AUTHORIZATION};
use http::{HeaderValue, Method, Uri};
use serde_json::Value;

use super::secret_file;
use super::{
    Credentials, CredentialsError, CredentialsErrorKind, ProvideCredentials,
    ProvideCredentialsFuture,
};
use crate::SecretString;
use crate::env::Env;
use crate::transport::{HttpRequest, HttpResponse, Transport, TransportConfig, TransportError};

const PROVIDER: &str = "container";
const ECS_HOST: &str = "http://169.254.170.2";
const EKS_V4: Ipv4Addr = Ipv4Addr::new(169, 254, 170, 23);
const ECS_V4: Ipv4Addr = Ipv4Addr::new(169, 254, 170, 2);
const EKS_V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23);

/// Default bound on connecting, and on waiting for the response.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);
/// Default number of retries after a 5xx answer or a timeout.
const DEFAULT_RETRIES: u32 = 2;

/// Where the `Authorization` header value comes from.
#[derive(Clone, Debug)]
enum AuthToken {
    /// Given directly (`AWS_CONTAINER_AUTHORIZATION_TOKEN`).
    Value(SecretString),
    /// Read from a file on every call (`AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`):
    /// EKS rotates it.
    File(PathBuf),
}

/// Fetches credentials from a container credentials endpoint.
#[derive(Clone)]
pub struct ContainerProvider {
    uri: Result<Uri, Problem>,
    auth: Option<AuthToken>,
    transport: Arc<OnceLock<Transport>>,
    connect_timeout: Duration,
    read_timeout: Duration,
    retries: u32,
    retry_delay: Duration,
}

/// A configuration problem found when the provider was built, reported on
/// every call so that the provider can sit in a chain either way.
#[derive(Clone, Debug)]
pub(crate) struct Problem {
    pub(crate) kind: CredentialsErrorKind,
    pub(crate) message: String,
}

impl Problem {
    pub(crate) fn to_error(&self, provider: &'static str) -> CredentialsError {
        CredentialsError::with_kind(provider, self.kind, self.message.clone())
    }
}

impl ContainerProvider {
    fn with_uri(uri: Result<Uri, Problem>) -> Self {
        ContainerProvider {
            uri,
            auth: None,
            transport: Arc::new(OnceLock::new()),
            connect_timeout: DEFAULT_TIMEOUT,
            read_timeout: DEFAULT_TIMEOUT,
            retries: DEFAULT_RETRIES,
            retry_delay: Duration::from_millis(100),
        }
    }

    /// A provider for a full endpoint URI, checked against the allowed hosts
    /// (see the module documentation); a refused URI makes every call fail
    /// with `InvalidConfiguration`.
    pub fn full_uri(uri: &str) -> Self {
        Self::with_uri(check_full_uri(uri, "the container credentials URI"))
    }

    /// A provider for an ECS task-role path, requested from `169.254.170.2`.
    pub fn relative_uri(path: &str) -> Self {
        Self::with_uri(relative(ECS_HOST, path))
    }

    /// The provider the AWS CLI configures from the environment:
    /// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (preferred) or
    /// `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with the `Authorization` header
    /// from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (preferred, re-read on
    /// every call) or `AWS_CONTAINER_AUTHORIZATION_TOKEN`. With neither URI
    /// variable set, every call fails with `NotLoaded`.
    pub fn from_env(env: &Env) -> Self {
        let uri = if let Some(path) = env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            relative(ECS_HOST, &path)
        } else if let Some(full) = env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
            check_full_uri(&full, "AWS_CONTAINER_CREDENTIALS_FULL_URI")
        } else {
            Err(Problem {
                kind: CredentialsErrorKind::NotLoaded,
                message: "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor \
                          AWS_CONTAINER_CREDENTIALS_FULL_URI is set"
                    .into(),
            })
        };
        let mut provider = Self::with_uri(uri);
        if let Some(file) = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
            provider.auth = Some(AuthToken::File(PathBuf::from(file)));
        } else if let Some(token) = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN") {
            provider.auth = Some(AuthToken::Value(SecretString::new(token)));
        }
        provider
    }

    /// Sends `token` as the `Authorization` header.
    pub fn auth_token(mut self, token: impl Into<SecretString>) -> Self {
        self.auth = Some(AuthToken::Value(token.into()));
        self
    }

    /// Reads the `Authorization` header value from `path` on every call.
    pub fn auth_token_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.auth = Some(AuthToken::File(path.into()));
        self
    }

    /// Bounds on connecting and on waiting for the answer (default 2 s each).
    /// Replaces a transport given earlier with [`transport`](Self::transport).
    pub fn timeouts(mut self, connect: Duration, read: Duration) -> Self {
        self.transport = Arc::new(OnceLock::new());
        self.connect_timeout = connect;
        self.read_timeout = read;
        self
    }

    /// Retries after a 5xx answer or a timeout (default 2), and the pause
    /// before the first retry (default 100 ms, doubled for each next one).
    pub fn retries(mut self, retries: u32, first_delay: Duration) -> Self {
        self.retries = retries;
        self.retry_delay = first_delay;
        self
    }

    /// Uses `transport` (and its pool and timeouts) instead of a private one
    /// built with [`timeouts`](Self::timeouts).
    pub fn transport(mut self, transport: Transport) -> Self {
        let cell = OnceLock::new();
        let _ = cell.set(transport);
        self.transport = Arc::new(cell);
        self
    }

    fn transport_for_call(&self) -> Result<Transport, CredentialsError> {
        if let Some(t) = self.transport.get() {
            return Ok(t.clone());
        }
        let config = TransportConfig::default()
            .connect_timeout(self.connect_timeout)
            .read_timeout(Some(self.read_timeout))
            .attempt_timeout(Some(self.connect_timeout + self.read_timeout))
            .max_response_bytes(64 * 1024);
        let transport = Transport::new(config).map_err(|e| {
            CredentialsError::new(PROVIDER, format!("cannot set up HTTP: {e}")).with_source(e)
        })?;
        let _ = self.transport.set(transport.clone());
        Ok(transport)
    }

    fn authorization(&self) -> Result<Option<HeaderValue>, CredentialsError> {
        let (token, from) = match &self.auth {
            None => return Ok(None),
            Some(AuthToken::Value(v)) => (
                v.expose_secret().trim().to_owned(),
                "AWS_CONTAINER_AUTHORIZATION_TOKEN".to_owned(),
            ),
            Some(AuthToken::File(path)) => {
                let raw = secret_file::read(path, secret_file::MAX_TOKEN_FILE).map_err(|e| {
                    CredentialsError::invalid_configuration(
                        PROVIDER,
                        format!(
                            "cannot read the authorization token file {} \
                             (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE): {e}",
                            path.display()
                        ),
                    )
                    .with_source(e)
                })?;
                let text = std::str::from_utf8(&raw).map_err(|_| {
                    CredentialsError::invalid_configuration(
                        PROVIDER,
                        format!(
                            "the authorization token file {} \
                             (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) is not UTF-8 text",
                            path.display()
                        ),
                    )
                })?;
                (
                    text.trim().to_owned(),
                    format!("the authorization token file {}", path.display()),
                )
            }
        };
        let token = zeroize::Zeroizing::new(token);
        if token.is_empty() {
            return Err(CredentialsError::invalid_configuration(
                PROVIDER,
                format!("{from} is empty; it should hold the container authorization token"),
            ));
        }
        let mut value = HeaderValue::from_str(&token).map_err(|_| {
            CredentialsError::invalid_configuration(
                PROVIDER,
                format!(
                    "{from} holds characters not allowed in an HTTP header \
                     (a line break or control character)"
                ),
            )
        })?;
        value.set_sensitive(true);
        Ok(Some(value))
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let uri = self.uri.as_ref().map_err(|p| p.to_error(PROVIDER))?;
        let auth = self.authorization()?;
        let transport = self.transport_for_call()?;
        let mut request = HttpRequest::new(Method::GET, uri.clone());
        request
            .headers
            .insert(ACCEPT, HeaderValue::from_static("application/json"));
        if let Some(auth) = auth {
            request.headers.insert(AUTHORIZATION, auth);
        }
        let shown = show_uri(uri);
        let response = send_with_retries(
            &transport,
            &request,
            self.retries,
            self.retry_delay,
            PROVIDER,
            &shown,
        )
        .await?;
        if response.status != 200 {
            return Err(CredentialsError::new(
                PROVIDER,
                format!(
                    "{shown} answered HTTP {}{}",
                    response.status,
                    status_hint(response.status)
                ),
            ));
        }
        parse_json_credentials(&response.body, PROVIDER, &shown)
    }
}

impl ProvideCredentials for ContainerProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::new(self.fetch())
    }

    fn provider_name(&self) -> &'static str {
        PROVIDER
    }
}

fn status_hint(status: u16) -> &'static str {
    match status {
        401 | 403 => {
            " (the authorization token was refused: check AWS_CONTAINER_AUTHORIZATION_TOKEN \
             or _TOKEN_FILE)"
        }
        404 => " (no credentials at this path: check the container credentials URI)",
        _ => "",
    }
}

/// The URI without query, for messages (a query could carry a token).
/// The endpoint as `show_uri` prints it (no user-info, no query, which
/// could carry a token); the auth token never.
impl std::fmt::Debug for ContainerProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContainerProvider")
            .field(
                "uri",
                &self.uri.as_ref().map(show_uri).map_err(|_| "invalid"),
            )
            .field("auth", &self.auth.as_ref().map(|_| "** redacted **"))
            .field("retries", &self.retries)
            .finish_non_exhaustive()
    }
}

fn show_uri(uri: &Uri) -> String {
    let scheme = uri.scheme_str().unwrap_or("http");
    let host = uri.host().unwrap_or("");
    match uri.port_u16() {
        Some(port) => format!("{scheme}://{host}:{port}{}", uri.path()),
        None => format!("{scheme}://{host}{}", uri.path()),
    }
}

fn relative(base: &str, path: &str) -> Result<Uri, Problem> {
    let invalid = |why: &str| Problem {
        kind: CredentialsErrorKind::InvalidConfiguration,
        message: format!(
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI {why}; it should be a path such as /v2/credentials/<id>"
        ),
    };
    if !path.starts_with('/') {
        return Err(invalid("does not start with `/`"));
    }
    format!("{base}{path}")
        .parse::<Uri>()
        .map_err(|_| invalid("is not a valid URI path"))
}

/// Checks a full URI: `https` to anywhere, `http` only to the allowed hosts.
pub(crate) fn check_full_uri(text: &str, what: &str) -> Result<Uri, Problem> {
    let invalid = |why: String| Problem {
        kind: CredentialsErrorKind::InvalidConfiguration,
        message: format!("{what} `{}` {why}", redact_query(text)),
    };
    let uri: Uri = text
        .parse()
        .map_err(|_| invalid("is not a valid URI".into()))?;
    let Some(host) = uri.host() else {
        return Err(invalid(
            "has no host; it should be a full URL such as http://169.254.170.23/v1/credentials"
                .into(),
        ));
    };
    match uri.scheme_str() {
        Some("https") => Ok(uri),
        Some("http") if allowed_http_host(host) => Ok(uri),
        Some("http") => Err(invalid(format!(
            "uses plain http to {host}, which is not allowed: http is accepted only for \
             loopback, 169.254.170.2, 169.254.170.23 and [fd00:ec2::23]; use https"
        ))),
        _ => Err(invalid("must use http or https".into())),
    }
}

/// The URI as shown in messages: no query, and no user-info (either could
/// carry a credential).
pub(crate) fn redact_query(text: &str) -> String {
    let before_query = text.split_once('?').map_or(text, |(before, _)| before);
    match before_query.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('/') {
            Some((authority, path)) => {
                let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
                format!("{scheme}://{host}/{path}")
            }
            None => {
                let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
                format!("{scheme}://{host}")
            }
        },
        None => before_query.to_owned(),
    }
}

fn allowed_http_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ip.is_loopback() || ip == ECS_V4 || ip == EKS_V4,
        Ok(IpAddr::V6(ip)) => ip.is_loopback() || ip == EKS_V6,
        Err(_) => false,
    }
}

/// Sends `request`, retrying after 5xx answers and timeouts (`retries`
/// times at most, with a doubling pause). Other answers are returned.
pub(crate) async fn send_with_retries(
    transport: &Transport,
    request: &HttpRequest,
    retries: u32,
    first_delay: Duration,
    provider: &'static str,
    shown: &str,
) -> Result<HttpResponse, CredentialsError> {
    let mut delay = first_delay;
    let mut attempt = 0u32;
    loop {
        let result = transport.send(request.clone()).await;
        let retryable = match &result {
            Ok(r) => r.status >= 500,
            Err(e) => retryable_transport(e),
        };
        if !retryable || attempt >= retries {
            return match result {
                Ok(r) if r.status >= 500 => Err(CredentialsError::new(
                    provider,
                    format!(
                        "{shown} answered HTTP {} after {} attempt(s)",
                        r.status,
                        attempt + 1
                    ),
                )),
                Ok(r) => Ok(r),
                Err(e) => Err(CredentialsError::new(
                    provider,
                    format!(
                        "could not reach {shown} after {} attempt(s): {e}",
                        attempt + 1
                    ),
                )
                .with_source(e)),
            };
        }
        attempt += 1;
        tokio::time::sleep(delay).await;
        delay = delay.saturating_mul(2);
    }
}

fn retryable_transport(e: &TransportError) -> bool {
    use crate::transport::TransportErrorKind as K;
    e.is_timeout() || matches!(e.kind(), K::Connect | K::ConnectionClosed | K::Io)
}

/// Reads the JSON credentials document the container and instance metadata
/// endpoints serve. `AccessKeyId`, `SecretAccessKey`, `Token` and
/// `Expiration` (RFC 3339) are required; `AccountId` is optional. Values are
/// never echoed in errors: only the names of missing or malformed fields.
pub(crate) fn parse_json_credentials(
    body: &[u8],
    provider: &'static str,
    shown: &str,
) -> Result<Credentials, CredentialsError> {
    let doc: Value = serde_json::from_slice(body).map_err(|e| {
        // serde_json's message names a line and column, never the content.
        CredentialsError::new(
            provider,
            format!("the credentials from {shown} are not valid JSON: {e}"),
        )
    })?;
    let Some(obj) = doc.as_object() else {
        return Err(CredentialsError::new(
            provider,
            format!("the credentials from {shown} are not a JSON object"),
        ));
    };
    let field = |name: &str| -> Result<&str, CredentialsError> {
        match obj.get(name) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.as_str()),
            Some(_) => Err(CredentialsError::new(
                provider,
                format!(
                    "the credentials from {shown} have a `{name}` that is not a non-empty string"
                ),
            )),
            None => Err(CredentialsError::new(
                provider,
                format!("the credentials from {shown} have no `{name}`"),
            )),
        }
    };
    let access_key_id = field("AccessKeyId")?;
    let secret = field("SecretAccessKey")?;
    let token = field("Token")?;
    let expiration_text = field("Expiration")?;
    let expiration = crate::DateTime::parse(expiration_text).map_err(|_| {
        CredentialsError::new(
            provider,
            format!(
                "the credentials from {shown} have an `Expiration` that is not an RFC 3339 time"
            ),
        )
    })?;
    let creds = Credentials::new(
        access_key_id,
        secret,
        Some(token.to_owned()),
        Some(expiration.to_system_time()),
        provider,
    );
    Ok(match obj.get("AccountId") {
        Some(Value::String(account)) if !account.is_empty() => creds.with_account_id(account),
        _ => creds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_hosts_follow_the_sdk_rules() {
        for ok in [
            "http://127.0.0.1:8080/creds",
            "http://127.3.2.1/creds",
            "http://localhost/creds",
            "http://[::1]:9/creds",
            "http://169.254.170.2/v2/credentials",
            "http://169.254.170.23/v1/credentials",
            "http://[fd00:ec2::23]/v1/credentials",
            "https://credentials.example.com/creds",
        ] {
            assert!(check_full_uri(ok, "x").is_ok(), "{ok}");
        }
        for bad in [
            "http://169.254.169.254/latest",
            "http://10.0.0.1/creds",
            "http://example.com/creds",
            "http://[fd00:ec2::254]/creds",
            "ftp://127.0.0.1/creds",
            "/creds",
        ] {
            let err = check_full_uri(bad, "x").unwrap_err();
            assert_eq!(
                err.kind,
                CredentialsErrorKind::InvalidConfiguration,
                "{bad}"
            );
        }
    }

    #[test]
    fn refused_uris_are_shown_without_user_info_or_query() {
        let err = check_full_uri("http://user:CANARYpw@example.com/c?t=CANARYq", "x").unwrap_err();
        assert!(!err.message.contains("CANARY"), "{}", err.message);
        assert!(
            err.message.contains("http://example.com/c"),
            "{}",
            err.message
        );
    }

    #[test]
    fn relative_paths_must_be_paths() {
        assert_eq!(
            relative(ECS_HOST, "/v2/credentials/abc")
                .unwrap()
                .to_string(),
            "http://169.254.170.2/v2/credentials/abc"
        );
        assert!(relative(ECS_HOST, "v2").is_err());
        assert!(relative(ECS_HOST, "/a b").is_err());
    }

    #[test]
    fn json_fields_are_checked_without_echoing_values() {
        let ok = br#"{"AccessKeyId":"ASIA1","SecretAccessKey":"CANARYsk","Token":"CANARYtok","Expiration":"2100-01-01T00:00:00Z","AccountId":"123456789012"}"#;
        let c = parse_json_credentials(ok, "container", "u").unwrap();
        assert_eq!(c.access_key_id(), "ASIA1");
        assert_eq!(c.account_id(), Some("123456789012"));
        let no_token = br#"{"AccessKeyId":"ASIA1","SecretAccessKey":"CANARYsk","Expiration":"2100-01-01T00:00:00Z"}"#;
        let err = parse_json_credentials(no_token, "container", "u").unwrap_err();
        assert!(err.message().contains("`Token`"), "{err}");
        let bad_time = br#"{"AccessKeyId":"ASIA1","SecretAccessKey":"CANARYsk","Token":"CANARYtok","Expiration":"CANARYsoon"}"#;
        let err = parse_json_credentials(bad_time, "container", "u").unwrap_err();
        assert!(err.message().contains("Expiration"), "{err}");
        assert!(!format!("{err:?}").contains("CANARY"));
        let junk = b"CANARY not json";
        let err = parse_json_credentials(junk, "container", "u").unwrap_err();
        assert!(!format!("{err:?}").contains("CANARY"), "{err:?}");
    }
}
