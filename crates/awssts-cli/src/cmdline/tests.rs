//! The parser's rules, the help and the completion scripts, on the awssts
//! tables themselves.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::ffi::OsString;

use super::spec::{Check, Flag, Kind, OperandKind};
use super::{Matches, Stop, complete, help, outcome, parse};
use crate::cli::APP;

fn os(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

fn ok(args: &[&str]) -> Matches {
    match parse(&APP, &os(args)) {
        Ok(m) => m,
        Err(stop) => panic!("{args:?}: {}", outcome(&APP, stop).0),
    }
}

/// The usage error's line; checks the status and that it is one line.
fn usage(args: &[&str]) -> String {
    let stop = match parse(&APP, &os(args)) {
        Ok(_) => panic!("{args:?} parsed"),
        Err(stop) => stop,
    };
    assert!(
        matches!(stop, Stop::Usage(_)),
        "{args:?}: not a usage error"
    );
    let (text, status) = outcome(&APP, stop);
    assert_eq!(status, 252, "{args:?}");
    assert_eq!(text.lines().count(), 1, "{text:?}");
    assert!(text.starts_with("awssts: "), "{text:?}");
    text
}

/// The help `args` ask for (status 0).
fn help_of(args: &[&str]) -> (Option<&'static str>, String) {
    match parse(&APP, &os(args)) {
        Err(Stop::Help(c)) => {
            let name = c.map(|c| c.name);
            let (text, status) = outcome(&APP, Stop::Help(c));
            assert_eq!(status, 0);
            (name, text)
        }
        _ => panic!("{args:?} did not ask for help"),
    }
}

#[test]
fn global_options_go_before_or_after_the_command() {
    for args in [
        &["--region", "eu-west-1", "get-caller-identity"][..],
        &["get-caller-identity", "--region", "eu-west-1"],
        &["get-caller-identity", "--region=eu-west-1"],
    ] {
        let mut m = ok(args);
        assert_eq!(m.command.name, "get-caller-identity");
        assert_eq!(m.one("region").as_deref(), Some("eu-west-1"), "{args:?}");
    }
    let err = usage(&["--role-arn", "x", "assume-role"]);
    assert!(
        err.contains("'--role-arn'") && err.contains("only global options"),
        "{err}"
    );
}

#[test]
fn values_inline_or_next_and_lists_until_the_next_flag() {
    let mut m = ok(&[
        "assume-role",
        "--role-arn=arn:aws:iam::1:role/r=x",
        "--role-session-name",
        "s",
        "--tags",
        "Key=a,Value=1",
        "Key=b,Value=2",
        "--policy",
        "-starts-with-a-dash",
        "--tags=Key=c,Value=3",
        "--transitive-tag-keys",
        "a",
    ]);
    assert_eq!(
        m.one("role-arn").as_deref(),
        Some("arn:aws:iam::1:role/r=x")
    );
    assert_eq!(m.one("policy").as_deref(), Some("-starts-with-a-dash"));
    assert_eq!(
        m.many("tags"),
        ["Key=a,Value=1", "Key=b,Value=2", "Key=c,Value=3"]
    );
    assert_eq!(m.many("transitive-tag-keys"), ["a"]);
    assert_eq!(m.many("policy-arns"), Vec::<String>::new());
    // A value may start with `--` when given inline.
    let mut m = ok(&["get-session-token", "--token-code=--x"]);
    assert_eq!(m.one("token-code").as_deref(), Some("--x"));
}

#[test]
fn a_one_value_flag_given_twice_is_an_error() {
    let err = usage(&["get-session-token", "--token-code", "1", "--token-code=2"]);
    assert!(err.contains("'--token-code'") && err.contains("more than once"));
    let err = usage(&["--region", "a", "get-caller-identity", "--region", "b"]);
    assert!(err.contains("'--region'"), "{err}");
    // Switches may be repeated, as the AWS CLI allows.
    assert!(ok(&["--debug", "get-caller-identity", "--debug"]).given("debug"));
}

#[test]
fn unknown_flags_are_named_with_the_nearest_known_one() {
    let err = usage(&["get-caller-identity", "--bogus"]);
    assert!(err.contains("unknown option '--bogus'"), "{err}");
    assert!(!err.contains("did you mean"), "{err}");
    let err = usage(&["assume-role", "--role-sesion-name=SECRET"]);
    assert!(
        err.contains("'--role-sesion-name'") && err.contains("did you mean '--role-session-name'"),
        "{err}"
    );
    assert!(!err.contains("SECRET"), "the value is not echoed: {err}");
    let err = usage(&["get-caller-identity", "--outptu", "json"]);
    assert!(err.contains("did you mean '--output'"), "{err}");
    let err = usage(&["get-caller-identity", "-x"]);
    assert!(err.contains("'-x'"), "{err}");
    let err = usage(&["asume-role"]);
    assert!(
        err.contains("unknown command 'asume-role'") && err.contains("did you mean 'assume-role'"),
        "{err}"
    );
    assert!(err.ends_with("(see awssts --help)\n"), "{err}");
}

#[test]
fn errors_inside_a_command_point_at_its_help() {
    let err = usage(&["get-caller-identity", "--bogus"]);
    assert!(
        err.ends_with("(see awssts get-caller-identity --help)\n"),
        "{err}"
    );
}

#[test]
fn missing_required_flags_are_all_named() {
    let err = usage(&["assume-role"]);
    assert!(
        err.contains("missing required options '--role-arn', '--role-session-name'"),
        "{err}"
    );
    let err = usage(&["assume-role", "--role-arn", "a"]);
    assert!(
        err.contains("'--role-session-name'") && !err.contains("'--role-arn'"),
        "{err}"
    );
    let err = usage(&["get-web-identity-token", "--signing-algorithm", "RS256"]);
    assert!(err.contains("'--audience'"), "{err}");
}

#[test]
fn a_missing_value_names_the_flag() {
    for (args, flag) in [
        (&["assume-role", "--role-arn"][..], "--role-arn"),
        (
            &["assume-role", "--role-arn", "--role-session-name", "s"],
            "--role-arn",
        ),
        (&["assume-role", "--tags", "--role-arn", "a"], "--tags"),
        (&["get-caller-identity", "--output"], "--output"),
    ] {
        let err = usage(args);
        assert!(
            err.contains(&format!("'{flag}' needs a value")),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn enumerations_list_their_values() {
    let err = usage(&["get-caller-identity", "--output", "yaml"]);
    assert!(
        err.contains("'yaml'") && err.contains("'--output'") && err.contains("json, text, env"),
        "{err}"
    );
    let err = usage(&["export-credentials", "--format=xml"]);
    assert!(err.contains("process, env, env-no-export"), "{err}");
    let err = usage(&["completions", "tcsh"]);
    assert!(
        err.contains("'tcsh'") && err.contains("bash, zsh, fish"),
        "{err}"
    );
    let mut m = ok(&["export-credentials"]);
    assert_eq!(
        m.one("format").as_deref(),
        Some("process"),
        "the default is filled in"
    );
    assert!(!m.given("format"));
}

#[test]
fn numbers_are_checked_against_their_ranges() {
    let err = usage(&[
        "credential-process",
        "--role-arn",
        "a",
        "--duration-seconds",
        "899",
    ]);
    assert!(
        err.contains("'--duration-seconds'") && err.contains("900 to 43200"),
        "{err}"
    );
    usage(&[
        "credential-process",
        "--role-arn",
        "a",
        "--duration-seconds",
        "43201",
    ]);
    let mut m = ok(&[
        "credential-process",
        "--role-arn",
        "a",
        "--duration-seconds",
        "43200",
    ]);
    assert_eq!(m.parsed::<u32>("duration-seconds"), Some(43_200));

    let err = usage(&["get-caller-identity", "--expires-in", "60"]);
    assert!(
        err.contains("'--expires-in' can only be used with '--presign'"),
        "{err}"
    );
    usage(&["get-caller-identity", "--presign", "--expires-in", "0"]);
    usage(&["get-caller-identity", "--presign", "--expires-in", "604801"]);
    let mut m = ok(&["get-caller-identity", "--presign"]);
    assert_eq!(m.parsed::<u64>("expires-in"), Some(900), "default");

    for bad in ["-1", "soon", "inf", "NaN"] {
        let err = usage(&["--cli-read-timeout", bad, "get-caller-identity"]);
        assert!(err.contains("'--cli-read-timeout'"), "{err}");
    }
    let mut m = ok(&["get-caller-identity", "--cli-connect-timeout", "0.5"]);
    assert_eq!(m.parsed::<f64>("cli-connect-timeout"), Some(0.5));

    let err = usage(&["serve", "--addr", "localhost"]);
    assert!(err.contains("'--addr'"), "{err}");
    let mut m = ok(&["serve"]);
    assert_eq!(m.one("addr").as_deref(), Some("127.0.0.1:4599"));
}

#[test]
fn flags_that_need_another_or_exclude_one() {
    let err = usage(&["credential-process", "--source-profile", "p"]);
    assert!(err.contains("'--source-profile'") && err.contains("'--role-arn'"));
    let err = usage(&["eks-token"]);
    assert!(err.contains("'--cluster-name', '--cluster-id'"), "{err}");
    let err = usage(&["eks-token", "--cluster-name", "a", "--cluster-id", "b"]);
    assert!(err.contains("exactly one"), "{err}");
    ok(&["eks-token", "--cluster-id", "b"]);
}

#[test]
fn stray_words_are_refused_without_echoing_them() {
    let err = usage(&[
        "assume-role-with-saml",
        "--saml-assertion",
        "PART1",
        "SECRET-PART2",
    ]);
    assert!(!err.contains("SECRET"), "{err}");
    assert!(err.contains("'--saml-assertion'"), "{err}");
    let err = usage(&["get-caller-identity", "SECRET"]);
    assert!(!err.contains("SECRET"), "{err}");
    usage(&["completions", "bash", "zsh"]);
    usage(&["get-caller-identity", "--"]);
}

#[test]
fn help_anywhere_shows_that_commands_help() {
    for (args, command) in [
        (&["--help"][..], None),
        (&["-h"], None),
        (&["help"], None),
        (&["--region", "x", "-h"], None),
        (&["assume-role", "--help"], Some("assume-role")),
        (
            &["assume-role", "--role-arn", "a", "-h"],
            Some("assume-role"),
        ),
        (
            &["assume-role", "--tags", "a", "b", "--help"],
            Some("assume-role"),
        ),
        (&["help", "serve"], Some("serve")),
        (&["exec", "-h"], Some("exec")),
        (
            &["assume-role", "--role-arn", "--help"],
            Some("assume-role"),
        ),
    ] {
        assert_eq!(help_of(args).0, command, "{args:?}");
    }
    let err = usage(&["help", "bogus"]);
    assert!(err.contains("unknown command 'bogus'"), "{err}");
}

#[test]
fn version_and_no_command() {
    for args in [&["-V"][..], &["--version"], &["demo", "--version"]] {
        let stop = parse(&APP, &os(args)).err().unwrap();
        assert_eq!(
            outcome(&APP, stop),
            (format!("awssts {}\n", env!("CARGO_PKG_VERSION")), 0)
        );
    }
    for args in [&[][..], &["--region", "x"]] {
        let stop = parse(&APP, &os(args)).err().unwrap();
        assert!(matches!(stop, Stop::NoCommand));
        let (text, status) = outcome(&APP, stop);
        assert_eq!(status, 252);
        assert!(text.contains("Usage: awssts"), "{text}");
    }
}

#[test]
fn exec_keeps_the_command_line_as_given() {
    let m = ok(&["exec", "--server", "--", "sh", "-c", "echo --help", "--x"]);
    assert!(m.given("server"));
    assert_eq!(m.operands, os(&["sh", "-c", "echo --help", "--x"]));
    // After the first word that is not a flag, everything is the command.
    let m = ok(&["exec", "env", "-h", "--server", "--"]);
    assert!(!m.given("server"));
    assert_eq!(m.operands, os(&["env", "-h", "--server", "--"]));
    let m = ok(&["exec", "--profile", "p", "--", "--not-a-flag"]);
    assert_eq!(m.operands, os(&["--not-a-flag"]));

    use std::os::unix::ffi::OsStringExt;
    let odd = OsString::from_vec(vec![b'a', 0xff]);
    let args = vec!["exec".into(), "--".into(), "echo".into(), odd.clone()];
    let Ok(m) = parse(&APP, &args) else {
        panic!("non-UTF-8 command")
    };
    assert_eq!(m.operands[1], odd);
    let args = vec!["get-caller-identity".into(), "--region".into(), odd];
    match parse(&APP, &args) {
        Err(Stop::Usage(e)) => assert!(e.reason.contains("'--region'"), "{}", e.reason),
        _ => panic!("a non-UTF-8 value is a usage error"),
    }
    let err = usage(&["exec", "--server"]);
    assert!(err.contains("<CMD>"), "{err}");
}

/// Every flag in the tables, with the command it belongs to (`None`: global).
fn all_flags() -> Vec<(Option<&'static str>, &'static Flag)> {
    let mut all: Vec<_> = APP.global.iter().map(|f| (None, f)).collect();
    for c in APP.commands {
        all.extend(c.flags.iter().map(|f| (Some(c.name), f)));
    }
    all
}

#[test]
fn the_tables_are_consistent() {
    for c in APP.commands {
        let mut seen: Vec<&str> = APP.global.iter().map(|f| f.name).collect();
        for f in c.flags {
            assert!(!seen.contains(&f.name), "{}: --{} twice", c.name, f.name);
            seen.push(f.name);
            assert!(
                f.requires.is_empty() || c.flag(f.requires).is_some(),
                "{}: --{} requires an unknown flag",
                c.name,
                f.name
            );
        }
        for name in c.one_of {
            assert!(c.flag(name).is_some(), "{}: one_of --{name}", c.name);
        }
        if let Some(o) = &c.operand {
            assert_eq!(o.kind == OperandKind::Choice, !o.choices.is_empty());
        }
    }
    for (command, f) in all_flags() {
        assert!(!f.help.is_empty() && !f.help.contains('\n'), "--{}", f.name);
        assert!(
            f.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
            "--{}",
            f.name
        );
        if !f.default.is_empty() {
            // The default passes the flag's own checks.
            let mut args = vec![command.unwrap_or("demo")];
            let inline = format!("--{}={}", f.name, f.default);
            args.push(&inline);
            if !f.requires.is_empty() {
                args.push(if f.requires == "presign" {
                    "--presign"
                } else {
                    "--role-arn=a"
                });
            }
            ok(&args);
        }
        assert!(
            f.kind == Kind::Switch || f.check == Check::Text || f.choices.is_empty(),
            "--{}",
            f.name
        );
    }
    // Every choice names a value of the Rust enum it becomes.
    for c in crate::output::FORMATS {
        assert!(crate::output::Format::from_setting(c.name).is_some());
    }
    for c in crate::creds::EXPORT_FORMATS {
        assert!(crate::creds::ExportFormat::from_name(c.name).is_some());
    }
    for c in APP
        .command("completions")
        .unwrap()
        .operand
        .as_ref()
        .unwrap()
        .choices
    {
        assert!(crate::cli::Shell::from_name(c.name).is_some());
    }
}

#[test]
fn every_flag_is_in_its_commands_help() {
    let (_, top) = help_of(&["--help"]);
    for c in APP.commands {
        assert!(top.contains(&format!("\n  {} ", c.name)), "{}", c.name);
        let text = help::render(&APP, Some(c));
        assert!(text.starts_with(c.about), "{}", c.name);
        let global = text.find("\nGlobal options:\n").expect(c.name);
        let own = &text[..global];
        for f in c.flags {
            let mut entry = format!("      --{}", f.name);
            if f.takes_value() {
                entry.push_str(" <");
                f.write_placeholder(&mut entry);
                entry.push('>');
            }
            entry.push(if f.kind == Kind::Many { '.' } else { '\n' });
            assert!(own.contains(&entry), "{entry:?} in\n{text}");
            if !f.default.is_empty() {
                assert!(own.contains(&format!("[default: {}]", f.default)));
            }
            for choice in f.choices {
                assert!(own.contains(&format!("- {}:", choice.name)));
            }
            if f.required {
                let usage = text.lines().find(|l| l.starts_with("Usage: ")).unwrap();
                assert!(usage.contains(&format!(" --{} ", f.name)), "{usage}");
            }
        }
        for f in APP.global {
            assert!(
                text[global..].contains(&format!("      --{}", f.name)),
                "{}: --{}",
                c.name,
                f.name
            );
        }
    }
    let serve = help::render(&APP, APP.command("serve"));
    assert!(
        serve.contains("      --addr <IP:PORT>\n") && serve.contains("[default: 127.0.0.1:4599]")
    );
    assert!(
        serve
            .trim_end()
            .ends_with("SIGINT or SIGTERM stop it (exit 0).")
    );
    let exec = help::render(&APP, APP.command("exec"));
    assert!(
        exec.contains("Usage: awssts exec [OPTIONS] -- <CMD>..."),
        "{exec}"
    );
}

/// Runs the bash script's completion function on `words` (the last one
/// being completed) and returns COMPREPLY.
fn bash_complete(script: &std::path::Path, words: &[&str]) -> Vec<String> {
    let mut shell = String::from("source \"$1\"; COMP_WORDS=(");
    for w in words {
        shell.push('\'');
        shell.push_str(w);
        shell.push_str("' ");
    }
    shell.push_str(&format!(
        "); COMP_CWORD={}; _awssts; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        words.len() - 1
    ));
    let out = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &shell, "bash"])
        .arg(script)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_bash_script_completes_commands_flags_and_values() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("awssts.bash");
    std::fs::write(&script, complete::bash(&APP)).unwrap();

    let got = bash_complete(&script, &["awssts", "assume-role-w"]);
    assert_eq!(
        got,
        ["assume-role-with-saml", "assume-role-with-web-identity"]
    );
    let got = bash_complete(&script, &["awssts", "--region", "x", "get-c"]);
    assert_eq!(got, ["get-caller-identity"]);
    let got = bash_complete(&script, &["awssts", "assume-role", "--role-s"]);
    assert_eq!(got, ["--role-session-name"]);
    let got = bash_complete(&script, &["awssts", "get-caller-identity", "--output", ""]);
    assert_eq!(got, ["json", "text", "env"]);
    let got = bash_complete(
        &script,
        &["awssts", "export-credentials", "--format", "env"],
    );
    assert_eq!(got, ["env", "env-no-export"]);
    let got = bash_complete(&script, &["awssts", "completions", "f"]);
    assert_eq!(got, ["fish"]);
    let got = bash_complete(&script, &["awssts", "help", "ser"]);
    assert_eq!(got, ["serve"]);
    std::fs::write(dir.path().join("policy.json"), "{}").unwrap();
    let prefix = dir.path().join("pol");
    let got = bash_complete(
        &script,
        &[
            "awssts",
            "get-session-token",
            "--serial-number",
            prefix.to_str().unwrap(),
        ],
    );
    assert_eq!(got, [dir.path().join("policy.json").to_str().unwrap()]);

    // Each command offers exactly its own flags and the global ones.
    for c in APP.commands {
        let got = bash_complete(&script, &["awssts", c.name, "--"]);
        let mut want: Vec<String> = c
            .flags
            .iter()
            .chain(APP.global)
            .map(|f| format!("--{}", f.name))
            .collect();
        want.extend(["--help".to_owned(), "--version".to_owned()]);
        let mut got_sorted = got.clone();
        got_sorted.sort();
        want.sort();
        assert_eq!(got_sorted, want, "{}", c.name);
    }
}

#[test]
fn the_zsh_and_fish_scripts_have_every_command_and_flag() {
    let zsh = complete::zsh(&APP);
    let fish = complete::fish(&APP);
    assert!(zsh.starts_with("#compdef awssts\n"));
    for c in APP.commands {
        assert!(
            zsh.contains(&format!("\n        '{}:", c.name)),
            "{}",
            c.name
        );
        assert!(
            fish.contains(&format!("-n __fish_use_subcommand -a {} -d '", c.name)),
            "{}",
            c.name
        );
        // zsh: the command's `_arguments` lists its flags.
        let start = zsh
            .find(&format!("\n            {})\n", c.name))
            .expect(c.name);
        let end = start + zsh[start..].find(";;\n").unwrap();
        let section = &zsh[start..end];
        for f in c.flags {
            assert!(
                section.contains(&format!("--{}[", f.name)),
                "zsh {}: --{}",
                c.name,
                f.name
            );
            assert!(
                fish.contains(&format!(
                    "-n '__fish_seen_subcommand_from {}' -l {} ",
                    c.name, f.name
                )),
                "fish {}: --{}",
                c.name,
                f.name
            );
        }
    }
    for f in APP.global {
        assert!(
            zsh.contains(&format!("        '--{}[", f.name)),
            "--{}",
            f.name
        );
        assert!(
            fish.contains(&format!("complete -c awssts -l {} ", f.name)),
            "--{}",
            f.name
        );
    }
    assert!(zsh.contains("'--output[Output format (else the profile'\\''s `output`, else json)]:FORMAT:(json text env)'"));
    assert!(fish.contains(
        "-l format -x -a 'process env env-no-export powershell windows-cmd fish' -d 'How to print the credentials'"
    ));
    assert!(fish.contains("the profile\\'s `output`"));
}

#[test]
fn help_text_is_quoted_for_each_shell() {
    let text = r"a'b [c] \d";
    let mut zsh = String::new();
    complete::quoted(&mut zsh, text, true);
    assert_eq!(zsh, r"a'\''b \[c\] \\d");
    let mut fish = String::new();
    complete::quoted(&mut fish, text, false);
    assert_eq!(fish, r"a\'b [c] \\d");
}
