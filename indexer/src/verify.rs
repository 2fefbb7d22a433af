//! `verify-state`: every projection compared with the contracts' own smart
//! queries at one height, each difference listed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Display;

use anyhow::{bail, Context, Result};
use fog_relayer::chain::ChainClient;
use fog_relayer::deployment::Contracts;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::{PgConnection, PgPool, Row};

use crate::outcome;
use crate::power::PowerSnapshot;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub what: String,
    pub indexer: String,
    pub contract: String,
}

struct Check<'a> {
    client: &'a ChainClient,
    height: u64,
    diffs: Vec<Difference>,
    compared: usize,
}

impl Check<'_> {
    fn eq(&mut self, what: impl Into<String>, indexer: impl Display, contract: impl Display) {
        self.compared += 1;
        let (i, c) = (indexer.to_string(), contract.to_string());
        if i != c {
            self.diffs.push(Difference {
                what: what.into(),
                indexer: i,
                contract: c,
            });
        }
    }

    async fn query<Q: Serialize, R: DeserializeOwned>(&self, contract: &str, q: &Q) -> Result<R> {
        Ok(self.client.query_at(contract, q, Some(self.height)).await?)
    }
}

/// Every item of a listing the contract pages by `start_after` (the last
/// item's key), read until a page comes back empty: a first page alone
/// misses what lies past it (until stop 20 policies, logs and officers were
/// read from one page).
async fn every_page<Q: Serialize, R: DeserializeOwned, T>(
    k: &Check<'_>,
    contract: &str,
    query: impl Fn(Option<String>) -> Q,
    items: impl Fn(R) -> Vec<T>,
    key: impl Fn(&T) -> String,
) -> Result<Vec<T>> {
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page: R = k.query(contract, &query(after.clone())).await?;
        let page = items(page);
        let Some(last) = page.last().map(&key) else {
            return Ok(all);
        };
        all.extend(page);
        after = Some(last);
    }
}

/// A contract's value as the projections store it: its text with U+0000
/// turned into U+FFFD, as every decoded event's (PostgreSQL refuses
/// U+0000), so a NUL that older code let in is no difference.
fn as_stored(v: &impl Serialize) -> Result<serde_json::Value> {
    let json = serde_json::to_string(v)?;
    Ok(serde_json::from_str(&fog_events::without_escaped_nul(&json))?)
}

/// What was compared and what differed.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub height: u64,
    pub compared: usize,
    pub differences: Vec<Difference>,
}

/// The first column of a query's rows.
async fn strings(db: &mut PgConnection, sql: &str) -> Result<Vec<String>> {
    Ok(sqlx::query(sql)
        .fetch_all(&mut *db)
        .await?
        .into_iter()
        .map(|r| r.get(0))
        .collect())
}

/// An approval or rejection as both sides are compared: voter, how, the
/// groups as a set, the comment, the time in nanoseconds.
fn release_vote_line(voter: &str, approve: bool, groups: &[String], comment: &str, at_ns: impl Display) -> String {
    let how = if approve { "approve" } else { "reject" };
    format!("{voter} {how} [{}] {comment:?} {at_ns}", set(groups.iter()))
}

/// A ballot as the projection stores it: option indexes (yes 0, no 1,
/// abstain 2; a ranking in order).
fn ballot_choice(ballot: &fog_governance::msg::Ballot) -> Vec<u8> {
    use fog_governance::msg::Ballot;
    match ballot {
        Ballot::Yes => vec![0],
        Ballot::No => vec![1],
        Ballot::Abstain => vec![2],
        Ballot::Choice { option } => vec![*option],
        Ballot::Ranking { ranking } => ranking.clone(),
    }
}

