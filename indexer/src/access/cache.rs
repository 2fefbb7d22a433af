//! Accepted tokens remembered for a few seconds, so a client's stream of
//! requests costs one token lookup per interval instead of one per request.
//! A token revoked through this server's API is forgotten at once; revoked
//! elsewhere (`fog-indexer staff revoke`) it is refused within the interval.
//! A cached token is never used past its expiry.
//!
//! Refused tokens are remembered for the same interval: a refusal cannot
//! turn into an acceptance (an unknown digest is never issued later, an
//! expired or revoked token stays so), so a client repeating a bad token
//! costs one lookup per interval too.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::tokens::{Caller, Rejected};

/// How long an accepted token is trusted without asking the database.
pub const DEFAULT_TTL: Duration = Duration::from_secs(5);
/// Entries kept at most in each map (a flood of distinct tokens cannot
/// grow it).
const MAX_ENTRIES: usize = 10_000;

struct Entry<T> {
    answer: T,
    expires_at: DateTime<Utc>,
    checked: Instant,
}

type Entries<T> = Arc<Mutex<HashMap<[u8; 32], Entry<T>>>>;

/// Accepted and refused tokens are kept apart, so a flood of made-up tokens
/// filling its map never pushes the accepted ones out.
#[derive(Clone)]
pub struct TokenCache {
    ttl: Duration,
    accepted: Entries<Caller>,
    refused: Entries<Rejected>,
}

impl TokenCache {
    /// `ttl` zero: nothing is cached.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            accepted: Arc::default(),
            refused: Arc::default(),
        }
    }

    /// The remembered answer for `digest`: the caller, or why the token
    /// was refused.
    pub fn get(&self, digest: &[u8; 32]) -> Option<Result<Caller, Rejected>> {
        if let Some(caller) = self.fresh(&self.accepted, digest) {
            return Some(Ok(caller));
        }
        self.fresh(&self.refused, digest).map(Err)
    }

    pub fn put(&self, digest: [u8; 32], caller: Caller, expires_at: DateTime<Utc>) {
        self.insert(&self.accepted, digest, caller, expires_at);
    }

    /// Remembers that `digest` was refused, and why.
    pub fn put_rejected(&self, digest: [u8; 32], why: Rejected) {
        self.insert(&self.refused, digest, why, DateTime::<Utc>::MAX_UTC);
    }

    fn fresh<T: Clone>(&self, map: &Entries<T>, digest: &[u8; 32]) -> Option<T> {
        let entries = map.lock().expect("token cache lock");
        let e = entries.get(digest)?;
        (e.checked.elapsed() < self.ttl && e.expires_at > Utc::now()).then(|| e.answer.clone())
    }

    fn insert<T>(&self, map: &Entries<T>, digest: [u8; 32], answer: T, expires_at: DateTime<Utc>) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = map.lock().expect("token cache lock");
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
                answer,
                expires_at,
                checked: Instant::now(),
            },
        );
    }

    /// Forgets token `id` (revoked).
    pub fn evict(&self, token_id: i64) {
        self.accepted
            .lock()
            .expect("token cache lock")
            .retain(|_, e| e.answer.token_id != token_id);
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
        cache.put_rejected([5; 32], Rejected::Revoked);
        assert_eq!(cache.get(&[1; 32]).map(|c| c.unwrap().token_id), Some(1));
        assert_eq!(cache.get(&[5; 32]), Some(Err(Rejected::Revoked)));
        std::thread::sleep(Duration::from_millis(60));
        assert!(cache.get(&[1; 32]).is_none(), "past the ttl");
        assert!(cache.get(&[5; 32]).is_none(), "a refusal too");
        cache.put([2; 32], caller(2), Utc::now() - chrono::Duration::seconds(1));
        assert!(cache.get(&[2; 32]).is_none(), "past the token's expiry");
        cache.put([3; 32], caller(3), Utc::now() + chrono::Duration::days(1));
        cache.evict(3);
        assert!(cache.get(&[3; 32]).is_none(), "revoked");
        // A flood of refusals fills its own map, never the accepted one.
        let cache = TokenCache::new(Duration::from_secs(60));
        cache.put([6; 32], caller(6), Utc::now() + chrono::Duration::days(1));
        for i in 0..=MAX_ENTRIES as u32 {
            let mut digest = [0; 32];
            digest[..4].copy_from_slice(&i.to_be_bytes());
            digest[31] = 0xff;
            cache.put_rejected(digest, Rejected::Unknown);
        }
        assert_eq!(cache.get(&[6; 32]).map(|c| c.unwrap().token_id), Some(6));
        let off = TokenCache::new(Duration::ZERO);
        off.put([4; 32], caller(4), Utc::now() + chrono::Duration::days(1));
        assert!(off.get(&[4; 32]).is_none());
    }
}
