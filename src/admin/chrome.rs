//! What every admin page shares: the reader's language, the page frame
//! (navigation, who is signed in, language links) and error pages.

use super::site::{Kind, Site};
use crate::app::words::{words, Words};
use crate::domain::account::AccountRole;
use crate::domain::language::Language;
use askama::Template;
use axum::extract::Request;
use axum::http::header::{ACCEPT_LANGUAGE, CACHE_CONTROL, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

/// The language cookie.
const LANG_COOKIE: &str = "th_lang";

/// Why a page could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("no such record")]
    NotFound,
    /// Something the reader entered, said in their language.
    #[error("{0}")]
    BadInput(String),
    #[error(transparent)]
    App(#[from] crate::app::AppError),
    #[error("rendering the page failed: {0}")]
    Template(#[from] askama::Error),
    #[error("a request's worker stopped: {0}")]
    Join(#[from] tokio::task::JoinError),
    /// The hub's database (kept as text: the admin web knows no PostgreSQL).
    #[error("{0}")]
    Database(String),
}

/// The value of cookie `name` (parsed by axum-extra's cookie jar).
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    axum_extra::extract::cookie::CookieJar::from_headers(headers)
        .get(name)
        .map(|c| c.value().to_string())
}

/// Add `Set-Cookie` for `c` to `response`.
pub fn set_cookie(response: &mut Response, c: &cookie::Cookie<'_>) {
    if let Ok(v) = HeaderValue::from_str(&c.encoded().to_string()) {
        response.headers_mut().append(SET_COOKIE, v);
    }
}

/// A query parameter of `parts`' URI.
pub fn query_param(parts: &Parts, name: &str) -> Option<String> {
    url::form_urlencoded::parse(parts.uri.query()?.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn language_of(code: &str) -> Option<Language> {
    let code = code.trim().to_ascii_lowercase();
    let primary = code.split(['-', '_']).next().unwrap_or("");
    Some(match primary {
        "en" => Language::English,
        "es" => Language::Spanish,
        "vi" => Language::Vietnamese,
        "zh" => Language::ChineseSimplified,
        "tl" | "fil" => Language::Tagalog,
        _ => return None,
    })
}

/// The reader's language: `?lang=`, then the language cookie, then the
/// browser's Accept-Language, then the facility's first language.
pub fn language(parts: &Parts, state: &impl Site) -> Language {
    query_param(parts, "lang")
        .and_then(|c| language_of(&c))
        .or_else(|| cookie(&parts.headers, LANG_COOKIE).and_then(|c| language_of(&c)))
        .or_else(|| {
            let header = parts.headers.get(ACCEPT_LANGUAGE)?.to_str().ok()?;
            header
                .split(',')
                .filter_map(|item| item.split(';').next())
                .find_map(language_of)
        })
        .unwrap_or_else(|| state.first_language())
}

/// Middleware: a `?lang=` choice is remembered in a cookie.
pub async fn remember_language(req: Request, next: Next) -> Response {
    let chosen = req.uri().query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| language_of(&v))
    });
    let mut response = next.run(req).await;
    if let Some(lang) = chosen {
        let c = cookie::Cookie::build((LANG_COOKIE, lang.code()))
            .path("/")
            .max_age(cookie::time::Duration::days(365))
            .same_site(cookie::SameSite::Lax)
            .build();
        set_cookie(&mut response, &c);
    }
    response
}

/// A link to the same page in another language.
#[derive(Clone)]
pub struct LangLink {
    pub name: &'static str,
    pub code: &'static str,
    pub href: String,
    pub current: bool,
}

/// The page frame's facts.
#[derive(Clone)]
pub struct Chrome {
    pub w: &'static Words,
    /// The web the page belongs to.
    pub site: Kind,
    pub lang: Language,
    pub facility: String,
    /// Who is signed in, and their role.
    pub user: Option<(String, AccountRole)>,
    pub csrf: String,
    /// The navigation entry to mark: dashboard, log, alerts, retention, integrity.
    pub nav: &'static str,
    pub langs: Vec<LangLink>,
    /// Reload every 15 s (the dashboard's live acknowledgement state).
    pub refresh: bool,
    /// Seconds before the session ends for want of activity, when signed
    /// in: the page warns two minutes before.
    pub session_left: Option<u64>,
    /// The page's own path and query, for "Stay signed in" to come back to.
    pub here: String,
    /// The page title.
    pub title: String,
}

impl Chrome {
    /// The frame for a request to `parts` in `lang`.
    pub fn new(parts: &Parts, state: &impl Site, lang: Language) -> Chrome {
        let path = parts.uri.path().to_string();
        let others: Vec<(String, String)> = parts
            .uri
            .query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .filter(|(k, _)| k != "lang")
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let langs = Language::ALL
            .iter()
            .map(|l| {
                let mut q = url::form_urlencoded::Serializer::new(String::new());
                for (k, v) in &others {
                    q.append_pair(k, v);
                }
                q.append_pair("lang", l.code());
                LangLink {
                    name: l.endonym(),
                    code: l.code(),
                    href: format!("{path}?{}", q.finish()),
                    current: *l == lang,
                }
            })
            .collect();
        Chrome {
            w: words(lang),
            site: state.kind(),
            lang,
            facility: state.name(),
            user: None,
            csrf: String::new(),
            nav: "",
            langs,
            refresh: false,
            session_left: None,
            here: parts
                .uri
                .path_and_query()
                .map_or_else(|| "/".to_string(), |p| p.as_str().to_string()),
            title: String::new(),
        }
    }

    /// Seconds from the page's load to the session warning.
    pub fn warn_in(&self) -> u64 {
        self.session_left.unwrap_or(0).saturating_sub(WARN_BEFORE_S)
    }

    /// Seconds from "Stay signed in" to the next warning.
    pub fn warn_after_keep(&self) -> u64 {
        crate::app::session_idle_s().saturating_sub(WARN_BEFORE_S)
    }

    /// The one script of the admin web (allowed by its hash alone).
    pub fn session_script(&self) -> &'static str {
        SESSION_SCRIPT
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn user_name(&self) -> &str {
        self.user.as_ref().map_or("", |(u, _)| u.as_str())
    }

    pub fn role(&self) -> &'static str {
        self.user.as_ref().map_or("", |(_, r)| r.token())
    }

    /// Whether the signed-in account sees the record (not staff).
    pub fn reviewer(&self) -> bool {
        self.user.as_ref().is_some_and(|(_, r)| r.may_review())
    }

    /// The city's web's own words, in the page's language.
    pub fn city_words(&self) -> &'static crate::app::city_words::CityWords {
        crate::app::city_words::CityWords::get(self.lang)
    }

    /// Whether this is the city's web (its own navigation).
    pub fn city(&self) -> bool {
        self.site == Kind::City
    }

    /// Whether the signed-in account sees the city's pages (any role the
    /// city's web lets in).
    pub fn city_reader(&self) -> bool {
        self.city() && self.user.is_some()
    }

    /// The error page for `e`; internal errors are logged, never shown.
    pub fn error(self, e: WebError) -> Response {
        let (status, title, text) = match &e {
            WebError::NotFound => (
                StatusCode::NOT_FOUND,
                self.w.not_found,
                self.w.not_found_body.to_string(),
            ),
            WebError::BadInput(msg) => (StatusCode::BAD_REQUEST, self.w.bad_request, msg.clone()),
            other => {
                tracing::error!(error = %other, "an admin page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    self.w.failed,
                    self.w.failed_body.to_string(),
                )
            }
        };
        self.message(status, title, &text)
    }

    /// A page that only says `text`.
    pub fn message(mut self, status: StatusCode, title: &str, text: &str) -> Response {
        self.title = title.to_string();
        let page = MessagePage {
            c: self,
            text: text.to_string(),
        };
        render(status, &page)
    }
}

