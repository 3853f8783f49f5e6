//! The service's web server: the admin pages for managers and counsel
//! (dashboard, check-in log, encounter records with their document pages,
//! alert deliveries, retention, record integrity, exports) and the
//! acknowledge links that pages carry.
//!
//! Pages are rendered on the server from templates and work without
//! JavaScript. Every route but `/login`, `/ack/…` and `/healthz` needs a
//! session; see [`auth`] for accounts, sessions, CSRF and rate limiting.

pub mod ack;
pub mod act;
pub mod auth;
pub mod chrome;
pub mod client;
pub mod encounter;
mod exports;
mod overview;
pub mod page;
pub mod passwords;
pub mod serve;
mod settings;
pub mod site;
pub mod throttle;

pub use chrome::WebError;
pub use serve::serve;

use crate::alerts::ack_link::AckKey;
use crate::app::records::{FacilityKey, KeyError};
use crate::app::Desk;
use crate::config::Loaded;
use crate::devices::health::Health;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub desk: Desk,
    pub loaded: Arc<Loaded>,
    pub ack: AckKey,
    /// Signs export bundles and reports.
    pub key: Arc<FacilityKey>,
    /// The health of every part of the service, for the dashboard.
    pub health: Health,
    /// The sign-in's state (shared with the city's web).
    pub web: Arc<site::Web>,
}

impl AppState {
    /// The state for a service recording through `desk`.
    pub fn new(desk: Desk, health: Health, https: bool) -> Result<AppState, KeyError> {
        let data_dir = desk.record().data_dir().to_path_buf();
        let admin = &desk.loaded.config.admin;
        Ok(AppState {
            ack: AckKey::open(&data_dir)?,
            key: Arc::new(FacilityKey::open(&data_dir)?),
            web: Arc::new(site::Web::new(
                admin.proxies(),
                https || admin.behind_tls_proxy,
            )),
            loaded: desk.loaded.clone(),
            health,
            desk,
        })
    }

    /// Run `f` with the desk on the blocking pool: its reads and writes
    /// wait for SQLite, the async workers do not.
    pub async fn call<T, F>(&self, f: F) -> Result<T, WebError>
    where
        F: FnOnce(&Desk) -> Result<T, WebError> + Send + 'static,
        T: Send + 'static,
    {
        let desk = self.desk.clone();
        tokio::task::spawn_blocking(move || f(&desk)).await?
    }
}

impl site::Site for AppState {
    fn web(&self) -> &site::Web {
        &self.web
    }
    fn kind(&self) -> site::Kind {
        site::Kind::Facility
    }
    fn name(&self) -> String {
        self.loaded.config.facility.name.clone()
    }
    fn first_language(&self) -> crate::domain::language::Language {
        let first = self.loaded.config.facility.languages.first().copied();
        first.unwrap_or(crate::domain::language::Language::English)
    }
    fn timezone(&self) -> chrono_tz::Tz {
        self.loaded.timezone()
    }
    /// Counsel and managers; staff work at the kiosk.
    fn admits(&self, role: crate::domain::account::AccountRole) -> bool {
        role.may_review()
    }
    async fn account(
        &self,
        name: String,
    ) -> Result<Option<(crate::domain::account::AccountRole, Option<String>)>, WebError> {
        self.call(move |desk| Ok(desk.account(&name)?)).await
    }
    async fn open_session(&self, name: String) -> Result<String, WebError> {
        self.call(move |desk| Ok(desk.sign_in(&name)?)).await
    }
    async fn session(
        &self,
        token: String,
        activity: bool,
    ) -> Result<Option<site::Signed>, WebError> {
        let found = self
            .call(move |desk| Ok(desk.session(&token, activity)?))
            .await?;
        Ok(found.map(|s| site::Signed {
            user: s.user,
            role: s.role,
            csrf: s.csrf,
            idle_left_s: s.idle_left_s,
            scope: Default::default(),
        }))
    }
    async fn close_session(&self, token: String) -> Result<(), WebError> {
        self.call(move |desk| Ok(desk.sign_out(&token)?)).await
    }
}

/// The routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(overview::dashboard))
        .route(
            "/login",
            get(auth::login_form::<AppState>).post(auth::login::<AppState>),
        )
        .route("/logout", post(auth::logout::<AppState>))
        .route("/session/keep", post(auth::keep))
        .route("/log", get(overview::log))
        .route("/alerts", get(overview::alerts))
        .route("/encounters/{id}", get(encounter::show))
        .route("/encounters/{id}/acknowledge", post(act::acknowledge))
        .route("/encounters/{id}/instruction", post(act::instruction))
        .route("/encounters/{id}/note", post(act::note))
        .route("/encounters/{id}/checklist", post(act::checklist))
        .route("/encounters/{id}/hold", post(act::hold))
        .route("/encounters/{id}/release", post(act::release))
        .route(
            "/encounters/{id}/pages/{number}",
            get(encounter::page_image),
        )
        .route("/encounters/{id}/report.pdf", get(exports::report))
        .route(
            "/retention",
            get(settings::retention).post(settings::set_retention),
        )
        .route("/retention/purge", post(settings::purge))
        .route("/integrity", get(settings::integrity))
        .route("/export.csv", get(exports::csv))
        .route("/export.jsonl", get(exports::jsonl))
        .route("/export.bundle", get(exports::bundle))
        .route("/ack/{token}", get(ack::confirm).post(ack::acknowledge))
        .route("/healthz", get(|| async { "ok" }))
        .layer(axum::middleware::from_fn(chrome::remember_language))
        .layer(axum::middleware::from_fn_with_state(
            state.web.secure_cookies,
            chrome::security_headers,
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            serve::REQUEST,
        ))
        .with_state(state)
}
