//! `fog-indexer`: index a chain into PostgreSQL, serve the read API, replay
//! recorded blocks, record them, and check the projections against the
//! contracts.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use fog_indexer::ingest::{Ingest, Options};
use fog_indexer::source::{write_recorded, BlockSource, DirSource, RpcSource};
use fog_indexer::store::select::Watched;
use fog_indexer::store::Store;
use fog_relayer::chain::ChainClient;
use fog_relayer::deployment::Deployment;
use fog_relayer::stdout;
use tracing::info;

// The decoding and preparation of blocks allocate per attribute; glibc's
// allocator was a quarter of the replay's client CPU, mimalloc halves the
// decoding time (docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(name = "fog-indexer", version, about = "fog's chain indexer and read API")]
struct Cli {
    /// PostgreSQL URL.
    #[arg(
        long,
        global = true,
        env = "DATABASE_URL",
        hide_env_values = true,
        default_value = "postgres://postgres@127.0.0.1:5432/fog"
    )]
    database_url: String,
    /// Deployment manifest: the contracts whose events are trusted.
    #[arg(
        long,
        global = true,
        env = "FOG_DEPLOYMENT",
        default_value = ".fog/devnet/deployment.json"
    )]
    deployment: PathBuf,
    #[command(subcommand)]
    cmd: Cmd,
}

/// How the audit log's checkpoints are signed and published.
#[derive(Debug, clap::Args)]
struct AuditArgs {
    /// The checkpoint signing key: a note private key
    /// (`PRIVATE+KEY+name+id+key`) or 64 hex digits. Created (0600, with
    /// its verifier key beside it in `.pub`) when the file does not exist.
    #[arg(long, env = "FOG_AUDIT_KEY_FILE", default_value = ".fog/audit.key")]
    audit_key: PathBuf,
    /// The log's origin (first line of its checkpoints).
    #[arg(long, default_value = "fog.local/audit")]
    audit_origin: String,
    /// Seconds between checkpoints (one is published only if the log grew).
    #[arg(long, default_value_t = 5)]
    checkpoint_interval: u64,
    /// Stream every audit record to NATS JetStream at this URL (e.g.
    /// nats://127.0.0.1:4222); off when absent.
    #[arg(long, env = "FOG_NATS_URL")]
    nats_url: Option<String>,
    /// The JetStream stream (created when missing).
    #[arg(long, default_value = "FOG_AUDIT")]
    nats_stream: String,
    /// The subject the records are published on.
    #[arg(long, default_value = "fog.audit.records")]
    nats_subject: String,
}

/// The node, once it answers: a node not up yet (or restarting) is waited
/// for with backoff, as ingestion waits for one that goes away. A URL that
/// can never work is refused at once.
async fn connect_waiting(url: &str, prefix: &str) -> Result<RpcSource> {
    let parsed = reqwest::Url::parse(url).with_context(|| format!("--rpc {url:?} is not a URL"))?;
    anyhow::ensure!(
        matches!(parsed.scheme(), "http" | "https"),
        "--rpc {url:?} is not an http(s) URL"
    );
    let mut wait = Duration::from_millis(500);
    loop {
        match RpcSource::connect(url, prefix).await {
            Ok(source) => return Ok(source),
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), retry_in = ?wait, "the node does not answer yet");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(30));
            }
        }
    }
}

/// The signing key, created on first use.
fn audit_signer(args: &AuditArgs) -> Result<fog_indexer::audit::note::NoteSigner> {
    use fog_indexer::audit::note::{self, NoteSigner};
    let signer = if let Ok(text) = std::env::var("FOG_AUDIT_KEY") {
        NoteSigner::parse(&text, &args.audit_origin)?
    } else {
        let (signer, created) =
            note::load_or_create_signer(&args.audit_key, &args.audit_origin).context("--audit-key")?;
        if created {
            info!(key = %args.audit_key.display(), verifier = %signer.verifier_key(), "created the audit checkpoint key");
        }
        signer
    };
    // Verifiers name the key after the log (a key from the anchor contract
    // is only bytes): one that signs under another name would fail every
    // verification that has no key file of its own.
    if signer.name != args.audit_origin {
        anyhow::bail!(
            "the audit key signs as {:?}, not as the log's origin {:?}: use a key made for this origin (--audit-key)",
            signer.name,
            args.audit_origin
        );
    }
    Ok(signer)
}

