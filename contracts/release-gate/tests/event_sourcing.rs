//! The events alone rebuild the release gate's state: replay every event
//! of a busy history into a projection and compare it with the queries.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{fog_events, gate_code, hash, model_policy, Suite, DAY, RISK, SENIOR};
use cosmwasm_std::{to_json_binary, Addr, HexBinary, Timestamp, WasmMsg};
use cw_multi_test::Executor;
use fog_events::release_gate::ReleaseGateEvent;
use fog_release_gate::msg::{
    ConfigResponse, ExecuteMsg, GroupResponse, GroupsResponse, InstantiateMsg, PoliciesResponse, PolicyResponse,
    QueryMsg, RequestResponse, RequestsResponse, VoteInfo,
};
use fog_release_gate::request::{Revocation, Status};

#[derive(Default, Debug, PartialEq)]
struct Projection {
    owner: String,
    groups: BTreeMap<String, BTreeSet<String>>,
    policies: BTreeMap<String, PolicyResponse>,
    requests: BTreeMap<u64, RequestResponse>,
}

fn ts(ns: u64) -> Timestamp {
    Timestamp::from_nanos(ns)
}

fn vote(voter: String, groups: Vec<String>, comment: String, at_ns: u64) -> VoteInfo {
    VoteInfo {
        voter: Addr::unchecked(voter),
        groups,
        comment,
        at: ts(at_ns),
    }
}

fn insert_sorted(votes: &mut Vec<VoteInfo>, v: VoteInfo) {
    let pos = votes.partition_point(|x| x.voter < v.voter);
    votes.insert(pos, v);
}

impl Projection {
    fn apply(&mut self, event: ReleaseGateEvent) {
        match event {
            ReleaseGateEvent::Instantiated(e) => self.owner = e.owner,
            ReleaseGateEvent::Migrated(_) => {}
            ReleaseGateEvent::OwnerUpdated(e) => self.owner = e.new_owner,
            ReleaseGateEvent::GroupCreated(e) => {
                self.groups.insert(e.group, BTreeSet::new());
            }
            ReleaseGateEvent::GroupRemoved(e) => {
                self.groups.remove(&e.group);
            }
            ReleaseGateEvent::MemberAdded(e) => {
                self.groups.get_mut(&e.group).unwrap().insert(e.member);
            }
            ReleaseGateEvent::MemberRemoved(e) => {
                self.groups.get_mut(&e.group).unwrap().remove(&e.member);
            }
            ReleaseGateEvent::PolicySet(e) => {
                let p = PolicyResponse {
                    artifact_type: e.artifact_type.clone(),
                    min_approvals: e.min_approvals,
                    required_groups: e.required_groups,
                    expiry_seconds: e.expiry_seconds,
                    revoker_groups: e.revoker_groups,
                    requester_groups: e.requester_groups.unwrap_or_default(),
                };
                self.policies.insert(e.artifact_type, p);
            }
            ReleaseGateEvent::RequestCreated(e) => {
                let r = RequestResponse {
                    id: e.id,
                    artifact_type: e.artifact_type,
                    artifact_id: e.artifact_id,
                    artifact_version: e.artifact_version,
                    sha256: HexBinary::from_hex(&e.sha256).unwrap(),
                    lineage_hash: HexBinary::from_hex(&e.lineage_hash).unwrap(),
                    dataset_hashes: e
                        .dataset_hashes
                        .iter()
                        .map(|h| HexBinary::from_hex(h).unwrap())
                        .collect(),
                    requester: Addr::unchecked(e.requester),
                    risk_notes: e.risk_notes.0,
                    created_at: ts(e.created_at_ns),
                    expires_at: ts(e.expires_at_ns),
                    min_approvals: e.min_approvals,
                    required_groups: e.required_groups,
                    status: Status::Pending,
                    approved_groups: vec![],
                    approvals: vec![],
                    rejections: vec![],
                    decided_at: None,
                    revocation: None,
                };
                self.requests.insert(e.id, r);
            }
            ReleaseGateEvent::Approved(e) => {
                let r = self.requests.get_mut(&e.id).unwrap();
                for g in &e.groups {
                    if !r.approved_groups.contains(g) {
                        r.approved_groups.push(g.clone());
                    }
                }
                r.approved_groups.sort();
                insert_sorted(&mut r.approvals, vote(e.approver, e.groups, e.comment.0, e.at_ns));
                assert_eq!(r.approvals.len() as u32, e.approvals);
                if e.released {
                    r.status = Status::Approved;
                    r.decided_at = Some(ts(e.at_ns));
                }
            }
            ReleaseGateEvent::Rejected(e) => {
                let r = self.requests.get_mut(&e.id).unwrap();
                insert_sorted(&mut r.rejections, vote(e.rejecter, e.groups, e.comment.0, e.at_ns));
                if e.rejected {
                    r.status = Status::Rejected;
                    r.decided_at = Some(ts(e.at_ns));
                }
            }
            ReleaseGateEvent::Revoked(e) => {
                let r = self.requests.get_mut(&e.id).unwrap();
                r.status = Status::Revoked;
                r.revocation = Some(Revocation {
                    revoker: Addr::unchecked(e.revoker),
                    reason: e.reason.0,
                    at: ts(e.at_ns),
                });
            }
            ReleaseGateEvent::Expired(e) => {
                let r = self.requests.get_mut(&e.id).unwrap();
                r.status = Status::Expired;
                r.decided_at = Some(ts(e.at_ns));
            }
        }
    }

    /// As the queries show it at `now`: pending past expiry reads expired.
    fn at(mut self, now: Timestamp) -> Self {
        for r in self.requests.values_mut() {
            if r.status == Status::Pending && now >= r.expires_at {
                r.status = Status::Expired;
            }
        }
        self
    }

