//! The document a command prints: JSON-shaped, with object keys kept in
//! the order they were added (the model's member order), as the AWS CLI's
//! Python dictionaries keep them.

use std::fmt::Write;

/// A JSON value whose objects keep their key order.
#[derive(Clone, Debug, PartialEq)]
pub enum Doc {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Doc>),
    Map(Vec<(String, Doc)>),
}

/// Builds an object member by member, leaving out absent members (the AWS
/// CLI prints only what the response had).
#[derive(Default)]
pub struct MapBuilder(Vec<(String, Doc)>);

impl MapBuilder {
    pub fn new() -> Self {
        MapBuilder::default()
    }

    pub fn doc(mut self, key: &str, value: Option<Doc>) -> Self {
        if let Some(v) = value {
            self.0.push((key.to_owned(), v));
        }
        self
    }

    pub fn str(self, key: &str, value: Option<&str>) -> Self {
        self.doc(key, value.map(|v| Doc::Str(v.to_owned())))
    }

    pub fn int(self, key: &str, value: Option<i32>) -> Self {
        self.doc(key, value.map(|v| Doc::Int(i64::from(v))))
    }

    pub fn build(self) -> Doc {
        Doc::Map(self.0)
    }
}

/// A timestamp as the AWS CLI prints it (`cli_timestamp_format = iso8601`,
/// v2's default): Python's `isoformat()` of a UTC datetime, so
/// `2026-11-22T12:00:00+00:00`, with `.ffffff` microseconds only when
/// they are not zero.
pub fn timestamp(t: awssts::DateTime) -> String {
    let full = t.to_string();
    // `Display` is `YYYY-MM-DDTHH:MM:SS[.fraction]Z`.
    let base = full.get(..19).unwrap_or(&full);
    let micros = t.subsec_nanos() / 1000;
    if micros == 0 {
        format!("{base}+00:00")
    } else {
        format!("{base}.{micros:06}+00:00")
    }
}

impl Doc {
    /// `json.dumps(value, indent=4, ensure_ascii=False)` plus a newline.
    pub fn to_json_pretty(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out, Some(0));
        out.push('\n');
        out
    }

    /// Compact JSON, as `json.dumps(value, separators=(",", ":"))` with
    /// `ensure_ascii=False` (JMESPath's `to_string` and text cells).
    pub fn to_json_compact(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out, None);
        out
    }

    fn write_json(&self, out: &mut String, indent: Option<usize>) {
        match self {
            Doc::Null => out.push_str("null"),
            Doc::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Doc::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Doc::Float(f) => out.push_str(&python_float(*f)),
            Doc::Str(s) => write_json_string(out, s),
            Doc::List(items) if items.is_empty() => out.push_str("[]"),
            Doc::Map(items) if items.is_empty() => out.push_str("{}"),
            Doc::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, indent.map(|n| n + 1));
                    item.write_json(out, indent.map(|n| n + 1));
                }
                newline(out, indent);
                out.push(']');
            }
            Doc::Map(items) => {
                out.push('{');
                for (i, (key, value)) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, indent.map(|n| n + 1));
                    write_json_string(out, key);
                    out.push_str(if indent.is_some() { ": " } else { ":" });
                    value.write_json(out, indent.map(|n| n + 1));
                }
                newline(out, indent);
                out.push('}');
            }
        }
    }

    /// The value as Python's `str()` shows it (the text output's cells).
    pub fn to_python_str(&self) -> String {
        match self {
            Doc::Null => "None".to_owned(),
            Doc::Bool(true) => "True".to_owned(),
            Doc::Bool(false) => "False".to_owned(),
            Doc::Int(i) => i.to_string(),
            Doc::Float(f) => python_float(*f),
            Doc::Str(s) => s.clone(),
            // Containers never reach a text cell; JSON is a fair rendering.
            Doc::List(_) | Doc::Map(_) => self.to_json_compact(),
        }
    }
}

fn newline(out: &mut String, indent: Option<usize>) {
    if let Some(n) = indent {
        out.push('\n');
        for _ in 0..n {
            out.push_str("    ");
        }
    }
}

/// Python's `repr` of a float (`2.0`, `1.5`, `1e+16`, `1.5e-07`): the
/// shortest digits that read back the same, as Rust's, but in scientific
/// notation when the decimal exponent is below -4 or 16 and above.
fn python_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    let scientific = format!("{f:e}");
    if let Some((mantissa, exponent)) = scientific.split_once('e')
        && let Ok(exponent) = exponent.parse::<i32>()
        && !(-4..16).contains(&exponent)
    {
        let sign = if exponent < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs());
    }
    let s = format!("{f}");
    if s.contains('.') { s } else { format!("{s}.0") }
}

/// A JSON string as Python's `json` writes it with `ensure_ascii=False`:
/// only `"`, `\` and control characters are escaped.
fn write_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_json_is_pythons_indent_4() {
        let doc = MapBuilder::new()
            .str("UserId", Some("AKIA"))
            .doc("List", Some(Doc::List(vec![Doc::Int(1), Doc::Map(vec![])])))
            .doc("Empty", Some(Doc::List(vec![])))
            .str("Absent", None)
            .str("Text", Some("é \"q\" \\ \n\u{1}"))
            .build();
        assert_eq!(
            doc.to_json_pretty(),
            "{\n    \"UserId\": \"AKIA\",\n    \"List\": [\n        1,\n        {}\n    ],\n    \"Empty\": [],\n    \"Text\": \"é \\\"q\\\" \\\\ \\n\\u0001\"\n}\n"
        );
        assert_eq!(
            doc.to_json_compact(),
            "{\"UserId\":\"AKIA\",\"List\":[1,{}],\"Empty\":[],\"Text\":\"é \\\"q\\\" \\\\ \\n\\u0001\"}"
        );
    }

    #[test]
    fn timestamps_are_isoformat_with_utc_offset() {
        let t = awssts::DateTime::parse("2026-11-22T12:00:00Z").unwrap();
        assert_eq!(timestamp(t), "2026-11-22T12:00:00+00:00");
        let t = awssts::DateTime::parse("2026-11-22T12:00:00.5Z").unwrap();
        assert_eq!(timestamp(t), "2026-11-22T12:00:00.500000+00:00");
        let t = awssts::DateTime::parse("2026-11-22T12:00:00.123456789Z").unwrap();
        assert_eq!(timestamp(t), "2026-11-22T12:00:00.123456+00:00");
    }

    #[test]
    fn python_str_of_scalars() {
        assert_eq!(Doc::Null.to_python_str(), "None");
        assert_eq!(Doc::Bool(true).to_python_str(), "True");
        assert_eq!(Doc::Float(2.0).to_python_str(), "2.0");
        assert_eq!(Doc::Float(1.5).to_python_str(), "1.5");
        assert_eq!(Doc::Int(-3).to_python_str(), "-3");
        assert_eq!(Doc::Float(1e16).to_python_str(), "1e+16");
        assert_eq!(Doc::Float(1e15).to_python_str(), "1000000000000000.0");
        assert_eq!(Doc::Float(-1.5e-7).to_python_str(), "-1.5e-07");
        assert_eq!(Doc::Float(0.0001).to_python_str(), "0.0001");
        assert_eq!(
            Doc::Float(1.2345678901234568e300).to_python_str(),
            "1.2345678901234568e+300"
        );
    }
}
