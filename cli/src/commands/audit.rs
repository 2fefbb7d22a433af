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
        /// The log's verifier key (signed-note format), or a file holding it.
        /// Default: `<home>/audit.key.pub` when it exists; without a key the
        /// checkpoints' signatures are not checked.
        #[arg(long)]
        key: Option<String>,
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

/// The verifier key: `--key` as a key or a file holding one, else
/// `<home>/audit.key.pub` when it exists; checked here, so a bad key is
/// named as the key's fault, not the log's.
fn verifier_key(ctx: &Context, key: Option<String>) -> Result<Option<String>> {
    if let Some(k) = key {
        return Ok(Some(note::verifier_key_arg("--key", &k)?.0));
    }
    let default = ctx.home.join("audit.key.pub");
    if !default.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&default).with_context(|| format!("reading {}", default.display()))?;
    let text = text.trim();
    VerifierKey::parse(text).with_context(|| format!("{} is not a verifier key", default.display()))?;
    Ok(Some(text.to_string()))
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
            let (origin, roots) = if offline {
                (origin, Vec::new())
            } else {
                let deployment = ctx.deployment()?;
                let origin = origin
                    .or_else(|| deployment.audit_origin.clone())
                    .context("the manifest names no audit log origin; pass --origin")?;
                let roots = anchored::all(&deployment, &origin).await?;
                (Some(origin), roots)
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
                .with_context(|| format!("connecting to {}", without_password(&database_url)))?;
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

/// A database URL fit for an error message: its password replaced.
fn without_password(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            // Only fails for URLs that cannot carry a password at all.
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_string(),
        Err(_) => "the database URL given".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn a_database_password_is_not_printed() {
        assert_eq!(
            without_password("postgres://fog:s3cret@db:5432/fog"),
            "postgres://fog:***@db:5432/fog"
        );
        assert_eq!(
            without_password("postgres://postgres@127.0.0.1:5432/fog"),
            "postgres://postgres@127.0.0.1:5432/fog"
        );
        assert!(!without_password("not a url s3cret").contains("s3cret"));
    }
}
