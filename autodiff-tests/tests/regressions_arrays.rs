//! Minimal reproducers, as `regressions_probed.rs`, of generated code that failed on local
//! arrays and closures: copies (`let old = h;`, `to_vec()` of fixed rows), `mem::swap`, array
//! literals iterated and passed by value, closures that capture or own arrays, sorts, and
//! range chains. Found by probing code nobody here wrote and by the fuzzer; each checked
//! against a hand-derived gradient, written as it was reported.
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

// ---- `let old = h;` of a local array is a copy (a wrong gradient: it was an alias) ----

#[grad(modes(tangent))]
fn copy_then_write(x: f64, y: f64) -> f64 {
    let mut h = [x, y];
    let old = h;
    h[0] = h[0] * h[1];
    old[0] + 10.0 * h[0]
}

#[grad(w)]
fn recurrent_step(w: &[[f64; 2]; 2], x: &[f64]) -> f64 {
    let mut h = [0.5, -0.5];
    for &xt in x {
        let prev = h;
        for i in 0..2 {
            h[i] = (w[i][0] * prev[0] + w[i][1] * prev[1] + xt).tanh();
        }
    }
    h[0] + h[1]
}

#[grad]
fn row_copied_out(x: f64, y: f64) -> f64 {
    let mut m = [[x, y], [y, x]];
    let row = m[0];
    m[0][0] = 3.0;
    row[0] * m[0][0] + row[1]
}

#[grad]
fn snapshot_in_closure(x: f64, y: f64) -> f64 {
    let mut h = vec![x, y];
    let snap = h.clone();
    let twice = |i: usize| snap[i] * 2.0;
    h[1] = 0.0;
    twice(0) + twice(1) * x + h[1]
}

#[test]
fn a_local_array_bound_by_value_is_a_copy() {
    let (x, y) = (0.7, 1.3);
    // x + 10 x y
    let (v, (dx, dy)) = copy_then_write_grad(x, y);
    assert!(close(v, x + 10.0 * x * y) && close(dx, 1.0 + 10.0 * y) && close(dy, 10.0 * x));
    let (tv, t) = copy_then_write_tangent(x, y, 1.0, 0.0);
    assert!(close(tv, v) && close(t, dx));
    // 3 x + y
    let (v, (dx, dy)) = row_copied_out_grad(x, y);
    assert!(close(v, 3.0 * x + y) && close(dx, 3.0) && close(dy, 1.0));
    // 2 x + 2 y x
    let (v, (dx, dy)) = snapshot_in_closure_grad(x, y);
    assert!(close(v, 2.0 * x + 2.0 * y * x) && close(dx, 2.0 + 2.0 * y) && close(dy, 2.0 * x));
    let w = [[0.5, -0.3], [0.8, 0.2]];
    let xs = [1.0, -0.5, 0.3];
    let (v, g) = recurrent_step_grad(&w, &xs);
    assert_eq!(v, recurrent_step(&w, &xs));
    let h = 1e-6;
    for i in 0..2 {
        for j in 0..2 {
            let (mut wp, mut wm) = (w, w);
            wp[i][j] += h;
            wm[i][j] -= h;
            let fd = (recurrent_step(&wp, &xs) - recurrent_step(&wm, &xs)) / (2.0 * h);
            assert!(
                (g[i][j] - fd).abs() < 1e-8,
                "w[{i}][{j}]: {} vs {fd}",
                g[i][j]
            );
        }
    }
}

// ---- a range chain bounded by an integer whose type is left to inference ----

#[grad]
fn untyped_bound(k: f64) -> f64 {
    let n = 20;
    let s: f64 = (1..n).map(|i| k * i as f64).sum();
    s + (0..n).fold(0.0, |acc, i| acc + k * k * i as f64)
}

#[test]
fn a_chain_over_a_range_with_an_untyped_bound() {
    // 190 k + 190 k^2
    let k = 0.3;
    let (v, d) = untyped_bound_grad(k);
    assert!(
        close(v, 190.0 * k + 190.0 * k * k) && close(d, 190.0 + 380.0 * k),
        "{v} {d}"
    );
}

// ---- `total_cmp` in a sort's comparator under `modes(hvp)` (E0599 on dual numbers) ----

#[grad(modes(hvp))]
fn sorted_by_total_cmp(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    v[0] * v[1] * v[1]
}

/// The comparator as a path: `f64::total_cmp` takes `&f64`, never a dual number.
#[grad(modes(hvp))]
fn sorted_by_total_cmp_path(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    v.sort_unstable_by(f64::total_cmp);
    v[0] * v[1] * v[1]
}

