//! Reading and writing files safely: reads take regular files only, with a byte cap counted
//! while reading; writes never leave a half-written file behind.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::error::Error;

/// What marks the name of a temporary file of [`write_atomic`]: `.NAME.tmp-PID`.
const TEMP_MARK: &str = ".tmp-";

/// The most bytes perfsuite reads from any one input: a file, or a child's output stream.
pub const MAX_INPUT_BYTES: usize = 64 << 20;

/// Reads the regular file at `path`, at most `cap` bytes. The file is opened without blocking
/// (a FIFO cannot hang the open) and its type is checked on the opened handle, so a FIFO, a
/// device or a folder is refused, and a symlink to `/dev/zero` too. The cap is counted while
/// reading, not trusted from the size the file reports.
pub fn read_capped(path: &Path, cap: usize) -> io::Result<Vec<u8>> {
    let file = File::options()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    if !file.metadata()?.file_type().is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    let mut bytes = Vec::new();
    let limit = u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1);
    file.take(limit).read_to_end(&mut bytes)?;
    if bytes.len() > cap {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than {} MiB, the limit for any input", cap >> 20),
        ));
    }
    Ok(bytes)
}

/// [`read_capped`] with the cap for every input, [`MAX_INPUT_BYTES`].
pub fn read_input(path: &Path) -> io::Result<Vec<u8>> {
    read_capped(path, MAX_INPUT_BYTES)
}

/// [`read_input`], decoded as UTF-8.
pub fn read_input_text(path: &Path) -> io::Result<String> {
    String::from_utf8(read_input(path)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not valid UTF-8"))
}

/// Whether `file_name` is that of a temporary file [`write_atomic`] creates.
pub fn is_temporary(file_name: &str) -> bool {
    file_name.starts_with('.')
        && file_name
            .rsplit_once(TEMP_MARK)
            .is_some_and(|(_, pid)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}

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
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
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
    fn only_regular_files_are_read_and_never_past_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("x.toml");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let zero = dir.path().join("zero.toml");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        for special in [&fifo, &zero, &dir.path().to_owned()] {
            let err = read_input(special).unwrap_err();
            assert_eq!(
                err.to_string(),
                "not a regular file",
                "{}",
                special.display()
            );
        }
        let big = dir.path().join("big.toml");
        std::fs::write(&big, vec![b'#'; 101]).unwrap();
        assert_eq!(read_capped(&big, 101).unwrap().len(), 101);
        assert!(read_capped(&big, 100).is_err());
    }

    #[test]
    fn temporary_files_are_recognised_by_name() {
        assert!(is_temporary(".bench.json.tmp-4242"));
        assert!(!is_temporary("bench.json"));
        assert!(!is_temporary(".notes.tmp-draft"));
        assert!(!is_temporary("x.tmp-1"), "only hidden files");
    }

    #[test]
    fn a_missing_folder_is_an_error_and_is_not_created() {
        let dir = tempfile::tempdir().unwrap();
        let gone = dir.path().join("gone");
        assert!(write_atomic(&gone.join("bench.json"), b"x").is_err());
        assert!(!gone.exists());
    }
}