/// Publishes a signed checkpoint every interval while the log grows.
async fn publish_checkpoints(
    store: Store,
    signer: fog_indexer::audit::note::NoteSigner,
    args: &AuditArgs,
) -> Result<()> {
    loop {
        match fog_indexer::audit::checkpoint::publish(&store.pool, &signer, &args.audit_origin).await {
            Ok(Some(c)) => info!(size = c.size, root = %c.root, "published a checkpoint"),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %format!("{e:#}"), "publishing a checkpoint failed"),
        }
        tokio::time::sleep(Duration::from_secs(args.checkpoint_interval)).await;
    }
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Backfill from the node, then follow its head, and serve the API.
    Run {
        /// CometBFT RPC (default: the deployment's).
        #[arg(long)]
        rpc: Option<String>,
        #[arg(long, default_value_t = 1)]
        start_height: u64,
        #[command(flatten)]
        api: ApiArgs,
        /// Index only; no API.
        #[arg(long)]
        no_api: bool,
        /// Heights fetched at once during backfill (1 to 1024).
        #[arg(long, default_value_t = 16, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1024))]
        concurrency: usize,
        #[command(flatten)]
        audit: AuditArgs,
    },
    /// Serve the API over an existing database.
    Serve {
        #[command(flatten)]
        api: ApiArgs,
    },
    /// Staff tokens of the API.
    #[command(subcommand)]
    Staff(StaffCmd),
    /// Ingest recorded RPC answers from a directory (as `record` writes them).
    Replay {
        dir: PathBuf,
        /// Blocks per transaction.
        #[arg(long, default_value_t = 500)]
        batch: usize,
        /// Stop after this height.
        #[arg(long)]
        until: Option<u64>,
    },
    /// Write the node's `/block` and `/block_results` answers to a directory.
    Record {
        #[arg(long)]
        from: u64,
        #[arg(long)]
        to: u64,
        dir: PathBuf,
        #[arg(long)]
        rpc: Option<String>,
    },
    /// Compare every projection with the contracts' queries at one height.
    VerifyState {
        /// Default: the last indexed height.
        #[arg(long)]
        height: Option<u64>,
        /// REST API of the node (default: the deployment's).
        #[arg(long)]
        rest: Option<String>,
    },
}

/// How the API listens and whom it lets in.
#[derive(Debug, clap::Args)]
struct ApiArgs {
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Requests per second allowed to one token (sustained).
    #[arg(long, default_value_t = 50)]
    rate_limit: u32,
    /// Requests one token may burst above its rate.
    #[arg(long, default_value_t = 100)]
    rate_burst: u32,
    /// Token lookups that refuse the token (unknown, expired, revoked)
    /// allowed per second to one client address, an IPv6 client by its /64
    /// (bursts of five seconds' worth). Over it, the client's uncached
    /// tokens get 429 without a lookup until the budget refills.
    #[arg(long, default_value_t = 20)]
    token_refusals_per_second: u32,
    /// Seconds an accepted token is trusted without a database lookup (a
    /// token revoked by another process is refused within this time; 0: look
    /// up every request).
    #[arg(long, default_value_t = 5)]
    token_cache_seconds: u64,
    /// An origin allowed to call the API from a browser (repeat); none by
    /// default: CORS closed.
    #[arg(long = "cors-origin")]
    cors_origins: Vec<String>,
    /// Directory of compliance rule files (*.json): new versions are
    /// registered as drafts at start, on `POST /rules/reload` and on SIGHUP.
    #[arg(long)]
    rules: Option<std::path::PathBuf>,
    /// The KYC master key (64 hex characters; created, mode 0600, when
    /// missing). `FOG_KYC_MASTER_KEY` overrides it.
    #[arg(long, env = "FOG_KYC_MASTER_KEY_FILE", default_value = ".fog/kyc-master.key")]
    kyc_key: PathBuf,
    /// Hours between retention runs (erasing KYC subjects past their
    /// retention date), at most 8760 (a year); 0: only on
    /// `POST /kyc/retention`.
    #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u64).range(0..=8760))]
    retention_every_hours: u64,
}

