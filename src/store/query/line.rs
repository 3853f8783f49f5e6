//! One journal entry of an encounter as facts and tokens, for the
//! timeline.

use crate::domain::encounter::{PageKind, Via};
use crate::store::events::Viewing;
use serde::Serialize;

/// What one journal entry of an encounter says, as facts and tokens (the
/// sentence is written in the reader's language at read time). Names and
/// people's words are as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "fact", rename_all = "kebab-case")]
pub enum Line {
    Opened {
        drill: bool,
        entrance: String,
        via: Via,
    },
    Details {
        officers: usize,
        document: crate::domain::document::DocumentKind,
        exigent: bool,
    },
    Page {
        number: u32,
        kind: PageKind,
        by: Option<String>,
        bytes: u64,
        sha256: String,
    },
    Acknowledged {
        by: String,
        role: Option<crate::domain::role::Role>,
        via: Via,
    },
    Checklist {
        item: String,
        answer: String,
        by: String,
        via: Option<Via>,
    },
    Instruction {
        by: String,
        /// How it reached the record, when not typed at this kiosk.
        via: Option<Via>,
    },
    Note {
        by: String,
        via: Option<Via>,
    },
    Decided {
        outcome: crate::domain::encounter::Outcome,
        basis: String,
        by: String,
    },
    Closed {
        by: String,
    },
    TierPaged {
        /// Counted from 1.
        tier: u32,
    },
    PageQueued {
        contact: String,
        role: crate::domain::role::Role,
        channel: crate::domain::role::Channel,
    },
    PageDelivered {
        contact: String,
        channel: Option<String>,
        attempt: u32,
    },
    PageFailed {
        contact: String,
        channel: Option<String>,
        attempt: u32,
        error: String,
        will_retry: bool,
    },
    Purged,
    HoldPlaced {
        hold: String,
        by: String,
        reason: String,
    },
    HoldReleased {
        hold: String,
        by: String,
    },
    Viewed {
        user: String,
        role: Option<crate::domain::account::AccountRole>,
        what: Viewing,
        page: Option<u32>,
    },
    Other {
        kind: String,
    },
}
