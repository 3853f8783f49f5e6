//! Policy profiles: what a jurisdiction's rules say, as data.
//!
//! A profile holds the access rule per area kind, the notice and resource
//! texts in every kiosk language, the warrant checklist, the document
//! catalogue and the outcome rules. Profiles live in `assets/policies/`.

use crate::domain::document::DocumentKind;
use crate::domain::encounter::Outcome;
use crate::domain::guidance::Verdict;
use crate::domain::language::Localized;
use crate::domain::Problem;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A jurisdiction's access policy, loaded from a profile file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyProfile {
    /// Token used in config (`policy = "san-jose"`).
    pub id: String,
    /// Title shown to administrators.
    pub name: String,
    /// True for illustrative profiles that no city has adopted as written.
    #[serde(default)]
    pub example: bool,
    /// The jurisdiction and the rule the profile implements.
    pub jurisdiction: String,
    /// What the door sign shows.
    #[serde(default)]
    pub sign: SignPolicy,
    /// The always-on notice at the door.
    pub notice: Notice,
    /// Entry rule per area kind.
    pub access: Access,
    /// Legal and support resources offered on the kiosk and printed slips.
    pub resources: Vec<Resource>,
    /// The warrant checklist's questions; each document kind names the
    /// ones that apply to it.
    pub checklist: Vec<ChecklistItem>,
    /// What staff say and do not do while officials are at the desk.
    pub card: Card,
    /// The document catalogue: every [`DocumentKind`] exactly once.
    pub documents: Vec<DocumentEntry>,
    /// The outcome rules: every [`Outcome`] exactly once.
    pub outcomes: Vec<OutcomeRule>,
}

/// The door sign's part in the policy.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignPolicy {
    /// While officials are at the desk the sign says so ("Officials on
    /// site · Staff and counsel are responding"), in every kiosk language.
    /// Off: the sign always shows the open state.
    pub announces_officials: bool,
}

impl Default for SignPolicy {
    fn default() -> SignPolicy {
        SignPolicy {
            announces_officials: true,
        }
    }
}

/// The notice shown on the idle screen and the door sign.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    pub title: Localized,
    pub body: Localized,
    /// The sentence printed on an official's receipt.
    pub receipt: Localized,
}

/// Entry rules for the two kinds of area a facility has.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Access {
    pub public: AreaRule,
    #[serde(rename = "non-public")]
    pub non_public: AreaRule,
}

/// Who may enter an area kind, and the text explaining it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaRule {
    pub entry: EntryRule,
    pub text: Localized,
}

/// What an official needs to enter an area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryRule {
    /// Open to anyone, as to any member of the public.
    Open,
    /// Only with a judicial warrant or court order (or exigent circumstances).
    JudicialWarrantOrCourtOrder,
    /// Without a judicial document, only when counsel approves.
    CounselDecides,
    /// Local policy sets no limit; staff decide, counsel is still notified.
    StaffDiscretion,
}

/// One legal or support resource.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    pub id: String,
    pub name: Localized,
    pub description: Localized,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
}

/// One question of the warrant checklist.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItem {
    pub id: String,
    pub question: Localized,
    pub help: Localized,
}

/// A document kind with its plain description, its checklist and what
/// staff are told to do once it is checked.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentEntry {
    pub kind: DocumentKind,
    pub label: Localized,
    pub description: Localized,
    /// The checklist questions for this kind, by id, in the order asked.
    #[serde(default)]
    pub checklist: Vec<String>,
    pub verdict: VerdictTexts,
}

/// The verdict's wording for one document kind, per [`Verdict`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerdictTexts {
    /// While a question is unanswered or unclear; the only text for a kind
    /// without questions.
    pub open: Localized,
    /// Some question was answered no. Falls back to `open`.
    #[serde(default)]
    pub failed: Option<Localized>,
    /// Every question was answered yes. Falls back to `open`.
    #[serde(default)]
    pub checked: Option<Localized>,
}

impl VerdictTexts {
    /// The wording for `verdict`.
    pub fn text(&self, verdict: Verdict) -> &Localized {
        match verdict {
            Verdict::Open => &self.open,
            Verdict::Failed => self.failed.as_ref().unwrap_or(&self.open),
            Verdict::Checked => self.checked.as_ref().unwrap_or(&self.open),
        }
    }
}

/// The "say / do not do" card staff mode shows beside an encounter.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Card {
    /// Sentences to say to the officers, word for word.
    pub say: Vec<Localized>,
    /// Things not to do, and what to do instead.
    pub avoid: Vec<Localized>,
}

