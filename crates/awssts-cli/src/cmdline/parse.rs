//! From the words of the command line to the values of each flag, by the
//! tables in [`spec`](super::spec).
//!
//! One pass, left to right. A word starting with `--` is a flag (its value
//! inline after `=` or in the next word(s)); before the subcommand only
//! global flags are known, after it the command's own and the global ones.
//! Values are never echoed in errors (they may be secrets), except values
//! that failed a check of their form (numbers, enumerations, addresses).

use std::ffi::OsString;

use super::spec::{App, Check, Command, Flag, Kind, OperandKind};

/// Why parsing stopped without a command to run.
pub enum Stop {
    /// `-h`, `--help` or `help`: print the help of this command (none: the
    /// program's), exit 0.
    Help(Option<&'static Command>),
    /// `-V`, `--version`: exit 0.
    Version,
    /// No subcommand was given: print the program's help on stderr, exit 252.
    NoCommand,
    /// A usage error: one line on stderr, exit 252.
    Usage(UsageError),
}

/// A mistake on the command line.
pub struct UsageError {
    /// What is wrong, naming the flag or word.
    pub reason: String,
    /// The subcommand whose help to point at, when there was one.
    pub command: Option<&'static str>,
}

/// The flags of one parsed command line. No `Debug`: values may be secrets.
pub struct Matches {
    pub command: &'static Command,
    entries: Vec<Entry>,
    /// The operand words (the shell, the command `exec` runs …).
    pub operands: Vec<OsString>,
}

struct Entry {
    flag: &'static Flag,
    values: Vec<String>,
    /// False for a default filled in after parsing.
    given: bool,
}

impl Matches {
    fn position(&self, name: &str) -> Option<usize> {
        self.entries.iter().position(|e| e.flag.name == name)
    }

    /// Whether the flag was given on the command line.
    #[inline(never)]
    pub fn given(&self, name: &str) -> bool {
        self.position(name).is_some_and(|i| self.entries[i].given)
    }

    /// The value of a one-value flag (or its default), taken out.
    // Not inlined: the flags structs are built with one call per field.
    #[inline(never)]
    pub fn one(&mut self, name: &str) -> Option<String> {
        let i = self.position(name)?;
        self.entries[i].values.pop()
    }

    /// Every value of a flag, taken out.
    #[inline(never)]
    pub fn many(&mut self, name: &str) -> Vec<String> {
        match self.position(name) {
            Some(i) => std::mem::take(&mut self.entries[i].values),
            None => Vec::new(),
        }
    }

    /// The value of a flag parsed as `T` (a number, an address); the
    /// flag's check has made sure that it parses.
    pub fn parsed<T: std::str::FromStr>(&mut self, name: &str) -> Option<T> {
        self.one(name).and_then(|v| v.trim().parse().ok())
    }

    /// The first operand as text (`Choice` and `Command` operands are UTF-8).
    pub fn operand(&self) -> Option<&str> {
        self.operands.first().and_then(|o| o.to_str())
    }
}

/// Whether a word ends the values of the flag before it.
fn is_flag_like(word: &str) -> bool {
    word.starts_with("--") || word == "-h" || word == "-V"
}

struct Parser<'a> {
    app: &'static App,
    args: &'a [OsString],
    next: usize,
    command: Option<&'static Command>,
    /// The flag given last, to place an unexpected word.
    last: Option<&'static Flag>,
    entries: Vec<Entry>,
    operands: Vec<OsString>,
}

/// Parses `args` (without the program name).
pub fn parse(app: &'static App, args: &[OsString]) -> Result<Matches, Stop> {
    let mut p = Parser {
        app,
        args,
        next: 0,
        command: None,
        last: None,
        entries: Vec::new(),
        operands: Vec::new(),
    };
    while let Some(raw) = args.get(p.next) {
        p.next += 1;
        if p.trailing() && !p.operands.is_empty() {
            p.operands.push(raw.clone());
            continue;
        }
        let Some(word) = raw.to_str() else {
            if p.trailing() {
                p.operands.push(raw.clone());
                continue;
            }
            return Err(p.error(format!("argument {} is not valid UTF-8", p.next)));
        };
        match word {
            "-h" | "--help" => return Err(Stop::Help(p.command)),
            "-V" | "--version" => return Err(Stop::Version),
            "--" if p.trailing() => {
                p.operands.extend_from_slice(&args[p.next..]);
                break;
            }
            _ => {}
        }
        if word.len() > 2 && word.starts_with("--") {
            p.flag(word)?;
        } else if word.len() > 1 && word.starts_with('-') {
            return Err(p.unknown_flag(word));
        } else {
            p.operand(raw, word)?;
        }
    }
    p.finish()
}

