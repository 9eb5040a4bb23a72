//! The built-in functions, with the argument checks of Python's
//! `jmespath.functions`: the count first, then each argument's type (and
//! for typed arrays, each element's), before the function runs.

use std::cmp::Ordering;

use super::ast::Node;
use super::interpreter::eval;
use super::value::{insert, number, order, py_eq, type_name};
use crate::output::doc::Doc;

/// What a parameter accepts.
#[derive(Clone, Copy, PartialEq)]
enum Param {
    Any,
    Number,
    Text,
    Array,
    Object,
    Expref,
    ArrayOrText,
    /// string, array or object: what has a length.
    Sized,
    Numbers,
    Texts,
    /// An array of numbers or one of strings, as its first element decides.
    NumbersOrTexts,
}

use Param::*;

/// The parameters of `name`, and whether the last one repeats.
fn signature(name: &str) -> Option<(&'static [Param], bool)> {
    Some(match name {
        "abs" | "ceil" | "floor" => (&[Number], false),
        "avg" | "sum" => (&[Numbers], false),
        "contains" => (&[ArrayOrText, Any], false),
        "ends_with" | "starts_with" => (&[Text, Text], false),
        "join" => (&[Text, Texts], false),
        "keys" | "values" => (&[Object], false),
        "length" => (&[Sized], false),
        "map" => (&[Expref, Array], false),
        "max" | "min" | "sort" => (&[NumbersOrTexts], false),
        "max_by" | "min_by" | "sort_by" => (&[Array, Expref], false),
        "merge" => (&[Object], true),
        "not_null" => (&[Any], true),
        "reverse" => (&[ArrayOrText], false),
        "to_array" | "to_number" | "to_string" | "type" => (&[Any], false),
        _ => return None,
    })
}

/// An evaluated argument: a value, or an `&expr` left unevaluated.
enum Arg<'n> {
    Value(Doc),
    Expref(&'n Node),
}

fn accepts(param: Param, arg: &Arg<'_>) -> bool {
    let Arg::Value(v) = arg else {
        return param == Expref;
    };
    let all = |f: fn(&Doc) -> bool| matches!(v, Doc::List(items) if items.iter().all(f));
    let is_number = |d: &Doc| number(d).is_some();
    let is_string = |d: &Doc| matches!(d, Doc::Str(_));
    match param {
        Any => true,
        Number => is_number(v),
        Text => is_string(v),
        Array => matches!(v, Doc::List(_)),
        Object => matches!(v, Doc::Map(_)),
        Expref => false,
        ArrayOrText => matches!(v, Doc::List(_) | Doc::Str(_)),
        Sized => matches!(v, Doc::List(_) | Doc::Str(_) | Doc::Map(_)),
        Numbers => all(is_number),
        Texts => all(is_string),
        NumbersOrTexts => match v {
            Doc::List(items) => match items.first() {
                Some(Doc::Str(_)) => all(is_string),
                _ => all(is_number),
            },
            _ => false,
        },
    }
}

pub fn call(name: &str, arg_nodes: &[Node], current: &Doc) -> Result<Doc, String> {
    let mut args = Vec::with_capacity(arg_nodes.len());
    for node in arg_nodes {
        args.push(match node {
            Node::Expref(inner) => Arg::Expref(inner),
            n => Arg::Value(eval(n, current)?),
        });
    }
    let (params, variadic) =
        signature(name).ok_or_else(|| format!("unknown function: {name}()"))?;
    let arity_ok = if variadic {
        args.len() >= params.len()
    } else {
        args.len() == params.len()
    };
    if !arity_ok {
        return Err(format!(
            "function {name}() takes {}{} argument(s), received {}",
            if variadic { "at least " } else { "" },
            params.len(),
            args.len()
        ));
    }
    for (i, arg) in args.iter().enumerate() {
        let param = params[i.min(params.len() - 1)];
        if !accepts(param, arg) {
            let received = match arg {
                Arg::Value(v) => type_name(v),
                Arg::Expref(_) => "expression reference",
            };
            return Err(format!(
                "invalid type for argument {} of {name}(): received {received}",
                i + 1
            ));
        }
    }
    run(name, &args)
}

static NULL: Doc = Doc::Null;

