//! Scenario names: the one rule for them (and the symbol rule that shares its characters), and
//! the `--filter` pattern that selects them. A name becomes a folder name under `--out`, so it
//! must not be a path; the same rule is checked where a scenario file is read and where a result
//! file (`bench.json`, `summary.json`) names its scenario, so a name that runs also compares and
//! merges.

/// The longest scenario name, in bytes.
pub const MAX_NAME_LEN: usize = 100;
/// The longest symbol, in bytes.
pub const MAX_SYMBOL_LEN: usize = 32;

/// Names a scenario cannot take: the files of a results folder beside the scenarios' folders
/// (`results::folder` checks that they match its file names).
pub const RESERVED_NAMES: [&str; 2] = ["summary.json", "summary.md"];

/// The name rule in words, as error messages state it.
pub const NAME_RULE: &str =
    "1 to 100 ASCII letters, digits, `-`, `_` or `.`, not starting with `.`, \
     without `..`, and not `summary.json` or `summary.md` (file names of the results folder)";

/// The symbol rule in words.
pub const SYMBOL_RULE: &str = "1 to 32 ASCII letters, digits, `-`, `_` or `.`";

/// What is wrong with `name` as a scenario name ("contains `..`"); `None` for a valid name.
/// `..` anywhere is refused, not only as a whole path part, so that no reader of a result has to
/// think about paths.
pub fn name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("is empty")
    } else if name.len() > MAX_NAME_LEN {
        Some("is longer than 100 characters")
    } else if name.contains('/') || name.contains('\\') {
        Some("contains a path separator")
    } else if name.contains("..") {
        Some("contains `..`")
    } else if name.starts_with('.') {
        Some("starts with `.`")
    } else if name.chars().any(char::is_control) {
        Some("contains a control character")
    } else if RESERVED_NAMES.contains(&name) {
        Some("is a file name of the results folder")
    } else if !plain(name) {
        Some("contains a character other than ASCII letters, digits, `-`, `_` or `.`")
    } else {
        None
    }
}

/// Whether `name` is a valid scenario name ([`NAME_RULE`]).
pub fn valid_name(name: &str) -> bool {
    name_problem(name).is_none()
}

/// Whether `symbol` is a valid symbol ([`SYMBOL_RULE`]).
pub fn valid_symbol(symbol: &str) -> bool {
    (1..=MAX_SYMBOL_LEN).contains(&symbol.len()) && plain(symbol)
}

/// Only ASCII letters, digits, `-`, `_` and `.`.
fn plain(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

/// Whether `name` matches `pattern`: with `*` or `?` in it, a wildcard match of the whole
/// name; otherwise a substring match.
pub fn matches_filter(pattern: &str, name: &str) -> bool {
    if !pattern.contains(['*', '?']) {
        return name.contains(pattern);
    }
    // Greedy matching that backtracks only to the last `*`: O(pattern × name), never exponential.
    // Characters, not bytes, so `?` is one character; `*` is tested first, so a `*` in the
    // pattern is always a wildcard, even against a `*` in the name.
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && p[pi] == '*' {
            (star, mark, pi) = (Some(pi), ni, pi + 1);
        } else if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            (pi, ni) = (pi + 1, ni + 1);
        } else if let Some(s) = star {
            (pi, mark) = (s + 1, mark + 1);
            ni = mark;
        } else {
            return false;
        }
    }
    // cannot panic: pi only grows past an index below p.len(), so pi <= p.len().
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_name_is_valid() {
        for name in ["btc-1m", "ETH_usd.2", "a", &"x".repeat(MAX_NAME_LEN)] {
            assert_eq!(name_problem(name), None, "{name}");
        }
    }

    #[test]
    fn every_broken_rule_has_its_own_words() {
        for (name, problem) in [
            ("", "is empty"),
            (
                &"x".repeat(MAX_NAME_LEN + 1),
                "is longer than 100 characters",
            ),
            ("a/b", "contains a path separator"),
            ("a\\b", "contains a path separator"),
            ("a..b", "contains `..`"),
            (".hidden", "starts with `.`"),
            ("summary.json", "is a file name of the results folder"),
            ("tab\there", "contains a control character"),
            (
                "größe",
                "contains a character other than ASCII letters, digits, `-`, `_` or `.`",
            ),
        ] {
            assert_eq!(name_problem(name), Some(problem), "{name:?}");
        }
    }

    #[test]
    fn a_symbol_is_plain_and_at_most_32_bytes() {
        assert!(valid_symbol("ETH-USD_1.x"));
        assert!(!valid_symbol(""));
        assert!(!valid_symbol(&"A".repeat(MAX_SYMBOL_LEN + 1)));
        assert!(!valid_symbol("BTC/USD"));
    }

    #[test]
    fn filters_match_substrings_or_wildcards() {
        assert!(matches_filter("btc", "runbook-btc-50k"));
        assert!(!matches_filter("eth", "runbook-btc-50k"));
        assert!(matches_filter("btc-*", "btc-5m"));
        assert!(!matches_filter("btc-*", "x-btc-5m"));
        assert!(matches_filter("*-5?", "btc-5m"));
        assert!(matches_filter("*", ""));
        assert!(
            !matches_filter(&"*a".repeat(50), &"a".repeat(40)),
            "no exponential backtracking"
        );
        assert!(
            matches_filter("*", "*x"),
            "a `*` is a wildcard even against a `*`"
        );
        assert!(matches_filter("a*", "a*b"));
        assert!(
            matches_filter("?", "é"),
            "`?` is one character, not one byte"
        );
        assert!(!matches_filter("??", "é"));
    }
}
