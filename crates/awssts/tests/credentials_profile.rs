//! The shared config and credentials files: the AWS CLI's parsing rules,
//! precedence between the files and the variables, typed settings and their
//! errors, static keys in profiles.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use awssts::credentials::CredentialsErrorKind;
use awssts::credentials::profile::{ProfileError, ProfileSet, StsRegionalEndpoints};
use awssts::env::Env;
use awssts::retry::RetryMode;

const CANARY: &str = "CANARYsecretDoNotPrint0123456789abcdefgh";

fn parse_err(config: &str) -> ProfileError {
    ProfileSet::parse(config, "").expect_err("expected a parse error")
}

#[test]
fn config_sections_profiles_sso_sessions_and_services() {
    let config = "\
[default]
region = us-east-1

[profile dev]
region = eu-west-1
sso_session = corp

[sso-session corp]
sso_region = us-east-1
sso_start_url = https://example.awsapps.com/start

[services local]
sts =
  endpoint_url = http://127.0.0.1:4566

[plugins]
cli_legacy_plugin_path = /x

[notaprofile]
region = ap-south-1
";
    let set = ProfileSet::parse(config, "").unwrap();
    assert_eq!(set.profile_names().collect::<Vec<_>>(), ["default", "dev"]);
    assert_eq!(set.profile("dev").unwrap().get("region"), Some("eu-west-1"));
    assert_eq!(
        set.sso_session("corp").unwrap().get("sso_start_url"),
        Some("https://example.awsapps.com/start")
    );
    let sts = set.services("local").unwrap().sub_section("sts").unwrap();
    assert_eq!(sts.get("endpoint_url"), Some("http://127.0.0.1:4566"));
    assert!(
        set.profile("notaprofile").is_none(),
        "[x] in config is not a profile"
    );
    assert!(set.profile("plugins").is_none());
}

#[test]
fn credentials_file_sections_are_profile_names_verbatim() {
    let creds = "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s\n\
                 [profile odd]\naws_access_key_id = AKIDODD\naws_secret_access_key = s\n";
    let set = ProfileSet::parse("", creds).unwrap();
    assert_eq!(
        set.profile("dev").unwrap().get("aws_access_key_id"),
        Some("AKIDDEV")
    );
    assert!(set.profile("odd").is_none());
    assert_eq!(
        set.profile("profile odd").unwrap().get("aws_access_key_id"),
        Some("AKIDODD")
    );
}

#[test]
fn comments_whitespace_and_case() {
    let config = "\
# a comment
; another
   # indented comment
[profile  spaced ]   ; trailing comment
  region   =   eu-central-1   # home region
output=json;not-a-comment
Mixed_Case = yes
empty =
hash = a#b c #d
";
    let set = ProfileSet::parse(config, "").unwrap();
    let p = set.profile("spaced").unwrap();
    assert_eq!(p.get("region"), Some("eu-central-1"));
    assert_eq!(p.get("output"), Some("json;not-a-comment"));
    assert_eq!(p.get("mixed_case"), Some("yes"), "keys are lower-cased");
    assert_eq!(p.get("empty"), Some(""));
    assert_eq!(p.get("hash"), Some("a#b c"));
    assert_eq!(p.region().unwrap(), Some("eu-central-1"));
}

#[test]
fn crlf_and_byte_order_mark() {
    let config = "\u{feff}[default]\r\nregion = us-west-1\r\ns3 =\r\n  addressing_style = path\r\n";
    let set = ProfileSet::parse(config, "").unwrap();
    let p = set.profile("default").unwrap();
    assert_eq!(p.get("region"), Some("us-west-1"));
    assert_eq!(
        p.sub_section("s3").unwrap().get("addressing_style"),
        Some("path")
    );
}

