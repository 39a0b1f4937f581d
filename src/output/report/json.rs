//! The summary as JSON for tools: the same document as `summary.json`.

use crate::results::Summary;

/// Renders the summary as pretty-printed JSON.
pub fn render(summary: &Summary) -> String {
    let mut out = serde_json::to_string_pretty(summary).expect("a summary serializes");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::summary;
    use crate::results::Summary;

    #[test]
    fn json_round_trips_into_the_schema() {
        let s = summary();
        let back: Summary = serde_json::from_str(&super::render(&s)).unwrap();
        assert_eq!(back, s);
    }
}
