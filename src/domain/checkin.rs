//! Visitor check-ins: as little data as possible.
//!
//! A visitor gives a purpose and, if they wish, a first name or initials and
//! the person they are here to see. Nothing else is asked or stored: no
//! surname, no ID number, never immigration status or country of origin.

use crate::domain::language::Language;

/// The longest first name or set of initials accepted.
pub const MAX_NAME_CHARS: usize = 24;
/// The longest host text accepted.
pub const MAX_HOST_CHARS: usize = 60;

/// A visitor check-in as entered, before it is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitorCheckIn {
    /// One of the facility's configured purposes.
    pub purpose: String,
    /// A first name or initials, or nothing.
    pub name: Option<String>,
    /// The staff member, program or room the visitor is here for.
    pub host: Option<String>,
    /// The language the visitor used.
    pub language: Language,
    /// The entrance the visitor came through.
    pub entrance: String,
}

/// Why a visitor's entry was refused. Each message says what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckInRefused {
    #[error("{}", crate::msg!("unknown purpose `{found}`; allowed: {allowed}", found = .found, allowed = .allowed))]
    UnknownPurpose { found: String, allowed: String },
    #[error("{}", crate::msg!("unknown entrance `{found}`; allowed: {allowed}", found = .found, allowed = .allowed))]
    UnknownEntrance { found: String, allowed: String },
    #[error("{}", crate::msg!("name: give a first name or initials only, one word, no surname (found {words} words)", words = .words))]
    NameNotOneWord { words: usize },
    #[error("{}", crate::msg!("name: at most {limit} characters (found {found})", limit = MAX_NAME_CHARS, found = .found))]
    NameTooLong { found: usize },
    #[error("{}", crate::msg!("name: letters, initials, hyphens and apostrophes only; visitors are never asked for numbers"))]
    NameHasNonLetters,
    #[error("{}", crate::msg!("host: at most {limit} characters (found {found})", limit = MAX_HOST_CHARS, found = .found))]
    HostTooLong { found: usize },
    #[error("{}", crate::msg!("{field}: this looks like an ID number; visitors are never asked for ID numbers, remove it", field = .field))]
    LooksLikeIdNumber { field: &'static str },
    #[error("{}", crate::msg!("{field}: control characters are not allowed", field = .field))]
    ControlCharacters { field: &'static str },
}

impl VisitorCheckIn {
    /// Normalise the optional fields (trim; empty means absent) and check the
    /// entry against the data-minimisation rules and the facility's lists.
    pub fn validate(
        mut self,
        purposes: &[String],
        entrances: &[String],
    ) -> Result<VisitorCheckIn, CheckInRefused> {
        if !purposes.contains(&self.purpose) {
            return Err(CheckInRefused::UnknownPurpose {
                found: self.purpose,
                allowed: purposes.join(", "),
            });
        }
        if !entrances.contains(&self.entrance) {
            return Err(CheckInRefused::UnknownEntrance {
                found: self.entrance,
                allowed: entrances.join(", "),
            });
        }
        self.name = normalise(self.name);
        self.host = normalise(self.host);
        if let Some(name) = &self.name {
            check_name(name)?;
        }
        if let Some(host) = &self.host {
            check_free_text("host", host)?;
            let n = host.chars().count();
            if n > MAX_HOST_CHARS {
                return Err(CheckInRefused::HostTooLong { found: n });
            }
        }
        Ok(self)
    }
}

/// Purposes with labels built in, in every kiosk language.
pub const BUILTIN_PURPOSES: [&str; 7] = [
    "appointment",
    "program",
    "meeting-room",
    "services",
    "permits",
    "payments",
    "other",
];

/// The built-in label of `purpose` in `lang`, if it is built in.
pub fn builtin_purpose_label(purpose: &str, lang: Language) -> Option<&'static str> {
    let en = match purpose {
        "appointment" => "An appointment",
        "program" => "A program or class",
        "meeting-room" => "A meeting room",
        "services" => "City services",
        "permits" => "Permits",
        "payments" => "Payments",
        "other" => "Something else",
        _ => return None,
    };
    Some(super::catalogue::tr(lang, en))
}

