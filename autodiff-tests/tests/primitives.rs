//! One row per primitive: the generated gradient against central finite differences over
//! the primitive's own domain, in method form and in path form.

mod common;

use autodiff::grad;
use common::{assert_matches_fd, Rng};

/// One table row: a name, a differentiated function of its float arguments, and a domain
/// per argument.
struct Row {
    name: &'static str,
    f: fn(&[f64]) -> f64,
    grad: fn(&[f64]) -> Vec<f64>,
    domain: &'static [(f64, f64)],
}

// A macro cannot build the identifier `NAME_grad`, so each row names it explicitly.
macro_rules! unary {
    ($name:ident, $grad_fn:ident, |$x:ident| $body:expr, $lo:expr, $hi:expr) => {{
        #[grad]
        fn $name($x: f64) -> f64 {
            $body
        }
        Row {
            name: stringify!($name),
            f: |v| $name(v[0]),
            grad: |v| vec![$grad_fn(v[0]).1],
            domain: &[($lo, $hi)],
        }
    }};
}

macro_rules! binary {
    ($name:ident, $grad_fn:ident, |$x:ident, $y:ident| $body:expr, $d1:expr, $d2:expr) => {{
        #[grad]
        fn $name($x: f64, $y: f64) -> f64 {
            $body
        }
        Row {
            name: stringify!($name),
            f: |v| $name(v[0], v[1]),
            grad: |v| {
                let (_, (a, b)) = $grad_fn(v[0], v[1]);
                vec![a, b]
            },
            domain: &[$d1, $d2],
        }
    }};
}

macro_rules! ternary {
    ($name:ident, $grad_fn:ident, |$x:ident, $y:ident, $z:ident| $body:expr, $d1:expr, $d2:expr, $d3:expr) => {{
        #[grad]
        fn $name($x: f64, $y: f64, $z: f64) -> f64 {
            $body
        }
        Row {
            name: stringify!($name),
            f: |v| $name(v[0], v[1], v[2]),
            grad: |v| {
                let (_, (a, b, c)) = $grad_fn(v[0], v[1], v[2]);
                vec![a, b, c]
            },
            domain: &[$d1, $d2, $d3],
        }
    }};
}

