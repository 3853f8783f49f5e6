//! The kiosk with a keypad and no touch: the visitor and official flows
//! completed with key events only (Slint's testing backend, the real
//! window and controller), the focus moving through every control in
//! reading order, Enter pressing, Escape going back, and a keyboard's
//! letters typing into the open field.

mod common;

use common::kiosk::kiosk;
use common::*;
use slint::platform::{Key, WindowEvent};
use slint::ComponentHandle;
use threshold::app::kiosk::{KioskDesk, Screen};
use threshold::devices::speech::Spoken;
use threshold::domain::language::Language;
use threshold::ui::{speech, Kiosk};

fn press(ui: &Kiosk, text: slint::SharedString) {
    ui.window()
        .dispatch_event(WindowEvent::KeyPressed { text: text.clone() });
    ui.window()
        .dispatch_event(WindowEvent::KeyReleased { text });
}

fn key(ui: &Kiosk, k: Key) {
    press(ui, k.into());
}

/// What has the focus, as it is said aloud.
fn focused(ui: &Kiosk) -> Option<String> {
    let s = speech::focused(ui.window(), Language::English)?;
    match s.lines.first()? {
        Spoken::Words(w) => Some(w.clone()),
        Spoken::Tones(_) => None,
    }
}

/// Down arrow until `label` has the focus; the labels passed on the way.
#[track_caller]
fn down_to(ui: &Kiosk, label: &str) -> Vec<String> {
    let mut seen = Vec::new();
    for _ in 0..80 {
        key(ui, Key::DownArrow);
        let now = focused(ui).unwrap_or_default();
        seen.push(now.clone());
        if now == label || now.starts_with(&format!("{label}, ")) {
            return seen;
        }
    }
    panic!("{label:?} never took the focus; went through {seen:?}");
}

/// Move to `label` and press Enter.
#[track_caller]
fn choose(ui: &Kiosk, label: &str) {
    down_to(ui, label);
    key(ui, Key::Return);
}

fn type_keys(ui: &Kiosk, text: &str) {
    for c in text.chars() {
        press(ui, c.to_string().into());
    }
}

#[test]
fn the_visitor_flow_by_keys_alone_in_reading_order() {
    let dir = tempfile::tempdir().unwrap();
    let (ui, state) = kiosk(dir.path());
    let screen = || state.borrow().0.screen();

    // The notice: every control, top to bottom, then round again.
    let order = down_to(&ui, "Staff");
    assert_eq!(
        order,
        [
            "Listen",
            "Tap to begin",
            "English, selected",
            "Español",
            "Tiếng Việt",
            "简体中文",
            "Tagalog",
            "Larger text",
            "High contrast",
            "Pause languages",
            "Staff"
        ]
    );
    key(&ui, Key::DownArrow);
    assert_eq!(focused(&ui).as_deref(), Some("Listen"), "wraps to the top");
    key(&ui, Key::UpArrow);
    assert_eq!(focused(&ui).as_deref(), Some("Staff"), "up goes back");

    choose(&ui, "Tap to begin");
    assert_eq!(screen(), Screen::Start);
    // A new screen starts the focus from its top.
    assert_eq!(
        down_to(&ui, "I am visiting"),
        ["Listen", "I am visiting"].map(String::from)
    );
    key(&ui, Key::Return);
    assert_eq!(screen(), Screen::VisitorPurpose);

    // Escape goes back, Enter comes forward again.
    key(&ui, Key::Escape);
    assert_eq!(screen(), Screen::Start);
    choose(&ui, "I am visiting");
    assert_eq!(screen(), Screen::VisitorPurpose);

    choose(&ui, "A meeting room");
    assert_eq!(screen(), Screen::VisitorDetails);
    // Enter on a text box opens it; a keyboard's letters type into it.
    choose(&ui, "First name or initials (optional)");
    type_keys(&ui, "Mai");
    key(&ui, Key::Backspace);
    type_keys(&ui, "i");
    assert_eq!(
        state
            .borrow()
            .0
            .view(&state.borrow().1)
            .field(threshold::app::kiosk::Field::VisitorName),
        "Mai"
    );
    choose(&ui, "Check in");
    assert_eq!(screen(), Screen::VisitorDone);
    assert_eq!(state.borrow().1.today().unwrap().0, 1, "one visitor");
}

#[test]
fn the_official_flow_by_keys_alone_opens_and_records_the_encounter() {
    let dir = tempfile::tempdir().unwrap();
    let (ui, state) = kiosk(dir.path());
    let screen = || state.borrow().0.screen();
    choose(&ui, "Tap to begin");
    choose(&ui, "I am a government or law-enforcement officer");
    assert_eq!(screen(), Screen::OfficialNotice);
    choose(&ui, "Continue");
    assert_eq!(screen(), Screen::OfficialOfficers);

    choose(&ui, "Agency");
    type_keys(&ui, "ICE ERO");
    choose(&ui, "Officer's name");
    type_keys(&ui, "Ana Ruiz");
    choose(&ui, "Next");
    assert_eq!(screen(), Screen::OfficialVisit);
    choose(&ui, "No");
    choose(&ui, "Next");
    assert_eq!(screen(), Screen::OfficialDocument);
    let label = document_label(
        state.borrow().1.loaded(),
        threshold::domain::document::DocumentKind::JudicialSearchWarrant,
    );
    choose(&ui, &label);
    choose(&ui, "Next");
    assert_eq!(screen(), Screen::OfficialCapture);
    choose(&ui, "Capture page");
    choose(&ui, "Keep this page");
    choose(&ui, "All pages are captured");
    assert_eq!(screen(), Screen::OfficialReview);
    choose(&ui, "Send to staff");
    assert_eq!(screen(), Screen::OfficialWaiting);

    let st = state.borrow();
    let open = st.1.open_encounters().unwrap();
    let rec = st.1.encounter(&open[0].id).unwrap();
    assert_eq!(rec.officers[0].name, "Ana Ruiz");
    assert_eq!(rec.officers[0].agency, "ICE ERO");
    assert_eq!(
        rec.document_kind.as_deref(),
        Some("judicial-search-warrant")
    );
    assert_eq!(rec.pages.len(), 1);
}
