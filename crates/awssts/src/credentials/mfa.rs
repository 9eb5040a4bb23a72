//! Where MFA codes come from when a role requires one (`mfa_serial` in a
//! profile, `SerialNumber` in AssumeRole): a prompt on the terminal, a
//! command (a YubiKey or password-manager CLI), or the caller's own code.
//!
//! A code is asked for only when credentials are actually fetched: the
//! credentials cache (and the disk cache across processes) keep the session,
//! so the user is not asked on every request or in every process. An
//! [`AssumeRoleProvider`](super::assume_role::AssumeRoleProvider) given a
//! device sends a new code with each AssumeRole, so each refresh of the role
//! asks again; an [MFA session](super::mfa_session) asks once per session
//! (12 hours by default) instead, and profiles use one where they can
//! ([`ProfileProvider::mfa_session`](super::profile::ProfileProvider::mfa_session)).

use std::fmt;
use std::future::Future;
use std::io::{BufRead, Write};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use super::CredentialsError;
use super::process::{read_limited, read_tail};

/// The most an MFA command may print on stdout (a code and some whitespace).
const MAX_CODE_OUTPUT: usize = 64;
/// How much of a failing MFA command's stderr goes into the error.
const STDERR_TAIL: usize = 300;

/// The future an [`MfaTokenProvider`] returns.
pub type MfaTokenFuture<'a> =
    Pin<Box<dyn Future<Output = Result<String, CredentialsError>> + Send + 'a>>;

/// Supplies the current code of an MFA device.
pub trait MfaTokenProvider: Send + Sync + fmt::Debug {
    /// The current code for the device `serial` (an ARN or a hardware
    /// serial number).
    fn token<'a>(&'a self, serial: &'a str) -> MfaTokenFuture<'a>;
}

/// STS takes exactly six digits; checking here gives a clear message
/// instead of STS's pattern error, and never echoes what was typed.
fn check_code(serial: &str, code: String) -> Result<String, CredentialsError> {
    let code = code.trim().to_owned();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code)
    } else {
        Err(CredentialsError::new(
            "mfa",
            format!(
                "the MFA code for {serial} must be exactly 6 digits (got {} characters)",
                code.chars().count()
            ),
        ))
    }
}

/// Asks on the terminal (`/dev/tty`, so it works while stdout is piped,
/// as in `credential_process`), prompting on stderr.
#[derive(Clone, Debug, Default)]
pub struct MfaPrompt {
    _private: (),
}

impl MfaPrompt {
    /// A terminal prompt.
    pub fn new() -> Self {
        MfaPrompt::default()
    }
}

impl MfaTokenProvider for MfaPrompt {
    fn token<'a>(&'a self, serial: &'a str) -> MfaTokenFuture<'a> {
        let serial = serial.to_owned();
        Box::pin(async move {
            let asked = serial.clone();
            let line = tokio::task::spawn_blocking(move || read_from_tty(&asked))
                .await
                .map_err(|e| {
                    CredentialsError::new("mfa", format!("the MFA prompt failed: {e}"))
                })??;
            check_code(&serial, line)
        })
    }
}

fn read_from_tty(serial: &str) -> Result<String, CredentialsError> {
    let no_tty = |e: std::io::Error| {
        CredentialsError::new(
            "mfa",
            format!(
                "an MFA code for {serial} is needed but there is no terminal to ask on ({e}); \
                 configure an MFA command or pass the code (e.g. --token-code)"
            ),
        )
    };
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(no_tty)?;
    let mut writer = tty.try_clone().map_err(no_tty)?;
    write!(writer, "Enter MFA code for {serial}: ").map_err(no_tty)?;
    writer.flush().map_err(no_tty)?;
    let mut line = String::new();
    std::io::BufReader::new(tty)
        .read_line(&mut line)
        .map_err(no_tty)?;
    Ok(line)
}

/// Runs a command and takes the code from its standard output, e.g.
/// `ykman oath accounts code --single aws`. It runs without a shell and
/// must finish within the timeout.
#[derive(Clone)]
pub struct MfaCommand {
    program: String,
    args: Vec<String>,
    timeout: Duration,
}

