//! Vectors whose length the values decide: pushes in branches, at several places of a loop,
//! after `continue` or before `break`, in a loop over a `filter`, and chains that skip items
//! collected (`filter`, `filter_map`, `take_while`). Outlier removal, censored samples and
//! peak picking are written this way. And recursions that start a vector before the loop
//! (`vec![h0]`, `s.push(v0);`) and read what they pushed so far (`h[t - 1]`, `len()`,
//! `last().unwrap()`): GARCH variances, exponentially weighted moving averages; and pushes
//! after the loop (a run-length encoding's last run), of values a branch accumulates
//! (event areas) or a slice pattern binds (`match c { [a, .., b] => s.push(b - a), .. }`).
//! Each gradient
//! against central differences at random inputs whose kept items change from draw to draw.

mod common;

use autodiff::grad;
use common::{assert_matches_fd, Rng};

/// The mean of twice the items above `t`: a push in a branch.
#[grad]
fn kept_mean(x: &[f64], t: f64) -> f64 {
    let mut kept = Vec::new();
    for &v in x {
        if v > t {
            kept.push(v * 2.0);
        }
    }
    kept.iter().sum::<f64>() / kept.len() as f64
}

/// Two vectors, one per branch, each read afterwards with its own length.
#[grad]
fn split_at_threshold(x: &[f64], t: f64) -> f64 {
    let mut low = Vec::new();
    let mut high = Vec::new();
    for &v in x.iter() {
        if v < t {
            low.push(v * v);
        } else {
            high.push(v.sin());
        }
    }
    low.iter().sum::<f64>() * 2.0 + high.iter().map(|h| h * t).sum::<f64>()
}

/// Pushes in `match` arms, twice in one: the vector is made at twice the trip count, and
/// each item's position depends on the pushes before it.
#[grad]
fn pushed_by_arm(x: &[f64]) -> f64 {
    let mut out: Vec<f64> = Vec::with_capacity(x.len());
    for (i, v) in x.iter().enumerate() {
        match i % 3 {
            0 => out.push(*v),
            1 => {
                out.push(v * 2.0);
                out.push(v * 3.0);
            }
            _ => {}
        }
    }
    out.iter()
        .enumerate()
        .map(|(k, o)| o * (k as f64 + 1.0))
        .sum()
}

/// `continue` skips an item, `break` ends the loop: a push after either.
#[grad]
fn product_until_large(x: &[f64]) -> f64 {
    let mut roots = vec![];
    for i in 0..x.len() {
        if x[i] < 0.0 {
            continue;
        }
        if x[i] > 10.0 {
            break;
        }
        roots.push(x[i].sqrt() * x[0]);
    }
    roots.iter().product()
}

/// A loop over a `filter` that pushes every item it sees.
#[grad]
fn mean_square_above_half(x: &[f64]) -> f64 {
    let mut squares = Vec::new();
    for v in x.iter().filter(|v| **v > 0.5) {
        squares.push(v * v);
    }
    let n = squares.len() as f64;
    squares.iter().sum::<f64>() / n
}

/// The logs of the positive items, returned: the result's length is the values' choice.
#[grad]
fn logs_of_positives(x: &[f64]) -> Vec<f64> {
    let mut out = Vec::new();
    for &v in x {
        if v > 0.0 {
            out.push(v.ln());
        }
    }
    out
}

/// Chains that skip items, collected.
#[grad]
fn filtered_collects(x: &[f64]) -> f64 {
    let positive: Vec<f64> = x.iter().copied().filter(|v| *v > 0.0).collect();
    let logs: Vec<f64> = x
        .iter()
        .filter_map(|&v| if v > 0.0 { Some(v.ln()) } else { None })
        .collect();
    let leading = x
        .iter()
        .copied()
        .take_while(|v| *v < 5.0)
        .collect::<Vec<f64>>();
    positive.iter().map(|v| v.sqrt()).sum::<f64>()
        + logs.iter().sum::<f64>()
        + leading.iter().map(|v| v * v).sum::<f64>()
}

