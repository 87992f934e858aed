//! Learning-rate schedules: the learning rate as a function of the (0-based) epoch.

use super::{invalid, positive};
use crate::error::Result;

/// A learning rate for each epoch.
///
/// `lr_at(0)` is the learning rate of the first epoch. Built-in schedules are validated when
/// they are created and always return a finite rate >= 0. Any `Fn(usize) -> f64` closure is a
/// schedule too; a trainer passes its values to
/// [`Optimizer::set_learning_rate`](super::Optimizer::set_learning_rate), which rejects a
/// negative or non-finite rate.
///
/// ```
/// use autodiff_runtime::optim::LrSchedule;
///
/// let warm_up = |epoch: usize| 0.1 * ((epoch + 1) as f64 / 5.0).min(1.0);
/// assert_eq!(warm_up.lr_at(0), 0.1 * 0.2);
/// assert_eq!(warm_up.lr_at(9), 0.1);
/// ```
pub trait LrSchedule {
    /// The learning rate of epoch `epoch` (0-based).
    fn lr_at(&self, epoch: usize) -> f64;
}

impl<F: Fn(usize) -> f64> LrSchedule for F {
    fn lr_at(&self, epoch: usize) -> f64 {
        self(epoch)
    }
}

/// The same learning rate every epoch.
///
/// ```
/// use autodiff_runtime::optim::{ConstantLr, LrSchedule};
///
/// # fn main() -> Result<(), autodiff_runtime::Error> {
/// let schedule = ConstantLr::new(0.05)?;
/// assert_eq!(schedule.lr_at(0), 0.05);
/// assert_eq!(schedule.lr_at(1000), 0.05);
/// assert!(ConstantLr::new(0.0).is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ConstantLr {
    learning_rate: f64,
}

impl ConstantLr {
    /// A constant schedule.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`](crate::Error::InvalidParameter) `learning_rate` unless it
    /// is finite and > 0.
    pub fn new(learning_rate: f64) -> Result<Self> {
        Ok(ConstantLr {
            learning_rate: positive("learning_rate", learning_rate)?,
        })
    }
}

impl LrSchedule for ConstantLr {
    fn lr_at(&self, _epoch: usize) -> f64 {
        self.learning_rate
    }
}

/// Step decay: the learning rate is multiplied by `gamma` every `step_size` epochs,
/// `lr(e) = lr0 * gamma^floor(e / step_size)` (PyTorch's `StepLR`).
///
/// ```
/// use autodiff_runtime::optim::{LrSchedule, StepLr};
///
/// # fn main() -> Result<(), autodiff_runtime::Error> {
/// let schedule = StepLr::new(0.1, 10, 0.5)?;
/// assert_eq!(schedule.lr_at(9), 0.1);
/// assert_eq!(schedule.lr_at(10), 0.05);
/// assert_eq!(schedule.lr_at(25), 0.025);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepLr {
    learning_rate: f64,
    step_size: usize,
    gamma: f64,
}

impl StepLr {
    /// A step schedule starting at `learning_rate`, multiplied by `gamma` every `step_size`
    /// epochs.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`](crate::Error::InvalidParameter) for `learning_rate` not
    /// finite and > 0, `step_size` = 0, or `gamma` outside (0, 1].
    pub fn new(learning_rate: f64, step_size: usize, gamma: f64) -> Result<Self> {
        positive("learning_rate", learning_rate)?;
        if step_size == 0 {
            return Err(invalid("step_size", 0.0, "a number of epochs >= 1"));
        }
        Ok(StepLr {
            learning_rate,
            step_size,
            gamma: decay_factor(gamma)?,
        })
    }
}

impl LrSchedule for StepLr {
    fn lr_at(&self, epoch: usize) -> f64 {
        self.learning_rate * power(self.gamma, epoch / self.step_size)
    }
}

