//! How a failed run ends: the AWS CLI v2's exit codes and messages.

use awssts::credentials::CredentialsErrorKind;

/// Why the command failed; each kind has the AWS CLI's exit code.
#[derive(Debug)]
pub enum CliError {
    /// Bad arguments: unknown flags, bad shorthand, values the model
    /// refuses. Exit 252.
    Usage(String),
    /// Bad configuration: a missing profile, a malformed config file, no
    /// region, no credentials. Exit 253.
    Config(String),
    /// STS answered with an error. Exit 254.
    Service {
        code: String,
        operation: &'static str,
        message: String,
    },
    /// Anything else: connection refused, timeouts, broken responses. Exit 255.
    Other(String),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => 252,
            CliError::Config(_) => 253,
            CliError::Service { .. } => 254,
            CliError::Other(_) => 255,
        }
    }

    /// What goes to stderr, newline-terminated.
    pub fn message(&self) -> String {
        match self {
            // The AWS CLI's exact wording (and its leading blank line), so
            // that scripts matching on it keep working.
            CliError::Service {
                code,
                operation,
                message,
            } => format!(
                "\nAn error occurred ({code}) when calling the {operation} operation: {message}\n"
            ),
            CliError::Usage(m) | CliError::Config(m) | CliError::Other(m) => {
                format!("awssts: {m}\n")
            }
        }
    }

    /// Classifies a library error from a call to `endpoint`.
    pub fn from_call(e: &awssts::Error, endpoint: &str) -> CliError {
        use awssts::ErrorKind;
        match e.kind() {
            ErrorKind::Validation(v) => CliError::Usage(format!(
                "invalid parameter: {v} (nothing was sent; see --help)"
            )),
            ErrorKind::Service(s) => CliError::Service {
                code: s.code().to_owned(),
                operation: e.operation(),
                message: s.message().unwrap_or("Unknown").to_owned(),
            },
            ErrorKind::Credentials(c) => match c.kind() {
                CredentialsErrorKind::NotLoaded | CredentialsErrorKind::InvalidConfiguration => {
                    CliError::Config(format!("unable to locate credentials: {c}"))
                }
                _ => CliError::Other(format!("cannot get credentials: {c}")),
            },
            ErrorKind::Transport(_) => CliError::Other(format!(
                "could not connect to the endpoint URL {endpoint:?}: {e}"
            )),
            _ => CliError::Other(format!("{e} (endpoint {endpoint})")),
        }
    }
}

impl From<crate::args::ArgError> for CliError {
    fn from(e: crate::args::ArgError) -> Self {
        CliError::Usage(e.to_string())
    }
}
