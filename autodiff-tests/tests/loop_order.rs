//! Reverse loops whose iterations commute run them forwards (no nested loop, no carried adjoint
//! but an accumulator's, every adjoint array touched only at the counter, only added into, or
//! only read), reading their tape entries oldest first and starting their induction variables
//! from the value they ended with; look-alikes whose reverse iterations depend on each other's
//! adjoints stay backwards. Packed triangles inside a loop (one per row, their running index
//! started at the row's own) keep their reverse backwards, the index the nested loop leaves
//! taped once per iteration. Every gradient is checked against central finite differences: a
//! look-alike run forwards gets a wrong one.

#![allow(
    clippy::needless_range_loop,
    clippy::manual_memcpy,
    clippy::explicit_counter_loop
)] // index loops and running counters are what is being differentiated
mod common;

use autodiff::grad;
use common::{assert_matches_fd, Rng};

/// The lower-triangular product with a running index: the inner loop's reverse reads `d_y`
/// and adds into `d_lower` at `l`, which it starts from its final value minus its steps.
#[grad]
fn triangle_running_index(lower: &[f64], x: &[f64]) -> f64 {
    let d = x.len();
    let mut y = vec![0.0; d];
    for i in 0..d {
        y[i] = x[i];
    }
    let mut l = 0;
    for i in 0..d {
        for j in i + 1..d {
            y[j] += lower[l] * x[i];
            l += 1;
        }
    }
    let mut total = 0.0;
    for j in 0..d {
        total += y[j].sin() * y[j];
    }
    total
}

/// A descending induction (`k -= 2`) and an ascending one with a step the caller gives: both
/// index reads whose adjoints are only added (and nothing is taped: the products are
/// recomputed from the loads).
#[grad(w)]
fn gathered(w: &[f64], step: usize) -> f64 {
    let n = w.len();
    let mut g = vec![0.0; n];
    let mut k = 2 * n;
    let mut m = 0;
    for i in 0..n {
        k -= 2;
        g[i] = w[k / 2] * w[i] + w[m % n] * w[m % n];
        m += step;
    }
    let mut total = 0.0;
    for i in 0..n {
        total += g[i] * g[i] * (i as f64 + 1.0);
    }
    total
}

/// A signed induction running from below zero (`j: i64`).
#[grad]
fn signed_induction(w: &[f64]) -> f64 {
    let n = w.len();
    let mut g = vec![0.0; n];
    let mut j: i64 = -3;
    for i in 0..n {
        g[i] = w[i] * (j as f64) + w[n - 1 - i] * ((j * j) as f64);
        j += 1;
    }
    let mut total = 0.0;
    for i in 0..n {
        total += g[i].tanh();
    }
    total
}

/// An accumulator in a loop whose result is not used linearly (not fused): its adjoint is the
/// same in every reverse iteration, which run forwards.
#[grad]
fn norm_times_sum(w: &[f64]) -> f64 {
    let mut sq = 0.0;
    let mut total = 1.0;
    for i in 0..w.len() {
        sq += w[i] * w[i];
        total -= w[i] * 0.5;
    }
    sq.sqrt() * total
}

/// Must stay backwards: the carried value is scaled (`s = 0.5 s + w[i]`), so its adjoint
/// halves from one reverse iteration to the next.
#[grad]
fn discounted_sum(w: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        s = 0.5 * s + w[i] * w[i];
    }
    s * s
}

/// Values taped per iteration (two: a tuple) read oldest first by an inner loop that runs
/// forwards, nested in one that runs backwards (its carried value is squashed): every outer
/// iteration's reverse reads its own entries, the last outer iteration's first.
#[grad]
fn squashed_rows(w: &[f64], rows: usize) -> f64 {
    let mut s = 0.1;
    for r in 0..rows {
        let mut row = 0.0;
        for j in 0..w.len() {
            let z = w[j] * s + r as f64 * 0.1;
            row += z.exp().ln_1p() + z.sin() * w[j];
        }
        s = (s + row).tanh();
    }
    s
}

/// Must stay backwards: a recurrence through an array, `y[i]` from `y[i - 1]`. Iteration
/// `i`'s reverse adds into `d_y[i - 1]`, which iteration `i - 1`'s reverse then reads.
#[grad]
fn recurrence_through_an_array(w: &[f64]) -> f64 {
    let n = w.len();
    let mut y = vec![0.0; n + 1];
    for i in 1..n + 1 {
        y[i] = 0.5 * y[i - 1] + w[i - 1];
    }
    let mut total = 0.0;
    for i in 0..n + 1 {
        total += y[i].sin();
    }
    total
}

