//! The facility's configuration: typed TOML, unknown keys refused, validated
//! at load so that nothing silently falls back to a default when wrong.

mod profiles;
mod source;

pub use profiles::{builtin_profile_names, load_profile};
pub use source::{line_col, Located, Source, SourceErrors};

use crate::domain::language::Language;
use crate::domain::policy::{is_token, PolicyProfile};
pub use crate::domain::role::{Channel, Role};
use crate::domain::Problem;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The built-in demo configuration: a San José branch library.
pub const DEMO_CONFIG: &str = include_str!("../../assets/config/demo.toml");
/// The name errors in the demo configuration are reported under.
pub const DEMO_NAME: &str = "<built-in demo config>";

/// The whole configuration file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub facility: Facility,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub escalation: Escalation,
    #[serde(default)]
    pub retention: Retention,
    #[serde(default)]
    pub visitors: Visitors,
    /// How pages are sent.
    #[serde(default)]
    pub alerts: Alerts,
    /// Reserved for the serial peripherals.
    #[serde(default)]
    pub devices: Reserved,
    /// The web server: acknowledge links now, the admin pages later.
    #[serde(default)]
    pub admin: Admin,
}

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
}

fn default_listen() -> std::net::SocketAddr {
    std::net::SocketAddr::from(([127, 0, 0, 1], 8080))
}

impl Default for Admin {
    fn default() -> Self {
        Admin {
            listen: default_listen(),
            public_url: None,
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

/// A section whose keys arrive in a later version; it must be empty now.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reserved {}

/// The facility the kiosk stands in.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facility {
    /// Short token stored in every journal entry, e.g. `sj-tully-library`.
    pub id: String,
    pub name: String,
    pub kind: FacilityKind,
    /// IANA time zone, e.g. `America/Los_Angeles`.
    pub timezone: String,
    #[serde(default = "default_languages")]
    pub languages: Vec<Language>,
    pub entrances: Vec<String>,
    pub areas: Vec<Area>,
    /// A built-in profile name, or a path to a profile file (relative to
    /// this config file).
    #[serde(default = "default_policy")]
    pub policy: String,
}

fn default_languages() -> Vec<Language> {
    Language::ALL.to_vec()
}

fn default_policy() -> String {
    "san-jose".into()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FacilityKind {
    Library,
    CityHall,
    CommunityCenter,
    PublicHousing,
}

impl FacilityKind {
    pub fn token(self) -> &'static str {
        match self {
            FacilityKind::Library => "library",
            FacilityKind::CityHall => "city-hall",
            FacilityKind::CommunityCenter => "community-center",
            FacilityKind::PublicHousing => "public-housing",
        }
    }
}

/// A named area of the facility.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    pub name: String,
    pub kind: AreaKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AreaKind {
    Public,
    NonPublic,
}

impl AreaKind {
    pub fn token(self) -> &'static str {
        match self {
            AreaKind::Public => "public",
            AreaKind::NonPublic => "non-public",
        }
    }
}

/// A person who is paged.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    pub role: Role,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub webhook: Option<String>,
    #[serde(default)]
    pub language: Option<Language>,
    /// Channels in the order they are tried (default: every channel the
    /// contact has an address for and this version can send: webhook).
    #[serde(default)]
    pub channels: Option<Vec<Channel>>,
}

/// Who is paged, in what order, and how long each tier has to answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    pub tiers: Vec<Tier>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    pub notify: Vec<Role>,
    pub ack_within_s: u32,
    /// Seconds after a page is sent before, without an acknowledgement, the
    /// contact's next channel is tried.
    #[serde(default = "default_fallback_after_s")]
    pub fallback_after_s: u32,
}

fn default_fallback_after_s() -> u32 {
    30
}

impl Default for Escalation {
    fn default() -> Self {
        let tier = |notify: Vec<Role>, ack_within_s| Tier {
            notify,
            ack_within_s,
            fallback_after_s: default_fallback_after_s(),
        };
        Escalation {
            tiers: vec![
                tier(vec![Role::DesignatedStaff, Role::Counsel], 60),
                tier(vec![Role::Manager], 120),
                tier(vec![Role::RapidResponse], 120),
            ],
        }
    }
}

