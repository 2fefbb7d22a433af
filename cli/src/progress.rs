//! Progress of long work: numbered steps with a spinner on a terminal, plain
//! lines otherwise (CI logs).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

pub struct Steps {
    bar: Option<ProgressBar>,
    total: usize,
    done: usize,
    started: Instant,
    quiet: bool,
}

impl Steps {
    /// `quiet`: nothing on stderr (e.g. `--output json` for scripts).
    pub fn new(total: usize, quiet: bool) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(total as u64);
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{pos}/{len}] {msg} ({elapsed})").expect("a valid template"),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Self {
            bar,
            total,
            done: 0,
            started: Instant::now(),
            quiet,
        }
    }

    pub fn next(&mut self, what: &str) {
        self.done += 1;
        match &self.bar {
            Some(bar) => {
                bar.set_position(self.done as u64);
                bar.set_message(what.to_string());
            }
            None if !self.quiet => eprintln!("[{}/{}] {what}", self.done, self.total),
            None => {}
        }
    }

    pub fn finish(&mut self) -> Duration {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        self.started.elapsed()
    }
}
