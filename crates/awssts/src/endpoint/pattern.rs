//! The pieces a partition's `regionRegex` is compiled into.
//!
//! The generator turns each pattern (e.g. `^us\-gov\-\w+\-\d+$`) into a
//! chain of these steps, each taking the unmatched rest of the region and
//! returning what is left after its piece, or `None` when it does not match.
//! The generator only emits chains that need no backtracking (it refuses a
//! pattern where a repeated class could swallow the literal after it), so a
//! greedy step is exact.

/// `\w`: an ASCII letter, digit or underscore.
pub(crate) fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `\d`: an ASCII digit.
pub(crate) fn is_digit(b: u8) -> bool {
    b.is_ascii_digit()
}

/// A literal: `rest` without `literal` in front.
pub(crate) fn literal<'a>(rest: &'a str, literal: &str) -> Option<&'a str> {
    rest.strip_prefix(literal)
}

/// `(a|b|c)` of literals, none a prefix of another: `rest` after the one
/// that starts it.
pub(crate) fn one_of<'a>(rest: &'a str, alternatives: &[&str]) -> Option<&'a str> {
    alternatives.iter().find_map(|a| rest.strip_prefix(a))
}

/// `class+`: at least one byte of the class, as many as there are.
pub(crate) fn one_or_more(rest: &str, class: fn(u8) -> bool) -> Option<&str> {
    let n = rest.bytes().take_while(|&b| class(b)).count();
    if n == 0 { None } else { rest.get(n..) }
}

/// `$`: nothing left.
pub(crate) fn end(rest: &str) -> Option<()> {
    rest.is_empty().then_some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps() {
        assert_eq!(literal("us-east-1", "us"), Some("-east-1"));
        assert_eq!(literal("eu-west-1", "us"), None);
        assert_eq!(one_of("cn-north-1", &["us", "cn"]), Some("-north-1"));
        assert_eq!(one_of("xx-north-1", &["us", "cn"]), None);
        assert_eq!(one_or_more("east_2-1", is_word), Some("-1"));
        assert_eq!(one_or_more("-1", is_word), None);
        assert_eq!(one_or_more("12", is_digit), Some(""));
        assert_eq!(one_or_more("1a", is_digit), Some("a"));
        assert_eq!(one_or_more("é", is_word), None);
        assert_eq!(end(""), Some(()));
        assert_eq!(end("x"), None);
    }
}
