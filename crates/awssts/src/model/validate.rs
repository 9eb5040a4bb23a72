//! The checks generated `validate` methods call. Each returns a
//! [`Violation`]; the caller names the operation and field, so field paths
//! are only formatted when something is wrong.

use super::{Rule, ValidationError};

/// A broken constraint, not yet placed on a field.
#[derive(Debug)]
pub(crate) struct Violation {
    rule: Rule,
    problem: String,
}

impl Violation {
    /// Places the violation on `field` of `operation`.
    pub(crate) fn at(self, operation: &'static str, field: impl Into<String>) -> ValidationError {
        ValidationError {
            operation,
            field: field.into(),
            rule: self.rule,
            problem: self.problem,
        }
    }
}

/// A required member that is not set.
pub(crate) fn required<T>(v: Option<&T>) -> Result<&T, Violation> {
    v.ok_or_else(|| Violation {
        rule: Rule::Required,
        problem: "is required".to_owned(),
    })
}

/// A required list that is empty.
pub(crate) fn required_list<T>(v: &[T]) -> Result<(), Violation> {
    if v.is_empty() {
        Err(Violation {
            rule: Rule::Required,
            problem: "is required (at least one item)".to_owned(),
        })
    } else {
        Ok(())
    }
}

/// Length in Unicode scalar values within `min..=max`.
pub(crate) fn length(v: &str, min: Option<u64>, max: Option<u64>) -> Result<(), Violation> {
    // Bytes bound chars from above and below (1 to 4 bytes each): most
    // values are decided without counting.
    let bytes = v.len() as u64;
    let within_min = min.is_none_or(|m| bytes / 4 >= m);
    let within_max = max.is_none_or(|m| bytes <= m);
    if within_min && within_max {
        return Ok(());
    }
    let n = v.chars().count() as u64;
    if let Some(m) = min
        && n < m
    {
        return Err(Violation {
            rule: Rule::MinLength(m),
            problem: format!("must be at least {m} characters long, got {n}"),
        });
    }
    if let Some(m) = max
        && n > m
    {
        return Err(Violation {
            rule: Rule::MaxLength(m),
            problem: format!("must be at most {m} characters long, got {n}"),
        });
    }
    Ok(())
}

/// Every character allowed by `allowed`; `non_empty` for `[...]+` patterns.
/// Generic over `allowed` so that each pattern's test is inlined into the
/// loop over the characters instead of called through a pointer per
/// character; the error is built out of line.
pub(crate) fn pattern(
    v: &str,
    allowed: impl Fn(char) -> bool,
    pattern: &'static str,
    description: &'static str,
    non_empty: bool,
    secret: bool,
) -> Result<(), Violation> {
    if non_empty && v.is_empty() {
        return Err(Violation {
            rule: Rule::Pattern(pattern),
            problem: format!("is invalid: must not be empty (allowed: {description})"),
        });
    }
    match v.chars().enumerate().find(|&(_, c)| !allowed(c)) {
        None => Ok(()),
        Some((i, c)) => Err(pattern_violation(i, c, pattern, description, secret)),
    }
}

#[cold]
fn pattern_violation(
    i: usize,
    c: char,
    pattern: &'static str,
    description: &'static str,
    secret: bool,
) -> Violation {
    Violation {
        rule: Rule::Pattern(pattern),
        problem: if secret {
            format!(
                "is invalid: the character at position {i} is not allowed (allowed: {description})"
            )
        } else {
            format!(
                "is invalid: character {c:?} at position {i} is not allowed (allowed: {description})"
            )
        },
    }
}

/// An integer within `min..=max`.
pub(crate) fn range(v: i32, min: Option<i64>, max: Option<i64>) -> Result<(), Violation> {
    let v = i64::from(v);
    if let Some(m) = min
        && v < m
    {
        return Err(Violation {
            rule: Rule::Min(m),
            problem: format!("must be at least {m}, got {v}"),
        });
    }
    if let Some(m) = max
        && v > m
    {
        return Err(Violation {
            rule: Rule::Max(m),
            problem: format!("must be at most {m}, got {v}"),
        });
    }
    Ok(())
}

