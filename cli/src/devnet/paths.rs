//! Where the devnet keeps its files: all under the project's `.fog/`.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Paths {
    /// Python virtual environment with injective-core.
    pub venv: PathBuf,
    /// `.fog/devnet`
    pub devnet: PathBuf,
    /// The node's home (config, data).
    pub node_home: PathBuf,
    pub pid_file: PathBuf,
    pub log_file: PathBuf,
    pub manifest: PathBuf,
    /// Keystore of the devnet's named accounts (password "devnet").
    pub keystore: PathBuf,
    /// The audit log's checkpoint signing key (`.fog/audit.key`, where the
    /// indexer looks by default): the audit anchor is told its public key.
    pub audit_key: PathBuf,
}

impl Paths {
    pub fn new(root: &Path) -> Self {
        let devnet = root.join("devnet");
        Self {
            // FOG_VENV lets several homes (and CI runs) share one install.
            venv: std::env::var_os("FOG_VENV")
                .map(PathBuf::from)
                .unwrap_or_else(|| root.join("venv")),
            node_home: devnet.join("node"),
            pid_file: devnet.join("node.pid"),
            log_file: devnet.join("node.log"),
            manifest: devnet.join("deployment.json"),
            keystore: devnet.join("keystore.json"),
            audit_key: root.join("audit.key"),
            devnet,
        }
    }

    /// The node binary inside the virtual environment.
    pub fn binary(&self, name: &str) -> PathBuf {
        self.venv.join("bin").join(name)
    }
}
