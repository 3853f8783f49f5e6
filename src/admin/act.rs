//! Counsel and managers acting on an encounter from the admin web (a phone
//! is enough): acknowledge, send an instruction to the desk, add a note,
//! answer checklist questions. Each is recorded under the account's name
//! with `web` as the way it came, and shows on the kiosk's staff screen at
//! its next refresh (every half second). The staff PIN is never involved.

use super::auth::Viewer;
use super::encounter::must_exist;
use super::AppState;
use crate::app::holds::{HoldRefused, HoldTarget};
use crate::app::{AppError, TextKind};
use crate::config::Role;
use crate::domain::account::AccountRole;
use crate::domain::encounter::{ChecklistAnswer, RuleRefused, Via};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;

/// What a form on the encounter page sends.
#[derive(serde::Deserialize)]
pub struct ActForm {
    pub csrf: String,
    /// The instruction or note (instruction and note forms).
    #[serde(default)]
    pub text: String,
    /// The checklist question and its answer (checklist forms).
    #[serde(default)]
    pub item: String,
    #[serde(default)]
    pub answer: String,
}

/// The role an account acts in on an encounter: counsel accounts answer
/// for counsel (their acknowledgement stops the escalation and satisfies
/// the counsel rule), managers as managers.
pub fn acting_role(role: AccountRole) -> Option<Role> {
    match role {
        AccountRole::Counsel => Some(Role::Counsel),
        AccountRole::Manager => Some(Role::Manager),
        AccountRole::Staff | AccountRole::City => None,
    }
}

/// Text typed into a box on a phone: line breaks and tabs become spaces
/// (the record keeps one line per instruction or note).
pub fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_control())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// POST /encounters/{id}/acknowledge
pub async fn acknowledge(
    state: State<AppState>,
    v: Viewer,
    id: Path<String>,
    form: Form<ActForm>,
) -> Response {
    act(state, v, id, form, Action::Acknowledge).await
}

/// POST /encounters/{id}/instruction
pub async fn instruction(
    state: State<AppState>,
    v: Viewer,
    id: Path<String>,
    form: Form<ActForm>,
) -> Response {
    act(
        state,
        v,
        id,
        form,
        Action::Text(TextKind::CounselInstruction),
    )
    .await
}

/// POST /encounters/{id}/note
pub async fn note(
    state: State<AppState>,
    v: Viewer,
    id: Path<String>,
    form: Form<ActForm>,
) -> Response {
    act(state, v, id, form, Action::Text(TextKind::Note)).await
}

/// POST /encounters/{id}/checklist
pub async fn checklist(
    state: State<AppState>,
    v: Viewer,
    id: Path<String>,
    form: Form<ActForm>,
) -> Response {
    act(state, v, id, form, Action::Checklist).await
}

/// POST /encounters/{id}/hold: a legal hold on this encounter, with the
/// reason typed.
pub async fn hold(
    state: State<AppState>,
    v: Viewer,
    id: Path<String>,
    form: Form<ActForm>,
) -> Response {
    act(state, v, id, form, Action::Hold).await
}

/// POST /encounters/{id}/release: release the hold named in `item`.
pub async fn release(
    state: State<AppState>,
    v: Viewer,
    id: Path<String>,
    form: Form<ActForm>,
) -> Response {
    act(state, v, id, form, Action::Release).await
}

#[derive(Clone, Copy)]
enum Action {
    Acknowledge,
    Text(TextKind),
    Checklist,
    Hold,
    Release,
}

async fn act(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Form(f): Form<ActForm>,
    action: Action,
) -> Response {
    if let Some(refused) = v.csrf_refusal(&f.csrf) {
        return refused;
    }
    if let Err(e) = must_exist(&state, &id).await {
        return v.error(e);
    }
    let w = v.chrome.w;
    let answer = match action {
        Action::Checklist => match f.answer.parse::<ChecklistAnswer>() {
            Ok(a) => Some(a),
            Err(_) => {
                return v.chrome.clone().message(
                    StatusCode::BAD_REQUEST,
                    w.bad_request,
                    w.pick_an_answer,
                )
            }
        },
        _ => None,
    };
    let (by, role, encounter) = (v.user.clone(), acting_role(v.role), id.clone());
    let text = one_line(&f.text);
    let item = f.item.clone();
    let done = state
        .call(move |desk| {
            Ok(match action {
                Action::Acknowledge => desk.acknowledge_as(&encounter, &by, role, Via::Web),
                Action::Text(kind) => desk.add_text(&encounter, kind, &text, &by),
                Action::Checklist => desk.answer_checklist(
                    &encounter,
                    &item,
                    answer.unwrap_or(ChecklistAnswer::Unclear),
                    &by,
                ),
                Action::Hold => desk
                    .place_hold(HoldTarget::Encounter(encounter.clone()), &text, &by)
                    .map(|_| ()),
                Action::Release => desk.release_hold(&item, &by),
            })
        })
        .await;
    let refusal = match done {
        Err(e) => return v.error(e),
        Ok(Ok(())) => None,
        Ok(Err(AppError::Rule(RuleRefused::Closed))) => {
            Some((StatusCode::CONFLICT, w.encounter_closed))
        }
        Ok(Err(AppError::Empty { .. })) => Some((StatusCode::BAD_REQUEST, w.write_something)),
        Ok(Err(AppError::Details(_))) => Some((StatusCode::BAD_REQUEST, w.text_too_long)),
        Ok(Err(AppError::UnknownChecklistItem { .. })) => {
            Some((StatusCode::BAD_REQUEST, w.unknown_question))
        }
        Ok(Err(AppError::Hold(HoldRefused::ReasonTooLong))) => {
            Some((StatusCode::BAD_REQUEST, w.text_too_long))
        }
        Ok(Err(AppError::Hold(_))) => Some((StatusCode::CONFLICT, w.bad_request)),
        Ok(Err(e)) => return v.error(e.into()),
    };
    if let Some((status, text)) = refusal {
        return v.chrome.clone().message(status, w.not_recorded, text);
    }
    let what = match action {
        Action::Acknowledge => "acknowledged",
        Action::Text(TextKind::CounselInstruction) => "sent an instruction to the desk",
        Action::Text(TextKind::Note) => "added a note",
        Action::Checklist => "answered a checklist question",
        Action::Hold => "placed a legal hold",
        Action::Release => "released a legal hold",
    };
    tracing::info!(encounter = %id, by = %v.user, "{what} on the admin web");
    let anchor = match action {
        Action::Acknowledge => "acknowledgements",
        Action::Text(TextKind::CounselInstruction) => "instructions",
        Action::Text(TextKind::Note) => "notes",
        Action::Checklist => "checklist",
        Action::Hold | Action::Release => "hold",
    };
    Redirect::to(&format!("/encounters/{id}#{anchor}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn typed_text_keeps_one_line() {
        assert_eq!(
            one_line("Do not consent.\r\n\r\nAsk them to wait\tin the lobby. "),
            "Do not consent. Ask them to wait in the lobby."
        );
        assert_eq!(one_line(" \n "), "");
    }
}
