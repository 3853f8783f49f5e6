//! Retention settings with a purge preview (managers change them and run
//! purges; counsel sees them), and the record's integrity check.

use super::auth::Viewer;
use super::chrome::{render, Chrome};
use super::AppState;
use crate::app::records::{PurgeSummary, Report};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;

#[derive(Template)]
#[template(path = "retention.html")]
struct RetentionPage {
    c: Chrome,
    visitor_days: String,
    encounter_years: String,
    from_web: bool,
    may_manage: bool,
    preview: String,
    notice: String,
    problem: String,
}

fn counts(template: &str, s: &PurgeSummary, held: &str) -> String {
    let said = template
        .replace("{checkins}", &s.checkins.to_string())
        .replace("{encounters}", &s.encounters.to_string())
        .replace("{pages}", &s.page_files.to_string());
    if s.held == 0 {
        said
    } else {
        format!("{said} {}", held.replace("{held}", &s.held.to_string()))
    }
}

/// The page with the periods in force and what a purge would remove now.
async fn retention_page(
    state: &AppState,
    v: &Viewer,
    status: StatusCode,
    notice: String,
    problem: String,
    typed: Option<(String, String)>,
) -> Response {
    let result = state
        .call(|desk| {
            let periods = desk.retention()?;
            let from_web = desk.retention_set_on_web()?;
            let preview = desk.purge(true)?;
            Ok((periods, from_web, preview))
        })
        .await;
    let ((days, years), from_web, preview) = match result {
        Ok(x) => x,
        Err(e) => return v.error(e),
    };
    let c = v.chrome("retention", v.chrome.w.nav_retention);
    let (visitor_days, encounter_years) = typed.unwrap_or((days.to_string(), years.to_string()));
    let page = RetentionPage {
        preview: counts(c.w.preview_counts, &preview, c.w.held_kept),
        may_manage: v.role.may_manage(),
        c,
        visitor_days,
        encounter_years,
        from_web,
        notice,
        problem,
    };
    render(status, &page)
}

/// GET /retention.
pub async fn retention(State(state): State<AppState>, v: Viewer) -> Response {
    retention_page(
        &state,
        &v,
        StatusCode::OK,
        String::new(),
        String::new(),
        None,
    )
    .await
}

/// The retention form.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct RetentionForm {
    pub csrf: String,
    pub visitor_days: String,
    pub encounter_years: String,
}

/// The refusal for anyone but a manager.
fn manager_refusal(v: &Viewer) -> Option<Response> {
    if v.role.may_manage() {
        None
    } else {
        let w = v.chrome.w;
        Some(
            v.chrome
                .clone()
                .message(StatusCode::FORBIDDEN, w.refused, w.managers_only),
        )
    }
}

/// POST /retention (managers): new periods, journaled with who set them.
pub async fn set_retention(
    State(state): State<AppState>,
    v: Viewer,
    Form(f): Form<RetentionForm>,
) -> Response {
    if let Some(r) = v.csrf_refusal(&f.csrf).or_else(|| manager_refusal(&v)) {
        return r;
    }
    let days = f
        .visitor_days
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|d| (1..=3650).contains(d));
    let years = f
        .encounter_years
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|y| (1..=100).contains(y));
    let (Some(days), Some(years)) = (days, years) else {
        let typed = Some((f.visitor_days.clone(), f.encounter_years.clone()));
        return retention_page(
            &state,
            &v,
            StatusCode::BAD_REQUEST,
            String::new(),
            v.chrome.w.whole_number.to_string(),
            typed,
        )
        .await;
    };
    let by = v.user.clone();
    let saved = state
        .call(move |desk| Ok(desk.set_retention(&by, days, years)?))
        .await;
    if let Err(e) = saved {
        return v.error(e);
    }
    tracing::info!(by = %v.user, visitor_days = days, encounter_years = years, "retention periods changed on the admin web");
    retention_page(
        &state,
        &v,
        StatusCode::OK,
        v.chrome.w.saved.to_string(),
        String::new(),
        None,
    )
    .await
}

/// POST /retention/purge (managers): purge now with the periods in force.
pub async fn purge(
    State(state): State<AppState>,
    v: Viewer,
    Form(f): Form<super::auth::CsrfForm>,
) -> Response {
    if let Some(r) = v.csrf_refusal(&f.csrf).or_else(|| manager_refusal(&v)) {
        return r;
    }
    let done = state.call(|desk| Ok(desk.purge(false)?)).await;
    let summary = match done {
        Ok(s) => s,
        Err(e) => return v.error(e),
    };
    tracing::info!(by = %v.user, checkins = summary.checkins, encounters = summary.encounters, "purge run from the admin web");
    retention_page(
        &state,
        &v,
        StatusCode::OK,
        counts(v.chrome.w.purged_done, &summary, v.chrome.w.held_kept),
        String::new(),
        None,
    )
    .await
}

#[derive(Template)]
#[template(path = "integrity.html")]
struct IntegrityPage {
    c: Chrome,
    report: Report,
    public_key: String,
    fingerprint: String,
}

/// GET /integrity: `log verify` now, with the chain head and the key that
/// signs exports.
pub async fn integrity(State(state): State<AppState>, v: Viewer) -> Response {
    let report = match state.call(|desk| Ok(desk.verify()?)).await {
        Ok(r) => r,
        Err(e) => return v.error(e),
    };
    let page = IntegrityPage {
        c: v.chrome("integrity", v.chrome.w.nav_integrity),
        public_key: state.key.public_hex(),
        fingerprint: state.key.fingerprint(),
        report,
    };
    let status = if page.report.intact() {
        StatusCode::OK
    } else {
        StatusCode::CONFLICT
    };
    render(status, &page)
}
