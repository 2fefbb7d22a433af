//! `fog lineage verify`: recompute a record's hashes from the files and
//! from the record itself, and say what differs.
//!
//! Recorded paths are relative to where the run started; they are resolved
//! against `root` (the command's `--root`, by default the current
//! directory, as `sha256sum -c` does).
//!
//! A record is verified because it is not trusted, so its paths are checked
//! ([`check_path`]) before any file is opened: otherwise a record naming
//! `/etc/shadow` or `../../.ssh/id_ed25519` would have fog read that file and
//! print its digest. fog records normalized relative paths joined by `/`;
//! anything else (empty, absolute, on Windows a drive prefix or a backslash, a NUL,
//! an empty or `.` component other than `.` alone, or `..` after a name) is
//! refused, and that path's check fails without it being read. A path
//! starting with `..` (a dataset outside the run's start directory, which
//! fog does record) leaves `root`, so it is refused unless
//! `--allow-parent-paths` is given; so is a path that leaves `root` through
//! a symbolic link (since stop 18).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::hash::{self, Entry, Fingerprint};
use super::record::{self, RecordedDataset, Statement};

/// Listing sources `fog lineage run start` records that are not files.
const LISTINGS_WITHOUT_FILE: [&str; 2] = ["stdin", "pip freeze"];

/// One thing checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// `model`, `dataset`, `dependency listing`, `reproducibility hash`,
    /// `metrics`.
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

