//! Shared helpers: a deployed anchor with an owner, and an off-chain log
//! model that builds real checkpoints and proofs with fog-merkle.
#![allow(dead_code)]

use cosmwasm_std::{Addr, Empty, HexBinary};
use cw_multi_test::{App, AppResponse, Contract, ContractWrapper, Executor};
use fog_audit_anchor::contract::{execute, instantiate, migrate, query};
use fog_audit_anchor::msg::{
    CheckpointResponse, CheckpointsResponse, ExecuteMsg, InstantiateMsg, LogResponse, LogsResponse, QueryMsg,
    VerifyInclusionResponse,
};
use fog_audit_anchor::ContractError;
use fog_events::AnyEvent;
use fog_merkle::{consistency_proof, inclusion_proof, leaf_hash, root, Hash};

pub const ORIGIN: &str = "fog.audit.example/log";

pub fn anchor_code() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(execute, instantiate, query).with_migrate(migrate))
}

/// An append-only log kept off-chain, as the indexer keeps it.
#[derive(Clone, Default)]
pub struct Log {
    pub leaves: Vec<Hash>,
}

impl Log {
    /// A log of `n` records named after `tag`.
    pub fn new(tag: &str, n: u64) -> Self {
        let mut log = Self::default();
        log.append(tag, n);
        log
    }

