//! The command line: global options and one subcommand per command group.
//! The tables here (and each command's flag table, next to its flags
//! struct) drive parsing, help and completions (see [`crate::cmdline`]).

use std::ffi::OsString;

use crate::cmdline::{self, App, Check, Choice, Command as Cmd, Flag, Operand, OperandKind, Stop};
use crate::output::{FORMATS, Format};
use crate::{creds, eks, exec, serve, sts};

/// A parsed command line.
//
// The parsed flags have no `Debug` (nor do the commands in `sts`): they
// carry SAML assertions, web identity tokens, MFA codes and trade-in tokens.
pub struct Cli {
    pub global: Global,
    pub command: Command,
}

/// Options every command takes (before or after the subcommand).
#[derive(Debug, Default)]
pub struct Global {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    pub output: Option<Format>,
    pub query: Option<String>,
    pub debug: bool,
    pub cli_read_timeout: Option<f64>,
    pub cli_connect_timeout: Option<f64>,
}

static GLOBAL: &[Flag] = &[
    Flag::one(
        "profile",
        "Profile from ~/.aws/config and ~/.aws/credentials (else AWS_PROFILE, else default)",
    )
    .value("NAME"),
    Flag::one(
        "region",
        "AWS region (else AWS_REGION, AWS_DEFAULT_REGION, then the profile's region)",
    )
    .value("REGION"),
    Flag::one(
        "endpoint-url",
        "Send requests to this URL instead of the regional STS endpoint",
    )
    .value("URL"),
    Flag::one(
        "output",
        "Output format (else the profile's `output`, else json)",
    )
    .value("FORMAT")
    .choices(FORMATS),
    Flag::one(
        "query",
        "JMESPath expression applied to the result before it is printed",
    )
    .value("JMESPATH"),
    Flag::switch(
        "debug",
        "Log what happens (endpoint, retries, request ids) to stderr; secrets are never logged",
    ),
    Flag::one(
        "cli-read-timeout",
        "Seconds to wait for response data; 0 waits forever (default 20)",
    )
    .value("SECONDS")
    .check(Check::Seconds),
    Flag::one(
        "cli-connect-timeout",
        "Seconds to wait for a connection; 0 waits forever (default 3.1)",
    )
    .value("SECONDS")
    .check(Check::Seconds),
];

/// The shells `completions` writes scripts for.
#[derive(Clone, Copy, Debug)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

static SHELLS: &[Choice] = &[
    Choice {
        name: "bash",
        help: "source it, or put it in /etc/bash_completion.d/",
    },
    Choice {
        name: "zsh",
        help: "put it as _awssts in a directory of $fpath",
    },
    Choice {
        name: "fish",
        help: "put it in ~/.config/fish/completions/awssts.fish",
    },
];

impl Shell {
    pub fn from_name(name: &str) -> Option<Shell> {
        match name {
            "bash" => Some(Shell::Bash),
            "zsh" => Some(Shell::Zsh),
            "fish" => Some(Shell::Fish),
            _ => None,
        }
    }
}

