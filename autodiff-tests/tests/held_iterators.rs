//! Iterators kept in a local and used later: `it.next().unwrap()` takes the next element, and
//! the iterator used whole afterwards (`for v in it`, `it.fold(..)`, `it.map(..).sum()`) is the
//! rest of the array. Single items of a chain (`.find(p)`, `.last()`, `.nth(k)`, then
//! `.unwrap()`, `.expect(..)` or `.unwrap_or(d)`) are the loop that finds them. Checked against
//! hand-derived gradients and central differences.

use autodiff::gradcheck::assert_gradient;
use autodiff::{grad, Params};

/// The first element, then the running maximum of the rest folded onto it.
#[grad]
fn first_then_max(x: &[f64]) -> f64 {
    let mut it = x.iter();
    let first = *it.next().unwrap();
    it.fold(first, |m, &v| m.max(v)) + first
}

/// Two values taken from a copying iterator, the rest squared and summed.
#[grad]
fn head_and_tail(x: &[f64]) -> f64 {
    let mut it = x.iter().copied();
    let a = it.next().unwrap();
    let b = it.next().expect("two values");
    let rest: f64 = it.map(|v| v * v).sum();
    a * b + rest
}

/// A bias taken first, the weights after it zipped with the inputs in a `for` loop.
#[grad(w)]
fn biased_dot(w: &[f64], x: &[f64]) -> f64 {
    let mut it = w.iter();
    let bias = *it.next().unwrap();
    let mut s = bias;
    for (v, xi) in it.zip(x) {
        s += v * xi;
    }
    s.tanh()
}

/// The next element taken inside a loop, the counter moving with each iteration.
#[grad]
fn pairs(x: &[f64]) -> f64 {
    let mut it = x.iter();
    let mut s = 0.0;
    for _ in 0..x.len() / 2 {
        let a = *it.next().unwrap();
        let b = *it.next().unwrap();
        s += a.sin() * b;
    }
    s
}

#[derive(Clone, Debug, PartialEq, Params)]
struct Line {
    coef: Vec<f64>,
}

impl Line {
    /// An intercept and slopes from one field, held in a local.
    #[grad(self)]
    fn eval(&self, x: &[f64]) -> f64 {
        let mut it = self.coef.iter();
        let intercept = *it.next().unwrap();
        intercept + it.zip(x).map(|(c, xi)| c * xi).sum::<f64>()
    }

    /// The same written with a slice of the field (`self.coef[1..].iter()`).
    #[grad(self)]
    fn sliced(&self, x: &[f64]) -> f64 {
        self.coef[0]
            + self.coef[1..]
                .iter()
                .zip(x)
                .map(|(c, xi)| c * xi)
                .sum::<f64>()
    }
}

fn points() -> Vec<Vec<f64>> {
    (0..8)
        .map(|s| {
            (0..7)
                .map(|i| ((s * 7 + i) as f64 * 0.73).sin() * 1.5)
                .collect()
        })
        .collect()
}

#[test]
fn first_element_then_the_rest() {
    let x = [0.5, -1.0, 2.0, 1.5, 2.0];
    let (value, d_x) = first_then_max_grad(&x);
    assert_eq!(value, 2.5);
    // The maximum is the first 2.0 (a later equal one does not replace it), plus `first`.
    assert_eq!(d_x, vec![1.0, 0.0, 1.0, 0.0, 0.0]);
    for x in points() {
        let (value, d_x) = first_then_max_grad(&x);
        assert_eq!(value, first_then_max(&x));
        assert_gradient(|x: &[f64]| first_then_max(x), &x, &d_x);
        let (value, d_x) = head_and_tail_grad(&x);
        assert_eq!(value, head_and_tail(&x));
        assert_gradient(|x: &[f64]| head_and_tail(x), &x, &d_x);
        let (value, d_x) = pairs_grad(&x);
        assert_eq!(value, pairs(&x));
        assert_gradient(|x: &[f64]| pairs(x), &x, &d_x);
    }
}

#[test]
fn head_and_tail_by_hand() {
    let x = [2.0, 3.0, 1.0, -4.0];
    let (value, d_x) = head_and_tail_grad(&x);
    assert_eq!(value, 6.0 + 1.0 + 16.0);
    assert_eq!(d_x, vec![3.0, 2.0, 2.0, -8.0]);
}

