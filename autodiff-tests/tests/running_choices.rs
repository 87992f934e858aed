//! Running choices: a loop-carried float that each iteration keeps or replaces by a value
//! computed from the counter (`m = m.max(x[i])`, `if x[i] > best { best = x[i] }`). The loop
//! keeps the counter of the value it took last and computes that value again after the loop,
//! so the gradient reaches that element alone, with nothing taped per iteration (see
//! `allocations.rs` for the tape that is no longer there). Checked against central finite
//! differences, hand-derived gradients, the tangent and Hessian-vector modes, and the value
//! of the function itself on NaN, infinities and ties; look-alikes that are not running
//! choices must stay right too.

#![allow(clippy::needless_range_loop)] // index loops are what is being differentiated
mod common;

use autodiff::grad;
use common::{assert_matches_fd, Rng};
use num_traits::Float;

/// A running maximum by `f64::max`, squared: the gradient is `2 max` at the maximum's index.
#[grad(modes(tangent, hvp))]
fn max_squared(x: &[f64]) -> f64 {
    let mut m = x[0];
    for i in 1..x.len() {
        m = m.max(x[i]);
    }
    m * m
}

/// A running minimum with the element as the receiver (`x[i].min(m)`).
#[grad]
fn min_element_first(x: &[f64]) -> f64 {
    let mut m = f64::INFINITY;
    for i in 0..x.len() {
        m = x[i].min(m);
    }
    m.sin()
}

/// ADBench's `arr_max`: the branch form, the running value compared in the condition.
#[grad]
fn arr_max(x: &[f64]) -> f64 {
    let mut m = x[0];
    for i in 1..x.len() {
        if m < x[i] {
            m = x[i];
        }
    }
    m
}

/// The branch form with the element in the `else` arm (a running minimum).
#[grad]
fn min_in_else(x: &[f64]) -> f64 {
    let mut best = x[0];
    for i in 1..x.len() {
        best = if x[i] >= best { best } else { x[i] };
    }
    best * best * best
}

/// The value taken is computed from the counter and from a differentiated value defined
/// before the loop (`scale`): both get their share at the iteration taken last.
#[grad]
fn widest_pair(x: &[f64], scale: f64) -> f64 {
    let mut widest = 0.0;
    for i in 0..x.len() / 2 {
        widest = widest.max(scale * (x[2 * i] - x[2 * i + 1]).abs());
    }
    widest.exp()
}

/// A log-sum-exp whose shift is a running maximum, read again by the next loop: the shift's
/// derivative cancels, whichever element it reaches.
#[grad]
fn log_sum_exp(x: &[f64]) -> f64 {
    let mut mx = x[0];
    for i in 1..x.len() {
        mx = mx.max(x[i]);
    }
    let mut s = 0.0;
    for i in 0..x.len() {
        s += (x[i] - mx).exp();
    }
    s.ln() + mx
}

/// A running maximum over the rows of a matrix, nested in the loop over rows and summed per
/// row: each row's maximum reaches its own element.
#[grad(w)]
fn row_maxima(a: &[[f64; 3]], w: &[f64]) -> f64 {
    let mut total = 0.0;
    for r in 0..a.len() {
        let mut m = a[r][0] * w[0];
        for c in 1..3 {
            m = m.max(a[r][c] * w[c]);
        }
        total += m * m;
    }
    total
}

/// Generic over the float type.
#[grad]
fn generic_max<T: Float>(x: &[T]) -> T {
    let mut m = x[0];
    for i in 1..x.len() {
        m = m.max(x[i]);
    }
    m * m
}

/// Through adaptors: every other element from the back. The counter of `1..n` never reaches
/// `n`, which marks "none taken"; `..=` ranges reach their end and keep a flag instead.
#[grad]
fn max_every_other_from_the_back(x: &[f64]) -> f64 {
    let mut m = x[0];
    for i in (1..x.len()).rev().step_by(2) {
        m = m.max(x[i]);
    }
    m * m
}

/// An inclusive range, whose counter takes its end.
#[grad]
fn min_through_inclusive_end(x: &[f64]) -> f64 {
    let mut m = x[0].sin();
    for i in 1..=x.len() - 1 {
        let v = x[i].sin();
        if v < m {
            m = v;
        }
    }
    m * 3.0
}

