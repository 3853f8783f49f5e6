//! `[alerts]` and `[admin]`: how pages are sent, and the web server that
//! serves acknowledge links. Secrets are read from files named here.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// How pages are sent.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alerts {
    /// Drills page the rapid-response tier too (default: they do not).
    #[serde(default)]
    pub drill_pages_rapid_response: bool,
    /// Webhooks (Slack, Microsoft Teams, or plain JSON), signed with HMAC-SHA256.
    #[serde(default)]
    pub webhook: Option<WebhookSettings>,
    /// How long an acknowledge link in a page stays valid.
    #[serde(default = "default_ack_link_ttl_s")]
    pub ack_link_ttl_s: u32,
    /// E-mail through an SMTP server.
    #[serde(default)]
    pub smtp: Option<SmtpSettings>,
    /// Text messages through a GSM modem or an HTTP gateway.
    #[serde(default)]
    pub sms: Option<SmsSettings>,
}

/// `[alerts.sms]`: one of a modem or a gateway.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsSettings {
    /// The modem's serial port (a stable udev name), e.g. `/dev/threshold-modem`.
    #[serde(default)]
    pub modem: Option<PathBuf>,
    #[serde(default = "default_baud")]
    pub baud: u32,
    /// File holding the SIM PIN, when the SIM asks for one.
    #[serde(default)]
    pub sim_pin_file: Option<PathBuf>,
    /// An HTTP SMS gateway: a URL with `{to}` and `{text}`, which are filled
    /// in (URL-encoded) and POSTed.
    #[serde(default)]
    pub gateway_url: Option<String>,
    /// File holding `user:password` for the gateway (HTTP basic auth).
    #[serde(default)]
    pub gateway_credentials_file: Option<PathBuf>,
    #[serde(default = "default_sms_timeout")]
    pub timeout_s: u32,
}

fn default_baud() -> u32 {
    115_200
}

fn default_sms_timeout() -> u32 {
    30
}

/// `[alerts.smtp]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    /// Default: 587 with `starttls`, 465 with `tls`, 25 with `none`.
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: SmtpTls,
    /// The sender, e.g. `Threshold <threshold@library.example.org>`.
    pub from: String,
    #[serde(default)]
    pub username: Option<String>,
    /// File holding the password (relative to the config file).
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    #[serde(default = "default_smtp_timeout")]
    pub timeout_s: u32,
    /// Attach the document's page images to e-mail pages (default: no).
    #[serde(default)]
    pub attach_pages: bool,
    /// PEM file of further CA certificates to trust for the server's
    /// certificate (an internal relay with a private CA), relative to the
    /// config file. The public web's roots are always trusted.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

fn default_smtp_timeout() -> u32 {
    15
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SmtpTls {
    /// Plain text; only for a relay on this machine or a trusted network.
    None,
    /// Upgrade a plain connection with STARTTLS (usually port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

impl SmtpSettings {
    /// The port, or the usual one for `tls`.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            SmtpTls::None => 25,
            SmtpTls::Starttls => 587,
            SmtpTls::Tls => 465,
        })
    }
}

fn default_ack_link_ttl_s() -> u32 {
    12 * 3600
}

impl Default for Alerts {
    fn default() -> Self {
        Alerts {
            drill_pages_rapid_response: false,
            webhook: None,
            ack_link_ttl_s: default_ack_link_ttl_s(),
            smtp: None,
            sms: None,
        }
    }
}

/// `[admin]`: the service's web server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Admin {
    /// Address the web server listens on.
    #[serde(default = "default_listen")]
    pub listen: std::net::SocketAddr,
    /// The address people's phones use to reach it, e.g.
    /// `https://threshold.library.example.org`; pages carry acknowledge
    /// links only when it is set.
    #[serde(default)]
    pub public_url: Option<String>,
    /// PEM certificate chain (relative to the config file): with `tls_key`,
    /// the web server speaks HTTPS only.
    #[serde(default)]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for `tls_cert`.
    #[serde(default)]
    pub tls_key: Option<PathBuf>,
    /// Reverse proxies (addresses, or CIDR ranges such as `10.0.0.0/8`)
    /// whose `X-Forwarded-For` names the client. Without it the header is
    /// ignored: anyone could write it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trusted_proxies: Vec<String>,
    /// The web server is reached through a proxy that speaks HTTPS to the
    /// browsers: cookies are marked `Secure` and HSTS is sent.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub behind_tls_proxy: bool,
}

