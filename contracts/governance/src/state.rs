//! Storage of governance.
//!
//! A vote reads and writes little: the proposal's small, hot part
//! ([`ProposalCore`]: rules fixed at creation, snapshot, tally) is one entry
//! read and rewritten per vote; the body (title, description, actions) is
//! written once and never touched by votes.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Uint128};
use cw_storage_plus::{Item, Map};
use serde::{Deserialize, Serialize};

use crate::msg::{Action, Asset};

#[cw_serde]
#[derive(Copy, Eq, Hash, PartialOrd, Ord)]
pub enum ProposalKind {
    Text,
    ParameterChange,
    TreasurySpend,
    ProtocolUpgrade,
    RulesChange,
    Emergency,
}

impl ProposalKind {
    pub const ALL: [ProposalKind; 6] = [
        ProposalKind::Text,
        ProposalKind::ParameterChange,
        ProposalKind::TreasurySpend,
        ProposalKind::ProtocolUpgrade,
        ProposalKind::RulesChange,
        ProposalKind::Emergency,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            ProposalKind::Text => "text",
            ProposalKind::ParameterChange => "parameter_change",
            ProposalKind::TreasurySpend => "treasury_spend",
            ProposalKind::ProtocolUpgrade => "protocol_upgrade",
            ProposalKind::RulesChange => "rules_change",
            ProposalKind::Emergency => "emergency",
        }
    }
}

#[cw_serde]
#[derive(Copy, Eq)]
pub enum VotingMethod {
    /// Yes, no or abstain; weight = power.
    YesNo,
    /// One of several options; the most weight wins.
    MultipleChoice,
    /// Options ranked; instant runoff.
    RankedChoice,
    /// Yes, no or abstain; weight = square root of power; KYC'd voters only.
    Quadratic,
}

impl VotingMethod {
    pub fn as_str(&self) -> &'static str {
        match self {
            VotingMethod::YesNo => "yes_no",
            VotingMethod::MultipleChoice => "multiple_choice",
            VotingMethod::RankedChoice => "ranked_choice",
            VotingMethod::Quadratic => "quadratic",
        }
    }

    /// Yes/no-shaped ballots (yes, no, abstain).
    pub fn is_yes_no(&self) -> bool {
        matches!(self, VotingMethod::YesNo | VotingMethod::Quadratic)
    }
}

#[cw_serde]
#[derive(Copy, Eq)]
pub enum Status {
    Open,
    Passed,
    Rejected,
    Executed,
    Vetoed,
    /// Passed, never executed, and past its execution window: it can no
    /// longer run. Only queries show it; the stored status stays `passed`.
    Expired,
}

impl Status {
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Passed => "passed",
            Status::Rejected => "rejected",
            Status::Executed => "executed",
            Status::Vetoed => "vetoed",
            Status::Expired => "expired",
        }
    }
}

/// The rules of one proposal kind.
#[cw_serde]
pub struct KindRules {
    pub kind: ProposalKind,
    /// Power that must take part, in basis points of the snapshot total.
    pub quorum_bps: u16,
    /// Share of yes among yes and no that must be exceeded (5000 to 10000).
    pub threshold_bps: u16,
    /// Seconds a vote stays open.
    pub voting_period: u64,
    /// Seconds between the outcome and execution; the guardian may veto
    /// meanwhile.
    pub timelock: u64,
}

/// When quorum is first reached less than `window` seconds before the end,
/// the end moves to `extension` seconds after that moment.
#[cw_serde]
#[derive(Copy, Eq)]
pub struct LateQuorum {
    pub window: u64,
    pub extension: u64,
}

#[cw_serde]
pub struct SpendLimit {
    pub asset: Asset,
    /// Most the treasury may pay in this asset per spending period.
    pub amount: Uint128,
}

#[cw_serde]
pub struct Config {
    pub ve: Addr,
    pub token: Addr,
    pub registry: Option<Addr>,
    pub guardian: Option<Addr>,
    pub validators: Vec<Addr>,
    pub deposit: Uint128,
    pub min_proposer_power: Uint128,
    pub proposer_min_kyc_tier: Option<u8>,
    pub quadratic_min_kyc_tier: u8,
    pub max_vote_share_bps: Option<u16>,
    pub late_quorum: Option<LateQuorum>,
    /// One entry per kind.
    pub rules: Vec<KindRules>,
    pub spend_limits: Vec<SpendLimit>,
    pub spend_period: u64,
    pub max_options: u8,
    pub max_ranks: u8,
    pub managed_contracts: Vec<Addr>,
}

