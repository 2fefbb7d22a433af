//! What a log's origin may be.
//!
//! The origin is the first line of a C2SP tlog-checkpoint, e.g.
//! `fog.audit.example/log`, and the log's identity here: it is a storage key
//! and an event attribute, so it is short, printable and has no surrounding
//! whitespace (which wasmd would trim from the attribute).

use crate::error::ContractError;

/// Longest origin accepted, in characters.
pub const MAX_ORIGIN_CHARS: usize = 128;

/// Accepts a valid origin, unchanged.
pub fn validate_origin(origin: &str) -> Result<(), ContractError> {
    let refuse = |reason: &'static str| {
        Err(ContractError::InvalidOrigin {
            origin: origin.to_string(),
            reason,
        })
    };
    if origin.is_empty() {
        return refuse("it is empty");
    }
    if origin.chars().count() > MAX_ORIGIN_CHARS {
        return refuse("it is longer than 128 characters");
    }
    if origin.chars().any(char::is_control) {
        return refuse("it contains a control character (e.g. a newline)");
    }
    if origin.starts_with(char::is_whitespace) || origin.ends_with(char::is_whitespace) {
        return refuse("it starts or ends with whitespace");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        for ok in [
            "fog.audit.example/log",
            "a",
            "go.sum database tree",
            "example.com/log 2024",
            &"x".repeat(128),
            "é".repeat(128).as_str(),
        ] {
            assert_eq!(validate_origin(ok), Ok(()), "{ok:?}");
        }
        for bad in [
            "",
            " fog",
            "fog ",
            "\tfog",
            "fog\n",
            "fog\nlog",
            "fog\u{0}",
            "fog\u{7f}",
            "\u{a0}fog",
            &"x".repeat(129),
        ] {
            assert!(
                matches!(validate_origin(bad), Err(ContractError::InvalidOrigin { .. })),
                "{bad:?}"
            );
        }
    }
}