    pub fn append(&mut self, tag: &str, n: u64) {
        let start = self.leaves.len();
        for i in start..start + n as usize {
            self.leaves
                .push(leaf_hash(format!(r#"{{"seq":{i},"log":"{tag}"}}"#).as_bytes()));
        }
    }

    pub fn size(&self) -> u64 {
        self.leaves.len() as u64
    }

    pub fn root(&self) -> HexBinary {
        hex(&root(&self.leaves))
    }

    pub fn root_at(&self, size: u64) -> HexBinary {
        hex(&root(&self.leaves[..size as usize]))
    }

    /// Consistency proof from `size1` to the current size.
    pub fn proof_from(&self, size1: u64) -> Vec<HexBinary> {
        hexes(&consistency_proof(&self.leaves, size1).unwrap())
    }

    /// Inclusion proof of `index` in the tree of the first `size` leaves.
    pub fn inclusion(&self, index: u64, size: u64) -> Vec<HexBinary> {
        hexes(&inclusion_proof(&self.leaves[..size as usize], index).unwrap())
    }

    pub fn leaves_root_at(&self, size: u64) -> Hash {
        root(&self.leaves[..size as usize])
    }

    pub fn proof_hashes_from(&self, size1: u64) -> Vec<Hash> {
        consistency_proof(&self.leaves, size1).unwrap()
    }

    pub fn leaf(&self, index: u64) -> HexBinary {
        hex(&self.leaves[index as usize])
    }

    /// The checkpoint message of the current size, proven from `previous`
    /// (none for the first).
    pub fn checkpoint(&self, previous: Option<u64>, timestamp: u64) -> ExecuteMsg {
        ExecuteMsg::Checkpoint {
            origin: ORIGIN.to_string(),
            size: self.size(),
            root: self.root(),
            timestamp,
            proof: previous.map(|p| self.proof_from(p)).unwrap_or_default(),
            signature: None,
        }
    }
}

pub fn hex(h: &Hash) -> HexBinary {
    HexBinary::from(h.as_slice())
}

pub fn hexes(p: &[Hash]) -> Vec<HexBinary> {
    p.iter().map(hex).collect()
}

pub struct Suite {
    pub app: App,
    pub code_id: u64,
    pub contract: Addr,
    pub owner: Addr,
    pub relayer: Addr,
    pub stranger: Addr,
}

impl Suite {
    /// An anchor owned by `owner`, with no log.
    pub fn new() -> Self {
        let mut app = App::default();
        // A chain of 2027: the logs' timestamps here are of 2023 and
        // earlier, and may not be ahead of the block's time.
        app.update_block(|b| b.time = cosmwasm_std::Timestamp::from_seconds(1_800_000_000));
        let owner = app.api().addr_make("owner");
        let relayer = app.api().addr_make("relayer");
        let stranger = app.api().addr_make("stranger");
        let code_id = app.store_code(anchor_code());
        let contract = app
            .instantiate_contract(
                code_id,
                owner.clone(),
                &InstantiateMsg {
                    owner: owner.to_string(),
                },
                &[],
                "audit-anchor",
                Some(owner.to_string()),
            )
            .unwrap();
        Self {
            app,
            code_id,
            contract,
            owner,
            relayer,
            stranger,
        }
    }

    /// An anchor with the log [`ORIGIN`], `relayer` as its submitter.
    pub fn with_log() -> Self {
        let mut suite = Self::new();
        let (owner, relayer) = (suite.owner.clone(), suite.relayer.clone());
        suite
            .exec(
                &owner,
                &ExecuteMsg::CreateLog {
                    origin: ORIGIN.to_string(),
                    submitters: vec![relayer.to_string()],
                    public_key: None,
                },
            )
            .unwrap();
        suite
    }

    pub fn addr(&self, name: &str) -> Addr {
        self.app.api().addr_make(name)
    }

    pub fn exec(&mut self, sender: &Addr, msg: &ExecuteMsg) -> Result<AppResponse, ContractError> {
        self.app.update_block(|b| {
            b.height += 1;
            b.time = b.time.plus_seconds(5);
        });
        self.app
            .execute_contract(sender.clone(), self.contract.clone(), msg, &[])
            .map_err(|e| e.downcast::<ContractError>().expect("a ContractError"))
    }

    /// Anchors `msg` as the relayer.
    pub fn submit(&mut self, msg: &ExecuteMsg) -> Result<AppResponse, ContractError> {
        let relayer = self.relayer.clone();
        self.exec(&relayer, msg)
    }

    pub fn query<T: serde::de::DeserializeOwned>(&self, msg: &QueryMsg) -> Result<T, String> {
        self.app
            .wrap()
            .query_wasm_smart(self.contract.clone(), msg)
            .map_err(|e| e.to_string())
    }

    pub fn log(&self, origin: &str) -> LogResponse {
        self.query(&QueryMsg::Log {
            origin: origin.to_string(),
        })
        .unwrap()
    }

    pub fn logs(&self, start_after: Option<&str>, limit: Option<u32>) -> LogsResponse {
        self.query(&QueryMsg::Logs {
            start_after: start_after.map(str::to_string),
            limit,
        })
        .unwrap()
    }

    pub fn latest(&self) -> Option<CheckpointResponse> {
        self.query(&QueryMsg::LatestCheckpoint {
            origin: ORIGIN.to_string(),
        })
        .unwrap()
    }

    pub fn checkpoints(&self, start_after: Option<u64>, limit: Option<u32>) -> CheckpointsResponse {
        self.query(&QueryMsg::Checkpoints {
            origin: ORIGIN.to_string(),
            start_after,
            limit,
        })
        .unwrap()
    }

    pub fn verify(
        &self,
        leaf_hash: HexBinary,
        index: u64,
        tree_size: u64,
        proof: Vec<HexBinary>,
    ) -> Result<VerifyInclusionResponse, String> {
        self.query(&QueryMsg::VerifyInclusion {
            origin: ORIGIN.to_string(),
            leaf_hash,
            index,
            tree_size,
            proof,
        })
    }
}

/// The fog events of a response, decoded with fog-events.
pub fn fog_events(res: &AppResponse) -> Vec<AnyEvent> {
    res.events
        .iter()
        .filter_map(|e| {
            let attrs: Vec<(&str, &str)> = e
                .attributes
                .iter()
                .map(|a| (a.key.as_str(), a.value.as_str()))
                .collect();
            AnyEvent::decode(&e.ty, &attrs).map(|r| r.expect("a well-formed fog event"))
        })
        .collect()
}

/// The one fog event of a response.
pub fn the_event(res: &AppResponse) -> AnyEvent {
    let events = fog_events(res);
    assert_eq!(events.len(), 1, "exactly one fog event: {events:?}");
    events.into_iter().next().unwrap()
}
