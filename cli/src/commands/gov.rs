//! Governance: propose (each kind and method), vote (each method), close,
//! execute, veto.

use anyhow::{bail, Context as _, Result};
use clap::{Args, Subcommand, ValueEnum};
use cosmwasm_std::{to_json_binary, Binary, Uint128};
use fog_governance::msg::{
    Action, Asset, Ballot, ConfigChange, ContractCall, ExecuteMsg, Migration, OptionMsg, ProposeMsg, ReceiveMsg,
    Transfer,
};
use fog_governance::state::{KindRules, ProposalKind, VotingMethod};

use super::{parse_fog, parse_fog_or_zero, print_tx};
use crate::context::Context;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Method {
    YesNo,
    MultipleChoice,
    Ranked,
    Quadratic,
}

impl From<Method> for VotingMethod {
    fn from(m: Method) -> Self {
        match m {
            Method::YesNo => VotingMethod::YesNo,
            Method::MultipleChoice => VotingMethod::MultipleChoice,
            Method::Ranked => VotingMethod::RankedChoice,
            Method::Quadratic => VotingMethod::Quadratic,
        }
    }
}

#[derive(Debug, Args)]
pub struct Common {
    #[arg(long)]
    title: String,
    #[arg(long, default_value = "")]
    description: String,
    /// Voting method.
    #[arg(long, value_enum, default_value = "yes-no")]
    method: Method,
    /// An option (multiple-choice and ranked votes; repeat, 2 to 10).
    #[arg(long = "option")]
    options: Vec<String>,
    /// Proposer's key.
    #[arg(long)]
    from: String,
}

#[derive(Debug, Args)]
pub struct TransferArgs {
    /// Recipient: an address or a key name.
    #[arg(long)]
    to: Option<String>,
    /// Amount (whole FOG for `fog`; base units for other assets).
    #[arg(long)]
    amount: Option<String>,
    /// `fog`, `native:<denom>` or `cw20:<address>`.
    #[arg(long, default_value = "fog")]
    asset: String,
}

