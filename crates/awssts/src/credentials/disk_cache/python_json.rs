//! JSON text byte-for-byte as Python's `json.dumps` writes it with its
//! default settings: `", "` and `": "` separators, every non-ASCII character
//! escaped as `\uXXXX` (lowercase hex, surrogate pairs above U+FFFF), and
//! floats in Python's `repr` form. botocore hashes that text to name cache
//! files, so any difference in one byte gives a different file.

use serde_json::{Number, Value};

/// `json.dumps(value, sort_keys=True)`.
pub(crate) fn dumps_sorted(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(n, out),
        Value::String(s) => write_str(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                dumps_sorted(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            // Sorted here rather than trusting the map's order: with
            // serde_json's `preserve_order` feature enabled anywhere in the
            // build, the map keeps insertion order. Byte order of UTF-8 is
            // code point order, which is how Python sorts `str` keys.
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_str(key, out);
                out.push_str(": ");
                dumps_sorted(item, out);
            }
            out.push('}');
        }
    }
}

/// A JSON string literal with Python's `ensure_ascii=True` escaping.
pub(crate) fn write_str(s: &str, out: &mut String) {
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
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}

/// Integers as they are; floats as Python's `float.__repr__`: the shortest
/// digits that round-trip, positional for exponents -4..16, otherwise
/// `d.ddde+XX`.
fn write_number(n: &Number, out: &mut String) {
    if let Some(i) = n.as_i64() {
        out.push_str(&i.to_string());
    } else if let Some(u) = n.as_u64() {
        out.push_str(&u.to_string());
    } else if let Some(f) = n.as_f64() {
        out.push_str(&python_float_repr(f));
    }
}

fn python_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    // Rust's `{:e}` gives the shortest round-trip digits, e.g. "1.5e20".
    let sci = format!("{f:e}");
    let (mantissa, exp) = match sci.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (sci.as_str(), 0),
    };
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if (-4..16).contains(&exp) {
        let point = exp + 1; // digits before the decimal point
        let mut s = String::from(sign);
        if point <= 0 {
            s.push_str("0.");
            for _ in 0..-point {
                s.push('0');
            }
            s.push_str(&digits);
        } else {
            let point = point as usize;
            if digits.len() <= point {
                s.push_str(&digits);
                for _ in digits.len()..point {
                    s.push('0');
                }
                s.push_str(".0");
            } else {
                s.push_str(&digits[..point]);
                s.push('.');
                s.push_str(&digits[point..]);
            }
        }
        s
    } else {
        let exp_sign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{mantissa}e{exp_sign}{:02}", exp.unsigned_abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dumps(v: &Value) -> String {
        let mut out = String::new();
        dumps_sorted(v, &mut out);
        out
    }

    #[test]
    fn matches_python_json_dumps() {
        // Expected text printed by CPython 3.11:
        // json.dumps({...}, sort_keys=True) for the same value.
        let v = serde_json::json!({
            "b": [1, 2, {"z": null, "a": true}],
            "a": "\u{e9}\u{7f}\u{1}\u{1F600}\"\\/\n",
            "c": {}, "d": [], "e": 1.5e20, "f": 1e-7
        });
        assert_eq!(
            dumps(&v),
            r#"{"a": "\u00e9\u007f\u0001\ud83d\ude00\"\\/\n", "b": [1, 2, {"a": true, "z": null}], "c": {}, "d": [], "e": 1.5e+20, "f": 1e-07}"#
        );
    }

    #[test]
    fn floats_follow_python_repr() {
        for (f, want) in [
            (1.0, "1.0"),
            (0.5, "0.5"),
            (-2.25, "-2.25"),
            (123456.0, "123456.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e16, "1e+16"),
            (1234567890123456.0, "1234567890123456.0"),
            (-1.5e-10, "-1.5e-10"),
        ] {
            assert_eq!(python_float_repr(f), want, "{f}");
        }
    }
}
