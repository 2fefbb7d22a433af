//! `fog keys`: the encrypted keystore.

use std::io::{IsTerminal, Read};

use anyhow::{bail, Context as _, Result};
use clap::Subcommand;
use fog_relayer::chain::{generate_mnemonic, KeyType};
use serde::Serialize;

use crate::context::{password, Context};
use crate::keystore::{Keystore, USER_LOG_N};
use crate::output::table;

#[derive(Debug, Subcommand)]
pub enum KeysCmd {
    /// Create a key from a new random mnemonic.
    Add {
        name: String,
        /// secp256k1 (Cosmos chains) or eth_secp256k1 (Injective); default:
        /// the deployment's profile.
        #[arg(long)]
        key_type: Option<KeyType>,
        /// BIP-44 coin type (default: 60 for eth_secp256k1, 118 for secp256k1).
        #[arg(long)]
        coin_type: Option<u32>,
        /// Print the new mnemonic (write it down: it is the only backup).
        #[arg(long)]
        print_mnemonic: bool,
    },
    /// Import a key from a mnemonic read from standard input.
    Import {
        name: String,
        #[arg(long)]
        key_type: Option<KeyType>,
        #[arg(long)]
        coin_type: Option<u32>,
    },
    /// Keys and their addresses.
    List,
    /// One key's address and public key.
    Show {
        name: String,
        /// Also decrypt and print the mnemonic.
        #[arg(long)]
        mnemonic: bool,
    },
    /// Delete a key.
    Delete {
        name: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Serialize)]
struct KeyView {
    name: String,
    address: String,
    key_type: KeyType,
    public_key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    mnemonic: Option<String>,
}

fn views(ks: &Keystore, prefix: &str) -> Result<Vec<KeyView>> {
    ks.keys()
        .iter()
        .map(|k| {
            Ok(KeyView {
                name: k.name.clone(),
                address: k.address(prefix)?,
                key_type: k.key_type,
                public_key: k.public_key.clone(),
                mnemonic: None,
            })
        })
        .collect()
}

/// The devnet's accounts, while `fog` talks to the devnet (elsewhere their
/// names are refused, so they are not listed).
fn views_of_devnet(ctx: &Context, prefix: &str) -> Result<Vec<KeyView>> {
    if !ctx.on_devnet() {
        return Ok(vec![]);
    }
    views(&Keystore::open(&ctx.devnet_paths().keystore)?, prefix)
}

/// The key type and address prefix of the deployment's chain. Keys may be
/// made before any deployment exists (then the devnet's); a manifest that
/// was named, or that exists, must load: a key of the wrong type could not
/// sign for the chain it was meant for.
fn profile_defaults(ctx: &Context) -> Result<(KeyType, String)> {
    if !ctx.deployment_named && !ctx.deployment_path.exists() {
        let p = fog_relayer::chain::ChainProfile::injective_local();
        return Ok((p.key_type, p.bech32_prefix));
    }
    let d = ctx
        .deployment()
        .with_context(|| format!("the deployment manifest {}", ctx.deployment_path.display()))?;
    Ok((d.profile.key_type, d.profile.bech32_prefix))
}

fn new_password() -> Result<String> {
    let p = password("new keystore password: ")?;
    if p.len() < 8 {
        bail!("the password must have at least 8 characters");
    }
    if std::env::var("FOG_PASSWORD").is_err() && password("repeat it: ")? != p {
        bail!("the passwords differ");
    }
    Ok(p)
}

