//! An encounter of any facility on the city's web: the same page as on
//! the facility's admin web (its record rebuilt from the hub's copy, the
//! page images opened from the hub's sealed copy), and counsel acting on
//! it. An action becomes a command signed by the hub; the kiosk takes it
//! within seconds when it is online, later otherwise, and the page says
//! which. Every view and action is journaled on the hub before it is
//! shown or sent; the kiosk journals the action once it applies it.

use super::City;
use crate::admin::act::{acting_role, one_line, ActForm};
use crate::admin::auth::Viewer;
use crate::admin::chrome::{local_minute, no_store, WebError};
use crate::admin::encounter::{plausible_id, Frame};
use crate::app::city_words::CityWords;
use crate::app::held_copy::{self, CopiedEntry};
use crate::app::records::EncounterRecord;
use crate::domain::catalogue::fill;
use crate::domain::shipping::command::Action;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use std::collections::HashMap;

/// The refusal when `v` may not read facility `facility`'s encounters:
/// the city role never, a scoped account outside its facilities.
pub fn refusal(v: &Viewer, facility: &str) -> Option<Response> {
    let (w, cw) = (v.chrome.w, CityWords::get(v.chrome.lang));
    if !v.role.may_review() {
        return Some(v.chrome.clone().message(
            StatusCode::FORBIDDEN,
            w.refused,
            cw.city_scope_note,
        ));
    }
    if !v.scope.covers(facility) {
        let text = fill(cw.not_in_scope, &[("facility", &facility)]);
        return Some(
            v.chrome
                .clone()
                .message(StatusCode::FORBIDDEN, w.refused, &text),
        );
    }
    None
}

/// Encounter `id` of `facility` from the hub's copy, or NotFound.
async fn load(city: &City, facility: &str, id: &str) -> Result<EncounterRecord, WebError> {
    if !plausible_id(id) {
        return Err(WebError::NotFound);
    }
    let c = city.pool.get().await.map_err(|e| super::db(e.into()))?;
    let rows = c
        .query(
            "SELECT seq, at, kind, body FROM entries
             WHERE facility = $1 AND ((subject = $2 AND kind <> 'checkin.recorded')
                OR (kind = 'retention.purged' AND body::jsonb -> 'encounters' ? $2))
             ORDER BY seq",
            &[&facility, &id],
        )
        .await
        .map_err(|e| super::db(e.into()))?;
    let entries: Vec<CopiedEntry> = rows
        .iter()
        .map(|r| CopiedEntry {
            seq: r.get(0),
            at: r.get(1),
            kind: r.get(2),
            body: r.get(3),
        })
        .collect();
    let ids = held_copy::vault_ids(&entries);
    let sealed = c
        .query(
            "SELECT id, sealed FROM vault WHERE facility = $1 AND id = ANY($2)",
            &[&facility, &ids],
        )
        .await
        .map_err(|e| super::db(e.into()))?;
    let values: HashMap<i64, (Vec<u8>, String)> = sealed
        .iter()
        .filter_map(|r| {
            let id: i64 = r.get(0);
            let sealed: Vec<u8> = r.get(1);
            Some((id, city.hub.data.open_value(facility, id, &sealed)?))
        })
        .collect();
    let mut rec =
        held_copy::encounter(facility, id, entries, &values)?.ok_or(WebError::NotFound)?;
    // The hub's own retention purged its copy (no purge came from the kiosk).
    rec.purged |= crate::hub::retention::purged_here(&city.pool, facility, id)
        .await
        .map_err(super::db)?
        .is_some();
    Ok(rec)
}

/// Journal `action` by `v` on encounter `id` of `facility`.
async fn journal(
    city: &City,
    v: &Viewer,
    action: &str,
    facility: &str,
    id: &str,
    detail: Option<String>,
) -> Result<(), WebError> {
    let a = super::accounts::Audit {
        user: &v.user,
        role: v.role.token(),
        action,
        facility: Some(facility),
        encounter: Some(id),
        detail,
    };
    super::accounts::audit(&city.pool, a)
        .await
        .map_err(super::db)
}

