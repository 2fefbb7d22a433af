//! Signed checkpoints in the C2SP `tlog-checkpoint` format, as a signed note
//! (C2SP `signed-note`) with an Ed25519 signature, so existing
//! transparency-log verifiers (Go's `golang.org/x/mod/sumdb/note`) read them.
//!
//! ```text
//! <origin>
//! <tree size>
//! <base64 root hash>
//!
//! — <key name> <base64(key id || signature)>
//! ```
//! The key id is the first four bytes of SHA-256(name || "\n" || 0x01 ||
//! public key); the signature covers the text before the blank line.

use anyhow::{anyhow, bail, Context, Result};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

const ED25519: u8 = 0x01;

/// A checkpoint: what a log commits to at one size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: [u8; 32],
}

impl Checkpoint {
    /// The signed text: three lines, each ending with a newline.
    pub fn body(&self) -> String {
        format!("{}\n{}\n{}\n", self.origin, self.size, B64.encode(self.root))
    }
}

/// A log's signing key with its name.
pub struct NoteSigner {
    pub name: String,
    key: SigningKey,
}

fn key_id(name: &str, public: &VerifyingKey) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([ED25519]);
    h.update(public.as_bytes());
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// A key's id as written (8 hex digits, either case) against the one its
/// name and key give.
fn check_key_id(written: &str, id: &[u8; 4]) -> Result<()> {
    if written.len() != 8 || !written.eq_ignore_ascii_case(&hex::encode(id)) {
        bail!("the key's id {written:?} does not match its name and key");
    }
    Ok(())
}

fn valid_name(name: &str) -> Result<()> {
    if name.is_empty() || name.contains('+') || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        bail!("key name {name:?} must be non-empty, without spaces or '+'");
    }
    Ok(())
}

impl NoteSigner {
    /// From a 32-byte seed.
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<Self> {
        valid_name(name)?;
        Ok(Self {
            name: name.to_string(),
            key: SigningKey::from_bytes(&seed),
        })
    }

    /// Parses Go's `note` private key format:
    /// `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || seed)>`, or a bare
    /// 64-hex-digit seed (then `name` names the key).
    pub fn parse(text: &str, name: &str) -> Result<Self> {
        let text = text.trim();
        if let Some(rest) = text.strip_prefix("PRIVATE+KEY+") {
            let parts: Vec<&str> = rest.splitn(3, '+').collect();
            let [name, id_hex, key] = parts.as_slice() else {
                bail!("a note private key is PRIVATE+KEY+<name>+<id>+<key>");
            };
            let raw = B64.decode(key).context("note private key is not base64")?;
            if raw.len() != 33 || raw[0] != ED25519 {
                bail!("only Ed25519 note keys are supported");
            }
            let seed: [u8; 32] = raw[1..].try_into().map_err(|_| anyhow!("key length"))?;
            let signer = Self::from_seed(name, seed)?;
            check_key_id(id_hex, &key_id(name, &signer.key.verifying_key()))?;
            return Ok(signer);
        }
        let seed: [u8; 32] = hex::decode(text)
            .context("the signing key is neither a note private key nor 64 hex digits")?
            .try_into()
            .map_err(|_| anyhow!("a signing seed is 32 bytes"))?;
        Self::from_seed(name, seed)
    }

    /// A new random key.
    pub fn generate(name: &str) -> Result<Self> {
        Self::from_seed(name, rand::random())
    }

    /// The raw Ed25519 public key (what the audit anchor checks with).
    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// Go's private key format, for `parse`.
    pub fn private_key_text(&self) -> String {
        let vk = self.key.verifying_key();
        let mut raw = vec![ED25519];
        raw.extend_from_slice(&self.key.to_bytes());
        format!(
            "PRIVATE+KEY+{}+{}+{}",
            self.name,
            hex::encode(key_id(&self.name, &vk)),
            B64.encode(raw)
        )
    }

