//! The kiosk controller's flows and rules against a real desk over a
//! temporary store (and a wrapper that makes the store fail on demand).

mod evidence;
mod flaky;
mod guidance;
mod safety;
mod time;

use super::*;
use crate::app::{Desk, SystemClock};
use crate::domain::encounter::{ChecklistAnswer, DecisionBasis, Outcome};
use flaky::Flaky;

/// The demo facility with e-mail set up, so opening an encounter queues
/// pages (nothing is sent: no dispatcher runs here).
fn desk(dir: &std::path::Path) -> Desk {
    let text = format!(
        "{}\n[alerts.smtp]\nhost = \"127.0.0.1\"\nport = 2525\ntls = \"none\"\nfrom = \"kiosk@example.org\"\n",
        crate::config::DEMO_CONFIG
    );
    let loaded = Loaded::from_text("test", &text, dir).unwrap();
    Desk::open(loaded, dir, SystemClock).unwrap()
}

/// The position of `lang`'s chip on the kiosk, if the facility offers it.
fn chip_of(d: &Desk, lang: Language) -> Option<usize> {
    d.loaded
        .config
        .facility
        .languages
        .iter()
        .position(|l| *l == lang)
}

/// Where `outcome` stands in the profile's list (the staff screen's order).
fn outcome_at(d: &Desk, outcome: Outcome) -> usize {
    d.loaded
        .profile
        .outcomes
        .iter()
        .position(|o| o.outcome == outcome)
        .unwrap()
}

fn session<D: KioskDesk>(desk: &D, t: Instant) -> Session {
    Session::new(desk.loaded(), Box::new(DemoSource::default()), t)
}

fn outbox_rows(d: &Desk, id: &str) -> i64 {
    d.record()
        .read(|r| {
            r.conn().query_row(
                "SELECT COUNT(*) FROM outbox WHERE encounter_id = ?1",
                [id],
                |r| r.get(0),
            )
        })
        .unwrap()
        .unwrap()
}

/// Walk the official flow to the review screen.
fn official_to_review(s: &mut Session, d: &mut Desk, t: Instant) {
    s.handle(d, Action::Begin, t);
    s.handle(d, Action::Start(StartChoice::Official), t);
    s.handle(d, Action::OfficialNext, t);
    s.type_into(d, Field::Agency, "ICE ERO", t);
    s.type_into(d, Field::OfficerName, "Ana Ruiz", t);
    s.type_into(d, Field::OfficerBadge, "4471", t);
    s.handle(d, Action::AddOfficer, t);
    s.type_into(d, Field::OfficerName, "Tomás Ng", t);
    s.handle(d, Action::OfficialNext, t);
    assert_eq!(s.screen(), Screen::OfficialVisit);
    s.type_into(d, Field::Sought, "records of a program participant", t);
    s.handle(d, Action::SetExigent(false), t);
    s.handle(d, Action::OfficialNext, t);
    let admin = d
        .loaded
        .profile
        .documents
        .iter()
        .position(|x| x.kind == DocumentKind::AdministrativeWarrant)
        .unwrap();
    s.handle(d, Action::PickDocument(admin), t);
    s.handle(d, Action::OfficialNext, t);
    assert_eq!(s.screen(), Screen::OfficialCapture);
    for _ in 0..2 {
        s.handle(d, Action::Capture, t);
        s.handle(d, Action::KeepPage, t);
    }
    s.handle(d, Action::OfficialNext, t);
    assert_eq!(s.screen(), Screen::OfficialReview);
}

#[test]
fn the_encounter_is_opened_and_paged_at_the_first_official_screen() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(dir.path());
    let t = Instant::now();
    let mut s = session(&d, t);
    s.handle(&mut d, Action::Begin, t);
    assert!(d.open_encounters().unwrap().is_empty());
    s.handle(&mut d, Action::Start(StartChoice::Official), t);
    assert_eq!(s.screen(), Screen::OfficialNotice);
    let id = s
        .encounter()
        .expect("opened before anything is typed")
        .to_string();
    let open = d.open_encounters().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].id, id);
    // Designated staff and counsel (tier 0) are queued in the same step.
    assert!(outbox_rows(&d, &id) >= 2);
    let rec = d.encounter(&id).unwrap();
    assert_eq!(rec.via, "kiosk");
    assert!(rec.officers.is_empty());
}

