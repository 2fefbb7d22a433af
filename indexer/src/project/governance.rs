//! Governance events into proposals (their tally kept as the contract keeps
//! it) and votes.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use fog_events::governance::{GovernanceEvent, VoteCast};
use sqlx::{PgConnection, Row};

use super::{copy, At, Projector};
use crate::store::CopyBuf;

/// The mutable part of a proposal, while a batch changes it.
pub struct ProposalState {
    tally: Vec<u128>,
    turnout: u128,
    voters: i32,
    end_time: i64,
    status: String,
    winner: Option<i16>,
    decided_at: Option<i64>,
    executed_height: Option<i64>,
    updated_height: i64,
}

/// A ballot cast in this batch.
pub struct VoteRow {
    choice: Vec<u8>,
    power: u128,
    weight: u128,
    own: u128,
    delegate: Option<String>,
    height: i64,
    tx_hash: Option<String>,
    /// `power` as cast (an override later lowers `power`, not this), and
    /// the proposal's cast power and voter count right after this ballot.
    cast_power: u128,
    turnout_after: u128,
    voters_after: i32,
}

fn parse_tally(v: serde_json::Value) -> Result<Vec<u128>> {
    serde_json::from_value::<Vec<String>>(v)?
        .iter()
        .map(|s| s.parse::<u128>().context("tally entry"))
        .collect()
}

fn tally_json(t: &[u128]) -> serde_json::Value {
    serde_json::Value::Array(t.iter().map(|x| serde_json::Value::String(x.to_string())).collect())
}

fn add(tally: &mut [u128], choice: &[u8], delta: i128) {
    if let Some(slot) = choice.first().and_then(|o| tally.get_mut(usize::from(*o))) {
        *slot = (*slot as i128 + delta).max(0) as u128;
    }
}

/// The proposal's state, loaded once per batch.
async fn proposal<'p>(p: &'p mut Projector, conn: &mut PgConnection, id: i64) -> Result<&'p mut ProposalState> {
    use std::collections::btree_map::Entry;
    let slot = match p.proposals.entry(id) {
        Entry::Occupied(o) => return Ok(o.into_mut()),
        Entry::Vacant(v) => v,
    };
    {
        let r = sqlx::query(
            "SELECT tally, turnout::text, voters, end_time, status, winner, decided_at, executed_height, updated_height
             FROM proposals WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| super::unknown(format_args!("proposal {id}")))?;
        Ok(slot.insert(ProposalState {
            tally: parse_tally(r.get(0))?,
            turnout: r.get::<String, _>(1).parse()?,
            voters: r.get(2),
            end_time: r.get(3),
            status: r.get(4),
            winner: r.get(5),
            decided_at: r.get(6),
            executed_height: r.get(7),
            updated_height: r.get(8),
        }))
    }
}

async fn vote(p: &mut Projector, conn: &mut PgConnection, at: &At<'_>, v: VoteCast) -> Result<()> {
    let id = v.id as i64;
    let mut delegate_change = None;
    // The voter took its own power out of its delegate's earlier ballot.
    if let (Some(delegate), Some(new_power), Some(new_weight)) = (&v.delegate, v.delegate_power, v.delegate_weight) {
        let key = (id, delegate.clone());
        let (choice, old_power, old_weight) = match p.votes.get_mut(&key) {
            Some(row) => {
                let old = (row.choice.clone(), row.power, row.weight);
                row.power = new_power;
                row.weight = new_weight;
                old
            }
            None => {
                // Planned afresh each time (unnamed statements): a plan cached
                // while `votes` was nearly empty would be a scan, and would stay
                // one while a backfill grows the table (ARCHITECTURE.md).
                let d = sqlx::query(
                    "SELECT choice, power::text, weight::text FROM votes WHERE proposal_id = $1 AND voter = $2",
                )
                .bind(id)
                .bind(delegate)
                .persistent(false)
                .fetch_optional(&mut *conn)
                .await
                .context("the overridden delegate's ballot")?
                .ok_or_else(|| {
                    crate::store::Fatal(format!(
                        "proposal {id}: {delegate}'s ballot, which a delegator's vote overrides, is not indexed \
                         (the index starts after it was cast)"
                    ))
                })?;
                sqlx::query(
                    "UPDATE votes SET power = $3::numeric, weight = $4::numeric WHERE proposal_id = $1 AND voter = $2",
                )
                .bind(id)
                .bind(delegate)
                .bind(new_power.to_string())
                .bind(new_weight.to_string())
                .persistent(false)
                .execute(&mut *conn)
                .await?;
                (
                    serde_json::from_value::<Vec<u8>>(d.get(0))?,
                    d.get::<String, _>(1).parse::<u128>()?,
                    d.get::<String, _>(2).parse::<u128>()?,
                )
            }
        };
        delegate_change = Some((
            choice,
            new_weight as i128 - old_weight as i128,
            old_power.saturating_sub(new_power),
        ));
    }

    let state = proposal(p, conn, id).await?;
    add(&mut state.tally, &v.choice, v.weight as i128);
    state.turnout += v.power;
    if let Some((choice, weight_delta, moved)) = delegate_change {
        add(&mut state.tally, &choice, weight_delta);
        state.turnout = state.turnout.saturating_sub(moved);
    }
    state.voters += 1;
    if let Some(end) = v.end_time {
        state.end_time = end as i64;
    }
    if let Some(status) = &v.status {
        state.status = status.clone();
        state.winner = v.winner.map(i16::from);
        state.decided_at = Some(at.time);
    }
    state.updated_height = at.height;
    let (turnout_after, voters_after) = (state.turnout, state.voters);
    p.votes.insert(
        (id, v.voter.clone()),
        VoteRow {
            choice: v.choice,
            power: v.power,
            weight: v.weight,
            own: v.own,
            delegate: v.delegate,
            height: at.height,
            tx_hash: at.tx_hash.map(str::to_string),
            cast_power: v.power,
            turnout_after,
            voters_after,
        },
    );
    Ok(())
}

