//! Legal holds: counsel or a manager keeps an encounter (or every
//! encounter opened in a range of days) out of retention's reach, with a
//! reason, until the hold is released. Placing and releasing are journaled
//! with who did it; purge skips what a hold covers and says so.

use super::{check_by, non_empty, AppError, Clock, Desk};
use crate::store::events::{EventKind, HoldPlaced, HoldReleased};
use chrono::NaiveDate;
use rusqlite::OptionalExtension;
use serde::Serialize;

/// The longest reason a hold takes.
pub const MAX_REASON_CHARS: usize = 500;

/// What a hold covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoldTarget {
    Encounter(String),
    /// Every encounter opened on these local days, both included.
    Days {
        from: NaiveDate,
        to: NaiveDate,
    },
}

/// Why a hold could not be placed or released.
#[derive(Debug, thiserror::Error)]
pub enum HoldRefused {
    #[error("{}", crate::msg!("--from {from} is after --to {to}; give the first day, then the last", from = .from, to = .to))]
    BackwardRange { from: NaiveDate, to: NaiveDate },
    #[error("{}", crate::msg!("no legal hold `{id}`; `threshold hold list` shows them", id = .0))]
    Unknown(String),
    #[error("{}", crate::msg!("legal hold `{id}` was already released", id = .0))]
    Released(String),
    #[error("{}", crate::msg!("--reason is longer than {limit} characters", limit = MAX_REASON_CHARS))]
    ReasonTooLong,
}

/// One hold, for `hold list`, the dashboard and the retention page.
#[derive(Debug, Clone, Serialize)]
pub struct HoldRow {
    pub id: String,
    pub encounter: Option<String>,
    pub from_day: Option<String>,
    pub to_day: Option<String>,
    pub reason: String,
    pub placed_at: String,
    pub released: bool,
}

impl HoldRow {
    /// What it covers: `E-…` or `2026-03-01 – 2026-03-31` (no words, so it
    /// reads in every language).
    pub fn covers(&self) -> String {
        match (&self.encounter, &self.from_day, &self.to_day) {
            (Some(e), _, _) => e.clone(),
            (None, Some(a), Some(b)) => format!("{a} – {b}"),
            _ => "?".into(),
        }
    }
}

impl<C: Clock> Desk<C> {
    /// Place a legal hold on `target` for `reason`; returns its reference.
    pub fn place_hold(
        &self,
        target: HoldTarget,
        reason: &str,
        by: &str,
    ) -> Result<String, AppError> {
        let by = check_by(by)?.to_string();
        let reason = non_empty(
            "--reason",
            crate::msg_id!("why the records must be kept"),
            reason,
        )?
        .to_string();
        if reason.chars().count() > MAX_REASON_CHARS {
            return Err(HoldRefused::ReasonTooLong.into());
        }
        let midnight = |d: NaiveDate| crate::app::log_export::midnight(&self.loaded, d);
        let (encounter, range) = match target {
            HoldTarget::Encounter(id) => (Some(id), None),
            HoldTarget::Days { from, to } => {
                if from > to {
                    return Err(HoldRefused::BackwardRange { from, to }.into());
                }
                let after = to.succ_opt().unwrap_or(to);
                (None, Some((from, to, midnight(from), midnight(after))))
            }
        };
        self.record.write(self.clock.now(), move |w| {
            if let Some(id) = &encounter {
                let known = crate::store::query::encounter_state(w.conn(), id)
                    .map_err(|e| w.err(e))?
                    .is_some();
                if !known {
                    return Err(AppError::UnknownEncounter(id.clone()));
                }
            }
            let hold = w.fresh_id("H", "holds", 6)?;
            let body = HoldPlaced {
                hold: hold.clone(),
                encounter: encounter.clone(),
                from_at: range.as_ref().map(|r| r.2.clone()),
                until_at: range.as_ref().map(|r| r.3.clone()),
                from_day: range.as_ref().map(|r| r.0),
                to_day: range.as_ref().map(|r| r.1),
                reason,
                by: w.seal(&by)?,
            };
            let subject = encounter.as_deref().unwrap_or("holds");
            w.append(EventKind::HoldPlaced, subject, &body)?;
            Ok(hold)
        })
    }

    /// Release legal hold `hold`: retention applies again.
    pub fn release_hold(&self, hold: &str, by: &str) -> Result<(), AppError> {
        let by = check_by(by)?.to_string();
        let hold = hold.trim().to_string();
        self.record.write(self.clock.now(), move |w| {
            let found: Option<(Option<String>, Option<i64>)> = w
                .conn()
                .query_row(
                    "SELECT encounter_id, released_seq FROM holds WHERE id = ?1",
                    [&hold],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(|e| w.err(e))?;
            let Some((encounter, released)) = found else {
                return Err(HoldRefused::Unknown(hold).into());
            };
            if released.is_some() {
                return Err(HoldRefused::Released(hold).into());
            }
            let body = HoldReleased {
                hold: hold.clone(),
                by: w.seal(&by)?,
            };
            let subject = encounter.as_deref().unwrap_or("holds");
            w.append(EventKind::HoldReleased, subject, &body)?;
            Ok(())
        })
    }

    /// Legal holds, newest first; only those in force when `active_only`.
    pub fn holds(&self, active_only: bool) -> Result<Vec<HoldRow>, AppError> {
        self.read(|r| {
            let sql = format!(
                "SELECT id, encounter_id, from_day, to_day, reason, placed_at, released_seq IS NOT NULL
                 FROM holds {} ORDER BY placed_seq DESC",
                if active_only { "WHERE released_seq IS NULL" } else { "" }
            );
            let mut stmt = r.conn().prepare(&sql)?;
            let rows = stmt
                .query_map([], |row| {
                    Ok(HoldRow {
                        id: row.get(0)?,
                        encounter: row.get(1)?,
                        from_day: row.get(2)?,
                        to_day: row.get(3)?,
                        reason: row.get(4)?,
                        placed_at: row.get(5)?,
                        released: row.get(6)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }
}
