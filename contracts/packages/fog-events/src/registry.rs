//! Events of the `registry` contract (the compliance registry).
//!
//! Replaying these events in order rebuilds the registry's whole state: the
//! owner, the set of compliance officers and every entry (`fog_registry`'s
//! `Entry`). Times are nanoseconds since the Unix epoch (attributes named
//! `*_ns`), exactly cosmwasm's `Timestamp`, since block times have nanosecond
//! precision; hashes are lower-case hex.

/// Jurisdiction of an entry that `SetSanctioned` created for an address the
/// registry did not know: ISO 3166-1 "ZZ", user-assigned, read as "unknown".
pub const UNKNOWN_JURISDICTION: &str = "ZZ";

/// Commitment of an entry that `SetSanctioned` created: 32 zero bytes, in
/// hex ("no off-chain KYC record").
pub const ZERO_COMMITMENT_HEX: &str = "0000000000000000000000000000000000000000000000000000000000000000";

crate::fog_events! {
    contract = "registry";
    /// Every event of the `registry` contract.
    pub enum RegistryEvent {
        /// The registry was instantiated with its first owner.
        Instantiated = "instantiated" v 1 {
            /// The owner (governance contract or admin).
            owner: String,
            /// Who instantiated the contract.
            sender: String,
        },
        /// The contract's code was migrated (cw2 version changed). The chain
        /// admin who migrated is not visible to the contract (CosmWasm 2.1).
        Migrated = "migrated" v 1 {
            /// cw2 version before the migration.
            from_version: String,
            /// cw2 version after the migration.
            to_version: String,
        },
        /// The owner handed ownership to another address.
        OwnerUpdated = "owner_updated" v 1 {
            /// The owner before, who made the change.
            previous_owner: String,
            /// The owner from now on.
            new_owner: String,
        },
        /// The owner made an address a compliance officer.
        OfficerAdded = "officer_added" v 1 {
            /// The new officer.
            officer: String,
            /// The owner who added them.
            owner: String,
        },
        /// The owner removed a compliance officer; they can no longer act.
        OfficerRemoved = "officer_removed" v 1 {
            /// The removed officer.
            officer: String,
            /// The owner who removed them.
            owner: String,
        },
        /// An officer wrote an address's whole entry (created or replaced).
        EntrySet = "entry_set" v 1 {
            /// The address the entry is about.
            address: String,
            /// KYC tier, 0 to 3.
            kyc_tier: u8,
            /// ISO 3166-1 alpha-2 code.
            jurisdiction: String,
            /// Whether the address is sanctioned.
            sanctioned: bool,
            /// When the KYC verification expires (nanoseconds since the Unix epoch); absent: never.
            expires_at_ns: Option<u64>,
            /// sha256 commitment to the off-chain KYC record (hex, 32 bytes).
            commitment: String,
            /// The officer who wrote it.
            officer: String,
            /// Block time of the change (nanoseconds since the Unix epoch).
            updated_at_ns: u64,
            /// True when the address had no entry before.
            created: bool,
        },
        /// An officer set or lifted the sanctions flag without touching the
        /// KYC fields. When `created` is true the address had no entry and
        /// one was created with tier 0, no expiry, jurisdiction
        /// [`UNKNOWN_JURISDICTION`] and commitment [`ZERO_COMMITMENT_HEX`].
        SanctionedSet = "sanctioned_set" v 1 {
            /// The address the entry is about.
            address: String,
            /// The new value of the flag.
            sanctioned: bool,
            /// Why (trimmed free text); absent when none was given.
            reason: crate::Text,
            /// The officer who made the change.
            officer: String,
            /// Block time of the change (nanoseconds since the Unix epoch).
            updated_at_ns: u64,
            /// True when the entry was created by this change.
            created: bool,
        },
        /// An officer removed an address's entry.
        EntryRemoved = "entry_removed" v 1 {
            /// The address whose entry was removed.
            address: String,
            /// The officer who removed it.
            officer: String,
        },
    }
}
