//! Clock skew correction. SigV4 signatures carry the signing time and STS
//! refuses requests more than 15 minutes off; a laptop with a drifting clock
//! or a VM resumed from suspend then fails every call. When the service's
//! `Date` header shows our clock is off, the client adopts the offset and
//! signs with corrected time from then on.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Offsets smaller than this are noise (network latency, second rounding),
/// not skew worth correcting.
pub const MIN_CORRECTION: Duration = Duration::from_secs(60);

/// The offset between the service's clock and ours, shared by one client.
#[derive(Debug, Default)]
pub struct ClockSkew {
    offset_ms: AtomicI64,
}

impl ClockSkew {
    /// No correction.
    pub fn new() -> Self {
        ClockSkew::default()
    }

    /// The current offset (service minus local), in milliseconds.
    pub fn offset_millis(&self) -> i64 {
        self.offset_ms.load(Ordering::Relaxed)
    }

    /// `local` corrected by the adopted offset.
    pub fn corrected(&self, local: SystemTime) -> SystemTime {
        let offset = self.offset_millis();
        let magnitude = Duration::from_millis(offset.unsigned_abs());
        if offset >= 0 {
            local.checked_add(magnitude).unwrap_or(local)
        } else {
            local.checked_sub(magnitude).unwrap_or(local)
        }
    }

    /// Looks at the server's time for a response received at `local`
    /// (uncorrected). Adopts the new offset and returns `true` when the
    /// corrected clock is at least [`MIN_CORRECTION`] away from the server.
    pub fn observe(&self, server: SystemTime, local: SystemTime) -> bool {
        let corrected = self.corrected(local);
        let off_by = match server.duration_since(corrected) {
            Ok(d) => d,
            Err(e) => e.duration(),
        };
        if off_by < MIN_CORRECTION {
            return false;
        }
        let offset = signed_millis(server) - signed_millis(local);
        self.offset_ms.store(offset, Ordering::Relaxed);
        true
    }
}

fn signed_millis(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_http_date(s: &str) -> Option<SystemTime> {
        crate::DateTime::parse_http_date(s).map(crate::DateTime::to_system_time)
    }

    #[test]
    fn parses_and_formats_imf_fixdate() {
        let t = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(t, UNIX_EPOCH + Duration::from_secs(784_111_777));
        let t = parse_http_date("Mon, 23 Nov 2026 16:34:02 GMT").unwrap();
        assert_eq!(t, UNIX_EPOCH + Duration::from_secs(1_795_451_642));
        assert_eq!(
            crate::DateTime::from_system_time(t).to_http_date(),
            "Mon, 23 Nov 2026 16:34:02 GMT"
        );
        assert_eq!(
            crate::DateTime::from_unix(0, 0).to_http_date(),
            "Thu, 01 Jan 1970 00:00:00 GMT"
        );
        for bad in [
            "",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 25:49:37 GMT",
            "Sun, 6 Nov 1994 08:49:37 GMT ",
            "Sun, 0x Nov 1994 08:49:37 GMT",
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 UTC",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn adopts_large_offsets_only() {
        let skew = ClockSkew::new();
        let local = UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert!(!skew.observe(local + Duration::from_secs(5), local));
        assert_eq!(skew.offset_millis(), 0);
        assert!(skew.observe(local + Duration::from_secs(1200), local));
        assert_eq!(skew.offset_millis(), 1_200_000);
        assert_eq!(skew.corrected(local), local + Duration::from_secs(1200));
        // Once corrected, the same server time is no longer skew.
        assert!(!skew.observe(local + Duration::from_secs(1200), local));
        // A clock ahead of the server.
        assert!(skew.observe(local - Duration::from_secs(900), local));
        assert_eq!(skew.corrected(local), local - Duration::from_secs(900));
    }
}
