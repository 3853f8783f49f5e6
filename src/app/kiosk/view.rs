//! What the kiosk shows, as plain data the UI layer copies into the Slint
//! adapters. Built by the controller after every action and tick; `Send`,
//! so it can travel from the worker to the UI thread.

use crate::domain::encounter::PageKind;
use crate::domain::language::Language;
use slint::{Rgba8Pixel, SharedPixelBuffer};

/// The screens of the kiosk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Screen {
    Idle,
    Start,
    VisitorPurpose,
    VisitorDetails,
    VisitorDone,
    OfficialNotice,
    OfficialOfficers,
    OfficialVisit,
    OfficialDocument,
    OfficialCapture,
    OfficialReview,
    OfficialWaiting,
    Resources,
    StaffPin,
    StaffHome,
    StaffEncounter,
    StaffDecide,
    StaffNotes,
    StaffCapture,
}

impl Screen {
    /// Every screen, in flow order (for screenshots and tests).
    pub const ALL: [Screen; 19] = [
        Screen::Idle,
        Screen::Start,
        Screen::VisitorPurpose,
        Screen::VisitorDetails,
        Screen::VisitorDone,
        Screen::OfficialNotice,
        Screen::OfficialOfficers,
        Screen::OfficialVisit,
        Screen::OfficialDocument,
        Screen::OfficialCapture,
        Screen::OfficialReview,
        Screen::OfficialWaiting,
        Screen::Resources,
        Screen::StaffPin,
        Screen::StaffHome,
        Screen::StaffEncounter,
        Screen::StaffDecide,
        Screen::StaffNotes,
        Screen::StaffCapture,
    ];

    /// The name used on the command line (`threshold screenshot --screen`).
    pub fn name(self) -> &'static str {
        match self {
            Screen::Idle => "idle",
            Screen::Start => "start",
            Screen::VisitorPurpose => "visitor-purpose",
            Screen::VisitorDetails => "visitor-details",
            Screen::VisitorDone => "visitor-done",
            Screen::OfficialNotice => "official-notice",
            Screen::OfficialOfficers => "official-officers",
            Screen::OfficialVisit => "official-visit",
            Screen::OfficialDocument => "official-document",
            Screen::OfficialCapture => "official-capture",
            Screen::OfficialReview => "official-review",
            Screen::OfficialWaiting => "official-waiting",
            Screen::Resources => "resources",
            Screen::StaffPin => "staff-pin",
            Screen::StaffHome => "staff-home",
            Screen::StaffEncounter => "staff-encounter",
            Screen::StaffDecide => "staff-decide",
            Screen::StaffNotes => "staff-notes",
            Screen::StaffCapture => "staff-capture",
        }
    }
}

impl std::str::FromStr for Screen {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Screen::ALL
            .into_iter()
            .find(|x| x.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Screen::ALL.iter().map(|x| x.name()).collect();
                format!("unknown screen `{s}`; allowed: {}", names.join(", "))
            })
    }
}

/// A text box the on-screen keyboard types into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    VisitorName,
    VisitorHost,
    Agency,
    OfficerName,
    OfficerBadge,
    Purpose,
    Sought,
    Instruction,
    OverrideReason,
    Note,
}

impl Field {
    /// Every field, in the order the UI numbers them.
    pub const ALL: [Field; 10] = [
        Field::VisitorName,
        Field::VisitorHost,
        Field::Agency,
        Field::OfficerName,
        Field::OfficerBadge,
        Field::Purpose,
        Field::Sought,
        Field::Instruction,
        Field::OverrideReason,
        Field::Note,
    ];

    /// The most characters the field takes.
    pub fn max_chars(self) -> usize {
        match self {
            Field::VisitorName => crate::domain::checkin::MAX_NAME_CHARS,
            Field::VisitorHost => crate::domain::checkin::MAX_HOST_CHARS,
            Field::OfficerBadge => 30,
            Field::Agency | Field::OfficerName => 100,
            _ => 500,
        }
    }
}

/// What went wrong, shown in the visitor's language; `detail` (English, for
/// staff) says what exactly to fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// A first name or initials: one word, letters only.
    NameRule,
    /// A run of digits that looks like an ID number.
    LooksLikeId,
    TooLong,
    PickPurpose,
    NeedAgency,
    NeedOfficer,
    PickExigent,
    PickDocument,
    NeedPage,
    KeepOrRetake,
    CaptureFailed,
    /// This kiosk has no capture source: staff attach the pages later.
    NoCapture,
    /// The store failed; nothing typed was lost, staff can help.
    NotRecorded,
    WrongPin {
        left: u32,
    },
    Locked {
        minutes: u32,
    },
    /// A staff-mode rule refused the action (see `detail`).
    Refused,
    /// The printer could not take the receipt.
    NotPrinted,
    /// Counsel's instruction needs whose it is.
    PickCounsel,
}

/// One person paged about an encounter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paged {
    pub name: String,
    /// Role token: `designated-staff`, `counsel`, `manager`.
    pub role: String,
    /// Local time the first page was delivered, or empty.
    pub notified_at: String,
    /// Local time they acknowledged, or empty.
    pub acknowledged_at: String,
}

/// One line of staff mode's open encounters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenLine {
    pub id: String,
    pub opened_at: String,
    pub pages: u32,
    pub acknowledged: bool,
    pub counsel_acknowledged: bool,
    pub drill: bool,
    /// Counsel has not answered and cannot be relied on to: the red banner.
    pub unanswered: Option<crate::domain::guidance::Unanswered>,
}

