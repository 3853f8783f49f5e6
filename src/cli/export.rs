//! Exports from the command line: `log export` (CSV and JSON Lines of the
//! check-in log), `log bundle` and `log verify --bundle` (signed bundles),
//! and `encounter report` (PDF); files are written atomically.

use super::args::{ExportFormat, KindArg};
use super::says::{say, sayn, table};
use crate::app::log_export::{day_filter, FieldNames, FilterError, Format};
use crate::app::records::{self, FacilityKey, LogFilter, LogKind};
use crate::app::Desk;
use crate::config::Loaded;
use crate::domain::language::Language;
use anyhow::{anyhow, Context};
use serde_json::json;
use std::fs::File;
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
    let mut out = out;
    Ok(desk.export_log(filter, format, &mut out)?)
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
        Some(path) => atomically(path, |w| write_rows(desk, filter, format, w)),
    }
}

/// Write `path` through a temporary file beside it, synced and renamed
/// into place, so a failure part-way leaves nothing. The temporary file has a random name and is created
/// exclusively (`O_EXCL`: a link planted at a predictable name is never
/// followed) and readable by its owner only (0600): exports hold personal
/// data.
fn atomically<T>(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<&File>) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".partial")
        .tempfile_in(dir)
        .with_context(|| {
            say!(
                "--out: cannot write {file} (no temporary file could be made in {folder})",
                file = path.display(),
                folder = dir.display()
            )
        })?;
    let file = tmp.as_file();
    let mut w = BufWriter::new(file);
    let result = write(&mut w)
        .and_then(|v| w.flush().map(|()| v).map_err(Into::into))
        .and_then(|v| file.sync_all().map(|()| v).map_err(Into::into));
    drop(w);
    match result {
        Ok(v) => {
            tmp.persist(path)
                .with_context(|| say!("--out: cannot write {file}", file = path.display()))?;
            Ok(v)
        }
        // Dropping `tmp` removes the temporary file.
        Err(e) => Err(e.context(say!(
            "--out: writing {file} failed; nothing was written",
            file = path.display()
        ))),
    }
}

/// `log bundle`: the signed bundle, written atomically.
pub fn write_bundle(
    desk: &Desk,
    from: Option<&str>,
    to: Option<&str>,
    out: &Path,
    as_json: bool,
) -> anyhow::Result<()> {
    let filter = filter(&desk.loaded, from, to, None, None)?;
    let key = FacilityKey::open(desk.record().data_dir())?;
    let created = records::timestamp(chrono::Utc::now());
    let n = atomically(out, |w| {
        let (from, to) = (filter.from.as_deref(), filter.to.as_deref());
        Ok(desk.write_bundle(&key, &created, from, to, w)?)
    })?;
    if as_json {
        println!(
            "{}",
            json!({ "entries": n, "file": out, "fingerprint": key.fingerprint() })
        );
    } else {
        eprintln!(
            "{}",
            sayn!(
                "{n} entry written to {file}, signed by key {fingerprint}",
                "{n} entries written to {file}, signed by key {fingerprint}",
                n,
                file = out.display(),
                fingerprint = key.fingerprint()
            )
        );
    }
    Ok(())
}

/// `log verify --bundle`: true when intact.
pub fn verify_bundle(file: &Path, key: Option<&str>, as_json: bool) -> anyhow::Result<bool> {
    let f = std::fs::File::open(file)
        .with_context(|| say!("--bundle: cannot open {file}", file = file.display()))?;
    let report = records::verify_bundle(std::io::BufReader::new(f), key)
        .with_context(|| say!("--bundle: cannot read {file}", file = file.display()))?;
    if as_json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        let facts = [
            (say!("bundle"), file.display().to_string()),
            (say!("facility"), report.facility.clone()),
            (say!("created"), report.created_at.clone()),
            (
                say!("entries"),
                say!(
                    "{n} (#{from} to #{to})",
                    n = report.entries,
                    from = report.from_seq,
                    to = report.to_seq
                ),
            ),
            (say!("head"), report.head_hash.clone()),
            (
                say!("signed by"),
                say!(
                    "{key} (fingerprint {fingerprint})",
                    key = report.public_key,
                    fingerprint = report.fingerprint
                ),
            ),
        ];
        let mut rows: Vec<Vec<String>> = facts.into_iter().map(|(l, v)| vec![l, v]).collect();
        rows.push(vec![say!("result"), String::new()]);
        let lines = table(&rows);
        for line in &lines[..lines.len() - 1] {
            println!("{line}");
        }
        // The result's label is padded like the others.
        let result = lines[lines.len() - 1].clone();
        if report.intact() {
            println!(
                "{result}{}",
                say!("intact: every entry matches the chain and the signature is valid")
            );
            if key.is_none() {
                println!(
                    "{}{}",
                    " ".repeat(super::says::columns(&result)),
                    say!(
                        "compare the fingerprint with the facility's published key, or pass --key"
                    )
                );
            }
        } else {
            println!("{result}{}", say!("NOT INTACT"));
            for p in &report.problems {
                println!("  - {p}");
            }
        }
    }
    Ok(report.intact())
}

/// `encounter report`: the PDF, written atomically.
/// Write the public-records export of `rec` to `out`.
pub fn write_records_request(
    desk: &Desk,
    rec: &crate::store::query::EncounterRecord,
    release: crate::app::records_request::Release,
    out: &Path,
) -> anyhow::Result<()> {
    let value = crate::app::records_request::records_request(&desk.loaded, rec, release);
    atomically(out, |w| {
        serde_json::to_writer_pretty(&mut *w, &value)?;
        Ok(w.write_all(b"\n")?)
    })?;
    eprintln!(
        "{}",
        say!(
            "records-request export of {id} written to {file} ({released})",
            id = rec.id,
            file = out.display(),
            released = release.describe()
        )
    );
    Ok(())
}

pub fn write_report(desk: &Desk, id: &str, lang: Language, out: &Path) -> anyhow::Result<()> {
    let key = FacilityKey::open(desk.record().data_dir())?;
    let who = std::env::var("USER").unwrap_or_else(|_| {
        crate::app::timeline::via(crate::domain::encounter::Via::Cli, lang).to_string()
    });
    let pdf = desk.report_pdf(&key, id, lang, &who)?;
    atomically(out, |w| Ok(w.write_all(&pdf)?))?;
    let pages = desk.encounter(id).map_or(0, |r| r.pages.len());
    eprintln!(
        "{}",
        sayn!(
            "report of {id} written to {file} ({n} page of document, {kb} KB)",
            "report of {id} written to {file} ({n} pages of document, {kb} KB)",
            pages,
            id = id,
            file = out.display(),
            kb = pdf.len() / 1024
        )
    );
    Ok(())
}
