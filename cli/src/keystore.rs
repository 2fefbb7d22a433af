//! The keystore: named keys in one JSON file, each mnemonic encrypted with
//! XChaCha20-Poly1305 under a key stretched from the password by scrypt.
//! Public keys stay readable, so listing and addresses need no password.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use fog_relayer::chain::{address_from_public_key, parse_mnemonic, KeyType, PrivateKey};
use rand::RngCore;
use serde::{Deserialize, Serialize};

/// scrypt cost for user keystores (2^15: ~0.1 s per unlock).
pub const USER_LOG_N: u8 = 15;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyEntry {
    pub name: String,
    pub key_type: KeyType,
    pub coin_type: u32,
    /// Compressed public key, hex.
    pub public_key: String,
    pub kdf: Kdf,
    /// Hex.
    pub nonce: String,
    /// The encrypted mnemonic, hex.
    pub ciphertext: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Kdf {
    pub name: String,
    pub log_n: u8,
    pub r: u32,
    pub p: u32,
    pub salt: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    version: u32,
    keys: Vec<KeyEntry>,
}

pub struct Keystore {
    path: PathBuf,
    file: File,
}

fn stretch(password: &str, kdf: &Kdf) -> Result<[u8; 32]> {
    let salt = hex::decode(&kdf.salt).context("keystore salt")?;
    let params = scrypt::Params::new(kdf.log_n, kdf.r, kdf.p, 32).map_err(|e| anyhow!("scrypt parameters: {e}"))?;
    let mut key = [0u8; 32];
    scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key).map_err(|e| anyhow!("scrypt: {e}"))?;
    Ok(key)
}

impl KeyEntry {
    /// The account address for `prefix`.
    pub fn address(&self, prefix: &str) -> Result<String> {
        let bytes = hex::decode(&self.public_key)?;
        Ok(address_from_public_key(&bytes, self.key_type, prefix)?)
    }

    /// Decrypts the mnemonic.
    pub fn mnemonic(&self, password: &str) -> Result<String> {
        let key = stretch(password, &self.kdf)?;
        let cipher = XChaCha20Poly1305::new((&key).into());
        let nonce: [u8; 24] = hex::decode(&self.nonce)?
            .try_into()
            .map_err(|_| anyhow!("keystore nonce of {:?} is not 24 bytes", self.name))?;
        let plain = cipher
            .decrypt(&XNonce::from(nonce), hex::decode(&self.ciphertext)?.as_ref())
            .map_err(|_| anyhow!("wrong password for key {:?}", self.name))?;
        String::from_utf8(plain).context("mnemonic is not UTF-8")
    }

    pub fn private_key(&self, password: &str) -> Result<PrivateKey> {
        Ok(PrivateKey::from_mnemonic(
            &self.mnemonic(password)?,
            self.key_type,
            self.coin_type,
            0,
        )?)
    }
}

fn read_file(path: &Path) -> Result<File> {
    if !path.exists() {
        return Ok(File {
            version: 1,
            keys: vec![],
        });
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not a fog keystore", path.display()))
}

impl Keystore {
    /// Opens the keystore at `path` (empty if the file does not exist yet).
    pub fn open(path: &Path) -> Result<Self> {
        Ok(Self {
            path: path.to_path_buf(),
            file: read_file(path)?,
        })
    }

    /// Applies `change` to the keystore as it is on disk now, under an
    /// exclusive lock (`<keystore>.lock`), and saves it: two commands that
    /// change the keystore at once (one waiting at a password prompt) each
    /// keep the other's change. (Until stop 19 each saved the file it had
    /// read before its prompt, and a key reported created could vanish.)
    fn modify<T>(&mut self, change: impl FnOnce(&mut File) -> Result<T>) -> Result<T> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let lock_path = self.path.with_extension("lock");
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let lock = options
            .open(&lock_path)
            .with_context(|| format!("opening {}", lock_path.display()))?;
        lock.lock()
            .with_context(|| format!("locking {}", lock_path.display()))?;
        self.file = read_file(&self.path)?;
        let out = change(&mut self.file)?;
        self.save()?;
        drop(lock);
        Ok(out)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn keys(&self) -> &[KeyEntry] {
        &self.file.keys
    }

    pub fn get(&self, name: &str) -> Option<&KeyEntry> {
        self.file.keys.iter().find(|k| k.name == name)
    }

    /// Adds a key from its mnemonic, encrypted under `password`.
    pub fn add(
        &mut self,
        name: &str,
        mnemonic: &str,
        key_type: KeyType,
        coin_type: u32,
        password: &str,
        log_n: u8,
    ) -> Result<&KeyEntry> {
        validate_name(name)?;
        parse_mnemonic(mnemonic)?;
        let private = PrivateKey::from_mnemonic(mnemonic, key_type, coin_type, 0)?;
        let mut salt = [0u8; 16];
        let mut nonce = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut salt);
        rand::thread_rng().fill_bytes(&mut nonce);
        let kdf = Kdf {
            name: "scrypt".into(),
            log_n,
            r: 8,
            p: 1,
            salt: hex::encode(salt),
        };
        let key = stretch(password, &kdf)?;
        let cipher = XChaCha20Poly1305::new((&key).into());
        let ciphertext = cipher
            .encrypt(&XNonce::from(nonce), mnemonic.trim().as_bytes())
            .map_err(|_| anyhow!("encryption failed"))?;
        let entry = KeyEntry {
            name: name.to_string(),
            key_type,
            coin_type,
            public_key: hex::encode(private.public_key()),
            kdf,
            nonce: hex::encode(nonce),
            ciphertext: hex::encode(ciphertext),
        };
        let shown = self.path.display().to_string();
        self.modify(|file| {
            if file.keys.iter().any(|k| k.name == name) {
                bail!("a key named {name:?} already exists in {shown}");
            }
            file.keys.push(entry);
            Ok(())
        })?;
        Ok(self.file.keys.last().expect("just pushed"))
    }

    pub fn delete(&mut self, name: &str) -> Result<()> {
        let shown = self.path.display().to_string();
        self.modify(|file| {
            let before = file.keys.len();
            file.keys.retain(|k| k.name != name);
            if file.keys.len() == before {
                bail!("no key named {name:?} in {shown}");
            }
            Ok(())
        })
    }

    fn save(&self) -> Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = self.path.with_extension("json.tmp");
        // A stale temporary file (or a link planted in its place) is
        // removed, not followed; the new one is created owner-only, never
        // readable by others between its creation and a chmod.
        match std::fs::remove_file(&tmp) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options
            .open(&tmp)
            .map_err(|e| anyhow::anyhow!("creating {}: {e}", tmp.display()))?;
        std::io::Write::write_all(&mut file, serde_json::to_string_pretty(&self.file)?.as_bytes())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, &self.path)?;
        Ok(())
    }
}

