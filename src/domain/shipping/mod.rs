//! What a kiosk ships to the city hub, and what the hub answers. Pure: the
//! forms, what is signed, and the checks both sides make; no I/O.
//!
//! - A **batch** is a run of journal entries exactly as stored, with the
//!   hash before the first, signed with the facility's Ed25519 key over
//!   [`Batch::statement`]. The hash chain ties every entry to the signed
//!   head, so no entry can be changed, dropped, added or reordered on the
//!   way without the check failing.
//! - A **receipt** is the hub's answer, signed with the hub's key: this
//!   facility's record, up to this seq, ends in this hash, stored at this
//!   time. The kiosk keeps its receipts; a record rewritten afterwards no
//!   longer extends them, and the hub refuses its next batch as a fork.
//! - A **heartbeat** is the kiosk's state, sent every 30 s, signed the same
//!   way as a batch.
//! - A **command** (see [`command`]) goes the other way: counsel's
//!   acknowledgement or instruction, signed by the hub, long-polled by the
//!   kiosk.
//! - A **page** (see [`page`]) is a document page's image, sent once the
//!   entry naming it is stored on the hub.

pub mod command;
pub mod page;

use super::chain::{chain_hash, GENESIS};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The batch format's name, in the batch and its signed statement.
pub const BATCH_FORMAT: &str = "threshold-batch/1";
/// The receipt format's name.
pub const RECEIPT_FORMAT: &str = "threshold-receipt/1";
/// The heartbeat format's name.
pub const HEARTBEAT_FORMAT: &str = "threshold-heartbeat/1";
/// The most entries one batch may carry.
pub const MAX_ENTRIES: usize = 1000;

/// One journal entry as shipped: every stored column, the hash in hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireEntry {
    pub seq: i64,
    pub at: String,
    pub facility: String,
    pub kind: String,
    pub subject: String,
    pub body: String,
    /// SHA-256, lower-case hex.
    pub hash: String,
}

/// A signed run of consecutive journal entries.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    pub format: String,
    /// The facility id (`[facility] id`), as enrolled on the hub.
    pub facility: String,
    /// The hash of the entry before the first (64 zeros before seq 1).
    pub prev_hash: String,
    pub entries: Vec<WireEntry>,
    /// Ed25519 over [`Batch::statement`], hex.
    pub signature: String,
    /// Encounters' values sealed by these entries (see [`VaultValue`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vault: Vec<VaultValue>,
}

/// An encounter's personal value (officers' names, notes, counsel's
/// instructions) shipped beside the entry that sealed it. The hub checks
/// it against the salted commitment in that entry's body, so it needs no
/// signature of its own. Values sealed by check-ins (visitors' names and
/// hosts) never go: the hub refuses a batch carrying one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VaultValue {
    /// The kiosk's vault id: `seq × 4096 + k` for the entry `seq`.
    pub id: i64,
    /// The commitment's salt, hex.
    pub salt: String,
    pub value: String,
}

/// Values one entry may seal (as the kiosk's vault numbers them).
pub const VAULT_PER_ENTRY: i64 = 4096;

/// Whether entries of `kind` may send their sealed values to the hub:
/// encounters' only.
pub fn ships_values(kind: &str) -> bool {
    kind.starts_with("encounter.")
}

/// Whether `value` with `salt` is the one journal entry `body` committed
/// to as vault value `id`.
pub fn value_matches(body: &str, id: i64, salt: &[u8], value: &str) -> bool {
    let Ok(body) = serde_json::from_str::<serde_json::Value>(body) else {
        return false;
    };
    let mut h = Sha256::new();
    h.update(salt);
    h.update(value.as_bytes());
    commitment_in(&body, id).is_some_and(|c| c == hex::encode(h.finalize()))
}

