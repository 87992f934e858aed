//! Hard combinations of control flow and arrays, each against finite differences on many
//! random inputs: branches that export values from inside loops, nested `while`/`for` with
//! `break` and `continue`, carried values that swap, calls on matrix rows in nested loops,
//! early returns from inner loops.
#![allow(clippy::needless_range_loop)] // index loops are what is being differentiated

mod common;

use autodiff::grad;
use common::{assert_matches_fd, Rng};
use proptest::prelude::*;

#[grad]
fn branch_values_inside_loops(x: &[f64], y: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let v = if x[i] > 0.0 {
            let e = (x[i] * y).exp();
            e * e + x[i]
        } else {
            let c = x[i].cos();
            c * y - x[i] * x[i]
        };
        s = s * 0.5 + v.tanh();
    }
    s
}

#[grad]
fn nested_while_for_break_continue(x: &[f64], w: f64) -> f64 {
    let mut acc: f64 = 0.0;
    let mut i = 0;
    while i < x.len() {
        let mut inner = x[i];
        for j in 0..3 {
            if j == 1 && x[i] < -1.0 {
                continue;
            }
            inner = inner.sin() * w + acc * 0.1;
            if inner > 2.0 {
                break;
            }
        }
        acc += inner * inner;
        i += 1;
    }
    acc
}

#[grad]
fn swapping_carried_values(a0: f64, b0: f64, steps: usize) -> f64 {
    let mut a = a0;
    let mut b = b0;
    for _ in 0..steps {
        let t = a;
        a = b * 0.9 + a.sin() * 0.1;
        b = t;
    }
    a * b
}

#[grad]
fn row_dot(row: &[f64; 3], v: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    for k in 0..3 {
        s += row[k] * v[k];
    }
    s
}

#[grad]
fn calls_on_rows_in_nested_loops(w: &[[f64; 3]; 3], x: &[f64; 3]) -> f64 {
    let mut h = [0.0; 3];
    for layer in 0..2 {
        for j in 0..3 {
            let input = if layer == 0 { x[j] } else { h[j] };
            h[j] = (row_dot(&w[j], x) + input).tanh();
        }
    }
    let mut s = 0.0;
    for j in 0..3 {
        s += h[j] * w[j][j];
    }
    s
}

#[grad]
fn early_return_from_inner_loop(x: &[f64], limit: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        for j in 0..x.len() {
            s += x[i] * x[j].sin();
            if s > limit {
                return s.sqrt() + x[i];
            }
        }
    }
    s * 0.5
}

#[grad]
fn tuple_lets_and_match_in_loop(x: &[f64], k: usize) -> f64 {
    let (mut p, mut q) = (1.0, 0.0);
    for i in 0..x.len() {
        let (a, b) = match (i + k) % 3 {
            0 => (x[i], p),
            1 => (q, x[i] * x[i]),
            _ => (p * q, x[i]),
        };
        p = a + 0.5 * b;
        q = (a * b).sin();
    }
    p + q
}

/// Guards on bindings, on a wildcard, and reading the array where the pattern matched; a
/// binding arm's name (`m`) shadows a local only inside its arm.
#[grad]
fn guarded_arms(x: &[f64], k: usize) -> f64 {
    let m = x[0] * x[0];
    let mut s = 0.0;
    for (i, &v) in x.iter().enumerate() {
        s += match (i + k) % 4 {
            0 => v * m,
            n if n < x.len() && x[n] > 0.0 => v * x[n].sqrt(),
            m if m == 2 => (v * m as f64).sin(),
            _ if v > 0.5 => v.ln(),
            _ => v.exp(),
        };
    }
    s * m
}

/// `match` on tuples: a stencil's boundary cases on `(i, j)` (or-patterns, ranges, guards,
/// a binding of the whole pair) and the signs of two differentiated values, whose arms bind
/// a float out of the tuple.
#[grad]
fn tuple_matches(x: &[f64], k: usize) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    for i in 0..n {
        for j in 0..n {
            let pair = (i, (j + k) % n);
            s += match pair {
                (0, 0) => x[0] * x[0],
                (0, _) | (_, 0) => x[i] * 0.5,
                (a, b) if a == b => x[a].sin(),
                (a, 1..=2) => x[a] * x[j] * 0.1,
                p => (x[p.0] - x[p.1]).powi(2) * 0.01,
            };
        }
        s += match (x[i] > 0.0, (x[i] * s, i % 2)) {
            (true, (v, 0)) => v.tanh(),
            (true, (v, _)) => 0.5 * v,
            (false, (_, m)) => x[i] * m as f64,
        };
    }
    s
}

