//! The loop: settle what was broadcast, then anchor the latest checkpoint
//! where the policy says so. Every transaction is recorded before it is
//! broadcast; after a crash the recorded bytes are looked up or re-sent,
//! never re-signed, so a size is never anchored twice.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Result};
use fog_merkle::{verify_consistency, Hash};
use sqlx::PgPool;
use tracing::{error, info, warn};

use super::metrics;
use super::policy::Policy;
use super::source::{IndexerSource, LogCheckpoint};
use super::state::{self, AnchorRow};
use super::target::{Broadcast, Target, TxState};
use crate::evm::EvmError;

/// A broadcast transaction not seen in a block for this long is re-sent;
/// its recorded bytes stay the only candidate for its size until the chain
/// says its sequence or nonce went to another transaction.
const RESEND_AFTER: Duration = Duration::from_secs(10);
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Test hook: exit right after broadcasting to `cosmwasm`, `evm` or `any`
/// target, before confirmation, as a crash would.
pub const CRASH_ENV: &str = "FOG_RELAYER_EXIT_AFTER_BROADCAST";
pub const CRASH_EXIT_CODE: i32 = 86;

pub struct Daemon {
    pub pool: PgPool,
    pub source: IndexerSource,
    pub targets: Vec<Target>,
    pub policy: Policy,
    pub poll: Duration,
    /// The registry contract: confirmed remediations are submitted there
    /// with the CosmWasm target's key. `None`: no remediation.
    pub registry: Option<String>,
    /// The connection holding the writer lock ([`state::acquire_writer`]).
    pub writer: tokio::sync::Mutex<sqlx::pool::PoolConnection<sqlx::Postgres>>,
    /// An EVM anchoring not mined this long after it was signed is re-priced
    /// if fees have risen above what it offers ([`Target::replacement`]).
    pub replace_after: Duration,
}

/// What one target's turn did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Turn {
    /// Everything up to the latest checkpoint is anchored.
    Settled,
    /// Something is new but not yet due; nothing in flight.
    Waiting,
    /// A transaction is in flight (just broadcast, or not yet settled).
    Busy,
}

/// Where a recorded transaction stands after [`Daemon::settle`].
enum Settled {
    /// Still to be included (or re-sent).
    InFlight,
    /// Included: its size is anchored.
    Confirmed,
    /// Can never land: its size is free to be signed again.
    Released,
}

struct Backoff {
    delay: Duration,
    until: Instant,
}

/// Each target's backoff after errors: 1 s, doubling to [`MAX_BACKOFF`].
#[derive(Default)]
struct Backoffs(HashMap<String, Backoff>);

impl Backoffs {
    /// Whether the target's backoff has passed.
    fn ready(&self, target: &str, now: Instant) -> bool {
        self.0.get(target).is_none_or(|b| now >= b.until)
    }

    /// After a turn without error. A transaction broadcast after a failure
    /// has not succeeded yet: the delay stays, so the next failure doubles
    /// it; a confirmation, or nothing in flight, starts afresh. (Until stop
    /// 19 any turn without an error reset it, and a transaction that failed
    /// in its block was signed and paid for again every two seconds.)
    fn after_turn(&mut self, target: &str, turn: Turn, confirmed: bool) {
        if turn != Turn::Busy || confirmed {
            self.0.remove(target);
        }
    }

    /// After an error: how long the target now waits.
    fn after_error(&mut self, target: &str, now: Instant) -> Duration {
        let delay = self
            .0
            .get(target)
            .map_or(Duration::from_secs(1), |b| (b.delay * 2).min(MAX_BACKOFF));
        self.0.insert(
            target.to_string(),
            Backoff {
                delay,
                until: now + delay,
            },
        );
        delay
    }
}

