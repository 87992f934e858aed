//! Forward mode and Jacobians (`#[grad(modes(tangent, jacobian))]`): `NAME_tangent` against
//! `NAME_adjoint` (<v, Jᵀw> = <J v, w>) and against central finite differences on random
//! inputs, `Const` tangents, and `NAME_jacobian` against both, with the lecture's F: R³ -> R⁴
//! exactly.
#![allow(clippy::needless_range_loop)] // index loops are what is being differentiated

mod common;

use autodiff::{grad, Const, Float};
use common::{assert_close, Rng};

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Central difference of `f` at `x` along `v`.
fn directional(f: &dyn Fn(&[f64]) -> Vec<f64>, x: &[f64], v: &[f64]) -> Vec<f64> {
    let h = 1e-6;
    let shifted = |s: f64| -> Vec<f64> { x.iter().zip(v).map(|(a, b)| a + s * b).collect() };
    let (p, m) = (f(&shifted(h)), f(&shifted(-h)));
    p.iter().zip(&m).map(|(a, b)| (a - b) / (2.0 * h)).collect()
}

#[track_caller]
fn assert_all_close(a: &[f64], b: &[f64], rel: f64, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        let tol = rel * (1.0 + x.abs().max(y.abs()));
        assert!((x - y).abs() <= tol, "{what}[{i}]: {x} vs {y}");
    }
}

// ----- every primitive: the tangent is the rules table's contributions, summed ---------------

struct Row {
    name: &'static str,
    /// (value, tangent along v) at x.
    tangent: fn(&[f64], &[f64]) -> (f64, f64),
    f: fn(&[f64]) -> f64,
    grad: fn(&[f64]) -> Vec<f64>,
    domain: &'static [(f64, f64)],
}

macro_rules! unary {
    ($name:ident, $grad_fn:ident, $tangent_fn:ident, |$x:ident| $body:expr, $lo:expr, $hi:expr) => {{
        #[grad(modes(tangent))]
        fn $name($x: f64) -> f64 {
            $body
        }
        Row {
            name: stringify!($name),
            tangent: |x, v| $tangent_fn(x[0], v[0]),
            f: |v| $name(v[0]),
            grad: |v| vec![$grad_fn(v[0]).1],
            domain: &[($lo, $hi)],
        }
    }};
}

