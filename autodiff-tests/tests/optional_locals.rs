//! Local `Option`s of differentiated numbers: the previous value of a recursion (`let mut
//! prev: Option<f64> = None;`), a reduction kept for later (`let best = x.iter().copied()
//! .reduce(f64::max);`), a running choice reset to `None`, tested and read with `if let`,
//! `match`, `while let`, `is_some`, `unwrap`, `unwrap_or`, `map_or`, `map(..).unwrap_or(..)`.
//! Each is a flag and a number in the generated code; gradients against hand-derived ones.
//! Also the `Option`s a chain's `filter_map` keeps and `bool::then`, `then_some` make.

use autodiff::grad;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

/// Simple exponential smoothing's sum of squared one-step errors, the level starting at the
/// first observation.
#[grad(alpha, modes(tangent, hvp))]
fn smoothing_sse(alpha: f64, ys: &[f64]) -> f64 {
    let mut level: Option<f64> = None;
    let mut sse = 0.0;
    for &y in ys {
        match level {
            None => level = Some(y),
            Some(l) => {
                sse += (y - l).powi(2);
                level = Some(alpha * y + (1.0 - alpha) * l);
            }
        }
    }
    sse
}

#[test]
fn a_recursion_through_an_option_of_the_previous_level() {
    let ys = [1.0, 1.2, 0.9, 1.5, 1.4, 1.1];
    let alpha = 0.4;
    // l_t = a y_t + (1 - a) l_{t-1}: dl_t = y_t - l_{t-1} + (1 - a) dl_{t-1}.
    let (mut level, mut d_level, mut sse, mut d_sse) = (ys[0], 0.0, 0.0, 0.0);
    for &y in &ys[1..] {
        sse += (y - level) * (y - level);
        d_sse += -2.0 * (y - level) * d_level;
        d_level = y - level + (1.0 - alpha) * d_level;
        level = alpha * y + (1.0 - alpha) * level;
    }
    let (value, g) = smoothing_sse_grad(alpha, &ys);
    assert!(
        close(value, sse) && close(g, d_sse),
        "{value} {g} {sse} {d_sse}"
    );
    let (_, tangent) = smoothing_sse_tangent(alpha, &ys, 2.0, autodiff::Const);
    assert!(close(tangent, 2.0 * d_sse));
    // The second derivative against central differences of the first.
    let h = 1e-5;
    let fd =
        (smoothing_sse_grad(alpha + h, &ys).1 - smoothing_sse_grad(alpha - h, &ys).1) / (2.0 * h);
    let (_, g2, hv) = smoothing_sse_hvp(alpha, &ys, 1.0);
    assert!(close(g2, d_sse) && (hv - fd).abs() < 1e-6, "{hv} {fd}");
}

/// The previous item's sine, from the second item on (`prev = None` at first, assigned later:
/// its type comes from what is assigned).
#[grad]
fn steps_from_previous(x: &[f64]) -> f64 {
    let mut prev = None;
    let mut s = 0.0;
    for &v in x {
        if let Some(p) = prev {
            s += (v - p) * (v - p);
        }
        prev = Some(v.sin());
    }
    s
}

#[test]
fn if_let_on_the_previous_item() {
    let x: [f64; 4] = [0.3, -0.7, 1.1, 0.45];
    let mut by_hand = [0.0; 4];
    for i in 1..4 {
        let r = x[i] - x[i - 1].sin();
        by_hand[i] += 2.0 * r;
        by_hand[i - 1] -= 2.0 * r * x[i - 1].cos();
    }
    let (_, g) = steps_from_previous_grad(&x);
    assert!(
        g.iter().zip(&by_hand).all(|(a, b)| close(*a, *b)),
        "{g:?} {by_hand:?}"
    );
}

#[grad]
fn largest_squared(x: &[f64]) -> f64 {
    let best = x.iter().copied().reduce(f64::max);
    if let Some(b) = best {
        b * b
    } else {
        0.0
    }
}

