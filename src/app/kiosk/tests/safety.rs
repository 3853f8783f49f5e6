//! Safe defaults of the kiosk: drill mode ends by itself, officials never
//! see the rapid-response network, a kiosk without a capture source says
//! so instead of recording sample pages, and staff home puts what is
//! broken first with what to do.

use super::*;
use crate::devices::health::{PartKind, PartState};

#[test]
fn drill_mode_ends_when_staff_mode_locks() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(dir.path());
    let t = Instant::now();
    let mut s = session(&d, t);
    unlock(&mut s, &mut d, t);
    s.handle(&mut d, Action::ToggleDrill, t);
    assert!(s.view(&d).drill, "the drill banner shows on staff screens");
    s.handle(&mut d, Action::StaffLock, t);
    assert!(!s.view(&d).drill);
    // A real encounter after the lock is not a drill.
    s.handle(&mut d, Action::Begin, t);
    s.handle(&mut d, Action::Start(StartChoice::Official), t);
    let id = s.encounter().unwrap().to_string();
    assert!(!d.encounter(&id).unwrap().drill);
}

#[test]
fn drill_mode_ends_by_itself_after_an_hour() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(dir.path());
    let t = Instant::now();
    let mut s = session(&d, t);
    unlock(&mut s, &mut d, t);
    s.handle(&mut d, Action::ToggleDrill, t);
    // Staff keep touching staff mode (it does not time out) ...
    let mut now = t;
    while now < t + DRILL_AT_MOST - Duration::from_secs(30) {
        now += Duration::from_secs(30);
        s.handle(&mut d, Action::StaffHome, now);
        s.tick(&mut d, now);
    }
    assert!(s.view(&d).drill, "on for almost an hour");
    now += Duration::from_secs(60);
    s.handle(&mut d, Action::StaffHome, now);
    s.tick(&mut d, now);
    assert!(!s.view(&d).drill, "off after an hour");
    s.handle(&mut d, Action::OfficialsAtDesk, now);
    let id = d.encounters(true).unwrap()[0].id.clone();
    assert!(!d.encounter(&id).unwrap().drill);
}

#[test]
fn a_trainee_runs_one_drill_flow_and_the_drill_ends_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(dir.path());
    let t = Instant::now();
    let mut s = session(&d, t);
    unlock(&mut s, &mut d, t);
    s.handle(&mut d, Action::ToggleDrill, t);
    s.handle(&mut d, Action::PracticeOfficial, t);
    assert_eq!(s.screen(), Screen::OfficialNotice);
    assert_eq!(s.staff(), None, "staff mode is locked for the trainee");
    let drill = s.encounter().unwrap().to_string();
    assert!(d.encounter(&drill).unwrap().drill);
    assert!(s.view(&d).drill);
    // The trainee's flow ends: the next official is real.
    s.handle(&mut d, Action::Home, t);
    assert!(!s.view(&d).drill);
    s.handle(&mut d, Action::Begin, t);
    s.handle(&mut d, Action::Start(StartChoice::Official), t);
    let real = s.encounter().unwrap().to_string();
    assert!(!d.encounter(&real).unwrap().drill);
}

#[test]
fn officials_never_see_the_rapid_response_network_even_when_it_acknowledges() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(dir.path());
    let t = Instant::now();
    let mut s = session(&d, t);
    s.handle(&mut d, Action::Begin, t);
    s.handle(&mut d, Action::Start(StartChoice::Official), t);
    let id = s.encounter().unwrap().to_string();
    let rapid = d
        .loaded
        .config
        .contacts
        .iter()
        .find(|c| c.role == crate::config::Role::RapidResponse)
        .expect("the demo has a rapid-response contact")
        .name
        .clone();
    d.acknowledge(&id, &rapid, Via::Cli).unwrap();
    d.acknowledge(&id, "Rosa Delgado", Via::Cli).unwrap();
    let v = s.view(&d);
    assert_eq!(v.screen, Screen::OfficialNotice);
    assert!(
        v.paged
            .iter()
            .all(|p| p.role != "rapid-response" && p.name != rapid),
        "{:?}",
        v.paged
    );
    // Counsel's answer shows, by role.
    assert!(v
        .paged
        .iter()
        .any(|p| p.role == "counsel" && !p.acknowledged_at.is_empty()));
    // Staff see everyone, by name.
    unlock(&mut s, &mut d, t);
    s.handle(&mut d, Action::StaffOpen(id), t);
    assert!(s.view(&d).paged.iter().any(|p| p.name == rapid));
}

