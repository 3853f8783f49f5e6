//! `log verify`: walk the chain, check every vault row and page file against
//! its commitment, and rebuild the projections to compare them.

use super::events::{EventKind, Purged};
use super::journal::{self, Entry, GENESIS};
use super::{migrations, projections, vault, Store, StoreError};
use rusqlite::types::Value;
use rusqlite::Connection;
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
}

impl Report {
    /// True when nothing was altered.
    pub fn intact(&self) -> bool {
        self.findings.is_empty()
    }
}

pub(crate) struct Ref {
    pub(crate) id: String,
    pub(crate) commit: String,
}

/// Find `{"vault", "commit"}` and `{"page", "sha256"}` objects in a body.
pub(crate) fn collect_refs(v: &serde_json::Value, vaults: &mut Vec<Ref>, pages: &mut Vec<Ref>) {
    match v {
        serde_json::Value::Object(map) => {
            if let (Some(id), Some(c)) = (map.get("vault"), map.get("commit")) {
                if let (Some(id), Some(c)) = (id.as_str(), c.as_str()) {
                    vaults.push(Ref {
                        id: id.into(),
                        commit: c.into(),
                    });
                    return;
                }
            }
            if let (Some(id), Some(h)) = (map.get("page"), map.get("sha256")) {
                if let (Some(id), Some(h)) = (id.as_str(), h.as_str()) {
                    pages.push(Ref {
                        id: id.into(),
                        commit: h.into(),
                    });
                    return;
                }
            }
            map.values().for_each(|v| collect_refs(v, vaults, pages));
        }
        serde_json::Value::Array(items) => {
            items.iter().for_each(|v| collect_refs(v, vaults, pages))
        }
        _ => {}
    }
}

/// Verify the whole store. Reads one consistent snapshot.
pub fn verify(store: &Store) -> Result<Report, StoreError> {
    let conn = store.conn();
    let tx = conn.unchecked_transaction().map_err(|e| store.err(e))?;
    let mut findings = Vec::new();
    let at = |seq: i64, kind: &str, problem: String| Finding {
        seq: Some(seq),
        kind: kind.to_string(),
        problem,
    };

    // The vault as it is: id -> commitment recomputed from salt and value.
    let mut live: HashMap<String, String> = HashMap::new();
    {
        let mut stmt = tx
            .prepare("SELECT id, salt, value FROM vault")
            .map_err(|e| store.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| store.err(e))?;
        while let Some(r) = rows.next().map_err(|e| store.err(e))? {
            let id: String = r.get(0).map_err(|e| store.err(e))?;
            let salt: Vec<u8> = r.get(1).map_err(|e| store.err(e))?;
            let value: String = r.get(2).map_err(|e| store.err(e))?;
            live.insert(id, vault::commitment(&salt, &value));
        }
    }
    let present: HashSet<String> = live.keys().cloned().collect();

    let mut replay = Connection::open_in_memory().map_err(|e| store.err(e))?;
    migrations::migrate_to(&mut replay, migrations::latest()).map_err(|source| {
        StoreError::Migration {
            path: store.db_path().to_path_buf(),
            source,
        }
    })?;
    let replay_tx = replay.transaction().map_err(|e| store.err(e))?;

    let mut unresolved: Vec<(String, i64, String)> = Vec::new();
    let mut page_refs: Vec<(Ref, i64, String)> = Vec::new();
    let mut purged_vault: HashSet<String> = HashSet::new();
    let mut purged_pages: HashSet<String> = HashSet::new();
    let mut refs_by_seq: Vec<(i64, Vec<String>)> = Vec::new();
    let (mut prev_seq, mut prev_hash) = (0i64, GENESIS);
    let mut entries = 0u64;
    {
        let mut stmt = tx
            .prepare(
                "SELECT seq, at, facility, kind, subject, body, hash FROM journal ORDER BY seq",
            )
            .map_err(|e| store.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| store.err(e))?;
        while let Some(r) = rows.next().map_err(|e| store.err(e))? {
            let e: Entry = journal::from_row(r).map_err(|e| store.err(e))?;
            entries += 1;
            if e.seq != prev_seq + 1 {
                findings.push(at(
                    e.seq,
                    &e.kind,
                    if e.seq == prev_seq + 2 {
                        format!("entry {} before this one is missing (deleted)", prev_seq + 1)
                    } else {
                        format!(
                            "entries {} to {} before this one are missing (deleted), or the order was changed",
                            prev_seq + 1,
                            e.seq - 1
                        )
                    },
                ));
            }
            if e.expected_hash(&prev_hash) != e.hash {
                findings.push(at(
                    e.seq,
                    &e.kind,
                    "the entry does not match its hash: it was altered, or the chain was cut before it".into(),
                ));
            }
            (prev_seq, prev_hash) = (e.seq, e.hash);
            let parsed: serde_json::Value = match serde_json::from_str(&e.body) {
                Ok(v) => v,
                Err(err) => {
                    findings.push(at(
                        e.seq,
                        &e.kind,
                        format!("the body is not valid JSON: {err}"),
                    ));
                    continue;
                }
            };
            let (mut vaults, mut pages) = (Vec::new(), Vec::new());
            collect_refs(&parsed, &mut vaults, &mut pages);
            let mut ids = Vec::with_capacity(vaults.len() + pages.len());
            for v in vaults {
                match live.remove(&v.id) {
                    Some(c) if c == v.commit => {}
                    Some(_) => findings.push(at(
                        e.seq,
                        &e.kind,
                        format!(
                            "personal data in vault row {} was altered (commitment does not match)",
                            v.id
                        ),
                    )),
                    None => unresolved.push((v.id.clone(), e.seq, e.kind.clone())),
                }
                ids.push(v.id);
            }
            for p in pages {
                ids.push(p.id.clone());
                page_refs.push((p, e.seq, e.kind.clone()));
            }
            if EventKind::from_token(&e.kind) == Some(EventKind::Purged) {
                if let Ok(p) = serde_json::from_value::<Purged>(parsed) {
                    for id in &p.vault {
                        if present.contains(id) {
                            findings.push(at(
                                e.seq,
                                &e.kind,
                                format!("vault row {id} is listed as purged but is still in the database"),
                            ));
                        }
                    }
                    purged_vault.extend(p.vault);
                    purged_pages.extend(p.pages);
                }
            }
            if !ids.is_empty() {
                refs_by_seq.push((e.seq, ids));
            }
            if let Err(err) = projections::apply(&replay_tx, &e) {
                findings.push(at(
                    e.seq,
                    &e.kind,
                    format!("the entry cannot be replayed: {err}"),
                ));
            }
        }
    }

    for (id, seq, kind) in unresolved {
        if !purged_vault.contains(&id) {
            findings.push(at(
                seq,
                &kind,
                format!(
                    "vault row {id} is missing but no purge entry removed it (deleted by hand)"
                ),
            ));
        }
    }
    for id in live.keys() {
        findings.push(Finding {
            seq: None,
            kind: "vault".into(),
            problem: format!(
                "vault row {id} is not referenced by any journal entry (added by hand)"
            ),
        });
    }

    let mut leftover_files = Vec::new();
    let mut referenced_pages = HashSet::new();
    for (p, seq, kind) in &page_refs {
        referenced_pages.insert(p.id.clone());
        let path = store.pages().path(&p.id);
        if purged_pages.contains(&p.id) {
            if path.exists() {
                leftover_files.push(path.display().to_string());
            }
            continue;
        }
        match store.pages().read(&p.id) {
            Ok(image) if hex::encode(Sha256::digest(&image)) == p.commit => {}
            Ok(_) => findings.push(at(
                *seq,
                kind,
                format!("page file {} does not match its SHA-256", path.display()),
            )),
            Err(err) => findings.push(at(*seq, kind, format!("page {}: {err}", p.id))),
        }
    }
    for id in store.pages().list()? {
        if !referenced_pages.contains(&id) {
            findings.push(Finding {
                seq: None,
                kind: "page".into(),
                problem: format!(
                    "page file {} is not referenced by any journal entry",
                    store.pages().path(&id).display()
                ),
            });
        }
    }

    for (table, key) in projections::TABLES {
        if let Some(problem) =
            compare_table(&tx, &replay_tx, table, key).map_err(|e| store.err(e))?
        {
            let (seq, kind) = last_entry_for(&tx, &problem.0).map_err(|e| store.err(e))?;
            findings.push(Finding {
                seq,
                kind,
                problem: problem.1,
            });
        }
    }

    let purged_entries = refs_by_seq
        .iter()
        .filter(|(_, ids)| {
            ids.iter()
                .any(|id| purged_vault.contains(id) || purged_pages.contains(id))
        })
        .count() as u64;
    findings.sort_by_key(|f| f.seq.unwrap_or(i64::MAX));
    Ok(Report {
        entries,
        purged_entries,
        head_seq: prev_seq,
        head_hash: hex::encode(prev_hash),
        findings,
        leftover_files,
    })
}

