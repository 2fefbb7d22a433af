//! Training runs: `run start` fingerprints what goes into a run, `run
//! complete` adds what came out and writes the lineage record.
//!
//! Paths (datasets, the model) are recorded relative to the directory the
//! run was started in, `/`-separated, with `..` for paths outside it, so a
//! record stays valid when the project is checked out elsewhere; `verify`
//! resolves them against `--root` (default: the current directory).

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context as _, Result};
use chrono::{SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::deps::{self, Package};
use super::hash::{self, sha256, Sha256};
use super::record::{self, ResourceDescriptor, Statement};

pub const STARTED_RUN_TYPE: &str = "https://fog.dev/lineage/started-run/v1";

/// `RUN.json`: a run that has started, everything that goes into the
/// lineage record except what only the end of the run knows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StartedRun {
    #[serde(rename = "_type")]
    pub type_: String,
    pub invocation_id: String,
    pub started_on: String,
    pub external_parameters: record::ExternalParameters,
    pub internal_parameters: record::InternalParameters,
    pub resolved_dependencies: Vec<ResourceDescriptor>,
}

/// What `run start` was asked for.
pub struct StartOptions<'a> {
    pub name: &'a str,
    pub params: &'a [(String, String)],
    pub datasets: &'a [PathBuf],
    pub code_dir: &'a Path,
    /// A lock file, `-` for stdin, or `None` for `pip freeze`.
    pub deps: Option<&'a Path>,
    pub progress: bool,
}

/// The code revision of a git work tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRevision {
    pub commit: String,
    pub dirty: bool,
    /// SHA-256 of `git diff --binary HEAD`, when dirty.
    pub diff_sha256: Option<Sha256>,
}

pub fn start(opts: &StartOptions<'_>) -> Result<StartedRun> {
    let started_on = now();
    let cwd = std::env::current_dir().context("the current directory")?;
    let hyperparameters = unique_pairs(opts.params, "--param")?;

    let mut resolved = Vec::new();
    let dataset_paths: Vec<PathBuf> = opts
        .datasets
        .iter()
        .map(|d| Ok(PathBuf::from(slash(&relative(&absolute(d, &cwd), &cwd))?)))
        .collect::<Result<_>>()?;
    for fp in hash::fingerprint(&dataset_paths, opts.progress)? {
        resolved.push(record::dataset_descriptor(&fp));
    }

    let code = code_revision(opts.code_dir)?;
    let mut annotations = Map::new();
    annotations.insert("kind".into(), record::KIND_CODE.into());
    annotations.insert(
        "path".into(),
        slash(&relative(&absolute(opts.code_dir, &cwd), &cwd))?.into(),
    );
    annotations.insert("dirty".into(), code.dirty.into());
    if let Some(d) = code.diff_sha256 {
        annotations.insert("diffSha256".into(), d.to_string().into());
    }
    resolved.push(ResourceDescriptor {
        name: Some("code".into()),
        uri: None,
        digest: [("gitCommit".to_string(), code.commit)].into(),
        annotations,
    });

    let (source, best_effort) = match dependencies(opts.deps, &cwd)? {
        Some(listing) => {
            resolved.push(ResourceDescriptor {
                name: Some(listing.source.clone()),
                uri: None,
                digest: [("sha256".to_string(), listing.sha256.to_string())].into(),
                annotations: [
                    ("kind".to_string(), Value::from(record::KIND_LISTING)),
                    ("packages".to_string(), Value::from(listing.packages.len())),
                ]
                .into_iter()
                .collect(),
            });
            resolved.extend(listing.packages.iter().map(package_descriptor));
            (listing.source, listing.best_effort)
        }
        None => {
            let why = "none (no --deps, and `python3 -m pip freeze` gave nothing)".to_string();
            eprintln!("warning: no dependencies recorded: pass --deps FILE (Cargo.lock, requirements.txt, ...)");
            (why, true)
        }
    };

    Ok(StartedRun {
        type_: STARTED_RUN_TYPE.into(),
        invocation_id: hex::encode(rand::random::<[u8; 16]>()),
        started_on,
        external_parameters: record::ExternalParameters { hyperparameters },
        internal_parameters: record::InternalParameters {
            run_name: opts.name.to_string(),
            started_in: cwd.to_str().context("the current directory is not UTF-8")?.to_string(),
            dependency_source: source,
            dependencies_best_effort: best_effort,
        },
        resolved_dependencies: resolved,
    })
}

