//! Loss functions with hand-written adjoints.
//!
//! Every loss gives the value for **one example**. A mean over a mini-batch of `b` examples is
//! what a trainer gets by calling the adjoint once per example with `d_out = 1/b` into the same
//! accumulators; a sum uses `d_out = 1`.
//!
//! Each loss `g` has a pullback `g_adjoint` with the contract signature: the primal arguments
//! in order, then `d_out`, then one shadow per float-typed argument (a `&mut` accumulator or
//! [`Const`](crate::Const)); it returns the loss and *adds* `d_out * ∂g/∂p` into each active
//! shadow. Targets are floats, so they get shadows too; their partials are computed (they are
//! cheap), but a trainer passes `Const` for them and the work is compiled away.
//!
//! Each loss also has a forward mode `g_tangent(args.., t_p..) -> (loss, tangent)`, one
//! tangent per float argument ([`Const`](crate::Const) for zero), with the partials of its
//! adjoint; a function with `#[grad(modes(tangent))]` calls it.
//!
//! Stability: [`bce`] clamps probabilities to `[PROB_EPS, 1 - PROB_EPS]`, so probabilities of
//! exactly 0 or 1 give a finite loss and gradient. The logit forms ([`bce_with_logits`],
//! [`multilabel_bce_with_logits`], [`softmax_cross_entropy`]) never exponentiate a large
//! positive number and are exact for logits of ±1000; prefer them when training.
//!
//! Non-smooth point: `mae` has derivative 0 where `pred == target` (`abs'(0) = 0`).

use autodiff_macros::grad;

use crate::activation::shifted_exp_sum;
use crate::shadow::{Shadow, SliceShadow};
use crate::tangent::{SliceTangent, Tangent};
use crate::Float;

/// The smallest distance from 0 and 1 that [`bce`] and [`multilabel_bce`] let a probability
/// have: a probability below `PROB_EPS` is treated as `PROB_EPS`, one above `1 - PROB_EPS` as
/// `1 - PROB_EPS`. The loss is then at most `-ln(1e-7) ≈ 16.1` per label and the gradient at
/// most about `1e7` in magnitude.
pub const PROB_EPS: f64 = 1e-7;

/// The squared error `(pred - target)²` of one example (no factor ½: the gradient with respect
/// to `pred` is `2 (pred - target)`). The mean squared error of a batch is the mean of these.
///
/// ```
/// use autodiff_runtime::loss::mse;
///
/// assert_eq!(mse(3.0_f64, 1.0), 4.0);
/// ```
#[inline]
pub fn mse<T: Float>(pred: T, target: T) -> T {
    let r = pred - target;
    r * r
}

/// The pullback of [`mse`]: adds `2 d_out (pred - target)` into `d_pred` and the negative of
/// that into `d_target`.
///
/// ```
/// use autodiff_runtime::{loss::mse_adjoint, Const};
///
/// let mut d_pred = 0.0_f64;
/// assert_eq!(mse_adjoint(3.0, 1.0, 0.5, &mut d_pred, Const), 4.0);
/// assert_eq!(d_pred, 2.0); // 0.5 * 2 * (3 - 1)
/// ```
#[inline]
pub fn mse_adjoint<T: Float, DP: Shadow<T>, DT: Shadow<T>>(
    pred: T,
    target: T,
    d_out: T,
    mut d_pred: DP,
    mut d_target: DT,
) -> T {
    let r = pred - target;
    let g = d_out * (r + r);
    d_pred.add(g);
    d_target.add(-g);
    r * r
}

/// Forward mode of [`mse`].
///
/// ```
/// use autodiff_runtime::{loss::mse_tangent, Const};
///
/// assert_eq!(mse_tangent(3.0_f64, 1.0, 1.0, Const), (4.0, 4.0));
/// ```
#[inline]
pub fn mse_tangent<T: Float, TP: Tangent<T>, TT: Tangent<T>>(
    pred: T,
    target: T,
    t_pred: TP,
    t_target: TT,
) -> (T, T) {
    let r = pred - target;
    (r * r, (r + r) * (t_pred.get() - t_target.get()))
}

/// The absolute error `|pred - target|` of one example.
///
/// ```
/// use autodiff_runtime::loss::mae;
///
/// assert_eq!(mae(1.0_f64, 3.0), 2.0);
/// ```
#[inline]
pub fn mae<T: Float>(pred: T, target: T) -> T {
    (pred - target).abs()
}

/// The pullback of [`mae`]: adds `d_out * sign(pred - target)` into `d_pred` and the negative
/// into `d_target`, with `sign(0) = 0` (no gradient when the prediction is exact).
///
/// ```
/// use autodiff_runtime::{loss::mae_adjoint, Const};
///
/// let mut d_pred = 0.0_f64;
/// mae_adjoint(1.0, 3.0, 1.0, &mut d_pred, Const);
/// assert_eq!(d_pred, -1.0);
///
/// let mut d_pred = 0.0_f64;
/// mae_adjoint(3.0, 3.0, 1.0, &mut d_pred, Const);
/// assert_eq!(d_pred, 0.0); // abs'(0) = 0
/// ```
#[inline]
pub fn mae_adjoint<T: Float, DP: Shadow<T>, DT: Shadow<T>>(
    pred: T,
    target: T,
    d_out: T,
    mut d_pred: DP,
    mut d_target: DT,
) -> T {
    let r = pred - target;
    // not `signum`, which is 1 at +0
    let s = if r > T::zero() {
        d_out
    } else if r < T::zero() {
        -d_out
    } else {
        T::zero()
    };
    d_pred.add(s);
    d_target.add(-s);
    r.abs()
}

