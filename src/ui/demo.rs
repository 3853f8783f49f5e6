//! Demo data for `threshold screenshot`: each screen is reached by playing
//! taps into the real controller over a throwaway store, on a clock stopped
//! at 10:02 on a weekday morning, so screenshots and goldens show real
//! content and render the same every time.

use crate::app::kiosk::{
    demo_page, Action, DemoSource, Field, KioskDesk, Screen, Session, StartChoice, View,
};
use crate::app::{Desk, FixedClock};
use crate::config::Loaded;
use crate::domain::checkin::VisitorCheckIn;
use crate::domain::document::DocumentKind;
use crate::domain::encounter::{ChecklistAnswer, PageKind, Via};
use crate::domain::language::Language;
use chrono::TimeZone;
use std::time::Instant;

/// The reference shown for the demo encounter (real ones are random).
pub const DEMO_ENCOUNTER: &str = "E-7Q2M4K9D";
/// The reference shown for the demo visitor.
pub const DEMO_VISITOR: &str = "V-1KQ7M2BXYZ";

/// Why the demo data could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("cannot make a scratch folder for the demo data in {dir}: {source}")]
    Scratch { dir: String, source: std::io::Error },
    #[error(transparent)]
    App(#[from] crate::app::AppError),
}

/// A scratch data folder removed when dropped.
struct Scratch(std::path::PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One step of the official flow in the demo.
type Step<'a> = dyn Fn(&mut Session, &mut Desk<FixedClock>) + 'a;

/// The view of `screen` in `lang` with demo data.
pub fn view_of(
    loaded: &Loaded,
    screen: Screen,
    lang: Language,
    large_text: bool,
) -> Result<View, DemoError> {
    let dir = std::env::temp_dir().join(format!(
        "threshold-demo-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir).map_err(|source| DemoError::Scratch {
        dir: dir.display().to_string(),
        source,
    })?;
    let scratch = Scratch(dir);
    let clock = FixedClock(
        chrono::Utc
            .with_ymd_and_hms(2026, 11, 27, 18, 2, 0)
            .single()
            .expect("a valid time"),
    );
    // The demo contacts have e-mail addresses; with no channel set up the
    // screens would only show that nobody can be notified. Screenshots show
    // e-mail set up (nothing is sent: no dispatcher runs here).
    let mut demo_loaded = loaded.clone();
    let config = &demo_loaded.config;
    if !config.contacts.iter().any(|c| {
        crate::config::SENDABLE
            .iter()
            .any(|ch| config.channel_ready(c, *ch))
    }) {
        demo_loaded.config.alerts.smtp = toml::from_str(
            "host = \"smtp.example.org\"\nfrom = \"Threshold <threshold@example.org>\"",
        )
        .ok();
    }
    let loaded = &demo_loaded;
    // Staff home shows the worst state: an encounter opened three minutes
    // ago that counsel has not answered (the red banner).
    let mut early = None;
    if screen == Screen::StaffHome {
        let earlier = FixedClock(clock.0 - chrono::Duration::minutes(3));
        let mut d = Desk::open(loaded.clone(), &scratch.0, earlier)?;
        let id = KioskDesk::open_encounter(&mut d, Via::Kiosk, false, None)?;
        crate::app::Desk::acknowledge(&d, &id, "Minh Tran", Via::AckLink)?;
        early = Some(id);
    }
    let mut d = Desk::open(loaded.clone(), &scratch.0, clock)?;
    let t = Instant::now();
    let mut s = Session::new(loaded, Box::new(DemoSource::default()), t);
    // Screenshots show the print buttons a kiosk with a printer has.
    s.set_printer_ready(true);
    let lang_index = loaded
        .config
        .facility
        .languages
        .iter()
        .position(|l| *l == lang)
        .unwrap_or(0);
    s.handle(&mut d, Action::ChooseLanguage(lang_index), t);
    if large_text {
        s.handle(&mut d, Action::ToggleLargeText, t);
    }
    let staff = Screen::StaffPin as usize <= screen as usize;
    let official = (Screen::OfficialNotice as usize..=Screen::OfficialWaiting as usize)
        .contains(&(screen as usize));
    let visitor = (Screen::VisitorPurpose as usize..=Screen::VisitorDone as usize)
        .contains(&(screen as usize));
    let reached = |s: &Session| s.screen() == screen;
    let mut encounter = None;
    if screen != Screen::Idle {
        s.handle(&mut d, Action::Begin, t);
    }
    if visitor {
        s.handle(&mut d, Action::Start(StartChoice::Visitor), t);
        if !reached(&s) {
            s.handle(&mut d, Action::PickPurpose(0), t);
            s.type_into(&mut d, Field::VisitorName, "Mai", t);
        }
        if !reached(&s) {
            s.handle(&mut d, Action::VisitorConfirm, t);
        }
    }
    if official {
        s.handle(&mut d, Action::Start(StartChoice::Official), t);
        encounter = s.encounter().map(str::to_string);
        let steps: Vec<Box<Step<'_>>> = vec![
            Box::new(|s, d| {
                s.handle(d, Action::OfficialNext, t);
                s.type_into(d, Field::Agency, "ICE ERO", t);
                s.type_into(d, Field::OfficerName, "Ana Ruiz", t);
                s.type_into(d, Field::OfficerBadge, "4471", t);
                s.handle(d, Action::AddOfficer, t);
                s.type_into(d, Field::OfficerName, "Tomás Nguyễn", t);
            }),
            Box::new(|s, d| {
                s.handle(d, Action::OfficialNext, t);
                s.type_into(d, Field::Purpose, "Locate a person", t);
                s.type_into(d, Field::Sought, "Records of a program participant", t);
                s.handle(d, Action::SetExigent(false), t);
            }),
            Box::new(|s, d| {
                s.handle(d, Action::OfficialNext, t);
                let admin = d
                    .loaded
                    .profile
                    .documents
                    .iter()
                    .position(|x| x.kind == DocumentKind::AdministrativeWarrant)
                    .unwrap_or(0);
                s.handle(d, Action::PickDocument(admin), t);
            }),
            Box::new(|s, d| {
                s.handle(d, Action::OfficialNext, t);
                s.handle(d, Action::Capture, t);
                s.handle(d, Action::KeepPage, t);
                s.handle(d, Action::Capture, t);
            }),
            Box::new(|s, d| {
                s.handle(d, Action::KeepPage, t);
                s.handle(d, Action::OfficialNext, t);
            }),
            Box::new(|s, d| s.handle(d, Action::Submit, t)),
        ];
        for step in steps {
            if reached(&s) {
                break;
            }
            step(&mut s, &mut d);
        }
        if let (Some(id), true) = (&encounter, reached(&s) && screen == Screen::OfficialWaiting) {
            crate::app::Desk::acknowledge(&d, id, "Rosa Delgado", Via::AckLink)?;
        }
    }
    if screen == Screen::Resources {
        s.handle(&mut d, Action::Start(StartChoice::Resources), t);
    }
    if staff {
        for (purpose, name) in [
            ("appointment", Some("Mai")),
            ("program", None),
            ("services", Some("J.R.")),
        ] {
            KioskDesk::check_in_visitor(
                &mut d,
                VisitorCheckIn {
                    purpose: purpose.into(),
                    name: name.map(Into::into),
                    host: None,
                    language: Language::Vietnamese,
                    entrance: loaded.config.facility.entrances[0].clone(),
                },
            )?;
        }
        s.handle(&mut d, Action::OpenStaff, t);
        let digits: &[u8] = if screen == Screen::StaffPin {
            &[1, 2]
        } else {
            &[1, 2, 3, 4]
        };
        for digit in digits {
            s.handle(&mut d, Action::PinDigit(*digit), t);
        }
        if screen != Screen::StaffPin {
            let id = match early.take() {
                Some(id) => id,
                None => {
                    let id = KioskDesk::open_encounter(&mut d, Via::Kiosk, false, None)?;
                    crate::app::Desk::acknowledge(&d, &id, "Minh Tran", Via::AckLink)?;
                    id
                }
            };
            encounter = Some(id.clone());
            s.handle(&mut d, Action::PinEnter, t);
            if screen != Screen::StaffHome {
                demo_document(&d, &id)?;
                s.handle(&mut d, Action::StaffOpen(id), t);
                s.handle(
                    &mut d,
                    Action::StaffChecklist("names-court".into(), ChecklistAnswer::Yes),
                    t,
                );
                s.handle(
                    &mut d,
                    Action::StaffChecklist("signed-by-judge".into(), ChecklistAnswer::No),
                    t,
                );
            }
            if screen == Screen::StaffDecide {
                s.handle(&mut d, Action::StaffDecideScreen, t);
                s.handle(&mut d, Action::PickOutcome(0), t);
                s.handle(&mut d, Action::Blur, t);
            }
            if screen == Screen::StaffNotes {
                s.handle(&mut d, Action::StaffNotesScreen, t);
                s.type_into(&mut d, Field::Instruction, "Do not consent to a search", t);
            }
            if screen == Screen::StaffCapture {
                s.handle(&mut d, Action::StaffPhoto(PageKind::Badge), t);
                s.handle(&mut d, Action::Capture, t);
            }
        }
    }
    let mut view = s.view(&d);
    // Real references are random; the demo shows fixed ones.
    if let Some(id) = encounter {
        if view.encounter_ref == id {
            view.encounter_ref = DEMO_ENCOUNTER.into();
        }
        for line in &mut view.open {
            if line.id == id {
                line.id = DEMO_ENCOUNTER.into();
            }
        }
    }
    if !view.visitor_ref.is_empty() {
        view.visitor_ref = DEMO_VISITOR.into();
    }
    Ok(view)
}

