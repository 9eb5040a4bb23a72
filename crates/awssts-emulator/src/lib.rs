//! A local AWS STS endpoint for tests, CI and demos: it verifies SigV4
//! signatures with [`awssts::sigv4::verify`], answers every STS operation
//! with STS's XML and STS's errors, and lets a test drive faults and time.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use awssts::credentials::Credentials;
//! use awssts_emulator::{DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, Emulator};
//!
//! let emulator = Emulator::new().start().await?;
//! let client = awssts::Client::builder()
//!     .region("us-east-1")
//!     .endpoint_url(emulator.url())
//!     .credentials(Credentials::from_keys(DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY))
//!     .build()?;
//! let me = client.get_caller_identity().send().await?;
//! assert_eq!(me.arn.as_deref(), Some("arn:aws:iam::123456789012:user/emulator"));
//! emulator.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! # Identities
//!
//! With no configuration there is one account, `123456789012`, with one
//! IAM user `arn:aws:iam::123456789012:user/emulator` whose key is AWS's
//! documented example pair ([`DEFAULT_ACCESS_KEY_ID`],
//! [`DEFAULT_SECRET_ACCESS_KEY`]), and any well-formed role ARN
//! (`arn:aws:iam::ACCOUNT:role/NAME`) may be assumed by anyone, with IAM's
//! default maximum session of one hour.
//!
//! # Configuration file
//!
//! A TOML file ([`Config::load`], `awssts serve --config FILE`) declares more
//! users and roles; once it declares a role, only declared roles can be
//! assumed, and only by the principals they trust.
//!
//! ```toml
//! admin = true                          # serve /_awssts/ (off by default)
//! default_user = true                   # keep the built-in user (default)
//! management_account = "123456789012"   # who may call AssumeRoot
//!
//! [[users]]
//! arn = "arn:aws:iam::111122223333:user/alice"
//! access_key_id = "AKIAALICEEXAMPLE0001"
//! secret_access_key = "aliceSecretKeyExampleAliceSecretKeyExamp"
//! mfa_serial = "arn:aws:iam::111122223333:mfa/alice"   # optional
//! mfa_code = "123456"          # optional: the only code accepted (else any 6 digits)
//!
//! [[roles]]
//! arn = "arn:aws:iam::111122223333:role/deploy"
//! trust = ["arn:aws:iam::111122223333:user/alice", "444455556666"]  # ARNs, accounts, "*"
//! external_id = "build-42"                 # optional
//! mfa_required = false                     # optional
//! max_session_duration = 7200              # 3600 (default) to 43200
//! web_identity_audiences = ["sts.amazonaws.com"]  # optional, empty = any
//! saml_providers = ["arn:aws:iam::111122223333:saml-provider/corp"]  # optional, empty = any
//!
//! [[faults]]                               # queued at start
//! kind = "throttling"
//! count = 2
//! operation = "AssumeRole"                 # optional
//! ```
//!
//! A refused AssumeRole is STS's `AccessDenied`: `User: <caller> is not
//! authorized to perform: sts:AssumeRole on resource: <role>`.
//!
//! # Authentication
//!
//! Every operation but AssumeRoleWithWebIdentity and AssumeRoleWithSAML
//! must be signed (SigV4 header or presigned query, service `sts`, any
//! region), within 15 minutes of the emulator's clock. Temporary
//! credentials carry their whole session in their session token, protected
//! by a MAC with a key drawn at random when the emulator starts: no server
//! state, and only this emulator's credentials are accepted.
//!
//! # Faults and time
//!
//! [`RunningEmulator::faults`] queues faults ([`FaultKind`]): the next
//! requests (optionally of one operation) fail with throttling, a 500 or
//! 503, a stalled or truncated body, `ExpiredToken` or
//! `RequestTimeTooSkewed`. [`RunningEmulator::clock`] moves the emulator's
//! time forward; responses carry it in their `Date` header. The same is
//! reachable over HTTP through the admin endpoint (see [`admin`]).
//!
//! # Operations beyond the common ones
//!
//! - **AssumeRoot**: callers in the management account get a root session
//!   (GetCallerIdentity: `arn:aws:iam::TARGET:root`) in another account, for
//!   at most 900 s; the task policy must be an AWS `root-task/` policy.
//! - **AssumeRoleWithWebIdentity**: the token must be a well-formed JWT,
//!   unexpired by the emulator's clock, with an audience the role lists
//!   (`web_identity_audiences`; any when empty). Signatures are checked only
//!   for tokens the emulator issued itself ([`jwt`] explains why).
//! - **AssumeRoleWithSAML**: the base64 assertion must be SAML 2.0, within
//!   its validity window, for AWS's audience, and list the requested role and
//!   provider in its `Role` attribute; `RoleSessionName`, `SessionDuration`,
//!   `SourceIdentity` and `PrincipalTag:*` attributes are honoured. The
//!   assertion's XML signature is not checked.
//! - **GetWebIdentityToken**: ES384 or RS256 JWTs about the caller, whose
//!   keys are served at `GET /.well-known/jwks.json` (and an OIDC discovery
//!   document at `/.well-known/openid-configuration`).
//! - **DecodeAuthorizationMessage**: decodes messages made by
//!   [`RunningEmulator::encode_authorization_message`] or
//!   [`RunningEmulator::deny_message`] (or `POST /_awssts/authorization-message`).
//! - **GetDelegatedAccessToken**: trades a token from
//!   [`RunningEmulator::trade_in_token`] (or `POST /_awssts/trade-in-token`)
//!   for one-hour credentials of the principal it names;
//!   `ExpiredTradeInTokenException` once it has expired.

