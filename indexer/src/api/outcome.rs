//! The outcome of a proposal whose voting ended but which nobody closed on
//! chain yet: computed from the projection exactly as the governance
//! contract's query computes it (`ProposalCore::final_outcome`), with the
//! contract's own pure rules (`Judged`, `instant_runoff`).

use fog_governance::voting::outcome::Judged;
use fog_governance::voting::ranked::instant_runoff;

use super::vocab::{ProposalStatus, VotingMethod};

/// The figures a proposal row holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figures {
    pub counted: Vec<u128>,
    pub turnout: u128,
    pub total: u128,
    pub quorum_bps: u16,
    pub threshold_bps: u16,
    /// A choice proposal whose options act (its kind is not text): its
    /// winner must carry the threshold too (`Judged::winner_needs_threshold`).
    pub acting_choice: bool,
}

impl Figures {
    /// As the contract judges it once voting ended: nothing remains movable.
    pub fn judged(&self) -> Judged {
        Judged {
            counted: self.counted.clone(),
            turnout: self.turnout,
            total: self.total,
            quorum_bps: self.quorum_bps,
            threshold_bps: self.threshold_bps,
            remaining: self.total.saturating_sub(self.turnout),
            movable: 0,
            winner_needs_threshold: self.acting_choice,
        }
    }
}

/// Whether a proposal of stored `kind` voted on by `method` is a choice
/// whose options act (`Figures::acting_choice`).
pub fn acting_choice(kind: &str, method: VotingMethod) -> bool {
    matches!(method, VotingMethod::MultipleChoice | VotingMethod::RankedChoice) && kind != "text"
}

/// Voting ended at `now` (the latest indexed block's time) and the proposal
/// is still open: the contract's queries show its final outcome
/// (`now >= end_time`, as in the contract).
pub fn ended_open(status: ProposalStatus, end_time: u64, now: Option<u64>) -> bool {
    status == ProposalStatus::Open && now.is_some_and(|now| now >= end_time)
}

/// The last second a passed proposal may be executed, as the contract
/// computes it: the execution window after the timelock plus one spending
/// period of the configuration now (`None` when either is unknown).
pub fn executable_until(executable_at: Option<u64>, spend_period: Option<u64>) -> Option<u64> {
    Some(fog_governance::config::execution_deadline(
        executable_at?,
        spend_period?,
    ))
}

/// A passed proposal whose execution window ended before `now` reads
/// `expired`, as the contract's query shows it.
pub fn past_window(status: ProposalStatus, executable_until: Option<u64>, now: Option<u64>) -> ProposalStatus {
    match (status, executable_until, now) {
        (ProposalStatus::Passed, Some(last), Some(now)) if now > last => ProposalStatus::Expired,
        _ => status,
    }
}

/// A decided proposal at `now`: `(status, executable_at, executable_until)`,
/// the times for a passed proposal only, and `expired` past its window.
pub fn execution_window(
    status: ProposalStatus,
    decided_at: Option<u64>,
    timelock: u64,
    spend_period: Option<u64>,
    now: Option<u64>,
) -> (ProposalStatus, Option<u64>, Option<u64>) {
    let executable_at = (status == ProposalStatus::Passed)
        .then_some(decided_at)
        .flatten()
        .map(|d| d + timelock);
    let until = executable_until(executable_at, spend_period);
    (past_window(status, until, now), executable_at, until)
}

/// The governance configuration's spending period, as last projected.
/// Read as JSON: a period past `bigint`'s range (the contract takes any
/// u64) must not fail the query.
pub async fn spend_period(db: impl sqlx::PgExecutor<'_>) -> sqlx::Result<Option<u64>> {
    let period: Option<Option<serde_json::Value>> =
        sqlx::query_scalar("SELECT config->'spend_period' FROM gov_config WHERE id = 1")
            .fetch_optional(db)
            .await?;
    Ok(period.flatten().and_then(|p| p.as_u64()))
}

/// A ranked proposal needs its ballots only when quorum was reached (the
/// contract rejects it without a run-off otherwise).
pub fn needs_ballots(method: VotingMethod, figures: &Figures) -> bool {
    method == VotingMethod::RankedChoice && figures.judged().quorum_reached()
}