/// What the page says above the actions: what became of each command this
/// account sent about the encounter, and whether the kiosk is in reach.
async fn notices(
    city: &City,
    v: &Viewer,
    facility: &str,
    id: &str,
) -> Result<Vec<String>, WebError> {
    let cw = CityWords::get(v.chrome.lang);
    let c = city.pool.get().await.map_err(|e| super::db(e.into()))?;
    let rows = c
        .query(
            "SELECT action, issued_at, delivered_at IS NOT NULL, outcome FROM commands
             WHERE facility = $1 AND encounter = $2 AND by_account = $3
             ORDER BY id",
            &[&facility, &id, &v.user],
        )
        .await
        .map_err(|e| super::db(e.into()))?;
    let mut out = Vec::new();
    for r in &rows {
        let action = match r.get::<_, String>(0).as_str() {
            "acknowledge" => cw.action_acknowledge,
            "instruct" => cw.action_instruct,
            "note" => cw.action_note,
            _ => cw.action_checklist,
        };
        let time = local_minute(city, &r.get::<_, String>(1));
        let outcome: Option<String> = r.get(3);
        let text = match outcome {
            Some(done) if done == "applied" => cw.command_applied.to_string(),
            Some(reason) => cw.command_refused.replace("{reason}", &reason),
            None if r.get::<_, bool>(2) => cw.command_delivered.to_string(),
            None => cw.command_waiting.to_string(),
        };
        out.push(fill(&text, &[("action", &action), ("time", &time)]));
    }
    let age: Option<Option<i64>> = c
        .query_opt(
            "SELECT extract(epoch FROM now() - h.received_at)::bigint
             FROM facilities f LEFT JOIN heartbeats h ON h.facility = f.id WHERE f.id = $1",
            &[&facility],
        )
        .await
        .map_err(|e| super::db(e.into()))?
        .map(|r| r.get(0));
    match age.flatten() {
        None => out.push(cw.kiosk_never.to_string()),
        Some(a) if a >= super::dashboard::SILENT_AFTER_S => {
            out.push(fill(cw.kiosk_away, &[("minutes", &(a / 60))]));
        }
        Some(_) => {}
    }
    Ok(out)
}

/// When the hub's own retention purged the encounter (no purge came from
/// its kiosk), the page says so, with the day and the period.
async fn purged_note(
    city: &City,
    v: &Viewer,
    facility: &str,
    id: &str,
) -> Result<Option<String>, WebError> {
    let purged = crate::hub::retention::purged_here(&city.pool, facility, id)
        .await
        .map_err(super::db)?;
    Ok(purged.map(|(at, years)| {
        let day = at.with_timezone(&city.timezone).format("%Y-%m-%d");
        fill(
            CityWords::get(v.chrome.lang).hub_purged,
            &[("date", &day), ("years", &years)],
        )
    }))
}

/// GET /facilities/{facility}/encounters/{id}.
pub async fn show(
    State(city): State<City>,
    v: Viewer,
    Path((facility, id)): Path<(String, String)>,
) -> Response {
    if let Some(refused) = refusal(&v, &facility) {
        return refused;
    }
    if let Err(e) = load(&city, &facility, &id).await {
        return v.error(e);
    }
    if let Err(e) = journal(&city, &v, "viewed-encounter", &facility, &id, None).await {
        return v.error(e);
    }
    let (r, notice, purged) = match tokio::try_join!(
        load(&city, &facility, &id),
        notices(&city, &v, &facility, &id),
        purged_note(&city, &v, &facility, &id)
    ) {
        Ok(x) => x,
        Err(e) => return v.error(e),
    };
    let frame = Frame {
        base: format!("/facilities/{facility}/encounters/{id}"),
        tz: city.timezone,
        profile: &city.profile,
        city: true,
        notice,
        purged_note: purged,
    };
    crate::admin::encounter::page(&v, r, frame)
}

