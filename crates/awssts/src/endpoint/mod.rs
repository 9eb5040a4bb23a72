//! Which URL to send an STS request to, and how to sign it.
//!
//! [`resolve`] runs STS's endpoint rule set (`endpoint-rule-set-1.json` in
//! the model) over [`Params`]: region, FIPS, dual-stack, the legacy global
//! endpoint, and a custom endpoint. The rules and the partition table are
//! compiled into Rust by `awssts-codegen` (`rules.rs` and `partitions.rs`
//! here are generated and checked in); nothing is parsed at run time, and
//! resolving is a few string comparisons plus building the URL.
//!
//! ```
//! use awssts::endpoint::{Params, resolve};
//!
//! let params = Params {
//!     region: Some("cn-north-1".to_owned()),
//!     use_dual_stack: true,
//!     ..Params::default()
//! };
//! let endpoint = resolve(&params)?;
//! assert_eq!(endpoint.url, "https://sts.cn-north-1.api.amazonwebservices.com.cn");
//! # Ok::<(), awssts::endpoint::Error>(())
//! ```

use std::borrow::Cow;
use std::fmt;

mod functions;
#[cfg(test)]
mod partition_tests;
mod partitions;
mod pattern;
mod rules;

/// The inputs of STS's endpoint rules.
///
/// `Params::default()` is what the rule set's own defaults say: no region,
/// no custom endpoint, and FIPS, dual-stack and the legacy global endpoint
/// all off (the generator refuses a rule set whose boolean defaults differ,
/// so this stays true).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params {
    /// The region, e.g. `eu-west-1` (`AWS_REGION`). Needed unless
    /// [`endpoint`](Self::endpoint) is set.
    pub region: Option<String>,
    /// Use the dual-stack (IPv4 and IPv6) endpoint
    /// (`AWS_USE_DUALSTACK_ENDPOINT`).
    pub use_dual_stack: bool,
    /// Use the FIPS endpoint (`AWS_USE_FIPS_ENDPOINT`).
    pub use_fips: bool,
    /// Send requests for the regions that STS historically served from
    /// `sts.amazonaws.com` there, signed for `us-east-1`
    /// (`AWS_STS_REGIONAL_ENDPOINTS=legacy`). Other regions are unaffected.
    pub use_global_endpoint: bool,
    /// A custom endpoint URL that replaces the resolved one
    /// (`AWS_ENDPOINT_URL_STS`), e.g. a local emulator. Cannot be combined
    /// with FIPS or dual-stack.
    pub endpoint: Option<String>,
}

/// Where to send a request and how to sign it.
///
/// STS's rules give no endpoint headers and no properties besides the
/// SigV4 signing name and region; the generator refuses a rule set that
/// does, so nothing they say is dropped here.
///
/// ```
/// use awssts::endpoint::{Params, resolve};
///
/// let endpoint = resolve(&Params {
///     region: Some("eu-west-1".to_owned()),
///     ..Params::default()
/// })?;
/// assert_eq!(endpoint.url, "https://sts.eu-west-1.amazonaws.com");
/// assert_eq!(endpoint.signing_name, "sts");
/// assert_eq!(endpoint.signing_region, "eu-west-1");
///
/// // The legacy global endpoint is signed for us-east-1.
/// let global = resolve(&Params {
///     region: Some("eu-west-1".to_owned()),
///     use_global_endpoint: true,
///     ..Params::default()
/// })?;
/// assert_eq!(global.url, "https://sts.amazonaws.com");
/// assert_eq!(global.signing_region, "us-east-1");
/// # Ok::<(), awssts::endpoint::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// The URL to send requests to, e.g. `https://sts.eu-west-1.amazonaws.com`
    /// (a custom endpoint is passed through as given).
    pub url: String,
    /// The region for the SigV4 credential scope.
    pub signing_region: String,
    /// The service name for the SigV4 credential scope (`sts`).
    pub signing_name: String,
}

/// The signing region when the rules give none and there is no region: a
/// custom endpoint with no region configured. STS's global endpoint and
/// its signing region are in us-east-1, and that is what the AWS SDKs and
/// local emulators (LocalStack, moto, `awssts serve`) assume, so a request
/// signed for it is accepted wherever a region-less setup can work at all.
pub const DEFAULT_SIGNING_REGION: &str = "us-east-1";

/// The service name used when the rules give no signing properties.
const DEFAULT_SIGNING_NAME: &str = "sts";

/// Resolves the endpoint for `params`.
///
/// Errors are the rule set's own (e.g. FIPS with a custom endpoint, or no
/// region), plus two checks the rules leave out: the region must be a DNS
/// label, since it becomes part of a host name, and a custom endpoint must
/// be an `http`/`https` URL without a query.
pub fn resolve(params: &Params) -> Result<Endpoint, Error> {
    if let Some(region) = &params.region
        && !functions::is_valid_host_label(region, false)
    {
        return Err(Error::invalid_region(region));
    }
    if let Some(url) = &params.endpoint
        && functions::parse_url(url).is_none()
    {
        return Err(Error::invalid_endpoint(url));
    }
    let found = rules::resolve(params, partitions::partition)?;
    let (signing_name, signing_region) = match found.sigv4 {
        Some(sigv4) => (sigv4.signing_name, sigv4.signing_region),
        None => (
            DEFAULT_SIGNING_NAME.to_owned(),
            params
                .region
                .clone()
                .unwrap_or_else(|| DEFAULT_SIGNING_REGION.to_owned()),
        ),
    };
    Ok(Endpoint {
        url: found.url,
        signing_region,
        signing_name,
    })
}

