//! `--query`: a JMESPath expression applied to the output document before
//! it is printed, as the AWS CLI applies it. The engine works on the
//! document itself, so objects come out in the AWS CLI's order: the
//! document's for its own objects, the expression's for a multi-select hash.

use super::doc::Doc;
use super::jmespath::Expression;

/// A compiled `--query` expression.
pub struct Query {
    text: String,
    expr: Expression,
}

impl Query {
    /// Compiles the expression; the error says where it is malformed.
    pub fn compile(expression: &str) -> Result<Query, String> {
        match Expression::compile(expression) {
            Ok(expr) => Ok(Query {
                text: expression.to_owned(),
                expr,
            }),
            Err(e) => Err(format!(
                "Bad value for --query {expression}: {} at column {}",
                e.message, e.column
            )),
        }
    }

    /// Applies the expression to `doc`.
    pub fn apply(&self, doc: &Doc) -> Result<Doc, String> {
        self.expr
            .search(doc)
            .map_err(|e| format!("--query {} failed: {e}", self.text))
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