fn table() -> Vec<Row> {
    vec![
        binary!(add, add_grad, |x, y| x + y, (-3.0, 3.0), (-3.0, 3.0)),
        binary!(sub, sub_grad, |x, y| x - y, (-3.0, 3.0), (-3.0, 3.0)),
        binary!(mul, mul_grad, |x, y| x * y, (-3.0, 3.0), (-3.0, 3.0)),
        binary!(div, div_grad, |x, y| x / y, (-3.0, 3.0), (0.5, 3.0)),
        binary!(rem, rem_grad, |x, y| x % y, (-5.0, 5.0), (0.5, 2.0)),
        binary!(
            rem_euclid,
            rem_euclid_grad,
            |x, y| x.rem_euclid(y),
            (-5.0, 5.0),
            (-2.0, 2.0)
        ),
        binary!(
            rem_assign,
            rem_assign_grad,
            |x, y| {
                let mut r = x * x;
                r %= y;
                r
            },
            (-2.0, 2.0),
            (0.5, 2.0)
        ),
        unary!(neg, neg_grad, |x| -x, -3.0, 3.0),
        unary!(exp, exp_grad, |x| x.exp(), -3.0, 3.0),
        unary!(exp2, exp2_grad, |x| x.exp2(), -3.0, 3.0),
        unary!(exp_m1, exp_m1_grad, |x| x.exp_m1(), -3.0, 3.0),
        unary!(ln, ln_grad, |x| x.ln(), 0.1, 5.0),
        unary!(ln_1p, ln_1p_grad, |x| x.ln_1p(), -0.9, 5.0),
        binary!(log, log_grad, |x, b| x.log(b), (0.1, 5.0), (1.5, 5.0)),
        unary!(log10, log10_grad, |x| x.log10(), 0.1, 5.0),
        unary!(log2, log2_grad, |x| x.log2(), 0.1, 5.0),
        unary!(sqrt, sqrt_grad, |x| x.sqrt(), 0.1, 5.0),
        unary!(cbrt, cbrt_grad, |x| x.cbrt(), 0.1, 5.0),
        unary!(powi, powi_grad, |x| x.powi(3), -3.0, 3.0),
        unary!(powi_negative, powi_negative_grad, |x| x.powi(-2), 0.3, 3.0),
        binary!(powf, powf_grad, |x, y| x.powf(y), (0.1, 3.0), (-2.0, 2.0)),
        unary!(recip, recip_grad, |x| x.recip(), 0.3, 3.0),
        unary!(
            to_radians,
            to_radians_grad,
            |x| x.to_radians(),
            -400.0,
            400.0
        ),
        unary!(to_degrees, to_degrees_grad, |x| x.to_degrees(), -7.0, 7.0),
        unary!(sin, sin_grad, |x| x.sin(), -3.0, 3.0),
        unary!(cos, cos_grad, |x| x.cos(), -3.0, 3.0),
        unary!(tan, tan_grad, |x| x.tan(), -1.4, 1.4),
        unary!(asin, asin_grad, |x| x.asin(), -0.9, 0.9),
        unary!(acos, acos_grad, |x| x.acos(), -0.9, 0.9),
        unary!(atan, atan_grad, |x| x.atan(), -3.0, 3.0),
        binary!(
            atan2,
            atan2_grad,
            |y, x| y.atan2(x),
            (-3.0, 3.0),
            (0.2, 3.0)
        ),
        unary!(sinh, sinh_grad, |x| x.sinh(), -3.0, 3.0),
        unary!(cosh, cosh_grad, |x| x.cosh(), -3.0, 3.0),
        unary!(tanh, tanh_grad, |x| x.tanh(), -3.0, 3.0),
        unary!(asinh, asinh_grad, |x| x.asinh(), -3.0, 3.0),
        unary!(acosh, acosh_grad, |x| x.acosh(), 1.1, 5.0),
        unary!(atanh, atanh_grad, |x| x.atanh(), -0.9, 0.9),
        unary!(abs, abs_grad, |x| x.abs(), -3.0, 3.0),
        binary!(max, max_grad, |x, y| x.max(y), (-3.0, 3.0), (-3.0, 3.0)),
        binary!(min, min_grad, |x, y| x.min(y), (-3.0, 3.0), (-3.0, 3.0)),
        binary!(
            hypot,
            hypot_grad,
            |x, y| x.hypot(y),
            (0.2, 3.0),
            (-3.0, 3.0)
        ),
        ternary!(
            mul_add,
            mul_add_grad,
            |x, a, b| x.mul_add(a, b),
            (-3.0, 3.0),
            (-3.0, 3.0),
            (-3.0, 3.0)
        ),
        ternary!(
            clamp,
            clamp_grad,
            |x, lo, hi| x.clamp(lo, hi),
            (-3.0, 3.0),
            (-2.0, -0.5),
            (0.5, 2.0)
        ),
        // Path forms.
        unary!(path_exp, path_exp_grad, |x| f64::exp(x), -3.0, 3.0),
        binary!(
            path_powf,
            path_powf_grad,
            |x, y| f64::powf(x, y),
            (0.1, 3.0),
            (-2.0, 2.0)
        ),
        binary!(
            path_max,
            path_max_grad,
            |x, y| f64::max(x, y),
            (-3.0, 3.0),
            (-3.0, 3.0)
        ),
        unary!(
            trait_path_sin,
            trait_path_sin_grad,
            |x| autodiff::Float::sin(x),
            -3.0,
            3.0
        ),
        // Piecewise constant: zero derivative away from the jumps.
        unary!(floor, floor_grad, |x| x.floor() + x, -3.0, 3.0),
        unary!(ceil, ceil_grad, |x| x.ceil() * x, -3.0, 3.0),
        unary!(round, round_grad, |x| x.round() + x * x, -3.0, 3.0),
        unary!(trunc, trunc_grad, |x| x.trunc() - x, -3.0, 3.0),
        unary!(signum, signum_grad, |x| x.signum() * x, -3.0, 3.0),
        unary!(
            round_ties_even,
            round_ties_even_grad,
            |x| x.round_ties_even() * x,
            -3.0,
            3.0
        ),
        binary!(
            div_euclid,
            div_euclid_grad,
            |x, y| x.div_euclid(y) * x + y,
            (-3.0, 3.0),
            (0.3, 2.0)
        ),
    ]
}

#[test]
fn every_primitive_matches_finite_differences_over_its_domain() {
    let mut rng = Rng::new(7);
    for row in table() {
        for _ in 0..50 {
            let x: Vec<f64> = row
                .domain
                .iter()
                .map(|&(lo, hi)| rng.uniform(lo, hi))
                .collect();
            // Finite differences across a jump or kink say nothing; stay away from them.
            let near_kink = x
                .iter()
                .any(|v| (v - v.round()).abs() < 1e-3 || v.abs() < 1e-3)
                && matches!(
                    row.name,
                    "floor" | "ceil" | "round" | "round_ties_even" | "trunc" | "signum" | "abs"
                );
            // `x % y` jumps where `x / y` is an integer.
            let jump = match row.name {
                "rem" | "rem_euclid" | "div_euclid" => {
                    (x[0] / x[1] - (x[0] / x[1]).round()).abs() < 1e-3 || x[1].abs() < 0.2
                }
                "rem_assign" => (x[0] * x[0] / x[1] - (x[0] * x[0] / x[1]).round()).abs() < 1e-3,
                _ => false,
            };
            let tie = matches!(row.name, "max" | "min" | "path_max") && (x[0] - x[1]).abs() < 1e-3;
            let bound =
                row.name == "clamp" && ((x[0] - x[1]).abs() < 1e-3 || (x[0] - x[2]).abs() < 1e-3);
            if near_kink || jump || tie || bound {
                continue;
            }
            let analytic = (row.grad)(&x);
            assert_matches_fd(&row.f, &x, &analytic, row.name);
        }
    }
}

