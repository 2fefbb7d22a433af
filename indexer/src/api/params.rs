//! Request parameters: query strings and path segments parsed by hand so
//! that every bad value becomes a 400 problem naming the parameter (axum's
//! own extractors answer in plain text).
//!
//! A route's query parameters are one `IntoParams` struct: the OpenAPI
//! document is generated from it and the extractor accepts exactly the names
//! it documents, so an unknown (mistyped) parameter is refused rather than
//! silently ignored.

use std::collections::BTreeMap;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use utoipa::openapi::path::ParameterIn;
use utoipa::IntoParams;

use super::problem::ApiError;

/// Query parameters by name.
#[derive(Debug, Default)]
pub struct Params(BTreeMap<String, String>);

impl Params {
    /// Parses `pairs`, refusing names outside `known` and repeated names.
    pub fn new(pairs: Vec<(String, String)>, known: &[String]) -> Result<Self, ApiError> {
        let mut map = BTreeMap::new();
        for (k, v) in pairs {
            if !known.iter().any(|n| n == &k) {
                let expected = if known.is_empty() {
                    "this route takes no query parameters".to_string()
                } else {
                    format!("known parameters: {}", known.join(", "))
                };
                return Err(ApiError::bad(
                    k.clone(),
                    format!("unknown query parameter {k:?}; {expected}"),
                ));
            }
            // PostgreSQL stores no NUL character in text: refused here,
            // named, rather than failing in the database.
            if v.contains('\0') {
                return Err(ApiError::bad(k, "contains a NUL character"));
            }
            if map.insert(k.clone(), v).is_some() {
                return Err(ApiError::bad(k, "given more than once"));
            }
        }
        Ok(Self(map))
    }

    /// The raw value, if given (an empty value counts as given).
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn text(&self, name: &str, max_len: usize) -> Result<Option<String>, ApiError> {
        match self.raw(name) {
            None => Ok(None),
            Some("") => Err(ApiError::bad(name, "must not be empty")),
            Some(v) if v.len() > max_len => Err(ApiError::bad(name, format!("longer than {max_len} bytes"))),
            Some(v) => Ok(Some(v.to_string())),
        }
    }

    /// A non-negative integer that fits PostgreSQL's bigint.
    pub fn u64(&self, name: &str) -> Result<Option<u64>, ApiError> {
        self.raw(name).map(|v| parse_u64(name, v)).transpose()
    }

    pub fn u128(&self, name: &str) -> Result<Option<u128>, ApiError> {
        self.raw(name)
            .map(|v| {
                digits(name, v)?;
                v.parse::<u128>()
                    .map_err(|_| ApiError::bad(name, format!("{v:?} does not fit 128 bits")))
            })
            .transpose()
    }

    /// An integer in `min..=max`.
    pub fn bounded(&self, name: &str, min: u64, max: u64) -> Result<Option<u64>, ApiError> {
        match self.u64(name)? {
            Some(v) if v < min || v > max => Err(ApiError::bad(name, format!("must be between {min} and {max}"))),
            v => Ok(v),
        }
    }

    /// An inclusive range `from`..=`to` of two optional numbers, each at
    /// most `max`; `to` below `from` is refused by name.
    pub fn range(&self, from: &str, to: &str, max: u64) -> Result<(Option<u64>, Option<u64>), ApiError> {
        let (a, b) = (self.bounded(from, 0, max)?, self.bounded(to, 0, max)?);
        if let (Some(a), Some(b)) = (a, b) {
            if a > b {
                return Err(ApiError::bad(to, format!("{to} ({b}) is below {from} ({a})")));
            }
        }
        Ok((a, b))
    }

    /// One of a fixed set of values.
    pub fn one_of<T: Copy>(&self, name: &str, values: &[(&str, T)]) -> Result<Option<T>, ApiError> {
        match self.raw(name) {
            None => Ok(None),
            Some(v) => values
                .iter()
                .find(|(s, _)| *s == v)
                .map(|(_, t)| Some(*t))
                .ok_or_else(|| {
                    let names: Vec<&str> = values.iter().map(|(s, _)| *s).collect();
                    ApiError::bad(name, format!("{v:?} is not one of {}", names.join(", ")))
                }),
        }
    }

    pub fn address(&self, name: &str) -> Result<Option<String>, ApiError> {
        self.raw(name).map(|v| address(name, v)).transpose()
    }
}

fn digits(name: &str, v: &str) -> Result<(), ApiError> {
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        let what = if v.starts_with('-') {
            "must not be negative"
        } else {
            "must be a non-negative integer"
        };
        return Err(ApiError::bad(name, format!("{v:?} {what}")));
    }
    Ok(())
}