#[test]
fn the_official_flow_records_officers_pages_and_details() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(dir.path());
    let t = Instant::now();
    let mut s = session(&d, t);
    official_to_review(&mut s, &mut d, t);
    let id = s.encounter().unwrap().to_string();
    // Pages are recorded as they are kept, before the review.
    assert_eq!(d.encounter(&id).unwrap().pages.len(), 2);
    s.handle(&mut d, Action::Submit, t);
    assert_eq!(s.screen(), Screen::OfficialWaiting);
    let rec = d.encounter(&id).unwrap();
    let officers: Vec<_> = rec
        .officers
        .iter()
        .map(|o| (o.name.as_str(), o.badge.as_str(), o.agency.as_str()))
        .collect();
    assert_eq!(
        officers,
        [("Ana Ruiz", "4471", "ICE ERO"), ("Tomás Ng", "", "ICE ERO")]
    );
    assert_eq!(rec.document_kind.as_deref(), Some("administrative-warrant"));
    assert_eq!(
        rec.sought.as_deref(),
        Some("records of a program participant")
    );
    assert!(!rec.exigent);
    // The waiting screen, which the officials read, says which roles were
    // notified, one line each, and names nobody.
    let v = s.view(&d);
    let roles: Vec<_> = v.paged.iter().map(|p| p.role.as_str()).collect();
    assert!(roles.contains(&"counsel"), "{roles:?}");
    assert!(roles.contains(&"designated-staff"), "{roles:?}");
    let mut unique = roles.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), roles.len(), "one line per role: {roles:?}");
    assert!(v.paged.iter().all(|p| p.name.is_empty()), "{:?}", v.paged);
    assert!(v.paged.iter().all(|p| p.role != "rapid-response"));
    KioskDesk::acknowledge(&mut d, &id, "Rosa Delgado").unwrap();
    let v = s.view(&d);
    let counsel = v.paged.iter().find(|p| p.role == "counsel").unwrap();
    assert!(!counsel.acknowledged_at.is_empty());
    // The receipt the officials print lists what was recorded of the visit.
    s.handle(&mut d, Action::Print, t);
    let jobs = s.take_print_jobs();
    let Some(crate::render::receipt::Receipt::OfficialReceipt(r)) = jobs.first() else {
        panic!("no official receipt: {jobs:?}");
    };
    assert_eq!(r.reference, id);
    assert_eq!(r.agency, "ICE ERO");
    assert_eq!(r.officers, ["Ana Ruiz · 4471", "Tomás Ng"]);
    assert!(r.document.english.contains("I-200"), "{:?}", r.document);
    assert_eq!(r.pages, 2);
    assert_eq!(
        r.seeking.as_deref(),
        Some("records of a program participant")
    );
    // Closing the encounter returns the kiosk to the notice.
    Desk::decide(&d, &id, Outcome::Left, "Dana", None, None).unwrap();
    Desk::close(&d, &id, "Dana").unwrap();
    s.tick(&mut d, t + Duration::from_secs(1));
    assert_eq!(s.screen(), Screen::Idle);
}