/// How long personal data is kept.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    #[serde(default = "default_visitor_days")]
    pub visitor_days: u32,
    #[serde(default = "default_encounter_years")]
    pub encounter_years: u32,
}

fn default_visitor_days() -> u32 {
    30
}
fn default_encounter_years() -> u32 {
    7
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            visitor_days: default_visitor_days(),
            encounter_years: default_encounter_years(),
        }
    }
}

/// What visitors may choose as the purpose of their visit.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Visitors {
    pub purposes: Vec<String>,
}

impl Default for Visitors {
    fn default() -> Self {
        Visitors {
            purposes: [
                "appointment",
                "program",
                "meeting-room",
                "services",
                "other",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

/// A configuration that passed validation, with its policy profile.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    pub profile: PolicyProfile,
    /// Where it came from: a path or [`DEMO_NAME`].
    pub origin: String,
    /// Legal but questionable settings, for `config check`.
    pub warnings: Vec<Located>,
    /// The config file's folder: relative paths in it resolve here.
    pub base_dir: PathBuf,
}

/// The channels this version of Threshold can send.
pub const SENDABLE: [Channel; 3] = [Channel::Webhook, Channel::Email, Channel::Sms];

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: cannot read the config file: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(#[from] SourceErrors),
}

impl Loaded {
    /// Load and validate the file at `path`.
    pub fn from_file(path: &Path) -> Result<Loaded, ConfigError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            file: name.clone(),
            source,
        })?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Self::from_text(&name, &text, &base)
    }

    /// The built-in demo configuration.
    pub fn demo() -> Loaded {
        Self::from_text(DEMO_NAME, DEMO_CONFIG, Path::new(""))
            .expect("the built-in demo config is valid (checked by tests)")
    }

    /// Load and validate `text`; relative profile paths resolve against `base`.
    pub fn from_text(name: &str, text: &str, base: &Path) -> Result<Loaded, ConfigError> {
        let source = Source::new(name, text);
        let config: Config = source.parse()?;
        let problems = config.problems();
        if !problems.is_empty() {
            return Err(source.locate(problems).into());
        }
        let profile = load_profile(&config.facility.policy, base).map_err(|e| match e {
            profiles::ProfileError::Unknown { found, allowed } => {
                ConfigError::Invalid(source.locate(vec![Problem::new(
                    "facility.policy",
                    format!("no profile `{found}`; allowed: {allowed}, or a path to a profile .toml file"),
                )]))
            }
            profiles::ProfileError::Read { file, source: err } => {
                ConfigError::Invalid(source.locate(vec![Problem::new(
                    "facility.policy",
                    format!("cannot read profile file {file}: {err}"),
                )]))
            }
            profiles::ProfileError::Invalid(errors) => ConfigError::Invalid(errors),
        })?;
        let mut warnings = config.warnings();
        if let Some(file) = config
            .alerts
            .smtp
            .as_ref()
            .and_then(|s| s.password_file.as_ref())
        {
            if let Err(e) = read_secret(&base.join(file)) {
                warnings.push(Problem::new(
                    "alerts.smtp.password_file",
                    format!("{e}; e-mail cannot be sent until it can be read"),
                ));
            }
        }
        if let Some(file) = config
            .alerts
            .sms
            .as_ref()
            .and_then(|s| s.gateway_credentials_file.as_ref())
        {
            if let Err(e) = read_secret(&base.join(file)) {
                warnings.push(Problem::new(
                    "alerts.sms.gateway_credentials_file",
                    format!("{e}; text messages cannot be sent until it can be read"),
                ));
            }
        }
        if let Some(w) = &config.alerts.webhook {
            if let Err(e) = read_secret(&base.join(&w.secret_file)) {
                warnings.push(Problem::new(
                    "alerts.webhook.secret_file",
                    format!("{e}; webhook pages cannot be signed or sent until it can be read"),
                ));
            }
        }
        Ok(Loaded {
            warnings: source.locate(warnings).0,
            config,
            profile,
            origin: name.to_string(),
            base_dir: base.to_path_buf(),
        })
    }

    /// The facility's time zone (validated at load).
    pub fn timezone(&self) -> chrono_tz::Tz {
        self.config
            .facility
            .timezone
            .parse()
            .expect("validated at load")
    }

