//! Optimizers, learning-rate schedules and the parameter abstraction they work on.
//!
//! A model is a struct of named float arrays and nested models. It implements [`Params`]
//! (`#[derive(autodiff::Params)]`) so that optimizers and the trainer can walk every
//! parameter slice, in a fixed order, together with the gradient struct of the same type.
//!
//! An [`Optimizer`] updates the parameters from a gradient, one [`step`](Optimizer::step) at a
//! time. [`Sgd`], [`Adam`] (and AdamW, [`AdamConfig::adamw`]) and [`Rmsprop`] are built from
//! config structs ([`SgdConfig`], [`AdamConfig`], [`RmspropConfig`]) with `Default` and
//! chainable `with_*` setters, validated once in `build()`. [`GradientClip`] bounds a gradient
//! by its global norm or by value before a step. A learning-rate
//! schedule ([`LrSchedule`]: [`ConstantLr`], [`StepLr`], [`ExponentialLr`], [`CosineLr`], or a
//! closure) gives the learning rate of each epoch.
//!
//! ```
//! use autodiff_runtime::optim::{CosineLr, LrSchedule, Optimizer, SgdConfig};
//!
//! # fn main() -> Result<(), autodiff_runtime::Error> {
//! // Minimize (w0 - 3)^2 + 10 (w1 + 1)^2.
//! let gradient = |w: &[f64; 2]| [2.0 * (w[0] - 3.0), 20.0 * (w[1] + 1.0)];
//!
//! let mut w = [0.0, 0.0];
//! let mut sgd = SgdConfig::new()
//!     .with_learning_rate(0.05)
//!     .with_momentum(0.5)
//!     .build()?;
//! let schedule = CosineLr::new(0.05, 0.005, 200)?;
//! for epoch in 0..200 {
//!     sgd.set_learning_rate(schedule.lr_at(epoch))?;
//!     let g = gradient(&w);
//!     sgd.step(&mut w, &g);
//! }
//! assert!((w[0] - 3.0).abs() < 1e-6 && (w[1] + 1.0).abs() < 1e-6);
//! # Ok(())
//! # }
//! ```

/// The chainable `with_*` setters of an optimizer config: `setter(field: type), "doc";`.
/// The values are checked by the config's `build()`.
macro_rules! setters {
    ($config:ident { $($setter:ident($field:ident: $ty:ty), $doc:literal;)* }) => {
        impl $config {
            $(
                #[doc = $doc]
                #[must_use]
                pub fn $setter(mut self, $field: $ty) -> Self {
                    self.$field = $field;
                    self
                }
            )*
        }
    };
}

mod adam;
mod clip;
mod params;
mod rmsprop;
mod schedule;
mod sgd;

pub use adam::{Adam, AdamConfig};
pub use clip::GradientClip;
pub use params::{Coordinate, Name, ParamSlice, Params, Visit, VisitMut, VisitZip};
pub use rmsprop::{Rmsprop, RmspropConfig};
pub use schedule::{ConstantLr, CosineLr, ExponentialLr, LrSchedule, StepLr};
pub use sgd::{Sgd, SgdConfig};

#[doc(hidden)]
pub use params::__derive;

use crate::error::{Error, Result};
use num_traits::Float;

/// Updates parameters of type `P` from their gradient, one step at a time.
///
/// Implementations keep their state (momentum buffers, moment estimates, step counts)
/// between steps, allocated once on the first step. The learning rate is exposed so that a
/// schedule or a trainer can change it between steps.
///
/// A custom optimizer is a few lines; plain gradient descent:
///
/// ```
/// use autodiff_runtime::optim::{Optimizer, Params};
/// use autodiff_runtime::Error;
///
/// struct Descent {
///     lr: f64,
/// }
///
/// impl<P: Params<Scalar = f64>> Optimizer<P> for Descent {
///     fn step(&mut self, params: &mut P, grads: &P) {
///         params.zip_slices_mut(grads, |p, g| {
///             for (p, g) in p.values.iter_mut().zip(g) {
///                 *p -= self.lr * g;
///             }
///         });
///     }
///
///     fn learning_rate(&self) -> f64 {
///         self.lr
///     }
///
///     fn set_learning_rate(&mut self, lr: f64) -> Result<(), Error> {
///         self.lr = lr;
///         Ok(())
///     }
/// }
///
/// let mut w = vec![1.0, -2.0];
/// Descent { lr: 0.5 }.step(&mut w, &vec![2.0, -2.0]);
/// assert_eq!(w, [0.0, -1.0]);
/// ```
pub trait Optimizer<P: Params> {
    /// Updates `params` one step against `grads` (the gradient of the loss at `params`, a
    /// value of the same type).
    ///
    /// # Panics
    ///
    /// If `grads` does not have the shape of `params`, or (for stateful optimizers) if the
    /// shape of `params` changed since the first step.
    fn step(&mut self, params: &mut P, grads: &P);

