//! Taking a kiosk's batch: check its form, chain and signature, check it
//! extends what the hub holds for the facility, store it, and answer with
//! a receipt signed by the hub's key. A batch that disagrees with what the
//! hub holds is a fork: refused, kept as evidence, and raised in the log.
//!
//! Each batch is one transaction that first locks its facility's row, so
//! hub processes on one database take a facility's batches one at a time,
//! in order, and a hub killed mid-batch leaves nothing half stored.

use super::seal::DataKey;
use super::store::DbError;
use super::HubKey;
use crate::domain::shipping::VAULT_PER_ENTRY;
use crate::domain::shipping::{Answer, Batch, Checked, Heartbeat, Receipt};
use deadpool_postgres::Pool;
use tokio_postgres::types::ToSql;

fn refused(error: impl Into<String>) -> Answer {
    Answer::Refused {
        error: error.into(),
    }
}

/// Take the batch in `body` (JSON). `Refused` for a malformed batch, an
/// unknown facility or a wrong signature; `Err` only when the database
/// cannot be used (the kiosk sends it again later).
pub async fn ingest(
    pool: &Pool,
    key: &HubKey,
    data: &DataKey,
    tz: chrono_tz::Tz,
    body: &[u8],
) -> Result<(u16, Answer), DbError> {
    let batch: Batch = match serde_json::from_slice(body) {
        Ok(b) => b,
        Err(e) => {
            return Ok((
                400,
                refused(format!(
                    "the batch is not a {} JSON object: {e}",
                    crate::domain::shipping::BATCH_FORMAT
                )),
            ))
        }
    };
    let checked = match batch.check().and_then(|c| batch.check_vault().map(|()| c)) {
        Ok(c) => c,
        Err(e) => {
            return Ok((
                400,
                refused(format!("batch from `{}` refused: {e}", batch.facility)),
            ))
        }
    };
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let Some(row) = tx
        .query_opt(
            "SELECT public_key, head_seq, head_hash FROM facilities WHERE id = $1 FOR UPDATE",
            &[&batch.facility],
        )
        .await?
    else {
        return Ok((403, refused(format!("facility `{}` is not enrolled on this hub; enrol it with `threshold hub enroll {} --key HEX` (HEX from `threshold log key` on its kiosk)", batch.facility, batch.facility))));
    };
    let public: Vec<u8> = row.get(0);
    let public: [u8; 32] = public.try_into().unwrap_or([0; 32]);
    if let Err(e) = batch.verify(&public) {
        tracing::warn!(facility = %batch.facility, from = checked.from, to = checked.to, "batch refused: {e}");
        return Ok((403, refused(format!("batch refused: {e}"))));
    }
    let head_seq: i64 = row.get(1);
    let head_hash: Vec<u8> = row.get(2);
    if checked.from > head_seq + 1 {
        return Ok((
            409,
            Answer::Gap {
                hub_head: head_seq,
                error: format!(
                    "the hub holds `{}` up to seq {head_seq}; send from seq {}",
                    batch.facility,
                    head_seq + 1
                ),
            },
        ));
    }
    if let Some((seq, exact)) =
        differs(&tx, &batch.facility, &checked, head_seq, &head_hash).await?
    {
        let detail = if exact {
            format!(
                "entry seq {seq} of `{}` differs from the copy the hub holds",
                batch.facility
            )
        } else {
            format!(
                "the record of `{}` differs from the copy the hub holds at seq {seq} or before",
                batch.facility
            )
        };
        // The entries exactly as sent, signature and all; the encounters'
        // values that came with them are personal data and are not kept
        // in clear text (the entries' commitments still name them).
        let evidence = if batch.vault.is_empty() {
            String::from_utf8_lossy(body).into_owned()
        } else {
            serde_json::to_string(&crate::domain::shipping::Batch {
                vault: Vec::new(),
                ..batch.clone()
            })
            .unwrap_or_default()
        };
        // Kept once: a kiosk offering the same record again (every ten
        // minutes) adds nothing to the evidence.
        tx.execute(
            "INSERT INTO forks (facility, seq, exact, detail, batch)
             SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS
               (SELECT 1 FROM forks WHERE facility = $1 AND seq = $2 AND exact = $3)",
            &[&batch.facility, &seq, &exact, &detail, &evidence],
        )
        .await?;
        tx.commit().await?;
        tracing::error!(facility = %batch.facility, seq, exact, "FORK: {detail}; batch refused and kept as evidence");
        return Ok((
            409,
            Answer::Fork {
                facility: batch.facility.clone(),
                seq,
                exact,
                error: format!("{detail}; the batch is refused and kept as evidence, and what the hub held is unchanged"),
            },
        ));
    }
    let new = batch
        .entries
        .iter()
        .filter(|e| e.seq > head_seq)
        .collect::<Vec<_>>();
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let receipt = Receipt::signed(&batch.facility, checked.to, &checked.head(), &now, |s| {
        key.sign(s)
    });
    let head = checked.head();
    let head: &[u8] = &head;
    let receipt_row: [&(dyn ToSql + Sync); 5] = [
        &batch.facility,
        &receipt.seq,
        &head,
        &receipt.issued_at,
        &receipt.signature,
    ];
    let keep_receipt = tx.execute(
        "INSERT INTO receipts (facility, seq, head_hash, issued_at, signature) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (facility, seq) DO NOTHING",
        &receipt_row,
    );
    if new.is_empty() {
        keep_receipt.await?;
    } else {
        keep_values(&tx, data, &batch, head_seq).await?;
        purge(&tx, &batch.facility, &new).await?;
        let seqs: Vec<i64> = new.iter().map(|e| e.seq).collect();
        let ats: Vec<&str> = new.iter().map(|e| e.at.as_str()).collect();
        let kinds: Vec<&str> = new.iter().map(|e| e.kind.as_str()).collect();
        let subjects: Vec<&str> = new.iter().map(|e| e.subject.as_str()).collect();
        let bodies: Vec<&str> = new.iter().map(|e| e.body.as_str()).collect();
        let hashes: Vec<Vec<u8>> = seqs
            .iter()
            .map(|s| checked.hash_of(*s).unwrap_or_default().to_vec())
            .collect();
        // The three statements go to the server together (pipelined on
        // the one connection), in this order, in the one transaction.
        let rows: [&(dyn ToSql + Sync); 7] = [
            &batch.facility,
            &seqs,
            &ats,
            &kinds,
            &subjects,
            &bodies,
            &hashes,
        ];
        let store = tx.execute(
            "INSERT INTO entries (facility, seq, at, kind, subject, body, hash)
             SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[])",
            &rows,
        );
        let facility_head: [&(dyn ToSql + Sync); 3] = [&batch.facility, &checked.to, &head];
        let advance = tx.execute(
            "UPDATE facilities SET head_seq = $2, head_hash = $3, last_batch_at = now() WHERE id = $1",
            &facility_head,
        );
        let visits = super::project::visits(
            new.iter()
                .map(|e| (e.at.as_str(), e.kind.as_str(), e.body.as_str())),
            tz,
        );
        let count = super::project::count_visits(&tx, &batch.facility, &visits);
        tokio::try_join!(store, advance, keep_receipt, count)?;
        let encounters: Vec<&str> = new
            .iter()
            .filter(|e| super::project::touches(&e.kind))
            .map(|e| e.subject.as_str())
            .collect();
        super::project::refresh(&tx, &batch.facility, &encounters).await?;
    }
    tx.commit().await?;
    let answer = if new.is_empty() {
        Answer::AlreadyStored { receipt }
    } else {
        tracing::debug!(facility = %batch.facility, from = new[0].seq, to = checked.to, "stored");
        Answer::Stored {
            stored: new.len() as u64,
            receipt,
        }
    };
    Ok((200, answer))
}

