//! Instant-runoff voting over ranked ballots.
//!
//! - A ballot ranks 1 to `max_ranks` distinct options; unranked options are
//!   simply not preferred (partial ballots are valid).
//! - Each round, a ballot counts for its highest-ranked option still in the
//!   race; a ballot whose ranked options are all eliminated is exhausted and
//!   no longer counts.
//! - An option wins with more than half of the continuing weight, or as the
//!   last one standing.
//! - Otherwise the option with the least weight is eliminated. Ties for last
//!   place are broken backwards: the tied option with less weight in the
//!   previous round is eliminated, then the round before, and so on; if they
//!   were tied in every round, the option listed last is eliminated.
//!
//! Ballots are stored aggregated by distinct ranking, and a ranking is at
//! most `max_ranks` of at most `max_options` options, so the work of a tally
//! is bounded by the options, not by the number of voters: at most
//! sum_{k<=r} n!/(n-k)! rankings (820 for 10 options ranked 3 deep), each
//! read once, then at most `n - 1` rounds in memory.

/// The result of a run-off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOff {
    /// The winning option, if any ballot counted.
    pub winner: Option<u8>,
    /// Weight per option in each round (eliminated options count zero).
    pub rounds: Vec<Vec<u128>>,
}

/// Runs instant-runoff over `(ranking, weight)` pairs.
pub fn instant_runoff(options: u8, ballots: &[(Vec<u8>, u128)]) -> RunOff {
    let n = usize::from(options);
    let mut eliminated = vec![false; n];
    let mut rounds: Vec<Vec<u128>> = Vec::new();
    loop {
        let mut counts = vec![0u128; n];
        for (ranking, weight) in ballots {
            if let Some(&choice) = ranking
                .iter()
                .find(|&&o| usize::from(o) < n && !eliminated[usize::from(o)])
            {
                counts[usize::from(choice)] += weight;
            }
        }
        let continuing: u128 = counts.iter().sum();
        rounds.push(counts.clone());
        if continuing == 0 {
            return RunOff { winner: None, rounds };
        }
        let standing: Vec<usize> = (0..n).filter(|&o| !eliminated[o]).collect();
        if let Some(&o) = standing.iter().find(|&&o| counts[o] * 2 > continuing) {
            return RunOff {
                winner: Some(o as u8),
                rounds,
            };
        }
        if standing.len() == 1 {
            return RunOff {
                winner: Some(standing[0] as u8),
                rounds,
            };
        }
        let loser = last_place(&standing, &rounds);
        eliminated[loser] = true;
    }
}

/// The option to eliminate among `standing`, by the current round, then
/// backwards through earlier rounds, then the highest index.
fn last_place(standing: &[usize], rounds: &[Vec<u128>]) -> usize {
    let mut tied: Vec<usize> = standing.to_vec();
    for round in rounds.iter().rev() {
        let least = tied.iter().map(|&o| round[o]).min().unwrap_or(0);
        tied.retain(|&o| round[o] == least);
        if tied.len() == 1 {
            return tied[0];
        }
    }
    *tied.iter().max().unwrap_or(&standing[standing.len() - 1])
}

/// Checks a ranking: 1 to `max_ranks` distinct options below `options`.
pub fn validate_ranking(ranking: &[u8], options: u8, max_ranks: u8) -> Result<(), String> {
    if ranking.is_empty() {
        return Err("a ranking must name at least one option".into());
    }
    if ranking.len() > usize::from(max_ranks) {
        return Err(format!("a ranking may name at most {max_ranks} options"));
    }
    for (i, o) in ranking.iter().enumerate() {
        if *o >= options {
            return Err(format!("option {o} does not exist (the proposal has {options})"));
        }
        if ranking[..i].contains(o) {
            return Err(format!("option {o} is ranked twice"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(r: &[u8], w: u128) -> (Vec<u8>, u128) {
        (r.to_vec(), w)
    }

    #[test]
    fn majority_wins_in_the_first_round() {
        let r = instant_runoff(3, &[b(&[0], 6), b(&[1], 3), b(&[2], 2)]);
        assert_eq!(r.winner, Some(0));
        assert_eq!(r.rounds.len(), 1);
    }

    #[test]
    fn transfers_decide() {
        // 0: 40, 1: 35, 2: 25 whose second choice is 1 -> 1 wins 60-40.
        let r = instant_runoff(3, &[b(&[0, 1], 40), b(&[1, 0], 35), b(&[2, 1], 25)]);
        assert_eq!(r.winner, Some(1));
        assert_eq!(r.rounds[1], vec![40, 60, 0]);
    }

    #[test]
    fn exhausted_ballots_drop_out() {
        // 2's voters rank nothing else: 0 wins 40 to 35 of 75 continuing.
        let r = instant_runoff(3, &[b(&[0], 40), b(&[1], 35), b(&[2], 25)]);
        assert_eq!(r.winner, Some(0));
        assert_eq!(r.rounds[1], vec![40, 35, 0]);
    }

    #[test]
    fn ties_break_backwards_then_by_order() {
        // Round 1: 0:10, 1:10, 2:5, 3:5; 2 and 3 tied with no earlier round:
        // 3 (listed last) goes. 3's ballots have no next choice.
        let r = instant_runoff(4, &[b(&[0], 10), b(&[1], 10), b(&[2], 5), b(&[3], 5)]);
        // Then 2 goes (5), then 0 and 1 tie at 10 in every round: 1 goes, 0 wins.
        assert_eq!(r.winner, Some(0));

        // Round 2 ties 1 and 2 at 6; in round 1 option 1 had less (5 < 6),
        // so 1 goes although 2 is listed later; its ballots then elect 2.
        let r = instant_runoff(4, &[b(&[0], 10), b(&[2], 6), b(&[1, 2], 5), b(&[3, 1], 1)]);
        assert_eq!(r.rounds[1], vec![10, 6, 6, 0]);
        assert_eq!(r.rounds[2], vec![10, 0, 11, 0]);
        assert_eq!(r.winner, Some(2));
    }

    #[test]
    fn no_ballots_no_winner() {
        assert_eq!(instant_runoff(3, &[]).winner, None);
    }

    #[test]
    fn rankings_are_validated() {
        assert!(validate_ranking(&[0, 1, 2], 3, 3).is_ok());
        assert!(validate_ranking(&[], 3, 3).is_err());
        assert!(validate_ranking(&[0, 0], 3, 3).is_err());
        assert!(validate_ranking(&[3], 3, 3).is_err());
        assert!(validate_ranking(&[0, 1, 2], 5, 2).is_err());
    }
}
