//! Pages by e-mail through an SMTP server (lettre, rustls): plain text and
//! HTML, the encounter summary and the acknowledge link; the document's page
//! images only when `[alerts.smtp] attach_pages` is set. The Message-ID
//! derives from the page's idempotency key, so a page sent again after a
//! crash carries the same one.

use super::{Outgoing, SendError};
use crate::config::{SmtpSettings, SmtpTls};
use crate::html::escape;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// SMTP sessions open at once, at most. A relay that accepts connections
/// and never answers then holds this many sockets, not one per page (a
/// burst of encounters would otherwise use up the service's open files);
/// the other e-mail pages wait their turn within their deadline.
pub const SESSIONS: usize = 16;

/// Sends e-mail pages. The SMTP transport (a connection pool, which lives
/// on a tokio runtime) is made on the first send, on the runtime that sends.
pub struct EmailNotifier {
    builder: lettre::transport::smtp::AsyncSmtpTransportBuilder,
    transport: std::sync::OnceLock<AsyncSmtpTransport<Tokio1Executor>>,
    sessions: tokio::sync::Semaphore,
    from: Mailbox,
    host: String,
}

impl Drop for EmailNotifier {
    fn drop(&mut self) {
        // The pool closes its connections on a task of the runtime; with no
        // runtime left (the process is ending), let the OS close them.
        if tokio::runtime::Handle::try_current().is_err() {
            if let Some(t) = self.transport.take() {
                std::mem::forget(t);
            }
        }
    }
}

/// `<hash of key@sender's domain>`.
pub fn message_id(key: &str, from: &Mailbox) -> String {
    let hash = hex::encode(&Sha256::digest(key.as_bytes())[..16]);
    format!("<{hash}@{}>", from.email.domain())
}

impl EmailNotifier {
    /// `ca_pem`: further CA certificates (PEM) to trust besides the web's roots.
    pub fn new(
        settings: &SmtpSettings,
        password: Option<Vec<u8>>,
        ca_pem: Option<Vec<u8>>,
    ) -> Result<EmailNotifier, lettre::transport::smtp::Error> {
        let host = settings.host.as_str();
        let tls = || -> Result<TlsParameters, lettre::transport::smtp::Error> {
            let mut params = TlsParameters::builder(host.to_string());
            let pem = ca_pem
                .as_deref()
                .map(String::from_utf8_lossy)
                .unwrap_or_default();
            let blocks = pem
                .split_inclusive("-----END CERTIFICATE-----")
                .filter(|b| b.contains("BEGIN CERTIFICATE"));
            for block in blocks {
                params =
                    params.add_root_certificate(Certificate::from_pem(block.trim().as_bytes())?);
            }
            params.build()
        };
        let plain = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host);
        let builder = match settings.tls {
            SmtpTls::None => plain,
            SmtpTls::Starttls => plain.tls(Tls::Required(tls()?)),
            SmtpTls::Tls => plain.tls(Tls::Wrapper(tls()?)),
        };
        let mut builder = builder
            .port(settings.port())
            .timeout(Some(Duration::from_secs(settings.timeout_s as u64)));
        if let (Some(user), Some(password)) = (&settings.username, password) {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                String::from_utf8_lossy(&password).into_owned(),
            ));
        }
        Ok(EmailNotifier {
            builder,
            transport: std::sync::OnceLock::new(),
            sessions: tokio::sync::Semaphore::new(SESSIONS),
            from: settings.from.parse().expect("validated at load"),
            host: settings.host.clone(),
        })
    }

    /// The e-mail for `page` to `to`.
    pub fn message(&self, to: &str, page: &Outgoing) -> Result<Message, SendError> {
        let to: Mailbox = to
            .parse()
            .map_err(|_| SendError::NoAddress("valid email"))?;
        let html: String = page
            .message
            .text
            .lines()
            .map(
                |line| match line.find("http://").or_else(|| line.find("https://")) {
                    Some(i) => {
                        let url = escape(&line[i..]);
                        format!("<p>{}<a href=\"{url}\">{url}</a></p>", escape(&line[..i]))
                    }
                    None => format!("<p>{}</p>", escape(line)),
                },
            )
            .collect();
        let body = MultiPart::alternative_plain_html(page.message.text.clone(), html);
        let body = page
            .attachments
            .iter()
            .fold(MultiPart::mixed().multipart(body), |m, a| {
                let extension = if a.media == "image/jpeg" {
                    "jpg"
                } else {
                    "png"
                };
                let part: SinglePart =
                    Attachment::new(format!("{}-page-{}.{extension}", page.facts.id, a.number))
                        .body(
                            a.bytes.clone(),
                            ContentType::parse(&a.media).unwrap_or(ContentType::TEXT_PLAIN),
                        );
                m.singlepart(part)
            });
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(page.message.headline.clone())
            .message_id(Some(message_id(&page.key, &self.from)))
            .multipart(body)
            .map_err(|e| SendError::Smtp {
                host: self.host.clone(),
                reason: e.to_string(),
                permanent: true,
            })
    }

    /// Send `page` to `to`; the server's acceptance is the delivery.
    pub async fn send(&self, to: &str, page: &Outgoing) -> Result<String, SendError> {
        let message = self.message(to, page)?;
        let transport = self.transport.get_or_init(|| {
            self.builder
                .clone()
                .pool_config(lettre::transport::smtp::PoolConfig::new().max_size(SESSIONS as u32))
                .build()
        });
        // Never closed, so acquiring only waits.
        let _session = self.sessions.acquire().await;
        let response = transport.send(message).await.map_err(|e| SendError::Smtp {
            host: self.host.clone(),
            reason: e.to_string(),
            permanent: e.is_permanent(),
        })?;
        Ok(format!("SMTP {}", response.code()))
    }
}
