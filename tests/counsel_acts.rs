//! Counsel acts from the admin web, as from a phone: acknowledge, send an
//! instruction to the desk, add a note, answer checklist questions beside
//! the page images. Each is recorded under the account's name; the
//! instruction is on the kiosk's staff screen at its next view; staff
//! accounts, forged forms and closed encounters are refused.
#![cfg(feature = "simulate")]

mod common;

use axum::http::StatusCode;
use common::admin::*;
use std::time::Instant;
use threshold::app::kiosk::{Action, DemoSource, KioskDesk, Session};
use threshold::domain::document::DocumentKind;
use threshold::domain::encounter::{DocumentDetails, EncounterDetails, PageKind, Via};

/// The staff screen at the desk: Dana signed in, the encounter open.
fn staff_screen(w: &AdminWorld, id: &str) -> threshold::app::kiosk::View {
    let mut desk = w.state.desk.clone();
    let t = Instant::now();
    let mut s = Session::new(desk.loaded(), Box::new(DemoSource::default()), t);
    s.handle(&mut desk, Action::OpenStaff, t);
    for d in [1, 2, 3, 4] {
        s.handle(&mut desk, Action::PinDigit(d), t);
    }
    s.handle(&mut desk, Action::PinEnter, t);
    s.handle(&mut desk, Action::StaffOpen(id.to_string()), t);
    s.view(&desk)
}

/// A second encounter, with a judicial search warrant.
fn search_warrant(w: &AdminWorld) -> String {
    let details = EncounterDetails {
        officers: vec!["Ana Ruiz;4471;HSI".parse().unwrap()],
        supervisor: None,
        purpose: None,
        sought: None,
        area: None,
        exigent: false,
        document_kind: DocumentKind::JudicialSearchWarrant,
        document: DocumentDetails::default(),
    };
    w.state
        .desk
        .check_in_official(None, Via::Kiosk, false, details, &[page(3)])
        .unwrap()
}

