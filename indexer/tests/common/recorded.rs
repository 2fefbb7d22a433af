//! The chain recorded from the devnet during the end-to-end scenario
//! (`tests/fixtures/devnet-e2e.tar.gz`, written by `fog-indexer record`):
//! unpacked to a temporary directory and replayed by the live code path.
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
    let dir = tempfile::tempdir().unwrap();
    let archive = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/devnet-e2e.tar.gz");
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
    let ingest = Ingest::new(
        DirSource::open(dir, "inj").unwrap(),
        store.clone(),
        Watched::from(&deployment(dir).contracts),
        Options {
            progress: false,
            ..Options::default()
        },
    );
    ingest.run_to(None).await.unwrap();
}
