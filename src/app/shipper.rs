//! The shipper: pushes this kiosk's journal to the city hub, in order and
//! exactly as stored, in batches signed with the facility key; keeps the
//! hub's signed receipts; sends each document page once the hub holds the
//! entry that names it; reports the kiosk's state every
//! `heartbeat_every_s`. The kiosk never waits for it: check-ins and pages
//! go on while the hub or the network is down, and the backlog goes up
//! when they are back. Its state is the `hub` part on the health board.

use super::records::FacilityKey;
use super::Desk;
use crate::devices::health::{Health, PartKind};
use crate::domain::shipping::page::PageAnswer;
use crate::domain::shipping::{Answer, Batch, Heartbeat, Receipt};
use crate::store::shipped;
use std::time::Duration;
use tokio::sync::watch;

/// The health board's name for the shipper.
pub const PART: &str = "hub";
/// Entries per batch.
pub const BATCH: usize = 500;
/// Document pages per round.
const PAGES: usize = 8;
/// How long a record the hub holds otherwise (a fork) waits before it is
/// offered again.
const AFTER_FORK: Duration = Duration::from_secs(600);
/// How long a refused batch (not enrolled yet, say) waits.
const AFTER_REFUSAL: Duration = Duration::from_secs(60);
/// What to do when the hub cannot be reached.
const UNREACHABLE: &str = "Check the network to the city hub and that it runs; the kiosk keeps its record and sends the backlog when the hub answers. Check-ins and pages work meanwhile.";
/// The longest wait between tries while the hub cannot be reached.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// What one push came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pushed {
    /// Nothing left to send.
    UpToDate,
    /// A batch stored; more may follow.
    Sent { to: i64 },
    /// The hub wants it from another seq.
    Resend,
    /// The hub refused it; it waits a while before trying again.
    Refused(String),
    /// The hub holds another record for this facility.
    Forked(String),
}

/// The shipper for one kiosk.
pub struct Shipper {
    desk: Desk,
    key: FacilityKey,
    hub_key: [u8; 32],
    client: reqwest::Client,
    batches: url::Url,
    pages: url::Url,
    heartbeats: url::Url,
    push_every: Duration,
    heartbeat_every: Duration,
    health: Health,
    /// The next seq to send.
    next: i64,
}

/// An HTTPS client that trusts the system's roots, or the PEM bundle in
/// `ca_file` when the hub's certificate is the city's own.
pub fn client(ca_file: Option<&std::path::Path>) -> Result<reqwest::Client, String> {
    let mut b = reqwest::Client::builder()
        .use_rustls_tls()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .user_agent(concat!("threshold/", env!("CARGO_PKG_VERSION")));
    if let Some(path) = ca_file {
        let pem =
            std::fs::read(path).map_err(|e| format!("[hub] ca_file {}: {e}", path.display()))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            format!(
                "[hub] ca_file {}: not PEM certificates: {e}",
                path.display()
            )
        })?;
        if certs.is_empty() {
            return Err(format!(
                "[hub] ca_file {}: no CERTIFICATE in it",
                path.display()
            ));
        }
        b = b.tls_built_in_root_certs(false);
        for c in certs {
            b = b.add_root_certificate(c);
        }
    }
    b.build().map_err(|e| format!("[hub]: {e}"))
}

impl Shipper {
    /// The shipper `[hub]` describes, or what to fix in it.
    pub fn new(desk: Desk, health: Health) -> Result<Shipper, String> {
        let loaded = desk.loaded.clone();
        let h = loaded.config.hub.as_ref().ok_or("no [hub] section")?;
        let hub_key = loaded.hub_public_key()?;
        let base = url::Url::parse(&h.url).map_err(|e| format!("[hub] url: {e}"))?;
        let join = |p: &str| {
            base.join(p)
                .map_err(|e| format!("[hub] url {}: {e}", h.url))
        };
        let key = FacilityKey::open(desk.record().data_dir()).map_err(|e| e.to_string())?;
        let next = desk
            .record()
            .read(|r| shipped::last_receipt(r.conn(), r.facility()))
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?
            .map_or(1, |r| r.seq + 1);
        Ok(Shipper {
            client: client(loaded.hub_ca_file().as_deref())?,
            batches: join("v1/batches")?,
            pages: join("v1/pages")?,
            heartbeats: join("v1/heartbeats")?,
            push_every: Duration::from_millis(h.push_every_ms),
            heartbeat_every: Duration::from_secs(h.heartbeat_every_s),
            desk,
            key,
            hub_key,
            health,
            next,
        })
    }

