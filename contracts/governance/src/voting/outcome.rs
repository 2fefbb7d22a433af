//! Whether a proposal passes, and whether that can still change.
//!
//! Quorum is measured on the power that took part (before the anti-whale
//! cap and the quadratic root), so capping a whale never makes quorum
//! unreachable; the threshold is measured on the counted weights of yes and
//! no (abstain counts for quorum only).

use super::ranked::RunOff;

/// Basis points in 100%.
pub const BPS: u128 = 10_000;

/// What a tally needs to be judged.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Judged {
    /// Counted weight per option.
    pub counted: Vec<u128>,
    /// Power that took part, uncapped.
    pub turnout: u128,
    /// Power at the snapshot.
    pub total: u128,
    pub quorum_bps: u16,
    pub threshold_bps: u16,
    /// Power that has not voted yet (uncapped): `total - turnout`.
    pub remaining: u128,
    /// Delegated power inside cast ballots, which the delegators may still
    /// move by voting themselves.
    pub movable: u128,
    /// A choice proposal whose options act: its winner must also carry more
    /// than the threshold of the weight counted (of the last round, for a
    /// run-off), as yes must among yes and no. Without it, 40% for one
    /// rules change could pass it against 60% split over the others.
    pub winner_needs_threshold: bool,
}

/// Yes, no and abstain, in that order in a yes/no tally.
pub const YES: usize = 0;
pub const NO: usize = 1;
pub const ABSTAIN: usize = 2;

impl Judged {
    pub fn quorum_reached(&self) -> bool {
        self.turnout * BPS >= u128::from(self.quorum_bps) * self.total && self.turnout > 0
    }

    fn passes_threshold(&self, yes: u128, no: u128) -> bool {
        yes > 0 && yes * BPS > u128::from(self.threshold_bps) * (yes + no)
    }

    /// Yes/no (and quadratic): passes with quorum and more than the
    /// threshold of yes among yes and no.
    pub fn yes_no_passes(&self) -> bool {
        self.quorum_reached() && self.passes_threshold(self.counted[YES], self.counted[NO])
    }

    /// Yes/no: the outcome can no longer change, even if every remaining
    /// voter voted against it and every delegated vote was moved against it.
    /// Not used for quadratic votes, whose remaining weight has no bound.
    pub fn yes_no_decided(&self) -> Option<bool> {
        let (yes, no) = (self.counted[YES], self.counted[NO]);
        let swing = self.remaining + self.movable;
        let worst_yes = yes.saturating_sub(self.movable);
        if self.quorum_reached() && self.passes_threshold(worst_yes, no + swing) {
            return Some(true);
        }
        // Rejected early only once quorum is reached: a deposit is burned
        // when a proposal ends without quorum, and ending it early would
        // shut out the voters who could still have brought quorum (with a
        // quorum above half, no votes alone could decide it before).
        let best_yes = yes + swing;
        let worst_no = no.saturating_sub(self.movable);
        if self.quorum_reached() && !self.passes_threshold(best_yes, worst_no) {
            return Some(false);
        }
        None
    }

    /// `weight` is more than the threshold of `counted`, if the winner
    /// needs it.
    fn winner_carries(&self, weight: u128, counted: u128) -> bool {
        !self.winner_needs_threshold || self.passes_threshold(weight, counted.saturating_sub(weight))
    }

    /// Multiple choice: the option with the most weight wins, with quorum,
    /// without a tie for first place and, where the options act, with more
    /// than the threshold of the weight counted.
    pub fn plurality_winner(&self) -> Option<u8> {
        if !self.quorum_reached() {
            return None;
        }
        let best = *self.counted.iter().max()?;
        if best == 0 || self.counted.iter().filter(|&&c| c == best).count() > 1 {
            return None;
        }
        if !self.winner_carries(best, self.counted.iter().sum()) {
            return None;
        }
        self.counted.iter().position(|&c| c == best).map(|i| i as u8)
    }

    /// Ranked choice: the run-off's winner, with quorum and, where the
    /// options act, with more than the threshold of the weight of every
    /// ballot (the first round's), counting what reached it in its last
    /// round. Not of the last round's continuing weight: ballots exhausted
    /// on the way (those for "no change" alone) would drop out of it, and
    /// 35% against 34% for another action and 31% for no change passed.
    pub fn ranked_winner(&self, run: &RunOff) -> Option<u8> {
        if !self.quorum_reached() {
            return None;
        }
        let winner = run.winner?;
        let weight = *run.rounds.last()?.get(usize::from(winner))?;
        let counted = run.rounds.first()?.iter().sum();
        self.winner_carries(weight, counted).then_some(winner)
    }

