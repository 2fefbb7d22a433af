//! Appending to the log: serialised on the head row, so sequence numbers and
//! the tree never fork; a batch of entries is one COPY of records, each
//! with its leaf hash and the subtree hashes it completes, in the caller's
//! transaction.

use std::collections::HashMap;

use anyhow::{anyhow, Result};
use fog_merkle::{stored_hashes_for_leaf, Hash, NodeStore};
use sqlx::{PgConnection, Row};

use super::record::{canonical_record, leaf_hash, Entry};
use super::tree;
use crate::store::BinaryCopy;

/// The stored nodes new leaves need: the right edge of the current tree
/// (one completed subtree per set bit of its size) plus what the batch adds.
struct Frontier(HashMap<(u8, u64), Hash>);

impl NodeStore for Frontier {
    type Error = anyhow::Error;
    fn node(&self, level: u8, n: u64) -> Result<Hash> {
        self.0
            .get(&(level, n))
            .copied()
            .ok_or_else(|| anyhow!("stored hash ({level}, {n}) is missing from the frontier"))
    }
}

/// The nodes on the right edge of a tree of `size` leaves.
fn frontier_nodes(size: u64) -> Vec<(u8, u64)> {
    (0..64u8)
        .filter(|l| size >> l & 1 == 1)
        .map(|l| (l, (size >> l) - 1))
        .collect()
}

/// What an append did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    pub first_seq: u64,
    pub size: u64,
}

/// Appends `entries` in order. Must run inside a transaction (the head row
/// stays locked until it commits).
pub async fn append(conn: &mut PgConnection, entries: &[Entry]) -> Result<Appended> {
    let head = sqlx::query("SELECT size, last_leaf FROM audit_head WHERE id = 1 FOR UPDATE")
        .fetch_one(&mut *conn)
        .await?;
    let size = head.get::<i64, _>(0) as u64;
    let mut prev: Hash = head
        .get::<Vec<u8>, _>(1)
        .try_into()
        .map_err(|_| anyhow!("audit head hash is not 32 bytes"))?;
    if entries.is_empty() {
        return Ok(Appended { first_seq: size, size });
    }
    let mut frontier = Frontier(tree::fetch(conn, &frontier_nodes(size)).await?.0);
    let mut records = BinaryCopy::new();
    let mut subtrees = Vec::new();
    let mut seq = size;
    for e in entries {
        let bytes = canonical_record(seq, e, &prev);
        let leaf = leaf_hash(&bytes);
        subtrees.clear();
        // The leaf first (level 0, the leaf_hash column), then levels 1, 2...
        for node in stored_hashes_for_leaf(seq, leaf, &frontier)? {
            if node.level > 0 {
                subtrees.extend_from_slice(&node.hash);
            }
            frontier.0.insert((node.level, node.n), node.hash);
        }
        records
            .row(4)
            .int8(seq as i64)
            .bytea(&bytes)
            .bytea(&leaf)
            .bytea(&subtrees);
        prev = leaf;
        seq += 1;
    }
    copy_binary(
        conn,
        "COPY audit_records (seq, record, leaf_hash, subtree_hashes) FROM STDIN (FORMAT binary)",
        records,
    )
    .await?;
    // The COPY's trigger (migration 0023) moved the head to `seq`, `prev`.
    Ok(Appended {
        first_seq: size,
        size: seq,
    })
}

/// The log's size.
pub async fn size(conn: &mut PgConnection) -> Result<u64> {
    Ok(sqlx::query("SELECT size FROM audit_head WHERE id = 1")
        .fetch_one(conn)
        .await?
        .get::<i64, _>(0) as u64)
}

async fn copy_binary(conn: &mut PgConnection, statement: &str, rows: BinaryCopy) -> Result<()> {
    let mut copy = conn.copy_in_raw(statement).await?;
    copy.send(rows.finish()).await?;
    copy.finish().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_frontier_is_one_node_per_set_bit() {
        assert_eq!(frontier_nodes(0), vec![]);
        assert_eq!(frontier_nodes(1), vec![(0, 0)]);
        assert_eq!(frontier_nodes(6), vec![(1, 2), (2, 0)]);
        assert_eq!(frontier_nodes(7), vec![(0, 6), (1, 2), (2, 0)]);
    }
}