/// A page with a title and a message.
#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    c: Chrome,
    text: String,
}

/// Render `t` with `status`. Admin pages hold personal data and are never
/// stored by the browser or proxies.
pub fn render(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, no_store(), Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "an admin page could not be rendered");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                no_store(),
                "The page could not be rendered; the server logged why.",
            )
                .into_response()
        }
    }
}

/// How long before the session ends the page warns (WCAG 2.2.1: at least
/// 20 seconds to answer).
pub const WARN_BEFORE_S: u64 = 120;

/// The admin web's one script: at the time in `data-warn-in`, it shows the
/// session warning (an alert, announced), and "Stay signed in" keeps the
/// session without leaving the page, so nothing typed is lost. Without
/// scripts the button is a plain form that comes back to the page.
pub const SESSION_SCRIPT: &str = "(function(){var w=document.getElementById('session-warning');if(!w){return;}var f=w.querySelector('form');function later(s){setTimeout(function(){w.hidden=false;},s*1000);}later(+w.getAttribute('data-warn-in'));f.addEventListener('submit',function(e){e.preventDefault();fetch(f.action,{method:'POST',body:new URLSearchParams(new FormData(f)),credentials:'same-origin',redirect:'manual'}).then(function(){w.hidden=true;later(+w.getAttribute('data-warn-after-keep'));});});})();";

/// The Content-Security-Policy: nothing but this site's images, inline
/// styles, and the one script by its hash.
fn csp() -> &'static str {
    static CSP: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    CSP.get_or_init(|| {
        use base64::Engine;
        use sha2::Digest;
        let hash = base64::engine::general_purpose::STANDARD
            .encode(sha2::Sha256::digest(SESSION_SCRIPT.as_bytes()));
        format!("default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; script-src 'sha256-{hash}'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
    })
}

/// Headers for responses holding personal data: never stored, never
/// framed, no script but the session warning's, nothing sent to other
/// sites.
pub fn no_store() -> [(axum::http::HeaderName, &'static str); 5] {
    [
        (CACHE_CONTROL, "no-store, private"),
        (axum::http::header::CONTENT_SECURITY_POLICY, csp()),
        (axum::http::header::REFERRER_POLICY, "no-referrer"),
        (axum::http::header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (axum::http::header::X_FRAME_OPTIONS, "DENY"),
    ]
}

/// Middleware: every response, the acknowledge pages and errors included,
/// refuses framing, sniffing, referrers and scripts; over HTTPS it tells
/// browsers to keep to HTTPS (HSTS).
pub async fn security_headers(
    axum::extract::State(https): axum::extract::State<bool>,
    req: Request,
    next: Next,
) -> Response {
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    for (name, value) in no_store().into_iter().skip(1) {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    }
    if https {
        h.insert(
            axum::http::header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    response
}

/// A journal timestamp as the facility's local time, to the minute.
pub fn local_minute(state: &impl Site, at: &str) -> String {
    local_minute_in(state.timezone(), at)
}

/// A journal timestamp as local time in `tz`, to the minute.
pub fn local_minute_in(tz: chrono_tz::Tz, at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| at.to_string())
}
