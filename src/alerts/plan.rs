//! Who is paged for an encounter, on which channel, and when the next tier
//! is due: the escalation rules as the config and the policy set them.

use crate::config::{Channel, Loaded, Role};
use crate::store::events::{AlertQueued, EventKind, TierPaged};
use crate::store::{timestamp, StoreError, Writer};
use chrono::{DateTime, Duration, Utc};

/// The idempotency key of a page: encounter + tier + recipient + channel.
pub fn page_key(encounter: &str, tier: u32, contact: &str, channel: Channel) -> String {
    format!("{encounter}/{tier}/{contact}/{}", channel.token())
}

/// The roles tier `tier` pages. Counsel is in the first tier of every real
/// encounter, whatever the config says: the policy requires counsel to know
/// before anyone cooperates. Drills page rapid response only when the config
/// says so.
pub fn tier_roles(loaded: &Loaded, tier: usize, drill: bool) -> Vec<Role> {
    let Some(t) = loaded.config.escalation.tiers.get(tier) else {
        return Vec::new();
    };
    let mut roles = t.notify.clone();
    if tier == 0 && !drill && !roles.contains(&Role::Counsel) {
        roles.push(Role::Counsel);
    }
    if drill && !loaded.config.alerts.drill_pages_rapid_response {
        roles.retain(|r| *r != Role::RapidResponse);
    }
    roles
}

/// One page to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedPage {
    pub key: String,
    pub contact: String,
    pub role: Role,
    pub channel: Channel,
    pub fallback_after_s: Option<u32>,
}

/// Seconds tier `tier` waits before a contact's next channel.
fn fallback_after(loaded: &Loaded, tier: usize) -> Option<u32> {
    loaded
        .config
        .escalation
        .tiers
        .get(tier)
        .map(|t| t.fallback_after_s)
}

/// The pages of tier `tier`: each contact in its roles, on their first channel.
pub fn tier_pages(loaded: &Loaded, encounter: &str, tier: usize, drill: bool) -> Vec<PlannedPage> {
    let roles = tier_roles(loaded, tier, drill);
    let fallback = fallback_after(loaded, tier);
    loaded
        .config
        .contacts
        .iter()
        .filter(|c| roles.contains(&c.role))
        .filter_map(|c| {
            let channels = loaded.channels_of(c);
            let first = *channels.first()?;
            Some(PlannedPage {
                key: page_key(encounter, tier as u32, &c.name, first),
                contact: c.name.clone(),
                role: c.role,
                channel: first,
                fallback_after_s: fallback.filter(|_| channels.len() > 1),
            })
        })
        .collect()
}

/// The channel after `current` for the contact called `contact`, with the
/// fallback delay that applies to it (none when it is their last).
pub fn next_channel(
    loaded: &Loaded,
    contact: &str,
    current: Channel,
    tier: usize,
) -> Option<(Channel, Option<u32>)> {
    let c = loaded.contact(contact)?;
    let channels = loaded.channels_of(c);
    let i = channels.iter().position(|ch| *ch == current)?;
    let next = *channels.get(i + 1)?;
    let fallback = fallback_after(loaded, tier);
    Some((next, fallback.filter(|_| i + 2 < channels.len())))
}

/// Journal that tier `tier` is paged and queue its pages, all due `now`.
/// Pages already queued (same key) are not queued again. Returns how many
/// were queued.
pub fn page_tier(
    w: &mut Writer<'_>,
    loaded: &Loaded,
    encounter: &str,
    tier: usize,
    drill: bool,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let tiers = &loaded.config.escalation.tiers;
    if tier >= tiers.len() {
        return Ok(0);
    }
    let deadline = (tier + 1 < tiers.len())
        .then(|| timestamp(now + Duration::seconds(tiers[tier].ack_within_s as i64)));
    w.append(
        EventKind::TierPaged,
        encounter,
        &TierPaged {
            tier: tier as u32,
            deadline,
        },
    )?;
    let mut queued = 0;
    for page in tier_pages(loaded, encounter, tier, drill) {
        if queue(w, encounter, tier as u32, &page, None, now)? {
            queued += 1;
        }
    }
    Ok(queued)
}

/// Queue one page unless its key is already in the outbox.
pub fn queue(
    w: &mut Writer<'_>,
    encounter: &str,
    tier: u32,
    page: &PlannedPage,
    follows: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    if crate::store::outbox::queued(w.conn(), &page.key).map_err(|e| w.err(e))? {
        return Ok(false);
    }
    w.append(
        EventKind::AlertQueued,
        encounter,
        &AlertQueued {
            key: page.key.clone(),
            tier,
            contact: page.contact.clone(),
            role: page.role,
            channel: page.channel,
            due_at: timestamp(now),
            fallback_after_s: page.fallback_after_s,
            follows: follows.map(String::from),
        },
    )?;
    Ok(true)
}
