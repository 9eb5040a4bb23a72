//! The AWS CLI's argument syntax: `file://` and `fileb://` values, shorthand
//! (`Key=k,Value=v`) and JSON for structures, and space- or comma-separated
//! lists. Each function takes the raw strings clap collected and the flag
//! they came from, so every error names the flag.

use std::path::PathBuf;

/// A value that cannot be used for its flag; always a usage error (252).
#[derive(Debug, thiserror::Error)]
#[error("Error parsing parameter '{flag}': {reason}")]
pub struct ArgError {
    flag: String,
    reason: String,
}

impl ArgError {
    pub fn new(flag: &str, reason: impl Into<String>) -> Self {
        ArgError {
            flag: flag.to_owned(),
            reason: reason.into(),
        }
    }
}

/// The value itself, or the contents of the file a `file://` or `fileb://`
/// prefix names (`~` is the home directory, as in the AWS CLI). STS takes
/// no binary members, so a `fileb://` file must hold UTF-8 text too.
pub fn load(flag: &str, raw: &str, home: Option<&str>) -> Result<String, ArgError> {
    let (path, binary) = if let Some(p) = raw.strip_prefix("file://") {
        (p, false)
    } else if let Some(p) = raw.strip_prefix("fileb://") {
        (p, true)
    } else {
        return Ok(raw.to_owned());
    };
    let path = expand_home(path, home);
    let bytes = std::fs::read(&path).map_err(|e| {
        ArgError::new(
            flag,
            format!("cannot read the file {}: {e}", path.display()),
        )
    })?;
    String::from_utf8(bytes).map_err(|_| {
        let scheme = if binary { "fileb" } else { "file" };
        ArgError::new(
            flag,
            format!(
                "{scheme}://{} is not UTF-8 text, and this parameter takes text",
                path.display()
            ),
        )
    })
}

fn expand_home(path: &str, home: Option<&str>) -> PathBuf {
    match (path.strip_prefix('~'), home) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            PathBuf::from(format!("{home}{rest}"))
        }
        _ => PathBuf::from(path),
    }
}

/// An optional string (after `file://` loading).
pub fn string(
    flag: &str,
    raw: Option<&str>,
    home: Option<&str>,
) -> Result<Option<String>, ArgError> {
    raw.map(|r| load(flag, r, home)).transpose()
}

/// An optional integer (after `file://` loading; surrounding blanks, as a
/// file's trailing newline, are ignored).
pub fn integer(flag: &str, raw: Option<&str>, home: Option<&str>) -> Result<Option<i32>, ArgError> {
    let Some(raw) = raw else { return Ok(None) };
    let text = load(flag, raw, home)?;
    text.trim().parse::<i32>().map(Some).map_err(|_| {
        ArgError::new(
            flag,
            format!("invalid literal for integer: {:?}", text.trim()),
        )
    })
}

/// A list of strings: `a b c`, `a,b,c`, or one JSON array `["a","b"]`.
pub fn string_list(
    flag: &str,
    raw: &[String],
    home: Option<&str>,
) -> Result<Vec<String>, ArgError> {
    let mut out = Vec::new();
    for item in raw {
        let text = load(flag, item, home)?;
        let trimmed = text.trim_start();
        if trimmed.starts_with('[') {
            let value: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| ArgError::new(flag, format!("invalid JSON: {e}")))?;
            let serde_json::Value::Array(items) = value else {
                return Err(ArgError::new(flag, "expected a JSON array of strings"));
            };
            for v in items {
                match v {
                    serde_json::Value::String(s) => out.push(s),
                    other => {
                        return Err(ArgError::new(
                            flag,
                            format!("expected a string in the JSON array, got {other}"),
                        ));
                    }
                }
            }
        } else {
            for part in split_unquoted(&text, ',').map_err(|r| ArgError::new(flag, r))? {
                out.push(part);
            }
        }
    }
    Ok(out)
}

/// One structure's members, by model name, in the order given.
pub type Members = Vec<(String, String)>;

/// A list of structures: one shorthand (`Key=k,Value=v`) or JSON object per
/// token, or a single JSON array of objects. `members` lists the structure's
/// member names (case-sensitive, as in the AWS CLI).
pub fn structure_list(
    flag: &str,
    raw: &[String],
    members: &[&str],
    home: Option<&str>,
) -> Result<Vec<Members>, ArgError> {
    let mut out = Vec::new();
    for item in raw {
        let text = load(flag, item, home)?;
        let trimmed = text.trim_start();
        if trimmed.starts_with('[') {
            let value: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| ArgError::new(flag, format!("invalid JSON: {e}")))?;
            let serde_json::Value::Array(items) = value else {
                return Err(ArgError::new(flag, "expected a JSON array of objects"));
            };
            for v in items {
                out.push(json_structure(flag, v, members)?);
            }
        } else {
            out.push(parse_structure(flag, &text, members)?);
        }
    }
    Ok(out)
}

