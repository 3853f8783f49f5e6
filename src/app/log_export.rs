//! The check-in log as CSV or JSON Lines, for `log export` and the admin
//! web's `/export.csv` and `/export.jsonl`: day filters in the facility's
//! time zone, and cells that cannot carry spreadsheet formulas.

use crate::config::Loaded;
use crate::store::query::{for_each_log_row, LogError, LogFilter, LogKind, LogRow};
use crate::store::timestamp;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rusqlite::Connection;
use std::io::{BufWriter, Write};

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
}

/// Why a filter was refused; `field` is the flag or form field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("{}", crate::msg!("{field}: found `{value}`; expected a date as YYYY-MM-DD", field = .field, value = .value))]
    BadDate { field: &'static str, value: String },
    #[error("{}", crate::msg!("{to_field} {to} is before {from_field} {from}", to_field = .to_field, to = .to, from_field = .from_field, from = .from))]
    Reversed {
        from_field: &'static str,
        from: NaiveDate,
        to_field: &'static str,
        to: NaiveDate,
    },
    #[error("{}", crate::msg!("{field}: {day} is too far in the future", field = .field, day = .day))]
    TooLate { field: &'static str, day: NaiveDate },
    #[error("{}", crate::msg!("unknown purpose `{found}`; allowed: {allowed}", found = .found, allowed = .allowed))]
    UnknownPurpose { found: String, allowed: String },
    #[error("{}", crate::msg!("unknown kind `{found}`; expected visitor or encounter", found = .0))]
    UnknownKind(String),
}

/// Field names for messages: the CLI's flags or the web form's fields.
pub struct FieldNames {
    pub from: &'static str,
    pub to: &'static str,
}

/// Turn days (facility time zone, both inclusive) into a filter.
pub fn day_filter(
    loaded: &Loaded,
    names: &FieldNames,
    from: Option<&str>,
    to: Option<&str>,
    kind: Option<LogKind>,
    purpose: Option<String>,
) -> Result<LogFilter, FilterError> {
    let day = |field: &'static str, v: &str| {
        NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| FilterError::BadDate {
            field,
            value: v.to_string(),
        })
    };
    let from_day = from.map(|v| day(names.from, v)).transpose()?;
    let to_day = to.map(|v| day(names.to, v)).transpose()?;
    if let (Some(f), Some(t)) = (from_day, to_day) {
        if t < f {
            return Err(FilterError::Reversed {
                from_field: names.from,
                from: f,
                to_field: names.to,
                to: t,
            });
        }
    }
    if let Some(p) = &purpose {
        if !loaded.config.visitors.purposes.contains(p) {
            return Err(FilterError::UnknownPurpose {
                found: p.clone(),
                allowed: loaded.config.visitors.purposes.join(", "),
            });
        }
    }
    Ok(LogFilter {
        from: from_day.map(|d| midnight(loaded, d)),
        to: to_day
            .map(|d| {
                d.succ_opt()
                    .map(|d| midnight(loaded, d))
                    .ok_or(FilterError::TooLate {
                        field: names.to,
                        day: d,
                    })
            })
            .transpose()?,
        kind,
        purpose,
    })
}

/// The journal timestamp of midnight starting `day` in the facility's zone.
pub fn midnight(loaded: &Loaded, day: NaiveDate) -> String {
    let local = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    // A DST gap at midnight: take the earliest valid instant.
    loaded
        .timezone()
        .from_local_datetime(&local)
        .earliest()
        .map(|t| timestamp(t.with_timezone(&Utc)))
        .unwrap_or_else(|| timestamp(Utc.from_utc_datetime(&local)))
}

/// A journal timestamp in the facility's time zone, for people.
pub fn local(loaded: &Loaded, at: &str) -> String {
    DateTime::parse_from_rfc3339(at)
        .map(|t| {
            t.with_timezone(&Utc)
                .with_timezone(&loaded.timezone())
                .format("%Y-%m-%d %H:%M:%S %Z")
                .to_string()
        })
        .unwrap_or_else(|_| at.to_string())
}

/// Spreadsheet programs run cells that start with these as formulas; text
/// typed by people is prefixed with `'` so an export cannot carry one.
fn defuse(s: Option<String>) -> String {
    match s {
        Some(s) if s.starts_with(['=', '+', '-', '@', '\t', '\r']) => format!("'{s}"),
        Some(s) => s,
        None => String::new(),
    }
}

/// The CSV header row.
pub const CSV_COLUMNS: [&str; 14] = [
    "kind",
    "id",
    "at_utc",
    "local_time",
    "entrance",
    "purpose",
    "language",
    "name",
    "host",
    "document_kind",
    "drill",
    "outcome",
    "closed_at_utc",
    "purged",
];

/// Write the rows matching `filter` to `out`; returns how many.
pub fn write_log<W: Write>(
    loaded: &Loaded,
    conn: &Connection,
    filter: &LogFilter,
    format: Format,
    out: W,
) -> Result<u64, LogError> {
    let n = match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(CSV_COLUMNS).map_err(std::io::Error::other)?;
            let n = for_each_log_row(conn, filter, |r: LogRow| {
                let local = local(loaded, &r.at);
                w.write_record([
                    r.kind.to_string(),
                    r.id,
                    r.at,
                    local,
                    r.entrance,
                    defuse(r.purpose),
                    r.language.unwrap_or_default(),
                    defuse(r.name),
                    defuse(r.host),
                    r.document_kind.unwrap_or_default(),
                    r.drill.map(|d| d.to_string()).unwrap_or_default(),
                    r.outcome.unwrap_or_default(),
                    r.closed_at.unwrap_or_default(),
                    r.purged.to_string(),
                ])
                .map_err(std::io::Error::other)
            })?;
            w.flush()?;
            n
        }
        Format::Jsonl => {
            let mut w = BufWriter::new(out);
            let n = for_each_log_row(conn, filter, |r| {
                serde_json::to_writer(&mut w, &r).map_err(std::io::Error::other)?;
                w.write_all(b"\n")
            })?;
            w.flush()?;
            n
        }
    };
    Ok(n)
}
