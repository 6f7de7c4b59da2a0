//! Progress on a terminal (a bar) or in a log (a line every tenth of the run).

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use indicatif::{ProgressBar, ProgressStyle};

use crate::contract::RuleId;
use crate::runner::Progress;

/// An indicatif bar when standard error is a terminal, plain lines otherwise; and the stop
/// flag the runner reads ([`Progress::stopped`]), which the Ctrl-C handler of `run` sets.
pub struct CliProgress {
    bar: Option<ProgressBar>,
    planned: AtomicUsize,
    done: AtomicUsize,
    failing: AtomicUsize,
    stop: Arc<AtomicBool>,
}

impl CliProgress {
    /// Chooses the form from whether standard error is a terminal.
    #[must_use]
    pub fn new() -> Self {
        Self::with_stop_flag(Arc::new(AtomicBool::new(false)))
    }

    /// The same, stopped by `stop` (set by a Ctrl-C handler installed before the run).
    #[must_use]
    pub fn with_stop_flag(stop: Arc<AtomicBool>) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} {pos}/{len} cases {wide_bar} {elapsed} {msg}",
            ) {
                bar.set_style(style);
            }
            bar
        });
        CliProgress {
            bar,
            planned: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
            failing: AtomicUsize::new(0),
            stop,
        }
    }

    /// The flag that stops the run: once set, the runner sends no further case and returns
    /// the results so far, marked interrupted.
    #[must_use]
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.stop)
    }
}

impl Default for CliProgress {
    fn default() -> Self {
        CliProgress::new()
    }
}

impl Progress for CliProgress {
    fn start(&self, planned: usize) {
        self.planned.store(planned, Ordering::Relaxed);
        match &self.bar {
            Some(bar) => bar.set_length(planned as u64),
            None => eprintln!("running about {planned} cases"),
        }
    }

    fn case_done(&self, rule: RuleId, conforming: bool) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if !conforming {
            self.failing.fetch_add(1, Ordering::Relaxed);
        }
        let failing = self.failing.load(Ordering::Relaxed);
        match &self.bar {
            Some(bar) => {
                bar.set_position(done as u64);
                bar.set_message(format!("{rule}  non-conforming answers: {failing}"));
            }
            None => {
                let planned = self.planned.load(Ordering::Relaxed).max(1);
                let step = (planned / 10).max(1);
                if done % step == 0 {
                    eprintln!("{done}/{planned} cases, {failing} non-conforming answers");
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}