/// One structure: shorthand or a JSON object.
pub fn structure(
    flag: &str,
    raw: Option<&str>,
    members: &[&str],
    home: Option<&str>,
) -> Result<Option<Members>, ArgError> {
    let Some(raw) = raw else { return Ok(None) };
    let text = load(flag, raw, home)?;
    parse_structure(flag, &text, members).map(Some)
}

fn parse_structure(flag: &str, text: &str, members: &[&str]) -> Result<Members, ArgError> {
    if text.trim_start().starts_with('{') {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| ArgError::new(flag, format!("invalid JSON: {e}")))?;
        json_structure(flag, value, members)
    } else {
        shorthand(flag, text, members)
    }
}

fn json_structure(
    flag: &str,
    value: serde_json::Value,
    members: &[&str],
) -> Result<Members, ArgError> {
    let serde_json::Value::Object(map) = value else {
        return Err(ArgError::new(
            flag,
            format!(
                "expected a JSON object with the keys {}",
                members.join(", ")
            ),
        ));
    };
    let mut out = Vec::with_capacity(map.len());
    for (key, v) in map {
        check_member(flag, &key, members)?;
        match v {
            serde_json::Value::String(s) => out.push((key, s)),
            other => {
                return Err(ArgError::new(
                    flag,
                    format!("{key} must be a string, got {}", json_kind(&other)),
                ));
            }
        }
    }
    Ok(out)
}

/// `Key=k,Value=v`: comma-separated `name=value` pairs; a value may be
/// quoted with `"` or `'` to hold commas or blanks.
fn shorthand(flag: &str, text: &str, members: &[&str]) -> Result<Members, ArgError> {
    let mut out = Vec::new();
    // Values are never echoed in errors: some (ContextAssertion) are secret.
    let pairs = split_unquoted(text, ',').map_err(|r| ArgError::new(flag, r))?;
    for (n, pair) in pairs.iter().enumerate() {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(ArgError::new(
                flag,
                format!(
                    "expected name=value pairs separated by commas (e.g. {}=…); item {} has no `=`",
                    members.first().copied().unwrap_or("Name"),
                    n + 1
                ),
            ));
        };
        let key = key.trim();
        check_member(flag, key, members)?;
        out.push((key.to_owned(), value.to_owned()));
    }
    Ok(out)
}

/// The JSON type of a value, for errors that must not echo it.
fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

fn check_member(flag: &str, key: &str, members: &[&str]) -> Result<(), ArgError> {
    if members.contains(&key) {
        Ok(())
    } else {
        Err(ArgError::new(
            flag,
            format!(
                "unknown key {key:?}, valid keys are: {}",
                members.join(", ")
            ),
        ))
    }
}

/// Splits on `sep` outside quotes, removing the quotes (and the backslash of
/// `\"`, `\'`, `\\` inside them). Blank parts are dropped.
fn split_unquoted(text: &str, sep: char) -> Result<Vec<String>, String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) if c == '\\' => match chars.next() {
                Some(n) => current.push(n),
                None => current.push('\\'),
            },
            Some(_) => current.push(c),
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == sep => parts.push(std::mem::take(&mut current)),
            None => current.push(c),
        }
    }
    if let Some(q) = quote {
        return Err(format!("unterminated {q} quote"));
    }
    parts.push(current);
    Ok(parts.into_iter().filter(|p| !p.trim().is_empty()).collect())
}

