//! Completion scripts for bash, zsh and fish, written from the tables:
//! the subcommands, each one's flags plus the global ones, the values of
//! enumerated flags and operands, and file names for other values
//! (`file://` values are common).

use super::put;
use super::spec::{App, Choice, Command, Flag, Kind, OperandKind};

/// Appends `items`, each after `prefix`, separated by `sep`.
fn join<'a>(out: &mut String, items: impl Iterator<Item = &'a str>, prefix: &str, sep: &str) {
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(prefix);
        out.push_str(item);
    }
}

fn names(choices: &[Choice]) -> impl Iterator<Item = &str> {
    choices.iter().map(|c| c.name)
}

fn flag_names(flags: &[Flag]) -> impl Iterator<Item = &str> {
    flags.iter().map(|f| f.name)
}

fn command_names(app: &App) -> impl Iterator<Item = &str> {
    app.commands.iter().map(|c| c.name)
}

/// The words a command's operand completes to, space-separated.
fn operand_words(app: &App, c: &Command, out: &mut String) {
    if let Some(o) = &c.operand {
        match o.kind {
            OperandKind::Choice => join(out, names(o.choices), "", " "),
            OperandKind::Command => join(out, command_names(app), "", " "),
            OperandKind::Trailing => {}
        }
    }
}

/// `# bash completion for awssts (awssts completions bash)`.
fn header(out: &mut String, app: &App, shell: &str) {
    put(
        out,
        &[
            "# ",
            shell,
            " completion for ",
            app.name,
            " (",
            app.name,
            " completions ",
            shell,
            ")\n",
        ],
    );
}

/// The `case $prev` arms completing the values of `flags`.
fn bash_values(out: &mut String, flags: &[Flag], indent: &str) {
    let files = flags
        .iter()
        .filter(|f| f.takes_value() && f.choices.is_empty());
    if files.clone().next().is_some() {
        out.push_str(indent);
        join(out, files.map(|f| f.name), "--", "|");
        out.push_str(") COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n");
    }
    for f in flags.iter().filter(|f| !f.choices.is_empty()) {
        put(out, &[indent, "--", f.name, ") COMPREPLY=($(compgen -W '"]);
        join(out, names(f.choices), "", " ");
        out.push_str("' -- \"$cur\")); return ;;\n");
    }
}

pub fn bash(app: &App) -> String {
    let mut out = String::new();
    header(&mut out, app, "bash");
    put(
        &mut out,
        &[
            "_",
            app.name,
            "() {\n    local cur=${COMP_WORDS[COMP_CWORD]} prev='' cmd='' words i\n    \
             ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD-1]}\n    \
             # The command is the first word that is neither a flag nor a global flag's value.\n    \
             for ((i = 1; i < COMP_CWORD; i++)); do\n        case ${COMP_WORDS[i]} in\n            ",
        ],
    );
    let global_values = app.global.iter().filter(|f| f.takes_value());
    join(&mut out, global_values.map(|f| f.name), "--", "|");
    out.push_str(
        ") ((i++)) ;;\n            -*) ;;\n            *) cmd=${COMP_WORDS[i]}; break ;;\n        \
         esac\n    done\n    case $prev in\n",
    );
    bash_values(&mut out, app.global, "        ");
    out.push_str("    esac\n    case $cmd in\n        '') words='");
    join(&mut out, command_names(app), "", " ");
    out.push_str("' ;;\n");
    for c in app.commands {
        put(&mut out, &["        ", c.name, ")\n"]);
        if c.flags.iter().any(Flag::takes_value) {
            out.push_str("            case $prev in\n");
            bash_values(&mut out, c.flags, "                ");
            out.push_str("            esac\n");
        }
        out.push_str("            words='");
        join(&mut out, flag_names(c.flags), "--", " ");
        out.push(' ');
        operand_words(app, c, &mut out);
        out.push_str("' ;;\n");
    }
    out.push_str("        *) return ;;\n    esac\n    COMPREPLY=($(compgen -W \"$words ");
    join(&mut out, flag_names(app.global), "--", " ");
    put(
        &mut out,
        &[
            " --help --version\" -- \"$cur\"))\n}\ncomplete -F _",
            app.name,
            " ",
            app.name,
            "\n",
        ],
    );
    out
}

