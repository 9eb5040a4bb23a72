//! Tokens to a `Node` tree: a Pratt parser with the binding powers of
//! Python's `jmespath.parser`, so that precedence and its quirks (which
//! tokens end a projection, `{a: b c: d}` needing no comma) are the AWS
//! CLI's.

use super::SyntaxError;
use super::ast::{Node, Projection};
use super::lexer::{Tok, Token};

/// The expression comes from the user and both the parser and the
/// evaluator recurse over it: nesting beyond this is a syntax error, long
/// before the stack could run out.
const MAX_DEPTH: usize = 128;

/// Tokens binding more weakly than this end a projection's right side.
const PROJECTION_STOP: u8 = 10;

fn binding_power(t: &Tok) -> u8 {
    match t {
        Tok::Pipe => 1,
        Tok::Or => 2,
        Tok::And => 3,
        Tok::Compare(_) => 5,
        Tok::Flatten => 9,
        Tok::Star => 20,
        Tok::Filter => 21,
        Tok::Dot => 40,
        Tok::Not => 45,
        Tok::LBrace => 50,
        Tok::LBracket => 55,
        Tok::LParen => 60,
        _ => 0,
    }
}

pub fn parse(tokens: Vec<Token>) -> Result<Node, SyntaxError> {
    let mut p = Parser {
        tokens,
        index: 0,
        depth: 0,
    };
    let node = p.expression(0)?;
    match p.current() {
        Tok::Eof => Ok(node),
        _ => Err(p.unexpected()),
    }
}

struct Parser {
    tokens: Vec<Token>,
    index: usize,
    /// Parser recursion plus the nodes stacked on the left in the current
    /// frames: bounds the depth of the tree built.
    depth: usize,
}

fn boxed(n: Node) -> Box<Node> {
    Box::new(n)
}

fn list_projection(lhs: Node, rhs: Node) -> Node {
    Node::Projection {
        kind: Projection::List,
        lhs: boxed(lhs),
        rhs: boxed(rhs),
    }
}

impl Parser {
    fn token(&self, ahead: usize) -> &Token {
        // The token list ends with `Eof`, which no rule steps over.
        let last = self.tokens.len() - 1;
        &self.tokens[(self.index + ahead).min(last)]
    }

    fn current(&self) -> &Tok {
        &self.token(0).tok
    }

    fn advance(&mut self) {
        self.index += 1;
    }

