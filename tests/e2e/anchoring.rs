//! The audit log anchored on two real chains, and the release flow that
//! depends on it: the indexer (`fog-indexer run`) logs and checkpoints the
//! devnet's events; the relayer (`fog-relayer run`) anchors on the
//! CosmWasm chain and on anvil and is killed twice between broadcast and
//! confirmation; a lineage record is registered, requested, approved by two
//! groups, and only then does `fog release gate` open.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fog_indexer::testing::TestDb;
use fog_relayer::anchoring::anchored;
use fog_relayer::deployment::Deployment;
use serde_json::Value;
use sqlx::Row;

use crate::fog::{devnet, home, ok, run, signers};

/// A sibling binary of `fog` (scripts/test.sh builds them before testing).
fn binary(name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_BIN_EXE_fog")).with_file_name(name);
    assert!(
        path.exists(),
        "{} is missing: build it first (cargo build -p fog-indexer -p fog-relayer)",
        path.display()
    );
    path
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn get(url: &str, token: &str) -> Option<Value> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let resp = reqwest::Client::new().get(url).bearer_auth(token).send().await.ok()?;
        if !resp.status().is_success() {
            return None;
        }
        resp.json().await.ok()
    })
}

fn wait_for<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Issues a staff token with `fog-indexer staff issue`.
fn token(db: &str, name: &str, role: &str) -> String {
    let out = Command::new(binary("fog-indexer"))
        .args([
            "--database-url",
            db,
            "staff",
            "issue",
            "--name",
            name,
            "--role",
            role,
            "--days",
            "1",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let issued: Value = serde_json::from_slice(&out.stdout).unwrap();
    issued["token"].as_str().unwrap().to_string()
}

struct Relayer {
    db: String,
    indexer: String,
    manifest: PathBuf,
    token_file: PathBuf,
    /// The log's verifier key, written by the indexer beside its key.
    log_key: PathBuf,
}

impl Relayer {
    fn command(&self) -> Command {
        let devnet = home().join("devnet");
        let mut c = Command::new(binary("fog-relayer"));
        c.args(["--database-url", &self.db, "--deployment"])
            .arg(&self.manifest)
            .args(["run", "--indexer", &self.indexer])
            .args(["--every-records", "1", "--every-seconds", "1", "--poll-ms", "200"])
            .args(["--evm-replace-after-seconds", "1"])
            .args(["--metrics", &format!("127.0.0.1:{}", fog_relayer::evm::draw_port())])
            .arg("--indexer-token-file")
            .arg(&self.token_file)
            .arg("--log-key")
            .arg(&self.log_key)
            .arg("--cosmos-key-file")
            .arg(devnet.join("relayer-cosmos.key"))
            .arg("--evm-key-file")
            .arg(devnet.join("relayer-evm.key"))
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        c
    }

    /// Runs until it exits on its own after broadcasting to `target`.
    fn crash_after_broadcast(&self, target: &str) -> String {
        let out = self
            .command()
            .env("FOG_RELAYER_EXIT_AFTER_BROADCAST", target)
            .output()
            .expect("fog-relayer runs");
        let log = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(
            out.status.code(),
            Some(86),
            "the relayer should exit right after broadcasting to {target}:\n{log}"
        );
        log
    }

    fn start(&self) -> Killed {
        Killed(
            self.command()
                .stderr(Stdio::null())
                .spawn()
                .expect("fog-relayer starts"),
        )
    }
}

/// A JSON-RPC call to the devnet's anvil (its own methods: mining, fees).
fn anvil(rt: &tokio::runtime::Runtime, url: &str, method: &'static str, params: Value) -> Value {
    rt.block_on(async {
        let call = serde_json::json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
        let answer: Value = reqwest::Client::new()
            .post(url)
            .json(&call)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method}: {e}"))
            .json()
            .await
            .unwrap();
        assert!(answer.get("error").is_none(), "{method}: {}", answer["error"]);
        answer["result"].clone()
    })
}

/// The devnet's anvil with mining on demand only, until dropped: then it
/// mines on every transaction again (and mines what waits), so a failing
/// test does not leave the devnet's EVM node stopped.
struct MiningOff {
    rpc: String,
}

impl MiningOff {
    fn new(rpc: &str) -> Self {
        let rt = tokio::runtime::Runtime::new().unwrap();
        anvil(&rt, rpc, "evm_setAutomine", serde_json::json!([false]));
        Self { rpc: rpc.to_string() }
    }

    fn restore(rt: &tokio::runtime::Runtime, rpc: &str) {
        anvil(rt, rpc, "evm_setAutomine", serde_json::json!([true]));
        anvil(rt, rpc, "evm_mine", serde_json::json!([]));
    }
}

impl Drop for MiningOff {
    fn drop(&mut self) {
        // A runtime of its own, on a thread of its own: drop may run inside
        // the test's runtime or while it unwinds.
        let rpc = self.rpc.clone();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().unwrap();
            MiningOff::restore(&rt, &rpc);
        })
        .join();
    }
}

