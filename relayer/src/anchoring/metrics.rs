//! The daemon's Prometheus metrics (names in one place).

use metrics::{counter, gauge, histogram};

pub fn log_size(size: u64) {
    gauge!("fog_relayer_log_size").set(size as f64);
}

pub fn anchored(target: &str, size: u64, log_size: u64) {
    gauge!("fog_relayer_anchored_size", "target" => target.to_string()).set(size as f64);
    gauge!("fog_relayer_lag_records", "target" => target.to_string()).set(log_size.saturating_sub(size) as f64);
}

pub fn broadcast(target: &str) {
    counter!("fog_relayer_broadcasts_total", "target" => target.to_string()).increment(1);
}

pub fn confirmed(target: &str, gas_used: u64, seconds: f64) {
    counter!("fog_relayer_anchors_total", "target" => target.to_string(), "outcome" => "confirmed").increment(1);
    gauge!("fog_relayer_anchor_gas_used", "target" => target.to_string()).set(gas_used as f64);
    histogram!("fog_relayer_confirmation_seconds", "target" => target.to_string()).record(seconds);
}

pub fn failed(target: &str) {
    counter!("fog_relayer_anchors_total", "target" => target.to_string(), "outcome" => "failed").increment(1);
}

pub fn error(target: &str) {
    counter!("fog_relayer_errors_total", "target" => target.to_string()).increment(1);
}

/// An EVM anchoring re-signed with higher fees.
pub fn replaced(target: &str) {
    counter!("fog_relayer_replacements_total", "target" => target.to_string()).increment(1);
}
