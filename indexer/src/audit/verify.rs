//! Verification from the records: every record's leaf hash, its sequence
//! number and hash chain, and the whole tree are recomputed from the
//! records' bytes and compared with every stored hash, every signed
//! checkpoint and every root anchored on-chain. The first record (or
//! stored hash, or checkpoint) that does not match is named.
//!
//! Every connection reads one snapshot of the log (the head and the
//! records as of one moment, while appends go on). Records, each with its
//! stored leaf and subtree hashes, stream out of PostgreSQL by binary COPY
//! from parallel readers, each over a range of the table's pages in storage
//! order, and are checked on blocking threads while more arrive; they are
//! put back in sequence in memory, so storage order does not matter.

use std::ops::Range;
use std::sync::{Arc, Mutex};

use anyhow::{anyhow, Result};
use fog_merkle::{node_hash, Hash, NodeStore, StoredTree};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use sqlx::{PgPool, Row};

use super::note;
use super::record::{leaf_hash, Record};
use super::tree::{completed_node, completing_record};
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
pub struct Options<'a> {
    /// The log every checkpoint must name (its origin line); `None`: the
    /// first checkpoint's, so they must at least all agree.
    pub origin: Option<&'a str>,
    /// Parse every record in full and require its stored bytes to be
    /// exactly its RFC 8785 form. Without it a record's place (`seq`,
    /// `prev_hash`) is read from the end of its bytes, which must end the
    /// way a record does; bytes that end so but are not JSON before it then
    /// go unnoticed (their hash still covers them). Slower.
    pub strict: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub records: u64,
    pub root: String,
    pub stored_hashes: u64,
    pub checkpoints: usize,
    pub anchors: usize,
    /// The log the checkpoints name.
    pub origin: Option<String>,
    /// Whether every record's bytes were parsed in full and checked to be
    /// canonical (`Options::strict`).
    pub canonical_checked: bool,
    /// The first thing that does not match, naming the record.
    pub failure: Option<String>,
}

/// Every level of the tree: level 0 the leaves, then pairs up to the top.
/// Level `l` of `n` leaves holds `n >> l` nodes.
struct Levels(Vec<Vec<Hash>>);

/// Below this many nodes a level is hashed on one thread.
const PARALLEL_LEVEL: usize = 1 << 14;

impl Levels {
    /// Large levels are hashed by two threads, one per half.
    fn build(leaves: Vec<Hash>) -> Self {
        let mut levels = vec![leaves];
        loop {
            let below = levels.last().expect("at least the leaves");
            if below.len() < 2 {
                break;
            }
            let mut above = vec![[0u8; 32]; below.len() / 2];
            if above.len() < PARALLEL_LEVEL {
                pair_up(below, &mut above);
            } else {
                let half = above.len() / 2;
                let (above_left, above_right) = above.split_at_mut(half);
                let (below_left, below_right) = below.split_at(2 * half);
                std::thread::scope(|s| {
                    s.spawn(|| pair_up(below_left, above_left));
                    pair_up(below_right, above_right);
                });
            }
            levels.push(above);
        }
        Levels(levels)
    }
}

