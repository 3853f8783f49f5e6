//! What the kiosk's controller needs from the desk: the use cases it calls
//! and the reads its screens show. `Desk` implements it; tests wrap it to
//! make the store fail on demand.

use crate::app::{AppError, Clock, Desk, PageImage, TextKind};
use crate::config::Loaded;
use crate::domain::checkin::VisitorCheckIn;
use crate::domain::encounter::{ChecklistAnswer, DecisionBasis, EncounterDetails, Outcome, Via};
use crate::store::query::{self, EncounterRecord, EncounterRow};
use chrono::{DateTime, TimeZone, Utc};

/// The desk as the kiosk uses it.
pub trait KioskDesk {
    fn loaded(&self) -> &Loaded;
    fn now(&self) -> DateTime<Utc>;
    fn check_in_visitor(&mut self, entry: VisitorCheckIn) -> Result<String, AppError>;
    fn open_encounter(&mut self, via: Via, drill: bool) -> Result<String, AppError>;
    fn attach_page(&mut self, id: &str, page: &PageImage) -> Result<u32, AppError>;
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
    fn open_encounter(&mut self, via: Via, drill: bool) -> Result<String, AppError> {
        Desk::open_encounter(self, None, via, drill)
    }
    fn attach_page(&mut self, id: &str, page: &PageImage) -> Result<u32, AppError> {
        Desk::attach_page(self, id, page)
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
        query::encounter(self.store.conn(), id)?
            .ok_or_else(|| AppError::UnknownEncounter(id.to_string()))
    }
    fn open_encounters(&self) -> Result<Vec<EncounterRow>, AppError> {
        Ok(query::encounters(self.store.conn(), true)?)
    }
    fn today(&self) -> Result<(u32, u32), AppError> {
        let tz = self.loaded.timezone();
        let local = self.clock.now().with_timezone(&tz).date_naive();
        let midnight = tz
            .from_local_datetime(&local.and_hms_opt(0, 0, 0).expect("midnight exists"))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| self.clock.now());
        let since = crate::store::timestamp(midnight);
        let conn = self.store.conn();
        let count = |sql: &str| -> Result<u32, AppError> {
            Ok(conn.query_row(sql, [&since], |r| r.get(0))?)
        };
        Ok((
            count("SELECT COUNT(*) FROM checkins WHERE at >= ?1")?,
            count("SELECT COUNT(*) FROM encounters WHERE opened_at >= ?1")?,
        ))
    }
    fn channel_trouble(&self) -> Result<Vec<(String, u32, Option<String>)>, AppError> {
        let mut stmt = self.store.conn().prepare(
            "SELECT channel, COUNT(*), MAX(last_error) FROM outbox
             WHERE state <> 'sent' AND attempts > 0 GROUP BY channel ORDER BY channel",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
