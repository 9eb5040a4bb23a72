//! Printing results: `--output json|text|env` and `--query`.

pub mod doc;
mod jmespath;
pub mod query;
pub mod text;

use doc::Doc;

use crate::cmdline::Choice;
use crate::error::CliError;

/// The `--output` formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Text,
    Env,
}

/// The `--output` values, for the command-line tables.
pub static FORMATS: &[Choice] = &[
    Choice {
        name: "json",
        help: "The AWS CLI's JSON (keys in the model's order, 4-space indent)",
    },
    Choice {
        name: "text",
        help: "The AWS CLI's tab-separated text",
    },
    Choice {
        name: "env",
        help: "`export AWS_ACCESS_KEY_ID=…` lines for a shell (operations that return \
               credentials only)",
    },
];

impl Format {
    /// The format a profile's `output` setting names.
    pub fn from_setting(value: &str) -> Option<Format> {
        match value.trim() {
            "json" => Some(Format::Json),
            "text" => Some(Format::Text),
            "env" => Some(Format::Env),
            _ => None,
        }
    }
}

/// Renders `doc` (after `query`) as JSON or text. An empty object prints
/// nothing, as in the AWS CLI.
pub fn render(doc: &Doc, format: Format, query: Option<&query::Query>) -> Result<String, String> {
    let queried;
    let doc = match query {
        Some(q) => {
            queried = q.apply(doc)?;
            &queried
        }
        None => doc,
    };
    Ok(match format {
        Format::Json if *doc == Doc::Map(Vec::new()) => String::new(),
        Format::Json => doc.to_json_pretty(),
        Format::Text => text::render(doc),
        // Callers print credentials with `env_lines` instead.
        Format::Env => String::new(),
    })
}

/// Writes `text` to stdout and flushes it.
pub fn print(text: &str) -> Result<(), CliError> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::Other(format!("cannot write the output: {e}")))
}

/// Shell lines exporting temporary credentials, exactly as
/// `export-credentials --format env` prints them.
pub fn env_lines(c: &awssts::model::Credentials) -> String {
    let creds = awssts::credentials::Credentials::from(c);
    crate::creds::render(&creds, crate::creds::ExportFormat::Env)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_lines_export_the_four_variables() {
        let mut c = awssts::model::Credentials::default();
        c.access_key_id = "ASIAEXAMPLE".into();
        c.secret_access_key = "se/cr+et=".into();
        c.session_token = "to'ken".into();
        c.expiration = awssts::DateTime::parse("2026-11-22T12:00:00Z").unwrap();
        assert_eq!(
            env_lines(&c),
            "export AWS_ACCESS_KEY_ID=ASIAEXAMPLE\nexport AWS_SECRET_ACCESS_KEY=se/cr+et=\n\
             export AWS_SESSION_TOKEN='to'\\''ken'\nexport AWS_CREDENTIAL_EXPIRATION=2026-11-22T12:00:00+00:00\n"
        );
    }

    #[test]
    fn an_empty_result_prints_nothing_in_json() {
        assert_eq!(render(&Doc::Map(vec![]), Format::Json, None).unwrap(), "");
        assert_eq!(
            render(&Doc::List(vec![]), Format::Json, None).unwrap(),
            "[]\n"
        );
    }
}
