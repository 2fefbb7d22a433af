//! Stores and instantiates every contract, wired together, and hands each
//! to the DAO: the FOG token (minter: governance), veFOG, governance (holding
//! the treasury), the release gate (groups and a policy set up), the audit
//! anchor (a log with the relayer as submitter) and the registry (an
//! officer). Governance becomes the wasm admin of all of them, so protocol
//! upgrades go through proposals.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use cosmwasm_std::{to_json_binary, HexBinary, Uint128};
use fog_governance::msg::{Asset, InstantiateMsg as GovInit};
use fog_governance::state::{KindRules, LateQuorum, ProposalKind, SpendLimit};
use fog_relayer::chain::ChainClient;
use fog_relayer::deployment::{Account, Code, Contracts, Deployment};
use fog_token::ONE_FOG;
use sha2::{Digest, Sha256};

use super::accounts::{self, ACCOUNTS};
use crate::progress::Steps;

/// The artifacts, in deployment order.
pub const ARTIFACTS: [&str; 6] = [
    "fog_token",
    "fog_registry",
    "fog_ve",
    "fog_release_gate",
    "fog_audit_anchor",
    "fog_governance",
];

/// The audit log the relayer anchors.
pub const AUDIT_ORIGIN: &str = "fog.local/audit";

fn fog(whole: u128) -> Uint128 {
    Uint128::new(whole * ONE_FOG)
}

/// Devnet governance: the default quorums and thresholds, with periods
/// short enough to watch a proposal live (seconds, on ~0.2 s blocks).
pub fn devnet_rules() -> Vec<KindRules> {
    ProposalKind::ALL
        .iter()
        .map(|kind| {
            let d = fog_governance::config::default_rules(*kind);
            let (voting_period, timelock) = match kind {
                ProposalKind::Emergency => (20, 0),
                ProposalKind::Text => (30, 0),
                _ => (30, 10),
            };
            KindRules {
                voting_period,
                timelock,
                ..d
            }
        })
        .collect()
}