#[test]
fn total_cmp_sorts_dual_numbers_by_value() {
    let x = [0.5, -0.3, 0.9];
    let t = [1.0, 0.5, -0.25];
    assert_eq!(
        sorted_by_total_cmp_path_hvp(&x, &t),
        sorted_by_total_cmp_hvp(&x, &t)
    );
    // Sorted: (-0.3, 0.5, 0.9), f = x1 x0^2: H = [[2 x1, 2 x0, 0], [2 x0, 0, 0], [0, 0, 0]].
    let (v, g, hv) = sorted_by_total_cmp_hvp(&x, &t);
    assert!(close(v, -0.3 * 0.25));
    assert!(
        close(g[0], -0.3) && close(g[1], 0.25) && g[2] == 0.0,
        "{g:?}"
    );
    let want = [2.0 * 0.5 * 0.5 + 2.0 * -0.3 * 1.0, 2.0 * 0.5 * 1.0, 0.0];
    assert!(
        hv.iter().zip(want).all(|(a, b)| close(*a, b)),
        "{hv:?} vs {want:?}"
    );
}

// ---- an array parameter taken `mut` by value and written; `*x` passed by value ----

#[grad(modes(tangent))]
fn written_by_value(mut v: [f64; 2], mut u: [f64; 2], k: usize) -> f64 {
    v[0] *= 2.0;
    for _ in 0..k {
        u[1] = v[1] * u[0] + u[1].sin();
    }
    v[0] * v[1] + u[1]
}

/// `*x` of a reference parameter handed to a by-value array parameter (E0308: the generated
/// call passed the reference).
#[grad]
fn dereferenced_argument(x: &[f64; 2], w: [f64; 2]) -> f64 {
    written_by_value(*x, w, 2) + written_by_value(w, *x, 1)
}

#[test]
fn a_mut_array_parameter_is_a_copy_and_a_dereferenced_one_is_passed_by_value() {
    let (v, u) = ([3.0, 5.0], [1.0, 2.0]);
    let (value, (d_v, d_u)) = written_by_value_grad(v, u, 1);
    // f = 2 v0 v1 + v1 u0 + sin(u1)
    assert!(close(value, 30.0 + 5.0 + 2f64.sin()));
    assert_eq!(d_v, [10.0, 6.0 + 1.0]);
    assert_eq!(d_u, [5.0, 2f64.cos()]);
    let (_, tangent) = written_by_value_tangent(v, u, 1, &[1.0, 0.0], &[0.0, 1.0]);
    assert!(close(tangent, 10.0 + 2f64.cos()));
    let x = [0.3, -0.7];
    let (_, (d_x, d_w)) = dereferenced_argument_grad(&x, u);
    let f = |x: [f64; 2], w: [f64; 2]| dereferenced_argument(&x, w);
    for i in 0..2 {
        let h = 1e-6;
        let (mut xp, mut xm, mut wp, mut wm) = (x, x, u, u);
        xp[i] += h;
        xm[i] -= h;
        wp[i] += h;
        wm[i] -= h;
        let fd_x = (f(xp, u) - f(xm, u)) / (2.0 * h);
        let fd_w = (f(x, wp) - f(x, wm)) / (2.0 * h);
        assert!((d_x[i] - fd_x).abs() < 1e-7 && (d_w[i] - fd_w).abs() < 1e-7);
    }
}

// ---- iterating an array literal of differentiated values (rejected before) ----

#[grad]
fn over_literals(a: f64, b: f64) -> f64 {
    let mut s = 0.0;
    for v in [a, b, 2.0] {
        s += v.exp();
    }
    for (i, v) in [a, b].iter().enumerate() {
        s += (i as f64 + 1.0) * v * v;
    }
    for v in &[a * a, 2.0] {
        s += v.ln();
    }
    s + [a * b, a + b].into_iter().map(|v| v.sin()).sum::<f64>() + [b; 3].iter().sum::<f64>()
}

#[test]
fn an_array_literal_is_iterated() {
    let (a, b) = (0.7, 1.3);
    let (_, (d_a, d_b)) = over_literals_grad(a, b);
    let want_a = a.exp() + 2.0 * a + 2.0 / a + (a * b).cos() * b + (a + b).cos();
    let want_b = b.exp() + 4.0 * b + (a * b).cos() * a + (a + b).cos() + 3.0;
    assert!(close(d_a, want_a) && close(d_b, want_b), "{d_a} {d_b}");
}

// ---- a copy of rows of a fixed length (`pos.to_vec()` of `&[[f64; 2]]`) ----

