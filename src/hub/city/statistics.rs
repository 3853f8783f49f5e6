//! GET /statistics (and `.csv`, `.pdf`): the numbers a council asks for,
//! for every role, over the facilities the account covers. Charts are SVG
//! drawn on the server (no script), each beside a table of the same
//! numbers, and every label is HTML text in the reader's language.

use super::City;
use crate::admin::auth::Viewer;
use crate::admin::chrome::{no_store, render, Chrome};
use crate::app::city_words::CityWords;
use crate::app::council::{self, duration, purpose_label, visitors_by_purpose};
use crate::domain::stats::{Durations, Stats};
use crate::hub::stats::Period;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::collections::{BTreeMap, HashMap};

/// One row of a table: its label, the number, and its bar.
pub struct Row {
    pub label: String,
    pub n: u64,
    pub bar: String,
}

/// A time to acknowledgement, in words.
pub struct Times {
    pub median: String,
    pub p90: String,
    pub answered: usize,
    pub unanswered: usize,
}

fn times(d: &Durations, lang: crate::domain::language::Language) -> Times {
    Times {
        median: duration(d.median_s, lang),
        p90: duration(d.p90_s, lang),
        answered: d.answered,
        unanswered: d.unanswered,
    }
}

/// A bar as wide as `n` of `max`, for a table row (the number is in the
/// row's text: the bar is hidden from screen readers).
fn bar(n: u64, max: u64) -> String {
    let pct = if max == 0 {
        0.0
    } else {
        n as f64 * 100.0 / max as f64
    };
    format!(
        "<svg class=\"bar\" viewBox=\"0 0 100 12\" preserveAspectRatio=\"none\" aria-hidden=\"true\" focusable=\"false\"><rect width=\"{pct:.1}\" height=\"12\" fill=\"#0b5394\"/></svg>"
    )
}

fn rows(items: impl IntoIterator<Item = (String, u64)>) -> Vec<Row> {
    let items: Vec<(String, u64)> = items.into_iter().collect();
    let max = items.iter().map(|(_, n)| *n).max().unwrap_or(0);
    items
        .into_iter()
        .map(|(label, n)| Row {
            bar: bar(n, max),
            label,
            n,
        })
        .collect()
}

/// Every month of `period`, with its count (zero when none).
fn months(period: Period, counts: &BTreeMap<String, u64>) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut m = period.from;
    while m <= period.to {
        let key = m.format("%Y-%m").to_string();
        out.push((key.clone(), counts.get(&key).copied().unwrap_or(0)));
        match m.checked_add_months(chrono::Months::new(1)) {
            Some(next) => m = next,
            None => break,
        }
    }
    out
}

/// The months as a column chart: digits only, readable in any language;
/// the table beside it is what screen readers get.
fn month_chart(months: &[(String, u64)]) -> String {
    let max = months.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let (col, h, top, base) = (34.0, 150.0, 18.0, 48.0);
    let width = col * months.len() as f64 + 10.0;
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {width:.0} {:.0}\" aria-hidden=\"true\" focusable=\"false\" font-family=\"sans-serif\" font-size=\"11\">",
        h + top + base
    );
    for (i, (m, n)) in months.iter().enumerate() {
        let bh = *n as f64 / max as f64 * h;
        let x = 10.0 + col * i as f64;
        let y = top + h - bh;
        svg.push_str(&format!(
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" fill=\"#0b5394\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#1a1a1a\">{n}</text><text transform=\"translate({:.1} {:.1}) rotate(-60)\" text-anchor=\"end\" fill=\"#1a1a1a\">{m}</text>",
            col - 8.0,
            x + (col - 8.0) / 2.0,
            y - 4.0,
            x + (col - 8.0) / 2.0,
            top + h + 14.0
        ));
    }
    svg.push_str(&format!(
        "<line x1=\"6\" y1=\"{:.1}\" x2=\"{width:.0}\" y2=\"{:.1}\" stroke=\"#555\"/></svg>",
        top + h,
        top + h
    ));
    svg
}

#[derive(Template)]
#[template(path = "city_statistics.html")]
struct Page {
    c: Chrome,
    cw: &'static CityWords,
    from: String,
    to: String,
    facility: String,
    facilities: Vec<String>,
    problem: String,
    query: String,
    total: u64,
    drills: u64,
    chart: String,
    by_month: Vec<Row>,
    /// (anchor, heading, rows): by facility, document, outcome; visitors.
    sections: Vec<(&'static str, &'static str, Vec<Row>)>,
    /// (anchor, heading, times): to the first and to counsel's
    /// acknowledgement.
    waits: Vec<(&'static str, &'static str, Times)>,
}

/// What a request asks: the period, the facility (within the account's
/// scope), and what to say when the period could not be read.
struct Asked {
    period: Period,
    scope: Option<Vec<String>>,
    facility: String,
    problem: String,
}

fn asked(city: &City, v: &Viewer, q: &HashMap<String, String>) -> Asked {
    let cw = CityWords::get(v.chrome.lang);
    let default = Period::last_year(chrono::Utc::now(), city.timezone);
    let (period, problem) = match (q.get("from"), q.get("to")) {
        (None, None) => (default, String::new()),
        (from, to) => match Period::parse(
            from.map_or("", String::as_str),
            to.map_or("", String::as_str),
        ) {
            Some(p) => (p, String::new()),
            None => (default, cw.bad_period.to_string()),
        },
    };
    let facility = q
        .get("facility")
        .filter(|f| !f.is_empty() && v.scope.covers(f))
        .cloned()
        .unwrap_or_default();
    let scope = if facility.is_empty() {
        v.scope.list().map(<[String]>::to_vec)
    } else {
        Some(vec![facility.clone()])
    };
    Asked {
        period,
        scope,
        facility,
        problem,
    }
}

