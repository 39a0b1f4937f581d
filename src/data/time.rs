//! Timestamps as candle files write them, to milliseconds since the Unix epoch (UTC): epoch
//! numbers in seconds, milliseconds, microseconds or nanoseconds told apart by their size, and
//! ISO 8601 dates (`2024-01-01`, `2024-01-01 00:01`, `2024-01-01T00:01:00.5Z`, `...+02:00`).

/// Epoch numbers below this are seconds (up to the year 5138).
const SECONDS_BELOW: f64 = 1e11;
/// Below this, milliseconds.
const MILLIS_BELOW: f64 = 1e14;
/// Below this, microseconds; from here on, nanoseconds.
const MICROS_BELOW: f64 = 1e17;

/// The unit of an epoch timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Seconds.
    Seconds,
    /// Milliseconds.
    Millis,
    /// Microseconds.
    Micros,
    /// Nanoseconds.
    Nanos,
}

impl Unit {
    /// The unit an epoch number of this size is written in.
    pub fn of(value: f64) -> Unit {
        let v = value.abs();
        if v < SECONDS_BELOW {
            Unit::Seconds
        } else if v < MILLIS_BELOW {
            Unit::Millis
        } else if v < MICROS_BELOW {
            Unit::Micros
        } else {
            Unit::Nanos
        }
    }

    /// How many of this unit make a millisecond, as a divisor (seconds: 1/1000).
    fn per_milli(self) -> f64 {
        match self {
            Unit::Seconds => 1e-3,
            Unit::Millis => 1.0,
            Unit::Micros => 1e3,
            Unit::Nanos => 1e6,
        }
    }

    /// Short name, as in `µs`.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Seconds => "s",
            Unit::Millis => "ms",
            Unit::Micros => "µs",
            Unit::Nanos => "ns",
        }
    }
}

/// An integer epoch timestamp in milliseconds, its unit told by its size; `None` if `text` is
/// no integer.
pub fn epoch_int_ms(text: &str) -> Option<(i64, Unit)> {
    let v = super::number::integer(text)?;
    let unit = Unit::of(v as f64);
    // Every arm stays within i64: seconds are below 1e11 (checked anyway), the others divide.
    let ms = match unit {
        Unit::Seconds => v.checked_mul(1000)?,
        Unit::Millis => v,
        Unit::Micros => v.div_euclid(1000),
        Unit::Nanos => v.div_euclid(1_000_000),
    };
    Some((ms, unit))
}

/// Milliseconds a decimal epoch number may reach either side of the epoch (about 31 million
/// years): far inside `i64`, so no time read saturates or overflows when it is stepped from.
const MAX_DECIMAL_MS: f64 = 1e18;

/// Any epoch number (integer or decimal) in milliseconds; `None` if `text` is no number, or a
/// decimal one beyond [`MAX_DECIMAL_MS`] (`-1e25`), which `as i64` would silently saturate.
pub fn epoch_ms(text: &str) -> Option<i64> {
    if let Some((ms, _)) = epoch_int_ms(text) {
        return Some(ms);
    }
    let v: f64 = text.parse().ok().filter(|v: &f64| v.is_finite())?;
    let ms = (v / Unit::of(v).per_milli()).floor();
    // cannot panic: |ms| < 1e18 < 2^63, so the cast is exact.
    (ms.abs() < MAX_DECIMAL_MS).then_some(ms as i64)
}

