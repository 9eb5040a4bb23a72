//! `awssts exec [--server] -- CMD ARGS…`: runs a command with the profile's
//! credentials, either in its environment or, with `--server`, behind a
//! container-credentials endpoint on 127.0.0.1 that keeps renewing them
//! for as long as the command runs.

mod server;
mod shadowing;
mod terminal;

use std::ffi::OsString;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

use awssts::credentials::Credentials;
use awssts::credentials::cache::CredentialsCache;
use awssts::credentials::profile::ProfileSet;
use awssts::env::Env;
use tokio::signal::unix::{SignalKind, signal};

use crate::cli::Global;
use crate::cmdline::{Flag, Matches};
use crate::config;
use crate::error::CliError;
use crate::runtime::runtime;

/// Flags of `exec`.
#[derive(Debug)]
pub struct Exec {
    pub server: bool,
    /// The command to run and its arguments.
    pub command: Vec<OsString>,
}

pub static EXEC: &[Flag] = &[Flag::switch(
    "server",
    "Serve the credentials on 127.0.0.1 (the container-credentials protocol every AWS SDK \
     reads) instead of putting them in the environment, so a long-running command keeps \
     getting renewed ones. The command gets AWS_SHARED_CREDENTIALS_FILE=/dev/null, and a \
     warning is printed when its config profile has credentials of its own",
)];

impl Exec {
    pub fn from_matches(m: Matches) -> Exec {
        Exec {
            server: m.given("server"),
            command: m.operands,
        }
    }
}

/// Variables that would make the child find other credentials, or a
/// profile that is not the one it was given, before ours.
const REMOVED: &[&str] = &[
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
];

/// Runs the command; its exit code (128 + the signal when a signal ended
/// it) becomes ours.
pub fn run(global: &Global, args: Exec) -> Result<u8, CliError> {
    let env = config::environment(global.profile.as_deref());
    let region = region(global, &env)?;
    let cache = CredentialsCache::new(config::chain(&env));
    let rt = runtime()?;
    rt.block_on(async move {
        // Fetched before the child starts, so a configuration problem is
        // reported here rather than as the child's failure.
        let creds = cache
            .credentials()
            .await
            .map_err(|e| CliError::from_credentials(&e))?;
        let mut vars = child_environment();
        if let Some(r) = &region {
            vars.push(("AWS_REGION".into(), r.into()));
            vars.push(("AWS_DEFAULT_REGION".into(), r.into()));
        }
        let _server = if args.server {
            let server = server::Server::start(cache.clone()).await?;
            vars.push((
                "AWS_CONTAINER_CREDENTIALS_FULL_URI".into(),
                server.url().into(),
            ));
            vars.push((
                "AWS_CONTAINER_AUTHORIZATION_TOKEN".into(),
                server.token().into(),
            ));
            // Pushed last, so it wins over an inherited value both in
            // `as_env` and in `Command::envs`.
            vars.push((
                "AWS_SHARED_CREDENTIALS_FILE".into(),
                shadowing::NO_CREDENTIALS_FILE.into(),
            ));
            if let Some(warning) = shadowing::warning(&as_env(&vars)) {
                eprintln!("{warning}");
            }
            Some(server)
        } else {
            vars.extend(credential_variables(&creds));
            None
        };
        let status = run_child(&args.command, vars).await?;
        Ok(exit_code(status))
    })
}

/// The process environment without [`REMOVED`].
fn child_environment() -> Vec<(OsString, OsString)> {
    std::env::vars_os()
        .filter(|(k, _)| k.to_str().is_none_or(|k| !REMOVED.contains(&k)))
        .collect()
}

/// The child's variables as the library reads them (those that are not
/// UTF-8 are left out, as the library leaves them out of the process's).
fn as_env(vars: &[(OsString, OsString)]) -> Env {
    Env::from_vars(
        vars.iter()
            .filter_map(|(k, v)| Some((k.to_str()?.to_owned(), v.to_str()?.to_owned()))),
    )
}

/// The variables `export-credentials --format env` prints, set as they are.
fn credential_variables(c: &Credentials) -> Vec<(OsString, OsString)> {
    crate::creds::variables(c)
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect()
}

