//! What every command needs: the deployment, the chain client, keys and
//! the output format.

use std::path::PathBuf;

use anyhow::{anyhow, bail, Result};
use fog_relayer::chain::{ChainClient, Signer};
use fog_relayer::deployment::Deployment;
use serde::Serialize;

use crate::devnet::accounts::DEVNET_PASSWORD;
use crate::devnet::paths::Paths;
use crate::keystore::{KeyEntry, Keystore};
use crate::output::Output;

pub struct Context {
    pub home: PathBuf,
    pub deployment_path: PathBuf,
    /// Whether the manifest was named (`--deployment`, `FOG_DEPLOYMENT`)
    /// rather than the devnet's default.
    pub deployment_named: bool,
    pub keystore_path: PathBuf,
    pub output: Output,
}

impl Context {
    pub fn devnet_paths(&self) -> Paths {
        Paths::new(&self.home)
    }

    pub fn deployment(&self) -> Result<Deployment> {
        Ok(Deployment::load(&self.deployment_path)?)
    }

    pub fn client(&self) -> Result<(Deployment, ChainClient)> {
        let d = self.deployment()?;
        let client = ChainClient::new(d.client_profile());
        Ok((d, client))
    }

    pub fn keystore(&self) -> Result<Keystore> {
        Keystore::open(&self.keystore_path)
    }

    /// Whether the commands go to the local devnet: its manifest, by default
    /// or named.
    pub fn on_devnet(&self) -> bool {
        let devnet = self.devnet_paths().manifest;
        !self.deployment_named
            || self.deployment_path == devnet
            || matches!(
                (self.deployment_path.canonicalize(), devnet.canonicalize()),
                (Ok(a), Ok(b)) if a == b
            )
    }

    /// A key by name: the user's keystore first, then the devnet's named
    /// accounts (whose password is public), on the devnet only: their keys
    /// are derived from public seeds, so on any other chain "bob" must not
    /// quietly mean devnet bob's address, which anyone can spend from.
    /// `None` when neither holds the name.
    fn find_key(&self, name: &str) -> Result<Option<(KeyEntry, Option<&'static str>)>> {
        if let Some(k) = self.keystore()?.get(name) {
            return Ok(Some((k.clone(), None)));
        }
        let devnet_keystore = self.devnet_paths().keystore;
        if !devnet_keystore.exists() {
            return Ok(None);
        }
        match Keystore::open(&devnet_keystore)?.get(name) {
            Some(_) if !self.on_devnet() => bail!(
                "{name:?} is a devnet account, not a key in {}: the devnet's accounts count only with the devnet's manifest",
                self.keystore_path.display()
            ),
            Some(k) => Ok(Some((k.clone(), Some(DEVNET_PASSWORD)))),
            None => Ok(None),
        }
    }

    pub fn signer(&self, name: &str, client: &ChainClient) -> Result<Signer> {
        let (entry, fixed_password) = self.find_key(name)?.ok_or_else(|| {
            anyhow!(
                "no key named {name:?} (looked in {} and the devnet's accounts); see `fog keys list`",
                self.keystore_path.display()
            )
        })?;
        let password = match fixed_password {
            Some(p) => p.to_string(),
            None => password(&format!("password for key {name:?}: "))?,
        };
        Ok(Signer::new(entry.private_key(&password)?, &client.profile)?)
    }

    /// An address argument: a bech32 address of the chain, or a key name.
    pub fn address(&self, value: &str, client: &ChainClient) -> Result<String> {
        let prefix = &client.profile.bech32_prefix;
        if let Ok(id) = value.parse::<cosmrs::AccountId>() {
            if id.prefix() != prefix {
                bail!(
                    "{value} is an address of another chain (prefix {}, expected {prefix})",
                    id.prefix()
                );
            }
            return Ok(value.to_string());
        }
        // A key of that name first: a long name may begin like an address
        // (`injective-treasury-signer`).
        if let Some((entry, _)) = self.find_key(value)? {
            return entry.address(prefix);
        }
        if value.starts_with(&format!("{prefix}1")) && value.len() > 30 {
            bail!("{value:?} is not a valid address (bad bech32 checksum or length) nor the name of a key");
        }
        bail!("{value:?} is neither an address (bech32 with prefix {prefix}) nor the name of a key")
    }

    pub fn print<T: Serialize>(&self, value: &T, human: impl FnOnce() -> String) -> Result<()> {
        self.output.print(value, human)
    }
}

/// The keystore password: `FOG_PASSWORD`, or a prompt on a terminal.
pub fn password(prompt: &str) -> Result<String> {
    if let Ok(p) = std::env::var("FOG_PASSWORD") {
        return Ok(p);
    }
    // rpassword asks on the controlling terminal (/dev/tty), so a mnemonic
    // piped into stdin still gets its password typed; without a terminal
    // at all, say how else to give it.
    rpassword::prompt_password(prompt)
        .map_err(|e| anyhow!("a keystore password is needed: set FOG_PASSWORD or run on a terminal ({e})"))
}
