//! Messages of the compliance registry.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, HexBinary, Timestamp};

use crate::state::Entry;

#[cw_serde]
pub struct InstantiateMsg {
    /// Who appoints and removes compliance officers and may hand ownership
    /// on: the DAO's governance contract or a configured admin.
    pub owner: String,
}

#[cw_serde]
pub enum ExecuteMsg {
    /// Owner only: let `address` write entries as a compliance officer.
    AddOfficer {
        /// The officer's address.
        address: String,
    },
    /// Owner only: take the officer role away; the address can no longer
    /// write. Entries it wrote stay, naming it.
    RemoveOfficer {
        /// The officer's address.
        address: String,
    },
    /// Officer only (not on their own entry, not while sanctioned; so for
    /// every officer action): create or replace the whole entry of `address`.
    SetEntry {
        /// The address the entry is about.
        address: String,
        /// KYC tier the off-chain verification established: 0 (none) to 3.
        kyc_tier: u8,
        /// Where the subject is established: ISO 3166-1 alpha-2 code, two
        /// uppercase letters (e.g. "DE"); "ZZ" for unknown.
        jurisdiction: String,
        /// Whether the address is sanctioned; the flag never expires. A
        /// new entry may start either way; replacing an entry must repeat
        /// its flag (a change goes through `SetSanctioned`, which records
        /// why), so renewing a KYC cannot lift a sanction by omission.
        sanctioned: bool,
        /// When the KYC verification expires (then the tier counts as 0);
        /// must be later than the current block time and at most 36,525
        /// days (a century) after it; `None`: never.
        expires_at: Option<Timestamp>,
        /// sha256 of the off-chain KYC record (exactly 32 bytes), binding
        /// the entry to it without putting personal data on-chain.
        commitment: HexBinary,
    },
    /// Officer only: the remediation path. Sets or lifts the sanctions flag
    /// without touching the KYC fields. If the address has no entry and
    /// `sanctioned` is true, an entry is created with tier 0, no expiry,
    /// jurisdiction "ZZ" (unknown) and a commitment of 32 zero bytes (no
    /// off-chain record); lifting the flag of an unknown address is refused.
    SetSanctioned {
        /// The address to flag or clear.
        address: String,
        /// The new value of the flag.
        sanctioned: bool,
        /// Why, for the audit trail (e.g. the list and its date); trimmed,
        /// at most 512 characters; only in the event, not stored.
        reason: Option<String>,
    },
    /// Officer only: delete the entry of `address` (it then reads as tier
    /// 0, not sanctioned). Refused while the entry is sanctioned, so that a
    /// sanction is only ever lifted explicitly, by `SetSanctioned`.
    RemoveEntry {
        /// The address whose entry to delete.
        address: String,
    },
    /// Owner only: hand ownership to another address.
    UpdateOwner {
        /// The new owner.
        owner: String,
    },
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// The owner.
    #[returns(ConfigResponse)]
    Config {},
    /// Compliance officers in address order, a page at a time.
    #[returns(OfficersResponse)]
    Officers {
        /// Continue after this address (the last of the previous page).
        start_after: Option<String>,
        /// Page size: default 10, at most 100.
        limit: Option<u32>,
    },
    /// Whether an address is currently a compliance officer.
    #[returns(IsOfficerResponse)]
    IsOfficer {
        /// The address to check.
        address: String,
    },
    /// The stored entry of an address, if any (tier as recorded, not
    /// adjusted for expiry: see `Status`).
    #[returns(EntryResponse)]
    Entry {
        /// The address to look up.
        address: String,
    },
    /// All entries in address order, a page at a time.
    #[returns(EntriesResponse)]
    Entries {
        /// Continue after this address (the last of the previous page).
        start_after: Option<String>,
        /// Page size: default 10, at most 100.
        limit: Option<u32>,
    },
    /// What counts for an address now: effective tier, sanctions, expiry.
    #[returns(StatusResponse)]
    Status {
        /// The address to check.
        address: String,
    },
}

#[cw_serde]
pub struct MigrateMsg {}

#[cw_serde]
pub struct ConfigResponse {
    /// Who appoints officers and may hand ownership on.
    pub owner: Addr,
}

#[cw_serde]
pub struct OfficersResponse {
    /// A page of officers, in address order.
    pub officers: Vec<Addr>,
}

#[cw_serde]
pub struct IsOfficerResponse {
    /// True when the address may write entries now.
    pub is_officer: bool,
}

#[cw_serde]
pub struct EntryResponse {
    /// The address looked up.
    pub address: Addr,
    /// Its entry; `None` when it has none.
    pub entry: Option<Entry>,
}

#[cw_serde]
pub struct AddressEntry {
    /// The address the entry is about.
    pub address: Addr,
    /// Its entry.
    pub entry: Entry,
}

#[cw_serde]
pub struct EntriesResponse {
    /// A page of entries, in address order.
    pub entries: Vec<AddressEntry>,
}

#[cw_serde]
pub struct StatusResponse {
    /// The tier that counts at the current block time: 0 when there is no
    /// entry or its KYC verification has expired.
    pub kyc_tier: u8,
    /// Whether the address is sanctioned (regardless of expiry).
    pub sanctioned: bool,
    /// Whether the address has an entry whose KYC verification has expired.
    pub expired: bool,
}
