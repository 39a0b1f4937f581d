//! Comparisons of hand-built result sets: A/B checks with a known change, A/A checks with
//! realistic noise and no change, everything a reviewer must see besides speed, and snapshots
//! of every output format.

use super::fixtures::{pull_request, result, scaled, set};
use super::*;

/// Throughput of a quiet run, candles/s.
const RATE: f64 = 250_000.0;

/// Run-to-run jitter of ±3 %, as seen on a shared runner: a fixed list, no RNG.
const JITTER: [f64; 20] = [
    1.000, 0.981, 1.017, 0.994, 1.026, 0.972, 1.008, 0.989, 1.030, 0.977, 1.012, 0.996, 0.970,
    1.021, 0.985, 1.004, 1.028, 0.991, 0.975, 1.015,
];

/// `n` noisy samples around `RATE`, starting at `offset` in the jitter list, `step` apart.
fn noisy(n: usize, offset: usize, step: usize) -> Vec<f64> {
    (0..n)
        .map(|i| RATE * JITTER[(offset + i * step) % JITTER.len()])
        .collect()
}

fn only(c: &Comparison) -> &ScenarioComparison {
    assert_eq!(c.scenarios.len(), 1);
    &c.scenarios[0]
}

fn verdicts(s: &ScenarioComparison) -> Vec<Option<ChangeVerdict>> {
    s.metrics.iter().map(|m| m.verdict).collect()
}

#[test]
fn a_head_made_25_percent_slower_on_every_sample_fails() {
    let base = noisy(7, 0, 3);
    let c = compare(
        &set("base", [result("btc", &base)]),
        &set("head", [result("btc", &scaled(&base, 0.75))]),
    );
    let s = only(&c);
    assert_eq!(s.metrics[0].verdict, Some(ChangeVerdict::RegressedFail));
    assert!((s.metrics[0].change_pct.unwrap() + 25.0).abs() < 1e-9);
    assert_eq!(s.outcome, Some(ChangeVerdict::RegressedFail));
    assert!(c.should_fail_strict());
    assert_eq!(c.headline(), "1 regression (1 past fail)");
}

#[test]
fn a_hand_edited_fingerprint_is_a_behaviour_change_even_when_speed_is_fine() {
    let samples = noisy(7, 0, 3);
    let mut head = result("btc", &samples);
    let fingerprint = head.measurement.fingerprint.as_mut().unwrap();
    fingerprint.digest = "0000000000000bad".into();
    fingerprint.trades = 41;
    let c = compare(
        &set("base", [result("btc", &samples)]),
        &set("head", [head]),
    );
    let s = only(&c);
    let changed = s
        .behaviour_changed
        .as_ref()
        .expect("the fingerprint changed");
    assert_eq!((changed.base.trades, changed.head.trades), (42, 41));
    assert_eq!(s.outcome, Some(ChangeVerdict::Unchanged));
    assert!(c.should_fail_strict());
    assert_eq!(c.headline(), "1 behaviour change, 1 unchanged");
}

#[test]
fn identical_runs_with_realistic_noise_never_regress() {
    for pair in 0..5 {
        let base = noisy(7, pair, 3);
        let head = noisy(7, pair + 7, 7);
        let (mut b, mut h) = (result("btc", &base), result("btc", &head));
        b.measurement.p95_stage_latency_ms = Some(20.0 * JITTER[pair].clamp(0.98, 1.02));
        h.measurement.p95_stage_latency_ms = Some(20.0 * JITTER[pair + 5].clamp(0.98, 1.02));
        h.measurement.peak_rss_mb = Some(200.0 + pair as f64);
        let c = compare(&set("a", [b]), &set("a'", [h]));
        let s = only(&c);
        assert!(
            s.metrics
                .iter()
                .all(|m| !m.verdict.is_some_and(ChangeVerdict::is_regression)),
            "pair {pair}: {:?}",
            s.metrics
        );
        assert!(!c.should_fail_strict(), "pair {pair}");
    }
}

#[test]
fn a_small_slowdown_inside_the_noise_is_not_a_regression() {
    let base = noisy(7, 0, 3);
    let c = compare(
        &set("base", [result("btc", &base)]),
        &set("head", [result("btc", &scaled(&noisy(7, 4, 3), 0.97))]),
    );
    assert!(matches!(
        only(&c).metrics[0].verdict,
        Some(ChangeVerdict::Unchanged | ChangeVerdict::Inconclusive)
    ));
}

