//! The durable record: SQLite (WAL, `synchronous=FULL`) holding the
//! hash-chained journal, the vault and the projections; encrypted page files
//! beside it. Every use case's writes happen in one transaction.

pub mod accounts;
pub mod anchor;
pub mod bundle;
pub mod entries;
pub mod events;
pub mod journal;
pub mod keys;
pub mod migrations;
pub mod outbox;
pub mod pages;
pub mod projections;
pub mod query;
pub mod record;
pub mod refs;
pub mod retention;
pub mod shipped;
pub mod vault;
pub mod verify;

use chrono::{DateTime, Utc};
use events::{EventKind, PageRef, VaultRef};
use journal::Entry;
use migrations::MigrationError;
use pages::{PageError, PageVault};
use rand::Rng;
use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use record::{Reader, Record};

/// File names inside the data folder.
pub const DB_FILE: &str = "threshold.db";
pub const PAGES_DIR: &str = "pages";
pub const KEY_FILE: &str = "keys/page.key";
pub const ACK_KEY_FILE: &str = "keys/ack.key";
pub const FACILITY_KEY_FILE: &str = "keys/facility.key";

/// The page size of a new database. Each durable commit writes every page
/// it touched to the WAL before its fsync: a check-in touches the journal,
/// the vault and the check-in projection with its indexes, and small pages
/// keep that write (and the fsync, slow on a kiosk's eMMC) small.
pub const PAGE_SIZE: u32 = 1024;

/// How long a writer waits for another process's transaction.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the store could not do what was asked. Each names the file to look at.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}", crate::msg!("cannot create the data folder {path}: {source}", path = .path.display(), source = .source))]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", crate::msg!("the data folder {path} can be written by other users (mode {mode}); they could replace the record or its keys. Make it the service user's alone: chown threshold: {path} && chmod 700 {path}", path = .path.display(), mode = format!("{:o}", .mode)))]
    UnsafeDataDir { path: PathBuf, mode: u32 },
    #[error("{}", crate::msg!("cannot open the database {path}: {source}", path = .path.display(), source = .source))]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("{}", crate::msg!("database {path}: {source}", path = .path.display(), source = .source))]
    Migration {
        path: PathBuf,
        source: MigrationError,
    },
    #[error("{}", crate::msg!("the disk holding {path} is full; free space and try again (nothing from this action was recorded)", path = .path.display()))]
    DiskFull { path: PathBuf },
    #[error("{}", crate::msg!("the database {path} stayed locked by another Threshold process for {wait}; try again", path = .path.display(), wait = format!("{:?}", BUSY_TIMEOUT)))]
    Busy { path: PathBuf },
    #[error("{}", crate::msg!("the database {path} is read-only; give the service user write access to the data folder", path = .path.display()))]
    ReadOnly { path: PathBuf },
    #[error("{}", crate::msg!("{path} is damaged or is not a SQLite database; restore it from a backup, or point --data-dir at another folder", path = .path.display()))]
    Damaged { path: PathBuf },
    #[error("{}", crate::msg!("database {path}: {source}", path = .path.display(), source = .source))]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(transparent)]
    Page(#[from] PageError),
    #[error("{}", crate::msg!("journal entry could not be projected: {error}", error = .0))]
    Projection(#[from] projections::ProjectionError),
    #[error("{}", crate::msg!("cannot encode a journal body: {error}", error = .0))]
    Encode(#[from] serde_json::Error),
    #[error("{}", crate::msg!("one journal entry may hold at most {limit} personal values", limit = vault::PER_ENTRY - 1))]
    EntryTooLarge,
    #[error("{}", crate::msg!("the record writer for {path} has stopped; restart Threshold (nothing from this action was recorded)", path = .path.display()))]
    WriterGone { path: PathBuf },
    #[error("{}", crate::msg!("a write to {path} failed unexpectedly and was rolled back (the service log says why); nothing from this action was recorded, try again", path = .path.display()))]
    WriteFailed { path: PathBuf },
}

impl StoreError {
    fn sqlite(path: &Path, source: rusqlite::Error) -> StoreError {
        let path = path.to_path_buf();
        match source.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => StoreError::DiskFull { path },
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy { path },
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly { path },
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
                StoreError::Damaged { path }
            }
            _ => StoreError::Sqlite { path, source },
        }
    }
}

/// Format a time the way the journal stores it (sortable, millisecond UTC).
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Create the data folder readable by its owner only (it holds personal
/// data). An existing folder that others may write to is refused (they
/// could swap the database or the keys); one that others may read is
/// closed to them (0700) when this user owns it.
fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    if !dir.is_dir() {
        return std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|source| StoreError::DataDir {
                path: dir.to_path_buf(),
                source,
            });
    }
    let meta = std::fs::metadata(dir).map_err(|source| StoreError::DataDir {
        path: dir.to_path_buf(),
        source,
    })?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o022 != 0 {
        return Err(StoreError::UnsafeDataDir {
            path: dir.to_path_buf(),
            mode,
        });
    }
    if mode & 0o077 != 0 && meta.uid() == own_uid() {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(
            |source| StoreError::DataDir {
                path: dir.to_path_buf(),
                source,
            },
        )?;
        tracing::warn!(folder = %dir.display(), "the data folder was readable by others ({mode:o}); it is now 0700");
    }
    Ok(())
}

