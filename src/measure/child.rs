//! Running one child process safely: whatever the child does, perfsuite keeps control.
//!
//! [`run`] puts the child in a process group of its own, reads its stdout and stderr on separate
//! threads with a byte cap each, and waits for it while watching a deadline and perfsuite's own
//! interruption flag (SIGINT, SIGTERM, SIGHUP). At the deadline, on an interruption, or when a
//! stream passes its cap, the whole group is killed, so a wrapper script that does not `exec`, or
//! a background process it left behind, cannot outlive the child. When the child exits, its group
//! is killed as well, before the child is reaped (so the group id cannot have been reused).
//! Waiting never blocks on a pipe: a process outside the group that holds a pipe open only costs
//! a short grace period, after which the output read so far is used.

use std::io::{self, Read};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The default cap on a child's stdout and on its stderr: 64 MiB, as for every input.
pub const OUTPUT_CAP: usize = crate::input::MAX_INPUT_BYTES;

/// How many of the child's last stderr lines are kept for an error message.
const TAIL_LINES: usize = 200;
/// Longest stderr line kept, in bytes; longer lines are cut.
const LINE_CAP: usize = 2000;
/// How long to wait for the pipes to close after the child's group was killed.
const PIPE_GRACE: Duration = Duration::from_millis(500);
/// How often the deadline and the interruption flag are looked at.
const POLL: Duration = Duration::from_millis(5);

/// A time limit, shared by every child process that serves one scenario.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    /// `None`: so far away that `Instant` cannot represent it, so never reached.
    at: Option<Instant>,
    limit: Duration,
}

impl Deadline {
    /// `seconds` from now. Any number of seconds from 0 up is accepted: one too large to
    /// represent is a deadline never reached. `None` for a negative number or NaN.
    pub fn after_secs(seconds: f64) -> Option<Self> {
        if seconds.is_nan() || seconds < 0.0 {
            return None;
        }
        // cannot panic: a limit too large (1e300 s) is Duration::MAX, never reached.
        let limit = Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX);
        Some(Self::after(limit))
    }

    /// `limit` from now.
    pub fn after(limit: Duration) -> Self {
        Self {
            at: Instant::now().checked_add(limit),
            limit,
        }
    }

    fn passed(&self) -> bool {
        self.at.is_some_and(|at| Instant::now() > at)
    }

    /// The limit, as given.
    pub fn limit(&self) -> Duration {
        self.limit
    }
}

/// What a child may do before it is stopped.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Kill the child's group when this passes.
    pub deadline: Option<Deadline>,
    /// Most bytes read from stdout; more kills the group.
    pub stdout_cap: usize,
    /// Most bytes read from stderr; more kills the group.
    pub stderr_cap: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            deadline: None,
            stdout_cap: OUTPUT_CAP,
            stderr_cap: OUTPUT_CAP,
        }
    }
}

/// How a child run ended.
#[derive(Debug)]
pub enum End {
    /// The child exited by itself (its leftover group was killed after).
    Exited(ExitStatus),
    /// The deadline passed; the group was killed.
    TimedOut(Duration),
    /// perfsuite was asked to stop (SIGINT, SIGTERM, SIGHUP); the group was killed.
    Interrupted,
    /// The child printed more than the cap on a stream; the group was killed.
    Flooded {
        /// `stdout` or `stderr`.
        stream: &'static str,
        /// The cap, in bytes.
        cap: usize,
    },
}

/// A finished child run.
#[derive(Debug)]
pub struct Finished {
    /// How it ended.
    pub end: End,
    /// Everything read from stdout (at most the cap).
    pub stdout: Vec<u8>,
    /// The last lines of stderr, each lossily decoded and cut to a sane length.
    pub stderr_tail: Vec<String>,
}