    /// The verifier key verifiers are configured with:
    /// `<name>+<hex key id>+<base64(0x01 || public key)>`.
    pub fn verifier_key(&self) -> String {
        key_text(&self.name, &self.key.verifying_key())
    }

    /// The signed note of a checkpoint.
    pub fn sign(&self, c: &Checkpoint) -> String {
        let body = c.body();
        let sig: Signature = self.key.sign(body.as_bytes());
        let mut blob = key_id(&self.name, &self.key.verifying_key()).to_vec();
        blob.extend_from_slice(&sig.to_bytes());
        format!("{body}\n\u{2014} {} {}\n", self.name, B64.encode(blob))
    }
}

/// The signing key kept in `path`, or a new one named `name` written there
/// when the file does not exist: owner-only (0600) from its first byte
/// where the file system keeps modes, and put in place by a hard link, so a
/// crash leaves no half-written key and two processes creating it at once
/// end with one key between them ([`publish_new`] says what differs on a
/// file system without hard links). The verifier key is written beside it
/// (`.pub`). Returns whether it was created.
pub fn load_or_create_signer(path: &std::path::Path, name: &str) -> Result<(NoteSigner, bool)> {
    let shown = path.display();
    let read = |path: &std::path::Path| -> Result<NoteSigner> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {shown}"))?;
        NoteSigner::parse(&text, name).with_context(|| format!("{shown} is not a checkpoint signing key"))
    };
    if path.exists() {
        let signer = read(path)?;
        write_verifier_key(path, &signer)?;
        return Ok((signer, false));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let signer = NoteSigner::generate(name)?;
    let text = signer.private_key_text() + "\n";
    match publish_new(dir, path, text.as_bytes(), |from, to| std::fs::hard_link(from, to)) {
        Ok(()) => {}
        // Another process made it first: use theirs (written in place on
        // a file system without hard links, it may not hold its bytes yet).
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            for _ in 0..50 {
                if std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            let theirs = read(path)?;
            write_verifier_key(path, &theirs)?;
            return Ok((theirs, false));
        }
        Err(e) => return Err(e).with_context(|| format!("writing {shown}")),
    }
    write_verifier_key(path, &signer)?;
    Ok((signer, true))
}

/// Writes `bytes` to `path`, which must not exist, owner-only from its
/// first byte: into a temporary file of `dir`, then hard-linked into place,
/// so no reader ever sees a partial key and of two writers one gets
/// `AlreadyExists`. On a file system without hard links (`link` refused as
/// unsupported: FAT, some FUSE and network mounts) the file is created in
/// place with `create_new` instead, which keeps the one-winner rule but may
/// show a reader the file before its bytes; a failed write removes it, so
/// no empty key is left to refuse every later start (a crash in between
/// still can).
fn publish_new(
    dir: &std::path::Path,
    path: &std::path::Path,
    bytes: &[u8],
    link: impl Fn(&std::path::Path, &std::path::Path) -> std::io::Result<()>,
) -> std::io::Result<()> {
    use std::io::Write as _;
    let write_new = |at: &std::path::Path| -> std::io::Result<()> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(at)?;
        // Created by this call: a failed write removes it again.
        let written = file.write_all(bytes).and_then(|()| file.sync_all());
        if written.is_err() {
            let _ = std::fs::remove_file(at);
        }
        written
    };
    let temp = dir.join(format!(".{}.{}.tmp", std::process::id(), rand::random::<u64>()));
    let linked = write_new(&temp).and_then(|()| link(&temp, path));
    let _ = std::fs::remove_file(&temp);
    match linked {
        Err(e) if hard_links_unsupported(&e) => write_new(path),
        other => other,
    }
}

/// `link(2)` refused because the file system has no hard links: EPERM
/// ("does not support the creation of hard links") or EOPNOTSUPP.
fn hard_links_unsupported(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::Unsupported || matches!(e.raw_os_error(), Some(1 | 95))
}

