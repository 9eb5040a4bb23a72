//! The transport's HTTP/1.1 response reader on arbitrary server bytes,
//! delivered in reads of every size: no panics, no body over the limit,
//! and the same answer however the bytes are split when the whole response
//! arrives in one read or one byte at a time.

#![no_main]

use awssts::transport::read_for_fuzzing;
use libfuzzer_sys::fuzz_target;

const LIMIT: usize = 4096;

fuzz_target!(|data: &[u8]| {
    let Some((&control, input)) = data.split_first() else {
        return;
    };
    let head_request = control & 0x80 != 0;
    let segment = usize::from(control & 0x7f).max(1);
    let split = read_for_fuzzing(input, segment, head_request, LIMIT);
    if let Some((_, body, _)) = split {
        assert!(body <= LIMIT);
    }
    // Reusability can depend on what had arrived with the response, so
    // only the status and the body are compared.
    let whole = read_for_fuzzing(input, input.len().max(1), head_request, LIMIT);
    let bytewise = read_for_fuzzing(input, 1, head_request, LIMIT);
    assert_eq!(
        whole.map(|(s, b, _)| (s, b)),
        bytewise.map(|(s, b, _)| (s, b)),
        "one read and byte-by-byte reads disagree"
    );
});
