//! FOG, the governance token: cw20-base, unchanged.
//!
//! This crate only exports cw20-base's entry points so the workspace builds
//! the token's wasm with the same toolchain and flags as the other contracts,
//! and fixes the parameters fog deploys it with.

use cosmwasm_std::Uint128;
pub use cw20_base::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};

/// FOG has 6 decimals: 1 FOG = 1,000,000 base units.
pub const DECIMALS: u8 = 6;
/// One whole FOG in base units.
pub const ONE_FOG: u128 = 1_000_000;
/// Supply cap: 1,000,000,000 FOG.
pub const CAP: Uint128 = Uint128::new(1_000_000_000 * ONE_FOG);
/// Supply minted at instantiation: 100,000,000 FOG.
pub const INITIAL_SUPPLY: Uint128 = Uint128::new(100_000_000 * ONE_FOG);

#[cfg(not(feature = "library"))]
mod entry {
    use cosmwasm_std::{entry_point, Binary, Deps, DepsMut, Env, MessageInfo, Response};
    use cw20_base::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
    use cw20_base::ContractError;

    #[entry_point]
    pub fn instantiate(
        deps: DepsMut,
        env: Env,
        info: MessageInfo,
        msg: InstantiateMsg,
    ) -> Result<Response, ContractError> {
        cw20_base::contract::instantiate(deps, env, info, msg)
    }

    #[entry_point]
    pub fn execute(deps: DepsMut, env: Env, info: MessageInfo, msg: ExecuteMsg) -> Result<Response, ContractError> {
        cw20_base::contract::execute(deps, env, info, msg)
    }

    #[entry_point]
    pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> cosmwasm_std::StdResult<Binary> {
        cw20_base::contract::query(deps, env, msg)
    }

    #[entry_point]
    pub fn migrate(deps: DepsMut, env: Env, msg: MigrateMsg) -> Result<Response, ContractError> {
        cw20_base::contract::migrate(deps, env, msg)
    }
}
