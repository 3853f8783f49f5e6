//! The kiosk's real window (Slint's testing backend) and its controller
//! inline on the test's thread: each tap's or key's action is handled and
//! its view shown before the next, as the worker does on the box.

use super::alerting_config;
use slint::ComponentHandle;
use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;
use std::time::Instant;
use threshold::app::kiosk::{DemoSource, Session};
use threshold::app::{Desk, SystemClock};
use threshold::ui::{connect, keys, show, Kiosk};

/// The controller's session and desk.
pub type State = Rc<RefCell<(Session, Desk<SystemClock>)>>;

/// A 1080x1920 kiosk on a fresh store in `dir`, paging a webhook that
/// never answers; taps and keys reach the controller.
pub fn kiosk(dir: &Path) -> (Kiosk, State) {
    i_slint_backend_testing::init_no_event_loop();
    let loaded = alerting_config(dir, "http://127.0.0.1:9", "");
    let desk = Desk::open(loaded.clone(), dir, SystemClock).unwrap();
    let session = Session::new(&loaded, Box::new(DemoSource::default()), Instant::now());
    let ui = Kiosk::new().unwrap();
    ui.window().set_size(slint::PhysicalSize::new(1080, 1920));
    show(&ui, &loaded, &session.view(&desk));
    ui.show().unwrap();
    let state: State = Rc::new(RefCell::new((session, desk)));
    let (weak, shown) = (ui.as_weak(), loaded.clone());
    connect(&ui, {
        let state = state.clone();
        Rc::new(move |action| {
            let view = {
                let mut guard = state.borrow_mut();
                let (s, d) = &mut *guard;
                s.handle(d, action, Instant::now());
                s.view(d)
            };
            if let Some(ui) = weak.upgrade() {
                show(&ui, &shown, &view);
            }
        })
    });
    keys::connect(&ui);
    (ui, state)
}
