//! Code that worked in one layout and failed in another that means the same, found by a
//! probe of attention code: a closure whose body is a block (`|p| { .. }`, as rustfmt lays
//! out a long inner closure), with or without `let`s before its value, and an array or
//! tuple pattern bound to a literal of as many parts (`let [q, k] = [proj(wq, x), proj(wk,
//! x)];`), which is the separate `let`s it stands for, and an assignment to an array
//! pattern (`[s1, s2] = [v + c * s1 - s2, s1];`, a DSP probe), which is the tuple one; and
//! forms of Rosetta Code and TheAlgorithms: `return out;` as the last statement, a loop
//! body ending in `out.push(v)` without `;`, `match () { _ if a => .., _ => .. }`, a
//! statement `match` with an arm `_ => unreachable!()`, and `Vec::from(x)` of a
//! differentiated slice (`Vec::from_adjoint` inside the generated code); and a `const fn`
//! (csscolorparser's helpers), which was rejected; and palette's generic forms, a number
//! cloned or behind `&` (`x.clone() * 2.0`, `l0 * &cusp.chroma`), also of a model's field,
//! and an array literal mapped at the tail (`[red, green, blue].map(|v| v.clamp(..))`).
//! Each is checked against a hand-derived gradient and central differences.
#![allow(clippy::needless_range_loop)] // index loops are how matrix code is written

mod common;

use autodiff::{grad, Params};
use common::{assert_matches_fd, close};

fn matrix(x: &[f64]) -> [[f64; 2]; 2] {
    [[x[0], x[1]], [x[2], x[3]]]
}

fn flat(m: &[[f64; 2]; 2]) -> [f64; 4] {
    [m[0][0], m[0][1], m[1][0], m[1][1]]
}

// ---- closures whose body is a block ----

/// A matrix of data, its rows made by an inner `from_fn` in braces.
#[grad]
fn scaled_by_table(x: &[[f64; 2]; 2]) -> f64 {
    #[rustfmt::skip]
    let pe: [[f64; 2]; 2] = std::array::from_fn(|p| {
        std::array::from_fn(|i| (p + i) as f64)
    });
    x[0][0] * pe[1][1] + x[0][1] * pe[0][1]
}

/// A matrix made from `x`, the same layout.
#[grad]
fn doubled_corners(x: &[[f64; 2]; 2]) -> f64 {
    #[rustfmt::skip]
    let y: [[f64; 2]; 2] = std::array::from_fn(|p| {
        std::array::from_fn(|i| x[p][i] * 2.0)
    });
    y[0][0] * y[1][1]
}

/// `let`s before the inner `from_fn`, read by its closure: each row scaled by its sum.
#[grad]
fn rows_by_their_sums(x: &[[f64; 2]; 2]) -> f64 {
    let y: [[f64; 2]; 2] = std::array::from_fn(|p| {
        let row = x[p];
        let s = row[0] + row[1];
        std::array::from_fn(|i| row[i] * s)
    });
    y[0][1] + y[1][0] * y[1][1]
}

/// Block bodies everywhere else a closure's body is looked into: a row of `from_fn`, a
/// `map` of an array into rows, a chain's `map`, a local closure.
#[grad]
fn block_bodied_closures(x: &[f64; 2]) -> f64 {
    #[rustfmt::skip]
    let squares: [f64; 2] = std::array::from_fn(|i| { x[i] * x[i] });
    #[rustfmt::skip]
    let rows = x.map(|v| { [v, 3.0 * v] });
    #[rustfmt::skip]
    let cubes: f64 = x.iter().map(|v| { v * v * v }).sum();
    let scaled = |v: f64| {
        let k = 2.0;
        k * v
    };
    squares[0] + rows[1][1] * rows[0][0] + cubes + scaled(x[1])
}

#[test]
fn from_fn_of_data_rows_in_braces() {
    let x = [[1.0, 2.0], [3.0, 4.0]];
    let (v, g) = scaled_by_table_grad(&x);
    // pe = [[0, 1], [1, 2]]: v = 2 x00 + x01.
    assert_eq!(v, 4.0);
    assert_eq!(g, [[2.0, 1.0], [0.0, 0.0]]);
}

