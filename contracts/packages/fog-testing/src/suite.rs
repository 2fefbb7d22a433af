use cosmwasm_std::{to_json_binary, Addr, Uint128};
use cw20::{Cw20Coin, Cw20ExecuteMsg, MinterResponse};
use cw_multi_test::{App, AppResponse, Executor};
use fog_token::ONE_FOG;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::contracts::{
    audit_anchor_contract, governance_contract, registry_contract, release_gate_contract, token_contract, ve_contract,
};
use fog_governance::msg::{Ballot, InstantiateMsg as GovInit, ProposeMsg};
use fog_governance::state::LateQuorum;

/// Seconds per block, as on the devnet's order of magnitude.
pub const BLOCK_SECONDS: u64 = 5;
pub const WEEK: u64 = fog_ve::curve::WEEK;

/// FOG in base units.
pub fn fog(whole: u128) -> Uint128 {
    Uint128::new(whole * ONE_FOG)
}

/// An execution's result; the error is the whole chain of causes as text,
/// so tests can match the contract's own message.
pub type Res = Result<AppResponse, String>;

/// The wired contracts.
pub struct Suite {
    pub app: App,
    /// Deploys and administers (owner of every contract until governance).
    pub admin: Addr,
    pub token: Addr,
    pub registry: Addr,
    pub ve: Addr,
    /// The DAO: governance, holding the treasury.
    pub governance: Addr,
    /// Four-eyes release gate, owned by governance.
    pub release_gate: Addr,
    /// Audit anchor, owned by the admin.
    pub anchor: Addr,
    /// Addresses funded with FOG at instantiation.
    pub users: Vec<Addr>,
}

pub struct SuiteBuilder {
    users: Vec<(String, u128)>,
    with_registry_in_ve: bool,
    tiers: Option<Vec<fog_ve::tiers::Tier>>,
    block_time: u64,
    gov: Box<dyn Fn(&mut GovInit)>,
}

impl Default for SuiteBuilder {
    fn default() -> Self {
        Self {
            users: ["alice", "bob", "carol", "dave"]
                .iter()
                .map(|u| (u.to_string(), 10_000_000))
                .collect(),
            with_registry_in_ve: true,
            tiers: None,
            // A Monday-aligned week boundary plus a little.
            block_time: 1_700_000_000,
            gov: Box::new(|_| {}),
        }
    }
}

