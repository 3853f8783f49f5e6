//! Time at the kiosk: "Still there?" before the idle reset, with a touch
//! or key keeping everything; the notice's language rotation, paused after
//! a touch or by its own control.

use super::*;
use crate::domain::language::Language;
use std::time::Duration;

#[test]
fn the_timeout_clears_everything_typed_and_returns_to_the_notice() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(dir.path());
    let t = Instant::now();
    let mut s = session(&d, t);
    s.handle(&mut d, Action::ChooseLanguage(2), t);
    s.handle(&mut d, Action::ToggleLargeText, t);
    s.handle(&mut d, Action::Begin, t);
    s.handle(&mut d, Action::Start(StartChoice::Visitor), t);
    s.handle(&mut d, Action::PickPurpose(0), t);
    s.type_into(&mut d, Field::VisitorName, "Mai", t);
    s.type_into(&mut d, Field::VisitorHost, "Tax help", t);
    s.tick(&mut d, t + Duration::from_secs(59));
    assert_eq!(s.view(&d).idle_warning, None);
    // At the timeout: "Still there?", counting down from 20 s, nothing lost.
    let warned = t + Duration::from_secs(60);
    s.tick(&mut d, warned);
    let v = s.view(&d);
    assert_eq!(
        (v.screen, v.idle_warning),
        (Screen::VisitorDetails, Some(20))
    );
    assert_eq!(v.field(Field::VisitorName), "Mai");
    assert!(s.shows_live_data(), "the countdown is redrawn every second");
    s.tick(&mut d, warned + Duration::from_millis(5500));
    assert_eq!(s.view(&d).idle_warning, Some(15));
    // A touch or a key answers it and does nothing else: the visitor goes
    // on where they were, with another full timeout before the next one.
    let back = warned + Duration::from_secs(19);
    s.handle(&mut d, Action::Backspace, back);
    s.tick(&mut d, back + Duration::from_secs(59));
    let v = s.view(&d);
    assert_eq!((v.screen, v.idle_warning), (Screen::VisitorDetails, None));
    assert_eq!(
        v.field(Field::VisitorHost),
        "Tax help",
        "the touch only answered"
    );
    // Unanswered, the kiosk starts over when the countdown ends.
    s.tick(&mut d, back + Duration::from_secs(60));
    assert_eq!(s.view(&d).idle_warning, Some(20));
    s.tick(&mut d, back + Duration::from_secs(60) + WARN_FOR);
    let v = s.view(&d);
    assert_eq!(v.screen, Screen::Idle);
    assert_eq!(v.idle_warning, None);
    assert_eq!(v.lang, Language::English);
    assert!(!v.large_text);
    assert!(v.fields.iter().all(|(_, t)| t.is_empty()), "{:?}", v.fields);
    assert_eq!(v.purpose, None);
    // Nothing was recorded for the visitor who walked away.
    assert_eq!(
        d.record()
            .read(|r| r
                .conn()
                .query_row("SELECT COUNT(*) FROM checkins", [], |r| r.get::<_, i64>(0)))
            .unwrap()
            .unwrap(),
        0
    );
}

#[test]
fn the_notice_rotates_through_the_languages_and_pauses_after_a_touch() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(dir.path());
    let t = Instant::now();
    let mut s = session(&d, t);
    let at = |s: &Session, d: &Desk| s.view(d).lang;
    s.tick(&mut d, t + Duration::from_secs(9));
    assert_eq!(at(&s, &d), Language::English);
    s.tick(&mut d, t + ROTATE_EVERY);
    assert_eq!(at(&s, &d), Language::Spanish);
    s.tick(&mut d, t + ROTATE_EVERY * 2);
    assert_eq!(at(&s, &d), Language::Vietnamese);
    // A chosen language stays while the person reads.
    let touched = t + ROTATE_EVERY * 2 + Duration::from_secs(1);
    s.handle(&mut d, Action::ChooseLanguage(4), touched);
    s.tick(&mut d, touched + Duration::from_secs(9));
    assert_eq!(at(&s, &d), Language::Tagalog);
    s.tick(&mut d, touched + ROTATE_EVERY);
    assert_eq!(at(&s, &d), Language::English);
}

#[test]
fn the_notice_rotation_pauses_until_resumed_or_everyone_has_left() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(dir.path());
    let t = Instant::now();
    let mut s = session(&d, t);
    s.handle(&mut d, Action::ChooseLanguage(2), t);
    s.handle(&mut d, Action::ToggleRotation, t);
    assert!(s.view(&d).rotation_paused);
    // Paused: a slow reader keeps Vietnamese as long as they are there.
    for n in 1..=5 {
        let now = t + Duration::from_secs(11 * n);
        s.handle(&mut d, Action::StillHere, now);
        s.tick(&mut d, now + ROTATE_EVERY);
        assert_eq!(s.view(&d).lang, Language::Vietnamese);
    }
    // Resumed by the same control, it rotates again.
    let resumed = t + Duration::from_secs(60);
    s.handle(&mut d, Action::ToggleRotation, resumed);
    s.tick(&mut d, resumed + ROTATE_EVERY);
    assert_eq!(s.view(&d).lang, Language::ChineseSimplified);
    // Paused and left: after the idle timeout nobody is reading, and the
    // notice rotates for the next person.
    let left = resumed + ROTATE_EVERY;
    s.handle(&mut d, Action::ToggleRotation, left);
    let idle = Duration::from_secs(d.loaded.config.kiosk.idle_timeout_s.into());
    s.tick(&mut d, left + idle);
    assert!(!s.view(&d).rotation_paused);
    s.tick(&mut d, left + idle + ROTATE_EVERY);
    assert_ne!(s.view(&d).lang, Language::ChineseSimplified);
}

#[test]
fn automatic_speech_reads_every_screen_a_person_reaches_but_not_the_rotating_notice() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        crate::config::DEMO_CONFIG.replacen("[kiosk]\n", "[kiosk]\nspeech = \"automatic\"\n", 1);
    let loaded = Loaded::from_text("test", &text, dir.path()).unwrap();
    let mut d = Desk::open(loaded, dir.path(), SystemClock).unwrap();
    let t = Instant::now();
    let mut s = session(&d, t);
    // The notice rotates to a lobby, silent.
    assert!(!s.view(&d).speaking);
    let first = s.view(&d).lang;
    s.tick(&mut d, t + Duration::from_secs(11));
    assert_ne!(s.view(&d).lang, first, "the notice still rotates");
    // Someone begins: read from then on, without asking.
    let later = t + Duration::from_secs(12);
    s.handle(&mut d, Action::Begin, later);
    assert!(s.view(&d).speaking);
    // Back at the notice after they leave: silent and rotating again.
    s.handle(&mut d, Action::Home, later);
    assert!(!s.view(&d).speaking);
    // Listen there reads the notice, and holds its language meanwhile.
    s.handle(&mut d, Action::Listen, later);
    let v = s.view(&d);
    assert!(v.speaking);
    s.tick(&mut d, later + Duration::from_secs(30));
    assert_eq!(s.view(&d).lang, v.lang, "held while it is read");
}
