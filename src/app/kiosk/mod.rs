//! The kiosk's controller: every flow (visitor, official, resources, staff
//! mode) as a state machine over [`KioskDesk`], with no Slint in it. The UI
//! sends [`Action`]s; after each one the controller builds a [`View`].

mod accents;
mod camera;
mod capture;
mod port;
mod resources;
mod staff;
#[cfg(test)]
mod tests;
mod view;

pub use camera::{yuyv_to_rgb, CameraSource};
pub use capture::{demo_page, CaptureError, Captured, DemoSource, FolderSource, PageSource};
pub use port::KioskDesk;
pub use staff::{hash_pin, Gate, StaffGate, LOCKOUT, MAX_FAILURES};
pub use view::*;

use crate::app::{AppError, TextKind};
use crate::config::{CaptureSource, Loaded};
use crate::domain::checkin::{CheckInRefused, VisitorCheckIn};
use crate::domain::document::DocumentKind;
use crate::domain::encounter::{ChecklistAnswer, EncounterDetails, Officer, Via};
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

/// The three choices of the start screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartChoice {
    Visitor,
    Official,
    Resources,
}

/// What the person at the screen did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    ChooseLanguage(usize),
    ToggleLargeText,
    ToggleHighContrast,
    Begin,
    Start(StartChoice),
    Back,
    /// Leave whatever flow this is and go back to the notice.
    Home,
    Focus(Field),
    /// The keyboard's Done: no field is active.
    Blur,
    Key(String),
    Backspace,
    /// Put accent mark `n` (see [`accents::MARKS`]) on the letter before.
    Accent(usize),
    PickPurpose(usize),
    VisitorNext,
    VisitorConfirm,
    OfficialNext,
    AddOfficer,
    RemoveOfficer(usize),
    SetExigent(bool),
    PickDocument(usize),
    Capture,
    KeepPage,
    Retake,
    Submit,
    OpenStaff,
    PinDigit(u8),
    PinBack,
    PinEnter,
    Badge(String),
    StaffLock,
    OfficialsAtDesk,
    ToggleDrill,
    StaffOpen(String),
    StaffHome,
    /// From an encounter's checklist to its outcome.
    StaffDecideScreen,
    /// From an encounter's checklist to counsel's instruction and notes.
    StaffNotesScreen,
    StaffAcknowledge,
    StaffChecklist(String, ChecklistAnswer),
    StaffSaveInstruction,
    PickOutcome(usize),
    StaffDecide,
    StaffAddNote,
    StaffClose,
    /// Print what this screen offers: the visitor's pass, the official's
    /// receipt, the resources slip.
    Print,
}

/// One kiosk's state between touches.
pub struct Session {
    screen: Screen,
    lang: Language,
    large_text: bool,
    high_contrast: bool,
    drill: bool,
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
    problem: Option<(Problem, String)>,
    pin: String,
    gate: StaffGate,
    staff: Option<String>,
    staff_encounter: Option<String>,
    outcome: Option<usize>,
    last_touch: Instant,
    rotated: Instant,
    idle_after: Duration,
    source: Box<dyn PageSource>,
    resources: resources::Cards,
    printer_ready: bool,
    devices: Vec<crate::devices::hub::DeviceState>,
    printing: bool,
    to_print: Vec<crate::render::receipt::Receipt>,
}

impl Session {
    /// A session on the notice screen, taking pages from `source`.
    pub fn new(loaded: &Loaded, source: Box<dyn PageSource>, now: Instant) -> Session {
        Session {
            screen: Screen::Idle,
            lang: loaded.config.facility.languages[0],
            large_text: false,
            high_contrast: false,
            drill: false,
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
            problem: None,
            pin: String::new(),
            gate: StaffGate::default(),
            staff: None,
            staff_encounter: None,
            outcome: None,
            last_touch: now,
            rotated: now,
            idle_after: Duration::from_secs(loaded.config.kiosk.idle_timeout_s.into()),
            source,
            resources: resources::Cards::new(&loaded.profile),
            printer_ready: false,
            devices: Vec::new(),
            printing: false,
            to_print: Vec::new(),
        }
    }

