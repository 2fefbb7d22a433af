//! The lineage record: an in-toto Statement v1 whose predicate is SLSA
//! provenance v1, so supply-chain tools (cosign, slsa-verifier, GUAC) can
//! read it.
//!
//! ```text
//! _type          https://in-toto.io/Statement/v1
//! subject        [{name: model path, digest: {sha256}}]
//! predicateType  https://slsa.dev/provenance/v1
//! predicate
//!   buildDefinition
//!     buildType            https://fog.dev/lineage/training-run/v1
//!     externalParameters   {hyperparameters: {k: v}}        (values as typed)
//!     internalParameters   {runName, startedIn, dependencySource, dependenciesBestEffort}
//!     resolvedDependencies [datasets, code, dependency listing, packages],
//!                          each with annotations.kind = dataset | code |
//!                          dependency-listing | package
//!   runDetails
//!     builder   {id: https://fog.dev/lineage/fog-cli@v<version>}
//!     metadata  {invocationId, startedOn, finishedOn}
//!     byproducts [{name: metrics, digest, annotations.values},
//!                 {name: reproducibility-hash, digest}]
//! ```
//!
//! # Record hash
//!
//! A record is stored as its RFC 8785 (JCS) canonical JSON, no trailing
//! newline, and `record_hash = SHA-256(canonical bytes)`: the hash the
//! release gate approves, and also the `sha256sum` of the file fog writes.
//! A record edited by hand or pretty-printed keeps its hash, since the hash
//! is over the canonical form; [`load`] refuses a record it could not write
//! back byte-identically (unknown fields), because its hash would then not
//! be the hash of what was approved.
//!
//! # Reproducibility hash
//!
//! SHA-256 of the canonical JSON of what determines the trained model, and
//! nothing else:
//!
//! ```text
//! {"buildType": "https://fog.dev/lineage/training-run/v1",
//!  "code": {"diffSha256": hex or null, "dirty": bool, "gitCommit": hex} or null,
//!  "datasets": [{"path": recorded path, "sha256": hex}, ...]     sorted by path,
//!  "dependencies": ["pkg:cargo/serde@1.0.219", ...]             purls, sorted, unique,
//!  "hyperparameters": {"k": "v", ...}}
//! ```
//!
//! Times, the invocation id, the run's name, metrics, the model's hash and
//! where the run happened are left out: two runs of the same code on the
//! same data with the same settings and software get the same hash, so a
//! retraining can be compared with the original. `diffSha256` is the
//! SHA-256 of `git diff --binary HEAD` when the work tree was dirty
//! (untracked files are not covered: commit them). Dataset paths are in it
//! because the training code reads the data by path (train vs test).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context as _, Result};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::hash::{sha256, Entry, Fingerprint, Kind, Sha256};

pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
pub const PREDICATE_TYPE: &str = "https://slsa.dev/provenance/v1";
pub const BUILD_TYPE: &str = "https://fog.dev/lineage/training-run/v1";
/// Directories with more files than this are recorded by their root only;
/// below it the record lists every file, so `verify` can name what changed.
pub const MAX_LISTED_ENTRIES: usize = 10_000;

pub const KIND_DATASET: &str = "dataset";
pub const KIND_CODE: &str = "code";
pub const KIND_LISTING: &str = "dependency-listing";
pub const KIND_PACKAGE: &str = "package";
pub const METRICS: &str = "metrics";
pub const REPRODUCIBILITY_HASH: &str = "reproducibility-hash";

/// An in-toto Statement v1 with a SLSA provenance v1 predicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    #[serde(rename = "_type")]
    pub type_: String,
    /// The model file.
    pub subject: Vec<ResourceDescriptor>,
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    pub predicate: Provenance,
}

/// in-toto ResourceDescriptor (the fields fog uses).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceDescriptor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Algorithm (`sha256`, `gitCommit`, ...) → hex.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub digest: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub annotations: Map<String, Value>,
}

impl ResourceDescriptor {
    pub fn kind(&self) -> Option<&str> {
        self.annotations.get("kind").and_then(Value::as_str)
    }

