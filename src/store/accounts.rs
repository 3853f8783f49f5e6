//! Admin-web accounts and sessions. Accounts (name and role) are journaled
//! and projected into `users`; password hashes and sessions live beside the
//! journal, never in it.

use super::events::{AccountEvent, EventKind, RetentionChanged, UserAdded};
use super::{timestamp, Store, StoreError};
use crate::domain::account::AccountRole;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

/// A session ends after this long without a request.
pub const SESSION_IDLE: Duration = Duration::minutes(30);
/// And after this long in any case.
pub const SESSION_MAX: Duration = Duration::hours(12);
/// `seen_at` is rewritten at most this often (each write is an fsync).
const SEEN_EVERY: Duration = Duration::minutes(1);

/// Why an account change was refused.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{}", crate::msg!("an account named `{name}` already exists; use `threshold user passwd {name}` to change its password", name = .0))]
    Exists(String),
    #[error("{}", crate::msg!("no account named `{name}`; create it with `threshold user add {name} --role manager|counsel|staff`", name = .0))]
    Unknown(String),
    #[error("{0}")]
    BadName(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One account as listed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Account {
    pub name: String,
    pub role: AccountRole,
    pub password_set: bool,
    pub disabled: bool,
}

/// A signed-in session.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub user: String,
    pub role: AccountRole,
    /// The token every form of this session must carry.
    pub csrf: String,
    /// Its last-seen time is old enough to rewrite ([`touch_session`]).
    pub stale: bool,
    /// Seconds before it ends for want of activity.
    pub idle_left_s: u64,
}

fn role_of(s: String) -> rusqlite::Result<AccountRole> {
    s.parse().map_err(|e: String| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.into())
    })
}

/// Create account `name` with `role` and the password hash `hash`.
pub fn add(
    store: &mut Store,
    at: DateTime<Utc>,
    name: &str,
    role: AccountRole,
    hash: &str,
) -> Result<(), AccountError> {
    crate::domain::account::check_name(name).map_err(AccountError::BadName)?;
    store.write(at, |w| {
        let exists: bool = w
            .conn()
            .query_row("SELECT 1 FROM users WHERE name = ?1", [name], |_| Ok(true))
            .optional()
            .map_err(|e| w.err(e))?
            .unwrap_or(false);
        if exists {
            return Err(AccountError::Exists(name.into()));
        }
        let subject = format!("user:{name}");
        w.append(
            EventKind::UserAdded,
            &subject,
            &UserAdded {
                name: name.into(),
                role,
                credential: Some(credential(hash, w.at())),
                by: None,
            },
        )?;
        set_hash(w, name, hash)?;
        Ok(())
    })
}

/// SHA-256 (hex) of a stored password hash and the time it was set (the
/// `credentials` row): journaled, so that `log verify` catches a hash
/// replaced in the database.
pub fn credential(hash: &str, changed_at: &str) -> String {
    hex::encode(Sha256::digest(format!("{hash}\n{changed_at}").as_bytes()))
}

/// A change to an existing account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountChange {
    Disable,
    Enable,
    Remove,
    Role(AccountRole),
}

/// Apply `change` to account `name` on behalf of `by`, journaled; the
/// account's sessions end. A removed account's password hash goes too.
pub fn change(
    store: &mut Store,
    at: DateTime<Utc>,
    name: &str,
    change: AccountChange,
    by: &str,
) -> Result<(), AccountError> {
    store.write(at, |w| {
        if find_any(w.conn(), name).map_err(|e| w.err(e))?.is_none() {
            return Err(AccountError::Unknown(name.into()));
        }
        let subject = format!("user:{name}");
        let event = AccountEvent {
            name: name.into(),
            credential: None,
            by: Some(by.into()),
        };
        match change {
            AccountChange::Disable => w.append(EventKind::UserDisabled, &subject, &event)?,
            AccountChange::Enable => w.append(EventKind::UserEnabled, &subject, &event)?,
            AccountChange::Remove => w.append(EventKind::UserRemoved, &subject, &event)?,
            AccountChange::Role(role) => w.append(
                EventKind::RoleChanged,
                &subject,
                &UserAdded {
                    name: name.into(),
                    role,
                    credential: None,
                    by: Some(by.into()),
                },
            )?,
        };
        if change == AccountChange::Remove {
            w.conn()
                .execute("DELETE FROM credentials WHERE user = ?1", [name])
                .map_err(|e| w.err(e))?;
        }
        w.conn()
            .execute("DELETE FROM web_sessions WHERE user = ?1", [name])
            .map_err(|e| w.err(e))?;
        Ok(())
    })
}

/// Replace `name`'s password hash; their open sessions end.
pub fn set_password(
    store: &mut Store,
    at: DateTime<Utc>,
    name: &str,
    hash: &str,
) -> Result<(), AccountError> {
    store.write(at, |w| {
        if find_any(w.conn(), name).map_err(|e| w.err(e))?.is_none() {
            return Err(AccountError::Unknown(name.into()));
        }
        w.append(
            EventKind::PasswordChanged,
            &format!("user:{name}"),
            &AccountEvent {
                name: name.into(),
                credential: Some(credential(hash, w.at())),
                by: None,
            },
        )?;
        set_hash(w, name, hash)?;
        w.conn()
            .execute("DELETE FROM web_sessions WHERE user = ?1", [name])
            .map_err(|e| w.err(e))?;
        Ok(())
    })
}

