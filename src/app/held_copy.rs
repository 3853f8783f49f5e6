//! An encounter's record rebuilt from a copy held elsewhere: the hub keeps
//! each kiosk's entries exactly as stored and their vault values sealed
//! under its own key; the city's web reads the record through here, with
//! the same assembly (and the same timeline) as the kiosk's own pages.

use super::records::EncounterRecord;
use super::AppError;
use crate::store::events::VaultRef;
use crate::store::journal::Entry;
use crate::store::query::{self, ReadError, PURGED};
use std::collections::HashMap;

/// One stored entry of the copy: seq, time, kind, body (JSON as stored).
pub struct CopiedEntry {
    pub seq: i64,
    pub at: String,
    pub kind: String,
    pub body: String,
}

/// The vault ids the entries' bodies refer to.
pub fn vault_ids(entries: &[CopiedEntry]) -> Vec<i64> {
    vault_ids_in(entries.iter().map(|e| e.body.as_str()))
}

/// The vault ids entry bodies (JSON as stored) refer to, sorted, once each.
pub fn vault_ids_in<'a>(bodies: impl IntoIterator<Item = &'a str>) -> Vec<i64> {
    fn walk(v: &serde_json::Value, out: &mut Vec<i64>) {
        match v {
            serde_json::Value::Object(m) => {
                if let (Some(id), Some(serde_json::Value::String(_))) =
                    (m.get("vault").and_then(|x| x.as_i64()), m.get("commit"))
                {
                    out.push(id);
                }
                m.values().for_each(|x| walk(x, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for body in bodies {
        if let Ok(v) = serde_json::from_str(body) {
            walk(&v, &mut out);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Encounter `id` of `facility` from its copied entries (oldest first;
/// the purges that name it among them),
/// with `values` (vault id → salt and value, as opened). A value missing,
/// or not matching its entry's commitment, reads as purged.
pub fn encounter(
    facility: &str,
    id: &str,
    entries: Vec<CopiedEntry>,
    values: &HashMap<i64, (Vec<u8>, String)>,
) -> Result<Option<EncounterRecord>, AppError> {
    let entries: Vec<Entry> = entries
        .into_iter()
        .map(|e| Entry {
            seq: e.seq,
            at: e.at,
            facility: facility.to_string(),
            kind: e.kind,
            subject: id.to_string(),
            body: e.body,
            hash: [0; 32],
        })
        .collect();
    let mut rev = |r: &VaultRef| -> Result<String, ReadError> {
        Ok(values
            .get(&r.vault)
            .filter(|(salt, value)| crate::store::vault::commitment(salt, value) == r.commit)
            .map_or_else(|| PURGED.to_string(), |(_, v)| v.clone()))
    };
    Ok(query::assemble(id, &entries, &mut rev)?)
}

/// One stored entry of the copy, whole, for a bundle.
pub struct StoredEntry {
    pub seq: i64,
    pub at: String,
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub hash: [u8; 32],
}

/// A signed bundle (`threshold-bundle/1`, the kiosk's format) of
/// `facility`'s copied `entries` (consecutive, the first following
/// `prev`), signed by the holder of `public_key` with `sign`: checkable
/// with `threshold log verify --bundle FILE --key PUBLIC_KEY` like the
/// kiosk's own. The number of entries.
pub fn bundle(
    facility: &str,
    created_at: &str,
    prev: [u8; 32],
    entries: Vec<StoredEntry>,
    public_key: String,
    sign: &dyn Fn(&str) -> String,
    out: &mut impl std::io::Write,
) -> Result<u64, crate::store::bundle::BundleError> {
    let entries = entries.into_iter().map(|e| {
        Ok(Entry {
            seq: e.seq,
            at: e.at,
            facility: facility.to_string(),
            kind: e.kind,
            subject: e.subject,
            body: e.body,
            hash: e.hash,
        })
    });
    let signer = crate::store::bundle::BundleSigner { public_key, sign };
    crate::store::bundle::write_entries(facility, created_at, prev, entries, &signer, out)
}
