//! The subset of TOML the emulator's config file is written in: `key =
//! value` lines, `[table]` and `[[array of tables]]` headers with a bare
//! name, basic strings (with escapes) and literal strings, decimal integers,
//! booleans, flat arrays of those (over several lines if need be), and `#`
//! comments. The rest of TOML — dotted keys, floats, dates, inline tables,
//! nested arrays, multi-line strings, hexadecimal, octal and binary integers
//! — is refused by name rather than misread. A general TOML crate weighed about 165 KB in the `awssts`
//! binary for this one small file.
//!
//! Errors give the line and what to write instead; they never quote a
//! value, which could be a secret.

/// A table: the top level, or one under a header.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Table {
    /// The header's line (0 for the top level).
    pub line: usize,
    /// The keys in the order written.
    pub entries: Vec<Entry>,
}

/// One key of a table with its value.
#[derive(Debug, PartialEq)]
pub(crate) struct Entry {
    pub key: String,
    /// Where the key (or the first header of a table array) is.
    pub line: usize,
    pub value: Value,
}

/// A value, as TOML types it.
#[derive(Debug, PartialEq)]
pub(crate) enum Value {
    String(String),
    Integer(i64),
    Boolean(bool),
    Array(Vec<Value>),
    /// A `[name]` table.
    Table(Table),
    /// The tables of `[[name]]` headers, in order.
    Tables(Vec<Table>),
}

impl Value {
    /// What the value is, for "expected …, found …" messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Value::String(_) => "a string",
            Value::Integer(_) => "an integer",
            Value::Boolean(_) => "a boolean",
            Value::Array(_) => "an array",
            Value::Table(_) => "a [table]",
            Value::Tables(_) => "a [[table]] list",
        }
    }
}

/// Text that is not TOML, or not the subset read here.
#[derive(Debug, PartialEq)]
pub(crate) struct SyntaxError {
    pub line: usize,
    pub message: String,
}

/// Parses `text` into its top-level table.
pub(crate) fn parse(text: &str) -> Result<Table, SyntaxError> {
    let mut p = Parser {
        text,
        pos: 0,
        line: 1,
    };
    let mut root = Table::default();
    // The table keys go to: the top level, then the one of the last header.
    let mut current = &mut root;
    loop {
        p.skip_blank();
        match p.peek() {
            None => return Ok(root),
            Some(b'\n' | b'\r' | b'#') => p.end_of_line()?,
            Some(b'[') => {
                let line = p.line;
                let (name, array) = p.header()?;
                current = open_table(&mut root, name, array, line)?;
            }
            Some(_) => {
                let line = p.line;
                let key = p.key()?;
                p.skip_blank();
                match p.peek() {
                    Some(b'=') => p.pos += 1,
                    Some(b'.') => {
                        return Err(p.error(format!(
                            "{key}: dotted keys are not supported; write a [header] and plain keys"
                        )));
                    }
                    // What was read may not be a key at all but a stray
                    // line such as a pasted secret, so it is not echoed.
                    _ => {
                        return Err(p.error(
                            "expected = after a key; write `key = value` on one line".to_owned(),
                        ));
                    }
                }
                p.skip_blank();
                let value = p.value(&key)?;
                p.end_of_line()?;
                if let Some(first) = current.entries.iter().find(|e| e.key == key) {
                    return Err(SyntaxError {
                        line,
                        message: format!(
                            "{key} is set twice (first on line {}); keep one",
                            first.line
                        ),
                    });
                }
                current.entries.push(Entry { key, line, value });
            }
        }
    }
}

