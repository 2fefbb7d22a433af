//! The local node: installing it, creating its genesis, starting and
//! stopping it. Every chain-specific setting comes from the chain profile.

use std::fs;
use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use fog_relayer::chain::{ChainProfile, NodeProfile};

use super::accounts::{self, ACCOUNTS, NATIVE_BALANCE, VALIDATOR_BALANCE, VALIDATOR_STAKE};
use super::paths::Paths;

pub struct Node<'a> {
    pub paths: &'a Paths,
    pub profile: &'a ChainProfile,
}

/// Ports the node listens on, with what they are for.
pub const PORTS: &[(u16, &str)] = &[
    (26657, "CometBFT RPC"),
    (26656, "CometBFT P2P"),
    (10337, "REST API"),
    (9900, "gRPC"),
    (8545, "EVM JSON-RPC"),
    (8546, "EVM websocket"),
];

pub fn port_in_use(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
}

fn run(cmd: &mut Command, what: &str) -> Result<String> {
    let out = cmd
        .output()
        .with_context(|| format!("{what}: cannot run {:?}", cmd.get_program()))?;
    if !out.status.success() {
        bail!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stderr).trim(),
            String::from_utf8_lossy(&out.stdout).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr))
}

impl Node<'_> {
    fn node_profile(&self) -> Result<&NodeProfile> {
        self.profile
            .node
            .as_ref()
            .ok_or_else(|| anyhow!("profile {} says nothing about running a local node", self.profile.name))
    }

    fn binary(&self) -> Result<std::path::PathBuf> {
        Ok(self.paths.binary(&self.node_profile()?.binary))
    }

    pub fn installed(&self) -> bool {
        self.binary().map(|b| b.exists()).unwrap_or(false)
    }

    /// Creates the virtual environment and installs the node's package.
    pub fn install(&self) -> Result<()> {
        let package = &self.node_profile()?.package;
        if !self.paths.venv.join("bin/pip").exists() {
            run(
                Command::new("python3").args(["-m", "venv"]).arg(&self.paths.venv),
                "creating the virtual environment",
            )?;
        }
        run(
            Command::new(self.paths.venv.join("bin/pip"))
                .args(["install", "--disable-pip-version-check", "--quiet"])
                .arg(package),
            &format!("pip install {package}"),
        )?;
        if !self.installed() {
            bail!("{package} installed, but {} is missing", self.binary()?.display());
        }
        Ok(())
    }

    fn cmd(&self) -> Result<Command> {
        let mut c = Command::new(self.binary()?);
        c.stdin(Stdio::null());
        Ok(c)
    }

    pub fn initialized(&self) -> bool {
        self.paths.node_home.join("config/genesis.json").exists()
    }

    /// A single-validator genesis funding every named account.
    pub fn init(&self) -> Result<()> {
        let home = &self.paths.node_home;
        let chain_id = &self.profile.chain_id;
        let bond = &self.node_profile()?.bond_denom;
        if home.exists() {
            fs::remove_dir_all(home)?;
        }
        run(
            self.cmd()?
                .args(["init", "fog-devnet", "--chain-id", chain_id, "--home"])
                .arg(home),
            "init",
        )?;
        let genesis_path = home.join("config/genesis.json");
        let genesis = fs::read_to_string(&genesis_path)?.replace("\"stake\"", &format!("\"{bond}\""));
        fs::write(&genesis_path, genesis)?;

        let validator = accounts::account("validator");
        let mut child = self
            .cmd()?
            .args([
                "keys",
                "add",
                "validator",
                "--recover",
                "--keyring-backend",
                "test",
                "--home",
            ])
            .arg(home)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        child
            .stdin
            .take()
            .ok_or_else(|| anyhow!("no stdin"))?
            .write_all(format!("{}\n", accounts::mnemonic(validator.name)).as_bytes())?;
        let out = child.wait_with_output()?;
        if !out.status.success() {
            bail!(
                "importing the validator key failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        for a in ACCOUNTS {
            let address = a.key().address(&self.profile.bech32_prefix)?;
            let amount = if a.name == "validator" {
                VALIDATOR_BALANCE
            } else {
                NATIVE_BALANCE
            };
            run(
                self.cmd()?
                    .args([
                        "genesis",
                        "add-genesis-account",
                        &address,
                        &format!("{amount}{}", self.profile.denom),
                    ])
                    .args(["--chain-id", chain_id, "--home"])
                    .arg(home),
                &format!("funding {} in genesis", a.name),
            )?;
        }
        run(
            self.cmd()?
                .args(["genesis", "gentx", "validator", &format!("{VALIDATOR_STAKE}{bond}")])
                .args(["--chain-id", chain_id, "--keyring-backend", "test", "--home"])
                .arg(home),
            "gentx",
        )?;
        run(
            self.cmd()?.args(["genesis", "collect-gentxs", "--home"]).arg(home),
            "collect-gentxs",
        )?;
        shorten_chain_governance(&home.join("config/genesis.json"))?;
        // Keep every height: the indexer and `fog` read state at past heights.
        let app_toml = home.join("config/app.toml");
        let app = fs::read_to_string(&app_toml)?;
        let app = app
            .lines()
            .map(|l| {
                if l.starts_with("pruning = ") {
                    "pruning = \"nothing\""
                } else {
                    l
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        fs::write(&app_toml, app + "\n")?;
        Ok(())
    }

    /// The running node's pid, if the pid file names a live process of this
    /// devnet.
    pub fn pid(&self) -> Option<u32> {
        let pid: u32 = fs::read_to_string(&self.paths.pid_file).ok()?.trim().parse().ok()?;
        let cmdline = fs::read(format!("/proc/{pid}/cmdline")).ok()?;
        let cmdline = String::from_utf8_lossy(&cmdline);
        cmdline
            .contains(&*self.paths.node_home.to_string_lossy())
            .then_some(pid)
    }

    /// Ports of the profile in use by something that is not this devnet.
    pub fn foreign_ports(&self) -> Vec<(u16, &'static str)> {
        if self.pid().is_some() {
            return vec![];
        }
        PORTS.iter().copied().filter(|(p, _)| port_in_use(*p)).collect()
    }

    /// Fails when a port of the profile is taken by something that is not
    /// this devnet.
    pub fn ensure_ports_free(&self) -> Result<()> {
        let busy = self.foreign_ports();
        if !busy.is_empty() {
            let list = busy
                .iter()
                .map(|(p, what)| format!("{p} ({what})"))
                .collect::<Vec<_>>()
                .join(", ");
            bail!("port(s) {list} already in use by another process; stop it first: fog will not share ports with a node that is not its devnet");
        }
        Ok(())
    }

    /// Starts the node in the background and waits for its first blocks.
    pub fn start(&self) -> Result<u32> {
        self.ensure_ports_free()?;
        let block_time = &self.node_profile()?.block_time;
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.paths.log_file)?;
        let mut cmd = self.cmd()?;
        cmd.args(["start", "--home"])
            .arg(&self.paths.node_home)
            .args(["--unsafe-consensus-timeout-commit", block_time])
            .stdout(log.try_clone()?)
            .stderr(log);
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            // Its own process group: the node outlives this command.
            cmd.process_group(0);
        }
        let mut child = cmd.spawn().context("starting the node")?;
        let pid = child.id();
        fs::write(&self.paths.pid_file, pid.to_string())?;
        let started = Instant::now();
        loop {
            if child.try_wait()?.is_some() {
                bail!(
                    "the node exited at start; last lines of {}:\n{}",
                    self.paths.log_file.display(),
                    self.log_tail(15)
                );
            }
            if let Some(h) = rpc_height(&self.profile.rpc) {
                if h >= 2 {
                    return Ok(pid);
                }
            }
            if started.elapsed() > Duration::from_secs(90) {
                bail!(
                    "the node did not produce blocks within 90 s; see {}",
                    self.paths.log_file.display()
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    pub fn stop(&self) -> Result<bool> {
        let stopped = stop_process(self.pid(), || self.pid().is_some(), Duration::from_secs(15));
        let _ = fs::remove_file(&self.paths.pid_file);
        Ok(stopped)
    }

    pub fn log_tail(&self, lines: usize) -> String {
        let text = fs::read_to_string(&self.paths.log_file).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }
}

/// Voting period of the chain's own governance (x/gov) on the devnet. Its
/// one use is pinning fog's codes (`MsgPinCodes` needs the gov authority);
/// the SDK default of 48 h would keep the devnet waiting for two days.
pub const CHAIN_VOTING_PERIOD: &str = "3s";

fn shorten_chain_governance(genesis_path: &std::path::Path) -> Result<()> {
    let mut genesis: serde_json::Value = serde_json::from_str(&fs::read_to_string(genesis_path)?)
        .with_context(|| format!("{} is not JSON", genesis_path.display()))?;
    let params = genesis
        .pointer_mut("/app_state/gov/params")
        .and_then(|p| p.as_object_mut())
        .ok_or_else(|| anyhow!("the genesis has no app_state.gov.params"))?;
    params.insert("voting_period".into(), CHAIN_VOTING_PERIOD.into());
    // Must stay below the voting period.
    params.insert("expedited_voting_period".into(), "2s".into());
    fs::write(genesis_path, serde_json::to_vec_pretty(&genesis)?)?;
    Ok(())
}

/// Sends SIGTERM to `pid` and waits while `alive()` says it runs; SIGKILL
/// after `grace`. Whether there was a process to stop.
pub fn stop_process(pid: Option<u32>, alive: impl Fn() -> bool, grace: Duration) -> bool {
    let Some(pid) = pid else {
        return false;
    };
    let _ = Command::new("kill").arg(pid.to_string()).status();
    let started = Instant::now();
    while alive() {
        if started.elapsed() > grace {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    true
}

/// The latest height the node's RPC reports, if it answers.
pub fn rpc_height(rpc: &str) -> Option<u64> {
    let addr = rpc.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect_timeout(&addr.parse().ok()?, Duration::from_millis(300)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(stream, "GET /status HTTP/1.0\r\nHost: {addr}\r\n\r\n").ok()?;
    let mut body = String::new();
    std::io::Read::read_to_string(&mut stream, &mut body).ok()?;
    let json = body.split("\r\n\r\n").nth(1)?;
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    v["result"]["sync_info"]["latest_block_height"].as_str()?.parse().ok()
}
