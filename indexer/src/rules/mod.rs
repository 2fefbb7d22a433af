//! Compliance rules: rule files ([`spec`]) registered as versions, activated
//! by two admins, evaluated by the [`Engine`] inside every block batch's
//! transaction so each event is alerted exactly once (the unique key
//! (rule, version, event) makes a replayed batch a no-op).

pub mod condition;
pub mod detect;
pub mod registry;
pub mod spec;

use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{bail, Context, Result};
use sqlx::PgConnection;

use condition::Condition;
use detect::Hit;
pub use registry::{RuleError, RuleVersion};
use spec::{Detector, RuleSpec};

/// A rule ready to run: its condition compiled, its sanctions list read.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    pub spec: RuleSpec,
    condition: Option<Condition>,
    /// The sanctions list's addresses, sorted, without duplicates.
    listed: Vec<String>,
    /// The file its list was read from, resolved in the rules directory
    /// ([`CompiledRule::compile_in`]).
    list_path: Option<PathBuf>,
}

/// The largest sanctions list read (16 MiB); a larger file is refused, so
/// a list path naming a huge file cannot exhaust memory.
pub const MAX_LIST_BYTES: u64 = 16 << 20;

/// Why a rule's `detector.list` path was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("detector.list {path:?} {why}")]
pub struct ListPathError {
    pub path: String,
    pub why: String,
}

/// A rule's `detector.list`, resolved against the rules directory `dir`:
/// lists live in the rules directory (the shipped rule names
/// `lists/sanctioned.txt`), so the path must be relative and stay inside it
/// (no `..`, not absolute).
pub fn resolve_list(dir: &Path, list: &str) -> Result<PathBuf, ListPathError> {
    let refuse = |why: &str| ListPathError {
        path: list.to_string(),
        why: why.to_string(),
    };
    let path = Path::new(list);
    if list.trim().is_empty() {
        return Err(refuse(
            "is empty; name a file of the rules directory, e.g. lists/sanctioned.txt",
        ));
    }
    if path.is_absolute() || path.has_root() {
        return Err(refuse(
            "must be relative to the rules directory (e.g. lists/sanctioned.txt), not absolute",
        ));
    }
    if path
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(refuse("must stay inside the rules directory (no `..`)"));
    }
    Ok(dir.join(path))
}

/// The file the sanctions list of `spec` (if it has one) names, resolved
/// against the rules directory `dir`. The spec keeps the path as written
/// (relative), so a version's digest does not depend on where the
/// directory is (until stop 20 the absolute path was written into the
/// spec, and moving the directory refused every list rule as changed).
/// Symbolic links are followed: where they lead must be inside the
/// directory too (until stop 19 a link under `lists/` could name any file
/// the server can read).
pub fn resolve_spec_list(spec: &RuleSpec, dir: &Path) -> Result<Option<PathBuf>, ListPathError> {
    let Detector::SanctionedCounterparty { list: Some(list) } = &spec.detector else {
        return Ok(None);
    };
    let path = resolve_list(dir, list.as_str())?;
    match (std::fs::canonicalize(&path), std::fs::canonicalize(dir)) {
        (Ok(real), Ok(root)) if !real.starts_with(&root) => Err(ListPathError {
            path: list.clone(),
            why: format!(
                "leaves the rules directory through a symbolic link (to {})",
                real.display()
            ),
        }),
        (Ok(real), Ok(_)) => Ok(Some(real)),
        // Missing: reading it says so.
        _ => Ok(Some(path)),
    }
}

/// Addresses of a sanctions list file: one per line, `#` starts a comment.
/// Only a regular file of at most [`MAX_LIST_BYTES`] is read (not a
/// device, a FIFO or a directory).
pub fn read_list(path: &Path) -> Result<Vec<String>> {
    use std::io::Read;
    let reading = || format!("reading the sanctions list {}", path.display());
    let regular = |meta: std::fs::Metadata| {
        if !meta.is_file() {
            bail!("the sanctions list {} is not a regular file", path.display());
        }
        Ok(())
    };
    // Checked before opening (opening a FIFO would wait for a writer), and
    // again on what was opened, in case the path changed meanwhile.
    regular(std::fs::metadata(path).with_context(reading)?)?;
    let file = std::fs::File::open(path).with_context(reading)?;
    regular(file.metadata().with_context(reading)?)?;
    let mut bytes = Vec::new();
    file.take(MAX_LIST_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(reading)?;
    if bytes.len() as u64 > MAX_LIST_BYTES {
        bail!(
            "the sanctions list {} is larger than {} MiB",
            path.display(),
            MAX_LIST_BYTES >> 20
        );
    }
    let text =
        String::from_utf8(bytes).with_context(|| format!("the sanctions list {} is not UTF-8", path.display()))?;
    parse_list(&text).with_context(|| format!("the sanctions list {}", path.display()))
}

/// The addresses of a sanctions list's text, each checked as a bech32
/// account address and lower-cased, as the indexer stores addresses: an
/// entry that could never match (`INJ1…` upper-case, a `0x…` EVM address,
/// a CSV line, a byte-order mark) is refused with its line, not loaded,
/// counted and approved to match nothing.
pub fn parse_list(text: &str) -> Result<Vec<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut listed = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let entry = line.split('#').next().unwrap_or("").trim();
        if entry.is_empty() {
            continue;
        }
        let line = number + 1;
        if entry.starts_with("0x") || entry.starts_with("0X") {
            bail!(
                "line {line}: {entry:?} is an EVM address: write the same account in bech32 with the chain's prefix (the addresses the indexer records)"
            );
        }
        // bech32 is all lower- or all upper-case; the indexer stores lower.
        let lower = entry.to_ascii_lowercase();
        if (entry != lower && entry != entry.to_ascii_uppercase()) || lower.parse::<cosmrs::AccountId>().is_err() {
            bail!(
                "line {line}: {entry:?} is not a bech32 account address (one address per line, `#` starts a comment)"
            );
        }
        listed.push(lower);
    }
    Ok(listed)
}

