//! The results folder: `OUT/<scenario>/bench.json`, `OUT/summary.json`, `OUT/summary.md`.
//! Every file is written atomically, and only while this process holds the folder's [`Lock`].
//!
//! # The lock
//!
//! Two perfsuite processes writing into one folder would mix their results silently, so each
//! command that writes a result set first creates `OUT/.perfsuite.lock` with `create_new` (an
//! atomic "create if absent" in every file system perfsuite runs on) and writes its pid into it.
//! A second process finds the file and refuses, naming the file and the pid. The lock is
//! advisory and tied to a file rather than to `flock(2)` so that a user can see who holds it
//! (`cat OUT/.perfsuite.lock`) and remove it by hand.
//!
//! A process that dies without cleaning up (SIGKILL, power loss) leaves its lock behind. Such a
//! lock is *stale* when its pid no longer runs, or runs but is another process that got the same
//! pid (its start time, recorded in the file's second line, differs), or is a zombie. A stale
//! lock is taken over with a warning. Taking over moves the stale file aside under a name of
//! this process's own before reading it again, so only a lock verified dead is ever deleted, and
//! two processes taking over at once cannot both win: the loser's `create_new` fails.
//!
//! The lock is released when [`Lock`] is dropped, on every path out of a command: success,
//! error, Ctrl-C (which ends a run through the normal return path). Before each write the lock
//! is checked again ([`Lock::verify`]): if the folder vanished or another process took it over,
//! the write is refused instead of recreating half a result set.

use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::Error;
use crate::output::report;
use crate::results::atomic::write_atomic;
use crate::results::outcome::bench_path;
use crate::results::{ScenarioResult, Summary};

/// File name of the machine-readable summary.
pub const SUMMARY_JSON: &str = "summary.json";
/// File name of the Markdown summary.
pub const SUMMARY_MD: &str = "summary.md";
/// File name of a scenario's result.
pub const BENCH_JSON: &str = "bench.json";
/// File name of the lock inside a results folder.
pub const LOCK_FILE: &str = ".perfsuite.lock";

/// Exclusive use of a results folder by this process, for as long as the value lives.
#[derive(Debug)]
pub struct Lock {
    out: PathBuf,
    path: PathBuf,
    contents: String,
}

/// Who a lock file says holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Holder {
    pid: u32,
    /// Start time of the process in clock ticks since boot (`/proc/PID/stat`, field 22).
    start: Option<u64>,
}

impl Lock {
    /// Creates `out` if needed and takes its lock. Fails, naming the lock file and the pid, when
    /// a live process holds it; takes over a stale lock with a warning on stderr.
    pub fn acquire(out: &Path) -> Result<Lock, Error> {
        ensure_folder(out)?;
        let path = out.join(LOCK_FILE);
        let me = Holder {
            pid: std::process::id(),
            start: start_time(std::process::id()),
        };
        let contents = match me.start {
            Some(start) => format!("{}\nstart {start}\n", me.pid),
            None => format!("{}\n", me.pid),
        };
        // Each pass either takes the lock, refuses, or removes one stale lock; a few passes are
        // only needed when other processes race for the same stale lock.
        for _ in 0..4 {
            let created = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path);
            match created {
                Ok(mut file) => {
                    let written = file
                        .write_all(contents.as_bytes())
                        .and_then(|()| file.sync_all());
                    if let Err(e) = written {
                        let _ = std::fs::remove_file(&path);
                        return Err(Error::io(&path, e));
                    }
                    return Ok(Lock {
                        out: out.to_owned(),
                        path,
                        contents,
                    });
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                    let holder = read_holder(&path);
                    match holder {
                        Some(h) if is_alive(h) => return Err(held_by(out, &path, h.pid)),
                        _ => take_over_stale(&path, holder)?,
                    }
                }
                Err(e) => {
                    return Err(Error::Input(format!(
                        "{}: cannot create the lock file of the results folder: {e}",
                        path.display()
                    )))
                }
            }
        }
        Err(Error::Input(format!(
            "{}: other processes keep taking this results folder's lock; try again",
            path.display()
        )))
    }

    /// The results folder this lock guards.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Checks that the folder still exists and this process still holds its lock: what makes a
    /// write into it safe. Fails naming the folder when it vanished, or the lock file when it
    /// was removed or taken over.
    pub fn verify(&self) -> Result<(), Error> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) if text == self.contents => Ok(()),
            Ok(text) => Err(Error::Input(format!(
                "{}: the lock was taken over by {} during this run; nothing more is written into {}",
                self.path.display(),
                holder_of(&text).map_or("another process".to_owned(), |h| format!("pid {}", h.pid)),
                self.out.display()
            ))),
            Err(_) if !self.out.is_dir() => Err(Error::Input(format!(
                "{}: the results folder vanished during the run; its results so far are lost and \
                 nothing more is written (it is not recreated, so no half result set appears)",
                self.out.display()
            ))),
            Err(e) => Err(Error::Input(format!(
                "{}: the lock file was removed during this run ({e}); nothing more is written into {}",
                self.path.display(),
                self.out.display()
            ))),
        }
    }
}