pub mod access_key;
pub mod admin;
mod arn;
mod auth;
pub mod authz_message;
mod clock;
mod config;
mod error;
mod faults;
mod ids;
mod incoming;
pub mod jwt;
mod keys;
mod ops;
mod outgoing;
mod request;
pub mod saml;
mod server;
mod session;
mod state;
mod toml;
mod validation;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use clock::Clock;
pub use config::{
    Config, ConfigError, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCOUNT, DEFAULT_MAX_SESSION_DURATION,
    DEFAULT_SECRET_ACCESS_KEY, DEFAULT_USER_ARN, RoleConfig, UserConfig,
};
pub use error::StsError;
pub use faults::{Fault, FaultKind, Faults};
#[doc(hidden)]
pub use incoming::{FuzzedRequest, read_for_fuzzing};
#[doc(hidden)]
pub use request::parse_request;
pub use request::{Action, MAX_BODY_BYTES, StsRequest};

/// Everything the emulator checks of a request before authenticating it:
/// the form, `Action`, `Version`, and the operation's input against the
/// model, with the STS error each failure gets. Pure; for the fuzz target.
#[doc(hidden)]
pub fn check_request(
    method: &str,
    query: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Action, StsError> {
    let request = parse_request(method, query, content_type, body)?;
    ops::check_input(request.action, &request.form)?;
    Ok(request.action)
}

/// How long a stalled body stalls unless the client gives up first.
pub const DEFAULT_STALL_LIMIT: Duration = Duration::from_secs(60);

/// How long a client has to send a request's headers, and then its body,
/// before the connection is closed (a body gets a 408 first).
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Settings for an emulator; [`start`](Emulator::start) runs it.
#[derive(Debug, Clone)]
pub struct Emulator {
    config: Config,
    config_path: Option<std::path::PathBuf>,
    addr: SocketAddr,
    stall_limit: Duration,
    read_timeout: Duration,
}

impl Default for Emulator {
    fn default() -> Self {
        Emulator::new()
    }
}

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The configuration is not usable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The address cannot be bound.
    #[error("cannot listen on {addr}: {source}; pick another port (0 picks a free one)")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// No randomness for the session master key.
    #[error("cannot draw the session master key from the system's random source: {0}")]
    Random(String),
    /// The private runtime of [`Emulator::start_blocking`] cannot start.
    #[error("cannot start the emulator's runtime: {0}")]
    Runtime(std::io::Error),
}

impl Emulator {
    /// The default emulator: built-in user, any role, on `127.0.0.1`, a free
    /// port.
    pub fn new() -> Self {
        Emulator {
            config: Config::default(),
            config_path: None,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            stall_limit: DEFAULT_STALL_LIMIT,
            read_timeout: DEFAULT_READ_TIMEOUT,
        }
    }

    /// An emulator with `config`.
    pub fn with_config(config: Config) -> Self {
        Emulator {
            config,
            ..Emulator::new()
        }
    }

    /// An emulator configured by the TOML file at `path`.
    pub fn from_config_file(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let config = Config::load(path.as_ref())?;
        Ok(Emulator {
            config,
            config_path: Some(path.as_ref().to_owned()),
            ..Emulator::new()
        })
    }

    /// Listens on `addr` (port 0: a free port).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Serves the admin endpoint (or not), whatever the configuration says.
    pub fn admin(mut self, on: bool) -> Self {
        self.config.admin = on;
        self
    }

    /// How long a `stall` fault holds a response at most.
    pub fn stall_limit(mut self, limit: Duration) -> Self {
        self.stall_limit = limit;
        self
    }

    /// How long a client has to send a request's headers, and then its
    /// body ([`DEFAULT_READ_TIMEOUT`] unless set): a client that stops
    /// halfway is disconnected instead of holding its connection open.
    pub fn read_timeout(mut self, limit: Duration) -> Self {
        self.read_timeout = limit;
        self
    }