/// `std::mem::swap` of two numbers and of two indices, in a branch inside a loop: the names
/// exchange values, carried through the loop like assigned ones (a `use` inside the body).
#[grad]
fn swaps_in_a_loop(x: &[f64]) -> f64 {
    use std::mem;
    let mut a = x[0];
    let mut b = x[x.len() - 1];
    let (mut i, mut j) = (0, x.len() - 1);
    for k in 0..x.len() {
        a = a * 0.5 + x[k];
        if x[k] > 0.0 {
            mem::swap(&mut a, &mut b);
            std::mem::swap(&mut i, &mut j);
        }
        b = b.sin() + x[i] * x[j];
    }
    a * b + i as f64
}

/// `break 'outer` from an inner loop.
#[grad]
fn labeled_break(w: &[f64], limit: f64) -> f64 {
    let mut s = 0.0;
    'outer: for i in 0..w.len() {
        for j in 0..w.len() {
            if s + w[i] * w[j] > limit {
                break 'outer;
            }
            s += w[i] * w[j];
        }
    }
    s
}

/// `continue 'rows` from an inner loop, and both exits of a `while` two loops down.
#[grad]
fn labeled_continue(w: &[f64]) -> f64 {
    let mut s = 0.0;
    'rows: for i in 0..w.len() {
        for j in 0..w.len() {
            if j > i {
                continue 'rows;
            }
            s += w[i] * w[j];
        }
    }
    let mut k = 0;
    'scan: while k < w.len() {
        k += 1;
        let mut r = 0;
        loop {
            for v in w {
                if *v > 0.9 {
                    continue 'scan;
                }
                if s > 4.0 {
                    break 'scan;
                }
                s += 0.25 * v * v;
            }
            r += 1;
            if r == 2 {
                break;
            }
        }
        s *= 1.0 + 0.1 * w[k - 1];
    }
    s
}

fn flat(parts: &[&[f64]]) -> Vec<f64> {
    parts.iter().flat_map(|p| p.iter().copied()).collect()
}

