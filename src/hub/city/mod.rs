//! The city's web, served by `threshold hub` on its own address beside
//! the kiosks' interface: counsel's live view of every facility and the
//! facilities' health. Same look, sign-in, sessions, CSRF and limits as
//! the facility's admin web (one implementation, [`crate::admin::auth`]);
//! accounts, sessions and the journal of views live in the hub's
//! database ([`super::accounts`]).
//!
//! Roles: counsel and managers see open encounters and facility health
//! in their scope; the city role sees facility health (and, later, the
//! statistics) but no encounter.

mod dashboard;
mod encounter;
mod export;
mod log;
mod statistics;

use super::accounts;
use super::store::DbError;
use crate::admin::chrome::WebError;
use crate::admin::site::{Kind, Signed, Site, Web};
use crate::domain::account::AccountRole;
use crate::domain::language::Language;
use crate::domain::policy::PolicyProfile;
use axum::routing::{get, post};
use axum::Router;
use deadpool_postgres::Pool;
use std::sync::Arc;

/// What the city's web's handlers share.
#[derive(Clone)]
pub struct City {
    pub pool: Pool,
    /// The hub's keys and command wake-up, for counsel's commands.
    pub hub: super::web::Hub,
    pub web: Arc<Web>,
    pub name: String,
    pub timezone: chrono_tz::Tz,
    pub language: Language,
    /// Names of document kinds and outcomes.
    pub profile: Arc<PolicyProfile>,
}

impl City {
    /// The city's web for `config`, on `pool`; `https` when the hub serves
    /// TLS itself.
    pub fn new(
        config: &super::config::HubConfig,
        hub: super::web::Hub,
        https: bool,
    ) -> Result<City, String> {
        Ok(City {
            pool: hub.pool.clone(),
            hub,
            web: Arc::new(Web::new(
                config.web.proxies(),
                https || config.web.behind_tls_proxy,
            )),
            name: config.web.name.clone(),
            timezone: config.web.tz(),
            language: config.web.language,
            profile: Arc::new(config.profile()?),
        })
    }

    /// A document kind token in `lang`, as the profile names it.
    pub fn document_label(&self, kind: Option<&str>, lang: Language) -> String {
        self.profile.document_label(kind, lang)
    }
}

fn db(e: DbError) -> WebError {
    WebError::Database(e.to_string())
}

impl Site for City {
    fn web(&self) -> &Web {
        &self.web
    }
    fn kind(&self) -> Kind {
        Kind::City
    }
    fn name(&self) -> String {
        self.name.clone()
    }
    fn first_language(&self) -> Language {
        self.language
    }
    fn timezone(&self) -> chrono_tz::Tz {
        self.timezone
    }
    fn admits(&self, role: AccountRole) -> bool {
        accounts::ROLES.contains(&role)
    }
    async fn account(
        &self,
        name: String,
    ) -> Result<Option<(AccountRole, Option<String>)>, WebError> {
        let found = accounts::find(&self.pool, &name).await.map_err(db)?;
        Ok(found.map(|(role, _, hash)| (role, hash)))
    }
    async fn open_session(&self, name: String) -> Result<String, WebError> {
        accounts::open_session(&self.pool, &name).await.map_err(db)
    }
    async fn session(&self, token: String, activity: bool) -> Result<Option<Signed>, WebError> {
        accounts::session(&self.pool, &token, activity)
            .await
            .map_err(db)
    }
    async fn close_session(&self, token: String) -> Result<(), WebError> {
        accounts::close_session(&self.pool, &token)
            .await
            .map_err(db)
    }
}

/// The city's web's routes.
pub fn router(city: City) -> Router {
    use crate::admin::{auth, chrome};
    let https = city.web.secure_cookies;
    Router::new()
        .route("/", get(dashboard::dashboard))
        .route("/log", get(log::log))
        .route("/facilities/{facility}/export.bundle", get(export::bundle))
        .route("/statistics", get(statistics::page))
        .route("/statistics.csv", get(statistics::csv))
        .route("/statistics.pdf", get(statistics::pdf))
        .route(
            "/facilities/{facility}/encounters/{id}",
            get(encounter::show),
        )
        .route(
            "/facilities/{facility}/encounters/{id}/pages/{number}",
            get(encounter::page_image),
        )
        .route(
            "/facilities/{facility}/encounters/{id}/report.pdf",
            get(encounter::report),
        )
        .route(
            "/facilities/{facility}/encounters/{id}/{action}",
            post(encounter::act),
        )
        .route(
            "/login",
            get(auth::login_form::<City>).post(auth::login::<City>),
        )
        .route("/logout", post(auth::logout::<City>))
        .route("/session/keep", post(auth::keep))
        .layer(axum::middleware::from_fn(chrome::remember_language))
        .layer(axum::middleware::from_fn_with_state(
            https,
            chrome::security_headers,
        ))
        // As on the facility's admin web: a request (a slow upload of a
        // form included) gets 30 s, then 408.
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            crate::admin::serve::REQUEST,
        ))
        .with_state(city)
}
