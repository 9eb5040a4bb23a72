//! `awssts demo`: the library's main job, end to end, on a machine with no
//! AWS account: an emulator in this process, long-term keys, AssumeRole,
//! the temporary credentials' identity, and an auto-renewing cache.
//!
//! Nothing is read from the environment or `~/.aws` (every client gets an
//! empty [`Env`]), nothing is written, and only 127.0.0.1 is contacted.
//! Secrets are never printed: access key ids and expiry times only.

use std::io::Write;
use std::time::{Duration, Instant, SystemTime};

use awssts::credentials::Credentials;
use awssts::credentials::assume_role::AssumeRoleProvider;
use awssts::credentials::cache::{Clock, CredentialsCache, Served};
use awssts::env::Env;
use awssts::{Client, ClientBuilder, DateTime};
use awssts_emulator::{
    DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY, DEFAULT_USER_ARN, Emulator,
};

use crate::error::CliError;

const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/demo";
const SESSION_NAME: &str = "awssts-demo";
/// The shortest session STS grants: the cache renews it 5 minutes before
/// expiry at the latest, and the demo moves the clock rather than waiting.
const SESSION: Duration = Duration::from_secs(900);
/// How far the emulator's clock jumps: into the cache's mandatory refresh
/// window (the last 200 s of a 900 s session), short of expiry.
const JUMP: Duration = Duration::from_secs(13 * 60);

/// The cache reads the emulator's clock, so moving that clock forward makes
/// the cached credentials due for renewal in the cache's eyes too.
#[derive(Debug)]
struct EmulatorTime(awssts_emulator::Clock);

impl Clock for EmulatorTime {
    fn now(&self) -> SystemTime {
        self.0.now()
    }
}

/// Runs the demo, printing each step on stdout.
pub fn run() -> Result<(), CliError> {
    let runtime = crate::runtime::runtime()?;
    let mut out = Printer::default();
    let result = runtime.block_on(walk(&mut out));
    out.flush()?;
    result
}

/// Lines go out as they happen, so a failure still shows how far it got.
#[derive(Default)]
struct Printer {
    failed: Option<std::io::Error>,
}

impl Printer {
    fn line(&mut self, text: impl AsRef<str>) {
        if self.failed.is_some() {
            return;
        }
        let mut stdout = std::io::stdout().lock();
        if let Err(e) = writeln!(stdout, "{}", text.as_ref()).and_then(|()| stdout.flush()) {
            self.failed = Some(e);
        }
    }

    fn flush(&mut self) -> Result<(), CliError> {
        match self.failed.take() {
            Some(e) => Err(CliError::Other(format!("cannot write the output: {e}"))),
            None => Ok(()),
        }
    }
}

/// A client for the emulator that reads nothing from the environment or
/// the user's files.
fn builder(url: &str) -> ClientBuilder {
    Client::builder()
        .env(Env::from_vars(std::iter::empty::<(String, String)>()))
        .region("us-east-1")
        .endpoint_url(url)
}

fn failed(step: &str, e: impl std::fmt::Display) -> CliError {
    CliError::Other(format!("demo step failed ({step}): {e}"))
}

fn expiry(t: Option<SystemTime>) -> String {
    t.map(|t| DateTime::from_system_time(t).to_string())
        .unwrap_or_else(|| "never".to_owned())
}

async fn walk(out: &mut Printer) -> Result<(), CliError> {
    let started = Instant::now();
    let emulator = Emulator::new()
        .start()
        .await
        .map_err(|e| failed("starting the emulator", e))?;
    let url = emulator.url();
    out.line(format!(
        "Started a local STS emulator at {url} (no AWS account, nothing read from ~/.aws)."
    ));
    let result = steps(out, &emulator, &url).await;
    emulator.shutdown().await;
    if result.is_ok() {
        out.line(format!(
            "Done in {:.1} s. `awssts serve` runs the same emulator for your own tests.",
            started.elapsed().as_secs_f64()
        ));
    }
    result
}