    fn location(&self) -> String {
        self.batches.origin().ascii_serialization()
    }

    fn up_to_date(&self) {
        self.health.working(
            PART,
            PartKind::Service,
            &self.location(),
            "the record is shipped; the hub signs a receipt for each batch",
        );
    }

    fn broken(&self, detail: &str, fix: &str) {
        self.health
            .broken(PART, PartKind::Service, &self.location(), detail, fix);
    }

    /// Push and report until `stop` turns true.
    pub async fn run(mut self, mut stop: watch::Receiver<bool>) {
        let mut committed = self.desk.record().committed();
        let mut beat = tokio::time::interval(self.heartbeat_every);
        beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut backoff = Duration::ZERO;
        // Whether the hub has answered since the last failure: "shipped"
        // is said only then (the heartbeat says it otherwise).
        let mut contacted = false;
        loop {
            let wait = match self.push().await {
                Ok(Pushed::Sent { .. } | Pushed::Resend) => {
                    contacted = true;
                    continue;
                }
                Ok(Pushed::UpToDate) => match self.send_pages().await {
                    Ok(0) => {
                        backoff = Duration::ZERO;
                        if contacted {
                            self.up_to_date();
                        }
                        self.push_every
                    }
                    Ok(_) => {
                        contacted = true;
                        continue;
                    }
                    Err(why) => {
                        backoff = (backoff * 2).clamp(Duration::from_secs(1), MAX_BACKOFF);
                        contacted = false;
                        self.broken(&why, UNREACHABLE);
                        backoff
                    }
                },
                Ok(Pushed::Forked(why)) => {
                    self.broken(&why, "The city hub holds another record for this facility. Tell the city's counsel and IT: the record on this box may have been altered (`threshold log verify` on this box, `threshold hub verify` on the hub). Check-ins and pages work meanwhile.");
                    AFTER_FORK
                }
                Ok(Pushed::Refused(why)) => {
                    self.broken(&why, "The city hub refused this kiosk's batches: enrol the facility on the hub (`threshold hub enroll ID --key HEX`, HEX from `threshold log key` here), or check [hub] public_key. Tried again every minute; check-ins and pages work meanwhile.");
                    AFTER_REFUSAL
                }
                Err(why) => {
                    backoff = (backoff * 2).clamp(Duration::from_secs(1), MAX_BACKOFF);
                    contacted = false;
                    self.broken(&why, UNREACHABLE);
                    backoff
                }
            };
            let sleep = tokio::time::sleep(wait);
            tokio::pin!(sleep);
            loop {
                tokio::select! {
                    () = &mut sleep => break,
                    // This process's own commits go up at once (after a
                    // refusal or while the hub is down, the wait stands).
                    _ = committed.changed(), if wait == self.push_every => break,
                    _ = beat.tick() => {
                        // The hub's state, even with nothing to push: a
                        // kiosk with an unreachable hub says so.
                        match self.heartbeat().await {
                            Err(why) => {
                                contacted = false;
                                self.broken(&why, UNREACHABLE);
                            }
                            Ok(()) if wait == self.push_every => {
                                contacted = true;
                                self.up_to_date();
                            }
                            Ok(()) => {}
                        }
                    }
                    () = stopped(&mut stop) => return,
                }
            }
        }
    }

