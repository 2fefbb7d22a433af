//! The compliance scenario: on a real chain, the devnet's compliance cast
//! (`fog devnet` accounts smurf, careful, whale, ...) acts out every pattern
//! the shipped rules watch for, each beside its near miss. With
//! `FOG_RECORD_DIR` set, the chain is then recorded there (RPC answers,
//! status, deployment): `scripts/record-compliance-fixture.sh` turns that
//! into `indexer/tests/fixtures/devnet-compliance.tar.gz`, on which
//! `indexer/tests/rules_recorded.rs` asserts every detector's alerts.
//!
//! | pattern (rule)                               | hit                                   | near miss                                  |
//! |----------------------------------------------|---------------------------------------|--------------------------------------------|
//! | large transfer (aml.large_transfer)          | whale's and steady's >= 100,000 FOG   | 95,000 FOG transfers                       |
//! | structuring (aml.structuring)                | smurf: 3 x 95,000 FOG within minutes  | careful: 95,000, 95,000 and 89,999 FOG     |
//! | velocity (aml.velocity)                      | whale: 1,000,000 FOG within an hour   | steady: 999,999 FOG                        |
//! | sanctioned counterparty                      | to mallory (listed), to shady (flag)  | every other transfer                       |
//! | KYC tier limit (kyc.tier_limit)              | tier-0 transfers and locks > 1,000    | careful (tier 1) sending 95,000; 1,000 FOG |
//! | governance concentration (gov.concentration) | kingmaker's ballot on P1; Nakamoto    | backer at 46% on P2; P3 with two voters    |
//! | governance anomaly (gov.anomaly)             | newcomer votes with delegator's power | guide votes with minnow's small power      |
//! | release-gate anomaly (release.anomaly)       | risk approves after whale funded it   | developer's approval                       |

use serde_json::Value;

use crate::fog::{devnet, home, num, ok, signers};

fn send(from: &str, to: &str, fog: &str) {
    ok(&["send", "--to", to, "--amount", fog, "--from", from]);
}

fn lock(who: &str, fog: &str, weeks: &str) {
    ok(&["lock", "--amount", fog, "--weeks", weeks, "--from", who]);
}

fn propose(title: &str, from: &str) -> u64 {
    let tx = ok(&["propose", "text", "--title", title, "--from", from]);
    tx["proposal_id"].as_u64().expect("a proposal id")
}

fn vote(id: u64, choice: &str, from: &str) {
    ok(&["vote", &id.to_string(), choice, "--from", from]);
}

fn kyc(who: &str, tier: &str) {
    let commitment = "33".repeat(32);
    ok(&[
        "registry",
        "set",
        who,
        "--tier",
        tier,
        "--jurisdiction",
        "DE",
        "--commitment",
        &commitment,
        "--from",
        "officer",
    ]);
}

