//! The output formats of `aws configure export-credentials`, character for
//! character, so scripts written for it work with awssts; and the one list
//! of credential variables that `exec` sets and `--output env` prints.
//!
//! POSIX shell lines (`env`, `env-no-export`, `--output env`) write each
//! value bare, as the AWS CLI does, when a shell reads it back unchanged:
//! key ids, base64 secrets and tokens and ISO 8601 times always are, so for
//! real credentials the lines are the AWS CLI's byte for byte. Any other
//! value (the AWS CLI would print it bare and break the line, or run part
//! of it) is single-quoted, the one quoting POSIX shells do not expand.

use awssts::credentials::Credentials;

use crate::cmdline::Choice;
use crate::output::doc::timestamp;

/// `--format` of `export-credentials`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Process,
    Env,
    EnvNoExport,
    Powershell,
    WindowsCmd,
    Fish,
}

/// The `--format` values, for the command-line tables.
pub static EXPORT_FORMATS: &[Choice] = &[
    Choice {
        name: "process",
        help: "The JSON a `credential_process` setting reads (Version 1)",
    },
    Choice {
        name: "env",
        help: "`export AWS_ACCESS_KEY_ID=…` lines for POSIX shells",
    },
    Choice {
        name: "env-no-export",
        help: "`AWS_ACCESS_KEY_ID=…` lines, not exported",
    },
    Choice {
        name: "powershell",
        help: "`$Env:AWS_ACCESS_KEY_ID=\"…\"` lines for PowerShell",
    },
    Choice {
        name: "windows-cmd",
        help: "`set AWS_ACCESS_KEY_ID=…` lines for cmd.exe",
    },
    Choice {
        name: "fish",
        help: "`set -gx AWS_ACCESS_KEY_ID \"…\"` lines for fish",
    },
];

impl ExportFormat {
    /// The format a `--format` value names.
    pub fn from_name(name: &str) -> Option<ExportFormat> {
        Some(match name {
            "process" => ExportFormat::Process,
            "env" => ExportFormat::Env,
            "env-no-export" => ExportFormat::EnvNoExport,
            "powershell" => ExportFormat::Powershell,
            "windows-cmd" => ExportFormat::WindowsCmd,
            "fish" => ExportFormat::Fish,
            _ => return None,
        })
    }
}

/// The expiry as botocore's `isoformat()` of a UTC time.
fn expiration(c: &Credentials) -> Option<String> {
    c.expiration()
        .map(|t| timestamp(awssts::DateTime::from_system_time(t)))
}

/// The variables, in the AWS CLI's order; the token and the expiry only
/// when the credentials have them.
pub fn variables(c: &Credentials) -> Vec<(&'static str, String)> {
    let mut vars = vec![
        ("AWS_ACCESS_KEY_ID", c.access_key_id().to_owned()),
        ("AWS_SECRET_ACCESS_KEY", c.secret_access_key().to_owned()),
    ];
    if let Some(t) = c.session_token() {
        vars.push(("AWS_SESSION_TOKEN", t.to_owned()));
    }
    if let Some(e) = expiration(c) {
        vars.push(("AWS_CREDENTIAL_EXPIRATION", e));
    }
    vars
}

fn json_string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// The credentials in `format`, newline-terminated.
pub fn render(c: &Credentials, format: ExportFormat) -> String {
    let line: fn(&str, &str) -> String = match format {
        ExportFormat::Process => return process_json(c),
        ExportFormat::Env => |k, v| format!("export {k}={}\n", shell_word(v)),
        ExportFormat::EnvNoExport => |k, v| format!("{k}={}\n", shell_word(v)),
        ExportFormat::Powershell => |k, v| format!("$Env:{k}=\"{v}\"\n"),
        ExportFormat::WindowsCmd => |k, v| format!("set {k}={v}\n"),
        ExportFormat::Fish => |k, v| format!("set -gx {k} \"{v}\"\n"),
    };
    variables(c).iter().map(|(k, v)| line(k, v)).collect()
}

/// The value as it is when a POSIX shell reads it back unchanged after
/// `NAME=` (letters, digits and `+/=_-.:,@%`, or nothing), else in single
/// quotes, with each `'` written as `'\''`.
fn shell_word(v: &str) -> std::borrow::Cow<'_, str> {
    let bare = v
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"+/=_-.:,@%".contains(&b));
    if bare {
        v.into()
    } else {
        format!("'{}'", v.replace('\'', "'\\''")).into()
    }
}