/// Forward mode of [`mae`]; the derivative is 0 where `pred == target`.
///
/// ```
/// use autodiff_runtime::{loss::mae_tangent, Const};
///
/// assert_eq!(mae_tangent(1.0_f64, 3.0, 1.0, Const), (2.0, -1.0));
/// ```
#[inline]
pub fn mae_tangent<T: Float, TP: Tangent<T>, TT: Tangent<T>>(
    pred: T,
    target: T,
    t_pred: TP,
    t_target: TT,
) -> (T, T) {
    let r = pred - target;
    let t = t_pred.get() - t_target.get();
    let s = if r > T::zero() {
        t
    } else if r < T::zero() {
        -t
    } else {
        T::zero()
    };
    (r.abs(), s)
}

/// `p` clamped to `[PROB_EPS, 1 - PROB_EPS]`; `NaN` stays `NaN` (a diverging model must not be
/// hidden behind a finite loss).
#[inline(always)]
fn clamp_prob<T: Float>(p: T) -> T {
    let eps = T::from(PROB_EPS).unwrap();
    let hi = T::one() - eps;
    if p < eps {
        eps
    } else if p > hi {
        hi
    } else {
        p
    }
}

/// Value, `∂/∂p` and `∂/∂y` of the binary cross-entropy, all at the clamped probability.
#[inline(always)]
fn bce_parts<T: Float>(p: T, y: T) -> (T, T, T) {
    let p = clamp_prob(p);
    let ln_p = p.ln();
    let ln_q = (-p).ln_1p(); // ln(1 - p)
    let value = -(y * ln_p + (T::one() - y) * ln_q);
    let d_p = (p - y) / (p * (T::one() - p));
    let d_y = ln_q - ln_p;
    (value, d_p, d_y)
}

/// The binary cross-entropy `-(y ln p + (1 - y) ln(1 - p))` of a predicted probability `p` and
/// a target `y` (0 or 1, or a soft label in between).
///
/// `p` is first clamped to `[PROB_EPS, 1 - PROB_EPS]` (see [`PROB_EPS`]), so `p = 0` or `p = 1`
/// gives a finite loss. A `NaN` probability gives `NaN`. When `p` comes out of a sigmoid,
/// [`bce_with_logits`] on the logit is exact where this one has to clamp.
///
/// ```
/// use autodiff_runtime::loss::bce;
///
/// assert!((bce(0.7_f64, 1.0) + 0.7_f64.ln()).abs() < 1e-15);
/// assert!((bce(0.7_f64, 0.0) + 0.3_f64.ln()).abs() < 1e-15);
/// assert!(bce(0.0_f64, 1.0).is_finite());
/// ```
#[inline]
pub fn bce<T: Float>(p: T, y: T) -> T {
    bce_parts(p, y).0
}

/// The pullback of [`bce`]: adds `d_out (p - y) / (p (1 - p))` into `d_p` and
/// `d_out ln((1 - p) / p)` into `d_y`.
///
/// Both are evaluated at the clamped probability: the clamp passes the gradient straight
/// through, so a saturated `p = 0` with `y = 1` still gets a (large, finite) push towards 1
/// instead of none.
///
/// ```
/// use autodiff_runtime::{loss::bce_adjoint, Const};
///
/// let mut d_p = 0.0_f64;
/// bce_adjoint(0.5, 1.0, 1.0, &mut d_p, Const);
/// assert_eq!(d_p, -2.0); // -1 / p
///
/// let mut d_p = 0.0_f64;
/// let loss = bce_adjoint(0.0, 1.0, 1.0, &mut d_p, Const);
/// assert!(loss.is_finite() && d_p.is_finite() && d_p < 0.0);
/// ```
#[inline]
pub fn bce_adjoint<T: Float, DP: Shadow<T>, DY: Shadow<T>>(
    p: T,
    y: T,
    d_out: T,
    mut d_p: DP,
    mut d_y: DY,
) -> T {
    let (value, dp, dy) = bce_parts(p, y);
    d_p.add(d_out * dp);
    d_y.add(d_out * dy);
    value
}

/// Forward mode of [`bce`].
///
/// ```
/// use autodiff_runtime::{loss::bce_tangent, Const};
///
/// let (loss, t) = bce_tangent(0.5_f64, 1.0, 1.0, Const);
/// assert!((loss - 2.0_f64.ln()).abs() < 1e-15);
/// assert!((t + 2.0).abs() < 1e-12);
/// ```
#[inline]
pub fn bce_tangent<T: Float, TP: Tangent<T>, TY: Tangent<T>>(
    p: T,
    y: T,
    t_p: TP,
    t_y: TY,
) -> (T, T) {
    let (value, dp, dy) = bce_parts(p, y);
    (value, dp * t_p.get() + dy * t_y.get())
}

/// Value, `∂/∂z` and `∂/∂y` of the binary cross-entropy on a logit.
#[inline(always)]
fn bce_with_logits_parts<T: Float>(z: T, y: T) -> (T, T, T) {
    let e = (-z.abs()).exp(); // in (0, 1]: never overflows
    let sigma = if z >= T::zero() {
        T::one() / (T::one() + e)
    } else {
        e / (T::one() + e)
    };
    let value = z.max(T::zero()) - z * y + e.ln_1p();
    (value, sigma - y, -z)
}

/// The binary cross-entropy of `σ(z)` against `y`, computed from the logit `z` in the stable
/// form `max(z, 0) - z y + ln(1 + e^-|z|)`: exact (no clamping) and finite for any finite `z`.
///
/// ```
/// use autodiff_runtime::loss::bce_with_logits;
///
/// assert!((bce_with_logits(0.0_f64, 1.0) - 2.0_f64.ln()).abs() < 1e-15);
/// assert_eq!(bce_with_logits(1000.0_f64, 0.0), 1000.0);
/// assert_eq!(bce_with_logits(1000.0_f64, 1.0), 0.0);
/// ```
#[inline]
pub fn bce_with_logits<T: Float>(z: T, y: T) -> T {
    bce_with_logits_parts(z, y).0
}

