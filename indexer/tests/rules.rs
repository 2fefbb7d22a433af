//! The compliance rules: every detector with a hit and a near miss over rows
//! written as the indexer writes them, the CEL condition, alerts raised
//! once per event, the four-eyes activation and the test-run API.

#[path = "common/recorded.rs"]
mod recorded;
#[path = "common/api_support.rs"]
mod support;

use std::path::Path;

use fog_indexer::rules::spec::{Detector, RuleSpec};
use fog_indexer::rules::{registry, write_alerts, CompiledRule, Engine};
use serde_json::{json, Value};
use sqlx::PgPool;
use support::{blocks, Api};

fn rule(id: &str, detector: Detector) -> RuleSpec {
    RuleSpec {
        id: id.into(),
        version: 1,
        title: format!("test {id}"),
        description: String::new(),
        detector,
        condition: None,
        severity: "high".into(),
        risk_score: 70,
        tags: vec!["AML".into()],
    }
}

/// A transfer at `height` (block times are 6 s apart from support::T0).
async fn transfer(pool: &PgPool, height: i64, seq: i32, asset: &str, from: &str, to: &str, amount: u128) {
    sqlx::query(
        "INSERT INTO transfers (height, seq, part, tx_hash, asset, action, sender, recipient, amount) \
         VALUES ($1, $2, 0, 'TX' || $1 || '_' || $2, $3, 'transfer', $4, $5, $6::numeric)",
    )
    .bind(height)
    .bind(seq)
    .bind(asset)
    .bind(from)
    .bind(to)
    .bind(amount.to_string())
    .execute(pool)
    .await
    .unwrap();
}

async fn registry_entry(pool: &PgPool, address: &str, tier: i16, sanctioned: bool) {
    registry_change(pool, address, 1, 0, Some(tier), sanctioned, None).await;
}

/// The registry entry of `address` as projected by an event at (`height`,
/// `seq`): the current entry and its history row (`tier` None: removed).
async fn registry_change(
    pool: &PgPool,
    address: &str,
    height: i64,
    seq: i32,
    tier: Option<i16>,
    sanctioned: bool,
    expires_at_ns: Option<i64>,
) {
    sqlx::query("DELETE FROM registry_entries WHERE address = $1")
        .bind(address)
        .execute(pool)
        .await
        .unwrap();
    if let Some(tier) = tier {
        sqlx::query(
            "INSERT INTO registry_entries (address, kyc_tier, jurisdiction, sanctioned, expires_at_ns, commitment, officer, updated_at_ns, height) \
             VALUES ($1, $2, 'DE', $3, $4, '00', 'inj1officer', 0, $5)",
        )
        .bind(address)
        .bind(tier)
        .bind(sanctioned)
        .bind(expires_at_ns)
        .bind(height)
        .execute(pool)
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO registry_history (address, height, seq, kyc_tier, sanctioned, expires_at_ns) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(address)
    .bind(height)
    .bind(seq)
    .bind(tier)
    .bind(sanctioned && tier.is_some())
    .bind(expires_at_ns)
    .execute(pool)
    .await
    .unwrap();
}

async fn hits(pool: &PgPool, spec: RuleSpec, from: i64, to: i64) -> Vec<(String, Value)> {
    let rule = CompiledRule::compile(spec).unwrap();
    let mut conn = pool.acquire().await.unwrap();
    rule.evaluate(&mut conn, from, to)
        .await
        .unwrap()
        .into_iter()
        .map(|h| (h.event_key, h.evidence))
        .collect()
}

fn keys(hits: &[(String, Value)]) -> Vec<&str> {
    hits.iter().map(|(k, _)| k.as_str()).collect()
}

const FOG: &str = "cw20:inj1token";

/// A valid bech32 account address named after `name`: sanctions lists hold
/// only such addresses.
fn addr(name: &str) -> String {
    use sha2::{Digest, Sha256};
    cosmrs::AccountId::new("inj", &Sha256::digest(name.as_bytes())[..20])
        .unwrap()
        .to_string()
}

#[test]
fn a_sanctions_list_entry_that_could_never_match_refuses_the_list_by_line() {
    use fog_indexer::rules::parse_list;
    let good = addr("good");
    assert_eq!(
        parse_list(&format!("\u{feff}{}\n# c\n\n  {good} # x\n", good.to_uppercase())).unwrap(),
        [good.clone(), good.clone()]
    );
    for (text, why) in [
        (format!("{good}\ninj1listed\n"), "line 2"),
        (
            "0x52908400098527886E0F7030069857D2E4169EE7\n".to_string(),
            "EVM address",
        ),
        (format!("{good},SDN\n"), "not a bech32"),
        (format!("{}\n", good.replacen("inj1", "INJ1", 1)), "not a bech32"),
    ] {
        let e = parse_list(&text).unwrap_err();
        assert!(format!("{e:#}").contains(why), "{text:?}: {e:#}");
    }
}

#[tokio::test]
async fn large_transfer_flags_the_threshold_and_not_one_unit_below() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 10, 6).await;
    transfer(pool, 2, 0, FOG, "inj1a", "inj1b", 1_000).await;
    transfer(pool, 3, 0, FOG, "inj1a", "inj1b", 999).await;
    transfer(pool, 4, 0, "native:inj", "inj1a", "inj1b", 5_000).await;
    let large = |asset: Option<&str>| {
        rule(
            "t.large",
            Detector::LargeTransfer {
                threshold: "1000".into(),
                asset: asset.map(str::to_string),
            },
        )
    };
    let got = hits(pool, large(None), 1, 10).await;
    assert_eq!(keys(&got), ["transfer/2/0/0", "transfer/4/0/0"]);
    assert_eq!(got[0].1["amount"], "1000");
    let got = hits(pool, large(Some(FOG)), 1, 10).await;
    assert_eq!(keys(&got), ["transfer/2/0/0"]);
    // The same through a CEL condition.
    let mut spec = large(None);
    spec.condition = Some("event.asset.startsWith(\"cw20:\") && event.recipient == \"inj1b\"".into());
    assert_eq!(keys(&hits(pool, spec, 1, 10).await), ["transfer/2/0/0"]);
    // A condition that fails on an event (no such key) raises the alert
    // with the error instead of stopping the indexer or hiding the hit.
    let mut spec = large(None);
    spec.condition = Some("event.no_such_field > 1".into());
    let got = hits(pool, spec, 1, 10).await;
    assert_eq!(got.len(), 2);
    assert!(
        got[0].1["condition_error"].as_str().unwrap().contains("no_such_field"),
        "{}",
        got[0].1
    );
    // Outside the range: nothing.
    assert!(hits(pool, large(None), 5, 10).await.is_empty());
}

#[tokio::test]
async fn structuring_needs_the_count_within_the_margin_and_the_window() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 100, 60).await; // a block a minute
    let s = |window: u32| {
        rule(
            "t.structuring",
            Detector::Structuring {
                threshold: "10000".into(),
                margin_bps: 1_000, // [9000, 10000)
                min_count: 3,
                window_seconds: window,
                asset: None,
            },
        )
    };
    // Smurf: three just-under transfers in three minutes; the third is the hit.
    transfer(pool, 10, 0, FOG, "inj1smurf", "inj1x", 9_500).await;
    transfer(pool, 11, 0, FOG, "inj1smurf", "inj1y", 9_999).await;
    transfer(pool, 12, 0, FOG, "inj1smurf", "inj1z", 9_000).await;
    // Near misses: one below the margin, one at the threshold.
    transfer(pool, 10, 1, FOG, "inj1near", "inj1x", 9_500).await;
    transfer(pool, 11, 1, FOG, "inj1near", "inj1x", 8_999).await;
    transfer(pool, 12, 1, FOG, "inj1near", "inj1x", 10_000).await;
    transfer(pool, 13, 1, FOG, "inj1near", "inj1x", 9_100).await;
    let got = hits(pool, s(3_600), 1, 100).await;
    assert_eq!(keys(&got), ["transfer/12/0/0"]);
    assert_eq!(got[0].1["count"], 3);
    // A window of 90 s holds only two of them.
    assert!(hits(pool, s(90), 1, 100).await.is_empty());
}

