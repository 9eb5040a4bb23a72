//! `awssts completions bash|zsh|fish`.

use clap::CommandFactory;

use crate::cli::{Cli, Shell};
use crate::error::CliError;

pub fn print(shell: Shell) -> Result<(), CliError> {
    let mut out = Vec::new();
    write(shell, &mut out);
    std::io::Write::write_all(&mut std::io::stdout().lock(), &out)
        .map_err(|e| CliError::Other(format!("cannot write the script: {e}")))
}

pub fn write(shell: Shell, out: &mut Vec<u8>) {
    let shell = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(shell, &mut Cli::command(), "awssts", out);
}
