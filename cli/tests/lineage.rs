//! `fog lineage` end to end: the built binary on files made in a tempdir,
//! checked against `sha256sum`, `git` and the record's own definitions.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use sha2::{Digest, Sha256};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn fog_in(dir: &Path, args: &[&str]) -> Run {
    fog_with_stdin(dir, args, None)
}

fn fog_with_stdin(dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    use std::io::Write as _;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fog"));
    cmd.current_dir(dir)
        .env("FOG_HOME", dir.join(".fog-home"))
        .args(args)
        .stdin(if stdin.is_some() {
            std::process::Stdio::piped()
        } else {
            std::process::Stdio::null()
        })
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("fog runs");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `fog -o json ARGS` that must succeed, parsed.
fn json_in(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["-o", "json"];
    all.extend_from_slice(args);
    let r = fog_in(dir, &all);
    assert_eq!(r.code, 0, "fog {args:?} failed: {}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("fog {args:?}: {e}: {}", r.stdout))
}

fn sha256sum(dir: &Path, files: &[&str]) -> Vec<String> {
    let out: Output = Command::new("sha256sum").current_dir(dir).args(files).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect()
}

fn write(dir: &Path, rel: &str, content: impl AsRef<[u8]>) {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, content).unwrap();
}

fn hash_one(dir: &Path, path: &str) -> Value {
    json_in(dir, &["lineage", "hash", path])[0].clone()
}

fn git(dir: &Path, args: &[&str]) {
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
        .output()
        .unwrap()
        .status
        .success();
    assert!(ok, "git {args:?}");
}

/// A project with training code under git, two datasets and a lock file.
fn project() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    write(p, "train.py", "print('training')\n");
    write(p, "requirements.txt", "numpy==1.26.4\ntorch==2.3.0\n");
    write(p, ".gitignore", "data/\nimgs/\nruns/\nmodel.bin\n.fog-home/\n");
    git(p, &["init", "-q"]);
    git(p, &["add", "."]);
    git(p, &["commit", "-q", "-m", "code"]);
    write(p, "data/train.csv", "id,x,label\n1,0.5,true\n2,1.5,false\n");
    write(p, "data/extra.bin", [7u8; 5000]);
    write(p, "imgs/a.png", "A");
    write(p, "imgs/sub/b.png", "B");
    write(p, "model.bin", "weights v1");
    fs::create_dir_all(p.join("runs")).unwrap();
    d
}

fn start(dir: &Path, out: &str, params: &[&str]) -> Value {
    let mut args = vec![
        "lineage",
        "run",
        "start",
        "--name",
        "r",
        "--dataset",
        "data/train.csv",
        "--dataset",
        "data/extra.bin",
        "--dataset",
        "imgs",
        "--deps",
        "requirements.txt",
        "--out",
        out,
    ];
    for p in params {
        args.extend(["--param", p]);
    }
    json_in(dir, &args)
}

fn complete(dir: &Path, run: &str, out: &str, metrics: &[&str]) -> Value {
    let mut args = vec!["lineage", "run", "complete", run, "--model", "model.bin", "--out", out];
    for m in metrics {
        args.extend(["--metric", m]);
    }
    json_in(dir, &args)
}

#[test]
fn file_hashes_equal_sha256sum() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    write(p, "empty", "");
    write(p, "text.txt", "hello\n");
    let bytes: Vec<u8> = (0..3_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    write(p, "odd-size.bin", &bytes);
    let files = ["empty", "text.txt", "odd-size.bin"];
    let mut args = vec!["lineage", "hash"];
    args.extend(files);
    let out = json_in(p, &args);
    let got: Vec<&str> = out
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["sha256"].as_str().unwrap())
        .collect();
    assert_eq!(got, sha256sum(p, &files));
    assert_eq!(out[2]["kind"], "file");
    assert_eq!(out[2]["bytes"], 3_000_000);
    assert_eq!(out[1]["path"], "text.txt");
}

