//! Taking a document page: the image is kept, encrypted with the data key,
//! only when the hub already holds the facility's entry that names the page
//! and the image's SHA-256 is the one that entry carries. A page the
//! facility's record has purged is not kept, and a purge arriving later
//! deletes it (see [`super::ingest`]).

use super::seal::DataKey;
use super::store::DbError;
use crate::domain::shipping::page::{self, PageAnswer, MAX_PAGE_BYTES};
use deadpool_postgres::Pool;
use sha2::{Digest, Sha256};

/// A page upload as the request carries it.
pub struct Upload<'a> {
    pub facility: &'a str,
    pub page: &'a str,
    pub signature: &'a str,
    pub image: &'a [u8],
}

fn refused(status: u16, error: impl Into<String>) -> (u16, PageAnswer) {
    (
        status,
        PageAnswer::Refused {
            error: error.into(),
        },
    )
}

/// Take the page `up` carries. `Err` only when the database cannot be used
/// (the kiosk sends it again later).
pub async fn take(
    pool: &Pool,
    data: &DataKey,
    up: Upload<'_>,
) -> Result<(u16, PageAnswer), DbError> {
    if !page::is_page_id(up.page) {
        return Ok(refused(
            400,
            format!("`{}` is not a page id (32 hex digits)", up.page),
        ));
    }
    if up.image.is_empty() || up.image.len() > MAX_PAGE_BYTES {
        return Ok(refused(
            400,
            format!(
                "page {}: {} bytes; a page image is 1 byte to {} MiB",
                up.page,
                up.image.len(),
                MAX_PAGE_BYTES >> 20
            ),
        ));
    }
    let sha256 = hex::encode(Sha256::digest(up.image));
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    // Shared with other pages, exclusive of the facility's batches: a purge
    // is either stored before this page is looked for, or after it is kept.
    let Some(row) = tx
        .query_opt(
            "SELECT public_key FROM facilities WHERE id = $1 FOR SHARE",
            &[&up.facility],
        )
        .await?
    else {
        return Ok(refused(
            403,
            format!("facility `{}` is not enrolled on this hub", up.facility),
        ));
    };
    let public: Vec<u8> = row.get(0);
    let public: [u8; 32] = public.try_into().unwrap_or([0; 32]);
    if !page::signed_by(&public, up.facility, up.page, &sha256, up.signature) {
        tracing::warn!(facility = %up.facility, page = %up.page, "page refused: not signed by the facility's key");
        return Ok(refused(
            403,
            format!(
                "page {} is not signed with the key enrolled for `{}`",
                up.page, up.facility
            ),
        ));
    }
    let held = tx
        .query_opt(
            "SELECT 1 FROM pages WHERE facility = $1 AND id = $2",
            &[&up.facility, &up.page],
        )
        .await?;
    if held.is_some() {
        return Ok((200, PageAnswer::AlreadyStored));
    }
    let purged = tx
        .query_opt(
            "SELECT 1 FROM entries WHERE facility = $1 AND kind = 'retention.purged'
               AND (body::jsonb) -> 'pages' ? $2 LIMIT 1",
            &[&up.facility, &up.page],
        )
        .await?;
    if purged.is_some() {
        return Ok((200, PageAnswer::Purged));
    }
    let Some(entry) = tx
        .query_opt(
            "SELECT seq, subject, body FROM entries WHERE facility = $1 AND kind = 'encounter.page-captured'
               AND ((body::jsonb) -> 'page' ->> 'page') = $2",
            &[&up.facility, &up.page],
        )
        .await?
    else {
        return Ok((
            409,
            PageAnswer::NotYet {
                error: format!(
                    "the hub holds no entry of `{}` naming page {} yet; send the page after the batch that carries its entry",
                    up.facility, up.page
                ),
            },
        ));
    };
    let (seq, encounter, body): (i64, String, String) = (entry.get(0), entry.get(1), entry.get(2));
    let purged_here = tx
        .query_opt(
            "SELECT 1 FROM hub_purges WHERE facility = $1 AND encounter = $2",
            &[&up.facility, &encounter],
        )
        .await?;
    if purged_here.is_some() {
        // Past the facility's retention: the hub purged this encounter's
        // copy (`hub::retention`) and keeps no page of it.
        return Ok((200, PageAnswer::Purged));
    }
    let named: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    let named = &named["page"];
    if named["sha256"].as_str() != Some(sha256.as_str())
        || named["bytes"].as_u64() != Some(up.image.len() as u64)
    {
        tracing::warn!(facility = %up.facility, page = %up.page, seq, "page refused: not the image its entry names");
        return Ok(refused(
            400,
            format!(
                "page {} is not the image entry seq {seq} of `{}` names (its SHA-256 or size differs)",
                up.page, up.facility
            ),
        ));
    }
    let media = named["media"]
        .as_str()
        .unwrap_or("application/octet-stream");
    let sealed = data.seal_page(up.facility, up.page, up.image);
    let bytes = up.image.len() as i64;
    tx.execute(
        "INSERT INTO pages (facility, id, encounter, seq, media, bytes, sha256, sealed)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
        &[
            &up.facility,
            &up.page,
            &encounter,
            &seq,
            &media,
            &bytes,
            &sha256,
            &sealed,
        ],
    )
    .await?;
    tx.commit().await?;
    tracing::debug!(facility = %up.facility, page = %up.page, encounter = %encounter, "page stored");
    Ok((200, PageAnswer::Stored))
}
