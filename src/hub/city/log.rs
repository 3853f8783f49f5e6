//! GET /log: the encounters of every facility the account covers, newest
//! first, filtered by facility, dates (the city's days), document kind,
//! outcome, open or closed, and legal hold; 50 to a page, paged by a
//! cursor so a page stays right while new encounters arrive. Counsel and
//! managers only; each view is journaled with its filters.

use super::City;
use crate::admin::auth::Viewer;
use crate::admin::chrome::{local_minute, render, Chrome, WebError};
use crate::app::city_words::CityWords;
use crate::hub::retention::HELD;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use std::collections::HashMap;

/// Encounters on one page.
pub const PAGE: i64 = 50;

/// What the filters ask, as typed (kept to refill the form).
#[derive(Debug, Default, Clone)]
pub struct Filters {
    pub facility: String,
    pub from: String,
    pub to: String,
    pub document: String,
    pub outcome: String,
    /// `open`, `closed` or empty.
    pub state: String,
    /// `yes`, `no` or empty.
    pub held: String,
}

impl Filters {
    fn from_query(q: &HashMap<String, String>) -> Filters {
        let get = |k: &str| q.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
        Filters {
            facility: get("facility"),
            from: get("from"),
            to: get("to"),
            document: get("document"),
            outcome: get("outcome"),
            state: get("state"),
            held: get("held"),
        }
    }

    /// The filters as a query string (without the cursor).
    pub fn query(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("facility", &self.facility),
            ("from", &self.from),
            ("to", &self.to),
            ("document", &self.document),
            ("outcome", &self.outcome),
            ("state", &self.state),
            ("held", &self.held),
        ] {
            if !v.is_empty() {
                q.append_pair(k, v);
            }
        }
        q.finish()
    }
}

/// One encounter of the log.
pub struct LogRow {
    pub facility: String,
    pub id: String,
    pub time: String,
    pub drill: bool,
    pub document: String,
    pub outcome: String,
    pub open: bool,
    pub held: bool,
}

#[derive(Template)]
#[template(path = "city_log.html")]
struct Page {
    c: Chrome,
    cw: &'static CityWords,
    f: Filters,
    facilities: Vec<String>,
    documents: Vec<(String, String)>,
    outcomes: Vec<(String, String)>,
    rows: Vec<LogRow>,
    problem: String,
    newest: Option<String>,
    older: Option<String>,
}

/// The day `s` (YYYY-MM-DD) starts, in `tz`, as UTC.
fn day_start(s: &str, tz: chrono_tz::Tz) -> Option<DateTime<Utc>> {
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    tz.from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// The encounters the filters select, newest first, from `cursor`
/// (`opened_at|facility|id` of the last row of the previous page).
async fn select(
    city: &City,
    scope: &Option<Vec<String>>,
    f: &Filters,
    bounds: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    cursor: Option<(DateTime<Utc>, String, String)>,
) -> Result<Vec<(LogRow, DateTime<Utc>)>, super::DbError> {
    let c = city.pool.get().await?;
    let opt = |s: &String| (!s.is_empty()).then(|| s.clone());
    let (facility, document, outcome) = (opt(&f.facility), opt(&f.document), opt(&f.outcome));
    let open: Option<bool> = match f.state.as_str() {
        "open" => Some(true),
        "closed" => Some(false),
        _ => None,
    };
    let held: Option<bool> = match f.held.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let (after_at, after_f, after_id) = match cursor {
        Some((a, b, c)) => (Some(a), Some(b), Some(c)),
        None => (None, None, None),
    };
    let sql = format!(
        "SELECT e.facility, e.id, to_char(e.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                e.drill, e.document, e.outcome, e.closed_at IS NULL, {HELD}, e.opened_at
         FROM encounters e
         WHERE ($1::text[] IS NULL OR e.facility = ANY($1))
           AND ($2::text IS NULL OR e.facility = $2)
           AND ($3::timestamptz IS NULL OR e.opened_at >= $3)
           AND ($4::timestamptz IS NULL OR e.opened_at < $4)
           AND ($5::text IS NULL OR coalesce(e.document, '-') = $5)
           AND ($6::text IS NULL OR coalesce(e.outcome, '-') = $6)
           AND ($7::boolean IS NULL OR (e.closed_at IS NULL) = $7)
           AND ($8::boolean IS NULL OR {HELD} = $8)
           AND ($9::timestamptz IS NULL OR (e.opened_at, e.facility, e.id) < ($9, $10, $11))
         ORDER BY e.opened_at DESC, e.facility DESC, e.id DESC
         LIMIT $12"
    );
    let rows = c
        .query(
            sql.as_str(),
            &[
                scope,
                &facility,
                &bounds.0,
                &bounds.1,
                &document,
                &outcome,
                &open,
                &held,
                &after_at,
                &after_f,
                &after_id,
                &(PAGE + 1),
            ],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let doc: Option<String> = r.get(4);
            let out: Option<String> = r.get(5);
            (
                LogRow {
                    facility: r.get(0),
                    id: r.get(1),
                    time: local_minute(city, &r.get::<_, String>(2)),
                    drill: r.get(3),
                    document: doc.unwrap_or_default(),
                    outcome: out.unwrap_or_default(),
                    open: r.get(6),
                    held: r.get(7),
                },
                r.get(8),
            )
        })
        .collect())
}

