//! The `awssts` command: every STS operation with the AWS CLI's flags,
//! output and exit codes.
//!
//! One module per command group: `sts` (the operations), `creds`
//! (`credential-process`, `export-credentials`), `eks` (`eks-token`,
//! `get-caller-identity --presign`), `exec`, `serve` (the emulator),
//! `demo`, `completions`;
//! shared pieces are `cli` (the command-line tables) and `cmdline` (the
//! parser, help and completions they drive), `config` (the client), `args`
//! (the AWS CLI's argument syntax), `output` (json, text, env, --query) and `error`
//! (exit codes).

mod args;
mod cli;
mod cmdline;
mod completions;
mod config;
mod creds;
mod debug_log;
mod demo;
mod eks;
mod error;
mod exec;
mod output;
mod paramfile;
mod runtime;
mod serve;
mod sts;

use std::io::Write;
use std::process::ExitCode;

use cli::{Cli, Command, Global};
use error::CliError;
use output::Format;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let cli = match Cli::parse(&args) {
        Ok(cli) => cli,
        Err(stop) => return ExitCode::from(cmdline::report(&cli::APP, stop)),
    };
    if cli.global.debug {
        debug_log::install();
    }
    let result = match cli.command {
        Command::Completions { shell } => completions::print(shell),
        Command::Serve(a) => serve::run(&a),
        Command::Demo => demo::run(),
        Command::Sts(sts::Command::GetCallerIdentity(a)) if a.presign => {
            eks::presign_get_caller_identity(&cli.global, a.expires_in)
        }
        Command::Sts(cmd) => run_sts(&cli.global, cmd),
        Command::CredentialProcess(a) => creds::credential_process(&cli.global, a),
        Command::ExportCredentials(a) => creds::export_credentials(&cli.global, &a),
        Command::EksToken(a) => eks::eks_token(&cli.global, &a),
        Command::Exec(a) => match exec::run(&cli.global, a) {
            Ok(code) => return ExitCode::from(code),
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = std::io::stderr().write_all(e.message().as_bytes());
            ExitCode::from(e.exit_code())
        }
    }
}

fn run_sts(global: &Global, cmd: sts::Command) -> Result<(), CliError> {
    let name = cmd.name();
    let wants_credentials = cmd.returns_credentials();
    let env = config::environment(global.profile.as_deref());
    let request = cmd.into_request(&paramfile::process_var)?;
    request.validate().map_err(|v| {
        CliError::Usage(format!(
            "invalid parameter: {v} (nothing was sent; see --help)"
        ))
    })?;
    let query = match &global.query {
        Some(q) => Some(output::query::Query::compile(q).map_err(CliError::Usage)?),
        None => None,
    };
    let setup = config::setup(global, env)?;
    if setup.format == Format::Env {
        if !wants_credentials {
            return Err(CliError::Usage(format!(
                "--output env prints credentials, and {name} returns none; use --output json or text"
            )));
        }
        if query.is_some() {
            return Err(CliError::Usage(
                "--output env prints the credentials as they are; --query cannot be used with it"
                    .to_owned(),
            ));
        }
    }
    let endpoint = setup.client.endpoint().url.clone();
    tracing::debug!(operation = name, endpoint = %endpoint, "sending");

    let outcome = runtime::runtime()?
        .block_on(request.send(&setup.client))
        .map_err(|e| {
            let m = e.metadata();
            tracing::debug!(
                request_id = m.request_id.as_deref().unwrap_or("-"),
                attempts = m.attempts,
                retry_delay = ?m.retry_delay,
                "{} failed",
                e.operation()
            );
            CliError::from_call(&e, &endpoint)
        })?;
    let m = &outcome.metadata;
    tracing::debug!(
        request_id = m.request_id.as_deref().unwrap_or("-"),
        attempts = m.attempts,
        retry_delay = ?m.retry_delay,
        "{name} succeeded"
    );

    let text = match setup.format {
        Format::Env => match &outcome.credentials {
            Some(c) => output::env_lines(c),
            None => {
                return Err(CliError::Other(format!(
                    "{name} succeeded but the response held no credentials to export"
                )));
            }
        },
        f => output::render(&outcome.doc, f, query.as_ref()).map_err(CliError::Usage)?,
    };
    output::print(&text)
}
