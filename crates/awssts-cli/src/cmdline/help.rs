//! `--help`: the program's or a command's help, rendered from the tables.
//!
//! Each flag is on its own line with its help indented under it, so no
//! column has to be fitted to the terminal.

use super::put;
use super::spec::{App, Choice, Command, Flag, Kind, OperandKind};

const INDENT: &str = "          ";

/// The help of `command`, or of the program when `None`.
pub fn render(app: &App, command: Option<&Command>) -> String {
    let mut out = String::new();
    match command {
        None => program(app, &mut out),
        Some(c) => one_command(app, c, &mut out),
    }
    // Each flag ends with a blank line; the help ends with one newline.
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn program(app: &App, out: &mut String) {
    put(
        out,
        &[
            app.about,
            "\n\nUsage: ",
            app.name,
            " [OPTIONS] <COMMAND>\n\nCommands:\n",
        ],
    );
    let width = app.commands.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for c in app.commands {
        put(out, &["  ", c.name]);
        pad(out, width + 2 - c.name.len());
        put(out, &[c.about, "\n"]);
    }
    out.push_str("\nOptions:\n");
    builtin(out);
    global(app, out);
}

fn one_command(app: &App, c: &Command, out: &mut String) {
    put(
        out,
        &[c.about, "\n\nUsage: ", app.name, " ", c.name, " [OPTIONS]"],
    );
    for f in c.flags.iter().filter(|f| f.required) {
        out.push(' ');
        usage_flag(out, f);
    }
    if !c.one_of.is_empty() {
        out.push_str(" <");
        for (i, name) in c.one_of.iter().enumerate() {
            if i > 0 {
                out.push('|');
            }
            match c.flag(name) {
                Some(f) => usage_flag(out, f),
                None => out.push_str(name),
            }
        }
        out.push('>');
    }
    if let Some(o) = &c.operand {
        let (open, close) = match (o.kind, o.required) {
            (OperandKind::Trailing, _) => (" -- <", ">..."),
            (_, true) => (" <", ">"),
            (_, false) => (" [", "]"),
        };
        put(out, &[open, o.name, close]);
    }
    out.push('\n');
    if let Some(o) = &c.operand {
        let dots = if o.kind == OperandKind::Trailing {
            "..."
        } else {
            ""
        };
        put(
            out,
            &[
                "\nArguments:\n  <",
                o.name,
                ">",
                dots,
                "\n",
                INDENT,
                o.help,
                "\n",
            ],
        );
        choices(out, o.choices);
    }
    out.push_str("\nOptions:\n");
    for f in c.flags {
        flag(out, f);
    }
    builtin(out);
    global(app, out);
    if !c.after_help.is_empty() {
        put(out, &[c.after_help, "\n"]);
    }
}

/// `--name <VALUE>`, as the usage line shows a required flag.
fn usage_flag(out: &mut String, f: &Flag) {
    put(out, &["--", f.name]);
    if f.takes_value() {
        out.push_str(" <");
        f.write_placeholder(out);
        out.push('>');
        if f.kind == Kind::Many {
            out.push_str("...");
        }
    }
}

fn global(app: &App, out: &mut String) {
    out.push_str("\nGlobal options:\n");
    for f in app.global {
        flag(out, f);
    }
}

fn flag(out: &mut String, f: &Flag) {
    out.push_str("      ");
    usage_flag(out, f);
    put(out, &["\n", INDENT, f.help, "\n"]);
    choices(out, f.choices);
    if !f.default.is_empty() {
        put(out, &["\n", INDENT, "[default: ", f.default, "]\n"]);
    }
    out.push('\n');
}

fn choices(out: &mut String, list: &[Choice]) {
    if list.is_empty() {
        return;
    }
    put(out, &["\n", INDENT, "Possible values:\n"]);
    let width = list.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for c in list {
        put(out, &[INDENT, "- ", c.name, ":"]);
        pad(out, width + 1 - c.name.len());
        put(out, &[c.help, "\n"]);
    }
}

/// The flags every command has, which the parser handles itself.
fn builtin(out: &mut String) {
    put(
        out,
        &[
            "  -h, --help\n",
            INDENT,
            "Print help\n\n  -V, --version\n",
            INDENT,
            "Print version\n",
        ],
    );
}

fn pad(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}
