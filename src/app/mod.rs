//! Use cases the CLI, kiosk and admin web all call: check in, open an
//! encounter, attach a page, acknowledge, decide, close, purge.

pub mod kiosk;
pub mod log_export;
mod page_image;
pub mod report;

pub use page_image::{PageImage, PageImageError, MAX_PAGE_BYTES};

use crate::alerts::ack_link::Claim;
use crate::alerts::plan;
use crate::config::Loaded;
use crate::domain::checkin::{CheckInRefused, VisitorCheckIn};
use crate::domain::encounter::{
    check_close, check_decision, check_open, check_text, ChecklistAnswer, DecisionBasis,
    DetailsRefused, EncounterDetails, EncounterState, Outcome, RuleRefused, Via,
};
use crate::domain::role::Role;
use crate::store::events::*;
use crate::store::query::{self, ReadError};
use crate::store::retention::{self, PurgeSummary};
use crate::store::{Store, StoreError, Writer};
use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;

/// The source of the current time; tests use a fixed or stepping clock.
pub trait Clock {
    fn now(&self) -> DateTime<Utc>;
}

/// The system's clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock stopped at one time: screenshots and demos that must render the
/// same every time.
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

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
    #[error("no encounter `{0}`; `threshold encounter list` shows the references")]
    UnknownEncounter(String),
    #[error("unknown entrance `{found}`; allowed: {allowed}")]
    UnknownEntrance { found: String, allowed: String },
    #[error("unknown area `{found}`; allowed: {allowed}")]
    UnknownArea { found: String, allowed: String },
    #[error("this acknowledge link was already used at {at}")]
    LinkUsed { at: String },
    #[error("unknown checklist item `{found}`; allowed: {allowed}")]
    UnknownChecklistItem { found: String, allowed: String },
    #[error("{field} is empty; give {what}")]
    Empty {
        field: &'static str,
        what: &'static str,
    },
}

impl From<rusqlite::Error> for AppError {
    fn from(e: rusqlite::Error) -> Self {
        AppError::Read(ReadError::Sqlite(e))
    }
}

/// The front desk: configuration, profile, store and clock together.
pub struct Desk<C: Clock = SystemClock> {
    pub loaded: Loaded,
    pub store: Store,
    clock: C,
}

