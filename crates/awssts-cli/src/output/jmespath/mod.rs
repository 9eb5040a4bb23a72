//! JMESPath, as the AWS CLI's `--query` evaluates it (Python's `jmespath`
//! package), working directly on the output document so that objects keep
//! their order: the document's own, or a multi-select hash's.
//!
//! `lexer` → `parser` (Pratt, building an `ast::Node`) → `interpreter`,
//! which calls `functions`; `value` holds Python's truth, equality and
//! ordering rules; `json` reads the literals.

mod ast;
mod functions;
mod interpreter;
mod json;
mod lexer;
mod parser;
mod value;

#[cfg(test)]
mod differential;
#[cfg(test)]
mod tests;

use super::doc::Doc;

/// A malformed expression, and the character where it goes wrong.
#[derive(Debug, PartialEq)]
pub struct SyntaxError {
    pub message: &'static str,
    pub column: usize,
}

impl SyntaxError {
    fn new(message: &'static str, column: usize) -> SyntaxError {
        SyntaxError { message, column }
    }
}

/// A compiled expression.
#[derive(Debug)]
pub struct Expression(ast::Node);

impl Expression {
    pub fn compile(expression: &str) -> Result<Expression, SyntaxError> {
        parser::parse(lexer::tokenize(expression)?).map(Expression)
    }

    /// Evaluates over `doc`; the error says which function or operation
    /// refused its arguments.
    pub fn search(&self, doc: &Doc) -> Result<Doc, String> {
        interpreter::eval(&self.0, doc)
    }
}
