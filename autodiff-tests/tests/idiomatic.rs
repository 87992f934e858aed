//! Rust as numeric crates write it, with `#[grad]` added and nothing else: iterator chains
//! with closures, `FromPrimitive` constants, destructuring, constant tables, asserts, local
//! closures, data structs; the arrays such code makes are in `idiomatic_arrays.rs`. Each
//! gradient is checked against a hand-derived one.
// `vec![..]` literals are what is being tested.
#![allow(clippy::useless_vec)]

mod common;

use autodiff::{grad, Float};
use common::{all_close, close};
use num_traits::FromPrimitive;
use std::iter::Sum;

#[grad]
fn rosenbrock_chain(x: &[f64]) -> f64 {
    assert!(
        x.len() >= 2,
        "rosenbrock needs two coordinates, got {}",
        x.len()
    );
    x.iter()
        .zip(x.iter().skip(1))
        .map(|(&a, &b)| 100.0 * (b - a * a).powi(2) + (1.0 - a).powi(2))
        .sum()
}

fn rosenbrock_hand(x: &[f64]) -> Vec<f64> {
    let mut g = vec![0.0; x.len()];
    for i in 0..x.len() - 1 {
        let (a, b) = (x[i], x[i + 1]);
        g[i] += -400.0 * a * (b - a * a) - 2.0 * (1.0 - a);
        g[i + 1] += 200.0 * (b - a * a);
    }
    g
}

#[test]
fn zip_skip_map_sum() {
    let x = [0.3, -1.2, 0.8, 1.7];
    let (value, g) = rosenbrock_chain_grad(&x);
    let expected: f64 = (0..3)
        .map(|i| 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2))
        .sum();
    assert!(close(value, expected));
    assert!(all_close(&g, &rosenbrock_hand(&x)));
}

#[grad]
fn generic_sphere<T: Float + FromPrimitive + Sum>(x: &[T]) -> T {
    let half = T::from_f64(0.5).unwrap();
    let n = T::from_usize(x.len()).unwrap();
    half * x.iter().map(|&v| v * v).sum::<T>() / n
}

#[test]
fn from_primitive_constants_and_turbofish_sum() {
    let x = [1.0, -2.0, 3.0];
    let (value, g) = generic_sphere_grad(&x[..]);
    assert!(close(value, 0.5 * 14.0 / 3.0));
    assert!(all_close(&g, &[1.0 / 3.0, -2.0 / 3.0, 1.0]));
}

#[grad]
fn destructured(p: &[f64; 2]) -> f64 {
    let [x, y] = *p;
    (x + 2.0 * y - 7.0).powi(2) + (2.0 * x + y - 5.0).powi(2)
}

#[grad]
fn destructured_rest(p: &[f64]) -> f64 {
    let [first, .., last] = p else {
        return 0.0;
    };
    first * last
}

#[test]
fn slice_patterns() {
    let (value, g) = destructured_grad(&[1.0, 2.0]);
    assert!(close(value, 4.0 + 1.0));
    // d/dx = 2(x+2y-7) + 4(2x+y-5); d/dy = 4(x+2y-7) + 2(2x+y-5).
    assert!(all_close(&g, &[2.0 * -2.0 - 4.0, 4.0 * -2.0 - 2.0]));
}

const LANCZOS: [f64; 3] = [0.5, 0.25, 0.125];

#[grad]
fn table_series(x: f64) -> f64 {
    let mut s = LANCZOS[0];
    for (i, &c) in LANCZOS.iter().enumerate().skip(1) {
        s += c / (x + i as f64);
    }
    s.ln()
}

#[test]
fn const_table_indexed() {
    let x = 1.5;
    let s = 0.5 + 0.25 / (x + 1.0) + 0.125 / (x + 2.0);
    let ds = -0.25 / (x + 1.0).powi(2) - 0.125 / (x + 2.0).powi(2);
    let (value, d_x) = table_series_grad(x);
    assert!(close(value, s.ln()) && close(d_x, ds / s));
}

#[grad]
fn horner_fold(x: f64, c: &[f64]) -> f64 {
    c.iter().rev().fold(0.0, |acc, &ci| acc * x + ci)
}

#[test]
fn rev_fold_horner() {
    let c = [1.0, -2.0, 0.5, 3.0];
    let x = 0.7;
    let (value, (d_x, d_c)) = horner_fold_grad(x, &c);
    let p = 1.0 - 2.0 * x + 0.5 * x * x + 3.0 * x * x * x;
    let dp = -2.0 + x + 9.0 * x * x;
    assert!(close(value, p) && close(d_x, dp));
    assert!(all_close(&d_c, &[1.0, x, x * x, x * x * x]));
}

#[grad]
fn weighted(x: &[f64]) -> f64 {
    x.iter()
        .enumerate()
        .map(|(i, &v)| (i + 1) as f64 * v * v)
        .sum::<f64>()
        + x.iter().step_by(2).take(2).product::<f64>()
}

#[test]
fn enumerate_step_by_take_product() {
    let x = [1.5, -0.5, 2.0, 4.0, 3.0];
    let (value, g) = weighted_grad(&x);
    let expected: f64 = (0..5).map(|i| (i + 1) as f64 * x[i] * x[i]).sum::<f64>() + x[0] * x[2];
    assert!(close(value, expected));
    let mut hand: Vec<f64> = (0..5).map(|i| 2.0 * (i + 1) as f64 * x[i]).collect();
    hand[0] += x[2];
    hand[2] += x[0];
    assert!(all_close(&g, &hand));
}

#[grad]
fn max_entry(x: &[f64]) -> f64 {
    let m = x
        .iter()
        .copied()
        .max_by(|a, b| a.partial_cmp(b).unwrap())
        .unwrap();
    let lo = x.iter().copied().fold(f64::INFINITY, f64::min);
    m - 0.5 * lo
}

#[test]
fn max_by_and_fold_min() {
    let x = [0.3, 2.5, -1.0, 1.1];
    let (value, g) = max_entry_grad(&x);
    assert!(close(value, 2.5 + 0.5));
    assert!(all_close(&g, &[0.0, 1.0, -0.5, 0.0]));
}

#[grad]
fn positive_part_sum(x: &[f64]) -> f64 {
    let sq = |v: f64| v * v;
    x.iter().filter(|&&v| v > 0.0).map(|&v| sq(v)).sum()
}

#[test]
fn filter_and_local_closure() {
    let x = [0.5, -1.0, 2.0];
    let (value, g) = positive_part_sum_grad(&x);
    assert!(close(value, 4.25));
    assert!(all_close(&g, &[1.0, 0.0, 4.0]));
}

#[grad]
fn accumulate_for_each(x: &[f64], w: f64) -> f64 {
    let mut total = 0.0;
    x.iter().for_each(|v| total += w * v.sin());
    total
}

