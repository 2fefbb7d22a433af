//! Chains recorded from the devnet: during the end-to-end scenario
//! (`tests/fixtures/devnet-e2e.tar.gz`, written by `fog-indexer record`) and
//! the compliance scenario (`devnet-compliance.tar.gz`, written by
//! `scripts/record-compliance-fixture.sh`): unpacked to a temporary
//! directory and replayed by the live code path.
//! Included with `#[path = "common/recorded.rs"] mod recorded;`.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use fog_indexer::ingest::{Ingest, Options};
use fog_indexer::source::DirSource;
use fog_indexer::store::select::Watched;
use fog_indexer::store::Store;
use fog_relayer::deployment::Deployment;

/// The recording, unpacked; gone with the returned directory.
pub fn unpack() -> tempfile::TempDir {
    unpack_fixture("devnet-e2e.tar.gz")
}

/// A recording of `tests/fixtures/`, unpacked.
pub fn unpack_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let archive = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    let ok = Command::new("tar")
        .arg("xzf")
        .arg(&archive)
        .arg("-C")
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(ok.success());
    dir
}

/// The deployment the recording was made on.
pub fn deployment(dir: &Path) -> Deployment {
    Deployment::load(&dir.join("deployment.json")).unwrap()
}

/// Replays every recorded block into `store`.
pub async fn replay(dir: &Path, store: &Store) {
    replay_in_batches_of(dir, store, Options::default().batch_blocks).await;
}

/// Replays every recorded block into `store`, at most `blocks` blocks a
/// transaction (the live tail writes one).
pub async fn replay_in_batches_of(dir: &Path, store: &Store, blocks: usize) {
    let ingest = Ingest::new(
        DirSource::open(dir, "inj").unwrap(),
        store.clone(),
        Watched::from(&deployment(dir).contracts),
        Options {
            progress: false,
            batch_blocks: blocks,
            ..Options::default()
        },
    );
    ingest.run_to(None).await.unwrap();
}

/// Loads the eight rule files of `dir` and activates each, approved by one
/// admin and activated by another.
pub async fn activate_rules(pool: &sqlx::PgPool, dir: &Path) {
    use fog_indexer::rules::registry;
    let report = registry::sync_dir(pool, dir, "test").await.unwrap();
    assert_eq!(report.loaded.len(), 8, "{report:?}");
    for v in registry::list(pool, None).await.unwrap() {
        registry::approve(pool, &v.rule_id, v.version, "admin.one")
            .await
            .unwrap();
        registry::activate(pool, &v.rule_id, v.version, "admin.two")
            .await
            .unwrap();
    }
}
