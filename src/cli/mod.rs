//! The command-line edge: parse, load config and store, call the use cases,
//! print. Errors become one clear message and an exit code.

mod alerts_test;
mod args;
mod args_hub;
mod devices;
mod encounter;
mod export;
mod hub;
mod hub_users;
mod notify;
mod render;
mod says;
mod screenshot;
mod service;
mod simulated;
mod users;

pub use args::{Cli, Command};

use crate::app::records::{Viewed, ViewedVia, Viewing};
use crate::app::{Desk, PageImage, SystemClock};
use crate::config::{default_data_dir, Loaded};
use crate::domain::checkin::VisitorCheckIn;
use crate::domain::document::DocumentKind;
use crate::domain::encounter::{DocumentDetails, EncounterDetails, Officer, Via};
use crate::domain::language::Language;
use anyhow::{anyhow, Context};
use args::*;
use clap::Parser;
use says::{say, sayn};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code when `log verify` finds an alteration.
pub const EXIT_VERIFY_FAILED: u8 = 3;

/// Parse the command line and run it.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // Errors and diagnostics in the operator's language. The service
    // (`run`) keeps English: its log is read by whoever administers the
    // machine, and the pages it serves have their own readers' languages.
    if !matches!(
        cli.command,
        Command::Run(_) | Command::Hub(HubArgs { command: None, .. })
    ) {
        crate::domain::catalogue::set_reader(says::lang());
    }
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}", say!("error: {message}", message = message(&e)));
            ExitCode::from(1)
        }
    }
}

/// The error and its causes in one line, leaving out a cause whose text the
/// message already shows.
fn message(e: &anyhow::Error) -> String {
    let mut msg = e.to_string();
    for cause in e.chain().skip(1) {
        let text = cause.to_string();
        if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
    }
    msg
}

/// The configuration installed by the Debian package.
pub const INSTALLED_CONFIG: &str = "/etc/threshold/threshold.toml";

/// The configuration to use: `--config` (or `$THRESHOLD_CONFIG`), else the
/// installed one when it exists, else the built-in demo, which is said on
/// standard error so nobody mistakes it for their own.
fn config_path(cli: &Cli) -> Option<PathBuf> {
    cli.config.clone().or_else(|| {
        let installed = PathBuf::from(INSTALLED_CONFIG);
        installed.exists().then_some(installed)
    })
}

fn load_config(cli: &Cli) -> anyhow::Result<Loaded> {
    match config_path(cli) {
        Some(path) => Loaded::from_file(&path).map_err(|e| anyhow!("{e}")),
        None => {
            eprintln!(
                "{}",
                say!("threshold: using the built-in demo configuration (no --config, no $THRESHOLD_CONFIG, no {file})", file = INSTALLED_CONFIG)
            );
            Ok(Loaded::demo())
        }
    }
}

fn data_dir(cli: &Cli) -> PathBuf {
    cli.data_dir.clone().unwrap_or_else(default_data_dir)
}

fn desk(cli: &Cli) -> anyhow::Result<Desk> {
    let loaded = load_config(cli)?;
    Ok(Desk::open(loaded, &data_dir(cli), SystemClock)?)
}

/// A public key for whoever checks signatures: hex, then its fingerprint
/// (or both as JSON).
fn print_key(cli: &Cli, public_hex: &str, fingerprint: &str) {
    if cli.json {
        println!(
            "{}",
            json!({ "public_key": public_hex, "fingerprint": fingerprint })
        );
    } else {
        println!(
            "{public_hex}\n{}",
            say!("fingerprint {fingerprint}", fingerprint = fingerprint)
        );
    }
}

fn print_created(cli: &Cli, id: &str, human: String) {
    if cli.json {
        println!("{}", json!({ "id": id }));
    } else {
        println!("{human}");
    }
}