macro_rules! binary {
    ($name:ident, $grad_fn:ident, $tangent_fn:ident, |$x:ident, $y:ident| $body:expr, $d1:expr, $d2:expr) => {{
        #[grad(modes(tangent))]
        fn $name($x: f64, $y: f64) -> f64 {
            $body
        }
        Row {
            name: stringify!($name),
            tangent: |x, v| $tangent_fn(x[0], x[1], v[0], v[1]),
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
    ($name:ident, $grad_fn:ident, $tangent_fn:ident, |$x:ident, $y:ident, $z:ident| $body:expr, $d1:expr, $d2:expr, $d3:expr) => {{
        #[grad(modes(tangent))]
        fn $name($x: f64, $y: f64, $z: f64) -> f64 {
            $body
        }
        Row {
            name: stringify!($name),
            tangent: |x, v| $tangent_fn(x[0], x[1], x[2], v[0], v[1], v[2]),
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
    const ANY: (f64, f64) = (-3.0, 3.0);
    const POSITIVE: (f64, f64) = (0.2, 3.0);
    const UNIT: (f64, f64) = (-0.9, 0.9);
    vec![
        binary!(add, add_grad, add_tangent, |x, y| x + y, ANY, ANY),
        binary!(sub, sub_grad, sub_tangent, |x, y| x - y, ANY, ANY),
        binary!(mul, mul_grad, mul_tangent, |x, y| x * y, ANY, ANY),
        binary!(div, div_grad, div_tangent, |x, y| x / y, ANY, POSITIVE),
        binary!(rem, rem_grad, rem_tangent, |x, y| x % y, ANY, POSITIVE),
        binary!(
            rem_euclid,
            rem_euclid_grad,
            rem_euclid_tangent,
            |x, y| x.rem_euclid(y),
            ANY,
            POSITIVE
        ),
        unary!(neg, neg_grad, neg_tangent, |x| -x, -3.0, 3.0),
        unary!(exp, exp_grad, exp_tangent, |x| x.exp(), -3.0, 3.0),
        unary!(exp2, exp2_grad, exp2_tangent, |x| x.exp2(), -3.0, 3.0),
        unary!(
            exp_m1,
            exp_m1_grad,
            exp_m1_tangent,
            |x| x.exp_m1(),
            -3.0,
            3.0
        ),
        unary!(ln, ln_grad, ln_tangent, |x| x.ln(), 0.1, 5.0),
        unary!(ln_1p, ln_1p_grad, ln_1p_tangent, |x| x.ln_1p(), -0.9, 5.0),
        binary!(
            log,
            log_grad,
            log_tangent,
            |x, b| x.log(b),
            POSITIVE,
            (1.5, 5.0)
        ),
        unary!(log10, log10_grad, log10_tangent, |x| x.log10(), 0.1, 5.0),
        unary!(log2, log2_grad, log2_tangent, |x| x.log2(), 0.1, 5.0),
        unary!(sqrt, sqrt_grad, sqrt_tangent, |x| x.sqrt(), 0.1, 5.0),
        unary!(cbrt, cbrt_grad, cbrt_tangent, |x| x.cbrt(), 0.1, 5.0),
        unary!(powi, powi_grad, powi_tangent, |x| x.powi(3), -3.0, 3.0),
        binary!(
            powf,
            powf_grad,
            powf_tangent,
            |x, y| x.powf(y),
            POSITIVE,
            (-2.0, 2.0)
        ),
        unary!(recip, recip_grad, recip_tangent, |x| x.recip(), 0.3, 3.0),
        unary!(
            to_radians,
            to_radians_grad,
            to_radians_tangent,
            |x| x.to_radians(),
            -400.0,
            400.0
        ),
        unary!(
            to_degrees,
            to_degrees_grad,
            to_degrees_tangent,
            |x| x.to_degrees(),
            -7.0,
            7.0
        ),
        unary!(sin, sin_grad, sin_tangent, |x| x.sin(), -3.0, 3.0),
        unary!(cos, cos_grad, cos_tangent, |x| x.cos(), -3.0, 3.0),
        unary!(tan, tan_grad, tan_tangent, |x| x.tan(), -1.4, 1.4),
        unary!(asin, asin_grad, asin_tangent, |x| x.asin(), -0.9, 0.9),
        unary!(acos, acos_grad, acos_tangent, |x| x.acos(), -0.9, 0.9),
        unary!(atan, atan_grad, atan_tangent, |x| x.atan(), -3.0, 3.0),
        binary!(
            atan2,
            atan2_grad,
            atan2_tangent,
            |y, x| y.atan2(x),
            ANY,
            POSITIVE
        ),
        unary!(sinh, sinh_grad, sinh_tangent, |x| x.sinh(), -3.0, 3.0),
        unary!(cosh, cosh_grad, cosh_tangent, |x| x.cosh(), -3.0, 3.0),
        unary!(tanh, tanh_grad, tanh_tangent, |x| x.tanh(), -3.0, 3.0),
        unary!(asinh, asinh_grad, asinh_tangent, |x| x.asinh(), -3.0, 3.0),
        unary!(acosh, acosh_grad, acosh_tangent, |x| x.acosh(), 1.1, 5.0),
        unary!(atanh, atanh_grad, atanh_tangent, |x| x.atanh(), -0.9, 0.9),
        unary!(abs, abs_grad, abs_tangent, |x| x.abs(), -3.0, 3.0),
        binary!(max, max_grad, max_tangent, |x, y| x.max(y), ANY, ANY),
        binary!(min, min_grad, min_tangent, |x, y| x.min(y), ANY, ANY),
        binary!(
            hypot,
            hypot_grad,
            hypot_tangent,
            |x, y| x.hypot(y),
            POSITIVE,
            ANY
        ),
        unary!(
            fract,
            fract_grad,
            fract_tangent,
            |x| x.fract() * x,
            -3.0,
            3.0
        ),
        binary!(
            copysign,
            copysign_grad,
            copysign_tangent,
            |x, y| x.copysign(y) * y,
            ANY,
            ANY
        ),
        binary!(
            midpoint,
            midpoint_grad,
            midpoint_tangent,
            |x, y| x.midpoint(y) * y,
            ANY,
            ANY
        ),
        ternary!(
            mul_add,
            mul_add_grad,
            mul_add_tangent,
            |x, a, b| x.mul_add(a, b),
            ANY,
            ANY,
            ANY
        ),
        ternary!(
            clamp,
            clamp_grad,
            clamp_tangent,
            |x, lo, hi| x.clamp(lo, hi),
            ANY,
            (-2.0, -0.5),
            (0.5, 2.0)
        ),
        unary!(
            path_exp,
            path_exp_grad,
            path_exp_tangent,
            |x| f64::exp(x),
            -3.0,
            3.0
        ),
        binary!(
            path_powf,
            path_powf_grad,
            path_powf_tangent,
            |x, y| f64::powf(x, y),
            POSITIVE,
            UNIT
        ),
        unary!(
            floor,
            floor_grad,
            floor_tangent,
            |x| x.floor() + x,
            -3.0,
            3.0
        ),
        unary!(
            round,
            round_grad,
            round_tangent,
            |x| x.round() * x,
            -3.0,
            3.0
        ),
        unary!(
            signum,
            signum_grad,
            signum_tangent,
            |x| x.signum() * x,
            -3.0,
            3.0
        ),
    ]
}

#[test]
fn every_primitive_tangent_is_the_gradient_along_the_direction() {
    let mut rng = Rng::new(11);
    for row in table() {
        for _ in 0..40 {
            let x: Vec<f64> = row
                .domain
                .iter()
                .map(|&(lo, hi)| rng.uniform(lo, hi))
                .collect();
            let v = rng.vec(x.len(), -1.0, 1.0);
            let (value, t) = (row.tangent)(&x, &v);
            assert_eq!(
                value.to_bits(),
                (row.f)(&x).to_bits(),
                "{}: value",
                row.name
            );
            // The same table row in both modes: equal up to the order of the additions.
            let g = (row.grad)(&x);
            assert_close(t, dot(&g, &v), 1e-12 * (1.0 + t.abs()));
            // And against finite differences, away from kinks and jumps.
            let near_kink = x
                .iter()
                .any(|a| (a - a.round()).abs() < 1e-3 || a.abs() < 1e-3);
            let tie = x.len() > 1 && (x[0] - x[1]).abs() < 1e-3;
            let bound =
                row.name == "clamp" && ((x[0] - x[1]).abs() < 1e-3 || (x[0] - x[2]).abs() < 1e-3);
            if near_kink || tie || bound {
                continue;
            }
            let fd = directional(&|p| vec![(row.f)(p)], &x, &v);
            assert_all_close(&[t], &fd, 1e-6, row.name);
        }
    }
}

// ----- the subset: loops, branches, local arrays, calls ---------------------------------------

/// Straight-line code and a branch with values flowing out of it.
#[grad(modes(tangent))]
fn branchy(x: f64, y: f64, z: f64) -> f64 {
    let a = (x * y).sin() + z;
    let b = if a > 0.5 {
        a * a - y
    } else if a < -0.5 {
        (x - z).exp()
    } else {
        a / (1.0 + y * y)
    };
    let c = match (z * 3.0) as i32 {
        0 => b * x,
        1 | 2 => b + y.cos(),
        _ => b - z,
    };
    if c > 10.0 {
        return c.ln();
    }
    c * b.tanh()
}

/// A recurrence over a slice: a loop carrying values and their tangents.
#[grad(modes(tangent))]
fn recurrence(x0: f64, w: &[f64]) -> f64 {
    let mut x = x0;
    let mut s = 0.0;
    for t in 0..w.len() {
        let prev = x;
        x = x.sin() * w[t] + 0.5 * s;
        s = prev;
    }
    x + s
}

/// `while`, `loop` with `break`, `continue` and an early `return`.
#[grad(modes(tangent))]
fn loops(x: &[f64; 4], scale: f64) -> f64 {
    let mut total = 0.0;
    let mut i = 0;
    while i < 4 {
        if x[i] < -2.5 {
            i += 1;
            continue;
        }
        total += (x[i] * scale).cos();
        i += 1;
    }
    let mut k = 0;
    let mut y = total;
    loop {
        y = y * 0.5 + x[k % 4];
        k += 1;
        if k > 6 {
            break;
        }
    }
    for j in (0..4).rev() {
        if y > 100.0 {
            return y;
        }
        y += x[j] * y.abs().sqrt();
    }
    y
}

/// Local arrays, a matrix parameter, `vec!` and iterator chains.
#[grad(modes(tangent))]
fn layers(w: &[[f64; 3]; 2], b: &[f64; 2], x: &[f64]) -> f64 {
    let mut h = [0.0; 2];
    for j in 0..2 {
        let mut z = b[j];
        for k in 0..3 {
            z += w[j][k] * x[k];
        }
        h[j] = z.tanh();
    }
    let mut v = vec![0.0; x.len()];
    for (i, xi) in x.iter().enumerate() {
        v[i] = xi * h[i % 2];
    }
    let squares: f64 = v.iter().map(|a| a * a).sum();
    let mut grid = [[0.0; 2]; 2];
    grid[0][1] = h[0] * h[1];
    grid[1][0] = squares.sqrt();
    grid[0][1] + grid[1][0] + h.iter().fold(0.0, |acc, &a| acc + a)
}

/// A callee with forward mode.
#[grad(modes(tangent))]
fn norm2(v: &[f64; 3]) -> f64 {
    v[0] * v[0] + v[1] * v[1] + v[2] * v[2]
}

/// A vector-valued callee.
#[grad(modes(tangent))]
fn scaled(v: &[f64; 3], s: f64) -> [f64; 3] {
    [v[0] * s, v[1] * s.sin(), v[2] + s]
}

fn softsign(x: f64) -> f64 {
    x / (1.0 + x.abs())
}

fn softsign_adjoint<DX: autodiff::Shadow<f64>>(x: f64, d_out: f64, mut d_x: DX) -> f64 {
    let denom = 1.0 + x.abs();
    d_x.add(d_out / (denom * denom));
    softsign(x)
}

/// A custom derivative in forward mode: `g_tangent(args.., tangents..) -> (value, tangent)`.
fn softsign_tangent<TX: autodiff::Tangent<f64>>(x: f64, t_x: TX) -> (f64, f64) {
    let denom = 1.0 + x.abs();
    (softsign(x), t_x.get() / (denom * denom))
}

/// Calls: scalar results, an array result, a row of a matrix, the same array twice, a
/// hand-written tangent, data arguments.
#[grad(modes(tangent))]
fn calls(m: &[[f64; 3]; 2], s: f64) -> f64 {
    let a = norm2(&m[0]);
    let u = scaled(&m[1], s);
    let b = norm2(&u) + norm2(&[1.0, 2.0, 3.0]);
    let mut local = [0.0; 3];
    for i in 0..3 {
        local[i] = m[0][i] * u[i];
    }
    let c = norm2(&local);
    softsign(a - b) + c * s + dot3(&local, &local)
}

#[grad(modes(tangent))]
fn dot3(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// Generic over the float type, with a local array.
#[grad(modes(tangent))]
fn generic<T: Float>(x: &[T], y: T) -> T {
    let mut acc = T::zero();
    let mut h = [T::zero(); 2];
    for i in 0..x.len() {
        acc = acc + (x[i] * y).sin() / T::from(i + 1).unwrap();
        h[i % 2] = h[i % 2] + x[i] * acc;
    }
    acc * acc + y.exp() + h[0] * h[1]
}

#[grad(modes(tangent))]
fn single(x: f32, y: f32) -> f32 {
    (x * y).sin() + x.sqrt() * 2.0
}

/// Vector outputs: a fixed-size array and a `Vec`.
#[grad(modes(tangent))]
fn residuals(p: &[f64; 2], xs: &[f64]) -> Vec<f64> {
    let mut r = vec![0.0; xs.len()];
    for i in 0..xs.len() {
        r[i] = p[0] * (p[1] * xs[i]).exp() - xs[i];
    }
    r
}

#[grad(modes(tangent))]
fn polar(r: f64, theta: f64) -> [f64; 2] {
    [r * theta.cos(), r * theta.sin()]
}

/// An output no parameter reaches: a zero tangent of its shape.
#[grad(modes(tangent))]
fn constant_vec(x: &[f64; 2]) -> Vec<f64> {
    let c = 0.5 * 0.25;
    vec![c, c * c, x.len() as f64]
}

#[grad(modes(tangent))]
fn checked(x: f64, scale: f64) -> Result<f64, String> {
    if scale <= 0.0 {
        return Err(format!("scale must be positive, got {scale}"));
    }
    Ok((x / scale).ln_1p() * scale)
}

/// The runtime's primitives and losses have hand-written tangents.
#[grad(modes(tangent))]
fn classifier(w: &[f64; 3], x: &[f64; 3], y: f64) -> f64 {
    let z = w[0] * x[0] + w[1] * x[1] + w[2];
    let h = [
        autodiff::activation::relu(z),
        autodiff::activation::sigmoid(z * x[2]),
        autodiff::activation::softplus(-z),
        autodiff::activation::tanh(z),
        autodiff::activation::leaky_relu(z - 0.5, w[2]),
    ];
    let logits = [h[0] - h[1], h[2] * h[3], h[4]];
    let targets = [1.0, 0.0, y];
    autodiff::loss::bce_with_logits(logits[0], y)
        + autodiff::loss::mse(h[1], y)
        + autodiff::loss::mae(h[3], 0.5 * y)
        + autodiff::loss::bce(h[1].clamp(0.01, 0.99), y)
        + autodiff::loss::softmax_cross_entropy(&logits, 1)
        + autodiff::activation::log_sum_exp(&h)
        + autodiff::loss::multilabel_bce_with_logits(&logits, &targets)
}

/// A distribution's log-density as a method: `self` is data, `x` has a tangent.
#[derive(Clone, Debug, autodiff::Params)]
struct Logistic {
    location: f64,
    scale: f64,
}

/// `self` differentiated too: its tangent is a `&Logistic`.
#[grad(self, x, modes(tangent))]
impl Logistic {
    fn ln_cdf(&self, x: f64) -> f64 {
        -(-(x - self.location) / self.scale).exp().ln_1p()
    }
}

#[derive(Clone, Debug, Default, autodiff::Params)]
struct Dense {
    w: [[f64; 3]; 2],
    b: [f64; 2],
}

/// A layer: tanh(W x + b), its output starting as a copy of a field.
#[grad(modes(tangent))]
fn dense(l: &Dense, x: &[f64; 3]) -> [f64; 2] {
    let mut h = l.b;
    for j in 0..2 {
        for k in 0..3 {
            h[j] += l.w[j][k] * x[k];
        }
        h[j] = h[j].tanh();
    }
    h
}

#[derive(Clone, Debug, Default, autodiff::Params)]
struct Net {
    hidden: Dense,
    out: [f64; 2],
    bias: f64,
    v: Vec<f64>,
    layers: Vec<Dense>,
}

/// Models in forward mode: fields read, a sub-model and a sequence of them lent to calls.
#[grad(net, x, modes(tangent))]
fn net_loss(net: &Net, x: &[f64; 3], y: f64) -> f64 {
    let h = dense(&net.hidden, x);
    let mut z = net.bias;
    for j in 0..2 {
        z += net.out[j] * h[j];
    }
    for i in 0..net.v.len() {
        z += net.v[i] * x[i % 3];
    }
    for l in &net.layers {
        let g = dense(l, x);
        z += g[0] * g[1];
    }
    (z - y).powi(2)
}

// On a block, `modes(jacobian)` applies to the methods that return arrays.
#[grad(modes(tangent, jacobian))]
impl Logistic {
    fn ln_pdf(&self, x: f64) -> f64 {
        let z = (x - self.location) / self.scale;
        -z - 2.0 * (-z).exp().ln_1p() - self.scale.ln()
    }

    fn quantiles(&self, p: f64) -> [f64; 2] {
        [
            self.location + self.scale * (p / (1.0 - p)).ln(),
            self.location - self.scale * (p / (1.0 - p)).ln(),
        ]
    }
}

// The tangent against the adjoint: <v, Jᵀw> = <J v, w>, with the scalar output's w a number.

#[test]
fn straight_line_and_branches() {
    let mut rng = Rng::new(1);
    for _ in 0..200 {
        let x = rng.vec(3, -1.5, 1.5);
        let v = rng.vec(3, -1.0, 1.0);
        let w = rng.uniform(-2.0, 2.0);
        let (value, t) = branchy_tangent(x[0], x[1], x[2], v[0], v[1], v[2]);
        assert_eq!(value, branchy(x[0], x[1], x[2]));
        let mut g = [0.0; 3];
        let (a, rest) = g.split_at_mut(1);
        let (b, c) = rest.split_at_mut(1);
        branchy_adjoint(x[0], x[1], x[2], w, &mut a[0], &mut b[0], &mut c[0]);
        assert_close(dot(&v, &g), t * w, 1e-12 * (1.0 + t.abs() * w.abs()));
        let fd = directional(&|p| vec![branchy(p[0], p[1], p[2])], &x, &v);
        let at_branch = [0.5, -0.5, 10.0].iter().any(|k| {
            let a = (x[0] * x[1]).sin() + x[2];
            (a - k).abs() < 1e-3
        }) || ((x[2] * 3.0) - (x[2] * 3.0).round()).abs() < 1e-3;
        if !at_branch {
            assert_all_close(&[t], &fd, 1e-6, "branchy");
        }
    }
}

#[test]
fn loop_carried_tangents() {
    let mut rng = Rng::new(2);
    for n in [0, 1, 5, 40] {
        let x0 = rng.uniform(-1.0, 1.0);
        let w = rng.vec(n, -1.0, 1.0);
        let (v0, v) = (rng.uniform(-1.0, 1.0), rng.vec(n, -1.0, 1.0));
        let (value, t) = recurrence_tangent(x0, &w, v0, &v[..]);
        assert_eq!(value, recurrence(x0, &w));
        let (_, (g0, g)) = recurrence_grad(x0, &w);
        assert_close(t, v0 * g0 + dot(&v, &g), 1e-12);
        let mut point = vec![x0];
        point.extend(&w);
        let mut dir = vec![v0];
        dir.extend(&v);
        let fd = directional(&|p| vec![recurrence(p[0], &p[1..])], &point, &dir);
        assert_all_close(&[t], &fd, 1e-6, "recurrence");
    }
}

#[test]
fn while_loop_break_continue_return() {
    let mut rng = Rng::new(3);
    for _ in 0..100 {
        let x: [f64; 4] = std::array::from_fn(|_| rng.uniform(-3.0, 3.0));
        let s = rng.uniform(-2.0, 2.0);
        let v: [f64; 4] = std::array::from_fn(|_| rng.uniform(-1.0, 1.0));
        let vs = rng.uniform(-1.0, 1.0);
        let (value, t) = loops_tangent(&x, s, &v, vs);
        assert_eq!(value, loops(&x, s));
        let (_, (gx, gs)) = loops_grad(&x, s);
        assert_close(t, dot(&v, &gx) + vs * gs, 1e-10 * (1.0 + t.abs()));
    }
}

#[test]
fn local_arrays_matrices_and_iterators() {
    let mut rng = Rng::new(4);
    for _ in 0..50 {
        let w: [[f64; 3]; 2] =
            std::array::from_fn(|_| std::array::from_fn(|_| rng.uniform(-1.0, 1.0)));
        let b: [f64; 2] = std::array::from_fn(|_| rng.uniform(-1.0, 1.0));
        let x = rng.vec(5, -1.0, 1.0);
        let tw: [[f64; 3]; 2] =
            std::array::from_fn(|_| std::array::from_fn(|_| rng.uniform(-1.0, 1.0)));
        let tb: [f64; 2] = std::array::from_fn(|_| rng.uniform(-1.0, 1.0));
        let tx = rng.vec(5, -1.0, 1.0);
        let (value, t) = layers_tangent(&w, &b, &x, &tw, &tb, &tx[..]);
        assert_eq!(value, layers(&w, &b, &x));
        let (_, (gw, gb, gx)) = layers_grad(&w, &b, &x);
        let expected = dot(gw.as_flattened(), tw.as_flattened()) + dot(&gb, &tb) + dot(&gx, &tx);
        assert_close(t, expected, 1e-12 * (1.0 + t.abs()));
        // A `&Vec` tangent for a slice works as well.
        let (_, t2) = layers_tangent(&w, &b, &x, &tw, &tb, &tx);
        assert_eq!(t, t2);
    }
}

#[test]
fn calls_use_the_callees_tangents() {
    let mut rng = Rng::new(5);
    for _ in 0..50 {
        let m: [[f64; 3]; 2] =
            std::array::from_fn(|_| std::array::from_fn(|_| rng.uniform(-1.0, 1.0)));
        let s = rng.uniform(-1.0, 1.0);
        let tm: [[f64; 3]; 2] =
            std::array::from_fn(|_| std::array::from_fn(|_| rng.uniform(-1.0, 1.0)));
        let ts = rng.uniform(-1.0, 1.0);
        let (value, t) = calls_tangent(&m, s, &tm, ts);
        assert_eq!(value, calls(&m, s));
        let (_, (gm, gs)) = calls_grad(&m, s);
        assert_close(
            t,
            dot(gm.as_flattened(), tm.as_flattened()) + gs * ts,
            1e-12 * (1.0 + t.abs()),
        );
        let mut point = m.as_flattened().to_vec();
        point.push(s);
        let mut dir = tm.as_flattened().to_vec();
        dir.push(ts);
        let f = |p: &[f64]| {
            let m = [[p[0], p[1], p[2]], [p[3], p[4], p[5]]];
            vec![calls(&m, p[6])]
        };
        assert_all_close(&[t], &directional(&f, &point, &dir), 1e-6, "calls");
    }
}

#[test]
fn generic_and_f32() {
    let x = [0.3f64, -0.7, 1.1];
    let (v, tx) = ([0.5, 1.0, -0.25], 0.75);
    let (value, t) = generic_tangent(&x[..], 0.9, &v[..], tx);
    assert_eq!(value, generic(&x[..], 0.9));
    let (_, (gx, gy)) = generic_grad(&x[..], 0.9);
    assert_close(t, dot(&gx, &v) + gy * tx, 1e-12);
    // The same function in f32 agrees with f64 to f32 precision.
    let x32 = [0.3f32, -0.7, 1.1];
    let (_, t32) = generic_tangent(&x32[..], 0.9f32, &[0.5f32, 1.0, -0.25][..], 0.75f32);
    assert_close(t32 as f64, t, 1e-5);
    let (value, t) = single_tangent(0.5, 2.0, 1.0, 0.0);
    assert_eq!(value, single(0.5, 2.0));
    let (_, (gx, _)) = single_grad(0.5, 2.0);
    assert_eq!(t, gx);
}

#[test]
fn runtime_primitives_and_methods() {
    let mut rng = Rng::new(9);
    for _ in 0..100 {
        let w: [f64; 3] = std::array::from_fn(|_| rng.uniform(-2.0, 2.0));
        let x: [f64; 3] = std::array::from_fn(|_| rng.uniform(-2.0, 2.0));
        let y = rng.uniform(0.0, 1.0);
        let v: [f64; 3] = std::array::from_fn(|_| rng.uniform(-1.0, 1.0));
        let (u, vy) = (rng.vec(3, -1.0, 1.0), rng.uniform(-1.0, 1.0));
        let (value, t) = classifier_tangent(&w, &x, y, &v, &u[..], vy);
        assert_eq!(value, classifier(&w, &x, y));
        let (_, (gw, gx, gy)) = classifier_grad(&w, &x, y);
        let expected = dot(&gw, &v) + dot(&gx, &u) + gy * vy;
        assert_close(t, expected, 1e-12 * (1.0 + t.abs()));
    }
    let d = Logistic {
        location: 0.5,
        scale: 2.0,
    };
    let (value, t) = d.ln_pdf_tangent(1.5, 1.0);
    assert_eq!(value, d.ln_pdf(1.5));
    assert_close(t, d.ln_pdf_grad(1.5).1, 1e-15);
    let along = Logistic {
        location: 0.5,
        scale: -0.25,
    };
    let (value, t) = d.ln_cdf_tangent(1.5, &along, 2.0);
    assert_eq!(value, d.ln_cdf(1.5));
    let (_, (g_self, g_x)) = d.ln_cdf_grad(1.5);
    let expected = g_self.location * 0.5 - g_self.scale * 0.25 + g_x * 2.0;
    assert_close(t, expected, 1e-15);
    let (q, t) = d.quantiles_tangent(0.25, 1.0);
    assert_eq!(q, d.quantiles(0.25));
    let slope = 2.0 / (0.25 * 0.75);
    assert_close(t[0], slope, 1e-12);
    assert_close(t[1], -slope, 1e-12);
    let (q, j) = d.quantiles_jacobian(0.25);
    assert_eq!((q, j), (d.quantiles(0.25), t));
}

fn flat(model: &impl autodiff::Params<Scalar = f64>) -> Vec<f64> {
    let mut values = Vec::new();
    model.for_each_slice(|s| values.extend_from_slice(s.values));
    values
}

fn random_net(rng: &mut Rng) -> Net {
    let mut dense = || Dense {
        w: std::array::from_fn(|_| std::array::from_fn(|_| rng.uniform(-1.0, 1.0))),
        b: std::array::from_fn(|_| rng.uniform(-1.0, 1.0)),
    };
    let (hidden, layers) = (dense(), vec![dense(), dense()]);
    Net {
        hidden,
        out: [rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)],
        bias: rng.uniform(-1.0, 1.0),
        v: rng.vec(4, -1.0, 1.0),
        layers,
    }
}

#[test]
fn models_take_tangents_of_their_own_type() {
    let mut rng = Rng::new(10);
    for _ in 0..30 {
        let net = random_net(&mut rng);
        let direction = random_net(&mut rng);
        let x: [f64; 3] = std::array::from_fn(|_| rng.uniform(-1.0, 1.0));
        let tx: [f64; 3] = std::array::from_fn(|_| rng.uniform(-1.0, 1.0));
        let (value, t) = net_loss_tangent(&net, &x, 0.3, &direction, &tx, Const);
        assert_eq!(value, net_loss(&net, &x, 0.3));
        let (_, (g_net, g_x)) = net_loss_grad(&net, &x, 0.3);
        let expected = dot(&flat(&g_net), &flat(&direction)) + dot(&g_x, &tx);
        assert_close(t, expected, 1e-12 * (1.0 + t.abs()));
        // `Const` for the model: the derivative along x alone.
        let (_, t) = net_loss_tangent(&net, &x, 0.3, Const, &tx, Const);
        assert_close(t, dot(&g_x, &tx), 1e-12 * (1.0 + t.abs()));
    }
    // A tangent whose `Vec` field is too short is caught.
    let net = random_net(&mut rng);
    let mut short = net.clone();
    short.v.pop();
    let caught =
        std::panic::catch_unwind(|| net_loss_tangent(&net, &[0.0; 3], 0.0, &short, Const, Const));
    assert!(caught.is_err());
}

#[test]
fn vector_outputs_give_jacobian_vector_products() {
    let mut rng = Rng::new(6);
    for n in [0, 1, 7] {
        let p = [rng.uniform(0.5, 1.5), rng.uniform(-0.5, 0.5)];
        let xs = rng.vec(n, -1.0, 1.0);
        let v = [rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)];
        let w = rng.vec(n, -1.0, 1.0);
        let (value, t) = residuals_tangent(&p, &xs, &v, Const);
        assert_eq!(value, residuals(&p, &xs));
        assert_eq!(t.len(), n);
        let mut g = [0.0; 2];
        residuals_adjoint(&p, &xs, &w, &mut g, Const);
        assert_close(dot(&v, &g), dot(&t, &w), 1e-12);
        let f = |q: &[f64]| residuals(&[q[0], q[1]], &xs);
        assert_all_close(&t, &directional(&f, &p, &v), 1e-6, "residuals");
    }
    let (value, t) = polar_tangent(2.0, 0.5, 0.0, 1.0);
    assert_eq!(value, polar(2.0, 0.5));
    assert_eq!(t, [-2.0 * 0.5f64.sin(), 2.0 * 0.5f64.cos()]);
}

#[test]
fn const_tangents_are_zero() {
    let x = [0.3, -0.7, 1.1];
    let (value, t) = generic_tangent(&x[..], 0.9, Const, Const);
    assert_eq!((value, t), (generic(&x[..], 0.9), 0.0));
    // Const for some: the partial derivative along the others.
    let (_, t) = generic_tangent(&x[..], 0.9, Const, 1.0);
    assert_close(t, generic_grad(&x[..], 0.9).1 .1, 1e-15);
    let (_, t) = branchy_tangent(0.1, 0.2, 0.3, Const, 1.0, Const);
    assert_close(t, branchy_grad(0.1, 0.2, 0.3).1 .1, 1e-15);
    let (_, t) = polar_tangent(2.0, 0.5, Const, Const);
    assert_eq!(t, [0.0, 0.0]);
    let (value, t) = constant_vec_tangent(&[1.0, 2.0], &[1.0, 1.0]);
    assert_eq!((value, t), (vec![0.125, 0.015625, 2.0], vec![0.0; 3]));
    let (_, t) = residuals_tangent(&[1.0, 0.5], &[0.1, 0.2], Const, &[0.0, 0.0]);
    assert_eq!(t, vec![0.0, 0.0]);
}

#[test]
fn fallible_functions() {
    let (value, t) = checked_tangent(0.4, 2.0, 1.0, 0.0).unwrap();
    assert_eq!(value, checked(0.4, 2.0).unwrap());
    assert_eq!(t, checked_grad(0.4, 2.0).unwrap().1 .0);
    assert!(checked_tangent(0.4, -1.0, 1.0, Const).is_err());
}

#[test]
#[should_panic(expected = "the tangent of `x` has 2 elements but `x` has 3")]
fn a_tangent_of_the_wrong_length_panics() {
    let _ = generic_tangent(&[1.0, 2.0, 3.0][..], 0.5, &[1.0, 0.0][..], 0.0);
}

// ----- Jacobians ------------------------------------------------------------------------------

/// The lecture's F: R³ -> R⁴.
#[grad(modes(jacobian))]
fn lecture_f(x: &[f64; 3]) -> [f64; 4] {
    [
        x[0],
        5.0 * x[2],
        4.0 * x[1] * x[1] - 2.0 * x[2],
        x[2] * x[0].sin(),
    ]
}

#[test]
fn the_lecture_jacobian_exactly() {
    for x in [[1.0f64, 2.0, 3.0], [-0.5, 0.25, 2.0], [0.0, 0.0, 0.0]] {
        let (value, j) = lecture_f_jacobian(&x);
        assert_eq!(value, lecture_f(&x));
        let expected = [
            [1.0, 0.0, 0.0],
            [0.0, 0.0, 5.0],
            [0.0, 8.0 * x[1], -2.0],
            [x[2] * x[0].cos(), 0.0, x[0].sin()],
        ];
        assert_eq!(j, expected);
        // Forward mode gave it (3 inputs <= 4 outputs); reverse mode agrees row by row.
        for (i, row) in expected.iter().enumerate() {
            let mut e = [0.0; 4];
            e[i] = 1.0;
            let mut g = [0.0; 3];
            lecture_f_adjoint(&x, &e, &mut g);
            assert_eq!(&g, row);
        }
    }
}

/// Wide: 2 outputs of 6 inputs, in reverse mode; two parameters.
#[grad(modes(jacobian))]
fn wide(a: &[f64; 4], s: f64, k: usize) -> [f64; 2] {
    let mut p = [0.0; 2];
    for i in 0..4 {
        p[i % 2] += (a[i] * s).sin() * (k as f64);
    }
    p[1] = p[1] * s + a[0];
    p
}

/// Slices in, a `Vec` out: the choice is made at run time.
#[grad(x, modes(jacobian))]
fn runtime_sized(x: &[f64], m: &[[f64; 2]; 2], scale: f64) -> Vec<f64> {
    let mut out = vec![0.0; x.len() + 1];
    for i in 0..x.len() {
        out[i] = x[i] * x[(i + 1) % x.len()] * scale + m[0][0];
    }
    out[x.len()] = x.iter().map(|v| v.exp()).sum::<f64>() * m[1][1];
    out
}

/// A matrix parameter and a const-generic size.
#[grad(modes(jacobian))]
fn mat_vec<const N: usize>(w: &[[f64; N]; 2], x: &[f64; N]) -> [f64; 2] {
    let mut y = [0.0; 2];
    for i in 0..2 {
        for j in 0..N {
            y[i] += w[i][j] * x[j].tanh();
        }
    }
    y
}

/// A layer's Jacobian with respect to its model (rows of the model's type, in reverse mode)
/// and its input.
#[grad(modes(jacobian))]
fn layer(l: &Dense, x: &[f64; 3]) -> [f64; 2] {
    dense(l, x)
}

/// The Jacobian from finite differences, column by column.
fn fd_jacobian(f: &dyn Fn(&[f64]) -> Vec<f64>, x: &[f64]) -> Vec<Vec<f64>> {
    let columns: Vec<Vec<f64>> = (0..x.len())
        .map(|k| {
            let mut e = vec![0.0; x.len()];
            e[k] = 1.0;
            directional(f, x, &e)
        })
        .collect();
    let m = columns.first().map_or(0, Vec::len);
    (0..m)
        .map(|i| columns.iter().map(|c| c[i]).collect())
        .collect()
}

#[test]
fn jacobians_agree_with_finite_differences_and_both_modes() {
    let mut rng = Rng::new(8);
    // Reverse mode (2 outputs < 5 input coordinates).
    let a: [f64; 4] = std::array::from_fn(|_| rng.uniform(-1.0, 1.0));
    let s = rng.uniform(-1.0, 1.0);
    let (value, (ja, js)) = wide_jacobian(&a, s, 3);
    assert_eq!(value, wide(&a, s, 3));
    let mut point = a.to_vec();
    point.push(s);
    let fd = fd_jacobian(
        &|p| wide(&[p[0], p[1], p[2], p[3]], p[4], 3).to_vec(),
        &point,
    );
    for i in 0..2 {
        let mut row = ja[i].to_vec();
        row.push(js[i]);
        assert_all_close(&row, &fd[i], 1e-6, "wide");
        // Forward mode gives the same numbers.
        for k in 0..4 {
            let mut e = [0.0; 4];
            e[k] = 1.0;
            let (_, t) = wide_tangent(&a, s, 3, &e, 0.0);
            assert_close(t[i], ja[i][k], 1e-14);
        }
    }

    // Run time: 3 outputs of 2 coordinates (forward), then 6 of 5 (forward), with `x` only.
    let m = [[0.5, 0.0], [0.0, 2.0]];
    for n in [2, 5] {
        let x = rng.vec(n, -1.0, 1.0);
        let (value, j) = runtime_sized_jacobian(&x, &m, 1.5);
        assert_eq!(value, runtime_sized(&x, &m, 1.5));
        assert_eq!((j.len(), j[0].len()), (n + 1, n));
        let fd = fd_jacobian(&|p| runtime_sized(p, &m, 1.5), &x);
        for i in 0..=n {
            assert_all_close(&j[i], &fd[i], 1e-6, "runtime_sized");
        }
    }

    // A model: J_l is [Dense; 2]; J v against forward mode.
    let net = random_net(&mut rng);
    let (dl, dx) = (random_net(&mut rng).hidden, [0.3, -0.1, 0.7]);
    let x = [0.2, -0.4, 0.9];
    let (value, (j_l, j_x)) = layer_jacobian(&net.hidden, &x);
    let (v, t) = layer_tangent(&net.hidden, &x, &dl, &dx);
    assert_eq!(value, v);
    for i in 0..2 {
        let expected = dot(&flat(&j_l[i]), &flat(&dl)) + dot(&j_x[i], &dx);
        assert_close(t[i], expected, 1e-14);
    }

    // A matrix parameter: 2 outputs of 9 coordinates (reverse).
    let w = [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]];
    let x = [0.7, -0.8, 0.9];
    let (_, (jw, jx)) = mat_vec_jacobian(&w, &x);
    for i in 0..2 {
        for j in 0..3 {
            assert_eq!(jx[i][j], w[i][j] * (1.0 - x[j].tanh().powi(2)));
            for r in 0..2 {
                let expected = if r == i { x[j].tanh() } else { 0.0 };
                assert_eq!(jw[i][r][j], expected);
            }
        }
    }
}
