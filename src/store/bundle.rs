//! Signed export bundles: a run of journal entries with the facility's
//! Ed25519 signature over its chain head, checkable on another machine
//! without the database (`threshold log verify --bundle FILE`).
//!
//! A bundle is JSON Lines: a header (format, facility, first seq, the hash
//! before it, the public key), one line per entry exactly as stored, and a
//! trailer (last seq, head hash, entry count, signature). The signature
//! covers [`statement`]; the hash chain ties every entry to the head, so
//! changing, dropping, adding or reordering any line fails verification.

use super::journal::{chain_hash, GENESIS};
use super::keys::{self, KeyError};
use super::{Reader, StoreError};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{BufRead, Write};
use std::path::Path;

/// The bundle format's name, in the header and the signed statement.
pub const FORMAT: &str = "threshold-bundle/1";

/// The facility's signing key (a 32-byte Ed25519 seed in `keys/facility.key`).
#[derive(Clone)]
pub struct FacilityKey(SigningKey);

impl FacilityKey {
    /// Open the key in `data_dir`, creating it on first use.
    pub fn open(data_dir: &Path) -> Result<FacilityKey, KeyError> {
        let seed = keys::load(&data_dir.join(super::FACILITY_KEY_FILE), true)?;
        Ok(FacilityKey(SigningKey::from_bytes(&seed)))
    }

    /// A key from a seed (tests, benchmarks).
    pub fn from_seed(seed: [u8; 32]) -> FacilityKey {
        FacilityKey(SigningKey::from_bytes(&seed))
    }

    /// The public key, hex.
    pub fn public_hex(&self) -> String {
        hex::encode(self.0.verifying_key().as_bytes())
    }

    /// A short fingerprint of the public key for people to compare.
    pub fn fingerprint(&self) -> String {
        fingerprint(self.0.verifying_key().as_bytes())
    }

    /// The signature of `message`, hex.
    pub fn sign(&self, message: &str) -> String {
        hex::encode(self.0.sign(message.as_bytes()).to_bytes())
    }
}