#[grad]
fn leapfrog_rows(pos: &[[f64; 2]], vel: &Vec<[f64; 2]>, dt: f64) -> f64 {
    let mut p = pos.to_vec();
    let v = vel.to_vec();
    for _ in 0..3 {
        for i in 0..p.len() {
            p[i][0] += dt * v[i][0] * p[i][1];
            p[i][1] += dt * v[i][1];
        }
    }
    p.iter().map(|r| r[0] * r[1]).sum()
}

#[test]
fn rows_of_a_fixed_length_are_copied() {
    let pos = [[1.0, 2.0], [3.0, 4.0]];
    let vel = vec![[0.5, -1.0], [2.0, 0.25]];
    let (_, (d_pos, d_vel, d_dt)) = leapfrog_rows_grad(&pos, &vel, 0.1);
    let rows = |v: &[f64]| [[v[0], v[1]], [v[2], v[3]]];
    let fd_pos = central_differences(|p| leapfrog_rows(&rows(p), &vel, 0.1), pos.as_flattened());
    let fd_vel = central_differences(
        |v| leapfrog_rows(&pos, &rows(v).to_vec(), 0.1),
        vel.as_flattened(),
    );
    assert!(d_pos
        .as_flattened()
        .iter()
        .zip(&fd_pos)
        .all(|(a, b)| (a - b).abs() < 1e-6));
    assert!(d_vel
        .as_flattened()
        .iter()
        .zip(&fd_vel)
        .all(|(a, b)| (a - b).abs() < 1e-6));
    let h = 1e-6;
    let fd = (leapfrog_rows(&pos, &vel, 0.1 + h) - leapfrog_rows(&pos, &vel, 0.1 - h)) / (2.0 * h);
    assert!((d_dt - fd).abs() < 1e-5);
}

// ---- `std::mem::swap` of two local arrays: double buffering (rejected before) ----

#[grad]
fn double_buffered(x: &[f64; 2]) -> f64 {
    let mut a = *x;
    let mut b = [0.0; 2];
    for _ in 0..3 {
        b[0] = a[1].sin();
        b[1] = a[0] * a[1];
        std::mem::swap(&mut a, &mut b);
    }
    a[0] + a[1]
}

/// Jacobi sweeps over two arrays, swapped after each.
#[grad]
fn jacobi_sweeps(x: &[f64; 5], n: usize) -> f64 {
    let mut cur = *x;
    let mut next = [0.0; 5];
    for _ in 0..n {
        for i in 1..cur.len() - 1 {
            next[i] = 0.5 * (cur[i - 1] + cur[i + 1]) + 0.1 * cur[i] * cur[i];
        }
        next[0] = cur[0];
        let last = cur.len() - 1;
        next[last] = cur[last];
        core::mem::swap(&mut cur, &mut next);
    }
    cur.iter().map(|v| v * v).sum()
}

#[grad]
fn swapped_matrices(x: &[f64; 2]) -> f64 {
    let mut a = [[x[0], x[1]], [x[1], 1.0]];
    let mut b = [[0.0; 2]; 2];
    for _ in 0..2 {
        for i in 0..2 {
            for j in 0..2 {
                b[i][j] = a[j][i] * a[i][j] + 0.1;
            }
        }
        std::mem::swap(&mut a, &mut b);
    }
    a[0][0] + a[0][1] * a[1][0]
}

fn central_differences(f: impl Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    let h = 1e-6;
    (0..x.len())
        .map(|i| {
            let (mut p, mut m) = (x.to_vec(), x.to_vec());
            p[i] += h;
            m[i] -= h;
            (f(&p) - f(&m)) / (2.0 * h)
        })
        .collect()
}

#[test]
fn swapped_local_arrays_exchange_their_elements() {
    let x = [0.3, 0.8];
    let as_pair = |v: &[f64]| [v[0], v[1]];
    let (_, g) = double_buffered_grad(&x);
    let fd = central_differences(|v| double_buffered(&as_pair(v)), &x);
    assert!(
        g.iter().zip(&fd).all(|(a, b)| (a - b).abs() < 1e-7),
        "{g:?} {fd:?}"
    );
    let (_, g) = swapped_matrices_grad(&x);
    let fd = central_differences(|v| swapped_matrices(&as_pair(v)), &x);
    assert!(
        g.iter().zip(&fd).all(|(a, b)| (a - b).abs() < 1e-7),
        "{g:?} {fd:?}"
    );
    let v = [0.1, 0.5, -0.3, 0.7, 0.2];
    let (_, g) = jacobi_sweeps_grad(&v, 4);
    let fd = central_differences(|v| jacobi_sweeps(&[v[0], v[1], v[2], v[3], v[4]], 4), &v);
    assert!(
        g.iter().zip(&fd).all(|(a, b)| (a - b).abs() < 1e-7),
        "{g:?} {fd:?}"
    );
}

