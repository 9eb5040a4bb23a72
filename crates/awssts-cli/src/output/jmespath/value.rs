//! What JMESPath asks of a value beyond its shape: truth, equality and
//! ordering as Python's `jmespath` decides them (it leans on Python's own
//! `==` and `<`, so booleans count as 0 and 1 inside containers).

use std::cmp::Ordering;

use crate::output::doc::Doc;

/// Sets `key` as a Python dict assignment does: an existing key keeps its
/// place and takes the new value; a new key goes last.
pub fn insert(members: &mut Vec<(String, Doc)>, key: String, value: Doc) {
    match members.iter_mut().find(|(k, _)| *k == key) {
        Some(slot) => slot.1 = value,
        None => members.push((key, value)),
    }
}

/// JMESPath's false values: `null`, `false`, `""`, `[]` and `{}` (numbers,
/// zero included, are true).
pub fn is_false(v: &Doc) -> bool {
    match v {
        Doc::Null | Doc::Bool(false) => true,
        Doc::Str(s) => s.is_empty(),
        Doc::List(l) => l.is_empty(),
        Doc::Map(m) => m.is_empty(),
        _ => false,
    }
}

/// A number that is not a boolean.
pub fn number(v: &Doc) -> Option<f64> {
    match v {
        Doc::Int(i) => Some(*i as f64),
        Doc::Float(f) => Some(*f),
        _ => None,
    }
}

/// Python's `==`, where `True == 1` and key order does not matter.
pub fn py_eq(a: &Doc, b: &Doc) -> bool {
    let as_number = |d: &Doc| match d {
        Doc::Bool(b) => Some(f64::from(u8::from(*b))),
        d => number(d),
    };
    match (a, b) {
        (Doc::Int(x), Doc::Int(y)) => x == y,
        (Doc::Null, Doc::Null) => true,
        (Doc::Str(x), Doc::Str(y)) => x == y,
        (Doc::List(x), Doc::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| py_eq(x, y))
        }
        (Doc::Map(x), Doc::Map(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    y.iter()
                        .find(|(k2, _)| k2 == k)
                        .is_some_and(|(_, v2)| py_eq(v, v2))
                })
        }
        _ => match (as_number(a), as_number(b)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

/// `==` of an expression: Python's, except that a boolean never equals a
/// number at the top (the library special-cases `0`/`1` against `false`/
/// `true`, and no other number equals a boolean anyway).
pub fn equals(a: &Doc, b: &Doc) -> bool {
    match (a, b) {
        (Doc::Bool(_), Doc::Int(_) | Doc::Float(_))
        | (Doc::Int(_) | Doc::Float(_), Doc::Bool(_)) => false,
        _ => py_eq(a, b),
    }
}

/// Python's `<` family between two numbers or two strings; `None` when the
/// pair has no order (Python raises `TypeError` for a number against a
/// string).
pub fn order(a: &Doc, b: &Doc) -> Option<Ordering> {
    match (a, b) {
        (Doc::Int(x), Doc::Int(y)) => Some(x.cmp(y)),
        (Doc::Str(x), Doc::Str(y)) => Some(x.cmp(y)),
        _ => number(a)?.partial_cmp(&number(b)?),
    }
}

/// The JMESPath type name, as `type()` and the error messages say it.
pub fn type_name(v: &Doc) -> &'static str {
    match v {
        Doc::Null => "null",
        Doc::Bool(_) => "boolean",
        Doc::Int(_) | Doc::Float(_) => "number",
        Doc::Str(_) => "string",
        Doc::List(_) => "array",
        Doc::Map(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_equal_numbers_only_inside_containers() {
        assert!(!equals(&Doc::Bool(true), &Doc::Int(1)));
        assert!(equals(
            &Doc::List(vec![Doc::Bool(true)]),
            &Doc::List(vec![Doc::Int(1)])
        ));
        assert!(equals(&Doc::Int(2), &Doc::Float(2.0)));
        let ab = Doc::Map(vec![("a".into(), Doc::Int(1)), ("b".into(), Doc::Null)]);
        let ba = Doc::Map(vec![("b".into(), Doc::Null), ("a".into(), Doc::Int(1))]);
        assert!(equals(&ab, &ba));
        assert!(!equals(&ab, &Doc::Map(vec![])));
    }

    #[test]
    fn order_is_for_numbers_and_strings() {
        assert_eq!(order(&Doc::Int(1), &Doc::Float(1.5)), Some(Ordering::Less));
        assert_eq!(
            order(&Doc::Str("b".into()), &Doc::Str("a".into())),
            Some(Ordering::Greater)
        );
        assert_eq!(order(&Doc::Int(1), &Doc::Str("a".into())), None);
        assert_eq!(order(&Doc::Bool(true), &Doc::Int(1)), None);
    }

    #[test]
    fn falsy_values() {
        for v in [
            Doc::Null,
            Doc::Bool(false),
            Doc::Str(String::new()),
            Doc::List(vec![]),
            Doc::Map(vec![]),
        ] {
            assert!(is_false(&v), "{v:?}");
        }
        assert!(!is_false(&Doc::Int(0)));
        assert!(!is_false(&Doc::Str(" ".into())));
    }
}
