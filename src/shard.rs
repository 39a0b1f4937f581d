//! Splitting a suite over CI machines: `--shard K/N`.

use std::fmt;
use std::str::FromStr;

/// The most shards a suite may be split into. [`select`] keeps one counter per shard, so an
/// absurd count (`--shard 1/18446744073709551615`) must be refused, not allocated.
pub const MAX_SHARDS: usize = 10_000;

/// Shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, 1 ..= count.
    pub index: usize,
    /// How many shards.
    pub count: usize,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let parsed = s
            .split_once('/')
            .and_then(|(k, n)| Some((k.trim().parse().ok()?, n.trim().parse().ok()?)));
        match parsed {
            Some((_, count)) if count > MAX_SHARDS => Err(format!(
                "at most {MAX_SHARDS} shards, got {count}: a CI matrix is far smaller"
            )),
            Some((index, count)) if count >= 1 && (1..=count).contains(&index) => {
                Ok(Shard { index, count })
            }
            Some((_, count)) if count >= 1 => {
                Err(format!("shard must be 1 ..= {count}, as in `1/{count}`"))
            }
            _ => Err("expected K/N with 1 <= K <= N, as in `2/3`".to_owned()),
        }
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Assigns each of `costs` (in the suite's sorted order) to a shard and returns the indices of
/// those in `shard`. Greedy longest-processing-time: costliest first, each to the shard with the
/// least work so far, ties to the lower shard and, among equal costs, the earlier item first —
/// so the split is deterministic, every item lands in exactly one shard, and shards carry
/// similar work rather than similar counts.
pub fn select(costs: &[u64], shard: Shard) -> Vec<usize> {
    let mut order: Vec<usize> = (0..costs.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(costs[i]), i));
    let mut load = vec![0u64; shard.count];
    let mut mine = Vec::new();
    for i in order {
        let target = (0..shard.count)
            .min_by_key(|&s| (load[s], s))
            .expect("at least one shard");
        load[target] = load[target].saturating_add(costs[i]);
        if target + 1 == shard.index {
            mine.push(i);
        }
    }
    mine.sort_unstable();
    mine
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_values_are_validated() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
        for bad in [
            "0/3",
            "4/3",
            "x/2",
            "1/0",
            "3",
            "",
            "1/10001",
            "1/18446744073709551615",
        ] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert!("10000/10000".parse::<Shard>().is_ok());
    }

    #[test]
    fn shards_are_disjoint_and_cover_everything() {
        let costs = [50, 200, 200, 5000, 10, 10, 999, 1];
        for n in 1..=5 {
            let mut all: Vec<usize> = (1..=n)
                .flat_map(|k| select(&costs, Shard { index: k, count: n }))
                .collect();
            all.sort_unstable();
            assert_eq!(all, (0..costs.len()).collect::<Vec<_>>(), "n={n}");
        }
    }

    #[test]
    fn shards_balance_work_not_counts() {
        let costs = [1000, 10, 10, 10, 10];
        assert_eq!(select(&costs, Shard { index: 1, count: 2 }), vec![0]);
        assert_eq!(
            select(&costs, Shard { index: 2, count: 2 }),
            vec![1, 2, 3, 4]
        );
    }
}