// ---- a `move` closure holds a copy of the array it captured (wrong gradient) ----

/// `f` reads `b[0]` as it was when the closure was made (`x`), not after `b[0] = y`.
#[grad(modes(tangent))]
fn moved_array_capture(x: f64, y: f64) -> f64 {
    let mut b = [x, 2.0 * x];
    let f = move |t: f64| t * b[0] + b[1];
    b[0] = y;
    f(1.0) + b[0] * f(y)
}

#[test]
fn a_move_closure_reads_the_array_it_copied() {
    let (x, y) = (0.7, 1.3);
    // f(t) = t x + 2x; value = 3x + y (y x + 2x)
    let (value, (d_x, d_y)) = moved_array_capture_grad(x, y);
    assert!(close(value, moved_array_capture(x, y)));
    assert!(close(value, 3.0 * x + y * (y * x + 2.0 * x)));
    assert!(close(d_x, 3.0 + y * (y + 2.0)), "{d_x}");
    assert!(close(d_y, 2.0 * y * x + 2.0 * x), "{d_y}");
    let (_, tangent) = moved_array_capture_tangent(x, y, 1.0, 0.0);
    assert!(close(tangent, d_x));
}

// ---- a closure with locals of its own written (rejected as assigning outside it) ----

#[grad]
fn closure_with_own_locals(x: f64, y: f64) -> f64 {
    let f = |t: f64| {
        let mut z = t;
        z += y;
        let mut acc = 0.0;
        for k in 1..4 {
            acc += z * k as f64;
        }
        acc * z
    };
    f(x) + f(2.0 * y)
}

#[test]
fn a_closure_writes_its_own_locals() {
    let (x, y) = (0.7, 1.3);
    // f(t) = 6 (t + y)^2
    let (value, (d_x, d_y)) = closure_with_own_locals_grad(x, y);
    assert!(close(
        value,
        6.0 * (x + y).powi(2) + 6.0 * (3.0 * y).powi(2)
    ));
    assert!(close(d_x, 12.0 * (x + y)));
    assert!(close(d_y, 12.0 * (x + y) + 36.0 * 3.0 * y));
}

// ---- an array literal passed by value, to a function and to a closure ----

#[grad]
fn times_pair(v: [f64; 2]) -> f64 {
    v[0] * v[1]
}

#[grad]
fn literals_by_value(x: f64, y: f64) -> f64 {
    let f = |v: [f64; 2]| v[0] * v[1] + v[1];
    times_pair([x, y + 1.0]) + f([x * y, 2.0]) + f([y; 2])
}

#[test]
fn array_literals_are_passed_by_value() {
    let (x, y) = (0.7, 1.3);
    let (value, (d_x, d_y)) = literals_by_value_grad(x, y);
    assert!(close(value, literals_by_value(x, y)));
    assert!(close(d_x, (y + 1.0) + 2.0 * y), "{d_x}");
    assert!(close(d_y, x + 2.0 * x + 2.0 * y + 1.0), "{d_y}");
}

// ---- a call's vector result, bound untyped, assigned to a local vector ----

#[grad]
fn twice_each(x: &[f64]) -> Vec<f64> {
    x.iter().map(|v| 2.0 * v).collect()
}

/// `y` is an array because `h = y` makes it `h`'s value (rejected: "`.len()` needs an array").
#[grad]
fn replaced_by_result(x: &[f64]) -> f64 {
    let mut h = x.to_vec();
    for _ in 0..2 {
        let y = twice_each(&h);
        h = y;
    }
    h[0] * h[1]
}

#[test]
fn an_untyped_vector_result_replaces_a_local_vector() {
    let (value, d_x) = replaced_by_result_grad(&[1.0, 3.0]);
    // h = 4 x: 16 x0 x1
    assert_eq!((value, d_x), (48.0, vec![48.0, 16.0]));
}

// ---- a fixed-size local array sorted; a copy of a data row's slice lent (E0282, E0061) ----

#[grad(modes(hvp))]
fn middle_squared(x: &[f64; 3]) -> f64 {
    let mut v = *x;
    v.sort_unstable_by(|a, b| a.partial_cmp(b).unwrap());
    v[1] * v[1]
}