/// Keep the encounters' values the new entries sealed, encrypted.
async fn keep_values(
    tx: &deadpool_postgres::Transaction<'_>,
    data: &DataKey,
    batch: &Batch,
    head_seq: i64,
) -> Result<(), DbError> {
    let fresh: Vec<_> = batch
        .vault
        .iter()
        .filter(|v| v.id.div_euclid(VAULT_PER_ENTRY) > head_seq)
        .collect();
    if fresh.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = fresh.iter().map(|v| v.id).collect();
    let sealed: Vec<Vec<u8>> = fresh
        .iter()
        .map(|v| {
            let salt = hex::decode(&v.salt).unwrap_or_default();
            data.seal(&batch.facility, v.id, &salt, &v.value)
        })
        .collect();
    tx.execute(
        "INSERT INTO vault (facility, id, sealed) SELECT $1, * FROM unnest($2::bigint[], $3::bytea[]) ON CONFLICT DO NOTHING",
        &[&batch.facility, &ids, &sealed],
    )
    .await?;
    Ok(())
}

/// A purge the kiosk journaled deletes the hub's copy of the same values
/// and pages, in the transaction that stores its entry.
async fn purge(
    tx: &deadpool_postgres::Transaction<'_>,
    facility: &str,
    new: &[&crate::domain::shipping::WireEntry],
) -> Result<(), DbError> {
    for e in new.iter().filter(|e| e.kind == "retention.purged") {
        let body = serde_json::from_str::<serde_json::Value>(&e.body).unwrap_or_default();
        let ids: Vec<i64> = serde_json::from_value(body["vault"].clone()).unwrap_or_default();
        let pages: Vec<String> = serde_json::from_value(body["pages"].clone()).unwrap_or_default();
        let values = if ids.is_empty() {
            0
        } else {
            tx.execute(
                "DELETE FROM vault WHERE facility = $1 AND id = ANY($2)",
                &[&facility, &ids],
            )
            .await?
        };
        let images = if pages.is_empty() {
            0
        } else {
            tx.execute(
                "DELETE FROM pages WHERE facility = $1 AND id = ANY($2)",
                &[&facility, &pages],
            )
            .await?
        };
        if values + images > 0 {
            tracing::info!(
                facility,
                seq = e.seq,
                values,
                pages = images,
                "purged as the kiosk purged"
            );
        }
    }
    Ok(())
}

