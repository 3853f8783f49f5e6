//! The hub's own configuration file: where it listens, its TLS files, its
//! signing key, the database (a city PostgreSQL or a private local
//! cluster), facilities enrolled at start, and the accounts that act on it.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The whole hub config file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HubConfig {
    pub hub: Service,
    pub database: Database,
    /// Facilities enrolled when the hub starts (as `threshold hub enroll`).
    #[serde(default)]
    pub facility: Vec<Enrolled>,
    /// The people who act on the hub (counsel and the city's staff): a
    /// command carries its account's name and role to the kiosk.
    #[serde(default)]
    pub account: Vec<Account>,
    /// The city's web (served on the hub's address).
    #[serde(default)]
    pub web: Web,
    /// The hub's own retention, for encounters no kiosk purge came for.
    #[serde(default)]
    pub retention: Retention,
}

/// `[retention]`: the kiosks' rule, applied by the hub to the copies of
/// encounters whose kiosk's purge never came (see `hub::retention`).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Retention {
    /// Years a closed encounter's personal data is kept, for a facility
    /// whose kiosk has not reported its own period in a heartbeat (default
    /// 7, the kiosk's default; 1 to 100).
    pub encounter_years: u32,
    /// Days past the date the kiosk would have purged an encounter that
    /// the hub waits for the kiosk's own purge (default 30; 0 to 3650).
    pub grace_days: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            encounter_years: 7,
            grace_days: 30,
        }
    }
}

impl Retention {
    /// As the hub's retention applies them.
    pub fn rules(&self) -> super::retention::Rules {
        super::retention::Rules {
            encounter_years: self.encounter_years,
            grace_days: self.grace_days,
        }
    }
}

/// `[web]`: the city's web for counsel, managers and the city's staff.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Web {
    /// The name at the top of every page (default "City hub").
    pub name: String,
    /// The time zone of the pages' times and the statistics' months
    /// (IANA name, default `UTC`).
    pub timezone: String,
    /// The language of readers whose browser asks for none of the five
    /// (default `en`).
    pub language: crate::domain::language::Language,
    /// The policy profile whose document and outcome names the pages use
    /// (default `san-jose`; a built-in name or a `.toml` path).
    pub policy: String,
    /// Proxies whose `X-Forwarded-For` is believed (addresses or CIDR).
    pub trusted_proxies: Vec<String>,
    /// Browsers reach the hub over HTTPS through a TLS proxy: cookies are
    /// marked Secure.
    pub behind_tls_proxy: bool,
}

impl Default for Web {
    fn default() -> Self {
        Web {
            name: "City hub".into(),
            timezone: "UTC".into(),
            language: crate::domain::language::Language::English,
            policy: "san-jose".into(),
            trusted_proxies: Vec::new(),
            behind_tls_proxy: false,
        }
    }
}

impl Web {
    /// `trusted_proxies` as networks (checked at load).
    pub fn proxies(&self) -> Vec<ipnet::IpNet> {
        self.trusted_proxies
            .iter()
            .filter_map(|p| {
                p.parse::<ipnet::IpNet>()
                    .ok()
                    .or_else(|| p.parse::<std::net::IpAddr>().ok().map(ipnet::IpNet::from))
            })
            .collect()
    }

    /// The time zone (checked at load).
    pub fn tz(&self) -> chrono_tz::Tz {
        self.timezone.parse().unwrap_or(chrono_tz::UTC)
    }
}

/// `[[account]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// The name recorded on the kiosk with what the account does.
    pub name: String,
    /// `counsel` (an acknowledgement counts as counsel's), `designated-staff`,
    /// `manager` or `rapid-response`.
    pub role: crate::domain::role::Role,
}

/// `[hub]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Address the kiosks reach (default `0.0.0.0:8443`).
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// TLS certificate and key (PEM). Without them the hub only listens on
    /// a loopback address, for a TLS proxy in front of it.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// The hub's Ed25519 signing key (32 bytes, mode 0600), made on first
    /// start. Every hub process of a city uses the same file.
    pub key_file: PathBuf,
    /// The key encounters' personal values are encrypted with at rest (32
    /// bytes, mode 0600; default `data.key` beside `key_file`), made on
    /// first start; every hub process uses the same file.
    pub data_key_file: Option<PathBuf>,
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([0, 0, 0, 0], 8443))
}

