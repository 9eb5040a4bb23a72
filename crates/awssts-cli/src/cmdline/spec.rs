//! The description of a command line as static data: the parser, the help
//! and the completion scripts all read these tables, so a flag cannot be
//! accepted without being documented and completed, or the other way round.
//!
//! The constructors are `const fn`s so that the tables are plain statics,
//! not code run at start-up.

/// How many values a flag takes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `--debug`: no value.
    Switch,
    /// `--role-arn ARN` or `--role-arn=ARN`, at most once.
    One,
    /// `--tags A B C`: the following tokens up to the next `--…`; repeating
    /// the flag appends.
    Many,
}

/// What a value must be, checked while parsing so that the error names the
/// flag and nothing runs with a bad value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Any text.
    Text,
    /// A whole number in `min..=max`.
    Range(u64, u64),
    /// A number of seconds, 0 or more (fractions allowed).
    Seconds,
    /// `IP:PORT`.
    SocketAddr,
}

/// One of the values an enumerated flag or operand accepts.
pub struct Choice {
    pub name: &'static str,
    pub help: &'static str,
}

/// A `--flag`.
pub struct Flag {
    /// The name without the leading `--`.
    pub name: &'static str,
    /// The placeholder in help (`<NAME>`); empty: the name in capitals.
    pub value: &'static str,
    /// One line of help.
    pub help: &'static str,
    pub kind: Kind,
    pub required: bool,
    /// The value used when the flag is not given; empty: none.
    pub default: &'static str,
    /// The only values accepted; empty: any.
    pub choices: &'static [Choice],
    pub check: Check,
    /// Another flag of the same command that must be given with this one;
    /// empty: none.
    pub requires: &'static str,
}

impl Flag {
    const fn new(name: &'static str, kind: Kind, help: &'static str) -> Flag {
        Flag {
            name,
            value: "",
            help,
            kind,
            required: false,
            default: "",
            choices: &[],
            check: Check::Text,
            requires: "",
        }
    }

    pub const fn switch(name: &'static str, help: &'static str) -> Flag {
        Flag::new(name, Kind::Switch, help)
    }

    pub const fn one(name: &'static str, help: &'static str) -> Flag {
        Flag::new(name, Kind::One, help)
    }

    pub const fn many(name: &'static str, help: &'static str) -> Flag {
        Flag::new(name, Kind::Many, help)
    }

    pub const fn value(self, value: &'static str) -> Flag {
        Flag { value, ..self }
    }

    pub const fn required(self) -> Flag {
        Flag {
            required: true,
            ..self
        }
    }

    pub const fn default(self, default: &'static str) -> Flag {
        Flag { default, ..self }
    }

    pub const fn choices(self, choices: &'static [Choice]) -> Flag {
        Flag { choices, ..self }
    }

    pub const fn check(self, check: Check) -> Flag {
        Flag { check, ..self }
    }

    pub const fn requires(self, requires: &'static str) -> Flag {
        Flag { requires, ..self }
    }

    pub fn takes_value(&self) -> bool {
        self.kind != Kind::Switch
    }

    /// Appends the value placeholder: the declared one, else the name in
    /// capitals (`role-arn` → `ROLE_ARN`).
    pub fn write_placeholder(&self, out: &mut String) {
        if !self.value.is_empty() {
            out.push_str(self.value);
            return;
        }
        for c in self.name.chars() {
            out.push(if c == '-' {
                '_'
            } else {
                c.to_ascii_uppercase()
            });
        }
    }
}

/// What a command's words that are not flags are.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum OperandKind {
    /// One word, one of the operand's choices (`completions bash`).
    Choice,
    /// One word naming a command of the program (`help assume-role`).
    Command,
    /// The first such word and every word after it, flags included, kept
    /// as given (non-UTF-8 too): the command `exec` runs.
    Trailing,
}

/// The words of a command that are not flags.
pub struct Operand {
    /// The placeholder in help (`SHELL` is shown as `<SHELL>`).
    pub name: &'static str,
    pub help: &'static str,
    pub kind: OperandKind,
    pub required: bool,
    pub choices: &'static [Choice],
}

/// A subcommand.
pub struct Command {
    pub name: &'static str,
    /// One line for the list of commands and the top of its help.
    pub about: &'static str,
    pub flags: &'static [Flag],
    pub operand: Option<Operand>,
    /// Flags of which exactly one must be given; empty: no such rule.
    pub one_of: &'static [&'static str],
    /// A paragraph printed at the end of the command's help.
    pub after_help: &'static str,
}

impl Command {
    pub const fn new(name: &'static str, about: &'static str, flags: &'static [Flag]) -> Command {
        Command {
            name,
            about,
            flags,
            operand: None,
            one_of: &[],
            after_help: "",
        }
    }

    pub const fn operand(self, operand: Operand) -> Command {
        Command {
            operand: Some(operand),
            ..self
        }
    }

    pub const fn one_of(self, one_of: &'static [&'static str]) -> Command {
        Command { one_of, ..self }
    }

    pub const fn after_help(self, after_help: &'static str) -> Command {
        Command { after_help, ..self }
    }

    /// The command's own flag called `name`.
    pub fn flag(&self, name: &str) -> Option<&'static Flag> {
        self.flags.iter().find(|f| f.name == name)
    }
}

/// The whole program: global flags (valid before and after the
/// subcommand) and the subcommands.
pub struct App {
    pub name: &'static str,
    pub about: &'static str,
    pub version: &'static str,
    pub global: &'static [Flag],
    pub commands: &'static [Command],
}

impl App {
    pub fn command(&self, name: &str) -> Option<&'static Command> {
        self.commands.iter().find(|c| c.name == name)
    }

    pub fn global_flag(&self, name: &str) -> Option<&'static Flag> {
        self.global.iter().find(|f| f.name == name)
    }
}
