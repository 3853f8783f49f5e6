//! The city's statistics from the hub's projections: the encounters'
//! facts of a period (no names, no words anyone said) and the visitors'
//! counts by month and purpose, for the facilities an account covers.
//! The counting itself is [`crate::domain::stats`].

use super::store::DbError;
use crate::domain::stats::{compute, EncounterFacts, Stats};
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use deadpool_postgres::Pool;

/// A period of whole months in the city's time zone, `from` to `to`
/// inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The longest period asked for at once.
pub const MAX_MONTHS: i32 = 120;

fn month_start(y: i32, m: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, 1)
}

/// `YYYY-MM` as the first day of that month.
pub fn parse_month(s: &str) -> Option<NaiveDate> {
    let (y, m) = s.trim().split_once('-')?;
    month_start(y.parse().ok()?, m.parse().ok()?)
}

impl Period {
    /// The twelve months ending with the one `now` is in.
    pub fn last_year(now: DateTime<Utc>, tz: chrono_tz::Tz) -> Period {
        let today = now.with_timezone(&tz).date_naive();
        let to = month_start(today.year(), today.month()).unwrap_or(today);
        let from = to.checked_sub_months(chrono::Months::new(11)).unwrap_or(to);
        Period { from, to }
    }

    /// `from` and `to` as `YYYY-MM`; `None` for anything else, an end
    /// before the start, or more than [`MAX_MONTHS`].
    pub fn parse(from: &str, to: &str) -> Option<Period> {
        let (from, to) = (parse_month(from)?, parse_month(to)?);
        let months = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
        (0..MAX_MONTHS)
            .contains(&months)
            .then_some(Period { from, to })
    }

    pub fn from_month(&self) -> String {
        self.from.format("%Y-%m").to_string()
    }

    pub fn to_month(&self) -> String {
        self.to.format("%Y-%m").to_string()
    }

    /// The period's first and last instants (end exclusive) in `tz`.
    pub fn bounds(&self, tz: chrono_tz::Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        let end = self
            .to
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(self.to);
        let at = |d: NaiveDate| {
            tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
                .earliest()
                .map_or_else(
                    || d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc(),
                    |t| t.with_timezone(&Utc),
                )
        };
        (at(self.from), at(end))
    }
}

/// The statistics of `period` for `scope` (`None`: every facility), with
/// the visitors' counts.
pub async fn of(
    pool: &Pool,
    scope: &Option<Vec<String>>,
    period: Period,
    tz: chrono_tz::Tz,
) -> Result<Stats, DbError> {
    let (start, end) = period.bounds(tz);
    let c = pool.get().await?;
    let rows = c
        .query(
            "SELECT facility, opened_at, drill, document, outcome, first_ack_at, counsel_ack_at
             FROM encounters
             WHERE opened_at >= $1 AND opened_at < $2 AND ($3::text[] IS NULL OR facility = ANY($3))",
            &[&start, &end, scope],
        )
        .await?;
    let facts: Vec<EncounterFacts> = rows
        .iter()
        .map(|r| EncounterFacts {
            facility: r.get(0),
            opened_at: r.get(1),
            drill: r.get(2),
            document: r.get(3),
            outcome: r.get(4),
            first_ack_at: r.get(5),
            counsel_ack_at: r.get(6),
        })
        .collect();
    let mut stats = compute(&facts, tz);
    let rows = c
        .query(
            "SELECT month, facility, purpose, n FROM visit_months
             WHERE month >= $1 AND month <= $2 AND ($3::text[] IS NULL OR facility = ANY($3))",
            &[&period.from_month(), &period.to_month(), scope],
        )
        .await?;
    for r in &rows {
        let n: i64 = r.get(3);
        stats
            .visitors
            .insert((r.get(0), r.get(1), r.get(2)), n.max(0) as u64);
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_whole_months_in_the_city() {
        let tz: chrono_tz::Tz = "America/Los_Angeles".parse().unwrap();
        let p = Period::parse("2026-01", "2026-12").unwrap();
        let (a, b) = p.bounds(tz);
        assert_eq!(a.to_rfc3339(), "2026-01-01T08:00:00+00:00");
        assert_eq!(b.to_rfc3339(), "2027-01-01T08:00:00+00:00");
        assert!(Period::parse("2026-12", "2026-01").is_none());
        assert!(Period::parse("2026-13", "2026-12").is_none());
        assert!(Period::parse("2000-01", "2026-12").is_none());
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 3, 0, 0).unwrap();
        let y = Period::last_year(now, tz);
        assert_eq!(
            (y.from_month(), y.to_month()),
            ("2025-12".into(), "2026-11".into())
        );
    }
}
