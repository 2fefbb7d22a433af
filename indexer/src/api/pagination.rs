//! Keyset pagination: a page is the rows after the last key of the previous
//! one (never OFFSET, never a COUNT), so the cost of a page does not grow
//! with its depth. The cursor is opaque to clients: base64url of the
//! listing's name and the last key, so a cursor of one listing is refused
//! by another.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::params::{parse_u64, Params};
use super::problem::ApiError;

pub const DEFAULT_LIMIT: u64 = 20;
pub const MAX_LIMIT: u64 = 100;

/// Page size from `?limit=` (1 to 100, default 20).
pub fn limit(p: &Params) -> Result<i64, ApiError> {
    Ok(p.bounded("limit", 1, MAX_LIMIT)?.unwrap_or(DEFAULT_LIMIT) as i64)
}

/// Encodes the last key of a page of the listing `kind`.
pub fn encode(kind: &str, key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}:{key}"))
}

/// The key carried by `?cursor=` for the listing `kind`.
pub fn decode(p: &Params, kind: &str) -> Result<Option<String>, ApiError> {
    let Some(raw) = p.raw("cursor") else {
        return Ok(None);
    };
    let bad = || {
        ApiError::bad(
            "cursor",
            "not a cursor of this listing; pass next_cursor from the previous page as is",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let key = text
        .strip_prefix(kind)
        .and_then(|r| r.strip_prefix(':'))
        .ok_or_else(bad)?;
    if key.is_empty() || key.contains('\0') {
        return Err(bad());
    }
    Ok(Some(key.to_string()))
}

/// A cursor whose key is a number (an id, a size).
pub fn decode_number(p: &Params, kind: &str) -> Result<Option<i64>, ApiError> {
    decode(p, kind)?
        .map(|k| {
            parse_u64("cursor", &k)
                .map(|n| n as i64)
                .map_err(|_| ApiError::bad("cursor", "not a cursor of this listing"))
        })
        .transpose()
}

/// Cuts `rows` (fetched with `limit + 1`) to a page and the cursor of the
/// next one, if there is more.
pub fn page<T>(mut rows: Vec<T>, limit: i64, kind: &str, key: impl Fn(&T) -> String) -> (Vec<T>, Option<String>) {
    let limit = limit as usize;
    if rows.len() > limit {
        rows.truncate(limit);
        let next = rows.last().map(|r| encode(kind, &key(r)));
        (rows, next)
    } else {
        (rows, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(cursor: &str) -> Params {
        Params::new(vec![("cursor".into(), cursor.into())], &["cursor".to_string()]).unwrap()
    }

    #[test]
    fn cursors_round_trip_and_stay_in_their_listing() {
        let c = encode("votes", "inj1abc");
        assert_eq!(decode(&params(&c), "votes").unwrap().as_deref(), Some("inj1abc"));
        assert!(decode(&params(&c), "releases").is_err());
        assert!(decode(&params("!!!"), "votes").is_err());
        assert!(decode_number(&params(&encode("p", "x")), "p").is_err());
        assert_eq!(decode_number(&params(&encode("p", "7")), "p").unwrap(), Some(7));
    }

    #[test]
    fn pages_cut_at_the_limit() {
        let (rows, next) = page(vec![5, 4, 3], 2, "p", |r| r.to_string());
        assert_eq!(rows, vec![5, 4]);
        assert_eq!(next, Some(encode("p", "4")));
        assert_eq!(page(vec![5, 4], 2, "p", |r| r.to_string()).1, None);
    }
}
