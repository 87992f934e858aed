//! Adam: adaptive moment estimation.

use super::{
    cast, ensure_state, learning_rate_update, non_negative, positive, unit_interval,
    zip_with_state, Optimizer, Params,
};
use crate::error::Result;
use num_traits::Float;

/// The hyper-parameters of [`Adam`]; [`build`](AdamConfig::build) checks them.
///
/// With gradient `g`, parameter `p` and step number `t = 1, 2, ...`, one step is (Kingma & Ba,
/// "Adam: A Method for Stochastic Optimization", 2015, Algorithm 1, with the L2 weight decay
/// of PyTorch's `torch.optim.Adam`):
///
/// ```text
/// g = g + λ p                               (weight decay, only when λ > 0)
/// m = β1 m + (1 - β1) g                     (m and v start at 0)
/// v = β2 v + (1 - β2) g²
/// p = p - η (m / (1 - β1^t)) / (sqrt(v / (1 - β2^t)) + ε)
/// ```
///
/// Weight decay here is an L2 penalty in the gradient (scaled by Adam's adaptive step like the
/// rest of it). AdamW (Loshchilov & Hutter, "Decoupled Weight Decay Regularization", 2019;
/// PyTorch's `torch.optim.AdamW`) decouples it: [`AdamConfig::adamw`] or
/// [`with_decoupled_weight_decay`](AdamConfig::with_decoupled_weight_decay) shrink the
/// parameter before the step, `p = p - η λ p`, and the gradient stays as it is.
///
/// ```
/// use autodiff_runtime::optim::{AdamConfig, Optimizer};
///
/// # fn main() -> Result<(), autodiff_runtime::Error> {
/// let mut adam = AdamConfig::new().with_learning_rate(0.1).build()?;
/// let mut w = [1.0f64, 1.0];
/// // The first step moves every coordinate by about the learning rate, whatever the scale of
/// // its gradient.
/// adam.step(&mut w, &[1000.0, -0.001]);
/// assert!((w[0] - 0.9).abs() < 1e-6 && (w[1] - 1.1).abs() < 1e-4);
///
/// let err = AdamConfig::new().with_epsilon(0.0).build::<f64>().unwrap_err();
/// assert_eq!(err.to_string(), "invalid epsilon: 0 (expected a finite number > 0)");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct AdamConfig {
    /// Step size `η`: a finite number > 0. Default 0.001.
    pub learning_rate: f64,
    /// Decay `β1` of the first-moment estimate, in [0, 1). Default 0.9.
    pub beta1: f64,
    /// Decay `β2` of the second-moment estimate, in [0, 1). Default 0.999.
    pub beta2: f64,
    /// `ε` added to the denominator: a finite number > 0. Default 1e-8.
    pub epsilon: f64,
    /// Weight decay `λ >= 0`: added to the gradient as `λ p`, or with `decoupled` applied to
    /// the parameter as `p - η λ p` (AdamW). Default 0.
    pub weight_decay: f64,
    /// AdamW's decoupled weight decay instead of an L2 penalty in the gradient. Default
    /// `false`.
    pub decoupled: bool,
}

impl Default for AdamConfig {
    fn default() -> Self {
        AdamConfig {
            learning_rate: 0.001,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            weight_decay: 0.0,
            decoupled: false,
        }
    }
}

setters!(AdamConfig {
    with_learning_rate(learning_rate: f64), "Sets the learning rate.";
    with_beta1(beta1: f64), "Sets `β1`.";
    with_beta2(beta2: f64), "Sets `β2`.";
    with_epsilon(epsilon: f64), "Sets `ε`.";
});

impl AdamConfig {
    /// The default configuration: learning rate 0.001, betas (0.9, 0.999), epsilon 1e-8, no
    /// weight decay.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the weight decay `λ`, of the kind the configuration has: an L2 penalty in the
    /// gradient for [`AdamConfig::new`] (Adam), decoupled for [`AdamConfig::adamw`] (AdamW).
    ///
    /// ```
    /// use autodiff_runtime::optim::AdamConfig;
    ///
    /// assert!(!AdamConfig::new().with_weight_decay(0.1).decoupled);
    /// assert!(AdamConfig::adamw().with_weight_decay(0.1).decoupled);
    /// ```
    #[must_use]
    pub fn with_weight_decay(mut self, weight_decay: f64) -> Self {
        self.weight_decay = weight_decay;
        self
    }

