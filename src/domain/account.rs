//! Admin-web accounts: who may see what.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// An admin-web account's role. Staff accounts see nothing on the admin
/// web (staff work at the kiosk); counsel and managers see encounters and
/// documents; only managers change settings or run a purge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccountRole {
    Manager,
    Counsel,
    Staff,
    /// The city's staff who report to the council (on the hub only):
    /// statistics and facility health, never an encounter's details.
    City,
}

impl AccountRole {
    pub const ALL: [AccountRole; 4] = [
        AccountRole::Manager,
        AccountRole::Counsel,
        AccountRole::Staff,
        AccountRole::City,
    ];

    pub fn token(self) -> &'static str {
        match self {
            AccountRole::Manager => "manager",
            AccountRole::Counsel => "counsel",
            AccountRole::Staff => "staff",
            AccountRole::City => "city",
        }
    }

    /// Encounters, document pages, the log and exports.
    pub fn may_review(self) -> bool {
        matches!(self, AccountRole::Manager | AccountRole::Counsel)
    }

    /// Retention settings and purges.
    pub fn may_manage(self) -> bool {
        self == AccountRole::Manager
    }
}

impl FromStr for AccountRole {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        AccountRole::ALL
            .into_iter()
            .find(|r| r.token() == s)
            .ok_or_else(|| format!("unknown role `{s}`; expected manager, counsel, staff or city"))
    }
}

/// The facilities an account sees: all, or those listed (a hub account
/// scoped to some buildings; a kiosk's accounts see their own).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Scope {
    #[default]
    All,
    Only(Vec<String>),
}

impl Scope {
    /// Whether facility `id` is in the scope.
    pub fn covers(&self, id: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Only(ids) => ids.iter().any(|f| f == id),
        }
    }

    /// The listed facilities, or none for all.
    pub fn list(&self) -> Option<&[String]> {
        match self {
            Scope::All => None,
            Scope::Only(ids) => Some(ids),
        }
    }
}

/// Check an account name: 1 to 32 of a-z, 0-9, `.`, `_`, `-`, starting
/// with a letter (names appear in the journal and in URLs).
pub fn check_name(name: &str) -> Result<(), String> {
    let ok = (1..=32).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "account name `{name}`: use 1 to 32 lower-case letters, digits, `.`, `_` or `-`, starting with a letter"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_names() {
        for r in AccountRole::ALL {
            assert_eq!(r.token().parse::<AccountRole>(), Ok(r));
        }
        assert!(!AccountRole::Staff.may_review());
        assert!(AccountRole::Counsel.may_review() && !AccountRole::Counsel.may_manage());
        assert!(AccountRole::Manager.may_manage());
        assert!(check_name("maria.g").is_ok());
        for bad in ["", "Maria", "1abc", "a b", "ana<script>", &"a".repeat(33)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
