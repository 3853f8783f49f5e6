//! The two webs that share one sign-in: the facility's admin web (on the
//! kiosk, accounts in SQLite) and the city's web (on the hub, accounts in
//! PostgreSQL). [`super::auth`] holds the sign-in, sessions, CSRF and the
//! limits once; each web says here where its accounts and sessions live,
//! what its pages are called and whom it lets in.

use super::chrome::WebError;
use super::{passwords, throttle};
use crate::domain::account::{AccountRole, Scope};
use crate::domain::language::Language;
use std::future::Future;
use std::sync::Mutex;

/// Which web a page belongs to: its navigation differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A facility's admin web, on its kiosk.
    Facility,
    /// The city's web, on the hub.
    City,
}

/// A live session, as the account store found it.
#[derive(Debug, Clone)]
pub struct Signed {
    pub user: String,
    pub role: AccountRole,
    /// The token every form of this session must carry.
    pub csrf: String,
    /// Seconds before it ends for want of activity.
    pub idle_left_s: u64,
    /// The facilities the account sees (a kiosk's accounts see their own).
    pub scope: Scope,
}

/// The state both webs' sign-in shares: limits, password checkers, known
/// browsers, proxies and cookie rules. In memory: a restart forgets the
/// limits and the known browsers, never an account or a session.
pub struct Web {
    /// Sign-in limits, counted before passwords are checked.
    pub(super) throttle: Mutex<throttle::Throttle>,
    /// The password checkers sign-ins queue for.
    pub(super) checkers: passwords::Checkers,
    /// Browsers that signed in before.
    pub(super) devices: super::auth::Devices,
    /// When each reader's dashboard view was last journaled.
    pub(super) dashboard_views: Mutex<std::collections::HashMap<String, std::time::Instant>>,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub proxies: Vec<ipnet::IpNet>,
    /// Cookies are marked `Secure`, and HSTS sent, when browsers reach the
    /// server over HTTPS (its own, or a TLS proxy's).
    pub secure_cookies: bool,
}

impl Web {
    /// A web behind `proxies`, reached over HTTPS when `secure_cookies`.
    pub fn new(proxies: Vec<ipnet::IpNet>, secure_cookies: bool) -> Web {
        Web {
            throttle: Mutex::new(throttle::Throttle::default()),
            checkers: passwords::Checkers::default(),
            devices: super::auth::Devices::default(),
            dashboard_views: Mutex::default(),
            proxies,
            secure_cookies,
        }
    }

    /// The sign-in limits, locked.
    pub(super) fn throttle(&self) -> std::sync::MutexGuard<'_, throttle::Throttle> {
        self.throttle.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether `user`'s dashboard view should be journaled now: always
    /// when the reader `asked` for the page, else once per `every`, so a
    /// page that reloads itself does not flood the journal.
    pub fn dashboard_view_due(&self, user: &str, asked: bool, every: std::time::Duration) -> bool {
        let now = std::time::Instant::now();
        let mut seen = self
            .dashboard_views
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let due = asked
            || seen
                .get(user)
                .is_none_or(|t| now.saturating_duration_since(*t) >= every);
        if due {
            seen.insert(user.to_string(), now);
        }
        due
    }
}

/// What a web gives the shared sign-in.
pub trait Site: Clone + Send + Sync + 'static {
    /// The shared sign-in state.
    fn web(&self) -> &Web;
    /// Which web this is.
    fn kind(&self) -> Kind;
    /// The name in every page's header (the facility's, or the city's).
    fn name(&self) -> String;
    /// The language a reader gets when neither they nor their browser
    /// choose one.
    fn first_language(&self) -> Language;
    /// Local times on the pages are in this zone.
    fn timezone(&self) -> chrono_tz::Tz;
    /// Whether accounts of `role` see this web's pages.
    fn admits(&self, role: AccountRole) -> bool;
    /// Account `name`'s role and password hash (none for an account that
    /// is disabled or has no password).
    fn account(
        &self,
        name: String,
    ) -> impl Future<Output = Result<Option<(AccountRole, Option<String>)>, WebError>> + Send;
    /// Open a session for `name` (journaling the sign-in); its token.
    fn open_session(&self, name: String) -> impl Future<Output = Result<String, WebError>> + Send;
    /// The live session behind `token`, kept alive when `activity`.
    fn session(
        &self,
        token: String,
        activity: bool,
    ) -> impl Future<Output = Result<Option<Signed>, WebError>> + Send;
    /// End the session behind `token`.
    fn close_session(&self, token: String) -> impl Future<Output = Result<(), WebError>> + Send;
}
