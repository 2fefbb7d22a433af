//! The EVM anchor against a real anvil node (node_modules/.bin/anvil; `npm ci`
//! installs it). Each test starts its own node on a free port, so the tests run
//! in parallel and next to a running devnet (whose anvil owns 8555).

use std::time::Duration;

use fog_relayer::anchoring::target::TxState;
use fog_relayer::anchoring::{EvmTarget, Target};
use fog_relayer::evm::{Anvil, EvmAnchor, EvmError, PreparedTx, Revert, TxInfo};
use sha2::{Digest, Sha256};

const ORIGIN: &str = "fog.test/audit-log";
const TIMEOUT: Duration = Duration::from_secs(30);
/// TARGETS.md: an anchor update costs at most this much gas.
const GAS_BUDGET: u64 = 60_000;

fn root(n: u8) -> [u8; 32] {
    let mut root = [n; 32];
    root[0] = 0xa5;
    root
}

async fn deployed() -> (Anvil, EvmAnchor) {
    let anvil = Anvil::start_on_free_port(&[]).await.expect("anvil starts");
    let (anchor, deploy) = EvmAnchor::deploy(anvil.url(), anvil.private_key(), ORIGIN, anvil.address())
        .await
        .expect("deploys");
    assert!(deploy.success);
    println!("deployment gas: {}", deploy.gas_used);
    (anvil, anchor)
}

fn expect_revert(result: Result<impl std::fmt::Debug, EvmError>) -> Revert {
    match result {
        Err(EvmError::Reverted(revert)) => revert,
        other => panic!("expected a revert, got {other:?}"),
    }
}

#[test]
fn committed_artifact_matches_the_source() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../contracts/evm");
    let source = std::fs::read(format!("{dir}/AuditAnchor.sol")).unwrap();
    let recorded = std::fs::read_to_string(format!("{dir}/artifacts/AuditAnchor.sol.sha256")).unwrap();
    let actual = hex::encode(Sha256::digest(&source));
    assert_eq!(
        recorded.split_whitespace().next(),
        Some(actual.as_str()),
        "contracts/evm/artifacts is stale: run scripts/build-evm.sh and commit the artifact"
    );
    let artifact: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}/artifacts/AuditAnchor.json")).unwrap()).unwrap();
    assert!(artifact["abi"].as_array().is_some_and(|abi| !abi.is_empty()));
    assert!(artifact["bytecode"]
        .as_str()
        .is_some_and(|code| code.starts_with("0x") && code.len() > 2));
}

#[tokio::test]
async fn anchors_grow_and_are_read_back_from_state_and_events() {
    let (_anvil, anchor) = deployed().await;
    assert_eq!(anchor.latest().await.unwrap(), (0, [0; 32]));

    let first = anchor.anchor(5, root(5), TIMEOUT).await.unwrap();
    assert_eq!(anchor.latest().await.unwrap(), (5, root(5)));
    let second = anchor.anchor(9, root(9), TIMEOUT).await.unwrap();
    assert_eq!(anchor.latest().await.unwrap(), (9, root(9)));
    let third = anchor.anchor(1_000_000, root(42), TIMEOUT).await.unwrap();
    assert_eq!(anchor.latest().await.unwrap(), (1_000_000, root(42)));

    println!(
        "anchor gas: first {}, second {}, third {} (budget {GAS_BUDGET})",
        first.gas_used, second.gas_used, third.gas_used
    );
    assert!(
        second.gas_used <= GAS_BUDGET,
        "second anchor used {} gas",
        second.gas_used
    );
    assert!(third.gas_used <= GAS_BUDGET, "third anchor used {} gas", third.gas_used);

    let events = anchor.anchored(0).await.unwrap();
    let got: Vec<_> = events
        .iter()
        .map(|e| (e.size, e.root, e.block_number, e.tx_hash))
        .collect();
    assert_eq!(
        got,
        vec![
            (5, root(5), first.block_number, first.hash),
            (9, root(9), second.block_number, second.hash),
            (1_000_000, root(42), third.block_number, third.hash),
        ]
    );
    assert!(events.iter().all(|e| e.timestamp > 0));
    assert!(events.windows(2).all(|w| w[0].timestamp <= w[1].timestamp));
    // A later start block leaves the earlier anchors out.
    let later = anchor.anchored(second.block_number).await.unwrap();
    assert_eq!(later.iter().map(|e| e.size).collect::<Vec<_>>(), vec![9, 1_000_000]);

    // Connecting to the deployed contract sees the same state.
    let again = EvmAnchor::connect(_anvil.url(), _anvil.private_key(), anchor.address())
        .await
        .unwrap();
    assert_eq!(again.latest().await.unwrap(), (1_000_000, root(42)));
}

