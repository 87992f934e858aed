//! Activation functions with hand-written adjoints, and helpers for prediction.
//!
//! Every differentiable function `g` here has a pullback `g_adjoint` with the contract
//! signature: the primal arguments in order, then `d_out`, then one shadow per float-typed
//! argument (a `&mut` accumulator or [`Const`](crate::Const)). The adjoint returns the value
//! of `g` and *adds* `d_out * ∂g/∂p` into each active shadow. A `#[grad]` function that calls
//! `sigmoid(z)` is differentiated through `sigmoid_adjoint`.
//!
//! Each also has a forward mode `g_tangent(args.., t_p..) -> (value, tangent)`, one tangent
//! per float argument ([`Const`](crate::Const) for zero), which a function with
//! `#[grad(modes(tangent))]` calls.
//!
//! All functions are generic over `T: Float` (`f32`, `f64`, ...), allocate nothing and use
//! numerically stable forms: no `exp` of a large positive number is ever taken, so logits of
//! ±1000 give finite values and gradients.
//!
//! Non-smooth points: `relu'(0) = 0`, and `leaky_relu` takes the left branch at 0 (its
//! derivative there is `slope`), so `relu` is `leaky_relu` with slope 0.
//!
//! [`softmax`] and [`argmax`] are for prediction and are not differentiated.

use crate::shadow::{Shadow, SliceShadow};
use crate::tangent::{SliceTangent, Tangent};
use crate::Float;

/// The logistic sigmoid computed from `e = exp(-|x|)`, which is never larger than 1.
#[inline(always)]
fn sigmoid_from_exp<T: Float>(x: T, e: T) -> T {
    if x >= T::zero() {
        T::one() / (T::one() + e)
    } else {
        e / (T::one() + e)
    }
}

/// The logistic sigmoid `σ(x) = 1 / (1 + e^-x)`, computed without overflow for any `x`.
///
/// ```
/// use autodiff_runtime::activation::sigmoid;
///
/// assert_eq!(sigmoid(0.0_f64), 0.5);
/// assert!((sigmoid(2.0_f64) - 0.880797).abs() < 1e-6);
/// assert_eq!(sigmoid(-1000.0_f64), 0.0);
/// ```
#[inline]
pub fn sigmoid<T: Float>(x: T) -> T {
    sigmoid_from_exp(x, (-x.abs()).exp())
}

/// The pullback of [`sigmoid`]: adds `d_out * σ(x) (1 - σ(x))` into `d_x`.
///
/// ```
/// use autodiff_runtime::activation::sigmoid_adjoint;
///
/// let mut d_x = 0.0_f64;
/// let s = sigmoid_adjoint(0.0, 1.0, &mut d_x);
/// assert_eq!(s, 0.5);
/// assert_eq!(d_x, 0.25);
/// ```
#[inline]
pub fn sigmoid_adjoint<T: Float, DX: Shadow<T>>(x: T, d_out: T, mut d_x: DX) -> T {
    let s = sigmoid(x);
    d_x.add(d_out * s * (T::one() - s));
    s
}

/// Forward mode of [`sigmoid`]: `(σ(x), σ(x) (1 - σ(x)) t_x)`.
///
/// ```
/// use autodiff_runtime::activation::sigmoid_tangent;
///
/// assert_eq!(sigmoid_tangent(0.0_f64, 2.0), (0.5, 0.5));
/// ```
#[inline]
pub fn sigmoid_tangent<T: Float, TX: Tangent<T>>(x: T, t_x: TX) -> (T, T) {
    let s = sigmoid(x);
    (s, t_x.get() * s * (T::one() - s))
}

/// The rectified linear unit `max(x, 0)`.
///
/// ```
/// use autodiff_runtime::activation::relu;
///
/// assert_eq!(relu(3.0_f64), 3.0);
/// assert_eq!(relu(-3.0_f64), 0.0);
/// ```
#[inline]
pub fn relu<T: Float>(x: T) -> T {
    if x > T::zero() {
        x
    } else {
        T::zero()
    }
}

/// The pullback of [`relu`]: adds `d_out` into `d_x` where `x > 0`; `relu'(0) = 0`.
///
/// ```
/// use autodiff_runtime::activation::relu_adjoint;
///
/// let mut d_x = 0.0_f64;
/// assert_eq!(relu_adjoint(2.0, 3.0, &mut d_x), 2.0);
/// assert_eq!(d_x, 3.0);
///
/// let mut d_x = 0.0_f64;
/// relu_adjoint(0.0, 3.0, &mut d_x);
/// assert_eq!(d_x, 0.0); // no gradient at the kink
/// ```
#[inline]
pub fn relu_adjoint<T: Float, DX: Shadow<T>>(x: T, d_out: T, mut d_x: DX) -> T {
    if x > T::zero() {
        d_x.add(d_out);
        x
    } else {
        T::zero()
    }
}