proptest! {
    #[test]
    fn branch_values_inside_loops_match_fd(seed in 0u64..500, n in 1usize..8) {
        let mut rng = Rng::new(seed);
        let x = rng.vec(n, -1.0, 1.0);
        prop_assume!(x.iter().all(|v| v.abs() > 1e-3));
        let y = rng.uniform(-1.0, 1.0);
        let (v, (dx, dy)) = branch_values_inside_loops_grad(&x, y);
        prop_assert_eq!(v, branch_values_inside_loops(&x, y));
        let f = |p: &[f64]| branch_values_inside_loops(&p[..n], p[n]);
        assert_matches_fd(&f, &flat(&[&x, &[y]]), &flat(&[&dx, &[dy]]), "branch values");
    }

    #[test]
    fn nested_while_for_match_fd(seed in 0u64..500, n in 1usize..6) {
        let mut rng = Rng::new(seed);
        let x = rng.vec(n, -2.0, 2.0);
        let w = rng.uniform(0.5, 1.5);
        prop_assume!(x.iter().all(|v| (v + 1.0).abs() > 1e-3));
        let (v, (dx, dw)) = nested_while_for_break_continue_grad(&x, w);
        prop_assert_eq!(v, nested_while_for_break_continue(&x, w));
        // Finite differences across the `break` threshold would see a jump.
        let f = |p: &[f64]| nested_while_for_break_continue(&p[..n], p[n]);
        let h = 1e-6;
        let point = flat(&[&x, &[w]]);
        let stable = (0..=n).all(|i| {
            let mut a = point.clone();
            let mut b = point.clone();
            a[i] += 10.0 * h;
            b[i] -= 10.0 * h;
            let (fa, fb, f0) = (f(&a), f(&b), f(&point));
            ((fa - f0) - (f0 - fb)).abs() < 1e-6 * (1.0 + f0.abs())
        });
        prop_assume!(stable);
        assert_matches_fd(&f, &point, &flat(&[&dx, &[dw]]), "nested while/for");
    }

    #[test]
    fn swapping_carried_values_match_fd(a in -1.0..1.0f64, b in -1.0..1.0f64, steps in 0usize..20) {
        let (v, (da, db)) = swapping_carried_values_grad(a, b, steps);
        prop_assert_eq!(v, swapping_carried_values(a, b, steps));
        let f = |p: &[f64]| swapping_carried_values(p[0], p[1], steps);
        assert_matches_fd(&f, &[a, b], &[da, db], "swapping carried values");
    }

    #[test]
    fn calls_on_rows_match_fd(seed in 0u64..500) {
        let mut rng = Rng::new(seed);
        let w: [[f64; 3]; 3] = std::array::from_fn(|_| std::array::from_fn(|_| rng.uniform(-1.0, 1.0)));
        let x: [f64; 3] = std::array::from_fn(|_| rng.uniform(-1.0, 1.0));
        let (v, (dw, dx)) = calls_on_rows_in_nested_loops_grad(&w, &x);
        prop_assert_eq!(v, calls_on_rows_in_nested_loops(&w, &x));
        let f = |p: &[f64]| {
            let w = [[p[0], p[1], p[2]], [p[3], p[4], p[5]], [p[6], p[7], p[8]]];
            calls_on_rows_in_nested_loops(&w, &[p[9], p[10], p[11]])
        };
        let point = flat(&[&w[0], &w[1], &w[2], &x]);
        let analytic = flat(&[&dw[0], &dw[1], &dw[2], &dx]);
        assert_matches_fd(&f, &point, &analytic, "calls on rows");
    }

    #[test]
    fn early_return_from_inner_loop_matches_fd(seed in 0u64..500, n in 1usize..6, limit in 0.1..4.0f64) {
        let mut rng = Rng::new(seed);
        let x = rng.vec(n, 0.0, 1.5);
        let (v, (dx, dl)) = early_return_from_inner_loop_grad(&x, limit);
        prop_assert_eq!(v, early_return_from_inner_loop(&x, limit));
        prop_assert_eq!(dl, 0.0);
        // Skip inputs where a partial sum sits at the threshold.
        let mut s = 0.0;
        let mut near = false;
        'outer: for i in 0..n {
            for j in 0..n {
                s += x[i] * x[j].sin();
                near |= (s - limit).abs() < 1e-4;
                if s > limit {
                    break 'outer;
                }
            }
        }
        prop_assume!(!near);
        let f = |p: &[f64]| early_return_from_inner_loop(p, limit);
        assert_matches_fd(&f, &x, &dx, "early return from inner loop");
    }

    #[test]
    fn guarded_arms_match_fd(seed in 0u64..500, n in 1usize..8, k in 0usize..4) {
        let mut rng = Rng::new(seed);
        let x = rng.vec(n, 0.05, 1.0);
        // Away from the guards' thresholds (0.5, 0.0), where the branch would change.
        prop_assume!(x.iter().all(|v| (v - 0.5).abs() > 1e-3));
        let (v, dx) = guarded_arms_grad(&x, k);
        prop_assert_eq!(v, guarded_arms(&x, k));
        let f = |p: &[f64]| guarded_arms(p, k);
        assert_matches_fd(&f, &x, &dx, "guarded arms");
    }

    #[test]
    fn tuple_matches_match_fd(seed in 0u64..500, n in 1usize..6, k in 0usize..4) {
        let mut rng = Rng::new(seed);
        let x = rng.vec(n, -1.0, 1.0);
        prop_assume!(x.iter().all(|v| v.abs() > 1e-3));
        let (v, dx) = tuple_matches_grad(&x, k);
        prop_assert_eq!(v, tuple_matches(&x, k));
        let f = |p: &[f64]| tuple_matches(p, k);
        assert_matches_fd(&f, &x, &dx, "tuple matches");
    }

    #[test]
    fn swaps_in_a_loop_match_fd(seed in 0u64..500, n in 1usize..7) {
        let mut rng = Rng::new(seed);
        let x = rng.vec(n, -1.0, 1.0);
        prop_assume!(x.iter().all(|v| v.abs() > 1e-3));
        let (v, dx) = swaps_in_a_loop_grad(&x);
        prop_assert_eq!(v, swaps_in_a_loop(&x));
        assert_matches_fd(&swaps_in_a_loop, &x, &dx, "swaps in a loop");
    }

    #[test]
    fn labeled_break_matches_fd(seed in 0u64..500, n in 1usize..6, limit in 0.1..3.0f64) {
        let mut rng = Rng::new(seed);
        let x = rng.vec(n, 0.0, 1.5);
        let (v, (dx, dl)) = labeled_break_grad(&x, limit);
        prop_assert_eq!(v, labeled_break(&x, limit));
        prop_assert_eq!(dl, 0.0);
        // Away from a threshold, where the exit would move.
        let mut s = 0.0;
        let mut near = false;
        for i in 0..n {
            for j in 0..n {
                near |= (s + x[i] * x[j] - limit).abs() < 1e-4;
                s += x[i] * x[j];
            }
        }
        prop_assume!(!near);
        let f = |p: &[f64]| labeled_break(p, limit);
        assert_matches_fd(&f, &x, &dx, "labeled break");
    }

    #[test]
    fn labeled_continue_matches_fd(seed in 0u64..500, n in 1usize..6) {
        let mut rng = Rng::new(seed);
        let x = rng.vec(n, -1.0, 1.0);
        prop_assume!(x.iter().all(|v| (v - 0.9).abs() > 1e-4));
        let (v, dx) = labeled_continue_grad(&x);
        prop_assert_eq!(v, labeled_continue(&x));
        let f = |p: &[f64]| labeled_continue(p);
        // The `s > 4.0` exit is a threshold too: skip inputs whose gradient jumps near it.
        let numeric = common::numeric_gradient(&f, &x);
        prop_assume!(numeric.iter().all(|g| g.is_finite() && g.abs() < 1e3));
        assert_matches_fd(&f, &x, &dx, "labeled continue");
    }

    #[test]
    fn tuple_lets_and_match_in_loop_match_fd(seed in 0u64..500, n in 1usize..8, k in 0usize..3) {
        let mut rng = Rng::new(seed);
        let x = rng.vec(n, -1.0, 1.0);
        let (v, dx) = tuple_lets_and_match_in_loop_grad(&x, k);
        prop_assert_eq!(v, tuple_lets_and_match_in_loop(&x, k));
        let f = |p: &[f64]| tuple_lets_and_match_in_loop(p, k);
        assert_matches_fd(&f, &x, &dx, "tuple lets and match");
    }
}

