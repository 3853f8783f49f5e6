//! The kiosk's controller: every flow (visitor, official, resources, staff
//! mode) as a state machine over [`KioskDesk`], with no Slint in it. The UI
//! sends [`Action`]s; after each one the controller builds a [`View`].

mod accents;
mod action;
mod camera;
mod capture;
mod evidence;
mod official;
mod port;
mod present;
mod print;
mod resources;
mod staff;
mod staff_mode;
#[cfg(test)]
mod tests;
mod time;
mod view;

pub use action::{Action, StartChoice};
pub use camera::{yuyv_to_rgb, CameraSource};
pub use capture::{
    capture_problem, demo_page, CaptureError, Captured, DemoSource, FolderSource, NoSource,
    PageSource,
};
pub use evidence::{Pixels, Thumb};
pub use port::KioskDesk;
pub use staff::{hash_pin, Gate, StaffGate, LOCKOUT, MAX_FAILURES};
pub use view::*;

use crate::app::{AppError, TextKind};
use crate::config::{CaptureSource, Loaded};
use crate::domain::checkin::{CheckInRefused, VisitorCheckIn};
use crate::domain::document::DocumentKind;
use crate::domain::encounter::{EncounterDetails, Officer, PageKind, Via};
use crate::domain::language::Language;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The name recorded for what the kiosk records by itself.
pub const KIOSK: &str = "Kiosk";
/// The notice changes language this often while nobody touches it.
const ROTATE_EVERY: Duration = Duration::from_secs(10);
/// How long the thank-you screen stays up.
const DONE_AFTER: Duration = Duration::from_secs(15);
/// The waiting screen stays while the encounter is open, at most this long
/// without a touch.
const WAITING_AFTER: Duration = Duration::from_secs(15 * 60);
/// Before a screen times out, "Still there?" shows this long, counting
/// down; a touch or any key keeps everything as it was.
pub const WARN_FOR: Duration = Duration::from_secs(20);
/// Drill mode ends by itself this long after it was turned on, so a
/// forgotten drill never marks a real encounter as training.
pub const DRILL_AT_MOST: Duration = Duration::from_secs(3600);

/// One kiosk's state between touches.
pub struct Session {
    screen: Screen,
    lang: Language,
    large_text: bool,
    high_contrast: bool,
    drill: bool,
    /// When drill mode ends by itself.
    drill_until: Option<Instant>,
    /// The kiosk was handed to a trainee: the next reset keeps the drill
    /// for their flow, the one after ends it.
    drill_handoff: bool,
    fields: BTreeMap<Field, String>,
    active: Option<Field>,
    purpose: Option<usize>,
    visitor_ref: String,
    encounter: Option<String>,
    details_recorded: bool,
    officers: Vec<(String, String)>,
    exigent: Option<bool>,
    document: Option<usize>,
    pages: u32,
    preview: Option<Captured>,
    /// Staff's photo on the evidence screen, apart from any page an
    /// official left waiting on theirs.
    staff_preview: Option<Captured>,
    problem: Option<(Problem, String)>,
    pin: String,
    gate: StaffGate,
    staff: Option<String>,
    staff_encounter: Option<String>,
    /// Staff asked to close the encounter on screen; the next step confirms.
    confirm_close: bool,
    /// Whose instruction staff are typing (a counsel contact's index).
    relay_from: Option<usize>,
    outcome: Option<usize>,
    /// What staff are photographing on the capture screen.
    evidence_kind: PageKind,
    /// Photos kept since the capture screen opened.
    evidence_kept: u32,
    /// The page staff tapped to see large.
    shown_page: Option<u32>,
    pages_cache: evidence::PageCache,
    last_touch: Instant,
    rotated: Instant,
    /// Someone paused the notice's language rotation to read it.
    rotation_paused: bool,
    /// The screens are read aloud (Listen was asked for, or always).
    speaking: bool,
    /// How many times Listen was asked for: each asks for the screen again.
    listens: u32,
    /// Seconds left before the screen starts over, while "Still there?"
    /// shows.
    idle_warning: Option<u32>,
    idle_after: Duration,
    source: Box<dyn PageSource>,
    resources: resources::Cards,
    printer_ready: bool,
    parts: Vec<crate::devices::health::PartState>,
    printing: bool,
    to_print: Vec<crate::render::receipt::Receipt>,
}

