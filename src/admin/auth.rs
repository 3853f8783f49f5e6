//! Accounts, sign-in and sessions for the admin web.
//!
//! Passwords are Argon2id hashes. A session is a random token in an
//! HttpOnly, SameSite=Strict cookie; the server keeps only its SHA-256,
//! with the account, a CSRF token and the expiry (30 minutes idle, 12 hours
//! at most; the dashboard's automatic refresh does not count as activity).
//! Every form carries the session's CSRF token; the sign-in form carries a
//! token matching a short-lived cookie. Sign-in attempts are limited
//! before the password is checked (see [`super::throttle`]), and at most
//! [`super::passwords::CHECKERS`] password checks (Argon2, 19 MiB each) run
//! at once.

use super::chrome::{cookie, language, query_param, render, set_cookie, Chrome, WebError};
use super::client::{client_address, network_of};
use super::site::Site;
use super::throttle::Bucket;
use crate::domain::account::{AccountRole, Scope};
use askama::Template;
use axum::extract::{FromRequestParts, State};
use axum::http::header::{ACCEPT, LOCATION};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use axum_extra::extract::cookie::{Cookie, SameSite};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;

/// The session cookie.
pub const SESSION_COOKIE: &str = "th_session";
/// The sign-in form's CSRF cookie.
const LOGIN_COOKIE: &str = "th_login";
/// A browser that signed in to an account before: `account.id.mac`.
pub const DEVICE_COOKIE: &str = "th_device";
pub use super::passwords::{check_password, hash_password, MIN_PASSWORD};
/// The longest account field looked at (names are 32 at most).
const ACCOUNT_FIELD: usize = 64;

/// Compare two tokens in constant time; empty tokens never match.
pub fn same_token(a: &str, b: &str) -> bool {
    !a.is_empty() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// What the account field says, fit to be a limiter key and a log field:
/// trimmed, lower-cased, at most [`ACCOUNT_FIELD`] characters, control
/// characters dropped (a newline must not forge a log line).
pub fn account_field(raw: &str) -> String {
    raw.trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(ACCOUNT_FIELD)
        .collect::<String>()
        .to_lowercase()
}

/// Signs and checks "known device" cookies (key made at start: a restart
/// forgets every device, as it forgets the limits).
pub struct Devices {
    key: [u8; 32],
}

impl Default for Devices {
    fn default() -> Self {
        use rand::RngCore;
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        Devices { key }
    }
}

impl Devices {
    fn mac(&self, account: &str, id: &str) -> String {
        let mut m = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key");
        m.update(account.as_bytes());
        m.update(b".");
        m.update(id.as_bytes());
        hex::encode(m.finalize().into_bytes())
    }

    /// A new cookie value for `account`.
    pub fn issue(&self, account: &str) -> String {
        let id = &random_token()[..16];
        format!("{account}.{id}.{}", self.mac(account, id))
    }

    /// The device id in `value`, when it is a cookie this process signed
    /// for `account`.
    pub fn known(&self, value: &str, account: &str) -> Option<String> {
        let mut it = value.rsplitn(3, '.');
        let (mac, id, named) = (it.next()?, it.next()?, it.next()?);
        (named == account && same_token(mac, &self.mac(account, id))).then(|| id.to_string())
    }
}

/// A signed-in account allowed to review the record (counsel or manager).
pub struct Viewer {
    pub user: String,
    pub role: AccountRole,
    /// The facilities the account sees.
    pub scope: Scope,
    pub csrf: String,
    pub chrome: Chrome,
    /// The page reloaded itself (the dashboard's refresh), rather than the
    /// reader asking for it.
    pub refresh: bool,
}

impl Viewer {
    /// The frame for a page under navigation entry `nav`.
    pub fn chrome(&self, nav: &'static str, title: &str) -> Chrome {
        let mut c = self.chrome.clone();
        c.nav = nav;
        c.title = title.to_string();
        c
    }

    /// The audit entry for this reader viewing `what`.
    pub fn viewed(
        &self,
        what: crate::app::records::Viewing,
        page: Option<u32>,
        filter: Option<String>,
        cursor: Option<String>,
    ) -> crate::app::records::Viewed {
        crate::app::records::Viewed {
            user: self.user.clone(),
            role: Some(self.role),
            via: Default::default(),
            what,
            page,
            filter,
            cursor,
        }
    }

    /// The refusal for a form whose CSRF token is not this session's.
    pub fn csrf_refusal(&self, token: &str) -> Option<Response> {
        if same_token(token, &self.csrf) {
            None
        } else {
            let w = self.chrome.w;
            Some(
                self.chrome
                    .clone()
                    .message(StatusCode::FORBIDDEN, w.refused, w.csrf_failed),
            )
        }
    }

    /// The error page for `e` in the viewer's language.
    pub fn error(&self, e: WebError) -> Response {
        self.chrome.clone().error(e)
    }
}

/// What a request without a session gets: browsers are sent to sign in,
/// scripts get 401.
fn signed_out(parts: &Parts, chrome: Chrome, had_cookie: bool) -> Response {
    let wants_html = parts
        .headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if !wants_html {
        return (
            StatusCode::UNAUTHORIZED,
            "Sign in first: POST /login with account, password and the csrf value of GET /login (see the README's admin web section).\n",
        )
            .into_response();
    }
    let next = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("next", &next);
    if had_cookie {
        q.append_pair("expired", "1");
    }
    q.append_pair("lang", chrome.lang.code());
    (
        StatusCode::SEE_OTHER,
        [(LOCATION, format!("/login?{}", q.finish()))],
    )
        .into_response()
}

impl<S: Site> FromRequestParts<S> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let lang = language(parts, state);
        let mut chrome = Chrome::new(parts, state, lang);
        let token = cookie(&parts.headers, SESSION_COOKIE);
        let had_cookie = token.is_some();
        // The dashboard reloading itself is not the reader's activity: an
        // idle session still ends after its 30 minutes.
        let activity = query_param(parts, "refresh").is_none();
        let session = match token {
            Some(t) => state
                .session(t, activity)
                .await
                .map_err(|e| chrome.clone().error(e))?,
            None => None,
        };
        let Some(s) = session else {
            return Err(signed_out(parts, chrome, had_cookie));
        };
        chrome.user = Some((s.user.clone(), s.role));
        chrome.csrf = s.csrf.clone();
        chrome.session_left = Some(s.idle_left_s);
        if !state.admits(s.role) {
            let w = chrome.w;
            return Err(chrome.message(StatusCode::FORBIDDEN, w.refused, w.staff_refused));
        }
        Ok(Viewer {
            user: s.user,
            role: s.role,
            scope: s.scope,
            csrf: s.csrf,
            chrome,
            refresh: !activity,
        })
    }
}

