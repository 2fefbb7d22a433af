//! `fog devnet pin`: fog's codes pinned in the VM cache by a proposal of the
//! chain's own governance, which the devnet's single validator carries.

use std::time::Duration;

use anyhow::{bail, Context as _, Result};
use fog_relayer::chain::ChainClient;
use fog_relayer::deployment::Deployment;
use serde::Serialize;

use super::accounts;
use super::node::CHAIN_VOTING_PERIOD;
use crate::context::Context;

#[derive(Serialize)]
struct PinReport {
    /// Code ids pinned by this run (empty: all were pinned already).
    newly_pinned: Vec<u64>,
    /// The chain proposal that pinned them.
    proposal_id: Option<u64>,
    pinned: Vec<u64>,
}

pub async fn run(ctx: &Context) -> Result<()> {
    let paths = ctx.devnet_paths();
    let deployment = Deployment::load(&paths.manifest).with_context(|| {
        format!(
            "no devnet deployment at {} (run `fog devnet up`)",
            paths.manifest.display()
        )
    })?;
    let client = ChainClient::new(deployment.profile.clone());
    let mut ours: Vec<u64> = deployment.codes.values().map(|c| c.code_id).collect();
    ours.sort_unstable();
    let before = client.pinned_codes().await?;
    let missing: Vec<u64> = ours.iter().copied().filter(|id| !before.contains(id)).collect();
    let mut proposal_id = None;
    if !missing.is_empty() {
        let validator = accounts::account("validator").signer(&client.profile);
        let (id, _) = client.propose_pin_codes(&validator, &missing).await?;
        client.vote_yes(&validator, id).await?;
        client
            .wait_for_proposal(id, Duration::from_secs(60))
            .await
            .with_context(|| format!("the devnet's voting period is {CHAIN_VOTING_PERIOD}"))?;
        proposal_id = Some(id);
    }
    let pinned = client.pinned_codes().await?;
    if let Some(id) = ours.iter().find(|id| !pinned.contains(id)) {
        bail!("code {id} is still not pinned after the proposal passed");
    }
    let report = PinReport {
        newly_pinned: missing,
        proposal_id,
        pinned: ours,
    };
    ctx.print(&report, || match report.proposal_id {
        Some(id) => format!(
            "pinned codes {:?} (chain proposal {id} passed); fog's contracts now cost ~58,000 gas less per call",
            report.newly_pinned
        ),
        None => format!("codes {:?} were already pinned", report.pinned),
    })
}
