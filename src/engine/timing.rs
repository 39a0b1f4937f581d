//! Per-stage, per-batch wall times, recorded into storage allocated before the run.

use std::time::Instant;

/// The engine's stages, in the order a batch passes through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Validation of the raw candles and derived inputs (changes, true ranges).
    Ingest,
    /// EMA fast/slow, RSI and ATR.
    Indicators,
    /// Crossover signal filtered by RSI.
    Signal,
    /// Risk, sizing and order execution: fills, stops, the trade ledger.
    Execution,
    /// Mark-to-market equity, drawdown and the equity digest.
    Portfolio,
}

impl Stage {
    /// Every stage, in order.
    pub const ALL: [Stage; 5] = [
        Stage::Ingest,
        Stage::Indicators,
        Stage::Signal,
        Stage::Execution,
        Stage::Portfolio,
    ];

    /// The stage's name in bench.json.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Ingest => "ingest",
            Stage::Indicators => "indicators",
            Stage::Signal => "signal",
            Stage::Execution => "execution",
            Stage::Portfolio => "portfolio",
        }
    }
}

/// Nanoseconds each stage took on each batch, pooled over every timed run.
#[derive(Debug, Clone, Default)]
pub struct StageTimings {
    nanos: [Vec<u64>; Stage::ALL.len()],
}

impl StageTimings {
    /// Storage for `batches` batches per stage; recording within it never allocates.
    pub fn with_capacity(batches: usize) -> Self {
        Self {
            nanos: std::array::from_fn(|_| Vec::with_capacity(batches)),
        }
    }

    /// [`StageTimings::with_capacity`], or the allocator's refusal (a count from input may ask
    /// for more than the machine has).
    pub fn try_with_capacity(batches: usize) -> Result<Self, std::collections::TryReserveError> {
        let mut timings = Self::default();
        for column in &mut timings.nanos {
            column.try_reserve_exact(batches)?;
        }
        Ok(timings)
    }

    /// The per-batch times of `stage`, in nanoseconds.
    pub fn samples(&self, stage: Stage) -> &[u64] {
        // cannot panic: `nanos` has one column per variant of `Stage`.
        &self.nanos[stage as usize]
    }

    fn record(&mut self, stage: Stage, nanos: u64) {
        self.nanos[stage as usize].push(nanos);
    }
}

/// Reads the clock once per stage boundary when timing is on, never when it is off.
pub(crate) struct Stopwatch<'a> {
    timings: Option<&'a mut StageTimings>,
    last: Option<Instant>,
}

impl<'a> Stopwatch<'a> {
    pub(crate) fn new(timings: Option<&'a mut StageTimings>) -> Self {
        Self {
            timings,
            last: None,
        }
    }

    /// Marks the start of a batch.
    #[inline(always)]
    pub(crate) fn start(&mut self) {
        if self.timings.is_some() {
            self.last = Some(Instant::now());
        }
    }

    /// Charges the time since the last mark to `stage`.
    #[inline(always)]
    pub(crate) fn lap(&mut self, stage: Stage) {
        if let (Some(timings), Some(last)) = (self.timings.as_deref_mut(), self.last) {
            let now = Instant::now();
            timings.record(stage, now.duration_since(last).as_nanos() as u64);
            self.last = Some(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timings_made_for_n_batches_hold_n_without_growing() {
        // Recording must not allocate inside the timed loop: the columns are reserved up front.
        let made = [
            StageTimings::with_capacity(1000),
            StageTimings::try_with_capacity(1000).unwrap(),
        ];
        for timings in made {
            assert!(timings.nanos.iter().all(|column| column.capacity() >= 1000));
        }
    }
}