/// A power series at 0 (`x.powi(0)`, `x.powf(0.0)`: slope 0, not `0 * 0^-1`), `x.powf(y)` at
/// `x = 0` (moves with `y` by 0, not `0 * ln 0`), and `max`/`min` with a NaN operand, which
/// `f64::max` takes for missing: the derivative goes to the other operand. Each was NaN or
/// lost in every mode.
#[grad(modes(tangent, hvp))]
fn power_series(x: f64) -> f64 {
    let c = [1.0, 2.0, 3.0];
    c.iter()
        .enumerate()
        .map(|(i, ci)| ci * x.powi(i as i32))
        .sum::<f64>()
        + x.powf(0.0)
}

#[grad(modes(tangent, hvp))]
fn power(x: f64, y: f64) -> f64 {
    x.powf(y) + x.powf(1.0)
}

#[grad(x, modes(tangent, hvp))]
fn with_missing(x: f64, y: f64) -> f64 {
    x.max(y) * 2.0 + x.min(y)
}

#[test]
fn powers_at_zero_and_nan_operands_have_their_derivatives() {
    // 1 + 2x + 3x^2 + 1: slope 2, curvature 6 at 0.
    assert_eq!(power_series_grad(0.0), (2.0, 2.0));
    assert_eq!(power_series_tangent(0.0, 1.0), (2.0, 2.0));
    assert_eq!(power_series_hvp(0.0, 1.0), (2.0, 2.0, 6.0));
    // x^y + x at (0, 2): d/dx = 2x + 1 = 1, d/dy = x^y ln x -> 0, d2/dx2 = y (y - 1) = 2.
    assert_eq!(power_grad(0.0, 2.0), (0.0, (1.0, 0.0)));
    assert_eq!(power_tangent(0.0, 2.0, 1.0, 1.0), (0.0, 1.0));
    assert_eq!(power_hvp(0.0, 2.0, 1.0, 0.0), (0.0, (1.0, 0.0), (2.0, 0.0)));
    // max(x, NaN) = min(x, NaN) = x.
    assert_eq!(with_missing_grad(2.0, f64::NAN), (6.0, 3.0));
    assert_eq!(
        with_missing_tangent(2.0, f64::NAN, 1.0, autodiff::Const),
        (6.0, 3.0)
    );
    assert_eq!(with_missing_hvp(2.0, f64::NAN, 1.0), (6.0, 3.0, 0.0));
    // A NaN `x` gives `y`, and its derivative none.
    assert_eq!(with_missing_grad(f64::NAN, 1.0), (3.0, 0.0));
}

/// The Weibull cdf `1 - e^(-(x/l)^k)` written with `exp_m1`, as statrs writes it.
#[grad(modes(tangent, hvp))]
fn weibull_cdf(x: f64) -> f64 {
    -(-(x / 2.0).powf(1.5)).exp_m1()
}

#[test]
fn exp_m1_keeps_its_derivative_in_the_tail() {
    // At x = 60 the cdf is 1 and its slope, the pdf, is 1.5/2 (30)^0.5 e^-(30^1.5) ~ 1e-71:
    // `exp_m1(u) + 1` for e^u gave exactly 0.
    let x = 60.0f64;
    let pdf = 0.75 * (x / 2.0).powf(0.5) * (-(x / 2.0).powf(1.5)).exp();
    assert!(pdf > 0.0);
    let (_, slope) = weibull_cdf_grad(x);
    assert!((slope - pdf).abs() <= 1e-12 * pdf, "{slope} vs {pdf}");
    let (_, tangent) = weibull_cdf_tangent(x, 1.0);
    assert!((tangent - pdf).abs() <= 1e-12 * pdf, "{tangent} vs {pdf}");
    let (_, slope, _) = weibull_cdf_hvp(x, 1.0);
    assert!((slope - pdf).abs() <= 1e-12 * pdf, "{slope} vs {pdf}");
}
