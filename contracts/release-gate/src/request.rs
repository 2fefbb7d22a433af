//! The release request and its rules, as pure methods: who may vote, when
//! a request is approved, rejected, expired or revoked. No storage here;
//! the handlers load what the rules need and save what they return.

use std::fmt;

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, HexBinary, OverflowError, OverflowOperation, StdError, Timestamp};

use crate::error::ContractError;

/// Where a request stands. `Expired` is derived from the time while the
/// stored status is still `Pending`, and persisted by `Expire`.
#[cw_serde]
#[derive(Copy, Eq)]
pub enum Status {
    /// Waiting for approvals.
    Pending,
    /// The policy is met: the artifact is released.
    Approved,
    /// A member of a required group rejected it.
    Rejected,
    /// Still pending at its expiry time.
    Expired,
    /// Was approved, then revoked by a member of a revoker group.
    Revoked,
}

impl Status {
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
            Status::Expired => "expired",
            Status::Revoked => "revoked",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Approve or reject.
#[cw_serde]
#[derive(Copy, Eq)]
pub enum VoteKind {
    Approve,
    Reject,
}

/// One address's vote on one request (each address votes once).
#[cw_serde]
pub struct Vote {
    /// Approve or reject.
    pub kind: VoteKind,
    /// The groups the voter belonged to when voting; an approval counts for
    /// each of them.
    pub groups: Vec<String>,
    /// The voter's comment (trimmed; may be empty).
    pub comment: String,
    /// Block time of the vote.
    pub at: Timestamp,
}

/// Who revoked an approved release, when and why.
#[cw_serde]
pub struct Revocation {
    /// A member of one of the policy's revoker groups.
    pub revoker: Addr,
    /// Why (trimmed, non-empty).
    pub reason: String,
    /// Block time of the revocation.
    pub at: Timestamp,
}

/// A request to release one artifact, decided by the policy of its type as
/// it was when the request was made.
#[cw_serde]
pub struct Request {
    pub id: u64,
    pub artifact_type: String,
    pub artifact_id: String,
    pub artifact_version: String,
    /// sha256 of the artifact: what a deployment checks.
    pub sha256: HexBinary,
    /// Hash of the lineage record (datasets, code, config, model hash).
    pub lineage_hash: HexBinary,
    pub dataset_hashes: Vec<HexBinary>,
    pub requester: Addr,
    pub risk_notes: String,
    pub created_at: Timestamp,
    /// Still pending at this time (or later): expired.
    pub expires_at: Timestamp,
    /// Policy snapshot: distinct approvers needed.
    pub min_approvals: u32,
    /// Policy snapshot: groups that must each approve at least once.
    pub required_groups: Vec<String>,
    /// Stored status; see [`Request::current_status`].
    pub status: Status,
    /// Number of approvals (distinct addresses).
    pub approvals: u32,
    /// Number of rejections (distinct addresses).
    pub rejections: u32,
    /// Groups with at least one approval, sorted.
    pub approved_groups: Vec<String>,
    /// When it stopped being pending (approved, rejected or expired).
    pub decided_at: Option<Timestamp>,
    /// Set when an approved release was revoked.
    pub revocation: Option<Revocation>,
}

/// The policy is met: enough distinct approvers, and every required group
/// has approved at least once.
pub fn meets_policy(
    approvals: u32,
    approved_groups: &[String],
    min_approvals: u32,
    required_groups: &[String],
) -> bool {
    approvals >= min_approvals && required_groups.iter().all(|g| approved_groups.contains(g))
}

/// `expires_at` of a request made at `now` under `expiry_seconds`.
pub fn expiry_time(now: Timestamp, expiry_seconds: u64) -> Result<Timestamp, ContractError> {
    let overflow = || StdError::from(OverflowError::new(OverflowOperation::Add));
    let nanos = expiry_seconds
        .checked_mul(1_000_000_000)
        .and_then(|n| now.nanos().checked_add(n))
        .ok_or_else(overflow)?;
    Ok(Timestamp::from_nanos(nanos))
}

impl Request {
    /// The status at `now`: a stored `Pending` past its expiry is `Expired`.
    pub fn current_status(&self, now: Timestamp) -> Status {
        match self.status {
            Status::Pending if now >= self.expires_at => Status::Expired,
            status => status,
        }
    }

    /// Whether a deployment may use the artifact: approved and not revoked.
    pub fn is_released(&self, now: Timestamp) -> bool {
        self.current_status(now) == Status::Approved
    }

