//! Content fingerprints: SHA-256 of files, a Merkle root for directories.
//!
//! # Files
//!
//! The SHA-256 of the content, read in 1 MiB blocks, so a file of any size
//! hashes in constant memory and equals `sha256sum`. A path given on the
//! command line may be a symbolic link: it is followed, like `sha256sum`.
//!
//! # Directories
//!
//! A directory's fingerprint pins both the names and the contents of the
//! files under it:
//!
//! 1. Walk the directory recursively and keep regular files only. A symbolic
//!    link, socket, FIFO or device anywhere under it is an error (a link would
//!    make the fingerprint depend on something outside the tree); an empty
//!    directory contributes nothing.
//! 2. Name each file by its path relative to the directory, its components
//!    joined by `/` (on every platform), as UTF-8: a name that is not UTF-8
//!    is an error.
//! 3. Sort the files by that relative path, bytewise (so `a.txt` sorts
//!    before `a/b`, since `.` is 0x2E and `/` is 0x2F).
//! 4. Each file is a leaf of an RFC 6962 Merkle tree:
//!    `leaf = SHA-256(0x00 || relative_path || 0x00 || SHA-256(content))`
//!    (the first `0x00` is RFC 6962's leaf prefix, the second separates the
//!    name from the 32-byte content hash; a name cannot contain NUL).
//! 5. The fingerprint is the RFC 6962 tree head over the leaves in that
//!    order (`fog_merkle::root`: interior nodes `SHA-256(0x01 || left ||
//!    right)`). A directory without files has the empty tree's root,
//!    `SHA-256("")`.
//!
//! Renaming, adding, removing or changing any file changes the root;
//! modification times, permissions and owners do not.
//!
//! # Parallelism
//!
//! All files (those named and those under named directories) go into one
//! queue, largest first, served to one thread per core; each thread keeps
//! one 1 MiB buffer. On a terminal a progress bar counts bytes hashed.

use std::cmp::Reverse;
use std::fmt;
use std::fs::File;
use std::io::{self, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use anyhow::{bail, Context as _, Result};
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256 as Sha256Hasher};

use super::csv::CsvStats;

/// Read size: large enough for the kernel's read-ahead to stream, small
/// enough that a thread per core costs nothing.
pub const BUF_SIZE: usize = 1 << 20;

/// A SHA-256 digest, shown and serialized as 64 lowercase hex characters.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sha256(pub [u8; 32]);

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256({self})")
    }
}

impl FromStr for Sha256 {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).map_err(|_| anyhow::anyhow!("{s:?} is not a SHA-256 (64 hex characters)"))?;
        Ok(Self(out))
    }
}

impl Serialize for Sha256 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Sha256 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// SHA-256 of bytes in memory.
pub fn sha256(data: &[u8]) -> Sha256 {
    Sha256(Sha256Hasher::digest(data).into())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    File,
    Directory,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::File => "file",
            Kind::Directory => "directory",
        })
    }
}

/// One file under a fingerprinted directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Relative to the directory, `/`-separated.
    pub path: String,
    pub sha256: Sha256,
    pub bytes: u64,
}

/// What `fog lineage hash` reports for one path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// The path as given.
    pub path: String,
    pub kind: Kind,
    /// The file's SHA-256, or the directory's Merkle root (see the module).
    pub sha256: Sha256,
    /// Bytes of content (all files, for a directory).
    pub bytes: u64,
    /// Files under a directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<u64>,
    /// Statistics of a `.csv` file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csv: Option<CsvStats>,
    /// The files of a directory, sorted as in its tree (not printed by
    /// `hash`; a lineage record keeps them to name what changed).
    #[serde(skip)]
    pub entries: Vec<Entry>,
}

