//! `fog-relayer` prints no database password: not when it cannot connect,
//! not in its help (until stop 21 it printed both).

use std::process::Command;

const URL: &str = "postgres://fog:s3cret@127.0.0.1:9/none";

#[test]
fn a_database_password_is_never_printed() {
    let out = Command::new(env!("CARGO_BIN_EXE_fog-relayer"))
        .args(["--database-url", URL, "status"])
        .output()
        .expect("fog-relayer runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("fog:***@127.0.0.1:9"), "{stderr}");
    assert!(!stderr.contains("s3cret"), "{stderr}");
    let help = Command::new(env!("CARGO_BIN_EXE_fog-relayer"))
        .arg("--help")
        .env("FOG_DATABASE_URL", URL)
        .output()
        .expect("fog-relayer runs");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("--database-url") && !help.contains("s3cret"), "{help}");
}
