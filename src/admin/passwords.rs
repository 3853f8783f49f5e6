//! Passwords: Argon2id hashes (PHC strings), the rules for new ones, and
//! the checker that sign-ins queue for.
//!
//! Each check takes 19 MiB and a core for a moment. They run on a few
//! threads of their own, each with one block of Argon2 memory allocated
//! once and reused, so the checks never hold more than [`CHECKERS`] blocks.
//! (On the blocking pool, each check allocated its own 19 MiB, and glibc
//! kept the freed blocks in its per-thread arenas: 250 sign-ins at once
//! left the process at 400 to 600 MB.) A sign-in that cannot get a checker
//! within [`CHECK_WAIT`] is answered "busy" (429).

use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, PasswordVerifier, Version};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use subtle::ConstantTimeEq;

/// Passwords are at least this long.
pub const MIN_PASSWORD: usize = 12;
/// Password checks running at once, at most.
pub const CHECKERS: usize = 2;
/// Checks waiting for a checker, at most.
const QUEUE: usize = 8;
/// How long a sign-in waits for its place in the queue.
pub const CHECK_WAIT: Duration = Duration::from_secs(3);

/// An Argon2id PHC string for `password`.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("Argon2 with default parameters hashes any input")
        .to_string()
}

/// Why a new password was refused.
pub fn check_password(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_PASSWORD {
        return Err(format!("the password is {n} characters; use at least {MIN_PASSWORD} (a few unrelated words make a good one)"));
    }
    if n > 256 || password.chars().any(char::is_control) {
        return Err(
            "the password must be at most 256 characters without control characters".into(),
        );
    }
    Ok(())
}

/// Whether `password` matches `hash`. Unknown accounts are checked against
/// a dummy hash so that their answer takes as long as a real one.
pub fn password_matches(hash: Option<&str>, password: &str) -> bool {
    let candidate = hash.unwrap_or_else(|| dummy());
    let ok = PasswordHash::new(candidate)
        .map(|h| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false);
    ok && hash.is_some()
}

/// The dummy hash unknown accounts are checked against.
fn dummy() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("no such account"))
}

/// [`password_matches`] with the Argon2 memory in `memory` (grown to the
/// hash's cost the first time, then reused).
fn matches_with(memory: &mut Vec<Block>, hash: Option<&str>, password: &str) -> bool {
    let candidate = hash.unwrap_or_else(|| dummy());
    let Ok(phc) = PasswordHash::new(candidate) else {
        return false;
    };
    let (Ok(params), Ok(algorithm)) = (Params::try_from(&phc), Algorithm::try_from(phc.algorithm))
    else {
        return false;
    };
    let version = phc
        .version
        .map_or(Ok(Version::default()), Version::try_from);
    let (Ok(version), Some(salt), Some(expected)) = (version, phc.salt, phc.hash) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    // Well beyond the default (19 MiB); a hash asking for more is refused
    // rather than allowed to grow the checker without bound.
    let blocks = params.block_count();
    if blocks > 64 * 1024 {
        return false;
    }
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    let ok = Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut memory[..blocks])
        .is_ok()
        && bool::from(out.as_slice().ct_eq(expected.as_bytes()));
    ok && hash.is_some()
}

struct Job {
    hash: Option<String>,
    password: String,
    answer: tokio::sync::oneshot::Sender<bool>,
}

/// The password checkers: [`CHECKERS`] threads and a short queue.
pub struct Checkers {
    queue: tokio::sync::mpsc::Sender<Job>,
}

impl Default for Checkers {
    fn default() -> Self {
        Checkers::start(CHECKERS)
    }
}

impl Checkers {
    /// Start `threads` checker threads.
    pub fn start(threads: usize) -> Checkers {
        let (queue, jobs) = tokio::sync::mpsc::channel::<Job>(QUEUE);
        let jobs = Arc::new(Mutex::new(jobs));
        for i in 0..threads {
            let jobs = jobs.clone();
            let started = std::thread::Builder::new()
                .name(format!("threshold-password-{i}"))
                .spawn(move || {
                    let mut memory = Vec::new();
                    loop {
                        // One thread waits for the next job; the other
                        // waits for the lock. Both end when the web does.
                        let job = match jobs.lock() {
                            Ok(mut j) => j.blocking_recv(),
                            Err(_) => None,
                        };
                        let Some(job) = job else { return };
                        let ok = matches_with(&mut memory, job.hash.as_deref(), &job.password);
                        let _ = job.answer.send(ok);
                    }
                });
            if let Err(e) = started {
                tracing::error!(error = %e, "cannot start a password checker thread");
            }
        }
        Checkers { queue }
    }

    /// Whether `password` matches `hash` (see [`password_matches`]), or
    /// `None` when the checkers are too busy to take it within
    /// [`CHECK_WAIT`].
    pub async fn check(&self, hash: Option<String>, password: String) -> Option<bool> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job = Job {
            hash,
            password,
            answer,
        };
        tokio::time::timeout(CHECK_WAIT, self.queue.send(job))
            .await
            .ok()?
            .ok()?;
        answered.await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery");
        assert!(password_matches(Some(&h), "correct horse battery"));
        assert!(!password_matches(Some(&h), "correct horse batter"));
        assert!(!password_matches(None, "correct horse battery"));
        assert!(check_password("short").is_err());
        assert!(check_password("long enough passphrase").is_ok());
    }

    #[tokio::test]
    async fn the_checkers_answer_and_say_when_they_are_busy() {
        let c = Checkers::start(1);
        let h = hash_password("correct horse battery");
        assert_eq!(
            c.check(Some(h.clone()), "correct horse battery".into())
                .await,
            Some(true)
        );
        assert_eq!(c.check(Some(h), "wrong".into()).await, Some(false));
        assert_eq!(c.check(None, "anything".into()).await, Some(false));
        // The reused memory gives the same answers as the crate's verifier.
        let mut memory = Vec::new();
        let h = hash_password("correct horse battery");
        for (pw, ok) in [
            ("correct horse battery", true),
            ("correct horse batter", false),
        ] {
            assert_eq!(matches_with(&mut memory, Some(&h), pw), ok);
            assert_eq!(password_matches(Some(&h), pw), ok);
        }
        assert!(!matches_with(&mut memory, Some("$argon2id$nonsense"), "x"));
        assert!(!matches_with(&mut memory, None, "no such account"));
    }
}
