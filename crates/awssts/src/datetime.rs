//! Timestamps as STS writes them: RFC 3339 / ISO 8601 in UTC, parsed and
//! printed without a date crate (days are converted with Howard Hinnant's
//! civil-from-days algorithm).

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A point in time with nanosecond precision, as seconds and nanoseconds
/// since the Unix epoch (UTC, leap seconds not counted).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    secs: i64,
    nanos: u32,
}

/// Why a timestamp string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid timestamp: {problem} (expected RFC 3339, e.g. 2026-11-22T12:00:00Z)")]
pub struct DateTimeError {
    problem: &'static str,
}

impl DateTimeError {
    fn new(problem: &'static str) -> Self {
        DateTimeError { problem }
    }
}

const NANOS_PER_SEC: u32 = 1_000_000_000;

impl DateTime {
    /// From seconds and nanoseconds since the Unix epoch; nanoseconds of a
    /// second or more carry into the seconds.
    pub const fn from_unix(secs: i64, nanos: u32) -> DateTime {
        DateTime {
            secs: secs.saturating_add((nanos / NANOS_PER_SEC) as i64),
            nanos: nanos % NANOS_PER_SEC,
        }
    }

    /// From a [`SystemTime`]; times before the epoch are supported.
    pub fn from_system_time(t: SystemTime) -> DateTime {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => DateTime::from_unix(
                i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                d.subsec_nanos(),
            ),
            Err(e) => {
                let d = e.duration();
                let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                if d.subsec_nanos() == 0 {
                    DateTime::from_unix(-secs, 0)
                } else {
                    DateTime::from_unix(-secs - 1, NANOS_PER_SEC - d.subsec_nanos())
                }
            }
        }
    }

    /// As a [`SystemTime`] (saturating at what the platform can represent).
    pub fn to_system_time(self) -> SystemTime {
        if self.secs >= 0 {
            let d = Duration::new(self.secs.unsigned_abs(), self.nanos);
            UNIX_EPOCH.checked_add(d).unwrap_or(UNIX_EPOCH)
        } else {
            let d = Duration::new(self.secs.unsigned_abs(), 0) - Duration::new(0, self.nanos);
            UNIX_EPOCH.checked_sub(d).unwrap_or(UNIX_EPOCH)
        }
    }

    /// Whole seconds since the epoch (rounded towards negative infinity).
    pub const fn unix_seconds(self) -> i64 {
        self.secs
    }

    /// Nanoseconds past [`unix_seconds`](Self::unix_seconds), below 10⁹.
    pub const fn subsec_nanos(self) -> u32 {
        self.nanos
    }

    /// Parses `2011-07-15T23:28:33.359Z`, `2026-11-22T12:00:00Z`,
    /// `2026-11-22T12:00:00+00:00` and the like: any fraction length (digits
    /// past nanoseconds are dropped), `Z` or a `±HH:MM` / `±HHMM` offset.
    pub fn parse(s: &str) -> Result<DateTime, DateTimeError> {
        let b = s.as_bytes();
        let year = digits(b, 0, 4).ok_or(DateTimeError::new("bad year"))?;
        expect(b, 4, b'-')?;
        let month = digits(b, 5, 2).ok_or(DateTimeError::new("bad month"))?;
        expect(b, 7, b'-')?;
        let day = digits(b, 8, 2).ok_or(DateTimeError::new("bad day"))?;
        match b.get(10) {
            Some(b'T' | b't' | b' ') => {}
            _ => return Err(DateTimeError::new("missing 'T' between date and time")),
        }
        let hour = digits(b, 11, 2).ok_or(DateTimeError::new("bad hour"))?;
        expect(b, 13, b':')?;
        let minute = digits(b, 14, 2).ok_or(DateTimeError::new("bad minute"))?;
        expect(b, 16, b':')?;
        let second = digits(b, 17, 2).ok_or(DateTimeError::new("bad second"))?;
        if !(1..=12).contains(&month) {
            return Err(DateTimeError::new("month out of range"));
        }
        if day < 1 || day > days_in_month(year, month) {
            return Err(DateTimeError::new("day out of range"));
        }
        if hour > 23 || minute > 59 || second > 59 {
            return Err(DateTimeError::new("time of day out of range"));
        }
        let mut i = 19;
        let mut nanos: u32 = 0;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            let mut scale = NANOS_PER_SEC;
            while let Some(&c) = b.get(i)
                && c.is_ascii_digit()
            {
                if scale > 1 {
                    scale /= 10;
                    nanos += u32::from(c - b'0') * scale;
                }
                i += 1;
            }
            if i == start {
                return Err(DateTimeError::new("empty fraction of a second"));
            }
        }
        let offset_secs: i64 = match b.get(i) {
            Some(b'Z' | b'z') => {
                i += 1;
                0
            }
            Some(&sign @ (b'+' | b'-')) => {
                let oh = digits(b, i + 1, 2).ok_or(DateTimeError::new("bad offset"))?;
                let mut j = i + 3;
                if b.get(j) == Some(&b':') {
                    j += 1;
                }
                let om = digits(b, j, 2).ok_or(DateTimeError::new("bad offset"))?;
                if oh > 23 || om > 59 {
                    return Err(DateTimeError::new("offset out of range"));
                }
                i = j + 2;
                let off = i64::from(oh) * 3600 + i64::from(om) * 60;
                if sign == b'-' { -off } else { off }
            }
            _ => return Err(DateTimeError::new("missing time zone (Z or ±HH:MM)")),
        };
        if i != b.len() {
            return Err(DateTimeError::new("unexpected text after the time zone"));
        }
        let days = days_from_civil(i64::from(year), month, day);
        let secs =
            days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)
                - offset_secs;
        Ok(DateTime { secs, nanos })
    }
}

