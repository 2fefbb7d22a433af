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

/// Whether the approvers meet the policy. `approvers[i]` lists the indexes,
/// in `required_groups`, of the required groups approver `i` belongs to
/// now; an approver in none of them does not count (left the groups since).
/// The policy is met when at least `min_approvals` approvers count and
/// every required group is covered by an approver of its own: one person
/// in two required groups stands for one of them, never for both (a
/// matching found by augmenting paths; at most `MAX_GROUPS` groups).
pub fn policy_met(approvers: &[Vec<usize>], min_approvals: u32, required_groups: usize) -> bool {
    let counted = approvers.iter().filter(|groups| !groups.is_empty()).count();
    if (counted as u64) < u64::from(min_approvals) || counted < required_groups {
        return false;
    }
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); required_groups];
    for (approver, groups) in approvers.iter().enumerate() {
        for &g in groups {
            if let Some(list) = members.get_mut(g) {
                list.push(approver);
            }
        }
    }
    let mut covers: Vec<Option<usize>> = vec![None; approvers.len()];
    (0..required_groups).all(|group| {
        let mut seen = vec![false; approvers.len()];
        assign(group, &members, &mut covers, &mut seen)
    })
}

/// Finds `group` an approver of its own, moving earlier assignments along
/// an augmenting path where needed.
fn assign(group: usize, members: &[Vec<usize>], covers: &mut [Option<usize>], seen: &mut [bool]) -> bool {
    for &approver in &members[group] {
        if seen[approver] {
            continue;
        }
        seen[approver] = true;
        let free = match covers[approver] {
            None => true,
            Some(other) => assign(other, members, covers, seen),
        };
        if free {
            covers[approver] = Some(group);
            return true;
        }
    }
    false
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
        if kind == VoteKind::Approve && !voter_groups.iter().any(|g| self.required_groups.contains(g)) {
            return Err(ContractError::NotARequiredApprover {
                id: self.id,
                groups: self.required_groups.join(", "),
            });
        }
        Ok(())
    }

    /// Counts an approval by a member of `groups`. Whether it releases the
    /// request is for [`policy_met`] over the approvers' groups as they are
    /// now; [`Request::may_be_met`] says whether that is worth reading.
    /// Call [`Request::check_vote`] first.
    pub fn record_approval(&mut self, groups: &[String]) -> Result<(), ContractError> {
        self.approvals = self
            .approvals
            .checked_add(1)
            .ok_or_else(|| StdError::from(OverflowError::new(OverflowOperation::Add)))?;
        for g in groups {
            if let Err(pos) = self.approved_groups.binary_search(g) {
                self.approved_groups.insert(pos, g.clone());
            }
        }
        Ok(())
    }

    /// Enough approvals were cast for the policy (at least `min_approvals`
    /// and one per required group): necessary, not sufficient (members
    /// leave or join groups, one person may be in two groups). Memberships
    /// at approval time are not consulted here: an approver added to a
    /// second required group since may be the one who completes it.
    pub fn may_be_met(&self) -> bool {
        self.approvals >= self.min_approvals && self.approvals as usize >= self.required_groups.len()
    }

    /// The policy is met: the request is approved (released).
    pub fn release(&mut self, now: Timestamp) {
        self.status = Status::Approved;
        self.decided_at = Some(now);
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
    fn only_members_of_a_required_group_approve() {
        let r = request();
        let a = Addr::unchecked("a");
        assert_eq!(
            r.check_vote(&a, &groups(&["ops"]), false, VoteKind::Approve, NOW),
            Err(ContractError::NotARequiredApprover {
                id: 7,
                groups: "risk, senior".into()
            })
        );
        // Rejecting is open to every member; only a required group's
        // rejection decides (below).
        assert_eq!(
            r.check_vote(&a, &groups(&["ops"]), false, VoteKind::Reject, NOW),
            Ok(())
        );
        assert_eq!(
            r.check_vote(&a, &groups(&["ops", "risk"]), false, VoteKind::Approve, NOW),
            Ok(())
        );
    }

    #[test]
    fn approvals_recorded_say_when_the_policy_is_worth_checking() {
        let mut r = request();
        r.record_approval(&groups(&["senior"])).unwrap();
        assert!(!r.may_be_met(), "one approval of two");
        // Two approvals: worth reading memberships (one of the approvers
        // may have joined the other group since).
        r.record_approval(&groups(&["senior"])).unwrap();
        assert!(r.may_be_met());
        r.record_approval(&groups(&["risk"])).unwrap();
        assert_eq!(r.approvals, 3);
        assert_eq!(r.approved_groups, groups(&["risk", "senior"]));
        assert_eq!(r.status, Status::Pending);
        r.release(NOW);
        assert_eq!(r.status, Status::Approved);
        assert_eq!(r.decided_at, Some(NOW));
    }

    #[test]
    fn every_required_group_needs_an_approver_of_its_own() {
        // Groups 0 and 1 required, two approvals needed.
        assert!(policy_met(&[vec![0], vec![1]], 2, 2));
        assert!(!policy_met(&[vec![0], vec![0]], 2, 2), "group 1 uncovered");
        // One person in both groups and a second outside them: two
        // addresses, but one pair of eyes for the required groups.
        assert!(!policy_met(&[vec![0, 1], vec![]], 2, 2));
        assert!(!policy_met(&[vec![0, 1]], 1, 2));
        // The dual member stands for the group the other one is not in.
        assert!(policy_met(&[vec![0, 1], vec![0]], 2, 2));
        assert!(policy_met(&[vec![0], vec![0, 1]], 2, 2));
        // Needs an augmenting path: the first assignment must move.
        assert!(policy_met(&[vec![0, 1], vec![1, 2], vec![0]], 3, 3));
        assert!(
            !policy_met(&[vec![0, 1], vec![0, 1], vec![0, 1]], 3, 3),
            "group 2 uncovered"
        );
        // More approvers than groups: the count is the binding rule.
        assert!(!policy_met(&[vec![0], vec![1]], 3, 2));
        assert!(policy_met(&[vec![0], vec![1], vec![1]], 3, 2));
        // An approver who left every required group does not count.
        assert!(!policy_met(&[vec![0], vec![], vec![1, 0]], 3, 2));
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
