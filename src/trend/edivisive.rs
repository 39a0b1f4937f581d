//! Change points in a noisy series by E-divisive means with a t-test, the method of Apache
//! Otava (formerly DataStax Hunter; Fleming et al., "Hunter: Using Change Point Detection to
//! Hunt for Performance Regressions", ICPE 2023), after Matteson and James (2014).
//!
//! 1. **Split.** Windows of `window` points, each starting half a window on (or at the last
//!    change point found), are split recursively: the split maximising the energy statistic
//!    Q̂ (pairwise distances across the split against those within each side) is kept while
//!    Student's t-test on the two sides has p below `max_p_value`. Where Otava tests
//!    significance by t-test too, the original E-divisive tests by random permutations; this
//!    one uses none, so the result is deterministic.
//! 2. **Merge.** Over the whole series, each candidate is tested against its neighbours'
//!    segments; the weakest (largest p) is dropped while it is not significant, and its
//!    neighbours are tested again. Each survivor then moves to the split of its neighbouring
//!    segments with the smallest p-value (a window locates a step near its edge only roughly).
//! 3. **Robust.** Every test (after the split step) is Student's t-test made robust to odd
//!    points: a change counts only if it is also significant with the [`TRIM`] points of either
//!    segment that most support it left out, so no level rests on a spike or two.
//! 4. **Pending.** A step whose new level has fewer than `min_points` points (but at least
//!    [`PENDING_MIN`]) is reported as pending: too young to confirm.
//!
//! Every segment between confirmed change points holds at least `min_points` points, so a
//! single spike is never one. Distances are computed once per window into a 2-D prefix sum,
//! so each Q̂ costs O(1) and a window O(window²): linear in the series' length.

use super::ttest::{p_value, Moments};

/// How many of the points that most support a change the robust test leaves out.
const TRIM: usize = 2;

/// The fewest points a pending new level needs: one or two odd points are no level.
pub const PENDING_MIN: usize = 3;

/// The detector's parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// A split counts when the t-test's p-value is below this.
    pub max_p_value: f64,
    /// The fewest points in a segment between confirmed change points.
    pub min_points: usize,
    /// Points per window of the split step.
    pub window: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            max_p_value: 0.001,
            min_points: 6,
            window: 50,
        }
    }
}

/// A change point: the series' level changes at `index`, the first point of the new level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Split {
    /// Index of the first point after the change.
    pub index: usize,
    /// The segment before, back to the previous change point.
    pub before: Moments,
    /// The segment after, up to the next change point.
    pub after: Moments,
    /// The t-test's two-sided p-value.
    pub p_value: f64,
    /// The new level has fewer than `min_points` points.
    pub pending: bool,
}

/// The change points of `values`, in order; a pending one last, if any.
pub fn change_points(values: &[f64], settings: &Settings) -> Vec<Split> {
    let settings = Settings {
        min_points: settings.min_points.max(PENDING_MIN + 1),
        window: settings
            .window
            .max(4 * settings.min_points.max(PENDING_MIN + 1)),
        ..*settings
    };
    let series = Series::new(values);
    let mut indices = split(values, &settings);
    merge(&mut indices, &series, &settings);
    refine(&mut indices, &series, &settings);
    let mut splits: Vec<Split> = (0..indices.len())
        .map(|i| series.split(&indices, i, settings.min_points))
        .filter(|s| s.p_value < settings.max_p_value)
        .collect();
    if splits.last().is_none_or(|s| !s.pending) {
        let start = splits.last().map_or(0, |s| s.index);
        splits.extend(pending(start, &series, &settings));
    }
    splits
}

/// A series with prefix sums (shifted by its mean, for precision): segment moments in O(1).
struct Series<'a> {
    x: &'a [f64],
    sum: Vec<f64>,
    squares: Vec<f64>,
    shift: f64,
}

impl<'a> Series<'a> {
    fn new(x: &'a [f64]) -> Self {
        let shift = x.iter().sum::<f64>() / x.len().max(1) as f64;
        let (mut sum, mut squares) = (
            Vec::with_capacity(x.len() + 1),
            Vec::with_capacity(x.len() + 1),
        );
        let (mut s, mut q) = (0.0, 0.0);
        sum.push(s);
        squares.push(q);
        for v in x {
            let c = v - shift;
            s += c;
            q += c * c;
            sum.push(s);
            squares.push(q);
        }
        Self {
            x,
            sum,
            squares,
            shift,
        }
    }