fn expect(b: &[u8], at: usize, c: u8) -> Result<(), DateTimeError> {
    if b.get(at) == Some(&c) {
        Ok(())
    } else {
        Err(DateTimeError::new("misplaced or missing separator"))
    }
}

fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let s = b.get(at..at + n)?;
    let mut v = 0u32;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

pub(crate) fn is_leap(y: u32) -> bool {
    y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400))
}

pub(crate) fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

impl DateTime {
    /// Parses an HTTP `Date` header value (IMF-fixdate,
    /// `Sun, 06 Nov 1994 08:49:37 GMT`, the only form servers may send).
    /// `None` for anything else: a header that cannot be read is simply not
    /// used.
    pub fn parse_http_date(value: &str) -> Option<DateTime> {
        let b = value.trim().as_bytes();
        if b.len() != 29 || b.get(3..5)? != b", " || b.get(25..)? != b" GMT" {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let s = b.get(r)?;
            if !s.iter().all(u8::is_ascii_digit) {
                return None;
            }
            std::str::from_utf8(s).ok()?.parse().ok()
        };
        let month = MONTHS
            .iter()
            .position(|m| b.get(8..11) == Some(m.as_bytes()))? as u32
            + 1;
        let (day, year) = (num(5..7)?, num(12..16)?);
        let (hour, min, sec) = (num(17..19)?, num(20..22)?, num(23..25)?);
        if [b[7], b[11], b[16], b[19], b[22]] != [b' ', b' ', b' ', b':', b':'] {
            return None;
        }
        if day == 0 || day > days_in_month(year, month) || hour > 23 || min > 59 || sec > 60 {
            return None;
        }
        let days = days_from_civil(i64::from(year), month, day);
        Some(DateTime::from_unix(
            days * 86_400 + i64::from(hour * 3600 + min * 60 + sec),
            0,
        ))
    }