#[test]
fn from_fn_of_differentiated_rows_in_braces() {
    let x = [[1.0, 2.0], [3.0, 4.0]];
    // v = 4 x00 x11.
    let (v, g) = doubled_corners_grad(&x);
    assert_eq!(v, 16.0);
    assert_eq!(g, [[16.0, 0.0], [0.0, 4.0]]);
    let f = |x: &[f64]| doubled_corners(&matrix(x));
    assert_matches_fd(&f, &flat(&x), &flat(&g), "doubled_corners");
}

#[test]
fn lets_before_an_inner_from_fn() {
    let x = [[1.0, 2.0], [3.0, -0.5]];
    let (v, g) = rows_by_their_sums_grad(&x);
    // v = x01 (x00 + x01) + x10 x11 (x10 + x11)^2
    let (s1, s2) = (x[0][0] + x[0][1], x[1][0] + x[1][1]);
    assert!(close(v, x[0][1] * s1 + x[1][0] * x[1][1] * s2 * s2));
    let expected = [
        [x[0][1], s1 + x[0][1]],
        [
            x[1][1] * s2 * s2 + 2.0 * x[1][0] * x[1][1] * s2,
            x[1][0] * s2 * s2 + 2.0 * x[1][0] * x[1][1] * s2,
        ],
    ];
    assert!(common::all_close(&flat(&g), &flat(&expected)), "{g:?}");
    let f = |x: &[f64]| rows_by_their_sums(&matrix(x));
    assert_matches_fd(&f, &flat(&x), &flat(&g), "rows_by_their_sums");
}

#[test]
fn block_bodies_as_bare_expressions() {
    let x = [1.5, -2.0];
    let (v, g) = block_bodied_closures_grad(&x);
    // v = x0^2 + 3 x1 x0 + x0^3 + x1^3 + 2 x1
    let [a, b] = x;
    assert!(close(
        v,
        a * a + 3.0 * b * a + a * a * a + b * b * b + 2.0 * b
    ));
    let expected = [2.0 * a + 3.0 * b + 3.0 * a * a, 3.0 * a + 3.0 * b * b + 2.0];
    assert!(common::all_close(&g, &expected), "{g:?}");
    let f = |x: &[f64]| block_bodied_closures(&[x[0], x[1]]);
    assert_matches_fd(&f, &x, &g, "block_bodied_closures");
}

// ---- patterns bound to a literal of as many parts ----

#[grad]
fn proj(w: &[f64; 2], x: f64) -> [f64; 2] {
    [w[0] * x, w[1] * x]
}

/// Arrays that calls return, bound by an array pattern.
#[grad]
fn qk(wq: &[f64; 2], wk: &[f64; 2], x: f64) -> f64 {
    let [q, k] = [proj(wq, x), proj(wk, x)];
    q[0] * k[1]
}

/// The same with the type written on the `let`.
#[grad]
fn qk_typed(wq: &[f64; 2], wk: &[f64; 2], x: f64) -> f64 {
    let [q, k]: [[f64; 2]; 2] = [proj(wq, x), proj(wk, x)];
    q[0] * k[1]
}

/// The same by a tuple pattern, a number beside the arrays.
#[grad]
fn qk_tuple(wq: &[f64; 2], wk: &[f64; 2], x: f64) -> f64 {
    let (q, k, s) = (proj(wq, x), proj(wk, x), x * x);
    q[0] * k[1] + s * q[1]
}

/// A later part that reads a name the pattern binds again reads the one before: the parts
/// are all made before any is bound, as Rust does.
#[grad]
fn swapped(x: f64, y: f64) -> f64 {
    let (a, b) = (x, 2.0 * y);
    let (a, b) = (b, a);
    a * a * b
}

