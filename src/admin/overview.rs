//! The dashboard, the check-in log and the alert delivery log.

use super::auth::Viewer;
use super::chrome::{local_minute, render, Chrome, WebError};
use super::encounter::journal;
use super::AppState;
use crate::app::log_export::{day_filter, midnight, FieldNames, FilterError};
use crate::app::records::Viewing;
use crate::app::records::{ChannelHealth, Delivery, LogFilter, LogKind, LogRow};
use crate::devices::health::PartState;
use crate::domain::guidance::unanswered;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// Rows per log page.
const LOG_PAGE: u32 = 50;
/// Rows per page of the alert delivery log.
const ALERTS_PAGE: u32 = 100;
/// Open encounters shown in full on the dashboard.
const OPEN_SHOWN: usize = 50;

/// An open encounter as the dashboard shows it.
pub struct OpenCard {
    pub id: String,
    pub opened: String,
    pub entrance: String,
    pub drill: bool,
    pub document: String,
    pub tier: u32,
    /// (who, when, how)
    pub acks: Vec<(String, String, String)>,
    pub counsel_acked: bool,
    pub paged: usize,
    pub delivered: usize,
    pub failing: usize,
    pub pages: usize,
    /// Counsel has not answered and the pages cannot be relied on to reach
    /// them (see [`crate::domain::guidance::unanswered`]).
    pub unanswered: bool,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    c: Chrome,
    open: Vec<OpenCard>,
    more_open: usize,
    today: Vec<(String, i64)>,
    today_total: i64,
    today_encounters: i64,
    /// Every part of the service, the broken ones first.
    parts: Vec<PartState>,
    channels: Vec<ChannelHealth>,
    /// The red banner: what is wrong, and the number to call (may be empty).
    emergency: Option<&'static str>,
    counsel_number: String,
    /// The same number for a `tel:` link: the digits and a leading `+`.
    counsel_tel: String,
    /// Legal holds in force: (reference, what it covers, reason).
    holds: Vec<(String, String, String)>,
}

/// Journaled once when a reader opens the dashboard, and again while it
/// reloads itself only after this long (a screen left open all day is one
/// entry every quarter hour, not one every 15 s).
const DASHBOARD_AUDIT_EVERY: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// GET /: open encounters first, then today, devices and channels. It
/// reloads itself every 15 s unless the reader paused that (`?paused=1`).
pub async fn dashboard(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    v: Viewer,
) -> Response {
    let due = state
        .web
        .dashboard_view_due(&v.user, !v.refresh, DASHBOARD_AUDIT_EVERY);
    if due {
        let what = v.viewed(Viewing::Dashboard, None, None, None);
        if let Err(e) = journal(&state, "log", what).await {
            return v.error(e);
        }
    }
    let lang = v.chrome.lang;
    let mut c = v.chrome("dashboard", v.chrome.w.nav_dashboard);
    c.refresh = !query.contains_key("paused");
    let st = state.clone();
    let loaded = state.loaded.clone();
    let mut parts = state.health.parts();
    parts.sort_by_key(|p| p.working);
    let page = state
        .call(move |desk| {
            let today_local = Utc::now().with_timezone(&loaded.timezone()).date_naive();
            let since = midnight(&loaded, today_local);
            let day_ago = crate::app::records::timestamp(Utc::now() - chrono::Duration::hours(24));
            let facts = desk.dashboard(&since, OPEN_SHOWN, &day_ago)?;
            let open: Vec<OpenCard> = facts
                .open
                .into_iter()
                .map(|(row, rec)| OpenCard {
                    unanswered: DateTime::parse_from_rfc3339(&row.opened_at).is_ok_and(|opened| {
                        unanswered(
                            opened.to_utc(),
                            Utc::now(),
                            loaded.config.first_deadline(),
                            row.counsel_acknowledged_at.is_some(),
                            rec.notifications.len() as u32,
                        )
                        .is_some()
                    }),
                    opened: local_minute(&st, &row.opened_at),
                    entrance: row.entrance.clone(),
                    drill: row.drill,
                    document: st.loaded.document_label(row.document_kind.as_deref(), lang),
                    tier: rec.notifications.iter().map(|n| n.tier).max().unwrap_or(0),
                    acks: rec
                        .acknowledgements
                        .iter()
                        .map(|a| {
                            let how = crate::app::timeline::ack_how(a.role, a.via, lang);
                            (a.by.clone(), local_minute(&st, &a.at), how)
                        })
                        .collect(),
                    counsel_acked: row.counsel_acknowledged_at.is_some(),
                    paged: rec.notifications.len(),
                    delivered: rec
                        .notifications
                        .iter()
                        .filter(|n| n.sent_at.is_some())
                        .count(),
                    failing: rec
                        .notifications
                        .iter()
                        .filter(|n| n.sent_at.is_none() && n.last_error.is_some())
                        .count(),
                    pages: rec.pages.len(),
                    id: row.id,
                })
                .collect();
            let today = facts
                .today
                .into_iter()
                .map(|(p, n)| (loaded.purpose_label(&p, lang), n))
                .collect::<Vec<_>>();
            let config = &loaded.config;
            let can_page = config.contacts.iter().any(|contact| {
                crate::config::SENDABLE
                    .iter()
                    .any(|ch| config.channel_ready(contact, *ch))
            });
            let emergency = if !can_page {
                Some(c.w.no_channel_set_up)
            } else if open.iter().any(|e| e.unanswered && e.paged == 0) {
                Some(c.w.nobody_paged)
            } else if open.iter().any(|e| e.unanswered) {
                Some(c.w.counsel_not_answered)
            } else {
                None
            };
            Ok(DashboardPage {
                emergency,
                counsel_number: config.counsel_number().unwrap_or_default().to_string(),
                counsel_tel: config
                    .counsel_number()
                    .unwrap_or_default()
                    .chars()
                    .filter(|c| c.is_ascii_digit() || *c == '+')
                    .collect(),
                c,
                today_total: today.iter().map(|(_, n)| n).sum(),
                open,
                more_open: facts.more_open,
                today,
                today_encounters: facts.today_encounters,
                parts,
                channels: facts
                    .channels
                    .into_iter()
                    .map(|mut ch| {
                        ch.channel = crate::app::timeline::channel_token(&ch.channel, lang);
                        ch
                    })
                    .collect(),
                holds: desk
                    .holds(true)?
                    .into_iter()
                    .map(|h| (h.id.clone(), h.covers(), h.reason))
                    .collect(),
            })
        })
        .await;
    match page {
        Ok(page) => render(StatusCode::OK, &page),
        Err(e) => v.error(e),
    }
}