/// The commitment `{"vault": id, "commit": "…"}` for `id` anywhere in a
/// journal body.
fn commitment_in(body: &serde_json::Value, id: i64) -> Option<String> {
    match body {
        serde_json::Value::Object(m) => {
            if m.get("vault").and_then(serde_json::Value::as_i64) == Some(id) {
                return m.get("commit").and_then(|c| c.as_str()).map(str::to_string);
            }
            m.values().find_map(|v| commitment_in(v, id))
        }
        serde_json::Value::Array(a) => a.iter().find_map(|v| commitment_in(v, id)),
        _ => None,
    }
}

/// A batch whose form and chain are sound. Its signature is checked apart,
/// against the key enrolled for its facility.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub from: i64,
    pub to: i64,
    pub prev: [u8; 32],
    /// Each entry's hash, in seq order.
    pub hashes: Vec<[u8; 32]>,
}

impl Checked {
    /// The last entry's hash.
    pub fn head(&self) -> [u8; 32] {
        self.hashes.last().copied().unwrap_or(self.prev)
    }

    /// The hash of entry `seq`, when the batch holds it.
    pub fn hash_of(&self, seq: i64) -> Option<[u8; 32]> {
        let i = usize::try_from(seq - self.from).ok()?;
        self.hashes.get(i).copied()
    }
}

/// Why a batch, receipt or heartbeat is not taken. The words go to the
/// kiosk's health board and both logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShipError {
    #[error("format is `{found}`, expected `{expected}`")]
    Format {
        found: String,
        expected: &'static str,
    },
    #[error("the batch has no entries")]
    Empty,
    #[error("the batch has {0} entries; at most {MAX_ENTRIES} are taken at once")]
    TooMany(usize),
    #[error("`{0}` is not a SHA-256 in hex")]
    Hash(String),
    #[error("the first entry has seq {0}; seqs start at 1")]
    Start(i64),
    #[error("an entry after seq {after} has seq {found}; a batch's entries are consecutive")]
    Gap { after: i64, found: i64 },
    #[error("entry seq {seq} is stamped facility `{found}` but the batch is from `{batch}`")]
    Facility {
        seq: i64,
        found: String,
        batch: String,
    },
    #[error("entry seq {0}'s hash does not follow from the entry before it")]
    Chain(i64),
    #[error("the first entry is seq 1 but the hash before it is not 64 zeros")]
    Genesis,
    #[error("the signature does not match the key enrolled for facility `{0}`")]
    Signature(String),
    #[error("vault value {id}: {why}")]
    Vault { id: i64, why: &'static str },
}

/// 32 bytes from 64 hex digits.
pub fn hash_from_hex(s: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).ok()?;
    Some(out)
}

fn verify(public: &[u8; 32], statement: &str, signature: &str) -> bool {
    let Ok(key) = VerifyingKey::from_bytes(public) else {
        return false;
    };
    let mut sig = [0u8; 64];
    if hex::decode_to_slice(signature, &mut sig).is_err() {
        return false;
    }
    key.verify(statement.as_bytes(), &Signature::from_bytes(&sig))
        .is_ok()
}

impl Batch {
    /// A batch of `entries` following `prev`, signed by `sign` (which
    /// returns the hex signature of the statement it is given).
    pub fn signed(
        facility: &str,
        prev: [u8; 32],
        entries: Vec<WireEntry>,
        sign: impl FnOnce(&str) -> String,
    ) -> Batch {
        let mut b = Batch {
            format: BATCH_FORMAT.into(),
            facility: facility.into(),
            prev_hash: hex::encode(prev),
            entries,
            signature: String::new(),
            vault: Vec::new(),
        };
        b.signature = sign(&b.statement());
        b
    }

