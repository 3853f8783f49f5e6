//! The facility's configuration: typed TOML, unknown keys refused, validated
//! at load so that nothing silently falls back to a default when wrong.

mod alerts;
mod devices;
mod hub;
mod kiosk;
pub mod profiles;
mod source;
mod validate;

pub use alerts::*;
pub use devices::*;
pub use hub::Hub;
pub use kiosk::*;
pub use profiles::{builtin_profile_names, load_profile};
pub use source::{line_col, Located, Source, SourceErrors};

use crate::domain::language::Language;
use crate::domain::policy::PolicyProfile;
pub use crate::domain::role::{Channel, Role};
use crate::domain::Problem;
use serde::{Deserialize, Serialize};
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
    /// The serial peripherals at the desk.
    #[serde(default)]
    pub devices: Devices,
    /// The web server: acknowledge links now, the admin pages later.
    #[serde(default)]
    pub admin: Admin,
    /// The kiosk screen: idle timeout, page capture, staff mode.
    #[serde(default)]
    pub kiosk: Kiosk,
    #[serde(default)]
    pub report: Report,
    /// The city hub this kiosk ships its record to (none: it keeps it alone).
    pub hub: Option<Hub>,
}

/// Encounter reports (`encounter report`, the admin web's PDF).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// `letter` (US Letter, the default: what US courts take) or `a4`.
    #[serde(default)]
    pub paper: crate::render::pdf::Paper,
}

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

impl Config {
    /// The number to call when counsel has not answered: the configured
    /// one, else the first counsel contact's phone.
    pub fn counsel_number(&self) -> Option<&str> {
        self.escalation.call_when_unanswered.as_deref().or_else(|| {
            self.contacts
                .iter()
                .find(|c| c.role == Role::Counsel && c.phone.is_some())
                .and_then(|c| c.phone.as_deref())
        })
    }

    /// The first tier's acknowledgement deadline.
    pub fn first_deadline(&self) -> chrono::Duration {
        chrono::Duration::seconds(
            self.escalation
                .tiers
                .first()
                .map_or(60, |t| t.ack_within_s.into()),
        )
    }
}

