//! `--query`: a JMESPath expression applied to the output document before
//! it is printed, as the AWS CLI applies it.
//!
//! The JMESPath engine keeps objects in sorted maps, while the AWS CLI
//! keeps Python's insertion order. The order is restored afterwards: an
//! object built by a multi-select hash (`{a: X, b: Y}`) takes the order of
//! its keys in the expression; any other object came out of the document,
//! so its keys take the order in which they first appear there.

use std::collections::HashMap;

use jmespath::ast::Ast;
use jmespath::{Rcvar, Variable};

use super::doc::Doc;

/// A compiled `--query` expression.
pub struct Query {
    expr: jmespath::Expression<'static>,
}

impl Query {
    /// Compiles the expression; the error says where it is malformed.
    pub fn compile(expression: &str) -> Result<Query, String> {
        jmespath::compile(expression)
            .map(|expr| Query { expr })
            .map_err(|e| format!("Bad value for --query {expression}: {}", first_line(&e)))
    }

    /// Applies the expression to `doc`.
    pub fn apply(&self, doc: &Doc) -> Result<Doc, String> {
        let data = Variable::from_json(&doc.to_json_compact())
            .map_err(|e| format!("cannot query the output: {e}"))?;
        let result = self
            .expr
            .search(data)
            .map_err(|e| format!("--query {} failed: {}", self.expr.as_str(), first_line(&e)))?;
        let mut ranks = HashMap::new();
        rank_keys(doc, &mut ranks);
        let mut hashes = Vec::new();
        multi_hash_keys(self.expr.as_ast(), &mut hashes);
        Ok(to_doc(&result, &ranks, &hashes))
    }
}

/// The engine's errors draw the expression with a caret below; the first
/// line says it all.
fn first_line(e: &dyn std::fmt::Display) -> String {
    e.to_string().lines().next().unwrap_or_default().to_owned()
}

/// Every key of the document, numbered in order of first appearance.
fn rank_keys(doc: &Doc, ranks: &mut HashMap<String, usize>) {
    match doc {
        Doc::Map(members) => {
            for (k, v) in members {
                let next = ranks.len();
                ranks.entry(k.clone()).or_insert(next);
                rank_keys(v, ranks);
            }
        }
        Doc::List(items) => items.iter().for_each(|d| rank_keys(d, ranks)),
        _ => {}
    }
}

/// The key lists of every multi-select hash in the expression.
fn multi_hash_keys(ast: &Ast, out: &mut Vec<Vec<String>>) {
    match ast {
        Ast::MultiHash { elements, .. } => {
            out.push(elements.iter().map(|kv| kv.key.clone()).collect());
            for kv in elements {
                multi_hash_keys(&kv.value, out);
            }
        }
        Ast::Comparison { lhs, rhs, .. }
        | Ast::Projection { lhs, rhs, .. }
        | Ast::And { lhs, rhs, .. }
        | Ast::Or { lhs, rhs, .. }
        | Ast::Subexpr { lhs, rhs, .. } => {
            multi_hash_keys(lhs, out);
            multi_hash_keys(rhs, out);
        }
        Ast::Condition {
            predicate, then, ..
        } => {
            multi_hash_keys(predicate, out);
            multi_hash_keys(then, out);
        }
        Ast::Expref { ast, .. } => multi_hash_keys(ast, out),
        Ast::Flatten { node, .. } | Ast::Not { node, .. } | Ast::ObjectValues { node, .. } => {
            multi_hash_keys(node, out)
        }
        Ast::Function { args, .. } => args.iter().for_each(|a| multi_hash_keys(a, out)),
        Ast::MultiList { elements, .. } => elements.iter().for_each(|a| multi_hash_keys(a, out)),
        Ast::Identity { .. }
        | Ast::Field { .. }
        | Ast::Index { .. }
        | Ast::Literal { .. }
        | Ast::Slice { .. } => {}
    }
}

fn to_doc(v: &Rcvar, ranks: &HashMap<String, usize>, hashes: &[Vec<String>]) -> Doc {
    match &**v {
        Variable::Null | Variable::Expref(_) => Doc::Null,
        Variable::String(s) => Doc::Str(s.clone()),
        Variable::Bool(b) => Doc::Bool(*b),
        Variable::Number(n) => match n.as_i64() {
            Some(i) => Doc::Int(i),
            None => Doc::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Variable::Array(items) => {
            Doc::List(items.iter().map(|i| to_doc(i, ranks, hashes)).collect())
        }
        Variable::Object(map) => {
            let mut members: Vec<(String, Doc)> = map
                .iter()
                .map(|(k, v)| (k.clone(), to_doc(v, ranks, hashes)))
                .collect();
            let from_hash = hashes.iter().find(|keys| {
                keys.len() == members.len() && members.iter().all(|(k, _)| keys.contains(k))
            });
            match from_hash {
                Some(order) => members.sort_by_key(|(k, _)| order.iter().position(|o| o == k)),
                None => members.sort_by_key(|(k, _)| ranks.get(k).copied().unwrap_or(usize::MAX)),
            }
            Doc::Map(members)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::doc::MapBuilder;

    fn doc() -> Doc {
        MapBuilder::new()
            .doc(
                "Credentials",
                Some(
                    MapBuilder::new()
                        .str("AccessKeyId", Some("ASIA"))
                        .str("SecretAccessKey", Some("s"))
                        .str("SessionToken", Some("t"))
                        .str("Expiration", Some("2026-11-22T12:00:00+00:00"))
                        .build(),
                ),
            )
            .str("Arn", Some("arn:x"))
            .int("Size", Some(7))
            .build()
    }

    fn keys(d: &Doc) -> Vec<&str> {
        match d {
            Doc::Map(m) => m.iter().map(|(k, _)| k.as_str()).collect(),
            _ => vec![],
        }
    }

    #[test]
    fn objects_keep_the_documents_order() {
        let got = Query::compile("Credentials")
            .unwrap()
            .apply(&doc())
            .unwrap();
        assert_eq!(
            keys(&got),
            [
                "AccessKeyId",
                "SecretAccessKey",
                "SessionToken",
                "Expiration"
            ]
        );
    }

    #[test]
    fn multi_select_hashes_keep_the_expressions_order() {
        let got = Query::compile("{z: Arn, a: Credentials.AccessKeyId, Size: Size}")
            .unwrap()
            .apply(&doc())
            .unwrap();
        assert_eq!(keys(&got), ["z", "a", "Size"]);
        assert_eq!(
            Query::compile("[Arn, Size]")
                .unwrap()
                .apply(&doc())
                .unwrap(),
            Doc::List(vec![Doc::Str("arn:x".into()), Doc::Int(7)])
        );
        assert_eq!(
            Query::compile("Nope").unwrap().apply(&doc()).unwrap(),
            Doc::Null
        );
    }

    #[test]
    fn bad_expressions_are_reported() {
        let err = Query::compile("Credentials.[").err().unwrap();
        assert!(err.contains("--query"), "{err}");
    }
}