impl Parser<'_> {
    fn error(&self, reason: String) -> Stop {
        Stop::Usage(UsageError {
            reason,
            command: self.command.map(|c| c.name),
        })
    }

    /// Whether the command's operand is the trailing command line.
    fn trailing(&self) -> bool {
        self.command
            .and_then(|c| c.operand.as_ref())
            .is_some_and(|o| o.kind == OperandKind::Trailing)
    }

    fn find(&self, name: &str) -> Option<&'static Flag> {
        self.command
            .and_then(|c| c.flag(name))
            .or_else(|| self.app.global_flag(name))
    }

    fn unknown_flag(&self, word: &str) -> Stop {
        let name = word.split('=').next().unwrap_or(word);
        let mut reason = format!("unknown option '{name}'");
        let bare = name.trim_start_matches('-');
        let own = self.command.map_or(&[][..], |c| c.flags);
        let names = own.iter().chain(self.app.global).map(|f| f.name);
        if let Some(near) = closest(bare, names) {
            reason.push_str("; did you mean '--");
            reason.push_str(near);
            reason.push_str("'?");
        } else if self.command.is_none() && self.app.commands.iter().any(|c| c.flag(bare).is_some())
        {
            reason.push_str(
                "; before the command only global options are valid: give it after the command",
            );
        }
        self.error(reason)
    }

    fn flag(&mut self, word: &str) -> Result<(), Stop> {
        let body = &word[2..];
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (body, None),
        };
        let Some(flag) = self.find(name) else {
            return Err(self.unknown_flag(word));
        };
        self.last = Some(flag);
        let at = match self.entries.iter().position(|e| e.flag.name == name) {
            Some(at) => at,
            None => {
                self.entries.push(Entry {
                    flag,
                    values: Vec::new(),
                    given: true,
                });
                self.entries.len() - 1
            }
        };
        let before = self.entries[at].values.len();
        match flag.kind {
            Kind::Switch => {
                if inline.is_some() {
                    return Err(self.error(format!("'--{name}' takes no value")));
                }
            }
            Kind::One if before > 0 => {
                return Err(self.error(format!(
                    "'--{name}' was given more than once; it takes one value"
                )));
            }
            Kind::One | Kind::Many => {
                let mut values = Vec::new();
                if let Some(v) = inline {
                    values.push(v.to_owned());
                }
                while inline.is_none() && (values.is_empty() || flag.kind == Kind::Many) {
                    match self.args.get(self.next).map(|a| a.to_str()) {
                        Some(Some(w)) if !is_flag_like(w) => values.push(w.to_owned()),
                        Some(None) => {
                            return Err(
                                self.error(format!("the value of '--{name}' is not valid UTF-8"))
                            );
                        }
                        _ => break,
                    }
                    self.next += 1;
                }
                if values.is_empty() {
                    // `--role-arn --help`: the help was asked for.
                    if let Some("-h" | "--help") = self.args.get(self.next).and_then(|a| a.to_str())
                    {
                        return Err(Stop::Help(self.command));
                    }
                    return Err(self.error(format!("'--{name}' needs a value")));
                }
                for v in &values {
                    self.check(flag, v)?;
                }
                self.entries[at].values.extend(values);
            }
        }
        Ok(())
    }

    fn check(&self, flag: &Flag, value: &str) -> Result<(), Stop> {
        let fault = match flag.check {
            Check::Text => None,
            Check::Range(min, max) => match value.parse::<u64>() {
                Ok(n) if (min..=max).contains(&n) => None,
                _ => Some(format!("a whole number from {min} to {max}")),
            },
            Check::Seconds => match value.trim().parse::<f64>() {
                Ok(v) if v >= 0.0 && v.is_finite() => None,
                _ => Some("a number of seconds (0 or more)".to_owned()),
            },
            Check::SocketAddr => match value.parse::<std::net::SocketAddr>() {
                Ok(_) => None,
                Err(_) => Some("an IP address and port, such as 127.0.0.1:4599".to_owned()),
            },
        };
        let fault = fault.or_else(|| {
            (!flag.choices.is_empty() && !flag.choices.iter().any(|c| c.name == value))
                .then(|| choice_list(flag.choices.iter().map(|c| c.name)))
        });
        match fault {
            None => Ok(()),
            Some(expected) => Err(self.error(format!(
                "invalid value '{value}' for '--{}': expected {expected}",
                flag.name
            ))),
        }
    }

    fn operand(&mut self, raw: &OsString, word: &str) -> Result<(), Stop> {
        let Some(command) = self.command else {
            return match self.app.command(word) {
                Some(c) => {
                    self.command = Some(c);
                    Ok(())
                }
                None => Err(self.unknown_command(word)),
            };
        };
        let operand = match &command.operand {
            Some(o) if o.kind == OperandKind::Trailing || self.operands.is_empty() => o,
            _ => return Err(self.unexpected()),
        };
        let valid = match operand.kind {
            OperandKind::Trailing => true,
            OperandKind::Choice => operand.choices.iter().any(|c| c.name == word),
            OperandKind::Command => self.app.command(word).is_some(),
        };
        if !valid {
            if operand.kind == OperandKind::Command {
                return Err(self.unknown_command(word));
            }
            return Err(self.error(format!(
                "invalid value '{word}' for <{}>: expected {}",
                operand.name,
                choice_list(operand.choices.iter().map(|c| c.name))
            )));
        }
        self.operands.push(raw.clone());
        Ok(())
    }

    fn unknown_command(&self, word: &str) -> Stop {
        let mut reason = format!("unknown command '{word}'");
        if let Some(near) = closest(word, self.app.commands.iter().map(|c| c.name)) {
            reason.push_str("; did you mean '");
            reason.push_str(near);
            reason.push_str("'?");
        }
        // The program's help lists the commands.
        Stop::Usage(UsageError {
            reason,
            command: None,
        })
    }

    /// A word where none fits. Not echoed: it may be a secret that lost its
    /// flag, or the second word of a value that needed quotes.
    fn unexpected(&self) -> Stop {
        let reason = match self.last {
            Some(f) if f.kind == Kind::One => format!(
                "unexpected argument {} after the value of '--{}', which takes one value \
                 (quote a value that has spaces)",
                self.next, f.name
            ),
            _ => format!("unexpected argument {} (not an option)", self.next),
        };
        self.error(reason)
    }

    fn given(&self, name: &str) -> bool {
        self.entries.iter().any(|e| e.flag.name == name && e.given)
    }

    fn finish(mut self) -> Result<Matches, Stop> {
        let Some(command) = self.command else {
            return Err(Stop::NoCommand);
        };
        let operand = command.operand.as_ref();
        if operand.is_some_and(|o| o.kind == OperandKind::Command) {
            let named = self.operands.first().and_then(|o| o.to_str());
            return Err(Stop::Help(named.and_then(|n| self.app.command(n))));
        }
        let mut missing = Vec::new();
        for flag in command.flags.iter().chain(self.app.global) {
            if flag.required && !self.given(flag.name) {
                missing.push(flag.name);
            }
        }
        if !missing.is_empty() {
            let s = if missing.len() > 1 { "s" } else { "" };
            return Err(self.error(format!("missing required option{s} {}", dashed(&missing))));
        }
        if let Some(o) = operand.filter(|o| o.required && self.operands.is_empty()) {
            return Err(self.error(format!("missing <{}>", o.name)));
        }
        for e in &self.entries {
            let needs = e.flag.requires;
            if !needs.is_empty() && !self.given(needs) {
                return Err(self.error(format!(
                    "'--{}' can only be used with '--{needs}'",
                    e.flag.name
                )));
            }
        }
        if !command.one_of.is_empty() {
            let given: Vec<&str> = command
                .one_of
                .iter()
                .copied()
                .filter(|n| self.given(n))
                .collect();
            if given.len() != 1 {
                let mut reason = format!("give exactly one of {}", dashed(command.one_of));
                if given.len() > 1 {
                    reason.push_str(" (got ");
                    reason.push_str(&dashed(&given));
                    reason.push(')');
                }
                return Err(self.error(reason));
            }
        }
        for flag in command.flags.iter().chain(self.app.global) {
            if !flag.default.is_empty() && !self.given(flag.name) {
                self.entries.push(Entry {
                    flag,
                    values: vec![flag.default.to_owned()],
                    given: false,
                });
            }
        }
        Ok(Matches {
            command,
            entries: self.entries,
            operands: self.operands,
        })
    }
}

/// `'--a', '--b'`.
fn dashed(names: &[&str]) -> String {
    let mut out = String::new();
    for (i, name) in names.iter().enumerate() {
        out.push_str(if i == 0 { "'--" } else { ", '--" });
        out.push_str(name);
        out.push('\'');
    }
    out
}

/// `one of: a, b, c`.
fn choice_list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::from("one of: ");
    for (i, name) in names.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(name);
    }
    out
}

/// The candidate nearest to `word` (edit distance 2 or less), to suggest.
fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    // No name is this long: a longer word (a pasted value) is not compared
    // with every name, which would cost its length times theirs.
    if word.len() > 64 {
        return None;
    }
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = distance(word, c);
        if d <= 2 && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Levenshtein distance over bytes (the names are ASCII).
fn distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.as_bytes().iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let replace = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = replace.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}