/// Who is paged, in what order, and how long each tier has to answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    pub tiers: Vec<Tier>,
    /// The number staff are told to call when counsel has not answered
    /// (shown on screen, dialled by hand). Default: the first counsel
    /// contact's `phone`.
    #[serde(default)]
    pub call_when_unanswered: Option<String>,
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
            call_when_unanswered: None,
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
    /// Labels for purposes that are not built in.
    #[serde(default)]
    pub labels: PurposeLabels,
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
            labels: PurposeLabels::new(),
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
    #[error("{}", crate::msg!("{file}: cannot read the config file: {source}", file = .file, source = .source))]
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

    /// The policy profile's resources whose phone is a 555-01xx number
    /// (reserved for fiction), each as a sentence naming what to fix. They
    /// are allowed only with `run --simulate`.
    pub fn demo_resource_numbers(&self) -> Vec<String> {
        self.profile
            .resources
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let phone = r.phone.as_deref()?;
                is_fictional_number(phone).then(|| {
                    format!(
                        "policy profile `{}`, resources[{i}] ({}): {phone} is a 555-01xx number reserved for fiction, not one a resident can call; put the number your city publishes in the profile, or remove the phone (demo numbers are allowed only with `run --simulate`)",
                        self.profile.id, r.name.en
                    )
                })
            })
            .collect()
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
                    "facility.policy", crate::msg!("no profile `{found}`; allowed: {allowed}, or a path to a profile .toml file", found = found, allowed = allowed))]))
            }
            profiles::ProfileError::Read { file, source: err } => {
                ConfigError::Invalid(source.locate(vec![Problem::new(
                    "facility.policy", crate::msg!("cannot read profile file {file}: {error}", file = file, error = err))]))
            }
            profiles::ProfileError::Invalid(errors) => ConfigError::Invalid(errors),
        })?;
        let mut warnings = config.warnings();
        for (key, file, without) in config.secret_files() {
            if let Some(file) = file {
                if let Err(e) = read_secret(&base.join(file)) {
                    warnings.push(Problem::new(
                        key,
                        crate::msg!(
                            "{error}; {consequence}",
                            error = e,
                            consequence = crate::domain::catalogue::for_reader(without)
                        ),
                    ));
                }
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

    /// The contents of the file the config names at `key` (see
    /// [`Config::secret_files`]), if it names one.
    fn configured_file(&self, key: &str) -> Result<Option<Vec<u8>>, SecretError> {
        let file = self
            .config
            .secret_files()
            .into_iter()
            .find(|(k, _, _)| *k == key)
            .and_then(|(_, file, _)| file);
        file.map(|f| read_secret(&self.base_dir.join(f)))
            .transpose()
    }

    /// The SMS gateway's `user:password`, read from `gateway_credentials_file`.
    pub fn sms_gateway_credentials(&self) -> Result<Option<Vec<u8>>, SecretError> {
        self.configured_file("alerts.sms.gateway_credentials_file")
    }

    /// Extra CA certificates for the SMTP server, from `[alerts.smtp] ca_file`.
    pub fn smtp_ca(&self) -> Result<Option<Vec<u8>>, SecretError> {
        self.configured_file("alerts.smtp.ca_file")
    }

    /// The SIM PIN, read from `[alerts.sms] sim_pin_file`.
    pub fn sim_pin(&self) -> Result<Option<Vec<u8>>, SecretError> {
        self.configured_file("alerts.sms.sim_pin_file")
    }

    /// The SMTP password, read from `[alerts.smtp] password_file`.
    pub fn smtp_password(&self) -> Result<Option<Vec<u8>>, SecretError> {
        self.configured_file("alerts.smtp.password_file")
    }

    /// The admin web's certificate chain and key (PEM), when HTTPS is set up.
    pub fn tls_files(&self) -> Option<(PathBuf, PathBuf)> {
        let a = &self.config.admin;
        Some((
            self.base_dir.join(a.tls_cert.as_ref()?),
            self.base_dir.join(a.tls_key.as_ref()?),
        ))
    }

    /// The webhook signing secret, read from `[alerts.webhook] secret_file`.
    pub fn webhook_secret(&self) -> Result<Option<Vec<u8>>, SecretError> {
        self.configured_file("alerts.webhook.secret_file")
    }

    /// The contact whose configured name is exactly `name` (as pages and
    /// links record it).
    pub fn contact(&self, name: &str) -> Option<&Contact> {
        self.config.contacts.iter().find(|c| c.name == name)
    }

    /// The role of the contact called `name`, if any: matched ignoring case
    /// and surrounding spaces, as people type names with `--by`.
    pub fn role_of(&self, name: &str) -> Option<Role> {
        self.config
            .contacts
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name.trim()))
            .map(|c| c.role)
    }
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

/// A North American number in the 555-0100 to 555-0199 range, which is
/// reserved for fiction.
pub fn is_fictional_number(phone: &str) -> bool {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    digits.len() >= 10 && {
        let last = &digits[digits.len() - 7..];
        last.starts_with("55501")
    }
}

#[cfg(test)]
mod fictional_tests {
    use super::is_fictional_number;

    #[test]
    fn only_555_01xx_numbers_are_fictional() {
        for n in [
            "+1 408 555 0101",
            "(408) 555-0199",
            "+14085550150",
            "408.555.0100",
        ] {
            assert!(is_fictional_number(n), "{n}");
        }
        for n in [
            "+1 408 290 1144",
            "+1 408 555 0200",
            "555-0101",
            "+1 408 535 1900",
        ] {
            assert!(!is_fictional_number(n), "{n}");
        }
    }
}