#[test]
fn array_pattern_of_call_results() {
    let (wq, wk, x) = ([1.0, 2.0], [3.0, 4.0], 0.5);
    // v = wq0 wk1 x^2
    let expected = (1.0, ([1.0, 0.0], [0.0, 0.25], 4.0));
    assert_eq!(qk_grad(&wq, &wk, x), expected);
    assert_eq!(qk_typed_grad(&wq, &wk, x), expected);
    let f = |p: &[f64]| qk(&[p[0], p[1]], &[p[2], p[3]], p[4]);
    let (_, (gq, gk, gx)) = qk_grad(&wq, &wk, x);
    let analytic = [gq[0], gq[1], gk[0], gk[1], gx];
    assert_matches_fd(&f, &[1.0, 2.0, 3.0, 4.0, 0.5], &analytic, "qk");
}

#[test]
fn tuple_pattern_of_call_results() {
    let (wq, wk, x) = ([1.0, 2.0], [3.0, 4.0], 0.5);
    // v = wq0 wk1 x^2 + wq1 x^3
    let (v, (gq, gk, gx)) = qk_tuple_grad(&wq, &wk, x);
    assert_eq!(v, 1.0 + 0.25);
    assert_eq!((gq, gk), ([1.0, 0.125], [0.0, 0.25]));
    assert!(close(gx, 2.0 * 4.0 * 0.5 + 3.0 * 2.0 * 0.25));
    let f = |p: &[f64]| qk_tuple(&[p[0], p[1]], &[p[2], p[3]], p[4]);
    let analytic = [gq[0], gq[1], gk[0], gk[1], gx];
    assert_matches_fd(&f, &[1.0, 2.0, 3.0, 4.0, 0.5], &analytic, "qk_tuple");
}

#[test]
fn swap_reads_the_parts_before_binding() {
    // a = 2y, b = x: v = 4 y^2 x.
    let (v, (dx, dy)) = swapped_grad(3.0, 0.5);
    assert_eq!((v, dx, dy), (3.0, 1.0, 12.0));
}

// ---- an assignment to an array pattern ----

/// The Goertzel recurrence, its state updated by an array destructuring assignment.
#[grad]
fn goertzel_power(c: f64, x: &[f64]) -> f64 {
    let (mut s1, mut s2) = (0.0, 0.0);
    for &v in x {
        [s1, s2] = [v + c * s1 - s2, s1];
    }
    s1 * s1 + s2 * s2 - c * s1 * s2
}

#[grad]
fn goertzel_power_tuples(c: f64, x: &[f64]) -> f64 {
    let (mut s1, mut s2) = (0.0, 0.0);
    for &v in x {
        (s1, s2) = (v + c * s1 - s2, s1);
    }
    s1 * s1 + s2 * s2 - c * s1 * s2
}

/// A biquad's state in an array, its elements assigned by one pattern.
#[grad]
fn biquad_state(a1: f64, x: &[f64]) -> f64 {
    let mut z = [0.0; 2];
    let mut out = 0.0;
    for &v in x {
        let y = v + z[0];
        [z[0], z[1]] = [z[1] - a1 * y, 0.3 * v];
        out += y * y;
    }
    out
}

#[test]
fn an_array_pattern_is_assigned_as_a_tuple() {
    let x = [1.0, 2.0, 3.0, -0.5];
    for c in [0.5, -1.2] {
        let (value, (dc, dx)) = goertzel_power_grad(c, &x);
        let (tuple_value, (tuple_dc, tuple_dx)) = goertzel_power_tuples_grad(c, &x);
        assert_eq!((value, dc, &dx), (tuple_value, tuple_dc, &tuple_dx));
        assert_matches_fd(
            &|p| goertzel_power(p[0], &p[1..]),
            &[[c].as_slice(), &x].concat(),
            &[[dc].as_slice(), &dx].concat(),
            "goertzel",
        );
    }
    // y0 = 1, z = [-a1, 0.3]; y1 = 2 - a1
    let (value, (da1, dx)) = biquad_state_grad(0.5, &x[..2]);
    assert!(close(value, 1.0 + 1.5 * 1.5));
    assert!(close(da1, -2.0 * 1.5));
    assert_matches_fd(
        &|p| biquad_state(p[0], &p[1..]),
        &[0.5, 1.0, 2.0],
        &[da1, dx[0], dx[1]],
        "biquad",
    );
}

