//! The relayer's record of its anchorings, against a real PostgreSQL (a
//! scratch database per test, at `FOG_TEST_DATABASE_URL` or
//! postgres://postgres@127.0.0.1:5432): re-pricing keeps every transaction
//! signed for a size, a refused replacement is undone, and the row is
//! confirmed under whichever transaction was mined, with its own bytes.

use fog_relayer::anchoring::state;
use fog_relayer::anchoring::target::SignedAnchor;
use sqlx::{Connection, PgConnection, PgPool, Row};

struct Scratch {
    server: String,
    name: String,
    pool: PgPool,
}

impl Scratch {
    async fn new(test: &str) -> Self {
        let server =
            std::env::var("FOG_TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
        let name = format!("fog_relayer_{test}_{}", std::process::id());
        let mut admin = PgConnection::connect(&format!("{server}/postgres")).await.unwrap();
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        let pool = PgPool::connect(&format!("{server}/{name}")).await.unwrap();
        state::migrate(&pool).await.unwrap();
        // Twice, as every start does: the second finds its columns there.
        state::migrate(&pool).await.unwrap();
        Self { server, name, pool }
    }

    async fn drop_database(self) {
        self.pool.close().await;
        let mut admin = PgConnection::connect(&format!("{}/postgres", self.server))
            .await
            .unwrap();
        sqlx::query(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name))
            .execute(&mut admin)
            .await
            .unwrap();
    }
}

fn tx(n: u8) -> SignedAnchor {
    SignedAnchor {
        tx_hash: format!("0x{}", hex::encode([n; 32])),
        raw: vec![n; 4],
        nonce: 7,
    }
}

/// Records the anchoring of `size` by `tx`, as the daemon does before
/// broadcasting it.
async fn recorded(pool: &PgPool, size: u64, tx: &SignedAnchor) -> i64 {
    let mut conn = pool.acquire().await.unwrap();
    state::record(&mut conn, "evm:1:0xabc", size, &[size as u8; 32], tx)
        .await
        .unwrap()
}

async fn row(pool: &PgPool, id: i64) -> (String, String, Vec<u8>, Vec<String>, Vec<Vec<u8>>) {
    let r = sqlx::query("SELECT status, tx_hash, raw_tx, replaced, replaced_raw FROM relayer_anchors WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap();
    (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4))
}

#[tokio::test]
async fn replacements_are_kept_undone_when_refused_and_confirmed_under_the_mined_one() {
    let db = Scratch::new("replace").await;
    let pool = &db.pool;
    let id = recorded(pool, 5, &tx(1)).await;

    state::replace(pool, id, &tx(2)).await.unwrap();
    let pending = state::pending(pool, "evm:1:0xabc").await.unwrap();
    assert_eq!(pending.len(), 1, "still one live row for the size");
    assert_eq!(pending[0].tx, tx(2));
    assert_eq!(pending[0].replaced, [tx(1).tx_hash]);
    assert!(pending[0].signed_age_seconds < pending[0].age_seconds + 1.0);

    // The node refused the replacement: the first is the latest again.
    state::unreplace(pool, id, &tx(2).tx_hash).await.unwrap();
    let (_, hash, raw, replaced, replaced_raw) = row(pool, id).await;
    assert_eq!((hash, raw), (tx(1).tx_hash, tx(1).raw));
    assert!(replaced.is_empty() && replaced_raw.is_empty());
    // Undoing names the refused hash: a stale undo changes nothing.
    state::unreplace(pool, id, &tx(2).tx_hash).await.unwrap();
    assert_eq!(row(pool, id).await.1, tx(1).tx_hash);

    // Re-priced twice; the first transaction is the one mined.
    state::replace(pool, id, &tx(2)).await.unwrap();
    state::replace(pool, id, &tx(3)).await.unwrap();
    state::confirm(pool, id, &tx(1).tx_hash, 100, 40_000).await.unwrap();
    let (status, hash, raw, replaced, replaced_raw) = row(pool, id).await;
    assert_eq!(status, "confirmed");
    assert_eq!(
        (hash, raw),
        (tx(1).tx_hash, tx(1).raw),
        "the mined one, with its own bytes"
    );
    assert_eq!(replaced, [tx(3).tx_hash, tx(2).tx_hash]);
    assert_eq!(replaced_raw, [tx(3).raw, tx(2).raw]);

    // A row that is no longer in flight is not replaced (nothing is sent).
    let err = state::replace(pool, id, &tx(4)).await.unwrap_err();
    assert!(err.to_string().contains("no longer in flight"), "{err}");

    // Confirmed under its latest transaction: nothing moves.
    let other = recorded(pool, 6, &tx(5)).await;
    state::replace(pool, other, &tx(6)).await.unwrap();
    state::confirm(pool, other, &tx(6).tx_hash, 101, 40_000).await.unwrap();
    let (_, hash, raw, replaced, _) = row(pool, other).await;
    assert_eq!((hash, raw, replaced), (tx(6).tx_hash, tx(6).raw, vec![tx(5).tx_hash]));
    db.drop_database().await;
}

/// An anchoring confirmed, then lost by its chain (a reorg past the
/// confirmations, the contract deployed again): its row no longer holds
/// the size, which is anchored again (until stop 21 the unique index
/// refused the new row at every try, for good).
#[tokio::test]
async fn a_confirmed_anchoring_the_chain_lost_frees_its_size() {
    let db = Scratch::new("lost").await;
    let pool = &db.pool;
    let five = recorded(pool, 5, &tx(1)).await;
    state::confirm(pool, five, &tx(1).tx_hash, 100, 50_000).await.unwrap();
    let ten = recorded(pool, 10, &tx(2)).await;
    state::confirm(pool, ten, &tx(2).tx_hash, 101, 50_000).await.unwrap();
    // Before: a second row for 10 is refused while the first is live.
    let mut conn = pool.acquire().await.unwrap();
    assert!(state::record(&mut conn, "evm:1:0xabc", 10, &[10; 32], &tx(3))
        .await
        .is_err());
    drop(conn);
    // Confirmed just now: a state read that lags behind the transaction
    // lookup does not undo it.
    assert_eq!(state::release_lost(pool, "evm:1:0xabc", 5).await.unwrap(), 0);
    sqlx::query("UPDATE relayer_anchors SET settled_at = now() - interval '2 minutes'")
        .execute(pool)
        .await
        .unwrap();
    // The chain holds 5 only: 10 is lost, 5 stays; another target's rows
    // are not touched.
    assert_eq!(state::release_lost(pool, "evm:1:0xabc", 5).await.unwrap(), 1);
    assert_eq!(state::release_lost(pool, "evm:1:0xabc", 5).await.unwrap(), 0);
    assert_eq!(state::release_lost(pool, "cosmwasm:inj1x", 0).await.unwrap(), 0);
    let (status, ..) = row(pool, ten).await;
    assert_eq!(status, "failed");
    let (status, ..) = row(pool, five).await;
    assert_eq!(status, "confirmed");
    let again = recorded(pool, 10, &tx(3)).await;
    assert_ne!(again, ten);
    db.drop_database().await;
}
