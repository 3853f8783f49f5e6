//! The kinds of document an official may present, and what each one is.
//!
//! The distinction between a judicial warrant (issued by a court, signed by a
//! judge or magistrate) and an administrative one (signed by an immigration
//! officer) is the heart of the access policy.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A document an official presents at the desk, under the token used by the
/// CLI, config and exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentKind {
    /// Judicial search warrant (form AO 93), signed by a judge or magistrate.
    JudicialSearchWarrant,
    /// Judicial arrest warrant (form AO 442), signed by a judge or magistrate.
    JudicialArrestWarrant,
    /// Judicial subpoena (form AO 88B), issued by a court.
    JudicialSubpoena,
    /// Another order issued by a court and signed by a judge.
    CourtOrder,
    /// ICE administrative warrant (Form I-200 or I-205), signed by an
    /// immigration officer; it does not authorise entry into non-public areas.
    AdministrativeWarrant,
    /// Other agency forms (I-138, I-862) and administrative subpoenas.
    AgencyForm,
    /// No document presented.
    None,
}

impl DocumentKind {
    /// Every kind, in catalogue order.
    pub const ALL: [DocumentKind; 7] = [
        DocumentKind::JudicialSearchWarrant,
        DocumentKind::JudicialArrestWarrant,
        DocumentKind::JudicialSubpoena,
        DocumentKind::CourtOrder,
        DocumentKind::AdministrativeWarrant,
        DocumentKind::AgencyForm,
        DocumentKind::None,
    ];

    /// The token used by the CLI, config and exports.
    pub fn token(self) -> &'static str {
        match self {
            DocumentKind::JudicialSearchWarrant => "judicial-search-warrant",
            DocumentKind::JudicialArrestWarrant => "judicial-arrest-warrant",
            DocumentKind::JudicialSubpoena => "judicial-subpoena",
            DocumentKind::CourtOrder => "court-order",
            DocumentKind::AdministrativeWarrant => "administrative-warrant",
            DocumentKind::AgencyForm => "agency-form",
            DocumentKind::None => "none",
        }
    }

    /// Issued by a court and signed by a judge or magistrate.
    pub fn is_judicial(self) -> bool {
        matches!(
            self,
            DocumentKind::JudicialSearchWarrant
                | DocumentKind::JudicialArrestWarrant
                | DocumentKind::JudicialSubpoena
                | DocumentKind::CourtOrder
        )
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.token())
    }
}

/// A document-kind token that is not in the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::msg!("unknown document kind `{found}`; allowed: judicial-search-warrant, judicial-arrest-warrant, judicial-subpoena, court-order, administrative-warrant, agency-form, none", found = .found))]
pub struct UnknownDocumentKind {
    /// What was given.
    pub found: String,
}

impl FromStr for DocumentKind {
    type Err = UnknownDocumentKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DocumentKind::ALL
            .into_iter()
            .find(|k| k.token() == s)
            .ok_or_else(|| UnknownDocumentKind {
                found: s.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_match_serde() {
        for kind in DocumentKind::ALL {
            assert_eq!(kind.token().parse::<DocumentKind>().unwrap(), kind);
            assert_eq!(
                serde_json::to_string(&kind).unwrap(),
                format!("\"{}\"", kind.token())
            );
        }
    }

    #[test]
    fn only_court_documents_are_judicial() {
        assert!(DocumentKind::JudicialSearchWarrant.is_judicial());
        assert!(DocumentKind::CourtOrder.is_judicial());
        assert!(!DocumentKind::AdministrativeWarrant.is_judicial());
        assert!(!DocumentKind::AgencyForm.is_judicial());
        assert!(!DocumentKind::None.is_judicial());
        let err = "i-200".parse::<DocumentKind>().unwrap_err();
        assert!(err.to_string().contains("administrative-warrant"));
    }
}