/// With the EVM node not mining, the relayer's EVM anchoring waits in its
/// pool; the base fee then jumps past what it offers (a block is mined
/// without it). The relayer re-signs it with the same nonce at the new
/// fees, records the old hash, and once the node mines again one of the
/// two is mined: the size is anchored once, under the mined hash.
fn fees_rise_while_an_evm_anchoring_waits(rt: &tokio::runtime::Runtime, db: &TestDb, rpc: &str) {
    // Recorded rows are broadcast just after: wait for one the node holds,
    // unmined.
    let (waiting, offered) = wait_for("an EVM anchoring waiting to be mined", Duration::from_secs(60), || {
        anchored_rows(rt, db)
            .into_iter()
            .filter(|r| r.0.starts_with("evm:") && r.2 == "broadcast")
            .find_map(|r| {
                let tx = anvil(rt, rpc, "eth_getTransactionByHash", serde_json::json!([r.3]));
                (tx.is_object() && tx["blockNumber"].is_null()).then_some((r, tx))
            })
    });
    let max_fee = u128::from_str_radix(offered["maxFeePerGas"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
    anvil(
        rt,
        rpc,
        "anvil_setNextBlockBaseFeePerGas",
        serde_json::json!([format!("{:#x}", max_fee * 4)]),
    );
    anvil(rt, rpc, "evm_mine", serde_json::json!([]));
    let replaced: Vec<String> = wait_for("the relayer to re-price it", Duration::from_secs(60), || {
        let replaced: Vec<String> = rt.block_on(async {
            sqlx::query_scalar("SELECT replaced FROM relayer_anchors WHERE target = $1 AND size = $2")
                .bind(&waiting.0)
                .bind(waiting.1)
                .fetch_one(&db.store.pool)
                .await
                .unwrap()
        });
        (!replaced.is_empty()).then_some(replaced)
    });
    assert_eq!(replaced[0], waiting.3, "the old hash is kept");
    MiningOff::restore(rt, rpc);
    let settled = wait_for("the re-priced anchoring to be mined", Duration::from_secs(60), || {
        anchored_rows(rt, db)
            .into_iter()
            .find(|r| r.0 == waiting.0 && r.1 == waiting.1 && r.2 == "confirmed")
    });
    assert_ne!(
        settled.3, waiting.3,
        "the replacement was mined, not the priced-out one"
    );
    let receipt = anvil(rt, rpc, "eth_getTransactionReceipt", serde_json::json!([waiting.3]));
    assert!(receipt.is_null(), "the priced-out transaction is never mined");
}

fn anchored_rows(rt: &tokio::runtime::Runtime, db: &TestDb) -> Vec<(String, i64, String, String)> {
    rt.block_on(async {
        sqlx::query("SELECT target, size, status, tx_hash FROM relayer_anchors ORDER BY id")
            .fetch_all(&db.store.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect()
    })
}

#[test]
fn audit_log_anchored_on_two_chains_gates_the_release() {
    devnet();
    let _signers = signers();
    let manifest = home().join("devnet/deployment.json");
    let deployment = Deployment::load(&manifest).unwrap();
    let evm = deployment.evm.clone().expect("the devnet deploys an EVM AuditAnchor");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(TestDb::new()).unwrap();
    let work = tempfile::tempdir().unwrap();

    // The indexer: logs every fog event, signs a checkpoint every second.
    let port = fog_relayer::evm::draw_port();
    let indexer_url = format!("http://127.0.0.1:{port}");
    // The key `fog devnet up` created and registered with the audit anchor,
    // which checks every checkpoint's signature with it.
    let key = home().join("audit.key");
    let indexer_log = work.path().join("indexer.log");
    let _indexer = Killed(
        Command::new(binary("fog-indexer"))
            .args(["--database-url", &db.url, "--deployment"])
            .arg(&manifest)
            .args([
                "run",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--checkpoint-interval",
                "1",
            ])
            .arg("--audit-key")
            .arg(&key)
            .arg("--kyc-key")
            .arg(work.path().join("kyc.key"))
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&indexer_log).unwrap())
            .spawn()
            .unwrap(),
    );
    // Staff tokens: the relayer reads as an auditor, lineage is registered
    // by a compliance officer.
    let auditor = token(&db.url, "relayer", "auditor");
    let officer = token(&db.url, "ana", "compliance_officer");
    let token_file = work.path().join("relayer.token");
    std::fs::write(&token_file, &auditor).unwrap();
    let get = |url: &str| get(url, &auditor);
    // The token issuances are the log's first records; the deployment's
    // events follow as the indexer catches up.
    let started = Instant::now();
    let first = loop {
        let cp = get(&format!("{indexer_url}/audit/checkpoint")).filter(|c| c["size"].as_u64() > Some(10));
        if let Some(cp) = cp {
            break cp;
        }
        if started.elapsed() > Duration::from_secs(90) {
            let log = std::fs::read_to_string(&indexer_log).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            panic!(
                "no signed checkpoint covering the deployment after 90 s; the indexer's log ends:\n{}",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    };

    assert!(
        first["size"].as_u64().unwrap() > 10,
        "the deployment's events are logged: {first}"
    );
    assert!(first["note"].as_str().unwrap().starts_with("fog.local/audit\n"));

    // Killed between broadcast and confirmation, on each chain in turn.
    let relayer = Relayer {
        db: db.url.clone(),
        indexer: indexer_url.clone(),
        manifest: manifest.clone(),
        token_file,
        log_key: key.with_extension("key.pub"),
    };
    relayer.crash_after_broadcast("cosmwasm");
    let rows = anchored_rows(&rt, &db);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        rows[0].2, "broadcast",
        "recorded before broadcast, unconfirmed at the crash"
    );
    let crashed_cosmwasm = rows[0].clone();
    relayer.crash_after_broadcast("evm");
    let rows = anchored_rows(&rt, &db);
    let crashed_evm = rows
        .iter()
        .find(|r| r.0.starts_with("evm:"))
        .expect("an EVM anchor")
        .clone();
    assert_eq!(crashed_evm.2, "broadcast");
    let resumed = relayer.start();

    // Both crashed anchors are settled with the transactions sent before
    // the crash: no second transaction for their sizes.
    wait_for("the crashed anchors to be confirmed", Duration::from_secs(60), || {
        let rows = anchored_rows(&rt, &db);
        let settled = |c: &(String, i64, String, String)| {
            rows.iter()
                .any(|r| r.0 == c.0 && r.1 == c.1 && r.3 == c.3 && r.2 == "confirmed")
        };
        (settled(&crashed_cosmwasm) && settled(&crashed_evm)).then_some(())
    });

    // The anchor took these checkpoints because the log signed them: its
    // log carries the key the indexer signs with (created by `fog devnet
    // up`), and a checkpoint without the log's signature is refused there
    // (contracts/audit-anchor/tests/signed.rs).
    let log: fog_audit_anchor::msg::LogResponse = rt
        .block_on(fog_relayer::chain::ChainClient::new(deployment.client_profile()).query(
            &deployment.contracts.audit_anchor,
            &fog_audit_anchor::msg::QueryMsg::Log {
                origin: "fog.local/audit".into(),
            },
        ))
        .unwrap();
    let verifier =
        fog_relayer::note::VerifierKey::parse(&std::fs::read_to_string(key.with_extension("key.pub")).unwrap())
            .unwrap();
    assert_eq!(
        log.public_key.expect("the devnet's log has a key").as_slice(),
        verifier.public_key()
    );

    // Lineage: a training run's record, registered in the audit log.
    let model = work.path().join("model.bin");
    let data = work.path().join("train.csv");
    std::fs::write(&model, b"weights of a credit model").unwrap();
    std::fs::write(&data, "age,income,label\n34,52000.5,1\n51,61000,0\n").unwrap();
    let run_file = work.path().join("run.json");
    let record = work.path().join("lineage.json");
    let deps = work.path().join("requirements.txt");
    std::fs::write(&deps, "numpy==2.1.0\nscikit-learn==1.5.2\n").unwrap();
    ok(&[
        "lineage",
        "run",
        "start",
        "--name",
        "credit-e2e",
        "--param",
        "max_depth=6",
        "--dataset",
        data.to_str().unwrap(),
        "--deps",
        deps.to_str().unwrap(),
        "--out",
        run_file.to_str().unwrap(),
    ]);
    ok(&[
        "lineage",
        "run",
        "complete",
        run_file.to_str().unwrap(),
        "--model",
        model.to_str().unwrap(),
        "--metric",
        "auc=0.91",
        "--out",
        record.to_str().unwrap(),
    ]);
    // Registering takes a compliance officer's token.
    let register = |token: Option<&str>| {
        let mut args = vec![
            "lineage",
            "register",
            record.to_str().unwrap(),
            "--indexer",
            &indexer_url,
        ];
        if let Some(t) = token {
            args.extend(["--token", t]);
        }
        run(&args)
    };
    let err = register(None).unwrap_err();
    assert!(err.contains("bearer token"), "{err}");
    let err = register(Some(&auditor)).unwrap_err();
    assert!(err.contains("403") && err.contains("auditor"), "{err}");
    // The EVM node stops mining on its own while the registration is
    // logged, so the relayer's anchoring of it waits in the node's pool
    // (mining comes back when the guard goes, even if the test fails).
    let mining_off = MiningOff::new(&evm.rpc);
    let registered = register(Some(&officer)).unwrap();
    let lineage_hash = registered["record_hash"].as_str().unwrap().to_string();
    let seq = registered["audit_seq"].as_u64().unwrap();
    let again = register(Some(&officer)).unwrap();
    assert_eq!(again["audit_seq"].as_u64(), Some(seq), "registering twice logs once");
    fees_rise_while_an_evm_anchoring_waits(&rt, &db, &evm.rpc);
    drop(mining_off);

    let gate = |expect: &str| {
        let err = run(&[
            "release",
            "gate",
            model.to_str().unwrap(),
            "--indexer",
            &indexer_url,
            "--token",
            &auditor,
        ])
        .unwrap_err();
        assert!(err.contains("gate closed") && err.contains(expect), "{err}");
    };
    gate("no release request names it");
    let req = ok(&[
        "release",
        "request",
        "--lineage",
        record.to_str().unwrap(),
        "--version",
        "1.0.0",
        "--from",
        "alice",
    ]);
    let request_id = req["request_id"].as_str().unwrap().to_string();
    let shown = ok(&["release", "show", &request_id]);
    assert_eq!(shown["lineage_hash"], lineage_hash.as_str());
    assert_eq!(shown["artifact_id"], "model.bin");
    gate("is not released");
    ok(&["release", "approve", &request_id, "--from", "developer"]);
    gate("is not released");
    ok(&["release", "approve", &request_id, "--from", "risk"]);

    // Released: the gate opens once the lineage's audit record is anchored
    // (the relayer anchors every new record within about a second).
    let opened = wait_for("the gate to open", Duration::from_secs(60), || {
        run(&[
            "release",
            "gate",
            model.to_str().unwrap(),
            "--indexer",
            &indexer_url,
            "--token",
            &auditor,
            "--require-evm",
        ])
        .ok()
    });
    assert_eq!(opened["lineage_hash"], lineage_hash.as_str());
    assert_eq!(opened["audit_seq"].as_u64(), Some(seq));
    assert_eq!(opened["anchored"].as_array().unwrap().len(), 2, "{opened}");
    // Only for the policy it passed.
    let err = run(&[
        "release",
        "gate",
        model.to_str().unwrap(),
        "--type",
        "EXPERIMENT",
        "--indexer",
        &indexer_url,
        "--token",
        &auditor,
    ])
    .unwrap_err();
    // The gate asks the contract for the type it deploys (since stop 21;
    // before, it read the latest request of any type and compared).
    assert!(err.contains("no release request names it as EXPERIMENT"), "{err}");
    // A genuine, anchored lineage record of another model proves nothing
    // about this file: a release that names it, typed by hand, stays shut.
    let other = work.path().join("other.bin");
    std::fs::write(&other, b"weights nobody trained").unwrap();
    let other_sha = ok(&["lineage", "hash", other.to_str().unwrap()]);
    let other_sha = other_sha[0]["sha256"].as_str().unwrap().to_string();
    let req = ok(&[
        "release",
        "request",
        "--id",
        "other-model",
        "--version",
        "1.0.0",
        "--sha256",
        &other_sha,
        "--lineage-hash",
        &lineage_hash,
        "--from",
        "alice",
    ]);
    let other_id = req["request_id"].as_str().unwrap().to_string();
    ok(&["release", "approve", &other_id, "--from", "developer"]);
    ok(&["release", "approve", &other_id, "--from", "risk"]);
    let err = run(&[
        "release",
        "gate",
        other.to_str().unwrap(),
        "--indexer",
        &indexer_url,
        "--token",
        &auditor,
    ])
    .unwrap_err();
    assert!(err.contains("describes model"), "{err}");
    // Revoked by a risk manager, the release shuts the gate again.
    ok(&[
        "release",
        "revoke",
        &request_id,
        "--reason",
        "a dataset's licence was withdrawn",
        "--from",
        "risk",
    ]);
    gate("is Revoked");

    // Remediation: one officer proposes flagging an address in the
    // registry, a second confirms it, the relayer (a registry officer)
    // submits it. A fresh address: the scenario runs on the same chain at
    // the same time, and a sanctioned dev account would break it.
    let officer2 = token(&db.url, "ben", "compliance_officer");
    let call = |token: &str, path: &str, body: Value| -> Value {
        rt.block_on(async {
            let resp = reqwest::Client::new()
                .post(format!("{indexer_url}{path}"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert!(resp.status().is_success(), "POST {path}: {}", resp.status());
            resp.json().await.unwrap()
        })
    };
    let listed = cosmrs::AccountId::new("inj", &rand::random::<[u8; 20]>())
        .unwrap()
        .to_string();
    assert_eq!(ok(&["registry", "show", &listed])["status"]["sanctioned"], false);
    let case = call(
        &officer,
        "/cases",
        serde_json::json!({"title": "an address matched a sanctions list"}),
    );
    let action = call(
        &officer,
        &format!("/cases/{}/actions", case["id"]),
        serde_json::json!({"kind": "flag_sanctioned", "address": listed, "reason": "SDN list 2026-11-22"}),
    );
    assert_eq!(action["status"], "proposed");
    let confirmed = call(
        &officer2,
        &format!("/actions/{}/confirmation", action["id"]),
        serde_json::json!({}),
    );
    assert_eq!(confirmed["status"], "confirmed");
    let done = wait_for("the relayer to submit the remediation", Duration::from_secs(60), || {
        let list = get(&format!("{indexer_url}/actions"))?;
        let a = list["actions"]
            .as_array()?
            .iter()
            .find(|a| a["id"] == action["id"])?
            .clone();
        (a["status"] == "done").then_some(a)
    });
    assert!(done["tx_hash"].is_string(), "{done}");
    assert_eq!(ok(&["registry", "show", &listed])["status"]["sanctioned"], true);
    // A KYC renewal of the listed address keeps the sanction (`fog
    // registry set` repeats the flag, the contract refuses a change), and
    // flagging an entry that exists goes through `fog registry sanction`.
    let commitment = "44".repeat(32);
    let kyc = |who: &str, extra: &[&str]| {
        let mut args = vec![
            "registry",
            "set",
            who,
            "--tier",
            "1",
            "--jurisdiction",
            "DE",
            "--commitment",
            &commitment,
            "--from",
            "officer",
        ];
        args.extend_from_slice(extra);
        run(&args)
    };
    kyc(&listed, &[]).unwrap();
    let shown = ok(&["registry", "show", &listed]);
    assert_eq!(
        (&shown["status"]["sanctioned"], &shown["status"]["kyc_tier"]),
        (&Value::Bool(true), &Value::from(1))
    );
    let kyc_only = cosmrs::AccountId::new("inj", &rand::random::<[u8; 20]>())
        .unwrap()
        .to_string();
    kyc(&kyc_only, &[]).unwrap();
    let err = kyc(&kyc_only, &["--sanctioned"]).unwrap_err();
    assert!(err.contains("already has an entry, not sanctioned"), "{err}");
    assert_eq!(ok(&["registry", "show", &kyc_only])["status"]["sanctioned"], false);

    // Nothing missed: both chains catch up with the log's latest checkpoint.
    let latest = wait_for(
        "both chains to anchor the latest checkpoint",
        Duration::from_secs(60),
        || {
            let cp = get(&format!("{indexer_url}/audit/checkpoint"))?;
            let size = cp["size"].as_u64()?;
            let roots = rt.block_on(anchored::all(&deployment, "fog.local/audit")).ok()?;
            let top = |prefix: &str| {
                roots
                    .iter()
                    .filter(|r| r.chain.starts_with(prefix))
                    .map(|r| r.size)
                    .max()
            };
            // ...and the relayer has seen its transactions in blocks.
            let settled = anchored_rows(&rt, &db).iter().all(|r| r.2 != "broadcast");
            (top("cosmwasm:") == Some(size) && top("evm:") == Some(size) && settled).then_some(size)
        },
    );
    drop(resumed);

    // Never the same size twice: one anchor per size per chain on chain, and
    // one confirmed transaction per anchor in the relayer's record.
    let roots = rt.block_on(anchored::all(&deployment, "fog.local/audit")).unwrap();
    let rows = anchored_rows(&rt, &db);
    for chain in ["cosmwasm:", "evm:"] {
        let sizes: Vec<u64> = roots
            .iter()
            .filter(|r| r.chain.starts_with(chain))
            .map(|r| r.size)
            .collect();
        assert!(sizes.len() >= 2, "{chain} anchored {sizes:?}");
        assert!(sizes.windows(2).all(|w| w[0] < w[1]), "{chain} anchored {sizes:?}");
        let confirmed: Vec<u64> = rows
            .iter()
            .filter(|r| r.0.starts_with(chain) && r.2 == "confirmed")
            .map(|r| r.1 as u64)
            .collect();
        assert_eq!(confirmed, sizes, "{chain}: every anchor is one recorded transaction");
        assert!(
            rows.iter()
                .filter(|r| r.0.starts_with(chain))
                .all(|r| r.2 == "confirmed"),
            "{chain}: no failed or extra transaction: {rows:?}"
        );
    }
    assert!(latest > seq);

    // Gas of the anchors, for docs/BENCHMARKS.md: the first (no proof) and
    // the largest later one (with its consistency proof).
    let gas_rows: Vec<(String, i64, i64)> = rt.block_on(async {
        sqlx::query_as("SELECT target, size, gas_used FROM relayer_anchors WHERE status = 'confirmed' ORDER BY size")
            .fetch_all(&db.store.pool)
            .await
            .unwrap()
    });
    for (chain, label) in [
        ("cosmwasm:", "audit checkpoint, CosmWasm"),
        ("evm:", "audit anchor, EVM"),
    ] {
        let mine: Vec<&(String, i64, i64)> = gas_rows.iter().filter(|r| r.0.starts_with(chain)).collect();
        let first = mine.first().expect("anchored");
        crate::fog::gas(&format!("{label} (first)"), &serde_json::json!({ "gas_used": first.2 }));
        let later = mine[1..].iter().max_by_key(|r| r.2).expect("anchored twice");
        crate::fog::gas(
            &format!("{label} (later, with proof)"),
            &serde_json::json!({ "gas_used": later.2 }),
        );
        eprintln!(
            "{label}: first at size {} used {}, most at size {} used {}",
            first.1, first.2, later.1, later.2
        );
    }
    assert!(roots
        .iter()
        .any(|r| r.chain.starts_with("evm:") && r.chain.contains(&evm.audit_anchor)));

    // `fog audit verify` recomputes everything and agrees with both chains.
    let verified = ok(&[
        "audit",
        "verify",
        "--database-url",
        &db.url,
        "--key",
        key.with_extension("key.pub").to_str().unwrap(),
    ]);
    assert_eq!(verified["ok"], true, "{verified}");
    assert_eq!(verified["signatures_checked"], true);
    assert_eq!(verified["anchors"].as_u64().unwrap() as usize, roots.len());
    assert_eq!(verified["anchored_on"].as_array().unwrap().len(), 2);
    // Without --key and without <home>/audit.key.pub (a verifier on another
    // machine): the key the CosmWasm anchor checks the log with.
    let elsewhere = tempfile::tempdir().unwrap();
    let manifest = crate::fog::home().join("devnet").join("deployment.json");
    let verified = ok(&[
        "audit",
        "verify",
        "--database-url",
        &db.url,
        "--home",
        elsewhere.path().to_str().unwrap(),
        "--deployment",
        manifest.to_str().unwrap(),
    ]);
    assert_eq!(verified["ok"], true, "{verified}");
    assert_eq!(verified["signatures_checked"], true, "{verified}");
}
