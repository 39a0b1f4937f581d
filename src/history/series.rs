//! Reading the history back as series: per scenario, its runs in the order they were measured
//! and each metric's values over them.
//!
//! Results are ordered by the time they were measured (then by the order they were added).
//! On `main`, where CI records every merge, that is commit order.

use std::collections::BTreeMap;

use rusqlite::types::Type;
use rusqlite::{params, Row};

use crate::judge::Check;

use super::db::{DbError, History};

/// One recorded result: a run of one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Its row in the database.
    pub id: i64,
    /// The commit measured, if known.
    pub commit: Option<String>,
    /// The branch measured, if known.
    pub branch: Option<String>,
    /// When it was measured (RFC 3339).
    pub started_at: String,
    /// The backtest's fingerprint digest; empty when the engine reported none.
    pub fingerprint: String,
    /// `release` or `debug`.
    pub build_profile: String,
    /// The scenario's verdict.
    pub verdict: String,
}

/// One metric's value in one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Index of the run in [`ScenarioHistory::runs`].
    pub run: usize,
    /// The value (the median, for sampled metrics).
    pub value: f64,
    /// The smallest sample, for sampled metrics.
    pub low: Option<f64>,
    /// The largest sample, for sampled metrics.
    pub high: Option<f64>,
}

/// A scenario's history.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioHistory {
    /// The scenario's name.
    pub scenario: String,
    /// Its runs, oldest first.
    pub runs: Vec<Run>,
    /// Each metric's points, in run order.
    pub metrics: BTreeMap<String, Vec<Point>>,
}

/// Which results to read.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only results measured on this branch.
    pub branch: Option<String>,
    /// Only scenarios whose name matches (`*` and `?` are wildcards, else a substring).
    pub scenario: Option<String>,
}

/// Every scenario's history that `filter` keeps, by scenario name.
///
/// Written for long histories (20 scenarios × 10,000 runs in well under a second): values are
/// read borrowed from SQLite (`get_ref`) and a string is allocated only when it is kept, and
/// the metric rows, which come in result order, are matched to their runs by walking both lists
/// in step instead of through a hash map.
pub fn load(history: &mut History, filter: &Filter) -> Result<Vec<ScenarioHistory>, DbError> {
    // The inner error is a metric value out of range: (result id, metric, value).
    type Loaded = Result<Vec<ScenarioHistory>, (i64, String, f64)>;
    let out = (|| -> rusqlite::Result<Loaded> {
        let conn = history.conn();
        let mut scenarios: Vec<ScenarioHistory> = Vec::new();
        // (result id, scenario index, run index), sorted by id below.
        let mut at: Vec<(i64, usize, usize)> = Vec::new();
        let mut runs = conn.prepare(
            "SELECT id, scenario, git_commit, git_branch, started_at, fingerprint_digest,
                    build_profile, verdict
             FROM result WHERE ?1 IS NULL OR git_branch = ?1
             ORDER BY scenario, started_at, id",
        )?;
        let mut rows = runs.query(params![filter.branch])?;
        let mut skipped: Option<String> = None;
        while let Some(row) = rows.next()? {
            let scenario = text(row, 1)?;
            if skipped.as_deref() == Some(scenario) {
                continue;
            }
            if scenarios.last().is_none_or(|s| s.scenario != scenario) {
                if !filter
                    .scenario
                    .as_deref()
                    .is_none_or(|p| crate::config::matches_filter(p, scenario))
                {
                    skipped = Some(scenario.to_owned());
                    continue;
                }
                scenarios.push(ScenarioHistory {
                    scenario: scenario.to_owned(),
                    runs: Vec::new(),
                    metrics: BTreeMap::new(),
                });
            }
            // cannot panic: a scenario was pushed above unless the last one is this one.
            let s = scenarios.len() - 1;
            let run = Run {
                id: row.get(0)?,
                commit: optional_text(row, 2)?.map(str::to_owned),
                branch: optional_text(row, 3)?.map(str::to_owned),
                started_at: text(row, 4)?.to_owned(),
                fingerprint: optional_text(row, 5)?.unwrap_or_default().to_owned(),
                build_profile: text(row, 6)?.to_owned(),
                verdict: text(row, 7)?.to_owned(),
            };
            at.push((run.id, s, scenarios[s].runs.len()));
            scenarios[s].runs.push(run);
        }
        at.sort_unstable_by_key(|&(id, ..)| id);
        let mut metrics = conn
            .prepare("SELECT result_id, name, value, low, high FROM metric ORDER BY result_id")?;
        let mut rows = metrics.query([])?;
        let mut next = at.iter().peekable();
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            while next.next_if(|&&(run_id, ..)| run_id < id).is_some() {}
            let Some(&&(run_id, s, run)) = next.peek() else {
                break;
            };
            if run_id != id {
                continue;
            }
            let name = text(row, 1)?;
            let point = Point {
                run,
                value: row.get(2)?,
                low: row.get(3)?,
                high: row.get(4)?,
            };
            if let Some(v) = [Some(point.value), point.low, point.high]
                .into_iter()
                .flatten()
                .find(|v| !v.is_finite() || v.abs() > MAX_VALUE)
            {
                return Ok(Err((id, name.to_owned(), v)));
            }
            let series = &mut scenarios[s].metrics;
            match series.get_mut(name) {
                Some(points) => points.push(point),
                None => {
                    series.insert(name.to_owned(), vec![point]);
                }
            }
        }
        for s in &mut scenarios {
            for points in s.metrics.values_mut() {
                points.sort_by_key(|p| p.run);
            }
        }
        Ok(Ok(scenarios))
    })();
    match out.map_err(|e| history.error(e))? {
        Ok(scenarios) => Ok(scenarios),
        Err((id, name, v)) => Err(DbError::Damaged {
            path: history.path().to_owned(),
            problem: format!(
                "result {id}'s `{}` is {v:e}, no measurement (at most {MAX_VALUE:e})",
                crate::output::escape::escaped(&name)
            ),
        }),
    }
}

