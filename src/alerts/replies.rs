//! `ACK <code>` text-message replies, read on their own loop so a slow or
//! silent modem never holds up a round of the dispatcher.

use super::ack_link::sms_code;
use super::dispatcher::Shared;
use super::Notifier;
use crate::domain::clock::Clock;
use crate::domain::encounter::Via;
use crate::store::entries::{self, EntryRefused};
use crate::store::outbox;
use crate::store::StoreError;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;

/// How often text-message replies are read.
pub const REPLIES_EVERY: Duration = Duration::from_secs(2);
/// Wrong codes a contact's phone may send in [`GUESS_WINDOW`]; beyond them
/// its `ACK` replies are ignored until the window moves on (a code has a
/// million values: a stolen or spoofed number must not get to try them).
pub const WRONG_CODES: usize = 5;
/// The window wrong codes are counted over.
pub const GUESS_WINDOW: Duration = Duration::from_secs(3600);

/// Wrong codes per contact (in memory).
#[derive(Default)]
pub(super) struct Guesses(HashMap<String, VecDeque<Instant>>);

impl Guesses {
    fn recent(&mut self, contact: &str, now: Instant) -> &mut VecDeque<Instant> {
        let q = self.0.entry(contact.to_string()).or_default();
        while q
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) > GUESS_WINDOW)
        {
            q.pop_front();
        }
        q
    }

    /// Whether `contact`'s replies are ignored now.
    fn locked(&mut self, contact: &str, now: Instant) -> bool {
        self.recent(contact, now).len() >= WRONG_CODES
    }

    /// Count a wrong code; whether that locks the contact's replies.
    fn wrong(&mut self, contact: &str, now: Instant) -> bool {
        let q = self.recent(contact, now);
        q.push_back(now);
        q.len() == WRONG_CODES
    }
}

/// Read text-message replies every [`REPLIES_EVERY`] until stopped.
pub(super) async fn run<N: Notifier, C: Clock>(
    shared: Arc<Shared<N, C>>,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        if let Err(e) = read(&shared).await {
            tracing::error!(error = %e, "text-message replies could not be recorded; retrying");
        }
        tokio::select! {
            _ = tokio::time::sleep(REPLIES_EVERY) => {}
            _ = stopped.wait_for(|s| *s) => return,
        }
    }
}

/// The code of an `ACK <code>` reply (any case, any spacing), if it is one.
pub fn ack_code(text: &str) -> Option<String> {
    let mut words = text.split_whitespace();
    let (ack, code) = (words.next()?, words.next()?);
    (words.next().is_none() && ack.eq_ignore_ascii_case("ACK")).then(|| code.to_uppercase())
}

/// Whether two phone numbers are the same once spaces and punctuation
/// are left out.
pub fn same_number(a: &str, b: &str) -> bool {
    let digits = |s: &str| {
        s.chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect::<String>()
    };
    let a = digits(a);
    !a.is_empty() && a == digits(b)
}

/// Act on `ACK <code>` replies: the sender must be a configured contact
/// and the code one of theirs for an open encounter; anything else
/// acknowledges nothing.
pub(super) async fn read<N: Notifier, C: Clock>(
    shared: &Shared<N, C>,
) -> Result<usize, StoreError> {
    if !shared.notifier.takes_replies() {
        return Ok(0);
    }
    let replies = match shared.notifier.replies().await {
        Ok(r) => r,
        Err(e) => {
            tracing::debug!(error = %e, "could not read text-message replies");
            return Ok(0);
        }
    };
    let mut n = 0;
    for reply in replies {
        let Some(contact) = shared.loaded.config.contacts.iter().find(|c| {
            c.phone
                .as_deref()
                .is_some_and(|p| same_number(p, &reply.from))
        }) else {
            tracing::warn!(
                "a text message from a number that is not a configured contact was ignored"
            );
            continue;
        };
        let Some(code) = ack_code(&reply.text) else {
            tracing::warn!(contact = %contact.name, "a text message that is not `ACK <code>` was ignored");
            continue;
        };
        let now = Instant::now();
        if shared.guesses().locked(&contact.name, now) {
            tracing::warn!(contact = %contact.name, "an `ACK` reply was ignored: too many wrong codes from this phone in the last hour");
            continue;
        }
        let keys = {
            let name = contact.name.clone();
            shared
                .read(move |r| outbox::sms_pages_to(r.conn(), &name))
                .await?
        };
        let Some((_, encounter)) = keys.into_iter().find(|(key, _)| {
            bool::from(sms_code(&shared.ack, key).as_bytes().ct_eq(code.as_bytes()))
        }) else {
            if shared.guesses().wrong(&contact.name, now) {
                tracing::warn!(contact = %contact.name, "{WRONG_CODES} wrong `ACK` codes from this contact's phone within an hour: its text-message acknowledgements are ignored for the rest of the hour (links and staff mode still work)");
            } else {
                tracing::warn!(contact = %contact.name, "an `ACK` with a code that matches no open encounter was ignored");
            }
            continue;
        };
        let (name, role) = (contact.name.clone(), contact.role);
        let done = shared
            .record
            .write_async(shared.clock.now(), move |w| {
                entries::acknowledge(w, &encounter, &name, Some(role), Via::Sms, None)
            })
            .await;
        match done {
            Ok(()) => n += 1,
            Err(EntryRefused::Store(e)) => return Err(e),
            Err(e) => {
                tracing::warn!(contact = %contact.name, reason = %e, "an `ACK` reply was not recorded")
            }
        }
    }
    Ok(n)
}
