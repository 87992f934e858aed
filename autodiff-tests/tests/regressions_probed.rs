//! Minimal reproducers of generated code that failed to compile on valid input, found by
//! probing code nobody here wrote (statrs-, puruspe-style functions, real models) and by the
//! fuzzer, one per class of bug, each checked against a hand-derived gradient (the earlier
//! ones are in `regressions.rs`, those on local arrays and closures in
//! `regressions_arrays.rs`). They are written as they were reported, so some are not how
//! clippy would have them.
#![allow(
    clippy::needless_range_loop,
    clippy::useless_vec,
    clippy::approx_constant,
    clippy::assign_op_pattern,
    clippy::ptr_arg,
    clippy::unnecessary_to_owned
)]

mod common;

use autodiff::{grad, Float};
use common::close;

// ---- predicates on a model's field and on a copy (issue 12 corpus) ----

#[derive(Clone, Debug, autodiff::Params)]
struct Freedom {
    a: f64,
    b: f64,
}

/// A predicate on a field reads the field as a number, not an array.
#[grad]
fn predicate_on_field(m: &Freedom, x: f64) -> f64 {
    if m.b.is_infinite() || m.a.is_nan() {
        return 0.0;
    }
    m.a * x + m.b
}

/// A predicate on a plain copy of a parameter, and on a copy of a field.
#[grad]
fn predicate_on_copies(m: &Freedom, x: f64) -> f64 {
    let y = x;
    let c = m.a;
    if y.is_nan() || c.is_nan() {
        return 0.0;
    }
    3.0 * y * c
}

#[test]
fn predicates_read_numbers() {
    let m = Freedom { a: 2.0, b: 0.5 };
    let (v, (g, dx)) = predicate_on_field_grad(&m, 3.0);
    assert_eq!((v, g.a, g.b, dx), (6.5, 3.0, 1.0, 2.0));
    let (v, (g, dx)) = predicate_on_copies_grad(&m, 3.0);
    assert_eq!((v, g.a, g.b, dx), (18.0, 9.0, 0.0, 6.0));
    let inf = Freedom {
        a: 2.0,
        b: f64::INFINITY,
    };
    assert_eq!(predicate_on_field_grad(&inf, 3.0).0, 0.0);
}

// ---- a closure keeps what it captured (found by autodiff-fuzz: closures, in a models run) ----

/// A parameter the closure captured, shadowed before the call: the closure reads the value it
/// captured, as Rust does (this gave a wrong value and gradient).
#[grad]
fn closure_capture_shadowed(x: f64) -> f64 {
    let g = |p: f64| p - x;
    let x = x * 3.0;
    g(1.0) + x
}

#[test]
fn closures_keep_their_captures() {
    // g(1) = 1 - x, then 1 - x + 3 x = 1 + 2 x
    assert_eq!(closure_capture_shadowed(2.0), 5.0);
    assert_eq!(closure_capture_shadowed_grad(2.0), (5.0, 2.0));
}

// ---- an array filled with a differentiated value (found by the issue-10 probe of real code) ----
// `[x; n]`, `vec![x; n]` and `[[x; m]; n]` of a differentiated `x` were declared with `x` as
// their fill, a constant to the reverse sweep: the gradient through them was zero. They are
// now zeros, then `x` stored into each element.

#[grad(modes(tangent, hvp))]
fn repeated_scalar(x: f64) -> f64 {
    let v = [x; 3];
    v[0] * v[1] + v[2]
}

#[grad]
fn repeated_square_in_a_vec(x: f64) -> f64 {
    let mut v = vec![x * x; 3];
    v[1] *= 2.0;
    v.iter().sum()
}

#[grad]
fn repeated_rows(x: f64, n: usize) -> f64 {
    let m = vec![[x; 2]; n];
    let mut s = 0.0;
    for row in &m {
        s += row[0] * row[1];
    }
    s
}

#[derive(Clone, Debug, autodiff::Params)]
struct Biased {
    b: f64,
    w: [f64; 3],
}

#[grad(m)]
fn shared_bias(m: &Biased, x: &[f64; 3]) -> f64 {
    let mut z = [m.b; 3];
    for i in 0..3 {
        z[i] += m.w[i] * x[i];
    }
    z.iter().map(|v| v.tanh()).sum()
}

#[test]
fn an_array_filled_with_a_differentiated_value_passes_its_gradient() {
    // x^2 + x
    assert_eq!(repeated_scalar_grad(0.5), (0.75, 2.0));
    assert_eq!(repeated_scalar_tangent(0.5, 1.0), (0.75, 2.0));
    assert_eq!(repeated_scalar_hvp(0.5, 1.0), (0.75, 2.0, 2.0));
    // 4 x^2
    assert_eq!(repeated_square_in_a_vec_grad(1.5), (9.0, 12.0));
    // n x^2
    assert_eq!(repeated_rows_grad(1.5, 4), (9.0, 12.0));
    // sum tanh(b + w_i x_i): d/db = sum (1 - tanh^2), d/dw_i = x_i (1 - tanh^2)
    let m = Biased {
        b: 0.1,
        w: [0.2, -0.3, 0.4],
    };
    let x = [1.0, 2.0, 3.0];
    let (_, g) = shared_bias_grad(&m, &x);
    let sech2: Vec<f64> = (0..3)
        .map(|i| 1.0 - (m.b + m.w[i] * x[i]).tanh().powi(2))
        .collect();
    assert!(close(g.b, sech2.iter().sum()));
    for i in 0..3 {
        assert!(close(g.w[i], x[i] * sech2[i]));
    }
}

// ---- a model's `Vec<[T; M]>` field (found by the issue-10 probe of real code) ----
// `#[derive(Params)]` accepted it, but its shadow and tangent had no matrix impl (E0277
// "`Vec<[f64; 2]>: MatrixShadow<_>` is not satisfied").

#[derive(Clone, Debug, autodiff::Params)]
struct Embedding {
    v: Vec<[f64; 2]>,
    b: f64,
}

#[grad]
fn dot_pair(w: &[f64], x: &[f64; 2]) -> f64 {
    w[0] * x[0] + w[1] * x[1]
}

#[grad(modes(tangent))]
fn embedding_corners(m: &Embedding) -> f64 {
    m.v[0][0] * m.v[1][1] + m.b
}

#[grad(m)]
fn embedding_rows(m: &Embedding, x: &[f64; 2]) -> f64 {
    let mut s = 0.0;
    for row in m.v.iter() {
        s += dot_pair(row, x);
    }
    for i in 0..m.v.len() {
        s += m.v[i][1] * m.b;
    }
    s
}

