//! Every fog contract wired together: the DAO sets up the release gate's
//! groups and policy by proposal; a model is released with two approvals
//! from two groups; its lineage record's hash is a leaf of the audit log,
//! whose checkpoint is anchored and proves the leaf's inclusion on-chain.

use cosmwasm_std::{to_json_binary, HexBinary};
use fog_governance::msg::{Action, Ballot, ContractCall, ExecuteMsg as GovMsg, ProposeMsg};
use fog_governance::state::{Status, VotingMethod};
use fog_release_gate::msg::{ExecuteMsg as GateMsg, IsReleasedResponse, QueryMsg as GateQuery};
use fog_testing::{fog, SuiteBuilder, WEEK};

const DAY: u64 = 86_400;

fn call(contract: &cosmwasm_std::Addr, msg: &GateMsg) -> ContractCall {
    ContractCall {
        contract: contract.to_string(),
        msg: to_json_binary(msg).unwrap(),
    }
}

#[test]
fn governance_sets_up_groups_a_release_is_approved_and_its_lineage_anchored() {
    let mut s = SuiteBuilder::new()
        .users(&["alice", "bob", "dev", "risk", "requester"], 10_000_000)
        .build();
    let (alice, bob, dev, risk, requester) = (s.user(0), s.user(1), s.user(2), s.user(3), s.user(4));
    s.lock(&alice, fog(4_000_000), 200 * WEEK).unwrap();
    s.lock(&bob, fog(3_000_000), 200 * WEEK).unwrap();
    s.advance(1);

    // 1. The DAO creates the groups and the policy.
    let gate = s.release_gate.clone();
    let calls = vec![
        call(
            &gate,
            &GateMsg::CreateGroup {
                name: "senior_developers".into(),
            },
        ),
        call(
            &gate,
            &GateMsg::CreateGroup {
                name: "risk_managers".into(),
            },
        ),
        call(
            &gate,
            &GateMsg::AddMember {
                group: "senior_developers".into(),
                address: dev.to_string(),
            },
        ),
        call(
            &gate,
            &GateMsg::AddMember {
                group: "risk_managers".into(),
                address: risk.to_string(),
            },
        ),
        call(
            &gate,
            &GateMsg::SetPolicy {
                artifact_type: "MODEL_DEPLOYMENT".into(),
                min_approvals: 2,
                required_groups: vec!["senior_developers".into(), "risk_managers".into()],
                expiry_seconds: 7 * DAY,
                revoker_groups: None,
                requester_groups: None,
            },
        ),
    ];
    let id = s
        .propose(
            &alice,
            ProposeMsg {
                title: "Set up the four-eyes release".into(),
                description: String::new(),
                method: VotingMethod::YesNo,
                action: Some(Action::ProtocolUpgrade {
                    migrations: vec![],
                    calls,
                }),
                options: vec![],
            },
        )
        .unwrap();
    s.vote(&alice, id, Ballot::Yes).unwrap();
    s.vote(&bob, id, Ballot::Yes).unwrap();
    assert_eq!(s.proposal(id).status, Status::Passed);
    s.advance_seconds(7 * DAY);
    let anyone = s.addr("anyone");
    s.gov_exec(&anyone, GovMsg::Execute { proposal_id: id }).unwrap();

    // 2. The lineage record is a leaf of the audit log; its checkpoint is
    //    anchored by the relayer's key.
    let lineage_record = br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"model.onnx"}]}"#;
    let lineage_hash = fog_merkle::leaf_hash(lineage_record);
    let leaves: Vec<[u8; 32]> = (0..5u8)
        .map(|i| fog_merkle::leaf_hash(&[i]))
        .chain([lineage_hash])
        .collect();
    let root = fog_merkle::root(&leaves);
    let (admin, anchor) = (s.admin.clone(), s.anchor.clone());
    let relayer = s.addr("relayer");
    s.execute(
        &admin,
        &anchor,
        &fog_audit_anchor::msg::ExecuteMsg::CreateLog {
            origin: "fog.example/audit".into(),
            submitters: vec![relayer.to_string()],
            public_key: None,
        },
    )
    .unwrap();
    s.execute(
        &relayer,
        &anchor,
        &fog_audit_anchor::msg::ExecuteMsg::Checkpoint {
            origin: "fog.example/audit".into(),
            size: leaves.len() as u64,
            root: HexBinary::from(root.to_vec()),
            timestamp: s.now(),
            proof: vec![],
            signature: None,
        },
    )
    .unwrap();
    let proof = fog_merkle::inclusion_proof(&leaves, 5).unwrap();
    let verified: fog_audit_anchor::msg::VerifyInclusionResponse = s.query(
        &anchor,
        &fog_audit_anchor::msg::QueryMsg::VerifyInclusion {
            origin: "fog.example/audit".into(),
            leaf_hash: HexBinary::from(lineage_hash.to_vec()),
            index: 5,
            tree_size: leaves.len() as u64,
            proof: proof.iter().map(|h| HexBinary::from(h.to_vec())).collect(),
        },
    );
    assert!(verified.valid, "{:?}", verified.reason);

    // 3. A release request for the model, bound to that lineage hash.
    let model_sha = HexBinary::from(vec![0xab; 32]);
    s.execute(
        &requester,
        &gate,
        &GateMsg::Request {
            artifact_type: "MODEL_DEPLOYMENT".into(),
            artifact_id: "credit-model".into(),
            artifact_version: "1.0.0".into(),
            sha256: model_sha.clone(),
            lineage_hash: HexBinary::from(lineage_hash.to_vec()),
            dataset_hashes: vec![HexBinary::from(vec![0x01; 32])],
            risk_notes: Some("reviewed".into()),
        },
    )
    .unwrap();
    let released = |s: &fog_testing::Suite| -> bool {
        let r: IsReleasedResponse = s.query(
            &gate,
            &GateQuery::IsReleased {
                sha256: model_sha.clone(),
                artifact_type: None,
            },
        );
        r.released
    };
    let err = s
        .execute(&requester, &gate, &GateMsg::Approve { id: 1, comment: None })
        .unwrap_err();
    assert!(!err.is_empty());
    s.execute(
        &dev,
        &gate,
        &GateMsg::Approve {
            id: 1,
            comment: Some("code ok".into()),
        },
    )
    .unwrap();
    assert!(!released(&s), "one approval is not four eyes");
    s.execute(
        &risk,
        &gate,
        &GateMsg::Approve {
            id: 1,
            comment: Some("risk ok".into()),
        },
    )
    .unwrap();
    assert!(released(&s));
}