    fn len(&self) -> usize {
        self.x.len()
    }

    /// Moments of `x[a..b]`.
    fn moments(&self, a: usize, b: usize) -> Moments {
        let n = b - a;
        let s = self.sum[b] - self.sum[a];
        let mean = s / n.max(1) as f64;
        let ss = (self.squares[b] - self.squares[a] - s * mean).max(0.0);
        Moments {
            n,
            mean: mean + self.shift,
            ss,
        }
    }

    /// `x[start..tau]` against `x[tau..end]`, made robust to one odd point: the p-value is the
    /// largest of the t-test on the two segments and of the tests with either segment's point
    /// that most supports the change left out. A level that rests on one spike is no level.
    fn test(&self, start: usize, tau: usize, end: usize) -> (Moments, Moments, f64) {
        let (before, after) = (self.moments(start, tau), self.moments(tau, end));
        let up = after.mean > before.mean;
        let p = p_value(before, after)
            .max(p_value(before, trimmed(after, &self.x[tau..end], up)))
            .max(p_value(trimmed(before, &self.x[start..tau], !up), after));
        (before, after, p)
    }

    /// The change point `indices[i]` tested against its neighbours' segments; pending when it
    /// is the last and its new level is shorter than `min_points`.
    fn split(&self, indices: &[usize], i: usize, min_points: usize) -> Split {
        let start = if i == 0 { 0 } else { indices[i - 1] };
        let end = indices.get(i + 1).copied().unwrap_or(self.len());
        let (before, after, p_value) = self.test(start, indices[i], end);
        Split {
            index: indices[i],
            before,
            after,
            p_value,
            pending: end == self.len() && end - indices[i] < min_points,
        }
    }
}

/// The moments `m` of `seg` without its [`TRIM`] highest points (or lowest, if not `highest`).
fn trimmed(m: Moments, seg: &[f64], highest: bool) -> Moments {
    let mut top = [f64::NAN; TRIM];
    for &v in seg {
        let worse = |t: f64| t.is_nan() || (v > t) == highest;
        if let Some(k) = (0..TRIM).find(|&k| worse(top[k])) {
            top[k..].rotate_right(1);
            top[k] = v;
        }
    }
    top.iter()
        .filter(|t| !t.is_nan())
        .fold(m, |m, &v| without(m, v))
}

/// `m` without the point `v`.
fn without(m: Moments, v: f64) -> Moments {
    if m.n < 2 {
        return m;
    }
    let n = m.n - 1;
    let mean = (m.mean * m.n as f64 - v) / n as f64;
    Moments {
        n,
        mean,
        ss: (m.ss - (v - m.mean) * (v - mean)).max(0.0),
    }
}

