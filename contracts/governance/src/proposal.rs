//! The proposal as a domain object: its tally judged, its outcome decided.

use cosmwasm_std::{Order, StdResult, Storage, Uint128};

use crate::state::{ProposalCore, ProposalKind, Status, VotingMethod, RANKINGS};
use crate::voting::outcome::Judged;
use crate::voting::ranked::{instant_runoff, RunOff};

impl ProposalCore {
    pub fn judged(&self) -> Judged {
        Judged {
            counted: self.counted.iter().map(|c| c.u128()).collect(),
            turnout: self.turnout.u128(),
            total: self.total.u128(),
            quorum_bps: self.quorum_bps,
            threshold_bps: self.threshold_bps,
            remaining: self.total.u128().saturating_sub(self.turnout.u128()),
            movable: self.movable.u128(),
            winner_needs_threshold: !self.method.is_yes_no() && self.kind != ProposalKind::Text,
        }
    }

    /// Voting is open at `now`.
    pub fn is_open(&self, now: u64) -> bool {
        self.status == Status::Open && now < self.end_time
    }

    /// The outcome decided while voting is still open, if it can no longer
    /// change: `Some((passed, winner))`. Ranked and quadratic votes run to
    /// their end.
    pub fn decided_early(&self) -> Option<(bool, Option<u8>)> {
        let judged = self.judged();
        match self.method {
            VotingMethod::YesNo => judged.yes_no_decided().map(|passed| (passed, None)),
            VotingMethod::MultipleChoice => judged.plurality_decided().map(|w| (w.is_some(), w)),
            VotingMethod::RankedChoice | VotingMethod::Quadratic => None,
        }
    }

    /// The final outcome once voting ended: `(passed, winner)`.
    pub fn final_outcome(&self, storage: &dyn Storage, id: u64) -> StdResult<(bool, Option<u8>)> {
        let judged = self.judged();
        Ok(match self.method {
            VotingMethod::YesNo | VotingMethod::Quadratic => (judged.yes_no_passes(), None),
            VotingMethod::MultipleChoice => {
                let w = judged.plurality_winner();
                (w.is_some(), w)
            }
            VotingMethod::RankedChoice => {
                if !judged.quorum_reached() {
                    (false, None)
                } else {
                    let w = judged.ranked_winner(&self.run_off(storage, id)?);
                    (w.is_some(), w)
                }
            }
        })
    }

    /// Ranked proposals: the instant run-off over the stored rankings.
    pub fn run_off(&self, storage: &dyn Storage, id: u64) -> StdResult<RunOff> {
        let ballots = RANKINGS
            .prefix(id)
            .range(storage, None, None, Order::Ascending)
            .map(|item| item.map(|(ranking, w)| (ranking, w.u128())))
            .collect::<StdResult<Vec<_>>>()?;
        Ok(instant_runoff(self.options, &ballots))
    }

    /// When a passed proposal may run.
    pub fn executable_at(&self) -> Option<u64> {
        self.decided_at.map(|d| d + self.timelock)
    }

    /// The last second a passed proposal may be executed: the execution
    /// window after its timelock, plus one spending period so a spend the
    /// limit holds back can wait for room.
    pub fn executable_until(&self, spend_period: u64) -> Option<u64> {
        self.executable_at()
            .map(|at| crate::config::execution_deadline(at, spend_period))
    }

    /// Adds `weight` to the option(s) of `choice` (the first preference for
    /// rankings), or removes it.
    pub fn count(&mut self, choice: &[u8], weight: Uint128, add: bool) {
        if let Some(slot) = choice.first().and_then(|o| self.counted.get_mut(usize::from(*o))) {
            *slot = if add {
                *slot + weight
            } else {
                slot.saturating_sub(weight)
            };
        }
    }
}
