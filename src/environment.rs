//! Where and with what a measurement was taken: recorded in every result so that numbers from
//! different machines or build profiles are never compared unawares.

use std::process::Command;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sysinfo::{CpuRefreshKind, System};

/// The machine, build and source revision of a measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Environment {
    /// perfsuite's version.
    pub perfsuite: String,
    /// `release` or `debug`: numbers from the two are not comparable.
    pub build_profile: String,
    /// The git commit measured, if known.
    pub git_commit: Option<String>,
    /// The git branch measured, if known.
    pub git_branch: Option<String>,
    /// Operating system and version.
    pub os: String,
    /// CPU model.
    pub cpu: String,
    /// Logical cores.
    pub cores: usize,
    /// Total memory in MiB.
    pub memory_mb: u64,
    /// `valgrind --version` of the valgrind that counted instructions; `None` when none did.
    #[serde(default)]
    pub valgrind: Option<String>,
}

/// This build's profile.
pub fn build_profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}

impl Environment {
    /// Reads the environment of this process: sysinfo for the machine; git for the revision,
    /// else GitHub Actions' `GITHUB_SHA` and `GITHUB_HEAD_REF` / `GITHUB_REF_NAME`.
    pub fn detect() -> Self {
        let mut system = System::new().ok();
        if let Some(s) = system.as_mut() {
            s.refresh_memory();
            s.refresh_cpu_list(CpuRefreshKind::nothing());
        }
        let cpus = system.as_ref().map(|s| s.cpus()).unwrap_or_default();
        let os = [System::name().ok(), System::os_version().ok()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let (commit, branch) = git_revision();
        Self {
            perfsuite: env!("CARGO_PKG_VERSION").to_owned(),
            build_profile: build_profile().to_owned(),
            git_commit: commit.or_else(|| non_empty_var("GITHUB_SHA")),
            git_branch: branch
                .or_else(|| non_empty_var("GITHUB_HEAD_REF"))
                .or_else(|| non_empty_var("GITHUB_REF_NAME")),
            os: if os.is_empty() {
                std::env::consts::OS.to_owned()
            } else {
                os
            },
            cpu: cpus
                .first()
                .map(|c| c.brand().trim().to_owned())
                .unwrap_or_default(),
            cores: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(cpus.len()),
            memory_mb: system
                .map(|s| s.total_memory() / (1024 * 1024))
                .unwrap_or(0),
            valgrind: None,
        }
    }
}

/// The commit and branch checked out in the current folder, from one `git` call (every child
/// measuring a scenario asks); the branch is `None` on a detached HEAD.
fn git_revision() -> (Option<String>, Option<String>) {
    let Ok(out) = Command::new("git")
        .args(["rev-parse", "HEAD", "--abbrev-ref", "HEAD"])
        .stderr(std::process::Stdio::null())
        .output()
    else {
        return (None, None);
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    match (out.status.success(), lines.next(), lines.next()) {
        (true, Some(commit), branch) => (
            Some(commit.to_owned()),
            branch.filter(|&b| b != "HEAD").map(str::to_owned),
        ),
        _ => (None, None),
    }
}

fn non_empty_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Peak resident memory of this process in MiB (Linux `VmHWM`); `None` where unknown.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// The current time as RFC 3339 in UTC, to the second.
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    rfc3339(secs as i64)
}

/// `secs` since the Unix epoch as RFC 3339 in UTC (civil-from-days, Howard Hinnant's method).
fn rfc3339(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_704_067_200), "2024-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_709_210_096), "2024-02-29T12:34:56Z");
    }

    #[test]
    fn peak_rss_is_known_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(peak_rss_mb().is_some_and(|mb| mb > 0.0));
        }
    }
}