#[test]
fn a_vec_of_rows_field_has_a_gradient_and_a_tangent() {
    let m = Embedding {
        v: vec![[1.0, 2.0], [3.0, 4.0]],
        b: 0.5,
    };
    let (value, g) = embedding_corners_grad(&m);
    assert_eq!(value, 4.5);
    assert_eq!(g.v, vec![[4.0, 0.0], [0.0, 1.0]]);
    assert_eq!(g.b, 1.0);
    let t = Embedding {
        v: vec![[1.0, 0.0], [0.0, 1.0]],
        b: 1.0,
    };
    // 4 + 1 + 1
    assert_eq!(embedding_corners_tangent(&m, &t), (4.5, 6.0));
    // sum of rows . x + b (v01 + v11)
    let (value, g) = embedding_rows_grad(&m, &[1.0, -1.0]);
    assert_eq!(value, 1.0);
    assert_eq!(g.v, vec![[1.0, -0.5], [1.0, -0.5]]);
    assert_eq!(g.b, 6.0);
}

// ---- `match` on a data enum (found by the issue-10 probe of statrs-style code) ----
// Path patterns were compared with `==`: an enum without `PartialEq` failed (E0369). A name or
// field of data is now matched as written (`matches!(tail, Tail::Upper)`). A constant named
// bare in a pattern (`SQUARED =>`) was taken for a binding that matches everything: the first
// arm always ran, a wrong value and gradient. A capitalized name is a constant or a variant,
// as Rust resolves it.

#[derive(Clone, Copy, Debug)]
enum Tail {
    Lower,
    Upper,
    Both,
}

struct TestConfig {
    tail: Tail,
}

const SQUARED: usize = 2;

#[grad(x)]
fn logistic_tail(x: f64, tail: Tail) -> f64 {
    let p = 1.0 / (1.0 + (-x).exp());
    match tail {
        Tail::Lower => p,
        Tail::Upper | Tail::Both => 1.0 - p,
    }
}

#[grad(x)]
fn configured_power(x: f64, cfg: &TestConfig, k: usize) -> f64 {
    let scaled = match cfg.tail {
        Tail::Both => 2.0 * x,
        _ => x,
    };
    match k {
        SQUARED => scaled * scaled,
        _ => scaled,
    }
}

/// Under a bare `#[grad]` every struct parameter is a model, but one matched or compared
/// against a variant is an enum: data (it was taken for a model, "expected a number here").
#[grad]
fn tail_probability(x: f64, tail: Tail) -> f64 {
    let p = 1.0 / (1.0 + (-x).exp());
    if matches!(tail, Tail::Both) {
        return 2.0 * p.min(1.0 - p);
    }
    match tail {
        Tail::Lower => p,
        _ => 1.0 - p,
    }
}

/// A model's flag (`#[params(skip)]`) read as a condition is data, not a float field (E0308).
#[derive(Clone, Debug, autodiff::Params)]
struct Scaled {
    w: f64,
    #[params(skip)]
    doubled: bool,
}

#[grad]
fn scaled_square(m: &Scaled, x: f64) -> f64 {
    let y = m.w * x;
    if m.doubled && !m.w.is_nan() {
        2.0 * y * y
    } else {
        y * y
    }
}

#[test]
fn a_data_enum_is_matched_without_partial_eq() {
    let q = 1.0 / (1.0 + (-0.3f64).exp());
    let (value, d_x) = tail_probability_grad(0.3, Tail::Lower);
    assert!(close(value, q) && close(d_x, q * (1.0 - q)));
    // p > 1/2 at x > 0: 2 (1 - p)
    let (value, d_x) = tail_probability_grad(0.3, Tail::Both);
    assert!(close(value, 2.0 * (1.0 - q)) && close(d_x, -2.0 * q * (1.0 - q)));
    let m = Scaled {
        w: 1.5,
        doubled: true,
    };
    // 2 w^2 x^2
    let (value, (d_m, d_x)) = scaled_square_grad(&m, 2.0);
    assert_eq!((value, d_m.w, d_x), (18.0, 24.0, 18.0));
    let p = 1.0 / (1.0 + (-0.3f64).exp());
    let (value, d_x) = logistic_tail_grad(0.3, Tail::Upper);
    assert!(close(value, 1.0 - p) && close(d_x, -p * (1.0 - p)));
    let (value, d_x) = logistic_tail_grad(0.3, Tail::Lower);
    assert!(close(value, p) && close(d_x, p * (1.0 - p)));
    // (2 x)^2 = 4 x^2
    let both = TestConfig { tail: Tail::Both };
    assert_eq!(configured_power_grad(1.5, &both, 2), (9.0, 12.0));
    let lower = TestConfig { tail: Tail::Lower };
    assert_eq!(configured_power_grad(1.5, &lower, 3), (1.5, 1.0));
}

// ---- assignment of whole arrays and tuples (found by the issue-10 probe of real code) ----
// `s = step(&s, dt);`, `h = hn;` and `(a, b) = (b, a + x * b);` were rejected. The right side
// is made first, then copied in (each element, each name), as Rust evaluates it.

#[grad]
fn euler_step(s: &[f64; 2], dt: f64) -> [f64; 2] {
    [s[0] + dt * s[1], s[1] - dt * s[0].sin()]
}

#[grad]
fn pendulum(x0: f64, v0: f64) -> f64 {
    let mut s = [x0, v0];
    for _ in 0..4 {
        s = euler_step(&s, 0.1);
    }
    s[0] * s[1]
}

#[grad]
fn recurrent(w: f64, xs: &[f64; 3]) -> f64 {
    let mut h = [0.0, 0.5];
    for t in 0..3 {
        let next = [(w * h[0] + xs[t]).tanh(), (h[1] + w * h[0]).tanh()];
        h = next;
    }
    let mut m = [[h[0], w], [h[1], 1.0]];
    m = [[m[1][1], m[0][1]], [m[1][0], m[0][0]]];
    m[0][1] * m[1][1] + m[1][0]
}

#[grad]
fn three_term(x: f64) -> f64 {
    let (mut a, mut b) = (0.0, 1.0);
    for _ in 0..3 {
        (a, b) = (b, a + x * b);
    }
    let mut c = x;
    (c, _) = (c * b, a);
    (a, b) = (b, a);
    a + b * c
}

#[grad]
fn doubled(x: &[f64; 2]) -> [f64; 2] {
    [2.0 * x[0], 2.0 * x[1]]
}

/// A vector-valued call stored into a row (attention's `q[t] = matvec(&wq, &x[t])`).
#[grad]
fn rows_from_calls(x: &[f64; 2]) -> f64 {
    let mut rows = [[0.0; 2]; 2];
    rows[0] = doubled(x);
    rows[1] = doubled(&rows[0]);
    let mut grid = vec![[0.0; 2]; 2];
    grid[1] = [x[1], x[0] * x[1]];
    rows[1][0] * rows[0][1] + grid[1][1]
}

#[grad]
fn vec_state(w: f64, n: usize, steps: usize) -> f64 {
    let mut h = vec![0.5; n];
    for _ in 0..steps {
        h = h.iter().map(|v| (w * v).tanh()).collect::<Vec<f64>>();
    }
    h.iter().sum()
}

