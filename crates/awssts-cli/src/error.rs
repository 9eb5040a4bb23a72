//! How a failed run ends: the AWS CLI v2's exit codes and messages.

use awssts::credentials::{CredentialsError, CredentialsErrorKind};
use awssts::retry::{Failure, RetryKind, classify};

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
        /// Retries made before giving up on a retryable error (throttling,
        /// a 5xx); the AWS CLI then says "(reached max retries: N)".
        retries: Option<u32>,
    },
    /// Anything else: connection refused, timeouts, broken responses. Exit 255.
    Other(String),
}

impl CliError {
    /// A provider's failure as the AWS CLI reports it: configuration
    /// problems (nothing found, a broken profile) exit 253, anything else 255.
    pub fn from_credentials(e: &CredentialsError) -> CliError {
        match e.kind() {
            CredentialsErrorKind::NotLoaded | CredentialsErrorKind::InvalidConfiguration => {
                CliError::Config(format!("unable to locate credentials: {e}"))
            }
            _ => CliError::Other(format!("cannot get credentials: {e}")),
        }
    }

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
                retries,
            } => {
                let retries = match retries {
                    Some(n) => format!(" (reached max retries: {n})"),
                    None => String::new(),
                };
                format!(
                    "\nAn error occurred ({code}) when calling the {operation} operation{retries}: {message}\n"
                )
            }
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
            ErrorKind::Service(s) => {
                let failure = Failure::Service {
                    status: s.status(),
                    code: s.code(),
                };
                let attempts = e.metadata().attempts;
                // As botocore: only an error the retry loop gave up on
                // (retryable, attempts used up) reports the retries.
                let gave_up = !matches!(
                    classify(e.operation(), failure),
                    RetryKind::NotRetryable | RetryKind::ClockSkew
                );
                CliError::Service {
                    code: s.code().to_owned(),
                    operation: e.operation(),
                    message: s.message().unwrap_or("Unknown").to_owned(),
                    retries: (gave_up && attempts > 1).then(|| attempts - 1),
                }
            }
            ErrorKind::Credentials(c) => CliError::from_credentials(c),
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
