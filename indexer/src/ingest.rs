//! Backfill and tail: heights fetched concurrently, written in order in
//! batches, each batch one transaction with the checkpoint. A node that goes
//! away is retried with backoff; a block that does not extend the stored
//! chain stops ingestion with an error naming both hashes.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use futures::stream::{self, StreamExt};
use indicatif::{ProgressBar, ProgressStyle};
use tracing::{info, warn};

use crate::source::{Block, BlockSource};
use crate::store::select::{Kept, Watched};
use crate::store::{check_continuity, BatchStats, Fatal, PreparedBatch, Store};

/// A batch being prepared off the writer's path.
type Preparing = tokio::task::JoinHandle<Result<Option<PreparedBatch>>>;

pub struct Options {
    /// First height to index when the database is empty.
    pub start_height: u64,
    /// Heights fetched at once.
    pub concurrency: usize,
    /// Most blocks in one transaction.
    pub batch_blocks: usize,
    /// Most attribute rows in one transaction.
    pub batch_rows: usize,
    /// Show a progress bar (on a terminal).
    pub progress: bool,
    /// The chain the deployment names. An empty database refuses blocks of
    /// another (afterwards the checkpoint's chain is the one compared).
    pub chain_id: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            start_height: 1,
            concurrency: 16,
            batch_blocks: 500,
            batch_rows: 50_000,
            progress: true,
            chain_id: None,
        }
    }
}

pub struct Ingest<S> {
    pub source: Arc<S>,
    pub store: Store,
    pub watched: Watched,
    pub options: Options,
    /// Whether the source was asked for its earliest block (once per run).
    earliest_checked: std::sync::atomic::AtomicBool,
}

/// Fetches with retries: a node that goes away is waited for; what
/// retrying cannot fix (a height missing from a recording, one the node
/// pruned: asked after every third failure) is returned.
async fn fetch_retrying<S: BlockSource>(source: &S, height: u64) -> Result<Block> {
    let mut delay = Duration::from_millis(200);
    let mut failures = 0u32;
    loop {
        match source.fetch(height).await {
            Ok(b) => return Ok(b),
            Err(e) if Fatal::is(&e) => return Err(e),
            Err(e) => {
                failures += 1;
                if failures.is_multiple_of(3) {
                    if let Ok(earliest) = source.earliest_height().await {
                        if height < earliest {
                            return Err(pruned(earliest, height).into());
                        }
                    }
                }
                metrics::counter!("fog_indexer_errors_total", "kind" => "fetch").increment(1);
                warn!(height, error = %format!("{e:#}"), "fetching failed; retrying in {delay:?}");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(10));
            }
        }
    }
}

