//! GET /facilities/{facility}/export.bundle?from=DATE&to=DATE: the hub's
//! copy of a facility's record for those days (the city's days; all of it
//! without dates) as a signed bundle in the kiosk's own format
//! (`threshold-bundle/1`), signed with the hub's key: every entry exactly
//! as the kiosk stored it, so `threshold log verify --bundle FILE --key
//! HUB_KEY` checks it anywhere, and its chain hashes match the kiosk's.
//! Counsel and managers of the facility; journaled first.

use super::City;
use crate::admin::auth::Viewer;
use crate::admin::chrome::{no_store, WebError};
use crate::app::held_copy::{self, StoredEntry};
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, TimeZone, Utc};
use std::collections::HashMap;

/// The journal timestamp the city's day `s` starts at, or `None`.
fn day_at(s: &str, tz: chrono_tz::Tz, plus_one: bool) -> Option<String> {
    let mut d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    if plus_one {
        d = d.succ_opt()?;
    }
    let t = tz
        .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
        .earliest()?;
    Some(
        t.with_timezone(&Utc)
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string(),
    )
}

/// GET /facilities/{facility}/export.bundle.
pub async fn bundle(
    State(city): State<City>,
    v: Viewer,
    Path(facility): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Some(refused) = super::encounter::refusal(&v, &facility) {
        return refused;
    }
    let w = v.chrome.w;
    let get = |k: &str| q.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
    let from = get("from").map(|d| day_at(d, city.timezone, false));
    let to = get("to").map(|d| day_at(d, city.timezone, true));
    if matches!(from, Some(None)) || matches!(to, Some(None)) {
        return v
            .chrome
            .clone()
            .message(StatusCode::BAD_REQUEST, w.bad_request, w.bad_dates);
    }
    let (from, to) = (
        from.flatten().unwrap_or_default(),
        to.flatten().unwrap_or_else(|| "~".into()),
    );
    let a = super::accounts::Audit {
        user: &v.user,
        role: v.role.token(),
        action: "exported-bundle",
        facility: Some(&facility),
        detail: Some(format!("{from} {to}")),
        ..Default::default()
    };
    if let Err(e) = super::accounts::audit(&city.pool, a).await {
        return v.error(super::db(e));
    }
    let found = async {
        let c = city.pool.get().await?;
        let range = c
            .query_one(
                "SELECT min(seq), max(seq) FROM entries WHERE facility = $1 AND at >= $2 AND at < $3",
                &[&facility, &from, &to],
            )
            .await?;
        let (Some(first), Some(last)) = (
            range.get::<_, Option<i64>>(0),
            range.get::<_, Option<i64>>(1),
        ) else {
            return Ok(None);
        };
        let prev = c
            .query_opt(
                "SELECT hash FROM entries WHERE facility = $1 AND seq = $2",
                &[&facility, &(first - 1)],
            )
            .await?
            .and_then(|r| r.get::<_, Vec<u8>>(0).try_into().ok())
            .unwrap_or(crate::domain::chain::GENESIS);
        let rows = c
            .query(
                "SELECT seq, at, kind, subject, body, hash FROM entries
                 WHERE facility = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq",
                &[&facility, &first, &last],
            )
            .await?;
        let entries: Vec<StoredEntry> = rows
            .iter()
            .map(|r| StoredEntry {
                seq: r.get(0),
                at: r.get(1),
                kind: r.get(2),
                subject: r.get(3),
                body: r.get(4),
                hash: r.get::<_, Vec<u8>>(5).try_into().unwrap_or([0; 32]),
            })
            .collect();
        Ok::<_, super::DbError>(Some((prev, entries)))
    };
    let (prev, entries) = match found.await {
        Ok(Some(x)) => x,
        Ok(None) => {
            return v
                .chrome
                .clone()
                .message(StatusCode::NOT_FOUND, w.not_found, w.no_rows)
        }
        Err(e) => return v.error(super::db(e)),
    };
    let created = crate::app::records::timestamp(Utc::now());
    let (key, f) = (city.hub.key.clone(), facility.clone());
    let made = tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        let sign = |s: &str| key.sign(s);
        held_copy::bundle(
            &f,
            &created,
            prev,
            entries,
            key.public_hex(),
            &sign,
            &mut out,
        )
        .map(|_| out)
    })
    .await;
    let body = match made {
        Ok(Ok(b)) => b,
        Ok(Err(e)) => return v.error(WebError::Database(e.to_string())),
        Err(e) => return v.error(e.into()),
    };
    (
        StatusCode::OK,
        no_store(),
        [
            (CONTENT_TYPE, "application/jsonl".to_string()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{facility}-hub.bundle.jsonl\""),
            ),
        ],
        body,
    )
        .into_response()
}