pub fn load_started(path: &Path) -> Result<StartedRun> {
    let bytes = std::fs::read(path).with_context(|| path.display().to_string())?;
    let run: StartedRun = serde_json::from_slice(&bytes).with_context(|| {
        format!(
            "{}: not a started run (written by `fog lineage run start`)",
            path.display()
        )
    })?;
    if run.type_ != STARTED_RUN_TYPE {
        bail!(
            "{}: _type is {:?}, expected {STARTED_RUN_TYPE:?}",
            path.display(),
            run.type_
        );
    }
    Ok(run)
}

/// Finishes a run: the model's hash, metrics, the reproducibility hash.
pub fn complete(run: StartedRun, model: &Path, metrics: &[(String, String)], progress: bool) -> Result<Statement> {
    let finished_on = now();
    let cwd = std::env::current_dir().context("the current directory")?;
    let base = PathBuf::from(&run.internal_parameters.started_in);
    let model_abs = absolute(model, &cwd);
    let fp = hash::fingerprint(std::slice::from_ref(&model_abs), progress)?.remove(0);
    let model_name = slash(&relative(&model_abs, &base))?;

    let metrics: Map<String, Value> = unique_pairs(metrics, "--metric")?
        .into_iter()
        .map(|(k, v)| (k, metric_value(&v)))
        .collect();
    let mut record = Statement {
        type_: record::STATEMENT_TYPE.into(),
        subject: vec![ResourceDescriptor {
            name: Some(model_name),
            digest: [("sha256".to_string(), fp.sha256.to_string())].into(),
            ..Default::default()
        }],
        predicate_type: record::PREDICATE_TYPE.into(),
        predicate: record::Provenance {
            build_definition: record::BuildDefinition {
                build_type: record::BUILD_TYPE.into(),
                external_parameters: run.external_parameters,
                internal_parameters: run.internal_parameters,
                resolved_dependencies: run.resolved_dependencies,
            },
            run_details: record::RunDetails {
                builder: record::Builder {
                    id: record::builder_id(),
                },
                metadata: record::Metadata {
                    invocation_id: run.invocation_id,
                    started_on: run.started_on,
                    finished_on,
                },
                byproducts: Vec::new(),
            },
        },
    };
    let reproducibility = record::reproducibility_hash(&record);
    record.predicate.run_details.byproducts = vec![
        ResourceDescriptor {
            name: Some(record::METRICS.into()),
            digest: [("sha256".to_string(), record::metrics_digest(&metrics).to_string())].into(),
            annotations: [("values".to_string(), Value::Object(metrics))].into_iter().collect(),
            ..Default::default()
        },
        ResourceDescriptor {
            name: Some(record::REPRODUCIBILITY_HASH.into()),
            digest: [("sha256".to_string(), reproducibility.to_string())].into(),
            ..Default::default()
        },
    ];
    Ok(record)
}

/// Writes `bytes` to `path` through a temporary file, so a crash leaves
/// either the old file or the new one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).with_context(|| tmp.display().to_string())?;
    std::fs::rename(&tmp, path).with_context(|| path.display().to_string())
}

/// `KEY=VALUE` for clap.
pub fn parse_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("{s:?} is not KEY=VALUE")),
    }
}

fn unique_pairs(pairs: &[(String, String)], flag: &str) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for (k, v) in pairs {
        if out.insert(k.clone(), v.clone()).is_some() {
            bail!("{flag} {k} is given twice");
        }
    }
    Ok(out)
}