/// Exponential decay: `lr(e) = lr0 * gamma^e` (PyTorch's `ExponentialLR`).
///
/// ```
/// use autodiff_runtime::optim::{ExponentialLr, LrSchedule};
///
/// # fn main() -> Result<(), autodiff_runtime::Error> {
/// let schedule = ExponentialLr::new(1.0, 0.5)?;
/// assert_eq!(schedule.lr_at(0), 1.0);
/// assert_eq!(schedule.lr_at(3), 0.125);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExponentialLr {
    learning_rate: f64,
    gamma: f64,
}

impl ExponentialLr {
    /// An exponential schedule starting at `learning_rate`, multiplied by `gamma` each epoch.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`](crate::Error::InvalidParameter) for `learning_rate` not
    /// finite and > 0, or `gamma` outside (0, 1].
    pub fn new(learning_rate: f64, gamma: f64) -> Result<Self> {
        Ok(ExponentialLr {
            learning_rate: positive("learning_rate", learning_rate)?,
            gamma: decay_factor(gamma)?,
        })
    }
}

impl LrSchedule for ExponentialLr {
    fn lr_at(&self, epoch: usize) -> f64 {
        self.learning_rate * power(self.gamma, epoch)
    }
}

/// Cosine annealing from `learning_rate` down to `min_learning_rate` over `epochs` epochs,
/// then constant at `min_learning_rate` (PyTorch's `CosineAnnealingLR`, without restarts):
///
/// ```text
/// lr(e) = min + (lr0 - min) (1 + cos(π e / epochs)) / 2    for e <= epochs
/// lr(e) = min                                              for e >= epochs
/// ```
///
/// ```
/// use autodiff_runtime::optim::{CosineLr, LrSchedule};
///
/// # fn main() -> Result<(), autodiff_runtime::Error> {
/// let schedule = CosineLr::new(0.1, 0.0, 100)?;
/// assert_eq!(schedule.lr_at(0), 0.1);
/// assert!((schedule.lr_at(50) - 0.05).abs() < 1e-15);
/// assert_eq!(schedule.lr_at(100), 0.0);
/// assert_eq!(schedule.lr_at(500), 0.0);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CosineLr {
    learning_rate: f64,
    min_learning_rate: f64,
    epochs: usize,
}

impl CosineLr {
    /// A cosine schedule from `learning_rate` to `min_learning_rate` over `epochs` epochs.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`](crate::Error::InvalidParameter) for `learning_rate` not
    /// finite and > 0, `min_learning_rate` outside [0, `learning_rate`], or `epochs` = 0.
    pub fn new(learning_rate: f64, min_learning_rate: f64, epochs: usize) -> Result<Self> {
        positive("learning_rate", learning_rate)?;
        if !(0.0..=learning_rate).contains(&min_learning_rate) {
            return Err(invalid(
                "min_learning_rate",
                min_learning_rate,
                "a number in [0, learning_rate]",
            ));
        }
        if epochs == 0 {
            return Err(invalid("epochs", 0.0, "a number of epochs >= 1"));
        }
        Ok(CosineLr {
            learning_rate,
            min_learning_rate,
            epochs,
        })
    }
}

impl LrSchedule for CosineLr {
    fn lr_at(&self, epoch: usize) -> f64 {
        if epoch >= self.epochs {
            return self.min_learning_rate;
        }
        let progress = epoch as f64 / self.epochs as f64;
        let cosine = 0.5 * (1.0 + (std::f64::consts::PI * progress).cos());
        self.min_learning_rate + (self.learning_rate - self.min_learning_rate) * cosine
    }
}

/// `gamma` if it is in (0, 1].
fn decay_factor(gamma: f64) -> Result<f64> {
    if gamma > 0.0 && gamma <= 1.0 {
        Ok(gamma)
    } else {
        Err(invalid("gamma", gamma, "a number in (0, 1]"))
    }
}