#[test]
fn for_each_assigns_outside() {
    let x = [0.2, 1.0];
    let (value, (g, d_w)) = accumulate_for_each_grad(&x, 1.5);
    assert!(close(value, 1.5 * (0.2f64.sin() + 1.0f64.sin())));
    assert!(all_close(&g, &[1.5 * 0.2f64.cos(), 1.5 * 1.0f64.cos()]));
    assert!(close(d_w, 0.2f64.sin() + 1.0f64.sin()));
}

pub struct Config {
    pub scale: f64,
    pub offsets: [f64; 2],
}

#[grad(x)]
fn with_config(x: f64, cfg: &Config) -> f64 {
    debug_assert!(cfg.scale > 0.0);
    cfg.scale * (x - cfg.offsets[1]).exp()
}

#[test]
fn data_struct_fields_pass_through() {
    let cfg = Config {
        scale: 2.0,
        offsets: [0.0, 0.5],
    };
    let (value, d_x) = with_config_grad(1.0, &cfg);
    assert!(close(value, 2.0 * 0.5f64.exp()) && close(d_x, value));
}

#[grad]
fn total_variation(x: &[f64]) -> f64 {
    x.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum::<f64>()
        + x.chunks(2).map(|c| c[0] * c[c.len() - 1]).sum::<f64>()
}

#[test]
fn windows_and_chunks() {
    let x = [1.0, 3.0, 2.0, 5.0, 4.0];
    let (value, g) = total_variation_grad(&x);
    // Squares of differences: 4 + 1 + 9 + 1; chunks [1,3], [2,5], [4]: 3 + 10 + 16.
    assert!(close(value, 15.0 + 29.0));
    let mut hand = [0.0; 5];
    for i in 0..4 {
        let d = 2.0 * (x[i + 1] - x[i]);
        hand[i] -= d;
        hand[i + 1] += d;
    }
    hand[0] += x[1];
    hand[1] += x[0];
    hand[2] += x[3];
    hand[3] += x[2];
    hand[4] += 2.0 * x[4];
    assert!(all_close(&g, &hand));
}

#[grad]
fn tail_loop(x: &[f64]) -> f64 {
    let tail = &x[1..];
    let mut s = 0.0;
    for (a, b) in x.iter().zip(tail) {
        s += a * b;
    }
    for w in x.windows(3) {
        let [l, _, r] = *w else { unreachable!() };
        s += l * r;
    }
    s
}

#[test]
fn slices_views_and_for_over_chains() {
    let x = [1.0, 2.0, 3.0, 4.0];
    let (value, g) = tail_loop_grad(&x);
    assert!(close(value, 2.0 + 6.0 + 12.0 + 3.0 + 8.0));
    assert!(all_close(
        &g,
        &[2.0 + 3.0, 1.0 + 3.0 + 4.0, 2.0 + 4.0 + 1.0, 3.0 + 2.0]
    ));
}

#[grad]
fn literal_arrays(x: &[f64; 2], s: f64) -> f64 {
    let v = [x[0] * s, x[1], 2.0];
    let m = [[s, x[0]], [x[1], 1.0]];
    let w = vec![s, s * s];
    v.iter().sum::<f64>() + m[0][1] * m[1][0] + w[1] * v[2]
}

#[test]
fn array_and_vec_literals() {
    let (value, (d_x, d_s)) = literal_arrays_grad(&[3.0, 4.0], 0.5);
    assert!(close(value, 1.5 + 4.0 + 2.0 + 12.0 + 0.5));
    assert!(all_close(&d_x, &[0.5 + 4.0, 1.0 + 3.0]));
    assert!(close(d_s, 3.0 + 2.0 * 2.0 * 0.5));
}

#[grad]
fn copies(w: &[f64; 3], x: &[f64]) -> f64 {
    let mut a = *w;
    a[0] *= 2.0;
    let mut b = x.to_vec();
    b[1] *= a[0];
    let c: Vec<f64> = x.iter().map(|v| v * v).collect();
    a.iter().sum::<f64>() + b.iter().sum::<f64>() + c[0]
}

#[test]
fn array_copies_and_collect() {
    let (w, x) = ([1.0, 2.0, 3.0], [0.5, 4.0]);
    let (value, (d_w, d_x)) = copies_grad(&w, &x);
    // a = [2, 2, 3]; b = [0.5, 2 * 4]; c[0] = 0.25.
    assert!(close(value, 7.0 + 8.5 + 0.25));
    assert!(all_close(&d_w, &[2.0 + 2.0 * 4.0, 1.0, 1.0]));
    assert!(all_close(&d_x, &[1.0 + 2.0 * 0.5, 2.0]));
}

#[grad]
fn suffixed_literals(z: f64) -> f64 {
    let mut acc = 0_f64;
    for _ in 0..3 {
        acc = acc * z + 1.0;
    }
    acc + (2f64 * std::f64::consts::PI).sqrt() * z
}

#[test]
fn float_suffixed_integer_literals() {
    let z = 0.5;
    let (value, d_z) = suffixed_literals_grad(z);
    let c = (2.0 * std::f64::consts::PI).sqrt();
    assert!(close(value, z * z + z + 1.0 + c * z));
    assert!(close(d_z, 2.0 * z + 1.0 + c));
}

#[grad]
fn argmax_weighted(p: &[f64]) -> f64 {
    let (i, m) = p
        .iter()
        .copied()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap();
    let best = p
        .iter()
        .copied()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap();
    (i as f64 + 1.0) * m + best.1
}

#[grad]
fn head_and_rest(p: &[f64]) -> f64 {
    let [a, b, rest @ ..] = p else {
        return 0.0;
    };
    a * b + rest.iter().map(|v| v * v).sum::<f64>()
}

/// The same patterns behind a `&`, which binds the elements by value (edition-2024 probe:
/// rejected as data).
#[grad]
fn head_by_reference(p: &[f64]) -> f64 {
    let &[a, .., z] = p else {
        return 0.0;
    };
    if let &[_, b, ..] = p {
        a * b * z
    } else {
        a * z
    }
}

/// An element that may be missing, mapped (edition-2024 probe: rejected): `map_or`,
/// `map_or_else`, `map(..).unwrap_or(d)`, with the element by value or by reference.
#[grad]
fn mapped_ends(x: &[f64], i: usize) -> f64 {
    let last = x.last().copied().map_or(1.0, |v| v * v);
    let first = x.first().map_or(0.0, |v| v * 2.0);
    let picked = x.get(i).copied().map(|v: f64| v.exp()).unwrap_or(0.5);
    let tail = x.last().map_or_else(|| 3.0, |&v| v.sin());
    last + first + picked + tail
}

