//! The JSON an external engine prints on stdout: the runbook's object, versioned. Every field
//! is checked by hand rather than by serde, so that an error names the field by its full path
//! (`candles_per_sec.median`) and says what was expected and what came instead.
//!
//! Protocol 1 (see docs/external-engines.md): `candles_per_sec` {min, median, p95, samples?}
//! is required; `p95_stage_latency_ms`, `peak_rss_mb`, `fingerprint` and `stages` are optional
//! (null or absent: not measured); `protocol`, `candles`, `repeats`, `seed` and `symbol` are
//! optional echoes, checked against what was asked. Any other key is refused.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::compare::MAX_CANDLES_PER_SEC;
use crate::engine::fingerprint::Fingerprint;
use crate::results::StageStats;

/// The newest protocol this perfsuite reads.
pub const PROTOCOL: u64 = 1;

/// The most samples one report may hold: a scenario's most repeats. With at most as many
/// invocations, the samples of a measurement fit a `u32` count.
pub const MAX_SAMPLES: usize = *crate::config::REPEATS.end() as usize;

/// The top-level keys of protocol 1.
const KEYS: [&str; 10] = [
    "protocol",
    "candles",
    "repeats",
    "seed",
    "symbol",
    "candles_per_sec",
    "p95_stage_latency_ms",
    "peak_rss_mb",
    "fingerprint",
    "stages",
];

/// What the engine was asked to do, to check its echoes against.
#[derive(Debug, Clone, PartialEq)]
pub struct Asked {
    /// `--candles`, if it was passed.
    pub candles: Option<u64>,
    /// `--repeats`.
    pub repeats: u32,
    /// `--seed`.
    pub seed: u64,
    /// `--symbol`.
    pub symbol: String,
}

/// A valid report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The candles the engine says it backtested, if it says.
    pub candles: Option<u64>,
    /// Throughput samples: `samples` when given, else the median alone.
    pub samples: Vec<f64>,
    /// The largest stage p95: as given, else the largest of `stages`' p95.
    pub p95_stage_latency_ms: Option<f64>,
    /// The engine's own peak-memory figure, in MiB.
    pub peak_rss_mb: Option<f64>,
    /// The backtest's results, if the engine reports them.
    pub fingerprint: Option<Fingerprint>,
    /// Per-stage latencies.
    pub stages: BTreeMap<String, StageStats>,
}

/// Reads and checks an engine's stdout. The error names the field at fault.
pub fn parse(stdout: &[u8], asked: &Asked) -> Result<Report, String> {
    let text = String::from_utf8_lossy(stdout);
    if text.trim().is_empty() {
        return Err("printed nothing on stdout; expected one JSON object".to_owned());
    }
    let value: Value = serde_json::from_str(text.trim())
        .map_err(|e| format!("printed no valid JSON on stdout ({e}): {}", excerpt(&text)))?;
    let Value::Object(top) = value else {
        return Err(format!(
            "printed JSON that is not an object: {}",
            excerpt(&text)
        ));
    };
    let protocol = match top.get("protocol") {
        None => PROTOCOL,
        Some(v) => v
            .as_u64()
            .filter(|&p| p >= 1)
            .ok_or_else(|| format!("`protocol` must be a whole number from 1, got {v}"))?,
    };
    if protocol > PROTOCOL {
        return Err(format!(
            "speaks protocol {protocol}, newer than this perfsuite reads ({PROTOCOL}): \
             upgrade perfsuite, or have the engine print protocol {PROTOCOL}"
        ));
    }
    if let Some(key) = top.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(format!(
            "printed an unknown field `{key}`; protocol {PROTOCOL} has: {}",
            KEYS.join(", ")
        ));
    }
    check_echoes(&top, asked)?;
    let (samples, median) = throughput(&top)?;
    let stages = stages(top.get("stages"))?;
    let p95_stage_latency_ms = optional_number(&top, "p95_stage_latency_ms")?
        .or_else(|| stages.values().map(|s| s.p95_ms).max_by(f64::total_cmp));
    Ok(Report {
        candles: top.get("candles").and_then(Value::as_u64),
        samples: samples.unwrap_or_else(|| vec![median]),
        p95_stage_latency_ms,
        peak_rss_mb: optional_number(&top, "peak_rss_mb")?,
        fingerprint: fingerprint(top.get("fingerprint"))?,
        stages,
    })
}

/// The start of what was printed, for an error message.
fn excerpt(text: &str) -> String {
    let line: String = text.trim().chars().take(80).collect();
    format!("{line:?}")
}