impl Daemon {
    /// Runs until killed; with `once`, anchors the latest checkpoint on every
    /// target regardless of the policy and returns when all are confirmed.
    pub async fn run(&self, once: bool) -> Result<()> {
        let mut backoff = Backoffs::default();
        // What each target was last seen to hold: the lag gauge follows the
        // log's growth on every round, also while a transaction is in
        // flight or the target backs off (until stop 19 it froze then).
        let mut anchored_seen: HashMap<String, u64> = HashMap::new();
        let started = Instant::now();
        // With `once`, the first checkpoint seen is the goal, however the
        // log grows meanwhile.
        let mut goal: Option<LogCheckpoint> = None;
        loop {
            if once && started.elapsed() > Duration::from_secs(300) {
                if goal.is_none() {
                    bail!("no signed checkpoint at {} within 300 s", self.source.checkpoint_url());
                }
                bail!("not every target confirmed its anchor within 300 s");
            }
            // The writer lock lives with its connection: once that is gone
            // (a database restart, a terminated backend), a standby may hold
            // the lock and sign with the same key. Stop before signing.
            state::still_writer(&mut **self.writer.lock().await).await?;
            let checkpoint = match self.source.latest().await {
                Ok(c) if once => {
                    if goal.is_none() {
                        goal = c;
                    }
                    goal.clone()
                }
                Ok(c) => c,
                Err(e) => {
                    warn!(error = %format!("{e:#}"), "reading the log's checkpoint");
                    metrics::error("source");
                    tokio::time::sleep(self.poll.max(Duration::from_secs(1))).await;
                    continue;
                }
            };
            if let Some(c) = &checkpoint {
                metrics::log_size(c.size);
            }
            let mut all_settled = true;
            for target in &self.targets {
                let name = target.name();
                if !backoff.ready(&name, Instant::now()) {
                    all_settled = false;
                    continue;
                }
                let mut confirmed = false;
                match self
                    .turn(target, checkpoint.as_ref(), once, &mut anchored_seen, &mut confirmed)
                    .await
                {
                    Ok(turn) => {
                        backoff.after_turn(&name, turn, confirmed);
                        all_settled &= turn == Turn::Settled;
                    }
                    Err(e) => {
                        all_settled = false;
                        metrics::error(&name);
                        let delay = backoff.after_error(&name, Instant::now());
                        error!(target = %name, retry_in = ?delay, error = %format!("{e:#}"), "anchoring failed");
                    }
                }
            }
            if let Some(c) = &checkpoint {
                for (name, anchored) in &anchored_seen {
                    metrics::anchored(name, *anchored, c.size);
                }
            }
            // Once means "anchor the latest checkpoint": with none yet there
            // is nothing done to report, so it waits for one.
            if once && all_settled && goal.is_some() {
                return Ok(());
            }
            tokio::time::sleep(self.poll).await;
        }
    }

    async fn turn(
        &self,
        target: &Target,
        checkpoint: Option<&LogCheckpoint>,
        force: bool,
        anchored_seen: &mut HashMap<String, u64>,
        confirmed: &mut bool,
    ) -> Result<Turn> {
        let name = target.name();
        let mut in_flight = false;
        for row in state::pending(&self.pool, &name).await? {
            match self.settle(target, &row).await? {
                Settled::InFlight => in_flight = true,
                Settled::Confirmed => *confirmed = true,
                Settled::Released => {}
            }
        }
        if in_flight {
            return Ok(Turn::Busy);
        }
        // Remediations share the CosmWasm key (and its account sequence)
        // with the anchors: one transaction in flight at a time.
        if let (Target::Cosmwasm(cosmwasm), Some(registry)) = (target, &self.registry) {
            if super::remediation::step(&self.pool, target, cosmwasm, registry).await? {
                return Ok(Turn::Busy);
            }
        }
        let Some(checkpoint) = checkpoint else {
            return Ok(Turn::Settled);
        };
        let (anchored, anchored_root) = target.latest(&checkpoint.origin).await?;
        anchored_seen.insert(name.clone(), anchored);
        let lost = state::release_lost(&self.pool, &name, anchored).await?;
        if lost > 0 {
            warn!(target = %name, held = anchored, lost, "the chain no longer holds anchorings it confirmed: anchoring again");
        }
        if let Some(problem) = diverged(&name, checkpoint, anchored, anchored_root.as_ref()) {
            bail!(problem);
        }
        if checkpoint.size == anchored {
            return Ok(Turn::Settled);
        }
        let since = state::since_last_confirmed(&self.pool, &name)
            .await?
            .map(Duration::from_secs_f64);
        if !force && !self.policy.due(anchored, checkpoint.size, since) {
            return Ok(Turn::Waiting);
        }
        self.anchor(target, checkpoint, anchored, anchored_root).await?;
        Ok(Turn::Busy)
    }

