//! Alerts: the outbox, the dispatcher that sends it, escalation from tier to
//! tier until someone acknowledges, and the channels behind [`Notifier`].

pub mod ack_link;
pub mod delivery;
pub mod dispatcher;
pub mod email;
pub mod message;
pub mod plan;
pub mod replies;
pub mod sms_gateway;
pub mod sms_modem;
pub mod webhook;

pub use dispatcher::{Dispatcher, Tick};

use crate::config::{Channel, Contact, Loaded, SecretError};
use crate::devices::health::{Health, PartKind};
use message::{EncounterFacts, Message};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// One page to deliver.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub key: String,
    /// A test message from `threshold alerts test`, not a page.
    pub test: bool,
    pub tier: u32,
    pub facility: String,
    pub contact: Contact,
    pub channel: Channel,
    pub facts: EncounterFacts,
    pub message: Message,
    /// Page images, for e-mail when `[alerts.smtp] attach_pages` is set.
    pub attachments: Vec<PageAttachment>,
}

/// A page image attached to an e-mail.
#[derive(Debug, Clone)]
pub struct PageAttachment {
    pub number: u32,
    pub media: String,
    pub bytes: Vec<u8>,
}

/// Why a page was not delivered; journaled with the attempt. Nothing here
/// names a webhook's path or query (they are credentials) or a message's
/// text: hosts only.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("no {0} channel is configured")]
    NotConfigured(&'static str),
    #[error("the contact has no {0} address")]
    NoAddress(&'static str),
    #[error("{host} answered HTTP {status}")]
    Status { host: String, status: u16 },
    #[error("{host}: {reason}")]
    Network { host: String, reason: String },
    #[error("SMTP server {host}: {reason}")]
    Smtp {
        host: String,
        reason: String,
        permanent: bool,
    },
    #[error("modem {port}: {reason}")]
    Modem {
        port: String,
        reason: String,
        transient: bool,
    },
    #[error("the {channel} channel is not set up: {reason}")]
    Unavailable {
        channel: &'static str,
        reason: String,
    },
    #[error("{channel}: no answer within {after_s} s")]
    Timeout { channel: &'static str, after_s: u64 },
    #[error("the contact is no longer in the configuration")]
    ContactGone,
    #[error("the encounter is missing from the database; run `threshold log verify`")]
    EncounterGone,
}

impl SendError {
    /// Whether trying the same channel again soon may succeed.
    pub fn transient(&self) -> bool {
        match self {
            SendError::NotConfigured(_)
            | SendError::NoAddress(_)
            | SendError::ContactGone
            | SendError::EncounterGone
            | SendError::Unavailable { .. } => false,
            SendError::Status { status, .. } => *status >= 500 || *status == 408 || *status == 429,
            SendError::Network { .. } | SendError::Timeout { .. } => true,
            SendError::Smtp { permanent, .. } => !permanent,
            SendError::Modem { transient, .. } => *transient,
        }
    }

    /// Whether the channel may work later without a restart (a secret file
    /// put in place): a contact's last channel keeps being tried.
    pub fn recoverable(&self) -> bool {
        matches!(self, SendError::Unavailable { .. })
    }
}

/// A text message received, e.g. `ACK 123456`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub from: String,
    pub text: String,
}

/// A way of delivering pages.
pub trait Notifier {
    /// Deliver `page`; on success, a short note of how (journaled).
    fn send(&self, page: &Outgoing) -> impl Future<Output = Result<String, SendError>> + Send;

    /// How long a page on `channel` may take before it counts as failed.
    fn deadline(&self, channel: Channel) -> Duration {
        let _ = channel;
        Duration::from_secs(30)
    }

    /// Whether text messages can be answered (`Reply ACK <code>`).
    fn takes_replies(&self) -> bool {
        false
    }

    /// Replies received since the last call.
    fn replies(&self) -> impl Future<Output = Result<Vec<Reply>, SendError>> + Send {
        async { Ok(Vec::new()) }
    }
}

/// Why a channel could not be set up (it is shown as broken; the others work).
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("[alerts.webhook] secret_file: {0}")]
    Secret(SecretError),
    #[error("cannot set up the HTTPS client: {0}")]
    Http(#[from] reqwest::Error),
    #[error("[alerts.smtp] password_file: {0}")]
    SmtpPassword(SecretError),
    #[error("[alerts.smtp]: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("[alerts.smtp] ca_file: {0}")]
    SmtpCa(SecretError),
    #[error("[alerts.sms] gateway_credentials_file: {0}")]
    GatewaySecret(SecretError),
    #[error("[alerts.sms] gateway: {0}")]
    Gateway(#[from] sms_gateway::GatewayError),
    #[error("[alerts.sms] sim_pin_file: {0}")]
    SimPin(SecretError),
}

impl SetupError {
    /// What to do about it, in words.
    fn fix(&self) -> &'static str {
        match self {
            SetupError::Secret(_)
            | SetupError::SmtpPassword(_)
            | SetupError::SmtpCa(_)
            | SetupError::GatewaySecret(_)
            | SetupError::SimPin(_) => {
                "Put the file in place, readable by the threshold user (chmod 640, group threshold); the next page tries again, no restart needed."
            }
            SetupError::Gateway(_) => {
                "Write `user:password` on one line in the credentials file; the next page tries again."
            }
            SetupError::Http(_) | SetupError::Smtp(_) => {
                "Check the settings in this section of the configuration; `threshold config check` names the line."
            }
        }
    }
}