#[test]
fn sub_sections_and_continuation_lines() {
    let config = "\
[default]
s3 =
  max_concurrent_requests = 10
  # a comment inside

  multipart_threshold = 64MB ; inline
region = eu-west-1
description = first line
  second line
\tthird line
";
    let set = ProfileSet::parse(config, "").unwrap();
    let p = set.profile("default").unwrap();
    let s3 = p.sub_section("s3").unwrap();
    assert_eq!(s3.get("max_concurrent_requests"), Some("10"));
    assert_eq!(s3.get("multipart_threshold"), Some("64MB"));
    assert_eq!(s3.iter().count(), 2);
    assert_eq!(p.get("s3"), Some(""));
    assert_eq!(p.get("region"), Some("eu-west-1"));
    assert_eq!(
        p.get("description"),
        Some("first line\nsecond line\nthird line")
    );
    assert!(p.sub_section("region").is_none());
}

#[test]
fn indented_property_right_after_a_header_is_an_ordinary_property() {
    let set = ProfileSet::parse("[default]\n  region = eu-west-2\n", "").unwrap();
    assert_eq!(
        set.profile("default").unwrap().get("region"),
        Some("eu-west-2")
    );
}

#[test]
fn duplicate_sections_and_keys_merge_later_wins() {
    let config = "\
[profile a]
region = us-east-1
output = json
region = us-east-2

[profile a]
output = text
";
    let set = ProfileSet::parse(config, "").unwrap();
    let p = set.profile("a").unwrap();
    assert_eq!(p.get("region"), Some("us-east-2"));
    assert_eq!(p.get("output"), Some("text"));
    assert_eq!(p.origin("output").unwrap().line(), 7);
}

#[test]
fn profile_default_beats_default_in_the_config_file() {
    let config = "[profile default]\nregion = from-profile-default\n[default]\nregion = from-default\noutput = json\n";
    let set = ProfileSet::parse(config, "").unwrap();
    let p = set.profile("default").unwrap();
    assert_eq!(p.get("region"), Some("from-profile-default"));
    assert_eq!(p.get("output"), Some("json"));
}

#[test]
fn malformed_lines_report_file_line_and_reason() {
    let cases: &[(&str, usize, &str)] = &[
        (
            "[default]\nregion = x\nthis is not a property\n",
            3,
            "expected \"key = value\" or a [section] header",
        ),
        ("region = x\n", 1, "before any [section]"),
        ("\n\n[default\nregion = x\n", 3, "closing `]`"),
        ("[default] extra\n", 1, "after a section header"),
        ("[]\n", 1, "no name"),
        ("[default]\n= x\n", 2, "no name before `=`"),
        (
            "[default]\ns3 =\n  max_concurrent_requests\n",
            3,
            "sub-section of `s3`",
        ),
        (
            "[default]\n[ profile ]\n",
            2,
            "[profile] header with no name",
        ),
        ("[sso-session]\n", 1, "[sso-session] header with no name"),
    ];
    for (text, line, reason) in cases {
        let err = parse_err(text);
        let msg = err.to_string();
        assert!(msg.starts_with(&format!("<config>:{line}: ")), "{msg}");
        assert!(msg.contains(reason), "{msg}");
        match err {
            ProfileError::Parse { line: l, .. } => assert_eq!(l, *line),
            other => panic!("{other:?}"),
        }
    }
    let err = ProfileSet::parse("", "[default]\naws_secret_access_key\n")
        .err()
        .unwrap();
    assert!(err.to_string().starts_with("<credentials>:2: "), "{err}");
}

#[test]
fn malformed_line_errors_never_quote_the_line() {
    let err = ProfileSet::parse("", &format!("[default]\n{CANARY}\n"))
        .err()
        .unwrap();
    assert!(!err.to_string().contains(CANARY));
    assert!(!format!("{err:?}").contains(CANARY));
    let err = ProfileSet::parse("", &format!("{CANARY} = x\n"))
        .err()
        .unwrap();
    assert!(!err.to_string().contains(CANARY));
}

