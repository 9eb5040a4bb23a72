//! When cached credentials are due for a refresh: the static-stability
//! windows and the other strategies a cache can be configured with.
//!
//! Pure functions of the credentials' expiry and the time: no clock is read
//! here.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// A caller's own rule for when to refresh, given the credentials'
/// expiration, the current time, and how many refreshes in a row have failed.
///
/// Returning `true` starts a refresh by the first caller that sees it while
/// the others keep using the current credentials; once the credentials have
/// expired every caller waits for the refresh regardless of the answer.
pub trait RefreshStrategy: Send + Sync + fmt::Debug {
    /// Whether the credentials should be refreshed now.
    fn should_refresh(&self, expiration: SystemTime, now: SystemTime, retry_count: u32) -> bool;
}

/// How a [`CredentialsCache`](super::CredentialsCache) decides that its
/// credentials are due for a refresh.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub enum Refresh {
    /// The default: an *advisory* window before expiry in which one caller
    /// refreshes while the others keep using the current credentials, then a
    /// *mandatory* window in which callers wait for the refresh. Both are
    /// sized from the credentials' lifetime (see [`RefreshWindows::for_lifetime`])
    /// unless set on the builder.
    #[default]
    StaticStability,
    /// Refresh only once the credentials have expired; callers wait.
    AfterExpiry,
    /// Refresh when the credentials expire within this buffer; callers wait.
    Buffer(Duration),
    /// Refresh at a random moment within `window` before expiry, chosen once
    /// per set of credentials: the chance grows linearly through the window
    /// and is certain at expiry, so a fleet of processes spreads its refreshes
    /// out. One caller refreshes, the others keep the current credentials
    /// until they expire.
    Jittered {
        /// How long before expiry the refresh may happen.
        window: Duration,
    },
    /// The caller's own rule.
    Custom(Arc<dyn RefreshStrategy>),
}

/// The two windows before expiry used by [`Refresh::StaticStability`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefreshWindows {
    /// How long before expiry one caller starts refreshing while the others
    /// keep using the current credentials.
    pub advisory: Duration,
    /// How long before expiry every caller waits for a refresh.
    pub mandatory: Duration,
}

const MINUTE: u64 = 60;

impl RefreshWindows {
    /// The windows for credentials that were valid for `lifetime` when they
    /// were fetched.
    ///
    /// The advisory window follows the table the AWS SDKs share:
    /// - lifetime up to 20 minutes: 5 minutes, but at most half the lifetime,
    ///   so very short-lived credentials are still used before refreshing;
    /// - over 20 and under 90 minutes: 15 minutes;
    /// - 90 minutes or more: 60 minutes.
    ///
    /// The mandatory window is two thirds of the advisory one (15 → 10
    /// minutes for one-hour credentials, as the SDKs do).
    pub fn for_lifetime(lifetime: Duration) -> RefreshWindows {
        let advisory = if lifetime <= Duration::from_secs(20 * MINUTE) {
            Duration::from_secs(5 * MINUTE).min(lifetime / 2)
        } else if lifetime < Duration::from_secs(90 * MINUTE) {
            Duration::from_secs(15 * MINUTE)
        } else {
            Duration::from_secs(60 * MINUTE)
        };
        RefreshWindows::from_advisory(advisory)
    }

    /// An advisory window with the mandatory window at two thirds of it.
    pub fn from_advisory(advisory: Duration) -> RefreshWindows {
        RefreshWindows {
            advisory,
            mandatory: advisory * 2 / 3,
        }
    }
}

/// When a refresh is due for one set of credentials, decided once when they
/// are stored (except for custom strategies, asked on every read).
#[derive(Clone, Debug)]
pub(crate) struct Schedule {
    pub(crate) expiration: SystemTime,
    /// From here one caller refreshes; `None` means ask the custom strategy.
    pub(crate) advisory_at: Option<SystemTime>,
    /// From here every caller waits for a refresh.
    pub(crate) mandatory_at: SystemTime,
    /// The windows, for [`Refresh::StaticStability`].
    pub(crate) windows: Option<RefreshWindows>,
}

/// How urgent a refresh is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Due {
    No,
    Advisory,
    Mandatory,
}

/// The options that shape a [`Schedule`].
#[derive(Clone, Debug, Default)]
pub(crate) struct ScheduleOptions {
    pub(crate) refresh: Refresh,
    pub(crate) advisory: Option<Duration>,
    pub(crate) mandatory: Option<Duration>,
}

