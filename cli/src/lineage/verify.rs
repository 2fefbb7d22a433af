//! `fog lineage verify`: recompute a record's hashes from the files and
//! from the record itself, and say what differs.
//!
//! Recorded paths are relative to where the run started; they are resolved
//! against `root` (the command's `--root`, by default the current
//! directory, as `sha256sum -c` does).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::hash::{self, Entry, Fingerprint};
use super::record::{self, RecordedDataset, Statement};

/// One thing checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// `model`, `dataset`, `reproducibility hash`, `metrics`.
    pub what: String,
    /// The recorded path, or the byproduct's name.
    pub name: String,
    pub ok: bool,
    /// What differs, when it does: one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub difference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub ok: bool,
    /// `record_hash` of the record verified (hex).
    pub record_hash: String,
    pub checks: Vec<Check>,
}

impl Report {
    /// One line per difference: `name: what differs`.
    pub fn difference_lines(&self) -> Vec<String> {
        self.checks
            .iter()
            .filter_map(|c| c.difference.as_ref().map(|d| format!("{}: {d}", c.name)))
            .collect()
    }
}

pub fn verify(record: &Statement, root: &Path, progress: bool) -> Report {
    // `record::load` refuses a record without exactly one named subject.
    let model = record.subject.first().cloned().unwrap_or_default();
    let model_name = model.name.clone().unwrap_or_default();
    let datasets: Vec<RecordedDataset> = record::datasets(record).map(record::read_dataset).collect();

    let mut paths = vec![root.join(&model_name)];
    paths.extend(datasets.iter().map(|d| root.join(&d.path)));
    let fingerprints = fingerprint_each(&paths, progress);

    let mut checks = Vec::new();
    let model_now = &fingerprints[0];
    checks.push(check(
        "model",
        &model_name,
        match model_now {
            Err(e) => Some(e.clone()),
            Ok(fp) => digest_difference(model.sha256(), fp),
        },
    ));
    for (d, now) in datasets.iter().zip(&fingerprints[1..]) {
        let difference = match now {
            Err(e) => Some(e.clone()),
            Ok(fp) => dataset_difference(d, fp),
        };
        checks.push(check("dataset", &d.path, difference));
    }

    let recomputed = record::reproducibility_hash(record);
    checks.push(check(
        "reproducibility hash",
        record::REPRODUCIBILITY_HASH,
        match record::recorded_reproducibility_hash(record) {
            None => Some("missing from the record".into()),
            Some(h) if h != recomputed => Some(format!(
                "recorded {h}, the record's inputs give {recomputed} (hyperparameters, datasets, code or \
                 dependencies were edited)"
            )),
            Some(_) => None,
        },
    ));
    if let Some((values, digest)) = record::recorded_metrics(record) {
        let recomputed = record::metrics_digest(&values);
        let difference = match digest {
            Some(d) if d == recomputed => None,
            Some(d) => Some(format!("recorded digest {d}, the recorded values give {recomputed}")),
            None => Some("no digest recorded".into()),
        };
        checks.push(check("metrics", record::METRICS, difference));
    }

    Report {
        ok: checks.iter().all(|c| c.ok),
        record_hash: hex::encode(record::record_hash(record)),
        checks,
    }
}

fn check(what: &str, name: &str, difference: Option<String>) -> Check {
    Check {
        what: what.into(),
        name: name.into(),
        ok: difference.is_none(),
        difference,
    }
}

/// Fingerprints all paths in one parallel pass; when that fails, each on
/// its own, so one unreadable path is reported as such and the rest still
/// checked.
fn fingerprint_each(paths: &[PathBuf], progress: bool) -> Vec<Result<Fingerprint, String>> {
    if let Ok(all) = hash::fingerprint(paths, progress) {
        return all.into_iter().map(Ok).collect();
    }
    paths
        .iter()
        .map(|p| {
            if !p.exists() {
                return Err(format!("missing ({} does not exist)", p.display()));
            }
            hash::fingerprint(std::slice::from_ref(p), false)
                .map(|mut v| v.remove(0))
                .map_err(|e| format!("cannot be hashed: {}", format!("{e:#}").replace('\n', " ")))
        })
        .collect()
}

