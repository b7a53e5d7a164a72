//! The court's record seal: an Ed25519 key that signs every signature record
//! and every checkpoint of a hearing's log, so both can be checked without
//! trusting the database. The key lives in a file of its own, never in the
//! database or its backups: whoever can write the database cannot seal what
//! they write. Made on first use; a key an earlier version kept in the
//! database moves to the file and leaves the database.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use crate::store::{self, Store, StoreError};

/// Where an earlier version kept the key.
const OLD_SETTING: &str = "record_signing_key";

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the court's seal key file {path}: {source}")]
    File { path: PathBuf, source: std::io::Error },
    #[error("the court's seal key file {path} does not hold a key (64 hexadecimal digits)")]
    NotAKey { path: PathBuf },
    #[error("the seal key in {path} is not the one the database held; refusing to guess which one seals this court's records")]
    Conflict { path: PathBuf },
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub struct RecordSeal {
    key: SigningKey,
}

impl RecordSeal {
    /// The court's seal from `key_file`, made on first use.
    pub fn load(store: &Store, key_file: &Path) -> Result<Self, SealError> {
        let file_error = |source| SealError::File { path: key_file.to_owned(), source };
        let in_file = match std::fs::read_to_string(key_file) {
            Ok(text) => Some(parse(&text).ok_or_else(|| SealError::NotAKey { path: key_file.to_owned() })?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(file_error(e)),
        };
        let in_database = store.call_blocking(|conn| store::settings::get(conn, OLD_SETTING))?;
        let in_database = in_database.map(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok());
        let secret = match (in_file, in_database) {
            (Some(file), Some(Some(old))) if file != old => return Err(SealError::Conflict { path: key_file.to_owned() }),
            (Some(file), _) => file,
            (None, Some(Some(old))) => {
                write_key(key_file, &old).map_err(file_error)?;
                tracing::info!(file = %key_file.display(), "moved the court's seal key out of the database");
                old
            }
            (None, _) => {
                let new = crate::secrets::random_bytes::<32>();
                write_key(key_file, &new).map_err(file_error)?;
                tracing::info!(file = %key_file.display(), "made the court's seal key");
                new
            }
        };
        // Only once the file holds it durably does the database forget it.
        store.call_blocking(|conn| store::settings::remove(conn, OLD_SETTING))?;
        Ok(Self { key: SigningKey::from_bytes(&secret) })
    }

    pub fn sign(&self, payload: &[u8]) -> [u8; 64] {
        self.key.sign(payload).to_bytes()
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// Whether `signature` is this seal's signature of `payload`.
    pub fn verify(&self, payload: &[u8], signature: &[u8]) -> bool {
        verify(&self.public_key(), payload, signature)
    }
}

/// Checks an Ed25519 signature with a public key (strict: no malleable forms).
pub fn verify(public_key: &[u8; 32], payload: &[u8], signature: &[u8]) -> bool {
    let Ok(key) = VerifyingKey::from_bytes(public_key) else { return false };
    let Ok(signature) = <[u8; 64]>::try_from(signature) else { return false };
    key.verify_strict(payload, &Signature::from_bytes(&signature)).is_ok()
}

fn parse(text: &str) -> Option<[u8; 32]> {
    hex::decode(text.trim()).ok()?.try_into().ok()
}

/// Writes the key readable by the server's user alone: a temporary file,
/// fsync, rename, fsync of the directory.
fn write_key(path: &Path, secret: &[u8; 32]) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let temporary = dir.join(".record-seal.key.tmp");
    {
        let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&temporary)?;
        writeln!(file, "{}", hex::encode(secret))?;
        file.sync_all()?;
    }
    std::fs::rename(&temporary, path)?;
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seal_is_kept_in_its_own_file_and_checks_what_it_signed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let key_file = dir.path().join("keys/record-seal.key");
        let seal = RecordSeal::load(&store, &key_file).unwrap();
        let signature = seal.sign(b"version 3, sha256 abc");
        assert!(seal.verify(b"version 3, sha256 abc", &signature));
        assert!(!seal.verify(b"version 3, sha256 abd", &signature));
        assert!(!seal.verify(b"version 3, sha256 abc", &signature[..63]));
        let again = RecordSeal::load(&store, &key_file).unwrap();
        assert_eq!(again.public_key(), seal.public_key(), "the same key after a restart");
        assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777, 0o600);
        assert!(store.call_blocking(|c| store::settings::get(c, OLD_SETTING)).unwrap().is_none());

        std::fs::write(&key_file, "not a key\n").unwrap();
        assert!(matches!(RecordSeal::load(&store, &key_file), Err(SealError::NotAKey { .. })), "a damaged key file stops the server");
    }

    #[test]
    fn a_key_kept_in_the_database_moves_to_the_file_and_leaves_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let old = [7u8; 32];
        store.call_blocking(|c| store::settings::get_or_insert(c, OLD_SETTING, || old.to_vec())).unwrap();
        let key_file = dir.path().join("record-seal.key");
        let seal = RecordSeal::load(&store, &key_file).unwrap();
        assert_eq!(seal.public_key(), SigningKey::from_bytes(&old).verifying_key().to_bytes(), "the court keeps its key");
        assert_eq!(parse(&std::fs::read_to_string(&key_file).unwrap()), Some(old));
        assert!(store.call_blocking(|c| store::settings::get(c, OLD_SETTING)).unwrap().is_none(), "the database no longer holds it");

        // A database holding another key than the file's (restored from an old backup, say) is not guessed at.
        store.call_blocking(|c| store::settings::get_or_insert(c, OLD_SETTING, || vec![8u8; 32])).unwrap();
        assert!(matches!(RecordSeal::load(&store, &key_file), Err(SealError::Conflict { .. })));
    }
}