#[test]
fn without_a_capture_source_the_official_is_told_and_no_page_is_made_up() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(dir.path());
    let t = Instant::now();
    let mut s = Session::new(&d.loaded, Box::new(NoSource), t);
    s.handle(&mut d, Action::Begin, t);
    s.handle(&mut d, Action::Start(StartChoice::Official), t);
    s.handle(&mut d, Action::OfficialNext, t);
    s.type_into(&mut d, Field::Agency, "ICE ERO", t);
    s.type_into(&mut d, Field::OfficerName, "Ana Ruiz", t);
    s.handle(&mut d, Action::OfficialNext, t);
    s.handle(&mut d, Action::SetExigent(false), t);
    s.handle(&mut d, Action::OfficialNext, t);
    let admin = d
        .loaded
        .profile
        .documents
        .iter()
        .position(|x| x.kind == DocumentKind::AdministrativeWarrant)
        .unwrap();
    s.handle(&mut d, Action::PickDocument(admin), t);
    s.handle(&mut d, Action::OfficialNext, t);
    assert_eq!(s.screen(), Screen::OfficialCapture);
    assert_eq!(s.view(&d).problem, Some(Problem::NoCapture));
    s.handle(&mut d, Action::Capture, t);
    assert_eq!(s.view(&d).problem, Some(Problem::NoCapture));
    s.handle(&mut d, Action::OfficialNext, t);
    assert_eq!(s.screen(), Screen::OfficialReview, "on without pages");
    s.handle(&mut d, Action::Submit, t);
    let id = s.encounter().unwrap().to_string();
    assert!(d.encounter(&id).unwrap().pages.is_empty());
    // A configuration without [kiosk] capture gets no sample pages either.
    let text = crate::config::DEMO_CONFIG.replace("capture = \"demo\"\n", "");
    let loaded = crate::config::Loaded::from_text("k.toml", &text, dir.path()).unwrap();
    assert!(!Session::source_for(&loaded).available());
    assert!(loaded
        .warnings
        .iter()
        .any(|w| w.key == "kiosk.capture" && w.message.contains("cannot be captured")));
}

fn part(name: &str, working: bool, detail: &str, fix: &str) -> PartState {
    PartState {
        part: name.into(),
        kind: PartKind::Device,
        location: "/dev/x".into(),
        working,
        detail: detail.into(),
        fix: fix.into(),
    }
}

#[test]
fn staff_home_puts_broken_parts_first_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(dir.path());
    let t = Instant::now();
    let mut s = session(&d, t);
    s.set_parts(vec![
        part("printer", true, "ready", ""),
        part("modem", false, "not answering", "Check the modem's cable"),
        part(
            "admin-web",
            false,
            "cannot listen on 127.0.0.1:8080",
            "Stop the other program",
        ),
        part(
            "email",
            false,
            "SMTP server 127.0.0.1: connection refused",
            "Check the relay",
        ),
    ]);
    unlock(&mut s, &mut d, t);
    let v = s.view(&d);
    let broken: Vec<&str> = v
        .status
        .iter()
        .take_while(|l| l.state == "broken")
        .map(|l| l.what.as_str())
        .collect();
    assert!(
        broken.contains(&"modem") && broken.contains(&"admin-web") && broken.contains(&"email"),
        "{:?}",
        v.status
    );
    let email = v.status.iter().find(|l| l.what == "email").unwrap();
    assert_eq!(email.fix, "Check the relay");
    assert!(email.detail.contains("connection refused"));
    let printer = v.status.iter().find(|l| l.what == "printer").unwrap();
    assert_eq!(printer.state, "ready");
}
