use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Binary, Uint128};
use cw20::Cw20ReceiveMsg;

use crate::state::{Config, KindRules, LateQuorum, ProposalKind, SpendLimit, Status, VotingMethod};

#[cw_serde]
pub struct InstantiateMsg {
    /// veFOG: voting power comes from it, read at each proposal's start.
    pub ve: String,
    /// FOG: proposal deposits are paid in it (and treasury transfers may be).
    pub token: String,
    /// Compliance registry, for the KYC tiers required to propose and to
    /// count in quadratic votes.
    pub registry: Option<String>,
    /// The Admin role: may veto a passed proposal during its timelock and
    /// propose emergencies. `None`: no veto.
    pub guardian: Option<String>,
    /// The Validator role: may propose emergencies.
    pub validators: Vec<String>,
    /// FOG a proposer must deposit (returned when the proposal reaches
    /// quorum, burned otherwise). Zero: no deposit.
    pub deposit: Uint128,
    /// Voting power (own plus delegated, at the previous block) needed to
    /// propose; validators and the guardian are exempt for emergencies.
    pub min_proposer_power: Uint128,
    /// KYC tier a proposer must hold in the registry, if any.
    pub proposer_min_kyc_tier: Option<u8>,
    /// KYC tier an address must hold for its quadratic vote to count: one
    /// verified person is one identity, which is what makes the square root
    /// worth anything against Sybil splitting.
    pub quadratic_min_kyc_tier: u8,
    /// Anti-whale cap: the most one ballot (own plus delegated power) can
    /// count, in basis points of the snapshot's total power. `None`: no cap.
    pub max_vote_share_bps: Option<u16>,
    /// Late-quorum protection; `None`: off.
    pub late_quorum: Option<LateQuorum>,
    /// Quorum, threshold, voting period and timelock per proposal kind;
    /// missing kinds take the defaults (see `config::default_rules`).
    pub rules: Vec<KindRules>,
    /// Treasury spending limits per asset and period.
    pub spend_limits: Vec<SpendLimit>,
    /// Length of a spending period in seconds (e.g. 30 days).
    pub spend_period: u64,
    /// Most options a multiple-choice or ranked proposal may have (2 to 10).
    pub max_options: u8,
    /// Most options one ranked ballot may rank (1 to 3).
    pub max_ranks: u8,
    /// Contracts that protocol-upgrade proposals may migrate or call
    /// (the DAO's own contracts: veFOG, registry, release gate, ...).
    pub managed_contracts: Vec<String>,
}

#[cw_serde]
// Messages are decoded once per call; boxing the proposal would only make
// the Rust API clumsier.
#[allow(clippy::large_enum_variant)]
pub enum ExecuteMsg {
    /// FOG sent with cw20 `Send`: a proposal paying its deposit
    /// ([`ReceiveMsg`]).
    Receive(Cw20ReceiveMsg),
    /// Creates a proposal when no deposit is configured.
    Propose(ProposeMsg),
    /// Casts the sender's ballot. One ballot per address per proposal; a
    /// delegator who votes overrides its delegate for this proposal.
    Vote { proposal_id: u64, ballot: Ballot },
    /// Records the outcome of a proposal whose voting ended (or whose
    /// outcome can no longer change) and settles its deposit, also after
    /// execution (which never pays deposits, to stay cheap). Anyone may.
    Close { proposal_id: u64 },
    /// Runs a passed proposal after its timelock. Anyone may.
    Execute { proposal_id: u64 },
    /// Guardian only: stops a passed proposal during its timelock.
    Veto {
        proposal_id: u64,
        /// Why; kept in the event. At most 512 characters, no control
        /// characters but line breaks and tabs.
        reason: Option<String>,
    },
}

/// What FOG sent to governance is for.
#[cw_serde]
pub enum ReceiveMsg {
    /// A proposal; the FOG sent must equal the configured deposit.
    Propose(ProposeMsg),
}

#[cw_serde]
pub struct ProposeMsg {
    /// At most 128 characters.
    pub title: String,
    /// At most 8,192 characters; link to longer texts.
    pub description: String,
    /// How votes are cast and counted.
    pub method: VotingMethod,
    /// Yes/no and quadratic: what runs if the proposal passes (`None`: a
    /// text proposal). Must be `None` for multiple-choice and ranked votes.
    pub action: Option<Action>,
    /// Multiple choice and ranked: the options (2 to `max_options`); each
    /// may carry an action, all of the same kind, and the winner's runs.
    pub options: Vec<OptionMsg>,
}

#[cw_serde]
pub struct OptionMsg {
    /// At most 128 characters.
    pub title: String,
    pub action: Option<Action>,
}

