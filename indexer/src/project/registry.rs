//! Registry events into officers, entries and the entries' history.

use anyhow::Result;
use fog_events::registry::{RegistryEvent, UNKNOWN_JURISDICTION, ZERO_COMMITMENT_HEX};
use sqlx::PgConnection;

use super::At;

async fn officer(conn: &mut PgConnection, address: &str, active: bool, height: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO registry_officers (address, active, height) VALUES ($1, $2, $3)
         ON CONFLICT (address) DO UPDATE SET active = $2, height = $3",
    )
    .bind(address)
    .bind(active)
    .bind(height)
    .execute(conn)
    .await?;
    Ok(())
}

/// Appends the entry of `address` as it stands after the event at `at`
/// (removed when there is none): the detectors read the entry that held
/// at each event from this history (migration 0018).
async fn record_history(conn: &mut PgConnection, address: &str, at: &At<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO registry_history (address, height, seq, kyc_tier, sanctioned, expires_at_ns)
         SELECT $1, $2, $3, e.kyc_tier, coalesce(e.sanctioned, false), e.expires_at_ns
         FROM (SELECT 1) one LEFT JOIN registry_entries e ON e.address = $1",
    )
    .bind(address)
    .bind(at.height)
    .bind(at.seq)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn apply(conn: &mut PgConnection, at: &At<'_>, e: RegistryEvent) -> Result<()> {
    match e {
        RegistryEvent::Instantiated(i) => super::set_owner(conn, "registry", &i.owner, at.height).await,
        RegistryEvent::OwnerUpdated(o) => super::set_owner(conn, "registry", &o.new_owner, at.height).await,
        RegistryEvent::Migrated(_) => Ok(()),
        RegistryEvent::OfficerAdded(o) => officer(conn, &o.officer, true, at.height).await,
        RegistryEvent::OfficerRemoved(o) => officer(conn, &o.officer, false, at.height).await,
        RegistryEvent::EntrySet(s) => {
            sqlx::query(
                "INSERT INTO registry_entries (address, kyc_tier, jurisdiction, sanctioned, expires_at_ns, commitment,
                     officer, updated_at_ns, height)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (address) DO UPDATE SET kyc_tier = $2, jurisdiction = $3, sanctioned = $4,
                     expires_at_ns = $5, commitment = $6, officer = $7, updated_at_ns = $8, height = $9",
            )
            .bind(&s.address)
            .bind(i16::from(s.kyc_tier))
            .bind(&s.jurisdiction)
            .bind(s.sanctioned)
            .bind(s.expires_at_ns.map(super::nanos))
            .bind(&s.commitment)
            .bind(&s.officer)
            .bind(super::nanos(s.updated_at_ns))
            .bind(at.height)
            .execute(&mut *conn)
            .await?;
            record_history(conn, &s.address, at).await
        }
        RegistryEvent::SanctionedSet(s) => {
            sqlx::query(
                "INSERT INTO registry_entries (address, kyc_tier, jurisdiction, sanctioned, expires_at_ns, commitment,
                     officer, updated_at_ns, height)
                 VALUES ($1, 0, $2, $3, NULL, $4, $5, $6, $7)
                 ON CONFLICT (address) DO UPDATE SET sanctioned = $3, officer = $5, updated_at_ns = $6, height = $7",
            )
            .bind(&s.address)
            .bind(UNKNOWN_JURISDICTION)
            .bind(s.sanctioned)
            .bind(ZERO_COMMITMENT_HEX)
            .bind(&s.officer)
            .bind(super::nanos(s.updated_at_ns))
            .bind(at.height)
            .execute(&mut *conn)
            .await?;
            record_history(conn, &s.address, at).await
        }
        RegistryEvent::EntryRemoved(r) => {
            sqlx::query("DELETE FROM registry_entries WHERE address = $1")
                .bind(&r.address)
                .execute(&mut *conn)
                .await?;
            record_history(conn, &r.address, at).await
        }
    }
}