#[grad]
fn widening(x: &[f64]) -> f64 {
    let mut h = x.to_vec();
    let first = h[0];
    h = vec![x[0]; x.len() + 1];
    h[0] + first
}

/// A `Vec` declared in a loop body and assigned one of another length.
#[grad]
fn widening_in_a_loop(x: &[f64]) -> f64 {
    let mut total = 0.0;
    for k in 0..2 {
        let mut h = x.to_vec();
        total += h[0];
        h = vec![x[0] * x[1]; x.len() + k];
        total += h[k];
    }
    total
}

/// A matrix assigned one with another number of rows.
#[grad]
fn regrid(x: &[f64]) -> f64 {
    let mut g = vec![[0.0; 2]; 2];
    g[0][0] = x[0];
    let other = vec![[x[1]; 2]; x.len()];
    g = other;
    g[0][0] + g[1][1]
}

/// A `Vec` of numbers takes the length of what it is assigned, at the top level or in a
/// loop body; a matrix keeps its number of rows: another is a panic that says so, never a
/// copy cut short.
#[test]
#[should_panic(expected = "not the shape of a matrix (keep its number of rows)")]
fn a_vec_takes_the_length_it_is_assigned_a_matrix_keeps_its_rows() {
    let (value, d_x) = widening_grad(&[1.5, 2.0]);
    assert_eq!(value, 3.0);
    assert_eq!(d_x, vec![2.0, 0.0]);
    // 2 x0 + 2 x0 x1: d/dx0 = 2 + 2 x1, d/dx1 = 2 x0.
    let (value, d_x) = widening_in_a_loop_grad(&[1.5, 2.0]);
    assert_eq!((value, d_x), (3.0 + 6.0, vec![6.0, 3.0]));
    assert_eq!(regrid_grad(&[1.0, 2.0]).0, 4.0);
    let _ = regrid_grad(&[1.0, 2.0, 3.0]);
}

/// Central differences of `f` at `x` along coordinate `i`.
fn central(f: impl Fn(&[f64]) -> f64, x: &[f64], i: usize) -> f64 {
    let h = 1e-6;
    let (mut up, mut down) = (x.to_vec(), x.to_vec());
    up[i] += h;
    down[i] -= h;
    (f(&up) - f(&down)) / (2.0 * h)
}

#[test]
fn whole_arrays_and_tuples_are_assigned() {
    let fd_close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * (1.0 + b.abs());
    let (x0, v0) = (0.7, -0.2);
    let (value, (d_x0, d_v0)) = pendulum_grad(x0, v0);
    let f = |p: &[f64]| pendulum(p[0], p[1]);
    assert_eq!(value, f(&[x0, v0]));
    assert!(fd_close(d_x0, central(f, &[x0, v0], 0)));
    assert!(fd_close(d_v0, central(f, &[x0, v0], 1)));

    let xs = [0.3, -0.1, 0.8];
    let (value, (d_w, d_xs)) = recurrent_grad(0.9, &xs);
    let f = |p: &[f64]| recurrent(p[0], &[p[1], p[2], p[3]]);
    let point = [0.9, xs[0], xs[1], xs[2]];
    assert_eq!(value, f(&point));
    assert!(fd_close(d_w, central(f, &point, 0)));
    for i in 0..3 {
        assert!(fd_close(d_xs[i], central(f, &point, i + 1)));
    }

    // 4 x0 * 2 x1 + x0 x1
    let (value, d_x) = rows_from_calls_grad(&[1.5, -0.5]);
    assert_eq!(value, -6.0 - 0.75);
    assert_eq!(d_x, [8.0 * -0.5 - 0.5, 8.0 * 1.5 + 1.5]);

    let (value, d_w) = vec_state_grad(0.8, 3, 4);
    let f = |p: &[f64]| vec_state(p[0], 3, 4);
    assert_eq!(value, f(&[0.8]));
    assert!(fd_close(d_w, central(f, &[0.8], 0)));

    // a = 1 + x^2, b = x (2 + x^2), c = x b; then swapped: b + a c = x(2 + x^2)(1 + x^2) ..
    let x = 0.5;
    let (value, d_x) = three_term_grad(x);
    let f = |p: &[f64]| three_term(p[0]);
    let b = x * (2.0 + x * x);
    assert!(close(value, b + (1.0 + x * x) * x * b));
    assert!(fd_close(d_x, central(f, &[x], 0)));
}

// ---- an array literal lent to a call (found by the issue-10 probe of puruspe's `gamma`) ----
// `poly(x, &[1.0, 2.0, 3.0])` in a branch was a float constant exported from the branch with
// a `0.0` placeholder on the other side (E0308). A literal is a local array of its own now.

#[grad]
fn horner(x: f64, c: &[f64]) -> f64 {
    c.iter().rev().fold(0.0, |acc, &k| acc * x + k)
}

#[grad]
fn branch_polynomials(x: f64) -> f64 {
    let y = if x > 1.0 {
        horner(x, &[1.0, 2.0, 3.0])
    } else {
        horner(x, &[4.0, 5.0])
    };
    y * 2.0 + horner(x, &[x, 1.0]) + horner(x, &[0.5; 2])
}

#[test]
fn an_array_literal_is_lent_to_a_call() {
    // 2 (1 + 2 x + 3 x^2) + (x + x) + (0.5 + 0.5 x) at x = 1.5
    assert_eq!(
        branch_polynomials_grad(1.5),
        (21.5 + 3.0 + 1.25, 22.0 + 2.0 + 0.5)
    );
    // 2 (4 + 5 x) + 2 x + 0.5 (1 + x) at x = 0.5
    assert_eq!(
        branch_polynomials_grad(0.5),
        (13.0 + 1.0 + 0.75, 10.0 + 2.0 + 0.5)
    );
}

// ---- a tail that leaves only through `return` (found by the issue-10 probe, puruspe's `gser`) ----
// A `loop` without a `break` (or `unreachable!()`) ending the function was read as the
// function's value ("expected a value here, but this expression has none").

#[grad]
fn exp_m1_series(x: f64) -> f64 {
    let mut term = x;
    let mut sum = x;
    let mut n = 1.0;
    loop {
        n += 1.0;
        term *= x / n;
        sum += term;
        if term.abs() < 1e-16 * sum.abs() {
            return sum;
        }
    }
}

#[grad]
fn first_value_above(x: &[f64], t: f64) -> f64 {
    for v in x {
        if *v > t {
            return *v * t;
        }
    }
    unreachable!("nothing above {t}")
}

#[test]
fn a_tail_that_only_returns_has_no_value_of_its_own() {
    let (value, d_x) = exp_m1_series_grad(0.5);
    assert!(close(value, 0.5f64.exp_m1()) && close(d_x, 0.5f64.exp()));
    assert_eq!(
        first_value_above_grad(&[1.0, 3.0, 5.0], 2.0),
        (6.0, (vec![0.0, 2.0, 0.0], 3.0))
    );
}

