//! `awssts serve`: the emulator (crate `awssts-emulator`) as a process, for
//! scripts, CI jobs and other languages' tests.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use awssts_emulator::{Emulator, StartError};

use crate::cmdline::{Check, Flag, Matches};
use crate::error::CliError;

/// The address `serve` listens on unless told otherwise. A fixed port (as
/// moto and LocalStack have one) lets an `endpoint_url` in `~/.aws/config`
/// keep working across restarts; tests and parallel CI jobs pass
/// `--addr 127.0.0.1:0` for a free port and read the URL line.
pub const DEFAULT_ADDR: &str = "127.0.0.1:4599";

/// Flags of `serve`.
#[derive(Debug)]
pub struct Serve {
    pub addr: SocketAddr,
    pub config: Option<PathBuf>,
    pub admin: bool,
}

pub static SERVE: &[Flag] = &[
    Flag::one(
        "addr",
        "Address to listen on; port 0 picks a free port (printed on stdout)",
    )
    .value("IP:PORT")
    .check(Check::SocketAddr)
    .default(DEFAULT_ADDR),
    Flag::one(
        "config",
        "TOML file declaring accounts, users, roles with trust rules, and faults (format: the \
         awssts-emulator README)",
    )
    .value("FILE"),
    Flag::switch(
        "admin",
        "Serve the admin endpoint (/_awssts/: faults, clock, tokens) even if the config file \
         does not turn it on",
    ),
];

pub const AFTER_HELP: &str = "\
With no --config there is one account, 123456789012, with the user \
arn:aws:iam::123456789012:user/emulator whose key is AWS's documented example \
key AKIAIOSFODNN7EXAMPLE (secret: the documented example secret), and any role \
may be assumed. The one line printed on stdout ends with the URL to pass as \
--endpoint-url. SIGINT or SIGTERM stop it (exit 0).";

impl Serve {
    pub fn from_matches(m: &mut Matches) -> Serve {
        Serve {
            // The parser checked the address (or filled in the default).
            addr: m
                .parsed("addr")
                .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 4599))),
            config: m.one("config").map(PathBuf::from),
            admin: m.given("admin"),
        }
    }
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