/// Closures with early `return`s, inlined as the branches they stand for: a guard in a
/// chain's closure, `else if` returns, and returns on both sides.
#[grad]
fn clipped_squares(x: &[f64]) -> f64 {
    x.iter()
        .map(|&v| {
            if v < 0.0 {
                return 0.0;
            }
            v * v
        })
        .sum()
}

#[grad]
#[allow(clippy::needless_return)] // returns on both sides, as some code writes them
fn soft_clip_pair(a: f64, b: f64) -> f64 {
    let soft = |v: f64| -> f64 {
        let s = v * 0.5;
        if s > 1.0 {
            return s.ln() + 1.0;
        } else if s < -1.0 {
            return -1.0;
        }
        let t = s * s;
        t * 0.5 + s
    };
    let magnitude = |v: f64| {
        if v > 0.0 {
            return v.sqrt();
        } else {
            return -v;
        }
    };
    soft(a) + soft(b * 3.0) * magnitude(a - b)
}

#[test]
fn closures_with_early_returns_are_inlined_as_branches() {
    let (value, d_x) = clipped_squares_grad(&[1.0, -2.0, 3.0]);
    assert_eq!(value, 10.0);
    assert_eq!(d_x, vec![2.0, 0.0, 6.0]);
    let mut rng = Rng::new(7);
    for _ in 0..50 {
        let (a, b) = (rng.uniform(-5.0, 5.0), rng.uniform(-2.0, 2.0));
        let (_, (d_a, d_b)) = soft_clip_pair_grad(a, b);
        assert_matches_fd(
            &|p| soft_clip_pair(p[0], p[1]),
            &[a, b],
            &[d_a, d_b],
            "soft clip",
        );
    }
}

