//! Running `fog` and reading its JSON.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

pub fn home() -> PathBuf {
    match std::env::var_os("FOG_HOME") {
        Some(h) => PathBuf::from(h),
        None => {
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
            target.join("e2e-fog")
        }
    }
}

/// The repository root: `fog devnet up` builds contracts from there.
fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// What `fog` printed: JSON on success, the error line on failure.
pub fn run(args: &[&str]) -> Result<Value, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_fog"))
        .args(args)
        .args(["--output", "json"])
        .env("FOG_HOME", home())
        .current_dir(repo())
        .output()
        .expect("fog runs");
    if out.status.success() {
        let text = String::from_utf8_lossy(&out.stdout);
        serde_json::from_str(&text).map_err(|e| format!("fog {args:?} printed no JSON ({e}): {text}"))
    } else {
        let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
        assert!(
            err.starts_with("error: "),
            "fog {args:?} failed without a one-line error: {err}"
        );
        assert_eq!(err.lines().count(), 1, "one line, not: {err}");
        Err(err)
    }
}

/// Runs `fog` and panics with its error when it fails.
pub fn ok(args: &[&str]) -> Value {
    run(args).unwrap_or_else(|e| panic!("fog {}: {e}", args.join(" ")))
}

/// A fresh devnet, started once per test run: the scenario needs accounts
/// without locks and proposal ids from 1. With `FOG_E2E_PIN=1` fog's codes
/// are pinned first (`fog devnet pin`), for the gas table's pinned column.
pub fn devnet() -> Value {
    static UP: OnceLock<Value> = OnceLock::new();
    UP.get_or_init(|| {
        ok(&["devnet", "reset"]);
        let up = ok(&["devnet", "up"]);
        if std::env::var("FOG_E2E_PIN").is_ok_and(|v| v == "1") {
            ok(&["devnet", "pin"]);
        }
        up
    })
    .clone()
}

/// Held by tests that sign with the same devnet accounts, so their
/// transactions do not race for account sequences.
pub fn signers() -> std::sync::MutexGuard<'static, ()> {
    static SIGNERS: Mutex<()> = Mutex::new(());
    SIGNERS.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A JSON number or decimal string as u128.
pub fn num(v: &Value) -> u128 {
    match v {
        Value::String(s) => s.parse().unwrap_or_else(|_| panic!("{s:?} is not a number")),
        Value::Number(n) => n.as_u64().expect("an unsigned number") as u128,
        other => panic!("{other} is not a number"),
    }
}

/// Gas used by each action, for docs/BENCHMARKS.md.
static GAS: Mutex<BTreeMap<String, u64>> = Mutex::new(BTreeMap::new());

/// Records the gas a transaction used under `action`.
pub fn gas(action: &str, tx: &Value) {
    let used = tx["gas_used"].as_u64().expect("a transaction report");
    let mut g = GAS.lock().unwrap();
    g.insert(action.to_string(), used);
    let path = home().join("e2e-gas.json");
    std::fs::write(path, serde_json::to_string_pretty(&*g).unwrap()).expect("gas report");
}

/// Waits until block times pass `t` (seconds): the devnet's blocks carry
/// the wall clock's time, every ~0.2 s.
pub fn wait_until(t: u64) {
    loop {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        if now > t + 1 {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
}
