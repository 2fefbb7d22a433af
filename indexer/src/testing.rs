//! Test support: a fresh PostgreSQL database per test, dropped afterwards.

use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::Result;
use sqlx::Connection;

use crate::store::Store;

/// Where the machine's PostgreSQL listens on a Unix socket (Debian's).
const SOCKET_DIR: &str = "/var/run/postgresql";

/// The server tests and benchmarks create databases on
/// (`FOG_TEST_DATABASE_URL`); by default the machine's PostgreSQL with
/// trust auth, through its Unix socket when it has one (moving bytes
/// through it costs both sides less CPU than TCP over loopback: COPYing a
/// million 500-byte rows out took psql 0.51 s against 0.84 s), else
/// 127.0.0.1:5432.
pub fn server_url() -> String {
    if let Ok(url) = std::env::var("FOG_TEST_DATABASE_URL") {
        return url;
    }
    if std::path::Path::new(SOCKET_DIR).join(".s.PGSQL.5432").exists() {
        format!("postgres://postgres@localhost?host={SOCKET_DIR}")
    } else {
        "postgres://postgres@127.0.0.1:5432".to_string()
    }
}

/// The URL of database `name` on `server`, whose URL may end in
/// parameters (`?host=/var/run/postgresql` for the Unix socket).
pub fn database_url(server: &str, name: &str) -> String {
    match server.split_once('?') {
        Some((base, params)) => format!("{}/{name}?{params}", base.trim_end_matches('/')),
        None => format!("{}/{name}", server.trim_end_matches('/')),
    }
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
        let db = Self::unmigrated().await?;
        crate::store::MIGRATOR.run(&db.store.pool).await?;
        Ok(db)
    }

    /// Creates an empty database with no migration applied (tests of the
    /// migrations themselves).
    pub async fn unmigrated() -> Result<Self> {
        let name = format!(
            "fog_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            rand::random::<u32>()
        );
        let server = server_url();
        let mut admin = sqlx::PgConnection::connect(&database_url(&server, "postgres")).await?;
        sqlx::query(&format!("CREATE DATABASE {name} {}", crate::store::DATABASE_OPTIONS))
            .execute(&mut admin)
            .await?;
        admin.close().await?;
        let url = database_url(&server, &name);
        let store = Store::connect_unmigrated(&url).await?;
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
                    if let Ok(mut c) = sqlx::PgConnection::connect(&database_url(&server, "postgres")).await {
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

/// What PostgreSQL has counted reading from one table so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableReads {
    /// Sequential scans started.
    pub scans: i64,
    /// Rows read by sequential and index scans.
    pub rows: i64,
}

/// The reads of `table` so far, with the connection's own counts flushed
/// first (tests that a query reads what it should, not the whole table).
pub async fn table_reads(conn: &mut sqlx::PgConnection, table: &str) -> Result<TableReads> {
    sqlx::query("SELECT pg_stat_force_next_flush()")
        .execute(&mut *conn)
        .await?;
    let (scans, rows): (i64, i64) = sqlx::query_as(
        "SELECT coalesce(seq_scan, 0), coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) \
         FROM pg_stat_user_tables WHERE relname = $1",
    )
    .bind(table)
    .fetch_one(&mut *conn)
    .await?;
    Ok(TableReads { scans, rows })
}

/// User plus system CPU seconds of a process, from its `/proc/PID/stat`.
fn cpu_seconds(stat: &str) -> f64 {
    // Fields after the command name, which is in parentheses: utime and
    // stime are the 12th and 13th, in clock ticks (100 per second).
    let Some(rest) = stat.rfind(')').map(|i| &stat[i + 2..]) else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

/// CPU seconds of every PostgreSQL process on the machine (backends,
/// WAL writer, checkpointer): the server's side of a benchmark.
pub fn postgres_cpu_seconds() -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    dir.flatten()
        .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
        .filter(|stat| stat.contains("(postgres)"))
        .map(|stat| cpu_seconds(&stat))
        .sum()
}

/// CPU seconds of this process: the client's side of a benchmark.
pub fn own_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .map(|s| cpu_seconds(&s))
        .unwrap_or(0.0)
}

/// Writes `dir/deployment.json` naming the synthetic history's contracts
/// ([`crate::synth::contracts`]), for running `fog-indexer` on it.
pub fn synthetic_manifest(dir: &std::path::Path) -> Result<std::path::PathBuf> {
    let d = fog_relayer::deployment::Deployment {
        chain_id: "synthetic-1".into(),
        profile: fog_relayer::chain::ChainProfile::injective_local(),
        rpc: String::new(),
        rest: String::new(),
        grpc: String::new(),
        codes: Default::default(),
        contracts: crate::synth::contracts(),
        accounts: Default::default(),
        deployed_at_height: 0,
        deploy_gas: Default::default(),
        audit_origin: None,
        evm: None,
    };
    let path = dir.join("deployment.json");
    d.save(&path)?;
    Ok(path)
}
