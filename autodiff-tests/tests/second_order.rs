//! Second order (`#[grad(modes(hvp, hessian))]`): `NAME_hvp` against central differences of
//! `NAME_grad` along the direction on random inputs, its gradient against `NAME_grad`
//! exactly, `NAME_hessian` against `NAME_hvp` on unit directions and symmetric, and the
//! Hessians of Rosenbrock and of logistic regression against their hand-derived formulas.
#![allow(clippy::needless_range_loop)] // index loops are what is being differentiated

mod common;

use autodiff::{activation, grad, loss, Float};
use common::Rng;

#[track_caller]
fn assert_all_close(a: &[f64], b: &[f64], rel: f64, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        let tol = rel * (1.0 + x.abs().max(y.abs()));
        assert!((x - y).abs() <= tol, "{what}[{i}]: {x} vs {y}");
    }
}

/// Central difference of a gradient along `v`: what the Hessian times `v` approximates.
fn gradient_difference(grad: &dyn Fn(&[f64]) -> Vec<f64>, x: &[f64], v: &[f64]) -> Vec<f64> {
    let h = 1e-5;
    let at = |s: f64| -> Vec<f64> { x.iter().zip(v).map(|(a, b)| a + s * b).collect() };
    let (p, m) = (grad(&at(h)), grad(&at(-h)));
    p.iter().zip(&m).map(|(a, b)| (a - b) / (2.0 * h)).collect()
}

// ----- functions over one slice: loops, branches, calls, every kind of primitive -------------

#[grad(modes(hvp, hessian))]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut total = 0.0;
    for i in 0..x.len() / 2 {
        let (a, b) = (x[2 * i], x[2 * i + 1]);
        total += 100.0 * (b - a * a).powi(2) + (1.0 - a).powi(2);
    }
    total
}

/// A recurrence: a taped loop, not a fused one.
#[grad(modes(hvp, hessian))]
fn recurrence(w: &[f64]) -> f64 {
    let mut x = 0.3;
    for t in 0..w.len() {
        x = (x * w[t]).sin() + 0.5 * x;
    }
    x * x
}

/// Branches on values, kinks away from the sample points, transcendental functions.
#[grad(modes(hvp, hessian))]
fn branchy(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let v = x[i];
        s += if v > 0.0 {
            v.exp() * v.cos()
        } else {
            (v * v + 1.0).ln() / (2.0 + v.sin())
        };
    }
    let m = x[0].max(x[1]);
    s * m.tanh() + x[0].atan2(x[1] + 3.0) + (x[1] * x[1] + 0.5).sqrt().powf(1.5)
}

/// A local array updated in nested loops, read back later.
#[grad(modes(hvp, hessian))]
fn local_arrays(x: &[f64]) -> f64 {
    let mut h = [0.0; 3];
    for j in 0..3 {
        for i in 0..x.len() {
            h[j] += (x[i] * (j as f64 + 1.0)).sin() * x[(i + j) % x.len()];
        }
    }
    let mut out = 0.0;
    for j in 0..3 {
        out += h[j] * h[j] - h[j].exp();
    }
    out
}

#[grad(modes(hvp))]
fn softplus_sum(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += (1.0 + x[i].exp()).ln() * x[i];
    }
    s
}

/// A call of another `#[grad]` function with `modes(hvp)`, and of the runtime's.
#[grad(modes(hvp, hessian))]
fn calls(x: &[f64]) -> f64 {
    let a = softplus_sum(x);
    let b = activation::sigmoid(x[0] * x[1]);
    a * b + loss::bce_with_logits(x[1] - x[0], 0.3) + activation::log_sum_exp(x)
}

type Scalar = fn(&[f64]) -> f64;
type Grad = fn(&[f64]) -> Vec<f64>;
type Hvp = fn(&[f64], &[f64]) -> (f64, Vec<f64>, Vec<f64>);

const SLICE_FUNCTIONS: &[(&str, Scalar, Grad, Hvp)] = &[
    (
        "rosenbrock",
        rosenbrock,
        |x| rosenbrock_grad(x).1,
        rosenbrock_hvp,
    ),
    (
        "recurrence",
        recurrence,
        |x| recurrence_grad(x).1,
        recurrence_hvp,
    ),
    ("branchy", branchy, |x| branchy_grad(x).1, branchy_hvp),
    (
        "local_arrays",
        local_arrays,
        |x| local_arrays_grad(x).1,
        local_arrays_hvp,
    ),
    (
        "softplus_sum",
        softplus_sum,
        |x| softplus_sum_grad(x).1,
        softplus_sum_hvp,
    ),
    ("calls", calls, |x| calls_grad(x).1, calls_hvp),
];

#[test]
fn hessian_vector_products_are_differences_of_gradients_on_random_inputs() {
    let mut rng = Rng::new(17);
    for (name, f, grad, hvp) in SLICE_FUNCTIONS {
        for trial in 0..25 {
            let n = 2 + 2 * rng.below(3);
            let x = rng.vec(n, -1.5, 1.5);
            let v = rng.vec(n, -1.0, 1.0);
            let (value, g, hv) = hvp(&x, &v);
            let what = format!("{name} trial {trial}");
            assert_eq!(value, f(&x), "{what}: value");
            // The gradient is the first-order sweep's, on the values of dual numbers.
            assert_all_close(&g, &grad(&x), 1e-14, &format!("{what}: gradient"));
            let fd = gradient_difference(grad, &x, &v);
            assert_all_close(&hv, &fd, 1e-6, &format!("{what}: Hv"));
        }
    }
}

