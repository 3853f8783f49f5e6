//! The hub's projection of encounters: one row per encounter with what the
//! city's dashboard, log and statistics need (when it opened and closed,
//! whether a drill, the document kind, the outcome, when it was first
//! acknowledged and when by counsel, who was paged, how many escalation tiers were paged,
//! the page count). Derived from the stored entries by one query, for the
//! encounters a batch touches in the batch's own transaction, and for all
//! of them when the table is made: it can always be rebuilt, and holds
//! nothing the entries do not (no visitor data: check-ins are not
//! encounters, and nothing here is read from the vault).

use super::store::DbError;
use tokio_postgres::types::ToSql;

/// The entry kinds that change an encounter's row.
pub fn touches(kind: &str) -> bool {
    kind.starts_with("encounter.") || kind == "alert.queued" || kind == "alert.tier-paged"
}

/// Derive the rows of the encounters named in `ids` of `facility` (all of
/// the hub's when both are `None`) from their entries.
const REFRESH: &str = r#"
INSERT INTO encounters AS p (facility, id, opened_at, drill, entrance, document, outcome,
    closed_at, first_ack_at, counsel_ack_at, paged, acked_roles, tiers, pages)
SELECT e.facility, e.subject,
    min(e.at::timestamptz) FILTER (WHERE e.kind = 'encounter.opened'),
    coalesce(bool_or((e.body::jsonb ->> 'drill')::boolean) FILTER (WHERE e.kind = 'encounter.opened'), false),
    coalesce(min(e.body::jsonb ->> 'entrance') FILTER (WHERE e.kind = 'encounter.opened'), ''),
    (array_agg(e.body::jsonb ->> 'document_kind' ORDER BY e.seq DESC)
        FILTER (WHERE e.kind = 'encounter.details-recorded'))[1],
    (array_agg(e.body::jsonb ->> 'outcome' ORDER BY e.seq DESC)
        FILTER (WHERE e.kind = 'encounter.decided'))[1],
    min(e.at::timestamptz) FILTER (WHERE e.kind = 'encounter.closed'),
    min(e.at::timestamptz) FILTER (WHERE e.kind = 'encounter.acknowledged'),
    min(e.at::timestamptz) FILTER (WHERE e.kind = 'encounter.acknowledged'
        AND e.body::jsonb ->> 'role' = 'counsel'),
    coalesce(array_agg(DISTINCT e.body::jsonb ->> 'contact')
        FILTER (WHERE e.kind = 'alert.queued'), '{}'),
    coalesce(array_agg(DISTINCT coalesce(e.body::jsonb ->> 'role', 'staff'))
        FILTER (WHERE e.kind = 'encounter.acknowledged'), '{}'),
    coalesce(max((e.body::jsonb ->> 'tier')::integer) FILTER (WHERE e.kind = 'alert.tier-paged') + 1, 0),
    count(*) FILTER (WHERE e.kind = 'encounter.page-captured')
FROM entries e
WHERE (e.kind LIKE 'encounter.%' OR e.kind LIKE 'alert.%')
  AND ($1::text IS NULL OR e.facility = $1)
  AND ($2::text[] IS NULL OR e.subject = ANY($2))
GROUP BY e.facility, e.subject
HAVING count(*) FILTER (WHERE e.kind = 'encounter.opened') > 0
ON CONFLICT (facility, id) DO UPDATE SET
    opened_at = excluded.opened_at, drill = excluded.drill, entrance = excluded.entrance,
    document = excluded.document, outcome = excluded.outcome, closed_at = excluded.closed_at,
    first_ack_at = excluded.first_ack_at, counsel_ack_at = excluded.counsel_ack_at,
    paged = excluded.paged, acked_roles = excluded.acked_roles, tiers = excluded.tiers,
    pages = excluded.pages
"#;

/// Bring the rows of `facility`'s encounters `ids` up to date with their
/// entries (in the caller's transaction).
pub async fn refresh(
    tx: &deadpool_postgres::Transaction<'_>,
    facility: &str,
    ids: &[&str],
) -> Result<(), DbError> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut ids: Vec<&str> = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let facility = Some(facility);
    let ids = Some(ids);
    let params: [&(dyn ToSql + Sync); 2] = [&facility, &ids];
    tx.execute(REFRESH, &params).await?;
    Ok(())
}

/// Rebuild every row from the entries (when the table is made).
pub async fn rebuild(tx: &tokio_postgres::Transaction<'_>) -> Result<u64, DbError> {
    let none: Option<&str> = None;
    let ids: Option<Vec<&str>> = None;
    let params: [&(dyn ToSql + Sync); 2] = [&none, &ids];
    Ok(tx.execute(REFRESH, &params).await?)
}
