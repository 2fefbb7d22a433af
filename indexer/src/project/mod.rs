//! Projections rebuilt purely from `wasm-fog.*` events. Each event is
//! decoded with the same `fog-events` structs the contracts emit it with
//! (when the batch is prepared, [`crate::store::PreparedBatch`]) and applied
//! inside the batch's transaction.
//!
//! The frequent events (locks, votes) go through a per-batch [`Projector`]
//! that keeps what they touch in memory and writes it once per batch (COPY
//! for new rows, one statement per touched row otherwise); rare events
//! (configuration, releases, anchors, registry) are written as they come.

mod anchor;
mod governance;
mod registry;
mod release_gate;
mod ve;

use std::collections::BTreeMap;

use anyhow::Result;
use fog_events::AnyEvent;
use sqlx::PgConnection;

use crate::store::{CopyBuf, FogEvent};

/// An event naming what the index never saw (a proposal, a release
/// request, an audit log): the index started after it was made. Retrying
/// cannot create it, and going on would drop the event in silence.
fn unknown(what: impl std::fmt::Display) -> anyhow::Error {
    crate::store::Fatal(format!(
        "an event of unknown {what}: the index starts after its creation (index from the deployment's height)"
    ))
    .into()
}

/// Where an event happened.
pub struct At<'a> {
    pub height: i64,
    pub seq: i32,
    pub time: i64,
    pub tx_hash: Option<&'a str>,
}

/// What a batch's frequent events changed, until [`Projector::flush`].
#[derive(Default)]
pub struct Projector {
    lock_history: CopyBuf,
    delegation_history: CopyBuf,
    proposals: BTreeMap<i64, governance::ProposalState>,
    votes: BTreeMap<(i64, String), governance::VoteRow>,
}

impl Projector {
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies one fog event of the batch, in chain order.
    pub async fn apply(&mut self, conn: &mut PgConnection, event: FogEvent) -> Result<()> {
        let at = At {
            height: event.height,
            seq: event.seq,
            time: event.time,
            tx_hash: event.tx_hash.as_deref(),
        };
        match event.event {
            AnyEvent::Ve(e) => ve::apply(self, conn, &at, e).await,
            AnyEvent::Governance(e) => governance::apply(self, conn, &at, e).await,
            AnyEvent::ReleaseGate(e) => release_gate::apply(conn, &at, e).await,
            AnyEvent::AuditAnchor(e) => anchor::apply(conn, &at, e).await,
            AnyEvent::Registry(e) => registry::apply(conn, &at, e).await,
        }
    }

    /// Writes everything kept in memory.
    pub async fn flush(self, conn: &mut PgConnection) -> Result<()> {
        ve::flush(conn, &self.lock_history, &self.delegation_history).await?;
        governance::flush(conn, self.proposals, self.votes).await
    }
}

/// Sets a contract's owner.
async fn set_owner(conn: &mut PgConnection, contract: &str, owner: &str, height: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO contract_owners (contract, owner, height) VALUES ($1, $2, $3)
         ON CONFLICT (contract) DO UPDATE SET owner = $2, height = $3",
    )
    .bind(contract)
    .bind(owner)
    .bind(height)
    .execute(conn)
    .await?;
    Ok(())
}

/// A contract's time in nanoseconds as a PostgreSQL bigint holds it. One
/// after 2262 (beyond i64; the registry refuses such expiries since stop
/// 18, but the chain's history may hold one) is held as the latest time a
/// bigint can, which keeps it later than every block instead of wrapping
/// to before 1970 and reading as long expired.
pub(crate) fn nanos(ns: u64) -> i64 {
    i64::try_from(ns).unwrap_or(i64::MAX)
}

/// COPY of a buffer into `statement`'s table (no-op when empty).
pub(crate) async fn copy(conn: &mut PgConnection, statement: &str, buf: &CopyBuf) -> Result<()> {
    if buf.rows() == 0 {
        return Ok(());
    }
    let mut c = conn.copy_in_raw(statement).await?;
    c.send(buf.as_bytes()).await?;
    c.finish().await?;
    Ok(())
}
