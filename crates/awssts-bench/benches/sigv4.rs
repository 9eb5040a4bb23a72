//! SigV4 signing, side by side: `awssts::sigv4::sign` against the official
//! `aws-sigv4` crate and against the hashing floor (the SHA-256 and HMAC work
//! no correct signer can skip), for one realistic request: an STS
//! `AssumeRole` POST signed with temporary credentials.
//!
//! Run with `cargo bench -p awssts-bench --bench sigv4`; BENCHMARKS.md at the
//! repository root records the figures.

use std::hint::black_box;
use std::time::Duration;

use awssts_bench::{
    Floor, assert_same_signature, aws_identity, run_aws_sigv4, run_awssts, session_token,
    signing_time,
};
use criterion::{Criterion, criterion_group, criterion_main};

fn sigv4_signing(c: &mut Criterion) {
    let token = session_token();
    let time = signing_time();
    let identity = aws_identity(&token);
    assert_same_signature(&token, &identity, time);
    let floor = Floor::new(&token, time);

    let mut group = c.benchmark_group("sigv4_sign_assume_role");
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("awssts", |b| b.iter(|| run_awssts(black_box(&token), time)));
    group.bench_function("aws-sigv4", |b| b.iter(|| run_aws_sigv4(&identity, time)));
    group.bench_function("hashing-floor", |b| b.iter(|| floor.run()));
    group.finish();
}

criterion_group!(benches, sigv4_signing);
criterion_main!(benches);
