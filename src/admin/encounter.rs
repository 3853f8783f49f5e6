//! An encounter's full record, and its document pages decrypted on the fly.
//! Each view is journaled (who, when, what) before anything is shown.

use super::auth::Viewer;
use super::chrome::{local_minute_in, no_store, render, Chrome, WebError};
use super::AppState;
use crate::app::records::{EncounterRecord, Viewed, Viewing};
use crate::domain::encounter::PageKind;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Encounter ids as the store makes them (`E-` and 8 to 16 letters and
/// digits); anything else is not looked up.
pub fn plausible_id(id: &str) -> bool {
    id.len() <= 24 && id.starts_with("E-") && id[2..].chars().all(|c| c.is_ascii_alphanumeric())
}

/// Journal a view by `v`, before anything of it is sent.
pub async fn journal_view(
    state: &AppState,
    v: &Viewer,
    subject: &str,
    what: Viewing,
    page: Option<u32>,
    filter: Option<String>,
) -> Result<(), WebError> {
    journal(state, subject, v.viewed(what, page, filter, None)).await
}

/// Journal `viewed` about `subject`.
pub async fn journal(state: &AppState, subject: &str, viewed: Viewed) -> Result<(), WebError> {
    let subject = subject.to_string();
    state
        .call(move |desk| Ok(desk.record_view(&subject, &viewed)?))
        .await
}

/// A checklist question for the document's kind, in the reader's
/// language, with its help and its latest answer.
pub struct ChecklistLine {
    pub id: String,
    pub question: String,
    pub help: String,
    /// `yes`, `no`, `unclear`, or empty.
    pub answer: String,
    pub by: String,
}

#[derive(Template)]
#[template(path = "encounter.html")]
struct EncounterPage {
    c: Chrome,
    r: EncounterRecord,
    opened: String,
    closed: String,
    document: String,
    checklist: Vec<ChecklistLine>,
    /// Who acknowledged, in what role and how, and when.
    acks: Vec<(String, String, String)>,
    /// How the encounter was opened, in words.
    via: String,
    timeline: Vec<(String, String, String)>,
    notifications: Vec<(String, String, String)>,
    decided: String,
    outcome: String,
    /// What the profile tells staff to do for this document and answers.
    verdict: String,
    /// This account has acknowledged the encounter.
    acknowledged: bool,
    /// On what footing the outcome was recorded, in the reader's words.
    basis: String,
    /// The checklist's answers: (token, label).
    answers: [(&'static str, &'static str); 3],
    /// The encounter's address.
    base: String,
    /// On the city's web.
    city: bool,
    notice: Vec<String>,
    /// What the page says when the record's personal data is gone.
    purged_note: String,
}

/// Read encounter `id`, or NotFound.
pub async fn load(state: &AppState, id: &str) -> Result<EncounterRecord, WebError> {
    if !plausible_id(id) {
        return Err(WebError::NotFound);
    }
    let id = id.to_string();
    state
        .call(move |desk| desk.find_encounter(&id)?.ok_or(WebError::NotFound))
        .await
}

/// NotFound unless encounter `id` exists (checked before a view of it is
/// journaled).
pub async fn must_exist(state: &AppState, id: &str) -> Result<(), WebError> {
    if !plausible_id(id) {
        return Err(WebError::NotFound);
    }
    let id = id.to_string();
    state
        .call(move |desk| {
            desk.encounter_exists(&id)?
                .then_some(())
                .ok_or(WebError::NotFound)
        })
        .await
}

/// GET /encounters/{id}.
pub async fn show(State(state): State<AppState>, v: Viewer, Path(id): Path<String>) -> Response {
    if let Err(e) = must_exist(&state, &id).await {
        return v.error(e);
    }
    if let Err(e) = journal_view(&state, &v, &id, Viewing::Encounter, None, None).await {
        return v.error(e);
    }
    // Read after journaling, so the timeline includes this view.
    let r = match load(&state, &id).await {
        Ok(r) => r,
        Err(e) => return v.error(e),
    };
    let frame = Frame {
        base: format!("/encounters/{id}"),
        tz: state.loaded.timezone(),
        profile: &state.loaded.profile,
        city: false,
        notice: Vec::new(),
        purged_note: None,
    };
    page(&v, r, frame)
}

/// What differs between the facility's and the city's encounter pages.
pub struct Frame<'a> {
    /// The encounter's address: its page images and forms are under it.
    pub base: String,
    /// Times are shown in this zone.
    pub tz: chrono_tz::Tz,
    /// Names of document kinds, outcomes and checklist questions.
    pub profile: &'a crate::domain::policy::PolicyProfile,
    /// The city's web: holds and reports are the facility's, not offered.
    pub city: bool,
    /// Lines shown above the actions (a command on its way, the kiosk
    /// out of reach).
    pub notice: Vec<String>,
    /// Said instead of "removed by retention" when the copy was purged
    /// otherwise (the hub's own retention).
    pub purged_note: Option<String>,
}