/// Verifies `record` against the files under `root`; recorded paths that
/// start with `..` are followed only when `allow_parent` (see the module).
pub fn verify(record: &Statement, root: &Path, allow_parent: bool, progress: bool) -> Report {
    // `record::load` refuses a record without exactly one named subject.
    let model = record.subject.first().cloned().unwrap_or_default();
    let model_name = model.name.clone().unwrap_or_default();
    let datasets: Vec<RecordedDataset> = record::datasets(record).map(record::read_dataset).collect();

    // A listing read from a file is checked like a dataset; one read from
    // stdin or `pip freeze` has no file to read again, and one recorded
    // before stop 21 (its path as typed: `./requirements.txt`, absolute)
    // is not a path fog writes, so it is not opened (its name is still
    // covered by the reproducibility hash).
    let listings: Vec<(&str, Option<hash::Sha256>)> = record::listings(record)
        .filter_map(|l| l.name.as_deref().map(|name| (name, l.sha256())))
        .filter(|(name, _)| !LISTINGS_WITHOUT_FILE.contains(name) && check_path(name, true).is_ok())
        .collect();
    let mut names = vec![model_name.as_str()];
    names.extend(datasets.iter().map(|d| d.path.as_str()));
    names.extend(listings.iter().map(|(name, _)| *name));
    let fingerprints = fingerprint_recorded(&names, root, allow_parent, progress);
    let (dataset_fingerprints, listing_fingerprints) = fingerprints[1..].split_at(datasets.len());

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
    for (d, now) in datasets.iter().zip(dataset_fingerprints) {
        let difference = match now {
            Err(e) => Some(e.clone()),
            Ok(fp) => dataset_difference(d, fp),
        };
        checks.push(check("dataset", &d.path, difference));
    }
    for ((name, recorded), now) in listings.iter().zip(listing_fingerprints) {
        let difference = match now {
            Err(e) => Some(e.clone()),
            Ok(fp) => digest_difference(*recorded, fp),
        };
        checks.push(check("dependency listing", name, difference));
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

/// Whether a recorded path may be resolved against `root`: the one-line
/// reason when not. fog records paths relative to the run's start directory,
/// normalized, joined by `/`; leading `..` components (a dataset outside
/// that directory) only when `allow_parent`.
pub fn check_path(path: &str, allow_parent: bool) -> Result<(), String> {
    if path.is_empty() {
        return Err("the recorded path is empty".into());
    }
    if path.contains('\0') {
        return Err("the recorded path contains a NUL byte".into());
    }
    if is_absolute(path) {
        return Err("the recorded path is absolute; fog records paths relative to the run's start directory".into());
    }
    // On Windows a backslash separates components (and could hide a `..`);
    // on Unix it is part of a name.
    if cfg!(windows) && path.contains('\\') {
        return Err("the recorded path contains a backslash; fog joins components with /".into());
    }
    // `.` alone is the start directory itself, which fog records as such.
    if path == "." {
        return Ok(());
    }
    let mut named = false;
    for component in path.split('/') {
        match component {
            "" | "." => {
                return Err("the recorded path has an empty or . component; fog records normalized paths".into());
            }
            ".." if named => {
                return Err("the recorded path has .. after a name; fog records normalized paths".into());
            }
            ".." if !allow_parent => {
                return Err(
                    "the recorded path starts with .., so it leaves --root; --allow-parent-paths allows it \
                            (with --root the directory the run started in)"
                        .into(),
                );
            }
            ".." => {}
            _ => named = true,
        }
    }
    Ok(())
}

/// Rooted: `/x`, and on Windows `\x` or a drive (`C:x`); on Unix `\x` and
/// `C:` are names like any other.
fn is_absolute(path: &str) -> bool {
    let windows_root =
        path.starts_with('\\') || matches!(path.as_bytes(), [letter, b':', ..] if letter.is_ascii_alphabetic());
    path.starts_with('/') || (cfg!(windows) && windows_root) || Path::new(path).has_root()
}

/// Fingerprints each recorded path under `root`, in order. A path
/// [`check_path`] refuses is not opened: its result is the refusal.
fn fingerprint_recorded(
    names: &[&str],
    root: &Path,
    allow_parent: bool,
    progress: bool,
) -> Vec<Result<Fingerprint, String>> {
    let real_root = root.canonicalize();
    let checked: Vec<Result<(), String>> = names
        .iter()
        .map(|n| {
            check_path(n, allow_parent).and_then(|()| match (allow_parent, &real_root) {
                (false, Ok(real_root)) => stays_under(real_root, &root.join(n)),
                _ => Ok(()),
            })
        })
        .collect();
    let paths: Vec<PathBuf> = names
        .iter()
        .zip(&checked)
        .filter(|(_, c)| c.is_ok())
        .map(|(n, _)| root.join(n))
        .collect();
    let mut fingerprints = fingerprint_each(&paths, progress).into_iter();
    checked
        .into_iter()
        .map(|c| match c {
            Ok(()) => fingerprints.next().expect("one fingerprint per accepted path"),
            Err(reason) => Err(format!("not verified: {reason}")),
        })
        .collect()
}

/// A path [`check_path`] accepts may still leave `root` through a symbolic
/// link (one committed in an untrusted checkout, say): followed, it must
/// stay under `real_root` (the root, canonical). A path that does not exist
/// passes here and is reported missing. With `--allow-parent-paths` the
/// user has accepted paths outside `root`, and this is not checked.
fn stays_under(real_root: &Path, path: &Path) -> Result<(), String> {
    match path.canonicalize() {
        Ok(real) if !real.starts_with(real_root) => {
            Err("the recorded path leads out of --root through a symbolic link".into())
        }
        _ => Ok(()),
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

    #[test]
    fn only_paths_fog_could_have_recorded_are_accepted() {
        for path in ["data/train.csv", "model.bin", "."] {
            assert_eq!(check_path(path, false), Ok(()), "{path}");
        }
        for path in ["../other/d", "../../d", ".."] {
            assert_eq!(check_path(path, true), Ok(()), "{path}");
        }
        let refused = ["/etc/passwd", "data/../x", "x/..", "./x", "a//b", "a/", "", "a\0b"];
        for path in refused {
            assert!(check_path(path, false).is_err(), "{path:?}");
            assert!(check_path(path, true).is_err(), "{path:?} with allow_parent");
        }
        // Separators and roots on Windows, names on Unix.
        for path in ["a\\b", "C:\\x", "\\x", "C:x"] {
            assert_eq!(check_path(path, false).is_err(), cfg!(windows), "{path:?}");
        }
        assert!(check_path("/etc/passwd", true).unwrap_err().contains("absolute"));
        let parent = check_path("../x", false).unwrap_err();
        assert!(
            parent.contains("leaves --root") && parent.contains("--allow-parent-paths"),
            "{parent}"
        );
    }

    /// The sample record with its dataset at `path` (and the reproducibility
    /// hash that goes with it).
    fn with_dataset_at(path: &str) -> Statement {
        let mut r = record::tests::sample();
        r.predicate.build_definition.resolved_dependencies[0].name = Some(path.into());
        let recomputed = record::reproducibility_hash(&r);
        let byproduct = r
            .predicate
            .run_details
            .byproducts
            .iter_mut()
            .find(|b| b.name.as_deref() == Some(record::REPRODUCIBILITY_HASH))
            .unwrap();
        byproduct.digest = [("sha256".to_string(), recomputed.to_string())].into();
        r
    }

    /// (name, difference) of each failed check.
    fn failures(report: &Report) -> Vec<(&str, &str)> {
        report
            .checks
            .iter()
            .filter(|c| !c.ok)
            .map(|c| (c.name.as_str(), c.difference.as_deref().unwrap_or_default()))
            .collect()
    }

    #[test]
    fn a_refused_path_fails_its_check_and_is_not_read() {
        let run = tempfile::tempdir().unwrap();
        let root = run.path().join("sub");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(root.join("model.bin"), b"model").unwrap();
        // Outside the root, and exactly what the record says the dataset is.
        let data = run.path().join("data.bin");
        std::fs::write(&data, b"data").unwrap();
        let absolute = data.to_str().unwrap();

        // Followed, it verifies: a refusal below is the only possible difference.
        let report = verify(&with_dataset_at("../data.bin"), &root, true, false);
        assert!(report.ok, "{:?}", report.difference_lines());
        assert_eq!(
            report.checks.iter().map(|c| c.what.as_str()).collect::<Vec<_>>(),
            ["model", "dataset", "reproducibility hash", "metrics"]
        );

        let report = verify(&with_dataset_at("../data.bin"), &root, false, false);
        assert!(!report.ok);
        let failed = failures(&report);
        assert_eq!(failed.len(), 1, "{failed:?}");
        assert_eq!(failed[0].0, "../data.bin");
        assert!(
            failed[0]
                .1
                .starts_with("not verified: the recorded path starts with .."),
            "{}",
            failed[0].1
        );

        for allow_parent in [false, true] {
            let report = verify(&with_dataset_at(absolute), &root, allow_parent, false);
            assert!(!report.ok);
            assert_eq!(
                failures(&report),
                [(
                    absolute,
                    "not verified: the recorded path is absolute; fog records paths relative to the run's start \
                     directory"
                )]
            );
        }

        // A symbolic link inside the root that leads out of it is refused
        // unread (the record matches what it points to); inside, followed.
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&data, root.join("link.bin")).unwrap();
            let report = verify(&with_dataset_at("link.bin"), &root, false, false);
            assert_eq!(
                failures(&report),
                [(
                    "link.bin",
                    "not verified: the recorded path leads out of --root through a symbolic link"
                )]
            );
            assert!(verify(&with_dataset_at("link.bin"), &root, true, false).ok);
            std::fs::write(root.join("data.bin"), b"data").unwrap();
            std::os::unix::fs::symlink(root.join("data.bin"), root.join("inside.bin")).unwrap();
            assert!(verify(&with_dataset_at("inside.bin"), &root, false, false).ok);
        }

        // A refused model: the dataset after it is still checked, in order.
        let mut r = with_dataset_at("../data.bin");
        r.subject[0].name = Some(root.join("model.bin").to_str().unwrap().into());
        let report = verify(&r, &root, true, false);
        assert_eq!(report.checks[0].what, "model");
        assert!(!report.checks[0].ok);
        assert_eq!(report.checks[1].what, "dataset");
        assert!(report.checks[1].ok, "{:?}", report.checks[1]);
    }
}
