//! The log's own signature over a checkpoint: the Ed25519 signature of its
//! C2SP signed note, checked against the key the owner registered, so an
//! anchored root is one the log signed and not only one a submitter sent.

use cosmwasm_std::{Api, Binary, HexBinary};

use crate::error::ContractError;

pub const PUBLIC_KEY_LEN: usize = 32;
pub const SIGNATURE_LEN: usize = 64;

/// A log key as stored, refused unless it is 32 bytes. (An Ed25519 key
/// that is no curve point cannot be told from one here: it only makes
/// every signature fail, which the owner sees at the next checkpoint.)
pub fn public_key(key: Option<HexBinary>) -> Result<Option<Binary>, ContractError> {
    match key {
        Some(k) if k.len() != PUBLIC_KEY_LEN => Err(ContractError::InvalidPublicKeyLength { length: k.len() }),
        Some(k) => Ok(Some(Binary::from(k.as_slice()))),
        None => Ok(None),
    }
}

/// The text a log signs for a checkpoint (C2SP tlog-checkpoint with no
/// extension lines): origin, size in decimal and the root in base64, each
/// followed by a newline.
pub fn note_body(origin: &str, size: u64, root: &[u8]) -> String {
    format!("{origin}\n{size}\n{}\n", Binary::from(root).to_base64())
}

/// Checks `signature` against the log's `key`: required when the log has a
/// key, refused when it has none.
pub fn check(
    api: &dyn Api,
    key: Option<&Binary>,
    signature: Option<&HexBinary>,
    origin: &str,
    size: u64,
    root: &[u8],
) -> Result<(), ContractError> {
    let (key, signature) = match (key, signature) {
        (None, None) => return Ok(()),
        (None, Some(_)) => {
            return Err(ContractError::SignatureWithoutKey {
                origin: origin.to_string(),
            })
        }
        (Some(_), None) => {
            return Err(ContractError::SignatureMissing {
                origin: origin.to_string(),
            })
        }
        (Some(k), Some(s)) => (k, s),
    };
    if signature.len() != SIGNATURE_LEN {
        return Err(ContractError::InvalidSignatureLength {
            length: signature.len(),
        });
    }
    let body = note_body(origin, size, root);
    // Lengths are checked above, so an error here is as much a refusal as
    // `false`.
    if api.ed25519_verify(body.as_bytes(), signature, key).unwrap_or(false) {
        Ok(())
    } else {
        Err(ContractError::InvalidSignature {
            origin: origin.to_string(),
            size,
        })
    }
}
