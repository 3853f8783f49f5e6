//! The dispatcher: sends what is due in the outbox, retries with capped
//! exponential backoff and jitter, falls back to a contact's next channel,
//! and pages the next tier when a tier's deadline passes unacknowledged.
//!
//! Each page is its own task with a deadline for its channel, so a relay
//! that never answers or a modem that is silent delays nothing but its own
//! page. The dispatcher wakes at once when this process's record writer
//! commits (an encounter opened at the kiosk is paged within milliseconds),
//! and polls for what other processes (the CLI) recorded. Text-message
//! replies are read on their own loop (`replies`). Reads go to the record's read pool
//! and writes to its writer, so no SQLite work runs on the async workers.
//!
//! Every due time lives in the database, so a restarted dispatcher resumes
//! where it stopped. Delivery is at least once: a crash between a delivery
//! and its journal entry sends that page again, with the same idempotency
//! key, so receivers can drop the repeat. Escalation and fallback re-check,
//! inside the write transaction that acts, that nobody acknowledged first.

use super::ack_link::{issue, link_id, AckKey, Claim};
use super::delivery::deliver;
use super::plan::{self, PlannedPage};
use super::Notifier;
use crate::config::{Channel, Loaded};
use crate::domain::clock::Clock;
use crate::store::events::{AlertFailed, EventKind};
use crate::store::keys::KeyError;
use crate::store::outbox::{self, DueFallback, DuePage};
use crate::store::{timestamp, Reader, Record, StoreError};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinSet;

pub use crate::store::outbox::DueEscalation as Escalation;

/// Attempts on one channel before falling back to the contact's next one.
pub const ATTEMPTS_PER_CHANNEL: u32 = 3;
/// The first retry waits about this long; each further one twice as long.
pub const BACKOFF_BASE: Duration = Duration::from_secs(2);
/// No retry waits longer than this.
pub const BACKOFF_CAP: Duration = Duration::from_secs(60);
/// Pages started per round at most (the rest follow on the next round).
const BATCH: u32 = 100;
/// At shutdown, pages in flight get this long to finish and be journaled.
pub const DRAIN: Duration = Duration::from_secs(3);

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

/// What the dispatcher and its page tasks share.
pub(super) struct Shared<N, C> {
    pub(super) loaded: Arc<Loaded>,
    pub(super) record: Record,
    pub(super) notifier: N,
    pub(super) clock: C,
    pub(super) ack: AckKey,
    /// Pages this process started, so a round does not start one twice.
    in_flight: Mutex<HashMap<String, Sending>>,
    /// Reads of due pages begun so far; see [`Sending::Done`].
    reads: AtomicU64,
    /// The outbox's last queued seq as of the last look.
    seen: AtomicI64,
    /// Wrong `ACK` codes per contact.
    guesses: Mutex<super::replies::Guesses>,
}

/// A page this process started.
enum Sending {
    /// Still being sent (journaled as interrupted if the service stops).
    Now(Box<DuePage>),
    /// Sent or failed, and journaled, when `reads` stood at `at_read`. A
    /// read begun no later than that may have seen the page still due from
    /// a snapshot older than its journal entry: it must not start it again.
    Done { at_read: u64 },
}

/// Sends the outbox of one data folder.
pub struct Dispatcher<N, C> {
    shared: Arc<Shared<N, C>>,
}