/// Not a running choice: the running value is read besides the choice (`s += m`), so every
/// iteration's value matters.
#[grad]
fn running_max_summed(x: &[f64]) -> f64 {
    let mut m = x[0];
    let mut s = 0.0;
    for i in 0..x.len() {
        m = m.max(x[i]);
        s += m * x[i];
    }
    s
}

/// Not a running choice: the value taken is carried (a running sum), not computed from the
/// counter.
#[grad]
fn max_of_prefix_sums(x: &[f64]) -> f64 {
    let mut m = f64::NEG_INFINITY;
    let mut sum = 0.0;
    for i in 0..x.len() {
        sum += x[i];
        m = m.max(sum);
    }
    m * 2.0
}

/// Not a running choice: the array the value is read from is written in the loop.
#[grad]
fn max_of_written(x: &[f64]) -> f64 {
    let mut y = vec![0.0; x.len()];
    let mut m = f64::NEG_INFINITY;
    for i in 0..x.len() {
        y[i] = x[i].sin();
        m = m.max(y[i]);
    }
    m + y[0]
}

/// The index of the largest element: the first when several tie, as `m.max(x[i])` keeps the
/// running value on a tie.
fn argmax(x: &[f64]) -> usize {
    let mut at = 0;
    for i in 1..x.len() {
        if x[i] > x[at] {
            at = i;
        }
    }
    at
}

#[test]
fn running_choices_match_finite_differences() {
    let mut rng = Rng::new(71);
    for n in [1, 2, 5, 40] {
        for _ in 0..4 {
            let x = rng.vec(n, -2.0, 2.0);
            let (_, g) = max_squared_grad(&x);
            assert_matches_fd(&|x| max_squared(x), &x, &g, "max_squared");
            let (_, g) = min_element_first_grad(&x);
            assert_matches_fd(&|x| min_element_first(x), &x, &g, "min_element_first");
            let (_, g) = arr_max_grad(&x);
            assert_matches_fd(&|x| arr_max(x), &x, &g, "arr_max");
            let (_, g) = min_in_else_grad(&x);
            assert_matches_fd(&|x| min_in_else(x), &x, &g, "min_in_else");
            let (_, g) = log_sum_exp_grad(&x);
            assert_matches_fd(&|x| log_sum_exp(x), &x, &g, "log_sum_exp");
            let (_, g) = generic_max_grad(&x);
            assert_matches_fd(&|x| generic_max(x), &x, &g, "generic_max");
            let (_, g) = running_max_summed_grad(&x);
            assert_matches_fd(&|x| running_max_summed(x), &x, &g, "running_max_summed");
            let (_, g) = max_of_prefix_sums_grad(&x);
            assert_matches_fd(&|x| max_of_prefix_sums(x), &x, &g, "max_of_prefix_sums");
            let (_, g) = max_of_written_grad(&x);
            assert_matches_fd(&|x| max_of_written(x), &x, &g, "max_of_written");
            let (_, g) = max_every_other_from_the_back_grad(&x);
            let f = |x: &[f64]| max_every_other_from_the_back(x);
            assert_matches_fd(&f, &x, &g, "max_every_other_from_the_back");
            let (_, g) = min_through_inclusive_end_grad(&x);
            let f = |x: &[f64]| min_through_inclusive_end(x);
            assert_matches_fd(&f, &x, &g, "min_through_inclusive_end");

            let scale = rng.uniform(0.5, 1.5);
            let (_, (d_x, d_scale)) = widest_pair_grad(&x, scale);
            let p = [&x[..], &[scale]].concat();
            let f = |p: &[f64]| widest_pair(&p[..n], p[n]);
            assert_matches_fd(&f, &p, &[d_x, vec![d_scale]].concat(), "widest_pair");

            let rows: Vec<[f64; 3]> = (0..n)
                .map(|_| [rng.next_f64(), rng.next_f64(), rng.next_f64()])
                .collect();
            let w = rng.vec(3, 0.5, 1.5);
            let (_, d_w) = row_maxima_grad(&rows, &w);
            assert_matches_fd(&|w| row_maxima(&rows, w), &w, &d_w, "row_maxima");
        }
    }
}

