//! The stack on a real chain: wallets lock FOG; a proposal of every voting
//! method is voted on (one voter through a delegate, one overriding it) and
//! finalised; a treasury spend runs after its timelock; a release gets its
//! two approvals from two groups. Both key types sign.

use serde_json::Value;

use crate::fog::{devnet, gas, num, ok, run, wait_until};

fn proposal(id: u64) -> Value {
    ok(&["query", "proposal", &id.to_string()])
}

fn vote_power(id: u64, voter: &str) -> (u128, u128) {
    let votes = ok(&["query", "votes", &id.to_string()]);
    let addr = ok(&["keys", "list"]);
    let address = addr["devnet"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == voter)
        .map(|k| k["address"].as_str().unwrap().to_string())
        .unwrap();
    let v = votes["votes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["voter"] == address.as_str())
        .unwrap_or_else(|| panic!("{voter} has no vote on {id}"))
        .clone();
    (num(&v["power"]), num(&v["weight"]))
}

fn propose(args: &[&str], action: &str) -> u64 {
    let tx = ok(args);
    gas(action, &tx);
    tx["proposal_id"].as_u64().expect("a proposal id")
}

fn vote(id: u64, args: &[&str], from: &str, action: &str) {
    let id = id.to_string();
    let mut all = vec!["vote", id.as_str()];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--from", from]);
    let tx = ok(&all);
    gas(action, &tx);
}

#[test]
fn governance_and_release_on_a_real_chain() {
    let up = devnet();
    let _signers = crate::fog::signers();
    let indexer = crate::indexer::start();
    let deploy_gas = &up["deployment"]["deploy_gas"];
    for (k, v) in deploy_gas.as_object().unwrap() {
        gas(k, &serde_json::json!({ "gas_used": v }));
    }

    // Wallets lock FOG; erin signs with a plain secp256k1 (coin type 118) key.
    for (who, amount, weeks) in [
        ("alice", "1000000", "104"),
        ("bob", "800000", "104"),
        ("carol", "600000", "104"),
        ("dave", "300000", "104"),
    ] {
        let tx = ok(&["lock", "--amount", amount, "--weeks", weeks, "--from", who]);
        gas(&format!("lock ({who}, eth_secp256k1)"), &tx);
    }
    let tx = ok(&["lock", "--amount", "200000", "--weeks", "52", "--from", "erin"]);
    gas("lock (erin, secp256k1)", &tx);
    assert_eq!(num(&ok(&["query", "lock", "erin"])["amount"]), 200_000_000_000);
    let tx = ok(&["increase", "--amount", "1000", "--from", "alice"]);
    gas("increase", &tx);
    let tx = ok(&["extend", "--weeks", "156", "--from", "bob"]);
    gas("extend", &tx);
    assert_eq!(ok(&["query", "tier", "bob"])["tier"], "Platinum");

    // dave is a delegate; carol delegates to him.
    gas(
        "register delegate",
        &ok(&[
            "register-delegate",
            "--profile",
            "https://forum.fog/dave",
            "--from",
            "dave",
        ]),
    );
    gas("delegate", &ok(&["delegate", "dave", "--from", "carol"]));
    let dave = ok(&["query", "power", "dave"]);
    let carol = ok(&["query", "power", "carol"]);
    assert_eq!(num(&dave["received"]), num(&carol["own"]));
    assert_eq!(num(&carol["voting"]), 0);

    // Quadratic voting counts only KYC'd voters: the officer records them.
    let commitment = "11".repeat(32);
    for who in ["alice", "bob", "erin"] {
        ok(&[
            "registry",
            "set",
            who,
            "--tier",
            "1",
            "--jurisdiction",
            "CH",
            "--commitment",
            &commitment,
            "--from",
            "officer",
        ]);
    }

    // One proposal of each voting method, plus a treasury spend.
    let yes_no = propose(
        &["propose", "text", "--title", "Adopt the charter", "--from", "alice"],
        "propose text (yes/no)",
    );
    let multi = propose(
        &[
            "propose",
            "text",
            "--title",
            "Pick a logo",
            "--method",
            "multiple-choice",
            "--option",
            "fog",
            "--option",
            "cloud",
            "--option",
            "mist",
            "--from",
            "bob",
        ],
        "propose multiple choice (3 options)",
    );
    let ranked = propose(
        &[
            "propose",
            "text",
            "--title",
            "Rank the roadmap",
            "--method",
            "ranked",
            "--option",
            "audit",
            "--option",
            "bridge",
            "--option",
            "mobile",
            "--from",
            "alice",
        ],
        "propose ranked choice (3 options)",
    );
    let quadratic = propose(
        &[
            "propose",
            "text",
            "--title",
            "Fund the grants round",
            "--method",
            "quadratic",
            "--from",
            "erin",
        ],
        "propose quadratic (secp256k1 signer)",
    );
    let grantee = "inj1venxvenxvenxvenxvenxvenxvenxvenx5mgexe";
    let spend = propose(
        &[
            "propose", "spend", "--title", "Grant", "--to", grantee, "--amount", "1234", "--from", "alice",
        ],
        "propose treasury spend",
    );
    // The treasury also holds native tokens: a bank-send proposal.
    let governance = up["deployment"]["contracts"]["governance"]
        .as_str()
        .unwrap()
        .to_string();
    ok(&[
        "send",
        "--to",
        &governance,
        "--amount",
        "5000000000000000000",
        "--asset",
        "native:inj",
        "--from",
        "deployer",
    ]);
    let bank_spend = propose(
        &[
            "propose",
            "spend",
            "--title",
            "Pay the auditors",
            "--to",
            grantee,
            "--amount",
            "1000000000000000000",
            "--asset",
            "native:inj",
            "--from",
            "alice",
        ],
        "propose treasury spend (native)",
    );
    // Ranked-choice gas at 2, 5 and 10 options.
    let option_names = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
    let ranked_sizes: Vec<(usize, u64)> = [2usize, 5, 10]
        .iter()
        .map(|&n| {
            let mut args = vec!["propose", "text", "--title", "Ranked", "--method", "ranked"];
            for o in &option_names[..n] {
                args.extend_from_slice(&["--option", o]);
            }
            args.extend_from_slice(&["--from", "bob"]);
            (n, propose(&args, &format!("propose ranked choice ({n} options)")))
        })
        .collect();

    // Yes/no: dave votes for himself and carol; carol then overrides him.
    vote(yes_no, &["yes"], "dave", "vote yes/no (delegate)");
    let (dave_before, _) = vote_power(yes_no, "dave");
    vote(yes_no, &["no"], "carol", "vote yes/no (overriding delegator)");
    let (dave_after, _) = vote_power(yes_no, "dave");
    let (carol_power, _) = vote_power(yes_no, "carol");
    assert_eq!(
        dave_after,
        dave_before - carol_power,
        "carol took her power back from dave's ballot"
    );
    vote(yes_no, &["yes"], "alice", "vote yes/no");
    vote(yes_no, &["abstain"], "erin", "vote yes/no (secp256k1 signer)");
    let p = proposal(yes_no);
    let tally: Vec<u128> = p["tally"].as_array().unwrap().iter().map(num).collect();
    let (alice_power, _) = vote_power(yes_no, "alice");
    let (erin_power, _) = vote_power(yes_no, "erin");
    assert_eq!(tally, vec![alice_power + dave_after, carol_power, erin_power]);

    vote(multi, &["--option", "1"], "alice", "vote multiple choice");
    vote(multi, &["--option", "2"], "bob", "vote multiple choice");
    vote(multi, &["--option", "1"], "dave", "vote multiple choice (delegate)");

    vote(ranked, &["--rank", "1,0"], "alice", "vote ranked (2 ranks of 3)");
    vote(ranked, &["--rank", "0,2,1"], "bob", "vote ranked (3 ranks of 3)");
    vote(ranked, &["--rank", "2,1"], "dave", "vote ranked (delegate)");

    vote(quadratic, &["yes"], "alice", "vote quadratic");
    vote(quadratic, &["no"], "bob", "vote quadratic");
    vote(quadratic, &["yes"], "erin", "vote quadratic (secp256k1 signer)");
    let err = run(&["vote", &quadratic.to_string(), "yes", "--from", "dave"]).unwrap_err();
    assert!(err.contains("KYC tier"), "{err}");
    let (qa, qa_weight) = vote_power(quadratic, "alice");
    assert_eq!(qa_weight, fog_governance::voting::weight::isqrt(qa));

    for id in [spend, bank_spend] {
        for who in ["alice", "bob", "dave"] {
            if proposal(id)["status"] == "open" {
                vote(id, &["yes"], who, "vote yes/no (treasury spend)");
            }
        }
    }
    for &(n, id) in &ranked_sizes {
        let top = (n - 1).to_string();
        let ranking = if n >= 3 {
            format!("{top},1,0")
        } else {
            "1,0".to_string()
        };
        vote(
            id,
            &["--rank", &ranking],
            "alice",
            &format!("vote ranked ({n} options)"),
        );
        vote(
            id,
            &["--rank", "0,1"],
            "bob",
            &format!("vote ranked ({n} options, 2 ranks)"),
        );
        vote(
            id,
            &["--rank", "1"],
            "erin",
            &format!("vote ranked ({n} options, secp256k1 signer)"),
        );
    }
    assert_eq!(proposal(spend)["status"], "passed", "decided before its end");
    let err = run(&["execute", &spend.to_string(), "--from", "bob"]).unwrap_err();
    assert!(err.contains("timelocked"), "{err}");

    // Wait for the votes to end, then close every proposal.
    let end = [yes_no, multi, ranked, quadratic]
        .iter()
        .chain(ranked_sizes.iter().map(|(_, id)| id))
        .map(|id| proposal(*id)["end_time"].as_u64().unwrap())
        .max()
        .unwrap();
    wait_until(end);
    for (id, label) in [
        (yes_no, "close yes/no"),
        (multi, "close multiple choice"),
        (ranked, "close ranked (3 options)"),
        (quadratic, "close quadratic"),
    ] {
        match run(&["close", &id.to_string(), "--from", "bob"]) {
            Ok(tx) => gas(label, &tx),
            Err(e) => assert!(e.contains("already closed"), "{e}"),
        }
    }
    assert_eq!(proposal(yes_no)["status"], "passed");
    let m = proposal(multi);
    assert_eq!(m["status"], "passed");
    assert_eq!(m["winner"], 1, "cloud: alice and dave");
    let r = proposal(ranked);
    assert_eq!(r["status"], "passed");
    assert!(r["winner"].is_u64());
    assert_eq!(
        proposal(quadratic)["status"],
        "passed",
        "sqrt(alice) + sqrt(erin) > sqrt(bob)"
    );
    for &(n, id) in &ranked_sizes {
        gas(
            &format!("close ranked ({n} options)"),
            &ok(&["close", &id.to_string(), "--from", "bob"]),
        );
        assert_eq!(proposal(id)["status"], "passed");
    }

    // The treasury spend runs only after its timelock.
    let p = proposal(spend);
    let executable_at = p["executable_at"].as_u64().expect("passed proposals have a time");
    wait_until(executable_at);
    gas(
        "execute treasury spend (cw20)",
        &ok(&["execute", &spend.to_string(), "--from", "bob"]),
    );
    assert_eq!(proposal(spend)["status"], "executed");
    assert_eq!(num(&ok(&["query", "balance", grantee])["fog"]), 1_234_000_000);
    wait_until(proposal(bank_spend)["executable_at"].as_u64().unwrap());
    gas(
        "execute treasury spend (bank send, secp256k1 signer)",
        &ok(&["execute", &bank_spend.to_string(), "--from", "erin"]),
    );
    assert_eq!(
        num(&ok(&["query", "balance", grantee])["native"]),
        1_000_000_000_000_000_000
    );
    // Closing after execution returns the deposit.
    gas(
        "close after execution (refunds the deposit)",
        &ok(&["close", &spend.to_string(), "--from", "alice"]),
    );

    protocol_upgrades(&up["deployment"]);

    // dave stops representing carol, then leaves: her power is hers again.
    gas("drop a delegator", &ok(&["drop-delegator", "carol", "--from", "dave"]));
    let carol = ok(&["query", "power", "carol"]);
    assert_eq!(num(&carol["voting"]), num(&carol["own"]));
    assert_eq!(num(&ok(&["query", "power", "dave"])["received"]), 0);
    gas("unregister delegate", &ok(&["unregister-delegate", "--from", "dave"]));

    // The four-eyes release: two approvals from two groups.
    let sha = hex(&rand_bytes());
    let lineage = hex(&rand_bytes());
    let req = ok(&[
        "release",
        "request",
        "--id",
        "credit-model",
        "--version",
        "1.0.0",
        "--sha256",
        &sha,
        "--lineage-hash",
        &lineage,
        "--dataset",
        &"22".repeat(32),
        "--notes",
        "validated on holdout",
        "--from",
        "alice",
    ]);
    gas("release request", &req);
    let request_id: String = req["request_id"].as_str().unwrap().to_string();
    assert_eq!(ok(&["release", "status", &sha])["released"], false);
    let err = run(&["release", "approve", &request_id, "--from", "alice"]).unwrap_err();
    assert!(err.contains("requester") || err.contains("not a member"), "{err}");
    gas(
        "release approve",
        &ok(&[
            "release",
            "approve",
            &request_id,
            "--comment",
            "code reviewed",
            "--from",
            "developer",
        ]),
    );
    assert_eq!(
        ok(&["release", "status", &sha])["released"],
        false,
        "one approval is not four eyes"
    );
    gas(
        "release approve (releases)",
        &ok(&[
            "release",
            "approve",
            &request_id,
            "--comment",
            "risk accepted",
            "--from",
            "risk",
        ]),
    );
    let status = ok(&["release", "status", &sha]);
    assert_eq!(status["released"], true);
    assert_eq!(status["request"]["id"].as_u64().unwrap().to_string(), request_id);

    // The indexer mirrored all of it live: every projection equals the contracts.
    let compared = indexer.finish();
    eprintln!("verify-state: {compared} values compared, no difference");
}

/// Votes yes with every voter while the proposal is open (it is decided
/// early once nothing can change the outcome), waits for its end if it was
/// not (the query then reports the outcome, and executing decides it),
/// waits out its timelock and executes it.
fn pass_and_execute(id: u64, label: &str) -> Value {
    for who in ["alice", "bob", "dave", "erin"] {
        if proposal(id)["status"] == "open" {
            vote(id, &["yes"], who, &format!("vote yes/no ({label})"));
        }
    }
    if proposal(id)["status"] == "open" {
        wait_until(proposal(id)["end_time"].as_u64().unwrap());
    }
    assert_eq!(proposal(id)["status"], "passed", "{label}");
    wait_until(proposal(id)["executable_at"].as_u64().unwrap());
    let tx = ok(&["execute", &id.to_string(), "--from", "bob"]);
    gas(&format!("execute {label}"), &tx);
    assert_eq!(proposal(id)["status"], "executed", "{label}");
    tx
}

/// A GET of the chain's REST API.
fn rest(deployment: &Value, path: &str) -> Value {
    let url = format!("{}{path}", deployment["rest"].as_str().unwrap().trim_end_matches('/'));
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let r = reqwest::get(&url).await.unwrap_or_else(|e| panic!("GET {url}: {e}"));
        assert!(r.status().is_success(), "GET {url}: {}", r.status());
        r.json::<Value>().await.unwrap()
    })
}

