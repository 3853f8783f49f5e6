//! Pages by HTTPS webhook: plain JSON, or the Slack and Microsoft Teams
//! incoming-webhook formats, with an `X-Threshold-Signature` header
//! (`sha256=` and the hex HMAC-SHA256 of the exact body, keyed with the
//! secret from `[alerts.webhook] secret_file`) and the page's idempotency
//! key in `X-Threshold-Key`.

use super::{Outgoing, SendError};
use crate::config::{WebhookSettings, WebhookStyle};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use std::time::Duration;

/// Sends webhook pages.
pub struct WebhookNotifier {
    client: reqwest::Client,
    secret: Vec<u8>,
    style: WebhookStyle,
}

/// `sha256=<hex HMAC-SHA256(secret, body)>`.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

impl WebhookNotifier {
    pub fn new(
        settings: &WebhookSettings,
        secret: Vec<u8>,
    ) -> Result<WebhookNotifier, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(settings.timeout_s as u64))
            .user_agent(concat!("threshold/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(WebhookNotifier {
            client,
            secret,
            style: settings.style,
        })
    }

    /// The JSON body for `page` in the configured style.
    pub fn body(&self, page: &Outgoing) -> serde_json::Value {
        match self.style {
            WebhookStyle::Plain => json!({
                "type": if page.test { "threshold.test" } else { "threshold.page" },
                "key": page.key,
                "encounter": page.facts.id,
                "tier": page.tier + 1,
                "drill": page.facts.drill,
                "facility": page.facility,
                "headline": page.message.headline,
                "text": page.message.text,
                "facts": page.facts,
            }),
            WebhookStyle::Slack => json!({ "text": page.message.text }),
            WebhookStyle::Teams => json!({
                "@type": "MessageCard",
                "@context": "https://schema.org/extensions",
                "summary": page.message.headline,
                "themeColor": if page.facts.drill { "808080" } else { "C50F1F" },
                "title": page.message.headline,
                // Teams renders Markdown: a blank line separates paragraphs.
                "text": page.message.text.lines().skip(1).collect::<Vec<_>>().join("\n\n"),
            }),
        }
    }

    /// POST `page` to `url`; the receiver's 2xx status is the delivery.
    /// Errors name the host only: the rest of a webhook URL (Slack, Teams)
    /// is a credential and must not reach the journal.
    pub async fn post(&self, url: &str, page: &Outgoing) -> Result<String, SendError> {
        let host = host_of(url);
        let body = serde_json::to_vec(&self.body(page)).expect("JSON values serialise");
        let response = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("x-threshold-signature", signature(&self.secret, &body))
            .header("x-threshold-key", &page.key)
            .body(body)
            .send()
            .await
            .map_err(|e| SendError::Network {
                reason: reason(&e, url, &host),
                host: host.clone(),
            })?;
        let status = response.status();
        if status.is_success() {
            Ok(format!("HTTP {}", status.as_u16()))
        } else {
            Err(SendError::Status {
                host,
                status: status.as_u16(),
            })
        }
    }
}

/// The host of a webhook URL, all of it that may be shown or journaled.
pub fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(String::from))
        .unwrap_or_else(|| "the webhook".into())
}

/// What went wrong, in reqwest's words but with nothing of the URL beyond
/// its host, whatever the error's text held.
fn reason(e: &reqwest::Error, url: &str, host: &str) -> String {
    if e.is_timeout() {
        return "timed out".into();
    }
    let mut text = std::error::Error::source(e).map_or(e.to_string(), |s| s.to_string());
    text = text.replace(url, host);
    if let Ok(u) = url::Url::parse(url) {
        for secret in [Some(u.path()), u.query()].into_iter().flatten() {
            if secret.len() > 1 {
                text = text.replace(secret, "");
            }
        }
    }
    if text.is_empty() {
        text = "request failed".into();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::message::{EncounterFacts, Message};
    use crate::config::{Channel, Contact, Role};

    fn page(drill: bool) -> Outgoing {
        Outgoing {
            key: "E-1/0/Rosa/webhook".into(),
            test: false,
            tier: 0,
            facility: "Library".into(),
            contact: Contact {
                name: "Rosa".into(),
                role: Role::Counsel,
                email: None,
                phone: None,
                webhook: Some("https://hooks.example.org/x".into()),
                language: None,
                channels: None,
            },
            channel: Channel::Webhook,
            facts: EncounterFacts {
                id: "E-1".into(),
                opened_at: "2026-11-27T18:00:00.000Z".into(),
                entrance: "main".into(),
                drill,
                exigent: false,
                document_kind: None,
                area: None,
                area_public: None,
                officers: 1,
                record: None,
            },
            message: Message {
                headline: "DRILL — Officials at the desk".into(),
                text: "DRILL — Officials at the desk\nDocument: none.\nReference E-1.".into(),
            },
            attachments: Vec::new(),
        }
    }

    fn notifier(style: WebhookStyle) -> WebhookNotifier {
        let settings = WebhookSettings {
            secret_file: "x".into(),
            style,
            timeout_s: 5,
        };
        WebhookNotifier::new(&settings, b"k".to_vec()).unwrap()
    }

    #[test]
    fn slack_teams_and_plain_shapes() {
        let p = page(true);
        let slack = notifier(WebhookStyle::Slack).body(&p);
        assert_eq!(slack, json!({ "text": p.message.text }));
        let teams = notifier(WebhookStyle::Teams).body(&p);
        assert_eq!(teams["@type"], "MessageCard");
        assert_eq!(teams["@context"], "https://schema.org/extensions");
        assert_eq!(teams["title"], p.message.headline);
        assert_eq!(teams["themeColor"], "808080", "drills are grey");
        assert_eq!(
            teams["text"], "Document: none.\n\nReference E-1.",
            "paragraphs for Markdown, headline once"
        );
        assert_eq!(
            notifier(WebhookStyle::Teams).body(&page(false))["themeColor"],
            "C50F1F"
        );
        let plain = notifier(WebhookStyle::Plain).body(&p);
        assert_eq!(plain["type"], "threshold.page");
        assert_eq!(plain["key"], "E-1/0/Rosa/webhook");
        assert_eq!(
            (plain["tier"].as_u64(), plain["drill"].as_bool()),
            (Some(1), Some(true))
        );
        assert_eq!(plain["facts"]["officers"], 1);
    }

    #[test]
    fn signature_is_hmac_sha256_hex() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
