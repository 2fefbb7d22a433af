//! When to anchor: every N records or every T seconds, whichever comes first.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Anchor once this many records have been appended since the last anchor.
    pub every_records: u64,
    /// Anchor anything new once this long has passed since the last anchor.
    pub every: Duration,
}

impl Policy {
    /// Whether a log of `log_size` records is due when `anchored` are
    /// anchored and the last anchoring settled `since` ago (`None`: never,
    /// as far as this relayer remembers).
    pub fn due(&self, anchored: u64, log_size: u64, since: Option<Duration>) -> bool {
        if log_size <= anchored {
            return false;
        }
        anchored == 0 || log_size - anchored >= self.every_records || since.is_none_or(|s| s >= self.every)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: Policy = Policy {
        every_records: 100,
        every: Duration::from_secs(60),
    };

    #[test]
    fn nothing_new_is_never_due() {
        assert!(!POLICY.due(10, 10, None));
        assert!(!POLICY.due(10, 9, Some(Duration::from_secs(3600))));
    }

    #[test]
    fn the_first_checkpoint_is_due_at_once() {
        assert!(POLICY.due(0, 1, Some(Duration::ZERO)));
    }

    #[test]
    fn due_by_count_or_by_time() {
        assert!(!POLICY.due(10, 109, Some(Duration::from_secs(59))));
        assert!(POLICY.due(10, 110, Some(Duration::from_secs(1))));
        assert!(POLICY.due(10, 11, Some(Duration::from_secs(60))));
        assert!(POLICY.due(10, 11, None));
    }
}
