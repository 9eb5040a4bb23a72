//! Credentials the child of `exec --server` would find before the server.
//!
//! Every AWS SDK's default chain reads the shared files before the
//! container endpoint. The credentials file is taken out of the child's
//! reach (its path is set to an empty one); the config file cannot be, as
//! it also holds the child's region and other settings, so a selected
//! profile there that has credentials of its own is only warned about.

use awssts::credentials::profile::ProfileSet;
use awssts::env::Env;

/// An empty credentials file: botocore takes a path that is not a regular
/// file as no file, and the other SDKs read it as empty.
pub const NO_CREDENTIALS_FILE: &str = "/dev/null";

/// Settings with which a profile gives credentials by itself (keys, a
/// process, a role, a web identity or IAM Identity Center).
fn credential_setting(key: &str) -> bool {
    matches!(
        key,
        "aws_access_key_id" | "credential_process" | "role_arn" | "web_identity_token_file"
    ) || key.starts_with("sso_")
}

/// The warning to print when the profile the child will select (its
/// `AWS_PROFILE`, else `default`) has credential settings in the config
/// file the child reads; `None` when it has none or the file cannot be
/// read (the child would then fail on its own, with its own message).
pub fn warning(child: &Env) -> Option<String> {
    let set = ProfileSet::load(child).ok()?;
    let name = ProfileSet::selected_profile(child);
    let profile = set.profile(&name)?;
    let keys: Vec<&str> = profile
        .keys()
        .filter(|k| credential_setting(k))
        .filter(|k| profile.get(k).is_some_and(|v| !v.trim().is_empty()))
        .collect();
    let first = keys.first()?;
    let place = profile
        .origin(first)
        .map(|o| format!(" ({o})"))
        .unwrap_or_default();
    Some(format!(
        "awssts: warning: profile [{name}] in the config file sets {}{place}, which AWS SDKs \
         use before the --server endpoint: the command will use that profile's credentials \
         instead; move those settings to a named profile to serve awssts's credentials",
        keys.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn child(config: &str) -> (tempfile::TempDir, Env) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(&path, config).unwrap();
        let env = Env::from_vars([
            ("AWS_CONFIG_FILE", path.to_str().unwrap()),
            ("AWS_SHARED_CREDENTIALS_FILE", NO_CREDENTIALS_FILE),
        ]);
        (dir, env)
    }

    #[test]
    fn a_default_profile_with_credentials_is_named() {
        for setting in [
            "aws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s",
            "credential_process = /bin/creds",
            "role_arn = arn:aws:iam::123456789012:role/r\ncredential_source = Environment",
            "sso_session = corp",
            "web_identity_token_file = /tmp/t",
        ] {
            let (_dir, env) = child(&format!("[default]\nregion = eu-west-1\n{setting}\n"));
            let w = warning(&env).unwrap_or_else(|| panic!("no warning for {setting}"));
            let key = setting.split(' ').next().unwrap();
            assert!(w.contains("[default]") && w.contains(key), "{w}");
            assert!(w.contains(":3)"), "the line is named: {w}");
            assert_eq!(w.lines().count(), 1, "{w}");
            assert!(!w.contains("AKIAEXAMPLE"), "values are not shown: {w}");
        }
    }

    #[test]
    fn settings_without_credentials_or_other_profiles_are_quiet() {
        let (_dir, env) = child(
            "[default]\nregion = eu-west-1\noutput = json\n\n\
             [profile other]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n",
        );
        assert_eq!(warning(&env), None);
        let (_dir, env) = child("");
        assert_eq!(warning(&env), None);
    }
}