#[test]
fn each_official_step_says_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(dir.path());
    let t = Instant::now();
    let mut s = session(&d, t);
    s.handle(&mut d, Action::Start(StartChoice::Official), t);
    s.handle(&mut d, Action::OfficialNext, t);
    s.handle(&mut d, Action::OfficialNext, t);
    assert_eq!(s.view(&d).problem, Some(Problem::NeedAgency));
    s.type_into(&mut d, Field::Agency, "CBP", t);
    s.handle(&mut d, Action::OfficialNext, t);
    assert_eq!(s.view(&d).problem, Some(Problem::NeedOfficer));
    assert_eq!(s.view(&d).active_field, Some(Field::OfficerName));
    s.type_into(&mut d, Field::OfficerName, "Lee", t);
    s.handle(&mut d, Action::OfficialNext, t);
    s.handle(&mut d, Action::OfficialNext, t);
    assert_eq!(s.view(&d).problem, Some(Problem::PickExigent));
    s.handle(&mut d, Action::SetExigent(true), t);
    s.handle(&mut d, Action::OfficialNext, t);
    s.handle(&mut d, Action::OfficialNext, t);
    assert_eq!(s.view(&d).problem, Some(Problem::PickDocument));
    s.handle(&mut d, Action::PickDocument(0), t);
    s.handle(&mut d, Action::OfficialNext, t);
    s.handle(&mut d, Action::OfficialNext, t);
    assert_eq!(s.view(&d).problem, Some(Problem::NeedPage));
    s.handle(&mut d, Action::Capture, t);
    assert!(s.view(&d).preview.is_some());
    s.handle(&mut d, Action::OfficialNext, t);
    assert_eq!(s.view(&d).problem, Some(Problem::KeepOrRetake));
    s.handle(&mut d, Action::Retake, t);
    s.handle(&mut d, Action::KeepPage, t);
    assert_eq!(s.view(&d).pages, 1);
    s.handle(&mut d, Action::OfficialNext, t);
    assert_eq!(s.screen(), Screen::OfficialReview);
}

#[test]
fn an_official_who_walks_away_leaves_the_encounter_open_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(dir.path());
    let t = Instant::now();
    let mut s = session(&d, t);
    s.handle(&mut d, Action::Start(StartChoice::Official), t);
    s.handle(&mut d, Action::OfficialNext, t);
    s.type_into(&mut d, Field::Agency, "HSI", t);
    s.type_into(&mut d, Field::OfficerName, "Ortiz", t);
    let id = s.encounter().unwrap().to_string();
    s.tick(&mut d, t + Duration::from_secs(61) + WARN_FOR);
    assert_eq!(s.screen(), Screen::Idle);
    assert_eq!(s.encounter(), None);
    let rec = d.encounter(&id).unwrap();
    assert!(rec.closed_at.is_none());
    assert_eq!(rec.notes.len(), 1);
    assert!(
        rec.notes[0].text.contains("agency: HSI"),
        "{}",
        rec.notes[0].text
    );
    assert!(rec.notes[0].text.contains("officer: Ortiz"));
}

#[test]
fn a_visitor_checks_in_with_a_first_name_and_never_with_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(dir.path());
    let t = Instant::now();
    let mut s = session(&d, t);
    s.handle(&mut d, Action::Start(StartChoice::Visitor), t);
    s.handle(&mut d, Action::VisitorNext, t);
    assert_eq!(s.view(&d).problem, Some(Problem::PickPurpose));
    s.handle(&mut d, Action::PickPurpose(1), t);
    s.type_into(&mut d, Field::VisitorName, "Maria Lopez", t);
    s.handle(&mut d, Action::VisitorConfirm, t);
    assert_eq!(s.view(&d).problem, Some(Problem::NameRule));
    s.handle(&mut d, Action::Focus(Field::VisitorName), t);
    for _ in 0..6 {
        s.handle(&mut d, Action::Backspace, t);
    }
    s.type_into(&mut d, Field::VisitorHost, "case 123456", t);
    s.handle(&mut d, Action::VisitorConfirm, t);
    let v = s.view(&d);
    assert_eq!(v.problem, Some(Problem::LooksLikeId));
    assert_eq!(v.active_field, Some(Field::VisitorHost));
    assert_eq!(v.field(Field::VisitorName), "Maria", "input kept");
    s.handle(&mut d, Action::Focus(Field::VisitorHost), t);
    for _ in 0..11 {
        s.handle(&mut d, Action::Backspace, t);
    }
    s.type_into(&mut d, Field::VisitorHost, "Story time", t);
    s.handle(&mut d, Action::VisitorConfirm, t);
    assert_eq!(s.screen(), Screen::VisitorDone);
    let v = s.view(&d);
    assert!(v.visitor_ref.starts_with("V-"));
    // The thank-you screen goes back to the notice by itself.
    s.tick(&mut d, t + DONE_AFTER);
    assert_eq!(s.screen(), Screen::Idle);
}