    /// Whether the named area is public, if it is configured.
    pub fn area_is_public(&self, name: &str) -> Option<bool> {
        self.config
            .facility
            .areas
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.kind == AreaKind::Public)
    }

    /// The channels `contact` is paged on, in order: the configured list, or
    /// every channel they have an address for that is set up and sendable.
    pub fn channels_of(&self, contact: &Contact) -> Vec<Channel> {
        match &contact.channels {
            Some(list) => list.clone(),
            None => [Channel::Webhook, Channel::Email, Channel::Sms]
                .into_iter()
                .filter(|c| SENDABLE.contains(c) && self.config.channel_ready(contact, *c))
                .collect(),
        }
    }

    /// The SMS gateway's `user:password`, read from `gateway_credentials_file`.
    pub fn sms_gateway_credentials(&self) -> Result<Option<Vec<u8>>, SecretError> {
        self.config
            .alerts
            .sms
            .as_ref()
            .and_then(|s| s.gateway_credentials_file.as_ref())
            .map(|f| read_secret(&self.base_dir.join(f)))
            .transpose()
    }

    /// The SIM PIN, read from `[alerts.sms] sim_pin_file`.
    pub fn sim_pin(&self) -> Result<Option<Vec<u8>>, SecretError> {
        self.config
            .alerts
            .sms
            .as_ref()
            .and_then(|s| s.sim_pin_file.as_ref())
            .map(|f| read_secret(&self.base_dir.join(f)))
            .transpose()
    }

    /// The SMTP password, read from `[alerts.smtp] password_file`.
    pub fn smtp_password(&self) -> Result<Option<Vec<u8>>, SecretError> {
        self.config
            .alerts
            .smtp
            .as_ref()
            .and_then(|s| s.password_file.as_ref())
            .map(|f| read_secret(&self.base_dir.join(f)))
            .transpose()
    }

    /// The webhook signing secret, read from `[alerts.webhook] secret_file`.
    pub fn webhook_secret(&self) -> Result<Option<Vec<u8>>, SecretError> {
        self.config
            .alerts
            .webhook
            .as_ref()
            .map(|w| read_secret(&self.base_dir.join(&w.secret_file)))
            .transpose()
    }

    /// The role of the contact called `name`, if any.
    pub fn role_of(&self, name: &str) -> Option<Role> {
        self.config
            .contacts
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name.trim()))
            .map(|c| c.role)
    }
}

impl Config {
    /// Whether `contact` has an address for `channel` and the channel's
    /// section is configured.
    pub fn channel_ready(&self, contact: &Contact, channel: Channel) -> bool {
        match channel {
            Channel::Webhook => contact.webhook.is_some() && self.alerts.webhook.is_some(),
            Channel::Email => contact.email.is_some() && self.alerts.smtp.is_some(),
            Channel::Sms => contact.phone.is_some() && self.alerts.sms.is_some(),
        }
    }

