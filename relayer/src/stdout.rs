//! A command's output on stdout, for every fog binary. A reader that stops
//! early (`fog ... | head`) closes the pipe: what is left goes nowhere, and
//! the command ends with its own status instead of panicking, as
//! `println!` does on a closed pipe.

use std::io::{self, Write};

/// Writes `text` and a newline to stdout; a closed pipe is not an error.
pub fn line(text: impl std::fmt::Display) -> io::Result<()> {
    match writeln!(io::stdout().lock(), "{text}") {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        written => written,
    }
}
