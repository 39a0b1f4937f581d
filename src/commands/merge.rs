//! `perfsuite merge DIR... --out DIR`: one result set from the result sets of CI shards.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::cli::MergeArgs;
use crate::commands::run::write_result_set;
use crate::compare::load_result_set;
use crate::config::name_problem;
use crate::environment::Environment;
use crate::error::{Error, EXIT_OK};
use crate::judge::Verdict;
use crate::output::escape::{escaped, shown};
use crate::results::folder::{ResultsFolder, SUMMARY_JSON};
use crate::results::lock::Lock;
use crate::results::{newer_schema, ScenarioResult, Summary, SummaryRow, SCHEMA_VERSION};

/// Runs the command.
pub fn merge(args: MergeArgs) -> Result<u8, Error> {
    let out_abs = absolute(&args.out);
    let mut results: Vec<ScenarioResult> = Vec::new();
    let mut errors: Vec<SummaryRow> = Vec::new();
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    // The shard of each result, in step with `results`.
    let mut shards: Vec<&Path> = Vec::new();
    let (mut started_at, mut duration_s) = (None::<String>, 0.0f64);
    for dir in &args.dirs {
        if absolute(dir) == out_abs {
            return Err(Error::Input(format!(
                "--out {} is also an input: merge into a new folder",
                args.out.display()
            )));
        }
        let summary = read_summary(dir)?;
        let mut claim = |scenario: &str| match seen.insert(scenario.to_owned(), dir.clone()) {
            Some(other) => Err(Error::Input(format!(
                "scenario `{scenario}` is in two shards: {} and {}",
                other.display(),
                dir.display()
            ))),
            None => Ok(()),
        };
        // Only what the shard's summary lists: a stray bench.json never slips in.
        let set = if summary
            .scenarios
            .iter()
            .any(|r| r.verdict != Verdict::Error)
        {
            Some(load_result_set(dir)?)
        } else {
            None
        };
        for row in &summary.scenarios {
            claim(&row.scenario)?;
            if row.verdict == Verdict::Error {
                errors.push(row.clone());
                continue;
            }
            let result = set
                .as_ref()
                .and_then(|s| s.get(&row.scenario))
                .ok_or_else(|| {
                    Error::Input(format!(
                        "{}: summary lists `{}` but its bench.json is missing",
                        dir.display(),
                        row.scenario
                    ))
                })?;
            results.push(result.clone());
            shards.push(dir);
        }
        started_at = Some(started_at.map_or(summary.started_at.clone(), |s| {
            s.min(summary.started_at.clone())
        }));
        duration_s = duration_s.max(summary.duration_s);
    }
    for difference in differences(&results, &shards) {
        if args.strict {
            return Err(Error::Input(format!(
                "{difference}: --strict merges only shards of one build on one machine"
            )));
        }
        crate::say!("warning: {difference}: their numbers are not comparable");
    }
    let lock = Lock::acquire(&args.out)?;
    let mut names: Vec<&str> = results.iter().map(|r| r.scenario.as_str()).collect();
    names.extend(errors.iter().map(|r| r.scenario.as_str()));
    let folder = ResultsFolder::prepare(&lock, &args.out, &names)?;
    let summary = write_result_set(
        &folder,
        &results,
        &errors,
        started_at.as_deref().unwrap_or_default(),
        duration_s,
    )?;
    crate::output::print_stdout(&format!(
        "merged {} shard{} into {}: {}\n",
        args.dirs.len(),
        if args.dirs.len() == 1 { "" } else { "s" },
        crate::output::escape::shown(&args.out),
        crate::output::report::headline(&summary.counts)
    ))?;
    Ok(EXIT_OK)
}

/// What sets the shards' results apart that makes their numbers incomparable, one line per key:
/// the commit measured, the build profile and the machine (CPU model, core count), as
/// `compare` reports between base and head. Each distinct value is named with the first shard
/// that has it.
fn differences(results: &[ScenarioResult], shards: &[&Path]) -> Vec<String> {
    type Key = fn(&Environment) -> String;
    let keys: [(&str, Key); 4] = [
        ("git_commit", |e| {
            e.git_commit.clone().unwrap_or_else(|| "unknown".into())
        }),
        ("build_profile", |e| e.build_profile.clone()),
        ("cpu", |e| e.cpu.clone()),
        ("cores", |e| e.cores.to_string()),
    ];
    let mut out = Vec::new();
    for (key, value_of) in keys {
        let mut values: Vec<(String, &Path)> = Vec::new();
        for (result, shard) in results.iter().zip(shards) {
            let value = value_of(&result.measurement.environment);
            if !values.iter().any(|(v, _)| *v == value) {
                values.push((value, shard));
            }
        }
        if values.len() > 1 {
            let listed: Vec<String> = values
                .iter()
                .map(|(v, shard)| format!("`{}` in {}", escaped(v), shown(shard)))
                .collect();
            out.push(format!(
                "the shards differ in `{key}`: {}",
                listed.join(", ")
            ));
        }
    }
    out
}

/// A shard's summary.json: what makes a folder a result set written by `run`.
fn read_summary(dir: &Path) -> Result<Summary, Error> {
    let path = dir.join(SUMMARY_JSON);
    let unreadable = |e| {
        Error::Input(format!(
            "{} is not a result set: cannot read {SUMMARY_JSON}: {e}",
            dir.display()
        ))
    };
    // Bytes, not a String: a file that is not UTF-8 is invalid JSON, not unreadable. A regular
    // file only, capped while reading: a FIFO or `/dev/zero` here must not hang or exhaust us.
    let text = crate::input::read_input(&path).map_err(unreadable)?;
    let invalid = |e: serde_json::Error| Error::Input(format!("{}: {e}", path.display()));
    let value: serde_json::Value = serde_json::from_slice(&text).map_err(invalid)?;
    if let Some(found) = newer_schema(&value) {
        return Err(Error::Input(format!(
            "{}: written by a newer perfsuite (schema_version {found}; this perfsuite reads \
             up to {SCHEMA_VERSION}): upgrade perfsuite to merge it",
            path.display()
        )));
    }
    let summary: Summary = serde_json::from_slice(&text).map_err(invalid)?;
    // Names become folder names of the merged set: a summary is as untrusted as a bench.json.
    if let Some((name, problem)) = summary
        .scenarios
        .iter()
        .find_map(|r| name_problem(&r.scenario).map(|p| (&r.scenario, p)))
    {
        return Err(Error::Input(format!(
            "{}: `scenarios[].scenario` {name:?} {problem}: a scenario name must be a plain \
             name, as it names a folder of results",
            path.display()
        )));
    }
    if summary.interrupted {
        return Err(Error::Input(format!(
            "{}: that run was interrupted; rerun the shard before merging",
            path.display()
        )));
    }
    Ok(summary)
}

fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_owned())
    })
}
