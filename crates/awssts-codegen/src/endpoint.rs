//! Generates the endpoint rules and partition table from
//! `sts-model/endpoint-rule-set-1.json` and `sts-model/partitions.json`.

use std::path::Path;

use crate::Generated;

/// The generated endpoint files.
pub fn generate(_reference: &Path) -> Result<Vec<Generated>, String> {
    Ok(Vec::new())
}