    pub fn sha256(&self) -> Option<Sha256> {
        self.digest.get("sha256").and_then(|d| d.parse().ok())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Provenance {
    pub build_definition: BuildDefinition,
    pub run_details: RunDetails,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BuildDefinition {
    pub build_type: String,
    pub external_parameters: ExternalParameters,
    pub internal_parameters: InternalParameters,
    pub resolved_dependencies: Vec<ResourceDescriptor>,
}

/// What the person starting the run chose.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExternalParameters {
    /// `--param k=v`, values kept as typed (so `1e-3` and `0.001` differ).
    pub hyperparameters: BTreeMap<String, String>,
}

/// How fog recorded the run; not part of the reproducibility hash.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InternalParameters {
    pub run_name: String,
    /// Absolute directory the run was started in; recorded paths are
    /// relative to it.
    pub started_in: String,
    /// Where the dependencies came from: a file, `stdin`, `pip freeze`, or
    /// `none` with the reason.
    pub dependency_source: String,
    /// True when the dependencies are whatever `pip freeze` found, not a
    /// listing the user gave.
    pub dependencies_best_effort: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunDetails {
    pub builder: Builder,
    pub metadata: Metadata,
    pub byproducts: Vec<ResourceDescriptor>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Builder {
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Metadata {
    pub invocation_id: String,
    /// RFC 3339, UTC.
    pub started_on: String,
    pub finished_on: String,
}

pub fn builder_id() -> String {
    format!("https://fog.dev/lineage/fog-cli@v{}", env!("CARGO_PKG_VERSION"))
}

/// The record as RFC 8785 canonical JSON: what fog writes and hashes.
pub fn canonical_bytes(record: &Statement) -> Vec<u8> {
    // Only strings, integers, booleans and finite floats: cannot fail.
    serde_json_canonicalizer::to_vec(record).expect("a statement serializes")
}

/// `SHA-256(canonical JSON)`: what the release gate approves.
pub fn record_hash(record: &Statement) -> [u8; 32] {
    sha256(&canonical_bytes(record)).0
}

/// Reads a record, checking it is a fog lineage record that writes back
/// byte-identically (see the module).
pub fn load(path: impl AsRef<Path>) -> Result<Statement> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).with_context(|| path.display().to_string())?;
    parse(&bytes).with_context(|| format!("{}: not a fog lineage record", path.display()))
}

/// [`load`] from bytes.
pub fn parse(bytes: &[u8]) -> Result<Statement> {
    let value: Value = serde_json::from_slice(bytes).context("not JSON")?;
    let record: Statement = serde_json::from_value(value.clone())?;
    if record.type_ != STATEMENT_TYPE {
        bail!("_type is {:?}, expected {STATEMENT_TYPE:?}", record.type_);
    }
    if record.predicate_type != PREDICATE_TYPE {
        bail!(
            "predicateType is {:?}, expected {PREDICATE_TYPE:?}",
            record.predicate_type
        );
    }
    let build_type = &record.predicate.build_definition.build_type;
    if build_type != BUILD_TYPE {
        bail!("buildType is {build_type:?}, expected {BUILD_TYPE:?}");
    }
    if record.subject.len() != 1 || record.subject[0].sha256().is_none() || record.subject[0].name.is_none() {
        bail!("subject must be one model file with a name and a sha256 digest");
    }
    let canonical = serde_json_canonicalizer::to_vec(&value)?;
    if canonical != canonical_bytes(&record) {
        bail!("it does not write back byte-identically (null fields or numbers fog does not write)");
    }
    Ok(record)
}

/// The model file's SHA-256 (the statement's subject).
pub fn model_sha256(record: &Statement) -> Option<[u8; 32]> {
    record.subject.first()?.sha256().map(|h| h.0)
}

/// The datasets' SHA-256s (a directory's is its Merkle root), in record order.
pub fn dataset_sha256s(record: &Statement) -> Vec<[u8; 32]> {
    datasets(record).filter_map(|d| d.sha256()).map(|h| h.0).collect()
}

/// The dataset descriptors of a record.
pub fn datasets(record: &Statement) -> impl Iterator<Item = &ResourceDescriptor> {
    dependencies_of_kind(record, KIND_DATASET)
}

/// The dependency listings of a record (a lock file, `stdin`, `pip freeze`).
pub fn listings(record: &Statement) -> impl Iterator<Item = &ResourceDescriptor> {
    dependencies_of_kind(record, KIND_LISTING)
}

fn dependencies_of_kind<'a>(record: &'a Statement, kind: &'a str) -> impl Iterator<Item = &'a ResourceDescriptor> {
    record
        .predicate
        .build_definition
        .resolved_dependencies
        .iter()
        .filter(move |d| d.kind() == Some(kind))
}

fn byproduct<'a>(record: &'a Statement, name: &str) -> Option<&'a ResourceDescriptor> {
    record
        .predicate
        .run_details
        .byproducts
        .iter()
        .find(|b| b.name.as_deref() == Some(name))
}

