//! `fog audit verify`: recompute the audit log from its records and hold it
//! against its signed checkpoints and the roots anchored on both chains.

use std::time::Instant;

use anyhow::{bail, Context as _, Result};
use clap::Subcommand;
use fog_indexer::audit::note::{self, VerifierKey};
use fog_indexer::audit::verify::{self, Anchored, Report};
use fog_relayer::anchoring::anchored;
use serde::Serialize;

use crate::context::Context;
use crate::output::fields;

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Recompute the hash chain and the Merkle tree from every record; check
    /// every stored hash, signed checkpoint and anchored root; name the
    /// first record that does not match (exit 1).
    Verify {
        /// The indexer's database.
        #[arg(
            long,
            env = "FOG_DATABASE_URL",
            hide_env_values = true,
            default_value = "postgres://postgres@127.0.0.1:5432/fog"
        )]
        database_url: String,
        /// The log's verifier key (signed-note format), or a file holding
        /// keys, one per line; repeatable: after a key rotation give the old
        /// and the new, and each checkpoint must be signed by one of them.
        /// Default: `<home>/audit.key.pub` when it exists, else (online) the
        /// key the CosmWasm audit anchor checks the log's checkpoints with;
        /// without a key the checkpoints' signatures are not checked.
        #[arg(long)]
        key: Vec<String>,
        /// The log's origin on the anchor contracts (default: the manifest's).
        #[arg(long)]
        origin: Option<String>,
        /// Do not read the anchored roots from the chains.
        #[arg(long)]
        offline: bool,
        /// Also parse every record in full and require its bytes to be
        /// exactly its RFC 8785 canonical JSON (slower; by default a
        /// record's place is read from the end of its bytes).
        #[arg(long)]
        strict: bool,
    },
}

#[derive(Serialize)]
struct VerifyReport {
    ok: bool,
    seconds: f64,
    signatures_checked: bool,
    #[serde(flatten)]
    report: Report,
    anchored_on: Vec<String>,
}

/// The verifier keys, one per line: each `--key` as a key or a file
/// holding keys one per line, else `<home>/audit.key.pub` when it exists;
/// checked here, so a bad key is named as the key's fault, not the log's.
fn verifier_key(ctx: &Context, keys: Vec<String>) -> Result<Option<String>> {
    let mut out = Vec::new();
    for given in &keys {
        let path = std::path::Path::new(given);
        if !path.is_file() && given.contains('+') {
            out.push(note::verifier_key_arg("--key", given)?.0);
            continue;
        }
        let text = std::fs::read_to_string(path).with_context(|| format!("reading --key {given}"))?;
        out.extend(parsed_lines(&text, &format!("--key {given}"))?);
    }
    if !keys.is_empty() {
        return Ok(Some(out.join("\n")));
    }
    let default = ctx.home.join("audit.key.pub");
    if !default.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&default).with_context(|| format!("reading {}", default.display()))?;
    Ok(Some(parsed_lines(&text, &default.display().to_string())?.join("\n")))
}

/// The verifier keys of a file, one per line, each checked.
fn parsed_lines(text: &str, from: &str) -> Result<Vec<String>> {
    let keys: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    if keys.is_empty() {
        bail!("{from} holds no verifier key");
    }
    for (i, key) in keys.iter().enumerate() {
        VerifierKey::parse(key).with_context(|| format!("{from}, line {}, is not a verifier key", i + 1))?;
    }
    Ok(keys)
}

pub async fn run(ctx: &Context, cmd: AuditCmd) -> Result<()> {
    match cmd {
        AuditCmd::Verify {
            database_url,
            key,
            origin,
            offline,
            strict,
        } => {
            let started = Instant::now();
            let key = verifier_key(ctx, key)?;
            // The log the checkpoints must name and the anchors are read
            // for; offline and without --origin, the checkpoints need only
            // agree with each other.
            let (origin, roots, key) = if offline {
                (origin, Vec::new(), key)
            } else {
                let deployment = ctx.deployment()?;
                let origin = origin
                    .or_else(|| deployment.audit_origin.clone())
                    .context("the manifest names no audit log origin; pass --origin")?;
                let roots = anchored::all(&deployment, &origin).await?;
                // Without a key of its own, a verifier on another machine
                // still checks the signatures: with the key on-chain (until
                // stop 21 it checked none, so a changed signature passed).
                let key = match key {
                    Some(key) => Some(key),
                    None => {
                        let client = fog_relayer::chain::ChainClient::new(deployment.client_profile());
                        anchored::cosmwasm_log_key(&client, &deployment.contracts.audit_anchor, &origin).await?
                    }
                };
                (Some(origin), roots, key)
            };
            let mut chains: Vec<String> = roots.iter().map(|r| r.chain.clone()).collect();
            chains.dedup();
            let anchored: Vec<Anchored> = roots
                .into_iter()
                .map(|r| Anchored {
                    chain: r.chain,
                    size: r.size,
                    root: r.root,
                })
                .collect();
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(verify::CONNECTIONS)
                .connect(&database_url)
                .await
                .with_context(|| format!("connecting to {}", fog_relayer::redact::without_password(&database_url)))?;
            let opts = verify::Options {
                origin: origin.as_deref(),
                strict,
            };
            let report = verify::verify_with(&pool, key.as_deref(), &anchored, opts).await?;
            let out = VerifyReport {
                ok: report.failure.is_none(),
                seconds: started.elapsed().as_secs_f64(),
                signatures_checked: key.is_some(),
                report: report.clone(),
                anchored_on: chains,
            };
            ctx.print(&out, || {
                let mut rows = vec![
                    ("records", report.records.to_string()),
                    ("root", report.root.clone()),
                    (
                        "log origin",
                        report.origin.clone().unwrap_or_else(|| "(no checkpoint)".into()),
                    ),
                    ("stored hashes", report.stored_hashes.to_string()),
                    (
                        "checkpoints",
                        format!(
                            "{}{}",
                            report.checkpoints,
                            if key.is_some() {
                                " (signatures checked)"
                            } else {
                                " (no key: signatures not checked)"
                            }
                        ),
                    ),
                    (
                        "anchored roots",
                        format!("{} on {}", report.anchors, out.anchored_on.join(", ")),
                    ),
                    ("seconds", format!("{:.3}", out.seconds)),
                ];
                rows.push((
                    "result",
                    match &report.failure {
                        None => "the log verifies".to_string(),
                        Some(f) => format!("FAILED: {f}"),
                    },
                ));
                fields(&rows)
            })?;
            if let Some(f) = report.failure {
                bail!("the audit log does not verify: {f}");
            }
            Ok(())
        }
    }
}