#[test]
fn five_wrong_pins_lock_staff_mode_for_five_minutes() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(dir.path());
    let t = Instant::now();
    let mut s = session(&d, t);
    let pin = |s: &mut Session, d: &mut Desk, digits: &str, t| {
        s.handle(d, Action::OpenStaff, t);
        for c in digits.bytes() {
            s.handle(d, Action::PinDigit(c - b'0'), t);
        }
        s.handle(d, Action::PinEnter, t);
    };
    for left in (1..5).rev() {
        pin(&mut s, &mut d, "9999", t);
        assert_eq!(s.view(&d).problem, Some(Problem::WrongPin { left }));
    }
    pin(&mut s, &mut d, "9999", t);
    assert_eq!(s.view(&d).problem, Some(Problem::Locked { minutes: 5 }));
    // Locked even against the right PIN, and a timeout does not unlock it.
    s.tick(&mut d, t + Duration::from_secs(120));
    pin(&mut s, &mut d, "1234", t + Duration::from_secs(120));
    assert_eq!(s.view(&d).problem, Some(Problem::Locked { minutes: 3 }));
    assert_eq!(s.staff(), None);
    pin(&mut s, &mut d, "1234", t + LOCKOUT);
    assert_eq!(s.staff(), Some("Dana Whitfield"));
    assert_eq!(s.screen(), Screen::StaffHome);
    // Staff mode locks itself after the idle timeout.
    s.tick(&mut d, t + LOCKOUT + Duration::from_secs(60) + WARN_FOR);
    assert_eq!(s.staff(), None);
}

fn unlock<D: KioskDesk>(s: &mut Session, d: &mut D, t: Instant) {
    s.handle(d, Action::OpenStaff, t);
    for c in [1, 2, 3, 4] {
        s.handle(d, Action::PinDigit(c), t);
    }
    s.handle(d, Action::PinEnter, t);
    assert_eq!(s.screen(), Screen::StaffHome);
}