/// Forward mode of [`relu`]: the tangent passes where `x > 0`; `relu'(0) = 0`.
///
/// ```
/// use autodiff_runtime::activation::relu_tangent;
///
/// assert_eq!(relu_tangent(2.0_f64, 3.0), (2.0, 3.0));
/// assert_eq!(relu_tangent(0.0_f64, 3.0), (0.0, 0.0));
/// ```
#[inline]
pub fn relu_tangent<T: Float, TX: Tangent<T>>(x: T, t_x: TX) -> (T, T) {
    if x > T::zero() {
        (x, t_x.get())
    } else {
        (T::zero(), T::zero())
    }
}

/// The leaky rectified linear unit: `x` for `x > 0`, `slope * x` otherwise.
///
/// `slope` is an ordinary float argument, so it can be a constant (`0.01`) or a trained
/// parameter (a PReLU).
///
/// ```
/// use autodiff_runtime::activation::leaky_relu;
///
/// assert_eq!(leaky_relu(3.0_f64, 0.1), 3.0);
/// assert!((leaky_relu(-3.0_f64, 0.1) + 0.3).abs() < 1e-15);
/// ```
#[inline]
pub fn leaky_relu<T: Float>(x: T, slope: T) -> T {
    if x > T::zero() {
        x
    } else {
        slope * x
    }
}

/// The pullback of [`leaky_relu`].
///
/// Both partials are computed: `∂/∂x` is 1 for `x > 0` and `slope` otherwise (so at the kink
/// `x = 0` it is `slope`, consistent with `relu'(0) = 0`); `∂/∂slope` is 0 for `x > 0` and `x`
/// otherwise. Pass [`Const`](crate::Const) for `d_slope` when the slope is a fixed constant.
///
/// ```
/// use autodiff_runtime::{activation::leaky_relu_adjoint, Const};
///
/// let mut d_x = 0.0_f64;
/// let y = leaky_relu_adjoint(-2.0, 0.1, 1.0, &mut d_x, Const);
/// assert_eq!(y, -0.2);
/// assert_eq!(d_x, 0.1);
///
/// // a trained slope (PReLU)
/// let mut d_slope = 0.0_f64;
/// leaky_relu_adjoint(-2.0, 0.1, 1.0, Const, &mut d_slope);
/// assert_eq!(d_slope, -2.0);
/// ```
#[inline]
pub fn leaky_relu_adjoint<T: Float, DX: Shadow<T>, DS: Shadow<T>>(
    x: T,
    slope: T,
    d_out: T,
    mut d_x: DX,
    mut d_slope: DS,
) -> T {
    if x > T::zero() {
        d_x.add(d_out);
        x
    } else {
        d_x.add(d_out * slope);
        d_slope.add(d_out * x);
        slope * x
    }
}

/// Forward mode of [`leaky_relu`], with the partials of [`leaky_relu_adjoint`].
///
/// ```
/// use autodiff_runtime::{activation::leaky_relu_tangent, Const};
///
/// assert_eq!(leaky_relu_tangent(-2.0_f64, 0.5, 1.0, Const), (-1.0, 0.5));
/// assert_eq!(leaky_relu_tangent(-2.0_f64, 0.5, Const, 1.0), (-1.0, -2.0));
/// ```
#[inline]
pub fn leaky_relu_tangent<T: Float, TX: Tangent<T>, TS: Tangent<T>>(
    x: T,
    slope: T,
    t_x: TX,
    t_slope: TS,
) -> (T, T) {
    if x > T::zero() {
        (x, t_x.get())
    } else {
        (slope * x, t_x.get() * slope + t_slope.get() * x)
    }
}

/// The softplus `ln(1 + e^x)`, a smooth ReLU, computed as `max(x, 0) + ln(1 + e^-|x|)` so that
/// it neither overflows for large `x` nor loses precision for very negative `x`.
///
/// ```
/// use autodiff_runtime::activation::softplus;
///
/// assert!((softplus(0.0_f64) - 2.0_f64.ln()).abs() < 1e-15);
/// assert_eq!(softplus(1000.0_f64), 1000.0);
/// assert_eq!(softplus(-1000.0_f64), 0.0);
/// ```
#[inline]
pub fn softplus<T: Float>(x: T) -> T {
    x.max(T::zero()) + (-x.abs()).exp().ln_1p()
}