    /// Check every shipped value: it was sealed by an encounter's entry in
    /// this batch and matches the commitment that entry carries.
    pub fn check_vault(&self) -> Result<(), ShipError> {
        let from = self.entries.first().map_or(0, |e| e.seq);
        for v in &self.vault {
            let bad = |why: &'static str| ShipError::Vault { id: v.id, why };
            let seq = v.id.div_euclid(VAULT_PER_ENTRY);
            let entry = usize::try_from(seq - from)
                .ok()
                .and_then(|i| self.entries.get(i))
                .ok_or(bad("it was sealed by no entry of the batch"))?;
            if !ships_values(&entry.kind) {
                return Err(bad(
                    "only encounters' values go to the hub; visitor data never leaves the building",
                ));
            }
            let body: serde_json::Value = serde_json::from_str(&entry.body)
                .map_err(|_| bad("its entry's body is not JSON"))?;
            let commit =
                commitment_in(&body, v.id).ok_or(bad("its entry does not reference it"))?;
            let salt = hex::decode(&v.salt).map_err(|_| bad("its salt is not hex"))?;
            let mut h = Sha256::new();
            h.update(&salt);
            h.update(v.value.as_bytes());
            if hex::encode(h.finalize()) != commit {
                return Err(bad("it does not match the commitment its entry carries"));
            }
        }
        Ok(())
    }

    /// What the signature covers: the facility, the range, the hash before
    /// and the head (the chain covers every entry in between).
    pub fn statement(&self) -> String {
        let first = self.entries.first().map_or(0, |e| e.seq);
        let last = self.entries.last();
        format!(
            "{BATCH_FORMAT}\nfacility {}\nfrom {first}\nto {}\nprev {}\nhead {}\n",
            self.facility,
            last.map_or(0, |e| e.seq),
            self.prev_hash,
            last.map_or("", |e| e.hash.as_str()),
        )
    }

    /// Check the batch's form and chain: consecutive seqs, every entry
    /// stamped with the batch's facility, every hash recomputed.
    pub fn check(&self) -> Result<Checked, ShipError> {
        if self.format != BATCH_FORMAT {
            return Err(ShipError::Format {
                found: self.format.clone(),
                expected: BATCH_FORMAT,
            });
        }
        if self.entries.is_empty() {
            return Err(ShipError::Empty);
        }
        if self.entries.len() > MAX_ENTRIES {
            return Err(ShipError::TooMany(self.entries.len()));
        }
        let prev =
            hash_from_hex(&self.prev_hash).ok_or_else(|| ShipError::Hash("prev_hash".into()))?;
        let from = self.entries[0].seq;
        if from < 1 {
            return Err(ShipError::Start(from));
        }
        if from == 1 && prev != GENESIS {
            return Err(ShipError::Genesis);
        }
        let mut hashes = Vec::with_capacity(self.entries.len());
        let mut before = prev;
        for (i, e) in self.entries.iter().enumerate() {
            let expected = from + i as i64;
            if e.seq != expected {
                return Err(ShipError::Gap {
                    after: expected - 1,
                    found: e.seq,
                });
            }
            if e.facility != self.facility {
                return Err(ShipError::Facility {
                    seq: e.seq,
                    found: e.facility.clone(),
                    batch: self.facility.clone(),
                });
            }
            let hash = hash_from_hex(&e.hash)
                .ok_or_else(|| ShipError::Hash(format!("entries[{i}].hash")))?;
            let computed = chain_hash(
                &before,
                e.seq,
                &e.at,
                &e.facility,
                &e.kind,
                &e.subject,
                &e.body,
            );
            if computed != hash {
                return Err(ShipError::Chain(e.seq));
            }
            hashes.push(hash);
            before = hash;
        }
        Ok(Checked {
            from,
            to: from + self.entries.len() as i64 - 1,
            prev,
            hashes,
        })
    }

    /// Whether the batch is signed with `public` (the key enrolled for its
    /// facility).
    pub fn verify(&self, public: &[u8; 32]) -> Result<(), ShipError> {
        if verify(public, &self.statement(), &self.signature) {
            Ok(())
        } else {
            Err(ShipError::Signature(self.facility.clone()))
        }
    }
}