/// The state of one alert channel, device or service, for staff mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusLine {
    /// `webhook`, `email`, `sms`, `capture`, `printer`, `scanner`, `sign`,
    /// `panic`, `modem`, `sms-gateway`, `admin-web`, `alerts`.
    pub what: String,
    /// `ready`, `off` (not set up), `trouble` (pages not delivered yet),
    /// `missing` (a configured folder or device is not there), `broken`
    /// (the part does not work: `fix` says what to do).
    pub state: &'static str,
    /// Pages waiting, for `trouble`.
    pub count: u32,
    /// The last error, or the folder; technical, in English.
    pub detail: String,
    /// What to do, for `broken`; in English, from the part.
    pub fix: String,
}

/// One legal or support resource with its QR code.
#[derive(Debug, Clone)]
pub struct ResourceCard {
    pub name: String,
    pub description: String,
    pub phone: String,
    pub url: String,
    pub qr: Option<SharedPixelBuffer<Rgba8Pixel>>,
}

/// One question of the warrant checklist with its current answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistLine {
    pub id: String,
    pub question: String,
    pub help: String,
    /// `yes`, `no`, `unclear`, or empty.
    pub answer: String,
}

/// Everything the screens show.
#[derive(Debug, Clone)]
pub struct View {
    pub screen: Screen,
    pub lang: Language,
    pub large_text: bool,
    pub high_contrast: bool,
    /// Seconds before the screen starts over, while "Still there?" shows.
    pub idle_warning: Option<u32>,
    /// The notice's language rotation is paused.
    pub rotation_paused: bool,
    /// The screens are read aloud.
    pub speaking: bool,
    /// Counts the times Listen was asked for: a new number reads the
    /// screen again from its start.
    pub listens: u32,
    /// A printer is connected: the print buttons show.
    pub printer_ready: bool,
    /// A receipt was just sent to the printer.
    pub printing: bool,
    pub drill: bool,
    /// What each accent key makes of the letter before the cursor.
    pub accents: Vec<Option<char>>,
    pub problem: Option<Problem>,
    pub detail: String,
    pub active_field: Option<Field>,
    pub fields: Vec<(Field, String)>,
    // Visitor.
    pub purposes: Vec<String>,
    pub purpose: Option<usize>,
    pub visitor_ref: String,
    // Official.
    pub encounter_ref: String,
    pub officers: Vec<String>,
    pub exigent: Option<bool>,
    /// What the official said when claiming exigent circumstances.
    pub exigent_said: String,
    /// (label, plain description) per document kind of the profile.
    pub documents: Vec<(String, String)>,
    pub document: Option<usize>,
    pub pages: u32,
    pub preview: Option<SharedPixelBuffer<Rgba8Pixel>>,
    pub paged: Vec<Paged>,
    pub policy_title: String,
    pub policy_text: String,
    // Resources.
    pub resources: Vec<ResourceCard>,
    // Staff mode.
    pub staff_name: String,
    pub pin_length: usize,
    pub open: Vec<OpenLine>,
    pub visitors_today: u32,
    pub encounters_today: u32,
    /// One line per alert channel and device.
    pub status: Vec<StatusLine>,
    /// The questions for the document presented, with their answers.
    pub checklist: Vec<ChecklistLine>,
    /// Where the checklist stands and what the profile tells staff to do;
    /// `None` until the document is recorded.
    pub verdict: Option<(crate::domain::guidance::Verdict, String)>,
    /// The profile's card: what to say, what not to do.
    pub card: (Vec<String>, Vec<String>),
    /// Closing was asked for: the screen asks to confirm.
    pub confirm_close: bool,
    /// On staff home, the worst open encounter's state; on an encounter's
    /// screens, that encounter's: the red "call counsel now" banner.
    pub unanswered: Option<crate::domain::guidance::Unanswered>,
    /// The number the banner tells staff to call (may be empty).
    pub counsel_number: String,
    /// Outcome labels of the profile, in profile order.
    pub outcomes: Vec<String>,
    /// Per outcome: `counsel` (waits for counsel's acknowledgement),
    /// `as-happened` (recorded at once, saying whether counsel had been
    /// reached) or `officials-reason` (as happened, with the officials'
    /// stated reason).
    pub outcome_kinds: Vec<&'static str>,
    pub outcome: Option<usize>,
    pub decided: String,
    /// The recorded outcome's basis token (`before-counsel`, …).
    pub decided_basis: String,
    pub instructions: Vec<String>,
    /// Counsel contacts, for "whose instruction" when staff relay one.
    pub counsel_names: Vec<String>,
    pub relay_from: Option<usize>,
    pub notes: Vec<String>,
    // Evidence.
    /// Every page of the encounter (document pages and evidence), small.
    pub thumbs: Vec<super::evidence::Thumb>,
    /// The page staff tapped: its number, kind and image (None: unreadable).
    pub shown_page: Option<(u32, PageKind, Option<super::evidence::Pixels>)>,
    /// What staff are photographing on the capture screen.
    pub evidence_kind: PageKind,
    /// Photos kept since the capture screen opened.
    pub evidence_kept: u32,
    /// A camera or scanner is set up.
    pub can_capture: bool,
}

impl View {
    /// The text of `field`.
    pub fn field(&self, field: Field) -> &str {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, t)| t.as_str())
            .unwrap_or("")
    }
}
