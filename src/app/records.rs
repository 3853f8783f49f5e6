//! What the admin web and the CLI read from the record and change beside
//! it: the dashboard's facts, the check-in log and its exports, alert
//! deliveries, document pages, signed bundles, reports, `log verify`,
//! accounts and sessions, retention settings. Reads go to the record's read
//! pool; changes to its writer.

use super::{AppError, Clock, Desk};
use crate::domain::account::AccountRole;
use crate::domain::language::Language;
use crate::store::accounts;
use crate::store::bundle;
use crate::store::query::{self, overview};
use crate::store::verify;
use std::io::Write;

pub use crate::app::log_export::Format;
pub use crate::store::accounts::{Account, AccountChange, AccountError, Session};
pub use crate::store::bundle::{fingerprint, verify as verify_bundle, BundleError, FacilityKey};
pub use crate::store::events::{Viewed, ViewedVia, Viewing};
/// Key files kept outside the database (the facility key, the hub's key).
pub use crate::store::keys::load as load_key;
pub use crate::store::keys::KeyError;
pub use crate::store::query::overview::{ChannelHealth, Delivery};
pub use crate::store::query::{
    EncounterRecord, EncounterRow, LogError, LogFilter, LogKind, LogRow, PageView, ReadError,
};
pub use crate::store::retention::PurgeSummary;
pub use crate::store::timestamp;
pub use crate::store::verify::Extends;
pub use crate::store::verify::Report;

/// The facts of the admin dashboard.
#[derive(Debug, Clone, Default)]
pub struct DashboardFacts {
    /// Open encounters, newest first, with their records.
    pub open: Vec<(EncounterRow, EncounterRecord)>,
    /// How many more are open than were read.
    pub more_open: usize,
    /// Check-ins since local midnight per purpose token, most first.
    pub today: Vec<(String, i64)>,
    pub today_encounters: i64,
    /// Each configured channel's recent health from the outbox.
    pub channels: Vec<ChannelHealth>,
}