/// Points in a half-plane, kept as rows.
#[grad]
fn kept_points(pts: &[[f64; 2]]) -> f64 {
    let kept: Vec<[f64; 2]> = pts.iter().copied().filter(|p| p[0] + p[1] > 0.0).collect();
    kept.iter().map(|p| p[0] * p[1]).sum()
}

/// A chain that skips items collected as the function's result.
#[grad]
fn positive_squares(x: &[f64]) -> Vec<f64> {
    x.iter().filter(|v| **v > 0.0).map(|v| v * v).collect()
}

/// A running sum collected until it passes 10 (`scan`'s `None` ends the chain).
#[grad]
fn running_sums_below_ten(x: &[f64]) -> f64 {
    let sums: Vec<f64> = x
        .iter()
        .scan(0.0, |s, &v| {
            *s += v;
            if *s > 10.0 {
                None
            } else {
                Some(*s)
            }
        })
        .collect();
    sums.iter().map(|c| c * c).sum()
}

/// Rows pushed whole in a branch: a vector of pairs of increasing neighbours.
#[grad]
fn rising_pairs(x: &[f64]) -> f64 {
    let mut pairs = Vec::new();
    for w in x.windows(2) {
        if w[0] < w[1] {
            pairs.push([w[0], w[1] * 2.0]);
        }
    }
    pairs.iter().map(|p| p[0] * p[1]).sum()
}

/// Indices pushed in a branch: data, kept as written, then read to index.
#[allow(clippy::needless_range_loop)]
#[grad]
fn squares_at_positives(x: &[f64]) -> f64 {
    let mut picked = Vec::new();
    for i in 0..x.len() {
        if x[i] > 0.0 {
            picked.push(i);
        }
    }
    picked.iter().map(|&i| x[i] * x[i]).sum()
}

/// GARCH(1, 1)'s Gaussian log-likelihood: the variances start at the unconditional one,
/// each from the one before (Tsay's R code, as Rust ports write it).
#[grad]
fn garch_log_likelihood(r: &[f64], omega: f64, alpha: f64, beta: f64) -> f64 {
    let h1 = omega / (1.0 - alpha - beta);
    let mut h = vec![h1];
    for t in 1..r.len() {
        let ht = omega + alpha * r[t - 1] * r[t - 1] + beta * h[t - 1];
        h.push(ht);
    }
    h.iter()
        .zip(r)
        .map(|(hv, rv)| -0.5 * (hv.ln() + rv * rv / hv))
        .sum()
}

/// An EWMA volatility (a volatility crate's `ewma_variance`, summed): the first value pushed
/// before the loop, then changed (the pushed copy keeps its value); the loop reads the last
/// one pushed and how many there are.
#[grad]
fn ewma_volatility(x: &[f64], lambda: f64) -> f64 {
    let mut var = x[0] * x[0];
    let mut sigma2 = Vec::with_capacity(x.len());
    sigma2.push(var);
    var *= 0.5;
    for xi in &x[1..] {
        let previous = *sigma2.last().unwrap();
        var = lambda * previous + (1.0 - lambda) * xi * xi + var / sigma2.len() as f64;
        if !sigma2.is_empty() {
            sigma2.push(var);
        }
    }
    sigma2.iter().map(|v| v.sqrt()).sum()
}

/// The areas of the positive runs, each pushed when a non-positive sample ends it, the last
/// one after the loop (event segmentation).
#[grad]
fn run_areas(x: &[f64]) -> f64 {
    let mut areas = Vec::new();
    let mut area = 0.0;
    for &v in x {
        if v > 0.0 {
            area += v;
        } else {
            areas.push(area);
            area = 0.0;
        }
    }
    areas.push(area);
    areas.iter().map(|a| a * a).sum()
}

/// Each chunk's rise, from a slice pattern's ends.
#[allow(clippy::single_match)]
#[grad]
fn chunk_rises(x: &[f64]) -> f64 {
    let mut rises = Vec::new();
    for c in x.chunks(3) {
        match c {
            [a, .., b] => rises.push(b - a),
            _ => {}
        }
    }
    rises.iter().map(|d| d * d).sum()
}

