//! Alerts: the outbox, the dispatcher that sends it, escalation from tier to
//! tier until someone acknowledges, and the channels behind [`Notifier`].

pub mod ack_link;
pub mod dispatcher;
pub mod email;
pub mod message;
pub mod plan;
pub mod sms_gateway;
pub mod sms_modem;
pub mod webhook;

pub use dispatcher::{Dispatcher, Tick};

use crate::config::{Channel, Contact, Loaded, SecretError};
use message::{EncounterFacts, Message};
use std::future::Future;

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

/// Why a page was not delivered; journaled with the attempt.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("no {0} channel is configured")]
    NotConfigured(&'static str),
    #[error("the contact has no {0} address")]
    NoAddress(&'static str),
    #[error("{url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url}: {reason}")]
    Network { url: String, reason: String },
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
    #[error("the contact is no longer in the configuration")]
    ContactGone,
    #[error("the encounter is missing from the database; run `threshold log verify`")]
    EncounterGone,
}

impl SendError {
    /// Whether trying the same channel again may succeed.
    pub fn transient(&self) -> bool {
        match self {
            SendError::NotConfigured(_)
            | SendError::NoAddress(_)
            | SendError::ContactGone
            | SendError::EncounterGone => false,
            SendError::Status { status, .. } => *status >= 500 || *status == 408 || *status == 429,
            SendError::Network { .. } => true,
            SendError::Smtp { permanent, .. } => !permanent,
            SendError::Modem { transient, .. } => *transient,
        }
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

    /// Whether text messages can be answered (`Reply ACK <code>`).
    fn takes_replies(&self) -> bool {
        false
    }

    /// Replies received since the last call.
    fn replies(&self) -> impl Future<Output = Result<Vec<Reply>, SendError>> + Send {
        async { Ok(Vec::new()) }
    }
}

/// Why the channels could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("[alerts.webhook] secret_file: {0}")]
    Secret(#[from] SecretError),
    #[error("cannot set up the HTTPS client for webhooks: {0}")]
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

/// The configured channels.
pub struct Channels {
    webhook: Option<webhook::WebhookNotifier>,
    email: Option<email::EmailNotifier>,
    sms: Option<sms_gateway::SmsGateway>,
    modem: Option<sms_modem::SmsModem>,
}

impl Channels {
    /// Set up every configured channel; a missing secret is an error here.
    pub fn from_config(loaded: &Loaded) -> Result<Channels, SetupError> {
        let webhook = match (&loaded.config.alerts.webhook, loaded.webhook_secret()?) {
            (Some(settings), Some(secret)) => {
                Some(webhook::WebhookNotifier::new(settings, secret)?)
            }
            _ => None,
        };
        let email = match &loaded.config.alerts.smtp {
            Some(settings) => {
                let password = loaded.smtp_password().map_err(SetupError::SmtpPassword)?;
                let ca = loaded.smtp_ca().map_err(SetupError::SmtpCa)?;
                Some(email::EmailNotifier::new(settings, password, ca)?)
            }
            None => None,
        };
        let sms = match loaded
            .config
            .alerts
            .sms
            .as_ref()
            .and_then(|s| s.gateway_url.as_ref().map(|u| (s, u)))
        {
            Some((settings, url)) => {
                let credentials = loaded
                    .sms_gateway_credentials()
                    .map_err(SetupError::GatewaySecret)?;
                let timeout = std::time::Duration::from_secs(settings.timeout_s as u64);
                Some(sms_gateway::SmsGateway::new(url, credentials, timeout)?)
            }
            None => None,
        };
        let modem = match loaded
            .config
            .alerts
            .sms
            .as_ref()
            .and_then(|s| s.modem.as_ref().map(|m| (s, m)))
        {
            Some((settings, path)) => {
                let pin = loaded.sim_pin().map_err(SetupError::SimPin)?;
                let pin = pin.map(|p| String::from_utf8_lossy(&p).into_owned());
                let timeout = std::time::Duration::from_secs(settings.timeout_s as u64);
                Some(sms_modem::SmsModem::new(
                    path.clone(),
                    settings.baud,
                    timeout,
                    pin,
                ))
            }
            None => None,
        };
        Ok(Channels {
            webhook,
            email,
            sms,
            modem,
        })
    }
}

impl Notifier for Channels {
    async fn send(&self, page: &Outgoing) -> Result<String, SendError> {
        match page.channel {
            Channel::Webhook => {
                let notifier = self
                    .webhook
                    .as_ref()
                    .ok_or(SendError::NotConfigured("webhook"))?;
                let url = page
                    .contact
                    .webhook
                    .as_deref()
                    .ok_or(SendError::NoAddress("webhook"))?;
                notifier.post(url, page).await
            }
            Channel::Email => {
                let notifier = self
                    .email
                    .as_ref()
                    .ok_or(SendError::NotConfigured("email"))?;
                let to = page
                    .contact
                    .email
                    .as_deref()
                    .ok_or(SendError::NoAddress("email"))?;
                notifier.send(to, page).await
            }
            Channel::Sms => {
                let to = page
                    .contact
                    .phone
                    .as_deref()
                    .ok_or(SendError::NoAddress("phone"))?;
                match (&self.modem, &self.sms) {
                    (Some(modem), _) => modem.send(to, &page.message.text).await,
                    (None, Some(gateway)) => gateway.send(to, &page.message.text).await,
                    (None, None) => Err(SendError::NotConfigured("sms")),
                }
            }
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
