//! What staff are told while officials are at the desk: the verdict the
//! checklist answers lead to for the document presented.
//!
//! The verdict assists; staff and counsel decide. Its wording comes from
//! the policy profile ([`crate::domain::policy::VerdictTexts`]).

use crate::domain::encounter::ChecklistAnswer;
use chrono::{DateTime, Duration, Utc};

/// Where the checklist of a document stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A question is unanswered or unclear, or the kind has no questions.
    Open,
    /// Some question was answered no: the document lacks something its kind
    /// needs.
    Failed,
    /// Every question was answered yes.
    Checked,
}

impl Verdict {
    pub fn token(self) -> &'static str {
        match self {
            Verdict::Open => "open",
            Verdict::Failed => "failed",
            Verdict::Checked => "checked",
        }
    }
}

/// The verdict for a document whose checklist asks `questions`, given the
/// latest answer to each.
pub fn verdict<'a>(
    questions: impl IntoIterator<Item = &'a str>,
    answer: impl Fn(&str) -> Option<ChecklistAnswer>,
) -> Verdict {
    let mut asked = false;
    let mut all_yes = true;
    for q in questions {
        asked = true;
        match answer(q) {
            Some(ChecklistAnswer::No) => return Verdict::Failed,
            Some(ChecklistAnswer::Yes) => {}
            Some(ChecklistAnswer::Unclear) | None => all_yes = false,
        }
    }
    if asked && all_yes {
        Verdict::Checked
    } else {
        Verdict::Open
    }
}

/// The worst state an open encounter can be in: counsel has not answered
/// and the page cannot be relied on to reach them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unanswered {
    /// Nobody could be paged at all (no channel reaches anyone).
    NobodyPaged,
    /// Pages went out, and the first tier's deadline passed without
    /// counsel's acknowledgement.
    NoAnswer,
}

impl Unanswered {
    pub fn token(self) -> &'static str {
        match self {
            Unanswered::NobodyPaged => "nobody-paged",
            Unanswered::NoAnswer => "no-answer",
        }
    }
}

/// Whether an open encounter opened at `opened` is unanswered at `now`,
/// given the first tier's `ack_within`, whether counsel acknowledged, and
/// how many pages were queued for it.
pub fn unanswered(
    opened: DateTime<Utc>,
    now: DateTime<Utc>,
    ack_within: Duration,
    counsel_acknowledged: bool,
    pages: u32,
) -> Option<Unanswered> {
    if counsel_acknowledged {
        None
    } else if pages == 0 {
        Some(Unanswered::NobodyPaged)
    } else if now - opened >= ack_within {
        Some(Unanswered::NoAnswer)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ChecklistAnswer::*;

    #[test]
    fn unanswered_at_once_without_pages_and_after_the_first_deadline_with_them() {
        let t0 = DateTime::parse_from_rfc3339("2026-12-05T10:00:00Z")
            .unwrap()
            .to_utc();
        let within = Duration::seconds(60);
        let at = |s| t0 + Duration::seconds(s);
        assert_eq!(
            unanswered(t0, t0, within, false, 0),
            Some(Unanswered::NobodyPaged)
        );
        assert_eq!(unanswered(t0, at(59), within, false, 3), None);
        assert_eq!(
            unanswered(t0, at(60), within, false, 3),
            Some(Unanswered::NoAnswer)
        );
        assert_eq!(unanswered(t0, at(600), within, true, 3), None);
        assert_eq!(
            unanswered(t0, t0, within, true, 0),
            None,
            "counsel answered another way"
        );
    }

    fn with<'a>(
        answers: &'a [(&'a str, ChecklistAnswer)],
    ) -> impl Fn(&str) -> Option<ChecklistAnswer> + 'a {
        move |q| answers.iter().find(|(id, _)| *id == q).map(|(_, a)| *a)
    }

    #[test]
    fn a_kind_without_questions_stays_open() {
        assert_eq!(verdict([], with(&[])), Verdict::Open);
    }

    #[test]
    fn one_no_fails_whatever_else_is_answered() {
        let qs = ["court", "judge", "dated"];
        assert_eq!(verdict(qs, with(&[("judge", No)])), Verdict::Failed);
        assert_eq!(
            verdict(
                qs,
                with(&[("court", Yes), ("judge", Unclear), ("dated", No)])
            ),
            Verdict::Failed
        );
    }

    #[test]
    fn every_yes_checks_and_anything_less_is_open() {
        let qs = ["court", "judge"];
        assert_eq!(
            verdict(qs, with(&[("court", Yes), ("judge", Yes)])),
            Verdict::Checked
        );
        assert_eq!(verdict(qs, with(&[("court", Yes)])), Verdict::Open);
        assert_eq!(
            verdict(qs, with(&[("court", Yes), ("judge", Unclear)])),
            Verdict::Open
        );
        // Answers to questions this kind does not ask change nothing.
        assert_eq!(
            verdict(qs, with(&[("other", No), ("court", Yes)])),
            Verdict::Open
        );
    }
}