#[test]
fn lower_latency_and_memory_are_improvements() {
    let samples = noisy(7, 0, 3);
    let mut head = result("btc", &samples);
    head.measurement.p95_stage_latency_ms = Some(12.0);
    head.measurement.peak_rss_mb = Some(150.0);
    let c = compare(
        &set("base", [result("btc", &samples)]),
        &set("head", [head]),
    );
    let s = only(&c);
    assert_eq!(
        verdicts(s),
        [
            Some(ChangeVerdict::Unchanged),
            Some(ChangeVerdict::Inconclusive),
            Some(ChangeVerdict::Improved)
        ]
    );
    assert!(!c.should_fail_strict());
}

#[test]
fn a_single_latency_figure_is_never_called_a_regression() {
    let samples = noisy(7, 0, 3);
    let mut head = result("btc", &samples);
    head.measurement.p95_stage_latency_ms = Some(90.0);
    let c = compare(
        &set("base", [result("btc", &samples)]),
        &set("head", [head]),
    );
    assert_eq!(
        only(&c).metrics[1].verdict,
        Some(ChangeVerdict::Inconclusive)
    );
    assert!(!c.should_fail_strict());
}

#[test]
fn an_unmeasured_metric_has_no_verdict() {
    let samples = noisy(7, 0, 3);
    let mut head = result("btc", &samples);
    head.measurement.peak_rss_mb = None;
    let c = compare(
        &set("base", [result("btc", &samples)]),
        &set("head", [head]),
    );
    let rss = &only(&c).metrics[2];
    assert_eq!(
        (rss.base, rss.head, rss.verdict, rss.noise),
        (Some(200.0), None, None, None)
    );
    assert_eq!(rss.not_measured(), Some("not measured on head"));
}

#[test]
fn a_changed_config_digest_is_not_compared() {
    let base = noisy(7, 0, 3);
    let mut head = result("btc", &scaled(&base, 0.5));
    head.config_digest = "other-work".into();
    head.measurement.fingerprint.as_mut().unwrap().digest = "0000000000000bad".into();
    let c = compare(&set("base", [result("btc", &base)]), &set("head", [head]));
    let s = only(&c);
    assert!(!s.compared());
    assert!(s.metrics.is_empty() && s.outcome.is_none());
    // Other work gives other results: that is not a behaviour change.
    assert!(s.behaviour_changed.is_none());
    assert!(!c.should_fail_strict());
    assert_eq!(c.headline(), "1 not compared");
}

#[test]
fn the_heads_thresholds_judge_and_loosening_them_is_reported() {
    let base = noisy(7, 0, 3);
    let mut head = result("btc", &scaled(&base, 0.75));
    head.budget.resolved.regression.fail_pct = 30.0;
    head.budget.resolved.candles_per_sec.floor = Some(600.0);
    let c = compare(&set("base", [result("btc", &base)]), &set("head", [head]));
    let s = only(&c);
    assert_eq!(s.outcome, Some(ChangeVerdict::RegressedWarn));
    let keys: Vec<_> = s.loosened.iter().map(|l| l.key.as_str()).collect();
    assert_eq!(keys, ["candles_per_sec.floor", "regression.fail_pct"]);
    assert!(!c.should_fail_strict());
    assert_eq!(c.headline(), "1 regression, 1 loosened budget");
}

#[test]
fn the_compared_statistic_is_the_heads_regression_stat() {
    // Medians equal, minima 20 % apart: the median sees no change, the min does.
    let base = [1000.0, 1000.0, 1000.0, 1000.0, 1000.0];
    let head = [800.0, 1000.0, 1000.0, 1000.0, 1000.0];
    let c = compare(
        &set("base", [result("btc", &base)]),
        &set("head", [result("btc", &head)]),
    );
    assert_eq!(only(&c).metrics[0].verdict, Some(ChangeVerdict::Unchanged));
    let mut min_head = result("btc", &head);
    min_head.budget.resolved.regression.stat = crate::judge::Statistic::Min;
    let c = compare(
        &set("base", [result("btc", &base)]),
        &set("head", [min_head]),
    );
    let cps = &only(&c).metrics[0];
    assert_eq!(cps.stat, Some(crate::judge::Statistic::Min));
    assert_eq!((cps.base, cps.head), (Some(1000.0), Some(800.0)));
    // Past the threshold, but one sample of five: the rank test does not call it.
    assert_eq!(cps.verdict, Some(ChangeVerdict::Inconclusive));
}

