//! Result files are untrusted input: `compare` and `merge` read files from CI artifacts, other
//! perfsuite versions and hand edits. Each malformed file below, fed to both commands, must end
//! in exit 2 with one line naming the file, and never in a panic or a wrong comparison.

mod common;

use common::Fixture;
use serde_json::{json, Value};

/// A fixture holding `base/`, a real result set of scenario `btc` written by `perfsuite run`.
fn with_a_real_result_set() -> Fixture {
    let f = Fixture::new(&[(
        "s/btc.toml",
        "name = 'btc'\ncandles = 3000\nrepeats = 2\nwarmup = 0\n",
    )]);
    let run = f.run(&["run", "s", "--out", "base", "-q"]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    f
}

/// One way to damage a bench.json: a name, and the damaged bytes made from the valid text.
type Damage = (&'static str, Box<dyn Fn(&str) -> Vec<u8>>);

fn edit(name: &'static str, change: impl Fn(&mut Value) + 'static) -> Damage {
    (
        name,
        Box::new(move |text: &str| {
            let mut v: Value = serde_json::from_str(text).unwrap();
            change(&mut v);
            serde_json::to_vec_pretty(&v).unwrap()
        }),
    )
}

fn raw(name: &'static str, bytes: impl Fn(&str) -> Vec<u8> + 'static) -> Damage {
    (name, Box::new(bytes))
}

fn remove(key: &'static str) -> Damage {
    edit(key, move |v| {
        v.as_object_mut().unwrap().remove(key);
    })
}

/// Every damaged file the tests try, with what the message must say.
fn damages() -> Vec<(Damage, &'static str)> {
    let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    vec![
        (
            raw("truncated in half", |t| {
                t.as_bytes()[..t.len() / 2].to_vec()
            }),
            "cut short (truncated JSON)",
        ),
        (
            raw("truncated to one byte", |t| t.as_bytes()[..1].to_vec()),
            "cut short",
        ),
        (raw("empty", |_| Vec::new()), "cut short"),
        (
            raw("binary", |_| (0..=255u8).cycle().take(4096).collect()),
            "not valid JSON",
        ),
        (
            raw("not UTF-8", |t| [t.as_bytes(), &[0xff, 0xfe]].concat()),
            "",
        ),
        (raw("a JSON array", |_| b"[]".to_vec()), "not a bench.json"),
        (
            raw("a JSON string", |_| b"\"bench\"".to_vec()),
            "not a bench.json",
        ),
        (raw("null", |_| b"null".to_vec()), "not a bench.json"),
        (
            raw("nested 100000 deep", move |_| nested(100_000).into_bytes()),
            "recursion limit",
        ),
        (
            raw("trailing garbage", |t| format!("{t} {{}}").into_bytes()),
            "not valid JSON",
        ),
        (
            raw("duplicate key", |t| {
                t.replacen('{', "{\"scenario\": \"x\",", 1).into_bytes()
            }),
            "duplicate field",
        ),
        (
            edit("newer schema", |v| v["schema_version"] = json!(4)),
            "written by a newer perfsuite (schema_version 4",
        ),
        (
            edit("huge schema", |v| v["schema_version"] = json!(u64::MAX)),
            "written by a newer perfsuite",
        ),
        (
            edit("schema as text", |v| v["schema_version"] = json!("1")),
            "not a bench.json",
        ),
        (remove("schema_version"), "missing field `schema_version`"),
        (remove("scenario"), "missing field `scenario`"),
        (remove("candles_per_sec"), "missing field `candles_per_sec`"),
        (remove("fingerprint"), "missing field `fingerprint`"),
        (remove("budget"), "missing field `budget`"),
        (remove("verdict"), "missing field `verdict`"),
        (remove("environment"), "missing field `environment`"),
        (
            edit("unknown verdict", |v| v["verdict"] = json!("great")),
            "unknown variant `great`",
        ),
        (
            edit("negative sample", |v| {
                v["candles_per_sec"]["samples"][0] = json!(-1.0)
            }),
            "`candles_per_sec.samples[0]` must be a positive number",
        ),
        (
            edit("zero sample", |v| {
                v["candles_per_sec"]["samples"][1] = json!(0.0)
            }),
            "`candles_per_sec.samples[1]` must be a positive number",
        ),
        (
            edit("no samples", |v| {
                v["candles_per_sec"]["samples"] = json!([])
            }),
            "`candles_per_sec.samples` is empty",
        ),
        (
            edit("absurd sample", |v| {
                v["candles_per_sec"]["samples"] = json!([1e300, 1e300]);
                for s in ["min", "median", "p95", "mean"] {
                    v["candles_per_sec"][s] = json!(1e300);
                }
            }),
            "`candles_per_sec.samples[0]` is 1e300",
        ),
        (
            raw("sample past f64", |t| {
                let mut v: Value = serde_json::from_str(t).unwrap();
                v["candles_per_sec"]["samples"][0] = json!("HUGE");
                serde_json::to_string(&v)
                    .unwrap()
                    .replace("\"HUGE\"", "1e999")
                    .into_bytes()
            }),
            "number out of range",
        ),
        (
            edit("min above the samples", |v| {
                v["candles_per_sec"]["min"] = json!(1e9)
            }),
            "`candles_per_sec.min` is 1000000000, outside",
        ),
        (
            edit("negative stddev", |v| {
                v["candles_per_sec"]["stddev"] = json!(-1.0)
            }),
            "`candles_per_sec.stddev` must be a non-negative number",
        ),
        (
            edit("samples that are not numbers", |v| {
                v["candles_per_sec"]["samples"] = json!(["fast"])
            }),
            "not a bench.json",
        ),
        (
            edit("negative latency", |v| {
                v["p95_stage_latency_ms"] = json!(-0.5)
            }),
            "`p95_stage_latency_ms` must be a non-negative number",
        ),
        (
            edit("negative peak RSS", |v| v["peak_rss_mb"] = json!(-1)),
            "`peak_rss_mb` must be a non-negative number",
        ),
        (
            edit("absurd peak RSS", |v| v["peak_rss_mb"] = json!(1e300)),
            "`peak_rss_mb` is 1e300",
        ),
        // The history stored these as signed 64-bit integers, wrapping a larger one; its
        // trends summed the figures until they overflowed.
        (
            edit("absurd core count", |v| {
                v["environment"]["cores"] = json!(u64::MAX)
            }),
            "`environment.cores` is 18446744073709551615",
        ),
        (
            edit("absurd machine memory", |v| {
                v["environment"]["memory_mb"] = json!(u64::MAX)
            }),
            "`environment.memory_mb` is 18446744073709551615",
        ),
        (
            edit("trades beyond a signed count", |v| {
                v["fingerprint"]["trades"] = json!(u64::MAX)
            }),
            "`fingerprint.trades` is 18446744073709551615",
        ),
        (
            edit("absurd latency", |v| {
                v["p95_stage_latency_ms"] = json!(1e300)
            }),
            "`p95_stage_latency_ms` is 1e300",
        ),
        (
            edit("negative instructions per candle", |v| {
                v["instructions_per_candle"] = json!(-1.0)
            }),
            "`instructions_per_candle` must be a non-negative number",
        ),
        (
            edit("negative stage time", |v| {
                v["stages"]["ingest"]["p95_ms"] = json!(-3.0)
            }),
            "`stages.ingest.p95_ms` must be a non-negative number",
        ),
        (
            edit("negative duration", |v| v["duration_s"] = json!(-1.0)),
            "`duration_s` must be a non-negative number",
        ),
        (
            edit("negative candles", |v| v["candles"] = json!(-1)),
            "not a bench.json",
        ),
        (
            edit("zero candles", |v| v["candles"] = json!(0)),
            "`candles` must be at least 1",
        ),
        (
            edit("fractional candles", |v| v["candles"] = json!(1.5)),
            "not a bench.json",
        ),
        (
            edit("repeats past u32", |v| v["repeats"] = json!(1u64 << 32)),
            "not a bench.json",
        ),
        (
            edit("repeats that disagree with the samples", |v| {
                v["repeats"] = json!(7)
            }),
            "`repeats` is 7 but `candles_per_sec.samples` holds 2",
        ),
        (
            edit("negative regression threshold", |v| {
                v["budget"]["resolved"]["regression"]["fail_pct"] = json!(-5)
            }),
            "`budget.resolved.regression.fail_pct` must be a non-negative number",
        ),
        (
            edit("invalid engine setting", |v| {
                v["engine"]["batch_size"] = json!(0)
            }),
            "`engine.batch_size` must be",
        ),
        (
            edit("a parent path as name", |v| {
                v["scenario"] = json!("../evil")
            }),
            "`scenario` \"../evil\" contains a path separator",
        ),
        (
            edit("an absolute path as name", |v| {
                v["scenario"] = json!("/etc/passwd")
            }),
            "contains a path separator",
        ),
        (
            edit("a hidden name", |v| v["scenario"] = json!(".hidden")),
            "starts with `.`",
        ),
        (
            edit("an empty name", |v| v["scenario"] = json!("")),
            "is empty",
        ),
        (
            edit("a control character in the name", |v| {
                v["scenario"] = json!("a\u{0}b")
            }),
            "contains a control character",
        ),
        (
            edit("a name too long for a folder", |v| {
                v["scenario"] = json!("n".repeat(300))
            }),
            "is longer than 100 characters",
        ),
    ]
}

#[test]
fn compare_and_merge_refuse_every_damaged_bench_json_naming_it_with_exit_2() {
    let f = with_a_real_result_set();
    let valid = std::fs::read_to_string(f.path("base/btc/bench.json")).unwrap();
    let summary = std::fs::read_to_string(f.path("base/summary.json")).unwrap();
    let mut tried = 0;
    for ((what, damage), says) in damages() {
        f.write("head/btc/bench.json", damage(&valid));
        f.write("head/summary.json", &summary);
        for command in [
            &["compare", "base", "head"][..],
            &["compare", "head/btc/bench.json", "base"],
            &["merge", "head", "--out", "merged"],
        ] {
            let outcome = f.run(command);
            tried += 1;
            assert_eq!(outcome.code(), 2, "{what}, {command:?}: {}", outcome.stderr);
            assert!(outcome.stdout.is_empty(), "{what}: nothing compared");
            let line = outcome.stderr.trim_end();
            assert_eq!(line.lines().count(), 1, "{what}: {line}");
            assert!(
                line.starts_with("error: head/btc/bench.json"),
                "{what}, {command:?}: {line}"
            );
            assert!(line.contains(says), "{what}, {command:?}: {line}");
        }
        assert!(!f.path("merged/btc").exists(), "{what}: nothing merged");
    }
    eprintln!("malformed bench.json inputs tried: {tried}");
}

#[test]
fn merge_refuses_a_damaged_summary_naming_it() {
    let f = with_a_real_result_set();
    let summary: Value = f.json("base/summary.json");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated",
            b"{\"schema_version\": 1, \"sc".to_vec(),
            "EOF while parsing",
        ),
        (
            "newer schema",
            serde_json::to_vec(&{
                let mut s = summary.clone();
                s["schema_version"] = json!(4);
                s["renamed"] = json!(1);
                s
            })
            .unwrap(),
            "written by a newer perfsuite (schema_version 4",
        ),
        (
            "missing key",
            serde_json::to_vec(&{
                let mut s = summary.clone();
                s.as_object_mut().unwrap().remove("scenarios");
                s
            })
            .unwrap(),
            "missing field `scenarios`",
        ),
        (
            "interrupted",
            serde_json::to_vec(&{
                let mut s = summary.clone();
                s["interrupted"] = json!(true);
                s
            })
            .unwrap(),
            "that run was interrupted",
        ),
        (
            "path as name",
            serde_json::to_vec(&{
                let mut s = summary.clone();
                s["scenarios"][0]["scenario"] = json!("../../evil");
                s["scenarios"][0]["verdict"] = json!("error");
                s
            })
            .unwrap(),
            "\"../../evil\" contains a path separator",
        ),
        (
            "listed but missing",
            serde_json::to_vec(&{
                let mut s = summary.clone();
                s["scenarios"][0]["scenario"] = json!("eth");
                s
            })
            .unwrap(),
            "summary lists `eth` but its bench.json is missing",
        ),
    ];
    for (what, bytes, says) in cases {
        f.write("base/summary.json", bytes);
        let outcome = f.run(&["merge", "base", "--out", "merged"]);
        assert_eq!(outcome.code(), 2, "{what}: {}", outcome.stderr);
        assert!(
            outcome.stderr.starts_with("error: base"),
            "{what}: {}",
            outcome.stderr
        );
        assert!(outcome.stderr.contains(says), "{what}: {}", outcome.stderr);
        assert!(!f.root().join("evil").exists() && !f.path("merged/btc").exists());
    }
}

#[test]
fn results_from_the_same_run_compare_and_merge_cleanly() {
    let f = with_a_real_result_set();
    let compared = f.run(&["compare", "base", "base/btc/bench.json"]);
    assert_eq!(compared.code(), 0, "{}", compared.stderr);
    let merged = f.run(&["merge", "base", "--out", "merged"]);
    assert_eq!(merged.code(), 0, "{}", merged.stderr);
    f.json("merged/btc/bench.json");
}

#[test]
fn a_bench_json_too_large_to_be_one_is_not_read() {
    let f = with_a_real_result_set();
    f.write("head/btc/bench.json", "");
    let file = std::fs::File::create(f.path("head/btc/bench.json")).unwrap();
    file.set_len(65 << 20).unwrap(); // sparse: costs no disk
    let outcome = f.run(&["compare", "base", "head"]);
    assert_eq!(outcome.code(), 2, "{}", outcome.stderr);
    assert!(
        outcome
            .stderr
            .starts_with("error: head/btc/bench.json: 65 MiB is too large for a bench.json"),
        "{}",
        outcome.stderr
    );
}
