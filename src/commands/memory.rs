//! How much memory a measurement may use: the machine's, the container's, `ulimit -v`, or
//! what [`MEMORY_LIMIT_VAR`] says. `bench` refuses a measurement estimated to need more; `run`,
//! `ab` and `calibrate` check the variable up front.

use sysinfo::System;

use crate::error::Error;

/// Environment variable that sets the memory a measurement may use, in MiB, in place of the
/// memory the machine reports as available: for tests, and for hosts where the detection is
/// wrong (a limit the cgroup does not show). A measurement estimated to need more is refused
/// before it starts (exit 3 for `bench`, an `error` row in `run`).
pub const MEMORY_LIMIT_VAR: &str = "PERFSUITE_MEMORY_LIMIT_MB";

/// The memory this process may use, in bytes, and where the figure comes from:
/// [`MEMORY_LIMIT_VAR`] if set, else the smallest of the system's available memory, what the
/// cgroup (container) leaves free, and the address-space limit (`ulimit -v`, which a child
/// inherits). `None` where nothing tells.
pub fn available_memory() -> Result<Option<(u64, &'static str)>, Error> {
    if let Some(mib) = memory_limit_mib()? {
        return Ok(Some((mib.saturating_mul(1 << 20), MEMORY_LIMIT_VAR)));
    }
    let mut figures = vec![(address_space_limit(), "ulimit -v")];
    if let Ok(mut system) = System::new() {
        system.refresh_memory();
        figures.push((Some(system.available_memory()), "MemAvailable"));
        let cgroup = system.cgroup_limits().map(|c| c.free_memory);
        figures.push((cgroup, "free in this container's cgroup"));
    }
    // A figure of 0 means the platform does not know.
    Ok(figures
        .into_iter()
        .filter_map(|(bytes, source)| Some((bytes.filter(|&b| b > 0)?, source)))
        .min_by_key(|&(bytes, _)| bytes))
}

/// [`MEMORY_LIMIT_VAR`] in MiB, if set. A value that is not a whole number of MiB is an error
/// naming the variable and the value: `run`, `ab` and `calibrate` call this before measuring
/// anything, so a typo is exit 2 up front instead of an error row for every scenario.
pub fn memory_limit_mib() -> Result<Option<u64>, Error> {
    let Some(value) = std::env::var_os(MEMORY_LIMIT_VAR) else {
        return Ok(None);
    };
    let mib = value.to_str().and_then(|v| v.trim().parse::<u64>().ok());
    mib.map(Some).ok_or_else(|| {
        Error::Input(format!(
            "{MEMORY_LIMIT_VAR} must be a whole number of MiB, got `{}`",
            crate::output::escape::shown(std::path::Path::new(&value))
        ))
    })
}

/// The soft address-space limit (`ulimit -v`) in bytes; `None` when unlimited.
fn address_space_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes the struct it is given.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut limit) } == 0;
    (ok && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur)
}
