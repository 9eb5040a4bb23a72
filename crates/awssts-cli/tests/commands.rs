//! The command surface: a subcommand for every STS operation of the model
//! and a flag for every input member (named as the AWS CLI names them),
//! help for each, and completion scripts for each shell.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::Sandbox;

/// botocore's `xform_name` with dashes: `AssumeRoleWithSAML` →
/// `assume-role-with-saml`, `SAMLAssertion` → `saml-assertion`.
fn kebab(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push('-');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[test]
fn kebab_case_as_the_aws_cli() {
    assert_eq!(kebab("AssumeRoleWithSAML"), "assume-role-with-saml");
    assert_eq!(kebab("SAMLAssertion"), "saml-assertion");
    assert_eq!(kebab("RoleArn"), "role-arn");
    assert_eq!(kebab("TaskPolicyArn"), "task-policy-arn");
}

#[test]
fn every_operation_and_input_member_has_its_flag() {
    let path = support::reference_dir().join("sts-model/service-2.json");
    let model: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let shapes = &model["shapes"];
    let ops = model["operations"].as_object().unwrap();
    assert!(ops.len() >= 11, "{} operations", ops.len());
    let sb = Sandbox::new();
    let top = sb.awssts(&["--help"]);
    for (name, op) in ops {
        let sub = kebab(name);
        assert!(
            top.ok().contains(&format!("  {sub} ")),
            "no subcommand {sub} in --help"
        );
        let help = sb.awssts(&[&sub, "--help"]);
        let help = help.ok();
        let members = op["input"]["shape"]
            .as_str()
            .and_then(|s| shapes[s]["members"].as_object())
            .cloned()
            .unwrap_or_default();
        for member in members.keys() {
            let flag = format!("--{}", kebab(member));
            let found = help
                .split(|c: char| c.is_whitespace() || c == ',')
                .any(|word| word == flag);
            assert!(found, "{sub} has no {flag}:\n{help}");
        }
        assert!(
            help.contains("--endpoint-url") && help.contains("--query"),
            "{sub}"
        );
    }
}

#[test]
fn completions_for_each_shell() {
    let sb = Sandbox::new();
    for (shell, marker) in [
        ("bash", "complete "),
        ("zsh", "#compdef awssts"),
        ("fish", "complete -c awssts"),
    ] {
        let out = sb.awssts(&["completions", shell]);
        let script = out.ok();
        assert!(script.contains(marker), "{shell}: {marker:?} missing");
        assert!(script.contains("assume-role-with-web-identity"), "{shell}");
        assert!(script.contains("role-session-name"), "{shell}");
    }
    let out = sb.awssts(&["completions", "tcsh"]);
    assert_eq!(out.code, 252);
}

#[test]
fn version_and_help() {
    let sb = Sandbox::new();
    let v = sb.awssts(&["--version"]);
    assert_eq!(v.ok(), format!("awssts {}\n", env!("CARGO_PKG_VERSION")));
    let none = sb.awssts(&[]);
    assert_eq!(none.code, 252, "no command is a usage error");
    assert!(none.stderr.contains("Usage"), "{}", none.stderr);
}
