//! `user add|passwd|disable|enable|remove|role|list`: admin-web accounts.

use super::args::{RoleArg, UserCmd};
use super::says::{lang, say, table};
use super::{desk, Cli};
use crate::admin::auth::{check_password, hash_password};
use crate::app::records::{AccountChange, AccountError};
use crate::app::timeline::account_role;
use crate::domain::account::AccountRole;
use anyhow::{anyhow, bail, Context};
use serde_json::json;
use std::io::{BufRead, IsTerminal};

/// The new password: asked twice on a terminal, else the first line of
/// standard input (for scripts: `printf '%s\n' "$PW" | threshold user passwd ana`).
pub(super) fn read_password(name: &str) -> anyhow::Result<String> {
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(say!("New password for {name}: ", name = name))
            .context(say!("cannot read the password from the terminal"))?;
        check_password(&first).map_err(|e| anyhow!("{e}"))?;
        let again = rpassword::prompt_password(say!("Type it again: "))
            .context(say!("cannot read the password from the terminal"))?;
        if again != first {
            bail!(say!("the two passwords differ; nothing was changed"));
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context(say!("cannot read the password from standard input"))?;
        line.trim_end_matches(['\n', '\r']).to_string()
    };
    check_password(&password)
        .map_err(|e| anyhow!(say!("{problem}; nothing was changed", problem = e)))?;
    Ok(password)
}

fn role_of(role: RoleArg) -> AccountRole {
    match role {
        RoleArg::Manager => AccountRole::Manager,
        RoleArg::Counsel => AccountRole::Counsel,
        RoleArg::Staff => AccountRole::Staff,
    }
}

/// Run a `user` command.
pub fn run(cli: &Cli, cmd: &UserCmd) -> anyhow::Result<()> {
    let desk = desk(cli)?;
    match cmd {
        UserCmd::Add { name, role } => {
            crate::domain::account::check_name(name).map_err(|e| anyhow!("{e}"))?;
            if desk.account(name)?.is_some() {
                bail!("{}", AccountError::Exists(name.clone()));
            }
            let role = role_of(*role);
            let hash = hash_password(&read_password(name)?);
            desk.add_account(name, role, &hash)?;
            if cli.json {
                println!("{}", json!({ "name": name, "role": role.token() }));
            } else {
                println!(
                    "{}",
                    say!(
                        "account {name} ({role}) created",
                        name = name,
                        role = account_role(Some(role), lang())
                    )
                );
            }
        }
        UserCmd::Passwd { name } => {
            if desk.account(name)?.is_none() {
                bail!("{}", AccountError::Unknown(name.clone()));
            }
            let hash = hash_password(&read_password(name)?);
            desk.set_password(name, &hash)?;
            if cli.json {
                println!("{}", json!({ "name": name, "password": "changed" }));
            } else {
                println!(
                    "{}",
                    say!(
                        "password of {name} changed; their sessions have ended",
                        name = name
                    )
                );
            }
        }
        UserCmd::Disable { name }
        | UserCmd::Enable { name }
        | UserCmd::Remove { name }
        | UserCmd::Role { name, .. } => {
            let (change, done) = match cmd {
                UserCmd::Disable { .. } => (
                    AccountChange::Disable,
                    say!(
                        "account {name} disabled; its sessions have ended",
                        name = name
                    ),
                ),
                UserCmd::Enable { .. } => (
                    AccountChange::Enable,
                    say!("account {name} enabled", name = name),
                ),
                UserCmd::Remove { .. } => (
                    AccountChange::Remove,
                    say!(
                        "account {name} removed with its password; its sessions have ended",
                        name = name
                    ),
                ),
                UserCmd::Role { role, .. } => {
                    let role = role_of(*role);
                    (
                        AccountChange::Role(role),
                        say!(
                            "account {name} is now {role}; its sessions have ended",
                            name = name,
                            role = account_role(Some(role), lang())
                        ),
                    )
                }
                _ => unreachable!("matched above"),
            };
            desk.change_account(name, change, &super::os_user())?;
            if cli.json {
                println!(
                    "{}",
                    json!({ "name": name, "change": format!("{change:?}").to_lowercase() })
                );
            } else {
                println!("{done}");
            }
        }
        UserCmd::List => {
            let list = desk.accounts()?;
            if cli.json {
                println!("{}", serde_json::to_string(&list)?);
            } else if list.is_empty() {
                println!(
                    "{}",
                    say!("no accounts; create one with `threshold user add NAME --role manager`")
                );
            } else {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|a| {
                        let mut about = account_role(Some(a.role), lang()).to_string();
                        if !a.password_set {
                            about.push_str(&format!(" ({})", say!("no password")));
                        }
                        if a.disabled {
                            about.push_str(&format!(" ({})", say!("disabled")));
                        }
                        vec![a.name.clone(), about]
                    })
                    .collect();
                for line in table(&rows) {
                    println!("{line}");
                }
            }
        }
    }
    Ok(())
}
