//! A cache around any credentials provider that never turns a short outage
//! of the source into an outage of ours.
//!
//! Reads are lock-free and, in the common case, touch no memory that another
//! thread writes: a clock read, one atomic load of the state's generation,
//! and a clone of this thread's own copy of the credentials (see `local`: a
//! thread keeps a copy of the last credentials it read from a cache until it
//! reads again after a change, the cache is dropped on that thread, or the
//! thread exits; the secret is wiped when the copy is dropped). Only callers
//! that have to refresh go further. The rules, checked
//! against the cross-SDK refresh scenarios in the reference data:
//!
//! - **Static stability.** Before expiry there is an *advisory* window in
//!   which the first caller refreshes while the others keep using the current
//!   credentials, then a *mandatory* window in which callers wait for the
//!   refresh ([`RefreshWindows::for_lifetime`] sizes them). When a refresh
//!   fails, or returns credentials that are already expired, the cache keeps
//!   serving what it has — even expired credentials — and waits a jittered
//!   backoff (5 to 10 minutes by default, but never past the expiry of
//!   still-valid credentials) before contacting the source again.
//! - **Non-recoverable errors** (by default [`NotLoaded`] and
//!   [`InvalidConfiguration`]: retrying cannot help until someone changes the
//!   configuration) are returned to the caller and remembered for 5 seconds,
//!   so an application that retries in a loop does not hammer the source.
//! - **Single flight.** However many callers arrive together, one of them
//!   calls the source; the rest take its result.
//! - [`CredentialsCache::invalidate`] after a request was rejected sends the
//!   next read down the mandatory path (still subject to the backoff).
//!
//! [`NotLoaded`]: super::CredentialsErrorKind::NotLoaded
//! [`InvalidConfiguration`]: super::CredentialsErrorKind::InvalidConfiguration

mod auth_retry;
mod local;
mod strategy;

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwap;

use super::{
    Credentials, CredentialsError, CredentialsErrorKind, ProvideCredentials,
    ProvideCredentialsFuture,
};

pub use auth_retry::AuthRetryError;
use strategy::{Due, Schedule, ScheduleOptions};
pub use strategy::{Refresh, RefreshStrategy, RefreshWindows};

/// Where the cache reads the time from; tests substitute a fake clock.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system's wall clock, read coarsely where the platform allows.
///
/// Refresh decisions are made minutes ahead of expiry, so a clock that is a
/// few milliseconds behind changes nothing, while the precise clock is the
/// most expensive part of a cache read (on Linux `CLOCK_REALTIME_COARSE`
/// costs a few nanoseconds, `CLOCK_REALTIME` tens).
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        coarse_now()
    }
}

#[cfg(target_os = "linux")]
fn coarse_now() -> SystemTime {
    use nix::time::{ClockId, clock_gettime};
    match clock_gettime(ClockId::CLOCK_REALTIME_COARSE) {
        Ok(ts) if ts.tv_sec() >= 0 => {
            std::time::UNIX_EPOCH
                + std::time::Duration::new(ts.tv_sec() as u64, ts.tv_nsec() as u32)
        }
        _ => SystemTime::now(),
    }
}

#[cfg(not(target_os = "linux"))]
fn coarse_now() -> SystemTime {
    SystemTime::now()
}

/// The cache's clock. The system clock is called directly, so the read
/// path has no virtual call for it.
#[derive(Clone, Debug)]
enum Time {
    System,
    Custom(Arc<dyn Clock>),
}

impl Time {
    #[inline]
    fn now(&self) -> SystemTime {
        match self {
            Time::System => coarse_now(),
            Time::Custom(clock) => clock.now(),
        }
    }
}

/// How the credentials a read returned were obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Served {
    /// From the cache, without contacting the source (no refresh was due, or
    /// another caller is refreshing in the advisory window).
    Cached,
    /// Freshly fetched from the source by this read (or by a refresh this
    /// read waited for).
    Refreshed,
    /// The source was contacted and failed, so the cached credentials (maybe
    /// expired) were served.
    CachedAfterFailedRefresh,
    /// A refresh was due, but a previous failure's backoff has not elapsed,
    /// so the source was not contacted and the cached credentials were served.
    CachedDuringBackoff,
}

