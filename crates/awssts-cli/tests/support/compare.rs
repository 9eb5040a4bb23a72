//! Comparing our output with the AWS CLI's when the server makes up
//! values (keys, tokens, expiry times) per call.

/// JSON output with the values of `keys` (values the server makes up per
/// call) replaced by their key name, after checking their shape, so two
/// runs compare equal.
pub fn normalize_json(out: &str, keys: &[&str]) -> String {
    let mut lines = Vec::new();
    for line in out.lines() {
        let mut line = line.to_owned();
        for key in keys {
            let prefix = format!("\"{key}\": \"");
            if let Some(start) = line.find(&prefix) {
                let value_start = start + prefix.len();
                let rest = &line[value_start..];
                let end = rest.rfind('"').unwrap();
                let value = &rest[..end];
                check_shape(key, value);
                line = format!("{}<{key}>{}", &line[..value_start], &rest[end..]);
            }
        }
        lines.push(line);
    }
    lines.join("\n") + "\n"
}

fn check_shape(key: &str, value: &str) {
    match key {
        "Expiration" => assert!(is_iso_utc(value), "Expiration {value:?}"),
        "AccessKeyId" => assert!(
            value.starts_with("ASIA") || value.starts_with("AKIA"),
            "{value}"
        ),
        _ => assert!(!value.is_empty(), "{key} is empty"),
    }
}

/// `2026-11-22T12:00:00+00:00`, optionally with `.ffffff`.
pub fn is_iso_utc(v: &str) -> bool {
    let b = v.as_bytes();
    let base = b.len() >= 25
        && b[4] == b'-'
        && b[10] == b'T'
        && v.ends_with("+00:00")
        && v[..4].chars().all(|c| c.is_ascii_digit());
    base && (b.len() == 25 || (b.len() == 32 && b[19] == b'.'))
}

/// Text output with the made-up cells replaced.
pub fn normalize_text(out: &str) -> String {
    let mut lines = Vec::new();
    for line in out.lines() {
        let cells: Vec<String> = line
            .split('\t')
            .map(|c| {
                if is_iso_utc(c) {
                    "<time>".to_owned()
                } else if c.starts_with("ASIA") || c.starts_with("AROA") {
                    "<id>".to_owned()
                } else if c.len() >= 40 && !c.contains(' ') && !c.starts_with("arn:") {
                    "<secret>".to_owned()
                } else {
                    c.to_owned()
                }
            })
            .collect();
        lines.push(cells.join("\t"));
    }
    lines.join("\n") + "\n"
}