// ---- forms of Rosetta Code and TheAlgorithms ----

// (As Rosetta Code writes it.)
#[allow(clippy::needless_return)]
#[grad(modes(jacobian))]
fn returned_last(x: &[f64; 2]) -> [f64; 2] {
    let out = [x[0] * x[1], x[0] + x[1]];
    return out;
}

#[grad]
fn pushed_last(x: &[f64]) -> f64 {
    let mut out = Vec::new();
    for i in 0..x.len() {
        out.push(x[i] * x[i])
    }
    out.iter().sum::<f64>() * 0.5
}

#[grad]
fn unit_guards(x: f64) -> f64 {
    match () {
        _ if x > 1.0 => x * x,
        _ if x > 0.0 => 2.0 * x - 1.0,
        _ => -x,
    }
}

/// Simpson's rule as TheAlgorithms writes it: the weight by `match i % 2`.
#[grad]
fn simpson_sine(a: f64, b: f64, n: u64) -> f64 {
    let h = (b - a) / n as f64;
    let mut sum = (a * a).sin() + (b * b).sin();
    for i in 1..n {
        let x = a + i as f64 * h;
        match i % 2 {
            0 => sum += 2.0 * (x * x).sin(),
            1 => sum += 4.0 * (x * x).sin(),
            _ => unreachable!(),
        }
    }
    if n > 1_000_000 {
        panic!("too many intervals")
    } else {
        sum *= h / 3.0;
    }
    sum
}

#[grad]
fn copied_from(x: &[f64]) -> f64 {
    let mut z = Vec::from(x);
    z[0] *= 2.0;
    z[0] * z[1] + Vec::from(&x[1..])[0]
}

#[test]
fn forms_of_rosetta_code() {
    let (value, jacobian) = returned_last_jacobian(&[2.0, 3.0]);
    assert_eq!((value, jacobian), ([6.0, 5.0], [[3.0, 2.0], [1.0, 1.0]]));
    let (value, g) = pushed_last_grad(&[1.0, -2.0]);
    assert_eq!((value, g), (2.5, vec![1.0, -2.0]));
    assert_eq!(unit_guards_grad(2.0), (4.0, 4.0));
    assert_eq!(unit_guards_grad(0.5), (0.0, 2.0));
    assert_eq!(unit_guards_grad(-3.0), (3.0, -1.0));
    // d/db of the integral of sin(x^2) is sin(b^2), which Simpson's rule follows closely.
    let (value, (da, db)) = simpson_sine_grad(0.0, 1.5, 64);
    assert_eq!(value, simpson_sine(0.0, 1.5, 64));
    assert!((db - (1.5f64 * 1.5).sin()).abs() < 1e-4, "{db}");
    assert!(da.abs() < 1e-4, "{da}");
    assert_matches_fd(
        &|p| simpson_sine(p[0], p[1], 64),
        &[0.25, 1.5],
        &[
            simpson_sine_grad(0.25, 1.5, 64).1 .0,
            simpson_sine_grad(0.25, 1.5, 64).1 .1,
        ],
        "simpson",
    );
    let (value, g) = copied_from_grad(&[1.5, 2.0]);
    assert_eq!((value, g), (8.0, vec![4.0, 3.0 + 1.0]));
}

// ---- a `const fn` ----

/// csscolorparser writes its helpers as `const fn`: the function stays `const`.
#[grad(modes(tangent, hvp))]
const fn mix(a: f64, b: f64, t: f64) -> f64 {
    a + (b - a) * t
}

#[grad(modes(jacobian))]
const fn scale3(c: [f64; 3], k: f64) -> [f64; 3] {
    [c[0] * k, c[1] * k, c[2] * k]
}