#[test]
fn a_bias_then_weights_and_a_models_field() {
    let x = [0.3, -0.7, 1.1];
    for p in points() {
        let w = &p[..4];
        let (value, d_w) = biased_dot_grad(w, &x);
        assert_eq!(value, biased_dot(w, &x));
        assert_gradient(|w: &[f64]| biased_dot(w, &x), w, &d_w);
        let line = Line { coef: w.to_vec() };
        let (value, d_line) = line.eval_grad(&x);
        assert_eq!(value, line.eval(&x));
        // d/d intercept = 1, d/d slope i = x[i].
        assert_eq!(d_line.coef, vec![1.0, 0.3, -0.7, 1.1]);
        assert_eq!(line.sliced_grad(&x), (line.eval(&x), d_line));
    }
}

#[test]
#[should_panic]
fn an_exhausted_iterator_panics_as_its_unwrap_does() {
    let _ = head_and_tail_grad(&[1.0]);
}

/// Elements taken from iterators where they are made: `nth`, `last`, `next` (as code that
/// clippy would have written with `get` does).
#[allow(clippy::iter_nth, clippy::iter_next_slice)]
#[grad]
fn picked(x: &[f64]) -> f64 {
    let second = *x.iter().nth(1).unwrap();
    let last = x.iter().copied().last().unwrap();
    let first = *x.iter().next().expect("an element");
    second * last + first.sin()
}

#[test]
fn elements_picked_from_iterators_made_in_place() {
    let x = [0.5, -2.0, 1.5, 3.0];
    let (value, d_x) = picked_grad(&x);
    assert_eq!(value, -6.0 + 0.5f64.sin());
    assert_eq!(d_x, vec![0.5f64.cos(), 3.0, 0.0, -2.0]);
    for x in points() {
        let (_, d_x) = picked_grad(&x);
        assert_gradient(|x: &[f64]| picked(x), &x, &d_x);
    }
}

/// A damped sum over the elements, taken round by round with `while let`, stopped early by a
/// large negative element.
// `while let` on `next()` is the construct tested.
#[allow(clippy::while_let_on_iterator)]
#[grad]
fn while_let_elements(x: &[f64]) -> f64 {
    let mut it = x.iter();
    let mut s = 0.0;
    while let Some(&v) = it.next() {
        if v < -5.0 {
            break;
        }
        s = s * 0.5 + v * v;
    }
    s
}

/// The first element, then the rest round by round from a copying iterator, skipping the
/// large ones with `continue`.
// `while let` on `next()` is the construct tested.
#[allow(clippy::while_let_on_iterator)]
#[grad]
fn while_let_copied(x: &[f64]) -> f64 {
    let mut it = x.iter().copied();
    let first = it.next().unwrap();
    let mut s = first;
    while let Some(v) = it.next() {
        if v > 2.0 {
            continue;
        }
        s = s.max(v) + v.sin();
    }
    s
}

/// `Some(v)` of an iterator of references: `v` read as the reference would be (`v * v`,
/// `*v`, `v.sin()`).
// `while let` on `next()` is the construct tested.
#[allow(clippy::while_let_on_iterator)]
#[grad]
fn while_let_references(x: &[f64]) -> f64 {
    let mut it = x.iter();
    let mut s = 0.0;
    while let Some(v) = it.next() {
        s += v * v + v.sin() * *v;
    }
    s
}

#[test]
fn while_let_takes_the_next_element() {
    // s = ((x0^2 / 2 + x1^2) / 2 + x2^2): d/dx_i = 2 x_i / 2^(2 - i).
    let x = [0.5, -1.5, 2.0];
    let (value, g) = while_let_elements_grad(&x);
    assert_eq!(value, ((0.25 / 2.0 + 2.25) / 2.0) + 4.0);
    assert_eq!(g, vec![0.25, -1.5, 4.0]);
    // Stopped at -7: what follows it is never read.
    let (value, g) = while_let_elements_grad(&[1.0, -7.0, 3.0]);
    assert_eq!((value, g), (1.0, vec![2.0, 0.0, 0.0]));
    for x in [
        [0.3, -1.2, 0.7, 2.1, -0.4, 0.9],
        [1.0, 0.5, 3.0, -0.2, -6.0, 0.1],
    ] {
        let (_, d_x) = while_let_elements_grad(&x);
        assert_gradient(|x: &[f64]| while_let_elements(x), &x, &d_x);
        let (_, d_x) = while_let_copied_grad(&x);
        assert_gradient(|x: &[f64]| while_let_copied(x), &x, &d_x);
        // d/dv (v^2 + v sin v) = 2 v + sin v + v cos v.
        let (_, d_x) = while_let_references_grad(&x);
        for (d, v) in d_x.iter().zip(x) {
            assert!((d - (2.0 * v + v.sin() + v * v.cos())).abs() < 1e-14);
        }
    }
}