/// A list size within `min..=max` (an empty list is absent and not checked).
pub(crate) fn items(n: usize, min: Option<u64>, max: Option<u64>) -> Result<(), Violation> {
    let n = n as u64;
    if n == 0 {
        return Ok(());
    }
    if let Some(m) = min
        && n < m
    {
        return Err(Violation {
            rule: Rule::MinItems(m),
            problem: format!("must have at least {m} items, got {n}"),
        });
    }
    if let Some(m) = max
        && n > m
    {
        return Err(Violation {
            rule: Rule::MaxItems(m),
            problem: format!("must have at most {m} items, got {n}"),
        });
    }
    Ok(())
}

/// Unicode general category L (letters), exactly as Java's `\p{L}`.
pub(crate) fn is_letter(c: char) -> bool {
    use unicode_general_category::GeneralCategory::*;
    matches!(
        unicode_general_category::get_general_category(c),
        UppercaseLetter | LowercaseLetter | TitlecaseLetter | ModifierLetter | OtherLetter
    )
}

/// Unicode general category Z (separators), as Java's `\p{Z}`.
pub(crate) fn is_separator(c: char) -> bool {
    use unicode_general_category::GeneralCategory::*;
    matches!(
        unicode_general_category::get_general_category(c),
        SpaceSeparator | LineSeparator | ParagraphSeparator
    )
}

/// Unicode general category N (numbers), as Java's `\p{N}`.
pub(crate) fn is_number(c: char) -> bool {
    use unicode_general_category::GeneralCategory::*;
    matches!(
        unicode_general_category::get_general_category(c),
        DecimalNumber | LetterNumber | OtherNumber
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_count_chars() {
        assert!(length("ሴሴ", Some(2), Some(2)).is_ok());
        let v = length("ሴ", Some(2), None).unwrap_err();
        assert_eq!(v.rule, Rule::MinLength(2));
        assert_eq!(v.problem, "must be at least 2 characters long, got 1");
        let v = length("abc", None, Some(2)).unwrap_err();
        assert_eq!(v.rule, Rule::MaxLength(2));
    }

    #[test]
    fn pattern_messages() {
        let v = pattern(
            "ab c",
            |c| c.is_ascii_alphabetic(),
            "[a-z]*",
            "letters",
            false,
            false,
        )
        .unwrap_err();
        assert_eq!(
            v.at("Op", "F").to_string(),
            "Op: F is invalid: character ' ' at position 2 is not allowed (allowed: letters)"
        );
        let v = pattern(
            "secret!",
            |c| c.is_ascii_alphabetic(),
            "[a-z]*",
            "letters",
            false,
            true,
        )
        .unwrap_err();
        let shown = v.at("Op", "F").to_string();
        assert_eq!(
            shown,
            "Op: F is invalid: the character at position 6 is not allowed (allowed: letters)"
        );
        assert!(pattern("", |_| true, "[a]+", "a", true, false).is_err());
    }

    #[test]
    fn categories_are_exact() {
        assert!(is_letter('é') && is_letter('ß') && is_letter('ǅ') && is_letter('ʰ'));
        assert!(!is_letter('1') && !is_letter('_') && !is_letter('\u{300}'));
        assert!(is_separator(' ') && is_separator('\u{a0}') && is_separator('\u{2028}'));
        assert!(!is_separator('\t'));
        assert!(is_number('٣') && is_number('Ⅻ') && is_number('½'));
        assert!(!is_number('a'));
    }

    #[test]
    fn ranges_and_items() {
        let v = range(60, Some(900), Some(43200)).unwrap_err();
        assert_eq!(
            v.at("AssumeRole", "DurationSeconds").to_string(),
            "AssumeRole: DurationSeconds must be at least 900, got 60"
        );
        assert_eq!(
            range(50000, Some(900), Some(43200)).unwrap_err().rule,
            Rule::Max(43200)
        );
        assert!(items(0, Some(1), Some(2)).is_ok());
        assert_eq!(
            items(3, Some(1), Some(2)).unwrap_err().rule,
            Rule::MaxItems(2)
        );
        assert_eq!(required_list::<u8>(&[]).unwrap_err().rule, Rule::Required);
        assert_eq!(
            required::<u8>(None).unwrap_err().at("O", "F").to_string(),
            "O: F is required"
        );
    }
}