/// An element that may be missing, bound whole (`let o = x.last().copied();`, edition-2024
/// probe: rejected): a local `Option` of a number, read as one.
#[grad(modes(tangent))]
fn bound_ends(x: &[f64], i: usize) -> f64 {
    let o = x.last().copied();
    let g = x.get(i).copied();
    let mut s = o.map_or(1.0, |v| v * v) + o.unwrap_or(0.0);
    if let Some(w) = g {
        s += w.exp();
    }
    s
}

/// `black_box` and `identity` on differentiated values: the values themselves (a
/// benchmark's habit; rejected as calls without an `_adjoint` before).
#[grad]
fn through_identities(x: &[f64; 2]) -> f64 {
    use std::hint::black_box;
    let a = black_box(x[0]) * std::hint::black_box(x[1]);
    let w0 = std::convert::identity(x[0]);
    a + w0 * w0
}

#[test]
fn enumerate_extremes_and_rest_patterns() {
    let p = [0.5, 3.0, -1.0, 2.0];
    let (value, g) = argmax_weighted_grad(&p);
    assert!(close(value, 2.0 * 3.0 - 1.0));
    assert!(all_close(&g, &[0.0, 2.0, 1.0, 0.0]));

    let (value, g) = head_and_rest_grad(&p);
    assert!(close(value, 1.5 + 1.0 + 4.0));
    assert!(all_close(&g, &[3.0, 0.5, -2.0, 4.0]));
    assert_eq!(head_and_rest_grad(&[1.0]), (0.0, vec![0.0]));

    let x = [0.3, -0.8];
    let (value, g) = mapped_ends_grad(&x, 1);
    assert!(close(value, 0.64 + 0.6 + (-0.8f64).exp() + (-0.8f64).sin()));
    assert!(all_close(
        &g,
        &[2.0, -1.6 + (-0.8f64).exp() + (-0.8f64).cos()]
    ));
    let (value, g) = mapped_ends_grad(&x, 5);
    assert!(close(value, 0.64 + 0.6 + 0.5 + (-0.8f64).sin()));
    assert!(all_close(&g, &[2.0, -1.6 + (-0.8f64).cos()]));
    assert_eq!(mapped_ends_grad(&[], 0), (1.0 + 0.0 + 0.5 + 3.0, vec![]));

    assert_eq!(through_identities_grad(&[3.0, 4.0]), (21.0, [10.0, 3.0]));
    let (value, g) = bound_ends_grad(&[1.0, 3.0], 0);
    assert!(close(value, 12.0 + 1f64.exp()));
    assert!(all_close(&g, &[1f64.exp(), 7.0]));
    assert_eq!(bound_ends_grad(&[2.0], 5), (6.0, vec![5.0]));
    assert_eq!(bound_ends_grad(&[], 0), (1.0, vec![]));
    let (_, t) = bound_ends_tangent(&[1.0, 3.0], 0, &[1.0, 2.0][..]);
    assert!(close(t, 1f64.exp() + 14.0));

    let (value, g) = head_by_reference_grad(&p);
    assert_eq!((value, g), (3.0, vec![6.0, 1.0, 0.0, 1.5]));
    assert_eq!(
        head_by_reference_grad(&[3.0, 4.0]),
        (48.0, vec![16.0, 24.0])
    );
    assert_eq!(head_by_reference_grad(&[3.0]), (0.0, vec![0.0]));
    assert_eq!(head_by_reference_grad(&[]), (0.0, vec![]));
}

// ---- the float API numeric code uses ----

const HALF: f64 = 0.5;

fn split(x: f64) -> (f64, f64) {
    (x.floor(), x.fract())
}

/// Predicates (`is_nan`, `is_sign_negative`, `contains` on a range), `to_bits`, `copysign`,
/// `fract`, a deferred `let t: f64;`, `const` items and tuples from helpers, together.
#[grad]
#[allow(clippy::needless_late_init)] // the deferred assignment is what is tested
fn float_api(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_infinite() || !x.is_finite() {
        return 0.0;
    }
    let s = if x.is_sign_negative() { -1.0 } else { 1.0 };
    let inside = (0.0..=1.0).contains(&y);
    let bits = x.to_bits() & 1;
    let t: f64;
    if inside {
        t = y * HALF;
    } else {
        t = y.copysign(x);
    }
    const C: [f64; 3] = [1.0, 2.0, 3.0];
    let table = [0.5, 0.25];
    let (whole, frac) = split(2.75);
    s * x * t + x.fract() + C[1] * x + table[0] * y + (bits as f64) + whole + frac
}

#[test]
fn the_float_api_of_numeric_code() {
    // Inside [0, 1]: t = y / 2.
    assert_eq!(float_api_grad(1.5, 0.5), (6.875, (3.25, 1.25)));
    // Outside: t = copysign(y, x), whose derivative in y is sign(y) sign(x).
    assert_eq!(float_api_grad(-1.5, 2.5), (-3.25, (5.5, -1.0)));
    assert_eq!(float_api_grad(f64::NAN, 2.5).1, (0.0, 0.0));
}

/// `std::iter::zip` as a chain's start and as a `for` loop's iterator.
#[grad]
fn free_zip(x: &[f64], y: &[f64]) -> f64 {
    let mut lagged = 0.0;
    for (a, b) in std::iter::zip(x, x.iter().skip(1)) {
        lagged += a * b;
    }
    std::iter::zip(x, y).map(|(a, b)| a * b).sum::<f64>() + lagged
}

/// `take_while` stops the sum at the first non-positive entry.
#[grad]
fn positive_prefix_squares(x: &[f64]) -> f64 {
    x.iter().take_while(|v| **v > 0.0).map(|v| v * v).sum()
}

/// `max_by(..).unwrap_or(d)` and `reduce(..).unwrap_or(d)`: `d` where there are no items.
#[grad]
fn largest_or(x: &[f64], from: usize) -> f64 {
    let largest = x[from..]
        .iter()
        .copied()
        .max_by(|a, b| a.total_cmp(b))
        .unwrap_or(-1.0);
    let product = x[from..]
        .iter()
        .copied()
        .reduce(|a, b| a * b)
        .unwrap_or(0.5);
    largest + product
}

/// `.unwrap_or_default()` after `max_by`, `min_by` and `reduce` (edition-2024 probe): zero
/// where there are no items.
#[grad]
fn extremes_or_default(x: &[f64], from: usize) -> f64 {
    let largest = x[from..]
        .iter()
        .max_by(|a, b| a.partial_cmp(b).unwrap())
        .copied()
        .unwrap_or_default();
    let smallest = x[from..]
        .iter()
        .copied()
        .min_by(|a, b| a.partial_cmp(b).unwrap())
        .unwrap_or_default();
    let product = x[from..]
        .iter()
        .copied()
        .reduce(|a, b| a * b)
        .unwrap_or_default();
    largest * smallest + product
}