/// The pullback of [`softplus`]: adds `d_out * σ(x)` into `d_x`.
///
/// ```
/// use autodiff_runtime::activation::softplus_adjoint;
///
/// let mut d_x = 0.0_f64;
/// softplus_adjoint(0.0, 2.0, &mut d_x);
/// assert_eq!(d_x, 1.0); // 2 * σ(0)
/// ```
#[inline]
pub fn softplus_adjoint<T: Float, DX: Shadow<T>>(x: T, d_out: T, mut d_x: DX) -> T {
    let e = (-x.abs()).exp();
    d_x.add(d_out * sigmoid_from_exp(x, e));
    x.max(T::zero()) + e.ln_1p()
}

/// Forward mode of [`softplus`]: `(softplus(x), σ(x) t_x)`.
///
/// ```
/// use autodiff_runtime::activation::softplus_tangent;
///
/// assert_eq!(softplus_tangent(0.0_f64, 2.0).1, 1.0);
/// ```
#[inline]
pub fn softplus_tangent<T: Float, TX: Tangent<T>>(x: T, t_x: TX) -> (T, T) {
    let e = (-x.abs()).exp();
    (
        x.max(T::zero()) + e.ln_1p(),
        t_x.get() * sigmoid_from_exp(x, e),
    )
}

/// The hyperbolic tangent as a free function, so that it can be called like the other
/// activations (`tanh(z)`); the method form `z.tanh()` is differentiated by `#[grad]` too.
///
/// ```
/// use autodiff_runtime::activation::tanh;
///
/// assert_eq!(tanh(0.0_f64), 0.0);
/// assert!((tanh(1.0_f64) - 0.761594).abs() < 1e-6);
/// ```
#[inline]
pub fn tanh<T: Float>(x: T) -> T {
    x.tanh()
}

/// The pullback of [`tanh`]: adds `d_out * (1 - tanh²(x))` into `d_x`.
///
/// ```
/// use autodiff_runtime::activation::tanh_adjoint;
///
/// let mut d_x = 0.0_f64;
/// assert_eq!(tanh_adjoint(0.0, 1.0, &mut d_x), 0.0);
/// assert_eq!(d_x, 1.0);
/// ```
#[inline]
pub fn tanh_adjoint<T: Float, DX: Shadow<T>>(x: T, d_out: T, mut d_x: DX) -> T {
    let t = x.tanh();
    d_x.add(d_out * (T::one() - t * t));
    t
}

/// Forward mode of [`tanh`]: `(tanh(x), (1 - tanh²(x)) t_x)`.
///
/// ```
/// use autodiff_runtime::activation::tanh_tangent;
///
/// assert_eq!(tanh_tangent(0.0_f64, 3.0), (0.0, 3.0));
/// ```
#[inline]
pub fn tanh_tangent<T: Float, TX: Tangent<T>>(x: T, t_x: TX) -> (T, T) {
    let t = x.tanh();
    (t, t_x.get() * (T::one() - t * t))
}

/// `(m, Σ e^(x_i - m))` with `m = max x_i`: the max-shifted pieces of `log_sum_exp` and
/// softmax. The sum is in `[1, n]` unless `m` is `-∞` (an empty slice, or every element `-∞`),
/// where it is 0, so that `m + ln(sum)` is `-∞`. `NaN` elements are skipped by the max and make
/// the sum `NaN`.
#[inline(always)]
pub(crate) fn shifted_exp_sum<T: Float>(xs: &[T]) -> (T, T) {
    let m = xs.iter().fold(T::neg_infinity(), |m, &x| m.max(x));
    if m == T::neg_infinity() {
        return (m, T::zero());
    }
    let mut sum = T::zero();
    for &x in xs {
        sum = sum + (x - m).exp();
    }
    (m, sum)
}

/// `ln Σ e^(x_i)`, computed with the max-shift trick `m + ln Σ e^(x_i - m)` (`m = max x_i`), so
/// that no exponential overflows: logits of ±1000 are fine.
///
/// An empty slice (or one whose elements are all `-∞`) gives `-∞`. A `NaN` element gives `NaN`.
///
/// ```
/// use autodiff_runtime::activation::log_sum_exp;
///
/// let lse = log_sum_exp(&[1000.0_f64, 1000.0]);
/// assert!((lse - (1000.0 + 2.0_f64.ln())).abs() < 1e-12);
/// assert_eq!(log_sum_exp::<f64>(&[]), f64::NEG_INFINITY);
/// ```
#[inline]
pub fn log_sum_exp<T: Float>(xs: &[T]) -> T {
    let (m, sum) = shifted_exp_sum(xs);
    m + sum.ln()
}

