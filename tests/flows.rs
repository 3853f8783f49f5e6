//! Check-in and encounter flows through the use cases, with a test clock.

mod common;

use chrono::Duration;
use common::*;
use threshold::app::{AppError, PageImage, TextKind};
use threshold::domain::checkin::{CheckInRefused, VisitorCheckIn};
use threshold::domain::document::DocumentKind;
use threshold::domain::encounter::*;
use threshold::domain::language::Language;
use threshold::store::query::{self, for_each_log_row, LogFilter, LogKind};

fn visitor(name: Option<&str>) -> VisitorCheckIn {
    VisitorCheckIn {
        purpose: "appointment".into(),
        name: name.map(Into::into),
        host: Some("Ms. Ortiz".into()),
        language: Language::Spanish,
        entrance: "main".into(),
    }
}

fn details(kind: DocumentKind) -> EncounterDetails {
    EncounterDetails {
        officers: vec!["Ana Ruiz;4471;ICE ERO".parse().unwrap()],
        supervisor: Some("Sgt. Lee, +1 415 555 0199".into()),
        purpose: Some("looking for a person".into()),
        sought: Some("a resident".into()),
        area: Some(("Staff office".into(), true)),
        exigent: false,
        document_kind: kind,
        document: DocumentDetails::default(),
    }
}

#[test]
fn visitor_check_in_records_minimal_data() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path(), TestClock::at(2026, 11, 27, 18));
    let id = desk.check_in_visitor(visitor(Some("Lan"))).unwrap();
    assert!(id.starts_with("V-") && id.len() == 12, "{id}");
    let err = desk
        .check_in_visitor(visitor(Some("Lan Nguyen")))
        .unwrap_err();
    assert!(matches!(
        err,
        AppError::CheckIn(CheckInRefused::NameNotOneWord { .. })
    ));
    let mut rows = Vec::new();
    desk.record()
        .read(|r| {
            for_each_log_row(r.conn(), &LogFilter::default(), |r| {
                rows.push(r);
                Ok(())
            })
        })
        .unwrap()
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].name.as_deref(), Some("Lan"));
    assert_eq!(rows[0].language.as_deref(), Some("es"));
    // The journal body holds references, never the name itself.
    let body: String = desk
        .record()
        .read(|r| {
            r.conn()
                .query_row("SELECT body FROM journal", [], |r| r.get(0))
        })
        .unwrap()
        .unwrap();
    assert!(!body.contains("Lan") && !body.contains("Ortiz"), "{body}");
}

