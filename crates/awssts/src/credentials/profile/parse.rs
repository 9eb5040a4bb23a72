//! The INI dialect of `~/.aws/config` and `~/.aws/credentials`, read the
//! way the AWS CLI reads it.
//!
//! The rules, and where we differ from botocore (which hands the file to
//! Python's `configparser` and then post-processes it):
//!
//! - `[name]` starts a section; whitespace inside the brackets is trimmed and
//!   a comment may follow the `]`.
//! - `key = value` with whitespace around both trimmed. Top-level keys are
//!   lower-cased, as `configparser` does, so `AWS_ACCESS_KEY_ID = ..` works
//!   as it does with the CLI. Only `=` separates (the SDKs' rule; Python
//!   would also take `:`, which no AWS documentation uses).
//! - Lines whose first non-blank character is `#` or `;` are comments. In a
//!   value, `#` or `;` preceded by whitespace starts a comment (the SDKs'
//!   rule: `region = us-east-1 # home`); `a#b` keeps its `#`.
//! - An indented line after a property continues it. If the property's value
//!   was empty (`s3 =`), each indented line is a `key = value` of a nested
//!   sub-section (one level, as botocore's `_parse_nested`); otherwise the
//!   line is appended to the value after a newline. Blank and comment lines
//!   do not end a continuation.
//! - An indented line with no property above it in its section is read as
//!   an ordinary line (`configparser` does the same).
//! - A section that appears twice is merged, later keys winning, and a key
//!   repeated in a section keeps its last value. The AWS SDKs for Java, Go
//!   and Rust merge like this; Python's strict `configparser` would refuse
//!   the file instead, which helps nobody.
//!
//! Errors never quote the offending line: it may hold a secret key.

/// A parse failure: the line (1-based) and what was wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LineError {
    pub(crate) line: usize,
    pub(crate) reason: String,
}

/// One `[section]` as written, with its properties in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RawSection {
    /// The text between the brackets, trimmed.
    pub(crate) header: String,
    pub(crate) line: usize,
    pub(crate) properties: Vec<RawProperty>,
}

/// One `key = value`, possibly with a nested sub-section.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RawProperty {
    pub(crate) key: String,
    pub(crate) value: String,
    /// The indented `key = value` lines that followed an empty value.
    pub(crate) sub: Vec<(String, String)>,
    pub(crate) line: usize,
}

/// Parses one file's text into its sections, in file order (duplicates not
/// yet merged: the caller knows which file it is and merges by name).
pub(crate) fn parse(text: &str) -> Result<Vec<RawSection>, LineError> {
    let mut sections: Vec<RawSection> = Vec::new();
    // Whether the last property of the current section can take
    // continuation lines (reset by a section header).
    let mut open_property = false;
    // A UTF-8 byte order mark, as Windows editors write, is not content.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (index, raw_line) in text.split('\n').enumerate() {
        let line_no = index + 1;
        let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let indented = line.starts_with([' ', '\t']);
        if indented
            && open_property
            && let Some(property) = sections
                .last_mut()
                .and_then(|section| section.properties.last_mut())
        {
            continue_property(property, line, line_no)?;
            continue;
        }
        if trimmed.starts_with('[') {
            sections.push(RawSection {
                header: parse_header(trimmed, line_no)?,
                line: line_no,
                properties: Vec::new(),
            });
            open_property = false;
            continue;
        }
        let Some(section) = sections.last_mut() else {
            return Err(LineError {
                line: line_no,
                reason: "a property before any [section] header; put it under \
                         [default] or a [profile name] header"
                    .into(),
            });
        };
        let (key, value) = split_property(
            trimmed,
            line_no,
            "expected \"key = value\" or a [section] header",
        )?;
        section.properties.push(RawProperty {
            key: key.to_ascii_lowercase(),
            value: strip_inline_comment(value).trim().to_owned(),
            sub: Vec::new(),
            line: line_no,
        });
        open_property = true;
    }
    Ok(sections)
}

