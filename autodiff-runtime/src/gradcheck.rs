//! Gradient checks: an analytic gradient against central finite differences.
//!
//! "Derive analytic gradients, check them numerically." Each coordinate `x_i` is perturbed by
//! `h_i = cbrt(ε) · max(1, |x_i|)` (ε the machine epsilon of the float type; the cube root
//! balances the O(h²) truncation error of a central difference against its O(ε/h) rounding
//! error, and scaling by `|x_i|` keeps the step meaningful for large coordinates), and
//!
//! ```text
//! numeric_i = (f(x + h_i e_i) - f(x - h_i e_i)) / (2 h_i)
//! ```
//!
//! is compared with the analytic `∂f/∂x_i`. The [`GradientReport`] gives the worst absolute
//! and the worst relative error and where they occur; a coordinate passes a [`Tolerance`] when
//! its absolute *or* its relative error is within bounds (the absolute bound judges
//! near-zero gradients, the relative bound large ones).
//!
//! Three entry points, one core:
//!
//! - [`check_gradient`]: a function of a slice, a point, and the analytic gradient there;
//! - [`check_grad_fn`]: a function of a slice and its `NAME_grad` (`&[T] -> (T, Vec<T>)`, what
//!   `#[grad]` generates for `fn NAME(x: &[T]) -> T`);
//! - [`check_params_gradient`]: a loss over a model implementing [`Params`], with the gradient
//!   struct its `NAME_adjoint` accumulated; coordinates are reported by name and position,
//!   `layer1.w[1][4]`.
//!
//! In tests, [`assert_gradient`] or [`GradientReport::assert_ok`] panic with the report.
//!
//! ```
//! use autodiff_runtime::gradcheck::{assert_gradient, check_grad_fn};
//!
//! // f(x) = x0² x1 + sin(x1), with its gradient derived by hand.
//! let f = |x: &[f64]| x[0] * x[0] * x[1] + x[1].sin();
//! let f_grad = |x: &[f64]| (f(x), vec![2.0 * x[0] * x[1], x[0] * x[0] + x[1].cos()]);
//!
//! let report = check_grad_fn(f, f_grad, &[1.5, -0.5]);
//! assert!(report.max_abs_error < 1e-8);
//! report.assert_ok();
//!
//! // A wrong derivative is caught and located.
//! let x = [1.5f64, -0.5];
//! let wrong = [2.0 * x[0] * x[1], x[0] * x[0] - x[1].cos()];
//! let report = autodiff_runtime::gradcheck::check_gradient(f, &x, &wrong);
//! assert_eq!(report.max_abs_at, 1);
//! assert!(!report.passes(Default::default()));
//! assert!(std::panic::catch_unwind(|| assert_gradient(f, &x, &wrong)).is_err());
//! ```

use std::fmt;

use num_traits::Float;

use crate::optim::{Coordinate, Params};

/// When a coordinate's analytic and numeric derivatives agree: its absolute error is at most
/// `abs`, or its relative error is at most `rel`.
///
/// The default for float type `T` is `cbrt(ε)` for both (≈ 6.1e-6 for `f64`, ≈ 4.9e-3 for
/// `f32`): far above the finite-difference error of a well-scaled function (about `ε^(2/3)`),
/// far below the error of a wrong derivative.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerance<T> {
    /// Largest accepted `|analytic - numeric|`.
    pub abs: T,
    /// Largest accepted `|analytic - numeric| / max(|analytic|, |numeric|)`.
    pub rel: T,
}

impl<T: Float> Tolerance<T> {
    /// A tolerance with the given absolute and relative bounds.
    pub fn new(abs: T, rel: T) -> Self {
        Tolerance { abs, rel }
    }
}

impl<T: Float> Default for Tolerance<T> {
    fn default() -> Self {
        let t = T::epsilon().cbrt();
        Tolerance { abs: t, rel: t }
    }
}

