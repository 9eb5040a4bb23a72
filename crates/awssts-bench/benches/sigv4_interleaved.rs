//! The same three contenders as `benches/sigv4.rs`, measured interleaved:
//! rounds of 2,000 calls of each in turn, so that the slow and fast periods
//! this virtual machine goes through hit all three alike. Prints the minimum,
//! median and 90th percentile of the per-call time over the rounds, and the
//! ratios of the medians and of the minimums.
//!
//! Run with `cargo bench -p awssts-bench --bench sigv4_interleaved`.

use std::hint::black_box;
use std::time::Instant;

use awssts_bench::{
    Floor, assert_same_signature, aws_identity, run_aws_sigv4, run_awssts, session_token,
    signing_time,
};

const ROUNDS: usize = 300;
const CALLS: u32 = 2_000;

fn per_call(mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..CALLS {
        f();
    }
    start.elapsed().as_nanos() as f64 / f64::from(CALLS)
}

fn main() {
    let token = session_token();
    let time = signing_time();
    let identity = aws_identity(&token);
    assert_same_signature(&token, &identity, time);
    let floor = Floor::new(&token, time);

    let mut samples: [Vec<f64>; 3] = Default::default();
    for _ in 0..ROUNDS {
        samples[0].push(per_call(|| {
            black_box(run_awssts(&token, time));
        }));
        samples[1].push(per_call(|| {
            black_box(run_aws_sigv4(&identity, time));
        }));
        samples[2].push(per_call(|| {
            black_box(floor.run());
        }));
    }
    let mut stats = Vec::new();
    for (name, mut v) in ["awssts", "aws-sigv4", "hashing-floor"]
        .into_iter()
        .zip(samples)
    {
        v.sort_by(f64::total_cmp);
        let (min, median, p90) = (v[0], v[v.len() / 2], v[v.len() * 9 / 10]);
        println!("{name:>14}: min {min:6.0} ns  median {median:6.0} ns  p90 {p90:6.0} ns");
        stats.push((min, median));
    }
    let (ours, theirs, floor) = (stats[0], stats[1], stats[2]);
    println!(
        "awssts / floor: {:.2}x median, {:.2}x min",
        ours.1 / floor.1,
        ours.0 / floor.0
    );
    println!(
        "aws-sigv4 / awssts: {:.2}x median, {:.2}x min",
        theirs.1 / ours.1,
        theirs.0 / ours.0
    );
}
