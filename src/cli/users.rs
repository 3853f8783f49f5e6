//! `user add|passwd|list`, signed bundles (`log bundle`, `log verify
//! --bundle`) and `encounter report`.

use super::args::{RoleArg, UserCmd};
use super::{desk, Cli};
use crate::admin::auth::{check_password, hash_password};
use crate::app::Desk;
use crate::domain::account::AccountRole;
use crate::domain::language::Language;
use crate::store::accounts;
use crate::store::bundle::{self, FacilityKey};
use anyhow::{anyhow, bail, Context};
use serde_json::json;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

/// The new password: asked twice on a terminal, else the first line of
/// standard input (for scripts: `printf '%s\n' "$PW" | threshold user passwd ana`).
fn read_password(name: &str) -> anyhow::Result<String> {
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("New password for {name}: "))
            .context("cannot read the password from the terminal")?;
        check_password(&first).map_err(|e| anyhow!("{e}"))?;
        let again = rpassword::prompt_password("Type it again: ")
            .context("cannot read the password from the terminal")?;
        if again != first {
            bail!("the two passwords differ; nothing was changed");
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        line.trim_end_matches(['\n', '\r']).to_string()
    };
    check_password(&password).map_err(|e| anyhow!("{e}; nothing was changed"))?;
    Ok(password)
}

/// Run a `user` command.
pub fn run(cli: &Cli, cmd: &UserCmd) -> anyhow::Result<()> {
    let mut desk = desk(cli)?;
    let now = chrono::Utc::now();
    match cmd {
        UserCmd::Add { name, role } => {
            crate::domain::account::check_name(name).map_err(|e| anyhow!("{e}"))?;
            if accounts::find(desk.store.conn(), name)?.is_some() {
                bail!("{}", accounts::AccountError::Exists(name.clone()));
            }
            let role = match role {
                RoleArg::Manager => AccountRole::Manager,
                RoleArg::Counsel => AccountRole::Counsel,
                RoleArg::Staff => AccountRole::Staff,
            };
            let hash = hash_password(&read_password(name)?);
            accounts::add(&mut desk.store, now, name, role, &hash)?;
            if cli.json {
                println!("{}", json!({ "name": name, "role": role.token() }));
            } else {
                println!("account {name} ({}) created", role.token());
            }
        }
        UserCmd::Passwd { name } => {
            if accounts::find(desk.store.conn(), name)?.is_none() {
                bail!("{}", accounts::AccountError::Unknown(name.clone()));
            }
            let hash = hash_password(&read_password(name)?);
            accounts::set_password(&mut desk.store, now, name, &hash)?;
            if cli.json {
                println!("{}", json!({ "name": name, "password": "changed" }));
            } else {
                println!("password of {name} changed; their sessions have ended");
            }
        }
        UserCmd::List => {
            let list = accounts::list(desk.store.conn())?;
            if cli.json {
                println!("{}", serde_json::to_string(&list)?);
            } else if list.is_empty() {
                println!("no accounts; create one with `threshold user add NAME --role manager`");
            } else {
                for a in list {
                    let pw = if a.password_set { "" } else { " (no password)" };
                    println!("{:<24} {}{pw}", a.name, a.role.token());
                }
            }
        }
    }
    Ok(())
}

/// `log bundle`: write atomically (a temporary file, then rename).
pub fn write_bundle(
    desk: &Desk,
    data_dir: &Path,
    from: Option<&str>,
    to: Option<&str>,
    out: &Path,
    as_json: bool,
) -> anyhow::Result<()> {
    let filter = super::export::filter(&desk.loaded, from, to, None, None)?;
    let key = FacilityKey::open(data_dir)?;
    let created = crate::store::timestamp(chrono::Utc::now());
    let tmp = out.with_extension("partial");
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(&tmp)
            .with_context(|| format!("--out: cannot create {}", tmp.display()))?,
    );
    let result = bundle::write(
        &desk.store,
        &key,
        &created,
        filter.from.as_deref(),
        filter.to.as_deref(),
        &mut file,
    )
    .map_err(anyhow::Error::from)
    .and_then(|n| {
        file.flush()?;
        file.get_ref().sync_all()?;
        Ok(n)
    });
    let n = match result {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e.context(format!("--out: nothing was written to {}", out.display())));
        }
    };
    std::fs::rename(&tmp, out).with_context(|| format!("--out: cannot write {}", out.display()))?;
    if as_json {
        println!(
            "{}",
            json!({ "entries": n, "file": out, "fingerprint": key.fingerprint() })
        );
    } else {
        eprintln!(
            "{n} entries written to {}, signed by key {}",
            out.display(),
            key.fingerprint()
        );
    }
    Ok(())
}

/// `log verify --bundle`: true when intact.
pub fn verify_bundle(file: &Path, key: Option<&str>, as_json: bool) -> anyhow::Result<bool> {
    let f = std::fs::File::open(file)
        .with_context(|| format!("--bundle: cannot open {}", file.display()))?;
    let report = bundle::verify(std::io::BufReader::new(f), key)
        .with_context(|| format!("--bundle: cannot read {}", file.display()))?;
    if as_json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!("bundle     {}", file.display());
        println!("facility   {}", report.facility);
        println!("created    {}", report.created_at);
        println!(
            "entries    {} (#{} to #{})",
            report.entries, report.from_seq, report.to_seq
        );
        println!("head       {}", report.head_hash);
        println!(
            "signed by  {} (fingerprint {})",
            report.public_key, report.fingerprint
        );
        if report.intact() {
            println!("result     intact: every entry matches the chain and the signature is valid");
            if key.is_none() {
                println!("           compare the fingerprint with the facility's published key, or pass --key");
            }
        } else {
            println!("result     NOT INTACT");
            for p in &report.problems {
                println!("  - {p}");
            }
        }
    }
    Ok(report.intact())
}

/// `encounter report`: the PDF, written atomically.
pub fn write_report(
    desk: &Desk,
    data_dir: &Path,
    id: &str,
    lang: Language,
    out: &Path,
) -> anyhow::Result<()> {
    let key = FacilityKey::open(data_dir)?;
    let who = std::env::var("USER").unwrap_or_else(|_| "command line".into());
    let pdf = crate::app::report::encounter_pdf(&desk.loaded, &desk.store, &key, id, lang, &who)?;
    let tmp = out.with_extension("partial");
    std::fs::write(&tmp, &pdf)
        .and_then(|()| std::fs::rename(&tmp, out))
        .with_context(|| format!("--out: cannot write {}", out.display()))?;
    eprintln!(
        "report of {id} written to {} ({} pages of document, {} KB)",
        out.display(),
        desk_pages(desk, id),
        pdf.len() / 1024
    );
    Ok(())
}

fn desk_pages(desk: &Desk, id: &str) -> i64 {
    desk.store
        .conn()
        .query_row("SELECT pages FROM encounters WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap_or(0)
}
