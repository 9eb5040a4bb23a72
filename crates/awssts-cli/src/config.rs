//! The client a command runs with: global flags first, then the
//! environment, then the profile, as the AWS CLI orders them.

use std::time::Duration;

use awssts::credentials::cache::CredentialsCache;
use awssts::credentials::chain::{ChainProvider, default_chain_with};
use awssts::credentials::disk_cache::DiskCache;
use awssts::credentials::profile::ProfileSet;
use awssts::env::Env;
use awssts::transport::TransportConfig;
use awssts::{Client, ClientBuilder};

use crate::cli::Global;
use crate::error::CliError;
use crate::output::Format;

/// The variables of the environment provider, ignored under an explicit
/// `--profile` (botocore drops that provider then, so the profile wins).
const ENV_CREDENTIALS: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
];

/// "No timeout" for `--cli-connect-timeout 0`: far enough to never fire,
/// near enough not to overflow a deadline.
const FOREVER: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// The process environment, as one snapshot every provider reads, with
/// `--profile` applied.
pub fn environment(profile: Option<&str>) -> Env {
    let vars = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)));
    match profile {
        None => Env::from_vars(vars),
        Some(p) => Env::from_vars(
            vars.filter(|(k, _)| {
                !ENV_CREDENTIALS.contains(&k.as_str())
                    && k != "AWS_PROFILE"
                    && k != "AWS_DEFAULT_PROFILE"
            })
            .chain([("AWS_PROFILE".to_owned(), p.to_owned())]),
        ),
    }
}

/// A client ready to send, and the settings printing needs.
pub struct Setup {
    pub client: Client,
    pub format: Format,
}

pub fn setup(g: &Global, env: Env) -> Result<Setup, CliError> {
    let (builder, format) = client_builder(g, &env)?;
    let client = builder
        .credentials(CredentialsCache::new(chain(&env)))
        .build()
        .map_err(|e| CliError::Config(e.to_string()))?;
    Ok(Setup { client, format })
}

/// The client settings of the global flags, the environment and the
/// profile, without credentials (commands that sign with other credentials
/// add their own), and the output format.
pub fn client_builder(g: &Global, env: &Env) -> Result<(ClientBuilder, Format), CliError> {
    let config = |e: &dyn std::fmt::Display| CliError::Config(e.to_string());
    let profiles = ProfileSet::load(env).map_err(|e| config(&e))?;
    let name = g
        .profile
        .clone()
        .unwrap_or_else(|| ProfileSet::selected_profile(env));

    let mut builder = ClientBuilder::default().env(env.clone());
    if let Some(r) = &g.region {
        builder = builder.region(r);
    }
    if let Some(u) = &g.endpoint_url {
        builder = builder.endpoint_url(u);
    }
    builder = builder.profile(&profiles, &name).map_err(|e| config(&e))?;

    // As the AWS CLI: the flag, then AWS_DEFAULT_OUTPUT, then the profile.
    let format = match g.output {
        Some(f) => f,
        None => match env
            .get("AWS_DEFAULT_OUTPUT")
            .map(|v| (v, "AWS_DEFAULT_OUTPUT".to_owned()))
            .or_else(|| {
                profiles
                    .profile(&name)
                    .and_then(|p| p.get("output"))
                    .map(|v| (v.to_owned(), format!("profile {name:?}'s output setting")))
            }) {
            None => Format::Json,
            Some((v, origin)) => configured_format(&v, &origin)?,
        },
    };

    let mut transport = TransportConfig::default();
    if let Some(s) = g.cli_read_timeout {
        transport = transport.read_timeout((s > 0.0).then(|| secs(s)));
    }
    if let Some(s) = g.cli_connect_timeout {
        transport = transport.connect_timeout(if s > 0.0 { secs(s) } else { FOREVER });
    }
    Ok((builder.transport_config(transport), format))
}

/// A configured output format. The AWS CLI's formats awssts does not print
/// (`table`, `yaml`, `yaml-stream`) fall back to JSON with a note, so a
/// display setting made for the AWS CLI does not break every command.
fn configured_format(value: &str, origin: &str) -> Result<Format, CliError> {
    if let Some(f) = Format::from_setting(value) {
        return Ok(f);
    }
    match value.trim() {
        v @ ("table" | "yaml" | "yaml-stream") => {
            eprintln!("awssts: {origin} is {v:?}, which awssts does not print; using json");
            Ok(Format::Json)
        }
        _ => Err(CliError::Config(format!(
            "{origin} is {value:?}; it must be json, text or env (or the AWS CLI's table, yaml, yaml-stream)"
        ))),
    }
}

/// Seconds from the command line, capped at [`FOREVER`] so that adding the
/// duration to an instant cannot overflow.
fn secs(s: f64) -> Duration {
    Duration::try_from_secs_f64(s).map_or(FOREVER, |d| d.min(FOREVER))
}

/// The library's default chain, with assumed-role profiles kept in the AWS
/// CLI's `~/.aws/cli/cache`, as the AWS CLI keeps them (without HOME, the
/// chain simply does not cache).
pub fn chain(env: &Env) -> ChainProvider {
    default_chain_with(env, DiskCache::from_env(env).ok())
}