    fn from_chain(s: &Suite) -> Self {
        let config: ConfigResponse = s.query(&QueryMsg::Config {});
        let groups: GroupsResponse = s.query(&QueryMsg::Groups {
            start_after: None,
            limit: Some(100),
        });
        let policies: PoliciesResponse = s.query(&QueryMsg::Policies {
            start_after: None,
            limit: Some(100),
        });
        let requests: RequestsResponse = s.query(&QueryMsg::Requests {
            start_after: None,
            limit: Some(100),
            status: None,
        });
        Projection {
            owner: config.owner.into_string(),
            groups: groups
                .groups
                .iter()
                .map(|g| {
                    let full: GroupResponse = s.query(&QueryMsg::Group { name: g.name.clone() });
                    (
                        g.name.clone(),
                        full.members.into_iter().map(Addr::into_string).collect(),
                    )
                })
                .collect(),
            policies: policies
                .policies
                .into_iter()
                .map(|p| (p.artifact_type.clone(), p))
                .collect(),
            requests: requests.requests.into_iter().map(|r| (r.id, r)).collect(),
        }
    }
}

#[test]
fn events_rebuild_the_state() {
    let mut s = Suite::empty();
    let owner = s.owner.clone();
    // A fresh instance whose instantiation event we see.
    let code = s.app.store_code(gate_code());
    let res = s
        .app
        .execute(
            owner.clone(),
            WasmMsg::Instantiate {
                admin: None,
                code_id: code,
                msg: to_json_binary(&InstantiateMsg {
                    owner: owner.to_string(),
                })
                .unwrap(),
                funds: vec![],
                label: "gate-2".to_string(),
            }
            .into(),
        )
        .unwrap();
    let gate = res
        .events
        .iter()
        .find(|e| e.ty == "instantiate")
        .and_then(|e| e.attributes.iter().find(|a| a.key == "_contract_address"))
        .map(|a| Addr::unchecked(a.value.clone()))
        .unwrap();
    s.gate = gate;
    let mut log = fog_events(&res);

    let (dev1, dev2, risk1, risk2, dual, alice) = (
        s.dev1.clone(),
        s.dev2.clone(),
        s.risk1.clone(),
        s.risk2.clone(),
        s.dual.clone(),
        s.alice.clone(),
    );
    let add = |group: &str, a: &Addr| ExecuteMsg::AddMember {
        group: group.to_string(),
        address: a.to_string(),
    };
    let approve = |id| ExecuteMsg::Approve {
        id,
        comment: Some(format!(" ok {id} ")),
    };
    let mut req = common::request_msg(1);
    let with_sha = |m: &mut ExecuteMsg, b: u8| {
        if let ExecuteMsg::Request { sha256, .. } = m {
            *sha256 = hash(b);
        }
    };
    let steps: Vec<(Addr, ExecuteMsg)> = vec![
        (owner.clone(), ExecuteMsg::CreateGroup { name: SENIOR.into() }),
        (owner.clone(), ExecuteMsg::CreateGroup { name: RISK.into() }),
        (owner.clone(), ExecuteMsg::CreateGroup { name: "temp".into() }),
        (owner.clone(), add(SENIOR, &dev1)),
        (owner.clone(), add(SENIOR, &dev2)),
        (owner.clone(), add(SENIOR, &dual)),
        (owner.clone(), add(RISK, &risk1)),
        (owner.clone(), add(RISK, &risk2)),
        (owner.clone(), add(RISK, &dual)),
        (owner.clone(), add("temp", &alice)),
        (owner.clone(), model_policy(2, &[SENIOR, RISK])),
        (
            owner.clone(),
            ExecuteMsg::RemoveMember {
                group: "temp".into(),
                address: alice.to_string(),
            },
        ),
        (owner.clone(), ExecuteMsg::RemoveGroup { name: "temp".into() }),
        (alice.clone(), req.clone()), // 1: approved, then revoked
        (dev1.clone(), approve(1)),
        (risk1.clone(), approve(1)),
        (
            risk2.clone(),
            ExecuteMsg::Revoke {
                id: 1,
                reason: "leak".into(),
            },
        ),
        (alice.clone(), {
            with_sha(&mut req, 2);
            req.clone()
        }), // 2: rejected
        (dual.clone(), approve(2)),
        (risk2.clone(), ExecuteMsg::Reject { id: 2, comment: None }),
        (alice.clone(), {
            with_sha(&mut req, 3);
            req.clone()
        }), // 3: expires, persisted by a new request for the same artifact
        (dev2.clone(), approve(3)),
        (owner.clone(), model_policy(3, &[SENIOR])),
        (alice.clone(), {
            with_sha(&mut req, 4);
            req.clone()
        }), // 4: stays pending
        (dev1.clone(), approve(4)),
        (
            owner.clone(),
            ExecuteMsg::UpdateOwner {
                owner: dev1.to_string(),
            },
        ),
    ];
    for (sender, msg) in steps {
        s.advance(13);
        let res = s.exec(&sender, &msg).unwrap();
        log.extend(fog_events(&res));
    }
    s.advance(DAY);
    // 3 is past expiry; a new request for its artifact persists it.
    with_sha(&mut req, 3);
    let res = s.exec(&alice, &req).unwrap();
    log.extend(fog_events(&res));
    // 4 reads expired without being persisted.
    let mut projection = Projection::default();
    for e in log {
        projection.apply(e);
    }
    let now = s.app.block_info().time;
    assert_eq!(projection.at(now), Projection::from_chain(&s));
    let statuses: Vec<_> = Projection::from_chain(&s).requests.values().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        vec![
            Status::Revoked,
            Status::Rejected,
            Status::Expired,
            Status::Expired,
            Status::Pending
        ]
    );
}