/// The value of `name` among a structure's members.
pub fn member(members: &Members, name: &str) -> Option<String> {
    members
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn shorthand_and_json_structures() {
        let got = structure_list(
            "--tags",
            &strings(&["Key=k,Value=v", "Key=k2,Value='a, b'"]),
            &["Key", "Value"],
            None,
        )
        .unwrap();
        assert_eq!(
            got,
            vec![
                vec![("Key".into(), "k".into()), ("Value".into(), "v".into())],
                vec![("Key".into(), "k2".into()), ("Value".into(), "a, b".into())],
            ]
        );
        let json = structure_list(
            "--tags",
            &strings(&[r#"[{"Key":"k","Value":"v"},{"Key":"x","Value":""}]"#]),
            &["Key", "Value"],
            None,
        )
        .unwrap();
        assert_eq!(json.len(), 2);
        assert_eq!(member(&json[1], "Key").as_deref(), Some("x"));
        assert_eq!(member(&json[1], "Value").as_deref(), Some(""));
        let one = structure(
            "--task-policy-arn",
            Some("arn=arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"),
            &["arn"],
            None,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            member(&one, "arn").as_deref(),
            Some("arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"),
            "only the first = separates name from value"
        );
        let obj = structure(
            "--task-policy-arn",
            Some(r#"{"arn":"arn:x"}"#),
            &["arn"],
            None,
        )
        .unwrap()
        .unwrap();
        assert_eq!(member(&obj, "arn").as_deref(), Some("arn:x"));
    }

    #[test]
    fn bad_structures_name_the_flag_and_the_problem() {
        let err = structure_list(
            "--tags",
            &strings(&["Key=k,Colour=red"]),
            &["Key", "Value"],
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("Error parsing parameter '--tags':"),
            "{err}"
        );
        assert!(
            err.contains("\"Colour\"") && err.contains("Key, Value"),
            "{err}"
        );
        let err = structure_list("--tags", &strings(&["justtext"]), &["Key", "Value"], None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("name=value"), "{err}");
        let err = structure_list(
            "--tags",
            &strings(&["[{\"Key\": 1}]"]),
            &["Key", "Value"],
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("Key must be a string"), "{err}");
        let err = structure_list(
            "--tags",
            &strings(&["[{\"Key\": "]),
            &["Key", "Value"],
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("invalid JSON"), "{err}");
        let err = structure_list("--tags", &strings(&["Key='open"]), &["Key", "Value"], None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("unterminated"), "{err}");
        // Values are not echoed: a ContextAssertion is a secret.
        let err = structure_list(
            "--provided-contexts",
            &strings(&["ProviderArn=arn:aws:iam::aws:contextProvider/x,SECRET-ASSERTION"]),
            &["ProviderArn", "ContextAssertion"],
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("item 2 has no `=`"), "{err}");
        assert!(!err.contains("SECRET"), "{err}");
        let err = structure_list(
            "--provided-contexts",
            &strings(&["ContextAssertion='SECRET"]),
            &["ProviderArn", "ContextAssertion"],
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(!err.contains("SECRET"), "{err}");
    }

    #[test]
    fn string_lists_space_comma_and_json() {
        assert_eq!(
            string_list("--transitive-tag-keys", &strings(&["a", "b,c"]), None).unwrap(),
            strings(&["a", "b", "c"])
        );
        assert_eq!(
            string_list("--audience", &strings(&[r#"["x","y"]"#]), None).unwrap(),
            strings(&["x", "y"])
        );
        assert!(string_list("--audience", &strings(&["[1]"]), None).is_err());
    }

    #[test]
    fn files_are_read_for_file_and_fileb_prefixes() {
        let dir = tempfile::tempdir().unwrap();
        let policy = dir.path().join("policy.json");
        std::fs::write(&policy, "{\"Version\":\"2012-10-17\"}").unwrap();
        let raw = format!("file://{}", policy.display());
        assert_eq!(
            load("--policy", &raw, None).unwrap(),
            "{\"Version\":\"2012-10-17\"}"
        );
        let raw = format!("fileb://{}", policy.display());
        assert!(load("--policy", &raw, None).unwrap().contains("2012-10-17"));

        std::fs::write(dir.path().join("tags.json"), r#"[{"Key":"a","Value":"b"}]"#).unwrap();
        let home = dir.path().to_str().unwrap();
        let tags = structure_list(
            "--tags",
            &strings(&["file://~/tags.json"]),
            &["Key", "Value"],
            Some(home),
        )
        .unwrap();
        assert_eq!(
            member(&tags[0], "Value").as_deref(),
            Some("b"),
            "~ is the home directory"
        );

        std::fs::write(dir.path().join("n"), "3600\n").unwrap();
        assert_eq!(
            integer("--duration-seconds", Some("file://~/n"), Some(home)).unwrap(),
            Some(3600)
        );

        std::fs::write(dir.path().join("bin"), [0xff, 0xfe]).unwrap();
        let err = load("--saml-assertion", "fileb://~/bin", Some(home))
            .unwrap_err()
            .to_string();
        assert!(err.contains("not UTF-8"), "{err}");

        let err = load("--policy", "file:///no/such/file", None)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "Error parsing parameter '--policy': cannot read the file /no/such/file"
            ),
            "{err}"
        );
    }

    #[test]
    fn integers() {
        assert_eq!(
            integer("--duration-seconds", Some("900"), None).unwrap(),
            Some(900)
        );
        assert_eq!(integer("--duration-seconds", None, None).unwrap(), None);
        let err = integer("--duration-seconds", Some("1h"), None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("'--duration-seconds'") && err.contains("\"1h\""),
            "{err}"
        );
    }
}