/// `SHA-256(public key)`'s first 8 bytes as hex in groups of four.
pub fn fingerprint(public: &[u8; 32]) -> String {
    let d = hex::encode(&Sha256::digest(public)[..8]);
    d.as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    format: String,
    facility: String,
    created_at: String,
    from_seq: i64,
    prev_hash: String,
    public_key: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    seq: i64,
    at: String,
    facility: String,
    kind: String,
    subject: String,
    body: String,
    hash: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Trailer {
    to_seq: i64,
    head_hash: String,
    entries: u64,
    signature: String,
}

/// What the signature covers.
pub fn statement(
    h: &str,
    facility: &str,
    created_at: &str,
    range: (i64, i64),
    prev: &str,
    head: &str,
) -> String {
    format!(
        "{h}\nfacility {facility}\ncreated {created_at}\nfrom {}\nto {}\nprev {prev}\nhead {head}\n",
        range.0, range.1
    )
}

/// The first and last journal entries with `at` in `[from, to)` (journal
/// timestamps; `None` = open), or `None` when there are none.
pub fn range(
    store: &Reader<'_>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Option<(i64, i64)>, StoreError> {
    let (first, last): (Option<i64>, Option<i64>) = store
        .conn()
        .query_row(
            "SELECT MIN(seq), MAX(seq) FROM journal WHERE at >= ?1 AND at < ?2",
            [from.unwrap_or(""), to.unwrap_or("~")],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(|e| store.err(e))?;
    Ok(first.zip(last))
}

/// One JSON line.
fn line<T: Serialize>(out: &mut impl Write, v: &T) -> Result<(), BundleError> {
    serde_json::to_writer(&mut *out, v)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Write the bundle of journal entries with `at` in `[from, to)` (journal
/// timestamps; `None` = open) to `out`. Returns the number of entries.
pub fn write(
    store: &Reader<'_>,
    key: &FacilityKey,
    created_at: &str,
    from: Option<&str>,
    to: Option<&str>,
    out: &mut impl Write,
) -> Result<u64, BundleError> {
    let conn = store.conn();
    let err = |e| BundleError::Store(store.err(e));
    let (first, last) = range(store, from, to)?.ok_or(BundleError::Empty)?;
    let prev: [u8; 32] = if first <= 1 {
        GENESIS
    } else {
        let h: Vec<u8> = conn
            .query_row(
                "SELECT hash FROM journal WHERE seq = ?1",
                [first - 1],
                |r| r.get(0),
            )
            .map_err(err)?;
        h.try_into().unwrap_or(GENESIS)
    };
    let mut stmt = conn
        .prepare("SELECT seq, at, facility, kind, subject, body, hash FROM journal WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq")
        .map_err(err)?;
    let rows = stmt
        .query_map([first, last], super::journal::from_row)
        .map_err(err)?;
    let signer = BundleSigner {
        public_key: key.public_hex(),
        sign: &|s| key.sign(s),
    };
    let entries = rows.map(|r| r.map_err(err));
    write_entries(store.facility(), created_at, prev, entries, &signer, out)
}

/// Who signs a bundle: the facility's key on its kiosk, the city hub's
/// key for its copy.
pub struct BundleSigner<'a> {
    pub public_key: String,
    pub sign: &'a dyn Fn(&str) -> String,
}

/// Write a bundle of `facility`'s `entries` (consecutive, in order, the
/// first following the hash `prev`), signed by `signer`, to `out`.
pub fn write_entries(
    facility: &str,
    created_at: &str,
    prev: [u8; 32],
    entries: impl Iterator<Item = Result<super::journal::Entry, BundleError>>,
    signer: &BundleSigner<'_>,
    out: &mut impl Write,
) -> Result<u64, BundleError> {
    let mut entries = entries.peekable();
    let first = match entries.peek() {
        Some(Ok(e)) => e.seq,
        Some(Err(_)) => return Err(entries.next().and_then(Result::err).expect("an error")),
        None => return Err(BundleError::Empty),
    };
    let header = Header {
        format: FORMAT.into(),
        facility: facility.to_string(),
        created_at: created_at.into(),
        from_seq: first,
        prev_hash: hex::encode(prev),
        public_key: signer.public_key.clone(),
    };
    line(out, &header)?;
    let (mut n, mut head, mut last) = (0u64, prev, first);
    for e in entries {
        let e = e?;
        head = e.hash;
        last = e.seq;
        n += 1;
        line(
            out,
            &Line {
                seq: e.seq,
                at: e.at,
                facility: e.facility,
                kind: e.kind,
                subject: e.subject,
                body: e.body,
                hash: hex::encode(e.hash),
            },
        )?;
    }
    let head = hex::encode(head);
    let signature = (signer.sign)(&statement(
        FORMAT,
        facility,
        created_at,
        (first, last),
        &header.prev_hash,
        &head,
    ));
    line(
        out,
        &Trailer {
            to_seq: last,
            head_hash: head,
            entries: n,
            signature,
        },
    )?;
    out.flush()?;
    Ok(n)
}

/// Why a bundle could not be written.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("{}", crate::msg!("no journal entries in that date range; nothing to export"))]
    Empty,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{}", crate::msg!("writing the bundle failed: {error}", error = .0))]
    Io(#[from] std::io::Error),
    #[error("{}", crate::msg!("encoding the bundle failed: {error}", error = .0))]
    Json(#[from] serde_json::Error),
}

/// The result of checking a bundle.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BundleReport {
    pub facility: String,
    pub created_at: String,
    pub from_seq: i64,
    pub to_seq: i64,
    pub entries: u64,
    pub head_hash: String,
    pub public_key: String,
    pub fingerprint: String,
    /// Empty when the bundle is intact and signed by `public_key`.
    pub problems: Vec<String>,
}

impl BundleReport {
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
    }
}

fn hash32(s: &str) -> Option<[u8; 32]> {
    hex::decode(s).ok()?.try_into().ok()
}

fn note(problems: &mut Vec<String>, s: String) {
    // One broken line usually breaks every later one; keep the first few.
    if problems.len() < 20 {
        problems.push(s);
    }
}

/// Check a bundle read from `input`; with `expected_key` (hex), the
/// signature must also be by that key.
pub fn verify(input: impl BufRead, expected_key: Option<&str>) -> std::io::Result<BundleReport> {
    let mut report = BundleReport::default();
    let mut lines = input.lines().enumerate();
    let header: Header = match lines.next() {
        Some((_, l)) => match serde_json::from_str(&l?) {
            Ok(h) => h,
            Err(e) => {
                report.problems.push(format!(
                    "line 1 is not a bundle header ({e}); is this a Threshold export bundle?"
                ));
                return Ok(report);
            }
        },
        None => {
            report.problems.push("the file is empty".into());
            return Ok(report);
        }
    };
    if header.format != FORMAT {
        note(
            &mut report.problems,
            format!("format `{}`; this version reads {FORMAT}", header.format),
        );
    }
    report.facility = header.facility.clone();
    report.created_at = header.created_at.clone();
    report.from_seq = header.from_seq;
    report.public_key = header.public_key.clone();
    let mut prev = hash32(&header.prev_hash).unwrap_or_else(|| {
        report
            .problems
            .push("the header's prev_hash is not a SHA-256 in hex".into());
        GENESIS
    });
    let mut expect_seq = header.from_seq;
    let mut trailer: Option<Trailer> = None;
    for (i, l) in lines {
        let l = l?;
        let n = i + 1;
        if trailer.is_some() {
            note(
                &mut report.problems,
                format!("line {n}: found after the trailer"),
            );
            continue;
        }
        if let Ok(t) = serde_json::from_str::<Trailer>(&l) {
            trailer = Some(t);
            continue;
        }
        let line: Line = match serde_json::from_str(&l) {
            Ok(x) => x,
            Err(e) => {
                note(
                    &mut report.problems,
                    format!("line {n}: not a journal entry ({e})"),
                );
                continue;
            }
        };
        if line.seq != expect_seq {
            note(&mut report.problems, format!("line {n}: entry {} where entry {expect_seq} was expected (an entry was removed, added or moved)", line.seq));
        }
        if line.facility != header.facility {
            note(
                &mut report.problems,
                format!(
                    "entry {}: facility `{}`, not `{}`",
                    line.seq, line.facility, header.facility
                ),
            );
        }
        let computed = chain_hash(
            &prev,
            line.seq,
            &line.at,
            &line.facility,
            &line.kind,
            &line.subject,
            &line.body,
        );
        let stored = hash32(&line.hash);
        if stored != Some(computed) {
            note(
                &mut report.problems,
                format!(
                    "entry {} ({}): altered; its content does not match the hash chain",
                    line.seq, line.kind
                ),
            );
        }
        // Continue from the stored hash so one altered entry is named once.
        prev = stored.unwrap_or(computed);
        expect_seq = line.seq + 1;
        report.entries += 1;
        report.to_seq = line.seq;
    }
    let Some(t) = trailer else {
        note(
            &mut report.problems,
            "the trailer with the signature is missing (the file was cut short)".into(),
        );
        return Ok(report);
    };
    report.head_hash = t.head_hash.clone();
    if t.entries != report.entries || t.to_seq != report.to_seq {
        note(
            &mut report.problems,
            format!(
                "the trailer says entries {}..{} ({} entries); the file holds {}..{} ({})",
                header.from_seq,
                t.to_seq,
                t.entries,
                header.from_seq,
                report.to_seq,
                report.entries
            ),
        );
    }
    if hash32(&t.head_hash) != Some(prev) {
        note(
            &mut report.problems,
            "the signed head hash is not the last entry's hash".into(),
        );
    }
    let key = hash32(&header.public_key).and_then(|k| VerifyingKey::from_bytes(&k).ok());
    let sig = hex::decode(&t.signature)
        .ok()
        .and_then(|s| Signature::from_slice(&s).ok());
    match (key, sig) {
        (Some(key), Some(sig)) => {
            report.fingerprint = fingerprint(key.as_bytes());
            let msg = statement(
                &header.format,
                &header.facility,
                &header.created_at,
                (header.from_seq, t.to_seq),
                &header.prev_hash,
                &t.head_hash,
            );
            if key.verify(msg.as_bytes(), &sig).is_err() {
                note(
                    &mut report.problems,
                    "the signature does not match: the bundle was changed after it was signed"
                        .into(),
                );
            }
        }
        _ => note(
            &mut report.problems,
            "the public key or signature is malformed".into(),
        ),
    }
    if let Some(expected) = expected_key {
        if !expected.eq_ignore_ascii_case(&header.public_key) {
            note(
                &mut report.problems,
                format!(
                    "signed by key {} ({}), not the expected key {expected}",
                    header.public_key, report.fingerprint
                ),
            );
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::account::AccountRole;
    use crate::store::Store;

    fn bundle() -> (tempfile::TempDir, FacilityKey, Vec<u8>) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path(), "lib-1").unwrap();
        let t = chrono::Utc::now();
        for (i, name) in ["ana", "bo", "cy"].iter().enumerate() {
            crate::store::accounts::add(&mut store, t, name, AccountRole::Counsel, "h").unwrap();
            crate::store::accounts::set_retention(&mut store, t, name, 10 + i as u32, 7).unwrap();
        }
        let key = FacilityKey::from_seed([7; 32]);
        let mut out = Vec::new();
        assert_eq!(
            write(
                &store.reader(),
                &key,
                "2026-11-27T00:00:00Z",
                None,
                None,
                &mut out
            )
            .unwrap(),
            6
        );
        (dir, key, out)
    }

    fn check(bytes: &[u8], key: Option<&str>) -> BundleReport {
        verify(std::io::Cursor::new(bytes), key).unwrap()
    }

    #[test]
    fn an_intact_bundle_verifies_and_every_tampering_fails() {
        let (_dir, key, out) = bundle();
        let ok = check(&out, Some(&key.public_hex()));
        assert!(ok.intact(), "{:?}", ok.problems);
        assert_eq!((ok.from_seq, ok.to_seq, ok.entries), (1, 6, 6));
        assert_eq!(ok.fingerprint, key.fingerprint());
        let text = String::from_utf8(out.clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        // An edited body.
        let edited = text.replacen(r#"\"visitor_days\":10"#, r#"\"visitor_days\":99"#, 1);
        assert_ne!(edited, text);
        let r = check(edited.as_bytes(), None);
        assert!(
            r.problems.iter().any(|p| p.contains("altered")),
            "{:?}",
            r.problems
        );
        // A removed entry, a cut-off file, swapped lines.
        let mut removed = lines.clone();
        removed.remove(3);
        assert!(!check(removed.join("\n").as_bytes(), None).intact());
        let cut = lines[..lines.len() - 1].join("\n");
        assert!(check(cut.as_bytes(), None)
            .problems
            .iter()
            .any(|p| p.contains("trailer")));
        let mut swapped = lines.clone();
        swapped.swap(2, 3);
        assert!(!check(swapped.join("\n").as_bytes(), None).intact());
        // Re-signed by someone else's key: intact on its own terms, but not
        // the facility's key.
        let other = FacilityKey::from_seed([9; 32]);
        let r = check(&out, Some(&other.public_hex()));
        assert!(r
            .problems
            .iter()
            .any(|p| p.contains("not the expected key")));
        // Not a bundle at all.
        assert!(!check(b"kind,id\n", None).intact());
        assert!(!check(b"", None).intact());
    }
}