/// GET /facilities/{facility}/encounters/{id}/pages/{number}: the image,
/// opened from the hub's sealed copy for this response only.
pub async fn page_image(
    State(city): State<City>,
    v: Viewer,
    Path((facility, id, number)): Path<(String, String, u32)>,
) -> Response {
    if let Some(refused) = refusal(&v, &facility) {
        return refused;
    }
    let rec = match load(&city, &facility, &id).await {
        Ok(r) => r,
        Err(e) => return v.error(e),
    };
    let Some(page) = rec.pages.iter().find(|p| p.number == number).cloned() else {
        return v.error(WebError::NotFound);
    };
    if rec.purged {
        return v.error(WebError::NotFound);
    }
    let detail = Some(format!("page {number}"));
    if let Err(e) = journal(&city, &v, "viewed-page", &facility, &id, detail).await {
        return v.error(e);
    }
    let sealed = match city.pool.get().await {
        Ok(c) => c
            .query_opt(
                "SELECT sealed FROM pages WHERE facility = $1 AND id = $2",
                &[&facility, &page.id],
            )
            .await
            .map(|r| r.map(|r| r.get::<_, Vec<u8>>(0))),
        Err(e) => return v.error(super::db(e.into())),
    };
    let image = match sealed {
        Ok(Some(s)) => city.hub.data.open_page(&facility, &page.id, &s),
        Ok(None) => None,
        Err(e) => return v.error(super::db(e.into())),
    };
    let Some(image) = image else {
        let (w, cw) = (v.chrome.w, CityWords::get(v.chrome.lang));
        return v
            .chrome
            .clone()
            .message(StatusCode::NOT_FOUND, w.not_found, cw.page_not_here);
    };
    let (media, ext) = if page.media == "image/png" {
        ("image/png", "png")
    } else {
        ("image/jpeg", "jpg")
    };
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
        image,
    )
        .into_response()
}

/// POST /facilities/{facility}/encounters/{id}/{acknowledge|instruction|note|checklist}:
/// a command to the facility's kiosk, signed by the hub, journaled here
/// first.
pub async fn act(
    State(city): State<City>,
    v: Viewer,
    Path((facility, id, what)): Path<(String, String, String)>,
    Form(f): Form<ActForm>,
) -> Response {
    if let Some(refused) = v.csrf_refusal(&f.csrf) {
        return refused;
    }
    if let Some(refused) = refusal(&v, &facility) {
        return refused;
    }
    let w = v.chrome.w;
    let refuse = |text: &str| {
        v.chrome
            .clone()
            .message(StatusCode::BAD_REQUEST, w.not_recorded, text)
    };
    let text = one_line(&f.text);
    let (action, anchor) = match what.as_str() {
        "acknowledge" => (Action::Acknowledge, "act"),
        "instruction" | "note" if text.is_empty() => return refuse(w.write_something),
        "instruction" | "note"
            if text.chars().count() > crate::domain::encounter::MAX_TEXT_CHARS =>
        {
            return refuse(w.text_too_long)
        }
        "instruction" => (Action::Instruct { text }, "act"),
        "note" => (Action::Note { text }, "notes"),
        "checklist" => {
            let Ok(answer) = f.answer.parse() else {
                return refuse(w.pick_an_answer);
            };
            if city.profile.checklist_item(&f.item).is_none() {
                return refuse(w.unknown_question);
            }
            (
                Action::Checklist {
                    item: f.item.clone(),
                    answer,
                },
                "checklist",
            )
        }
        _ => return v.error(WebError::NotFound),
    };
    let rec = match load(&city, &facility, &id).await {
        Ok(r) => r,
        Err(e) => return v.error(e),
    };
    if rec.closed_at.is_some() {
        return v
            .chrome
            .clone()
            .message(StatusCode::CONFLICT, w.not_recorded, w.encounter_closed);
    }
    if let Err(e) = journal(&city, &v, action.token(), &facility, &id, None).await {
        return v.error(e);
    }
    let order = super::super::commands::Order {
        facility: &facility,
        encounter: &id,
        action,
        by: &v.user,
        role: acting_role(v.role),
    };
    let h = &city.hub;
    if let Err(e) = super::super::commands::issue(&h.pool, &h.key, &h.data, order).await {
        return v.error(super::db(e));
    }
    h.issued.notify_waiters();
    Redirect::to(&format!("/facilities/{facility}/encounters/{id}#{anchor}")).into_response()
}

