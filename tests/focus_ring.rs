//! The keypad's focus is seen: moving it draws the ring, in the focus
//! colour and with a white line inside it, around the control reached, on
//! a white choice and on a filled button alike; a screen nobody has used
//! keys on shows no ring.

use slint::platform::{Key, WindowEvent};
use slint::ComponentHandle;
use threshold::app::kiosk::Screen;
use threshold::config::Loaded;
use threshold::domain::language::Language;
use threshold::ui::{demo, headless, keys, show, Kiosk};

/// The focus colour (`Theme.focus`, normal colours).
const RING: [u8; 3] = [0xb3, 0x47, 0x00];

fn ring_pixels(buffer: &[u8]) -> usize {
    buffer.chunks_exact(3).filter(|p| *p == RING).count()
}

#[test]
fn moving_the_focus_draws_the_ring_round_the_control_reached() {
    let window = headless::install().unwrap();
    let ui = Kiosk::new().unwrap();
    ui.show().unwrap();
    keys::connect(&ui);
    let loaded = Loaded::demo();
    for (screen, downs, label) in [
        (Screen::VisitorPurpose, 3, "A program or class"),
        (Screen::Start, 2, "I am visiting"),
    ] {
        let view = demo::view_of(&loaded, screen, Language::English, false).unwrap();
        show(&ui, &loaded, &view);
        ui.invoke_take_keys();
        let before = headless::render(&window, 1080, 1920).unwrap();
        assert_eq!(
            ring_pixels(before.as_bytes()),
            0,
            "{screen:?}: a ring before any key"
        );
        for _ in 0..downs {
            ui.window().dispatch_event(WindowEvent::KeyPressed {
                text: Key::DownArrow.into(),
            });
        }
        assert_eq!(keys::focus_label(&ui).as_deref(), Some(label));
        let after = headless::render(&window, 1080, 1920).unwrap();
        // A 6 px ring round a control at least 900 px wide and 72 px tall.
        let found = ring_pixels(after.as_bytes());
        assert!(found > 2 * 6 * 900, "{screen:?}: {found} ring pixels");
    }
}
