//! When to try a failed call again, and how long to wait first.
//!
//! This is the AWS "standard" retry mode (the behaviour every AWS SDK shares):
//! up to `max_attempts` attempts, exponential backoff with full jitter capped
//! at 20 s, and a retry quota so that a broken endpoint is not hammered. The
//! "adaptive" mode adds a client-side rate limiter that slows down when the
//! service throttles. Clock skew is corrected here too: the one failure that a
//! client can fix by itself.
//!
//! Everything in this module is pure: time and randomness are passed in, so
//! the rules are tested without sleeping.

mod clock_skew;
mod quota;
mod rate_limit;

use std::time::Duration;

pub use clock_skew::{ClockSkew, MIN_CORRECTION};
pub use quota::RetryQuota;
pub use rate_limit::RateLimiter;

/// How retries are paced.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryMode {
    /// Backoff with jitter and a retry quota (the AWS default).
    #[default]
    Standard,
    /// Standard, plus a client-side rate limiter that adapts to throttling.
    Adaptive,
}

impl RetryMode {
    /// Parses `AWS_RETRY_MODE` / the profile's `retry_mode`. `legacy` is
    /// accepted and treated as `standard`, as the newer AWS SDKs do.
    pub fn parse(value: &str) -> Option<RetryMode> {
        match value.trim().to_ascii_lowercase().as_str() {
            "standard" | "legacy" => Some(RetryMode::Standard),
            "adaptive" => Some(RetryMode::Adaptive),
            _ => None,
        }
    }
}

/// Retry settings.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Retry mode.
    pub mode: RetryMode,
    /// Attempts per call, the first one included (1 means no retries).
    pub max_attempts: u32,
    /// The base of the exponential backoff: attempt `n`'s delay is drawn
    /// uniformly from `0..=initial_backoff * 2^(n-1)`, capped at `max_backoff`.
    pub initial_backoff: Duration,
    /// The cap on one delay.
    pub max_backoff: Duration,
    /// Whether retries draw from the shared retry quota.
    pub use_quota: bool,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            mode: RetryMode::Standard,
            max_attempts: 3,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(20),
            use_quota: true,
        }
    }
}

impl RetryConfig {
    /// No retries at all: one attempt per call.
    pub fn disabled() -> Self {
        RetryConfig {
            max_attempts: 1,
            ..RetryConfig::default()
        }
    }

    /// Sets the retry mode.
    pub fn with_mode(mut self, mode: RetryMode) -> Self {
        self.mode = mode;
        self
    }

    /// Sets the number of attempts (at least 1).
    pub fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts.max(1);
        self
    }

    /// Sets the backoff base.
    pub fn with_initial_backoff(mut self, initial_backoff: Duration) -> Self {
        self.initial_backoff = initial_backoff;
        self
    }

    /// Sets the cap on one delay.
    pub fn with_max_backoff(mut self, max_backoff: Duration) -> Self {
        self.max_backoff = max_backoff;
        self
    }

    /// Turns the retry quota on or off.
    pub fn with_quota(mut self, use_quota: bool) -> Self {
        self.use_quota = use_quota;
        self
    }

    /// The delay before attempt `attempt + 1`, given the number of attempts
    /// made so far (1 after the first failure) and a uniform random number
    /// in `[0, 1)`.
    pub fn backoff(&self, attempt: u32, random: f64) -> Duration {
        let exp = attempt.saturating_sub(1).min(31);
        let ceiling = self
            .initial_backoff
            .saturating_mul(1u32 << exp)
            .min(self.max_backoff);
        ceiling.mul_f64(random.clamp(0.0, 1.0))
    }
}

/// What failed, as far as the retry rules care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure<'a> {
    /// The service answered with an error: its HTTP status and error code.
    Service {
        /// HTTP status.
        status: u16,
        /// The error code from the body (`Throttling`, `InvalidIdentityToken`, …).
        code: &'a str,
    },
    /// The service answered with a body that could not be decoded.
    Undecodable {
        /// HTTP status.
        status: u16,
    },
    /// The request timed out (connect, read or whole attempt).
    Timeout,
    /// The connection failed or broke (refused, reset, closed early, DNS).
    Connection,
    /// Anything else (a TLS failure, a refused oversized body, …).
    Other,
}

/// How a failure is treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryKind {
    /// The service is throttling: retry with backoff, and (adaptive mode)
    /// slow down.
    Throttling,
    /// A transient server or network failure: retry with backoff.
    Transient,
    /// A timeout: retry with backoff, at a higher quota cost.
    Timeout,
    /// The client's clock is off: correct it, re-sign and retry.
    ClockSkew,
    /// Retrying cannot help.
    NotRetryable,
}

impl RetryKind {
    /// Whether this kind may be retried at all.
    pub fn is_retryable(self) -> bool {
        self != RetryKind::NotRetryable
    }
}

/// Error codes that mean "slow down", across AWS services.
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Error codes for failures on the service's side that a retry may cure.
const TRANSIENT_CODES: &[&str] = &[
    "RequestTimeout",
    "RequestTimeoutException",
    "InternalError",
    "InternalFailure",
    "ServiceUnavailable",
];

/// Error codes that can mean the signing clock is off.
const CLOCK_SKEW_CODES: &[&str] = &[
    "RequestTimeTooSkewed",
    "RequestExpired",
    "RequestInTheFuture",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "AuthFailure",
];

/// HTTP statuses that are transient whatever the body says.
const TRANSIENT_STATUSES: &[u16] = &[500, 502, 503, 504];