pub fn parse_u64(name: &str, v: &str) -> Result<u64, ApiError> {
    digits(name, v)?;
    v.parse::<u64>()
        .ok()
        .filter(|n| *n <= i64::MAX as u64)
        .ok_or_else(|| ApiError::bad(name, format!("{v:?} is too large")))
}

/// The data characters of bech32 (no 1, b, i, o).
const BECH32: &str = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/// A bech32-looking address: `^[a-z]{1,20}1[02-9ac-hj-np-z]{6,90}$`. The
/// checksum is not verified: an address the chain never saw is simply absent.
pub fn address(name: &str, v: &str) -> Result<String, ApiError> {
    let ok = v.find('1').is_some_and(|sep| {
        let (hrp, data) = (&v[..sep], &v[sep + 1..]);
        (1..=20).contains(&hrp.len())
            && hrp.bytes().all(|b| b.is_ascii_lowercase())
            && (6..=90).contains(&data.len())
            && data.chars().all(|c| BECH32.contains(c))
    });
    if ok {
        Ok(v.to_string())
    } else {
        Err(ApiError::bad(
            name,
            format!("{v:?} is not a bech32 address (lowercase prefix, 1, then 6 to 90 bech32 characters)"),
        ))
    }
}

/// The latest time a filter takes, in Unix seconds: 9999-12-31T23:59:59Z,
/// within PostgreSQL's timestamps.
pub const MAX_UNIX_SECONDS: u64 = 253_402_300_799;

/// A SHA-256 digest in hex (either case; answered in lowercase).
pub fn sha256(name: &str, v: &str) -> Result<String, ApiError> {
    if v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(v.to_ascii_lowercase())
    } else {
        Err(ApiError::bad(
            name,
            format!("{v:?} is not a SHA-256 digest (64 hexadecimal characters)"),
        ))
    }
}

/// A route's query parameters, parsed from [`Params`].
pub trait FromParams: IntoParams + Sized {
    fn from_params(p: &Params) -> Result<Self, ApiError>;
}

/// Extracts a [`FromParams`] struct from the query string.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: FromParams> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let pairs = axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
            .map_err(|e| ApiError::bad("query", format!("the query string cannot be read: {e}")))?
            .0;
        let known: Vec<String> = T::into_params(|| Some(ParameterIn::Query))
            .into_iter()
            .map(|p| p.name)
            .collect();
        T::from_params(&Params::new(pairs, &known)?).map(Query)
    }
}

/// The query string of a route that takes no parameters: any is refused.
#[derive(Debug)]
pub struct NoParams;

impl IntoParams for NoParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<utoipa::openapi::path::Parameter> {
        Vec::new()
    }
}

impl FromParams for NoParams {
    fn from_params(_: &Params) -> Result<Self, ApiError> {
        Ok(NoParams)
    }
}

/// The one path parameter of a route, as text (parsed by the handler, which
/// knows its name and format).
pub struct PathParam(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathParam {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let name = parts
            .extensions
            .get::<axum::extract::MatchedPath>()
            .and_then(|m| {
                let p = m.as_str();
                Some(p[p.find('{')? + 1..p.find('}')?].to_string())
            })
            .unwrap_or_else(|| "path".to_string());
        axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map(|p| PathParam(p.0))
            .map_err(|e| ApiError::bad(name, e.body_text()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert!(address("a", "inj1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq").is_ok());
        assert!(address("a", "cosmos1abcdef").is_err(), "b is not a bech32 character");
        assert!(address("a", "cosmos1acdefg").is_ok());
        assert!(address("a", "Inj1qqqqqqqq").is_err());
        assert!(address("a", "1qqqqqqqq").is_err());
        assert!(address("a", "inj1qqqqq").is_err(), "too short");
        assert!(address("a", "inj1qqqqqqqq1").is_err());
        assert!(address("a", "inj2qqqqqqqq").is_err());
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_u64("h", "42").unwrap(), 42);
        for bad in ["", "-1", "1.5", "x", "+1", "9223372036854775808"] {
            assert!(parse_u64("h", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn unknown_and_repeated_parameters() {
        let known = vec!["a".to_string()];
        assert!(Params::new(vec![("b".into(), "1".into())], &known).is_err());
        assert!(Params::new(vec![("a".into(), "1".into()), ("a".into(), "2".into())], &known).is_err());
        assert!(Params::new(vec![("a".into(), "1".into())], &known).is_ok());
    }
}