#[test]
fn free_zip_take_while_and_unwrap_or() {
    let (x, y) = ([1.5, -2.0, 3.0], [0.5, 4.0]);
    let (value, (gx, gy)) = free_zip_grad(&x, &y);
    assert_eq!(value, 1.5 * 0.5 - 2.0 * 4.0 + 1.5 * -2.0 - 2.0 * 3.0);
    // d/dx = y (on the shorter length) + the lagged pairs' neighbours.
    assert_eq!(gx, vec![0.5 - 2.0, 4.0 + 1.5 + 3.0, -2.0]);
    assert_eq!(gy, vec![1.5, -2.0]);

    let (value, g) = positive_prefix_squares_grad(&[2.0, 3.0, -1.0, 4.0]);
    assert_eq!((value, g), (13.0, vec![4.0, 6.0, 0.0, 0.0]));

    let x = [1.0, 5.0, 3.0, 2.0];
    let (value, g) = largest_or_grad(&x, 1);
    assert_eq!((value, g), (5.0 + 30.0, vec![0.0, 1.0 + 6.0, 10.0, 15.0]));
    // No items: the defaults, no derivative.
    assert_eq!(largest_or_grad(&x, 4), (-0.5, vec![0.0; 4]));

    let (value, g) = extremes_or_default_grad(&x, 1);
    assert_eq!(
        (value, g),
        (5.0 * 2.0 + 30.0, vec![0.0, 2.0 + 6.0, 10.0, 5.0 + 15.0])
    );
    assert_eq!(extremes_or_default_grad(&x, 4), (0.0, vec![0.0; 4]));
}

/// `split_at`, and arrays made by `std::array::from_fn` (a float type or `_` written on the
/// `let`), in a generic function too.
#[grad]
fn halves(x: &[f64]) -> f64 {
    let (head, tail) = x.split_at(x.len() / 2);
    let squares: [f64; 3] = std::array::from_fn(|i| x[i] * x[i]);
    let shifted: [_; 2] = core::array::from_fn(|i: usize| tail[i] - head[i]);
    head[0] * tail.iter().sum::<f64>() + squares[2] + shifted[1] * shifted[1]
}

fn one<T: Float>() -> T {
    T::one()
}

#[grad]
fn reversed_products<T: Float>(x: &[T; 3]) -> T {
    let y: [T; 3] = std::array::from_fn(|i| x[i] * x[2 - i]);
    // A fill whose type only the `let` tells (a generic helper's result).
    let mut z: [T; 2] = [one::<T>(); 2];
    for i in 0..2 {
        z[i] = z[i] * y[i];
    }
    z[0] + z[1]
}

#[test]
fn split_at_and_array_from_fn() {
    let x = [1.0, 2.0, 3.0, 4.0];
    let (value, g) = halves_grad(&x);
    // head = [1, 2], tail = [3, 4]: 1 * 7 + 9 + (4 - 2)^2
    assert_eq!(value, 7.0 + 9.0 + 4.0);
    assert_eq!(g, vec![7.0, -4.0, 1.0 + 6.0, 1.0 + 4.0]);

    // y0 = x0 x2, y1 = x1^2.
    let (value, g) = reversed_products_grad(&[1.0f64, 2.0, 3.0]);
    assert_eq!((value, g), (7.0, [3.0, 4.0, 1.0]));
}

/// The elements `first`, `last` and `get(i)` of a differentiated slice, where there may be
/// none: `if let`, `let .. else`, `match` (either order of the arms), and an index from
/// `position`.
#[grad]
fn ends(x: &[f64], i: usize) -> f64 {
    let Some(&first) = x.first() else {
        return -1.0;
    };
    let mut s = first;
    if let Some(last) = x.last().copied() {
        s += last * last;
    }
    s += match x.get(i) {
        Some(v) => v.sin(),
        None => 0.5,
    };
    s += match x.get(i + 1) {
        None => 0.0,
        Some(&v) => 2.0 * v,
    };
    let above = x.iter().position(|&v| v > 1.0).unwrap_or(0);
    let smallest = x
        .iter()
        .min_by(|a, b| a.total_cmp(b))
        .copied()
        .unwrap_or(0.0);
    s + x[above] * smallest
}

#[test]
fn optional_elements_of_a_differentiated_slice() {
    let x = [0.5, 2.0, -1.0];
    // first 0.5, last -1, x[1] = 2, x[2] = -1, x[above = 1] = 2, smallest -1.
    let (value, g) = ends_grad(&x, 1);
    assert!(close(value, 0.5 + 1.0 + 2f64.sin() - 2.0 - 2.0));
    assert!(all_close(&g, &[1.0, 2f64.cos() - 1.0, -2.0 + 2.0 + 2.0]));
    // Past the end: the `None` arms.
    let (value, g) = ends_grad(&x, 5);
    assert!(close(value, 0.5 + 1.0 + 0.5 - 2.0));
    assert!(all_close(&g, &[1.0, -1.0, -2.0 + 2.0]));
    assert_eq!(ends_grad(&[], 0), (-1.0, vec![]));
}

/// A layer written with `Vec::with_capacity` and `push`, one push per row.
#[grad(modes(tangent))]
fn tanh_layer(w: &[[f64; 3]], b: &[f64], x: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(b.len());
    for (row, bias) in w.iter().zip(b) {
        let z: f64 = row.iter().zip(x).map(|(a, v)| a * v).sum();
        out.push((z + bias).tanh());
    }
    out
}

/// Pushes of differentiated items, of integers (`Vec<usize>`, written), and in a generic
/// function (`Vec::new()` filled with `T`s), each read after its loop.
#[grad]
fn reversed_squares<T: Float + Sum>(x: &[T]) -> T {
    let mut squares = Vec::new();
    for &v in x {
        squares.push(v * v);
    }
    let mut order: Vec<usize> = Vec::new();
    for i in 0..x.len() {
        order.push(x.len() - 1 - i);
    }
    squares.iter().zip(&order).map(|(&s, &k)| s * x[k]).sum()
}

