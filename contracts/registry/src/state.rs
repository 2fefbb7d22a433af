//! Storage of the registry.
//!
//! # `ENTRIES` is a versioned public interface
//!
//! Other fog contracts read entries straight from this contract's storage
//! with a raw query (see [`crate::raw`]), so the layout of [`ENTRIES`] is an
//! interface, at version [`ENTRIES_LAYOUT_VERSION`]:
//!
//! - key: the cw-storage-plus `Map` key of namespace `"entries"`, i.e. the
//!   namespace's length as two big-endian bytes (`0x00 0x07`), the bytes
//!   `entries`, then the address's bytes (its bech32 string as UTF-8);
//! - value: the JSON of [`Entry`] (cosmwasm-std's serde: `Timestamp` as a
//!   string of nanoseconds, `HexBinary` as a hex string, `Addr` as a string).
//!
//! Changing the namespace, the key or the fields of `Entry` (other than
//! adding an optional field) breaks every reader: it is a new layout
//! version, shipped with a migration and announced to the readers first.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Empty, HexBinary, Timestamp};
use cw_storage_plus::{Item, Map};

/// Version of the [`ENTRIES`] storage layout other contracts read.
pub const ENTRIES_LAYOUT_VERSION: u32 = 1;

/// Who may appoint officers.
#[cw_serde]
pub struct Config {
    /// The DAO's governance contract or a configured admin.
    pub owner: Addr,
}

pub const CONFIG: Item<Config> = Item::new("config");

/// The compliance officers; only they write entries.
pub const OFFICERS: Map<&Addr, Empty> = Map::new("officers");

/// The entries, by address. A public interface: see the module docs.
pub const ENTRIES: Map<&Addr, Entry> = Map::new("entries");

/// What the registry knows about one address. No personal data: the KYC
/// record itself stays off-chain, bound by `commitment`.
#[cw_serde]
pub struct Entry {
    /// KYC tier, 0 (none) to 3, as verified; see [`Entry::effective_tier`].
    pub kyc_tier: u8,
    /// ISO 3166-1 alpha-2 code; "ZZ" when unknown.
    pub jurisdiction: String,
    /// Sanctioned addresses are refused by the fog contracts. Never expires.
    pub sanctioned: bool,
    /// When the KYC verification expires; `None`: never.
    pub expires_at: Option<Timestamp>,
    /// sha256 of the off-chain KYC record (32 bytes); all zeros when none.
    pub commitment: HexBinary,
    /// The officer who last changed the entry.
    pub officer: Addr,
    /// Block time of the last change.
    pub updated_at: Timestamp,
}

impl Entry {
    /// Whether the address is sanctioned. The flag does not expire with the
    /// KYC verification.
    pub fn is_sanctioned(&self) -> bool {
        self.sanctioned
    }

    /// Whether the KYC verification has expired at `now` (expiry included).
    pub fn is_expired(&self, now: Timestamp) -> bool {
        matches!(self.expires_at, Some(at) if now >= at)
    }

    /// The tier that counts at `now`: 0 once the verification has expired.
    pub fn effective_tier(&self, now: Timestamp) -> u8 {
        if self.is_expired(now) {
            0
        } else {
            self.kyc_tier
        }
    }
}

/// The raw-read API lives in [`crate::raw`]; re-exported here beside the
/// layout it reads.
pub use crate::raw;

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(tier: u8, sanctioned: bool, expires_at: Option<Timestamp>) -> Entry {
        Entry {
            kyc_tier: tier,
            jurisdiction: "DE".to_string(),
            sanctioned,
            expires_at,
            commitment: HexBinary::from(vec![7u8; 32]),
            officer: Addr::unchecked("officer"),
            updated_at: Timestamp::from_seconds(1),
        }
    }

    #[test]
    fn effective_tier_is_zero_from_expiry_on() {
        let e = entry(3, false, Some(Timestamp::from_seconds(100)));
        assert_eq!(e.effective_tier(Timestamp::from_seconds(99)), 3);
        assert!(!e.is_expired(Timestamp::from_seconds(99)));
        assert_eq!(e.effective_tier(Timestamp::from_seconds(100)), 0);
        assert!(e.is_expired(Timestamp::from_seconds(100)));
        assert_eq!(e.effective_tier(Timestamp::from_seconds(1_000)), 0);
    }

    #[test]
    fn no_expiry_never_expires() {
        let e = entry(2, false, None);
        assert_eq!(e.effective_tier(Timestamp::from_seconds(u64::MAX / 1_000_000_000)), 2);
    }

    #[test]
    fn sanctions_survive_expiry() {
        let e = entry(3, true, Some(Timestamp::from_seconds(10)));
        assert!(e.is_expired(Timestamp::from_seconds(11)));
        assert!(e.is_sanctioned());
    }

    #[test]
    fn entries_key_layout_is_pinned() {
        // Layout version 1: readers in other contracts depend on these bytes.
        let addr = Addr::unchecked("cosmwasm1abc");
        let key = ENTRIES.key(&addr);
        let mut expected = vec![0u8, 7];
        expected.extend_from_slice(b"entries");
        expected.extend_from_slice(b"cosmwasm1abc");
        assert_eq!(&*key, expected.as_slice());
        assert_eq!(ENTRIES_LAYOUT_VERSION, 1);
    }

    #[test]
    fn entry_json_is_pinned() {
        let e = entry(2, true, Some(Timestamp::from_seconds(5)));
        let json = cosmwasm_std::to_json_string(&e).unwrap();
        assert_eq!(
            json,
            format!(
                "{{\"kyc_tier\":2,\"jurisdiction\":\"DE\",\"sanctioned\":true,\"expires_at\":\"5000000000\",\"commitment\":\"{}\",\"officer\":\"officer\",\"updated_at\":\"1000000000\"}}",
                "07".repeat(32)
            )
        );
    }
}