impl Admin {
    /// `trusted_proxies` as networks (an address alone is one host);
    /// entries that do not parse are left out (validation names them).
    pub fn proxies(&self) -> Vec<ipnet::IpNet> {
        self.trusted_proxies
            .iter()
            .filter_map(|p| parse_network(p))
            .collect()
    }

    /// Whether browsers reach the web over HTTPS (ours or a proxy's).
    pub fn https(&self) -> bool {
        self.tls_cert.is_some() || self.behind_tls_proxy
    }
}

/// `10.0.0.0/8`, `fd00::/8`, or one address.
pub fn parse_network(text: &str) -> Option<ipnet::IpNet> {
    let text = text.trim();
    text.parse::<ipnet::IpNet>().ok().or_else(|| {
        text.parse::<std::net::IpAddr>()
            .ok()
            .map(ipnet::IpNet::from)
    })
}

fn default_listen() -> std::net::SocketAddr {
    std::net::SocketAddr::from(([127, 0, 0, 1], 8080))
}

impl Default for Admin {
    fn default() -> Self {
        Admin {
            listen: default_listen(),
            public_url: None,
            tls_cert: None,
            tls_key: None,
            trusted_proxies: Vec::new(),
            behind_tls_proxy: false,
        }
    }
}

/// `[alerts.webhook]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSettings {
    /// File holding the HMAC secret (relative to the config file).
    pub secret_file: PathBuf,
    #[serde(default)]
    pub style: WebhookStyle,
    /// Seconds before a webhook request is given up as failed.
    #[serde(default = "default_webhook_timeout")]
    pub timeout_s: u32,
}

fn default_webhook_timeout() -> u32 {
    10
}

/// The JSON shape a webhook receives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WebhookStyle {
    /// Threshold's own JSON object.
    #[default]
    Plain,
    /// A Slack incoming webhook (`{"text": ...}`).
    Slack,
    /// A Microsoft Teams incoming webhook (MessageCard).
    Teams,
}

impl super::Config {
    /// The files the config names for secrets and certificates: the key,
    /// the file (relative to the config file), and what fails without it.
    pub fn secret_files(&self) -> [(&'static str, Option<&Path>, &'static str); 7] {
        let a = &self.alerts;
        let smtp = a.smtp.as_ref();
        let sms = a.sms.as_ref();
        [
            (
                "alerts.webhook.secret_file",
                a.webhook.as_ref().map(|w| w.secret_file.as_path()),
                crate::msg_id!("webhook pages cannot be signed or sent until it can be read"),
            ),
            (
                "alerts.smtp.password_file",
                smtp.and_then(|s| s.password_file.as_deref()),
                crate::msg_id!("e-mail cannot be sent until it can be read"),
            ),
            (
                "alerts.smtp.ca_file",
                smtp.and_then(|s| s.ca_file.as_deref()),
                crate::msg_id!("the SMTP server's certificate cannot be checked against it"),
            ),
            (
                "alerts.sms.gateway_credentials_file",
                sms.and_then(|s| s.gateway_credentials_file.as_deref()),
                crate::msg_id!("text messages cannot be sent until it can be read"),
            ),
            (
                "admin.tls_cert",
                self.admin.tls_cert.as_deref(),
                crate::msg_id!("the web server cannot start until it can be read"),
            ),
            (
                "admin.tls_key",
                self.admin.tls_key.as_deref(),
                crate::msg_id!("the web server cannot start until it can be read"),
            ),
            (
                "alerts.sms.sim_pin_file",
                sms.and_then(|s| s.sim_pin_file.as_deref()),
                crate::msg_id!("the SIM cannot be unlocked until it can be read"),
            ),
        ]
    }
}

/// Why a secret file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("{}", crate::msg!("cannot read {path}: {source}", path = .path.display(), source = .source))]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", crate::msg!("{path} is empty", path = .path.display()))]
    Empty { path: PathBuf },
}

/// Read a secret file; surrounding whitespace (a trailing newline) is not
/// part of the secret.
pub fn read_secret(path: &Path) -> Result<Vec<u8>, SecretError> {
    let bytes = std::fs::read(path).map_err(|source| SecretError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let secret = bytes.trim_ascii().to_vec();
    if secret.is_empty() {
        return Err(SecretError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(secret)
}