// ---- a model named `m` with two fields lent to one call (fuzz seed 41414, p00148) ----
// The split of its shadow bound `m` in the generated code, which hid the model the field
// tests read (E0502). The generated names are hygienic now.

#[derive(Clone, Debug, autodiff::Params)]
struct Pair {
    v: Vec<f64>,
    w: [f64; 2],
}

#[grad]
fn pair_scale(v: &[f64], w: &[f64]) -> f64 {
    v[0] * w[1]
}

#[grad]
fn pair_first(m: &Pair) -> f64 {
    m.w[0]
}

#[grad]
fn pair_both(m: &Pair) -> f64 {
    pair_scale(&m.v, &m.w) + pair_first(m)
}

#[test]
fn a_model_named_m_lends_two_fields() {
    let m = Pair {
        v: vec![2.0, 1.0],
        w: [3.0, 5.0],
    };
    // v0 w1 + w0
    let (value, g) = pair_both_grad(&m);
    assert_eq!(value, 13.0);
    assert_eq!((g.v, g.w), (vec![5.0, 0.0], [1.0, 2.0]));
}

// ---- a copy of data a call returned, then written with dual numbers (fuzz seed 60606,
// p00185) ----
// On dual numbers (`modes(hvp)`), the copy and its adjoint were zeros of the returned
// array's type (`f32`, the call's arguments being data), not dual numbers (E0308).

const TABLE_PAIR: &[f32] = &[-0.375, 1.125];

#[grad]
fn pair_product(w: &[f32]) -> [f32; 2] {
    [w[0] * w[1], 0.5]
}

#[grad(modes(hvp))]
fn copy_of_returned_data(x: f32) -> f32 {
    let y = pair_product(TABLE_PAIR);
    let mut c = y;
    c[0] += x * x;
    c[0] * c[1]
}

#[test]
fn a_copy_of_returned_data_written_with_dual_numbers_builds() {
    // (-0.421875 + x^2) * 0.5: derivative x, second derivative 1.
    let (value, g, hv) = copy_of_returned_data_hvp(0.5, 2.0);
    assert_eq!((value, g, hv), (-0.0859375, 0.5, 2.0));
}

// Reproducers found by autodiff-fuzz (families models, vector-outputs and records, and
// constant arguments of the calls and const-tables families): each is a program of its own in
// `tests/regressions/`, which trybuild builds and runs (its `main` checks hand-derived
// gradients). The fixed ones run together; the open ones are ignored until they pass.

/// Builds and runs `tests/regressions/<name>.rs` for each name, in one trybuild run.
fn reproducers(names: &[&str]) {
    let t = trybuild::TestCases::new();
    for name in names {
        t.pass(format!("tests/regressions/{name}.rs"));
    }
}

#[test]
fn fixed_reproducers_build_and_agree() {
    reproducers(&[
        "table_arithmetic_argument",
        "data_field_argument",
        "field_destructured",
        "alias_chained",
        "whole_and_nested_model",
        "vec_literal_reads",
        "result_passed_conditionally",
        "result_iterated_in_loop",
        "result_copied",
        "const_slice_bare",
        "negated_const_argument",
        "data_field_alias_passed",
        "table_call_argument",
        "matrix_field_rows",
        "field_copy_passed",
        "model_with_alias_of_field",
        "data_array_field",
        "data_self_nested_model",
        "unwrapped_call_argument",
        "untyped_float_arguments",
        "typed_int_literal_locals",
        "matrix_rows_read_in_a_macro",
        "data_alias_element_argument",
        "integer_results_of_calls",
        "data_rows_parameter",
        "record_in_error_message",
    ]);
}

// A bool the function computes with a method of data (`!x.is_empty()`) after a `let .. else`
// that returns: the branch that returned exported a number in its place (`placeholder()`,
// for a type it could not tell), which is no bool.
#[grad(x)]
fn flag_after_early_return(x: &[f64], w: Option<f64>) -> f64 {
    let Some(scale) = w else {
        return 0.0;
    };
    let nonempty = !x.is_empty();
    let s = if nonempty { x[0] * scale } else { 1.0 };
    s * 2.0
}

#[test]
fn a_bool_of_data_survives_an_early_return() {
    assert_eq!(
        flag_after_early_return_grad(&[3.0], Some(2.0)),
        (12.0, vec![4.0])
    );
    assert_eq!(flag_after_early_return_grad(&[3.0], None), (0.0, vec![0.0]));
}

// A number bound from an `Option<f64>` parameter (`if let Some(delta) = d`, a `match` arm,
// `let .. else`) passed to a `#[grad]` function's float parameter: its type was not known, so
// the call's `_adjoint` got no shadow for it (one argument too few).
#[grad]
fn huber_at(r: f64, delta: f64) -> f64 {
    if r.abs() <= delta {
        0.5 * r * r
    } else {
        delta * (r.abs() - 0.5 * delta)
    }
}

#[grad(x)]
fn robust(x: f64, d: Option<f64>, pair: &Option<(f64, usize)>) -> f64 {
    let mut s = x * x;
    if let Some(delta) = d {
        s += huber_at(x, delta);
    }
    s += match pair {
        Some((scale, _)) => huber_at(x, *scale),
        None => 0.0,
    };
    let Some(last) = d else {
        return s;
    };
    s + huber_at(2.0 * x, last)
}

#[test]
fn a_number_bound_from_optional_data_is_passed_as_a_float() {
    // |x| = 3 > 1: delta (|x| - delta / 2) has slope delta sign(x); at 2x, twice that.
    let (value, d_x) = robust_grad(3.0, Some(1.0), &Some((0.5, 7)));
    assert_eq!(value, 9.0 + (3.0 - 0.5) + 0.5 * (3.0 - 0.25) + (6.0 - 0.5));
    assert_eq!(d_x, 6.0 + 1.0 + 0.5 + 2.0);
    assert_eq!(robust_grad(-3.0, None, &None), (9.0, -6.0));
}

// The same local array lent twice to a call (`pair(&y, &y)`) after an early return, which
// puts `y` in a branch of the forward sweep: the second accumulator was sized by `y.len()`,
// out of scope in the reverse sweep (fuzz seed 5151, p00119); it is sized by `y`'s adjoint.
#[grad]
fn crossed(a: &[f64], b: &[f64]) -> [f64; 2] {
    [a[0] * b[1], a[1] + b[0]]
}

#[grad(x)]
fn lent_twice_after_return(x: &[f64], stop: bool) -> f64 {
    if stop {
        return x[0];
    }
    let y = crossed(x, x);
    let z = crossed(&y, &y);
    z[0] * z[1]
}