    /// Formats as an HTTP `Date` header value (IMF-fixdate).
    pub fn to_http_date(self) -> String {
        let days = self.secs.div_euclid(86_400);
        let sod = self.secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        // 1970-01-01 was a Thursday.
        let weekday = WEEKDAYS[days.rem_euclid(7) as usize];
        let month = MONTHS[(m - 1) as usize];
        format!(
            "{weekday}, {d:02} {month} {y:04} {:02}:{:02}:{:02} GMT",
            sod / 3600,
            sod % 3600 / 60,
            sod % 60
        )
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];

impl fmt::Display for DateTime {
    /// RFC 3339 in UTC with `Z`; the fraction only when non-zero (3 digits
    /// for whole milliseconds, else the shortest exact form).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.secs.div_euclid(86_400);
        let sod = self.secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            sod / 3600,
            sod / 60 % 60,
            sod % 60
        )?;
        if self.nanos != 0 {
            if self.nanos.is_multiple_of(1_000_000) {
                write!(f, ".{:03}", self.nanos / 1_000_000)?;
            } else {
                let mut n = self.nanos;
                let mut width = 9;
                while n.is_multiple_of(10) {
                    n /= 10;
                    width -= 1;
                }
                write!(f, ".{n:0width$}")?;
            }
        }
        f.write_str("Z")
    }
}

impl std::str::FromStr for DateTime {
    type Err = DateTimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DateTime::parse(s)
    }
}

impl From<SystemTime> for DateTime {
    fn from(t: SystemTime) -> Self {
        DateTime::from_system_time(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_what_sts_and_the_cli_write() {
        let t = DateTime::parse("2011-07-15T23:28:33.359Z").unwrap();
        assert_eq!(t.unix_seconds(), 1_310_772_513);
        assert_eq!(t.subsec_nanos(), 359_000_000);
        assert_eq!(t.to_string(), "2011-07-15T23:28:33.359Z");
        let a = DateTime::parse("2026-11-22T12:00:00Z").unwrap();
        let b = DateTime::parse("2026-11-22T12:00:00+00:00").unwrap();
        let c = DateTime::parse("2026-11-22T14:30:00+02:30").unwrap();
        let d = DateTime::parse("2026-11-22T11:00:00-0100").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a, d);
        assert_eq!(a.to_string(), "2026-11-22T12:00:00Z");
        let e = DateTime::parse("1970-01-01T00:00:00.1234567891234Z").unwrap();
        assert_eq!(e, DateTime::from_unix(0, 123_456_789));
        assert_eq!(e.to_string(), "1970-01-01T00:00:00.123456789Z");
        assert_eq!(
            DateTime::from_unix(0, 120_000).to_string(),
            "1970-01-01T00:00:00.00012Z"
        );
        assert_eq!(
            DateTime::from_unix(-1, 500_000_000).to_string(),
            "1969-12-31T23:59:59.500Z"
        );
    }

    #[test]
    fn rejects_malformed_strings() {
        for s in [
            "",
            "2026",
            "2026-11-22",
            "2026-11-22T12:00:00",
            "2026-13-01T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "2026-11-22T24:00:00Z",
            "2026-11-22T12:00:00.Z",
            "2026-11-22T12:00:00Zjunk",
            "2026-11-22T12:00:00+25:00",
            "2026-11-22T12:00:00+01",
            "２026-11-22T12:00:00Z",
        ] {
            assert!(DateTime::parse(s).is_err(), "{s:?} should be rejected");
        }
        assert!(DateTime::parse("2024-02-29T00:00:00Z").is_ok());
    }

    #[test]
    fn system_time_round_trip() {
        let t = UNIX_EPOCH - Duration::new(5, 250);
        let d = DateTime::from_system_time(t);
        assert_eq!(d.unix_seconds(), -6);
        assert_eq!(d.subsec_nanos(), 999_999_750);
        assert_eq!(d.to_system_time(), t);
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(
            secs in -62_135_596_800i64..253_402_300_799,
            nanos in prop_oneof![Just(0u32), (0u32..1000).prop_map(|m| m * 1_000_000), 0u32..1_000_000_000],
        ) {
            let t = DateTime::from_unix(secs, nanos);
            prop_assert_eq!(DateTime::parse(&t.to_string()), Ok(t));
        }

        #[test]
        fn arbitrary_strings_never_panic(s in "\\PC{0,40}") {
            let _ = DateTime::parse(&s);
        }

        #[test]
        fn near_valid_strings_never_panic(s in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9:]{8}(\\.[0-9]{0,12})?([Zz]|[+-][0-9:]{2,5})?.{0,2}") {
            let _ = DateTime::parse(&s);
        }
    }
}
