//! `fog-relayer`: anchors the audit log's signed checkpoints on the CosmWasm
//! chain and on an EVM chain.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context as _, Result};
use clap::{Parser, Subcommand};
use fog_relayer::anchoring::{remediation, state, CosmwasmTarget, Daemon, EvmTarget, IndexerSource, Policy, Target};
use fog_relayer::chain::{ChainClient, KeyType, PrivateKey, Signer};
use fog_relayer::deployment::Deployment;
use fog_relayer::evm::{Address, EvmAnchor};
use fog_relayer::stdout;
use sqlx::postgres::PgPoolOptions;
use tracing::info;

#[derive(Debug, Parser)]
#[command(name = "fog-relayer", version, about = "Anchors fog's audit log on two chains")]
struct Cli {
    /// PostgreSQL: where the relayer records every transaction it signs.
    #[arg(
        long,
        env = "FOG_DATABASE_URL",
        hide_env_values = true,
        default_value = "postgres://postgres@127.0.0.1:5432/fog"
    )]
    database_url: String,
    /// The deployment manifest (contracts, chain, EVM anchor).
    #[arg(long, env = "FOG_DEPLOYMENT", default_value = ".fog/devnet/deployment.json")]
    deployment: PathBuf,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Watch the log and anchor its checkpoints (until killed).
    Run(Box<RunArgs>),
    /// The anchorings recorded so far, newest first (JSON).
    Status {
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// The indexer whose audit log is anchored.
    #[arg(long, env = "FOG_INDEXER_URL", default_value = "http://127.0.0.1:8080")]
    indexer: String,
    /// File with the relayer's bearer token for the indexer's API (any
    /// role reads the log); `FOG_INDEXER_TOKEN` overrides it.
    #[arg(long, default_value = ".fog/tokens/relayer.token")]
    indexer_token_file: PathBuf,
    /// The audit log's checkpoint verifier key (`<name>+<id>+<key>`), or a
    /// file holding it: only checkpoints signed with it are anchored. The
    /// indexer writes it beside its signing key.
    #[arg(long, env = "FOG_AUDIT_VERIFIER_KEY", default_value = ".fog/audit.key.pub")]
    log_key: String,
    /// Anchor once this many records were appended since the last anchor.
    #[arg(long, default_value_t = 1000)]
    every_records: u64,
    /// Anchor whatever is new once this many seconds passed since the last.
    #[arg(long, default_value_t = 300)]
    every_seconds: u64,
    /// How often to look at the log, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    poll_ms: u64,
    /// Seconds an EVM anchoring may go unmined after it was signed before it
    /// is re-signed with the same nonce at the fees the node now asks, if
    /// they rose above what it offers.
    #[arg(long, default_value_t = 60)]
    evm_replace_after_seconds: u64,
    /// Blocks an EVM anchoring must be under before it counts as anchored
    /// (1: its own block). On a chain that reorganises (Ethereum mainnet,
    /// most L2s before their batch is posted) an anchoring confirmed too
    /// early can vanish, and would never be sent again. Above 1 the chain
    /// must keep making blocks (anvil mines only on transactions by default).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    evm_confirmations: u64,
    /// The most an EVM anchoring (or its replacement) offers per gas, in
    /// gwei; above it the transaction waits until fees fall (in the pool, or
    /// re-sent where a node refuses an offer below its base fee). Default:
    /// what the node asks.
    #[arg(long)]
    evm_max_fee_gwei: Option<f64>,
    /// Anchor the latest checkpoint everywhere now, wait for confirmation, exit.
    #[arg(long)]
    once: bool,
    /// File with the relayer's Cosmos key: a BIP-39 mnemonic.
    #[arg(long, default_value = ".fog/devnet/relayer-cosmos.key")]
    cosmos_key_file: PathBuf,
    /// Key type of the Cosmos key (default: the manifest's `relayer` account's).
    #[arg(long)]
    cosmos_key_type: Option<KeyType>,
    /// File with the relayer's EVM key (0x-hex).
    #[arg(long, default_value = ".fog/devnet/relayer-evm.key")]
    evm_key_file: PathBuf,
    /// EVM JSON-RPC URL (default: the manifest's).
    #[arg(long)]
    evm_rpc: Option<String>,
    /// Skip the CosmWasm chain.
    #[arg(long)]
    no_cosmwasm: bool,
    /// Skip the EVM chain.
    #[arg(long)]
    no_evm: bool,
    /// Where to serve Prometheus metrics (`/metrics`) and `/healthz`.
    #[arg(long, default_value = "127.0.0.1:9464")]
    metrics: SocketAddr,
}

/// A secret from the environment variable `env` if set, else from `file`.
fn secret(env: &str, file: &Path) -> Result<String> {
    if let Ok(value) = std::env::var(env) {
        return Ok(value.trim().to_string());
    }
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("reading the key file {} (or set {env})", file.display()))?;
    Ok(text.trim().to_string())
}