fn set<T: Ord + Display>(v: impl IntoIterator<Item = T>) -> String {
    v.into_iter()
        .collect::<BTreeSet<_>>()
        .iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// Compares the projections with the contracts at `height` (the indexer's
/// checkpoint when `None`).
pub async fn verify_state(pool: &PgPool, client: &ChainClient, c: &Contracts, height: Option<u64>) -> Result<Report> {
    // One snapshot for every read: the projections hold the state as of
    // the checkpoint, and a batch committed meanwhile must not show in half
    // of them.
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let db: &mut PgConnection = &mut tx;
    let indexed = sqlx::query("SELECT height FROM ingest_state WHERE id = 1")
        .fetch_optional(&mut *db)
        .await?
        .context("the database holds no indexed block")?
        .get::<i64, _>(0) as u64;
    let height = match height {
        Some(h) if h != indexed => bail!(
            "--height {h}: the projections hold the state as of the indexed height {indexed}, so that is the \
             only height they can be compared at (leave --height out, or index up to {h} and stop)"
        ),
        _ => indexed,
    };
    let time: chrono::DateTime<chrono::Utc> = sqlx::query("SELECT time FROM blocks WHERE height = $1")
        .bind(height as i64)
        .fetch_one(&mut *db)
        .await
        .with_context(|| format!("block {height} is not indexed"))?
        .get(0);
    let now = time.timestamp() as u64;
    let mut k = Check {
        client,
        height,
        diffs: vec![],
        compared: 0,
    };
    ve(db, &mut k, c, now).await?;
    governance(db, &mut k, c, now).await?;
    release_gate(db, &mut k, c, time.timestamp_nanos_opt().unwrap_or(0)).await?;
    anchor(db, &mut k, c).await?;
    registry(db, &mut k, c).await?;
    Ok(Report {
        height,
        compared: k.compared,
        differences: k.diffs,
    })
}

async fn ve(db: &mut PgConnection, k: &mut Check<'_>, c: &Contracts, now: u64) -> Result<()> {
    use fog_ve::msg::{
        AtBlock, DelegatesResponse, LocksResponse, QueryMsg, RewardPoolResponse, TotalPowerResponse,
        VotingPowerResponse,
    };
    let snap = PowerSnapshot::load_in(db, k.height, now).await?;
    let at = Some(AtBlock {
        height: k.height,
        time: now,
    });
    let total: TotalPowerResponse = k.query(&c.ve, &QueryMsg::TotalPower { at: at.clone() }).await?;
    k.eq("ve total power", snap.total(), total.power);

    let mut addresses: BTreeSet<String> = snap.own_bias.keys().cloned().collect();
    addresses.extend(snap.delegate_of.iter().flat_map(|(a, b)| [a.clone(), b.clone()]));
    for a in &addresses {
        let p: VotingPowerResponse = k
            .query(
                &c.ve,
                &QueryMsg::VotingPower {
                    address: a.clone(),
                    at: at.clone(),
                },
            )
            .await?;
        k.eq(format!("ve power of {a}: own"), snap.own(a), p.own);
        k.eq(format!("ve power of {a}: received"), snap.received(a), p.received);
        k.eq(format!("ve power of {a}: voting"), snap.voting(a), p.voting);
        k.eq(
            format!("ve delegate of {a}"),
            snap.delegate_of.get(a).cloned().unwrap_or_default(),
            p.delegate.map(|d| d.to_string()).unwrap_or_default(),
        );
    }

    let mut contract_locks = BTreeMap::new();
    let mut start_after = None;
    loop {
        let page: LocksResponse = k
            .query(
                &c.ve,
                &QueryMsg::Locks {
                    start_after: start_after.clone(),
                    limit: Some(100),
                },
            )
            .await?;
        for l in page.locks {
            contract_locks.insert(l.address.to_string(), (l.amount.u128(), l.end, l.start, l.apy_bps));
        }
        match page.next_start_after {
            Some(next) => start_after = Some(next),
            None => break,
        }
    }
    let rows = sqlx::query("SELECT owner, amount::text, end_time, start_time, apy_bps FROM locks WHERE amount > 0")
        .fetch_all(&mut *db)
        .await?;
    let indexed: BTreeMap<String, (u128, u64, u64, u16)> = rows
        .into_iter()
        .map(|r| {
            Ok((
                r.get::<String, _>(0),
                (
                    r.get::<String, _>(1).parse::<u128>()?,
                    r.get::<i64, _>(2) as u64,
                    r.get::<i64, _>(3) as u64,
                    r.get::<i32, _>(4) as u16,
                ),
            ))
        })
        .collect::<Result<_>>()?;
    k.eq("ve lock holders", set(indexed.keys()), set(contract_locks.keys()));
    for (owner, l) in &indexed {
        if let Some(cl) = contract_locks.get(owner) {
            k.eq(format!("ve lock of {owner}"), format!("{l:?}"), format!("{cl:?}"));
        }
    }

    // Anyone may register as a delegate: every page, not the first (the
    // contract answers at most 20 a page since stop 22).
    let delegates = every_page(
        k,
        &c.ve,
        |start_after| QueryMsg::Delegates {
            start_after,
            limit: Some(20),
        },
        |r: DelegatesResponse| r.delegates,
        |d| d.address.to_string(),
    )
    .await?;
    let active: Vec<String> = strings(db, "SELECT address FROM delegates WHERE active").await?;
    k.eq(
        "ve delegates",
        set(active.iter()),
        set(delegates
            .iter()
            .filter(|d| d.retired_height.is_none())
            .map(|d| d.address.to_string())),
    );
    for d in &delegates {
        let count = snap.delegate_of.values().filter(|x| **x == d.address.as_str()).count();
        k.eq(format!("ve delegators of {}", d.address), count, d.delegators);
    }
    // A registered delegate's profile and the height it (last) registered at.
    let profiles: BTreeMap<String, (Option<String>, i64)> = sqlx::query_as::<_, (String, Option<String>, i64)>(
        "SELECT address, profile, registered_height FROM delegates WHERE active",
    )
    .fetch_all(&mut *db)
    .await?
    .into_iter()
    .map(|(a, p, h)| (a, (p, h)))
    .collect();
    for d in delegates.iter().filter(|d| d.retired_height.is_none()) {
        if let Some((profile, height)) = profiles.get(d.address.as_str()) {
            k.eq(
                format!("ve delegate {} profile", d.address),
                format!("{profile:?}"),
                format!("{:?}", d.profile.as_ref().map(|p| p.replace('\0', "\u{FFFD}"))),
            );
            k.eq(format!("ve delegate {} since", d.address), height, d.since_height);
        }
    }

    let config: fog_ve::state::Config = k.query(&c.ve, &QueryMsg::Config {}).await?;
    let row: Option<(String, String, Option<String>, serde_json::Value)> =
        sqlx::query_as("SELECT owner, token, registry, tiers FROM ve_config WHERE id = 1")
            .fetch_optional(&mut *db)
            .await?;
    let contract_tiers = as_stored(&config.tiers)?;
    k.eq(
        "ve config",
        match row {
            Some((owner, token, registry, tiers)) => {
                let tiers = if tiers == contract_tiers {
                    "tiers as the contract's".into()
                } else {
                    tiers.to_string()
                };
                format!("{owner} {token} {registry:?} {tiers}")
            }
            None => "<missing>".into(),
        },
        format!(
            "{} {} {:?} tiers as the contract's",
            config.owner,
            config.token,
            config.registry.map(|r| r.to_string())
        ),
    );

    let pool_r: RewardPoolResponse = k.query(&c.ve, &QueryMsg::RewardPool {}).await?;
    let row = sqlx::query("SELECT funded::text, paid::text FROM reward_pool WHERE id = 1")
        .fetch_optional(&mut *db)
        .await?;
    let (funded, paid) = row
        .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1)))
        .unwrap_or(("0".into(), "0".into()));
    k.eq("ve reward pool funded", funded, pool_r.funded);
    k.eq("ve reward pool paid", paid, pool_r.paid);
    Ok(())
}

