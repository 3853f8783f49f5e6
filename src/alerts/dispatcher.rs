//! The dispatcher: sends what is due in the outbox, retries with capped
//! exponential backoff and jitter, falls back to a contact's next channel,
//! and pages the next tier when a tier's deadline passes unacknowledged.
//!
//! Every due time lives in the database, so a restarted dispatcher resumes
//! where it stopped, and pages queued by another process (the CLI on a staff
//! desktop) are picked up on the next tick. Delivery is at least once: a
//! crash between a delivery and its journal entry sends that page again,
//! with the same idempotency key, so receivers can drop the repeat.

use super::ack_link::{issue, link_id, sms_code, AckKey, Claim};
use super::message::{compose, AckWays, EncounterFacts};
use super::plan::{self, PlannedPage};
use super::{Notifier, Outgoing, SendError};
use crate::app::Clock;
use crate::config::{Channel, Loaded};
use crate::domain::language::Language;
use crate::store::events::{AlertFailed, AlertSent, EventKind};
use crate::store::keys::KeyError;
use crate::store::{timestamp, Store, StoreError};
use chrono::{DateTime, Utc};
use rand::Rng;
use rusqlite::OptionalExtension;
use std::time::Duration;

/// Attempts on one channel before falling back to the contact's next one.
pub const ATTEMPTS_PER_CHANNEL: u32 = 3;
/// The first retry waits about this long; each further one twice as long.
pub const BACKOFF_BASE: Duration = Duration::from_secs(2);
/// No retry waits longer than this.
pub const BACKOFF_CAP: Duration = Duration::from_secs(60);
/// Pages sent per tick at most (the rest follow on the next tick).
const BATCH: u32 = 100;

/// The wait before retry number `attempt` (1-based): exponential, capped,
/// with jitter so that many failed pages do not retry in step.
pub fn backoff(attempt: u32, jitter: f64) -> Duration {
    let exp = BACKOFF_BASE.saturating_mul(1 << attempt.saturating_sub(1).min(16));
    exp.min(BACKOFF_CAP)
        .mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
}

/// What one tick did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tick {
    /// Encounters acknowledged by SMS reply.
    pub acknowledged: usize,
    pub escalated: usize,
    pub fallbacks: usize,
    pub sent: usize,
    pub failed: usize,
}

struct Due {
    key: String,
    encounter: String,
    tier: u32,
    contact: String,
    channel: Channel,
    attempts: u32,
    fallback_after_s: Option<u32>,
}

/// Sends the outbox of one data folder.
pub struct Dispatcher<N: Notifier, C: Clock> {
    loaded: Loaded,
    store: Store,
    notifier: N,
    clock: C,
    ack: AckKey,
}

fn channel(token: &str) -> Channel {
    match token {
        "email" => Channel::Email,
        "sms" => Channel::Sms,
        _ => Channel::Webhook,
    }
}

impl<N: Notifier, C: Clock> Dispatcher<N, C> {
    /// A dispatcher for `store`'s data folder (whose link key it loads).
    pub fn new(loaded: Loaded, store: Store, notifier: N, clock: C) -> Result<Self, KeyError> {
        let ack = AckKey::open(store.data_dir())?;
        Ok(Dispatcher {
            loaded,
            store,
            notifier,
            clock,
            ack,
        })
    }

    /// The acknowledge link for a page, when `[admin] public_url` is set.
    fn ack_url(&self, due: &Due, now: DateTime<Utc>) -> Option<String> {
        let base = self.loaded.config.admin.public_url.as_deref()?;
        let claim = Claim {
            encounter: due.encounter.clone(),
            contact: due.contact.clone(),
            expires: now
                + chrono::Duration::seconds(self.loaded.config.alerts.ack_link_ttl_s as i64),
            link: link_id(&due.key),
        };
        Some(format!("{base}/ack/{}", issue(&self.ack, &claim)))
    }