#[tokio::test]
async fn the_same_or_a_smaller_size_reverts_with_not_larger() {
    let (_anvil, anchor) = deployed().await;
    // Size 0 never extends the empty state.
    assert_eq!(
        expect_revert(anchor.prepare_anchor(0, root(0)).await),
        Revert::NotLarger { latest: 0, proposed: 0 }
    );

    anchor.anchor(5, root(5), TIMEOUT).await.unwrap();
    let same = expect_revert(anchor.anchor(5, root(6), TIMEOUT).await);
    assert_eq!(same, Revert::NotLarger { latest: 5, proposed: 5 });
    assert_eq!(same.name(), "NotLarger");
    let smaller = expect_revert(anchor.prepare_anchor(4, root(4)).await);
    assert_eq!(smaller, Revert::NotLarger { latest: 5, proposed: 4 });
    assert_eq!(anchor.latest().await.unwrap(), (5, root(5)));
    assert_eq!(anchor.anchored(0).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_non_submitter_reverts_with_not_submitter() {
    let (anvil, anchor) = deployed().await;
    assert_eq!(anchor.origin().await.unwrap(), ORIGIN);
    let (other_key, other) = anvil.dev_account(1).expect("a second dev account");
    let outsider = EvmAnchor::connect(anvil.url(), other_key, anchor.address())
        .await
        .unwrap();
    assert!(!outsider.is_submitter(other).await.unwrap());
    let revert = expect_revert(outsider.prepare_anchor(5, root(5)).await);
    assert_eq!(revert, Revert::NotSubmitter);
    let message = EvmError::Reverted(revert).to_string();
    assert!(message.contains("NotSubmitter"), "{message}");
    assert_eq!(anchor.latest().await.unwrap(), (0, [0; 32]));

    // Only the owner manages submitters.
    let revert = expect_revert(outsider.add_submitter(other, TIMEOUT).await);
    assert_eq!(revert, Revert::NotOwner);
    anchor.add_submitter(other, TIMEOUT).await.unwrap();
    outsider.anchor(5, root(5), TIMEOUT).await.unwrap();
    anchor.remove_submitter(other, TIMEOUT).await.unwrap();
    assert_eq!(
        expect_revert(outsider.prepare_anchor(6, root(6)).await),
        Revert::NotSubmitter
    );

    // Ownership moves: the old owner loses the right, the new one gains it.
    assert_eq!(
        expect_revert(anchor.transfer_ownership(Default::default(), TIMEOUT).await),
        Revert::ZeroAddress
    );
    anchor.transfer_ownership(other, TIMEOUT).await.unwrap();
    assert_eq!(
        expect_revert(anchor.add_submitter(other, TIMEOUT).await),
        Revert::NotOwner
    );
    outsider.add_submitter(other, TIMEOUT).await.unwrap();
    outsider.anchor(6, root(6), TIMEOUT).await.unwrap();
    assert_eq!(anchor.latest().await.unwrap(), (6, root(6)));
}

#[tokio::test]
async fn sending_a_prepared_anchor_twice_anchors_once() {
    let (_anvil, anchor) = deployed().await;
    anchor.anchor(3, root(3), TIMEOUT).await.unwrap();

    let tx = anchor.prepare_anchor(7, root(7)).await.unwrap();
    assert_eq!(anchor.receipt(tx.hash).await.unwrap(), None, "prepared, not sent");
    anchor.send_prepared(&tx).await.unwrap();
    // A crash before the confirmation was recorded: the daemon sends again.
    anchor
        .send_prepared(&tx)
        .await
        .expect("re-sending the same transaction is not an error");
    let info = anchor.wait(tx.hash, TIMEOUT).await.unwrap();
    assert!(info.success);
    assert_eq!(anchor.receipt(tx.hash).await.unwrap(), Some(info));
    anchor
        .send_prepared(&tx)
        .await
        .expect("re-sending a mined transaction is not an error");

    assert_eq!(anchor.latest().await.unwrap(), (7, root(7)));
    let sizes: Vec<_> = anchor.anchored(0).await.unwrap().iter().map(|e| e.size).collect();
    assert_eq!(sizes, vec![3, 7]);
    println!("anchor gas (update): {}", info.gas_used);
    assert!(info.gas_used <= GAS_BUDGET);
}

#[tokio::test]
async fn sending_a_pending_anchor_twice_anchors_once() {
    // Mining on a clock: the second send finds the transaction in the pool.
    let anvil = Anvil::start_on_free_port(&["--block-time", "1"]).await.unwrap();
    let (anchor, _) = EvmAnchor::deploy(anvil.url(), anvil.private_key(), ORIGIN, anvil.address())
        .await
        .unwrap();
    let tx = anchor.prepare_anchor(4, root(4)).await.unwrap();
    anchor.send_prepared(&tx).await.unwrap();
    anchor
        .send_prepared(&tx)
        .await
        .expect("re-sending a pending transaction is not an error");
    assert!(anchor.wait(tx.hash, TIMEOUT).await.unwrap().success);
    assert_eq!(anchor.anchored(0).await.unwrap().len(), 1);

    // A different transaction with the same nonce can never be mined.
    let stale = anchor.prepare_anchor(8, root(8)).await.unwrap();
    let newer = anchor.prepare_anchor(8, root(9)).await.unwrap();
    assert_eq!(stale.nonce, newer.nonce);
    anchor.send_prepared(&newer).await.unwrap();
    anchor.wait(newer.hash, TIMEOUT).await.unwrap();
    let err = anchor.send_prepared(&stale).await.unwrap_err();
    assert!(matches!(err, EvmError::NonceTaken { .. }), "{err}");
}

#[tokio::test]
async fn node_and_contract_problems_are_readable_errors() {
    // Nothing listens on this port.
    let key = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    let err = EvmAnchor::connect("http://127.0.0.1:8554", key, Default::default())
        .await
        .unwrap_err();
    assert!(matches!(err, EvmError::Unreachable { .. }), "{err}");
    assert!(err.to_string().contains("unreachable"), "{err}");

    let anvil = Anvil::start_on_free_port(&[]).await.unwrap();
    let err = EvmAnchor::connect(anvil.url(), anvil.private_key(), anvil.address())
        .await
        .unwrap_err();
    assert!(matches!(err, EvmError::NoContract(_)), "{err}");
    let (anchor, _) = EvmAnchor::deploy(anvil.url(), anvil.private_key(), ORIGIN, anvil.address())
        .await
        .unwrap();
    let err = anchor.wait([7; 32], Duration::from_millis(300)).await.unwrap_err();
    assert!(matches!(err, EvmError::Timeout { .. }), "{err}");
}

/// Size 1 anchored and mined, as the relayer's target that counts it under
/// `confirmations` blocks sees it.
async fn anchored_under(confirmations: u64) -> (Anvil, PreparedTx, TxInfo, Target) {
    let (anvil, anchor) = deployed().await;
    let tx = anchor.prepare_anchor(1, root(1)).await.unwrap();
    anchor.send_prepared(&tx).await.unwrap();
    let mined = anchor.wait(tx.hash, TIMEOUT).await.unwrap();
    let target = Target::Evm(Box::new(EvmTarget {
        anchor,
        origin: ORIGIN.into(),
        confirmations,
    }));
    (anvil, tx, mined, target)
}

/// An anchoring counts once it is under `confirmations` blocks: before,
/// the relayer neither settles nor re-sends it.
#[tokio::test]
async fn an_anchoring_counts_only_under_its_confirmations() {
    let (anvil, tx, mined, target) = anchored_under(3).await;
    let hash = format!("0x{}", hex::encode(tx.hash));
    let pending = TxState::Pending {
        height: mined.block_number,
    };
    assert_eq!(target.status(&hash).await.unwrap(), pending, "its own block: 1 of 3");
    anvil_rpc(anvil.url(), "evm_mine", serde_json::json!([])).await;
    assert_eq!(target.status(&hash).await.unwrap(), pending, "2 of 3");
    anvil_rpc(anvil.url(), "evm_mine", serde_json::json!([])).await;
    match target.status(&hash).await.unwrap() {
        TxState::Included { height, gas_used } => {
            assert_eq!((height, gas_used), (mined.block_number, mined.gas_used));
        }
        other => panic!("3 of 3 should settle it: {other:?}"),
    }
}

/// A reorganisation that drops an anchoring's block before it is deep
/// enough: the relayer's view goes back from pending to unknown (nothing
/// settled), and sending the recorded bytes again anchors it once, on the
/// new branch, under its confirmations. Anvil reorganises for real
/// (`anvil_reorg`: the blocks are replaced, the state rolled back).
#[tokio::test]
async fn an_anchoring_reorganised_away_before_its_confirmations_is_sent_again_and_counts_once() {
    let (anvil, tx, mined, target) = anchored_under(2).await;
    let hash = format!("0x{}", hex::encode(tx.hash));
    assert_eq!(
        target.status(&hash).await.unwrap(),
        TxState::Pending {
            height: mined.block_number
        }
    );
    // One empty block replaces the anchoring's; a second goes on top.
    anvil_rpc(anvil.url(), "anvil_reorg", serde_json::json!([1, []])).await;
    anvil_rpc(anvil.url(), "evm_mine", serde_json::json!([])).await;
    let Target::Evm(evm) = &target else { unreachable!() };
    let after = target.status(&hash).await.unwrap();
    println!("after the reorganisation: {after:?}");
    match after {
        TxState::Unknown => {
            assert_eq!(
                evm.anchor.latest().await.unwrap().0,
                0,
                "the new branch holds no anchor"
            );
            // What the daemon does with an unknown anchoring: send its bytes.
            evm.anchor.send_prepared(&tx).await.unwrap();
        }
        // A node that puts the dropped transaction back in its pool mines
        // it again by itself.
        TxState::Pending { height } | TxState::Included { height, .. } => {
            assert!(height > mined.block_number, "not the dropped block: {height}")
        }
        other => panic!("after the reorganisation: {other:?}"),
    }
    let again = evm.anchor.wait(tx.hash, TIMEOUT).await.unwrap();
    assert!(again.success && again.block_number > mined.block_number);
    anvil_rpc(anvil.url(), "evm_mine", serde_json::json!([])).await;
    match target.status(&hash).await.unwrap() {
        TxState::Included { height, .. } => assert_eq!(height, again.block_number),
        other => panic!("under 2 blocks on the new branch it counts: {other:?}"),
    }
    let sizes: Vec<u64> = evm.anchor.anchored(0).await.unwrap().iter().map(|e| e.size).collect();
    assert_eq!(sizes, vec![1], "anchored once");
}

/// A JSON-RPC call to anvil (its own methods: mining, base fee).
async fn anvil_rpc(url: &str, method: &'static str, params: serde_json::Value) -> serde_json::Value {
    use alloy::providers::{Provider, RootProvider};
    let node: RootProvider = RootProvider::new_http(url.parse().unwrap());
    node.raw_request(method.into(), params)
        .await
        .unwrap_or_else(|e| panic!("{method}: {e}"))
}

/// Mines a block at base fee `wei` (without the pending transactions that
/// offer less), then waits until the node's fee history, which fee
/// estimates read, has caught up with it: anvil updates that history after
/// the block, so an estimate right after `evm_mine` could still see the old
/// base fee.
async fn mine_at_base_fee(url: &str, wei: u128) {
    anvil_rpc(
        url,
        "anvil_setNextBlockBaseFeePerGas",
        serde_json::json!([format!("{wei:#x}")]),
    )
    .await;
    anvil_rpc(url, "evm_mine", serde_json::json!([])).await;
    for _ in 0..250 {
        let history = anvil_rpc(url, "eth_feeHistory", serde_json::json!(["0x1", "latest", []])).await;
        let latest = history["baseFeePerGas"][0].as_str().unwrap_or("0x0");
        if u128::from_str_radix(latest.trim_start_matches("0x"), 16).unwrap() >= wei {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the node's fee history never showed the base fee {wei}");
}

#[tokio::test]
async fn an_anchor_priced_out_by_rising_fees_is_replaced_and_mined_once() {
    let (anvil, anchor) = deployed().await;
    anvil_rpc(anvil.url(), "evm_setAutomine", serde_json::json!([false])).await;
    let first = anchor.prepare_anchor(1, root(1)).await.unwrap();
    anchor.send_prepared(&first).await.unwrap();
    assert!(
        anchor.replacement(&first).await.unwrap().is_none(),
        "the fees asked have not moved: nothing to re-price"
    );

    // The base fee jumps past what the first transaction offers (about
    // twice the 1 gwei it was signed at): a block is mined without it.
    mine_at_base_fee(anvil.url(), 1_000_000_000_000).await; // 1,000 gwei
    assert!(anchor.receipt(first.hash).await.unwrap().is_none(), "priced out");

    let second = anchor
        .replacement(&first)
        .await
        .unwrap()
        .expect("fees rose above what it offers");
    assert_eq!(second.nonce, first.nonce, "the same nonce: only one can be mined");
    assert_ne!(second.hash, first.hash);
    anchor.send_prepared(&second).await.unwrap();
    anvil_rpc(anvil.url(), "evm_mine", serde_json::json!([])).await;
    let mined = anchor
        .receipt(second.hash)
        .await
        .unwrap()
        .expect("the replacement is mined");
    assert!(mined.success);
    assert!(anchor.receipt(first.hash).await.unwrap().is_none());
    assert_eq!(anchor.latest().await.unwrap(), (1, root(1)));
    assert_eq!(anchor.anchored(0).await.unwrap().len(), 1, "anchored once");
    let err = anchor.send_prepared(&first).await.unwrap_err();
    assert!(matches!(err, EvmError::NonceTaken { .. }), "{err}");
}

/// The max fee per gas a transaction the node holds offers.
async fn offered_max_fee(url: &str, hash: [u8; 32]) -> u128 {
    let tx = anvil_rpc(
        url,
        "eth_getTransactionByHash",
        serde_json::json!([format!("0x{}", hex::encode(hash))]),
    )
    .await;
    u128::from_str_radix(tx["maxFeePerGas"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
}

#[tokio::test]
async fn a_fee_cap_bounds_an_anchoring_and_its_replacements() {
    let (anvil, anchor) = deployed().await;
    anvil_rpc(anvil.url(), "evm_setAutomine", serde_json::json!([false])).await;
    // The node asks about twice its base fee (1 gwei); the cap is below.
    let cap = 1_500_000_000u128;
    let capped = anchor.clone().with_max_fee_per_gas(Some(cap));
    let first = capped.prepare_anchor(1, root(1)).await.unwrap();
    capped.send_prepared(&first).await.unwrap();
    assert_eq!(offered_max_fee(anvil.url(), first.hash).await, cap);

    // Fees jump: uncapped it would be re-priced; at the cap it waits.
    mine_at_base_fee(anvil.url(), 1_000_000_000_000).await;
    assert!(
        anchor.replacement(&first).await.unwrap().is_some(),
        "uncapped: re-priced"
    );
    assert!(
        capped.replacement(&first).await.unwrap().is_none(),
        "capped: not raised past the cap"
    );
    // A cap above the base fee (875 gwei for the next block) and below what
    // the node asks (about twice that) allows a replacement, up to it.
    let above_base = 1_200_000_000_000u128;
    let higher = anchor.clone().with_max_fee_per_gas(Some(above_base));
    let second = higher.replacement(&first).await.unwrap().expect("room under the cap");
    higher.send_prepared(&second).await.unwrap();
    assert_eq!(offered_max_fee(anvil.url(), second.hash).await, above_base);
    anvil_rpc(anvil.url(), "evm_mine", serde_json::json!([])).await;
    assert!(higher.receipt(second.hash).await.unwrap().expect("mined").success);
}