/// The request's frame without a session (the sign-in page).
pub struct Anonymous(pub Chrome, pub Parts);

impl<S: Site> FromRequestParts<S> for Anonymous {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let lang = language(parts, state);
        Ok(Anonymous(Chrome::new(parts, state, lang), parts.clone()))
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    problem: String,
    account: String,
    next: String,
}

fn random_token() -> String {
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// Only paths on this site are followed after signing in: a path that
/// starts with one `/`, with no backslash, control or whitespace character
/// anywhere (browsers drop tabs and newlines and read `\\` as `/`, so
/// `/\t/evil.example` would leave the site), and that resolves to this
/// origin.
pub fn safe_next(next: &str) -> String {
    let plain = next.starts_with('/')
        && !next.starts_with("//")
        && !next
            .chars()
            .any(|c| c == '\\' || c.is_control() || c.is_whitespace());
    let base = url::Url::parse("https://threshold.invalid/").expect("a valid URL");
    let same_origin = plain
        && base
            .join(next)
            .is_ok_and(|u| u.origin() == base.origin() && u.username().is_empty());
    if same_origin {
        next.to_string()
    } else {
        "/".to_string()
    }
}

/// A cookie for the admin web: HttpOnly, SameSite=Strict, `Secure` when
/// browsers reach it over HTTPS.
pub fn web_cookie(state: &impl Site, name: &str, value: String, path: &str) -> Cookie<'static> {
    Cookie::build((name.to_string(), value))
        .path(path.to_string())
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.web().secure_cookies)
        .build()
}

fn login_page(
    state: &impl Site,
    mut c: Chrome,
    status: StatusCode,
    problem: &str,
    account: &str,
    next: &str,
) -> Response {
    let token = random_token();
    c.csrf = token.clone();
    c.title = c.w.sign_in.to_string();
    let mut r = render(
        status,
        &LoginPage {
            c,
            problem: problem.to_string(),
            account: account.to_string(),
            next: safe_next(next),
        },
    );
    let mut c = web_cookie(state, LOGIN_COOKIE, token, "/login");
    c.set_max_age(cookie::time::Duration::hours(1));
    set_cookie(&mut r, &c);
    r
}

