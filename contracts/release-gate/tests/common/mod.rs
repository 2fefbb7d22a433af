//! Shared set-up for the release gate's multi-tests: the contract with two
//! groups (`senior_developers`, `risk_managers`), members, a
//! `MODEL_DEPLOYMENT` policy (2 approvals, both groups required, one day
//! to decide), and helpers to request, vote, query and decode events.
#![allow(dead_code)]

use cosmwasm_std::{Addr, Empty, HexBinary};
use cw_multi_test::error::AnyResult;
use cw_multi_test::{App, AppResponse, Contract, ContractWrapper, Executor};
use fog_events::release_gate::ReleaseGateEvent;
use fog_release_gate::contract::{execute, instantiate, migrate, query};
use fog_release_gate::msg::{ExecuteMsg, InstantiateMsg, IsReleasedResponse, QueryMsg, RequestResponse};
use fog_release_gate::ContractError;

pub const SENIOR: &str = "senior_developers";
pub const RISK: &str = "risk_managers";
pub const MODEL: &str = "MODEL_DEPLOYMENT";
pub const DAY: u64 = 24 * 60 * 60;

pub fn gate_code() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(execute, instantiate, query).with_migrate(migrate))
}

/// A 32-byte hash, all `b`.
pub fn hash(b: u8) -> HexBinary {
    HexBinary::from(vec![b; 32])
}

pub struct Suite {
    pub app: App,
    pub gate: Addr,
    pub owner: Addr,
    /// In `senior_developers`.
    pub dev1: Addr,
    /// In `senior_developers`.
    pub dev2: Addr,
    /// In `risk_managers`.
    pub risk1: Addr,
    /// In `risk_managers`.
    pub risk2: Addr,
    /// In both groups.
    pub dual: Addr,
    /// In no group; asks for releases.
    pub alice: Addr,
    /// In no group.
    pub mallory: Addr,
}

impl Suite {
    /// The gate with no group and no policy.
    pub fn empty() -> Self {
        let mut app = App::default();
        let owner = app.api().addr_make("owner");
        let names = ["dev1", "dev2", "risk1", "risk2", "dual", "alice", "mallory"];
        let [dev1, dev2, risk1, risk2, dual, alice, mallory] = names.map(|n| app.api().addr_make(n));
        let code_id = app.store_code(gate_code());
        let gate = app
            .instantiate_contract(
                code_id,
                owner.clone(),
                &InstantiateMsg {
                    owner: owner.to_string(),
                },
                &[],
                "release-gate",
                Some(owner.to_string()),
            )
            .unwrap();
        Suite {
            app,
            gate,
            owner,
            dev1,
            dev2,
            risk1,
            risk2,
            dual,
            alice,
            mallory,
        }
    }

    /// The gate with both groups, their members and the model policy.
    pub fn new() -> Self {
        let mut s = Self::empty();
        s.create_group(SENIOR);
        s.create_group(RISK);
        for (group, member) in [
            (SENIOR, s.dev1.clone()),
            (SENIOR, s.dev2.clone()),
            (SENIOR, s.dual.clone()),
            (RISK, s.risk1.clone()),
            (RISK, s.risk2.clone()),
            (RISK, s.dual.clone()),
        ] {
            s.add_member(group, &member);
        }
        s.owner_exec(&model_policy(2, &[SENIOR, RISK])).unwrap();
        s
    }

    pub fn exec(&mut self, sender: &Addr, msg: &ExecuteMsg) -> Result<AppResponse, ContractError> {
        self.app
            .execute_contract(sender.clone(), self.gate.clone(), msg, &[])
            .map_err(|e| e.downcast::<ContractError>().unwrap())
    }

    pub fn exec_any(&mut self, sender: &Addr, msg: &ExecuteMsg) -> AnyResult<AppResponse> {
        self.app.execute_contract(sender.clone(), self.gate.clone(), msg, &[])
    }

    pub fn owner_exec(&mut self, msg: &ExecuteMsg) -> Result<AppResponse, ContractError> {
        let owner = self.owner.clone();
        self.exec(&owner, msg)
    }

