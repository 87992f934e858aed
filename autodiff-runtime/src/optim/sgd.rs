//! Stochastic gradient descent with momentum, Nesterov momentum and weight decay.

use super::{
    cast, ensure_state, invalid, learning_rate_update, non_negative, positive, unit_interval,
    zip_with_state, Optimizer, Params,
};
use crate::error::Result;
use num_traits::Float;

/// The hyper-parameters of [`Sgd`]; [`build`](SgdConfig::build) checks them.
///
/// With gradient `g`, parameter `p`, learning rate `η`, momentum `μ` and weight decay `λ`, one
/// step is (the formulation of PyTorch's `torch.optim.SGD`, without dampening):
///
/// ```text
/// d = g + λ p                      (weight decay: an L2 penalty λ/2 |p|² added to the loss)
/// v = μ v + d                      (momentum; v starts at 0, so the first v is d)
/// d = d + μ v   if Nesterov, else  d = v          (only when μ > 0)
/// p = p - η d
/// ```
///
/// ```
/// use autodiff_runtime::optim::{Optimizer, SgdConfig};
///
/// # fn main() -> Result<(), autodiff_runtime::Error> {
/// let mut sgd = SgdConfig::new()
///     .with_learning_rate(0.1)
///     .with_momentum(0.9)
///     .with_nesterov(true)
///     .with_weight_decay(1e-4)
///     .build()?;
/// let mut w = vec![1.0, 2.0];
/// sgd.step(&mut w, &vec![0.5, -0.5]);
/// assert!(w[0] < 1.0 && w[1] > 2.0);
///
/// let err = SgdConfig::new().with_momentum(1.0).build::<f64>().unwrap_err();
/// assert_eq!(err.to_string(), "invalid momentum: 1 (expected a number in [0, 1))");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SgdConfig {
    /// Step size `η`: a finite number > 0. Default 0.01.
    pub learning_rate: f64,
    /// Momentum `μ` in [0, 1); 0 is plain SGD. Default 0.
    pub momentum: f64,
    /// Nesterov momentum (needs `momentum > 0`). Default `false`.
    pub nesterov: bool,
    /// L2 weight decay `λ >= 0`, added to the gradient as `λ p`. Default 0.
    pub weight_decay: f64,
}

impl Default for SgdConfig {
    fn default() -> Self {
        SgdConfig {
            learning_rate: 0.01,
            momentum: 0.0,
            nesterov: false,
            weight_decay: 0.0,
        }
    }
}

setters!(SgdConfig {
    with_learning_rate(learning_rate: f64), "Sets the learning rate.";
    with_momentum(momentum: f64), "Sets the momentum.";
    with_nesterov(nesterov: bool), "Turns Nesterov momentum on or off.";
    with_weight_decay(weight_decay: f64), "Sets the weight decay.";
});

impl SgdConfig {
    /// The default configuration: learning rate 0.01, no momentum, no weight decay.
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks the hyper-parameters and builds the optimizer, for parameters of float type `T`
    /// (usually inferred from the first [`step`](Optimizer::step)).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`](crate::Error::InvalidParameter) naming the first bad
    /// hyper-parameter: `learning_rate` NaN, infinite or <= 0; `momentum` outside [0, 1);
    /// `momentum` = 0 with Nesterov on; `weight_decay` NaN, infinite or < 0.
    pub fn build<T: Float>(&self) -> Result<Sgd<T>> {
        positive("learning_rate", self.learning_rate)?;
        unit_interval("momentum", self.momentum)?;
        if self.nesterov && self.momentum == 0.0 {
            return Err(invalid(
                "momentum",
                self.momentum,
                "a number in (0, 1) when Nesterov momentum is on",
            ));
        }
        non_negative("weight_decay", self.weight_decay)?;
        Ok(Sgd {
            config: self.clone(),
            velocity: Vec::new(),
        })
    }
}

/// Stochastic gradient descent with optional momentum, Nesterov momentum and weight decay.
///
/// Built by [`SgdConfig::build`], which documents the update. The momentum buffer (one `T` per
/// parameter) is allocated on the first step and reused afterwards.
#[derive(Clone, Debug)]
pub struct Sgd<T> {
    config: SgdConfig,
    velocity: Vec<T>,
}

impl<T: Float> Sgd<T> {
    /// The hyper-parameters in use (the learning rate as last set).
    pub fn config(&self) -> &SgdConfig {
        &self.config
    }

    /// The learning rate the next step will use.
    pub fn learning_rate(&self) -> f64 {
        self.config.learning_rate
    }

    /// Sets the learning rate of the next steps (e.g. from a schedule).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`](crate::Error::InvalidParameter) named `"learning_rate"`
    /// if `lr` is negative, NaN or infinite (0 is accepted, as the floor of a schedule).
    pub fn set_learning_rate(&mut self, lr: f64) -> Result<()> {
        self.config.learning_rate = learning_rate_update(lr)?;
        Ok(())
    }

