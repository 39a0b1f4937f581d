//! The lock of a results folder: `OUT/.perfsuite.lock`, held with the operating system's file
//! lock ([`File::try_lock`], `flock(2)` on Linux), so two perfsuite processes never write one
//! result set at once.
//!
//! The OS releases the lock when its holder dies, however it dies, so a stale lock cannot
//! happen and nothing is ever taken over. The file holds the holder's pid, for people (`cat
//! OUT/.perfsuite.lock`); the lock itself never trusts the file's contents. The file is removed
//! when [`Lock`] is dropped. Whoever takes the lock then checks that the file it locked is still
//! the one at the path (a process that opened the file just before its holder removed it would
//! otherwise lock a file nobody sees), and tries again if not.

use std::fs::{File, TryLockError};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::output::escape::shown;

/// File name of the lock inside a results folder.
pub const LOCK_FILE: &str = ".perfsuite.lock";

/// Exclusive use of a results folder by this process, for as long as the value lives.
#[derive(Debug)]
pub struct Lock {
    out: PathBuf,
    path: PathBuf,
    /// Held open for the lock's life: the OS lock is released when it closes.
    _file: File,
    /// Device and inode of the locked file, to tell whether the path still names it.
    id: (u64, u64),
}

impl Lock {
    /// Creates `out` if needed (see [`ensure_folder`]) and takes its
    /// lock. Fails, naming the lock file and the holder's pid, when another process holds it.
    pub fn acquire(out: &Path) -> Result<Lock, Error> {
        ensure_folder(out)?;
        let path = out.join(LOCK_FILE);
        // A few passes only matter when the holder removes its file just as this one opens it.
        for _ in 0..5 {
            let mut file = open(&path)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => return Err(held_by(out, &path, &mut file)),
                Err(TryLockError::Error(e)) => return Err(cannot(&path, &e)),
            }
            let meta = file.metadata().map_err(|e| cannot(&path, &e))?;
            let id = (meta.dev(), meta.ino());
            if !names(&path, id) {
                continue;
            }
            let pid = format!("{}\n", std::process::id());
            file.set_len(0)
                .and_then(|()| file.write_all(pid.as_bytes()))
                .map_err(|e| cannot(&path, &e))?;
            return Ok(Lock {
                out: out.to_owned(),
                path,
                _file: file,
                id,
            });
        }
        Err(Error::Input(format!(
            "{}: other processes keep replacing this results folder's lock; try again",
            shown(&path)
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

    /// Checks that the folder still exists and its lock file is still the one this process
    /// locked: what makes a write into it safe. Fails naming the folder when it vanished, or
    /// the lock file when it was removed or replaced.
    pub fn verify(&self) -> Result<(), Error> {
        if names(&self.path, self.id) {
            return Ok(());
        }
        if !self.out.is_dir() {
            return Err(Error::Input(format!(
                "{}: the results folder vanished during the run; its results so far are lost \
                 and nothing more is written (it is not recreated, so no half result set appears)",
                shown(&self.out)
            )));
        }
        Err(Error::Input(format!(
            "{}: the lock file was removed or replaced during this run; nothing more is \
             written into {}",
            shown(&self.path),
            shown(&self.out)
        )))
    }
}

impl Drop for Lock {
    /// Removes the lock file while still holding the lock, unless the path names another file
    /// by now; the lock itself is released when the file closes.
    fn drop(&mut self) {
        if names(&self.path, self.id) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Opens (creating) the lock file: never through a symlink, never blocking on a FIFO, and only
/// a regular file.
fn open(path: &Path) -> Result<File, Error> {
    let file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o644)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| cannot(path, &e))?;
    let is_file = file.metadata().map_err(|e| cannot(path, &e))?.is_file();
    if !is_file {
        return Err(Error::Input(format!(
            "{}: is not a regular file, where the results folder's lock goes; remove it",
            shown(path)
        )));
    }
    Ok(file)
}

/// Whether `path` names the file with device and inode `id` (not following a symlink).
fn names(path: &Path, id: (u64, u64)) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| (m.dev(), m.ino()) == id)
}

fn cannot(path: &Path, e: &std::io::Error) -> Error {
    let why = match e.raw_os_error() {
        Some(libc::ELOOP) => "is a symbolic link".to_owned(),
        _ => e.to_string(),
    };
    Error::Input(format!(
        "{}: cannot take the results folder's lock: {why}",
        shown(path)
    ))
}

/// The error for a lock another process holds, with its pid if the file names one.
fn held_by(out: &Path, path: &Path, file: &mut File) -> Error {
    let mut head = Vec::new();
    let _ = file.rewind();
    let _ = file.take(32).read_to_end(&mut head);
    let pid = String::from_utf8_lossy(&head)
        .lines()
        .next()
        .and_then(|l| l.trim().parse::<u32>().ok());
    let who = pid.map_or("another perfsuite".to_owned(), |pid| {
        format!("another perfsuite (pid {pid})")
    });
    Error::Input(format!(
        "{}: {who} is writing results into {}; wait for it or choose another --out",
        shown(path),
        shown(out)
    ))
}

/// `out` as a real folder: created if missing (with its parents); an error naming it if it is a
/// symlink, a file, or cannot be made.
pub fn ensure_folder(out: &Path) -> Result<(), Error> {
    match std::fs::symlink_metadata(out) {
        Ok(m) if m.is_dir() => return Ok(()),
        Ok(m) if m.file_type().is_symlink() => {
            let target = std::fs::read_link(out).unwrap_or_default();
            return Err(Error::Input(format!(
                "{}: is a symbolic link (to {}): perfsuite writes only into the folder named; \
                 name that folder as --out",
                shown(out),
                shown(&target)
            )));
        }
        Ok(_) => {
            return Err(Error::Input(format!(
                "{}: is a file, not a folder: --out needs a folder to write results into",
                shown(out)
            )))
        }
        Err(_) => {}
    }
    std::fs::create_dir_all(out).map_err(|e| {
        Error::Input(format!(
            "{}: cannot create the results folder: {e}",
            shown(out)
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_holds_the_pid_refuses_a_second_taker_and_is_removed_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let lock = Lock::acquire(&out).unwrap();
        let text = std::fs::read_to_string(out.join(LOCK_FILE)).unwrap();
        assert_eq!(text, format!("{}\n", std::process::id()));
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
    fn a_lock_file_left_behind_is_no_lock_whatever_it_holds() {
        let dir = tempfile::tempdir().unwrap();
        for left in ["1\n", "", "garbage\u{1b}[2J", "99999999999999999999"] {
            std::fs::write(dir.path().join(LOCK_FILE), left).unwrap();
            let lock = Lock::acquire(dir.path()).unwrap();
            lock.verify().unwrap();
            drop(lock);
        }
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(
            leftovers.is_empty(),
            "nothing is left behind: {leftovers:?}"
        );
    }

    #[test]
    fn a_folder_fifo_or_symlink_at_the_lock_path_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let path = out.join(LOCK_FILE);
        std::fs::create_dir(&path).unwrap();
        let err = Lock::acquire(out).unwrap_err().to_string();
        assert!(err.contains(LOCK_FILE), "{err}");
        std::fs::remove_dir(&path).unwrap();
        std::os::unix::fs::symlink(dir.path().join("elsewhere"), &path).unwrap();
        let err = Lock::acquire(out).unwrap_err().to_string();
        assert!(err.contains("is a symbolic link"), "{err}");
        assert!(
            !dir.path().join("elsewhere").exists(),
            "nothing created through it"
        );
        let names: Vec<_> = std::fs::read_dir(out)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [LOCK_FILE], "no `.stale-PID` or other leftover");
    }

    #[test]
    fn verify_notices_a_vanished_folder_and_a_replaced_lock() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let lock = Lock::acquire(&out).unwrap();
        std::fs::remove_file(out.join(LOCK_FILE)).unwrap();
        std::fs::write(out.join(LOCK_FILE), "1\n").unwrap();
        let err = lock.verify().unwrap_err().to_string();
        assert!(err.contains("removed or replaced"), "{err}");
        drop(lock);
        assert!(
            out.join(LOCK_FILE).exists(),
            "someone else's lock file is not removed"
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
}