#[test]
fn official_flow_enforces_counsel_rule_and_records_everything() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(2026, 11, 27, 18);
    let desk = desk(dir.path(), clock.clone());
    // The kiosk opens the encounter before anything is typed.
    let id = desk.open_encounter(None, Via::Kiosk, false).unwrap();
    assert!(desk
        .record()
        .read(|r| query::encounter_state(r.conn(), &id))
        .unwrap()
        .unwrap()
        .is_some());
    clock.advance(Duration::seconds(20));
    desk.record_details(&id, details(DocumentKind::JudicialSearchWarrant), "Dana")
        .unwrap();
    let page = PageImage::from_bytes("p1", png(1)).unwrap();
    assert_eq!(desk.attach_page(&id, &page).unwrap(), 1);
    assert_eq!(
        desk.attach_page(&id, &PageImage::from_bytes("p2", png(2)).unwrap())
            .unwrap(),
        2
    );

    // Records produced before counsel acknowledged: refused (complying
    // with a judicial warrant is not: see below).
    let refused = desk
        .decide(&id, Outcome::RecordsProduced, "Dana", None, None)
        .unwrap_err();
    assert!(matches!(
        refused,
        AppError::Rule(RuleRefused::CounselNotAcknowledged(_))
    ));
    // A staff acknowledgement does not satisfy the counsel rule.
    desk.acknowledge(&id, "Dana Whitfield", Via::StaffMode)
        .unwrap();
    assert!(desk
        .decide(&id, Outcome::RecordsProduced, "Dana", None, None)
        .is_err());
    clock.advance(Duration::seconds(40));
    let role = desk.acknowledge(&id, "Rosa Delgado", Via::Cli).unwrap();
    assert_eq!(role, Some(threshold::domain::role::Role::Counsel));
    desk.answer_checklist(&id, "signed-by-judge", ChecklistAnswer::Yes, "Dana")
        .unwrap();
    assert!(matches!(
        desk.answer_checklist(&id, "is-blue", ChecklistAnswer::Yes, "Dana"),
        Err(AppError::UnknownChecklistItem { .. })
    ));
    desk.add_text(
        &id,
        TextKind::CounselInstruction,
        "Allow the workroom only",
        "Rosa Delgado",
    )
    .unwrap();
    let basis = desk
        .decide(&id, Outcome::AccessJudicialWarrant, "Dana", None, None)
        .unwrap();
    assert_eq!(basis, DecisionBasis::CounselAcknowledged);
    desk.add_text(&id, TextKind::Note, "Stayed 20 minutes", "Dana")
        .unwrap();
    desk.close(&id, "Dana").unwrap();
    assert!(matches!(
        desk.add_text(&id, TextKind::Note, "late", "Dana"),
        Err(AppError::Rule(RuleRefused::Closed))
    ));

    let rec = desk
        .record()
        .read(|r| query::encounter(r.conn(), &id))
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(rec.officers[0].badge, "4471");
    assert_eq!(rec.pages.len(), 2);
    assert_eq!(rec.acknowledgements.len(), 2);
    let answered: Vec<_> = rec
        .checklist
        .iter()
        .map(|a| (a.item.as_str(), a.answer.as_str(), a.by.as_str()))
        .collect();
    assert_eq!(answered, [("signed-by-judge", "yes", "Dana")]);
    assert!(!rec.checklist[0].at.is_empty());
    assert_eq!(rec.counsel_instructions[0].text, "Allow the workroom only");
    assert_eq!(rec.outcome.as_deref(), Some("access-judicial-warrant"));
    assert_eq!(
        rec.area_public,
        Some(false),
        "Staff office is non-public in the demo config"
    );
    assert!(rec.closed_at.is_some());
    assert_eq!(rec.timeline.len(), 12, "opened, tier 1 paged, details, 2 pages, 2 acks, checklist, instruction, decided, note, closed");
    let page0 = desk.page_image(&rec.pages[0].id).unwrap();
    assert_eq!(page0, png(1));
    assert!(desk.verify().unwrap().intact());
}

#[test]
fn override_needs_a_reason_and_is_recorded_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path(), TestClock::at(2026, 11, 27, 18));
    let id = desk
        .check_in_official(None, Via::Cli, false, details(DocumentKind::None), &[])
        .unwrap();
    assert!(matches!(
        desk.decide(&id, Outcome::RecordsProduced, "Dana", None, Some("   ")),
        Err(AppError::Rule(RuleRefused::EmptyOverrideReason))
    ));
    assert!(matches!(
        desk.close(&id, "Dana"),
        Err(AppError::Rule(RuleRefused::NoOutcome))
    ));
    let basis = desk
        .decide(
            &id,
            Outcome::RecordsProduced,
            "Dana",
            None,
            Some("Fire alarm; person trapped"),
        )
        .unwrap();
    assert_eq!(basis, DecisionBasis::ExigentOverride);
    let rec = desk
        .record()
        .read(|r| query::encounter(r.conn(), &id))
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(rec.decision_basis.as_deref(), Some("exigent-override"));
    assert_eq!(
        rec.override_reason.as_deref(),
        Some("Fire alarm; person trapped")
    );
}

#[test]
fn unknown_area_and_entrance_are_refused_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path(), TestClock::at(2026, 11, 27, 18));
    let mut d = details(DocumentKind::None);
    d.area = Some(("Roof".into(), false));
    let err = desk
        .check_in_official(None, Via::Cli, false, d, &[])
        .unwrap_err();
    assert!(err.to_string().contains("unknown area `Roof`"), "{err}");
    let err = desk
        .open_encounter(Some("back-door"), Via::Kiosk, false)
        .unwrap_err();
    assert!(
        err.to_string().contains("allowed: main, parking-lot"),
        "{err}"
    );
    assert_eq!(journal_len(dir.path()), 0);
}

