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
use std::sync::Arc;
use std::time::Duration;

/// How often text-message replies are read.
pub const REPLIES_EVERY: Duration = Duration::from_secs(2);

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
    let digits = |s: &str| {
        s.chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect::<String>()
    };
    let mut n = 0;
    for reply in replies {
        let Some(contact) = shared
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
        let keys = {
            let name = contact.name.clone();
            shared
                .read(move |r| outbox::sms_pages_to(r.conn(), &name))
                .await?
        };
        let Some((_, encounter)) = keys
            .into_iter()
            .find(|(key, _)| sms_code(&shared.ack, key) == code)
        else {
            tracing::warn!(contact = %contact.name, "an `ACK` with a code that matches no open encounter was ignored");
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