    /// Whether a printer is connected (print buttons show only then).
    pub fn set_printer_ready(&mut self, ready: bool) {
        self.printer_ready = ready;
    }

    /// The peripherals' states, for staff mode.
    pub fn set_devices(&mut self, devices: Vec<crate::devices::hub::DeviceState>) {
        self.printer_ready = devices.iter().any(|d| d.device == "printer" && d.connected);
        self.devices = devices;
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
            _ => Box::new(DemoSource::default()),
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
        matches!(
            self.screen,
            Screen::OfficialWaiting
                | Screen::StaffHome
                | Screen::StaffEncounter
                | Screen::StaffDecide
                | Screen::StaffNotes
        )
    }

    /// Time passing: the idle timeout and the thank-you screen.
    pub fn tick<D: KioskDesk>(&mut self, desk: &mut D, now: Instant) {
        let quiet = now.saturating_duration_since(self.last_touch);
        let expired = match self.screen {
            Screen::Idle => false,
            Screen::VisitorDone => quiet >= DONE_AFTER.min(self.idle_after),
            Screen::OfficialWaiting => quiet >= WAITING_AFTER || self.encounter_closed(desk),
            _ => quiet >= self.idle_after,
        };
        if expired {
            self.reset(desk, now);
        }
        // The notice rotates through the facility's languages, pausing
        // after a touch so whoever chose a language can read it.
        let since = now.saturating_duration_since(self.rotated.max(self.last_touch));
        if self.screen == Screen::Idle && since >= ROTATE_EVERY {
            let languages = &desk.loaded().config.facility.languages;
            let at = languages.iter().position(|l| *l == self.lang).unwrap_or(0);
            self.lang = languages[(at + 1) % languages.len()];
            self.rotated = now;
        }
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
        if let Some(c) = self.preview.take() {
            self.source.release(&c);
        }
        let (drill, printer_ready) = (self.drill, self.printer_ready);
        let devices = std::mem::take(&mut self.devices);
        let gate = std::mem::take(&mut self.gate);
        let source = std::mem::replace(&mut self.source, Box::new(DemoSource::default()));
        let resources = std::mem::replace(&mut self.resources, resources::Cards::empty());
        *self = Session {
            drill,
            printer_ready,
            devices,
            gate,
            source,
            resources,
            ..Session::new(desk.loaded(), Box::new(DemoSource::default()), now)
        };
    }

    fn typed_summary(&self, loaded: &Loaded) -> String {
        let mut parts = Vec::new();
        let text = |f| {
            self.fields
                .get(&f)
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
        };
        if let Some(a) = text(Field::Agency) {
            parts.push(format!("agency: {a}"));
        }
        let mut officers = self.officers.clone();
        if let Some(n) = text(Field::OfficerName) {
            officers.push((n.into(), text(Field::OfficerBadge).unwrap_or("").into()));
        }
        for (name, badge) in &officers {
            parts.push(format!("officer: {name} (badge {badge})"));
        }
        for (f, label) in [(Field::Purpose, "purpose"), (Field::Sought, "sought")] {
            if let Some(t) = text(f) {
                parts.push(format!("{label}: {t}"));
            }
        }
        if let Some(e) = self.exigent {
            parts.push(format!(
                "exigent circumstances claimed: {}",
                if e { "yes" } else { "no" }
            ));
        }
        if let Some(d) = self.document.and_then(|i| loaded.profile.documents.get(i)) {
            parts.push(format!("document: {}", d.kind.token()));
        }
        parts.join("; ")
    }