#[test]
fn vectors_built_by_push_in_a_loop() {
    let w = vec![[0.5, -1.0, 0.25], [2.0, 0.0, -0.5]];
    let b = vec![0.1, -0.3];
    let x = vec![1.0, 2.0, -1.0];
    let z = [0.5 - 2.0 - 0.25 + 0.1, 2.0 + 0.5 - 0.3];
    let mut d_w = vec![[0.0; 3]; 2];
    let mut d_b = vec![0.0; 2];
    let mut d_x = vec![0.0; 3];
    let d_out = [1.0, -2.0];
    let out = tanh_layer_adjoint(&w, &b, &x, &d_out, &mut d_w, &mut d_b, &mut d_x);
    assert_eq!(out, vec![z[0].tanh(), z[1].tanh()]);
    // d/dz_i = d_out_i (1 - tanh(z_i)^2); d/dw_ij = that x_j, d/dx_j = sum_i that w_ij.
    let dz: Vec<f64> = (0..2)
        .map(|i| d_out[i] * (1.0 - z[i].tanh().powi(2)))
        .collect();
    assert!(all_close(&d_b, &dz));
    for i in 0..2 {
        let by_hand: Vec<f64> = x.iter().map(|xj| dz[i] * xj).collect();
        assert!(all_close(&d_w[i], &by_hand));
    }
    let d_x_hand: Vec<f64> = (0..3).map(|j| dz[0] * w[0][j] + dz[1] * w[1][j]).collect();
    assert!(all_close(&d_x, &d_x_hand));
    // Forward mode along x: the Jacobian-vector product.
    let t_x = [0.0, 1.0, 0.0];
    let (_, t_out) = tanh_layer_tangent(&w, &b, &x, autodiff::Const, autodiff::Const, &t_x);
    let jvp: Vec<f64> = (0..2)
        .map(|i| (1.0 - z[i].tanh().powi(2)) * w[i][1])
        .collect();
    assert!(all_close(&t_out, &jvp));

    // sum_i x_i^2 x_(n-1-i): d/dx_k = 2 x_k x_(n-1-k) + x_(n-1-k)^2.
    let x = [1.5, -0.5, 2.0, 0.25];
    let n = x.len();
    let (value, g) = reversed_squares_grad(&x);
    assert!(close(
        value,
        (0..n).map(|i| x[i] * x[i] * x[n - 1 - i]).sum()
    ));
    let by_hand: Vec<f64> = (0..n)
        .map(|k| 2.0 * x[k] * x[n - 1 - k] + x[n - 1 - k] * x[n - 1 - k])
        .collect();
    assert!(all_close(&g, &by_hand));
    let (value32, _) = reversed_squares_grad(&[1.5f32, -0.5, 2.0, 0.25]);
    assert_eq!(value32, value as f32);
}

/// Two arrays as one sequence: `a.iter().chain(b)`, mapped, enumerated, zipped.
#[grad(modes(tangent))]
fn chained(a: &[f64], b: &[f64; 2]) -> f64 {
    let norm = a.iter().chain(b).map(|v| v * v).sum::<f64>().sqrt();
    let mut weighted = 0.0;
    for (i, &v) in a.iter().chain(b.iter()).enumerate() {
        weighted += (i as f64 + 1.0) * v;
    }
    norm + weighted
}

#[derive(Clone, Debug, autodiff::Params)]
pub struct Affine {
    pub w: Vec<f64>,
    pub b: Vec<f64>,
}

/// An L2 penalty over every parameter of a model, its fields chained.
#[grad(m)]
fn penalty(m: &Affine, lambda: f64) -> f64 {
    lambda * m.w.iter().chain(&m.b).map(|p| p * p).sum::<f64>()
}

/// Two fields of a model zipped in a chain (`.zip(&m.b)`).
#[grad(m)]
fn fields_dot(m: &Affine) -> f64 {
    m.w.iter().zip(&m.b).map(|(p, q)| p * q).sum()
}

#[test]
fn chained_arrays() {
    let (a, b) = ([3.0, 0.0], [0.0, 4.0]);
    // |(a, b)| = 5: d/dv = v / 5; the weights 1..4 in order.
    let (value, (d_a, d_b)) = chained_grad(&a, &b);
    assert_eq!(value, 5.0 + 3.0 + 4.0 * 4.0);
    assert_eq!(d_a, vec![3.0 / 5.0 + 1.0, 2.0]);
    assert_eq!(d_b, [3.0, 4.0 / 5.0 + 4.0]);
    let (_, t) = chained_tangent(&a, &b, &[0.0, 0.0], &[0.0, 1.0]);
    assert_eq!(t, d_b[1]);
    let m = Affine {
        w: vec![1.0, -2.0],
        b: vec![0.5],
    };
    let (value, d) = penalty_grad(&m, 0.1);
    assert!(close(value, 0.1 * 5.25));
    assert!(all_close(&d.w, &[0.2, -0.4]));
    assert!(all_close(&d.b, &[0.1]));
    let (value, d) = fields_dot_grad(&m);
    assert_eq!(value, 0.5);
    assert_eq!((d.w, d.b), (vec![0.5, 0.0], vec![1.0]));
}

/// The argmax idiom: `enumerate` then `max_by` on the number, compared as the chain yields it
/// (`a.1` is a `&f64` there), and a comparator that dereferences its items.
#[grad]
fn weight_at_argmax(x: &[f64], w: &[f64]) -> f64 {
    let (i, _) = x
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.partial_cmp(b.1).unwrap())
        .unwrap();
    let (j, _) = x
        .iter()
        .enumerate()
        .min_by(|(_, a), (_, b)| a.total_cmp(b))
        .unwrap();
    let top = *x
        .iter()
        .max_by(|a, b| (*a).partial_cmp(*b).unwrap())
        .unwrap();
    w[i] * top + w[j] * x[j]
}

#[test]
fn comparators_see_the_items_as_the_chain_yields_them() {
    let (x, w) = ([0.5, 2.0, -1.0, 1.5], [3.0, -2.0, 0.25, 4.0]);
    let (value, (d_x, d_w)) = weight_at_argmax_grad(&x, &w);
    // The largest is x[1], the smallest x[2].
    assert_eq!(value, w[1] * x[1] + w[2] * x[2]);
    assert!(all_close(&d_x, &[0.0, w[1], w[2], 0.0]));
    assert!(all_close(&d_w, &[0.0, x[1], x[2], 0.0]));
}

/// Slice conveniences on differentiated values: `split_first`/`split_last`, `get(..)` with
/// a default, `.iter().last()`, and `swap` on a local copy.
#[grad]
fn slice_conveniences(x: &[f64], w: &[f64; 3]) -> f64 {
    let (first, rest) = x.split_first().unwrap();
    let (last, init) = x.split_last().unwrap();
    let beyond = x.get(10).copied().unwrap_or(0.5);
    let second = *x.get(1).unwrap_or(&1.0);
    let tail = *x.iter().last().unwrap();
    let mut v = *w;
    v.swap(0, 2);
    first * rest.iter().sum::<f64>()
        + last * init[0]
        + beyond
        + second * second
        + tail
        + v[0] * 10.0
        + v[2]
}

#[test]
fn split_get_last_and_swap() {
    let (x, w) = ([2.0, 3.0, 5.0], [1.0, 4.0, 7.0]);
    let (value, (d_x, d_w)) = slice_conveniences_grad(&x, &w);
    // 2 (3 + 5) + 5 * 2 + 0.5 + 3^2 + 5 + 7 * 10 + 1
    assert_eq!(value, 16.0 + 10.0 + 0.5 + 9.0 + 5.0 + 70.0 + 1.0);
    // d/dx0 = (3 + 5) + 5; d/dx1 = 2 + 2 * 3; d/dx2 = 2 + 2 + 1.
    assert!(all_close(&d_x, &[13.0, 8.0, 5.0]));
    assert!(all_close(&d_w, &[1.0, 0.0, 10.0]));
}