/// The pullback of [`bce_with_logits`]: adds `d_out (σ(z) - y)` into `d_z` and `-d_out z` into
/// `d_y`.
///
/// ```
/// use autodiff_runtime::{loss::bce_with_logits_adjoint, Const};
///
/// let mut d_z = 0.0_f64;
/// bce_with_logits_adjoint(0.0, 1.0, 1.0, &mut d_z, Const);
/// assert_eq!(d_z, -0.5); // σ(0) - 1
/// ```
#[inline]
pub fn bce_with_logits_adjoint<T: Float, DZ: Shadow<T>, DY: Shadow<T>>(
    z: T,
    y: T,
    d_out: T,
    mut d_z: DZ,
    mut d_y: DY,
) -> T {
    let (value, dz, dy) = bce_with_logits_parts(z, y);
    d_z.add(d_out * dz);
    d_y.add(d_out * dy);
    value
}

/// Forward mode of [`bce_with_logits`].
///
/// ```
/// use autodiff_runtime::{loss::bce_with_logits_tangent, Const};
///
/// let (_, t) = bce_with_logits_tangent(0.0_f64, 1.0, 2.0, Const);
/// assert_eq!(t, -1.0); // (σ(0) - 1) * 2
/// ```
#[inline]
pub fn bce_with_logits_tangent<T: Float, TZ: Tangent<T>, TY: Tangent<T>>(
    z: T,
    y: T,
    t_z: TZ,
    t_y: TY,
) -> (T, T) {
    let (value, dz, dy) = bce_with_logits_parts(z, y);
    (value, dz * t_z.get() + dy * t_y.get())
}

#[track_caller]
fn check_class(class: usize, len: usize) {
    assert!(
        class < len,
        "softmax_cross_entropy: class {class} is out of range for {len} logits"
    );
}

/// The cross-entropy `-ln softmax(logits)[class]` of a multiclass prediction against the index
/// of the true class: `log_sum_exp(logits) - logits[class]`, computed as
/// `(m - logits[class]) + ln Σ e^(logits[i] - m)` with `m` the largest logit, so that nothing
/// overflows and nothing cancels (exact for logits of ±1000).
///
/// # Panics
///
/// If `class >= logits.len()`.
///
/// ```
/// use autodiff_runtime::loss::softmax_cross_entropy;
///
/// // logits ln(ŷ) for ŷ = [0.5, 0.3, 0.2]; the true class is 0
/// let logits = [0.5_f64.ln(), 0.3_f64.ln(), 0.2_f64.ln()];
/// assert!((softmax_cross_entropy(&logits, 0) - 0.693147).abs() < 1e-6);
/// ```
#[inline]
pub fn softmax_cross_entropy<T: Float>(logits: &[T], class: usize) -> T {
    check_class(class, logits.len());
    let (m, sum) = shifted_exp_sum(logits);
    (m - logits[class]) + sum.ln()
}

/// The pullback of [`softmax_cross_entropy`]: adds `d_out (softmax(logits)_i - [i == class])`
/// into element `i` of `d_logits`. The class index is an integer and gets no shadow.
///
/// # Panics
///
/// If `class >= logits.len()`, or if `d_logits` is an accumulator of another length.
///
/// ```
/// use autodiff_runtime::loss::softmax_cross_entropy_adjoint;
///
/// let logits = [0.5_f64.ln(), 0.3_f64.ln(), 0.2_f64.ln()];
/// let mut d_logits = [0.0; 3];
/// softmax_cross_entropy_adjoint(&logits, 0, 1.0, &mut d_logits);
/// // ŷ - one_hot(0)
/// for (g, want) in d_logits.iter().zip([-0.5, 0.3, 0.2]) {
///     assert!((g - want).abs() < 1e-12);
/// }
/// ```
#[inline]
pub fn softmax_cross_entropy_adjoint<T: Float, DL: SliceShadow<T>>(
    logits: &[T],
    class: usize,
    d_out: T,
    mut d_logits: DL,
) -> T {
    check_class(class, logits.len());
    d_logits.check_len(logits.len(), "logits");
    let (m, sum) = shifted_exp_sum(logits);
    if DL::ACTIVE {
        for (i, &x) in logits.iter().enumerate() {
            d_logits.add_at(i, d_out * ((x - m).exp() / sum));
        }
        d_logits.add_at(class, -d_out);
    }
    (m - logits[class]) + sum.ln()
}

/// Forward mode of [`softmax_cross_entropy`]: the tangent is `Σ softmax_i t_i - t_class`.
///
/// # Panics
///
/// If `class` is out of range, or `t_logits` has another length than `logits`.
///
/// ```
/// use autodiff_runtime::loss::softmax_cross_entropy_tangent;
///
/// let (_, t) = softmax_cross_entropy_tangent(&[0.0_f64, 0.0], 0, &[1.0, 0.0]);
/// assert_eq!(t, -0.5);
/// ```
#[inline]
pub fn softmax_cross_entropy_tangent<T: Float, TL: SliceTangent<T>>(
    logits: &[T],
    class: usize,
    t_logits: TL,
) -> (T, T) {
    check_class(class, logits.len());
    t_logits.check_len(logits.len(), "logits");
    let (m, sum) = shifted_exp_sum(logits);
    let mut t = T::zero();
    if TL::ACTIVE {
        for (i, &x) in logits.iter().enumerate() {
            t = t + t_logits.at(i) * ((x - m).exp() / sum);
        }
        t = t - t_logits.at(class);
    }
    ((m - logits[class]) + sum.ln(), t)
}

