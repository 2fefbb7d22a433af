//! Verification from the records: every record's leaf hash, its sequence
//! number and hash chain, and the whole tree are recomputed from the
//! records' bytes and compared with every stored hash, every signed
//! checkpoint and every root anchored on-chain. The first record (or
//! stored hash, or checkpoint) that does not match is named.
//!
//! Records stream out of PostgreSQL with binary COPY in ranges; each range
//! is checked on a blocking thread while the next is read.

use anyhow::{anyhow, Result};
use fog_merkle::{node_hash, Hash, NodeStore, StoredTree};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use sqlx::{PgPool, Row};

use super::note;
use super::record::{leaf_hash, Record};
use crate::store::BinaryReader;

/// Records read and checked at a time.
const RANGE: u64 = 100_000;

/// A root the log was anchored with, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anchored {
    /// e.g. `cosmwasm:<contract>` or `evm:<contract>`.
    pub chain: String,
    pub size: u64,
    pub root: Hash,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Also re-serialise every record and require its stored bytes to be
    /// exactly its RFC 8785 form (slower; integrity does not need it, since
    /// the hashes cover the bytes as stored).
    pub canonical: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub records: u64,
    pub root: String,
    pub stored_hashes: u64,
    pub checkpoints: usize,
    pub anchors: usize,
    /// Whether every record's bytes were checked to be canonical.
    pub canonical_checked: bool,
    /// The first thing that does not match, naming the record.
    pub failure: Option<String>,
}

/// Every level of the tree: level 0 the leaves, then pairs up to the top.
struct Levels(Vec<Vec<Hash>>);

impl Levels {
    fn build(leaves: Vec<Hash>) -> Self {
        let mut levels = vec![leaves];
        loop {
            let below = levels.last().expect("at least the leaves");
            if below.len() < 2 {
                break;
            }
            let above: Vec<Hash> = below.chunks_exact(2).map(|p| node_hash(&p[0], &p[1])).collect();
            levels.push(above);
        }
        Levels(levels)
    }
}

impl NodeStore for Levels {
    type Error = anyhow::Error;
    fn node(&self, level: u8, n: u64) -> Result<Hash> {
        self.0
            .get(usize::from(level))
            .and_then(|l| l.get(n as usize))
            .copied()
            .ok_or_else(|| anyhow!("node ({level}, {n}) is beyond the log"))
    }
}

/// What a record says about its place in the log.
#[derive(Deserialize)]
struct Place<'a> {
    seq: u64,
    #[serde(borrow)]
    prev_hash: &'a str,
}

/// One range of records, checked on its own: leaves, and each record's
/// claimed previous leaf (the chain is checked across ranges after).
struct Checked {
    leaves: Vec<Hash>,
    claimed_prev: Vec<Option<Hash>>,
    failure: Option<String>,
}

fn check_range(data: &[u8], first: u64, opts: Options) -> Checked {
    let mut out = Checked {
        leaves: Vec::new(),
        claimed_prev: Vec::new(),
        failure: None,
    };
    let Some(mut rows) = BinaryReader::new(data) else {
        out.failure = Some(format!("records from {first} could not be read"));
        return out;
    };
    let mut expected = first;
    while rows.next_row().is_some() {
        let (Some(seq), Some(bytes), Some(stored_leaf)) = (rows.int8(), rows.field(), rows.field()) else {
            out.failure = Some(format!("record {expected} could not be read"));
            return out;
        };
        let leaf = leaf_hash(bytes);
        let problem = if seq as u64 != expected {
            Some(format!("record {expected} is missing (found {seq})"))
        } else {
            match serde_json::from_slice::<Place>(bytes) {
                Err(e) => Some(format!("record {seq} is not a record: {e}")),
                Ok(p) if p.seq != expected => Some(format!("record {seq} says it is record {}", p.seq)),
                Ok(p) => {
                    out.claimed_prev
                        .push(hex::decode(p.prev_hash).ok().and_then(|b| b.try_into().ok()));
                    if stored_leaf != leaf {
                        Some(format!("record {seq}: its bytes do not hash to its stored leaf hash"))
                    } else if opts.canonical && !is_canonical(bytes) {
                        Some(format!("record {seq}: its bytes are not canonical JSON"))
                    } else {
                        None
                    }
                }
            }
        };
        if problem.is_some() {
            out.failure = problem;
            return out;
        }
        out.leaves.push(leaf);
        expected += 1;
    }
    out
}

