//! What the kiosk's controller needs from the desk: the use cases it calls
//! and the reads its screens show. `Desk` implements it; tests wrap it to
//! make the store fail on demand.

use crate::app::{AppError, Clock, Desk, PageImage, TextKind};
use crate::config::Loaded;
use crate::domain::checkin::VisitorCheckIn;
use crate::domain::encounter::{
    ChecklistAnswer, DecisionBasis, EncounterDetails, Outcome, PageKind, Via,
};
use crate::store::query::{self, EncounterRecord, EncounterRow};
use chrono::{DateTime, TimeZone, Utc};

impl<C: Clock> Desk<C> {
    /// The full record of encounter `id`.
    pub fn encounter(&self, id: &str) -> Result<EncounterRecord, AppError> {
        self.read(|r| {
            query::encounter(r.conn(), id)?
                .ok_or_else(|| AppError::UnknownEncounter(id.to_string()))
        })
    }

    /// Encounters, newest first; only the open ones when `open_only`.
    pub fn encounters(&self, open_only: bool) -> Result<Vec<EncounterRow>, AppError> {
        self.read(|r| Ok(query::encounters(r.conn(), open_only)?))
    }

    /// Visitors and encounters since local midnight.
    pub fn today(&self) -> Result<(u32, u32), AppError> {
        let tz = self.loaded.timezone();
        let now = self.clock.now();
        let local = now.with_timezone(&tz).date_naive();
        let midnight = tz
            .from_local_datetime(&local.and_hms_opt(0, 0, 0).expect("midnight exists"))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(now);
        let since = crate::store::timestamp(midnight);
        self.read(|r| Ok(query::counts_since(r.conn(), &since)?))
    }

    /// Pages per channel that could not be delivered yet, and the last error.
    pub fn channel_trouble(&self) -> Result<Vec<(String, u32, Option<String>)>, AppError> {
        self.read(|r| Ok(query::channel_trouble(r.conn())?))
    }
}

/// The desk as the kiosk uses it.
use crate::domain::anchor::Anchor;

pub trait KioskDesk {
    fn loaded(&self) -> &Loaded;
    fn now(&self) -> DateTime<Utc>;
    fn check_in_visitor(&mut self, entry: VisitorCheckIn) -> Result<String, AppError>;
    /// Open an encounter; `lang`: the language the kiosk showed the
    /// official, when opened at their first screen.
    fn open_encounter(
        &mut self,
        via: Via,
        drill: bool,
        lang: Option<crate::domain::language::Language>,
    ) -> Result<String, AppError>;
    /// Attach a page of `kind`, taken by `by` when staff took it.
    fn attach_page(
        &mut self,
        id: &str,
        page: &PageImage,
        kind: PageKind,
        by: Option<&str>,
    ) -> Result<u32, AppError>;
    /// A page's image, decrypted (for staff mode's thumbnails).
    fn page_image(&self, page: &str) -> Result<Vec<u8>, AppError>;
    fn record_details(&mut self, id: &str, d: EncounterDetails, by: &str) -> Result<(), AppError>;
    fn acknowledge(&mut self, id: &str, by: &str) -> Result<(), AppError>;
    fn answer_checklist(
        &mut self,
        id: &str,
        item: &str,
        answer: ChecklistAnswer,
        by: &str,
    ) -> Result<(), AppError>;
    fn add_text(&mut self, id: &str, kind: TextKind, text: &str, by: &str) -> Result<(), AppError>;
    fn relay_instruction(
        &mut self,
        id: &str,
        text: &str,
        by: &str,
        from: &str,
    ) -> Result<(), AppError>;
    fn decide(
        &mut self,
        id: &str,
        outcome: Outcome,
        by: &str,
        reason: Option<&str>,
    ) -> Result<DecisionBasis, AppError>;
    fn close(&mut self, id: &str, by: &str) -> Result<(), AppError>;
    fn encounter(&self, id: &str) -> Result<EncounterRecord, AppError>;
    fn open_encounters(&self) -> Result<Vec<EncounterRow>, AppError>;
    /// Visitors and encounters since local midnight.
    fn today(&self) -> Result<(u32, u32), AppError>;
    /// Pages per channel that could not be delivered yet, and the last error.
    fn channel_trouble(&self) -> Result<Vec<(String, u32, Option<String>)>, AppError>;
    /// The record's head now, as receipts print it (`SEQ:HASH`).
    fn record_head(&self) -> Result<Anchor, AppError>;
}

impl<C: Clock> KioskDesk for Desk<C> {
    fn loaded(&self) -> &Loaded {
        &self.loaded
    }
    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
    fn check_in_visitor(&mut self, entry: VisitorCheckIn) -> Result<String, AppError> {
        Desk::check_in_visitor(self, entry)
    }
    fn open_encounter(
        &mut self,
        via: Via,
        drill: bool,
        lang: Option<crate::domain::language::Language>,
    ) -> Result<String, AppError> {
        Desk::open_encounter_in(self, None, via, drill, lang)
    }
    fn attach_page(
        &mut self,
        id: &str,
        page: &PageImage,
        kind: PageKind,
        by: Option<&str>,
    ) -> Result<u32, AppError> {
        Desk::attach_evidence(self, id, page, kind, by)
    }
    fn page_image(&self, page: &str) -> Result<Vec<u8>, AppError> {
        Desk::page_image(self, page)
    }
    fn record_details(&mut self, id: &str, d: EncounterDetails, by: &str) -> Result<(), AppError> {
        Desk::record_details(self, id, d, by)
    }
    fn acknowledge(&mut self, id: &str, by: &str) -> Result<(), AppError> {
        Desk::acknowledge(self, id, by, Via::StaffMode).map(|_| ())
    }
    fn answer_checklist(
        &mut self,
        id: &str,
        item: &str,
        answer: ChecklistAnswer,
        by: &str,
    ) -> Result<(), AppError> {
        Desk::answer_checklist(self, id, item, answer, by)
    }
    fn add_text(&mut self, id: &str, kind: TextKind, text: &str, by: &str) -> Result<(), AppError> {
        Desk::add_text(self, id, kind, text, by)
    }
    fn relay_instruction(
        &mut self,
        id: &str,
        text: &str,
        by: &str,
        from: &str,
    ) -> Result<(), AppError> {
        Desk::relay_instruction(self, id, text, by, from)
    }
    fn decide(
        &mut self,
        id: &str,
        outcome: Outcome,
        by: &str,
        reason: Option<&str>,
    ) -> Result<DecisionBasis, AppError> {
        Desk::decide(self, id, outcome, by, None, reason)
    }
    fn close(&mut self, id: &str, by: &str) -> Result<(), AppError> {
        Desk::close(self, id, by)
    }
    fn encounter(&self, id: &str) -> Result<EncounterRecord, AppError> {
        Desk::encounter(self, id)
    }
    fn open_encounters(&self) -> Result<Vec<EncounterRow>, AppError> {
        Desk::encounters(self, true)
    }
    fn today(&self) -> Result<(u32, u32), AppError> {
        Desk::today(self)
    }
    fn channel_trouble(&self) -> Result<Vec<(String, u32, Option<String>)>, AppError> {
        Desk::channel_trouble(self)
    }
    fn record_head(&self) -> Result<Anchor, AppError> {
        let (seq, hash) = Desk::chain_head(self)?;
        Ok(Anchor::short(seq, &hash))
    }
}