/// Stores and instantiates fog's contracts, wires them and hands them to
/// governance; `audit_key` is the Ed25519 key the audit log's checkpoints
/// are signed with.
pub async fn deploy(
    client: &ChainClient,
    artifacts: &Path,
    audit_key: [u8; 32],
    steps: &mut Steps,
) -> Result<Deployment> {
    let profile = &client.profile;
    let deployer = accounts::account("deployer").signer(profile);
    let addr = |name: &str| -> Result<String> { Ok(accounts::account(name).key().address(&profile.bech32_prefix)?) };

    let mut codes = BTreeMap::new();
    let mut gas: BTreeMap<String, u64> = BTreeMap::new();
    for name in ARTIFACTS {
        steps.next(&format!("storing {name}.wasm"));
        let path = artifacts.join(format!("{name}.wasm"));
        let wasm = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let (code_id, tx) = client.store_code(&deployer, &wasm).await?;
        gas.insert(format!("store_{name}"), tx.gas_used);
        codes.insert(
            name.to_string(),
            Code {
                code_id,
                checksum: hex::encode(Sha256::digest(&wasm)),
                size: wasm.len() as u64,
            },
        );
    }
    let code = |name: &str| codes[name].code_id;
    let me = deployer.address.clone();

    steps.next("instantiating the FOG token");
    let mut balances: Vec<cw20::Cw20Coin> = Vec::new();
    for a in ACCOUNTS.iter().filter(|a| a.fog > 0) {
        balances.push(cw20::Cw20Coin {
            address: addr(a.name)?,
            amount: fog(a.fog),
        });
    }
    let (token, tx) = client
        .instantiate(
            &deployer,
            code("fog_token"),
            &cw20_base::msg::InstantiateMsg {
                name: "fog".into(),
                symbol: "FOG".into(),
                decimals: fog_token::DECIMALS,
                initial_balances: balances,
                mint: Some(cw20::MinterResponse {
                    minter: me.clone(),
                    cap: Some(fog_token::CAP),
                }),
                marketing: None,
            },
            "FOG",
            Some(&me),
        )
        .await?;
    gas.insert("instantiate_token".into(), tx.gas_used);

    steps.next("instantiating the registry");
    let (registry, tx) = client
        .instantiate(
            &deployer,
            code("fog_registry"),
            &fog_registry::msg::InstantiateMsg { owner: me.clone() },
            "fog registry",
            Some(&me),
        )
        .await?;
    gas.insert("instantiate_registry".into(), tx.gas_used);

    steps.next("instantiating veFOG");
    let (ve, tx) = client
        .instantiate(
            &deployer,
            code("fog_ve"),
            &fog_ve::msg::InstantiateMsg {
                owner: me.clone(),
                token: token.clone(),
                registry: Some(registry.clone()),
                tiers: None,
            },
            "veFOG",
            Some(&me),
        )
        .await?;
    gas.insert("instantiate_ve".into(), tx.gas_used);

    steps.next("instantiating the release gate and the audit anchor");
    let (release_gate, tx) = client
        .instantiate(
            &deployer,
            code("fog_release_gate"),
            &fog_release_gate::msg::InstantiateMsg { owner: me.clone() },
            "fog release gate",
            Some(&me),
        )
        .await?;
    gas.insert("instantiate_release_gate".into(), tx.gas_used);
    let (audit_anchor, tx) = client
        .instantiate(
            &deployer,
            code("fog_audit_anchor"),
            &fog_audit_anchor::msg::InstantiateMsg { owner: me.clone() },
            "fog audit anchor",
            Some(&me),
        )
        .await?;
    gas.insert("instantiate_audit_anchor".into(), tx.gas_used);

    steps.next("instantiating governance");
    let gov_msg = GovInit {
        ve: ve.clone(),
        token: token.clone(),
        registry: Some(registry.clone()),
        guardian: Some(me.clone()),
        validators: vec![addr("validator")?],
        deposit: fog(100),
        min_proposer_power: fog(1),
        proposer_min_kyc_tier: None,
        quadratic_min_kyc_tier: 1,
        max_vote_share_bps: None,
        late_quorum: Some(LateQuorum {
            window: 5,
            extension: 10,
        }),
        rules: devnet_rules(),
        spend_limits: vec![SpendLimit {
            asset: Asset::Cw20(token.clone()),
            amount: fog(5_000_000),
        }],
        spend_period: 30 * 86_400,
        max_options: 10,
        max_ranks: 3,
        managed_contracts: vec![
            token.clone(),
            ve.clone(),
            release_gate.clone(),
            audit_anchor.clone(),
            registry.clone(),
        ],
    };
    let (governance, tx) = client
        .instantiate(&deployer, code("fog_governance"), &gov_msg, "fog governance", Some(&me))
        .await?;
    gas.insert("instantiate_governance".into(), tx.gas_used);

    steps.next("setting up groups, officers, the audit log and the reward pool");
    let gate = |msg: fog_release_gate::msg::ExecuteMsg| client.execute_msg(&deployer, &release_gate, &msg, &[]);
    use fog_release_gate::msg::ExecuteMsg as G;
    let setup = vec![
        gate(G::CreateGroup {
            name: "senior_developers".into(),
        })?,
        gate(G::CreateGroup {
            name: "risk_managers".into(),
        })?,
        gate(G::CreateGroup {
            name: "ml_engineers".into(),
        })?,
        gate(G::AddMember {
            group: "senior_developers".into(),
            address: addr("developer")?,
        })?,
        gate(G::AddMember {
            group: "risk_managers".into(),
            address: addr("risk")?,
        })?,
        gate(G::AddMember {
            group: "ml_engineers".into(),
            address: addr("alice")?,
        })?,
        gate(G::AddMember {
            group: "ml_engineers".into(),
            address: addr("whale")?,
        })?,
        gate(G::SetPolicy {
            artifact_type: "MODEL_DEPLOYMENT".into(),
            min_approvals: 2,
            required_groups: vec!["senior_developers".into(), "risk_managers".into()],
            expiry_seconds: 7 * 86_400,
            revoker_groups: None,
            // Only the people who build models may ask for a release, so
            // nobody else can hold an artifact's sha256 with a request.
            requester_groups: Some(vec!["ml_engineers".into()]),
        })?,
        client.execute_msg(
            &deployer,
            &registry,
            &fog_registry::msg::ExecuteMsg::AddOfficer {
                address: addr("officer")?,
            },
            &[],
        )?,
        // The relayer submits the remediations officers confirm.
        client.execute_msg(
            &deployer,
            &registry,
            &fog_registry::msg::ExecuteMsg::AddOfficer {
                address: addr("relayer")?,
            },
            &[],
        )?,
        client.execute_msg(
            &deployer,
            &audit_anchor,
            &fog_audit_anchor::msg::ExecuteMsg::CreateLog {
                origin: AUDIT_ORIGIN.into(),
                submitters: vec![addr("relayer")?],
                public_key: Some(HexBinary::from(audit_key.as_slice())),
            },
            &[],
        )?,
        client.execute_msg(
            &deployer,
            &token,
            &cw20::Cw20ExecuteMsg::Send {
                contract: ve.clone(),
                amount: fog(5_000_000),
                msg: to_json_binary(&fog_ve::msg::ReceiveMsg::FundRewards {})?,
            },
            &[],
        )?,
        client.execute_msg(
            &deployer,
            &token,
            &cw20::Cw20ExecuteMsg::Transfer {
                recipient: governance.clone(),
                amount: fog(75_000_000),
            },
            &[],
        )?,
    ];
    let tx = client.send_tx(&deployer, setup, "fog devnet: setup").await?;
    gas.insert("setup".into(), tx.gas_used);

    steps.next("handing every contract to governance");
    let mut handover = vec![
        client.execute_msg(
            &deployer,
            &token,
            &cw20::Cw20ExecuteMsg::UpdateMinter {
                new_minter: Some(governance.clone()),
            },
            &[],
        )?,
        client.execute_msg(
            &deployer,
            &ve,
            &fog_ve::msg::ExecuteMsg::UpdateConfig {
                owner: Some(governance.clone()),
                registry: None,
                remove_registry: None,
                tiers: None,
            },
            &[],
        )?,
        client.execute_msg(
            &deployer,
            &release_gate,
            &fog_release_gate::msg::ExecuteMsg::UpdateOwner {
                owner: governance.clone(),
            },
            &[],
        )?,
        client.execute_msg(
            &deployer,
            &audit_anchor,
            &fog_audit_anchor::msg::ExecuteMsg::UpdateOwner {
                owner: governance.clone(),
            },
            &[],
        )?,
        client.execute_msg(
            &deployer,
            &registry,
            &fog_registry::msg::ExecuteMsg::UpdateOwner {
                owner: governance.clone(),
            },
            &[],
        )?,
    ];
    for contract in [&token, &registry, &ve, &release_gate, &audit_anchor, &governance] {
        handover.push(client.update_admin_msg(&deployer, contract, &governance));
    }
    let tx = client
        .send_tx(&deployer, handover, "fog devnet: hand over to governance")
        .await?;
    gas.insert("handover".into(), tx.gas_used);

    let accounts = ACCOUNTS
        .iter()
        .map(|a| {
            Ok((
                a.name.to_string(),
                Account {
                    address: addr(a.name)?,
                    key_type: a.key_type,
                    role: a.role.to_string(),
                },
            ))
        })
        .collect::<Result<_>>()?;
    Ok(Deployment {
        chain_id: profile.chain_id.clone(),
        profile: profile.clone(),
        rpc: profile.rpc.clone(),
        rest: profile.rest.clone(),
        grpc: profile.grpc.clone(),
        codes,
        contracts: Contracts {
            token,
            ve,
            governance,
            release_gate,
            audit_anchor,
            registry,
        },
        accounts,
        deployed_at_height: tx.height,
        deploy_gas: gas,
        audit_origin: Some(AUDIT_ORIGIN.to_string()),
        evm: None,
    })
}

/// The artifacts' checksums as `checksums.txt` lists them, verified against
/// the files; `None` when a file is missing or does not match.
pub fn verified_artifacts(dir: &Path) -> Option<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(dir.join("checksums.txt")).ok()?;
    let mut sums = BTreeMap::new();
    for line in text.lines() {
        let (sum, file) = line.split_once("  ")?;
        sums.insert(file.trim_end_matches(".wasm").to_string(), sum.to_string());
    }
    for name in ARTIFACTS {
        let wasm = std::fs::read(dir.join(format!("{name}.wasm"))).ok()?;
        if sums.get(name)? != &hex::encode(Sha256::digest(&wasm)) {
            return None;
        }
    }
    Some(sums)
}

/// Whether every contract of `deployment` exists on the chain.
pub async fn deployment_alive(client: &ChainClient, deployment: &Deployment) -> Result<bool> {
    for (_, address) in deployment.contracts.all() {
        if !client.contract_exists(address).await? {
            return Ok(false);
        }
    }
    Ok(true)
}
