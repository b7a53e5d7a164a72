//! The court's record seal: an Ed25519 key, made once per data directory,
//! that signs every signature record so it can be checked without trusting
//! the database.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use crate::store::{self, Store, StoreError};

pub struct RecordSeal {
    key: SigningKey,
}

impl RecordSeal {
    /// The data directory's seal, made on first use.
    pub fn load(store: &Store) -> Result<Self, StoreError> {
        let stored = store.call_blocking(|conn| {
            store::settings::get_or_insert(conn, "record_signing_key", || crate::secrets::random_bytes::<32>().to_vec())
        })?;
        let secret: [u8; 32] = stored
            .as_slice()
            .try_into()
            .map_err(|_| StoreError::Sqlite(rusqlite::Error::InvalidColumnType(0, "record_signing_key".into(), rusqlite::types::Type::Blob)))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seal_is_kept_and_checks_what_it_signed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let seal = RecordSeal::load(&store).unwrap();
        let signature = seal.sign(b"version 3, sha256 abc");
        assert!(seal.verify(b"version 3, sha256 abc", &signature));
        assert!(!seal.verify(b"version 3, sha256 abd", &signature));
        assert!(!seal.verify(b"version 3, sha256 abc", &signature[..63]));
        let again = RecordSeal::load(&store).unwrap();
        assert_eq!(again.public_key(), seal.public_key(), "the same key after a restart");
    }
}