impl Drop for Lock {
    /// Removes the lock file, unless it is no longer this process's (taken over, or the folder
    /// is gone).
    fn drop(&mut self) {
        if std::fs::read_to_string(&self.path).is_ok_and(|text| text == self.contents) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// `out` as a folder: created if missing; an error naming it if it is a file or cannot be made.
fn ensure_folder(out: &Path) -> Result<(), Error> {
    if out.exists() && !out.is_dir() {
        return Err(Error::Input(format!(
            "{}: is a file, not a folder: --out needs a folder to write results into",
            out.display()
        )));
    }
    std::fs::create_dir_all(out).map_err(|e| {
        Error::Input(format!(
            "{}: cannot create the results folder: {e}",
            out.display()
        ))
    })
}

fn held_by(out: &Path, path: &Path, pid: u32) -> Error {
    Error::Input(format!(
        "{}: another perfsuite (pid {pid}) is writing results into {}; wait for it, choose \
         another --out, or delete the lock file if that process is not perfsuite",
        path.display(),
        out.display()
    ))
}

/// The holder named by a lock file. A file just created by another process may not hold its pid
/// yet: it is read a few times before it counts as holding none.
fn read_holder(path: &Path) -> Option<Holder> {
    for _ in 0..5 {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                if let Some(holder) = holder_of(&text) {
                    return Some(holder);
                }
            }
            Err(e) if e.kind() == ErrorKind::NotFound => return None,
            Err(_) => {}
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

/// Parses `PID\n[start TICKS\n]`.
fn holder_of(text: &str) -> Option<Holder> {
    let mut lines = text.lines();
    let pid = lines.next()?.trim().parse().ok().filter(|&p: &u32| p > 0)?;
    let start = lines
        .next()
        .and_then(|l| l.strip_prefix("start "))
        .and_then(|t| t.trim().parse().ok());
    Some(Holder { pid, start })
}

/// Moves a stale lock aside, checks it is still the stale one, and deletes it. If a live
/// process took the lock in between, its file is put back and this process refuses.
fn take_over_stale(path: &Path, seen: Option<Holder>) -> Result<(), Error> {
    let aside = path.with_file_name(format!("{LOCK_FILE}.stale-{}", std::process::id()));
    match std::fs::rename(path, &aside) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()), // someone else removed it
        Err(e) => return Err(Error::io(path, e)),
    }
    let moved = std::fs::read_to_string(&aside).ok();
    let moved_holder = moved.as_deref().and_then(holder_of);
    if let Some(h) = moved_holder.filter(|&h| is_alive(h)) {
        // A live process took the lock between our read and our rename: give it back.
        let _ = std::fs::hard_link(&aside, path);
        let _ = std::fs::remove_file(&aside);
        return Err(held_by(path.parent().unwrap_or(path), path, h.pid));
    }
    let _ = std::fs::remove_file(&aside);
    let who = match moved_holder.or(seen) {
        Some(h) => format!("pid {}, which is no longer running", h.pid),
        None => "no process (the file names no pid)".to_owned(),
    };
    eprintln!(
        "warning: {}: taking over a stale lock left by {who}",
        path.display()
    );
    Ok(())
}

/// Whether the process a lock names still runs: its pid exists, is not a zombie, and, where
/// the lock recorded a start time, started then (so a reused pid does not count).
fn is_alive(holder: Holder) -> bool {
    let Ok(pid) = libc::pid_t::try_from(holder.pid) else {
        return false;
    };
    match proc_stat(holder.pid) {
        Some(stat) => {
            let (state, start) = stat;
            !matches!(state, 'Z' | 'X')
                && holder.start.is_none_or(|recorded| Some(recorded) == start)
        }
        None if Path::new("/proc/self/stat").exists() => false, // procfs works: the pid is gone
        None => {
            // No procfs: ask the kernel whether the pid exists (EPERM: it does, not ours).
            // SAFETY: signal 0 only checks for existence and permission; nothing is sent.
            let status = unsafe { libc::kill(pid, 0) };
            status == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
        }
    }
}

/// State and start time of `pid` from `/proc/PID/stat`, or `None` where it cannot be read.
fn proc_stat(pid: u32) -> Option<(char, Option<u64>)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid ...`: comm may hold spaces and parentheses, so split at the last `)`.
    let fields: Vec<&str> = text.rsplit_once(')')?.1.split_whitespace().collect();
    let state = fields.first()?.chars().next()?;
    // Field 22 of the whole line is the 20th after the comm.
    let start = fields.get(19).and_then(|s| s.parse().ok());
    Some((state, start))
}

/// Start time of `pid` in clock ticks since boot, where the platform tells.
fn start_time(pid: u32) -> Option<u64> {
    proc_stat(pid).and_then(|(_, start)| start)
}

/// Makes `out` ready for a new run: creates it, and removes the results of an earlier run
/// (every `*/bench.json` and the summaries), so old scenarios never pass for new ones, and the
/// temporary files of an earlier run killed mid-write (call it holding the lock, so no other
/// perfsuite is writing them). Other files, and the lock, are left alone.
pub fn prepare(out: &Path) -> Result<(), Error> {
    ensure_folder(out)?;
    for name in [SUMMARY_JSON, SUMMARY_MD] {
        remove_if_present(&out.join(name))?;
    }
    remove_temporaries(out)?;
    for entry in std::fs::read_dir(out).map_err(|e| Error::io(out, e))? {
        let dir = entry.map_err(|e| Error::io(out, e))?.path();
        if !dir.is_dir() {
            continue;
        }
        remove_temporaries(&dir)?;
        if dir.join(BENCH_JSON).is_file() {
            remove_if_present(&dir.join(BENCH_JSON))?;
            let _ = std::fs::remove_dir(&dir); // only succeeds if nothing else is in it
        }
    }
    Ok(())
}

/// Removes the temporary files [`write_atomic`] leaves when killed mid-write, directly in `dir`.
fn remove_temporaries(dir: &Path) -> Result<(), Error> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if crate::results::atomic::is_temporary(&name) && path.is_file() {
            remove_if_present(&path)?;
        }
    }
    Ok(())
}

fn remove_if_present(path: &Path) -> Result<(), Error> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != ErrorKind::NotFound => Err(Error::io(path, e)),
        _ => Ok(()),
    }
}

/// Writes a scenario's bench.json. `out` itself must exist: a results folder that vanished is
/// an error, never silently recreated.
pub fn write_result(out: &Path, result: &ScenarioResult) -> Result<(), Error> {
    let path = out.join(bench_path(&result.scenario));
    let folder = path.parent().unwrap_or(out);
    match std::fs::create_dir(folder) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::AlreadyExists && folder.is_dir() => {}
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            return Err(Error::Input(format!(
                "{}: is a file, where the scenario's results folder goes; move it away",
                folder.display()
            )))
        }
        Err(e) => return Err(Error::io(folder, e)),
    }
    let json = serde_json::to_string_pretty(result).expect("a result serializes");
    write_atomic(&path, format!("{json}\n").as_bytes())
}

/// Writes summary.json and summary.md.
pub fn write_summary(out: &Path, summary: &Summary) -> Result<(), Error> {
    write_atomic(&out.join(SUMMARY_JSON), report::json(summary).as_bytes())?;
    write_atomic(&out.join(SUMMARY_MD), report::markdown(summary).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepare_removes_an_earlier_runs_results_only() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        std::fs::create_dir_all(out.join("old-scenario")).unwrap();
        std::fs::write(out.join("old-scenario/bench.json"), "{}").unwrap();
        std::fs::create_dir_all(out.join("notes")).unwrap();
        std::fs::write(out.join("notes/keep.txt"), "mine").unwrap();
        std::fs::write(out.join(SUMMARY_JSON), "{}").unwrap();
        std::fs::write(out.join(LOCK_FILE), "1\n").unwrap();
        std::fs::write(out.join(".summary.json.tmp-77"), "{").unwrap();
        std::fs::create_dir_all(out.join("killed")).unwrap();
        std::fs::write(out.join("killed/.bench.json.tmp-77"), "{").unwrap();
        prepare(out).unwrap();
        assert!(!out.join(".summary.json.tmp-77").exists());
        assert!(!out.join("killed/.bench.json.tmp-77").exists());
        assert!(!out.join("old-scenario").exists());
        assert!(!out.join(SUMMARY_JSON).exists());
        assert_eq!(
            std::fs::read_to_string(out.join("notes/keep.txt")).unwrap(),
            "mine"
        );
        assert!(
            out.join(LOCK_FILE).exists(),
            "prepare leaves the lock alone"
        );
    }

    #[test]
    fn a_lock_holds_the_pid_refuses_a_second_taker_and_is_removed_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let lock = Lock::acquire(&out).unwrap();
        let text = std::fs::read_to_string(out.join(LOCK_FILE)).unwrap();
        assert_eq!(
            text.lines().next(),
            Some(std::process::id().to_string().as_str())
        );
        let err = Lock::acquire(&out).unwrap_err().to_string();
        assert!(err.contains(LOCK_FILE), "{err}");
        assert!(
            err.contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        lock.verify().unwrap();
        drop(lock);
        assert!(!out.join(LOCK_FILE).exists());
        drop(Lock::acquire(&out).unwrap());
    }

    #[test]
    fn a_lock_of_a_dead_or_reused_pid_or_no_pid_is_stale() {
        let me = std::process::id();
        assert!(is_alive(Holder {
            pid: me,
            start: start_time(me)
        }));
        assert!(
            !is_alive(Holder {
                pid: me,
                start: Some(u64::MAX)
            }),
            "another start time: a reused pid"
        );
        assert!(!is_alive(Holder {
            pid: u32::MAX,
            start: None
        }));
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        assert!(!is_alive(Holder {
            pid: dead,
            start: None
        }));

        let dir = tempfile::tempdir().unwrap();
        for stale in [format!("{dead}\n"), String::new(), "garbage".to_owned()] {
            std::fs::write(dir.path().join(LOCK_FILE), stale).unwrap();
            let lock = Lock::acquire(dir.path()).unwrap();
            lock.verify().unwrap();
        }
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(
            leftovers.is_empty(),
            "no lock and no stale copy is left behind"
        );
    }

    #[test]
    fn verify_notices_a_vanished_folder_and_a_lock_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let lock = Lock::acquire(&out).unwrap();
        std::fs::write(out.join(LOCK_FILE), "1\n").unwrap();
        let err = lock.verify().unwrap_err().to_string();
        assert!(err.contains("taken over by pid 1"), "{err}");
        drop(lock);
        assert!(
            out.join(LOCK_FILE).exists(),
            "someone else's lock is not removed"
        );

        std::fs::remove_file(out.join(LOCK_FILE)).unwrap();
        let lock = Lock::acquire(&out).unwrap();
        std::fs::remove_dir_all(&out).unwrap();
        let err = lock.verify().unwrap_err().to_string();
        assert!(err.starts_with(&out.display().to_string()), "{err}");
        assert!(err.contains("vanished"), "{err}");
        drop(lock);
        assert!(!out.exists(), "nothing recreates the folder");
    }

    #[test]
    fn a_result_is_not_written_into_a_vanished_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("gone");
        let result = crate::compare::fixtures::result("btc", &[1000.0]);
        assert!(write_result(&out, &result).is_err());
        assert!(!out.exists());
    }

    #[test]
    fn an_output_path_that_is_a_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, "x").unwrap();
        let err = Lock::acquire(&file).unwrap_err().to_string();
        assert!(
            err.starts_with(&file.display().to_string()) && err.contains("is a file"),
            "{err}"
        );
        let under = file.join("sub");
        let err = Lock::acquire(&under).unwrap_err().to_string();
        assert!(
            err.starts_with(&under.display().to_string()) && err.contains("cannot create"),
            "{err}"
        );
    }
}
