//! Credentials from an external command: the profile key
//! `credential_process`.
//!
//! The command line is split into words with the rules of Python's
//! `shlex.split`, which is what the AWS CLI (botocore's
//! `compat_shell_split`) uses on POSIX systems: words are separated by
//! spaces, tabs and newlines; single quotes keep everything literally;
//! inside double quotes a backslash escapes only `"` and `\`; outside
//! quotes a backslash escapes any character; quoted and unquoted parts of a
//! word join (`a"b c"` is one word). `#` is not a comment. The same rules
//! are used on Windows (botocore has its own splitter there), so a profile
//! means the same thing on every system. The command runs without a shell.
//!
//! The command's stdin is inherited (a helper may prompt on the terminal),
//! its stdout must be the JSON document of the AWS specification
//! (`Version: 1`, `AccessKeyId`, `SecretAccessKey`, and optionally
//! `SessionToken`, `Expiration` in RFC 3339, `AccountId`), read up to 1 MiB.
//! The last 4 KiB of its stderr go into the error when it fails. Stdout is
//! never quoted in an error: it may hold the secret.
//!
//! Unlike the AWS CLI, there is a timeout, [`DEFAULT_TIMEOUT`] unless set:
//! a helper stuck on a network call or waiting for input nobody sees would
//! otherwise hang every request that needs credentials, forever. One minute
//! leaves time for an interactive step (touching a security key, a browser
//! sign-in) while still turning a hang into an error. On timeout the child
//! is killed and reaped; dropping the future also kills it. Only the child
//! itself is killed: processes it started on its own are not tracked.

use std::fmt;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};

use super::profile::Profile;
use super::{Credentials, CredentialsError, ProvideCredentials, ProvideCredentialsFuture};
use crate::DateTime;

const PROVIDER: &str = "process";

/// How long the command may run unless [`ProcessProvider::timeout`] says
/// otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The most stdout that is read; more is an error (a credentials document
/// is well under 10 KiB).
pub const MAX_STDOUT: usize = 1024 * 1024;

/// How much of the end of stderr is kept for the error message.
pub const STDERR_TAIL: usize = 4 * 1024;

/// Runs a command and reads credentials from its output.
#[derive(Clone)]
pub struct ProcessProvider {
    command_line: String,
    timeout: Duration,
    source: String,
}

