//! A small XML pull reader and writer, enough for awsQuery responses.
//!
//! The reader works on a `&str` (the body is checked as UTF-8 once), yields
//! element starts and ends by local name (namespace prefixes are ignored,
//! attributes skipped) and text with entities decoded. Text without entities
//! is borrowed; nesting is bounded so hostile input cannot exhaust memory.

use std::borrow::Cow;

use super::DecodeErrorKind;

/// The deepest nesting the reader accepts; STS responses use five levels.
pub(crate) const MAX_DEPTH: usize = 32;

/// One step of the pull reader.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Event<'a> {
    /// `<name ...>` or `<name .../>` (an empty element yields `Start` then `End`).
    Start(&'a str),
    /// `</name>`.
    End(&'a str),
    /// Character data (text or CDATA), entities decoded.
    Text(Cow<'a, str>),
    /// The end of the document, every element closed.
    Eof,
}

/// The pull reader.
pub(crate) struct Reader<'a> {
    src: &'a str,
    pos: usize,
    stack: [&'a str; MAX_DEPTH],
    depth: usize,
    /// Set after `<x/>`: the `End` still to report.
    pending_end: Option<&'a str>,
    seen_root: bool,
}

/// What a byte is to a tag name: part of it, its end (whitespace, `/`,
/// `>`, `<`, `=` and quotes), or the `:` before its local part. One table,
/// so that the common case (a name byte) costs one load and one test.
const NAME_BYTE: u8 = 0;
const NAME_END: u8 = 1;
const NAME_COLON: u8 = 2;
const NAME_CLASS: [u8; 256] = {
    let mut table = [NAME_BYTE; 256];
    let ends = b" \t\r\n/><=\"'";
    let mut i = 0;
    while i < ends.len() {
        table[ends[i] as usize] = NAME_END;
        i += 1;
    }
    table[b':' as usize] = NAME_COLON;
    table
};

/// The length of the tag name at the start of `s`, and where its local
/// part starts (after the last `:`). One pass over the name: every tag of
/// every response goes through here, and names are short, so a byte loop
/// beats a search call per name.
fn scan_name(s: &[u8]) -> (usize, usize) {
    let mut local = 0;
    for (i, &b) in s.iter().enumerate() {
        match NAME_CLASS[b as usize] {
            NAME_BYTE => {}
            NAME_END => return (i, local),
            _ => local = i + 1,
        }
    }
    (s.len(), local)
}

/// The length of the end tag name at the start of `s` and where its local
/// part starts, when it is `open` (the name of the element being closed)
/// without a prefix: the common case, recognised by one comparison instead
/// of a scan. Gives what [`scan_name`] would.
fn scan_end_name(s: &[u8], open: &str) -> (usize, usize) {
    let n = open.len();
    match s.get(n) {
        Some(&b) if s.starts_with(open.as_bytes()) && NAME_CLASS[b as usize] == NAME_END => (n, 0),
        _ => scan_name(s),
    }
}

impl<'a> Reader<'a> {
    pub(crate) fn new(src: &'a str) -> Self {
        Reader {
            src,
            pos: 0,
            stack: [""; MAX_DEPTH],
            depth: 0,
            pending_end: None,
            seen_root: false,
        }
    }

    fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn malformed(&self, what: &'static str) -> DecodeErrorKind {
        DecodeErrorKind::Malformed {
            problem: what,
            offset: self.pos,
        }
    }

    /// Skips past `end`, or reports truncation.
    fn skip_past(&mut self, end: &str) -> Result<&'a str, DecodeErrorKind> {
        let rest = self.rest();
        match rest.find(end) {
            Some(i) => {
                self.pos += i + end.len();
                Ok(&rest[..i])
            }
            None => Err(DecodeErrorKind::Truncated),
        }
    }

    /// The next event.
    pub(crate) fn next(&mut self) -> Result<Event<'a>, DecodeErrorKind> {
        if let Some(name) = self.pending_end.take() {
            self.depth -= 1;
            return Ok(Event::End(name));
        }
        loop {
            let rest = self.rest();
            if rest.is_empty() {
                return if self.depth == 0 && self.seen_root {
                    Ok(Event::Eof)
                } else {
                    Err(DecodeErrorKind::Truncated)
                };
            }
            let bytes = rest.as_bytes();
            if bytes[0] != b'<' {
                // One search finds where the text ends or, first, whether
                // it holds a reference to decode (most text holds none).
                let (end, has_ref) = match memchr::memchr2(b'<', b'&', bytes) {
                    Some(at) if bytes[at] == b'<' => (at, false),
                    Some(at) => (
                        memchr::memchr(b'<', &bytes[at..]).map_or(rest.len(), |lt| at + lt),
                        true,
                    ),
                    None => (rest.len(), false),
                };
                let raw = &rest[..end];
                if self.depth == 0 {
                    if raw.trim_ascii().is_empty() {
                        self.pos += end;
                        continue;
                    }
                    return Err(self.malformed("text outside the root element"));
                }
                let text = if has_ref {
                    decode_entities(raw).ok_or_else(|| self.malformed("bad entity"))?
                } else {
                    Cow::Borrowed(raw)
                };
                self.pos += end;
                return Ok(Event::Text(text));
            }
            // Dispatched on the byte after `<`: start tags, the common case,
            // are recognised with one comparison.
            match bytes.get(1) {
                Some(b'?') => {
                    self.pos += 2;
                    self.skip_past("?>")?;
                    continue;
                }
                Some(b'!') => {
                    if rest.starts_with("<!--") {
                        self.pos += 4;
                        self.skip_past("-->")?;
                        continue;
                    }
                    if rest.starts_with("<![CDATA[") {
                        if self.depth == 0 {
                            return Err(self.malformed("CDATA outside the root element"));
                        }
                        self.pos += 9;
                        let text = self.skip_past("]]>")?;
                        return Ok(Event::Text(Cow::Borrowed(text)));
                    }
                    if self.seen_root {
                        return Err(self.malformed("declaration inside the document"));
                    }
                    // A DOCTYPE: skipped (internal subsets are not supported).
                    self.pos += 2;
                    self.skip_past(">")?;
                    continue;
                }
                Some(b'/') => {
                    let after = &rest[2..];
                    let open = self.stack[self.depth.saturating_sub(1)];
                    let (len, local) = scan_end_name(after.as_bytes(), open);
                    let tail = &after[len..];
                    // Usually `>` follows the name at once.
                    let close = if tail.as_bytes().first() == Some(&b'>') {
                        0
                    } else {
                        let close = memchr::memchr(b'>', tail.as_bytes())
                            .ok_or(DecodeErrorKind::Truncated)?;
                        if !tail[..close].trim_ascii().is_empty() {
                            return Err(self.malformed("junk in an end tag"));
                        }
                        close
                    };
                    let name = &after[local..len];
                    if self.depth == 0 {
                        return Err(self.malformed("end tag without a start tag"));
                    }
                    if self.stack[self.depth - 1] != name {
                        return Err(self.malformed("end tag does not match its start tag"));
                    }
                    self.depth -= 1;
                    self.pos += 2 + len + close + 1;
                    return Ok(Event::End(name));
                }
                _ => {}
            }
            // A start tag.
            let after = &rest[1..];
            let (len, local) = scan_name(after.as_bytes());
            if len == 0 {
                return Err(self.malformed("'<' not starting a tag"));
            }
            let tail = &after[len..];
            let close = find_tag_end(tail).ok_or(DecodeErrorKind::Truncated)?;
            let empty = close > 0 && tail.as_bytes().get(close - 1) == Some(&b'/');
            if self.depth == 0 && self.seen_root {
                return Err(self.malformed("a second root element"));
            }
            if self.depth == MAX_DEPTH {
                return Err(DecodeErrorKind::TooDeep);
            }
            let name = &after[local..len];
            self.stack[self.depth] = name;
            self.depth += 1;
            self.seen_root = true;
            self.pos += 1 + len + close + 1;
            if empty {
                self.pending_end = Some(name);
            }
            return Ok(Event::Start(name));
        }
    }

    /// Steps over whitespace that only separates tags. Callers that drop
    /// text anyway (between children, inside a skipped element) use it to
    /// spare the text event; text before anything but a tag is left for
    /// `next`, which decides whether it is allowed.
    fn skip_blank(&mut self) {
        if self.pending_end.is_some() {
            return;
        }
        let rest = self.rest().as_bytes();
        let blank = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
        if blank > 0 && rest.get(blank) == Some(&b'<') {
            self.pos += blank;
        }
    }

    /// After a `Start`: the element's text (text and CDATA pieces joined),
    /// consuming its `End`. Child elements are an error.
    pub(crate) fn read_text(&mut self) -> Result<Cow<'a, str>, DecodeErrorKind> {
        let mut acc: Option<Cow<'a, str>> = None;
        loop {
            match self.next()? {
                Event::Text(t) => {
                    acc = Some(match acc {
                        None => t,
                        Some(prev) => Cow::Owned(prev.into_owned() + &t),
                    });
                }
                Event::End(_) => return Ok(acc.unwrap_or(Cow::Borrowed(""))),
                Event::Start(_) => return Err(self.malformed("element where text was expected")),
                Event::Eof => return Err(DecodeErrorKind::Truncated),
            }
        }
    }

    /// After a `Start`: skips everything up to and including its `End`.
    pub(crate) fn skip_element(&mut self) -> Result<(), DecodeErrorKind> {
        let target = self.depth - 1;
        loop {
            self.skip_blank();
            match self.next()? {
                Event::End(_) if self.depth == target => return Ok(()),
                Event::Eof => return Err(DecodeErrorKind::Truncated),
                _ => {}
            }
        }
    }

    /// Inside an element: the next child's name, skipping text between
    /// children; `None` once the element's `End` is consumed.
    pub(crate) fn next_child(&mut self) -> Result<Option<&'a str>, DecodeErrorKind> {
        loop {
            self.skip_blank();
            match self.next()? {
                Event::Start(name) => return Ok(Some(name)),
                Event::End(_) => return Ok(None),
                Event::Text(_) => {}
                Event::Eof => return Err(DecodeErrorKind::Truncated),
            }
        }
    }

    /// The root element's name (skipping the declaration and comments).
    pub(crate) fn root(&mut self) -> Result<&'a str, DecodeErrorKind> {
        match self.next()? {
            Event::Start(name) => Ok(name),
            _ => Err(self.malformed("no root element")),
        }
    }

    /// After the root's `End`: only comments and whitespace may follow.
    pub(crate) fn finish(&mut self) -> Result<(), DecodeErrorKind> {
        match self.next()? {
            Event::Eof => Ok(()),
            _ => Err(self.malformed("content after the root element")),
        }
    }
}