#[test]
fn hessians_are_symmetric_and_their_rows_are_products_with_unit_directions() {
    type Hessian = fn(&[f64]) -> (f64, Vec<f64>, Vec<Vec<f64>>);
    let cases: &[(&str, Hessian, Hvp)] = &[
        ("rosenbrock", rosenbrock_hessian, rosenbrock_hvp),
        ("recurrence", recurrence_hessian, recurrence_hvp),
        ("branchy", branchy_hessian, branchy_hvp),
        ("local_arrays", local_arrays_hessian, local_arrays_hvp),
        ("calls", calls_hessian, calls_hvp),
    ];
    let mut rng = Rng::new(5);
    for (name, hessian, hvp) in cases {
        let x = rng.vec(4, -1.0, 1.0);
        let (value, g, h) = hessian(&x);
        assert_eq!(h.len(), 4);
        for i in 0..4 {
            let mut e = vec![0.0; 4];
            e[i] = 1.0;
            let (v, g_i, row) = hvp(&x, &e);
            assert_eq!((v, &g_i), (value, &g), "{name}");
            assert_eq!(h[i], row, "{name}: row {i}");
            for j in 0..4 {
                let tol = 1e-12 * (1.0 + h[i][j].abs());
                assert!(
                    (h[i][j] - h[j][i]).abs() <= tol,
                    "{name}: H[{i}][{j}] {h:?}"
                );
            }
        }
    }
}

#[test]
fn rosenbrock_hessian_is_the_hand_derived_one() {
    let mut rng = Rng::new(3);
    for _ in 0..20 {
        let x = rng.vec(6, -2.0, 2.0);
        let (_, _, h) = rosenbrock_hessian(&x);
        for i in 0..3 {
            let (a, b) = (x[2 * i], x[2 * i + 1]);
            let (p, q) = (2 * i, 2 * i + 1);
            let expected = [
                (p, p, 1200.0 * a * a - 400.0 * b + 2.0),
                (p, q, -400.0 * a),
                (q, p, -400.0 * a),
                (q, q, 200.0),
            ];
            for (r, c, e) in expected {
                assert!((h[r][c] - e).abs() < 1e-10 * (1.0 + e.abs()), "H[{r}][{c}]");
            }
            for c in (0..6).filter(|&c| c / 2 != i) {
                assert_eq!(h[p][c], 0.0);
                assert_eq!(h[q][c], 0.0);
            }
        }
    }
}

/// The empty slice: no coordinates, the value still comes back.
#[test]
fn a_hessian_of_no_coordinates_is_empty() {
    let (value, g, h) = rosenbrock_hessian(&[]);
    assert_eq!((value, g, h), (0.0, Vec::new(), Vec::<Vec<f64>>::new()));
}

// ----- several parameters, data, fixed sizes, fallible and generic functions -----------------

/// Mean logistic loss: `w` and `b` differentiated, the data not.
#[grad(w, b, modes(hvp))]
fn logistic(w: &[f64], b: f64, xs: &[f64], ys: &[f64]) -> f64 {
    let d = w.len();
    let mut total = 0.0;
    for i in 0..ys.len() {
        let mut z = b;
        for j in 0..d {
            z += w[j] * xs[i * d + j];
        }
        total += loss::bce_with_logits(z, ys[i]);
    }
    total / ys.len() as f64
}

#[grad(w, modes(hessian))]
fn logistic_w(w: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
    logistic(w, 0.0, xs, ys)
}

#[test]
fn the_logistic_hessian_is_x_transpose_s_x_over_n() {
    let mut rng = Rng::new(11);
    let (n, d) = (40, 3);
    let xs = rng.vec(n * d, -2.0, 2.0);
    let ys: Vec<f64> = (0..n).map(|_| rng.below(2) as f64).collect();
    let w = rng.vec(d, -1.0, 1.0);
    let (_, _, h) = logistic_w_hessian(&w, &xs, &ys);
    for r in 0..d {
        for c in 0..d {
            let mut expected = 0.0;
            for i in 0..n {
                let z: f64 = (0..d).map(|j| w[j] * xs[i * d + j]).sum();
                let p = 1.0 / (1.0 + (-z).exp());
                expected += p * (1.0 - p) * xs[i * d + r] * xs[i * d + c];
            }
            expected /= n as f64;
            assert!((h[r][c] - expected).abs() < 1e-12, "H[{r}][{c}]");
        }
    }
    // With the bias too: one direction per differentiated parameter.
    let (v_w, v_b) = (rng.vec(d, -1.0, 1.0), 0.7);
    let (value, (g_w, g_b), (hv_w, hv_b)) = logistic_hvp(&w, 0.2, &xs, &ys, &v_w, v_b);
    let (value_1, (g_w_1, g_b_1)) = logistic_grad(&w, 0.2, &xs, &ys);
    assert_eq!((value, g_b), (value_1, g_b_1));
    assert_all_close(&g_w, &g_w_1, 1e-14, "gradient");
    let packed = |w: &[f64]| -> Vec<f64> {
        let (_, (g_w, g_b)) = logistic_grad(&w[..d], w[d], &xs, &ys);
        g_w.into_iter().chain([g_b]).collect()
    };
    let at: Vec<f64> = w.iter().copied().chain([0.2]).collect();
    let along: Vec<f64> = v_w.iter().copied().chain([v_b]).collect();
    let fd = gradient_difference(&packed, &at, &along);
    let hv: Vec<f64> = hv_w.into_iter().chain([hv_b]).collect();
    assert_all_close(&hv, &fd, 1e-6, "Hv");
}