    /// Forgets the momentum: the next step starts from zero velocity, as the first did.
    pub fn reset(&mut self) {
        self.velocity.clear();
    }
}

impl<P: Params> Optimizer<P> for Sgd<P::Scalar> {
    fn step(&mut self, params: &mut P, grads: &P) {
        let lr: P::Scalar = cast(self.config.learning_rate);
        let mu: P::Scalar = cast(self.config.momentum);
        let wd: P::Scalar = cast(self.config.weight_decay);
        let decay = self.config.weight_decay > 0.0;
        let nesterov = self.config.nesterov;

        if self.config.momentum == 0.0 {
            params.zip_slices_mut(grads, |p, g| {
                for (p, &g) in p.values.iter_mut().zip(g) {
                    let d = if decay { g + wd * *p } else { g };
                    *p = *p - lr * d;
                }
            });
            return;
        }

        ensure_state(&mut self.velocity, params.num_scalars(), "SGD momentum");
        zip_with_state(params, grads, [&mut self.velocity], |p, g, [v]| {
            for ((p, &g), v) in p.iter_mut().zip(g).zip(v) {
                let d = if decay { g + wd * *p } else { g };
                *v = mu * *v + d;
                let d = if nesterov { d + mu * *v } else { *v };
                *p = *p - lr * d;
            }
        });
    }

    fn learning_rate(&self) -> f64 {
        Sgd::learning_rate(self)
    }