/// `base^exponent` for any epoch count (no `i32` overflow of `powi`); underflows to 0.
fn power(base: f64, exponent: usize) -> f64 {
    base.powf(exponent as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * (1.0 + b.abs())
    }

    fn rejected<S: std::fmt::Debug>(result: Result<S>) -> (&'static str, f64) {
        match result {
            Err(Error::InvalidParameter { name, value, .. }) => (name, value),
            other => panic!("expected InvalidParameter, got {other:?}"),
        }
    }

    #[test]
    fn constant() {
        let s = ConstantLr::new(0.3).unwrap();
        assert_eq!([s.lr_at(0), s.lr_at(7), s.lr_at(usize::MAX)], [0.3; 3]);
        assert_eq!(rejected(ConstantLr::new(-0.3)), ("learning_rate", -0.3));
    }

    #[test]
    fn step_decays_every_k_epochs() {
        let s = StepLr::new(0.8, 3, 0.5).unwrap();
        let lrs: Vec<f64> = (0..8).map(|e| s.lr_at(e)).collect();
        assert_eq!(lrs, [0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2, 0.2]);
        // gamma = 1 keeps the rate.
        assert_eq!(StepLr::new(0.8, 1, 1.0).unwrap().lr_at(100), 0.8);
    }

    #[test]
    fn exponential() {
        let s = ExponentialLr::new(2.0, 0.9).unwrap();
        assert_eq!(s.lr_at(0), 2.0);
        assert!(close(s.lr_at(1), 1.8));
        assert!(close(s.lr_at(2), 1.62));
        assert!(close(s.lr_at(10), 2.0 * 0.3486784401));
        // A huge epoch underflows to 0 instead of overflowing the exponent.
        assert_eq!(s.lr_at(usize::MAX), 0.0);
    }

    #[test]
    fn cosine_reaches_the_floor_and_stays() {
        let s = CosineLr::new(1.0, 0.1, 4).unwrap();
        assert!(close(s.lr_at(0), 1.0));
        // cos(π/4) = √2/2: 0.1 + 0.9 (1 + √2/2) / 2
        assert!(close(s.lr_at(1), 0.1 + 0.9 * (1.0 + 0.5f64.sqrt()) / 2.0));
        assert!(close(s.lr_at(2), 0.55));
        assert!(close(s.lr_at(3), 0.1 + 0.9 * (1.0 - 0.5f64.sqrt()) / 2.0));
        assert_eq!(s.lr_at(4), 0.1);
        assert_eq!(s.lr_at(1000), 0.1);
        // Monotone non-increasing.
        let s = CosineLr::new(0.5, 0.0, 37).unwrap();
        assert!((1..50).all(|e| s.lr_at(e) <= s.lr_at(e - 1)));
    }

    #[test]
    fn closures_are_schedules() {
        let halving = |e: usize| 1.0 / (1 << e) as f64;
        assert_eq!(halving.lr_at(3), 0.125);
    }

    #[test]
    fn invalid_schedules_name_the_parameter() {
        assert_eq!(rejected(StepLr::new(0.0, 3, 0.5)), ("learning_rate", 0.0));
        assert_eq!(rejected(StepLr::new(0.1, 0, 0.5)), ("step_size", 0.0));
        assert_eq!(rejected(StepLr::new(0.1, 3, 0.0)), ("gamma", 0.0));
        assert_eq!(rejected(StepLr::new(0.1, 3, 1.5)), ("gamma", 1.5));
        assert!(matches!(
            rejected(ExponentialLr::new(0.1, f64::NAN)),
            ("gamma", v) if v.is_nan()
        ));
        assert!(matches!(
            rejected(ExponentialLr::new(f64::NAN, 0.5)),
            ("learning_rate", v) if v.is_nan()
        ));
        assert_eq!(
            rejected(CosineLr::new(0.1, 0.2, 10)),
            ("min_learning_rate", 0.2)
        );
        assert_eq!(
            rejected(CosineLr::new(0.1, -0.01, 10)),
            ("min_learning_rate", -0.01)
        );
        assert_eq!(rejected(CosineLr::new(0.1, 0.0, 0)), ("epochs", 0.0));
        assert!(CosineLr::new(0.1, 0.1, 1).is_ok());
    }
}
