//! `log verify`: walk the chain, check every vault row and page file against
//! its commitment, and rebuild the projections to compare them.
//!
//! The walk reads the journal once, hashes and checks references on this
//! thread, and hands the entries in batches to a second thread, which
//! replays them into an in-memory database.
//! The projections are then compared by per-row digests computed on both
//! sides at once.

use super::events::{EventKind, Purged};
use super::journal::{self, chain_hash, GENESIS};
use super::{migrations, projections, refs, vault, Reader, StoreError};
use rusqlite::types::{Value, ValueRef};
use rusqlite::Connection;
use rusqlite::OpenFlags;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

/// One thing found wrong, placed at the journal entry it concerns when there
/// is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub seq: Option<i64>,
    pub kind: String,
    pub problem: String,
}

/// What `log verify` found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub entries: u64,
    /// Entries whose personal data or pages were purged by retention.
    pub purged_entries: u64,
    pub head_seq: i64,
    pub head_hash: String,
    /// Alterations, first (lowest seq) first.
    pub findings: Vec<Finding>,
    /// Page files of purged pages still on disk (the next purge removes them).
    pub leftover_files: Vec<String>,
    /// Accounts whose password hash was set before hashes were journaled:
    /// `log verify` cannot vouch for it until the password is changed.
    pub unjournaled_credentials: Vec<String>,
}

impl Report {
    /// True when nothing was altered.
    pub fn intact(&self) -> bool {
        self.findings.is_empty()
    }
}

pub(super) fn finding(seq: i64, kind: &str, problem: String) -> Finding {
    Finding {
        seq: Some(seq),
        kind: kind.to_string(),
        problem,
    }
}

/// An empty database with the projection tables and only the indexes that
/// keys need: secondary indexes would slow the replay and are not compared.
fn replay_db() -> Result<Connection, migrations::MigrationError> {
    let mut conn = Connection::open_in_memory_with_flags(
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    migrations::migrate_to(&mut conn, migrations::latest())?;
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for name in names {
        conn.execute_batch(&format!("DROP INDEX \"{name}\""))?;
    }
    Ok(conn)
}

/// What the replay thread hands back: the rebuilt projections, the entries
/// that could not be replayed, and each projection table's row digests in
/// rowid order.
type Replayed = (Connection, Vec<Finding>, Vec<Vec<[u8; 32]>>);

/// Entries handed from the walk to the replay thread at a time.
const BATCH: usize = 2048;

/// Replay the entries the walk hands over into `conn`, then digest the
/// result. The journal is read once, by the walk; replaying is the other
/// core's work.
fn replay(
    mut conn: Connection,
    entries: std::sync::mpsc::Receiver<Vec<journal::Entry>>,
) -> rusqlite::Result<Replayed> {
    // A scratch database: no rollback journal needed.
    conn.pragma_update(None, "journal_mode", "OFF")?;
    let mut findings = Vec::new();
    {
        let tx = conn.transaction()?;
        for batch in entries {
            for e in &batch {
                if let Err(err) = projections::apply(&tx, e) {
                    findings.push(finding(
                        e.seq,
                        &e.kind,
                        format!("the entry cannot be replayed: {err}"),
                    ));
                }
            }
        }
        tx.commit()?;
    }
    let digests = projections::TABLES
        .iter()
        .map(|(table, _)| row_digests(&conn, table, "rowid"))
        .collect::<rusqlite::Result<_>>()?;
    Ok((conn, findings, digests))
}

/// Column `i` of `r` as text, borrowed.
fn column_str<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    Ok(r.get_ref(i)?.as_str()?)
}

/// A journal row as read, borrowed from the statement.
struct Row<'a> {
    seq: i64,
    at: &'a str,
    facility: &'a str,
    kind: &'a str,
    subject: &'a str,
    body: &'a str,
    hash: &'a [u8],
}

/// The state of the walk over the journal.
#[derive(Default)]
struct Walk {
    findings: Vec<Finding>,
    entries: u64,
    head_seq: i64,
    head_hash: [u8; 32],
    /// Vault rows as stored: id -> commitment recomputed from salt and value.
    live: HashMap<i64, [u8; 32]>,
    present: HashSet<i64>,
    /// References whose row is gone: (vault id, seq, kind).
    unresolved: Vec<(i64, i64, String)>,
    /// (page id, sha256, seq, kind)
    pages: Vec<(String, String, i64, String)>,
    purged_vault: HashSet<i64>,
    purged_pages: HashSet<String>,
    /// Vault ids referenced, entry after entry, and for each entry with
    /// references the range of its ids there (to count purged entries).
    vault_ids: Vec<i64>,
    entries_with_refs: Vec<(u32, u32)>,
    /// Entries (index into `entries_with_refs`) referencing each page.
    page_owner: Vec<(usize, String)>,
}

