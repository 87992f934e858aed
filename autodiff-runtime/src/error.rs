//! The one error type of the runtime: every fallible operation returns [`Error`].

use std::fmt;

/// What went wrong, with enough detail to fix it.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A hyper-parameter is outside its valid range (caught when a config is built).
    InvalidParameter {
        /// Which parameter, e.g. `"learning_rate"`.
        name: &'static str,
        /// The value that was given.
        value: f64,
        /// What would have been accepted, e.g. `"a finite number > 0"`.
        expected: &'static str,
    },
    /// A CSV file could not be parsed.
    Csv {
        /// The file (or the name of an embedded dataset).
        file: String,
        /// 1-based line number.
        line: usize,
        /// 1-based column (field) number.
        column: usize,
        /// The offending text.
        text: String,
        /// What was wrong with it.
        reason: String,
    },
    /// A file could not be read or written.
    Io {
        /// The path involved.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The data cannot be used as given: empty, ragged, non-finite, mismatched sizes, ...
    InvalidData(String),
    /// Training diverged: a non-finite loss, gradient, parameter or metric, or a loss that
    /// exploded ([`Trainer::with_explosion_guard`](crate::train::Trainer::with_explosion_guard)).
    /// The parameters are left at their last finite values, or at the best epoch's when early
    /// stopping restores the best.
    Diverged {
        /// 0-based epoch in which it happened.
        epoch: usize,
        /// 0-based step (mini-batch) within that epoch (0 for a metric).
        step: usize,
        /// The loss of that step (of the epoch, for a metric).
        loss: f64,
        /// What went wrong.
        cause: crate::train::Divergence,
        /// The run so far: the loss history of every completed epoch, the best epoch, ...
        report: Box<crate::train::TrainReport>,
    },
    /// A plot could not be drawn.
    Plot(String),
    /// A saved model could not be read into the model, or the model could not be saved.
    Checkpoint(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidParameter {
                name,
                value,
                expected,
            } => write!(f, "invalid {name}: {value} (expected {expected})"),
            Error::Csv {
                file,
                line,
                column,
                text,
                reason,
            } => write!(
                f,
                "{file}:{line}: column {column}: {reason} (found `{text}`)"
            ),
            Error::Io { path, source } => write!(f, "{path}: {source}"),
            Error::InvalidData(msg) => write!(f, "invalid data: {msg}"),
            Error::Diverged {
                epoch,
                step,
                loss,
                cause,
                report,
            } => {
                write!(
                    f,
                    "training diverged at epoch {epoch}, step {step}: {cause} (loss {loss}); "
                )?;
                match report.epochs() {
                    0 => {}
                    1 => write!(f, "the report holds 1 epoch; ")?,
                    n => write!(f, "the report holds {n} epochs; ")?,
                }
                match cause {
                    // the metric's own inputs are the first suspects, not the step size
                    crate::train::Divergence::NanMetric => {
                        write!(f, "check the metric (an empty evaluation set, a 0/0)")
                    }
                    _ => write!(f, "try a smaller learning rate"),
                }
            }
            Error::Plot(msg) => write!(f, "plot failed: {msg}"),
            Error::Checkpoint(msg) => write!(f, "checkpoint: {msg}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// `Result` with the runtime's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