/// The log's query string.
#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
pub struct LogQuery {
    pub from: String,
    pub to: String,
    pub kind: String,
    pub purpose: String,
    /// The cursor: `AT|ID` of the last row of the previous page.
    pub before: String,
}

fn blank(s: &str) -> Option<&str> {
    let s = s.trim();
    (!s.is_empty()).then_some(s)
}

/// Parse the log filters; messages in the reader's language.
pub fn parse_filter(state: &AppState, c: &Chrome, q: &LogQuery) -> Result<LogFilter, WebError> {
    let kind = match blank(&q.kind) {
        None => None,
        Some("visitor") => Some(LogKind::Visitor),
        Some("encounter") => Some(LogKind::Encounter),
        Some(other) => return Err(WebError::BadInput(format!("{}: {other}", c.w.kind))),
    };
    let names = FieldNames {
        from: c.w.from,
        to: c.w.to,
    };
    day_filter(
        &state.loaded,
        &names,
        blank(&q.from),
        blank(&q.to),
        kind,
        blank(&q.purpose).map(str::to_string),
    )
    .map_err(|e| match e {
        FilterError::UnknownPurpose { found, .. } => {
            WebError::BadInput(format!("{}: {found}", c.w.purpose))
        }
        _ => WebError::BadInput(c.w.bad_dates.to_string()),
    })
}

/// A row of the log page.
pub struct LogLine {
    pub row: LogRow,
    pub time: String,
    pub purpose: String,
    pub document: String,
    pub outcome: String,
}

#[derive(Template)]
#[template(path = "log.html")]
struct LogPage {
    c: Chrome,
    q: LogQuery,
    problem: String,
    purposes: Vec<(String, String)>,
    rows: Vec<LogLine>,
    older: Option<String>,
    newest: Option<String>,
    filters: String,
}

/// The filters as a query string (without the cursor).
fn filter_query(q: &LogQuery) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("from", &q.from),
        ("to", &q.to),
        ("kind", &q.kind),
        ("purpose", &q.purpose),
    ] {
        if !v.trim().is_empty() {
            s.append_pair(k, v.trim());
        }
    }
    s.finish()
}