fn digest_difference(recorded: Option<hash::Sha256>, now: &Fingerprint) -> Option<String> {
    match recorded {
        Some(h) if h == now.sha256 => None,
        Some(h) => Some(format!("sha256 differs (recorded {h}, now {})", now.sha256)),
        None => Some("no sha256 recorded".into()),
    }
}

fn dataset_difference(d: &RecordedDataset, now: &Fingerprint) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(kind) = d.kind {
        if kind != now.kind {
            parts.push(format!("was a {kind}, now a {}", now.kind));
        }
    }
    if let Some(diff) = digest_difference(d.sha256, now) {
        parts.push(diff);
    }
    if let (Some(entries), true) = (&d.entries, now.kind == hash::Kind::Directory) {
        if let Some(files) = entries_difference(entries, &now.entries) {
            parts.push(files);
        }
    } else if let (Some(recorded), Some(now_files)) = (d.files, now.files) {
        if recorded != now_files {
            parts.push(format!("files {recorded} → {now_files}"));
        }
    }
    if let Some(bytes) = d.bytes {
        if bytes != now.bytes {
            parts.push(format!("bytes {bytes} → {}", now.bytes));
        }
    }
    match (&d.csv, &now.csv) {
        (Some(a), Some(b)) if a != b => {
            let mut what = Vec::new();
            if a.rows != b.rows {
                what.push(format!("rows {} → {}", a.rows, b.rows));
            }
            if a.columns != b.columns {
                what.push(format!("columns {} → {}", a.columns, b.columns));
            }
            for (x, y) in a.column_types.iter().zip(&b.column_types) {
                if x != y {
                    what.push(format!(
                        "column {} {} → {} {}",
                        x.name,
                        x.ty.as_str(),
                        y.name,
                        y.ty.as_str()
                    ));
                }
            }
            parts.push(format!("CSV statistics differ ({})", what.join(", ")));
        }
        (Some(_), None) => parts.push("CSV statistics recorded, none now".into()),
        _ => {}
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// Which files of a directory changed, appeared or disappeared.
fn entries_difference(recorded: &[Entry], now: &[Entry]) -> Option<String> {
    const SHOWN: usize = 10;
    let before: BTreeMap<&str, &Entry> = recorded.iter().map(|e| (e.path.as_str(), e)).collect();
    let after: BTreeMap<&str, &Entry> = now.iter().map(|e| (e.path.as_str(), e)).collect();
    let changed: Vec<&str> = before
        .iter()
        .filter(|(p, e)| after.get(*p).is_some_and(|n| n.sha256 != e.sha256))
        .map(|(p, _)| *p)
        .collect();
    let removed: Vec<&str> = before.keys().filter(|p| !after.contains_key(*p)).copied().collect();
    let added: Vec<&str> = after.keys().filter(|p| !before.contains_key(*p)).copied().collect();
    let list = |label: &str, names: &[&str]| {
        (!names.is_empty()).then(|| {
            let mut s = format!("{label} {}", names[..names.len().min(SHOWN)].join(", "));
            if names.len() > SHOWN {
                s.push_str(&format!(" and {} more", names.len() - SHOWN));
            }
            s
        })
    };
    let parts: Vec<String> = [
        list("changed", &changed),
        list("added", &added),
        list("removed", &removed),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lineage::hash::sha256;

    fn entry(p: &str, c: &[u8]) -> Entry {
        Entry {
            path: p.into(),
            sha256: sha256(c),
            bytes: c.len() as u64,
        }
    }

    #[test]
    fn names_changed_added_and_removed_files() {
        let before = [entry("a", b"1"), entry("b", b"2"), entry("c", b"3")];
        let after = [entry("a", b"1"), entry("b", b"X"), entry("d", b"4")];
        assert_eq!(
            entries_difference(&before, &after).unwrap(),
            "changed b; added d; removed c"
        );
        assert_eq!(entries_difference(&before, &before), None);
    }
}
