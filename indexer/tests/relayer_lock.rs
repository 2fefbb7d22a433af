//! The relayer's writer lock lives exactly as long as its database
//! connection: a relayer whose connection is gone finds out before it signs
//! again, while a standby takes the lock.

use fog_indexer::testing::TestDb;
use fog_relayer::anchoring::state;

#[tokio::test]
async fn a_writer_whose_connection_was_terminated_finds_out() {
    let db = TestDb::new().await.unwrap();
    let pool = &db.store.pool;
    let mut writer = state::acquire_writer(pool).await.unwrap();
    state::still_writer(&mut writer).await.unwrap();
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut *writer)
        .await
        .unwrap();
    sqlx::query("SELECT pg_terminate_backend($1)")
        .bind(pid)
        .execute(pool)
        .await
        .unwrap();
    let err = state::still_writer(&mut writer).await.unwrap_err();
    assert!(err.to_string().contains("lost the writer lock"), "{err}");
    // The lock went with the connection: a standby holds it now.
    let standby = tokio::time::timeout(std::time::Duration::from_secs(10), state::acquire_writer(pool))
        .await
        .expect("the standby gets the lock")
        .unwrap();
    drop(standby);
}