#[tokio::test]
async fn windows_are_bounded_by_time_not_by_a_count_of_blocks() {
    let api = Api::new().await;
    let pool = api.pool();
    // A block a second: three transfers over 33 hours and 120,000 blocks.
    blocks(pool, 130_000, 1).await;
    for (height, amount) in [(10, 9_500), (60_000, 9_600), (120_000, 9_700)] {
        transfer(pool, height, 0, FOG, "inj1patient", "inj1x", amount).await;
    }
    let structuring = rule(
        "t.structuring",
        Detector::Structuring {
            threshold: "10000".into(),
            margin_bps: 1_000,
            min_count: 3,
            window_seconds: 2 * 86_400,
            asset: None,
        },
    );
    let got = hits(pool, structuring, 1, 130_000).await;
    assert_eq!(keys(&got), ["transfer/120000/0/0"]);
    let velocity = rule(
        "t.velocity",
        Detector::Velocity {
            window_seconds: 2 * 86_400,
            max_count: Some(3),
            max_sum: None,
            asset: None,
        },
    );
    let got = hits(pool, velocity, 1, 130_000).await;
    assert_eq!(keys(&got), ["transfer/120000/0/0"]);
}

#[tokio::test]
async fn velocity_flags_the_transfer_that_crosses_the_count_or_the_sum() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 50, 6).await;
    for h in 1..=5 {
        transfer(pool, h, 0, FOG, "inj1fast", "inj1x", 100).await;
    }
    for h in 1..=4 {
        transfer(pool, h, 1, FOG, "inj1slow", "inj1x", 100).await;
    }
    let v = rule(
        "t.velocity",
        Detector::Velocity {
            window_seconds: 600,
            max_count: Some(5),
            max_sum: Some("450".into()),
            asset: None,
        },
    );
    let got = hits(pool, v, 1, 50).await;
    // Sum 500 >= 450 at the fifth transfer of inj1fast (count 5 as well):
    // one alert; inj1slow stays at 4 and 400.
    assert_eq!(keys(&got), ["transfer/5/0/0"]);
    assert_eq!(got[0].1["window_total"], "500");
}

#[tokio::test]
async fn a_sender_steadily_at_the_limit_is_one_alert_and_a_new_burst_another() {
    let api = Api::new().await;
    let pool = api.pool();
    // Blocks 6 s apart: a 600 s window is 100 blocks.
    blocks(pool, 1_200, 6).await;
    // Every 120 s from height 1: from the fifth on, each window holds
    // exactly five (one leaves as the next comes in) and 500.
    for h in (1..=381).step_by(20) {
        transfer(pool, h, 0, FOG, "inj1steady", "inj1x", 100).await;
    }
    // Quiet, then a burst of five.
    for h in 700..=704 {
        transfer(pool, h, 0, FOG, "inj1steady", "inj1x", 100).await;
    }
    let velocity = |max_count: Option<u32>, max_sum: Option<&str>| {
        rule(
            "t.velocity",
            Detector::Velocity {
                window_seconds: 600,
                max_count,
                max_sum: max_sum.map(str::to_string),
                asset: None,
            },
        )
    };
    for v in [
        velocity(Some(5), None),
        velocity(None, Some("500")),
        velocity(Some(5), Some("500")),
    ] {
        let got = hits(pool, v.clone(), 1, 1_200).await;
        assert_eq!(keys(&got), ["transfer/81/0/0", "transfer/704/0/0"], "{:?}", v.detector);
    }

    // Structuring: just under 10,000 every 1,200 s, three in an hour.
    for h in (1..=1_001).step_by(200) {
        transfer(pool, h, 1, FOG, "inj1smurf", "inj1x", 9_500).await;
    }
    let structuring = rule(
        "t.structuring",
        Detector::Structuring {
            threshold: "10000".into(),
            margin_bps: 1_000,
            min_count: 3,
            window_seconds: 3_600,
            asset: None,
        },
    );
    let got = hits(pool, structuring, 1, 1_200).await;
    assert_eq!(keys(&got), ["transfer/401/1/0"]);
}

#[tokio::test]
async fn sanctioned_counterparty_from_the_list_file_and_the_registry() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 10, 6).await;
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("sdn.txt");
    let (listed, listed_x) = (addr("listed"), addr("listed-x"));
    // A byte-order mark, a comment, an address in upper case (valid
    // bech32): the list holds the address as transfers record it.
    std::fs::write(
        &list,
        format!("\u{feff}# OFAC export\n{}  # a comment\n\n", listed.to_uppercase()),
    )
    .unwrap();
    registry_entry(pool, "inj1flagged", 1, true).await;
    registry_entry(pool, "inj1clean", 1, false).await;
    transfer(pool, 2, 0, FOG, "inj1a", &listed, 1).await;
    transfer(pool, 3, 0, FOG, "inj1flagged", "inj1b", 1).await;
    transfer(pool, 4, 0, FOG, "inj1clean", &listed_x, 1).await;
    let spec = rule(
        "t.sanctions",
        Detector::SanctionedCounterparty {
            list: Some(list.display().to_string()),
        },
    );
    let got = hits(pool, spec, 1, 10).await;
    assert_eq!(keys(&got), ["transfer/2/0/0", "transfer/3/0/0"]);
    assert_eq!(got[0].1["listed"], json!([listed]));
    assert_eq!(got[1].1["registry_flagged"], json!(["inj1flagged"]));
    // A missing list file is an error, not an empty list.
    let missing = rule(
        "t.sanctions",
        Detector::SanctionedCounterparty {
            list: Some("/nonexistent/list.txt".into()),
        },
    );
    assert!(CompiledRule::compile(missing).is_err());
}

#[tokio::test]
async fn kyc_tier_limit_on_transfers_and_locks() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 10, 6).await;
    registry_entry(pool, "inj1tier2", 2, false).await;
    transfer(pool, 2, 0, FOG, "inj1anon", "inj1x", 101).await; // tier 0: limit 100
    transfer(pool, 2, 1, FOG, "inj1anon", "inj1x", 100).await; // at the limit: fine
    transfer(pool, 3, 0, FOG, "inj1tier2", "inj1x", 5_000).await; // tier 2: limit 10000
    support::lock(pool, "inj1anon", 4, 150, support::T0 + 1_000_000, 0).await;
    support::lock(pool, "inj1tier2", 5, 20_000, support::T0 + 1_000_000, 0).await;
    let spec = rule(
        "t.kyc",
        Detector::KycTierLimit {
            limits: vec!["100".into(), "1000".into(), "10000".into()],
        },
    );
    let got = hits(pool, spec, 1, 10).await;
    let k = keys(&got);
    assert_eq!(k.len(), 3, "{k:?}");
    assert_eq!(k[0], "transfer/2/0/0");
    assert!(k[1].starts_with("lock/inj1anon/4/"), "{k:?}");
    assert!(k[2].starts_with("lock/inj1tier2/5/"), "{k:?}");
    assert_eq!(got[2].1["kyc_tier"], 2);
    assert_eq!(got[2].1["tier_limit"], "10000");
}

