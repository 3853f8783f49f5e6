//! Signed one-time acknowledge links.
//!
//! A token is `base64url(claim) "." base64url(HMAC-SHA256(key, claim))`,
//! where the claim is the encounter, the contact, the expiry (Unix seconds),
//! the link id and where the link was sent (`personal`, or `shared` for a
//! chat channel that a webhook posts to), one per line. A link in a shared
//! channel can be pressed by anyone in the channel: it acknowledges as
//! "someone in the channel", without the contact's role. The key is `keys/ack.key` in the data
//! folder, shared by the processes that write pages and the one that serves
//! the links. The link id derives from the page's key, so a page sent again
//! carries the same link; once used, the id is journaled with the
//! acknowledgement and the link is refused from then on.

use crate::store::keys::{self, KeyError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, TimeZone, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::path::Path;

/// The key that signs acknowledge links.
#[derive(Clone)]
pub struct AckKey([u8; 32]);

impl AckKey {
    /// Load the data folder's link key, creating it on first use.
    pub fn open(data_dir: &Path) -> Result<AckKey, KeyError> {
        keys::load(&data_dir.join(crate::store::ACK_KEY_FILE), true).map(AckKey)
    }

    /// A key from its bytes (tests and fuzzing; the service loads its file).
    pub fn from_bytes(key: [u8; 32]) -> AckKey {
        AckKey(key)
    }

    fn mac(&self, claim: &[u8]) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(claim);
        mac
    }
}

/// What a valid link says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub encounter: String,
    pub contact: String,
    pub expires: DateTime<Utc>,
    pub link: String,
    /// Posted to a shared channel (a webhook), not sent to the contact alone.
    pub shared: bool,
}

/// Why a link was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkRefused {
    #[error("the link is not a valid acknowledge link (damaged or forged)")]
    Forged,
    #[error("the link expired at {0}")]
    Expired(DateTime<Utc>),
}

/// The link id for the page with idempotency key `page_key`.
pub fn link_id(page_key: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"threshold ack link\n")
        .chain_update(page_key.as_bytes())
        .finalize();
    hex::encode(&digest[..16])
}

/// The six-digit code a contact texts back (`ACK <code>`) to acknowledge
/// the page with key `page_key`.
pub fn sms_code(key: &AckKey, page_key: &str) -> String {
    let tag = key
        .mac(format!("sms\n{page_key}").as_bytes())
        .finalize()
        .into_bytes();
    let n = u32::from_be_bytes([tag[0], tag[1], tag[2], tag[3]]) % 1_000_000;
    format!("{n:06}")
}

/// Issue the token for `claim`.
pub fn issue(key: &AckKey, claim: &Claim) -> String {
    let text = format!(
        "{}\n{}\n{}\n{}\n{}",
        claim.encounter,
        claim.contact,
        claim.expires.timestamp(),
        claim.link,
        if claim.shared { "shared" } else { "personal" }
    );
    let tag = key.mac(text.as_bytes()).finalize().into_bytes();
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(text),
        URL_SAFE_NO_PAD.encode(tag)
    )
}

/// Check a token's signature and expiry at `now`.
pub fn check(key: &AckKey, token: &str, now: DateTime<Utc>) -> Result<Claim, LinkRefused> {
    let (claim, tag) = token.split_once('.').ok_or(LinkRefused::Forged)?;
    let claim = URL_SAFE_NO_PAD
        .decode(claim)
        .map_err(|_| LinkRefused::Forged)?;
    let tag = URL_SAFE_NO_PAD
        .decode(tag)
        .map_err(|_| LinkRefused::Forged)?;
    // Constant-time comparison.
    key.mac(&claim)
        .verify_slice(&tag)
        .map_err(|_| LinkRefused::Forged)?;
    let text = String::from_utf8(claim).map_err(|_| LinkRefused::Forged)?;
    let parts: Vec<&str> = text.split('\n').collect();
    // Links issued before the fifth line existed may have gone to a shared
    // channel: they acknowledge as one.
    let (encounter, contact, expires, link, shared) = match parts.as_slice() {
        [e, c, x, l] => (e, c, x, l, true),
        [e, c, x, l, "personal"] => (e, c, x, l, false),
        [e, c, x, l, "shared"] => (e, c, x, l, true),
        _ => return Err(LinkRefused::Forged),
    };
    let expires = expires
        .parse::<i64>()
        .ok()
        .and_then(|s| Utc.timestamp_opt(s, 0).single())
        .ok_or(LinkRefused::Forged)?;
    if now > expires {
        return Err(LinkRefused::Expired(expires));
    }
    Ok(Claim {
        encounter: encounter.to_string(),
        contact: contact.to_string(),
        expires,
        link: link.to_string(),
        shared,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(expires: DateTime<Utc>) -> Claim {
        Claim {
            encounter: "E-7K2M9Q4P".into(),
            contact: "Rosa Delgado".into(),
            expires,
            link: link_id("E-7K2M9Q4P/0/Rosa Delgado/webhook"),
            shared: false,
        }
    }

    #[test]
    fn valid_forged_and_expired() {
        let dir = tempfile::tempdir().unwrap();
        let key = AckKey::open(dir.path()).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 27, 18, 0, 0).unwrap();
        let c = claim(now + chrono::Duration::hours(12));
        let token = issue(&key, &c);
        assert_eq!(check(&key, &token, now), Ok(c.clone()));
        // Another key, an edited claim, a cut token: forged.
        let other = AckKey::open(tempfile::tempdir().unwrap().path()).unwrap();
        assert_eq!(check(&other, &token, now), Err(LinkRefused::Forged));
        let mut edited = c.clone();
        edited.contact = "Someone Else".into();
        let (_, tag) = token.split_once('.').unwrap();
        let (forged_claim, _) = issue(&other, &edited)
            .split_once('.')
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .unwrap();
        assert_eq!(
            check(&key, &format!("{forged_claim}.{tag}"), now),
            Err(LinkRefused::Forged)
        );
        assert_eq!(
            check(&key, &token[..token.len() - 3], now),
            Err(LinkRefused::Forged)
        );
        assert_eq!(check(&key, "garbage", now), Err(LinkRefused::Forged));
        let late = now + chrono::Duration::hours(13);
        assert_eq!(
            check(&key, &token, late),
            Err(LinkRefused::Expired(c.expires))
        );
        // The same key on disk is the same key.
        let again = AckKey::open(dir.path()).unwrap();
        assert!(check(&again, &token, now).is_ok());
    }
}
