//! Reading cached credentials: awssts' `CredentialsCache` against the
//! official SDK's lazy identity cache (what aws-config installs), with the
//! cache warm. Uncontended, and with a second thread reading the same cache
//! at the same time (the figure is the main thread's time per read).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant, SystemTime};

use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_async::rt::sleep::{SharedAsyncSleep, TokioSleep};
use aws_smithy_async::time::{SharedTimeSource, SystemTimeSource};
use aws_smithy_runtime::client::identity::IdentityCache;
use aws_smithy_runtime_api::client::identity::{
    ResolveCachedIdentity, SharedIdentityCache, SharedIdentityResolver,
};
use aws_smithy_runtime_api::client::runtime_components::{
    RuntimeComponents, RuntimeComponentsBuilder,
};
use aws_smithy_types::config_bag::ConfigBag;
use awssts::credentials::cache::CredentialsCache;
use awssts::credentials::{Credentials, ProvideCredentials};
use criterion::{Criterion, criterion_group, criterion_main};

/// Both caches answer a warm read without suspending; anything else is a
/// broken benchmark, not a slow one.
fn ready<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("a warm cache read suspended"),
    }
}

trait Reader: Clone + Send + 'static {
    fn read(&self);
}

#[derive(Clone)]
struct Ours(CredentialsCache);

impl Reader for Ours {
    fn read(&self) {
        black_box(ready(self.0.provide_credentials()).unwrap());
    }
}

#[derive(Clone)]
struct TryCurrent(CredentialsCache);

impl Reader for TryCurrent {
    fn read(&self) {
        black_box(self.0.try_current().unwrap());
    }
}

#[derive(Clone)]
struct Sdk {
    cache: SharedIdentityCache,
    resolver: SharedIdentityResolver,
    components: Arc<RuntimeComponents>,
    bag: Arc<ConfigBag>,
    // The SDK cache creates a tokio timer on every read.
    rt: Arc<tokio::runtime::Runtime>,
}

impl Reader for Sdk {
    fn read(&self) {
        let _enter = self.rt.enter();
        let fut =
            self.cache
                .resolve_cached_identity(self.resolver.clone(), &self.components, &self.bag);
        black_box(ready(fut).unwrap());
    }
}

fn ours() -> CredentialsCache {
    let creds = Credentials::new(
        "AKIDEXAMPLE",
        "secret",
        Some("token".into()),
        Some(SystemTime::now() + Duration::from_secs(3600)),
        "bench",
    );
    let cache = CredentialsCache::new(creds);
    ready(cache.credentials()).unwrap();
    cache
}

fn sdk() -> Sdk {
    let rt = Arc::new(
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap(),
    );
    let creds = aws_credential_types::Credentials::new(
        "AKIDEXAMPLE",
        "secret",
        Some("token".into()),
        Some(SystemTime::now() + Duration::from_secs(3600)),
        "bench",
    );
    let cache = IdentityCache::lazy().build();
    let components = RuntimeComponentsBuilder::for_tests()
        .with_time_source(Some(SharedTimeSource::new(SystemTimeSource::new())))
        .with_sleep_impl(Some(SharedAsyncSleep::new(TokioSleep::new())))
        .with_identity_cache(Some(cache.clone()))
        .build()
        .unwrap();
    let sdk = Sdk {
        cache,
        resolver: SharedIdentityResolver::new(SharedCredentialsProvider::new(creds)),
        components: Arc::new(components),
        bag: Arc::new(ConfigBag::base()),
        rt: rt.clone(),
    };
    // The first read loads the credentials (on the runtime: it may wait).
    let _enter = rt.enter();
    rt.block_on(
        sdk.cache
            .resolve_cached_identity(sdk.resolver.clone(), &sdk.components, &sdk.bag),
    )
    .unwrap();
    sdk
}

/// Time per read on this thread while another thread reads the same cache
/// in a loop.
fn contended<R: Reader>(reader: &R, iters: u64) -> Duration {
    let stop = Arc::new(AtomicBool::new(false));
    let other = {
        let (reader, stop) = (reader.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                for _ in 0..64 {
                    reader.read();
                }
            }
        })
    };
    let start = Instant::now();
    for _ in 0..iters {
        reader.read();
    }
    let elapsed = start.elapsed();
    stop.store(true, Ordering::Relaxed);
    other.join().unwrap();
    elapsed
}

fn bench(c: &mut Criterion) {
    let ours = ours();
    let sdk = sdk();
    let mut g = c.benchmark_group("credentials_cache_read");
    g.bench_function("awssts/uncontended", |b| {
        let r = Ours(ours.clone());
        b.iter(|| r.read())
    });
    g.bench_function("awssts_try_current/uncontended", |b| {
        let r = TryCurrent(ours.clone());
        b.iter(|| r.read())
    });
    g.bench_function("aws-config/uncontended", |b| b.iter(|| sdk.read()));
    g.bench_function("awssts/2_threads", |b| {
        let r = Ours(ours.clone());
        b.iter_custom(|iters| contended(&r, iters))
    });
    g.bench_function("awssts_try_current/2_threads", |b| {
        let r = TryCurrent(ours.clone());
        b.iter_custom(|iters| contended(&r, iters))
    });
    g.bench_function("aws-config/2_threads", |b| {
        b.iter_custom(|iters| contended(&sdk, iters))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