/// Default backoff after a failed refresh, jittered between the two.
const DEFAULT_BACKOFF: (Duration, Duration) = (Duration::from_secs(300), Duration::from_secs(600));
/// How long a non-recoverable error is remembered.
const DEFAULT_ERROR_TTL: Duration = Duration::from_secs(5);

type Jitter = Arc<dyn Fn() -> f64 + Send + Sync>;
type Classifier = Arc<dyn Fn(&CredentialsError) -> bool + Send + Sync>;

/// A caching, refreshing wrapper around a credentials provider.
///
/// Cheap to clone (clones share the cache) and itself a
/// [`ProvideCredentials`], so it goes wherever a provider does.
///
/// Each thread that reads the cache keeps its own copy of the current
/// credentials, so reads on many threads do not contend (see the [module
/// docs](self)). A copy, secret included, lives until that thread reads the
/// cache again after a change, drops the cache, or exits, and is wiped then.
///
/// ```
/// # async fn demo() -> Result<(), awssts::credentials::CredentialsError> {
/// use awssts::credentials::{Credentials, cache::CredentialsCache};
/// let cache = CredentialsCache::new(Credentials::from_keys("AKID", "secret"));
/// let creds = cache.credentials().await?;
/// assert_eq!(creds.access_key_id(), "AKID");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct CredentialsCache {
    shared: Arc<Shared>,
}

struct Shared {
    /// Unique in the process (a counter, never reused), naming this cache in
    /// the per-thread tables of `local`.
    id: u64,
    /// The generation of the stored state, published after it is stored:
    /// a thread whose copy has this generation may serve it without loading
    /// the state.
    generation: AtomicU64,
    provider: Arc<dyn ProvideCredentials>,
    state: ArcSwap<State>,
    /// Serialises the rare writes of `state`, so that generations grow by
    /// one per stored state and `generation` ends at the stored one.
    write_lock: Mutex<()>,
    /// Held by the one caller that is refreshing.
    refresh_lock: tokio::sync::Mutex<()>,
    clock: Time,
    jitter: Jitter,
    schedule: ScheduleOptions,
    backoff: (Duration, Duration),
    error_ttl: Duration,
    non_recoverable: Classifier,
    /// Dropped with the cache, which wakes and ends the background task.
    _stop: Option<tokio::sync::oneshot::Sender<()>>,
}

/// Everything a read needs, replaced as a whole on every change.
#[derive(Clone, Default)]
struct State {
    entry: Option<Entry>,
    /// No refresh is attempted before this time (after a failure).
    backoff_until: Option<SystemTime>,
    /// Refreshes that failed in a row.
    failures: u32,
    /// A non-recoverable error, returned until its time is up.
    error: Option<CachedError>,
    /// The cached credentials were rejected: refresh as if mandatory.
    invalidated: bool,
    /// Counts completed refresh attempts, so callers that waited for one can
    /// tell it happened and take its result instead of trying again.
    attempts: u64,
    /// The last recoverable failure when there was nothing cached to serve.
    last_failure: Option<ErrorCopy>,
    /// Counts stored states (set by [`Shared::store`]).
    generation: u64,
    /// Until when a read may serve the entry, whatever it is labelled
    /// (`Cached`, or `CachedDuringBackoff` after a failure); also derived.
    serve_until: Until,
    /// Until when a read simply serves the entry as `Served::Cached`:
    /// derived from the fields above by [`State::with_limits`] whenever a
    /// state is stored, so the common read is one comparison.
    fresh_until: Until,
}

/// A precomputed bound on the time: reads strictly before it may take the
/// shortcut. Ordered `Never` < any `At` < `Forever`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
enum Until {
    /// No shortcut: every read takes the full decision.
    #[default]
    Never,
    /// Up to (not including) this time.
    At(SystemTime),
    /// Credentials that never expire.
    Forever,
}

