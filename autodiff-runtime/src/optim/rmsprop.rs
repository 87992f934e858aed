//! RMSprop: gradient steps scaled by a running root mean square of the gradient.

use super::{
    cast, ensure_state, learning_rate_update, non_negative, positive, unit_interval,
    zip_with_state, Optimizer, Params,
};
use crate::error::Result;
use num_traits::Float;

/// The hyper-parameters of [`Rmsprop`]; [`build`](RmspropConfig::build) checks them.
///
/// With gradient `g`, parameter `p`, learning rate `η`, smoothing `α`, momentum `μ` and
/// weight decay `λ`, one step is (Hinton's lecture 6e; the formulation and defaults of
/// PyTorch's `torch.optim.RMSprop`, not centered):
///
/// ```text
/// g = g + λ p                          (weight decay, only when λ > 0)
/// v = α v + (1 - α) g²                 (v starts at 0)
/// b = μ b + g / (sqrt(v) + ε)          (b starts at 0; without momentum the step is
/// p = p - η b                           η g / (sqrt(v) + ε))
/// ```
///
/// ```
/// use autodiff_runtime::optim::{Optimizer, RmspropConfig};
///
/// # fn main() -> Result<(), autodiff_runtime::Error> {
/// let mut rmsprop = RmspropConfig::new().with_learning_rate(0.01).build()?;
/// let mut w = [1.0f64];
/// rmsprop.step(&mut w, &[3.0]);
/// // v = 0.01 * 9, so the step is 0.01 * 3 / (0.3 + 1e-8): about 0.1
/// assert!((w[0] - (1.0 - 0.01 * 3.0 / (0.09f64.sqrt() + 1e-8))).abs() < 1e-12);
///
/// let err = RmspropConfig::new().with_alpha(1.0).build::<f64>().unwrap_err();
/// assert_eq!(err.to_string(), "invalid alpha: 1 (expected a number in [0, 1))");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RmspropConfig {
    /// Step size `η`: a finite number > 0. Default 0.01.
    pub learning_rate: f64,
    /// Smoothing `α` of the mean square, in [0, 1). Default 0.99.
    pub alpha: f64,
    /// `ε` added to the root mean square: a finite number > 0. Default 1e-8.
    pub epsilon: f64,
    /// Momentum `μ` in [0, 1). Default 0.
    pub momentum: f64,
    /// L2 weight decay `λ >= 0`, added to the gradient as `λ p`. Default 0.
    pub weight_decay: f64,
}

impl Default for RmspropConfig {
    fn default() -> Self {
        RmspropConfig {
            learning_rate: 0.01,
            alpha: 0.99,
            epsilon: 1e-8,
            momentum: 0.0,
            weight_decay: 0.0,
        }
    }
}

setters!(RmspropConfig {
    with_learning_rate(learning_rate: f64), "Sets the learning rate.";
    with_alpha(alpha: f64), "Sets `α`.";
    with_epsilon(epsilon: f64), "Sets `ε`.";
    with_momentum(momentum: f64), "Sets the momentum.";
    with_weight_decay(weight_decay: f64), "Sets the weight decay.";
});