    /// The store, for reads.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Run until `shutdown` resolves, ticking every `poll`.
    pub async fn run(mut self, poll: Duration, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            match self.tick().await {
                Ok(t) if t != Tick::default() => tracing::info!(
                    escalated = t.escalated,
                    fallbacks = t.fallbacks,
                    sent = t.sent,
                    failed = t.failed,
                    "alerts"
                ),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "alert dispatch failed; retrying"),
            }
            tokio::select! {
                _ = tokio::time::sleep(poll) => {}
                _ = &mut shutdown => break,
            }
        }
    }

    /// Escalate, fall back and send whatever is due now.
    pub async fn tick(&mut self) -> Result<Tick, StoreError> {
        let mut tick = Tick::default();
        let now = self.clock.now();
        tick.acknowledged = self.read_replies(now).await?;
        tick.escalated = self.escalate(now)?;
        tick.fallbacks = self.fall_back(now)?;
        for due in self.due(now)? {
            if self.send(due).await? {
                tick.sent += 1;
            } else {
                tick.failed += 1;
            }
        }
        Ok(tick)
    }

    /// Act on `ACK <code>` replies: the sender must be a configured contact
    /// and the code one of theirs for an open encounter; anything else
    /// acknowledges nothing.
    async fn read_replies(&mut self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        if !self.notifier.takes_replies() {
            return Ok(0);
        }
        let replies = match self.notifier.replies().await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "could not read text-message replies");
                return Ok(0);
            }
        };
        let mut n = 0;
        for reply in replies {
            let digits = |s: &str| {
                s.chars()
                    .filter(|c| c.is_ascii_digit() || *c == '+')
                    .collect::<String>()
            };
            let Some(contact) = self
                .loaded
                .config
                .contacts
                .iter()
                .find(|c| c.phone.as_deref().map(digits) == Some(digits(&reply.from)))
            else {
                tracing::warn!(
                    "a text message from a number that is not a configured contact was ignored"
                );
                continue;
            };
            let words: Vec<String> = reply
                .text
                .split_whitespace()
                .map(str::to_uppercase)
                .collect();
            let code = match words.as_slice() {
                [ack, code] if ack == "ACK" => code.clone(),
                _ => {
                    tracing::warn!(contact = %contact.name, "a text message that is not `ACK <code>` was ignored");
                    continue;
                }
            };
            let keys: Vec<(String, String)> = self
                .store
                .conn()
                .prepare_cached(
                    "SELECT o.key, o.encounter_id FROM outbox o JOIN encounters e ON e.id = o.encounter_id
                     WHERE o.contact = ?1 AND o.channel = 'sms' AND e.closed_at IS NULL",
                )
                .and_then(|mut s| s.query_map([&contact.name], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
                .map_err(|e| self.store.err(e))?;
            let Some((_, encounter)) = keys
                .iter()
                .find(|(key, _)| sms_code(&self.ack, key) == code)
            else {
                tracing::warn!(contact = %contact.name, "an `ACK` with a code that matches no open encounter was ignored");
                continue;
            };
            let (name, role) = (contact.name.clone(), contact.role);
            self.store.write(now, |w| {
                crate::app::acknowledge_in(
                    w,
                    encounter,
                    &name,
                    Some(role),
                    crate::domain::encounter::Via::Sms,
                    None,
                )
            })?;
            n += 1;
        }
        Ok(n)
    }

    fn escalate(&mut self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let due: Vec<(String, u32, bool)> = self
            .store
            .conn()
            .prepare_cached(
                "SELECT id, tier, drill FROM encounters
                 WHERE tier_deadline IS NOT NULL AND tier_deadline <= ?1
                   AND first_ack_at IS NULL AND closed_at IS NULL",
            )
            .and_then(|mut s| {
                s.query_map([timestamp(now)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .map_err(|e| self.store.err(e))?;
        let loaded = &self.loaded;
        for (id, tier, drill) in &due {
            self.store.write(now, |w| {
                plan::page_tier(w, loaded, id, *tier as usize + 1, *drill, now)
            })?;
        }
        Ok(due.len())
    }

    fn fall_back(&mut self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let due: Vec<(String, String, u32, String, String)> = self
            .store
            .conn()
            .prepare_cached(
                "SELECT o.key, o.encounter_id, o.tier, o.contact, o.channel
                 FROM outbox o JOIN encounters e ON e.id = o.encounter_id
                 WHERE o.fallback_at IS NOT NULL AND o.fallback_at <= ?1
                   AND e.first_ack_at IS NULL AND e.closed_at IS NULL",
            )
            .and_then(|mut s| {
                s.query_map([timestamp(now)], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })?
                .collect()
            })
            .map_err(|e| self.store.err(e))?;
        let mut n = 0;
        for (key, encounter, tier, contact, ch) in due {
            let Some(next) = self.next_page(&encounter, tier, &contact, channel(&ch)) else {
                continue;
            };
            let queued = self.store.write(now, |w| {
                plan::queue(w, &encounter, tier, &next, Some(&key), now)
            })?;
            n += usize::from(queued);
        }
        Ok(n)
    }

    fn next_page(
        &self,
        encounter: &str,
        tier: u32,
        contact: &str,
        current: Channel,
    ) -> Option<PlannedPage> {
        let c = self.loaded.contact(contact)?;
        let (next, fallback_after_s) =
            plan::next_channel(&self.loaded, contact, current, tier as usize)?;
        Some(PlannedPage {
            key: plan::page_key(encounter, tier, contact, next),
            contact: contact.to_string(),
            role: c.role,
            channel: next,
            fallback_after_s,
        })
    }

    fn due(&self, now: DateTime<Utc>) -> Result<Vec<Due>, StoreError> {
        self.store
            .conn()
            .prepare_cached(
                "SELECT key, encounter_id, tier, contact, channel, attempts, fallback_after_s FROM outbox
                 WHERE state IN ('pending', 'retry') AND due_at <= ?1 ORDER BY due_at, key LIMIT ?2",
            )
            .and_then(|mut s| {
                s.query_map(rusqlite::params![timestamp(now), BATCH], |r| {
                    Ok(Due {
                        key: r.get(0)?,
                        encounter: r.get(1)?,
                        tier: r.get(2)?,
                        contact: r.get(3)?,
                        channel: channel(&r.get::<_, String>(4)?),
                        attempts: r.get(5)?,
                        fallback_after_s: r.get(6)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.store.err(e))
    }

    /// The encounter as a page describes it, and whether it is settled
    /// (acknowledged or closed).
    fn facts(&self, id: &str) -> Result<Option<(EncounterFacts, bool)>, StoreError> {
        self.store
            .conn()
            .query_row(
                "SELECT opened_at, entrance, drill, exigent, document_kind, area, area_public, officers,
                        first_ack_at IS NOT NULL OR closed_at IS NOT NULL
                 FROM encounters WHERE id = ?1",
                [id],
                |r| {
                    let kind: Option<String> = r.get(4)?;
                    Ok((
                        EncounterFacts {
                            id: id.to_string(),
                            opened_at: r.get(0)?,
                            entrance: r.get(1)?,
                            drill: r.get(2)?,
                            exigent: r.get(3)?,
                            document_kind: kind.and_then(|k| k.parse().ok()),
                            area: r.get(5)?,
                            area_public: r.get(6)?,
                            officers: r.get(7)?,
                        },
                        r.get(8)?,
                    ))
                },
            )
            .optional()
            .map_err(|e| self.store.err(e))
    }

    /// The page images to attach: e-mail only, and only when configured.
    fn attachments(&self, due: &Due) -> Result<Vec<super::PageAttachment>, StoreError> {
        let attach = self
            .loaded
            .config
            .alerts
            .smtp
            .as_ref()
            .is_some_and(|s| s.attach_pages);
        if due.channel != Channel::Email || !attach {
            return Ok(Vec::new());
        }
        let pages: Vec<(String, u32, String)> = self
            .store
            .conn()
            .prepare_cached("SELECT id, number, media FROM pages WHERE encounter_id = ?1 AND purged = 0 ORDER BY number")
            .and_then(|mut s| s.query_map([&due.encounter], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect())
            .map_err(|e| self.store.err(e))?;
        pages
            .into_iter()
            .map(|(id, number, media)| {
                Ok(super::PageAttachment {
                    number,
                    media,
                    bytes: self.store.pages().read(&id)?,
                })
            })
            .collect()
    }

    /// Send one page and journal the outcome. Returns whether it was delivered.
    async fn send(&mut self, due: Due) -> Result<bool, StoreError> {
        let attempt = due.attempts + 1;
        let contact = self.loaded.contact(&due.contact).cloned();
        let facts = self.facts(&due.encounter)?;
        let result = match (&contact, &facts) {
            (Some(contact), Some((facts, _))) => {
                let lang = contact.language.unwrap_or(Language::English);
                let url = self.ack_url(&due, self.clock.now());
                let code = (due.channel == Channel::Sms && self.notifier.takes_replies())
                    .then(|| sms_code(&self.ack, &due.key));
                let ways = AckWays {
                    url: url.as_deref(),
                    sms_code: code.as_deref(),
                };
                let page = Outgoing {
                    key: due.key.clone(),
                    test: false,
                    tier: due.tier,
                    facility: self.loaded.config.facility.name.clone(),
                    contact: contact.clone(),
                    channel: due.channel,
                    message: compose(&self.loaded, facts, due.tier, lang, ways),
                    facts: facts.clone(),
                    attachments: self.attachments(&due)?,
                };
                self.notifier.send(&page).await
            }
            (None, _) => Err(SendError::ContactGone),
            // The outbox row was projected from an encounter entry, so the
            // encounter exists unless the database was edited by hand.
            (_, None) => Err(SendError::EncounterGone),
        };
        let now = self.clock.now();
        match result {
            Ok(detail) => {
                let fallback_at = due
                    .fallback_after_s
                    .map(|s| timestamp(now + chrono::Duration::seconds(s as i64)));
                self.store.write(now, |w| {
                    w.append(
                        EventKind::AlertSent,
                        &due.encounter,
                        &AlertSent {
                            key: due.key.clone(),
                            attempt,
                            detail,
                            fallback_at,
                        },
                    )
                })?;
                Ok(true)
            }
            Err(error) => {
                let settled = facts.as_ref().is_some_and(|(_, s)| *s);
                let next = self.next_page(&due.encounter, due.tier, &due.contact, due.channel);
                // Retry this channel a few times; then fall back to the next
                // one. The last channel keeps retrying (capped) until someone
                // acknowledges: a page is never dropped while nobody answers.
                let retry = error.transient()
                    && (attempt < ATTEMPTS_PER_CHANNEL || (next.is_none() && !settled));
                let retry_at = retry.then(|| {
                    let wait = backoff(attempt, rand::thread_rng().gen::<f64>());
                    timestamp(now + chrono::Duration::from_std(wait).unwrap_or_default())
                });
                self.store.write(now, |w| -> Result<(), StoreError> {
                    w.append(
                        EventKind::AlertFailed,
                        &due.encounter,
                        &AlertFailed {
                            key: due.key.clone(),
                            attempt,
                            error: error.to_string(),
                            retry_at: retry_at.clone(),
                        },
                    )?;
                    if retry_at.is_none() && !settled {
                        if let Some(next) = &next {
                            plan::queue(w, &due.encounter, due.tier, next, Some(&due.key), now)?;
                        }
                    }
                    Ok(())
                })?;
                Ok(false)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_caps_and_jitters() {
        assert_eq!(backoff(1, 1.0), Duration::from_secs(2));
        assert_eq!(backoff(2, 1.0), Duration::from_secs(4));
        assert_eq!(backoff(3, 1.0), Duration::from_secs(8));
        assert_eq!(backoff(10, 1.0), BACKOFF_CAP);
        assert_eq!(backoff(40, 1.0), BACKOFF_CAP);
        assert_eq!(backoff(1, 0.0), Duration::from_secs(1));
        assert!(backoff(3, 0.3) < backoff(3, 0.9));
    }
}
