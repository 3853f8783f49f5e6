//! `threshold hub`: run the city hub, enrol facilities, check its copy of
//! a record, list facilities, print its key.

use super::args::{Cli, HubArgs, HubCmd};
use super::says::{say, sayn};
use super::EXIT_VERIFY_FAILED;
use crate::domain::shipping::command::Action;
use crate::hub::config::{Account, Database, Enrolled, HubConfig, Service};
use crate::hub::{self, store, HubKey};
use anyhow::anyhow;
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

/// Where `hub --demo` keeps its cluster and key without --data-dir:
/// beside the kiosk's data, or for root (PostgreSQL does not run as root,
/// and its postgres user cannot reach /root) in /var/lib.
fn demo_dir(cli: &Cli) -> PathBuf {
    if let Some(d) = &cli.data_dir {
        return d.clone();
    }
    let root = std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false);
    if root {
        PathBuf::from("/var/lib/threshold-hub-demo")
    } else {
        crate::config::default_data_dir().join("hub-demo")
    }
}

/// The demo hub's one account.
const DEMO_COUNSEL: &str = "Rosa Delgado";

/// The demo hub: loopback HTTP, a private cluster, the demo kiosk's
/// facility enrolled with the key in the kiosk's default data folder.
fn demo_config(cli: &Cli) -> anyhow::Result<HubConfig> {
    let dir = demo_dir(cli);
    std::fs::create_dir_all(&dir)
        .map_err(|e| anyhow!("cannot make the hub's demo folder {}: {e}", dir.display()))?;
    // The folder stays open to the postgres user when root runs the demo.
    let _ = std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o711));
    let demo = crate::config::Loaded::demo();
    let kiosk = crate::app::records::FacilityKey::open(&crate::config::default_data_dir())?;
    Ok(HubConfig {
        hub: Service {
            listen: std::net::SocketAddr::from(([127, 0, 0, 1], 8443)),
            tls_cert: None,
            tls_key: None,
            key_file: dir.join("keys").join("hub.key"),
            data_key_file: None,
        },
        database: Database {
            ca_file: None,
            url: None,
            password_file: None,
            cluster: Some(dir.join("postgres")),
            pool: 8,
        },
        facility: vec![Enrolled {
            id: demo.config.facility.id.clone(),
            key: kiosk.public_hex(),
        }],
        // The demo kiosk's counsel contact.
        account: vec![Account {
            name: DEMO_COUNSEL.into(),
            role: crate::domain::role::Role::Counsel,
        }],
        web: crate::hub::config::Web {
            name: "Demo city hub".into(),
            timezone: demo.config.facility.timezone.clone(),
            ..Default::default()
        },
        retention: Default::default(),
    })
}

fn config(cli: &Cli, demo: bool) -> anyhow::Result<HubConfig> {
    if demo {
        return demo_config(cli);
    }
    let path = cli.config.clone().ok_or_else(|| {
        anyhow!(say!("give the hub's config file with --config FILE (deploy/threshold-hub.example.toml is an example), or try it with --demo"))
    })?;
    HubConfig::load(&path)
}

/// Run `threshold hub …`.
pub fn run(cli: &Cli, args: &HubArgs) -> anyhow::Result<ExitCode> {
    let config = config(cli, args.demo)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    match &args.command {
        None => {
            super::service::init_tracing();
            runtime.block_on(serve(config, args.demo))?;
        }
        Some(HubCmd::Key) => {
            let key = HubKey::open(&config.hub.key_file, true)?;
            super::print_key(cli, &key.public_hex(), &key.fingerprint());
        }
        Some(cmd) => return runtime.block_on(on_database(cli, &config, cmd)),
    }
    Ok(ExitCode::SUCCESS)
}

