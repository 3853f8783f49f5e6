//! `/ack/{token}`: the signed one-time acknowledge link.
//!
//! Opening the link (GET) only shows what it acknowledges and a button:
//! chat apps and mail scanners fetch links by themselves, and must not
//! acknowledge for anyone. The button (POST) records the acknowledgement.
//! A forged, expired or already used link is refused with a page saying
//! what to do instead, and changes nothing.

use super::chrome::render;
use super::page::ack_texts;
use super::AppState;
use crate::alerts::ack_link::{check, Claim, LinkRefused};
use crate::app::AppError;
use crate::domain::encounter::RuleRefused;
use crate::domain::language::Language;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};

/// A piece of a paragraph: text (escaped by the template) or a reference.
pub enum Part {
    Text(String),
    Ref(String),
}

/// A paragraph of an acknowledge page.
pub struct Para {
    pub lang: Option<&'static str>,
    pub strong: Option<String>,
    pub parts: Vec<Part>,
}

#[derive(Template)]
#[template(path = "ack.html")]
struct AckPage {
    lang: &'static str,
    title: String,
    paragraphs: Vec<Para>,
    button: Option<String>,
    /// A link on (href, text).
    next: Option<(String, String)>,
}

fn show(status: StatusCode, lang: Language, title: &str, paragraphs: Vec<Para>) -> Response {
    render(
        status,
        &AckPage {
            lang: lang.code(),
            title: title.to_string(),
            paragraphs,
            button: None,
            next: None,
        },
    )
}

fn local_time(state: &AppState, at: DateTime<Utc>) -> String {
    let tz = state.loaded.timezone();
    at.with_timezone(&tz)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// `text` with `{facility}`, `{time}`, `{name}` and `{id}` filled in, as
/// parts the template escapes.
fn fill(text: &str, state: &AppState, claim: Option<&Claim>, time: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        let value = match &rest[open + 1..close] {
            "facility" => Some(Part::Text(state.loaded.config.facility.name.clone())),
            "time" => Some(Part::Text(time.to_string())),
            "name" => claim.map(|c| Part::Text(acknowledger(c))),
            "id" => claim.map(|c| Part::Ref(c.encounter.clone())),
            _ => None,
        };
        match value {
            Some(v) => {
                parts.push(Part::Text(rest[..open].to_string()));
                parts.push(v);
            }
            None => parts.push(Part::Text(rest[..=close].to_string())),
        }
        rest = &rest[close + 1..];
    }
    parts.push(Part::Text(rest.to_string()));
    parts
}

/// Who a link acknowledges as: its contact, or, for a link posted to a
/// shared channel, whoever in that channel pressed it.
fn acknowledger(claim: &Claim) -> String {
    if claim.shared {
        crate::domain::encounter::in_channel_of(&claim.contact)
    } else {
        claim.contact.clone()
    }
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
    let paragraphs = Language::ALL
        .iter()
        .map(|l| {
            let (title, text) = pick(ack_texts(*l));
            Para {
                lang: Some(l.code()),
                strong: Some(title.to_string()),
                parts: fill(text, state, None, &at),
            }
        })
        .collect();
    show(
        status,
        Language::English,
        pick(ack_texts(Language::English)).0,
        paragraphs,
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
        let para = Para {
            lang: None,
            strong: None,
            parts: fill(text, state, Some(claim), time),
        };
        show(status, lang, title, vec![para])
    };
    match result {
        Ok(()) => render(
            StatusCode::OK,
            &AckPage {
                lang: lang.code(),
                title: t.done_title.to_string(),
                paragraphs: vec![Para {
                    lang: None,
                    strong: None,
                    parts: fill(
                        t.done_body,
                        state,
                        Some(claim),
                        &local_time(state, Utc::now()),
                    ),
                }],
                button: None,
                next: Some((
                    format!("/encounters/{}", claim.encounter),
                    t.open_record.to_string(),
                )),
            },
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
    render(
        StatusCode::OK,
        &AckPage {
            lang: lang.code(),
            title: t.confirm_title.to_string(),
            paragraphs: vec![Para {
                lang: None,
                strong: None,
                parts: fill(t.confirm_body, &state, Some(&claim), ""),
            }],
            button: Some(t.button.to_string()),
            next: None,
        },
    )
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
