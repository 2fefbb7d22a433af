//! A batch made ready to write: everything that needs no database, done
//! before the writer's transaction begins. The ingest prepares a batch on
//! a blocking thread while the writer commits the one before, so the
//! formatting of COPY rows, the decoding of fog events and the building of
//! audit entries overlap with PostgreSQL's work instead of adding to it.

use anyhow::Result;
use fog_events::AnyEvent;

use super::select::{movements, Kept, Watched};
use super::{BatchStats, Checkpoint, CopyBuf, Fatal};
use crate::audit;
use crate::source::Block;

/// The rows of the raw tables, formatted for COPY.
#[derive(Default)]
pub struct RawRows {
    pub blocks: CopyBuf,
    pub txs: CopyBuf,
    pub events: CopyBuf,
    pub attributes: CopyBuf,
    pub transfers: CopyBuf,
}

impl RawRows {
    /// Each table's COPY statement, its columns in the order
    /// [`PreparedBatch::new`] formats them, and its rows.
    pub fn tables(&self) -> [(&'static str, &CopyBuf); 5] {
        [
            (
                "COPY blocks (height, hash, time, app_hash, proposer, tx_count) FROM STDIN",
                &self.blocks,
            ),
            (
                "COPY txs (height, index, hash, code, codespace, gas_wanted, gas_used, signer, fee, memo) FROM STDIN",
                &self.txs,
            ),
            (
                "COPY events (height, seq, tx_index, kind, contract) FROM STDIN",
                &self.events,
            ),
            (
                "COPY event_attributes (height, seq, idx, key, value) FROM STDIN",
                &self.attributes,
            ),
            (
                "COPY transfers (height, seq, part, tx_hash, asset, action, sender, recipient, amount) FROM STDIN",
                &self.transfers,
            ),
        ]
    }
}

/// A fog event decoded, and where it happened.
pub struct FogEvent {
    pub height: i64,
    /// Its place among the block's kept events (the `events.seq` column).
    pub seq: i32,
    pub time: i64,
    pub tx_hash: Option<String>,
    pub event: AnyEvent,
}

pub struct PreparedBatch {
    pub first_height: u64,
    /// The batch's last block: the checkpoint its commit writes.
    pub last: Checkpoint,
    pub raw: RawRows,
    /// The fog events, in chain order, for the projections.
    pub fog_events: Vec<FogEvent>,
    /// Every logged governance action, in chain order.
    pub audit_entries: Vec<audit::Entry>,
    pub stats: BatchStats,
}

impl PreparedBatch {
    /// Prepares consecutive `blocks`. `None` for an empty batch. Fails
    /// ([`Fatal`]) on a fog event of the deployment that does not decode.
    pub fn new(blocks: &[Block], watched: &Watched) -> Result<Option<Self>> {
        let (Some(first), Some(last)) = (blocks.first(), blocks.last()) else {
            return Ok(None);
        };
        let mut batch = Self {
            first_height: first.height,
            last: Checkpoint {
                chain_id: last.chain_id.clone(),
                height: last.height,
                block_hash: last.hash.clone(),
                protocol: last.protocol.as_str().to_string(),
            },
            raw: RawRows::default(),
            fog_events: Vec::new(),
            audit_entries: Vec::new(),
            stats: BatchStats::default(),
        };
        for block in blocks {
            batch.add_block(block, watched)?;
        }
        let raw = &batch.raw;
        batch.stats.blocks = raw.blocks.rows();
        batch.stats.txs = raw.txs.rows();
        batch.stats.events = raw.events.rows();
        batch.stats.attributes = raw.attributes.rows();
        batch.stats.transfers = raw.transfers.rows();
        Ok(Some(batch))
    }

    fn add_block(&mut self, block: &Block, watched: &Watched) -> Result<()> {
        let raw = &mut self.raw;
        let h = block.height as i64;
        raw.blocks
            .num(h)
            .text(&block.hash)
            .text(&block.time.to_rfc3339())
            .text(&block.app_hash)
            .text(&block.proposer)
            .num(block.txs.len());
        raw.blocks.end_row();
        for tx in &block.txs {
            raw.txs
                .num(h)
                .num(tx.index)
                .text(&tx.hash)
                .num(tx.code)
                .text(&tx.codespace)
                .num(tx.gas_wanted)
                .num(tx.gas_used)
                .opt_text(tx.signer.as_deref())
                .text(&tx.fee)
                .text(&tx.memo);
            raw.txs.end_row();
        }
        let mut seq: i32 = 0;
        for ev in &block.events {
            let mut kept = watched.classify(ev);
            // A failed transaction changed nothing: its contract and token
            // events (which an SDK app does not emit, but a chain could)
            // are not projected; its fee transfer (bank) was paid and is.
            let failed = ev
                .tx_index
                .and_then(|i| block.txs.get(i as usize))
                .is_some_and(|t| t.code != 0);
            if failed && matches!(kept, Kept::Fog | Kept::Token) {
                kept = Kept::Dropped;
            }
            match kept {
                Kept::Dropped => continue,
                Kept::Spoofed => {
                    self.stats.spoofed += 1;
                    continue;
                }
                Kept::Fog | Kept::Token | Kept::Bank => {}
            }
            raw.events
                .num(h)
                .num(seq)
                .opt_num(ev.tx_index)
                .text(&ev.kind)
                .opt_text(ev.attr("_contract_address"));
            raw.events.end_row();
            for (idx, (k, v)) in ev.attributes.iter().enumerate() {
                raw.attributes.num(h).num(seq).num(idx).text(k).text(v);
                raw.attributes.end_row();
            }
            let tx_hash = ev
                .tx_index
                .and_then(|i| block.txs.get(i as usize))
                .map(|t| t.hash.as_str());
            for (part, (asset, action, from, to, amount)) in movements(kept, ev, &watched.token).into_iter().enumerate()
            {
                raw.transfers
                    .num(h)
                    .num(seq)
                    .num(part)
                    .opt_text(tx_hash)
                    .text(&asset)
                    .text(&action)
                    .opt_text(from.as_deref())
                    .opt_text(to.as_deref())
                    .text(&amount);
                raw.transfers.end_row();
            }
            if kept == Kept::Fog {
                self.stats.fog_events += 1;
                let attrs: Vec<(&str, &str)> = ev.attributes.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                let event = AnyEvent::decode(&ev.kind, &attrs)
                    .ok_or_else(|| Fatal(format!("height {}: {} is not a known fog event", block.height, ev.kind)))?
                    .map_err(|e| Fatal(format!("height {}: {e}", block.height)))?;
                self.fog_events.push(FogEvent {
                    height: h,
                    seq,
                    time: block.time.timestamp(),
                    tx_hash: tx_hash.map(str::to_string),
                    event,
                });
                if audit::events::is_logged(ev) {
                    self.audit_entries.push(audit::events::entry(block, ev));
                }
            }
            seq += 1;
        }
        Ok(())
    }
}