/// A metric is a number when it reads as a finite one, else text.
fn metric_value(v: &str) -> Value {
    match v.trim().parse::<f64>() {
        Ok(f) if f.is_finite() && v.trim().bytes().all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b)) => {
            serde_json::Number::from_f64(f).map_or_else(|| Value::from(v), Value::Number)
        }
        _ => Value::from(v),
    }
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The uncommitted changes, as bytes that depend on the tree alone: every
/// setting of the user's git config that changes `git diff`'s output
/// (prefixes, external diff drivers, textconv, color, rename detection,
/// the algorithm, context, path quoting, `diff.relative` under `-C`) is
/// fixed here, so one dirty tree gives one digest on every machine.
const DIFF: [&str; 18] = [
    "-c",
    "core.quotePath=true",
    "diff",
    "--binary",
    "--no-ext-diff",
    "--no-textconv",
    "--no-color",
    "--no-relative",
    "--no-renames",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "--diff-algorithm=myers",
    "--indent-heuristic",
    "--unified=3",
    "--inter-hunk-context=0",
    "--submodule=short",
    "--ignore-submodules=none",
    "HEAD",
];

/// `git rev-parse HEAD`, whether the work tree is dirty, and a digest of
/// the uncommitted changes.
pub fn code_revision(dir: &Path) -> Result<CodeRevision> {
    let git = |args: &[&str]| -> Result<Vec<u8>> {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .context("running git (is it installed?)")?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            bail!(
                "{} is not a git work tree with a commit (git {}: {}); pass --code-dir DIR",
                dir.display(),
                args.join(" "),
                err.lines().next().unwrap_or("failed").trim()
            );
        }
        Ok(out.stdout)
    };
    let commit = String::from_utf8_lossy(&git(&["rev-parse", "HEAD"])?)
        .trim()
        .to_string();
    let dirty = !git(&["status", "--porcelain"])?.is_empty();
    let diff_sha256 = if dirty { Some(sha256(&git(&DIFF)?)) } else { None };
    Ok(CodeRevision {
        commit,
        dirty,
        diff_sha256,
    })
}

struct Listing {
    source: String,
    sha256: Sha256,
    packages: Vec<Package>,
    best_effort: bool,
}

/// The dependency listing: a file, stdin (`-`), or `pip freeze`.
fn dependencies(deps: Option<&Path>, cwd: &Path) -> Result<Option<Listing>> {
    let (source, format, bytes, best_effort) = match deps {
        Some(p) if p == Path::new("-") => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .context("reading the dependency listing from stdin")?;
            ("stdin".to_string(), "requirements.txt".to_string(), bytes, false)
        }
        Some(p) => {
            let bytes = std::fs::read(p).with_context(|| p.display().to_string())?;
            let shown = p.to_str().context("the --deps path is not UTF-8")?.to_string();
            // Recorded like a dataset (relative to the start directory,
            // normalized), so `fog lineage verify` can hash it again.
            let recorded = slash(&relative(&absolute(p, cwd), cwd))?;
            (recorded, shown, bytes, false)
        }
        None => match pip_freeze() {
            Some(bytes) => ("pip freeze".into(), "requirements.txt".into(), bytes, true),
            None => return Ok(None),
        },
    };
    let text = String::from_utf8(bytes.clone()).with_context(|| format!("{source}: not UTF-8 text"))?;
    let packages = deps::parse(&format, &text).with_context(|| source.clone())?;
    Ok(Some(Listing {
        source,
        sha256: sha256(&bytes),
        packages,
        best_effort,
    }))
}

