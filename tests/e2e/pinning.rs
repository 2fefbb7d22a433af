//! `fog devnet pin`: the chain's governance pins fog's codes, and a lock
//! (a cw20 `Send` that loads two contracts) costs what wasmd's pinned
//! instance price says it should.

use crate::fog::{devnet, gas, ok, signers};

#[test]
fn pinned_codes_make_a_lock_cheaper() {
    if std::env::var("FOG_E2E_PIN").is_ok_and(|v| v == "1") {
        eprintln!("the devnet was pinned at start (FOG_E2E_PIN=1): nothing to compare");
        return;
    }
    devnet();
    let _signers = signers();
    // Two first locks of the same size by two accounts of the same key type:
    // the same work, before and after pinning.
    let unpinned = ok(&["lock", "--amount", "10", "--weeks", "1", "--from", "developer"]);
    let pin = ok(&["devnet", "pin"]);
    assert!(pin["proposal_id"].as_u64().is_some(), "{pin}");
    let pinned = ok(&["lock", "--amount", "10", "--weeks", "1", "--from", "risk"]);
    gas("lock (unpinned, eth_secp256k1)", &unpinned);
    gas("lock (pinned, eth_secp256k1)", &pinned);
    let (before, after) = (
        unpinned["gas_used"].as_u64().unwrap(),
        pinned["gas_used"].as_u64().unwrap(),
    );
    // Two instances at 60,000 unpinned and 2,000 pinned each.
    let saved = before - after;
    assert!(
        (100_000..=125_000).contains(&saved),
        "pinning saved {saved} gas ({before} -> {after})"
    );
    // Idempotent: nothing left to pin.
    let again = ok(&["devnet", "pin"]);
    assert!(again["proposal_id"].is_null(), "{again}");
    assert_eq!(again["newly_pinned"].as_array().map(Vec::len), Some(0));
}
