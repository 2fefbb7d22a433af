//! Events of the `audit-anchor` contract (append-only anchor of transparency
//! log checkpoints).
//!
//! Replaying these events in order rebuilds the contract's state: owner,
//! logs with their submitters and keys, and every anchored checkpoint. Roots are
//! lower-case hex; checkpoint timestamps are the log's own time in seconds
//! since the Unix epoch; heights are the chain's block heights.

crate::fog_events! {
    contract = "audit-anchor";
    /// Every event of the `audit-anchor` contract.
    pub enum AuditAnchorEvent {
        /// The contract was instantiated with its first owner.
        Instantiated = "instantiated" v 1 {
            /// The owner (governance contract or admin).
            owner: String,
            /// Who instantiated the contract.
            sender: String,
        },
        /// The contract's code was migrated (cw2 version changed).
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
        /// The owner registered a transparency log; it has no checkpoint yet.
        /// Version 2 added `public_key`; a version-1 event (no key) still
        /// decodes, without one.
        LogCreated = "log_created" v 2 (decodes 1) {
            /// The log's origin line (C2SP tlog-checkpoint), its identity.
            origin: String,
            /// The addresses allowed to anchor its checkpoints (JSON array).
            submitters: Vec<String>,
            /// The owner who created it.
            owner: String,
            /// The Ed25519 key (hex) every checkpoint must be signed with;
            /// absent when signatures are not checked.
            public_key: Option<String>,
        },
        /// The owner set, replaced or removed the key a log's checkpoints
        /// must be signed with.
        LogKeySet = "log_key_set" v 1 {
            /// The log's origin.
            origin: String,
            /// The Ed25519 key (hex) from now on; absent when removed.
            public_key: Option<String>,
            /// The owner who set it.
            owner: String,
        },
        /// The owner allowed an address to anchor checkpoints of a log.
        SubmitterAdded = "submitter_added" v 1 {
            /// The log's origin.
            origin: String,
            /// The new submitter.
            submitter: String,
            /// The owner who added it.
            owner: String,
        },
        /// The owner withdrew an address's right to anchor checkpoints.
        SubmitterRemoved = "submitter_removed" v 1 {
            /// The log's origin.
            origin: String,
            /// The former submitter.
            submitter: String,
            /// The owner who removed it.
            owner: String,
        },
        /// A checkpoint was verified to extend the previous one (consistency
        /// proof) and anchored; it is now the log's latest.
        CheckpointAnchored = "checkpoint_anchored" v 1 {
            /// The log's origin.
            origin: String,
            /// Number of leaves of the log at this checkpoint.
            size: u64,
            /// The tree's root (RFC 6962 / 9162, SHA-256), hex.
            root: String,
            /// The log's own time of the checkpoint, seconds since the epoch.
            timestamp: u64,
            /// Size of the checkpoint it extends; absent for the log's first.
            previous_size: Option<u64>,
            /// Who submitted it.
            submitter: String,
            /// Block height at which it was anchored.
            height: u64,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AnyEvent, FogEvent};

    #[test]
    fn checkpoint_anchored_round_trips() {
        for previous_size in [None, Some(7)] {
            let ev = CheckpointAnchored {
                origin: "fog.audit.example/log".into(),
                size: 9,
                root: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328".into(),
                timestamp: 1_700_000_000,
                previous_size,
                submitter: "cosmwasm1submitter".into(),
                height: 42,
            };
            let attrs = ev.attributes();
            assert_eq!(attrs[0], ("v", "1".to_string()));
            assert_eq!(
                attrs.iter().any(|(k, _)| *k == "previous_size"),
                previous_size.is_some()
            );
            let borrowed: Vec<(&str, &str)> = attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            assert_eq!(
                AnyEvent::decode("wasm-fog.audit-anchor.checkpoint_anchored", &borrowed),
                Some(Ok(AnyEvent::AuditAnchor(ev.into())))
            );
        }
    }

    #[test]
    fn log_created_carries_its_submitters() {
        let ev = LogCreated {
            origin: "fog.audit.example/log".into(),
            submitters: vec!["a".into(), "b".into()],
            owner: "o".into(),
            public_key: Some("ab".repeat(32)),
        };
        let attrs = ev.attributes();
        assert!(attrs.contains(&("submitters", r#"["a","b"]"#.to_string())));
        let borrowed: Vec<(&str, &str)> = attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(LogCreated::from_attributes(&borrowed), Ok(ev.clone()));
        assert_eq!(LogCreated::TYPE, "fog.audit-anchor.log_created");
        assert!(attrs.contains(&("v", "2".to_string())));
        // Logs created before keys existed: version 1, no key attribute.
        let keyless: Vec<(&str, &str)> = borrowed
            .into_iter()
            .filter(|(k, _)| *k != "public_key")
            .map(|(k, v)| if k == "v" { (k, "1") } else { (k, v) })
            .collect();
        assert_eq!(
            LogCreated::from_attributes(&keyless),
            Ok(LogCreated { public_key: None, ..ev })
        );
    }
}