#[test]
fn credentials_file_wins_per_key() {
    let config = "[profile dev]\nregion = eu-west-1\naws_access_key_id = FROMCONFIG\naws_secret_access_key = c\n";
    let creds = "[dev]\naws_access_key_id = FROMCREDS\naws_secret_access_key = s\n";
    let set = ProfileSet::parse(config, creds).unwrap();
    let p = set.profile("dev").unwrap();
    assert_eq!(p.get("aws_access_key_id"), Some("FROMCREDS"));
    assert_eq!(p.get("region"), Some("eu-west-1"));
    assert_eq!(
        p.origin("aws_access_key_id").unwrap().file(),
        "<credentials>"
    );
    assert_eq!(p.origin("region").unwrap().file(), "<config>");
}

#[test]
fn selected_profile_precedence() {
    let pick =
        |vars: &[(&str, &str)]| ProfileSet::selected_profile(&Env::from_vars(vars.iter().copied()));
    assert_eq!(pick(&[]), "default");
    assert_eq!(pick(&[("AWS_DEFAULT_PROFILE", "b")]), "b");
    assert_eq!(
        pick(&[("AWS_PROFILE", "a"), ("AWS_DEFAULT_PROFILE", "b")]),
        "a"
    );
    assert_eq!(
        pick(&[("AWS_PROFILE", ""), ("AWS_DEFAULT_PROFILE", "b")]),
        "b"
    );
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn load_reads_the_default_paths_under_home() {
    let home = tempfile::tempdir().unwrap();
    write(
        &home.path().join(".aws/config"),
        "[profile dev]\nregion = eu-west-1\n",
    );
    write(
        &home.path().join(".aws/credentials"),
        "[dev]\naws_access_key_id = AKID\naws_secret_access_key = s\n",
    );
    let env = Env::from_vars([("HOME", home.path().to_str().unwrap())]);
    let set = ProfileSet::load(&env).unwrap();
    let p = set.profile("dev").unwrap();
    assert_eq!(p.get("region"), Some("eu-west-1"));
    assert_eq!(p.get("aws_access_key_id"), Some("AKID"));
    assert!(p.origin("region").unwrap().file().ends_with("config"));

    // USERPROFILE stands in for HOME (Windows).
    let env = Env::from_vars([("USERPROFILE", home.path().to_str().unwrap())]);
    assert!(ProfileSet::load(&env).unwrap().profile("dev").is_some());
}

#[test]
fn load_follows_the_file_variables_and_expands_tilde() {
    let home = tempfile::tempdir().unwrap();
    write(&home.path().join(".aws/config"), "[profile ignored]\n");
    write(
        &home.path().join("custom/conf"),
        "[profile custom]\nregion = us-west-2\n",
    );
    write(
        &home.path().join("custom/creds"),
        "[other]\nregion = ca-central-1\n",
    );
    let env = Env::from_vars([
        ("HOME", home.path().to_str().unwrap()),
        ("AWS_CONFIG_FILE", "~/custom/conf"),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            home.path().join("custom/creds").to_str().unwrap(),
        ),
    ]);
    let set = ProfileSet::load(&env).unwrap();
    assert_eq!(set.profile_names().collect::<Vec<_>>(), ["custom", "other"]);

    let env = Env::from_vars([("AWS_CONFIG_FILE", "~/custom/conf")]);
    let err = ProfileSet::load(&env).err().unwrap();
    assert!(
        matches!(
            err,
            ProfileError::NoHome {
                variable: "AWS_CONFIG_FILE"
            }
        ),
        "{err}"
    );
}

