//! The service's web server: the admin pages for managers and counsel
//! (dashboard, check-in log, encounter records with their document pages,
//! alert deliveries, retention, record integrity, exports) and the
//! acknowledge links that pages carry.
//!
//! Pages are rendered on the server from templates and work without
//! JavaScript. Every route but `/login`, `/ack/…` and `/healthz` needs a
//! session; see [`auth`] for accounts, sessions, CSRF and rate limiting.

pub mod ack;
pub mod auth;
mod chrome;
mod encounter;
mod exports;
mod overview;
pub mod page;
pub mod serve;
mod settings;
pub mod words;

pub use chrome::WebError;
pub use serve::serve;

use crate::alerts::ack_link::AckKey;
use crate::app::{AppError, Desk, SystemClock};
use crate::config::Loaded;
use crate::store::bundle::FacilityKey;
use crate::store::keys::KeyError;
use crate::store::{Store, StoreError};
use axum::routing::{get, post};
use axum::Router;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// At most this many idle read connections are kept.
const IDLE_READERS: usize = 4;

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub desk: Arc<Mutex<Desk<SystemClock>>>,
    pub loaded: Arc<Loaded>,
    pub ack: AckKey,
    pub web: Arc<Web>,
}

/// The admin web's own state.
pub struct Web {
    data_dir: PathBuf,
    facility: String,
    readers: Mutex<Vec<Store>>,
    /// Signs export bundles and reports.
    pub key: FacilityKey,
    limiter: Mutex<auth::Limiter>,
    /// Cookies are marked `Secure` when the server speaks HTTPS.
    pub secure_cookies: bool,
}

/// Why the web server could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Key(#[from] KeyError),
}

impl AppState {
    /// The state for a service whose data is in `data_dir`.
    pub fn new(
        desk: Arc<Mutex<Desk<SystemClock>>>,
        loaded: Arc<Loaded>,
        data_dir: &Path,
        https: bool,
    ) -> Result<AppState, SetupError> {
        Ok(AppState {
            desk,
            ack: AckKey::open(data_dir)?,
            web: Arc::new(Web {
                data_dir: data_dir.to_path_buf(),
                facility: loaded.config.facility.id.clone(),
                readers: Mutex::new(Vec::new()),
                key: FacilityKey::open(data_dir)?,
                limiter: Mutex::new(auth::Limiter::default()),
                secure_cookies: https,
            }),
            loaded,
        })
    }

    /// Run `f` on a read connection, off the async workers.
    pub async fn read<T, F>(&self, f: F) -> Result<T, WebError>
    where
        F: FnOnce(&Store) -> Result<T, WebError> + Send + 'static,
        T: Send + 'static,
    {
        let web = self.web.clone();
        tokio::task::spawn_blocking(move || {
            let pooled = web.readers.lock().ok().and_then(|mut r| r.pop());
            let store = match pooled {
                Some(s) => s,
                None => Store::open(&web.data_dir, &web.facility)?,
            };
            let result = f(&store);
            if let Ok(mut idle) = web.readers.lock() {
                if idle.len() < IDLE_READERS {
                    idle.push(store);
                }
            }
            result
        })
        .await?
    }

    /// Run `f` with the service's desk (writes: audit entries, settings,
    /// purges), off the async workers.
    pub async fn with_desk<T, F>(&self, f: F) -> Result<T, WebError>
    where
        F: FnOnce(&mut Desk<SystemClock>) -> Result<T, WebError> + Send + 'static,
        T: Send + 'static,
    {
        let desk = self.desk.clone();
        tokio::task::spawn_blocking(move || {
            let mut desk = desk.lock().map_err(|_| AppError::Empty {
                field: "desk",
                what: "a working service (the store lock was poisoned)",
            })?;
            f(&mut desk)
        })
        .await?
    }
}

/// The routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(overview::dashboard))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/log", get(overview::log))
        .route("/alerts", get(overview::alerts))
        .route("/encounters/{id}", get(encounter::show))
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
        .with_state(state)
}
