//! An encounter exported for a public-records request: the facts, the
//! outcome, the checklist, who acknowledged, the pages' hashes and the
//! timeline. Free text that may carry a resident's words or name, or
//! advice — staff notes (with any override reason), counsel's instructions,
//! and what the officials said they came for or sought and their stated
//! reason — is withheld unless counsel releases it;
//! page images are never included, and visitor data is never part of an
//! encounter. Made with who made it journaled (see the CLI).

use crate::config::Loaded;
use crate::domain::language::Language;
use crate::store::query::EncounterRecord;
use serde_json::{json, Value};

/// What counsel released beyond the facts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Release {
    /// Staff notes, and the reason staff gave for acting before counsel.
    pub notes: bool,
    pub instructions: bool,
    /// What the officials said: their purpose, what they sought, their
    /// stated reason for an exigent entry.
    pub officials_words: bool,
}

impl Release {
    /// `notes,instructions`, for the journal's audit entry.
    pub fn describe(self) -> String {
        let mut parts = Vec::new();
        if self.notes {
            parts.push("notes");
        }
        if self.instructions {
            parts.push("instructions");
        }
        if self.officials_words {
            parts.push("officials-words");
        }
        if parts.is_empty() {
            "released=nothing".into()
        } else {
            format!("released={}", parts.join(","))
        }
    }
}

/// The export of `r`, as JSON.
pub fn records_request(loaded: &Loaded, r: &EncounterRecord, release: Release) -> Value {
    let en = Language::English;
    let acts = |acts: &[crate::store::query::Act]| -> Value {
        acts.iter()
            .map(|a| json!({ "at": a.at, "by": a.by, "text": a.text }))
            .collect()
    };
    let mut withheld = Vec::new();
    if !release.notes && !r.notes.is_empty() {
        withheld.push(json!({ "what": "staff notes", "count": r.notes.len() }));
    }
    if !release.notes && r.override_reason.is_some() {
        withheld.push(json!({ "what": "staff's reason for acting before counsel", "count": 1 }));
    }
    if !release.instructions && !r.counsel_instructions.is_empty() {
        withheld.push(
            json!({ "what": "counsel's instructions", "count": r.counsel_instructions.len() }),
        );
    }
    let officials_said = [&r.purpose, &r.sought, &r.officials_reason]
        .iter()
        .filter(|s| s.is_some())
        .count();
    if !release.officials_words && officials_said > 0 {
        withheld.push(json!({ "what": "the officials' own words", "count": officials_said }));
    }
    let mut out = json!({
        "kind": "threshold-records-request/1",
        "facility": { "id": loaded.config.facility.id, "name": loaded.config.facility.name },
        "encounter": r.id,
        "drill": r.drill,
        "opened_at": r.opened_at,
        "closed_at": r.closed_at,
        "entrance": r.entrance,
        "document": r.document_kind.as_deref().map(|k| loaded.document_label(Some(k), en)),
        "document_court": r.court,
        "document_signed_by": r.judge,
        "document_issued": r.issued,
        "document_expires": r.expires,
        "exigent_circumstances_claimed": r.exigent,
        "officers": r.officers.iter().map(|o| json!({
            "name": o.name, "badge": o.badge, "agency": o.agency,
        })).collect::<Vec<_>>(),
        "area_requested": r.area,
        "outcome": r.outcome.as_deref().map(|o| loaded.outcome_label(o, en)),
        "decision_basis": r.decision_basis,
        "decided": r.decided.as_ref().map(|d| json!({ "at": d.at, "by": d.by })),
        "checklist": r.checklist.iter().map(|a| json!({
            "question": loaded.profile.checklist_item(&a.item)
                .map(|i| i.question.get(en).to_string())
                .unwrap_or_else(|| a.item.clone()),
            "answer": a.answer, "by": a.by, "at": a.at,
        })).collect::<Vec<_>>(),
        "acknowledgements": r.acknowledgements.iter().map(|a| json!({
            "at": a.at, "by": a.by, "role": a.role.map(|r| r.token()), "via": a.via.token(),
        })).collect::<Vec<_>>(),
        "pages": r.pages.iter().map(|p| json!({
            "number": p.number, "kind": p.kind.token(), "sha256": p.sha256,
        })).collect::<Vec<_>>(),
        "legal_holds": r.holds.iter().map(|h| json!({
            "id": h.id, "reason": h.reason, "released": h.released.is_some(),
        })).collect::<Vec<_>>(),
        "timeline": r.timeline.iter().map(|t| json!({
            "seq": t.seq, "at": t.at, "kind": t.kind, "summary": super::timeline::line(&loaded.profile, &t.line, en),
        })).collect::<Vec<_>>(),
        "withheld": withheld,
        "purged": r.purged,
    });
    if release.notes {
        out["staff_notes"] = acts(&r.notes);
        out["override_reason"] = json!(r.override_reason);
    }
    if release.officials_words {
        out["officials_purpose"] = json!(r.purpose);
        out["officials_sought"] = json!(r.sought);
        out["officials_stated_reason"] = json!(r.officials_reason);
    }
    if release.instructions {
        out["counsel_instructions"] = acts(&r.counsel_instructions);
    }
    out
}
