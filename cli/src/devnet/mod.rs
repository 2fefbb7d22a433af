//! `fog devnet`: a single-validator chain in `.fog/devnet`, every contract
//! deployed and wired, a manifest describing it.

pub mod accounts;
pub mod deploy;
pub mod evm;
pub mod node;
pub mod paths;
mod pin;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context as _, Result};
use clap::Subcommand;
use fog_relayer::chain::{ChainClient, ChainProfile};
use fog_relayer::deployment::Deployment;
use serde::Serialize;

use crate::context::Context;
use crate::keystore::Keystore;
use crate::output::{fields, fog, table};
use crate::progress::Steps;
use accounts::{ACCOUNTS, DEVNET_PASSWORD};
use node::Node;

#[derive(Debug, Subcommand)]
pub enum DevnetCmd {
    /// Start the devnet (installing, creating and deploying as needed).
    Up {
        /// Chain profile (built-in name or a TOML file).
        #[arg(long, default_value = "injective-local")]
        profile: String,
        /// Where the contract wasm files are (built by scripts/build-wasm.sh
        /// when missing or stale).
        #[arg(long, default_value = "artifacts")]
        artifacts: PathBuf,
    },
    /// Stop the node, keeping its state.
    Down,
    /// Height, contracts and accounts.
    Status,
    /// Stop the node and delete its state (the Python environment stays).
    Reset,
    /// Pin every fog code in the chain's VM cache, through a proposal of the
    /// chain's own governance that the validator votes for. A pinned
    /// contract costs ~58,000 gas less each time it is called, as on chains
    /// whose governance pins a DAO's codes.
    Pin,
}

#[derive(Serialize)]
struct UpReport {
    changed: bool,
    seconds: f64,
    deployment: Deployment,
}

pub async fn run(ctx: &Context, cmd: DevnetCmd) -> Result<()> {
    match cmd {
        DevnetCmd::Up { profile, artifacts } => up(ctx, &profile, &artifacts).await,
        DevnetCmd::Down => {
            let profile = ChainProfile::injective_local();
            let paths = ctx.devnet_paths();
            let stopped = Node {
                paths: &paths,
                profile: &profile,
            }
            .stop()?;
            evm::EvmNode { paths: &paths }.stop()?;
            ctx.print(&serde_json::json!({ "stopped": stopped }), || {
                if stopped {
                    "devnet stopped (state kept; `fog devnet up` resumes it)".into()
                } else {
                    "devnet is not running".into()
                }
            })
        }
        DevnetCmd::Status => status(ctx).await,
        DevnetCmd::Pin => pin::run(ctx).await,
        DevnetCmd::Reset => {
            let profile = ChainProfile::injective_local();
            let paths = ctx.devnet_paths();
            Node {
                paths: &paths,
                profile: &profile,
            }
            .stop()?;
            evm::EvmNode { paths: &paths }.stop()?;
            if paths.devnet.exists() {
                std::fs::remove_dir_all(&paths.devnet)
                    .with_context(|| format!("removing {}", paths.devnet.display()))?;
            }
            ctx.print(&serde_json::json!({ "reset": true }), || {
                format!(
                    "devnet state removed ({}); `fog devnet up` starts a fresh chain",
                    paths.devnet.display()
                )
            })
        }
    }
}