/// The outcome of a gradient check: both gradients, and the worst disagreements.
///
/// The relative error of a coordinate is `|a - n| / max(|a|, |n|)` (0 when both are 0). A NaN
/// in either gradient makes that coordinate's errors NaN, which counts as the worst and never
/// passes. For an empty input both maxima are 0 at index 0.
#[derive(Clone, Debug)]
pub struct GradientReport<T> {
    /// `f` at the point checked.
    pub value: T,
    /// The analytic gradient that was checked.
    pub analytic: Vec<T>,
    /// The central finite-difference gradient.
    pub numeric: Vec<T>,
    /// The largest absolute error `|analytic[i] - numeric[i]|`.
    pub max_abs_error: T,
    /// The coordinate (index into `analytic`) of `max_abs_error`.
    pub max_abs_at: usize,
    /// The largest relative error.
    pub max_rel_error: T,
    /// The coordinate (index into `analytic`) of `max_rel_error`.
    pub max_rel_at: usize,
    /// Names for coordinates: each parameter slice's name, shape and first flat index, in
    /// order.
    segments: Vec<Segment>,
}

/// A parameter slice's place among the coordinates of a [`GradientReport`].
#[derive(Clone, Debug)]
struct Segment {
    name: String,
    shape: Vec<usize>,
    start: usize,
}

impl<T: Float> GradientReport<T> {
    fn new(value: T, analytic: Vec<T>, numeric: Vec<T>, segments: Vec<Segment>) -> Self {
        let mut report = GradientReport {
            value,
            analytic,
            numeric,
            max_abs_error: T::zero(),
            max_abs_at: 0,
            max_rel_error: T::zero(),
            max_rel_at: 0,
            segments,
        };
        for i in 0..report.analytic.len() {
            let (abs, rel) = report.errors(i);
            if worse(abs, report.max_abs_error) {
                report.max_abs_error = abs;
                report.max_abs_at = i;
            }
            if worse(rel, report.max_rel_error) {
                report.max_rel_error = rel;
                report.max_rel_at = i;
            }
        }
        report
    }

    /// The absolute and relative error of coordinate `i`.
    pub fn errors(&self, i: usize) -> (T, T) {
        let (a, n) = (self.analytic[i], self.numeric[i]);
        let abs = (a - n).abs();
        let scale = a.abs().max(n.abs());
        let rel = if abs == T::zero() {
            T::zero()
        } else {
            abs / scale
        };
        (abs, rel)
    }

    /// The coordinates that fail `tolerance`, in order.
    pub fn failures(&self, tolerance: Tolerance<T>) -> Vec<usize> {
        (0..self.analytic.len())
            .filter(|&i| {
                let (abs, rel) = self.errors(i);
                !(abs <= tolerance.abs || rel <= tolerance.rel)
            })
            .collect()
    }

    /// `true` if every coordinate passes `tolerance`.
    pub fn passes(&self, tolerance: Tolerance<T>) -> bool {
        self.failures(tolerance).is_empty()
    }

    /// The name of coordinate `i`: `x[i]` for a plain slice; for a model, the parameter
    /// slice's name and the element's position in its shape, `w1[2][5]` (`b` for a scalar).
    pub fn coordinate(&self, i: usize) -> String {
        match self.segments.iter().rev().find(|s| s.start <= i) {
            Some(s) => Coordinate::new(&s.name, &s.shape, i - s.start).to_string(),
            None => format!("x[{i}]"),
        }
    }

    /// Panics with the report unless every coordinate passes the default [`Tolerance`].
    #[track_caller]
    pub fn assert_ok(&self) {
        self.assert_within(Tolerance::default());
    }

    /// Panics with the report, the tolerance and the failing coordinates unless every
    /// coordinate passes `tolerance`.
    #[track_caller]
    pub fn assert_within(&self, tolerance: Tolerance<T>) {
        let failures = self.failures(tolerance);
        if failures.is_empty() {
            return;
        }
        const SHOWN: usize = 10;
        let mut listed: Vec<String> = failures
            .iter()
            .take(SHOWN)
            .map(|&i| {
                format!(
                    "{} (analytic {}, numeric {})",
                    self.coordinate(i),
                    show(self.analytic[i]),
                    show(self.numeric[i])
                )
            })
            .collect();
        if failures.len() > SHOWN {
            listed.push(format!("... and {} more", failures.len() - SHOWN));
        }
        panic!(
            "gradient check failed: {} of {} coordinates outside tolerance (abs {:.1e}, rel \
             {:.1e}): {}\n{self}",
            failures.len(),
            self.analytic.len(),
            show(tolerance.abs),
            show(tolerance.rel),
            listed.join(", "),
        );
    }
}