#[test]
fn staff_mode_enforces_the_counsel_rule_and_the_override_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(dir.path());
    let t = Instant::now();
    let mut s = session(&d, t);
    // Staff actions from a locked kiosk do nothing.
    s.handle(&mut d, Action::OfficialsAtDesk, t);
    assert!(d.open_encounters().unwrap().is_empty());
    unlock(&mut s, &mut d, t);
    s.handle(&mut d, Action::OfficialsAtDesk, t);
    assert_eq!(s.screen(), Screen::StaffEncounter);
    let id = d.open_encounters().unwrap()[0].id.clone();
    assert!(outbox_rows(&d, &id) >= 2, "paged at once");
    let exigent = outcome_at(&d, Outcome::RecordsProduced);
    s.handle(&mut d, Action::PickOutcome(exigent), t);
    s.handle(&mut d, Action::StaffDecide, t);
    let v = s.view(&d);
    assert_eq!(v.problem, Some(Problem::Refused));
    assert!(v.detail.contains("counsel"), "{}", v.detail);
    assert!(d.encounter(&id).unwrap().outcome.is_none());
    s.type_into(
        &mut d,
        Field::OverrideReason,
        "fire alarm; officers followed",
        t,
    );
    s.handle(&mut d, Action::StaffDecide, t);
    assert_eq!(s.view(&d).problem, None, "{}", s.view(&d).detail);
    let rec = d.encounter(&id).unwrap();
    assert_eq!(
        rec.decision_basis.as_deref(),
        Some(DecisionBasis::ExigentOverride.token())
    );
    assert_eq!(rec.decided.unwrap().by, "Dana Whitfield");
    // Checklist, instruction, note, acknowledge, close: all by the staff member.
    s.handle(
        &mut d,
        Action::StaffChecklist("signed-by-judge".into(), ChecklistAnswer::No),
        t,
    );
    s.type_into(&mut d, Field::Instruction, "Do not consent to a search", t);
    s.handle(&mut d, Action::StaffSaveInstruction, t);
    s.type_into(&mut d, Field::Note, "Two officers, left at 10:40", t);
    s.handle(&mut d, Action::StaffAddNote, t);
    s.handle(&mut d, Action::StaffAcknowledge, t);
    let v = s.view(&d);
    assert_eq!(
        v.checklist
            .iter()
            .find(|c| c.id == "signed-by-judge")
            .unwrap()
            .answer,
        "no"
    );
    assert_eq!(v.instructions.len(), 1);
    assert_eq!(v.notes.len(), 1);
    assert!(v
        .paged
        .iter()
        .any(|p| p.name == "Dana Whitfield" && !p.acknowledged_at.is_empty()));
    // Closing asks first; anything else but the confirmation keeps it open.
    s.handle(&mut d, Action::StaffClose, t);
    assert!(s.view(&d).confirm_close);
    assert!(d.encounter(&id).unwrap().closed_at.is_none());
    s.handle(&mut d, Action::StaffKeepOpen, t);
    assert!(!s.view(&d).confirm_close);
    s.handle(&mut d, Action::StaffCloseConfirmed, t);
    assert!(
        d.encounter(&id).unwrap().closed_at.is_none(),
        "confirming needs the question first"
    );
    s.handle(&mut d, Action::StaffClose, t);
    s.handle(&mut d, Action::StaffCloseConfirmed, t);
    assert_eq!(s.screen(), Screen::StaffHome);
    assert!(d.encounter(&id).unwrap().closed_at.is_some());
    let v = s.view(&d);
    assert!(v.open.is_empty());
    assert_eq!(v.encounters_today, 1);
}

#[test]
fn with_counsel_acknowledged_the_outcome_needs_no_override() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(dir.path());
    let t = Instant::now();
    let mut s = session(&d, t);
    unlock(&mut s, &mut d, t);
    s.handle(&mut d, Action::ToggleDrill, t);
    s.handle(&mut d, Action::OfficialsAtDesk, t);
    let id = d.open_encounters().unwrap()[0].id.clone();
    assert!(
        d.encounter(&id).unwrap().drill,
        "drill toggle marks new encounters"
    );
    Desk::acknowledge(&d, &id, "Rosa Delgado", Via::Cli).unwrap();
    let other = outcome_at(&d, Outcome::Other);
    s.handle(&mut d, Action::PickOutcome(other), t);
    s.handle(&mut d, Action::StaffDecide, t);
    assert_eq!(s.view(&d).problem, None, "{}", s.view(&d).detail);
    assert_eq!(
        d.encounter(&id).unwrap().decision_basis.as_deref(),
        Some(DecisionBasis::CounselAcknowledged.token())
    );
}