impl<S: BlockSource + 'static> Ingest<S> {
    pub fn new(source: S, store: Store, watched: Watched, options: Options) -> Self {
        Self {
            source: Arc::new(source),
            store,
            watched,
            options,
            earliest_checked: Default::default(),
        }
    }

    /// A node that pruned the next height will never serve it: retrying
    /// would wait forever without a word, so this stops ingestion instead.
    /// Asked once, and again after every failed round of the tail.
    async fn check_available(&self, next: u64) -> Result<()> {
        use std::sync::atomic::Ordering;
        if self.earliest_checked.load(Ordering::Relaxed) {
            return Ok(());
        }
        // A node that does not answer is asked again next time.
        let earliest = self.source.earliest_height().await?;
        self.earliest_checked.store(true, Ordering::Relaxed);
        if next < earliest {
            return Err(pruned(earliest, next).into());
        }
        Ok(())
    }

    /// Indexes every block after the checkpoint up to `until` (default: the
    /// source's latest). Returns the last height committed.
    pub async fn run_to(&self, until: Option<u64>) -> Result<u64> {
        let checkpoint = self.store.checkpoint().await?;
        let (mut height, mut hash) = match &checkpoint {
            Some(c) => (c.height, c.block_hash.clone()),
            None => (self.options.start_height.saturating_sub(1), String::new()),
        };
        let target = match until {
            Some(u) => u,
            None => self.source.latest_height().await?,
        };
        metrics::gauge!("fog_indexer_head_height").set(target as f64);
        if target <= height {
            return Ok(height);
        }
        self.check_available(height + 1).await?;
        let bar = (self.options.progress && std::io::stderr().is_terminal() && target - height > 50).then(|| {
            let bar = ProgressBar::new(target - height);
            bar.set_style(
                ProgressStyle::with_template("{bar:40} {pos}/{len} blocks {per_sec} eta {eta}").expect("template"),
            );
            bar
        });
        // Fetching and decoding run in their own task, ahead of the writer,
        // so decoding one batch overlaps with writing the previous one.
        let (tx, mut blocks) = tokio::sync::mpsc::channel::<Result<Block>>(4 * self.options.batch_blocks.max(1));
        let source = Arc::clone(&self.source);
        let concurrency = self.options.concurrency;
        let watched = Arc::new(self.watched.clone());
        let fetcher = tokio::spawn(async move {
            let mut stream = stream::iter(height + 1..=target)
                .map(|h| {
                    let source = Arc::clone(&source);
                    let watched = Arc::clone(&watched);
                    async move {
                        let mut block = fetch_retrying(source.as_ref(), h).await?;
                        // Queued blocks keep only what is written: on a busy
                        // chain most events are other modules', and a queue
                        // of blocks holding them all is bounded by count, not
                        // size.
                        block.events.retain(|e| watched.classify(e) != Kept::Dropped);
                        Ok(block)
                    }
                })
                .buffered(concurrency);
            while let Some(fetched) = stream.next().await {
                let failed = fetched.is_err();
                if tx.send(fetched).await.is_err() || failed {
                    break;
                }
            }
        });
        // Batches are prepared on a blocking thread (COPY rows formatted,
        // fog events decoded, audit entries built) while the writer commits
        // the batch before; a few wait in order.
        let (prepared_tx, prepared) = tokio::sync::mpsc::channel::<Preparing>(2);
        let prepare = |batch: Vec<Block>| {
            let watched = self.watched.clone();
            tokio::task::spawn_blocking(move || PreparedBatch::new(&batch, &watched))
        };
        // Blocks before a break in the chain are still written; then the
        // break is the error returned.
        let collect = async move {
            let mut batch: Vec<Block> = Vec::new();
            let mut rows = 0usize;
            let result = loop {
                // A writer that failed closes the channel: stop at once, even
                // while the source has nothing to give (a node gone away).
                let block = tokio::select! {
                    block = blocks.recv() => block,
                    () = prepared_tx.closed() => break Ok(height),
                };
                let block = match block {
                    Some(Ok(block)) => block,
                    Some(Err(e)) => break Err(e),
                    None => break Ok(height),
                };
                let chain = checkpoint.as_ref().map(|c| c.chain_id.as_str());
                if let Err(e) = extends(chain.or(self.options.chain_id.as_deref()), height, &hash, &block) {
                    break Err(e);
                }
                height = block.height;
                hash = block.hash.clone();
                rows += block.events.iter().map(|e| e.attributes.len() + 1).sum::<usize>();
                batch.push(block);
                if batch.len() >= self.options.batch_blocks || rows >= self.options.batch_rows {
                    if prepared_tx.send(prepare(std::mem::take(&mut batch))).await.is_err() {
                        break Ok(height); // the writer failed; its error is the one returned
                    }
                    rows = 0;
                }
            };
            if !batch.is_empty() && !prepared_tx.is_closed() {
                let _ = prepared_tx.send(prepare(batch)).await;
            }
            result
        };
        let write = async {
            // Owned here, so a writer that fails closes the channel and the
            // collector stops sending.
            let mut prepared = prepared;
            while let Some(preparing) = prepared.recv().await {
                if let Some(batch) = preparing.await?? {
                    self.commit(batch, bar.as_ref()).await?;
                }
            }
            anyhow::Ok(())
        };
        let (collected, written) = tokio::join!(collect, write);
        if written.is_err() || collected.is_err() {
            // Otherwise it would go on fetching, or retrying a node that is
            // gone, for nobody.
            fetcher.abort();
        }
        written?;
        let height = collected?;
        fetcher.await?;
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        Ok(height)
    }

    async fn commit(&self, batch: PreparedBatch, bar: Option<&ProgressBar>) -> Result<BatchStats> {
        let last = batch.last.height;
        let stats = self.store.write_batch(batch).await?;
        metrics::gauge!("fog_indexer_height").set(last as f64);
        metrics::counter!("fog_indexer_blocks_total").increment(stats.blocks as u64);
        metrics::counter!("fog_indexer_events_total").increment(stats.events as u64);
        metrics::counter!("fog_indexer_rows_total").increment(stats.rows() as u64);
        if stats.alerts > 0 {
            metrics::counter!("fog_alerts_raised_total").increment(stats.alerts);
        }
        if stats.spoofed > 0 {
            warn!(
                count = stats.spoofed,
                "ignored fog-named events from contracts outside the deployment"
            );
            metrics::counter!("fog_indexer_spoofed_events_total").increment(stats.spoofed as u64);
        }
        if let Some(bar) = bar {
            bar.inc(stats.blocks as u64);
        }
        Ok(stats)
    }

    /// Follows the head forever, polling every `interval`; after a failure
    /// it waits twice as long as after the one before, up to a minute, so a
    /// node or database gone away is not asked five times a second.
    pub async fn tail(&self, interval: Duration) -> Result<()> {
        let mut wait = interval;
        loop {
            match self.run_to(None).await {
                Ok(h) => {
                    info!(height = h, "caught up");
                    wait = interval;
                }
                Err(e) if Fatal::is(&e) => return Err(e),
                Err(e) => {
                    metrics::counter!("fog_indexer_errors_total", "kind" => "ingest").increment(1);
                    warn!(error = %format!("{e:#}"), retry_in = ?wait, "ingestion failed; retrying");
                    // The node may have pruned the heights the index needs
                    // while it failed (the database away for a day): ask
                    // again before the next try, which then stops on it.
                    self.earliest_checked.store(false, std::sync::atomic::Ordering::Relaxed);
                    tokio::time::sleep(wait).await;
                    wait = tail_backoff(wait, interval);
                    continue;
                }
            }
            tokio::time::sleep(interval).await;
        }
    }
}