/// The reproducibility hash the record carries.
pub fn recorded_reproducibility_hash(record: &Statement) -> Option<Sha256> {
    byproduct(record, REPRODUCIBILITY_HASH)?.sha256()
}

/// The metrics the record carries, and their recorded digest.
pub fn recorded_metrics(record: &Statement) -> Option<(Map<String, Value>, Option<Sha256>)> {
    let b = byproduct(record, METRICS)?;
    let values = b.annotations.get("values")?.as_object()?.clone();
    Some((values, b.sha256()))
}

/// What the reproducibility hash covers (see the module), from a record.
pub fn reproducibility_input(record: &Statement) -> Value {
    let mut datasets: Vec<(String, String)> = datasets(record)
        .map(|d| {
            (
                d.name.clone().unwrap_or_default(),
                d.digest.get("sha256").cloned().unwrap_or_default(),
            )
        })
        .collect();
    datasets.sort();
    let code = dependencies_of_kind(record, KIND_CODE).next().map(|c| {
        json!({
            "gitCommit": c.digest.get("gitCommit"),
            "dirty": c.annotations.get("dirty").and_then(Value::as_bool).unwrap_or(false),
            "diffSha256": c.annotations.get("diffSha256"),
        })
    });
    let mut packages: Vec<&str> = dependencies_of_kind(record, KIND_PACKAGE)
        .filter_map(|p| p.uri.as_deref())
        .collect();
    packages.sort_unstable();
    packages.dedup();
    json!({
        "buildType": BUILD_TYPE,
        "hyperparameters": record.predicate.build_definition.external_parameters.hyperparameters,
        "datasets": datasets.into_iter().map(|(path, sha256)| json!({"path": path, "sha256": sha256})).collect::<Vec<_>>(),
        "code": code,
        "dependencies": packages,
    })
}

/// SHA-256 of the canonical JSON of [`reproducibility_input`].
pub fn reproducibility_hash(record: &Statement) -> Sha256 {
    let bytes = serde_json_canonicalizer::to_vec(&reproducibility_input(record)).expect("JSON serializes");
    sha256(&bytes)
}

/// The digest of a set of metrics: SHA-256 of their canonical JSON.
pub fn metrics_digest(metrics: &Map<String, Value>) -> Sha256 {
    sha256(&serde_json_canonicalizer::to_vec(metrics).expect("JSON serializes"))
}

/// A dataset as a resolved dependency: its digest, size, CSV statistics,
/// and (for directories up to [`MAX_LISTED_ENTRIES`] files) every file.
pub fn dataset_descriptor(fp: &Fingerprint) -> ResourceDescriptor {
    let mut annotations = Map::new();
    annotations.insert("kind".into(), KIND_DATASET.into());
    annotations.insert("type".into(), fp.kind.to_string().into());
    annotations.insert("bytes".into(), fp.bytes.into());
    if let Some(files) = fp.files {
        annotations.insert("files".into(), files.into());
    }
    if let Some(csv) = &fp.csv {
        annotations.insert(
            "csv".into(),
            serde_json::to_value(csv).expect("CSV statistics serialize"),
        );
    }
    if fp.kind == Kind::Directory && fp.entries.len() <= MAX_LISTED_ENTRIES {
        annotations.insert(
            "entries".into(),
            serde_json::to_value(&fp.entries).expect("entries serialize"),
        );
    }
    ResourceDescriptor {
        name: Some(fp.path.clone()),
        uri: None,
        digest: [("sha256".to_string(), fp.sha256.to_string())].into(),
        annotations,
    }
}

/// What a dataset descriptor says, read back.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedDataset {
    pub path: String,
    pub sha256: Option<Sha256>,
    pub kind: Option<Kind>,
    pub bytes: Option<u64>,
    pub files: Option<u64>,
    pub csv: Option<super::csv::CsvStats>,
    /// `None` when the directory was too large to list.
    pub entries: Option<Vec<Entry>>,
}

