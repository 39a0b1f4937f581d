//! One trend chart as inline SVG: the series with its samples' spread, the levels between
//! change points, budget lines and the change points marked with their commits.
//!
//! The data is drawn in a nested `<svg>` whose viewBox has one unit per point across and 1000
//! down, stretched to the plot area, so every point is a short relative step (`l1 -3`): a chart
//! of 1,000 points stays around 15 KB.

use std::fmt::Write;

use super::escape;
use crate::history::series::Point;
use crate::judge::number;
use crate::trend::{render, ChangePoint, Status};

/// Width and height of a chart, in CSS pixels.
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 230.0;
/// The plot area inside it.
const LEFT: f64 = 78.0;
const RIGHT: f64 = 706.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 186.0;
/// Vertical resolution of the data: 1000 steps over the plot's height.
const STEPS: f64 = 1000.0;
/// Beyond this many change points, they are marked without labels (the table lists them).
const MAX_LABELS: usize = 12;

/// A horizontal budget line.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetLine {
    /// "floor", "warn" or "ceiling".
    pub kind: &'static str,
    /// Its value.
    pub value: f64,
}

/// What one chart shows.
pub struct Chart<'a> {
    /// Unique id for the title and description.
    pub id: String,
    /// The title: "btc: candles_per_sec".
    pub title: String,
    /// The unit of the values.
    pub unit: &'a str,
    /// The points, oldest first.
    pub points: &'a [Point],
    /// The short commit of each point.
    pub commits: Vec<String>,
    /// The series' change points.
    pub change_points: &'a [ChangePoint],
    /// The budget's limits on this metric.
    pub budget: Vec<BudgetLine>,
}