/// Bootstrap and manage staff tokens from the server's shell (the API does
/// the same for admins).
#[derive(Debug, Subcommand)]
enum StaffCmd {
    /// Issue a token and print it (the only time it is shown).
    Issue {
        #[arg(long)]
        name: String,
        #[arg(long)]
        role: fog_indexer::access::Role,
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
    /// Every token (never the secret).
    List,
    /// Revoke a token by id.
    Revoke { id: i64 },
}

async fn staff(store: &Store, cmd: StaffCmd) -> Result<()> {
    use fog_indexer::access::tokens;
    let by = format!("cli:{}", std::env::var("USER").unwrap_or_else(|_| "unknown".into()));
    match cmd {
        StaffCmd::Issue { name, role, days } => {
            let issued = tokens::issue(&store.pool, &name, role, days, &by).await?;
            stdout::line(serde_json::to_string_pretty(&issued)?)?;
        }
        StaffCmd::List => stdout::line(serde_json::to_string_pretty(&tokens::list(&store.pool).await?)?)?,
        StaffCmd::Revoke { id } => {
            let revoked = tokens::revoke(&store.pool, id, &by).await?;
            stdout::line(serde_json::to_string_pretty(&revoked)?)?;
        }
    }
    Ok(())
}

async fn serve(
    store: &Store,
    api: &ApiArgs,
    metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
) -> Result<()> {
    let nonzero =
        |v: u32, name: &str| std::num::NonZeroU32::new(v).ok_or_else(|| anyhow::anyhow!("--{name} must be at least 1"));
    let mut state = fog_indexer::api::AppState::new(store.pool.clone());
    state.metrics = metrics;
    state.limiter = fog_indexer::access::Limiter::new(fog_indexer::access::RateLimit {
        per_second: nonzero(api.rate_limit, "rate-limit")?,
        burst: nonzero(api.rate_burst, "rate-burst")?,
        refusals_per_second: nonzero(api.token_refusals_per_second, "token-refusals-per-second")?,
    });
    state.tokens = fog_indexer::access::TokenCache::new(Duration::from_secs(api.token_cache_seconds));
    state.cors_origins = api
        .cors_origins
        .iter()
        .map(|o| {
            o.parse()
                .with_context(|| format!("--cors-origin {o:?} is not a header value"))
        })
        .collect::<Result<_>>()?;
    if let Some(dir) = &api.rules {
        // Listening before the first read: a SIGHUP sent once the rules
        // are registered must not find the default action (exit).
        let hangups =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).context("listening for SIGHUP")?;
        read_rules_dir(&store.pool, dir, "system:startup").await?;
        state.rules_dir = Some(dir.clone());
        reload_rules_on_sighup(hangups, store.pool.clone(), dir.clone());
    }
    state.vault = Some(std::sync::Arc::new(fog_indexer::kyc::Vault::load(&api.kyc_key)?));
    if api.retention_every_hours > 0 {
        let pool = store.pool.clone();
        let every = Duration::from_secs(api.retention_every_hours * 3600);
        tokio::spawn(async move {
            loop {
                match fog_indexer::kyc::run_retention(&pool, "system:retention").await {
                    Ok(erased) => info!(erased = erased.len(), "KYC retention run"),
                    Err(e) => tracing::error!(error = %format!("{e:#}"), "KYC retention run failed"),
                }
                tokio::time::sleep(every).await;
            }
        });
    }
    let app = fog_indexer::api::router(state);
    let listen = api.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    info!(%listen, "serving the API");
    // With the peer's address, which the token-lookup limit is keyed by.
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await?;
    Ok(())
}

/// Registers the new rule versions of `dir` as drafts, on behalf of `by`.
async fn read_rules_dir(pool: &sqlx::PgPool, dir: &std::path::Path, by: &str) -> Result<()> {
    let report = fog_indexer::rules::registry::sync_dir(pool, dir, by).await?;
    info!(loaded = ?report.loaded, unchanged = report.unchanged, refused = ?report.refused, dir = %dir.display(), by, "rule files read");
    Ok(())
}

/// SIGHUP reads the rules directory again, as `POST /rules/reload` does:
/// new versions become drafts, awaiting two admins.
fn reload_rules_on_sighup(mut hangups: tokio::signal::unix::Signal, pool: sqlx::PgPool, dir: PathBuf) {
    tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            if let Err(e) = read_rules_dir(&pool, &dir, "system:sighup").await {
                tracing::error!(error = %format!("{e:#}"), dir = %dir.display(), "reading the rule files again (SIGHUP) failed");
            }
        }
    });
}