/// The pullback of [`log_sum_exp`]: its gradient is the softmax, so it adds
/// `d_out * softmax(xs)_i` into element `i` of `d_xs`.
///
/// # Panics
///
/// If `d_xs` is an accumulator whose length differs from `xs.len()`.
///
/// ```
/// use autodiff_runtime::activation::log_sum_exp_adjoint;
///
/// let xs = [0.0_f64, 0.0, 0.0, 0.0];
/// let mut d_xs = [0.0; 4];
/// let lse = log_sum_exp_adjoint(&xs, 1.0, &mut d_xs);
/// assert!((lse - 4.0_f64.ln()).abs() < 1e-15);
/// assert_eq!(d_xs, [0.25; 4]);
/// ```
#[inline]
pub fn log_sum_exp_adjoint<T: Float, DXS: SliceShadow<T>>(xs: &[T], d_out: T, mut d_xs: DXS) -> T {
    d_xs.check_len(xs.len(), "xs");
    let (m, sum) = shifted_exp_sum(xs);
    if DXS::ACTIVE && m != T::neg_infinity() {
        for (i, &x) in xs.iter().enumerate() {
            d_xs.add_at(i, d_out * ((x - m).exp() / sum));
        }
    }
    m + sum.ln()
}

/// Forward mode of [`log_sum_exp`]: the tangent is `Σ softmax(xs)_i t_i`.
///
/// # Panics
///
/// If `t_xs` is a tangent whose length differs from `xs.len()`.
///
/// ```
/// use autodiff_runtime::activation::log_sum_exp_tangent;
///
/// let (_, t) = log_sum_exp_tangent(&[0.0_f64, 0.0], &[1.0, 3.0]);
/// assert_eq!(t, 2.0);
/// ```
#[inline]
pub fn log_sum_exp_tangent<T: Float, TXS: SliceTangent<T>>(xs: &[T], t_xs: TXS) -> (T, T) {
    t_xs.check_len(xs.len(), "xs");
    let (m, sum) = shifted_exp_sum(xs);
    let mut t = T::zero();
    if TXS::ACTIVE && m != T::neg_infinity() {
        for (i, &x) in xs.iter().enumerate() {
            t = t + t_xs.at(i) * ((x - m).exp() / sum);
        }
    }
    (m + sum.ln(), t)
}

/// Writes the softmax `e^(x_i) / Σ_j e^(x_j)` of `xs` into `out` (max-shifted, so large logits
/// do not overflow). For prediction; not differentiated. To train on a softmax, use
/// [`softmax_cross_entropy`](crate::loss::softmax_cross_entropy) or [`log_sum_exp`].
///
/// If every element is `-∞` (or one is `+∞` or `NaN`) the output is `NaN`.
///
/// # Panics
///
/// If `out.len() != xs.len()`.
///
/// ```
/// use autodiff_runtime::activation::softmax;
///
/// let mut p = [0.0_f64; 3];
/// softmax(&[1000.0, 1000.0, -1000.0], &mut p);
/// assert_eq!(p, [0.5, 0.5, 0.0]);
/// ```
#[inline]
pub fn softmax<T: Float>(xs: &[T], out: &mut [T]) {
    assert_eq!(
        xs.len(),
        out.len(),
        "softmax: `out` has {} elements but `xs` has {}",
        out.len(),
        xs.len()
    );
    let m = xs.iter().fold(T::neg_infinity(), |m, &x| m.max(x));
    let mut sum = T::zero();
    for (o, &x) in out.iter_mut().zip(xs) {
        *o = (x - m).exp();
        sum = sum + *o;
    }
    for o in out.iter_mut() {
        *o = *o / sum;
    }
}

/// The index of the largest element: the predicted class of a vector of logits or
/// probabilities. Ties go to the first index; `NaN` elements are skipped (if all are `NaN`,
/// the result is 0). For prediction; not differentiated.
///
/// # Panics
///
/// If `xs` is empty.
///
/// ```
/// use autodiff_runtime::activation::argmax;
///
/// assert_eq!(argmax(&[0.2_f64, 0.5, 0.3]), 1);
/// assert_eq!(argmax(&[1.0_f64, 3.0, 3.0]), 1);
/// ```
#[inline]
pub fn argmax<T: Float>(xs: &[T]) -> usize {
    assert!(!xs.is_empty(), "argmax of an empty slice");
    let mut best = 0;
    for (i, &x) in xs.iter().enumerate().skip(1) {
        if x > xs[best] || (xs[best].is_nan() && !x.is_nan()) {
            best = i;
        }
    }
    best
}