impl Chart<'_> {
    /// The `<svg>` element.
    pub fn svg(&self) -> String {
        let n = self.points.len();
        let (lo, hi) = self.range();
        // cannot panic: clamped to 0..=STEPS; NaN casts to 0.
        let y = |v: f64| ((hi - v) / (hi - lo) * STEPS).round().clamp(0.0, STEPS) as i64;
        let span = (n.max(2) - 1) as f64;
        let x_px = |i: usize| LEFT + (RIGHT - LEFT) * i as f64 / span;
        let y_px = |v: f64| TOP + (BOTTOM - TOP) * y(v) as f64 / STEPS;
        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg class="trend" role="img" aria-labelledby="{id}-t {id}-d" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{title}</title><desc id="{id}-d">{desc}</desc>"#,
            id = self.id,
            title = escape(&self.title),
            desc = escape(&self.description()),
        );
        let _ = write!(
            s,
            r#"<rect class="plot" x="{LEFT}" y="{TOP}" width="{w}" height="{h}"/>"#,
            w = RIGHT - LEFT,
            h = BOTTOM - TOP
        );
        // The data, one unit per point across.
        let _ = write!(
            s,
            r#"<svg x="{LEFT}" y="{TOP}" width="{w}" height="{h}" viewBox="0 0 {span} {STEPS}" preserveAspectRatio="none">"#,
            w = RIGHT - LEFT,
            h = BOTTOM - TOP
        );
        if self
            .points
            .iter()
            .any(|p| p.low.is_some() && p.high.is_some())
        {
            let highs: Vec<i64> = self
                .points
                .iter()
                .map(|p| y(p.high.unwrap_or(p.value)))
                .collect();
            let lows: Vec<i64> = self
                .points
                .iter()
                .map(|p| y(p.low.unwrap_or(p.value)))
                .collect();
            // cannot panic: a point with a spread was found, so n >= 1.
            let _ = write!(s, r#"<path class="spread" d="M0 {}"#, highs[0]);
            steps(&mut s, &highs, 1);
            let _ = write!(s, "L{} {}", n - 1, lows[n - 1]);
            let reversed: Vec<i64> = lows.iter().rev().copied().collect();
            steps(&mut s, &reversed, -1);
            s.push_str(r#"Z"/>"#);
        }
        for (from, to, mean) in self.levels() {
            let _ = write!(
                s,
                r#"<path class="level" d="M{from} {y}H{to}" vector-effect="non-scaling-stroke"/>"#,
                to = to.max(from + 1).min(n.max(2) - 1),
                y = y(mean)
            );
        }
        let values: Vec<i64> = self.points.iter().map(|p| y(p.value)).collect();
        if let Some(first) = values.first() {
            let _ = write!(s, r#"<path class="line" d="M0 {first}"#);
            steps(&mut s, &values, 1);
            if n == 1 {
                s.push_str("h1");
            }
            s.push_str(r#"" vector-effect="non-scaling-stroke"/>"#);
        }
        s.push_str("</svg>");
        for b in &self.budget {
            if b.value < lo || b.value > hi {
                continue;
            }
            let yb = y_px(b.value);
            let _ = write!(
                s,
                r#"<g class="budget {kind}"><line x1="{LEFT}" x2="{RIGHT}" y1="{yb:.1}" y2="{yb:.1}"/><text x="{tx}" y="{ty:.1}" text-anchor="end">{kind} {value}</text></g>"#,
                kind = b.kind,
                value = number(b.value),
                tx = RIGHT - 4.0,
                ty = yb - 3.0,
            );
        }
        let labelled = self.change_points.len() <= MAX_LABELS;
        for c in self.change_points {
            // cannot panic: a change point splits the series, so index >= 1.
            let xc = (x_px(c.index - 1) + x_px(c.index)) / 2.0;
            let commit = self.commits.get(c.index).cloned().unwrap_or_default();
            let _ = write!(
                s,
                r#"<g class="change-point {status}" data-index="{index}" data-commit="{commit}"><title>{title}</title><line x1="{xc:.1}" x2="{xc:.1}" y1="{TOP}" y2="{BOTTOM}"/>"#,
                status = if c.status == Status::Pending {
                    "pending"
                } else {
                    "confirmed"
                },
                index = c.index,
                commit = escape(&commit),
                title = escape(&format!(
                    "{}: {} → {} ({}), {}",
                    render::commits(c),
                    render::level(&c.before),
                    render::level(&c.after),
                    c.change_pct.map_or("-".into(), |p| format!("{p:+.1}%")),
                    render::status(c)
                )),
            );
            if labelled {
                let _ = write!(
                    s,
                    r#"<text x="{tx:.1}" y="{ty}">{commit}</text>"#,
                    tx = xc + 3.0,
                    ty = TOP + 11.0,
                    commit = escape(&commit)
                );
            }
            s.push_str("</g>");
        }
        // Axes: the value range and the first and last commit.
        let _ = write!(
            s,
            r#"<g class="axis"><text x="{tx}" y="{TOP}" text-anchor="end" dy="0.7em">{hi}</text><text x="{tx}" y="{BOTTOM}" text-anchor="end">{lo}</text><text x="{tx}" y="{mid}" text-anchor="end">{unit}</text><text x="{LEFT}" y="{by}">{first}</text><text x="{RIGHT}" y="{by}" text-anchor="end">{last}</text></g>"#,
            tx = LEFT - 6.0,
            hi = number(hi),
            lo = number(lo),
            mid = (TOP + BOTTOM) / 2.0,
            unit = escape(self.unit),
            by = BOTTOM + 16.0,
            first = escape(self.commits.first().map_or("", String::as_str)),
            last = escape(&format!(
                "{} ({n} runs)",
                self.commits.last().map_or("", String::as_str)
            )),
        );
        s.push_str("</svg>");
        s
    }

    /// A sentence for screen readers: the range, the latest value and the change points.
    pub fn description(&self) -> String {
        let values = self.points.iter().map(|p| p.value);
        let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
        let latest = self.points.last().map_or(f64::NAN, |p| p.value);
        let mut text = format!(
            "{} runs, from {} to {} {unit}; latest {} {unit}. ",
            self.points.len(),
            number(lo),
            number(hi),
            number(latest),
            unit = self.unit
        );
        match self.change_points.len() {
            0 => text.push_str("No change points."),
            k => {
                let _ = write!(text, "{k} change point{}: ", if k == 1 { "" } else { "s" });
                let list: Vec<String> = self
                    .change_points
                    .iter()
                    .map(|c| {
                        format!(
                            "{} {}",
                            render::commits(c),
                            c.change_pct
                                .map_or("changed".into(), |p| format!("{p:+.1}%"))
                        )
                    })
                    .collect();
                text.push_str(&list.join(", "));
                text.push('.');
            }
        }
        text
    }

    /// The y range drawn: the data and its spread, with the budget lines that are near it,
    /// padded by 5 %.
    fn range(&self) -> (f64, f64) {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for p in self.points {
            for v in [Some(p.value), p.low, p.high].into_iter().flatten() {
                (lo, hi) = (lo.min(v), hi.max(v));
            }
        }
        if !lo.is_finite() {
            return (0.0, 1.0);
        }
        // A budget line far from the data would squash it flat: it is drawn only when it is
        // within the data's span of it (the caption names it either way).
        let span = (hi - lo).max(hi.abs() * 0.01).max(f64::MIN_POSITIVE);
        for b in &self.budget {
            if b.value >= lo - span && b.value <= hi + span {
                (lo, hi) = (lo.min(b.value), hi.max(b.value));
            }
        }
        let pad = ((hi - lo) * 0.05)
            .max(hi.abs() * 0.005)
            .max(f64::MIN_POSITIVE);
        (lo - pad, hi + pad)
    }

    /// The level between change points: `(first index, last index, mean)`.
    fn levels(&self) -> Vec<(usize, usize, f64)> {
        let mut bounds: Vec<usize> = vec![0];
        bounds.extend(self.change_points.iter().map(|c| c.index));
        bounds.push(self.points.len());
        bounds
            .windows(2)
            .filter(|w| w[1] > w[0])
            .map(|w| {
                let seg = &self.points[w[0]..w[1]];
                let mean = seg.iter().map(|p| p.value).sum::<f64>() / seg.len() as f64;
                (w[0], w[1] - 1, mean)
            })
            .collect()
    }
}

/// Appends `values[1..]` as relative steps of `dx` across: `l1 -3 1 5 ...`.
fn steps(s: &mut String, values: &[i64], dx: i64) {
    for (k, w) in values.windows(2).enumerate() {
        let _ = write!(s, "{}{dx} {}", if k == 0 { "l" } else { " " }, w[1] - w[0]);
    }
}
