//! The emulator's time: the system clock plus an offset a test moves
//! forward, so credentials can be made to expire without waiting.
//!
//! The offset is capped at [`Clock::MAX_OFFSET`] and the time at
//! 9999-12-31T23:59:59Z: timestamps past that have no four-digit year, so
//! neither SigV4 dates nor STS's `<Expiration>` could be written, and adding
//! an unbounded offset to a `SystemTime` can overflow (a panic on Windows).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// The emulator's clock. Cheap to clone; clones share the offset.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_millis: Arc<AtomicU64>,
}

/// 9999-12-31T23:59:59Z, the last second with a four-digit year.
const LAST_SECOND: Duration = Duration::from_secs(253_402_300_799);

impl Clock {
    /// The furthest the clock moves ahead of the system clock: 100 years
    /// of 365.25 days.
    pub const MAX_OFFSET: Duration = Duration::from_secs(100 * 31_557_600);

    /// A clock at system time (no offset).
    pub fn new() -> Self {
        Self::default()
    }

    /// The emulator's current time, at most 9999-12-31T23:59:59Z.
    pub fn now(&self) -> SystemTime {
        let last = SystemTime::UNIX_EPOCH + LAST_SECOND;
        SystemTime::now()
            .checked_add(self.offset())
            .map_or(last, |t| t.min(last))
    }

    /// How far ahead of the system clock the emulator is.
    pub fn offset(&self) -> Duration {
        Duration::from_millis(self.offset_millis.load(Ordering::Relaxed))
    }

    /// Moves the emulator's time forward by `by` (it never goes back:
    /// credentials already issued stay consistent). The total offset stops
    /// at [`MAX_OFFSET`](Self::MAX_OFFSET): moving further leaves it there.
    pub fn advance(&self, by: Duration) {
        let max = max_offset_millis();
        let millis = u64::try_from(by.as_millis()).map_or(max, |m| m.min(max));
        let _ = self
            .offset_millis
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| {
                Some(v.saturating_add(millis).min(max))
            });
    }

    /// Seconds since the Unix epoch, emulator time.
    pub fn unix_now(&self) -> u64 {
        unix_seconds(self.now())
    }
}

fn max_offset_millis() -> u64 {
    u64::try_from(Clock::MAX_OFFSET.as_millis()).unwrap_or(u64::MAX)
}

/// Whole seconds since the Unix epoch (0 before it).
pub(crate) fn unix_seconds(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_moves_now_forward_and_is_shared() {
        let clock = Clock::new();
        let copy = clock.clone();
        clock.advance(Duration::from_secs(7200));
        assert_eq!(copy.offset(), Duration::from_secs(7200));
        assert!(copy.now() >= SystemTime::now() + Duration::from_secs(7199));
    }

    #[test]
    fn the_offset_and_the_time_are_capped() {
        let clock = Clock::new();
        clock.advance(Duration::MAX);
        assert_eq!(clock.offset(), Clock::MAX_OFFSET);
        clock.advance(Clock::MAX_OFFSET);
        clock.advance(Duration::from_secs(u64::MAX));
        assert_eq!(clock.offset(), Clock::MAX_OFFSET);
        let year = clock_year(clock.now());
        assert!((2100..=9999).contains(&year), "{year}");
        // Whatever the system clock says, the time keeps four digits.
        let far = Clock::new();
        far.offset_millis.store(u64::MAX, Ordering::Relaxed);
        assert_eq!(
            awssts::DateTime::from_system_time(far.now()).to_string(),
            "9999-12-31T23:59:59Z"
        );
    }

    fn clock_year(t: SystemTime) -> i64 {
        let text = awssts::DateTime::from_system_time(t).to_string();
        text.split('-').next().unwrap().parse().unwrap()
    }
}