async fn governance(db: &mut PgConnection, k: &mut Check<'_>, c: &Contracts, now: u64) -> Result<()> {
    use fog_governance::msg::{ParticipationResponse, ProposalsResponse, QueryMsg, VotesResponse};
    let mut start_before = None;
    let mut seen = 0;
    loop {
        let page: ProposalsResponse = k
            .query(
                &c.governance,
                &QueryMsg::Proposals {
                    start_before,
                    limit: Some(100),
                },
            )
            .await?;
        let Some(last) = page.proposals.last().map(|p| p.id) else {
            break;
        };
        for p in page.proposals {
            seen += 1;
            let Some(t) = outcome::load(db, p.id as i64).await? else {
                k.eq(format!("proposal {}", p.id), "missing", "present");
                continue;
            };
            let (status, winner) = outcome::status_at(db, &t, now as i64).await?;
            let contract_status = serde_json::to_value(p.status)?.as_str().unwrap_or_default().to_string();
            k.eq(format!("proposal {} status", p.id), status, contract_status);
            k.eq(
                format!("proposal {} winner", p.id),
                format!("{winner:?}"),
                format!("{:?}", p.winner),
            );
            k.eq(
                format!("proposal {} tally", p.id),
                format!("{:?}", t.tally),
                format!("{:?}", p.tally.iter().map(|x| x.u128()).collect::<Vec<_>>()),
            );
            k.eq(format!("proposal {} turnout", p.id), t.turnout, p.turnout);
            k.eq(format!("proposal {} end", p.id), t.end_time, p.end_time);
            k.eq(format!("proposal {} total power", p.id), t.total, p.total_power);
            k.eq(
                format!("proposal {} kind and method", p.id),
                format!("{} {}", t.kind, t.method),
                format!(
                    "{} {}",
                    serde_json::to_value(p.kind)?.as_str().unwrap_or_default(),
                    serde_json::to_value(p.method)?.as_str().unwrap_or_default()
                ),
            );
            let (voters, start_height, options): (i32, i64, serde_json::Value) =
                sqlx::query_as("SELECT voters, start_height, options FROM proposals WHERE id = $1")
                    .bind(p.id as i64)
                    .fetch_one(&mut *db)
                    .await?;
            k.eq(format!("proposal {} voters", p.id), voters, p.voters);
            k.eq(format!("proposal {} start height", p.id), start_height, p.start_height);
            k.eq(
                format!("proposal {} options", p.id),
                options.to_string(),
                serde_json::to_value(&p.options)?.to_string(),
            );

            let mut votes = BTreeMap::new();
            let mut after = None;
            loop {
                let v: VotesResponse = k
                    .query(
                        &c.governance,
                        &QueryMsg::Votes {
                            proposal_id: p.id,
                            start_after: after.clone(),
                            limit: Some(100),
                        },
                    )
                    .await?;
                let Some(l) = v.votes.last().map(|x| x.voter.to_string()) else {
                    break;
                };
                for vote in v.votes {
                    let choice = ballot_choice(&vote.ballot);
                    votes.insert(vote.voter.to_string(), (vote.power.u128(), vote.weight.u128(), choice));
                }
                after = Some(l);
            }
            let rows = sqlx::query("SELECT voter, power::text, weight::text, choice FROM votes WHERE proposal_id = $1")
                .bind(p.id as i64)
                .fetch_all(&mut *db)
                .await?;
            let indexed: BTreeMap<String, (u128, u128, Vec<u8>)> = rows
                .into_iter()
                .map(|r| {
                    Ok((
                        r.get::<String, _>(0),
                        (
                            r.get::<String, _>(1).parse()?,
                            r.get::<String, _>(2).parse()?,
                            serde_json::from_value(r.get(3))?,
                        ),
                    ))
                })
                .collect::<Result<_>>()?;
            k.eq(
                format!("proposal {} votes", p.id),
                format!("{indexed:?}"),
                format!("{votes:?}"),
            );
        }
        start_before = Some(last);
    }
    let count: i64 = sqlx::query("SELECT count(*) FROM proposals")
        .fetch_one(&mut *db)
        .await?
        .get(0);
    k.eq("proposal count", count, seen);

    let config = as_stored(
        &k.query::<_, serde_json::Value>(&c.governance, &QueryMsg::Config {})
            .await?,
    )?;
    let projected: Option<serde_json::Value> = sqlx::query_scalar("SELECT config FROM gov_config WHERE id = 1")
        .fetch_optional(&mut *db)
        .await?;
    // Compared as JSON values: jsonb keeps its own key order.
    match projected {
        Some(p) if p == config => k.eq("governance config", "equal", "equal"),
        p => k.eq(
            "governance config",
            p.map(|v| v.to_string()).unwrap_or_else(|| "<missing>".into()),
            config.to_string(),
        ),
    }

    // Ballots cast per voter: the contract's participation count. (Its
    // eligibility counts the proposals opened after the address's first
    // voting-power point; `/accounts/{address}` counts those whose snapshot
    // gave it power, a different measure, so only the count is compared.)
    let cast: Vec<(String, i64)> = sqlx::query_as("SELECT voter, count(*) FROM votes GROUP BY voter ORDER BY voter")
        .fetch_all(&mut *db)
        .await?;
    for (voter, n) in cast {
        let p: ParticipationResponse = k
            .query(&c.governance, &QueryMsg::Participation { address: voter.clone() })
            .await?;
        k.eq(format!("ballots cast by {voter}"), n, p.votes_cast);
    }
    Ok(())
}

