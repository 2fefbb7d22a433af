//! Rows in PostgreSQL's COPY text format, for bulk writes.

use std::fmt::Write;

/// A COPY buffer for one table.
#[derive(Default)]
pub struct CopyBuf {
    buf: String,
    rows: usize,
    /// A column of the current row is written (the next needs a tab).
    mid_row: bool,
}

impl CopyBuf {
    pub fn new() -> Self {
        Self::default()
    }

    fn sep(&mut self) {
        if self.mid_row {
            self.buf.push('\t');
        }
        self.mid_row = true;
    }

    pub fn text(&mut self, s: &str) -> &mut Self {
        self.sep();
        for c in s.chars() {
            match c {
                '\\' => self.buf.push_str("\\\\"),
                '\t' => self.buf.push_str("\\t"),
                '\n' => self.buf.push_str("\\n"),
                '\r' => self.buf.push_str("\\r"),
                c => self.buf.push(c),
            }
        }
        self
    }

    pub fn opt_text(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.text(s),
            None => {
                self.sep();
                self.buf.push_str("\\N");
                self
            }
        }
    }

    pub fn num(&mut self, n: impl std::fmt::Display) -> &mut Self {
        self.sep();
        let _ = write!(self.buf, "{n}");
        self
    }

    pub fn opt_num(&mut self, n: Option<impl std::fmt::Display>) -> &mut Self {
        match n {
            Some(n) => self.num(n),
            None => {
                self.sep();
                self.buf.push_str("\\N");
                self
            }
        }
    }

    pub fn end_row(&mut self) {
        self.buf.push('\n');
        self.rows += 1;
        self.mid_row = false;
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn as_bytes(&self) -> &[u8] {
        self.buf.as_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_copy_text_format() {
        let mut b = CopyBuf::new();
        b.num(1).text("a\tb\\c\nd").opt_text(None).end_row();
        assert_eq!(std::str::from_utf8(b.as_bytes()).unwrap(), "1\ta\\tb\\\\c\\nd\t\\N\n");
        assert_eq!(b.rows(), 1);
    }

    #[test]
    fn a_default_buffer_starts_its_rows_without_a_tab() {
        let mut b = CopyBuf::default();
        b.num(1).text("x").end_row();
        b.num(2).text("y").end_row();
        assert_eq!(std::str::from_utf8(b.as_bytes()).unwrap(), "1\tx\n2\ty\n");
    }
}
