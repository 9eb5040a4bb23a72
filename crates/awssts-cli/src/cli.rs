//! The command line: global options and one subcommand per command group.

use clap::{Args, Parser, Subcommand};

use crate::output::Format;

/// AWS STS from the command line: every `aws sts` operation, with the AWS
/// CLI's flags, output and exit codes.
//
// The parsed flags have no `Debug` (nor do the commands in `sts`): they
// carry SAML assertions, web identity tokens, MFA codes and trade-in tokens.
#[derive(Parser)]
#[command(name = "awssts", version, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes (before or after the subcommand).
#[derive(Args, Debug, Default)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// Profile from ~/.aws/config and ~/.aws/credentials (else AWS_PROFILE, else default).
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// AWS region (else AWS_REGION, AWS_DEFAULT_REGION, then the profile's region).
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,
    /// Send requests to this URL instead of the regional STS endpoint.
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Output format (else the profile's `output`, else json).
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub output: Option<Format>,
    /// JMESPath expression applied to the result before it is printed.
    #[arg(long, global = true, value_name = "JMESPATH")]
    pub query: Option<String>,
    /// Log what happens (endpoint, retries, request ids) to stderr; secrets are never logged.
    #[arg(long, global = true)]
    pub debug: bool,
    /// Seconds to wait for response data; 0 waits forever (default 20).
    #[arg(long, global = true, value_name = "SECONDS", value_parser = non_negative)]
    pub cli_read_timeout: Option<f64>,
    /// Seconds to wait for a connection; 0 waits forever (default 3.1).
    #[arg(long, global = true, value_name = "SECONDS", value_parser = non_negative)]
    pub cli_connect_timeout: Option<f64>,
}

fn non_negative(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v >= 0.0 && v.is_finite() => Ok(v),
        _ => Err(format!("{s:?} is not a number of seconds (0 or more)")),
    }
}

/// The shells `completions` writes scripts for.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

// One value per run: the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
pub enum Command {
    #[command(flatten)]
    Sts(crate::sts::Command),
    /// Print credentials as `credential_process` JSON, through the AWS CLI's cache (~/.aws/cli/cache).
    CredentialProcess(crate::creds::CredentialProcess),
    /// Print the credentials the profile resolves to, as `aws configure export-credentials` does.
    ExportCredentials(crate::creds::ExportCredentials),
    /// Print the Kubernetes ExecCredential with an EKS bearer token, as `aws eks get-token` does.
    EksToken(crate::eks::EksToken),
    /// Run a command with the profile's credentials in its environment (or served to it with --server).
    Exec(crate::exec::Exec),
    /// Run the local STS emulator (every operation, signatures checked) until SIGINT/SIGTERM.
    Serve(crate::serve::Serve),
    /// Walk the main flow against an in-process emulator: keys, AssumeRole, identity, renewal.
    Demo,
    /// Print a shell completion script (e.g. `awssts completions bash > /etc/bash_completion.d/awssts`).
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: Shell,
    },
}