#[test]
fn directory_fingerprint_follows_names_and_contents_not_mtimes() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    write(p, "ds/a.txt", "alpha");
    write(p, "ds/nested/b.txt", "beta");
    let base = hash_one(p, "ds");
    assert_eq!(base["kind"], "directory");
    assert_eq!(base["files"], 2);
    assert_eq!(base["bytes"], 9);
    let root = base["sha256"].as_str().unwrap().to_string();

    // mtime: unchanged fingerprint.
    let f = fs::File::options().write(true).open(p.join("ds/a.txt")).unwrap();
    f.set_modified(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000))
        .unwrap();
    drop(f);
    assert_eq!(hash_one(p, "ds")["sha256"], root.as_str());

    // Content: changed.
    write(p, "ds/a.txt", "alphA");
    let changed = hash_one(p, "ds")["sha256"].as_str().unwrap().to_string();
    assert_ne!(changed, root);
    write(p, "ds/a.txt", "alpha");
    assert_eq!(hash_one(p, "ds")["sha256"], root.as_str());

    // Name: changed, with the same contents.
    fs::rename(p.join("ds/a.txt"), p.join("ds/c.txt")).unwrap();
    assert_ne!(hash_one(p, "ds")["sha256"], root.as_str());
    fs::rename(p.join("ds/c.txt"), p.join("ds/a.txt")).unwrap();

    // An empty directory contributes nothing.
    fs::create_dir_all(p.join("ds/empty/deeper")).unwrap();
    assert_eq!(hash_one(p, "ds")["sha256"], root.as_str());
}

#[cfg(unix)]
#[test]
fn symlinks_inside_directories_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    write(p, "ds/a.txt", "alpha");
    std::os::unix::fs::symlink(p.join("ds/a.txt"), p.join("ds/link")).unwrap();
    let r = fog_in(p, &["lineage", "hash", "ds"]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.starts_with("error: ") && r.stderr.contains("symbolic link"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.trim_end().lines().count(), 1, "{}", r.stderr);
}

#[test]
fn csv_statistics_of_a_known_file() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    write(
        p,
        "mixed.CSV",
        "id,score,ok,day,at,name,mixed\n\
         1,3,true,2024-01-31,2024-01-31T10:00:00Z,ann,1\n\
         2,3.5,FALSE,2024-02-29,2024-02-29T10:00:00+02:00,\"bob, jr\",x\n\
         3,,,,,,\n\
         -4,1e-3,true,2024-03-01,2024-03-01T00:00:00.123Z,cy,2.5\n",
    );
    let f = hash_one(p, "mixed.CSV");
    assert_eq!(f["csv"]["rows"], 4);
    assert_eq!(f["csv"]["columns"], 7);
    let types: Vec<(String, String)> = f["csv"]["column_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap().into(), c["type"].as_str().unwrap().into()))
        .collect();
    let expected = [
        ("id", "integer"),
        ("score", "float"),
        ("ok", "boolean"),
        ("day", "date"),
        ("at", "datetime"),
        ("name", "string"),
        ("mixed", "string"),
    ];
    assert_eq!(types, expected.map(|(a, b)| (a.to_string(), b.to_string())).to_vec());
    // The hash is still the file's.
    assert_eq!(f["sha256"], sha256sum(p, &["mixed.CSV"])[0].as_str());
}

#[test]
fn a_large_file_streams() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    // 64 MiB and a bit, so the last 1 MiB read is partial.
    let size = (64 << 20) + 12_345;
    {
        use std::io::Write as _;
        let mut f = std::io::BufWriter::new(fs::File::create(p.join("big.bin")).unwrap());
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut written = 0usize;
        while written < size {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let n = 8.min(size - written);
            f.write_all(&x.to_le_bytes()[..n]).unwrap();
            written += n;
        }
    }
    let f = hash_one(p, "big.bin");
    assert_eq!(f["bytes"], size as u64);
    assert_eq!(f["sha256"], sha256sum(p, &["big.bin"])[0].as_str());

    // Peak memory well under the file's size: it was never loaded whole.
    let probe = "import resource, subprocess, sys\n\
                 subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n\
                 print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)";
    match Command::new("python3")
        .current_dir(p)
        .args(["-c", probe, env!("CARGO_BIN_EXE_fog"), "lineage", "hash", "big.bin"])
        .output()
    {
        Ok(out) if out.status.success() => {
            let kib: u64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
            assert!(kib < 48 * 1024, "peak RSS {kib} KiB for a 64 MiB file");
        }
        _ => eprintln!("no python3: peak memory not measured"),
    }
}

