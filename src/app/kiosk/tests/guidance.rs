//! What staff mode tells the person at the desk: each document kind's
//! checklist with its help texts, the verdict its answers lead to, the
//! "say / do not do" card, counsel's instruction, and staff mode staying
//! unlocked while an encounter is on screen.

use super::*;
use crate::domain::clock::FixedClock;
use crate::domain::encounter::{EncounterDetails, Officer};
use crate::domain::guidance::{Unanswered, Verdict};
use crate::domain::language::Language;
use std::time::Duration;

/// Staff open an encounter from staff mode; the kiosk records that the
/// official presented `kind` (claiming exigent circumstances or not).
fn encounter_with(
    s: &mut Session,
    d: &mut Desk,
    kind: DocumentKind,
    exigent: bool,
    t: Instant,
) -> String {
    unlock(s, d, t);
    s.handle(d, Action::OfficialsAtDesk, t);
    let id = d.open_encounters().unwrap()[0].id.clone();
    let details = EncounterDetails {
        officers: vec![Officer {
            name: "Ana Ruiz".into(),
            badge: "4471".into(),
            agency: "ICE ERO".into(),
        }],
        supervisor: None,
        purpose: Some("a person inside is in danger".into()),
        sought: None,
        area: None,
        exigent,
        document_kind: kind,
        document: Default::default(),
    };
    d.record_details(&id, details, "kiosk").unwrap();
    id
}

/// A fresh desk and session, staff signed in, and an encounter whose
/// official presented `kind`.
fn at_desk(
    kind: DocumentKind,
    exigent: bool,
) -> (tempfile::TempDir, Desk, Session, Instant, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(dir.path());
    let t = Instant::now();
    let mut s = session(&d, t);
    let id = encounter_with(&mut s, &mut d, kind, exigent, t);
    (dir, d, s, t, id)
}

fn ids(v: &View) -> Vec<&str> {
    v.checklist.iter().map(|c| c.id.as_str()).collect()
}

fn answer(s: &mut Session, d: &mut Desk, item: &str, a: ChecklistAnswer, t: Instant) {
    s.handle(d, Action::StaffChecklist(item.into(), a), t);
    assert_eq!(s.view(d).problem, None, "{}", s.view(d).detail);
}

#[test]
fn each_document_kind_has_its_own_questions_with_their_help() {
    let expected: [(DocumentKind, &[&str]); 7] = [
        (
            DocumentKind::JudicialSearchWarrant,
            &[
                "names-court",
                "signed-by-judge",
                "dated-and-current",
                "names-address-and-areas",
                "names-persons-or-items",
            ],
        ),
        (
            DocumentKind::JudicialArrestWarrant,
            &["names-court", "signed-by-judge", "names-person"],
        ),
        (
            DocumentKind::JudicialSubpoena,
            &["names-court", "sets-a-date"],
        ),
        (
            DocumentKind::CourtOrder,
            &["names-court", "signed-by-judge", "dated-and-current"],
        ),
        (DocumentKind::AdministrativeWarrant, &[]),
        (DocumentKind::AgencyForm, &[]),
        (DocumentKind::None, &[]),
    ];
    for (kind, questions) in expected {
        let (_dir, d, s, _, _) = at_desk(kind, false);
        let v = s.view(&d);
        assert_eq!(ids(&v), questions, "{kind}");
        for c in &v.checklist {
            assert!(!c.help.is_empty(), "{kind}: `{}` has no help text", c.id);
        }
        let entry = d.loaded.profile.document(kind).unwrap();
        assert_eq!(
            v.document,
            d.loaded
                .profile
                .documents
                .iter()
                .position(|x| x.kind == kind)
        );
        let (verdict, text) = v
            .verdict
            .clone()
            .expect("a verdict once the document is recorded");
        assert_eq!(verdict, Verdict::Open, "{kind}: nothing answered yet");
        assert_eq!(text, entry.verdict.open.en, "{kind}");
    }
}

#[test]
fn the_help_texts_say_what_does_not_count() {
    let (_dir, d, s, _, _) = at_desk(DocumentKind::JudicialSearchWarrant, false);
    let v = s.view(&d);
    let help = |id: &str| {
        v.checklist
            .iter()
            .find(|c| c.id == id)
            .unwrap()
            .help
            .clone()
    };
    assert!(help("signed-by-judge").contains("\"immigration judge\" does not count"));
    assert!(help("names-court").contains("I-200, I-205) are not issued by a court"));
    assert!(help("dated-and-current").contains("no more than 14 days"));
}

