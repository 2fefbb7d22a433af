//! Envelope encryption: each subject's record under its own random key
//! (XChaCha20-Poly1305, random 192-bit nonces), that key wrapped under the
//! master key. Both bind the subject id as associated data, so a ciphertext
//! or a wrapped key moved to another subject does not decrypt.

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use zeroize::Zeroizing;

/// The environment variable holding the master key (64 hex characters).
pub const MASTER_KEY_ENV: &str = "FOG_KYC_MASTER_KEY";

pub struct Vault {
    master: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(..)")
    }
}

/// A sealed record or key: (nonce, ciphertext with its tag).
pub struct Sealed {
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

fn parse_key(text: &str) -> Result<Zeroizing<[u8; 32]>> {
    let bytes = Zeroizing::new(hex::decode(text.trim()).map_err(|_| anyhow!("the KYC master key is not hex"))?);
    let key: [u8; 32] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| anyhow!("the KYC master key must be 32 bytes (64 hex characters)"))?;
    Ok(Zeroizing::new(key))
}

fn seal(key: &[u8; 32], plain: &[u8], aad: &[u8]) -> Result<Sealed> {
    let mut nonce = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let ciphertext = XChaCha20Poly1305::new(key.into())
        .encrypt(&XNonce::from(nonce), Payload { msg: plain, aad })
        .map_err(|_| anyhow!("encryption failed"))?;
    Ok(Sealed {
        nonce: nonce.to_vec(),
        ciphertext,
    })
}

fn open(key: &[u8; 32], sealed: &Sealed, aad: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let nonce: [u8; 24] = sealed
        .nonce
        .as_slice()
        .try_into()
        .map_err(|_| anyhow!("a stored nonce is not 24 bytes"))?;
    XChaCha20Poly1305::new(key.into())
        .decrypt(
            &XNonce::from(nonce),
            Payload {
                msg: &sealed.ciphertext,
                aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| anyhow!("authentication failed: wrong master key, or the data was altered"))
}

fn aad(kind: &str, subject: i64) -> Vec<u8> {
    format!("fog-kyc/{kind}/{subject}").into_bytes()
}

impl Vault {
    pub fn from_key(master: [u8; 32]) -> Self {
        Self {
            master: Zeroizing::new(master),
        }
    }

    /// The master key from `FOG_KYC_MASTER_KEY`, else from `file`, which is
    /// created (mode 0600, random key) when it does not exist.
    pub fn load(file: &Path) -> Result<Self> {
        if let Ok(text) = std::env::var(MASTER_KEY_ENV) {
            return Ok(Self {
                master: parse_key(&text)?,
            });
        }
        if file.exists() {
            check_permissions(file)?;
            let text =
                Zeroizing::new(std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?);
            return Ok(Self {
                master: parse_key(&text)?,
            });
        }
        let mut key = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(key.as_mut());
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        {
            use std::io::Write;
            use std::os::unix::fs::OpenOptionsExt;
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(file)
                .with_context(|| format!("creating {}", file.display()))?;
            f.write_all(Zeroizing::new(hex::encode(key.as_ref()) + "\n").as_bytes())?;
        }
        tracing::info!(file = %file.display(), "created the KYC master key");
        Ok(Self { master: key })
    }

    /// A fresh subject key, and it wrapped under the master key.
    pub fn new_subject_key(&self, subject: i64) -> Result<(Zeroizing<[u8; 32]>, Sealed)> {
        let mut key = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(key.as_mut());
        let wrapped = seal(&self.master, key.as_ref(), &aad("key", subject))?;
        Ok((key, wrapped))
    }

    pub fn unwrap_key(&self, subject: i64, wrapped: &Sealed) -> Result<Zeroizing<[u8; 32]>> {
        let bytes = open(&self.master, wrapped, &aad("key", subject))?;
        let key: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| anyhow!("a wrapped key is not 32 bytes"))?;
        Ok(Zeroizing::new(key))
    }

    pub fn seal_record(key: &[u8; 32], subject: i64, plain: &[u8]) -> Result<Sealed> {
        seal(key, plain, &aad("record", subject))
    }

    pub fn open_record(key: &[u8; 32], subject: i64, sealed: &Sealed) -> Result<Zeroizing<Vec<u8>>> {
        open(key, sealed, &aad("record", subject))
    }
}

/// Refuses a master key file others can read.
pub fn check_permissions(file: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(file) {
        if meta.permissions().mode() & 0o077 != 0 {
            bail!(
                "{} is readable by others (mode {:o}); chmod 600 it",
                file.display(),
                meta.permissions().mode() & 0o777
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_opens_only_with_its_key_and_its_subject() {
        let vault = Vault::from_key([7; 32]);
        let (key, wrapped) = vault.new_subject_key(1).unwrap();
        let sealed = Vault::seal_record(&key, 1, b"Ada Lovelace").unwrap();
        let again = vault.unwrap_key(1, &wrapped).unwrap();
        assert_eq!(
            Vault::open_record(&again, 1, &sealed).unwrap().as_slice(),
            b"Ada Lovelace"
        );
        assert!(
            vault.unwrap_key(2, &wrapped).is_err(),
            "a wrapped key is bound to its subject"
        );
        assert!(
            Vault::open_record(&again, 2, &sealed).is_err(),
            "a record is bound to its subject"
        );
        assert!(
            Vault::from_key([8; 32]).unwrap_key(1, &wrapped).is_err(),
            "another master key"
        );
        let mut tampered = Sealed {
            nonce: sealed.nonce.clone(),
            ciphertext: sealed.ciphertext.clone(),
        };
        tampered.ciphertext[0] ^= 1;
        assert!(Vault::open_record(&again, 1, &tampered).is_err());
    }

    #[test]
    fn master_keys_are_64_hex_characters() {
        assert!(parse_key(&"ab".repeat(32)).is_ok());
        for bad in ["", "xyz", &"ab".repeat(31)] {
            assert!(parse_key(bad).is_err(), "{bad:?} accepted as a master key");
        }
    }
}
