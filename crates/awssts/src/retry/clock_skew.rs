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

/// Parses an HTTP `Date` header (IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`,
/// the only form servers may send). Anything else is `None`: a header we
/// cannot read is simply not used for correction.
pub fn parse_http_date(value: &str) -> Option<SystemTime> {
    let b = value.trim().as_bytes();
    if b.len() != 29 || &b[3..5] != b", " || &b[25..] != b" GMT" {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u64> {
        let s = b.get(r)?;
        if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(s).ok()?.parse().ok()
    };
    let day = num(5..7)?;
    let month = match b.get(8..11)? {
        b"Jan" => 1,
        b"Feb" => 2,
        b"Mar" => 3,
        b"Apr" => 4,
        b"May" => 5,
        b"Jun" => 6,
        b"Jul" => 7,
        b"Aug" => 8,
        b"Sep" => 9,
        b"Oct" => 10,
        b"Nov" => 11,
        b"Dec" => 12,
        _ => return None,
    };
    let year = num(12..16)?;
    let (hour, min, sec) = (num(17..19)?, num(20..22)?, num(23..25)?);
    if b[7] != b' ' || b[11] != b' ' || b[16] != b' ' || b[19] != b':' || b[22] != b':' {
        return None;
    }
    if !(1..=31).contains(&day) || hour > 23 || min > 59 || sec > 60 || year < 1970 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + min * 60 + sec;
    UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (year ≥ 1970).
fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_imf_fixdate() {
        let t = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(t, UNIX_EPOCH + Duration::from_secs(784_111_777));
        let t = parse_http_date("Mon, 23 Nov 2026 16:34:02 GMT").unwrap();
        assert_eq!(t, UNIX_EPOCH + Duration::from_secs(1_795_451_642));
        for bad in [
            "",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 25:49:37 GMT",
            "Sun, 6 Nov 1994 08:49:37 GMT ",
            "Sun, 0x Nov 1994 08:49:37 GMT",
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
