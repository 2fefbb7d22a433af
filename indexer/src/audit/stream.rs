//! The live stream of audit records to NATS JetStream (the role Kafka plays
//! in the seed): every record, in sequence order, its canonical JSON as the
//! payload, `Nats-Msg-Id` = `<stream>/<seq>` so JetStream drops a record
//! published twice (after a crash between publishing and saving progress,
//! within the stream's duplicate window). Progress is kept in
//! `audit_stream_state`, saved after the server acknowledged each batch.

use std::time::Duration;

use anyhow::{Context, Result};
use async_nats::jetstream;
use sqlx::{PgPool, Row};

#[derive(Debug, Clone)]
pub struct StreamConfig {
    /// e.g. `nats://127.0.0.1:4222`.
    pub url: String,
    /// JetStream stream name (created if missing), e.g. `FOG_AUDIT`.
    pub stream: String,
    /// Subject the records go to, e.g. `fog.audit.records`.
    pub subject: String,
}

const BATCH: i64 = 1_000;

/// Connects and makes sure the stream exists.
pub async fn connect(cfg: &StreamConfig) -> Result<jetstream::Context> {
    let client = async_nats::connect(&cfg.url)
        .await
        .with_context(|| format!("connecting to NATS at {}", cfg.url))?;
    let js = jetstream::new(client);
    js.get_or_create_stream(jetstream::stream::Config {
        name: cfg.stream.clone(),
        subjects: vec![cfg.subject.clone()],
        duplicate_window: Duration::from_secs(600),
        ..Default::default()
    })
    .await
    .with_context(|| format!("creating the JetStream stream {}", cfg.stream))?;
    Ok(js)
}

/// Publishes every record not yet acknowledged; returns how many.
pub async fn publish_pending(pool: &PgPool, js: &jetstream::Context, cfg: &StreamConfig) -> Result<u64> {
    let mut published = 0;
    let mut next: i64 = sqlx::query_scalar("SELECT next_seq FROM audit_stream_state WHERE stream = $1")
        .bind(&cfg.stream)
        .fetch_optional(pool)
        .await?
        .unwrap_or(0);
    loop {
        let rows = sqlx::query("SELECT seq, record FROM audit_records WHERE seq >= $1 ORDER BY seq LIMIT $2")
            .bind(next)
            .bind(BATCH)
            .fetch_all(pool)
            .await?;
        let Some(last) = rows.last().map(|r| r.get::<i64, _>(0)) else {
            return Ok(published);
        };
        let mut acks = Vec::with_capacity(rows.len());
        for r in &rows {
            let seq: i64 = r.get(0);
            let record: Vec<u8> = r.get(1);
            let mut headers = async_nats::HeaderMap::new();
            headers.insert("Nats-Msg-Id", format!("{}/{seq}", cfg.stream).as_str());
            acks.push(
                js.publish_with_headers(cfg.subject.clone(), headers, record.into())
                    .await
                    .context("publishing an audit record")?,
            );
        }
        for ack in acks {
            ack.await.context("JetStream did not acknowledge an audit record")?;
        }
        sqlx::query(
            "INSERT INTO audit_stream_state (stream, next_seq) VALUES ($1, $2) \
             ON CONFLICT (stream) DO UPDATE SET next_seq = $2, updated_at = now()",
        )
        .bind(&cfg.stream)
        .bind(last + 1)
        .execute(pool)
        .await?;
        next = last + 1;
        published += rows.len() as u64;
    }
}

/// Runs until the process ends: publishes, then polls every `poll`;
/// reconnects with backoff when NATS goes away.
pub async fn run(pool: PgPool, cfg: StreamConfig, poll: Duration) {
    const FIRST_RETRY: Duration = Duration::from_secs(1);
    let mut backoff = FIRST_RETRY;
    loop {
        // A connection that worked resets the backoff: the next outage is
        // a new one, not the continuation of the last.
        let mut worked = false;
        let result: Result<std::convert::Infallible> = async {
            let js = connect(&cfg).await?;
            loop {
                let n = publish_pending(&pool, &js, &cfg).await?;
                worked = true;
                if n > 0 {
                    tracing::debug!(records = n, stream = %cfg.stream, "audit records streamed");
                }
                tokio::time::sleep(poll).await;
            }
        }
        .await;
        let Err(e) = result;
        if worked {
            backoff = FIRST_RETRY;
        }
        tracing::warn!(error = %format!("{e:#}"), retry_in = ?backoff, "audit stream to NATS");
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(60));
    }
}
