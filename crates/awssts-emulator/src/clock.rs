//! The emulator's time: the system clock plus an offset a test moves
//! forward, so credentials can be made to expire without waiting.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// The emulator's clock. Cheap to clone; clones share the offset.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_millis: Arc<AtomicU64>,
}

impl Clock {
    /// A clock at system time (no offset).
    pub fn new() -> Self {
        Self::default()
    }

    /// The emulator's current time.
    pub fn now(&self) -> SystemTime {
        SystemTime::now() + self.offset()
    }

    /// How far ahead of the system clock the emulator is.
    pub fn offset(&self) -> Duration {
        Duration::from_millis(self.offset_millis.load(Ordering::Relaxed))
    }

    /// Moves the emulator's time forward by `by` (it never goes back:
    /// credentials already issued stay consistent).
    pub fn advance(&self, by: Duration) {
        let millis = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        // Saturating: an absurd offset stays absurd instead of wrapping.
        let _ = self
            .offset_millis
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| {
                Some(v.saturating_add(millis))
            });
    }

    /// Seconds since the Unix epoch, emulator time.
    pub fn unix_now(&self) -> u64 {
        unix_seconds(self.now())
    }
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
        clock.advance(Duration::MAX);
        assert_eq!(clock.offset(), Duration::from_millis(u64::MAX));
    }
}