async fn serve(config: HubConfig, demo: bool) -> anyhow::Result<()> {
    let (stop, watch) = tokio::sync::watch::channel(false);
    let (bound, on) = tokio::sync::oneshot::channel();
    let key = HubKey::open(&config.hub.key_file, true)?;
    let scheme = if config.tls_files().is_some() {
        "https"
    } else {
        "http"
    };
    tokio::spawn(async move {
        if let Ok(addr) = on.await {
            eprintln!(
                "{}",
                say!(
                    "threshold hub: taking kiosks' records on {address}; stop with Ctrl-C",
                    address = format!("{scheme}://{addr}")
                )
            );
            if demo {
                eprintln!(
                    "{}",
                    say!("threshold hub: a kiosk ships to this demo hub with, in its config:")
                );
                eprintln!(
                    "  [hub]\n  url = \"{scheme}://{addr}\"\n  public_key = \"{}\"",
                    key.public_hex()
                );
            }
        }
    });
    tokio::spawn(async move {
        super::service::signalled().await;
        let _ = stop.send(true);
    });
    hub::serve(config, watch, bound).await
}

async fn on_database(cli: &Cli, config: &HubConfig, cmd: &HubCmd) -> anyhow::Result<ExitCode> {
    let (pool, cluster, _) = hub::database(config).await?;
    let done = work(cli, config, &pool, cmd).await;
    pool.close();
    if let Some(c) = cluster.filter(|c| c.started) {
        let _ = tokio::task::spawn_blocking(move || c.stop()).await;
    }
    done
}