fn value<'a>(args: &'a [Arg<'_>], i: usize) -> &'a Doc {
    match args.get(i) {
        Some(Arg::Value(v)) => v,
        _ => &NULL,
    }
}

fn items<'a>(args: &'a [Arg<'_>], i: usize) -> &'a [Doc] {
    match value(args, i) {
        Doc::List(items) => items,
        _ => &[],
    }
}

fn text<'a>(args: &'a [Arg<'_>], i: usize) -> &'a str {
    match value(args, i) {
        Doc::Str(s) => s,
        _ => "",
    }
}

fn expref<'n>(args: &[Arg<'n>], i: usize) -> &'n Node {
    match args.get(i) {
        Some(Arg::Expref(n)) => n,
        _ => &Node::Identity,
    }
}

fn by_order(a: &Doc, b: &Doc) -> Ordering {
    order(a, b).unwrap_or(Ordering::Equal)
}

/// Runs a function whose arguments passed the checks.
fn run(name: &str, args: &[Arg<'_>]) -> Result<Doc, String> {
    let arg = value(args, 0);
    Ok(match name {
        "abs" => match arg {
            Doc::Int(i) => i
                .checked_abs()
                .map_or(Doc::Float((*i as f64).abs()), Doc::Int),
            other => Doc::Float(number(other).unwrap_or_default().abs()),
        },
        "avg" => match items(args, 0) {
            [] => Doc::Null,
            xs => Doc::Float(xs.iter().filter_map(number).sum::<f64>() / xs.len() as f64),
        },
        "ceil" | "floor" => match arg {
            Doc::Int(i) => Doc::Int(*i),
            other => {
                let f = number(other).unwrap_or_default();
                let r = if name == "ceil" { f.ceil() } else { f.floor() };
                if !r.is_finite() {
                    return Err(format!("{name}() of {f} has no integer value"));
                }
                // Python gives an integer; beyond 64 bits this keeps a float.
                if r.abs() < 9.2e18 {
                    Doc::Int(r as i64)
                } else {
                    Doc::Float(r)
                }
            }
        },
        // Python's `in` on a list compares with its own `==`, so `true`
        // is found in `[1]`.
        "contains" => Doc::Bool(match (arg, value(args, 1)) {
            (Doc::List(xs), needle) => xs.iter().any(|x| py_eq(x, needle)),
            (Doc::Str(s), Doc::Str(needle)) => s.contains(needle.as_str()),
            (_, other) => {
                return Err(format!(
                    "contains() of a string needs a string to look for, received {}",
                    type_name(other)
                ));
            }
        }),
        "ends_with" => Doc::Bool(text(args, 0).ends_with(text(args, 1))),
        "starts_with" => Doc::Bool(text(args, 0).starts_with(text(args, 1))),
        "join" => {
            let parts: Vec<&str> = items(args, 1)
                .iter()
                .map(|d| match d {
                    Doc::Str(s) => s.as_str(),
                    _ => "",
                })
                .collect();
            Doc::Str(parts.join(text(args, 0)))
        }
        "keys" | "values" => match arg {
            Doc::Map(members) => Doc::List(
                members
                    .iter()
                    .map(|(k, v)| {
                        if name == "keys" {
                            Doc::Str(k.clone())
                        } else {
                            v.clone()
                        }
                    })
                    .collect(),
            ),
            _ => Doc::Null,
        },
        "length" => Doc::Int(match arg {
            Doc::Str(s) => s.chars().count(),
            Doc::List(xs) => xs.len(),
            Doc::Map(m) => m.len(),
            _ => 0,
        } as i64),
        "map" => {
            let e = expref(args, 0);
            Doc::List(
                items(args, 1)
                    .iter()
                    .map(|x| eval(e, x))
                    .collect::<Result<_, _>>()?,
            )
        }
        // Python's max/min keep the first of equal elements.
        "max" => items(args, 0)
            .iter()
            .reduce(|best, x| if by_order(x, best).is_gt() { x } else { best })
            .cloned()
            .unwrap_or(Doc::Null),
        "min" => items(args, 0)
            .iter()
            .reduce(|best, x| if by_order(x, best).is_lt() { x } else { best })
            .cloned()
            .unwrap_or(Doc::Null),
        "sort" => {
            let mut xs = items(args, 0).to_vec();
            xs.sort_by(by_order);
            Doc::List(xs)
        }
        "max_by" | "min_by" | "sort_by" => by_key(name, items(args, 0), expref(args, 1))?,
        "merge" => {
            let mut merged = Vec::new();
            for i in 0..args.len() {
                if let Doc::Map(members) = value(args, i) {
                    for (k, v) in members {
                        insert(&mut merged, k.clone(), v.clone());
                    }
                }
            }
            Doc::Map(merged)
        }
        "not_null" => (0..args.len())
            .map(|i| value(args, i))
            .find(|v| **v != Doc::Null)
            .cloned()
            .unwrap_or(Doc::Null),
        "reverse" => match arg {
            Doc::Str(s) => Doc::Str(s.chars().rev().collect()),
            _ => Doc::List(items(args, 0).iter().rev().cloned().collect()),
        },
        "sum" => sum(items(args, 0)),
        "to_array" => match arg {
            Doc::List(_) => arg.clone(),
            other => Doc::List(vec![other.clone()]),
        },
        "to_number" => match arg {
            Doc::Int(_) | Doc::Float(_) => arg.clone(),
            Doc::Str(s) => parse_number(s),
            _ => Doc::Null,
        },
        "to_string" => match arg {
            Doc::Str(_) => arg.clone(),
            other => Doc::Str(ascii_json(other)),
        },
        "type" => Doc::Str(type_name(arg).to_owned()),
        _ => return Err(format!("unknown function: {name}()")),
    })
}

/// `sort_by`, `min_by`, `max_by`: every key a number, or every key a
/// string (Python refuses to order a mix).
fn by_key(name: &str, xs: &[Doc], e: &Node) -> Result<Doc, String> {
    let mut keyed = Vec::with_capacity(xs.len());
    for x in xs {
        let key = eval(e, x)?;
        let kind = type_name(&key);
        let first_kind = keyed
            .first()
            .map_or(kind, |(k, _): &(Doc, &Doc)| type_name(k));
        if !matches!(kind, "number" | "string") || kind != first_kind {
            return Err(format!(
                "{name}() keys must be all numbers or all strings, found {kind}"
            ));
        }
        keyed.push((key, x));
    }
    let pick = |want: Ordering| {
        keyed
            .iter()
            .reduce(|best, x| {
                if by_order(&x.0, &best.0) == want {
                    x
                } else {
                    best
                }
            })
            .map_or(Doc::Null, |(_, x)| (*x).clone())
    };
    Ok(match name {
        "max_by" => pick(Ordering::Greater),
        "min_by" => pick(Ordering::Less),
        _ => {
            keyed.sort_by(|a, b| by_order(&a.0, &b.0));
            Doc::List(keyed.into_iter().map(|(_, x)| x.clone()).collect())
        }
    })
}

/// Integers add up as integers (Python's are unbounded; past 64 bits this
/// continues in floats); one float makes the sum a float.
fn sum(xs: &[Doc]) -> Doc {
    let mut total = Doc::Int(0);
    for x in xs {
        total = match (&total, x) {
            (Doc::Int(a), Doc::Int(b)) => a
                .checked_add(*b)
                .map_or(Doc::Float(*a as f64 + *b as f64), Doc::Int),
            _ => Doc::Float(number(&total).unwrap_or_default() + number(x).unwrap_or_default()),
        };
    }
    total
}

/// `int(s)`, else `float(s)`, else null, as Python's `to_number` tries
/// them: surrounding whitespace is allowed, and `_` between two digits.
fn parse_number(s: &str) -> Doc {
    let s = s.trim();
    let b = s.as_bytes();
    let separators_ok = b.iter().enumerate().all(|(i, c)| {
        *c != b'_'
            || (i > 0 && b[i - 1].is_ascii_digit() && b.get(i + 1).is_some_and(u8::is_ascii_digit))
    });
    if !separators_ok {
        return Doc::Null;
    }
    let s = s.replace('_', "");
    if let Ok(i) = s.parse::<i64>() {
        return Doc::Int(i);
    }
    // Rust reads "inf", "infinity" and "nan" in any case, as Python does.
    s.parse::<f64>().map_or(Doc::Null, Doc::Float)
}

/// `json.dumps(value, separators=(',', ':'))`: compact, with everything
/// beyond ASCII escaped (Python's `ensure_ascii` default). Outside strings
/// compact JSON is all ASCII, so escaping every other character is exact.
fn ascii_json(v: &Doc) -> String {
    let mut out = String::new();
    for c in v.to_json_compact().chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    out
}
