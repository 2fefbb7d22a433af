//! Read-only queries: proposals, votes, power, locks, tiers, balances.

use anyhow::Result;
use clap::Subcommand;
use fog_governance::msg::{ProposalResponse, ProposalsResponse, QueryMsg as GovQuery, VotesResponse};
use fog_ve::msg::{
    AtBlock, DelegatesResponse, LockResponse, LocksResponse, PendingRewardsResponse, QueryMsg as VeQuery, TierResponse,
    VotingPowerResponse,
};

use crate::context::Context;
use crate::output::{fields, fog, table};

#[derive(Debug, Subcommand)]
pub enum QueryCmd {
    /// One proposal with its tally.
    Proposal { id: u64 },
    /// Proposals, newest first.
    Proposals {
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Ballots of a proposal.
    Votes {
        id: u64,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Voting power of an address, now or after a past block.
    Power {
        address: String,
        #[arg(long)]
        height: Option<u64>,
    },
    /// An address's lock.
    Lock { address: String },
    /// An address's tier.
    Tier { address: String },
    /// All locks.
    Locks {
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Rewards an address can claim.
    Rewards { address: String },
    /// Registered delegates.
    Delegates,
    /// FOG and native balance of an address.
    Balance { address: String },
    /// Governance roles of an address.
    Roles { address: String },
    /// Participation score of an address.
    Participation { address: String },
}

fn proposal_table(p: &ProposalResponse) -> String {
    let tally = p
        .options
        .iter()
        .zip(&p.tally)
        .map(|(o, t)| format!("{o}: {}", fog(t.u128())))
        .collect::<Vec<_>>()
        .join(", ");
    fields(&[
        ("id", p.id.to_string()),
        ("title", p.title.clone()),
        ("kind", format!("{:?}", p.kind)),
        ("method", format!("{:?}", p.method)),
        ("status", format!("{:?}", p.status).to_lowercase()),
        ("tally", tally),
        (
            "turnout",
            format!(
                "{} of {} ({} voters)",
                fog(p.turnout.u128()),
                fog(p.total_power.u128()),
                p.voters
            ),
        ),
        ("quorum reached", p.quorum_reached.to_string()),
        ("ends", p.end_time.to_string()),
        ("winner", p.winner.map(|w| w.to_string()).unwrap_or_default()),
        (
            "executable at",
            p.executable_at.map(|t| t.to_string()).unwrap_or_default(),
        ),
        (
            "executable until",
            p.executable_until.map(|t| t.to_string()).unwrap_or_default(),
        ),
    ])
}

pub async fn run(ctx: &Context, cmd: QueryCmd) -> Result<()> {
    let (d, client) = ctx.client()?;
    let (gov, ve) = (d.contracts.governance.clone(), d.contracts.ve.clone());
    match cmd {
        QueryCmd::Proposal { id } => {
            let p: ProposalResponse = client.query(&gov, &GovQuery::Proposal { proposal_id: id }).await?;
            ctx.print(&p, || proposal_table(&p))
        }
        QueryCmd::Proposals { limit } => {
            let r: ProposalsResponse = client
                .query(
                    &gov,
                    &GovQuery::Proposals {
                        start_before: None,
                        limit: Some(limit),
                    },
                )
                .await?;
            ctx.print(&r, || {
                table(
                    &["id", "title", "method", "status", "voters", "ends"],
                    r.proposals
                        .iter()
                        .map(|p| {
                            vec![
                                p.id.to_string(),
                                p.title.clone(),
                                format!("{:?}", p.method),
                                format!("{:?}", p.status).to_lowercase(),
                                p.voters.to_string(),
                                p.end_time.to_string(),
                            ]
                        })
                        .collect(),
                )
            })
        }
        QueryCmd::Votes { id, limit } => {
            let r: VotesResponse = client
                .query(
                    &gov,
                    &GovQuery::Votes {
                        proposal_id: id,
                        start_after: None,
                        limit: Some(limit),
                    },
                )
                .await?;
            ctx.print(&r, || {
                table(
                    &["voter", "ballot", "power", "weight"],
                    r.votes
                        .iter()
                        .map(|v| {
                            vec![
                                v.voter.to_string(),
                                serde_json::to_string(&v.ballot).unwrap_or_default(),
                                fog(v.power.u128()),
                                fog(v.weight.u128()),
                            ]
                        })
                        .collect(),
                )
            })
        }
        QueryCmd::Power { address, height } => {
            let address = ctx.address(&address, &client)?;
            let at = match height {
                Some(h) => {
                    let (_, time) = client.block_at(h).await?;
                    Some(AtBlock { height: h, time })
                }
                None => None,
            };
            let r: VotingPowerResponse = client.query(&ve, &VeQuery::VotingPower { address, at }).await?;
            ctx.print(&r, || {
                fields(&[
                    ("own", fog(r.own.u128())),
                    ("received", fog(r.received.u128())),
                    ("voting", fog(r.voting.u128())),
                    (
                        "delegate",
                        r.delegate.as_ref().map(|d| d.to_string()).unwrap_or_default(),
                    ),
                    ("height", r.height.to_string()),
                ])
            })
        }
        QueryCmd::Lock { address } => {
            let address = ctx.address(&address, &client)?;
            let r: LockResponse = client.query(&ve, &VeQuery::Lock { address }).await?;
            ctx.print(&r, || {
                fields(&[
                    ("amount", fog(r.amount.u128())),
                    ("end", r.end.to_string()),
                    ("tier", r.tier.clone().unwrap_or_default()),
                    ("power", fog(r.power.u128())),
                    ("expired", r.expired.to_string()),
                ])
            })
        }
        QueryCmd::Tier { address } => {
            let address = ctx.address(&address, &client)?;
            let r: TierResponse = client.query(&ve, &VeQuery::Tier { address }).await?;
            ctx.print(&r, || match &r.tier {
                Some(t) => format!("{t} ({:.2}% APY)", f64::from(r.apy_bps) / 100.0),
                None => "no lock, no tier".into(),
            })
        }
        QueryCmd::Locks { limit } => {
            let r: LocksResponse = client
                .query(
                    &ve,
                    &VeQuery::Locks {
                        start_after: None,
                        limit: Some(limit),
                    },
                )
                .await?;
            ctx.print(&r, || {
                table(
                    &["address", "amount", "end", "tier", "power"],
                    r.locks
                        .iter()
                        .map(|l| {
                            vec![
                                l.address.to_string(),
                                fog(l.amount.u128()),
                                l.end.to_string(),
                                l.tier.clone().unwrap_or_default(),
                                fog(l.power.u128()),
                            ]
                        })
                        .collect(),
                )
            })
        }
        QueryCmd::Rewards { address } => {
            let address = ctx.address(&address, &client)?;
            let r: PendingRewardsResponse = client.query(&ve, &VeQuery::PendingRewards { address }).await?;
            ctx.print(&r, || format!("{} FOG claimable", fog(r.pending.u128())))
        }
        QueryCmd::Delegates => {
            // Every page (the contract answers at most 20 delegates a page;
            // until stop 22 this listed the first 100 and stopped), all read
            // at one height so the listing is one state.
            let (height, _) = client.latest_block().await?;
            let mut r = DelegatesResponse { delegates: vec![] };
            loop {
                let page: DelegatesResponse = client
                    .query_at(
                        &ve,
                        &VeQuery::Delegates {
                            start_after: r.delegates.last().map(|d| d.address.to_string()),
                            limit: Some(20),
                        },
                        Some(height),
                    )
                    .await?;
                if page.delegates.is_empty() {
                    break;
                }
                r.delegates.extend(page.delegates);
            }
            ctx.print(&r, || {
                table(
                    &["delegate", "delegators", "received", "profile"],
                    r.delegates
                        .iter()
                        .map(|d| {
                            vec![
                                match d.retired_height {
                                    Some(h) => format!("{} (unregistered at {h})", d.address),
                                    None => d.address.to_string(),
                                },
                                d.delegators.to_string(),
                                fog(d.received.u128()),
                                d.profile.clone().unwrap_or_default(),
                            ]
                        })
                        .collect(),
                )
            })
        }
        QueryCmd::Balance { address } => {
            let address = ctx.address(&address, &client)?;
            let f: cw20::BalanceResponse = client
                .query(
                    &d.contracts.token,
                    &cw20::Cw20QueryMsg::Balance {
                        address: address.clone(),
                    },
                )
                .await?;
            let native = client.balance(&address, &client.profile.denom).await?;
            ctx.print(
                &serde_json::json!({ "fog": f.balance, "native": native.to_string(), "denom": client.profile.denom }),
                || format!("{} FOG, {} {}", fog(f.balance.u128()), native, client.profile.denom),
            )
        }
        QueryCmd::Roles { address } => {
            let address = ctx.address(&address, &client)?;
            let r: fog_governance::msg::RolesResponse = client.query(&gov, &GovQuery::Roles { address }).await?;
            ctx.print(&r, || {
                let mut roles = vec![];
                for (has, name) in [
                    (r.member, "member"),
                    (r.delegate, "delegate"),
                    (r.validator, "validator"),
                    (r.admin, "admin"),
                ] {
                    if has {
                        roles.push(name);
                    }
                }
                if roles.is_empty() {
                    "no roles".into()
                } else {
                    roles.join(", ")
                }
            })
        }
        QueryCmd::Participation { address } => {
            let address = ctx.address(&address, &client)?;
            let r: fog_governance::msg::ParticipationResponse =
                client.query(&gov, &GovQuery::Participation { address }).await?;
            ctx.print(&r, || {
                format!(
                    "{} votes of {} eligible proposals ({:.1}%)",
                    r.votes_cast,
                    r.eligible,
                    f64::from(r.score_bps) / 100.0
                )
            })
        }
    }
}