    /// Signs, records, then broadcasts the anchoring of `checkpoint`.
    async fn anchor(
        &self,
        target: &Target,
        checkpoint: &LogCheckpoint,
        anchored: u64,
        anchored_root: Option<fog_merkle::Hash>,
    ) -> Result<()> {
        let name = target.name();
        let proof = match anchored_root {
            None => Vec::new(),
            Some(root) => {
                let proof = self.source.consistency(anchored, checkpoint.size).await?;
                // The EVM contract takes the relayer's word for it: check here
                // that the log only grew since what this chain holds.
                verify_consistency(anchored, checkpoint.size, &root, &checkpoint.root, &proof).map_err(|e| {
                    anyhow!(
                        "the log at size {} is not an append-only extension of the root {name} anchored at size \
                         {anchored} ({e:?}); refusing to anchor",
                        checkpoint.size
                    )
                })?;
                proof
            }
        };
        let tx = target.prepare(checkpoint, &proof).await?;
        let mut conn = self.pool.acquire().await?;
        state::record(&mut conn, &name, checkpoint.size, &checkpoint.root, &tx).await?;
        drop(conn);
        match target.broadcast(&tx).await? {
            Broadcast::Accepted => {}
            Broadcast::Superseded(why) | Broadcast::Refused(why) => {
                // Not broadcast at all: free the size for a fresh signature.
                let pending = state::pending(&self.pool, &name).await?;
                if let Some(row) = pending.iter().find(|r| r.tx.tx_hash == tx.tx_hash) {
                    state::fail(&self.pool, row.id, &why).await?;
                    metrics::failed(&name);
                }
                bail!("the chain refused the anchoring of size {}: {why}", checkpoint.size);
            }
        }
        metrics::broadcast(&name);
        info!(target = %name, size = checkpoint.size, tx = %tx.tx_hash, "anchor broadcast");
        if let Ok(which) = std::env::var(CRASH_ENV) {
            if which == "any" || which == target.kind() {
                warn!("{CRASH_ENV}={which}: exiting before confirmation");
                std::process::exit(CRASH_EXIT_CODE);
            }
        }
        Ok(())
    }

    /// Where a recorded anchoring stands: its latest transaction's state, or
    /// the first of those it replaced (same nonce) that reached a block, with
    /// that transaction's hash.
    async fn mined(&self, target: &Target, row: &AnchorRow) -> Result<(String, TxState)> {
        let latest = target.status(&row.tx.tx_hash).await?;
        if latest != TxState::Unknown {
            return Ok((row.tx.tx_hash.clone(), latest));
        }
        for hash in row.replaced.iter().rev() {
            let state = target.status(hash).await?;
            if state != TxState::Unknown {
                return Ok((hash.clone(), state));
            }
        }
        Ok((row.tx.tx_hash.clone(), TxState::Unknown))
    }

