//! Downstream: what the city hub sends a kiosk. Counsel (or another account
//! on the hub) acknowledges an encounter or records an instruction there;
//! the hub signs the command with its own key; the kiosk long-polls for its
//! facility's commands with a request signed by the facility key, checks
//! each command against the hub key in `[hub]`, applies it through the desk
//! (journaled as from the hub, with the account that sent it), and reports
//! how each went with its next poll.

use super::verify;
use crate::domain::role::Role;
use serde::{Deserialize, Serialize};

/// The command format's name, in the command and its signed statement.
pub const COMMAND_FORMAT: &str = "threshold-command/1";
/// The poll format's name.
pub const POLL_FORMAT: &str = "threshold-poll/1";
/// The longest a poll is held open by the hub.
pub const MAX_WAIT_MS: u64 = 25_000;
/// How far a poll's time may be from the hub's clock.
pub const POLL_SKEW_S: i64 = 300;
/// The most commands one answer carries.
pub const MAX_COMMANDS: i64 = 50;

/// What a command does on the kiosk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Action {
    /// The account acknowledges the encounter's page.
    Acknowledge,
    /// The account records counsel's instruction for the desk.
    Instruct { text: String },
    /// The account adds a note to the encounter's record.
    Note { text: String },
    /// The account answers a question of the warrant checklist.
    Checklist {
        item: String,
        answer: crate::domain::encounter::ChecklistAnswer,
    },
}

impl Action {
    pub fn token(&self) -> &'static str {
        match self {
            Action::Acknowledge => "acknowledge",
            Action::Instruct { .. } => "instruct",
            Action::Note { .. } => "note",
            Action::Checklist { .. } => "checklist",
        }
    }
}

/// A command signed by the hub. (Unknown fields are ignored: the action
/// is flattened into it, which serde cannot combine with refusing them;
/// the signature covers every field that counts.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Command {
    pub format: String,
    /// The hub's id, increasing per hub database.
    pub id: i64,
    pub facility: String,
    /// The encounter's reference, as in `E-7K2M9Q4P`.
    pub encounter: String,
    #[serde(flatten)]
    pub action: Action,
    /// The hub account that sent it (the name recorded on the kiosk).
    pub by: String,
    /// The account's role, when it has one the kiosk's rules know (an
    /// acknowledgement by counsel counts as counsel's).
    pub role: Option<Role>,
    pub issued_at: String,
    /// Ed25519 of the hub over [`Command::statement`], hex.
    pub signature: String,
}

impl Command {
    /// What the hub's signature covers.
    pub fn statement(&self) -> String {
        format!(
            "{COMMAND_FORMAT}\nid {}\nfacility {}\nencounter {}\nby {}\nrole {}\nissued {}\n{}",
            self.id,
            self.facility,
            self.encounter,
            self.by,
            self.role.map_or("none", Role::token),
            self.issued_at,
            serde_json::to_string(&self.action).unwrap_or_default()
        )
    }

    /// Sign with `sign` (the hub's key).
    pub fn sign(mut self, sign: impl FnOnce(&str) -> String) -> Command {
        self.format = COMMAND_FORMAT.into();
        self.signature = sign(&self.statement());
        self
    }

    /// Whether the hub whose key is `hub` sent it to `facility`; `Err`
    /// says why not.
    pub fn check(&self, hub: &[u8; 32], facility: &str) -> Result<(), String> {
        if self.format != COMMAND_FORMAT {
            return Err(format!(
                "command {} is in format `{}`, not {COMMAND_FORMAT}",
                self.id, self.format
            ));
        }
        if self.facility != facility {
            return Err(format!(
                "command {} is for facility `{}`, not this one (`{facility}`)",
                self.id, self.facility
            ));
        }
        if !verify(hub, &self.statement(), &self.signature) {
            return Err(format!(
                "command {} is not signed with the hub's key in [hub] public_key; not applied",
                self.id
            ));
        }
        Ok(())
    }
}

/// How a command went on the kiosk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Applied {
    pub id: i64,
    /// `applied`, or `refused: …` saying why (the encounter is closed, not
    /// known here, the command is not the hub's…).
    pub outcome: String,
}

/// A kiosk's request for its commands after `after`, with how the ones it
/// took since its last poll went; signed by the facility key.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Poll {
    pub format: String,
    pub facility: String,
    pub after: i64,
    #[serde(default)]
    pub applied: Vec<Applied>,
    /// How long the hub may hold the request open for a command.
    pub wait_ms: u64,
    pub sent_at: String,
    pub signature: String,
}