/// Must stay backwards: two iterations store into the same element. The later store's
/// reverse takes the element's adjoint and zeros it, so the earlier one's gets nothing.
#[grad]
fn stores_that_overwrite(w: &[f64]) -> f64 {
    let n = w.len();
    let mut s = vec![0.0; n.div_ceil(2)];
    for i in 0..n {
        s[i / 2] = w[i].sin() * w[i];
    }
    let mut total = 0.0;
    for i in 0..s.len() {
        total += s[i] * (i as f64 + 2.0);
    }
    total
}

#[test]
fn reverse_loops_run_forwards_match_finite_differences() {
    let mut rng = Rng::new(31);
    for d in [1, 2, 3, 7] {
        let lower = rng.vec(d * (d - 1) / 2, -1.0, 1.0);
        let x = rng.vec(d, -1.0, 1.0);
        let (_, (d_lower, d_x)) = triangle_running_index_grad(&lower, &x);
        let p = [&lower[..], &x[..]].concat();
        let split = lower.len();
        let f = |p: &[f64]| triangle_running_index(&p[..split], &p[split..]);
        assert_matches_fd(&f, &p, &[d_lower, d_x].concat(), "triangle_running_index");

        for step in [0, 1, 3] {
            let (_, g) = gathered_grad(&x, step);
            assert_matches_fd(&|w| gathered(w, step), &x, &g, "gathered");
        }
        let (_, g) = signed_induction_grad(&x);
        assert_matches_fd(&|w| signed_induction(w), &x, &g, "signed_induction");
        let (_, g) = norm_times_sum_grad(&x);
        assert_matches_fd(&|w| norm_times_sum(w), &x, &g, "norm_times_sum");
        for rows in [1, 4] {
            let (_, g) = squashed_rows_grad(&x, rows);
            assert_matches_fd(&|w| squashed_rows(w, rows), &x, &g, "squashed_rows");
        }
    }
}

#[test]
fn reverse_loops_that_must_stay_backwards_match_finite_differences() {
    let mut rng = Rng::new(32);
    for n in [1, 2, 5] {
        let w = rng.vec(n, -1.0, 1.0);
        let (_, g) = recurrence_through_an_array_grad(&w);
        assert_matches_fd(&|w| recurrence_through_an_array(w), &w, &g, "recurrence");
        let (_, g) = stores_that_overwrite_grad(&w);
        assert_matches_fd(&|w| stores_that_overwrite(w), &w, &g, "overwrite");
        let (_, g) = discounted_sum_grad(&w);
        assert_matches_fd(&|w| discounted_sum(w), &w, &g, "discounted");
    }
}

/// A packed lower triangle per row, its running index started at the row's own (GMM's
/// `Q (x - mean)`): the loop over `i`, inside the loop over rows, tapes where the nested loop
/// leaves the index, which the nested loop's reverse counts back from.
#[grad(lower, x, modes(hvp))]
fn triangles_per_row(lower: &[f64], x: &[f64], d: usize) -> f64 {
    let tri = d * (d - 1) / 2;
    let mut y = vec![0.0; d];
    let mut total = 0.0;
    for r in 0..x.len() / d {
        for i in 0..d {
            y[i] = x[r * d + i];
        }
        let mut l = r * tri;
        for i in 0..d {
            let xi = x[r * d + i];
            for j in i + 1..d {
                y[j] += lower[l] * xi;
                l += 1;
            }
        }
        for j in 0..d {
            total += y[j].sin() * y[j];
        }
    }
    total
}

/// The same counted down (`l -= 1` before the read), with a value read after the nested
/// loop at the index it left.
#[grad]
fn triangles_counted_down(lower: &[f64], x: &[f64], d: usize) -> f64 {
    let tri = d * (d - 1) / 2;
    let n = lower.len();
    let mut total = 0.0;
    for r in 0..x.len() / d {
        let mut l = (r + 1) * tri;
        for i in 0..d {
            let mut s = x[r * d + i];
            for _ in i + 1..d {
                l -= 1;
                s += lower[l] * x[r * d + (l % d)];
            }
            total += s * s + lower[(l + i) % n] * s;
        }
    }
    total
}