    /// Re-signs a broadcast anchoring at today's fees if they rose above
    /// what it offers, recorded before it is sent; whether it did (if not,
    /// the caller re-sends the recorded bytes as they are).
    async fn reprice(&self, target: &Target, row: &AnchorRow) -> Result<bool> {
        if row.signed_age_seconds < self.replace_after.as_secs_f64() {
            return Ok(false);
        }
        let new = match target.replacement(&row.tx).await {
            Ok(Some(new)) => new,
            Ok(None) => return Ok(false),
            Err(e) => {
                warn!(target = %row.target, size = row.size, error = %format!("{e:#}"),
                    "could not re-price the anchoring; re-sending it as it is");
                return Ok(false);
            }
        };
        state::replace(&self.pool, row.id, &new).await?;
        warn!(target = %row.target, size = row.size, old = %row.tx.tx_hash, new = %new.tx_hash,
            "fees rose above what the anchoring offered: re-signed with the same nonce");
        metrics::replaced(&row.target);
        let refused = match target.broadcast(&new).await {
            // In the pool; or the nonce went to the old transaction
            // meanwhile, which the next turn finds mined.
            Ok(Broadcast::Accepted | Broadcast::Superseded(_)) => return Ok(true),
            Ok(Broadcast::Refused(why)) => why,
            // The node answered: these bytes are in no pool.
            Err(e)
                if e.downcast_ref::<EvmError>()
                    .is_some_and(|e| matches!(e, EvmError::Rpc { .. } | EvmError::Reverted(_))) =>
            {
                e.to_string()
            }
            // Not answered: they may be in a pool, so they stay recorded.
            Err(e) => return Err(e),
        };
        // Refused outright: the transaction before it is the latest again,
        // and the next re-pricing starts from it.
        warn!(target = %row.target, tx = %new.tx_hash, why = %refused, "the node refused the replacement");
        state::unreplace(&self.pool, row.id, &new.tx_hash).await?;
        Ok(false)
    }

    /// Brings one recorded transaction to a conclusion if it has one.
    async fn settle(&self, target: &Target, row: &AnchorRow) -> Result<Settled> {
        let name = &row.target;
        let (hash, state) = self.mined(target, row).await?;
        match state {
            TxState::Included { height, gas_used } => {
                state::confirm(&self.pool, row.id, &hash, height, gas_used).await?;
                metrics::confirmed(name, gas_used, row.age_seconds);
                info!(target = %name, size = row.size, tx = %hash, height, gas_used, "anchor confirmed");
                Ok(Settled::Confirmed)
            }
            TxState::Failed(why) => {
                state::fail(&self.pool, row.id, &why).await?;
                metrics::failed(name);
                // An error, so the target backs off before it signs (and
                // pays for) the next attempt, instead of one per block.
                bail!(
                    "the anchoring of size {} failed on chain ({}): {why}",
                    row.size,
                    row.tx.tx_hash
                );
            }
            // Mined, not yet deep enough: neither re-sent nor re-priced.
            TxState::Pending { .. } => Ok(Settled::InFlight),
            TxState::Unknown if row.age_seconds < RESEND_AFTER.as_secs_f64() => Ok(Settled::InFlight),
            TxState::Unknown if self.reprice(target, row).await? => Ok(Settled::InFlight),
            TxState::Unknown => match target.broadcast(&row.tx).await? {
                // Resent (or the node still holds it): keep waiting.
                Broadcast::Accepted => Ok(Settled::InFlight),
                // The node refused these bytes for a reason they will meet
                // again, so they are not in its mempool (it would have said
                // it holds them) and not in a block (looked up above): they
                // can never land. Free the size for a fresh signature, after
                // the target's backoff. (Until stop 19 the row stayed and
                // every turn re-sent the same refused bytes, forever.)
                Broadcast::Refused(why) => {
                    state::fail(&self.pool, row.id, &why).await?;
                    metrics::failed(name);
                    bail!(
                        "re-sending the anchoring of size {} ({}) was refused: {why}; it will be signed afresh",
                        row.size,
                        row.tx.tx_hash
                    )
                }
                Broadcast::Superseded(why) => {
                    // Its sequence moved on: included after all (this
                    // transaction or one it replaced), or lost.
                    match self.mined(target, row).await? {
                        (hash, TxState::Included { height, gas_used }) => {
                            state::confirm(&self.pool, row.id, &hash, height, gas_used).await?;
                            metrics::confirmed(name, gas_used, row.age_seconds);
                            return Ok(Settled::Confirmed);
                        }
                        (_, TxState::Pending { .. }) => return Ok(Settled::InFlight),
                        // Failed in a block after all: its own reason, and
                        // the target backs off as for any failure in a block
                        // (until stop 21 it was "lost" and signed again at
                        // once).
                        (hash, TxState::Failed(failed)) => {
                            state::fail(&self.pool, row.id, &failed).await?;
                            metrics::failed(name);
                            bail!("the anchoring of size {} failed on chain ({hash}): {failed}", row.size);
                        }
                        (_, TxState::Unknown) => {}
                    }
                    state::fail(&self.pool, row.id, &why).await?;
                    metrics::failed(name);
                    warn!(target = %name, size = row.size, tx = %row.tx.tx_hash, %why, "anchor lost; will re-sign");
                    Ok(Settled::Released)
                }
            },
        }
    }
}