/// Whether a file gets CSV statistics: by extension, case-insensitively.
pub fn is_csv(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

/// The leaf of one file in a directory's tree.
pub fn dir_leaf(relative_path: &str, content: &Sha256) -> fog_merkle::Hash {
    let mut data = Vec::with_capacity(relative_path.len() + 33);
    data.extend_from_slice(relative_path.as_bytes());
    data.push(0);
    data.extend_from_slice(&content.0);
    fog_merkle::leaf_hash(&data)
}

/// A directory's fingerprint from its files, which must be sorted by path.
pub fn dir_root(entries: &[Entry]) -> Sha256 {
    let leaves: Vec<fog_merkle::Hash> = entries.iter().map(|e| dir_leaf(&e.path, &e.sha256)).collect();
    Sha256(fog_merkle::root(&leaves))
}

/// Fingerprints `paths` (files and directories), hashing all their files in
/// parallel; `progress` shows a bar of bytes hashed when stderr is a terminal.
pub fn fingerprint(paths: &[PathBuf], progress: bool) -> Result<Vec<Fingerprint>> {
    // Plan: every file to hash, and which fingerprint it belongs to.
    let mut jobs: Vec<Job> = Vec::new();
    let mut targets: Vec<Target> = Vec::new();
    for path in paths {
        let shown = path
            .to_str()
            .with_context(|| format!("{}: the path is not UTF-8", path.display()))?
            .to_string();
        let meta = std::fs::metadata(path).with_context(|| shown.clone())?;
        if meta.is_dir() {
            let mut files = Vec::new();
            walk(path, "", &mut files)?;
            files.sort_by(|a, b| a.0.cmp(&b.0));
            let mut members = Vec::with_capacity(files.len());
            for (rel, abs, size) in files {
                members.push((rel, jobs.len()));
                jobs.push(Job {
                    path: abs,
                    size,
                    csv: false,
                });
            }
            targets.push(Target {
                path: shown,
                kind: Kind::Directory,
                members,
            });
        } else if meta.is_file() {
            targets.push(Target {
                path: shown,
                kind: Kind::File,
                members: vec![(String::new(), jobs.len())],
            });
            jobs.push(Job {
                path: path.clone(),
                size: meta.len(),
                csv: is_csv(path),
            });
        } else {
            bail!("{shown}: not a regular file or directory");
        }
    }

    let bar = (progress && io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new(jobs.iter().map(|j| j.size).sum());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} hashing [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} ({eta})",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    });
    let hashed = hash_all(&jobs, bar.as_ref());
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut hashed: Vec<Option<FileHash>> = hashed?.into_iter().map(Some).collect();

    let mut out = Vec::with_capacity(targets.len());
    for Target { path, kind, members } in targets {
        match kind {
            Kind::File => {
                let h = hashed[members[0].1].take().expect("each file is hashed once");
                out.push(Fingerprint {
                    path,
                    kind,
                    sha256: h.sha256,
                    bytes: h.bytes,
                    files: None,
                    csv: h.csv,
                    entries: Vec::new(),
                });
            }
            Kind::Directory => {
                let entries: Vec<Entry> = members
                    .into_iter()
                    .map(|(rel, i)| {
                        let h = hashed[i].take().expect("each file is hashed once");
                        Entry {
                            path: rel,
                            sha256: h.sha256,
                            bytes: h.bytes,
                        }
                    })
                    .collect();
                out.push(Fingerprint {
                    path,
                    kind,
                    sha256: dir_root(&entries),
                    bytes: entries.iter().map(|e| e.bytes).sum(),
                    files: Some(entries.len() as u64),
                    csv: None,
                    entries,
                });
            }
        }
    }
    Ok(out)
}

/// A path to fingerprint, and its files as (relative path, job index).
struct Target {
    path: String,
    kind: Kind,
    members: Vec<(String, usize)>,
}

struct Job {
    path: PathBuf,
    size: u64,
    csv: bool,
}

struct FileHash {
    sha256: Sha256,
    bytes: u64,
    csv: Option<CsvStats>,
}

/// The regular files under `dir` as (relative path, path, size).
fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf, u64)>) -> Result<()> {
    let read = std::fs::read_dir(dir).with_context(|| dir.display().to_string())?;
    for entry in read {
        let entry = entry.with_context(|| dir.display().to_string())?;
        let path = entry.path();
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            bail!(
                "{}: the name is not UTF-8; directory fingerprints name files in UTF-8",
                path.display()
            );
        };
        let rel = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}/{name}")
        };
        let ty = entry.file_type().with_context(|| path.display().to_string())?;
        if ty.is_symlink() {
            bail!(
                "{}: a symbolic link inside a directory; replace it by what it points to, or remove it \
                 (a directory's fingerprint covers only its own files)",
                path.display()
            );
        } else if ty.is_dir() {
            walk(&path, &rel, out)?;
        } else if ty.is_file() {
            let size = entry.metadata().with_context(|| path.display().to_string())?.len();
            out.push((rel, path, size));
        } else {
            bail!("{}: not a regular file (socket, FIFO or device)", path.display());
        }
    }
    Ok(())
}

