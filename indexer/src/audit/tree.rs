//! The log's Merkle tree read from its stored hashes: any root or proof
//! costs one query for the O(log n) nodes it needs.
//!
//! The nodes a root or proof needs depend only on sizes and indexes, never
//! on hash values, so a dry run of fog-merkle's algorithms over a recording
//! store lists them; one query fetches them; the real run computes.

use std::cell::RefCell;
use std::collections::HashMap;

use anyhow::{anyhow, Result};
use fog_merkle::{Hash, NodeStore, StoredTree};
use sqlx::{PgConnection, Row};

/// Records which nodes are asked for; answers zeros.
#[derive(Default)]
struct Recorder(RefCell<Vec<(u8, u64)>>);

impl NodeStore for Recorder {
    type Error = std::convert::Infallible;
    fn node(&self, level: u8, n: u64) -> Result<Hash, Self::Error> {
        self.0.borrow_mut().push((level, n));
        Ok([0u8; 32])
    }
}

/// Nodes fetched from the database.
pub struct Fetched(pub HashMap<(u8, u64), Hash>);

impl NodeStore for Fetched {
    type Error = anyhow::Error;
    fn node(&self, level: u8, n: u64) -> Result<Hash> {
        self.0
            .get(&(level, n))
            .copied()
            .ok_or_else(|| anyhow!("stored hash ({level}, {n}) is missing"))
    }
}

/// The record whose leaf completes node `(level, n)`: its last leaf.
pub fn completing_record(level: u8, n: u64) -> u64 {
    ((n + 1) << level) - 1
}

/// The index of the node at `level` that record `seq`'s leaf completes
/// (`level` at most `seq.trailing_ones()`): the inverse of
/// [`completing_record`].
pub fn completed_node(seq: u64, level: u8) -> u64 {
    ((seq + 1) >> level) - 1
}

/// Node `(level, n)` from the row of the record that completed it: level 0
/// is the leaf hash, level `l` the `l`-th hash of its subtree hashes.
fn node_from_row(level: u8, leaf_hash: &[u8], subtree_hashes: &[u8]) -> Option<Hash> {
    let bytes = match level {
        0 => leaf_hash,
        l => subtree_hashes.get(32 * (usize::from(l) - 1)..32 * usize::from(l))?,
    };
    bytes.try_into().ok()
}

/// From this many records on, the lookup's plan may be cached on the
/// connection. PostgreSQL settles on a cached plan after a few runs; one
/// settled while the log was a page or two is a scan, and it would stay
/// one as the log grows (until an ANALYZE happens to invalidate it), so
/// every append and proof would read the whole log. Below this size the
/// lookup is planned afresh each time; from it on, a cached plan can only
/// be settled on a log this large (it never shrinks), where the primary
/// key wins.
const CACHED_PLAN_FROM_RECORD: i64 = 10_000;

/// Fetches the nodes `(level, n)` in one round trip: one primary-key
/// lookup per record that completed one of them.
pub async fn fetch(conn: &mut PgConnection, nodes: &[(u8, u64)]) -> Result<Fetched> {
    let mut seqs: Vec<i64> = nodes.iter().map(|&(l, n)| completing_record(l, n) as i64).collect();
    seqs.sort_unstable();
    seqs.dedup();
    // The log holds every record up to the last one asked for.
    let cacheable = seqs.last().is_some_and(|&last| last >= CACHED_PLAN_FROM_RECORD);
    let rows = sqlx::query("SELECT seq, leaf_hash, subtree_hashes FROM audit_records WHERE seq = ANY($1)")
        .bind(seqs)
        .persistent(cacheable)
        .fetch_all(&mut *conn)
        .await?;
    let by_seq: HashMap<u64, (Vec<u8>, Vec<u8>)> = rows
        .into_iter()
        .map(|r| (r.get::<i64, _>(0) as u64, (r.get(1), r.get(2))))
        .collect();
    let mut map = HashMap::with_capacity(nodes.len());
    for &(level, n) in nodes {
        // A node whose record is not stored yet is simply absent (the
        // store answers "missing" if it is asked for).
        let Some((leaf, subtrees)) = by_seq.get(&completing_record(level, n)) else {
            continue;
        };
        let hash = node_from_row(level, leaf, subtrees)
            .ok_or_else(|| anyhow!("stored hash ({level}, {n}) is not 32 bytes or is missing from its record"))?;
        map.insert((level, n), hash);
    }
    Ok(Fetched(map))
}

