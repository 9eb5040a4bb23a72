//! Credentials from an OIDC token file, exchanged with STS
//! `AssumeRoleWithWebIdentity` (EKS IRSA, GitHub Actions, any OIDC issuer).
//!
//! The token file is read again on every call: Kubernetes rotates projected
//! service-account tokens in place, and a token read once at start-up would
//! be refused after it expires.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use zeroize::Zeroizing;

use super::secret_file;
use super::sts_session::{credentials_from_sts, default_session_name};
use super::{
    Credentials, CredentialsError, CredentialsErrorKind, ProvideCredentials,
    ProvideCredentialsFuture,
};
use crate::Client;
use crate::SecretString;
use crate::env::Env;
use crate::model::{AssumeRoleWithWebIdentityInput, PolicyDescriptorType};

const PROVIDER: &str = "web-identity";

/// The region used when neither the provider nor the environment names one:
/// STS's original home, as botocore's global STS endpoint lives there.
const FALLBACK_REGION: &str = "us-east-1";

/// Exchanges a web identity token (read from a file) for role credentials.
///
/// ```no_run
/// # async fn demo() -> Result<(), awssts::credentials::CredentialsError> {
/// use awssts::credentials::ProvideCredentials;
/// use awssts::credentials::web_identity::WebIdentityProvider;
///
/// let provider = WebIdentityProvider::from_env(&awssts::env::Env::process());
/// let creds = provider.provide_credentials().await?;
/// println!("{creds:?}");
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct WebIdentityProvider {
    config: Result<Settings, ConfigProblem>,
    env: Env,
    /// Built on first use (building reads TLS roots), then shared by clones
    /// so the connection pool is reused across refreshes.
    client: Arc<OnceLock<Client>>,
}

#[derive(Clone, Debug)]
struct Settings {
    token_file: PathBuf,
    role_arn: String,
    session_name: Option<String>,
    duration_seconds: Option<i32>,
    policy: Option<String>,
    policy_arns: Vec<String>,
}

/// Why `from_env` could not configure the provider; turned into an error on
/// every call so the provider can sit in a chain either way.
#[derive(Clone, Debug)]
struct ConfigProblem {
    kind: CredentialsErrorKind,
    message: String,
}

impl WebIdentityProvider {
    /// A provider for `role_arn`, reading the token from `token_file` on
    /// every call.
    pub fn new(token_file: impl Into<PathBuf>, role_arn: impl Into<String>) -> Self {
        WebIdentityProvider {
            config: Ok(Settings {
                token_file: token_file.into(),
                role_arn: role_arn.into(),
                session_name: None,
                duration_seconds: None,
                policy: None,
                policy_arns: Vec::new(),
            }),
            env: Env::process(),
            client: Arc::new(OnceLock::new()),
        }
    }

    /// The provider the AWS CLI configures from `AWS_WEB_IDENTITY_TOKEN_FILE`,
    /// `AWS_ROLE_ARN` and `AWS_ROLE_SESSION_NAME`. When neither of the first
    /// two is set, every call fails with `NotLoaded`; when only one is set,
    /// with `InvalidConfiguration`. The STS client's region and endpoint are
    /// read from the same `env`.
    pub fn from_env(env: &Env) -> Self {
        let token_file = env.get("AWS_WEB_IDENTITY_TOKEN_FILE");
        let role_arn = env.get("AWS_ROLE_ARN");
        let config = match (token_file, role_arn) {
            (Some(file), Some(arn)) => Ok(Settings {
                token_file: PathBuf::from(file),
                role_arn: arn,
                session_name: env.get("AWS_ROLE_SESSION_NAME"),
                duration_seconds: None,
                policy: None,
                policy_arns: Vec::new(),
            }),
            (None, None) => Err(ConfigProblem {
                kind: CredentialsErrorKind::NotLoaded,
                message: "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set".into(),
            }),
            (Some(_), None) => Err(ConfigProblem {
                kind: CredentialsErrorKind::InvalidConfiguration,
                message: "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not; \
                          set AWS_ROLE_ARN to the role to assume, or unset both"
                    .into(),
            }),
            (None, Some(_)) => Err(ConfigProblem {
                kind: CredentialsErrorKind::InvalidConfiguration,
                message: "AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not; \
                          set it to the path of the OIDC token file, or unset both"
                    .into(),
            }),
        };
        WebIdentityProvider {
            config,
            env: env.clone(),
            client: Arc::new(OnceLock::new()),
        }
    }

    fn map_settings(mut self, f: impl FnOnce(&mut Settings)) -> Self {
        if let Ok(settings) = &mut self.config {
            f(settings);
        }
        self
    }

    /// The role session name (default `awssts-<unix millis>`, new each call).
    pub fn session_name(self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.map_settings(|s| s.session_name = Some(name))
    }

    /// How long the role session lasts, in seconds (STS default: one hour).
    pub fn duration_seconds(self, seconds: i32) -> Self {
        self.map_settings(|s| s.duration_seconds = Some(seconds))
    }

    /// An inline session policy that narrows the role's permissions.
    pub fn policy(self, policy: impl Into<String>) -> Self {
        let policy = policy.into();
        self.map_settings(|s| s.policy = Some(policy))
    }

