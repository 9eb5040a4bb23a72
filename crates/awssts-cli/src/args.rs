//! The AWS CLI's argument syntax: `file://` and `fileb://` values, shorthand
//! (`Key=k,Value=v`) and JSON for structures, and space- or comma-separated
//! lists. Each function takes the raw strings the command line gave and the flag
//! they came from, so every error names the flag.

use crate::paramfile::{self, Loaded, Vars};

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

/// The text a value stands for: itself, or the text of the file a
/// `file://` prefix names (see [`paramfile`]). `fileb://` gives bytes,
/// which the AWS CLI refuses for text parameters (every STS parameter but
/// the integers).
pub fn load(flag: &str, raw: &str, vars: Vars<'_>) -> Result<String, ArgError> {
    match paramfile::load(raw, vars).map_err(|r| ArgError::new(flag, r))? {
        Loaded::Plain => Ok(raw.to_owned()),
        Loaded::Text(text) => Ok(text),
        Loaded::Bytes(_) => Err(ArgError::new(
            flag,
            "fileb:// gives the file's bytes and this parameter takes text: use file://",
        )),
    }
}

/// The values of a list parameter: as the AWS CLI, a `file://` value is
/// loaded only when it is the list's only value; among several it is a
/// value like any other.
fn load_list(flag: &str, raw: &[String], vars: Vars<'_>) -> Result<Vec<String>, ArgError> {
    match raw {
        [one] => Ok(vec![load(flag, one, vars)?]),
        many => Ok(many.to_vec()),
    }
}

/// An optional string (after `file://` loading).
pub fn string(flag: &str, raw: Option<&str>, vars: Vars<'_>) -> Result<Option<String>, ArgError> {
    raw.map(|r| load(flag, r, vars)).transpose()
}

/// An optional integer (after `file://` or `fileb://` loading: Python's
/// `int()` takes bytes too, and ignores surrounding blanks such as a
/// file's trailing newline).
pub fn integer(flag: &str, raw: Option<&str>, vars: Vars<'_>) -> Result<Option<i32>, ArgError> {
    let Some(raw) = raw else { return Ok(None) };
    let loaded = paramfile::load(raw, vars).map_err(|r| ArgError::new(flag, r))?;
    let text = match &loaded {
        Loaded::Plain => raw.to_owned(),
        Loaded::Text(text) => text.clone(),
        Loaded::Bytes(bytes) => String::from_utf8_lossy(bytes).into_owned(),
    };
    text.trim().parse::<i32>().map(Some).map_err(|_| {
        // A file's contents are never echoed: a mistyped flag can point
        // this at a credentials file. A value typed inline is the user's own.
        let reason = match loaded {
            Loaded::Plain => format!("invalid literal for integer: {:?}", text.trim()),
            Loaded::Text(_) | Loaded::Bytes(_) => {
                format!("the contents of {raw} are not an integer")
            }
        };
        ArgError::new(flag, reason)
    })
}