impl Until {
    fn covers(self, now: SystemTime) -> bool {
        match self {
            Until::Never => false,
            Until::At(t) => now < t,
            Until::Forever => true,
        }
    }
}

impl State {
    /// The state with its precomputed limits filled in from its fields.
    fn with_limits(mut self) -> State {
        self.fresh_until = match &self.entry {
            _ if self.error.is_some() || self.invalidated => Until::Never,
            None => Until::Never,
            Some(Entry { schedule: None, .. }) => Until::Forever,
            Some(Entry {
                schedule: Some(schedule),
                ..
            }) => match schedule.advisory_at {
                // A custom strategy is asked on every read.
                None => Until::Never,
                Some(advisory_at) => Until::At(advisory_at.min(schedule.mandatory_at)),
            },
        };
        // In a backoff the entry is served whatever the schedule says.
        let backoff = match (&self.entry, &self.error, self.backoff_until) {
            (Some(_), None, Some(until)) => Until::At(until),
            _ => Until::Never,
        };
        self.serve_until = self.fresh_until.max(backoff);
        self
    }
}

#[derive(Clone)]
struct Entry {
    credentials: Credentials,
    /// `None` for credentials that never expire.
    schedule: Option<Schedule>,
}

#[derive(Clone)]
struct CachedError {
    error: ErrorCopy,
    until: SystemTime,
}

/// Enough of an error to hand out again (the original's source chain
/// cannot be cloned).
#[derive(Clone)]
struct ErrorCopy {
    provider: &'static str,
    kind: CredentialsErrorKind,
    message: String,
}

impl ErrorCopy {
    fn of(e: &CredentialsError) -> ErrorCopy {
        ErrorCopy {
            provider: e.provider(),
            kind: e.kind(),
            message: match std::error::Error::source(e) {
                Some(source) => format!("{}: {source}", e.message()),
                None => e.message().to_owned(),
            },
        }
    }

    fn to_error(&self) -> CredentialsError {
        CredentialsError::with_kind(self.provider, self.kind, self.message.clone())
    }
}

/// What a read has to do, decided from the state alone.
enum Decision {
    Serve(Credentials, Served),
    Fail(ErrorCopy),
    Advisory,
    Mandatory,
}

impl CredentialsCache {
    /// A cache with the default options around `provider`.
    pub fn new(provider: impl ProvideCredentials + 'static) -> CredentialsCache {
        CredentialsCache::builder(provider).build()
    }

    /// A builder for a cache around `provider`.
    pub fn builder(provider: impl ProvideCredentials + 'static) -> CredentialsCacheBuilder {
        CredentialsCacheBuilder {
            provider: Arc::new(provider),
            clock: Time::System,
            jitter: Arc::new(crate::retry::jitter),
            schedule: ScheduleOptions::default(),
            backoff: DEFAULT_BACKOFF,
            error_ttl: DEFAULT_ERROR_TTL,
            non_recoverable: Arc::new(default_non_recoverable),
            background: false,
        }
    }