    /// Send the next batch, if any, and take the hub's answer.
    pub async fn push(&mut self) -> Result<Pushed, String> {
        let after = self.next - 1;
        let (prev, entries, values) = self
            .desk
            .record()
            .read_async(move |r| {
                let (prev, entries) = shipped::after(r.conn(), after, BATCH)?;
                let values = shipped::values_for(r.conn(), &entries)?;
                Ok::<_, rusqlite::Error>((prev, entries, values))
            })
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("cannot read the journal: {e}"))?;
        let Some(last) = entries.last() else {
            return Ok(Pushed::UpToDate);
        };
        let (to, head) = (last.seq, last.hash.clone());
        let facility = self.desk.record().facility().to_string();
        let mut batch = Batch::signed(&facility, prev, entries, |s| self.key.sign(s));
        batch.vault = values;
        let answer = self.send(&batch).await?;
        match answer {
            Answer::Stored { receipt, .. } | Answer::AlreadyStored { receipt } => {
                self.keep(receipt, &facility, to, &head).await?;
                self.next = to + 1;
                Ok(Pushed::Sent { to })
            }
            Answer::Gap { hub_head, .. } => {
                if hub_head + 1 < self.next {
                    tracing::warn!(hub_head, "the hub holds less of this record than its receipts say (restored from a backup?); sending from seq {}", hub_head + 1);
                }
                self.next = hub_head.max(0) + 1;
                Ok(Pushed::Resend)
            }
            Answer::Fork {
                seq, exact: false, ..
            } if self.next > 1 => {
                // Send from the start: the hub compares what overlaps and
                // names the first entry that differs.
                tracing::warn!(seq, "the hub holds another record up to seq {seq}; sending from seq 1 to find where they part");
                self.next = 1;
                Ok(Pushed::Resend)
            }
            Answer::Fork { error, .. } => {
                tracing::error!("the hub refused this kiosk's record: {error}");
                self.next = self.receipted().await?.map_or(1, |s| s + 1);
                Ok(Pushed::Forked(error))
            }
            Answer::Refused { error } => {
                tracing::error!("the hub refused a batch: {error}");
                self.next = self.receipted().await?.map_or(1, |s| s + 1);
                Ok(Pushed::Refused(error))
            }
        }
    }

    /// Send up to [`PAGES`] document pages whose entries the hub holds;
    /// how many it answered for (a page it does not take yet is sent again
    /// on a later round).
    pub async fn send_pages(&self) -> Result<usize, String> {
        let due = self
            .desk
            .record()
            .read_async(|r| {
                let receipted = shipped::last_receipt(r.conn(), r.facility())?.map_or(0, |x| x.seq);
                shipped::pages_to_send(r.conn(), receipted, PAGES)
            })
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("cannot read the pages to send: {e}"))?;
        let mut answered = 0;
        for (id, seq) in due {
            let page = id.clone();
            let image = self
                .desk
                .record()
                .read_async(move |r| r.pages().read(&page))
                .await
                .map_err(|e| e.to_string())?;
            let outcome = match image {
                Ok(image) => match self.send_page(&id, image).await? {
                    PageAnswer::Stored | PageAnswer::AlreadyStored => "stored".to_string(),
                    PageAnswer::Purged => "purged".to_string(),
                    PageAnswer::NotYet { error } => {
                        tracing::debug!(page = %id, "the hub does not take the page yet: {error}");
                        continue;
                    }
                    PageAnswer::Refused { error } => {
                        tracing::error!(page = %id, seq, "the hub refused a document page: {error}");
                        format!("refused: {error}")
                    }
                },
                Err(e) => {
                    tracing::error!(page = %id, seq, "a document page cannot be read to send to the hub (`threshold log verify` checks every page): {e}");
                    format!("unreadable: {e}")
                }
            };
            let page = id.clone();
            self.desk
                .record()
                .with_store_async(move |s| shipped::page_sent(s, &page, &outcome))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| format!("cannot note page {id} as sent: {e}"))?;
            answered += 1;
        }
        Ok(answered)
    }

    async fn send_page(&self, id: &str, image: Vec<u8>) -> Result<PageAnswer, String> {
        use crate::domain::shipping::page::{
            statement, FACILITY_HEADER, PAGE_HEADER, SIGNATURE_HEADER,
        };
        use sha2::Digest;
        let facility = self.desk.record().facility().to_string();
        let sha256 = hex::encode(sha2::Sha256::digest(&image));
        let signature = self.key.sign(&statement(&facility, id, &sha256));
        let res = self
            .client
            .post(self.pages.clone())
            .header(FACILITY_HEADER, facility)
            .header(PAGE_HEADER, id)
            .header(SIGNATURE_HEADER, signature)
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(image)
            .send()
            .await
            .map_err(|e| format!("cannot reach the hub: {}", reqwest_error(&e.without_url())))?;
        answer(res).await
    }

    async fn send(&self, batch: &Batch) -> Result<Answer, String> {
        let res = self
            .client
            .post(self.batches.clone())
            .json(batch)
            .send()
            .await
            .map_err(|e| format!("cannot reach the hub: {}", reqwest_error(&e.without_url())))?;
        answer(res).await
    }

    /// Keep a receipt once it is the hub's and covers what was sent.
    async fn keep(
        &self,
        receipt: Receipt,
        facility: &str,
        to: i64,
        head: &str,
    ) -> Result<(), String> {
        if !receipt.verify(&self.hub_key) {
            return Err("the receipt is not signed with the hub's key in [hub] public_key: this address may not be the city's hub".into());
        }
        if receipt.facility != facility || receipt.seq != to || receipt.head_hash != head {
            return Err(format!(
                "the hub's receipt names {} seq {} but seq {to} was sent; the receipt is not kept",
                receipt.facility, receipt.seq
            ));
        }
        self.desk
            .record()
            .with_store_async(move |s| shipped::keep_receipt(s, &receipt))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("cannot keep the hub's receipt: {e}"))
    }

    async fn receipted(&self) -> Result<Option<i64>, String> {
        self.desk
            .record()
            .read_async(|r| shipped::last_receipt(r.conn(), r.facility()).map(|o| o.map(|r| r.seq)))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())
    }

    /// The kiosk's state for the hub: version, chain head, backlog, the
    /// health board, open encounters (ids and times; no names), and the
    /// retention periods in force.
    pub async fn report(&self) -> Result<String, String> {
        let parts = self.health.parts();
        let configured = &self.desk.loaded.config.retention;
        let configured = (configured.visitor_days, configured.encounter_years);
        let (head, receipt, open, pages, retention) = self
            .desk
            .record()
            .read_async(move |r| {
                let c = r.conn();
                Ok::<_, rusqlite::Error>((
                    crate::store::query::chain_head(c)?,
                    shipped::last_receipt(c, r.facility())?.map_or(0, |x| x.seq),
                    crate::store::query::encounters(c, true)?,
                    shipped::pages_shipped(c)?,
                    crate::store::accounts::retention_override(c)?.unwrap_or(configured),
                ))
            })
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        let open: Vec<_> = open
            .iter()
            .map(|e| {
                serde_json::json!({
                    "id": e.id, "opened_at": e.opened_at, "entrance": e.entrance, "drill": e.drill,
                    "document_kind": e.document_kind, "acknowledgements": e.acknowledgements,
                    "counsel_acknowledged_at": e.counsel_acknowledged_at,
                })
            })
            .collect();
        Ok(serde_json::json!({
            "version": env!("CARGO_PKG_VERSION"),
            "head_seq": head.0,
            "head_hash": hex::encode(&head.1),
            "receipt_seq": receipt,
            "backlog": head.0 - receipt,
            "pages_shipped": pages.0,
            "pages_waiting": pages.1,
            "parts": parts,
            "open_encounters": open,
            // The periods in force, so the hub applies this kiosk's rule to
            // its copy should the kiosk never come back (`hub::retention`).
            "retention": { "visitor_days": retention.0, "encounter_years": retention.1 },
        })
        .to_string())
    }

    /// Send the kiosk's state; `Err` says why the hub did not take it.
    pub async fn heartbeat(&self) -> Result<(), String> {
        let report = match self.report().await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!("heartbeat not sent: {e}");
                return Ok(());
            }
        };
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let beat = Heartbeat::signed(self.desk.record().facility(), &now, report, |s| {
            self.key.sign(s)
        });
        let res = self
            .client
            .post(self.heartbeats.clone())
            .json(&beat)
            .send()
            .await
            .map_err(|e| format!("cannot reach the hub: {}", reqwest_error(&e.without_url())))?;
        let status = res.status();
        if status.is_success() {
            return Ok(());
        }
        let mut text = res.text().await.unwrap_or_default();
        crate::domain::shipping::clip(&mut text, 300);
        tracing::warn!(%status, "the hub did not take the heartbeat: {text}");
        if status.is_server_error() {
            Err(format!("the hub answered HTTP {status}: {text}"))
        } else {
            // Refused (not enrolled yet, say): the batches say so.
            Ok(())
        }
    }
}

/// The hub's JSON answer, or what it said instead.
async fn answer<T: serde::de::DeserializeOwned>(res: reqwest::Response) -> Result<T, String> {
    let status = res.status();
    let text = res.text().await.map_err(|e| {
        format!(
            "the hub's answer broke off: {}",
            reqwest_error(&e.without_url())
        )
    })?;
    serde_json::from_str::<T>(&text).map_err(|_| {
        let mut t = text.trim().to_string();
        crate::domain::shipping::clip(&mut t, 300);
        format!("the hub answered HTTP {status}: {t}")
    })
}

/// Resolves once `stop` turns true.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// A reqwest error with its causes (the TLS or connection reason is in
/// the chain).
fn reqwest_error(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(c) = src {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = c.source();
    }
    s
}