#[test]
fn different_machines_are_reported_without_withholding_verdicts() {
    let samples = noisy(7, 0, 3);
    let mut head = result("btc", &samples);
    head.measurement.environment.cpu = "Intel Xeon Platinum 8370C".into();
    head.measurement.environment.cores = 2;
    head.measurement.environment.git_branch = Some("feature".into());
    let c = compare(
        &set("base", [result("btc", &samples)]),
        &set("head", [head]),
    );
    let s = only(&c);
    let keys: Vec<_> = s.environment.iter().map(|d| d.key.as_str()).collect();
    assert_eq!(keys, ["cpu", "cores"]);
    assert_eq!(s.outcome, Some(ChangeVerdict::Unchanged));
}

#[test]
fn scenarios_on_one_side_only_are_listed() {
    let s = noisy(5, 0, 3);
    let c = compare(
        &set("base", [result("both", &s), result("gone", &s)]),
        &set(
            "head",
            [
                result("both", &s),
                result("new", &s),
                result("also-new", &s),
            ],
        ),
    );
    assert_eq!(c.only_in_base, ["gone"]);
    assert_eq!(c.only_in_head, ["also-new", "new"]);
    assert_eq!(c.headline(), "1 unchanged, 1 only in base, 2 only in head");
}

#[test]
fn nothing_on_either_side_is_nothing_to_compare() {
    let c = compare(&ResultSet::new("base"), &ResultSet::new("head"));
    assert_eq!(c.headline(), "nothing to compare");
    assert!(!c.should_fail_strict());
}

#[test]
fn the_table_fits_80_columns_and_shows_every_finding() {
    let text = super::render::table::render(&pull_request(), 80);
    let text = anstream::adapter::strip_str(&text).to_string();
    for line in text.lines() {
        assert!(
            line.chars().count() <= 80,
            "{} columns: {line}",
            line.chars().count()
        );
    }
    insta::assert_snapshot!(text);
}

#[test]
fn the_markdown_is_a_pull_request_comment() {
    insta::assert_snapshot!(render(&pull_request(), Format::Markdown));
}

#[test]
fn the_json_has_stable_keys() {
    let text = render(&pull_request(), Format::Json);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["schema_version"], COMPARISON_SCHEMA_VERSION);
    assert_eq!(v["strict_failure"], true);
    assert_eq!(v["scenarios"][1]["scenario"], "btc-50k");
    insta::assert_snapshot!(text);
}

#[test]
fn a_distribution_without_samples_never_decides() {
    let mut base = result("btc", &[1000.0]);
    let mut head = result("btc", &[700.0]);
    base.measurement.candles_per_sec.samples.clear();
    head.measurement.candles_per_sec.samples.clear();
    let c = compare(&set("base", [base]), &set("head", [head]));
    let m = &only(&c).metrics[0];
    assert_eq!(m.verdict, Some(ChangeVerdict::Inconclusive));
    assert_eq!(m.reason.as_deref(), Some("0 samples a side, 5 needed"));
}

#[test]
fn one_repeat_a_side_never_decides_however_large_the_change() {
    for factor in [0.5, 0.88, 1.29] {
        let c = compare(
            &set("base", [result("btc", &[1000.0])]),
            &set("head", [result("btc", &[1000.0 * factor])]),
        );
        let m = &only(&c).metrics[0];
        assert_eq!(m.verdict, Some(ChangeVerdict::Inconclusive), "{factor}");
        assert_eq!(m.reason.as_deref(), Some("1 sample a side, 5 needed"));
    }
}

#[test]
fn peak_rss_is_compared_like_for_like() {
    // Base from before the median existed: its peak_rss_mb is the largest child's. Head's
    // median (6.25) against it would read as an improvement; its largest (6.59) is compared.
    let samples = noisy(7, 0, 3);
    let mut base = result("btc", &samples);
    base.measurement.peak_rss_mb = Some(6.59);
    base.measurement.peak_rss_mb_max = None;
    let mut head = result("btc", &samples);
    head.measurement.peak_rss_mb = Some(6.25);
    head.measurement.peak_rss_mb_max = Some(6.59);
    let c = compare(&set("base", [base.clone()]), &set("head", [head.clone()]));
    let rss = &only(&c).metrics[2];
    assert_eq!((rss.base, rss.head), (Some(6.59), Some(6.59)));
    assert_eq!(rss.verdict, Some(ChangeVerdict::Unchanged));
    // Both with medians: the medians are compared.
    base.measurement.peak_rss_mb = Some(6.25);
    base.measurement.peak_rss_mb_max = Some(6.25);
    let c = compare(&set("base", [base]), &set("head", [head]));
    assert_eq!(only(&c).metrics[2].base, Some(6.25));
    assert_eq!(only(&c).metrics[2].verdict, Some(ChangeVerdict::Unchanged));
}

