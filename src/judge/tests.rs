//! Tests of budgets and verdicts: every check, its reason in words, and the metric labels.

use super::*;

fn runbook() -> Budget {
    runbook_budget()
}

fn dist(samples: &[f64]) -> Distribution {
    Distribution::of(samples.to_vec()).unwrap()
}

fn verdicts(b: &Budget, cps: &[f64], latency: Option<f64>, rss: Option<f64>) -> Vec<Verdict> {
    let d = dist(cps);
    judge(
        b,
        Metrics {
            candles_per_sec: &d,
            p95_stage_latency_ms: latency,
            peak_rss_mb: rss,
            batch_size: 4096,
            instructions_per_candle: None,
        },
    )
    .iter()
    .map(|c| c.verdict)
    .collect()
}

#[test]
fn a_value_equal_to_a_limit_passes() {
    assert_eq!(
        verdicts(&runbook(), &[900.0], Some(40.0), None)[..2],
        [Verdict::Pass, Verdict::Pass]
    );
    assert_eq!(
        verdicts(&runbook(), &[833.0], Some(50.0), None)[..2],
        [Verdict::Warn, Verdict::Warn]
    );
}

#[test]
fn between_warn_and_floor_warns_and_past_the_floor_fails() {
    assert_eq!(
        verdicts(&runbook(), &[850.0, 2000.0], Some(45.0), None)[..2],
        [Verdict::Warn, Verdict::Warn]
    );
    assert_eq!(
        verdicts(&runbook(), &[832.9, 2000.0], Some(50.1), None)[..2],
        [Verdict::Fail, Verdict::Fail]
    );
}

#[test]
fn the_judged_statistic_is_the_budgets() {
    let mut b = runbook();
    assert_eq!(
        verdicts(&b, &[800.0, 1000.0, 1000.0], None, None)[0],
        Verdict::Fail
    );
    b.candles_per_sec.stat = Statistic::Median;
    assert_eq!(
        verdicts(&b, &[800.0, 1000.0, 1000.0], None, None)[0],
        Verdict::Pass
    );
}

#[test]
fn an_unmeasured_metric_or_one_without_limits_is_skipped() {
    let v = verdicts(&runbook(), &[1000.0], None, Some(5000.0));
    assert_eq!(
        v,
        [Verdict::Pass, Verdict::Skip, Verdict::Skip, Verdict::Skip]
    );
}

#[test]
fn a_scenarios_verdict_is_its_worst_check() {
    let d = dist(&[850.0]);
    let checks = judge(
        &runbook(),
        Metrics {
            candles_per_sec: &d,
            p95_stage_latency_ms: Some(60.0),
            peak_rss_mb: None,
            batch_size: 4096,
            instructions_per_candle: None,
        },
    );
    assert_eq!(overall(&checks), Verdict::Fail);
    assert_eq!(overall(&checks[..1]), Verdict::Warn);
    assert_eq!(overall(&checks[2..]), Verdict::Skip);
    assert_eq!(overall(&[]), Verdict::Skip);
}

#[test]
fn reasons_say_which_limit_was_crossed() {
    let d = dist(&[812.0]);
    let checks = judge(
        &runbook(),
        Metrics {
            candles_per_sec: &d,
            p95_stage_latency_ms: Some(45.5),
            peak_rss_mb: None,
            batch_size: 4096,
            instructions_per_candle: None,
        },
    );
    assert_eq!(checks[0].reason().as_deref(), Some("min 812 < floor 833"));
    assert_eq!(
        checks[1].reason().as_deref(),
        Some("p95 stage ms 45.5 > warn 40")
    );
    assert_eq!(checks[2].reason(), None);
    let unmeasured = judge(
        &runbook(),
        Metrics {
            candles_per_sec: &d,
            p95_stage_latency_ms: None,
            peak_rss_mb: None,
            batch_size: 4096,
            instructions_per_candle: None,
        },
    );
    assert_eq!(
        unmeasured[1].reason().as_deref(),
        Some("p95_stage_latency_ms not measured")
    );
}

#[test]
fn a_latency_ceiling_for_another_batch_size_is_skipped_with_the_reason() {
    let mut b = runbook();
    b.p95_stage_latency_ms.batch_size = Some(4096);
    let d = dist(&[1000.0]);
    let m = |batch_size| Metrics {
        candles_per_sec: &d,
        p95_stage_latency_ms: Some(60.0),
        peak_rss_mb: None,
        batch_size,
        instructions_per_candle: None,
    };
    assert_eq!(judge(&b, m(4096))[1].verdict, Verdict::Fail);
    let other = &judge(&b, m(512))[1];
    assert_eq!(other.verdict, Verdict::Skip);
    assert_eq!(
        other.reason().as_deref(),
        Some("p95 stage ms not judged: the budget assumes batch_size 4096, the scenario runs 512")
    );
}