/// `aws.partition`, as the generated rules take it.
type PartitionFn = fn(&str) -> Option<&'static functions::Partition>;

/// What the generated rules return: the URL and, when the rule gives them,
/// the SigV4 signing properties from its `authSchemes`.
struct RuleEndpoint {
    url: String,
    sigv4: Option<SigV4>,
}

/// A `sigv4` entry of an endpoint's `authSchemes`.
struct SigV4 {
    signing_name: String,
    signing_region: String,
}

/// Why no endpoint could be resolved.
///
/// [`message`](Self::message) is the rule set's message verbatim (e.g.
/// `Invalid Configuration: FIPS and custom endpoint are not supported`);
/// `Display` adds what to do about it when that is not obvious.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    message: Cow<'static, str>,
}

impl Error {
    /// An `error` rule's message.
    fn rule(message: impl Into<Cow<'static, str>>) -> Self {
        Error {
            message: message.into(),
        }
    }

    /// A tree rule matched but none of its rules did. A well-formed rule set
    /// never gets here; the generator adds it for the compiler's sake.
    fn exhausted() -> Self {
        Error::rule("endpoint rules matched no rule for these parameters (a bug in the rule set)")
    }

    fn invalid_region(region: &str) -> Self {
        Error::rule(format!(
            "Invalid Configuration: region `{region}` is not a valid DNS label \
             (letters, digits and hyphens, e.g. `eu-west-1`)"
        ))
    }

    fn invalid_endpoint(url: &str) -> Self {
        Error::rule(format!(
            "Invalid Configuration: custom endpoint `{url}` is not an http:// or https:// URL \
             with a host and no query (e.g. `http://127.0.0.1:4566`)"
        ))
    }

    /// The message, exactly as the rule set (or the check that failed) words it.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What to do, for the rule set's errors whose message does not say.
    fn hint(&self) -> Option<&'static str> {
        let message = self.message();
        if message == "Invalid Configuration: Missing Region" {
            Some("set AWS_REGION or the region option")
        } else if message.starts_with("Invalid Configuration: FIPS and custom endpoint") {
            Some("unset AWS_USE_FIPS_ENDPOINT / use_fips, or the custom endpoint")
        } else if message.starts_with("Invalid Configuration: Dualstack and custom endpoint") {
            Some("unset AWS_USE_DUALSTACK_ENDPOINT / use_dual_stack, or the custom endpoint")
        } else if message.contains("partition does not support") {
            Some("turn the option off for this region")
        } else {
            None
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = self.hint() {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(r: &str) -> Params {
        Params {
            region: Some(r.to_owned()),
            ..Params::default()
        }
    }

    #[test]
    fn missing_region_says_how_to_set_one() {
        let e = resolve(&Params::default()).unwrap_err();
        assert_eq!(e.message(), "Invalid Configuration: Missing Region");
        assert_eq!(
            e.to_string(),
            "Invalid Configuration: Missing Region (set AWS_REGION or the region option)"
        );
    }

    #[test]
    fn custom_endpoint_without_region_is_signed_for_us_east_1() {
        let e = resolve(&Params {
            endpoint: Some("http://127.0.0.1:4566".to_owned()),
            ..Params::default()
        })
        .unwrap();
        assert_eq!(e.url, "http://127.0.0.1:4566");
        assert_eq!(e.signing_region, "us-east-1");
        assert_eq!(e.signing_name, "sts");
    }

    #[test]
    fn custom_endpoint_with_region_is_signed_for_that_region() {
        let e = resolve(&Params {
            endpoint: Some("https://sts.example.test/".to_owned()),
            ..region("eu-central-1")
        })
        .unwrap();
        assert_eq!(e.url, "https://sts.example.test/");
        assert_eq!(e.signing_region, "eu-central-1");
    }

    #[test]
    fn regions_that_are_not_host_labels_are_refused() {
        for bad in ["", "evil.example/", "us-east-1.", "-us-east-1", "us east 1"] {
            let e = resolve(&region(bad)).unwrap_err();
            assert!(
                e.message().contains("is not a valid DNS label"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn custom_endpoints_that_are_not_urls_are_refused() {
        for bad in [
            "localhost:4566",
            "https://example.com/?a=b",
            "ftp://example.com",
        ] {
            let e = resolve(&Params {
                endpoint: Some(bad.to_owned()),
                ..region("us-east-1")
            })
            .unwrap_err();
            assert!(e.message().contains("custom endpoint"), "{bad}: {e}");
        }
    }

    #[test]
    fn unknown_regions_fall_back_to_the_aws_partition() {
        let e = resolve(&region("xx-foo-1")).unwrap();
        assert_eq!(e.url, "https://sts.xx-foo-1.amazonaws.com");
        assert_eq!(e.signing_region, "xx-foo-1");
    }

    #[test]
    fn fips_in_gov_cloud_is_the_regular_host() {
        let e = resolve(&Params {
            use_fips: true,
            ..region("us-gov-west-1")
        })
        .unwrap();
        assert_eq!(e.url, "https://sts.us-gov-west-1.amazonaws.com");
    }

    #[test]
    fn hints_for_the_configuration_errors() {
        let fips = resolve(&Params {
            use_fips: true,
            endpoint: Some("https://example.com".to_owned()),
            ..region("us-east-1")
        })
        .unwrap_err();
        assert_eq!(
            fips.message(),
            "Invalid Configuration: FIPS and custom endpoint are not supported"
        );
        assert!(fips.to_string().contains("use_fips"), "{fips}");
    }
}