fn pruned(earliest: u64, needed: u64) -> Fatal {
    Fatal(format!(
        "the node's earliest block is {earliest} but the index needs block {needed}: it was pruned; \
         index from an archive node, or start an empty index at --start-height {earliest} or later"
    ))
}

/// The wait after another failure: doubled, at most a minute (and never
/// below the polling interval).
fn tail_backoff(wait: Duration, interval: Duration) -> Duration {
    (wait * 2).min(Duration::from_secs(60)).max(interval)
}

/// Refuses a block of another chain than `chain` (the database's, or on an
/// empty database the deployment's) or one that does not extend the last.
fn extends(chain: Option<&str>, height: u64, hash: &str, block: &Block) -> Result<()> {
    if let Some(chain) = chain {
        if !block.chain_id.is_empty() && block.chain_id != chain {
            return Err(Fatal(format!(
                "the node serves chain {:?}; this index is of {chain:?}",
                block.chain_id
            ))
            .into());
        }
    }
    check_continuity(height, hash, block)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_back_off_to_a_minute_and_success_polls_again() {
        let interval = Duration::from_millis(200);
        let mut wait = interval;
        let mut waits = vec![];
        for _ in 0..12 {
            waits.push(wait.as_millis());
            wait = tail_backoff(wait, interval);
        }
        assert_eq!(
            waits,
            [200, 400, 800, 1_600, 3_200, 6_400, 12_800, 25_600, 51_200, 60_000, 60_000, 60_000]
        );
        // A polling interval over a minute is kept.
        assert_eq!(
            tail_backoff(Duration::from_secs(90), Duration::from_secs(90)),
            Duration::from_secs(90)
        );
    }
}