#[grad]
fn mixed_scaled(a: f64, b: f64) -> f64 {
    mix(a, b, 0.25) * scale3([a, b, 1.0], 2.0)[1]
}

const HALF: f64 = mix(0.0, 1.0, 0.5);

#[test]
fn a_const_fn_is_differentiated() {
    assert_eq!(HALF, 0.5);
    assert_eq!(mix_grad(1.0, 3.0, 0.5), (2.0, (0.5, 0.5, 2.0)));
    assert_eq!(
        mix_hvp(1.0, 3.0, 0.5, 1.0, 0.0, 1.0),
        (2.0, (0.5, 0.5, 2.0), (-1.0, 1.0, -1.0))
    );
    assert_eq!(mixed_scaled_grad(1.0, 3.0), (9.0, (4.5, 4.5)));
    let (_, jacobian) = scale3_jacobian([1.0, 2.0, 3.0], 2.0);
    assert_eq!(jacobian.1, [1.0, 2.0, 3.0]);
}

// ---- palette's generic forms: numbers cloned and behind `&` ----

#[derive(Clone, Copy, Debug, Params)]
struct Cusp {
    lightness: f64,
    chroma: f64,
}

// (As generic code over `T: Clone` writes it, instantiated at `f64`.)
#[allow(clippy::clone_on_copy, clippy::op_ref)]
#[grad]
fn cloned_numbers(x: f64, y: f64) -> f64 {
    x.clone() * 2.0 + x * &y
}

#[allow(clippy::clone_on_copy, clippy::op_ref)]
#[grad]
fn cloned_fields(l0: f64, cusp: Cusp) -> f64 {
    let t = cusp.chroma.clone();
    t * l0 + cusp.chroma.clone() * 2.0 + l0 * &cusp.lightness
}

/// rulinalg's `unrolled_sum`: a sum started at `T::zero()` and cloned at every step (the
/// local was taken for an array, the clone of which was rejected).
#[allow(clippy::clone_on_copy)]
#[grad]
fn cloned_sum<T: autodiff::Float>(x: &[T]) -> T {
    let mut sum = T::zero();
    for elt in x {
        sum = sum.clone() + elt.clone() * elt.clone();
    }
    sum
}

#[test]
fn numbers_cloned_or_behind_references() {
    assert_eq!(cloned_sum_grad(&[1.0, -2.0][..]), (5.0, vec![2.0, -4.0]));
    assert_eq!(cloned_numbers_grad(2.0, 5.0), (14.0, (2.0 + 5.0, 2.0)));
    let cusp = Cusp {
        lightness: 0.5,
        chroma: 3.0,
    };
    let (value, (dl0, d)) = cloned_fields_grad(2.0, cusp);
    assert_eq!(value, 6.0 + 6.0 + 1.0);
    assert_eq!((dl0, d.chroma, d.lightness), (3.0 + 0.5, 2.0 + 2.0, 2.0));
}

// ---- an array literal mapped at the tail ----

/// Kelvin to RGB, as colour code writes it: the channels clamped by a `map` of the literal.
#[grad(modes(jacobian))]
fn kelvin_to_rgb(kelvin: f64) -> [f64; 3] {
    let t = kelvin / 100.0;
    let green = 99.470_802_586_1 * t.ln() - 161.119_568_166_1;
    let blue = 138.517_731_223_1 * (t - 10.0).ln() - 305.044_792_730_7;
    [255.0 + 0.0 * t, green, blue].map(|v| v.clamp(1.0, 250.0))
}

#[test]
fn an_array_literal_mapped_at_the_tail() {
    let (value, jacobian) = kelvin_to_rgb_jacobian(5000.0);
    assert_eq!(value, kelvin_to_rgb(5000.0));
    assert_eq!(value[0], 250.0);
    assert_eq!(jacobian[0], 0.0);
    assert!(close(jacobian[1], 99.470_802_586_1 / 5000.0));
    assert!(close(jacobian[2], 138.517_731_223_1 / 4000.0));
}
