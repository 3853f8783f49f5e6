//! `threshold hub verify FACILITY`: the hub's copy of a facility's record,
//! checked from its first entry: seqs without a gap, every hash recomputed
//! from the one before, the head the hub recorded, its receipts, the
//! encounters' values and document pages it keeps (those the hub's own
//! retention purged aside), and any batch it refused as a fork.

use super::store::DbError;
use crate::domain::chain::{chain_hash, GENESIS};
use deadpool_postgres::Pool;
use serde::Serialize;

/// Entries read per query.
const PAGE: i64 = 5000;

/// What the check found.
#[derive(Debug, Clone, Serialize)]
pub struct HubVerify {
    pub facility: String,
    pub entries: i64,
    pub head_seq: i64,
    pub head_hash: String,
    pub receipts: i64,
    /// The first problem in the stored chain, if any.
    pub broken: Option<String>,
    /// Batches refused as forks: (seq, detail, received at).
    pub forks: Vec<(i64, String, String)>,
    /// Encounters' values held, each opened with the data key and matched
    /// to its entry's commitment; `None` when the data key is not at hand.
    pub values: Option<i64>,
    /// Document pages held (each opened and matched to the SHA-256 its
    /// entry names when the data key is at hand).
    pub pages: i64,
    /// Pages the record names that the hub holds no image of, purged ones
    /// aside (still on their way, or lost on the kiosk).
    pub pages_missing: i64,
    /// Encounters whose values and pages the hub purged itself, past the
    /// facility's retention with no purge from its kiosk (`hub_purges`).
    pub purged_here: i64,
}

impl HubVerify {
    /// Whether the hub's copy is whole and nobody sent a fork.
    pub fn intact(&self) -> bool {
        self.broken.is_none() && self.forks.is_empty()
    }
}