/// A backfill batch holds later registry changes than some of its events:
/// each event is judged by the entry that held when it happened, so the
/// batch alerts as the live tail, block by block, did.
#[tokio::test]
async fn registry_detectors_judge_an_event_by_the_entry_of_its_time() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 10, 6).await;
    let kyc = rule(
        "t.kyc",
        Detector::KycTierLimit {
            limits: vec!["100".into(), "1000".into(), "10000".into()],
        },
    );
    // Tier 2 set at (3, 1): the transfer at (3, 0) came before it.
    transfer(pool, 3, 0, FOG, "inj1late", "inj1x", 500).await;
    registry_change(pool, "inj1late", 3, 1, Some(2), false, None).await;
    transfer(pool, 3, 2, FOG, "inj1late", "inj1x", 500).await;
    // Tier 2 until block 6's time (support::T0 + 5 * 6 s, expiry included).
    let expiry = (support::T0 + 5 * 6) * 1_000_000_000;
    registry_change(pool, "inj1expiring", 2, 0, Some(2), false, Some(expiry)).await;
    transfer(pool, 5, 0, FOG, "inj1expiring", "inj1x", 500).await;
    transfer(pool, 6, 0, FOG, "inj1expiring", "inj1x", 500).await;
    // Tier 2, then removed at (7, 0).
    registry_change(pool, "inj1removed", 2, 0, Some(2), false, None).await;
    transfer(pool, 4, 5, FOG, "inj1removed", "inj1x", 500).await;
    registry_change(pool, "inj1removed", 7, 0, None, false, None).await;
    transfer(pool, 8, 0, FOG, "inj1removed", "inj1x", 500).await;
    let got = hits(pool, kyc, 1, 10).await;
    assert_eq!(keys(&got), ["transfer/3/0/0", "transfer/6/0/0", "transfer/8/0/0"]);
    assert!(got.iter().all(|(_, e)| e["kyc_tier"] == 0), "{got:?}");

    // Flagged at (4, 1), cleared at (6, 0): only the transfers between count.
    registry_change(pool, "inj1flip", 2, 0, Some(1), false, None).await;
    registry_change(pool, "inj1flip", 4, 1, Some(1), true, None).await;
    registry_change(pool, "inj1flip", 6, 1, Some(1), false, None).await;
    for (height, seq) in [(4, 0), (4, 2), (5, 1), (6, 2)] {
        transfer(pool, height, seq, "native:inj", "inj1y", "inj1flip", 1).await;
    }
    let sanctions = rule("t.sanctions", Detector::SanctionedCounterparty { list: None });
    let got = hits(pool, sanctions, 1, 10).await;
    assert_eq!(keys(&got), ["transfer/4/2/0", "transfer/5/1/0"]);
    assert_eq!(got[0].1["registry_flagged"], json!(["inj1flip"]));
}

async fn vote_at(pool: &PgPool, proposal: i64, voter: &str, height: i64, power: u128, own: u128) {
    vote_cast(pool, proposal, voter, height, power, own, None).await;
}

/// A ballot with what the projection stores beside it: the proposal's cast
/// power and voter count right after it.
async fn vote_cast(
    pool: &PgPool,
    proposal: i64,
    voter: &str,
    height: i64,
    power: u128,
    own: u128,
    after: Option<(u128, i32)>,
) {
    sqlx::query(
        "INSERT INTO votes (proposal_id, voter, choice, power, weight, own, delegate, height, tx_hash, \
           cast_power, turnout_after, voters_after) \
         VALUES ($1, $2, '[0]', $3::numeric, $3::numeric, $4::numeric, NULL, $5, NULL, \
           $6::numeric, $7::numeric, $8)",
    )
    .bind(proposal)
    .bind(voter)
    .bind(power.to_string())
    .bind(own.to_string())
    .bind(height)
    .bind(after.map(|_| power.to_string()))
    .bind(after.map(|(t, _)| t.to_string()))
    .bind(after.map(|(_, n)| n))
    .execute(pool)
    .await
    .unwrap();
}

/// The governance-concentration rule with three voters at least.
fn concentration(max_share_bps: u32, min_nakamoto: Option<u32>) -> RuleSpec {
    rule(
        "t.concentration",
        Detector::GovernanceConcentration {
            max_share_bps,
            min_voters: 3,
            min_nakamoto,
        },
    )
}

#[tokio::test]
async fn governance_concentration_after_enough_voters() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 10, 6).await;
    for (id, turnout) in [(1, 1_200), (2, 350)] {
        let mut p = support::P::yes_no(id);
        p.turnout = turnout;
        p.voters = 3;
        p.insert(pool).await;
    }
    vote_at(pool, 1, "inj1a", 2, 100, 100).await;
    vote_at(pool, 1, "inj1b", 3, 100, 100).await;
    vote_at(pool, 1, "inj1whale", 4, 1_000, 1_000).await; // 1000/1200 = 83%
    vote_at(pool, 2, "inj1c", 2, 100, 100).await;
    vote_at(pool, 2, "inj1d", 3, 100, 100).await;
    vote_at(pool, 2, "inj1e", 4, 150, 150).await; // 150/350 = 43%: a near miss
    let spec = concentration(5_000, None);
    let got = hits(pool, spec, 1, 10).await;
    assert_eq!(keys(&got), ["vote/1/inj1whale/4"]);
    assert_eq!(got[0].1["share_bps"], 8333);
    // The Nakamoto coefficient: proposal 1 needs one voter for a majority
    // (1000 of 1200), proposal 2 two (150 + 100 of 350): only 1 is below 2.
    let spec = concentration(10_000, Some(2));
    let got = hits(pool, spec, 1, 10).await;
    assert_eq!(keys(&got), ["proposal/1/nakamoto"]);
    assert_eq!(got[0].1["nakamoto"], 1);
    assert_eq!(got[0].1["voters"], 3);
}

/// The detector's bounded Nakamoto check (the N - 1 largest ballots only)
/// agrees with the report's full ranking, `vote_concentration`, for every
/// N: it alerts exactly when the coefficient is below N, with its value.
#[tokio::test]
async fn nakamoto_check_agrees_with_the_full_ranking() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 10, 6).await;
    // Ballot powers with ties and one large holder; per proposal a
    // different mix, so the coefficients differ.
    let mixes: [&[u128]; 4] = [
        &[500, 300, 300, 100, 50, 50],
        &[100, 100, 100, 100, 100, 100, 100, 100],
        &[900, 50, 50, 1],
        &[400, 400, 100, 100, 1, 1, 1],
    ];
    for (i, mix) in mixes.iter().enumerate() {
        let id = i as i64 + 1;
        let mut p = support::P::yes_no(id);
        p.turnout = mix.iter().sum();
        p.voters = mix.len() as i32;
        p.insert(pool).await;
        for (j, power) in mix.iter().enumerate() {
            vote_at(pool, id, &format!("inj1v{j}"), 2 + j as i64 % 5, *power, *power).await;
        }
    }
    let full: Vec<(i64, i64)> =
        sqlx::query_as("SELECT proposal_id, nakamoto FROM vote_concentration(ARRAY[1, 2, 3, 4]) ORDER BY 1")
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(full, [(1, 2), (2, 5), (3, 1), (4, 2)]);
    for n in 2..=6u32 {
        let got = hits(pool, concentration(10_000, Some(n)), 1, 10).await;
        let mut seen: Vec<(i64, i64)> = got
            .iter()
            .map(|(_, e)| (e["proposal_id"].as_i64().unwrap(), e["nakamoto"].as_i64().unwrap()))
            .collect();
        seen.sort();
        let expected: Vec<(i64, i64)> = full.iter().copied().filter(|(_, k)| *k < i64::from(n)).collect();
        assert_eq!(seen, expected, "min_nakamoto {n}");
    }
    // A limit beyond any vote (validation allows any u32 from 2) flags every
    // proposal rather than failing the batch.
    let every = hits(pool, concentration(10_000, Some(u32::MAX)), 1, 10).await;
    assert_eq!(every.len(), 4);
}