impl SuiteBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Users funded with `whole` FOG each.
    pub fn users(mut self, names: &[&str], whole: u128) -> Self {
        self.users = names.iter().map(|n| (n.to_string(), whole)).collect();
        self
    }

    pub fn without_registry_in_ve(mut self) -> Self {
        self.with_registry_in_ve = false;
        self
    }

    pub fn tiers(mut self, tiers: Vec<fog_ve::tiers::Tier>) -> Self {
        self.tiers = Some(tiers);
        self
    }

    /// Adjusts governance's instantiate message (see [`Suite::gov_defaults`]).
    pub fn gov(mut self, f: impl Fn(&mut GovInit) + 'static) -> Self {
        self.gov = Box::new(f);
        self
    }

    pub fn start_time(mut self, seconds: u64) -> Self {
        self.block_time = seconds;
        self
    }

    pub fn build(self) -> Suite {
        let mut app = App::default();
        app.update_block(|b| b.time = cosmwasm_std::Timestamp::from_seconds(self.block_time));
        let admin = app.api().addr_make("admin");
        let users: Vec<Addr> = self.users.iter().map(|(n, _)| app.api().addr_make(n)).collect();
        let token_code = app.store_code(token_contract());
        let registry_code = app.store_code(registry_contract());
        let ve_code = app.store_code(ve_contract());

        let mut balances: Vec<Cw20Coin> = self
            .users
            .iter()
            .zip(&users)
            .map(|((_, whole), addr)| Cw20Coin {
                address: addr.to_string(),
                amount: fog(*whole),
            })
            .collect();
        balances.push(Cw20Coin {
            address: admin.to_string(),
            amount: fog(50_000_000),
        });
        let token = app
            .instantiate_contract(
                token_code,
                admin.clone(),
                &cw20_base::msg::InstantiateMsg {
                    name: "fog".to_string(),
                    symbol: "FOG".to_string(),
                    decimals: fog_token::DECIMALS,
                    initial_balances: balances,
                    mint: Some(MinterResponse {
                        minter: admin.to_string(),
                        cap: Some(fog_token::CAP),
                    }),
                    marketing: None,
                },
                &[],
                "FOG",
                Some(admin.to_string()),
            )
            .expect("token");
        let registry = app
            .instantiate_contract(
                registry_code,
                admin.clone(),
                &fog_registry::msg::InstantiateMsg {
                    owner: admin.to_string(),
                },
                &[],
                "registry",
                Some(admin.to_string()),
            )
            .expect("registry");
        let ve = app
            .instantiate_contract(
                ve_code,
                admin.clone(),
                &fog_ve::msg::InstantiateMsg {
                    owner: admin.to_string(),
                    token: token.to_string(),
                    registry: self.with_registry_in_ve.then(|| registry.to_string()),
                    tiers: self.tiers,
                },
                &[],
                "veFOG",
                Some(admin.to_string()),
            )
            .expect("ve");
        let gov_code = app.store_code(governance_contract());
        let gate_code = app.store_code(release_gate_contract());
        let anchor_code = app.store_code(audit_anchor_contract());
        // The release gate's address is known before governance exists, so
        // governance can manage it: instantiate it with the admin as owner
        // and hand it over below.
        let release_gate = app
            .instantiate_contract(
                gate_code,
                admin.clone(),
                &fog_release_gate::msg::InstantiateMsg {
                    owner: admin.to_string(),
                },
                &[],
                "release gate",
                Some(admin.to_string()),
            )
            .expect("release gate");
        let anchor = app
            .instantiate_contract(
                anchor_code,
                admin.clone(),
                &fog_audit_anchor::msg::InstantiateMsg {
                    owner: admin.to_string(),
                },
                &[],
                "audit anchor",
                Some(admin.to_string()),
            )
            .expect("audit anchor");
        let mut gov_msg = Suite::gov_defaults(&ve, &token, &registry, &admin);
        gov_msg.managed_contracts.push(release_gate.to_string());
        (self.gov)(&mut gov_msg);
        let governance = app
            .instantiate_contract(
                gov_code,
                admin.clone(),
                &gov_msg,
                &[],
                "governance",
                Some(admin.to_string()),
            )
            .expect("governance");
        // The treasury: 10M FOG.
        app.execute_contract(
            admin.clone(),
            token.clone(),
            &Cw20ExecuteMsg::Transfer {
                recipient: governance.to_string(),
                amount: fog(10_000_000),
            },
            &[],
        )
        .expect("fund treasury");
        app.execute_contract(
            admin.clone(),
            release_gate.clone(),
            &fog_release_gate::msg::ExecuteMsg::UpdateOwner {
                owner: governance.to_string(),
            },
            &[],
        )
        .expect("hand the release gate to governance");
        Suite {
            app,
            admin,
            token,
            registry,
            ve,
            governance,
            release_gate,
            anchor,
            users,
        }
    }
}

fn err_string(e: impl std::fmt::Display) -> String {
    // cw-multi-test wraps the contract error; `{:#}` shows the whole chain
    // (the contract's own message last) without a backtrace.
    format!("{e:#}")
}

impl Suite {
    /// Governance as the tests start it: 1,000 FOG deposit, 1 FOG of power
    /// to propose, default rules (7-day text votes), late quorum (1 day
    /// window, 2 days extension), 1M FOG per 30 days treasury limit, the
    /// admin as guardian and validator, veFOG and the registry managed.
    pub fn gov_defaults(ve: &Addr, token: &Addr, registry: &Addr, admin: &Addr) -> GovInit {
        GovInit {
            ve: ve.to_string(),
            token: token.to_string(),
            registry: Some(registry.to_string()),
            guardian: Some(admin.to_string()),
            validators: vec![admin.to_string()],
            deposit: fog(1_000),
            min_proposer_power: fog(1),
            proposer_min_kyc_tier: None,
            quadratic_min_kyc_tier: 1,
            max_vote_share_bps: None,
            late_quorum: Some(LateQuorum {
                window: 86_400,
                extension: 2 * 86_400,
            }),
            rules: vec![],
            spend_limits: vec![fog_governance::state::SpendLimit {
                asset: fog_governance::msg::Asset::Cw20(token.to_string()),
                amount: fog(1_000_000),
            }],
            spend_period: 30 * 86_400,
            max_options: 10,
            max_ranks: 3,
            managed_contracts: vec![ve.to_string(), registry.to_string()],
        }
    }