/// What is wrong when the log's signed checkpoint contradicts what `name`
/// anchored: the same size with another root, or fewer records than were
/// anchored (a log restored from an older backup, or rewritten). Nothing
/// can be anchored on that chain until an operator looks.
fn diverged(name: &str, checkpoint: &LogCheckpoint, anchored: u64, anchored_root: Option<&Hash>) -> Option<String> {
    if checkpoint.size < anchored {
        return Some(format!(
            "the log has {} records but {name} anchored {anchored}: the log lost records (restored or rewritten?)",
            checkpoint.size
        ));
    }
    match anchored_root {
        Some(root) if checkpoint.size == anchored && *root != checkpoint.root => Some(format!(
            "the log's root at size {anchored} is {} but {name} anchored {} at that size: the log was rewritten",
            hex::encode(checkpoint.root),
            hex::encode(root)
        )),
        _ => None,
    }
}

#[cfg(test)]
mod backoff_tests {
    use super::*;

    #[test]
    fn a_failure_after_a_busy_turn_backs_off_longer_and_a_settled_turn_resets() {
        let (mut b, now) = (Backoffs::default(), Instant::now());
        assert!(b.ready("t", now));
        assert_eq!(b.after_error("t", now), Duration::from_secs(1));
        assert!(!b.ready("t", now));
        assert!(b.ready("t", now + Duration::from_secs(1)));
        // Signed and broadcast again: not a success yet.
        b.after_turn("t", Turn::Busy, false);
        assert_eq!(b.after_error("t", now), Duration::from_secs(2));
        b.after_turn("t", Turn::Busy, false);
        assert_eq!(b.after_error("t", now), Duration::from_secs(4));
        for _ in 0..10 {
            b.after_error("t", now);
        }
        assert_eq!(b.after_error("t", now), MAX_BACKOFF);
        // Confirmed and settled, or waiting for the policy: a fresh start.
        b.after_turn("t", Turn::Settled, false);
        assert_eq!(b.after_error("t", now), Duration::from_secs(1));
        b.after_turn("t", Turn::Waiting, false);
        assert_eq!(b.after_error("t", now), Duration::from_secs(1));
        // Confirmed, and the next anchoring already in flight: a success.
        b.after_error("t", now);
        b.after_turn("t", Turn::Busy, true);
        assert_eq!(b.after_error("t", now), Duration::from_secs(1));
        // Targets back off independently.
        assert!(b.ready("other", now));
    }
}

#[cfg(test)]
mod divergence_tests {
    use super::*;

    #[test]
    fn a_log_behind_or_rewritten_is_named_and_an_equal_one_is_not() {
        let cp = |size, root| LogCheckpoint {
            origin: "o".into(),
            size,
            root,
            timestamp: 0,
            public_key: [0; 32],
            signature: [0; 64],
        };
        assert_eq!(diverged("evm", &cp(10, [1; 32]), 10, Some(&[1; 32])), None);
        assert_eq!(
            diverged("evm", &cp(12, [1; 32]), 10, Some(&[2; 32])),
            None,
            "grown: the proof decides"
        );
        assert_eq!(diverged("evm", &cp(3, [1; 32]), 0, None), None);
        let rewritten = diverged("evm", &cp(10, [1; 32]), 10, Some(&[2; 32])).unwrap();
        assert!(rewritten.contains("rewritten"), "{rewritten}");
        let behind = diverged("evm", &cp(8, [1; 32]), 10, Some(&[2; 32])).unwrap();
        assert!(behind.contains("the log has 8 records but evm anchored 10"), "{behind}");
    }
}
