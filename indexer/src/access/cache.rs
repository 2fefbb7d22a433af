//! Accepted tokens remembered for a few seconds, so a client's stream of
//! requests costs one token lookup per interval instead of one per request.
//! A token revoked through this server's API is forgotten at once; revoked
//! elsewhere (`fog-indexer staff revoke`) it is refused within the interval.
//! A cached token is never used past its expiry.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::tokens::Caller;

/// How long an accepted token is trusted without asking the database.
pub const DEFAULT_TTL: Duration = Duration::from_secs(5);
/// Entries kept at most (a flood of distinct valid tokens cannot grow it).
const MAX_ENTRIES: usize = 10_000;

struct Entry {
    caller: Caller,
    expires_at: DateTime<Utc>,
    checked: Instant,
}

#[derive(Clone)]
pub struct TokenCache {
    ttl: Duration,
    entries: Arc<Mutex<HashMap<[u8; 32], Entry>>>,
}

impl TokenCache {
    /// `ttl` zero: nothing is cached.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Arc::default(),
        }
    }

    pub fn get(&self, digest: &[u8; 32]) -> Option<Caller> {
        let entries = self.entries.lock().expect("token cache lock");
        let e = entries.get(digest)?;
        (e.checked.elapsed() < self.ttl && e.expires_at > Utc::now()).then(|| e.caller.clone())
    }

    pub fn put(&self, digest: [u8; 32], caller: Caller, expires_at: DateTime<Utc>) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.lock().expect("token cache lock");
        if entries.len() >= MAX_ENTRIES {
            let ttl = self.ttl;
            entries.retain(|_, e| e.checked.elapsed() < ttl);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(
            digest,
            Entry {
                caller,
                expires_at,
                checked: Instant::now(),
            },
        );
    }

    /// Forgets token `id` (revoked).
    pub fn evict(&self, token_id: i64) {
        self.entries
            .lock()
            .expect("token cache lock")
            .retain(|_, e| e.caller.token_id != token_id);
    }
}

impl Default for TokenCache {
    fn default() -> Self {
        Self::new(DEFAULT_TTL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Role;

    fn caller(id: i64) -> Caller {
        Caller {
            token_id: id,
            name: "ana".into(),
            role: Role::Auditor,
        }
    }

    #[test]
    fn entries_expire_with_the_ttl_the_token_or_a_revocation() {
        let cache = TokenCache::new(Duration::from_millis(50));
        cache.put([1; 32], caller(1), Utc::now() + chrono::Duration::days(1));
        assert_eq!(cache.get(&[1; 32]).map(|c| c.token_id), Some(1));
        std::thread::sleep(Duration::from_millis(60));
        assert!(cache.get(&[1; 32]).is_none(), "past the ttl");
        cache.put([2; 32], caller(2), Utc::now() - chrono::Duration::seconds(1));
        assert!(cache.get(&[2; 32]).is_none(), "past the token's expiry");
        cache.put([3; 32], caller(3), Utc::now() + chrono::Duration::days(1));
        cache.evict(3);
        assert!(cache.get(&[3; 32]).is_none(), "revoked");
        let off = TokenCache::new(Duration::ZERO);
        off.put([4; 32], caller(4), Utc::now() + chrono::Duration::days(1));
        assert!(off.get(&[4; 32]).is_none());
    }
}
