//! Code generation for awssts.
//!
//! The STS model, endpoint rules and partitions live in `../shared/reference`
//! and are never copied into the project; this crate reads them and writes
//! Rust source that is checked in. `cargo run -p awssts-codegen` rewrites the
//! generated files; `cargo test -p awssts-codegen` fails when a checked-in file
//! differs from what the generator produces now.

use std::path::{Path, PathBuf};

pub mod endpoint;
pub mod model;

/// One generated file: its path relative to the workspace root and its text.
#[derive(Debug)]
pub struct Generated {
    /// Path relative to the workspace root, e.g. `crates/awssts/src/model/mod.rs`.
    pub path: PathBuf,
    /// The complete file contents.
    pub text: String,
}

/// The reference directory: `AWSSTS_REFERENCE_DIR`, else `../shared/reference`
/// beside the workspace root.
pub fn reference_dir(workspace_root: &Path) -> PathBuf {
    match std::env::var_os("AWSSTS_REFERENCE_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => workspace_root.join("../shared/reference"),
    }
}

/// The workspace root, found from this crate's manifest directory.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Everything the generator writes, in a stable order.
pub fn generate_all(reference: &Path) -> Result<Vec<Generated>, String> {
    let mut out = model::generate(reference)?;
    out.extend(endpoint::generate(reference)?);
    Ok(out)
}