/// The code a contract runs now and how many times it was migrated.
fn code_history(deployment: &Value, contract: &str) -> (u64, usize) {
    let history = rest(deployment, &format!("/cosmwasm/wasm/v1/contract/{contract}/history"));
    let entries = history["entries"].as_array().unwrap();
    let migrations = entries
        .iter()
        .filter(|e| e["operation"].as_str().unwrap().ends_with("MIGRATE"))
        .count();
    let code_id = entries.last().unwrap()["code_id"].as_str().unwrap().parse().unwrap();
    (code_id, migrations)
}

/// Governance's count of deposits it holds (its `dh` storage item).
fn deposits_held(deployment: &Value, governance: &str) -> u128 {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    // The key in the path is URL-safe base64, the data standard base64.
    let key = base64::engine::general_purpose::URL_SAFE.encode("dh");
    let raw = rest(
        deployment,
        &format!("/cosmwasm/wasm/v1/contract/{governance}/raw/{key}"),
    );
    let json = b64.decode(raw["data"].as_str().unwrap()).unwrap();
    num(&serde_json::from_slice(&json).unwrap())
}

/// The DAO migrates the contracts it manages on the real chain (wasmd: the
/// governance contract is their admin and sends the migrations), then adds
/// itself to what it manages (a safeguard change) and migrates itself: its
/// `migrate` recounts the deposits it holds from the proposals, and the
/// count must equal the one it kept.
fn protocol_upgrades(deployment: &Value) {
    let contract = |name: &str| deployment["contracts"][name].as_str().unwrap().to_string();
    let code = |artifact: &str| deployment["codes"][artifact]["code_id"].as_u64().unwrap();
    let managed = [
        ("ve", "fog_ve"),
        ("registry", "fog_registry"),
        ("release_gate", "fog_release_gate"),
        ("audit_anchor", "fog_audit_anchor"),
    ];
    let mut args: Vec<String> = [
        "propose",
        "upgrade",
        "--title",
        "Re-run the migrations",
        "--from",
        "alice",
    ]
    .map(String::from)
    .to_vec();
    for (name, artifact) in managed {
        assert_eq!(code_history(deployment, &contract(name)), (code(artifact), 0));
        args.push("--migrate".into());
        args.push(format!("{}:{}", contract(name), code(artifact)));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let upgrade = propose(&args, "propose protocol upgrade (4 migrations)");
    pass_and_execute(upgrade, "protocol upgrade (4 migrations)");
    for (name, artifact) in managed {
        assert_eq!(
            code_history(deployment, &contract(name)),
            (code(artifact), 1),
            "{name} migrated once"
        );
    }

    let governance = contract("governance");
    let all: Vec<String> = ["token", "ve", "release_gate", "audit_anchor", "registry", "governance"]
        .iter()
        .map(|c| contract(c))
        .collect();
    let json = serde_json::json!({ "managed_contracts": all }).to_string();
    let manage = propose(
        &[
            "propose",
            "params",
            "--title",
            "Govern governance's code",
            "--json",
            &json,
            "--from",
            "alice",
        ],
        "propose parameter change (safeguard: managed contracts)",
    );
    pass_and_execute(manage, "parameter change (safeguard)");
    let upgrade_self = propose(
        &[
            "propose",
            "upgrade",
            "--title",
            "Re-run governance's migration",
            "--migrate",
            &format!("{governance}:{}", code("fog_governance")),
            "--from",
            "alice",
        ],
        "propose protocol upgrade (governance itself)",
    );
    let held = deposits_held(deployment, &governance);
    assert!(held > 0, "proposals hold deposits");
    pass_and_execute(upgrade_self, "protocol upgrade (governance itself)");
    assert_eq!(code_history(deployment, &governance), (code("fog_governance"), 1));
    assert_eq!(
        deposits_held(deployment, &governance),
        held,
        "the migration's recount equals the count governance kept"
    );
}

fn rand_bytes() -> [u8; 32] {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = (nanos >> ((i % 16) * 8)) as u8 ^ (i as u8).wrapping_mul(31);
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
