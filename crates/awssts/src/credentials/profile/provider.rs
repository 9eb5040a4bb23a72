//! Credentials for a named profile, resolved the way the AWS CLI does:
//! `role_arn` with `source_profile` chains of any depth (cycles reported
//! with the chain) or `credential_source`, `web_identity_token_file`,
//! static keys, `credential_process`.
//!
//! A role profile also reads `role_session_name`, `external_id`,
//! `mfa_serial`, `duration_seconds`, `source_identity`, and session tags in
//! aws-vault's form (the AWS CLI has no keys for them):
//! `session_tags = team=infra,project=alpha` and
//! `transitive_session_tags = team`.
//!
//! With `mfa_serial` and an IAM user's keys as the source, the code opens an
//! MFA session that then assumes the role each time it is refreshed, so the
//! user is asked once per MFA session rather than once per role session
//! (see [`ProfileProvider::mfa_session`]).
//!
//! The profile files are read and the provider tree is built once, on the
//! first call that succeeds (a broken file is read again on the next call,
//! so fixing it needs no restart); each call after that only runs the tree (which a
//! [`CredentialsCache`](crate::credentials) in front of it makes rare).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::OnceCell;

use super::{Profile, ProfileSet};
use crate::client::ClientBuilder;
use crate::credentials::assume_role::{AssumeRoleProvider, ROLE_CHAINING_MAX};
use crate::credentials::cache::CredentialsCache;
use crate::credentials::container::ContainerProvider;
use crate::credentials::disk_cache::{AssumeRoleArgs, DiskCache, DiskCachedProvider};
use crate::credentials::environment::EnvironmentProvider;
use crate::credentials::imds::ImdsProvider;
use crate::credentials::mfa::{MfaPrompt, MfaTokenProvider};
use crate::credentials::mfa_session::MfaSessionProvider;
use crate::credentials::process::ProcessProvider;
use crate::credentials::web_identity::WebIdentityProvider;
use crate::credentials::{CredentialsError, ProvideCredentials, ProvideCredentialsFuture};
use crate::env::Env;

const PROVIDER: &str = "profile";

/// Which of a profile's credential sources a provider looks at. The AWS
/// CLI's chain puts the environment's web identity between a profile's
/// roles and its other sources, so the default chain asks twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProfileSources {
    /// Everything, in the AWS CLI's order.
    All,
    /// Only `role_arn` (assume role, or web identity from the profile).
    Roles,
    /// Everything but `role_arn`: SSO, static keys, `credential_process`.
    NonRoles,
}

/// Credentials from a named profile of the shared files.
#[derive(Clone, Debug)]
pub struct ProfileProvider {
    env: Env,
    profile: Option<String>,
    sources: ProfileSources,
    mfa: Arc<dyn MfaTokenProvider>,
    mfa_session: bool,
    disk_cache: Option<DiskCache>,
    /// Built on first successful use and shared by clones; every setter
    /// starts a new one, so a changed setting is never answered by an old
    /// tree. A failed build is not kept: a fixed config file is read again.
    resolved: Arc<OnceCell<Arc<dyn ProvideCredentials>>>,
}

impl ProfileProvider {
    /// The profile `AWS_PROFILE` / `AWS_DEFAULT_PROFILE` / `default` names in `env`.
    pub fn new(env: Env) -> Self {
        ProfileProvider {
            env,
            profile: None,
            sources: ProfileSources::All,
            mfa: Arc::new(MfaPrompt::new()),
            mfa_session: true,
            disk_cache: None,
            resolved: Arc::default(),
        }
    }