#[test]
fn a_failing_store_is_said_and_loses_nothing_typed_or_captured() {
    let dir = tempfile::tempdir().unwrap();
    let mut f = Flaky {
        desk: desk(dir.path()),
        broken: true,
    };
    let t = Instant::now();
    let mut s = Session::new(&f.desk.loaded, Box::new(DemoSource::default()), t);
    // Opening fails: the notice still shows, with the problem; Next retries.
    s.handle(&mut f, Action::Start(StartChoice::Official), t);
    assert_eq!(s.view(&f).problem, Some(Problem::NotRecorded));
    assert!(s.view(&f).detail.contains("simulated full disk"));
    s.handle(&mut f, Action::OfficialNext, t);
    assert_eq!(s.screen(), Screen::OfficialNotice);
    f.broken = false;
    s.handle(&mut f, Action::OfficialNext, t);
    assert_eq!(s.screen(), Screen::OfficialOfficers);
    let id = s.encounter().unwrap().to_string();
    // A kept page that fails to record stays in the preview to keep again.
    s.type_into(&mut f, Field::Agency, "ICE", t);
    s.type_into(&mut f, Field::OfficerName, "Park", t);
    s.handle(&mut f, Action::OfficialNext, t);
    s.handle(&mut f, Action::SetExigent(false), t);
    s.handle(&mut f, Action::OfficialNext, t);
    s.handle(&mut f, Action::PickDocument(0), t);
    s.handle(&mut f, Action::OfficialNext, t);
    s.handle(&mut f, Action::Capture, t);
    f.broken = true;
    s.handle(&mut f, Action::KeepPage, t);
    assert_eq!(s.view(&f).problem, Some(Problem::NotRecorded));
    assert!(s.view(&f).preview.is_some());
    f.broken = false;
    s.handle(&mut f, Action::KeepPage, t);
    assert_eq!(s.view(&f).pages, 1);
    s.handle(&mut f, Action::OfficialNext, t);
    f.broken = true;
    s.handle(&mut f, Action::Submit, t);
    assert_eq!(s.screen(), Screen::OfficialReview);
    assert_eq!(s.view(&f).officers, ["Park"]);
    f.broken = false;
    s.handle(&mut f, Action::Submit, t);
    assert_eq!(s.screen(), Screen::OfficialWaiting);
    assert_eq!(KioskDesk::encounter(&f, &id).unwrap().officers.len(), 1);
}

#[test]
fn keys_respect_field_limits_and_refuse_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(dir.path());
    let t = Instant::now();
    let mut s = session(&d, t);
    s.handle(&mut d, Action::Start(StartChoice::Visitor), t);
    s.handle(&mut d, Action::PickPurpose(0), t);
    s.type_into(&mut d, Field::VisitorName, &"é".repeat(30), t);
    let v = s.view(&d);
    assert_eq!(v.field(Field::VisitorName).chars().count(), 24);
    assert_eq!(v.problem, Some(Problem::TooLong));
    s.handle(&mut d, Action::Key("\u{7}".into()), t);
    assert_eq!(s.view(&d).field(Field::VisitorName).chars().count(), 24);
}

#[test]
fn resources_have_qr_codes_in_the_chosen_language() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(dir.path());
    let t = Instant::now();
    let mut s = session(&d, t);
    s.handle(&mut d, Action::ChooseLanguage(1), t);
    s.handle(&mut d, Action::Start(StartChoice::Resources), t);
    let v = s.view(&d);
    assert_eq!(v.resources.len(), d.loaded.profile.resources.len());
    assert!(v.resources.iter().all(|r| r.qr.is_some()));
    assert_eq!(v.resources[0].name, d.loaded.profile.resources[0].name.es);
}

#[test]
fn the_record_keeps_the_language_the_kiosk_showed_the_official() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(dir.path());
    let t = Instant::now();
    let mut s = session(&d, t);
    let vi = chip_of(&d, Language::Vietnamese).unwrap();
    s.handle(&mut d, Action::ChooseLanguage(vi), t);
    s.handle(&mut d, Action::Begin, t);
    s.handle(&mut d, Action::Start(StartChoice::Official), t);
    let id = s.encounter().unwrap().to_string();
    assert_eq!(
        d.encounter(&id).unwrap().kiosk_language,
        Some(Language::Vietnamese)
    );
    // Opened by staff's one tap: no official read the kiosk.
    s.handle(&mut d, Action::StaffLock, t);
    unlock(&mut s, &mut d, t);
    s.handle(&mut d, Action::OfficialsAtDesk, t);
    let staff_opened = d
        .open_encounters()
        .unwrap()
        .into_iter()
        .find(|e| e.id != id)
        .unwrap();
    assert_eq!(d.encounter(&staff_opened.id).unwrap().kiosk_language, None);
}
