//! The chain's own governance (x/gov), used for what only it may do to
//! fog's contracts: pinning their codes in the VM's memory cache.
//!
//! wasmd charges every contract instance it loads (60,000 gas unpinned,
//! 2,000 pinned), and a lock is a cw20 `Send` that loads two. Chains pin
//! the codes their users call most by a governance proposal carrying
//! `MsgPinCodes`; this module submits one, votes on it and waits for it.

use std::time::{Duration, Instant};

use cosmrs::proto::cosmos::base::v1beta1::Coin;
use cosmrs::proto::cosmos::gov::v1::{MsgSubmitProposal, MsgVote, VoteOption};
use cosmrs::proto::cosmwasm::wasm::v1::MsgPinCodes;

use super::client::{num, to_any, ChainClient, Signer, TxResult};
use super::error::ChainError;

impl ChainClient {
    /// Address of a module account (e.g. `gov`, the authority of
    /// `MsgPinCodes`).
    pub async fn module_address(&self, module: &str) -> Result<String, ChainError> {
        let path = format!("/cosmos/auth/v1beta1/module_accounts/{module}");
        let (status, body) = self.get(&path).await?;
        let account = &body["account"];
        account["base_account"]["address"]
            .as_str()
            .or_else(|| account["address"].as_str())
            .filter(|_| status.is_success())
            .map(str::to_string)
            .ok_or_else(|| ChainError::Decode {
                url: path,
                message: format!("no address for module {module}: {body}"),
            })
    }

    /// Code ids the VM keeps pinned.
    pub async fn pinned_codes(&self) -> Result<Vec<u64>, ChainError> {
        let path = "/cosmwasm/wasm/v1/codes/pinned?pagination.limit=1000";
        let (status, body) = self.get(path).await?;
        if !status.is_success() {
            return Err(ChainError::Decode {
                url: path.into(),
                message: body.to_string(),
            });
        }
        Ok(body["code_ids"]
            .as_array()
            .map(|ids| ids.iter().filter_map(num).collect())
            .unwrap_or_default())
    }

    /// Submits a proposal to pin `code_ids`, with the chain's minimum
    /// deposit paid by `proposer`. Returns the proposal id.
    pub async fn propose_pin_codes(&self, proposer: &Signer, code_ids: &[u64]) -> Result<(u64, TxResult), ChainError> {
        let authority = self.module_address("gov").await?;
        let deposit = self.min_deposit().await?;
        let msg = to_any(&MsgSubmitProposal {
            messages: vec![to_any(&MsgPinCodes {
                authority,
                code_ids: code_ids.to_vec(),
            })],
            initial_deposit: deposit,
            proposer: proposer.address.clone(),
            metadata: String::new(),
            title: "Pin fog's contract codes".into(),
            summary: format!("Keep codes {code_ids:?} in the VM's memory cache."),
            expedited: false,
        });
        let tx = self.send_tx(proposer, vec![msg], "").await?;
        let id = tx
            .attribute("submit_proposal", "proposal_id")
            .and_then(|id| id.parse().ok())
            .ok_or_else(|| ChainError::Decode {
                url: self.profile.rest.clone(),
                message: "no proposal_id in the submit_proposal event".into(),
            })?;
        Ok((id, tx))
    }

    /// Votes yes on chain proposal `id`.
    pub async fn vote_yes(&self, voter: &Signer, id: u64) -> Result<TxResult, ChainError> {
        let msg = to_any(&MsgVote {
            proposal_id: id,
            voter: voter.address.clone(),
            option: VoteOption::Yes as i32,
            metadata: String::new(),
        });
        self.send_tx(voter, vec![msg], "").await
    }

    /// Status of chain proposal `id`, e.g. `PROPOSAL_STATUS_PASSED`.
    pub async fn proposal_status(&self, id: u64) -> Result<String, ChainError> {
        let path = format!("/cosmos/gov/v1/proposals/{id}");
        let (_, body) = self.get(&path).await?;
        body["proposal"]["status"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| ChainError::Decode {
                url: path,
                message: body.to_string(),
            })
    }

    /// Waits until chain proposal `id` leaves its voting period; an error
    /// unless it passed.
    pub async fn wait_for_proposal(&self, id: u64, timeout: Duration) -> Result<(), ChainError> {
        let started = Instant::now();
        loop {
            match self.proposal_status(id).await?.as_str() {
                "PROPOSAL_STATUS_PASSED" => return Ok(()),
                "PROPOSAL_STATUS_DEPOSIT_PERIOD" | "PROPOSAL_STATUS_VOTING_PERIOD" => {}
                other => {
                    return Err(ChainError::Config {
                        message: format!("chain proposal {id} ended {other}"),
                    })
                }
            }
            if started.elapsed() > timeout {
                return Err(ChainError::Config {
                    message: format!(
                        "chain proposal {id} still open after {} s (is the chain's voting period short?)",
                        timeout.as_secs()
                    ),
                });
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    async fn min_deposit(&self) -> Result<Vec<Coin>, ChainError> {
        let path = "/cosmos/gov/v1/params/deposit";
        let (_, body) = self.get(path).await?;
        let coins = body["params"]["min_deposit"]
            .as_array()
            .or_else(|| body["deposit_params"]["min_deposit"].as_array())
            .ok_or_else(|| ChainError::Decode {
                url: path.into(),
                message: body.to_string(),
            })?;
        Ok(coins
            .iter()
            .map(|c| Coin {
                denom: c["denom"].as_str().unwrap_or_default().to_string(),
                amount: c["amount"].as_str().unwrap_or("0").to_string(),
            })
            .collect())
    }
}