    /// Multiple choice: the winner can no longer change. Not decided early
    /// when the winner needs the threshold: later ballots for other options
    /// can take it below.
    pub fn plurality_decided(&self) -> Option<Option<u8>> {
        if self.winner_needs_threshold {
            return None;
        }
        let winner = self.plurality_winner()?;
        let lead = self.counted[usize::from(winner)].saturating_sub(self.movable);
        let runner_up = self
            .counted
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != usize::from(winner))
            .map(|(_, c)| *c)
            .max()
            .unwrap_or(0);
        (lead > runner_up + self.remaining + self.movable).then_some(Some(winner))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(yes: u128, no: u128, abstain: u128, total: u128) -> Judged {
        Judged {
            counted: vec![yes, no, abstain],
            turnout: yes + no + abstain,
            total,
            quorum_bps: 2_000,
            threshold_bps: 5_000,
            remaining: total - yes - no - abstain,
            movable: 0,
            winner_needs_threshold: false,
        }
    }

    #[test]
    fn quorum_counts_abstain_threshold_does_not() {
        assert!(!judged(10, 5, 0, 100).yes_no_passes(), "15% < 20% quorum");
        assert!(judged(10, 5, 5, 100).yes_no_passes());
        assert!(!judged(10, 10, 5, 100).yes_no_passes(), "a tie is not more than half");
        assert!(!judged(0, 0, 50, 100).yes_no_passes(), "abstain alone passes nothing");
    }

    #[test]
    fn decided_early_only_when_nothing_can_change() {
        assert_eq!(judged(60, 0, 0, 100).yes_no_decided(), Some(true));
        assert_eq!(judged(50, 0, 0, 100).yes_no_decided(), None);
        assert_eq!(judged(0, 51, 0, 100).yes_no_decided(), Some(false));
        let mut j = judged(60, 0, 0, 100);
        j.movable = 20; // delegators could move 20 from yes to no
        assert_eq!(j.yes_no_decided(), None);
        // The reviewer's case: a 51% quorum, half the power against. Yes can
        // no longer pass, but quorum is not reached: not ended early (its
        // deposit would burn for want of the quorum others could bring).
        let mut j = judged(0, 50, 0, 100);
        j.quorum_bps = 5_100;
        assert_eq!(j.yes_no_decided(), None);
        j.counted[NO] = 51;
        j.turnout = 51;
        j.remaining = 49;
        assert_eq!(j.yes_no_decided(), Some(false), "with quorum");
    }

    #[test]
    fn plurality() {
        let mut j = judged(0, 0, 0, 100);
        j.counted = vec![30, 20, 10];
        j.turnout = 60;
        j.remaining = 40;
        assert_eq!(j.plurality_winner(), Some(0));
        assert_eq!(j.plurality_decided(), None);
        j.counted = vec![30, 30, 0];
        assert_eq!(j.plurality_winner(), None, "a tie has no winner");
        j.counted = vec![80, 5, 5];
        j.turnout = 90;
        j.remaining = 10;
        assert_eq!(j.plurality_decided(), Some(Some(0)));
    }

    /// The reviewer's case: 40% for one rules change against 60% split
    /// over the other option and the status quo, at a 2/3 threshold.
    #[test]
    fn an_acting_winner_needs_the_threshold() {
        let mut j = judged(0, 0, 0, 100);
        j.threshold_bps = 6_667;
        j.counted = vec![40, 35, 25];
        j.turnout = 100;
        j.remaining = 0;
        assert_eq!(j.plurality_winner(), Some(0), "a poll: plurality");
        j.winner_needs_threshold = true;
        assert_eq!(j.plurality_winner(), None, "40% < 2/3 of what was counted");
        assert_eq!(j.plurality_decided(), None);
        j.counted = vec![70, 20, 10];
        assert_eq!(j.plurality_winner(), Some(0), "70% > 2/3");
        assert_eq!(j.plurality_decided(), None, "never early: later ballots dilute it");
        // Exactly the threshold is not more than it.
        j.threshold_bps = 7_000;
        assert_eq!(j.plurality_winner(), None);

        // A run-off: what reached the winner in its last round, of every
        // ballot's weight.
        let run = RunOff {
            winner: Some(1),
            rounds: vec![vec![40, 35, 25], vec![40, 60, 0]],
        };
        j.threshold_bps = 5_000;
        assert_eq!(j.ranked_winner(&run), Some(1), "60% of all > 50%");
        j.threshold_bps = 6_667;
        assert_eq!(j.ranked_winner(&run), None, "60% < 2/3");
        // The reviewer's case: 35 [A], 34 [B], 31 [no change] at 50%. No
        // change goes first and its ballots are exhausted: A wins the
        // run-off 35 to 34, but holds 35% of all, not more than half.
        let run = RunOff {
            winner: Some(0),
            rounds: vec![vec![35, 34, 31], vec![35, 34, 0]],
        };
        j.threshold_bps = 5_000;
        assert_eq!(j.ranked_winner(&run), None, "35 of 100, not of 69");
        j.winner_needs_threshold = false;
        assert_eq!(j.ranked_winner(&run), Some(0), "a poll: the run-off decides");
        j.turnout = 10;
        assert_eq!(j.ranked_winner(&run), None, "no quorum");
    }
}