/// The final `(status, winner)`; `ballots` (ranking, summed weight) are read
/// for ranked proposals only.
pub fn final_outcome(
    method: VotingMethod,
    figures: &Figures,
    options: u8,
    ballots: &[(Vec<u8>, u128)],
) -> (ProposalStatus, Option<u8>) {
    let judged = figures.judged();
    let (passed, winner) = match method {
        VotingMethod::YesNo | VotingMethod::Quadratic => (judged.yes_no_passes(), None),
        VotingMethod::MultipleChoice => {
            let w = judged.plurality_winner();
            (w.is_some(), w)
        }
        VotingMethod::RankedChoice => {
            let w = judged.ranked_winner(&instant_runoff(options, ballots));
            (w.is_some(), w)
        }
    };
    let status = if passed {
        ProposalStatus::Passed
    } else {
        ProposalStatus::Rejected
    };
    (status, winner)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(counted: Vec<u128>, total: u128) -> Figures {
        Figures {
            turnout: counted.iter().sum(),
            counted,
            total,
            quorum_bps: 2_000,
            threshold_bps: 5_000,
            acting_choice: false,
        }
    }

    #[test]
    fn only_open_proposals_past_their_end_are_derived() {
        assert!(ended_open(ProposalStatus::Open, 100, Some(100)));
        assert!(!ended_open(ProposalStatus::Open, 100, Some(99)));
        assert!(!ended_open(ProposalStatus::Open, 100, None));
        assert!(!ended_open(ProposalStatus::Passed, 100, Some(200)));
    }

    #[test]
    fn a_passed_proposal_expires_after_its_window() {
        use fog_governance::config::EXECUTION_WINDOW;
        let last = executable_until(Some(100), Some(50)).unwrap();
        assert_eq!(last, 150 + EXECUTION_WINDOW);
        assert_eq!(executable_until(None, Some(50)), None);
        assert_eq!(executable_until(Some(100), None), None);
        let passed = ProposalStatus::Passed;
        assert_eq!(past_window(passed, Some(last), Some(last)), passed);
        assert_eq!(past_window(passed, Some(last), Some(last + 1)), ProposalStatus::Expired);
        assert_eq!(past_window(passed, None, Some(u64::MAX)), passed);
        assert_eq!(past_window(passed, Some(last), None), passed);
        let executed = ProposalStatus::Executed;
        assert_eq!(past_window(executed, Some(last), Some(last + 1)), executed);
    }

    #[test]
    fn yes_no_and_plurality() {
        let f = figures(vec![30, 10, 0], 100);
        assert_eq!(
            final_outcome(VotingMethod::YesNo, &f, 3, &[]),
            (ProposalStatus::Passed, None)
        );
        let f = figures(vec![5, 5, 0], 100);
        assert_eq!(
            final_outcome(VotingMethod::Quadratic, &f, 3, &[]),
            (ProposalStatus::Rejected, None)
        );
        let f = figures(vec![10, 30, 5], 100);
        assert_eq!(
            final_outcome(VotingMethod::MultipleChoice, &f, 3, &[]),
            (ProposalStatus::Passed, Some(1))
        );
    }

    #[test]
    fn ranked_runs_off_after_quorum() {
        let ballots = vec![(vec![0, 1], 40), (vec![1, 0], 35), (vec![2, 1], 25)];
        let f = figures(vec![40, 35, 25], 200);
        assert!(needs_ballots(VotingMethod::RankedChoice, &f));
        assert_eq!(
            final_outcome(VotingMethod::RankedChoice, &f, 3, &ballots),
            (ProposalStatus::Passed, Some(1))
        );
        let f = figures(vec![4, 3, 2], 200);
        assert!(!needs_ballots(VotingMethod::RankedChoice, &f));
        assert_eq!(
            final_outcome(VotingMethod::RankedChoice, &f, 3, &ballots),
            (ProposalStatus::Rejected, None)
        );
    }

    #[test]
    fn an_acting_choice_winner_needs_the_threshold() {
        let mut f = figures(vec![40, 35, 25], 100);
        f.threshold_bps = 6_667;
        assert_eq!(
            final_outcome(VotingMethod::MultipleChoice, &f, 3, &[]),
            (ProposalStatus::Passed, Some(0)),
            "a poll"
        );
        f.acting_choice = true;
        assert_eq!(
            final_outcome(VotingMethod::MultipleChoice, &f, 3, &[]),
            (ProposalStatus::Rejected, None)
        );
        // b wins the run-off with 60 of all 100 in its last round: < 2/3.
        let ballots = vec![(vec![0], 40), (vec![1, 0], 35), (vec![2, 1], 25)];
        assert_eq!(
            final_outcome(VotingMethod::RankedChoice, &f, 3, &ballots),
            (ProposalStatus::Rejected, None)
        );
        f.threshold_bps = 5_000;
        assert_eq!(
            final_outcome(VotingMethod::RankedChoice, &f, 3, &ballots),
            (ProposalStatus::Passed, Some(1))
        );
    }
}
