//! Threshold: the entrance kiosk and check-in service for city facilities.
//!
//! See `DESIGN.md` for the architecture: `domain` (pure rules), `app` (use
//! cases), `store` (SQLite journal, vault, pages), `config`, `cli`.

pub mod admin;
pub mod alerts;
pub mod app;
pub mod cli;
pub mod config;
pub mod devices;
pub mod domain;
#[doc(hidden)]
pub mod fuzz;
pub mod html;
pub mod hub;
pub mod render;
pub mod store;
pub mod ui;
