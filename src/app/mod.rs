//! Use cases the CLI, kiosk and admin web all call: check in, open an
//! encounter, attach a page, acknowledge, decide, close, purge.

pub mod city_words;
pub mod council;
pub mod downstream;
pub mod held_copy;
pub mod holds;
pub mod kiosk;
pub mod log_export;
mod page_image;
pub mod records;
pub mod records_request;
pub mod report;
pub mod shipper;
pub mod timeline;
pub mod words;
mod writes;

pub use page_image::{PageImage, PageImageError, MAX_PAGE_BYTES};
pub use writes::TextKind;

/// Seconds a web session lasts without activity.
pub fn session_idle_s() -> u64 {
    crate::store::accounts::SESSION_IDLE.num_seconds() as u64
}

/// Seconds a web session lasts at most, active or not.
pub fn session_max_s() -> u64 {
    crate::store::accounts::SESSION_MAX.num_seconds() as u64
}
use writes::{check_by, details_in, non_empty, open_in, page_in};

use crate::alerts::ack_link::Claim;
use crate::alerts::plan;
use crate::config::Loaded;
use crate::domain::checkin::{CheckInRefused, VisitorCheckIn};
use crate::domain::encounter::{
    check_close, check_decision, check_open, check_text, ChecklistAnswer, DecisionBasis,
    DetailsRefused, EncounterDetails, EncounterState, Outcome, PageKind, RuleRefused, Via,
};
use crate::domain::role::Role;
use crate::store::entries::{self, EntryRefused};
use crate::store::events::*;
use crate::store::query::{self, ReadError};
use crate::store::retention::{self, PurgeSummary};
use crate::store::{Record, StoreError, Writer};
use chrono::{DateTime, Utc};
use std::sync::Arc;

pub use crate::domain::clock::{Clock, FixedClock, SystemClock};

/// The longest name accepted for a staff member acting (`--by`).
pub const MAX_BY_CHARS: usize = 100;