/// The largest magnitude a metric read back may have. Measurements are far below it (bench.json
/// allows 1e12 candles a second); beyond it, or infinite (SQLite stores `1e999` as infinity),
/// the trend's sums overflow and every point looks like a change.
const MAX_VALUE: f64 = 1e100;

/// Column `i` of `row` as text, borrowed from SQLite.
fn text<'r>(row: &'r Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    row.get_ref(i)?
        .as_str()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e)))
}

/// Column `i` of `row` as text or NULL, borrowed from SQLite.
fn optional_text<'r>(row: &'r Row<'_>, i: usize) -> rusqlite::Result<Option<&'r str>> {
    row.get_ref(i)?
        .as_str_or_null()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e)))
}

/// The budget checks recorded with the result `id`.
pub fn checks(history: &mut History, id: i64) -> Result<Vec<Check>, DbError> {
    let text: String = history
        .conn()
        .query_row("SELECT checks FROM result WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .map_err(|e| history.error(e))?;
    serde_json::from_str(&text).map_err(|e| DbError::Damaged {
        path: history.path().to_owned(),
        problem: format!("the budget checks of result {id} are not readable: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::fixtures::result;
    use crate::history::record::record;

    fn at(time: &str, commit: &str, samples: &[f64]) -> crate::results::ScenarioResult {
        let mut r = result("btc", samples);
        r.measurement.started_at = time.into();
        r.measurement.environment.git_commit = Some(commit.into());
        r
    }

    #[test]
    fn series_come_back_in_measurement_order_with_their_spread() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = History::open(&dir.path().join("h.sqlite"), true).unwrap();
        let late = at("2024-01-02T00:00:00Z", "bbb", &[90.0, 100.0, 110.0]);
        let early = at("2024-01-01T00:00:00Z", "aaa", &[190.0, 200.0, 210.0]);
        let added = record(&mut h, &[late, early]).unwrap();
        assert_eq!(added.added, 2);
        let all = load(&mut h, &Filter::default()).unwrap();
        assert_eq!(all.len(), 1);
        let s = &all[0];
        let commits: Vec<_> = s.runs.iter().map(|r| r.commit.clone().unwrap()).collect();
        assert_eq!(commits, ["aaa", "bbb"]);
        let cps = &s.metrics["candles_per_sec"];
        assert_eq!(
            cps.iter()
                .map(|p| (p.value, p.low, p.high))
                .collect::<Vec<_>>(),
            [
                (200.0, Some(190.0), Some(210.0)),
                (100.0, Some(90.0), Some(110.0))
            ]
        );
        assert_eq!(s.metrics["p95_stage_latency_ms"][1].value, 20.0);
        assert!(checks(&mut h, s.runs[0].id).unwrap().is_empty());
    }

    #[test]
    fn instruction_counts_are_recorded_when_counted() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = History::open(&dir.path().join("h.sqlite"), true).unwrap();
        let mut counted = at("2024-01-01T00:00:00Z", "aaa", &[1.0]);
        counted.measurement.instructions_per_candle = Some(912.5);
        record(
            &mut h,
            &[counted, at("2024-01-02T00:00:00Z", "bbb", &[1.0])],
        )
        .unwrap();
        let all = load(&mut h, &Filter::default()).unwrap();
        let points = &all[0].metrics["instructions_per_candle"];
        assert_eq!(points.len(), 1, "only the run that counted them");
        assert_eq!((points[0].run, points[0].value), (0, 912.5));
    }

    #[test]
    fn an_infinite_or_absurd_metric_in_the_database_is_refused_naming_the_result() {
        // SQLite stores `1e999` as infinity; read back, one such point made the trend's sums
        // overflow and report a change every few points.
        for (value, shown) in [("1e999", "inf"), ("-1e999", "-inf"), ("1e200", "1e200")] {
            let dir = tempfile::tempdir().unwrap();
            let mut h = History::open(&dir.path().join("h.sqlite"), true).unwrap();
            let runs: Vec<_> = (0..3)
                .map(|i| at(&format!("2024-01-0{}T00:00:00Z", i + 1), "aaa", &[10.0]))
                .collect();
            record(&mut h, &runs).unwrap();
            h.conn()
                .execute_batch(&format!(
                    "UPDATE metric SET value = {value} WHERE result_id = 2 AND name = 'candles_per_sec'"
                ))
                .unwrap();
            let e = load(&mut h, &Filter::default()).expect_err("refused");
            assert!(matches!(e, DbError::Damaged { .. }), "{e}");
            assert!(
                e.to_string()
                    .contains(&format!("result 2's `candles_per_sec` is {shown}")),
                "{e}"
            );
        }
    }

    #[test]
    fn adding_the_same_result_twice_keeps_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = History::open(&dir.path().join("h.sqlite"), true).unwrap();
        let r = at("2024-01-01T00:00:00Z", "aaa", &[1.0, 2.0]);
        assert_eq!(record(&mut h, std::slice::from_ref(&r)).unwrap().added, 1);
        let again = record(&mut h, &[r]).unwrap();
        assert_eq!((again.added, again.present), (0, 1));
        let all = load(&mut h, &Filter::default()).unwrap();
        assert_eq!(all[0].runs.len(), 1);
        assert_eq!(all[0].metrics["candles_per_sec"].len(), 1);
    }

    #[test]
    fn metrics_of_a_result_left_out_by_the_filter_stay_out() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = History::open(&dir.path().join("h.sqlite"), true).unwrap();
        let mut feature = at("2024-01-02T00:00:00Z", "bbb", &[20.0]);
        feature.measurement.environment.git_branch = Some("feature".into());
        let first = at("2024-01-01T00:00:00Z", "aaa", &[10.0]);
        let last = at("2024-01-03T00:00:00Z", "ccc", &[30.0]);
        record(&mut h, &[first, feature, last]).unwrap();
        let main = Filter {
            branch: Some("main".into()),
            scenario: None,
        };
        let all = load(&mut h, &main).unwrap();
        let points: Vec<_> = all[0].metrics["candles_per_sec"]
            .iter()
            .map(|p| (p.run, p.value))
            .collect();
        assert_eq!(points, [(0, 10.0), (1, 30.0)]);
    }

    #[test]
    fn filters_keep_one_branch_and_matching_scenarios() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = History::open(&dir.path().join("h.sqlite"), true).unwrap();
        let mut other = result("eth", &[5.0]);
        other.measurement.environment.git_branch = Some("feature".into());
        record(&mut h, &[result("btc", &[5.0]), other]).unwrap();
        let main = Filter {
            branch: Some("main".into()),
            scenario: None,
        };
        let names = |f: &Filter, h: &mut History| -> Vec<String> {
            load(h, f)
                .unwrap()
                .into_iter()
                .map(|s| s.scenario)
                .collect()
        };
        assert_eq!(names(&main, &mut h), ["btc"]);
        let eth = Filter {
            branch: None,
            scenario: Some("e?h".into()),
        };
        assert_eq!(names(&eth, &mut h), ["eth"]);
    }
}