#[test]
fn missing_files_are_empty_and_unreadable_ones_are_errors() {
    let home = tempfile::tempdir().unwrap();
    let env = Env::from_vars([("HOME", home.path().to_str().unwrap())]);
    let set = ProfileSet::load(&env).unwrap();
    assert_eq!(set.profile_names().count(), 0);
    assert!(
        ProfileSet::load(&Env::from_vars([("X", "y")])).is_ok(),
        "no home: no files"
    );

    // A directory where the file should be cannot be read.
    std::fs::create_dir_all(home.path().join(".aws/credentials")).unwrap();
    let err = ProfileSet::load(&env).err().unwrap();
    let msg = err.to_string();
    assert!(
        msg.contains(".aws/credentials") && msg.contains("AWS_SHARED_CREDENTIALS_FILE"),
        "{msg}"
    );

    let bad = home.path().join("bad");
    write(&bad, "[default]\nregion = ok\n???\n");
    let env = Env::from_vars([
        ("HOME", home.path().to_str().unwrap()),
        ("AWS_CONFIG_FILE", bad.to_str().unwrap()),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            home.path().join("none").to_str().unwrap(),
        ),
    ]);
    let msg = ProfileSet::load(&env).err().unwrap().to_string();
    assert!(msg.starts_with(&format!("{}:3: ", bad.display())), "{msg}");
}

#[test]
fn typed_settings() {
    let config = "\
[profile ok]
region = eu-west-1
endpoint_url = https://sts.example.com
sts_regional_endpoints = legacy
max_attempts = 5
retry_mode = adaptive
use_fips_endpoint = TRUE
use_dualstack_endpoint = false
aws_account_id = 123456789012
services = mine

[services mine]
sts =
  endpoint_url = http://localhost:4566

[profile none]
output = json
";
    let set = ProfileSet::parse(config, "").unwrap();
    let p = set.profile("ok").unwrap();
    assert_eq!(p.region().unwrap(), Some("eu-west-1"));
    assert_eq!(p.endpoint_url().unwrap(), Some("https://sts.example.com"));
    assert_eq!(
        p.sts_regional_endpoints().unwrap(),
        Some(StsRegionalEndpoints::Legacy)
    );
    assert_eq!(p.max_attempts().unwrap(), Some(5));
    assert_eq!(p.retry_mode().unwrap(), Some(RetryMode::Adaptive));
    assert_eq!(p.use_fips_endpoint().unwrap(), Some(true));
    assert_eq!(p.use_dualstack_endpoint().unwrap(), Some(false));
    assert_eq!(p.aws_account_id().unwrap(), Some("123456789012"));
    assert_eq!(
        set.sts_endpoint_url(p).unwrap(),
        Some("http://localhost:4566")
    );

    let n = set.profile("none").unwrap();
    assert_eq!(n.region().unwrap(), None);
    assert_eq!(n.max_attempts().unwrap(), None);
    assert_eq!(n.use_fips_endpoint().unwrap(), None);
    assert_eq!(set.sts_endpoint_url(n).unwrap(), None);
}

#[test]
fn typed_setting_errors_name_file_line_profile_key_and_fix() {
    let cases: &[(&str, &str)] = &[
        ("region", "eu west 1"),
        ("endpoint_url", "sts.example.com"),
        ("sts_regional_endpoints", "global"),
        ("max_attempts", "0"),
        ("retry_mode", "fast"),
        ("use_fips_endpoint", "yes"),
        ("use_dualstack_endpoint", "1"),
        ("aws_account_id", "12345"),
    ];
    for (key, value) in cases {
        let config = format!("[profile p]\noutput = json\n{key} = {value}\n");
        let set = ProfileSet::parse(&config, "").unwrap();
        let p = set.profile("p").unwrap();
        let err = match *key {
            "region" => p.region().err(),
            "endpoint_url" => p.endpoint_url().err(),
            "sts_regional_endpoints" => p.sts_regional_endpoints().err(),
            "max_attempts" => p.max_attempts().err(),
            "retry_mode" => p.retry_mode().err(),
            "use_fips_endpoint" => p.use_fips_endpoint().err(),
            "use_dualstack_endpoint" => p.use_dualstack_endpoint().err(),
            "aws_account_id" => p.aws_account_id().err(),
            _ => unreachable!(),
        }
        .unwrap_or_else(|| panic!("{key} = {value} accepted"));
        let msg = err.to_string();
        assert!(msg.starts_with("<config>:3: profile \"p\": "), "{msg}");
        assert!(
            msg.contains(key) && msg.contains(value) && msg.contains("must be"),
            "{msg}"
        );
    }
}