/// The echoed `candles`, `repeats`, `seed` and `symbol` must be what was asked.
fn check_echoes(top: &Map<String, Value>, asked: &Asked) -> Result<(), String> {
    let wanted: [(&str, Option<Value>); 4] = [
        ("candles", asked.candles.map(Value::from)),
        ("repeats", Some(asked.repeats.into())),
        ("seed", Some(asked.seed.into())),
        ("symbol", Some(asked.symbol.clone().into())),
    ];
    for (key, want) in wanted {
        let Some(got) = top.get(key) else { continue };
        let fits = if key == "symbol" {
            got.is_string()
        } else {
            got.as_u64().is_some_and(|n| n >= 1 || key == "seed")
        };
        if !fits {
            let kind = if key == "symbol" {
                "a string"
            } else {
                "a whole number"
            };
            return Err(format!("`{key}` must be {kind}, got {got}"));
        }
        if let Some(want) = want.filter(|w| w != got) {
            return Err(format!(
                "`{key}` is {got}, but the engine was asked for {want}: does it read --{key}?"
            ));
        }
    }
    Ok(())
}

/// `candles_per_sec`: the samples if given, and the median.
fn throughput(top: &Map<String, Value>) -> Result<(Option<Vec<f64>>, f64), String> {
    let Some(value) = top.get("candles_per_sec") else {
        return Err("printed no `candles_per_sec`: it must be {min, median, p95}".to_owned());
    };
    let Value::Object(cps) = value else {
        return Err(format!(
            "`candles_per_sec` must be an object {{min, median, p95}}, got {value}"
        ));
    };
    if let Some(key) = cps
        .keys()
        .find(|k| !["min", "median", "p95", "samples"].contains(&k.as_str()))
    {
        return Err(format!(
            "printed an unknown field `candles_per_sec.{key}`; it has min, median, p95, samples"
        ));
    }
    let mut stats = [0.0; 3];
    for (slot, key) in stats.iter_mut().zip(["min", "median", "p95"]) {
        let v = cps
            .get(key)
            .ok_or_else(|| format!("printed no `candles_per_sec.{key}`"))?;
        *slot = rate(v, key)?;
    }
    let [min, median, p95] = stats;
    if !(min <= median && median <= p95) {
        return Err(format!(
            "`candles_per_sec` must have min <= median <= p95, got {min}, {median}, {p95}"
        ));
    }
    let samples = match cps.get("samples") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) if items.len() > MAX_SAMPLES => {
            return Err(format!(
                "`candles_per_sec.samples` holds {} samples; at most {MAX_SAMPLES}, one a repeat",
                items.len()
            ))
        }
        Some(Value::Array(items)) if !items.is_empty() => Some(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| rate(v, &format!("samples[{i}]")))
                .collect::<Result<Vec<f64>, String>>()?,
        ),
        Some(v) => {
            return Err(format!(
                "`candles_per_sec.samples` must be a non-empty array of numbers, got {v}"
            ))
        }
    };
    Ok((samples, median))
}

/// `candles_per_sec.KEY`: a number greater than 0 and at most what a bench.json may hold, so
/// that sums of samples stay finite.
fn rate(v: &Value, key: &str) -> Result<f64, String> {
    let x = v
        .as_f64()
        .filter(|x| x.is_finite() && *x > 0.0)
        .ok_or_else(|| {
            format!("`candles_per_sec.{key}` must be a number greater than 0, got {v}")
        })?;
    if x > MAX_CANDLES_PER_SEC {
        return Err(format!(
            "`candles_per_sec.{key}` is {x:e}: more than {MAX_CANDLES_PER_SEC:e} candles a second \
             is no measurement"
        ));
    }
    Ok(x)
}

fn non_negative(v: &Value) -> Option<f64> {
    v.as_f64().filter(|x| x.is_finite() && *x >= 0.0)
}

/// A number >= 0 or null (or absent).
fn optional_number(top: &Map<String, Value>, key: &str) -> Result<Option<f64>, String> {
    match top.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => non_negative(v)
            .map(Some)
            .ok_or_else(|| format!("`{key}` must be a number of at least 0, or null, got {v}")),
    }
}