/// What a proposal does when it passes. Its kind fixes its rules.
#[cw_serde]
pub enum Action {
    /// Change governance's own parameters.
    ParameterChange(ConfigChange),
    /// Pay from the treasury (this contract's balances).
    TreasurySpend { transfers: Vec<Transfer> },
    /// Migrate, or call, contracts the DAO manages. A call to a
    /// spend-limited token may only be balance-neutral (mint, update the
    /// minter or the marketing information).
    ProtocolUpgrade {
        migrations: Vec<Migration>,
        calls: Vec<ContractCall>,
    },
    /// Change quorum, threshold, period or timelock of proposal kinds.
    RulesChange { rules: Vec<KindRules> },
    /// Fast-tracked treasury transfers and contract calls (to managed
    /// contracts only, since nothing can veto them, and never to a
    /// spend-limited token, so limits cannot be bypassed). Only validators
    /// and the guardian may propose emergencies.
    Emergency {
        transfers: Vec<Transfer>,
        calls: Vec<ContractCall>,
    },
}

#[cw_serde]
pub struct Transfer {
    pub recipient: String,
    pub asset: Asset,
    pub amount: Uint128,
}

#[cw_serde]
pub enum Asset {
    /// A native denomination, e.g. "inj".
    Native(String),
    /// A cw20 token contract.
    Cw20(String),
}

#[cw_serde]
pub struct Migration {
    pub contract: String,
    pub new_code_id: u64,
    pub msg: Binary,
}

#[cw_serde]
pub struct ContractCall {
    pub contract: String,
    pub msg: Binary,
}

/// Governance parameters a parameter-change proposal may set; `None` keeps
/// the current value. A change of a safeguard (guardian, validators,
/// spending limits and period, managed contracts, registry, vote cap,
/// late-quorum protection, and who may propose: the deposit, the minimum
/// power and the KYC tier to propose) is
/// voted on under the rules-change kind's rules, not the parameter
/// change's: a coalition able to pass a parameter change must not be able
/// to take the safeguards away with it.
#[cw_serde]
#[derive(Default)]
pub struct ConfigChange {
    pub deposit: Option<Uint128>,
    pub min_proposer_power: Option<Uint128>,
    /// `null` (`Some(None)`) removes the requirement; absent keeps it.
    #[serde(
        default,
        deserialize_with = "present_or_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub proposer_min_kyc_tier: Option<Option<u8>>,
    pub quadratic_min_kyc_tier: Option<u8>,
    /// `null` (`Some(None)`) removes the cap; absent keeps it.
    #[serde(
        default,
        deserialize_with = "present_or_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_vote_share_bps: Option<Option<u16>>,
    /// `null` (`Some(None)`) turns late-quorum protection off.
    #[serde(
        default,
        deserialize_with = "present_or_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub late_quorum: Option<Option<LateQuorum>>,
    /// `null` (`Some(None)`) removes the guardian.
    #[serde(
        default,
        deserialize_with = "present_or_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub guardian: Option<Option<String>>,
    pub validators: Option<Vec<String>>,
    pub spend_limits: Option<Vec<SpendLimit>>,
    pub spend_period: Option<u64>,
    pub max_options: Option<u8>,
    pub max_ranks: Option<u8>,
    pub managed_contracts: Option<Vec<String>>,
    /// `null` (`Some(None)`) removes the registry.
    #[serde(
        default,
        deserialize_with = "present_or_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub registry: Option<Option<String>>,
}

/// A field that may be absent (keep the value), `null` (remove it) or a
/// value. Plain serde reads `null` as absent, so `Some(None)` could not be
/// sent at all: until stop 16 no proposal could remove the guardian, the
/// vote cap, late-quorum protection, the registry or the proposer's KYC
/// tier.
fn present_or_null<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

impl ConfigChange {
    /// Whether the change touches a safeguard (see the type's docs).
    pub fn touches_safeguards(&self) -> bool {
        // Who may propose: a parameter change setting an unpayable deposit
        // or an unreachable minimum would end governance for good.
        self.deposit.is_some()
            || self.min_proposer_power.is_some()
            || self.proposer_min_kyc_tier.is_some()
            || self.guardian.is_some()
            || self.validators.is_some()
            || self.spend_limits.is_some()
            || self.spend_period.is_some()
            || self.managed_contracts.is_some()
            || self.registry.is_some()
            || self.max_vote_share_bps.is_some()
            || self.late_quorum.is_some()
    }
}

