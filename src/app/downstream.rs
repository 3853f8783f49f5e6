//! Downstream from the city hub: the kiosk long-polls the hub for its
//! facility's commands (counsel's acknowledgement, instruction, note or
//! checklist answer, sent from the hub), checks each is signed with the hub key in `[hub]` and meant
//! for this facility, and applies it through the desk like any other
//! acknowledgement or instruction: journaled as from the hub (`via: hub`)
//! with the account that sent it. Each command is applied once: the note
//! that it was taken is written in the transaction that applies it. How
//! each went goes back to the hub with the next poll.

use super::writes::{check_by, checklist_in, non_empty, text_in, TextKind};
use super::{AppError, Desk};
use crate::domain::clock::Clock;
use crate::domain::encounter::Via;
use crate::domain::shipping::command::{Action, Command, Commands, Poll, MAX_WAIT_MS};
use crate::store::{entries, shipped};
use std::time::Duration;
use tokio::sync::watch;

/// The longest wait between polls while the hub cannot be reached.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// How long a refused poll (not enrolled yet, a clock far off) waits.
const AFTER_REFUSAL: Duration = Duration::from_secs(60);

impl<C: Clock> Desk<C> {
    /// Apply hub command `c` (already checked as the hub's, for this
    /// facility) once; returns how it went: `applied`, `applied already`,
    /// or `refused: …` with the reason in words.
    pub async fn apply_command(&self, c: &Command) -> Result<String, AppError> {
        let (id, encounter) = (c.id, c.encounter.clone());
        let taken = self
            .record
            .read_async(move |r| shipped::command_taken(r.conn(), id))
            .await??;
        if taken {
            return Ok("applied already".into());
        }
        let done = self.apply(c).await;
        let outcome = match done {
            Ok(true) => return Ok("applied".into()),
            Ok(false) => return Ok("applied already".into()),
            Err(AppError::Store(e)) => return Err(AppError::Store(e)),
            Err(e) => format!("refused: {e}"),
        };
        tracing::warn!(command = id, encounter = %encounter, "a command from the city hub was not applied: {outcome}");
        let noted = outcome.clone();
        self.record
            .with_store_async(move |s| {
                shipped::note_command(s.conn(), id, &encounter, &noted).map_err(|e| s.err(e))
            })
            .await??;
        Ok(outcome)
    }

    /// Apply `c` in one transaction with the note that it was taken;
    /// `false` when another poll took it first.
    async fn apply(&self, c: &Command) -> Result<bool, AppError> {
        let by = check_by(&c.by)?.to_string();
        let text = |kind: TextKind, t: &str| -> Result<String, AppError> {
            let t = non_empty(kind.field(), crate::msg_id!("the text"), t)?;
            crate::domain::encounter::check_text(kind.field(), t)?;
            Ok(t.to_string())
        };
        let action = match &c.action {
            Action::Instruct { text: t } => Action::Instruct {
                text: text(TextKind::CounselInstruction, t)?,
            },
            Action::Note { text: t } => Action::Note {
                text: text(TextKind::Note, t)?,
            },
            Action::Checklist { item, .. } => {
                self.checklist_item(item)?;
                c.action.clone()
            }
            Action::Acknowledge => Action::Acknowledge,
        };
        let (id, encounter, role) = (c.id, c.encounter.clone(), c.role);
        let hub = Some(Via::Hub);
        self.record
            .write_async(self.clock.now(), move |w| {
                if shipped::command_taken(w.conn(), id).map_err(|e| w.err(e))? {
                    return Ok(false);
                }
                match &action {
                    Action::Acknowledge => {
                        entries::acknowledge(w, &encounter, &by, role, Via::Hub, None)?
                    }
                    Action::Instruct { text } => {
                        let kind = TextKind::CounselInstruction;
                        text_in(w, &encounter, kind, text, &by, None, hub)?
                    }
                    Action::Note { text } => {
                        text_in(w, &encounter, TextKind::Note, text, &by, None, hub)?
                    }
                    Action::Checklist { item, answer } => {
                        checklist_in(w, &encounter, item, *answer, &by, hub)?
                    }
                }
                shipped::note_command(w.conn(), id, &encounter, "applied").map_err(|e| w.err(e))?;
                Ok::<_, AppError>(true)
            })
            .await
    }
}

/// The kiosk's side of downstream.
pub struct Downstream {
    desk: Desk,
    key: super::records::FacilityKey,
    hub_key: [u8; 32],
    client: reqwest::Client,
    url: url::Url,
}