impl<T: Float> fmt::Display for GradientReport<T> {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            out,
            "gradient check of {} coordinates at f = {}",
            self.analytic.len(),
            show(self.value)
        )?;
        if self.analytic.is_empty() {
            return Ok(());
        }
        for (what, error, i) in [
            ("absolute", self.max_abs_error, self.max_abs_at),
            ("relative", self.max_rel_error, self.max_rel_at),
        ] {
            writeln!(
                out,
                "  worst {what} error {:.3e} at {}: analytic {}, numeric {}",
                show(error),
                self.coordinate(i),
                show(self.analytic[i]),
                show(self.numeric[i]),
            )?;
        }
        Ok(())
    }
}

/// A float of any type, for printing.
fn show<T: Float>(v: T) -> f64 {
    v.to_f64().unwrap_or(f64::NAN)
}

/// `new` is a worse error than `old`: larger, or the first NaN.
fn worse<T: Float>(new: T, old: T) -> bool {
    (new.is_nan() && !old.is_nan()) || new > old
}

/// The central-difference derivative along one coordinate whose value is `xi`, where
/// `f_at(v)` evaluates the function with that coordinate set to `v` (the caller restores it).
fn central_difference<T: Float>(xi: T, mut f_at: impl FnMut(T) -> T) -> T {
    let h = T::epsilon().cbrt() * xi.abs().max(T::one());
    let (plus, minus) = (xi + h, xi - h);
    let f_plus = f_at(plus);
    let f_minus = f_at(minus);
    // Divide by the step actually taken (x ± h rounded), not by the nominal 2h.
    (f_plus - f_minus) / (plus - minus)
}

/// Checks `analytic`, the claimed gradient of `f` at `x`, against central finite differences.
///
/// Costs `2 · x.len()` evaluations of `f`.
///
/// # Panics
///
/// If `analytic` and `x` have different lengths.
///
/// ```
/// use autodiff_runtime::gradcheck::check_gradient;
///
/// let f = |x: &[f64]| (x[0] * x[1]).exp();
/// let x = [0.5, 2.0];
/// let e = 1f64.exp();
/// let report = check_gradient(f, &x, &[2.0 * e, 0.5 * e]);
/// assert!(report.max_rel_error < 1e-9, "{report}");
/// ```
pub fn check_gradient<T: Float>(
    f: impl Fn(&[T]) -> T,
    x: &[T],
    analytic: &[T],
) -> GradientReport<T> {
    assert_eq!(
        analytic.len(),
        x.len(),
        "gradient check: the analytic gradient has {} entries but x has {}",
        analytic.len(),
        x.len()
    );
    let mut work = x.to_vec();
    let numeric = (0..x.len())
        .map(|i| {
            let xi = work[i];
            let d = central_difference(xi, |v| {
                work[i] = v;
                f(&work)
            });
            work[i] = xi;
            d
        })
        .collect();
    GradientReport::new(f(x), analytic.to_vec(), numeric, Vec::new())
}

/// Checks `f_grad`, which returns `f`'s value and gradient (the shape of what `#[grad]`
/// generates for `fn f(x: &[T]) -> T`), at `x`.
///
/// # Panics
///
/// If the gradient has a different length from `x`.
///
/// ```
/// use autodiff_runtime::gradcheck::check_grad_fn;
///
/// fn norm(x: &[f64]) -> f64 {
///     x.iter().map(|v| v * v).sum::<f64>().sqrt()
/// }
/// // As `#[grad]` would write it: the value and a `Vec` gradient.
/// fn norm_grad(x: &[f64]) -> (f64, Vec<f64>) {
///     let n = norm(x);
///     (n, x.iter().map(|v| v / n).collect())
/// }
///
/// check_grad_fn(norm, norm_grad, &[3.0, -4.0, 12.0]).assert_ok();
/// ```
pub fn check_grad_fn<T: Float, G: AsRef<[T]>>(
    f: impl Fn(&[T]) -> T,
    f_grad: impl Fn(&[T]) -> (T, G),
    x: &[T],
) -> GradientReport<T> {
    let (_, grad) = f_grad(x);
    check_gradient(f, x, grad.as_ref())
}

