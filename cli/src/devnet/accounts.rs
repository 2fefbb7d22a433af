//! The devnet's named accounts. Their mnemonics derive from public entropy,
//! `sha256("fog-devnet/<name>")`: anyone can recompute them, which is what a
//! development chain wants and why they must never hold value elsewhere.

use fog_relayer::chain::{ChainProfile, KeyType, PrivateKey, Signer};
use sha2::{Digest, Sha256};

/// The keystore password of the devnet's accounts (they are public anyway).
pub const DEVNET_PASSWORD: &str = "devnet";
/// Native tokens each account starts with: 1,000,000 INJ (18 decimals).
pub const NATIVE_BALANCE: u128 = 1_000_000 * 10u128.pow(18);
/// The validator's native tokens and self-delegation.
pub const VALIDATOR_BALANCE: u128 = 1_000_000_000 * 10u128.pow(18);
pub const VALIDATOR_STAKE: u128 = 1_000_000 * 10u128.pow(18);

pub struct DevAccount {
    pub name: &'static str,
    pub role: &'static str,
    pub key_type: KeyType,
    /// Whole FOG at token instantiation.
    pub fog: u128,
}

pub const ACCOUNTS: &[DevAccount] = &[
    DevAccount {
        name: "validator",
        role: "the single validator",
        key_type: KeyType::EthSecp256k1,
        fog: 0,
    },
    DevAccount {
        name: "deployer",
        role: "deploys and wires the contracts",
        key_type: KeyType::EthSecp256k1,
        fog: 82_560_000,
    },
    DevAccount {
        name: "alice",
        role: "voter; release gate: ml_engineers (requests releases)",
        key_type: KeyType::EthSecp256k1,
        fog: 4_000_000,
    },
    DevAccount {
        name: "bob",
        role: "voter",
        key_type: KeyType::EthSecp256k1,
        fog: 3_000_000,
    },
    DevAccount {
        name: "carol",
        role: "voter",
        key_type: KeyType::EthSecp256k1,
        fog: 2_000_000,
    },
    DevAccount {
        name: "dave",
        role: "voter and registered delegate",
        key_type: KeyType::EthSecp256k1,
        fog: 1_000_000,
    },
    DevAccount {
        name: "erin",
        role: "voter with a plain secp256k1 (coin type 118) key",
        key_type: KeyType::Secp256k1,
        fog: 1_000_000,
    },
    DevAccount {
        name: "developer",
        role: "release gate: senior_developers",
        key_type: KeyType::EthSecp256k1,
        fog: 100_000,
    },
    DevAccount {
        name: "risk",
        role: "release gate: risk_managers",
        key_type: KeyType::EthSecp256k1,
        fog: 100_000,
    },
    DevAccount {
        name: "officer",
        role: "compliance officer in the registry",
        key_type: KeyType::EthSecp256k1,
        fog: 0,
    },
    DevAccount {
        name: "relayer",
        role: "submits audit-log checkpoints",
        key_type: KeyType::EthSecp256k1,
        fog: 0,
    },
    // The cast of the compliance scenario (tests/e2e/compliance.rs): each
    // plays one pattern the rules watch for, or its near miss.
    DevAccount {
        name: "smurf",
        role: "compliance scenario: structures transfers just under the threshold",
        key_type: KeyType::EthSecp256k1,
        fog: 300_000,
    },
    DevAccount {
        name: "careful",
        role: "compliance scenario: KYC tier 1, transfers near the threshold (near misses)",
        key_type: KeyType::EthSecp256k1,
        fog: 300_000,
    },
    DevAccount {
        name: "whale",
        role: "compliance scenario: moves 1,000,000 FOG within an hour; release gate: ml_engineers",
        key_type: KeyType::EthSecp256k1,
        fog: 1_100_000,
    },
    DevAccount {
        name: "steady",
        role: "compliance scenario: moves just under 1,000,000 FOG within an hour",
        key_type: KeyType::EthSecp256k1,
        fog: 1_100_000,
    },
    DevAccount {
        name: "mule",
        role: "compliance scenario: receives structured transfers",
        key_type: KeyType::EthSecp256k1,
        fog: 0,
    },
    DevAccount {
        name: "mallory",
        role: "compliance scenario: on the scenario's sanctions list",
        key_type: KeyType::EthSecp256k1,
        fog: 0,
    },
    DevAccount {
        name: "shady",
        role: "compliance scenario: flagged as sanctioned in the registry",
        key_type: KeyType::EthSecp256k1,
        fog: 0,
    },
    DevAccount {
        name: "kingmaker",
        role: "compliance scenario: holds most of a proposal's cast power",
        key_type: KeyType::EthSecp256k1,
        fog: 2_100_000,
    },
    DevAccount {
        name: "backer",
        role: "compliance scenario: voter",
        key_type: KeyType::EthSecp256k1,
        fog: 700_000,
    },
    DevAccount {
        name: "delegator",
        role: "compliance scenario: delegates a large lock to a new delegate",
        key_type: KeyType::EthSecp256k1,
        fog: 600_000,
    },
    DevAccount {
        name: "newcomer",
        role: "compliance scenario: a new delegate casting a large delegated vote",
        key_type: KeyType::EthSecp256k1,
        fog: 0,
    },
    DevAccount {
        name: "guide",
        role: "compliance scenario: a delegate with little delegated power",
        key_type: KeyType::EthSecp256k1,
        fog: 20_000,
    },
    DevAccount {
        name: "minnow",
        role: "compliance scenario: delegates a small lock",
        key_type: KeyType::EthSecp256k1,
        fog: 20_000,
    },
];

pub fn mnemonic(name: &str) -> String {
    let entropy = Sha256::digest(format!("fog-devnet/{name}").as_bytes());
    bip39_from_entropy(&entropy)
}

fn bip39_from_entropy(entropy: &[u8]) -> String {
    // 32 bytes of entropy: a 24-word mnemonic.
    fog_relayer::chain::mnemonic_from_entropy(entropy)
}

impl DevAccount {
    pub fn key(&self) -> PrivateKey {
        PrivateKey::from_mnemonic(
            &mnemonic(self.name),
            self.key_type,
            self.key_type.default_coin_type(),
            0,
        )
        .expect("devnet mnemonics are valid")
    }

    pub fn signer(&self, profile: &ChainProfile) -> Signer {
        Signer::new(self.key(), profile).expect("devnet keys have addresses")
    }
}

pub fn account(name: &str) -> &'static DevAccount {
    ACCOUNTS
        .iter()
        .find(|a| a.name == name)
        .expect("a known devnet account")
}