    /// The learning rate the next step will use.
    fn learning_rate(&self) -> f64;

    /// Sets the learning rate of the next steps (e.g. from a schedule).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] named `"learning_rate"` if `lr` is negative, NaN or
    /// infinite (for the built-in optimizers; 0 is accepted, as the floor of a schedule).
    fn set_learning_rate(&mut self, lr: f64) -> Result<()>;
}

impl<P: Params, O: Optimizer<P> + ?Sized> Optimizer<P> for Box<O> {
    fn step(&mut self, params: &mut P, grads: &P) {
        (**self).step(params, grads);
    }

    fn learning_rate(&self) -> f64 {
        (**self).learning_rate()
    }

    fn set_learning_rate(&mut self, lr: f64) -> Result<()> {
        (**self).set_learning_rate(lr)
    }
}

impl<P: Params, O: Optimizer<P> + ?Sized> Optimizer<P> for &mut O {
    fn step(&mut self, params: &mut P, grads: &P) {
        (**self).step(params, grads);
    }

    fn learning_rate(&self) -> f64 {
        (**self).learning_rate()
    }

    fn set_learning_rate(&mut self, lr: f64) -> Result<()> {
        (**self).set_learning_rate(lr)
    }
}

/// A hyper-parameter in the float type of the parameters.
fn cast<T: Float>(value: f64) -> T {
    match T::from(value) {
        Some(v) => v,
        None => panic!("autodiff: the float type cannot represent the hyper-parameter {value}"),
    }
}

fn invalid(name: &'static str, value: f64, expected: &'static str) -> Error {
    Error::InvalidParameter {
        name,
        value,
        expected,
    }
}

/// `value` if it is finite and > 0.
fn positive(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(invalid(name, value, "a finite number > 0"))
    }
}

/// `value` if it is finite and >= 0.
fn non_negative(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(invalid(name, value, "a finite number >= 0"))
    }
}

/// `value` if it is in [0, 1).
fn unit_interval(name: &'static str, value: f64) -> Result<f64> {
    if (0.0..1.0).contains(&value) {
        Ok(value)
    } else {
        Err(invalid(name, value, "a number in [0, 1)"))
    }
}

/// A learning rate set between steps: finite and >= 0.
fn learning_rate_update(value: f64) -> Result<f64> {
    non_negative("learning_rate", value)
}

/// Walks `params` and `grads` slice by slice together with `K` state buffers of one float per
/// parameter (momentum, moment estimates): calls `f(p, g, [s_0, .., s_K-1])` with the parts of
/// the buffers that belong to the slice.
fn zip_with_state<P: Params, const K: usize>(
    params: &mut P,
    grads: &P,
    states: [&mut [P::Scalar]; K],
    mut f: impl FnMut(&mut [P::Scalar], &[P::Scalar], [&mut [P::Scalar]; K]),
) {
    let mut rest = states;
    params.zip_slices_mut(grads, |p, g| {
        let p = p.values;
        let here = rest.each_mut().map(|s| {
            let (here, tail) = std::mem::take(s).split_at_mut(p.len());
            *s = tail;
            here
        });
        f(p, g, here);
    });
}

/// Optimizer state of one float per parameter, allocated on the first step.
fn ensure_state<T: Float>(state: &mut Vec<T>, len: usize, what: &str) {
    if state.is_empty() {
        *state = vec![T::zero(); len];
    } else if state.len() != len {
        state_mismatch(what, state.len(), len);
    }
}

#[cold]
#[track_caller]
fn state_mismatch(what: &str, state: usize, len: usize) -> ! {
    panic!(
        "autodiff: {what} was built for {state} parameters but is now stepping {len}; \
         use one optimizer per model (or call `reset` after changing its shape)"
    )
}

#[cfg(test)]
mod tests;
