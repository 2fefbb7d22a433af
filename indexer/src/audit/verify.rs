//! Verification from the records: every record's leaf hash, its sequence
//! number and hash chain, and the whole tree are recomputed from the
//! records' bytes and compared with every stored hash, every signed
//! checkpoint and every root anchored on-chain. The first record (or
//! stored hash, or checkpoint) that does not match is named.
//!
//! Every connection reads one snapshot of the log (the head, the records,
//! the hashes as of one moment, while appends go on). Records stream out of
//! PostgreSQL by binary COPY from parallel readers, each over a range of
//! the table's pages in storage order, and are checked on blocking threads
//! while more arrive; they are put back in sequence in memory, so storage
//! order does not matter. The stored hashes are read at the same time.

use anyhow::{anyhow, Result};
use fog_merkle::{node_hash, Hash, NodeStore, StoredTree};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use sqlx::{PgPool, Row};

use super::note;
use super::record::{leaf_hash, Record};
use crate::store::binary_copy::complete_rows;
use crate::store::BinaryReader;

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

/// Where a record says it is, read from the end of its canonical bytes,
/// where `prev_hash` and `seq` follow `details` and come before `subject`;
/// `None` for anything else (which then takes the full JSON parser).
fn place_from_tail(bytes: &[u8]) -> Option<(u64, &str)> {
    const KEY: &[u8] = b",\"prev_hash\":\"";
    let at = bytes.windows(KEY.len()).rposition(|w| w == KEY)? + KEY.len();
    let hash = bytes.get(at..at + 64)?;
    let rest = bytes.get(at + 64..)?.strip_prefix(b"\",\"seq\":")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    rest.get(digits..)?.strip_prefix(b",\"subject\":")?;
    let seq = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
    Some((seq, std::str::from_utf8(hash).ok()?))
}

/// A record as read and checked on its own: where it says it is, its leaf
/// and the leaf it claims comes before it.
struct Read {
    seq: u64,
    leaf: Hash,
    claimed_prev: Option<Hash>,
}

/// What one batch of rows gave: the records, and the problems of records
/// by sequence number.
#[derive(Default)]
struct Checked {
    records: Vec<Read>,
    problems: Vec<(u64, String)>,
    unreadable: bool,
}

/// Checks rows `(seq, record, leaf_hash)` (binary COPY, no header): each
/// record's leaf, the sequence number it states and the hash it chains to.
/// Rows come in any order; [`Records`] puts them in sequence.
fn check_rows(rows: &[u8], opts: Options) -> Checked {
    let mut out = Checked::default();
    let mut reader = BinaryReader::rows_only(rows);
    while reader.next_row().is_some() {
        let (Some(seq), Some(bytes), Some(stored_leaf)) = (reader.int8(), reader.field(), reader.field()) else {
            out.unreadable = true;
            return out;
        };
        let seq = seq as u64;
        let leaf = leaf_hash(bytes);
        let place = match place_from_tail(bytes) {
            Some((seq, prev_hash)) => Ok(Place { seq, prev_hash }),
            None => serde_json::from_slice::<Place>(bytes),
        };
        let problem = match place {
            Err(e) => Some(format!("record {seq} is not a record: {e}")),
            Ok(p) if p.seq != seq => Some(format!("record {seq} says it is record {}", p.seq)),
            Ok(p) => {
                out.records.push(Read {
                    seq,
                    leaf,
                    claimed_prev: hex::decode(p.prev_hash).ok().and_then(|b| b.try_into().ok()),
                });
                if stored_leaf != leaf {
                    Some(format!("record {seq}: its bytes do not hash to its stored leaf hash"))
                } else if opts.canonical && !is_canonical(bytes) {
                    Some(format!("record {seq}: its bytes are not canonical JSON"))
                } else {
                    None
                }
            }
        };
        if let Some(p) = problem {
            out.problems.push((seq, p));
        }
    }
    out
}

fn is_canonical(bytes: &[u8]) -> bool {
    serde_json::from_slice::<Record>(bytes).is_ok_and(|r| r.canonical() == bytes)
}