/// A ballot is judged on the cast power right after it, not on the
/// proposal's turnout when the batch ends (judged that way, the early
/// ballot below would alert and the whale's would not). That the projection
/// stores the same figures whatever the batch size is checked on the
/// recorded chain (`rules_recorded.rs`).
#[tokio::test]
async fn governance_concentration_judges_a_ballot_as_cast() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 10, 6).await;
    for (id, turnout, voters) in [(1, 2_000, 6), (2, 1_100, 3)] {
        let mut p = support::P::yes_no(id);
        p.turnout = turnout;
        p.voters = voters;
        p.insert(pool).await;
    }
    // P1: the third ballot carries 60% of the power cast so far; three more
    // ballots later bring it down to 30% of the final turnout.
    vote_cast(pool, 1, "inj1a", 2, 200, 200, Some((200, 1))).await;
    vote_cast(pool, 1, "inj1b", 3, 200, 200, Some((400, 2))).await;
    vote_cast(pool, 1, "inj1whale", 4, 600, 600, Some((1_000, 3))).await;
    for (i, voter) in ["inj1c", "inj1d", "inj1e"].iter().enumerate() {
        let after = 1_000 + 1_000 * (i as u128 + 1) / 3;
        vote_cast(pool, 1, voter, 5 + i as i64, 333, 333, Some((after, 4 + i as i32))).await;
    }
    // P2: the first ballot holds 82% of the final turnout, but when it was
    // cast it was the only one, under `min_voters`.
    vote_cast(pool, 2, "inj1early", 2, 900, 900, Some((900, 1))).await;
    vote_cast(pool, 2, "inj1f", 3, 100, 100, Some((1_000, 2))).await;
    vote_cast(pool, 2, "inj1g", 4, 100, 100, Some((1_100, 3))).await;
    let whole = hits(pool, concentration(5_000, None), 1, 10).await;
    assert_eq!(keys(&whole), ["vote/1/inj1whale/4"]);
    assert_eq!(whole[0].1["share_bps"], 6000);
    assert_eq!(whole[0].1["cast_power"], "1000");
    assert_eq!(whole[0].1["voters"], 3);
}

async fn signed_tx(pool: &PgPool, height: i64, index: i32, signer: &str) {
    sqlx::query(
        "INSERT INTO txs (height, index, hash, code, codespace, gas_wanted, gas_used, signer, fee, memo) \
         VALUES ($1, $2, 'H' || $1 || '_' || $2, 0, '', 1, 1, $3, '', '')",
    )
    .bind(height)
    .bind(index)
    .bind(signer)
    .execute(pool)
    .await
    .unwrap();
}

#[tokio::test]
async fn governance_anomaly_new_and_dormant_accounts_with_delegated_power() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 1_000, 60).await;
    // inj1old is active all along; inj1sleeper was last seen 900 blocks ago;
    // inj1fresh appears at the vote; inj1small is fresh but votes its own.
    for h in [10, 500, 990] {
        signed_tx(pool, h, 0, "inj1old").await;
    }
    signed_tx(pool, 50, 1, "inj1sleeper").await;
    signed_tx(pool, 1_000, 1, "inj1sleeper").await;
    signed_tx(pool, 1_000, 2, "inj1fresh").await;
    signed_tx(pool, 1_000, 3, "inj1small").await;
    signed_tx(pool, 1_000, 0, "inj1old").await;
    vote_at(pool, 1, "inj1old", 1_000, 10_000, 0).await;
    vote_at(pool, 1, "inj1sleeper", 1_000, 10_000, 0).await;
    vote_at(pool, 1, "inj1fresh", 1_000, 10_000, 1).await;
    vote_at(pool, 1, "inj1small", 1_000, 10_000, 9_000).await;
    // inj1drained is fresh too; a delegator voted directly later in the
    // same batch and took most of its ballot back: judged as cast.
    signed_tx(pool, 1_000, 4, "inj1drained").await;
    vote_at(pool, 1, "inj1drained", 1_000, 10_000, 0).await;
    sqlx::query("UPDATE votes SET cast_power = power, power = 100 WHERE voter = 'inj1drained'")
        .execute(pool)
        .await
        .unwrap();
    let spec = rule(
        "t.anomaly",
        Detector::GovernanceAnomaly {
            min_delegated: "5000".into(),
            new_seconds: 3_600,
            dormant_seconds: 86_400 / 2,
        },
    );
    let got = hits(pool, spec, 1_000, 1_000).await;
    assert_eq!(
        keys(&got),
        [
            "vote/1/inj1drained/1000",
            "vote/1/inj1fresh/1000",
            "vote/1/inj1sleeper/1000"
        ]
    );
    assert_eq!(got[0].1["delegated"], "10000");
    assert_eq!(got[1].1["reason"], "new_account");
    assert_eq!(got[2].1["reason"], "dormant_account");
}

#[tokio::test]
async fn release_gate_anomaly_funding_and_shared_groups() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 20, 6).await;
    // As projected: the groups and their history. inj1late joins dev after
    // its approval (block 14); inj1gone left it before its own (block 13).
    sqlx::query(
        "INSERT INTO release_groups VALUES ('dev', '[\"inj1late\", \"inj1peer\", \"inj1req\"]', 20), ('risk', '[\"inj1risk\", \"inj1funded\", \"inj1sibling\", \"inj1indep\"]', 1)",
    )
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO release_group_history VALUES ('dev', 1, 0, '[\"inj1gone\", \"inj1peer\", \"inj1req\"]'), \
         ('risk', 1, 1, '[\"inj1risk\", \"inj1funded\", \"inj1sibling\", \"inj1indep\"]'), \
         ('dev', 12, 0, '[\"inj1peer\", \"inj1req\"]'), ('dev', 14, 1, '[\"inj1late\", \"inj1peer\", \"inj1req\"]')",
    )
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO release_requests VALUES (1, 'MODEL_DEPLOYMENT', 'm', '1', 'aa', 'bb', '[]', 'inj1req', '', 0, 1, 2, '[]', 'pending', 0, NULL, 2, 2)",
    )
    .execute(pool)
    .await
    .unwrap();
    transfer(pool, 3, 0, "native:inj", "inj1req", "inj1funded", 1).await;
    transfer(pool, 3, 1, "native:inj", "inj1faucet", "inj1req", 1).await;
    transfer(pool, 3, 2, "native:inj", "inj1faucet", "inj1sibling", 1).await;
    transfer(pool, 3, 3, "native:inj", "inj1bank", "inj1indep", 1).await;
    for (i, voter) in ["inj1peer", "inj1funded", "inj1sibling", "inj1indep", "inj1late"]
        .iter()
        .enumerate()
    {
        sqlx::query("INSERT INTO release_votes VALUES (1, $1, true, '[]', 'ok', 0, $2, 0)")
            .bind(voter)
            .bind(10 + i as i64)
            .execute(pool)
            .await
            .unwrap();
    }
    sqlx::query("INSERT INTO release_votes VALUES (1, 'inj1gone', true, '[]', 'ok', 0, 13, 0)")
        .execute(pool)
        .await
        .unwrap();
    // inj1later approves at (15, 0) with no funding before: the requester
    // pays it later in the same block and the requester's funder after.
    // Live, nothing was suspicious when it approved; a backfill that has
    // the later rows must agree.
    sqlx::query("INSERT INTO release_votes VALUES (1, 'inj1later', true, '[]', 'ok', 0, 15, 0)")
        .execute(pool)
        .await
        .unwrap();
    transfer(pool, 15, 5, "native:inj", "inj1req", "inj1later", 1).await;
    transfer(pool, 17, 0, "native:inj", "inj1faucet", "inj1later", 1).await;
    let got = hits(pool, rule("t.release", Detector::ReleaseGateAnomaly {}), 1, 20).await;
    assert_eq!(
        keys(&got),
        [
            "release_vote/1/inj1peer/10",
            "release_vote/1/inj1funded/11",
            "release_vote/1/inj1sibling/12"
        ]
    );
    assert_eq!(got[0].1["shared_groups"], json!(["dev"]));
    assert_eq!(got[1].1["approver_funded_by_requester"], true);
    assert_eq!(got[2].1["common_funder"], "inj1faucet");
}