    fn set_learning_rate(&mut self, lr: f64) -> Result<()> {
        Sgd::set_learning_rate(self, lr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * (1.0 + b.abs())
    }

    fn rejected(config: SgdConfig) -> (&'static str, f64) {
        match config.build::<f64>() {
            Err(Error::InvalidParameter { name, value, .. }) => (name, value),
            other => panic!("expected InvalidParameter, got {other:?}"),
        }
    }

    #[test]
    fn plain_step_is_p_minus_lr_g() {
        let mut sgd = SgdConfig::new().with_learning_rate(0.5).build().unwrap();
        let mut w = vec![1.0, -1.0, 0.25];
        sgd.step(&mut w, &vec![2.0, 4.0, 0.0]);
        assert_eq!(w, [0.0, -3.0, 0.25]);
    }

    #[test]
    fn momentum_two_steps_by_hand() {
        // lr 0.1, mu 0.9, constant gradient 2 from p = 1:
        // v1 = 2,             p1 = 1 - 0.1 * 2 = 0.8
        // v2 = 0.9 * 2 + 2 = 3.8,  p2 = 0.8 - 0.1 * 3.8 = 0.42
        let mut sgd = SgdConfig::new()
            .with_learning_rate(0.1)
            .with_momentum(0.9)
            .build()
            .unwrap();
        let mut w = [1.0];
        sgd.step(&mut w, &[2.0]);
        assert!(close(w[0], 0.8), "{}", w[0]);
        sgd.step(&mut w, &[2.0]);
        assert!(close(w[0], 0.42), "{}", w[0]);
    }

    #[test]
    fn nesterov_two_steps_by_hand() {
        // lr 0.1, mu 0.9, constant gradient 2 from p = 1:
        // v1 = 2,   d1 = 2 + 0.9 * 2 = 3.8,      p1 = 1 - 0.38 = 0.62
        // v2 = 3.8, d2 = 2 + 0.9 * 3.8 = 5.42,   p2 = 0.62 - 0.542 = 0.078
        let mut sgd = SgdConfig::new()
            .with_learning_rate(0.1)
            .with_momentum(0.9)
            .with_nesterov(true)
            .build()
            .unwrap();
        let mut w = [1.0];
        sgd.step(&mut w, &[2.0]);
        assert!(close(w[0], 0.62), "{}", w[0]);
        sgd.step(&mut w, &[2.0]);
        assert!(close(w[0], 0.078), "{}", w[0]);
    }

    #[test]
    fn weight_decay_adds_lambda_p_to_the_gradient() {
        // lr 0.1, lambda 0.5, p = [1, -4], g = [2, 0]:
        // d = [2 + 0.5, 0 - 2] = [2.5, -2],  p = [1 - 0.25, -4 + 0.2] = [0.75, -3.8]
        let mut sgd = SgdConfig::new()
            .with_learning_rate(0.1)
            .with_weight_decay(0.5)
            .build()
            .unwrap();
        let mut w = [1.0, -4.0];
        sgd.step(&mut w, &[2.0, 0.0]);
        assert!(close(w[0], 0.75) && close(w[1], -3.8), "{w:?}");
    }

    #[test]
    fn weight_decay_enters_the_momentum_buffer() {
        // lr 0.1, mu 0.5, lambda 1, g = 0 from p = 1:
        // d1 = 1, v1 = 1, p1 = 0.9;  d2 = 0.9, v2 = 0.5 + 0.9 = 1.4, p2 = 0.9 - 0.14 = 0.76
        let mut sgd = SgdConfig::new()
            .with_learning_rate(0.1)
            .with_momentum(0.5)
            .with_weight_decay(1.0)
            .build()
            .unwrap();
        let mut w = [1.0];
        sgd.step(&mut w, &[0.0]);
        sgd.step(&mut w, &[0.0]);
        assert!(close(w[0], 0.76), "{}", w[0]);
    }

    #[test]
    fn momentum_is_per_coordinate_across_slices() {
        #[derive(Clone, Default, crate::Params)]
        struct M {
            a: [f64; 2],
            b: f64,
        }
        // lr 1, mu 0.5; step 1 gradient [1, 2 | 3], step 2 gradient 0:
        // v1 = g1, p1 = -g1; v2 = 0.5 g1, p2 = -1.5 g1
        let mut sgd = SgdConfig::new()
            .with_learning_rate(1.0)
            .with_momentum(0.5)
            .build()
            .unwrap();
        let mut m = M::default();
        sgd.step(
            &mut m,
            &M {
                a: [1.0, 2.0],
                b: 3.0,
            },
        );
        sgd.step(&mut m, &M::default());
        assert_eq!(m.a, [-1.5, -3.0]);
        assert_eq!(m.b, -4.5);
    }

    #[test]
    fn reset_forgets_the_velocity() {
        let mut sgd = SgdConfig::new()
            .with_learning_rate(1.0)
            .with_momentum(0.5)
            .build()
            .unwrap();
        let mut w = vec![0.0];
        sgd.step(&mut w, &vec![1.0]);
        sgd.reset();
        sgd.step(&mut w, &vec![0.0]);
        assert_eq!(w, [-1.0]);
        // After a reset a different shape is fine.
        let mut w3 = vec![0.0; 3];
        sgd.reset();
        sgd.step(&mut w3, &vec![1.0; 3]);
        assert_eq!(w3, [-1.0; 3]);
    }

    #[test]
    #[should_panic(expected = "SGD momentum was built for 1 parameters but is now stepping 2")]
    fn changed_shape_panics() {
        let mut sgd = SgdConfig::new().with_momentum(0.5).build().unwrap();
        sgd.step(&mut vec![0.0], &vec![1.0]);
        sgd.step(&mut vec![0.0, 0.0], &vec![1.0, 1.0]);
    }

    #[test]
    fn f32_parameters() {
        let mut sgd = SgdConfig::new().with_learning_rate(0.5).build().unwrap();
        let mut w = [1.0f32, 2.0];
        sgd.step(&mut w, &[1.0, -2.0]);
        assert_eq!(w, [0.5, 3.0]);
    }

    #[test]
    fn invalid_configs_name_the_parameter() {
        let lr = |v| SgdConfig::new().with_learning_rate(v);
        assert_eq!(rejected(lr(0.0)), ("learning_rate", 0.0));
        assert_eq!(rejected(lr(-0.1)), ("learning_rate", -0.1));
        assert_eq!(
            rejected(lr(f64::INFINITY)),
            ("learning_rate", f64::INFINITY)
        );
        assert!(matches!(rejected(lr(f64::NAN)), ("learning_rate", v) if v.is_nan()));

        let mu = |v| SgdConfig::new().with_momentum(v);
        assert_eq!(rejected(mu(1.0)), ("momentum", 1.0));
        assert_eq!(rejected(mu(-0.5)), ("momentum", -0.5));
        assert!(matches!(rejected(mu(f64::NAN)), ("momentum", v) if v.is_nan()));
        assert_eq!(
            rejected(SgdConfig::new().with_nesterov(true)),
            ("momentum", 0.0)
        );

        let wd = |v| SgdConfig::new().with_weight_decay(v);
        assert_eq!(rejected(wd(-1e-3)), ("weight_decay", -1e-3));
        assert!(matches!(rejected(wd(f64::NAN)), ("weight_decay", v) if v.is_nan()));

        assert!(SgdConfig::new()
            .with_momentum(0.0)
            .with_weight_decay(0.0)
            .build::<f64>()
            .is_ok());
    }

    #[test]
    fn nesterov_error_message_says_why() {
        let err = SgdConfig::new()
            .with_nesterov(true)
            .build::<f64>()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid momentum: 0 (expected a number in (0, 1) when Nesterov momentum is on)"
        );
    }

    #[test]
    fn set_learning_rate_validates_and_is_used() {
        let mut sgd = SgdConfig::new().build().unwrap();
        assert!(matches!(
            sgd.set_learning_rate(-1.0),
            Err(Error::InvalidParameter {
                name: "learning_rate",
                ..
            })
        ));
        assert!(sgd.set_learning_rate(f64::NAN).is_err());
        sgd.set_learning_rate(2.0).unwrap();
        assert_eq!(sgd.learning_rate(), 2.0);
        assert_eq!(Optimizer::<Vec<f64>>::learning_rate(&sgd), 2.0);
        let mut w = vec![1.0];
        sgd.step(&mut w, &vec![1.0]);
        assert_eq!(w, [-1.0]);
    }
}
