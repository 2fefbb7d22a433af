//! A proposal's outcome as the governance contract computes it, from the
//! projection: an `open` proposal whose voting ended shows the status it
//! will be closed with, and a passed one past its execution window shows
//! `expired` (the contract's queries do the same).

use anyhow::Result;
use sqlx::{PgConnection, Row};

/// The fields of a proposal the outcome depends on.
#[derive(Debug, Clone)]
pub struct Tallied {
    pub id: i64,
    pub kind: String,
    pub method: String,
    pub status: String,
    pub end_time: i64,
    pub total: u128,
    pub turnout: u128,
    pub quorum_bps: u16,
    pub threshold_bps: u16,
    pub tally: Vec<u128>,
    pub winner: Option<u8>,
    pub decided_at: Option<i64>,
    pub timelock: i64,
}

/// `(status, winner)` at time `now` (seconds): the API's rules
/// (`api::outcome`), with the ballots read when a run-off needs them.
pub async fn status_at(db: &mut PgConnection, p: &Tallied, now: i64) -> Result<(String, Option<u8>)> {
    use crate::api::outcome::{
        acting_choice, ended_open, execution_window, final_outcome, needs_ballots, spend_period, Figures,
    };
    use crate::api::vocab::{ProposalStatus, VotingMethod};
    let now = now.max(0) as u64;
    let stored = ProposalStatus::stored(&p.status).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let (status, winner, decided_at) = if ended_open(stored, p.end_time as u64, Some(now)) {
        let method = VotingMethod::stored(&p.method).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let figures = Figures {
            counted: p.tally.clone(),
            turnout: p.turnout,
            total: p.total,
            quorum_bps: p.quorum_bps,
            threshold_bps: p.threshold_bps,
            acting_choice: acting_choice(&p.kind, method),
        };
        let mut ballots = vec![];
        if needs_ballots(method, &figures) {
            for r in sqlx::query("SELECT choice, weight::text FROM votes WHERE proposal_id = $1")
                .bind(p.id)
                .fetch_all(&mut *db)
                .await?
            {
                ballots.push((
                    serde_json::from_value::<Vec<u8>>(r.get(0))?,
                    r.get::<String, _>(1).parse::<u128>()?,
                ));
            }
        }
        let (status, winner) = final_outcome(method, &figures, p.tally.len() as u8, &ballots);
        (status, winner, Some(p.end_time))
    } else {
        (stored, p.winner, p.decided_at)
    };
    let decided_at = decided_at.map(|d| d.max(0) as u64);
    let spend_period = spend_period(&mut *db).await?;
    let (status, _, _) = execution_window(status, decided_at, p.timelock.max(0) as u64, spend_period, Some(now));
    Ok((status.as_str().to_string(), winner))
}

/// Loads the outcome-relevant fields of a proposal.
pub async fn load(db: &mut PgConnection, id: i64) -> Result<Option<Tallied>> {
    let row = sqlx::query(
        "SELECT id, method, status, end_time, total_power::text, turnout::text, quorum_bps, threshold_bps, tally, winner,
           kind, decided_at, timelock
         FROM proposals WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *db)
    .await?;
    row.map(|r| {
        let tally: Vec<String> = serde_json::from_value(r.get(8))?;
        Ok(Tallied {
            id: r.get(0),
            kind: r.get(10),
            method: r.get(1),
            status: r.get(2),
            end_time: r.get(3),
            total: r.get::<String, _>(4).parse()?,
            turnout: r.get::<String, _>(5).parse()?,
            quorum_bps: r.get::<i32, _>(6) as u16,
            threshold_bps: r.get::<i32, _>(7) as u16,
            tally: tally.iter().map(|t| t.parse()).collect::<Result<_, _>>()?,
            winner: r.get::<Option<i16>, _>(9).map(|w| w as u8),
            decided_at: r.get(11),
            timelock: r.get(12),
        })
    })
    .transpose()
}