#[test]
fn services_errors() {
    let set = ProfileSet::parse("[profile p]\nservices = gone\n", "").unwrap();
    let msg = set
        .sts_endpoint_url(set.profile("p").unwrap())
        .err()
        .unwrap()
        .to_string();
    assert!(
        msg.contains("[services gone]") && msg.contains("<config>:2"),
        "{msg}"
    );

    let set = ProfileSet::parse(
        "[profile p]\nservices = s\n[services s]\nsts =\n  endpoint_url = not a url\n",
        "",
    )
    .unwrap();
    let msg = set
        .sts_endpoint_url(set.profile("p").unwrap())
        .err()
        .unwrap()
        .to_string();
    assert!(
        msg.contains("sts.endpoint_url") && msg.contains("<config>:4"),
        "{msg}"
    );
}

#[test]
fn static_credentials_from_a_profile() {
    let creds = format!(
        "[full]\naws_access_key_id = AKIDFULL\naws_secret_access_key = {CANARY}\n\
         aws_session_token = {CANARY}tok\naws_account_id = 123456789012\n\
         [keys]\naws_access_key_id = AKIDKEYS\naws_secret_access_key = {CANARY}\n\
         [legacy]\naws_access_key_id = AKIDLEGACY\naws_secret_access_key = x\naws_security_token = old\n\
         [half]\naws_access_key_id = AKIDHALF\n\
         [otherhalf]\naws_secret_access_key = {CANARY}\n\
         [nothing]\nregion = us-east-1\n\
         [process]\ncredential_process = vault-get --session {CANARY}\n"
    );
    let set = ProfileSet::parse("", &creds).unwrap();
    let c = set
        .profile("full")
        .unwrap()
        .static_credentials()
        .unwrap()
        .unwrap();
    assert_eq!(c.access_key_id(), "AKIDFULL");
    assert_eq!(c.secret_access_key(), CANARY);
    assert_eq!(c.session_token(), Some(format!("{CANARY}tok").as_str()));
    assert_eq!(c.account_id(), Some("123456789012"));
    assert_eq!(c.provider_name(), "profile");
    let c = set
        .profile("keys")
        .unwrap()
        .static_credentials()
        .unwrap()
        .unwrap();
    assert_eq!(c.session_token(), None);
    let c = set
        .profile("legacy")
        .unwrap()
        .static_credentials()
        .unwrap()
        .unwrap();
    assert_eq!(c.session_token(), Some("old"));
    assert!(
        set.profile("nothing")
            .unwrap()
            .static_credentials()
            .is_none()
    );

    for (name, missing) in [
        ("half", "aws_secret_access_key"),
        ("otherhalf", "aws_access_key_id"),
    ] {
        let err = set
            .profile(name)
            .unwrap()
            .static_credentials()
            .unwrap()
            .unwrap_err();
        assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
        let msg = err.to_string();
        assert!(
            msg.contains(&format!("\"{name}\"")) && msg.contains(missing),
            "{msg}"
        );
        assert!(!msg.contains(CANARY), "{msg}");
    }

    // Debug of profiles and of the set redacts secrets.
    for shown in [
        format!("{set:?}"),
        format!("{:#?}", set.profile("full").unwrap()),
        format!("{:?}", set.profile("process").unwrap()),
    ] {
        assert!(!shown.contains(CANARY), "{shown}");
        assert!(shown.contains("AKIDFULL") || shown.contains("credential_process"));
    }
}