#[grad]
fn dot_slices(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[grad(w)]
fn fit_tails(w: &[f64], xs: &[[f64; 3]]) -> f64 {
    let mut s = 0.0;
    for x in xs {
        s += dot_slices(w, &x[1..].to_vec()).powi(2);
    }
    s
}

#[test]
fn a_sorted_array_and_a_copied_row_slice() {
    let (value, g) = middle_squared_grad(&[3.0, 1.0, 2.0]);
    assert_eq!((value, g), (4.0, [0.0, 0.0, 4.0]));
    let (_, _, hv) = middle_squared_hvp(&[3.0, 1.0, 2.0], &[1.0, 1.0, 1.0]);
    assert_eq!(hv, [0.0, 0.0, 2.0]);
    let (value, d_w) = fit_tails_grad(&[1.0, 2.0], &[[1.0, 2.0, 3.0]]);
    assert_eq!((value, d_w), (64.0, vec![32.0, 48.0]));
}

// ---- arrays made from an array (fuzzer, family array-rebinds) ----
// A by-value array parameter shadowed by an array made from it (`let w = w.map(..)`, an `if`
// of arrays), then read by reference in code passed through (`w.len()`, `w.windows(2)`):
// under `modes(hvp)` the copy of its values was taken of a reference (`&[Dual<f64>; 2]:
// Split` not satisfied, inside generated code). `.map(..)` of a matrix row bound by `for row
// in m.iter()` was rejected ("maps an array only when it knows the array's length"), though
// the matrix's type says it.

#[grad(modes(hvp))]
fn mapped(w: [f64; 2]) -> f64 {
    let w = w.map(|v| v * 2.0);
    assert!(w.len() >= 2);
    w[0] * w[1]
}

#[grad(modes(hvp))]
fn chosen(w: [f64; 3]) -> f64 {
    let w = if w[0] > 0.0 { [w[1], w[0], w[2]] } else { w };
    w.windows(2).map(|p| p[1] - p[0]).sum::<f64>() * w[1]
}

#[grad(modes(tangent, hvp))]
fn mapped_rows(m: &[[f64; 3]; 2]) -> f64 {
    let mut s = 0.0;
    for row in m.iter() {
        let r = row.map(|v| v * v);
        let doubled: [f64; 3] = row.map(|v| v * 2.0);
        s += r[0] + r[2] + doubled[1];
    }
    s
}

#[derive(Clone, Debug, autodiff::Params)]
struct RowsModel {
    mat: [[f64; 2]; 3],
}

/// A model field's rows, whose length the macro cannot see: stated on the `let`.
#[grad(m, x)]
fn mapped_field_rows(m: &RowsModel, x: f64) -> f64 {
    let mut s = 0.0;
    for row in m.mat.iter() {
        let scaled: [f64; 2] = row.map(|v| v * x);
        s += scaled[1] * scaled[0];
    }
    s
}

#[test]
fn arrays_made_from_an_array() {
    // 4 w0 w1
    assert_eq!(
        mapped_hvp([0.5, 1.5], &[1.0, 0.0]),
        (3.0, [6.0, 2.0], [0.0, 4.0])
    );
    // (w2 - w0') w1' of the swapped [w1, w0, w2]: (c - b) a, its Hessian's row a is [0, -1, 1]
    assert_eq!(
        chosen_hvp([0.5, 1.5, 3.0], &[1.0, 0.0, 0.0]),
        (0.75, [1.5, -0.5, 0.5], [0.0, -1.0, 1.0])
    );
    let m = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
    let (value, d_m) = mapped_rows_grad(&m);
    assert_eq!(value, 1.0 + 9.0 + 4.0 + 16.0 + 36.0 + 10.0);
    assert_eq!(d_m, [[2.0, 2.0, 6.0], [8.0, 2.0, 12.0]]);
    let (_, _, hv) = mapped_rows_hvp(&m, &[[1.0, 1.0, 1.0], [0.0, 0.0, 1.0]]);
    assert_eq!(hv, [[2.0, 0.0, 2.0], [0.0, 0.0, 2.0]]);
    // x^2 sum of the rows' products
    let rows = RowsModel {
        mat: [[1.0, 2.0], [3.0, -1.0], [0.5, 4.0]],
    };
    let (value, (d_m, d_x)) = mapped_field_rows_grad(&rows, 0.5);
    assert_eq!(value, 0.25 * (2.0 - 3.0 + 2.0));
    assert_eq!(d_m.mat, [[0.5, 0.25], [-0.25, 0.75], [1.0, 0.125]]);
    assert_eq!(d_x, 2.0 * 0.5 * (2.0 - 3.0 + 2.0));
}

#[grad(modes(tangent))]
fn swapped_pair(x: &[f64; 2]) -> [f64; 2] {
    [x[1], x[0] * x[0]]
}

/// An array made by an `if` or a `match` whose branches are a call returning an array and an
/// array by name (ADBench hand's `if root { rel } else { mat_mult(parent, rel) }`): its length
/// from the named array's type. Rejected as a branch giving an array before.
#[grad(modes(tangent))]
fn branch_of_call_and_copy(x: &[f64; 2], flip: bool, k: usize) -> f64 {
    let v = if flip { swapped_pair(x) } else { *x };
    let w = match k {
        0 => *x,
        1 => swapped_pair(&v),
        _ => [x[0], v[1]],
    };
    v[0] * v[1] + w[0] * w[1].sin()
}

#[test]
fn arrays_from_branches_of_calls_and_names() {
    let x = [0.7, -1.3];
    let v_of = |x: [f64; 2], flip: bool| if flip { [x[1], x[0] * x[0]] } else { x };
    let f = |x: [f64; 2], flip: bool, k: usize| {
        let v = v_of(x, flip);
        let w = match k {
            0 => x,
            1 => [v[1], v[0] * v[0]],
            _ => [x[0], v[1]],
        };
        v[0] * v[1] + w[0] * w[1].sin()
    };
    for flip in [false, true] {
        for k in 0..3 {
            let (value, g) = branch_of_call_and_copy_grad(&x, flip, k);
            assert!(close(value, f(x, flip, k)));
            let h = 1e-6;
            for i in 0..2 {
                let (mut up, mut down) = (x, x);
                up[i] += h;
                down[i] -= h;
                let fd = (f(up, flip, k) - f(down, flip, k)) / (2.0 * h);
                assert!(
                    (g[i] - fd).abs() < 1e-7,
                    "flip {flip} k {k} i {i}: {} {fd}",
                    g[i]
                );
            }
            let (_, t) = branch_of_call_and_copy_tangent(&x, flip, k, &[1.0, 0.5]);
            assert!(close(t, g[0] + 0.5 * g[1]));
        }
    }
}

/// An array chosen whole by an `if` (rejected before, a UI test said to assign it in the
/// branches): its length from the arrays' type.
#[grad]
fn picked_whole(v: &[f64; 2], u: &[f64; 2], flag: bool) -> f64 {
    let a = if flag { *v } else { *u };
    a[0] * a[1]
}

#[test]
fn arrays_chosen_whole_by_an_if() {
    let (v, u) = ([2.0, 3.0], [5.0, 7.0]);
    assert_eq!(
        picked_whole_grad(&v, &u, true),
        (6.0, ([3.0, 2.0], [0.0, 0.0]))
    );
    assert_eq!(
        picked_whole_grad(&v, &u, false),
        (35.0, ([0.0, 0.0], [7.0, 5.0]))
    );
}

/// Elements destructured from the array an `if` makes (edition-2024 probe: rejected), its
/// length from a literal branch, a named array, or the pattern (branches that are calls).
#[grad(modes(tangent))]
fn destructured_branches(x: &[f64; 2], c: bool) -> f64 {
    let [p, q] = if c { [x[0], x[1] * x[1]] } else { [x[1], x[0]] };
    let [r, s] = if c { *x } else { swapped_pair(x) };
    let [u, v] = if c {
        swapped_pair(x)
    } else {
        swapped_pair(&[x[1], x[0]])
    };
    p * q + r * s.sin() + u * v
}

#[test]
fn elements_destructured_from_branch_arrays() {
    let f = |x: [f64; 2], c: bool| {
        let [p, q] = if c { [x[0], x[1] * x[1]] } else { [x[1], x[0]] };
        let [r, s] = if c { x } else { [x[1], x[0] * x[0]] };
        let [u, v] = if c {
            [x[1], x[0] * x[0]]
        } else {
            [x[0], x[1] * x[1]]
        };
        p * q + r * s.sin() + u * v
    };
    let x = [0.6, -1.1];
    for c in [false, true] {
        let (value, g) = destructured_branches_grad(&x, c);
        assert!(close(value, f(x, c)));
        let h = 1e-6;
        for i in 0..2 {
            let (mut up, mut down) = (x, x);
            up[i] += h;
            down[i] -= h;
            let fd = (f(up, c) - f(down, c)) / (2.0 * h);
            assert!((g[i] - fd).abs() < 1e-7, "c {c} i {i}: {} {fd}", g[i]);
        }
        let (_, t) = destructured_branches_tangent(&x, c, &[1.0, -2.0]);
        assert!(close(t, g[0] - 2.0 * g[1]));
    }
}

// ---- a local closure called in code kept as written (E0425: geometry probe) ----

/// The nearest sample, picked by a comparator that calls a local closure: the closure is
/// written out in the comparator (the macro inlines local closures and defines none).
#[grad(modes(tangent, hvp))]
fn nearest_by_closure(x: &[f64]) -> f64 {
    let f = |i: usize| x[i] * x[i];
    let k = (0..x.len()).min_by(|&a, &b| f(a).total_cmp(&f(b))).unwrap();
    f(k)
}

/// A predicate and an `if` condition kept as written, calling a closure that captures a
/// differentiated number, beside a chain that inlines it; and a closure capturing a row.
#[grad(modes(tangent, hvp))]
fn counted_by_closure(x: &[f64], s: f64) -> f64 {
    let f = |v: f64| s * v * v;
    let n = x.iter().filter(|&&v| f(v) > 0.1).count();
    if x.iter().any(|&v| f(v) > 100.0) {
        return 0.0;
    }
    for row in x.chunks(2) {
        let g = |j: usize| row[j] * s;
        let larger = (0..row.len())
            .max_by(|&a, &b| g(a).total_cmp(&g(b)))
            .unwrap();
        if larger == 1 {
            return g(1);
        }
    }
    let total: f64 = x.iter().map(|&v| f(v)).sum();
    total * n as f64
}

#[test]
fn closures_called_in_code_kept_as_written() {
    let x = [0.5, -0.2, 0.3];
    assert_eq!(
        nearest_by_closure_grad(&x),
        (0.2f64 * 0.2, vec![0.0, -0.4, 0.0])
    );
    let (v, dv) = nearest_by_closure_tangent(&x, &[1.0, 2.0, 3.0]);
    assert!(close(v, 0.04) && close(dv, -0.8));
    let (_, _, hv) = nearest_by_closure_hvp(&x, &[1.0, 2.0, 3.0]);
    assert_eq!(hv, vec![0.0, 4.0, 0.0]);
    // s = 2: f = 0.5, 0.08, 0.18, so n = 2; no row's second entry is its larger; value
    // n s |x|^2, gradient (2 n s x, n |x|^2), Hessian [[2 n s I, 2 n x], [2 n x^T, 0]].
    let (v, (g, ds)) = counted_by_closure_grad(&x, 2.0);
    assert!(close(v, 1.52) && close(ds, 0.76), "{v} {ds}");
    assert!(
        close(g[0], 4.0) && close(g[1], -1.6) && close(g[2], 2.4),
        "{g:?}"
    );
    let (_, _, (hx, hs)) = counted_by_closure_hvp(&x, 2.0, &[1.0, 0.0, 0.0], 1.0);
    assert!(
        close(hx[0], 10.0) && close(hx[1], -0.8) && close(hx[2], 1.2),
        "{hx:?}"
    );
    assert!(close(hs, 2.0), "{hs}");
    // [-0.5, 0.2]: the row's second entry is larger, so the value is g(1) = 0.2 s.
    assert_eq!(
        counted_by_closure_grad(&[-0.5, 0.2, 0.3], 2.0),
        (0.4, (vec![0.0, 2.0, 0.0], 0.2))
    );
}

// ---- a local array copied from a `const` table (geometry probe: a transform chain) ----

const IDENTITY: [[f64; 2]; 2] = [[1.0, 0.0], [0.0, 1.0]];
const ORIGIN: [f64; 2] = [0.5, 0.0];

mod tables {
    pub const WEIGHTS: [f64; 3] = [1.0, 2.0, 3.0];
}

/// Rotations multiplied onto the identity: `t` is the rotation by the sum of the angles.
#[grad(modes(tangent, hvp))]
fn rotation_chain(q: &[f64]) -> f64 {
    let mut t: [[f64; 2]; 2] = IDENTITY;
    for &th in q {
        let (s, c) = th.sin_cos();
        let a = [[c, -s], [s, c]];
        let mut next = [[0.0; 2]; 2];
        for i in 0..2 {
            for j in 0..2 {
                for k in 0..2 {
                    next[i][j] += t[i][k] * a[k][j];
                }
            }
        }
        t = next;
    }
    t[0][1] + t[1][1] * t[0][0]
}

/// A point started at a constant and moved in place.
#[grad(modes(tangent))]
fn walk_from_origin(q: &[f64]) -> f64 {
    let mut p: [f64; 2] = ORIGIN;
    for &th in q {
        p[0] += th.cos();
        p[1] += th.sin();
    }
    p[0] * p[1]
}

/// A table of `f64` data copied in a function generic over its float type stays data.
#[grad]
fn weighted_by_table<T: Float>(q: &[T]) -> T {
    let mut p = [T::zero(); 3];
    let w: [f64; 3] = tables::WEIGHTS;
    for (i, &v) in q.iter().enumerate() {
        p[i % 3] = p[i % 3] + v * T::from(w[i % 3]).unwrap();
    }
    p[0] * p[1] + p[2]
}

#[test]
fn local_arrays_copied_from_constant_tables() {
    let q = [0.3, -0.7, 1.1];
    let total: f64 = q.iter().sum();
    // -sin(T) + cos(T)^2 of the total angle T: each angle's derivative is the same.
    let (v, g) = rotation_chain_grad(&q);
    let dt = -total.cos() - 2.0 * total.cos() * total.sin();
    assert!(close(v, -total.sin() + total.cos().powi(2)), "{v}");
    assert!(g.iter().all(|&d| close(d, dt)), "{g:?}");
    let (_, dv) = rotation_chain_tangent(&q, &[1.0, 0.0, 1.0]);
    assert!(close(dv, 2.0 * dt), "{dv}");
    // Second derivative along (1, 1, 1): 3 times d2/dT2 along each direction, 9 in all.
    let d2 = total.sin() - 2.0 * (2.0 * total).cos();
    let (_, _, hv) = rotation_chain_hvp(&q, &[1.0, 1.0, 1.0]);
    assert!(hv.iter().all(|&h| close(h, 3.0 * d2)), "{hv:?}");
    // p = (0.5 + sum cos, sum sin): d/dq_i = -sin(q_i) p1 + cos(q_i) p0.
    let (p0, p1) = (
        0.5 + q.iter().map(|t| t.cos()).sum::<f64>(),
        q.iter().map(|t| t.sin()).sum::<f64>(),
    );
    let (v, g) = walk_from_origin_grad(&q);
    assert!(close(v, p0 * p1), "{v}");
    for (d, t) in g.iter().zip(q) {
        assert!(close(*d, -t.sin() * p1 + t.cos() * p0), "{g:?}");
    }
    // p = (q0 + q3, 2 q1, 3 q2): p0 p1 + p2.
    assert_eq!(
        weighted_by_table_grad(&[1.0, 2.0, 3.0, 4.0]),
        (29.0, vec![4.0, 10.0, 3.0, 4.0])
    );
}

// ---- code kept as written reading a row of a differentiated array beside a number, under
// `modes(hvp)` (E0277 `f64 * Dual<f64>`); `Option`s compared (a range taken for a loop's) ----

/// Each pair's larger entry picked by a comparator reading the row and `s`; `== Some(1)` and
/// `!= None` on what a search returns.
#[grad(modes(hvp))]
fn larger_second(x: &[f64], s: f64) -> f64 {
    let mut total = 0.0;
    for row in x.chunks(2) {
        if (0..row.len()).max_by(|&a, &b| (s * row[a]).total_cmp(&(s * row[b]))) == Some(1) {
            total += s * row[1] * row[1];
        } else if row.iter().position(|&v| v < 0.0).is_some() {
            total -= row[0];
        }
    }
    total
}

/// A local copy captured whole by the comparator.
#[grad(modes(hvp))]
fn picked_from_copy(x: &[f64], s: f64) -> f64 {
    let v = x.to_vec();
    let k = (0..v.len())
        .max_by(|&a, &b| (s * v[a]).total_cmp(&(s * v[b])))
        .unwrap();
    s * v[k] * v[k]
}

#[test]
fn rows_read_as_written_on_dual_numbers() {
    let (v, g, (hx, hs)) = picked_from_copy_hvp(&[0.5, 2.0, 1.0], 2.0, &[1.0; 3], 1.0);
    assert_eq!((v, g), (8.0, (vec![0.0, 8.0, 0.0], 4.0)));
    assert_eq!((hx, hs), (vec![0.0, 8.0, 0.0], 4.0));
    let x = [0.5, 2.0, 3.0, -1.0, 1.0];
    // Rows (0.5, 2), (3, -1), (1): s 2^2 from the first, -3 from the second.
    let (v, (g, ds)) = larger_second_grad(&x, 2.0);
    assert_eq!((v, ds), (5.0, 4.0));
    assert_eq!(g, vec![0.0, 8.0, -1.0, 0.0, 0.0]);
    // H: d2/dx1^2 = 2 s, d2/dx1 ds = 2 x1, d2/ds2 = 0.
    let (_, _, (hx, hs)) = larger_second_hvp(&x, 2.0, &[1.0; 5], 1.0);
    assert_eq!((hx, hs), (vec![0.0, 8.0, 0.0, 0.0, 0.0], 4.0));
}