#[grad]
fn norm_by_reduce(x: &[f64]) -> f64 {
    let total = x.iter().map(|v| v * v).reduce(|a, b| a + b);
    match total {
        Some(t) => t.sqrt(),
        None => 0.0,
    }
}

#[test]
fn reductions_kept_in_a_local() {
    let x = [0.3, -0.7, 1.1, 0.45];
    let (value, g) = largest_squared_grad(&x);
    assert!(close(value, 1.21) && g == vec![0.0, 0.0, 2.2, 0.0], "{g:?}");
    let (value, g) = norm_by_reduce_grad(&x);
    let norm = x.iter().map(|v| v * v).sum::<f64>().sqrt();
    assert!(close(value, norm));
    assert!(g.iter().zip(&x).all(|(g, v)| close(*g, v / norm)));
    assert_eq!(largest_squared_grad(&[]), (0.0, vec![]));
}

/// The first item, the last one doubled, an index of data, and defaults.
#[grad]
fn firsts_and_lasts(x: &[f64]) -> f64 {
    let mut first: Option<f64> = None;
    let mut last = None;
    let mut at: Option<usize> = None;
    let mut best = f64::NEG_INFINITY;
    for (i, &v) in x.iter().enumerate() {
        if first.is_none() {
            first = Some(v);
        }
        last = Some(v * 2.0);
        if v > best {
            best = v;
            at = Some(i);
        }
    }
    let weight = at.map_or(0.0, |i| i as f64 + 1.0);
    last.expect("not empty") * first.unwrap() + first.unwrap_or(1.0) + weight * best
}

#[test]
fn unwraps_and_defaults() {
    let x = [0.3, -0.7, 1.1, 0.45];
    // 2 x0 x3 + x0 + 3 x2 (the largest is at index 2).
    let (value, g) = firsts_and_lasts_grad(&x);
    assert!(close(value, 2.0 * 0.3 * 0.45 + 0.3 + 3.0 * 1.1));
    let by_hand = [2.0 * 0.45 + 1.0, 0.0, 3.0, 2.0 * 0.3];
    assert!(g.iter().zip(&by_hand).all(|(a, b)| close(*a, *b)), "{g:?}");
}

/// As the function itself does: `expect`'s message.
#[test]
#[should_panic(expected = "not empty")]
fn expect_on_none_panics_as_written() {
    firsts_and_lasts_grad(&[]);
}

/// A running sum reset to `None` by a negative item, and `map(..).unwrap_or(..)`.
#[grad]
fn running_until_negative(x: &[f64]) -> f64 {
    let mut run = Some(x[0]);
    for &v in &x[1..] {
        if v < 0.0 {
            run = None;
        } else if let Some(r) = run {
            run = Some(r + v);
        }
    }
    run.map(|r| r * r).unwrap_or(-1.0)
}

#[test]
fn an_option_reset_to_none() {
    let (value, g) = running_until_negative_grad(&[0.3, 0.7, 1.1]);
    assert!(
        close(value, 2.1 * 2.1) && g.iter().all(|d| close(*d, 4.2)),
        "{g:?}"
    );
    let (value, g) = running_until_negative_grad(&[0.3, -0.7, 1.1]);
    assert_eq!((value, g), (-1.0, vec![0.0; 3]));
}

/// `while let` on a local `Option` assigned by a branch: y = x^16 for x = 1.3 (four rounds).
#[grad]
fn squared_while_small(x: f64) -> f64 {
    let mut y = x;
    let mut next = Some(x);
    while let Some(v) = next {
        y *= v;
        next = if y < 10.0 { Some(y) } else { None };
    }
    y
}

/// `let` of a branch whose arms make `Some(..)` or `None`.
#[grad]
fn optional_from_branches(x: &[f64]) -> f64 {
    let scale = if x[0] > 0.0 { Some(x[0].exp()) } else { None };
    let second = match x.len() {
        0 | 1 => None,
        _ => Some(x[1] * 3.0),
    };
    scale.unwrap_or(2.0) * second.unwrap()
}

