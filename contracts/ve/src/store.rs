//! veFOG's own storage as a [`VeStore`], for its queries.

use cosmwasm_std::{Addr, StdResult, Storage, Uint128};

use crate::snapshot::VeStore;
use crate::state::{
    Account, GlobalPoint, GlobalState, UserPoint, WeekChange, ACCOUNTS, GLOBAL, GLOBAL_POINTS, RECEIVED_CHANGES,
    USER_POINTS, WEEK_CHANGES,
};

pub struct LocalVe<'a>(pub &'a dyn Storage);

impl VeStore for LocalVe<'_> {
    fn account(&self, address: &Addr) -> StdResult<Option<Account>> {
        ACCOUNTS.may_load(self.0, address)
    }
    fn user_point(&self, address: &Addr, epoch: u64) -> StdResult<Option<UserPoint>> {
        USER_POINTS.may_load(self.0, (address, epoch))
    }
    fn global(&self) -> StdResult<GlobalState> {
        GLOBAL.load(self.0)
    }
    fn global_point(&self, epoch: u64) -> StdResult<Option<GlobalPoint>> {
        GLOBAL_POINTS.may_load(self.0, epoch)
    }
    fn week_change(&self, week: u64) -> StdResult<Option<WeekChange>> {
        WEEK_CHANGES.may_load(self.0, week)
    }
    fn received_change(&self, delegate: &Addr, week: u64) -> StdResult<Uint128> {
        Ok(RECEIVED_CHANGES.may_load(self.0, (delegate, week))?.unwrap_or_default())
    }
    fn received_changes_scan(&self, delegate: &Addr, from: u64, to: u64) -> StdResult<Option<Vec<(u64, u128)>>> {
        crate::ledger::received_changes(self.0, delegate, from, to).map(Some)
    }
}
