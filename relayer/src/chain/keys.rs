//! Account keys from BIP-39 mnemonics, for Cosmos (`secp256k1`, coin type
//! 118) and Injective (`eth_secp256k1`, coin type 60) accounts.
//!
//! The two differ in three places: the public key's protobuf type
//! (`/cosmos.crypto.secp256k1.PubKey` or
//! `/injective.crypto.v1beta1.ethsecp256k1.PubKey`, both with the compressed
//! key), the hash that is signed (SHA-256 or Keccak-256 of the sign bytes),
//! and the address (RIPEMD-160 of SHA-256 of the compressed key, or the last
//! 20 bytes of Keccak-256 of the uncompressed key).

use cosmrs::bip32::{DerivationPath, XPrv};
use cosmrs::proto::Any;
use k256::ecdsa::signature::hazmat::PrehashSigner;
use k256::ecdsa::{Signature, SigningKey};
use prost::Message;
use serde::{Deserialize, Serialize};
use sha3::{Digest, Keccak256};

use super::error::ChainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyType {
    Secp256k1,
    EthSecp256k1,
}

impl KeyType {
    pub fn as_str(&self) -> &'static str {
        match self {
            KeyType::Secp256k1 => "secp256k1",
            KeyType::EthSecp256k1 => "eth_secp256k1",
        }
    }

    /// The coin type such keys usually derive with.
    pub fn default_coin_type(&self) -> u32 {
        match self {
            KeyType::Secp256k1 => 118,
            KeyType::EthSecp256k1 => 60,
        }
    }

    fn pubkey_type_url(&self) -> &'static str {
        match self {
            KeyType::Secp256k1 => "/cosmos.crypto.secp256k1.PubKey",
            KeyType::EthSecp256k1 => "/injective.crypto.v1beta1.ethsecp256k1.PubKey",
        }
    }
}

impl std::str::FromStr for KeyType {
    type Err = ChainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "secp256k1" => Ok(KeyType::Secp256k1),
            "eth_secp256k1" | "ethsecp256k1" => Ok(KeyType::EthSecp256k1),
            other => Err(ChainError::Config {
                message: format!("unknown key type {other:?} (secp256k1 or eth_secp256k1)"),
            }),
        }
    }
}

/// Both public-key messages have the same shape: `bytes key = 1`.
#[derive(Clone, PartialEq, prost::Message)]
struct PubKeyProto {
    #[prost(bytes = "vec", tag = "1")]
    key: Vec<u8>,
}

/// A private key able to sign transactions for one account.
#[derive(Clone)]
pub struct PrivateKey {
    key_type: KeyType,
    signing: SigningKey,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PrivateKey({}, {})",
            self.key_type.as_str(),
            hex::encode(self.public_key())
        )
    }
}

/// Checks a BIP-39 phrase (English word list, valid checksum).
pub fn parse_mnemonic(phrase: &str) -> Result<bip39::Mnemonic, ChainError> {
    bip39::Mnemonic::parse_normalized(phrase.trim()).map_err(|e| ChainError::Key {
        message: format!("invalid mnemonic: {e}"),
    })
}

/// The mnemonic of `entropy` (16 to 32 bytes, a multiple of 4).
pub fn mnemonic_from_entropy(entropy: &[u8]) -> String {
    bip39::Mnemonic::from_entropy(entropy)
        .expect("entropy of a valid length")
        .to_string()
}

/// A new random 24-word mnemonic.
pub fn generate_mnemonic() -> String {
    bip39::Mnemonic::generate(24)
        .expect("24 is a valid BIP-39 word count")
        .to_string()
}

impl PrivateKey {
    /// Derives the key at `m/44'/{coin_type}'/0'/0/{index}`.
    pub fn from_mnemonic(phrase: &str, key_type: KeyType, coin_type: u32, index: u32) -> Result<Self, ChainError> {
        let seed = parse_mnemonic(phrase)?.to_seed("");
        let path: DerivationPath = format!("m/44'/{coin_type}'/0'/0/{index}")
            .parse()
            .map_err(|e| ChainError::Key {
                message: format!("derivation path: {e}"),
            })?;
        let xprv = XPrv::derive_from_path(seed, &path).map_err(|e| ChainError::Key {
            message: format!("key derivation: {e}"),
        })?;
        Ok(Self {
            key_type,
            signing: xprv.private_key().clone(),
        })
    }

    pub fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// The compressed public key (33 bytes).
    pub fn public_key(&self) -> Vec<u8> {
        self.signing.verifying_key().to_encoded_point(true).as_bytes().to_vec()
    }

    /// The account address in bech32 with `prefix`.
    pub fn address(&self, prefix: &str) -> Result<String, ChainError> {
        address_of(self.signing.verifying_key(), self.key_type, prefix)
    }