#[test]
fn a_search_warrant_checked_yes_throughout_is_obeyed_and_one_no_is_refused() {
    let (_dir, mut d, mut s, t, _id) = at_desk(DocumentKind::JudicialSearchWarrant, false);
    let questions: Vec<String> = s.view(&d).checklist.iter().map(|c| c.id.clone()).collect();
    for q in &questions[..questions.len() - 1] {
        answer(&mut s, &mut d, q, ChecklistAnswer::Yes, t);
    }
    assert_eq!(
        s.view(&d).verdict.unwrap().0,
        Verdict::Open,
        "one question left"
    );
    answer(
        &mut s,
        &mut d,
        questions.last().unwrap(),
        ChecklistAnswer::Unclear,
        t,
    );
    assert_eq!(
        s.view(&d).verdict.unwrap().0,
        Verdict::Open,
        "unclear is not yes"
    );
    answer(
        &mut s,
        &mut d,
        questions.last().unwrap(),
        ChecklistAnswer::Yes,
        t,
    );
    let (verdict, text) = s.view(&d).verdict.unwrap();
    assert_eq!(verdict, Verdict::Checked);
    assert!(text.contains("Do not obstruct"), "{text}");
    // The latest answer counts: a judge's signature found to be an
    // immigration officer's turns the verdict.
    answer(&mut s, &mut d, "signed-by-judge", ChecklistAnswer::No, t);
    let (verdict, text) = s.view(&d).verdict.unwrap();
    assert_eq!(verdict, Verdict::Failed);
    assert!(text.contains("Do not consent to entry"), "{text}");
}

#[test]
fn an_administrative_warrant_is_named_for_what_it_is_whatever_is_answered() {
    let (_dir, d, s, _, _) = at_desk(DocumentKind::AdministrativeWarrant, false);
    let (verdict, text) = s.view(&d).verdict.unwrap();
    assert_eq!(verdict, Verdict::Open);
    assert!(text.starts_with("Not a judicial warrant"), "{text}");
    assert!(
        text.contains("Do not consent to entry into non-public areas"),
        "{text}"
    );
    assert!(text.contains("public area"), "{text}");
}

#[test]
fn a_subpoena_is_never_immediate_and_an_arrest_warrant_never_invites_blocking() {
    let (_dir, mut d, mut s, t, _id) = at_desk(DocumentKind::JudicialSubpoena, false);
    for q in ["names-court", "sets-a-date"] {
        answer(&mut s, &mut d, q, ChecklistAnswer::Yes, t);
    }
    let (verdict, text) = s.view(&d).verdict.unwrap();
    assert_eq!(verdict, Verdict::Checked);
    assert!(text.starts_with("Not immediate"), "{text}");
    assert!(text.contains("Do not allow entry now"), "{text}");

    let (_dir, d, _, _, _) = at_desk(DocumentKind::JudicialArrestWarrant, false);
    for verdict in [Verdict::Open, Verdict::Failed, Verdict::Checked] {
        let text = d
            .loaded
            .profile
            .document(DocumentKind::JudicialArrestWarrant)
            .unwrap()
            .verdict
            .text(verdict)
            .en
            .clone();
        assert!(
            text.to_lowercase().contains("do not obstruct"),
            "{verdict:?}: {text}"
        );
        assert!(
            !text.to_lowercase().contains("block"),
            "{verdict:?}: {text}"
        );
    }
}