impl Session {
    /// A session on the notice screen, taking pages from `source`.
    pub fn new(loaded: &Loaded, source: Box<dyn PageSource>, now: Instant) -> Session {
        Session {
            screen: Screen::Idle,
            lang: loaded.config.facility.languages[0],
            speaking: loaded.config.kiosk.speech == crate::config::SpeechMode::Automatic,
            listens: 0,
            large_text: false,
            high_contrast: false,
            drill: false,
            drill_until: None,
            drill_handoff: false,
            fields: BTreeMap::new(),
            active: None,
            purpose: None,
            visitor_ref: String::new(),
            encounter: None,
            details_recorded: false,
            officers: Vec::new(),
            exigent: None,
            document: None,
            pages: 0,
            preview: None,
            staff_preview: None,
            problem: None,
            pin: String::new(),
            gate: StaffGate::default(),
            staff: None,
            staff_encounter: None,
            confirm_close: false,
            relay_from: None,
            outcome: None,
            evidence_kind: PageKind::Badge,
            evidence_kept: 0,
            shown_page: None,
            pages_cache: Default::default(),
            last_touch: now,
            rotated: now,
            rotation_paused: false,
            idle_warning: None,
            idle_after: Duration::from_secs(loaded.config.kiosk.idle_timeout_s.into()),
            source,
            resources: resources::Cards::new(&loaded.profile),
            printer_ready: false,
            parts: Vec::new(),
            printing: false,
            to_print: Vec::new(),
        }
    }

    /// Whether a printer is connected (print buttons show only then).
    pub fn set_printer_ready(&mut self, ready: bool) {
        self.printer_ready = ready;
    }

    /// The state of every part of the service (devices, channels, the
    /// admin web), for staff mode.
    pub fn set_parts(&mut self, parts: Vec<crate::devices::health::PartState>) {
        self.printer_ready = parts.iter().any(|d| d.part == "printer" && d.working);
        self.parts = parts;
    }

    /// The receipts asked for since the last call.
    pub fn take_print_jobs(&mut self) -> Vec<crate::render::receipt::Receipt> {
        std::mem::take(&mut self.to_print)
    }

    /// A receipt could not be sent to the printer.
    pub fn print_failed(&mut self, detail: impl ToString) {
        self.printing = false;
        self.fail(Problem::NotPrinted, detail);
    }

    /// The page source `[kiosk] capture` names.
    pub fn source_for(loaded: &Loaded) -> Box<dyn PageSource> {
        let k = &loaded.config.kiosk;
        match (k.capture, loaded.capture_folder(), &k.camera) {
            (CaptureSource::Folder, Some(folder), _) => Box::new(FolderSource::new(&folder)),
            (CaptureSource::Camera, _, Some(camera)) => Box::new(CameraSource::new(camera)),
            // Generated sample pages are evidence of nothing: only builds
            // with the simulators take them.
            #[cfg(feature = "simulate")]
            (CaptureSource::Demo, _, _) => Box::new(DemoSource::default()),
            _ => Box::new(NoSource),
        }
    }

    /// The screen showing now.
    pub fn screen(&self) -> Screen {
        self.screen
    }

    /// The open encounter of the official flow, if any.
    pub fn encounter(&self) -> Option<&str> {
        self.encounter.as_deref()
    }

    /// Whether staff mode is unlocked (and by whom).
    pub fn staff(&self) -> Option<&str> {
        self.staff.as_deref()
    }

    /// Whether the screen shows data that changes without a touch (who
    /// acknowledged, open encounters).
    pub fn shows_live_data(&self) -> bool {
        self.idle_warning.is_some()
            || matches!(
                self.screen,
                Screen::OfficialWaiting
                    | Screen::StaffHome
                    | Screen::StaffEncounter
                    | Screen::StaffDecide
                    | Screen::StaffNotes
                    | Screen::StaffCapture
            )
    }