pub static APP: App = App {
    name: "awssts",
    about: "AWS STS from the command line: every `aws sts` operation, with the AWS CLI's flags, \
            output and exit codes",
    version: env!("CARGO_PKG_VERSION"),
    global: GLOBAL,
    commands: &[
        Cmd::new(
            "assume-role",
            "Get temporary credentials for an IAM role (signed with your credentials)",
            sts::ASSUME_ROLE,
        ),
        Cmd::new(
            "assume-role-with-saml",
            "Get temporary credentials for a role with a SAML assertion (unsigned)",
            sts::ASSUME_ROLE_WITH_SAML,
        ),
        Cmd::new(
            "assume-role-with-web-identity",
            "Get temporary credentials for a role with an OIDC token (unsigned)",
            sts::ASSUME_ROLE_WITH_WEB_IDENTITY,
        ),
        Cmd::new(
            "assume-root",
            "Get a short, task-scoped root session for a member account",
            sts::ASSUME_ROOT,
        ),
        Cmd::new(
            "decode-authorization-message",
            "Decode the details of an encoded access-denied message",
            sts::DECODE_AUTHORIZATION_MESSAGE,
        ),
        Cmd::new(
            "get-access-key-info",
            "Show the account that owns an access key id",
            sts::GET_ACCESS_KEY_INFO,
        ),
        Cmd::new(
            "get-caller-identity",
            "Show who the credentials in use belong to",
            sts::GET_CALLER_IDENTITY,
        ),
        Cmd::new(
            "get-delegated-access-token",
            "Exchange a trade-in token for delegated credentials",
            sts::GET_DELEGATED_ACCESS_TOKEN,
        ),
        Cmd::new(
            "get-federation-token",
            "Get temporary credentials for a federated user",
            sts::GET_FEDERATION_TOKEN,
        ),
        Cmd::new(
            "get-session-token",
            "Get temporary credentials for your IAM user, with MFA if given",
            sts::GET_SESSION_TOKEN,
        ),
        Cmd::new(
            "get-web-identity-token",
            "Get a signed JSON web token identifying you to outside services",
            sts::GET_WEB_IDENTITY_TOKEN,
        ),
        Cmd::new(
            "credential-process",
            "Print credentials as `credential_process` JSON, through the AWS CLI's cache \
             (~/.aws/cli/cache)",
            creds::CREDENTIAL_PROCESS,
        ),
        Cmd::new(
            "export-credentials",
            "Print the credentials the profile resolves to, as `aws configure \
             export-credentials` does",
            creds::EXPORT_CREDENTIALS,
        ),
        Cmd::new(
            "eks-token",
            "Print the Kubernetes ExecCredential with an EKS bearer token, as `aws eks \
             get-token` does",
            eks::EKS_TOKEN,
        )
        .one_of(&["cluster-name", "cluster-id"]),
        Cmd::new(
            "exec",
            "Run a command with the profile's credentials in its environment (or served to it \
             with --server)",
            exec::EXEC,
        )
        .operand(Operand {
            name: "CMD",
            help: "The command to run and its arguments (after `--`)",
            kind: OperandKind::Trailing,
            required: true,
            choices: &[],
        }),
        Cmd::new(
            "serve",
            "Run the local STS emulator (every operation, signatures checked) until \
             SIGINT/SIGTERM",
            serve::SERVE,
        )
        .after_help(serve::AFTER_HELP),
        Cmd::new(
            "demo",
            "Walk the main flow against an in-process emulator: keys, AssumeRole, identity, \
             renewal",
            &[],
        ),
        Cmd::new(
            "completions",
            "Print a shell completion script (e.g. `awssts completions bash > \
             /etc/bash_completion.d/awssts`)",
            &[],
        )
        .operand(Operand {
            name: "SHELL",
            help: "The shell to complete for",
            kind: OperandKind::Choice,
            required: true,
            choices: SHELLS,
        }),
        Cmd::new(
            "help",
            "Print this message or the help of the given command",
            &[],
        )
        .operand(Operand {
            name: "COMMAND",
            help: "The command to describe",
            kind: OperandKind::Command,
            required: false,
            choices: &[],
        }),
    ],
};

// One value per run: the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    Sts(crate::sts::Command),
    CredentialProcess(crate::creds::CredentialProcess),
    ExportCredentials(crate::creds::ExportCredentials),
    EksToken(crate::eks::EksToken),
    Exec(crate::exec::Exec),
    Serve(crate::serve::Serve),
    Demo,
    Completions { shell: Shell },
}

impl Cli {
    /// Parses the command line (without the program name). Values were
    /// checked by the parser against the tables, so building the structs
    /// cannot fail.
    pub fn parse(args: &[OsString]) -> Result<Cli, Stop> {
        let mut m = cmdline::parse(&APP, args)?;
        let global = Global {
            profile: m.one("profile"),
            region: m.one("region"),
            endpoint_url: m.one("endpoint-url"),
            output: m.one("output").as_deref().and_then(Format::from_setting),
            query: m.one("query"),
            debug: m.given("debug"),
            cli_read_timeout: m.parsed("cli-read-timeout"),
            cli_connect_timeout: m.parsed("cli-connect-timeout"),
        };
        let command = match m.command.name {
            "credential-process" => {
                Command::CredentialProcess(creds::CredentialProcess::from_matches(&mut m))
            }
            "export-credentials" => {
                Command::ExportCredentials(creds::ExportCredentials::from_matches(&mut m))
            }
            "eks-token" => Command::EksToken(eks::EksToken::from_matches(&mut m)),
            "exec" => Command::Exec(exec::Exec::from_matches(m)),
            "serve" => Command::Serve(serve::Serve::from_matches(&mut m)),
            "demo" => Command::Demo,
            "completions" => Command::Completions {
                // The parser accepted only the table's shells.
                shell: m
                    .operand()
                    .and_then(Shell::from_name)
                    .unwrap_or(Shell::Bash),
            },
            name => Command::Sts(sts::Command::from_matches(name, &mut m).ok_or_else(|| {
                Stop::Usage(cmdline::UsageError {
                    reason: format!("unknown command '{name}'"),
                    command: None,
                })
            })?),
        };
        Ok(Cli { global, command })
    }
}
