//! `threshold hub user add|passwd|disable|enable|remove|scope|list`: the
//! city's web accounts, in the hub's database.

use super::args::{Cli, HubRoleArg, HubUserCmd};
use super::says::{lang, say, table};
use super::users::read_password;
use crate::admin::auth::hash_password;
use crate::app::timeline::account_role;
use crate::domain::account::{AccountRole, Scope};
use crate::hub::accounts::{self, Change};
use crate::hub::store;
use anyhow::anyhow;
use serde_json::json;

fn role_of(role: HubRoleArg) -> AccountRole {
    match role {
        HubRoleArg::Counsel => AccountRole::Counsel,
        HubRoleArg::Manager => AccountRole::Manager,
        HubRoleArg::City => AccountRole::City,
    }
}

/// The scope `--facility` gives: every facility when none is named.
fn scope_of(facilities: &[String]) -> anyhow::Result<Scope> {
    for f in facilities {
        store::facility_id(f).map_err(|e| anyhow!("--facility: {e}"))?;
    }
    Ok(if facilities.is_empty() {
        Scope::All
    } else {
        let mut ids = facilities.to_vec();
        ids.sort();
        ids.dedup();
        Scope::Only(ids)
    })
}

fn scope_words(scope: &Scope) -> String {
    match scope.list() {
        None => say!("every facility"),
        Some(ids) => ids.join(", "),
    }
}

/// Run a `hub user` command on the hub's database.
pub async fn run(
    cli: &Cli,
    pool: &deadpool_postgres::Pool,
    cmd: &HubUserCmd,
) -> anyhow::Result<()> {
    match cmd {
        HubUserCmd::Add {
            name,
            role,
            facilities,
        } => {
            crate::domain::account::check_name(name).map_err(|e| anyhow!("{e}"))?;
            let scope = scope_of(facilities)?;
            let role = role_of(*role);
            if accounts::find(pool, name).await?.is_some() {
                anyhow::bail!(say!(
                    "account {name} already exists; nothing was changed",
                    name = name
                ));
            }
            let hash = hash_password(&read_password(name)?);
            accounts::add(pool, name, role, &scope, &hash).await?;
            if cli.json {
                println!(
                    "{}",
                    json!({ "name": name, "role": role.token(), "facilities": scope.list() })
                );
            } else {
                println!(
                    "{}",
                    say!(
                        "account {name} ({role}) created; it sees {facilities}",
                        name = name,
                        role = account_role(Some(role), lang()),
                        facilities = scope_words(&scope)
                    )
                );
            }
        }
        HubUserCmd::List => {
            let list = accounts::list(pool).await?;
            if cli.json {
                println!("{}", serde_json::to_string(&list)?);
            } else if list.is_empty() {
                println!(
                    "{}",
                    say!(
                        "no accounts; create one with `threshold hub user add NAME --role counsel`"
                    )
                );
            } else {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|a| {
                        let role = a.role.parse::<AccountRole>().ok();
                        let mut about = account_role(role, lang()).to_string();
                        if a.disabled {
                            about.push_str(&format!(" ({})", say!("disabled")));
                        }
                        let scope = a.facilities.clone().map_or(Scope::All, Scope::Only);
                        vec![a.name.clone(), about, scope_words(&scope)]
                    })
                    .collect();
                for line in table(&rows) {
                    println!("{line}");
                }
            }
        }
        other => {
            let (name, change, done) = match other {
                HubUserCmd::Passwd { name } => {
                    if accounts::find(pool, name).await?.is_none() {
                        anyhow::bail!(say!(
                            "no account {name} on the hub (see `threshold hub user list`)",
                            name = name
                        ));
                    }
                    let hash = hash_password(&read_password(name)?);
                    (
                        name,
                        Change::Password(hash),
                        say!(
                            "password of {name} changed; their sessions have ended",
                            name = name
                        ),
                    )
                }
                HubUserCmd::Disable { name } => (
                    name,
                    Change::Disable,
                    say!(
                        "account {name} disabled; its sessions have ended",
                        name = name
                    ),
                ),
                HubUserCmd::Enable { name } => (
                    name,
                    Change::Enable,
                    say!("account {name} enabled", name = name),
                ),
                HubUserCmd::Remove { name } => (
                    name,
                    Change::Remove,
                    say!(
                        "account {name} removed with its password; its sessions have ended",
                        name = name
                    ),
                ),
                HubUserCmd::Scope {
                    name,
                    facilities,
                    all,
                } => {
                    let scope = if *all {
                        Scope::All
                    } else {
                        scope_of(facilities)?
                    };
                    let done = say!(
                        "account {name} now sees {facilities}; its sessions have ended",
                        name = name,
                        facilities = scope_words(&scope)
                    );
                    (name, Change::Scope(scope), done)
                }
                HubUserCmd::Add { .. } | HubUserCmd::List => unreachable!("matched above"),
            };
            accounts::change(pool, name, &change).await?;
            if cli.json {
                let what = match change {
                    Change::Password(_) => "password",
                    Change::Disable => "disabled",
                    Change::Enable => "enabled",
                    Change::Remove => "removed",
                    Change::Scope(_) => "scope",
                };
                println!("{}", json!({ "name": name, "change": what }));
            } else {
                println!("{done}");
            }
        }
    }
    Ok(())
}