/// The hot part of a proposal: everything a vote reads and writes.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ProposalCore {
    #[serde(rename = "k")]
    pub kind: ProposalKind,
    #[serde(rename = "m")]
    pub method: VotingMethod,
    /// Number of options (3 for yes/no/abstain).
    #[serde(rename = "n")]
    pub options: u8,
    #[serde(rename = "sh")]
    pub start_height: u64,
    #[serde(rename = "st")]
    pub start_time: u64,
    #[serde(rename = "et")]
    pub end_time: u64,
    /// Total voting power at the snapshot.
    #[serde(rename = "tp")]
    pub total: Uint128,
    /// Most weight one ballot counts with.
    #[serde(rename = "cap", default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<Uint128>,
    #[serde(rename = "q")]
    pub quorum_bps: u16,
    #[serde(rename = "th")]
    pub threshold_bps: u16,
    #[serde(rename = "tl")]
    pub timelock: u64,
    #[serde(rename = "lq", default, skip_serializing_if = "Option::is_none")]
    pub late_quorum: Option<LateQuorum>,
    /// KYC tier that quadratic ballots need.
    #[serde(rename = "qk")]
    pub quadratic_min_kyc_tier: u8,
    /// Most options a ranked ballot may rank, as configured when the
    /// proposal opened (ranked proposals only; absent on proposals stored
    /// before it was kept, which read the configuration's).
    #[serde(rename = "mr", default, skip_serializing_if = "Option::is_none")]
    pub max_ranks: Option<u8>,
    #[serde(rename = "s")]
    pub status: Status,
    /// When the outcome became final.
    #[serde(rename = "d", default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<u64>,
    #[serde(rename = "w", default, skip_serializing_if = "Option::is_none")]
    pub winner: Option<u8>,
    /// Counted weight per option.
    #[serde(rename = "c")]
    pub counted: Vec<Uint128>,
    /// Power that took part, uncapped.
    #[serde(rename = "to")]
    pub turnout: Uint128,
    /// Delegated power inside cast ballots (delegators may still move it).
    #[serde(rename = "mv")]
    pub movable: Uint128,
    #[serde(rename = "v")]
    pub voters: u32,
    #[serde(rename = "qr", default, skip_serializing_if = "Option::is_none")]
    pub quorum_reached_at: Option<u64>,
    #[serde(rename = "p")]
    pub proposer: Addr,
    #[serde(rename = "dp")]
    pub deposit: Uint128,
    /// The deposit was refunded or burned.
    #[serde(rename = "ds")]
    pub deposit_settled: bool,
}

/// The cold part of a proposal, written once.
#[cw_serde]
pub struct ProposalBody {
    pub title: String,
    pub description: String,
    pub options: Vec<String>,
    /// One per option for choice methods; one (index 0) for yes/no.
    pub actions: Vec<Option<Action>>,
}

/// A cast ballot.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct BallotRecord {
    /// Option indexes: the choice, or the ranking.
    #[serde(rename = "c")]
    pub choice: Vec<u8>,
    /// Power behind it.
    #[serde(rename = "p")]
    pub power: Uint128,
    /// Weight it counts with.
    #[serde(rename = "w")]
    pub weight: Uint128,
    /// The voter's own part of `power` (the rest was delegated to it).
    #[serde(rename = "o")]
    pub own: Uint128,
}

pub const CONFIG: Item<Config> = Item::new("config");
pub const PROPOSAL_COUNT: Item<u64> = Item::new("count");
pub const PROPOSALS: Map<u64, ProposalCore> = Map::new("p");
pub const BODIES: Map<u64, ProposalBody> = Map::new("b");
pub const BALLOTS: Map<(u64, &Addr), BallotRecord> = Map::new("v");
/// Own power of delegators who voted before their delegate, per
/// (proposal, delegate): the delegate's ballot will carry that much less.
pub const OVERRIDES: Map<(u64, &Addr), Uint128> = Map::new("o");
/// Ranked proposals: counted weight per distinct ranking.
pub const RANKINGS: Map<(u64, &[u8]), Uint128> = Map::new("r");
/// Ballots cast per address, for the participation score.
pub const VOTES_CAST: Map<&Addr, u64> = Map::new("vc");
/// Treasury paid per (asset key, spending period index), by calendar
/// period: the code before stop 16. `migrate` carries the current
/// period's into [`SPENDS`].
pub const SPENT: Map<(&str, u64), Uint128> = Map::new("sp");
/// Treasury paid per (asset key, execution time in seconds): the limits
/// hold over any window of `spend_period` seconds, not per calendar period
/// (which let twice the limit out in the seconds around a boundary).
/// Entries older than a period are pruned as new ones are charged.
pub const SPENDS: Map<(&str, u64), Uint128> = Map::new("sw");
/// FOG held as proposal deposits not yet refunded or burned: it lies in
/// the treasury's balance but is not the treasury's to spend.
pub const DEPOSITS_HELD: Item<Uint128> = Item::new("dh");
