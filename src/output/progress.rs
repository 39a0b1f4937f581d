//! The progress line on stderr: scenario i/N, what the child is doing, elapsed time. Shown only
//! when stderr is a terminal, so logs and pipes stay clean.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use super::escape::one_line;

/// A single, rewritten status line.
pub struct ProgressLine {
    enabled: bool,
    started: Instant,
    total: usize,
    prefix: String,
}

impl ProgressLine {
    /// A progress line for `total` scenarios; silent when `quiet` or stderr is not a terminal.
    pub fn new(quiet: bool, total: usize) -> Self {
        Self {
            enabled: !quiet && std::io::stderr().is_terminal(),
            started: Instant::now(),
            total,
            prefix: String::new(),
        }
    }

    /// Starts scenario `index` (0-based).
    pub fn scenario(&mut self, index: usize, name: &str) {
        self.prefix = format!("[{}/{}] {name}", index + 1, self.total);
        self.show("starting");
    }

    /// Shows what the current scenario is doing.
    pub fn show(&self, status: &str) {
        if self.enabled {
            let elapsed = self.started.elapsed().as_secs_f64();
            let mut err = std::io::stderr().lock();
            // The status may quote a child's progress line, and a base build is any program.
            let (prefix, status) = (one_line(&self.prefix), one_line(status));
            let _ = write!(err, "\r\x1b[2K{prefix}: {status} · {elapsed:.1}s");
            let _ = err.flush();
        }
    }

    /// Erases the line, before anything else is printed.
    pub fn clear(&self) {
        if self.enabled {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}
