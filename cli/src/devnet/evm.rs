//! The devnet's EVM side: an anvil node on 127.0.0.1:8555 (its state kept in
//! `.fog/devnet/anvil/`) with the AuditAnchor contract deployed, the
//! relayer's EVM account allowed to anchor.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use fog_relayer::deployment::EvmDeployment;
use fog_relayer::evm::{anvil_binary, read_dev_accounts, Address, EvmAnchor};

use super::paths::Paths;

pub const EVM_PORT: u16 = 8555;
/// anvil's dev account that deploys and owns the AuditAnchor.
const OWNER_ACCOUNT: usize = 0;
/// anvil's dev account the relayer anchors with.
const RELAYER_ACCOUNT: usize = 1;

pub struct EvmNode<'a> {
    pub paths: &'a Paths,
}

/// anvil's dev accounts, read from its `--config-out` file.
pub struct DevAccounts {
    pub keys: Vec<String>,
    pub addresses: Vec<Address>,
}

impl EvmNode<'_> {
    fn dir(&self) -> PathBuf {
        self.paths.devnet.join("anvil")
    }

    fn pid_file(&self) -> PathBuf {
        self.dir().join("anvil.pid")
    }

    pub fn log_file(&self) -> PathBuf {
        self.dir().join("anvil.log")
    }

    fn accounts_file(&self) -> PathBuf {
        self.dir().join("accounts.json")
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{EVM_PORT}")
    }

    /// The relayer's EVM key file (anvil's dev account 1: public by
    /// construction, like every devnet key).
    pub fn relayer_key_file(&self) -> PathBuf {
        self.paths.devnet.join("relayer-evm.key")
    }

    /// The running anvil's pid, if the pid file names a live anvil.
    pub fn pid(&self) -> Option<u32> {
        let pid: u32 = fs::read_to_string(self.pid_file()).ok()?.trim().parse().ok()?;
        let cmdline = fs::read(format!("/proc/{pid}/cmdline")).ok()?;
        String::from_utf8_lossy(&cmdline).contains("anvil").then_some(pid)
    }

    /// Starts anvil in the background (state loaded from and saved to
    /// `anvil/state.json`) and waits until it answers.
    pub fn start(&self) -> Result<u32> {
        if let Some(pid) = self.pid() {
            return Ok(pid);
        }
        if super::node::port_in_use(EVM_PORT) {
            bail!("port {EVM_PORT} is taken by another process; the devnet's anvil needs it");
        }
        fs::create_dir_all(self.dir())?;
        let bin = anvil_binary().map_err(|e| anyhow::anyhow!("anvil: {e}"))?;
        let log = fs::OpenOptions::new().create(true).append(true).open(self.log_file())?;
        let mut cmd = Command::new(&bin);
        cmd.args(["--host", "127.0.0.1", "--port", &EVM_PORT.to_string(), "--silent"])
            .arg("--state")
            .arg(self.dir().join("state.json"))
            .args(["--state-interval", "2"])
            .arg("--config-out")
            .arg(self.accounts_file())
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
        }
        let mut child = cmd.spawn().with_context(|| format!("starting {}", bin.display()))?;
        let pid = child.id();
        fs::write(self.pid_file(), pid.to_string())?;
        let started = Instant::now();
        loop {
            if child.try_wait()?.is_some() {
                bail!("anvil exited at start; see {}", self.log_file().display());
            }
            if super::node::port_in_use(EVM_PORT) && self.accounts().is_ok() {
                return Ok(pid);
            }
            if started.elapsed() > Duration::from_secs(30) {
                bail!("anvil did not answer within 30 s; see {}", self.log_file().display());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stops anvil (it saves its state on the way out).
    pub fn stop(&self) -> Result<bool> {
        let stopped = super::node::stop_process(self.pid(), || self.pid().is_some(), Duration::from_secs(10));
        let _ = fs::remove_file(self.pid_file());
        Ok(stopped)
    }

    pub fn accounts(&self) -> Result<DevAccounts> {
        let (keys, addresses) = read_dev_accounts(&self.accounts_file())?;
        if keys.len() <= RELAYER_ACCOUNT {
            bail!("anvil's {} lists too few dev accounts", self.accounts_file().display());
        }
        Ok(DevAccounts { keys, addresses })
    }

    /// Deploys the AuditAnchor for `origin`, the relayer's account allowed
    /// to anchor, and writes the relayer's key file.
    pub async fn deploy(&self, origin: &str) -> Result<EvmDeployment> {
        let accounts = self.accounts()?;
        let url = self.url();
        let submitter = accounts.addresses[RELAYER_ACCOUNT];
        let (anchor, info) = EvmAnchor::deploy(&url, &accounts.keys[OWNER_ACCOUNT], origin, submitter)
            .await
            .context("deploying AuditAnchor on anvil")?;
        let key_file = self.relayer_key_file();
        fs::write(&key_file, format!("{}\n", accounts.keys[RELAYER_ACCOUNT]))?;
        restrict(&key_file)?;
        Ok(EvmDeployment {
            rpc: url,
            chain_id: anchor.chain_id(),
            audit_anchor: anchor.address().to_string(),
            owner: accounts.addresses[OWNER_ACCOUNT].to_string(),
            submitter: submitter.to_string(),
            deployed_at_block: info.block_number,
            deploy_gas: info.gas_used,
        })
    }
}

/// Whether the manifest's AuditAnchor is live on the running anvil.
pub async fn alive(evm: &EvmDeployment) -> bool {
    let Ok(address) = evm.audit_anchor.parse::<Address>() else {
        return false;
    };
    EvmAnchor::read_only(&evm.rpc, address).await.is_ok()
}

/// Owner-only permissions for a key file.
pub fn restrict(path: &std::path::Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}
