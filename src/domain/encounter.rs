//! Encounters: an official or agent at the desk, from arrival to departure,
//! and the rules for recording what happened.

use crate::domain::document::DocumentKind;
use crate::domain::policy::OutcomeRule;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The longest free text accepted in an encounter field.
pub const MAX_TEXT_CHARS: usize = 2000;
/// The most officers one encounter records.
pub const MAX_OFFICERS: usize = 50;

/// One officer present at the desk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Officer {
    pub name: String,
    /// Badge number; empty when the officer did not give one.
    pub badge: String,
    pub agency: String,
}

/// Why an `--officer` value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OfficerParseError {
    #[error("{}", crate::msg!("officer `{found}`: expected \"Name;Badge;Agency\" (three parts separated by `;`, badge may be empty)", found = .found))]
    WrongShape { found: String },
    #[error("{}", crate::msg!("officer `{found}`: the {part} is empty", found = .found, part = crate::domain::catalogue::for_reader(.part)))]
    Empty { found: String, part: &'static str },
}

impl FromStr for Officer {
    type Err = OfficerParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split(';').map(str::trim).collect();
        let [name, badge, agency] = parts.as_slice() else {
            return Err(OfficerParseError::WrongShape { found: s.into() });
        };
        for (part, value) in [
            (crate::msg_id!("name"), name),
            (crate::msg_id!("agency"), agency),
        ] {
            if value.is_empty() {
                return Err(OfficerParseError::Empty {
                    found: s.into(),
                    part,
                });
            }
        }
        Ok(Officer {
            name: name.to_string(),
            badge: badge.to_string(),
            agency: agency.to_string(),
        })
    }
}

/// How an encounter was opened or an action taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Via {
    Cli,
    Kiosk,
    StaffMode,
    PanicButton,
    AckLink,
    /// A link posted to a shared chat channel: someone in the channel.
    ChannelLink,
    Sms,
    /// An account signed in to the admin web.
    Web,
    /// A command from the city hub, sent by an account there.
    Hub,
}

impl Via {
    pub fn token(self) -> &'static str {
        match self {
            Via::Cli => "cli",
            Via::Kiosk => "kiosk",
            Via::StaffMode => "staff-mode",
            Via::PanicButton => "panic-button",
            Via::AckLink => "ack-link",
            Via::ChannelLink => "channel-link",
            Via::Sms => "sms",
            Via::Web => "web",
            Via::Hub => "hub",
        }
    }
}

/// What a page of an encounter shows: the document the officials
/// presented, or evidence staff photographed beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PageKind {
    /// A page of the presented document.
    #[default]
    DocumentPage,
    /// An officer's badge or business card.
    Badge,
    /// Anything else worth keeping (a vehicle, a second paper).
    Other,
}

impl PageKind {
    pub const ALL: [PageKind; 3] = [PageKind::DocumentPage, PageKind::Badge, PageKind::Other];

    pub fn token(self) -> &'static str {
        match self {
            PageKind::DocumentPage => "document-page",
            PageKind::Badge => "badge",
            PageKind::Other => "other",
        }
    }

    pub fn is_document_page(&self) -> bool {
        *self == PageKind::DocumentPage
    }
}

impl std::str::FromStr for PageKind {
    type Err = String;
    fn from_str(s: &str) -> Result<PageKind, String> {
        PageKind::ALL
            .into_iter()
            .find(|k| k.token() == s)
            .ok_or_else(|| format!("found `{s}`; expected one of document-page, badge, other"))
    }
}

/// Who acknowledged through a link that `contact`'s webhook posted to a
/// shared channel: anyone in that channel may have pressed it.
pub fn in_channel_of(contact: &str) -> String {
    format!("someone in {contact}'s channel")
}

/// The document an official presented, as recorded by staff.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DocumentDetails {
    pub court: Option<String>,
    pub judge: Option<String>,
    pub issued: Option<NaiveDate>,
    pub expires: Option<NaiveDate>,
    pub address: Option<String>,
    pub areas_named: Option<String>,
}

/// What the officials said and presented. Recorded once the flow has it;
/// the encounter itself is opened before any of it is typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncounterDetails {
    pub officers: Vec<Officer>,
    pub supervisor: Option<String>,
    pub purpose: Option<String>,
    /// The person, records or area sought.
    pub sought: Option<String>,
    /// A configured area, with whether it is public.
    pub area: Option<(String, bool)>,
    pub exigent: bool,
    pub document_kind: DocumentKind,
    pub document: DocumentDetails,
}