/// A channel that is set up when first needed and again after each
/// failure to set it up (a missing secret file may appear later).
struct Slot<T> {
    part: &'static str,
    location: String,
    build: Box<dyn Fn() -> Result<T, SetupError> + Send + Sync>,
    built: std::sync::Mutex<Option<Arc<T>>>,
}

impl<T> Slot<T> {
    fn new(
        part: &'static str,
        location: String,
        build: impl Fn() -> Result<T, SetupError> + Send + Sync + 'static,
    ) -> Self {
        Slot {
            part,
            location,
            build: Box::new(build),
            built: std::sync::Mutex::new(None),
        }
    }

    /// The channel, set up now if it is not yet; a failure is posted to
    /// the health board.
    fn get(&self, health: &Health) -> Result<Arc<T>, SendError> {
        let mut built = self.built.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(t) = built.as_ref() {
            return Ok(t.clone());
        }
        match (self.build)() {
            Ok(t) => {
                let t = Arc::new(t);
                *built = Some(t.clone());
                Ok(t)
            }
            Err(e) => {
                health.broken(
                    self.part,
                    PartKind::Channel,
                    &self.location,
                    &e.to_string(),
                    e.fix(),
                );
                Err(SendError::Unavailable {
                    channel: self.part,
                    reason: e.to_string(),
                })
            }
        }
    }
}

/// The configured channels. Each is set up on its own: one that cannot be
/// (a secret file missing) is shown as broken and the others work.
pub struct Channels {
    webhook: Option<Slot<webhook::WebhookNotifier>>,
    email: Option<Slot<email::EmailNotifier>>,
    gateway: Option<Slot<sms_gateway::SmsGateway>>,
    modem: Option<sms_modem::SmsModem>,
    health: Health,
    deadlines: Deadlines,
}

/// How long each channel may take with one page.
#[derive(Debug, Clone, Copy)]
struct Deadlines {
    webhook: Duration,
    email: Duration,
    sms: Duration,
}

