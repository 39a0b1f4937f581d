//! A stable digest of a backtest's results.
//!
//! FNV-1a (64-bit) is used rather than `DefaultHasher`, whose output may change between Rust
//! releases. The engine folds whole 64-bit words (the IEEE-754 bits of prices and equities), one
//! multiply per word, which keeps the digest cheap enough to run over every candle's equity.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// An FNV-1a state folding 64-bit words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Self(OFFSET_BASIS)
    }
}

impl Fnv1a {
    /// Folds one 64-bit word into the state.
    #[inline(always)]
    pub fn word(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(PRIME);
    }

    /// Folds the bits of a float.
    #[inline(always)]
    pub fn float(&mut self, value: f64) {
        self.word(value.to_bits());
    }

    /// The digest so far.
    pub fn finish(self) -> u64 {
        self.0
    }
}

/// Classic byte-wise FNV-1a of `bytes`.
pub fn fnv1a_bytes(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(OFFSET_BASIS, |h, &b| (h ^ u64::from(b)).wrapping_mul(PRIME))
}

/// What identifies a backtest's results: two runs that agree here did the same trades and ended
/// on the same equity path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fingerprint {
    /// Closed round-trip trades in the ledger.
    pub trades: u64,
    /// Equity at the last candle, open position marked at its close.
    pub final_equity: f64,
    /// 16 hex digits over the trade ledger and the equity of every candle.
    pub digest: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_fnv_matches_published_vectors() {
        assert_eq!(fnv1a_bytes(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a_bytes(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a_bytes(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn word_order_changes_the_digest() {
        let mut a = Fnv1a::default();
        a.word(1);
        a.word(2);
        let mut b = Fnv1a::default();
        b.word(2);
        b.word(1);
        assert_ne!(a.finish(), b.finish());
    }
}