/// The program only: arguments sometimes carry a password manager's
/// session token.
impl fmt::Debug for MfaCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MfaCommand")
            .field("program", &self.program)
            .field("args", &format_args!("[{} hidden]", self.args.len()))
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl MfaCommand {
    /// A command line, split with the same (POSIX shell-like) rules as
    /// `credential_process`; an error when it is empty or its quotes do not
    /// balance.
    pub fn new(command_line: &str) -> Result<Self, CredentialsError> {
        let bad = |why: &str| {
            CredentialsError::invalid_configuration("mfa", format!("MFA command: {why}"))
        };
        let mut words = super::process::split_command_line(command_line)
            .map_err(bad)?
            .into_iter();
        let program = words
            .next()
            .ok_or_else(|| bad("the command line is empty"))?;
        Ok(MfaCommand {
            program,
            args: words.collect(),
            timeout: Duration::from_secs(60),
        })
    }

    /// How long the command may take (default 60 s, time for a touch).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

impl MfaTokenProvider for MfaCommand {
    fn token<'a>(&'a self, serial: &'a str) -> MfaTokenFuture<'a> {
        Box::pin(async move {
            let fail = |why: String| {
                CredentialsError::new("mfa", format!("MFA command `{}` {why}", self.program))
            };
            let mut child = tokio::process::Command::new(&self.program)
                .args(&self.args)
                .env("AWS_MFA_SERIAL", serial)
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .kill_on_drop(true)
                .spawn()
                .map_err(|e| fail(format!("could not start: {e}")))?;
            let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
            // Output is read with limits: a code is six digits, and a command
            // that prints more (or forever) is not an MFA command.
            let run = async {
                let (stdout, stderr) = tokio::join!(
                    read_limited(stdout, MAX_CODE_OUTPUT),
                    read_tail(stderr, STDERR_TAIL)
                );
                (stdout, stderr, child.wait().await)
            };
            let (stdout, stderr, status) =
                tokio::time::timeout(self.timeout, run).await.map_err(|_| {
                    fail(format!(
                        "did not finish within {:?} and was killed",
                        self.timeout
                    ))
                })?;
            // Too much output first: cutting it off ends the command with SIGPIPE.
            let stdout = stdout
                .map_err(|e| fail(format!("failed: {e}")))?
                .ok_or_else(|| {
                    fail(format!(
                        "printed more than {MAX_CODE_OUTPUT} bytes, which is not an MFA code"
                    ))
                })?;
            let status = status.map_err(|e| fail(format!("failed: {e}")))?;
            if !status.success() {
                return Err(fail(format!("exited with {status}: {}", stderr.trim())));
            }
            let code = String::from_utf8(stdout)
                .map_err(|_| fail("printed something that is not text".to_owned()))?;
            check_code(serial, code)
        })
    }
}

type CodeFn = dyn Fn(&str) -> Result<String, CredentialsError> + Send + Sync;

/// The caller's own code source.
#[derive(Clone)]
pub struct MfaCallback {
    f: Arc<CodeFn>,
}

impl MfaCallback {
    /// Calls `f` with the device serial for each code.
    pub fn new(
        f: impl Fn(&str) -> Result<String, CredentialsError> + Send + Sync + 'static,
    ) -> Self {
        MfaCallback { f: Arc::new(f) }
    }
}

impl fmt::Debug for MfaCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MfaCallback")
    }
}

impl MfaTokenProvider for MfaCallback {
    fn token<'a>(&'a self, serial: &'a str) -> MfaTokenFuture<'a> {
        let result = (self.f)(serial).and_then(|code| check_code(serial, code));
        Box::pin(std::future::ready(result))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn callback_codes_are_checked_without_echo() {
        let ok = MfaCallback::new(|_| Ok(" 123456\n".into()));
        assert_eq!(ok.token("arn:aws:iam::1:mfa/a").await.unwrap(), "123456");
        let bad = MfaCallback::new(|_| Ok("12345x7".into()));
        let err = bad.token("arn:aws:iam::1:mfa/a").await.unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("6 digits") && !msg.contains("12345x7"),
            "{msg}"
        );
    }

    #[tokio::test]
    async fn command_codes() {
        let cmd = MfaCommand::new("printf 654321").unwrap();
        assert_eq!(cmd.token("serial").await.unwrap(), "654321");
        let with_secret = MfaCommand::new("op item get --session hunter2-session").unwrap();
        assert!(!format!("{with_secret:?}").contains("hunter2"));
        let fails = MfaCommand::new("false").unwrap();
        assert!(
            fails
                .token("serial")
                .await
                .unwrap_err()
                .to_string()
                .contains("exited")
        );
        let slow = MfaCommand::new("sleep 5")
            .unwrap()
            .timeout(Duration::from_millis(100));
        assert!(
            slow.token("serial")
                .await
                .unwrap_err()
                .to_string()
                .contains("killed")
        );
        assert!(MfaCommand::new("   ").is_err());
        assert!(MfaCommand::new("ykman 'unbalanced").is_err());
        let quoted = MfaCommand::new("printf '%s' 123456").unwrap();
        assert_eq!(quoted.token("serial").await.unwrap(), "123456");
        // A command that never stops printing is cut off, not read forever.
        let chatty = MfaCommand::new("sh -c 'while :; do echo 123456; done'").unwrap();
        let err = chatty.token("serial").await.unwrap_err().to_string();
        assert!(err.contains("more than 64 bytes"), "{err}");
        let failing = MfaCommand::new("sh -c 'echo no device >&2; exit 3'").unwrap();
        let err = failing.token("serial").await.unwrap_err().to_string();
        assert!(err.contains("no device"), "{err}");
    }
}