async fn run(cli: Cli) -> Result<()> {
    // Serving needs only the database; everything else reads the chain.
    let deployment = match cli.cmd {
        Cmd::Serve { .. } | Cmd::Staff(_) => None,
        _ => Some(Deployment::load(&cli.deployment)?),
    };
    let deployment = deployment.as_ref();
    let watched = || Watched::from(&deployment.expect("loaded").contracts);
    let prefix = deployment.map(|d| d.profile.bech32_prefix.clone()).unwrap_or_default();
    let metrics = metrics_exporter_prometheus::PrometheusBuilder::new()
        .install_recorder()
        .ok();
    if let Some(handle) = metrics.clone() {
        fog_relayer::prometheus::spawn_upkeep(handle);
    }
    let db = cli.database_url.clone();
    let store = || Store::connect_or_create(&db);
    match cli.cmd {
        Cmd::Run {
            rpc,
            start_height,
            api,
            no_api,
            concurrency,
            audit,
        } => {
            let store = store().await?;
            let signer = audit_signer(&audit)?;
            let source = connect_waiting(rpc.as_deref().unwrap_or(&deployment.expect("loaded").rpc), &prefix).await?;
            info!(version = %source.version, chain = %source.chain_id, "node");
            let ingest = Ingest::new(
                source,
                store.clone(),
                watched(),
                Options {
                    start_height,
                    concurrency,
                    chain_id: deployment.map(|d| d.chain_id.clone()),
                    ..Options::default()
                },
            );
            // One writer: a standby waits on the advisory lock.
            let _writer = fog_indexer::store::writer_lock(&store).await?;
            let publisher = publish_checkpoints(store.clone(), signer, &audit);
            if let Some(url) = &audit.nats_url {
                let cfg = fog_indexer::audit::stream::StreamConfig {
                    url: url.clone(),
                    stream: audit.nats_stream.clone(),
                    subject: audit.nats_subject.clone(),
                };
                info!(url = %cfg.url, stream = %cfg.stream, subject = %cfg.subject, "streaming the audit log to NATS");
                tokio::spawn(fog_indexer::audit::stream::run(
                    store.pool.clone(),
                    cfg,
                    Duration::from_millis(200),
                ));
            }
            if no_api {
                tokio::select! {
                    r = ingest.tail(Duration::from_millis(200)) => r,
                    r = publisher => r,
                }
            } else {
                tokio::select! {
                    r = ingest.tail(Duration::from_millis(200)) => r,
                    r = serve(&store, &api, metrics) => r,
                    r = publisher => r,
                }
            }
        }
        Cmd::Serve { api } => serve(&store().await?, &api, metrics).await,
        Cmd::Staff(cmd) => staff(&store().await?, cmd).await,
        Cmd::Replay { dir, batch, until } => {
            let store = store().await?;
            let _writer = fog_indexer::store::writer_lock_now(&store).await?;
            let source = DirSource::open(&dir, &prefix)?;
            // An empty database starts at the recording's first height.
            let start_height = source.heights().first().copied().unwrap_or(1);
            let ingest = Ingest::new(
                source,
                store,
                watched(),
                Options {
                    batch_blocks: batch,
                    start_height,
                    chain_id: deployment.map(|d| d.chain_id.clone()),
                    ..Options::default()
                },
            );
            let h = ingest.run_to(until).await?;
            stdout::line(format_args!("replayed up to height {h}"))?;
            Ok(())
        }
        Cmd::Record { from, to, dir, rpc } => {
            anyhow::ensure!(
                from <= to,
                "--from {from} is above --to {to}: there is nothing to record"
            );
            let source =
                RpcSource::connect(rpc.as_deref().unwrap_or(&deployment.expect("loaded").rpc), &prefix).await?;
            std::fs::create_dir_all(&dir)?;
            for h in from..=to {
                let (block, results) = source.fetch_raw(h).await?;
                write_recorded(&dir, h, &block, &results)?;
            }
            stdout::line(format_args!("recorded heights {from}..={to} into {}", dir.display()))?;
            Ok(())
        }
        Cmd::VerifyState { height, rest } => {
            let mut profile = deployment.expect("loaded").profile.clone();
            profile.rest = rest.unwrap_or(deployment.expect("loaded").rest.clone());
            let client = ChainClient::new(profile);
            let store = store().await?;
            let report =
                fog_indexer::verify::verify_state(&store.pool, &client, &deployment.expect("loaded").contracts, height)
                    .await?;
            for d in &report.differences {
                stdout::line(format_args!(
                    "DIFF {}: indexer {} | contract {}",
                    d.what, d.indexer, d.contract
                ))?;
            }
            stdout::line(format_args!(
                "height {}: {} values compared, {} differences",
                report.height,
                report.compared,
                report.differences.len()
            ))?;
            if report.differences.is_empty() {
                Ok(())
            } else {
                anyhow::bail!("{} differences", report.differences.len())
            }
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", format!("{e:#}").replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}
