//! Splits an expression into tokens, as Python's `jmespath.lexer` does
//! (positions count characters, so errors point where the user looks).

use super::SyntaxError;
use super::ast::Comparator;
use crate::output::doc::Doc;

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Dot,
    Star,
    LBracket,
    RBracket,
    Comma,
    Colon,
    Current,
    LParen,
    RParen,
    LBrace,
    RBrace,
    /// `[]`
    Flatten,
    /// `[?`
    Filter,
    Pipe,
    Or,
    And,
    /// `&`
    Expref,
    Not,
    Compare(Comparator),
    Ident(String),
    QuotedIdent(String),
    Literal(Doc),
    Number(i64),
    Eof,
}

#[derive(Debug)]
pub struct Token {
    pub tok: Tok,
    /// The character the token starts at.
    pub pos: usize,
}

pub fn tokenize(expression: &str) -> Result<Vec<Token>, SyntaxError> {
    let chars: Vec<char> = expression.chars().collect();
    let mut lx = Lexer { chars, pos: 0 };
    let mut out = Vec::new();
    while let Some(c) = lx.peek() {
        let pos = lx.pos;
        lx.pos += 1;
        let tok = match c {
            ' ' | '\t' | '\n' | '\r' => continue,
            '.' => Tok::Dot,
            '*' => Tok::Star,
            ']' => Tok::RBracket,
            ',' => Tok::Comma,
            ':' => Tok::Colon,
            '@' => Tok::Current,
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            '{' => Tok::LBrace,
            '}' => Tok::RBrace,
            '[' if lx.eat(']') => Tok::Flatten,
            '[' if lx.eat('?') => Tok::Filter,
            '[' => Tok::LBracket,
            '|' if lx.eat('|') => Tok::Or,
            '|' => Tok::Pipe,
            '&' if lx.eat('&') => Tok::And,
            '&' => Tok::Expref,
            '<' if lx.eat('=') => Tok::Compare(Comparator::Lte),
            '<' => Tok::Compare(Comparator::Lt),
            '>' if lx.eat('=') => Tok::Compare(Comparator::Gte),
            '>' => Tok::Compare(Comparator::Gt),
            '!' if lx.eat('=') => Tok::Compare(Comparator::Ne),
            '!' => Tok::Not,
            '=' if lx.eat('=') => Tok::Compare(Comparator::Eq),
            'a'..='z' | 'A'..='Z' | '_' => {
                let end = lx.skip_while(|c| c.is_ascii_alphanumeric() || c == '_');
                Tok::Ident(lx.chars[pos..end].iter().collect())
            }
            '0'..='9' | '-' => {
                let end = lx.skip_while(|c| c.is_ascii_digit());
                if end == pos + 1 && c == '-' {
                    return Err(SyntaxError::new("unknown token '-'", pos));
                }
                let text: String = lx.chars[pos..end].iter().collect();
                // Python's integers have no limit; an index or slice bound
                // this large behaves the same once clamped.
                let n = text
                    .parse::<i64>()
                    .unwrap_or(if c == '-' { i64::MIN } else { i64::MAX });
                Tok::Number(n)
            }
            '\'' => Tok::Literal(Doc::Str(lx.until('\'', pos)?.replace("\\'", "'"))),
            '`' => {
                let lexeme = lx.until('`', pos)?.replace("\\`", "`");
                // Text that is not JSON is read as a JSON string (the
                // deprecated form `` `foo` `` that Python still accepts).
                let doc = super::json::parse(&lexeme)
                    .or_else(|| super::json::parse(&format!("\"{}\"", lexeme.trim_start())))
                    .ok_or_else(|| SyntaxError::new("invalid JSON literal", pos))?;
                Tok::Literal(doc)
            }
            '"' => {
                let lexeme = format!("\"{}\"", lx.until('"', pos)?);
                match super::json::parse(&lexeme) {
                    Some(Doc::Str(s)) => Tok::QuotedIdent(s),
                    _ => return Err(SyntaxError::new("invalid quoted identifier", pos)),
                }
            }
            _ => return Err(SyntaxError::new("unknown token", pos)),
        };
        out.push(Token { tok, pos });
    }
    out.push(Token {
        tok: Tok::Eof,
        pos: lx.chars.len(),
    });
    Ok(out)
}

struct Lexer {
    chars: Vec<char>,
    pos: usize,
}

impl Lexer {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        let hit = self.peek() == Some(c);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn skip_while(&mut self, f: fn(char) -> bool) -> usize {
        while self.peek().is_some_and(f) {
            self.pos += 1;
        }
        self.pos
    }

    /// The text up to the closing `delimiter` (consumed); a backslash keeps
    /// itself and the character after it, so `\` + delimiter does not close.
    fn until(&mut self, delimiter: char, start: usize) -> Result<String, SyntaxError> {
        let mut text = String::new();
        loop {
            let c = self.peek();
            self.pos += 1;
            match c {
                Some(c) if c == delimiter => return Ok(text),
                Some('\\') if self.peek().is_some() => {
                    text.push('\\');
                    text.push(self.chars[self.pos]);
                    self.pos += 1;
                }
                Some(c) if c != '\\' => text.push(c),
                _ => return Err(SyntaxError::new("unclosed delimiter", start)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(e: &str) -> Vec<Tok> {
        tokenize(e).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn operators_take_the_longest_match() {
        assert_eq!(
            toks("a[]||b&&!c[?d!=`1`]|&e<=-2"),
            [
                Tok::Ident("a".into()),
                Tok::Flatten,
                Tok::Or,
                Tok::Ident("b".into()),
                Tok::And,
                Tok::Not,
                Tok::Ident("c".into()),
                Tok::Filter,
                Tok::Ident("d".into()),
                Tok::Compare(Comparator::Ne),
                Tok::Literal(Doc::Int(1)),
                Tok::RBracket,
                Tok::Pipe,
                Tok::Expref,
                Tok::Ident("e".into()),
                Tok::Compare(Comparator::Lte),
                Tok::Number(-2),
                Tok::Eof,
            ]
        );
    }

    #[test]
    fn strings_and_literals_unescape_their_delimiter() {
        assert_eq!(
            toks(r"'it\'s \n'")[0],
            Tok::Literal(Doc::Str(r"it's \n".into()))
        );
        assert_eq!(toks(r#""a\"b""#)[0], Tok::QuotedIdent("a\"b".into()));
        assert_eq!(toks(r"`foo`")[0], Tok::Literal(Doc::Str("foo".into())));
        assert_eq!(toks(r#"`"a\`b"`"#)[0], Tok::Literal(Doc::Str("a`b".into())));
    }

    #[test]
    fn errors_say_where() {
        for (e, pos) in [
            ("a = b", 2),
            ("a ~", 2),
            ("'abc", 0),
            ("x `\"a`", 2),
            ("-", 0),
            ("\"\\x\"", 0),
        ] {
            assert_eq!(tokenize(e).unwrap_err().column, pos, "{e}");
        }
    }
}