/// Why encounter details were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DetailsRefused {
    #[error("{}", crate::msg!("at least one officer is needed (--officer \"Name;Badge;Agency\")"))]
    NoOfficers,
    #[error("{}", crate::msg!("at most {limit} officers can be recorded (found {found})", limit = MAX_OFFICERS, found = .0))]
    TooManyOfficers(usize),
    #[error("{}", crate::msg!("{field}: at most {limit} characters (found {found})", field = .field, limit = MAX_TEXT_CHARS, found = .found))]
    TooLong { field: &'static str, found: usize },
    #[error("{}", crate::msg!("{field}: control characters are not allowed", field = .field))]
    ControlCharacters { field: &'static str },
    #[error("{}", crate::msg!("document dates: valid-until {expires} is before issued {issued}", expires = .expires, issued = .issued))]
    DatesReversed {
        issued: NaiveDate,
        expires: NaiveDate,
    },
}

impl EncounterDetails {
    /// Check lengths, characters and dates.
    pub fn validate(&self) -> Result<(), DetailsRefused> {
        if self.officers.is_empty() {
            return Err(DetailsRefused::NoOfficers);
        }
        if self.officers.len() > MAX_OFFICERS {
            return Err(DetailsRefused::TooManyOfficers(self.officers.len()));
        }
        let mut fields: Vec<(&'static str, &str)> = Vec::new();
        for o in &self.officers {
            fields.extend([
                ("officer name", o.name.as_str()),
                ("badge", o.badge.as_str()),
                ("agency", o.agency.as_str()),
            ]);
        }
        let optional = [
            ("supervisor", &self.supervisor),
            ("purpose", &self.purpose),
            ("sought", &self.sought),
            ("court", &self.document.court),
            ("judge", &self.document.judge),
            ("address", &self.document.address),
            ("areas named", &self.document.areas_named),
        ];
        fields.extend(
            optional
                .iter()
                .filter_map(|(f, v)| v.as_deref().map(|v| (*f, v))),
        );
        for (field, value) in fields {
            check_text(field, value)?;
        }
        if let (Some(issued), Some(expires)) = (self.document.issued, self.document.expires) {
            if expires < issued {
                return Err(DetailsRefused::DatesReversed { issued, expires });
            }
        }
        Ok(())
    }
}

/// Check an encounter free-text field: length and control characters.
/// (Officers' badge numbers are allowed; this is not a visitor field.)
pub fn check_text(field: &'static str, value: &str) -> Result<(), DetailsRefused> {
    let n = value.chars().count();
    if n > MAX_TEXT_CHARS {
        return Err(DetailsRefused::TooLong { field, found: n });
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(DetailsRefused::ControlCharacters { field });
    }
    Ok(())
}

/// How an encounter ended at the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    WaitedInPublicArea,
    Left,
    /// Staff complied with a judicial warrant (a valid one is obeyed).
    AccessJudicialWarrant,
    /// Officers entered claiming exigent circumstances (their reason).
    AccessExigent,
    /// Officers entered without consent or over an objection.
    EnteredWithoutConsent,
    /// Records or information were demanded, and none given.
    RecordsDemanded,
    /// Records or information were produced.
    RecordsProduced,
    /// Staff felt threatened and stepped back.
    SteppedBack,
    Other,
}

impl Outcome {
    pub const ALL: [Outcome; 9] = [
        Outcome::WaitedInPublicArea,
        Outcome::Left,
        Outcome::AccessJudicialWarrant,
        Outcome::AccessExigent,
        Outcome::EnteredWithoutConsent,
        Outcome::RecordsDemanded,
        Outcome::RecordsProduced,
        Outcome::SteppedBack,
        Outcome::Other,
    ];

    pub fn token(self) -> &'static str {
        match self {
            Outcome::WaitedInPublicArea => "waited-in-public-area",
            Outcome::Left => "left",
            Outcome::AccessJudicialWarrant => "access-judicial-warrant",
            Outcome::AccessExigent => "access-exigent",
            Outcome::EnteredWithoutConsent => "entered-without-consent",
            Outcome::RecordsDemanded => "records-demanded",
            Outcome::RecordsProduced => "records-produced",
            Outcome::SteppedBack => "stepped-back",
            Outcome::Other => "other",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.token())
    }
}

/// An outcome token that does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::msg!("unknown outcome `{found}`; allowed: waited-in-public-area, left, access-judicial-warrant, access-exigent, entered-without-consent, records-demanded, records-produced, stepped-back, other", found = .found))]
pub struct UnknownOutcome {
    pub found: String,
}

impl FromStr for Outcome {
    type Err = UnknownOutcome;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Outcome::ALL
            .into_iter()
            .find(|o| o.token() == s)
            .ok_or_else(|| UnknownOutcome { found: s.into() })
    }
}

/// An answer to one warrant-checklist question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChecklistAnswer {
    Yes,
    No,
    Unclear,
}

impl FromStr for ChecklistAnswer {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "yes" => Ok(ChecklistAnswer::Yes),
            "no" => Ok(ChecklistAnswer::No),
            "unclear" => Ok(ChecklistAnswer::Unclear),
            _ => Err(format!("unknown answer `{s}`; allowed: yes, no, unclear")),
        }
    }
}

