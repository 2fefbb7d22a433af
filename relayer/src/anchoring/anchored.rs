//! Reading back what was anchored, for verifiers: every checkpoint the
//! CosmWasm audit-anchor holds for a log, and every `Anchored` event of the
//! EVM AuditAnchor.

use anyhow::{anyhow, Context as _, Result};
use fog_audit_anchor::msg::{CheckpointsResponse, LogResponse, QueryMsg};
use fog_merkle::Hash;

use crate::chain::ChainClient;
use crate::deployment::Deployment;
use crate::evm::{Address, EvmAnchor};

/// One anchored checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AnchoredRoot {
    /// `cosmwasm:<contract>` or `evm:<chain id>:<contract>`.
    pub chain: String,
    pub size: u64,
    #[serde(with = "hex_hash")]
    pub root: Hash,
}

mod hex_hash {
    pub fn serialize<S: serde::Serializer>(h: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(h))
    }
}

/// Every checkpoint of `origin` anchored on the CosmWasm chain, by size.
pub async fn cosmwasm(client: &ChainClient, contract: &str, origin: &str) -> Result<Vec<AnchoredRoot>> {
    let mut out = Vec::new();
    let mut start_after = None;
    loop {
        let page: CheckpointsResponse = client
            .query(
                contract,
                &QueryMsg::Checkpoints {
                    origin: origin.to_string(),
                    start_after,
                    limit: Some(100),
                },
            )
            .await
            .with_context(|| format!("reading the checkpoints of {origin} from {contract}"))?;
        let Some(last) = page.checkpoints.last() else {
            return Ok(out);
        };
        start_after = Some(last.size);
        for c in &page.checkpoints {
            out.push(AnchoredRoot {
                chain: format!("cosmwasm:{contract}"),
                size: c.size,
                root: c
                    .root
                    .as_slice()
                    .try_into()
                    .map_err(|_| anyhow!("checkpoint {} has a root of the wrong length", c.size))?,
            });
        }
    }
}

/// The verifier key of `origin`'s checkpoints, from the Ed25519 key the
/// CosmWasm audit anchor checks them with; `None` when it checks none.
pub async fn cosmwasm_log_key(client: &ChainClient, contract: &str, origin: &str) -> Result<Option<String>> {
    let log: LogResponse = client
        .query(
            contract,
            &QueryMsg::Log {
                origin: origin.to_string(),
            },
        )
        .await
        .with_context(|| format!("reading the log {origin} from {contract}"))?;
    log.public_key
        .map(|k| crate::note::verifier_key_of(origin, k.as_slice()))
        .transpose()
}

/// Every `Anchored` event of the EVM AuditAnchor at `contract`, when it
/// anchors `origin`; none when it anchors another log (its `origin()`), so
/// one log is never held against another's roots.
pub async fn evm(rpc: &str, contract: &str, from_block: u64, chain_id: u64, origin: &str) -> Result<Vec<AnchoredRoot>> {
    let address: Address = contract.parse().with_context(|| format!("EVM address {contract:?}"))?;
    let anchor = EvmAnchor::read_only(rpc, address).await?;
    if anchor.origin().await? != origin {
        return Ok(Vec::new());
    }
    Ok(anchor
        .anchored(from_block)
        .await?
        .into_iter()
        .map(|a| AnchoredRoot {
            chain: format!("evm:{chain_id}:{address}"),
            size: a.size,
            root: a.root,
        })
        .collect())
}

/// Both chains of a deployment (the EVM one when it has one).
pub async fn all(deployment: &Deployment, origin: &str) -> Result<Vec<AnchoredRoot>> {
    let client = ChainClient::new(deployment.client_profile());
    let mut roots = cosmwasm(&client, &deployment.contracts.audit_anchor, origin).await?;
    if let Some(e) = &deployment.evm {
        roots.extend(evm(&e.rpc, &e.audit_anchor, e.deployed_at_block, e.chain_id, origin).await?);
    }
    Ok(roots)
}
