//! An audit record and the bytes that are hashed: RFC 8785 canonical JSON,
//! so anyone can recompute a record's hash from its fields.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The frameworks a record can be tagged with (the seed's list).
pub const FRAMEWORKS: &[&str] = &["GDPR", "CCPA", "SOX", "AML", "KYC", "MiCA", "BSA", "FinCEN", "MiFID II"];

/// What is being recorded, before it gets its place in the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub time: DateTime<Utc>,
    /// Who acted (an address, a staff member's name, `indexer`).
    pub actor: String,
    /// What was done, e.g. `governance.vote_cast`, `lineage.registered`.
    pub action: String,
    /// What it was done to, e.g. `proposal/3`, `model/<sha256>`.
    pub subject: String,
    pub details: serde_json::Value,
    /// Compliance framework tags.
    pub tags: Vec<String>,
}

/// A record as hashed: the entry, its sequence number and the hash of the
/// record before it (a hash chain over and above the Merkle tree).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub seq: u64,
    /// RFC 3339 UTC with milliseconds, e.g. `2026-11-22T05:00:00.123Z`.
    pub time: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub details: serde_json::Value,
    pub tags: Vec<String>,
    /// Leaf hash of record `seq - 1`, hex; 64 zeros for the first record.
    pub prev_hash: String,
}

impl Record {
    pub fn new(seq: u64, entry: &Entry, prev: &[u8; 32]) -> Self {
        let mut tags = entry.tags.clone();
        tags.sort();
        tags.dedup();
        Self {
            seq,
            time: entry.time.to_rfc3339_opts(SecondsFormat::Millis, true),
            actor: entry.actor.clone(),
            action: entry.action.clone(),
            subject: entry.subject.clone(),
            details: entry.details.clone(),
            tags,
            prev_hash: hex::encode(prev),
        }
    }

    /// The canonical bytes (RFC 8785).
    pub fn canonical(&self) -> Vec<u8> {
        // A record is plain JSON data: canonicalization cannot fail.
        serde_json_canonicalizer::to_vec(self).unwrap_or_default()
    }
}

/// The RFC 6962 leaf hash of a record's canonical bytes.
pub fn leaf_hash(canonical: &[u8]) -> [u8; 32] {
    fog_merkle::leaf_hash(canonical)
}

/// SHA-256 of some bytes.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_bytes_are_stable_and_sorted() {
        let e = Entry {
            time: DateTime::from_timestamp(1_800_000_000, 123_000_000).unwrap(),
            actor: "alice".into(),
            action: "governance.vote_cast".into(),
            subject: "proposal/1".into(),
            details: serde_json::json!({"z": "1", "a": [2, 1]}),
            tags: vec!["SOX".into(), "MiCA".into(), "SOX".into()],
        };
        let r = Record::new(7, &e, &[0u8; 32]);
        let bytes = String::from_utf8(r.canonical()).unwrap();
        assert!(
            bytes.starts_with(r#"{"action":"governance.vote_cast","actor":"alice","details":{"a":[2,1],"z":"1"}"#),
            "{bytes}"
        );
        assert!(bytes.contains(r#""tags":["MiCA","SOX"]"#));
        assert!(bytes.contains(r#""time":"2027-01-15T08:00:00.123Z""#), "{bytes}");
        let back: Record = serde_json::from_slice(bytes.as_bytes()).unwrap();
        assert_eq!(back.canonical(), bytes.as_bytes());
    }
}