#[tokio::test]
async fn an_event_is_alerted_once_however_often_its_range_is_evaluated() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 10, 6).await;
    transfer(pool, 2, 0, FOG, "inj1a", "inj1b", 5_000).await;
    let spec = rule(
        "t.large",
        Detector::LargeTransfer {
            threshold: "1000".into(),
            asset: None,
        },
    );
    let rule = CompiledRule::compile(spec.clone()).unwrap();
    let mut conn = pool.acquire().await.unwrap();
    let found = rule.evaluate(&mut conn, 1, 10).await.unwrap();
    assert_eq!(write_alerts(&mut conn, &spec, &found).await.unwrap(), 1);
    assert_eq!(write_alerts(&mut conn, &spec, &found).await.unwrap(), 0);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM alerts")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

fn write_rule(dir: &Path, spec: &RuleSpec) {
    std::fs::write(
        dir.join(format!("{}.json", spec.id)),
        serde_json::to_vec_pretty(spec).unwrap(),
    )
    .unwrap();
}

#[tokio::test]
async fn activation_takes_two_admins_and_the_engine_follows() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 10, 6).await;
    transfer(pool, 2, 0, FOG, "inj1a", "inj1b", 5_000).await;
    let dir = tempfile::tempdir().unwrap();
    let mut spec = rule(
        "t.large",
        Detector::LargeTransfer {
            threshold: "1000".into(),
            asset: None,
        },
    );
    write_rule(dir.path(), &spec);
    std::fs::write(dir.path().join("broken.json"), "{\"id\": \"x\"}").unwrap();
    // One broken file is refused with its name; the others load (until
    // stop 21 it failed the whole read, and `POST /rules/reload` answered
    // 500 without the name).
    let report = registry::sync_dir(pool, dir.path(), "test").await.unwrap();
    assert_eq!(report.loaded, ["t.large@1"]);
    assert_eq!(report.refused.len(), 1);
    assert!(report.refused[0].contains("broken.json"), "{:?}", report.refused);
    std::fs::remove_file(dir.path().join("broken.json")).unwrap();
    let report = registry::sync_dir(pool, dir.path(), "test").await.unwrap();
    assert!(report.loaded.is_empty() && report.refused.is_empty());
    assert_eq!(report.unchanged, 1);

    // A draft does not run.
    let engine = Engine::default();
    let mut conn = pool.acquire().await.unwrap();
    assert_eq!(engine.evaluate(&mut conn, 1, 10).await.unwrap(), 0);

    // Through the API: an officer may not approve; one admin approves, the
    // same admin may not activate, a second one does.
    let approval = "/rules/t.large/versions/1/approval";
    let activation = "/rules/t.large/versions/1/activation";
    api.call(&api.officer, "POST", approval, None).await.assert_problem(403);
    api.call(&api.admin, "POST", activation, None).await.assert_problem(409);
    let r = api.call(&api.admin, "POST", approval, None).await;
    assert_eq!(r.ok()["state"], "approved");
    let r = api.call(&api.admin, "POST", activation, None).await;
    r.assert_problem(409);
    assert!(r.body["detail"].as_str().unwrap().contains("four eyes"), "{}", r.text);
    let r = api.call(&api.admin2, "POST", activation, None).await;
    assert_eq!(r.ok()["state"], "active");
    assert_eq!(r.body["approved_by"], "admin.one");
    assert_eq!(r.body["activated_by"], "admin.two");
    api.call(&api.admin2, "POST", "/rules/t.large/versions/x/activation", None)
        .await
        .assert_bad("version");
    // A rule id that cannot be one is named, whatever the database would
    // say of it (a NUL) and whether or not it is UTF-8.
    for bad in [
        "/rules/a%00b/versions/1/approval",
        "/rules/%FF/versions/1/approval",
        "/rules/A/versions/1/approval",
    ] {
        api.call(&api.admin2, "POST", bad, None).await.assert_bad("id");
    }
    api.call(&api.admin2, "GET", "/rules/a%00b", None)
        .await
        .assert_bad("id");
    api.call(&api.admin2, "POST", "/rules/t.nope/versions/1/activation", None)
        .await
        .assert_problem(404);

    // The engine sees the new generation and alerts.
    assert_eq!(engine.evaluate(&mut conn, 1, 10).await.unwrap(), 1);
    assert_eq!(engine.evaluate(&mut conn, 1, 10).await.unwrap(), 0, "once per event");
    let r = api.get("/alerts?rule_id=t.large").await;
    let alerts = r.ok()["alerts"].as_array().unwrap().clone();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0]["event_key"], "transfer/2/0/0");
    assert_eq!(alerts[0]["tags"], json!(["AML"]));

    // A changed file without a new version is refused; with one it is a draft.
    spec.risk_score = 90;
    write_rule(dir.path(), &spec);
    let report = registry::sync_dir(pool, dir.path(), "test").await.unwrap();
    assert!(report.refused[0].contains("new version"), "{:?}", report.refused);
    spec.version = 2;
    write_rule(dir.path(), &spec);
    let report = registry::sync_dir(pool, dir.path(), "test").await.unwrap();
    assert_eq!(report.loaded, ["t.large@2"]);
    let r = api.get("/rules/t.large").await;
    let versions: Vec<(i64, String)> = r.ok()["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["version"].as_i64().unwrap(), v["state"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(versions, [(2, "draft".to_string()), (1, "active".to_string())]);

    // Each step is in the audit log.
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT convert_from(record, 'UTF8')::jsonb ->> 'action' FROM audit_records ORDER BY seq")
            .fetch_all(pool)
            .await
            .unwrap();
    for a in ["rule.loaded", "rule.approved", "rule.activated"] {
        assert!(actions.iter().any(|x| x == a), "{a} missing from {actions:?}");
    }
}