    /// Everything wrong, each at its key.
    pub fn problems(&self) -> Vec<Problem> {
        let mut p = Vec::new();
        let f = &self.facility;
        if !is_token(&f.id) {
            p.push(Problem::new(
                "facility.id",
                format!(
                    "found `{}`; allowed: lower-case letters, digits and hyphens (at most 64)",
                    f.id
                ),
            ));
        }
        if f.name.trim().is_empty() {
            p.push(Problem::new("facility.name", "the facility needs a name"));
        }
        if f.timezone.parse::<chrono_tz::Tz>().is_err() {
            p.push(Problem::new(
                "facility.timezone",
                format!(
                    "found `{}`; allowed: an IANA time zone such as `America/Los_Angeles`",
                    f.timezone
                ),
            ));
        }
        if f.languages.is_empty() {
            p.push(Problem::new(
                "facility.languages",
                "list at least one language; allowed: en, es, vi, zh-Hans, tl",
            ));
        }
        unique(
            &mut p,
            "facility.languages",
            f.languages.iter().map(|l| l.code().to_string()),
        );
        if f.entrances.is_empty() {
            p.push(Problem::new(
                "facility.entrances",
                "list at least one entrance, e.g. [\"main\"]",
            ));
        }
        unique(&mut p, "facility.entrances", f.entrances.iter().cloned());
        for (i, e) in f.entrances.iter().enumerate() {
            if e.trim().is_empty() {
                p.push(Problem::new(
                    format!("facility.entrances[{i}]"),
                    "an entrance name is empty",
                ));
            }
        }
        if f.areas.is_empty() {
            p.push(Problem::new(
                "facility.areas",
                "list the facility's areas, each with kind = \"public\" or \"non-public\"",
            ));
        }
        unique(
            &mut p,
            "facility.areas",
            f.areas.iter().map(|a| a.name.clone()),
        );
        for (i, c) in self.contacts.iter().enumerate() {
            let at = |k: &str| format!("contacts[{i}].{k}");
            if c.name.trim().is_empty() {
                p.push(Problem::new(at("name"), "the contact needs a name"));
            }
            if c.email.is_none() && c.phone.is_none() && c.webhook.is_none() {
                p.push(Problem::new(
                    format!("contacts[{i}]"),
                    "give at least one of `email`, `phone`, `webhook`",
                ));
            }
            if let Some(e) = &c.email {
                if e.parse::<lettre::Address>().is_err() {
                    p.push(Problem::new(
                        at("email"),
                        format!("found `{e}`; allowed: an address like name@example.org"),
                    ));
                }
            }
            if let Some(ph) = &c.phone {
                let digits = ph.strip_prefix('+').unwrap_or("");
                if digits.len() < 8
                    || digits.len() > 15
                    || !digits.chars().all(|d| d.is_ascii_digit())
                {
                    p.push(Problem::new(at("phone"), format!("found `{ph}`; allowed: international format, + and 8 to 15 digits, e.g. +14085550100")));
                }
            }
            if let Some(w) = &c.webhook {
                let local = w.starts_with("http://127.0.0.1")
                    || w.starts_with("http://localhost")
                    || w.starts_with("http://[::1]");
                if !w.starts_with("https://") && !local {
                    p.push(Problem::new(
                        at("webhook"),
                        format!(
                            "found `{w}`; allowed: an https:// URL (http:// only to this machine)"
                        ),
                    ));
                }
            }
        }
        for (i, c) in self.contacts.iter().enumerate() {
            for (j, channel) in c.channels.iter().flatten().enumerate() {
                let at = format!("contacts[{i}].channels[{j}]");
                let token = channel.token();
                if !SENDABLE.contains(channel) {
                    p.push(Problem::new(at, format!("`{token}` cannot be sent by this version of Threshold yet; allowed: webhook, email")));
                } else if !self.channel_ready(c, *channel) {
                    let needs = match channel {
                        Channel::Webhook if c.webhook.is_none() => {
                            "the contact has no `webhook` URL"
                        }
                        Channel::Webhook => "it needs an [alerts.webhook] section",
                        Channel::Email if c.email.is_none() => "the contact has no `email`",
                        Channel::Email => "it needs an [alerts.smtp] section",
                        Channel::Sms if c.phone.is_none() => "the contact has no `phone`",
                        Channel::Sms => "it needs an [alerts.sms] section",
                    };
                    p.push(Problem::new(at, format!("`{token}` is listed but {needs}")));
                }
            }
            if c.channels.as_ref().is_some_and(|l| l.is_empty()) {
                p.push(Problem::new(format!("contacts[{i}].channels"), "an empty list pages nobody; remove the key to use every channel the contact has"));
            }
        }
        if let Some(smtp) = &self.alerts.smtp {
            if smtp.host.trim().is_empty() {
                p.push(Problem::new(
                    "alerts.smtp.host",
                    "give the SMTP server's host name",
                ));
            }
            if smtp.from.parse::<lettre::message::Mailbox>().is_err() {
                p.push(Problem::new("alerts.smtp.from", format!("found `{}`; allowed: an address like \"Threshold <threshold@library.example.org>\"", smtp.from)));
            }
            if smtp.username.is_some() != smtp.password_file.is_some() {
                p.push(Problem::new(
                    "alerts.smtp",
                    "`username` and `password_file` go together: give both or neither",
                ));
            }
            if smtp.port == Some(0) {
                p.push(Problem::new(
                    "alerts.smtp.port",
                    "found 0; allowed: 1 to 65535",
                ));
            }
            if !(1..=120).contains(&smtp.timeout_s) {
                p.push(Problem::new(
                    "alerts.smtp.timeout_s",
                    format!("found {}; allowed: 1 to 120 seconds", smtp.timeout_s),
                ));
            }
        }
        if let Some(sms) = &self.alerts.sms {
            match (&sms.modem, &sms.gateway_url) {
                (Some(_), Some(_)) | (None, None) => p.push(Problem::new(
                    "alerts.sms",
                    "give exactly one of `modem` (a serial port) and `gateway_url`",
                )),
                (None, Some(url)) => {
                    let ok = (url.starts_with("https://")
                        || url.starts_with("http://127.0.0.1")
                        || url.starts_with("http://localhost"))
                        && url.contains("{to}")
                        && url.contains("{text}");
                    if !ok {
                        p.push(Problem::new("alerts.sms.gateway_url", format!("found `{url}`; allowed: an https:// URL containing {{to}} and {{text}}")));
                    }
                }
                (Some(_), None) => {
                    if sms.gateway_credentials_file.is_some() {
                        p.push(Problem::new(
                            "alerts.sms.gateway_credentials_file",
                            "goes with `gateway_url`, not with `modem`",
                        ));
                    }
                }
            }
            if !(1..=120).contains(&sms.timeout_s) {
                p.push(Problem::new(
                    "alerts.sms.timeout_s",
                    format!("found {}; allowed: 1 to 120 seconds", sms.timeout_s),
                ));
            }
        }
        if !(60..=7 * 24 * 3600).contains(&self.alerts.ack_link_ttl_s) {
            p.push(Problem::new(
                "alerts.ack_link_ttl_s",
                format!(
                    "found {}; allowed: 60 to 604800 seconds (a week)",
                    self.alerts.ack_link_ttl_s
                ),
            ));
        }
        if let Some(url) = &self.admin.public_url {
            let ok = (url.starts_with("https://") || url.starts_with("http://"))
                && !url.ends_with('/')
                && !url.contains(char::is_whitespace);
            if !ok {
                p.push(Problem::new("admin.public_url", format!("found `{url}`; allowed: an http(s):// address without a trailing slash, e.g. https://threshold.library.example.org")));
            }
        }
        if let Some(w) = &self.alerts.webhook {
            if !(1..=120).contains(&w.timeout_s) {
                p.push(Problem::new(
                    "alerts.webhook.timeout_s",
                    format!("found {}; allowed: 1 to 120 seconds", w.timeout_s),
                ));
            }
        }
        unique(
            &mut p,
            "contacts",
            self.contacts.iter().map(|c| c.name.to_lowercase()),
        );
        if !self.contacts.iter().any(|c| c.role == Role::Counsel) {
            p.push(Problem::new("contacts", "no contact has role = \"counsel\"; the policy requires counsel to be notified of every encounter"));
        }
        if self.escalation.tiers.is_empty() {
            p.push(Problem::new("escalation.tiers", "list at least one tier"));
        }
        for (i, t) in self.escalation.tiers.iter().enumerate() {
            if t.notify.is_empty() {
                p.push(Problem::new(
                    format!("escalation.tiers[{i}].notify"),
                    "list the roles this tier pages",
                ));
            }
            if !(5..=3600).contains(&t.fallback_after_s) {
                p.push(Problem::new(
                    format!("escalation.tiers[{i}].fallback_after_s"),
                    format!("found {}; allowed: 5 to 3600 seconds", t.fallback_after_s),
                ));
            }
            if !(5..=3600).contains(&t.ack_within_s) {
                p.push(Problem::new(
                    format!("escalation.tiers[{i}].ack_within_s"),
                    format!("found {}; allowed: 5 to 3600 seconds", t.ack_within_s),
                ));
            }
        }
        let r = &self.retention;
        if !(1..=3650).contains(&r.visitor_days) {
            p.push(Problem::new(
                "retention.visitor_days",
                format!("found {}; allowed: 1 to 3650 days", r.visitor_days),
            ));
        }
        if !(1..=100).contains(&r.encounter_years) {
            p.push(Problem::new(
                "retention.encounter_years",
                format!("found {}; allowed: 1 to 100 years", r.encounter_years),
            ));
        }
        if self.visitors.purposes.is_empty() {
            p.push(Problem::new(
                "visitors.purposes",
                "list at least one purpose",
            ));
        }
        for (i, purpose) in self.visitors.purposes.iter().enumerate() {
            if !is_token(purpose) {
                p.push(Problem::new(
                    format!("visitors.purposes[{i}]"),
                    format!("found `{purpose}`; allowed: lower-case letters, digits and hyphens"),
                ));
            }
        }
        unique(
            &mut p,
            "visitors.purposes",
            self.visitors.purposes.iter().cloned(),
        );
        p
    }

