//! The official flow driven through the kiosk's UI: Slint's testing
//! backend, taps as pointer events at each element's centre (found by its
//! accessible label, as a screen reader would), typing on the on-screen
//! keyboard; then the encounter, its page and its queued alerts are found
//! in the store.

mod common;

use common::*;
use i_slint_backend_testing::ElementHandle;
use slint::platform::PointerEventButton;
use threshold::app::kiosk::{KioskDesk, Screen};
use threshold::ui::Kiosk;

fn find(ui: &Kiosk, label: &str) -> ElementHandle {
    let found: Vec<_> = ElementHandle::find_by_accessible_label(ui, label).collect();
    assert_eq!(
        found.len(),
        1,
        "expected one element labelled {label:?}, found {}",
        found.len()
    );
    found.into_iter().next().unwrap()
}

fn tap(ui: &Kiosk, label: &str) {
    find(ui, label).mock_single_click(PointerEventButton::Left);
}

fn type_on_keyboard(ui: &Kiosk, text: &str) {
    for c in text.chars() {
        let label = if c == ' ' {
            "space".to_string()
        } else {
            c.to_string()
        };
        tap(ui, &label);
    }
}

#[test]
fn the_official_flow_through_the_ui_records_the_encounter_its_pages_and_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let (ui, state) = common::kiosk::kiosk(dir.path());
    let loaded = state.borrow().1.loaded().clone();
    let screen = || state.borrow().0.screen();

    tap(&ui, "Tap to begin");
    assert_eq!(screen(), Screen::Start);
    tap(&ui, "I am a government or law-enforcement officer");
    assert_eq!(screen(), Screen::OfficialNotice);
    // Opened and paged before anything is typed.
    let id = {
        let st = state.borrow();
        let open = st.1.open_encounters().unwrap();
        assert_eq!(open.len(), 1);
        open[0].id.clone()
    };
    let queued: i64 = state
        .borrow()
        .1
        .record()
        .read(|r| {
            r.conn().query_row(
                "SELECT COUNT(*) FROM outbox WHERE encounter_id = ?1",
                [&id],
                |r| r.get(0),
            )
        })
        .unwrap()
        .unwrap();
    assert!(
        queued >= 2,
        "staff and counsel queued at once, found {queued}"
    );
    tap(&ui, "Continue");
    assert_eq!(screen(), Screen::OfficialOfficers);

    // Next without anything typed: the problem is said, nothing moves on.
    tap(&ui, "Next");
    assert_eq!(screen(), Screen::OfficialOfficers);
    assert_eq!(
        find(&ui, "Please enter your agency.")
            .accessible_label()
            .unwrap(),
        "Please enter your agency."
    );

    tap(&ui, "Agency");
    type_on_keyboard(&ui, "ice ero");
    tap(&ui, "Officer's name");
    type_on_keyboard(&ui, "ana ruiz");
    tap(&ui, "Badge (optional)");
    tap(&ui, "123");
    type_on_keyboard(&ui, "4471");
    assert_eq!(find(&ui, "Agency").accessible_value().unwrap(), "ice ero");
    assert_eq!(
        find(&ui, "Badge (optional)").accessible_value().unwrap(),
        "4471"
    );
    tap(&ui, "Next");
    assert_eq!(screen(), Screen::OfficialVisit);

    tap(
        &ui,
        "The person, records or area you are seeking (optional)",
    );
    type_on_keyboard(&ui, "jose");
    tap(&ui, "é"); // the acute key shows what it makes of the last letter
    assert_eq!(
        find(
            &ui,
            "The person, records or area you are seeking (optional)"
        )
        .accessible_value()
        .unwrap(),
        "josé"
    );
    tap(&ui, "No");
    tap(&ui, "Next");
    assert_eq!(screen(), Screen::OfficialDocument);
    let label = document_label(
        &loaded,
        threshold::domain::document::DocumentKind::AdministrativeWarrant,
    );
    tap(&ui, &label);
    tap(&ui, "Next");
    assert_eq!(screen(), Screen::OfficialCapture);

    tap(&ui, "Capture page");
    tap(&ui, "Retake");
    tap(&ui, "Keep this page");
    tap(&ui, "All pages are captured");
    assert_eq!(screen(), Screen::OfficialReview);
    tap(&ui, "Send to staff");
    assert_eq!(screen(), Screen::OfficialWaiting);
    find(&ui, "Please wait here");

    let st = state.borrow();
    let rec = st.1.encounter(&id).unwrap();
    let officers: Vec<_> = rec
        .officers
        .iter()
        .map(|o| (o.name.as_str(), o.badge.as_str(), o.agency.as_str()))
        .collect();
    assert_eq!(officers, [("ana ruiz", "4471", "ice ero")]);
    assert_eq!(rec.sought.as_deref(), Some("josé"));
    assert_eq!(rec.document_kind.as_deref(), Some("administrative-warrant"));
    assert_eq!(
        rec.pages.len(),
        1,
        "one kept page (the retaken one was not recorded)"
    );
    assert!(!rec.exigent);
    assert!(rec.notifications.iter().any(|n| n.role == "counsel"));
    assert!(rec
        .notifications
        .iter()
        .any(|n| n.role == "designated-staff"));
}
