//! The emulator's request parsing on arbitrary input: method, query,
//! content type and body split from the fuzzer's bytes. Nothing may panic;
//! every refusal is an STS error with a 4xx status and a one-line message.

#![no_main]

use awssts_emulator::check_request;
use libfuzzer_sys::fuzz_target;

const METHODS: [&str; 3] = ["POST", "GET", "PUT"];
const CONTENT_TYPES: [Option<&str>; 3] = [
    None,
    Some("application/x-www-form-urlencoded; charset=utf-8"),
    Some("text/plain"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let method = METHODS[usize::from(selector % 3)];
    let content_type = CONTENT_TYPES[usize::from(selector / 3 % 3)];
    // Query and body are separated by the first 0xFF byte (never valid in
    // a URL, so the query keeps its own characters).
    let (query, body) = match rest.iter().position(|&b| b == 0xff) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (&rest[..0], rest),
    };
    let Ok(query) = std::str::from_utf8(query) else {
        return;
    };
    if let Err(e) = check_request(method, query, content_type, body) {
        assert!((400..500).contains(&e.status), "{e}");
        assert!(!e.message.contains('\n'), "{e}");
        let xml = e.to_xml("id");
        assert!(xml.starts_with(b"<ErrorResponse"), "{e}");
    }
});
