//! The city's web accounts, their sessions and the journal of what they
//! viewed and did, in the hub's database (every hub process shares them).
//! Roles: counsel and managers see encounters in their facilities and act
//! on them; the city role sees statistics and facility health, never an
//! encounter's details. Each account sees all facilities or those listed.
//! Times are the database's clock, the one every hub process shares.

use super::store::DbError;
use crate::admin::site::Signed;
use crate::domain::account::{AccountRole, Scope};
use deadpool_postgres::Pool;
use sha2::{Digest, Sha256};

/// The roles a hub account may have.
pub const ROLES: [AccountRole; 3] = [
    AccountRole::Counsel,
    AccountRole::Manager,
    AccountRole::City,
];

/// A hub account as listed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Listed {
    pub name: String,
    pub role: String,
    /// `None`: every facility.
    pub facilities: Option<Vec<String>>,
    pub disabled: bool,
}

fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn random_hex() -> String {
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

fn scope_of(facilities: Option<Vec<String>>) -> Scope {
    facilities.map_or(Scope::All, Scope::Only)
}

/// Create account `name`. `Refused` when it exists.
pub async fn add(
    pool: &Pool,
    name: &str,
    role: AccountRole,
    scope: &Scope,
    hash: &str,
) -> Result<(), DbError> {
    let c = pool.get().await?;
    let facilities = scope.list().map(<[String]>::to_vec);
    let n = c
        .execute(
            "INSERT INTO users (name, role, facilities, hash) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            &[&name, &role.token(), &facilities, &hash],
        )
        .await?;
    if n == 0 {
        return Err(DbError::Refused(format!(
            "account `{name}` already exists on the hub"
        )));
    }
    Ok(())
}

/// A change to an account; each ends its sessions.
#[derive(Debug, Clone)]
pub enum Change {
    Password(String),
    Disable,
    Enable,
    Remove,
    Scope(Scope),
}

/// Apply `change` to account `name`; `Refused` when there is no such
/// account.
pub async fn change(pool: &Pool, name: &str, change: &Change) -> Result<(), DbError> {
    let mut c = pool.get().await?;
    let tx = c.transaction().await?;
    let n = match change {
        Change::Password(hash) => {
            tx.execute("UPDATE users SET hash = $2 WHERE name = $1", &[&name, hash])
                .await?
        }
        Change::Disable | Change::Enable => {
            let disabled = matches!(change, Change::Disable);
            tx.execute(
                "UPDATE users SET disabled = $2 WHERE name = $1",
                &[&name, &disabled],
            )
            .await?
        }
        Change::Remove => {
            tx.execute("DELETE FROM users WHERE name = $1", &[&name])
                .await?
        }
        Change::Scope(scope) => {
            let facilities = scope.list().map(<[String]>::to_vec);
            tx.execute(
                "UPDATE users SET facilities = $2 WHERE name = $1",
                &[&name, &facilities],
            )
            .await?
        }
    };
    if n == 0 {
        return Err(DbError::Refused(format!(
            "no account `{name}` on the hub (see `threshold hub user list`)"
        )));
    }
    tx.execute("DELETE FROM sessions WHERE username = $1", &[&name])
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Every account, by name.
pub async fn list(pool: &Pool) -> Result<Vec<Listed>, DbError> {
    let c = pool.get().await?;
    let rows = c
        .query(
            "SELECT name, role, facilities, disabled FROM users ORDER BY name",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Listed {
            name: r.get(0),
            role: r.get(1),
            facilities: r.get(2),
            disabled: r.get(3),
        })
        .collect())
}

/// Account `name`'s role, scope and password hash (no hash when it is
/// disabled: no password matches).
pub async fn find(
    pool: &Pool,
    name: &str,
) -> Result<Option<(AccountRole, Scope, Option<String>)>, DbError> {
    let c = pool.get().await?;
    let row = c
        .query_opt(
            "SELECT role, facilities, hash, disabled FROM users WHERE name = $1",
            &[&name],
        )
        .await?;
    Ok(row.and_then(|r| {
        let role: AccountRole = r.get::<_, String>(0).parse().ok()?;
        let disabled: bool = r.get(3);
        let hash = (!disabled).then(|| r.get(2));
        Some((role, scope_of(r.get(1)), hash))
    }))
}

/// Open a session for `name` and journal the sign-in; its token.
pub async fn open_session(pool: &Pool, name: &str) -> Result<String, DbError> {
    let (token, csrf) = (random_hex(), random_hex());
    let mut c = pool.get().await?;
    let tx = c.transaction().await?;
    let max = crate::app::session_max_s() as f64;
    let idle = crate::app::session_idle_s() as f64;
    // Ended sessions go as new ones start.
    tx.execute(
        "DELETE FROM sessions WHERE expires_at <= now() OR seen_at <= now() - make_interval(secs => $1)",
        &[&idle],
    )
    .await?;
    let role: Option<String> = tx
        .query_opt(
            "INSERT INTO sessions (id_hash, username, csrf, expires_at)
             SELECT $1, name, $3, now() + make_interval(secs => $4) FROM users WHERE name = $2 AND NOT disabled
             RETURNING (SELECT role FROM users WHERE name = $2)",
            &[&digest(&token), &name, &csrf, &max],
        )
        .await?
        .map(|r| r.get(0));
    let Some(role) = role else {
        return Err(DbError::Refused(format!(
            "account `{name}` is disabled or removed"
        )));
    };
    tx.execute(
        "INSERT INTO audit (username, role, action) VALUES ($1, $2, 'signed-in')",
        &[&name, &role],
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// The live session behind `token`; when `activity`, its idle time starts
/// again (written at most once a minute).
pub async fn session(pool: &Pool, token: &str, activity: bool) -> Result<Option<Signed>, DbError> {
    let c = pool.get().await?;
    let idle = crate::app::session_idle_s() as f64;
    let row = c
        .query_opt(
            "SELECT u.name, u.role, u.facilities, s.csrf,
                    extract(epoch FROM s.seen_at + make_interval(secs => $2) - now())::float8,
                    s.seen_at < now() - interval '1 minute'
             FROM sessions s JOIN users u ON u.name = s.username
             WHERE s.id_hash = $1 AND NOT u.disabled AND s.expires_at > now()
               AND s.seen_at > now() - make_interval(secs => $2)",
            &[&digest(token), &idle],
        )
        .await?;
    let Some(r) = row else { return Ok(None) };
    let Ok(role) = r.get::<_, String>(1).parse::<AccountRole>() else {
        return Ok(None);
    };
    let mut left: f64 = r.get(4);
    let stale: bool = r.get(5);
    if activity && stale {
        c.execute(
            "UPDATE sessions SET seen_at = now() WHERE id_hash = $1",
            &[&digest(token)],
        )
        .await?;
        left = idle;
    }
    Ok(Some(Signed {
        user: r.get(0),
        role,
        csrf: r.get(3),
        idle_left_s: left.max(0.0) as u64,
        scope: scope_of(r.get(2)),
    }))
}

/// End the session behind `token`.
pub async fn close_session(pool: &Pool, token: &str) -> Result<(), DbError> {
    let c = pool.get().await?;
    c.execute("DELETE FROM sessions WHERE id_hash = $1", &[&digest(token)])
        .await?;
    Ok(())
}

/// What an account viewed or did on the city's web.
#[derive(Debug, Clone, Default)]
pub struct Audit<'a> {
    pub user: &'a str,
    pub role: &'a str,
    /// e.g. `viewed-dashboard`, `viewed-encounter`, `acknowledged`.
    pub action: &'a str,
    pub facility: Option<&'a str>,
    pub encounter: Option<&'a str>,
    /// Filters, a page number: never personal data.
    pub detail: Option<String>,
}

/// Journal `a` on the hub.
pub async fn audit(pool: &Pool, a: Audit<'_>) -> Result<(), DbError> {
    let c = pool.get().await?;
    c.execute(
        "INSERT INTO audit (username, role, action, facility, encounter, detail) VALUES ($1, $2, $3, $4, $5, $6)",
        &[&a.user, &a.role, &a.action, &a.facility, &a.encounter, &a.detail],
    )
    .await?;
    Ok(())
}

/// One line of the hub's audit trail.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Trail {
    pub at: String,
    pub user: String,
    pub role: String,
    pub action: String,
    pub facility: Option<String>,
    pub encounter: Option<String>,
    pub detail: Option<String>,
}

/// The last `limit` audit entries, newest first.
pub async fn audit_trail(pool: &Pool, limit: i64) -> Result<Vec<Trail>, DbError> {
    let c = pool.get().await?;
    let rows = c
        .query(
            "SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), username, role, action, facility, encounter, detail
             FROM audit ORDER BY id DESC LIMIT $1",
            &[&limit],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Trail {
            at: r.get(0),
            user: r.get(1),
            role: r.get(2),
            action: r.get(3),
            facility: r.get(4),
            encounter: r.get(5),
            detail: r.get(6),
        })
        .collect())
}