    /// The state the server shares, around `dir`, this emulator's
    /// configuration resolved.
    fn build(self, dir: config::Directory, url: &str) -> Result<Shared, StartError> {
        let codec = session::Codec::random().map_err(|e| StartError::Random(e.to_string()))?;
        let faults = Faults::new();
        for f in self.config.faults {
            faults.push(f);
        }
        let signer = jwt::Signer::new(url).map_err(|e| StartError::Random(e.to_string()))?;
        let mut authz_secret = zeroize::Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut *authz_secret).map_err(|e| StartError::Random(e.to_string()))?;
        let authz_key = authz_message::MessageKey::new(&authz_secret)
            .map_err(|e| StartError::Random(e.to_string()))?;
        Ok(Shared {
            dir,
            codec,
            clock: Clock::new(),
            faults,
            admin: self.config.admin,
            stall_limit: self.stall_limit,
            read_timeout: self.read_timeout,
            signer,
            authz_key,
        })
    }

    /// Starts serving on the current tokio runtime (which needs I/O and
    /// time enabled).
    pub async fn start(self) -> Result<RunningEmulator, StartError> {
        // Checked before binding, so a bad configuration never holds a port.
        let path = self
            .config_path
            .as_deref()
            .unwrap_or(Path::new("<Emulator builder>"));
        let dir = self.config.resolve(path)?;
        let listener = tokio::net::TcpListener::bind(self.addr)
            .await
            .map_err(|source| StartError::Bind {
                addr: self.addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: self.addr,
            source,
        })?;
        let shared = Arc::new(self.build(dir, &format!("http://{addr}"))?);
        // Made now, off the async workers, so that the first JWKS or RS256
        // request does not stall a worker for the tens of milliseconds RSA
        // key generation takes.
        shared.signer.start_rsa_key();
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(server::serve(listener, Arc::clone(&shared), stopped));
        Ok(RunningEmulator {
            addr,
            shared,
            stop,
            task,
        })
    }

    /// Starts the emulator on a private runtime (two worker threads), for
    /// code without a tokio runtime of its own.
    pub fn start_blocking(self) -> Result<BlockingEmulator, StartError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("awssts-emulator")
            .enable_all()
            .build()
            .map_err(StartError::Runtime)?;
        let running = runtime.block_on(self.start())?;
        Ok(BlockingEmulator {
            running: Some(running),
            runtime,
        })
    }
}

use state::Shared;

/// A running emulator. Dropping it stops accepting connections; call
/// [`shutdown`](Self::shutdown) to also wait for open connections to end.
#[derive(Debug)]
pub struct RunningEmulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl RunningEmulator {
    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The emulator's clock.
    pub fn clock(&self) -> &Clock {
        &self.shared.clock
    }

    /// The fault queue.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// A trade-in token for GetDelegatedAccessToken: credentials for
    /// `principal_arn` (a user or role ARN), valid for `valid_for` of
    /// emulator time.
    pub fn trade_in_token(
        &self,
        principal_arn: &str,
        valid_for: Duration,
    ) -> Result<String, String> {
        ops::issue_trade_in_token(
            &self.shared.codec,
            principal_arn,
            self.shared.clock.unix_now(),
            valid_for,
        )
    }

    /// Encodes `decoded_json` as an authorization message that
    /// DecodeAuthorizationMessage (of this emulator only) turns back into it.
    pub fn encode_authorization_message(
        &self,
        decoded_json: &str,
    ) -> Result<String, authz_message::AuthzMessageError> {
        self.shared.authz_key.encode(decoded_json)
    }

    /// The encoded message an AWS service would attach to an `AccessDenied`
    /// for `denied`.
    pub fn deny_message(
        &self,
        denied: &authz_message::DeniedAction<'_>,
    ) -> Result<String, authz_message::AuthzMessageError> {
        self.encode_authorization_message(&authz_message::denied_message(denied))
    }

    /// The issuer (`iss`) of GetWebIdentityToken's tokens: the emulator's
    /// URL, where `/.well-known/jwks.json` serves their keys.
    pub fn issuer(&self) -> &str {
        self.shared.signer.issuer()
    }

    /// Stops accepting, lets open connections finish their request (up to a
    /// second), and returns once everything is closed.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }

    /// Runs until SIGINT or SIGTERM (Ctrl-C elsewhere), then shuts down.
    pub async fn shutdown_on_signal(self) -> std::io::Result<()> {
        wait_for_signal().await?;
        self.shutdown().await;
        Ok(())
    }
}

#[cfg(unix)]
async fn wait_for_signal() -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    Ok(())
}

#[cfg(not(unix))]
async fn wait_for_signal() -> std::io::Result<()> {
    tokio::signal::ctrl_c().await
}

/// An emulator running on its own runtime ([`Emulator::start_blocking`]).
/// Dereferences to [`RunningEmulator`]; dropping it stops it.
#[derive(Debug)]
pub struct BlockingEmulator {
    running: Option<RunningEmulator>,
    runtime: tokio::runtime::Runtime,
}

impl std::ops::Deref for BlockingEmulator {
    type Target = RunningEmulator;

    fn deref(&self) -> &RunningEmulator {
        match &self.running {
            Some(r) => r,
            // `running` is only taken by `shutdown` and `drop`, which
            // consume the value.
            None => unreachable!("BlockingEmulator used after shutdown"),
        }
    }
}

impl BlockingEmulator {
    /// Stops the emulator and waits for its connections to close.
    pub fn shutdown(mut self) {
        if let Some(r) = self.running.take() {
            self.runtime.block_on(r.shutdown());
        }
    }
}

impl Drop for BlockingEmulator {
    fn drop(&mut self) {
        if let Some(r) = self.running.take() {
            self.runtime.block_on(r.shutdown());
        }
    }
}

// The README's example is compiled as a doctest.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
