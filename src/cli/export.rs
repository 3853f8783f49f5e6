//! `log export`: CSV and JSON Lines of the check-in log.

use super::args::{ExportFormat, KindArg};
use crate::app::log_export::{day_filter, write_log, FieldNames, FilterError, Format};
use crate::app::Desk;
use crate::config::Loaded;
use crate::store::query::{LogFilter, LogKind};
use anyhow::{anyhow, Context};
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
    let kind = kind.map(|k| match k {
        KindArg::Visitor => LogKind::Visitor,
        KindArg::Encounter => LogKind::Encounter,
    });
    let names = FieldNames {
        from: "--from",
        to: "--to",
    };
    day_filter(loaded, &names, from, to, kind, purpose).map_err(|e| match e {
        FilterError::UnknownPurpose { .. } => anyhow!("--purpose: {e}"),
        e => anyhow!("{e}"),
    })
}

fn write_rows<W: Write>(
    desk: &Desk,
    filter: &LogFilter,
    format: ExportFormat,
    out: W,
) -> anyhow::Result<u64> {
    let format = match format {
        ExportFormat::Csv => Format::Csv,
        ExportFormat::Jsonl => Format::Jsonl,
    };
    Ok(write_log(
        &desk.loaded,
        desk.store.conn(),
        filter,
        format,
        out,
    )?)
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