/// An ISO 8601 date or date and time in milliseconds since the epoch. Without an offset the
/// time is UTC. `None` if `text` is not such a date.
pub fn iso_ms(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    // cannot panic: every index below is behind a length check (`b` has 10 bytes, `rest` 6).
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut ms = days_from_civil(year, month, day) * 86_400_000;
    let rest = &b[10..];
    if rest.is_empty() {
        return Some(ms);
    }
    if !matches!(rest[0], b'T' | b' ') || rest.len() < 6 || rest[3] != b':' {
        return None;
    }
    let hour = digits(&rest[1..3])?;
    let minute = digits(&rest[4..6])?;
    let mut i = 6;
    let mut second = 0;
    if rest.get(i) == Some(&b':') {
        second = digits(rest.get(i + 1..i + 3)?)?;
        i += 3;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    ms += (hour * 3600 + minute * 60 + second) * 1000;
    if rest.get(i) == Some(&b'.') {
        let start = i + 1;
        let end = start
            + rest[start..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
        if end == start {
            return None;
        }
        let millis = rest[start..end.min(start + 3)]
            .iter()
            .fold(0, |acc, &d| acc * 10 + i64::from(d - b'0'));
        // cannot panic: 1 to 3 fraction digits were read, so the power is 0..=2.
        ms += millis * 10i64.pow(3 - (end.min(start + 3) - start) as u32);
        i = end;
    }
    match &rest[i..] {
        [] | [b'Z'] => Some(ms),
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let offset = (digits(&[*h1, *h2])? * 60 + digits(&[*m1, *m2])?) * 60_000;
            Some(if *sign == b'+' {
                ms - offset
            } else {
                ms + offset
            })
        }
        _ => None,
    }
}

/// The value of ASCII digits; `None` if any byte is no digit.
fn digits(b: &[u8]) -> Option<i64> {
    b.iter().try_fold(0i64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a date in the proleptic Gregorian calendar (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    const JAN_1_2024_MS: i64 = 1_704_067_200_000;

    #[test]
    fn iso_dates_in_every_accepted_spelling_are_utc_milliseconds() {
        for text in [
            "2024-01-01",
            "2024-01-01T00:00:00Z",
            "2024-01-01 00:00:00",
            "2024-01-01T00:00",
            "2024-01-01T02:00:00+02:00",
            "2023-12-31T23:00:00-01:00",
            "2024-01-01T00:00:00.000Z",
        ] {
            assert_eq!(iso_ms(text), Some(JAN_1_2024_MS), "{text}");
        }
        assert_eq!(iso_ms("2024-01-01T00:00:00.5"), Some(JAN_1_2024_MS + 500));
        assert_eq!(iso_ms("2024-03-01"), Some(JAN_1_2024_MS + 60 * 86_400_000));
        assert_eq!(iso_ms("1970-01-01"), Some(0));
    }

    #[test]
    fn a_decimal_epoch_beyond_what_milliseconds_hold_is_no_time() {
        // `as i64` saturated these to i64::MIN and i64::MAX, and the engine's first step back
        // from i64::MIN overflowed.
        for text in ["-1e25", "1e25", "1e300", "-1.7976931348623157e308"] {
            assert_eq!(epoch_ms(text), None, "{text}");
        }
        assert_eq!(epoch_ms("1704067200.5"), Some(JAN_1_2024_MS + 500));
        assert_eq!(epoch_ms("-1e20"), Some(-100_000_000_000_000));
    }

    #[test]
    fn impossible_or_malformed_dates_are_refused() {
        for text in [
            "2024-02-30",
            "2023-02-29",
            "2024-13-01",
            "2024-1-01",
            "2024-01-01T25:00",
            "2024-01-01X00:00",
            "2024-01-01T00:00:00+0200",
            "yesterday",
            "",
        ] {
            assert_eq!(iso_ms(text), None, "{text}");
        }
    }

    #[test]
    fn epoch_numbers_are_read_in_the_unit_their_size_says() {
        assert_eq!(
            epoch_int_ms("1704067200"),
            Some((JAN_1_2024_MS, Unit::Seconds))
        );
        assert_eq!(
            epoch_int_ms("1704067200000"),
            Some((JAN_1_2024_MS, Unit::Millis))
        );
        assert_eq!(
            epoch_int_ms("1704067200000000"),
            Some((JAN_1_2024_MS, Unit::Micros))
        );
        assert_eq!(
            epoch_int_ms("1704067200000000000"),
            Some((JAN_1_2024_MS, Unit::Nanos))
        );
        assert_eq!(epoch_ms("1704067200.25"), Some(JAN_1_2024_MS + 250));
        assert_eq!(epoch_ms("soon"), None);
    }
}
