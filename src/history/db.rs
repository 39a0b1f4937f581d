//! The history database: one SQLite file, its versioned schema and the checks that keep
//! perfsuite from writing into a file that is not its own.
//!
//! The file is marked as perfsuite's with `PRAGMA application_id`; `PRAGMA user_version` counts
//! the migrations applied. A file that is neither empty nor marked is refused, as is one cut
//! short or written by a newer perfsuite: nothing is ever written into it. Writers take the
//! write lock up front (`BEGIN IMMEDIATE`) and wait for each other through SQLite's busy
//! timeout, so concurrent `history add` processes queue instead of failing.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

/// The database a command uses when `--db` is not given.
pub const DEFAULT_PATH: &str = "perf-history.sqlite";

/// `PRAGMA application_id` of a perfsuite history: "pfsh" in ASCII.
const APPLICATION_ID: i64 = 0x7066_7368;

/// How long a writer waits for another to finish before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// The schema, one migration per version: `MIGRATIONS[k]` takes version `k` to `k + 1`.
/// Released migrations are never edited; a change to the schema is a new entry.
const MIGRATIONS: &[&str] = &[
    // Version 1: results, their metrics and their samples.
    "CREATE TABLE result (
        id INTEGER PRIMARY KEY,
        scenario TEXT NOT NULL,
        run_key TEXT NOT NULL,
        started_at TEXT NOT NULL,
        git_commit TEXT,
        git_branch TEXT,
        perfsuite TEXT NOT NULL,
        build_profile TEXT NOT NULL,
        os TEXT NOT NULL,
        cpu TEXT NOT NULL,
        cores INTEGER NOT NULL,
        memory_mb INTEGER NOT NULL,
        config_digest TEXT NOT NULL,
        fingerprint_digest TEXT,
        trades INTEGER,
        final_equity REAL,
        budget_profile TEXT NOT NULL,
        checks TEXT NOT NULL,
        verdict TEXT NOT NULL,
        UNIQUE (scenario, run_key)
    );
    CREATE INDEX result_series ON result (scenario, started_at, id);
    CREATE TABLE metric (
        result_id INTEGER NOT NULL REFERENCES result (id),
        name TEXT NOT NULL,
        value REAL NOT NULL,
        low REAL,
        high REAL,
        PRIMARY KEY (result_id, name)
    ) WITHOUT ROWID;
    CREATE TABLE sample (
        result_id INTEGER NOT NULL REFERENCES result (id),
        name TEXT NOT NULL,
        seq INTEGER NOT NULL,
        value REAL NOT NULL,
        PRIMARY KEY (result_id, name, seq)
    ) WITHOUT ROWID;",
];

/// The schema version this perfsuite writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Why the history database could not be used. Every variant names the file.
#[derive(Debug)]
pub enum DbError {
    /// No database at the path (for the commands that only read).
    Missing {
        /// The path.
        path: PathBuf,
    },
    /// Not a SQLite database, or one cut short or damaged.
    Damaged {
        /// The path.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// A SQLite database, but not a perfsuite history.
    Foreign {
        /// The path.
        path: PathBuf,
    },
    /// Written by a newer perfsuite.
    Newer {
        /// The path.
        path: PathBuf,
        /// Its schema version.
        found: i64,
    },
    /// SQLite failed while reading or writing it.
    Sqlite {
        /// The path.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbError::Missing { path } => write!(
                f,
                "{}: no history database here: record results first with `perfsuite history add DIR`",
                path.display()
            ),
            DbError::Damaged { path, problem } => write!(
                f,
                "{}: not a usable history database ({problem}); it was left untouched: restore it from a copy, or use another --db",
                path.display()
            ),
            DbError::Foreign { path } => write!(
                f,
                "{}: a SQLite database that is not a perfsuite history; it was left untouched: use another --db",
                path.display()
            ),
            DbError::Newer { path, found } => write!(
                f,
                "{}: written by a newer perfsuite (history schema {found}; this perfsuite knows up to {SCHEMA_VERSION}): upgrade perfsuite",
                path.display()
            ),
            DbError::Sqlite { path, source } => write!(f, "{}: {source}", path.display()),
        }
    }
}

