//! Test support: a fresh PostgreSQL database per test, dropped afterwards.

use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::Result;
use sqlx::Connection;

use crate::store::Store;

/// The server tests create databases on (`FOG_TEST_DATABASE_URL`, default
/// the machine's PostgreSQL with trust auth).
pub fn server_url() -> String {
    std::env::var("FOG_TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string())
}

/// A database that exists for the life of this value.
pub struct TestDb {
    pub name: String,
    pub url: String,
    pub store: Store,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    /// Creates an empty database with the migrations applied.
    pub async fn new() -> Result<Self> {
        let name = format!(
            "fog_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            rand::random::<u32>()
        );
        let server = server_url();
        let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres")).await?;
        sqlx::query(&format!("CREATE DATABASE {name} {}", crate::store::DATABASE_OPTIONS))
            .execute(&mut admin)
            .await?;
        admin.close().await?;
        let url = format!("{server}/{name}");
        let store = Store::connect(&url).await?;
        Ok(Self { name, url, store })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (server, name) = (server_url(), self.name.clone());
        // Drop cannot await: a short-lived runtime on its own thread does it.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build();
            if let Ok(rt) = rt {
                rt.block_on(async {
                    if let Ok(mut c) = sqlx::PgConnection::connect(&format!("{server}/postgres")).await {
                        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                            .execute(&mut c)
                            .await;
                    }
                });
            }
        })
        .join();
    }
}