impl RmspropConfig {
    /// The default configuration: learning rate 0.01, alpha 0.99, epsilon 1e-8, no momentum,
    /// no weight decay.
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks the hyper-parameters and builds the optimizer, for parameters of float type `T`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`](crate::Error::InvalidParameter) naming the first bad
    /// hyper-parameter: `learning_rate` or `epsilon` NaN, infinite or <= 0; `alpha` or
    /// `momentum` outside [0, 1); `weight_decay` NaN, infinite or < 0.
    pub fn build<T: Float>(&self) -> Result<Rmsprop<T>> {
        positive("learning_rate", self.learning_rate)?;
        unit_interval("alpha", self.alpha)?;
        positive("epsilon", self.epsilon)?;
        unit_interval("momentum", self.momentum)?;
        non_negative("weight_decay", self.weight_decay)?;
        Ok(Rmsprop {
            config: self.clone(),
            square: Vec::new(),
            buffer: Vec::new(),
        })
    }
}

/// The RMSprop optimizer.
///
/// Built by [`RmspropConfig::build`], which documents the update. The mean square and the
/// momentum buffer (one `T` each per parameter) are allocated on the first step.
#[derive(Clone, Debug)]
pub struct Rmsprop<T> {
    config: RmspropConfig,
    square: Vec<T>,
    buffer: Vec<T>,
}

impl<T: Float> Rmsprop<T> {
    /// The hyper-parameters in use (the learning rate as last set).
    pub fn config(&self) -> &RmspropConfig {
        &self.config
    }

    /// Forgets the mean square and the momentum: the next step is a first step again.
    pub fn reset(&mut self) {
        self.square.clear();
        self.buffer.clear();
    }
}

impl<P: Params> Optimizer<P> for Rmsprop<P::Scalar> {
    fn step(&mut self, params: &mut P, grads: &P) {
        let n = params.num_scalars();
        ensure_state(&mut self.square, n, "RMSprop");
        ensure_state(&mut self.buffer, n, "RMSprop");
        let c = &self.config;
        let lr: P::Scalar = cast(c.learning_rate);
        let alpha: P::Scalar = cast(c.alpha);
        let one_minus_alpha: P::Scalar = cast(1.0 - c.alpha);
        let eps: P::Scalar = cast(c.epsilon);
        let mu: P::Scalar = cast(c.momentum);
        let wd: P::Scalar = cast(c.weight_decay);
        let decay = c.weight_decay > 0.0;
        let state = [&mut self.square[..], &mut self.buffer[..]];
        zip_with_state(params, grads, state, |p, g, [v, b]| {
            for (((p, &g), v), b) in p.iter_mut().zip(g).zip(v).zip(b) {
                let g = if decay { g + wd * *p } else { g };
                *v = alpha * *v + one_minus_alpha * g * g;
                *b = mu * *b + g / (v.sqrt() + eps);
                *p = *p - lr * *b;
            }
        });
    }

    fn learning_rate(&self) -> f64 {
        self.config.learning_rate
    }

    fn set_learning_rate(&mut self, lr: f64) -> Result<()> {
        self.config.learning_rate = learning_rate_update(lr)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    #[test]
    fn two_steps_with_momentum_match_the_formula() {
        let (lr, alpha, eps, mu) = (0.1, 0.5, 1e-3, 0.9);
        let mut opt = RmspropConfig::new()
            .with_learning_rate(lr)
            .with_alpha(alpha)
            .with_epsilon(eps)
            .with_momentum(mu)
            .build()
            .unwrap();
        let mut w = [1.0f64];
        let (mut v, mut b, mut p) = (0.0f64, 0.0f64, 1.0f64);
        for g in [2.0, -1.0] {
            v = alpha * v + (1.0 - alpha) * g * g;
            b = mu * b + g / (v.sqrt() + eps);
            p -= lr * b;
            opt.step(&mut w, &[g]);
            assert!((w[0] - p).abs() < 1e-15, "{} vs {p}", w[0]);
        }
    }

    #[test]
    fn weight_decay_and_f32() {
        let mut opt = RmspropConfig::new()
            .with_alpha(0.0)
            .with_weight_decay(1.0)
            .with_learning_rate(0.5)
            .with_epsilon(1.0)
            .build()
            .unwrap();
        // g' = 0 + 1 * 2 = 2, v = 4, step = 0.5 * 2 / (2 + 1)
        let mut w = [2.0f32];
        opt.step(&mut w, &[0.0]);
        assert!((w[0] - (2.0 - 1.0 / 3.0)).abs() < 1e-6, "{}", w[0]);
    }

    #[test]
    fn bad_configs_and_learning_rates_are_errors() {
        let name = |c: RmspropConfig| match c.build::<f64>() {
            Err(Error::InvalidParameter { name, .. }) => name,
            other => panic!("expected an invalid parameter, got {other:?}"),
        };
        assert_eq!(
            name(RmspropConfig::new().with_learning_rate(0.0)),
            "learning_rate"
        );
        assert_eq!(name(RmspropConfig::new().with_alpha(-0.1)), "alpha");
        assert_eq!(name(RmspropConfig::new().with_epsilon(0.0)), "epsilon");
        assert_eq!(name(RmspropConfig::new().with_momentum(1.0)), "momentum");
        assert_eq!(
            name(RmspropConfig::new().with_weight_decay(-1.0)),
            "weight_decay"
        );
        let mut opt = RmspropConfig::new().build::<f64>().unwrap();
        assert!(Optimizer::<Vec<f64>>::set_learning_rate(&mut opt, -1.0).is_err());
    }
}
