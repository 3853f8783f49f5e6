//! Encounters' personal values and document pages on the hub, encrypted
//! at rest with the hub's data key (XChaCha20-Poly1305, a fresh 24-byte
//! nonce each, the facility and vault id or page id bound in as associated
//! data so nothing sealed can be moved to another row). The key is a 32-byte file (mode 0600) beside the
//! signing key, shared by every hub process; the database alone reveals
//! nothing.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use std::path::Path;

/// The hub's data key.
pub struct DataKey(XChaCha20Poly1305);

/// A page's or command's associated data: tagged, so one can never open
/// as another or as a value.
fn tagged(tag: &str, facility: &str, id: &str) -> Vec<u8> {
    format!("{tag}\0{facility}\0{id}").into_bytes()
}

fn aad(facility: &str, id: i64) -> Vec<u8> {
    let mut a = facility.as_bytes().to_vec();
    a.push(0);
    a.extend_from_slice(&id.to_be_bytes());
    a
}

impl DataKey {
    /// The key in `path`, made when missing and `create`.
    pub fn open(path: &Path, create: bool) -> anyhow::Result<DataKey> {
        let key = crate::app::records::load_key(path, create)
            .map_err(|e| anyhow::anyhow!("[hub] data_key_file: {e}"))?;
        Ok(DataKey(XChaCha20Poly1305::new(&key.into())))
    }

    /// A key from bytes (tests, benchmarks).
    pub fn from_bytes(key: [u8; 32]) -> DataKey {
        DataKey(XChaCha20Poly1305::new(&key.into()))
    }

    /// `nonce ‖ ciphertext` of `salt ‖ value` for `facility`'s vault `id`.
    pub fn seal(&self, facility: &str, id: i64, salt: &[u8], value: &str) -> Vec<u8> {
        let mut msg = Vec::with_capacity(1 + salt.len() + value.len());
        msg.push(salt.len() as u8);
        msg.extend_from_slice(salt);
        msg.extend_from_slice(value.as_bytes());
        self.seal_bytes(&aad(facility, id), &msg)
    }

    /// `nonce ‖ ciphertext` of page `page`'s image for `facility`.
    pub fn seal_page(&self, facility: &str, page: &str, image: &[u8]) -> Vec<u8> {
        self.seal_bytes(&tagged("page", facility, page), image)
    }

    /// Page `page`'s image, or `None` when it was altered, moved, or
    /// sealed under another key.
    pub fn open_page(&self, facility: &str, page: &str, sealed: &[u8]) -> Option<Vec<u8>> {
        self.open_bytes(&tagged("page", facility, page), sealed)
    }

    /// `nonce ‖ ciphertext` of command `id`'s text for `facility`.
    pub fn seal_command(&self, facility: &str, id: i64, text: &str) -> Vec<u8> {
        self.seal_bytes(
            &tagged("command", facility, &id.to_string()),
            text.as_bytes(),
        )
    }

    /// Command `id`'s text, or `None` when it was altered or moved.
    pub fn open_command(&self, facility: &str, id: i64, sealed: &[u8]) -> Option<String> {
        let b = self.open_bytes(&tagged("command", facility, &id.to_string()), sealed)?;
        String::from_utf8(b).ok()
    }

    fn seal_bytes(&self, aad: &[u8], msg: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = self
            .0
            .encrypt(XNonce::from_slice(&nonce), Payload { msg, aad })
            .expect("XChaCha20-Poly1305 encrypts any length a request can carry");
        let mut out = nonce.to_vec();
        out.extend(sealed);
        out
    }

    fn open_bytes(&self, aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < 24 {
            return None;
        }
        let (nonce, ct) = sealed.split_at(24);
        self.0
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad })
            .ok()
    }

    /// The salt and value sealed for `facility`'s vault `id`, or `None`
    /// when it was altered, moved, or sealed under another key.
    pub fn open_value(&self, facility: &str, id: i64, sealed: &[u8]) -> Option<(Vec<u8>, String)> {
        let msg = self.open_bytes(&aad(facility, id), sealed)?;
        let n = *msg.first()? as usize;
        let salt = msg.get(1..1 + n)?.to_vec();
        let value = String::from_utf8(msg.get(1 + n..)?.to_vec()).ok()?;
        Some((salt, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_opens_only_where_it_was_sealed() {
        let k = DataKey::from_bytes([9; 32]);
        let s = k.seal("f", 4097, &[1, 2, 3], "Ana Ruiz");
        assert_eq!(
            k.open_value("f", 4097, &s),
            Some((vec![1, 2, 3], "Ana Ruiz".into()))
        );
        assert_eq!(k.open_value("f", 4098, &s), None);
        assert_eq!(k.open_value("g", 4097, &s), None);
        assert_eq!(DataKey::from_bytes([8; 32]).open_value("f", 4097, &s), None);
        assert!(!String::from_utf8_lossy(&s).contains("Ana"));
        let p = k.seal_page("f", "ab", b"%PDF page");
        assert_eq!(
            k.open_page("f", "ab", &p).as_deref(),
            Some(&b"%PDF page"[..])
        );
        assert_eq!(k.open_page("f", "ac", &p), None);
        assert_eq!(k.open_page("g", "ab", &p), None);
        let c = k.seal_command("f", 7, "Do not consent");
        assert_eq!(
            k.open_command("f", 7, &c).as_deref(),
            Some("Do not consent")
        );
        assert_eq!(k.open_command("f", 8, &c), None);
        assert_eq!(k.open_page("f", "7", &c), None);
    }
}