/// Check the hub's copy of `facility`.
pub async fn verify(
    pool: &Pool,
    facility: &str,
    data: Option<&super::seal::DataKey>,
) -> Result<HubVerify, DbError> {
    let client = pool.get().await?;
    let Some(f) = client
        .query_opt(
            "SELECT head_seq, head_hash FROM facilities WHERE id = $1",
            &[&facility],
        )
        .await?
    else {
        return Err(DbError::Refused(format!(
            "facility `{facility}` is not enrolled on this hub (`threshold hub facilities` lists those that are)"
        )));
    };
    let head_seq: i64 = f.get(0);
    let head_hash: Vec<u8> = f.get(1);
    let mut prev = GENESIS;
    let mut next = 1i64;
    let mut broken = None;
    'pages: loop {
        let rows = client
            .query(
                "SELECT seq, at, kind, subject, body, hash FROM entries WHERE facility = $1 AND seq >= $2 ORDER BY seq LIMIT $3",
                &[&facility, &next, &PAGE],
            )
            .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let seq: i64 = r.get(0);
            if seq != next {
                broken = Some(format!("entries {next} to {} are missing", seq - 1));
                break 'pages;
            }
            let hash: Vec<u8> = r.get(5);
            let computed = chain_hash(&prev, seq, r.get(1), facility, r.get(2), r.get(3), r.get(4));
            if computed[..] != hash[..] {
                broken = Some(format!(
                    "entry seq {seq} does not match its hash: it was changed in the hub's database"
                ));
                break 'pages;
            }
            prev = computed;
            next += 1;
        }
    }
    let entries = next - 1;
    if broken.is_none() && (entries != head_seq || prev[..] != head_hash[..]) {
        broken = Some(format!(
            "the hub recorded its head as seq {head_seq}, but its entries end at seq {entries}"
        ));
    }
    let receipts: i64 = client
        .query_one(
            "SELECT count(*) FROM receipts WHERE facility = $1",
            &[&facility],
        )
        .await?
        .get(0);
    // Every receipt must name a hash the stored chain still has.
    if broken.is_none() {
        let bad = client
            .query_opt(
                "SELECT r.seq FROM receipts r LEFT JOIN entries e ON e.facility = r.facility AND e.seq = r.seq
                 WHERE r.facility = $1 AND (e.hash IS NULL OR e.hash <> r.head_hash) ORDER BY r.seq LIMIT 1",
                &[&facility],
            )
            .await?;
        if let Some(r) = bad {
            broken = Some(format!(
                "the hub's receipt for seq {} names a hash its stored entry no longer has",
                r.get::<_, i64>(0)
            ));
        }
    }
    let mut values = None;
    if let Some(data) = data {
        let rows = client
            .query(
                "SELECT v.id, v.sealed, e.body FROM vault v LEFT JOIN entries e
                   ON e.facility = v.facility AND e.seq = v.id / $2
                 WHERE v.facility = $1 ORDER BY v.id",
                &[&facility, &crate::domain::shipping::VAULT_PER_ENTRY],
            )
            .await?;
        for r in &rows {
            let id: i64 = r.get(0);
            let body: Option<String> = r.get(2);
            let ok = data
                .open_value(facility, id, r.get(1))
                .zip(body)
                .is_some_and(|((salt, value), body)| {
                    crate::domain::shipping::value_matches(&body, id, &salt, &value)
                });
            if !ok && broken.is_none() {
                broken = Some(format!("encounter value {id} does not open with the hub's data key or does not match the commitment its entry carries"));
            }
        }
        values = Some(rows.len() as i64);
    }
    let page_ids: Vec<String> = client
        .query(
            "SELECT id FROM pages WHERE facility = $1 ORDER BY seq",
            &[&facility],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    if let Some(data) = data {
        for id in &page_ids {
            // One image at a time: pages run to megabytes.
            let r = client
                .query_one(
                    "SELECT p.sealed, e.body FROM pages p LEFT JOIN entries e
                       ON e.facility = p.facility AND e.seq = p.seq
                     WHERE p.facility = $1 AND p.id = $2",
                    &[&facility, id],
                )
                .await?;
            let body: Option<String> = r.get(1);
            let named = body
                .and_then(|b| serde_json::from_str::<serde_json::Value>(&b).ok())
                .and_then(|b| b["page"]["sha256"].as_str().map(str::to_string));
            let ok = data.open_page(facility, id, r.get(0)).is_some_and(|image| {
                use sha2::Digest;
                Some(hex::encode(sha2::Sha256::digest(&image))) == named
            });
            if !ok && broken.is_none() {
                broken = Some(format!("document page {id} does not open with the hub's data key or is not the image its entry names"));
            }
        }
    }
    let pages_missing: i64 = client
        .query_one(
            "SELECT count(*) FROM entries e WHERE e.facility = $1 AND e.kind = 'encounter.page-captured'
               AND NOT EXISTS (SELECT 1 FROM pages p WHERE p.facility = e.facility AND p.id = (e.body::jsonb) -> 'page' ->> 'page')
               AND NOT EXISTS (SELECT 1 FROM entries x WHERE x.facility = e.facility AND x.kind = 'retention.purged'
                                 AND (x.body::jsonb) -> 'pages' ? ((e.body::jsonb) -> 'page' ->> 'page'))
               AND NOT EXISTS (SELECT 1 FROM hub_purges h WHERE h.facility = e.facility AND h.encounter = e.subject)",
            &[&facility],
        )
        .await?
        .get(0);
    let purged_here: i64 = client
        .query_one(
            "SELECT count(*) FROM hub_purges WHERE facility = $1",
            &[&facility],
        )
        .await?
        .get(0);
    let forks = client
        .query(
            "SELECT seq, detail, to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM forks WHERE facility = $1 ORDER BY id",
            &[&facility],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    Ok(HubVerify {
        facility: facility.into(),
        entries,
        head_seq,
        head_hash: hex::encode(&head_hash),
        receipts,
        broken,
        forks,
        values,
        pages: page_ids.len() as i64,
        pages_missing,
        purged_here,
    })
}