#[test]
fn a_run_records_and_verifies_and_names_exactly_the_tampered_file() {
    let d = project();
    let p = d.path();
    let started = start(p, "runs/run.json", &["lr=0.001", "epochs=3"]);
    assert_eq!(started["datasets"].as_array().unwrap().len(), 3);
    assert_eq!(started["code"]["dirty"], false);
    assert_eq!(started["dependencies"], 2);
    let done = complete(p, "runs/run.json", "runs/record.json", &["accuracy=0.93"]);

    // The printed hashes are the files'.
    let sums = sha256sum(
        p,
        &["model.bin", "runs/record.json", "data/train.csv", "data/extra.bin"],
    );
    assert_eq!(done["model_sha256"], sums[0].as_str());
    assert_eq!(done["record_hash"], sums[1].as_str());
    assert_eq!(done["dataset_sha256s"][0], sums[2].as_str());
    assert_eq!(done["dataset_sha256s"][1], sums[3].as_str());
    assert_eq!(done["dataset_sha256s"][2], hash_one(p, "imgs")["sha256"]);

    let ok = fog_in(p, &["lineage", "verify", "runs/record.json"]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);

    // Each tampering is reported, and nothing else.
    let cases: [(&str, &[u8], &str); 5] = [
        ("data/extra.bin", &[8u8; 5000], "data/extra.bin: sha256 differs"),
        // The dependency listing the run read (unchecked until stop 21).
        (
            "requirements.txt",
            b"numpy==2.0.0\ntorch==2.3.0\n",
            "requirements.txt: sha256 differs",
        ),
        (
            "data/train.csv",
            b"id,x,label\n1,0.5,true\n",
            "data/train.csv: sha256 differs",
        ),
        ("imgs/sub/b.png", b"b", "imgs: sha256 differs"),
        ("model.bin", b"weights v2", "model.bin: sha256 differs"),
    ];
    for (file, content, expected) in cases {
        let original = fs::read(p.join(file)).unwrap();
        fs::write(p.join(file), content).unwrap();
        let r = fog_in(p, &["lineage", "verify", "runs/record.json"]);
        assert_eq!(r.code, 1, "{file}: {}", r.stderr);
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{file}: {}", r.stderr);
        assert!(lines[0].starts_with(expected), "{file}: {}", lines[0]);
        fs::write(p.join(file), original).unwrap();
    }
    // Inside a directory, the file is named; CSV statistics are compared.
    write(p, "imgs/sub/b.png", "b");
    let r = fog_in(p, &["lineage", "verify", "runs/record.json"]);
    assert!(r.stderr.contains("changed sub/b.png"), "{}", r.stderr);
    write(p, "imgs/sub/b.png", "B");
    write(p, "data/train.csv", "id,x,label\n1,0.5,true\n");
    let r = fog_in(p, &["lineage", "verify", "runs/record.json"]);
    assert!(r.stderr.contains("rows 2 → 1"), "{}", r.stderr);
    write(p, "data/train.csv", "id,x,label\n1,0.5,true\n2,1.5,false\n");
    fs::remove_file(p.join("data/extra.bin")).unwrap();
    let r = fog_in(p, &["lineage", "verify", "runs/record.json"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.starts_with("data/extra.bin: missing"), "{}", r.stderr);
    write(p, "data/extra.bin", [7u8; 5000]);

    // From elsewhere, with --root.
    let elsewhere = tempfile::tempdir().unwrap();
    let record = p.join("runs/record.json");
    let r = fog_in(
        elsewhere.path(),
        &[
            "lineage",
            "verify",
            record.to_str().unwrap(),
            "--root",
            p.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = fog_in(elsewhere.path(), &["lineage", "verify", record.to_str().unwrap()]);
    assert_eq!(r.code, 1, "relative paths resolve against the current directory");

    // An edited hyperparameter breaks the reproducibility hash (and the
    // record hash, which the release gate approved).
    let text = fs::read_to_string(&record)
        .unwrap()
        .replace("\"lr\":\"0.001\"", "\"lr\":\"0.01\"");
    fs::write(p.join("runs/edited.json"), text).unwrap();
    let r = fog_in(p, &["lineage", "verify", "runs/edited.json"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.starts_with("reproducibility-hash: recorded"), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
}

#[test]
fn the_reproducibility_hash_ignores_times_and_metrics_and_follows_hyperparameters() {
    let d = project();
    let p = d.path();
    start(p, "runs/a.json", &["lr=0.001"]);
    let a1 = complete(p, "runs/a.json", "runs/a1.json", &["accuracy=0.9"]);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let a2 = complete(p, "runs/a.json", "runs/a2.json", &["accuracy=0.8", "loss=0.3"]);
    // A second run of the same inputs, started later.
    std::thread::sleep(std::time::Duration::from_millis(20));
    start(p, "runs/b.json", &["lr=0.001"]);
    let b = complete(p, "runs/b.json", "runs/b1.json", &[]);
    start(p, "runs/c.json", &["lr=0.002"]);
    let c = complete(p, "runs/c.json", "runs/c1.json", &["accuracy=0.9"]);

    assert_eq!(a1["reproducibility_hash"], a2["reproducibility_hash"]);
    assert_eq!(a1["reproducibility_hash"], b["reproducibility_hash"]);
    assert_ne!(a1["record_hash"], a2["record_hash"]);
    assert_ne!(a1["record_hash"], b["record_hash"]);
    assert_ne!(a1["reproducibility_hash"], c["reproducibility_hash"]);

    // And with the code: a dirty work tree is another input.
    write(p, "train.py", "print('training, changed')\n");
    start(p, "runs/d.json", &["lr=0.001"]);
    let d1 = complete(p, "runs/d.json", "runs/d1.json", &[]);
    assert_ne!(a1["reproducibility_hash"], d1["reproducibility_hash"]);
}

#[test]
fn the_record_is_an_in_toto_v1_statement_in_canonical_json() {
    let d = project();
    let p = d.path();
    start(p, "runs/run.json", &["lr=0.001", "batch=32"]);
    let done = complete(p, "runs/run.json", "runs/record.json", &["accuracy=0.93", "note=best"]);
    let bytes = fs::read(p.join("runs/record.json")).unwrap();
    let v: Value = serde_json::from_slice(&bytes).unwrap();

    assert_eq!(v["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(v["predicateType"], "https://slsa.dev/provenance/v1");
    assert_eq!(v["subject"].as_array().unwrap().len(), 1);
    assert_eq!(v["subject"][0]["name"], "model.bin");
    assert_eq!(v["subject"][0]["digest"]["sha256"], done["model_sha256"]);
    let bd = &v["predicate"]["buildDefinition"];
    assert_eq!(bd["buildType"], "https://fog.dev/lineage/training-run/v1");
    assert_eq!(bd["externalParameters"]["hyperparameters"]["lr"], "0.001");
    assert_eq!(bd["externalParameters"]["hyperparameters"]["batch"], "32");
    assert!(bd["internalParameters"].is_object());
    let deps = bd["resolvedDependencies"].as_array().unwrap();
    let of_kind = |k: &'static str| deps.iter().filter(move |d| d["annotations"]["kind"] == k);
    assert_eq!(of_kind("dataset").count(), 3);
    let code: Vec<&Value> = of_kind("code").collect();
    assert_eq!(code[0]["digest"]["gitCommit"].as_str().unwrap().len(), 40);
    let purls: Vec<&str> = of_kind("package").map(|d| d["uri"].as_str().unwrap()).collect();
    assert_eq!(purls, ["pkg:pypi/numpy@1.26.4", "pkg:pypi/torch@2.3.0"]);
    for d in deps {
        assert!(d["digest"].is_object() || d["uri"].is_string(), "{d}");
    }
    let rd = &v["predicate"]["runDetails"];
    assert!(rd["builder"]["id"].as_str().unwrap().starts_with("https://"));
    for k in ["invocationId", "startedOn", "finishedOn"] {
        assert!(rd["metadata"][k].is_string(), "{k}");
    }
    let byproducts = rd["byproducts"].as_array().unwrap();
    let metrics = byproducts.iter().find(|b| b["name"] == "metrics").unwrap();
    assert_eq!(metrics["annotations"]["values"]["accuracy"], 0.93);
    assert_eq!(metrics["annotations"]["values"]["note"], "best");
    let rh = byproducts.iter().find(|b| b["name"] == "reproducibility-hash").unwrap();
    assert_eq!(rh["digest"]["sha256"], done["reproducibility_hash"]);

    // Canonical JSON: re-canonicalizing gives the same bytes, and the
    // record hash is their SHA-256.
    assert_eq!(serde_json_canonicalizer::to_vec(&v).unwrap(), bytes);
    assert_eq!(done["record_hash"], hex::encode(Sha256::digest(&bytes)).as_str());
}

#[test]
fn dependencies_from_stdin() {
    let d = project();
    let p = d.path();
    let r = fog_with_stdin(
        p,
        &[
            "-o",
            "json",
            "lineage",
            "run",
            "start",
            "--name",
            "s",
            "--deps",
            "-",
            "--out",
            "runs/s.json",
        ],
        Some("pandas==2.2.2\nscikit_learn==1.5.0\n"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let run: Value = serde_json::from_str(&fs::read_to_string(p.join("runs/s.json")).unwrap()).unwrap();
    let purls: Vec<&str> = run["resolvedDependencies"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["uri"].as_str())
        .collect();
    assert_eq!(purls, ["pkg:pypi/pandas@2.2.2", "pkg:pypi/scikit-learn@1.5.0"]);
}

#[test]
fn bad_input_is_one_clear_line() {
    let d = project();
    let p = d.path();
    let not_git = tempfile::tempdir().unwrap();
    let cases: Vec<(PathBuf, Vec<&str>, &str)> = vec![
        (p.into(), vec!["lineage", "hash", "nope.bin"], "nope.bin"),
        (
            not_git.path().into(),
            vec![
                "lineage", "run", "start", "--name", "x", "--deps", "-", "--out", "r.json",
            ],
            "not a git work tree",
        ),
        (
            p.into(),
            vec![
                "lineage", "run", "start", "--name", "x", "--param", "a=1", "--param", "a=2", "--deps", "-", "--out",
                "r.json",
            ],
            "given twice",
        ),
        (
            p.into(),
            vec![
                "lineage",
                "run",
                "complete",
                "train.py",
                "--model",
                "model.bin",
                "--out",
                "x.json",
            ],
            "not a started run",
        ),
    ];
    for (dir, args, expected) in cases {
        let r = fog_in(&dir, &args);
        assert_ne!(r.code, 0, "{args:?}");
        assert!(r.stderr.starts_with("error: "), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(expected), "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr.trim_end().lines().count(), 1, "{args:?}: {}", r.stderr);
    }
    // verify: 2 when the record cannot be read, or the usage is wrong.
    let r = fog_in(p, &["lineage", "verify", "train.py"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("not a fog lineage record"), "{}", r.stderr);
    let r = fog_in(p, &["lineage", "verify"]);
    assert_eq!(r.code, 2);
}

#[test]
fn a_reader_that_stops_early_does_not_crash_fog() {
    let d = project();
    // The pipe's read end is closed before fog starts: its every write
    // fails with EPIPE, which `println!` would turn into a panic.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    for output in ["table", "json"] {
        let out = Command::new(env!("CARGO_BIN_EXE_fog"))
            .current_dir(d.path())
            .env("FOG_HOME", d.path().join(".fog-home"))
            .args(["--output", output, "lineage", "hash", "train.py"])
            .stdout(writer.try_clone().unwrap())
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "--output {output}: {stderr}");
        assert!(!stderr.contains("panicked"), "--output {output}: {stderr}");
    }
}