#[test]
fn the_gradient_reaches_the_element_taken_last_alone() {
    let mut rng = Rng::new(72);
    for n in [1, 3, 17] {
        let x = rng.vec(n, -3.0, 3.0);
        let at = argmax(&x);
        let (value, g) = max_squared_grad(&x);
        assert_eq!(value, x[at] * x[at]);
        let mut expected = vec![0.0; n];
        expected[at] = 2.0 * x[at];
        assert_eq!(g, expected);
        let (_, g) = arr_max_grad(&x);
        expected[at] = 1.0;
        assert_eq!(g, expected);
    }
    // Ties follow the first argument: `m.max(x[i])` keeps the running value, so the first of
    // the tied elements gets the gradient.
    let (_, g) = max_squared_grad(&[1.0, 3.0, 3.0, -2.0]);
    assert_eq!(g, [0.0, 6.0, 0.0, 0.0]);
    // No element replaces the start: its gradient goes to `x[0]`.
    let (_, g) = arr_max_grad(&[5.0, 1.0, 2.0]);
    assert_eq!(g, [1.0, 0.0, 0.0]);
    // The loop visits x[4] and x[2].
    let (_, g) = max_every_other_from_the_back_grad(&[5.0, 1.0, 2.0, 7.0, 4.0]);
    assert_eq!(g, [10.0, 0.0, 0.0, 0.0, 0.0], "x[3] is skipped, x[0] stays");
    let (_, g) = max_every_other_from_the_back_grad(&[5.0, 1.0, 9.0, 7.0, 4.0]);
    assert_eq!(g, [0.0, 0.0, 18.0, 0.0, 0.0]);
    let (_, g) = min_through_inclusive_end_grad(&[0.5, 0.25, -1.0]);
    assert_eq!(
        g,
        [0.0, 0.0, 3.0 * (-1.0f64).cos()],
        "the end itself is taken"
    );
    let (_, g) = min_through_inclusive_end_grad(&[-1.0, 0.25, 1.0]);
    assert_eq!(g, [3.0 * (-1.0f64).cos(), 0.0, 0.0]);
    // A tie follows the first argument: `x[i].min(m)` takes the later of two equal minima.
    let (_, g) = min_element_first_grad(&[0.5, -0.25, -0.25]);
    assert_eq!(g, [0.0, 0.0, (-0.25f64).cos()]);
    // `min_element_first` starts from a constant; one element is always taken.
    let (value, g) = min_element_first_grad(&[0.5, -0.25, 0.75]);
    assert_eq!(value, (-0.25f64).sin());
    assert_eq!(g, [0.0, (-0.25f64).cos(), 0.0]);
}

#[test]
fn values_on_nan_and_infinities_are_the_functions_own() {
    let nan = f64::NAN;
    let inf = f64::INFINITY;
    let inputs: [&[f64]; 7] = [
        &[nan, 1.0, 2.0],
        &[1.0, nan, 0.5],
        &[nan, nan],
        &[-inf, 3.0],
        &[inf, 3.0, inf],
        &[2.0, -inf],
        &[0.0, -0.0, 1.0],
    ];
    let same = |plain: f64, grad: f64| {
        plain.to_bits() == grad.to_bits() || (plain.is_nan() && grad.is_nan())
    };
    for x in inputs {
        // The branch forms choose exactly as the function does.
        for (plain, grad) in [
            (arr_max(x), arr_max_grad(x).0),
            (min_in_else(x), min_in_else_grad(x).0),
        ] {
            assert!(same(plain, grad), "{plain} vs {grad} at {x:?}");
        }
        // `f64::max` and `min` leave the sign of the result of `0.0` against `-0.0`
        // unspecified: a zero of either sign is theirs.
        for (plain, grad) in [
            (max_squared(x), max_squared_grad(x).0),
            (min_element_first(x), min_element_first_grad(x).0),
            (log_sum_exp(x), log_sum_exp_grad(x).0),
        ] {
            assert!(
                same(plain, grad) || (plain == 0.0 && grad == 0.0),
                "{plain} vs {grad} at {x:?}"
            );
        }
    }
}

#[test]
fn tangent_and_hessian_vector_modes_agree_with_the_gradient() {
    let mut rng = Rng::new(73);
    for n in [1, 4, 9] {
        let x = rng.vec(n, -2.0, 2.0);
        let v = rng.vec(n, -1.0, 1.0);
        let (_, g) = max_squared_grad(&x);
        let (_, tangent) = max_squared_tangent(&x, &v);
        let dot: f64 = g.iter().zip(&v).map(|(a, b)| a * b).sum();
        assert!((tangent - dot).abs() < 1e-12, "{tangent} vs {dot}");
        // The Hessian of max² is 2 e_k e_kᵀ at the maximum's index k.
        let at = argmax(&x);
        let (_, _, hv) = max_squared_hvp(&x, &v);
        let mut expected = vec![0.0; n];
        expected[at] = 2.0 * v[at];
        assert_eq!(hv, expected);
    }
}