/// What recording an outcome requires under this profile.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeRule {
    pub outcome: Outcome,
    pub label: Localized,
    /// Counsel must have acknowledged first, or staff record an override with a reason.
    pub requires_counsel_ack: bool,
    /// Only allowed when the document presented is judicial.
    #[serde(default)]
    pub requires_judicial_document: bool,
    /// Records what the officials said (the emergency they claimed), as
    /// theirs: staff must give it.
    #[serde(default)]
    pub officials_reason: bool,
}

impl PolicyProfile {
    /// The rule for `outcome`. Validation guarantees every outcome has one.
    pub fn outcome_rule(&self, outcome: Outcome) -> Option<&OutcomeRule> {
        self.outcomes.iter().find(|r| r.outcome == outcome)
    }

    /// The catalogue entry for `kind`.
    pub fn document(&self, kind: DocumentKind) -> Option<&DocumentEntry> {
        self.documents.iter().find(|d| d.kind == kind)
    }

    /// The checklist item with `id`.
    /// A recorded document kind token in `lang`, as this profile names it
    /// (the token itself when the profile does not know it).
    pub fn document_label(
        &self,
        kind: Option<&str>,
        lang: crate::domain::language::Language,
    ) -> String {
        kind.and_then(|k| k.parse::<DocumentKind>().ok())
            .and_then(|k| self.document(k))
            .map(|d| d.label.get(lang).to_string())
            .or_else(|| kind.map(str::to_string))
            .unwrap_or_default()
    }

    /// A recorded outcome token in `lang`, as this profile names it.
    pub fn outcome_label(&self, outcome: &str, lang: crate::domain::language::Language) -> String {
        outcome
            .parse::<Outcome>()
            .ok()
            .and_then(|o| self.outcome_rule(o))
            .map(|r| r.label.get(lang).to_string())
            .unwrap_or_else(|| outcome.to_string())
    }

    pub fn checklist_item(&self, id: &str) -> Option<&ChecklistItem> {
        self.checklist.iter().find(|c| c.id == id)
    }

    /// The checklist questions for `kind`, in the order asked; for a
    /// document not yet recorded, every question of the profile.
    pub fn checklist_for(&self, kind: Option<DocumentKind>) -> Vec<&ChecklistItem> {
        match kind.and_then(|k| self.document(k)) {
            Some(d) => d
                .checklist
                .iter()
                .filter_map(|id| self.checklist_item(id))
                .collect(),
            None => self.checklist.iter().collect(),
        }
    }