/// Why a use case was refused or failed. Each message says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    CheckIn(#[from] CheckInRefused),
    #[error(transparent)]
    Details(#[from] DetailsRefused),
    #[error(transparent)]
    Rule(#[from] RuleRefused),
    #[error(transparent)]
    Page(#[from] PageImageError),
    #[error("{}", crate::msg!("no encounter `{id}`; `threshold encounter list` shows the references", id = .0))]
    UnknownEncounter(String),
    #[error("{}", crate::msg!("unknown entrance `{found}`; allowed: {allowed}", found = .found, allowed = .allowed))]
    UnknownEntrance { found: String, allowed: String },
    #[error("{}", crate::msg!("unknown area `{found}`; allowed: {allowed}", found = .found, allowed = .allowed))]
    UnknownArea { found: String, allowed: String },
    #[error("{}", crate::msg!("this acknowledge link was already used at {at}", at = .at))]
    LinkUsed { at: String },
    #[error("{}", crate::msg!("unknown checklist item `{found}`; allowed: {allowed}", found = .found, allowed = .allowed))]
    UnknownChecklistItem { found: String, allowed: String },
    #[error("{}", crate::msg!("{field} is empty; give {what}", field = .field, what = crate::domain::catalogue::for_reader(.what)))]
    Empty {
        field: &'static str,
        what: &'static str,
    },
    #[error(transparent)]
    Log(#[from] crate::store::query::LogError),
    #[error(transparent)]
    Bundle(#[from] crate::store::bundle::BundleError),
    #[error(transparent)]
    PageFile(#[from] crate::store::pages::PageError),
    #[error(transparent)]
    Report(#[from] report::ReportError),
    #[error(transparent)]
    Account(#[from] crate::store::accounts::AccountError),
    #[error(transparent)]
    Hold(#[from] holds::HoldRefused),
}

impl From<rusqlite::Error> for AppError {
    fn from(e: rusqlite::Error) -> Self {
        AppError::Read(ReadError::Sqlite(e))
    }
}

impl From<EntryRefused> for AppError {
    fn from(e: EntryRefused) -> Self {
        match e {
            EntryRefused::Store(e) => AppError::Store(e),
            EntryRefused::Rule(e) => AppError::Rule(e),
            EntryRefused::UnknownEncounter(id) => AppError::UnknownEncounter(id),
            EntryRefused::LinkUsed { at } => AppError::LinkUsed { at },
        }
    }
}

/// The front desk: configuration and profile, the handle to the record and
/// a clock. Cheap to clone: every clone sends its writes to the same record
/// writer, where each rule is checked inside the transaction that records
/// what it allows.
#[derive(Clone)]
pub struct Desk<C: Clock = SystemClock> {
    pub loaded: Arc<Loaded>,
    record: Record,
    clock: C,
}

/// The facts about encounter `id` as this transaction sees them.
fn state_in(w: &Writer<'_>, id: &str) -> Result<EncounterState, AppError> {
    query::encounter_state(w.conn(), id)
        .map_err(|e| w.err(e))?
        .ok_or_else(|| AppError::UnknownEncounter(id.to_string()))
}

impl<C: Clock> Desk<C> {
    pub fn new(loaded: impl Into<Arc<Loaded>>, record: Record, clock: C) -> Self {
        Desk {
            loaded: loaded.into(),
            record,
            clock,
        }
    }

    /// A desk on the data folder `data_dir`, starting its record writer.
    pub fn open(
        loaded: impl Into<Arc<Loaded>>,
        data_dir: &std::path::Path,
        clock: C,
    ) -> Result<Self, AppError> {
        let loaded = loaded.into();
        let record = Record::open(data_dir, &loaded.config.facility.id)?;
        Ok(Desk::new(loaded, record, clock))
    }

    /// The handle to the record (for the parts the service composes).
    pub fn record(&self) -> &Record {
        &self.record
    }

    /// The time now, by this desk's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Run `f` on a read connection of the record, on this thread.
    fn read<T>(
        &self,
        f: impl FnOnce(&crate::store::Reader<'_>) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        self.record.read(f)?
    }

    fn entrance(&self, entrance: Option<&str>) -> Result<String, AppError> {
        let list = &self.loaded.config.facility.entrances;
        match entrance {
            None => Ok(list[0].clone()),
            Some(e) if list.iter().any(|x| x == e) => Ok(e.to_string()),
            Some(e) => Err(AppError::UnknownEntrance {
                found: e.into(),
                allowed: list.join(", "),
            }),
        }
    }

    /// The facts the encounter rules need, as the record holds them now.
    pub fn state(&self, id: &str) -> Result<EncounterState, AppError> {
        self.read(|r| {
            query::encounter_state(r.conn(), id)
                .map_err(|e| r.err(e))?
                .ok_or_else(|| AppError::UnknownEncounter(id.to_string()))
        })
    }

    /// Record a visitor check-in; returns its reference (`V-…`).
    pub fn check_in_visitor(&self, entry: VisitorCheckIn) -> Result<String, AppError> {
        let facility = &self.loaded.config.facility;
        let entry = entry.validate(&self.loaded.config.visitors.purposes, &facility.entrances)?;
        self.record.write(self.clock.now(), move |w| {
            let id = w.fresh_ordered_id("V", "checkins")?;
            let body = CheckinRecorded {
                purpose: entry.purpose.clone(),
                language: entry.language,
                entrance: entry.entrance.clone(),
                name: w.seal_opt(entry.name.as_deref())?,
                host: w.seal_opt(entry.host.as_deref())?,
            };
            w.append(EventKind::CheckinRecorded, &id, &body)?;
            Ok(id)
        })
    }

    /// Open an encounter before anything is typed (the kiosk's first
    /// official screen, staff mode's one tap, the panic button). The first
    /// tier's pages are queued in the same transaction.
    pub fn open_encounter(
        &self,
        entrance: Option<&str>,
        via: Via,
        drill: bool,
    ) -> Result<String, AppError> {
        self.open_encounter_in(entrance, via, drill, None)
    }

    /// [`Desk::open_encounter`], recording the language the kiosk showed
    /// the official.
    pub fn open_encounter_in(
        &self,
        entrance: Option<&str>,
        via: Via,
        drill: bool,
        language: Option<crate::domain::language::Language>,
    ) -> Result<String, AppError> {
        let entrance = self.entrance(entrance)?;
        let now = self.clock.now();
        let loaded = self.loaded.clone();
        self.record.write(now, move |w| {
            let id = open_in(w, &entrance, via, drill, language)?;
            plan::page_tier(w, &loaded, &id, 0, drill, now)?;
            Ok(id)
        })
    }

    /// The panic button: open an encounter and page every tier up to and
    /// including the one with the rapid-response network, at once, in one
    /// transaction. Escalation goes on from there.
    pub fn panic_pressed(&self) -> Result<String, AppError> {
        let entrance = self.entrance(None)?;
        let now = self.clock.now();
        let loaded = self.loaded.clone();
        let last = loaded
            .config
            .escalation
            .tiers
            .iter()
            .position(|t| t.notify.contains(&Role::RapidResponse))
            .unwrap_or(0);
        self.record.write(now, move |w| {
            let id = open_in(w, &entrance, Via::PanicButton, false, None)?;
            for tier in 0..=last {
                plan::page_tier(w, &loaded, &id, tier, false, now)?;
            }
            Ok(id)
        })
    }

    /// Check details against the facility's areas and the length rules.
    fn checked_details(&self, mut details: EncounterDetails) -> Result<EncounterDetails, AppError> {
        details.validate()?;
        if let Some((name, _)) = &details.area {
            let public = self
                .loaded
                .area_is_public(name)
                .ok_or_else(|| AppError::UnknownArea {
                    found: name.clone(),
                    allowed: self
                        .loaded
                        .config
                        .facility
                        .areas
                        .iter()
                        .map(|a| a.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
            details.area = Some((name.clone(), public));
        }
        Ok(details)
    }

    /// Record what the officials said and presented.
    pub fn record_details(
        &self,
        id: &str,
        details: EncounterDetails,
        by: &str,
    ) -> Result<(), AppError> {
        let details = self.checked_details(details)?;
        let by = check_by(by)?.to_string();
        let id = id.to_string();
        self.record.write(self.clock.now(), move |w| {
            check_open(&state_in(w, &id)?)?;
            details_in(w, &id, &details, Some(&by))
        })
    }

    /// The CLI's official check-in: open, details and every page in one
    /// transaction. Pages were checked before this is called.
    pub fn check_in_official(
        &self,
        entrance: Option<&str>,
        via: Via,
        drill: bool,
        details: EncounterDetails,
        pages: &[PageImage],
    ) -> Result<String, AppError> {
        let entrance = self.entrance(entrance)?;
        let details = self.checked_details(details)?;
        let now = self.clock.now();
        let loaded = self.loaded.clone();
        let pages = pages.to_vec();
        self.record.write(now, move |w| {
            let id = open_in(w, &entrance, via, drill, None)?;
            plan::page_tier(w, &loaded, &id, 0, drill, now)?;
            details_in(w, &id, &details, None)?;
            for (i, page) in pages.iter().enumerate() {
                page_in(w, &id, i as u32 + 1, page, PageKind::DocumentPage, None)?;
            }
            Ok(id)
        })
    }

    /// Attach one more page of the presented document; returns its page
    /// number.
    pub fn attach_page(&self, id: &str, page: &PageImage) -> Result<u32, AppError> {
        self.attach_evidence(id, page, PageKind::DocumentPage, None)
    }

    /// Attach a page of `kind` (a document page, a photo of a badge or
    /// card, anything else), taken by `by` when staff took it; returns its
    /// number among the encounter's pages. Encrypted and hashed like every
    /// page.
    pub fn attach_evidence(
        &self,
        id: &str,
        page: &PageImage,
        kind: PageKind,
        by: Option<&str>,
    ) -> Result<u32, AppError> {
        let by = by.map(check_by).transpose()?.map(str::to_string);
        let (id, page) = (id.to_string(), page.clone());
        self.record.write(self.clock.now(), move |w| {
            check_open(&state_in(w, &id)?)?;
            let count = query::page_count(w.conn(), &id).map_err(|e| w.err(e))?;
            page_in(w, &id, count + 1, &page, kind, by.as_deref())?;
            Ok(count + 1)
        })
    }

    /// Record an acknowledgement; returns the role of the person when they
    /// are a configured contact (counsel's acknowledgement unlocks outcomes).
    pub fn acknowledge(&self, id: &str, by: &str, via: Via) -> Result<Option<Role>, AppError> {
        let by = check_by(by)?.to_string();
        let role = self.loaded.role_of(&by);
        let id = id.to_string();
        self.record.write(self.clock.now(), move |w| {
            entries::acknowledge(w, &id, &by, role, via, None)?;
            Ok(role)
        })
    }

    /// Record an acknowledgement by someone whose role is known otherwise
    /// than by the contact list (an admin-web account).
    pub fn acknowledge_as(
        &self,
        id: &str,
        by: &str,
        role: Option<Role>,
        via: Via,
    ) -> Result<(), AppError> {
        let by = check_by(by)?.to_string();
        let id = id.to_string();
        self.record.write(self.clock.now(), move |w| {
            entries::acknowledge(w, &id, &by, role, via, None)?;
            Ok(())
        })
    }

    /// Whether a link can still acknowledge: the encounter is open and the
    /// link unused.
    pub fn link_status(&self, encounter: &str, link: &str) -> Result<(), AppError> {
        check_open(&self.state(encounter)?)?;
        let used = self.read(|r| Ok(query::link_used_at(r.conn(), link)?))?;
        match used {
            Some(at) => Err(AppError::LinkUsed { at }),
            None => Ok(()),
        }
    }

    /// Record the acknowledgement a signed link carries, once: the link's
    /// contact acknowledges, with their configured role; a link posted to a
    /// shared channel acknowledges as someone in that channel, with no role
    /// (anyone in the channel can press it). Whether the link is unused and
    /// the encounter open is checked in the same transaction.
    pub fn acknowledge_link(&self, claim: &Claim) -> Result<Option<Role>, AppError> {
        let (role, via) = if claim.shared {
            (None, Via::ChannelLink)
        } else {
            (self.loaded.role_of(&claim.contact), Via::AckLink)
        };
        let claim = claim.clone();
        self.record.write(self.clock.now(), move |w| {
            entries::acknowledge(
                w,
                &claim.encounter,
                &claim.contact,
                role,
                via,
                Some(claim.link.clone()),
            )?;
            Ok(role)
        })
    }

    /// Answer one warrant-checklist question.
    pub fn answer_checklist(
        &self,
        id: &str,
        item: &str,
        answer: ChecklistAnswer,
        by: &str,
    ) -> Result<(), AppError> {
        self.checklist_item(item)?;
        let by = check_by(by)?.to_string();
        let (id, item) = (id.to_string(), item.to_string());
        self.record.write(self.clock.now(), move |w| {
            writes::checklist_in(w, &id, &item, answer, &by, None)
        })
    }

    /// `Ok` when the profile's checklist asks `item`.
    fn checklist_item(&self, item: &str) -> Result<(), AppError> {
        let profile = &self.loaded.profile;
        match profile.checklist_item(item) {
            Some(_) => Ok(()),
            None => Err(AppError::UnknownChecklistItem {
                found: item.into(),
                allowed: profile
                    .checklist
                    .iter()
                    .map(|c| c.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    /// Record counsel's instruction, or a staff note.
    pub fn add_text(&self, id: &str, kind: TextKind, text: &str, by: &str) -> Result<(), AppError> {
        self.add_text_from(id, kind, text, by, None)
    }

    /// Record counsel's instruction as `by` relays it `from` counsel (who
    /// gave it by phone): the record keeps both names.
    pub fn relay_instruction(
        &self,
        id: &str,
        text: &str,
        by: &str,
        from: &str,
    ) -> Result<(), AppError> {
        let from = check_by(from)?;
        self.add_text_from(id, TextKind::CounselInstruction, text, by, Some(from))
    }

    fn add_text_from(
        &self,
        id: &str,
        kind: TextKind,
        text: &str,
        by: &str,
        from: Option<&str>,
    ) -> Result<(), AppError> {
        let text = non_empty(kind.field(), crate::msg_id!("the text"), text)?.to_string();
        check_text(kind.field(), &text)?;
        let by = check_by(by)?.to_string();
        let (id, from) = (id.to_string(), from.map(str::to_string));
        self.record.write(self.clock.now(), move |w| {
            writes::text_in(w, &id, kind, &text, &by, from.as_deref(), None)
        })
    }

    /// Record the outcome, enforcing the counsel rule of the profile on the
    /// encounter as this write transaction sees it: of two concurrent
    /// decisions, the second is refused.
    pub fn decide(
        &self,
        id: &str,
        outcome: Outcome,
        by: &str,
        counsel_instruction: Option<&str>,
        override_reason: Option<&str>,
    ) -> Result<DecisionBasis, AppError> {
        let rule = self
            .loaded
            .profile
            .outcome_rule(outcome)
            .expect("profiles are validated to rule on every outcome")
            .clone();
        let by = check_by(by)?.to_string();
        for (field, text) in [
            ("counsel instruction", counsel_instruction),
            ("override reason", override_reason),
        ] {
            if let Some(t) = text {
                check_text(field, t)?;
            }
        }
        let given = override_reason.map(String::from);
        let instruction = counsel_instruction
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from);
        let reason = override_reason
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from);
        let id = id.to_string();
        // The officials' stated reason is theirs, not an override.
        let (reason, officials) = if rule.officials_reason {
            (None, reason)
        } else {
            (reason, None)
        };
        self.record.write(self.clock.now(), move |w| {
            let basis = check_decision(&state_in(w, &id)?, &rule, given.as_deref())?;
            let body = Decided {
                outcome,
                basis,
                by: w.seal(&by)?,
                override_reason: w.seal_opt(reason.as_deref())?,
                counsel_instruction: w.seal_opt(instruction.as_deref())?,
                officials_reason: w.seal_opt(officials.as_deref())?,
            };
            w.append(EventKind::Decided, &id, &body)?;
            Ok(basis)
        })
    }

    /// Close the encounter: the officials have left.
    pub fn close(&self, id: &str, by: &str) -> Result<(), AppError> {
        let by = check_by(by)?.to_string();
        let id = id.to_string();
        self.record.write(self.clock.now(), move |w| {
            check_close(&state_in(w, &id)?)?;
            let body = Closed { by: w.seal(&by)? };
            w.append(EventKind::Closed, &id, &body)?;
            Ok(())
        })
    }

    /// Journal that someone on the admin web viewed or exported something
    /// (`subject`: the encounter id, or `log`).
    pub fn record_view(&self, subject: &str, viewed: &Viewed) -> Result<(), AppError> {
        let (subject, viewed) = (subject.to_string(), viewed.clone());
        self.record.write(self.clock.now(), move |w| {
            w.append(EventKind::Viewed, &subject, &viewed)?;
            Ok(())
        })
    }

    /// The retention periods in force: a manager's setting on the admin web
    /// when there is one, otherwise the configuration's `[retention]`.
    pub fn retention(&self) -> Result<(u32, u32), AppError> {
        let r = &self.loaded.config.retention;
        let set = self.read(|rd| {
            crate::store::accounts::retention_override(rd.conn()).map_err(|e| rd.err(e).into())
        })?;
        Ok(set.unwrap_or((r.visitor_days, r.encounter_years)))
    }

    /// Run retention with the periods in force.
    pub fn purge(&self, dry_run: bool) -> Result<PurgeSummary, AppError> {
        let (visitor_days, encounter_years) = self.retention()?;
        let now = self.clock.now();
        Ok(self.record.with_store(move |store| {
            retention::purge(store, now, visitor_days, encounter_years, dry_run)
        })??)
    }
}