    /// Whether `self` and `other` are clones of the same cache.
    pub fn same_cache(&self, other: &CredentialsCache) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// The current credentials, refreshing them first when they are due.
    pub async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        let shared = &self.shared;
        if let Some(creds) = shared.serve_local(shared.clock.now()) {
            return Ok(creds);
        }
        self.credentials_and_outcome().await.map(|(c, _)| c)
    }

    /// Like [`credentials`](Self::credentials), also saying whether the
    /// source was contacted and whether a backoff was in effect — for
    /// metrics and tests.
    pub async fn credentials_and_outcome(&self) -> Result<(Credentials, Served), CredentialsError> {
        let shared = &self.shared;
        let state = shared.state.load_full();
        match shared.decide(&state, shared.clock.now()) {
            Decision::Serve(creds, served) => Ok((creds, served)),
            Decision::Fail(e) => Err(e.to_error()),
            Decision::Advisory => match shared.refresh_lock.try_lock() {
                Ok(guard) => shared.refresh(state.attempts, guard).await,
                // Someone is already refreshing: keep using what we have.
                Err(_) => match &state.entry {
                    Some(entry) => Ok((entry.credentials.clone(), Served::Cached)),
                    None => {
                        let guard = shared.refresh_lock.lock().await;
                        shared.refresh(state.attempts, guard).await
                    }
                },
            },
            Decision::Mandatory => {
                let guard = shared.refresh_lock.lock().await;
                shared.refresh(state.attempts, guard).await
            }
        }
    }

    /// The cached credentials, if there are any, without refreshing or
    /// waiting — for callers that must not await. They may be in a refresh
    /// window or even expired (check [`Credentials::expiration`]).
    pub fn try_current(&self) -> Option<Credentials> {
        let shared = &self.shared;
        let generation = shared.generation.load(Ordering::Acquire);
        if let Some(creds) = local::get_any_time(shared.id, generation) {
            return Some(creds);
        }
        let state = shared.state.load();
        let entry = state.entry.as_ref()?;
        Some(local::put(
            shared.id,
            state.generation,
            state.serve_until,
            &entry.credentials,
        ))
    }

    /// Reads the cached credentials through `f` without cloning them (no
    /// reference count is touched), or `None` when nothing is cached.
    pub fn with_current<R>(&self, f: impl FnOnce(&Credentials) -> R) -> Option<R> {
        self.shared
            .state
            .load()
            .entry
            .as_ref()
            .map(|e| f(&e.credentials))
    }

    /// The refresh windows of the cached credentials under the default
    /// strategy, or `None` (nothing cached, no expiry, another strategy).
    pub fn refresh_windows(&self) -> Option<RefreshWindows> {
        self.shared
            .state
            .load()
            .entry
            .as_ref()
            .and_then(|e| e.schedule.as_ref())
            .and_then(|s| s.windows)
    }

    /// Marks the cached credentials as rejected (call it when a request
    /// failed with an expired or invalid token), so the next read refreshes
    /// and waits for it. Only takes effect when `rejected_access_key_id` is
    /// the cached one: if another caller has refreshed meanwhile, the new
    /// credentials are kept.
    pub fn invalidate(&self, rejected_access_key_id: &str) {
        let shared = &self.shared;
        let _write = shared
            .write_lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let state = shared.state.load();
        let matches = state
            .entry
            .as_ref()
            .is_some_and(|e| e.credentials.access_key_id() == rejected_access_key_id);
        if matches && !state.invalidated {
            let next = State {
                invalidated: true,
                ..State::clone(&state)
            };
            drop(state);
            shared.store_locked(next);
        }
    }
}

impl Shared {
    /// Stores `next` as the state, with its generation and limits.
    fn store(&self, next: State) {
        let _write = self
            .write_lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        self.store_locked(next);
    }

    /// [`store`](Self::store) for a caller that holds the write lock.
    fn store_locked(&self, mut next: State) {
        next.generation = self.state.load().generation.wrapping_add(1);
        let generation = next.generation;
        self.state.store(Arc::new(next.with_limits()));
        // After the state: a reader that sees this generation and has a copy
        // of it serves what is now stored.
        self.generation.store(generation, Ordering::Release);
    }

    /// The hot path: this thread's copy, or failing that a fresh copy of the
    /// stored entry, when it may be served at `now` without a decision.
    fn serve_local(&self, now: SystemTime) -> Option<Credentials> {
        let generation = self.generation.load(Ordering::Acquire);
        if let Some(creds) = local::get(self.id, generation, now) {
            return Some(creds);
        }
        let state = self.state.load();
        let entry = state.entry.as_ref()?;
        state.serve_until.covers(now).then(|| {
            local::put(
                self.id,
                state.generation,
                state.serve_until,
                &entry.credentials,
            )
        })
    }