/// `python3 -m pip freeze`, if there is such a thing here.
fn pip_freeze() -> Option<Vec<u8>> {
    let out = Command::new("python3")
        .args(["-m", "pip", "freeze", "--disable-pip-version-check"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status.success().then_some(out.stdout)
}

fn package_descriptor(p: &Package) -> ResourceDescriptor {
    ResourceDescriptor {
        name: Some(p.name.clone()),
        uri: Some(p.purl()),
        digest: p.digest.clone(),
        annotations: [("kind".to_string(), Value::from(record::KIND_PACKAGE))]
            .into_iter()
            .collect(),
    }
}

/// `path` made absolute against `cwd` and normalized lexically (symbolic
/// links are not resolved, so a linked dataset keeps the name it was given).
pub fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in cwd.join(path).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `path` relative to `base`, both absolute and normalized; `.` for `base`.
pub fn relative(path: &Path, base: &Path) -> PathBuf {
    let p: Vec<Component> = path.components().collect();
    let b: Vec<Component> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c);
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// A relative path as recorded: components joined by `/`.
pub fn slash(path: &Path) -> Result<String> {
    let parts: Vec<&str> = path
        .components()
        .map(|c| c.as_os_str().to_str())
        .collect::<Option<_>>()
        .with_context(|| format!("{}: the path is not UTF-8", path.display()))?;
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_recorded_relative_to_the_start_directory() {
        let base = Path::new("/w/proj");
        let rel = |p: &str| slash(&relative(&absolute(Path::new(p), base), base)).unwrap();
        assert_eq!(rel("data/train.csv"), "data/train.csv");
        assert_eq!(rel("./data/../data/x"), "data/x");
        assert_eq!(rel("/w/proj/model.bin"), "model.bin");
        assert_eq!(rel("/w/other/d"), "../other/d");
        assert_eq!(rel("."), ".");
    }

    #[test]
    fn the_diff_digest_depends_on_the_tree_not_the_users_git_config() {
        let repo = tempfile::tempdir().unwrap();
        let dir = repo.path();
        let git = |args: &[&str]| {
            let ok = Command::new("git")
                .current_dir(dir)
                .args([
                    "-c",
                    "user.name=fog",
                    "-c",
                    "user.email=fog@example.org",
                    "-c",
                    "commit.gpgsign=false",
                ])
                .args(args)
                .status()
                .unwrap()
                .success();
            assert!(ok, "git {args:?}");
        };
        git(&["init", "-q"]);
        std::fs::create_dir(dir.join("src")).unwrap();
        std::fs::write(dir.join("train.py"), "lr = 0.1\nepochs = 3\n").unwrap();
        std::fs::write(dir.join("src/model.py"), "layers = 2\n").unwrap();
        std::fs::write(dir.join("ü.txt"), "a\n").unwrap();
        git(&["add", "-A"]);
        git(&["commit", "-q", "-m", "first"]);
        std::fs::write(dir.join("train.py"), "lr = 0.2\nepochs = 3\n").unwrap();
        std::fs::write(dir.join("ü.txt"), "b\n").unwrap();
        std::fs::rename(dir.join("src/model.py"), dir.join("src/net.py")).unwrap();
        git(&["add", "-A"]);
        let plain = code_revision(dir).unwrap();
        assert!(plain.dirty);
        for (key, value) in [
            ("diff.noprefix", "true"),
            ("diff.mnemonicPrefix", "true"),
            ("color.diff", "always"),
            ("color.ui", "always"),
            ("diff.renames", "copies"),
            ("diff.algorithm", "histogram"),
            ("diff.context", "7"),
            ("core.quotePath", "false"),
            ("diff.relative", "true"),
        ] {
            git(&["config", key, value]);
        }
        assert_eq!(code_revision(dir).unwrap().diff_sha256, plain.diff_sha256);
        // From a subdirectory, with diff.relative set: still the whole tree.
        assert_eq!(code_revision(&dir.join("src")).unwrap().diff_sha256, plain.diff_sha256);
    }

    #[test]
    fn pairs_and_metrics() {
        assert_eq!(parse_pair("lr=0.1").unwrap(), ("lr".into(), "0.1".into()));
        assert_eq!(parse_pair("opt=a=b").unwrap(), ("opt".into(), "a=b".into()));
        assert!(parse_pair("novalue").is_err());
        assert!(parse_pair("=1").is_err());
        assert!(unique_pairs(&[("a".into(), "1".into()), ("a".into(), "2".into())], "--param").is_err());
        assert_eq!(metric_value("0.93"), serde_json::json!(0.93));
        assert_eq!(metric_value("12"), serde_json::json!(12.0));
        assert_eq!(metric_value("inf"), serde_json::json!("inf"));
        assert_eq!(metric_value("good"), serde_json::json!("good"));
    }
}