/// GET /log: check-ins and encounters, newest first, with filters.
pub async fn log(State(state): State<AppState>, v: Viewer, Query(q): Query<LogQuery>) -> Response {
    let c = v.chrome("log", v.chrome.w.nav_log);
    let lang = c.lang;
    let purposes = state
        .loaded
        .config
        .visitors
        .purposes
        .iter()
        .map(|p| (p.clone(), state.loaded.purpose_label(p, lang)))
        .collect();
    let filters = filter_query(&q);
    let mut page = LogPage {
        c,
        q: q.clone(),
        problem: String::new(),
        purposes,
        rows: Vec::new(),
        older: None,
        newest: None,
        filters: filters.clone(),
    };
    let filter = match parse_filter(&state, &page.c, &q) {
        Ok(f) => f,
        Err(WebError::BadInput(msg)) => {
            page.problem = msg;
            return render(StatusCode::BAD_REQUEST, &page);
        }
        Err(e) => return v.error(e),
    };
    let before = q
        .before
        .split_once('|')
        .map(|(a, b)| (a.to_string(), b.to_string()));
    let has_cursor = before.is_some();
    // The page shows visitors' names and hosts: journaled, with its
    // filters and cursor, before it is read.
    let what = v.viewed(
        Viewing::Log,
        None,
        (!filters.is_empty()).then(|| filters.clone()),
        has_cursor.then(|| q.before.clone()),
    );
    if let Err(e) = journal(&state, "log", what).await {
        return v.error(e);
    }
    let st = state.clone();
    let result = state
        .call(move |desk| {
            let cursor = before.as_ref().map(|(a, b)| (a.as_str(), b.as_str()));
            Ok(desk.log_page(&filter, cursor, LOG_PAGE)?)
        })
        .await;
    let (rows, more) = match result {
        Ok(x) => x,
        Err(e) => return v.error(e),
    };
    let sep = if filters.is_empty() { "" } else { "&" };
    page.older = rows.last().filter(|_| more).map(|r| {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        s.append_pair("before", &format!("{}|{}", r.at, r.id));
        format!("/log?{filters}{sep}{}", s.finish())
    });
    page.newest = has_cursor.then(|| format!("/log?{filters}"));
    page.rows = rows
        .into_iter()
        .map(|row| LogLine {
            time: local_minute(&st, &row.at),
            purpose: match row.kind {
                "visitor" => row
                    .purpose
                    .as_deref()
                    .map(|p| st.loaded.purpose_label(p, lang))
                    .unwrap_or_default(),
                _ => row.purpose.clone().unwrap_or_default(),
            },
            document: st.loaded.document_label(row.document_kind.as_deref(), lang),
            outcome: row
                .outcome
                .as_deref()
                .map(|o| st.loaded.outcome_label(o, lang))
                .unwrap_or_default(),
            row,
        })
        .collect();
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "alerts.html")]
struct AlertsPage {
    c: Chrome,
    rows: Vec<(Delivery, String, String)>,
    older: Option<String>,
}

/// GET /alerts: every page sent about an encounter, newest first.
pub async fn alerts(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let before = match q.get("before").map(|b| b.parse::<i64>()) {
        None => None,
        Some(Ok(b)) => Some(b),
        Some(Err(_)) => return v.error(WebError::NotFound),
    };
    let what = v.viewed(Viewing::Alerts, None, None, before.map(|b| b.to_string()));
    if let Err(e) = journal(&state, "log", what).await {
        return v.error(e);
    }
    let result = state
        .call(move |desk| Ok(desk.deliveries(before, ALERTS_PAGE + 1)?))
        .await;
    let mut rows = match result {
        Ok(r) => r,
        Err(e) => return v.error(e),
    };
    let older = (rows.len() > ALERTS_PAGE as usize).then(|| {
        rows.truncate(ALERTS_PAGE as usize);
        format!("/alerts?before={}", rows.last().map_or(0, |r| r.seq))
    });
    let lang = v.chrome.lang;
    let rows = rows
        .into_iter()
        .map(|mut d| {
            d.role = crate::app::timeline::role_token(&d.role, lang);
            d.channel = crate::app::timeline::channel_token(&d.channel, lang);
            let queued = local_minute(&state, &d.queued_at);
            let sent = d
                .sent_at
                .as_deref()
                .map(|s| local_minute(&state, s))
                .unwrap_or_default();
            (d, queued, sent)
        })
        .collect();
    render(
        StatusCode::OK,
        &AlertsPage {
            c: v.chrome("alerts", v.chrome.w.nav_alerts),
            rows,
            older,
        },
    )
}
