//! The few words printed on receipts and the door sign, in every kiosk
//! language (the screens' texts are Slint translations; paper is drawn in
//! Rust).

use crate::domain::catalogue::tr;
use crate::domain::language::Language;

/// A printed word or sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Word {
    VisitorPass,
    Purpose,
    Name,
    Time,
    Reference,
    Record,
    OfficialReceipt,
    Agency,
    Officers,
    Document,
    PagesPhotographed,
    Seeking,
    KnowYourRights,
    ScanHint,
    Open,
    EveryoneWelcome,
    OfficialsOnSite,
    StaffResponding,
}

impl Word {
    /// Every printed word.
    pub const ALL: [Word; 18] = [
        Word::VisitorPass,
        Word::Purpose,
        Word::Name,
        Word::Time,
        Word::Reference,
        Word::Record,
        Word::OfficialReceipt,
        Word::Agency,
        Word::Officers,
        Word::Document,
        Word::PagesPhotographed,
        Word::Seeking,
        Word::KnowYourRights,
        Word::ScanHint,
        Word::Open,
        Word::EveryoneWelcome,
        Word::OfficialsOnSite,
        Word::StaffResponding,
    ];
}

/// Every printed word's message id (for the completeness test).
pub fn msgids() -> impl Iterator<Item = &'static str> {
    Word::ALL.iter().map(|w| english(*w))
}

/// `w` in `lang`.
pub fn word(w: Word, lang: Language) -> &'static str {
    tr(lang, english(w))
}

/// `w` in English: its message id in the catalogue.
fn english(w: Word) -> &'static str {
    match w {
        Word::VisitorPass => "Visitor pass",
        Word::Purpose => "Purpose",
        Word::Name => "Name",
        Word::Time => "Time",
        Word::Record => "Record",
        Word::Reference => "Reference",
        Word::OfficialReceipt => "Receipt for your visit",
        Word::Agency => "Agency",
        Word::Officers => "Officers",
        Word::Document => "Document presented",
        Word::PagesPhotographed => "Pages photographed",
        Word::Seeking => "Seeking",
        Word::KnowYourRights => "Know your rights",
        Word::ScanHint => "Free and confidential help. Scan a code with your phone.",
        Word::Open => "Open",
        Word::EveryoneWelcome => "Everyone is welcome",
        Word::OfficialsOnSite => "Officials on site",
        Word::StaffResponding => "Staff and counsel are responding",
    }
}