/// Appends `text` for a single-quoted shell word: zsh (`'\''`, and
/// brackets and backslashes escaped for `_arguments`) or fish (`\'`).
pub(super) fn quoted(out: &mut String, text: &str, zsh: bool) {
    for c in text.chars() {
        match c {
            '\'' if zsh => out.push_str("'\\''"),
            '[' | ']' if zsh => {
                out.push('\\');
                out.push(c);
            }
            '\'' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
}

/// One `_arguments` spec per flag: `'*--tags[help]:TAGS:_files'`. Each
/// line is continued, so the specs after `_arguments` are one command (in
/// an array the continuation is harmless).
fn zsh_flags(out: &mut String, flags: &[Flag]) {
    for f in flags {
        out.push_str("        '");
        if f.kind == Kind::Many {
            out.push('*');
        }
        put(out, &["--", f.name, "["]);
        quoted(out, f.help, true);
        out.push(']');
        if f.takes_value() {
            out.push(':');
            f.write_placeholder(out);
            if f.choices.is_empty() {
                out.push_str(":_files");
            } else {
                out.push_str(":(");
                join(out, names(f.choices), "", " ");
                out.push(')');
            }
        }
        out.push_str("' \\\n");
    }
}

pub fn zsh(app: &App) -> String {
    let mut out = String::from("#compdef ");
    out.push_str(app.name);
    out.push('\n');
    header(&mut out, app, "zsh");
    put(
        &mut out,
        &[
            "\n_",
            app.name,
            "() {\n    local -a global commands\n    local curcontext=$curcontext state line\n    \
             global=(\n",
        ],
    );
    zsh_flags(&mut out, app.global);
    out.push_str(
        "        '(- *)'{-h,--help}'[Print help]'\n        '(- *)'{-V,--version}'[Print version]'\n    \
         )\n    commands=(\n",
    );
    for c in app.commands {
        put(&mut out, &["        '", c.name, ":"]);
        quoted(&mut out, c.about, true);
        out.push_str("'\n");
    }
    out.push_str(
        "    )\n    _arguments -C $global '1:command:->command' '*::arg:->args'\n    \
         case $state in\n        command) _describe -t commands command commands ;;\n        \
         args)\n            case $line[1] in\n",
    );
    for c in app.commands {
        put(
            &mut out,
            &[
                "            ",
                c.name,
                ")\n                _arguments $global \\\n",
            ],
        );
        zsh_flags(&mut out, c.flags);
        if let Some(o) = &c.operand {
            let trailing = o.kind == OperandKind::Trailing;
            put(
                &mut out,
                &[
                    "        '",
                    if trailing { "*::" } else { "1:" },
                    o.name,
                    ":",
                ],
            );
            if trailing {
                out.push_str("_normal");
            } else {
                out.push('(');
                operand_words(app, c, &mut out);
                out.push(')');
            }
            out.push_str("'\n");
        }
        out.push_str("                ;;\n");
    }
    put(
        &mut out,
        &[
            "            esac ;;\n    esac\n}\n\nif [ \"$funcstack[1]\" = \"_",
            app.name,
            "\" ]; then\n    _",
            app.name,
            " \"$@\"\nelse\n    compdef _",
            app.name,
            " ",
            app.name,
            "\nfi\n",
        ],
    );
    out
}

/// `complete -c awssts [condition] -l name …` for each flag.
fn fish_flags(out: &mut String, app: &App, condition: &str, flags: &[Flag]) {
    for f in flags {
        put(out, &["complete -c ", app.name, condition, " -l ", f.name]);
        if f.takes_value() && f.choices.is_empty() {
            out.push_str(" -r -F");
        } else if f.takes_value() {
            out.push_str(" -x -a '");
            join(out, names(f.choices), "", " ");
            out.push('\'');
        }
        out.push_str(" -d '");
        quoted(out, f.help, false);
        out.push_str("'\n");
    }
}

pub fn fish(app: &App) -> String {
    let mut out = String::new();
    header(&mut out, app, "fish");
    put(&mut out, &["complete -c ", app.name, " -f\n"]);
    for c in app.commands {
        put(
            &mut out,
            &[
                "complete -c ",
                app.name,
                " -n __fish_use_subcommand -a ",
                c.name,
                " -d '",
            ],
        );
        quoted(&mut out, c.about, false);
        out.push_str("'\n");
    }
    fish_flags(&mut out, app, "", app.global);
    put(
        &mut out,
        &[
            "complete -c ",
            app.name,
            " -s h -l help -d 'Print help'\ncomplete -c ",
            app.name,
            " -s V -l version -d 'Print version'\n",
        ],
    );
    for c in app.commands {
        let mut condition = String::from(" -n '__fish_seen_subcommand_from ");
        condition.push_str(c.name);
        condition.push('\'');
        fish_flags(&mut out, app, &condition, c.flags);
        if let Some(o) = &c.operand {
            put(&mut out, &["complete -c ", app.name, &condition, " -a '"]);
            if o.kind == OperandKind::Trailing {
                out.push_str("(__fish_complete_command)");
            } else {
                operand_words(app, c, &mut out);
            }
            out.push_str("'\n");
        }
    }
    out
}
