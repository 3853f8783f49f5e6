//! GET /: the city dashboard. Every open encounter in the account's
//! facilities first (unanswered ones first and red), then every facility's
//! health: its last heartbeat (red when silent for 2 minutes), what it has
//! not shipped, its parts in trouble, its chain head and last receipt, and
//! fork alarms. The city role sees the facilities, not the encounters.

use super::City;
use crate::admin::auth::Viewer;
use crate::admin::chrome::{local_minute, render, Chrome};
use crate::app::city_words::CityWords;
use crate::app::timeline::role_token;
use crate::domain::account::AccountRole;
use crate::domain::catalogue::fill;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use std::collections::HashMap;

/// A facility is shown as silent after this long without a heartbeat.
pub const SILENT_AFTER_S: i64 = 120;
/// At most this many open encounters on the page.
const OPEN_SHOWN: i64 = 100;
/// A reader's dashboard view is journaled at most this often while the
/// page reloads itself.
const AUDIT_EVERY: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// One open encounter.
pub struct OpenRow {
    pub facility: String,
    pub id: String,
    pub arrived: String,
    pub opened: String,
    pub drill: bool,
    pub document: String,
    pub paged: String,
    pub acked_by: String,
    pub answered: bool,
    pub counsel: bool,
    pub tiers: i32,
    pub pages: i32,
}

/// One facility's health.
pub struct FacilityRow {
    pub id: String,
    pub heard: String,
    pub silent: bool,
    pub backlog: String,
    pub trouble: Vec<String>,
    pub head: i64,
    pub receipt: String,
    pub fork_alarm: String,
    pub open: i64,
}

#[derive(Template)]
#[template(path = "city_dashboard.html")]
struct Page {
    c: Chrome,
    cw: &'static CityWords,
    encounters: bool,
    open: Vec<OpenRow>,
    more_open: String,
    facilities: Vec<FacilityRow>,
    scope_note: String,
}

/// The open encounters of `scope` (`None`: all), unanswered and oldest
/// first, and how many there are in all.
async fn open_encounters(
    city: &City,
    scope: &Option<Vec<String>>,
    lang: crate::domain::language::Language,
) -> Result<(Vec<OpenRow>, i64), super::DbError> {
    let cw = CityWords::get(lang);
    let c = city.pool.get().await?;
    let rows = c
        .query(
            "SELECT facility, id, extract(epoch FROM now() - opened_at)::bigint, drill, document,
                    paged, acked_roles, first_ack_at IS NOT NULL, counsel_ack_at IS NOT NULL, tiers, pages,
                    to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                    count(*) OVER ()
             FROM encounters
             WHERE closed_at IS NULL AND ($1::text[] IS NULL OR facility = ANY($1))
             ORDER BY first_ack_at IS NOT NULL, opened_at
             LIMIT $2",
            &[scope, &OPEN_SHOWN],
        )
        .await?;
    let total = rows.first().map_or(0, |r| r.get::<_, i64>(12));
    let open = rows
        .iter()
        .map(|r| {
            let secs: i64 = r.get(2);
            let paged: Vec<String> = r.get(5);
            let acked: Vec<String> = r.get(6);
            let document: Option<String> = r.get(4);
            OpenRow {
                facility: r.get(0),
                id: r.get(1),
                arrived: fill(
                    cw.arrived_ago,
                    &[("minutes", &(secs.max(0) / 60).to_string())],
                ),
                opened: local_minute(city, &r.get::<_, String>(11)),
                drill: r.get(3),
                document: city.document_label(document.as_deref(), lang),
                paged: if paged.is_empty() && r.get::<_, i32>(9) > 0 {
                    crate::app::words::words(lang).nobody_paged.to_string()
                } else if paged.is_empty() {
                    cw.nobody_paged_yet.to_string()
                } else {
                    paged.join(", ")
                },
                acked_by: acked
                    .iter()
                    .map(|t| role_token(t, lang))
                    .collect::<Vec<_>>()
                    .join(", "),
                answered: r.get(7),
                counsel: r.get(8),
                tiers: r.get(9),
                pages: r.get(10),
            }
        })
        .collect();
    Ok((open, total))
}