fn normalise(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn check_name(name: &str) -> Result<(), CheckInRefused> {
    check_free_text("name", name)?;
    let words = name.split_whitespace().count();
    if words > 1 {
        return Err(CheckInRefused::NameNotOneWord { words });
    }
    let n = name.chars().count();
    if n > MAX_NAME_CHARS {
        return Err(CheckInRefused::NameTooLong { found: n });
    }
    if !name
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, '.' | '-' | '\'' | '’'))
    {
        return Err(CheckInRefused::NameHasNonLetters);
    }
    Ok(())
}

/// Refuse control characters and digit runs that look like an ID number:
/// five or more digits, ignoring the spaces, dashes, dots, slashes and
/// underscores people write between groups ("no. 123.45.6789", "A 123-456
/// 789"); full-width digits count as digits.
pub fn check_free_text(field: &'static str, text: &str) -> Result<(), CheckInRefused> {
    if text.chars().any(char::is_control) {
        return Err(CheckInRefused::ControlCharacters { field });
    }
    let mut run = 0;
    for c in text.chars() {
        if c.is_ascii_digit() || ('０'..='９').contains(&c) {
            run += 1;
            if run >= 5 {
                return Err(CheckInRefused::LooksLikeIdNumber { field });
            }
        } else if !(c.is_whitespace()
            || matches!(
                c,
                '-' | '.' | '/' | '_' | '‐' | '‑' | '‒' | '–' | '—' | '·' | '・' | '。' | '．'
            ))
        {
            run = 0;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: Option<&str>, host: Option<&str>) -> VisitorCheckIn {
        VisitorCheckIn {
            purpose: "appointment".into(),
            name: name.map(Into::into),
            host: host.map(Into::into),
            language: Language::Vietnamese,
            entrance: "main".into(),
        }
    }

    fn check(e: VisitorCheckIn) -> Result<VisitorCheckIn, CheckInRefused> {
        e.validate(&["appointment".into()], &["main".into()])
    }

    #[test]
    fn first_names_and_initials_pass() {
        for name in ["Lan", "J.D.", "Mary-Ann", "Nguyệt", "小明", "O'Neil"] {
            assert!(check(entry(Some(name), None)).is_ok(), "{name}");
        }
        let e = check(entry(Some("  "), Some(" Ms. Ortiz "))).unwrap();
        assert_eq!(e.name, None);
        assert_eq!(e.host.as_deref(), Some("Ms. Ortiz"));
    }

    #[test]
    fn surnames_numbers_and_ids_are_refused() {
        assert_eq!(
            check(entry(Some("Lan Nguyen"), None)),
            Err(CheckInRefused::NameNotOneWord { words: 2 })
        );
        assert_eq!(
            check(entry(Some("Lan2"), None)),
            Err(CheckInRefused::NameHasNonLetters)
        );
        assert_eq!(
            check(entry(None, Some("A 123-456-789"))),
            Err(CheckInRefused::LooksLikeIdNumber { field: "host" })
        );
        for id in [
            "no. 123.45.6789",
            "A 123 456 789",
            "A-123/456/789",
            "123_45_6789",
            "１２３４５６７８９",
            "12\u{00a0}34 5",
            "A–123–456",
        ] {
            assert_eq!(
                check(entry(None, Some(id))),
                Err(CheckInRefused::LooksLikeIdNumber { field: "host" }),
                "{id}"
            );
        }
        assert!(check(entry(None, Some("Room 12"))).is_ok());
        assert!(check(entry(None, Some("Ms. Ortiz, room 12, floor 3"))).is_ok());
        assert!(matches!(
            check(entry(None, Some("x".repeat(61).as_str()))),
            Err(CheckInRefused::HostTooLong { found: 61 })
        ));
    }

    #[test]
    fn purpose_and_entrance_must_be_configured() {
        let mut e = entry(None, None);
        e.purpose = "immigration".into();
        assert!(matches!(
            check(e),
            Err(CheckInRefused::UnknownPurpose { .. })
        ));
        let mut e = entry(None, None);
        e.entrance = "back".into();
        let err = check(e).unwrap_err();
        assert_eq!(err.to_string(), "unknown entrance `back`; allowed: main");
    }
}
