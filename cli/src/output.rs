//! `--output json` for scripts, human tables by default.

use anyhow::Result;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use fog_relayer::stdout;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    Table,
    Json,
}

impl Output {
    pub fn print<T: Serialize>(&self, value: &T, human: impl FnOnce() -> String) -> Result<()> {
        match self {
            Output::Json => stdout::line(serde_json::to_string_pretty(value)?)?,
            Output::Table => {
                let text = human();
                if !text.is_empty() {
                    stdout::line(text)?;
                }
            }
        }
        Ok(())
    }
}

/// A two-column table of (field, value).
pub fn fields(rows: &[(&str, String)]) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    for (k, v) in rows {
        t.add_row(vec![k.to_string(), v.clone()]);
    }
    t.to_string()
}

/// A table with a header row.
pub fn table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(header.to_vec());
    for r in rows {
        t.add_row(r);
    }
    t.to_string()
}

/// FOG base units as whole FOG with up to 6 decimals.
pub fn fog(base: u128) -> String {
    let whole = base / 1_000_000;
    let frac = base % 1_000_000;
    if frac == 0 {
        format!("{whole}")
    } else {
        format!("{whole}.{}", format!("{frac:06}").trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_fog() {
        assert_eq!(super::fog(1_500_000), "1.5");
        assert_eq!(super::fog(7), "0.000007");
        assert_eq!(super::fog(2_000_000), "2");
    }
}