    fn decide(&self, state: &State, now: SystemTime) -> Decision {
        // The common case, decided when the state was stored.
        if let Some(entry) = &state.entry
            && state.fresh_until.covers(now)
        {
            return Decision::Serve(entry.credentials.clone(), Served::Cached);
        }
        if let Some(cached) = &state.error
            && now < cached.until
        {
            return Decision::Fail(cached.error.clone());
        }
        let Some(entry) = &state.entry else {
            return Decision::Mandatory;
        };
        let due = if state.invalidated {
            Due::Mandatory
        } else {
            match &entry.schedule {
                Some(schedule) => self.schedule.due(schedule, now, state.failures),
                None => Due::No,
            }
        };
        match due {
            Due::No => Decision::Serve(entry.credentials.clone(), Served::Cached),
            _ if state.backoff_until.is_some_and(|until| now < until) => {
                Decision::Serve(entry.credentials.clone(), Served::CachedDuringBackoff)
            }
            Due::Advisory => Decision::Advisory,
            Due::Mandatory => Decision::Mandatory,
        }
    }

    /// Refreshes while holding the refresh lock. `seen_attempts` is the
    /// attempt count the caller saw before it waited for the lock.
    async fn refresh(
        &self,
        seen_attempts: u64,
        _guard: tokio::sync::MutexGuard<'_, ()>,
    ) -> Result<(Credentials, Served), CredentialsError> {
        let state = self.state.load_full();
        if state.attempts != seen_attempts {
            // A refresh finished while we waited: take its outcome.
            return match (&state.entry, &state.error, &state.last_failure) {
                (_, Some(cached), _) => Err(cached.error.to_error()),
                (Some(entry), _, _) => {
                    let served = if state.backoff_until.is_some() {
                        Served::CachedAfterFailedRefresh
                    } else {
                        Served::Refreshed
                    };
                    Ok((entry.credentials.clone(), served))
                }
                (None, _, Some(failure)) => Err(failure.to_error()),
                (None, _, None) => Err(CredentialsError::new(
                    "cache",
                    "no credentials are cached and the last refresh produced none",
                )),
            };
        }
        let result = self.provider.provide_credentials().await;
        let now = self.clock.now();
        let result = match result {
            Ok(c) if c.expiration().is_some_and(|exp| exp <= now) => Err(CredentialsError::new(
                c.provider_name(),
                format!(
                    "the source returned credentials ({}) that had already expired; \
                         check the source's clock and its session duration",
                    c.access_key_id()
                ),
            )),
            other => other,
        };
        let mut next = State {
            attempts: state.attempts.wrapping_add(1),
            ..State::clone(&state)
        };
        let outcome = match result {
            Ok(credentials) => {
                let schedule = credentials
                    .expiration()
                    .map(|exp| self.schedule.schedule(exp, now, (self.jitter)()));
                tracing::debug!(
                    access_key_id = credentials.access_key_id(),
                    provider = credentials.provider_name(),
                    "credentials refreshed"
                );
                next = State {
                    entry: Some(Entry {
                        credentials: credentials.clone(),
                        schedule,
                    }),
                    attempts: next.attempts,
                    ..State::default()
                };
                Ok((credentials, Served::Refreshed))
            }
            Err(e) if (self.non_recoverable)(&e) => {
                tracing::debug!(error = %e, "credentials refresh failed, not retrying for a while");
                next.error = Some(CachedError {
                    error: ErrorCopy::of(&e),
                    until: now + self.error_ttl,
                });
                Err(e)
            }
            Err(e) => match &state.entry {
                Some(entry) => {
                    let backoff = self.backoff_after(entry, now);
                    tracing::warn!(
                        error = %e,
                        retry_in_secs = backoff.as_secs(),
                        "credentials refresh failed; serving the cached credentials"
                    );
                    next.backoff_until = Some(now + backoff);
                    next.failures = next.failures.saturating_add(1);
                    next.error = None;
                    Ok((entry.credentials.clone(), Served::CachedAfterFailedRefresh))
                }
                None => {
                    // A recoverable failure: an older (expired) cached
                    // error must not be handed to callers queued behind it.
                    next.error = None;
                    next.last_failure = Some(ErrorCopy::of(&e));
                    next.failures = next.failures.saturating_add(1);
                    Err(e)
                }
            },
        };
        self.store(next);
        outcome
    }