crate::dual::dual_adjoints! {
    sigmoid_dual_adjoint = sigmoid_adjoint(x: crate::Dual<T>; d_x: DX: Shadow);
    relu_dual_adjoint = relu_adjoint(x: crate::Dual<T>; d_x: DX: Shadow);
    leaky_relu_dual_adjoint = leaky_relu_adjoint(x: crate::Dual<T>, slope: crate::Dual<T>; d_x: DX: Shadow, d_slope: DS: Shadow);
    softplus_dual_adjoint = softplus_adjoint(x: crate::Dual<T>; d_x: DX: Shadow);
    tanh_dual_adjoint = tanh_adjoint(x: crate::Dual<T>; d_x: DX: Shadow);
    log_sum_exp_dual_adjoint = log_sum_exp_adjoint(xs: &[crate::Dual<T>]; d_xs: DXS: SliceShadow);
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::Const;

    /// SplitMix64: a small deterministic generator for test inputs.
    pub(crate) struct Rng(u64);

    impl Rng {
        pub(crate) fn new(seed: u64) -> Self {
            Rng(seed)
        }

        fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        /// Uniform in `[lo, hi)`.
        pub(crate) fn range(&mut self, lo: f64, hi: f64) -> f64 {
            let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
            lo + (hi - lo) * u
        }
    }

    /// Central finite difference of `f` at `x`.
    pub(crate) fn central(f: impl Fn(f64) -> f64, x: f64) -> f64 {
        let h = f64::EPSILON.cbrt() * x.abs().max(1.0);
        (f(x + h) - f(x - h)) / (2.0 * h)
    }

    #[track_caller]
    pub(crate) fn assert_close(got: f64, want: f64, tol: f64, what: &str) {
        assert!(
            (got - want).abs() <= tol * (1.0 + want.abs()),
            "{what}: got {got}, want {want}"
        );
    }

    const N: usize = 200;
    const TOL: f64 = 1e-6;

    type Scalar1 = (
        &'static str,
        fn(f64) -> f64,
        fn(f64, f64, &mut f64) -> f64,
        (f64, f64),
    );

    /// One row per one-argument primitive: its value, its adjoint and its domain.
    fn scalar_table() -> Vec<Scalar1> {
        vec![
            (
                "sigmoid",
                sigmoid,
                |x, d, s| sigmoid_adjoint(x, d, s),
                (-30.0, 30.0),
            ),
            ("relu", relu, |x, d, s| relu_adjoint(x, d, s), (-10.0, 10.0)),
            (
                "softplus",
                softplus,
                |x, d, s| softplus_adjoint(x, d, s),
                (-30.0, 30.0),
            ),
            ("tanh", tanh, |x, d, s| tanh_adjoint(x, d, s), (-5.0, 5.0)),
        ]
    }

    #[test]
    fn one_argument_primitives_match_finite_differences() {
        let mut rng = Rng::new(1);
        for (name, f, adj, (lo, hi)) in scalar_table() {
            for _ in 0..N {
                let x = rng.range(lo, hi);
                if name == "relu" && x.abs() < 1e-3 {
                    continue; // the kink
                }
                let d_out = rng.range(-2.0, 2.0);
                let mut d_x = 0.0;
                let y = adj(x, d_out, &mut d_x);
                assert_eq!(y, f(x), "{name}({x}): adjoint value differs from primal");
                assert_close(d_x, d_out * central(f, x), TOL, &format!("{name}'({x})"));
            }
        }
    }

    #[test]
    fn sigmoid_and_tanh_agree_with_their_textbook_forms() {
        let mut rng = Rng::new(2);
        for _ in 0..N {
            let x = rng.range(-20.0, 20.0);
            assert_close(sigmoid(x), 1.0 / (1.0 + (-x).exp()), 1e-14, "sigmoid");
            assert_close(softplus(x), x.exp().ln_1p(), 1e-14, "softplus");
            assert_close(tanh(x), 2.0 * sigmoid(2.0 * x) - 1.0, 1e-12, "tanh");
        }
    }

    #[test]
    fn leaky_relu_matches_finite_differences_in_both_arguments() {
        let mut rng = Rng::new(3);
        for _ in 0..N {
            let x = rng.range(-10.0, 10.0);
            if x.abs() < 1e-3 {
                continue;
            }
            let slope = rng.range(-0.5, 0.5);
            let d_out = rng.range(-2.0, 2.0);
            let (mut d_x, mut d_slope) = (0.0, 0.0);
            let y = leaky_relu_adjoint(x, slope, d_out, &mut d_x, &mut d_slope);
            assert_eq!(y, leaky_relu(x, slope));
            let want_x = central(|x| leaky_relu(x, slope), x);
            let want_slope = central(|s| leaky_relu(x, s), slope);
            assert_close(d_x, d_out * want_x, TOL, "leaky_relu d_x");
            assert_close(d_slope, d_out * want_slope, TOL, "leaky_relu d_slope");
        }
    }

    #[test]
    fn kinks_follow_the_design() {
        let mut d = 0.0;
        assert_eq!(relu_adjoint(0.0, 1.0, &mut d), 0.0);
        assert_eq!(d, 0.0, "relu'(0) = 0");

        let (mut d_x, mut d_s) = (0.0, 0.0);
        assert_eq!(leaky_relu_adjoint(0.0, 0.1, 1.0, &mut d_x, &mut d_s), 0.0);
        assert_eq!(d_x, 0.1, "leaky_relu takes the left branch at 0");
        assert_eq!(d_s, 0.0);

        // relu is leaky_relu with slope 0, kink included
        let mut rng = Rng::new(4);
        for x in (0..N).map(|_| rng.range(-3.0, 3.0)).chain([0.0, -0.0]) {
            let (mut a, mut b) = (0.0, 0.0);
            assert_eq!(
                relu_adjoint(x, 1.0, &mut a),
                leaky_relu_adjoint(x, 0.0, 1.0, &mut b, Const)
            );
            assert_eq!(a, b);
        }
    }

    #[test]
    fn log_sum_exp_matches_finite_differences() {
        let mut rng = Rng::new(5);
        for n in 1..=8 {
            for _ in 0..N / 8 {
                let xs: Vec<f64> = (0..n).map(|_| rng.range(-20.0, 20.0)).collect();
                let d_out = rng.range(-2.0, 2.0);
                let mut d_xs = vec![0.0; n];
                let lse = log_sum_exp_adjoint(&xs, d_out, &mut d_xs);
                let naive: f64 = xs.iter().map(|x| x.exp()).sum::<f64>().ln();
                assert_close(lse, naive, 1e-12, "log_sum_exp value");
                for i in 0..n {
                    let want = central(
                        |v| {
                            let mut ys = xs.clone();
                            ys[i] = v;
                            log_sum_exp(&ys)
                        },
                        xs[i],
                    );
                    assert_close(d_xs[i], d_out * want, TOL, "log_sum_exp d_xs");
                }
            }
        }
    }

    #[test]
    fn adjoints_accumulate_and_scale() {
        let mut rng = Rng::new(6);
        for (name, _, adj, (lo, hi)) in scalar_table() {
            for _ in 0..20 {
                let x = rng.range(lo, hi);
                let mut unit = 0.0;
                adj(x, 1.0, &mut unit);
                let mut acc = 0.25; // a value already there must be kept
                adj(x, 2.0, &mut acc);
                adj(x, -0.5, &mut acc);
                assert_close(acc, 0.25 + 1.5 * unit, 1e-14, name);
            }
        }

        let xs = [0.3, -1.2, 2.0];
        let mut unit = [0.0; 3];
        log_sum_exp_adjoint(&xs, 1.0, &mut unit);
        let mut acc = vec![1.0, 2.0, 3.0];
        log_sum_exp_adjoint(&xs, 3.0, &mut acc);
        log_sum_exp_adjoint(&xs, 1.0, &mut acc[..]);
        for i in 0..3 {
            assert_close(
                acc[i],
                (i + 1) as f64 + 4.0 * unit[i],
                1e-14,
                "log_sum_exp accumulates",
            );
        }

        let (mut dx, mut ds) = (1.0, 1.0);
        leaky_relu_adjoint(-2.0, 0.25, 1.0, &mut dx, &mut ds);
        leaky_relu_adjoint(-2.0, 0.25, 2.0, &mut dx, &mut ds);
        assert_eq!((dx, ds), (1.0 + 3.0 * 0.25, 1.0 - 3.0 * 2.0));
    }

    #[test]
    fn const_shadows_compile_and_give_the_primal() {
        let x = 0.7;
        assert_eq!(sigmoid_adjoint(x, 1.0, Const), sigmoid(x));
        assert_eq!(relu_adjoint(x, 1.0, Const), relu(x));
        assert_eq!(softplus_adjoint(x, 1.0, Const), softplus(x));
        assert_eq!(tanh_adjoint(x, 1.0, Const), tanh(x));
        assert_eq!(
            leaky_relu_adjoint(-x, 0.1, 1.0, Const, Const),
            leaky_relu(-x, 0.1)
        );
        let xs = [1.0, 2.0, 3.0];
        assert_eq!(log_sum_exp_adjoint(&xs, 1.0, Const), log_sum_exp(&xs));

        // Const in one position leaves the other accumulator exact
        let mut d_slope = 0.0;
        leaky_relu_adjoint(-x, 0.1, 1.0, Const, &mut d_slope);
        assert_eq!(d_slope, -x);
        let mut d_x = 0.0;
        leaky_relu_adjoint(-x, 0.1, 1.0, &mut d_x, Const);
        assert_eq!(d_x, 0.1);
    }

    #[test]
    fn every_slice_shadow_kind_works() {
        let xs = [0.0, 0.0];
        let mut arr = [0.0; 2];
        let mut v = vec![0.0; 2];
        let mut s = [0.0; 2];
        log_sum_exp_adjoint(&xs, 1.0, &mut arr);
        log_sum_exp_adjoint(&xs, 1.0, &mut v);
        log_sum_exp_adjoint(&xs, 1.0, &mut s[..]);
        assert_eq!(arr, [0.5, 0.5]);
        assert_eq!(v, [0.5, 0.5]);
        assert_eq!(s, [0.5, 0.5]);
        // an array and a Vec as the primal argument, too
        log_sum_exp_adjoint(&arr, 1.0, Const);
        log_sum_exp_adjoint(&v, 1.0, Const);
    }

    #[test]
    #[should_panic(expected = "the shadow of `xs` has 2 elements but `xs` has 3")]
    fn slice_shadow_of_the_wrong_length_panics() {
        let mut d = [0.0; 2];
        log_sum_exp_adjoint(&[1.0, 2.0, 3.0], 1.0, &mut d);
    }

    #[test]
    fn generic_over_f32() {
        let mut d = 0.0_f32;
        let s = sigmoid_adjoint(0.0_f32, 1.0, &mut d);
        assert_eq!((s, d), (0.5, 0.25));
        let mut d_xs = [0.0_f32; 2];
        let lse = log_sum_exp_adjoint(&[100.0_f32, 100.0], 1.0, &mut d_xs);
        assert!((lse - (100.0 + 2.0_f32.ln())).abs() < 1e-4);
        assert_eq!(d_xs, [0.5, 0.5]);
    }

    #[test]
    fn stable_at_extreme_logits() {
        for x in [-1000.0, 1000.0, -1e300, 1e300, f64::MAX, f64::MIN] {
            for (name, _, adj, _) in scalar_table() {
                let mut d = 0.0;
                let y = adj(x, 1.0, &mut d);
                assert!(
                    y.is_finite() && d.is_finite(),
                    "{name}({x}) = {y}, derivative {d}"
                );
            }
            let (mut dx, mut ds) = (0.0, 0.0);
            let y = leaky_relu_adjoint(x / 2.0, 0.1, 1.0, &mut dx, &mut ds);
            assert!(y.is_finite() && dx.is_finite() && ds.is_finite());
        }
        assert_eq!(sigmoid(1000.0), 1.0);
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert_eq!(softplus(1000.0), 1000.0);
        assert_eq!(softplus(-1000.0), 0.0);
        let mut d = 0.0;
        softplus_adjoint(1000.0, 1.0, &mut d);
        assert_eq!(d, 1.0);

        let xs = [1000.0, -1000.0, 1000.0, 0.0];
        let mut d_xs = [0.0; 4];
        let lse = log_sum_exp_adjoint(&xs, 1.0, &mut d_xs);
        assert_close(lse, 1000.0 + 2.0_f64.ln(), 1e-15, "lse at ±1000");
        assert_eq!(d_xs, [0.5, 0.0, 0.5, 0.0]);

        let xs = [-1000.0, -1001.0];
        let mut d_xs = [0.0; 2];
        let lse = log_sum_exp_adjoint(&xs, 1.0, &mut d_xs);
        let e = (-1.0_f64).exp();
        assert_close(lse, -1000.0 + (1.0 + e).ln(), 1e-15, "lse at -1000");
        assert_close(d_xs[0], 1.0 / (1.0 + e), 1e-15, "softmax at -1000");
        assert_close(d_xs[1], e / (1.0 + e), 1e-15, "softmax at -1000");
    }

    #[test]
    fn log_sum_exp_edge_cases() {
        let mut d: [f64; 0] = [];
        assert_eq!(log_sum_exp_adjoint(&[], 1.0, &mut d), f64::NEG_INFINITY);
        let mut d = [0.0; 2];
        let lse = log_sum_exp_adjoint(&[f64::NEG_INFINITY; 2], 1.0, &mut d);
        assert_eq!((lse, d), (f64::NEG_INFINITY, [0.0, 0.0]));
        // a -inf element gets probability 0, the rest is unaffected
        let lse = log_sum_exp_adjoint(&[f64::NEG_INFINITY, 0.0], 1.0, &mut d);
        assert_eq!((lse, d), (0.0, [0.0, 1.0]));
        // NaN propagates instead of being hidden
        assert!(log_sum_exp(&[1.0, f64::NAN]).is_nan());
    }

    #[test]
    fn lecture_sentiment_neuron() {
        let w = [2.5, -5.0, -1.2, 0.5, 2.0, 0.7];
        let x = [3.0, 2.0, 1.0, 3.0, 0.0, 66.0_f64.ln()];
        let z: f64 = w.iter().zip(&x).map(|(w, x)| w * x).sum::<f64>() + 0.1;
        assert!((z - 0.833).abs() < 1e-3, "z = {z}");
        let mut d_z = 0.0;
        let p = sigmoid_adjoint(z, 1.0, &mut d_z);
        assert!((p - 0.70).abs() < 0.005, "σ(z) = {p}");
        assert_close(d_z, p * (1.0 - p), 1e-15, "σ'(z)");
    }

    #[test]
    fn lecture_sigmoid_neuron() {
        // f(w, x) = σ(w0 x0 + w1 x1 + w2) at w = [2,-3,-3], x = [-1,-2]: f ≈ 0.731,
        // ∂f/∂w ≈ [-0.196, -0.393, 0.197] (chained by hand through sigmoid_adjoint)
        let (w, x) = ([2.0, -3.0, -3.0], [-1.0, -2.0]);
        let z = w[0] * x[0] + w[1] * x[1] + w[2];
        let mut d_z = 0.0;
        let f = sigmoid_adjoint(z, 1.0, &mut d_z);
        assert!((f - 0.731).abs() < 5e-4);
        let d_w = [d_z * x[0], d_z * x[1], d_z];
        for (got, want) in d_w.iter().zip([-0.196, -0.393, 0.197]) {
            assert!((got - want).abs() < 1e-3, "{got} vs {want}");
        }
    }

    #[test]
    fn softmax_and_argmax() {
        let probs = [0.5, 0.3, 0.2];
        let logits: Vec<f64> = probs.iter().map(|p: &f64| p.ln() + 7.0).collect();
        let mut out = [0.0; 3];
        softmax(&logits, &mut out);
        for (o, p) in out.iter().zip(probs) {
            assert_close(*o, p, 1e-15, "softmax recovers the probabilities");
        }
        assert_eq!(argmax(&logits), 0);
        assert_eq!(argmax(&[0.1, 0.2, 0.7]), 2);
        assert_eq!(argmax(&[2.0, 2.0]), 0, "ties go to the first");
        assert_eq!(argmax(&[f64::NAN, 1.0, f64::NAN, 0.5]), 1, "NaN is skipped");
        assert_eq!(argmax(&[f64::NAN, f64::NAN]), 0);

        let mut big = [0.0; 3];
        softmax(&[1000.0, 999.0, -1000.0], &mut big);
        let e = (-1.0_f64).exp();
        assert_close(big[0], 1.0 / (1.0 + e), 1e-15, "softmax at 1000");
        assert_close(big[1], e / (1.0 + e), 1e-15, "softmax at 1000");
        assert_eq!(big[2], 0.0);
    }

    #[test]
    #[should_panic(expected = "`out` has 2 elements but `xs` has 3")]
    fn softmax_checks_lengths() {
        softmax(&[1.0, 2.0, 3.0], &mut [0.0; 2]);
    }

    #[test]
    #[should_panic(expected = "argmax of an empty slice")]
    fn argmax_of_nothing_panics() {
        argmax::<f64>(&[]);
    }
}