/// A nested loop whose carried value's adjoint changes from one iteration to the next, its
/// running index stepped through the triangle.
#[grad]
fn triangles_nested_backwards(lower: &[f64], x: &[f64], d: usize) -> f64 {
    let tri = d * (d - 1) / 2;
    let mut total = 0.0;
    for r in 0..x.len() / d {
        let mut l = r * tri;
        for i in 0..d {
            let mut p = x[r * d + i];
            for _ in i + 1..d {
                p = 0.5 * p + lower[l];
                l += 1;
            }
            total += p.cos();
        }
    }
    total
}

/// A look-alike whose loop over `i` could never run its reverse forwards (each row's store
/// of `y[i]` zeroes an adjoint the nested loop's reverse of an earlier `i` adds into).
#[grad]
fn triangles_overwritten(lower: &[f64], x: &[f64], d: usize) -> f64 {
    let tri = d * (d - 1) / 2;
    let mut y = vec![0.0_f64; d];
    let mut total = 0.0;
    for r in 0..x.len() / d {
        let mut l = r * tri;
        for i in 0..d {
            y[i] = x[r * d + i] * y[i].cos();
            for j in i + 1..d {
                y[j] += lower[l] * y[i];
                l += 1;
            }
        }
        for j in 0..d {
            total += y[j] * y[j];
        }
    }
    total
}

#[test]
fn triangles_inside_loops_match_finite_differences() {
    type Objective = fn(&[f64], &[f64], usize) -> f64;
    type Gradient = fn(&[f64], &[f64], usize) -> (f64, (Vec<f64>, Vec<f64>));
    let cases: [(&str, Objective, Gradient); 4] = [
        ("per row", triangles_per_row, triangles_per_row_grad),
        (
            "counted down",
            triangles_counted_down,
            triangles_counted_down_grad,
        ),
        (
            "nested backwards",
            triangles_nested_backwards,
            triangles_nested_backwards_grad,
        ),
        (
            "overwritten",
            triangles_overwritten,
            triangles_overwritten_grad,
        ),
    ];
    let mut rng = Rng::new(33);
    for (d, rows) in [(1, 3), (2, 1), (2, 4), (3, 2), (5, 3)] {
        let lower = rng.vec(rows * d * (d - 1) / 2 + 1, -1.0, 1.0);
        let x = rng.vec(rows * d, -1.0, 1.0);
        let split = lower.len();
        let p = [&lower[..], &x[..]].concat();
        for (what, f, grad) in cases {
            let (value, (d_lower, d_x)) = grad(&lower, &x, d);
            assert_eq!(value, f(&lower, &x, d), "{what}");
            let objective = |p: &[f64]| f(&p[..split], &p[split..], d);
            assert_matches_fd(&objective, &p, &[d_lower, d_x].concat(), what);
        }
    }
}

#[test]
fn hessian_vector_products_through_triangles_inside_loops_match_finite_differences() {
    let mut rng = Rng::new(34);
    for (d, rows) in [(2, 3), (4, 2)] {
        let lower = rng.vec(rows * d * (d - 1) / 2, -1.0, 1.0);
        let x = rng.vec(rows * d, -1.0, 1.0);
        let (v_lower, v_x) = (rng.vec(lower.len(), -1.0, 1.0), rng.vec(x.len(), -1.0, 1.0));
        let (_, _, (hv_lower, hv_x)) = triangles_per_row_hvp(&lower, &x, d, &v_lower, &v_x);
        // Hv is the derivative of the gradient along v.
        let along = |t: f64| {
            let at = |p: &[f64], v: &[f64]| -> Vec<f64> {
                p.iter().zip(v).map(|(p, v)| p + t * v).collect()
            };
            let (_, (g_lower, g_x)) =
                triangles_per_row_grad(&at(&lower, &v_lower), &at(&x, &v_x), d);
            [g_lower, g_x].concat()
        };
        let h = 1e-5;
        let (plus, minus) = (along(h), along(-h));
        for (i, hv) in [hv_lower, hv_x].concat().iter().enumerate() {
            let numeric = (plus[i] - minus[i]) / (2.0 * h);
            assert!(
                (hv - numeric).abs() <= 1e-6 * (1.0 + numeric.abs()),
                "Hv[{i}] {hv} vs finite differences {numeric} (d = {d})"
            );
        }
    }
}
