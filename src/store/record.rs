//! The record as a service: one thread owns the read-write connection and
//! runs every write, in order, each in its own `BEGIN IMMEDIATE`
//! transaction; [`Record`] is the cheap, cloneable handle that sends it work
//! and waits for the answer. Reads go to a pool of read-only connections,
//! so a long report never waits behind a check-in and a reader can never
//! write.
//!
//! A use case's rule check runs inside the same write transaction as the
//! journal entry it guards (the closure it sends is run on the writer's
//! thread), so two callers can never both pass a check that only one of
//! them should. Other processes (the CLI) have their own writer and are
//! serialised with this one by SQLite's write lock; they re-check the same
//! rules inside their own transaction.

use super::pages::PageVault;
use super::{Store, StoreError, Writer, BUSY_TIMEOUT};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};

/// The read-only connections: idle ones, and how many exist.
#[derive(Default)]
struct Readers {
    idle: Vec<Connection>,
    open: usize,
}

/// Read-only connections open at most. Each holds its own page cache and
/// schema; readers beyond it wait for one (on the blocking pool), so a
/// flood of web requests cannot open hundreds of connections.
const READERS: usize = 6;
/// Writes waiting for the writer at most; a caller beyond it waits to queue.
const QUEUE: usize = 256;

type Job = Box<dyn FnOnce(&mut Store) + Send>;

/// What the handles share.
struct Shared {
    jobs: mpsc::SyncSender<Job>,
    readers: Mutex<Readers>,
    /// Signalled when a connection goes back to the pool.
    returned: Condvar,
    pages: Arc<PageVault>,
    db_path: PathBuf,
    data_dir: PathBuf,
    facility: String,
    /// The journal's last seq after each commit of this process's writer.
    committed: tokio::sync::watch::Sender<i64>,
}

/// The handle to the record: clone it freely; every clone talks to the
/// same writer thread and read pool.
#[derive(Clone)]
pub struct Record(Arc<Shared>);

/// The writer stopped (it only does when the process is ending, or a write
/// panicked and took the thread with it).
fn gone(db_path: &Path) -> StoreError {
    StoreError::WriterGone {
        path: db_path.to_path_buf(),
    }
}

impl Record {
    /// Open (creating and migrating as needed) the data folder and start
    /// its writer thread; entries are recorded under `facility`.
    pub fn open(data_dir: &Path, facility: &str) -> Result<Record, StoreError> {
        let store = Store::open(data_dir, facility)?;
        let head = store.head_seq()?;
        let (jobs, queue) = mpsc::sync_channel::<Job>(QUEUE);
        let (committed, _) = tokio::sync::watch::channel(head);
        let shared = Arc::new(Shared {
            jobs,
            readers: Mutex::new(Readers::default()),
            returned: Condvar::new(),
            pages: store.pages.clone(),
            db_path: store.db_path.clone(),
            data_dir: store.data_dir.clone(),
            facility: store.facility.clone(),
            committed,
        });
        let notify = shared.committed.clone();
        std::thread::Builder::new()
            .name("record-writer".into())
            .spawn(move || writer(store, queue, notify))
            .map_err(|source| StoreError::DataDir {
                path: data_dir.to_path_buf(),
                source,
            })?;
        Ok(Record(shared))
    }

    /// Run `f` on the writer's thread in one write transaction stamped
    /// `at`, and wait for its answer. Call it from a thread that may block
    /// (the CLI, `spawn_blocking`, `block_in_place`); async code uses
    /// [`Record::write_async`].
    pub fn write<T, E>(
        &self,
        at: DateTime<Utc>,
        f: impl FnOnce(&mut Writer<'_>) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        self.with_store(move |store| store.write(at, f))
            .unwrap_or_else(|e| Err(e.into()))
    }

    /// [`Record::write`] for async callers: the task waits, the worker does not.
    pub async fn write_async<T, E>(
        &self,
        at: DateTime<Utc>,
        f: impl FnOnce(&mut Writer<'_>) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        self.with_store_async(move |store| store.write(at, f))
            .await
            .unwrap_or_else(|e| Err(e.into()))
    }

    /// Run `f` with the writer's store (retention and account changes run
    /// their own transactions), and wait for its answer.
    pub fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> T + Send + 'static,
    ) -> Result<T, StoreError> {
        let (tx, rx) = mpsc::sync_channel(1);
        self.send(Box::new(move |store| {
            let _ = tx.send(f(store));
        }))?;
        // The answer never comes only when the write panicked (the writer
        // logged it, rolled it back and goes on).
        rx.recv().map_err(|_| StoreError::WriteFailed {
            path: self.0.db_path.clone(),
        })
    }

    /// [`Record::with_store`] for async callers. The wait happens on the
    /// blocking pool (so tokio knows work is in flight, which keeps paused
    /// test clocks honest); the async workers never wait for SQLite.
    pub async fn with_store_async<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> T + Send + 'static,
    ) -> Result<T, StoreError> {
        let record = self.clone();
        tokio::task::spawn_blocking(move || record.with_store(f))
            .await
            .map_err(|_| gone(&self.0.db_path))?
    }

    fn send(&self, job: Job) -> Result<(), StoreError> {
        self.0.jobs.send(job).map_err(|_| gone(&self.0.db_path))
    }