/// Parallel readers of the records: each takes a range of the table's
/// pages (a TID range scan, in storage order, far cheaper for PostgreSQL
/// than walking the primary key) and checks what it reads on blocking
/// threads while the next bytes arrive.
const READERS: u32 = 2;
/// Connections verify holds at once: the snapshot's, the record readers'
/// and the stored hashes' reader. A smaller pool serialises the readers.
pub const CONNECTIONS: u32 = READERS + 2;
/// Bytes of rows checked at a time.
const BATCH_BYTES: usize = 8 << 20;

/// One consistent view of the log for every connection verify opens: the
/// head, the records and the stored hashes as of one moment, even while
/// appends go on (PostgreSQL's exported snapshots).
struct Snapshot {
    /// The exporting transaction, which must stay open while others import.
    _holder: sqlx::Transaction<'static, sqlx::Postgres>,
    id: String,
    size: u64,
    pages: u64,
}

impl Snapshot {
    async fn take(pool: &PgPool) -> Result<Self> {
        let mut holder = begin_repeatable_read(pool).await?;
        let id: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
            .fetch_one(&mut *holder)
            .await?;
        let size: i64 = sqlx::query_scalar("SELECT size FROM audit_head WHERE id = 1")
            .fetch_one(&mut *holder)
            .await?;
        let pages: i64 =
            sqlx::query_scalar("SELECT pg_relation_size('audit_records') / current_setting('block_size')::bigint")
                .fetch_one(&mut *holder)
                .await?;
        Ok(Self {
            _holder: holder,
            id,
            size: size as u64,
            pages: pages as u64,
        })
    }

    /// A read-only transaction seeing exactly this snapshot.
    async fn join(&self, pool: &PgPool) -> Result<sqlx::Transaction<'static, sqlx::Postgres>> {
        let mut tx = begin_repeatable_read(pool).await?;
        // The id is PostgreSQL's own (hex digits and dashes), not input.
        sqlx::query(&format!("SET TRANSACTION SNAPSHOT '{}'", self.id))
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }
}

/// A read-only transaction that sees one snapshot from its first query on.
async fn begin_repeatable_read(pool: &PgPool) -> Result<sqlx::Transaction<'static, sqlx::Postgres>> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// Streams `statement` (a binary COPY out) in batches of whole rows, each
/// checked by `check` on a blocking thread while the next is read.
async fn stream_checked<T: Send + 'static>(
    tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    statement: &str,
    check: impl Fn(Vec<u8>) -> T + Send + Sync + Clone + 'static,
) -> Result<Vec<T>> {
    let mut stream = tx.copy_out_raw(statement).await?;
    let mut buf: Vec<u8> = Vec::with_capacity(BATCH_BYTES + (1 << 16));
    let mut header_done = false;
    let mut running: Option<tokio::task::JoinHandle<T>> = None;
    let mut done = Vec::new();
    let mut ended = false;
    while !ended {
        match stream.try_next().await? {
            Some(chunk) => buf.extend_from_slice(&chunk),
            None => ended = true,
        }
        if !header_done {
            match BinaryReader::header_len(&buf) {
                Some(n) => {
                    buf.drain(..n);
                    header_done = true;
                }
                None if ended => return Err(anyhow!("the database sent no binary COPY header")),
                None => continue,
            }
        }
        if buf.len() < BATCH_BYTES && !ended {
            continue;
        }
        let cut = if ended { buf.len() } else { complete_rows(&buf) };
        let rest = buf.split_off(cut);
        let batch = std::mem::replace(&mut buf, rest);
        if let Some(previous) = running.take() {
            done.push(previous.await?);
        }
        let check = check.clone();
        running = Some(tokio::task::spawn_blocking(move || check(batch)));
    }
    if let Some(last) = running {
        done.push(last.await?);
    }
    Ok(done)
}

/// The records in sequence: each one's leaf and claimed predecessor.
struct Records {
    leaves: Vec<Hash>,
    claimed_prev: Vec<Option<Hash>>,
    seen: Vec<bool>,
    /// The first problem by sequence number (a record's, or the log's).
    problem: Option<(u64, String)>,
}

