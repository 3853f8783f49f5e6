//! `/ack/{token}`: the signed one-time acknowledge link.
//!
//! Opening the link (GET) only shows what it acknowledges and a button:
//! chat apps and mail scanners fetch links by themselves, and must not
//! acknowledge for anyone. The button (POST) records the acknowledgement.
//! A forged, expired or already used link is refused with a page saying
//! what to do instead, and changes nothing.

use super::page::{ack_texts, escape, page};
use super::AppState;
use crate::alerts::ack_link::{check, Claim, LinkRefused};
use crate::app::AppError;
use crate::domain::encounter::RuleRefused;
use crate::domain::language::Language;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};

fn local_time(state: &AppState, at: DateTime<Utc>) -> String {
    let tz = state.loaded.timezone();
    at.with_timezone(&tz)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

fn fill(s: &str, state: &AppState, claim: Option<&Claim>, time: &str) -> String {
    let mut out = s
        .replace("{facility}", &state.loaded.config.facility.name)
        .replace("{time}", time);
    if let Some(c) = claim {
        out = out
            .replace(
                "{id}",
                &format!("<span class=\"ref\">{}</span>", escape(&c.encounter)),
            )
            .replace("{name}", &c.contact);
    }
    out
}

/// A refusal page. A refused link is not trusted to say whose it is, so the
/// page speaks every language.
fn refused(state: &AppState, why: &LinkRefused) -> Response {
    let (status, at) = match why {
        LinkRefused::Forged => (StatusCode::FORBIDDEN, String::new()),
        LinkRefused::Expired(at) => (StatusCode::GONE, local_time(state, *at)),
    };
    let pick = |t: &super::page::AckTexts| match why {
        LinkRefused::Forged => (t.forged_title, t.forged_body),
        LinkRefused::Expired(_) => (t.expired_title, t.expired_body),
    };
    let body: String = Language::ALL
        .iter()
        .map(|l| {
            let (title, text) = pick(&ack_texts(*l));
            format!(
                "<p lang=\"{}\"><strong>{}</strong>. {}</p>",
                l.code(),
                escape(title),
                escape(&fill(text, state, None, &at))
            )
        })
        .collect();
    page(
        status,
        Language::English,
        pick(&ack_texts(Language::English)).0,
        &body,
    )
}

/// The link's claim and the contact's language, or why it is refused.
fn examine(state: &AppState, token: &str) -> Result<(Claim, Language), LinkRefused> {
    let claim = check(&state.ack, token, Utc::now())?;
    let lang = state
        .loaded
        .contact(&claim.contact)
        .and_then(|c| c.language)
        .unwrap_or(Language::English);
    Ok((claim, lang))
}

fn outcome_page(
    state: &AppState,
    claim: &Claim,
    lang: Language,
    result: Result<(), AppError>,
) -> Response {
    let t = ack_texts(lang);
    let p = |status, title: &str, text: &str, time: &str| {
        page(
            status,
            lang,
            title,
            &format!("<p>{}</p>", fill(&escape(text), state, Some(claim), time)),
        )
    };
    match result {
        Ok(()) => p(
            StatusCode::OK,
            t.done_title,
            t.done_body,
            &local_time(state, Utc::now()),
        ),
        Err(AppError::LinkUsed { at }) => {
            let at = DateTime::parse_from_rfc3339(&at)
                .map_or(at.clone(), |t| local_time(state, t.with_timezone(&Utc)));
            p(StatusCode::CONFLICT, t.used_title, t.used_body, &at)
        }
        Err(AppError::Rule(RuleRefused::Closed)) | Err(AppError::UnknownEncounter(_)) => {
            p(StatusCode::CONFLICT, t.closed_title, t.closed_body, "")
        }
        Err(e) => {
            tracing::error!(error = %e, encounter = %claim.encounter, "an acknowledge link could not be recorded");
            p(
                StatusCode::SERVICE_UNAVAILABLE,
                t.failed_title,
                t.failed_body,
                "",
            )
        }
    }
}

/// GET: what the link acknowledges, and the button.
pub async fn confirm(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let (claim, lang) = match examine(&state, &token) {
        Ok(x) => x,
        Err(why) => return refused(&state, &why),
    };
    let desk = state.desk.clone();
    let (c, link) = (claim.encounter.clone(), claim.link.clone());
    let status = tokio::task::spawn_blocking(move || desk.link_status(&c, &link))
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
    if let Err(e) = status {
        return outcome_page(&state, &claim, lang, Err(e));
    }
    let t = ack_texts(lang);
    let body = format!(
        "<p>{}</p><form method=\"post\"><button type=\"submit\">{}</button></form>",
        fill(&escape(t.confirm_body), &state, Some(&claim), ""),
        escape(t.button)
    );
    page(StatusCode::OK, lang, t.confirm_title, &body)
}

/// POST: record the acknowledgement, once.
pub async fn acknowledge(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let (claim, lang) = match examine(&state, &token) {
        Ok(x) => x,
        Err(why) => return refused(&state, &why),
    };
    let desk = state.desk.clone();
    let c = claim.clone();
    let result = tokio::task::spawn_blocking(move || desk.acknowledge_link(&c).map(|_| ()))
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
    outcome_page(&state, &claim, lang, result)
}
