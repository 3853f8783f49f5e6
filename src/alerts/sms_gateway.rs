//! Text messages through an HTTP SMS gateway: `[alerts.sms] gateway_url`
//! with `{to}` and `{text}` filled in (URL-encoded) and POSTed, with HTTP
//! basic auth from `gateway_credentials_file` (`user:password`).

use super::SendError;
use std::time::Duration;

/// Sends text messages through a gateway.
pub struct SmsGateway {
    client: reqwest::Client,
    template: String,
    credentials: Option<(String, String)>,
}

/// Why the gateway could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("the credentials file must hold `user:password` on one line")]
    Credentials,
    #[error(transparent)]
    Http(#[from] reqwest::Error),
}

impl SmsGateway {
    pub fn new(
        template: &str,
        credentials: Option<Vec<u8>>,
        timeout: Duration,
    ) -> Result<SmsGateway, GatewayError> {
        let credentials = credentials
            .map(|c| {
                let text = String::from_utf8(c).map_err(|_| GatewayError::Credentials)?;
                let (user, password) = text
                    .trim()
                    .split_once(':')
                    .ok_or(GatewayError::Credentials)?;
                Ok::<_, GatewayError>((user.to_string(), password.to_string()))
            })
            .transpose()?;
        Ok(SmsGateway {
            client: reqwest::Client::builder()
                .timeout(timeout)
                .user_agent(concat!("threshold/", env!("CARGO_PKG_VERSION")))
                .build()?,
            template: template.to_string(),
            credentials,
        })
    }

    /// The request URL for `to` and `text`.
    pub fn url(&self, to: &str, text: &str) -> String {
        let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        self.template
            .replace("{to}", &enc(to))
            .replace("{text}", &enc(text))
    }

    /// Send `text` to `to`; the gateway's 2xx status is the delivery.
    pub async fn send(&self, to: &str, text: &str) -> Result<String, SendError> {
        let url = self.url(to, text);
        // The URL holds the message: errors name the gateway's host only.
        let host = reqwest::Url::parse(&url)
            .ok()
            .and_then(|u| u.host_str().map(String::from))
            .unwrap_or_else(|| "the SMS gateway".into());
        let mut request = self.client.post(&url);
        if let Some((user, password)) = &self.credentials {
            request = request.basic_auth(user, Some(password));
        }
        let response = request.send().await.map_err(|e| SendError::Network {
            host: host.clone(),
            reason: if e.is_timeout() {
                "timed out".into()
            } else {
                "could not connect".into()
            },
        })?;
        let status = response.status();
        if status.is_success() {
            Ok(format!("gateway HTTP {}", status.as_u16()))
        } else {
            Err(SendError::Status {
                host,
                status: status.as_u16(),
            })
        }
    }
}