/// `<key>.pub` holds the signer's verifier key: written when missing or
/// different (lost in a crash after the key, or deleted since), since the
/// relayer reads it by default.
fn write_verifier_key(path: &std::path::Path, signer: &NoteSigner) -> Result<()> {
    let public = path.with_extension("key.pub");
    let text = signer.verifier_key() + "\n";
    if std::fs::read_to_string(&public).ok().as_deref() != Some(text.as_str()) {
        std::fs::write(&public, text).with_context(|| format!("writing {}", public.display()))?;
    }
    Ok(())
}

/// A verifier key (`<name>+<id>+<key>`), checked: its name, key id and
/// Ed25519 key.
#[derive(Debug)]
pub struct VerifierKey {
    pub name: String,
    id: [u8; 4],
    key: VerifyingKey,
}

impl VerifierKey {
    pub fn parse(text: &str) -> Result<Self> {
        // The base64 key may itself contain '+': split off name and id only.
        let parts: Vec<&str> = text.trim().splitn(3, '+').collect();
        let [name, id_hex, key] = parts.as_slice() else {
            bail!("a verifier key is <name>+<id>+<key>");
        };
        let raw = B64.decode(key).context("verifier key is not base64")?;
        if raw.len() != 33 || raw[0] != ED25519 {
            bail!("only Ed25519 verifier keys are supported");
        }
        valid_name(name)?;
        let key = VerifyingKey::from_bytes(raw[1..].try_into().map_err(|_| anyhow!("key length"))?)?;
        let id = key_id(name, &key);
        check_key_id(id_hex, &id)?;
        Ok(Self {
            name: name.to_string(),
            id,
            key,
        })
    }
}

fn key_text(name: &str, vk: &VerifyingKey) -> String {
    let mut raw = vec![ED25519];
    raw.extend_from_slice(vk.as_bytes());
    format!("{name}+{}+{}", hex::encode(key_id(name, vk)), B64.encode(raw))
}

/// The verifier key text of the log `name` signs as, from its raw Ed25519
/// public key (as the audit-anchor contract holds it).
pub fn verifier_key_of(name: &str, public_key: &[u8]) -> Result<String> {
    valid_name(name)?;
    let bytes: [u8; 32] = public_key
        .try_into()
        .map_err(|_| anyhow!("an Ed25519 public key is 32 bytes, not {}", public_key.len()))?;
    Ok(key_text(name, &VerifyingKey::from_bytes(&bytes)?))
}

/// A verifier key given as `flag` on a command line: a file holding it
/// (read even when its name has a '+'), or the key itself
/// (`<name>+<id>+<key>`). Checked here, so a bad key is named as the key's
/// fault; returns its text and the parsed key.
pub fn verifier_key_arg(flag: &str, given: &str) -> Result<(String, VerifierKey)> {
    let path = std::path::Path::new(given);
    let (text, from) = if !path.is_file() && given.contains('+') {
        (given.trim().to_string(), flag.to_string())
    } else {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {flag} {given}"))?;
        (text.trim().to_string(), format!("{flag} {given}"))
    };
    let key = VerifierKey::parse(&text).with_context(|| format!("{from} is not a verifier key"))?;
    Ok((text, key))
}

/// Verifies a signed note with a verifier key and returns its checkpoint.
pub fn verify(note: &str, verifier_key: &str) -> Result<Checkpoint> {
    VerifierKey::parse(verifier_key)?.verify(note)
}

/// A checkpoint with the log's signature over it, as a verifier that
/// rebuilds the note body (the audit-anchor contract) checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    pub checkpoint: Checkpoint,
    /// The Ed25519 key that signed it.
    pub public_key: [u8; 32],
    /// The signature over `checkpoint.body()`.
    pub signature: [u8; 64],
}

impl VerifierKey {
    /// Checks that `note` carries a valid signature by this key and returns
    /// its checkpoint.
    pub fn verify(&self, note: &str) -> Result<Checkpoint> {
        let (body, _) = self.signature_over(note)?;
        parse_body(body)
    }

