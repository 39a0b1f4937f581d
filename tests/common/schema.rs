//! The parts of bench.json that `bench` and `run` share, as a user's tool would read them: each
//! struct rejects unknown fields, so a renamed or added key fails a test.
#![allow(dead_code)] // fields are read by deserialization: that the keys parse is the assertion

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Distribution {
    pub min: f64,
    pub median: f64,
    pub p95: f64,
    pub mean: f64,
    pub stddev: f64,
    pub samples: Vec<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
    pub total_ms: f64,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Fingerprint {
    pub trades: u64,
    pub final_equity: f64,
    pub max_drawdown: f64,
    pub digest: String,
}

/// Every engine knob, as in a scenario's `[engine]` table.

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    pub perfsuite: String,
    pub build_profile: String,
    pub git_commit: Option<String>,
    pub git_branch: Option<String>,
    pub os: String,
    pub cpu: String,
    pub cores: usize,
    pub memory_mb: u64,
    pub valgrind: Option<String>,
}

/// Instruction counts of the measured runs, from callgrind.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Instructions {
    pub per_run: u64,
    pub samples: Vec<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phases {
    pub generation_s: f64,
    pub warmup_s: f64,
    pub measured_s: f64,
}

/// How a scenario's samples were taken (`sampling` in bench.json).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sampling {
    pub auto: Option<AutoRepeats>,
    pub repeats: u32,
    pub stopped: String,
    pub precision: Option<Precision>,
    pub sequential: Option<Sequential>,
    pub paired: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutoRepeats {
    pub min_repeats: u32,
    pub max_repeats: u32,
    pub max_time_s: f64,
    pub precision_pct: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Precision {
    pub stat: String,
    pub target_pct: f64,
    pub reached_pct: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sequential {
    pub alpha: f64,
    pub looks: u32,
    pub critical_z: f64,
    pub nominal_alpha: f64,
    pub z: f64,
}