#[test]
fn samples_collected_sequentially_are_judged_at_the_last_looks_level() {
    use crate::sampling::{Sampling, SequentialRecord, Stop};
    // Seven samples a side, fully separated: p ≈ 0.0017, a call at 0.01 but not at 0.001.
    let base: Vec<f64> = (0..7).map(|i| 1000.0 + f64::from(i)).collect();
    let head = scaled(&base, 0.9);
    let (mut b, mut h) = (result("btc", &base), result("btc", &head));
    let fixed = compare(&set("base", [b.clone()]), &set("head", [h.clone()]));
    assert_eq!(
        only(&fixed).metrics[0].verdict,
        Some(ChangeVerdict::RegressedWarn)
    );
    let sequential = Sampling {
        sequential: Some(SequentialRecord {
            alpha: 0.01,
            looks: 3,
            critical_z: 3.29,
            nominal_alpha: 0.001,
            z: -3.1,
        }),
        stopped: Stop::MaxTime,
        ..Sampling::fixed(7)
    };
    b.sampling = Some(sequential.clone());
    h.sampling = Some(sequential);
    let c = compare(&set("base", [b]), &set("head", [h]));
    let m = &only(&c).metrics[0];
    assert_eq!(m.verdict, Some(ChangeVerdict::Inconclusive));
    assert_eq!(
        m.reason.as_deref(),
        Some("7 samples a side, 8 needed at alpha 0.001")
    );
}

#[test]
fn scenarios_that_can_decide_share_the_false_alarm_rate() {
    // Five samples a side, fully separated: p ≈ 0.008, a call at 0.01 but not at 0.005.
    let base: Vec<f64> = (0..5).map(|i| 1000.0 + f64::from(i)).collect();
    let (b, h) = (result("btc", &base), result("btc", &scaled(&base, 0.9)));
    let alone = compare(&set("base", [b.clone()]), &set("head", [h.clone()]));
    assert_eq!(alone.deciding, 1);
    assert_eq!(
        alone.scenarios[0].outcome,
        Some(ChangeVerdict::RegressedWarn)
    );
    // A second scenario with enough samples to decide: each is held to 0.01 / 2.
    let (eth_b, eth_h) = (result("eth", &base), result("eth", &base));
    let two = compare(
        &set("base", [b.clone(), eth_b]),
        &set("head", [h.clone(), eth_h]),
    );
    assert_eq!(two.deciding, 2);
    let btc = &two.scenarios[0].metrics[0];
    assert_eq!(btc.verdict, Some(ChangeVerdict::Inconclusive));
    assert_eq!(
        btc.reason.as_deref(),
        Some("5 samples a side, 6 needed at alpha 0.005")
    );
    assert!(render::method(&two).contains("shared by the 2 scenarios"));
    // One that cannot call anything (a single sample a side) takes no share.
    let (once_b, once_h) = (result("once", &[1000.0]), result("once", &[1000.0]));
    let with_once = compare(&set("base", [b, once_b]), &set("head", [h, once_h]));
    assert_eq!(with_once.deciding, 1);
    assert_eq!(
        with_once.scenarios[0].outcome,
        Some(ChangeVerdict::RegressedWarn)
    );
}

#[test]
fn results_that_ab_took_in_rounds_are_judged_as_pairs() {
    use crate::sampling::Sampling;
    let base: Vec<f64> = (0..12).map(|i| 1000.0 + f64::from(i % 5) * 90.0).collect();
    let head = scaled(&base, 0.95);
    let (mut b, mut h) = (result("btc", &base), result("btc", &head));
    let rounds = Sampling {
        paired: true,
        ..Sampling::fixed(12)
    };
    b.sampling = Some(rounds.clone());
    h.sampling = Some(rounds);
    let c = compare(&set("base", [b.clone()]), &set("head", [h.clone()]));
    let m = &only(&c).metrics[0];
    assert!(
        matches!(m.noise, Some(Noise::SignedRankTest { cleared: true, .. })),
        "{:?}",
        m.noise
    );
    assert_eq!(m.verdict, Some(ChangeVerdict::RegressedWarn));
    // One side from a plain `run`: two independent samples, the unpaired test.
    h.sampling = Some(Sampling::fixed(12));
    let c = compare(&set("base", [b]), &set("head", [h]));
    assert!(matches!(
        only(&c).metrics[0].noise,
        Some(Noise::RankTest { .. })
    ));
}
