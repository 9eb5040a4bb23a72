//! The `awssts` command. Only `--version` and `--help` exist so far; every
//! other invocation says so and fails, rather than pretending to work.

use std::process::ExitCode;

const USAGE: &str = "\
awssts — AWS STS from the command line

The STS commands (assume-role, get-caller-identity, …), credential-process,
exec and the local emulator (serve) are not implemented yet.

Usage: awssts [--version | --help]
";

fn main() -> ExitCode {
    let arg = std::env::args().nth(1);
    match arg.as_deref() {
        Some("--version" | "-V") => {
            println!("awssts {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        None | Some("--help" | "-h" | "help") => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("awssts: '{other}' is not available yet: see `awssts --help`");
            // 252 is the AWS CLI's exit code for a usage error.
            ExitCode::from(252)
        }
    }
}