/// Runs `f` over a recording store to list the nodes it reads, fetches
/// them, and runs it again over the fetched nodes.
async fn with_nodes<T>(conn: &mut PgConnection, f: impl Fn(&StoredTree<&dyn NodeStoreDyn>) -> Result<T>) -> Result<T> {
    // In a block of its own: the recorder is not Send and must not live
    // across the await.
    let wanted = {
        let recorder = Recorder::default();
        let dry = DynStore::Recorder(&recorder);
        f(&StoredTree(&dry as &dyn NodeStoreDyn))?;
        recorder.0.into_inner()
    };
    let fetched = fetch(conn, &wanted).await?;
    let real = DynStore::Fetched(&fetched);
    f(&StoredTree(&real as &dyn NodeStoreDyn))
}

/// A node store either recording or answering (one type for both runs).
pub trait NodeStoreDyn {
    fn node_dyn(&self, level: u8, n: u64) -> Result<Hash>;
}

enum DynStore<'a> {
    Recorder(&'a Recorder),
    Fetched(&'a Fetched),
}

impl NodeStoreDyn for DynStore<'_> {
    fn node_dyn(&self, level: u8, n: u64) -> Result<Hash> {
        match self {
            DynStore::Recorder(r) => Ok(r.node(level, n).unwrap_or_default()),
            DynStore::Fetched(f) => f.node(level, n),
        }
    }
}

impl NodeStore for &dyn NodeStoreDyn {
    type Error = anyhow::Error;
    fn node(&self, level: u8, n: u64) -> Result<Hash> {
        self.node_dyn(level, n)
    }
}

/// The root of the first `size` records.
pub async fn root(conn: &mut PgConnection, size: u64) -> Result<Hash> {
    with_nodes(conn, |t| fog_merkle::tree_root(t, size).map_err(|e| anyhow!("{e:?}"))).await
}

/// Inclusion proof of record `index` in the tree of `size` records.
pub async fn inclusion_proof(conn: &mut PgConnection, index: u64, size: u64) -> Result<Vec<Hash>> {
    with_nodes(conn, |t| {
        fog_merkle::prove_inclusion(t, index, size).map_err(|e| anyhow!("{e:?}"))
    })
    .await
}

/// What a client needs to check that record `index` is in the tree of
/// `size` records: its leaf hash, the inclusion proof and the root, read in
/// one round trip.
pub async fn inclusion_bundle(conn: &mut PgConnection, index: u64, size: u64) -> Result<(Hash, Vec<Hash>, Hash)> {
    with_nodes(conn, |t| {
        let leaf = t.0.node_dyn(0, index)?;
        let proof = fog_merkle::prove_inclusion(t, index, size).map_err(|e| anyhow!("{e:?}"))?;
        let root = fog_merkle::tree_root(t, size).map_err(|e| anyhow!("{e:?}"))?;
        Ok((leaf, proof, root))
    })
    .await
}

/// A consistency proof from `size1` to `size2` with both roots, read in one
/// round trip.
pub async fn consistency_bundle(conn: &mut PgConnection, size1: u64, size2: u64) -> Result<(Vec<Hash>, Hash, Hash)> {
    with_nodes(conn, |t| {
        let proof = fog_merkle::prove_consistency(t, size1, size2).map_err(|e| anyhow!("{e:?}"))?;
        let root1 = fog_merkle::tree_root(t, size1).map_err(|e| anyhow!("{e:?}"))?;
        let root2 = fog_merkle::tree_root(t, size2).map_err(|e| anyhow!("{e:?}"))?;
        Ok((proof, root1, root2))
    })
    .await
}

/// Consistency proof from `size1` to `size2`.
pub async fn consistency_proof(conn: &mut PgConnection, size1: u64, size2: u64) -> Result<Vec<Hash>> {
    with_nodes(conn, |t| {
        fog_merkle::prove_consistency(t, size1, size2).map_err(|e| anyhow!("{e:?}"))
    })
    .await
}
