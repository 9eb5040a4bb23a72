//! `partitions.json` → a static per partition, the explicitly listed
//! regions as one `match`, and each `regionRegex` as a compiled matcher.

use std::collections::BTreeSet;
use std::fmt::Write;

use serde_json::{Map, Value};

use super::{regex, rust_str, snake_case};

/// The output fields `aws.partition` returns, in `Partition`'s order:
/// (JSON key, Rust field, is boolean).
const OUTPUTS: [(&str, &str, bool); 6] = [
    ("name", "name", false),
    ("dnsSuffix", "dns_suffix", false),
    ("dualStackDnsSuffix", "dual_stack_dns_suffix", false),
    ("supportsFIPS", "supports_fips", true),
    ("supportsDualStack", "supports_dual_stack", true),
    ("implicitGlobalRegion", "implicit_global_region", false),
];

/// The partition every unmatched region falls back to.
const DEFAULT_PARTITION: &str = "aws";

struct Partition<'a> {
    id: &'a str,
    static_name: String,
    regex: &'a str,
    /// Listed regions: (name, static holding its outputs).
    regions: Vec<(&'a str, String)>,
}

pub(super) fn generate(doc: &Value) -> Result<String, String> {
    let list = doc
        .get("partitions")
        .and_then(Value::as_array)
        .ok_or("no `partitions` array")?;
    let mut statics = String::new();
    let mut partitions = Vec::new();
    let mut listed = BTreeSet::new();
    for p in list {
        let id = p
            .get("id")
            .and_then(Value::as_str)
            .ok_or("a partition without an `id`")?;
        let outputs = p
            .get("outputs")
            .and_then(Value::as_object)
            .ok_or_else(|| format!("partition {id}: no `outputs` object"))?;
        let regex = p
            .get("regionRegex")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("partition {id}: no `regionRegex`"))?;
        for key in p.as_object().into_iter().flat_map(Map::keys) {
            if !matches!(key.as_str(), "id" | "outputs" | "regionRegex" | "regions") {
                return Err(format!("partition {id}: unknown key `{key}`"));
            }
        }
        let static_name = snake_case(id).to_ascii_uppercase();
        statics.push_str(&partition_static(&static_name, id, outputs, &Map::new())?);
        let mut regions = Vec::new();
        let entries = p
            .get("regions")
            .and_then(Value::as_object)
            .ok_or_else(|| format!("partition {id}: no `regions` object"))?;
        for (region, entry) in entries {
            let entry = entry
                .as_object()
                .ok_or_else(|| format!("partition {id}: region {region} is not an object"))?;
            // A region may override its partition's outputs.
            let overrides: Map<String, Value> = entry
                .iter()
                .filter(|(k, _)| k.as_str() != "description")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let holder = if overrides.is_empty() {
                static_name.clone()
            } else {
                let name = format!("{static_name}_{}", snake_case(region).to_ascii_uppercase());
                statics.push_str(&partition_static(&name, id, outputs, &overrides)?);
                name
            };
            // The first partition to list a region owns it.
            if listed.insert(region.as_str()) {
                regions.push((region.as_str(), holder));
            }
        }
        partitions.push(Partition {
            id,
            static_name,
            regex,
            regions,
        });
    }
    let fallback = partitions
        .iter()
        .find(|p| p.id == DEFAULT_PARTITION)
        .ok_or_else(|| format!("no `{DEFAULT_PARTITION}` partition to fall back to"))?;

    let mut out = String::new();
    out.push_str(
        "//! The partition table and `aws.partition`.\n\n\
         use super::functions::Partition;\nuse super::pattern;\n\n",
    );
    out.push_str(&statics);
    writeln!(
        out,
        "/// `aws.partition`: the partition that lists `region` by name, else the\n\
         /// first whose region pattern matches it, else `{DEFAULT_PARTITION}`.\n\
         pub(crate) fn partition(region: &str) -> Option<&'static Partition> {{\n\
         if let Some(listed) = listed(region) {{ return Some(listed); }}"
    )
    .map_err(|e| e.to_string())?;
    for p in &partitions {
        writeln!(
            out,
            "if {}(region).is_some() {{ return Some(&{}); }}",
            matcher_name(p.id),
            p.static_name
        )
        .map_err(|e| e.to_string())?;
    }
    writeln!(out, "Some(&{})\n}}\n", fallback.static_name).map_err(|e| e.to_string())?;

    out.push_str(
        "/// The partition that lists `region` by name, with the region's own\n\
         /// outputs where it overrides them.\n\
         fn listed(region: &str) -> Option<&'static Partition> {\nmatch region {\n",
    );
    for p in &partitions {
        let mut seen = BTreeSet::new();
        for holder in p.regions.iter().map(|(_, h)| h) {
            if !seen.insert(holder) {
                continue;
            }
            let names: Vec<String> = p
                .regions
                .iter()
                .filter(|(_, h)| h == holder)
                .map(|(r, _)| rust_str(r))
                .collect();
            writeln!(out, "{} => Some(&{holder}),", names.join(" | "))
                .map_err(|e| e.to_string())?;
        }
    }
    out.push_str("_ => None,\n}\n}\n\n");

    for p in &partitions {
        let body = regex::compile(p.regex).map_err(|e| format!("partition {}: {e}", p.id))?;
        writeln!(
            out,
            "/// `{}`\nfn {}(rest: &str) -> Option<()> {{\n{body}}}\n",
            p.regex.replace('`', "\\`"),
            matcher_name(p.id)
        )
        .map_err(|e| e.to_string())?;
    }
    Ok(out)
}

fn matcher_name(id: &str) -> String {
    format!("{}_region", snake_case(id))
}

fn partition_static(
    name: &str,
    id: &str,
    outputs: &Map<String, Value>,
    overrides: &Map<String, Value>,
) -> Result<String, String> {
    for key in outputs.keys().chain(overrides.keys()) {
        if !OUTPUTS.iter().any(|(k, _, _)| k == key) {
            return Err(format!(
                "partition {id}: unknown output `{key}` (add it to `Partition` and the generator)"
            ));
        }
    }
    let mut fields = String::new();
    for (key, field, boolean) in OUTPUTS {
        let value = overrides
            .get(key)
            .or_else(|| outputs.get(key))
            .ok_or_else(|| format!("partition {id}: no `{key}` output"))?;
        let code = match (boolean, value) {
            (true, Value::Bool(b)) => b.to_string(),
            (false, Value::String(s)) => rust_str(s),
            _ => return Err(format!("partition {id}: output `{key}` has the wrong type")),
        };
        writeln!(fields, "{field}: {code},").map_err(|e| e.to_string())?;
    }
    Ok(format!(
        "static {name}: Partition = Partition {{\n{fields}}};\n\n"
    ))
}