// ----- `max_by`, `min_by` and `reduce` after a `filter` (probe, session 14: "write the loop
// out") -----

/// Multiclass hinge loss: the largest score of another class.
#[grad]
fn hinge(scores: &[f64], label: usize) -> f64 {
    let best_other = scores
        .iter()
        .copied()
        .enumerate()
        .filter(|&(i, _)| i != label)
        .map(|(_, v)| v)
        .max_by(|a, b| a.partial_cmp(b).unwrap())
        .unwrap();
    (1.0 + best_other - scores[label]).max(0.0)
}

#[grad]
fn smallest_positive(x: &[f64]) -> f64 {
    x.iter()
        .copied()
        .filter(|v| *v > 0.0)
        .min_by(|a, b| a.total_cmp(b))
        .unwrap()
        * 2.0
}

#[grad]
fn product_of_large(x: &[f64]) -> f64 {
    x.iter()
        .map(|v| v * 2.0)
        .filter(|v| v.abs() > 1.0)
        .reduce(|a, b| a * b)
        .unwrap()
}

#[test]
fn choices_after_a_filter() {
    let s = [0.5, 2.0, 1.5, -1.0];
    assert_eq!(hinge_grad(&s, 1), (0.5, vec![0.0, -1.0, 1.0, 0.0]));
    assert_eq!(hinge_grad(&s, 0), (2.5, vec![-1.0, 1.0, 0.0, 0.0]));
    // Ties: `max_by` keeps the last of the equal scores.
    assert_eq!(hinge_grad(&[1.0, 0.0, 1.0], 1).1, vec![0.0, -1.0, 1.0]);
    assert_eq!(smallest_positive_grad(&s), (1.0, vec![2.0, 0.0, 0.0, 0.0]));
    let (value, g) = product_of_large_grad(&s);
    assert_eq!(value, 4.0 * 3.0 * -2.0);
    assert_eq!(
        g,
        vec![0.0, 2.0 * 3.0 * -2.0, 4.0 * 2.0 * -2.0, 4.0 * 3.0 * 2.0]
    );
    // Nothing kept: the `unwrap` panics, as on the function itself.
    assert!(std::panic::catch_unwind(|| smallest_positive_grad(&[-1.0, -2.0])).is_err());
    let mut rng = Rng::new(73);
    for n in [2, 5, 12] {
        let x = rng.vec(n, -2.0, 2.0);
        let (_, g) = hinge_grad(&x, n / 2);
        assert_matches_fd(&|x| hinge(x, n / 2), &x, &g, "hinge");
        let x: Vec<f64> = x.iter().map(|v| v.abs() + 0.1).collect();
        let (_, g) = smallest_positive_grad(&x);
        assert_matches_fd(&|x| smallest_positive(x), &x, &g, "smallest_positive");
        let (_, g) = product_of_large_grad(&x);
        assert_matches_fd(&|x| product_of_large(x), &x, &g, "product_of_large");
    }
}

/// The same with a default where the filter keeps nothing (`unwrap_or`).
#[grad]
fn largest_positive_or(x: &[f64], fallback: f64) -> f64 {
    x.iter()
        .copied()
        .filter(|v| *v > 0.0)
        .max_by(|a, b| a.total_cmp(b))
        .unwrap_or(fallback)
}

#[grad]
fn smallest_large_square(x: &[f64]) -> f64 {
    x.iter()
        .map(|v| v * v)
        .filter(|v| *v > 1.0)
        .reduce(f64::min)
        .unwrap_or(1.0)
}

#[test]
fn choices_after_a_filter_with_a_default() {
    let s = [0.5, 2.0, 1.5, -1.0];
    assert_eq!(
        largest_positive_or_grad(&s, 7.0),
        (2.0, (vec![0.0, 1.0, 0.0, 0.0], 0.0))
    );
    assert_eq!(
        largest_positive_or_grad(&[-1.0, -2.0], 7.0),
        (7.0, (vec![0.0, 0.0], 1.0))
    );
    assert_eq!(
        smallest_large_square_grad(&[0.5, 2.0, -1.5]),
        (2.25, vec![0.0, 0.0, -3.0])
    );
    assert_eq!(smallest_large_square_grad(&[0.5]), (1.0, vec![0.0]));
}