async fn load(city: &City, v: &Viewer, a: &Asked, what: &str) -> Result<Stats, Response> {
    let detail = Some(format!(
        "{} {}{}",
        a.period.from_month(),
        a.period.to_month(),
        if a.facility.is_empty() {
            String::new()
        } else {
            format!(" {}", a.facility)
        }
    ));
    let audit = super::accounts::Audit {
        user: &v.user,
        role: v.role.token(),
        action: what,
        detail,
        ..Default::default()
    };
    super::accounts::audit(&city.pool, audit)
        .await
        .map_err(|e| v.error(super::db(e)))?;
    crate::hub::stats::of(&city.pool, &a.scope, a.period, city.timezone)
        .await
        .map_err(|e| v.error(super::db(e)))
}

fn link_query(a: &Asked) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("from", &a.period.from_month());
    q.append_pair("to", &a.period.to_month());
    if !a.facility.is_empty() {
        q.append_pair("facility", &a.facility);
    }
    q.finish()
}

/// The facilities a reader may choose among.
async fn choices(city: &City, v: &Viewer) -> Vec<String> {
    match crate::hub::store::facilities(&city.pool).await {
        Ok(all) => all
            .into_iter()
            .map(|f| f.id)
            .filter(|f| v.scope.covers(f))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// GET /statistics.
pub async fn page(
    State(city): State<City>,
    Query(q): Query<HashMap<String, String>>,
    v: Viewer,
) -> Response {
    let a = asked(&city, &v, &q);
    let s = match load(&city, &v, &a, "viewed-statistics").await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (w, lang) = (v.chrome.w, v.chrome.lang);
    let cw = CityWords::get(lang);
    let month_counts = s.by(|c| &c.month);
    let all_months = months(a.period, &month_counts);
    let documents = s.by(|c| &c.document).into_iter().map(|(d, n)| {
        let label = if d == "-" {
            w.not_recorded.to_string()
        } else {
            city.profile.document_label(Some(&d), lang)
        };
        (label, n)
    });
    let outcomes = s.by(|c| &c.outcome).into_iter().map(|(o, n)| {
        let label = if o == "-" {
            cw.no_outcome.to_string()
        } else {
            city.profile.outcome_label(&o, lang)
        };
        (label, n)
    });
    let visitors = visitors_by_purpose(&s)
        .into_iter()
        .map(|(p, n)| (purpose_label(&p, lang), n));
    let page = Page {
        c: v.chrome("statistics", cw.nav_statistics),
        cw,
        from: a.period.from_month(),
        to: a.period.to_month(),
        facilities: choices(&city, &v).await,
        query: link_query(&a),
        total: s.total(),
        drills: s.drills.values().sum(),
        chart: month_chart(&all_months),
        by_month: rows(all_months),
        sections: vec![
            ("by-facility", cw.by_facility, rows(s.by(|c| &c.facility))),
            ("by-document", cw.by_document, rows(documents)),
            ("by-outcome", cw.by_outcome, rows(outcomes)),
            ("visitors", cw.visitors_by_purpose, rows(visitors)),
        ],
        waits: vec![
            ("first-ack", cw.time_to_first, times(&s.first_ack, lang)),
            (
                "counsel-ack",
                cw.time_to_counsel,
                times(&s.counsel_ack, lang),
            ),
        ],
        facility: a.facility,
        problem: a.problem,
    };
    render(StatusCode::OK, &page)
}

/// GET /statistics.csv: the counts, tokens not names.
pub async fn csv(
    State(city): State<City>,
    Query(q): Query<HashMap<String, String>>,
    v: Viewer,
) -> Response {
    let a = asked(&city, &v, &q);
    let s = match load(&city, &v, &a, "exported-statistics").await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let name = format!(
        "threshold-statistics-{}-{}.csv",
        a.period.from_month(),
        a.period.to_month()
    );
    (
        StatusCode::OK,
        no_store(),
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        s.csv(),
    )
        .into_response()
}

/// GET /statistics.pdf: the council report of the period.
pub async fn pdf(
    State(city): State<City>,
    Query(q): Query<HashMap<String, String>>,
    v: Viewer,
) -> Response {
    let a = asked(&city, &v, &q);
    let s = match load(&city, &v, &a, "exported-council-report").await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (from, to) = (a.period.from_month(), a.period.to_month());
    let made = chrono::Utc::now()
        .with_timezone(&city.timezone)
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let (name, profile, who, lang) = (
        city.name.clone(),
        city.profile.clone(),
        v.user.clone(),
        v.chrome.lang,
    );
    let (f, t, facilities) = (from.clone(), to.clone(), a.scope.clone());
    let made = tokio::task::spawn_blocking(move || {
        let report = council::CouncilReport {
            city: &name,
            from: &f,
            to: &t,
            facilities: facilities.as_deref(),
            who: &who,
            made: &made,
            lang,
            profile: &profile,
        };
        council::council_pdf(&s, &report)
    })
    .await;
    let pdf = match made {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => {
            return v.error(crate::admin::WebError::Database(format!(
                "the council report could not be made: {e}"
            )))
        }
        Err(e) => return v.error(e.into()),
    };
    (
        StatusCode::OK,
        no_store(),
        [
            (CONTENT_TYPE, "application/pdf".to_string()),
            (
                CONTENT_DISPOSITION,
                format!("inline; filename=\"threshold-council-report-{from}-{to}.pdf\""),
            ),
        ],
        pdf,
    )
        .into_response()
}