/// Where the batch disagrees with the stored chain: `(seq, exact)`.
async fn differs(
    tx: &deadpool_postgres::Transaction<'_>,
    facility: &str,
    checked: &Checked,
    head_seq: i64,
    head_hash: &[u8],
) -> Result<Option<(i64, bool)>, DbError> {
    if checked.from == head_seq + 1 {
        // Nothing overlaps: the batch must start from the hub's head.
        return Ok((checked.prev[..] != *head_hash).then_some((head_seq.max(1), false)));
    }
    let last = checked.to.min(head_seq);
    let rows = tx
        .query(
            "SELECT seq, hash FROM entries WHERE facility = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq",
            &[&facility, &checked.from, &last],
        )
        .await?;
    for seq in checked.from..=last {
        let stored = rows
            .iter()
            .find(|r| r.get::<_, i64>(0) == seq)
            .map(|r| r.get::<_, Vec<u8>>(1));
        let theirs = checked.hash_of(seq).map(|h| h.to_vec());
        if stored.is_none() || stored != theirs {
            return Ok(Some((seq, true)));
        }
    }
    Ok(None)
}

/// Take a heartbeat: kept when it is the facility's newest.
pub async fn heartbeat(pool: &Pool, body: &[u8]) -> Result<(u16, String), DbError> {
    let beat: Heartbeat = match serde_json::from_slice(body) {
        Ok(b) => b,
        Err(e) => return Ok((400, format!("the heartbeat is not valid JSON: {e}"))),
    };
    let report: serde_json::Value = match serde_json::from_str(&beat.report) {
        Ok(r) => r,
        Err(e) => {
            return Ok((
                400,
                format!("the heartbeat's report is not valid JSON: {e}"),
            ))
        }
    };
    let client = pool.get().await?;
    let Some(row) = client
        .query_opt(
            "SELECT public_key FROM facilities WHERE id = $1",
            &[&beat.facility],
        )
        .await?
    else {
        return Ok((
            403,
            format!("facility `{}` is not enrolled on this hub", beat.facility),
        ));
    };
    let public: Vec<u8> = row.get(0);
    if let Err(e) = beat.verify(&public.try_into().unwrap_or([0; 32])) {
        return Ok((403, format!("heartbeat refused: {e}")));
    }
    client
        .execute(
            "INSERT INTO heartbeats (facility, sent_at, report) VALUES ($1, $2, $3)
             ON CONFLICT (facility) DO UPDATE SET sent_at = excluded.sent_at, report = excluded.report, received_at = now()
             WHERE heartbeats.sent_at <= excluded.sent_at",
            &[&beat.facility, &beat.sent_at, &report],
        )
        .await?;
    Ok((200, "{\"result\":\"kept\"}".into()))
}