/// At zero weights every logit is exactly 0, where the runtime's stable `bce_with_logits`
/// goes through `|z|`: its second derivative must not be lost at the kink of `abs`.
/// Every logit exactly -0.0 (zero weights, negative features): `abs` takes the side `z >= 0`
/// picks, as the stable form's branches do, whatever the sign bit.
#[test]
fn the_logistic_hessian_at_negative_zero_logits_is_a_quarter_of_x_transpose_x() {
    let xs = [-0.5, -1.0, -2.0, -0.3];
    let ys = [1.0, 0.0];
    let (_, _, h) = logistic_w_hessian(&[0.0, 0.0], &xs, &ys);
    for r in 0..2 {
        for c in 0..2 {
            let expected: f64 = (0..2).map(|i| 0.25 * xs[2 * i + r] * xs[2 * i + c]).sum();
            assert!((h[r][c] - expected / 2.0).abs() < 1e-15, "H[{r}][{c}]");
        }
    }
}

/// Numerical Recipes' `erfcc`: `erfc` of `|x|`, the sign put back by `x >= 0`.
#[grad(modes(hvp))]
#[allow(clippy::excessive_precision)]
fn erfcc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let ans = t
        * (-z * z - 1.26551223
            + t * (1.00002368
                + t * (0.37409196
                    + t * (0.09678418
                        + t * (-0.18628806
                            + t * (0.27886807
                                + t * (-1.13520398
                                    + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
            .exp();
    if x >= 0.0 {
        ans
    } else {
        2.0 - ans
    }
}

#[grad(modes(hvp))]
fn normal_cdf(z: f64) -> f64 {
    0.5 * erfcc(-z / std::f64::consts::SQRT_2)
}

/// The newsvendor's `z (1 - Φ(z))`, smooth, at z = 0 (a critical ratio of one half): its
/// second derivative is `-2 φ(0)`. The adjoint of `-z / √2` there is 0 with a tangent of
/// `-1`, which a guard against `0 * inf` that compared the value alone dropped, and `abs`
/// at 0 took one side for the tangent and the other for the value (the sign of the result
/// was wrong).
#[grad(modes(hvp))]
fn times_upper_tail(z: f64) -> f64 {
    z * (1.0 - normal_cdf(z))
}

/// A softplus written through `|z|`: its second derivative at 0 is a quarter.
#[grad(modes(hvp))]
fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

#[test]
fn second_derivatives_through_abs_at_zero_are_those_of_the_smooth_function() {
    let phi0 = 1.0 / (2.0 * std::f64::consts::PI).sqrt();
    // (to erfcc's accuracy, about 1e-7 in erfc, 1e-5 in its second derivative)
    let (_, g, hv) = times_upper_tail_hvp(0.0, 1.0);
    assert!((g - 0.5).abs() < 1e-7, "{g}");
    assert!((hv + 2.0 * phi0).abs() < 1e-4, "{hv}");
    let (_, g, hv) = times_upper_tail_hvp(0.0, -2.0);
    assert!((g - 0.5).abs() < 1e-7, "{g}");
    assert!((hv - 4.0 * phi0).abs() < 2e-4, "{hv}");
    let (_, _, hv) = normal_cdf_hvp(0.0, 1.0);
    assert!(hv.abs() < 1e-3, "{hv}"); // Φ''(0) = 0
    assert_eq!(softplus_hvp(0.0, 1.0), (2f64.ln(), 0.5, 0.25));
}

#[test]
fn the_logistic_hessian_at_zero_weights_is_a_quarter_of_x_transpose_x() {
    let xs = [0.5, -1.0, 2.0, 0.3, 1.0, 1.5];
    let ys = [1.0, 0.0, 1.0];
    let (_, _, h) = logistic_w_hessian(&[0.0, 0.0], &xs, &ys);
    for r in 0..2 {
        for c in 0..2 {
            let expected: f64 = (0..3).map(|i| 0.25 * xs[2 * i + r] * xs[2 * i + c]).sum();
            assert!((h[r][c] - expected / 3.0).abs() < 1e-15, "H[{r}][{c}]");
        }
    }
}

/// A fixed-size parameter: the Hessian is `[[f64; N]; N]`.
#[grad(modes(hvp, hessian))]
fn quadratic_form(x: &[f64; 3]) -> f64 {
    let a = [[4.0, 1.0, 0.5], [1.0, 3.0, -1.0], [0.5, -1.0, 2.0]];
    let mut s = 0.0;
    for i in 0..3 {
        for j in 0..3 {
            s += 0.5 * a[i][j] * x[i] * x[j];
        }
    }
    s + x[0].sin()
}

#[test]
fn a_fixed_size_parameter_has_a_fixed_size_hessian() {
    let x = [0.3, -0.2, 0.9];
    let (_, _, h): (f64, [f64; 3], [[f64; 3]; 3]) = quadratic_form_hessian(&x);
    let a = [[4.0, 1.0, 0.5], [1.0, 3.0, -1.0], [0.5, -1.0, 2.0]];
    for i in 0..3 {
        for j in 0..3 {
            let e = a[i][j] - if i == 0 && j == 0 { x[0].sin() } else { 0.0 };
            assert!(
                (h[i][j] - e).abs() < 1e-14,
                "H[{i}][{j}]: {} vs {e}",
                h[i][j]
            );
        }
    }
}

#[grad(modes(hvp))]
fn scalars(x: f64, y: f64) -> f64 {
    (x * y).exp() + x.powi(3) / y
}

#[test]
fn scalar_parameters_take_scalar_directions() {
    let (x, y) = (0.4, 1.3);
    let (_, (gx, gy), (hx, hy)) = scalars_hvp(x, y, 1.0, 0.0);
    let e = (x * y).exp();
    assert!((gx - (y * e + 3.0 * x * x / y)).abs() < 1e-14);
    assert!((gy - (x * e - x.powi(3) / (y * y))).abs() < 1e-14);
    // Column x of the Hessian.
    assert!((hx - (y * y * e + 6.0 * x / y)).abs() < 1e-13);
    assert!((hy - (e + x * y * e - 3.0 * x * x / (y * y))).abs() < 1e-13);
}

#[grad(modes(hvp))]
fn checked_log(x: &[f64]) -> Result<f64, String> {
    let mut s = 0.0;
    for i in 0..x.len() {
        if x[i] <= 0.0 {
            return Err(format!("x[{i}] = {} is not positive", x[i]));
        }
        s += x[i].ln() * x[i];
    }
    Ok(s)
}

#[test]
fn a_fallible_function_returns_its_error_or_the_product() {
    assert!(checked_log_hvp(&[1.0, -1.0], &[1.0, 1.0]).is_err());
    let (_, g, hv) = checked_log_hvp(&[2.0, 0.5], &[1.0, 3.0]).unwrap();
    assert_all_close(
        &g,
        &[2.0_f64.ln() + 1.0, 0.5_f64.ln() + 1.0],
        1e-15,
        "gradient",
    );
    assert_all_close(&hv, &[1.0 / 2.0, 3.0 / 0.5], 1e-15, "Hv");
}

#[grad(modes(hvp))]
fn generic_energy<T: Float>(x: &[T]) -> T {
    let mut e = T::zero();
    for i in 1..x.len() {
        let d = x[i] - x[i - 1];
        e = e + d * d * d.cosh();
    }
    e
}

#[test]
fn a_generic_function_has_an_hvp_for_each_float_type() {
    let x = [0.1, 0.5, -0.3, 0.8];
    let v = [0.2, -1.0, 0.4, 0.3];
    let (_, _, hv) = generic_energy_hvp(&x[..], &v[..]);
    let grad = |x: &[f64]| generic_energy_grad(x).1;
    assert_all_close(&hv, &gradient_difference(&grad, &x, &v), 1e-6, "f64");
    let x32: Vec<f32> = x.iter().map(|&a| a as f32).collect();
    let v32: Vec<f32> = v.iter().map(|&a| a as f32).collect();
    let (_, _, hv32) = generic_energy_hvp(&x32[..], &v32[..]);
    for (a, b) in hv32.iter().zip(&hv) {
        assert!((f64::from(*a) - b).abs() < 1e-4 * (1.0 + b.abs()));
    }
}

#[test]
#[should_panic(expected = "the direction `v_x` has 2 elements but `x` has 4")]
fn a_direction_of_the_wrong_length_panics_naming_it() {
    let _ = rosenbrock_hvp(&[1.0, 2.0, 3.0, 4.0], &[1.0, 0.0]);
}

// ----- regressions found by the random-program tester (second-order rows) --------------------

const EPS: f64 = -1.125;
const TABLE: &[f64] = &[1.125, 1.625];
const FIXED: [f64; 2] = [0.5, -2.0];

#[grad(modes(hvp))]
fn product(x: f64, y: f64) -> f64 {
    x * y * x
}

#[grad(modes(hvp))]
fn weighted(w: &[f64], x: f64) -> f64 {
    w[1] * x * x * x + w[0] * x
}

#[grad(modes(hvp))]
fn weighted_fixed(w: [f64; 2], x: f64) -> f64 {
    w[1] * x * x * x + w[0] * x
}

/// A scalar `const` passed to a call (the macro cannot see that it is not an array).
#[grad(modes(hvp))]
fn scalar_const_argument(x: f64) -> f64 {
    product(x, EPS)
}

/// Constant tables passed by value: a slice reference and a fixed-size array.
#[grad(modes(hvp))]
fn const_table_arguments(x: f64) -> f64 {
    weighted(TABLE, x) + weighted_fixed(FIXED, x)
}

#[grad]
fn pair(x: f64) -> [f64; 2] {
    [x, 2.0 * x]
}

/// An array a call returns on data, written with a value that depends on the parameter.
#[grad(modes(hvp))]
fn data_array_then_written(x: f64) -> f64 {
    let mut y = pair(0.5);
    y[1] += x * x;
    y[1] * y[0] * x
}

#[test]
fn constants_and_data_arrays_reach_calls_on_dual_numbers() {
    let x = 0.7;
    let (_, g, h) = scalar_const_argument_hvp(x, 1.0);
    assert!((g - 2.0 * EPS * x).abs() < 1e-15 && (h - 2.0 * EPS).abs() < 1e-15);
    let (_, g, h) = const_table_arguments_hvp(x, 1.0);
    let (a, b) = (TABLE[1] + FIXED[1], TABLE[0] + FIXED[0]);
    assert!((g - (3.0 * a * x * x + b)).abs() < 1e-14);
    assert!((h - 6.0 * a * x).abs() < 1e-14);
    // (0.5 x² + 0.5) x: gradient 1.5 x² + 0.5, second derivative 3 x.
    let (_, g, h) = data_array_then_written_hvp(x, 1.0);
    assert!((g - (1.5 * x * x + 0.5)).abs() < 1e-15 && (h - 3.0 * x).abs() < 1e-15);
}

/// A data struct taken apart by reference (`s: &f64`, `n: &usize`), its number read in the
/// dual sweep of `NAME_hvp` and in forward mode.
struct Scaled {
    n: usize,
    s: f64,
}

#[grad(x, modes(hvp, tangent))]
fn scaled_cubes(x: &[f64], cfg: &Scaled) -> f64 {
    let Scaled { n, s } = cfg;
    let mut acc = 0.0;
    for i in 0..*n {
        acc += (x[i] * s).powi(3);
    }
    acc
}

#[test]
fn destructured_data_reaches_dual_numbers() {
    let cfg = Scaled { n: 2, s: 2.0 };
    let x = [1.0, 2.0, 5.0];
    // 8 x³ summed over the first two: gradient 24 x², Hessian diagonal 48 x.
    let (v, g, hv) = scaled_cubes_hvp(&x, &cfg, &[1.0, -1.0, 1.0]);
    assert_eq!(
        (v, g, hv),
        (72.0, vec![24.0, 96.0, 0.0], vec![48.0, -96.0, 0.0])
    );
    let (_, t) = scaled_cubes_tangent(&x, &cfg, &[0.5, 1.0, 1.0]);
    assert_eq!(t, 24.0 * 0.5 + 96.0);
}

// ----- constructs added in session 14, under every mode -----

#[grad(modes(tangent, hvp))]
fn complex_cube_parts(a: f64, b: f64) -> f64 {
    let mut z = (1.0, 0.0);
    for _ in 0..3 {
        z = (z.0 * a - z.1 * b, z.0 * b + z.1 * a);
    }
    z.0 + z.1
}

#[allow(unused_assignments)]
#[grad(modes(tangent, hvp))]
fn weighted_in_reverse(x: &[f64]) -> f64 {
    let mut idx = Vec::new();
    idx = (0..x.len()).rev().collect();
    let mut s = 0.0;
    for (k, &i) in idx.iter().enumerate() {
        s += (k as f64 + 1.0) * x[i] * x[i];
    }
    s
}

#[grad(modes(tangent, hvp))]
fn found_times_second_square(x: &[f64], s: f64) -> f64 {
    x.iter().map(|v| v * s).find(|v| *v > 0.5).unwrap_or(s)
        * x.iter().map(|v| v * v).nth(1).unwrap()
}

#[grad(modes(tangent, hvp))]
fn largest_other_square(x: &[f64]) -> f64 {
    x.iter()
        .copied()
        .enumerate()
        .filter(|&(i, _)| i != 0)
        .map(|(_, v)| v * v)
        .max_by(|a, b| a.total_cmp(b))
        .unwrap()
}

#[grad(modes(tangent, hvp))]
fn mapped_rows_product(a: &[[f64; 2]; 2]) -> f64 {
    let m = a.map(|r| [r[0] * r[1], r[1]]);
    m[0][0] * m[1][1]
}

#[test]
fn new_constructs_under_tangent_and_hvp() {
    let h = 1e-5;
    let (a, b) = (0.7, 0.3);
    let (_, (d_a, _)) = complex_cube_parts_grad(a, b);
    assert!((complex_cube_parts_tangent(a, b, 1.0, 0.0).1 - d_a).abs() < 1e-12);
    let (_, _, (hv_a, _)) = complex_cube_parts_hvp(a, b, 1.0, 0.0);
    let fd = (complex_cube_parts_grad(a + h, b).1 .0 - complex_cube_parts_grad(a - h, b).1 .0)
        / (2.0 * h);
    assert!((hv_a - fd).abs() < 1e-6, "{hv_a} {fd}");

    // sum over k of (k + 1) x[n - 1 - k]^2: x[0] has weight n.
    let x = vec![0.3, 0.9, -0.4];
    let e0 = [1.0, 0.0, 0.0];
    let (_, g) = weighted_in_reverse_grad(&x);
    assert!((weighted_in_reverse_tangent(&x, &e0[..]).1 - g[0]).abs() < 1e-12);
    let (_, _, hv) = weighted_in_reverse_hvp(&x, &e0[..]);
    assert_eq!(hv, vec![6.0, 0.0, 0.0]);

    let e1 = [0.0, 1.0, 0.0];
    let (_, (d_x, _)) = found_times_second_square_grad(&x, 1.0);
    let (_, jv) = found_times_second_square_tangent(&x, 1.0, &e1[..], 0.0);
    assert!((jv - d_x[1]).abs() < 1e-12);
    let (_, _, (hv_x, _)) = found_times_second_square_hvp(&x, 1.0, &e1[..], 0.0);
    let (mut up, mut down) = (x.clone(), x.clone());
    up[1] += h;
    down[1] -= h;
    let fd = (found_times_second_square_grad(&up, 1.0).1 .0[1]
        - found_times_second_square_grad(&down, 1.0).1 .0[1])
        / (2.0 * h);
    assert!((hv_x[1] - fd).abs() < 1e-5, "{} {fd}", hv_x[1]);

    let (_, g) = largest_other_square_grad(&x);
    assert!((largest_other_square_tangent(&x, &e1[..]).1 - g[1]).abs() < 1e-12);
    let (_, _, hv) = largest_other_square_hvp(&x, &e1[..]);
    assert_eq!(hv, vec![0.0, 2.0, 0.0]);

    // a00 a01 a11: the mixed second derivative in a00 and a11 is a01.
    let a = [[1.0, 2.0], [3.0, 4.0]];
    let d = [[1.0, 0.0], [0.0, 0.0]];
    let (_, g) = mapped_rows_product_grad(&a);
    assert!((mapped_rows_product_tangent(&a, &d).1 - g[0][0]).abs() < 1e-12);
    let (_, _, hv) = mapped_rows_product_hvp(&a, &d);
    assert_eq!(hv, [[0.0, 4.0], [0.0, 2.0]]);
}

// ----- Found by probes: on dual numbers -----

/// An angle in degrees: `to_radians`' factor was an `f64` divided by a dual number (E0277).
#[grad(modes(hvp))]
fn sine_of_degrees(a: f64) -> f64 {
    a.to_radians().sin() + a.to_degrees().cos()
}

#[grad(x, modes(hvp))]
fn squares_of_pairs(x: &[f64]) -> f64 {
    x.iter().map(|a| a * a).sum::<f64>()
}

/// A scratch vector refilled per iteration and lent to a call: the forward sweep on dual
/// numbers passed it by the name of its copy for the reverse sweep (E0425 `saved_1`).
#[grad(modes(hvp))]
fn refilled_pairs(x: &[f64]) -> f64 {
    let mut z = vec![0.0; 2];
    let mut s = 0.0;
    for r in 0..x.len() - 1 {
        z[0] = x[r];
        z[1] = x[r + 1] * x[r];
        s = s * 0.5 + squares_of_pairs(&z) * 0.5 + activation::log_sum_exp(&z);
    }
    s
}

/// The runtime's multi-label losses on dual numbers (they had no `_dual_adjoint`).
#[grad(w, modes(hvp))]
fn multi_label(w: &[f64], targets: &[f64]) -> f64 {
    let logits: Vec<f64> = w.iter().map(|v| v * 2.0).collect();
    let probs: Vec<f64> = w.iter().map(|v| activation::sigmoid(*v)).collect();
    loss::multilabel_bce_with_logits(&logits, targets) + loss::multilabel_bce(&probs, targets)
}

#[test]
fn second_order_through_to_radians_scratch_calls_and_multi_label_losses() {
    let h = 1e-5;
    let scalar_fd = |g: &dyn Fn(f64) -> f64, a: f64| (g(a + h) - g(a - h)) / (2.0 * h);
    for a in [-40.0, 10.0, 30.0, 95.0] {
        let (value, g, hv) = sine_of_degrees_hvp(a, 1.0);
        assert_eq!(value, sine_of_degrees(a));
        let fd = scalar_fd(&|a| sine_of_degrees_grad(a).1, a);
        assert!((hv - fd).abs() < 1e-6 * (1.0 + fd.abs()), "{hv} vs {fd}");
        assert!((g - sine_of_degrees_grad(a).1).abs() < 1e-15);
    }
    let mut rng = Rng::new(77);
    for _ in 0..10 {
        let x = rng.vec(4, -1.0, 1.0);
        let v = rng.vec(4, -1.0, 1.0);
        let (value, g, hv) = refilled_pairs_hvp(&x, &v);
        let (want, want_g) = refilled_pairs_grad(&x);
        assert_eq!(value, want);
        assert_all_close(&g, &want_g, 1e-14, "refilled gradient");
        let fd = gradient_difference(&|x| refilled_pairs_grad(x).1, &x, &v);
        assert_all_close(&hv, &fd, 1e-6, "refilled Hv");

        let w = rng.vec(3, -2.0, 2.0);
        let targets = [1.0, 0.0, 1.0];
        let (value, g, hv) = multi_label_hvp(&w, &targets, &v[..3]);
        let (want, want_g) = multi_label_grad(&w, &targets);
        assert!((value - want).abs() < 1e-14);
        assert_all_close(&g, &want_g, 1e-14, "multi-label gradient");
        let fd = gradient_difference(&|w| multi_label_grad(w, &targets).1, &w, &v[..3]);
        assert_all_close(&hv, &fd, 1e-6, "multi-label Hv");
    }
}

fn check_finite(x: f64) {
    assert!(x.is_finite(), "not finite: {x}");
}

/// A call of a function returning `()` on a differentiated value: called on the values on
/// dual numbers too (it was called as `check_finite_dual_adjoint`, E0425).
#[grad(modes(hvp))]
fn checked_product(x: f64, y: f64) -> f64 {
    let s = x * y;
    check_finite(s);
    s * s
}

#[test]
fn a_call_for_its_effect_on_dual_numbers() {
    let (value, gradient, hv) = checked_product_hvp(2.0, 3.0, 1.0, 0.0);
    // s^2 = x^2 y^2: gradient (2 x y^2, 2 x^2 y), Hessian [[2 y^2, 4 x y], [4 x y, 2 x^2]].
    assert_eq!((value, gradient, hv), (36.0, (36.0, 24.0), (18.0, 24.0)));
}

#[test]
#[should_panic(expected = "not finite")]
fn the_effect_runs_on_dual_numbers() {
    checked_product_hvp(f64::INFINITY, 3.0, 1.0, 0.0);
}

// ----- Parameters read as data in code passed through, on dual numbers (probe) -----
// `assert!(x > ..)`, an error built from a parameter, `(0.0..=1.0).contains(&t)`,
// `t.to_bits()` read the dual number itself in `_hvp` (errors inside generated code; an
// error message that printed `-2 + 1ε`): they read its value, as in the other sweeps.

#[derive(Debug, PartialEq)]
enum DomainError {
    NotPositive(f64),
}

#[grad(modes(hvp))]
fn guarded_log(x: f64, t: f64) -> Result<f64, DomainError> {
    assert!(x > -100.0, "x = {x}");
    if x <= 0.0 {
        return Err(DomainError::NotPositive(x));
    }
    let k = if (0.0..=1.0).contains(&t) { t * t } else { t };
    if t.to_bits() == 0 {
        return Ok(0.0);
    }
    Ok(x.ln() * k)
}

#[grad(modes(hvp))]
fn described(x: f64) -> Result<f64, String> {
    if x <= 0.0 {
        return Err(format!("bad {x}"));
    }
    Ok(x.sqrt())
}

#[test]
fn parameters_read_as_data_on_dual_numbers() {
    assert_eq!(
        guarded_log_hvp(-2.0, 0.5, 1.0, 1.0),
        Err(DomainError::NotPositive(-2.0))
    );
    assert_eq!(described_hvp(-2.0, 1.0), Err("bad -2".to_string()));
    // f = ln(x) t² for t in [0, 1]: Hv with v = (1, 1) is (-t²/x² + 2t/x, 2t/x + 2 ln x).
    let (x, t) = (2.0f64, 0.5f64);
    let (value, (gx, gt), (hx, ht)) = guarded_log_hvp(x, t, 1.0, 1.0).unwrap();
    assert_eq!(value, x.ln() * t * t);
    assert!((gx - t * t / x).abs() < 1e-15 && (gt - 2.0 * t * x.ln()).abs() < 1e-15);
    assert!((hx - (-t * t / (x * x) + 2.0 * t / x)).abs() < 1e-15);
    assert!((ht - (2.0 * t / x + 2.0 * x.ln())).abs() < 1e-15);
}

// ----- code passed through that reads a differentiated array, on dual numbers (probe) -----
// `x.iter().any(|&v| v < 0.0)`, `.count()`, `.position(..)`, `(0.0..=1.0).contains(&x[0])`,
// `KNOTS.partition_point(|&k| k < x[0])`, a plain function of the array, `x[0].to_bits()`:
// under `modes(hvp)` they read `Dual<f64>` elements where they were written for `f64`
// (errors inside generated code); they read a copy of the values now.

const KNOTS: [f64; 3] = [0.0, 1.0, 2.0];

fn positives(x: &[f64]) -> usize {
    x.iter().filter(|&&v| v > 0.0).count()
}

#[grad(modes(hvp))]
#[allow(clippy::manual_unwrap_or)] // the `if let` form is the case under test
fn reads_the_array_as_data(x: &[f64; 3], w: &[f64]) -> f64 {
    let p: usize = positives(w);
    let c = x.iter().filter(|&&v| v > 0.0).count() + p;
    let at = x.iter().position(|&v| v > 1.5).unwrap_or(0);
    let bin = KNOTS.partition_point(|&k| k < x[0]);
    let inside = (0.0..=1.0).contains(&x[1]);
    let scale = if x.iter().any(|&v| v < -10.0) {
        0.0
    } else {
        1.0
    };
    let top = if let Some(m) = x.iter().copied().reduce(f64::max) {
        m
    } else {
        0.0
    };
    let parity = (x[2].to_bits() & 1) as f64;
    let base = c as f64 * x[0] * x[1] + at as f64 * x[2] * x[2] + bin as f64 * x[1];
    let extra = if inside { x[0].exp() } else { x[2].sin() };
    scale * (base + extra + top * top * w[0]) + parity * 0.0
}

#[test]
fn pass_through_reads_of_arrays_on_dual_numbers() {
    let w = [0.5, -1.0, 2.0];
    let grad = |x: &[f64; 3]| reads_the_array_as_data_grad(x, &w).1 .0;
    for x in [[0.5, 0.25, 2.0], [1.7, 3.0, -0.5], [-0.5, 0.75, 1.75]] {
        for v in [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.3, -0.2, 0.9]] {
            let (value, (g, _), (hv, _)) = reads_the_array_as_data_hvp(&x, &w, &v, &[0.0; 3]);
            assert_eq!(value, reads_the_array_as_data(&x, &w));
            assert_eq!(g, grad(&x));
            let h = 1e-6;
            let plus: [f64; 3] = std::array::from_fn(|i| x[i] + h * v[i]);
            let minus: [f64; 3] = std::array::from_fn(|i| x[i] - h * v[i]);
            let (gp, gm) = (grad(&plus), grad(&minus));
            for i in 0..3 {
                let fd = (gp[i] - gm[i]) / (2.0 * h);
                assert!(
                    (hv[i] - fd).abs() < 1e-5 * (1.0 + fd.abs()),
                    "{x:?} {v:?} {i}: {} vs {fd}",
                    hv[i]
                );
            }
        }
    }
}

// ----- calls of functions that return an array, a `Vec` or a matrix ----------------------------

const DT: f64 = 0.05;

/// A pendulum's dynamics: `modes(hvp)` on an array function writes its `_dual_adjoint` only.
#[grad(modes(hvp))]
fn pendulum(s: [f64; 2], u: f64) -> [f64; 2] {
    [s[1], -9.81 * s[0].sin() - 0.1 * s[1] + u]
}

/// An MPC-style cost: a rollout `s = step(s, u)` over the controls.
#[grad(modes(hvp, hessian))]
fn rollout_cost(u: &[f64]) -> f64 {
    let mut s = [0.5, 0.0];
    for &ut in u {
        let k = pendulum(s, ut);
        s = [s[0] + DT * k[0], s[1] + DT * k[1]];
    }
    s[0] * s[0] + 0.1 * u.iter().map(|v| v * v).sum::<f64>()
}

#[grad(modes(hvp))]
fn difference(a: &[f64; 3], b: &[f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

#[grad(modes(hvp))]
fn cross(a: &[f64; 3], b: &[f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

#[grad(modes(hvp))]
fn scaled_vec(x: &[f64], s: f64) -> Vec<f64> {
    x.iter().map(|v| v * s).collect()
}

#[grad(modes(hvp))]
fn rotation(t: f64) -> [[f64; 2]; 2] {
    let (s, c) = t.sin_cos();
    [[c, -s], [s, c]]
}

/// Three points' bond vectors, their normal, a scaled copy and a rotation: calls that return
/// a fixed array, a `Vec` and a matrix, one of them (`fixed`) on data only.
#[grad(modes(hvp, hessian))]
fn normal_energy(p: &[f64]) -> f64 {
    let a = [p[0], p[1], p[2]];
    let b = [p[3], p[4], p[5]];
    let c = [p[6], p[7], p[8]];
    let b1 = difference(&b, &a);
    let b2 = difference(&c, &b);
    let n = cross(&b1, &b2);
    let v = scaled_vec(&n, p[0]);
    let r = rotation(p[1]);
    let fixed = rotation(0.25);
    (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt()
        + v[2] * r[0][1]
        + r[1][1] * b2[0] * fixed[1][0]
}

#[test]
fn second_order_goes_through_calls_that_return_arrays() {
    let mut rng = Rng::new(23);
    for trial in 0..20 {
        let u = rng.vec(6, -1.0, 1.0);
        let v = rng.vec(6, -1.0, 1.0);
        let (value, g, hv) = rollout_cost_hvp(&u, &v);
        assert_eq!(value, rollout_cost(&u));
        assert_all_close(&g, &rollout_cost_grad(&u).1, 1e-14, "rollout gradient");
        let fd = gradient_difference(&|x| rollout_cost_grad(x).1, &u, &v);
        assert_all_close(&hv, &fd, 1e-6, &format!("rollout Hv, trial {trial}"));

        let p = rng.vec(9, -1.5, 1.5);
        let v = rng.vec(9, -1.0, 1.0);
        let (value, _, hv) = normal_energy_hvp(&p, &v);
        assert_eq!(value, normal_energy(&p));
        let fd = gradient_difference(&|x| normal_energy_grad(x).1, &p, &v);
        assert_all_close(&hv, &fd, 1e-6, &format!("normal_energy Hv, trial {trial}"));
        let (_, _, h) = normal_energy_hessian(&p);
        for i in 0..9 {
            for j in 0..i {
                assert!((h[i][j] - h[j][i]).abs() <= 1e-10 * (1.0 + h[i][j].abs()));
            }
        }
    }
}

/// hyperopt's adaptive Parzen score: a local closure that takes a data slice and reads its
/// length, under second order (`[Dual<f64>]: Split` inside the generated code before: the
/// Bayesian optimization probe).
#[grad(x, modes(hvp))]
fn parzen_score(x: f64, below: &[f64]) -> f64 {
    let lpdf = |pts: &[f64], x: f64| -> f64 {
        let n = pts.len() as f64;
        let mean = pts.iter().sum::<f64>() / n;
        -(x - mean) * (x - mean) - n.ln()
    };
    lpdf(below, x) + x.sin()
}

#[test]
fn a_closure_reads_the_length_of_a_data_slice_under_second_order() {
    let below = [0.1, 0.5, -0.3];
    let mean = 0.1;
    for x in [0.2, -1.0, 2.5] {
        let (value, g, hv) = parzen_score_hvp(x, &below, 1.5);
        assert_eq!(value, parzen_score(x, &below));
        assert!((g - (-2.0 * (x - mean) + x.cos())).abs() < 1e-12);
        assert!((hv - 1.5 * (-2.0 - x.sin())).abs() < 1e-12);
    }
}

/// The fitted ACES tone map's input matrix (a tone-mapping probe), a `const` table handed
/// whole to a `#[grad]` function under second order: lifted to constants at its own depth,
/// a matrix (its rows were taken for numbers before, E0277 inside the generated code).
const ACES_INPUT: [[f64; 3]; 3] = [
    [0.59719, 0.35458, 0.04823],
    [0.07600, 0.90834, 0.01566],
    [0.02840, 0.13383, 0.83777],
];

#[grad(modes(hvp))]
fn mat_vec(m: &[[f64; 3]; 3], v: &[f64; 3]) -> [f64; 3] {
    let mut out = [0.0; 3];
    for i in 0..3 {
        out[i] = m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2];
    }
    out
}

#[grad(modes(hvp))]
fn luma_of_mapped(v: &[f64; 3]) -> f64 {
    let o = mat_vec(&ACES_INPUT, v);
    0.2126 * o[0] * o[0] + 0.7152 * o[1] + 0.0722 * o[2]
}

#[test]
fn a_constant_matrix_handed_to_a_call_under_second_order() {
    let v = [0.4, 1.3, 2.2];
    let (value, g, hv) = luma_of_mapped_hvp(&v, &[1.0, 0.5, 0.0]);
    assert_eq!(value, luma_of_mapped(&v));
    assert_eq!(g, luma_of_mapped_grad(&v).1);
    // The Hessian is 2 * 0.2126 * m0 m0^T (m0 the matrix's first row).
    let m0 = ACES_INPUT[0];
    let along = m0[0] + 0.5 * m0[1];
    for k in 0..3 {
        assert!((hv[k] - 2.0 * 0.2126 * m0[k] * along).abs() < 1e-14);
    }
}