impl std::error::Error for DbError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DbError::Sqlite { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// An open history database, at the current schema version.
pub struct History {
    conn: Connection,
    path: PathBuf,
}

impl History {
    /// Opens the database at `path`, creating it when `create` and it does not exist, and
    /// migrating it to the current schema.
    pub fn open(path: &Path, create: bool) -> Result<Self, DbError> {
        match std::fs::metadata(path) {
            Ok(_) => check_header(path)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !create => {
                return Err(DbError::Missing {
                    path: path.to_owned(),
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(DbError::Damaged {
                    path: path.to_owned(),
                    problem: format!("cannot read it: {e}"),
                })
            }
        }
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let sqlite = |source| classify(path, source);
        let conn = Connection::open_with_flags(path, flags).map_err(sqlite)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sqlite)?;
        let mut history = History {
            conn,
            path: path.to_owned(),
        };
        history.migrate()?;
        Ok(history)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection, for the modules that read and write the tables.
    pub(crate) fn conn(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// An SQLite error on this database, as a [`DbError`] naming the file.
    pub(crate) fn error(&self, source: rusqlite::Error) -> DbError {
        classify(&self.path, source)
    }

    /// Brings the schema to [`SCHEMA_VERSION`] in one write transaction, after checking the
    /// file is an empty database or a perfsuite history no newer than this perfsuite.
    fn migrate(&mut self) -> Result<(), DbError> {
        let path = self.path.clone();
        let sqlite = |source| classify(&path, source);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sqlite)?;
        let pragma = |name: &str| -> Result<i64, DbError> {
            tx.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
                .map_err(sqlite)
        };
        let (app, version) = (pragma("application_id")?, pragma("user_version")?);
        let objects: i64 = tx
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .map_err(sqlite)?;
        let fresh = app == 0 && version == 0 && objects == 0;
        if !fresh && app != APPLICATION_ID {
            return Err(DbError::Foreign { path: path.clone() });
        }
        if version > SCHEMA_VERSION {
            return Err(DbError::Newer {
                path: path.clone(),
                found: version,
            });
        }
        if version == SCHEMA_VERSION {
            return Ok(());
        }
        // `user_version` is any 32-bit integer a file holds: a negative one is no version of ours.
        let Ok(applied) = usize::try_from(version) else {
            return Err(DbError::Damaged {
                path: path.clone(),
                problem: format!("history schema {version}, which no perfsuite writes"),
            });
        };
        // cannot panic: 0 <= applied < SCHEMA_VERSION = MIGRATIONS.len(), checked above.
        for migration in &MIGRATIONS[applied..] {
            tx.execute_batch(migration).map_err(sqlite)?;
        }
        tx.execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {SCHEMA_VERSION};"
        ))
        .map_err(sqlite)?;
        tx.commit().map_err(sqlite)
    }
}

/// SQLite's "not a database" and "malformed" errors mean a damaged file; others are failures.
fn classify(path: &Path, source: rusqlite::Error) -> DbError {
    use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
    match source.sqlite_error_code() {
        Some(NotADatabase | DatabaseCorrupt) => DbError::Damaged {
            path: path.to_owned(),
            problem: source.to_string(),
        },
        _ => DbError::Sqlite {
            path: path.to_owned(),
            source,
        },
    }
}

/// Checks the 100-byte SQLite header of an existing, non-empty file: the magic string, and a
/// file at least as long as the pages the header says it holds. SQLite itself would open a
/// truncated file and fail only on the first page it misses, perhaps half-way into a write.
fn check_header(path: &Path) -> Result<(), DbError> {
    let damaged = |problem: String| DbError::Damaged {
        path: path.to_owned(),
        problem,
    };
    // A regular file only: a FIFO as `--db` was waited on for ever.
    let mut file =
        crate::input::open_regular(path).map_err(|e| damaged(format!("cannot read it: {e}")))?;
    let len = file
        .metadata()
        .map_err(|e| damaged(format!("cannot read it: {e}")))?
        .len();
    if len == 0 {
        return Ok(());
    }
    let mut header = [0u8; 100];
    file.read_exact(&mut header)
        .map_err(|_| damaged(format!("{len} bytes, shorter than a SQLite header")))?;
    if &header[..16] != b"SQLite format 3\0" {
        return Err(damaged("not a SQLite database".into()));
    }
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        n => u64::from(n),
    };
    let pages = u64::from(u32::from_be_bytes(
        header[28..32].try_into().expect("4 bytes"),
    ));
    // The page count is valid only when the two change counters agree (SQLite 3.7.0 and later).
    let valid = header[24..28] == header[92..96];
    // cannot panic: pages < 2^32 and page_size <= 2^16, so the product stays below 2^48.
    if valid && pages > 0 && len < pages * page_size {
        return Err(damaged(format!(
            "truncated: {len} bytes where its header says {pages} pages of {page_size} bytes"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_is_migrated_to_the_current_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite");
        std::fs::write(&path, b"").unwrap();
        let mut h = History::open(&path, false).unwrap();
        let version: i64 = h
            .conn()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        drop(h);
        History::open(&path, false).expect("a second open finds the schema current");
    }

    #[test]
    fn a_foreign_database_is_refused_and_left_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.sqlite");
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        let before = std::fs::read(&path).unwrap();
        let e = History::open(&path, true).err().expect("refused");
        assert!(matches!(e, DbError::Foreign { .. }), "{e}");
        assert!(e.to_string().contains("other.sqlite"), "{e}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite");
        drop(History::open(&path, true).unwrap());
        Connection::open(&path)
            .unwrap()
            .execute_batch("PRAGMA user_version = 99")
            .unwrap();
        let e = History::open(&path, false).err().expect("refused");
        assert!(e.to_string().contains("newer perfsuite"), "{e}");
    }

    #[test]
    fn a_negative_schema_version_is_refused_as_damaged_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite");
        drop(History::open(&path, true).unwrap());
        Connection::open(&path)
            .unwrap()
            .execute_batch("PRAGMA user_version = -1")
            .unwrap();
        let before = std::fs::read(&path).unwrap();
        let e = History::open(&path, false).err().expect("refused");
        assert!(matches!(e, DbError::Damaged { .. }), "{e}");
        assert!(e.to_string().contains("history schema -1"), "{e}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn a_text_file_is_not_a_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.txt");
        std::fs::write(&path, "x".repeat(500)).unwrap();
        let e = History::open(&path, true).err().expect("refused");
        assert!(matches!(e, DbError::Damaged { .. }), "{e}");
        assert_eq!(std::fs::read(&path).unwrap(), "x".repeat(500).as_bytes());
    }

    #[test]
    fn reading_a_missing_database_is_an_error_and_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("none.sqlite");
        let e = History::open(&path, false).err().expect("missing");
        assert!(matches!(e, DbError::Missing { .. }), "{e}");
        assert!(!path.exists());
    }
}