    pub fn user(&self, i: usize) -> Addr {
        self.users[i].clone()
    }

    pub fn addr(&self, name: &str) -> Addr {
        self.app.api().addr_make(name)
    }

    /// Moves `blocks` blocks ahead, [`BLOCK_SECONDS`] each.
    pub fn advance(&mut self, blocks: u64) {
        self.app.update_block(|b| {
            b.height += blocks;
            b.time = b.time.plus_seconds(blocks * BLOCK_SECONDS);
        });
    }

    /// Moves ahead by at least `seconds`, in whole blocks.
    pub fn advance_seconds(&mut self, seconds: u64) {
        self.advance(seconds.div_ceil(BLOCK_SECONDS).max(1));
    }

    pub fn height(&self) -> u64 {
        self.app.block_info().height
    }

    pub fn now(&self) -> u64 {
        self.app.block_info().time.seconds()
    }

    pub fn execute<M: Serialize + std::fmt::Debug>(&mut self, sender: &Addr, contract: &Addr, msg: &M) -> Res {
        self.app
            .execute_contract(sender.clone(), contract.clone(), msg, &[])
            .map_err(err_string)
    }

    pub fn query<M: Serialize, R: DeserializeOwned>(&self, contract: &Addr, msg: &M) -> R {
        self.app.wrap().query_wasm_smart(contract, msg).expect("query")
    }

    pub fn try_query<M: Serialize, R: DeserializeOwned>(&self, contract: &Addr, msg: &M) -> Result<R, String> {
        self.app
            .wrap()
            .query_wasm_smart(contract, msg)
            .map_err(|e| e.to_string())
    }

    /// Sends FOG to `contract` with a hook message.
    pub fn send_fog<M: Serialize>(&mut self, from: &Addr, contract: &Addr, amount: Uint128, hook: &M) -> Res {
        let token = self.token.clone();
        self.execute(
            from,
            &token,
            &Cw20ExecuteMsg::Send {
                contract: contract.to_string(),
                amount,
                msg: to_json_binary(hook).expect("hook"),
            },
        )
    }

    pub fn fog_balance(&self, who: &Addr) -> Uint128 {
        let r: cw20::BalanceResponse = self.query(
            &self.token,
            &cw20::Cw20QueryMsg::Balance {
                address: who.to_string(),
            },
        );
        r.balance
    }

    // veFOG

    pub fn lock(&mut self, who: &Addr, amount: Uint128, duration: u64) -> Res {
        let ve = self.ve.clone();
        self.send_fog(who, &ve, amount, &fog_ve::msg::ReceiveMsg::Lock { duration })
    }

    pub fn increase(&mut self, who: &Addr, amount: Uint128) -> Res {
        let ve = self.ve.clone();
        self.send_fog(who, &ve, amount, &fog_ve::msg::ReceiveMsg::IncreaseAmount {})
    }

    pub fn fund_rewards(&mut self, amount: Uint128) -> Res {
        let (ve, admin) = (self.ve.clone(), self.admin.clone());
        self.send_fog(&admin, &ve, amount, &fog_ve::msg::ReceiveMsg::FundRewards {})
    }

    pub fn ve_exec(&mut self, who: &Addr, msg: fog_ve::msg::ExecuteMsg) -> Res {
        let ve = self.ve.clone();
        self.execute(who, &ve, &msg)
    }

    pub fn power(&self, who: &Addr) -> fog_ve::msg::VotingPowerResponse {
        self.query(
            &self.ve,
            &fog_ve::msg::QueryMsg::VotingPower {
                address: who.to_string(),
                at: None,
            },
        )
    }

    pub fn power_at(&self, who: &Addr, height: u64, time: u64) -> fog_ve::msg::VotingPowerResponse {
        self.query(
            &self.ve,
            &fog_ve::msg::QueryMsg::VotingPower {
                address: who.to_string(),
                at: Some(fog_ve::msg::AtBlock { height, time }),
            },
        )
    }

    pub fn total_power(&self) -> Uint128 {
        let r: fog_ve::msg::TotalPowerResponse = self.query(&self.ve, &fog_ve::msg::QueryMsg::TotalPower { at: None });
        r.power
    }

    pub fn total_power_at(&self, height: u64, time: u64) -> Uint128 {
        let r: fog_ve::msg::TotalPowerResponse = self.query(
            &self.ve,
            &fog_ve::msg::QueryMsg::TotalPower {
                at: Some(fog_ve::msg::AtBlock { height, time }),
            },
        );
        r.power
    }

