//! The trade ledger: every closed round trip, and a running digest of them.

use super::fingerprint::Fnv1a;

/// Why a position was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitReason {
    /// The strategy's exit signal, filled at the next open.
    Signal,
    /// The stop-loss, inside the bar.
    StopLoss,
}

/// One closed round trip.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trade {
    /// Candle index of the entry fill.
    pub entry_index: u64,
    /// Candle index of the exit fill.
    pub exit_index: u64,
    /// Quantity held.
    pub quantity: f64,
    /// Entry price, slippage included.
    pub entry_price: f64,
    /// Exit price, slippage included.
    pub exit_price: f64,
    /// Commission paid on both fills.
    pub fees: f64,
    /// Profit after fees.
    pub pnl: f64,
    /// Why it closed.
    pub exit: ExitReason,
}

/// Closed trades in order, with their digest.
#[derive(Debug, Default)]
pub struct Ledger {
    trades: Vec<Trade>,
    digest: Fnv1a,
}

impl Ledger {
    /// Empties the ledger, keeping its storage.
    pub(crate) fn clear(&mut self) {
        self.trades.clear();
        self.digest = Fnv1a::default();
    }

    pub(crate) fn record(&mut self, t: Trade) {
        for word in [t.entry_index, t.exit_index, t.exit as u64] {
            self.digest.word(word);
        }
        for value in [t.quantity, t.entry_price, t.exit_price, t.fees, t.pnl] {
            self.digest.float(value);
        }
        self.trades.push(t);
    }

    /// The closed trades, oldest first.
    pub fn trades(&self) -> &[Trade] {
        &self.trades
    }

    pub(crate) fn digest(&self) -> Fnv1a {
        self.digest
    }
}