enum Event {
    Line(String),
    Flooded(&'static str, usize),
    Closed,
}

/// Runs `cmd` under `limits`; `on_line` receives each stderr line as it arrives. stdin is
/// `/dev/null`; stdout and stderr are piped; any other settings of `cmd` are kept. An error
/// means the child could not be started (or a reader thread not spawned: the child is killed).
pub fn run(
    mut cmd: Command,
    limits: &Limits,
    mut on_line: impl FnMut(&str),
) -> io::Result<Finished> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    die_with_parent(&mut cmd);
    let mut child = cmd.spawn()?;
    let (tx, events) = mpsc::channel();
    let stdout_buf = Arc::new(Mutex::new(Vec::new()));
    let readers = start_readers(&mut child, limits, &tx, &stdout_buf);
    drop(tx);
    if let Err(e) = readers {
        kill_group_and_reap(&mut child);
        return Err(e);
    }
    let mut tail = Tail::default();
    let mut open_streams = 2;
    let mut flooded = None;
    let end = loop {
        match events.recv_timeout(POLL) {
            Ok(Event::Line(line)) => {
                on_line(&line);
                tail.push(line);
            }
            Ok(Event::Flooded(stream, cap)) => flooded = Some(Some(End::Flooded { stream, cap })),
            Ok(Event::Closed) => open_streams -= 1,
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {}
        }
        if let Some(end) = flooded.take() {
            break end;
        }
        match exited(&child) {
            Ok(true) => break None,
            Ok(false) => {}
            Err(e) => {
                kill_group_and_reap(&mut child);
                return Err(e);
            }
        }
        if let Some(deadline) = limits.deadline.filter(Deadline::passed) {
            break Some(End::TimedOut(deadline.limit));
        }
        if crate::interrupt::requested() {
            break Some(End::Interrupted);
        }
    };
    let status = kill_group_and_reap(&mut child);
    // `None`: the child exited by itself; killing its leftover group did not change its status.
    let end = match (end, status) {
        (Some(end), _) => end,
        (None, Some(status)) => End::Exited(status),
        (None, None) => return Err(io::Error::other("could not wait for the child process")),
    };
    // A flood noticed only after the child died of the closed pipe is still a flood.
    let end = match drain(&events, open_streams, &mut tail, &mut on_line) {
        Some(flood) if matches!(end, End::Exited(_)) => flood,
        _ => end,
    };
    let stdout = std::mem::take(&mut *stdout_buf.lock().unwrap_or_else(|e| e.into_inner()));
    Ok(Finished {
        end,
        stdout,
        stderr_tail: tail.lines,
    })
}

/// Reads what is left in the pipes once the group is dead, for at most [`PIPE_GRACE`]: a
/// process outside the group may still hold a pipe open, and is not waited for.
fn drain(
    events: &Receiver<Event>,
    mut open_streams: usize,
    tail: &mut Tail,
    on_line: &mut impl FnMut(&str),
) -> Option<End> {
    let mut flooded = None;
    let until = Instant::now() + PIPE_GRACE;
    while open_streams > 0 {
        let left = until.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Ok(Event::Line(line)) => {
                on_line(&line);
                tail.push(line);
            }
            Ok(Event::Closed) => open_streams -= 1,
            Ok(Event::Flooded(stream, cap)) => flooded = Some(End::Flooded { stream, cap }),
            Err(_) => break,
        }
    }
    flooded
}

/// The last [`TAIL_LINES`] lines of stderr.
#[derive(Default)]
struct Tail {
    lines: Vec<String>,
}

impl Tail {
    fn push(&mut self, line: String) {
        if self.lines.len() == TAIL_LINES {
            self.lines.remove(0);
        }
        self.lines.push(line);
    }
}

fn start_readers(
    child: &mut Child,
    limits: &Limits,
    tx: &Sender<Event>,
    stdout_buf: &Arc<Mutex<Vec<u8>>>,
) -> io::Result<()> {
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(io::Error::other("the child's output is not piped"));
    };
    let (out_tx, buf, cap) = (tx.clone(), Arc::clone(stdout_buf), limits.stdout_cap);
    std::thread::Builder::new()
        .name("child-stdout".into())
        .spawn(move || read_stdout(stdout, cap, &buf, &out_tx))?;
    let (err_tx, cap) = (tx.clone(), limits.stderr_cap);
    std::thread::Builder::new()
        .name("child-stderr".into())
        .spawn(move || read_lines(stderr, cap, &err_tx))?;
    Ok(())
}

