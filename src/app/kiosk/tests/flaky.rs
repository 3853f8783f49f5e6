//! A desk whose writes fail on demand (a full disk, a pulled card).

use super::super::*;
use crate::app::{Desk, PageImage};
use crate::domain::encounter::{ChecklistAnswer, DecisionBasis, Outcome, PageKind};
use crate::store::query::{EncounterRecord, EncounterRow};
use chrono::{DateTime, Utc};

/// A desk whose writes fail while `broken` (a full disk, a pulled card).
pub struct Flaky {
    pub desk: Desk,
    pub broken: bool,
}

impl Flaky {
    fn check(&self) -> Result<(), AppError> {
        if self.broken {
            Err(AppError::Empty {
                field: "disk",
                what: "free space (simulated full disk)",
            })
        } else {
            Ok(())
        }
    }
}

impl KioskDesk for Flaky {
    fn loaded(&self) -> &Loaded {
        &self.desk.loaded
    }
    fn now(&self) -> DateTime<Utc> {
        KioskDesk::now(&self.desk)
    }
    fn check_in_visitor(&mut self, e: VisitorCheckIn) -> Result<String, AppError> {
        self.check()?;
        KioskDesk::check_in_visitor(&mut self.desk, e)
    }
    fn open_encounter(
        &mut self,
        via: Via,
        drill: bool,
        lang: Option<Language>,
    ) -> Result<String, AppError> {
        self.check()?;
        KioskDesk::open_encounter(&mut self.desk, via, drill, lang)
    }
    fn attach_page(
        &mut self,
        id: &str,
        page: &PageImage,
        kind: PageKind,
        by: Option<&str>,
    ) -> Result<u32, AppError> {
        self.check()?;
        KioskDesk::attach_page(&mut self.desk, id, page, kind, by)
    }
    fn page_image(&self, page: &str) -> Result<Vec<u8>, AppError> {
        KioskDesk::page_image(&self.desk, page)
    }
    fn record_details(&mut self, id: &str, x: EncounterDetails, by: &str) -> Result<(), AppError> {
        self.check()?;
        KioskDesk::record_details(&mut self.desk, id, x, by)
    }
    fn acknowledge(&mut self, id: &str, by: &str) -> Result<(), AppError> {
        self.check()?;
        KioskDesk::acknowledge(&mut self.desk, id, by)
    }
    fn answer_checklist(
        &mut self,
        id: &str,
        i: &str,
        a: ChecklistAnswer,
        by: &str,
    ) -> Result<(), AppError> {
        self.check()?;
        KioskDesk::answer_checklist(&mut self.desk, id, i, a, by)
    }
    fn add_text(&mut self, id: &str, k: TextKind, t: &str, by: &str) -> Result<(), AppError> {
        self.check()?;
        KioskDesk::add_text(&mut self.desk, id, k, t, by)
    }
    fn relay_instruction(
        &mut self,
        id: &str,
        t: &str,
        by: &str,
        from: &str,
    ) -> Result<(), AppError> {
        self.check()?;
        KioskDesk::relay_instruction(&mut self.desk, id, t, by, from)
    }
    fn decide(
        &mut self,
        id: &str,
        o: Outcome,
        by: &str,
        r: Option<&str>,
    ) -> Result<DecisionBasis, AppError> {
        self.check()?;
        KioskDesk::decide(&mut self.desk, id, o, by, r)
    }
    fn close(&mut self, id: &str, by: &str) -> Result<(), AppError> {
        self.check()?;
        KioskDesk::close(&mut self.desk, id, by)
    }
    fn encounter(&self, id: &str) -> Result<EncounterRecord, AppError> {
        KioskDesk::encounter(&self.desk, id)
    }
    fn open_encounters(&self) -> Result<Vec<EncounterRow>, AppError> {
        self.desk.open_encounters()
    }
    fn today(&self) -> Result<(u32, u32), AppError> {
        self.desk.today()
    }
    fn channel_trouble(&self) -> Result<Vec<(String, u32, Option<String>)>, AppError> {
        self.desk.channel_trouble()
    }
    fn record_head(&self) -> Result<crate::domain::anchor::Anchor, AppError> {
        KioskDesk::record_head(&self.desk)
    }
}
