//! The kiosk without touch: the keypad's arrows move the focus through
//! every control in reading order (the order of the screen's items), the
//! focused control scrolls into view and is said aloud when speech is on,
//! and the volume keys step the speaker's volume.

use super::speech::Reader;
use super::{Kiosk, KioskAdapter};
use crate::domain::language::Language;
use i_slint_core::item_tree::{ItemRc, ParentItemTraversalMode};
use i_slint_core::items::Flickable;
use i_slint_core::lengths::LogicalLength;
use i_slint_core::window::WindowInner;
use slint::ComponentHandle;
use std::cell::RefCell;

thread_local! {
    /// The window's reader, on the UI thread.
    static READER: RefCell<Reader> = RefCell::new(Reader::new(None));
}

/// Give the window's reader its speaker (on the UI thread, before the
/// window shows).
pub fn set_speaker(speaker: Option<crate::devices::speech::Speaker>) {
    READER.with(|r| *r.borrow_mut() = Reader::new(speaker));
}

/// Run `f` with the window's reader.
pub fn with_reader<T>(f: impl FnOnce(&mut Reader) -> T) -> T {
    READER.with(|r| f(&mut r.borrow_mut()))
}

/// The language on the screen now.
fn language(ui: &Kiosk) -> Language {
    ui.global::<KioskAdapter>()
        .get_language_code()
        .parse()
        .unwrap_or(Language::English)
}

/// The item with the keyboard focus.
pub fn focus_item(ui: &Kiosk) -> Option<ItemRc> {
    WindowInner::from_pub(ui.window())
        .focus_item
        .borrow()
        .upgrade()
}

/// Bring the window's items up to date with the adapters (lists and
/// conditional controls made anew replace their items now, not at the
/// next frame); whether the focused control is still one of them.
pub fn settle(ui: &Kiosk) -> bool {
    let inner = WindowInner::from_pub(ui.window());
    let focus = focus_item(ui);
    let mut found = false;
    ItemRc::new_root(inner.component()).visit_descendants(|item| {
        found |= focus.as_ref() == Some(item);
        std::ops::ControlFlow::<()>::Continue(())
    });
    found
}

/// The name of the control with the focus (its accessible label).
pub fn focus_label(ui: &Kiosk) -> Option<String> {
    use i_slint_core::accessibility::AccessibleStringProperty;
    let mut item = focus_item(ui)?;
    loop {
        if let Some(l) = item
            .accessible_string_property(AccessibleStringProperty::Label)
            .filter(|l| !l.is_empty())
        {
            return Some(l.to_string());
        }
        item = item.parent_item(ParentItemTraversalMode::StopAtPopups)?;
    }
}

/// After the screen's controls were made anew (a list refreshed under
/// the focus), put the focus back on the control named `label`, or at the
/// top of the screen when it is gone.
pub fn refocus(ui: &Kiosk, label: &str) {
    ui.invoke_take_keys();
    let inner = WindowInner::from_pub(ui.window());
    for _ in 0..200 {
        inner.focus_next_item();
        match focus_label(ui) {
            Some(l) if l == label => {
                if let Some(item) = focus_item(ui) {
                    scroll_into_view(&item);
                }
                return;
            }
            Some(_) => {}
            None => break,
        }
    }
    ui.invoke_take_keys();
}

/// Move the focus to the next control (`forward`) or the one before.
pub fn move_focus(ui: &Kiosk, forward: bool) {
    let inner = WindowInner::from_pub(ui.window());
    if forward {
        inner.focus_next_item();
    } else {
        inner.focus_previous_item();
    }
    if let Some(item) = focus_item(ui) {
        scroll_into_view(&item);
    }
    with_reader(|r| r.say_focus(ui.window(), language(ui)));
}

/// Scroll the scrolling area around `item` so all of it shows, with a
/// margin for the focus ring.
fn scroll_into_view(item: &ItemRc) {
    const MARGIN: f32 = 24.0;
    let mut cur = item.parent_item(ParentItemTraversalMode::StopAtPopups);
    while let Some(ancestor) = cur {
        if let Some(f) = ancestor.downcast::<Flickable>() {
            let f = f.as_pin_ref();
            let area = ancestor.geometry();
            let top = ancestor.map_to_window(area.origin).y;
            let at = item.map_to_window(item.geometry().origin).y;
            let height = item.geometry().size.height;
            let scrolled = f.content_y().get();
            // Where the item is in the content, not on the screen.
            let in_content = at - top - scrolled;
            let lowest = (area.size.height - f.content_height().get()).min(0.0);
            let want = if at - MARGIN < top {
                -(in_content - MARGIN)
            } else if at + height + MARGIN > top + area.size.height {
                -(in_content + height + MARGIN - area.size.height)
            } else {
                return;
            };
            f.get_ref()
                .content_y
                .set(LogicalLength::new(want.clamp(lowest, 0.0)));
            return;
        }
        cur = ancestor.parent_item(ParentItemTraversalMode::StopAtPopups);
    }
}

/// Connect the keypad's focus and volume keys of `ui`.
pub fn connect(ui: &Kiosk) {
    let k = ui.global::<KioskAdapter>();
    let weak = ui.as_weak();
    k.on_move_focus(move |forward| {
        if let Some(ui) = weak.upgrade() {
            move_focus(&ui, forward);
        }
    });
    k.on_volume(|up| {
        with_reader(|r| {
            if let Some(s) = r.speaker() {
                s.step_volume(up);
            }
        })
    });
}