impl Walk {
    fn entry(&mut self, e: &Row<'_>) {
        self.entries += 1;
        if e.seq != self.head_seq + 1 {
            let problem = if e.seq == self.head_seq + 2 {
                format!(
                    "entry {} before this one is missing (deleted)",
                    self.head_seq + 1
                )
            } else {
                format!(
                    "entries {} to {} before this one are missing (deleted), or the order was changed",
                    self.head_seq + 1,
                    e.seq - 1
                )
            };
            self.findings.push(finding(e.seq, e.kind, problem));
        }
        let expected = chain_hash(
            &self.head_hash,
            e.seq,
            e.at,
            e.facility,
            e.kind,
            e.subject,
            e.body,
        );
        if expected[..] != *e.hash {
            self.findings.push(finding(
                e.seq,
                e.kind,
                "the entry does not match its hash: it was altered, or the chain was cut before it"
                    .into(),
            ));
        }
        self.head_seq = e.seq;
        // A hash of the wrong length was reported above; chain on from it as
        // if it were all ones, so the next entry is reported too.
        self.head_hash = e.hash.try_into().unwrap_or([0xff; 32]);
        let found = refs::scan(e.body);
        let start = self.vault_ids.len() as u32;
        for (id, commit) in &found.vault {
            let mut claimed = [0u8; 32];
            let readable = hex::decode_to_slice(commit, &mut claimed).is_ok();
            match self.live.remove(id) {
                Some(c) if readable && c == claimed => {}
                Some(_) => self.findings.push(finding(
                    e.seq,
                    e.kind,
                    format!(
                        "personal data in vault row {id} was altered (commitment does not match)"
                    ),
                )),
                None => self.unresolved.push((*id, e.seq, e.kind.to_string())),
            }
            self.vault_ids.push(*id);
        }
        if !found.vault.is_empty() || !found.pages.is_empty() {
            let owner = self.entries_with_refs.len();
            self.entries_with_refs
                .push((start, self.vault_ids.len() as u32));
            for (id, sha) in &found.pages {
                self.pages
                    .push((id.to_string(), sha.to_string(), e.seq, e.kind.to_string()));
                self.page_owner.push((owner, id.to_string()));
            }
        }
        if EventKind::from_token(e.kind) == Some(EventKind::Purged) {
            match serde_json::from_str::<Purged>(e.body) {
                Ok(p) => {
                    for id in &p.vault {
                        if self.present.contains(id) {
                            self.findings.push(finding(
                                e.seq,
                                e.kind,
                                format!("vault row {id} is listed as purged but is still in the database"),
                            ));
                        }
                    }
                    self.purged_vault.extend(p.vault);
                    self.purged_pages.extend(p.pages);
                }
                Err(err) => self.findings.push(finding(
                    e.seq,
                    e.kind,
                    format!("the purge record cannot be read: {err}"),
                )),
            }
        }
    }

    /// Entries whose vault rows or pages retention removed.
    fn purged_entries(&self) -> u64 {
        let mut purged: HashSet<usize> = self
            .page_owner
            .iter()
            .filter(|(_, id)| self.purged_pages.contains(id))
            .map(|(owner, _)| *owner)
            .collect();
        if !self.purged_vault.is_empty() {
            for (i, (start, end)) in self.entries_with_refs.iter().enumerate() {
                let ids = &self.vault_ids[*start as usize..*end as usize];
                if ids.iter().any(|id| self.purged_vault.contains(id)) {
                    purged.insert(i);
                }
            }
        }
        purged.len() as u64
    }
}

