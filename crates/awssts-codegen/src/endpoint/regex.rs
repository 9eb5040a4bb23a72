//! Compiles a partition's `regionRegex` into a chain of
//! `awssts::endpoint::pattern` steps.
//!
//! Only the small regular language the partition file uses is accepted:
//! `^…$` anchors, literal characters (escaped punctuation included), groups
//! of literal alternatives, and `\w+` / `\d+`. The chain is matched greedily
//! without backtracking, so a pattern where that would be wrong (a repeated
//! class that could also match what follows it, or alternatives where one
//! is a prefix of another) is refused rather than compiled.

/// A character class the steps know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Word,
    Digit,
}

impl Class {
    fn contains(self, c: char) -> bool {
        match self {
            Class::Word => c.is_ascii_alphanumeric() || c == '_',
            Class::Digit => c.is_ascii_digit(),
        }
    }

    fn step(self) -> &'static str {
        match self {
            Class::Word => "pattern::is_word",
            Class::Digit => "pattern::is_digit",
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Piece {
    Literal(String),
    OneOf(Vec<String>),
    OneOrMore(Class),
}

/// The body of `fn name(rest: &str) -> Option<()>` matching `regex`.
pub(super) fn compile(regex: &str) -> Result<String, String> {
    let pieces = parse(regex)?;
    check_deterministic(regex, &pieces)?;
    let mut body = String::new();
    for piece in &pieces {
        let step = match piece {
            Piece::Literal(s) => format!("pattern::literal(rest, {})", super::rust_str(s)),
            Piece::OneOf(alts) => {
                let alts: Vec<String> = alts.iter().map(|a| super::rust_str(a)).collect();
                format!("pattern::one_of(rest, &[{}])", alts.join(", "))
            }
            Piece::OneOrMore(class) => format!("pattern::one_or_more(rest, {})", class.step()),
        };
        body.push_str(&format!("let rest = {step}?;\n"));
    }
    body.push_str("pattern::end(rest)\n");
    Ok(body)
}

fn parse(regex: &str) -> Result<Vec<Piece>, String> {
    let unsupported =
        |what: &str| format!("regionRegex `{regex}`: {what} is not supported by the generator");
    let inner = regex
        .strip_prefix('^')
        .and_then(|r| r.strip_suffix('$'))
        .filter(|r| !r.ends_with('\\'))
        .ok_or_else(|| unsupported("a pattern not anchored with ^ and $"))?;
    let mut pieces: Vec<Piece> = Vec::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        let piece = match c {
            '\\' => match chars.next() {
                Some('w') => Piece::OneOrMore(Class::Word),
                Some('d') => Piece::OneOrMore(Class::Digit),
                Some(e) if e.is_ascii_punctuation() => Piece::Literal(e.to_string()),
                Some(e) => return Err(unsupported(&format!("the escape `\\{e}`"))),
                None => return Err(unsupported("a trailing backslash")),
            },
            '(' => {
                let mut alts = vec![String::new()];
                loop {
                    match chars.next() {
                        Some(')') => break,
                        Some('|') => alts.push(String::new()),
                        Some('\\') => match chars.next() {
                            Some(e) if e.is_ascii_punctuation() => {
                                alts.last_mut().ok_or("no alternative")?.push(e)
                            }
                            _ => return Err(unsupported("a class or bad escape inside a group")),
                        },
                        Some(a) if a.is_ascii_alphanumeric() || a == '-' || a == '_' => {
                            alts.last_mut().ok_or("no alternative")?.push(a)
                        }
                        Some(a) => return Err(unsupported(&format!("`{a}` inside a group"))),
                        None => return Err(unsupported("an unclosed group")),
                    }
                }
                if alts.iter().any(String::is_empty) {
                    return Err(unsupported("an empty alternative"));
                }
                if alts.len() == 1 {
                    Piece::Literal(alts.remove(0))
                } else {
                    Piece::OneOf(alts)
                }
            }
            c if c.is_ascii_alphanumeric() || c == '-' || c == '_' => Piece::Literal(c.to_string()),
            c => return Err(unsupported(&format!("`{c}`"))),
        };
        // Classes must be repeated with `+`; nothing else may be.
        let plus = chars.peek() == Some(&'+');
        match (&piece, plus) {
            (Piece::OneOrMore(_), true) => {
                chars.next();
            }
            (Piece::OneOrMore(_), false) => return Err(unsupported("a class without `+`")),
            (_, true) => return Err(unsupported("`+` after a literal or group")),
            _ => {}
        }
        if let (Piece::Literal(add), Some(Piece::Literal(prev))) = (&piece, pieces.last_mut()) {
            prev.push_str(add);
        } else {
            pieces.push(piece);
        }
    }
    Ok(pieces)
}

fn check_deterministic(regex: &str, pieces: &[Piece]) -> Result<(), String> {
    let refuse = |why: &str| {
        Err(format!(
            "regionRegex `{regex}` would need backtracking ({why}); teach the generator first"
        ))
    };
    for (i, piece) in pieces.iter().enumerate() {
        if let Piece::OneOf(alts) = piece {
            for a in alts {
                if alts.iter().any(|b| b != a && b.starts_with(a.as_str())) {
                    return refuse(&format!("alternative `{a}` is a prefix of another"));
                }
            }
        }
        let Piece::OneOrMore(class) = piece else {
            continue;
        };
        let clash = match pieces.get(i + 1) {
            None => false,
            Some(Piece::Literal(s)) => s.chars().next().is_some_and(|c| class.contains(c)),
            Some(Piece::OneOf(alts)) => alts
                .iter()
                .any(|a| a.chars().next().is_some_and(|c| class.contains(c))),
            // Both classes hold the digits.
            Some(Piece::OneOrMore(_)) => true,
        };
        if clash {
            return refuse("a repeated class can also match what follows it");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_partition_patterns() {
        assert_eq!(
            parse(r"^(us|eu)\-\w+\-\d+$").unwrap(),
            vec![
                Piece::OneOf(vec!["us".into(), "eu".into()]),
                Piece::Literal("-".into()),
                Piece::OneOrMore(Class::Word),
                Piece::Literal("-".into()),
                Piece::OneOrMore(Class::Digit),
            ]
        );
        assert_eq!(
            parse(r"^eusc\-(de)\-\w+\-\d+$").unwrap()[0],
            Piece::Literal("eusc-de-".into())
        );
        assert_eq!(
            compile(r"^cn\-\w+\-\d+$").unwrap(),
            "let rest = pattern::literal(rest, \"cn-\")?;\n\
             let rest = pattern::one_or_more(rest, pattern::is_word)?;\n\
             let rest = pattern::literal(rest, \"-\")?;\n\
             let rest = pattern::one_or_more(rest, pattern::is_digit)?;\n\
             pattern::end(rest)\n"
        );
    }

    #[test]
    fn refuses_what_it_cannot_compile_exactly() {
        for bad in [
            r"us\-\w+\-\d+$",
            r"^us\-\w+\-\d+",
            r"^us.\w+$",
            r"^us\-[a-z]+$",
            r"^us\-\w*$",
            r"^us\-\w$",
            r"^(us|usa)\-\d+$",
            r"^\w+\d+$",
            r"^\w+x$",
            r"^\w+(a|-)$",
            r"^(us$",
            r"^us\s$",
            r"^us?$",
        ] {
            assert!(compile(bad).is_err(), "{bad}");
        }
    }
}