fn cursor_of(s: &str) -> Option<(DateTime<Utc>, String, String)> {
    let mut it = s.splitn(3, '|');
    let at = DateTime::parse_from_rfc3339(it.next()?)
        .ok()?
        .with_timezone(&Utc);
    Some((at, it.next()?.to_string(), it.next()?.to_string()))
}

/// GET /log.
pub async fn log(
    State(city): State<City>,
    Query(q): Query<HashMap<String, String>>,
    v: Viewer,
) -> Response {
    let (w, cw, lang) = (v.chrome.w, CityWords::get(v.chrome.lang), v.chrome.lang);
    if !v.role.may_review() {
        return v
            .chrome
            .clone()
            .message(StatusCode::FORBIDDEN, w.refused, cw.city_scope_note);
    }
    let mut f = Filters::from_query(&q);
    if !f.facility.is_empty() && !v.scope.covers(&f.facility) {
        let text = crate::domain::catalogue::fill(cw.not_in_scope, &[("facility", &f.facility)]);
        return v
            .chrome
            .clone()
            .message(StatusCode::FORBIDDEN, w.refused, &text);
    }
    let mut problem = String::new();
    let from = (!f.from.is_empty()).then(|| day_start(&f.from, city.timezone));
    let to = (!f.to.is_empty()).then(|| {
        NaiveDate::parse_from_str(&f.to, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.succ_opt())
            .and_then(|d| day_start(&d.format("%Y-%m-%d").to_string(), city.timezone))
    });
    let bad = matches!(from, Some(None)) || matches!(to, Some(None));
    let (from, to) = (from.flatten(), to.flatten());
    if bad || matches!((from, to), (Some(a), Some(b)) if b <= a) {
        problem = w.bad_dates.to_string();
        (f.from, f.to) = (String::new(), String::new());
    }
    let bounds = if problem.is_empty() {
        (from, to)
    } else {
        (None, None)
    };
    let cursor = q.get("before").and_then(|c| cursor_of(c));
    let audit = super::accounts::Audit {
        user: &v.user,
        role: v.role.token(),
        action: "viewed-log",
        detail: Some(f.query()),
        ..Default::default()
    };
    if let Err(e) = super::accounts::audit(&city.pool, audit).await {
        return v.error(super::db(e));
    }
    let scope = v.scope.list().map(<[String]>::to_vec);
    let mut found = match select(&city, &scope, &f, bounds, cursor.clone()).await {
        Ok(r) => r,
        Err(e) => return v.error(WebError::Database(e.to_string())),
    };
    let more = found.len() as i64 > PAGE;
    found.truncate(PAGE as usize);
    let base = f.query();
    let sep = if base.is_empty() { "" } else { "&" };
    let older = more.then(|| {
        let (last, at) = found.last().expect("a full page");
        let mut c = url::form_urlencoded::Serializer::new(String::new());
        c.append_pair(
            "before",
            &format!("{}|{}|{}", at.to_rfc3339(), last.facility, last.id),
        );
        format!("/log?{base}{sep}{}", c.finish())
    });
    let newest = cursor.is_some().then(|| format!("/log?{base}"));
    let rows = found
        .into_iter()
        .map(|(mut r, _)| {
            r.document = if r.document.is_empty() {
                String::new()
            } else {
                city.profile.document_label(Some(&r.document), lang)
            };
            r.outcome = if r.outcome.is_empty() {
                String::new()
            } else {
                city.profile.outcome_label(&r.outcome, lang)
            };
            r
        })
        .collect();
    let facilities = match crate::hub::store::facilities(&city.pool).await {
        Ok(all) => all
            .into_iter()
            .map(|x| x.id)
            .filter(|id| v.scope.covers(id))
            .collect(),
        Err(e) => return v.error(super::db(e)),
    };
    let documents = city
        .profile
        .documents
        .iter()
        .map(|d| (d.kind.token().to_string(), d.label.get(lang).to_string()))
        .collect();
    let outcomes = crate::domain::encounter::Outcome::ALL
        .iter()
        .map(|o| {
            (
                o.token().to_string(),
                city.profile.outcome_label(o.token(), lang),
            )
        })
        .collect();
    let page = Page {
        c: v.chrome("log", cw.nav_log),
        cw,
        f,
        facilities,
        documents,
        outcomes,
        rows,
        problem,
        newest,
        older,
    };
    render(StatusCode::OK, &page)
}
