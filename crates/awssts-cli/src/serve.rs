//! `awssts serve`: the emulator (crate `awssts-emulator`) as a process, for
//! scripts, CI jobs and other languages' tests.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use awssts_emulator::{Emulator, StartError};
use clap::Args;

use crate::error::CliError;

/// The address `serve` listens on unless told otherwise. A fixed port (as
/// moto and LocalStack have one) lets an `endpoint_url` in `~/.aws/config`
/// keep working across restarts; tests and parallel CI jobs pass
/// `--addr 127.0.0.1:0` for a free port and read the URL line.
pub const DEFAULT_ADDR: &str = "127.0.0.1:4599";

/// Flags of `serve`.
#[derive(Args, Debug)]
#[command(after_help = "\
With no --config there is one account, 123456789012, with the user \
arn:aws:iam::123456789012:user/emulator whose key is AWS's documented example \
key AKIAIOSFODNN7EXAMPLE (secret: the documented example secret), and any role \
may be assumed. The one line printed on stdout ends with the URL to pass as \
--endpoint-url. SIGINT or SIGTERM stop it (exit 0).")]
pub struct Serve {
    /// Address to listen on; port 0 picks a free port (printed on stdout).
    #[arg(long, value_name = "IP:PORT", default_value = DEFAULT_ADDR)]
    pub addr: SocketAddr,
    /// TOML file declaring accounts, users, roles with trust rules, and
    /// faults (format: the awssts-emulator README).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Serve the admin endpoint (/_awssts/: faults, clock, tokens) even if
    /// the config file does not turn it on.
    #[arg(long)]
    pub admin: bool,
}

/// Runs the emulator until SIGINT or SIGTERM.
pub fn run(args: &Serve) -> Result<(), CliError> {
    let emulator = match &args.config {
        Some(path) => {
            Emulator::from_config_file(path).map_err(|e| CliError::Config(e.to_string()))?
        }
        None => Emulator::new(),
    };
    let emulator = if args.admin {
        emulator.admin(true)
    } else {
        emulator
    }
    .addr(args.addr);
    if !args.addr.ip().is_loopback() {
        eprintln!(
            "awssts: warning: listening on {}, reachable from other machines; the emulator \
             is for tests and accepts AWS's published example key",
            args.addr
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Other(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        // Listening for the signals before the URL is printed: a caller
        // that stops us as soon as it has read the URL gets a clean exit,
        // not death by the default signal action.
        let stop = stop_signal()?;
        let running = emulator.start().await.map_err(|e| match e {
            StartError::Config(c) => CliError::Config(c.to_string()),
            other => CliError::Other(other.to_string()),
        })?;
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "awssts emulator listening on {}", running.url())
            .and_then(|()| stdout.flush())
            .map_err(|e| CliError::Other(format!("cannot write the URL line: {e}")))?;
        drop(stdout);
        stop.await;
        running.shutdown().await;
        Ok(())
    })
}

/// A future that completes on the first SIGINT or SIGTERM; the handlers
/// are installed before it returns.
#[cfg(unix)]
fn stop_signal() -> Result<impl Future<Output = ()>, CliError> {
    use tokio::signal::unix::{SignalKind, signal};
    let listen = |kind: SignalKind, name: &str| {
        signal(kind).map_err(|e| CliError::Other(format!("cannot listen for {name}: {e}")))
    };
    let mut term = listen(SignalKind::terminate(), "SIGTERM")?;
    let mut int = listen(SignalKind::interrupt(), "SIGINT")?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
}

#[cfg(not(unix))]
fn stop_signal() -> Result<impl Future<Output = ()>, CliError> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
