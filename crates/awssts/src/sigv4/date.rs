//! The SigV4 timestamp: `YYYYMMDD'T'HHMMSS'Z'` in UTC.
//!
//! Formatting and parsing are done by hand on a fixed 16-byte buffer: the
//! signer formats one per request, and a calendar library would cost more than
//! the rest of the string building put together.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::Error;

thread_local! {
    static LAST: std::cell::Cell<Option<AmzDate>> = const { std::cell::Cell::new(None) };
}

/// The last second SigV4 can express: 9999-12-31T23:59:59Z.
const MAX_UNIX_SECONDS: u64 = 253_402_300_799;

/// A point in time as SigV4 writes it (`20150830T123600Z`), whole seconds, UTC.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AmzDate {
    unix: u64,
    text: [u8; 16],
}

impl AmzDate {
    /// Converts a system time, dropping sub-second precision.
    ///
    /// Times before 1970 or after the year 9999 cannot be written in SigV4's
    /// format and are refused.
    pub fn from_system_time(time: SystemTime) -> Result<Self, Error> {
        let since_epoch = time
            .duration_since(UNIX_EPOCH)
            .map_err(|_| Error::InvalidTime {
                reason: "the signing time is before 1970-01-01T00:00:00Z",
            })?;
        let unix = since_epoch.as_secs();
        // A client signs many requests within the same second: reuse the
        // last formatted date of this thread rather than format it again.
        if let Some(last) = LAST.get().filter(|d| d.unix == unix) {
            return Ok(last);
        }
        let date = Self::from_unix_seconds(unix)?;
        LAST.set(Some(date));
        Ok(date)
    }

    /// Builds the date for a number of seconds since the Unix epoch.
    pub fn from_unix_seconds(unix: u64) -> Result<Self, Error> {
        if unix > MAX_UNIX_SECONDS {
            return Err(Error::InvalidTime {
                reason: "the signing time is after the year 9999",
            });
        }
        let days = unix / 86_400;
        let rem = unix % 86_400;
        // Dates run from 1970 to 9999 here, so the signed conversions are exact.
        let (year, month, day) = crate::datetime::civil_from_days(days as i64);
        let (year, month, day) = (year as u64, u64::from(month), u64::from(day));
        let (h, m, s) = (rem / 3600, (rem / 60) % 60, rem % 60);
        let mut text = *b"00000000T000000Z";
        put_digits(&mut text[0..4], year);
        put_digits(&mut text[4..6], month);
        put_digits(&mut text[6..8], day);
        put_digits(&mut text[9..11], h);
        put_digits(&mut text[11..13], m);
        put_digits(&mut text[13..15], s);
        Ok(Self { unix, text })
    }

    /// Parses `YYYYMMDDTHHMMSSZ` strictly: every field in range, nothing else.
    pub fn parse(s: &str) -> Result<Self, Error> {
        const BAD: Error = Error::InvalidTime {
            reason: "expected a UTC timestamp of the form YYYYMMDDTHHMMSSZ",
        };
        let b = s.as_bytes();
        if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
            return Err(BAD);
        }
        let num = |r: std::ops::Range<usize>| -> Result<u64, Error> {
            b[r].iter().try_fold(0u64, |acc, &c| {
                if c.is_ascii_digit() {
                    Ok(acc * 10 + u64::from(c - b'0'))
                } else {
                    Err(BAD)
                }
            })
        };
        let (year, month, day) = (num(0..4)?, num(4..6)?, num(6..8)?);
        let (h, m, sec) = (num(9..11)?, num(11..13)?, num(13..15)?);
        if year < 1970
            || !(1..=12).contains(&month)
            || day == 0
            || day > u64::from(crate::datetime::days_in_month(year as u32, month as u32))
            || h > 23
            || m > 59
            || sec > 59
        {
            return Err(BAD);
        }
        let days = crate::datetime::days_from_civil(year as i64, month as u32, day as u32) as u64;
        let unix = days * 86_400 + h * 3600 + m * 60 + sec;
        Self::from_unix_seconds(unix)
    }

    /// The full timestamp, e.g. `20150830T123600Z`.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits, 'T' and 'Z' are ever written into `text`.
        std::str::from_utf8(&self.text).unwrap_or("00000000T000000Z")
    }

    /// The full timestamp as bytes (fixed size, so copies of it compile to
    /// two moves).
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.text
    }

    /// The date part used in the credential scope, e.g. `20150830`.
    pub fn date(&self) -> &str {
        &self.as_str()[..8]
    }

    /// Seconds since the Unix epoch.
    pub fn unix_seconds(&self) -> u64 {
        self.unix
    }

    /// The same instant as a [`SystemTime`].
    pub fn to_system_time(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.unix)
    }
}

impl fmt::Debug for AmzDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for AmzDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn put_digits(out: &mut [u8], mut value: u64) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        let d = AmzDate::from_unix_seconds(1_440_938_160).unwrap();
        assert_eq!(d.as_str(), "20150830T123600Z");
        assert_eq!(d.date(), "20150830");
        assert_eq!(
            AmzDate::from_unix_seconds(0).unwrap().as_str(),
            "19700101T000000Z"
        );
        assert_eq!(
            AmzDate::from_unix_seconds(951_782_400).unwrap().as_str(),
            "20000229T000000Z"
        );
        assert_eq!(
            AmzDate::from_unix_seconds(MAX_UNIX_SECONDS)
                .unwrap()
                .as_str(),
            "99991231T235959Z"
        );
    }

    #[test]
    fn the_per_thread_cache_never_serves_another_second() {
        for secs in [
            1_440_938_160u64,
            1_440_938_160,
            1_440_938_161,
            0,
            1_440_938_160,
        ] {
            let d = AmzDate::from_system_time(UNIX_EPOCH + Duration::from_secs(secs)).unwrap();
            assert_eq!(d, AmzDate::from_unix_seconds(secs).unwrap());
        }
    }

    #[test]
    fn refuses_unrepresentable_times() {
        assert!(AmzDate::from_unix_seconds(MAX_UNIX_SECONDS + 1).is_err());
        let before_epoch = UNIX_EPOCH - Duration::from_secs(1);
        assert!(AmzDate::from_system_time(before_epoch).is_err());
    }

    #[test]
    fn parse_is_strict() {
        for bad in [
            "",
            "20150830T123600",
            "20150830 123600Z",
            "2015083OT123600Z",
            "20151330T123600Z",
            "20150230T123600Z",
            "20150229T000000Z",
            "20150830T243600Z",
            "20150830T126000Z",
            "20150830T123660Z",
            "19691231T235959Z",
            "+0150830T123600Z",
            "２0150830T123600Z",
        ] {
            assert!(AmzDate::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(
            AmzDate::parse("20160229T235959Z").unwrap().as_str(),
            "20160229T235959Z"
        );
    }

    #[test]
    fn round_trips_every_day_for_a_long_time() {
        // Every day from 1970 to 2200, at a varying time of day.
        for day in 0..84_000u64 {
            let unix = day * 86_400 + (day * 7919) % 86_400;
            let d = AmzDate::from_unix_seconds(unix).unwrap();
            assert_eq!(AmzDate::parse(d.as_str()).unwrap().unix_seconds(), unix);
        }
    }
}
