//! Accounts, sign-in and sessions for the admin web.
//!
//! Passwords are Argon2id hashes. A session is a random token in an
//! HttpOnly, SameSite=Strict cookie; the server keeps only its SHA-256,
//! with the account, a CSRF token and the expiry (30 minutes idle, 12 hours
//! at most). Every form carries the session's CSRF token; the sign-in form
//! carries a token matching a short-lived cookie. Failed sign-ins are
//! limited per account and per address.

use super::chrome::{cookie, language, query_param, render, Chrome, WebError};
use super::AppState;
use crate::domain::account::AccountRole;
use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{PasswordHash, PasswordVerifier};
use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::header::{ACCEPT, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// The session cookie.
pub const SESSION_COOKIE: &str = "th_session";
/// The sign-in form's CSRF cookie.
const LOGIN_COOKIE: &str = "th_login";
/// Failed sign-ins are counted over this window.
const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failures allowed per account, and per client address, in the window.
pub const PER_ACCOUNT: usize = 5;
pub const PER_ADDRESS: usize = 20;
/// Passwords are at least this long.
pub const MIN_PASSWORD: usize = 12;

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
fn password_matches(hash: Option<&str>, password: &str) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let candidate = hash.unwrap_or_else(|| DUMMY.get_or_init(|| hash_password("no such account")));
    let ok = PasswordHash::new(candidate)
        .map(|h| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false);
    ok && hash.is_some()
}

/// Failed sign-ins per key (`account:NAME`, `address:IP`) in the window.
#[derive(Default)]
pub struct Limiter {
    failures: HashMap<String, VecDeque<Instant>>,
}

impl Limiter {
    fn trim(&mut self, now: Instant) {
        self.failures.retain(|_, q| {
            while q.front().is_some_and(|t| now.duration_since(*t) > WINDOW) {
                q.pop_front();
            }
            !q.is_empty()
        });
    }

    /// How long until a key over its limit may try again, if one is.
    fn blocked(&mut self, keys: &[(String, usize)], now: Instant) -> Option<Duration> {
        self.trim(now);
        keys.iter()
            .filter_map(|(k, limit)| {
                let q = self.failures.get(k)?;
                (q.len() >= *limit)
                    .then(|| WINDOW.saturating_sub(now.duration_since(q[q.len() - limit])))
            })
            .max()
    }

    fn failed(&mut self, keys: &[(String, usize)], now: Instant) {
        for (k, _) in keys {
            self.failures.entry(k.clone()).or_default().push_back(now);
        }
    }

    fn succeeded(&mut self, account: &str) {
        self.failures.remove(&format!("account:{account}"));
    }
}

/// The client's address, when the server knows it (not in router tests).
fn client_address(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Compare two tokens without an early exit.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && !a.is_empty()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A signed-in account allowed to review the record (counsel or manager).
pub struct Viewer {
    pub user: String,
    pub role: AccountRole,
    pub csrf: String,
    pub chrome: Chrome,
}

impl Viewer {
    /// The frame for a page under navigation entry `nav`.
    pub fn chrome(&self, nav: &'static str, title: &str) -> Chrome {
        let mut c = self.chrome.clone();
        c.nav = nav;
        c.title = title.to_string();
        c
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

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let lang = language(parts, state);
        let mut chrome = Chrome::new(parts, state, lang);
        let token = cookie(&parts.headers, SESSION_COOKIE);
        let had_cookie = token.is_some();
        let session = match token {
            Some(t) => state
                .call(move |desk| Ok(desk.session(&t)?))
                .await
                .map_err(|e| chrome.clone().error(e))?,
            None => None,
        };
        let Some(s) = session else {
            return Err(signed_out(parts, chrome, had_cookie));
        };
        chrome.user = Some((s.user.clone(), s.role));
        chrome.csrf = s.csrf.clone();
        if !s.role.may_review() {
            let w = chrome.w;
            return Err(chrome.message(StatusCode::FORBIDDEN, w.refused, w.staff_refused));
        }
        Ok(Viewer {
            user: s.user,
            role: s.role,
            csrf: s.csrf,
            chrome,
        })
    }
}

/// The request's frame without a session (the sign-in page).
pub struct Anonymous(pub Chrome, pub Parts);

impl FromRequestParts<AppState> for Anonymous {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
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

/// Only paths on this site are followed after signing in.
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_string()
    } else {
        "/".to_string()
    }
}

fn login_page(
    state: &AppState,
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
    let secure = if state.web.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let set = format!(
        "{LOGIN_COOKIE}={token}; Path=/login; Max-Age=3600; HttpOnly; SameSite=Strict{secure}"
    );
    if let Ok(v) = HeaderValue::from_str(&set) {
        r.headers_mut().append(SET_COOKIE, v);
    }
    r
}