/// Reads stdout into `buf` up to `cap` bytes; one more byte is a flood, and reading stops.
fn read_stdout(mut from: impl Read, cap: usize, buf: &Mutex<Vec<u8>>, tx: &Sender<Event>) {
    let mut chunk = [0u8; 64 * 1024];
    loop {
        match from.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                let mut buf = buf.lock().unwrap_or_else(|e| e.into_inner());
                if buf.len().saturating_add(n) > cap {
                    let _ = tx.send(Event::Flooded("stdout", cap));
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    let _ = tx.send(Event::Closed);
}

/// Sends stderr line by line, each cut to [`LINE_CAP`] bytes; past `cap` bytes in all, a flood.
fn read_lines(mut from: impl Read, cap: usize, tx: &Sender<Event>) {
    let mut chunk = [0u8; 64 * 1024];
    let mut line = Vec::new();
    let mut total = 0usize;
    let send = |line: &mut Vec<u8>| {
        let text = String::from_utf8_lossy(line).into_owned();
        line.clear();
        tx.send(Event::Line(text)).is_ok()
    };
    'read: loop {
        let n = match from.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        total = total.saturating_add(n);
        if total > cap {
            let _ = tx.send(Event::Flooded("stderr", cap));
            break;
        }
        for &byte in &chunk[..n] {
            if byte == b'\n' {
                if !send(&mut line) {
                    break 'read;
                }
            } else if line.len() < LINE_CAP {
                line.push(byte);
            }
        }
    }
    if !line.is_empty() {
        send(&mut line);
    }
    let _ = tx.send(Event::Closed);
}

/// Whether the child has exited, without reaping it: while it is unreaped its pid, and so its
/// process group id, cannot be reused, so killing the group hits only its own processes.
fn exited(child: &Child) -> io::Result<bool> {
    // SAFETY: a zeroed siginfo_t is a valid value; waitid writes into it and reads nothing else.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    let pid = libc::id_t::from(child.id());
    // SAFETY: plain system call on our own child, with a valid pointer.
    let rc = unsafe {
        libc::waitid(
            libc::P_PID,
            pid,
            &mut info,
            libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: waitid succeeded, so `info` is initialized; si_pid is 0 while the child runs.
    Ok(unsafe { info.si_pid() } != 0)
}

/// Kills the child's whole process group (the child included), then reaps the child.
fn kill_group_and_reap(child: &mut Child) -> Option<ExitStatus> {
    if let Ok(pid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: plain system call. The child is not reaped yet, so the group id is still its.
        unsafe { libc::kill(-pid, libc::SIGKILL) };
    }
    child.wait().ok()
}

/// Makes the child die with perfsuite: if perfsuite itself is killed (SIGKILL, OOM killer), a
/// hung or long child must not live on as an orphan holding a core and memory.
#[cfg(target_os = "linux")]
fn die_with_parent(cmd: &mut Command) {
    let parent = libc::pid_t::try_from(std::process::id()).unwrap_or(0);
    // SAFETY: prctl and getppid are async-signal-safe and touch no memory of the parent.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(io::Error::last_os_error());
            }
            // The parent may have died before the line above: then nobody would kill us.
            if libc::getppid() != parent {
                return Err(io::Error::other(
                    "perfsuite exited before its child started",
                ));
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_: &mut Command) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", script]);
        cmd
    }

    fn limits(seconds: f64) -> Limits {
        Limits {
            deadline: Deadline::after_secs(seconds),
            ..Limits::default()
        }
    }

    #[test]
    fn a_child_that_exits_gives_its_status_stdout_and_stderr_lines() {
        let mut seen = Vec::new();
        let f = run(
            sh("echo out; echo one >&2; echo two >&2; exit 3"),
            &limits(30.0),
            |l| seen.push(l.to_owned()),
        )
        .unwrap();
        assert!(
            matches!(f.end, End::Exited(s) if s.code() == Some(3)),
            "{:?}",
            f.end
        );
        assert_eq!(f.stdout, b"out\n");
        assert_eq!(seen, ["one", "two"]);
        assert_eq!(f.stderr_tail, ["one", "two"]);
    }

    #[test]
    fn a_background_process_holding_stdout_neither_hangs_us_nor_survives() {
        let clock = Instant::now();
        let f = run(
            sh("sleep 30 & echo $! > /dev/stderr; echo done"),
            &limits(30.0),
            |_| {},
        )
        .unwrap();
        assert!(clock.elapsed() < Duration::from_secs(10));
        assert!(
            matches!(f.end, End::Exited(s) if s.success()),
            "{:?}",
            f.end
        );
        assert_eq!(f.stdout, b"done\n");
        let pid = f.stderr_tail[0].trim();
        // SIGKILL is delivered asynchronously, and the dead may linger as a zombie (state `Z`)
        // until init reaps it.
        let gone = (0..200).any(|_| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let dead = stat.is_empty()
                || stat
                    .rsplit_once(") ")
                    .is_some_and(|(_, s)| s.starts_with('Z'));
            std::thread::sleep(Duration::from_millis(10));
            dead
        });
        assert!(gone, "the background sleep {pid} outlived its group");
    }

    #[test]
    fn at_the_deadline_the_whole_group_is_killed() {
        let clock = Instant::now();
        let f = run(sh("sleep 30; echo never"), &limits(0.2), |_| {}).unwrap();
        assert!(clock.elapsed() < Duration::from_secs(10));
        assert!(matches!(f.end, End::TimedOut(_)), "{:?}", f.end);
        assert!(f.stdout.is_empty());
    }

    #[test]
    fn a_flood_on_stdout_or_stderr_stops_at_the_cap() {
        for (script, stream) in [("yes", "stdout"), ("yes >&2", "stderr")] {
            let capped = Limits {
                stdout_cap: 1 << 20,
                stderr_cap: 1 << 20,
                ..limits(60.0)
            };
            let f = run(sh(script), &capped, |_| {}).unwrap();
            assert!(
                matches!(f.end, End::Flooded { stream: s, cap } if s == stream && cap == 1 << 20),
                "{:?}",
                f.end
            );
            assert!(f.stdout.len() <= 1 << 20);
        }
    }

    #[test]
    fn a_deadline_too_far_to_represent_is_never_reached() {
        for seconds in [1e19, 1e300, f64::INFINITY] {
            let d = Deadline::after_secs(seconds).unwrap();
            assert!(!d.passed());
        }
        for seconds in [-1.0, f64::NAN] {
            assert!(Deadline::after_secs(seconds).is_none());
        }
    }
}