    /// Whether `voter`, who belongs to `voter_groups` and has or has not
    /// `already_voted`, may cast a vote of `kind` now.
    pub fn check_vote(
        &self,
        voter: &Addr,
        voter_groups: &[String],
        already_voted: bool,
        kind: VoteKind,
        now: Timestamp,
    ) -> Result<(), ContractError> {
        match self.current_status(now) {
            Status::Pending => {}
            Status::Expired => return Err(ContractError::Expired { id: self.id }),
            status => return Err(ContractError::NotPending { id: self.id, status }),
        }
        if kind == VoteKind::Approve && *voter == self.requester {
            return Err(ContractError::SelfApproval);
        }
        if voter_groups.is_empty() {
            return Err(ContractError::NotAMember);
        }
        if already_voted {
            return Err(ContractError::AlreadyVoted {
                id: self.id,
                address: voter.to_string(),
            });
        }
        Ok(())
    }

    /// Counts an approval for each of `groups`. Returns true when it
    /// completes the policy: the request is then approved (released).
    /// Call [`Request::check_vote`] first.
    pub fn record_approval(&mut self, groups: &[String], now: Timestamp) -> Result<bool, ContractError> {
        self.approvals = self
            .approvals
            .checked_add(1)
            .ok_or_else(|| StdError::from(OverflowError::new(OverflowOperation::Add)))?;
        for g in groups {
            if let Err(pos) = self.approved_groups.binary_search(g) {
                self.approved_groups.insert(pos, g.clone());
            }
        }
        let released = meets_policy(
            self.approvals,
            &self.approved_groups,
            self.min_approvals,
            &self.required_groups,
        );
        if released {
            self.status = Status::Approved;
            self.decided_at = Some(now);
        }
        Ok(released)
    }

    /// Records a rejection by a member of `groups`. Returns true when it
    /// rejects the request (the rejecter is in a required group).
    /// Call [`Request::check_vote`] first.
    pub fn record_rejection(&mut self, groups: &[String], now: Timestamp) -> Result<bool, ContractError> {
        self.rejections = self
            .rejections
            .checked_add(1)
            .ok_or_else(|| StdError::from(OverflowError::new(OverflowOperation::Add)))?;
        let rejected = groups.iter().any(|g| self.required_groups.contains(g));
        if rejected {
            self.status = Status::Rejected;
            self.decided_at = Some(now);
        }
        Ok(rejected)
    }

    /// Revokes an approved release; `is_revoker`: the sender is a member of
    /// a revoker group of the artifact type's current policy.
    pub fn revoke(
        &mut self,
        revoker: Addr,
        is_revoker: bool,
        reason: String,
        now: Timestamp,
    ) -> Result<(), ContractError> {
        match self.current_status(now) {
            Status::Approved => {}
            status => return Err(ContractError::NotApproved { id: self.id, status }),
        }
        if !is_revoker {
            return Err(ContractError::NotARevoker);
        }
        self.status = Status::Revoked;
        self.revocation = Some(Revocation {
            revoker,
            reason,
            at: now,
        });
        Ok(())
    }