#[tokio::test]
async fn counsel_acknowledges_and_instructs_the_desk_from_the_encounter_page() {
    let w = AdminWorld::new();
    let app = w.app();
    let carl = session(&app, "carl").await;
    let id = &w.encounter;
    let page = send(&app, get(&format!("/encounters/{id}"), Some(&carl)))
        .await
        .text();
    // What the desk is told, and the forms.
    assert!(page.contains("Not a judicial warrant"), "{page}");
    assert!(page.contains(&format!("action=\"/encounters/{id}/acknowledge\"")));
    assert!(page.contains(&format!("action=\"/encounters/{id}/instruction\"")));
    let csrf = csrf_of(&page);

    let r = send(
        &app,
        post(
            &format!("/encounters/{id}/acknowledge"),
            Some(&carl),
            &[("csrf", &csrf)],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.location(), format!("/encounters/{id}#acknowledgements"));
    let rec = w.state.desk.encounter(id).unwrap();
    let ack = rec.acknowledgements.last().unwrap();
    assert_eq!(ack.by, "carl");
    assert_eq!(
        (ack.role, ack.via),
        (
            Some(threshold::domain::role::Role::Counsel),
            threshold::domain::encounter::Via::Web
        )
    );
    let row = w.state.desk.encounters(true).unwrap();
    assert!(
        row.iter()
            .any(|r| r.id == *id && r.counsel_acknowledged_at.is_some()),
        "a counsel account's acknowledgement is counsel's"
    );

    // Typed on a phone, with a line break.
    let r = send(
        &app,
        post(
            &format!("/encounters/{id}/instruction"),
            Some(&carl),
            &[
                ("csrf", &csrf),
                ("text", "Do not consent.\r\nAsk them to wait in the lobby."),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let rec = w.state.desk.encounter(id).unwrap();
    let said = rec.counsel_instructions.last().unwrap();
    assert_eq!(said.by, "carl", "counsel is the author");
    assert_eq!(said.text, "Do not consent. Ask them to wait in the lobby.");
    // The staff screen at the desk shows it, with who sent it.
    let v = staff_screen(&w, id);
    assert!(
        v.instructions
            .iter()
            .any(|l| l.ends_with("carl: Do not consent. Ask them to wait in the lobby.")),
        "{:?}",
        v.instructions
    );

    let r = send(
        &app,
        post(
            &format!("/encounters/{id}/note"),
            Some(&carl),
            &[("csrf", &csrf), ("text", "Called the desk at 10:05")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let rec = w.state.desk.encounter(id).unwrap();
    assert_eq!(rec.notes.last().unwrap().by, "carl");
    // The page now says so, and no longer offers to acknowledge.
    let page = send(&app, get(&format!("/encounters/{id}"), Some(&carl)))
        .await
        .text();
    assert!(page.contains("You have acknowledged this encounter."));
    assert!(!page.contains(&format!("action=\"/encounters/{id}/acknowledge\"")));
    assert!(page.contains("Called the desk at 10:05"));
}

#[tokio::test]
async fn counsel_answers_the_checklist_beside_the_pages() {
    let w = AdminWorld::new();
    let app = w.app();
    let id = search_warrant(&w);
    // Staff photographed an officer's badge: evidence beside the pages.
    w.state
        .desk
        .attach_evidence(&id, &page(4), PageKind::Badge, Some("Dana Whitfield"))
        .unwrap();
    let maria = session(&app, "maria").await;
    let page = send(&app, get(&format!("/encounters/{id}"), Some(&maria)))
        .await
        .text();
    assert!(
        page.contains("<strong>Badge or card</strong> · photographed by Dana Whitfield"),
        "{page}"
    );
    assert!(page.contains(&format!("src=\"/encounters/{id}/pages/2\"")));
    // The search warrant's own questions with their help, and its page.
    assert!(
        page.contains("&#34;immigration judge&#34; does not count"),
        "{page}"
    );
    assert!(page.contains(&format!("src=\"/encounters/{id}/pages/1\"")));
    assert!(page.contains("name=\"item\" value=\"names-address-and-areas\""));
    let csrf = csrf_of(&page);
    let answer = |item: &'static str, answer: &'static str| {
        post(
            &format!("/encounters/{id}/checklist"),
            Some(&maria),
            &[("csrf", &csrf), ("item", item), ("answer", answer)],
        )
    };
    let r = send(&app, answer("signed-by-judge", "no")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let rec = w.state.desk.encounter(&id).unwrap();
    assert!(rec
        .checklist
        .iter()
        .any(|a| a.item == "signed-by-judge" && a.answer == "no" && a.by == "maria"));
    // The verdict follows the answer, on the web and at the desk.
    let page = send(&app, get(&format!("/encounters/{id}"), Some(&maria)))
        .await
        .text();
    assert!(page.contains("it may not be valid"), "{page}");
    assert!(staff_screen(&w, &id)
        .verdict
        .unwrap()
        .1
        .contains("it may not be valid"));

    // Bad answers and questions are named and change nothing.
    for (item, ans, says) in [
        ("signed-by-judge", "maybe", "Choose yes, no or unclear."),
        (
            "no-such-question",
            "yes",
            "That is not a question of this checklist.",
        ),
    ] {
        let r = send(&app, answer(item, ans)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{item} {ans}");
        assert!(r.text().contains(says), "{}", r.text());
    }
}

#[tokio::test]
async fn staff_accounts_forged_forms_empty_texts_and_closed_encounters_are_refused() {
    let w = AdminWorld::new();
    let app = w.app();
    let id = w.encounter.clone();
    let carl = session(&app, "carl").await;
    let page = send(&app, get(&format!("/encounters/{id}"), Some(&carl)))
        .await
        .text();
    let csrf = csrf_of(&page);
    let instruct = |cookie: &str, csrf: &str, text: &str| {
        post(
            &format!("/encounters/{id}/instruction"),
            Some(cookie),
            &[("csrf", csrf), ("text", text)],
        )
    };
    let before = w
        .state
        .desk
        .encounter(&id)
        .unwrap()
        .counsel_instructions
        .len();
    let r = send(&app, instruct(&carl, "forged", "Let them in")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let sam = session(&app, "sam").await;
    let r = send(&app, instruct(&sam, &csrf, "Let them in")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "staff use staff mode");
    let r = send(&app, instruct(&carl, &csrf, " \r\n ")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("Write the text first."));
    let r = send(&app, instruct(&carl, &csrf, &"x".repeat(2001))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("At most 2,000 characters."));
    let r = send(
        &app,
        post(
            "/encounters/E-NOSUCH1/instruction",
            Some(&carl),
            &[("csrf", &csrf), ("text", "x")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        w.state
            .desk
            .encounter(&id)
            .unwrap()
            .counsel_instructions
            .len(),
        before,
        "nothing was recorded"
    );

    // Closed: refused in the reader's words, and the page offers no forms.
    w.state
        .desk
        .decide(
            &id,
            threshold::domain::encounter::Outcome::Left,
            "Dana Whitfield",
            None,
            None,
        )
        .unwrap();
    w.state.desk.close(&id, "Dana Whitfield").unwrap();
    let r = send(&app, instruct(&carl, &csrf, "Too late")).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("The encounter is closed"));
    let page = send(&app, get(&format!("/encounters/{id}"), Some(&carl)))
        .await
        .text();
    assert!(!page.contains(&format!("action=\"/encounters/{id}/instruction\"")));
}

#[tokio::test]
async fn counsel_places_and_releases_a_legal_hold_from_the_encounter_page() {
    let w = AdminWorld::new();
    let app = w.app();
    let id = search_warrant(&w);
    let maria = session(&app, "maria").await;
    let page = send(&app, get(&format!("/encounters/{id}"), Some(&maria)))
        .await
        .text();
    assert!(page.contains("Place a legal hold"), "{page}");
    let csrf = csrf_of(&page);
    let r = send(
        &app,
        post(
            &format!("/encounters/{id}/hold"),
            Some(&maria),
            &[("csrf", &csrf), ("text", "Doe v. City, 26-cv-0142")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let rec = w.state.desk.encounter(&id).unwrap();
    let hold = rec.holds[0].id.clone();
    assert_eq!(rec.holds[0].placed_by, "maria");
    assert_eq!(rec.holds[0].reason, "Doe v. City, 26-cv-0142");
    let page = send(&app, get(&format!("/encounters/{id}"), Some(&maria)))
        .await
        .text();
    assert!(
        page.contains("In force: retention keeps this encounter"),
        "{page}"
    );
    let dashboard = send(&app, get("/", Some(&maria))).await.text();
    assert!(dashboard.contains("Legal holds in force"), "{dashboard}");
    assert!(dashboard.contains(&hold), "{dashboard}");
    // Released from the same page: journaled with who.
    let r = send(
        &app,
        post(
            &format!("/encounters/{id}/release"),
            Some(&maria),
            &[("csrf", &csrf), ("item", &hold)],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let rec = w.state.desk.encounter(&id).unwrap();
    assert_eq!(rec.holds[0].released.as_ref().unwrap().by, "maria");
    assert!(w.state.desk.holds(true).unwrap().is_empty());
    // Twice is refused and says nothing was recorded.
    let r = send(
        &app,
        post(
            &format!("/encounters/{id}/release"),
            Some(&maria),
            &[("csrf", &csrf), ("item", &hold)],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("Not recorded"), "{}", r.text());
}
