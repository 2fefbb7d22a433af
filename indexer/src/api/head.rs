//! The indexed head and the blocks a `?height=` may name: the API answers
//! as of indexed blocks only, with the block's own time (the time the
//! contracts saw), never the wall clock.

use sqlx::{PgPool, Row};

use super::problem::ApiError;

/// An indexed block: its height and its time in Unix seconds (rounded
/// down, as `env.block.time.seconds()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At {
    pub height: u64,
    pub time: u64,
}

const BLOCK: &str = "SELECT height, floor(extract(epoch FROM time))::bigint FROM blocks";

fn at(r: sqlx::postgres::PgRow) -> At {
    At {
        height: r.get::<i64, _>(0) as u64,
        time: r.get::<i64, _>(1).max(0) as u64,
    }
}

/// The latest indexed block, if any.
pub async fn latest(pool: &PgPool) -> Result<Option<At>, ApiError> {
    let row = sqlx::query(&format!("{BLOCK} ORDER BY height DESC LIMIT 1"))
        .fetch_optional(pool)
        .await?;
    Ok(row.map(at))
}

/// The latest indexed block's time in Unix nanoseconds (to the
/// microsecond PostgreSQL keeps): the `now` the contracts' queries judge
/// nanosecond deadlines (a release request's expiry) at; None before any
/// block.
pub async fn latest_ns(pool: &PgPool) -> Result<Option<i64>, ApiError> {
    Ok(sqlx::query_scalar(
        "SELECT (extract(epoch FROM time) * 1000000)::bigint * 1000 FROM blocks ORDER BY height DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await?)
}

/// The block `?height=` names, or the head without one.
pub async fn resolve(pool: &PgPool, height: Option<u64>) -> Result<At, ApiError> {
    let head = latest(pool)
        .await?
        .ok_or_else(|| ApiError::Unavailable("no block is indexed yet".to_string()))?;
    let Some(h) = height else {
        return Ok(head);
    };
    if h > head.height {
        return Err(ApiError::bad(
            "height",
            format!("{h} is above the indexed head {}", head.height),
        ));
    }
    let row = sqlx::query(&format!("{BLOCK} WHERE height = $1"))
        .bind(h as i64)
        .fetch_optional(pool)
        .await?;
    row.map(at)
        .ok_or_else(|| ApiError::bad("height", format!("block {h} is not indexed (indexing started later)")))
}