    /// As [`Self::verify`], with this key's signature, for a verifier that
    /// does not read notes. Refuses a body with more than the checkpoint's
    /// three lines (extension lines), which such a verifier could not
    /// rebuild.
    pub fn verify_signed(&self, note: &str) -> Result<SignedCheckpoint> {
        let (body, signature) = self.signature_over(note)?;
        let checkpoint = parse_body(body)?;
        if checkpoint.body() != body {
            bail!("the note has lines after the checkpoint's three (extension lines): they are not supported");
        }
        Ok(SignedCheckpoint {
            checkpoint,
            public_key: self.key.to_bytes(),
            signature,
        })
    }

    /// The note's body and this key's valid signature over it.
    fn signature_over<'a>(&self, note: &'a str) -> Result<(&'a str, [u8; 64])> {
        let VerifierKey { name, id, key: vk } = self;
        let opened = open(note)?;
        let mut verified = None;
        for sig in &opened.signatures {
            if sig.name != *name || sig.blob[..4] != *id {
                continue;
            }
            let sig = Signature::from_slice(&sig.blob[4..])
                .map_err(|_| anyhow!("the signature of {name} is not an Ed25519 signature"))?;
            vk.verify(opened.body.as_bytes(), &sig)
                .map_err(|_| anyhow!("the signature of {name} does not verify"))?;
            verified = Some(sig.to_bytes());
        }
        let Some(signature) = verified else {
            bail!("no signature by {name} on the note");
        };
        Ok((opened.body, signature))
    }

    /// The raw Ed25519 public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.to_bytes()
    }
}

/// A signed note split as C2SP signed-note (and Go's `note.Open`) does:
/// the text up to and including the last blank line's first newline, then
/// signature lines `— <name> <base64(key id || signature)>`, each ending in
/// a newline. Anything else in the signature block makes the note
/// malformed, whether or not a known key signed it.
pub struct Opened<'a> {
    pub body: &'a str,
    pub signatures: Vec<NoteSignature<'a>>,
}

pub struct NoteSignature<'a> {
    pub name: &'a str,
    /// The 4-byte key id, then the signature (at least one byte).
    pub blob: Vec<u8>,
}

pub fn open(note: &str) -> Result<Opened<'_>> {
    let split = note
        .rfind("\n\n")
        .ok_or_else(|| anyhow!("a signed note has a blank line before its signatures"))?;
    let (body, block) = (&note[..split + 1], &note[split + 2..]);
    let lines = block
        .strip_suffix('\n')
        .ok_or_else(|| anyhow!("a signed note ends with a newline"))?;
    if lines.is_empty() {
        bail!("a signed note has at least one signature line");
    }
    let signatures = lines
        .split('\n')
        .map(|line| {
            let malformed = || anyhow!("malformed signature line {line:?}: expected \"\u{2014} <name> <base64>\"");
            let (name, b64) = line
                .strip_prefix("\u{2014} ")
                .and_then(|rest| rest.split_once(' '))
                .ok_or_else(malformed)?;
            valid_name(name).map_err(|_| malformed())?;
            let blob = B64.decode(b64).map_err(|_| malformed())?;
            if blob.len() < 5 {
                return Err(malformed());
            }
            Ok(NoteSignature { name, blob })
        })
        .collect::<Result<_>>()?;
    Ok(Opened { body, signatures })
}

/// The checkpoint a well-formed note carries, its signatures not checked.
pub fn unverified(note: &str) -> Result<Checkpoint> {
    parse_body(open(note)?.body)
}