fn parse_header(trimmed: &str, line: usize) -> Result<String, LineError> {
    let err = |reason: &str| LineError {
        line,
        reason: reason.to_owned(),
    };
    let Some(close) = trimmed.find(']') else {
        return Err(err("a section header is missing its closing `]`"));
    };
    let inner = trimmed.get(1..close).unwrap_or("").trim();
    let rest = trimmed.get(close + 1..).unwrap_or("").trim_start();
    if !(rest.is_empty() || rest.starts_with('#') || rest.starts_with(';')) {
        return Err(err(
            "unexpected text after a section header's `]`; only a comment may follow it",
        ));
    }
    if inner.is_empty() {
        return Err(err("a section header `[]` with no name"));
    }
    Ok(inner.to_owned())
}

fn split_property<'a>(
    text: &'a str,
    line: usize,
    missing_equals: &str,
) -> Result<(&'a str, &'a str), LineError> {
    let Some((key, value)) = text.split_once('=') else {
        return Err(LineError {
            line,
            reason: missing_equals.to_owned(),
        });
    };
    let key = key.trim();
    if key.is_empty() {
        return Err(LineError {
            line,
            reason: "a property with no name before `=`".into(),
        });
    }
    Ok((key, value))
}

fn continue_property(
    property: &mut RawProperty,
    line: &str,
    line_no: usize,
) -> Result<(), LineError> {
    let content = strip_inline_comment(line).trim();
    if content.is_empty() {
        return Ok(());
    }
    if property.value.is_empty() {
        let reason = format!(
            "expected \"key = value\" in the indented sub-section of `{}`",
            property.key
        );
        let (key, value) = split_property(content, line_no, &reason)?;
        property.sub.push((key.to_owned(), value.trim().to_owned()));
    } else {
        property.value.push('\n');
        property.value.push_str(content);
    }
    Ok(())
}

/// Cuts a value at the first `#` or `;` that follows whitespace.
fn strip_inline_comment(value: &str) -> &str {
    let mut previous_blank = false;
    for (i, c) in value.char_indices() {
        if (c == '#' || c == ';') && previous_blank {
            return value.get(..i).unwrap_or(value);
        }
        previous_blank = c == ' ' || c == '\t';
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_whitespace() {
        let s =
            parse("# top\n; also\n[default] # c\n  region =  eu-west-1 ; home \nx=a#b\n").unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].header, "default");
        assert_eq!(s[0].properties[0].key, "region");
        assert_eq!(s[0].properties[0].value, "eu-west-1");
        assert_eq!(s[0].properties[1].value, "a#b");
    }

    #[test]
    fn sub_sections_and_continuations() {
        let text = "[profile a]\ns3 =\n  max_concurrent_requests = 10 # ten\n\n  # note\n  addressing_style=path\nregion = us-east-1\nnote = one\n  two\n";
        let s = parse(text).unwrap();
        let p = &s[0].properties;
        assert_eq!(p[0].key, "s3");
        assert_eq!(
            p[0].sub,
            vec![
                ("max_concurrent_requests".into(), "10".into()),
                ("addressing_style".into(), "path".into())
            ]
        );
        assert_eq!(p[1].value, "us-east-1");
        assert_eq!(p[2].value, "one\ntwo");
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("[default]\nregion = x\njunk\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.reason.contains("key = value"), "{}", e.reason);
        let e = parse("\nregion = x\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse("[default\n").unwrap_err();
        assert!(e.reason.contains("`]`"));
        let e = parse("[a]\ns3 =\n  nokey\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.reason.contains("s3"));
        let e = parse("[a] x\n").unwrap_err();
        assert!(e.reason.contains("after"));
        let e = parse("[ ]\n").unwrap_err();
        assert!(e.reason.contains("no name"));
        let e = parse("[a]\n = v\n").unwrap_err();
        assert!(e.reason.contains("no name"));
    }
}
