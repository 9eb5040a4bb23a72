//! The async runtime every command runs on.

use crate::error::CliError;

/// A current-thread runtime: each command does a handful of requests (the
/// emulator of `serve` builds its own).
pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Other(format!("cannot start the async runtime: {e}")))
}