/// Checks `grads`, the claimed gradient of `loss` at `params`, coordinate by coordinate over
/// every parameter slice; the report names coordinates by slice and position (`w1[1][2]`).
///
/// `grads` is typically the gradient struct a `NAME_adjoint` accumulated into. Costs
/// `2 · params.num_scalars()` evaluations of `loss`.
///
/// # Panics
///
/// If `grads` does not have the shape of `params`.
///
/// ```
/// # extern crate autodiff_runtime as autodiff;
/// use autodiff::gradcheck::check_params_gradient;
///
/// #[derive(Clone, Default, autodiff::Params)]
/// struct Line {
///     w: [f64; 2],
///     b: f64,
/// }
///
/// // Squared error of w·x + b against y, for one example.
/// let (x, y) = ([1.0, -2.0], 0.5);
/// let loss = |m: &Line| (m.w[0] * x[0] + m.w[1] * x[1] + m.b - y).powi(2);
///
/// let m = Line { w: [0.3, 0.1], b: -0.2 };
/// let r = m.w[0] * x[0] + m.w[1] * x[1] + m.b - y;
/// let grads = Line { w: [2.0 * r * x[0], 2.0 * r * x[1]], b: 2.0 * r };
/// check_params_gradient(loss, &m, &grads).assert_ok();
///
/// // Forgetting the factor 2 in the bias gradient is reported at `b`.
/// let wrong = Line { b: r, ..grads };
/// let report = check_params_gradient(loss, &m, &wrong);
/// assert_eq!(report.coordinate(report.max_abs_at), "b");
/// ```
pub fn check_params_gradient<P: Params + Clone>(
    loss: impl Fn(&P) -> P::Scalar,
    params: &P,
    grads: &P,
) -> GradientReport<P::Scalar> {
    let mut point = Vec::with_capacity(params.num_scalars());
    let mut analytic = Vec::with_capacity(point.capacity());
    let mut segments = Vec::new();
    let mut work = params.clone();
    work.zip_slices_mut(grads, |p, g| {
        segments.push(Segment {
            name: p.name.to_string(),
            shape: p.shape.to_vec(),
            start: point.len(),
        });
        point.extend_from_slice(p.values);
        analytic.extend_from_slice(g);
    });
    let numeric = point
        .iter()
        .enumerate()
        .map(|(i, &xi)| {
            let d = central_difference(xi, |v| {
                set_scalar(&mut work, i, v);
                loss(&work)
            });
            set_scalar(&mut work, i, xi);
            d
        })
        .collect();
    GradientReport::new(loss(params), analytic, numeric, segments)
}

/// Sets the scalar parameter at `flat` (its index in the walk) to `value`.
fn set_scalar<P: Params>(model: &mut P, flat: usize, value: P::Scalar) {
    let mut start = 0;
    model.for_each_slice_mut(|s| {
        if let Some(v) = flat.checked_sub(start).and_then(|i| s.values.get_mut(i)) {
            *v = value;
        }
        start += s.values.len();
    });
}