#[test]
fn an_array_lent_twice_after_an_early_return() {
    // y = (x0 x1, x1 + x0), z = (y0 y1, y1 + y0), f = z0 z1.
    let x = [2.0, 3.0];
    let (y0, y1) = (6.0, 5.0);
    let (z0, z1) = (y0 * y1, y1 + y0);
    let (value, g) = lent_twice_after_return_grad(&x, false);
    assert_eq!(value, z0 * z1);
    let (d_y0, d_y1) = (z1 * y1 + z0, z1 * y0 + z0);
    assert_eq!(g, vec![d_y0 * x[1] + d_y1, d_y0 * x[0] + d_y1]);
    assert_eq!(
        lent_twice_after_return_grad(&x, true),
        (2.0, vec![1.0, 0.0])
    );
}

/// Data the function computes (a `Vec<usize>` of positions, a `Vec<String>`) read by code
/// passed through again and again, in a loop: read in place, not moved at its first read.
#[grad(x)]
fn gathered(x: &[f64], idx: &[usize], names: &[String]) -> f64 {
    let order: Vec<usize> = idx.iter().rev().copied().collect();
    let kept: Vec<String> = names
        .iter()
        .filter(|n| n.starts_with('a'))
        .cloned()
        .collect();
    let mut s = 0.0;
    for k in 0..order.len() {
        if kept.len() > k {
            s += x[order[k]] * x[order[k]];
        }
    }
    s * kept.len() as f64
}

#[test]
fn data_vectors_read_many_times() {
    let names = ["ab", "b", "ac"].map(String::from);
    let (value, d_x) = gathered_grad(&[1.0, 2.0, 3.0], &[2, 0, 1], &names);
    // Two names kept: positions 1 and 0 of `x`, each read twice.
    assert_eq!(value, (4.0 + 1.0) * 2.0);
    assert_eq!(d_x, vec![4.0, 8.0, 0.0]);
}

const ZIPPED_A: &[f64] = &[-1.125, 1.75, -1.75];
const ZIPPED_B: [f64; 4] = [-1.875, -1.625, 2.0, 1.875];

/// Fuzz seed 24680 (p00059): a loop's item read from a constant table, dereferenced in code
/// passed through (`*v * 0.75`): the item is a number in the generated code, read in place.
#[grad]
fn table_items_dereferenced(x: f64) -> f64 {
    let mut s = x;
    for (_u, v) in ZIPPED_A.iter().zip(ZIPPED_B.iter()) {
        let d = (*v * 0.75).powi(2);
        s += d * x;
    }
    s
}

#[test]
fn table_items_dereferenced_in_passed_through_code() {
    let k: f64 = ZIPPED_B[..3].iter().map(|v| (v * 0.75).powi(2)).sum();
    let (value, d_x) = table_items_dereferenced_grad(2.0);
    assert_eq!((value, d_x), (2.0 + k * 2.0, 1.0 + k));
}

/// A batch of examples as a data struct: labels from its `Vec<usize>` field, whose element
/// type the function does not show, index the logits.
pub struct LabeledBatch {
    pub xs: Vec<Vec<f64>>,
    pub ys: Vec<usize>,
    pub weights: Option<Vec<f64>>,
}

#[grad(w)]
fn labeled_loss(w: &[Vec<f64>], batch: &LabeledBatch) -> f64 {
    let mut total = 0.0;
    for (i, (x, &y)) in batch.xs.iter().zip(&batch.ys).enumerate() {
        let logits: Vec<f64> = w
            .iter()
            .map(|row| row.iter().zip(x).map(|(a, b)| a * b).sum::<f64>())
            .collect();
        let m = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let lse = logits.iter().map(|z| (z - m).exp()).sum::<f64>().ln() + m;
        let weight = match &batch.weights {
            Some(ws) => ws[i],
            None => 1.0,
        };
        total += weight * (lse - logits[y]);
    }
    total / batch.xs.len() as f64
}

#[test]
fn labels_from_a_data_field_index_the_logits() {
    let w = vec![vec![0.1, 0.2], vec![0.3, -0.4], vec![0.0, 0.5]];
    let batch = LabeledBatch {
        xs: vec![vec![1.0, 2.0], vec![-1.0, 0.5]],
        ys: vec![0, 2],
        weights: Some(vec![1.0, 2.0]),
    };
    let (value, d_w) = labeled_loss_grad(&w, &batch);
    assert_eq!(value, labeled_loss(&w, &batch));
    let flat: Vec<f64> = w.concat();
    let f = |p: &[f64]| {
        labeled_loss(
            &p.chunks(2).map(<[f64]>::to_vec).collect::<Vec<_>>(),
            &batch,
        )
    };
    for (k, d) in d_w.concat().iter().enumerate() {
        let numeric = central(f, &flat, k);
        assert!((d - numeric).abs() < 1e-6, "{k}: {d} against {numeric}");
    }
}

// A tape reservation handed up through two loops read a length defined in the outer one's
// body: the chain's loop (`0..w.len()`, the length read once per iteration of the `loop`)
// inside a `for` inside a `loop` reserved its tape at the top of the `loop`'s body, before
// `let len = w.len();` ("cannot find value `len_1`"). A reservation now goes up only past
// loops whose bodies define nothing its count reads. Found by autodiff-fuzz (seed 99991).
#[grad]
fn returns_from_a_chain_in_nested_loops(w: &[f64], x: f64) -> f64 {
    let mut k = 0;
    loop {
        if k >= w.len() {
            break;
        }
        for i in 0..3 {
            if i >= 2 && k >= 1 {
                return w.iter().map(|&v| v * v).product::<f64>() * x;
            }
        }
        k += 1;
    }
    let mut j = 0;
    loop {
        if j >= w.len() {
            break;
        }
        j += 1;
    }
    x * j as f64
}

#[test]
fn a_reservation_stays_below_the_length_it_reads() {
    // Returns w0² w1² x at k = 1.
    let (value, (d_w, d_x)) = returns_from_a_chain_in_nested_loops_grad(&[0.5, 0.25], 0.3);
    assert!(close(value, 0.015625 * 0.3));
    assert!(close(d_x, 0.015625));
    assert!(close(d_w[0], 2.0 * 0.5 * 0.0625 * 0.3) && close(d_w[1], 2.0 * 0.25 * 0.25 * 0.3));
    // One element: the first loop ends, the second counts to 1.
    assert_eq!(
        returns_from_a_chain_in_nested_loops_grad(&[2.0], 0.5),
        (0.5, (vec![0.0], 1.0))
    );
}

// A primitive in path form whose receiver is data of inferred float type, a generic
// struct's field holding `1.0`: `f32::max(r.v, x0)` was written `t_1.max(x0)`, a method on
// `{float}` ("can't call method `max` on ambiguous numeric type"). The path form the user
// wrote is kept, and it gives the receiver its type. Found by autodiff-fuzz (seed 7777777).
#[derive(Clone, Copy)]
struct Record<F> {
    v: F,
}

#[grad]
fn path_form_on_inferred_data(x0: f32, x1: f32) -> f32 {
    let r = Record { v: 1.0 };
    f32::max(r.v, x0) - x0 - x1 + f32::hypot(r.v, x1)
}