/// A JSON attribute as jsonb can hold it: PostgreSQL refuses U+0000, which
/// a contract's JSON may carry escaped (`\u0000`, e.g. in a proposed
/// denomination); it becomes U+FFFD, as everywhere else the chain's text is
/// stored.
fn stored_json(attr: &str) -> serde_json::Result<serde_json::Value> {
    serde_json::from_str(&fog_events::without_escaped_nul(attr))
}

pub async fn apply(p: &mut Projector, conn: &mut PgConnection, at: &At<'_>, e: GovernanceEvent) -> Result<()> {
    match e {
        GovernanceEvent::ConfigUpdated(c) => {
            let config = stored_json(&c.config).context("governance config JSON")?;
            sqlx::query(
                "INSERT INTO gov_config (id, config, height) VALUES (1, $1, $2)
                 ON CONFLICT (id) DO UPDATE SET config = $1, height = $2",
            )
            .bind(config)
            .bind(at.height)
            .execute(conn)
            .await?;
        }
        GovernanceEvent::ProposalCreated(pc) => {
            let actions = stored_json(&pc.actions).context("proposal actions JSON")?;
            let tally = vec![0u128; pc.options.len()];
            sqlx::query(
                "INSERT INTO proposals (id, proposer, kind, method, title, description, options, actions, start_height,
                     start_time, end_time, total_power, quorum_bps, threshold_bps, timelock, cap, deposit, status,
                     tally, turnout, voters, updated_height)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::numeric, $13, $14, $15, $16::numeric,
                     $17::numeric, 'open', $18, 0, 0, $19)",
            )
            .bind(pc.id as i64)
            .bind(&pc.proposer)
            .bind(&pc.kind)
            .bind(&pc.method)
            .bind(&pc.title.0)
            .bind(&pc.description.0)
            .bind(serde_json::to_value(&pc.options)?)
            .bind(actions)
            .bind(pc.start_height as i64)
            .bind(pc.start_time as i64)
            .bind(pc.end_time as i64)
            .bind(pc.total_power.to_string())
            .bind(i32::from(pc.quorum_bps))
            .bind(i32::from(pc.threshold_bps))
            .bind(pc.timelock as i64)
            .bind(pc.cap.map(|c| c.to_string()))
            .bind(pc.deposit.to_string())
            .bind(tally_json(&tally))
            .bind(at.height)
            .execute(&mut *conn)
            .await?;
            p.proposals.insert(
                pc.id as i64,
                ProposalState {
                    tally,
                    turnout: 0,
                    voters: 0,
                    end_time: pc.end_time as i64,
                    status: "open".into(),
                    winner: None,
                    decided_at: None,
                    executed_height: None,
                    updated_height: at.height,
                },
            );
        }
        GovernanceEvent::VoteCast(v) => vote(p, conn, at, v).await?,
        GovernanceEvent::ProposalClosed(c) => {
            let s = proposal(p, conn, c.id as i64).await?;
            s.status = c.status;
            s.winner = c.winner.map(i16::from);
            s.decided_at = Some(c.decided_at as i64);
            s.updated_height = at.height;
        }
        GovernanceEvent::ProposalExecuted(x) => {
            let s = proposal(p, conn, x.id as i64).await?;
            s.status = "executed".into();
            if x.winner.is_some() {
                s.winner = x.winner.map(i16::from);
            }
            s.executed_height = Some(at.height);
            s.decided_at = s.decided_at.or(Some(s.end_time));
            s.updated_height = at.height;
        }
        GovernanceEvent::ProposalVetoed(v) => {
            let s = proposal(p, conn, v.id as i64).await?;
            s.status = "vetoed".into();
            // A veto of a proposal nobody closed decides it too.
            if v.winner.is_some() {
                s.winner = v.winner.map(i16::from);
            }
            if let Some(decided) = v.decided_at {
                s.decided_at = Some(decided as i64);
            }
            s.updated_height = at.height;
        }
    }
    Ok(())
}

pub async fn flush(
    conn: &mut PgConnection,
    proposals: BTreeMap<i64, ProposalState>,
    votes: BTreeMap<(i64, String), VoteRow>,
) -> Result<()> {
    let mut buf = CopyBuf::new();
    for ((id, voter), v) in &votes {
        buf.num(id)
            .text(voter)
            .text(&serde_json::to_string(&v.choice)?)
            .num(v.power)
            .num(v.weight)
            .num(v.own)
            .opt_text(v.delegate.as_deref())
            .num(v.height)
            .opt_text(v.tx_hash.as_deref())
            .num(v.cast_power)
            .num(v.turnout_after)
            .num(v.voters_after);
        buf.end_row();
    }
    copy(
        conn,
        "COPY votes (proposal_id, voter, choice, power, weight, own, delegate, height, tx_hash, \
         cast_power, turnout_after, voters_after) FROM STDIN",
        &buf,
    )
    .await?;
    for (id, s) in proposals {
        sqlx::query(
            "UPDATE proposals SET tally = $2, turnout = $3::numeric, voters = $4, end_time = $5, status = $6,
                 winner = $7, decided_at = $8, executed_height = $9, updated_height = $10
             WHERE id = $1",
        )
        .bind(id)
        .bind(tally_json(&s.tally))
        .bind(s.turnout.to_string())
        .bind(s.voters)
        .bind(s.end_time)
        .bind(&s.status)
        .bind(s.winner)
        .bind(s.decided_at)
        .bind(s.executed_height)
        .bind(s.updated_height)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
