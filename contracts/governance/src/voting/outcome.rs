//! Whether a proposal passes, and whether that can still change.
//!
//! Quorum is measured on the power that took part (before the anti-whale
//! cap and the quadratic root), so capping a whale never makes quorum
//! unreachable; the threshold is measured on the counted weights of yes and
//! no (abstain counts for quorum only).

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
        let best_yes = yes + swing;
        let worst_no = no.saturating_sub(self.movable);
        if !self.passes_threshold(best_yes, worst_no) {
            return Some(false);
        }
        None
    }

    /// Multiple choice: the option with the most weight wins, with quorum
    /// and without a tie for first place.
    pub fn plurality_winner(&self) -> Option<u8> {
        if !self.quorum_reached() {
            return None;
        }
        let best = *self.counted.iter().max()?;
        if best == 0 || self.counted.iter().filter(|&&c| c == best).count() > 1 {
            return None;
        }
        self.counted.iter().position(|&c| c == best).map(|i| i as u8)
    }

    /// Multiple choice: the winner can no longer change.
    pub fn plurality_decided(&self) -> Option<Option<u8>> {
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
}