/// SHA-256 (hex) of a sanctions list as a rule version stores it: its
/// addresses sorted and without duplicates, one per line, so a comment or
/// the order of the file changes nothing and an address does.
pub fn list_digest(listed: &[String]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for address in listed {
        hasher.update(address.as_bytes());
        hasher.update(b"\n");
    }
    hex::encode(hasher.finalize())
}

impl CompiledRule {
    /// Compiles `spec`, reading its sanctions list file at the path as
    /// written: a version loaded before lists were stored with it, whose
    /// spec holds the absolute path, or a spec built by a program.
    pub fn compile(spec: RuleSpec) -> Result<Self> {
        let listed = match &spec.detector {
            Detector::SanctionedCounterparty { list: Some(path) } => read_list(Path::new(path))?,
            _ => Vec::new(),
        };
        Self::with_list(spec, listed)
    }

    /// Compiles `spec` of the rules directory `dir` (a rule file being
    /// loaded, or a draft being test-run), reading its sanctions list from
    /// the directory ([`resolve_spec_list`]).
    pub fn compile_in(spec: RuleSpec, dir: &Path) -> Result<Self> {
        let list_path = resolve_spec_list(&spec, dir)?;
        let listed = match &list_path {
            Some(path) => read_list(path)?,
            None => Vec::new(),
        };
        let mut rule = Self::with_list(spec, listed)?;
        rule.list_path = list_path;
        Ok(rule)
    }

    /// SHA-256 of the spec as the code before stop 20 stored it, with the
    /// list's path resolved to an absolute one: a version registered then
    /// is the same version when the directory has not moved.
    pub fn digest_with_resolved_list(&self) -> Result<Option<String>> {
        let Some(path) = &self.list_path else {
            return Ok(None);
        };
        let mut spec = self.spec.clone();
        if let Detector::SanctionedCounterparty { list: Some(list) } = &mut spec.detector {
            *list = path.display().to_string();
        }
        spec.digest().map(Some)
    }

    /// Compiles `spec` with the sanctions list stored with its version: a
    /// version's list is the one its approvers saw, never the file as it is
    /// now.
    pub fn with_list(spec: RuleSpec, mut listed: Vec<String>) -> Result<Self> {
        spec.validate()?;
        let condition = spec.condition.as_deref().map(Condition::compile).transpose()?;
        listed.sort_unstable();
        listed.dedup();
        Ok(Self {
            spec,
            condition,
            listed,
            list_path: None,
        })
    }

    /// The sanctions list's addresses and their [`list_digest`], if the
    /// rule has a list.
    pub fn list(&self) -> Option<(&[String], String)> {
        match &self.spec.detector {
            Detector::SanctionedCounterparty { list: Some(_) } => Some((&self.listed, list_digest(&self.listed))),
            _ => None,
        }
    }

    /// The hits of heights `from..=to` that pass the condition.
    pub async fn evaluate(&self, conn: &mut PgConnection, from: i64, to: i64) -> Result<Vec<Hit>> {
        let hits = detect::run(conn, &self.spec.detector, &self.listed, from, to)
            .await
            .with_context(|| format!("rule {} v{}", self.spec.id, self.spec.version))?;
        let Some(condition) = &self.condition else {
            return Ok(hits);
        };
        let base = cel::Context::default();
        let mut kept = Vec::with_capacity(hits.len());
        for mut hit in hits {
            match condition.holds_in(&base, &hit.evidence) {
                Ok(true) => kept.push(hit),
                Ok(false) => {}
                // A condition that cannot be evaluated on an event (a missing
                // key, a type error) neither stops the indexer nor hides the
                // detector's hit: the alert is raised with the error in its
                // evidence, for a person to look at (and fix the rule).
                Err(e) => {
                    tracing::warn!(rule = %self.spec.id, version = self.spec.version, error = %e, "rule condition failed");
                    if let Some(evidence) = hit.evidence.as_object_mut() {
                        evidence.insert("condition_error".into(), e.to_string().into());
                    }
                    kept.push(hit);
                }
            }
        }
        Ok(kept)
    }
}