fn set_hash(w: &mut super::Writer<'_>, name: &str, hash: &str) -> Result<(), StoreError> {
    let at = w.at().to_string();
    w.conn()
        .execute(
            "INSERT INTO credentials (user, password_hash, changed_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (user) DO UPDATE SET password_hash = excluded.password_hash, changed_at = excluded.changed_at",
            params![name, hash, at],
        )
        .map(|_| ())
        .map_err(|e| w.err(e))
}

/// Journal that `name` signed in.
pub fn record_sign_in(store: &mut Store, at: DateTime<Utc>, name: &str) -> Result<(), StoreError> {
    store.write(at, |w| {
        w.append(
            EventKind::SignedIn,
            &format!("user:{name}"),
            &AccountEvent {
                name: name.into(),
                credential: None,
                by: None,
            },
        )
        .map(|_| ())
    })
}

/// Journal new retention periods set by `by`.
pub fn set_retention(
    store: &mut Store,
    at: DateTime<Utc>,
    by: &str,
    visitor_days: u32,
    encounter_years: u32,
) -> Result<(), StoreError> {
    store.write(at, |w| {
        w.append(
            EventKind::RetentionChanged,
            "settings",
            &RetentionChanged {
                by: by.into(),
                visitor_days,
                encounter_years,
            },
        )
        .map(|_| ())
    })
}

/// The retention periods set on the admin web, if any (they override the
/// configuration file's `[retention]`).
pub fn retention_override(conn: &Connection) -> rusqlite::Result<Option<(u32, u32)>> {
    let get = |key: &str| -> rusqlite::Result<Option<u32>> {
        let v: Option<String> = conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(v.and_then(|v| v.parse().ok()))
    };
    Ok(get("retention.visitor_days")?.zip(get("retention.encounter_years")?))
}

/// `name`'s role and password hash, if the account exists and is not
/// disabled (a disabled account cannot sign in).
pub fn find(
    conn: &Connection,
    name: &str,
) -> rusqlite::Result<Option<(AccountRole, Option<String>)>> {
    conn.query_row(
        "SELECT u.role, c.password_hash FROM users u LEFT JOIN credentials c ON c.user = u.name
         WHERE u.name = ?1 AND u.disabled = 0",
        [name],
        |r| Ok((role_of(r.get(0)?)?, r.get(1)?)),
    )
    .optional()
}

/// `name`'s role and whether it is disabled, if the account exists.
pub fn find_any(conn: &Connection, name: &str) -> rusqlite::Result<Option<(AccountRole, bool)>> {
    conn.query_row(
        "SELECT role, disabled FROM users WHERE name = ?1",
        [name],
        |r| Ok((role_of(r.get(0)?)?, r.get(1)?)),
    )
    .optional()
}

/// Every account, by name.
pub fn list(conn: &Connection) -> rusqlite::Result<Vec<Account>> {
    let mut stmt = conn.prepare(
        "SELECT u.name, u.role, c.user IS NOT NULL, u.disabled FROM users u
         LEFT JOIN credentials c ON c.user = u.name ORDER BY u.name",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Account {
            name: r.get(0)?,
            role: role_of(r.get(1)?)?,
            password_set: r.get(2)?,
            disabled: r.get(3)?,
        })
    })?;
    rows.collect()
}

fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn random_hex() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// Open a session for `user`: returns the cookie's token and the session.
/// Expired sessions are cleared on the way.
pub fn open_session(conn: &Connection, user: &str, now: DateTime<Utc>) -> rusqlite::Result<String> {
    let token = random_hex();
    let csrf = random_hex();
    conn.execute(
        "DELETE FROM web_sessions WHERE expires_at < ?1 OR seen_at < ?2",
        params![timestamp(now), timestamp(now - SESSION_IDLE)],
    )?;
    conn.execute(
        "INSERT INTO web_sessions (id_hash, user, csrf, created_at, seen_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
        params![
            digest(&token),
            user,
            csrf,
            timestamp(now),
            timestamp(now + SESSION_MAX)
        ],
    )?;
    Ok(token)
}

/// The live session behind cookie `token`, if any (a read: the writer
/// keeps it alive with [`touch_session`] when it is `stale`).
pub fn session(
    conn: &Connection,
    token: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<Option<Session>> {
    let row: Option<(String, String, String, String)> = conn
        .query_row(
            "SELECT s.user, u.role, s.csrf, s.seen_at FROM web_sessions s JOIN users u ON u.name = s.user
             WHERE s.id_hash = ?1 AND s.expires_at > ?2 AND s.seen_at > ?3 AND u.disabled = 0",
            params![digest(token), timestamp(now), timestamp(now - SESSION_IDLE)],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((user, role, csrf, seen)) = row else {
        return Ok(None);
    };
    let idle_left_s = DateTime::parse_from_rfc3339(&seen)
        .map(|t| {
            (t.with_timezone(&Utc) + SESSION_IDLE - now)
                .num_seconds()
                .max(0) as u64
        })
        .unwrap_or(0);
    Ok(Some(Session {
        user,
        role: role_of(role)?,
        csrf,
        stale: seen < timestamp(now - SEEN_EVERY),
        idle_left_s,
    }))
}

/// Keep the session behind `token` alive: it was seen `now`.
pub fn touch_session(conn: &Connection, token: &str, now: DateTime<Utc>) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE web_sessions SET seen_at = ?2 WHERE id_hash = ?1",
        params![digest(token), timestamp(now)],
    )
    .map(|_| ())
}