impl fmt::Debug for ProcessProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only the program: arguments sometimes carry passwords.
        let program = split_command_line(&self.command_line)
            .ok()
            .and_then(|words| words.into_iter().next())
            .unwrap_or_default();
        f.debug_struct("ProcessProvider")
            .field("program", &program)
            .field("timeout", &self.timeout)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl ProcessProvider {
    /// A provider running `command_line` (split as described in the module
    /// docs), with the default timeout.
    pub fn new(command_line: impl Into<String>) -> Self {
        ProcessProvider {
            command_line: command_line.into(),
            timeout: DEFAULT_TIMEOUT,
            source: "credential_process".to_owned(),
        }
    }

    /// The provider for a profile's `credential_process` key, if it has one.
    /// Errors then name the profile.
    pub fn from_profile(profile: &Profile) -> Option<Self> {
        let command = profile
            .get("credential_process")
            .filter(|c| !c.trim().is_empty())?;
        let mut provider = ProcessProvider::new(command);
        provider.source = match profile.origin("credential_process") {
            Some(origin) => format!(
                "credential_process of profile {:?} ({origin})",
                profile.name()
            ),
            None => format!("credential_process of profile {:?}", profile.name()),
        };
        Some(provider)
    }

    /// How long the command may run before it is killed.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How errors refer to the command's configuration, e.g.
    /// `credential_process of profile "dev"`.
    #[must_use]
    pub fn described_as(mut self, source: impl Into<String>) -> Self {
        self.source = source.into();
        self
    }

    /// Runs the command once and reads its credentials.
    pub async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        let words = split_command_line(&self.command_line).map_err(|reason| {
            CredentialsError::invalid_configuration(
                PROVIDER,
                format!("{} cannot be split into words: {reason}", self.source),
            )
        })?;
        let Some((program, args)) = words.split_first() else {
            return Err(CredentialsError::invalid_configuration(
                PROVIDER,
                format!("{} is empty; give the command to run", self.source),
            ));
        };
        let mut child = tokio::process::Command::new(program)
            .args(args)
            .stdin(Stdio::inherit())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| self.spawn_error(program, e))?;
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let deadline = tokio::time::Instant::now() + self.timeout;

        let reads = tokio::time::timeout_at(deadline, async {
            tokio::join!(
                read_limited(stdout, MAX_STDOUT),
                read_tail(stderr, STDERR_TAIL)
            )
        })
        .await;
        let (stdout, stderr) = match reads {
            Ok(outputs) => outputs,
            Err(_) => return Err(self.timed_out(program, &mut child).await),
        };
        let stdout = match stdout {
            Ok(Some(bytes)) => bytes,
            Ok(None) => {
                kill_and_reap(&mut child).await;
                return Err(self.failed(format!(
                    "`{program}` printed more than {MAX_STDOUT} bytes on stdout, which \
                     cannot be a credentials document; it was stopped"
                )));
            }
            Err(e) => {
                kill_and_reap(&mut child).await;
                return Err(self
                    .failed(format!("cannot read the output of `{program}`: {e}"))
                    .with_source(e));
            }
        };
        let status = match tokio::time::timeout_at(deadline, child.wait()).await {
            Ok(Ok(status)) => status,
            Ok(Err(e)) => {
                return Err(self
                    .failed(format!("cannot wait for `{program}`: {e}"))
                    .with_source(e));
            }
            Err(_) => return Err(self.timed_out(program, &mut child).await),
        };
        if !status.success() {
            let how = match status.code() {
                Some(code) => format!("exited with status {code}"),
                None => "was ended by a signal".to_owned(),
            };
            let stderr = stderr.trim();
            let detail = if stderr.is_empty() {
                " and printed nothing on stderr".to_owned()
            } else {
                format!("; its stderr ends with: {stderr}")
            };
            return Err(self.failed(format!("`{program}` {how}{detail}")));
        }
        parse_output(&stdout).map_err(|reason| {
            self.failed(format!(
                "`{program}` succeeded but its output is not usable: {reason}"
            ))
        })
    }

    fn failed(&self, message: String) -> CredentialsError {
        CredentialsError::new(PROVIDER, format!("{}: {message}", self.source))
    }

    fn spawn_error(&self, program: &str, e: std::io::Error) -> CredentialsError {
        let message = match e.kind() {
            std::io::ErrorKind::NotFound => format!(
                "{}: the command `{program}` was not found; install it, put it on PATH, or \
                 give its full path",
                self.source
            ),
            std::io::ErrorKind::PermissionDenied => format!(
                "{}: the command `{program}` cannot be run (permission denied); make it \
                 executable",
                self.source
            ),
            _ => format!("{}: cannot start `{program}`: {e}", self.source),
        };
        CredentialsError::invalid_configuration(PROVIDER, message).with_source(e)
    }

    async fn timed_out(
        &self,
        program: &str,
        child: &mut tokio::process::Child,
    ) -> CredentialsError {
        kill_and_reap(child).await;
        self.failed(format!(
            "`{program}` did not finish within {:?} and was killed; make it faster or raise \
             the timeout",
            self.timeout
        ))
    }
}

impl ProvideCredentials for ProcessProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::new(self.credentials())
    }
    fn provider_name(&self) -> &'static str {
        PROVIDER
    }
}

async fn kill_and_reap(child: &mut tokio::process::Child) {
    // `kill` sends SIGKILL and waits, so no zombie is left behind; an error
    // means the child had already exited, which is just as good.
    let _ = child.kill().await;
}

