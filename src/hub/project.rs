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
WHERE e.kind <> 'checkin.recorded' AND (e.kind LIKE 'encounter.%' OR e.kind LIKE 'alert.%')
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

/// The check-ins among `entries` counted by month (in `tz`) and purpose:
/// counts only (a purpose is a token, nothing else of a visitor is read).
pub fn visits<'a>(
    entries: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
    tz: chrono_tz::Tz,
) -> Vec<(String, String, i64)> {
    #[derive(serde::Deserialize)]
    struct Purpose {
        purpose: Option<String>,
    }
    let mut counts: std::collections::BTreeMap<(String, String), i64> = Default::default();
    for (at, kind, body) in entries {
        if kind != "checkin.recorded" {
            continue;
        }
        let Ok(t) = chrono::DateTime::parse_from_rfc3339(at) else {
            continue;
        };
        let month = t.with_timezone(&tz).format("%Y-%m").to_string();
        let purpose = serde_json::from_str::<Purpose>(body)
            .ok()
            .and_then(|p| p.purpose)
            .unwrap_or_else(|| "-".into());
        *counts.entry((month, purpose)).or_default() += 1;
    }
    counts.into_iter().map(|((m, p), n)| (m, p, n)).collect()
}

/// Add `visits` (month, purpose, count) to `facility`'s visitor counts.
pub async fn count_visits(
    tx: &deadpool_postgres::Transaction<'_>,
    facility: &str,
    visits: &[(String, String, i64)],
) -> Result<(), tokio_postgres::Error> {
    if visits.is_empty() {
        return Ok(());
    }
    let months: Vec<&str> = visits.iter().map(|v| v.0.as_str()).collect();
    let purposes: Vec<&str> = visits.iter().map(|v| v.1.as_str()).collect();
    let counts: Vec<i64> = visits.iter().map(|v| v.2).collect();
    let params: [&(dyn ToSql + Sync); 4] = [&facility, &months, &purposes, &counts];
    tx.execute(
        "INSERT INTO visit_months (facility, month, purpose, n)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[])
         ON CONFLICT (month, facility, purpose) DO UPDATE SET n = visit_months.n + excluded.n",
        &params,
    )
    .await?;
    Ok(())
}

/// Keep the visitor counts' months in `tz`: when the database's zone
/// differs (first start, or `[web] timezone` changed), count them again
/// from the entries, in one transaction. Every hub process of a city
/// must use the same zone.
pub async fn use_timezone(pool: &deadpool_postgres::Pool, tz: &str) -> Result<bool, DbError> {
    let mut c = pool.get().await?;
    let tx = c.transaction().await?;
    tx.execute("LOCK TABLE settings IN EXCLUSIVE MODE", &[])
        .await?;
    let held: Option<String> = tx
        .query_opt("SELECT value FROM settings WHERE key = 'timezone'", &[])
        .await?
        .map(|r| r.get(0));
    if held.as_deref() == Some(tz) {
        return Ok(false);
    }
    tx.execute(
        "INSERT INTO settings (key, value) VALUES ('timezone', $1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[&tz],
    )
    .await?;
    tx.execute("DELETE FROM visit_months", &[]).await?;
    tx.execute(
        "INSERT INTO visit_months (facility, month, purpose, n)
         SELECT facility, to_char(at::timestamptz AT TIME ZONE $1, 'YYYY-MM'),
                coalesce(body::jsonb ->> 'purpose', '-'), count(*)
         FROM entries WHERE kind = 'checkin.recorded'
         GROUP BY 1, 2, 3",
        &[&tz],
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    #[test]
    fn visits_are_counted_by_the_city_s_month_and_purpose_only() {
        let tz: chrono_tz::Tz = "America/Los_Angeles".parse().unwrap();
        let body = |p: &str| {
            format!(
                r#"{{"purpose":"{p}","language":"en","entrance":"main","name":{{"vault":1,"commit":"c"}}}}"#
            )
        };
        let (a, b) = (body("program"), body("permits"));
        let rows = [
            ("2026-12-01T03:00:00.000Z", "checkin.recorded", a.as_str()),
            ("2026-12-01T09:00:00.000Z", "checkin.recorded", a.as_str()),
            ("2026-12-01T09:00:00.000Z", "checkin.recorded", b.as_str()),
            ("2026-12-01T09:00:00.000Z", "encounter.opened", a.as_str()),
            ("not a time", "checkin.recorded", a.as_str()),
        ];
        assert_eq!(
            super::visits(rows, tz),
            vec![
                ("2026-11".into(), "program".into(), 1),
                ("2026-12".into(), "permits".into(), 1),
                ("2026-12".into(), "program".into(), 1),
            ]
        );
    }
}