    /// Sets the weight decay as AdamW's decoupled decay of the parameters (`Adam` with it is
    /// AdamW).
    #[must_use]
    pub fn with_decoupled_weight_decay(mut self, weight_decay: f64) -> Self {
        self.weight_decay = weight_decay;
        self.decoupled = true;
        self
    }

    /// AdamW with PyTorch's defaults: learning rate 0.001, betas (0.9, 0.999), epsilon 1e-8,
    /// decoupled weight decay 0.01.
    ///
    /// ```
    /// use autodiff_runtime::optim::{AdamConfig, Optimizer};
    ///
    /// # fn main() -> Result<(), autodiff_runtime::Error> {
    /// // with a zero gradient the Adam step is 0: AdamW only shrinks the weights by η λ
    /// let mut adamw = AdamConfig::adamw().with_learning_rate(0.1).build()?;
    /// let mut w = [2.0f64];
    /// adamw.step(&mut w, &[0.0]);
    /// assert_eq!(w[0], 2.0 * (1.0 - 0.1 * 0.01));
    /// # Ok(())
    /// # }
    /// ```
    pub fn adamw() -> Self {
        Self::new().with_decoupled_weight_decay(0.01)
    }

    /// Checks the hyper-parameters and builds the optimizer, for parameters of float type `T`
    /// (usually inferred from the first [`step`](Optimizer::step)).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`](crate::Error::InvalidParameter) naming the first bad
    /// hyper-parameter: `learning_rate` NaN, infinite or <= 0; `beta1` or `beta2` outside
    /// [0, 1); `epsilon` NaN, infinite or <= 0; `weight_decay` NaN, infinite or < 0.
    pub fn build<T: Float>(&self) -> Result<Adam<T>> {
        positive("learning_rate", self.learning_rate)?;
        unit_interval("beta1", self.beta1)?;
        unit_interval("beta2", self.beta2)?;
        positive("epsilon", self.epsilon)?;
        non_negative("weight_decay", self.weight_decay)?;
        Ok(Adam {
            config: self.clone(),
            steps: 0,
            beta1_power: 1.0,
            beta2_power: 1.0,
            m: Vec::new(),
            v: Vec::new(),
        })
    }
}

/// The Adam optimizer.
///
/// Built by [`AdamConfig::build`], which documents the update. The two moment estimates (one
/// `T` each per parameter) are allocated on the first step and reused afterwards.
#[derive(Clone, Debug)]
pub struct Adam<T> {
    config: AdamConfig,
    steps: u64,
    /// `β1^t` and `β2^t`, kept as running products (no `powi` overflow for long runs).
    beta1_power: f64,
    beta2_power: f64,
    m: Vec<T>,
    v: Vec<T>,
}