impl ScheduleOptions {
    /// The schedule for credentials expiring at `expiration`, fetched at
    /// `now`; `jitter` is a uniform number in `[0, 1)`.
    pub(crate) fn schedule(
        &self,
        expiration: SystemTime,
        now: SystemTime,
        jitter: f64,
    ) -> Schedule {
        let before = |d: Duration| expiration.checked_sub(d).unwrap_or(SystemTime::UNIX_EPOCH);
        match &self.refresh {
            Refresh::StaticStability => {
                let lifetime = expiration.duration_since(now).unwrap_or_default();
                let mut windows = match self.advisory {
                    Some(advisory) => RefreshWindows::from_advisory(advisory),
                    None => RefreshWindows::for_lifetime(lifetime),
                };
                if let Some(mandatory) = self.mandatory {
                    windows.mandatory = mandatory;
                }
                windows.mandatory = windows.mandatory.min(windows.advisory);
                Schedule {
                    expiration,
                    advisory_at: Some(before(windows.advisory)),
                    mandatory_at: before(windows.mandatory),
                    windows: Some(windows),
                }
            }
            Refresh::AfterExpiry => Schedule {
                expiration,
                advisory_at: Some(expiration),
                mandatory_at: expiration,
                windows: None,
            },
            Refresh::Buffer(buffer) => Schedule {
                expiration,
                advisory_at: Some(before(*buffer)),
                mandatory_at: before(*buffer),
                windows: None,
            },
            Refresh::Jittered { window } => Schedule {
                expiration,
                advisory_at: Some(before(window.mul_f64(jitter.clamp(0.0, 1.0)))),
                mandatory_at: expiration,
                windows: None,
            },
            Refresh::Custom(_) => Schedule {
                expiration,
                advisory_at: None,
                mandatory_at: expiration,
                windows: None,
            },
        }
    }

    /// How urgent a refresh of credentials on `schedule` is at `now`.
    pub(crate) fn due(&self, schedule: &Schedule, now: SystemTime, retry_count: u32) -> Due {
        if now >= schedule.mandatory_at {
            return Due::Mandatory;
        }
        let advisory = match (schedule.advisory_at, &self.refresh) {
            (Some(at), _) => now >= at,
            (None, Refresh::Custom(strategy)) => {
                strategy.should_refresh(schedule.expiration, now, retry_count)
            }
            (None, _) => false,
        };
        if advisory { Due::Advisory } else { Due::No }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn windows_follow_the_lifetime_table() {
        assert_eq!(RefreshWindows::for_lifetime(secs(600)).advisory, secs(300));
        assert_eq!(RefreshWindows::for_lifetime(secs(1200)).advisory, secs(300));
        assert_eq!(RefreshWindows::for_lifetime(secs(1230)).advisory, secs(900));
        assert_eq!(RefreshWindows::for_lifetime(secs(3600)).advisory, secs(900));
        assert_eq!(
            RefreshWindows::for_lifetime(secs(3600)).mandatory,
            secs(600)
        );
        assert_eq!(
            RefreshWindows::for_lifetime(secs(5400)).advisory,
            secs(3600)
        );
        assert_eq!(
            RefreshWindows::for_lifetime(secs(21600)).advisory,
            secs(3600)
        );
        // Short-lived credentials are used for half their life first.
        assert_eq!(RefreshWindows::for_lifetime(secs(60)).advisory, secs(30));
        assert_eq!(RefreshWindows::for_lifetime(secs(60)).mandatory, secs(20));
    }

    #[test]
    fn strategies_schedule_as_documented() {
        let now = SystemTime::UNIX_EPOCH + secs(1_000_000);
        let exp = now + secs(3600);
        let opts = |refresh| ScheduleOptions {
            refresh,
            ..ScheduleOptions::default()
        };
        let s = opts(Refresh::AfterExpiry);
        let sched = s.schedule(exp, now, 0.5);
        assert_eq!(s.due(&sched, exp - secs(1), 0), Due::No);
        assert_eq!(s.due(&sched, exp, 0), Due::Mandatory);

        let s = opts(Refresh::Buffer(secs(120)));
        let sched = s.schedule(exp, now, 0.5);
        assert_eq!(s.due(&sched, exp - secs(121), 0), Due::No);
        assert_eq!(s.due(&sched, exp - secs(120), 0), Due::Mandatory);

        let s = opts(Refresh::Jittered { window: secs(600) });
        let sched = s.schedule(exp, now, 0.25);
        assert_eq!(s.due(&sched, exp - secs(151), 0), Due::No);
        assert_eq!(s.due(&sched, exp - secs(150), 0), Due::Advisory);
        assert_eq!(s.due(&sched, exp, 0), Due::Mandatory);
        let early = s.schedule(exp, now, 0.999);
        assert_eq!(s.due(&early, exp - secs(599), 0), Due::Advisory);
    }
}