/// A version checks the sanctions list its two admins approved: the
/// addresses are stored when it is loaded, so editing or losing the file
/// changes nothing, and loading the same version with another list is
/// refused.
#[tokio::test]
async fn a_version_checks_the_list_it_was_approved_with() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 10, 6).await;
    let (old, other, new) = (addr("old"), addr("other"), addr("new"));
    transfer(pool, 2, 0, FOG, "inj1a", &old, 1).await;
    transfer(pool, 3, 0, FOG, "inj1a", &new, 1).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("lists")).unwrap();
    let list = dir.path().join("lists/sdn.txt");
    std::fs::write(&list, format!("{old}\n{other} # both\n")).unwrap();
    let spec = rule(
        "t.list",
        Detector::SanctionedCounterparty {
            list: Some("lists/sdn.txt".into()),
        },
    );
    write_rule(dir.path(), &spec);
    let report = registry::sync_dir(pool, dir.path(), "test").await.unwrap();
    assert_eq!(report.loaded, ["t.list@1"]);
    let v = registry::get_version(pool, "t.list", 1).await.unwrap();
    let digest = fog_indexer::rules::list_digest(&[old.clone(), other.clone()]);
    assert_eq!(v.list_sha256.as_deref(), Some(digest.as_str()));
    assert_eq!(v.list_entries, Some(2));
    registry::approve(pool, "t.list", 1, "admin.one").await.unwrap();
    registry::activate(pool, "t.list", 1, "admin.two").await.unwrap();

    // The file now names another address, then is gone: the version still
    // checks what was approved, and a missing file stops nothing.
    std::fs::write(&list, format!("{new}\n")).unwrap();
    let engine = Engine::default();
    let mut conn = pool.acquire().await.unwrap();
    assert_eq!(engine.evaluate(&mut conn, 1, 10).await.unwrap(), 1);
    std::fs::remove_file(&list).unwrap();
    assert_eq!(Engine::default().evaluate(&mut conn, 1, 10).await.unwrap(), 0);
    let alerted: Vec<String> = sqlx::query_scalar("SELECT event_key FROM alerts WHERE rule_id = 't.list'")
        .fetch_all(pool)
        .await
        .unwrap();
    assert_eq!(alerted, ["transfer/2/0/0"]);

    // The same version with another list is refused; order, duplicates and
    // comments are not a change.
    std::fs::write(&list, format!("{new}\n")).unwrap();
    let report = registry::sync_dir(pool, dir.path(), "test").await.unwrap();
    assert_eq!(report.refused.len(), 1, "{report:?}");
    assert!(report.refused[0].contains("sanctions list changed"), "{report:?}");
    std::fs::write(&list, format!("# reordered\n{other}\n{old}\n{old}\n")).unwrap();
    let report = registry::sync_dir(pool, dir.path(), "test").await.unwrap();
    assert_eq!((report.unchanged, report.refused.len()), (1, 0), "{report:?}");

    // The rules directory moved (a new release of the deployment): the
    // same version, not a changed one (until stop 20 the spec held the
    // list's absolute path, and the move refused the rule).
    let moved = tempfile::tempdir().unwrap();
    std::fs::create_dir(moved.path().join("lists")).unwrap();
    std::fs::copy(&list, moved.path().join("lists/sdn.txt")).unwrap();
    write_rule(moved.path(), &spec);
    let report = registry::sync_dir(pool, moved.path(), "test").await.unwrap();
    assert_eq!((report.unchanged, report.refused.len()), (1, 0), "{report:?}");
    let v = registry::get_version(pool, "t.list", 1).await.unwrap();
    assert_eq!(v.spec["detector"]["list"], "lists/sdn.txt", "stored as written");
}

/// A version registered before stop 20 has the list's absolute path in its
/// spec, and its digest: reading the same directory again finds it
/// unchanged.
#[tokio::test]
async fn a_version_stored_with_the_lists_absolute_path_is_still_the_same() {
    let api = Api::new().await;
    let pool = api.pool();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("lists")).unwrap();
    std::fs::write(dir.path().join("lists/sdn.txt"), format!("{}\n", addr("old"))).unwrap();
    let spec = rule(
        "t.legacy",
        Detector::SanctionedCounterparty {
            list: Some("lists/sdn.txt".into()),
        },
    );
    write_rule(dir.path(), &spec);
    let mut legacy = spec.clone();
    let absolute = std::fs::canonicalize(dir.path().join("lists/sdn.txt")).unwrap();
    legacy.detector = Detector::SanctionedCounterparty {
        list: Some(absolute.display().to_string()),
    };
    let stored = CompiledRule::compile(legacy).unwrap();
    assert!(registry::register(pool, &stored, "t.legacy.yaml", "test")
        .await
        .unwrap());
    let report = registry::sync_dir(pool, dir.path(), "test").await.unwrap();
    assert_eq!((report.unchanged, report.refused.len()), (1, 0), "{report:?}");
    // A real change is still one.
    let mut changed = spec.clone();
    changed.severity = "critical".into();
    write_rule(dir.path(), &changed);
    let report = registry::sync_dir(pool, dir.path(), "test").await.unwrap();
    assert_eq!(report.refused.len(), 1, "{report:?}");
    assert!(report.refused[0].contains("rule file changed"), "{report:?}");
}

/// Ten blocks, six seconds apart, indexed: what a test run reads over.
async fn indexed_to_block_10(pool: &PgPool) {
    blocks(pool, 10, 6).await;
    sqlx::query("INSERT INTO ingest_state (id, chain_id, height, block_hash, protocol) VALUES (1, 't', 10, 'h', 'x')")
        .execute(pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_test_run_shows_hits_without_raising_alerts() {
    let api = Api::new().await;
    let pool = api.pool();
    indexed_to_block_10(pool).await;
    for h in 2..=6 {
        transfer(pool, h, 0, FOG, "inj1a", "inj1b", 1_000 * h as u128).await;
    }
    let draft = json!({
        "id": "draft.large", "version": 1, "title": "draft",
        "detector": {"kind": "large_transfer", "threshold": "3000"},
        "severity": "low", "risk_score": 10, "tags": ["AML"]
    });
    let r = api
        .call(
            &api.officer,
            "POST",
            "/rules/test-run",
            Some(&json!({"rule": draft, "limit": 2})),
        )
        .await;
    let body = r.ok();
    assert_eq!(body["total"], 4);
    assert_eq!(body["hits"].as_array().unwrap().len(), 2);
    assert_eq!(body["to_height"], 10);
    let r = api
        .call(
            &api.officer,
            "POST",
            "/rules/test-run",
            Some(&json!({"rule": draft, "from_height": 5})),
        )
        .await;
    assert_eq!(r.ok()["total"], 2);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM alerts")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
    // Each test-run is a staff action in the audit log.
    let logged: Vec<Vec<u8>> = sqlx::query_scalar("SELECT record FROM audit_records ORDER BY seq")
        .fetch_all(pool)
        .await
        .unwrap();
    let runs: Vec<serde_json::Value> = logged
        .iter()
        .map(|r| serde_json::from_slice::<serde_json::Value>(r).unwrap())
        .filter(|r| r["action"] == "rule.test_run")
        .collect();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[1]["subject"], "rule/draft.large");
    assert_eq!(runs[1]["details"]["from_height"], 5);
    assert_eq!(runs[1]["details"]["hits"], 2);
    assert_eq!(runs[1]["tags"], json!(["AML"]));

    // Bad drafts are 400s naming what is wrong; an auditor may not test-run.
    let mut bad = draft.clone();
    bad["tags"] = json!(["NOPE"]);
    let r = api
        .call(&api.officer, "POST", "/rules/test-run", Some(&json!({"rule": bad})))
        .await;
    r.assert_problem(400);
    assert!(r.text.contains("NOPE"), "{}", r.text);
    let mut bad = draft.clone();
    bad["condition"] = json!("event.amount >");
    let r = api
        .call(&api.officer, "POST", "/rules/test-run", Some(&json!({"rule": bad})))
        .await;
    r.assert_problem(400);
    assert!(r.text.contains("CEL"), "{}", r.text);
    api.call(&api.auditor, "POST", "/rules/test-run", Some(&json!({"rule": draft})))
        .await
        .assert_problem(403);
}

#[test]
fn the_shipped_rule_files_are_valid() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../rules"));
    let rules: Vec<_> = fog_indexer::rules::spec::read_dir(dir)
        .unwrap()
        .into_iter()
        .map(|(file, r)| r.unwrap_or_else(|e| panic!("{file}: {e:#}")))
        .collect();
    let detectors: std::collections::BTreeSet<&str> = rules.iter().map(|r| r.detector.name()).collect();
    assert_eq!(detectors.len(), 8, "one rule per detector: {detectors:?}");
}

