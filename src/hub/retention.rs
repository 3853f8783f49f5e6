//! The hub's own retention, by the kiosks' rule: a closed encounter's
//! personal values and page images are kept for the facility's
//! `encounter_years` after it closed, unless a legal hold covers it.
//!
//! A kiosk that is running purges on that rule every hour, and its purge
//! entry deletes the hub's copy in the transaction that stores it
//! (`hub::ingest`). The hub applies the same rule itself only to what no
//! purge came for: a kiosk that burned, was stolen or was retired keeps the
//! hub from holding its encounters' names forever. It waits `grace_days`
//! past the date the kiosk would have purged, because a kiosk that is
//! offline may have placed a legal hold the hub has not seen yet.
//!
//! The period is the one the kiosk last reported in its heartbeat (its
//! `[retention]`, or a manager's change on its admin web), else the hub
//! config's `[retention] encounter_years`. Holds are the facility's, as the
//! hub's copy of its record has them. What the hub purged is noted in
//! `hub_purges` (facility, encounter, when, the period), so
//! `threshold hub verify` and the city's web can say so; the entries
//! themselves are never touched, and the chain still verifies.

use super::store::DbError;
use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use serde::Serialize;

/// Encounters purged per transaction.
const BATCH: usize = 200;

/// Whether a legal hold that is not released covers encounter `e` (of the
/// `encounters` projection): a hold on it, or on a range its arrival falls
/// in. The facility's holds are entries of its record.
pub const HELD: &str = "EXISTS (
    SELECT 1 FROM entries p
    WHERE p.facility = e.facility AND p.kind = 'retention.hold-placed'
      AND (p.body::jsonb ->> 'encounter' = e.id
        OR (p.body::jsonb ->> 'from_at' IS NOT NULL
            AND e.opened_at >= (p.body::jsonb ->> 'from_at')::timestamptz
            AND e.opened_at < (p.body::jsonb ->> 'until_at')::timestamptz))
      AND NOT EXISTS (
        SELECT 1 FROM entries r
        WHERE r.facility = p.facility AND r.kind = 'retention.hold-released'
          AND r.body::jsonb ->> 'hold' = p.body::jsonb ->> 'hold'))";

/// Closed before `$2`, not purged yet by the kiosk or by the hub.
const DUE: &str = "e.facility = $1 AND e.closed_at < $2
    AND NOT EXISTS (SELECT 1 FROM hub_purges h WHERE h.facility = e.facility AND h.encounter = e.id)
    AND NOT EXISTS (SELECT 1 FROM entries x WHERE x.facility = e.facility AND x.kind = 'retention.purged'
                      AND (x.body::jsonb) -> 'encounters' ? e.id)";

/// The hub config's `[retention]`.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// The period for a facility whose kiosk never reported one.
    pub encounter_years: u32,
    /// Days past the kiosk's own purge date the hub waits for it.
    pub grace_days: u32,
}

/// One facility's part of a purge.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FacilityPurge {
    pub facility: String,
    /// The period applied, and where it came from (`heartbeat` or `config`).
    pub encounter_years: u32,
    pub period_from: &'static str,
    /// Encounters whose values and pages the hub deleted (or would).
    pub encounters: usize,
    pub values: u64,
    pub pages: u64,
    /// Past the period, waiting out the grace for the kiosk's own purge.
    pub waiting: usize,
    /// Past the period, kept because a legal hold covers them.
    pub held: usize,
}

/// What a purge did, or would do with `dry_run`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HubPurge {
    pub dry_run: bool,
    pub facilities: Vec<FacilityPurge>,
}

impl HubPurge {
    /// Encounters purged in all facilities.
    pub fn encounters(&self) -> usize {
        self.facilities.iter().map(|f| f.encounters).sum()
    }
}