    /// The public key as the transaction's signer info carries it.
    pub fn public_key_any(&self) -> Any {
        Any {
            type_url: self.key_type.pubkey_type_url().to_string(),
            value: PubKeyProto { key: self.public_key() }.encode_to_vec(),
        }
    }

    /// Signs `sign_bytes`: 64 bytes `r || s` (low-S) over SHA-256 or
    /// Keccak-256 of them, as the key type requires.
    pub fn sign(&self, sign_bytes: &[u8]) -> Result<Vec<u8>, ChainError> {
        let digest: [u8; 32] = match self.key_type {
            KeyType::Secp256k1 => sha2_256(sign_bytes),
            KeyType::EthSecp256k1 => Keccak256::digest(sign_bytes).into(),
        };
        let sig: Signature = self.signing.sign_prehash(&digest).map_err(|e| ChainError::Key {
            message: format!("signing: {e}"),
        })?;
        let sig = sig.normalize_s().unwrap_or(sig);
        Ok(sig.to_bytes().to_vec())
    }
}

/// The address of a public key (compressed or not) of `key_type`.
pub fn address_from_public_key(public_key: &[u8], key_type: KeyType, prefix: &str) -> Result<String, ChainError> {
    let vk = k256::ecdsa::VerifyingKey::from_sec1_bytes(public_key).map_err(|e| ChainError::Key {
        message: format!("invalid public key: {e}"),
    })?;
    address_of(&vk, key_type, prefix)
}

fn address_of(vk: &k256::ecdsa::VerifyingKey, key_type: KeyType, prefix: &str) -> Result<String, ChainError> {
    let raw: Vec<u8> = match key_type {
        KeyType::Secp256k1 => {
            let pk = cosmrs::crypto::PublicKey::from(*vk);
            return pk
                .account_id(prefix)
                .map(|a| a.to_string())
                .map_err(|e| ChainError::Key { message: e.to_string() });
        }
        KeyType::EthSecp256k1 => {
            let uncompressed = vk.to_encoded_point(false);
            Keccak256::digest(&uncompressed.as_bytes()[1..])[12..].to_vec()
        }
    };
    cosmrs::AccountId::new(prefix, &raw)
        .map(|a| a.to_string())
        .map_err(|e| ChainError::Key { message: e.to_string() })
}

fn sha2_256(data: &[u8]) -> [u8; 32] {
    use k256::sha2::{Digest as _, Sha256};
    Sha256::digest(data).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MNEMONIC: &str =
        "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

    #[test]
    fn cosmos_address_of_the_standard_test_mnemonic() {
        // Well known: the "abandon ... about" mnemonic at m/44'/118'/0'/0/0.
        let k = PrivateKey::from_mnemonic(MNEMONIC, KeyType::Secp256k1, 118, 0).unwrap();
        assert_eq!(
            k.address("cosmos").unwrap(),
            "cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4"
        );
    }

    #[test]
    fn ethereum_address_of_the_standard_test_mnemonic() {
        // m/44'/60'/0'/0/0 of "abandon ... about" is Ethereum's
        // 0x9858EfFD232B4033E47d90003D41EC34EcaEda94.
        let k = PrivateKey::from_mnemonic(MNEMONIC, KeyType::EthSecp256k1, 60, 0).unwrap();
        let addr = k.address("inj").unwrap();
        let (_, data) = bech32_decode(&addr);
        assert_eq!(hex::encode(data), "9858effd232b4033e47d90003d41ec34ecaeda94");
    }

    fn bech32_decode(a: &str) -> (String, Vec<u8>) {
        let id: cosmrs::AccountId = a.parse().unwrap();
        (id.prefix().to_string(), id.to_bytes())
    }

    #[test]
    fn signatures_verify_with_the_right_hash() {
        use k256::ecdsa::signature::hazmat::PrehashVerifier;
        for kt in [KeyType::Secp256k1, KeyType::EthSecp256k1] {
            let k = PrivateKey::from_mnemonic(MNEMONIC, kt, kt.default_coin_type(), 0).unwrap();
            let sig = Signature::from_slice(&k.sign(b"hello").unwrap()).unwrap();
            let digest: [u8; 32] = match kt {
                KeyType::Secp256k1 => sha2_256(b"hello"),
                KeyType::EthSecp256k1 => Keccak256::digest(b"hello").into(),
            };
            k.signing.verifying_key().verify_prehash(&digest, &sig).unwrap();
            assert!(sig.normalize_s().is_none(), "low-S");
        }
    }

    #[test]
    fn bad_mnemonics_are_refused() {
        assert!(PrivateKey::from_mnemonic("abandon abandon", KeyType::Secp256k1, 118, 0).is_err());
        assert!(PrivateKey::from_mnemonic(&MNEMONIC.replace("about", "abandon"), KeyType::Secp256k1, 118, 0).is_err());
    }
}