/// Compare a stored projection with the replayed one; on the first
/// difference, return the subject it concerns and a description.
fn compare_table(
    stored: &Connection,
    replayed: &Connection,
    table: &str,
    key: &str,
) -> rusqlite::Result<Option<(String, String)>> {
    let sql = format!("SELECT * FROM {table} ORDER BY {key}");
    let mut a = stored.prepare(&sql)?;
    let mut b = replayed.prepare(&sql)?;
    let columns: Vec<String> = a.column_names().iter().map(|c| c.to_string()).collect();
    let subject_col = if table == "checkins" || table == "encounters" {
        0
    } else {
        1
    };
    let n = columns.len();
    let mut ra = a.query([])?;
    let mut rb = b.query([])?;
    loop {
        let (x, y) = (ra.next()?, rb.next()?);
        let read = |r: &rusqlite::Row<'_>| -> rusqlite::Result<Vec<Value>> {
            (0..n).map(|i| r.get::<_, Value>(i)).collect()
        };
        match (x, y) {
            (None, None) => return Ok(None),
            (Some(x), None) => {
                let row = read(x)?;
                let subject = text(&row[0]);
                return Ok(Some((
                    subject.clone(),
                    format!(
                        "projection `{table}` has a row `{subject}` that no journal entry created"
                    ),
                )));
            }
            (None, Some(y)) => {
                let row = read(y)?;
                let subject = text(&row[subject_col]);
                return Ok(Some((subject, format!("projection `{table}` lacks the row `{}` the journal creates (deleted by hand)", text(&row[0])))));
            }
            (Some(x), Some(y)) => {
                let (rx, ry) = (read(x)?, read(y)?);
                if let Some(i) = (0..n).find(|i| rx[*i] != ry[*i]) {
                    let subject = text(&ry[subject_col]);
                    return Ok(Some((
                        subject,
                        format!(
                            "projection `{table}` row `{}` column `{}` does not match the journal",
                            text(&ry[0]),
                            columns[i]
                        ),
                    )));
                }
            }
        }
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
        other => format!("{other:?}"),
    }
}

fn last_entry_for(conn: &Connection, subject: &str) -> rusqlite::Result<(Option<i64>, String)> {
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
