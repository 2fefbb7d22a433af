//! `fog`: keys, transactions, queries and the local devnet.

mod commands;
mod context;
mod devnet;
mod keystore;
mod lineage;
mod output;
mod progress;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use commands::anchor::AnchorCmd;
use commands::audit::AuditCmd;
use commands::gov::GovCmd;
use commands::keys::KeysCmd;
use commands::query::QueryCmd;
use commands::registry::RegistryCmd;
use commands::release::ReleaseCmd;
use commands::ve::VeCmd;
use commands::wallet::WalletCmd;
use context::Context;
use devnet::DevnetCmd;
use output::Output;

// fog runs the indexer's code for `fog audit verify` and the lineage
// hashing; the same allocator as the indexer's binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "fog",
    version,
    about = "fog: veFOG, governance, releases and compliance on a CosmWasm chain"
)]
struct Cli {
    /// Where fog keeps its files (keystore, devnet).
    #[arg(long, global = true, env = "FOG_HOME", default_value = ".fog")]
    home: PathBuf,
    /// Deployment manifest (default: the devnet's).
    #[arg(long, global = true, env = "FOG_DEPLOYMENT")]
    deployment: Option<PathBuf>,
    /// Keystore file (default: <home>/keystore.json).
    #[arg(long, global = true, env = "FOG_KEYSTORE")]
    keystore: Option<PathBuf>,
    /// Output format.
    #[arg(long, short = 'o', global = true, value_enum, default_value = "table")]
    output: Output,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// The local development chain.
    #[command(subcommand)]
    Devnet(DevnetCmd),
    /// Keys in the encrypted keystore.
    #[command(subcommand)]
    Keys(KeysCmd),
    #[command(flatten)]
    Ve(VeCmd),
    #[command(flatten)]
    Gov(GovCmd),
    #[command(flatten)]
    Wallet(WalletCmd),
    /// The four-eyes release gate.
    #[command(subcommand)]
    Release(ReleaseCmd),
    /// The compliance registry.
    #[command(subcommand)]
    Registry(RegistryCmd),
    /// Dataset fingerprints, training runs and lineage records.
    #[command(subcommand)]
    Lineage(lineage::LineageCmd),
    /// Audit-log checkpoints anchored on-chain.
    #[command(subcommand)]
    Anchor(AnchorCmd),
    /// The audit log: verify it end to end.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Read-only queries.
    #[command(subcommand)]
    Query(QueryCmd),
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let ctx = Context {
        deployment_named: cli.deployment.is_some(),
        deployment_path: cli
            .deployment
            .clone()
            .unwrap_or_else(|| devnet::paths::Paths::new(&cli.home).manifest),
        keystore_path: cli.keystore.clone().unwrap_or_else(|| cli.home.join("keystore.json")),
        home: cli.home.clone(),
        output: cli.output,
    };
    match cli.cmd {
        Cmd::Devnet(c) => devnet::run(&ctx, c).await,
        Cmd::Keys(c) => commands::keys::run(&ctx, c),
        Cmd::Ve(c) => commands::ve::run(&ctx, c).await,
        Cmd::Gov(c) => commands::gov::run(&ctx, c).await,
        Cmd::Wallet(c) => commands::wallet::run(&ctx, c).await,
        Cmd::Release(c) => commands::release::run(&ctx, c).await,
        Cmd::Registry(c) => commands::registry::run(&ctx, c).await,
        Cmd::Anchor(c) => commands::anchor::run(&ctx, c).await,
        Cmd::Audit(c) => commands::audit::run(&ctx, c).await,
        Cmd::Lineage(c) => match lineage::run(ctx.output, c).await? {
            0 => Ok(()),
            code => std::process::exit(code),
        },
        Cmd::Query(c) => commands::query::run(&ctx, c).await,
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: the cause chain, most specific last.
            eprintln!("error: {}", format!("{e:#}").replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}