/// Verify the whole store. Reads one consistent snapshot.
pub fn verify(store: &Reader<'_>) -> Result<Report, StoreError> {
    let err = |e| store.err(e);
    // Read the whole file through a memory map rather than a read() per
    // page; unmapped again when verify ends (the connection may be pooled).
    struct Mapped<'c>(&'c Connection);
    impl Drop for Mapped<'_> {
        fn drop(&mut self) {
            let _ = self.0.pragma_update(None, "mmap_size", 0);
        }
    }
    store
        .conn()
        .pragma_update(None, "mmap_size", 1i64 << 34)
        .map_err(err)?;
    let _mapped = Mapped(store.conn());
    let tx = store.conn().unchecked_transaction().map_err(err)?;
    let mut walk = Walk {
        head_hash: GENESIS,
        ..Default::default()
    };
    {
        let mut stmt = tx
            .prepare("SELECT id, salt, value FROM vault")
            .map_err(err)?;
        let mut rows = stmt.query([]).map_err(err)?;
        while let Some(r) = rows.next().map_err(err)? {
            let id: i64 = r.get(0).map_err(err)?;
            let salt: Vec<u8> = r.get(1).map_err(err)?;
            let value: String = r.get(2).map_err(err)?;
            walk.live.insert(id, vault::commitment_bytes(&salt, &value));
        }
        walk.present = walk.live.keys().copied().collect();
    }

    let head: i64 = tx
        .query_row("SELECT COALESCE(MAX(seq), 0) FROM journal", [], |r| {
            r.get(0)
        })
        .map_err(err)?;
    let replay_conn = replay_db().map_err(|source| StoreError::Migration {
        path: store.db_path().to_path_buf(),
        source,
    })?;
    let (to_replay, entries) = std::sync::mpsc::sync_channel::<Vec<journal::Entry>>(4);
    let replayer = std::thread::spawn(move || replay(replay_conn, entries));
    {
        let mut batch = Vec::with_capacity(BATCH);
        let mut stmt = tx
            .prepare("SELECT seq, at, facility, kind, subject, body, hash FROM journal WHERE seq <= ?1 ORDER BY seq")
            .map_err(err)?;
        let mut rows = stmt.query([head]).map_err(err)?;
        while let Some(r) = rows.next().map_err(err)? {
            let row = Row {
                seq: r.get(0).map_err(err)?,
                at: column_str(r, 1).map_err(err)?,
                facility: column_str(r, 2).map_err(err)?,
                kind: column_str(r, 3).map_err(err)?,
                subject: column_str(r, 4).map_err(err)?,
                body: column_str(r, 5).map_err(err)?,
                hash: r.get_ref(6).and_then(|v| Ok(v.as_blob()?)).map_err(err)?,
            };
            walk.entry(&row);
            // `apply` needs neither the facility nor the hash.
            batch.push(journal::Entry {
                seq: row.seq,
                at: row.at.to_string(),
                facility: String::new(),
                kind: row.kind.to_string(),
                subject: row.subject.to_string(),
                body: row.body.to_string(),
                hash: [0; 32],
            });
            if batch.len() == BATCH {
                // A replay thread that stopped says why when joined.
                let _ = to_replay.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
            }
        }
        let _ = to_replay.send(batch);
    }
    drop(to_replay);
    // While the replay runs on, digest the stored projections.
    let stored_digests = projections::TABLES
        .iter()
        .map(|(table, _)| row_digests(&tx, table, "rowid"))
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(err)?;
    let (mut replayed, replay_findings, replayed_digests) = replayer
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        .map_err(err)?;
    let mut findings = std::mem::take(&mut walk.findings);
    findings.extend(replay_findings);

    for (id, seq, kind) in &walk.unresolved {
        if !walk.purged_vault.contains(id) {
            findings.push(finding(
                *seq,
                kind,
                format!(
                    "vault row {id} is missing but no purge entry removed it (deleted by hand)"
                ),
            ));
        }
    }
    for id in walk.live.keys() {
        findings.push(Finding {
            seq: None,
            kind: "vault".into(),
            problem: format!(
                "vault row {id} is not referenced by any journal entry (added by hand)"
            ),
        });
    }
    let leftover_files =
        super::pages::check_files(store, &walk.pages, &walk.purged_pages, &mut findings)?;
    let unjournaled_credentials =
        super::accounts::check_credentials(&tx, &mut findings).map_err(err)?;

    for (i, (table, key)) in projections::TABLES.iter().enumerate() {
        if stored_digests[i] == replayed_digests[i] {
            continue;
        }
        let (back, problem) = compare_by_key(&tx, replayed, table, key).map_err(err)?;
        replayed = back;
        if let Some((subject, problem)) = problem {
            let (seq, kind) = last_entry_for(&tx, &subject).map_err(err)?;
            findings.push(Finding { seq, kind, problem });
        }
    }

    let purged_entries = walk.purged_entries();
    findings.sort_by_key(|f| f.seq.unwrap_or(i64::MAX));
    Ok(Report {
        entries: walk.entries,
        purged_entries,
        head_seq: walk.head_seq,
        head_hash: hex::encode(walk.head_hash),
        findings,
        leftover_files,
        unjournaled_credentials,
    })
}