/// A comparison's `Ordering` unwrapped (`x.partial_cmp(&y).unwrap()`) is data, matched or
/// compared (probe, session 15: "cannot differentiate the method `unwrap`").
#[grad]
fn by_ordering(x: f64, y: f64) -> f64 {
    let first = match x.partial_cmp(&y).unwrap() {
        std::cmp::Ordering::Less => x * y,
        _ => y,
    };
    let greater = x.partial_cmp(&y).expect("no NaN") == std::cmp::Ordering::Greater;
    first + if greater { x * x } else { 0.0 }
}

#[test]
fn an_unwrapped_ordering_is_data() {
    assert_eq!(by_ordering_grad(1.0, 2.0), (2.0, (2.0, 1.0)));
    assert_eq!(by_ordering_grad(3.0, 2.0), (11.0, (6.0, 1.0)));
}

// ----- an index found in a range by a test on differentiated values (probe) -----
// `let Some(k) = (0..n).find(|&i| x[i] > 0.0) else { .. }` was rejected as a fallible call;
// the index is data however the test reads `x`.

#[grad(modes(tangent, hvp))]
fn first_positive_squared(x: &[f64; 3]) -> f64 {
    let Some(k) = (0..3).find(|&i| x[i] > 0.0) else {
        return 0.0;
    };
    x[k] * x[k]
}

#[grad(modes(tangent, hvp))]
fn last_negative_cubed(x: &[f64; 3]) -> f64 {
    if let Some(k) = (0..3).rev().find(|&i| x[i] < 0.0) {
        x[k].powi(3)
    } else {
        x[0]
    }
}

#[test]
fn indices_found_in_ranges() {
    assert_eq!(
        first_positive_squared_grad(&[-1.0, 2.0, 3.0]),
        (4.0, [0.0, 4.0, 0.0])
    );
    assert_eq!(
        first_positive_squared_grad(&[-1.0, -2.0, -3.0]),
        (0.0, [0.0; 3])
    );
    assert_eq!(
        last_negative_cubed_hvp(&[-1.0, 2.0, -3.0], &[0.0, 0.0, 1.0]),
        (-27.0, [0.0, 0.0, 27.0], [0.0, 0.0, -18.0])
    );
    assert_eq!(
        last_negative_cubed_grad(&[1.0, 2.0, 3.0]),
        (1.0, [1.0, 0.0, 0.0])
    );
    assert_eq!(
        first_positive_squared_tangent(&[-1.0, 2.0, 3.0], &[0.0, 1.0, 1.0]),
        (4.0, 4.0)
    );
}

// ---- a function's tail with a branch that panics (optimization probe: argmin's rosenbrock_2d) ----

/// `else { panic!(..); }`, the `;` written: the branch leaves, and the tail is the other's value.
#[grad(param)]
fn rosenbrock_2d(param: &[f64], a: f64, b: f64) -> f64 {
    if let [x, y] = *param {
        (a - x).powi(2) + b * (y - x.powi(2)).powi(2)
    } else {
        panic!("rosenbrock_2d only works for a parameter vector with two values.");
    }
}

/// A `match` on slice patterns whose last arm is `unreachable!()`.
#[grad(modes(hvp))]
fn rosenbrock_matched(p: &[f64]) -> f64 {
    match p {
        [x, y] => (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2),
        _ => unreachable!(),
    }
}

#[test]
fn tails_with_a_branch_that_panics() {
    // f(1.5, 2) = 0.25 + 6.25; df/dx = -2 (1 - x) - 400 x (y - x^2), df/dy = 200 (y - x^2).
    assert_eq!(
        rosenbrock_2d_grad(&[1.5, 2.0], 1.0, 100.0),
        (6.5, vec![151.0, -50.0])
    );
    let (v, g, hv) = rosenbrock_matched_hvp(&[1.5, 2.0], &[1.0, 0.0]);
    assert_eq!((v, g), (6.5, vec![151.0, -50.0]));
    // d2f/dx2 = 2 - 400 (y - x^2) + 800 x^2, d2f/dxdy = -400 x.
    assert_eq!(hv, vec![2.0 + 100.0 + 1800.0, -600.0]);
    assert!(std::panic::catch_unwind(|| rosenbrock_2d_grad(&[1.0], 1.0, 100.0)).is_err());
}
