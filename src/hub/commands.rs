//! Commands to kiosks: an account on the hub acknowledges an encounter or
//! records counsel's instruction; the hub signs the command with its key
//! and holds it until the facility's kiosk long-polls for it; the kiosk's
//! next poll says how it went. Any hub process can answer any poll: the
//! commands live in the database, each announced with NOTIFY when it is
//! stored, which wakes the polls every hub process holds (`hub::wake`);
//! a poll also looks for new ones every [`LOOK_EVERY`].

use super::seal::DataKey;
use super::store::DbError;
use super::HubKey;
use crate::domain::role::Role;
use crate::domain::shipping::command::{
    Action, Command, Commands, Poll, MAX_COMMANDS, MAX_WAIT_MS,
};
use deadpool_postgres::Pool;
use serde::Serialize;
use std::time::Duration;
use tokio::sync::Notify;

/// How often a held poll looks for commands another hub process issued.
pub const LOOK_EVERY: Duration = Duration::from_millis(500);

/// A command as `hub commands` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Issued {
    pub id: i64,
    pub facility: String,
    pub encounter: String,
    pub action: String,
    pub by: String,
    pub issued_at: String,
    pub delivered_at: Option<String>,
    /// `applied`, or `refused: …` as the kiosk said; `None` until it said.
    pub outcome: Option<String>,
}

/// What an account asks a facility's kiosk to do.
#[derive(Debug, Clone)]
pub struct Order<'a> {
    pub facility: &'a str,
    pub encounter: &'a str,
    pub action: Action,
    /// The account's name.
    pub by: &'a str,
    pub role: Option<Role>,
}

/// Issue `order`, signed with the hub's key (its action, words and all,
/// sealed with the data key). Refused when the facility is
/// not enrolled or the hub holds no such encounter of it.
pub async fn issue(
    pool: &Pool,
    key: &HubKey,
    data: &DataKey,
    order: Order<'_>,
) -> Result<Command, DbError> {
    let Order {
        facility,
        encounter,
        action,
        by,
        role,
    } = order;
    let by = by.trim();
    if by.is_empty() || by.chars().count() > 80 || by.chars().any(char::is_control) {
        return Err(DbError::Refused(
            "--by: the account's name, 1 to 80 characters on one line".into(),
        ));
    }
    match &action {
        Action::Instruct { text } | Action::Note { text } => {
            let n = text.trim().chars().count();
            if n == 0 || n > crate::domain::encounter::MAX_TEXT_CHARS {
                return Err(DbError::Refused(format!(
                    "the {}: 1 to {} characters",
                    if matches!(action, Action::Note { .. }) {
                        "note"
                    } else {
                        "instruction"
                    },
                    crate::domain::encounter::MAX_TEXT_CHARS
                )));
            }
        }
        Action::Checklist { item, .. } if !crate::domain::policy::is_token(item) => {
            return Err(DbError::Refused(format!(
                "--checklist: `{item}` is not a checklist question's id (lower-case letters, digits and hyphens, as in the kiosk's policy profile)"
            )));
        }
        _ => {}
    }
    let mut client = pool.get().await?;
    // Under the facility's row lock: a facility's commands are numbered in
    // the order they commit, so a poll that has seen one has seen every
    // earlier one.
    let tx = client.transaction().await?;
    let enrolled = tx
        .execute(
            "SELECT 1 FROM facilities WHERE id = $1 FOR UPDATE",
            &[&facility],
        )
        .await?;
    if enrolled == 0 {
        return Err(DbError::Refused(format!(
            "facility `{facility}` is not enrolled on this hub (`threshold hub facilities` lists those that are)"
        )));
    }
    let known = tx
        .query_opt(
            "SELECT 1 FROM entries WHERE facility = $1 AND kind = 'encounter.opened' AND subject = $2",
            &[&facility, &encounter],
        )
        .await?;
    if known.is_none() {
        return Err(DbError::Refused(format!(
            "the hub holds no encounter {encounter} of facility `{facility}` (is the reference right, and has the kiosk shipped it?)"
        )));
    }
    let id: i64 = tx
        .query_one("SELECT nextval('commands_id_seq')", &[])
        .await?
        .get(0);
    let issued_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let command = Command {
        format: String::new(),
        id,
        facility: facility.into(),
        encounter: encounter.into(),
        action,
        by: by.into(),
        role,
        issued_at,
        signature: String::new(),
    }
    .sign(|s| key.sign(s));
    // The action as signed (an instruction's or a note's words among it),
    // sealed with the data key.
    let action_json = serde_json::to_string(&command.action).unwrap_or_default();
    let sealed = Some(data.seal_command(facility, id, &action_json));
    tx.execute(
            "INSERT INTO commands (id, facility, encounter, action, sealed, by_account, role, issued_at, signature)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                &id,
                &facility,
                &encounter,
                &command.action.token(),
                &sealed,
                &command.by,
                &role.map(Role::token),
                &command.issued_at,
                &command.signature,
            ],
        )
        .await?;
    // Delivered at commit to every hub process listening (`hub::wake`).
    tx.execute(
        "SELECT pg_notify($1, $2)",
        &[&super::wake::CHANNEL, &facility],
    )
    .await?;
    tx.commit().await?;
    tracing::info!(facility, encounter, id, action = command.action.token(), by = %command.by, "command issued");
    Ok(command)
}