#[test]
fn the_card_the_banner_and_counsels_instruction_are_on_the_encounter_screen() {
    let (_dir, mut d, mut s, t, id) = at_desk(DocumentKind::AdministrativeWarrant, true);
    s.handle(&mut d, Action::StaffOpen(id.clone()), t);
    let v = s.view(&d);
    assert!(
        v.card
            .0
            .iter()
            .any(|l| l == "I do not consent to a search."),
        "{:?}",
        v.card.0
    );
    assert!(
        v.card.1.iter().any(|l| l.contains("physically block")),
        "{:?}",
        v.card.1
    );
    assert_eq!(v.exigent, Some(true));
    assert_eq!(v.exigent_said, "a person inside is in danger");
    assert_eq!(v.pages, 0);
    // Counsel instructs from elsewhere (the CLI here): the next view shows it with who sent it.
    d.add_text(
        &id,
        TextKind::CounselInstruction,
        "Do not consent; they may wait in the lobby",
        "Rosa Delgado",
    )
    .unwrap();
    let v = s.view(&d);
    assert_eq!(v.instructions.len(), 1);
    assert!(
        v.instructions[0].contains("Rosa Delgado: Do not consent"),
        "{:?}",
        v.instructions
    );

    // In Vietnamese, every text comes from the profile in Vietnamese.
    s.handle(&mut d, Action::StaffHome, t);
    if let Some(i) = chip_of(&d, Language::Vietnamese) {
        s.handle(&mut d, Action::ChooseLanguage(i), t);
        s.handle(&mut d, Action::StaffOpen(id.clone()), t);
        let v = s.view(&d);
        let entry = d
            .loaded
            .profile
            .document(DocumentKind::AdministrativeWarrant)
            .unwrap();
        assert_eq!(v.verdict.unwrap().1, entry.verdict.open.vi);
        assert_eq!(v.card.0[0], d.loaded.profile.card.say[0].vi);
    }
}

#[test]
fn staff_mode_stays_unlocked_while_an_open_encounter_is_on_screen() {
    let (_dir, mut d, mut s, t, id) = at_desk(DocumentKind::None, false);
    s.handle(&mut d, Action::StaffOpen(id.clone()), t);
    assert_eq!(s.screen(), Screen::StaffEncounter);
    let idle = Duration::from_secs(d.loaded.config.kiosk.idle_timeout_s.into());
    let later = t + idle * 10;
    s.tick(&mut d, later);
    assert_eq!(
        s.screen(),
        Screen::StaffEncounter,
        "no reset in front of the officers"
    );
    assert!(s.staff().is_some());
    s.handle(&mut d, Action::StaffNotesScreen, later);
    s.tick(&mut d, later + idle * 10);
    assert_eq!(s.screen(), Screen::StaffNotes);
    // Closed elsewhere: the usual idle lock applies again.
    let waited = outcome_at(&d, Outcome::WaitedInPublicArea);
    s.handle(&mut d, Action::PickOutcome(waited), later);
    s.handle(&mut d, Action::StaffDecide, later);
    d.close(&id, "Dana Whitfield").unwrap();
    s.tick(&mut d, later + idle * 20);
    assert_eq!(s.screen(), Screen::Idle);
    assert!(s.staff().is_none());
}

#[test]
fn staff_home_still_locks_when_idle() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(dir.path());
    let t = Instant::now();
    let mut s = session(&d, t);
    unlock(&mut s, &mut d, t);
    let idle = Duration::from_secs(d.loaded.config.kiosk.idle_timeout_s.into());
    s.tick(&mut d, t + idle);
    assert_eq!(s.view(&d).idle_warning, Some(20), "warned first");
    s.tick(&mut d, t + idle + WARN_FOR);
    assert_eq!(s.screen(), Screen::Idle);
    assert!(s.staff().is_none());
}

/// The demo facility at a fixed time; with `smtp`, e-mail is set up so
/// opening an encounter queues pages.
fn desk_at(
    dir: &std::path::Path,
    smtp: bool,
    at: chrono::DateTime<chrono::Utc>,
) -> Desk<FixedClock> {
    let mut text = crate::config::DEMO_CONFIG.to_string();
    if smtp {
        text.push_str("\n[alerts.smtp]\nhost = \"127.0.0.1\"\nport = 2525\ntls = \"none\"\nfrom = \"kiosk@example.org\"\n");
    }
    let loaded = Loaded::from_text("test", &text, dir).unwrap();
    Desk::open(loaded, dir, FixedClock(at)).unwrap()
}

#[test]
fn nobody_paged_puts_the_call_counsel_banner_up_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let t0 = chrono::Utc::now();
    let mut d = desk_at(dir.path(), false, t0);
    let t = Instant::now();
    let mut s = session(&d, t);
    unlock(&mut s, &mut d, t);
    assert_eq!(s.view(&d).unanswered, None, "no open encounter, no banner");
    s.handle(&mut d, Action::OfficialsAtDesk, t);
    let v = s.view(&d);
    assert_eq!(v.unanswered, Some(Unanswered::NobodyPaged));
    // The demo's counsel contact's phone, as no number is configured.
    assert_eq!(v.counsel_number, "+14085550120");
    s.handle(&mut d, Action::StaffHome, t);
    assert_eq!(s.view(&d).unanswered, Some(Unanswered::NobodyPaged));
    assert_eq!(s.view(&d).open[0].unanswered, Some(Unanswered::NobodyPaged));
}

