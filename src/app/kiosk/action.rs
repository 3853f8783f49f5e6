//! What the person at the kiosk did: each tap, key and scan as an
//! [`Action`] for the controller.

use super::Field;
use crate::domain::encounter::{ChecklistAnswer, PageKind};

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
    /// Pause the notice's language rotation, or let it rotate again.
    ToggleRotation,
    /// "Still there?" was answered (any touch or key answers it).
    StillHere,
    /// Read this screen aloud from the start, and every screen after it
    /// until the kiosk starts over (the Listen chip or key).
    Listen,
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
    /// In drill mode: hand the kiosk to a trainee for the official flow, as
    /// a drill; the drill ends with that flow.
    PracticeOfficial,
    StaffOpen(String),
    StaffHome,
    /// From an encounter's checklist to its outcome.
    StaffDecideScreen,
    /// From an encounter's checklist to counsel's instruction and notes.
    StaffNotesScreen,
    StaffAcknowledge,
    StaffChecklist(String, ChecklistAnswer),
    /// Whose instruction staff are typing: the n-th counsel contact.
    PickRelayFrom(usize),
    StaffSaveInstruction,
    PickOutcome(usize),
    StaffDecide,
    StaffAddNote,
    /// Ask to close the encounter on screen (the screen then asks to confirm).
    StaffClose,
    /// Close it: the officials have left.
    StaffCloseConfirmed,
    /// Do not close it after all.
    StaffKeepOpen,
    /// Photograph evidence for the encounter on screen: a badge or card,
    /// another page of the document, anything else.
    StaffPhoto(PageKind),
    /// Show page N of the encounter large; None closes it.
    ShowPage(Option<u32>),
    /// Print what this screen offers: the visitor's pass, the official's
    /// receipt, the resources slip.
    Print,
}
