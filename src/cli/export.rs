//! `log export`: CSV and JSON Lines of the check-in log.

use super::args::{ExportFormat, KindArg};
use crate::app::Desk;
use crate::config::Loaded;
use crate::store::query::{for_each_log_row, LogFilter, LogKind, LogRow};
use crate::store::timestamp;
use anyhow::{anyhow, bail, Context};
use chrono::{NaiveDate, TimeZone, Utc};
use std::io::{BufWriter, Write};
use std::path::Path;

/// Turn `--from/--to` days (facility time zone, both inclusive) into a filter.
pub fn filter(
    loaded: &Loaded,
    from: Option<&str>,
    to: Option<&str>,
    kind: Option<KindArg>,
    purpose: Option<String>,
) -> anyhow::Result<LogFilter> {
    let tz = loaded.timezone();
    let day = |flag: &str, v: &str| {
        NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map_err(|_| anyhow!("{flag}: found `{v}`; expected a date as YYYY-MM-DD"))
    };
    let midnight = |d: NaiveDate| {
        let local = d.and_hms_opt(0, 0, 0).expect("midnight exists");
        // A DST gap at midnight: take the earliest valid instant.
        tz.from_local_datetime(&local)
            .earliest()
            .map(|t| timestamp(t.with_timezone(&Utc)))
            .unwrap_or_else(|| timestamp(Utc.from_utc_datetime(&local)))
    };
    let from_day = from.map(|v| day("--from", v)).transpose()?;
    let to_day = to.map(|v| day("--to", v)).transpose()?;
    if let (Some(f), Some(t)) = (from_day, to_day) {
        if t < f {
            bail!("--to {t} is before --from {f}");
        }
    }
    if let Some(p) = &purpose {
        if !loaded.config.visitors.purposes.contains(p) {
            bail!(
                "--purpose: unknown purpose `{p}`; allowed: {}",
                loaded.config.visitors.purposes.join(", ")
            );
        }
    }
    Ok(LogFilter {
        from: from_day.map(midnight),
        to: to_day
            .map(|d| {
                d.succ_opt()
                    .map(midnight)
                    .ok_or_else(|| anyhow!("--to: {d} is too far in the future"))
            })
            .transpose()?,
        kind: kind.map(|k| match k {
            KindArg::Visitor => LogKind::Visitor,
            KindArg::Encounter => LogKind::Encounter,
        }),
        purpose,
    })
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

fn write_rows<W: Write>(
    desk: &Desk,
    filter: &LogFilter,
    format: ExportFormat,
    out: W,
) -> anyhow::Result<u64> {
    let conn = desk.store.conn();
    let n = match format {
        ExportFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
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
            ])?;
            let n = for_each_log_row(conn, filter, |r: LogRow| {
                let local = super::render::local(&desk.loaded, &r.at);
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
        ExportFormat::Jsonl => {
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

/// Write the export to `out` (atomically, via a temporary file) or stdout.
pub fn export(
    desk: &Desk,
    filter: &LogFilter,
    format: ExportFormat,
    out: Option<&Path>,
) -> anyhow::Result<u64> {
    match out {
        None => write_rows(desk, filter, format, std::io::stdout().lock()),
        Some(path) => {
            let tmp = path.with_extension("partial");
            let file = std::fs::File::create(&tmp)
                .with_context(|| format!("--out: cannot create {}", tmp.display()))?;
            let result = write_rows(desk, filter, format, BufWriter::new(&file))
                .and_then(|n| file.sync_all().map(|()| n).map_err(Into::into));
            match result {
                Ok(n) => {
                    std::fs::rename(&tmp, path)
                        .with_context(|| format!("--out: cannot write {}", path.display()))?;
                    Ok(n)
                }
                Err(e) => {
                    let _ = std::fs::remove_file(&tmp);
                    Err(e.context(format!(
                        "--out: export to {} failed; nothing was written",
                        path.display()
                    )))
                }
            }
        }
    }
}