    fn staff_encounter_open<D: KioskDesk>(&self, desk: &D) -> bool {
        self.staff_encounter
            .as_deref()
            .and_then(|id| desk.encounter(id).ok())
            .is_some_and(|r| r.closed_at.is_none())
    }

    fn encounter_closed<D: KioskDesk>(&self, desk: &D) -> bool {
        self.encounter
            .as_deref()
            .and_then(|id| desk.encounter(id).ok())
            .is_some_and(|r| r.closed_at.is_some())
    }

    /// Back to the notice in the first language, everything typed cleared.
    /// An official who walked away mid-flow leaves the encounter open (it
    /// was paged) with what they had typed kept as a note for staff.
    pub fn reset<D: KioskDesk>(&mut self, desk: &mut D, now: Instant) {
        if let (Some(id), false) = (self.encounter.clone(), self.details_recorded) {
            let typed = self.typed_summary(desk.loaded());
            if !typed.is_empty() {
                let note = format!(
                    "The official left the kiosk at the {} step. What they had typed: {typed}",
                    self.screen.name()
                );
                if let Err(e) = desk.add_text(&id, TextKind::Note, &note, KIOSK) {
                    tracing::error!(encounter = %id, error = %e, "cannot keep what an official typed before leaving");
                }
            }
        }
        for c in [self.preview.take(), self.staff_preview.take()]
            .into_iter()
            .flatten()
        {
            self.source.release(&c);
        }
        // Drill mode ends when staff mode locks, and when a trainee's
        // flow ends; it carries over only into the flow staff handed over.
        let drill = self.drill && self.drill_handoff;
        let (drill_until, printer_ready) = (self.drill_until.filter(|_| drill), self.printer_ready);
        let parts = std::mem::take(&mut self.parts);
        let gate = std::mem::take(&mut self.gate);
        let source = std::mem::replace(&mut self.source, Box::new(DemoSource::default()));
        let resources = std::mem::replace(&mut self.resources, resources::Cards::empty());
        *self = Session {
            drill,
            drill_until,
            printer_ready,
            parts,
            gate,
            source,
            resources,
            ..Session::new(desk.loaded(), Box::new(DemoSource::default()), now)
        };
    }

    /// Type `text` into `field` as the on-screen keyboard would, one key
    /// at a time (a scripted sequence: the demo screenshots, tests).
    pub fn type_into<D: KioskDesk>(
        &mut self,
        desk: &mut D,
        field: Field,
        text: &str,
        now: Instant,
    ) {
        self.handle(desk, Action::Focus(field), now);
        for c in text.chars() {
            self.handle(desk, Action::Key(c.to_string()), now);
        }
    }