/// End the session behind `token`.
pub fn close_session(conn: &Connection, token: &str) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM web_sessions WHERE id_hash = ?1",
        [digest(token)],
    )
    .map(|_| ())
}

/// Compare every stored password hash with the digest its account's
/// journal entries recorded (the `users` projection, itself checked against
/// the journal above). Returns the accounts set before digests existed.
pub(super) fn check_credentials(
    conn: &Connection,
    findings: &mut Vec<super::verify::Finding>,
) -> rusqlite::Result<Vec<String>> {
    let mut unjournaled = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT c.user, c.password_hash, u.name IS NOT NULL, u.credential, c.changed_at
         FROM credentials c LEFT JOIN users u ON u.name = c.user ORDER BY c.user",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let user: String = r.get(0)?;
        let hash: String = r.get(1)?;
        let account: bool = r.get(2)?;
        let journaled: Option<String> = r.get(3)?;
        let changed_at: String = r.get(4)?;
        let subject = format!("user:{user}");
        let problem = if !account {
            Some(format!(
                "a password hash for `{user}`, which is not an account (added by hand)"
            ))
        } else {
            match journaled {
                None => {
                    unjournaled.push(user.clone());
                    None
                }
                Some(j) if j == credential(&hash, &changed_at) => None,
                Some(_) => Some(format!(
                    "the password hash of account `{user}` is not the one its journal entry recorded (replaced in the database)"
                )),
            }
        };
        if let Some(problem) = problem {
            let (seq, kind) = super::verify::last_entry_for(conn, &subject)?;
            findings.push(super::verify::Finding {
                seq,
                kind: if seq.is_some() {
                    kind
                } else {
                    "credentials".into()
                },
                problem,
            });
        }
    }
    Ok(unjournaled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_sessions_and_retention() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path(), "f").unwrap();
        let t0 = Utc::now();
        add(&mut store, t0, "ana", AccountRole::Counsel, "h1").unwrap();
        assert!(matches!(
            add(&mut store, t0, "ana", AccountRole::Manager, "h2"),
            Err(AccountError::Exists(_))
        ));
        assert!(matches!(
            set_password(&mut store, t0, "bo", "h"),
            Err(AccountError::Unknown(_))
        ));
        let conn = store.conn();
        assert_eq!(
            find(conn, "ana").unwrap(),
            Some((AccountRole::Counsel, Some("h1".into())))
        );
        let token = open_session(conn, "ana", t0).unwrap();
        let s = session(conn, &token, t0 + Duration::minutes(29))
            .unwrap()
            .unwrap();
        assert_eq!((s.user.as_str(), s.role), ("ana", AccountRole::Counsel));
        // Idle for 30 minutes after the last request: gone.
        assert!(session(conn, &token, t0 + Duration::minutes(60))
            .unwrap()
            .is_none());
        assert!(session(conn, "nonsense", t0).unwrap().is_none());
        // A password change ends the account's sessions.
        let token = open_session(store.conn(), "ana", t0).unwrap();
        set_password(&mut store, t0, "ana", "h3").unwrap();
        assert!(session(store.conn(), &token, t0).unwrap().is_none());
        let token = open_session(store.conn(), "ana", t0).unwrap();
        close_session(store.conn(), &token).unwrap();
        assert!(session(store.conn(), &token, t0).unwrap().is_none());
        // Twelve hours at most, however active.
        let token = open_session(store.conn(), "ana", t0).unwrap();
        let mut t = t0;
        while t < t0 + Duration::hours(12) {
            t += Duration::minutes(20);
            let found = session(store.conn(), &token, t).unwrap();
            if found.as_ref().is_some_and(|s| s.stale) {
                touch_session(store.conn(), &token, t).unwrap();
            }
            assert_eq!(found.is_some(), t < t0 + SESSION_MAX, "{t}");
        }
        assert_eq!(retention_override(store.conn()).unwrap(), None);
        set_retention(&mut store, t0, "ana", 14, 5).unwrap();
        assert_eq!(retention_override(store.conn()).unwrap(), Some((14, 5)));
        // The accounts and settings are projections: verify rebuilds them.
        assert!(crate::store::verify::verify(&store.reader())
            .unwrap()
            .intact());
        store
            .conn()
            .execute("UPDATE users SET role = 'manager' WHERE name = 'ana'", [])
            .unwrap();
        assert!(!crate::store::verify::verify(&store.reader())
            .unwrap()
            .intact());
    }
}