/// Classifies a failure of `operation` (its action name).
///
/// Modeled STS errors are never retried, with one exception the AWS SDKs
/// share: `IDPCommunicationError` from `AssumeRoleWithWebIdentity`, which
/// means STS could not reach the identity provider this time.
pub fn classify(operation: &str, failure: Failure<'_>) -> RetryKind {
    match failure {
        Failure::Service { status, code } => {
            if THROTTLING_CODES.contains(&code) || status == 429 {
                RetryKind::Throttling
            } else if CLOCK_SKEW_CODES.contains(&code) {
                RetryKind::ClockSkew
            } else if TRANSIENT_CODES.contains(&code)
                || TRANSIENT_STATUSES.contains(&status)
                || (code == "IDPCommunicationError" && operation == "AssumeRoleWithWebIdentity")
            {
                RetryKind::Transient
            } else {
                RetryKind::NotRetryable
            }
        }
        Failure::Undecodable { status } => {
            if status == 429 {
                RetryKind::Throttling
            } else if TRANSIENT_STATUSES.contains(&status) {
                RetryKind::Transient
            } else {
                RetryKind::NotRetryable
            }
        }
        Failure::Timeout => RetryKind::Timeout,
        Failure::Connection => RetryKind::Transient,
        Failure::Other => RetryKind::NotRetryable,
    }
}

/// A uniform random number in `[0, 1)` for jitter. Jitter only has to
/// decorrelate clients, not resist prediction, so the standard library's
/// randomly keyed hasher over a counter is plenty.
pub fn jitter() -> f64 {
    use std::hash::{BuildHasher, RandomState};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    thread_local! {
        static STATE: RandomState = RandomState::new();
    }
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let bits = STATE.with(|s| s.hash_one(n));
    // 53 random bits make every f64 in [0, 1) with a fixed step reachable.
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_exponentially_and_is_capped() {
        let cfg = RetryConfig::default();
        assert_eq!(cfg.backoff(1, 1.0), Duration::from_secs(1));
        assert_eq!(cfg.backoff(2, 1.0), Duration::from_secs(2));
        assert_eq!(cfg.backoff(4, 1.0), Duration::from_secs(8));
        assert_eq!(cfg.backoff(6, 1.0), Duration::from_secs(20));
        assert_eq!(cfg.backoff(40, 1.0), Duration::from_secs(20));
        assert_eq!(cfg.backoff(3, 0.5), Duration::from_secs(2));
        assert_eq!(cfg.backoff(3, 0.0), Duration::ZERO);
    }

    #[test]
    fn jitter_is_in_range_and_varies() {
        let draws: Vec<f64> = (0..64).map(|_| jitter()).collect();
        assert!(draws.iter().all(|d| (0.0..1.0).contains(d)));
        let first = draws[0];
        assert!(draws.iter().any(|d| *d != first));
    }

    #[test]
    fn classification_follows_the_aws_rules() {
        let svc = |status, code| Failure::Service { status, code };
        assert_eq!(
            classify("AssumeRole", svc(400, "Throttling")),
            RetryKind::Throttling
        );
        assert_eq!(
            classify("AssumeRole", svc(400, "RequestLimitExceeded")),
            RetryKind::Throttling
        );
        assert_eq!(
            classify("AssumeRole", svc(429, "Whatever")),
            RetryKind::Throttling
        );
        assert_eq!(
            classify("AssumeRole", svc(503, "ServiceUnavailable")),
            RetryKind::Transient
        );
        assert_eq!(
            classify("AssumeRole", svc(500, "InternalFailure")),
            RetryKind::Transient
        );
        assert_eq!(
            classify("AssumeRole", svc(400, "RequestTimeout")),
            RetryKind::Transient
        );
        assert_eq!(
            classify("AssumeRole", svc(403, "RequestTimeTooSkewed")),
            RetryKind::ClockSkew
        );
        assert_eq!(
            classify(
                "AssumeRoleWithWebIdentity",
                svc(400, "IDPCommunicationError")
            ),
            RetryKind::Transient
        );
        assert_eq!(
            classify("AssumeRoleWithSAML", svc(400, "IDPCommunicationError")),
            RetryKind::NotRetryable
        );
        for code in [
            "AccessDenied",
            "ValidationError",
            "MalformedPolicyDocument",
            "ExpiredTokenException",
            "InvalidClientTokenId",
        ] {
            assert_eq!(
                classify("AssumeRole", svc(400, code)),
                RetryKind::NotRetryable,
                "{code}"
            );
        }
        assert_eq!(
            classify("GetCallerIdentity", Failure::Undecodable { status: 502 }),
            RetryKind::Transient
        );
        assert_eq!(
            classify("GetCallerIdentity", Failure::Undecodable { status: 200 }),
            RetryKind::NotRetryable
        );
        assert_eq!(classify("X", Failure::Timeout), RetryKind::Timeout);
        assert_eq!(classify("X", Failure::Connection), RetryKind::Transient);
        assert_eq!(classify("X", Failure::Other), RetryKind::NotRetryable);
    }

    #[test]
    fn modes_parse_like_the_cli() {
        assert_eq!(RetryMode::parse("standard"), Some(RetryMode::Standard));
        assert_eq!(RetryMode::parse(" Adaptive "), Some(RetryMode::Adaptive));
        assert_eq!(RetryMode::parse("legacy"), Some(RetryMode::Standard));
        assert_eq!(RetryMode::parse("fast"), None);
    }
}