#[test]
fn options_from_branches_and_while_let() {
    let (value, g) = squared_while_small_grad(1.3);
    assert!(close(value, 1.3f64.powi(16)) && close(g, 16.0 * 1.3f64.powi(15)));
    let (value, g) = optional_from_branches_grad(&[0.3, 0.5]);
    let e = 0.3f64.exp();
    assert!(close(value, e * 1.5) && close(g[0], e * 1.5) && close(g[1], 3.0 * e));
    let (value, g) = optional_from_branches_grad(&[-0.3, 0.5]);
    assert!(close(value, 3.0) && g == vec![0.0, 6.0]);
}

fn or_seven(o: Option<usize>) -> usize {
    o.unwrap_or(7)
}

/// An `Option` of data (an index) kept as a flag and a number too, and rebuilt where code
/// passed through reads it whole (`at.map(..)`, `or_seven(at)`).
#[grad]
fn index_option(x: &[f64]) -> f64 {
    let mut at = None;
    for (i, &v) in x.iter().enumerate() {
        if v > 1.0 {
            at = Some(i);
        }
    }
    let doubled = at.map(|i| i * 2);
    let z = doubled.unwrap_or(0) + or_seven(at);
    x[0] * z as f64
}

#[test]
fn an_option_of_data_is_read_whole_where_passed_through() {
    assert_eq!(
        index_option_grad(&[0.5, 2.0, 0.3]),
        (1.5, vec![3.0, 0.0, 0.0])
    );
    assert_eq!(
        index_option_grad(&[0.5, 0.2, 0.3]),
        (3.5, vec![7.0, 0.0, 0.0])
    );
}

/// A 1-D Kalman filter's negative log-likelihood (a random walk seen through noise, the
/// variances on a log scale): the state, a mean and a variance, is an `Option` of a pair,
/// `None` until the first observation.
#[grad(theta)]
fn kalman_nll(theta: &[f64; 2], ys: &[f64]) -> f64 {
    let (q, r) = (theta[0].exp(), theta[1].exp());
    let mut state: Option<(f64, f64)> = None;
    let mut nll = 0.0;
    for &y in ys {
        let (m, p) = match state {
            None => (y, r),
            Some((m, p)) => {
                let predicted = p + q;
                let s = predicted + r;
                let gain = predicted / s;
                let v = y - m;
                nll += 0.5 * (s.ln() + v * v / s);
                (m + gain * v, (1.0 - gain) * predicted)
            }
        };
        state = Some((m, p));
    }
    nll
}

/// The best score so far with where it was, replaced unless a guard keeps it.
#[grad]
fn best_with_index(x: &[f64]) -> f64 {
    let mut best = None;
    for (i, &v) in x.iter().enumerate() {
        let score = v.sin();
        match best {
            Some((_, b)) if b >= score => {}
            _ => best = Some((i, score)),
        }
    }
    best.map(|(i, s)| s * (i as f64 + 1.0)).unwrap_or(0.0)
}

#[test]
fn options_of_pairs() {
    let ys = [1.0, 1.3, 0.8, 1.6, 1.2];
    for theta in [[-1.0, -0.5], [0.3, -2.0]] {
        let (value, g) = kalman_nll_grad(&theta, &ys);
        assert_eq!(value, kalman_nll(&theta, &ys));
        let f = |t: &[f64]| kalman_nll(&[t[0], t[1]], &ys);
        autodiff::gradcheck::assert_gradient(f, &theta, &g);
    }
    // The largest sine is at index 2: 3 sin(x2), and nothing else.
    let x = [0.3, -0.7, 1.1, 0.45];
    let (value, g) = best_with_index_grad(&x);
    assert_eq!(value, 3.0 * 1.1f64.sin());
    assert_eq!(g, vec![0.0, 0.0, 3.0 * 1.1f64.cos(), 0.0]);
}

/// The running mean, an `Option` assigned the value of a `match` on itself.
#[grad]
fn running_mean_squared(x: &[f64]) -> f64 {
    let mut mean: Option<f64> = None;
    for (i, &v) in x.iter().enumerate() {
        mean = Some(match mean {
            None => v,
            Some(m) => m + (v - m) / (i as f64 + 1.0),
        });
    }
    mean.expect("non-empty").powi(2)
}