impl Channels {
    /// Every configured channel, posting its state to `health`. Channels
    /// whose settings need a file are tried at once, so a missing secret
    /// shows as broken before the first page; the e-mail transport itself
    /// is made on first use, on the runtime that sends.
    pub fn from_config(loaded: &Loaded, health: &Health) -> Channels {
        let alerts = &loaded.config.alerts;
        let secs = |s: u32| Duration::from_secs(s as u64);
        let mut deadlines = Deadlines {
            webhook: Duration::from_secs(12),
            email: Duration::from_secs(20),
            sms: Duration::from_secs(35),
        };
        let webhook = alerts.webhook.as_ref().map(|settings| {
            deadlines.webhook = secs(settings.timeout_s) + Duration::from_secs(2);
            let (settings, l) = (settings.clone(), loaded.clone());
            Slot::new("webhook", "each contact's webhook".into(), move || {
                let secret = l.webhook_secret().map_err(SetupError::Secret)?;
                let secret = secret.ok_or_else(|| {
                    SetupError::Secret(crate::config::SecretError::Empty {
                        path: settings.secret_file.clone(),
                    })
                })?;
                Ok(webhook::WebhookNotifier::new(&settings, secret)?)
            })
        });
        let email = alerts.smtp.as_ref().map(|settings| {
            deadlines.email = secs(settings.timeout_s) + Duration::from_secs(5);
            let (settings, l) = (settings.clone(), loaded.clone());
            let location = format!("{}:{}", settings.host, settings.port());
            Slot::new("email", location, move || {
                let password = l.smtp_password().map_err(SetupError::SmtpPassword)?;
                let ca = l.smtp_ca().map_err(SetupError::SmtpCa)?;
                Ok(email::EmailNotifier::new(&settings, password, ca)?)
            })
        });
        let sms = alerts.sms.as_ref();
        let gateway = sms.and_then(|s| s.gateway_url.as_ref().map(|u| (s, u.clone())));
        let gateway = gateway.map(|(settings, url)| {
            let timeout = secs(settings.timeout_s);
            let l = loaded.clone();
            let location = url::Url::parse(&url)
                .ok()
                .and_then(|u| u.host_str().map(String::from))
                .unwrap_or_default();
            Slot::new("sms-gateway", location, move || {
                let credentials = l
                    .sms_gateway_credentials()
                    .map_err(SetupError::GatewaySecret)?;
                Ok(sms_gateway::SmsGateway::new(&url, credentials, timeout)?)
            })
        });
        let modem = sms
            .and_then(|s| s.modem.as_ref().map(|m| (s, m)))
            .map(|(settings, path)| {
                let pin = match loaded.sim_pin() {
                    Ok(pin) => pin.map(|p| String::from_utf8_lossy(&p).into_owned()),
                    Err(e) => {
                        let e = SetupError::SimPin(e);
                        health.broken(
                            "modem",
                            PartKind::Device,
                            &path.display().to_string(),
                            &e.to_string(),
                            e.fix(),
                        );
                        None
                    }
                };
                let timeout = secs(settings.timeout_s);
                sms_modem::SmsModem::new(path.clone(), settings.baud, timeout, pin, health.clone())
            });
        if let Some(s) = sms {
            // The modem first (it takes replies), then the gateway.
            let modem = if s.modem.is_some() {
                2 * s.timeout_s + 2
            } else {
                0
            };
            let gateway = if s.gateway_url.is_some() {
                s.timeout_s + 2
            } else {
                0
            };
            deadlines.sms = secs(modem + gateway);
        }
        let channels = Channels {
            webhook,
            email,
            gateway,
            modem,
            health: health.clone(),
            deadlines,
        };
        channels.check();
        channels
    }

    /// Try to set up every channel that needs files now (not the e-mail
    /// transport, which is made on the runtime), posting each result.
    fn check(&self) {
        if let Some(slot) = &self.webhook {
            if slot.get(&self.health).is_ok() {
                self.health
                    .working("webhook", PartKind::Channel, &slot.location, "set up");
            }
        }
        if let Some(slot) = &self.gateway {
            if slot.get(&self.health).is_ok() {
                self.health
                    .working("sms-gateway", PartKind::Channel, &slot.location, "set up");
            }
        }
        if let Some(slot) = &self.email {
            let l = &slot.location;
            match (slot.build)() {
                // Dropped again before the runtime exists: only its files
                // and settings were checked; nothing was connected.
                Ok(notifier) => {
                    drop(notifier);
                    self.health.working("email", PartKind::Channel, l, "set up");
                }
                Err(e) => {
                    self.health
                        .broken("email", PartKind::Channel, l, &e.to_string(), e.fix())
                }
            }
        }
    }