impl<N, C> Dispatcher<N, C>
where
    N: Notifier + Send + Sync + 'static,
    C: Clock + Send + Sync + 'static,
{
    /// A dispatcher for `record`'s data folder (whose link key it loads).
    pub fn new(
        loaded: impl Into<Arc<Loaded>>,
        record: Record,
        notifier: N,
        clock: C,
    ) -> Result<Self, KeyError> {
        let ack = AckKey::open(record.data_dir())?;
        Ok(Dispatcher {
            shared: Arc::new(Shared {
                loaded: loaded.into(),
                record,
                notifier,
                clock,
                ack,
                in_flight: Mutex::new(HashMap::new()),
                reads: AtomicU64::new(0),
                seen: AtomicI64::new(0),
                guesses: Mutex::new(Default::default()),
            }),
        })
    }

    /// Run until `shutdown` resolves: a round at once after each commit of
    /// this process, and every `poll`. At shutdown, pages in flight get
    /// [`DRAIN`] to finish; any still unanswered are journaled as
    /// interrupted and sent again at the next start.
    pub async fn run(self, poll: Duration, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut committed = self.shared.record.committed();
        let mut tasks = JoinSet::new();
        let (stop_replies, replies_stopped) = tokio::sync::watch::channel(false);
        let replies = self.shared.notifier.takes_replies().then(|| {
            let shared = self.shared.clone();
            tokio::spawn(super::replies::run(shared, replies_stopped))
        });
        // A full round every `poll` (escalations, fallbacks, retries, what
        // other processes queued), whatever else happens; in between, each
        // commit of this process starts the pages it queued at once.
        let mut every = tokio::time::interval(poll);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut full = true;
        loop {
            let done = if full {
                round(&self.shared, &mut tasks).await
            } else {
                fresh(&self.shared, &mut tasks).await.map(|()| (0, 0))
            };
            match done {
                Ok((escalated, fallbacks)) if escalated + fallbacks > 0 => {
                    tracing::info!(escalated, fallbacks, "alerts")
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "alert dispatch failed; retrying"),
            }
            loop {
                tokio::select! {
                    _ = every.tick() => {
                        full = true;
                        break;
                    }
                    changed = committed.changed() => {
                        if changed.is_err() {
                            // The writer is gone; polling still finds other
                            // processes' pages.
                            committed = tokio::sync::watch::channel(0).1;
                        }
                        full = false;
                        break;
                    }
                    Some(done) = tasks.join_next(), if !tasks.is_empty() => log_page(done),
                    _ = &mut shutdown => {
                        return self.stop(tasks, stop_replies, replies).await;
                    }
                }
            }
        }
    }

    async fn stop(
        self,
        mut tasks: JoinSet<Result<bool, StoreError>>,
        stop_replies: tokio::sync::watch::Sender<bool>,
        replies: Option<tokio::task::JoinHandle<()>>,
    ) {
        let _ = stop_replies.send(true);
        let drained = tokio::time::timeout(DRAIN, async {
            while let Some(done) = tasks.join_next().await {
                log_page(done);
            }
        })
        .await;
        if drained.is_err() {
            tasks.abort_all();
            interrupted(&self.shared).await;
        }
        if let Some(r) = replies {
            let _ = r.await;
        }
    }

    /// One round, waiting for every page it started: read text-message
    /// replies, escalate, fall back, send what is due.
    pub async fn tick(&mut self) -> Result<Tick, StoreError> {
        let acknowledged = super::replies::read(&self.shared).await?;
        let mut tasks = JoinSet::new();
        let (escalated, fallbacks) = round(&self.shared, &mut tasks).await?;
        let mut tick = Tick {
            acknowledged,
            escalated,
            fallbacks,
            ..Tick::default()
        };
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok(Ok(true)) => tick.sent += 1,
                Ok(Ok(false)) => tick.failed += 1,
                Ok(Err(e)) => return Err(e),
                Err(e) => std::panic::resume_unwind(e.into_panic()),
            }
        }
        Ok(tick)
    }

    /// The encounters whose tier deadline has passed unacknowledged, as the
    /// read pool sees them now (the first half of escalating).
    pub async fn due_escalations(&self) -> Result<Vec<Escalation>, StoreError> {
        let now = timestamp(self.shared.clock.now());
        self.shared
            .read(move |r| outbox::due_escalations(r.conn(), &now))
            .await
    }

    /// Page the tier after `e`'s, unless, inside the write transaction that
    /// would do it, someone acknowledged, the encounter closed, or the tier
    /// moved on. Returns whether it paged.
    pub async fn escalate(&self, e: &Escalation) -> Result<bool, StoreError> {
        escalate(&self.shared, e.clone()).await
    }
}

/// Log the end of a page task that `run` does not wait for.
fn log_page(done: Result<Result<bool, StoreError>, tokio::task::JoinError>) {
    match done {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            tracing::error!(error = %e, "a page's outcome could not be journaled; it is sent again")
        }
        Err(e) if e.is_cancelled() => {}
        Err(e) => tracing::error!(error = %e, "a page task failed"),
    }
}

