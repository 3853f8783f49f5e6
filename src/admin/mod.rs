//! The service's web server: acknowledge links now; the admin pages for
//! managers and counsel join it later.

pub mod ack;
pub mod page;

use crate::alerts::ack_link::AckKey;
use crate::app::{Desk, SystemClock};
use crate::config::Loaded;
use axum::routing::get;
use axum::Router;
use std::sync::{Arc, Mutex};

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub desk: Arc<Mutex<Desk<SystemClock>>>,
    pub loaded: Arc<Loaded>,
    pub ack: AckKey,
}

/// The routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/ack/{token}", get(ack::confirm).post(ack::acknowledge))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(state)
}