/// Hashes every job, largest first, on one thread per core.
fn hash_all(jobs: &[Job], bar: Option<&ProgressBar>) -> Result<Vec<FileHash>> {
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| Reverse(jobs[i].size));
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(jobs.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let work = || {
        let mut buf = vec![0u8; BUF_SIZE];
        let mut done: Vec<(usize, Result<FileHash>)> = Vec::new();
        while !failed.load(Ordering::Relaxed) {
            let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) else {
                break;
            };
            let job = &jobs[i];
            let result = hash_file(&job.path, job.csv, &mut buf, bar);
            if result.is_err() {
                failed.store(true, Ordering::Relaxed);
            }
            done.push((i, result));
        }
        done
    };
    let done: Vec<(usize, Result<FileHash>)> = if threads == 1 {
        work()
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads).map(|_| s.spawn(work)).collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("a hashing thread panicked"))
                .collect()
        })
    };
    let mut slots: Vec<Option<Result<FileHash>>> = (0..jobs.len()).map(|_| None).collect();
    for (i, r) in done {
        slots[i] = Some(r);
    }
    // The first error in the order the paths were given; files left
    // unhashed once one failed are not errors of their own.
    let mut out = Vec::with_capacity(jobs.len());
    let mut first_error = None;
    for slot in slots {
        match slot {
            Some(Ok(h)) => out.push(h),
            Some(Err(e)) => {
                first_error.get_or_insert(e);
            }
            None => {}
        }
    }
    match first_error {
        Some(e) => Err(e),
        None if out.len() == jobs.len() => Ok(out),
        None => bail!("hashing stopped early"),
    }
}

/// Streams one file through SHA-256 (and the CSV reader for `.csv`).
fn hash_file(path: &Path, csv: bool, buf: &mut [u8], bar: Option<&ProgressBar>) -> Result<FileHash> {
    let file = File::open(path).with_context(|| path.display().to_string())?;
    let mut reader = HashingReader {
        inner: file,
        hasher: Sha256Hasher::new(),
        bytes: 0,
        bar,
    };
    let stats = if csv {
        let stats = super::csv::stats(&mut reader)
            .with_context(|| format!("{}: not a well-formed CSV file", path.display()))?;
        // The CSV reader stops at the end of the data; make sure every byte
        // went through the hash.
        io::copy(&mut reader, &mut io::sink()).with_context(|| path.display().to_string())?;
        Some(stats)
    } else {
        loop {
            match reader.read(buf) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(anyhow::Error::new(e).context(path.display().to_string())),
            }
        }
        None
    };
    Ok(FileHash {
        sha256: Sha256(reader.hasher.finalize().into()),
        bytes: reader.bytes,
        csv: stats,
    })
}

/// Hashes what passes through it, so the CSV statistics and the hash take a
/// single read of the file.
struct HashingReader<'a, R> {
    inner: R,
    hasher: Sha256Hasher,
    bytes: u64,
    bar: Option<&'a ProgressBar>,
}

