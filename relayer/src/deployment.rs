//! The deployment manifest: where a fog deployment lives on a chain. `fog
//! devnet up` writes it; the `fog` command, the relayer, the indexer and the
//! end-to-end tests read it.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::chain::{ChainError, ChainProfile};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deployment {
    pub chain_id: String,
    /// The chain profile (see `relayer/profiles/`).
    pub profile: ChainProfile,
    pub rpc: String,
    pub rest: String,
    pub grpc: String,
    /// Stored code per contract artifact (e.g. `fog_ve`).
    pub codes: BTreeMap<String, Code>,
    pub contracts: Contracts,
    /// Named accounts (the devnet's dev accounts).
    pub accounts: BTreeMap<String, Account>,
    /// Height at which the deployment finished.
    pub deployed_at_height: u64,
    /// Gas used by each deployment transaction (store_<artifact>,
    /// instantiate_<contract>, setup, handover).
    #[serde(default)]
    pub deploy_gas: BTreeMap<String, u64>,
    /// The origin (first checkpoint line) of the audit log anchored by the
    /// audit-anchor contract.
    #[serde(default)]
    pub audit_origin: Option<String>,
    /// The EVM side: where the audit log is anchored too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evm: Option<EvmDeployment>,
}

/// The AuditAnchor contract on an EVM chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvmDeployment {
    pub rpc: String,
    pub chain_id: u64,
    /// AuditAnchor's address, 0x-hex.
    pub audit_anchor: String,
    /// The contract's owner (the deployer).
    pub owner: String,
    /// The relayer's account, allowed to anchor.
    pub submitter: String,
    /// Block of the deployment: where to start reading `Anchored` events.
    pub deployed_at_block: u64,
    pub deploy_gas: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Code {
    pub code_id: u64,
    /// sha256 of the wasm, hex.
    pub checksum: String,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contracts {
    pub token: String,
    pub ve: String,
    pub governance: String,
    pub release_gate: String,
    pub audit_anchor: String,
    pub registry: String,
}

impl Contracts {
    pub fn all(&self) -> [(&'static str, &str); 6] {
        [
            ("token", &self.token),
            ("ve", &self.ve),
            ("governance", &self.governance),
            ("release_gate", &self.release_gate),
            ("audit_anchor", &self.audit_anchor),
            ("registry", &self.registry),
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub address: String,
    pub key_type: crate::chain::KeyType,
    /// What the account is for.
    pub role: String,
}

impl Deployment {
    /// The chain profile with the manifest's own endpoints (`rpc`, `rest`),
    /// which are what an operator edits to point fog at another node.
    pub fn client_profile(&self) -> ChainProfile {
        let mut profile = self.profile.clone();
        profile.rest = self.rest.clone();
        profile.rpc = self.rpc.clone();
        profile
    }

    pub fn load(path: &Path) -> Result<Self, ChainError> {
        let text = std::fs::read_to_string(path).map_err(|e| ChainError::Config {
            message: format!(
                "no deployment manifest at {} ({e}); run `fog devnet up` or pass --deployment",
                path.display()
            ),
        })?;
        serde_json::from_str(&text).map_err(|e| ChainError::Config {
            message: format!("{} is not a fog deployment manifest: {e}", path.display()),
        })
    }

    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, serde_json::to_string_pretty(self)? + "\n")
    }
}