impl<T: Float> Adam<T> {
    /// The hyper-parameters in use (the learning rate as last set).
    pub fn config(&self) -> &AdamConfig {
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

    /// The number of steps taken since the optimizer was built or reset.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Forgets the moment estimates and the step count: the next step is a first step again.
    pub fn reset(&mut self) {
        self.steps = 0;
        self.beta1_power = 1.0;
        self.beta2_power = 1.0;
        self.m.clear();
        self.v.clear();
    }
}

impl<P: Params> Optimizer<P> for Adam<P::Scalar> {
    fn step(&mut self, params: &mut P, grads: &P) {
        let n = params.num_scalars();
        ensure_state(&mut self.m, n, "Adam");
        ensure_state(&mut self.v, n, "Adam");
        self.steps += 1;
        self.beta1_power *= self.config.beta1;
        self.beta2_power *= self.config.beta2;

        let c = &self.config;
        let b1: P::Scalar = cast(c.beta1);
        let b2: P::Scalar = cast(c.beta2);
        // 1 - β in f64: in f32, 1 - 0.999f32 is off by 1e-5 relative.
        let one_minus_b1: P::Scalar = cast(1.0 - c.beta1);
        let one_minus_b2: P::Scalar = cast(1.0 - c.beta2);
        let eps: P::Scalar = cast(c.epsilon);
        let wd: P::Scalar = cast(c.weight_decay);
        let decay = c.weight_decay > 0.0;
        // η / (1 - β1^t) folded into one factor; sqrt(v / (1 - β2^t)) = sqrt(v) / sqrt(1 - β2^t).
        let step_size: P::Scalar = cast(c.learning_rate / (1.0 - self.beta1_power));
        let inv_sqrt_correction2: P::Scalar = cast(1.0 / (1.0 - self.beta2_power).sqrt());

        // AdamW shrinks the parameter by η λ before the Adam step, outside the moments
        let shrink: P::Scalar = cast(1.0 - c.learning_rate * c.weight_decay);
        let (coupled, decoupled) = (decay && !c.decoupled, decay && c.decoupled);
        zip_with_state(params, grads, [&mut self.m, &mut self.v], |p, g, [m, v]| {
            for (((p, &g), m), v) in p.iter_mut().zip(g).zip(m).zip(v) {
                if decoupled {
                    *p = *p * shrink;
                }
                let g = if coupled { g + wd * *p } else { g };
                *m = b1 * *m + one_minus_b1 * g;
                *v = b2 * *v + one_minus_b2 * g * g;
                *p = *p - step_size * *m / (v.sqrt() * inv_sqrt_correction2 + eps);
            }
        });
    }

    fn learning_rate(&self) -> f64 {
        Adam::learning_rate(self)
    }