/// Sorting a local copy: the median, a trimmed mean, a descending sort, and `f64::total_cmp`
/// passed as the comparison. Each sorted element's derivative goes to where it came from.
#[grad]
fn order_statistics(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let median = v[v.len() / 2];
    let trimmed: f64 = v[1..v.len() - 1].iter().sum::<f64>() / (v.len() - 2) as f64;
    let mut down = x.to_vec();
    down.sort_unstable_by(|a, b| b.total_cmp(a));
    let mut squares: Vec<f64> = x.iter().map(|v| v * v).collect();
    squares.sort_by(f64::total_cmp);
    median + 10.0 * trimmed + 100.0 * down[0] + squares[0]
}

#[test]
fn sorted_copies() {
    let x = [0.5, -2.0, 3.0, 1.5, -0.25];
    let (value, d_x) = order_statistics_grad(&x);
    // Sorted: -2, -0.25, 0.5, 1.5, 3 (median 0.5 = x[0]); trimmed: x[4], x[0], x[3];
    // largest x[2]; the smallest square is x[4]^2.
    let trimmed = (-0.25 + 0.5 + 1.5) / 3.0;
    assert!(close(value, 0.5 + 10.0 * trimmed + 300.0 + 0.0625));
    let third = 10.0 / 3.0;
    assert!(all_close(
        &d_x,
        &[1.0 + third, 0.0, 100.0, third, third - 0.5]
    ));
}

#[derive(Clone, Debug, autodiff::Params)]
pub struct Weights {
    pub rows: Vec<Vec<f64>>,
    pub grid: [[f64; 2]; 2],
}

/// Weight decay over every entry of nested weights: `.flatten()` and `.flat_map(|r| r.iter())`.
#[grad(w)]
fn decay(w: &Weights, lambda: f64) -> f64 {
    let ragged: f64 = w.rows.iter().flatten().map(|v| v * v).sum();
    let grid = w
        .grid
        .iter()
        .flat_map(|r| r.iter())
        .copied()
        .map(f64::abs)
        .sum::<f64>();
    lambda * ragged + grid
}

#[test]
fn flattened_sums_over_nested_weights() {
    let w = Weights {
        rows: vec![vec![1.0, -2.0], vec![3.0]],
        grid: [[0.5, -1.5], [2.0, -0.25]],
    };
    let (value, d) = decay_grad(&w, 0.1);
    assert!(close(value, 0.1 * 14.0 + 4.25));
    assert_eq!(d.rows.iter().map(Vec::len).collect::<Vec<_>>(), vec![2, 1]);
    assert!(all_close(&d.rows.concat(), &[0.2, -0.4, 0.6]));
    assert_eq!(d.grid, [[1.0, -1.0], [1.0, -1.0]]);
}

/// Writes through `for o in &mut out`, `for (o, row) in out.iter_mut().zip(&w.rows)` (a
/// model's rows zipped with a local's elements), and an `if let` slice pattern.
#[grad(w, x)]
fn written_through_references(w: &Weights, x: &[f64]) -> f64 {
    let mut out = x[..2].to_vec();
    for o in &mut out {
        *o *= 3.0;
    }
    for (o, row) in out.iter_mut().zip(&w.rows) {
        *o += row.iter().map(|v| v * v).sum::<f64>();
    }
    if let [a, b, _, ..] = x {
        out[0] * a + out[1] * b
    } else {
        0.0
    }
}

#[test]
fn writes_through_mutable_references_and_if_let_slices() {
    let w = Weights {
        rows: vec![vec![1.0, -2.0], vec![3.0]],
        grid: [[0.0; 2]; 2],
    };
    let x = [0.5, 2.0, 7.0];
    let (value, (d_w, d_x)) = written_through_references_grad(&w, &x);
    // out = [3 x0 + 5, 3 x1 + 9]; value = out0 x0 + out1 x1.
    assert!(close(value, (1.5 + 5.0) * 0.5 + (6.0 + 9.0) * 2.0));
    assert!(all_close(&d_x, &[6.0 * 0.5 + 5.0, 6.0 * 2.0 + 9.0, 0.0]));
    // d/d rows[0][j] = 2 w x0, d/d rows[1][0] = 2 w x1.
    assert!(all_close(&d_w.rows.concat(), &[1.0, -2.0, 12.0]));
    // Too short for the pattern: the `else` branch.
    assert_eq!(written_through_references_grad(&w, &[1.0, 2.0]).0, 0.0);
}

/// A running value pushed each iteration (`prev = 0.9 * prev + v; out.push(prev);`), its
/// vector declared before another `let`.
#[grad]
fn smoothed(x: &[f64]) -> f64 {
    let mut out = Vec::with_capacity(x.len());
    let mut prev = 0.0;
    for &v in x {
        prev = 0.9 * prev + v;
        out.push(prev);
    }
    out.iter().map(|s| s * s).sum()
}

/// A running sum kept by `+=`, pushed through a function of it: the item (`s * s`) names
/// nothing the loop binds, and the sum's update tells that it is a float.
#[grad]
#[allow(clippy::needless_range_loop)] // The index loop is the case under test.
fn squared_prefix_sums(x: &[f64]) -> f64 {
    let mut out = Vec::with_capacity(x.len());
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i];
        out.push(s * s);
    }
    out.iter().sum()
}

#[test]
fn running_values_pushed() {
    let (value, d_x) = smoothed_grad(&[1.0, 2.0]);
    // out = [x0, 0.9 x0 + x1] = [1, 2.9].
    assert!(close(value, 1.0 + 2.9 * 2.9));
    assert!(all_close(&d_x, &[2.0 + 2.0 * 2.9 * 0.9, 2.0 * 2.9]));
    // out = [x0², (x0 + x1)²] = [0.25, 4]: d/dx0 = 2 x0 + 2 (x0 + x1), d/dx1 = 2 (x0 + x1).
    let (value, d_x) = squared_prefix_sums_grad(&[0.5, 1.5]);
    assert_eq!((value, d_x), (4.25, vec![5.0, 4.0]));
}

/// An activation chosen by a data enum, applied in place: `*v` read as a value in a branch.
#[derive(Clone, Copy)]
pub enum Activation {
    Relu,
    Tanh,
    Identity,
}

#[grad(x)]
fn activated(x: &[f64], act: Activation) -> f64 {
    let mut h = x.to_vec();
    for v in h.iter_mut() {
        *v = match act {
            Activation::Relu => v.max(0.0),
            Activation::Tanh => v.tanh(),
            Activation::Identity => *v,
        };
    }
    h.iter().map(|v| v * v).sum()
}