pub fn run(ctx: &Context, cmd: KeysCmd) -> Result<()> {
    let (default_type, prefix) = profile_defaults(ctx)?;
    let mut ks = ctx.keystore()?;
    match cmd {
        KeysCmd::Add {
            name,
            key_type,
            coin_type,
            print_mnemonic,
        } => {
            let kt = key_type.unwrap_or(default_type);
            let mnemonic = generate_mnemonic();
            let pw = new_password()?;
            let entry = ks
                .add(
                    &name,
                    &mnemonic,
                    kt,
                    coin_type.unwrap_or(kt.default_coin_type()),
                    &pw,
                    USER_LOG_N,
                )?
                .clone();
            let view = KeyView {
                name: entry.name.clone(),
                address: entry.address(&prefix)?,
                key_type: kt,
                public_key: entry.public_key.clone(),
                mnemonic: print_mnemonic.then(|| mnemonic.clone()),
            };
            ctx.print(&view, || {
                let mut s = format!("created key {} with address {}", view.name, view.address);
                match &view.mnemonic {
                    Some(m) => s += &format!("\nmnemonic (the only backup; keep it secret):\n{m}"),
                    None => s += "\nback up its mnemonic with `fog keys show NAME --mnemonic`",
                }
                s
            })
        }
        KeysCmd::Import {
            name,
            key_type,
            coin_type,
        } => {
            let kt = key_type.unwrap_or(default_type);
            // Typed on a terminal, the mnemonic is not echoed (it would stay
            // on the screen and in its scrollback); piped, it is read whole.
            let mnemonic = if std::io::stdin().is_terminal() {
                rpassword::prompt_password("mnemonic (not shown, one line): ")
                    .map_err(|e| anyhow::anyhow!("reading the mnemonic: {e}"))?
            } else {
                let mut m = String::new();
                std::io::stdin().read_to_string(&mut m)?;
                m
            };
            let pw = new_password()?;
            let entry = ks
                .add(
                    &name,
                    mnemonic.trim(),
                    kt,
                    coin_type.unwrap_or(kt.default_coin_type()),
                    &pw,
                    USER_LOG_N,
                )?
                .clone();
            let address = entry.address(&prefix)?;
            ctx.print(&serde_json::json!({ "name": name, "address": address }), || {
                format!("imported key {name} with address {address}")
            })
        }
        KeysCmd::List => {
            let views = views(&ks, &prefix)?;
            let dev = views_of_devnet(ctx, &prefix)?;
            ctx.print(&serde_json::json!({ "keys": views, "devnet": dev }), || {
                let mut rows: Vec<Vec<String>> = views
                    .iter()
                    .map(|v| {
                        vec![
                            v.name.clone(),
                            v.address.clone(),
                            v.key_type.as_str().into(),
                            "yours".into(),
                        ]
                    })
                    .collect();
                rows.extend(dev.iter().map(|v| {
                    vec![
                        v.name.clone(),
                        v.address.clone(),
                        v.key_type.as_str().into(),
                        "devnet".into(),
                    ]
                }));
                if rows.is_empty() {
                    "no keys yet: `fog keys add NAME` or `fog devnet up`".into()
                } else {
                    table(&["name", "address", "type", "keystore"], rows)
                }
            })
        }
        KeysCmd::Show { name, mnemonic } => {
            let entry = match ks.get(&name) {
                Some(e) => e.clone(),
                None => bail!("no key named {name:?} in {}", ks.path().display()),
            };
            let mnemonic = if mnemonic {
                Some(entry.mnemonic(&password(&format!("password for key {name:?}: "))?)?)
            } else {
                None
            };
            let view = KeyView {
                name: entry.name.clone(),
                address: entry.address(&prefix)?,
                key_type: entry.key_type,
                public_key: entry.public_key.clone(),
                mnemonic,
            };
            ctx.print(&view, || {
                let mut s = format!(
                    "{}\naddress     {}\ntype        {}\npublic key  {}",
                    view.name,
                    view.address,
                    view.key_type.as_str(),
                    view.public_key
                );
                if let Some(m) = &view.mnemonic {
                    s += &format!("\nmnemonic    {m}");
                }
                s
            })
        }
        KeysCmd::Delete { name, yes } => {
            if !yes {
                if !std::io::stdin().is_terminal() {
                    bail!("deleting a key needs --yes when not on a terminal");
                }
                eprint!("delete key {name:?}? its funds are lost without its mnemonic [y/N] ");
                let mut answer = String::new();
                std::io::stdin().read_line(&mut answer)?;
                if !answer.trim().eq_ignore_ascii_case("y") {
                    bail!("not deleted");
                }
            }
            ks.delete(&name)?;
            ctx.print(&serde_json::json!({ "deleted": name }), || {
                format!("deleted key {name}")
            })
        }
    }
}
