//! How numbers are written for people, in every table and Markdown file: thousands grouping,
//! SI suffixes, fixed decimals. The one place each rule is written.

use crate::judge::number;

/// An integer with thousands separators: 5,000,000.
pub fn grouped(n: u64) -> String {
    group_thousands(&n.to_string())
}

/// [`number`] with its whole part grouped in thousands: `1,250,200`, `26.25`, `-1,500`.
pub fn grouped_number(v: f64) -> String {
    let text = number(v);
    let (sign, rest) = text.split_at(usize::from(text.starts_with('-')));
    let (whole, fraction) = rest.split_at(rest.find('.').unwrap_or(rest.len()));
    format!("{sign}{}{fraction}", group_thousands(whole))
}

/// `digits` with a comma before each group of three from the right.
fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A rate with an SI suffix: 52.6M, 812.3k, 950.
pub fn si(v: f64) -> String {
    match v.abs() {
        x if x >= 1e9 => format!("{:.2}G", v / 1e9),
        x if x >= 1e6 => format!("{:.1}M", v / 1e6),
        x if x >= 1e4 => format!("{:.1}k", v / 1e3),
        _ => format!("{v:.0}"),
    }
}

/// A count as people write it: 50k, 5M, else with separators.
pub fn count(n: u64) -> String {
    match n {
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => grouped(n),
    }
}

/// A value with `decimals` places, or `-` when absent.
pub fn fixed(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{v:.decimals$}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(grouped(5_000_000), "5,000,000");
        assert_eq!(grouped(50), "50");
        assert_eq!(si(52_618_806.4), "52.6M");
        assert_eq!(si(812.0), "812");
        assert_eq!(si(20_500.0), "20.5k");
        assert_eq!(fixed(None, 2), "-");
        assert_eq!(
            (count(50_000), count(5_000_000), count(1_234_567)),
            ("50k".into(), "5M".into(), "1,234,567".into())
        );
    }

    #[test]
    fn values_are_grouped_in_thousands() {
        assert_eq!(grouped_number(250_200.0), "250,200");
        assert_eq!(grouped_number(1_012_345.5), "1,012,346");
        assert_eq!(grouped_number(-1500.0), "-1,500");
        assert_eq!(grouped_number(999.0), "999");
        assert_eq!(grouped_number(26.25), "26.25");
    }
}