/// `now` less `years` years, as the kiosk counts them.
fn years_before(now: DateTime<Utc>, years: u32) -> DateTime<Utc> {
    now.checked_sub_months(chrono::Months::new(12 * years))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Purge at `now` what no kiosk purge came for; with `dry_run`, only count.
pub async fn purge(
    pool: &Pool,
    now: DateTime<Utc>,
    rules: Rules,
    dry_run: bool,
) -> Result<HubPurge, DbError> {
    let facilities = {
        let c = pool.get().await?;
        c.query(
            "SELECT f.id, h.report -> 'retention' -> 'encounter_years'
             FROM facilities f LEFT JOIN heartbeats h ON h.facility = f.id ORDER BY f.id",
            &[],
        )
        .await?
        .iter()
        .map(|r| {
            let said: Option<serde_json::Value> = r.get(1);
            let said = said
                .and_then(|v| v.as_u64())
                .filter(|y| (1..=100).contains(y));
            (r.get::<_, String>(0), said.map(|y| y as u32))
        })
        .collect::<Vec<_>>()
    };
    let mut out = HubPurge {
        dry_run,
        facilities: Vec::new(),
    };
    for (facility, said) in facilities {
        let years = said.unwrap_or(rules.encounter_years);
        let due = years_before(now, years);
        let past_grace = due - chrono::Duration::days(rules.grace_days as i64);
        let mut f = FacilityPurge {
            facility,
            encounter_years: years,
            period_from: if said.is_some() {
                "heartbeat"
            } else {
                "config"
            },
            ..Default::default()
        };
        let c = pool.get().await?;
        let row = c
            .query_one(
                &format!(
                    "SELECT count(*) FILTER (WHERE {HELD}),
                            count(*) FILTER (WHERE NOT {HELD} AND e.closed_at >= $3)
                     FROM encounters e WHERE {DUE}"
                ),
                &[&f.facility, &due, &past_grace],
            )
            .await?;
        f.held = row.get::<_, i64>(0) as usize;
        f.waiting = row.get::<_, i64>(1) as usize;
        let ids: Vec<String> = c
            .query(
                &format!(
                    "SELECT e.id FROM encounters e WHERE {DUE} AND NOT {HELD} ORDER BY e.closed_at"
                ),
                &[&f.facility, &past_grace],
            )
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        drop(c);
        if dry_run {
            f.encounters = ids.len();
        } else {
            for chunk in ids.chunks(BATCH) {
                let (n, values, pages) =
                    purge_some(pool, &f.facility, chunk, past_grace, years).await?;
                f.encounters += n;
                f.values += values;
                f.pages += pages;
            }
            if f.encounters > 0 {
                tracing::info!(
                    facility = %f.facility,
                    encounters = f.encounters,
                    values = f.values,
                    pages = f.pages,
                    encounter_years = years,
                    grace_days = rules.grace_days,
                    "retention: the hub deleted its copy of closed encounters' personal data past the facility's period; no purge had come from its kiosk"
                );
            }
        }
        out.facilities.push(f);
    }
    Ok(out)
}

/// Delete the values and pages of encounters `ids` of `facility` that are
/// still due (closed before `cutoff`, purged by nobody, no hold on them),
/// noting each in `hub_purges`, in one transaction under the facility's
/// row lock (as a batch is stored): a hold or a purge in a batch stored
/// since they were listed is seen, and two hub processes never purge one
/// encounter twice.
async fn purge_some(
    pool: &Pool,
    facility: &str,
    ids: &[String],
    cutoff: DateTime<Utc>,
    years: u32,
) -> Result<(usize, u64, u64), DbError> {
    let mut c = pool.get().await?;
    let tx = c.transaction().await?;
    tx.execute(
        "SELECT 1 FROM facilities WHERE id = $1 FOR UPDATE",
        &[&facility],
    )
    .await?;
    let mine: Vec<String> = tx
        .query(
            &format!(
                "INSERT INTO hub_purges (facility, encounter, encounter_years, closed_at)
                 SELECT e.facility, e.id, $4, e.closed_at FROM encounters e
                 WHERE {DUE} AND NOT {HELD} AND e.id = ANY($3)
                 ON CONFLICT DO NOTHING RETURNING encounter"
            ),
            &[&facility, &cutoff, &ids, &(years as i32)],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    if mine.is_empty() {
        return Ok((0, 0, 0));
    }
    let bodies: Vec<String> = tx
        .query(
            "SELECT body FROM entries WHERE facility = $1 AND subject = ANY($2) AND kind <> 'checkin.recorded'",
            &[&facility, &mine],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let vault = crate::app::held_copy::vault_ids_in(bodies.iter().map(String::as_str));
    let values = tx
        .execute(
            "DELETE FROM vault WHERE facility = $1 AND id = ANY($2)",
            &[&facility, &vault],
        )
        .await?;
    let pages = tx
        .execute(
            "DELETE FROM pages WHERE facility = $1 AND encounter = ANY($2)",
            &[&facility, &mine],
        )
        .await?;
    tx.commit().await?;
    Ok((mine.len(), values, pages))
}

/// When the hub purged encounter `id` of `facility` itself, and the period
/// it applied.
pub async fn purged_here(
    pool: &Pool,
    facility: &str,
    id: &str,
) -> Result<Option<(DateTime<Utc>, i32)>, DbError> {
    let c = pool.get().await?;
    Ok(c.query_opt(
        "SELECT purged_at, encounter_years FROM hub_purges WHERE facility = $1 AND encounter = $2",
        &[&facility, &id],
    )
    .await?
    .map(|r| (r.get(0), r.get(1))))
}

/// Run [`purge`] now and every hour until `stop`; a failure is logged and
/// tried again at the next hour.
pub async fn every_hour(pool: Pool, rules: Rules, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        if let Err(e) = purge(&pool, Utc::now(), rules, false).await {
            tracing::warn!("retention on the hub did not run: {e}; trying again in an hour");
        }
        tokio::select! {
            () = tokio::time::sleep(std::time::Duration::from_secs(3600)) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_are_counted_as_the_kiosk_counts_them() {
        let now: DateTime<Utc> = "2026-02-28T12:00:00Z".parse().unwrap();
        assert_eq!(
            years_before(now, 7),
            "2019-02-28T12:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        let leap: DateTime<Utc> = "2028-02-29T00:00:00Z".parse().unwrap();
        assert_eq!(
            years_before(leap, 1),
            "2027-02-28T00:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
    }
}