#[derive(Debug, Default)]
struct Loaded {
    generation: i64,
    rules: Arc<Vec<CompiledRule>>,
}

/// The active rules of the database, reloaded whenever an activation moves
/// `rules_generation` (checked once per batch, so a separate API process can
/// activate rules for the ingesting one).
#[derive(Debug, Clone, Default)]
pub struct Engine {
    loaded: Arc<Mutex<Loaded>>,
}

impl Engine {
    async fn active(&self, conn: &mut PgConnection) -> Result<Arc<Vec<CompiledRule>>> {
        let generation: i64 = sqlx::query_scalar("SELECT generation FROM rules_generation WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?;
        {
            let loaded = self.loaded.lock().expect("rules lock");
            if loaded.generation == generation {
                return Ok(loaded.rules.clone());
            }
        }
        let rules: Vec<CompiledRule> = registry::active_rules(conn).await?;
        tracing::info!(generation, rules = rules.len(), "loaded the active compliance rules");
        let rules = Arc::new(rules);
        let mut loaded = self.loaded.lock().expect("rules lock");
        *loaded = Loaded {
            generation,
            rules: rules.clone(),
        };
        Ok(rules)
    }

    /// Runs every active rule over heights `from..=to` and writes the alerts
    /// (inside the caller's transaction); returns how many are new, for the
    /// caller to count once the transaction committed (a batch retried
    /// after a failed commit would otherwise count its alerts twice).
    pub async fn evaluate(&self, conn: &mut PgConnection, from: i64, to: i64) -> Result<u64> {
        let rules = self.active(conn).await?;
        let mut new = 0;
        for rule in rules.iter() {
            let hits = rule.evaluate(conn, from, to).await?;
            // Counted here, for active rules only: a draft's test-run is
            // not the engine failing (it counted until stop 21).
            let failed = hits
                .iter()
                .filter(|h| h.evidence.get("condition_error").is_some())
                .count();
            if failed > 0 {
                metrics::counter!("fog_rule_condition_errors_total").increment(failed as u64);
            }
            new += write_alerts(conn, &rule.spec, &hits).await?;
        }
        Ok(new)
    }
}

/// Inserts the alerts of `hits`; an alert already raised for the same rule
/// version and event is skipped.
pub async fn write_alerts(conn: &mut PgConnection, spec: &RuleSpec, hits: &[Hit]) -> Result<u64> {
    if hits.is_empty() {
        return Ok(0);
    }
    let keys: Vec<&str> = hits.iter().map(|h| h.event_key.as_str()).collect();
    let heights: Vec<i64> = hits.iter().map(|h| h.height).collect();
    let txs: Vec<Option<String>> = hits.iter().map(|h| h.tx_hash.clone()).collect();
    let times: Vec<chrono::DateTime<chrono::Utc>> = hits.iter().map(|h| h.time).collect();
    let subjects: Vec<&str> = hits.iter().map(|h| h.subject.as_str()).collect();
    let evidence: Vec<serde_json::Value> = hits.iter().map(|h| h.evidence.clone()).collect();
    let done = sqlx::query(
        "INSERT INTO alerts (rule_id, rule_version, event_key, height, tx_hash, time, subject, severity, risk_score, tags, evidence) \
         SELECT $1, $2, k, h, x, t, s, $3, $4, $5, e \
         FROM unnest($6::text[], $7::bigint[], $8::text[], $9::timestamptz[], $10::text[], $11::jsonb[]) AS u(k, h, x, t, s, e) \
         ON CONFLICT (rule_id, rule_version, event_key) DO NOTHING",
    )
    .bind(&spec.id)
    .bind(spec.version)
    .bind(&spec.severity)
    .bind(spec.risk_score)
    .bind(&spec.tags)
    .bind(&keys)
    .bind(&heights)
    .bind(&txs)
    .bind(&times)
    .bind(&subjects)
    .bind(&evidence)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// What a draft rule would have flagged over stored history: evaluated in a
/// read-only transaction, nothing written.
pub async fn test_run(
    pool: &sqlx::PgPool,
    rule: CompiledRule,
    from: i64,
    to: i64,
    limit: usize,
) -> Result<(usize, Vec<Hit>)> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION READ ONLY").execute(&mut *tx).await?;
    let hits = rule.evaluate(&mut tx, from, to).await?;
    tx.rollback().await?;
    let total = hits.len();
    Ok((total, hits.into_iter().take(limit).collect()))
}