/// The shipped rules over the chain recorded during the end-to-end scenario
/// (`tests/fixtures/devnet-e2e.tar.gz`): activated by two admins, run as the
/// blocks are replayed, and their alerts recounted independently.
#[tokio::test]
async fn the_shipped_rules_over_the_recorded_devnet_scenario() {
    let dir = recorded::unpack();
    let db = fog_indexer::testing::TestDb::new().await.unwrap();
    let pool = &db.store.pool;
    recorded::activate_rules(pool, &Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules")).await;
    recorded::replay(dir.path(), &db.store).await;

    let alerted = |rule: &'static str| async move {
        let keys: Vec<String> =
            sqlx::query_scalar("SELECT event_key FROM alerts WHERE rule_id = $1 ORDER BY event_key")
                .bind(rule)
                .fetch_all(pool)
                .await
                .unwrap();
        keys
    };
    // Large FOG transfers: exactly the cw20 transfers of 100,000 FOG or more.
    let expected: Vec<String> = sqlx::query_scalar(
        "SELECT 'transfer/' || height || '/' || seq || '/' || part FROM transfers \
         WHERE asset LIKE 'cw20:%' AND sender IS NOT NULL AND amount >= 100000000000 ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(!expected.is_empty(), "the scenario moves treasury FOG");
    assert_eq!(alerted("aml.large_transfer").await, expected);
    // KYC tier limits: recounted against the registry as the rule's file says.
    let limits = ["1000000000", "100000000000", "10000000000000", "1000000000000000000"];
    let expected: Vec<String> = sqlx::query_scalar(
        "WITH m AS ( \
           SELECT 'transfer/' || height || '/' || seq || '/' || part AS k, sender AS who, amount, height, seq FROM transfers \
             WHERE asset LIKE 'cw20:%' AND sender IS NOT NULL \
           UNION ALL SELECT 'lock/' || owner || '/' || height || '/' || seq, owner, amount, height, seq FROM lock_history \
             WHERE action IN ('lock', 'increase')) \
         SELECT m.k FROM m LEFT JOIN LATERAL ( \
           SELECT r.kyc_tier FROM registry_history r WHERE r.address = m.who AND (r.height, r.seq) < (m.height, m.seq) \
           ORDER BY r.height DESC, r.seq DESC LIMIT 1) r ON true \
         WHERE m.amount > ($1::numeric[])[LEAST(COALESCE(r.kyc_tier, 0), 3) + 1] ORDER BY 1",
    )
    .bind(&limits[..])
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(
        !expected.is_empty(),
        "tier-0 accounts lock more than 1,000 FOG in the scenario"
    );
    assert_eq!(alerted("kyc.tier_limit").await, expected);
    // Every alert carries its rule's tags and the block's time.
    let untagged: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM alerts a JOIN rule_versions r ON r.rule_id = a.rule_id AND r.version = a.rule_version \
         LEFT JOIN blocks b ON b.height = a.height \
         WHERE a.tags::text[] <> ARRAY(SELECT jsonb_array_elements_text(r.spec -> 'tags')) OR b.time <> a.time",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(untagged, 0);
}

/// `fog-indexer serve --rules DIR` reads the directory again on SIGHUP: a
/// rule file added after the start becomes a draft.
#[tokio::test]
async fn sighup_reads_the_rules_directory_again() {
    let db = fog_indexer::testing::TestDb::new().await.unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules");
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        shipped.join("aml.large_transfer.json"),
        dir.path().join("aml.large_transfer.json"),
    )
    .unwrap();
    let server = std::process::Command::new(env!("CARGO_BIN_EXE_fog-indexer"))
        .args(["--database-url", &db.url, "serve", "--listen", "127.0.0.1:0", "--rules"])
        .arg(dir.path())
        .env("FOG_KYC_MASTER_KEY", "11".repeat(32))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut server = Stopped(server);
    let ids = |pool: PgPool| async move {
        registry::list(&pool, None)
            .await
            .unwrap()
            .into_iter()
            .map(|v| (v.rule_id, v.state))
            .collect::<Vec<_>>()
    };
    let pool = db.store.pool.clone();
    let mut waited = 0;
    while ids(pool.clone()).await.is_empty() {
        assert!(waited < 300, "the server never read its rules directory");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
    assert_eq!(
        ids(pool.clone()).await,
        [("aml.large_transfer".to_string(), "draft".to_string())]
    );
    std::fs::copy(shipped.join("aml.velocity.json"), dir.path().join("aml.velocity.json")).unwrap();
    let hup = std::process::Command::new("kill")
        .args(["-HUP", &server.0.id().to_string()])
        .status()
        .unwrap();
    assert!(hup.success());
    let mut waited = 0;
    while ids(pool.clone()).await.len() < 2 {
        assert!(waited < 100, "SIGHUP did not reload the rules");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
    assert!(server.0.try_wait().unwrap().is_none(), "the server is still serving");
    assert_eq!(
        ids(pool.clone()).await,
        [
            ("aml.large_transfer".to_string(), "draft".to_string()),
            ("aml.velocity".to_string(), "draft".to_string())
        ]
    );
}

/// A child process killed when the test ends, passed or not.
struct Stopped(std::process::Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Ballots of `votes` read so far (sequential and index scans).
async fn ballots_read(conn: &mut sqlx::PgConnection) -> i64 {
    fog_indexer::testing::table_reads(conn, "votes").await.unwrap().rows
}

/// The governance detectors read a batch's ballots and the largest
/// ballots of the proposals it touched, not every ballot stored: the live
/// tail runs them on every block, however many ballots the chain holds.
#[tokio::test]
async fn governance_detectors_read_the_batch_not_every_ballot() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 2_000, 1).await;
    let mut p = support::P::yes_no(1);
    p.turnout = 100_000 * 1_000;
    p.voters = 100_000;
    p.insert(pool).await;
    // 100,000 ballots, 50 per block, cast in height order as the chain does.
    sqlx::query(
        "INSERT INTO votes (proposal_id, voter, choice, power, weight, own, delegate, height, tx_hash) \
         SELECT 1, 'inj1voter' || lpad(g::text, 6, '0'), '[0]', 1000, 1000, 0, NULL, 1 + g / 50, NULL \
         FROM generate_series(0, 99999) g",
    )
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("VACUUM ANALYZE votes").execute(pool).await.unwrap();
    let anomaly = rule(
        "t.anomaly",
        Detector::GovernanceAnomaly {
            min_delegated: "1".into(),
            new_seconds: 3_600,
            dormant_seconds: 86_400,
        },
    );
    let mut conn = pool.acquire().await.unwrap();
    for spec in [concentration(5_000, Some(3)), anomaly] {
        let rule = CompiledRule::compile(spec.clone()).unwrap();
        let before = ballots_read(&mut conn).await;
        rule.evaluate(&mut conn, 2_000, 2_000).await.unwrap();
        let read = ballots_read(&mut conn).await - before;
        assert!(
            read < 10_000,
            "{} read {read} ballots of 100,000 for a batch of 50",
            spec.id
        );
    }
}

/// A test-run of a draft with a sanctions list, on a server reading rules
/// from `app`'s rules directory.
async fn test_run_with_list(app: &axum::Router, token: &str, list: &str) -> support::Reply {
    let draft = json!({"rule": {
        "id": "draft.sanctions", "version": 1, "title": "draft",
        "detector": {"kind": "sanctioned_counterparty", "list": list},
        "severity": "high", "risk_score": 80, "tags": ["AML"]
    }});
    support::send_body(
        app,
        token,
        "POST",
        "/rules/test-run",
        "application/json",
        serde_json::to_vec(&draft).unwrap(),
    )
    .await
}

#[tokio::test]
async fn a_test_run_reads_sanctions_lists_only_from_the_rules_directory() {
    let api = Api::new().await;
    let pool = api.pool();
    indexed_to_block_10(pool).await;
    let listed = addr("listed");
    transfer(pool, 2, 0, FOG, "inj1a", &listed, 1).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("lists")).unwrap();
    std::fs::write(dir.path().join("lists/sdn.txt"), format!("{listed}\n")).unwrap();
    // A file beside the rules directory, which a draft must not read.
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "inj1a\n").unwrap();
    let mut state = fog_indexer::api::AppState::new(pool.clone());
    state.rules_dir = Some(dir.path().to_path_buf());
    let app = fog_indexer::api::router(state);

    // Relative to the rules directory: read.
    for list in ["lists/sdn.txt", "./lists/sdn.txt"] {
        let r = test_run_with_list(&app, &api.officer, list).await;
        assert_eq!(r.ok()["total"], 1, "{list}: {}", r.text);
        assert_eq!(r.body["hits"][0]["evidence"]["listed"], json!([listed]));
    }

    // Absolute, or leaving the directory: a 400 naming the field, nothing read.
    let secret = outside.path().join("secret.txt").display().to_string();
    let escape = format!(
        "../{}/secret.txt",
        outside.path().file_name().unwrap().to_str().unwrap()
    );
    for (list, why) in [
        (secret.as_str(), "absolute"),
        ("/dev/zero", "absolute"),
        (escape.as_str(), ".."),
        ("lists/../lists/sdn.txt", ".."),
        ("", "empty"),
    ] {
        let r = test_run_with_list(&app, &api.officer, list).await;
        r.assert_problem(400);
        let detail = r.body["detail"].as_str().unwrap();
        assert!(
            detail.contains("detector.list") && detail.contains(why),
            "{list:?}: {detail}"
        );
    }

    // Inside the directory but not a regular file, or too large: refused
    // before anything is read into memory.
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("lists/zero")).unwrap();
    let fifo = dir.path().join("lists/fifo");
    let made_fifo = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    let big = std::fs::File::create(dir.path().join("lists/big.txt")).unwrap();
    big.set_len(fog_indexer::rules::MAX_LIST_BYTES + 1).unwrap();
    // A link to a file inside the directory is read like the file; one
    // leading out of it is refused by name.
    std::os::unix::fs::symlink("sdn.txt", dir.path().join("lists/alias.txt")).unwrap();
    let r = test_run_with_list(&app, &api.officer, "lists/alias.txt").await;
    assert_eq!(r.ok()["total"], 1, "{}", r.text);
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), dir.path().join("lists/out.txt")).unwrap();
    let mut refused = vec![
        ("lists/zero", "symbolic link"),
        ("lists/out.txt", "symbolic link"),
        ("lists/big.txt", "larger than 16 MiB"),
    ];
    if made_fifo {
        refused.push(("lists/fifo", "not a regular file"));
    }
    for (list, why) in refused {
        let r = test_run_with_list(&app, &api.officer, list).await;
        r.assert_problem(400);
        let detail = r.body["detail"].as_str().unwrap();
        assert!(detail.contains(why), "{list}: {detail}");
    }

    // A server without a rules directory reads no list at all.
    let r = test_run_with_list(&api.app, &api.officer, "lists/sdn.txt").await;
    r.assert_problem(400);
    assert!(r.body["detail"].as_str().unwrap().contains("--rules"), "{}", r.text);
}

