//! Statistics of a CSV dataset: rows, columns, and each column's type.
//!
//! The first record is the header (column names); `rows` counts the records
//! after it. A record with another number of fields than the header is an
//! error. Each column's type is inferred over *all* rows, from each cell
//! trimmed of ASCII whitespace:
//!
//! - `integer`: an optional sign and ASCII digits (any length);
//! - `float`: digits with a `.` and/or an exponent (`1.5`, `-2e3`, `.5`);
//!   not `inf` or `NaN`;
//! - `boolean`: `true` or `false`, in any case;
//! - `date`: `YYYY-MM-DD`, a valid calendar date;
//! - `datetime`: RFC 3339 (`2024-05-01T12:00:00Z`, `...12:00:00.5+02:00`;
//!   `T`, `t` or a space between date and time; leap second `:60` allowed);
//! - `string`: anything else, including bytes that are not UTF-8.
//!
//! An empty cell does not change the type; integer and float cells together
//! make a float column; any other mix makes a string column; a column with
//! no non-empty cell is `string`.

use std::cell::Cell;
use std::io::Read;
use std::rc::Rc;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    Integer,
    Float,
    Boolean,
    Date,
    Datetime,
    String,
}

impl ColumnType {
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnType::Integer => "integer",
            ColumnType::Float => "float",
            ColumnType::Boolean => "boolean",
            ColumnType::Date => "date",
            ColumnType::Datetime => "datetime",
            ColumnType::String => "string",
        }
    }

    /// The type of a column holding cells of `self` and of `other`.
    fn merge(self, other: ColumnType) -> ColumnType {
        use ColumnType::*;
        match (self, other) {
            (a, b) if a == b => a,
            (Integer, Float) | (Float, Integer) => Float,
            _ => String,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: ColumnType,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvStats {
    /// Records after the header.
    pub rows: u64,
    pub columns: u64,
    pub column_types: Vec<Column>,
}

/// The longest record read: the csv reader holds a record whole, so an
/// unclosed quote near the top of a large file would otherwise be read into
/// memory to the file's end.
pub const MAX_RECORD_BYTES: u64 = 16 << 20;

/// A reader that fails once it is asked to read past `limit` (shared with
/// the loop that moves the limit on at every record).
struct Capped<R> {
    inner: R,
    read: u64,
    limit: Rc<Cell<u64>>,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.read > self.limit.get() {
            return Err(std::io::Error::other(format!(
                "a record longer than {} MiB (an unclosed quote?)",
                MAX_RECORD_BYTES >> 20
            )));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// Reads CSV from `reader` to its end (buffered in 1 MiB).
pub fn stats<R: Read>(reader: R) -> Result<CsvStats, csv::Error> {
    let limit = Rc::new(Cell::new(MAX_RECORD_BYTES));
    let capped = Capped {
        inner: reader,
        read: 0,
        limit: limit.clone(),
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .buffer_capacity(super::hash::BUF_SIZE)
        .from_reader(capped);
    let names: Vec<String> = rdr
        .byte_headers()?
        .iter()
        .map(|h| String::from_utf8_lossy(h).into_owned())
        .collect();
    let mut types: Vec<Option<ColumnType>> = vec![None; names.len()];
    let mut rows = 0u64;
    let mut record = csv::ByteRecord::new();
    // The reader may hold a buffer's worth beyond the record it parses.
    let slack = MAX_RECORD_BYTES + super::hash::BUF_SIZE as u64;
    while {
        limit.set(rdr.position().byte() + slack);
        rdr.read_byte_record(&mut record)?
    } {
        rows += 1;
        for (ty, cell) in types.iter_mut().zip(record.iter()) {
            if *ty == Some(ColumnType::String) {
                continue;
            }
            // Most cells are of their column's type so far: check that first.
            if ty.is_some_and(|t| is_of_type(cell, t)) {
                continue;
            }
            if let Some(cell_ty) = classify(cell) {
                *ty = Some(ty.map_or(cell_ty, |t| t.merge(cell_ty)));
            }
        }
    }
    Ok(CsvStats {
        rows,
        columns: names.len() as u64,
        column_types: names
            .into_iter()
            .zip(types)
            .map(|(name, ty)| Column {
                name,
                ty: ty.unwrap_or(ColumnType::String),
            })
            .collect(),
    })
}

/// Whether a cell leaves a column of type `ty` as it is: empty, or of that
/// type (an integer cell in a float column counts as a float).
fn is_of_type(cell: &[u8], ty: ColumnType) -> bool {
    let cell = cell.trim_ascii();
    if cell.is_empty() {
        return true;
    }
    let Ok(s) = std::str::from_utf8(cell) else {
        return ty == ColumnType::String;
    };
    match ty {
        ColumnType::Integer => is_integer(s),
        ColumnType::Float => is_float(s),
        ColumnType::Boolean => s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false"),
        ColumnType::Date => is_date(s),
        ColumnType::Datetime => is_datetime(s),
        ColumnType::String => true,
    }
}

/// The type of one cell; `None` for an empty one.
pub fn classify(cell: &[u8]) -> Option<ColumnType> {
    let cell = cell.trim_ascii();
    if cell.is_empty() {
        return None;
    }
    let Ok(s) = std::str::from_utf8(cell) else {
        return Some(ColumnType::String);
    };
    Some(if is_integer(s) {
        ColumnType::Integer
    } else if is_float(s) {
        ColumnType::Float
    } else if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") {
        ColumnType::Boolean
    } else if is_date(s) {
        ColumnType::Date
    } else if is_datetime(s) {
        ColumnType::Datetime
    } else {
        ColumnType::String
    })
}

fn is_integer(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `[+-]? (d+ (. d*)? | . d+) ([eE] [+-]? d+)?`: what Rust's `f64` parser
/// takes, less `inf` and `NaN`.
fn is_float(s: &str) -> bool {
    fn digits(b: &[u8]) -> usize {
        b.iter().take_while(|c| c.is_ascii_digit()).count()
    }
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let int = digits(&b[i..]);
    i += int;
    let mut frac = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac = digits(&b[i..]);
        i += frac;
    }
    if int + frac == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        i += usize::from(matches!(b.get(i), Some(b'+' | b'-')));
        let exp = digits(&b[i..]);
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == b.len()
}

/// `YYYY-MM-DD`, a date of the proleptic Gregorian calendar.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| {
        b[r].iter()
            .try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// RFC 3339 date-time: `YYYY-MM-DD`, `T` (or `t`, or a space), `hh:mm:ss`,
/// optional fraction, then `Z` or `±hh:mm`.
fn is_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    let two = |i: usize, max: u8| match (b.get(i), b.get(i + 1)) {
        (Some(x @ b'0'..=b'9'), Some(y @ b'0'..=b'9')) => (x - b'0') * 10 + (y - b'0') <= max,
        _ => false,
    };
    if b.len() < 20 || !s.is_char_boundary(10) || !is_date(&s[..10]) || !matches!(b[10], b'T' | b't' | b' ') {
        return false;
    }
    // A leap second (:60) is valid RFC 3339.
    if !(two(11, 23) && b[13] == b':' && two(14, 59) && b[16] == b':' && two(17, 60)) {
        return false;
    }
    let mut i = 19;
    if b[i] == b'.' {
        let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return false;
        }
        i += 1 + digits;
    }
    match b.get(i) {
        Some(b'Z' | b'z') => i + 1 == b.len(),
        Some(b'+' | b'-') => i + 6 == b.len() && two(i + 1, 23) && b[i + 3] == b':' && two(i + 4, 59),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::ColumnType::*;
    use super::*;

    #[test]
    fn an_unclosed_quote_is_an_error_after_a_bounded_read() {
        // 40 MiB after an unclosed quote: refused once a record passes the
        // cap, not read whole into one record.
        let data = std::io::Cursor::new(b"a,b\n1,\"x".to_vec()).chain(std::io::repeat(b'y').take(40 << 20));
        let mut counted = Capped {
            inner: data,
            read: 0,
            limit: Rc::new(Cell::new(u64::MAX)),
        };
        let err = stats(&mut counted).unwrap_err().to_string();
        assert!(err.contains("unclosed quote"), "{err}");
        assert!(counted.read < 20 << 20, "read {} bytes", counted.read);
        // Long records under the cap are fine.
        let long = format!("a,b\n\"{}\",1\n", "z".repeat(3 << 20));
        assert_eq!(stats(long.as_bytes()).unwrap().rows, 1);
    }

    #[test]
    fn classifies_cells() {
        let cases: &[(&str, Option<ColumnType>)] = &[
            ("", None),
            ("  ", None),
            ("42", Some(Integer)),
            ("-7", Some(Integer)),
            ("+007", Some(Integer)),
            ("1.5", Some(Float)),
            ("-2e3", Some(Float)),
            (".5", Some(Float)),
            ("inf", Some(String)),
            ("NaN", Some(String)),
            ("1.2.3", Some(String)),
            ("1e", Some(String)),
            ("e5", Some(String)),
            ("5.", Some(Float)),
            ("-.5E+2", Some(Float)),
            (".", Some(String)),
            ("0000-01-01", Some(Date)),
            ("1900-02-29", Some(String)),
            ("2000-02-29", Some(Date)),
            ("2024-13-01", Some(String)),
            ("2024-04-31", Some(String)),
            ("TRUE", Some(Boolean)),
            ("false", Some(Boolean)),
            ("2024-02-29", Some(Date)),
            ("2023-02-29", Some(String)),
            ("2024-05-01T12:00:00Z", Some(Datetime)),
            ("2024-05-01T12:00:00.5+02:00", Some(Datetime)),
            ("2024-05-01T12:00:00", Some(String)),
            ("2024-05-01 12:00:00z", Some(Datetime)),
            ("2016-12-31T23:59:60Z", Some(Datetime)),
            ("2024-05-01T24:00:00Z", Some(String)),
            ("2024-05-01T12:00:00.Z", Some(String)),
            ("2024-05-01T12:00:00+0200", Some(String)),
            ("2024-05-01T12:00:00+02:00x", Some(String)),
            ("2024-02-30T12:00:00Z", Some(String)),
            ("2024-05-01T12:00:00Zé", Some(String)),
            ("2024-05-é1T12:00:00Z", Some(String)),
            ("hello", Some(String)),
        ];
        for (cell, ty) in cases {
            assert_eq!(classify(cell.as_bytes()), *ty, "{cell:?}");
        }
        assert_eq!(classify(b"\xff\xfe"), Some(String));
    }

    #[test]
    fn infers_column_types_over_all_rows() {
        let data = "id,score,flag,day,at,name,mixed,empty\n\
                    1,1,true,2024-01-01,2024-01-01T00:00:00Z,a,1,\n\
                    2,2.5,false,2024-01-02,2024-01-02T00:00:00+01:00,b,x,\n\
                    3,,TRUE,,,\"c, d\",2,\n\
                    -4,1e3,false,2024-12-31,2024-01-03T00:00:00Z,e,true,\n";
        let s = stats(data.as_bytes()).unwrap();
        assert_eq!(s.rows, 4);
        assert_eq!(s.columns, 8);
        let got: Vec<(&str, ColumnType)> = s.column_types.iter().map(|c| (c.name.as_str(), c.ty)).collect();
        assert_eq!(
            got,
            [
                ("id", Integer),
                ("score", Float),
                ("flag", Boolean),
                ("day", Date),
                ("at", Datetime),
                ("name", String),
                ("mixed", String),
                ("empty", String),
            ]
        );
    }

    #[test]
    fn header_only_and_empty_files() {
        let s = stats("a,b\n".as_bytes()).unwrap();
        assert_eq!((s.rows, s.columns), (0, 2));
        let s = stats("".as_bytes()).unwrap();
        assert_eq!((s.rows, s.columns), (0, 0));
    }

    #[test]
    fn ragged_rows_are_an_error() {
        assert!(stats("a,b\n1,2\n3\n".as_bytes()).is_err());
    }
}