async fn up(ctx: &Context, profile_name: &str, artifacts: &std::path::Path) -> Result<()> {
    let started = Instant::now();
    let profile = ChainProfile::load(profile_name)?;
    let paths = ctx.devnet_paths();
    std::fs::create_dir_all(&paths.devnet)?;
    let node = Node {
        paths: &paths,
        profile: &profile,
    };
    let client = ChainClient::new(profile.clone());
    let quiet = ctx.output == crate::output::Output::Json;

    let anvil = evm::EvmNode { paths: &paths };
    // Already running with a live deployment: nothing to do.
    if node.pid().is_some() && anvil.pid().is_some() {
        if let Ok(d) = Deployment::load(&paths.manifest) {
            let evm_alive = match &d.evm {
                Some(e) => evm::alive(e).await,
                None => false,
            };
            if evm_alive && deploy::deployment_alive(&client, &d).await? {
                return report(ctx, false, started, d);
            }
        }
    }

    node.ensure_ports_free()?;
    let mut steps = Steps::new(15 + deploy::ARTIFACTS.len(), quiet);
    if !node.installed() {
        steps.next(&format!(
            "installing {} into {}",
            profile.node.as_ref().map(|n| n.package.as_str()).unwrap_or("the node"),
            paths.venv.display()
        ));
        node.install()?;
    } else {
        steps.next("node already installed");
    }
    if node.pid().is_none() {
        if !node.initialized() {
            steps.next("creating a single-validator genesis");
            let _ = std::fs::remove_file(&paths.manifest);
            node.init()?;
        } else {
            steps.next("restarting the chain with its state");
        }
        steps.next("starting the node");
        node.start()?;
    } else {
        steps.next("node already running");
        steps.next("node already running");
    }

    if anvil.pid().is_none() {
        steps.next(&format!("starting anvil on port {}", evm::EVM_PORT));
        anvil.start()?;
    } else {
        steps.next("anvil already running");
    }

    if let Ok(mut d) = Deployment::load(&paths.manifest) {
        if deploy::deployment_alive(&client, &d).await? {
            let evm_alive = match &d.evm {
                Some(e) => evm::alive(e).await,
                None => false,
            };
            if !evm_alive {
                steps.next("deploying AuditAnchor on anvil");
                let origin = d
                    .audit_origin
                    .clone()
                    .unwrap_or_else(|| deploy::AUDIT_ORIGIN.to_string());
                d.evm = Some(anvil.deploy(&origin).await?);
                d.save(&paths.manifest)?;
            }
            steps.finish();
            return report(ctx, true, started, d);
        }
    }

    if deploy::verified_artifacts(artifacts).is_none() {
        steps.next("building the contracts (scripts/build-wasm.sh)");
        let status = std::process::Command::new("bash")
            .arg("scripts/build-wasm.sh")
            .stdout(std::process::Stdio::null())
            .status()
            .context("running scripts/build-wasm.sh (run fog from the repository root)")?;
        if !status.success() || deploy::verified_artifacts(artifacts).is_none() {
            bail!("building the contracts failed; run scripts/build-wasm.sh to see why");
        }
    } else {
        steps.next("contract artifacts up to date");
    }
    // The audit log's key exists before the log does, so the anchor checks
    // its signature from the first checkpoint on.
    let (audit_key, _) = fog_relayer::note::load_or_create_signer(&paths.audit_key, deploy::AUDIT_ORIGIN)?;
    let mut deployment = deploy::deploy(&client, artifacts, audit_key.public_key(), &mut steps).await?;
    // A new chain starts a new audit log: a new EVM anchor too, since the old
    // one's anchored sizes would refuse the new log's first checkpoints.
    steps.next("deploying AuditAnchor on anvil");
    deployment.evm = Some(anvil.deploy(deploy::AUDIT_ORIGIN).await?);
    deployment.save(&paths.manifest)?;

    steps.next("writing the devnet keystore");
    if paths.keystore.exists() {
        std::fs::remove_file(&paths.keystore)?;
    }
    let relayer_key = paths.devnet.join("relayer-cosmos.key");
    std::fs::write(&relayer_key, accounts::mnemonic("relayer") + "\n")?;
    evm::restrict(&relayer_key)?;
    let mut ks = Keystore::open(&paths.keystore)?;
    for a in ACCOUNTS {
        // Cheap scrypt: these keys are public by construction.
        ks.add(
            a.name,
            &accounts::mnemonic(a.name),
            a.key_type,
            a.key_type.default_coin_type(),
            DEVNET_PASSWORD,
            10,
        )?;
    }
    steps.finish();
    report(ctx, true, started, deployment)
}