#[test]
fn a_path_form_types_its_receiver() {
    // x0 = 2: max is x0, its derivative cancels -x0's; hypot(1, x1) adds x1 / hypot.
    let (value, (d_x0, d_x1)) = path_form_on_inferred_data_grad(2.0, 0.75);
    assert_eq!(value, 2.0 - 2.0 - 0.75 + 1.25);
    assert_eq!((d_x0, d_x1), (0.0, -1.0 + 0.75 / 1.25));
    // x0 = 0.5: max is the constant 1.
    let (_, (d_x0, _)) = path_form_on_inferred_data_grad(0.5, 0.75);
    assert_eq!(d_x0, -1.0);
}

// A negated element of a constant table bound to a local and passed to a call (`let e =
// -TABLE[i]; h(x, e)`): the negation was not known for float data as the element is, and
// the call's adjoint got no shadow for it (E0061, "argument #5 is missing"). Found by
// autodiff-fuzz (seed 4040404).
const OFFSETS: [f64; 3] = [1.0, -0.25, -1.75];

#[grad]
fn scaled_by(x: f64, s: f64) -> f64 {
    x * s
}

#[grad]
fn negated_table_element_passed(x: f64, i: usize) -> f64 {
    let e = -OFFSETS[i % 3];
    e + scaled_by(x, e) + scaled_by(x, -OFFSETS[0])
}

#[test]
fn a_negated_table_element_is_float_data() {
    // i = 4: e = 0.25, f = 0.25 + 0.25 x - x.
    let (value, d_x) = negated_table_element_passed_grad(2.0, 4);
    assert_eq!((value, d_x), (0.25 + 0.5 - 2.0, 0.25 - 1.0));
}

// In an `f32` function, a constant widened to `f64` (`EPS as f64`) was taken for an integer
// (an `as` cast reads a count), so `EPS` passed bare to a call got no shadow (E0061); and a
// call's result widened for a comparison (`h(..) as f64`) was taken for a function that
// returns an integer ("#[grad] takes this call for one that returns an integer"). A cast to
// the other float type says neither now. Found by autodiff-fuzz (widened-conditions, seed
// 4040404).
const GAIN: f32 = 0.625;

#[grad]
fn width_times_square(s: f32, y: f32) -> f32 {
    s * y * y
}

#[grad]
fn compared_in_f64(y: f32, w: &[f32]) -> f32 {
    if (GAIN as f64) > 0.5 && (width_times_square(GAIN, y) as f64) < 10.0 {
        width_times_square(GAIN, y) * w[0]
    } else {
        y
    }
}

#[test]
fn a_cast_to_the_other_float_type_is_no_integer_reading() {
    // y = 2: 0.625 * 4 = 2.5 < 10, f = 0.625 y² w0.
    let (value, (d_y, d_w)) = compared_in_f64_grad(2.0, &[1.5, -1.0]);
    assert_eq!((value, d_y, d_w), (3.75, 3.75, vec![2.5, 0.0]));
    // y = 5: 15.625 >= 10, f = y.
    assert_eq!(compared_in_f64_grad(5.0, &[1.5]), (5.0, (1.0, vec![0.0])));
}

// The rows of a model's matrix field iterated through a local bound to it (`let w =
// &m.inner.w; for row in w.iter() { h(row) }`) and lent to a call: the field was taken for a
// vector, each row for a number (E0277 `cannot add [f64; 2] to [f64; 2]`), where the same
// loop over `m.inner.w.iter()` lent each row. The local now lends them as the field does.
// Found by autodiff-fuzz (seed 1212121).
#[derive(Clone, autodiff::Params)]
struct RowsInner {
    w: [[f64; 2]; 2],
}

#[derive(Clone, autodiff::Params)]
struct RowsModel {
    inner: RowsInner,
    v: [[f64; 2]; 2],
}

#[grad]
fn row_product(r: &[f64]) -> f64 {
    r[0] * r[1]
}

#[grad(m)]
fn rows_through_aliases(m: &RowsModel) -> f64 {
    let nested = &m.inner.w;
    let flat = &m.v;
    let mut s = 0.0;
    for row in nested.iter() {
        s += row_product(row);
    }
    for row in flat.iter().rev() {
        s -= row_product(row);
    }
    s
}

#[test]
fn rows_of_an_aliased_matrix_field_are_lent() {
    let m = RowsModel {
        inner: RowsInner {
            w: [[0.5, -1.0], [2.0, 0.25]],
        },
        v: [[1.5, 0.5], [-0.5, 2.0]],
    };
    let (value, d_m) = rows_through_aliases_grad(&m);
    assert_eq!(value, -0.5 + 0.5 - 0.75 + 1.0);
    assert_eq!(d_m.inner.w, [[-1.0, 0.5], [0.25, 2.0]]);
    assert_eq!(d_m.v, [[-0.5, -1.5], [-2.0, 0.5]]);
}

// In a generic function an integer call cast to `f64` (`T::from(count(x) as f64)`) is a
// count, as before the rule above: `f64` is no "other float type" of a `T: Float` function.
// (The rule briefly applied there too and made this a conversion error.)
fn count_positive<T: Float>(x: &[T]) -> usize {
    x.iter().filter(|v| **v > T::zero()).count()
}

#[grad]
fn scaled_by_count<T: Float>(x: &[T]) -> T {
    T::from(count_positive(x) as f64).unwrap() * x[0]
}

#[test]
fn an_integer_call_cast_to_f64_in_generic_code_is_a_count() {
    assert_eq!(
        scaled_by_count_grad(&[1.5, -1.0, 2.0]),
        (3.0, vec![2.0, 0.0, 0.0])
    );
}

// An iterator over data kept in a local and advanced by code passed through as written
// (`it.next()`): its `let mut` was declared without `mut` (E0596, cannot borrow `it` as
// mutable).
#[grad(x)]
fn data_iterator_advanced(x: &[f64], names: &[String]) -> f64 {
    let mut it = names.iter();
    let first = it.next().unwrap();
    let second = it.next().map_or(0, |s| s.len());
    x[0] * first.len() as f64 + x[1] * second as f64
}

#[test]
fn a_data_iterator_kept_in_a_mutable_local() {
    let names = ["abc".to_string(), "de".to_string()];
    let (v, g) = data_iterator_advanced_grad(&[2.0, 5.0], &names);
    assert!(close(v, 16.0) && g == vec![3.0, 2.0], "{v} {g:?}");
}

// ---- a model's method given the rows of data, whole or as slices (E0308, E0061) ----

#[derive(Clone, Debug, autodiff::Params)]
struct Linear4 {
    w: Vec<f64>,
    b: f64,
}

struct Rows {
    xs: Vec<[f64; 4]>,
}

#[grad(self)]
impl Linear4 {
    fn logit(&self, x: &[f64]) -> f64 {
        let mut z = self.b;
        for (w, v) in self.w.iter().zip(x) {
            z += w * v;
        }
        z
    }
}

