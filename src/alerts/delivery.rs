//! Delivering one page: its message composed in the contact's language,
//! sent within its channel's deadline, and the outcome journaled (with the
//! retry, or the contact's next channel, when it failed).

use super::ack_link::sms_code;
use super::dispatcher::{backoff, Shared, ATTEMPTS_PER_CHANNEL};
use super::message::{compose, AckWays, EncounterFacts};
use super::plan;
use super::{Notifier, Outgoing, SendError};
use crate::config::Channel;
use crate::domain::clock::Clock;
use crate::domain::language::Language;
use crate::store::events::{AlertFailed, AlertSent, EventKind};
use crate::store::outbox::{self, DuePage, PageFacts};
use crate::store::{timestamp, StoreError};
use rand::Rng;

fn facts_of(f: &PageFacts) -> EncounterFacts {
    EncounterFacts {
        id: f.id.clone(),
        opened_at: f.opened_at.clone(),
        entrance: f.entrance.clone(),
        drill: f.drill,
        exigent: f.exigent,
        document_kind: f.document_kind,
        area: f.area.clone(),
        area_public: f.area_public,
        officers: f.officers,
        record: f.record.as_ref().map(|a| a.to_string()),
    }
}

/// The page images to attach: e-mail only, and only when configured.
async fn attachments<N: Notifier, C: Clock>(
    shared: &Shared<N, C>,
    due: &DuePage,
) -> Result<Vec<super::PageAttachment>, StoreError> {
    let attach = shared
        .loaded
        .config
        .alerts
        .smtp
        .as_ref()
        .is_some_and(|s| s.attach_pages);
    if due.channel != Channel::Email || !attach {
        return Ok(Vec::new());
    }
    let id = due.encounter.clone();
    shared
        .record
        .read_async(move |r| {
            let files = outbox::page_files(r.conn(), &id).map_err(|e| r.err(e))?;
            files
                .into_iter()
                .map(|(page, number, media)| {
                    Ok(super::PageAttachment {
                        number,
                        media,
                        bytes: r.pages().read(&page)?,
                    })
                })
                .collect()
        })
        .await?
}

/// Send one page within its channel's deadline and journal the outcome.
/// Returns whether it was delivered.
pub(super) async fn deliver<N: Notifier, C: Clock>(
    shared: &Shared<N, C>,
    due: DuePage,
) -> Result<bool, StoreError> {
    let attempt = due.attempts + 1;
    let contact = shared.loaded.contact(&due.contact).cloned();
    let facts = due.facts.clone();
    let result = match (&contact, &facts) {
        (Some(contact), Some(facts)) => {
            let lang = contact.language.unwrap_or(Language::English);
            let url = shared.ack_url(&due, shared.clock.now());
            let code = (due.channel == Channel::Sms && shared.notifier.takes_replies())
                .then(|| sms_code(&shared.ack, &due.key));
            let ways = AckWays {
                url: url.as_deref(),
                sms_code: code.as_deref(),
            };
            let facts = facts_of(facts);
            let page = Outgoing {
                key: due.key.clone(),
                test: false,
                tier: due.tier,
                facility: shared.loaded.config.facility.name.clone(),
                contact: contact.clone(),
                channel: due.channel,
                message: compose(&shared.loaded, &facts, due.tier, lang, ways),
                facts,
                attachments: attachments(shared, &due).await?,
            };
            let deadline = shared.notifier.deadline(due.channel);
            tokio::time::timeout(deadline, shared.notifier.send(&page))
                .await
                .unwrap_or(Err(SendError::Timeout {
                    channel: due.channel.token(),
                    after_s: deadline.as_secs(),
                }))
        }
        (None, _) => Err(SendError::ContactGone),
        // The outbox row was projected from an encounter entry, so the
        // encounter exists unless the database was edited by hand.
        (_, None) => Err(SendError::EncounterGone),
    };
    let now = shared.clock.now();
    match result {
        Ok(detail) => {
            let fallback_at = due
                .fallback_after_s
                .map(|s| timestamp(now + chrono::Duration::seconds(s as i64)));
            shared
                .record
                .write_async(now, move |w| {
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
                })
                .await?;
            Ok(true)
        }
        Err(error) => {
            let next = shared.next_page(&due.encounter, due.tier, &due.contact, due.channel);
            let text = error.to_string();
            let (transient, recoverable) = (error.transient(), error.recoverable());
            let jitter = rand::thread_rng().gen::<f64>();
            shared
                .record
                .write_async(now, move |w| -> Result<(), StoreError> {
                    // Whether someone answered meanwhile, as this
                    // transaction sees it.
                    let settled =
                        outbox::settled(w.conn(), &due.encounter).map_err(|e| w.err(e))?;
                    // Retry this channel a few times; then fall back to the
                    // next one. The last channel keeps retrying (capped)
                    // until someone acknowledges: a page is never dropped
                    // while nobody answers, and a channel that cannot be
                    // set up yet (a secret file missing) is tried again.
                    let retry = match &next {
                        Some(_) => transient && attempt < ATTEMPTS_PER_CHANNEL,
                        None => {
                            (transient && attempt < ATTEMPTS_PER_CHANNEL)
                                || ((transient || recoverable) && !settled)
                        }
                    };
                    let retry_at = retry.then(|| {
                        let wait = backoff(attempt, jitter);
                        timestamp(now + chrono::Duration::from_std(wait).unwrap_or_default())
                    });
                    w.append(
                        EventKind::AlertFailed,
                        &due.encounter,
                        &AlertFailed {
                            key: due.key.clone(),
                            attempt,
                            error: text,
                            retry_at: retry_at.clone(),
                        },
                    )?;
                    if retry_at.is_none() && !settled {
                        if let Some(next) = &next {
                            plan::queue(w, &due.encounter, due.tier, next, Some(&due.key), now)?;
                        }
                    }
                    Ok(())
                })
                .await?;
            Ok(false)
        }
    }
}
