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

/// A closed encounter, opened now, with an officer's name to look for.
fn closed_encounter(desk: &threshold::app::Desk<TestClock>, officer: &str) -> String {
    let id = desk
        .check_in_official(
            None,
            Via::Cli,
            false,
            EncounterDetails {
                officers: vec![format!("{officer};QX-1;HSI").parse().unwrap()],
                supervisor: None,
                purpose: None,
                sought: None,
                area: None,
                exigent: false,
                document_kind: DocumentKind::AgencyForm,
                document: DocumentDetails::default(),
            },
            &[],
        )
        .unwrap();
    desk.decide(&id, Outcome::Left, "Dana", None, None).unwrap();
    desk.close(&id, "Dana").unwrap();
    id
}

#[test]
fn a_held_encounter_survives_a_purge_past_its_retention_and_goes_once_released() {
    use threshold::app::holds::HoldTarget;
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(2026, 3, 10, 17);
    let desk = desk(dir.path(), clock.clone());
    let held = closed_encounter(&desk, "Heldwin");
    let free = closed_encounter(&desk, "Freeman");
    clock.advance(Duration::days(40));
    let in_range = closed_encounter(&desk, "Rangely");
    let hold = desk
        .place_hold(
            HoldTarget::Encounter(held.clone()),
            "Doe v. City, case 26-cv-0142",
            "Rosa Delgado",
        )
        .unwrap();
    assert!(hold.starts_with("H-"));
    // A range of days: every encounter opened on those local days.
    let day = chrono::NaiveDate::from_ymd_opt(2026, 4, 19).unwrap();
    let range = desk
        .place_hold(
            HoldTarget::Days { from: day, to: day },
            "records request PRR-2026-88",
            "Rosa Delgado",
        )
        .unwrap();
    // Refusals name what to fix.
    let e = desk
        .place_hold(HoldTarget::Encounter("E-NOPE0000".into()), "x", "Rosa")
        .unwrap_err();
    assert!(e.to_string().contains("no encounter `E-NOPE0000`"), "{e}");
    let e = desk
        .place_hold(HoldTarget::Encounter(held.clone()), " ", "Rosa")
        .unwrap_err();
    assert!(e.to_string().contains("--reason"), "{e}");
    let backwards = HoldTarget::Days {
        from: day,
        to: day.pred_opt().unwrap(),
    };
    let e = desk.place_hold(backwards, "x", "Rosa").unwrap_err();
    assert!(e.to_string().contains("is after --to"), "{e}");

    // Seven years on: the free one goes; the held ones are kept and said.
    clock.advance(Duration::days(7 * 366));
    let s = desk.purge(false).unwrap();
    assert_eq!((s.encounters, s.held), (1, 2), "{s:?}");
    let bytes = all_bytes(dir.path());
    assert!(!contains(&bytes, "Freeman"));
    let purged = |id: &str| {
        desk.record()
            .read(|r| query::encounter(r.conn(), id))
            .unwrap()
            .unwrap()
            .unwrap()
            .purged
    };
    assert!(purged(&free) && !purged(&in_range));
    assert!(contains(&bytes, "Heldwin") && contains(&bytes, "Rangely"));
    let rec = desk
        .record()
        .read(|r| query::encounter(r.conn(), &held))
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(!rec.purged);
    assert_eq!(rec.holds[0].reason, "Doe v. City, case 26-cv-0142");
    assert_eq!(rec.holds[0].placed_by, "Rosa Delgado");
    assert_eq!(desk.holds(true).unwrap().len(), 2);

    // Released (journaled with who), the next purge takes it.
    desk.release_hold(&hold, "Rosa Delgado").unwrap();
    let e = desk.release_hold(&hold, "Rosa Delgado").unwrap_err();
    assert!(e.to_string().contains("already released"), "{e}");
    let s = desk.purge(false).unwrap();
    assert_eq!((s.encounters, s.held), (1, 1), "{s:?}");
    assert!(!contains(&all_bytes(dir.path()), "Heldwin"));
    assert!(contains(&all_bytes(dir.path()), "Rangely"));
    desk.release_hold(&range, "Rosa Delgado").unwrap();
    assert_eq!(desk.purge(false).unwrap().encounters, 1);
    assert!(desk.holds(true).unwrap().is_empty());
    assert_eq!(desk.holds(false).unwrap().len(), 2);
    // The holds are in the record: the chain and the projections verify.
    let report = desk.verify().unwrap();
    assert!(report.intact(), "{:?}", report.findings);
    assert!(purged(&in_range));
}

#[test]
fn holds_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let id = checkin_official(
        d,
        &[
            "--officer",
            "Ana Ruiz;4471;HSI",
            "--document-kind",
            "agency-form",
        ],
    );
    let place = [
        "hold",
        "place",
        "--encounter",
        &id,
        "--reason",
        "Doe v. City",
        "--by",
        "Rosa Delgado",
    ];
    let o = cli(d, &place);
    assert!(o.status.success(), "{}", stderr(&o));
    let hold = stdout(&o).split(':').next().unwrap().trim().to_string();
    assert!(hold.starts_with("H-"), "{}", stdout(&o));
    let range = [
        "hold",
        "place",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--reason",
        "PRR-88",
        "--by",
        "Rosa Delgado",
    ];
    assert!(cli(d, &range).status.success());
    let list = stdout(&cli(d, &["hold", "list"]));
    assert!(list.contains(&format!("{hold}  {id}")), "{list}");
    assert!(list.contains("2026-03-01 – 2026-03-31"), "{list}");
    let show = stdout(&cli(d, &["encounter", "show", &id]));
    assert!(
        show.contains(&format!("Legal hold: {hold} · Doe v. City · Rosa Delgado"))
            && show.contains("In force"),
        "{show}"
    );
    // Bad input names what to fix.
    let o = cli(d, &["hold", "place", "--reason", "x", "--by", "Rosa"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = cli(
        d,
        &[
            "hold",
            "place",
            "--from",
            "2026-03-31",
            "--to",
            "2026-03-01",
            "--reason",
            "x",
            "--by",
            "R",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("--from 2026-03-31 is after --to 2026-03-01"),
        "{}",
        stderr(&o)
    );
    let o = cli(d, &["hold", "release", "H-NOPE00", "--by", "Rosa"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no legal hold `H-NOPE00`"),
        "{}",
        stderr(&o)
    );
    assert!(cli(d, &["hold", "release", &hold, "--by", "Rosa Delgado"])
        .status
        .success());
    let list = stdout(&cli(d, &["hold", "list", "--all"]));
    assert!(list.contains("released"), "{list}");
    assert!(cli(d, &["log", "verify"]).status.success());
}