/// The facilities of `scope` and their health.
async fn facilities(
    city: &City,
    scope: &Option<Vec<String>>,
    lang: crate::domain::language::Language,
) -> Result<Vec<FacilityRow>, super::DbError> {
    let (w, cw) = (crate::app::words::words(lang), CityWords::get(lang));
    let c = city.pool.get().await?;
    let rows = c
        .query(
            "SELECT f.id, f.head_seq, extract(epoch FROM now() - h.received_at)::bigint, h.report::text,
                    r.seq, r.issued_at,
                    (SELECT count(*) FROM forks k WHERE k.facility = f.id),
                    (SELECT count(*) FROM encounters e WHERE e.facility = f.id AND e.closed_at IS NULL)
             FROM facilities f
             LEFT JOIN heartbeats h ON h.facility = f.id
             LEFT JOIN LATERAL (SELECT seq, issued_at FROM receipts WHERE facility = f.id ORDER BY seq DESC LIMIT 1) r ON true
             WHERE $1::text[] IS NULL OR f.id = ANY($1)
             ORDER BY f.id",
            &[scope],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let id: String = r.get(0);
            let age: Option<i64> = r.get(2);
            let report: serde_json::Value = r
                .get::<_, Option<String>>(3)
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or_default();
            let silent = age.is_none_or(|a| a >= SILENT_AFTER_S);
            let heard = match age {
                None => cw.never_heard.to_string(),
                Some(a) if a >= SILENT_AFTER_S => {
                    fill(cw.silent_for, &[("minutes", &(a / 60).to_string())])
                }
                Some(a) => fill(cw.heard_ago, &[("seconds", &a.max(0).to_string())]),
            };
            let trouble = report["parts"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["working"] == false)
                .map(|p| {
                    let text = |k: &str| p[k].as_str().unwrap_or("").to_string();
                    format!("{}: {} ({})", text("part"), text("detail"), text("fix"))
                })
                .collect();
            let receipt = match (r.get::<_, Option<i64>>(4), r.get::<_, Option<String>>(5)) {
                (Some(seq), Some(at)) => format!("{seq} · {}", local_minute(city, &at)),
                _ => w.never.to_string(),
            };
            let forks: i64 = r.get(6);
            FacilityRow {
                fork_alarm: if forks > 0 {
                    crate::msgn_in!(
                        lang,
                        "FORK: the hub refused {n} batch that disagrees with the record it holds. Tell counsel; run threshold hub verify {facility}.",
                        "FORK: the hub refused {n} batches that disagree with the record it holds. Tell counsel; run threshold hub verify {facility}.",
                        forks,
                        facility = id
                    )
                } else {
                    String::new()
                },
                id,
                heard,
                silent,
                backlog: report["backlog"]
                    .as_i64()
                    .map_or_else(|| "—".to_string(), |b| b.to_string()),
                trouble,
                head: r.get(1),
                receipt,
                open: r.get(7),
            }
        })
        .collect())
}

/// GET /.
pub async fn dashboard(
    State(city): State<City>,
    Query(query): Query<HashMap<String, String>>,
    v: Viewer,
) -> Response {
    let lang = v.chrome.lang;
    let cw = CityWords::get(lang);
    let scope = v.scope.list().map(<[String]>::to_vec);
    let encounters = v.role.may_review();
    if city
        .web
        .dashboard_view_due(&v.user, !v.refresh, AUDIT_EVERY)
    {
        let a = super::accounts::Audit {
            user: &v.user,
            role: v.role.token(),
            action: "viewed-dashboard",
            ..Default::default()
        };
        if let Err(e) = super::accounts::audit(&city.pool, a).await {
            return v.error(super::db(e));
        }
    }
    let (open, total) = if encounters {
        match open_encounters(&city, &scope, lang).await {
            Ok(x) => x,
            Err(e) => return v.error(super::db(e)),
        }
    } else {
        (Vec::new(), 0)
    };
    let facilities = match facilities(&city, &scope, lang).await {
        Ok(f) => f,
        Err(e) => return v.error(super::db(e)),
    };
    let mut c = v.chrome("dashboard", v.chrome.w.nav_dashboard);
    c.refresh = !query.contains_key("paused");
    let mut notes = Vec::new();
    if v.role == AccountRole::City {
        notes.push(cw.city_scope_note.to_string());
    }
    if let Some(list) = &scope {
        notes.push(fill(cw.scope_some, &[("facilities", &list.join(", "))]));
    }
    let more = total - open.len() as i64;
    render(
        StatusCode::OK,
        &Page {
            c,
            cw,
            encounters,
            more_open: if more > 0 {
                crate::msgn_in!(
                    lang,
                    "{n} more open encounter is not shown; the oldest and unanswered come first.",
                    "{n} more open encounters are not shown; the oldest and unanswered come first.",
                    more
                )
            } else {
                String::new()
            },
            open,
            facilities,
            scope_note: notes.join(" "),
        },
    )
}
