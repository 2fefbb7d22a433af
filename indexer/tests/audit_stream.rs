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

/// A stream of its own on this machine's NATS (FOG_TEST_NATS_URL to point
/// elsewhere): its name, config and context.
async fn new_stream() -> (String, StreamConfig, async_nats::jetstream::Context) {
    let name = format!("FOG_AUDIT_TEST_{}", rand::random::<u32>());
    let cfg = StreamConfig {
        url: std::env::var("FOG_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into()),
        subject: format!("fog.test.{}", name.to_lowercase()),
        stream: name.clone(),
    };
    let js = connect(&cfg).await.expect("NATS JetStream answers on this machine");
    (name, cfg, js)
}

#[tokio::test]
async fn every_record_reaches_jetstream_once_and_in_order() {
    let db = TestDb::new().await.unwrap();
    let pool = &db.store.pool;
    let (name, cfg, js) = new_stream().await;

    append(pool, 0, 1_500).await;
    assert_eq!(publish_pending(pool, &js, &cfg).await.unwrap(), 1_500);
    assert_eq!(publish_pending(pool, &js, &cfg).await.unwrap(), 0, "nothing new");
    append(pool, 1_500, 20).await;
    assert_eq!(publish_pending(pool, &js, &cfg).await.unwrap(), 20);

    // A crash lost the progress: publishing starts over, and JetStream
    // keeps one copy of each (dropped as duplicates, or refused as out of
    // step and resumed after the stream's last record).
    sqlx::query("UPDATE audit_stream_state SET next_seq = 0")
        .execute(pool)
        .await
        .unwrap();
    publish_pending(pool, &js, &cfg).await.unwrap();
    let mut stream = js.get_stream(&name).await.unwrap();
    assert_eq!(stream.info().await.unwrap().state.messages, 1_520);
    assert_eq!(next_seq(pool).await, 1_520);

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

async fn next_seq(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT next_seq FROM audit_stream_state")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Every message of the stream, as (its msg id, its payload), in order.
async fn messages(js: &async_nats::jetstream::Context, name: &str) -> Vec<(String, Vec<u8>)> {
    let mut stream = js.get_stream(name).await.unwrap();
    let state = stream.info().await.unwrap().state.clone();
    let mut out = Vec::new();
    for seq in state.first_sequence..=state.last_sequence {
        let m = stream.get_raw_message(seq).await.unwrap();
        out.push((
            m.headers.get("Nats-Msg-Id").unwrap().as_str().to_string(),
            m.payload.to_vec(),
        ));
    }
    out
}

/// Records in sequence order, whatever went missing on the way: a record
/// lost between publishing and acknowledgement is not overtaken by the
/// ones after it, and a stream made again gets the whole log.
#[tokio::test]
async fn the_stream_keeps_sequence_order_after_a_lost_record_and_a_new_stream() {
    let db = TestDb::new().await.unwrap();
    let pool = &db.store.pool;
    let (name, cfg, js) = new_stream().await;
    let in_order = |n: usize| -> Vec<String> { (0..n).map(|i| format!("{name}/{i}")).collect() };

    append(pool, 0, 9).await;
    publish_pending(pool, &js, &cfg).await.unwrap();
    // Record 9 is lost: progress says it went out, the stream never got it.
    append(pool, 9, 3).await;
    sqlx::query("UPDATE audit_stream_state SET next_seq = 10")
        .execute(pool)
        .await
        .unwrap();
    publish_pending(pool, &js, &cfg).await.unwrap();
    let ids: Vec<String> = messages(&js, &name).await.into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids, in_order(12));
    assert_eq!(next_seq(pool).await, 12);

    // The stream is deleted and made again: the next record finds it
    // empty, and the whole log goes out again, in order.
    js.delete_stream(&name).await.unwrap();
    let js = connect(&cfg).await.unwrap();
    append(pool, 12, 1).await;
    publish_pending(pool, &js, &cfg).await.unwrap();
    let stored = messages(&js, &name).await;
    let records: Vec<Vec<u8>> = sqlx::query_scalar("SELECT record FROM audit_records ORDER BY seq")
        .fetch_all(pool)
        .await
        .unwrap();
    assert_eq!(
        stored.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>(),
        in_order(13)
    );
    assert_eq!(stored.into_iter().map(|(_, p)| p).collect::<Vec<_>>(), records);
    js.delete_stream(&name).await.unwrap();
}

/// A nats-server of the test's own (JetStream in `store`), on `port`.
struct PrivateNats(std::process::Child);

impl PrivateNats {
    async fn start(port: u16, store: &std::path::Path) -> Self {
        let binary = ["/usr/sbin/nats-server", "/usr/bin/nats-server"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .unwrap_or("nats-server");
        let child = std::process::Command::new(binary)
            .args(["-a", "127.0.0.1", "-p", &port.to_string(), "-js", "-sd"])
            .arg(store)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("nats-server (Debian's package) runs");
        let server = Self(child);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return server;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        server.stop();
        panic!("nats-server did not listen on {port}");
    }

    /// Stops it as a service manager would (SIGTERM), and waits.
    fn stop(mut self) {
        let _ = std::process::Command::new("kill").arg(self.0.id().to_string()).status();
        let _ = self.0.wait();
    }
}

/// After a server restart with nothing inside the duplicate window,
/// JetStream no longer knows the last message id, and refuses every record
/// that expects one. The publisher resumes on the stream's last sequence,
/// which the server keeps (until stop 21 it looped on the refusal forever).
#[tokio::test]
async fn publishing_goes_on_after_nats_restarts_past_its_duplicate_window() {
    let db = TestDb::new().await.unwrap();
    let pool = &db.store.pool;
    let store = tempfile::tempdir().unwrap();
    let port = 20_000 + (rand::random::<u16>() % 12_000);
    let name = "FOG_AUDIT_RESTART".to_string();
    let cfg = StreamConfig {
        url: format!("nats://127.0.0.1:{port}"),
        subject: "fog.test.restart".into(),
        stream: name.clone(),
    };
    let server = PrivateNats::start(port, store.path()).await;
    let client = async_nats::connect(&cfg.url).await.unwrap();
    async_nats::jetstream::new(client)
        .create_stream(async_nats::jetstream::stream::Config {
            name: name.clone(),
            subjects: vec![cfg.subject.clone()],
            duplicate_window: std::time::Duration::from_secs(1),
            ..Default::default()
        })
        .await
        .unwrap();
    let js = connect(&cfg).await.unwrap();
    append(pool, 0, 3).await;
    assert_eq!(publish_pending(pool, &js, &cfg).await.unwrap(), 3);
    drop(js);
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    server.stop();

    let server = PrivateNats::start(port, store.path()).await;
    let js = connect(&cfg).await.unwrap();
    append(pool, 3, 2).await;
    let published = tokio::time::timeout(std::time::Duration::from_secs(20), publish_pending(pool, &js, &cfg))
        .await
        .expect("publishing does not loop")
        .unwrap();
    assert_eq!(published, 2);
    let ids: Vec<String> = messages(&js, &name).await.into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids, (0..5).map(|i| format!("{name}/{i}")).collect::<Vec<_>>());
    server.stop();
}