    /// Legal but questionable settings.
    pub fn warnings(&self) -> Vec<Problem> {
        let mut w = Vec::new();
        for (i, t) in self.escalation.tiers.iter().enumerate() {
            for role in &t.notify {
                if !self.contacts.iter().any(|c| c.role == *role) {
                    w.push(Problem::new(
                        format!("escalation.tiers[{i}].notify"),
                        format!(
                            "no contact has role `{}`; this tier pages nobody in that role",
                            role.token()
                        ),
                    ));
                }
            }
        }
        if self
            .escalation
            .tiers
            .first()
            .is_some_and(|t| !t.notify.contains(&Role::Counsel))
        {
            w.push(Problem::new("escalation.tiers[0].notify", "counsel is not in the first tier; counsel is paged at once for every encounter anyway, as the policy requires"));
        }
        for (i, c) in self.contacts.iter().enumerate() {
            let reachable = match &c.channels {
                Some(list) => !list.is_empty(),
                None => [Channel::Webhook, Channel::Email, Channel::Sms]
                    .into_iter()
                    .any(|ch| SENDABLE.contains(&ch) && self.channel_ready(c, ch)),
            };
            if !reachable {
                w.push(Problem::new(format!("contacts[{i}]"), format!("{} cannot be paged: give the contact a `webhook` or an `email`, with an [alerts.webhook] or [alerts.smtp] section", c.name)));
            }
        }
        if let Some(path) = self.alerts.sms.as_ref().and_then(|s| s.modem.as_ref()) {
            if !path.exists() {
                w.push(Problem::new("alerts.sms.modem", format!("no device at {} now; text messages fail until the modem is plugged in (Threshold picks it up without a restart)", path.display())));
            }
        }
        if let Some(smtp) = &self.alerts.smtp {
            let local = ["localhost", "127.0.0.1", "::1"].contains(&smtp.host.as_str());
            if smtp.tls == SmtpTls::None && !local {
                w.push(Problem::new("alerts.smtp.tls", format!("`none` sends encounter details to {} unencrypted; use `starttls` or `tls` unless it is a relay on a trusted network", smtp.host)));
            }
        }
        if !self
            .facility
            .areas
            .iter()
            .any(|a| a.kind == AreaKind::NonPublic)
        {
            w.push(Problem::new(
                "facility.areas",
                "no area is non-public; the access policy protects non-public areas",
            ));
        }
        w
    }
}