    /// Carry out `action`.
    pub fn handle<D: KioskDesk>(&mut self, desk: &mut D, action: Action, now: Instant) {
        self.last_touch = now;
        // Any touch or key answers "Still there?"; that touch does only that.
        if self.idle_warning.take().is_some() {
            return;
        }
        self.problem = None;
        if !matches!(action, Action::StaffClose | Action::StaffCloseConfirmed) {
            self.confirm_close = false;
        }
        let loaded = desk.loaded();
        match action {
            Action::ChooseLanguage(i) => {
                if let Some(l) = loaded.config.facility.languages.get(i) {
                    self.lang = *l;
                }
            }
            Action::ToggleLargeText => self.large_text = !self.large_text,
            Action::ToggleHighContrast => self.high_contrast = !self.high_contrast,
            Action::ToggleRotation => self.rotation_paused = !self.rotation_paused,
            Action::StillHere => {}
            Action::Listen => {
                if loaded.config.kiosk.speech != crate::config::SpeechMode::Off {
                    self.speaking = true;
                    self.listens = self.listens.wrapping_add(1);
                }
            }
            Action::Begin => self.go(Screen::Start),
            Action::Start(StartChoice::Visitor) => self.go(Screen::VisitorPurpose),
            Action::Start(StartChoice::Resources) => self.go(Screen::Resources),
            Action::Start(StartChoice::Official) => self.open_official(desk),
            Action::Back => self.back(),
            Action::Home => self.reset(desk, now),
            Action::Focus(f) => self.active = Some(f),
            Action::Blur => self.active = None,
            Action::Key(k) => self.key(&k),
            Action::Backspace => {
                if let Some(t) = self.active.and_then(|f| self.fields.get_mut(&f)) {
                    t.pop();
                }
            }
            Action::Accent(i) => {
                if let Some(t) = self.active.and_then(|f| self.fields.get_mut(&f)) {
                    accents::apply(t, i);
                }
            }
            Action::PickPurpose(i) => {
                if i < loaded.config.visitors.purposes.len() {
                    self.purpose = Some(i);
                    self.go(Screen::VisitorDetails);
                    self.active = Some(Field::VisitorName);
                }
            }
            Action::VisitorNext => match self.purpose {
                Some(_) => self.go(Screen::VisitorDetails),
                None => self.fail(Problem::PickPurpose, ""),
            },
            Action::VisitorConfirm => self.check_in_visitor(desk),
            Action::OfficialNext => self.official_next(desk),
            Action::AddOfficer => {
                self.take_officer();
            }
            Action::RemoveOfficer(i) => {
                if i < self.officers.len() {
                    self.officers.remove(i);
                }
            }
            Action::SetExigent(e) => self.exigent = Some(e),
            Action::PickDocument(i) => {
                if i < loaded.profile.documents.len() {
                    self.document = Some(i);
                }
            }
            Action::Capture => self.capture(),
            Action::KeepPage if self.screen == Screen::StaffCapture => self.keep_evidence(desk),
            Action::KeepPage => self.keep_page(desk),
            Action::Retake => {
                if let Some(c) = self.preview_slot().take() {
                    self.source.release(&c);
                }
                self.capture();
            }
            Action::Submit => self.submit(desk),
            Action::Print => self.print(desk),
            Action::OpenStaff => {
                self.pin.clear();
                self.go(Screen::StaffPin);
            }
            Action::PinDigit(d) if d <= 9 && self.pin.len() < 12 => {
                self.pin.push(char::from(b'0' + d));
            }
            Action::PinDigit(_) => {}
            Action::PinBack => {
                self.pin.pop();
            }
            Action::PinEnter => {
                let pin = std::mem::take(&mut self.pin);
                let gate = self.gate.pin(&loaded.config.kiosk.staff, &pin, now);
                self.enter_staff(gate);
            }
            Action::Badge(code) => {
                let gate = self.gate.badge(&loaded.config.kiosk.staff, &code, now);
                self.enter_staff(gate);
            }
            Action::StaffLock => self.reset(desk, now),
            _ if self.staff.is_none() => {
                // Staff actions from a locked kiosk (a stale tap) do nothing.
                tracing::warn!("a staff-mode action arrived while staff mode is locked");
            }
            Action::OfficialsAtDesk => {
                match desk.open_encounter(Via::StaffMode, self.drill, None) {
                    Ok(id) => self.show_staff_encounter(id),
                    Err(e) => self.fail(Problem::NotRecorded, e),
                }
            }
            Action::ToggleDrill => {
                self.drill = !self.drill;
                self.drill_until = self.drill.then(|| now + DRILL_AT_MOST);
            }
            Action::PracticeOfficial if self.drill => {
                self.drill_handoff = true;
                self.reset(desk, now);
                self.open_official(desk);
            }
            Action::StaffOpen(id) => self.show_staff_encounter(id),
            Action::StaffDecideScreen if self.staff_encounter.is_some() => {
                self.go(Screen::StaffDecide)
            }
            Action::StaffNotesScreen if self.staff_encounter.is_some() => {
                self.go(Screen::StaffNotes)
            }
            Action::StaffHome => {
                self.staff_encounter = None;
                self.go(Screen::StaffHome);
            }
            Action::StaffPhoto(kind) => self.staff_photo(kind),
            Action::ShowPage(number) => self.show_page(number),
            other => self.staff_action(desk, other),
        }
    }

