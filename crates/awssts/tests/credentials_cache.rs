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
