//! What can go wrong talking to a chain, in words a user can act on.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ChainError {
    #[error("cannot reach the node at {url}: {reason} (is the chain running? try `fog devnet status`)")]
    Unreachable { url: String, reason: String },

    #[error("out of gas: the transaction used {used} of its {wanted} gas limit")]
    OutOfGas { wanted: u64, used: u64 },

    #[error("insufficient fee: {log}")]
    InsufficientFee { log: String },

    #[error("insufficient funds: {log}")]
    InsufficientFunds { log: String },

    #[error("the contract refused: {message}")]
    Contract { message: String },

    #[error("account sequence mismatch: {log}")]
    SequenceMismatch { log: String },

    #[error("account {address} does not exist on chain (it has never received funds)")]
    NoAccount { address: String },

    #[error("the chain refused the transaction (code {code}, {codespace}): {log}")]
    Rejected { code: u32, codespace: String, log: String },

    #[error(
        "transaction {hash} was not included within {seconds} s; it may still be: look it up (GET /cosmos/tx/v1beta1/txs/{hash}) before sending it again"
    )]
    Timeout { hash: String, seconds: u64 },

    #[error(
        "transaction {hash} was sent but its outcome is unknown ({reason}); it may still be included: look it up (GET /cosmos/tx/v1beta1/txs/{hash}) before sending it again"
    )]
    Unsettled { hash: String, reason: String },

    #[error("query failed: {message}")]
    Query { message: String },

    #[error("unexpected answer from {url}: {message}")]
    Decode { url: String, message: String },

    #[error("key: {message}")]
    Key { message: String },

    #[error("configuration: {message}")]
    Config { message: String },
}

/// The contract's own error text inside a wasm failure log, e.g.
/// "failed to execute message; message index: 0: voting on proposal 1 is
/// closed: execute wasm contract failed".
pub fn contract_message(log: &str) -> Option<String> {
    let inner = log
        .strip_suffix(": execute wasm contract failed")
        .or_else(|| log.strip_suffix(": instantiate wasm contract failed"))
        .or_else(|| log.strip_suffix(": migrate wasm contract failed"))
        .or_else(|| log.strip_suffix(": query wasm contract failed"))?;
    let inner = inner
        .split_once("message index: ")
        .map(|(_, rest)| rest.split_once(": ").map(|(_, m)| m).unwrap_or(rest))
        .unwrap_or(inner);
    // Errors of a contract called by another (cw20 Send hooks) carry the
    // dispatcher's prefixes.
    let inner = inner.trim().trim_start_matches("dispatch: submessages: ");
    Some(inner.to_string())
}

/// Turns a failed `code`/`codespace`/`log` into the error a user can act on.
pub fn classify(code: u32, codespace: &str, log: &str, gas_wanted: u64, gas_used: u64) -> ChainError {
    match (codespace, code) {
        ("sdk", 11) => ChainError::OutOfGas {
            wanted: gas_wanted,
            used: gas_used,
        },
        ("sdk", 13) => ChainError::InsufficientFee { log: log.to_string() },
        ("sdk", 5) => ChainError::InsufficientFunds { log: log.to_string() },
        ("sdk", 32) => ChainError::SequenceMismatch { log: log.to_string() },
        ("wasm", _) => match contract_message(log) {
            Some(message) => ChainError::Contract { message },
            None => ChainError::Rejected {
                code,
                codespace: codespace.to_string(),
                log: log.to_string(),
            },
        },
        _ => ChainError::Rejected {
            code,
            codespace: codespace.to_string(),
            log: log.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_the_contract_message() {
        let log =
            "failed to execute message; message index: 0: voting on proposal 1 is closed: execute wasm contract failed";
        assert_eq!(contract_message(log).unwrap(), "voting on proposal 1 is closed");
        assert!(matches!(classify(5, "wasm", log, 1, 1), ChainError::Contract { .. }));
        assert!(matches!(
            classify(11, "sdk", "out of gas", 100, 101),
            ChainError::OutOfGas { wanted: 100, used: 101 }
        ));
    }
}