#[grad(m)]
fn linear_free(m: &Linear4, x: &[f64]) -> f64 {
    m.w[0] * x[0] + m.b
}

/// Each row lent to the method as it is (`x` is `&[f64; 4]`), and the same by a chain.
#[grad(m)]
fn rows_to_a_method(m: &Linear4, data: &Rows) -> f64 {
    let mut t = 0.0;
    for x in &data.xs {
        t += m.logit(x);
    }
    t + data.xs.iter().map(|x| m.logit(x)).sum::<f64>()
}

/// Slices of rows of data (`&x[..]`, `&x[1..]`, a slice of a slice) lent to calls: data
/// arrays, each with a `Const` shadow.
#[grad(m)]
fn slices_of_data_rows(m: &Linear4, data: &Rows, flat: &[f64]) -> f64 {
    let mut t = linear_free(m, &flat[1..]);
    for x in &data.xs {
        let tail = &x[1..];
        t += m.logit(&x[..]) * linear_free(m, &tail[..2]);
    }
    t
}

#[test]
fn a_models_method_takes_rows_and_slices_of_data() {
    let m = Linear4 {
        w: vec![0.5, -1.0, 0.25, 2.0],
        b: 0.1,
    };
    let data = Rows {
        xs: vec![[1.0, 2.0, 3.0, 4.0], [-1.0, 0.5, 2.0, -2.0]],
    };
    let flat = [9.0, 3.0, 1.0];
    // Twice the sum of the logits: d/dw = 2 sum x, d/db = 2 rows.
    let (_, g) = rows_to_a_method_grad(&m, &data);
    assert_eq!(g.w, vec![0.0, 5.0, 10.0, 4.0]);
    assert_eq!(g.b, 4.0);
    let (_, g) = slices_of_data_rows_grad(&m, &data, &flat);
    autodiff::gradcheck::check_params_gradient(
        |m: &Linear4| slices_of_data_rows(m, &data, &flat),
        &m,
        &g,
    )
    .assert_ok();
    // By hand: t = (w0 3 + b) + sum_rows logit(x) (w0 x1 + b).
    let mut want_w0 = 3.0;
    let mut want_b = 1.0;
    for x in &data.xs {
        let (l, f) = (m.logit(x), m.w[0] * x[1] + m.b);
        want_w0 += x[0] * f + l * x[1];
        want_b += f + l;
    }
    assert!(close(g.w[0], want_w0) && close(g.b, want_b), "{g:?}");
}

// ---- a local closure given a model's fields whole ("too many indices") ----

#[derive(Clone, Debug, autodiff::Params)]
struct TwoLayer {
    w1: Vec<Vec<f64>>,
    w2: Vec<f64>,
    m: [[f64; 2]; 2],
}

/// The closure is inlined at each call; the field lent to it is an array, with as many
/// indices as the closure's parameter takes.
#[grad]
fn closures_given_fields(net: &TwoLayer) -> f64 {
    let sq = |a: &[f64]| -> f64 { a[0] * a[0] + a[1] };
    let trace = |m: &[[f64; 2]; 2]| m[0][0] + m[1][1];
    let first = |v: &Vec<f64>| -> f64 { v[0] };
    sq(&net.w1[0]) + sq(&net.w2) * trace(&net.m) + first(&net.w2)
}

#[test]
fn a_closure_is_given_a_row_a_vector_field_and_a_matrix_field() {
    let net = TwoLayer {
        w1: vec![vec![0.5, -1.0], vec![2.0, 3.0]],
        w2: vec![1.5, 0.25],
        m: [[2.0, 7.0], [-3.0, 0.5]],
    };
    let (value, g) = closures_given_fields_grad(&net);
    // sq(w1[0]) + sq(w2) (m00 + m11) + w2[0]
    let (sq2, trace) = (1.5 * 1.5 + 0.25, 2.5);
    assert!(close(value, 0.25 - 1.0 + sq2 * trace + 1.5));
    assert_eq!(g.w1, vec![vec![1.0, 1.0], vec![0.0, 0.0]]);
    assert_eq!(g.w2, vec![2.0 * 1.5 * trace + 1.0, trace]);
    assert_eq!(g.m, [[sq2, 0.0], [0.0, sq2]]);
}

// ---- `match` / `if let` on a `#[params(skip)]` field of a differentiated model ----

/// An enum without `PartialEq`, matched by reference.
#[derive(Clone, Copy, Debug)]
enum Sign {
    Plus,
    Minus,
}

#[derive(Clone, Debug, autodiff::Params)]
struct Masked {
    w: Vec<f64>,
    #[params(skip)]
    mask: Option<Vec<f64>>,
    #[params(skip)]
    fixed: Option<[f64; 2]>,
    #[params(skip)]
    sign: Sign,
}

/// The skipped fields are data, matched by reference (`Option<Vec<f64>>` is not `Copy`) and by
/// value.
#[grad(m, modes(tangent))]
fn masked_penalty(m: &Masked, x: f64) -> f64 {
    let mut p = m.w[0] * x;
    if let Some(mk) = &m.mask {
        for i in 0..mk.len() {
            p += mk[i] * m.w[i] * m.w[i];
        }
    }
    if let Some(f) = m.fixed {
        p += f[1] * m.w[1];
    }
    match &m.sign {
        Sign::Plus => p += m.w[2],
        Sign::Minus => p -= m.w[2],
    }
    match &m.mask {
        Some(v) if v.len() > 5 => p * 2.0,
        _ => p,
    }
}

/// `is_some()` / `is_none()` of a skipped `Option`: data, not a sub-model's method.
#[grad(m)]
fn masked_scale(m: &Masked, x: f64) -> f64 {
    let s = if m.mask.is_some() { 2.0 } else { 1.0 };
    let t = if m.fixed.is_none() { 3.0 } else { 1.0 };
    s * t * m.w[0] * x
}

#[test]
fn a_skipped_option_field_is_matched_as_data() {
    let m = Masked {
        w: vec![0.3, -0.2, 0.5],
        mask: Some(vec![1.0, 2.0, 3.0]),
        fixed: Some([0.5, 4.0]),
        sign: Sign::Minus,
    };
    let x = 0.7;
    let (_, g) = masked_penalty_grad(&m, x);
    // d/dw_i = x [i == 0] + 2 mask_i w_i + fixed_1 [i == 1]
    assert!(close(g.w[0], x + 2.0 * 0.3));
    assert!(close(g.w[1], 2.0 * 2.0 * -0.2 + 4.0));
    assert!(close(g.w[2], 2.0 * 3.0 * 0.5 - 1.0));
    let plus = Masked {
        sign: Sign::Plus,
        ..m.clone()
    };
    assert!(close(
        masked_penalty_grad(&plus, x).1.w[2],
        2.0 * 3.0 * 0.5 + 1.0
    ));
    assert_eq!(masked_scale_grad(&m, x).1.w, vec![2.0 * x, 0.0, 0.0]);
    assert_eq!((g.mask, g.fixed), (m.mask.clone(), m.fixed));
    let t = Masked {
        w: vec![1.0, 0.0, 0.0],
        ..m.clone()
    };
    let (_, tangent) = masked_penalty_tangent(&m, x, &t, autodiff::Const);
    assert!(close(tangent, g.w[0]));
}

