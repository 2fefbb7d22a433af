//! `fog lineage`: fingerprints of datasets, training runs, and the lineage
//! record whose hash the release gate approves.
//!
//! - [`hash`]: SHA-256 of files, RFC 6962 Merkle roots of directories
//!   (definition there), in parallel.
//! - [`csv`]: rows, columns and column types of `.csv` datasets.
//! - [`run`]: `run start` / `run complete`: datasets, code revision,
//!   dependencies ([`deps`]), hyperparameters, metrics, model hash.
//! - [`record`]: the in-toto Statement v1 / SLSA provenance v1 record, its
//!   canonical JSON, `record_hash` and the reproducibility hash (definitions
//!   there).
//! - [`verify`]: recompute everything and say what differs.

pub mod csv;
pub mod deps;
pub mod hash;
pub mod record;
pub mod register;
pub mod run;
pub mod verify;

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Subcommand;

use crate::output::{fields, table, Output};

pub use hash::{fingerprint, Fingerprint};

#[derive(Debug, Subcommand)]
pub enum LineageCmd {
    /// SHA-256 of files, Merkle roots of directories, statistics of CSV files.
    Hash {
        /// Files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// A training run: `start` before training, `complete` after.
    #[command(subcommand)]
    Run(RunCmd),
    /// Register a lineage record with the indexer: stored, and appended to
    /// the audit log (which the relayer anchors on-chain).
    Register {
        /// The record written by `fog lineage run complete`.
        record: PathBuf,
        /// The indexer's API.
        #[arg(long, env = "FOG_INDEXER_URL", default_value = "http://127.0.0.1:8080")]
        indexer: String,
        /// A bearer token for the indexer's API (compliance_officer or admin).
        #[arg(long, env = "FOG_TOKEN", hide_env_values = true)]
        token: Option<String>,
    },
    /// Recompute a lineage record's hashes from the files; exit 1 if any differ.
    Verify {
        /// The record written by `fog lineage run complete`.
        record: PathBuf,
        /// Directory the recorded paths are relative to (default: the current directory).
        #[arg(long)]
        root: Option<PathBuf>,
        /// Follow recorded paths that start with `..` out of the root (datasets
        /// outside the run's start directory); refused by default, since a record
        /// is not trusted.
        #[arg(long)]
        allow_parent_paths: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum RunCmd {
    /// Record a run as it starts: datasets, code revision, dependencies, hyperparameters.
    Start {
        /// Name of the run.
        #[arg(long)]
        name: String,
        /// A hyperparameter (repeat).
        #[arg(long = "param", value_name = "KEY=VALUE", value_parser = run::parse_pair)]
        params: Vec<(String, String)>,
        /// A dataset file or directory (repeat).
        #[arg(long = "dataset", value_name = "PATH")]
        datasets: Vec<PathBuf>,
        /// The git work tree of the training code.
        #[arg(long, default_value = ".")]
        code_dir: PathBuf,
        /// Cargo.lock, requirements.txt, poetry.lock, package-lock.json, or `-` for a
        /// `pip freeze` listing on stdin (default: `python3 -m pip freeze`, best effort).
        #[arg(long, value_name = "FILE")]
        deps: Option<PathBuf>,
        /// Where to write the started run.
        #[arg(long, value_name = "RUN.json")]
        out: PathBuf,
    },
    /// Finish a run: model hash, metrics, and the lineage record.
    Complete {
        /// The started run (from `run start`).
        run: PathBuf,
        /// The trained model file.
        #[arg(long)]
        model: PathBuf,
        /// A metric (repeat); numbers are recorded as numbers.
        #[arg(long = "metric", value_name = "KEY=VALUE", value_parser = run::parse_pair)]
        metrics: Vec<(String, String)>,
        /// Where to write the lineage record.
        #[arg(long, value_name = "RECORD.json")]
        out: PathBuf,
    },
}

/// Runs a lineage command; the exit code is 1 when `verify` finds a
/// difference, 2 when it cannot read the record, 0 otherwise.
pub async fn run(output: Output, cmd: LineageCmd) -> Result<i32> {
    if let LineageCmd::Register { record, indexer, token } = &cmd {
        register::register(output, record, indexer, token.as_deref()).await?;
        return Ok(0);
    }
    // Hashing and subprocesses block: keep them off the async workers.
    tokio::task::spawn_blocking(move || run_blocking(output, cmd))
        .await
        .context("the lineage task failed")?
}

fn run_blocking(output: Output, cmd: LineageCmd) -> Result<i32> {
    match cmd {
        LineageCmd::Register { .. } => anyhow::bail!("registering is asynchronous: call `run`"),
        LineageCmd::Hash { paths } => {
            let fps = fingerprint(&paths, true)?;
            output.print(&fps, || hash_table(&fps))?;
            Ok(0)
        }
        LineageCmd::Run(RunCmd::Start {
            name,
            params,
            datasets,
            code_dir,
            deps,
            out,
        }) => {
            let started = run::start(&run::StartOptions {
                name: &name,
                params: &params,
                datasets: &datasets,
                code_dir: &code_dir,
                deps: deps.as_deref(),
                progress: true,
            })?;
            let mut bytes = serde_json::to_vec_pretty(&started)?;
            bytes.push(b'\n');
            run::write_atomic(&out, &bytes)?;
            print_started(output, &out, &started)?;
            Ok(0)
        }
        LineageCmd::Run(RunCmd::Complete {
            run: run_path,
            model,
            metrics,
            out,
        }) => {
            let started = run::load_started(&run_path)?;
            let record = run::complete(started, &model, &metrics, true)?;
            run::write_atomic(&out, &record::canonical_bytes(&record))?;
            print_record(output, &out, &record)?;
            Ok(0)
        }
        LineageCmd::Verify {
            record: path,
            root,
            allow_parent_paths,
        } => {
            let record = match record::load(&path) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("error: {}", format!("{e:#}").replace('\n', " "));
                    return Ok(2);
                }
            };
            let root = match root {
                Some(r) if !r.is_dir() => {
                    eprintln!("error: --root {}: not a directory", r.display());
                    return Ok(2);
                }
                Some(r) => r,
                None => PathBuf::from("."),
            };
            let report = verify::verify(&record, &root, allow_parent_paths, true);
            output.print(&report, || {
                table(
                    &["check", "name", "result"],
                    report
                        .checks
                        .iter()
                        .map(|c| {
                            vec![
                                c.what.clone(),
                                c.name.clone(),
                                if c.ok { "ok".into() } else { "DIFFERS".into() },
                            ]
                        })
                        .collect(),
                )
            })?;
            for line in report.difference_lines() {
                eprintln!("{line}");
            }
            Ok(if report.ok { 0 } else { 1 })
        }
    }
}

fn hash_table(fps: &[Fingerprint]) -> String {
    let rows = fps
        .iter()
        .map(|f| {
            let details = match (&f.csv, f.files) {
                (Some(c), _) => format!(
                    "{} rows × {} columns: {}",
                    c.rows,
                    c.columns,
                    c.column_types
                        .iter()
                        .map(|t| format!("{} {}", t.name, t.ty.as_str()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                (None, Some(n)) => format!("{n} files"),
                (None, None) => String::new(),
            };
            vec![
                f.path.clone(),
                f.kind.to_string(),
                f.sha256.to_string(),
                f.bytes.to_string(),
                details,
            ]
        })
        .collect();
    table(&["path", "kind", "sha256", "bytes", "details"], rows)
}

fn print_started(output: Output, out: &std::path::Path, started: &run::StartedRun) -> Result<()> {
    let deps = &started.resolved_dependencies;
    let count = |kind: &str| deps.iter().filter(|d| d.kind() == Some(kind)).count();
    let code = deps.iter().find(|d| d.kind() == Some(record::KIND_CODE));
    let summary = serde_json::json!({
        "run": out,
        "name": started.internal_parameters.run_name,
        "invocation_id": started.invocation_id,
        "started_on": started.started_on,
        "datasets": deps.iter().filter(|d| d.kind() == Some(record::KIND_DATASET))
            .map(|d| serde_json::json!({"path": d.name, "sha256": d.digest.get("sha256")}))
            .collect::<Vec<_>>(),
        "code": code.map(|c| serde_json::json!({
            "git_commit": c.digest.get("gitCommit"),
            "dirty": c.annotations.get("dirty"),
        })),
        "dependencies": count(record::KIND_PACKAGE),
        "dependency_source": started.internal_parameters.dependency_source,
    });
    output.print(&summary, || {
        let commit = code
            .and_then(|c| c.digest.get("gitCommit"))
            .cloned()
            .unwrap_or_default();
        let dirty = code
            .and_then(|c| c.annotations.get("dirty"))
            .and_then(|d| d.as_bool())
            .unwrap_or(false);
        fields(&[
            ("run", out.display().to_string()),
            ("name", started.internal_parameters.run_name.clone()),
            ("started", started.started_on.clone()),
            ("datasets", count(record::KIND_DATASET).to_string()),
            ("code", format!("{commit}{}", if dirty { " (dirty)" } else { "" })),
            (
                "dependencies",
                format!(
                    "{} from {}",
                    count(record::KIND_PACKAGE),
                    started.internal_parameters.dependency_source
                ),
            ),
        ])
    })
}

fn print_record(output: Output, out: &std::path::Path, record: &record::Statement) -> Result<()> {
    let record_hash = hex::encode(record::record_hash(record));
    let model = record::model_sha256(record).map(hex::encode).unwrap_or_default();
    let datasets: Vec<String> = record::dataset_sha256s(record).into_iter().map(hex::encode).collect();
    let reproducibility = record::recorded_reproducibility_hash(record)
        .map(|h| h.to_string())
        .unwrap_or_default();
    let summary = serde_json::json!({
        "record": out,
        "record_hash": record_hash,
        "model_sha256": model,
        "dataset_sha256s": datasets,
        "reproducibility_hash": reproducibility,
    });
    output.print(&summary, || {
        let mut hint =
            format!("fog release request --id MODEL --version V --sha256 {model} --lineage-hash {record_hash}");
        for d in &datasets {
            hint.push_str(&format!(" --dataset {d}"));
        }
        format!(
            "{}\nto request its release:\n  {hint}",
            fields(&[
                ("record", out.display().to_string()),
                ("record hash", record_hash.clone()),
                ("model sha256", model.clone()),
                ("reproducibility", reproducibility.clone()),
                ("datasets", datasets.len().to_string()),
            ])
        )
    })
}
