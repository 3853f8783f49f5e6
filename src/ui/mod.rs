//! The kiosk's Slint UI: the adapters' data from the config and the policy
//! profile, the controller for language and screen changes, and a headless
//! platform that renders screens to PNG without a display.

pub mod headless;

slint::include_modules!();

use crate::config::Loaded;
use crate::domain::language::Language;

/// Which screen to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreenName {
    Idle,
    Start,
}

impl std::str::FromStr for ScreenName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "idle" => Ok(ScreenName::Idle),
            "start" => Ok(ScreenName::Start),
            _ => Err(format!(
                "unknown screen `{s}`; this version has: idle, start"
            )),
        }
    }
}

/// How long the start screen waits for a touch before going back to idle.
const IDLE_AFTER: std::time::Duration = std::time::Duration::from_secs(60);

/// Open the kiosk window on the display and run it until it is closed.
pub fn run_window(loaded: &Loaded) -> Result<(), slint::PlatformError> {
    use std::cell::Cell;
    use std::rc::Rc;
    let ui = Kiosk::new()?;
    let loaded = Rc::new(loaded.clone());
    let first = loaded.config.facility.languages[0];
    let state = Rc::new(Cell::new((first, ScreenName::Idle)));
    let idle_timer = Rc::new(slint::Timer::default());
    present(&ui, &loaded, first, ScreenName::Idle);
    // Any touch restarts the wait; when it runs out, everything goes back to
    // the notice in the first language.
    let touched = {
        let (weak, loaded, state, timer) = (
            ui.as_weak(),
            loaded.clone(),
            state.clone(),
            idle_timer.clone(),
        );
        move || {
            let (weak, loaded, state) = (weak.clone(), loaded.clone(), state.clone());
            timer.start(slint::TimerMode::SingleShot, IDLE_AFTER, move || {
                let Some(ui) = weak.upgrade() else { return };
                let first = loaded.config.facility.languages[0];
                state.set((first, ScreenName::Idle));
                present(&ui, &loaded, first, ScreenName::Idle);
            });
        }
    };
    let idle = ui.global::<IdleAdapter>();
    idle.on_choose_language({
        let (weak, loaded, state, touched) =
            (ui.as_weak(), loaded.clone(), state.clone(), touched.clone());
        move |i| {
            let Some(ui) = weak.upgrade() else { return };
            let Some(lang) = loaded.config.facility.languages.get(i as usize).copied() else {
                return;
            };
            let screen = state.get().1;
            state.set((lang, screen));
            present(&ui, &loaded, lang, screen);
            touched();
        }
    });
    idle.on_begin({
        let (weak, loaded, state, touched) =
            (ui.as_weak(), loaded.clone(), state.clone(), touched.clone());
        move || {
            let Some(ui) = weak.upgrade() else { return };
            let lang = state.get().0;
            state.set((lang, ScreenName::Start));
            present(&ui, &loaded, lang, ScreenName::Start);
            touched();
        }
    });
    ui.global::<KioskAdapter>().on_choose(move |choice| {
        // The visitor, official and resources flows are the next screens.
        tracing::info!(choice, "start screen choice");
        touched();
    });
    ui.run()
}

/// Fill every adapter for `lang` and show `screen`.
pub fn present(ui: &Kiosk, loaded: &Loaded, lang: Language, screen: ScreenName) {
    let idle = ui.global::<IdleAdapter>();
    let profile = &loaded.profile;
    idle.set_facility_name(loaded.config.facility.name.as_str().into());
    idle.set_notice_title(profile.notice.title.get(lang).into());
    idle.set_notice_body(profile.notice.body.get(lang).into());
    let languages = &loaded.config.facility.languages;
    let names: Vec<slint::SharedString> = languages.iter().map(|l| l.endonym().into()).collect();
    idle.set_languages(std::rc::Rc::new(slint::VecModel::from(names)).into());
    let codes: Vec<slint::SharedString> = languages.iter().map(|l| l.code().into()).collect();
    idle.set_language_codes(std::rc::Rc::new(slint::VecModel::from(codes)).into());
    idle.set_current_language(languages.iter().position(|l| *l == lang).unwrap_or(0) as i32);
    let kiosk = ui.global::<KioskAdapter>();
    kiosk.set_language_code(lang.code().into());
    // English is the source language of the @tr strings.
    if let Err(e) = slint::select_bundled_translation(lang.code()) {
        tracing::error!(lang = lang.code(), error = ?e, "no bundled translation; showing English");
    }
    kiosk.set_screen(match screen {
        ScreenName::Idle => Screen::Idle,
        ScreenName::Start => Screen::Start,
    });
}