fn unique(p: &mut Vec<Problem>, path: &str, items: impl Iterator<Item = String>) {
    let mut seen = BTreeSet::new();
    for (i, item) in items.enumerate() {
        if !seen.insert(item.clone()) {
            p.push(Problem::new(
                format!("{path}[{i}]"),
                format!("`{item}` is listed more than once"),
            ));
        }
    }
}

/// Why a secret file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("cannot read {path}: {source}", path = .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is empty", path = .path.display())]
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

/// Where data lives when no `--data-dir` or `THRESHOLD_DATA` is given.
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("threshold")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_sections_take_the_documented_defaults() {
        let l = Loaded::demo();
        assert!(l.config.alerts.webhook.is_none());
        assert_eq!(l.config.alerts.ack_link_ttl_s, 12 * 3600);
        assert_eq!(l.config.admin.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(l.config.retention.visitor_days, 30);
        assert_eq!(l.config.escalation.tiers.len(), 3);
        assert_eq!(l.config.escalation.tiers[0].fallback_after_s, 30);
        // A config with only the required keys.
        let minimal = r#"
[facility]
id = "x"
name = "X"
kind = "library"
timezone = "UTC"
entrances = ["main"]
areas = [{ name = "Office", kind = "non-public" }]

[[contacts]]
name = "C"
role = "counsel"
email = "c@example.org"
"#;
        let l = Loaded::from_text("m.toml", minimal, Path::new(".")).unwrap();
        assert_eq!(l.config.alerts.ack_link_ttl_s, 12 * 3600);
        assert_eq!(l.config.facility.languages.len(), 5);
        assert_eq!(l.config.visitors.purposes.len(), 5);
    }
}