impl<R: Read> Read for HashingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        if let Some(bar) = self.bar {
            bar.inc(n as u64);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn write(dir: &Path, rel: &str, content: &[u8]) {
        let p = dir.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, content).unwrap();
    }

    fn one(path: &Path) -> Fingerprint {
        fingerprint(&[path.to_path_buf()], false).unwrap().remove(0)
    }

    #[test]
    fn file_hash_is_sha256_of_content() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "a", b"abc");
        let f = one(&d.path().join("a"));
        assert_eq!(f.kind, Kind::File);
        assert_eq!(f.bytes, 3);
        assert_eq!(
            f.sha256.to_string(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn directory_root_follows_the_documented_definition() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "b/x", b"1");
        write(d.path(), "a.txt", b"2");
        write(d.path(), "a/z", b"3");
        fs::create_dir_all(d.path().join("empty/nested")).unwrap();
        let f = one(d.path());
        assert_eq!(f.files, Some(3));
        assert_eq!(f.bytes, 3);
        // Bytewise order of relative paths: "a.txt" < "a/z" < "b/x".
        let names: Vec<&str> = f.entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(names, ["a.txt", "a/z", "b/x"]);
        // By hand: RFC 6962 over SHA-256(0x00 || path || 0x00 || sha256(content)).
        let leaf = |p: &str, c: &[u8]| {
            let mut h = Sha256Hasher::new();
            h.update([0u8]);
            h.update(p.as_bytes());
            h.update([0u8]);
            h.update(Sha256Hasher::digest(c));
            <[u8; 32]>::from(h.finalize())
        };
        let node = |l: [u8; 32], r: [u8; 32]| {
            let mut h = Sha256Hasher::new();
            h.update([1u8]);
            h.update(l);
            h.update(r);
            <[u8; 32]>::from(h.finalize())
        };
        let expected = node(node(leaf("a.txt", b"2"), leaf("a/z", b"3")), leaf("b/x", b"1"));
        assert_eq!(f.sha256.0, expected);
    }

    #[test]
    fn empty_directory_has_the_empty_root() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir_all(d.path().join("x/y")).unwrap();
        let f = one(d.path());
        assert_eq!(f.sha256.0, fog_merkle::EMPTY_ROOT);
        assert_eq!(f.files, Some(0));
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_inside_a_directory_are_refused() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "data/a", b"1");
        write(d.path(), "outside", b"2");
        std::os::unix::fs::symlink(d.path().join("outside"), d.path().join("data/link")).unwrap();
        let err = fingerprint(&[d.path().join("data")], false).unwrap_err();
        assert!(format!("{err:#}").contains("symbolic link"), "{err:#}");
    }

    #[test]
    fn many_files_hash_in_parallel_in_the_given_order() {
        let d = tempfile::tempdir().unwrap();
        let mut paths = Vec::new();
        for i in 0..40 {
            let content = vec![i as u8; i * 1000];
            write(d.path(), &format!("f{i}"), &content);
            paths.push(d.path().join(format!("f{i}")));
        }
        let fps = fingerprint(&paths, false).unwrap();
        for (i, f) in fps.iter().enumerate() {
            assert_eq!(f.sha256, sha256(&vec![i as u8; i * 1000]));
            assert_eq!(f.path, paths[i].to_str().unwrap());
        }
    }

    #[test]
    fn the_error_is_the_failing_file_s_not_the_files_left_unhashed() {
        let d = tempfile::tempdir().unwrap();
        let mut jobs = Vec::new();
        for i in 0..20 {
            write(d.path(), &format!("f{i}"), b"x");
            jobs.push(Job {
                path: d.path().join(format!("f{i}")),
                size: 1,
                csv: false,
            });
        }
        // Listed last, hashed first (the largest): the others stop early.
        jobs.push(Job {
            path: d.path().join("gone.bin"),
            size: 1 << 30,
            csv: false,
        });
        let err = hash_all(&jobs, None).err().expect("a file is missing");
        assert!(format!("{err:#}").contains("gone.bin"), "{err:#}");
    }

    #[test]
    fn missing_paths_are_one_clear_error() {
        let err = fingerprint(&[PathBuf::from("/nonexistent/fog-lineage")], false).unwrap_err();
        assert!(format!("{err:#}").contains("/nonexistent/fog-lineage"), "{err:#}");
    }

    #[test]
    fn sha256_round_trips_through_hex() {
        let h = sha256(b"x");
        assert_eq!(h.to_string().parse::<Sha256>().unwrap(), h);
        assert!("zz".parse::<Sha256>().is_err());
    }
}