impl Records {
    fn new(size: u64) -> Self {
        let n = size as usize;
        Self {
            leaves: vec![[0u8; 32]; n],
            claimed_prev: vec![None; n],
            seen: vec![false; n],
            problem: None,
        }
    }

    fn note(&mut self, seq: u64, why: String) {
        if self.problem.as_ref().is_none_or(|(s, _)| seq < *s) {
            self.problem = Some((seq, why));
        }
    }

    fn add(&mut self, checked: Checked) {
        let size = self.leaves.len() as u64;
        if checked.unreadable {
            self.note(0, "the records could not be read".into());
        }
        for (seq, why) in checked.problems {
            self.note(seq, why);
        }
        for r in checked.records {
            let i = r.seq as usize;
            if r.seq >= size {
                self.note(
                    size,
                    format!(
                        "records from {size} on are beyond the log's head (found record {})",
                        r.seq
                    ),
                );
            } else if self.seen[i] {
                self.note(r.seq, format!("record {} is stored twice", r.seq));
            } else {
                self.seen[i] = true;
                self.leaves[i] = r.leaf;
                self.claimed_prev[i] = r.claimed_prev;
            }
        }
    }

    /// Every record present, each chaining to the one before; the problem,
    /// if any, with the first record it names.
    fn finish(mut self) -> (Vec<Hash>, Option<(u64, String)>) {
        let stop = self.problem.as_ref().map_or(self.leaves.len() as u64, |(s, _)| *s) as usize;
        for i in 0..stop.min(self.leaves.len()) {
            let why = if !self.seen[i] {
                format!("record {i} is missing")
            } else if self.claimed_prev[i] != Some(if i == 0 { [0u8; 32] } else { self.leaves[i - 1] }) {
                if i == 0 {
                    "record 0 does not start the chain (its prev_hash is not zeros)".to_string()
                } else {
                    format!(
                        "record {i} does not chain to record {} (one of them was changed)",
                        i - 1
                    )
                }
            } else {
                continue;
            };
            self.note(i as u64, why);
            break;
        }
        (self.leaves, self.problem)
    }
}

/// Reads and checks every record of the snapshot: the leaves in sequence,
/// or the first failure.
async fn records(pool: &PgPool, snapshot: &Snapshot, opts: Options) -> Result<(Vec<Hash>, Option<(u64, String)>)> {
    let share = snapshot.pages.div_ceil(u64::from(READERS)).max(1);
    let mut readers = Vec::new();
    for i in 0..u64::from(READERS) {
        let from = i * share;
        // The last range is open: pages added since the size was read hold
        // nothing this snapshot sees, but nothing is left out either.
        let upper = if i + 1 == u64::from(READERS) {
            String::new()
        } else {
            format!(" AND ctid < '({},0)'::tid", from + share)
        };
        let statement = format!(
            "COPY (SELECT seq, record, leaf_hash FROM audit_records WHERE ctid >= '({from},0)'::tid{upper}) \
             TO STDOUT (FORMAT binary)"
        );
        let mut tx = snapshot.join(pool).await?;
        readers.push(tokio::spawn(async move {
            stream_checked(&mut tx, &statement, move |rows| check_rows(&rows, opts)).await
        }));
    }
    let mut all = Records::new(snapshot.size);
    for reader in readers {
        for checked in reader.await?? {
            all.add(checked);
        }
    }
    Ok(all.finish())
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
    let snapshot = Snapshot::take(pool).await?;
    // The stored hashes are read while the records are.
    let hashes = tokio::spawn(read_stored_hashes(snapshot.join(pool).await?));
    let (leaves, problem) = records(pool, &snapshot, opts).await?;
    let size = leaves.len() as u64;
    // What the report calls verified: the records before the first one
    // that fails (its root is the root of that prefix).
    let verified = problem.as_ref().map_or(size, |(seq, _)| (*seq).min(size));
    let mut failure = problem.map(|(_, why)| why);
    let levels = tokio::task::spawn_blocking(move || Levels::build(leaves)).await?;
    let tree = StoredTree(&levels);
    let root = fog_merkle::tree_root(&tree, size)?;

    // Every stored hash equals the recomputed node.
    let stored_list = match hashes.await? {
        Ok(list) => list,
        Err(e) => {
            failure.get_or_insert_with(|| format!("the stored hashes could not be read: {e}"));
            Vec::new()
        }
    };
    let stored = stored_list.len() as u64;
    if failure.is_none() {
        failure = first_wrong_hash(&levels, size, stored_list);
    }

    let root_at = |s: u64| -> Result<Hash> {
        if s > size {
            return Err(anyhow!("size {s} is beyond the log's {size} records"));
        }
        fog_merkle::tree_root(&tree, s)
    };

    let checkpoints = sqlx::query("SELECT size, root, note FROM audit_checkpoints ORDER BY size")
        .fetch_all(&mut *snapshot.join(pool).await?)
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
    let root = if verified == size { root } else { root_at(verified)? };
    Ok(Report {
        records: verified,
        root: hex::encode(root),
        stored_hashes: stored,
        checkpoints: checkpoints.len(),
        anchors: anchored.len(),
        canonical_checked: opts.canonical,
        failure,
    })
}