    pub fn lock_info(&self, who: &Addr) -> fog_ve::msg::LockResponse {
        self.query(
            &self.ve,
            &fog_ve::msg::QueryMsg::Lock {
                address: who.to_string(),
            },
        )
    }

    pub fn pending_rewards(&self, who: &Addr) -> Uint128 {
        let r: fog_ve::msg::PendingRewardsResponse = self.query(
            &self.ve,
            &fog_ve::msg::QueryMsg::PendingRewards {
                address: who.to_string(),
            },
        );
        r.pending
    }

    // Registry

    /// Makes `admin` an officer (once) and writes an entry for `who`.
    pub fn set_kyc(&mut self, who: &Addr, tier: u8, sanctioned: bool) -> Res {
        let (registry, admin) = (self.registry.clone(), self.admin.clone());
        let is_officer: fog_registry::msg::IsOfficerResponse = self.query(
            &registry,
            &fog_registry::msg::QueryMsg::IsOfficer {
                address: admin.to_string(),
            },
        );
        if !is_officer.is_officer {
            self.execute(
                &admin,
                &registry,
                &fog_registry::msg::ExecuteMsg::AddOfficer {
                    address: admin.to_string(),
                },
            )?;
        }
        self.execute(
            &admin,
            &registry,
            &fog_registry::msg::ExecuteMsg::SetEntry {
                address: who.to_string(),
                kyc_tier: tier,
                jurisdiction: "CH".to_string(),
                sanctioned,
                expires_at: None,
                commitment: cosmwasm_std::HexBinary::from(vec![7u8; 32]),
            },
        )
    }

    /// Flags `who` as sanctioned or lifts the flag, as an officer does
    /// (`admin` must already be one: `set_kyc` makes it so).
    pub fn set_sanctioned(&mut self, who: &Addr, sanctioned: bool) -> Res {
        let (registry, admin) = (self.registry.clone(), self.admin.clone());
        self.execute(
            &admin,
            &registry,
            &fog_registry::msg::ExecuteMsg::SetSanctioned {
                address: who.to_string(),
                sanctioned,
                reason: None,
            },
        )
    }

    // Governance

    pub fn gov_config(&self) -> fog_governance::state::Config {
        self.query(&self.governance, &fog_governance::msg::QueryMsg::Config {})
    }

    /// Proposes, paying the configured deposit; returns the proposal id.
    pub fn propose(&mut self, who: &Addr, msg: ProposeMsg) -> Result<u64, String> {
        let deposit = self.gov_config().deposit;
        let gov = self.governance.clone();
        let res = if deposit.is_zero() {
            self.execute(who, &gov, &fog_governance::msg::ExecuteMsg::Propose(msg))?
        } else {
            self.send_fog(who, &gov, deposit, &fog_governance::msg::ReceiveMsg::Propose(msg))?
        };
        let id = res
            .events
            .iter()
            .find(|e| e.ty == "wasm-fog.governance.proposal_created")
            .and_then(|e| e.attributes.iter().find(|a| a.key == "id"))
            .map(|a| a.value.parse::<u64>().expect("id"))
            .expect("proposal_created event");
        Ok(id)
    }

    /// A yes/no text proposal.
    pub fn propose_text(&mut self, who: &Addr, title: &str) -> Result<u64, String> {
        self.propose(who, text_proposal(title))
    }

    pub fn vote(&mut self, who: &Addr, proposal_id: u64, ballot: Ballot) -> Res {
        let gov = self.governance.clone();
        self.execute(
            who,
            &gov,
            &fog_governance::msg::ExecuteMsg::Vote { proposal_id, ballot },
        )
    }

    pub fn gov_exec(&mut self, who: &Addr, msg: fog_governance::msg::ExecuteMsg) -> Res {
        let gov = self.governance.clone();
        self.execute(who, &gov, &msg)
    }

    pub fn proposal(&self, id: u64) -> fog_governance::msg::ProposalResponse {
        self.query(
            &self.governance,
            &fog_governance::msg::QueryMsg::Proposal { proposal_id: id },
        )
    }
}

/// A yes/no proposal without an action.
pub fn text_proposal(title: &str) -> ProposeMsg {
    ProposeMsg {
        title: title.to_string(),
        description: "A proposal made by a test.".to_string(),
        method: fog_governance::state::VotingMethod::YesNo,
        action: None,
        options: vec![],
    }
}