    /// The jittered wait before the next attempt, cut short at the expiry of
    /// credentials that are still valid so that expiry gets one more try.
    fn backoff_after(&self, entry: &Entry, now: SystemTime) -> Duration {
        let (min, max) = self.backoff;
        let jittered = min + (max.saturating_sub(min)).mul_f64((self.jitter)().clamp(0.0, 1.0));
        match entry.schedule.as_ref().map(|s| s.expiration) {
            Some(exp) if exp > now => jittered.min(exp.duration_since(now).unwrap_or_default()),
            _ => jittered,
        }
    }

    /// When a background task should next look at the cache.
    fn next_wakeup(&self, now: SystemTime) -> Option<SystemTime> {
        let state = self.state.load();
        let schedule = state.entry.as_ref()?.schedule.as_ref()?;
        let due = schedule.advisory_at.unwrap_or(schedule.mandatory_at);
        let due = match state.backoff_until {
            Some(until) if until > due => until,
            _ => due,
        };
        Some(due.max(now))
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        local::forget(self.id);
    }
}

fn default_non_recoverable(e: &CredentialsError) -> bool {
    matches!(
        e.kind(),
        CredentialsErrorKind::NotLoaded | CredentialsErrorKind::InvalidConfiguration
    )
}

impl ProvideCredentials for CredentialsCache {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        // The common case answers without allocating a future, from this
        // thread's own copy.
        let shared = &self.shared;
        let now = shared.clock.now();
        if let Some(creds) = shared.serve_local(now) {
            return ProvideCredentialsFuture::ready(Ok(creds));
        }
        let state = shared.state.load();
        match shared.decide(&state, now) {
            Decision::Serve(creds, _) => ProvideCredentialsFuture::ready(Ok(creds)),
            Decision::Fail(e) => ProvideCredentialsFuture::ready(Err(e.to_error())),
            Decision::Advisory | Decision::Mandatory => {
                ProvideCredentialsFuture::new(self.credentials())
            }
        }
    }

    /// The cached provider's name: a cache in front of a role's provider
    /// still counts as a role's credentials (for the role-chaining cap).
    fn provider_name(&self) -> &'static str {
        self.shared.provider.provider_name()
    }
}

impl fmt::Debug for CredentialsCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.state.load();
        f.debug_struct("CredentialsCache")
            .field("provider", &self.shared.provider)
            // Credentials' Debug is redacted.
            .field("cached", &state.entry.as_ref().map(|e| &e.credentials))
            .field("backoff_until", &state.backoff_until)
            .field("invalidated", &state.invalidated)
            .field("refresh", &self.shared.schedule.refresh)
            .finish_non_exhaustive()
    }
}

/// Options for a [`CredentialsCache`].
#[must_use]
pub struct CredentialsCacheBuilder {
    provider: Arc<dyn ProvideCredentials>,
    clock: Time,
    jitter: Jitter,
    schedule: ScheduleOptions,
    backoff: (Duration, Duration),
    error_ttl: Duration,
    non_recoverable: Classifier,
    background: bool,
}

impl fmt::Debug for CredentialsCacheBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialsCacheBuilder")
            .field("provider", &self.provider)
            .field("clock", &self.clock)
            .field("refresh", &self.schedule.refresh)
            .field("backoff", &self.backoff)
            .field("background", &self.background)
            .finish_non_exhaustive()
    }
}

impl CredentialsCacheBuilder {
    /// When to refresh (default [`Refresh::StaticStability`]).
    pub fn refresh(mut self, refresh: Refresh) -> Self {
        self.schedule.refresh = refresh;
        self
    }

    /// A fixed advisory window instead of one sized from the lifetime
    /// (static stability only); the mandatory window becomes two thirds of
    /// it unless set too.
    pub fn advisory_window(mut self, window: Duration) -> Self {
        self.schedule.advisory = Some(window);
        self
    }

    /// A fixed mandatory window (static stability only; at most the
    /// advisory window).
    pub fn mandatory_window(mut self, window: Duration) -> Self {
        self.schedule.mandatory = Some(window);
        self
    }

    /// The backoff after a failed refresh, jittered between `min` and `max`
    /// (default 5 to 10 minutes).
    pub fn refresh_backoff(mut self, min: Duration, max: Duration) -> Self {
        self.backoff = (min.min(max), max.max(min));
        self
    }

