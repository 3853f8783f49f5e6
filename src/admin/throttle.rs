//! Sign-in limits. A guess is counted *before* its password is checked:
//! the attempt is reserved under the lock, so a burst of parallel guesses
//! gets no more checks than the limit, and a success takes its reservation
//! back.
//!
//! - Per client network (an IPv4 address or an IPv6 /64): at most
//!   [`PER_CLIENT`] failures in [`WINDOW`], then refused until the window
//!   moves on. This is about the guesser, not the account.
//! - Per account: no lockout, which strangers could use to keep the owner
//!   out, but growing delays: [`FREE`] attempts at once, then 1 s, 2 s, 4 s
//!   … up to [`MAX_DELAY`] between attempts.
//! - A browser that signed in to the account before (a signed "known
//!   device" cookie) has delays of its own: strangers guessing the account
//!   from elsewhere do not slow its owner.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Failures are remembered this long.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failures allowed per client network in the window.
pub const PER_CLIENT: usize = 20;
/// Attempts on an account (or a known device) before delays start.
pub const FREE: u32 = 3;
/// The longest delay between attempts on one account.
pub const MAX_DELAY: Duration = Duration::from_secs(60);

/// Whose attempts are delayed together.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Bucket {
    /// Every attempt on the account from a browser not known to it.
    Account(String),
    /// Attempts from one browser that signed in to the account before.
    Device { account: String, device: String },
}

#[derive(Debug, Clone, Copy)]
struct Backoff {
    failures: u32,
    not_before: Instant,
    last: Instant,
}

/// Why an attempt is not evaluated, and how long until it may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Too many failures from this client network.
    Client(Duration),
    /// The account's (or this device's) next attempt is not due yet.
    Account(Duration),
}

impl Refusal {
    pub fn wait(self) -> Duration {
        match self {
            Refusal::Client(d) | Refusal::Account(d) => d,
        }
    }

    /// What the sign-in page says, in `lang`: how long to wait, rounded
    /// up (a browser that waits as told is not refused again).
    pub fn message(self, lang: crate::domain::language::Language) -> String {
        match self {
            Refusal::Client(wait) => crate::msgn_in!(
                lang,
                "Too many failed sign-ins from this network. Wait {n} minute, then try again.",
                "Too many failed sign-ins from this network. Wait {n} minutes, then try again.",
                wait.as_secs().div_ceil(60).max(1)
            ),
            Refusal::Account(wait) => crate::msgn_in!(
                lang,
                "This account had several failed sign-ins. Wait {n} second, then try again.",
                "This account had several failed sign-ins. Wait {n} seconds, then try again.",
                whole_seconds(wait)
            ),
        }
    }
}

/// `wait` in whole seconds, rounded up, at least 1 (for `Retry-After`).
pub fn whole_seconds(wait: Duration) -> u64 {
    wait.as_millis().div_ceil(1000).max(1) as u64
}

/// An attempt counted in advance.
#[derive(Debug)]
pub struct Reservation {
    bucket: Bucket,
    client: Option<IpAddr>,
    at: Instant,
}

/// The delay before the attempt after `failures` failures.
pub fn delay(failures: u32) -> Duration {
    if failures <= FREE {
        return Duration::ZERO;
    }
    let doublings = (failures - FREE - 1).min(16);
    Duration::from_secs(1u64 << doublings).min(MAX_DELAY)
}

/// The sign-in limits' state (in memory: a restart forgets it).
#[derive(Default)]
pub struct Throttle {
    clients: HashMap<IpAddr, VecDeque<Instant>>,
    buckets: HashMap<Bucket, Backoff>,
}

impl Throttle {
    fn trim(&mut self, now: Instant) {
        self.clients.retain(|_, q| {
            while q
                .front()
                .is_some_and(|t| now.saturating_duration_since(*t) > WINDOW)
            {
                q.pop_front();
            }
            !q.is_empty()
        });
        self.buckets
            .retain(|_, b| now.saturating_duration_since(b.last) <= WINDOW);
    }

    /// Count an attempt on `bucket` from `client` (a network, see
    /// [`super::client::network_of`]) now, or say why not.
    pub fn reserve(
        &mut self,
        bucket: Bucket,
        client: Option<IpAddr>,
        now: Instant,
    ) -> Result<Reservation, Refusal> {
        self.trim(now);
        if let Some(q) = client.and_then(|c| self.clients.get(&c)) {
            if q.len() >= PER_CLIENT {
                let oldest = q[q.len() - PER_CLIENT];
                return Err(Refusal::Client(
                    WINDOW.saturating_sub(now.saturating_duration_since(oldest)),
                ));
            }
        }
        let b = self.buckets.entry(bucket.clone()).or_insert(Backoff {
            failures: 0,
            not_before: now,
            last: now,
        });
        if now < b.not_before {
            return Err(Refusal::Account(b.not_before - now));
        }
        b.failures += 1;
        b.last = now;
        b.not_before = now + delay(b.failures);
        if let Some(c) = client {
            self.clients.entry(c).or_default().push_back(now);
        }
        Ok(Reservation {
            bucket,
            client,
            at: now,
        })
    }

