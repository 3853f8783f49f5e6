//! Entries more than one part writes, with the rule each must pass inside
//! its own write transaction: acknowledgements (staff mode, the CLI,
//! acknowledge links, text-message replies).

use super::events::{Acknowledged, EventKind};
use super::query::encounter_state;
use super::{StoreError, Writer};
use crate::domain::encounter::{check_open, RuleRefused, Via};
use crate::domain::role::Role;

/// Why an entry was not written.
#[derive(Debug, thiserror::Error)]
pub enum EntryRefused {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Rule(#[from] RuleRefused),
    #[error("{}", crate::msg!("no encounter `{id}`; `threshold encounter list` shows the references", id = .0))]
    UnknownEncounter(String),
    #[error("{}", crate::msg!("this acknowledge link was already used at {at}", at = .at))]
    LinkUsed { at: String },
}

/// Check, in this transaction, that encounter `id` exists and is open.
pub fn ensure_open(w: &Writer<'_>, id: &str) -> Result<(), EntryRefused> {
    let state = encounter_state(w.conn(), id)
        .map_err(|e| w.err(e))?
        .ok_or_else(|| EntryRefused::UnknownEncounter(id.to_string()))?;
    Ok(check_open(&state)?)
}

/// Journal that `by` (with `role`, if a configured contact) acknowledged
/// encounter `id` via `via`; refused when the encounter is closed or the
/// link was used already, as read in this same transaction.
pub fn acknowledge(
    w: &mut Writer<'_>,
    id: &str,
    by: &str,
    role: Option<Role>,
    via: Via,
    link: Option<String>,
) -> Result<(), EntryRefused> {
    ensure_open(w, id)?;
    if let Some(link) = &link {
        if let Some(at) = super::query::link_used_at(w.conn(), link).map_err(|e| w.err(e))? {
            return Err(EntryRefused::LinkUsed { at });
        }
    }
    let body = Acknowledged {
        by: w.seal(by)?,
        role,
        via,
        link,
    };
    w.append(EventKind::Acknowledged, id, &body)?;
    Ok(())
}