/// GET /login.
pub async fn login_form<S: Site>(
    State(state): State<S>,
    Anonymous(c, parts): Anonymous,
) -> Response {
    let next = query_param(&parts, "next").unwrap_or_else(|| "/".into());
    let problem = if query_param(&parts, "expired").is_some() {
        c.w.expired
    } else {
        ""
    };
    login_page(&state, c, StatusCode::OK, problem, "", &next)
}

/// The sign-in form's fields.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    pub account: String,
    pub password: String,
    pub csrf: String,
    pub next: String,
}

/// POST /login.
pub async fn login<S: Site>(
    State(state): State<S>,
    Anonymous(c, parts): Anonymous,
    Form(f): Form<LoginForm>,
) -> Response {
    let w = c.w;
    let expected = cookie(&parts.headers, LOGIN_COOKIE).unwrap_or_default();
    if !same_token(&f.csrf, &expected) {
        return login_page(
            &state,
            c,
            StatusCode::FORBIDDEN,
            w.csrf_failed,
            &f.account,
            &f.next,
        );
    }
    let account = account_field(&f.account);
    let device =
        cookie(&parts.headers, DEVICE_COOKIE).and_then(|v| state.web().devices.known(&v, &account));
    let bucket = match device {
        Some(device) => Bucket::Device {
            account: account.clone(),
            device,
        },
        None => Bucket::Account(account.clone()),
    };
    let client = client_address(&parts, &state.web().proxies).map(network_of);
    // Counted before the password is checked, under the lock: parallel
    // guesses cannot all slip past the limit.
    let reserved = state
        .web()
        .throttle()
        .reserve(bucket, client, Instant::now());
    let reservation = match reserved {
        Ok(r) => r,
        Err(refusal) => {
            tracing::warn!(account = %account, client = ?client, "sign-in not checked: {refusal:?}");
            let wait = refusal.wait();
            let msg = refusal.message(c.lang);
            return refused(&state, c, &msg, wait, &f);
        }
    };
    let found = state.account(account.clone()).await;
    let found = match found {
        Ok(f) => f,
        Err(e) => {
            state.web().throttle().released(reservation);
            return c.error(e);
        }
    };
    let hash = found.as_ref().and_then(|(_, h)| h.clone());
    // Few password checks at once: each takes 19 MiB.
    let Some(matches) = state.web().checkers.check(hash, f.password.clone()).await else {
        state.web().throttle().released(reservation);
        tracing::warn!("sign-in not checked: the password checkers are busy");
        return refused(&state, c, w.busy, Duration::from_secs(2), &f);
    };
    let Some(role) = found.filter(|_| matches).map(|(role, _)| role) else {
        state.web().throttle().failed(&reservation, Instant::now());
        tracing::warn!(account = %account, client = ?client, "sign-in failed");
        return login_page(
            &state,
            c,
            StatusCode::UNAUTHORIZED,
            w.bad_login,
            &f.account,
            &f.next,
        );
    };
    state.web().throttle().succeeded(reservation);
    let opened = state.open_session(account.clone()).await;
    let token = match opened {
        Ok(t) => t,
        Err(e) => return c.error(e),
    };
    tracing::info!(account = %account, role = role.token(), "signed in to the admin web");
    let mut r = (StatusCode::SEE_OTHER, [(LOCATION, safe_next(&f.next))]).into_response();
    set_cookie(&mut r, &web_cookie(&state, SESSION_COOKIE, token, "/"));
    let mut known = web_cookie(
        &state,
        DEVICE_COOKIE,
        state.web().devices.issue(&account),
        "/login",
    );
    known.set_max_age(cookie::time::Duration::days(365));
    set_cookie(&mut r, &known);
    set_cookie(&mut r, &removal(LOGIN_COOKIE, "/login"));
    r
}

/// A cookie that removes cookie `name`.
pub fn removal(name: &str, path: &str) -> Cookie<'static> {
    let mut c = Cookie::build((name.to_string(), ""))
        .path(path.to_string())
        .build();
    c.make_removal();
    c
}

