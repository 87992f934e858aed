//! The progress bar of long runs (feature `progress`), a no-op without the feature.

#[cfg(feature = "progress")]
mod bar {
    use std::io::IsTerminal;
    use std::time::{Duration, Instant};

    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

    /// A run that lasts longer than this gets a bar.
    const SHOW_AFTER: Duration = Duration::from_secs(1);

    pub(crate) struct Progress {
        bar: Option<ProgressBar>,
        shown: bool,
        start: Instant,
    }

    impl Progress {
        pub(crate) fn new(enabled: bool, total_steps: u64) -> Self {
            let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
                let bar =
                    ProgressBar::with_draw_target(Some(total_steps), ProgressDrawTarget::hidden());
                if let Ok(style) = ProgressStyle::with_template(
                    "{bar:30} step {pos}/{len}  {prefix} {msg}  [{elapsed_precise} < {eta}]",
                ) {
                    bar.set_style(style.progress_chars("=> "));
                }
                bar
            });
            Progress {
                bar,
                shown: false,
                start: Instant::now(),
            }
        }

        pub(crate) fn step(&mut self) {
            if let Some(bar) = &self.bar {
                bar.inc(1);
                if !self.shown && self.start.elapsed() >= SHOW_AFTER {
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                    self.shown = true;
                }
            }
        }

        pub(crate) fn epoch(&mut self, epoch: usize, loss: f64) {
            if let Some(bar) = &self.bar {
                bar.set_prefix(format!("epoch {}", epoch + 1));
                bar.set_message(format!("loss {loss:.4e}"));
            }
        }

        pub(crate) fn finish(&mut self) {
            if let Some(bar) = self.bar.take() {
                bar.finish();
            }
        }

        pub(crate) fn abandon(&mut self) {
            if let Some(bar) = self.bar.take() {
                bar.abandon();
            }
        }
    }
}

#[cfg(not(feature = "progress"))]
mod bar {
    pub(crate) struct Progress;

    impl Progress {
        pub(crate) fn new(_enabled: bool, _total_steps: u64) -> Self {
            Progress
        }

        pub(crate) fn step(&mut self) {}

        pub(crate) fn epoch(&mut self, _epoch: usize, _loss: f64) {}

        pub(crate) fn finish(&mut self) {}

        pub(crate) fn abandon(&mut self) {}
    }
}

pub(super) use bar::Progress;