/// `fingerprint`: {trades, final_equity, digest} and optionally max_drawdown (0 when not
/// printed), or null.
fn fingerprint(value: Option<&Value>) -> Result<Option<Fingerprint>, String> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let Value::Object(f) = value else {
        return Err(format!(
            "`fingerprint` must be an object {{trades, final_equity, digest}} or null, got {value}"
        ));
    };
    if let Some(key) = f
        .keys()
        .find(|k| !["trades", "final_equity", "max_drawdown", "digest"].contains(&k.as_str()))
    {
        return Err(format!(
            "printed an unknown field `fingerprint.{key}`; it has trades, final_equity, \
             max_drawdown, digest"
        ));
    }
    let field = |key: &str| {
        f.get(key)
            .ok_or_else(|| format!("printed no `fingerprint.{key}`"))
    };
    let trades = field("trades")?;
    let equity = field("final_equity")?;
    let digest = field("digest")?;
    let max_drawdown = match f.get("max_drawdown") {
        None => 0.0,
        Some(v) => non_negative(v).ok_or_else(|| {
            format!("`fingerprint.max_drawdown` must be a number of at least 0, got {v}")
        })?,
    };
    Ok(Some(Fingerprint {
        trades: trades
            .as_u64()
            .ok_or_else(|| format!("`fingerprint.trades` must be a whole number, got {trades}"))?,
        final_equity: equity.as_f64().filter(|x| x.is_finite()).ok_or_else(|| {
            format!("`fingerprint.final_equity` must be a finite number, got {equity}")
        })?,
        max_drawdown,
        digest: digest
            .as_str()
            .filter(|d| (1..=128).contains(&d.len()) && !d.contains(char::is_control))
            .ok_or_else(|| {
                format!(
                    "`fingerprint.digest` must be a string of 1 to 128 characters, got {digest}"
                )
            })?
            .to_owned(),
    }))
}

