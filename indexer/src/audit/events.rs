//! Chain events into audit entries: every governance action the indexer
//! sees is logged, in the same transaction as the block it came in.

use serde_json::{Map, Value};

use super::record::Entry;
use crate::source::{Block, Event};

/// Compliance frameworks each contract's actions concern.
fn tags(module: &str) -> Vec<String> {
    let t: &[&str] = match module {
        "governance" => &["MiCA", "SOX"],
        "ve" => &["MiCA"],
        "release-gate" => &["SOX"],
        "audit-anchor" => &["SOX"],
        "registry" => &["KYC", "AML", "BSA", "FinCEN"],
        _ => &[],
    };
    t.iter().map(|s| s.to_string()).collect()
}

const ACTORS: &[&str] = &[
    "sender",
    "voter",
    "proposer",
    "owner",
    "requester",
    "approver",
    "rejecter",
    "revoker",
    "officer",
    "delegator",
    "delegate",
    "submitter",
    "guardian",
    "new_owner",
];

fn subject(module: &str, e: &Event) -> String {
    let a = |k: &str| e.attr(k).map(str::to_string);
    let found = match module {
        "governance" => a("id").map(|id| format!("proposal/{id}")),
        "release-gate" => a("id")
            .map(|id| format!("release/{id}"))
            .or_else(|| a("group").map(|g| format!("group/{g}")))
            .or_else(|| a("artifact_type").map(|t| format!("policy/{t}"))),
        "audit-anchor" => a("origin").map(|o| format!("log/{o}")),
        "registry" => a("address").or_else(|| a("officer")).map(|x| format!("account/{x}")),
        "ve" => a("owner")
            .or_else(|| a("delegator"))
            .or_else(|| a("delegate"))
            .map(|x| format!("account/{x}")),
        _ => None,
    };
    found.unwrap_or_else(|| format!("contract/{module}"))
}

/// Whether a fog event becomes an audit record. Anchoring a checkpoint of
/// the log is not: logging it would grow the log with every anchor, so an
/// idle log would be re-anchored (and paid for) forever. The anchors are
/// their own record, on the chains.
pub fn is_logged(e: &Event) -> bool {
    use fog_events::FogEvent;
    e.kind.strip_prefix("wasm-") != Some(fog_events::audit_anchor::CheckpointAnchored::TYPE)
}

/// The attribute naming who acted, where [`ACTORS`]' order would name
/// someone else.
fn actor_key(kind: &str) -> Option<&'static str> {
    match kind {
        // The delegate drops the delegator.
        "ve.delegator_dropped" => Some("delegate"),
        _ => None,
    }
}

/// The audit entry of a fog event in `block`.
pub fn entry(block: &Block, e: &Event) -> Entry {
    let kind = e.kind.strip_prefix("wasm-fog.").unwrap_or(&e.kind);
    let module = kind.split('.').next().unwrap_or_default();
    let actor = actor_key(kind)
        .and_then(|k| e.attr(k))
        .or_else(|| ACTORS.iter().find_map(|k| e.attr(k)))
        .or_else(|| e.attr("_contract_address"))
        .unwrap_or("chain")
        .to_string();
    let mut details = Map::new();
    for (k, v) in &e.attributes {
        details.insert(k.clone(), Value::String(v.clone()));
    }
    details.insert("height".into(), Value::String(block.height.to_string()));
    if let Some(tx) = e.tx_index.and_then(|i| block.txs.get(i as usize)) {
        details.insert("tx_hash".into(), Value::String(tx.hash.clone()));
    }
    Entry {
        time: block.time,
        actor,
        action: kind.to_string(),
        subject: subject(module, e),
        details: Value::Object(details),
        tags: tags(module),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Phase, Protocol};

    fn block_with(kind: &str, attributes: &[(&str, &str)]) -> (Block, Event) {
        let event = Event {
            kind: kind.into(),
            attributes: attributes.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            phase: Phase::Tx,
            tx_index: None,
        };
        let block = Block {
            height: 7,
            hash: "AA".into(),
            last_block_hash: "BB".into(),
            time: chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            app_hash: String::new(),
            proposer: String::new(),
            chain_id: "fog-1".into(),
            protocol: Protocol::Finalize,
            txs: vec![],
            events: vec![],
        };
        (block, event)
    }

    #[test]
    fn a_dropped_delegation_is_the_delegates_act_on_the_delegators_account() {
        let (block, e) = block_with(
            "wasm-fog.ve.delegator_dropped",
            &[("delegate", "inj1delegate"), ("delegator", "inj1dust")],
        );
        let entry = entry(&block, &e);
        assert_eq!(entry.actor, "inj1delegate");
        assert_eq!(entry.subject, "account/inj1dust");
        assert_eq!(entry.tags, vec!["MiCA"]);
    }

    #[test]
    fn an_undelegation_is_the_delegators_act() {
        let (block, e) = block_with(
            "wasm-fog.ve.undelegated",
            &[("delegator", "inj1dust"), ("delegate", "inj1delegate")],
        );
        assert_eq!(entry(&block, &e).actor, "inj1dust");
    }
}