    /// Everything wrong with the profile, each at the key it concerns.
    pub fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        if !is_token(&self.id) {
            problems.push(Problem::new(
                "id",
                crate::msg!(
                    "found `{found}`; allowed: lower-case letters, digits and hyphens",
                    found = self.id
                ),
            ));
        }
        let mut texts: Vec<(String, &Localized)> = vec![
            ("notice.title".into(), &self.notice.title),
            ("notice.body".into(), &self.notice.body),
            ("notice.receipt".into(), &self.notice.receipt),
            ("access.public.text".into(), &self.access.public.text),
            (
                "access.non-public.text".into(),
                &self.access.non_public.text,
            ),
        ];
        if self.access.public.entry != EntryRule::Open {
            problems.push(Problem::new(
                "access.public.entry",
                crate::msg!("public areas are open to everyone; allowed: open"),
            ));
        }
        check_ids(
            &mut problems,
            "resources",
            self.resources.iter().map(|r| r.id.as_str()),
        );
        for (i, r) in self.resources.iter().enumerate() {
            texts.push((format!("resources[{i}].name"), &r.name));
            texts.push((format!("resources[{i}].description"), &r.description));
            if r.phone.is_none() && r.url.is_none() {
                problems.push(Problem::new(
                    format!("resources[{i}]"),
                    crate::msg!("a resource needs a `phone` or a `url`"),
                ));
            }
        }
        if self.checklist.is_empty() {
            problems.push(Problem::new(
                "checklist",
                crate::msg!("the warrant checklist needs at least one item"),
            ));
        }
        check_ids(
            &mut problems,
            "checklist",
            self.checklist.iter().map(|c| c.id.as_str()),
        );
        for (i, c) in self.checklist.iter().enumerate() {
            texts.push((format!("checklist[{i}].question"), &c.question));
            texts.push((format!("checklist[{i}].help"), &c.help));
            if !self.documents.iter().any(|d| d.checklist.contains(&c.id)) {
                problems.push(Problem::new(
                    format!("checklist[{i}].id"), crate::msg!("no document kind asks `{id}`; list it in a `documents` entry's checklist or remove it", id = c.id)));
            }
        }
        for (list, lines) in [("say", &self.card.say), ("avoid", &self.card.avoid)] {
            if lines.is_empty() {
                problems.push(Problem::new(
                    format!("card.{list}"),
                    crate::msg!("the card needs at least one line"),
                ));
            }
            for (i, line) in lines.iter().enumerate() {
                texts.push((format!("card.{list}[{i}]"), line));
            }
        }
        let kinds: Vec<DocumentKind> = self.documents.iter().map(|d| d.kind).collect();
        for (i, d) in self.documents.iter().enumerate() {
            if kinds.iter().filter(|k| **k == d.kind).count() > 1 {
                problems.push(Problem::new(
                    format!("documents[{i}].kind"),
                    crate::msg!("`{kind}` is listed more than once", kind = d.kind),
                ));
            }
            texts.push((format!("documents[{i}].label"), &d.label));
            texts.push((format!("documents[{i}].description"), &d.description));
            self.document_problems(i, d, &mut problems, &mut texts);
        }
        for kind in DocumentKind::ALL {
            if !kinds.contains(&kind) {
                problems.push(Problem::new(
                    "documents",
                    crate::msg!(
                        "the catalogue lacks `{kind}`; every document kind needs an entry",
                        kind = kind
                    ),
                ));
            }
        }
        let outcomes: Vec<Outcome> = self.outcomes.iter().map(|o| o.outcome).collect();
        for (i, o) in self.outcomes.iter().enumerate() {
            if outcomes.iter().filter(|x| **x == o.outcome).count() > 1 {
                problems.push(Problem::new(
                    format!("outcomes[{i}].outcome"),
                    crate::msg!("`{outcome}` is listed more than once", outcome = o.outcome),
                ));
            }
            texts.push((format!("outcomes[{i}].label"), &o.label));
        }
        for outcome in Outcome::ALL {
            if !outcomes.contains(&outcome) {
                problems.push(Problem::new(
                    "outcomes",
                    crate::msg!(
                        "the outcome rules lack `{outcome}`; every outcome needs a rule",
                        outcome = outcome
                    ),
                ));
            }
        }
        for (path, text) in texts {
            for lang in text.blank_languages() {
                problems.push(Problem::new(
                    format!("{path}.{lang}"),
                    crate::msg!("the text is empty; every kiosk language needs a translation"),
                ));
            }
        }
        problems
    }
}

impl PolicyProfile {
    fn document_problems<'a>(
        &self,
        i: usize,
        d: &'a DocumentEntry,
        problems: &mut Vec<Problem>,
        texts: &mut Vec<(String, &'a Localized)>,
    ) {
        let mut seen = BTreeSet::new();
        for (j, id) in d.checklist.iter().enumerate() {
            if self.checklist_item(id).is_none() {
                problems.push(Problem::new(
                    format!("documents[{i}].checklist[{j}]"),
                    crate::msg!("`{id}` is not a `checklist` item's id", id = id),
                ));
            }
            if !seen.insert(id) {
                problems.push(Problem::new(
                    format!("documents[{i}].checklist[{j}]"),
                    crate::msg!("`{id}` is asked more than once", id = id),
                ));
            }
        }
        texts.push((format!("documents[{i}].verdict.open"), &d.verdict.open));
        for (name, text) in [
            ("failed", &d.verdict.failed),
            ("checked", &d.verdict.checked),
        ] {
            let Some(text) = text else { continue };
            if d.checklist.is_empty() {
                problems.push(Problem::new(
                    format!("documents[{i}].verdict.{name}"),
                    crate::msg!("a kind without checklist questions has only `verdict.open`"),
                ));
            }
            texts.push((format!("documents[{i}].verdict.{name}"), text));
        }
    }
}

fn check_ids<'a>(problems: &mut Vec<Problem>, list: &str, ids: impl Iterator<Item = &'a str>) {
    let mut seen = BTreeSet::new();
    for (i, id) in ids.enumerate() {
        if !is_token(id) {
            problems.push(Problem::new(
                format!("{list}[{i}].id"),
                crate::msg!(
                    "found `{id}`; allowed: lower-case letters, digits and hyphens",
                    id = id
                ),
            ));
        }
        if !seen.insert(id) {
            problems.push(Problem::new(
                format!("{list}[{i}].id"),
                crate::msg!("`{id}` is used more than once", id = id),
            ));
        }
    }
}

/// A lower-case token of letters, digits and hyphens.
pub fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
}