impl<N: Notifier, C: Clock> Shared<N, C> {
    /// The wrong-code counts.
    pub(super) fn guesses(&self) -> std::sync::MutexGuard<'_, super::replies::Guesses> {
        self.guesses.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A read on the pool, off the async workers.
    pub(super) async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Reader<'_>) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.record
            .read_async(move |r| f(r).map_err(|e| r.err(e)))
            .await?
    }

    /// The acknowledge link for a page, when `[admin] public_url` is set.
    pub(super) fn ack_url(&self, due: &DuePage, now: DateTime<Utc>) -> Option<String> {
        let base = self.loaded.config.admin.public_url.as_deref()?;
        let claim = Claim {
            encounter: due.encounter.clone(),
            contact: due.contact.clone(),
            expires: now
                + chrono::Duration::seconds(self.loaded.config.alerts.ack_link_ttl_s as i64),
            link: link_id(&due.key),
            // A webhook posts into a chat channel, where anyone may press it.
            shared: due.channel == Channel::Webhook,
        };
        Some(format!("{base}/ack/{}", issue(&self.ack, &claim)))
    }

    /// The page on `contact`'s channel after `current`, if any.
    pub(super) fn next_page(
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
}

/// Escalate, fall back, and start a task for every page due now. Returns
/// how many encounters escalated and how many fallbacks were queued.
async fn round<N, C>(
    shared: &Arc<Shared<N, C>>,
    tasks: &mut JoinSet<Result<bool, StoreError>>,
) -> Result<(usize, usize), StoreError>
where
    N: Notifier + Send + Sync + 'static,
    C: Clock + Send + Sync + 'static,
{
    let now = timestamp(shared.clock.now());
    let (due, fallbacks) = {
        let now = now.clone();
        shared
            .read(move |r| {
                Ok((
                    outbox::due_escalations(r.conn(), &now)?,
                    outbox::due_fallbacks(r.conn(), &now)?,
                ))
            })
            .await?
    };
    let mut escalated = 0;
    for e in due {
        escalated += usize::from(escalate(shared, e).await?);
    }
    let mut fell_back = 0;
    for f in fallbacks {
        fell_back += usize::from(fall_back(shared, f).await?);
    }
    // Pages still in flight are due rows too (their outcome is not
    // journaled yet): read past them, or a hundred pages hanging on a dead
    // relay would hide every newer page from the rounds.
    let sending: std::collections::HashSet<String> = shared
        .in_flight
        .lock()
        .map(|f| {
            f.iter()
                .filter(|(_, s)| matches!(s, Sending::Now(_)))
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default();
    let epoch = shared.reads.fetch_add(1, Ordering::SeqCst) + 1;
    let pages = shared
        .read(move |r| outbox::due_pages(r.conn(), &now, BATCH, |k| sending.contains(k)))
        .await?;
    start(shared, tasks, pages, epoch);
    // Pages queued since the last look (by another process, or crowded out
    // of the list above by retries that are due) go out now too.
    fresh(shared, tasks).await?;
    Ok((escalated, fell_back))
}

/// The pages queued since the last look and never tried: right after a
/// commit of this process, without reading what is in flight or due for a
/// retry (the full rounds do), so a crowd of pages hanging on a dead relay
/// never delays a new one.
async fn fresh<N, C>(
    shared: &Arc<Shared<N, C>>,
    tasks: &mut JoinSet<Result<bool, StoreError>>,
) -> Result<(), StoreError>
where
    N: Notifier + Send + Sync + 'static,
    C: Clock + Send + Sync + 'static,
{
    let now = timestamp(shared.clock.now());
    let after = shared.seen.load(Ordering::Relaxed);
    let epoch = shared.reads.fetch_add(1, Ordering::SeqCst) + 1;
    let (pages, last) = shared
        .read(move |r| {
            // One snapshot for both: a page committed between them would
            // otherwise be counted as looked at and never started.
            let tx = r.conn().unchecked_transaction()?;
            Ok((
                outbox::new_after(&tx, after, &now, BATCH)?,
                outbox::last_queued(&tx)?,
            ))
        })
        .await?;
    // Everything up to `last` was looked at (or is in a later batch, which
    // the full round finds).
    let looked = if pages.len() as u32 == BATCH {
        pages.iter().map(|p| p.seq).max().unwrap_or(after)
    } else {
        last
    };
    shared.seen.fetch_max(looked, Ordering::Relaxed);
    start(shared, tasks, pages, epoch);
    Ok(())
}

/// A task for each page not already being sent, from a read that began
/// as read number `epoch`. Reads and starts come from one loop (`run` or
/// `tick`), one at a time.
fn start<N, C>(
    shared: &Arc<Shared<N, C>>,
    tasks: &mut JoinSet<Result<bool, StoreError>>,
    pages: Vec<DuePage>,
    epoch: u64,
) where
    N: Notifier + Send + Sync + 'static,
    C: Clock + Send + Sync + 'static,
{
    let Ok(mut sending) = shared.in_flight.lock() else {
        return;
    };
    for page in pages {
        let fresh = match sending.get(&page.key) {
            Some(Sending::Now(_)) => false,
            // Finished after this read began: the read may predate its
            // journal entry.
            Some(Sending::Done { at_read }) => *at_read < epoch,
            None => true,
        };
        if !fresh {
            continue;
        }
        sending.insert(page.key.clone(), Sending::Now(Box::new(page.clone())));
        let shared = shared.clone();
        tasks.spawn(async move {
            let key = page.key.clone();
            let result = deliver(&shared, page).await;
            // Loaded after the outcome's commit: a read that begins later
            // sees it.
            let at_read = shared.reads.load(Ordering::SeqCst);
            if let Ok(mut f) = shared.in_flight.lock() {
                f.insert(key, Sending::Done { at_read });
            }
            result
        });
    }
    // Reads from now on begin after every finished page's entry.
    sending.retain(|_, s| match s {
        Sending::Now(_) => true,
        Sending::Done { at_read } => *at_read >= epoch,
    });
}

async fn escalate<N: Notifier, C: Clock>(
    shared: &Shared<N, C>,
    e: outbox::DueEscalation,
) -> Result<bool, StoreError> {
    let now = shared.clock.now();
    let loaded = shared.loaded.clone();
    shared
        .record
        .write_async(now, move |w| {
            if !outbox::escalation_still_due(w.conn(), &e, &timestamp(now))
                .map_err(|err| w.err(err))?
            {
                return Ok(false);
            }
            plan::page_tier(w, &loaded, &e.encounter, e.tier as usize + 1, e.drill, now)?;
            Ok(true)
        })
        .await
}

async fn fall_back<N: Notifier, C: Clock>(
    shared: &Shared<N, C>,
    f: DueFallback,
) -> Result<bool, StoreError> {
    let Some(next) = shared.next_page(&f.encounter, f.tier, &f.contact, f.channel) else {
        return Ok(false);
    };
    let now = shared.clock.now();
    shared
        .record
        .write_async(now, move |w| {
            if !outbox::fallback_still_due(w.conn(), &f.key, &timestamp(now))
                .map_err(|e| w.err(e))?
            {
                return Ok(false);
            }
            plan::queue(w, &f.encounter, f.tier, &next, Some(&f.key), now)
        })
        .await
}

/// Journal the pages still in flight when the service stopped: each is due
/// again at once, so the next start sends it.
async fn interrupted<N: Notifier, C: Clock>(shared: &Shared<N, C>) {
    let pages: Vec<DuePage> = shared
        .in_flight
        .lock()
        .map(|mut f| {
            f.drain()
                .filter_map(|(_, s)| match s {
                    Sending::Now(p) => Some(*p),
                    Sending::Done { .. } => None,
                })
                .collect()
        })
        .unwrap_or_default();
    if pages.is_empty() {
        return;
    }
    tracing::warn!(
        pages = pages.len(),
        "the service is stopping with pages still being sent; they are sent again at the next start"
    );
    let now = shared.clock.now();
    let result = shared
        .record
        .write_async(now, move |w| -> Result<(), StoreError> {
            for p in pages {
                w.append(
                    EventKind::AlertFailed,
                    &p.encounter,
                    &AlertFailed {
                        key: p.key.clone(),
                        attempt: p.attempts + 1,
                        error: "the service stopped before the receiver answered; sent again when it starts".into(),
                        retry_at: Some(timestamp(now)),
                    },
                )?;
            }
            Ok(())
        })
        .await;
    if let Err(e) = result {
        tracing::error!(error = %e, "could not journal the interrupted pages; they are sent again at the next start");
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
