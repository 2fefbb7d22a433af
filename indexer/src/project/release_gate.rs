//! Release-gate events into groups, policies, requests and their votes.

use anyhow::{Context, Result};
use fog_events::release_gate::ReleaseGateEvent;
use sqlx::{PgConnection, Row};

use super::At;

async fn members(conn: &mut PgConnection, group: &str) -> Result<Vec<String>> {
    let row = sqlx::query("SELECT members FROM release_groups WHERE name = $1")
        .bind(group)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(r) => serde_json::from_value(r.get(0))?,
        None => vec![],
    })
}

async fn set_members(conn: &mut PgConnection, group: &str, members: &[String], at: &At<'_>) -> Result<()> {
    let members = serde_json::to_value(members)?;
    sqlx::query(
        "INSERT INTO release_groups (name, members, height) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET members = $2, height = $3",
    )
    .bind(group)
    .bind(&members)
    .bind(at.height)
    .execute(&mut *conn)
    .await?;
    record_history(conn, group, Some(members), at).await
}

/// Appends the group's members after the event at `at` (None: removed); the
/// release-gate anomaly detector reads the groups of each approval's time
/// from this history (migration 0020).
async fn record_history(
    conn: &mut PgConnection,
    group: &str,
    members: Option<serde_json::Value>,
    at: &At<'_>,
) -> Result<()> {
    sqlx::query("INSERT INTO release_group_history (name, height, seq, members) VALUES ($1, $2, $3, $4)")
        .bind(group)
        .bind(at.height)
        .bind(at.seq)
        .bind(members)
        .execute(conn)
        .await?;
    Ok(())
}

async fn set_status(
    conn: &mut PgConnection,
    id: u64,
    status: &str,
    decided_at_ns: Option<u64>,
    height: i64,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE release_requests SET status = $2, decided_at_ns = COALESCE($3, decided_at_ns), updated_height = $4
         WHERE id = $1",
    )
    .bind(id as i64)
    .bind(status)
    .bind(decided_at_ns.map(super::nanos))
    .bind(height)
    .execute(conn)
    .await?;
    known_request(done.rows_affected() > 0, id)
}

/// Refuses an event of a request the index never saw (until stop 20 its
/// votes and status went unrecorded in silence).
fn known_request(found: bool, id: u64) -> Result<()> {
    match found {
        true => Ok(()),
        false => Err(super::unknown(format_args!("release request {id}"))),
    }
}

#[allow(clippy::too_many_arguments)]
async fn record_vote(
    conn: &mut PgConnection,
    at: &At<'_>,
    id: u64,
    voter: &str,
    approve: bool,
    groups: &[String],
    comment: &str,
    at_ns: u64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO release_votes (request_id, voter, approve, groups, comment, at_ns, height, seq)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id as i64)
    .bind(voter)
    .bind(approve)
    .bind(serde_json::to_value(groups)?)
    .bind(comment)
    .bind(super::nanos(at_ns))
    .bind(at.height)
    .bind(at.seq)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn apply(conn: &mut PgConnection, at: &At<'_>, e: ReleaseGateEvent) -> Result<()> {
    match e {
        ReleaseGateEvent::Instantiated(i) => super::set_owner(conn, "release_gate", &i.owner, at.height).await,
        ReleaseGateEvent::OwnerUpdated(o) => super::set_owner(conn, "release_gate", &o.new_owner, at.height).await,
        ReleaseGateEvent::Migrated(_) => Ok(()),
        ReleaseGateEvent::GroupCreated(g) => set_members(conn, &g.group, &[], at).await,
        ReleaseGateEvent::GroupRemoved(g) => {
            sqlx::query("DELETE FROM release_groups WHERE name = $1")
                .bind(&g.group)
                .execute(&mut *conn)
                .await?;
            record_history(conn, &g.group, None, at).await
        }
        ReleaseGateEvent::MemberAdded(m) => {
            let mut list = members(conn, &m.group).await?;
            if !list.contains(&m.member) {
                list.push(m.member);
                list.sort();
            }
            set_members(conn, &m.group, &list, at).await
        }
        ReleaseGateEvent::MemberRemoved(m) => {
            let mut list = members(conn, &m.group).await?;
            list.retain(|x| x != &m.member);
            set_members(conn, &m.group, &list, at).await
        }
        ReleaseGateEvent::PolicySet(p) => {
            sqlx::query(
                "INSERT INTO release_policies (artifact_type, min_approvals, required_groups, expiry_seconds,
                     revoker_groups, requester_groups, height)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (artifact_type) DO UPDATE SET min_approvals = $2, required_groups = $3,
                     expiry_seconds = $4, revoker_groups = $5, requester_groups = $6, height = $7",
            )
            .bind(&p.artifact_type)
            .bind(p.min_approvals as i32)
            .bind(serde_json::to_value(&p.required_groups)?)
            .bind(p.expiry_seconds as i64)
            .bind(serde_json::to_value(&p.revoker_groups)?)
            .bind(serde_json::to_value(p.requester_groups.as_deref().unwrap_or_default())?)
            .bind(at.height)
            .execute(conn)
            .await?;
            Ok(())
        }
        ReleaseGateEvent::RequestCreated(r) => {
            sqlx::query(
                "INSERT INTO release_requests (id, artifact_type, artifact_id, artifact_version, sha256, lineage_hash,
                     dataset_hashes, requester, risk_notes, created_at_ns, expires_at_ns, min_approvals,
                     required_groups, status, approvals, created_height, updated_height)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'pending', 0, $14, $14)",
            )
            .bind(r.id as i64)
            .bind(&r.artifact_type)
            .bind(&r.artifact_id)
            .bind(&r.artifact_version)
            .bind(&r.sha256)
            .bind(&r.lineage_hash)
            .bind(serde_json::to_value(&r.dataset_hashes)?)
            .bind(&r.requester)
            .bind(&r.risk_notes.0)
            .bind(super::nanos(r.created_at_ns))
            .bind(super::nanos(r.expires_at_ns))
            .bind(r.min_approvals as i32)
            .bind(serde_json::to_value(&r.required_groups)?)
            .bind(at.height)
            .execute(conn)
            .await
            .context("release request")?;
            Ok(())
        }
        ReleaseGateEvent::Approved(a) => {
            let done = sqlx::query("UPDATE release_requests SET approvals = $2, updated_height = $3 WHERE id = $1")
                .bind(a.id as i64)
                .bind(a.approvals as i32)
                .bind(at.height)
                .execute(&mut *conn)
                .await?;
            known_request(done.rows_affected() > 0, a.id)?;
            record_vote(conn, at, a.id, &a.approver, true, &a.groups, &a.comment.0, a.at_ns).await?;
            if a.released {
                set_status(conn, a.id, "approved", Some(a.at_ns), at.height).await?;
            }
            Ok(())
        }
        ReleaseGateEvent::Rejected(r) => {
            let found: Option<i32> = sqlx::query_scalar("SELECT 1 FROM release_requests WHERE id = $1")
                .bind(r.id as i64)
                .fetch_optional(&mut *conn)
                .await?;
            known_request(found.is_some(), r.id)?;
            record_vote(conn, at, r.id, &r.rejecter, false, &r.groups, &r.comment.0, r.at_ns).await?;
            if r.rejected {
                set_status(conn, r.id, "rejected", Some(r.at_ns), at.height).await?;
            }
            Ok(())
        }
        ReleaseGateEvent::Revoked(r) => set_status(conn, r.id, "revoked", None, at.height).await,
        ReleaseGateEvent::Expired(x) => set_status(conn, x.id, "expired", Some(x.at_ns), at.height).await,
    }
}
