//! Credentials for other tools: `credential-process` (the JSON a
//! `credential_process` setting reads, through the AWS CLI's disk cache) and
//! `export-credentials` (the formats of `aws configure export-credentials`).

mod format;

use std::sync::Arc;
use std::time::Duration;

use awssts::credentials::assume_role::AssumeRoleProvider;
use awssts::credentials::disk_cache::{AssumeRoleArgs, DiskCache, DiskCachedProvider};
use awssts::credentials::mfa::MfaPrompt;
use awssts::credentials::profile::{ProfileProvider, ProfileSet};
use awssts::credentials::{Credentials, ProvideCredentials};
use awssts::env::Env;
use clap::Args;

use crate::cli::Global;
use crate::config;
use crate::error::CliError;
use crate::output::print;
use crate::runtime::runtime;
pub use format::{ExportFormat, render, variables};

/// Flags of `credential-process`.
#[derive(Args, Debug)]
pub struct CredentialProcess {
    /// Assume this role instead of using the profile's credentials.
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// Profile whose credentials assume --role-arn (default: the usual chain).
    #[arg(long, value_name = "NAME", requires = "role_arn")]
    pub source_profile: Option<String>,
    /// Session name for --role-arn (default: generated; then it is not part of the cache key).
    #[arg(long, value_name = "NAME", requires = "role_arn")]
    pub role_session_name: Option<String>,
    /// Session lifetime for --role-arn, 900 to 43200 seconds.
    #[arg(long, value_name = "SECONDS", requires = "role_arn",
          value_parser = clap::value_parser!(u32).range(900..=43_200))]
    pub duration_seconds: Option<u32>,
    /// External id the role's trust policy requires.
    #[arg(long, requires = "role_arn")]
    pub external_id: Option<String>,
    /// MFA device the role requires; the code is asked for on the terminal, once per session.
    #[arg(long, value_name = "ARN", requires = "role_arn")]
    pub serial_number: Option<String>,
}

/// Flags of `export-credentials`.
#[derive(Args, Debug)]
pub struct ExportCredentials {
    /// How to print the credentials.
    #[arg(long, value_enum, default_value = "process")]
    pub format: ExportFormat,
}

/// The full chain for the selected profile (assumed roles kept in the
/// AWS CLI's disk cache), once.
pub fn resolve(global: &Global) -> Result<(Credentials, Env), CliError> {
    let env = config::environment(global.profile.as_deref());
    let chain = config::chain(&env);
    let creds = runtime()?
        .block_on(chain.provide_credentials())
        .map_err(|e| CliError::from_credentials(&e))?;
    Ok((creds, env))
}

/// `awssts credential-process`.
pub fn credential_process(global: &Global, args: CredentialProcess) -> Result<(), CliError> {
    let creds = match &args.role_arn {
        None => resolve(global)?.0,
        Some(role_arn) => assume(global, role_arn, &args)?,
    };
    print(&format::render(&creds, ExportFormat::Process))
}

/// `awssts export-credentials`.
pub fn export_credentials(global: &Global, args: &ExportCredentials) -> Result<(), CliError> {
    let (creds, _) = resolve(global)?;
    print(&format::render(&creds, args.format))
}

/// `--role-arn`: AssumeRole with the source profile's (or the chain's)
/// credentials, through the disk cache under the AWS CLI's key for the
/// same arguments, so the AWS CLI and awssts share the session.
fn assume(
    global: &Global,
    role_arn: &str,
    args: &CredentialProcess,
) -> Result<Credentials, CliError> {
    let env = config::environment(global.profile.as_deref());
    let cache = DiskCache::from_env(&env).map_err(|e| CliError::Config(e.to_string()))?;
    let (client, _) = config::client_builder(global, &env)?;
    let source: Arc<dyn ProvideCredentials> = match &args.source_profile {
        Some(p) => Arc::new(
            ProfileProvider::new(env.clone())
                .profile(p)
                .disk_cache(cache.clone()),
        ),
        None => Arc::new(config::chain(&env)),
    };
    let mut builder = AssumeRoleProvider::builder(role_arn)
        .client_builder(client)
        .role_chaining(source_is_a_role(&env, args.source_profile.as_deref()));
    let mut key = AssumeRoleArgs::new(role_arn);
    if let Some(name) = &args.role_session_name {
        builder = builder.session_name(name);
        key = key.role_session_name(name);
    }
    if let Some(id) = &args.external_id {
        builder = builder.external_id(id);
        key = key.external_id(id);
    }
    if let Some(secs) = args.duration_seconds {
        builder = builder.duration(Duration::from_secs(u64::from(secs)));
        key = key.duration_seconds(secs);
    }
    if let Some(serial) = &args.serial_number {
        builder = builder.mfa(serial, MfaPrompt::new());
        key = key.mfa_serial(serial);
    }
    let provider = builder
        .build_shared(source, None)
        .map_err(|e| CliError::Config(format!("cannot set up the STS client: {e}")))?;
    let cached = DiskCachedProvider::new(key.cache_key(), Arc::new(provider), cache);
    runtime()?
        .block_on(cached.provide_credentials())
        .map_err(|e| CliError::from_credentials(&e))
}

/// Whether the source credentials will be a role session, so that the
/// 1-hour cap on role chaining applies. The source provider's name cannot
/// tell (a profile or the whole chain stands in front of the role), so the
/// profile that will answer is looked at: with a source profile, that one;
/// otherwise the selected profile, unless the environment has keys or a web
/// identity token (which the default chain tries first).
fn source_is_a_role(env: &Env, source_profile: Option<&str>) -> bool {
    if source_profile.is_none() && env.get("AWS_WEB_IDENTITY_TOKEN_FILE").is_some() {
        return true;
    }
    let name = match source_profile {
        Some(p) => p.to_owned(),
        None if env.get("AWS_ACCESS_KEY_ID").is_some() => return false,
        None => ProfileSet::selected_profile(env),
    };
    ProfileSet::load(env).ok().is_some_and(|set| {
        set.profile(&name).is_some_and(|p| {
            p.get("role_arn").is_some() || p.get("web_identity_token_file").is_some()
        })
    })
}
