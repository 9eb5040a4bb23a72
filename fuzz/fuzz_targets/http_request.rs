//! The emulator's HTTP/1.1 request reader on arbitrary client bytes,
//! delivered in reads of every size: no panics, no body over the limit,
//! and the same requests (and the same end: a 400, a refusal, a close)
//! whether the bytes arrive in one read, one byte at a time or in the
//! fuzzer's segments.

#![no_main]

use awssts_emulator::{FuzzedRequest, MAX_BODY_BYTES, read_for_fuzzing};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&control, input)) = data.split_first() else {
        return;
    };
    let segment = usize::from(control).max(1);
    let split = read_for_fuzzing(input, segment);
    for request in &split {
        if let FuzzedRequest::Read { body, .. } = request {
            assert!(*body <= MAX_BODY_BYTES);
        }
    }
    let whole = read_for_fuzzing(input, input.len().max(1));
    let bytewise = read_for_fuzzing(input, 1);
    assert_eq!(split, whole, "{segment}-byte reads and one read disagree");
    assert_eq!(bytewise, whole, "byte-by-byte reads and one read disagree");
});