    fn nest(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(SyntaxError::new(
                "expression nested too deeply",
                self.token(0).pos,
            ));
        }
        Ok(())
    }

    fn unexpected(&self) -> SyntaxError {
        let t = self.token(0);
        match t.tok {
            Tok::Eof => SyntaxError::new("incomplete expression", t.pos),
            _ => SyntaxError::new("unexpected token", t.pos),
        }
    }

    fn expect(&mut self, tok: Tok) -> Result<(), SyntaxError> {
        if *self.current() != tok {
            return Err(self.unexpected());
        }
        self.advance();
        Ok(())
    }

    fn expression(&mut self, bp: u8) -> Result<Node, SyntaxError> {
        let entry = self.depth;
        self.nest()?;
        let tok = self.current().clone();
        self.advance();
        let mut left = self.nud(tok)?;
        while bp < binding_power(self.current()) {
            self.nest()?;
            let tok = self.current().clone();
            self.advance();
            left = self.led(tok, left)?;
        }
        self.depth = entry;
        Ok(left)
    }

    /// A token at the start of an expression.
    fn nud(&mut self, tok: Tok) -> Result<Node, SyntaxError> {
        Ok(match tok {
            Tok::Literal(d) => Node::Literal(d),
            Tok::Ident(name) => Node::Field(name),
            Tok::QuotedIdent(name) => {
                if *self.current() == Tok::LParen {
                    return Err(SyntaxError::new(
                        "a function name cannot be quoted",
                        self.token(0).pos,
                    ));
                }
                Node::Field(name)
            }
            Tok::Star => {
                let rhs = match self.current() {
                    Tok::RBracket => Node::Identity,
                    _ => self.projection_rhs(binding_power(&Tok::Star))?,
                };
                Node::Projection {
                    kind: Projection::Values,
                    lhs: boxed(Node::Identity),
                    rhs: boxed(rhs),
                }
            }
            Tok::Filter => self.filter(Node::Identity)?,
            Tok::LBrace => self.multi_hash()?,
            Tok::LParen => {
                let inner = self.expression(0)?;
                self.expect(Tok::RParen)?;
                inner
            }
            Tok::Flatten => self.flatten(Node::Identity)?,
            Tok::Not => Node::Not(boxed(self.expression(binding_power(&Tok::Not))?)),
            Tok::LBracket => match self.current() {
                Tok::Number(_) | Tok::Colon => {
                    let right = self.index_or_slice()?;
                    self.project_if_slice(Node::Identity, right)?
                }
                Tok::Star if self.token(1).tok == Tok::RBracket => {
                    self.advance();
                    self.advance();
                    let rhs = self.projection_rhs(binding_power(&Tok::Star))?;
                    list_projection(Node::Identity, rhs)
                }
                _ => self.multi_list()?,
            },
            Tok::Current => Node::Identity,
            Tok::Expref => Node::Expref(boxed(self.expression(0)?)),
            _ => {
                self.index -= 1;
                return Err(self.unexpected());
            }
        })
    }

    /// A token after a complete left side.
    fn led(&mut self, tok: Tok, left: Node) -> Result<Node, SyntaxError> {
        Ok(match tok {
            Tok::Compare(c) => {
                let right = self.expression(binding_power(&tok))?;
                Node::Compare(c, boxed(left), boxed(right))
            }
            Tok::Dot => {
                if *self.current() == Tok::Star {
                    self.advance();
                    let rhs = self.projection_rhs(binding_power(&Tok::Dot))?;
                    Node::Projection {
                        kind: Projection::Values,
                        lhs: boxed(left),
                        rhs: boxed(rhs),
                    }
                } else {
                    let right = self.dot_rhs(binding_power(&Tok::Dot))?;
                    Node::Chain(boxed(left), boxed(right))
                }
            }
            Tok::Pipe => Node::Chain(boxed(left), boxed(self.expression(1)?)),
            Tok::Or => Node::Or(boxed(left), boxed(self.expression(2)?)),
            Tok::And => Node::And(boxed(left), boxed(self.expression(3)?)),
            Tok::LParen => {
                let Node::Field(name) = left else {
                    self.index -= 2;
                    return Err(SyntaxError::new("invalid function name", self.token(0).pos));
                };
                let mut args = Vec::new();
                while *self.current() != Tok::RParen {
                    args.push(self.expression(0)?);
                    if *self.current() == Tok::Comma {
                        self.advance();
                    }
                }
                self.advance();
                Node::Call(name, args)
            }
            Tok::Filter => self.filter(left)?,
            Tok::Flatten => self.flatten(left)?,
            Tok::LBracket => match self.current() {
                Tok::Number(_) | Tok::Colon => {
                    let right = self.index_or_slice()?;
                    match left {
                        Node::IndexChain(..) => Node::IndexChain(boxed(left), boxed(right)),
                        _ => self.project_if_slice(left, right)?,
                    }
                }
                _ => {
                    self.expect(Tok::Star)?;
                    self.expect(Tok::RBracket)?;
                    let rhs = self.projection_rhs(binding_power(&Tok::Star))?;
                    list_projection(left, rhs)
                }
            },
            _ => {
                self.index -= 1;
                return Err(self.unexpected());
            }
        })
    }

    fn filter(&mut self, left: Node) -> Result<Node, SyntaxError> {
        let condition = self.expression(0)?;
        self.expect(Tok::RBracket)?;
        let rhs = match self.current() {
            Tok::Flatten => Node::Identity,
            _ => self.projection_rhs(binding_power(&Tok::Filter))?,
        };
        Ok(Node::Projection {
            kind: Projection::Filter(boxed(condition)),
            lhs: boxed(left),
            rhs: boxed(rhs),
        })
    }

    fn flatten(&mut self, left: Node) -> Result<Node, SyntaxError> {
        let rhs = self.projection_rhs(binding_power(&Tok::Flatten))?;
        Ok(list_projection(Node::Flatten(boxed(left)), rhs))
    }

    /// After `[` when a number or colon follows: `[n]` or a slice.
    fn index_or_slice(&mut self) -> Result<Node, SyntaxError> {
        if *self.current() != Tok::Colon && self.token(1).tok != Tok::Colon {
            let Tok::Number(n) = *self.current() else {
                return Err(self.unexpected());
            };
            self.advance();
            self.expect(Tok::RBracket)?;
            return Ok(Node::Index(n));
        }
        let mut parts = [None; 3];
        let mut part = 0;
        loop {
            match *self.current() {
                Tok::RBracket => break,
                Tok::Colon if part < 2 => part += 1,
                Tok::Number(n) => parts[part] = Some(n),
                _ => return Err(self.unexpected()),
            }
            self.advance();
        }
        self.advance();
        Ok(Node::Slice(parts))
    }

    fn project_if_slice(&mut self, left: Node, right: Node) -> Result<Node, SyntaxError> {
        let is_slice = matches!(right, Node::Slice(_));
        let chain = Node::IndexChain(boxed(left), boxed(right));
        if !is_slice {
            return Ok(chain);
        }
        let rhs = self.projection_rhs(binding_power(&Tok::Star))?;
        Ok(list_projection(chain, rhs))
    }

    /// `[a, b]` after its `[`.
    fn multi_list(&mut self) -> Result<Node, SyntaxError> {
        let mut items = Vec::new();
        loop {
            items.push(self.expression(0)?);
            if *self.current() == Tok::RBracket {
                self.advance();
                return Ok(Node::MultiList(items));
            }
            self.expect(Tok::Comma)?;
        }
    }

    /// `{k: v, …}` after its `{`.
    fn multi_hash(&mut self) -> Result<Node, SyntaxError> {
        let mut pairs = Vec::new();
        loop {
            let key = match self.current() {
                Tok::Ident(k) | Tok::QuotedIdent(k) => k.clone(),
                _ => return Err(self.unexpected()),
            };
            self.advance();
            self.expect(Tok::Colon)?;
            pairs.push((key, self.expression(0)?));
            match self.current() {
                Tok::Comma => self.advance(),
                Tok::RBrace => {
                    self.advance();
                    return Ok(Node::MultiHash(pairs));
                }
                // Python's parser reads the next key without a comma.
                _ => {}
            }
        }
    }

    /// What a projection applies to each element: nothing (the element
    /// itself) when the next token binds weakly, else a bracket, filter or
    /// dotted expression.
    fn projection_rhs(&mut self, bp: u8) -> Result<Node, SyntaxError> {
        match self.current() {
            t if binding_power(t) < PROJECTION_STOP => Ok(Node::Identity),
            Tok::LBracket | Tok::Filter => self.expression(bp),
            Tok::Dot => {
                self.advance();
                self.dot_rhs(bp)
            }
            _ => Err(self.unexpected()),
        }
    }

    fn dot_rhs(&mut self, bp: u8) -> Result<Node, SyntaxError> {
        match self.current() {
            Tok::Ident(_) | Tok::QuotedIdent(_) | Tok::Star => self.expression(bp),
            Tok::LBracket => {
                self.advance();
                self.multi_list()
            }
            Tok::LBrace => {
                self.advance();
                self.multi_hash()
            }
            _ => Err(self.unexpected()),
        }
    }
}
