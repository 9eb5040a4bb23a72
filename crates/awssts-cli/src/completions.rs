//! `awssts completions bash|zsh|fish`.

use crate::cli::{APP, Shell};
use crate::cmdline::complete;
use crate::error::CliError;

pub fn print(shell: Shell) -> Result<(), CliError> {
    let script = match shell {
        Shell::Bash => complete::bash(&APP),
        Shell::Zsh => complete::zsh(&APP),
        Shell::Fish => complete::fish(&APP),
    };
    std::io::Write::write_all(&mut std::io::stdout().lock(), script.as_bytes())
        .map_err(|e| CliError::Other(format!("cannot write the script: {e}")))
}