/// Take a kiosk's poll (JSON): note how its commands went, then answer
/// with its commands after `after`, holding the request open up to its
/// `wait_ms` for one to arrive. `(status, JSON)`.
pub async fn poll(
    pool: &Pool,
    data: &DataKey,
    issued: &Notify,
    body: &[u8],
) -> Result<(u16, String), DbError> {
    let refused = |status: u16, error: String| {
        Ok((
            status,
            serde_json::json!({ "result": "refused", "error": error }).to_string(),
        ))
    };
    let poll: Poll = match serde_json::from_slice(body) {
        Ok(p) => p,
        Err(e) => return refused(400, format!("the poll is not valid JSON: {e}")),
    };
    let client = pool.get().await?;
    let Some(row) = client
        .query_opt(
            "SELECT public_key FROM facilities WHERE id = $1",
            &[&poll.facility],
        )
        .await?
    else {
        return refused(
            403,
            format!("facility `{}` is not enrolled on this hub", poll.facility),
        );
    };
    let public: Vec<u8> = row.get(0);
    if let Err(e) = poll.check(&public.try_into().unwrap_or([0; 32]), chrono::Utc::now()) {
        return refused(403, e);
    }
    for a in &poll.applied {
        let mut outcome = a.outcome.clone();
        crate::domain::shipping::clip(&mut outcome, 500);
        client
            .execute(
                "UPDATE commands SET outcome = $3, applied_at = now() WHERE facility = $1 AND id = $2 AND outcome IS NULL",
                &[&poll.facility, &a.id, &outcome],
            )
            .await?;
    }
    client
        .execute(
            "UPDATE commands SET delivered_at = now() WHERE facility = $1 AND id <= $2 AND delivered_at IS NULL",
            &[&poll.facility, &poll.after],
        )
        .await?;
    drop(client);
    let until = tokio::time::Instant::now() + Duration::from_millis(poll.wait_ms.min(MAX_WAIT_MS));
    loop {
        // Registered before looking, so a command issued in between wakes it.
        let woken = issued.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        let commands = pending(pool, data, &poll.facility, poll.after).await?;
        if !commands.is_empty() || tokio::time::Instant::now() >= until {
            let answer = Commands { commands };
            return Ok((200, serde_json::to_string(&answer).unwrap_or_default()));
        }
        let _ = tokio::time::timeout_at(until.min(tokio::time::Instant::now() + LOOK_EVERY), woken)
            .await;
    }
}

async fn pending(
    pool: &Pool,
    data: &DataKey,
    facility: &str,
    after: i64,
) -> Result<Vec<Command>, DbError> {
    let client = pool.get().await?;
    let rows = client
        .query(
            "SELECT id, encounter, action, sealed, by_account, role, issued_at, signature
             FROM commands WHERE facility = $1 AND id > $2 ORDER BY id LIMIT $3",
            &[&facility, &after, &MAX_COMMANDS],
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id: i64 = r.get(0);
        let sealed: Option<Vec<u8>> = r.get(3);
        let Some(action) = sealed
            .and_then(|s| data.open_command(facility, id, &s))
            .and_then(|j| serde_json::from_str::<Action>(&j).ok())
        else {
            // Altered in the database, or sealed under another data key:
            // not sent, and said.
            tracing::error!(
                facility,
                id,
                "command {id} does not open with the hub's data key; not sent"
            );
            client
                .execute(
                    "UPDATE commands SET outcome = 'refused: it does not open with the hub''s data key (altered in the database?)' WHERE id = $1 AND outcome IS NULL",
                    &[&id],
                )
                .await?;
            continue;
        };
        let role: Option<String> = r.get(5);
        out.push(Command {
            format: crate::domain::shipping::command::COMMAND_FORMAT.into(),
            id,
            facility: facility.into(),
            encounter: r.get(1),
            action,
            by: r.get(4),
            role: role.and_then(|t| serde_json::from_value(serde_json::Value::String(t)).ok()),
            issued_at: r.get(6),
            signature: r.get(7),
        });
    }
    Ok(out)
}

/// The commands issued to `facility` (every facility when `None`), newest
/// first, up to `limit`.
pub async fn list(pool: &Pool, facility: Option<&str>, limit: i64) -> Result<Vec<Issued>, DbError> {
    let client = pool.get().await?;
    let rows = client
        .query(
            "SELECT id, facility, encounter, action, by_account, issued_at,
                    to_char(delivered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), outcome
             FROM commands WHERE $1::text IS NULL OR facility = $1 ORDER BY id DESC LIMIT $2",
            &[&facility, &limit],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Issued {
            id: r.get(0),
            facility: r.get(1),
            encounter: r.get(2),
            action: r.get(3),
            by: r.get(4),
            issued_at: r.get(5),
            delivered_at: r.get(6),
            outcome: r.get(7),
        })
        .collect())
}
