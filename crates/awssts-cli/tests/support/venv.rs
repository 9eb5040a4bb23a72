//! Where the test venv is: `$AWSSTS_VENV`, else `.venv` at the repository
//! root. Its own file so that unit tests under `src/` (which run the venv's
//! Python) share it with the integration tests.

use std::path::PathBuf;

pub fn venv() -> PathBuf {
    match std::env::var_os("AWSSTS_VENV") {
        Some(v) => PathBuf::from(v),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv"),
    }
}
