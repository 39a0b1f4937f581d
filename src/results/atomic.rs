//! File writes that never leave a half-written file behind.

use std::io::Write;
use std::path::Path;

use crate::error::Error;

/// What marks the name of a temporary file of [`write_atomic`]: `.NAME.tmp-PID`.
const TEMP_MARK: &str = ".tmp-";

/// Writes `contents` to `path` atomically: into a temporary file beside it, flushed to disk,
/// then renamed over `path`. Readers see the old file or the new one, never a mix.
///
/// The parent folder must exist: it is never created here, so a results folder removed during a
/// run is an error, not silently recreated with half its results.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), Error> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = parent.join(format!(".{file_name}{TEMP_MARK}{}", std::process::id()));
    let result = (|| {
        // create_new: never through a symlink or into an existing file someone left there.
        let mut f = std::fs::File::options()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()
    })();
    if let Err(e) = result {
        if e.kind() != std::io::ErrorKind::AlreadyExists {
            let _ = std::fs::remove_file(&tmp);
        }
        return Err(Error::io(&tmp, e));
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_the_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bench.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["bench.json"]);
    }

    #[test]
    fn a_failed_write_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "x").unwrap();
        let err = write_atomic(&blocker.join("bench.json"), b"x").unwrap_err();
        assert!(err.to_string().contains("file"), "{err}");
    }

    #[test]
    fn a_missing_folder_is_an_error_and_is_not_created() {
        let dir = tempfile::tempdir().unwrap();
        let gone = dir.path().join("gone");
        assert!(write_atomic(&gone.join("bench.json"), b"x").is_err());
        assert!(!gone.exists());
    }
}