    /// Uses this profile instead of the one the environment selects.
    #[must_use]
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self.resolved = Arc::default();
        self
    }

    /// Looks only at some of the profile's sources.
    #[must_use]
    pub fn sources(mut self, sources: ProfileSources) -> Self {
        self.sources = sources;
        self.resolved = Arc::default();
        self
    }

    /// Where MFA codes come from for profiles with `mfa_serial` (default:
    /// a prompt on the terminal).
    #[must_use]
    pub fn mfa(mut self, tokens: impl MfaTokenProvider + 'static) -> Self {
        self.mfa = Arc::new(tokens);
        self.resolved = Arc::default();
        self
    }

    /// Whether a role profile with `mfa_serial` and an IAM user's keys as
    /// its source opens an MFA session (`GetSessionToken` with the code) and
    /// assumes the role with it, as aws-vault does (default: yes). One code
    /// then lasts as long as that session (12 hours, and across processes
    /// with a [disk cache](Self::disk_cache)) instead of one role session,
    /// but AWS caps a role assumed that way at one hour, so a profile whose
    /// `duration_seconds` asks for longer sends the code with each
    /// AssumeRole instead, as the AWS CLI always does. `false` does that for
    /// every profile. With `credential_source = Environment`, whether the
    /// keys are long-term (no `AWS_SESSION_TOKEN`) and whose they are is
    /// decided when the profile is first resolved, not on each refresh.
    #[must_use]
    pub fn mfa_session(mut self, enabled: bool) -> Self {
        self.mfa_session = enabled;
        self.resolved = Arc::default();
        self
    }

    /// Keeps assumed-role sessions in the AWS CLI's disk cache, shared with
    /// other processes (and the AWS CLI itself), so that short-lived
    /// programs do not call AssumeRole, or ask for an MFA code, every run.
    #[must_use]
    pub fn disk_cache(mut self, cache: DiskCache) -> Self {
        self.disk_cache = Some(cache);
        self.resolved = Arc::default();
        self
    }

    async fn resolve(&self) -> Result<crate::credentials::Credentials, CredentialsError> {
        let provider = self
            .resolved
            .get_or_try_init(|| async { self.build() })
            .await?;
        provider.provide_credentials().await
    }

    fn build(&self) -> Result<Arc<dyn ProvideCredentials>, CredentialsError> {
        let i = self;
        let set = ProfileSet::load(&i.env)
            .map_err(|e| CredentialsError::invalid_configuration(PROVIDER, e.to_string()))?;
        let name = i
            .profile
            .clone()
            .unwrap_or_else(|| ProfileSet::selected_profile(&i.env));
        let Some(profile) = set.profile(&name) else {
            let explicit = i.profile.is_some()
                || i.env.get("AWS_PROFILE").is_some()
                || i.env.get("AWS_DEFAULT_PROFILE").is_some();
            return Err(if explicit {
                CredentialsError::invalid_configuration(
                    PROVIDER,
                    format!(
                        "profile {name:?} is not defined in the shared config or credentials file"
                    ),
                )
            } else {
                CredentialsError::not_loaded(
                    PROVIDER,
                    format!("no profile {name:?} in the shared files"),
                )
            });
        };
        let resolver = Resolver {
            set: &set,
            env: &i.env,
            mfa: &i.mfa,
            mfa_session: i.mfa_session,
            disk_cache: i.disk_cache.as_ref(),
        };
        let has_role = profile.get("role_arn").is_some();
        match i.sources {
            ProfileSources::Roles if !has_role => Err(CredentialsError::not_loaded(
                PROVIDER,
                format!("profile {name:?} has no role_arn"),
            )),
            ProfileSources::NonRoles if has_role => Err(CredentialsError::not_loaded(
                PROVIDER,
                format!("profile {name:?} is a role profile"),
            )),
            _ => resolver.resolve(profile, &mut Vec::new()).map(|(p, _)| p),
        }
    }
}

impl ProvideCredentials for ProfileProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::new(self.resolve())
    }

    fn provider_name(&self) -> &'static str {
        PROVIDER
    }
}

struct Resolver<'a> {
    set: &'a ProfileSet,
    env: &'a Env,
    mfa: &'a Arc<dyn MfaTokenProvider>,
    mfa_session: bool,
    disk_cache: Option<&'a DiskCache>,
}

/// What kind of credentials a provider yields: an IAM user's long-term keys
/// can open an MFA session. (Role chaining needs no kind: the assume-role
/// builder tells from the source's provider name.)
#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    LongTermKeys { access_key_id: String },
    Other,
}

type Resolved = (Arc<dyn ProvideCredentials>, Kind);

/// Static credentials, with their kind.
fn keys(creds: crate::credentials::Credentials) -> Resolved {
    let kind = match creds.session_token() {
        None => Kind::LongTermKeys {
            access_key_id: creds.access_key_id().to_owned(),
        },
        Some(_) => Kind::Other,
    };
    (Arc::new(creds), kind)
}

/// `session_tags = key=value,key2=value2`, in order.
fn session_tags(profile: &Profile) -> Result<Vec<(&str, &str)>, CredentialsError> {
    let Some(text) = profile.get("session_tags") else {
        return Ok(Vec::new());
    };
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| match item.split_once('=') {
            Some((key, value)) if !key.trim().is_empty() => Ok((key.trim(), value.trim())),
            _ => Err(invalid(
                profile,
                format!(
                    "session_tags entry {item:?} is not key=value; write e.g. \
                     `session_tags = team=infra,project=alpha`"
                ),
            )),
        })
        .collect()
}

fn invalid(profile: &Profile, message: String) -> CredentialsError {
    CredentialsError::invalid_configuration(
        PROVIDER,
        format!("profile {:?}: {message}", profile.name()),
    )
}