/// This process's user id (the owner of `/proc/self`).
fn own_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").map_or(u32::MAX, |m| m.uid())
}

/// The database and its WAL and shared-memory files readable by their
/// owner only: the database is created 0600 before SQLite opens it (SQLite
/// gives the WAL and shm files the database's mode), and files an older
/// version left 0644 are closed (when this user owns them).
fn private_db_files(db_path: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
    let io = |source| StoreError::DataDir {
        path: db_path.to_path_buf(),
        source,
    };
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(db_path)
    {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io(e)),
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut name = db_path.as_os_str().to_owned();
        name.push(suffix);
        let path = std::path::PathBuf::from(name);
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.permissions().mode() & 0o077 != 0 && meta.uid() == own_uid() {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
        }
    }
    Ok(())
}

/// Crockford base32: no I, L, O or U, so references read aloud well; in
/// ASCII order, so encoded numbers sort as strings.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The open data folder.
pub struct Store {
    conn: Connection,
    pages: Arc<PageVault>,
    db_path: PathBuf,
    data_dir: PathBuf,
    facility: String,
    /// The journal's last seq as of this connection's last commit.
    last_seq: i64,
}

/// Apply the per-connection settings: WAL, full fsync at commit, wait for
/// other writers, and zero deleted content so purged data leaves the file.
pub fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

impl Store {
    /// Open (creating and migrating as needed) the data folder, recording
    /// entries under `facility`.
    pub fn open(data_dir: &Path, facility: &str) -> Result<Store, StoreError> {
        create_private_dir(data_dir)?;
        let db_path = data_dir.join(DB_FILE);
        let new = std::fs::metadata(&db_path).map_or(true, |m| m.len() == 0);
        private_db_files(&db_path)?;
        let mut conn = Connection::open_with_flags(
            &db_path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| StoreError::Open {
            path: db_path.clone(),
            source,
        })?;
        if new {
            conn.pragma_update(None, "page_size", PAGE_SIZE)
                .map_err(|e| StoreError::sqlite(&db_path, e))?;
        }
        configure(&conn).map_err(|e| StoreError::sqlite(&db_path, e))?;
        migrations::migrate_to(&mut conn, migrations::latest()).map_err(|source| match source {
            MigrationError::Sqlite(e) => StoreError::sqlite(&db_path, e),
            source => StoreError::Migration {
                path: db_path.clone(),
                source,
            },
        })?;
        let has_pages: bool = conn
            .query_row("SELECT EXISTS (SELECT 1 FROM pages)", [], |r| r.get(0))
            .map_err(|e| StoreError::sqlite(&db_path, e))?;
        let pages = Arc::new(PageVault::open(
            &data_dir.join(KEY_FILE),
            &data_dir.join(PAGES_DIR),
            !has_pages,
        )?);
        let mut store = Store {
            conn,
            pages,
            db_path,
            data_dir: data_dir.to_path_buf(),
            facility: facility.to_string(),
            last_seq: 0,
        };
        store.last_seq = store.head_seq()?;
        Ok(store)
    }

    /// The journal's last seq now (0 when empty).
    pub fn head_seq(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM journal", [], |r| {
                r.get(0)
            })
            .map_err(|e| self.err(e))
    }

    /// This store's connection as a [`Reader`] (tests and single-process
    /// tools; the service reads through [`Record::read`]).
    pub fn reader(&self) -> Reader<'_> {
        Reader {
            conn: &self.conn,
            pages: &self.pages,
            db_path: &self.db_path,
            data_dir: &self.data_dir,
            facility: &self.facility,
        }
    }

    /// The connection, for reads.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The encrypted page files.
    pub fn pages(&self) -> &PageVault {
        &self.pages
    }

    /// The data folder.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The database file.
    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    /// The facility id stamped on every entry.
    pub fn facility(&self) -> &str {
        &self.facility
    }

    /// Map a SQLite error to one naming the database file.
    pub fn err(&self, e: rusqlite::Error) -> StoreError {
        StoreError::sqlite(&self.db_path, e)
    }

    /// Run `f` in one write transaction stamped `at`. Page files written in a
    /// transaction that does not commit are removed again.
    pub fn write<T, E>(
        &mut self,
        at: DateTime<Utc>,
        f: impl FnOnce(&mut Writer<'_>) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let db_path = self.db_path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| StoreError::sqlite(&db_path, e))?;
        let head = journal::head(&tx).map_err(|e| StoreError::sqlite(&db_path, e))?;
        let mut w = Writer {
            tx,
            head,
            sealed: 0,
            pages: &self.pages,
            at: timestamp(at),
            at_time: at,
            facility: &self.facility,
            db_path: &db_path,
            written: Vec::new(),
        };
        let result = f(&mut w);
        let Writer {
            tx,
            pages,
            written,
            head,
            ..
        } = w;
        let outcome = match result {
            Ok(value) => tx
                .commit()
                .map(|()| value)
                .map_err(|e| StoreError::sqlite(&db_path, e).into()),
            Err(e) => Err(e),
        };
        if outcome.is_ok() {
            self.last_seq = head.0;
        }
        if outcome.is_err() {
            for id in written {
                // Best effort: the journal never referenced these files.
                let _ = pages.delete(&id);
            }
        }
        outcome
    }
}

