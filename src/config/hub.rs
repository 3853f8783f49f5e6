//! `[hub]`: where the kiosk ships its record (the city hub), and the key
//! the hub signs its receipts with.

use super::*;

/// `[hub]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hub {
    /// The hub's address, e.g. `https://hub.city.example:8443` (plain
    /// `http://` only to a loopback address).
    pub url: String,
    /// The hub's public key, hex (`threshold hub key` on the hub), or
    /// `public_key_file`, a file holding it (that command's output as is).
    pub public_key: Option<String>,
    pub public_key_file: Option<PathBuf>,
    /// A PEM file of the certificate authority the hub's certificate is
    /// signed by, when it is the city's own (default: the system's).
    pub ca_file: Option<PathBuf>,
    /// How often the record is pushed, at most, in milliseconds
    /// (default 2000; a commit wakes the shipper at once, then it waits).
    #[serde(default = "default_push_every")]
    pub push_every_ms: u64,
    /// How often the kiosk reports its state, in seconds (default 30).
    #[serde(default = "default_heartbeat")]
    pub heartbeat_every_s: u64,
}

fn default_push_every() -> u64 {
    2000
}

fn default_heartbeat() -> u64 {
    30
}

impl Hub {
    /// The problems of a `[hub]` section, each at its key.
    pub fn problems(&self, p: &mut Vec<Problem>) {
        match url::Url::parse(&self.url) {
            Ok(u) if u.scheme() == "https" => {}
            Ok(u) if u.scheme() == "http" && loopback(&u) => {}
            _ => p.push(Problem::new("hub.url", crate::msg!("found `{url}`; allowed: an https:// address (plain http:// only to 127.0.0.1 or localhost)", url = self.url))),
        }
        match (&self.public_key, &self.public_key_file) {
            (Some(k), None) if hub_key(k).is_none() => p.push(Problem::new(
                "hub.public_key",
                crate::msg!("not an Ed25519 public key (64 hex digits); copy it from `threshold hub key` on the hub"),
            )),
            (Some(_), Some(_)) | (None, None) => p.push(Problem::new(
                "hub",
                crate::msg!("give the hub's key as public_key or public_key_file (one of them)"),
            )),
            _ => {}
        }
        if self.push_every_ms < 100 || self.heartbeat_every_s == 0 {
            p.push(Problem::new(
                "hub",
                crate::msg!("push_every_ms must be at least 100 and heartbeat_every_s at least 1"),
            ));
        }
    }
}

fn loopback(u: &url::Url) -> bool {
    match u.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        None => false,
    }
}

/// An Ed25519 public key from hex.
fn hub_key(hex: &str) -> Option<[u8; 32]> {
    let k = crate::domain::shipping::hash_from_hex(hex.trim())?;
    ed25519_dalek::VerifyingKey::from_bytes(&k).ok()?;
    Some(k)
}

impl Loaded {
    /// The hub's public key from `[hub] public_key` or the file
    /// `public_key_file` names; a message naming what to fix otherwise.
    pub fn hub_public_key(&self) -> Result<[u8; 32], String> {
        let Some(h) = &self.config.hub else {
            return Err("no [hub] section".into());
        };
        let (text, from) = match (&h.public_key, &h.public_key_file) {
            (Some(k), _) => (k.clone(), "[hub] public_key".to_string()),
            (None, Some(f)) => {
                let path = self.base_dir.join(f);
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    format!("[hub] public_key_file {}: {e}; copy the output of `threshold hub key` on the hub there", path.display())
                })?;
                (text, format!("[hub] public_key_file {}", path.display()))
            }
            (None, None) => return Err("[hub] needs public_key or public_key_file".into()),
        };
        // The key is the first line, as `threshold hub key` prints it (its
        // fingerprint follows on the next).
        let first = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("");
        hub_key(first).ok_or_else(|| {
            format!("{from} does not hold an Ed25519 public key (64 hex digits); copy it from `threshold hub key` on the hub")
        })
    }

    /// `[hub] ca_file`, resolved against the config's folder.
    pub fn hub_ca_file(&self) -> Option<PathBuf> {
        let f = self.config.hub.as_ref()?.ca_file.as_ref()?;
        Some(self.base_dir.join(f))
    }
}