impl Poll {
    /// A poll signed by `sign` (the facility key).
    pub fn signed(
        facility: &str,
        after: i64,
        applied: Vec<Applied>,
        wait_ms: u64,
        sent_at: &str,
        sign: impl FnOnce(&str) -> String,
    ) -> Poll {
        let mut p = Poll {
            format: POLL_FORMAT.into(),
            facility: facility.into(),
            after,
            applied,
            wait_ms,
            sent_at: sent_at.into(),
            signature: String::new(),
        };
        p.signature = sign(&p.statement());
        p
    }

    /// What the facility's signature covers.
    pub fn statement(&self) -> String {
        format!(
            "{POLL_FORMAT}\nfacility {}\nafter {}\nwait {}\nsent {}\n{}",
            self.facility,
            self.after,
            self.wait_ms,
            self.sent_at,
            serde_json::to_string(&self.applied).unwrap_or_default()
        )
    }

    /// Whether the facility whose key is `public` sent it, in the last few
    /// minutes of `now`.
    pub fn check(
        &self,
        public: &[u8; 32],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), String> {
        if self.format != POLL_FORMAT {
            return Err(format!(
                "the poll is in format `{}`, not {POLL_FORMAT}",
                self.format
            ));
        }
        if !verify(public, &self.statement(), &self.signature) {
            return Err(format!(
                "the poll is not signed with the key enrolled for `{}`",
                self.facility
            ));
        }
        let sent = chrono::DateTime::parse_from_rfc3339(&self.sent_at)
            .map_err(|_| format!("the poll's time `{}` is not RFC 3339", self.sent_at))?;
        if (now - sent.with_timezone(&chrono::Utc)).num_seconds().abs() > POLL_SKEW_S {
            return Err(format!(
                "the poll was sent at {} by the kiosk's clock, more than {} minutes from the hub's ({}): set the kiosk's clock (NTP)",
                self.sent_at,
                POLL_SKEW_S / 60,
                now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ));
        }
        Ok(())
    }
}

/// The hub's answer to a poll: the facility's commands after `after`, in
/// order (none when the wait ran out).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commands {
    pub commands: Vec<Command>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    /// A key as the tests need it: signs to hex, and its public half.
    struct Key(SigningKey);

    impl Key {
        fn new(seed: u8) -> (Key, [u8; 32]) {
            let k = SigningKey::from_bytes(&[seed; 32]);
            let public = k.verifying_key().to_bytes();
            (Key(k), public)
        }

        fn sign(&self, s: &str) -> String {
            hex::encode(self.0.sign(s.as_bytes()).to_bytes())
        }
    }

    fn command() -> Command {
        Command {
            format: String::new(),
            id: 7,
            facility: "tully-library".into(),
            encounter: "E-7K2M9Q4P".into(),
            action: Action::Instruct {
                text: "Do not consent.".into(),
            },
            by: "Rosa Delgado".into(),
            role: Some(Role::Counsel),
            issued_at: "2026-12-06T10:00:00.000Z".into(),
            signature: String::new(),
        }
    }

    #[test]
    fn a_command_is_applied_only_as_the_hub_signed_it_for_this_facility() {
        let (hub, public) = Key::new(1);
        let c = command().sign(|s| hub.sign(s));
        assert_eq!(c.check(&public, "tully-library"), Ok(()));
        assert!(c
            .check(&public, "other")
            .unwrap_err()
            .contains("not this one"));
        let json = serde_json::to_string(&c).unwrap();
        assert!(json.contains(r#""action":"instruct""#), "{json}");
        assert_eq!(serde_json::from_str::<Command>(&json).unwrap(), c);
        let mut changed = c.clone();
        changed.action = Action::Instruct {
            text: "Consent.".into(),
        };
        assert!(changed
            .check(&public, "tully-library")
            .unwrap_err()
            .contains("not signed"));
        let mut promoted = c.clone();
        promoted.role = None;
        assert!(promoted.check(&public, "tully-library").is_err());
        let (other, _) = Key::new(2);
        let forged = command().sign(|s| other.sign(s));
        assert!(forged.check(&public, "tully-library").is_err());
    }

    #[test]
    fn a_poll_is_the_facility_s_and_recent() {
        let (k, public) = Key::new(3);
        let now = chrono::Utc::now();
        let at = now.to_rfc3339();
        let applied = vec![Applied {
            id: 7,
            outcome: "applied".into(),
        }];
        let p = Poll::signed("f", 6, applied, 25_000, &at, |s| k.sign(s));
        assert_eq!(p.check(&public, now), Ok(()));
        assert!(p
            .check(&public, now + chrono::Duration::minutes(10))
            .unwrap_err()
            .contains("NTP"));
        let mut later = p.clone();
        later.after = 7;
        assert!(later.check(&public, now).is_err());
    }
}
