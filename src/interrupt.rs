//! Ctrl-C (SIGINT), SIGTERM or SIGHUP (a closed terminal) during a run: instead of dying
//! mid-write, perfsuite notes the signal, kills the running child's process group, releases the
//! results folder, and exits with 130.

use std::sync::atomic::{AtomicBool, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigint(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Routes SIGINT, SIGTERM and SIGHUP to a flag that [`requested`] reads. Call once, before the first
/// child starts.
pub fn install() {
    let handler = on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
        libc::signal(libc::SIGHUP, handler);
    }
}

/// Whether an interruption was requested.
pub fn requested() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}
