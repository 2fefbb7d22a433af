//! The live stream of audit records to NATS JetStream (the role Kafka plays
//! in the seed): every record, in sequence order, its canonical JSON as the
//! payload, `Nats-Msg-Id` = `<stream>/<seq>` so JetStream drops a record
//! published twice (after a crash between publishing and saving progress,
//! within the stream's duplicate window). Progress is kept in
//! `audit_stream_state`, saved after the server acknowledged each batch.
//!
//! Records are published pipelined, so order needs the server's help: each
//! carries `Nats-Expected-Last-Msg-Id` = the previous record's id (record 0:
//! `Nats-Expected-Last-Subject-Sequence` = 0, nothing on the subject), and JetStream
//! stores it only right after that one. If record k is lost
//! (a failed acknowledgement), k+1... are refused rather than stored ahead
//! of it. When the stream's last record is not the one expected (progress
//! lost in a crash, an acknowledgement lost though the record was stored,
//! the stream deleted and made again), publishing resumes after the
//! stream's own last record, or from record 0 when the stream holds none.
//! (Until stop 18 a lost record k was appended after k+1... on retry, and
//! a stream made again silently lacked everything before.)
//!
//! JetStream keeps the last message id in memory only: after a server
//! restart with nothing inside the duplicate window it knows none, and
//! refuses every `Nats-Expected-Last-Msg-Id`. So the first record after a
//! resume expects the sequence of the subject's last message instead
//! (`Nats-Expected-Last-Subject-Sequence`, kept on disk, and blind to other
//! subjects a shared stream may carry); the records after it chain by id
//! again. A resume that
//! lands where the previous one did without anything published between is
//! an error, so `run` backs off and says so. (Until stop 21 the publisher
//! then looped forever, silently.)

use std::time::Duration;

use anyhow::{Context, Result};
use async_nats::jetstream;
use async_nats::jetstream::context::PublishErrorKind;
use async_nats::jetstream::stream::LastRawMessageErrorKind;
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
    // After a resume: the stream's last sequence, which the next record
    // expects, and the record resumed at.
    let mut resumed: Option<(u64, i64)> = None;
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
        for (i, r) in rows.iter().enumerate() {
            let seq: i64 = r.get(0);
            let record: Vec<u8> = r.get(1);
            let mut headers = async_nats::HeaderMap::new();
            headers.insert("Nats-Msg-Id", msg_id(cfg, seq).as_str());
            match resumed {
                Some((stream_last, _)) if i == 0 => {
                    headers.insert("Nats-Expected-Last-Subject-Sequence", stream_last.to_string().as_str());
                }
                // The first record only into an empty stream.
                _ if seq == 0 => {
                    headers.insert("Nats-Expected-Last-Subject-Sequence", "0");
                }
                _ => {
                    headers.insert("Nats-Expected-Last-Msg-Id", msg_id(cfg, seq - 1).as_str());
                }
            }
            acks.push(
                js.publish_with_headers(cfg.subject.clone(), headers, record.into())
                    .await
                    .context("publishing an audit record")?,
            );
        }
        let mut out_of_step = false;
        for ack in acks {
            match ack.await {
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        PublishErrorKind::WrongLastMessageId | PublishErrorKind::WrongLastSequence
                    ) =>
                {
                    out_of_step = true
                }
                Err(e) => return Err(anyhow::Error::new(e).context("JetStream did not acknowledge an audit record")),
            }
        }
        if out_of_step {
            let (stream_last, at) = resume_point(js, cfg).await?;
            if resumed.is_some_and(|(_, before)| before == at) {
                anyhow::bail!(
                    "JetStream refused record {at} again right after resuming at it: the stream {} \
                     is not in step with the log",
                    cfg.stream
                );
            }
            resumed = Some((stream_last, at));
            next = at;
            save_progress(pool, cfg, next).await?;
            continue;
        }
        resumed = None;
        save_progress(pool, cfg, last + 1).await?;
        next = last + 1;
        published += rows.len() as u64;
    }
}

fn msg_id(cfg: &StreamConfig, seq: i64) -> String {
    format!("{}/{seq}", cfg.stream)
}

async fn save_progress(pool: &PgPool, cfg: &StreamConfig, next: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_stream_state (stream, next_seq) VALUES ($1, $2) \
         ON CONFLICT (stream) DO UPDATE SET next_seq = $2, updated_at = now()",
    )
    .bind(&cfg.stream)
    .bind(next)
    .execute(pool)
    .await?;
    Ok(())
}

/// The stream's last sequence and the record to publish next, from the
/// stream itself: after its last record, or 0 when it holds none (made
/// again, or never written).
async fn resume_point(js: &jetstream::Context, cfg: &StreamConfig) -> Result<(u64, i64)> {
    let stream = js
        .get_stream(&cfg.stream)
        .await
        .with_context(|| format!("reading the JetStream stream {}", cfg.stream))?;
    let last = match stream.get_last_raw_message_by_subject(&cfg.subject).await {
        Ok(m) => m,
        Err(e) if e.kind() == LastRawMessageErrorKind::NoMessageFound => {
            tracing::warn!(stream = %cfg.stream, "the stream holds no audit record: publishing the log from record 0");
            return Ok((0, 0));
        }
        Err(e) => return Err(anyhow::Error::new(e).context("reading the stream's last audit record")),
    };
    let id = last
        .headers
        .get("Nats-Msg-Id")
        .map(|v| v.as_str().to_string())
        .unwrap_or_default();
    let seq: i64 = id
        .strip_prefix(&format!("{}/", cfg.stream))
        .and_then(|n| n.parse().ok())
        .with_context(|| {
            format!(
                "the stream's last message on {} is not an audit record of fog's (id {id:?})",
                cfg.subject
            )
        })?;
    tracing::info!(stream = %cfg.stream, next = seq + 1, "resuming after the stream's last audit record");
    Ok((last.sequence, seq + 1))
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