/// Reads all of `pipe`, or `None` once it passes `limit` bytes (the pipe is
/// then dropped, so a child still writing gets a broken pipe).
pub(super) async fn read_limited(
    pipe: Option<impl AsyncRead + Unpin>,
    limit: usize,
) -> std::io::Result<Option<Vec<u8>>> {
    let Some(pipe) = pipe else {
        return Ok(Some(Vec::new()));
    };
    let mut buf = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    pipe.take(cap).read_to_end(&mut buf).await?;
    Ok((buf.len() <= limit).then_some(buf))
}

/// Reads `pipe` to its end, keeping the last `keep` bytes as text.
pub(super) async fn read_tail(pipe: Option<impl AsyncRead + Unpin>, keep: usize) -> String {
    let Some(mut pipe) = pipe else {
        return String::new();
    };
    let mut tail: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match pipe.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                tail.extend_from_slice(chunk.get(..n).unwrap_or(&[]));
                if tail.len() > 2 * keep {
                    tail.drain(..tail.len() - keep);
                }
            }
        }
    }
    if tail.len() > keep {
        tail.drain(..tail.len() - keep);
    }
    String::from_utf8_lossy(&tail).into_owned()
}

/// Reads the credentials document. Reasons name the field, never its value.
fn parse_output(stdout: &[u8]) -> Result<Credentials, String> {
    let doc: serde_json::Value = serde_json::from_slice(stdout).map_err(|e| {
        format!(
            "it is not JSON (at line {}, column {})",
            e.line(),
            e.column()
        )
    })?;
    let serde_json::Value::Object(doc) = doc else {
        return Err("it is not a JSON object".into());
    };
    match doc.get("Version") {
        None => return Err("it has no `Version`; it must be 1".into()),
        Some(v) if v.as_u64() == Some(1) => {}
        Some(v) => {
            return Err(match v.as_i64() {
                Some(n) => format!("`Version` is {n}, but only version 1 is supported"),
                None => "`Version` is not the number 1, the only supported version".into(),
            });
        }
    }
    let required = |name: &str| -> Result<String, String> {
        match doc.get(name) {
            None | Some(serde_json::Value::Null) => Err(format!("`{name}` is missing")),
            Some(serde_json::Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            Some(serde_json::Value::String(_)) => Err(format!("`{name}` is empty")),
            Some(_) => Err(format!("`{name}` is not a string")),
        }
    };
    let optional = |name: &str| -> Result<Option<String>, String> {
        match doc.get(name) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) if s.is_empty() => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("`{name}` is not a string")),
        }
    };
    let akid = required("AccessKeyId")?;
    let secret = required("SecretAccessKey")?;
    let token = optional("SessionToken")?;
    let expiration = match optional("Expiration")? {
        None => None,
        Some(text) => Some(
            DateTime::parse(&text)
                .map_err(|_| {
                    "`Expiration` is not an RFC 3339 time such as 2030-01-01T00:00:00Z".to_owned()
                })?
                .to_system_time(),
        ),
    };
    let account = optional("AccountId")?;
    let creds = Credentials::new(akid, secret, token, expiration, PROVIDER);
    Ok(match account {
        Some(id) => creds.with_account_id(id),
        None => creds,
    })
}