#[tokio::test]
async fn rule_files_name_lists_inside_the_rules_directory() {
    let db = fog_indexer::testing::TestDb::new().await.unwrap();
    let pool = &db.store.pool;
    // The shipped rules (a list under lists/) load, the list resolved.
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules");
    let report = registry::sync_dir(pool, &shipped, "test").await.unwrap();
    assert_eq!(report.loaded.len(), 8, "{report:?}");
    assert!(report.refused.is_empty(), "{report:?}");
    let v = registry::get_version(pool, "aml.sanctioned_counterparty", 1)
        .await
        .unwrap();
    assert_eq!(v.spec["detector"]["list"], "lists/sanctioned.txt", "as written");
    assert_eq!(v.list_entries, Some(1));

    // A rule file naming a list outside its directory is refused by name.
    let dir = tempfile::tempdir().unwrap();
    for (id, list) in [("t.absolute", "/etc/passwd"), ("t.parent", "../lists/sanctioned.txt")] {
        let spec = rule(
            id,
            Detector::SanctionedCounterparty {
                list: Some(list.into()),
            },
        );
        write_rule(dir.path(), &spec);
    }
    let report = registry::sync_dir(pool, dir.path(), "test").await.unwrap();
    assert!(report.loaded.is_empty(), "{report:?}");
    assert_eq!(report.refused.len(), 2, "{report:?}");
    assert!(report.refused.iter().all(|r| r.contains("detector.list")), "{report:?}");
}

#[tokio::test]
async fn two_versions_activated_at_once_leave_one_active() {
    let api = Api::new().await;
    let pool = api.pool();
    let mut spec = rule(
        "t.race",
        Detector::LargeTransfer {
            threshold: "1000".into(),
            asset: None,
        },
    );
    let compiled = |spec: &RuleSpec| CompiledRule::compile(spec.clone()).unwrap();
    // Two readers of the directory load the same new version at once: one
    // loads it, the other finds it loaded (not "refused").
    let (first, second) = (compiled(&spec), compiled(&spec));
    let (a, b) = tokio::join!(
        registry::register(pool, &first, "t.race.json", "sighup"),
        registry::register(pool, &second, "t.race.json", "reload")
    );
    let mut loaded = [a.unwrap(), b.unwrap()];
    loaded.sort();
    assert_eq!(loaded, [false, true]);
    assert!(!registry::register(pool, &compiled(&spec), "t.race.json", "test")
        .await
        .unwrap());
    spec.version = 2;
    spec.risk_score = 90;
    assert!(registry::register(pool, &compiled(&spec), "t.race.json", "test")
        .await
        .unwrap());
    for version in [1, 2] {
        registry::approve(pool, "t.race", version, "admin.one").await.unwrap();
    }
    // Version 1 activated by another request, not yet committed.
    let mut other = pool.begin().await.unwrap();
    sqlx::query(
        "UPDATE rule_versions SET state = 'active', activated_by = 'admin.two', activated_at = now() \
         WHERE rule_id = 't.race' AND version = 1",
    )
    .execute(&mut *other)
    .await
    .unwrap();
    let (r, ()) = tokio::join!(
        api.call(&api.admin2, "POST", "/rules/t.race/versions/2/activation", None),
        async move {
            support::until_a_session_waits_for_a_lock(pool).await;
            other.commit().await.unwrap();
        }
    );
    // The second activation waited for the first and retired its version.
    assert_eq!(r.ok()["state"], "active");
    let states: Vec<(i32, String)> =
        sqlx::query_as("SELECT version, state FROM rule_versions WHERE rule_id = 't.race' ORDER BY version")
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(states, [(1, "retired".to_string()), (2, "active".to_string())]);
}