    pub fn create_group(&mut self, name: &str) {
        self.owner_exec(&ExecuteMsg::CreateGroup { name: name.to_string() })
            .unwrap();
    }

    pub fn add_member(&mut self, group: &str, member: &Addr) {
        self.owner_exec(&ExecuteMsg::AddMember {
            group: group.to_string(),
            address: member.to_string(),
        })
        .unwrap();
    }

    pub fn advance(&mut self, seconds: u64) {
        self.app.update_block(|b| {
            b.time = b.time.plus_seconds(seconds);
            b.height += 1;
        });
    }

    /// `sender` requests the release of the model whose sha256 is
    /// `hash(sha)`; returns the response.
    pub fn request(&mut self, sender: &Addr, sha: u8) -> Result<AppResponse, ContractError> {
        self.exec(sender, &request_msg(sha))
    }

    /// Alice requests `hash(sha)`; returns the new id.
    pub fn request_ok(&mut self, sha: u8) -> u64 {
        let alice = self.alice.clone();
        let res = self.request(&alice, sha).unwrap();
        match fog_events(&res).pop() {
            Some(ReleaseGateEvent::RequestCreated(e)) => e.id,
            other => panic!("expected request_created, got {other:?}"),
        }
    }

    pub fn approve(&mut self, sender: &Addr, id: u64) -> Result<AppResponse, ContractError> {
        self.exec(sender, &ExecuteMsg::Approve { id, comment: None })
    }

    pub fn reject(&mut self, sender: &Addr, id: u64) -> Result<AppResponse, ContractError> {
        self.exec(
            sender,
            &ExecuteMsg::Reject {
                id,
                comment: Some("no".to_string()),
            },
        )
    }

    pub fn revoke(&mut self, sender: &Addr, id: u64) -> Result<AppResponse, ContractError> {
        self.exec(
            sender,
            &ExecuteMsg::Revoke {
                id,
                reason: "found a flaw".to_string(),
            },
        )
    }

    pub fn query<T: serde::de::DeserializeOwned>(&self, msg: &QueryMsg) -> T {
        self.app.wrap().query_wasm_smart(&self.gate, msg).unwrap()
    }

    pub fn get(&self, id: u64) -> RequestResponse {
        self.query(&QueryMsg::Request { id })
    }

    pub fn is_released(&self, sha: u8) -> IsReleasedResponse {
        self.query(&QueryMsg::IsReleased {
            sha256: hash(sha),
            artifact_type: None,
        })
    }
}

pub fn model_policy(min_approvals: u32, required: &[&str]) -> ExecuteMsg {
    ExecuteMsg::SetPolicy {
        artifact_type: MODEL.to_string(),
        min_approvals,
        required_groups: required.iter().map(|s| s.to_string()).collect(),
        expiry_seconds: DAY,
        revoker_groups: None,
        requester_groups: None,
    }
}

pub fn request_msg(sha: u8) -> ExecuteMsg {
    ExecuteMsg::Request {
        artifact_type: MODEL.to_string(),
        artifact_id: "credit-scoring".to_string(),
        artifact_version: "1.4.0".to_string(),
        sha256: hash(sha),
        lineage_hash: hash(0xee),
        dataset_hashes: vec![hash(0xd1), hash(0xd2)],
        risk_notes: Some("  trained on 2024 data \n".to_string()),
    }
}

/// The fog events of a response, decoded, in order.
pub fn fog_events(res: &AppResponse) -> Vec<ReleaseGateEvent> {
    res.events
        .iter()
        .filter(|e| e.ty.starts_with("wasm-fog."))
        .map(|e| {
            let attrs: Vec<(&str, &str)> = e
                .attributes
                .iter()
                .map(|a| (a.key.as_str(), a.value.as_str()))
                .collect();
            let ty = e.ty.strip_prefix("wasm-").unwrap();
            ReleaseGateEvent::decode(ty, &attrs)
                .expect("a release-gate event")
                .expect("decodes")
        })
        .collect()
}

/// The one fog event of a response.
pub fn single_event(res: &AppResponse) -> ReleaseGateEvent {
    let mut events = fog_events(res);
    assert_eq!(events.len(), 1, "exactly one fog event per state change: {events:?}");
    events.remove(0)
}