/// The demo encounter's document as the official presented it (a search
/// warrant signed by an immigration officer), and counsel's instruction.
fn demo_document<C: crate::app::Clock>(d: &Desk<C>, id: &str) -> Result<(), crate::app::AppError> {
    use crate::domain::encounter::{EncounterDetails, Officer};
    let details = EncounterDetails {
        officers: ["Ana Ruiz", "Tomás Nguyễn"]
            .into_iter()
            .zip(["4471", "2290"])
            .map(|(name, badge)| Officer {
                name: name.into(),
                badge: badge.into(),
                agency: "ICE ERO".into(),
            })
            .collect(),
        supervisor: None,
        purpose: Some("Locate a person".into()),
        sought: None,
        area: None,
        exigent: false,
        document_kind: DocumentKind::JudicialSearchWarrant,
        document: Default::default(),
    };
    d.record_details(id, details, "kiosk")?;
    // Two pages of the document, and the photo of a badge staff took.
    for n in 1..=2 {
        let page = crate::app::PageImage::from_bytes("demo", demo_page(n))
            .expect("the demo page is a PNG");
        d.attach_page(id, &page)?;
    }
    let badge =
        crate::app::PageImage::from_bytes("demo", demo_page(9)).expect("the demo page is a PNG");
    d.attach_evidence(id, &badge, PageKind::Badge, Some("Dana Whitfield"))?;
    d.add_text(
        id,
        crate::app::TextKind::CounselInstruction,
        "Do not consent. Ask them to wait in the lobby; I am on my way.",
        "Rosa Delgado",
    )
}