/// A list of strings: `a b c`, `a,b,c`, or one JSON array `["a","b"]`.
pub fn string_list(flag: &str, raw: &[String], vars: Vars<'_>) -> Result<Vec<String>, ArgError> {
    let mut out = Vec::new();
    for text in load_list(flag, raw, vars)? {
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
                            format!(
                                "expected a string in the JSON array, got {}",
                                json_kind(&other)
                            ),
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
    vars: Vars<'_>,
) -> Result<Vec<Members>, ArgError> {
    let mut out = Vec::new();
    for text in load_list(flag, raw, vars)? {
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
    vars: Vars<'_>,
) -> Result<Option<Members>, ArgError> {
    let Some(raw) = raw else { return Ok(None) };
    let text = load(flag, raw, vars)?;
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

    const NO_VARS: Vars<'static> = &|_| None;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn shorthand_and_json_structures() {
        let got = structure_list(
            "--tags",
            &strings(&["Key=k,Value=v", "Key=k2,Value='a, b'"]),
            &["Key", "Value"],
            NO_VARS,
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
            NO_VARS,
        )
        .unwrap();
        assert_eq!(json.len(), 2);
        assert_eq!(member(&json[1], "Key").as_deref(), Some("x"));
        assert_eq!(member(&json[1], "Value").as_deref(), Some(""));
        let one = structure(
            "--task-policy-arn",
            Some("arn=arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"),
            &["arn"],
            NO_VARS,
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
            NO_VARS,
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
            NO_VARS,
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
        let err = structure_list(
            "--tags",
            &strings(&["justtext"]),
            &["Key", "Value"],
            NO_VARS,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("name=value"), "{err}");
        let err = structure_list(
            "--tags",
            &strings(&["[{\"Key\": 1}]"]),
            &["Key", "Value"],
            NO_VARS,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("Key must be a string"), "{err}");
        let err = structure_list(
            "--tags",
            &strings(&["[{\"Key\": "]),
            &["Key", "Value"],
            NO_VARS,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("invalid JSON"), "{err}");
        let err = structure_list(
            "--tags",
            &strings(&["Key='open"]),
            &["Key", "Value"],
            NO_VARS,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("unterminated"), "{err}");
        // Values are not echoed: a ContextAssertion is a secret.
        let err = structure_list(
            "--provided-contexts",
            &strings(&["ProviderArn=arn:aws:iam::aws:contextProvider/x,SECRET-ASSERTION"]),
            &["ProviderArn", "ContextAssertion"],
            NO_VARS,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("item 2 has no `=`"), "{err}");
        assert!(!err.contains("SECRET"), "{err}");
        let err = structure_list(
            "--provided-contexts",
            &strings(&["ContextAssertion='SECRET"]),
            &["ProviderArn", "ContextAssertion"],
            NO_VARS,
        )
        .unwrap_err()
        .to_string();
        assert!(!err.contains("SECRET"), "{err}");
    }

    #[test]
    fn string_lists_space_comma_and_json() {
        assert_eq!(
            string_list("--transitive-tag-keys", &strings(&["a", "b,c"]), NO_VARS).unwrap(),
            strings(&["a", "b", "c"])
        );
        assert_eq!(
            string_list("--audience", &strings(&[r#"["x","y"]"#]), NO_VARS).unwrap(),
            strings(&["x", "y"])
        );
        assert!(string_list("--audience", &strings(&["[1]"]), NO_VARS).is_err());
    }

    /// A temporary directory and variables naming it as `HOME`.
    fn temp_home() -> (tempfile::TempDir, impl Fn(&str) -> Option<String>) {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().to_str().unwrap().to_owned();
        (dir, move |name: &str| {
            (name == "HOME").then(|| home.clone())
        })
    }

    #[test]
    fn file_contents_are_not_echoed_in_errors() {
        let (dir, vars) = temp_home();
        std::fs::write(
            dir.path().join("credentials"),
            "[default]\naws_secret_access_key = CANARY-SECRET\n",
        )
        .unwrap();
        for raw in ["file://~/credentials", "fileb://~/credentials"] {
            let err = integer("--duration-seconds", Some(raw), &vars)
                .unwrap_err()
                .to_string();
            assert!(!err.contains("CANARY"), "{err}");
            assert!(
                err.contains("'--duration-seconds'")
                    && err.contains(&format!("the contents of {raw} are not an integer")),
                "{err}"
            );
        }
        std::fs::write(dir.path().join("list.json"), r#"["a", 42424242]"#).unwrap();
        let err = string_list("--audience", &strings(&["file://~/list.json"]), &vars)
            .unwrap_err()
            .to_string();
        assert!(!err.contains("42424242"), "{err}");
        assert!(
            err.contains("expected a string in the JSON array, got a number"),
            "{err}"
        );
    }

    #[test]
    fn files_are_read_as_the_aws_cli_reads_them() {
        let (dir, vars) = temp_home();
        std::fs::write(
            dir.path().join("policy.json"),
            "{\"Version\":\"2012-10-17\"}\n",
        )
        .unwrap();
        assert_eq!(
            load("--policy", "file://~/policy.json", &vars).unwrap(),
            "{\"Version\":\"2012-10-17\"}\n",
            "the trailing newline is part of the value"
        );
        std::fs::write(dir.path().join("token"), "eyJ.x.y\r\n").unwrap();
        assert_eq!(
            string("--web-identity-token", Some("file://~/token"), &vars).unwrap(),
            Some("eyJ.x.y\n".to_owned()),
            "text mode reads CRLF as LF, and strips nothing"
        );
        let err = load("--policy", "fileb://~/policy.json", &vars)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("Error parsing parameter '--policy': fileb:// gives"),
            "{err}"
        );

        std::fs::write(dir.path().join("tags.json"), r#"[{"Key":"a","Value":"b"}]"#).unwrap();
        let tags = structure_list(
            "--tags",
            &strings(&["file://~/tags.json"]),
            &["Key", "Value"],
            &vars,
        )
        .unwrap();
        assert_eq!(member(&tags[0], "Value").as_deref(), Some("b"));
        let err = structure_list(
            "--tags",
            &strings(&["Key=k,Value=v", "file://~/tags.json"]),
            &["Key", "Value"],
            &vars,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("has no `=`"),
            "among several values file:// is not loaded: {err}"
        );
        std::fs::write(dir.path().join("keys"), "a,b").unwrap();
        assert_eq!(
            string_list("--transitive-tag-keys", &strings(&["file://~/keys"]), &vars).unwrap(),
            strings(&["a", "b"])
        );
        assert_eq!(
            string_list(
                "--transitive-tag-keys",
                &strings(&["file://~/keys", "c"]),
                &vars
            )
            .unwrap(),
            strings(&["file://~/keys", "c"])
        );

        std::fs::write(dir.path().join("n"), "3600\n").unwrap();
        assert_eq!(
            integer("--duration-seconds", Some("file://~/n"), &vars).unwrap(),
            Some(3600)
        );
        assert_eq!(
            integer("--duration-seconds", Some("fileb://~/n"), &vars).unwrap(),
            Some(3600),
            "Python's int() takes bytes"
        );

        let err = load("--policy", "file:///no/such/file", NO_VARS)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "Error parsing parameter '--policy': Unable to load paramfile file:///no/such/file: \
             [Errno 2] No such file or directory: '/no/such/file'"
        );
    }

    #[test]
    fn integers() {
        assert_eq!(
            integer("--duration-seconds", Some("900"), NO_VARS).unwrap(),
            Some(900)
        );
        assert_eq!(integer("--duration-seconds", None, NO_VARS).unwrap(), None);
        let err = integer("--duration-seconds", Some("1h"), NO_VARS)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("'--duration-seconds'") && err.contains("\"1h\""),
            "{err}"
        );
    }
}