/// The first sample, the large jumps' ends, and two values after the loop.
#[grad]
fn jump_ends(x: &[f64]) -> Vec<f64> {
    let mut out = vec![x[0]];
    for w in x.windows(2) {
        if (w[1] - w[0]).abs() > 0.5 {
            out.push(w[1]);
        }
    }
    let last = x[x.len() - 1] * 2.0;
    out.push(last);
    out.push(last + 1.0);
    out
}

/// The pullback of `f`, whose result's length the values decide, along the weights 1, 2, ..
/// of that length: the value it returns, and the derivatives it adds against central
/// differences of the weighted sum (at `x`, the same items kept).
fn assert_pullback(
    f: impl Fn(&[f64]) -> Vec<f64>,
    adjoint: impl Fn(&[f64], &[f64], &mut [f64]) -> Vec<f64>,
    x: &[f64],
    what: &str,
) {
    let value = f(x);
    let weights: Vec<f64> = (0..value.len()).map(|k| k as f64 + 1.0).collect();
    let mut d_x = vec![0.0; x.len()];
    assert_eq!(adjoint(x, &weights, &mut d_x), value);
    let weighted = |x: &[f64]| -> f64 { f(x).iter().zip(&weights).map(|(v, w)| v * w).sum() };
    assert_matches_fd(&weighted, x, &d_x, what);
}

fn draws(seed: u64) -> Vec<Vec<f64>> {
    let mut rng = Rng::new(seed);
    (0..25).map(|_| rng.vec(7, -3.0, 12.0)).collect()
}

#[test]
fn a_push_in_a_branch() {
    for x in draws(1) {
        let t = 1.0;
        if !x.iter().any(|&v| v > t) {
            continue;
        }
        let (value, (d_x, d_t)) = kept_mean_grad(&x, t);
        assert_eq!(value, kept_mean(&x, t));
        assert_matches_fd(&|x| kept_mean(x, t), &x, &d_x, "kept_mean");
        assert_eq!(d_t, 0.0);
    }
}

#[test]
fn pushes_in_both_branches_and_in_match_arms() {
    for x in draws(2) {
        let (value, (d_x, d_t)) = split_at_threshold_grad(&x, 1.5);
        assert_eq!(value, split_at_threshold(&x, 1.5));
        assert_matches_fd(&|x| split_at_threshold(x, 1.5), &x, &d_x, "split");
        let high: f64 = x.iter().filter(|&&v| v >= 1.5).map(|v| v.sin()).sum();
        assert!((d_t - high).abs() < 1e-12, "{d_t} vs {high}");
        let (value, d_x) = pushed_by_arm_grad(&x);
        assert_eq!(value, pushed_by_arm(&x));
        assert_matches_fd(&pushed_by_arm, &x, &d_x, "pushed_by_arm");
    }
}

#[test]
fn pushes_after_continue_and_before_break() {
    for x in draws(3) {
        let (value, d_x) = product_until_large_grad(&x);
        assert_eq!(value, product_until_large(&x));
        assert_matches_fd(&product_until_large, &x, &d_x, "product_until_large");
        let (value, d_x) = mean_square_above_half_grad(&x);
        assert_eq!(value.to_bits(), mean_square_above_half(&x).to_bits());
        assert_matches_fd(&mean_square_above_half, &x, &d_x, "filter loop");
    }
}

#[test]
fn a_returned_vector_of_the_kept_items() {
    for x in draws(4) {
        assert_pullback(
            logs_of_positives,
            |x, w, d| logs_of_positives_adjoint(x, w, d),
            &x,
            "logs_of_positives",
        );
    }
}

#[test]
fn chains_that_skip_items_collected() {
    for x in draws(5) {
        let (value, d_x) = filtered_collects_grad(&x);
        assert_eq!(value, filtered_collects(&x));
        assert_matches_fd(&filtered_collects, &x, &d_x, "filtered_collects");
    }
}

