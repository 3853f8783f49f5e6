//! Who may open staff mode: a PIN checked against each staff member's
//! Argon2 hash, or a badge code against its SHA-256; five failures in a
//! row lock staff mode for five minutes.

use crate::config::StaffMember;
use argon2::{PasswordHash, PasswordVerifier};
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

/// Failures in a row that lock staff mode.
pub const MAX_FAILURES: u32 = 5;
/// How long staff mode stays locked.
pub const LOCKOUT: Duration = Duration::from_secs(5 * 60);

/// What an attempt to open staff mode came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// The staff member's name, recorded on everything they do.
    Open(String),
    /// Wrong; this many tries are left before the lock.
    Wrong { left: u32 },
    /// Locked; this much longer.
    Locked { remaining: Duration },
}

/// The lock on staff mode.
#[derive(Debug, Default)]
pub struct StaffGate {
    failures: u32,
    locked_until: Option<Instant>,
}

impl StaffGate {
    /// Check a PIN typed on the keypad.
    pub fn pin(&mut self, staff: &[StaffMember], pin: &str, now: Instant) -> Gate {
        self.attempt(now, || {
            staff.iter().find(|s| {
                PasswordHash::new(&s.pin_hash).is_ok_and(|h| {
                    argon2::Argon2::default()
                        .verify_password(pin.as_bytes(), &h)
                        .is_ok()
                })
            })
        })
    }

    /// Check a badge read by the scanner.
    pub fn badge(&mut self, staff: &[StaffMember], code: &str, now: Instant) -> Gate {
        let digest = hex::encode(Sha256::digest(code.trim().as_bytes()));
        self.attempt(now, || {
            staff.iter().find(|s| {
                s.badge_sha256
                    .as_deref()
                    .is_some_and(|b| b.eq_ignore_ascii_case(&digest))
            })
        })
    }

    /// The time left on the lock, if locked.
    pub fn locked(&self, now: Instant) -> Option<Duration> {
        self.locked_until
            .and_then(|until| until.checked_duration_since(now))
            .filter(|d| !d.is_zero())
    }

    fn attempt<'a>(
        &mut self,
        now: Instant,
        check: impl FnOnce() -> Option<&'a StaffMember>,
    ) -> Gate {
        if let Some(remaining) = self.locked(now) {
            return Gate::Locked { remaining };
        }
        match check() {
            Some(s) => {
                self.failures = 0;
                self.locked_until = None;
                Gate::Open(s.name.clone())
            }
            None => {
                self.failures += 1;
                if self.failures >= MAX_FAILURES {
                    self.failures = 0;
                    self.locked_until = Some(now + LOCKOUT);
                    tracing::warn!(
                        "staff mode locked for five minutes after five wrong PINs or badges"
                    );
                    Gate::Locked { remaining: LOCKOUT }
                } else {
                    Gate::Wrong {
                        left: MAX_FAILURES - self.failures,
                    }
                }
            }
        }
    }
}

/// An Argon2id PHC string for `pin`, for `[[kiosk.staff]] pin_hash`.
pub fn hash_pin(pin: &str) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2::Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .expect("Argon2 with default parameters hashes any input")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staff() -> Vec<StaffMember> {
        vec![StaffMember {
            name: "Dana Whitfield".into(),
            pin_hash: hash_pin("2468"),
            badge_sha256: Some(hex::encode(Sha256::digest(b"BADGE-0042"))),
        }]
    }

    #[test]
    fn the_right_pin_or_badge_opens_and_names_the_staff_member() {
        let s = staff();
        let mut g = StaffGate::default();
        let now = Instant::now();
        assert_eq!(g.pin(&s, "2468", now), Gate::Open("Dana Whitfield".into()));
        assert_eq!(
            g.badge(&s, "BADGE-0042\r", now),
            Gate::Open("Dana Whitfield".into())
        );
        assert_eq!(g.badge(&s, "BADGE-0043", now), Gate::Wrong { left: 4 });
    }

    #[test]
    fn five_wrong_pins_lock_for_five_minutes_even_against_the_right_pin() {
        let s = staff();
        let mut g = StaffGate::default();
        let t0 = Instant::now();
        for left in (1..5).rev() {
            assert_eq!(g.pin(&s, "0000", t0), Gate::Wrong { left });
        }
        assert_eq!(g.pin(&s, "0000", t0), Gate::Locked { remaining: LOCKOUT });
        let later = t0 + Duration::from_secs(299);
        assert!(matches!(g.pin(&s, "2468", later), Gate::Locked { .. }));
        let after = t0 + LOCKOUT;
        assert_eq!(
            g.pin(&s, "2468", after),
            Gate::Open("Dana Whitfield".into())
        );
        // A success clears the count: four more wrong ones do not lock.
        for _ in 0..4 {
            assert!(matches!(g.pin(&s, "1", after), Gate::Wrong { .. }));
        }
    }
}
