//! Document page images, encrypted at rest.
//!
//! Each page is a file `pages/<id>.page` holding a magic tag, a random
//! 24-byte nonce and the XChaCha20-Poly1305 ciphertext of the image, with the
//! page id as associated data (so files cannot be swapped). The key is a
//! 32-byte file, mode 0600, kept outside the database.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"THRPAGE1";
const NONCE_LEN: usize = 24;

/// Why a page or the key could not be used.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("{path}: {source}", path = .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", crate::msg!("page key: {error}", error = .0))]
    Key(#[from] super::keys::KeyError),
    #[error("{}", crate::msg!("page file {path} is not a Threshold page or has been altered", path = .path.display()))]
    Altered { path: PathBuf },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PageError + '_ {
    move |source| PageError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The page-encryption key and the folder the pages live in.
pub struct PageVault {
    cipher: XChaCha20Poly1305,
    dir: PathBuf,
}

impl PageVault {
    /// Load the key at `key_path`, creating it (mode 0600) when `may_create`.
    pub fn open(key_path: &Path, dir: &Path, may_create: bool) -> Result<PageVault, PageError> {
        if !dir.is_dir() {
            use std::os::unix::fs::DirBuilderExt;
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(io(dir))?;
        }
        let key = super::keys::load(key_path, may_create)?;
        Ok(PageVault {
            cipher: XChaCha20Poly1305::new_from_slice(&key).expect("32-byte key"),
            dir: dir.to_path_buf(),
        })
    }

    /// The file that holds page `id`.
    pub fn path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.page"))
    }

    /// Encrypt and durably write `image` as page `id`; returns its SHA-256.
    pub fn write(&self, id: &str, image: &[u8]) -> Result<String, PageError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: image,
                    aad: id.as_bytes(),
                },
            )
            .expect("encryption of an in-memory buffer cannot fail");
        let path = self.path(id);
        let tmp = path.with_extension("page.tmp");
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(io(&tmp))?;
        f.write_all(MAGIC)
            .and_then(|()| f.write_all(&nonce))
            .and_then(|()| f.write_all(&sealed))
            .and_then(|()| f.sync_all())
            .map_err(io(&tmp))?;
        fs::rename(&tmp, &path).map_err(io(&path))?;
        sync_dir(&self.dir)?;
        Ok(hex::encode(Sha256::digest(image)))
    }

    /// Decrypt page `id`. Any change to the file makes this fail.
    pub fn read(&self, id: &str) -> Result<Vec<u8>, PageError> {
        let path = self.path(id);
        let data = fs::read(&path).map_err(io(&path))?;
        let altered = || PageError::Altered { path: path.clone() };
        if data.len() < MAGIC.len() + NONCE_LEN || &data[..MAGIC.len()] != MAGIC {
            return Err(altered());
        }
        let (nonce, sealed) = data[MAGIC.len()..].split_at(NONCE_LEN);
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: id.as_bytes(),
                },
            )
            .map_err(|_| altered())
    }

    /// Remove page `id`'s file, if present.
    pub fn delete(&self, id: &str) -> Result<bool, PageError> {
        let path = self.path(id);
        match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(PageError::Io { path, source: e }),
        }
    }

    /// Ids of every page file in the folder.
    pub fn list(&self) -> Result<Vec<String>, PageError> {
        let mut ids = Vec::new();
        for entry in fs::read_dir(&self.dir).map_err(io(&self.dir))? {
            let name = entry.map_err(io(&self.dir))?.file_name();
            if let Some(id) = name.to_str().and_then(|n| n.strip_suffix(".page")) {
                ids.push(id.to_string());
            }
        }
        Ok(ids)
    }
}

fn sync_dir(dir: &Path) -> Result<(), PageError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

/// For `log verify`: decrypt and hash every live page (`pages`: id,
/// SHA-256, seq, kind); report missing, altered and unreferenced files. Returns files of purged pages still on disk.
pub(super) fn check_files(
    store: &super::Reader<'_>,
    pages: &[(String, String, i64, String)],
    purged: &std::collections::HashSet<String>,
    findings: &mut Vec<super::verify::Finding>,
) -> Result<Vec<String>, super::StoreError> {
    let mut leftover = Vec::new();
    let mut referenced = std::collections::HashSet::new();
    for (id, sha, seq, kind) in pages {
        referenced.insert(id.clone());
        let path = store.pages().path(id);
        if purged.contains(id) {
            if path.exists() {
                leftover.push(path.display().to_string());
            }
            continue;
        }
        match store.pages().read(id) {
            Ok(image) if hex::encode(Sha256::digest(&image)) == *sha => {}
            Ok(_) => findings.push(super::verify::finding(
                *seq,
                kind,
                format!("page file {} does not match its SHA-256", path.display()),
            )),
            Err(e) => findings.push(super::verify::finding(
                *seq,
                kind,
                format!("page {id}: {e}"),
            )),
        }
    }
    for id in store.pages().list()? {
        if !referenced.contains(&id) {
            findings.push(super::verify::Finding {
                seq: None,
                kind: "page".into(),
                problem: format!(
                    "page file {} is not referenced by any journal entry",
                    store.pages().path(&id).display()
                ),
            });
        }
    }
    Ok(leftover)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::keys::KeyError;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn round_trip_and_tamper_detection() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("keys/page.key");
        assert!(matches!(
            PageVault::open(&key, &dir.path().join("pages"), false),
            Err(PageError::Key(KeyError::Missing { .. }))
        ));
        let v = PageVault::open(&key, &dir.path().join("pages"), true).unwrap();
        let mode = fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let sha = v.write("p1", b"image bytes").unwrap();
        assert_eq!(sha, hex::encode(Sha256::digest(b"image bytes")));
        assert_eq!(v.read("p1").unwrap(), b"image bytes");
        assert_eq!(v.list().unwrap(), vec!["p1".to_string()]);
        // Swapping files between ids is caught by the associated data.
        fs::copy(v.path("p1"), v.path("p2")).unwrap();
        assert!(matches!(v.read("p2"), Err(PageError::Altered { .. })));
        let mut bytes = fs::read(v.path("p1")).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        fs::write(v.path("p1"), bytes).unwrap();
        assert!(matches!(v.read("p1"), Err(PageError::Altered { .. })));
        fs::set_permissions(&key, fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            PageVault::open(&key, &dir.path().join("pages"), false),
            Err(PageError::Key(KeyError::Permissions { .. }))
        ));
    }
}