#[test]
fn rows_a_filter_keeps_collected() {
    let pts = [[1.0, 2.0], [-3.0, 1.0], [2.0, 0.5]];
    assert_eq!(
        kept_points_grad(&pts),
        (3.0, vec![[2.0, 1.0], [0.0, 0.0], [0.5, 2.0]])
    );
}

#[test]
fn a_filtered_result_and_a_scan_that_stops() {
    for x in draws(7) {
        let value = positive_squares(&x);
        let weights: Vec<f64> = (0..value.len()).map(|k| 1.0 - 0.1 * k as f64).collect();
        let mut d_x = vec![0.0; x.len()];
        assert_eq!(positive_squares_adjoint(&x, &weights, &mut d_x[..]), value);
        let expected: Vec<f64> = x
            .iter()
            .scan(0, |kept, &v| {
                let d = if v > 0.0 {
                    2.0 * v * weights[*kept]
                } else {
                    0.0
                };
                *kept += usize::from(v > 0.0);
                Some(d)
            })
            .collect();
        assert_eq!(d_x, expected);
        let (value, d_x) = running_sums_below_ten_grad(&x);
        assert_eq!(value, running_sums_below_ten(&x));
        assert_matches_fd(&running_sums_below_ten, &x, &d_x, "scan until");
    }
}

#[test]
fn recursions_started_before_the_loop() {
    let mut rng = Rng::new(8);
    for _ in 0..20 {
        let r = rng.vec(9, -0.4, 0.4);
        let p = [
            rng.uniform(0.01, 0.1),
            rng.uniform(0.05, 0.2),
            rng.uniform(0.5, 0.7),
        ];
        let (value, (d_r, d_omega, d_alpha, d_beta)) =
            garch_log_likelihood_grad(&r, p[0], p[1], p[2]);
        assert_eq!(value, garch_log_likelihood(&r, p[0], p[1], p[2]));
        assert_matches_fd(
            &|r| garch_log_likelihood(r, p[0], p[1], p[2]),
            &r,
            &d_r,
            "d_r",
        );
        assert_matches_fd(
            &|p| garch_log_likelihood(&r, p[0], p[1], p[2]),
            &p,
            &[d_omega, d_alpha, d_beta],
            "garch parameters",
        );
        let lambda = rng.uniform(0.8, 0.97);
        let (value, (d_x, d_lambda)) = ewma_volatility_grad(&r, lambda);
        assert_eq!(value, ewma_volatility(&r, lambda));
        assert_matches_fd(&|x| ewma_volatility(x, lambda), &r, &d_x, "ewma");
        assert_matches_fd(
            &|l| ewma_volatility(&r, l[0]),
            &[lambda],
            &[d_lambda],
            "ewma lambda",
        );
    }
}

#[test]
fn pushes_of_accumulated_and_pattern_values_and_after_the_loop() {
    for x in draws(9) {
        let (value, d_x) = run_areas_grad(&x);
        assert_eq!(value, run_areas(&x));
        assert_matches_fd(&run_areas, &x, &d_x, "run_areas");
        let (value, d_x) = chunk_rises_grad(&x);
        assert_eq!(value, chunk_rises(&x));
        assert_matches_fd(&chunk_rises, &x, &d_x, "chunk_rises");
        assert_pullback(
            jump_ends,
            |x, w, d| jump_ends_adjoint(x, w, d),
            &x,
            "jump_ends",
        );
    }
}

#[test]
fn rows_and_indices_pushed_in_branches() {
    for x in draws(6) {
        let (value, d_x) = rising_pairs_grad(&x);
        assert_eq!(value, rising_pairs(&x));
        assert_matches_fd(&rising_pairs, &x, &d_x, "rising_pairs");
        let (value, d_x) = squares_at_positives_grad(&x);
        assert_eq!(value, squares_at_positives(&x));
        let expected: Vec<f64> = x
            .iter()
            .map(|&v| if v > 0.0 { 2.0 * v } else { 0.0 })
            .collect();
        assert_eq!(d_x, expected);
    }
}