/// The checkpoint lines of a note body (no signature check).
pub fn parse_body(body: &str) -> Result<Checkpoint> {
    let mut lines = body.lines();
    let origin = lines
        .next()
        .filter(|l| !l.is_empty())
        .ok_or_else(|| anyhow!("no origin line"))?;
    // ASCII decimal without leading zeros (C2SP tlog-checkpoint): one
    // size, one spelling.
    let size = lines
        .next()
        .filter(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()) && (*l == "0" || !l.starts_with('0')))
        .and_then(|l| l.parse().ok())
        .ok_or_else(|| anyhow!("no tree size line (ASCII decimal, no leading zeros)"))?;
    let root: [u8; 32] = lines
        .next()
        .and_then(|l| B64.decode(l).ok())
        .and_then(|r| r.try_into().ok())
        .ok_or_else(|| anyhow!("no base64 root hash line"))?;
    Ok(Checkpoint {
        origin: origin.to_string(),
        size,
        root,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_published_once_with_or_without_hard_links() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.key");
        let unsupported = |_: &std::path::Path, _: &std::path::Path| -> std::io::Result<()> {
            Err(std::io::Error::from_raw_os_error(1)) // EPERM, as vfat answers
        };
        publish_new(dir.path(), &path, b"first\n", unsupported).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"first\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // The second writer loses either way, and the key stays the first.
        let second = publish_new(dir.path(), &path, b"second\n", unsupported).unwrap_err();
        assert_eq!(second.kind(), std::io::ErrorKind::AlreadyExists);
        let linked = publish_new(dir.path(), &path, b"third\n", |a, b| std::fs::hard_link(a, b)).unwrap_err();
        assert_eq!(linked.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&path).unwrap(), b"first\n");
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["audit.key"]);
        // Another link error is not taken for a missing feature.
        let denied = |_: &std::path::Path, _: &std::path::Path| -> std::io::Result<()> {
            Err(std::io::Error::from_raw_os_error(13)) // EACCES
        };
        let other = dir.path().join("other.key");
        assert!(publish_new(dir.path(), &other, b"x", denied).is_err());
        assert!(!other.exists());
    }

    #[test]
    fn signs_and_verifies_round_trip() {
        let signer = NoteSigner::from_seed("fog.example/audit", [7u8; 32]).unwrap();
        let c = Checkpoint {
            origin: "fog.example/audit".into(),
            size: 42,
            root: [9u8; 32],
        };
        let note = signer.sign(&c);
        assert!(note.starts_with("fog.example/audit\n42\n"));
        assert_eq!(verify(&note, &signer.verifier_key()).unwrap(), c);
        // The signature as a verifier rebuilding the body checks it.
        let key = VerifierKey::parse(&signer.verifier_key()).unwrap();
        let signed = key.verify_signed(&note).unwrap();
        assert_eq!(signed.public_key, key.public_key());
        let sig = Signature::from_bytes(&signed.signature);
        assert!(VerifyingKey::from_bytes(&signed.public_key)
            .unwrap()
            .verify(c.body().as_bytes(), &sig)
            .is_ok());
        // A body with an extension line verifies as a note but cannot be
        // rebuilt from origin, size and root.
        let body = format!("{}extension\n", c.body());
        let extended = format!(
            "{body}\n\u{2014} {} {}\n",
            signer.name,
            B64.encode(
                [
                    key_id(&signer.name, &signer.key.verifying_key()).as_slice(),
                    &signer.key.sign(body.as_bytes()).to_bytes()
                ]
                .concat()
            )
        );
        assert!(key.verify(&extended).is_ok());
        assert!(key.verify_signed(&extended).is_err());
        // Tampering with the size breaks the signature.
        let forged = note.replacen("\n42\n", "\n43\n", 1);
        assert!(verify(&forged, &signer.verifier_key()).is_err());
        // Another key does not verify it.
        let other = NoteSigner::from_seed("fog.example/audit", [8u8; 32]).unwrap();
        assert!(verify(&note, &other.verifier_key()).is_err());
        // The private key format round-trips.
        let again = NoteSigner::parse(&signer.private_key_text(), "ignored").unwrap();
        assert_eq!(again.verifier_key(), signer.verifier_key());
        // Key ids are checked in both formats, in either case.
        let id = hex::encode(key_id(&signer.name, &signer.key.verifying_key()));
        let wrong = format!("{}{}", if id.starts_with('0') { '1' } else { '0' }, &id[1..]);
        let private = signer.private_key_text();
        assert!(NoteSigner::parse(&private.replacen(&id, &id.to_uppercase(), 1), "").is_ok());
        assert!(NoteSigner::parse(&private.replacen(&id, &wrong, 1), "").is_err());
        let public = signer.verifier_key();
        assert!(VerifierKey::parse(&public.replacen(&id, &id.to_uppercase(), 1)).is_ok());
        assert!(VerifierKey::parse(&public.replacen(&id, &wrong, 1)).is_err());
    }

    #[test]
    fn malformed_notes_are_refused_as_go_note_open_refuses_them() {
        let signer = NoteSigner::from_seed("fog.example/audit", [7u8; 32]).unwrap();
        let key = signer.verifier_key();
        let c = Checkpoint {
            origin: "fog.example/audit".into(),
            size: 42,
            root: [9u8; 32],
        };
        let note = signer.sign(&c);
        // Another key's signature line is well-formed and ignored.
        let other = NoteSigner::from_seed("fog.example/witness", [8u8; 32]).unwrap();
        let cosigned = format!("{note}{}", other.sign(&c).rsplit_once("\n\n").unwrap().1);
        assert_eq!(verify(&cosigned, &key).unwrap(), c);
        for (what, bad) in [
            (
                "a line that is no signature",
                note.replacen("\n\n\u{2014}", "\n\njunk\n\u{2014}", 1),
            ),
            (
                "a second blank line",
                note.replacen("\n\n\u{2014}", "\n\n\n\u{2014}", 1),
            ),
            ("no final newline", note.trim_end().to_string()),
            ("no signature line", format!("{}\n\n", c.body().trim_end())),
            ("a signature that is not base64", format!("{note}\u{2014} other !!!\n")),
            (
                "a signature too short for a key id",
                format!("{note}\u{2014} other AAAA\n"),
            ),
        ] {
            assert!(verify(&bad, &key).is_err(), "{what}: {bad:?}");
        }
    }

    #[test]
    fn a_signing_key_is_created_once_owner_only_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/audit.key");
        let (created, new) = load_or_create_signer(&path, "fog.test/log").unwrap();
        assert!(new);
        let (again, new) = load_or_create_signer(&path, "fog.test/log").unwrap();
        assert!(!new);
        assert_eq!(again.verifier_key(), created.verifier_key());
        let public = std::fs::read_to_string(dir.path().join("keys/audit.key.pub")).unwrap();
        assert_eq!(public.trim(), created.verifier_key());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Nothing left behind but the key and its verifier key.
        let mut names: Vec<String> = std::fs::read_dir(dir.path().join("keys"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["audit.key", "audit.key.pub"]);
        // A verifier key lost since is written again.
        std::fs::remove_file(dir.path().join("keys/audit.key.pub")).unwrap();
        load_or_create_signer(&path, "fog.test/log").unwrap();
        let again = std::fs::read_to_string(dir.path().join("keys/audit.key.pub")).unwrap();
        assert_eq!(again.trim(), created.verifier_key());
        std::fs::write(&path, "not a key\n").unwrap();
        let err = load_or_create_signer(&path, "fog.test/log").err().unwrap();
        assert!(
            format!("{err:#}").contains("is not a checkpoint signing key"),
            "{err:#}"
        );
    }

    #[test]
    fn a_tree_size_has_one_spelling() {
        let root = B64.encode([9u8; 32]);
        assert_eq!(parse_body(&format!("o\n42\n{root}\n")).unwrap().size, 42);
        assert_eq!(parse_body(&format!("o\n0\n{root}\n")).unwrap().size, 0);
        for size in ["042", "+42", "-1", "", "4 2", "18446744073709551616"] {
            assert!(parse_body(&format!("o\n{size}\n{root}\n")).is_err(), "{size:?}");
        }
    }
}
