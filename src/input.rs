//! Reading input files that may be hostile: regular files only, with a byte cap counted while
//! reading. Scenario and budget files, bench.json and summary.json files all come through here.

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// The most bytes perfsuite reads from any one input: a file, or a child's output stream.
pub const MAX_INPUT_BYTES: usize = 64 << 20;

/// Reads the regular file at `path`, at most `cap` bytes. The file is opened without blocking
/// (a FIFO cannot hang the open) and its type is checked on the opened handle, so a FIFO, a
/// device or a folder is refused, and a symlink to `/dev/zero` too. The cap is counted while
/// reading, not trusted from the size the file reports.
pub fn read_capped(path: &Path, cap: usize) -> io::Result<Vec<u8>> {
    let file = open_regular(path)?;
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

/// The regular file at `path`, opened for reading without blocking (a FIFO cannot hang the
/// open) and its type checked on the opened handle: a FIFO, a device, a folder or a symlink to
/// one is refused. For inputs read as a stream (candle files) or opened by a library (SQLite).
pub fn open_regular(path: &Path) -> io::Result<File> {
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
    Ok(file)
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