/// GET /facilities/{facility}/encounters/{id}/report.pdf: the report for
/// counsel's file, as the kiosk makes it, from the hub's copy and signed
/// with the hub's key; a page whose image has not arrived says so.
pub async fn report(
    State(city): State<City>,
    v: Viewer,
    Path((facility, id)): Path<(String, String)>,
) -> Response {
    if let Some(refused) = refusal(&v, &facility) {
        return refused;
    }
    let r = match load(&city, &facility, &id).await {
        Ok(r) => r,
        Err(e) => return v.error(e),
    };
    if let Err(e) = journal(&city, &v, "exported-report", &facility, &id, None).await {
        return v.error(e);
    }
    let (lang, cw) = (v.chrome.lang, CityWords::get(v.chrome.lang));
    let last_seq = r.timeline.last().map_or(0, |t| t.seq);
    let found = async {
        let c = city.pool.get().await?;
        let head = c
            .query_one(
                "SELECT head_seq, head_hash FROM facilities WHERE id = $1",
                &[&facility],
            )
            .await?;
        let last = c
            .query_opt(
                "SELECT hash FROM entries WHERE facility = $1 AND seq = $2",
                &[&facility, &last_seq],
            )
            .await?;
        let ids: Vec<String> = r.pages.iter().map(|p| p.id.clone()).collect();
        let pages = c
            .query(
                "SELECT id, sealed FROM pages WHERE facility = $1 AND id = ANY($2)",
                &[&facility, &ids],
            )
            .await?;
        Ok::<_, super::DbError>((
            (
                head.get::<_, i64>(0),
                hex::encode(head.get::<_, Vec<u8>>(1)),
            ),
            last.map(|l| hex::encode(l.get::<_, Vec<u8>>(0)))
                .unwrap_or_default(),
            pages
                .iter()
                .map(|p| (p.get::<_, String>(0), p.get::<_, Vec<u8>>(1)))
                .collect::<HashMap<String, Vec<u8>>>(),
        ))
    };
    let ((head_seq, head_hex), last_hex, sealed) = match found.await {
        Ok(x) => x,
        Err(e) => return v.error(super::db(e)),
    };
    let created = crate::app::records::timestamp(chrono::Utc::now());
    // What it signs: the hub's copy of the facility's record up to its
    // head, the encounter's last entry in it, and when it was made.
    let statement = crate::app::report::statement_as(
        "threshold-hub-report/1",
        &facility,
        &id,
        (last_seq, &last_hex),
        (head_seq, &head_hex),
        &created,
    );
    let key = &city.hub.key;
    let integrity = crate::app::report::Integrity {
        head: format!("#{head_seq} {head_hex}"),
        key_label: cw.hub_key.to_string(),
        key_hex: key.public_hex(),
        fingerprint: key.fingerprint(),
        signature: key.sign(&statement),
        statement,
        checks: vec![
            cw.hub_check_signature.to_string(),
            cw.hub_check_head.replace("FACILITY", &facility),
        ],
    };
    let (city2, who, f2) = (city.clone(), v.user.clone(), facility.clone());
    let made = tokio::task::spawn_blocking(move || {
        let data = &city2.hub.data;
        let mut image = |p: &crate::app::records::PageView| {
            sealed
                .get(&p.id)
                .and_then(|s| data.open_page(&f2, &p.id, s))
                .ok_or(crate::app::report::ReportError::PageMissing(p.number))
        };
        crate::app::report::render(
            crate::app::report::Basis {
                record: r,
                facility_name: &f2,
                facility_id: &f2,
                profile: &city2.profile,
                paper: crate::render::pdf::Paper::Letter,
                tz: city2.timezone,
                created,
                integrity,
                image: &mut image,
            },
            lang,
            &who,
        )
    })
    .await;
    let pdf = match made {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => {
            return v.error(WebError::Database(format!(
                "the report could not be made: {e}"
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
                format!("inline; filename=\"{facility}-{id}-report.pdf\""),
            ),
        ],
        pdf,
    )
        .into_response()
}