impl<C: Clock> Desk<C> {
    pub fn new(loaded: Loaded, store: Store, clock: C) -> Self {
        Desk {
            loaded,
            store,
            clock,
        }
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

    fn state(&self, id: &str) -> Result<EncounterState, AppError> {
        query::encounter_state(self.store.conn(), id)?
            .ok_or_else(|| AppError::UnknownEncounter(id.to_string()))
    }

    /// Record a visitor check-in; returns its reference (`V-…`).
    pub fn check_in_visitor(&mut self, entry: VisitorCheckIn) -> Result<String, AppError> {
        let facility = &self.loaded.config.facility;
        let entry = entry.validate(&self.loaded.config.visitors.purposes, &facility.entrances)?;
        self.store.write(self.clock.now(), |w| {
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
        &mut self,
        entrance: Option<&str>,
        via: Via,
        drill: bool,
    ) -> Result<String, AppError> {
        let entrance = self.entrance(entrance)?;
        let now = self.clock.now();
        let loaded = &self.loaded;
        self.store.write(now, |w| {
            let id = open_in(w, &entrance, via, drill)?;
            plan::page_tier(w, loaded, &id, 0, drill, now)?;
            Ok(id)
        })
    }

    /// The panic button: open an encounter and page every tier up to and
    /// including the one with the rapid-response network, at once, in one
    /// transaction. Escalation goes on from there.
    pub fn panic_pressed(&mut self) -> Result<String, AppError> {
        let entrance = self.entrance(None)?;
        let now = self.clock.now();
        let loaded = &self.loaded;
        let last = loaded
            .config
            .escalation
            .tiers
            .iter()
            .position(|t| t.notify.contains(&Role::RapidResponse))
            .unwrap_or(0);
        self.store.write(now, |w| {
            let id = open_in(w, &entrance, Via::PanicButton, false)?;
            for tier in 0..=last {
                plan::page_tier(w, loaded, &id, tier, false, now)?;
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
        &mut self,
        id: &str,
        details: EncounterDetails,
        by: &str,
    ) -> Result<(), AppError> {
        check_open(&self.state(id)?)?;
        let details = self.checked_details(details)?;
        let by = check_by(by)?;
        self.store
            .write(self.clock.now(), |w| details_in(w, id, &details, Some(by)))
    }

    /// The CLI's official check-in: open, details and every page in one
    /// transaction. Pages were checked before this is called.
    pub fn check_in_official(
        &mut self,
        entrance: Option<&str>,
        via: Via,
        drill: bool,
        details: EncounterDetails,
        pages: &[PageImage],
    ) -> Result<String, AppError> {
        let entrance = self.entrance(entrance)?;
        let details = self.checked_details(details)?;
        let now = self.clock.now();
        let loaded = &self.loaded;
        self.store.write(now, |w| {
            let id = open_in(w, &entrance, via, drill)?;
            plan::page_tier(w, loaded, &id, 0, drill, now)?;
            details_in(w, &id, &details, None)?;
            for (i, page) in pages.iter().enumerate() {
                page_in(w, &id, i as u32 + 1, page)?;
            }
            Ok(id)
        })
    }

    /// Attach one more page; returns its page number.
    pub fn attach_page(&mut self, id: &str, page: &PageImage) -> Result<u32, AppError> {
        check_open(&self.state(id)?)?;
        self.store.write(self.clock.now(), |w| {
            let count: u32 = w
                .conn()
                .query_row("SELECT pages FROM encounters WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .map_err(AppError::from)?;
            page_in(w, id, count + 1, page)?;
            Ok(count + 1)
        })
    }

    /// Record an acknowledgement; returns the role of the person when they
    /// are a configured contact (counsel's acknowledgement unlocks outcomes).
    pub fn acknowledge(&mut self, id: &str, by: &str, via: Via) -> Result<Option<Role>, AppError> {
        check_open(&self.state(id)?)?;
        let by = check_by(by)?;
        let role = self.loaded.role_of(by);
        self.store.write(self.clock.now(), |w| {
            acknowledge_in(w, id, by, role, via, None)?;
            Ok(role)
        })
    }

    /// Whether a link can still acknowledge: the encounter is open and the
    /// link unused.
    pub fn link_status(&self, encounter: &str, link: &str) -> Result<(), AppError> {
        check_open(&self.state(encounter)?)?;
        let used: Option<String> = self
            .store
            .conn()
            .query_row("SELECT at FROM used_links WHERE link = ?1", [link], |r| {
                r.get(0)
            })
            .optional()?;
        match used {
            Some(at) => Err(AppError::LinkUsed { at }),
            None => Ok(()),
        }
    }

    /// Record the acknowledgement a signed link carries, once: the link's
    /// contact acknowledges, with their configured role.
    pub fn acknowledge_link(&mut self, claim: &Claim) -> Result<Option<Role>, AppError> {
        self.link_status(&claim.encounter, &claim.link)?;
        let role = self.loaded.role_of(&claim.contact);
        self.store.write(self.clock.now(), |w| {
            acknowledge_in(
                w,
                &claim.encounter,
                &claim.contact,
                role,
                Via::AckLink,
                Some(claim.link.clone()),
            )?;
            Ok(role)
        })
    }

    /// Answer one warrant-checklist question.
    pub fn answer_checklist(
        &mut self,
        id: &str,
        item: &str,
        answer: ChecklistAnswer,
        by: &str,
    ) -> Result<(), AppError> {
        check_open(&self.state(id)?)?;
        let profile = &self.loaded.profile;
        if profile.checklist_item(item).is_none() {
            return Err(AppError::UnknownChecklistItem {
                found: item.into(),
                allowed: profile
                    .checklist
                    .iter()
                    .map(|c| c.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        let by = check_by(by)?;
        self.store.write(self.clock.now(), |w| {
            let body = ChecklistAnswered {
                item: item.to_string(),
                answer,
                by: w.seal(by)?,
            };
            w.append(EventKind::ChecklistAnswered, id, &body)?;
            Ok(())
        })
    }

    /// Record counsel's instruction, or a staff note.
    pub fn add_text(
        &mut self,
        id: &str,
        kind: TextKind,
        text: &str,
        by: &str,
    ) -> Result<(), AppError> {
        check_open(&self.state(id)?)?;
        let text = non_empty(kind.field(), "the text", text)?;
        check_text(kind.field(), text)?;
        let by = check_by(by)?;
        self.store.write(self.clock.now(), |w| {
            let body = TextAdded {
                text: w.seal(text)?,
                by: w.seal(by)?,
            };
            let event = match kind {
                TextKind::Note => EventKind::NoteAdded,
                TextKind::CounselInstruction => EventKind::InstructionRecorded,
            };
            w.append(event, id, &body)?;
            Ok(())
        })
    }

    /// Record the outcome, enforcing the counsel rule of the profile.
    pub fn decide(
        &mut self,
        id: &str,
        outcome: Outcome,
        by: &str,
        counsel_instruction: Option<&str>,
        override_reason: Option<&str>,
    ) -> Result<DecisionBasis, AppError> {
        let state = self.state(id)?;
        let rule = self
            .loaded
            .profile
            .outcome_rule(outcome)
            .expect("profiles are validated to rule on every outcome");
        let basis = check_decision(&state, rule, override_reason)?;
        let by = check_by(by)?;
        for (field, text) in [
            ("counsel instruction", counsel_instruction),
            ("override reason", override_reason),
        ] {
            if let Some(t) = text {
                check_text(field, t)?;
            }
        }
        let instruction = counsel_instruction.map(str::trim).filter(|s| !s.is_empty());
        let reason = override_reason.map(str::trim).filter(|s| !s.is_empty());
        self.store.write(self.clock.now(), |w| {
            let body = Decided {
                outcome,
                basis,
                by: w.seal(by)?,
                override_reason: w.seal_opt(reason)?,
                counsel_instruction: w.seal_opt(instruction)?,
            };
            w.append(EventKind::Decided, id, &body)?;
            Ok(basis)
        })
    }

    /// Close the encounter: the officials have left.
    pub fn close(&mut self, id: &str, by: &str) -> Result<(), AppError> {
        check_close(&self.state(id)?)?;
        let by = check_by(by)?;
        self.store.write(self.clock.now(), |w| {
            let body = Closed { by: w.seal(by)? };
            w.append(EventKind::Closed, id, &body)?;
            Ok(())
        })
    }

    /// Journal that someone on the admin web viewed or exported something
    /// (`subject`: the encounter id, or `log`).
    pub fn record_view(
        &mut self,
        subject: &str,
        viewed: &crate::store::events::Viewed,
    ) -> Result<(), AppError> {
        let now = self.clock.now();
        self.store.write(now, |w| {
            w.append(EventKind::Viewed, subject, viewed)?;
            Ok(())
        })
    }

    /// The retention periods in force: a manager's setting on the admin web
    /// when there is one, otherwise the configuration's `[retention]`.
    pub fn retention(&self) -> Result<(u32, u32), AppError> {
        let r = &self.loaded.config.retention;
        let set = crate::store::accounts::retention_override(self.store.conn())
            .map_err(|e| self.store.err(e))?;
        Ok(set.unwrap_or((r.visitor_days, r.encounter_years)))
    }

    /// Run retention with the periods in force.
    pub fn purge(&mut self, dry_run: bool) -> Result<PurgeSummary, AppError> {
        let (visitor_days, encounter_years) = self.retention()?;
        Ok(retention::purge(
            &mut self.store,
            self.clock.now(),
            visitor_days,
            encounter_years,
            dry_run,
        )?)
    }
}

/// Free text added to an encounter after it opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    Note,
    CounselInstruction,
}

impl TextKind {
    fn field(self) -> &'static str {
        match self {
            TextKind::Note => "note",
            TextKind::CounselInstruction => "counsel instruction",
        }
    }
}

fn non_empty<'a>(field: &'static str, what: &'static str, s: &'a str) -> Result<&'a str, AppError> {
    let s = s.trim();
    if s.is_empty() {
        Err(AppError::Empty { field, what })
    } else {
        Ok(s)
    }
}

fn check_by(by: &str) -> Result<&str, AppError> {
    let by = non_empty("--by", "the name of the person recording this", by)?;
    if by.chars().count() > MAX_BY_CHARS || by.chars().any(char::is_control) {
        return Err(AppError::Empty {
            field: "--by",
            what: "a name of at most 100 characters without control characters",
        });
    }
    Ok(by)
}

/// Journal that `by` (with `role`, if a configured contact) acknowledged
/// encounter `id` via `via`. Shared by the desk, links and SMS replies.
pub fn acknowledge_in(
    w: &mut Writer<'_>,
    id: &str,
    by: &str,
    role: Option<Role>,
    via: Via,
    link: Option<String>,
) -> Result<(), StoreError> {
    let body = Acknowledged {
        by: w.seal(by)?,
        role,
        via,
        link,
    };
    w.append(EventKind::Acknowledged, id, &body)?;
    Ok(())
}

fn open_in(w: &mut Writer<'_>, entrance: &str, via: Via, drill: bool) -> Result<String, AppError> {
    let id = w.fresh_id("E", "encounters", 8)?;
    let body = EncounterOpened {
        entrance: entrance.to_string(),
        via,
        drill,
    };
    w.append(EventKind::EncounterOpened, &id, &body)?;
    Ok(id)
}

fn details_in(
    w: &mut Writer<'_>,
    id: &str,
    d: &EncounterDetails,
    by: Option<&str>,
) -> Result<(), AppError> {
    let officers = d
        .officers
        .iter()
        .map(|o| {
            Ok(OfficerRefs {
                name: w.seal(&o.name)?,
                badge: w.seal(&o.badge)?,
                agency: w.seal(&o.agency)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let body = DetailsRecorded {
        officers,
        supervisor: w.seal_opt(d.supervisor.as_deref())?,
        purpose: w.seal_opt(d.purpose.as_deref())?,
        sought: w.seal_opt(d.sought.as_deref())?,
        area: d.area.as_ref().map(|(n, _)| n.clone()),
        area_public: d.area.as_ref().map(|(_, p)| *p),
        exigent: d.exigent,
        document_kind: d.document_kind,
        court: w.seal_opt(d.document.court.as_deref())?,
        judge: w.seal_opt(d.document.judge.as_deref())?,
        issued: d.document.issued,
        expires: d.document.expires,
        address: w.seal_opt(d.document.address.as_deref())?,
        areas_named: w.seal_opt(d.document.areas_named.as_deref())?,
        by: w.seal_opt(by)?,
    };
    w.append(EventKind::DetailsRecorded, id, &body)?;
    Ok(())
}

fn page_in(w: &mut Writer<'_>, id: &str, number: u32, page: &PageImage) -> Result<(), AppError> {
    let page = w.put_page(&page.bytes, page.media)?;
    w.append(EventKind::PageCaptured, id, &PageCaptured { number, page })?;
    Ok(())
}