async fn release_gate(db: &mut PgConnection, k: &mut Check<'_>, c: &Contracts, now_ns: i64) -> Result<()> {
    use fog_release_gate::msg::{GroupResponse, GroupsResponse, PoliciesResponse, QueryMsg, RequestsResponse};
    let groups: GroupsResponse = k
        .query(
            &c.release_gate,
            &QueryMsg::Groups {
                start_after: None,
                limit: Some(100),
            },
        )
        .await?;
    for g in &groups.groups {
        let full: GroupResponse = k
            .query(&c.release_gate, &QueryMsg::Group { name: g.name.clone() })
            .await?;
        let row = sqlx::query("SELECT members FROM release_groups WHERE name = $1")
            .bind(&g.name)
            .fetch_optional(&mut *db)
            .await?;
        let members: Vec<String> = match row {
            Some(r) => serde_json::from_value(r.get(0))?,
            None => vec!["<missing>".into()],
        };
        k.eq(
            format!("release group {}", g.name),
            set(members.iter()),
            set(full.members.iter().map(|m| m.to_string())),
        );
    }
    let indexed_groups: i64 = sqlx::query("SELECT count(*) FROM release_groups")
        .fetch_one(&mut *db)
        .await?
        .get(0);
    k.eq("release group count", indexed_groups, groups.groups.len());

    let policies = every_page(
        k,
        &c.release_gate,
        |start_after| QueryMsg::Policies {
            start_after,
            limit: Some(100),
        },
        |r: PoliciesResponse| r.policies,
        |p| p.artifact_type.clone(),
    )
    .await?;
    let indexed_policies: i64 = sqlx::query_scalar("SELECT count(*) FROM release_policies")
        .fetch_one(&mut *db)
        .await?;
    k.eq("release policy count", indexed_policies, policies.len());
    for p in &policies {
        let row = sqlx::query(
            "SELECT min_approvals, required_groups, expiry_seconds, revoker_groups, requester_groups
             FROM release_policies WHERE artifact_type = $1",
        )
        .bind(&p.artifact_type)
        .fetch_optional(&mut *db)
        .await?;
        let indexed = row
            .map(|r| -> Result<String> {
                let groups = |i: usize| -> Result<String> {
                    let list: Vec<String> = serde_json::from_value(r.get(i))?;
                    Ok(set(list.iter()))
                };
                Ok(format!(
                    "{} {} {} revokers {} requesters {}",
                    r.get::<i32, _>(0),
                    groups(1)?,
                    r.get::<i64, _>(2),
                    groups(3)?,
                    groups(4)?,
                ))
            })
            .transpose()?
            .unwrap_or_else(|| "<missing>".into());
        k.eq(
            format!("release policy {}", p.artifact_type),
            indexed,
            format!(
                "{} {} {} revokers {} requesters {}",
                p.min_approvals,
                set(p.required_groups.iter()),
                p.expiry_seconds,
                set(p.revoker_groups.iter()),
                set(p.requester_groups.iter()),
            ),
        );
    }

    let mut after = None;
    let mut seen = 0;
    loop {
        let page: RequestsResponse = k
            .query(
                &c.release_gate,
                &QueryMsg::Requests {
                    start_after: after,
                    limit: Some(100),
                    status: None,
                },
            )
            .await?;
        for r in page.requests {
            seen += 1;
            let row = sqlx::query(
                "SELECT status, approvals, sha256, lineage_hash, expires_at_ns FROM release_requests WHERE id = $1",
            )
            .bind(r.id as i64)
            .fetch_optional(&mut *db)
            .await?;
            let Some(row) = row else {
                k.eq(format!("release request {}", r.id), "missing", "present");
                continue;
            };
            let mut status: String = row.get(0);
            if status == "pending" && now_ns >= row.get::<i64, _>(4) {
                status = "expired".into();
            }
            let contract_status = serde_json::to_value(r.status)?.as_str().unwrap_or_default().to_string();
            k.eq(format!("release request {} status", r.id), status, contract_status);
            k.eq(
                format!("release request {} approvals", r.id),
                row.get::<i32, _>(1),
                r.approvals.len(),
            );
            k.eq(
                format!("release request {} sha256", r.id),
                row.get::<String, _>(2),
                r.sha256.to_hex(),
            );
            k.eq(
                format!("release request {} lineage", r.id),
                row.get::<String, _>(3),
                r.lineage_hash.to_hex(),
            );
            // Who approved and who rejected, for which groups, with what
            // comment and when: what `/releases/{sha256}` shows.
            let votes =
                sqlx::query("SELECT voter, approve, groups, comment, at_ns FROM release_votes WHERE request_id = $1")
                    .bind(r.id as i64)
                    .fetch_all(&mut *db)
                    .await?;
            let mut indexed = votes
                .iter()
                .map(|v| -> Result<String> {
                    let groups: Vec<String> = serde_json::from_value(v.get(2))?;
                    Ok(release_vote_line(
                        &v.get::<String, _>(0),
                        v.get(1),
                        &groups,
                        &v.get::<String, _>(3),
                        v.get::<i64, _>(4),
                    ))
                })
                .collect::<Result<Vec<_>>>()?;
            indexed.sort();
            let mut contract: Vec<String> = [(&r.approvals, true), (&r.rejections, false)]
                .into_iter()
                .flat_map(|(list, approve)| {
                    list.iter()
                        .map(move |v| release_vote_line(v.voter.as_str(), approve, &v.groups, &v.comment, v.at.nanos()))
                })
                .collect();
            contract.sort();
            k.eq(
                format!("release request {} votes", r.id),
                indexed.join("; "),
                contract.join("; "),
            );
        }
        match page.next_start_after {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let count: i64 = sqlx::query("SELECT count(*) FROM release_requests")
        .fetch_one(&mut *db)
        .await?
        .get(0);
    k.eq("release request count", count, seen);
    Ok(())
}

async fn anchor(db: &mut PgConnection, k: &mut Check<'_>, c: &Contracts) -> Result<()> {
    use fog_audit_anchor::msg::{CheckpointsResponse, LogsResponse, QueryMsg};
    let logs = every_page(
        k,
        &c.audit_anchor,
        |start_after| QueryMsg::Logs {
            start_after,
            limit: Some(100),
        },
        |r: LogsResponse| r.logs,
        |l| l.origin.clone(),
    )
    .await?;
    let count: i64 = sqlx::query("SELECT count(*) FROM anchor_logs")
        .fetch_one(&mut *db)
        .await?
        .get(0);
    k.eq("anchor log count", count, logs.len());
    for log in &logs {
        let row = sqlx::query("SELECT submitters, public_key FROM anchor_logs WHERE origin = $1")
            .bind(&log.origin)
            .fetch_optional(&mut *db)
            .await?;
        let (submitters, public_key): (Vec<String>, Option<String>) = match row {
            Some(r) => (serde_json::from_value(r.get(0))?, r.get(1)),
            None => (vec!["<missing>".into()], Some("<missing>".into())),
        };
        k.eq(
            format!("anchor log {} key", log.origin),
            format!("{public_key:?}"),
            format!("{:?}", log.public_key.as_ref().map(|k| k.to_hex())),
        );
        k.eq(
            format!("anchor log {} submitters", log.origin),
            set(submitters.iter()),
            set(log.submitters.iter().map(|s| s.to_string())),
        );
        let mut after = None;
        let mut contract = vec![];
        loop {
            let page: CheckpointsResponse = k
                .query(
                    &c.audit_anchor,
                    &QueryMsg::Checkpoints {
                        origin: log.origin.clone(),
                        start_after: after,
                        limit: Some(100),
                    },
                )
                .await?;
            let Some(last) = page.checkpoints.last().map(|c| c.size) else {
                break;
            };
            contract.extend(
                page.checkpoints
                    .into_iter()
                    .map(|c| format!("{}:{}:{}@{}", c.size, c.root.to_hex(), c.timestamp, c.height)),
            );
            after = Some(last);
        }
        let rows =
            sqlx::query("SELECT size, root, timestamp, height FROM anchor_checkpoints WHERE origin = $1 ORDER BY size")
                .bind(&log.origin)
                .fetch_all(&mut *db)
                .await?;
        let indexed: Vec<String> = rows
            .into_iter()
            .map(|r| {
                format!(
                    "{}:{}:{}@{}",
                    r.get::<i64, _>(0),
                    r.get::<String, _>(1),
                    r.get::<i64, _>(2),
                    r.get::<i64, _>(3)
                )
            })
            .collect();
        k.eq(
            format!("anchor checkpoints of {}", log.origin),
            indexed.join(" "),
            contract.join(" "),
        );
    }
    Ok(())
}

async fn registry(db: &mut PgConnection, k: &mut Check<'_>, c: &Contracts) -> Result<()> {
    use fog_registry::msg::{EntriesResponse, OfficersResponse, QueryMsg};
    let officers = every_page(
        k,
        &c.registry,
        |start_after| QueryMsg::Officers {
            start_after,
            limit: Some(100),
        },
        |r: OfficersResponse| r.officers,
        |o| o.to_string(),
    )
    .await?;
    let active: Vec<String> = strings(db, "SELECT address FROM registry_officers WHERE active").await?;
    k.eq(
        "registry officers",
        set(active.iter()),
        set(officers.iter().map(|o| o.to_string())),
    );
    let mut after = None;
    let mut contract = BTreeMap::new();
    loop {
        let page: EntriesResponse = k
            .query(
                &c.registry,
                &QueryMsg::Entries {
                    start_after: after.clone(),
                    limit: Some(100),
                },
            )
            .await?;
        let Some(last) = page.entries.last().map(|e| e.address.to_string()) else {
            break;
        };
        for e in page.entries {
            contract.insert(
                e.address.to_string(),
                format!(
                    "{} {} {} {} {}",
                    e.entry.kyc_tier,
                    e.entry.jurisdiction,
                    e.entry.sanctioned,
                    e.entry.commitment.to_hex(),
                    e.entry.expires_at.map(|t| t.nanos().to_string()).unwrap_or_default()
                ),
            );
        }
        after = Some(last);
    }
    let rows = sqlx::query(
        "SELECT address, kyc_tier, jurisdiction, sanctioned, commitment, expires_at_ns FROM registry_entries",
    )
    .fetch_all(&mut *db)
    .await?;
    let indexed: BTreeMap<String, String> = rows
        .into_iter()
        .map(|r| {
            (
                r.get::<String, _>(0),
                format!(
                    "{} {} {} {} {}",
                    r.get::<i16, _>(1),
                    r.get::<String, _>(2),
                    r.get::<bool, _>(3),
                    r.get::<String, _>(4),
                    r.get::<Option<i64>, _>(5).map(|t| t.to_string()).unwrap_or_default()
                ),
            )
        })
        .collect();
    k.eq("registry entries", format!("{indexed:?}"), format!("{contract:?}"));
    Ok(())
}
