//! Typed profile settings: each accessor parses and checks its key, and a
//! bad value is an error naming the file, line, profile and key.

use super::{Origin, Profile, ProfileError};
use crate::retry::RetryMode;

/// The profile's `sts_regional_endpoints` setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StsRegionalEndpoints {
    /// Each region's own endpoint (the default).
    Regional,
    /// The global `sts.amazonaws.com` for the regions that had it.
    Legacy,
}

impl Profile {
    fn invalid(&self, key: &str, value: &str, expected: &'static str) -> ProfileError {
        let top = key.split('.').next().unwrap_or(key);
        ProfileError::InvalidSetting {
            origin: self.origin(top).cloned().unwrap_or_else(|| Origin {
                file: "".into(),
                line: 0,
            }),
            profile: self.name.clone(),
            key: key.to_owned(),
            value: value.to_owned(),
            expected,
        }
    }

    /// A non-empty value of `key`; an empty one counts as unset.
    fn setting(&self, key: &str) -> Option<&str> {
        self.get(key).filter(|v| !v.is_empty())
    }

    fn bool_setting(&self, key: &str) -> Result<Option<bool>, ProfileError> {
        match self.setting(key) {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => Err(self.invalid(key, v, "`true` or `false`")),
        }
    }

    /// `region`: a region name such as `eu-west-1`.
    pub fn region(&self) -> Result<Option<&str>, ProfileError> {
        match self.setting("region") {
            None => Ok(None),
            Some(v)
                if v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.') =>
            {
                Ok(Some(v))
            }
            Some(v) => Err(self.invalid(
                "region",
                v,
                "a region name of letters, digits and `-`, such as `eu-west-1`",
            )),
        }
    }

    /// `endpoint_url`: an `http://` or `https://` URL for every service.
    pub fn endpoint_url(&self) -> Result<Option<&str>, ProfileError> {
        match self.setting("endpoint_url") {
            None => Ok(None),
            Some(v) => check_url(self, "endpoint_url", v).map(|()| Some(v)),
        }
    }

    /// `sts_regional_endpoints`: `regional` or `legacy`.
    pub fn sts_regional_endpoints(&self) -> Result<Option<StsRegionalEndpoints>, ProfileError> {
        match self.setting("sts_regional_endpoints") {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("regional") => {
                Ok(Some(StsRegionalEndpoints::Regional))
            }
            Some(v) if v.eq_ignore_ascii_case("legacy") => Ok(Some(StsRegionalEndpoints::Legacy)),
            Some(v) => Err(self.invalid("sts_regional_endpoints", v, "`regional` or `legacy`")),
        }
    }

    /// `max_attempts`: attempts per call, 1 or more.
    pub fn max_attempts(&self) -> Result<Option<u32>, ProfileError> {
        match self.setting("max_attempts") {
            None => Ok(None),
            Some(v) => match v.parse::<u32>() {
                Ok(n) if n >= 1 => Ok(Some(n)),
                _ => Err(self.invalid("max_attempts", v, "a whole number of attempts, 1 or more")),
            },
        }
    }

    /// `retry_mode`: `standard`, `adaptive` (or `legacy`, read as standard).
    pub fn retry_mode(&self) -> Result<Option<RetryMode>, ProfileError> {
        match self.setting("retry_mode") {
            None => Ok(None),
            Some(v) => RetryMode::parse(v).map(Some).ok_or_else(|| {
                self.invalid("retry_mode", v, "`standard` or `adaptive` (or `legacy`)")
            }),
        }
    }

    /// `use_fips_endpoint`: `true` or `false`.
    pub fn use_fips_endpoint(&self) -> Result<Option<bool>, ProfileError> {
        self.bool_setting("use_fips_endpoint")
    }

    /// `use_dualstack_endpoint`: `true` or `false`.
    pub fn use_dualstack_endpoint(&self) -> Result<Option<bool>, ProfileError> {
        self.bool_setting("use_dualstack_endpoint")
    }

    /// `ignore_configured_endpoint_urls`: `true` or `false`.
    pub fn ignore_configured_endpoint_urls(&self) -> Result<Option<bool>, ProfileError> {
        self.bool_setting("ignore_configured_endpoint_urls")
    }

    /// `aws_account_id`: twelve digits.
    pub fn aws_account_id(&self) -> Result<Option<&str>, ProfileError> {
        match self.setting("aws_account_id") {
            None => Ok(None),
            Some(v) if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(v)),
            Some(v) => Err(self.invalid("aws_account_id", v, "a 12-digit AWS account id")),
        }
    }
}

/// Checks that `url` is an absolute http(s) URL with a host.
pub(super) fn check_url(profile: &Profile, key: &str, url: &str) -> Result<(), ProfileError> {
    const EXPECTED: &str =
        "an http:// or https:// URL with a host, such as https://sts.example.com";
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(rest)
            if !rest.is_empty() && !rest.starts_with('/') && url.parse::<http::Uri>().is_ok() =>
        {
            Ok(())
        }
        _ => Err(profile.invalid(key, url, EXPECTED)),
    }
}