impl<C: Clock> Desk<C> {
    /// The dashboard's facts: up to `open_limit` open encounters, counts
    /// since `since`, channel health over the day before `day_ago`.
    pub fn dashboard(
        &self,
        since: &str,
        open_limit: usize,
        day_ago: &str,
    ) -> Result<DashboardFacts, AppError> {
        let a = &self.loaded.config.alerts;
        let channels: Vec<&str> = [
            (a.webhook.is_some(), "webhook"),
            (a.smtp.is_some(), "email"),
            (a.sms.is_some(), "sms"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect();
        self.read(|r| {
            let conn = r.conn();
            let rows = query::encounters(conn, true)?;
            let more_open = rows.len().saturating_sub(open_limit);
            let mut open = Vec::new();
            for row in rows.into_iter().take(open_limit) {
                if let Some(rec) = query::encounter(conn, &row.id)? {
                    open.push((row, rec));
                }
            }
            Ok(DashboardFacts {
                open,
                more_open,
                today: overview::checkins_since(conn, since)?,
                today_encounters: overview::encounters_since(conn, since)?,
                channels: channels
                    .iter()
                    .map(|c| overview::channel_health(conn, c, day_ago))
                    .collect::<rusqlite::Result<_>>()?,
            })
        })
    }

    /// A page of the check-in log, newest first, before the `(at, id)`
    /// cursor; and whether there are more.
    pub fn log_page(
        &self,
        filter: &LogFilter,
        before: Option<(&str, &str)>,
        limit: u32,
    ) -> Result<(Vec<LogRow>, bool), AppError> {
        self.read(|r| Ok(overview::log_page(r.conn(), filter, before, limit)?))
    }

    /// Pages queued before journal entry `before`, newest first.
    pub fn deliveries(&self, before: Option<i64>, limit: u32) -> Result<Vec<Delivery>, AppError> {
        self.read(|r| Ok(overview::deliveries(r.conn(), before, limit)?))
    }

    /// The full record of encounter `id`, if there is one.
    pub fn find_encounter(&self, id: &str) -> Result<Option<EncounterRecord>, AppError> {
        self.read(|r| Ok(query::encounter(r.conn(), id)?))
    }

    /// Whether encounter `id` exists.
    pub fn encounter_exists(&self, id: &str) -> Result<bool, AppError> {
        self.read(|r| Ok(query::encounter_state(r.conn(), id)?.is_some()))
    }

    /// A document page's image, decrypted.
    pub fn page_image(&self, page: &str) -> Result<Vec<u8>, AppError> {
        self.read(|r| Ok(r.pages().read(page)?))
    }

    /// Write the check-in log matching `filter` to `out`; returns the rows.
    pub fn export_log(
        &self,
        filter: &LogFilter,
        format: Format,
        out: &mut impl Write,
    ) -> Result<u64, AppError> {
        let loaded = self.loaded.clone();
        self.read(|r| {
            Ok(super::log_export::write_log(
                &loaded,
                r.conn(),
                filter,
                format,
                out,
            )?)
        })
    }

    /// The journal entries between `from` and `to` (seq range), if any.
    pub fn bundle_range(
        &self,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Option<(i64, i64)>, AppError> {
        self.read(|r| Ok(bundle::range(r, from, to)?))
    }

    /// Write the signed bundle of the entries between `from` and `to`.
    pub fn write_bundle(
        &self,
        key: &FacilityKey,
        created: &str,
        from: Option<&str>,
        to: Option<&str>,
        out: &mut impl Write,
    ) -> Result<u64, AppError> {
        self.read(|r| Ok(bundle::write(r, key, created, from, to, out)?))
    }

    /// Encounter `id`'s PDF report, made for `who`, labelled in `lang`.
    pub fn report_pdf(
        &self,
        key: &FacilityKey,
        id: &str,
        lang: Language,
        who: &str,
    ) -> Result<Vec<u8>, AppError> {
        let loaded = self.loaded.clone();
        self.read(|r| {
            Ok(super::report::encounter_pdf(
                &loaded, r, key, id, lang, who,
            )?)
        })
    }

    /// `log verify`: the chain, the vault, the pages and the projections.
    pub fn verify(&self) -> Result<Report, AppError> {
        self.read(|r| Ok(verify::verify(r)?))
    }

    /// Whether the journal still extends `anchor`, a head copied off the box.
    pub fn extends(
        &self,
        anchor: &crate::domain::anchor::Anchor,
    ) -> Result<verify::Extends, AppError> {
        self.read(|r| Ok(verify::extends(r.conn(), anchor)?))
    }

    /// The city hub's last receipt for this record, as an anchor (its full
    /// hash), when the kiosk ships to a hub.
    pub fn last_receipt(&self) -> Result<Option<crate::domain::anchor::Anchor>, AppError> {
        let r = self.read(|r| Ok(crate::store::shipped::last_receipt(r.conn(), r.facility())?))?;
        Ok(r.map(|r| crate::domain::anchor::Anchor {
            seq: r.seq,
            hash: r.head_hash,
        }))
    }

    /// The chain head now: `(seq, hash)`.
    pub fn chain_head(&self) -> Result<(i64, Vec<u8>), AppError> {
        self.read(|r| Ok(query::chain_head(r.conn())?))
    }

    /// Whether the retention periods in force were set on the admin web.
    pub fn retention_set_on_web(&self) -> Result<bool, AppError> {
        self.read(|r| Ok(accounts::retention_override(r.conn())?.is_some()))
    }

    /// A manager sets new retention periods.
    pub fn set_retention(
        &self,
        by: &str,
        visitor_days: u32,
        encounter_years: u32,
    ) -> Result<(), AppError> {
        let (by, now) = (by.to_string(), self.clock.now());
        Ok(self.record.with_store(move |s| {
            accounts::set_retention(s, now, &by, visitor_days, encounter_years)
        })??)
    }

    /// Every admin-web account.
    pub fn accounts(&self) -> Result<Vec<Account>, AppError> {
        self.read(|r| Ok(accounts::list(r.conn())?))
    }

    /// Account `name`'s role and password hash, if it exists.
    pub fn account(&self, name: &str) -> Result<Option<(AccountRole, Option<String>)>, AppError> {
        self.read(|r| Ok(accounts::find(r.conn(), name)?))
    }

    /// Disable, enable, remove or re-role account `name` on behalf of `by`;
    /// journaled, and the account's sessions end at once.
    pub fn change_account(
        &self,
        name: &str,
        change: AccountChange,
        by: &str,
    ) -> Result<(), AccountError> {
        let (name, by, now) = (name.to_string(), by.to_string(), self.clock.now());
        self.record
            .with_store(move |s| accounts::change(s, now, &name, change, &by))?
    }

    /// Create account `name` with a password hash.
    pub fn add_account(
        &self,
        name: &str,
        role: AccountRole,
        hash: &str,
    ) -> Result<(), AccountError> {
        let (name, hash, now) = (name.to_string(), hash.to_string(), self.clock.now());
        self.record
            .with_store(move |s| accounts::add(s, now, &name, role, &hash))?
    }

    /// Set account `name`'s password hash; its sessions end.
    pub fn set_password(&self, name: &str, hash: &str) -> Result<(), AccountError> {
        let (name, hash, now) = (name.to_string(), hash.to_string(), self.clock.now());
        self.record
            .with_store(move |s| accounts::set_password(s, now, &name, &hash))?
    }

    /// The live session behind cookie `token`; kept alive when the request
    /// is the reader's `activity` (not a page reloading itself).
    pub fn session(&self, token: &str, activity: bool) -> Result<Option<Session>, AppError> {
        let now = self.clock.now();
        let mut found = self.read(|r| Ok(accounts::session(r.conn(), token, now)?))?;
        if let Some(s) = found.as_mut().filter(|s| activity && s.stale) {
            let token = token.to_string();
            self.record
                .with_store(move |st| accounts::touch_session(st.conn(), &token, now))??;
            s.idle_left_s = accounts::SESSION_IDLE.num_seconds() as u64;
        }
        Ok(found)
    }

    /// Open a session for `user` and journal the sign-in; returns the token.
    pub fn sign_in(&self, user: &str) -> Result<String, AppError> {
        let (user, now) = (user.to_string(), self.clock.now());
        self.record
            .with_store(move |s| -> Result<String, AppError> {
                let token = accounts::open_session(s.conn(), &user, now).map_err(|e| s.err(e))?;
                accounts::record_sign_in(s, now, &user)?;
                Ok(token)
            })?
    }

    /// End the session behind `token`.
    pub fn sign_out(&self, token: &str) -> Result<(), AppError> {
        let token = token.to_string();
        Ok(self
            .record
            .with_store(move |s| accounts::close_session(s.conn(), &token))??)
    }
}

impl<C: Clock> Desk<C> {
    /// Whether officials (not a drill) are on site now: the door sign says so.
    pub fn officials_on_site(&self) -> Result<bool, AppError> {
        self.read(|r| Ok(query::officials_on_site(r.conn())?))
    }
}