    /// How long a non-recoverable error is remembered (default 5 s).
    pub fn error_cache_ttl(mut self, ttl: Duration) -> Self {
        self.error_ttl = ttl;
        self
    }

    /// Which errors are non-recoverable: returned to the caller even when
    /// credentials are cached, and remembered briefly. The default is the
    /// `NotLoaded` and `InvalidConfiguration` kinds.
    pub fn non_recoverable(
        mut self,
        classify: impl Fn(&CredentialsError) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.non_recoverable = Arc::new(classify);
        self
    }

    /// The clock (default: the system clock).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Time::Custom(Arc::new(clock));
        self
    }

    /// The source of uniform random numbers in `[0, 1)` used for jitter.
    pub fn jitter(mut self, jitter: impl Fn() -> f64 + Send + Sync + 'static) -> Self {
        self.jitter = Arc::new(jitter);
        self
    }

    /// Renew ahead of time on a tokio task, so reads do not wait. The task
    /// stops when the last clone of the cache is dropped. Needs a tokio
    /// runtime when [`build`](Self::build) runs; without one this option is
    /// ignored (with a warning) and refreshes happen on reads as usual.
    pub fn background_renewal(mut self, enabled: bool) -> Self {
        self.background = enabled;
        self
    }

    /// The cache. Nothing is fetched until the first read.
    pub fn build(self) -> CredentialsCache {
        let runtime = if self.background {
            let handle = tokio::runtime::Handle::try_current();
            if handle.is_err() {
                tracing::warn!(
                    "credentials cache: background renewal needs a tokio runtime; \
                     refreshing on reads instead"
                );
            }
            handle.ok()
        } else {
            None
        };
        let (stop_tx, stop_rx) = match runtime {
            Some(_) => {
                let (tx, rx) = tokio::sync::oneshot::channel();
                (Some(tx), Some(rx))
            }
            None => (None, None),
        };
        static IDS: AtomicU64 = AtomicU64::new(1);
        let shared = Arc::new(Shared {
            id: IDS.fetch_add(1, Ordering::Relaxed),
            generation: AtomicU64::new(0),
            provider: self.provider,
            state: ArcSwap::from_pointee(State::default()),
            write_lock: Mutex::new(()),
            refresh_lock: tokio::sync::Mutex::new(()),
            clock: self.clock,
            jitter: self.jitter,
            schedule: self.schedule,
            backoff: self.backoff,
            error_ttl: self.error_ttl,
            non_recoverable: self.non_recoverable,
            _stop: stop_tx,
        });
        if let (Some(handle), Some(stop)) = (runtime, stop_rx) {
            handle.spawn(renew(Arc::downgrade(&shared), stop));
        }
        CredentialsCache { shared }
    }
}

/// Longest sleep of the background task, so a changed wall clock (suspend,
/// NTP step) is noticed.
const MAX_SLEEP: Duration = Duration::from_secs(60);
/// Pause of the background task when there is nothing to renew yet.
const IDLE_SLEEP: Duration = Duration::from_secs(1);

