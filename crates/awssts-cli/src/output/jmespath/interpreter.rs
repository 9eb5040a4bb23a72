//! Evaluates a `Node` tree over a document, as Python's
//! `jmespath.visitor.TreeInterpreter` does: a missing field, an index past
//! the end or a projection over a non-list gives `null`, never an error.
//! Errors are for what Python raises: a function given the wrong arguments,
//! an ordering between a number and a string, a slice step of zero.

use std::cmp::Ordering;

use super::ast::{Comparator, Node, Projection};
use super::value::{equals, insert, is_false, order, type_name};
use crate::output::doc::Doc;

pub fn eval(node: &Node, value: &Doc) -> Result<Doc, String> {
    Ok(match node {
        Node::Identity => value.clone(),
        Node::Field(name) => field(value, name).cloned().unwrap_or(Doc::Null),
        Node::Literal(d) => d.clone(),
        Node::Index(i) => match value {
            Doc::List(items) => index(items, *i).cloned().unwrap_or(Doc::Null),
            _ => Doc::Null,
        },
        Node::Slice(parts) => match value {
            Doc::List(items) => Doc::List(slice(items, *parts)?),
            _ => Doc::Null,
        },
        Node::Chain(lhs, rhs) | Node::IndexChain(lhs, rhs) => eval(rhs, &eval(lhs, value)?)?,
        Node::Projection { kind, lhs, rhs } => {
            let base = eval(lhs, value)?;
            let elements = match (kind, base) {
                (Projection::Values, Doc::Map(members)) => {
                    members.into_iter().map(|(_, v)| v).collect()
                }
                (Projection::List | Projection::Filter(_), Doc::List(items)) => items,
                _ => return Ok(Doc::Null),
            };
            let mut out = Vec::new();
            for element in elements {
                if let Projection::Filter(condition) = kind
                    && is_false(&eval(condition, &element)?)
                {
                    continue;
                }
                match eval(rhs, &element)? {
                    Doc::Null => {}
                    v => out.push(v),
                }
            }
            Doc::List(out)
        }
        Node::Flatten(inner) => match eval(inner, value)? {
            Doc::List(items) => {
                let mut out = Vec::new();
                for item in items {
                    match item {
                        Doc::List(nested) => out.extend(nested),
                        other => out.push(other),
                    }
                }
                Doc::List(out)
            }
            _ => Doc::Null,
        },
        Node::Compare(c, lhs, rhs) => compare(*c, &eval(lhs, value)?, &eval(rhs, value)?)?,
        Node::Or(lhs, rhs) => {
            let left = eval(lhs, value)?;
            if is_false(&left) {
                eval(rhs, value)?
            } else {
                left
            }
        }
        Node::And(lhs, rhs) => {
            let left = eval(lhs, value)?;
            if is_false(&left) {
                left
            } else {
                eval(rhs, value)?
            }
        }
        Node::Not(inner) => Doc::Bool(is_false(&eval(inner, value)?)),
        // Python builds nothing from a null: `null.[a]` is null, not `[null]`.
        Node::MultiList(_) | Node::MultiHash(_) if *value == Doc::Null => Doc::Null,
        Node::MultiList(items) => Doc::List(
            items
                .iter()
                .map(|n| eval(n, value))
                .collect::<Result<_, _>>()?,
        ),
        Node::MultiHash(pairs) => {
            let mut members = Vec::new();
            for (key, n) in pairs {
                insert(&mut members, key.clone(), eval(n, value)?);
            }
            Doc::Map(members)
        }
        Node::Call(name, args) => super::functions::call(name, args, value)?,
        Node::Expref(_) => {
            return Err("an expression reference (&expr) can only be a function argument".into());
        }
    })
}

pub fn field<'d>(value: &'d Doc, name: &str) -> Option<&'d Doc> {
    match value {
        Doc::Map(members) => members.iter().find(|(k, _)| k == name).map(|(_, v)| v),
        _ => None,
    }
}

/// A Python list index: negative counts from the end.
fn index(items: &[Doc], i: i64) -> Option<&Doc> {
    let len = items.len() as i64;
    let at = if i < 0 { i.checked_add(len)? } else { i };
    usize::try_from(at).ok().and_then(|at| items.get(at))
}

/// Python's `list[start:stop:step]`: bounds clamped to the list, defaults
/// depending on the step's direction.
fn slice(items: &[Doc], [start, stop, step]: [Option<i64>; 3]) -> Result<Vec<Doc>, String> {
    let step = step.unwrap_or(1);
    if step == 0 {
        return Err("slice step cannot be 0".into());
    }
    let len = items.len() as i64;
    // For a negative step the lowest position is -1: "before the first".
    let (low, high) = if step < 0 { (-1, len - 1) } else { (0, len) };
    let clamp = |bound: Option<i64>, default: i64| match bound {
        None => default,
        Some(b) if b < 0 => b.saturating_add(len).max(low),
        Some(b) => b.min(high),
    };
    let (mut i, stop) = if step < 0 {
        (clamp(start, high), clamp(stop, low))
    } else {
        (clamp(start, low), clamp(stop, high))
    };
    let mut out = Vec::new();
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        if let Some(d) = usize::try_from(i).ok().and_then(|i| items.get(i)) {
            out.push(d.clone());
        }
        let Some(next) = i.checked_add(step) else {
            break;
        };
        i = next;
    }
    Ok(out)
}

/// `==`/`!=` between any values; the orderings between two numbers or two
/// strings, `null` for other pairs (an error for number against string,
/// where Python raises).
fn compare(c: Comparator, left: &Doc, right: &Doc) -> Result<Doc, String> {
    let ordering = match c {
        Comparator::Eq => return Ok(Doc::Bool(equals(left, right))),
        Comparator::Ne => return Ok(Doc::Bool(!equals(left, right))),
        _ => {
            let comparable = |d: &Doc| matches!(d, Doc::Int(_) | Doc::Float(_) | Doc::Str(_));
            if !comparable(left) || !comparable(right) {
                return Ok(Doc::Null);
            }
            if type_name(left) != type_name(right) {
                return Err(format!(
                    "cannot order a {} against a {}",
                    type_name(left),
                    type_name(right)
                ));
            }
            order(left, right)
        }
    };
    // NaN orders against nothing: every comparison with it is false.
    let holds = ordering.is_some_and(|o| match c {
        Comparator::Lt => o == Ordering::Less,
        Comparator::Lte => o != Ordering::Greater,
        Comparator::Gt => o == Ordering::Greater,
        _ => o != Ordering::Less,
    });
    Ok(Doc::Bool(holds))
}
