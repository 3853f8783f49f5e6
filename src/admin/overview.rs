//! The dashboard, the check-in log and the alert delivery log.

use super::auth::Viewer;
use super::chrome::{local_minute, render, Chrome, WebError};
use super::AppState;
use crate::app::log_export::{day_filter, midnight, FieldNames, FilterError};
use crate::devices::hub::{read_states, DeviceState};
use crate::store::query::overview::{self, ChannelHealth, Delivery};
use crate::store::query::{self, LogFilter, LogKind, LogRow};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
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
}

/// A configured device and what the service last said about it.
pub struct DeviceLine {
    pub device: String,
    pub port: String,
    pub state: Option<DeviceState>,
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
    devices: Vec<DeviceLine>,
    service_running: bool,
    channels: Vec<ChannelHealth>,
}

/// GET /: open encounters first, then today, devices and channels.
pub async fn dashboard(State(state): State<AppState>, v: Viewer) -> Response {
    let lang = v.chrome.lang;
    let mut c = v.chrome("dashboard", v.chrome.w.nav_dashboard);
    c.refresh = true;
    let st = state.clone();
    let loaded = state.loaded.clone();
    let data_dir = state.web.data_dir.clone();
    let page = state
        .read(move |store| {
            let conn = store.conn();
            let today_local = Utc::now().with_timezone(&loaded.timezone()).date_naive();
            let since = midnight(&loaded, today_local);
            let rows = query::encounters(conn, true)?;
            let more_open = rows.len().saturating_sub(OPEN_SHOWN);
            let mut open = Vec::new();
            for row in rows.into_iter().take(OPEN_SHOWN) {
                let Some(rec) = query::encounter(conn, &row.id)? else {
                    continue;
                };
                open.push(OpenCard {
                    opened: local_minute(&st, &row.opened_at),
                    entrance: row.entrance.clone(),
                    drill: row.drill,
                    document: st.loaded.document_label(row.document_kind.as_deref(), lang),
                    tier: rec.notifications.iter().map(|n| n.tier).max().unwrap_or(0),
                    acks: rec
                        .acknowledgements
                        .iter()
                        .map(|a| (a.by.clone(), local_minute(&st, &a.at), a.text.clone()))
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
                });
            }
            let today = overview::checkins_since(conn, &since)?
                .into_iter()
                .map(|(p, n)| (loaded.purpose_label(&p, lang), n))
                .collect::<Vec<_>>();
            let today_encounters = overview::encounters_since(conn, &since)?;
            let day_ago = crate::store::timestamp(Utc::now() - chrono::Duration::hours(24));
            let a = &loaded.config.alerts;
            let mut channels = Vec::new();
            for (configured, name) in [
                (a.webhook.is_some(), "webhook"),
                (a.smtp.is_some(), "email"),
                (a.sms.is_some(), "sms"),
            ] {
                if configured {
                    channels.push(overview::channel_health(conn, name, &day_ago)?);
                }
            }
            let states = read_states(&data_dir.join("devices.json"));
            let d = &loaded.config.devices;
            let configured: Vec<(&str, Option<&std::path::Path>)> = vec![
                ("printer", d.printer.as_ref().map(|p| p.port.as_path())),
                ("scanner", d.scanner.as_ref().map(|p| p.port.as_path())),
                ("sign", d.sign.as_ref().map(|p| p.port.as_path())),
                ("panic", d.panic.as_ref().map(|p| p.port.as_path())),
            ];
            let devices = configured
                .into_iter()
                .filter_map(|(name, port)| {
                    let port = port?.display().to_string();
                    let state = states
                        .as_ref()
                        .and_then(|s| s.iter().find(|x| x.device == name).cloned());
                    Some(DeviceLine {
                        device: name.to_string(),
                        port,
                        state,
                    })
                })
                .collect();
            Ok(DashboardPage {
                c,
                today_total: today.iter().map(|(_, n)| n).sum(),
                open,
                more_open,
                today,
                today_encounters,
                devices,
                service_running: states.is_some(),
                channels,
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
    let st = state.clone();
    let result = state
        .read(move |store| {
            let cursor = before.as_ref().map(|(a, b)| (a.as_str(), b.as_str()));
            Ok(overview::log_page(store.conn(), &filter, cursor, LOG_PAGE)?)
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
    let result = state
        .read(move |store| Ok(overview::deliveries(store.conn(), before, ALERTS_PAGE + 1)?))
        .await;
    let mut rows = match result {
        Ok(r) => r,
        Err(e) => return v.error(e),
    };
    let older = (rows.len() > ALERTS_PAGE as usize).then(|| {
        rows.truncate(ALERTS_PAGE as usize);
        format!("/alerts?before={}", rows.last().map_or(0, |r| r.seq))
    });
    let rows = rows
        .into_iter()
        .map(|d| {
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