    /// Run `f` on a read-only connection from the pool, on this thread.
    pub fn read<T>(&self, f: impl FnOnce(&Reader<'_>) -> T) -> Result<T, StoreError> {
        let conn = self.lend()?;
        let result = f(&Reader {
            conn: &conn,
            pages: &self.0.pages,
            db_path: &self.0.db_path,
            data_dir: &self.0.data_dir,
            facility: &self.0.facility,
        });
        let mut readers = self.0.readers.lock().unwrap_or_else(|p| p.into_inner());
        readers.idle.push(conn);
        drop(readers);
        self.0.returned.notify_one();
        Ok(result)
    }

    /// An idle read-only connection, a new one while fewer than [`READERS`]
    /// exist, or the next one returned.
    fn lend(&self) -> Result<Connection, StoreError> {
        let mut readers = self.0.readers.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(c) = readers.idle.pop() {
                return Ok(c);
            }
            if readers.open < READERS {
                readers.open += 1;
                drop(readers);
                return open_reader(&self.0.db_path).inspect_err(|_| {
                    let mut r = self.0.readers.lock().unwrap_or_else(|p| p.into_inner());
                    r.open -= 1;
                    drop(r);
                    self.0.returned.notify_one();
                });
            }
            readers = self
                .0
                .returned
                .wait(readers)
                .unwrap_or_else(|p| p.into_inner());
        }
    }

    /// [`Record::read`] for async callers, on the blocking pool.
    pub async fn read_async<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Reader<'_>) -> T + Send + 'static,
    ) -> Result<T, StoreError> {
        let record = self.clone();
        tokio::task::spawn_blocking(move || record.read(f))
            .await
            .map_err(|_| gone(&self.0.db_path))?
    }

    /// Changes to the journal's last seq after each commit of this
    /// process's writer: the dispatcher wakes on it at once.
    pub fn committed(&self) -> tokio::sync::watch::Receiver<i64> {
        self.0.committed.subscribe()
    }

    /// The data folder.
    pub fn data_dir(&self) -> &Path {
        &self.0.data_dir
    }

    /// The facility id stamped on every entry.
    pub fn facility(&self) -> &str {
        &self.0.facility
    }
}

/// The writer's loop: one job at a time until every handle is gone. A job
/// that panics is reported and its caller told; the writer goes on.
fn writer(
    mut store: Store,
    queue: mpsc::Receiver<Job>,
    committed: tokio::sync::watch::Sender<i64>,
) {
    while let Ok(job) = queue.recv() {
        let run = std::panic::AssertUnwindSafe(|| job(&mut store));
        if std::panic::catch_unwind(run).is_err() {
            tracing::error!("a write to the record panicked; it was rolled back");
        }
        let head = store.last_seq;
        committed.send_if_modified(|seen| {
            let changed = *seen != head;
            *seen = head;
            changed
        });
    }
}

fn open_reader(db_path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        db_path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|source| StoreError::Open {
        path: db_path.to_path_buf(),
        source,
    })?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .and_then(|_| conn.pragma_update(None, "query_only", "ON"))
        .map_err(|e| StoreError::sqlite(db_path, e))?;
    Ok(conn)
}

/// A connection to read through, with the page files: lent from the pool
/// (read-only: a write through it fails), or a store's own for tests and
/// single-process tools.
pub struct Reader<'a> {
    pub(super) conn: &'a Connection,
    pub(super) pages: &'a PageVault,
    pub(super) db_path: &'a Path,
    pub(super) data_dir: &'a Path,
    pub(super) facility: &'a str,
}

impl Reader<'_> {
    /// The connection.
    pub fn conn(&self) -> &Connection {
        self.conn
    }

    /// The encrypted page files.
    pub fn pages(&self) -> &PageVault {
        self.pages
    }

    /// The database file.
    pub fn db_path(&self) -> &Path {
        self.db_path
    }

    /// The data folder.
    pub fn data_dir(&self) -> &Path {
        self.data_dir
    }

    /// The facility id the record's entries carry.
    pub fn facility(&self) -> &str {
        self.facility
    }

    /// Map a SQLite error to one naming the database file.
    pub fn err(&self, e: rusqlite::Error) -> StoreError {
        StoreError::sqlite(self.db_path, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::events::{EventKind, RetentionChanged};

    fn entry(w: &mut Writer<'_>) -> Result<i64, StoreError> {
        let body = RetentionChanged {
            by: "t".into(),
            visitor_days: 1,
            encounter_years: 1,
        };
        Ok(w.append(EventKind::RetentionChanged, "settings", &body)?
            .seq)
    }

    #[test]
    fn a_panicking_write_is_rolled_back_and_the_writer_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let record = Record::open(dir.path(), "f").unwrap();
        let mut seen = record.committed();
        assert_eq!(record.write(Utc::now(), entry).unwrap(), 1);
        assert!(seen.has_changed().unwrap(), "a commit is announced");
        seen.mark_unchanged();
        let failed = record.write(Utc::now(), |w| -> Result<(), StoreError> {
            entry(w)?;
            panic!("a bug in a use case");
        });
        assert!(
            matches!(failed, Err(StoreError::WriteFailed { .. })),
            "{failed:?}"
        );
        assert!(!seen.has_changed().unwrap(), "nothing was committed");
        assert_eq!(record.write(Utc::now(), entry).unwrap(), 2, "rolled back");
    }

    #[test]
    fn a_reader_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let record = Record::open(dir.path(), "f").unwrap();
        let refused = record
            .read(|r| r.conn().execute("DELETE FROM journal", []))
            .unwrap();
        assert!(refused.is_err(), "{refused:?}");
    }
}