    /// Managed policies (ARNs) that narrow the role's permissions.
    pub fn policy_arns(self, arns: impl IntoIterator<Item = impl Into<String>>) -> Self {
        let arns: Vec<String> = arns.into_iter().map(Into::into).collect();
        self.map_settings(|s| s.policy_arns = arns)
    }

    /// The environment the STS client reads its region and endpoint from
    /// when the provider builds it (default: the process environment for
    /// [`new`](Self::new), the given one for [`from_env`](Self::from_env)).
    pub fn env(mut self, env: Env) -> Self {
        self.env = env;
        self
    }

    /// The STS client to call, instead of one built from the environment.
    /// It needs no credentials: the call is unsigned.
    pub fn client(self, client: Client) -> Self {
        let cell = OnceLock::new();
        let _ = cell.set(client);
        WebIdentityProvider {
            client: Arc::new(cell),
            ..self
        }
    }

    /// The token file this provider reads, when configured.
    pub fn token_file(&self) -> Option<&Path> {
        self.config.as_ref().ok().map(|s| s.token_file.as_path())
    }

    fn sts_client(&self) -> Result<Client, CredentialsError> {
        if let Some(client) = self.client.get() {
            return Ok(client.clone());
        }
        let mut builder = Client::builder().env(self.env.clone());
        if self.env.get("AWS_REGION").is_none() && self.env.get("AWS_DEFAULT_REGION").is_none() {
            builder = builder.region(FALLBACK_REGION);
        }
        let client = builder.build().map_err(|e| {
            CredentialsError::invalid_configuration(
                PROVIDER,
                format!("cannot configure the STS client: {e}"),
            )
            .with_source(e)
        })?;
        // A concurrent first call may have won; either client is fine.
        let _ = self.client.set(client.clone());
        Ok(client)
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let settings = self
            .config
            .as_ref()
            .map_err(|p| CredentialsError::with_kind(PROVIDER, p.kind, p.message.clone()))?;
        let token = read_token(&settings.token_file)?;
        let session_name = settings
            .session_name
            .clone()
            .unwrap_or_else(default_session_name);
        let mut input = AssumeRoleWithWebIdentityInput::default()
            .role_arn(settings.role_arn.clone())
            .role_session_name(session_name)
            .web_identity_token(SecretString::new(token.as_str()))
            .set_duration_seconds(settings.duration_seconds)
            .set_policy(settings.policy.clone());
        for arn in &settings.policy_arns {
            input = input.policy_arns(PolicyDescriptorType::new(arn.clone()));
        }
        drop(token);
        let client = self.sts_client()?;
        let output = client
            .assume_role_with_web_identity()
            .set_input(input)
            .send()
            .await
            .map_err(|e| {
                // A request the model refuses (a bad ARN, session name or
                // duration) is a configuration mistake, not an STS failure.
                let kind = match e.kind() {
                    crate::ErrorKind::Validation(_) => CredentialsErrorKind::InvalidConfiguration,
                    _ => CredentialsErrorKind::ProviderFailed,
                };
                CredentialsError::with_kind(
                    PROVIDER,
                    kind,
                    format!(
                        "AssumeRoleWithWebIdentity for {} failed: {e}",
                        settings.role_arn
                    ),
                )
                .with_source(e)
            })?;
        let Some(c) = &output.credentials else {
            return Err(CredentialsError::new(
                PROVIDER,
                format!(
                    "AssumeRoleWithWebIdentity for {} answered without credentials",
                    settings.role_arn
                ),
            ));
        };
        let arn = output.assumed_role_user.as_ref().map(|u| u.arn.as_str());
        Ok(credentials_from_sts(c, arn, PROVIDER))
    }
}

impl ProvideCredentials for WebIdentityProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::new(self.fetch())
    }

    fn provider_name(&self) -> &'static str {
        PROVIDER
    }
}

/// Reads the token, which must be non-empty. Surrounding whitespace (a
/// trailing newline from an editor) is not part of a JWT and is dropped.
fn read_token(path: &Path) -> Result<Zeroizing<String>, CredentialsError> {
    let raw = secret_file::read(path, secret_file::MAX_TOKEN_FILE).map_err(|e| {
        CredentialsError::invalid_configuration(
            PROVIDER,
            format!(
                "cannot read the web identity token file {}: {e}; check \
                 AWS_WEB_IDENTITY_TOKEN_FILE (or web_identity_token_file) points to the token",
                path.display()
            ),
        )
        .with_source(e)
    })?;
    let text = std::str::from_utf8(&raw).map_err(|_| {
        CredentialsError::invalid_configuration(
            PROVIDER,
            format!(
                "the web identity token file {} is not UTF-8 text; it should hold the OIDC token (a JWT)",
                path.display()
            ),
        )
    })?;
    let token = text.trim();
    if token.is_empty() {
        return Err(CredentialsError::invalid_configuration(
            PROVIDER,
            format!(
                "the web identity token file {} is empty; it should hold the OIDC token (a JWT)",
                path.display()
            ),
        ));
    }
    Ok(Zeroizing::new(token.to_owned()))
}