/// The encounter page for `r`, as `v` reads it.
pub fn page(v: &Viewer, mut r: EncounterRecord, frame: Frame<'_>) -> Response {
    let tz = frame.tz;
    let at = |t: &str| local_minute_in(tz, t);
    for a in r.counsel_instructions.iter_mut().chain(r.notes.iter_mut()) {
        a.at = at(&a.at);
    }
    for a in r.acknowledgements.iter_mut() {
        a.at = at(&a.at);
    }
    for h in r.holds.iter_mut() {
        h.placed_at = at(&h.placed_at);
        if let Some(rel) = h.released.as_mut() {
            rel.at = at(&rel.at);
        }
    }
    let c = v.chrome("", &format!("{} {}", v.chrome.w.encounter, r.id));
    let purged_note = frame
        .purged_note
        .unwrap_or_else(|| c.w.purged_note.to_string());
    let lang = c.lang;
    let profile = frame.profile;
    let kind = r.document_kind.as_deref().and_then(|k| k.parse().ok());
    let latest = |item: &str| r.checklist.iter().rev().find(|a| a.item == item);
    let questions = profile.checklist_for(kind);
    let checklist = questions
        .iter()
        .map(|q| ChecklistLine {
            id: q.id.clone(),
            question: q.question.get(lang).to_string(),
            help: q.help.get(lang).to_string(),
            answer: latest(&q.id).map(|a| a.answer.clone()).unwrap_or_default(),
            by: latest(&q.id).map(|a| a.by.clone()).unwrap_or_default(),
        })
        .collect();
    let verdict = kind
        .and_then(|k| profile.document(k))
        .map(|d| {
            let v =
                crate::domain::guidance::verdict(questions.iter().map(|q| q.id.as_str()), |q| {
                    latest(q).and_then(|a| a.answer.parse().ok())
                });
            d.verdict.text(v).get(lang).to_string()
        })
        .unwrap_or_default();
    let acknowledged = r.acknowledgements.iter().any(|a| a.by == v.user);
    let document = profile.document_label(r.document_kind.as_deref(), lang);
    let acks = r
        .acknowledgements
        .iter()
        .map(|a| {
            let how = crate::app::timeline::ack_how(a.role, a.via, lang);
            (a.by.clone(), how, a.at.clone())
        })
        .collect();
    let timeline = r
        .timeline
        .iter()
        .map(|t| {
            (
                at(&t.at),
                t.kind.clone(),
                crate::app::timeline::line(profile, &t.line, lang),
            )
        })
        .collect();
    let notifications = r
        .notifications
        .iter()
        .map(|n| {
            let sent = n.sent_at.as_deref().map(at).unwrap_or_default();
            (
                format!(
                    "{} · {} {} · {}",
                    crate::domain::catalogue::noted(
                        &n.contact,
                        &crate::app::timeline::role_token(&n.role, lang),
                        lang
                    ),
                    c.w.tier,
                    n.tier,
                    crate::app::timeline::channel_token(&n.channel, lang)
                ),
                sent,
                n.last_error.clone().unwrap_or_default(),
            )
        })
        .collect();
    let decided = r
        .decided
        .as_ref()
        .map(|d| format!("{} · {}", d.by, at(&d.at)))
        .unwrap_or_default();
    let outcome = r
        .outcome
        .as_deref()
        .map(|o| profile.outcome_label(o, lang))
        .unwrap_or_default();
    let basis = r
        .decision_basis
        .as_deref()
        .map(|b| c.w.basis(b).unwrap_or(b).to_string())
        .unwrap_or_default();
    let page = EncounterPage {
        basis,
        answers: [
            ("yes", c.w.answer_yes),
            ("no", c.w.answer_no),
            ("unclear", c.w.answer_unclear),
        ],
        verdict,
        acknowledged,
        outcome,
        opened: at(&r.opened_at),
        closed: r.closed_at.as_deref().map(at).unwrap_or_default(),
        c,
        document,
        checklist,
        acks,
        via: crate::app::timeline::via_token(&r.via, lang),
        timeline,
        notifications,
        decided,
        base: frame.base,
        city: frame.city,
        notice: frame.notice,
        purged_note,
        r,
    };
    render(StatusCode::OK, &page)
}

/// GET /encounters/{id}/pages/{number}: the image, decrypted for this
/// response only and never stored by the browser.
pub async fn page_image(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, number)): Path<(String, u32)>,
) -> Response {
    let rec = match load(&state, &id).await {
        Ok(r) => r,
        Err(e) => return v.error(e),
    };
    let Some(page) = rec.pages.iter().find(|p| p.number == number).cloned() else {
        return v.error(WebError::NotFound);
    };
    if rec.purged {
        return v.error(WebError::NotFound);
    }
    if let Err(e) = journal_view(&state, &v, &id, Viewing::Page, Some(number), None).await {
        return v.error(e);
    }
    let page_id = page.id.clone();
    let bytes = match state.call(move |desk| Ok(desk.page_image(&page_id)?)).await {
        Ok(b) => b,
        Err(e) => return v.error(e),
    };
    let media = if page.media == "image/png" {
        "image/png"
    } else {
        "image/jpeg"
    };
    let ext = if media == "image/png" { "png" } else { "jpg" };
    (
        StatusCode::OK,
        no_store(),
        [
            (CONTENT_TYPE, media.to_string()),
            (
                CONTENT_DISPOSITION,
                format!("inline; filename=\"{id}-page-{number}.{ext}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}
