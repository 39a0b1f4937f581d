//! Any bytes as command-line values, split at NUL bytes: the first as a `--shard` value, the
//! first two as a `--filter` pattern and a scenario name, all as a command line. A shard parses
//! to a valid one or is refused; a filter answers without panicking; clap parses or refuses.
#![no_main]

use std::str::FromStr;

use clap::Parser;
use libfuzzer_sys::fuzz_target;
use perfsuite::cli::Cli;
use perfsuite::commands::matches_filter;
use perfsuite::shard::{select, Shard};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parts: Vec<&str> = text.split('\0').collect();
    if let Ok(shard) = Shard::from_str(parts[0]) {
        assert!((1..=shard.count).contains(&shard.index));
        let costs: Vec<u64> = data.iter().map(|&b| u64::from(b) << 32).collect();
        assert!(select(&costs, shard).iter().all(|&i| i < costs.len()));
    }
    let (pattern, name) = (parts[0], parts.get(1).copied().unwrap_or_default());
    let matched = matches_filter(pattern, name);
    if !pattern.contains(['*', '?']) {
        assert_eq!(matched, name.contains(pattern));
    }
    assert!(matches_filter("*", name));
    let _ = Cli::try_parse_from(std::iter::once("perfsuite").chain(parts.iter().copied()));
});