// ---- rows of data left out of `#[grad(..)]`: copied (`*x`), of integers lent ----

#[grad(w)]
fn scaled_step(w: &[f64; 2], x: &[f64; 2]) -> [f64; 2] {
    [w[0] * x[0], w[1] * x[1] + x[0]]
}

/// `*x` of a row of `xs: &[[f64; 2]]` is a `[f64; 2]` (it was made a `Vec`: E0308).
#[grad(w)]
fn stepped_rows(w: &[f64; 2], xs: &[[f64; 2]]) -> f64 {
    let mut l = 0.0;
    for x in xs.iter() {
        let mut inp = *x;
        inp = scaled_step(w, &inp);
        l += inp[0] * inp[1];
    }
    l
}

#[grad(w)]
fn pick_pair(w: &[f64], toks: &[usize; 2]) -> f64 {
    w[toks[0]] * w[toks[1]]
}

/// Rows of integers lent to a call take no shadow (E0061: one `Const` too many).
#[grad(w)]
fn picked_pairs(w: &[f64], batch: &[[usize; 2]]) -> f64 {
    let mut s = 0.0;
    for seq in batch {
        s += pick_pair(w, seq);
    }
    s
}

#[derive(Clone, Debug, autodiff::Params)]
struct Heads {
    w: Vec<f64>,
    #[params(skip)]
    heads: usize,
}

/// A skipped integer field in a typed integer local is an integer (E0277: `usize / f64`).
#[grad(m)]
fn per_head(m: &Heads) -> f64 {
    let hd: usize = m.w.len() / m.heads;
    let mut s = 0.0;
    for h in 0..m.heads {
        s += m.w[h * hd] * m.w[h * hd + 1];
    }
    s
}

#[test]
fn rows_of_data_are_copied_and_lent_by_their_type() {
    let w = [0.5, -1.5];
    let xs = [[1.0, 2.0], [0.3, -0.4]];
    let (_, d_w) = stepped_rows_grad(&w, &xs);
    // l = sum (w0 x0) (w1 x1 + x0)
    let want = xs.iter().fold([0.0, 0.0], |g, x| {
        let (a, b) = (w[0] * x[0], w[1] * x[1] + x[0]);
        [g[0] + x[0] * b, g[1] + a * x[1]]
    });
    assert!(close(d_w[0], want[0]) && close(d_w[1], want[1]), "{d_w:?}");
    let (value, d_w) = picked_pairs_grad(&[1.0, 2.0, 3.0], &[[0, 1], [2, 2]]);
    assert_eq!((value, d_w), (11.0, vec![2.0, 1.0, 6.0]));
    let m = Heads {
        w: vec![0.5, 1.5, -2.0, 0.25],
        heads: 2,
    };
    let (value, g) = per_head_grad(&m);
    assert!(close(value, 0.75 - 0.5));
    assert_eq!(g.w, vec![1.5, 0.5, 0.25, -2.0]);
}

// ---- numbers of a model's field through `zip`, handed to calls (fuzz seed 20261208) ----

#[derive(Clone, Debug, autodiff::Params)]
struct Pairs {
    w: [f64; 2],
}

#[grad]
fn cubed(u: f64) -> f64 {
    u * u * u
}

/// Not items of a sequence of sub-models: numbers, handed to a call (the check for those
/// took them for items once).
#[grad]
fn zipped_numbers(l: &Pairs) -> f64 {
    let mut s = 0.0;
    for (&u, &v) in l.w.iter().zip(l.w.iter()) {
        s += cubed(u) * v;
    }
    s
}

#[test]
fn numbers_zipped_from_a_field_are_handed_to_calls() {
    let (value, g) = zipped_numbers_grad(&Pairs { w: [0.5, -2.0] });
    assert!(close(value, 0.5f64.powi(4) + 16.0));
    assert!(close(g.w[0], 4.0 * 0.5f64.powi(3)) && close(g.w[1], 4.0 * -8.0));
}

// ---- items of a data struct's field zipped in a chain, handed to calls (probe, session 14) ----

#[derive(Clone, Debug, autodiff::Params)]
struct Affine {
    w: [f64; 2],
    b: f64,
}

impl Affine {
    #[grad(self)]
    fn predict(&self, x: &[f64; 2]) -> f64 {
        self.w[0] * x[0] + self.w[1] * x[1] + self.b
    }
}

/// A data set whose type the function does not see: its rows were taken for numbers and
/// handed to `predict` by value (E0308 in the generated code).
struct Samples {
    xs: Vec<[f64; 2]>,
    ys: Vec<f64>,
    weights: Vec<f64>,
}

/// Data only: called as written.
fn half_square(r: &f64) -> f64 {
    0.5 * r * r
}

#[grad(m)]
fn weighted_mse(m: &Affine, d: &Samples) -> f64 {
    let n = d.xs.len() as f64;
    let fit =
        d.xs.iter()
            .zip(&d.ys)
            .map(|(x, y)| {
                let e = m.predict(x) - y;
                e * e
            })
            .sum::<f64>();
    // Numbers lent by reference (`half_square(w)`), and by value under `&`.
    let prior: f64 = d
        .weights
        .iter()
        .zip(&d.ys)
        .map(|(w, &y)| half_square(w) * y)
        .sum();
    fit / n + prior * m.b
}

#[test]
fn rows_of_a_data_field_zipped_in_a_chain_are_lent_to_calls() {
    let m = Affine {
        w: [1.0, 2.0],
        b: 0.5,
    };
    let d = Samples {
        xs: vec![[1.0, 0.0], [0.0, 1.0], [2.0, -1.0]],
        ys: vec![1.0, 2.0, -1.0],
        weights: vec![2.0, 1.0, 4.0],
    };
    let (value, g) = weighted_mse_grad(&m, &d);
    // Residuals e = w.x + b - y: 0.5, 0.5, 1.5; prior = 0.5 (4 * 1 + 1 * 2 + 16 * -1) = -5.
    let e = [0.5, 0.5, 1.5];
    let prior = -5.0;
    assert!(close(value, (0.25 + 0.25 + 2.25) / 3.0 + prior * 0.5));
    let d_w0 = 2.0 * (e[0] * 1.0 + e[2] * 2.0) / 3.0;
    let d_w1 = 2.0 * (e[1] - e[2]) / 3.0;
    let d_b = 2.0 * (e[0] + e[1] + e[2]) / 3.0 + prior;
    assert!(close(g.w[0], d_w0) && close(g.w[1], d_w1) && close(g.b, d_b));
}
