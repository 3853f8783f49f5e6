//! What the screen says, for speech: the window's items in reading order,
//! as their accessible names (a button by its label and whether it is
//! selected, a text by its words, an image by its description), so the
//! kiosk reads exactly what it shows, in the screen's language, with no
//! second copy of any screen's words. Masked input (the staff PIN) becomes
//! tones. Text scrolled out of view is read too: it is on the screen.
//!
//! [`Reader`] follows the window: a new screen is read from its start,
//! and on the same screen only what changed (a choice made, a field typed
//! into, a problem shown) is said.

use crate::app::kiosk::{Screen, View};
use crate::devices::speech::{Script, Speaker, Spoken};
use crate::domain::catalogue::tr;
use crate::domain::language::Language;
use i_slint_core::accessibility::AccessibleStringProperty;
use i_slint_core::api::Window;
use i_slint_core::item_tree::{ItemRc, ParentItemTraversalMode};
use i_slint_core::items::{AccessibleRole, Clip, ComplexText, SimpleText};
use i_slint_core::window::WindowInner;
use std::ops::ControlFlow;

/// What masked input shows, one per character.
const MASK: char = '●';

/// Whether `item` is shown: no `visible: false` above it.
fn shown(item: &ItemRc) -> bool {
    let mut cur = Some(item.clone());
    while let Some(it) = cur {
        if let Some(c) = it.downcast::<Clip>() {
            let c = c.as_pin_ref();
            if c.is_visibility_clip() && c.clip() {
                return false;
            }
        }
        cur = it.parent_item(ParentItemTraversalMode::StopAtPopups);
    }
    true
}

/// The words a text item draws.
fn drawn_text(item: &ItemRc) -> Option<String> {
    if let Some(t) = item.downcast::<SimpleText>() {
        return Some(t.as_pin_ref().text().to_string());
    }
    item.downcast::<ComplexText>()
        .map(|t| t.as_pin_ref().text().to_string())
}

/// One item as spoken: `None` for what has nothing to say.
fn spoken(item: &ItemRc, lang: Language, keys: bool) -> Option<Spoken> {
    let role = item.accessible_role();
    if role == AccessibleRole::None {
        return None;
    }
    if let Some(text) = drawn_text(item) {
        let n = text.chars().filter(|c| *c == MASK).count();
        if n > 0 && text.chars().all(|c| c == MASK || c.is_whitespace()) {
            return Some(Spoken::Tones(n));
        }
    }
    let label = item
        .accessible_string_property(AccessibleStringProperty::Label)
        .map(|l| l.trim().to_string())
        .unwrap_or_default();
    if label.is_empty() {
        return None;
    }
    // The keys of a keyboard (a letter, digit or accent each) are read
    // when reached, not with the screen; a one-character word of Chinese
    // (是, 否) is a choice, not a key.
    let chinese = |c: char| ('\u{2e80}'..='\u{9fff}').contains(&c);
    let key = label.chars().count() <= 1 && !label.chars().any(chinese);
    if !keys && role == AccessibleRole::Button && key {
        return None;
    }
    let checked = item
        .accessible_string_property(AccessibleStringProperty::Checked)
        .is_some_and(|c| c == "true");
    let state = match role {
        AccessibleRole::Switch if checked => Some(tr(lang, "On")),
        AccessibleRole::Switch => Some(tr(lang, "Off")),
        _ if checked => Some(tr(lang, crate::msg_id!("selected"))),
        _ => None,
    };
    // A text box: its name, then what is typed in it.
    let value = item
        .accessible_string_property(AccessibleStringProperty::Value)
        .map(|v| v.trim().to_string())
        .filter(|v| role == AccessibleRole::TextInput && !v.is_empty());
    let label = match value {
        Some(v) => crate::domain::catalogue::labelled(lang, &label, &v),
        None => label,
    };
    Some(Spoken::Words(match state {
        Some(s) => format!("{label}{}{s}", crate::domain::catalogue::comma(lang)),
        None => label,
    }))
}

/// Everything the window shows, in reading order.
pub fn script(window: &Window, lang: Language) -> Script {
    let inner = WindowInner::from_pub(window);
    let root = ItemRc::new_root(inner.component());
    let mut lines = Vec::new();
    root.visit_descendants(|item| {
        if shown(item) {
            if let Some(s) = spoken(item, lang, false) {
                // A label drawn twice in a row (a heading and its
                // container's name) is said once.
                if lines.last() != Some(&s) {
                    lines.push(s);
                }
            }
        }
        ControlFlow::<()>::Continue(())
    });
    Script { lang, lines }
}

/// What the item with the keyboard focus is, said when a key moves it.
pub fn focused(window: &Window, lang: Language) -> Option<Script> {
    let inner = WindowInner::from_pub(window);
    let mut item = inner.focus_item.borrow().upgrade()?;
    // The focus sits in a control's key handler; the control is the
    // nearest item with something to say.
    loop {
        if let Some(s) = spoken(&item, lang, true) {
            return Some(Script {
                lang,
                lines: vec![s],
            });
        }
        item = item.parent_item(ParentItemTraversalMode::StopAtPopups)?;
    }
}

/// Follows the window and speaks what changes.
pub struct Reader {
    speaker: Option<Speaker>,
    /// The screen, the "Still there?" card, the language and the Listen
    /// count last read: any change reads the window from its start.
    key: Option<(Screen, bool, Language, u32)>,
    said: Vec<Spoken>,
}

impl Reader {
    pub fn new(speaker: Option<Speaker>) -> Reader {
        Reader {
            speaker,
            key: None,
            said: Vec::new(),
        }
    }

    /// The window now shows `view`: what to say, if anything.
    pub fn next(&mut self, window: &Window, view: &View) -> Option<Script> {
        if !view.speaking {
            self.key = None;
            self.said.clear();
            return None;
        }
        let now = script(window, view.lang);
        let key = (
            view.screen,
            view.idle_warning.is_some(),
            view.lang,
            view.listens,
        );
        let fresh = self.key != Some(key);
        self.key = Some(key);
        let said = std::mem::replace(&mut self.said, now.lines.clone());
        if fresh {
            return Some(now);
        }
        // The countdown on "Still there?" is said once, not every second.
        if view.idle_warning.is_some() {
            return None;
        }
        let new: Vec<Spoken> = now
            .lines
            .into_iter()
            .filter(|l| !said.contains(l))
            .map(|l| match l {
                // A key on a masked field: one tone, not the count.
                Spoken::Tones(_) => Spoken::Tones(1),
                words => words,
            })
            .collect();
        (!new.is_empty()).then_some(Script {
            lang: view.lang,
            lines: new,
        })
    }

    /// Say what the window now shows, as [`Reader::next`] decides; the
    /// speaking stops when speech is turned off.
    pub fn follow(&mut self, window: &Window, view: &View) {
        let was = self.key.is_some();
        match (self.next(window, view), &self.speaker) {
            (Some(s), Some(speaker)) => speaker.say(s),
            (None, Some(speaker)) if was && !view.speaking => speaker.stop(),
            _ => {}
        }
    }

    /// Say what has the focus now.
    pub fn say_focus(&self, window: &Window, lang: Language) {
        if self.key.is_none() {
            return;
        }
        if let (Some(speaker), Some(s)) = (&self.speaker, focused(window, lang)) {
            speaker.say(s);
        }
    }

    /// The speaker, for the volume keys.
    pub fn speaker(&self) -> Option<&Speaker> {
        self.speaker.as_ref()
    }
}
