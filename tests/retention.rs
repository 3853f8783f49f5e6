//! Retention: purged personal data leaves the database file and the data
//! folder, and the chain still verifies.

mod common;

use chrono::Duration;
use common::*;
use threshold::app::PageImage;
use threshold::domain::checkin::VisitorCheckIn;
use threshold::domain::document::DocumentKind;
use threshold::domain::encounter::*;
use threshold::domain::language::Language;
use threshold::store::query;

/// Every file of the data folder, concatenated.
fn all_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.extend(std::fs::read(p).unwrap());
            }
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn purge_removes_personal_data_and_the_chain_still_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(2026, 1, 10, 17);
    let desk = desk(dir.path(), clock.clone());
    desk.check_in_visitor(VisitorCheckIn {
        purpose: "appointment".into(),
        name: Some("Quenby".into()),
        host: Some("Xylophone tutor".into()),
        language: Language::English,
        entrance: "main".into(),
    })
    .unwrap();
    let id = desk
        .check_in_official(
            None,
            Via::Cli,
            false,
            EncounterDetails {
                officers: vec!["Ozymandias Vreeland;QX-77;HSI".parse().unwrap()],
                supervisor: None,
                purpose: Some("Zebulon inquiry".into()),
                sought: None,
                area: None,
                exigent: false,
                document_kind: DocumentKind::AgencyForm,
                document: DocumentDetails::default(),
            },
            &[PageImage::from_bytes("p", png(7)).unwrap()],
        )
        .unwrap();
    desk.decide(&id, Outcome::Left, "Dana", None, None).unwrap();
    desk.close(&id, "Dana").unwrap();
    assert_eq!(
        std::fs::read_dir(dir.path().join("pages")).unwrap().count(),
        1
    );

    // Nothing is due yet; a dry run changes nothing.
    clock.advance(Duration::days(29));
    assert_eq!(desk.purge(false).unwrap().checkins, 0);
    clock.advance(Duration::days(2));
    let dry = desk.purge(true).unwrap();
    assert_eq!((dry.checkins, dry.vault_rows, dry.encounters), (1, 2, 0));
    assert!(contains(&all_bytes(dir.path()), "Quenby"));

    // Past 30 days: the visitor's name and host go; the encounter stays.
    let s = desk.purge(false).unwrap();
    assert_eq!((s.checkins, s.vault_rows, s.entries), (1, 2, 1));
    let bytes = all_bytes(dir.path());
    assert!(
        !contains(&bytes, "Quenby"),
        "a purged name is still in the data folder"
    );
    assert!(
        !contains(&bytes, "Xylophone"),
        "a purged host is still in the data folder"
    );
    let report = desk.verify().unwrap();
    assert!(report.intact(), "{:?}", report.findings);
    assert_eq!(report.purged_entries, 1);
    let rec = desk
        .record()
        .read(|r| query::encounter(r.conn(), &id))
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(rec.officers[0].name, "Ozymandias Vreeland");

    // Past 7 years: the encounter's personal data and page image go too.
    clock.advance(Duration::days(7 * 366));
    let s = desk.purge(false).unwrap();
    assert_eq!((s.encounters, s.page_files), (1, 1));
    assert_eq!(
        std::fs::read_dir(dir.path().join("pages")).unwrap().count(),
        0
    );
    let bytes = all_bytes(dir.path());
    for gone in ["Ozymandias", "Vreeland", "QX-77", "Zebulon"] {
        assert!(!contains(&bytes, gone), "{gone} survived the purge");
    }
    let report = desk.verify().unwrap();
    assert!(report.intact(), "{:?}", report.findings);
    assert!(report.purged_entries >= 4);
    let rec = desk
        .record()
        .read(|r| query::encounter(r.conn(), &id))
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(rec.purged);
    assert_eq!(rec.officers[0].name, query::PURGED);
    assert_eq!(
        rec.outcome.as_deref(),
        Some("left"),
        "the non-personal record stays"
    );
    // Running again finds nothing more to do.
    assert_eq!(desk.purge(false).unwrap().entries, 0);
}

#[test]
fn open_encounters_are_never_purged() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(2020, 1, 1, 12);
    let desk = desk(dir.path(), clock.clone());
    let id = desk.open_encounter(None, Via::PanicButton, false).unwrap();
    clock.advance(Duration::days(365 * 20));
    let s = desk.purge(false).unwrap();
    assert_eq!(s.encounters, 0);
    assert!(desk
        .record()
        .read(|r| query::encounter_state(r.conn(), &id))
        .unwrap()
        .unwrap()
        .is_some());
}
