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

use crate::cli::Global;
use crate::cmdline::{Check, Flag, Matches};
use crate::config;
use crate::error::CliError;
use crate::output::print;
use crate::runtime::runtime;
pub use format::{EXPORT_FORMATS, ExportFormat, render, variables};

/// Flags of `credential-process`.
#[derive(Debug)]
pub struct CredentialProcess {
    pub role_arn: Option<String>,
    pub source_profile: Option<String>,
    pub role_session_name: Option<String>,
    pub duration_seconds: Option<u32>,
    pub external_id: Option<String>,
    pub serial_number: Option<String>,
}

pub static CREDENTIAL_PROCESS: &[Flag] = &[
    Flag::one(
        "role-arn",
        "Assume this role instead of using the profile's credentials",
    )
    .value("ARN"),
    Flag::one(
        "source-profile",
        "Profile whose credentials assume --role-arn (default: the usual chain)",
    )
    .value("NAME")
    .requires("role-arn"),
    Flag::one(
        "role-session-name",
        "Session name for --role-arn (default: generated; then it is not part of the cache key)",
    )
    .value("NAME")
    .requires("role-arn"),
    Flag::one(
        "duration-seconds",
        "Session lifetime for --role-arn, 900 to 43200 seconds",
    )
    .value("SECONDS")
    .check(Check::Range(900, 43_200))
    .requires("role-arn"),
    Flag::one(
        "external-id",
        "External id the role's trust policy requires",
    )
    .requires("role-arn"),
    Flag::one(
        "serial-number",
        "MFA device the role requires; the code is asked for on the terminal, once per session",
    )
    .value("ARN")
    .requires("role-arn"),
];

impl CredentialProcess {
    pub fn from_matches(m: &mut Matches) -> CredentialProcess {
        CredentialProcess {
            role_arn: m.one("role-arn"),
            source_profile: m.one("source-profile"),
            role_session_name: m.one("role-session-name"),
            duration_seconds: m.parsed("duration-seconds"),
            external_id: m.one("external-id"),
            serial_number: m.one("serial-number"),
        }
    }
}

/// Flags of `export-credentials`.
#[derive(Debug)]
pub struct ExportCredentials {
    pub format: ExportFormat,
}

pub static EXPORT_CREDENTIALS: &[Flag] = &[Flag::one("format", "How to print the credentials")
    .choices(EXPORT_FORMATS)
    .default("process")];

impl ExportCredentials {
    pub fn from_matches(m: &mut Matches) -> ExportCredentials {
        ExportCredentials {
            // The parser accepted only the table's formats.
            format: m
                .one("format")
                .as_deref()
                .and_then(ExportFormat::from_name)
                .unwrap_or(ExportFormat::Process),
        }
    }
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