/// A ballot; which form is valid depends on the proposal's method.
#[cw_serde]
pub enum Ballot {
    /// Yes/no and quadratic.
    Yes,
    No,
    Abstain,
    /// Multiple choice: the option's index.
    Choice {
        option: u8,
    },
    /// Ranked choice: option indexes, most preferred first.
    Ranking {
        ranking: Vec<u8>,
    },
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(Config)]
    Config {},
    /// A proposal with its tally and its status now.
    #[returns(ProposalResponse)]
    Proposal { proposal_id: u64 },
    /// Proposals, newest first.
    #[returns(ProposalsResponse)]
    Proposals {
        start_before: Option<u64>,
        /// Default 10, at most 100.
        limit: Option<u32>,
    },
    /// Ballots of a proposal, in voter order.
    #[returns(VotesResponse)]
    Votes {
        proposal_id: u64,
        start_after: Option<String>,
        limit: Option<u32>,
    },
    /// One voter's ballot.
    #[returns(VoteResponse)]
    Vote { proposal_id: u64, voter: String },
    /// The power an address would vote with on a proposal.
    #[returns(VotingPowerResponse)]
    VotingPower { proposal_id: u64, address: String },
    /// Ranked proposals: the run-off rounds so far.
    #[returns(RunOffResponse)]
    RunOff { proposal_id: u64 },
    /// The roles an address holds now.
    #[returns(RolesResponse)]
    Roles { address: String },
    /// Votes cast by an address and proposals it was eligible for.
    #[returns(ParticipationResponse)]
    Participation { address: String },
    /// Treasury spending in the current period.
    #[returns(SpendingResponse)]
    Spending {},
}

#[cw_serde]
pub struct ProposalResponse {
    pub id: u64,
    pub title: String,
    pub description: String,
    pub proposer: Addr,
    pub kind: ProposalKind,
    pub method: VotingMethod,
    /// Option titles (yes/no/abstain for yes/no and quadratic votes).
    pub options: Vec<String>,
    pub actions: Vec<Option<Action>>,
    pub status: Status,
    pub start_height: u64,
    pub start_time: u64,
    pub end_time: u64,
    /// When the outcome became final (voting end or early decision).
    pub decided_at: Option<u64>,
    /// Executable from this time, if passed (or expired).
    pub executable_at: Option<u64>,
    /// Executable until this time (inclusive), if passed (or expired): the
    /// execution window after the timelock plus one spending period, under
    /// the configuration now.
    pub executable_until: Option<u64>,
    pub total_power: Uint128,
    /// Counted weight per option.
    pub tally: Vec<Uint128>,
    /// Power that took part (uncapped).
    pub turnout: Uint128,
    pub voters: u32,
    pub quorum_bps: u16,
    pub threshold_bps: u16,
    pub quorum_reached: bool,
    /// The winning option, for choice and ranked methods once decided.
    pub winner: Option<u8>,
    pub deposit: Uint128,
}

#[cw_serde]
pub struct ProposalsResponse {
    pub proposals: Vec<ProposalResponse>,
}

#[cw_serde]
pub struct VoteResponse {
    pub voter: Addr,
    pub ballot: Ballot,
    /// Power behind the ballot (own plus delegated, less overrides).
    pub power: Uint128,
    /// Weight it counts with (after the cap and, if quadratic, the root).
    pub weight: Uint128,
}

#[cw_serde]
pub struct VotesResponse {
    pub votes: Vec<VoteResponse>,
}

#[cw_serde]
pub struct VotingPowerResponse {
    pub own: Uint128,
    pub received: Uint128,
    pub delegate: Option<Addr>,
    /// What a ballot cast now would carry.
    pub power: Uint128,
    /// What it would count with.
    pub weight: Uint128,
}

#[cw_serde]
pub struct RunOffResponse {
    pub rounds: Vec<Vec<Uint128>>,
    pub winner: Option<u8>,
}

#[cw_serde]
pub struct RolesResponse {
    /// Holds voting power now.
    pub member: bool,
    /// Registered delegate in veFOG.
    pub delegate: bool,
    pub validator: bool,
    /// The guardian.
    pub admin: bool,
}

#[cw_serde]
pub struct ParticipationResponse {
    pub votes_cast: u64,
    /// Proposals created after the address first locked FOG.
    pub eligible: u64,
    /// votes_cast / eligible in basis points (0 when nothing was eligible).
    pub score_bps: u16,
}

#[cw_serde]
pub struct SpendingResponse {
    /// Start of the window the limits hold over: the last `period_seconds`
    /// seconds (exclusive of this instant).
    pub period_start: u64,
    pub period_seconds: u64,
    pub spent: Vec<AssetAmount>,
    pub limits: Vec<SpendLimit>,
}

#[cw_serde]
pub struct AssetAmount {
    pub asset: Asset,
    pub amount: Uint128,
}

#[cw_serde]
pub struct MigrateMsg {}

/// Keeps [`Config`] visible to schema generation next to the messages.
pub type ConfigResponse = Config;