/// `[database]`: `url` for the city's PostgreSQL, or `cluster` for a
/// private one this hub starts in a folder of its own.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    /// e.g. `postgres://threshold_hub@db.city.example/threshold` or
    /// `host=/run/postgresql user=threshold_hub dbname=threshold`.
    pub url: Option<String>,
    /// A file holding the database password (kept out of this file).
    pub password_file: Option<PathBuf>,
    /// PEM certificates of the authority that signed the database server's
    /// certificate, when it is not one the system trusts. Setting it turns
    /// TLS on (as `sslmode=require` in `url` does).
    pub ca_file: Option<PathBuf>,
    /// A folder for a private PostgreSQL cluster (made with initdb, run
    /// with pg_ctl, reached over a Unix socket in the folder).
    pub cluster: Option<PathBuf>,
    /// Connections each hub process keeps (default 16).
    #[serde(default = "default_pool")]
    pub pool: usize,
}

fn default_pool() -> usize {
    16
}

/// `[[facility]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enrolled {
    /// The kiosk's `[facility] id`.
    pub id: String,
    /// Its public key (`threshold log key` on the kiosk), hex.
    pub key: String,
}

impl HubConfig {
    /// Read `path`, resolve its relative paths against its folder, and
    /// check what TOML alone cannot.
    pub fn load(path: &Path) -> anyhow::Result<HubConfig> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read the hub config {}: {e}", path.display()))?;
        let mut c: HubConfig = toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("hub config {}: {e}", path.display()))?;
        let dir = path.parent().unwrap_or(Path::new("."));
        for p in [
            &mut c.hub.tls_cert,
            &mut c.hub.tls_key,
            &mut c.hub.data_key_file,
            &mut c.database.password_file,
            &mut c.database.ca_file,
            &mut c.database.cluster,
        ]
        .into_iter()
        .flatten()
        {
            *p = dir.join(&*p);
        }
        c.hub.key_file = dir.join(&c.hub.key_file);
        c.check()
            .map_err(|e| anyhow::anyhow!("hub config {}: {e}", path.display()))?;
        if c.web.policy.ends_with(".toml") {
            c.web.policy = dir.join(&c.web.policy).display().to_string();
        }
        c.profile()
            .map_err(|e| anyhow::anyhow!("hub config {}: {e}", path.display()))?;
        Ok(c)
    }

    /// What a valid hub config must hold beyond its TOML form.
    pub fn check(&self) -> Result<(), String> {
        match (&self.database.url, &self.database.cluster) {
            (Some(_), Some(_)) => {
                return Err("[database] has both url and cluster; give one".into())
            }
            (None, None) => {
                return Err("[database] needs url (the city's PostgreSQL) or cluster (a folder for a private one)".into())
            }
            _ => {}
        }
        if self.database.pool == 0 {
            return Err("[database] pool must be at least 1".into());
        }
        match (&self.hub.tls_cert, &self.hub.tls_key) {
            (Some(_), None) | (None, Some(_)) => {
                return Err("[hub] tls_cert and tls_key go together".into())
            }
            (None, None) if !self.hub.listen.ip().is_loopback() => {
                return Err(format!("[hub] listen = \"{}\" without tls_cert and tls_key would take the kiosks' records over plain HTTP; give both, or listen on 127.0.0.1 behind a TLS proxy", self.hub.listen));
            }
            _ => {}
        }
        for (i, a) in self.account.iter().enumerate() {
            let n = a.name.trim().chars().count();
            if n == 0 || n > 80 || a.name.chars().any(char::is_control) {
                return Err(format!(
                    "account[{i}]: name must be 1 to 80 characters on one line"
                ));
            }
            if self.account[..i].iter().any(|b| b.name == a.name) {
                return Err(format!("account[{i}]: `{}` is listed twice", a.name));
            }
        }
        if self.web.timezone.parse::<chrono_tz::Tz>().is_err() {
            return Err(format!(
                "[web] timezone `{}` is not a time zone name; use one like America/Los_Angeles",
                self.web.timezone
            ));
        }
        let n = self.web.name.trim().chars().count();
        if n == 0 || n > 80 || self.web.name.chars().any(char::is_control) {
            return Err("[web] name must be 1 to 80 characters on one line".into());
        }
        if self.web.proxies().len() != self.web.trusted_proxies.len() {
            return Err("[web] trusted_proxies: give IP addresses (127.0.0.1, ::1) or CIDR ranges (10.0.0.0/8)".into());
        }
        if !(1..=100).contains(&self.retention.encounter_years) {
            return Err(format!(
                "[retention] encounter_years = {} is out of range; give 1 to 100 (the kiosks' own limits)",
                self.retention.encounter_years
            ));
        }
        if self.retention.grace_days > 3650 {
            return Err(format!(
                "[retention] grace_days = {} is out of range; give 0 to 3650",
                self.retention.grace_days
            ));
        }
        for (i, f) in self.facility.iter().enumerate() {
            super::store::public_key(&f.key)
                .map_err(|e| format!("facility[{i}] ({}): {e}", f.id))?;
            super::store::facility_id(&f.id).map_err(|e| format!("facility[{i}]: {e}"))?;
        }
        Ok(())
    }

    /// The policy profile `[web] policy` names.
    pub fn profile(&self) -> Result<crate::domain::policy::PolicyProfile, String> {
        crate::config::profiles::load_profile(&self.web.policy, Path::new("."))
            .map_err(|e| format!("[web] policy: {e}"))
    }

    /// The data key's file.
    pub fn data_key_file(&self) -> PathBuf {
        self.hub
            .data_key_file
            .clone()
            .unwrap_or_else(|| self.hub.key_file.with_file_name("data.key"))
    }

    /// The account named `name`, or what to do about it.
    pub fn account(&self, name: &str) -> Result<&Account, String> {
        self.account.iter().find(|a| a.name == name).ok_or_else(|| {
            let known: Vec<&str> = self.account.iter().map(|a| a.name.as_str()).collect();
            if known.is_empty() {
                format!("no [[account]] in the hub config; add one (name and role) for `{name}`")
            } else {
                format!(
                    "`{name}` is not an account of this hub (its accounts: {})",
                    known.join(", ")
                )
            }
        })
    }

    /// TLS certificate and key, when both are set.
    pub fn tls_files(&self) -> Option<(PathBuf, PathBuf)> {
        self.hub.tls_cert.clone().zip(self.hub.tls_key.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<(), String> {
        toml::from_str::<HubConfig>(s)
            .map_err(|e| e.to_string())?
            .check()
    }

    #[test]
    fn the_database_and_tls_are_checked() {
        let base = "[hub]\nkey_file = \"k\"\nlisten = \"127.0.0.1:1\"\n";
        assert!(parse(&format!("{base}[database]\nurl = \"postgres://x\"\n")).is_ok());
        assert!(parse(&format!("{base}[database]\n"))
            .unwrap_err()
            .contains("needs url"));
        assert!(
            parse(&format!("{base}[database]\nurl = \"u\"\ncluster = \"c\"\n"))
                .unwrap_err()
                .contains("both")
        );
        let open = "[hub]\nkey_file = \"k\"\n[database]\ncluster = \"c\"\n";
        assert!(parse(open).unwrap_err().contains("plain HTTP"));
        let bad =
            format!("{base}[database]\nurl = \"u\"\n[[facility]]\nid = \"a\"\nkey = \"zz\"\n");
        assert!(parse(&bad).unwrap_err().contains("facility[0]"));
        let acct = |name: &str| {
            format!("{base}[database]\nurl = \"u\"\n[[account]]\nname = \"{name}\"\nrole = \"counsel\"\n")
        };
        assert!(parse(&acct("Rosa Delgado")).is_ok());
        assert!(parse(&acct(" ")).unwrap_err().contains("account[0]"));
        let twice = format!(
            "{}[[account]]\nname = \"Rosa Delgado\"\nrole = \"manager\"\n",
            acct("Rosa Delgado")
        );
        assert!(parse(&twice).unwrap_err().contains("twice"));
        let kept = |r: &str| {
            parse(&format!(
                "{base}[database]\nurl = \"u\"\n[retention]\n{r}\n"
            ))
        };
        assert!(kept("encounter_years = 3\ngrace_days = 0").is_ok());
        assert!(kept("encounter_years = 0")
            .unwrap_err()
            .contains("1 to 100"));
        assert!(kept("grace_days = 4000").unwrap_err().contains("0 to 3650"));
        assert!(
            kept("visitor_days = 30").is_err(),
            "visitor data is never on the hub"
        );
        let c: HubConfig = toml::from_str(&acct("Rosa Delgado")).unwrap();
        assert_eq!(
            (c.retention.encounter_years, c.retention.grace_days),
            (7, 30)
        );
        assert!(c.account("Rosa Delgado").is_ok());
        assert!(c.account("Mallory").unwrap_err().contains("Rosa Delgado"));
    }
}
