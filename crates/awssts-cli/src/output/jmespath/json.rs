//! JSON text to a `Doc`, for the literals of an expression (`` `{"a": 1}` ``,
//! quoted identifiers) as Python's `json.loads` reads them: object keys in
//! their written order (a repeated key keeps its first place and takes the
//! last value), integers apart from floats, and `NaN`/`Infinity` accepted.

use crate::output::doc::Doc;

/// Literals come from the user; nesting deeper than this is refused rather
/// than recursed into.
const MAX_DEPTH: usize = 64;

/// Parses a whole JSON text; `None` when it is not valid JSON.
pub fn parse(text: &str) -> Option<Doc> {
    let mut p = Reader {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    let doc = p.value(0)?;
    p.skip_space();
    (p.pos == p.bytes.len()).then_some(doc)
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, word: &str) -> bool {
        let hit = self.bytes[self.pos..].starts_with(word.as_bytes());
        if hit {
            self.pos += word.len();
        }
        hit
    }

    fn value(&mut self, depth: usize) -> Option<Doc> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_space();
        match self.peek()? {
            b'{' => self.object(depth),
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                self.skip_space();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Some(Doc::List(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.skip_space();
                    match self.peek()? {
                        b',' => self.pos += 1,
                        b']' => {
                            self.pos += 1;
                            return Some(Doc::List(items));
                        }
                        _ => return None,
                    }
                }
            }
            b'"' => self.string().map(Doc::Str),
            _ if self.eat("null") => Some(Doc::Null),
            _ if self.eat("true") => Some(Doc::Bool(true)),
            _ if self.eat("false") => Some(Doc::Bool(false)),
            _ if self.eat("NaN") => Some(Doc::Float(f64::NAN)),
            _ if self.eat("Infinity") => Some(Doc::Float(f64::INFINITY)),
            _ if self.eat("-Infinity") => Some(Doc::Float(f64::NEG_INFINITY)),
            _ => self.number(),
        }
    }

    fn object(&mut self, depth: usize) -> Option<Doc> {
        self.pos += 1;
        let mut members: Vec<(String, Doc)> = Vec::new();
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Some(Doc::Map(members));
        }
        loop {
            self.skip_space();
            if self.peek()? != b'"' {
                return None;
            }
            let key = self.string()?;
            self.skip_space();
            if !self.eat(":") {
                return None;
            }
            let value = self.value(depth + 1)?;
            super::value::insert(&mut members, key, value);
            self.skip_space();
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Some(Doc::Map(members));
                }
                _ => return None,
            }
        }
    }

    /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`; integral text is an
    /// integer, as in Python (one beyond 64 bits becomes a float here).
    fn number(&mut self) -> Option<Doc> {
        let start = self.pos;
        self.eat("-");
        let int_start = self.pos;
        let digits = |r: &mut Self| {
            let from = r.pos;
            while matches!(r.peek(), Some(b'0'..=b'9')) {
                r.pos += 1;
            }
            r.pos - from
        };
        let n = digits(self);
        if n == 0 || (n > 1 && self.bytes[int_start] == b'0') {
            return None;
        }
        let mut integral = true;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            integral = false;
            if digits(self) == 0 {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            integral = false;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return None;
            }
        }
        let text = std::str::from_utf8(&self.bytes[start..self.pos]).ok()?;
        if integral && let Ok(i) = text.parse::<i64>() {
            return Some(Doc::Int(i));
        }
        text.parse::<f64>().ok().map(Doc::Float)
    }

    /// A string after its opening quote is at `pos`; control characters
    /// must be escaped, as `json.loads` (strict) insists.
    fn string(&mut self) -> Option<String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            // `pos` only ever stops between characters.
            let c = self.text.get(self.pos..)?.chars().next()?;
            self.pos += c.len_utf8();
            match c {
                '"' => return Some(out),
                '\\' => {
                    let e = self.peek()?;
                    self.pos += 1;
                    out.push(match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return None,
                    });
                }
                c if (c as u32) < 0x20 => return None,
                c => out.push(c),
            }
        }
    }

    /// `\uXXXX` (after the `u`), joining a surrogate pair. A lone surrogate
    /// cannot live in a Rust string and becomes U+FFFD.
    fn unicode_escape(&mut self) -> Option<char> {
        let high = self.hex4()?;
        if (0xD800..0xDC00).contains(&high) && self.bytes[self.pos..].starts_with(b"\\u") {
            let save = self.pos;
            self.pos += 2;
            let low = self.hex4()?;
            if (0xDC00..0xE000).contains(&low) {
                return char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00));
            }
            self.pos = save;
        }
        Some(char::from_u32(high).unwrap_or('\u{fffd}'))
    }

    fn hex4(&mut self) -> Option<u32> {
        let text = self.bytes.get(self.pos..self.pos + 4)?;
        let text = std::str::from_utf8(text).ok()?;
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += 4;
        u32::from_str_radix(text, 16).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_pythons_types_and_order() {
        assert_eq!(parse(" 1 "), Some(Doc::Int(1)));
        assert_eq!(parse("1.0"), Some(Doc::Float(1.0)));
        assert_eq!(parse("-2e2"), Some(Doc::Float(-200.0)));
        assert_eq!(
            parse(r#"{"b": [true, null], "a": "\u00e9\n", "b": 2}"#),
            Some(Doc::Map(vec![
                ("b".into(), Doc::Int(2)),
                ("a".into(), Doc::Str("é\n".into())),
            ]))
        );
        assert_eq!(parse(r#""\ud83d\ude00""#), Some(Doc::Str("😀".into())));
    }

    #[test]
    fn invalid_json_is_refused() {
        for bad in [
            "",
            "foo",
            "01",
            "1.",
            "[1,]",
            "{\"a\" 1}",
            "\"a\u{1}\"",
            "1 2",
            "\"\\x\"",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert_eq!(parse(&deep), None);
    }
}