pub fn read_dataset(d: &ResourceDescriptor) -> RecordedDataset {
    let get = |k: &str| d.annotations.get(k).cloned();
    RecordedDataset {
        path: d.name.clone().unwrap_or_default(),
        sha256: d.sha256(),
        kind: get("type").and_then(|v| serde_json::from_value(v).ok()),
        bytes: get("bytes").and_then(|v| v.as_u64()),
        files: get("files").and_then(|v| v.as_u64()),
        csv: get("csv").and_then(|v| serde_json::from_value(v).ok()),
        entries: get("entries").and_then(|v| serde_json::from_value(v).ok()),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small, complete record.
    pub(crate) fn sample() -> Statement {
        let mut record = Statement {
            type_: STATEMENT_TYPE.into(),
            subject: vec![ResourceDescriptor {
                name: Some("model.bin".into()),
                digest: [("sha256".to_string(), sha256(b"model").to_string())].into(),
                ..Default::default()
            }],
            predicate_type: PREDICATE_TYPE.into(),
            predicate: Provenance {
                build_definition: BuildDefinition {
                    build_type: BUILD_TYPE.into(),
                    external_parameters: ExternalParameters {
                        hyperparameters: [("lr".to_string(), "0.001".to_string())].into(),
                    },
                    internal_parameters: InternalParameters {
                        run_name: "r1".into(),
                        started_in: "/work".into(),
                        dependency_source: "Cargo.lock".into(),
                        dependencies_best_effort: false,
                    },
                    resolved_dependencies: vec![
                        ResourceDescriptor {
                            name: Some("data/train.csv".into()),
                            digest: [("sha256".to_string(), sha256(b"data").to_string())].into(),
                            annotations: json!({"kind": "dataset", "type": "file", "bytes": 4})
                                .as_object()
                                .unwrap()
                                .clone(),
                            ..Default::default()
                        },
                        ResourceDescriptor {
                            name: Some("code".into()),
                            digest: [("gitCommit".to_string(), "ab".repeat(20))].into(),
                            annotations: json!({"kind": "code", "dirty": false, "path": "."})
                                .as_object()
                                .unwrap()
                                .clone(),
                            ..Default::default()
                        },
                        ResourceDescriptor {
                            name: Some("serde".into()),
                            uri: Some("pkg:cargo/serde@1.0.219".into()),
                            annotations: json!({"kind": "package"}).as_object().unwrap().clone(),
                            ..Default::default()
                        },
                    ],
                },
                run_details: RunDetails {
                    builder: Builder { id: builder_id() },
                    metadata: Metadata {
                        invocation_id: "00".repeat(16),
                        started_on: "2025-01-01T00:00:00.000Z".into(),
                        finished_on: "2025-01-01T01:00:00.000Z".into(),
                    },
                    byproducts: vec![],
                },
            },
        };
        let metrics = json!({"accuracy": 0.93, "loss": 0.2}).as_object().unwrap().clone();
        record.predicate.run_details.byproducts = vec![
            ResourceDescriptor {
                name: Some(METRICS.into()),
                digest: [("sha256".to_string(), metrics_digest(&metrics).to_string())].into(),
                annotations: [("values".to_string(), Value::Object(metrics))].into_iter().collect(),
                ..Default::default()
            },
            ResourceDescriptor {
                name: Some(REPRODUCIBILITY_HASH.into()),
                digest: [("sha256".to_string(), reproducibility_hash(&record).to_string())].into(),
                ..Default::default()
            },
        ];
        record
    }

    #[test]
    fn canonical_json_round_trips_byte_identically() {
        let record = sample();
        let bytes = canonical_bytes(&record);
        let back = parse(&bytes).unwrap();
        assert_eq!(back, record);
        assert_eq!(canonical_bytes(&back), bytes);
        // Pretty-printing does not change the record or its hash.
        let pretty = serde_json::to_vec_pretty(&record).unwrap();
        assert_eq!(record_hash(&parse(&pretty).unwrap()), record_hash(&record));
        assert_eq!(record_hash(&record), sha256(&bytes).0);
    }

    #[test]
    fn is_an_in_toto_v1_statement_with_slsa_provenance() {
        let v: Value = serde_json::from_slice(&canonical_bytes(&sample())).unwrap();
        assert_eq!(v["_type"], STATEMENT_TYPE);
        assert_eq!(v["predicateType"], PREDICATE_TYPE);
        assert_eq!(v["subject"][0]["digest"]["sha256"].as_str().unwrap().len(), 64);
        let p = &v["predicate"];
        assert_eq!(p["buildDefinition"]["buildType"], BUILD_TYPE);
        assert!(p["buildDefinition"]["externalParameters"]["hyperparameters"].is_object());
        assert!(p["buildDefinition"]["internalParameters"].is_object());
        assert!(p["buildDefinition"]["resolvedDependencies"].is_array());
        assert!(p["runDetails"]["builder"]["id"]
            .as_str()
            .unwrap()
            .starts_with("https://"));
        for k in ["invocationId", "startedOn", "finishedOn"] {
            assert!(p["runDetails"]["metadata"][k].is_string(), "{k}");
        }
        // Every resource descriptor has a digest or a uri (in-toto's rule).
        for d in p["buildDefinition"]["resolvedDependencies"]
            .as_array()
            .unwrap()
            .iter()
            .chain(p["runDetails"]["byproducts"].as_array().unwrap())
        {
            assert!(d.get("digest").is_some() || d.get("uri").is_some(), "{d}");
        }
    }

    #[test]
    fn unknown_or_wrong_fields_are_refused() {
        let mut v: Value = serde_json::to_value(sample()).unwrap();
        v["extra"] = json!(1);
        assert!(parse(&serde_json::to_vec(&v).unwrap()).is_err());
        let mut v: Value = serde_json::to_value(sample()).unwrap();
        v["_type"] = json!("https://in-toto.io/Statement/v0.1");
        assert!(parse(&serde_json::to_vec(&v).unwrap()).is_err());
        let mut v: Value = serde_json::to_value(sample()).unwrap();
        v["subject"][0]["uri"] = Value::Null;
        assert!(parse(&serde_json::to_vec(&v).unwrap()).is_err());
    }

    #[test]
    fn reproducibility_hash_ignores_times_metrics_and_names() {
        let a = sample();
        let mut b = a.clone();
        b.predicate.run_details.metadata.started_on = "2030-01-01T00:00:00.000Z".into();
        b.predicate.run_details.metadata.finished_on = "2030-01-02T00:00:00.000Z".into();
        b.predicate.run_details.metadata.invocation_id = "ff".repeat(16);
        b.predicate.run_details.byproducts[0].annotations =
            json!({"values": {"accuracy": 0.5}}).as_object().unwrap().clone();
        b.predicate.build_definition.internal_parameters.run_name = "other".into();
        b.subject[0].digest = [("sha256".to_string(), sha256(b"other model").to_string())].into();
        assert_eq!(reproducibility_hash(&a), reproducibility_hash(&b));
        assert_ne!(record_hash(&a), record_hash(&b));

        let mut c = a.clone();
        c.predicate
            .build_definition
            .external_parameters
            .hyperparameters
            .insert("lr".into(), "0.01".into());
        assert_ne!(reproducibility_hash(&a), reproducibility_hash(&c));
        let mut d = a.clone();
        d.predicate.build_definition.resolved_dependencies[0].digest =
            [("sha256".to_string(), sha256(b"other data").to_string())].into();
        assert_ne!(reproducibility_hash(&a), reproducibility_hash(&d));
        let mut e = a.clone();
        e.predicate.build_definition.resolved_dependencies[2].uri = Some("pkg:cargo/serde@1.0.220".into());
        assert_ne!(reproducibility_hash(&a), reproducibility_hash(&e));
        let mut f = a.clone();
        f.predicate.build_definition.resolved_dependencies[1].digest =
            [("gitCommit".to_string(), "cd".repeat(20))].into();
        assert_ne!(reproducibility_hash(&a), reproducibility_hash(&f));
    }

    #[test]
    fn accessors() {
        let r = sample();
        assert_eq!(model_sha256(&r), Some(sha256(b"model").0));
        assert_eq!(dataset_sha256s(&r), vec![sha256(b"data").0]);
        assert_eq!(recorded_reproducibility_hash(&r), Some(reproducibility_hash(&r)));
        let (metrics, digest) = recorded_metrics(&r).unwrap();
        assert_eq!(digest, Some(metrics_digest(&metrics)));
    }
}