#[test]
fn the_banner_goes_up_after_the_first_tiers_deadline_and_down_when_counsel_answers() {
    let dir = tempfile::tempdir().unwrap();
    let t0 = chrono::Utc::now();
    let id = {
        let mut d = desk_at(dir.path(), true, t0);
        let t = Instant::now();
        let mut s = session(&d, t);
        unlock(&mut s, &mut d, t);
        s.handle(&mut d, Action::OfficialsAtDesk, t);
        assert_eq!(
            s.view(&d).unanswered,
            None,
            "paged, and within the deadline"
        );
        d.open_encounters().unwrap()[0].id.clone()
    };
    let deadline = {
        let d = desk_at(dir.path(), true, t0);
        d.loaded.config.first_deadline()
    };
    let mut d = desk_at(dir.path(), true, t0 + deadline);
    let t = Instant::now();
    let mut s = session(&d, t);
    unlock(&mut s, &mut d, t);
    assert_eq!(s.view(&d).unanswered, Some(Unanswered::NoAnswer));
    s.handle(&mut d, Action::StaffOpen(id.clone()), t);
    assert_eq!(s.view(&d).unanswered, Some(Unanswered::NoAnswer));
    // Staff acknowledging is not counsel answering.
    s.handle(&mut d, Action::StaffAcknowledge, t);
    assert_eq!(s.view(&d).unanswered, Some(Unanswered::NoAnswer));
    Desk::acknowledge(&d, &id, "Rosa Delgado", Via::Cli).unwrap();
    assert_eq!(s.view(&d).unanswered, None);
}

#[test]
fn a_configured_number_is_the_one_the_banner_gives_and_a_wrong_one_is_named() {
    let with = |number: &str| {
        crate::config::DEMO_CONFIG.replacen(
            "[[escalation.tiers]]",
            &format!("[escalation]\ncall_when_unanswered = \"{number}\"\n\n[[escalation.tiers]]"),
            1,
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let loaded = Loaded::from_text("test", &with("(408) 535-1900"), dir.path()).unwrap();
    assert_eq!(loaded.config.counsel_number(), Some("(408) 535-1900"));
    let err = Loaded::from_text("test", &with("ask Rosa"), dir.path())
        .unwrap_err()
        .to_string();
    assert!(err.contains("escalation.call_when_unanswered"), "{err}");
    assert!(err.contains("found `ask Rosa`"), "{err}");
}

#[test]
fn an_instruction_staff_type_is_counsels_relayed_by_staff() {
    let (_dir, mut d, mut s, t, id) = at_desk(DocumentKind::AdministrativeWarrant, false);
    s.handle(&mut d, Action::StaffOpen(id.clone()), t);
    s.handle(&mut d, Action::StaffNotesScreen, t);
    // The demo has one counsel contact: theirs unless staff say otherwise.
    assert_eq!(s.view(&d).counsel_names, ["Rosa Delgado"]);
    assert_eq!(s.view(&d).relay_from, Some(0));
    s.type_into(&mut d, Field::Instruction, "They may wait in the lobby", t);
    s.handle(&mut d, Action::StaffSaveInstruction, t);
    assert_eq!(s.view(&d).problem, None, "{}", s.view(&d).detail);
    let said = d.encounter(&id).unwrap().counsel_instructions;
    assert_eq!(said[0].by, "Rosa Delgado (relayed by Dana Whitfield)");
    assert_eq!(said[0].text, "They may wait in the lobby");
}

#[test]
fn with_two_counsel_contacts_staff_say_whose_instruction_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}\n[[contacts]]\nname = \"Ines Park\"\nrole = \"counsel\"\nemail = \"ines.park@example.org\"\n",
        crate::config::DEMO_CONFIG
    );
    let loaded = Loaded::from_text("test", &text, dir.path()).unwrap();
    let mut d = Desk::open(loaded, dir.path(), crate::app::SystemClock).unwrap();
    let t = Instant::now();
    let mut s = session(&d, t);
    let id = encounter_with(&mut s, &mut d, DocumentKind::None, false, t);
    s.handle(&mut d, Action::StaffOpen(id.clone()), t);
    s.handle(&mut d, Action::StaffNotesScreen, t);
    assert_eq!(s.view(&d).relay_from, None);
    s.type_into(&mut d, Field::Instruction, "Do not consent", t);
    s.handle(&mut d, Action::StaffSaveInstruction, t);
    assert_eq!(s.view(&d).problem, Some(Problem::PickCounsel));
    assert!(d.encounter(&id).unwrap().counsel_instructions.is_empty());
    assert_eq!(
        s.view(&d).field(Field::Instruction),
        "Do not consent",
        "nothing typed is lost"
    );
    s.handle(&mut d, Action::PickRelayFrom(1), t);
    s.handle(&mut d, Action::StaffSaveInstruction, t);
    assert_eq!(s.view(&d).problem, None, "{}", s.view(&d).detail);
    assert_eq!(
        d.encounter(&id).unwrap().counsel_instructions[0].by,
        "Ines Park (relayed by Dana Whitfield)"
    );
}