/// A wait in whole seconds, rounded up: a browser that waits as long as
/// it is told is not refused again.
/// The sign-in page again, 429 with `Retry-After`.
fn refused(state: &impl Site, c: Chrome, msg: &str, wait: Duration, f: &LoginForm) -> Response {
    let mut r = login_page(
        state,
        c,
        StatusCode::TOO_MANY_REQUESTS,
        msg,
        &f.account,
        &f.next,
    );
    if let Ok(v) = HeaderValue::from_str(&super::throttle::whole_seconds(wait).to_string()) {
        r.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
    }
    r
}

/// The sign-out form's fields.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct CsrfForm {
    pub csrf: String,
}

/// POST /logout. Staff accounts, who see nothing else, can sign out too.
pub async fn logout<S: Site>(
    State(state): State<S>,
    Anonymous(c, parts): Anonymous,
    Form(f): Form<CsrfForm>,
) -> Response {
    let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
        return (StatusCode::SEE_OTHER, [(LOCATION, "/login")]).into_response();
    };
    let session = state.session(token.clone(), false).await;
    match session {
        Ok(Some(s)) if same_token(&f.csrf, &s.csrf) => {}
        Ok(Some(_)) => {
            let w = c.w;
            return c.message(StatusCode::FORBIDDEN, w.refused, w.csrf_failed);
        }
        Ok(None) => {}
        Err(e) => return c.error(e),
    }
    if let Err(e) = state.close_session(token).await {
        return c.error(e);
    }
    let mut r = (StatusCode::SEE_OTHER, [(LOCATION, "/login")]).into_response();
    set_cookie(&mut r, &removal(SESSION_COOKIE, "/"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_site_are_followed() {
        assert!(same_token("abc", "abc") && !same_token("abc", "abd") && !same_token("", ""));
        assert!(!same_token("abc", "abcd"));
        for evil in [
            "//evil.example",
            "https://evil.example",
            "https:evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "/ /evil.example",
            "/\u{00a0}/evil.example",
            "/\u{2028}/evil.example",
            "javascript:alert(1)",
            "",
            "evil.example",
            "/%2f/evil.example/../..",
        ] {
            let next = safe_next(evil);
            assert!(
                next == "/" || next == evil && !evil.contains("//"),
                "{evil:?} -> {next:?}"
            );
            let base = url::Url::parse("https://threshold.invalid/").unwrap();
            assert_eq!(
                base.join(&next).unwrap().host_str(),
                Some("threshold.invalid"),
                "{evil:?}"
            );
        }
        assert_eq!(safe_next("/log?kind=visitor"), "/log?kind=visitor");
        assert_eq!(
            safe_next("/encounters/E-1?lang=vi"),
            "/encounters/E-1?lang=vi"
        );
    }

    #[test]
    fn account_fields_are_capped_and_cannot_forge_log_lines() {
        assert_eq!(account_field("  Maria \n"), "maria");
        assert_eq!(
            account_field("ana\nINFO signed in: root"),
            "anainfo signed in: root"
        );
        assert_eq!(account_field(&"x".repeat(2_000_000)).len(), ACCOUNT_FIELD);
    }

    #[test]
    fn device_cookies_name_their_account_and_cannot_be_forged() {
        let d = Devices::default();
        let v = d.issue("maria");
        assert!(d.known(&v, "maria").is_some());
        assert!(d.known(&v, "carl").is_none());
        assert!(Devices::default().known(&v, "maria").is_none());
        let forged = format!("{}0", &v[..v.len() - 1]);
        assert!(d.known(&forged, "maria").is_none() || forged == v);
        assert!(d.known("maria", "maria").is_none());
    }
}

/// The form of "Stay signed in".
#[derive(serde::Deserialize)]
pub struct KeepForm {
    csrf: String,
    #[serde(default)]
    next: String,
}

/// POST /session/keep: the session was kept alive by asking (the
/// extractor counted the request as activity); back to the page it was
/// asked from.
pub async fn keep(v: Viewer, axum::extract::Form(f): axum::extract::Form<KeepForm>) -> Response {
    if let Some(refused) = v.csrf_refusal(&f.csrf) {
        return refused;
    }
    // Only a page of this site: a path, never another host.
    let next = if f.next.starts_with('/') && !f.next.starts_with("//") && !f.next.contains('\\') {
        f.next
    } else {
        "/".to_string()
    };
    (StatusCode::SEE_OTHER, [(LOCATION, next)]).into_response()
}