/// SHA-256 of each row of `table` in key order.
fn row_digests(conn: &Connection, table: &str, order: &str) -> rusqlite::Result<Vec<[u8; 32]>> {
    let mut stmt = conn.prepare(&format!("SELECT * FROM {table} ORDER BY {order}"))?;
    let n = stmt.column_count();
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let mut h = Sha256::new();
        for i in 0..n {
            match r.get_ref(i)? {
                ValueRef::Null => h.update([0]),
                ValueRef::Integer(v) => {
                    h.update([1]);
                    h.update(v.to_be_bytes());
                }
                ValueRef::Real(v) => {
                    h.update([2]);
                    h.update(v.to_be_bytes());
                }
                ValueRef::Text(t) | ValueRef::Blob(t) => {
                    h.update([3]);
                    h.update((t.len() as u64).to_be_bytes());
                    h.update(t);
                }
            }
        }
        out.push(h.finalize().into());
    }
    Ok(out)
}

type Described = Option<(String, String)>;

/// Compare a stored projection with the replayed one in key order, after
/// they differed in rowid order (the usual case, as both sides insert in
/// journal order). Key order does not depend on how rows were numbered, so
/// a harmless renumbering is not reported. Returns the subject concerned
/// and a description, and hands the replay database back.
fn compare_by_key(
    stored: &Connection,
    replayed: Connection,
    table: &'static str,
    key: &'static str,
) -> rusqlite::Result<(Connection, Described)> {
    let (replayed, by_key) = first_difference(stored, replayed, table, key)?;
    let described = match by_key {
        None => None,
        Some(i) => describe(stored, &replayed, table, key, i)?,
    };
    Ok((replayed, described))
}

/// The index of the first row that differs in `order`, digests computed on
/// both sides at once.
fn first_difference(
    stored: &Connection,
    replayed: Connection,
    table: &'static str,
    order: &'static str,
) -> rusqlite::Result<(Connection, Option<usize>)> {
    let other = std::thread::spawn(move || {
        let d = row_digests(&replayed, table, order);
        (replayed, d)
    });
    let mine = row_digests(stored, table, order);
    let (replayed, theirs) = other
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    let (mine, theirs) = (mine?, theirs?);
    let first = (0..mine.len().max(theirs.len())).find(|&i| mine.get(i) != theirs.get(i));
    Ok((replayed, first))
}

/// Explain the difference at row `index` of both sides.
fn describe(
    stored: &Connection,
    replayed: &Connection,
    table: &str,
    key: &str,
    index: usize,
) -> rusqlite::Result<Described> {
    let sql = format!("SELECT * FROM {table} ORDER BY {key} LIMIT 1 OFFSET {index}");
    let columns: Vec<String> = stored
        .prepare(&sql)?
        .column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let row = |conn: &Connection| -> rusqlite::Result<Option<Vec<Value>>> {
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query([])?;
        match rows.next()? {
            Some(r) => Ok(Some(
                (0..columns.len())
                    .map(|i| r.get::<_, Value>(i))
                    .collect::<Result<_, _>>()?,
            )),
            None => Ok(None),
        }
    };
    let subject_col = if table == "checkins" || table == "encounters" {
        0
    } else {
        1
    };
    Ok(match (row(stored)?, row(replayed)?) {
        (None, None) => None,
        (Some(x), None) => {
            let id = text(&x[0]);
            Some((id.clone(), format!("projection `{table}` has a row `{id}` that no journal entry created")))
        }
        (None, Some(y)) => Some((
            text(&y[subject_col]),
            format!("projection `{table}` lacks the row `{}` the journal creates (deleted by hand)", text(&y[0])),
        )),
        (Some(x), Some(y)) if x[0] != y[0] => Some((
            text(&y[subject_col]),
            format!(
                "projection `{table}` has row `{}` where the journal creates `{}` (a row was added, deleted or renamed)",
                text(&x[0]),
                text(&y[0])
            ),
        )),
        (Some(x), Some(y)) => {
            let col = (0..columns.len()).find(|i| x[*i] != y[*i]).unwrap_or(0);
            Some((
                text(&y[subject_col]),
                format!("projection `{table}` row `{}` column `{}` does not match the journal", text(&y[0]), columns[col]),
            ))
        }
    })
}

fn text(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
        other => format!("{other:?}"),
    }
}

pub(super) fn last_entry_for(
    conn: &Connection,
    subject: &str,
) -> rusqlite::Result<(Option<i64>, String)> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row(
            "SELECT seq, kind FROM journal WHERE subject = ?1 ORDER BY seq DESC LIMIT 1",
            [subject],
            |r| Ok((Some(r.get(0)?), r.get(1)?)),
        )
        .optional()?
        .unwrap_or((None, "projection".into())))
}

pub use super::anchor::{extends, Extends};
