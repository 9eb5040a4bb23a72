//! Client settings from a profile, below explicit settings and the
//! environment, as in the AWS CLI.

use super::{ProfileError, ProfileSet, StsRegionalEndpoints};
use crate::env::Env;
use crate::retry::{RetryConfig, RetryMode};

impl crate::ClientBuilder {
    /// Applies the profile `name`'s client settings: `region`, the STS
    /// endpoint (`[services]` `sts.endpoint_url`, then `endpoint_url`),
    /// `max_attempts`/`retry_mode`, `use_fips_endpoint`,
    /// `use_dualstack_endpoint` and `sts_regional_endpoints`.
    ///
    /// A setting is taken from the profile only when neither the builder
    /// nor the environment has one, so the order is the AWS CLI's: explicit
    /// settings, then environment variables, then the profile. Call
    /// [`env`](Self::env) before this method when using an injected
    /// environment. A missing `default` profile changes nothing; any other
    /// missing profile is an error, as is a malformed setting.
    pub fn profile(mut self, set: &ProfileSet, name: &str) -> Result<Self, ProfileError> {
        let profile = match set.profile(name) {
            Some(p) => p,
            None if name == "default" => return Ok(self),
            None => set.require_profile(name)?,
        };
        let env = self.configured_env().cloned().unwrap_or_else(Env::process);

        if self.configured_region().is_none()
            && env.get("AWS_REGION").is_none()
            && env.get("AWS_DEFAULT_REGION").is_none()
            && let Some(region) = profile.region()?
        {
            self = self.region(region);
        }

        // The variable wins over the profile; the builder carries the answer
        // so that `resolve` ignores the environment's URLs too.
        let ignore_endpoints = match self.configured_ignore_endpoint_urls() {
            Some(v) => v,
            None => {
                let v = env_bool(&env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")?
                    .or(profile.ignore_configured_endpoint_urls()?)
                    .unwrap_or(false);
                self = self.ignore_configured_endpoint_urls(v);
                v
            }
        };
        // Both are checked even when unused, so a typo is found now rather
        // than the day the environment variable is unset.
        let sts_url = set.sts_endpoint_url(profile)?;
        let any_url = profile.endpoint_url()?;
        if !ignore_endpoints
            && self.configured_endpoint_url().is_none()
            && env.get("AWS_ENDPOINT_URL_STS").is_none()
            && env.get("AWS_ENDPOINT_URL").is_none()
            && let Some(url) = sts_url.or(any_url)
        {
            self = self.endpoint_url(url);
        }

        let fips = profile.use_fips_endpoint()?;
        if self.configured_use_fips().is_none()
            && env.get("AWS_USE_FIPS_ENDPOINT").is_none()
            && let Some(on) = fips
        {
            self = self.use_fips(on);
        }
        let dual = profile.use_dualstack_endpoint()?;
        if self.configured_use_dual_stack().is_none()
            && env.get("AWS_USE_DUALSTACK_ENDPOINT").is_none()
            && let Some(on) = dual
        {
            self = self.use_dual_stack(on);
        }
        let regional = profile.sts_regional_endpoints()?;
        if self.configured_use_global_endpoint().is_none()
            && env.get("AWS_STS_REGIONAL_ENDPOINTS").is_none()
            && let Some(r) = regional
        {
            self = self.use_global_endpoint(r == StsRegionalEndpoints::Legacy);
        }

        let max_attempts = profile.max_attempts()?;
        let mode = profile.retry_mode()?;
        if self.configured_retry().is_none() && (max_attempts.is_some() || mode.is_some()) {
            // Setting the retry config stops the builder from reading the
            // variables itself, so they are applied here, over the profile.
            let mut retry = RetryConfig::default();
            if let Some(n) = env_max_attempts(&env)?.or(max_attempts) {
                retry = retry.with_max_attempts(n);
            }
            if let Some(m) = env_retry_mode(&env)?.or(mode) {
                retry = retry.with_mode(m);
            }
            self = self.retry(retry);
        }
        Ok(self)
    }
}

fn env_bool(env: &Env, name: &'static str) -> Result<Option<bool>, ProfileError> {
    match env.get(name) {
        None => Ok(None),
        Some(v) if v.trim().eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(v) if v.trim().eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(value) => Err(ProfileError::InvalidEnv {
            name,
            value,
            expected: "`true` or `false`",
        }),
    }
}

fn env_max_attempts(env: &Env) -> Result<Option<u32>, ProfileError> {
    match env.get("AWS_MAX_ATTEMPTS") {
        None => Ok(None),
        Some(v) => match v.trim().parse::<u32>() {
            Ok(n) if n >= 1 => Ok(Some(n)),
            _ => Err(ProfileError::InvalidEnv {
                name: "AWS_MAX_ATTEMPTS",
                value: v,
                expected: "a whole number of attempts, 1 or more",
            }),
        },
    }
}

fn env_retry_mode(env: &Env) -> Result<Option<RetryMode>, ProfileError> {
    match env.get("AWS_RETRY_MODE") {
        None => Ok(None),
        Some(v) => match RetryMode::parse(&v) {
            Some(m) => Ok(Some(m)),
            None => Err(ProfileError::InvalidEnv {
                name: "AWS_RETRY_MODE",
                value: v,
                expected: "`standard` or `adaptive` (or `legacy`)",
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ClientBuilder;

    const CONFIG: &str = "\
[default]
region = eu-west-1
max_attempts = 7
retry_mode = adaptive
use_fips_endpoint = false

[profile custom]
region = us-west-2
services = local
endpoint_url = http://127.0.0.1:9999

[services local]
sts =
  endpoint_url = http://127.0.0.1:4566

[profile legacy]
region = eu-west-1
sts_regional_endpoints = legacy

[profile fips]
region = us-west-2
use_fips_endpoint = true
use_dualstack_endpoint = true

[profile broken]
max_attempts = many
";

    fn set() -> ProfileSet {
        ProfileSet::parse(CONFIG, "").unwrap()
    }

    fn builder(vars: &[(&str, &str)]) -> ClientBuilder {
        ClientBuilder::default().env(Env::from_vars(vars.iter().copied()))
    }

    #[test]
    fn profile_settings_apply_when_nothing_else_is_set() {
        let r = builder(&[])
            .profile(&set(), "default")
            .unwrap()
            .resolve()
            .unwrap();
        assert_eq!(r.region.as_deref(), Some("eu-west-1"));
        assert_eq!(r.endpoint.url, "https://sts.eu-west-1.amazonaws.com");
        assert_eq!(r.retry.max_attempts, 7);
        assert_eq!(r.retry.mode, RetryMode::Adaptive);

        let r = builder(&[])
            .profile(&set(), "custom")
            .unwrap()
            .resolve()
            .unwrap();
        assert_eq!(
            r.target.host, "127.0.0.1:4566",
            "services sts wins over endpoint_url"
        );

        let r = builder(&[])
            .profile(&set(), "legacy")
            .unwrap()
            .resolve()
            .unwrap();
        assert_eq!(r.endpoint.url, "https://sts.amazonaws.com");

        let r = builder(&[])
            .profile(&set(), "fips")
            .unwrap()
            .resolve()
            .unwrap();
        assert_eq!(r.endpoint.url, "https://sts-fips.us-west-2.api.aws");
    }

    #[test]
    fn explicit_settings_and_environment_win_over_the_profile() {
        let r = builder(&[("AWS_REGION", "ap-south-1"), ("AWS_MAX_ATTEMPTS", "2")])
            .profile(&set(), "default")
            .unwrap()
            .resolve()
            .unwrap();
        assert_eq!(r.region.as_deref(), Some("ap-south-1"));
        assert_eq!(r.retry.max_attempts, 2, "env beats the profile");
        assert_eq!(r.retry.mode, RetryMode::Adaptive, "profile fills the rest");

        let r = builder(&[])
            .region("ca-central-1")
            .endpoint_url("http://127.0.0.1:1234")
            .profile(&set(), "custom")
            .unwrap()
            .resolve()
            .unwrap();
        assert_eq!(r.region.as_deref(), Some("ca-central-1"));
        assert_eq!(r.target.host, "127.0.0.1:1234");

        let r = builder(&[("AWS_ENDPOINT_URL", "http://127.0.0.1:2222")])
            .profile(&set(), "custom")
            .unwrap()
            .resolve()
            .unwrap();
        assert_eq!(r.target.host, "127.0.0.1:2222");

        let r = builder(&[("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")])
            .profile(&set(), "custom")
            .unwrap()
            .resolve()
            .unwrap();
        assert_eq!(r.endpoint.url, "https://sts.us-west-2.amazonaws.com");

        // The profile's own switch also silences the environment's URLs,
        // unless the variable says otherwise.
        let set = ProfileSet::parse(
            "[profile quiet]\nregion = eu-west-3\nignore_configured_endpoint_urls = true\n\
             endpoint_url = http://127.0.0.1:3333\n",
            "",
        )
        .unwrap();
        let r = builder(&[("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:2222")])
            .profile(&set, "quiet")
            .unwrap()
            .resolve()
            .unwrap();
        assert_eq!(r.endpoint.url, "https://sts.eu-west-3.amazonaws.com");
        let r = builder(&[
            ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:2222"),
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false"),
        ])
        .profile(&set, "quiet")
        .unwrap()
        .resolve()
        .unwrap();
        assert_eq!(r.target.host, "127.0.0.1:2222");
        let r = builder(&[("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:2222")])
            .endpoint_url("http://127.0.0.1:4444")
            .profile(&set, "quiet")
            .unwrap()
            .resolve()
            .unwrap();
        assert_eq!(r.target.host, "127.0.0.1:4444", "code beats configuration");
    }

    #[test]
    fn bad_settings_and_missing_profiles_are_errors() {
        let err = builder(&[]).profile(&set(), "broken").err().unwrap();
        let msg = err.to_string();
        assert!(
            msg.contains("<config>:") && msg.contains("max_attempts"),
            "{msg}"
        );
        assert!(msg.contains("\"broken\"") && msg.contains("many"), "{msg}");

        let err = builder(&[]).profile(&set(), "nope").err().unwrap();
        assert!(matches!(err, ProfileError::ProfileNotFound { .. }), "{err}");
        assert!(err.to_string().contains("AWS_PROFILE"), "{err}");

        let empty = ProfileSet::parse("", "").unwrap();
        let b = builder(&[]).profile(&empty, "default").unwrap();
        assert_eq!(b.configured_region(), None);
        assert!(b.configured_retry().is_none());
    }
}