#[derive(Debug, Subcommand)]
pub enum ProposeCmd {
    /// A text proposal (no action).
    Text(Common),
    /// Pay from the treasury.
    Spend {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        transfer: TransferArgs,
    },
    /// Change governance parameters.
    Params {
        #[command(flatten)]
        common: Common,
        /// New deposit, in FOG.
        #[arg(long)]
        deposit: Option<String>,
        /// New voting power needed to propose, in FOG of veFOG power.
        #[arg(long)]
        min_power: Option<String>,
        /// Anti-whale cap in basis points of the total, or `none`.
        #[arg(long)]
        vote_cap_bps: Option<String>,
        /// Any other change, as ConfigChange JSON (see schema/fog-governance.json).
        #[arg(long)]
        json: Option<String>,
    },
    /// Migrate or call contracts the DAO manages.
    Upgrade {
        #[command(flatten)]
        common: Common,
        /// CONTRACT:CODE_ID[:MIGRATE_MSG_JSON] (repeat).
        #[arg(long)]
        migrate: Vec<String>,
        /// CONTRACT:EXECUTE_MSG_JSON (repeat).
        #[arg(long)]
        call: Vec<String>,
    },
    /// Change the rules of a proposal kind.
    Rules {
        #[command(flatten)]
        common: Common,
        /// text, parameter_change, treasury_spend, protocol_upgrade, rules_change or emergency.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        quorum_bps: u16,
        #[arg(long)]
        threshold_bps: u16,
        /// Seconds.
        #[arg(long)]
        voting_period: u64,
        /// Seconds.
        #[arg(long)]
        timelock: u64,
    },
    /// A fast-tracked transfer or contract call (validators and the guardian).
    Emergency {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        transfer: TransferArgs,
        /// CONTRACT:EXECUTE_MSG_JSON (repeat).
        #[arg(long)]
        call: Vec<String>,
    },
    /// A whole ProposeMsg as JSON (a file path, or - for stdin).
    Json {
        file: String,
        #[arg(long)]
        from: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum GovCmd {
    /// Create a proposal (paying the deposit).
    #[command(subcommand)]
    Propose(ProposeCmd),
    /// Vote: yes, no or abstain; --option N (multiple choice); --rank 2,0,1 (ranked).
    Vote {
        proposal: u64,
        /// yes, no or abstain.
        choice: Option<String>,
        #[arg(long)]
        option: Option<u8>,
        /// Option indexes, most preferred first, comma-separated.
        #[arg(long, value_delimiter = ',')]
        rank: Vec<u8>,
        #[arg(long)]
        from: String,
    },
    /// Record a proposal's outcome and settle its deposit.
    Close {
        proposal: u64,
        #[arg(long)]
        from: String,
    },
    /// Run a passed proposal after its timelock.
    Execute {
        proposal: u64,
        #[arg(long)]
        from: String,
    },
    /// Stop a passed proposal during its timelock (the guardian).
    Veto {
        proposal: u64,
        #[arg(long)]
        reason: Option<String>,
        #[arg(long)]
        from: String,
    },
}

fn asset(ctx: &Context, client: &fog_relayer::chain::ChainClient, token: &str, spec: &str) -> Result<Asset> {
    Ok(match spec {
        "fog" => Asset::Cw20(token.to_string()),
        s if s.starts_with("native:") => Asset::Native(s["native:".len()..].to_string()),
        s if s.starts_with("cw20:") => Asset::Cw20(ctx.address(&s["cw20:".len()..], client)?),
        other => bail!("--asset {other:?}: use fog, native:<denom> or cw20:<address>"),
    })
}

fn transfers(
    ctx: &Context,
    client: &fog_relayer::chain::ChainClient,
    token: &str,
    t: &TransferArgs,
) -> Result<Vec<Transfer>> {
    match (&t.to, &t.amount) {
        (None, None) => Ok(vec![]),
        (Some(to), Some(amount)) => {
            let asset = asset(ctx, client, token, &t.asset)?;
            let amount = if t.asset == "fog" {
                parse_fog(amount)?
            } else {
                amount
                    .parse()
                    .with_context(|| format!("--amount {amount:?} is not a whole number of base units"))?
            };
            Ok(vec![Transfer {
                recipient: ctx.address(to, client)?,
                asset,
                amount: Uint128::new(amount),
            }])
        }
        _ => bail!("a transfer needs both --to and --amount"),
    }
}

fn contract_call(ctx: &Context, client: &fog_relayer::chain::ChainClient, spec: &str) -> Result<ContractCall> {
    let (contract, msg) = spec
        .split_once(':')
        .ok_or_else(|| anyhow::anyhow!("--call {spec:?}: expected CONTRACT:JSON"))?;
    let value: serde_json::Value =
        serde_json::from_str(msg).with_context(|| format!("--call message {msg:?} is not JSON"))?;
    Ok(ContractCall {
        contract: ctx.address(contract, client)?,
        msg: Binary::from(serde_json::to_vec(&value)?),
    })
}

fn calls(ctx: &Context, client: &fog_relayer::chain::ChainClient, specs: &[String]) -> Result<Vec<ContractCall>> {
    specs.iter().map(|c| contract_call(ctx, client, c)).collect()
}

fn migration(ctx: &Context, client: &fog_relayer::chain::ChainClient, spec: &str) -> Result<Migration> {
    let mut parts = spec.splitn(3, ':');
    let (contract, code_id) = match (parts.next(), parts.next()) {
        (Some(c), Some(id)) => (c, id),
        _ => bail!("--migrate {spec:?}: expected CONTRACT:CODE_ID[:JSON]"),
    };
    let msg = parts.next().unwrap_or("{}");
    let value: serde_json::Value =
        serde_json::from_str(msg).with_context(|| format!("migrate message {msg:?} is not JSON"))?;
    Ok(Migration {
        contract: ctx.address(contract, client)?,
        new_code_id: code_id.parse().with_context(|| format!("code id {code_id:?}"))?,
        msg: Binary::from(serde_json::to_vec(&value)?),
    })
}

fn propose_msg(c: &Common, action: Option<Action>) -> Result<ProposeMsg> {
    let method: VotingMethod = c.method.into();
    if method.is_yes_no() && !c.options.is_empty() {
        bail!("--option is for multiple-choice and ranked proposals (--method multiple-choice or ranked)");
    }
    // One action copied into every option would run whichever option won.
    if !method.is_yes_no() && action.is_some() {
        bail!(
            "a multiple-choice or ranked proposal with an action needs an action per option: write it with `fog propose json`"
        );
    }
    let options: Vec<OptionMsg> = c
        .options
        .iter()
        .map(|t| OptionMsg {
            title: t.clone(),
            action: action.clone(),
        })
        .collect();
    let is_choice = !method.is_yes_no();
    Ok(ProposeMsg {
        title: c.title.clone(),
        description: c.description.clone(),
        method,
        action: if is_choice { None } else { action },
        options: if is_choice { options } else { vec![] },
    })
}

async fn submit(ctx: &Context, from: &str, msg: ProposeMsg) -> Result<()> {
    if !msg.method.is_yes_no() && !(2..=10).contains(&msg.options.len()) {
        bail!("a multiple-choice or ranked proposal has 2 to 10 options (give --option for each)");
    }
    let (d, client) = ctx.client()?;
    let signer = ctx.signer(from, &client)?;
    let config: fog_governance::state::Config = client
        .query(&d.contracts.governance, &fog_governance::msg::QueryMsg::Config {})
        .await?;
    if !config.deposit.is_zero() {
        super::ve::ensure_fog(&client, &d.contracts.token, &signer.address, config.deposit.u128()).await?;
    }
    let tx = if config.deposit.is_zero() {
        client
            .execute(&signer, &d.contracts.governance, &ExecuteMsg::Propose(msg), &[])
            .await?
    } else {
        let send = cw20::Cw20ExecuteMsg::Send {
            contract: d.contracts.governance.clone(),
            amount: config.deposit,
            msg: to_json_binary(&ReceiveMsg::Propose(msg))?,
        };
        client.execute(&signer, &d.contracts.token, &send, &[]).await?
    };
    let id: u64 = tx
        .attribute("wasm-fog.governance.proposal_created", "id")
        .and_then(|i| i.parse().ok())
        .unwrap_or_default();
    let end = tx
        .attribute("wasm-fog.governance.proposal_created", "end_time")
        .unwrap_or_default()
        .to_string();
    print_tx(
        ctx,
        &tx,
        serde_json::json!({ "proposal_id": id, "end_time": end }),
        || format!("proposal {id} created; voting ends at {end}"),
    )
}

pub async fn run(ctx: &Context, cmd: GovCmd) -> Result<()> {
    match cmd {
        GovCmd::Propose(p) => propose(ctx, p).await,
        GovCmd::Vote {
            proposal,
            choice,
            option,
            rank,
            from,
        } => {
            let ballot = match (choice.as_deref(), option, rank.is_empty()) {
                (Some("yes"), None, true) => Ballot::Yes,
                (Some("no"), None, true) => Ballot::No,
                (Some("abstain"), None, true) => Ballot::Abstain,
                (None, Some(option), true) => Ballot::Choice { option },
                (None, None, false) => Ballot::Ranking { ranking: rank },
                (Some(other), None, true) => {
                    bail!("{other:?} is not a vote: yes, no or abstain (or --option N, --rank A,B,C)")
                }
                _ => bail!("give exactly one of: yes|no|abstain, --option N, --rank A,B,C"),
            };
            let (d, client) = ctx.client()?;
            let msg = ExecuteMsg::Vote {
                proposal_id: proposal,
                ballot,
            };
            let signer = ctx.signer(&from, &client)?;
            let tx = client.execute(&signer, &d.contracts.governance, &msg, &[]).await?;
            let power = tx
                .attribute("wasm-fog.governance.vote_cast", "power")
                .unwrap_or("0")
                .to_string();
            let weight = tx
                .attribute("wasm-fog.governance.vote_cast", "weight")
                .unwrap_or("0")
                .to_string();
            print_tx(
                ctx,
                &tx,
                serde_json::json!({ "power": power, "weight": weight }),
                || format!("voted on proposal {proposal} with power {power} (counted {weight})"),
            )
        }
        GovCmd::Close { proposal, from } => {
            gov_exec(
                ctx,
                &from,
                ExecuteMsg::Close { proposal_id: proposal },
                format!("proposal {proposal} closed"),
            )
            .await
        }
        GovCmd::Execute { proposal, from } => {
            gov_exec(
                ctx,
                &from,
                ExecuteMsg::Execute { proposal_id: proposal },
                format!("proposal {proposal} executed"),
            )
            .await
        }
        GovCmd::Veto { proposal, reason, from } => {
            let msg = ExecuteMsg::Veto {
                proposal_id: proposal,
                reason,
            };
            gov_exec(ctx, &from, msg, format!("proposal {proposal} vetoed")).await
        }
    }
}

/// Signs `msg` to governance.
async fn gov_exec(ctx: &Context, from: &str, msg: ExecuteMsg, done: String) -> Result<()> {
    let (d, client) = ctx.client()?;
    super::ve::simple(ctx, &client, from, &d.contracts.governance, msg, &done).await
}

async fn propose(ctx: &Context, cmd: ProposeCmd) -> Result<()> {
    let (d, client) = ctx.client()?;
    let token = d.contracts.token.clone();
    match cmd {
        ProposeCmd::Text(c) => submit(ctx, &c.from, propose_msg(&c, None)?).await,
        ProposeCmd::Spend { common, transfer } => {
            let transfers = transfers(ctx, &client, &token, &transfer)?;
            if transfers.is_empty() {
                bail!("a spend needs --to and --amount");
            }
            submit(
                ctx,
                &common.from,
                propose_msg(&common, Some(Action::TreasurySpend { transfers }))?,
            )
            .await
        }
        ProposeCmd::Params {
            common,
            deposit,
            min_power,
            vote_cap_bps,
            json,
        } => {
            let mut change: ConfigChange = match json {
                Some(j) => serde_json::from_str(&j).context("--json is not a ConfigChange")?,
                None => ConfigChange::default(),
            };
            if let Some(d) = deposit {
                change.deposit = Some(Uint128::new(parse_fog_or_zero(&d).context("--deposit")?));
            }
            if let Some(p) = min_power {
                change.min_proposer_power = Some(Uint128::new(parse_fog_or_zero(&p).context("--min-power")?));
            }
            if let Some(c) = vote_cap_bps {
                change.max_vote_share_bps = Some(if c == "none" {
                    None
                } else {
                    Some(c.parse().context("--vote-cap-bps")?)
                });
            }
            if change == ConfigChange::default() {
                bail!("a parameter change must change something (--deposit, --min-power, --vote-cap-bps or --json)");
            }
            submit(
                ctx,
                &common.from,
                propose_msg(&common, Some(Action::ParameterChange(change)))?,
            )
            .await
        }
        ProposeCmd::Upgrade { common, migrate, call } => {
            let migrations = migrate
                .iter()
                .map(|m| migration(ctx, &client, m))
                .collect::<Result<_>>()?;
            let calls = calls(ctx, &client, &call)?;
            submit(
                ctx,
                &common.from,
                propose_msg(&common, Some(Action::ProtocolUpgrade { migrations, calls }))?,
            )
            .await
        }
        ProposeCmd::Rules {
            common,
            kind,
            quorum_bps,
            threshold_bps,
            voting_period,
            timelock,
        } => {
            let kind = ProposalKind::ALL
                .into_iter()
                .find(|k| k.as_str() == kind)
                .ok_or_else(|| anyhow::anyhow!("--kind {kind:?}: one of text, parameter_change, treasury_spend, protocol_upgrade, rules_change, emergency"))?;
            let rules = vec![KindRules {
                kind,
                quorum_bps,
                threshold_bps,
                voting_period,
                timelock,
            }];
            submit(
                ctx,
                &common.from,
                propose_msg(&common, Some(Action::RulesChange { rules }))?,
            )
            .await
        }
        ProposeCmd::Emergency { common, transfer, call } => {
            let transfers = transfers(ctx, &client, &token, &transfer)?;
            let calls = calls(ctx, &client, &call)?;
            submit(
                ctx,
                &common.from,
                propose_msg(&common, Some(Action::Emergency { transfers, calls }))?,
            )
            .await
        }
        ProposeCmd::Json { file, from } => {
            let text = if file == "-" {
                let mut s = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)?;
                s
            } else {
                std::fs::read_to_string(&file).with_context(|| format!("reading {file}"))?
            };
            let msg: ProposeMsg =
                serde_json::from_str(&text).context("not a ProposeMsg (see schema/fog-governance.json)")?;
            submit(ctx, &from, msg).await
        }
    }
}