/// The hub's signed word that it holds a facility's record up to `seq`,
/// ending in `head_hash`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    pub format: String,
    pub facility: String,
    pub seq: i64,
    /// SHA-256 of entry `seq`, hex.
    pub head_hash: String,
    /// When the hub stored it (RFC 3339, UTC).
    pub issued_at: String,
    /// Ed25519 by the hub's key over [`Receipt::statement`], hex.
    pub signature: String,
}

impl Receipt {
    /// A receipt signed by `sign`.
    pub fn signed(
        facility: &str,
        seq: i64,
        head: &[u8; 32],
        issued_at: &str,
        sign: impl FnOnce(&str) -> String,
    ) -> Receipt {
        let mut r = Receipt {
            format: RECEIPT_FORMAT.into(),
            facility: facility.into(),
            seq,
            head_hash: hex::encode(head),
            issued_at: issued_at.into(),
            signature: String::new(),
        };
        r.signature = sign(&r.statement());
        r
    }

    /// What the hub's signature covers.
    pub fn statement(&self) -> String {
        format!(
            "{RECEIPT_FORMAT}\nfacility {}\nseq {}\nhead {}\nissued {}\n",
            self.facility, self.seq, self.head_hash, self.issued_at
        )
    }

    /// Whether the hub whose public key is `hub` signed this receipt.
    pub fn verify(&self, hub: &[u8; 32]) -> bool {
        self.format == RECEIPT_FORMAT && verify(hub, &self.statement(), &self.signature)
    }
}

/// The kiosk's state, every 30 s: `report` is a JSON text (its version,
/// chain head, backlog, devices and channels, open encounters), signed as
/// sent so the hub checks exactly the bytes that were signed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Heartbeat {
    pub format: String,
    pub facility: String,
    pub sent_at: String,
    pub report: String,
    pub signature: String,
}

impl Heartbeat {
    /// A heartbeat signed by `sign`.
    pub fn signed(
        facility: &str,
        sent_at: &str,
        report: String,
        sign: impl FnOnce(&str) -> String,
    ) -> Heartbeat {
        let mut h = Heartbeat {
            format: HEARTBEAT_FORMAT.into(),
            facility: facility.into(),
            sent_at: sent_at.into(),
            report,
            signature: String::new(),
        };
        h.signature = sign(&h.statement());
        h
    }

    /// What the facility's signature covers.
    pub fn statement(&self) -> String {
        format!(
            "{HEARTBEAT_FORMAT}\nfacility {}\nsent {}\n{}",
            self.facility, self.sent_at, self.report
        )
    }

    /// Whether the facility whose key is `public` sent it.
    pub fn verify(&self, public: &[u8; 32]) -> Result<(), ShipError> {
        if self.format != HEARTBEAT_FORMAT {
            return Err(ShipError::Format {
                found: self.format.clone(),
                expected: HEARTBEAT_FORMAT,
            });
        }
        if verify(public, &self.statement(), &self.signature) {
            Ok(())
        } else {
            Err(ShipError::Signature(self.facility.clone()))
        }
    }
}

/// Cut `s` to at most `max` bytes, at a character boundary (a hub's or a
/// kiosk's words may be in any language).
pub fn clip(s: &mut String, max: usize) {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
}

/// The hub's answer to a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum Answer {
    /// Stored; the receipt covers the batch's last entry.
    Stored { stored: u64, receipt: Receipt },
    /// The hub held every entry already, the same; the receipt covers the
    /// batch's last entry.
    AlreadyStored { receipt: Receipt },
    /// The batch starts after the hub's head: send from `hub_head + 1`.
    Gap { hub_head: i64, error: String },
    /// The batch disagrees with what the hub holds. `exact`: entry `seq` is
    /// the first that differs; otherwise the chains differ at `seq` or
    /// before (send from further back to find where).
    Fork {
        facility: String,
        seq: i64,
        exact: bool,
        error: String,
    },
    /// Not taken: malformed, not enrolled, or not signed by the facility.
    Refused { error: String },
}

#[cfg(test)]
mod tests;
