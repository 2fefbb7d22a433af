//! Which events the indexer keeps, and which contract may emit which.
//!
//! Any contract can emit an event named `wasm-fog.governance.vote_cast`:
//! a fog event counts only when its `_contract_address` is the deployment's
//! contract for that module. Spoofed ones are dropped and counted.

use fog_relayer::deployment::Contracts;

use crate::source::Event;

/// The fog deployment whose events are trusted.
#[derive(Debug, Clone)]
pub struct Watched(pub Contracts);

impl From<&Contracts> for Watched {
    fn from(c: &Contracts) -> Self {
        Self(c.clone())
    }
}

impl std::ops::Deref for Watched {
    type Target = Contracts;
    fn deref(&self) -> &Contracts {
        &self.0
    }
}

/// What an event is to the indexer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// A fog contract event from the right contract.
    Fog,
    /// A `wasm` event of the FOG token (cw20 actions).
    Token,
    /// A bank `transfer`.
    Bank,
    /// A fog-named event from another contract.
    Spoofed,
    Dropped,
}

impl Watched {
    fn module_address(&self, module: &str) -> Option<&str> {
        Some(match module {
            "ve" => &self.ve,
            "governance" => &self.governance,
            "release-gate" => &self.release_gate,
            "audit-anchor" => &self.audit_anchor,
            "registry" => &self.registry,
            _ => return None,
        })
    }

    pub fn classify(&self, e: &Event) -> Kept {
        if let Some(rest) = e.kind.strip_prefix("wasm-fog.") {
            let module = rest.split('.').next().unwrap_or_default();
            return match (self.module_address(module), e.attr("_contract_address")) {
                (Some(expected), Some(actual)) if expected == actual => Kept::Fog,
                _ => Kept::Spoofed,
            };
        }
        match e.kind.as_str() {
            "wasm" if e.attr("_contract_address") == Some(self.token.as_str()) => Kept::Token,
            "transfer" => Kept::Bank,
            _ => Kept::Dropped,
        }
    }
}

/// A token movement: (asset, action, sender, recipient, amount).
pub type Movement = (String, String, Option<String>, Option<String>, String);

/// The movements an event records.
pub fn movements(kept: Kept, e: &Event, token: &str) -> Vec<Movement> {
    match kept {
        Kept::Token => {
            let action = e.attr("action").unwrap_or_default();
            let amount = e.attr("amount").unwrap_or_default();
            if amount.is_empty() || !amount.bytes().all(|b| b.is_ascii_digit()) {
                return vec![];
            }
            let (from, to) = match action {
                "transfer" | "send" | "transfer_from" | "send_from" => (e.attr("from"), e.attr("to")),
                "mint" => (None, e.attr("to")),
                "burn" | "burn_from" => (e.attr("from"), None),
                _ => return vec![],
            };
            vec![(
                format!("cw20:{token}"),
                action.to_string(),
                from.map(str::to_string),
                to.map(str::to_string),
                amount.to_string(),
            )]
        }
        Kept::Bank => {
            let (sender, recipient) = (e.attr("sender"), e.attr("recipient"));
            e.attr("amount")
                .unwrap_or_default()
                .split(',')
                .filter_map(|coin| {
                    let digits = coin.bytes().take_while(u8::is_ascii_digit).count();
                    let (amount, denom) = coin.split_at(digits);
                    (!amount.is_empty() && !denom.is_empty()).then(|| {
                        (
                            format!("native:{denom}"),
                            "transfer".to_string(),
                            sender.map(str::to_string),
                            recipient.map(str::to_string),
                            amount.to_string(),
                        )
                    })
                })
                .collect()
        }
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Phase;

    fn ev(kind: &str, attrs: &[(&str, &str)]) -> Event {
        Event {
            kind: kind.into(),
            attributes: attrs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            phase: Phase::Tx,
            tx_index: Some(0),
        }
    }

    fn watched() -> Watched {
        Watched(Contracts {
            token: "tok".into(),
            ve: "ve".into(),
            governance: "gov".into(),
            release_gate: "gate".into(),
            audit_anchor: "anchor".into(),
            registry: "reg".into(),
        })
    }

    #[test]
    fn only_the_deployments_contracts_emit_fog_events() {
        let w = watched();
        assert_eq!(
            w.classify(&ev("wasm-fog.governance.vote_cast", &[("_contract_address", "gov")])),
            Kept::Fog
        );
        assert_eq!(
            w.classify(&ev("wasm-fog.governance.vote_cast", &[("_contract_address", "evil")])),
            Kept::Spoofed
        );
        assert_eq!(
            w.classify(&ev("wasm-fog.ve.lock_created", &[("_contract_address", "gov")])),
            Kept::Spoofed
        );
        assert_eq!(w.classify(&ev("wasm", &[("_contract_address", "tok")])), Kept::Token);
        assert_eq!(
            w.classify(&ev("wasm", &[("_contract_address", "other")])),
            Kept::Dropped
        );
        assert_eq!(w.classify(&ev("transfer", &[])), Kept::Bank);
        assert_eq!(w.classify(&ev("coin_spent", &[])), Kept::Dropped);
    }

    #[test]
    fn bank_transfers_split_coins() {
        let e = ev(
            "transfer",
            &[("sender", "a"), ("recipient", "b"), ("amount", "10inj,5ibc/ABC")],
        );
        let m = movements(Kept::Bank, &e, "tok");
        assert_eq!(m.len(), 2);
        assert_eq!(m[1].0, "native:ibc/ABC");
        assert_eq!(m[1].4, "5");
    }
}
