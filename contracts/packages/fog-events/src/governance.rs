//! Events of the governance contract (`contracts/governance`).
//!
//! Powers and weights are veFOG power in FOG base units; times are seconds
//! since the Unix epoch; option indexes count from 0 (yes, no, abstain for
//! yes/no and quadratic votes).

crate::fog_events! {
    contract = "governance";
    /// Every event of the governance contract.
    pub enum GovernanceEvent {
        /// The configuration was set (at instantiation) or changed by a
        /// proposal; `config` is the whole configuration as JSON.
        ConfigUpdated = "config_updated" v 1 {
            sender: String,
            config: String,
        },
        /// A proposal was created; its rules and snapshot are fixed.
        ProposalCreated = "proposal_created" v 1 {
            id: u64,
            proposer: String,
            kind: String,
            method: String,
            title: crate::Text,
            description: crate::Text,
            options: Vec<String>,
            /// The actions, one per option (one for yes/no), as JSON.
            actions: String,
            start_height: u64,
            start_time: u64,
            end_time: u64,
            total_power: u128,
            quorum_bps: u16,
            threshold_bps: u16,
            timelock: u64,
            cap: Option<u128>,
            deposit: u128,
        },
        /// A ballot was cast. When the voter overrode its delegate's ballot,
        /// `delegate` names it with its ballot's new power and weight; when
        /// quorum came late, `end_time` is the new end; when the outcome
        /// became final, `status` (and `winner`) say which.
        VoteCast = "vote_cast" v 1 {
            id: u64,
            voter: String,
            choice: Vec<u8>,
            power: u128,
            weight: u128,
            own: u128,
            delegate: Option<String>,
            delegate_power: Option<u128>,
            delegate_weight: Option<u128>,
            end_time: Option<u64>,
            status: Option<String>,
            winner: Option<u8>,
        },
        /// The outcome was recorded and the deposit settled.
        ProposalClosed = "proposal_closed" v 1 {
            id: u64,
            sender: String,
            status: String,
            winner: Option<u8>,
            decided_at: u64,
            deposit_refunded: u128,
            deposit_burned: u128,
        },
        /// A passed proposal ran (its deposit is settled by closing it).
        ProposalExecuted = "proposal_executed" v 1 {
            id: u64,
            sender: String,
            winner: Option<u8>,
        },
        /// The guardian stopped a passed proposal.
        /// The guardian vetoed a passed proposal during its timelock. A
        /// veto may be what decides a proposal nobody closed: version 2
        /// carries the winner and when it was decided (version 1 did not,
        /// and still decodes, with neither).
        ProposalVetoed = "proposal_vetoed" v 2 (decodes 1) {
            id: u64,
            guardian: String,
            reason: Option<crate::Text>,
            deposit_burned: u128,
            winner: Option<u8>,
            decided_at: Option<u64>,
        },
    }
}