impl Resolver<'_> {
    /// Resolves `profile`; `chain` holds the profiles already on the way
    /// here (for cycle detection and messages).
    fn resolve(
        &self,
        profile: &Profile,
        chain: &mut Vec<String>,
    ) -> Result<Resolved, CredentialsError> {
        chain.push(profile.name().to_owned());
        if let Some(role_arn) = profile.get("role_arn") {
            return self.role(profile, role_arn, chain);
        }
        if profile.get("sso_session").is_some() || profile.get("sso_start_url").is_some() {
            return Err(CredentialsError::new(
                PROVIDER,
                format!(
                    "profile {:?} uses IAM Identity Center (SSO), which awssts cannot log in to yet; \
                     run `aws sso login` and `aws configure export-credentials`, or use another profile",
                    profile.name()
                ),
            ));
        }
        if let Some(creds) = profile.static_credentials() {
            return Ok(keys(creds?));
        }
        if let Some(process) = ProcessProvider::from_profile(profile) {
            return Ok((Arc::new(process), Kind::Other));
        }
        Err(CredentialsError::not_loaded(
            PROVIDER,
            format!(
                "profile {:?} has no credentials (no role_arn, static keys or credential_process)",
                profile.name()
            ),
        ))
    }

    fn role(
        &self,
        profile: &Profile,
        role_arn: &str,
        chain: &mut Vec<String>,
    ) -> Result<Resolved, CredentialsError> {
        let session_name = profile.get("role_session_name");
        if let Some(token_file) = profile.get("web_identity_token_file") {
            let mut p = WebIdentityProvider::new(token_file, role_arn).env(self.env.clone());
            if let Some(name) = session_name {
                p = p.session_name(name);
            }
            if let Some(d) = self.duration(profile)? {
                p = p.duration_seconds(i32::try_from(d.as_secs()).unwrap_or(i32::MAX));
            }
            return Ok((Arc::new(p), Kind::Other));
        }
        let source_profile = profile.get("source_profile");
        let credential_source = profile.get("credential_source");
        let (source, kind): Resolved = match (source_profile, credential_source) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    profile,
                    "has both source_profile and credential_source; keep one".to_owned(),
                ));
            }
            (None, None) => {
                return Err(invalid(
                    profile,
                    "has role_arn but no source_profile, credential_source or web_identity_token_file \
                     to get the credentials that assume it"
                        .to_owned(),
                ));
            }
            (None, Some(source)) => self.credential_source(profile, source)?,
            (Some(name), None) => {
                let source = self.set.profile(name).ok_or_else(|| {
                    invalid(
                        profile,
                        format!("source_profile {name:?} is not defined in the shared files"),
                    )
                })?;
                if name == profile.name() {
                    // A profile may name itself to use its own static keys.
                    match source.static_credentials() {
                        Some(creds) => keys(creds?),
                        None => {
                            return Err(invalid(
                                profile,
                                "is its own source_profile but has no static keys".to_owned(),
                            ));
                        }
                    }
                } else if chain.iter().any(|seen| seen == name) {
                    chain.push(name.to_owned());
                    return Err(invalid(
                        profile,
                        format!("source_profile chain has a cycle: {}", chain.join(" -> ")),
                    ));
                } else {
                    self.resolve(source, chain)?
                }
            }
        };
        let mut builder = AssumeRoleProvider::builder(role_arn);
        let mut args = AssumeRoleArgs::new(role_arn);
        if let Some(name) = session_name {
            builder = builder.session_name(name);
            args = args.role_session_name(name);
        }
        if let Some(id) = profile.get("external_id") {
            builder = builder.external_id(id);
            args = args.external_id(id);
        }
        if let Some(identity) = profile.get("source_identity") {
            builder = builder.source_identity(identity);
            // Another source identity is another session: not the same cache entry.
            args = args.arg(
                "SourceIdentity",
                serde_json::Value::String(identity.to_owned()),
            );
        }
        // Session tags use aws-vault's keys (the AWS CLI has none):
        // `session_tags = team=infra,project=x`, `transitive_session_tags = team`.
        let tags = session_tags(profile)?;
        if !tags.is_empty() {
            let mut json = Vec::with_capacity(tags.len());
            for (key, value) in &tags {
                builder = builder.tag(*key, *value);
                json.push(serde_json::json!({ "Key": key, "Value": value }));
            }
            // Sessions with other tags must not share a disk-cache entry.
            args = args.arg("Tags", serde_json::Value::Array(json));
        }
        if let Some(keys) = profile.get("transitive_session_tags") {
            let keys: Vec<&str> = keys
                .split(',')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .collect();
            for key in &keys {
                builder = builder.transitive_tag_key(*key);
            }
            args = args.arg("TransitiveTagKeys", serde_json::json!(keys));
        }
        let duration = self.duration(profile)?;
        if let Some(d) = duration {
            builder = builder.duration(d);
            args = args.duration_seconds(u32::try_from(d.as_secs()).unwrap_or(u32::MAX));
        }
        let client = ClientBuilder::default()
            .env(self.env.clone())
            .profile(self.set, profile.name())
            .map_err(|e| CredentialsError::invalid_configuration(PROVIDER, e.to_string()))?;
        let mut source = source;
        if let Some(serial) = profile.get("mfa_serial") {
            // The AWS CLI's key (with the serial), so it shares the role's
            // session whichever way the code reached STS.
            args = args.mfa_serial(serial);
            // An MFA session spares a code on each role refresh, but makes
            // the role session a chained one (1 hour): only when the keys
            // can open one and the profile does not ask for longer.
            let one_hour_is_enough = duration.is_none_or(|d| d <= ROLE_CHAINING_MAX);
            if let (true, Kind::LongTermKeys { access_key_id }, true) =
                (self.mfa_session, &kind, one_hour_is_enough)
            {
                source =
                    self.mfa_session(profile, serial, access_key_id, source, client.clone())?;
            } else {
                builder = builder.mfa_shared(serial, self.mfa.clone());
            }
        }
        let provider = builder
            .client_builder(client)
            .build_shared(source, None)
            .map_err(|e| invalid(profile, format!("cannot set up the STS client: {e}")))?;
        let provider: Arc<dyn ProvideCredentials> = match self.disk_cache {
            Some(cache) => Arc::new(DiskCachedProvider::new(
                args.cache_key(),
                Arc::new(provider),
                cache.clone(),
            )),
            None => Arc::new(provider),
        };
        Ok((provider, Kind::Other))
    }

    /// The MFA session that signs a role's AssumeRole calls in place of
    /// `keys`: kept in memory, and on disk when there is a disk cache, so a
    /// new code is needed only when the session itself runs out.
    fn mfa_session(
        &self,
        profile: &Profile,
        serial: &str,
        access_key_id: &str,
        keys: Arc<dyn ProvideCredentials>,
        client: ClientBuilder,
    ) -> Result<Arc<dyn ProvideCredentials>, CredentialsError> {
        let session = MfaSessionProvider::builder(serial, self.mfa.clone())
            .client_builder(client)
            .build_shared(keys)
            .map_err(|e| invalid(profile, format!("cannot set up the STS client: {e}")))?;
        let session: Arc<dyn ProvideCredentials> = match self.disk_cache {
            Some(cache) => {
                // Never an AssumeRole key: `GetSessionToken` has no RoleArn.
                // The access key id tells one user's session from another's.
                let key = AssumeRoleArgs::default()
                    .arg("Operation", "GetSessionToken".into())
                    .mfa_serial(serial)
                    .arg("SourceAccessKeyId", access_key_id.into())
                    .cache_key();
                let cache = cache.clone().with_provider_name(session.provider_name());
                Arc::new(DiskCachedProvider::new(key, Arc::new(session), cache))
            }
            None => Arc::new(session),
        };
        Ok(Arc::new(CredentialsCache::new(session)))
    }

    fn credential_source(
        &self,
        profile: &Profile,
        source: &str,
    ) -> Result<Resolved, CredentialsError> {
        Ok(match source {
            "Environment" => {
                // Known now, as the provider reads the same variables.
                let kind = match (
                    self.env.get("AWS_ACCESS_KEY_ID"),
                    self.env.get("AWS_SESSION_TOKEN"),
                ) {
                    (Some(id), None) => Kind::LongTermKeys {
                        access_key_id: id.trim().to_owned(),
                    },
                    _ => Kind::Other,
                };
                (Arc::new(EnvironmentProvider::new(self.env.clone())), kind)
            }
            "Ec2InstanceMetadata" => (Arc::new(ImdsProvider::from_env(self.env)), Kind::Other),
            "EcsContainer" => (Arc::new(ContainerProvider::from_env(self.env)), Kind::Other),
            other => {
                return Err(invalid(
                    profile,
                    format!(
                        "credential_source = {other:?} is not one of Environment, Ec2InstanceMetadata, EcsContainer"
                    ),
                ));
            }
        })
    }

    fn duration(&self, profile: &Profile) -> Result<Option<Duration>, CredentialsError> {
        match profile.get("duration_seconds") {
            None => Ok(None),
            Some(v) => match v.trim().parse::<u64>() {
                Ok(secs) if (900..=43_200).contains(&secs) => Ok(Some(Duration::from_secs(secs))),
                _ => Err(invalid(
                    profile,
                    format!(
                        "duration_seconds = {v:?} must be a whole number of seconds from 900 to 43200"
                    ),
                )),
            },
        }
    }
}
