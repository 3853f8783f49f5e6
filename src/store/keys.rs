//! 32-byte key files kept outside the database: the page-encryption key and
//! the acknowledge-link key. Created on first run (mode 0600 in a 0700
//! folder, written durably); refused when others can read them.

use rand::RngCore;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Why a key file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{}", crate::msg!("key file {path}: {source}", path = .path.display(), source = .source))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", crate::msg!("key file {path} is readable by other users (mode {mode}); run `chmod 600 {path}`", path = .path.display(), mode = format!("{:o}", .mode)))]
    Permissions { path: PathBuf, mode: u32 },
    #[error("{}", crate::msg!("key file {path} is {len} bytes, expected 32; restore it from backup", path = .path.display(), len = .len))]
    Length { path: PathBuf, len: usize },
    #[error("{}", crate::msg!("key file {path} is missing but data protected by it exists; restore it from backup (a new key cannot read the old data)", path = .path.display()))]
    Missing { path: PathBuf },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeyError + '_ {
    move |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Read the key at `path`, creating it when missing and `may_create`.
pub fn load(path: &Path, may_create: bool) -> Result<[u8; 32], KeyError> {
    if !path.exists() {
        if !may_create {
            return Err(KeyError::Missing {
                path: path.to_path_buf(),
            });
        }
        create(path)?;
    }
    let mode = fs::metadata(path).map_err(io(path))?.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(KeyError::Permissions {
            path: path.to_path_buf(),
            mode,
        });
    }
    let key = fs::read(path).map_err(io(path))?;
    let len = key.len();
    key.try_into().map_err(|_| KeyError::Length {
        path: path.to_path_buf(),
        len,
    })
}

fn create(path: &Path) -> Result<(), KeyError> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io(parent))?;
        fs::set_permissions(parent, fs::Permissions::from_mode(0o700)).map_err(io(parent))?;
    }
    let mut key = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    // Written whole under a name of its own, then linked into place: two
    // processes opening a new data folder at once (the service starting
    // as the CLI records) end up with one key, and nobody reads it half
    // written.
    let tmp = path.with_extension(format!("new.{}", hex::encode(rand::random::<[u8; 8]>())));
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(io(&tmp))?;
    let written = f
        .write_all(&key)
        .and_then(|()| f.sync_all())
        .and_then(|()| match fs::hard_link(&tmp, path) {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            other => other,
        });
    let _ = fs::remove_file(&tmp);
    written.map_err(io(path))?;
    if let Some(parent) = path.parent() {
        File::open(parent)
            .and_then(|d| d.sync_all())
            .map_err(io(parent))?;
    }
    Ok(())
}
