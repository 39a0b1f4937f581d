//! `trend`'s output: a table of the change points for people, or JSON for tools.

use serde::Serialize;

use super::{ChangePoint, Level, SeriesTrend, Settings, Status};
use crate::judge::number;
use crate::output::escape::escaped;

/// Version of `trend --format json`'s layout.
pub const TREND_SCHEMA_VERSION: u32 = 1;

/// The text for people: each series with change points under a heading, one line per change
/// point (commits, levels, change, p-value, status), then a headline. Fits 80 columns. Names,
/// commits and digests come from the database, a file anyone may have written: shown escaped.
pub fn table(trends: &[SeriesTrend]) -> String {
    let mut out = String::new();
    for t in trends.iter().filter(|t| !t.change_points.is_empty()) {
        out.push_str(&format!(
            "{} · {} ({} runs)\n",
            escaped(&t.scenario),
            escaped(&t.metric),
            t.points
        ));
        for c in &t.change_points {
            let levels = format!("{} → {}", short_level(&c.before), short_level(&c.after));
            out.push_str(&format!(
                "  {:<16}  {:<21} {:>7}  {:<9}  {}\n",
                escaped(&commits(c)),
                levels,
                c.change_pct.map_or(String::new(), |p| format!("{p:+.1}%")),
                c.p_value.map_or("exact".into(), |p| format!("p {p:.0e}")),
                status(c)
            ));
        }
    }
    out.push_str(&headline(trends));
    out.push('\n');
    out
}

/// A level as the text output shows it: digests cut to 8 characters.
fn short_level(l: &Level) -> String {
    match l {
        Level::Number(v) => number(*v),
        Level::Digest(d) => escaped(&d.chars().take(8).collect::<String>()).into_owned(),
    }
}

/// `trend --format json`: the settings and every series with its change points.
pub fn json(trends: &[SeriesTrend], settings: &Settings) -> String {
    #[derive(Serialize)]
    struct Out<'a> {
        schema_version: u32,
        max_p_value: f64,
        min_points: usize,
        series: &'a [SeriesTrend],
    }
    let out = Out {
        schema_version: TREND_SCHEMA_VERSION,
        max_p_value: settings.max_p_value,
        min_points: settings.min_points,
        series: trends,
    };
    let mut text = serde_json::to_string_pretty(&out).expect("trends serialise to JSON");
    text.push('\n');
    text
}

/// "3 series, 2 change points (1 pending)".
pub fn headline(trends: &[SeriesTrend]) -> String {
    let all = trends.iter().flat_map(|t| &t.change_points);
    let pending = all.clone().filter(|c| c.status == Status::Pending).count();
    let total = all.count();
    let mut text = format!(
        "{} series, {} change point{}",
        trends.len(),
        total,
        if total == 1 { "" } else { "s" }
    );
    if pending > 0 {
        text.push_str(&format!(" ({pending} pending)"));
    }
    text
}

/// "abc1234..def5678": the commit before the change and the first after it.
pub fn commits(c: &ChangePoint) -> String {
    let short = |s: &Option<String>| {
        s.as_deref()
            .map_or("?".to_owned(), |s| s.chars().take(7).collect())
    };
    format!("{}..{}", short(&c.from_commit), short(&c.to_commit))
}

/// A level as written in tables.
pub fn level(l: &Level) -> String {
    match l {
        Level::Number(v) => number(*v),
        Level::Digest(d) => d.clone(),
    }
}

/// "regression", "pending improvement", "changed".
pub fn status(c: &ChangePoint) -> String {
    let direction = match c.direction {
        super::Direction::Regression => "regression",
        super::Direction::Improvement => "improvement",
        super::Direction::Changed => "changed",
    };
    match c.status {
        Status::Change => direction.to_owned(),
        Status::Pending => format!("pending {direction}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trend::Direction;

    #[test]
    fn names_commits_and_digests_from_the_database_are_shown_escaped_in_the_table() {
        let change = ChangePoint {
            index: 1,
            from_commit: Some("\n::error x".into()),
            to_commit: Some("c\u{1b}[2J".into()),
            before: Level::Digest("ab\u{1b}]0;t".into()),
            after: Level::Digest("cd".into()),
            change_pct: None,
            p_value: None,
            status: Status::Change,
            direction: Direction::Changed,
        };
        let trend = SeriesTrend {
            scenario: "btc\u{1b}[2J".into(),
            metric: "m\n::warning::y".into(),
            points: 2,
            latest: Level::Digest("cd".into()),
            change_points: vec![change],
        };
        let text = table(&[trend]);
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(!text.lines().any(|l| l.starts_with("::")), "{text}");
        assert_eq!(text.lines().count(), 3, "heading, change, headline: {text}");
        assert!(
            text.starts_with("btc\\u{1b}[2J · m\\n::warning::y (2 runs)\n"),
            "{text}"
        );
        assert!(text.contains("\\n::erro..c\\u{1b}[2"), "{text}");
        assert!(text.contains("ab\\u{1b}]0;t → cd"), "{text}");
    }
}
