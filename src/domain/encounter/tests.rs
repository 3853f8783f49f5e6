//! The encounter rules: officers, details, outcomes, the counsel rule.

use super::*;
use crate::domain::language::Localized;

fn rule(outcome: Outcome, counsel: bool, judicial: bool) -> OutcomeRule {
    let t = "x".to_string();
    OutcomeRule {
        outcome,
        label: Localized {
            en: t.clone(),
            es: t.clone(),
            vi: t.clone(),
            zh_hans: t.clone(),
            tl: t,
        },
        requires_counsel_ack: counsel,
        requires_judicial_document: judicial,
        officials_reason: false,
    }
}

fn open(kind: Option<DocumentKind>, counsel: bool) -> EncounterState {
    EncounterState {
        closed: false,
        decided: None,
        document_kind: kind,
        counsel_acknowledged: counsel,
    }
}

#[test]
fn counsel_rule_blocks_access_before_acknowledgement() {
    let r = rule(Outcome::AccessJudicialWarrant, true, true);
    let s = open(Some(DocumentKind::JudicialSearchWarrant), false);
    assert_eq!(
        check_decision(&s, &r, None),
        Err(RuleRefused::CounselNotAcknowledged(
            Outcome::AccessJudicialWarrant
        ))
    );
    assert_eq!(
        check_decision(&s, &r, Some("  ")),
        Err(RuleRefused::EmptyOverrideReason)
    );
    assert_eq!(
        check_decision(&s, &r, Some("fire alarm, person inside")),
        Ok(DecisionBasis::ExigentOverride)
    );
    let acked = open(Some(DocumentKind::JudicialSearchWarrant), true);
    assert_eq!(
        check_decision(&acked, &r, None),
        Ok(DecisionBasis::CounselAcknowledged)
    );
}

#[test]
fn complying_with_a_judicial_warrant_is_recorded_at_once_saying_whether_counsel_was_reached() {
    let r = rule(Outcome::AccessJudicialWarrant, false, true);
    let s = open(Some(DocumentKind::JudicialSearchWarrant), false);
    assert_eq!(
        check_decision(&s, &r, None),
        Ok(DecisionBasis::BeforeCounsel)
    );
    let acked = open(Some(DocumentKind::JudicialSearchWarrant), true);
    assert_eq!(
        check_decision(&acked, &r, None),
        Ok(DecisionBasis::CounselAcknowledged)
    );
}

#[test]
fn an_exigent_entry_records_the_officials_reason() {
    let mut r = rule(Outcome::AccessExigent, false, false);
    r.officials_reason = true;
    let s = open(Some(DocumentKind::None), false);
    for empty in [None, Some(""), Some("  ")] {
        assert_eq!(
            check_decision(&s, &r, empty),
            Err(RuleRefused::NeedsOfficialsReason(Outcome::AccessExigent))
        );
    }
    assert_eq!(
        check_decision(&s, &r, Some("a child is in danger inside")),
        Ok(DecisionBasis::BeforeCounsel)
    );
}

#[test]
fn judicial_outcome_needs_judicial_document_even_with_override() {
    let r = rule(Outcome::AccessJudicialWarrant, true, true);
    for kind in [
        None,
        Some(DocumentKind::AdministrativeWarrant),
        Some(DocumentKind::None),
    ] {
        let err = check_decision(&open(kind, true), &r, Some("reason")).unwrap_err();
        assert!(matches!(err, RuleRefused::NeedsJudicialDocument { .. }));
    }
}

#[test]
fn outcomes_without_counsel_rule_and_closing() {
    let r = rule(Outcome::Left, false, false);
    let mut s = open(Some(DocumentKind::None), false);
    assert_eq!(check_close(&s), Err(RuleRefused::NoOutcome));
    assert_eq!(
        check_decision(&s, &r, None),
        Ok(DecisionBasis::BeforeCounsel)
    );
    s.decided = Some(Outcome::Left);
    assert_eq!(
        check_decision(&s, &r, None),
        Err(RuleRefused::AlreadyDecided(Outcome::Left))
    );
    assert_eq!(check_close(&s), Ok(()));
    s.closed = true;
    assert_eq!(check_close(&s), Err(RuleRefused::Closed));
    assert_eq!(check_open(&s), Err(RuleRefused::Closed));
}

#[test]
fn officers_parse() {
    let o: Officer = " Ana Ruiz ; 4471 ; ICE ERO ".parse().unwrap();
    assert_eq!(o.name, "Ana Ruiz");
    assert_eq!(o.badge, "4471");
    assert_eq!(o.agency, "ICE ERO");
    assert!("Ana;;HSI".parse::<Officer>().is_ok());
    assert!(matches!(
        "Ana Ruiz".parse::<Officer>(),
        Err(OfficerParseError::WrongShape { .. })
    ));
    assert!(matches!(
        ";1;HSI".parse::<Officer>(),
        Err(OfficerParseError::Empty { part: "name", .. })
    ));
}

#[test]
fn details_validation() {
    let mut d = EncounterDetails {
        officers: vec![],
        supervisor: None,
        purpose: None,
        sought: None,
        area: None,
        exigent: false,
        document_kind: DocumentKind::None,
        document: DocumentDetails::default(),
    };
    assert_eq!(d.validate(), Err(DetailsRefused::NoOfficers));
    d.officers.push("A;1;B".parse().unwrap());
    assert_eq!(d.validate(), Ok(()));
    d.document.issued = NaiveDate::from_ymd_opt(2026, 11, 2);
    d.document.expires = NaiveDate::from_ymd_opt(2026, 11, 1);
    assert!(matches!(
        d.validate(),
        Err(DetailsRefused::DatesReversed { .. })
    ));
}
