//! Signs the benchmark request in a loop, for counting instructions with
//! callgrind (deterministic, unlike wall-clock time on a shared machine):
//!
//! ```sh
//! cargo build --profile bench -p awssts-bench --example sigv4_callgrind
//! valgrind --tool=callgrind target/release/examples/sigv4_callgrind awssts 10000
//! ```
//!
//! The first argument picks the contender (`awssts`, `aws-sigv4` or
//! `floor`), the second the number of iterations. The per-signature count is
//! the difference of two runs with different counts, divided by the
//! difference of the counts. Note that `sha2` uses its software path under
//! valgrind (no SHA-NI), so hashing counts are far above what the CPU runs.

#![allow(clippy::expect_used)]

use std::hint::black_box;

use awssts_bench::{Floor, aws_identity, run_aws_sigv4, run_awssts, session_token, signing_time};

fn main() {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_else(|| "awssts".to_owned());
    let n: u32 = args
        .next()
        .map(|s| s.parse().expect("the iteration count is a number"))
        .unwrap_or(10_000);
    let token = session_token();
    let time = signing_time();
    match which.as_str() {
        "awssts" => {
            for _ in 0..n {
                black_box(run_awssts(&token, time));
            }
        }
        "aws-sigv4" => {
            let identity = aws_identity(&token);
            for _ in 0..n {
                black_box(run_aws_sigv4(&identity, time));
            }
        }
        "floor" => {
            let floor = Floor::new(&token, time);
            for _ in 0..n {
                black_box(floor.run());
            }
        }
        other => panic!("unknown contender {other:?}: use awssts, aws-sigv4 or floor"),
    }
}