async fn read_stored_hashes(mut tx: sqlx::Transaction<'static, sqlx::Postgres>) -> Result<Vec<(u8, u64, Vec<u8>)>> {
    let batches = stream_checked(
        &mut tx,
        "COPY (SELECT level, idx, hash FROM audit_hashes) TO STDOUT (FORMAT binary)",
        |rows| {
            let mut out = Vec::new();
            let mut reader = BinaryReader::rows_only(&rows);
            while reader.next_row().is_some() {
                match (reader.int2(), reader.int8(), reader.field()) {
                    (Some(level), Some(idx), Some(h)) => out.push(Some((level as u8, idx as u64, h.to_vec()))),
                    _ => {
                        out.push(None);
                        break;
                    }
                }
            }
            out
        },
    )
    .await?;
    batches
        .into_iter()
        .flatten()
        .map(|h| h.ok_or_else(|| anyhow!("a stored hash could not be read")))
        .collect()
}

/// The stored hash (lowest level, then index) that differs from the
/// recomputed tree, named.
fn first_wrong_hash(levels: &Levels, size: u64, mut stored: Vec<(u8, u64, Vec<u8>)>) -> Option<String> {
    stored.sort_unstable_by_key(|(level, idx, _)| (*level, *idx));
    for (level, idx, h) in stored {
        match levels.node(level, idx) {
            Ok(expected) if expected.as_slice() == h => {}
            Ok(_) => {
                let first = idx << level;
                return Some(format!(
                    "stored hash ({level}, {idx}) is wrong (over records {first}..{})",
                    first + (1 << level) - 1
                ));
            }
            Err(_) => {
                return Some(format!(
                    "stored hash ({level}, {idx}) is beyond the log's {size} records"
                ))
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Entry;

    #[test]
    fn the_tail_of_a_record_says_where_it_is_as_its_json_does() {
        let entry = Entry {
            time: chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            actor: "inj1actor".into(),
            action: "governance.vote_cast".into(),
            // Look-alikes inside details and subject must not be taken.
            subject: r#"proposal/1","prev_hash":"00","seq":9,"subject":"x"#.into(),
            details: serde_json::json!({"prev_hash": "ff".repeat(32), "seq": 5, "nested": {"prev_hash": "ee"}}),
            tags: vec!["SOX".into()],
        };
        for seq in [0u64, 7, 123_456_789] {
            let bytes = Record::new(seq, &entry, &[0xab; 32]).canonical();
            let parsed: Place = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(place_from_tail(&bytes), Some((parsed.seq, parsed.prev_hash)));
            assert_eq!(parsed.seq, seq);
        }
        for garbage in [&b""[..], b"{}", b"not json", br#"{"prev_hash":"ab","seq":1}"#] {
            assert_eq!(place_from_tail(garbage), None, "{garbage:?}");
        }
    }
}
