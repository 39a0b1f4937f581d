//! The results folder under any arrangement of symlinks, FIFOs and foreign files in and around
//! it: a property test builds such trees at random, writes a result set the way `run`, `ab`
//! and `merge` do, and diffs the tree before and after. Nothing outside `--out` may be created,
//! changed or deleted, nor anything inside it that perfsuite did not write.

use std::collections::BTreeMap;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use proptest::prelude::*;

use crate::results::folder::{ResultsFolder, LOCK_FILE, MANIFEST};
use crate::results::lock::Lock;

/// What one path in the tree is.
#[derive(Debug, Clone, Copy)]
enum Kind {
    File,
    Dir,
    LinkToOutsideFile,
    LinkToOutsideDir,
    Dangling,
    Fifo,
}

/// Paths inside `out` that a tree may hold, parents before children.
const PLACES: [&str; 13] = [
    "a",
    "b",
    "tools",
    "summary.json",
    "summary.md",
    MANIFEST,
    LOCK_FILE,
    "a/bench.json",
    "b/bench.json",
    "tools/bench.json",
    "a/.bench.json.tmp-1",
    "a/notes",
    ".summary.json.tmp-1",
];

/// Scenario names a result set may have.
const NAMES: [&str; 3] = ["a", "b", "tools"];

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        Just(Kind::File),
        Just(Kind::Dir),
        Just(Kind::LinkToOutsideFile),
        Just(Kind::LinkToOutsideDir),
        Just(Kind::Dangling),
        Just(Kind::Fifo),
    ]
}

fn make(path: &Path, kind: Kind, outside: &Path) {
    let _ = match kind {
        Kind::File => std::fs::write(path, b"foreign"),
        Kind::Dir => std::fs::create_dir(path),
        Kind::LinkToOutsideFile => std::os::unix::fs::symlink(outside.join("file"), path),
        Kind::LinkToOutsideDir => std::os::unix::fs::symlink(outside.join("dir"), path),
        Kind::Dangling => std::os::unix::fs::symlink(outside.join("nothing"), path),
        Kind::Fifo => {
            let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
            // SAFETY: a valid NUL-terminated path.
            if unsafe { libc::mkfifo(c.as_ptr(), 0o600) } == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        }
    };
}

/// Every path below `root`, never following a symlink, with what it is and holds.
fn snapshot(root: &Path) -> BTreeMap<String, String> {
    let mut seen = BTreeMap::new();
    let mut todo = vec![root.to_owned()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let t = meta.file_type();
            let what = if t.is_symlink() {
                format!("link to {}", std::fs::read_link(&path).unwrap().display())
            } else if t.is_dir() {
                todo.push(path);
                "dir".to_owned()
            } else if t.is_file() {
                format!("file {:?}", std::fs::read(&path).unwrap())
            } else {
                "special".to_owned()
            };
            seen.insert(rel, what);
        }
    }
    seen
}

/// Writes a result set of `names` into `out` as the commands do; an error is a refusal.
fn write_set(out: &Path, names: &[&str]) -> Result<(), crate::error::Error> {
    let lock = Lock::acquire(out)?;
    let folder = ResultsFolder::prepare(&lock, out, names)?;
    for name in names {
        let mut result = crate::compare::fixtures::result(name, &[1000.0]);
        result.scenario = (*name).to_owned();
        folder.write_result(&result)?;
    }
    Ok(())
}

/// Whether perfsuite may create `rel` (relative to the tree's root) when writing `names`.
fn may_create(rel: &str, names: &[&str]) -> bool {
    let Some(inside) = rel.strip_prefix("out/") else {
        return rel == "out";
    };
    [MANIFEST, "summary.json", "summary.md"].contains(&inside)
        || names
            .iter()
            .any(|n| inside == *n || inside == format!("{n}/bench.json"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn nothing_outside_out_and_nothing_perfsuite_did_not_write_is_touched(
        earlier in proptest::option::of(proptest::sample::subsequence(NAMES.to_vec(), 0..=3)),
        foreign in proptest::collection::vec((0..PLACES.len(), kind()), 0..8),
        out_kind in prop_oneof![Just(None), Just(Some(Kind::Dir)), Just(Some(Kind::LinkToOutsideDir)), Just(Some(Kind::File))],
        names in proptest::sample::subsequence(NAMES.to_vec(), 0..=3),
    ) {
        let root = tempfile::tempdir().unwrap();
        let (out, outside) = (root.path().join("out"), root.path().join("outside"));
        std::fs::create_dir_all(outside.join("dir/a")).unwrap();
        std::fs::write(outside.join("file"), b"outside").unwrap();
        std::fs::write(outside.join("dir/bench.json"), b"outside").unwrap();
        std::fs::write(outside.join("dir/a/bench.json"), b"outside").unwrap();
        std::fs::write(outside.join("dir/summary.json"), b"outside").unwrap();
        if let Some(kind) = out_kind {
            make(&out, kind, &outside);
        }
        let before_earlier = snapshot(root.path());
        if let Some(earlier) = &earlier {
            let _ = write_set(&out, earlier);
        }
        let written_by_earlier = snapshot(root.path());
        if std::fs::symlink_metadata(&out).is_ok_and(|m| m.is_dir()) {
            for (place, kind) in &foreign {
                let path = out.join(PLACES[*place]);
                if std::fs::symlink_metadata(&path).is_err() {
                    make(&path, *kind, &outside);
                }
            }
        }
        let before = snapshot(root.path());
        let outcome = write_set(&out, &names);
        let after = snapshot(root.path());

        for (rel, was) in &before {
            let ours = written_by_earlier.get(rel) == Some(was) && !before_earlier.contains_key(rel);
            let lock = rel == &format!("out/{LOCK_FILE}") && was.starts_with("file");
            if !ours && !lock {
                prop_assert_eq!(after.get(rel), Some(was), "{} changed ({:?})", rel, outcome);
            }
        }
        for rel in after.keys().filter(|rel| !before.contains_key(*rel)) {
            prop_assert!(outcome.is_ok(), "a refused write created {}", rel);
            prop_assert!(may_create(rel, &names), "{} created", rel);
        }
        if let Err(e) = outcome {
            let message = e.to_string();
            prop_assert!(!message.contains('\n'), "{}", message);
        }
    }
}
