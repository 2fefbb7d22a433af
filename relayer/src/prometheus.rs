//! The Prometheus recorder's upkeep, for every fog process that serves
//! metrics.

use std::time::Duration;

use metrics_exporter_prometheus::PrometheusHandle;

/// Folds the recorder's histogram samples in every 5 s: it keeps each one
/// until upkeep (or a scrape) does, so a process nobody scrapes grows with
/// every observation.
pub fn spawn_upkeep(handle: PrometheusHandle) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(5));
        loop {
            every.tick().await;
            handle.run_upkeep();
        }
    });
}
