//! Rows in PostgreSQL's binary COPY format, for the audit log's hot path:
//! no text escaping, no hex encoding of hashes, and less for the server to
//! parse than the text format.

/// A binary COPY stream for one table whose columns are `bigint`,
/// `smallint` and `bytea` (what the audit log stores).
pub struct BinaryCopy {
    buf: Vec<u8>,
    rows: usize,
}

impl Default for BinaryCopy {
    fn default() -> Self {
        Self::new()
    }
}

impl BinaryCopy {
    pub fn new() -> Self {
        let mut buf = Vec::with_capacity(1 << 16);
        buf.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
        buf.extend_from_slice(&0i32.to_be_bytes()); // flags
        buf.extend_from_slice(&0i32.to_be_bytes()); // header extension length
        Self { buf, rows: 0 }
    }

    /// Starts a row of `fields` columns.
    pub fn row(&mut self, fields: i16) -> &mut Self {
        self.buf.extend_from_slice(&fields.to_be_bytes());
        self.rows += 1;
        self
    }

    pub fn int8(&mut self, v: i64) -> &mut Self {
        self.buf.extend_from_slice(&8i32.to_be_bytes());
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }

    pub fn int2(&mut self, v: i16) -> &mut Self {
        self.buf.extend_from_slice(&2i32.to_be_bytes());
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }

    pub fn bytea(&mut self, v: &[u8]) -> &mut Self {
        let len = i32::try_from(v.len()).expect("a field under 2 GiB");
        self.buf.extend_from_slice(&len.to_be_bytes());
        self.buf.extend_from_slice(v);
        self
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The stream with its trailer.
    pub fn finish(mut self) -> Vec<u8> {
        self.buf.extend_from_slice(&(-1i16).to_be_bytes());
        self.buf
    }
}

/// Reads a binary COPY stream (as `COPY ... TO STDOUT (FORMAT binary)`
/// writes it) one field at a time.
pub struct BinaryReader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> BinaryReader<'a> {
    /// After the header; `None` if `data` does not start with one.
    pub fn new(data: &'a [u8]) -> Option<Self> {
        if data.len() < 19 || &data[..11] != b"PGCOPY\n\xff\r\n\0" {
            return None;
        }
        let ext = i32::from_be_bytes(data[15..19].try_into().ok()?) as usize;
        Some(Self { data, pos: 19 + ext })
    }

    /// Rows without the stream's header: what follows a cut made by
    /// [`complete_rows`].
    pub fn rows_only(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    /// Length of the header at the start of a stream; `None` if `data` is
    /// not (yet) long enough or not a binary COPY stream.
    pub fn header_len(data: &[u8]) -> Option<usize> {
        BinaryReader::new(data).map(|r| r.pos).filter(|&n| n <= data.len())
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.data.get(self.pos..self.pos + n)?;
        self.pos += n;
        Some(s)
    }

    /// The field count of the next row; `None` at the trailer or the end.
    pub fn next_row(&mut self) -> Option<i16> {
        let n = i16::from_be_bytes(self.take(2)?.try_into().ok()?);
        (n >= 0).then_some(n)
    }

    /// The next field's bytes (`None` for SQL NULL or a truncated stream).
    pub fn field(&mut self) -> Option<&'a [u8]> {
        let len = i32::from_be_bytes(self.take(4)?.try_into().ok()?);
        if len < 0 {
            return None;
        }
        self.take(len as usize)
    }

    pub fn int8(&mut self) -> Option<i64> {
        Some(i64::from_be_bytes(self.field()?.try_into().ok()?))
    }

    pub fn int2(&mut self) -> Option<i16> {
        Some(i16::from_be_bytes(self.field()?.try_into().ok()?))
    }
}

/// The end of the last complete row in `rows` (rows without a header, as
/// a stream arrives in chunks): what can be parsed now; the rest waits for
/// more bytes. The trailer counts as a row.
pub fn complete_rows(rows: &[u8]) -> usize {
    let mut pos = 0usize;
    let mut end = 0usize;
    loop {
        let Some(count) = rows.get(pos..pos + 2) else {
            return end;
        };
        let count = i16::from_be_bytes([count[0], count[1]]);
        pos += 2;
        if count < 0 {
            return pos;
        }
        for _ in 0..count {
            let Some(len) = rows.get(pos..pos + 4) else {
                return end;
            };
            let len = i32::from_be_bytes([len[0], len[1], len[2], len[3]]);
            pos += 4 + len.max(0) as usize;
        }
        if pos > rows.len() {
            return end;
        }
        end = pos;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_what_it_reads() {
        let mut w = BinaryCopy::new();
        w.row(3).int8(-5).int2(7).bytea(b"abc");
        w.row(3).int8(1 << 40).int2(-1).bytea(b"");
        let data = w.finish();
        let mut r = BinaryReader::new(&data).unwrap();
        assert_eq!(r.next_row(), Some(3));
        assert_eq!((r.int8(), r.int2(), r.field()), (Some(-5), Some(7), Some(&b"abc"[..])));
        assert_eq!(r.next_row(), Some(3));
        assert_eq!(
            (r.int8(), r.int2(), r.field()),
            (Some(1 << 40), Some(-1), Some(&b""[..]))
        );
        assert_eq!(r.next_row(), None);
    }

    #[test]
    fn rows_are_cut_where_they_end() {
        let mut w = BinaryCopy::new();
        w.row(2).int8(1).bytea(b"abc");
        w.row(2).int8(2).bytea(b"defgh");
        let data = w.finish();
        let header = BinaryReader::header_len(&data).unwrap();
        let rows = &data[header..];
        let first_row = 2 + 4 + 8 + 4 + 3;
        for cut in 0..rows.len() {
            let end = complete_rows(&rows[..cut]);
            let expected = if cut < first_row {
                0
            } else if cut < rows.len() - 2 {
                first_row
            } else {
                rows.len() - 2
            };
            assert_eq!(end, expected, "cut at {cut}");
        }
        assert_eq!(complete_rows(rows), rows.len(), "the trailer ends it");
        let mut r = BinaryReader::rows_only(&rows[..first_row]);
        assert_eq!(r.next_row(), Some(2));
        assert_eq!((r.int8(), r.field()), (Some(1), Some(&b"abc"[..])));
        assert_eq!(r.next_row(), None);
    }
}