// ----- single items of a chain (probe, session 14: "iterates a differentiated array .. but
// not this way") -----

#[grad(modes(tangent))]
fn first_above_one(x: &[f64], s: f64) -> f64 {
    x.iter().map(|v| v * s).find(|v| *v > 1.0).unwrap_or(s) * 2.0
}

#[grad]
fn first_positive(x: &[f64], s: f64) -> f64 {
    x.iter().find(|&&v| v > 0.0).copied().unwrap_or(s) * s
}

#[grad]
#[allow(clippy::double_ended_iterator_last)] // `.last()` is the shape under test
fn third_and_last(x: &[f64], s: f64) -> f64 {
    let third = x.iter().map(|v| v * s).nth(2).expect("three items");
    let last_product = x
        .iter()
        .zip(x.iter().skip(1))
        .map(|(a, b)| a * b)
        .last()
        .unwrap();
    third + last_product
}

#[test]
fn single_items_of_a_chain() {
    let x = [0.5, 2.0, -1.0, 3.0];
    // The second item, 2 s, is the first above one.
    assert_eq!(
        first_above_one_grad(&x, 1.0),
        (4.0, (vec![0.0, 2.0, 0.0, 0.0], 4.0))
    );
    let (_, jv) = first_above_one_tangent(&x, 1.0, &[0.0; 4][..], 1.0);
    assert_eq!(jv, 4.0);
    // None is: the default, s.
    assert_eq!(
        first_above_one_grad(&[0.1, 0.2], 1.0),
        (2.0, (vec![0.0, 0.0], 2.0))
    );
    assert_eq!(
        first_positive_grad(&[-1.0, 2.0, 3.0], 3.0),
        (6.0, (vec![0.0, 3.0, 0.0], 2.0))
    );
    assert_eq!(first_positive_grad(&[-1.0], 3.0), (9.0, (vec![0.0], 6.0)));
    // x[2] s + x[2] x[3].
    let (value, (d_x, d_s)) = third_and_last_grad(&x, 2.0);
    assert_eq!(value, -2.0 - 3.0);
    assert_eq!((d_x, d_s), (vec![0.0, 0.0, 2.0 + 3.0, -1.0], -1.0));
    for (x, s) in [
        (vec![0.3, -0.7, 1.9, 0.4, -1.2], 0.8),
        (vec![2.0, 1.5, 0.25], -1.5),
    ] {
        let (_, (d_x, _)) = third_and_last_grad(&x, s);
        assert_gradient(|x: &[f64]| third_and_last(x, s), &x, &d_x);
        let (_, (d_x, _)) = first_above_one_grad(&x, s);
        assert_gradient(|x: &[f64]| first_above_one(x, s), &x, &d_x);
    }
    let short = std::panic::catch_unwind(|| third_and_last_grad(&[1.0, 2.0], 1.0));
    assert!(
        short.is_err(),
        "fewer than three items panic, as `expect` does"
    );
}

// ----- `match` and `if let` on the next element (statrs, probe) -----
// statrs's `Statistics::variance` takes its first element with `match iter.next() { None =>
// return f64::NAN, Some(x) => *x }` and goes on with `for x in iter`; its `max` folds the rest
// onto it in the arm: three errors each (one of them about `if let`). Now the element is taken
// while the counter is in the array.

