//! The gas budget of a checkpoint, measured where it is spent: storage.
//! Anchoring must read two entries, write two, remove none and iterate
//! over nothing, whatever the size of the log or its history.

mod common;

use std::cell::Cell;

use common::*;
use cosmwasm_std::testing::{message_info, mock_env, MockApi, MockQuerier, MockStorage};
use cosmwasm_std::{Empty, OwnedDeps, Record, Storage};
use fog_audit_anchor::contract::{execute, instantiate};
use fog_audit_anchor::msg::{ExecuteMsg, InstantiateMsg};

/// Storage that counts what the contract does with it.
#[derive(Default)]
struct Counting {
    inner: MockStorage,
    reads: Cell<u64>,
    read_bytes: Cell<u64>,
    ranges: Cell<u64>,
    writes: u64,
    written_bytes: u64,
    removes: u64,
}

impl Counting {
    fn reset(&mut self) {
        self.reads.set(0);
        self.read_bytes.set(0);
        self.ranges.set(0);
        self.writes = 0;
        self.written_bytes = 0;
        self.removes = 0;
    }

    /// Storage gas by wasmd's default KV costs (read 1000 + 3/byte, write
    /// 2000 + 30/byte), keys without the contract prefix the chain adds.
    fn sdk_gas(&self) -> u64 {
        self.reads.get() * 1000 + self.read_bytes.get() * 3 + self.writes * 2000 + self.written_bytes * 30
    }
}

impl Storage for Counting {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        let value = self.inner.get(key);
        self.reads.set(self.reads.get() + 1);
        self.read_bytes
            .set(self.read_bytes.get() + (key.len() + value.as_ref().map_or(0, Vec::len)) as u64);
        value
    }

    fn range<'a>(
        &'a self,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        order: cosmwasm_std::Order,
    ) -> Box<dyn Iterator<Item = Record> + 'a> {
        self.ranges.set(self.ranges.get() + 1);
        self.inner.range(start, end, order)
    }

    fn set(&mut self, key: &[u8], value: &[u8]) {
        self.writes += 1;
        self.written_bytes += (key.len() + value.len()) as u64;
        self.inner.set(key, value)
    }

    fn remove(&mut self, key: &[u8]) {
        self.removes += 1;
        self.inner.remove(key)
    }
}

#[test]
fn a_checkpoint_reads_two_entries_and_writes_two() {
    let mut deps: OwnedDeps<Counting, MockApi, MockQuerier, Empty> = OwnedDeps {
        storage: Counting::default(),
        api: MockApi::default(),
        querier: MockQuerier::default(),
        custom_query_type: Default::default(),
    };
    let owner = deps.api.addr_make("owner");
    let relayer = deps.api.addr_make("relayer");
    let mut env = mock_env();
    instantiate(
        deps.as_mut(),
        env.clone(),
        message_info(&owner, &[]),
        InstantiateMsg {
            owner: owner.to_string(),
        },
    )
    .unwrap();
    // A log with the most submitters, so the list read is the largest.
    let mut submitters = vec![relayer.to_string()];
    submitters.extend((1..20).map(|i| deps.api.addr_make(&format!("s{i}")).to_string()));
    execute(
        deps.as_mut(),
        env.clone(),
        message_info(&owner, &[]),
        ExecuteMsg::CreateLog {
            origin: ORIGIN.to_string(),
            submitters,
            public_key: None,
        },
    )
    .unwrap();

    let mut log = Log::new("audit", 1000);
    execute(
        deps.as_mut(),
        env.clone(),
        message_info(&relayer, &[]),
        log.checkpoint(None, 1),
    )
    .unwrap();
    let mut previous = log.size();
    let mut worst = 0;
    for (step, grow) in [1u64, 7, 24, 1000, 3001].into_iter().enumerate() {
        log.append("audit", grow);
        let msg = log.checkpoint(Some(previous), 2 + step as u64);
        let ExecuteMsg::Checkpoint { proof, .. } = &msg else {
            unreachable!()
        };
        let proof_len = proof.len();
        deps.storage.reset();
        env.block.height += 1;
        let res = execute(deps.as_mut(), env.clone(), message_info(&relayer, &[]), msg).unwrap();

        let s = &deps.storage;
        assert_eq!(
            s.reads.get(),
            2,
            "reads: the log's submitters and its latest checkpoint"
        );
        assert_eq!(s.writes, 2, "writes: the checkpoint entry and the latest copy");
        assert_eq!(s.ranges.get(), 0, "no iteration");
        assert_eq!(s.removes, 0);
        assert_eq!(res.events.len(), 1, "one event");
        assert!(res.messages.is_empty());
        let event_bytes: usize = res.events[0]
            .attributes
            .iter()
            .map(|a| a.key.len() + a.value.len())
            .sum();
        println!(
            "{previous} -> {}: proof {proof_len} hashes, storage ~{} gas ({} B read, {} B written), event {event_bytes} B",
            log.size(),
            s.sdk_gas(),
            s.read_bytes.get(),
            s.written_bytes
        );
        worst = worst.max(s.sdk_gas());
        previous = log.size();
    }
    // Well inside the 100k above a minimal call that a checkpoint may cost.
    assert!(worst < 25_000, "storage gas {worst}");
}
