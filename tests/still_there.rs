//! "Still there?" in the real window (Slint's software renderer, no
//! display): it covers the screen, any key answers it, a tap anywhere
//! answers it, and nothing under it can be tapped meanwhile.

use slint::platform::{PointerEventButton, WindowEvent};
use slint::{ComponentHandle, LogicalPosition};
use std::cell::RefCell;
use std::rc::Rc;
use threshold::app::kiosk::{Action, Screen};
use threshold::config::Loaded;
use threshold::ui::{apply, connect, demo, headless, Kiosk};

#[test]
fn any_key_or_tap_answers_still_there_and_nothing_else() {
    let window = headless::install().unwrap();
    let ui = Kiosk::new().unwrap();
    ui.show().unwrap();
    let sent: Rc<RefCell<Vec<Action>>> = Rc::default();
    connect(&ui, {
        let sent = sent.clone();
        Rc::new(move |a| sent.borrow_mut().push(a))
    });
    let loaded = Loaded::demo();
    let draw = || {
        headless::render(&window, 1080, 1920).unwrap();
    };
    let mut view = demo::view_of(
        &loaded,
        Screen::VisitorDetails,
        threshold::domain::language::Language::English,
        false,
    )
    .unwrap();
    view.idle_warning = Some(20);
    apply(&ui, &loaded, &view);
    draw();

    // A key on a keypad or keyboard.
    window.dispatch_event(WindowEvent::KeyPressed { text: "a".into() });
    window.dispatch_event(WindowEvent::KeyReleased { text: "a".into() });
    assert_eq!(*sent.borrow(), [Action::StillHere]);

    // A tap where the screen under it has the "Start over" chip: only
    // "Still there?" hears it.
    sent.borrow_mut().clear();
    let at = LogicalPosition::new(150.0, 1800.0);
    for event in [
        WindowEvent::PointerPressed {
            position: at,
            button: PointerEventButton::Left,
        },
        WindowEvent::PointerReleased {
            position: at,
            button: PointerEventButton::Left,
        },
    ] {
        window.dispatch_event(event);
    }
    assert_eq!(*sent.borrow(), [Action::StillHere]);

    // Answered, the screen is back and keys no longer go to it.
    sent.borrow_mut().clear();
    view.idle_warning = None;
    apply(&ui, &loaded, &view);
    draw();
    window.dispatch_event(WindowEvent::KeyPressed { text: "a".into() });
    assert!(sent.borrow().is_empty(), "{:?}", sent.borrow());
}
