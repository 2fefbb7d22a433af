//! The height and time window a listing is filtered by
//! (`from_height`, `to_height`, `from_time`, `to_time`), for rows that carry
//! a block height: a time is a block time, and a time bound becomes the
//! first (or last) block at (or before) it, found on the `blocks_time`
//! index. Block times rise with heights (CometBFT's BFT time), so the two
//! readings select the same rows.

use sqlx::{Postgres, QueryBuilder};

use super::params::{Params, MAX_UNIX_SECONDS};
use super::problem::ApiError;

/// The window of a filter struct that documents the four bounds as its own
/// fields (each route's `IntoParams` describes them in its own words).
macro_rules! window_of {
    ($filter:expr) => {
        $crate::api::window::BlockWindow {
            from_height: $filter.from_height,
            to_height: $filter.to_height,
            from_time: $filter.from_time,
            to_time: $filter.to_time,
        }
    };
}
pub(crate) use window_of;

/// Inclusive bounds; times in Unix seconds, a `to_time` covering its whole
/// second (block times carry microseconds).
#[derive(Debug, Default, Clone, Copy)]
pub struct BlockWindow {
    pub from_height: Option<u64>,
    pub to_height: Option<u64>,
    pub from_time: Option<u64>,
    pub to_time: Option<u64>,
}

impl BlockWindow {
    pub fn parse(p: &Params) -> Result<Self, ApiError> {
        let (from_height, to_height) = p.range("from_height", "to_height", i64::MAX as u64)?;
        let (from_time, to_time) = p.range("from_time", "to_time", MAX_UNIX_SECONDS)?;
        Ok(Self {
            from_height,
            to_height,
            from_time,
            to_time,
        })
    }

    /// The name of the first bound given, for a listing that takes none here.
    pub fn first_given(&self) -> Option<&'static str> {
        [
            ("from_height", self.from_height),
            ("to_height", self.to_height),
            ("from_time", self.from_time),
            ("to_time", self.to_time),
        ]
        .into_iter()
        .find_map(|(name, v)| v.map(|_| name))
    }

    /// Appends ` AND ...` conditions keeping the rows whose `column` (a
    /// block height) is in the window. A time bound no block meets keeps no
    /// row (the comparison with NULL is not true).
    pub fn push(&self, q: &mut QueryBuilder<'_, Postgres>, column: &str) {
        if let Some(h) = self.from_height {
            q.push(format!(" AND {column} >= ")).push_bind(h as i64);
        }
        if let Some(h) = self.to_height {
            q.push(format!(" AND {column} <= ")).push_bind(h as i64);
        }
        if let Some(t) = self.from_time {
            q.push(format!(
                " AND {column} >= (SELECT height FROM blocks WHERE time >= to_timestamp("
            ))
            .push_bind(t as f64)
            .push(") ORDER BY time, height LIMIT 1)");
        }
        if let Some(t) = self.to_time {
            q.push(format!(
                " AND {column} <= (SELECT height FROM blocks WHERE time < to_timestamp("
            ))
            .push_bind((t + 1) as f64)
            .push(") ORDER BY time DESC, height DESC LIMIT 1)");
        }
    }
}