/// Splits a command line into words as Python's `shlex.split` does (POSIX
/// mode, no comments).
pub fn split_command_line(line: &str) -> Result<Vec<String>, &'static str> {
    #[derive(PartialEq)]
    enum State {
        Between,
        Word,
        Single,
        Double,
    }
    let mut words = Vec::new();
    let mut word = String::new();
    let mut state = State::Between;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match state {
            State::Between | State::Word => match c {
                ' ' | '\t' | '\n' | '\r' => {
                    if state == State::Word {
                        words.push(std::mem::take(&mut word));
                        state = State::Between;
                    }
                }
                '\'' => state = State::Single,
                '"' => state = State::Double,
                '\\' => match chars.next() {
                    Some(escaped) => {
                        word.push(escaped);
                        state = State::Word;
                    }
                    None => return Err("it ends with a lone backslash"),
                },
                other => {
                    word.push(other);
                    state = State::Word;
                }
            },
            State::Single => match c {
                '\'' => state = State::Word,
                other => word.push(other),
            },
            State::Double => match c {
                '"' => state = State::Word,
                '\\' => match chars.peek() {
                    Some(&next @ ('"' | '\\')) => {
                        word.push(next);
                        chars.next();
                    }
                    Some(_) => word.push('\\'),
                    None => return Err("a double quote is not closed"),
                },
                other => word.push(other),
            },
        }
    }
    match state {
        State::Single => Err("a single quote is not closed"),
        State::Double => Err("a double quote is not closed"),
        State::Word => {
            words.push(word);
            Ok(words)
        }
        State::Between => Ok(words),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_python_shlex() {
        // Expected values produced by Python 3's shlex.split.
        let cases: &[(&str, &[&str])] = &[
            ("a b  c", &["a", "b", "c"]),
            ("a\"b c\"d", &["ab cd"]),
            ("'x y' z", &["x y", "z"]),
            ("a \"\" b", &["a", "", "b"]),
            ("a\\ b", &["a b"]),
            ("\"a\\\\b\\\"c\\d\"", &["a\\b\"c\\d"]),
            ("'a\\b'", &["a\\b"]),
            ("a#b #c", &["a#b", "#c"]),
            ("a\tb\nc", &["a", "b", "c"]),
            ("", &[]),
            ("x\\y", &["xy"]),
            ("\"a'b\"", &["a'b"]),
            ("'a\"b'", &["a\"b"]),
            (
                "/usr/bin/helper --profile 'my prof'",
                &["/usr/bin/helper", "--profile", "my prof"],
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(split_command_line(line).unwrap(), *expected, "{line:?}");
        }
        for bad in ["\"abc", "abc\\", "'x"] {
            assert!(split_command_line(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn output_documents() {
        let c = parse_output(
            br#"{"Version":1,"AccessKeyId":"AKID","SecretAccessKey":"s","SessionToken":"t","Expiration":"2030-01-01T00:00:00Z","AccountId":"123456789012"}"#,
        )
        .unwrap();
        assert_eq!(c.session_token(), Some("t"));
        assert!(c.expiration().is_some());
        assert_eq!(c.account_id(), Some("123456789012"));
        let c =
            parse_output(br#"{"Version":1,"AccessKeyId":"AKID","SecretAccessKey":"s"}"#).unwrap();
        assert_eq!(c.session_token(), None);
        assert_eq!(c.expiration(), None);

        for (doc, reason) in [
            (&b"not json"[..], "not JSON"),
            (b"[1]", "not a JSON object"),
            (
                br#"{"AccessKeyId":"A","SecretAccessKey":"s"}"#,
                "no `Version`",
            ),
            (
                br#"{"Version":2,"AccessKeyId":"A","SecretAccessKey":"s"}"#,
                "is 2",
            ),
            (
                br#"{"Version":"1","AccessKeyId":"A","SecretAccessKey":"s"}"#,
                "not the number 1",
            ),
            (
                br#"{"Version":1,"SecretAccessKey":"s"}"#,
                "`AccessKeyId` is missing",
            ),
            (
                br#"{"Version":1,"AccessKeyId":"A"}"#,
                "`SecretAccessKey` is missing",
            ),
            (
                br#"{"Version":1,"AccessKeyId":5,"SecretAccessKey":"s"}"#,
                "`AccessKeyId` is not a string",
            ),
            (
                br#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"s","Expiration":"soon"}"#,
                "`Expiration`",
            ),
            (
                br#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"s","SessionToken":7}"#,
                "`SessionToken`",
            ),
        ] {
            let err = parse_output(doc).unwrap_err();
            assert!(err.contains(reason), "{err}");
        }
    }
}