/// The index of the `>` closing a start tag, skipping quoted attribute values.
fn find_tag_end(tail: &str) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, b) in tail.bytes().enumerate() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return Some(i),
            None if b == b'<' => return None,
            None => {}
        }
    }
    None
}

/// Decodes the five named entities and numeric references; `None` on a
/// malformed or unknown reference.
pub(crate) fn decode_entities(raw: &str) -> Option<Cow<'_, str>> {
    let Some(first) = memchr::memchr(b'&', raw.as_bytes()) else {
        return Some(Cow::Borrowed(raw));
    };
    let mut out = String::with_capacity(raw.len());
    out.push_str(&raw[..first]);
    let mut rest = &raw[first..];
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after.find(';')?;
        let entity = &after[..semi];
        let c = match entity {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                {
                    if hex.is_empty() || hex.len() > 8 {
                        return None;
                    }
                    u32::from_str_radix(hex, 16).ok()?
                } else if let Some(dec) = entity.strip_prefix('#') {
                    if dec.is_empty() || dec.len() > 10 || !dec.bytes().all(|b| b.is_ascii_digit())
                    {
                        return None;
                    }
                    dec.parse::<u32>().ok()?
                } else {
                    return None;
                };
                if hex_or_dec_sign(entity) {
                    return None;
                }
                char::from_u32(code)?
            }
        };
        out.push(c);
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Some(Cow::Owned(out))
}

