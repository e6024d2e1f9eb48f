//! The SQLite engine: one file in WAL mode.
//!
//! Writers take the database write lock at `BEGIN IMMEDIATE`, so the stale check and the
//! insert cannot interleave with another writer in any process; `busy_timeout` makes a
//! second writer wait instead of failing. `synchronous = FULL` makes a commit durable
//! before `append` returns, so an acknowledged change survives a crash of the process or
//! the machine.

use crate::engine::{Engine, Migration, Row, Tx, Val, SQLITE_MIGRATIONS};
use crate::error::StoreError;
use crate::model::Revision;
use crate::notify::Hub;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a writer waits for another writer's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// How often the watcher looks for writes by other processes.
const POLL_EVERY: Duration = Duration::from_millis(200);

pub(crate) struct SqliteEngine {
    path: PathBuf,
    conn: Mutex<Connection>,
}

fn connect(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // journal_mode answers with a row, so it is queried rather than executed.
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Io(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            format!(
                "{} cannot use WAL mode (SQLite answered {mode}); put the store on a local file system",
                path.display()
            ),
        )));
    }
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
    Ok(conn)
}

impl SqliteEngine {
    pub(crate) fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.exists() {
                return Err(StoreError::Io(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!(
                        "the directory {} for the store does not exist; create it first",
                        dir.display()
                    ),
                )));
            }
        }
        let conn = connect(path)?;
        Ok(SqliteEngine {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        // The connection holds no half-done state across a panic: a transaction left open
        // is rolled back when its guard drops.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

struct SqliteTx<'a>(&'a Connection);

fn to_sql(v: &Val) -> rusqlite::types::Value {
    use rusqlite::types::Value;
    match v {
        Val::Int(i) => Value::Integer(*i),
        Val::Text(s) => Value::Text(s.clone()),
        Val::NullInt | Val::NullText => Value::Null,
    }
}

impl Tx for SqliteTx<'_> {
    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, StoreError> {
        let mut stmt = self.0.prepare_cached(sql)?;
        let n = stmt.column_count();
        let values: Vec<rusqlite::types::Value> = params.iter().map(to_sql).collect();
        let mut rows = stmt.query(rusqlite::params_from_iter(values))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let mut r = Vec::with_capacity(n);
            for i in 0..n {
                r.push(match row.get_ref(i)? {
                    ValueRef::Integer(x) => Val::Int(x),
                    ValueRef::Text(t) => Val::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Null => Val::NullText,
                    ValueRef::Real(x) => Val::Int(x as i64),
                    ValueRef::Blob(b) => Val::Text(hex::encode(b)),
                });
            }
            out.push(r);
        }
        Ok(out)
    }

    fn execute(&mut self, sql: &str, params: &[Val]) -> Result<u64, StoreError> {
        let mut stmt = self.0.prepare_cached(sql)?;
        let values: Vec<rusqlite::types::Value> = params.iter().map(to_sql).collect();
        Ok(stmt.execute(rusqlite::params_from_iter(values))? as u64)
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        Ok(self.0.execute_batch(sql)?)
    }
}

impl Engine for SqliteEngine {
    fn backend(&self) -> crate::Backend {
        crate::Backend::Sqlite
    }

    fn write<R>(
        &self,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&mut SqliteTx(&tx))?;
        tx.commit()?;
        Ok(out)
    }

    fn read<R>(
        &self,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let conn = self.lock();
        f(&mut SqliteTx(&conn))
    }

    fn migrations(&self) -> &'static [Migration] {
        SQLITE_MIGRATIONS
    }

    fn spawn_watcher(&self, hub: Arc<Hub>, stop: Arc<AtomicBool>) -> Result<(), StoreError> {
        let conn = connect(&self.path)?;
        std::thread::Builder::new()
            .name("vires-store-sqlite-watch".into())
            .spawn(move || {
                // data_version changes only when another connection commits, so the
                // cheap pragma is asked every tick and the head only when it moves.
                let mut last_version: Option<i64> = None;
                while !stop.load(Ordering::Relaxed) {
                    let version: Option<i64> =
                        conn.query_row("PRAGMA data_version", [], |r| r.get(0)).ok();
                    if version.is_none() || version != last_version {
                        last_version = version;
                        if let Ok(seq) = conn.query_row(
                            "SELECT COALESCE(MAX(seq), 0) FROM change_log",
                            [],
                            |r| r.get::<_, i64>(0),
                        ) {
                            hub.publish(Revision(seq.max(0) as u64));
                        }
                    }
                    std::thread::sleep(POLL_EVERY);
                }
            })?;
        Ok(())
    }
}