fn validate_name(name: &str) -> Result<()> {
    if name.is_empty() || name.len() > 64 || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        bail!("key names are 1 to 64 characters of letters, digits, - and _ (got {name:?})");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_keystore_is_written_owner_only_and_a_planted_link_is_not_followed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keystore.json");
        // A link where the temporary file goes, pointing at a file of the
        // attacker's: the save must neither write through it nor fail.
        let elsewhere = dir.path().join("elsewhere");
        std::fs::write(&elsewhere, "untouched").unwrap();
        std::os::unix::fs::symlink(&elsewhere, path.with_extension("json.tmp")).unwrap();
        let mut ks = Keystore::open(&path).unwrap();
        let mnemonic = crate::devnet::accounts::mnemonic("test");
        ks.add("me", &mnemonic, KeyType::Secp256k1, 118, "pw", 4).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "untouched");
        assert!(Keystore::open(&path).unwrap().get("me").is_some());
    }

    #[test]
    fn two_commands_changing_the_keystore_at_once_keep_both_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keystore.json");
        // Both opened before either saves, as two `fog keys add` waiting
        // at their password prompts.
        let mut a = Keystore::open(&path).unwrap();
        let mut b = Keystore::open(&path).unwrap();
        let m = |n| crate::devnet::accounts::mnemonic(n);
        a.add("a", &m("a"), KeyType::Secp256k1, 118, "pw", 4).unwrap();
        b.add("b", &m("b"), KeyType::Secp256k1, 118, "pw", 4).unwrap();
        let names = || -> Vec<String> {
            Keystore::open(&path)
                .unwrap()
                .keys()
                .iter()
                .map(|k| k.name.clone())
                .collect()
        };
        assert_eq!(names(), ["a", "b"]);
        // A name taken meanwhile is refused, not duplicated.
        let mut c = Keystore::open(&path).unwrap();
        let mut d = Keystore::open(&path).unwrap();
        c.add("same", &m("c"), KeyType::Secp256k1, 118, "pw", 4).unwrap();
        assert!(d.add("same", &m("d"), KeyType::Secp256k1, 118, "pw", 4).is_err());
        // A deletion does not bring back what it had read before.
        let mut e = Keystore::open(&path).unwrap();
        a.add("late", &m("late"), KeyType::Secp256k1, 118, "pw", 4).unwrap();
        e.delete("a").unwrap();
        assert_eq!(names(), ["b", "same", "late"]);
    }

    #[test]
    fn concurrent_adds_from_threads_all_land() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keystore.json");
        let handles: Vec<_> = (0..6)
            .map(|i| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let mut ks = Keystore::open(&path).unwrap();
                    let name = format!("k{i}");
                    ks.add(
                        &name,
                        &crate::devnet::accounts::mnemonic(&name),
                        KeyType::Secp256k1,
                        118,
                        "pw",
                        4,
                    )
                    .unwrap();
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(Keystore::open(&path).unwrap().keys().len(), 6);
    }
}
