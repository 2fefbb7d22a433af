//! `fog-indexer` refuses bad arguments with a line naming them and a
//! non-zero exit, before it touches a database or a node.

use std::path::Path;
use std::process::Command;

fn manifest(dir: &Path) -> std::path::PathBuf {
    fog_indexer::testing::synthetic_manifest(dir).expect("a deployment manifest")
}

/// (exit code, stderr) of `fog-indexer` with a database nobody listens on.
fn fog_indexer(manifest: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_fog-indexer"))
        .args(["--database-url", "postgres://postgres@127.0.0.1:9/none", "--deployment"])
        .arg(manifest)
        .args(args)
        .env("RUST_LOG", "off")
        .output()
        .expect("fog-indexer runs");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn out_of_range_arguments_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let m = manifest(dir.path());
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["run", "--concurrency", "0"], "--concurrency"),
        (&["run", "--concurrency", "1025"], "--concurrency"),
        (&["serve", "--retention-every-hours", "8761"], "--retention-every-hours"),
        (
            &["record", "--from", "10", "--to", "9", out],
            "--from 10 is above --to 9",
        ),
    ];
    for (args, expected) in cases {
        let (code, stderr) = fog_indexer(&m, args);
        assert!(
            matches!(code, Some(c) if c != 0),
            "fog-indexer {args:?} should fail, exited {code:?}: {stderr}"
        );
        assert!(
            stderr.contains(expected),
            "fog-indexer {args:?}: expected {expected:?} in {stderr:?}"
        );
    }
    assert!(!Path::new(out).exists(), "a refused record writes nothing");
}

#[test]
fn a_database_password_is_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let m = manifest(dir.path());
    let url = "postgres://fog:s3cret@127.0.0.1:9/none";
    let out = Command::new(env!("CARGO_BIN_EXE_fog-indexer"))
        .args(["--database-url", url, "--deployment"])
        .arg(&m)
        .arg("serve")
        .env("RUST_LOG", "off")
        .output()
        .expect("fog-indexer runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr.contains("fog:***@127.0.0.1:9"), "{stderr}");
    assert!(!stderr.contains("s3cret"), "{stderr}");
    // Nor in the help, from the environment.
    let help = Command::new(env!("CARGO_BIN_EXE_fog-indexer"))
        .arg("--help")
        .env("DATABASE_URL", url)
        .output()
        .expect("fog-indexer runs");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("--database-url") && !help.contains("s3cret"), "{help}");
}