fn is_canonical(bytes: &[u8]) -> bool {
    serde_json::from_slice::<Record>(bytes).is_ok_and(|r| r.canonical() == bytes)
}

async fn copy_out(pool: &PgPool, statement: &str) -> Result<Vec<u8>> {
    let mut conn = pool.acquire().await?;
    let mut stream = conn.copy_out_raw(statement).await?;
    let mut data = Vec::new();
    while let Some(chunk) = stream.try_next().await? {
        data.extend_from_slice(&chunk);
    }
    Ok(data)
}

/// Reads and checks every record: the leaves, or the first failure.
async fn records(pool: &PgPool, opts: Options) -> Result<(Vec<Hash>, Option<String>)> {
    // The head, not the records, says how many there are: a deleted last
    // record is then missing rather than silently not there.
    let size: i64 = sqlx::query_scalar("SELECT size FROM audit_head WHERE id = 1")
        .fetch_one(pool)
        .await?;
    let size = size as u64;
    let read = |from: u64| {
        let pool = pool.clone();
        async move {
            copy_out(
                &pool,
                &format!(
                    "COPY (SELECT seq, record, leaf_hash FROM audit_records WHERE seq >= {from} AND seq < {} \
                     ORDER BY seq) TO STDOUT (FORMAT binary)",
                    from + RANGE
                ),
            )
            .await
        }
    };
    let mut leaves: Vec<Hash> = Vec::with_capacity(size as usize);
    let mut prev: Hash = [0u8; 32];
    let mut from = 0u64;
    let mut next = (size > 0).then(|| tokio::spawn(read(0)));
    while let Some(fetching) = next.take() {
        let data = fetching.await??;
        if from + RANGE < size {
            next = Some(tokio::spawn(read(from + RANGE)));
        }
        let first = from;
        let checked = tokio::task::spawn_blocking(move || check_range(&data, first, opts)).await?;
        for (i, claimed) in checked.claimed_prev.iter().enumerate() {
            let seq = first + i as u64;
            if *claimed != Some(prev) {
                let why = if seq == 0 {
                    "record 0 does not start the chain (its prev_hash is not zeros)".to_string()
                } else {
                    format!(
                        "record {seq} does not chain to record {} (one of them was changed)",
                        seq - 1
                    )
                };
                return Ok((leaves, Some(why)));
            }
            if let Some(leaf) = checked.leaves.get(i) {
                prev = *leaf;
            }
        }
        leaves.extend_from_slice(&checked.leaves);
        if checked.failure.is_some() {
            return Ok((leaves, checked.failure));
        }
        if (checked.leaves.len() as u64) < RANGE.min(size - first) {
            return Ok((
                leaves,
                Some(format!("record {} is missing", first + checked.leaves.len() as u64)),
            ));
        }
        from += RANGE;
    }
    let beyond: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM audit_records WHERE seq >= $1)")
        .bind(size as i64)
        .fetch_one(pool)
        .await?;
    if beyond {
        return Ok((
            leaves,
            Some(format!("records from {size} on are beyond the log's head")),
        ));
    }
    Ok((leaves, None))
}

/// Verifies the whole log. `verifier_key` checks the checkpoints'
/// signatures; `anchored` are roots read from the chains.
pub async fn verify(pool: &PgPool, verifier_key: Option<&str>, anchored: &[Anchored]) -> Result<Report> {
    verify_with(pool, verifier_key, anchored, Options::default()).await
}

