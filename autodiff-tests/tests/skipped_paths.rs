//! Values that an iteration left by `continue`/`break`, or a function left by an early
//! `return`, never computes: the generated code still names them on that path, with a
//! placeholder of their own type. Censored likelihoods branch on an event flag after
//! skipping invalid times (`if t <= 0.0 { continue; }` then `if events[i]`); a volatility
//! estimator guards short inputs, then zips two slices of a collected vector.

mod common;

use autodiff::grad;
use common::{assert_matches_fd, Rng};

/// A `bool` read from a data slice, after a `continue`: a `bool` placeholder, not `0`.
#[grad]
fn censored_log_likelihood(times: &[f64], events: &[bool], rate: f64) -> f64 {
    let mut ll = 0.0;
    for i in 0..times.len() {
        let t = times[i];
        if t <= 0.0 {
            continue;
        }
        if events[i] {
            ll += rate.ln() - rate * t;
        } else {
            ll -= rate * t;
        }
    }
    ll
}

/// The same from a local vector of flags, in a `while` loop, the flag bound first.
#[grad]
fn flagged_in_a_while(x: &[f64]) -> f64 {
    let mut large = vec![false; x.len()];
    for i in 0..x.len() {
        large[i] = x[i] > 1.0;
    }
    let (mut s, mut i) = (0.0, 0);
    while i < x.len() {
        i += 1;
        if x[i - 1] < 0.0 {
            continue;
        }
        let flag = large[i - 1];
        if flag {
            s += x[i - 1] * x[i - 1];
        } else {
            s -= x[i - 1];
        }
    }
    s
}

/// Rows of flags, left by a labelled `break`.
#[allow(clippy::needless_range_loop)]
#[grad]
fn weighted_until_large(x: &[f64], mask: &[[bool; 2]]) -> f64 {
    let mut s = 0.0;
    'rows: for i in 0..x.len() {
        for j in 0..2 {
            if x[i] > 5.0 {
                break 'rows;
            }
            if mask[i][j] {
                s += x[i] * (j as f64 + 1.0);
            }
        }
    }
    s
}

/// Roll's spread estimator (a volatility crate, verbatim but for the name): lengths after
/// the guard are integers (`m - 1` of a collected vector's `len()`), whose placeholders
/// on the guard's path are `0`, not `0.0`.
#[grad]
fn lag_one_covariance(prices: &[f64]) -> f64 {
    let n = prices.len();
    if n < 3 {
        return 0.0;
    }
    let dp: Vec<f64> = prices.windows(2).map(|w| w[1] - w[0]).collect();
    let m = dp.len();
    let mean_dp: f64 = dp.iter().sum::<f64>() / m as f64;
    let cov: f64 = dp[..m - 1]
        .iter()
        .zip(dp[1..].iter())
        .map(|(a, b)| (a - mean_dp) * (b - mean_dp))
        .sum::<f64>()
        / (m - 1) as f64;
    cov
}

#[test]
fn a_flag_read_after_continue() {
    let mut rng = Rng::new(11);
    for _ in 0..20 {
        let times = rng.vec(8, -1.0, 4.0);
        let events: Vec<bool> = (0..8).map(|_| rng.below(2) == 1).collect();
        let rate = rng.uniform(0.2, 3.0);
        let (value, (d_times, d_rate)) = censored_log_likelihood_grad(&times, &events, rate);
        assert_eq!(value, censored_log_likelihood(&times, &events, rate));
        let mut expected = (0.0, vec![0.0; 8]);
        for (i, &t) in times.iter().enumerate().filter(|(_, &t)| t > 0.0) {
            expected.0 += if events[i] { 1.0 / rate } else { 0.0 } - t;
            expected.1[i] = -rate;
        }
        assert!(
            (d_rate - expected.0).abs() < 1e-12,
            "{d_rate} vs {}",
            expected.0
        );
        assert_eq!(d_times, expected.1);
    }
}

#[test]
fn local_flags_and_rows_of_flags() {
    let mut rng = Rng::new(12);
    for _ in 0..20 {
        let x = rng.vec(6, -2.0, 7.0);
        let (value, d_x) = flagged_in_a_while_grad(&x);
        assert_eq!(value, flagged_in_a_while(&x));
        assert_matches_fd(&flagged_in_a_while, &x, &d_x, "flagged_in_a_while");
        let mask: Vec<[bool; 2]> = (0..6)
            .map(|_| [rng.below(2) == 1, rng.below(2) == 1])
            .collect();
        let (value, d_x) = weighted_until_large_grad(&x, &mask);
        assert_eq!(value, weighted_until_large(&x, &mask));
        assert_matches_fd(
            &|x| weighted_until_large(x, &mask),
            &x,
            &d_x,
            "weighted_until_large",
        );
    }
}

#[test]
fn integer_lengths_after_a_guard() {
    assert_eq!(lag_one_covariance_grad(&[1.0, 2.0]), (0.0, vec![0.0; 2]));
    let mut rng = Rng::new(13);
    for _ in 0..20 {
        let prices = rng.vec(9, 95.0, 105.0);
        let (value, d_prices) = lag_one_covariance_grad(&prices);
        assert_eq!(value, lag_one_covariance(&prices));
        assert_matches_fd(&lag_one_covariance, &prices, &d_prices, "roll");
    }
}