#[test]
fn log_filters_by_kind_purpose_and_time() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(2026, 11, 1, 18);
    let desk = desk(dir.path(), clock.clone());
    for day in 0..5 {
        desk.check_in_visitor(visitor(None)).unwrap();
        let mut v = visitor(None);
        v.purpose = "program".into();
        desk.check_in_visitor(v).unwrap();
        if day == 2 {
            desk.open_encounter(None, Via::StaffMode, true).unwrap();
        }
        clock.advance(Duration::days(1));
    }
    let count = |f: LogFilter| {
        let mut n = 0;
        desk.record()
            .read(|r| {
                for_each_log_row(r.conn(), &f, |_| {
                    n += 1;
                    Ok(())
                })
            })
            .unwrap()
            .unwrap();
        n
    };
    assert_eq!(count(LogFilter::default()), 11);
    assert_eq!(
        count(LogFilter {
            kind: Some(LogKind::Encounter),
            ..Default::default()
        }),
        1
    );
    assert_eq!(
        count(LogFilter {
            purpose: Some("program".into()),
            ..Default::default()
        }),
        5
    );
    let mid = LogFilter {
        from: Some("2026-11-02T00:00:00.000Z".into()),
        to: Some("2026-11-04T00:00:00.000Z".into()),
        kind: Some(LogKind::Visitor),
        purpose: None,
    };
    assert_eq!(count(mid.clone()), 4);
    let page = desk
        .record()
        .read(|r| query::checkins_page(r.conn(), &mid, None, 3))
        .unwrap()
        .unwrap();
    assert_eq!(page.len(), 3);
    let last = page.last().unwrap();
    let rest = desk
        .record()
        .read(|r| query::checkins_page(r.conn(), &mid, Some((&last.at, &last.id)), 3))
        .unwrap()
        .unwrap();
    assert_eq!(rest.len(), 1);
    assert!(page.iter().all(|r| r.id != rest[0].id));
}

#[test]
fn what_happened_is_recorded_as_it_happened_with_whether_counsel_was_reached() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path(), TestClock::at(2026, 11, 27, 18));
    // A valid judicial warrant is obeyed: recorded at once, no override,
    // saying counsel had not been reached.
    let id = desk
        .check_in_official(
            None,
            Via::Cli,
            false,
            details(DocumentKind::JudicialSearchWarrant),
            &[],
        )
        .unwrap();
    let basis = desk
        .decide(&id, Outcome::AccessJudicialWarrant, "Dana", None, None)
        .unwrap();
    assert_eq!(basis, DecisionBasis::BeforeCounsel);
    let rec = desk.encounter(&id).unwrap();
    assert_eq!(rec.decision_basis.as_deref(), Some("before-counsel"));
    assert_eq!(rec.override_reason, None);

    // An exigent entry records the officers' stated reason as theirs.
    let id = desk
        .check_in_official(None, Via::Cli, false, details(DocumentKind::None), &[])
        .unwrap();
    assert!(matches!(
        desk.decide(&id, Outcome::AccessExigent, "Dana", None, None),
        Err(AppError::Rule(RuleRefused::NeedsOfficialsReason(
            Outcome::AccessExigent
        )))
    ));
    desk.decide(
        &id,
        Outcome::AccessExigent,
        "Dana",
        None,
        Some("They said a child was in danger upstairs"),
    )
    .unwrap();
    let rec = desk.encounter(&id).unwrap();
    assert_eq!(
        rec.officials_reason.as_deref(),
        Some("They said a child was in danger upstairs")
    );
    assert_eq!(rec.override_reason, None, "their reason, not an override");
    assert_eq!(rec.decision_basis.as_deref(), Some("before-counsel"));

    // Officers entering anyway, and staff stepping back, need nothing.
    for outcome in [Outcome::EnteredWithoutConsent, Outcome::SteppedBack] {
        let id = desk
            .check_in_official(None, Via::Cli, false, details(DocumentKind::None), &[])
            .unwrap();
        assert_eq!(
            desk.decide(&id, outcome, "Dana", None, None).unwrap(),
            DecisionBasis::BeforeCounsel
        );
    }
    assert!(desk.verify().unwrap().intact());
}