async fn targets(args: &RunArgs, deployment: &Deployment) -> Result<Vec<Target>> {
    let mut targets = Vec::new();
    if !args.no_cosmwasm {
        let key_type = args
            .cosmos_key_type
            .or_else(|| deployment.accounts.get("relayer").map(|a| a.key_type))
            .unwrap_or(KeyType::EthSecp256k1);
        let phrase = secret("FOG_RELAYER_COSMOS_KEY", &args.cosmos_key_file)?;
        let key = PrivateKey::from_mnemonic(&phrase, key_type, key_type.default_coin_type(), 0)?;
        let signer = Signer::new(key, &deployment.profile)?;
        info!(address = %signer.address, "cosmos signer");
        targets.push(Target::Cosmwasm(Box::new(CosmwasmTarget {
            client: ChainClient::new(deployment.client_profile()),
            signer,
            contract: deployment.contracts.audit_anchor.clone(),
        })));
    }
    if !args.no_evm {
        let Some(evm) = &deployment.evm else {
            bail!("the manifest has no EVM anchor; deploy one (fog devnet up) or pass --no-evm");
        };
        let key = secret("FOG_RELAYER_EVM_KEY", &args.evm_key_file)?;
        let address: Address = evm
            .audit_anchor
            .parse()
            .with_context(|| format!("EVM anchor address {:?}", evm.audit_anchor))?;
        let rpc = args.evm_rpc.as_deref().unwrap_or(&evm.rpc);
        let cap = match args.evm_max_fee_gwei {
            Some(g) if g.is_finite() && g > 0.0 => Some((g * 1e9) as u128),
            Some(g) => anyhow::bail!("--evm-max-fee-gwei {g}: must be a positive number of gwei"),
            None => None,
        };
        let anchor = EvmAnchor::connect(rpc, &key, address).await?.with_max_fee_per_gas(cap);
        info!(address = %anchor.signer_address(), "evm signer");
        let origin = anchor
            .origin()
            .await
            .with_context(|| format!("reading the origin of the EVM anchor {address}"))?;
        targets.push(Target::Evm(Box::new(EvmTarget {
            anchor,
            origin,
            confirmations: args.evm_confirmations,
        })));
    }
    if targets.is_empty() {
        bail!("--no-cosmwasm and --no-evm together leave nothing to anchor to");
    }
    Ok(targets)
}

async fn serve_metrics(listen: SocketAddr, handle: metrics_exporter_prometheus::PrometheusHandle) -> Result<()> {
    use axum::routing::get;
    let app = axum::Router::new()
        .route("/metrics", get(move || std::future::ready(handle.render())))
        .route("/healthz", get(|| std::future::ready("ok")));
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen} for metrics"))?;
    axum::serve(listener, app).await?;
    Ok(())
}

async fn run(cli: Cli) -> Result<()> {
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .acquire_timeout(Duration::from_secs(10))
        .connect(&cli.database_url)
        .await
        .with_context(|| {
            format!(
                "connecting to {}",
                fog_relayer::redact::without_password(&cli.database_url)
            )
        })?;
    state::migrate(&pool).await?;
    match cli.cmd {
        Cmd::Status { limit } => {
            let rows = state::history(&pool, limit).await?;
            stdout::line(serde_json::to_string_pretty(&rows)?)?;
            Ok(())
        }
        Cmd::Run(args) => {
            let deployment = Deployment::load(&cli.deployment)?;
            let handle = metrics_exporter_prometheus::PrometheusBuilder::new()
                .install_recorder()
                .context("installing the metrics recorder")?;
            fog_relayer::prometheus::spawn_upkeep(handle.clone());
            if !args.once {
                let listen = args.metrics;
                tokio::spawn(async move {
                    if let Err(e) = serve_metrics(listen, handle).await {
                        tracing::error!(error = %format!("{e:#}"), "metrics endpoint");
                    }
                });
            }
            let writer = tokio::sync::Mutex::new(state::acquire_writer(&pool).await?);
            let daemon = Daemon {
                pool: pool.clone(),
                source: IndexerSource::new(
                    &args.indexer,
                    Some(secret("FOG_INDEXER_TOKEN", &args.indexer_token_file)?),
                    fog_relayer::note::verifier_key_arg("--log-key", &args.log_key)?.1,
                ),
                targets: targets(&args, &deployment).await?,
                policy: Policy {
                    every_records: args.every_records.max(1),
                    every: Duration::from_secs(args.every_seconds),
                },
                poll: Duration::from_millis(args.poll_ms.max(50)),
                replace_after: Duration::from_secs(args.evm_replace_after_seconds),
                registry: match remediation::available(&pool).await? {
                    true => Some(deployment.contracts.registry.clone()),
                    false => None,
                },
                writer,
            };
            info!(
                targets = ?daemon.targets.iter().map(Target::name).collect::<Vec<_>>(),
                every_records = args.every_records,
                every_seconds = args.every_seconds,
                "relaying"
            );
            daemon.run(args.once).await
        }
    }
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Err(e) = run(Cli::parse()).await {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