#[test]
fn the_outcome_screen_says_which_outcomes_wait_for_counsel() {
    let (_dir, mut d, mut s, t, id) = at_desk(DocumentKind::JudicialSearchWarrant, false);
    s.handle(&mut d, Action::StaffOpen(id.clone()), t);
    s.handle(&mut d, Action::StaffDecideScreen, t);
    let v = s.view(&d);
    let kind_of = |o: Outcome| {
        let i = d
            .loaded
            .profile
            .outcomes
            .iter()
            .position(|r| r.outcome == o)
            .unwrap();
        v.outcome_kinds[i]
    };
    assert_eq!(kind_of(Outcome::RecordsProduced), "counsel");
    assert_eq!(kind_of(Outcome::Other), "counsel");
    assert_eq!(kind_of(Outcome::AccessJudicialWarrant), "as-happened");
    assert_eq!(kind_of(Outcome::EnteredWithoutConsent), "as-happened");
    assert_eq!(kind_of(Outcome::SteppedBack), "as-happened");
    assert_eq!(kind_of(Outcome::AccessExigent), "officials-reason");
    // Complying with the judicial warrant needs no override reason, and the
    // record says counsel had not been reached.
    let complied = d
        .loaded
        .profile
        .outcomes
        .iter()
        .position(|r| r.outcome == Outcome::AccessJudicialWarrant)
        .unwrap();
    s.handle(&mut d, Action::PickOutcome(complied), t);
    s.handle(&mut d, Action::StaffDecide, t);
    let v = s.view(&d);
    assert_eq!(v.problem, None, "{}", v.detail);
    assert_eq!(v.decided_basis, "before-counsel");
    let rec = d.encounter(&id).unwrap();
    assert_eq!(rec.outcome.as_deref(), Some("access-judicial-warrant"));
    assert_eq!(rec.override_reason, None);
}

#[test]
fn a_refusal_is_worded_in_the_language_on_the_kiosk() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(dir.path());
    let t = Instant::now();
    let mut s = session(&d, t);
    let Some(vi) = chip_of(&d, Language::Vietnamese) else {
        return;
    };
    s.handle(&mut d, Action::ChooseLanguage(vi), t);
    unlock(&mut s, &mut d, t);
    s.handle(&mut d, Action::OfficialsAtDesk, t);
    // No outcome chosen, then one that waits for counsel: both refused,
    // in Vietnamese, and nothing is recorded.
    s.handle(&mut d, Action::StaffDecide, t);
    assert_eq!(s.view(&d).detail, "hãy chọn một kết quả trước");
    let produced = outcome_at(&d, Outcome::RecordsProduced);
    s.handle(&mut d, Action::PickOutcome(produced), t);
    s.handle(&mut d, Action::StaffDecide, t);
    let v = s.view(&d);
    assert_eq!(v.problem, Some(Problem::Refused));
    assert!(
        v.detail.contains("cần luật sư xác nhận trước"),
        "{}",
        v.detail
    );
    // The reader was the kiosk's for that moment only.
    assert_eq!(crate::domain::catalogue::reader(), Language::English);
}