/// statrs's `variance`, as its crate writes it.
#[grad]
fn statrs_variance(x: &[f64]) -> f64 {
    let mut iter = x.iter();
    let mut sum = match iter.next() {
        None => return f64::NAN,
        Some(x) => *x,
    };
    let mut i = 1.0;
    let mut variance = 0.0;
    for x in iter {
        i += 1.0;
        let diff = i * x - sum;
        sum += x;
        variance += diff * diff / (i * (i - 1.0))
    }
    if i > 1.0 {
        variance / (i - 1.0)
    } else {
        f64::NAN
    }
}

/// statrs's `max`: the `Some(x)` arm hides the array `x` that the rest of the iterator reads.
#[grad]
fn statrs_max(x: &[f64]) -> f64 {
    let mut iter = x.iter();
    match iter.next() {
        None => f64::NAN,
        Some(x) => iter.fold(*x, |acc, x| if *x > acc { *x } else { acc }),
    }
}

#[grad]
fn doubled_head_then_squares(x: &[f64]) -> f64 {
    let mut it = x.iter().copied();
    let head = if let Some(v) = it.next() {
        v * 2.0
    } else {
        0.0
    };
    head + it.map(|v| v * v).sum::<f64>()
}

#[test]
fn match_and_if_let_on_the_next_element() {
    let samples: [&[f64]; 4] = [
        &[1.5],
        &[1.0, 2.5],
        &[1.0, 2.5, 4.0, -3.0],
        &[0.5, -1.0, 2.0],
    ];
    for x in samples {
        let (value, g) = statrs_variance_grad(x);
        if x.len() > 1 {
            assert_eq!(value, statrs_variance(x));
            assert_gradient(|x: &[f64]| statrs_variance(x), x, &g);
        } else {
            assert!(value.is_nan());
        }
        let (value, g) = doubled_head_then_squares_grad(x);
        assert_eq!(value, doubled_head_then_squares(x));
        assert_gradient(|x: &[f64]| doubled_head_then_squares(x), x, &g);
    }
    assert_eq!(
        statrs_max_grad(&[1.0, 4.0, 2.0]),
        (4.0, vec![0.0, 1.0, 0.0])
    );
    assert_eq!(statrs_max_grad(&[5.0, 4.0]), (5.0, vec![1.0, 0.0]));
    assert!(statrs_max_grad(&[]).0.is_nan());
    assert!(statrs_variance_grad(&[]).0.is_nan());
    assert_eq!(doubled_head_then_squares_grad(&[]), (0.0, vec![]));
}

// ---- a lazy chain kept in a local, used once (signal probe: a decimation loss) ----

/// Block means of `x`, compared with a target: the chain `means` is made in one statement and
/// consumed in the next.
#[grad(x, modes(tangent))]
fn decimation_loss(x: &[f64], target: &[f64], factor: usize) -> f64 {
    let means = x
        .chunks(factor)
        .map(|c| c.iter().sum::<f64>() / c.len() as f64);
    means.zip(target).map(|(m, t)| (m - t).powi(2)).sum()
}

/// Pairs kept in a local and iterated by a `for` loop; a scale read by the chain, not written
/// after it.
#[grad(x, y)]
fn scaled_pairs(x: &[f64], y: &[f64], s: f64) -> f64 {
    let pairs = x.iter().zip(y).map(|(a, b)| s * a * b);
    let mut total = 0.0;
    for p in pairs {
        total += p * p;
    }
    total
}

#[test]
fn lazy_chains_kept_in_locals() {
    // means (1.5, 3.5) against (0, 1): 1.5^2 + 2.5^2; each x gets 2 (m - t) / 2.
    let x = [1.0, 2.0, 3.0, 4.0];
    assert_eq!(
        decimation_loss_grad(&x, &[0.0, 1.0], 2),
        (8.5, vec![1.5, 1.5, 2.5, 2.5])
    );
    let (_, dv) =
        decimation_loss_tangent(&x, &[0.0, 1.0], 2, &[1.0, 0.0, 0.0, 1.0], autodiff::Const);
    assert_eq!(dv, 1.5 + 2.5);
    let (x, y) = ([0.5, -1.0, 2.0], [1.5, 0.25, -0.5]);
    let (_, (dx, dy)) = scaled_pairs_grad(&x, &y, 2.0);
    let f = |p: &[f64]| scaled_pairs(&p[..3], &p[3..], 2.0);
    assert_gradient(f, &[x, y].concat(), &[dx, dy].concat());
}
