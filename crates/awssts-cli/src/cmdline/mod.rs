//! The command-line machinery: static tables describing the commands and
//! their flags ([`spec`]), the parser, the help and the completion scripts
//! all driven by those tables. The awssts tables themselves are in
//! [`crate::cli`] and next to each command's flags struct.
//!
//! Written for awssts instead of using an argument-parsing crate: the
//! tables are data, and one small parser, help renderer and script writer
//! serve every command, which keeps the binary small.

pub mod complete;
pub mod help;
mod parse;
pub mod spec;

#[cfg(test)]
mod tests;

use std::io::Write;

pub use parse::{Matches, Stop, UsageError, parse};
pub use spec::{App, Check, Choice, Command, Flag, Operand, OperandKind};

/// Prints what `stop` asks for (help, the version, a usage error) and
/// returns the exit status.
pub fn report(app: &App, stop: Stop) -> u8 {
    let (text, status) = outcome(app, stop);
    let written = if status == 0 {
        std::io::stdout().lock().write_all(text.as_bytes())
    } else {
        std::io::stderr().lock().write_all(text.as_bytes())
    };
    // Help piped into a closed reader is not worth a different status.
    drop(written);
    status
}

/// The text for `stop` and the exit status: 0 for help and version (the
/// text goes to stdout), 252 (the AWS CLI's usage error) otherwise (to
/// stderr).
pub fn outcome(app: &App, stop: Stop) -> (String, u8) {
    match stop {
        Stop::Help(command) => (help::render(app, command), 0),
        Stop::Version => {
            let mut text = String::new();
            put(&mut text, &[app.name, " ", app.version, "\n"]);
            (text, 0)
        }
        Stop::NoCommand => (help::render(app, None), 252),
        Stop::Usage(e) => (usage_line(app, &e), 252),
    }
}

/// `awssts: <reason> (see awssts <command> --help)`.
pub fn usage_line(app: &App, e: &UsageError) -> String {
    let mut line = String::new();
    put(&mut line, &[app.name, ": ", &e.reason, " (see ", app.name]);
    if let Some(c) = e.command {
        put(&mut line, &[" ", c]);
    }
    line.push_str(" --help)\n");
    line
}

/// Appends each of `parts`: the renderers build text from the tables with
/// this rather than with formatting machinery.
fn put(out: &mut String, parts: &[&str]) {
    for p in parts {
        out.push_str(p);
    }
}