#[track_caller]
fn check_targets(what: &str, n: usize, targets: usize) {
    assert!(
        n == targets,
        "{what}: {n} predictions but {targets} targets; pass one target per label"
    );
}

/// The multi-label binary cross-entropy: the sum over labels of [`bce`]`(probs[i],
/// targets[i])`, each label an independent yes/no (targets are 0 or 1). Probabilities are
/// clamped as in [`bce`].
///
/// # Panics
///
/// If the slices have different lengths.
///
/// ```
/// use autodiff_runtime::loss::multilabel_bce;
///
/// let loss = multilabel_bce(&[0.5_f64, 0.6, 0.8], &[1.0, 0.0, 1.0]);
/// let want = -(0.5_f64.ln() + 0.4_f64.ln() + 0.8_f64.ln());
/// assert!((loss - want).abs() < 1e-12);
/// ```
///
/// Written with `#[grad]`: `multilabel_bce_adjoint` is generated, calling [`bce_adjoint`] per
/// label, `multilabel_bce_tangent`, calling [`bce_tangent`], and `multilabel_bce_hvp` with
/// the `_dual_adjoint` a `modes(hvp)` caller calls.
#[grad(modes(tangent, hvp))]
#[inline]
pub fn multilabel_bce<T: Float>(probs: &[T], targets: &[T]) -> T {
    check_targets("multilabel_bce", probs.len(), targets.len());
    let mut sum = T::zero();
    for i in 0..probs.len() {
        sum = sum + bce(probs[i], targets[i]);
    }
    sum
}

/// The multi-label binary cross-entropy on logits: the sum over labels of
/// [`bce_with_logits`]`(logits[i], targets[i])`. Exact and stable for any finite logits.
///
/// # Panics
///
/// If the slices have different lengths.
///
/// ```
/// use autodiff_runtime::loss::multilabel_bce_with_logits;
///
/// let loss = multilabel_bce_with_logits(&[0.0_f64, 1000.0], &[1.0, 1.0]);
/// assert!((loss - 2.0_f64.ln()).abs() < 1e-15);
/// ```
///
/// Written with `#[grad]`: `multilabel_bce_with_logits_adjoint` is generated, calling
/// [`bce_with_logits_adjoint`] per label, `multilabel_bce_with_logits_tangent`, calling
/// [`bce_with_logits_tangent`], and `multilabel_bce_with_logits_hvp` with the `_dual_adjoint`
/// a `modes(hvp)` caller calls.
#[grad(modes(tangent, hvp))]
#[inline]
pub fn multilabel_bce_with_logits<T: Float>(logits: &[T], targets: &[T]) -> T {
    check_targets("multilabel_bce_with_logits", logits.len(), targets.len());
    let mut sum = T::zero();
    for i in 0..logits.len() {
        sum = sum + bce_with_logits(logits[i], targets[i]);
    }
    sum
}

