//! `threshold encounter ...`: list, show, report, records requests, and
//! what staff and counsel record from the command line.

use super::args::Encounter;
use super::says::{self, say};
use super::{audit, desk, export, print_created, render, Cli};
use crate::app::records::Viewing;
use crate::app::{PageImage, TextKind};
use crate::domain::encounter::{ChecklistAnswer, Outcome, Via};
use crate::domain::language::Language;
use anyhow::{anyhow, Context};
use serde_json::json;
use std::process::ExitCode;

pub(super) fn run(cli: &Cli, cmd: &Encounter) -> anyhow::Result<ExitCode> {
    let desk = desk(cli)?;
    match cmd {
        Encounter::List { open } => {
            let rows = desk.encounters(*open)?;
            render::encounter_list(&desk.loaded, &rows, cli.json);
        }
        Encounter::Show { id } => {
            desk.encounter(id)?;
            audit(&desk, id, Viewing::Encounter, None)?;
            // Read again after the audit entry, so the timeline shows it.
            let rec = desk.encounter(id)?;
            render::encounter_record(&desk.loaded, &rec, cli.json);
        }
        Encounter::Report { id, out, lang } => {
            let lang: Language = lang.parse().map_err(|_| {
                anyhow!(say!(
                    "--lang: found `{value}`; allowed: en, es, vi, zh-Hans, tl",
                    value = lang
                ))
            })?;
            desk.encounter(id)?;
            audit(&desk, id, Viewing::Report, None)?;
            export::write_report(&desk, id, lang, out)?;
        }
        Encounter::RecordsRequest {
            id,
            out,
            release_notes,
            release_instructions,
            release_officials_words,
        } => {
            let release = crate::app::records_request::Release {
                notes: *release_notes,
                instructions: *release_instructions,
                officials_words: *release_officials_words,
            };
            let rec = desk.encounter(id)?;
            audit(&desk, id, Viewing::RecordsRequest, Some(release.describe()))?;
            export::write_records_request(&desk, &rec, release, out)?;
        }
        Encounter::Ack { id, by } => {
            let role = desk.acknowledge(id, by, Via::Cli)?;
            if cli.json {
                let role = role.map_or("not a configured contact", |r| r.token());
                println!(
                    "{}",
                    json!({ "id": id, "acknowledged_by": by, "role": role })
                );
            } else {
                let role = match role {
                    Some(r) => crate::app::timeline::role(r, says::lang()).to_string(),
                    None => say!("not a configured contact"),
                };
                println!(
                    "{}",
                    say!(
                        "{id}: acknowledged by {by} ({role})",
                        id = id,
                        by = by,
                        role = role
                    )
                );
            }
        }
        Encounter::Checklist {
            id,
            item,
            answer,
            by,
        } => {
            let answer: ChecklistAnswer = answer
                .parse()
                .map_err(|e: String| anyhow!("--answer: {e}"))?;
            desk.answer_checklist(id, item, answer, by)?;
            print_created(
                cli,
                id,
                say!("{id}: checklist `{item}` recorded", id = id, item = item),
            );
        }
        Encounter::Instruct { id, text, by } => {
            desk.add_text(id, TextKind::CounselInstruction, text, by)?;
            print_created(
                cli,
                id,
                say!("{id}: counsel's instruction recorded", id = id),
            );
        }
        Encounter::Note { id, text, by } => {
            desk.add_text(id, TextKind::Note, text, by)?;
            print_created(cli, id, say!("{id}: note recorded", id = id));
        }
        Encounter::Page { id, page, kind, by } => {
            let image = PageImage::from_file(page)?;
            let n = desk.attach_evidence(id, &image, *kind, by.as_deref())?;
            if cli.json {
                println!("{}", json!({ "id": id, "page": n }));
            } else {
                println!("{}", say!("{id}: page {n} stored", id = id, n = n));
            }
        }
        Encounter::Decide {
            id,
            outcome,
            by,
            counsel_instruction,
            override_reason,
        } => {
            let outcome: Outcome = outcome.parse().map_err(|e| anyhow!("--outcome: {e}"))?;
            let basis = desk.decide(
                id,
                outcome,
                by,
                counsel_instruction.as_deref(),
                override_reason.as_deref(),
            )?;
            if cli.json {
                println!(
                    "{}",
                    json!({ "id": id, "outcome": outcome, "basis": basis })
                );
            } else {
                let lang = says::lang();
                let w = crate::app::words::words(lang);
                let outcome = desk.loaded.outcome_label(outcome.token(), lang);
                let basis = w.basis(basis.token()).unwrap_or(basis.token());
                println!(
                    "{}",
                    say!(
                        "{id}: outcome recorded: {outcome} ({basis})",
                        id = id,
                        outcome = outcome,
                        basis = basis
                    )
                );
            }
        }
        Encounter::Close { id, by } => {
            let by = by
                .clone()
                .or_else(|| std::env::var("USER").ok())
                .context(say!("--by: say who closes the encounter"))?;
            desk.close(id, &by)?;
            print_created(cli, id, say!("{id}: closed", id = id));
        }
    }
    Ok(ExitCode::SUCCESS)
}