#[test]
fn compliance_patterns_on_a_real_chain() {
    devnet();
    let _signers = signers();

    // Registry first: careful is KYC tier 1 (limit 100,000 FOG), shady is
    // flagged before anyone pays it.
    kyc("careful", "1");
    ok(&[
        "registry",
        "sanction",
        "shady",
        "--reason",
        "compliance scenario",
        "--from",
        "officer",
    ]);

    // Governance: locks, delegations, then three proposals.
    // Small next to the main scenario's locks, which share the devnet: its
    // proposals must still be decided early by their own voters.
    lock("kingmaker", "200000", "104");
    lock("backer", "60000", "104");
    lock("delegator", "60000", "104");
    lock("guide", "2000", "104");
    lock("minnow", "20000", "52");
    ok(&["register-delegate", "--profile", "new here", "--from", "newcomer"]);
    ok(&[
        "register-delegate",
        "--profile",
        "long-time delegate",
        "--from",
        "guide",
    ]);
    ok(&["delegate", "newcomer", "--from", "delegator"]);
    ok(&["delegate", "guide", "--from", "minnow"]);
    let p1 = propose("Concentrated", "backer");
    let p2 = propose("Spread out", "backer");
    let p3 = propose("Two voters", "backer");
    // P1: kingmaker votes last, holding ~62% of the power cast by three.
    vote(p1, "no", "backer");
    vote(p1, "yes", "newcomer");
    vote(p1, "yes", "kingmaker");
    // P2: three ballots, the largest just under half.
    vote(p2, "yes", "guide");
    vote(p2, "no", "delegator");
    vote(p2, "yes", "backer");
    // P3: two ballots only (on a devnet of its own, kingmaker's decides it
    // and the vote closes early; so it votes last).
    vote(p3, "no", "backer");
    vote(p3, "yes", "kingmaker");

    // Structuring and its near miss.
    for _ in 0..3 {
        send("smurf", "mule", "95000");
    }
    send("careful", "mule", "95000");
    send("careful", "mule", "95000");
    send("careful", "mule", "89999");
    // Velocity and its near miss (each transfer also a large one).
    send("whale", "mule", "400000");
    send("whale", "mule", "400000");
    send("whale", "mule", "200000");
    send("steady", "mule", "600000");
    send("steady", "mule", "399999");
    // Sanctioned counterparties: listed (mallory) and flagged (shady).
    send("smurf", "mallory", "10");
    // (careful, not steady: steady's next FOG would take it to 1,000,000.)
    send("careful", "shady", "1");
    // KYC tier 0's limit exactly: not above it.
    send("smurf", "mule", "1000");

    // A release whose second approver was paid by the requester.
    let sha = "ab".repeat(32);
    let req = ok(&[
        "release",
        "request",
        "--id",
        "compliance-model",
        "--version",
        "1.0.0",
        "--sha256",
        &sha,
        "--lineage-hash",
        &"cd".repeat(32),
        "--dataset",
        &"ef".repeat(32),
        "--from",
        "whale",
    ]);
    let request = req["request_id"].as_str().unwrap().to_string();
    ok(&["release", "approve", &request, "--from", "developer"]);
    send("whale", "risk", "5");
    ok(&["release", "approve", &request, "--from", "risk"]);
    assert_eq!(ok(&["release", "status", &sha])["released"], true);

    // What the chain says, which the recorded fixture's assertions rely on.
    let tally = |id: u64| -> Value { ok(&["query", "proposal", &id.to_string()]) };
    for id in [p1, p2, p3] {
        let voters = ok(&["query", "votes", &id.to_string()])["votes"]
            .as_array()
            .map(Vec::len);
        let expected = if id == p3 { 2 } else { 3 };
        assert_eq!(voters, Some(expected), "proposal {id}: {}", tally(id));
    }
    assert_eq!(
        num(&ok(&["query", "balance", "mule"])["fog"]),
        (3 * 95_000 + 2 * 95_000 + 89_999 + 1_000_000 + 999_999 + 1_000) * 1_000_000
    );

    if let Some(dir) = std::env::var_os("FOG_RECORD_DIR") {
        record(std::path::Path::new(&dir));
    }
}

/// Records every block so far, the node's status and the deployment into
/// `dir`, as `fog-indexer record` does.
fn record(dir: &std::path::Path) {
    use fog_indexer::source::{write_recorded, BlockSource, RpcSource};
    let deployment = fog_relayer::deployment::Deployment::load(&home().join("devnet/deployment.json")).unwrap();
    std::fs::create_dir_all(dir).unwrap();
    std::fs::copy(home().join("devnet/deployment.json"), dir.join("deployment.json")).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let status: Value = reqwest::get(format!("{}/status", deployment.rpc.trim_end_matches('/')))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        std::fs::write(dir.join("status.json"), serde_json::to_vec(&status).unwrap()).unwrap();
        let source = RpcSource::connect(&deployment.rpc, &deployment.profile.bech32_prefix)
            .await
            .unwrap();
        let head = source.latest_height().await.unwrap();
        for h in 1..=head {
            let (block, results) = source.fetch_raw(h).await.unwrap();
            write_recorded(dir, h, &block, &results).unwrap();
        }
        eprintln!("recorded heights 1..={head} into {}", dir.display());
    });
}
