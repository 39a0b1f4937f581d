//! The engine's hot loop allocates nothing per candle: a counting global allocator watches
//! `Engine::run` over series of very different lengths. Only the trade ledger may grow, and it
//! grows by doubling, so its allocations rise with the logarithm of the trade count.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use perfsuite::engine::candles::generate;
use perfsuite::engine::settings::EngineSettings;
use perfsuite::engine::timing::StageTimings;
use perfsuite::engine::Engine;

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by one timed run over `candles` candles, with the engine and the timing
/// storage set up beforehand as `measure` does.
fn allocations_during_a_run(candles: usize) -> (usize, u64) {
    let series = generate(candles, 1337, "BTCUSDT");
    let mut engine = Engine::new(EngineSettings::default());
    let mut timings = StageTimings::with_capacity(engine.batches(series.len()));
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let outcome = engine.run(&series, Some(&mut timings)).unwrap();
    (ALLOCATIONS.load(Ordering::Relaxed) - before, outcome.trades)
}

#[test]
fn a_run_allocates_nothing_per_candle() {
    let (small, small_trades) = allocations_during_a_run(20_000);
    let (large, large_trades) = allocations_during_a_run(1_000_000);
    assert!(
        large_trades > 10 * small_trades,
        "the long run trades more: {small_trades} vs {large_trades}"
    );
    // The ledger's doublings show the counter works: more trades, a few more allocations.
    assert!(
        large > small,
        "the counter saw no ledger growth: {small} vs {large}"
    );
    // 50x the candles: per-candle allocation would show up as tens of thousands of calls.
    assert!(large <= 32, "{large} allocations in a 1M-candle run");
    assert!(
        large - small <= 8,
        "allocations grew with candles: {small} -> {large}"
    );
}
