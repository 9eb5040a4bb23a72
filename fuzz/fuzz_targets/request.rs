//! Turns fuzzer bytes into the parts of an HTTP request: a method line, a
//! path line, a query line, `name:value` header lines up to an empty line,
//! then the body.

pub struct Parts<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub headers: Vec<(&'a str, &'a str)>,
    pub body: &'a [u8],
}

pub fn split(data: &[u8]) -> Option<Parts<'_>> {
    let end = data
        .windows(2)
        .position(|w| w == b"\n\n")
        .unwrap_or(data.len());
    let head = std::str::from_utf8(&data[..end]).ok()?;
    let body = data.get(end + 2..).unwrap_or_default();
    let mut lines = head.split('\n');
    let method = lines.next()?;
    let path = lines.next().unwrap_or("/");
    let query = lines.next().unwrap_or("");
    let headers = lines
        .map(|l| l.split_once(':').unwrap_or((l, "")))
        .collect();
    Some(Parts {
        method,
        path,
        query,
        headers,
        body,
    })
}