/// `stages`: stage name to {p50_ms, p95_ms, max_ms, total_ms}, or null.
fn stages(value: Option<&Value>) -> Result<BTreeMap<String, StageStats>, String> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(BTreeMap::new());
    };
    let Value::Object(stages) = value else {
        return Err(format!("`stages` must be an object of stages, got {value}"));
    };
    const FIELDS: [&str; 4] = ["p50_ms", "p95_ms", "max_ms", "total_ms"];
    let mut out = BTreeMap::new();
    for (name, stage) in stages {
        let Value::Object(stage) = stage else {
            return Err(format!(
                "`stages.{name}` must be an object {{{}}}, got {stage}",
                FIELDS.join(", ")
            ));
        };
        if let Some(key) = stage.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            return Err(format!(
                "printed an unknown field `stages.{name}.{key}`; a stage has {}",
                FIELDS.join(", ")
            ));
        }
        let mut v = [0.0; 4];
        for (slot, key) in v.iter_mut().zip(FIELDS) {
            let got = stage
                .get(key)
                .ok_or_else(|| format!("printed no `stages.{name}.{key}`"))?;
            *slot = non_negative(got).ok_or_else(|| {
                format!("`stages.{name}.{key}` must be a number of at least 0, got {got}")
            })?;
        }
        let [p50_ms, p95_ms, max_ms, total_ms] = v;
        out.insert(
            name.clone(),
            StageStats {
                p50_ms,
                p95_ms,
                max_ms,
                total_ms,
            },
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked() -> Asked {
        Asked {
            candles: Some(50_000),
            repeats: 1,
            seed: 1337,
            symbol: "BTCUSDT".into(),
        }
    }

    fn parse_str(text: &str) -> Result<Report, String> {
        parse(text.as_bytes(), &asked())
    }

    #[test]
    fn the_runbooks_own_output_is_read() {
        let r = parse_str(
            r#"{"candles": 50000, "repeats": 1, "seed": 1337,
                "candles_per_sec": {"min": 1025.4, "median": 1048.2, "p95": 1056.7},
                "p95_stage_latency_ms": 21.3, "peak_rss_mb": null}"#,
        )
        .unwrap();
        assert_eq!(r.samples, vec![1048.2]);
        assert_eq!(r.p95_stage_latency_ms, Some(21.3));
        assert_eq!(
            (r.peak_rss_mb, r.fingerprint, r.candles),
            (None, None, Some(50_000))
        );
    }

    #[test]
    fn samples_stages_and_a_fingerprint_are_read_when_given() {
        let r = parse_str(
            r#"{"protocol": 1, "candles_per_sec": {"min": 1, "median": 2, "p95": 3, "samples": [3, 1, 2]},
                "stages": {"signal": {"p50_ms": 1, "p95_ms": 4, "max_ms": 5, "total_ms": 9},
                           "fills": {"p50_ms": 1, "p95_ms": 2, "max_ms": 5, "total_ms": 9}},
                "fingerprint": {"trades": 3, "final_equity": 1000.5, "digest": "abc"}}"#,
        )
        .unwrap();
        assert_eq!(r.samples, vec![3.0, 1.0, 2.0]);
        assert_eq!(r.p95_stage_latency_ms, Some(4.0), "the largest stage p95");
        assert_eq!(r.stages.len(), 2);
        assert_eq!(r.fingerprint.unwrap().digest, "abc");
    }

    #[test]
    fn a_report_with_more_samples_than_a_scenario_has_repeats_is_refused() {
        // Unbounded, the samples of a measurement's invocations could pass a u32 count.
        let samples = vec!["1"; MAX_SAMPLES + 1].join(",");
        let e = parse_str(&format!(
            r#"{{"candles_per_sec": {{"min": 1, "median": 1, "p95": 1, "samples": [{samples}]}}}}"#
        ))
        .unwrap_err();
        assert!(e.contains("holds 10001 samples; at most 10000"), "{e}");
        let samples = vec!["1"; MAX_SAMPLES].join(",");
        let text = format!(
            r#"{{"candles_per_sec": {{"min": 1, "median": 1, "p95": 1, "samples": [{samples}]}}}}"#
        );
        assert_eq!(parse_str(&text).unwrap().samples.len(), MAX_SAMPLES);
    }

    #[test]
    fn every_malformed_output_names_the_field_and_what_is_wrong() {
        let cps = r#""candles_per_sec": {"min": 1, "median": 2, "p95": 3}"#;
        let cases = [
            ("", "printed nothing on stdout"),
            (
                "Traceback (most recent call last):",
                "printed no valid JSON on stdout",
            ),
            ("[1, 2]", "printed JSON that is not an object"),
            ("{}", "printed no `candles_per_sec`"),
            (
                r#"{"candles_per_sec": 5}"#,
                "`candles_per_sec` must be an object",
            ),
            (
                r#"{"candles_per_sec": {"min": 1, "p95": 3}}"#,
                "printed no `candles_per_sec.median`",
            ),
            (
                r#"{"candles_per_sec": {"min": 1, "median": "fast", "p95": 3}}"#,
                "`candles_per_sec.median` must be a number greater than 0, got \"fast\"",
            ),
            (
                r#"{"candles_per_sec": {"min": 3, "median": 2, "p95": 1}}"#,
                "must have min <= median <= p95",
            ),
            // Samples beyond 1e12 overflowed the mean to infinity, written as null.
            (
                r#"{"candles_per_sec": {"min": 1, "median": 2, "p95": 1e300}}"#,
                "`candles_per_sec.p95` is 1e300: more than 1e12 candles a second",
            ),
            (
                r#"{"candles_per_sec": {"min": 1, "median": 2, "p95": 3, "samples": [1, 1e13]}}"#,
                "`candles_per_sec.samples[1]` is 1e13: more than 1e12",
            ),
            (
                r#"{"candles_per_sec": {"min": 1, "median": 2, "p95": 3, "samples": [1, -2]}}"#,
                "`candles_per_sec.samples[1]` must be a number greater than 0",
            ),
            (
                r#"{"candles_per_sec": {"min": 1, "median": 2, "p95": 3, "mean": 2}}"#,
                "unknown field `candles_per_sec.mean`",
            ),
            (
                &format!(r#"{{{cps}, "speed": 1}}"#),
                "unknown field `speed`",
            ),
            (
                &format!(r#"{{{cps}, "protocol": 2}}"#),
                "speaks protocol 2, newer than this perfsuite reads (1)",
            ),
            (
                &format!(r#"{{{cps}, "protocol": "1"}}"#),
                "`protocol` must be a whole number from 1",
            ),
            (
                &format!(r#"{{{cps}, "candles": 40000}}"#),
                "`candles` is 40000, but the engine was asked for 50000",
            ),
            (
                &format!(r#"{{{cps}, "symbol": "ETHUSDT"}}"#),
                "`symbol` is \"ETHUSDT\", but the engine was asked for \"BTCUSDT\"",
            ),
            (
                &format!(r#"{{{cps}, "p95_stage_latency_ms": -1}}"#),
                "`p95_stage_latency_ms` must be a number of at least 0, or null",
            ),
            (
                &format!(r#"{{{cps}, "peak_rss_mb": "big"}}"#),
                "`peak_rss_mb` must be a number of at least 0",
            ),
            (
                &format!(r#"{{{cps}, "fingerprint": {{"trades": 1, "final_equity": 2}}}}"#),
                "printed no `fingerprint.digest`",
            ),
            (
                &format!(
                    r#"{{{cps}, "fingerprint": {{"trades": -1, "final_equity": 2, "digest": "x"}}}}"#
                ),
                "`fingerprint.trades` must be a whole number",
            ),
            (
                &format!(r#"{{{cps}, "stages": {{"a": {{"p50_ms": 1}}}}}}"#),
                "printed no `stages.a.p95_ms`",
            ),
        ];
        for (text, want) in cases {
            let err = parse_str(text).unwrap_err();
            assert!(err.contains(want), "{text}\n  got: {err}\n  want: {want}");
        }
    }
}
