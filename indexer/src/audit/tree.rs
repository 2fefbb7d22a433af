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

/// Fetches the nodes `(level, n)` in one round trip: level 0 from the
/// records' leaf hashes, the others from `audit_hashes`.
pub async fn fetch(conn: &mut PgConnection, nodes: &[(u8, u64)]) -> Result<Fetched> {
    // Index lookups only, whatever the plan cache holds: a prepared
    // statement's generic plan for a plain join of the wanted nodes with
    // the tables scanned them whole (measured: 87 ms per append batch at
    // 600k records, growing with the log). `LIMIT 1` keeps the lateral
    // subquery from being flattened into such a join.
    let (leaves, inner): (Vec<_>, Vec<_>) = nodes.iter().copied().partition(|(l, _)| *l == 0);
    let seqs: Vec<i64> = leaves.iter().map(|(_, n)| *n as i64).collect();
    let levels: Vec<i16> = inner.iter().map(|(l, _)| i16::from(*l)).collect();
    let idxs: Vec<i64> = inner.iter().map(|(_, n)| *n as i64).collect();
    let rows = sqlx::query(
        "SELECT 0::int2, seq, leaf_hash FROM audit_records WHERE seq = ANY($1) \
         UNION ALL \
         SELECT w.level, w.idx, h.hash FROM UNNEST($2::int2[], $3::int8[]) AS w(level, idx) \
         CROSS JOIN LATERAL (SELECT hash FROM audit_hashes \
           WHERE level = w.level AND idx = w.idx LIMIT 1) h",
    )
    .bind(seqs)
    .bind(levels)
    .bind(idxs)
    .fetch_all(&mut *conn)
    .await?;
    let mut map = HashMap::with_capacity(nodes.len());
    for r in rows {
        let hash: Vec<u8> = r.get(2);
        map.insert(
            (r.get::<i16, _>(0) as u8, r.get::<i64, _>(1) as u64),
            hash.try_into().map_err(|_| anyhow!("a stored hash is not 32 bytes"))?,
        );
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
