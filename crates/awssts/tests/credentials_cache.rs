//! The credentials cache: the 24 cross-SDK refresh scenarios from the
//! reference data, single flight under 1,000 concurrent tasks, strategies,
//! background renewal, the auth-failure retry, and redaction.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use awssts::credentials::cache::{Clock, CredentialsCache, CredentialsCacheBuilder, Served};
use awssts::credentials::{
    Credentials, CredentialsError, CredentialsErrorKind, ProvideCredentials,
    ProvideCredentialsFuture,
};
use serde_json::Value;

/// A clock that only moves when told to (whole seconds since the epoch).
#[derive(Clone, Debug)]
struct FakeClock(Arc<AtomicU64>);

impl FakeClock {
    fn new() -> FakeClock {
        FakeClock(Arc::new(AtomicU64::new(1_700_000_000)))
    }
    fn advance(&self, secs: u64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for FakeClock {
    fn now(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(self.0.load(Ordering::SeqCst))
    }
}

/// What the scripted source answers next.
#[derive(Debug)]
enum Answer {
    Fresh { akid: String, lifetime: u64 },
    Stale,
    Error,
    NonRecoverable,
}

/// A source that answers from a script and counts how often it is asked.
#[derive(Debug, Clone)]
struct Scripted {
    clock: FakeClock,
    script: Arc<Mutex<VecDeque<Answer>>>,
    calls: Arc<AtomicUsize>,
}

impl Scripted {
    fn new(clock: &FakeClock) -> Scripted {
        Scripted {
            clock: clock.clone(),
            script: Arc::default(),
            calls: Arc::default(),
        }
    }
    fn push(&self, answer: Answer) {
        self.script.lock().unwrap().push_back(answer);
    }
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl ProvideCredentials for Scripted {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let now = self.clock.now();
        let answer = self.script.lock().unwrap().pop_front();
        ProvideCredentialsFuture::ready(match answer {
            Some(Answer::Fresh { akid, lifetime }) => Ok(Credentials::new(
                akid,
                "fresh-secret",
                Some("fresh-token".into()),
                Some(now + Duration::from_secs(lifetime)),
                "test",
            )),
            Some(Answer::Stale) => Ok(Credentials::new(
                "AKID-STALE",
                "stale-secret",
                None,
                Some(now - Duration::from_secs(1)),
                "test",
            )),
            Some(Answer::Error) => Err(CredentialsError::new("test", "source unavailable")),
            Some(Answer::NonRecoverable) => Err(CredentialsError::invalid_configuration(
                "test",
                "source misconfigured",
            )),
            None => Err(CredentialsError::new(
                "test",
                "contacted without a scripted answer",
            )),
        })
    }
}

fn cases() -> Vec<Value> {
    let path = common::reference_dir().join("credential-refresh/credential-refresh-tests.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str::<Value>(&text)
        .unwrap()
        .as_array()
        .expect("the scenarios file is a JSON array")
        .clone()
}

/// Brings a fresh cache into the `given` state and returns it with the
/// access key id of the cached credentials.
async fn given(
    given: &Value,
    clock: &FakeClock,
    source: &Scripted,
) -> (CredentialsCache, Option<String>) {
    let mut builder: CredentialsCacheBuilder = CredentialsCache::builder(source.clone())
        .clock(clock.clone())
        .jitter(|| 0.5);
    if let Some(secs) = given["configuredAdvisoryWindowSeconds"].as_u64() {
        builder = builder.advisory_window(Duration::from_secs(secs));
    }
    if let Some(secs) = given["refreshBackoffSeconds"].as_u64() {
        let d = Duration::from_secs(secs);
        builder = builder.refresh_backoff(d, d);
    }
    let cache = builder.build();
    let state = given["cachedCredentials"]
        .as_str()
        .expect("cachedCredentials");
    if state == "none" {
        return (cache, None);
    }
    let akid = given["accessKeyId"]
        .as_str()
        .unwrap_or("AKID-SEED")
        .to_owned();
    source.push(Answer::Fresh {
        akid: akid.clone(),
        lifetime: 3600,
    });
    let (creds, served) = cache.credentials_and_outcome().await.unwrap();
    assert_eq!(
        (creds.access_key_id(), served),
        (akid.as_str(), Served::Refreshed)
    );
    let w = cache
        .refresh_windows()
        .expect("windows of the seeded credentials");
    // Seconds left before expiry in the requested state.
    let remaining = match state {
        "valid" => w.advisory.as_secs() + 60,
        "advisory" => (w.advisory.as_secs() + w.mandatory.as_secs()) / 2,
        "mandatory" => w.mandatory.as_secs() / 2,
        "expired" => 0,
        other => panic!("unknown cachedCredentials state {other:?}"),
    };
    clock.advance(3600 - remaining);
    if state == "expired" {
        clock.advance(60);
    }
    (cache, Some(akid))
}

#[tokio::test]
async fn all_24_refresh_scenarios() {
    let cases = cases();
    assert_eq!(cases.len(), 24, "the reference file has 24 scenarios");
    for (index, case) in cases.iter().enumerate() {
        let doc = case["documentation"].as_str().unwrap_or_default();
        let ctx = |step: usize| format!("scenario {} step {step} ({doc})", index + 1);
        let clock = FakeClock::new();
        let source = Scripted::new(&clock);
        let (cache, cached_akid) = given(&case["given"], &clock, &source).await;
        let mut fresh_count = 0;
        let mut last_fresh = None::<String>;
        for (s, step) in case["steps"].as_array().unwrap().iter().enumerate() {
            match step["type"].as_str().unwrap() {
                "advanceTime" => clock.advance(step["seconds"].as_u64().unwrap()),
                "invalidate" => cache.invalidate(step["rejectedAccessKeyId"].as_str().unwrap()),
                "getCredentials" => {
                    match step["response"].as_str() {
                        Some("freshCredentials") => {
                            fresh_count += 1;
                            let akid = format!("AKID-FRESH-{fresh_count}");
                            last_fresh = Some(akid.clone());
                            source.push(Answer::Fresh {
                                akid,
                                lifetime: step["lifetimeSeconds"].as_u64().unwrap_or(3600),
                            });
                        }
                        Some("staleCredentials") => source.push(Answer::Stale),
                        Some("error") => source.push(Answer::Error),
                        Some("nonRecoverableError") => source.push(Answer::NonRecoverable),
                        None => {}
                        Some(other) => panic!("{}: unknown response {other}", ctx(s)),
                    }
                    let before = source.calls();
                    let got = cache.credentials_and_outcome().await;
                    let contacted = source.calls() > before;
                    let expected = &step["expected"];
                    assert_eq!(
                        contacted,
                        expected["sourceContacted"].as_bool().unwrap(),
                        "{}: sourceContacted; got {got:?}",
                        ctx(s)
                    );
                    let rate_limited = matches!(got, Ok((_, Served::CachedDuringBackoff)));
                    assert_eq!(
                        rate_limited,
                        expected["rateLimited"].as_bool().unwrap(),
                        "{}: rateLimited; got {got:?}",
                        ctx(s)
                    );
                    match expected["result"].as_str().unwrap() {
                        "cachedCredentials" => {
                            let (creds, _) = got.unwrap_or_else(|e| panic!("{}: {e}", ctx(s)));
                            assert_eq!(
                                Some(creds.access_key_id()),
                                cached_akid.as_deref(),
                                "{}",
                                ctx(s)
                            );
                        }
                        "newCredentials" => {
                            let (creds, served) = got.unwrap_or_else(|e| panic!("{}: {e}", ctx(s)));
                            assert_eq!(
                                Some(creds.access_key_id()),
                                last_fresh.as_deref(),
                                "{}",
                                ctx(s)
                            );
                            assert_eq!(served, Served::Refreshed, "{}", ctx(s));
                        }
                        "noCredentialsError" => {
                            let e = got.expect_err(&ctx(s));
                            assert_eq!(
                                e.kind(),
                                CredentialsErrorKind::ProviderFailed,
                                "{}",
                                ctx(s)
                            );
                        }
                        "nonRecoverableError" => {
                            let e = got.expect_err(&ctx(s));
                            assert_eq!(
                                e.kind(),
                                CredentialsErrorKind::InvalidConfiguration,
                                "{}",
                                ctx(s)
                            );
                            assert!(e.to_string().contains("source misconfigured"), "{e}");
                        }
                        other => panic!("{}: unknown result {other}", ctx(s)),
                    }
                    if let Some(window) = expected["advisoryWindowSeconds"].as_u64() {
                        assert_eq!(
                            cache.refresh_windows().map(|w| w.advisory.as_secs()),
                            Some(window),
                            "{}",
                            ctx(s)
                        );
                    }
                }
                other => panic!("{}: unknown step type {other}", ctx(s)),
            }
        }
        assert!(
            source.script.lock().unwrap().is_empty(),
            "scenario {}: a scripted answer was never asked for",
            index + 1
        );
    }
}

/// A source that always works, takes a few scheduler turns to answer (so
/// concurrent callers overlap with the refresh), and counts its calls.
#[derive(Debug, Clone)]
struct Counting {
    clock: Arc<dyn Clock>,
    calls: Arc<AtomicUsize>,
    lifetime: Duration,
    /// While set, every call fails.
    failing: Arc<std::sync::atomic::AtomicBool>,
    /// Every call waits for a permit here (the test hands them out).
    gate: Option<Arc<tokio::sync::Semaphore>>,
}

impl Counting {
    fn new(clock: impl Clock + 'static, lifetime: Duration) -> Counting {
        Counting {
            clock: Arc::new(clock),
            calls: Arc::default(),
            lifetime,
            failing: Arc::default(),
            gate: None,
        }
    }
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl ProvideCredentials for Counting {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::new(async move {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            if let Some(gate) = &self.gate {
                drop(gate.acquire().await);
            }
            for _ in 0..5 {
                tokio::task::yield_now().await;
            }
            if self.failing.load(Ordering::SeqCst) {
                return Err(CredentialsError::new("counting", "source down"));
            }
            Ok(Credentials::new(
                format!("AKID-{n}"),
                "counting-secret",
                Some("counting-token".into()),
                Some(self.clock.now() + self.lifetime),
                "counting",
            ))
        })
    }
}

async fn read_concurrently(cache: &CredentialsCache, tasks: usize) -> Vec<Credentials> {
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let cache = cache.clone();
            tokio::spawn(async move { cache.credentials().await })
        })
        .collect();
    let mut out = Vec::with_capacity(tasks);
    for h in handles {
        out.push(h.await.unwrap().unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_tasks_fifty_cycles_one_refresh_each() {
    let clock = FakeClock::new();
    let source = Counting::new(clock.clone(), Duration::from_secs(3600));
    let cache = CredentialsCache::builder(source.clone())
        .clock(clock.clone())
        .build();
    cache.credentials().await.unwrap();
    assert_eq!(source.calls(), 1);
    for cycle in 0..50 {
        // Alternate between the advisory window (one caller refreshes, the
        // rest keep the current credentials) and past expiry (all wait).
        let step = if cycle % 2 == 0 { 3600 - 12 * 60 } else { 3601 };
        clock.advance(step);
        let now = clock.now();
        let got = read_concurrently(&cache, 1000).await;
        assert_eq!(source.calls(), cycle + 2, "cycle {cycle}: one refresh");
        for creds in &got {
            assert!(
                creds.expiration().unwrap() > now,
                "cycle {cycle}: handed {creds:?} past its expiry"
            );
        }
        // After the cycle everyone sees the refreshed credentials.
        let latest = format!("AKID-{}", cycle + 2);
        assert_eq!(cache.try_current().unwrap().access_key_id(), latest);
        // Rebase the next cycle on the new credentials' fetch time.
        let fetched_at =
            cache.try_current().unwrap().expiration().unwrap() - Duration::from_secs(3600);
        assert_eq!(fetched_at, now);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failure_then_recovery_single_flight_throughout() {
    let clock = FakeClock::new();
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let mut source = Counting::new(clock.clone(), Duration::from_secs(3600));
    source.gate = Some(gate.clone());
    let cache = CredentialsCache::builder(source.clone())
        .clock(clock.clone())
        .jitter(|| 0.0)
        .build();

    // Nothing cached and the source is down: one call for 200 callers, who
    // all get the error. The source is held until every caller has started
    // (and so has looked at the cache before the failure is recorded).
    source.failing.store(true, Ordering::SeqCst);
    let started = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..200)
        .map(|_| {
            let cache = cache.clone();
            let started = started.clone();
            tokio::spawn(async move {
                started.fetch_add(1, Ordering::SeqCst);
                cache.credentials().await
            })
        })
        .collect();
    for _ in 0..500 {
        if started.load(Ordering::SeqCst) == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Started is not yet waiting: give every task time to reach the cache
    // before the failure is recorded (a task that looks only afterwards
    // would rightly try again). Generous, because a loaded machine can
    // keep both workers off the CPU for tens of milliseconds; one such
    // failure was seen with 20 ms.
    tokio::time::sleep(Duration::from_millis(300)).await;
    gate.add_permits(1);
    let mut errors = 0;
    for h in handles {
        if let Err(e) = h.await.unwrap() {
            assert!(e.to_string().contains("source down"), "{e}");
            errors += 1;
        }
    }
    assert_eq!(errors, 200);
    assert_eq!(source.calls(), 1, "one call for one outage");

    source.failing.store(false, Ordering::SeqCst);
    let first = cache.credentials().await.unwrap();
    let calls = source.calls();

    // Expired and the source is down: one call, everyone keeps working
    // with the expired credentials.
    clock.advance(3700);
    source.failing.store(true, Ordering::SeqCst);
    for creds in read_concurrently(&cache, 500).await {
        assert_eq!(creds, first);
    }
    assert_eq!(source.calls(), calls + 1);
    // During the backoff (5 minutes with this jitter) the source is left alone.
    clock.advance(299);
    let (creds, served) = cache.credentials_and_outcome().await.unwrap();
    assert_eq!(
        (creds, served),
        (first.clone(), Served::CachedDuringBackoff)
    );
    assert_eq!(source.calls(), calls + 1);

    // The source recovers; after the backoff the next read refreshes.
    source.failing.store(false, Ordering::SeqCst);
    clock.advance(2);
    let got = read_concurrently(&cache, 500).await;
    assert_eq!(source.calls(), calls + 2);
    let now = clock.now();
    assert!(got.iter().all(|c| c.expiration().unwrap() > now));
}

#[tokio::test]
async fn strategies_refresh_when_they_say() {
    use awssts::credentials::cache::{Refresh, RefreshStrategy};

    async fn reads_until_refresh(refresh: Refresh, jitter: f64) -> u64 {
        let clock = FakeClock::new();
        let source = Counting::new(clock.clone(), Duration::from_secs(3600));
        let cache = CredentialsCache::builder(source.clone())
            .clock(clock.clone())
            .jitter(move || jitter)
            .refresh(refresh)
            .build();
        cache.credentials().await.unwrap();
        // Step a second at a time; report how many seconds before expiry
        // the refresh happened.
        for elapsed in 1..=3600u64 {
            clock.advance(1);
            cache.credentials().await.unwrap();
            if source.calls() == 2 {
                return 3600 - elapsed;
            }
        }
        panic!("no refresh before expiry");
    }

    assert_eq!(reads_until_refresh(Refresh::AfterExpiry, 0.5).await, 0);
    assert_eq!(
        reads_until_refresh(Refresh::Buffer(Duration::from_secs(120)), 0.5).await,
        120
    );
    assert_eq!(
        reads_until_refresh(Refresh::StaticStability, 0.5).await,
        15 * 60
    );
    assert_eq!(
        reads_until_refresh(
            Refresh::Jittered {
                window: Duration::from_secs(600)
            },
            0.25
        )
        .await,
        150
    );
    assert_eq!(
        reads_until_refresh(
            Refresh::Jittered {
                window: Duration::from_secs(600)
            },
            0.0
        )
        .await,
        0
    );

    #[derive(Debug)]
    struct LastMinute;
    impl RefreshStrategy for LastMinute {
        fn should_refresh(&self, expiration: SystemTime, now: SystemTime, _: u32) -> bool {
            expiration.duration_since(now).unwrap_or_default() <= Duration::from_secs(60)
        }
    }
    assert_eq!(
        reads_until_refresh(Refresh::Custom(Arc::new(LastMinute)), 0.5).await,
        60
    );
}

#[tokio::test]
async fn custom_strategy_sees_the_retry_count() {
    use awssts::credentials::cache::{Refresh, RefreshStrategy};

    #[derive(Debug, Default)]
    struct Recorder(Mutex<Vec<u32>>);
    impl RefreshStrategy for Recorder {
        fn should_refresh(&self, _: SystemTime, _: SystemTime, retry_count: u32) -> bool {
            self.0.lock().unwrap().push(retry_count);
            true
        }
    }
    let recorder = Arc::new(Recorder::default());
    let clock = FakeClock::new();
    let source = Counting::new(clock.clone(), Duration::from_secs(3600));
    let cache = CredentialsCache::builder(source.clone())
        .clock(clock.clone())
        .refresh(Refresh::Custom(recorder.clone()))
        .refresh_backoff(Duration::from_secs(10), Duration::from_secs(10))
        .build();
    cache.credentials().await.unwrap();
    source.failing.store(true, Ordering::SeqCst);
    cache.credentials().await.unwrap();
    clock.advance(11);
    cache.credentials().await.unwrap();
    let seen = recorder.0.lock().unwrap().clone();
    assert_eq!(seen.first(), Some(&0));
    assert_eq!(seen.last(), Some(&1), "{seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_renewal_refreshes_without_reads_and_stops_on_drop() {
    // Real time here: the task sleeps on tokio's timer. Four-second
    // credentials have a two-second advisory window.
    let source = Counting::new(
        awssts::credentials::cache::SystemClock,
        Duration::from_secs(4),
    );
    let metrics = tokio::runtime::Handle::current().metrics();
    let tasks_before = metrics.num_alive_tasks();
    let cache = CredentialsCache::builder(source.clone())
        .background_renewal(true)
        .build();
    let first = cache.credentials().await.unwrap();
    assert_eq!(source.calls(), 1);
    let mut renewed = false;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if source.calls() >= 2 {
            renewed = true;
            break;
        }
    }
    assert!(renewed, "the background task never refreshed");
    let current = cache.try_current().unwrap();
    assert_ne!(current, first);
    assert!(current.expiration().unwrap() > SystemTime::now());

    drop(cache);
    let mut stopped = false;
    for _ in 0..100 {
        if metrics.num_alive_tasks() == tasks_before {
            stopped = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(stopped, "the background task outlived its cache");
}

#[tokio::test]
async fn retry_on_auth_failure_refreshes_and_retries_exactly_once() {
    use awssts::credentials::cache::AuthRetryError;

    #[derive(Debug, PartialEq)]
    enum ReqError {
        ExpiredToken,
        Other,
    }
    let clock = FakeClock::new();
    let source = Counting::new(clock.clone(), Duration::from_secs(3600));
    let cache = CredentialsCache::builder(source.clone())
        .clock(clock.clone())
        .build();

    // The server rejects AKID-1 (revoked early) and accepts the next one.
    let attempts = Arc::new(Mutex::new(Vec::new()));
    let seen = attempts.clone();
    let out = cache
        .with_retry_on_auth_failure(
            move |creds: Credentials| {
                let seen = seen.clone();
                async move {
                    seen.lock().unwrap().push(creds.access_key_id().to_owned());
                    if creds.access_key_id() == "AKID-1" {
                        Err(ReqError::ExpiredToken)
                    } else {
                        Ok(42)
                    }
                }
            },
            |e| *e == ReqError::ExpiredToken,
        )
        .await;
    assert_eq!(out.unwrap(), 42);
    assert_eq!(*attempts.lock().unwrap(), ["AKID-1", "AKID-2"]);
    assert_eq!(source.calls(), 2);

    // A request that always fails auth is tried twice, no more.
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    let out = cache
        .with_retry_on_auth_failure(
            move |_| {
                c.fetch_add(1, Ordering::SeqCst);
                async { Err::<(), _>(ReqError::ExpiredToken) }
            },
            |e| *e == ReqError::ExpiredToken,
        )
        .await;
    assert!(matches!(
        out,
        Err(AuthRetryError::Request(ReqError::ExpiredToken))
    ));
    assert_eq!(count.load(Ordering::SeqCst), 2);
    assert_eq!(source.calls(), 3);

    // Other errors are not retried and do not refresh.
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    let out = cache
        .with_retry_on_auth_failure(
            move |_| {
                c.fetch_add(1, Ordering::SeqCst);
                async { Err::<(), _>(ReqError::Other) }
            },
            |e| *e == ReqError::ExpiredToken,
        )
        .await;
    assert!(matches!(out, Err(AuthRetryError::Request(ReqError::Other))));
    assert_eq!(count.load(Ordering::SeqCst), 1);
    assert_eq!(source.calls(), 3);
}

#[tokio::test]
async fn canary_secret_never_formatted() {
    const CANARY: &str = "CANARY-7f3a9c-secret";
    let creds = Credentials::new(
        "AKIDCANARY",
        CANARY,
        Some(format!("{CANARY}-token")),
        Some(SystemTime::now() + Duration::from_secs(3600)),
        "static",
    );
    let cache = CredentialsCache::builder(creds).build();
    let got = cache.credentials().await.unwrap();
    assert_eq!(got.secret_access_key(), CANARY);
    let builder = CredentialsCache::builder(got.clone());
    for shown in [
        format!("{cache:?}"),
        format!("{cache:#?}"),
        format!("{builder:?}"),
        format!("{got:?}"),
        got.to_string(),
    ] {
        assert!(!shown.contains("CANARY-"), "{shown}");
    }
    assert!(format!("{cache:?}").contains("AKIDCANARY"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn global_cache_is_shared_by_every_thread() {
    use awssts::credentials::global::{self, CacheKey};

    let key = CacheKey::new("counting")
        .param("test", "global_cache_is_shared_by_every_thread")
        .build();
    let source = Counting::new(
        awssts::credentials::cache::SystemClock,
        Duration::from_secs(3600),
    );
    let made = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (key, source, made) = (key.clone(), source.clone(), made.clone());
            std::thread::spawn(move || {
                global::cache(&key, || {
                    made.fetch_add(1, Ordering::SeqCst);
                    CredentialsCache::new(source)
                })
            })
        })
        .collect();
    let caches: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(made.load(Ordering::SeqCst), 1);
    assert!(caches.iter().all(|c| c.same_cache(&caches[0])));
    for cache in &caches {
        cache.credentials().await.unwrap();
    }
    assert_eq!(source.calls(), 1);
    let removed = global::remove(&key).unwrap();
    assert!(removed.same_cache(&caches[0]));
    assert!(global::get(&key).is_none());
}
