//! A one-line progress indicator on stderr, drawn only when stderr is a terminal, so piped and
//! captured output stays clean. Hand-written: a bar is twenty lines, not a dependency.

use std::io::{IsTerminal as _, Write as _};
use std::time::{Duration, Instant};

/// Progress of bulk work: `label [#####     ] 12/40`, or `label 12` when the total is unknown.
#[derive(Debug)]
pub struct Progress {
    enabled: bool,
    label: &'static str,
    total: Option<u64>,
    done: u64,
    drawn_at: Option<Instant>,
}

impl Progress {
    /// A progress line, shown only if `wanted` and stderr is a terminal.
    pub fn new(label: &'static str, total: Option<u64>, wanted: bool) -> Self {
        Self { enabled: wanted && std::io::stderr().is_terminal(), label, total, done: 0, drawn_at: None }
    }

    /// Counts `n` more items done.
    pub fn inc(&mut self, n: u64) {
        self.done += n;
        let due = self.drawn_at.is_none_or(|t| t.elapsed() >= Duration::from_millis(80));
        if self.enabled && due {
            self.draw();
        }
    }

    fn draw(&mut self) {
        const WIDTH: u64 = 30;
        let line = match self.total {
            Some(total) if total > 0 => {
                let filled = (self.done.min(total) * WIDTH / total) as usize;
                format!(
                    "{} [{}{}] {}/{}",
                    self.label,
                    "#".repeat(filled),
                    " ".repeat(WIDTH as usize - filled),
                    self.done,
                    total
                )
            }
            _ => format!("{} {}", self.label, self.done),
        };
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
        self.drawn_at = Some(Instant::now());
    }

    /// Erases the line.
    pub fn finish(&mut self) {
        if self.enabled && self.drawn_at.is_some() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
        self.drawn_at = None;
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