/// The split step: candidate change points from overlapping windows, sorted and unique.
fn split(values: &[f64], settings: &Settings) -> Vec<usize> {
    let mut found = Vec::new();
    let mut distances = PairSums::default();
    let mut start = 0;
    while start < values.len() {
        let end = (start + settings.window).min(values.len());
        let new = split_window(&values[start..end], &mut distances, settings);
        let last = new.last().map_or(0, |i| start + i);
        found.extend(new.iter().map(|i| start + i));
        if end == values.len() {
            break;
        }
        start = last.max(start + settings.window / 2);
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// Recursive E-divisive splitting of one window: the split with the largest Q̂ over every
/// segment, kept while significant. Each segment's best split is searched once: splitting one
/// segment leaves the best splits of the others as they were. `distances` is the table's
/// memory, reused from window to window.
fn split_window(x: &[f64], distances: &mut PairSums, settings: &Settings) -> Vec<usize> {
    distances.fill(x);
    let sums = Series::new(x);
    let m = settings.min_points;
    // Each segment as (start, end, its best split as (Q̂, tau)), in order.
    let mut segments = vec![(0, x.len(), distances.best_split(0, x.len(), m))];
    loop {
        // The first segment with the largest Q̂, as a scan of every split in order would find.
        let mut best: Option<(f64, usize)> = None;
        for (k, &(_, _, split)) in segments.iter().enumerate() {
            if let Some((q, _)) = split {
                if best.is_none_or(|(b, _)| q > b) {
                    best = Some((q, k));
                }
            }
        }
        let Some((_, k)) = best else { break };
        let (a, e, Some((_, tau))) = segments[k] else {
            unreachable!("the best segment has a split")
        };
        if p_value(sums.moments(a, tau), sums.moments(tau, e)) >= settings.max_p_value {
            break;
        }
        segments[k] = (a, tau, distances.best_split(a, tau, m));
        segments.insert(k + 1, (tau, e, distances.best_split(tau, e, m)));
    }
    // cannot panic: `segments` starts with one entry and only grows.
    segments[1..].iter().map(|&(start, ..)| start).collect()
}

/// A 2-D prefix sum of the pairwise distances |x_i - x_j| of a window (`s[b * n + d]` is the
/// sum over i < b, j < d), with what Q̂ needs beside it to be computed without a division.
#[derive(Default)]
struct PairSums {
    n: usize,
    s: Vec<f64>,
    /// `s` along its diagonal: the sum over i, j < k at `k`.
    diagonal: Vec<f64>,
    /// `k as f64`, `1 / (k - 1)` and `1 / k` at `k`, for every length in the window.
    counts: Vec<f64>,
    inverse_less_one: Vec<f64>,
    inverse: Vec<f64>,
    /// Q̂ over the `kappa` of one `tau`.
    scratch: Vec<f64>,
}

impl PairSums {
    #[cfg(test)]
    fn new(x: &[f64]) -> Self {
        let mut sums = Self::default();
        sums.fill(x);
        sums
    }

    /// Makes this the table of `x`, reusing its memory.
    fn fill(&mut self, x: &[f64]) {
        let n = x.len() + 1;
        self.n = n;
        // Row 0 and column 0 stay 0; every other cell is written below. Windows are mostly of
        // one size, so the table is rarely cleared.
        if self.s.len() != n * n {
            self.s.clear();
            self.s.resize(n * n, 0.0);
        }
        for (i, &xi) in x.iter().enumerate() {
            let (done, rest) = self.s.split_at_mut((i + 1) * n);
            let above = &done[i * n + 1..];
            let mut row = 0.0;
            for ((cell, &up), &xj) in rest[1..n].iter_mut().zip(above).zip(x) {
                row += (xi - xj).abs();
                *cell = up + row;
            }
        }
        self.diagonal.clear();
        self.diagonal
            .extend(self.s.iter().step_by(n + 1).copied().take(n));
        for k in self.counts.len()..n {
            let k = k as f64;
            self.counts.push(k);
            self.inverse_less_one.push(1.0 / (k - 1.0));
            self.inverse.push(1.0 / k);
        }
    }

    /// Q̂ of X = x[a..tau], Y = x[tau..kappa] for every `kappa` in `first..=last`, into `out`.
    /// With n = |X|, m = |Y|, Q̂ is
    /// 2/(n+m) Σ|X-Y| - 2m/((n+m)(n-1)) Σ_{i<k}|X_i-X_k| - 2n/((n+m)(m-1)) Σ_{j<k}|Y_j-Y_k|,
    /// here computed from the table's rows `a` and `tau` and its diagonal, all read along
    /// `kappa` (the sum over i < kappa, j < tau is read as the equal one over i < tau,
    /// j < kappa), with the divisions looked up as inverses: a loop the compiler vectorises.
    fn q_over_kappa(&self, a: usize, tau: usize, first: usize, last: usize, out: &mut Vec<f64>) {
        let n = self.n;
        let (row_a, row_tau) = (&self.s[a * n..][..n], &self.s[tau * n..][..n]);
        let x_len = (tau - a) as f64;
        let cross = row_a[tau] - row_tau[tau];
        // 2 / (n - 1) times the sum within X, Σ_{i<k}|X_i-X_k|.
        let within_x = (row_tau[tau] - 2.0 * row_a[tau] + row_a[a]) / (x_len - 1.0);
        let tau_tau = row_tau[tau];
        let kappas = first..last + 1;
        let row_tau = &row_tau[kappas.clone()];
        let len = row_tau.len();
        let row_a = &row_a[kappas.clone()][..len];
        let diagonal = &self.diagonal[kappas][..len];
        let y_len = &self.counts[first - tau..][..len];
        let y_inverse = &self.inverse_less_one[first - tau..][..len];
        let all_inverse = &self.inverse[first - a..][..len];
        out.clear();
        out.extend((0..len).map(|k| {
            let across = row_tau[k] - row_a[k] + cross;
            let within_y = diagonal[k] - 2.0 * row_tau[k] + tau_tau;
            (2.0 * across - y_len[k] * within_x - x_len * within_y * y_inverse[k]) * all_inverse[k]
        }));
    }

    /// Q̂ of X = x[a..tau], Y = x[tau..kappa] (see [`PairSums::q_over_kappa`]).
    #[cfg(test)]
    fn q(&self, a: usize, tau: usize, kappa: usize) -> f64 {
        let mut out = Vec::new();
        self.q_over_kappa(a, tau, kappa, kappa, &mut out);
        out[0]
    }

    /// The split of `x[a..e]` with the largest Q̂ over every `tau` and `kappa` leaving at least
    /// `m` points on either side, as `(Q̂, tau)`: the first `tau` in order, on a tie.
    fn best_split(&mut self, a: usize, e: usize, m: usize) -> Option<(f64, usize)> {
        let mut scratch = std::mem::take(&mut self.scratch);
        let mut best: Option<(f64, usize)> = None;
        for tau in a + m..=e.saturating_sub(m) {
            if tau + m > e {
                continue;
            }
            self.q_over_kappa(a, tau, tau + m, e, &mut scratch);
            let q = scratch.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if best.is_none_or(|(b, _)| q > b) {
                best = Some((q, tau));
            }
        }
        self.scratch = scratch;
        best
    }
}

/// The merge step: drops the weakest candidate while it is not significant or leaves a segment
/// shorter than `min_points`. A candidate's test depends only on its neighbours, so dropping one
/// tests again only the two beside it.
fn merge(indices: &mut Vec<usize>, series: &Series, settings: &Settings) {
    let judge = |indices: &[usize], i: usize| {
        let s = series.split(indices, i, settings.min_points);
        let short = s.before.n < settings.min_points || s.after.n < settings.min_points;
        (short, s.p_value)
    };
    let mut judged: Vec<(bool, f64)> = (0..indices.len()).map(|i| judge(indices, i)).collect();
    loop {
        // The last of the weakest, short ones first.
        let weakest = judged
            .iter()
            .copied()
            .enumerate()
            .max_by(|(_, (sx, px)), (_, (sy, py))| sx.cmp(sy).then(px.total_cmp(py)));
        match weakest {
            Some((i, (short, p))) if short || p >= settings.max_p_value => {
                indices.remove(i);
                judged.remove(i);
                for j in [i.checked_sub(1), Some(i)].into_iter().flatten() {
                    if j < indices.len() {
                        judged[j] = judge(indices, j);
                    }
                }
            }
            _ => return,
        }
    }
}

/// Moves each change point to the split of its two neighbouring segments with the smallest
/// p-value (the nearest to where it was, on a tie), where that is still significant: windows
/// locate a step only roughly when it sits near their edge. The last one may move to within
/// [`PENDING_MIN`] points of the end, where it becomes pending.
fn refine(indices: &mut [usize], series: &Series, settings: &Settings) {
    for i in 0..indices.len() {
        let start = if i == 0 { 0 } else { indices[i - 1] };
        let end = indices.get(i + 1).copied().unwrap_or(series.len());
        let right = if end == series.len() {
            PENDING_MIN
        } else {
            settings.min_points
        };
        let at = indices[i];
        let mut best: Option<(f64, usize)> = None;
        for tau in start + settings.min_points..=end.saturating_sub(right) {
            let p = p_value(series.moments(start, tau), series.moments(tau, end));
            let better = best.is_none_or(|(q, b)| {
                p.total_cmp(&q)
                    .then(tau.abs_diff(at).cmp(&b.abs_diff(at)))
                    .is_lt()
            });
            if better {
                best = Some((p, tau));
            }
        }
        if let Some((_, tau)) = best {
            if series.test(start, tau, end).2 < settings.max_p_value {
                indices[i] = tau;
            }
        }
    }
}

/// A new level at the end of the series, after `start`, shorter than `min_points`, that
/// differs significantly from the segment before it.
fn pending(start: usize, series: &Series, settings: &Settings) -> Option<Split> {
    let n = series.len();
    (PENDING_MIN..settings.min_points)
        .filter(|&r| n >= start + settings.min_points + r)
        .map(|r| {
            let (before, after, p_value) = series.test(start, n - r, n);
            Split {
                index: n - r,
                before,
                after,
                p_value,
                pending: true,
            }
        })
        .filter(|s| s.p_value < settings.max_p_value)
        .min_by(|a, b| a.p_value.total_cmp(&b.p_value))
}

#[cfg(test)]
mod tests;