fn report(ctx: &Context, changed: bool, started: Instant, deployment: Deployment) -> Result<()> {
    let seconds = started.elapsed().as_secs_f64();
    let r = UpReport {
        changed,
        seconds,
        deployment: deployment.clone(),
    };
    ctx.print(&r, || {
        let head = if changed {
            format!("devnet up in {seconds:.1} s")
        } else {
            "devnet already up: nothing changed".to_string()
        };
        let mut rows = vec![
            ("chain id", deployment.chain_id.clone()),
            ("RPC", deployment.rpc.clone()),
            ("REST", deployment.rest.clone()),
            ("gRPC", deployment.grpc.clone()),
            ("manifest", ctx.devnet_paths().manifest.display().to_string()),
        ];
        for (name, addr) in deployment.contracts.all() {
            rows.push((name, addr.to_string()));
        }
        if let Some(e) = &deployment.evm {
            rows.push(("EVM RPC", format!("{} (chain id {})", e.rpc, e.chain_id)));
            rows.push(("EVM AuditAnchor", e.audit_anchor.clone()));
        }
        format!(
            "{head}\n{}\nNamed accounts (fog keys list) sign with --from <name>, e.g. `fog lock --amount 100 --weeks 52 --from alice`.",
            fields(&rows)
        )
    })
}

#[derive(Serialize)]
struct Status {
    running: bool,
    pid: Option<u32>,
    height: Option<u64>,
    deployment: Option<Deployment>,
    balances: Vec<(String, String, u128, u128)>,
}

async fn status(ctx: &Context) -> Result<()> {
    let profile = ChainProfile::injective_local();
    let paths = ctx.devnet_paths();
    let node = Node {
        paths: &paths,
        profile: &profile,
    };
    let pid = node.pid();
    let height = pid.and_then(|_| node::rpc_height(&profile.rpc));
    let deployment = Deployment::load(&paths.manifest).ok();
    let mut balances = vec![];
    if let (Some(_), Some(d)) = (height, &deployment) {
        let client = ChainClient::new(profile.clone());
        for (name, account) in &d.accounts {
            let native = client.balance(&account.address, &profile.denom).await.unwrap_or(0);
            let fog_balance: cw20::BalanceResponse = client
                .query(
                    &d.contracts.token,
                    &cw20::Cw20QueryMsg::Balance {
                        address: account.address.clone(),
                    },
                )
                .await
                .unwrap_or(cw20::BalanceResponse {
                    balance: Default::default(),
                });
            balances.push((
                name.clone(),
                account.address.clone(),
                native,
                fog_balance.balance.u128(),
            ));
        }
    }
    let s = Status {
        running: pid.is_some(),
        pid,
        height,
        deployment: deployment.clone(),
        balances: balances.clone(),
    };
    ctx.print(&s, || {
        let mut out = match (pid, height) {
            (Some(pid), Some(h)) => format!("devnet running (pid {pid}), height {h}\n"),
            (Some(pid), None) => {
                format!("devnet process {pid} is up but its RPC does not answer\n")
            }
            _ => "devnet is not running (`fog devnet up` starts it)\n".to_string(),
        };
        if let Some(d) = &deployment {
            let rows = d
                .contracts
                .all()
                .iter()
                .map(|(n, a)| {
                    vec![
                        n.to_string(),
                        a.to_string(),
                        d.codes
                            .get(&format!("fog_{n}"))
                            .map(|c| c.code_id.to_string())
                            .unwrap_or_default(),
                    ]
                })
                .collect();
            out += &table(&["contract", "address", "code id"], rows);
            out += "\n";
        }
        if !balances.is_empty() {
            let rows = balances
                .iter()
                .map(|(n, a, native, f)| vec![n.clone(), a.clone(), format!("{}", native / 10u128.pow(18)), fog(*f)])
                .collect();
            out += &table(&["account", "address", "INJ", "FOG"], rows);
        }
        out
    })
}
