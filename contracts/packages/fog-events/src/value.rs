//! How a Rust value becomes an event attribute string and back.
//!
//! CosmWasm event attributes are plain strings, and wasmd trims surrounding
//! whitespace and refuses empty values; every encoding here is therefore
//! non-empty and whitespace-free, except [`Text`], whose emptiness is encoded
//! by leaving the attribute out.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    #[error("event {event}: attribute `{attribute}` is missing")]
    Missing {
        event: &'static str,
        attribute: &'static str,
    },
    #[error("event {event}: attribute `{attribute}` has an invalid value {value:?}: {reason}")]
    Invalid {
        event: &'static str,
        attribute: &'static str,
        value: String,
        reason: String,
    },
    #[error("event {event}: version {found} is not known to this decoder (expected {expected})")]
    Version {
        event: &'static str,
        found: String,
        expected: u32,
    },
}

/// A value that can travel as one event attribute.
pub trait AttrValue: Sized {
    /// The attribute's value, or `None` to leave the attribute out.
    fn encode_attr(&self) -> Option<String>;
    /// Decode from the attribute's value; `None` when the attribute is absent.
    fn decode_attr(raw: Option<&str>) -> Result<Self, String>;
}

fn required(raw: Option<&str>) -> Result<&str, String> {
    raw.ok_or_else(|| "missing".to_string())
}

macro_rules! decimal_attr {
    ($($t:ty),*) => {$(
        impl AttrValue for $t {
            fn encode_attr(&self) -> Option<String> {
                Some(self.to_string())
            }
            fn decode_attr(raw: Option<&str>) -> Result<Self, String> {
                required(raw)?.parse::<$t>().map_err(|e| e.to_string())
            }
        }
    )*};
}
decimal_attr!(u8, u16, u32, u64, u128, i64, bool);

/// Identifiers, addresses, hashes and enum tags: never empty.
impl AttrValue for String {
    fn encode_attr(&self) -> Option<String> {
        Some(self.clone())
    }
    fn decode_attr(raw: Option<&str>) -> Result<Self, String> {
        let raw = required(raw)?;
        if raw.is_empty() {
            return Err("empty".to_string());
        }
        Ok(raw.to_string())
    }
}

/// Free text (titles, comments, notes). Contracts trim it before storing, as
/// wasmd trims attribute values; empty text leaves the attribute out.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Text(pub String);

impl AttrValue for Text {
    fn encode_attr(&self) -> Option<String> {
        (!self.0.is_empty()).then(|| self.0.clone())
    }
    fn decode_attr(raw: Option<&str>) -> Result<Self, String> {
        Ok(Text(raw.unwrap_or_default().to_string()))
    }
}

impl Text {
    /// The first character free text may not hold: a control character
    /// other than a line break or a tab (NUL, an escape sequence's ESC).
    /// Every contract refuses free text that has one.
    pub fn forbidden_char(text: &str) -> Option<char> {
        text.chars()
            .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text(s.to_string())
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text(s)
    }
}

impl<T: AttrValue> AttrValue for Option<T> {
    fn encode_attr(&self) -> Option<String> {
        self.as_ref().and_then(AttrValue::encode_attr)
    }
    fn decode_attr(raw: Option<&str>) -> Result<Self, String> {
        match raw {
            None => Ok(None),
            Some(_) => T::decode_attr(raw).map(Some),
        }
    }
}

/// `json` with every escaped U+0000 (`\u0000`) inside its strings turned
/// into U+FFFD (`\ufffd`). Decoded events end up in databases, and
/// PostgreSQL refuses U+0000 in text and jsonb; the indexer's block decoder
/// does the same to raw NUL characters, so no decoded value carries one.
pub fn without_escaped_nul(json: &str) -> std::borrow::Cow<'_, str> {
    if !json.contains("\\u0000") {
        return json.into();
    }
    let mut out = String::with_capacity(json.len());
    let mut rest = json;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let escape = &rest[i..];
        if let Some(after) = escape.strip_prefix("\\u0000") {
            out.push_str("\\ufffd");
            rest = after;
        } else {
            // Any other escape, `\\` included, is copied whole, so the
            // `u0000` of an escaped backslash followed by text is left alone.
            let len = escape[1..].chars().next().map_or(0, char::len_utf8);
            out.push_str(&escape[..1 + len]);
            rest = &escape[1 + len..];
        }
    }
    out.push_str(rest);
    out.into()
}

/// Structured values (lists, small records) travel as compact JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Json<T>(pub T);

impl<T: Serialize + DeserializeOwned> AttrValue for Json<T> {
    fn encode_attr(&self) -> Option<String> {
        // Serialising plain data into a string cannot fail.
        Some(serde_json_wasm::to_string(&self.0).unwrap_or_default())
    }
    fn decode_attr(raw: Option<&str>) -> Result<Self, String> {
        serde_json_wasm::from_str(&without_escaped_nul(required(raw)?))
            .map(Json)
            .map_err(|e| e.to_string())
    }
}

/// Lists travel as JSON arrays, like [`Json`].
impl<T: Serialize + DeserializeOwned> AttrValue for Vec<T> {
    fn encode_attr(&self) -> Option<String> {
        Some(serde_json_wasm::to_string(self).unwrap_or_default())
    }
    fn decode_attr(raw: Option<&str>) -> Result<Self, String> {
        serde_json_wasm::from_str(&without_escaped_nul(required(raw)?)).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_nul_becomes_u_fffd_and_nothing_else_changes() {
        let list = |raw: &str| Vec::<String>::decode_attr(Some(raw)).unwrap();
        assert_eq!(list(r#"["a\u0000b","\u0000"]"#), ["a\u{FFFD}b", "\u{FFFD}"]);
        // An escaped backslash followed by the text "u0000" is not a NUL.
        assert_eq!(list(r#"["\\u0000"]"#), [r"\u0000"]);
        assert_eq!(list(r#"["\\\u0000","\u00e9\n"]"#), ["\\\u{FFFD}", "é\n"]);
        assert_eq!(without_escaped_nul(r#"["plain"]"#), r#"["plain"]"#);
    }
}