/// `from_str_radix` accepts a leading `+`; references must not have one.
fn hex_or_dec_sign(entity: &str) -> bool {
    entity.contains('+') || entity.contains('-')
}

/// Appends `s` with `&`, `<`, `>`, `"` and `'` escaped, and carriage
/// returns as `&#13;` so they survive a reader's line-ending normalization.
pub(crate) fn escape_into(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let rep: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&apos;",
            b'\r' => b"&#13;",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(rep);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// Appends `<name>`.
pub(crate) fn start(out: &mut Vec<u8>, name: &str) {
    out.push(b'<');
    out.extend_from_slice(name.as_bytes());
    out.push(b'>');
}

/// Appends `</name>`.
pub(crate) fn end(out: &mut Vec<u8>, name: &str) {
    out.extend_from_slice(b"</");
    out.extend_from_slice(name.as_bytes());
    out.push(b'>');
}

/// Appends `<name>escaped text</name>`.
pub(crate) fn text_element(out: &mut Vec<u8>, name: &str, text: &str) {
    start(out, name);
    escape_into(out, text);
    end(out, name);
}

/// Appends `<name>value</name>` for anything `Display` (numbers, timestamps)
/// without a temporary string.
pub(crate) fn display_element(out: &mut Vec<u8>, name: &str, value: impl std::fmt::Display) {
    use std::io::Write as _;
    start(out, name);
    // Writing to a Vec cannot fail.
    let _ = write!(out, "{value}");
    end(out, name);
}

/// Appends the root start tag with the STS namespace.
pub(crate) fn root_start(out: &mut Vec<u8>, name: &str) {
    out.push(b'<');
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b" xmlns=\"");
    out.extend_from_slice(super::XML_NAMESPACE.as_bytes());
    out.extend_from_slice(b"\">");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_names_read_as_a_scan_would() {
        let tails = [
            "Arn>", "Arn >", "Arn/>", "Arnx>", "Ar>", "x:Arn>", "Arn:x>", "Arn", "", ">", "Arn\n>",
            "a:b:Arn>",
        ];
        for open in ["Arn", "", "x"] {
            for tail in tails {
                assert_eq!(
                    scan_end_name(tail.as_bytes(), open),
                    scan_name(tail.as_bytes()),
                    "{tail:?} closing {open:?}"
                );
            }
        }
        assert_eq!(
            events("<a:Root><b:Arn>x</c:Arn></Root>").unwrap(),
            events("<Root><Arn>x</Arn></Root>").unwrap()
        );
    }

    fn events(src: &str) -> Result<Vec<String>, DecodeErrorKind> {
        let mut r = Reader::new(src);
        let mut out = Vec::new();
        for _ in 0..1000 {
            match r.next()? {
                Event::Start(n) => out.push(format!("<{n}")),
                Event::End(n) => out.push(format!("/{n}")),
                Event::Text(t) => out.push(format!("'{t}")),
                Event::Eof => return Ok(out),
            }
        }
        panic!("reader did not finish");
    }

    #[test]
    fn reads_entities_cdata_comments_and_prefixes() {
        let src = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- hi -->\
                   <sts:A xmlns:sts=\"x\" b='>'><B>1 &lt; 2 &amp;&#65;&#x42;&quot;&apos;&gt;</B>\
                   <C><![CDATA[<raw> & ]]>tail<!-- c --></C><D/></sts:A>\n<!-- end -->";
        assert_eq!(
            events(src).unwrap(),
            [
                "<A",
                "<B",
                "'1 < 2 &AB\"'>",
                "/B",
                "<C",
                "'<raw> & ",
                "'tail",
                "/C",
                "<D",
                "/D",
                "/A"
            ]
        );
    }

    #[test]
    fn blank_text_between_children_is_skipped_but_text_is_kept() {
        let mut r = Reader::new("<A>\n  <B>  </B>\n  <p:C> x </p:C> mixed <D><E/>\n</D>\n</A>");
        assert_eq!(r.root().unwrap(), "A");
        assert_eq!(r.next_child().unwrap(), Some("B"));
        assert_eq!(
            r.read_text().unwrap(),
            "  ",
            "blank text of an element is its value"
        );
        assert_eq!(r.next_child().unwrap(), Some("C"));
        assert_eq!(r.read_text().unwrap(), " x ");
        assert_eq!(
            r.next_child().unwrap(),
            Some("D"),
            "text between children is dropped"
        );
        r.skip_element().unwrap();
        assert_eq!(r.next_child().unwrap(), None);
        r.finish().unwrap();
        // Blank text stays an error outside the root only when it is not blank.
        assert!(matches!(
            events("<A/>\n x"),
            Err(DecodeErrorKind::Malformed { .. })
        ));
        assert_eq!(events("\n<A/>\n").unwrap(), ["<A", "/A"]);
    }

    #[test]
    fn read_text_joins_pieces() {
        let mut r = Reader::new("<A>x<![CDATA[&y]]>&amp;z</A>");
        assert_eq!(r.root().unwrap(), "A");
        assert_eq!(r.read_text().unwrap(), "x&y&z");
        r.finish().unwrap();
    }

    #[test]
    fn rejects_bad_documents() {
        for (src, truncated) in [
            ("<A><B>text", true),
            ("<A><B></A>", false),
            ("<A>&bogus;</A>", false),
            ("<A>&#xD800;</A>", false),
            ("<A>&#x+41;</A>", false),
            ("<A></A><B></B>", false),
            ("<A><!-- never closed", true),
            ("<A><![CDATA[never closed", true),
            ("<A attr=\"x", true),
            ("", true),
            ("just text", false),
            ("<A>< B></A>", false),
        ] {
            let err = events(src).unwrap_err();
            assert_eq!(
                err == DecodeErrorKind::Truncated,
                truncated,
                "{src}: {err:?}"
            );
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert_eq!(events(&deep).unwrap_err(), DecodeErrorKind::TooDeep);
        let ok = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert!(events(&ok).is_ok());
    }

    #[test]
    fn escaping_round_trips() {
        let text = "a<b>&\"c'\r\n ሴ";
        let mut out = Vec::new();
        text_element(&mut out, "T", text);
        let s = String::from_utf8(out).unwrap();
        let mut r = Reader::new(&s);
        r.root().unwrap();
        assert_eq!(r.read_text().unwrap(), text);
    }
}
