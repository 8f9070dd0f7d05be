//! A progress bar on standard error for long runs: only on a terminal, never in CI (the `CI`
//! variable every CI service sets) or with `--quiet`, and only once a run has taken more than
//! a second, so a quick check never flickers.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

const DELAY: Duration = Duration::from_secs(1);

pub(super) struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
}

/// Whether a bar may be drawn at all.
pub(super) fn wanted(quiet: bool, terminal: bool, ci: Option<&str>) -> bool {
    !quiet && terminal && ci.is_none_or(|v| v.is_empty() || v == "0" || v == "false")
}

impl Progress {
    pub(super) fn new(files: usize, quiet: bool) -> Progress {
        let ci = std::env::var("CI").ok();
        let on = files > 1 && wanted(quiet, std::io::stderr().is_terminal(), ci.as_deref());
        let bar = on.then(|| {
            // Hidden until the run has lasted DELAY.
            let bar =
                ProgressBar::with_draw_target(Some(files as u64), ProgressDrawTarget::hidden());
            if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} files {elapsed}")
            {
                bar.set_style(style);
            }
            bar
        });
        Progress {
            bar,
            started: Instant::now(),
        }
    }

    /// One more file checked.
    pub(super) fn tick(&self) {
        let Some(bar) = &self.bar else { return };
        if bar.is_hidden() && self.started.elapsed() >= DELAY {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        bar.inc(1);
    }

    /// Runs `f` (which prints) with the bar out of the way.
    pub(super) fn suspend<T>(&self, f: impl FnOnce() -> T) -> T {
        match &self.bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    /// Clears the bar before the summary is printed.
    pub(super) fn done(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_on_a_terminal_outside_ci_and_not_quiet() {
        assert!(wanted(false, true, None));
        assert!(!wanted(true, true, None));
        assert!(!wanted(false, false, None));
        assert!(!wanted(false, true, Some("true")));
        assert!(!wanted(false, true, Some("1")));
        assert!(wanted(false, true, Some("false")));
    }
}