#[test]
fn elements_lent_by_iter_mut_read_in_branches() {
    let x = [0.5, -2.0];
    let (value, d_x) = activated_grad(&x, Activation::Identity);
    assert_eq!((value, d_x), (4.25, vec![1.0, -4.0]));
    let (value, d_x) = activated_grad(&x, Activation::Relu);
    assert_eq!((value, d_x), (0.25, vec![1.0, 0.0]));
    let (_, d_x) = activated_grad(&x, Activation::Tanh);
    let t = 0.5f64.tanh();
    assert!(close(d_x[0], 2.0 * t * (1.0 - t * t)));
}

/// Conversions to the other float type that the result does not read through: a threshold
/// checked in f64, a count taken in f64, an integer widened by `f64::from`, and `f32::from`
/// on the function's own type (the identity, with its derivative).
#[grad]
#[allow(clippy::useless_conversion)] // `f32::from(x)` is the case under test.
fn thresholds_in_f64(x: f32, n: u32) -> f32 {
    let scaled = if (x as f64) > 0.3 { x * 2.0 } else { x };
    let steps = (x as f64 * 4.0).floor() as usize;
    scaled * steps as f32 + f32::from(x) * f64::from(n) as f32
}

/// `.into()` of a differentiated value: into the function's own float type (stated, or in
/// an `f64` function) the identity; widened into `f64` only for a condition. (Into `f64`
/// on the result's path it is an error: the sweeps computed it in `f32`, a wrong value.)
#[grad]
#[allow(clippy::useless_conversion)] // the identity conversions are the case under test
fn converted_by_into<T: Float>(x: T) -> T {
    let y: T = x.into();
    y * y
}

#[grad]
#[allow(clippy::useless_conversion)]
fn converted_by_into_f64(x: f64, w: f64) -> f64 {
    let y: f64 = x.into();
    y * w + thresholds_in_f64(1.0, 2) as f64 * f64::sin(w.into())
}

#[grad]
fn widened_for_a_condition(x: f32) -> f32 {
    let wide: f64 = x.into();
    if wide > 0.5 {
        x * 2.0
    } else {
        x
    }
}

#[test]
fn float_conversions_by_into() {
    assert_eq!(converted_by_into_grad(3.0f64), (9.0, 6.0));
    assert_eq!(converted_by_into_grad(3.0f32), (9.0, 6.0));
    let (value, (d_x, d_w)) = converted_by_into_f64_grad(2.0, 0.5);
    let c = thresholds_in_f64(1.0, 2) as f64;
    assert_eq!(value, converted_by_into_f64(2.0, 0.5));
    assert_eq!(d_x, 0.5);
    assert!(close(d_w, 2.0 + c * 0.5f64.cos()));
    assert_eq!(widened_for_a_condition_grad(3.0), (6.0, 2.0));
    assert_eq!(widened_for_a_condition_grad(0.25), (0.25, 1.0));
}

#[test]
fn float_conversions_off_the_derivative_path() {
    // x = 0.5: scaled = 2x, steps = 2, so f = 4x + n x.
    let (value, d_x) = thresholds_in_f64_grad(0.5, 3);
    assert_eq!((value, d_x), (3.5, 7.0));
    // x = 0.25: scaled = x, steps = 1, so f = x + n x.
    let (value, d_x) = thresholds_in_f64_grad(0.25, 3);
    assert_eq!((value, d_x), (1.0, 4.0));
}

// ----- integers from a helper that reads a differentiated input (issue-10 probe) -----
// `let (n, half) = dims(x);` with both read as integers was rejected as a differentiated
// tuple; and a name read only in index arithmetic (`x[n - 1 - i]`, `0..n - 1`) was not known
// to be an integer.

fn dims(x: &[f64]) -> (usize, usize) {
    (x.len(), x.len() / 2)
}

fn last_index(x: &[f64]) -> usize {
    x.len() - 1
}

#[grad]
fn mirrored(x: &[f64]) -> f64 {
    let (n, half) = dims(x);
    let last = last_index(x);
    let mut s = 0.0;
    for i in 0..half {
        s += x[i] * x[n - 1 - i];
    }
    for i in (0..last - 1).rev() {
        s += x[i + 1] * x[last];
    }
    s
}

#[test]
fn integer_tuples_and_index_arithmetic_from_helpers() {
    let x = [1.0, 2.0, 3.0, 4.0, 5.0];
    let (value, g) = mirrored_grad(&x);
    // x0 x4 + x1 x3 + (x1 + x2 + x3) x4
    assert!(close(value, 5.0 + 8.0 + 9.0 * 5.0));
    assert!(all_close(&g, &[5.0, 4.0 + 5.0, 5.0, 2.0 + 5.0, 1.0 + 9.0]));
}

// ---- an array literal of tuples iterated ----

/// Two-point Gauss-Legendre quadrature of `exp(a t)` over [-1, 1], nodes and weights written
/// in the loop; weighted terms of two parameters; an index paired with a weight.
#[grad]
fn gauss_quadrature(a: f64) -> f64 {
    let mut s = 0.0;
    for (t, w) in [(-0.5773502691896257, 1.0), (0.5773502691896257, 1.0)] {
        s += w * (a * t).exp();
    }
    s
}

#[grad]
fn weighted_terms<T: Float>(a: T, b: T) -> T {
    let half = T::from(0.5).unwrap();
    [(half, a), (T::one(), b * b)]
        .iter()
        .map(|&(w, v)| w * v.sin())
        .fold(T::zero(), |s, t| s + t)
}

#[grad]
fn picked_squares(x: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    for (i, w) in [(0, 0.5), (2, 1.5)] {
        s += w * x[i] * x[i];
    }
    s
}

#[test]
fn array_literals_of_tuples_are_iterated() {
    let (a, r) = (0.4f64, 0.5773502691896257f64);
    let (value, d_a) = gauss_quadrature_grad(a);
    assert_eq!(value, gauss_quadrature(a));
    assert!(close(d_a, r * (a * r).exp() - r * (-a * r).exp()));
    let (a, b) = (0.2f64, -0.4f64);
    let (value, (d_a, d_b)) = weighted_terms_grad(a, b);
    assert_eq!(value, weighted_terms(a, b));
    assert!(close(d_a, 0.5 * a.cos()));
    assert!(close(d_b, 2.0 * b * (b * b).cos()));
    assert_eq!(picked_squares_grad(&[1.0, 2.0, 3.0]).1, [1.0, 0.0, 9.0]);
}

// ----- `scan` (probe, session 14: "does not support the iterator adaptor `scan`") -----
// Its state is a local made before the loop, read and written as `*state`; its `None` ends
// the chain.

