//! The live stream of the audit log to the real NATS JetStream on this
//! machine (127.0.0.1:4222, or FOG_TEST_NATS_URL): every record in order,
//! byte for byte, and a record published twice (progress lost in a crash)
//! is dropped by JetStream's deduplication.

use chrono::Utc;
use fog_indexer::audit::stream::{connect, publish_pending, StreamConfig};
use fog_indexer::audit::{log, Entry};
use fog_indexer::testing::TestDb;
use sqlx::PgPool;

async fn append(pool: &PgPool, from: u32, n: u32) {
    let entries: Vec<Entry> = (from..from + n)
        .map(|i| Entry {
            time: Utc::now(),
            actor: "test".into(),
            action: "test.event".into(),
            subject: format!("thing/{i}"),
            details: serde_json::json!({ "i": i }),
            tags: vec!["SOX".into()],
        })
        .collect();
    let mut tx = pool.begin().await.unwrap();
    log::append(&mut tx, &entries).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn every_record_reaches_jetstream_once_and_in_order() {
    let db = TestDb::new().await.unwrap();
    let pool = &db.store.pool;
    let name = format!("FOG_AUDIT_TEST_{}", rand::random::<u32>());
    let cfg = StreamConfig {
        url: std::env::var("FOG_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into()),
        subject: format!("fog.test.{}", name.to_lowercase()),
        stream: name.clone(),
    };
    let js = connect(&cfg).await.expect("NATS JetStream answers on this machine");

    append(pool, 0, 1_500).await;
    assert_eq!(publish_pending(pool, &js, &cfg).await.unwrap(), 1_500);
    assert_eq!(publish_pending(pool, &js, &cfg).await.unwrap(), 0, "nothing new");
    append(pool, 1_500, 20).await;
    assert_eq!(publish_pending(pool, &js, &cfg).await.unwrap(), 20);

    // A crash lost the progress: everything is published again, and
    // JetStream keeps one copy of each.
    sqlx::query("UPDATE audit_stream_state SET next_seq = 0")
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(publish_pending(pool, &js, &cfg).await.unwrap(), 1_520);
    let mut stream = js.get_stream(&name).await.unwrap();
    assert_eq!(stream.info().await.unwrap().state.messages, 1_520);

    let records: Vec<Vec<u8>> = sqlx::query_scalar("SELECT record FROM audit_records ORDER BY seq")
        .fetch_all(pool)
        .await
        .unwrap();
    for (i, record) in records.iter().enumerate().step_by(97) {
        let m = stream.get_raw_message(i as u64 + 1).await.unwrap();
        assert_eq!(m.payload.as_ref(), record.as_slice(), "message {} is record {i}", i + 1);
        let id = m.headers.get("Nats-Msg-Id").unwrap().as_str().to_string();
        assert_eq!(id, format!("{name}/{i}"));
    }
    js.delete_stream(&name).await.unwrap();
}