/// `--region`, else the environment, else the profile's `region`.
fn region(global: &Global, env: &Env) -> Result<Option<String>, CliError> {
    if let Some(r) = &global.region {
        return Ok(Some(r.clone()));
    }
    if let Some(r) = env
        .get("AWS_REGION")
        .or_else(|| env.get("AWS_DEFAULT_REGION"))
        .filter(|r| !r.is_empty())
    {
        return Ok(Some(r));
    }
    let profiles = ProfileSet::load(env).map_err(|e| CliError::Config(e.to_string()))?;
    let name = global
        .profile
        .clone()
        .unwrap_or_else(|| ProfileSet::selected_profile(env));
    match profiles.profile(&name) {
        Some(p) => p
            .region()
            .map(|r| r.map(str::to_owned))
            .map_err(|e| CliError::Config(e.to_string())),
        None => Ok(None),
    }
}

async fn run_child(
    command: &[OsString],
    vars: Vec<(OsString, OsString)>,
) -> Result<ExitStatus, CliError> {
    let Some((program, rest)) = command.split_first() else {
        return Err(CliError::Usage("exec needs a command to run".to_owned()));
    };
    let shown = program.to_string_lossy();
    // Listening starts before the child does, so no signal is missed.
    let listen = |kind: SignalKind, name: &str| {
        signal(kind).map_err(|e| CliError::Other(format!("cannot listen for {name}: {e}")))
    };
    let mut int = listen(SignalKind::interrupt(), "SIGINT")?;
    let mut term = listen(SignalKind::terminate(), "SIGTERM")?;
    let mut hup = listen(SignalKind::hangup(), "SIGHUP")?;
    let mut child = tokio::process::Command::new(program)
        .args(rest)
        .env_clear()
        .envs(vars)
        .spawn()
        .map_err(|e| CliError::Other(format!("cannot run {shown:?}: {e}")))?;
    let pid = child
        .id()
        .and_then(|id| i32::try_from(id).ok())
        .map(nix::unistd::Pid::from_raw);
    loop {
        let sig = tokio::select! {
            // Pending signals are taken in a fixed order (SIGINT, SIGTERM,
            // SIGHUP), not the order they were sent: a SIGINT pending with
            // a SIGTERM is passed on first, so it is never lost to the
            // child ending.
            biased;
            status = child.wait() => {
                return status.map_err(|e| CliError::Other(format!("waiting for {shown:?} failed: {e}")));
            }
            _ = int.recv() => nix::sys::signal::Signal::SIGINT,
            _ = term.recv() => nix::sys::signal::Signal::SIGTERM,
            _ = hup.recv() => nix::sys::signal::Signal::SIGHUP,
        };
        if sig == nix::sys::signal::Signal::SIGINT && !terminal::forward_sigint() {
            continue;
        }
        if let Some(pid) = pid {
            // The child may have just exited; its status is read next turn.
            let _ = nix::sys::signal::kill(pid, sig);
        }
    }
}

/// The child's exit code, or 128 + the signal that ended it, as shells
/// report it.
fn exit_code(status: ExitStatus) -> u8 {
    match (status.code(), status.signal()) {
        (Some(code), _) => u8::try_from(code & 0xff).unwrap_or(255),
        (None, Some(sig)) => u8::try_from(128 + (sig & 0x7f)).unwrap_or(255),
        (None, None) => 255,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_as_shells_report_them() {
        assert_eq!(exit_code(ExitStatus::from_raw(0)), 0);
        assert_eq!(exit_code(ExitStatus::from_raw(3 << 8)), 3);
        assert_eq!(exit_code(ExitStatus::from_raw(255 << 8)), 255);
        // Killed by SIGTERM (15) and SIGKILL (9).
        assert_eq!(exit_code(ExitStatus::from_raw(15)), 143);
        assert_eq!(exit_code(ExitStatus::from_raw(9)), 137);
    }

    #[test]
    fn the_variables_of_temporary_credentials() {
        let c = Credentials::new(
            "ASIAX",
            "secret",
            Some("token".to_owned()),
            Some(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_795_348_800)),
            "test",
        );
        let vars = credential_variables(&c);
        let names: Vec<_> = vars.iter().map(|(k, _)| k.to_str().unwrap()).collect();
        assert_eq!(
            names,
            [
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN",
                "AWS_CREDENTIAL_EXPIRATION"
            ]
        );
        assert_eq!(vars[3].1, "2026-11-22T12:00:00+00:00");
        let keys = credential_variables(&Credentials::from_keys("AKIA", "s"));
        assert_eq!(keys.len(), 2);
    }
}