/// The sum of the squared prefix sums.
#[grad(modes(tangent, hvp))]
fn scanned_prefix_squares(x: &[f64]) -> f64 {
    x.iter()
        .scan(0.0, |acc, &v| {
            *acc += v;
            Some(*acc)
        })
        .map(|p| p * p)
        .sum()
}

/// An exponential moving average's last value.
#[grad]
#[allow(clippy::double_ended_iterator_last)] // `.last()` is the shape under test
fn moving_average(x: &[f64], a: f64) -> f64 {
    x.iter()
        .copied()
        .scan(x[0], |m, v| {
            *m = a * v + (1.0 - a) * *m;
            Some(*m)
        })
        .last()
        .unwrap()
}

/// exp(x) - 1 summed until a term is small: the scan's `None` ends it.
#[grad]
fn exp_series(x: f64) -> f64 {
    (1..50)
        .scan(1.0, |term, k| {
            *term *= x / k as f64;
            if term.abs() < 1e-3 {
                None
            } else {
                Some(*term)
            }
        })
        .sum::<f64>()
}

#[test]
fn scan_states_are_carried_by_the_loop() {
    let x = [1.0, 2.0, -0.5];
    // Prefix sums 1, 3, 2.5: each x[i] reaches the sums from i on.
    assert_eq!(
        scanned_prefix_squares_grad(&x),
        (16.25, vec![13.0, 11.0, 5.0])
    );
    let e0 = [1.0, 0.0, 0.0];
    assert_eq!(scanned_prefix_squares_tangent(&x, &e0[..]).1, 13.0);
    let (_, _, hv) = scanned_prefix_squares_hvp(&x, &e0[..]);
    assert_eq!(hv, vec![6.0, 4.0, 2.0]);

    let h = 1e-6;
    let (value, (d_x, d_a)) = moving_average_grad(&x, 0.3);
    assert!(close(value, moving_average(&x, 0.3)));
    for i in 0..3 {
        let (mut up, mut down) = (x, x);
        up[i] += h;
        down[i] -= h;
        let fd = (moving_average(&up, 0.3) - moving_average(&down, 0.3)) / (2.0 * h);
        assert!((d_x[i] - fd).abs() < 1e-8, "x[{i}]: {} vs {fd}", d_x[i]);
    }
    let fd = (moving_average(&x, 0.3 + h) - moving_average(&x, 0.3 - h)) / (2.0 * h);
    assert!((d_a - fd).abs() < 1e-8);

    let (value, g) = exp_series_grad(0.5);
    assert!(close(value, exp_series(0.5)));
    let fd = (exp_series(0.5 + h) - exp_series(0.5 - h)) / (2.0 * h);
    assert!((g - fd).abs() < 1e-6, "{g} vs {fd}");
}

// ----- Containers whose type says they hold no float (probe) -----
// An explicit stack of indices (`Vec<usize>`, popped and pushed) and a table of index pairs
// were taken for vectors of numbers to differentiate and rejected.

#[grad(w)]
fn stack_sum(w: &[f64], kids: &[[usize; 2]]) -> f64 {
    let mut stack: Vec<usize> = vec![0];
    let mut acc = 0.0;
    while let Some(i) = stack.pop() {
        acc += w[i] * w[i];
        for &c in &kids[i] {
            if c < w.len() {
                stack.push(c);
            }
        }
    }
    acc
}

#[grad]
fn index_halves(x: &[f64]) -> f64 {
    let r: Vec<(usize, usize)> = vec![(0, x.len() / 2), (x.len() / 2, x.len())];
    let mut s = 0.0;
    for &(lo, hi) in &r {
        s += x[lo] * x[hi - 1];
    }
    s
}

#[test]
fn containers_typed_without_floats_are_data() {
    let kids = [[1, 2], [9, 9], [9, 9]];
    assert_eq!(
        stack_sum_grad(&[1.0, 2.0, 3.0], &kids),
        (14.0, vec![2.0, 4.0, 6.0])
    );
    assert_eq!(
        index_halves_grad(&[1.0, 2.0, 3.0, 4.0]),
        (14.0, vec![2.0, 1.0, 4.0, 3.0])
    );
}

// ----- an integer call beside an integer (probe) -----
// `x.iter().filter(..).count() + positives(w)` with `w` differentiated: the call was taken
// for a float one (it needed `positives_adjoint`) and the count for an unknown type.

fn positives(x: &[f64]) -> usize {
    x.iter().filter(|&&v| v > 0.0).count()
}

#[grad(modes(tangent, hvp))]
fn counted_products(x: &[f64; 3], w: &[f64]) -> f64 {
    let c = x.iter().filter(|&&v| v > 0.0).count() + positives(w);
    let k = 2 * positives(w) - 1;
    c as f64 * x[0] * x[1] + x[k.min(2)]
}

#[test]
fn integer_calls_beside_integers() {
    let (x, w) = ([1.0, 2.0, -1.0], [1.0, -2.0]);
    // c = 2 + 1, k = 1: 3 x0 x1 + x1
    assert_eq!(
        counted_products_grad(&x, &w),
        (8.0, ([6.0, 4.0, 0.0], vec![0.0, 0.0]))
    );
    let (_, _, (hv, _)) = counted_products_hvp(&x, &w, &[1.0, 0.0, 0.0], &[0.0, 0.0]);
    assert_eq!(hv, [0.0, 3.0, 0.0]);
    assert_eq!(
        counted_products_tangent(&x, &w, &[0.0, 1.0, 0.0], autodiff::Const),
        (8.0, 4.0)
    );
}

// The integer on the right (`positives(w) + extra`, `positives(w) * 2`, `positives(w) > 1`):
// the call was lowered before its neighbour was seen, as a float call.
#[grad(modes(tangent))]
fn counted_on_the_left(w: &[f64]) -> f64 {
    let extra = w.iter().filter(|&&v| v < -1.0).count();
    let n = positives(w) + extra;
    let m = positives(w) * 2;
    let many = positives(w) > (w.len() - 1) / 2;
    let s: f64 = w.iter().map(|v| v * v).sum();
    if many {
        s * (n + m) as f64
    } else {
        s
    }
}

#[test]
fn integer_calls_with_the_integer_on_the_right() {
    let w = [1.0, -2.0, 3.0];
    // n = 2 + 1, m = 4, many: 7 |w|^2
    assert_eq!(
        counted_on_the_left_grad(&w),
        (98.0, vec![14.0, -28.0, 42.0])
    );
    assert_eq!(
        counted_on_the_left_tangent(&w, &[1.0, 0.0, 0.0]),
        (98.0, 14.0)
    );
    // one positive of three: |w|^2
    assert_eq!(
        counted_on_the_left_grad(&[-1.0, -2.0, 3.0]).1,
        vec![-2.0, -4.0, 6.0]
    );
}