async fn work(
    cli: &Cli,
    config: &HubConfig,
    pool: &deadpool_postgres::Pool,
    cmd: &HubCmd,
) -> anyhow::Result<ExitCode> {
    store::migrate(pool).await?;
    match cmd {
        HubCmd::Enroll { facility, key } => {
            let public = store::public_key(key).map_err(|e| anyhow!("--key: {e}"))?;
            let done = store::enroll(pool, facility, &public).await?;
            let fingerprint = crate::app::records::fingerprint(&public);
            if cli.json {
                println!(
                    "{}",
                    json!({ "facility": facility, "fingerprint": fingerprint, "new": done == store::Enrolment::New })
                );
            } else if done == store::Enrolment::New {
                println!(
                    "{}",
                    say!(
                        "enrolled {facility} (key fingerprint {fingerprint})",
                        facility = facility,
                        fingerprint = fingerprint
                    )
                );
            } else {
                println!("{}", say!("{facility} was enrolled already, with this key (fingerprint {fingerprint})", facility = facility, fingerprint = fingerprint));
            }
        }
        HubCmd::Verify { facility } => {
            let key = config.data_key_file();
            let data = key
                .exists()
                .then(|| hub::seal::DataKey::open(&key, false))
                .transpose()?;
            let report = hub::verify::verify(pool, facility, data.as_ref()).await?;
            if cli.json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                println!("{}", say!("{facility}: {entries} entries on the hub, head seq {seq} ({hash}), {receipts} receipts", facility = facility, entries = report.entries, seq = report.head_seq, hash = &report.head_hash[..16.min(report.head_hash.len())], receipts = report.receipts));
                match report.values {
                    Some(n) => println!("{}", say!("encounter values: {n}, each opened with the data key and matching its entry", n = n)),
                    None => println!("{}", say!("encounter values: not checked (no data key at {file})", file = key.display())),
                }
                if data.is_some() {
                    println!("{}", say!("document pages: {n}, each opened with the data key and matching its entry", n = report.pages));
                } else {
                    println!(
                        "{}",
                        say!(
                            "document pages: {n}, not opened (no data key)",
                            n = report.pages
                        )
                    );
                }
                if report.purged_here > 0 {
                    println!("{}", say!("encounters the hub purged itself, past the facility's retention with no purge from its kiosk: {n}", n = report.purged_here));
                }
                if report.pages_missing > 0 {
                    println!("{}", say!("document pages not on the hub yet: {n} (the kiosk sends each after the batch that names it; `threshold log verify` on the kiosk checks its copies)", n = report.pages_missing));
                }
                match &report.broken {
                    None => println!("{}", say!("chain: intact from the first entry")),
                    Some(b) => println!("{}", say!("chain: BROKEN: {problem}", problem = b)),
                }
                for (seq, detail, at) in &report.forks {
                    println!("{}", say!("FORK refused at {time}: {detail} (seq {seq}); the batch is kept as evidence", time = at, detail = detail, seq = seq));
                }
            }
            if !report.intact() {
                return Ok(ExitCode::from(EXIT_VERIFY_FAILED));
            }
        }
        HubCmd::Facilities => {
            let all = store::facilities(pool).await?;
            if cli.json {
                println!("{}", serde_json::to_string(&all)?);
            } else if all.is_empty() {
                println!("{}", say!("no facility is enrolled yet; enrol one with `threshold hub enroll FACILITY --key HEX`"));
            }
            for f in all.iter().filter(|_| !cli.json) {
                let never = say!("never");
                println!(
                    "{}",
                    say!("{facility}  head seq {seq}  last batch {batch}  last heartbeat {heartbeat}  forks {forks}  key {fingerprint}",
                        facility = f.id, seq = f.head_seq,
                        batch = f.last_batch_at.as_deref().unwrap_or(&never),
                        heartbeat = f.last_heartbeat_at.as_deref().unwrap_or(&never),
                        forks = f.forks, fingerprint = f.fingerprint)
                );
            }
        }
        HubCmd::Purge { dry_run } => {
            let done =
                hub::retention::purge(pool, chrono::Utc::now(), config.retention.rules(), *dry_run)
                    .await?;
            if cli.json {
                println!("{}", serde_json::to_string(&done)?);
            } else {
                say_purge(&done, config.retention.grace_days);
            }
        }
        HubCmd::Key => {}
        HubCmd::Command {
            facility,
            encounter,
            acknowledge: _,
            instruct,
            note,
            checklist,
            answer,
            by,
        } => {
            let (name, role, web_role) = acting_account(config, pool, by.trim(), facility).await?;
            let action = match (instruct, note, checklist) {
                (Some(text), _, _) => Action::Instruct { text: text.clone() },
                (_, Some(text), _) => Action::Note { text: text.clone() },
                (_, _, Some(item)) => Action::Checklist {
                    item: item.clone(),
                    answer: answer
                        .as_deref()
                        .unwrap_or_default()
                        .parse()
                        .map_err(|e: String| anyhow!("--answer: {e}"))?,
                },
                _ => Action::Acknowledge,
            };
            let key = HubKey::open(&config.hub.key_file, true)?;
            let data = hub::seal::DataKey::open(&config.data_key_file(), true)?;
            let order = hub::commands::Order {
                facility,
                encounter,
                action,
                by: &name,
                role: Some(role),
            };
            let token = order.action.token();
            let c = hub::commands::issue(pool, &key, &data, order).await?;
            if let Some(web_role) = web_role {
                // In the city web's journal of what its accounts did.
                let a = hub::accounts::Audit {
                    user: &name,
                    role: web_role.token(),
                    action: token,
                    facility: Some(facility),
                    encounter: Some(encounter),
                    detail: Some("from the hub's command line".into()),
                };
                hub::accounts::audit(pool, a).await?;
            }
            if cli.json {
                println!(
                    "{}",
                    serde_json::json!({ "id": c.id, "facility": c.facility, "encounter": c.encounter })
                );
            } else {
                println!("{}", say!("command {id} for {encounter} at {facility} signed and waiting for the kiosk (`threshold hub commands {facility}` shows when it is applied)", id = c.id, encounter = c.encounter, facility = c.facility));
            }
        }
        HubCmd::User(cmd) => super::hub_users::run(cli, pool, cmd).await?,
        HubCmd::Commands { facility, limit } => {
            let all =
                hub::commands::list(pool, facility.as_deref(), (*limit).clamp(1, 10_000)).await?;
            if cli.json {
                println!("{}", serde_json::to_string(&all)?);
            } else if all.is_empty() {
                println!("{}", say!("no command has been sent"));
            }
            for c in all.iter().filter(|_| !cli.json) {
                let waiting = say!("waiting");
                println!(
                    "{}",
                    say!("{id}  {facility}  {encounter}  {action} by {by}  issued {issued}  delivered {delivered}  {outcome}",
                        id = c.id, facility = &c.facility, encounter = &c.encounter, action = &c.action, by = &c.by,
                        issued = &c.issued_at, delivered = c.delivered_at.as_deref().unwrap_or(&waiting),
                        outcome = c.outcome.as_deref().unwrap_or(""))
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Who `--by` names: one of the hub config's `[[account]]`s, else a city
/// web account that may act on `facility`'s encounters (counsel or a
/// manager, enabled, covering it). Its name, its role on the kiosk, and
/// its role on the city's web when it is one of its accounts.
async fn acting_account(
    config: &HubConfig,
    pool: &deadpool_postgres::Pool,
    by: &str,
    facility: &str,
) -> anyhow::Result<(
    String,
    crate::domain::role::Role,
    Option<crate::domain::account::AccountRole>,
)> {
    let configured = match config.account(by) {
        Ok(a) => return Ok((a.name.clone(), a.role, None)),
        Err(e) => e,
    };
    let Some((role, scope, hash)) = hub::accounts::find(pool, by).await? else {
        anyhow::bail!("--by: {configured}; nor is `{by}` an account of the city's web (`threshold hub user list`)");
    };
    if hash.is_none() {
        anyhow::bail!(
            "--by: the city web account `{by}` is disabled (`threshold hub user enable {by}`)"
        );
    }
    if !scope.covers(facility) {
        anyhow::bail!("--by: the city web account `{by}` does not cover facility `{facility}` (`threshold hub user scope`)");
    }
    let acting = crate::admin::act::acting_role(role).ok_or_else(|| {
        anyhow!("--by: `{by}` has the city role, which sees statistics and health but does not act on encounters; send it as counsel or a manager")
    })?;
    Ok((by.to_string(), acting, Some(role)))
}

/// What a hub purge did (or would do), a line a facility.
fn say_purge(done: &hub::retention::HubPurge, grace_days: u32) {
    if done.facilities.is_empty() {
        println!("{}", say!("no facility is enrolled yet; nothing to purge"));
    }
    for f in &done.facilities {
        let years = f.encounter_years;
        let period = if f.period_from == "heartbeat" {
            sayn!(
                "{n} year, as its kiosk reported",
                "{n} years, as its kiosk reported",
                years
            )
        } else {
            sayn!(
                "{n} year from the hub config's [retention]; its kiosk never reported one",
                "{n} years from the hub config's [retention]; its kiosk never reported one",
                years
            )
        };
        let line = if done.dry_run {
            sayn!(
                "{facility} ({period}): would purge {n} closed encounter",
                "{facility} ({period}): would purge {n} closed encounters",
                f.encounters,
                facility = f.facility,
                period = period
            )
        } else {
            sayn!(
                "{facility} ({period}): purged {n} closed encounter ({values} values, {pages} pages)",
                "{facility} ({period}): purged {n} closed encounters ({values} values, {pages} pages)",
                f.encounters,
                facility = f.facility,
                period = period,
                values = f.values,
                pages = f.pages
            )
        };
        println!("{line}");
        if f.waiting > 0 {
            println!(
                "  {}",
                sayn!(
                    "{n} past the period waits up to {days} days for its kiosk's own purge",
                    "{n} past the period wait up to {days} days for their kiosk's own purge",
                    f.waiting,
                    days = grace_days
                )
            );
        }
        if f.held > 0 {
            println!(
                "  {}",
                sayn!(
                    "kept: {n} past the period is on legal hold",
                    "kept: {n} past the period are on legal hold",
                    f.held
                )
            );
        }
    }
}