/// `take()`: the previous item, taken (the `Option` is `None` after), in an `if let` and in
/// a `match`.
#[grad]
fn products_of_neighbours(x: &[f64]) -> f64 {
    let mut last: Option<f64> = None;
    let mut s = 0.0;
    for &v in x {
        if let Some(l) = last.take() {
            s += l * v;
        }
        last = Some(v);
    }
    match last.take() {
        Some(l) => s + l,
        None => s,
    }
}

#[test]
fn assigned_from_a_match_and_taken() {
    let x = [0.3, -0.7, 1.1, 0.45];
    let mean = x.iter().sum::<f64>() / 4.0;
    let (value, g) = running_mean_squared_grad(&x);
    assert!(close(value, mean * mean));
    assert!(g.iter().all(|d| close(*d, mean / 2.0)), "{g:?}");
    // x0 x1 + x1 x2 + x2 x3 + x3.
    let (value, g) = products_of_neighbours_grad(&x);
    assert!(close(value, 0.3 * -0.7 + -0.7 * 1.1 + 1.1 * 0.45 + 0.45));
    let by_hand = [-0.7, 0.3 + 1.1, -0.7 + 0.45, 1.1 + 1.0];
    assert!(g.iter().zip(&by_hand).all(|(a, b)| close(*a, *b)), "{g:?}");
}

// ----- `filter_map`, `bool::then` and `then_some` (probe, session 14: "does not support the
// iterator adaptor `filter_map`", "cannot differentiate the method `then`") -----

#[grad(modes(tangent))]
fn positive_squares(x: &[f64]) -> f64 {
    x.iter()
        .filter_map(|v| if *v > 0.0 { Some(v * v) } else { None })
        .sum()
}

#[grad]
#[allow(clippy::filter_map_bool_then)] // the shape under test
fn logs_of_positive(x: &[f64], s: f64) -> f64 {
    x.iter()
        .copied()
        .filter_map(|v| (v > 0.0).then(|| (v * s).ln()))
        .sum::<f64>()
}

#[grad]
fn kept_in_a_loop(x: &[f64]) -> f64 {
    let mut t = 0.0;
    for y in x.iter().filter_map(|v| (*v > 0.0).then_some(v * 3.0)) {
        t += y * y;
    }
    t
}

#[grad]
#[allow(clippy::obfuscated_if_else)] // the shape under test
fn log_or_zero(v: f64) -> f64 {
    let y = (v > 0.0).then(|| v.ln()).unwrap_or(0.0);
    let o = (v > 1.0).then_some(v * v);
    y * 2.0 + o.unwrap_or(1.0)
}

#[test]
fn options_of_filter_map_and_then() {
    assert_eq!(
        positive_squares_grad(&[1.0, -1.0, 2.0]),
        (5.0, vec![2.0, 0.0, 4.0])
    );
    let (_, jv) = positive_squares_tangent(&[1.0, -1.0, 2.0], &[1.0, 1.0, 1.0][..]);
    assert_eq!(jv, 6.0);
    let (value, (d_x, d_s)) = logs_of_positive_grad(&[1.0, -1.0, 2.0], 2.0);
    assert!((value - (2.0f64.ln() + 4.0f64.ln())).abs() < 1e-14);
    assert_eq!((d_x, d_s), (vec![1.0, 0.0, 0.5], 1.0));
    assert_eq!(kept_in_a_loop_grad(&[1.0, -1.0]), (9.0, vec![18.0, 0.0]));
    // v > 1: 2 ln v + v^2; 0 < v <= 1: 2 ln v + 1; v <= 0: 1.
    assert_eq!(log_or_zero_grad(2.0).1, 1.0 + 4.0);
    assert_eq!(log_or_zero_grad(0.5).1, 4.0);
    assert_eq!(log_or_zero_grad(-2.0), (1.0, 0.0));
}