    fn go(&mut self, screen: Screen) {
        if self.screen != screen {
            // Staff's photo not kept is let go of when its screen is left
            // (an official's page preview waits for them to come back).
            if let Some(c) = self.staff_preview.take() {
                self.source.release(&c);
            }
            self.evidence_kept = 0;
            self.shown_page = None;
        }
        self.screen = screen;
        self.printing = false;
        self.active = match screen {
            Screen::VisitorDetails => Some(Field::VisitorName),
            Screen::OfficialOfficers => Some(Field::Agency),
            Screen::OfficialVisit => Some(Field::Purpose),
            Screen::StaffDecide => Some(Field::OverrideReason),
            Screen::StaffNotes => Some(Field::Instruction),
            _ => None,
        };
    }

    /// Show `problem`, with `detail` (an error) worded in the kiosk's
    /// language under it.
    fn fail(&mut self, problem: Problem, detail: impl ToString) {
        let detail = crate::domain::catalogue::with_reader(self.lang, || detail.to_string());
        if !detail.is_empty() {
            tracing::warn!(screen = self.screen.name(), %detail, "kiosk action refused");
        }
        self.problem = Some((problem, detail));
    }

    fn back(&mut self) {
        // Back from a page shown large closes the page.
        if self.shown_page.take().is_some() {
            return;
        }
        let to = match self.screen {
            Screen::Start | Screen::Resources | Screen::VisitorPurpose | Screen::StaffPin => {
                Screen::Start
            }
            Screen::VisitorDetails => Screen::VisitorPurpose,
            Screen::OfficialNotice => Screen::Start,
            Screen::OfficialOfficers => Screen::OfficialNotice,
            Screen::OfficialVisit => Screen::OfficialOfficers,
            Screen::OfficialDocument => Screen::OfficialVisit,
            Screen::OfficialCapture => Screen::OfficialDocument,
            Screen::OfficialReview => Screen::OfficialCapture,
            Screen::StaffEncounter => Screen::StaffHome,
            Screen::StaffDecide | Screen::StaffNotes | Screen::StaffCapture => {
                Screen::StaffEncounter
            }
            s => s,
        };
        if self.screen == Screen::StaffPin || to != self.screen {
            self.go(to);
        }
    }

    fn key(&mut self, key: &str) {
        let Some(field) = self.active else { return };
        // Keys are single characters from the on-screen keyboard (or a
        // physical keyboard); control characters never reach a record.
        // Nor a special key's private-use code (F-keys, arrows, Home).
        let special = |c: char| c.is_control() || ('\u{e000}'..='\u{f8ff}').contains(&c);
        if key.chars().any(special) {
            return;
        }
        let text = self.fields.entry(field).or_default();
        if text.chars().count() + key.chars().count() > field.max_chars() {
            self.problem = Some((Problem::TooLong, String::new()));
            return;
        }
        text.push_str(key);
    }

    fn text(&self, field: Field) -> Option<String> {
        self.fields
            .get(&field)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    }

    fn check_in_visitor<D: KioskDesk>(&mut self, desk: &mut D) {
        let loaded = desk.loaded();
        let Some(purpose) = self
            .purpose
            .and_then(|i| loaded.config.visitors.purposes.get(i))
        else {
            return self.fail(Problem::PickPurpose, "");
        };
        let entry = VisitorCheckIn {
            purpose: purpose.clone(),
            name: self.text(Field::VisitorName),
            host: self.text(Field::VisitorHost),
            language: self.lang,
            entrance: loaded.config.facility.entrances[0].clone(),
        };
        match desk.check_in_visitor(entry) {
            Ok(id) => {
                self.visitor_ref = id;
                self.go(Screen::VisitorDone);
            }
            Err(AppError::CheckIn(refused)) => {
                let (problem, field) = match &refused {
                    CheckInRefused::LooksLikeIdNumber { field } => (
                        Problem::LooksLikeId,
                        if *field == "host" {
                            Field::VisitorHost
                        } else {
                            Field::VisitorName
                        },
                    ),
                    CheckInRefused::HostTooLong { .. } => (Problem::TooLong, Field::VisitorHost),
                    _ => (Problem::NameRule, Field::VisitorName),
                };
                self.active = Some(field);
                // The problem says what to change in the visitor's words;
                // the refusal's own text names form fields, so it is logged.
                tracing::info!(%refused, "visitor check-in refused");
                self.fail(problem, "");
            }
            Err(e) => self.fail(Problem::NotRecorded, e),
        }
    }
}
