//! The compiled form of an expression.

use crate::output::doc::Doc;

#[derive(Debug, PartialEq)]
pub enum Node {
    /// `@`, and the implicit "the value itself" of `[*]`, `[]`, `[?…]`.
    Identity,
    Field(String),
    Literal(Doc),
    Index(i64),
    /// `[start:stop:step]`, each part optional.
    Slice([Option<i64>; 3]),
    /// The right side applied to the left side's result: `a.b` and `a | b`.
    Chain(Box<Node>, Box<Node>),
    /// `a[0]` evaluates as a chain, but the parser must know it is one: a
    /// slice right after it (`a[0][1:]`) does not start a projection in
    /// Python's parser, and our results follow Python's.
    IndexChain(Box<Node>, Box<Node>),
    /// Applies `rhs` to each element `lhs` yields, dropping nulls.
    Projection {
        kind: Projection,
        lhs: Box<Node>,
        rhs: Box<Node>,
    },
    /// `lhs[]`: one level of nested lists merged.
    Flatten(Box<Node>),
    Compare(Comparator, Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    And(Box<Node>, Box<Node>),
    Not(Box<Node>),
    MultiList(Vec<Node>),
    /// Keys in the expression's order.
    MultiHash(Vec<(String, Node)>),
    Call(String, Vec<Node>),
    /// `&expr`: the expression itself, for `sort_by` and friends.
    Expref(Box<Node>),
}

#[derive(Debug, PartialEq)]
pub enum Projection {
    /// Over a list: `a[*]`, `a[]`, `a[1:]`.
    List,
    /// Over an object's values: `a.*`.
    Values,
    /// Over a list, keeping the elements the condition holds for.
    Filter(Box<Node>),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Comparator {
    Eq,
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
}