/// The background renewal loop; ends when the cache is gone.
async fn renew(shared: Weak<Shared>, mut stop: tokio::sync::oneshot::Receiver<()>) {
    // Sleeps, or returns `true` when the cache was dropped meanwhile.
    async fn sleep_or_stop(d: Duration, stop: &mut tokio::sync::oneshot::Receiver<()>) -> bool {
        tokio::time::timeout(d, stop).await.is_ok()
    }
    loop {
        let sleep = {
            let Some(shared) = shared.upgrade() else {
                return;
            };
            let now = shared.clock.now();
            match shared.next_wakeup(now) {
                Some(at) => at.duration_since(now).unwrap_or_default().min(MAX_SLEEP),
                None => IDLE_SLEEP,
            }
        };
        if !sleep.is_zero() {
            if sleep_or_stop(sleep, &mut stop).await {
                return;
            }
            continue;
        }
        let Some(shared) = shared.upgrade() else {
            return;
        };
        let cache = CredentialsCache { shared };
        if let Err(e) = cache.credentials().await {
            tracing::debug!(error = %e, "background credentials renewal failed");
        }
        // Whatever happened, the state has moved on (new credentials, a
        // backoff or a cached error); a short pause keeps a source that keeps
        // returning near-expired credentials from being called in a loop.
        drop(cache);
        if sleep_or_stop(IDLE_SLEEP, &mut stop).await {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;

    #[derive(Debug, Clone)]
    struct FakeClock(Arc<AtomicU64>);

    impl Clock for FakeClock {
        fn now(&self) -> SystemTime {
            SystemTime::UNIX_EPOCH + Duration::from_secs(self.0.load(Ordering::SeqCst))
        }
    }

    /// Hands out `AKID1`, `AKID2`, … valid for one hour from the fake now.
    #[derive(Debug)]
    struct Numbered {
        clock: FakeClock,
        calls: AtomicU32,
    }

    impl ProvideCredentials for Numbered {
        fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            ProvideCredentialsFuture::ready(Ok(Credentials::new(
                format!("AKID{n}"),
                "secret",
                Some("token".into()),
                Some(self.clock.now() + Duration::from_secs(3600)),
                "numbered",
            )))
        }
    }

    fn read(cache: &CredentialsCache) -> String {
        let mut fut = ProvideCredentials::provide_credentials(cache);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match std::pin::Pin::new(&mut fut).poll(&mut cx) {
            std::task::Poll::Ready(Ok(c)) => c.access_key_id().to_owned(),
            other => panic!("expected ready credentials, got {other:?}"),
        }
    }

    use std::future::Future;

    fn cache() -> (CredentialsCache, Arc<AtomicU64>) {
        let now = Arc::new(AtomicU64::new(1_000_000));
        let clock = FakeClock(now.clone());
        let provider = Numbered {
            clock: clock.clone(),
            calls: AtomicU32::new(0),
        };
        (
            CredentialsCache::builder(provider).clock(clock).build(),
            now,
        )
    }

    #[test]
    fn per_thread_copies_follow_refreshes_invalidation_and_the_clock() {
        let (cache, now) = cache();
        assert_eq!(read(&cache), "AKID1");
        // Served from this thread's copy from now on.
        assert_eq!(read(&cache), "AKID1");
        assert_eq!(cache.try_current().unwrap().access_key_id(), "AKID1");

        // Another thread reads the same credentials, then refreshes after an
        // invalidation; this thread must drop its copy.
        std::thread::scope(|s| {
            s.spawn(|| {
                assert_eq!(read(&cache), "AKID1");
                cache.invalidate("AKID1");
                assert_eq!(read(&cache), "AKID2");
            });
        });
        assert_eq!(read(&cache), "AKID2");
        assert_eq!(cache.try_current().unwrap().access_key_id(), "AKID2");

        // Invalidation on this thread sends its next read to the source.
        cache.invalidate("AKID2");
        assert_eq!(read(&cache), "AKID3");

        // The fake clock still decides: one second before the advisory
        // window (15 minutes for one-hour credentials) the copy is served,
        // inside it this read refreshes.
        assert_eq!(read(&cache), "AKID3");
        now.fetch_add(3600 - 900 - 1, Ordering::SeqCst);
        assert_eq!(read(&cache), "AKID3");
        now.fetch_add(1, Ordering::SeqCst);
        assert_eq!(read(&cache), "AKID4");
    }

    #[test]
    fn a_dropped_cache_leaves_no_copy_in_the_dropping_thread() {
        let (cache, _now) = cache();
        // The first read refreshes, the second makes this thread's copy.
        assert_eq!(read(&cache), "AKID1");
        assert_eq!(read(&cache), "AKID1");
        let id = cache.shared.id;
        assert!(local::get_any_time(id, cache.shared.generation.load(Ordering::SeqCst)).is_some());
        let generation = cache.shared.generation.load(Ordering::SeqCst);
        drop(cache);
        assert!(local::get_any_time(id, generation).is_none());
    }
}