/// `json.dumps(…, indent=2)` of the credential_process document.
fn process_json(c: &Credentials) -> String {
    let mut members = vec![
        ("Version", "1".to_owned()),
        ("AccessKeyId", json_string(c.access_key_id())),
        ("SecretAccessKey", json_string(c.secret_access_key())),
    ];
    if let Some(t) = c.session_token() {
        members.push(("SessionToken", json_string(t)));
    }
    if let Some(e) = expiration(c) {
        members.push(("Expiration", json_string(&e)));
    }
    let body: Vec<String> = members
        .iter()
        .map(|(k, v)| format!("  \"{k}\": {v}"))
        .collect();
    format!("{{\n{}\n}}\n", body.join(",\n"))
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    fn temporary() -> Credentials {
        Credentials::new(
            "ASIAEXAMPLE",
            "se/cr+et",
            Some("to+ken/=".to_owned()),
            Some(UNIX_EPOCH + Duration::from_secs(1_795_348_800)),
            "test",
        )
    }

    #[test]
    fn every_format_of_temporary_credentials() {
        let c = temporary();
        assert_eq!(
            render(&c, ExportFormat::Process),
            "{\n  \"Version\": 1,\n  \"AccessKeyId\": \"ASIAEXAMPLE\",\n  \"SecretAccessKey\": \"se/cr+et\",\n  \
             \"SessionToken\": \"to+ken/=\",\n  \"Expiration\": \"2026-11-22T12:00:00+00:00\"\n}\n"
        );
        assert_eq!(
            render(&c, ExportFormat::Env),
            "export AWS_ACCESS_KEY_ID=ASIAEXAMPLE\nexport AWS_SECRET_ACCESS_KEY=se/cr+et\n\
             export AWS_SESSION_TOKEN=to+ken/=\nexport AWS_CREDENTIAL_EXPIRATION=2026-11-22T12:00:00+00:00\n"
        );
        assert_eq!(
            render(&c, ExportFormat::EnvNoExport),
            "AWS_ACCESS_KEY_ID=ASIAEXAMPLE\nAWS_SECRET_ACCESS_KEY=se/cr+et\n\
             AWS_SESSION_TOKEN=to+ken/=\nAWS_CREDENTIAL_EXPIRATION=2026-11-22T12:00:00+00:00\n"
        );
        assert_eq!(
            render(&c, ExportFormat::Powershell),
            "$Env:AWS_ACCESS_KEY_ID=\"ASIAEXAMPLE\"\n$Env:AWS_SECRET_ACCESS_KEY=\"se/cr+et\"\n\
             $Env:AWS_SESSION_TOKEN=\"to+ken/=\"\n$Env:AWS_CREDENTIAL_EXPIRATION=\"2026-11-22T12:00:00+00:00\"\n"
        );
        assert_eq!(
            render(&c, ExportFormat::WindowsCmd),
            "set AWS_ACCESS_KEY_ID=ASIAEXAMPLE\nset AWS_SECRET_ACCESS_KEY=se/cr+et\n\
             set AWS_SESSION_TOKEN=to+ken/=\nset AWS_CREDENTIAL_EXPIRATION=2026-11-22T12:00:00+00:00\n"
        );
        assert_eq!(
            render(&c, ExportFormat::Fish),
            "set -gx AWS_ACCESS_KEY_ID \"ASIAEXAMPLE\"\nset -gx AWS_SECRET_ACCESS_KEY \"se/cr+et\"\n\
             set -gx AWS_SESSION_TOKEN \"to+ken/=\"\nset -gx AWS_CREDENTIAL_EXPIRATION \"2026-11-22T12:00:00+00:00\"\n"
        );
    }

    #[test]
    fn posix_lines_quote_only_what_a_shell_would_change() {
        let c = Credentials::new(
            "AKIA EXAMPLE",
            "it's $HOME `x` ~ \"q\"\n",
            Some(String::new()),
            None,
            "test",
        );
        assert_eq!(
            render(&c, ExportFormat::Env),
            "export AWS_ACCESS_KEY_ID='AKIA EXAMPLE'\n\
             export AWS_SECRET_ACCESS_KEY='it'\\''s $HOME `x` ~ \"q\"\n'\n\
             export AWS_SESSION_TOKEN=\n"
        );
        assert_eq!(
            render(&c, ExportFormat::EnvNoExport),
            "AWS_ACCESS_KEY_ID='AKIA EXAMPLE'\n\
             AWS_SECRET_ACCESS_KEY='it'\\''s $HOME `x` ~ \"q\"\n'\n\
             AWS_SESSION_TOKEN=\n"
        );
        for plain in [
            "ASIA0123",
            "a+b/c==",
            "2026-11-22T12:00:00.5+00:00",
            "x_y-z,@%",
        ] {
            assert_eq!(shell_word(plain), plain);
        }
    }

    #[test]
    fn long_term_keys_have_no_token_or_expiry() {
        let c = Credentials::from_keys("AKIAEXAMPLE", "secret");
        assert_eq!(
            render(&c, ExportFormat::Process),
            "{\n  \"Version\": 1,\n  \"AccessKeyId\": \"AKIAEXAMPLE\",\n  \"SecretAccessKey\": \"secret\"\n}\n"
        );
        assert_eq!(
            render(&c, ExportFormat::Env),
            "export AWS_ACCESS_KEY_ID=AKIAEXAMPLE\nexport AWS_SECRET_ACCESS_KEY=secret\n"
        );
    }
}
