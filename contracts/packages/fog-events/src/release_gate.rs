//! Events of the `release-gate` contract (four-eyes release of models and
//! datasets).
//!
//! Replaying these events in order rebuilds the contract's state: owner,
//! groups and members, policies, and every request with its votes and
//! status. Times are nanoseconds since the Unix epoch (attributes named
//! `*_ns`), exactly cosmwasm's `Timestamp`; hashes are lower-case hex;
//! group lists are JSON arrays of group names.
//!
//! A request becomes approved ("released") only through an approval, so
//! there is no separate release event: the `approved` event of the approval
//! that completed it carries `released = true`.

crate::fog_events! {
    contract = "release-gate";
    /// Every event of the `release-gate` contract.
    pub enum ReleaseGateEvent {
        /// The contract was instantiated with its first owner.
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
        /// The owner created an (empty) approval group.
        GroupCreated = "group_created" v 1 {
            /// Group name.
            group: String,
            /// The owner who created it.
            owner: String,
        },
        /// The owner removed an approval group (it was empty and no policy
        /// named it).
        GroupRemoved = "group_removed" v 1 {
            /// Group name.
            group: String,
            /// The owner who removed it.
            owner: String,
        },
        /// The owner added a member to a group.
        MemberAdded = "member_added" v 1 {
            /// Group name.
            group: String,
            /// The new member.
            member: String,
            /// The owner who added them.
            owner: String,
        },
        /// The owner removed a member from a group.
        MemberRemoved = "member_removed" v 1 {
            /// Group name.
            group: String,
            /// The removed member.
            member: String,
            /// The owner who removed them.
            owner: String,
        },
        /// The owner set (created or replaced) the policy of an artifact
        /// type. Requests already made keep the rules they were made under,
        /// except `revoker_groups`, which always apply as currently set.
        /// Version 2 added `requester_groups`; a version-1 event decodes
        /// with none (anyone could request then).
        PolicySet = "policy_set" v 2 (decodes 1) {
            /// Artifact type, e.g. `MODEL_DEPLOYMENT`.
            artifact_type: String,
            /// Distinct approvers needed (at least 2).
            min_approvals: u32,
            /// Groups that must each approve at least once.
            required_groups: Vec<String>,
            /// A pending request expires this long after it was made.
            expiry_seconds: u64,
            /// Groups whose members may revoke an approved release.
            revoker_groups: Vec<String>,
            /// Groups whose members may request a release of this type;
            /// absent: anyone may.
            requester_groups: Option<Vec<String>>,
            /// The owner who set it.
            owner: String,
        },
        /// A release was requested. It carries the rules it will be decided
        /// by (a snapshot of the policy).
        RequestCreated = "request_created" v 1 {
            /// Request id (sequential from 1).
            id: u64,
            /// Artifact type; its policy applies.
            artifact_type: String,
            /// The artifact's identifier, e.g. a model name.
            artifact_id: String,
            /// The artifact's version.
            artifact_version: String,
            /// sha256 of the artifact (hex).
            sha256: String,
            /// Hash of the lineage record (hex).
            lineage_hash: String,
            /// sha256 of each dataset used (hex), JSON array.
            dataset_hashes: Vec<String>,
            /// Who asked; they can never approve it.
            requester: String,
            /// Risk notes (trimmed free text); absent when empty.
            risk_notes: crate::Text,
            /// Block time of the request (nanoseconds).
            created_at_ns: u64,
            /// When it expires if still pending (nanoseconds).
            expires_at_ns: u64,
            /// Snapshot of the policy: distinct approvers needed.
            min_approvals: u32,
            /// Snapshot of the policy: groups that must each approve.
            required_groups: Vec<String>,
        },
        /// A group member approved a pending request.
        Approved = "approved" v 1 {
            /// Request id.
            id: u64,
            /// The approver.
            approver: String,
            /// Every group the approver belonged to at approval time: the
            /// approval counts for each of them.
            groups: Vec<String>,
            /// The approver's comment; absent when empty.
            comment: crate::Text,
            /// Block time (nanoseconds).
            at_ns: u64,
            /// Approvals of the request so far, this one included.
            approvals: u32,
            /// True when this approval completed the policy: the request is
            /// now approved (released).
            released: bool,
        },
        /// A group member rejected a pending request.
        Rejected = "rejected" v 1 {
            /// Request id.
            id: u64,
            /// Who rejected.
            rejecter: String,
            /// Every group the rejecter belonged to at that time.
            groups: Vec<String>,
            /// The rejecter's comment; absent when empty.
            comment: crate::Text,
            /// Block time (nanoseconds).
            at_ns: u64,
            /// True when the rejecter is in a required group, which makes
            /// the request rejected; false: the rejection is only recorded.
            rejected: bool,
        },
        /// A member of a revoker group revoked an approved release.
        Revoked = "revoked" v 1 {
            /// Request id.
            id: u64,
            /// Who revoked.
            revoker: String,
            /// Why (trimmed free text).
            reason: crate::Text,
            /// Block time (nanoseconds).
            at_ns: u64,
        },
        /// A pending request past its expiry was marked expired.
        Expired = "expired" v 1 {
            /// Request id.
            id: u64,
            /// Who triggered it (anyone may; a new request for the same
            /// artifact does it too).
            sender: String,
            /// Block time (nanoseconds).
            at_ns: u64,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DecodeError, FogEvent};

    fn decode(attrs: &[(&str, &str)]) -> Result<PolicySet, DecodeError> {
        PolicySet::from_attributes(attrs)
    }

    #[test]
    fn policy_set_version_2_still_decodes_version_1() {
        let v1 = [
            ("v", "1"),
            ("artifact_type", "MODEL"),
            ("min_approvals", "2"),
            ("required_groups", r#"["a","b"]"#),
            ("expiry_seconds", "60"),
            ("revoker_groups", r#"["b"]"#),
            ("owner", "o"),
        ];
        let old = decode(&v1).unwrap();
        assert_eq!(
            old.requester_groups, None,
            "anyone could request under a version-1 policy"
        );

        let new = PolicySet {
            requester_groups: Some(vec!["ml".into()]),
            ..old
        };
        let attrs = new.attributes();
        assert_eq!(attrs[0], ("v", "2".to_string()));
        let borrowed: Vec<(&str, &str)> = attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(decode(&borrowed), Ok(new));

        for unknown in ["3", "0", "01", "+2", ""] {
            let mut attrs = v1.to_vec();
            attrs[0] = ("v", unknown);
            assert!(
                matches!(decode(&attrs), Err(DecodeError::Version { expected: 2, .. })),
                "version {unknown:?}"
            );
        }
    }
}