/// The facts about an encounter that the rules below need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncounterState {
    pub closed: bool,
    pub decided: Option<Outcome>,
    /// `None` until the document has been recorded.
    pub document_kind: Option<DocumentKind>,
    pub counsel_acknowledged: bool,
}

/// On what footing an outcome was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DecisionBasis {
    /// The profile does not require counsel for this outcome (records
    /// before this version; now [`DecisionBasis::BeforeCounsel`]).
    NotRequired,
    /// Counsel acknowledged before the outcome was recorded.
    CounselAcknowledged,
    /// Recorded before counsel acknowledged, with a stated reason.
    ExigentOverride,
    /// Recorded as it happened, before counsel had been reached (an outcome
    /// that does not wait for counsel: complying with a judicial warrant,
    /// officers entering anyway, staff stepping back).
    BeforeCounsel,
}

impl DecisionBasis {
    pub fn token(self) -> &'static str {
        match self {
            DecisionBasis::NotRequired => "not-required",
            DecisionBasis::CounselAcknowledged => "counsel-acknowledged",
            DecisionBasis::ExigentOverride => "exigent-override",
            DecisionBasis::BeforeCounsel => "before-counsel",
        }
    }
}

/// Why an outcome or a closing was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleRefused {
    #[error("{}", crate::msg!("the encounter is closed; nothing more can be recorded"))]
    Closed,
    #[error("{}", crate::msg!("the outcome `{outcome}` is already recorded; add a note to correct it", outcome = .0))]
    AlreadyDecided(Outcome),
    #[error("{}", crate::msg!("`{outcome}` needs a judicial warrant or court order, but the document recorded is `{presented}`", outcome = .outcome, presented = .presented))]
    NeedsJudicialDocument { outcome: Outcome, presented: String },
    #[error("{}", crate::msg!("`{outcome}` needs counsel's acknowledgement first; wait for counsel, or record an override with --override-reason stating the exigent circumstances", outcome = .0))]
    CounselNotAcknowledged(Outcome),
    #[error("{}", crate::msg!("the override reason is empty; state the exigent circumstances"))]
    EmptyOverrideReason,
    #[error("{}", crate::msg!("`{outcome}` records what the officers said the emergency is; give their stated reason", outcome = .0))]
    NeedsOfficialsReason(Outcome),
    #[error("{}", crate::msg!("record the outcome before closing (encounter decide)"))]
    NoOutcome,
}

/// Check whether `rule.outcome` may be recorded now, and on what basis.
///
/// The counsel rule: an outcome the profile marks as needing counsel cannot
/// be recorded before counsel acknowledged, except as an override whose
/// reason states the exigent circumstances. Any other outcome is recorded
/// as it happened, saying whether counsel had been reached. An outcome
/// whose rule records the officials' stated reason needs that reason (given
/// as `override_reason`; the caller stores it as theirs).
pub fn check_decision(
    state: &EncounterState,
    rule: &OutcomeRule,
    override_reason: Option<&str>,
) -> Result<DecisionBasis, RuleRefused> {
    if state.closed {
        return Err(RuleRefused::Closed);
    }
    if let Some(done) = state.decided {
        return Err(RuleRefused::AlreadyDecided(done));
    }
    if rule.requires_judicial_document && !state.document_kind.is_some_and(|k| k.is_judicial()) {
        return Err(RuleRefused::NeedsJudicialDocument {
            outcome: rule.outcome,
            presented: state
                .document_kind
                .map_or("not recorded".into(), |k| k.token().to_string()),
        });
    }
    if rule.officials_reason && override_reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(RuleRefused::NeedsOfficialsReason(rule.outcome));
    }
    if state.counsel_acknowledged {
        return Ok(DecisionBasis::CounselAcknowledged);
    }
    if !rule.requires_counsel_ack {
        return Ok(DecisionBasis::BeforeCounsel);
    }
    match override_reason.map(str::trim) {
        None => Err(RuleRefused::CounselNotAcknowledged(rule.outcome)),
        Some("") => Err(RuleRefused::EmptyOverrideReason),
        Some(_) => Ok(DecisionBasis::ExigentOverride),
    }
}

/// Check whether the encounter may be closed (the officials have left).
pub fn check_close(state: &EncounterState) -> Result<(), RuleRefused> {
    if state.closed {
        return Err(RuleRefused::Closed);
    }
    if state.decided.is_none() {
        return Err(RuleRefused::NoOutcome);
    }
    Ok(())
}

/// Check that a free-text field added after opening (a note, an
/// instruction) may be recorded.
pub fn check_open(state: &EncounterState) -> Result<(), RuleRefused> {
    if state.closed {
        Err(RuleRefused::Closed)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