/// Starts the table of a `[name]` (`array` false) or `[[name]]` header
/// and returns it.
fn open_table(
    root: &mut Table,
    name: String,
    array: bool,
    line: usize,
) -> Result<&mut Table, SyntaxError> {
    let (index, new) = match root.entries.iter().position(|e| e.key == name) {
        Some(i) => (i, false),
        None => {
            let value = if array {
                Value::Tables(Vec::new())
            } else {
                Value::Table(Table {
                    line,
                    entries: Vec::new(),
                })
            };
            root.entries.push(Entry {
                key: name,
                line,
                value,
            });
            (root.entries.len() - 1, true)
        }
    };
    let entry = &mut root.entries[index];
    match (&mut entry.value, array, new) {
        (Value::Tables(tables), true, _) => {
            tables.push(Table {
                line,
                entries: Vec::new(),
            });
            let last = tables.len() - 1;
            Ok(&mut tables[last])
        }
        (Value::Table(table), false, true) => Ok(table),
        (value, _, _) => Err(SyntaxError {
            line,
            message: format!(
                "{} is already {} (line {}); use one form",
                entry.key,
                value.kind(),
                entry.line
            ),
        }),
    }
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.text.as_bytes().get(self.pos + offset).copied()
    }

    fn error(&self, message: String) -> SyntaxError {
        SyntaxError {
            line: self.line,
            message,
        }
    }

    /// Skips spaces and tabs.
    fn skip_blank(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    /// Skips a comment, if any, up to the end of the line.
    fn skip_comment(&mut self) {
        if self.peek() == Some(b'#') {
            while !matches!(self.peek(), None | Some(b'\n' | b'\r')) {
                self.pos += 1;
            }
        }
    }

    /// Consumes one line break (`\n` or `\r\n`); false if there is none.
    fn newline(&mut self) -> bool {
        match (self.peek(), self.peek_at(1)) {
            (Some(b'\n'), _) => self.pos += 1,
            (Some(b'\r'), Some(b'\n')) => self.pos += 2,
            _ => return false,
        }
        self.line += 1;
        true
    }

    /// Blanks, an optional comment, then a line break or the end.
    fn end_of_line(&mut self) -> Result<(), SyntaxError> {
        self.skip_blank();
        self.skip_comment();
        if self.peek().is_none() || self.newline() {
            return Ok(());
        }
        Err(self.error(
            "unexpected text after the value; put one key = value per line (comments start with #)"
                .to_owned(),
        ))
    }

    /// Blanks, comments and line breaks, as allowed inside an array.
    fn skip_space(&mut self) {
        loop {
            self.skip_blank();
            self.skip_comment();
            if !self.newline() {
                return;
            }
        }
    }

    /// A `[name]` or `[[name]]` header line; the flag says which.
    fn header(&mut self) -> Result<(String, bool), SyntaxError> {
        self.pos += 1;
        let array = self.peek() == Some(b'[');
        if array {
            self.pos += 1;
        }
        self.skip_blank();
        let name = self.key()?;
        self.skip_blank();
        let close: &[u8] = if array { b"]]" } else { b"]" };
        if self.peek() == Some(b'.') {
            return Err(self.error(format!(
                "[{name}.…]: nested tables are not supported; the config uses [[users]], [[roles]] and [[faults]]"
            )));
        }
        if !self.text.as_bytes()[self.pos..].starts_with(close) {
            let fix = if array { "[[name]]" } else { "[name]" };
            // Not echoed: without its closing bracket, what was read may
            // be a stray line rather than a table name.
            return Err(self.error(format!("unclosed header; write {fix}")));
        }
        self.pos += close.len();
        self.end_of_line()?;
        Ok((name, array))
    }

    /// A bare key (letters, digits, `_`, `-`) or a quoted one.
    fn key(&mut self) -> Result<String, SyntaxError> {
        match self.peek() {
            Some(b'"') => return self.basic_string("a key"),
            Some(b'\'') => return self.literal_string("a key"),
            _ => {}
        }
        let start = self.pos;
        while matches!(self.peek(), Some(b) if b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.error(
                "expected a key (letters, digits, _ and -), a [header] or a # comment".to_owned(),
            ));
        }
        Ok(self.text[start..self.pos].to_owned())
    }

    /// The value of `key`.
    fn value(&mut self, key: &str) -> Result<Value, SyntaxError> {
        match self.peek() {
            Some(b'"') => self.basic_string(key).map(Value::String),
            Some(b'\'') => self.literal_string(key).map(Value::String),
            Some(b'[') => self.array(key),
            Some(b'{') => Err(self.error(format!(
                "{key}: inline tables are not supported; use a [[header]] and one key per line"
            ))),
            Some(b't' | b'f') => {
                let word = self.word();
                match word {
                    "true" => Ok(Value::Boolean(true)),
                    "false" => Ok(Value::Boolean(false)),
                    _ => Err(self.error(format!(
                        "{key}: not a value; write true or false, or quote a string"
                    ))),
                }
            }
            Some(b'0'..=b'9' | b'+' | b'-') => self.integer(key),
            _ => Err(self.error(format!(
                "{key}: expected a value: a \"string\", an integer, true or false, or [an, array]"
            ))),
        }
    }

    /// The run of characters that can make up a number or a word.
    fn word(&mut self) -> &str {
        let start = self.pos;
        while matches!(self.peek(), Some(b) if b.is_ascii_alphanumeric() || b"_+-.:".contains(&b)) {
            self.pos += 1;
        }
        &self.text[start..self.pos]
    }

    /// A decimal integer: optional sign, digits with single `_` between
    /// them, no leading zero.
    fn integer(&mut self, key: &str) -> Result<Value, SyntaxError> {
        let line = self.line;
        let word = self.word();
        let unsupported = |what: &str| SyntaxError {
            line,
            message: format!(
                "{key}: {what} are not supported; write a decimal whole number, or quote \
                 text such as a key or an MFA code: {key} = \"…\""
            ),
        };
        let digits = word.trim_start_matches(['+', '-']);
        if word.len() - digits.len() > 1 {
            return Err(unsupported("doubled signs"));
        }
        if digits.starts_with("0x") || digits.starts_with("0o") || digits.starts_with("0b") {
            return Err(unsupported("hexadecimal, octal and binary numbers"));
        }
        if word.contains([':', 'T', 't', 'Z', 'z']) || word.matches('-').count() > 1 {
            return Err(unsupported("dates and times"));
        }
        if digits.contains(['.', 'e', 'E'])
            || digits.starts_with("inf")
            || digits.starts_with("nan")
        {
            return Err(unsupported("fractions"));
        }
        let well_formed = !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
            && !digits.starts_with('_')
            && !digits.ends_with('_')
            && !digits.contains("__")
            && (digits.len() == 1 || !digits.starts_with('0'));
        let number = word.replace('_', "");
        match number.parse::<i64>() {
            Ok(n) if well_formed => Ok(Value::Integer(n)),
            Ok(_) => Err(SyntaxError {
                line,
                message: format!(
                    "{key}: not a TOML integer; write plain digits (no leading zeros; _ only between digits), or quote text: {key} = \"…\""
                ),
            }),
            Err(_) if well_formed => Err(SyntaxError {
                line,
                message: format!("{key}: the number is too large for a 64-bit integer"),
            }),
            Err(_) => Err(SyntaxError {
                line,
                message: format!("{key}: not a value; quote strings, e.g. {key} = \"text\""),
            }),
        }
    }

    /// `[v, v, …]`, over several lines if need be, a trailing comma allowed.
    fn array(&mut self, key: &str) -> Result<Value, SyntaxError> {
        let line = self.line;
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_space();
            if self.peek() == Some(b']') {
                self.pos += 1;
                return Ok(Value::Array(items));
            }
            if self.peek().is_none() {
                return Err(SyntaxError {
                    line,
                    message: format!("{key}: the array is not closed; end it with ]"),
                });
            }
            // Arrays of strings are all the config needs; refusing nesting
            // also keeps `[[[[…` from recursing without bound.
            if self.peek() == Some(b'[') {
                return Err(self.error(format!(
                    "{key}: arrays inside arrays are not supported; write a flat [\"a\", \"b\"]"
                )));
            }
            items.push(self.value(key)?);
            self.skip_space();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {}
                _ => {
                    return Err(self.error(format!(
                        "{key}: expected , or ] in the array (started on line {line})"
                    )));
                }
            }
        }
    }

    /// A `"…"` string with TOML's escapes, on one line.
    fn basic_string(&mut self, key: &str) -> Result<String, SyntaxError> {
        if self.text.as_bytes()[self.pos..].starts_with(b"\"\"\"") {
            return Err(self.error(format!(
                "{key}: multi-line strings are not supported; write \"…\" on one line with \\n escapes"
            )));
        }
        self.pos += 1;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while !matches!(self.peek(), None | Some(b'"' | b'\\' | b'\n' | b'\r')) {
                self.pos += 1;
            }
            out.push_str(&self.text[start..self.pos]);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => out.push(self.escape(key)?),
                _ => {
                    return Err(self.error(format!(
                        "{key}: the string is not closed on its line; end it with \""
                    )));
                }
            }
        }
    }

    /// One escape sequence, the backslash at `pos`.
    fn escape(&mut self, key: &str) -> Result<char, SyntaxError> {
        let bad = |p: &Self| {
            p.error(format!(
                "{key}: unknown escape in a string; use \\\\, \\\", \\n, \\t, \\r, \\b, \\f, \\uXXXX or \\UXXXXXXXX (or a 'literal string')"
            ))
        };
        let code = self.peek_at(1).ok_or_else(|| bad(self))?;
        self.pos += 2;
        let simple = match code {
            b'"' => '"',
            b'\\' => '\\',
            b'n' => '\n',
            b't' => '\t',
            b'r' => '\r',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'u' | b'U' => {
                let len = if code == b'u' { 4 } else { 8 };
                let hex = self
                    .text
                    .get(self.pos..self.pos + len)
                    .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
                    .ok_or_else(|| bad(self))?;
                let c = u32::from_str_radix(hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| bad(self))?;
                self.pos += len;
                c
            }
            _ => return Err(bad(self)),
        };
        Ok(simple)
    }

    /// A `'…'` string, taken as written, on one line.
    fn literal_string(&mut self, key: &str) -> Result<String, SyntaxError> {
        if self.text.as_bytes()[self.pos..].starts_with(b"'''") {
            return Err(self.error(format!(
                "{key}: multi-line strings are not supported; write '…' on one line"
            )));
        }
        self.pos += 1;
        let start = self.pos;
        while !matches!(self.peek(), None | Some(b'\'' | b'\n' | b'\r')) {
            self.pos += 1;
        }
        if self.peek() != Some(b'\'') {
            return Err(self.error(format!(
                "{key}: the string is not closed on its line; end it with '"
            )));
        }
        self.pos += 1;
        Ok(self.text[start..self.pos - 1].to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entry(key: &str, line: usize, value: Value) -> Entry {
        Entry {
            key: key.to_owned(),
            line,
            value,
        }
    }

    fn s(v: &str) -> Value {
        Value::String(v.to_owned())
    }

    fn err(text: &str) -> SyntaxError {
        parse(text).unwrap_err()
    }

    #[test]
    fn keys_tables_and_arrays_of_tables() {
        let text = "# top\nadmin = true # on\ncount = -42\n\n[[users]]\narn = \"a\"\n\
                    [[users]]\n'quoted key' = 'c:\\path'\n[settings]\nlist = [\n  \"x\", # first\n  \"y\",\n]\n";
        let doc = parse(text).unwrap();
        let expected = Table {
            line: 0,
            entries: vec![
                entry("admin", 2, Value::Boolean(true)),
                entry("count", 3, Value::Integer(-42)),
                entry(
                    "users",
                    5,
                    Value::Tables(vec![
                        Table {
                            line: 5,
                            entries: vec![entry("arn", 6, s("a"))],
                        },
                        Table {
                            line: 7,
                            entries: vec![entry("quoted key", 8, s("c:\\path"))],
                        },
                    ]),
                ),
                entry(
                    "settings",
                    9,
                    Value::Table(Table {
                        line: 9,
                        entries: vec![entry("list", 10, Value::Array(vec![s("x"), s("y")]))],
                    }),
                ),
            ],
        };
        assert_eq!(doc, expected);
    }

    #[test]
    fn escapes_and_crlf() {
        let doc = parse("a = \"q\\\"b\\\\s\\n\\t\\u00e9\\U0001F600\"\r\nb = 1_000\r\nc = []\r\n")
            .unwrap();
        assert_eq!(doc.entries[0].value, s("q\"b\\s\n\t\u{e9}\u{1F600}"));
        assert_eq!(doc.entries[1].value, Value::Integer(1000));
        assert_eq!(doc.entries[1].line, 2);
        assert_eq!(doc.entries[2].value, Value::Array(Vec::new()));
        let doc = parse("a = \"# not a comment\" # but this is\nb = \"ü\"").unwrap();
        assert_eq!(doc.entries[0].value, s("# not a comment"));
        assert_eq!(doc.entries[1].value, s("ü"));
    }

    #[test]
    fn what_is_refused_names_line_and_fix() {
        let cases: &[(&str, usize, &str)] = &[
            ("a.b = 1", 1, "dotted keys"),
            ("\n[a.b]", 2, "nested tables"),
            ("x = 1\n[[users]\n", 2, "unclosed header"),
            ("a = 1.5", 1, "fractions"),
            ("a = 1e3", 1, "fractions"),
            ("a = inf", 1, "expected a value"),
            ("a = 1979-05-27", 1, "dates"),
            ("a = 0x1f", 1, "hexadecimal"),
            ("a = 007", 1, "leading zeros"),
            ("a = 1__0", 1, "_ only between digits"),
            ("a = 99999999999999999999", 1, "too large"),
            ("a = {b = 1}", 1, "inline tables"),
            ("a = \"\"\"x\"\"\"", 1, "multi-line"),
            ("a = '''x'''", 1, "multi-line"),
            ("a = \"open\nb = 1", 1, "not closed"),
            ("a = 'open", 1, "not closed"),
            ("a = \"\\x\"", 1, "unknown escape"),
            ("a = \"\\uD800\"", 1, "unknown escape"),
            ("a = [1,\n2\n3]", 3, "expected , or ]"),
            ("a = [1,\n", 1, "not closed"),
            ("a = 1 2", 1, "after the value"),
            ("a = [\"x\",\n [\"y\"]]", 2, "arrays inside arrays"),
            ("a = [[]]", 1, "arrays inside arrays"),
            ("a = yes", 1, "expected a value"),
            ("a = truely", 1, "true or false"),
            ("a", 1, "expected ="),
            ("= 1", 1, "expected a key"),
            ("a = ", 1, "expected a value"),
            ("a = 1\na = 2", 2, "set twice (first on line 1)"),
            ("[t]\n[t]", 2, "already a [table]"),
            ("t = 1\n[[t]]", 2, "already an integer"),
            ("[[t]]\n[t]", 2, "already a [[table]] list"),
        ];
        for (text, line, part) in cases {
            let e = err(text);
            assert_eq!(e.line, *line, "{text:?}: {e:?}");
            assert!(e.message.contains(part), "{text:?}: {e:?}");
        }
    }

    #[test]
    fn errors_never_quote_values() {
        for text in [
            "secret = \"s3cr3t\\q\"",
            "secret = \"s3cr3t",
            "secret = 's3cr3t",
            "secret = s3cr3t",
            "secret = [\"s3cr3t\" \"x\"]",
        ] {
            let e = err(text);
            assert!(!e.message.contains("s3cr3t"), "{e:?}");
            assert!(e.message.starts_with("secret"), "{e:?}");
        }
    }

    #[test]
    fn deeply_nested_brackets_are_an_error_not_a_stack_overflow() {
        let text = format!("a = {}", "[".repeat(100_000));
        let e = err(&text);
        assert_eq!(e.line, 1, "{e:?}");
        assert!(e.message.starts_with("a: arrays inside arrays"), "{e:?}");
    }

    #[test]
    fn a_stray_line_is_not_echoed() {
        let canary = "wJalrXUtnFEMIK7MDENGbPxRfiCYCANARY";
        for text in [
            format!("a = 1\n{canary}\n"),
            format!("a = 1\n\"{canary}\"\n"),
            format!("a = 1\n'{canary}'\n"),
            format!("a = 1\n[{canary}\n"),
            format!("a = 1\n[[{canary}]\n"),
        ] {
            let e = err(&text);
            assert_eq!(e.line, 2, "{e:?}");
            assert!(!e.message.contains("CANARY"), "{e:?}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(text in "[a-z\\[\\]\"'=#,. _\\\\u0-9\n\r{}+-]{0,80}") {
            let _ = parse(&text);
        }

        #[test]
        fn integers_round_trip(n in any::<i64>()) {
            let doc = parse(&format!("n = {n}")).unwrap();
            prop_assert_eq!(&doc.entries[0].value, &Value::Integer(n));
        }

        #[test]
        fn basic_strings_round_trip(text in "(?s).{0,40}") {
            // Escaped as TOML's basic strings require.
            let mut quoted = String::from("\"");
            for c in text.chars() {
                match c {
                    '"' => quoted.push_str("\\\""),
                    '\\' => quoted.push_str("\\\\"),
                    c if c.is_control() => quoted.push_str(&format!("\\U{:08X}", c as u32)),
                    c => quoted.push(c),
                }
            }
            quoted.push('"');
            let doc = parse(&format!("k = {quoted}\n")).unwrap();
            prop_assert_eq!(&doc.entries[0].value, &Value::String(text));
        }
    }
}