crate::dual::dual_adjoints! {
    mse_dual_adjoint = mse_adjoint(pred: crate::Dual<T>, target: crate::Dual<T>; d_pred: DP: Shadow, d_target: DT: Shadow);
    mae_dual_adjoint = mae_adjoint(pred: crate::Dual<T>, target: crate::Dual<T>; d_pred: DP: Shadow, d_target: DT: Shadow);
    bce_dual_adjoint = bce_adjoint(p: crate::Dual<T>, y: crate::Dual<T>; d_p: DP: Shadow, d_y: DY: Shadow);
    bce_with_logits_dual_adjoint = bce_with_logits_adjoint(z: crate::Dual<T>, y: crate::Dual<T>; d_z: DZ: Shadow, d_y: DY: Shadow);
    softmax_cross_entropy_dual_adjoint = softmax_cross_entropy_adjoint(logits: &[crate::Dual<T>], class: usize; d_logits: DL: SliceShadow);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::sigmoid;
    use crate::activation::tests::{assert_close, central, Rng};
    use crate::Const;

    const N: usize = 200;
    const TOL: f64 = 1e-6;

    type Loss2 = (
        &'static str,
        fn(f64, f64) -> f64,
        fn(f64, f64, f64, &mut f64, &mut f64) -> f64,
        (f64, f64), // domain of the first argument
        (f64, f64), // domain of the second argument
    );

    /// One row per two-argument loss: value, adjoint and the domain of each argument.
    fn loss_table() -> Vec<Loss2> {
        vec![
            (
                "mse",
                mse,
                |a, b, d, x, y| mse_adjoint(a, b, d, x, y),
                (-10.0, 10.0),
                (-10.0, 10.0),
            ),
            (
                "mae",
                mae,
                |a, b, d, x, y| mae_adjoint(a, b, d, x, y),
                (-10.0, 10.0),
                (-10.0, 10.0),
            ),
            (
                "bce",
                bce,
                |a, b, d, x, y| bce_adjoint(a, b, d, x, y),
                (0.01, 0.99),
                (0.0, 1.0),
            ),
            (
                "bce_with_logits",
                bce_with_logits,
                |a, b, d, x, y| bce_with_logits_adjoint(a, b, d, x, y),
                (-30.0, 30.0),
                (0.0, 1.0),
            ),
        ]
    }

    #[test]
    fn two_argument_losses_match_finite_differences_in_both_arguments() {
        let mut rng = Rng::new(11);
        for (name, f, adj, (lo_a, hi_a), (lo_b, hi_b)) in loss_table() {
            for k in 0..N {
                let a = rng.range(lo_a, hi_a);
                // targets: the hard labels 0 and 1 as well as values in between
                let b = match k % 4 {
                    0 if name.starts_with("bce") => 0.0,
                    1 if name.starts_with("bce") => 1.0,
                    _ => rng.range(lo_b, hi_b),
                };
                if name == "mae" && (a - b).abs() < 1e-3 {
                    continue; // the kink
                }
                let d_out = rng.range(-2.0, 2.0);
                let (mut d_a, mut d_b) = (0.0, 0.0);
                let v = adj(a, b, d_out, &mut d_a, &mut d_b);
                assert_eq!(v, f(a, b), "{name}({a}, {b}): adjoint value differs");
                let want_a = central(|a| f(a, b), a);
                let want_b = central(|b| f(a, b), b);
                assert_close(
                    d_a,
                    d_out * want_a,
                    TOL,
                    &format!("{name} d_1 at ({a}, {b})"),
                );
                assert_close(
                    d_b,
                    d_out * want_b,
                    TOL,
                    &format!("{name} d_2 at ({a}, {b})"),
                );
            }
        }
    }

    #[test]
    fn values_match_their_definitions() {
        let mut rng = Rng::new(12);
        for _ in 0..N {
            let (p, t) = (rng.range(-5.0, 5.0), rng.range(-5.0, 5.0));
            assert_close(mse(p, t), (p - t).powi(2), 1e-15, "mse");
            assert_close(mae(p, t), (p - t).abs(), 1e-15, "mae");
            let (q, y) = (rng.range(0.001, 0.999), rng.range(0.0, 1.0));
            let naive = -(y * q.ln() + (1.0 - y) * (1.0 - q).ln());
            assert_close(bce(q, y), naive, 1e-12, "bce");
            let z = rng.range(-20.0, 20.0);
            // -ln σ(z) = ln(1 + e^-z), -ln(1 - σ(z)) = ln(1 + e^z)
            let naive = y * (-z).exp().ln_1p() + (1.0 - y) * z.exp().ln_1p();
            assert_close(bce_with_logits(z, y), naive, 1e-9, "bce_with_logits");
        }
    }

    #[test]
    fn bce_with_logits_is_bce_of_the_sigmoid_with_the_chain_rule() {
        let mut rng = Rng::new(13);
        for _ in 0..N {
            let z = rng.range(-8.0, 8.0);
            let y = rng.range(0.0, 1.0);
            let s = sigmoid(z);
            let (mut d_p, mut d_z) = (0.0, 0.0);
            let a = bce_adjoint(s, y, 1.0, &mut d_p, Const);
            let b = bce_with_logits_adjoint(z, y, 1.0, &mut d_z, Const);
            assert_close(a, b, 1e-9, "value");
            assert_close(d_p * s * (1.0 - s), d_z, 1e-9, "gradient");
        }
    }

    #[test]
    fn softmax_cross_entropy_matches_finite_differences() {
        let mut rng = Rng::new(14);
        for n in 1..=8 {
            for _ in 0..N / 8 {
                let logits: Vec<f64> = (0..n).map(|_| rng.range(-20.0, 20.0)).collect();
                let class = (rng.range(0.0, n as f64) as usize).min(n - 1);
                let d_out = rng.range(-2.0, 2.0);
                let mut d = vec![0.0; n];
                let v = softmax_cross_entropy_adjoint(&logits, class, d_out, &mut d);
                let naive =
                    -(logits[class].exp() / logits.iter().map(|x| x.exp()).sum::<f64>()).ln();
                assert_close(v, naive, 1e-9, "softmax_cross_entropy value");
                assert_eq!(v, softmax_cross_entropy(&logits, class));
                for i in 0..n {
                    let want = central(
                        |v| {
                            let mut ys = logits.clone();
                            ys[i] = v;
                            softmax_cross_entropy(&ys, class)
                        },
                        logits[i],
                    );
                    assert_close(d[i], d_out * want, TOL, "softmax_cross_entropy d_logits");
                }
            }
        }
    }

    type SliceAdjoint2 = fn(&[f64], &[f64], f64, &mut [f64], &mut [f64]) -> f64;

    /// Checks a loss on two slices against central differences in every element of both.
    fn check_multilabel(
        name: &str,
        f: fn(&[f64], &[f64]) -> f64,
        adj: SliceAdjoint2,
        pred_domain: (f64, f64),
        seed: u64,
    ) {
        let mut rng = Rng::new(seed);
        for n in 1..=6 {
            for _ in 0..N / 6 {
                let xs: Vec<f64> = (0..n)
                    .map(|_| rng.range(pred_domain.0, pred_domain.1))
                    .collect();
                let ys: Vec<f64> = (0..n)
                    .map(|i| {
                        if i % 3 == 2 {
                            rng.range(0.0, 1.0)
                        } else {
                            (i % 2) as f64
                        }
                    })
                    .collect();
                let d_out = rng.range(-2.0, 2.0);
                let (mut d_x, mut d_y) = (vec![0.0; n], vec![0.0; n]);
                let v = adj(&xs, &ys, d_out, &mut d_x, &mut d_y);
                assert_eq!(v, f(&xs, &ys), "{name}: adjoint value differs");
                for i in 0..n {
                    let want_x = central(
                        |v| {
                            let mut zs = xs.clone();
                            zs[i] = v;
                            f(&zs, &ys)
                        },
                        xs[i],
                    );
                    let want_y = central(
                        |v| {
                            let mut zs = ys.clone();
                            zs[i] = v;
                            f(&xs, &zs)
                        },
                        ys[i],
                    );
                    assert_close(d_x[i], d_out * want_x, TOL, &format!("{name} d_pred[{i}]"));
                    assert_close(
                        d_y[i],
                        d_out * want_y,
                        TOL,
                        &format!("{name} d_target[{i}]"),
                    );
                }
            }
        }
    }

    #[test]
    fn multilabel_losses_match_finite_differences_in_both_slices() {
        check_multilabel(
            "multilabel_bce",
            multilabel_bce,
            |a, b, d, x, y| multilabel_bce_adjoint(a, b, d, x, y),
            (0.01, 0.99),
            15,
        );
        check_multilabel(
            "multilabel_bce_with_logits",
            multilabel_bce_with_logits,
            |a, b, d, x, y| multilabel_bce_with_logits_adjoint(a, b, d, x, y),
            (-30.0, 30.0),
            16,
        );
    }

    #[test]
    fn multilabel_is_the_sum_of_the_scalar_losses() {
        let probs = [0.2, 0.9, 0.5, 0.999];
        let logits = [-3.0, 0.5, 2.0, 40.0];
        let ys = [1.0, 0.0, 0.3, 1.0];
        let want: f64 = probs.iter().zip(&ys).map(|(&p, &y)| bce(p, y)).sum();
        assert_close(multilabel_bce(&probs, &ys), want, 1e-15, "multilabel_bce");
        let want: f64 = logits
            .iter()
            .zip(&ys)
            .map(|(&z, &y)| bce_with_logits(z, y))
            .sum();
        assert_close(
            multilabel_bce_with_logits(&logits, &ys),
            want,
            1e-15,
            "with logits",
        );
    }

    #[test]
    fn kinks_follow_the_design() {
        let (mut d_p, mut d_t) = (0.0, 0.0);
        assert_eq!(mae_adjoint(2.5, 2.5, 1.0, &mut d_p, &mut d_t), 0.0);
        assert_eq!((d_p, d_t), (0.0, 0.0), "abs'(0) = 0");
        mae_adjoint(0.0, -0.0, 1.0, &mut d_p, &mut d_t);
        assert_eq!((d_p, d_t), (0.0, 0.0), "abs'(0) = 0 at signed zeros");
    }

    #[test]
    fn adjoints_accumulate_and_scale() {
        let mut rng = Rng::new(17);
        for (name, _, adj, (lo_a, hi_a), (lo_b, hi_b)) in loss_table() {
            for _ in 0..20 {
                let (a, b) = (rng.range(lo_a, hi_a), rng.range(lo_b, hi_b));
                let (mut ua, mut ub) = (0.0, 0.0);
                adj(a, b, 1.0, &mut ua, &mut ub);
                let (mut acc_a, mut acc_b) = (0.5, -0.5); // kept, not overwritten
                adj(a, b, 0.25, &mut acc_a, &mut acc_b);
                adj(a, b, 2.0, &mut acc_a, &mut acc_b);
                assert_close(acc_a, 0.5 + 2.25 * ua, 1e-13, name);
                assert_close(acc_b, -0.5 + 2.25 * ub, 1e-13, name);
            }
        }

        // a batch mean: d_out = 1/b into one accumulator
        let logits = [[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]];
        let classes = [1, 2];
        let mut mean = [0.0; 3];
        let mut total = 0.0;
        for (l, &c) in logits.iter().zip(&classes) {
            total += softmax_cross_entropy_adjoint(l, c, 0.5, &mut mean);
        }
        let mut each = [[0.0; 3]; 2];
        for ((l, &c), e) in logits.iter().zip(&classes).zip(&mut each) {
            softmax_cross_entropy_adjoint(l, c, 1.0, e);
        }
        for j in 0..3 {
            assert_close(
                mean[j],
                0.5 * (each[0][j] + each[1][j]),
                1e-15,
                "batch mean",
            );
        }
        let want = softmax_cross_entropy(&logits[0], 1) + softmax_cross_entropy(&logits[1], 2);
        assert_eq!(total, want);

        let (p, y) = ([0.3, 0.6], [1.0, 0.0]);
        let (mut u, mut acc) = ([0.0; 2], vec![1.0, 1.0]);
        multilabel_bce_adjoint(&p, &y, 1.0, &mut u, Const);
        multilabel_bce_adjoint(&p, &y, 1.0, &mut acc, Const);
        multilabel_bce_with_logits_adjoint(&p, &y, -3.0, Const, Const);
        multilabel_bce_adjoint(&p, &y, -3.0, &mut acc[..], Const);
        for i in 0..2 {
            assert_close(acc[i], 1.0 - 2.0 * u[i], 1e-15, "multilabel accumulates");
        }
    }

    #[test]
    fn const_shadows_compile_and_leave_the_others_exact() {
        let mut rng = Rng::new(18);
        for (name, f, adj, (lo_a, hi_a), (lo_b, hi_b)) in loss_table() {
            let (a, b) = (rng.range(lo_a, hi_a), rng.range(lo_b, hi_b));
            let (mut both_a, mut both_b) = (0.0, 0.0);
            adj(a, b, 1.0, &mut both_a, &mut both_b);
            // the fn-pointer table fixes the shadow type; call each adjoint with Const directly
            let (mut only_a, mut only_b) = (0.0, 0.0);
            let v = match name {
                "mse" => {
                    mse_adjoint(a, b, 1.0, &mut only_a, Const);
                    mse_adjoint(a, b, 1.0, Const, &mut only_b);
                    mse_adjoint(a, b, 1.0, Const, Const)
                }
                "mae" => {
                    mae_adjoint(a, b, 1.0, &mut only_a, Const);
                    mae_adjoint(a, b, 1.0, Const, &mut only_b);
                    mae_adjoint(a, b, 1.0, Const, Const)
                }
                "bce" => {
                    bce_adjoint(a, b, 1.0, &mut only_a, Const);
                    bce_adjoint(a, b, 1.0, Const, &mut only_b);
                    bce_adjoint(a, b, 1.0, Const, Const)
                }
                _ => {
                    bce_with_logits_adjoint(a, b, 1.0, &mut only_a, Const);
                    bce_with_logits_adjoint(a, b, 1.0, Const, &mut only_b);
                    bce_with_logits_adjoint(a, b, 1.0, Const, Const)
                }
            };
            assert_eq!(v, f(a, b), "{name}");
            assert_eq!((only_a, only_b), (both_a, both_b), "{name}");
        }

        let logits = [0.1, 0.2, 0.3];
        assert_eq!(
            softmax_cross_entropy_adjoint(&logits, 2, 1.0, Const),
            softmax_cross_entropy(&logits, 2)
        );
        let t = [0.0, 1.0, 1.0];
        let mut d = [0.0; 3];
        assert_eq!(
            multilabel_bce_with_logits_adjoint(&logits, &t, 1.0, &mut d, Const),
            multilabel_bce_with_logits(&logits, &t)
        );
        for i in 0..3 {
            assert_close(d[i], sigmoid(logits[i]) - t[i], 1e-15, "σ(z) - y");
        }
        assert_eq!(
            multilabel_bce_adjoint(&logits, &t, 1.0, Const, Const),
            multilabel_bce(&logits, &t)
        );
    }

    #[test]
    fn every_slice_shadow_kind_works() {
        let logits = vec![0.0, 0.0];
        let (mut a, mut v, mut s) = ([0.0; 2], vec![0.0; 2], [0.0; 2]);
        softmax_cross_entropy_adjoint(&logits, 0, 1.0, &mut a);
        softmax_cross_entropy_adjoint(&logits, 0, 1.0, &mut v);
        softmax_cross_entropy_adjoint(&logits, 0, 1.0, &mut s[..]);
        assert_eq!(a, [-0.5, 0.5]);
        assert_eq!(v, [-0.5, 0.5]);
        assert_eq!(s, [-0.5, 0.5]);
        // array primals
        let (p, y) = ([0.5, 0.5], [1.0, 0.0]);
        let (mut dp, mut dy) = ([0.0; 2], vec![0.0; 2]);
        multilabel_bce_adjoint(&p, &y, 1.0, &mut dp, &mut dy);
        assert_eq!(dp, [-2.0, 2.0]);
        assert_eq!(dy, [0.0, 0.0]); // ln((1-p)/p) at p = 1/2
    }

    #[test]
    fn stable_at_probabilities_zero_and_one() {
        for p in [0.0, 1.0, -0.5, 1.5, 1e-300, 1.0 - 1e-17] {
            for y in [0.0, 1.0, 0.5] {
                let (mut d_p, mut d_y) = (0.0, 0.0);
                let v = bce_adjoint(p, y, 1.0, &mut d_p, &mut d_y);
                assert!(
                    v.is_finite() && d_p.is_finite() && d_y.is_finite(),
                    "bce({p}, {y}) = {v}, gradient ({d_p}, {d_y})"
                );
                assert!(v >= 0.0);
            }
        }
        // the clamp bounds the loss at -ln(1e-7) and keeps the gradient pointing the right way
        let bound = -(1e-7_f64).ln();
        let (mut d0, mut d1) = (0.0, 0.0);
        assert_close(
            bce_adjoint(0.0, 1.0, 1.0, &mut d0, Const),
            bound,
            1e-9,
            "bce(0, 1)",
        );
        assert_close(
            bce_adjoint(1.0, 0.0, 1.0, &mut d1, Const),
            bound,
            1e-9,
            "bce(1, 0)",
        );
        assert!(
            d0 < -1e6 && d1 > 1e6,
            "saturated probabilities still get a gradient"
        );
        assert!(
            bce(0.0, 0.0) < 1e-6 && bce(1.0, 1.0) < 1e-6,
            "right answers cost nothing"
        );

        let (mut dp, mut dy) = ([0.0; 4], [0.0; 4]);
        let v = multilabel_bce_adjoint(
            &[0.0, 1.0, 0.0, 1.0],
            &[0.0, 1.0, 1.0, 0.0],
            1.0,
            &mut dp,
            &mut dy,
        );
        assert_close(v, 2.0 * bound, 1e-6, "multilabel_bce at 0 and 1");
        assert!(dp.iter().chain(&dy).all(|g| g.is_finite()));

        // f32 too: 1 - PROB_EPS is below 1 in f32
        let mut d = 0.0_f32;
        let v = bce_adjoint(1.0_f32, 0.0, 1.0, &mut d, Const);
        assert!(v.is_finite() && d.is_finite() && d > 0.0, "f32: {v}, {d}");
    }

    #[test]
    fn nan_is_not_hidden() {
        assert!(bce(f64::NAN, 1.0).is_nan());
        assert!(bce_with_logits(f64::NAN, 1.0).is_nan());
        assert!(softmax_cross_entropy(&[0.0, f64::NAN], 0).is_nan());
        assert!(mse(f64::NAN, 1.0).is_nan());
    }

    #[test]
    fn stable_at_extreme_logits() {
        for z in [-1000.0, 1000.0, -1e300, 1e300] {
            for y in [0.0, 1.0, 0.5] {
                let (mut d_z, mut d_y) = (0.0, 0.0);
                let v = bce_with_logits_adjoint(z, y, 1.0, &mut d_z, &mut d_y);
                assert!(
                    v.is_finite() && d_z.is_finite() && d_y.is_finite(),
                    "at {z}, {y}"
                );
            }
        }
        let cases = [
            // z, y, loss, ∂/∂z
            (1000.0, 0.0, 1000.0, 1.0),
            (-1000.0, 1.0, 1000.0, -1.0),
            (1000.0, 1.0, 0.0, 0.0),
            (-1000.0, 0.0, 0.0, 0.0),
        ];
        for (z, y, loss, grad) in cases {
            let (mut d_z, mut d_y) = (0.0, 0.0);
            assert_eq!(bce_with_logits_adjoint(z, y, 1.0, &mut d_z, &mut d_y), loss);
            assert_eq!((d_z, d_y), (grad, -z));
        }

        let logits = [1000.0, -1000.0, 0.0];
        let mut d = [0.0; 3];
        assert_eq!(
            softmax_cross_entropy_adjoint(&logits, 1, 1.0, &mut d),
            2000.0
        );
        assert_eq!(d, [1.0, -1.0, 0.0]);
        let mut d = [0.0; 3];
        assert_eq!(softmax_cross_entropy_adjoint(&logits, 0, 1.0, &mut d), 0.0);
        assert_eq!(d, [0.0, 0.0, 0.0]);
        let mut d = [0.0; 2];
        let v = softmax_cross_entropy_adjoint(&[-1000.0, -1000.0], 0, 1.0, &mut d);
        assert_close(v, 2.0_f64.ln(), 1e-15, "equal logits at -1000");
        assert_eq!(d, [-0.5, 0.5]);

        let (mut dz, mut dy) = ([0.0; 2], [0.0; 2]);
        let v = multilabel_bce_with_logits_adjoint(
            &[1000.0, -1000.0],
            &[0.0, 0.0],
            1.0,
            &mut dz,
            &mut dy,
        );
        assert_eq!(v, 1000.0);
        assert_eq!(dz, [1.0, 0.0]);
        assert_eq!(dy, [-1000.0, 1000.0]);
    }

    #[test]
    #[should_panic(expected = "class 3 is out of range for 3 logits")]
    fn class_out_of_range_panics() {
        softmax_cross_entropy(&[1.0, 2.0, 3.0], 3);
    }

    #[test]
    #[should_panic(expected = "2 predictions but 3 targets")]
    fn mismatched_targets_panic() {
        multilabel_bce_with_logits_adjoint(&[1.0, 2.0], &[1.0, 0.0, 1.0], 1.0, Const, Const);
    }

    #[test]
    #[should_panic(expected = "the shadow of `targets` has 1 elements but `targets` has 2")]
    fn shadow_of_the_wrong_length_panics() {
        multilabel_bce_adjoint(&[0.5, 0.5], &[1.0, 0.0], 1.0, Const, &mut [0.0]);
    }

    #[test]
    fn lecture_sentiment_loss() {
        let w = [2.5, -5.0, -1.2, 0.5, 2.0, 0.7];
        let x = [3.0, 2.0, 1.0, 3.0, 0.0, 66.0_f64.ln()];
        let z: f64 = w.iter().zip(&x).map(|(w, x)| w * x).sum::<f64>() + 0.1;
        let p = sigmoid(z);
        assert!((p - 0.70).abs() < 0.005, "σ(z) = {p}");
        for (y, want, tol) in [(1.0, 0.36, 0.005), (0.0, 1.2, 0.01)] {
            let a = bce(p, y);
            let b = bce_with_logits(z, y);
            assert!(
                (a - want).abs() < tol,
                "bce(σ(z), {y}) = {a}, lecture says {want}"
            );
            assert!(
                (b - want).abs() < tol,
                "bce_with_logits(z, {y}) = {b}, lecture says {want}"
            );
        }
    }

    #[test]
    fn lecture_one_gradient_step() {
        // w1 = w2 = b = 0, x = [3, 2], y = 1: gradient [-1.5, -1.0, -0.5], θ' = [0.15, 0.1, 0.05]
        let (x, y) = ([3.0, 2.0], 1.0);
        let mut d_z = 0.0;
        bce_with_logits_adjoint(0.0, y, 1.0, &mut d_z, Const);
        let grad = [d_z * x[0], d_z * x[1], d_z];
        assert_eq!(grad, [-1.5, -1.0, -0.5]);
        let theta: Vec<f64> = grad.iter().map(|g| -0.1 * g).collect();
        for (t, want) in theta.iter().zip([0.15, 0.1, 0.05]) {
            assert_close(*t, want, 1e-15, "θ after one step");
        }
    }

    #[test]
    fn lecture_softmax_cross_entropy() {
        let y_hat = [0.5_f64, 0.3, 0.2];
        let logits = y_hat.map(f64::ln);
        let mut d = [0.0; 3];
        let v = softmax_cross_entropy_adjoint(&logits, 0, 1.0, &mut d);
        assert!((v - 0.693).abs() < 5e-4, "cat: {v}");
        for (g, want) in d.iter().zip([-0.5, 0.3, 0.2]) {
            assert_close(*g, want, 1e-12, "ŷ - one_hot");
        }
    }

    #[test]
    fn lecture_multilabel() {
        let want = -(0.5_f64.ln()) - 0.4_f64.ln() - 0.8_f64.ln();
        assert!((want - 1.8326).abs() < 1e-4);
        let probs = [0.5, 0.6, 0.8];
        let targets = [1.0, 0.0, 1.0];
        assert_close(
            multilabel_bce(&probs, &targets),
            want,
            1e-12,
            "multi-label bce",
        );
        let logits = probs.map(|p: f64| (p / (1.0 - p)).ln());
        assert_close(
            multilabel_bce_with_logits(&logits, &targets),
            want,
            1e-12,
            "multi-label bce from logits",
        );
    }
}