impl Downstream {
    /// Downstream as `[hub]` describes it, or what to fix in it.
    pub fn new(desk: Desk) -> Result<Downstream, String> {
        let loaded = desk.loaded.clone();
        let h = loaded.config.hub.as_ref().ok_or("no [hub] section")?;
        let url = url::Url::parse(&h.url)
            .and_then(|u| u.join("v1/commands"))
            .map_err(|e| format!("[hub] url: {e}"))?;
        Ok(Downstream {
            key: super::records::FacilityKey::open(desk.record().data_dir())
                .map_err(|e| e.to_string())?,
            hub_key: loaded.hub_public_key()?,
            client: super::shipper::client(loaded.hub_ca_file().as_deref())?,
            url,
            desk,
        })
    }

    /// Poll and apply until `stop` turns true.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut backoff = Duration::ZERO;
        loop {
            let polled = tokio::select! {
                r = self.round(MAX_WAIT_MS) => r,
                _ = stop.wait_for(|s| *s) => return,
            };
            let wait = match polled {
                Ok(_) => {
                    backoff = Duration::ZERO;
                    continue;
                }
                Err(Failed::Refused(why)) => {
                    tracing::error!("the city hub refused this kiosk's poll for commands: {why}");
                    AFTER_REFUSAL
                }
                Err(Failed::Other(why)) => {
                    backoff = (backoff * 2).clamp(Duration::from_secs(1), MAX_BACKOFF);
                    tracing::debug!("no commands from the city hub this round: {why}");
                    backoff
                }
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    }

    /// One poll, held by the hub up to `wait_ms`; the commands it brought,
    /// applied. Returns how many.
    pub async fn round(&self, wait_ms: u64) -> Result<usize, Failed> {
        let record = self.desk.record().clone();
        let (after, applied) = record
            .read_async(|r| {
                Ok::<_, rusqlite::Error>((
                    shipped::commands_cursor(r.conn())?,
                    shipped::unreported(r.conn())?,
                ))
            })
            .await
            .map_err(|e| Failed::Other(e.to_string()))?
            .map_err(|e| Failed::Other(e.to_string()))?;
        let told = applied.iter().map(|a| a.id).max();
        let facility = record.facility().to_string();
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let poll = Poll::signed(&facility, after, applied, wait_ms, &now, |s| {
            self.key.sign(s)
        });
        let res = self
            .client
            .post(self.url.clone())
            .json(&poll)
            .timeout(Duration::from_millis(wait_ms) + Duration::from_secs(15))
            .send()
            .await
            .map_err(|e| Failed::Other(format!("cannot reach the hub: {e}")))?;
        let status = res.status();
        let text = res
            .text()
            .await
            .map_err(|e| Failed::Other(format!("the hub's answer broke off: {e}")))?;
        if status.is_client_error() {
            return Err(Failed::Refused(format!("HTTP {status}: {text}")));
        }
        let answer: Commands = serde_json::from_str(&text).map_err(|e| {
            let mut t = text.clone();
            crate::domain::shipping::clip(&mut t, 300);
            tracing::warn!("the city hub's answer to a poll for commands is not understood ({e}): HTTP {status}: {t}");
            Failed::Other(format!("the hub answered HTTP {status}: {t}"))
        })?;
        if let Some(upto) = told {
            record
                .with_store_async(move |s| shipped::reported(s.conn(), upto))
                .await
                .map_err(|e| Failed::Other(e.to_string()))?
                .map_err(|e| Failed::Other(e.to_string()))?;
        }
        let n = answer.commands.len();
        for c in answer.commands.iter().filter(|c| c.id > after) {
            let outcome =
                match c.check(&self.hub_key, &facility) {
                    Ok(()) => self.desk.apply_command(c).await.map_err(|e| {
                        Failed::Other(format!("cannot apply command {}: {e}", c.id))
                    })?,
                    Err(why) => {
                        tracing::error!(
                            command = c.id,
                            "a command that is not the city hub's was not applied: {why}"
                        );
                        let (id, encounter, noted) =
                            (c.id, c.encounter.clone(), format!("refused: {why}"));
                        record
                            .with_store_async(move |s| {
                                shipped::note_command(s.conn(), id, &encounter, &noted)
                            })
                            .await
                            .map_err(|e| Failed::Other(e.to_string()))?
                            .map_err(|e| Failed::Other(e.to_string()))?;
                        continue;
                    }
                };
            tracing::info!(command = c.id, encounter = %c.encounter, action = c.action.token(), by = %c.by, "command from the city hub: {outcome}");
        }
        Ok(n)
    }
}

/// Why a poll came to nothing.
#[derive(Debug)]
pub enum Failed {
    /// The hub said no (not enrolled, a clock far off): wait a minute.
    Refused(String),
    /// The hub or the network is down: try again soon.
    Other(String),
}