/// A write transaction in progress.
pub struct Writer<'a> {
    tx: Transaction<'a>,
    /// The chain head as of this transaction's last append, and how many
    /// values have been sealed for the next entry (vault ids derive from its
    /// seq and that count).
    head: (i64, [u8; 32]),
    sealed: i64,
    pages: &'a PageVault,
    at: String,
    at_time: DateTime<Utc>,
    facility: &'a str,
    db_path: &'a Path,
    written: Vec<String>,
}

impl Writer<'_> {
    /// Map a SQLite error to one naming the database file.
    pub fn err(&self, e: rusqlite::Error) -> StoreError {
        StoreError::sqlite(self.db_path, e)
    }

    /// The transaction, for reads that must see this transaction's writes.
    pub fn conn(&self) -> &Connection {
        &self.tx
    }

    /// The timestamp every entry of this transaction carries.
    pub fn at(&self) -> &str {
        &self.at
    }

    /// Put personal data or free text in the vault.
    pub fn seal(&mut self, value: &str) -> Result<VaultRef, StoreError> {
        if self.sealed + 1 >= vault::PER_ENTRY {
            return Err(StoreError::EntryTooLarge);
        }
        self.sealed += 1;
        let id = vault::id_for(self.head.0 + 1, self.sealed);
        vault::seal(&self.tx, id, value).map_err(|e| self.err(e))
    }

    /// [`Writer::seal`] for an optional value.
    pub fn seal_opt(&mut self, value: Option<&str>) -> Result<Option<VaultRef>, StoreError> {
        value.map(|v| self.seal(v)).transpose()
    }

    /// Delete vault rows (retention).
    pub fn delete_vault(&mut self, ids: &[i64]) -> Result<usize, StoreError> {
        vault::delete(&self.tx, ids).map_err(|e| self.err(e))
    }

    /// Append an entry and update the projections.
    pub fn append<B: Serialize>(
        &mut self,
        kind: EventKind,
        subject: &str,
        body: &B,
    ) -> Result<Entry, StoreError> {
        let body = serde_json::to_string(body)?;
        let entry = journal::append(
            &self.tx,
            self.head,
            &self.at,
            self.facility,
            kind.token(),
            subject,
            &body,
        )
        .map_err(|e| self.err(e))?;
        projections::apply(&self.tx, &entry)?;
        self.head = (entry.seq, entry.hash);
        self.sealed = 0;
        Ok(entry)
    }

    /// Encrypt and write a page image; the file is removed if the
    /// transaction does not commit.
    pub fn put_page(&mut self, image: &[u8], media: &str) -> Result<PageRef, StoreError> {
        let id = hex::encode(rand::random::<[u8; 16]>());
        self.written.push(id.clone());
        let sha256 = self.pages.write(&id, image)?;
        Ok(PageRef {
            page: id,
            sha256,
            bytes: image.len() as u64,
            media: media.to_string(),
        })
    }

    /// A fresh, unused random reference such as `E-7K2M9Q4P` for `table`:
    /// short enough to read aloud from a receipt.
    pub fn fresh_id(&self, prefix: &str, table: &str, len: usize) -> Result<String, StoreError> {
        let mut rng = rand::thread_rng();
        loop {
            let id: String = (0..len)
                .map(|_| CROCKFORD[rng.gen_range(0..32)] as char)
                .collect();
            let id = format!("{prefix}-{id}");
            if !self.taken(table, &id)? {
                return Ok(id);
            }
        }
    }

    /// A fresh reference that sorts by time, such as `V-1KQ7M2BXYZ`: seven
    /// characters of the Unix second, then three random ones. New rows land
    /// at the end of the indexes instead of on random pages, which keeps each
    /// durable commit small.
    pub fn fresh_ordered_id(&self, prefix: &str, table: &str) -> Result<String, StoreError> {
        let secs = self.at_time.timestamp().clamp(0, (1 << 35) - 1) as u64;
        let time: String = (0..7)
            .rev()
            .map(|i| CROCKFORD[((secs >> (5 * i)) & 31) as usize] as char)
            .collect();
        let mut rng = rand::thread_rng();
        loop {
            let tail: String = (0..3)
                .map(|_| CROCKFORD[rng.gen_range(0..32)] as char)
                .collect();
            let id = format!("{prefix}-{time}{tail}");
            if !self.taken(table, &id)? {
                return Ok(id);
            }
        }
    }

    fn taken(&self, table: &str, id: &str) -> Result<bool, StoreError> {
        self.tx
            .prepare_cached(&format!(
                "SELECT EXISTS (SELECT 1 FROM {table} WHERE id = ?1)"
            ))
            .and_then(|mut s| s.query_row([id], |r| r.get(0)))
            .map_err(|e| self.err(e))
    }
}