    /// Carry out `action`.
    pub fn handle<D: KioskDesk>(&mut self, desk: &mut D, action: Action, now: Instant) {
        self.last_touch = now;
        self.problem = None;
        let loaded = desk.loaded();
        match action {
            Action::ChooseLanguage(i) => {
                if let Some(l) = loaded.config.facility.languages.get(i) {
                    self.lang = *l;
                }
            }
            Action::ToggleLargeText => self.large_text = !self.large_text,
            Action::ToggleHighContrast => self.high_contrast = !self.high_contrast,
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
            Action::KeepPage => self.keep_page(desk),
            Action::Retake => {
                if let Some(c) = self.preview.take() {
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
            Action::OfficialsAtDesk => match desk.open_encounter(Via::StaffMode, self.drill) {
                Ok(id) => self.show_staff_encounter(id),
                Err(e) => self.fail(Problem::NotRecorded, e),
            },
            Action::ToggleDrill => self.drill = !self.drill,
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
            other => self.staff_action(desk, other),
        }
    }

    fn go(&mut self, screen: Screen) {
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

    /// Queue the receipt this screen offers.
    fn print<D: KioskDesk>(&mut self, desk: &D) {
        use crate::render::receipt::{Receipt, SlipResource};
        let loaded = desk.loaded();
        let facility = loaded.config.facility.name.clone();
        let at = desk
            .now()
            .with_timezone(&loaded.timezone())
            .format("%Y-%m-%d %H:%M")
            .to_string();
        let lang = self.lang;
        let receipt = match self.screen {
            Screen::VisitorDone => Receipt::VisitorPass {
                facility,
                purpose: self
                    .purpose
                    .and_then(|i| loaded.config.visitors.purposes.get(i))
                    .map(|p| loaded.purpose_label(p, lang))
                    .unwrap_or_default(),
                name: self.text(Field::VisitorName),
                at,
                reference: self.visitor_ref.clone(),
                lang,
            },
            Screen::OfficialWaiting => Receipt::OfficialReceipt {
                facility,
                reference: self.encounter.clone().unwrap_or_default(),
                at,
                sentence: loaded.profile.notice.receipt.get(lang).to_string(),
                lang,
            },
            Screen::Resources => Receipt::ResourcesSlip {
                facility,
                resources: loaded
                    .profile
                    .resources
                    .iter()
                    .map(|r| SlipResource {
                        name: r.name.get(lang).to_string(),
                        description: r.description.get(lang).to_string(),
                        phone: r.phone.clone(),
                        qr: r.url.clone().or_else(|| {
                            r.phone
                                .as_ref()
                                .map(|p| format!("tel:{}", p.replace(' ', "")))
                        }),
                    })
                    .collect(),
                lang,
            },
            _ => return,
        };
        if !self.printing {
            self.to_print.push(receipt);
            self.printing = true;
        }
    }

    fn fail(&mut self, problem: Problem, detail: impl ToString) {
        let detail = detail.to_string();
        if !detail.is_empty() {
            tracing::warn!(screen = self.screen.name(), %detail, "kiosk action refused");
        }
        self.problem = Some((problem, detail));
    }

    fn back(&mut self) {
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
            Screen::StaffDecide | Screen::StaffNotes => Screen::StaffEncounter,
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
        if key.chars().any(char::is_control) {
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
                self.fail(problem, refused);
            }
            Err(e) => self.fail(Problem::NotRecorded, e),
        }
    }

    /// The official flow starts: open the encounter and page at once,
    /// before anything is typed.
    fn open_official<D: KioskDesk>(&mut self, desk: &mut D) {
        self.go(Screen::OfficialNotice);
        if self.encounter.is_some() {
            return;
        }
        match desk.open_encounter(Via::Kiosk, self.drill) {
            Ok(id) => {
                tracing::info!(encounter = %id, "official at the kiosk: encounter opened and paged");
                self.encounter = Some(id);
            }
            Err(e) => self.fail(Problem::NotRecorded, e),
        }
    }

    fn take_officer(&mut self) -> bool {
        let Some(name) = self.text(Field::OfficerName) else {
            return false;
        };
        let badge = self.text(Field::OfficerBadge).unwrap_or_default();
        if self.officers.len() < crate::domain::encounter::MAX_OFFICERS {
            self.officers.push((name, badge));
        }
        self.fields.remove(&Field::OfficerName);
        self.fields.remove(&Field::OfficerBadge);
        self.active = Some(Field::OfficerName);
        true
    }

    fn document_kind(&self, loaded: &Loaded) -> Option<DocumentKind> {
        self.document
            .and_then(|i| loaded.profile.documents.get(i))
            .map(|d| d.kind)
    }

    fn official_next<D: KioskDesk>(&mut self, desk: &mut D) {
        let loaded = desk.loaded();
        match self.screen {
            Screen::OfficialNotice => {
                if self.encounter.is_none() {
                    // Opening failed on the way in; try again now.
                    self.open_official(desk);
                    if self.encounter.is_none() {
                        return;
                    }
                }
                self.go(Screen::OfficialOfficers);
            }
            Screen::OfficialOfficers => {
                self.take_officer();
                if self.text(Field::Agency).is_none() {
                    self.active = Some(Field::Agency);
                    self.fail(Problem::NeedAgency, "");
                } else if self.officers.is_empty() {
                    self.active = Some(Field::OfficerName);
                    self.fail(Problem::NeedOfficer, "");
                } else {
                    self.go(Screen::OfficialVisit);
                }
            }
            Screen::OfficialVisit => match self.exigent {
                Some(_) => self.go(Screen::OfficialDocument),
                None => self.fail(Problem::PickExigent, ""),
            },
            Screen::OfficialDocument => match self.document_kind(loaded) {
                None => self.fail(Problem::PickDocument, ""),
                Some(DocumentKind::None) => self.go(Screen::OfficialReview),
                Some(_) => self.go(Screen::OfficialCapture),
            },
            Screen::OfficialCapture => {
                if self.preview.is_some() {
                    self.fail(Problem::KeepOrRetake, "");
                } else if self.pages == 0 {
                    self.fail(Problem::NeedPage, "");
                } else {
                    self.go(Screen::OfficialReview);
                }
            }
            _ => {}
        }
    }

    fn capture(&mut self) {
        if self.screen != Screen::OfficialCapture || self.preview.is_some() {
            return;
        }
        match self.source.capture() {
            Ok(c) => self.preview = Some(c),
            Err(e) => self.fail(Problem::CaptureFailed, e),
        }
    }

    fn keep_page<D: KioskDesk>(&mut self, desk: &mut D) {
        let (Some(id), Some(c)) = (self.encounter.clone(), self.preview.take()) else {
            return;
        };
        match desk.attach_page(&id, &c.page) {
            Ok(n) => {
                self.pages = n;
                self.source.release(&c);
            }
            Err(e) => {
                // Keep the preview so the page can be kept again.
                self.preview = Some(c);
                self.fail(Problem::NotRecorded, e);
            }
        }
    }

    fn submit<D: KioskDesk>(&mut self, desk: &mut D) {
        let loaded = desk.loaded();
        let (Some(id), Some(kind)) = (self.encounter.clone(), self.document_kind(loaded)) else {
            return self.fail(Problem::PickDocument, "");
        };
        if self.screen != Screen::OfficialReview {
            return;
        }
        let agency = self.text(Field::Agency).unwrap_or_default();
        let details = EncounterDetails {
            officers: self
                .officers
                .iter()
                .map(|(name, badge)| Officer {
                    name: name.clone(),
                    badge: badge.clone(),
                    agency: agency.clone(),
                })
                .collect(),
            supervisor: None,
            purpose: self.text(Field::Purpose),
            sought: self.text(Field::Sought),
            area: None,
            exigent: self.exigent.unwrap_or(false),
            document_kind: kind,
            document: Default::default(),
        };
        match desk.record_details(&id, details, KIOSK) {
            Ok(()) => {
                self.details_recorded = true;
                self.go(Screen::OfficialWaiting);
            }
            Err(e) => self.fail(Problem::NotRecorded, e),
        }
    }

    fn enter_staff(&mut self, gate: Gate) {
        match gate {
            Gate::Open(name) => {
                tracing::info!(staff = %name, "staff mode opened");
                self.staff = Some(name);
                self.go(Screen::StaffHome);
            }
            Gate::Wrong { left } => self.fail(Problem::WrongPin { left }, ""),
            Gate::Locked { remaining } => self.fail(
                Problem::Locked {
                    minutes: remaining.as_secs().div_ceil(60) as u32,
                },
                "",
            ),
        }
    }

    fn show_staff_encounter(&mut self, id: String) {
        self.staff_encounter = Some(id);
        self.outcome = None;
        for f in [Field::Instruction, Field::OverrideReason, Field::Note] {
            self.fields.remove(&f);
        }
        self.go(Screen::StaffEncounter);
    }

    fn staff_action<D: KioskDesk>(&mut self, desk: &mut D, action: Action) {
        let (Some(by), Some(id)) = (self.staff.clone(), self.staff_encounter.clone()) else {
            return;
        };
        let result = match action {
            Action::StaffAcknowledge => desk.acknowledge(&id, &by),
            Action::StaffChecklist(item, answer) => desk.answer_checklist(&id, &item, answer, &by),
            Action::StaffSaveInstruction => self.save_text(
                desk,
                &id,
                TextKind::CounselInstruction,
                Field::Instruction,
                &by,
            ),
            Action::StaffAddNote => self.save_text(desk, &id, TextKind::Note, Field::Note, &by),
            Action::PickOutcome(i) => {
                if i < desk.loaded().profile.outcomes.len() {
                    self.outcome = Some(i);
                }
                Ok(())
            }
            Action::StaffDecide => {
                let loaded = desk.loaded();
                let Some(rule) = self.outcome.and_then(|i| loaded.profile.outcomes.get(i)) else {
                    return self.fail(Problem::Refused, "choose an outcome first");
                };
                let outcome = rule.outcome;
                let reason = self.text(Field::OverrideReason);
                desk.decide(&id, outcome, &by, reason.as_deref()).map(|_| {
                    self.fields.remove(&Field::OverrideReason);
                })
            }
            Action::StaffClose => desk.close(&id, &by).map(|_| {
                self.staff_encounter = None;
                self.go(Screen::StaffHome);
            }),
            _ => Ok(()),
        };
        if let Err(e) = result {
            let problem = match e {
                AppError::Rule(_) | AppError::Empty { .. } | AppError::Details(_) => {
                    Problem::Refused
                }
                _ => Problem::NotRecorded,
            };
            self.fail(problem, e);
        }
    }

    fn save_text<D: KioskDesk>(
        &mut self,
        desk: &mut D,
        id: &str,
        kind: TextKind,
        field: Field,
        by: &str,
    ) -> Result<(), AppError> {
        let text = self.text(field).unwrap_or_default();
        desk.add_text(id, kind, &text, by)?;
        self.fields.remove(&field);
        Ok(())
    }

    /// What the screens show now; reads live data (who acknowledged, open
    /// encounters) from `desk`.
    pub fn view<D: KioskDesk>(&self, desk: &D) -> View {
        let loaded = desk.loaded();
        let lang = self.lang;
        let profile = &loaded.profile;
        let mut v = View {
            screen: self.screen,
            lang,
            large_text: self.large_text,
            high_contrast: self.high_contrast,
            printer_ready: self.printer_ready,
            printing: self.printing,
            drill: self.drill,
            accents: {
                let last = self
                    .active
                    .and_then(|f| self.fields.get(&f))
                    .and_then(|t| t.chars().last());
                accents::previews(last)
            },
            problem: self.problem.as_ref().map(|p| p.0),
            detail: self
                .problem
                .as_ref()
                .map(|p| p.1.clone())
                .unwrap_or_default(),
            active_field: self.active,
            fields: Field::ALL
                .iter()
                .map(|f| (*f, self.fields.get(f).cloned().unwrap_or_default()))
                .collect(),
            purposes: loaded
                .config
                .visitors
                .purposes
                .iter()
                .map(|p| loaded.purpose_label(p, lang))
                .collect(),
            purpose: self.purpose,
            visitor_ref: self.visitor_ref.clone(),
            encounter_ref: self.encounter.clone().unwrap_or_default(),
            officers: self
                .officers
                .iter()
                .map(|(n, b)| {
                    if b.is_empty() {
                        n.clone()
                    } else {
                        format!("{n} · {b}")
                    }
                })
                .collect(),
            exigent: self.exigent,
            documents: profile
                .documents
                .iter()
                .map(|d| {
                    (
                        d.label.get(lang).to_string(),
                        d.description.get(lang).to_string(),
                    )
                })
                .collect(),
            document: self.document,
            pages: self.pages,
            preview: self.preview.as_ref().and_then(|c| preview_pixels(&c.page)),
            paged: Vec::new(),
            policy_title: profile.notice.title.get(lang).to_string(),
            policy_text: profile.access.non_public.text.get(lang).to_string(),
            resources: Vec::new(),
            staff_name: self.staff.clone().unwrap_or_default(),
            pin_length: self.pin.chars().count(),
            open: Vec::new(),
            visitors_today: 0,
            encounters_today: 0,
            status: Vec::new(),
            checklist: Vec::new(),
            outcomes: profile
                .outcomes
                .iter()
                .map(|o| o.label.get(lang).to_string())
                .collect(),
            outcome: self.outcome,
            decided: String::new(),
            instructions: Vec::new(),
            notes: Vec::new(),
        };
        match self.screen {
            Screen::Resources => v.resources = self.resources.cards(profile, lang),
            Screen::OfficialNotice | Screen::OfficialWaiting => {
                if let Some(id) = &self.encounter {
                    v.paged = paged(desk, id, false);
                }
            }
            Screen::StaffHome => {
                staff_home(desk, &mut v);
                for d in &self.devices {
                    v.status.push(StatusLine {
                        what: match d.device.as_str() {
                            "printer" => "printer",
                            "scanner" => "scanner",
                            "sign" => "sign",
                            _ => "panic",
                        },
                        state: if d.connected { "ready" } else { "missing" },
                        count: 0,
                        detail: d.detail.clone(),
                    });
                }
            }
            Screen::StaffEncounter | Screen::StaffDecide | Screen::StaffNotes => {
                if let Some(id) = &self.staff_encounter {
                    staff_encounter(desk, id, &mut v);
                }
            }
            _ => {}
        }
        v
    }
}

/// The local time of a stored timestamp, `HH:MM`.
fn local_time(loaded: &Loaded, at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| {
            t.with_timezone(&loaded.timezone())
                .format("%H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// Who was paged about encounter `id` and who acknowledged. The waiting
/// screen (shown to the officials) leaves out the rapid-response network.
fn paged<D: KioskDesk>(desk: &D, id: &str, everyone: bool) -> Vec<Paged> {
    let loaded = desk.loaded();
    let Ok(rec) = desk.encounter(id) else {
        return Vec::new();
    };
    let mut out: Vec<Paged> = Vec::new();
    for n in &rec.notifications {
        if !everyone && n.role == "rapid-response" {
            continue;
        }
        let sent = n.sent_at.as_deref().map(|t| local_time(loaded, t));
        match out.iter_mut().find(|p| p.name == n.contact) {
            Some(p) => {
                if p.notified_at.is_empty() {
                    p.notified_at = sent.unwrap_or_default();
                }
            }
            None => out.push(Paged {
                name: n.contact.clone(),
                role: n.role.clone(),
                notified_at: sent.unwrap_or_default(),
                acknowledged_at: String::new(),
            }),
        }
    }
    for a in &rec.acknowledgements {
        let at = local_time(loaded, &a.at);
        match out.iter_mut().find(|p| p.name == a.by) {
            Some(p) => {
                if p.acknowledged_at.is_empty() {
                    p.acknowledged_at = at;
                }
            }
            None => out.push(Paged {
                name: a.by.clone(),
                role: loaded
                    .role_of(&a.by)
                    .map(|r| r.token())
                    .unwrap_or("staff")
                    .into(),
                notified_at: String::new(),
                acknowledged_at: at,
            }),
        }
    }
    out
}

fn staff_home<D: KioskDesk>(desk: &D, v: &mut View) {
    let loaded = desk.loaded();
    match desk.open_encounters() {
        Ok(rows) => {
            v.open = rows
                .into_iter()
                .map(|r| OpenLine {
                    opened_at: local_time(loaded, &r.opened_at),
                    id: r.id,
                    pages: r.pages as u32,
                    acknowledged: r.acknowledgements > 0,
                    counsel_acknowledged: r.counsel_acknowledged_at.is_some(),
                    drill: r.drill,
                })
                .collect()
        }
        Err(e) => v.detail = format!("cannot read open encounters: {e}"),
    }
    if let Ok((visitors, encounters)) = desk.today() {
        v.visitors_today = visitors;
        v.encounters_today = encounters;
    }
    let trouble = desk.channel_trouble().unwrap_or_default();
    for channel in crate::config::SENDABLE {
        let what = channel.token();
        let ready = loaded
            .config
            .contacts
            .iter()
            .any(|c| loaded.config.channel_ready(c, channel));
        let line = match trouble.iter().find(|t| t.0 == what) {
            _ if !ready => StatusLine {
                what,
                state: "off",
                count: 0,
                detail: String::new(),
            },
            Some((_, n, err)) => StatusLine {
                what,
                state: "trouble",
                count: *n,
                detail: err.clone().unwrap_or_default(),
            },
            None => StatusLine {
                what,
                state: "ready",
                count: 0,
                detail: String::new(),
            },
        };
        v.status.push(line);
    }
    v.status.push(match loaded.config.kiosk.capture {
        CaptureSource::Demo => StatusLine {
            what: "capture",
            state: "ready",
            count: 0,
            detail: "demo pages".into(),
        },
        CaptureSource::Camera => {
            let camera = loaded.config.kiosk.camera.clone().unwrap_or_default();
            StatusLine {
                what: "capture",
                state: if camera.exists() { "ready" } else { "missing" },
                count: 0,
                detail: camera.display().to_string(),
            }
        }
        CaptureSource::Folder => {
            let folder = loaded.capture_folder().unwrap_or_default();
            StatusLine {
                what: "capture",
                state: if folder.is_dir() { "ready" } else { "missing" },
                count: 0,
                detail: folder.display().to_string(),
            }
        }
    });
}

fn staff_encounter<D: KioskDesk>(desk: &D, id: &str, v: &mut View) {
    let loaded = desk.loaded();
    let lang = v.lang;
    v.encounter_ref = id.to_string();
    v.paged = paged(desk, id, true);
    let Ok(rec) = desk.encounter(id) else {
        v.detail = format!("cannot read encounter {id}");
        return;
    };
    v.drill = rec.drill;
    v.pages = rec.pages.len() as u32;
    v.officers = rec
        .officers
        .iter()
        .map(|o| format!("{} · {} · {}", o.name, o.badge, o.agency))
        .collect();
    v.exigent = Some(rec.exigent);
    v.document = rec.document_kind.as_deref().and_then(|k| {
        loaded
            .profile
            .documents
            .iter()
            .position(|d| d.kind.token() == k)
    });
    v.checklist = loaded
        .profile
        .checklist
        .iter()
        .map(|c| ChecklistLine {
            id: c.id.clone(),
            question: c.question.get(lang).to_string(),
            help: c.help.get(lang).to_string(),
            answer: rec
                .checklist
                .iter()
                .rev()
                .find(|(item, _, _)| *item == c.id)
                .map(|(_, a, _)| a.clone())
                .unwrap_or_default(),
        })
        .collect();
    v.instructions = rec
        .counsel_instructions
        .iter()
        .map(|a| format!("{} {}: {}", local_time(loaded, &a.at), a.by, a.text))
        .collect();
    v.notes = rec
        .notes
        .iter()
        .map(|a| format!("{} {}: {}", local_time(loaded, &a.at), a.by, a.text))
        .collect();
    if let (Some(outcome), Some(d)) = (&rec.outcome, &rec.decided) {
        let label = loaded
            .profile
            .outcomes
            .iter()
            .find(|o| o.outcome.token() == outcome)
            .map(|o| o.label.get(lang).to_string())
            .unwrap_or_else(|| outcome.clone());
        v.decided = format!("{label} — {} {}", local_time(loaded, &d.at), d.by);
    }
}

/// The page scaled to fit the preview box, as pixels for the UI.
fn preview_pixels(
    page: &crate::app::PageImage,
) -> Option<slint::SharedPixelBuffer<slint::Rgba8Pixel>> {
    let img = image::load_from_memory(&page.bytes).ok()?;
    let img = img
        .resize(600, 780, image::imageops::FilterType::Triangle)
        .to_rgba8();
    Some(slint::SharedPixelBuffer::clone_from_slice(
        img.as_raw(),
        img.width(),
        img.height(),
    ))
}