/// Run one parsed command.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Run(args) => {
            let loaded = load_config(&cli)?;
            service::run(loaded, &data_dir(&cli), args)?;
        }
        Command::Config(ConfigCmd::Check { file }) => {
            let loaded = match file {
                Some(path) => Loaded::from_file(path).map_err(|e| anyhow!("{e}"))?,
                None => load_config(&cli)?,
            };
            render::config_summary(&loaded, cli.json);
            let fictional = loaded.demo_resource_numbers();
            if !fictional.is_empty() {
                for f in &fictional {
                    eprintln!("{}", say!("error: {message}", message = f));
                }
                return Ok(ExitCode::from(1));
            }
        }
        Command::Checkin(c) => checkin(&cli, c)?,
        Command::Hub(args) => return hub::run(&cli, args),
        Command::Encounter(cmd) => return encounter::run(&cli, cmd),
        Command::Log(Log::Verify {
            bundle: Some(file),
            key,
            ..
        }) => {
            if !export::verify_bundle(file, key.as_deref(), cli.json)? {
                return Ok(ExitCode::from(EXIT_VERIFY_FAILED));
            }
        }
        Command::Log(Log::Bundle { from, to, out }) => {
            let desk = desk(&cli)?;
            export::write_bundle(&desk, from.as_deref(), to.as_deref(), out, cli.json)?;
        }
        Command::Log(Log::Key) => {
            let key = crate::app::records::FacilityKey::open(&data_dir(&cli))?;
            print_key(&cli, &key.public_hex(), &key.fingerprint());
        }
        Command::User(cmd) => users::run(&cli, cmd)?,
        Command::Log(Log::Verify {
            bundle: None,
            against,
            ..
        }) => {
            let anchors = against
                .iter()
                .map(|a| {
                    a.parse::<crate::domain::anchor::Anchor>()
                        .map_err(|e| anyhow!("--against: {e}"))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let desk = desk(&cli)?;
            let report = desk.verify()?;
            // The city hub's last receipt: a record rewritten since no
            // longer extends it.
            let anchors = anchors
                .into_iter()
                .chain(desk.last_receipt()?)
                .collect::<Vec<_>>();
            let checks = anchors
                .into_iter()
                .map(|a| Ok((desk.extends(&a)?, a)))
                .collect::<anyhow::Result<Vec<_>>>()?;
            render::verify_report(&report, &checks, cli.json);
            let anchored = checks
                .iter()
                .all(|(e, _)| *e == crate::app::records::Extends::Yes);
            if !report.intact() || !anchored {
                return Ok(ExitCode::from(EXIT_VERIFY_FAILED));
            }
        }
        Command::Log(Log::Export {
            format,
            from,
            to,
            kind,
            purpose,
            out,
        }) => {
            let desk = desk(&cli)?;
            let filter = export::filter(
                &desk.loaded,
                from.as_deref(),
                to.as_deref(),
                *kind,
                purpose.clone(),
            )?;
            let described = [
                ("format", Some(value_name(format))),
                ("from", from.clone()),
                ("to", to.clone()),
                ("kind", kind.as_ref().map(value_name)),
                ("purpose", purpose.clone()),
            ]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| format!("{k}={v}")))
            .collect::<Vec<_>>()
            .join(" ");
            audit(&desk, "log", Viewing::Export, Some(described))?;
            let n = export::export(&desk, &filter, *format, out.as_deref())?;
            if let Some(path) = out {
                eprintln!(
                    "{}",
                    sayn!(
                        "exported {n} row to {file}",
                        "exported {n} rows to {file}",
                        n,
                        file = path.display()
                    )
                );
            }
        }
        Command::Alerts(AlertsCmd::Test) => {
            let loaded = load_config(&cli)?;
            if !alerts_test::run(&loaded, cli.json)? {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Screenshot {
            screen,
            lang,
            size,
            large_text,
            check_fit,
            speak,
            out,
        } => {
            let loaded = load_config(&cli)?;
            let (width, height) = screenshot::size(size)?;
            let shots = screenshot::plan(screen, lang, (width, height), *large_text, out)?;
            let rendered = screenshot::run(&loaded, &shots, (width, height), *large_text)?;
            let mut unfit = false;
            for (shot, r) in shots.iter().zip(&rendered) {
                let name = if shot.still_there {
                    screenshot::STILL_THERE
                } else {
                    shot.screen.name()
                };
                let lang = shot.lang;
                if *speak {
                    screenshot::speak(&loaded, shot, &r.script)?;
                }
                let clipped =
                    r.needed_width > width as f32 + 0.5 || r.needed_height > height as f32 + 0.5;
                let scrolls = r.content_needed_height > r.content_height + 0.5;
                if clipped {
                    eprintln!(
                        "{}",
                        say!(
                            "warning: {screen} in {lang} needs {needed} px but the screen is {size}: some text is cut off",
                            screen = name,
                            lang = lang,
                            needed = format!("{:.0}x{:.0}", r.needed_width, r.needed_height),
                            size = format!("{width}x{height}")
                        )
                    );
                } else if scrolls {
                    eprintln!(
                        "{}",
                        say!(
                            "note: {screen} in {lang} scrolls: its content needs {needed} px of height and has {has}",
                            screen = name,
                            lang = lang,
                            needed = format!("{:.0}", r.content_needed_height),
                            has = format!("{:.0}", r.content_height)
                        )
                    );
                }
                for misfit in &r.misfits {
                    eprintln!(
                        "{}",
                        say!(
                            "warning: {screen} in {lang}: {problem}",
                            screen = name,
                            lang = lang,
                            problem = misfit
                        )
                    );
                }
                // Large text may scroll; nothing may be cut off or overlap.
                unfit |= clipped || (scrolls && !*large_text) || !r.misfits.is_empty();
            }
            if *check_fit && unfit {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Devices(cmd) => {
            let loaded = load_config(&cli)?;
            if !devices::run(cmd, &loaded, &data_dir(&cli), cli.json)? {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Staff(StaffCmd::HashPin) => {
            let mut pin = String::new();
            std::io::stdin()
                .read_line(&mut pin)
                .context(say!("cannot read the PIN from standard input"))?;
            let pin = pin.trim();
            if !(4..=12).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
                return Err(anyhow!(say!(
                    "the PIN must be 4 to 12 digits (the staff keypad has digits only)"
                )));
            }
            println!("{}", crate::app::kiosk::hash_pin(pin));
        }
        Command::Hold(cmd) => hold(&cli, cmd)?,
        Command::Purge { dry_run } => {
            let desk = desk(&cli)?;
            let summary = desk.purge(*dry_run)?;
            render::purge_summary(&summary, cli.json);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn hold(cli: &Cli, cmd: &HoldCmd) -> anyhow::Result<()> {
    use crate::app::holds::HoldTarget;
    let desk = desk(cli)?;
    match cmd {
        HoldCmd::Place {
            encounter,
            from,
            to,
            reason,
            by,
        } => {
            let target = match (encounter, from, to) {
                (Some(id), _, _) => HoldTarget::Encounter(id.clone()),
                (None, Some(from), Some(to)) => HoldTarget::Days {
                    from: *from,
                    to: *to,
                },
                _ => anyhow::bail!(say!("give --encounter ID, or --from DAY and --to DAY")),
            };
            let id = desk.place_hold(target, reason, by)?;
            print_created(cli, &id, say!("{id}: legal hold placed", id = id));
        }
        HoldCmd::Release { hold, by } => {
            desk.release_hold(hold, by)?;
            print_created(cli, hold, say!("{id}: legal hold released", id = hold));
        }
        HoldCmd::List { all } => {
            let rows = desk.holds(!*all)?;
            if cli.json {
                println!("{}", serde_json::to_string(&rows)?);
            } else if rows.is_empty() {
                println!("{}", say!("no legal holds"));
            } else {
                let rows: Vec<Vec<String>> = rows
                    .iter()
                    .map(|h| {
                        vec![
                            h.id.clone(),
                            h.covers(),
                            if h.released {
                                say!("released")
                            } else {
                                say!("in force")
                            },
                            say!(
                                "placed {time}",
                                time = render::local(&desk.loaded, &h.placed_at)
                            ),
                            h.reason.clone(),
                        ]
                    })
                    .collect();
                for line in says::table(&rows) {
                    println!("{line}");
                }
            }
        }
    }
    Ok(())
}

fn checkin(cli: &Cli, c: &Checkin) -> anyhow::Result<()> {
    match c {
        Checkin::Visitor {
            purpose,
            name,
            host,
            lang,
            entrance,
        } => {
            let language: Language = lang.parse().map_err(|e| anyhow!("--lang: {e}"))?;
            let desk = desk(cli)?;
            let entrance = entrance
                .clone()
                .unwrap_or_else(|| desk.loaded.config.facility.entrances[0].clone());
            let id = desk.check_in_visitor(VisitorCheckIn {
                purpose: purpose.clone(),
                name: name.clone(),
                host: host.clone(),
                language,
                entrance,
            })?;
            print_created(cli, &id, say!("checked in: {id}", id = id));
        }
        Checkin::Official(a) => {
            let (details, pages) = official_input(a)?;
            let desk = desk(cli)?;
            let id =
                desk.check_in_official(a.entrance.as_deref(), Via::Cli, a.drill, details, &pages)?;
            print_created(
                cli,
                &id,
                if a.drill {
                    sayn!(
                        "DRILL: encounter opened: {id} ({n} page stored)",
                        "DRILL: encounter opened: {id} ({n} pages stored)",
                        pages.len(),
                        id = id
                    )
                } else {
                    sayn!(
                        "encounter opened: {id} ({n} page stored)",
                        "encounter opened: {id} ({n} pages stored)",
                        pages.len(),
                        id = id
                    )
                },
            );
        }
    }
    Ok(())
}

fn optional_date(flag: &str, value: &Option<String>) -> anyhow::Result<Option<chrono::NaiveDate>> {
    value
        .as_deref()
        .map(|v| {
            chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
                anyhow!(say!(
                    "{flag}: found `{value}`; expected a date as YYYY-MM-DD",
                    flag = flag,
                    value = v
                ))
            })
        })
        .transpose()
}

/// Parse and check everything before anything is written: a bad officer,
/// document kind, date or page image leaves the store untouched.
fn official_input(a: &OfficialArgs) -> anyhow::Result<(EncounterDetails, Vec<PageImage>)> {
    let officers = a
        .officers
        .iter()
        .map(|o| o.parse::<Officer>())
        .collect::<Result<Vec<_>, _>>()?;
    let document_kind: DocumentKind = a
        .document_kind
        .parse()
        .map_err(|e| anyhow!("--document-kind: {e}"))?;
    let pages = a
        .pages
        .iter()
        .map(|p| PageImage::from_file(p))
        .collect::<Result<Vec<_>, _>>()?;
    let details = EncounterDetails {
        officers,
        supervisor: a.supervisor.clone(),
        purpose: a.purpose.clone(),
        sought: a.sought.clone(),
        area: a.area.clone().map(|n| (n, false)),
        exigent: a.exigent,
        document_kind,
        document: DocumentDetails {
            court: a.court.clone(),
            judge: a.judge.clone(),
            issued: optional_date("--issued", &a.issued)?,
            expires: optional_date("--expires", &a.expires)?,
            address: a.address.clone(),
            areas_named: a.areas_named.clone(),
        },
    };
    details.validate()?;
    Ok((details, pages))
}

/// How a value is written on the command line.
fn value_name(v: &impl clap::ValueEnum) -> String {
    v.to_possible_value()
        .map(|p| p.get_name().to_string())
        .unwrap_or_default()
}

/// Journal that this operating-system user viewed or exported `what`,
/// before any of it is shown or written.
fn audit(desk: &Desk, subject: &str, what: Viewing, filter: Option<String>) -> anyhow::Result<()> {
    let viewed = Viewed {
        user: os_user(),
        role: None,
        via: ViewedVia::Cli,
        what,
        page: None,
        filter,
        cursor: None,
    };
    desk.record_view(subject, &viewed)
        .context(say!("the view could not be journaled, so nothing is shown"))?;
    Ok(())
}

/// The name of the operating-system user running this command (from
/// /etc/passwd, by the process's uid; the environment is not believed).
pub(crate) fn os_user() -> String {
    use std::os::unix::fs::MetadataExt;
    let Ok(uid) = std::fs::metadata("/proc/self").map(|m| m.uid()) else {
        return "unknown user".into();
    };
    std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|passwd| {
            passwd.lines().find_map(|line| {
                let mut f = line.split(':');
                let name = f.next()?;
                let found: u32 = f.nth(1)?.parse().ok()?;
                (found == uid).then(|| name.to_string())
            })
        })
        .unwrap_or_else(|| format!("uid {uid}"))
}