/// GET /login.
pub async fn login_form(State(state): State<AppState>, Anonymous(c, parts): Anonymous) -> Response {
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
pub async fn login(
    State(state): State<AppState>,
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
    let account = f.account.trim().to_lowercase();
    let keys = [
        (format!("account:{account}"), PER_ACCOUNT),
        (format!("address:{}", client_address(&parts)), PER_ADDRESS),
    ];
    let now = Instant::now();
    let wait = state
        .web
        .limiter
        .lock()
        .ok()
        .and_then(|mut l| l.blocked(&keys, now));
    if let Some(wait) = wait {
        tracing::warn!(account = %account, "sign-in refused: too many failures");
        let minutes = wait.as_secs().div_ceil(60).max(1).to_string();
        let msg = w.too_many.replace("{minutes}", &minutes);
        let mut r = login_page(
            &state,
            c,
            StatusCode::TOO_MANY_REQUESTS,
            &msg,
            &f.account,
            &f.next,
        );
        if let Ok(v) = HeaderValue::from_str(&wait.as_secs().to_string()) {
            r.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
        }
        return r;
    }
    let name = account.clone();
    let password = f.password.clone();
    let checked = state
        .call(move |desk| {
            let found = desk.account(&name)?;
            let hash = found.as_ref().and_then(|(_, h)| h.clone());
            Ok(password_matches(hash.as_deref(), &password)
                .then_some(())
                .and(found.map(|(r, _)| r)))
        })
        .await;
    let role = match checked {
        Ok(Some(role)) => role,
        Ok(None) => {
            if let Ok(mut l) = state.web.limiter.lock() {
                l.failed(&keys, now);
            }
            tracing::warn!(account = %account, "sign-in failed");
            return login_page(
                &state,
                c,
                StatusCode::UNAUTHORIZED,
                w.bad_login,
                &f.account,
                &f.next,
            );
        }
        Err(e) => return c.error(e),
    };
    if let Ok(mut l) = state.web.limiter.lock() {
        l.succeeded(&account);
    }
    let name = account.clone();
    let opened = state.call(move |desk| Ok(desk.sign_in(&name)?)).await;
    let token = match opened {
        Ok(t) => t,
        Err(e) => return c.error(e),
    };
    tracing::info!(account = %account, role = role.token(), "signed in to the admin web");
    let secure = if state.web.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let set = format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{secure}");
    let clear = format!("{LOGIN_COOKIE}=; Path=/login; Max-Age=0");
    let mut r = (StatusCode::SEE_OTHER, [(LOCATION, safe_next(&f.next))]).into_response();
    for v in [set, clear] {
        if let Ok(v) = HeaderValue::from_str(&v) {
            r.headers_mut().append(SET_COOKIE, v);
        }
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
pub async fn logout(
    State(state): State<AppState>,
    Anonymous(c, parts): Anonymous,
    Form(f): Form<CsrfForm>,
) -> Response {
    let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
        return (StatusCode::SEE_OTHER, [(LOCATION, "/login")]).into_response();
    };
    let t = token.clone();
    let session = state.call(move |desk| Ok(desk.session(&t)?)).await;
    match session {
        Ok(Some(s)) if same_token(&f.csrf, &s.csrf) => {}
        Ok(Some(_)) => {
            let w = c.w;
            return c.message(StatusCode::FORBIDDEN, w.refused, w.csrf_failed);
        }
        Ok(None) => {}
        Err(e) => return c.error(e),
    }
    if let Err(e) = state.call(move |desk| Ok(desk.sign_out(&token)?)).await {
        return c.error(e);
    }
    let mut r = (StatusCode::SEE_OTHER, [(LOCATION, "/login")]).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
    )) {
        r.headers_mut().append(SET_COOKIE, v);
    }
    r
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

    #[test]
    fn the_limiter_blocks_after_the_limit_and_forgets_after_the_window() {
        let mut l = Limiter::default();
        let keys = [("account:ana".to_string(), 3)];
        let t0 = Instant::now();
        for i in 0..3 {
            assert!(l.blocked(&keys, t0).is_none(), "{i}");
            l.failed(&keys, t0);
        }
        assert!(l.blocked(&keys, t0).is_some());
        assert!(l
            .blocked(&keys, t0 + WINDOW + Duration::from_secs(1))
            .is_none());
        assert!(same_token("abc", "abc") && !same_token("abc", "abd") && !same_token("", ""));
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/log?kind=visitor"), "/log?kind=visitor");
    }
}