/// Panics with the [`GradientReport`] unless `analytic` matches the central finite-difference
/// gradient of `f` at `x` within the default [`Tolerance`].
///
/// ```should_panic
/// use autodiff_runtime::gradcheck::assert_gradient;
///
/// // d/dx x³ is 3x², not 2x²: panics, naming coordinate x[0].
/// assert_gradient(|x: &[f64]| x[0].powi(3), &[2.0], &[8.0]);
/// ```
#[track_caller]
pub fn assert_gradient<T: Float>(f: impl Fn(&[T]) -> T, x: &[T], analytic: &[T]) {
    check_gradient(f, x, analytic).assert_ok();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// f(x) = Σ x_i² sin(x_i) + x0 x1 x2, with ∂f/∂x_i = 2 x_i sin x_i + x_i² cos x_i + Π_{j≠i} x_j.
    fn f(x: &[f64]) -> f64 {
        x.iter().map(|v| v * v * v.sin()).sum::<f64>() + x[0] * x[1] * x[2]
    }

    fn grad(x: &[f64]) -> Vec<f64> {
        let others = [x[1] * x[2], x[0] * x[2], x[0] * x[1]];
        (0..3)
            .map(|i| 2.0 * x[i] * x[i].sin() + x[i] * x[i] * x[i].cos() + others[i])
            .collect()
    }

    const X: [f64; 3] = [0.7, -1.3, 2.1];

    #[test]
    fn right_gradient_passes_with_tiny_errors() {
        let report = check_gradient(f, &X, &grad(&X));
        assert!(report.max_abs_error < 1e-8, "{report}");
        assert!(report.max_rel_error < 1e-8, "{report}");
        assert_eq!(report.value, f(&X));
        assert!(report.passes(Tolerance::new(1e-8, 1e-8)));
        report.assert_ok();
    }

    #[test]
    fn planted_wrong_coordinate_is_found() {
        let mut wrong = grad(&X);
        wrong[2] += 1e-3;
        let report = check_gradient(f, &X, &wrong);
        assert_eq!(report.max_abs_at, 2);
        assert_eq!(report.max_rel_at, 2);
        assert!((report.max_abs_error - 1e-3).abs() < 1e-8, "{report}");
        assert_eq!(report.failures(Tolerance::default()), [2]);
        assert!(!report.passes(Tolerance::default()));
        // A loose enough tolerance accepts it.
        assert!(report.passes(Tolerance::new(2e-3, 0.0)));
    }

    #[test]
    #[should_panic(expected = "gradient check failed: 1 of 3 coordinates outside tolerance")]
    fn assert_gradient_panics_on_a_wrong_sign() {
        let mut wrong = grad(&X);
        wrong[1] = -wrong[1];
        assert_gradient(f, &X, &wrong);
    }

    #[test]
    fn panic_message_names_the_coordinate_and_values() {
        let wrong = [grad(&X)[0], 5.0, grad(&X)[2]];
        let message = std::panic::catch_unwind(|| assert_gradient(f, &X, &wrong))
            .unwrap_err()
            .downcast::<String>()
            .unwrap();
        assert!(message.contains("x[1] (analytic 5, numeric "), "{message}");
        assert!(message.contains("worst absolute error"), "{message}");
    }

    #[test]
    fn step_scales_with_the_coordinate() {
        // f = x² at x = 1e8 (f = 1e16, one ulp = 2): the unscaled step cbrt(ε) ≈ 6e-6 moves f
        // by only 4xh ≈ 2.4e3, so rounding alone is ~1e-3 relative; the scaled step is 1e8
        // times larger.
        let x = 1e8f64;
        let h = f64::EPSILON.cbrt();
        let unscaled = ((x + h) * (x + h) - (x - h) * (x - h)) / ((x + h) - (x - h));
        assert!((unscaled - 2.0 * x).abs() / (2.0 * x) > 1e-5, "{unscaled}");

        let report = check_gradient(|x: &[f64]| x[0] * x[0], &[x], &[2.0 * x]);
        assert!(report.max_rel_error < 1e-9, "{report}");
    }

    #[test]
    fn near_zero_gradients_are_judged_absolutely() {
        // ∂/∂x1 of x0² + 1e-12 x1 is 1e-12; the finite difference of it is noise of a similar
        // size: a large relative but a tiny absolute error.
        let f = |x: &[f64]| x[0] * x[0] + 1e-12 * x[1];
        let report = check_gradient(f, &[1.0, 1.0], &[2.0, 1e-12]);
        assert_eq!(report.max_rel_at, 1);
        assert!(report.max_rel_error > 0.5, "{report}");
        assert!(report.max_abs_error < 1e-10, "{report}");
        report.assert_ok();
    }

    #[test]
    fn nan_gradient_fails_and_is_worst() {
        let mut wrong = grad(&X);
        wrong[0] = f64::NAN;
        wrong[2] += 1.0;
        let report = check_gradient(f, &X, &wrong);
        assert!(report.max_abs_error.is_nan());
        assert_eq!(report.max_abs_at, 0);
        assert_eq!(report.failures(Tolerance::default()), [0, 2]);
    }

    #[test]
    fn grad_fn_convenience_with_vec_and_array_gradients() {
        check_grad_fn(f, |x: &[f64]| (f(x), grad(x)), &X).assert_ok();
        let g = |x: &[f64]| (x[0] * x[1], [x[1], x[0]]);
        check_grad_fn(|x: &[f64]| x[0] * x[1], g, &[3.0, 4.0]).assert_ok();
        let wrong = |x: &[f64]| (x[0] * x[1], [x[0], x[1]]);
        assert!(!check_grad_fn(|x: &[f64]| x[0] * x[1], wrong, &[3.0, 4.0])
            .passes(Tolerance::default()));
    }

    #[test]
    fn f32_with_its_own_default_tolerance() {
        let f = |x: &[f32]| x[0].exp() * x[1];
        let x = [0.5f32, 2.0];
        let right = [0.5f32.exp() * 2.0, 0.5f32.exp()];
        let report = check_gradient(f, &x, &right);
        report.assert_ok();
        let wrong = [right[0], 0.5f32.exp() * 1.01];
        assert!(!check_gradient(f, &x, &wrong).passes(Tolerance::default()));
    }

    #[derive(Clone, Debug, Default, crate::Params)]
    struct Net {
        w: [[f64; 2]; 2],
        b: [f64; 2],
        c: f64,
    }

    /// loss = Σ_i tanh(w_i · x + b_i) + c², x = [1, -2].
    fn net_loss(n: &Net) -> f64 {
        let x = [1.0, -2.0];
        (0..2)
            .map(|i| (n.w[i][0] * x[0] + n.w[i][1] * x[1] + n.b[i]).tanh())
            .sum::<f64>()
            + n.c * n.c
    }

    fn net_grad(n: &Net) -> Net {
        let x = [1.0, -2.0];
        let mut g = Net {
            c: 2.0 * n.c,
            ..Net::default()
        };
        for i in 0..2 {
            let t = (n.w[i][0] * x[0] + n.w[i][1] * x[1] + n.b[i]).tanh();
            let d = 1.0 - t * t;
            g.w[i] = [d * x[0], d * x[1]];
            g.b[i] = d;
        }
        g
    }

    #[test]
    fn params_check_names_coordinates_by_slice() {
        let n = Net {
            w: [[0.1, 0.4], [-0.3, 0.2]],
            b: [0.05, -0.1],
            c: 0.7,
        };
        let right = net_grad(&n);
        let report = check_params_gradient(net_loss, &n, &right);
        assert_eq!(report.analytic.len(), 7);
        report.assert_ok();

        let mut wrong = right.clone();
        wrong.w[1][0] *= -1.0;
        let report = check_params_gradient(net_loss, &n, &wrong);
        assert_eq!(report.max_abs_at, 2);
        assert_eq!(report.coordinate(2), "w[1][0]");
        assert_eq!(report.coordinate(4), "b[0]");
        assert_eq!(report.coordinate(6), "c");
        assert_eq!(report.failures(Tolerance::default()), [2]);
        assert_eq!(report.value, net_loss(&n));
    }

    #[test]
    fn params_check_names_coordinates_of_nested_models() {
        #[derive(Clone, Debug, crate::Params)]
        struct Outer {
            layers: Vec<Net>,
        }
        let n = Net {
            w: [[0.1, 0.4], [-0.3, 0.2]],
            b: [0.05, -0.1],
            c: 0.7,
        };
        let outer = Outer {
            layers: vec![n.clone(), n.clone()],
        };
        let loss = |m: &Outer| m.layers.iter().map(net_loss).sum::<f64>();
        let mut grads = Outer {
            layers: vec![net_grad(&n), net_grad(&n)],
        };
        check_params_gradient(loss, &outer, &grads).assert_ok();
        grads.layers[1].w[1][0] += 1.0;
        let report = check_params_gradient(loss, &outer, &grads);
        assert_eq!(report.max_abs_at, 7 + 2);
        assert_eq!(report.coordinate(report.max_abs_at), "layers[1].w[1][0]");
        assert_eq!(report.coordinate(13), "layers[1].c");
    }

    #[test]
    fn display_reports_worst_errors() {
        // The central difference of the identity is exactly 1.
        let report = check_gradient(|x: &[f64]| x[0], &[1.0], &[3.0]);
        let text = report.to_string();
        assert!(
            text.starts_with("gradient check of 1 coordinates at f = 1\n"),
            "{text}"
        );
        assert!(
            text.contains("worst absolute error 2.000e0 at x[0]: analytic 3, numeric 1"),
            "{text}"
        );
        assert!(
            text.contains("worst relative error 6.667e-1 at x[0]"),
            "{text}"
        );
    }

    #[test]
    fn empty_input_passes() {
        let report = check_gradient(|_: &[f64]| 1.0, &[], &[]);
        assert_eq!((report.max_abs_error, report.max_rel_error), (0.0, 0.0));
        report.assert_ok();
    }

    #[test]
    #[should_panic(expected = "the analytic gradient has 2 entries but x has 3")]
    fn length_mismatch_panics() {
        check_gradient(f, &X, &[0.0, 0.0]);
    }
}