    /// The password was right: forget the bucket's failures and take the
    /// attempt back from the client's.
    pub fn succeeded(&mut self, r: Reservation) {
        self.buckets.remove(&r.bucket);
        self.unclient(&r);
    }

    /// The password was wrong: the delay runs from now, when the failure
    /// is known, not from when the attempt began (a slow password check
    /// must not use up the wait).
    pub fn failed(&mut self, r: &Reservation, now: Instant) {
        if let Some(b) = self.buckets.get_mut(&r.bucket) {
            b.not_before = b.not_before.max(now + delay(b.failures));
        }
    }

    /// The attempt was never evaluated (the server was busy): take it back.
    pub fn released(&mut self, r: Reservation) {
        if let Some(b) = self.buckets.get_mut(&r.bucket) {
            b.failures = b.failures.saturating_sub(1);
            b.not_before = b.not_before.min(r.at);
        }
        self.unclient(&r);
    }

    fn unclient(&mut self, r: &Reservation) {
        if let Some(q) = r.client.and_then(|c| self.clients.get_mut(&c)) {
            if let Some(i) = q.iter().rposition(|t| *t == r.at) {
                q.remove(i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(a: &str) -> Bucket {
        Bucket::Account(a.into())
    }

    #[test]
    fn the_delay_runs_from_when_the_failure_is_known() {
        let mut t = Throttle::default();
        let t0 = Instant::now();
        for _ in 0..FREE {
            let r = t.reserve(account("carl"), None, t0).unwrap();
            t.failed(&r, t0);
        }
        // The fourth wrong password took 3 s to check: its 1 s wait
        // starts when it is known.
        let r = t.reserve(account("carl"), None, t0).unwrap();
        t.failed(&r, t0 + Duration::from_secs(3));
        let at = t0 + Duration::from_millis(3500);
        assert!(matches!(
            t.reserve(account("carl"), None, at),
            Err(Refusal::Account(w)) if w == Duration::from_millis(500)
        ));
        assert!(t
            .reserve(account("carl"), None, t0 + Duration::from_secs(4))
            .is_ok());
    }

    #[test]
    fn delays_grow_to_a_minute_and_never_lock() {
        assert_eq!(delay(1), Duration::ZERO);
        assert_eq!(delay(FREE), Duration::ZERO);
        assert_eq!(delay(FREE + 1), Duration::from_secs(1));
        assert_eq!(delay(FREE + 2), Duration::from_secs(2));
        assert_eq!(delay(FREE + 3), Duration::from_secs(4));
        assert_eq!(delay(FREE + 40), MAX_DELAY);
    }

    #[test]
    fn a_burst_gets_no_more_checks_than_the_limit() {
        let mut t = Throttle::default();
        let now = Instant::now();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let let_in = (0..40)
            .filter(|_| t.reserve(account("ana"), Some(ip), now).is_ok())
            .count();
        assert_eq!(let_in, FREE as usize + 1);
        // The next attempt waits for the delay, not for a lockout.
        let later = now + Duration::from_secs(1);
        assert!(t.reserve(account("ana"), Some(ip), later).is_ok());
        assert!(matches!(
            t.reserve(account("ana"), Some(ip), later),
            Err(Refusal::Account(d)) if d == Duration::from_secs(2)
        ));
    }

    #[test]
    fn strangers_do_not_slow_a_known_device_and_a_client_is_capped() {
        let mut t = Throttle::default();
        let mut now = Instant::now();
        // Strangers from many networks guess ana's password for a while.
        for i in 0..30u8 {
            let ip: IpAddr = format!("198.51.100.{i}").parse().unwrap();
            let _ = t.reserve(account("ana"), Some(ip), now);
            now += Duration::from_secs(2);
        }
        assert!(t.reserve(account("ana"), None, now).is_err());
        // Her own browser is not slowed, and her success keeps it so.
        let mine = Bucket::Device {
            account: "ana".into(),
            device: "d1".into(),
        };
        let home: IpAddr = "203.0.113.5".parse().unwrap();
        let r = t.reserve(mine.clone(), Some(home), now).unwrap();
        t.succeeded(r);
        assert!(t.reserve(mine, Some(home), now).is_ok());
        // One network: 20 failures over many accounts, then refused.
        let one: IpAddr = "192.0.2.9".parse().unwrap();
        for i in 0..PER_CLIENT {
            assert!(t.reserve(account(&format!("u{i}")), Some(one), now).is_ok());
        }
        assert!(matches!(
            t.reserve(account("other"), Some(one), now),
            Err(Refusal::Client(_))
        ));
        // The window moves on.
        assert!(t
            .reserve(
                account("other"),
                Some(one),
                now + WINDOW + Duration::from_secs(1)
            )
            .is_ok());
    }

    #[test]
    fn an_attempt_never_evaluated_is_taken_back() {
        let mut t = Throttle::default();
        let now = Instant::now();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..FREE + 1 {
            let r = t.reserve(account("ana"), Some(ip), now).unwrap();
            t.released(r);
        }
        assert!(t.reserve(account("ana"), Some(ip), now).is_ok());
        assert_eq!(t.clients[&ip].len(), 1);
    }
}