    fn set_learning_rate(&mut self, lr: f64) -> Result<()> {
        Adam::set_learning_rate(self, lr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * (1.0 + b.abs())
    }

    fn rejected(config: AdamConfig) -> (&'static str, f64) {
        match config.build::<f64>() {
            Err(Error::InvalidParameter { name, value, .. }) => (name, value),
            other => panic!("expected InvalidParameter, got {other:?}"),
        }
    }

    #[test]
    fn first_two_steps_match_the_formula() {
        // lr 0.1, beta1 0.9, beta2 0.999, eps 1e-8, p = 1; gradients 2 then -1.
        // t = 1: m = 0.2, v = 0.004, m^ = 0.2 / 0.1 = 2, v^ = 0.004 / 0.001 = 4
        //        p = 1 - 0.1 * 2 / (2 + 1e-8)
        // t = 2: m = 0.18 - 0.1 = 0.08, v = 0.003996 + 0.001 = 0.004996
        //        m^ = 0.08 / 0.19, v^ = 0.004996 / 0.001999
        let mut adam = AdamConfig::new().with_learning_rate(0.1).build().unwrap();
        let mut w = [1.0];
        adam.step(&mut w, &[2.0]);
        let p1 = 1.0 - 0.1 * 2.0 / (2.0 + 1e-8);
        assert!(close(w[0], p1), "{} vs {p1}", w[0]);
        adam.step(&mut w, &[-1.0]);
        let p2 = p1 - 0.1 * (0.08 / 0.19) / ((0.004996f64 / 0.001999).sqrt() + 1e-8);
        assert!(close(w[0], p2), "{} vs {p2}", w[0]);
        // Numerically: 0.9 - 0.1 * 0.42105 / 1.58090 = 0.87337 (approximately).
        assert!((w[0] - 0.87337).abs() < 1e-5);
        assert_eq!(adam.steps(), 2);
    }

    #[test]
    fn weight_decay_is_added_to_the_gradient() {
        // lr 0.1, beta1 0.5, beta2 0.5, eps 1, lambda 2, p = 3, g = -4: g' = -4 + 6 = 2
        // m = 1, v = 2, m^ = 2, v^ = 4, p = 3 - 0.1 * 2 / (2 + 1) = 3 - 1/15
        let mut adam = AdamConfig::new()
            .with_learning_rate(0.1)
            .with_beta1(0.5)
            .with_beta2(0.5)
            .with_epsilon(1.0)
            .with_weight_decay(2.0)
            .build()
            .unwrap();
        let mut w = vec![3.0];
        adam.step(&mut w, &vec![-4.0]);
        assert!(close(w[0], 3.0 - 1.0 / 15.0), "{}", w[0]);
    }

    #[test]
    fn zero_betas_are_sign_descent() {
        // beta1 = beta2 = 0: m = g, v = g², no bias correction; the step is lr * g / (|g| + eps).
        let mut adam = AdamConfig::new()
            .with_learning_rate(0.5)
            .with_beta1(0.0)
            .with_beta2(0.0)
            .with_epsilon(1.0)
            .build()
            .unwrap();
        let mut w = [0.0, 0.0];
        adam.step(&mut w, &[3.0, -1.0]);
        assert!(close(w[0], -0.375) && close(w[1], 0.25), "{w:?}");
    }

    #[test]
    fn reset_restarts_bias_correction() {
        let mut adam = AdamConfig::new().with_learning_rate(0.1).build().unwrap();
        let mut a = [1.0];
        adam.step(&mut a, &[5.0]);
        adam.step(&mut a, &[5.0]);
        adam.reset();
        let mut b = [1.0];
        adam.step(&mut b, &[2.0]);
        assert!(close(b[0], 1.0 - 0.1 * 2.0 / (2.0 + 1e-8)), "{}", b[0]);
        assert_eq!(adam.steps(), 1);
    }

    #[test]
    fn f32_parameters() {
        let mut adam = AdamConfig::new().with_learning_rate(0.25).build().unwrap();
        let mut w = [1.0f32];
        adam.step(&mut w, &[4.0]);
        assert!((w[0] - 0.75).abs() < 1e-6, "{}", w[0]);
    }

    #[test]
    #[should_panic(expected = "Adam was built for 2 parameters but is now stepping 1")]
    fn changed_shape_panics() {
        let mut adam = AdamConfig::new().build().unwrap();
        adam.step(&mut vec![0.0, 0.0], &vec![1.0, 1.0]);
        adam.step(&mut vec![0.0], &vec![1.0]);
    }

    #[test]
    fn invalid_configs_name_the_parameter() {
        let lr = |v| AdamConfig::new().with_learning_rate(v);
        assert_eq!(rejected(lr(0.0)), ("learning_rate", 0.0));
        assert!(matches!(rejected(lr(f64::NAN)), ("learning_rate", v) if v.is_nan()));

        let b1 = |v| AdamConfig::new().with_beta1(v);
        assert_eq!(rejected(b1(1.0)), ("beta1", 1.0));
        assert_eq!(rejected(b1(-0.1)), ("beta1", -0.1));
        assert!(matches!(rejected(b1(f64::NAN)), ("beta1", v) if v.is_nan()));

        let b2 = |v| AdamConfig::new().with_beta2(v);
        assert_eq!(rejected(b2(1.0)), ("beta2", 1.0));
        assert_eq!(rejected(b2(1.5)), ("beta2", 1.5));

        let eps = |v| AdamConfig::new().with_epsilon(v);
        assert_eq!(rejected(eps(0.0)), ("epsilon", 0.0));
        assert_eq!(rejected(eps(-1e-8)), ("epsilon", -1e-8));
        assert!(matches!(rejected(eps(f64::NAN)), ("epsilon", v) if v.is_nan()));

        let wd = |v| AdamConfig::new().with_weight_decay(v);
        assert_eq!(rejected(wd(-0.01)), ("weight_decay", -0.01));
        assert_eq!(rejected(wd(f64::INFINITY)), ("weight_decay", f64::INFINITY));

        assert!(AdamConfig::new()
            .with_beta1(0.0)
            .with_beta2(0.0)
            .build::<f64>()
            .is_ok());
    }

    #[test]
    fn set_learning_rate_validates() {
        let mut adam = AdamConfig::new().build::<f64>().unwrap();
        assert!(matches!(
            adam.set_learning_rate(f64::INFINITY),
            Err(Error::InvalidParameter {
                name: "learning_rate",
                ..
            })
        ));
        adam.set_learning_rate(0.0).unwrap();
        assert_eq!(Optimizer::<Vec<f64>>::learning_rate(&adam), 0.0);
        let mut w = vec![1.0];
        adam.step(&mut w, &vec![1.0]);
        assert_eq!(w, [1.0]);
    }
}