/// Each node of `above` from its two children in `below`.
fn pair_up(below: &[Hash], above: &mut [Hash]) {
    for (node, pair) in above.iter_mut().zip(below.chunks_exact(2)) {
        *node = node_hash(&pair[0], &pair[1]);
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
/// `None` for anything else (which then takes the full JSON parser). What
/// follows `seq` must be exactly a record's end (`subject`, `tags`, `time`
/// and the closing brace, strings checked), so a look-alike nested in the
/// record's values, which needs a second closing brace, is not taken for
/// its place: the full parser then reads the real one.
fn place_from_tail(bytes: &[u8]) -> Option<(u64, &str)> {
    if !bytes.starts_with(b"{\"action\":\"") {
        return None;
    }
    const KEY: &[u8] = b",\"prev_hash\":\"";
    // The last `_` is almost always the key's own (SIMD search for one
    // byte, then a comparison), so the scan from the end stays short.
    const UNDERSCORE_AT: usize = 6;
    let at = memchr::memrchr_iter(b'_', bytes)
        .filter_map(|i| i.checked_sub(UNDERSCORE_AT))
        .find(|&start| bytes[start..].starts_with(KEY))?
        + KEY.len();
    let hash = bytes.get(at..at + 64)?;
    let rest = bytes.get(at + 64..)?.strip_prefix(b"\",\"seq\":")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let tail = rest.get(digits..)?.strip_prefix(b",\"subject\":")?;
    if !is_record_end(tail) {
        return None;
    }
    let seq = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
    Some((seq, std::str::from_utf8(hash).ok()?))
}

/// Whether `b` is `<string>,"tags":[<string>,...],"time":<string>}` and
/// nothing more: the end of a record after `"subject":`.
fn is_record_end(b: &[u8]) -> bool {
    fn end(b: &[u8]) -> Option<()> {
        let b = b.get(json_string_len(b)?..)?.strip_prefix(b",\"tags\":[")?;
        let mut b = b;
        if let Some(after) = b.strip_prefix(b"]") {
            b = after;
        } else {
            loop {
                b = b.get(json_string_len(b)?..)?;
                match b.split_first()? {
                    (b',', after) => b = after,
                    (b']', after) => {
                        b = after;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        let b = b.strip_prefix(b",\"time\":")?;
        (b.get(json_string_len(b)?..)? == b"}").then_some(())
    }
    end(b).is_some()
}

/// The length of the JSON string `b` starts with, quotes included; `None`
/// if it does not start with one (RFC 8259: no raw control characters,
/// only the defined escapes).
fn json_string_len(b: &[u8]) -> Option<usize> {
    if b.first() != Some(&b'"') {
        return None;
    }
    let mut i = 1;
    loop {
        match *b.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => match *b.get(i + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                b'u' if b.get(i + 2..i + 6)?.iter().all(u8::is_ascii_hexdigit) => i += 6,
                _ => return None,
            },
            0..=0x1f => return None,
            _ => i += 1,
        }
    }
}

/// Each byte's value as a hex digit (either case); 0xff if it is none.
const HEX_DIGITS: [u8; 256] = {
    let mut table = [0xffu8; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// A hash from its 64 hex digits. A table lookup per digit and no branch
/// per byte: the general decoder's checks were a fifth of verify's CPU
/// beside the hashing.
fn decode_hash(hex: &[u8]) -> Option<Hash> {
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    let mut invalid = 0u8;
    for (byte, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        let (high, low) = (HEX_DIGITS[usize::from(pair[0])], HEX_DIGITS[usize::from(pair[1])]);
        invalid |= high | low;
        *byte = (high << 4) | (low & 0x0f);
    }
    (invalid & 0xf0 == 0).then_some(out)
}

/// A record as read and checked on its own: where it says it is, its leaf
/// and its stored subtree hashes (a range of [`Checked::subtrees`]).
struct Read {
    seq: u64,
    leaf: Hash,
    subtrees: Range<usize>,
}

/// The leaf a record says comes before it (`None`: not a hash).
type Claim = (u64, Option<Hash>);

fn chain_break(seq: u64) -> String {
    match seq {
        0 => "record 0 does not start the chain (its prev_hash is not zeros)".to_string(),
        _ => format!(
            "record {seq} does not chain to record {} (one of them was changed)",
            seq - 1
        ),
    }
}

/// What one batch of rows gave: the records, and the problems of records
/// by sequence number.
#[derive(Default)]
struct Checked {
    records: Vec<Read>,
    /// The stored subtree hashes of every record of the batch, end to end.
    subtrees: Vec<u8>,
    /// Claims the batch could not check: records whose predecessor is not
    /// the row before them (the first of a batch, or out of order).
    unchained: Vec<Claim>,
    problems: Vec<(u64, String)>,
    /// Records that do not chain to the row before them.
    breaks: Vec<u64>,
    unreadable: bool,
}

/// Bytes a row takes at least (a short record): sizes the batch's list.
const MIN_ROW_BYTES: usize = 256;

/// Checks rows `(seq, record, leaf_hash, subtree_hashes)` (binary COPY, no
/// header): each record's leaf, the sequence number it states and the hash
/// it chains to. Rows come in any order, mostly in sequence (storage
/// order): a record following its predecessor is chained here, the others
/// by [`Records`], which puts them all in sequence.
fn check_rows(rows: &[u8], strict: bool) -> Checked {
    let mut out = Checked {
        records: Vec::with_capacity(rows.len() / MIN_ROW_BYTES),
        ..Checked::default()
    };
    let mut previous: Option<(u64, Hash)> = None;
    let mut reader = BinaryReader::rows_only(rows);
    while reader.next_row().is_some() {
        let (Some(seq), Some(bytes), Some(stored_leaf), Some(subtrees)) =
            (reader.int8(), reader.field(), reader.field(), reader.field())
        else {
            out.unreadable = true;
            return out;
        };
        let seq = seq as u64;
        let leaf = leaf_hash(bytes);
        let fast = if strict { None } else { place_from_tail(bytes) };
        let place = match fast {
            Some((seq, prev_hash)) => Ok(Place { seq, prev_hash }),
            None => serde_json::from_slice::<Place>(bytes),
        };
        let problem = match place {
            Err(e) => Some(format!("record {seq} is not a record: {e}")),
            Ok(p) if p.seq != seq => Some(format!("record {seq} says it is record {}", p.seq)),
            Ok(p) => {
                let claimed_prev = decode_hash(p.prev_hash.as_bytes());
                let chained = match previous {
                    Some((prev_seq, prev_leaf)) if prev_seq.checked_add(1) == Some(seq) => {
                        Some(claimed_prev == Some(prev_leaf))
                    }
                    _ => None,
                };
                match chained {
                    Some(true) => {}
                    Some(false) => out.breaks.push(seq),
                    None => out.unchained.push((seq, claimed_prev)),
                }
                previous = Some((seq, leaf));
                let start = out.subtrees.len();
                out.subtrees.extend_from_slice(subtrees);
                out.records.push(Read {
                    seq,
                    leaf,
                    subtrees: start..out.subtrees.len(),
                });
                if stored_leaf != leaf {
                    Some(format!("record {seq}: its bytes do not hash to its stored leaf hash"))
                } else if strict && !is_canonical(bytes) {
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
/// Connections verify holds at once: the snapshot's and the record
/// readers'. A smaller pool serialises the readers.
pub const CONNECTIONS: u32 = READERS + 1;
/// Bytes of rows checked at a time.
const BATCH_BYTES: usize = 8 << 20;
/// A batch buffer's size: a batch and the row that completes it.
const BATCH_CAPACITY: usize = BATCH_BYTES + (1 << 16);

/// One consistent view of the log for every connection verify opens: the
/// head, the records and the stored hashes as of one moment, even while
/// appends go on (PostgreSQL's exported snapshots).
struct Snapshot {
    /// The exporting transaction, which must stay open while others import.
    _holder: sqlx::Transaction<'static, sqlx::Postgres>,
    id: String,
    /// Records in the snapshot.
    size: u64,
    pages: u64,
    /// What the log's head row says, when it disagrees with the records:
    /// the head is the one log table the service may update, and the next
    /// append chains to its `last_leaf`.
    head: Head,
}

struct Head {
    size: i64,
    last_leaf: Vec<u8>,
}

impl Snapshot {
    async fn take(pool: &PgPool) -> Result<Self> {
        let mut holder = begin_repeatable_read(pool).await?;
        let id: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
            .fetch_one(&mut *holder)
            .await?;
        let (head_size, last_leaf): (i64, Vec<u8>) =
            sqlx::query_as("SELECT size, last_leaf FROM audit_head WHERE id = 1")
                .fetch_one(&mut *holder)
                .await?;
        // Neither a head of 10^12 nor a stray record numbered 10^12 may size
        // the work: it covers what both the head and the count of records
        // allow, records past it are named as beyond the log's head, and a
        // head that claims more records than exist is named after reading.
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_records")
            .fetch_one(&mut *holder)
            .await?;
        let size = count.min(head_size.max(0));
        let pages: i64 =
            sqlx::query_scalar("SELECT pg_relation_size('audit_records') / current_setting('block_size')::bigint")
                .fetch_one(&mut *holder)
                .await?;
        Ok(Self {
            _holder: holder,
            id,
            size: size as u64,
            pages: pages as u64,
            head: Head {
                size: head_size,
                last_leaf,
            },
        })
    }

    /// A read-only transaction seeing exactly this snapshot.
    /// Owns what it needs, so a task of its own can connect.
    fn join(
        &self,
        pool: &PgPool,
    ) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, sqlx::Postgres>>> + Send + 'static {
        let (pool, id) = (pool.clone(), self.id.clone());
        async move {
            let mut tx = begin_repeatable_read(&pool).await?;
            // The id is PostgreSQL's own (hex digits and dashes), not input.
            sqlx::query(&format!("SET TRANSACTION SNAPSHOT '{id}'"))
                .execute(&mut *tx)
                .await?;
            Ok(tx)
        }
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
async fn stream_checked(
    tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    statement: &str,
    check: impl Fn(&[u8]) + Send + Sync + Clone + 'static,
) -> Result<()> {
    let mut stream = tx.copy_out_raw(statement).await?;
    // Two buffers take turns, one filling while the other is checked:
    // fresh ones grown to 8 MiB by doubling cost a copy and page faults
    // per batch.
    let mut buf: Vec<u8> = Vec::with_capacity(BATCH_CAPACITY);
    let mut spare: Option<Vec<u8>> = None;
    let mut header_done = false;
    // Where the last complete row in `buf` ends, followed as bytes arrive
    // (while they are still in cache; walking the batch's rows once it is
    // full cost as much as checking them).
    let mut complete = 0usize;
    // The batch being checked; its task hands the buffer back.
    let mut running: Option<tokio::task::JoinHandle<Vec<u8>>> = None;
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
        complete += complete_rows(&buf[complete..]);
        if buf.len() < BATCH_BYTES && !ended {
            continue;
        }
        let cut = if ended { buf.len() } else { complete };
        complete = 0;
        if let Some(previous) = running.take() {
            spare = Some(previous.await?);
        }
        let mut next = spare.take().unwrap_or_else(|| Vec::with_capacity(BATCH_CAPACITY));
        next.clear();
        next.extend_from_slice(&buf[cut..]);
        buf.truncate(cut);
        let batch = std::mem::replace(&mut buf, next);
        let check = check.clone();
        running = Some(tokio::task::spawn_blocking(move || {
            check(&batch);
            batch
        }));
    }
    if let Some(last) = running {
        last.await?;
    }
    Ok(())
}

/// The records in sequence: each one's leaf, the claims of predecessors
/// their batches could not check, and the stored tree: `stored[l]` holds level `l`'s nodes as the records
/// completing them store them (`stored[0]` is unused: level 0 is the
/// leaves, checked record by record).
struct Records {
    leaves: Vec<Hash>,
    unchained: Vec<Claim>,
    seen: Vec<bool>,
    stored: Vec<Vec<Hash>>,
    /// Stored subtree hashes filed (those of records with the right number).
    filed: u64,
    /// The first problem by sequence number (a record's, or the log's).
    problem: Option<(u64, String)>,
    /// The problem is a chain break: record `seq` or the one before it
    /// was changed, so neither counts as verified.
    problem_is_break: bool,
}

/// What verify found in the records: the leaves in sequence, the stored
/// tree, and the first problem.
struct Found {
    leaves: Vec<Hash>,
    stored: Vec<Vec<Hash>>,
    /// How many stored subtree hashes were read and filed.
    filed: u64,
    problem: Option<(u64, String)>,
    problem_is_break: bool,
}

impl Records {
    fn new(size: u64) -> Self {
        let n = size as usize;
        let levels = if n < 2 { 1 } else { n.ilog2() as usize + 1 };
        Self {
            leaves: vec![[0u8; 32]; n],
            unchained: Vec::new(),
            seen: vec![false; n],
            stored: (0..levels)
                .map(|l| vec![[0u8; 32]; if l == 0 { 0 } else { n >> l }])
                .collect(),
            filed: 0,
            problem: None,
            problem_is_break: false,
        }
    }

    fn note(&mut self, seq: u64, why: String) {
        self.note_kind(seq, why, false);
    }

    /// Record `seq` does not chain to the one before: one of the two was
    /// changed, and the bytes cannot say which.
    fn note_break(&mut self, seq: u64) {
        self.note_kind(seq, chain_break(seq), seq > 0);
    }

    fn note_kind(&mut self, seq: u64, why: String, is_break: bool) {
        if self.problem.as_ref().is_none_or(|(s, _)| seq < *s) {
            self.problem = Some((seq, why));
            self.problem_is_break = is_break;
        }
    }

    fn add(&mut self, checked: Checked) {
        let size = self.leaves.len() as u64;
        if checked.unreadable {
            self.note(0, "the records could not be read".into());
        }
        // A record's chain break was found before its own other problems,
        // and is named first on the same record.
        for seq in checked.breaks {
            self.note_break(seq);
        }
        for (seq, why) in checked.problems {
            self.note(seq, why);
        }
        self.unchained.extend(checked.unchained);
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
                self.store_subtrees(r.seq, &checked.subtrees[r.subtrees]);
            }
        }
    }

    /// Files the subtree hashes record `seq` stores: one per subtree its
    /// leaf completes, levels 1 and up.
    fn store_subtrees(&mut self, seq: u64, bytes: &[u8]) {
        let completed = seq.trailing_ones() as usize;
        if bytes.len() != 32 * completed {
            self.note(
                seq,
                format!(
                    "record {seq}: its stored subtree hashes are {} bytes, {} expected",
                    bytes.len(),
                    32 * completed
                ),
            );
            return;
        }
        for (level, hash) in (1u8..).zip(bytes.chunks_exact(32)) {
            let idx = completed_node(seq, level) as usize;
            self.stored[usize::from(level)][idx].copy_from_slice(hash);
        }
        self.filed += completed as u64;
    }

    /// Every record present, each chaining to the one before; the problem,
    /// if any, with the first record it names.
    fn finish(mut self) -> Found {
        if let Some(i) = self.seen.iter().position(|seen| !seen) {
            self.note(i as u64, format!("record {i} is missing"));
        }
        for (seq, claimed) in std::mem::take(&mut self.unchained) {
            // Records beyond the head are named by `add`.
            let i = seq as usize;
            if i >= self.leaves.len() {
                continue;
            }
            let expected = match i {
                0 => Some([0u8; 32]),
                _ => self.seen[i - 1].then(|| self.leaves[i - 1]),
            };
            // A missing predecessor is named as missing, above.
            if expected.is_some() && claimed != expected {
                self.note_break(seq);
            }
        }
        Found {
            leaves: self.leaves,
            stored: self.stored,
            filed: self.filed,
            problem: self.problem,
            problem_is_break: self.problem_is_break,
        }
    }
}

/// Reads and checks every record of the snapshot: the leaves in sequence,
/// the stored tree, or the first failure. Each batch is filed in sequence
/// as soon as it is checked.
async fn records(pool: &PgPool, snapshot: &Snapshot, strict: bool) -> Result<Found> {
    let all = Arc::new(Mutex::new(Records::new(snapshot.size)));
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
            "COPY (SELECT seq, record, leaf_hash, subtree_hashes FROM audit_records \
             WHERE ctid >= '({from},0)'::tid{upper}) TO STDOUT (FORMAT binary)"
        );
        let joining = snapshot.join(pool);
        let all = all.clone();
        readers.push(tokio::spawn(async move {
            // Each reader connects while the others already read.
            let mut tx = joining.await?;
            stream_checked(&mut tx, &statement, move |rows| {
                let checked = check_rows(rows, strict);
                all.lock().expect("no reader panicked while filing").add(checked);
            })
            .await
        }));
    }
    // A reader that fails stops the others (they would read on for nobody).
    let mut failed = None;
    for reader in &mut readers {
        match reader.await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => failed = Some(e),
            Err(e) => failed = Some(e.into()),
        }
        if failed.is_some() {
            break;
        }
    }
    if let Some(e) = failed {
        readers.iter().for_each(|r| r.abort());
        return Err(e);
    }
    let all = Arc::into_inner(all)
        .ok_or_else(|| anyhow!("a reader still holds the records"))?
        .into_inner()
        .map_err(|_| anyhow!("a reader panicked while filing records"))?;
    Ok(all.finish())
}

/// Verifies the whole log. `verifier_key` checks the checkpoints'
/// signatures; `anchored` are roots read from the chains.
pub async fn verify(pool: &PgPool, verifier_key: Option<&str>, anchored: &[Anchored]) -> Result<Report> {
    verify_with(pool, verifier_key, anchored, Options::default()).await
}

/// The checkpoint of `note` if one of `keys` (verifier keys, one per line:
/// a log's keys before and after a rotation) signed it.
fn verify_by_any(note: &str, keys: &str) -> Result<note::Checkpoint> {
    let mut refused = None;
    for key in keys.lines().map(str::trim).filter(|k| !k.is_empty()) {
        match note::verify(note, key) {
            Ok(c) => return Ok(c),
            Err(e) => refused = Some(e),
        }
    }
    Err(refused.unwrap_or_else(|| anyhow!("no verifier key given")))
}

/// [`verify`], with [`Options`]: the origin the checkpoints must name, and
/// whether to check each record's JSON in full. `verifier_key` may hold
/// several keys, one per line: a checkpoint signed by any of them passes.
pub async fn verify_with(
    pool: &PgPool,
    verifier_key: Option<&str>,
    anchored: &[Anchored],
    opts: Options<'_>,
) -> Result<Report> {
    let snapshot = Snapshot::take(pool).await?;
    let Found {
        leaves,
        stored,
        filed,
        problem,
        problem_is_break,
    } = records(pool, &snapshot, opts.strict).await?;
    let size = leaves.len() as u64;
    let levels = tokio::task::spawn_blocking(move || Levels::build(leaves)).await?;
    let tree = StoredTree(&levels);
    let root = fog_merkle::tree_root(&tree, size)?;

    // Every stored hash equals the recomputed node. A wrong one kept by an
    // earlier record than the first record found wrong comes first; on the
    // same record, the record's own problem says more.
    let problem = match (problem, first_wrong_stored_hash(&levels, &stored)) {
        (Some((seq, why)), Some((keeper, _))) if seq <= keeper => Some((seq, why, problem_is_break)),
        (problem, None) => problem.map(|(seq, why)| (seq, why, problem_is_break)),
        (_, wrong_hash) => wrong_hash.map(|(seq, why)| (seq, why, false)),
    };
    drop(stored);
    // What the report calls verified: the records before the first one
    // that fails (its root is the root of that prefix); at a chain break
    // between k-1 and k, before k-1, which may be the one changed (until
    // stop 21 it counted k-1, so the report's root covered a forged record).
    let verified = problem.as_ref().map_or(size, |(seq, _, is_break)| {
        let first_doubtful = if *is_break { seq - 1 } else { *seq };
        first_doubtful.min(size)
    });
    let mut failure = problem
        .map(|(_, why, _)| why)
        .or_else(|| head_problem(&snapshot.head, &levels.0[0]));

    let root_at = |s: u64| -> Result<Hash> {
        if s > size {
            return Err(anyhow!("size {s} is beyond the log's {size} records"));
        }
        fog_merkle::tree_root(&tree, s)
    };

    let checkpoints = sqlx::query("SELECT size, root, note FROM audit_checkpoints ORDER BY size")
        .fetch_all(&mut *snapshot.join(pool).await?)
        .await?;
    let mut origin: Option<String> = None;
    for row in &checkpoints {
        if failure.is_some() {
            break;
        }
        let s = row.get::<i64, _>(0) as u64;
        let stored_root: Vec<u8> = row.get(1);
        let text: String = row.get(2);
        let noted = match verifier_key {
            Some(keys) => verify_by_any(&text, keys),
            None => note::unverified(&text),
        };
        // Every checkpoint is of one log: the one expected, or else the
        // first checkpoint's.
        let noted = noted.and_then(|c| match opts.origin.or(origin.as_deref()) {
            Some(o) if o != c.origin => Err(anyhow!("it is of the log {:?}, not {o:?}", c.origin)),
            _ => Ok(c),
        });
        if let Ok(c) = &noted {
            origin.get_or_insert_with(|| c.origin.clone());
        }
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
        stored_hashes: filed,
        checkpoints: checkpoints.len(),
        anchors: anchored.len(),
        origin,
        canonical_checked: opts.strict,
        failure,
    })
}

/// The head row against the records: their number and the last leaf, which
/// the next append chains to.
fn head_problem(head: &Head, leaves: &[Hash]) -> Option<String> {
    let size = leaves.len() as i64;
    if head.size > size {
        return Some(format!(
            "record {size} is missing: the log's head says {} records",
            head.size
        ));
    }
    if head.size < size {
        return Some(format!(
            "the log's head says {} records, but records 0..{} are stored",
            head.size,
            size - 1
        ));
    }
    let last = leaves.last().copied().unwrap_or([0u8; 32]);
    (head.last_leaf != last).then(|| {
        format!(
            "the log's head holds last leaf {}, but record {}'s leaf is {}",
            hex::encode(&head.last_leaf),
            size - 1,
            hex::encode(last)
        )
    })
}

/// The stored subtree hash that differs from the recomputed tree and is
/// kept by the earliest record (the lowest level of that record's), with
/// that record.
fn first_wrong_stored_hash(levels: &Levels, stored: &[Vec<Hash>]) -> Option<(u64, String)> {
    let mut first: Option<(u64, String)> = None;
    for (level, (expected, found)) in levels.0.iter().zip(stored).enumerate().skip(1) {
        let Some(idx) = expected.iter().zip(found).position(|(e, f)| e != f) else {
            continue;
        };
        let (idx, level) = (idx as u64, level as u8);
        let keeper = completing_record(level, idx);
        if first.as_ref().is_none_or(|(k, _)| keeper < *k) {
            let over = idx << level;
            first = Some((
                keeper,
                format!("record {keeper}: its stored hash ({level}, {idx}) is wrong (over records {over}..{keeper})"),
            ));
        }
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Entry;

    /// Record `seq`'s row as verify reads it, chaining to `prev`, and its leaf.
    fn row(seq: u64, prev: &Hash) -> (Vec<u8>, Hash) {
        let entry = Entry {
            time: chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            actor: "inj1actor".into(),
            action: "governance.vote_cast".into(),
            subject: format!("proposal/{seq}"),
            details: serde_json::json!({}),
            tags: vec![],
        };
        let bytes = Record::new(seq, &entry, prev).canonical();
        let leaf = leaf_hash(&bytes);
        // Subtree hashes are not what this checks: right lengths only.
        let subtrees = vec![0u8; 32 * seq.trailing_ones() as usize];
        let mut out = crate::store::BinaryCopy::new();
        out.row(4).int8(seq as i64).bytea(&bytes).bytea(&leaf).bytea(&subtrees);
        let all = out.finish();
        let header = BinaryReader::header_len(&all).unwrap();
        (all[header..all.len() - 2].to_vec(), leaf)
    }

    #[test]
    fn a_chain_is_checked_within_and_across_batches_in_any_order() {
        // Record 5 starts the second batch; 7 is inside it.
        for broken in [None, Some(0u64), Some(3), Some(5), Some(7)] {
            let (mut leaves, mut first, mut second) = (Vec::new(), Vec::new(), Vec::new());
            for seq in 0..10u64 {
                let prev = match seq {
                    s if Some(s) == broken => [7u8; 32],
                    0 => [0u8; 32],
                    s => leaves[s as usize - 1],
                };
                let (bytes, leaf) = row(seq, &prev);
                leaves.push(leaf);
                if seq < 5 { &mut first } else { &mut second }.extend(bytes);
            }
            for order in [[&first, &second], [&second, &first]] {
                let mut records = Records::new(10);
                for batch in order {
                    records.add(check_rows(batch, false));
                }
                let found = records.finish();
                assert_eq!(found.leaves, leaves);
                assert_eq!(
                    found.problem,
                    broken.map(|seq| (seq, chain_break(seq))),
                    "broken at {broken:?}"
                );
            }
        }
    }

    #[test]
    fn hashes_decode_from_hex_as_the_hex_crate_decodes_them() {
        let hash: Hash = std::array::from_fn(|i| (i * 37 + 11) as u8);
        for text in [hex::encode(hash), hex::encode_upper(hash)] {
            assert_eq!(decode_hash(text.as_bytes()), Some(hash));
        }
        let good = hex::encode(hash);
        for bad in [&good[..62], "", &format!("{good}00")] {
            assert_eq!(decode_hash(bad.as_bytes()), None, "{bad}");
        }
        for at in [0, 31, 63] {
            for c in [b'g', b'G', b' ', b'/', b':', b'@', b'`', 0x80, 0xff] {
                let mut text = good.clone().into_bytes();
                text[at] = c;
                assert_eq!(decode_hash(&text), None, "{c} at {at}");
            }
        }
    }

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

    /// Rows of records 0 and 1, record 1 given as `bytes` (its leaf is
    /// computed from them; its stored leaf matches).
    fn rows_with(bytes: &[u8]) -> Vec<u8> {
        let (mut rows, _) = row(0, &[0u8; 32]);
        let mut out = crate::store::BinaryCopy::new();
        out.row(4)
            .int8(1)
            .bytea(bytes)
            .bytea(&leaf_hash(bytes))
            .bytea(&[0u8; 32]);
        let all = out.finish();
        let header = BinaryReader::header_len(&all).unwrap();
        rows.extend_from_slice(&all[header..all.len() - 2]);
        rows
    }

    #[test]
    fn a_place_nested_after_the_real_one_is_not_taken() {
        let (_, leaf0) = row(0, &[0u8; 32]);
        let fake = "ab".repeat(32);
        let real = hex::encode(leaf0);
        let tail = r#""subject":"s","tags":["SOX"],"time":"2027-01-15T08:00:00.000Z"}"#;
        // The record's own prev_hash breaks the chain; a look-alike in a
        // later key chains correctly. Valid JSON: its tail closes twice.
        let nested =
            format!(r#"{{"action":"a","prev_hash":"{fake}","seq":1,"z":{{"k":0,"prev_hash":"{real}","seq":1,{tail}}}"#);
        assert_eq!(place_from_tail(nested.as_bytes()), None);
        serde_json::from_str::<serde_json::Value>(&nested).unwrap();
        for strict in [false, true] {
            let mut records = Records::new(2);
            records.add(check_rows(&rows_with(nested.as_bytes()), strict));
            assert_eq!(records.finish().problem, Some((1, chain_break(1))), "strict: {strict}");
        }
        // Unclosed instead, it is not JSON: the fast path takes the
        // look-alike (the hash still covers the bytes); strict names it.
        let unclosed = &nested[..nested.len() - 1];
        assert_eq!(place_from_tail(unclosed.as_bytes()), Some((1, real.as_str())));
        let mut records = Records::new(2);
        records.add(check_rows(&rows_with(unclosed.as_bytes()), true));
        let (seq, why) = records.finish().problem.unwrap();
        assert_eq!(seq, 1);
        assert!(why.starts_with("record 1 is not a record"), "{why}");
    }

    #[test]
    fn strict_verification_requires_canonical_bytes() {
        let (_, leaf0) = row(0, &[0u8; 32]);
        let spaced = format!(
            r#"{{"action":"a", "actor":"b","details":{{}},"prev_hash":"{}","seq":1,"subject":"s","tags":[],"time":"2027-01-15T08:00:00.000Z"}}"#,
            hex::encode(leaf0)
        );
        let mut fast = Records::new(2);
        fast.add(check_rows(&rows_with(spaced.as_bytes()), false));
        assert_eq!(fast.finish().problem, None);
        let mut strict = Records::new(2);
        strict.add(check_rows(&rows_with(spaced.as_bytes()), true));
        assert_eq!(
            strict.finish().problem,
            Some((1, "record 1: its bytes are not canonical JSON".to_string()))
        );
    }

    #[test]
    fn json_strings_are_measured_as_rfc_8259_has_them() {
        for (text, len) in [
            (&br#""""#[..], Some(2)),
            (br#""a\"b" rest"#, Some(6)),
            (br#""\u00e9\n""#, Some(10)),
            (br#""\\""#, Some(4)),
            (br#""\x""#, None),
            (br#""\u12""#, None),
            (b"\"a\nb\"", None),
            (br#""open"#, None),
            (br#"x"a""#, None),
        ] {
            assert_eq!(json_string_len(text), len, "{:?}", String::from_utf8_lossy(text));
        }
    }
}
