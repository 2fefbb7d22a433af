//! Reading veFOG from another contract with raw queries.
//!
//! ```ignore
//! let store = fog_ve::raw::RemoteVe::new(&deps.querier, ve_address);
//! let voter = fog_ve::snapshot::voter_at(&store, &voter, start_height - 1, start_time)?;
//! ```

use cosmwasm_std::{Addr, QuerierWrapper, StdResult, Uint128};

use crate::snapshot::VeStore;
use crate::state::{
    Account, GlobalPoint, GlobalState, UserPoint, WeekChange, ACCOUNTS, GLOBAL, GLOBAL_POINTS, RECEIVED_CHANGES,
    USER_POINTS, WEEK_CHANGES,
};

/// veFOG's storage, read through raw queries.
pub struct RemoteVe<'a> {
    querier: &'a QuerierWrapper<'a>,
    contract: Addr,
}

impl<'a> RemoteVe<'a> {
    pub fn new(querier: &'a QuerierWrapper<'a>, contract: Addr) -> Self {
        Self { querier, contract }
    }
}

impl VeStore for RemoteVe<'_> {
    fn account(&self, address: &Addr) -> StdResult<Option<Account>> {
        ACCOUNTS.query(self.querier, self.contract.clone(), address)
    }
    fn user_point(&self, address: &Addr, epoch: u64) -> StdResult<Option<UserPoint>> {
        USER_POINTS.query(self.querier, self.contract.clone(), (address, epoch))
    }
    fn global(&self) -> StdResult<GlobalState> {
        GLOBAL.query(self.querier, self.contract.clone())
    }
    fn global_point(&self, epoch: u64) -> StdResult<Option<GlobalPoint>> {
        GLOBAL_POINTS.query(self.querier, self.contract.clone(), epoch)
    }
    fn week_change(&self, week: u64) -> StdResult<Option<WeekChange>> {
        WEEK_CHANGES.query(self.querier, self.contract.clone(), week)
    }
    fn received_change(&self, delegate: &Addr, week: u64) -> StdResult<Uint128> {
        Ok(RECEIVED_CHANGES
            .query(self.querier, self.contract.clone(), (delegate, week))?
            .unwrap_or_default())
    }
}