pub async fn verify_with(
    pool: &PgPool,
    verifier_key: Option<&str>,
    anchored: &[Anchored],
    opts: Options,
) -> Result<Report> {
    let (leaves, mut failure) = records(pool, opts).await?;
    let size = leaves.len() as u64;
    let levels = tokio::task::spawn_blocking(move || Levels::build(leaves)).await?;
    let tree = StoredTree(&levels);
    let root = fog_merkle::tree_root(&tree, size)?;

    // Every stored hash equals the recomputed node.
    let data = copy_out(
        pool,
        "COPY (SELECT level, idx, hash FROM audit_hashes ORDER BY level, idx) TO STDOUT (FORMAT binary)",
    )
    .await?;
    let mut stored = 0u64;
    let mut rows = BinaryReader::new(&data).ok_or_else(|| anyhow!("the stored hashes could not be read"))?;
    while rows.next_row().is_some() {
        stored += 1;
        let (Some(level), Some(idx), Some(h)) = (rows.int2(), rows.int8(), rows.field()) else {
            failure.get_or_insert_with(|| "a stored hash could not be read".into());
            break;
        };
        if failure.is_some() {
            continue;
        }
        let (level, idx) = (level as u8, idx as u64);
        match levels.node(level, idx) {
            Ok(expected) if expected.as_slice() == h => {}
            Ok(_) => {
                let first = idx << level;
                failure = Some(format!(
                    "stored hash ({level}, {idx}) is wrong (over records {first}..{})",
                    first + (1 << level) - 1
                ))
            }
            Err(_) => {
                failure = Some(format!(
                    "stored hash ({level}, {idx}) is beyond the log's {size} records"
                ))
            }
        }
    }
    drop(data);

    let root_at = |s: u64| -> Result<Hash> {
        if s > size {
            return Err(anyhow!("size {s} is beyond the log's {size} records"));
        }
        fog_merkle::tree_root(&tree, s)
    };

    let checkpoints = sqlx::query("SELECT size, root, note FROM audit_checkpoints ORDER BY size")
        .fetch_all(pool)
        .await?;
    for row in &checkpoints {
        if failure.is_some() {
            break;
        }
        let s = row.get::<i64, _>(0) as u64;
        let stored_root: Vec<u8> = row.get(1);
        let text: String = row.get(2);
        let noted = match verifier_key {
            Some(k) => note::verify(&text, k),
            None => text
                .split_once("\n\n")
                .map(|(b, _)| format!("{b}\n"))
                .ok_or_else(|| anyhow!("no body"))
                .and_then(|b| note::parse_body(&b)),
        };
        failure = match (noted, root_at(s)) {
            (Err(e), _) => Some(format!("checkpoint {s}: {e}")),
            (_, Err(e)) => Some(format!("checkpoint {s}: {e}")),
            (Ok(c), Ok(r)) if c.size != s || c.root != r || stored_root != r => Some(format!(
                "checkpoint {s} does not match the records (records 0..{} recompute to {})",
                s.saturating_sub(1),
                hex::encode(r)
            )),
            _ => None,
        };
    }
    for a in anchored {
        if failure.is_some() {
            break;
        }
        match root_at(a.size) {
            Ok(r) if r == a.root => {}
            Ok(r) => {
                failure = Some(format!(
                    "the root anchored on {} at size {} is {}, the records recompute to {}",
                    a.chain,
                    a.size,
                    hex::encode(a.root),
                    hex::encode(r)
                ))
            }
            Err(e) => failure = Some(format!("anchored on {}: {e}", a.chain)),
        }
    }
    Ok(Report {
        records: size,
        root: hex::encode(root),
        stored_hashes: stored,
        checkpoints: checkpoints.len(),
        anchors: anchored.len(),
        canonical_checked: opts.canonical,
        failure,
    })
}
