//! Numbers as candle files write them, read fast and exactly: the plain decimals and integers
//! that make up nearly every field (`42283.58`, `1735689600000000`) are read here, digit by
//! digit; anything else (an exponent, a `+`, many digits, `inf`) goes to the standard library.
//! The result is always the one `str::parse` gives.

/// Powers of ten that are exact in an `f64`.
const POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `text` as a float, exactly as `text.parse::<f64>()` reads it.
pub fn float(text: &str) -> Option<f64> {
    plain_decimal(text.as_bytes()).or_else(|| text.parse().ok())
}

/// `text` as a whole number, exactly as `text.parse::<i64>()` reads it.
pub fn integer(text: &str) -> Option<i64> {
    plain_integer(text.as_bytes()).or_else(|| text.parse().ok())
}

/// `-?digits[.digits]` with at most 19 digits, whose digits as a whole number are at most 2^53
/// and whose fraction has at most 22 digits: that number and the power of ten are exact, so
/// their quotient is the correctly rounded value (Clinger's fast path). `None` for anything
/// else.
fn plain_decimal(text: &[u8]) -> Option<f64> {
    let (negative, body) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let mut mantissa: u64 = 0;
    let mut digits = 0;
    let mut point = None;
    for (i, &c) in body.iter().enumerate() {
        match c {
            b'0'..=b'9' if digits < 19 => {
                // cannot panic: at most 19 digits: below 10^19 < u64::MAX.
                mantissa = mantissa * 10 + u64::from(c - b'0');
                digits += 1;
            }
            b'.' if point.is_none() => point = Some(i),
            _ => return None,
        }
    }
    let fraction = point.map_or(0, |p| body.len() - p - 1);
    if digits == 0 || mantissa > 1 << 53 || fraction >= POWERS_OF_TEN.len() {
        return None;
    }
    let value = mantissa as f64 / POWERS_OF_TEN[fraction];
    Some(if negative { -value } else { value })
}

/// `-?digits` with 1 to 18 digits (which cannot overflow); `None` for anything else.
fn plain_integer(text: &[u8]) -> Option<i64> {
    let (negative, body) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    if body.is_empty() || body.len() > 18 {
        return None;
    }
    let mut value: i64 = 0;
    for &c in body {
        if !c.is_ascii_digit() {
            return None;
        }
        value = value * 10 + i64::from(c - b'0');
    }
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Floats compared bit for bit (so -0.0 is not 0.0), or both absent.
    fn same(a: Option<f64>, b: Option<f64>) -> bool {
        a.map(f64::to_bits) == b.map(f64::to_bits)
    }

    #[test]
    fn plain_decimals_read_as_the_standard_library_reads_them() {
        for text in [
            "42283.58",
            "0.1",
            "-0",
            "-0.0",
            "5.",
            ".5",
            "0000000000000000000001",
            "9007199254740993",
            "9007199254740992.5",
            "1.2345678901234567890123",
            "0.30000000000000004",
            "1e5",
            "+1.5",
            "-",
            ".",
            "",
            "1.2.3",
            "1,5",
            " 1",
            "inf",
            "NaN",
            "12a",
        ] {
            let parsed = text.parse::<f64>().ok();
            assert!(same(float(text), parsed), "{text:?}: {:?}", float(text));
        }
    }

    #[test]
    fn whole_numbers_read_as_the_standard_library_reads_them() {
        for text in [
            "1735689600000000",
            "-1",
            "-0",
            "+7",
            "",
            "-",
            "999999999999999999",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "12.0",
            "1e3",
        ] {
            assert_eq!(integer(text), text.parse::<i64>().ok(), "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn any_decimal_text_reads_as_the_standard_library_reads_it(
            text in "-?[0-9]{0,24}(\\.[0-9]{0,24})?"
        ) {
            let parsed = text.parse::<f64>().ok();
            prop_assert!(same(float(&text), parsed), "{:?}: {:?}", text, float(&text));
        }

        #[test]
        fn any_float_printed_reads_back_as_itself(x in proptest::num::f64::NORMAL) {
            for text in [format!("{x}"), format!("{x:.2}"), format!("{x:.8}")] {
                prop_assert!(same(float(&text), text.parse().ok()), "{}", text);
            }
        }

        #[test]
        fn any_integer_text_reads_as_the_standard_library_reads_it(text in "[-+]?[0-9]{0,21}") {
            prop_assert_eq!(integer(&text), text.parse::<i64>().ok());
        }
    }
}