async fn steps(
    out: &mut Printer,
    emulator: &awssts_emulator::RunningEmulator,
    url: &str,
) -> Result<(), CliError> {
    // 1. Long-term keys.
    let long_term = Credentials::from_keys(DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY);
    let user = builder(url)
        .credentials(long_term.clone())
        .build()
        .map_err(|e| failed("building the client", e))?;
    let me = user
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| failed("GetCallerIdentity with the long-term key", e))?;
    out.line(format!(
        "1. Long-term key {DEFAULT_ACCESS_KEY_ID} (AWS's documented example) is {}",
        me.arn.as_deref().unwrap_or(DEFAULT_USER_ARN)
    ));

    // 2. AssumeRole: temporary credentials.
    let role = user
        .assume_role()
        .role_arn(ROLE_ARN)
        .role_session_name(SESSION_NAME)
        .duration_seconds(i32::try_from(SESSION.as_secs()).unwrap_or(900))
        .send()
        .await
        .map_err(|e| failed("AssumeRole", e))?;
    let Some(c) = role.credentials.as_ref() else {
        return Err(failed("AssumeRole", "the answer held no credentials"));
    };
    out.line(format!(
        "2. AssumeRole {ROLE_ARN} -> temporary key {}, expires {}",
        c.access_key_id, c.expiration
    ));

    // 3. The temporary credentials' identity.
    let temporary = Credentials::new(
        c.access_key_id.clone(),
        c.secret_access_key.expose_secret(),
        Some(c.session_token.expose_secret().to_owned()),
        Some(c.expiration.to_system_time()),
        "demo",
    );
    let session = builder(url)
        .credentials(temporary)
        .build()
        .map_err(|e| failed("building the client", e))?;
    let me = session
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| failed("GetCallerIdentity with the temporary key", e))?;
    out.line(format!(
        "3. GetCallerIdentity with it -> {}",
        me.arn.as_deref().unwrap_or("(no ARN)")
    ));

    // 4. An auto-renewing cache around an AssumeRole provider.
    let provider = AssumeRoleProvider::builder(ROLE_ARN)
        .session_name(SESSION_NAME)
        .duration(SESSION)
        .client_builder(builder(url))
        .build(long_term)
        .map_err(|e| failed("building the AssumeRole provider", e))?;
    let cache = CredentialsCache::builder(provider)
        .clock(EmulatorTime(emulator.clock().clone()))
        .build();
    let read = |what: &'static str| {
        let cache = cache.clone();
        async move {
            cache
                .credentials_and_outcome()
                .await
                .map_err(|e| failed(what, e))
        }
    };
    let (first, _) = read("the cache's first read").await?;
    let (again, served) = read("the cache's second read").await?;
    out.line(format!(
        "4. A CredentialsCache around AssumeRole hands out {}, expires {}; read again: {} ({})",
        first.access_key_id(),
        expiry(first.expiration()),
        again.access_key_id(),
        describe(served)
    ));
    emulator.clock().advance(JUMP);
    let (renewed, served) = read("the cache's read after the clock moved").await?;
    out.line(format!(
        "5. The emulator's clock moves {} minutes on, {} s before expiry: the cache hands out {} ({}), expires {}",
        JUMP.as_secs() / 60,
        SESSION.saturating_sub(JUMP).as_secs(),
        renewed.access_key_id(),
        describe(served),
        expiry(renewed.expiration())
    ));
    if renewed.access_key_id() == first.access_key_id() {
        return Err(failed(
            "renewal",
            "the cache handed out the same key after the clock moved",
        ));
    }
    let me = builder(url)
        .credentials(cache.clone())
        .build()
        .map_err(|e| failed("building the client", e))?
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| failed("GetCallerIdentity with the renewed key", e))?;
    out.line(format!(
        "6. GetCallerIdentity through the cache -> {} (renewed key)",
        me.arn.as_deref().unwrap_or("(no ARN)")
    ));
    Ok(())
}

fn describe(served: Served) -> &'static str {
    match served {
        Served::Cached => "cached, no STS call",
        Served::Refreshed => "renewed with a new AssumeRole call",
        Served::CachedAfterFailedRefresh => "cached: the renewal failed",
        Served::CachedDuringBackoff => "cached: waiting to retry a failed renewal",
        _ => "served",
    }
}