    /// Persists the expiry of a pending request past its expiry time.
    pub fn expire(&mut self, now: Timestamp) -> Result<(), ContractError> {
        match (self.status, self.current_status(now)) {
            (Status::Pending, Status::Expired) => {
                self.status = Status::Expired;
                self.decided_at = Some(now);
                Ok(())
            }
            (Status::Pending, _) => Err(ContractError::NotExpired { id: self.id }),
            (status, _) => Err(ContractError::NotPending { id: self.id, status }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn request() -> Request {
        Request {
            id: 7,
            artifact_type: "MODEL_DEPLOYMENT".into(),
            artifact_id: "credit-model".into(),
            artifact_version: "1.0.0".into(),
            sha256: HexBinary::from(vec![1u8; 32]),
            lineage_hash: HexBinary::from(vec![2u8; 32]),
            dataset_hashes: vec![],
            requester: Addr::unchecked("requester"),
            risk_notes: String::new(),
            created_at: Timestamp::from_seconds(100),
            expires_at: Timestamp::from_seconds(200),
            min_approvals: 2,
            required_groups: groups(&["risk", "senior"]),
            status: Status::Pending,
            approvals: 0,
            rejections: 0,
            approved_groups: vec![],
            decided_at: None,
            revocation: None,
        }
    }

    const NOW: Timestamp = Timestamp::from_seconds(150);

    #[test]
    fn status_expires_at_the_expiry_time() {
        let r = request();
        assert_eq!(r.current_status(Timestamp::from_seconds(199)), Status::Pending);
        assert_eq!(r.current_status(Timestamp::from_seconds(200)), Status::Expired);
        let mut approved = request();
        approved.status = Status::Approved;
        assert_eq!(
            approved.current_status(Timestamp::from_seconds(10_000)),
            Status::Approved
        );
        assert!(approved.is_released(Timestamp::from_seconds(10_000)));
    }

    #[test]
    fn requester_cannot_approve_but_may_reject() {
        let r = request();
        let me = Addr::unchecked("requester");
        let g = groups(&["senior"]);
        assert_eq!(
            r.check_vote(&me, &g, false, VoteKind::Approve, NOW),
            Err(ContractError::SelfApproval)
        );
        assert_eq!(r.check_vote(&me, &g, false, VoteKind::Reject, NOW), Ok(()));
    }

    #[test]
    fn only_members_vote_once_while_pending() {
        let r = request();
        let a = Addr::unchecked("a");
        assert_eq!(
            r.check_vote(&a, &[], false, VoteKind::Approve, NOW),
            Err(ContractError::NotAMember)
        );
        assert_eq!(
            r.check_vote(&a, &groups(&["x"]), true, VoteKind::Approve, NOW),
            Err(ContractError::AlreadyVoted {
                id: 7,
                address: "a".into()
            })
        );
        assert_eq!(
            r.check_vote(
                &a,
                &groups(&["x"]),
                false,
                VoteKind::Reject,
                Timestamp::from_seconds(200)
            ),
            Err(ContractError::Expired { id: 7 })
        );
        let mut done = request();
        done.status = Status::Rejected;
        assert_eq!(
            done.check_vote(&a, &groups(&["x"]), false, VoteKind::Approve, NOW),
            Err(ContractError::NotPending {
                id: 7,
                status: Status::Rejected
            })
        );
    }

    #[test]
    fn approval_needs_count_and_every_required_group() {
        let mut r = request();
        // Two approvals from the same group: count met, groups not.
        assert!(!r.record_approval(&groups(&["senior"]), NOW).unwrap());
        assert!(!r.record_approval(&groups(&["senior"]), NOW).unwrap());
        assert_eq!(r.status, Status::Pending);
        // A non-required group adds nothing needed.
        assert!(!r.record_approval(&groups(&["ops"]), NOW).unwrap());
        assert!(r.record_approval(&groups(&["risk"]), NOW).unwrap());
        assert_eq!(r.status, Status::Approved);
        assert_eq!(r.decided_at, Some(NOW));
        assert_eq!(r.approved_groups, groups(&["ops", "risk", "senior"]));
    }

    #[test]
    fn one_address_in_two_groups_counts_once_for_both() {
        let mut r = request();
        assert!(!r.record_approval(&groups(&["risk", "senior"]), NOW).unwrap());
        assert_eq!(r.approvals, 1);
        assert_eq!(r.approved_groups, groups(&["risk", "senior"]));
        // Every group is covered, but four eyes need a second address.
        assert_eq!(r.status, Status::Pending);
        assert!(r.record_approval(&groups(&["ops"]), NOW).unwrap());
    }

    #[test]
    fn meets_policy_rules() {
        let req = groups(&["a", "b"]);
        assert!(meets_policy(2, &groups(&["a", "b"]), 2, &req));
        assert!(!meets_policy(1, &groups(&["a", "b"]), 2, &req));
        assert!(!meets_policy(3, &groups(&["a"]), 2, &req));
        assert!(meets_policy(3, &groups(&["a", "b", "c"]), 3, &req));
    }

    #[test]
    fn rejection_by_a_required_group_rejects() {
        let mut r = request();
        assert!(!r.record_rejection(&groups(&["ops"]), NOW).unwrap());
        assert_eq!(r.status, Status::Pending);
        assert!(r.record_rejection(&groups(&["ops", "risk"]), NOW).unwrap());
        assert_eq!(r.status, Status::Rejected);
        assert_eq!(r.rejections, 2);
    }

    #[test]
    fn revoke_only_approved_by_revokers() {
        let mut r = request();
        let who = Addr::unchecked("risk1");
        assert_eq!(
            r.revoke(who.clone(), true, "x".into(), NOW),
            Err(ContractError::NotApproved {
                id: 7,
                status: Status::Pending
            })
        );
        r.status = Status::Approved;
        assert_eq!(
            r.revoke(who.clone(), false, "x".into(), NOW),
            Err(ContractError::NotARevoker)
        );
        r.revoke(who.clone(), true, "leak".into(), NOW).unwrap();
        assert_eq!(r.current_status(NOW), Status::Revoked);
        assert!(!r.is_released(NOW));
        assert_eq!(
            r.revoke(who, true, "again".into(), NOW),
            Err(ContractError::NotApproved {
                id: 7,
                status: Status::Revoked
            })
        );
    }

    #[test]
    fn expire_only_pending_past_expiry() {
        let mut r = request();
        assert_eq!(r.expire(NOW), Err(ContractError::NotExpired { id: 7 }));
        let later = Timestamp::from_seconds(200);
        r.expire(later).unwrap();
        assert_eq!(r.status, Status::Expired);
        assert_eq!(
            r.expire(later),
            Err(ContractError::NotPending {
                id: 7,
                status: Status::Expired
            })
        );
    }

    #[test]
    fn expiry_time_is_checked() {
        assert_eq!(
            expiry_time(Timestamp::from_seconds(10), 5).unwrap(),
            Timestamp::from_seconds(15)
        );
        assert!(expiry_time(Timestamp::from_seconds(10), u64::MAX).is_err());
    }
}