    /// Post the outcome of a page on `part` to the health board.
    fn post(&self, part: &'static str, location: &str, result: &Result<String, SendError>) {
        match result {
            Ok(_) => self
                .health
                .working(part, PartKind::Channel, location, "delivering"),
            Err(e) => self.health.broken(
                part,
                PartKind::Channel,
                location,
                &e.to_string(),
                &fix_for(e),
            ),
        }
    }
}

/// What to do when a page failed with `e`, in words.
fn fix_for(e: &SendError) -> String {
    match e {
        SendError::Smtp { host, permanent: true, .. } => format!("The SMTP server {host} refused the message: check [alerts.smtp] username, the password in password_file and from."),
        SendError::Smtp { host, .. } => format!("Check that the SMTP server {host} is running and reachable from this box ([alerts.smtp] host and port); pages go on by the contacts' other channels meanwhile."),
        SendError::Status { host, status } if *status < 500 => format!("{host} refused the page: check the contact's webhook address and [alerts.webhook] secret_file."),
        SendError::Status { host, .. } | SendError::Network { host, .. } => format!("Check that {host} is reachable from this box; pages go on by the contacts' other channels meanwhile."),
        SendError::Timeout { channel, .. } => format!("The {channel} server accepted the connection but did not answer; check it, or its network."),
        SendError::Modem { .. } => "Check the modem's USB cable, power, antenna and SIM; Threshold retries by itself and uses the SMS gateway meanwhile when one is set up.".into(),
        SendError::Unavailable { .. } => "Put the file named in the message in place; the next page tries again.".into(),
        SendError::NoAddress(_) | SendError::ContactGone | SendError::NotConfigured(_) | SendError::EncounterGone => "Check the contact in the configuration (`threshold config check`).".into(),
    }
}

impl Notifier for Channels {
    async fn send(&self, page: &Outgoing) -> Result<String, SendError> {
        match page.channel {
            Channel::Webhook => {
                let slot = self
                    .webhook
                    .as_ref()
                    .ok_or(SendError::NotConfigured("webhook"))?;
                let url = page
                    .contact
                    .webhook
                    .as_deref()
                    .ok_or(SendError::NoAddress("webhook"))?;
                let result = match slot.get(&self.health) {
                    Ok(n) => n.post(url, page).await,
                    Err(e) => return Err(e),
                };
                self.post("webhook", &webhook::host_of(url), &result);
                result
            }
            Channel::Email => {
                let slot = self
                    .email
                    .as_ref()
                    .ok_or(SendError::NotConfigured("email"))?;
                let to = page
                    .contact
                    .email
                    .as_deref()
                    .ok_or(SendError::NoAddress("email"))?;
                let result = match slot.get(&self.health) {
                    Ok(n) => n.send(to, page).await,
                    Err(e) => return Err(e),
                };
                self.post("email", &slot.location, &result);
                result
            }
            Channel::Sms => {
                let to = page
                    .contact
                    .phone
                    .as_deref()
                    .ok_or(SendError::NoAddress("phone"))?;
                let by_modem = match &self.modem {
                    Some(modem) => match modem.send(to, &page.message.text).await {
                        Ok(detail) => return Ok(detail),
                        Err(e) => Some(e),
                    },
                    None => None,
                };
                let Some(slot) = &self.gateway else {
                    return Err(by_modem.unwrap_or(SendError::NotConfigured("sms")));
                };
                let result = match slot.get(&self.health) {
                    Ok(g) => g.send(to, &page.message.text).await,
                    Err(e) => Err(e),
                };
                self.post("sms-gateway", &slot.location, &result);
                match (result, by_modem) {
                    (Ok(detail), Some(modem)) => {
                        Ok(format!("{detail} (the modem could not: {modem})"))
                    }
                    (result, _) => result,
                }
            }
        }
    }

    fn deadline(&self, channel: Channel) -> Duration {
        match channel {
            Channel::Webhook => self.deadlines.webhook,
            Channel::Email => self.deadlines.email,
            Channel::Sms => self.deadlines.sms,
        }
    }

    fn takes_replies(&self) -> bool {
        self.modem.is_some()
    }

    async fn replies(&self) -> Result<Vec<Reply>, SendError> {
        match &self.modem {
            Some(modem) => modem.replies().await,
            None => Ok(Vec::new()),
        }
    }
}
