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
        let tags: Vec<&str> = self.tags.iter().map(String::as_str).collect();
        Fields {
            action: &self.action,
            actor: &self.actor,
            details: &self.details,
            prev_hash: &self.prev_hash,
            seq: self.seq,
            subject: &self.subject,
            tags: &tags,
            time: &self.time,
        }
        .canonical()
    }
}

/// The canonical bytes (RFC 8785) of record `seq` made of `entry` after the
/// record whose leaf hash is `prev`: what [`Record::new`] then
/// [`Record::canonical`] give, without copying the entry.
pub fn canonical_record(seq: u64, entry: &Entry, prev: &[u8; 32]) -> Vec<u8> {
    let mut tags: Vec<&str> = entry.tags.iter().map(String::as_str).collect();
    tags.sort_unstable();
    tags.dedup();
    Fields {
        action: &entry.action,
        actor: &entry.actor,
        details: &entry.details,
        prev_hash: &hex::encode(prev),
        seq,
        subject: &entry.subject,
        tags: &tags,
        time: &entry.time.to_rfc3339_opts(SecondsFormat::Millis, true),
    }
    .canonical()
}

/// A record's fields, borrowed, declared in RFC 8785 order (sorted keys):
/// serde writes them in this order.
#[derive(Serialize)]
struct Fields<'a> {
    action: &'a str,
    actor: &'a str,
    details: &'a serde_json::Value,
    prev_hash: &'a str,
    seq: u64,
    subject: &'a str,
    tags: &'a [&'a str],
    time: &'a str,
}

/// Integers JavaScript's numbers (IEEE doubles) hold exactly: RFC 8785
/// writes them as plain integers, as serde_json does.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

impl Fields<'_> {
    fn canonical(&self) -> Vec<u8> {
        // serde_json's own output is already RFC 8785 when every object's
        // keys are ASCII and come in order (UTF-16 and byte order agree on
        // ASCII) and every number is an integer a double holds exactly
        // (their shortest form is the integer); strings are escaped alike.
        // That is what the log records; anything else takes the general
        // canonicalizer (a property test holds the two equal).
        if self.seq <= MAX_SAFE_INTEGER && serde_json_is_canonical(self.details) {
            if let Ok(bytes) = serde_json::to_vec(self) {
                return bytes;
            }
        }
        // A record is plain JSON data: canonicalization cannot fail.
        serde_json_canonicalizer::to_vec(self).unwrap_or_default()
    }
}

fn serde_json_is_canonical(v: &serde_json::Value) -> bool {
    use serde_json::Value;
    match v {
        Value::Null | Value::Bool(_) | Value::String(_) => true,
        Value::Number(n) => {
            n.as_u64().is_some_and(|u| u <= MAX_SAFE_INTEGER)
                || n.as_i64().is_some_and(|i| i.unsigned_abs() <= MAX_SAFE_INTEGER)
        }
        Value::Array(items) => items.iter().all(serde_json_is_canonical),
        Value::Object(map) => {
            let mut previous: Option<&str> = None;
            map.iter().all(|(k, v)| {
                let in_order = k.is_ascii() && previous.is_none_or(|p| p < k.as_str());
                previous = Some(k);
                in_order && serde_json_is_canonical(v)
            })
        }
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
    use proptest::prelude::*;

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
        assert_eq!(canonical_record(7, &e, &[0u8; 32]), bytes.as_bytes());
    }

    fn general(r: &Record) -> Vec<u8> {
        serde_json_canonicalizer::to_vec(r).unwrap()
    }

    proptest! {
        /// The serde_json fast path gives exactly the general RFC 8785
        /// canonicalizer's bytes, whatever the details hold.
        #[test]
        fn the_fast_path_is_rfc_8785(
            details in crate::arbitrary_json::value(),
            seq in prop_oneof![0u64..1_000_000, Just(MAX_SAFE_INTEGER), Just(MAX_SAFE_INTEGER + 1), any::<u64>()],
            actor in "\\PC{0,10}",
            tags in prop::collection::vec(prop_oneof![Just("SOX".to_string()), Just("MiCA".to_string()), "\\PC{0,5}"], 0..4),
        ) {
            let e = Entry {
                time: DateTime::from_timestamp(1_800_000_000, 5_000_000).unwrap(),
                actor,
                action: "governance.vote_cast".into(),
                subject: "proposal/1".into(),
                details,
                tags,
            };
            let r = Record::new(seq, &e, &[7u8; 32]);
            let expected = general(&r);
            prop_assert_eq!(&r.canonical(), &expected);
            prop_assert_eq!(&canonical_record(seq, &e, &[7u8; 32]), &expected);
        }
    }
}
