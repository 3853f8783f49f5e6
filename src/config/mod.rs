//! The facility's configuration: typed TOML, unknown keys refused, validated
//! at load so that nothing silently falls back to a default when wrong.

mod profiles;
mod source;

pub use profiles::{builtin_profile_names, load_profile};
pub use source::{line_col, Located, Source, SourceErrors};

use crate::domain::language::Language;
use crate::domain::policy::{is_token, PolicyProfile};
pub use crate::domain::role::Role;
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
    /// Reserved for the alerts channels (SMTP, webhook, SMS).
    #[serde(default)]
    pub alerts: Reserved,
    /// Reserved for the serial peripherals.
    #[serde(default)]
    pub devices: Reserved,
    /// Reserved for the admin web.
    #[serde(default)]
    pub admin: Reserved,
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
}

impl Default for Escalation {
    fn default() -> Self {
        let tier = |notify: Vec<Role>, ack_within_s| Tier {
            notify,
            ack_within_s,
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
}

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
        let warnings = source.locate(config.warnings()).0;
        Ok(Loaded {
            config,
            profile,
            origin: name.to_string(),
            warnings,
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
                let ok = e.split_once('@').is_some_and(|(u, d)| {
                    !u.is_empty() && d.contains('.') && !e.contains(char::is_whitespace)
                });
                if !ok {
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

/// Where data lives when no `--data-dir` or `THRESHOLD_DATA` is given.
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("threshold")
}
