//! `if let` and `let ... else` on data: an `Option` parameter, an enum of settings, an
//! optional index. The test and the names the pattern binds are read as written; a number
//! bound through a reference (`lambda` of `&Reg`) is read by value, so that the reverse sweep
//! can keep it.

use autodiff::grad;

#[grad(x)]
fn weighted_sum(x: &[f64], weights: Option<&[f64]>) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        if let Some(w) = weights {
            s += w[i] * x[i] * x[i];
        } else {
            s += x[i];
        }
    }
    s
}

#[grad(x)]
fn clipped(x: f64, clip: Option<f64>) -> f64 {
    let mut y = x * x;
    if let Some(c) = clip {
        y = y.min(c);
    }
    y
}

enum Reg {
    None,
    L2(f64),
    Elastic { l1: f64, l2: f64 },
}

#[grad(w)]
fn regularized(w: &[f64], reg: &Reg) -> f64 {
    let mut loss: f64 = w.iter().map(|v| (v - 1.0).powi(2)).sum();
    if let Reg::L2(lambda) = reg {
        loss += lambda * w.iter().map(|v| v * v).sum::<f64>();
    } else if let Reg::Elastic { l1, l2 } = reg {
        loss +=
            l1 * w.iter().map(|v| v.abs()).sum::<f64>() + l2 * w.iter().map(|v| v * v).sum::<f64>();
    }
    loss
}

#[grad(x)]
fn picked(x: &[f64], idx: Option<usize>) -> f64 {
    let v = if let Some(i) = idx { x[i] } else { x[0] };
    v * v
}

#[test]
fn option_parameters() {
    let x = [1.0, 2.0, 3.0];
    assert_eq!(
        weighted_sum_grad(&x, Some(&[0.5, 1.0, 2.0])),
        (0.5 + 4.0 + 18.0, vec![1.0, 4.0, 12.0])
    );
    assert_eq!(weighted_sum_grad(&x, None), (6.0, vec![1.0, 1.0, 1.0]));
    assert_eq!(clipped_grad(3.0, Some(4.0)), (4.0, 0.0));
    assert_eq!(clipped_grad(1.5, Some(4.0)), (2.25, 3.0));
    assert_eq!(clipped_grad(3.0, None), (9.0, 6.0));
    assert_eq!(picked_grad(&x, Some(2)), (9.0, vec![0.0, 0.0, 6.0]));
    assert_eq!(picked_grad(&x, None), (1.0, vec![2.0, 0.0, 0.0]));
}

#[test]
fn enum_settings_bound_through_a_reference() {
    let w = [2.0, -1.0];
    assert_eq!(
        regularized_grad(&w, &Reg::None),
        (1.0 + 4.0, vec![2.0, -4.0])
    );
    assert_eq!(
        regularized_grad(&w, &Reg::L2(0.5)).1,
        vec![2.0 + 2.0, -4.0 - 1.0]
    );
    assert_eq!(
        regularized_grad(&w, &Reg::Elastic { l1: 0.1, l2: 0.5 }).1,
        vec![2.0 + 0.1 + 2.0, -4.0 - 0.1 - 1.0]
    );
}

/// `let ... else` leaving the function, and leaving a loop's iteration.
#[grad(x)]
fn scaled(x: &[f64], scale: Option<f64>) -> f64 {
    let Some(s) = scale else {
        return x.iter().sum();
    };
    x.iter().map(|v| v * s).sum::<f64>() * s
}

#[grad(w)]
fn per_item(w: &[f64], regs: &[Reg]) -> f64 {
    let mut total = 0.0;
    for (i, r) in regs.iter().enumerate() {
        let Reg::L2(lambda) = r else {
            continue;
        };
        total += lambda * w[i] * w[i];
    }
    total
}

#[test]
fn let_else_on_data() {
    assert_eq!(scaled_grad(&[1.0, 2.0], Some(2.0)), (12.0, vec![4.0, 4.0]));
    assert_eq!(scaled_grad(&[1.0, 2.0], None), (3.0, vec![1.0, 1.0]));
    let regs = [Reg::L2(0.5), Reg::None, Reg::L2(2.0)];
    assert_eq!(
        per_item_grad(&[1.0, 2.0, 3.0], &regs),
        (0.5 + 18.0, vec![1.0, 0.0, 12.0])
    );
}

/// Data a loss reads: rows, targets, optional weights and a choice of loss.
pub struct Samples {
    pub x: Vec<Vec<f64>>,
    pub y: Vec<f64>,
    pub weights: Option<Vec<f64>>,
    pub loss: Loss,
}

pub enum Loss {
    Squared,
    Huber { delta: f64 },
    Scaled(f64, f64),
}

/// `match` on data with arms that destructure it (`Some(ws)`, `Loss::Huber { delta }`,
/// `Loss::Scaled(a, b)`), tried in order as `if let`s; a row of the data zipped inside a
/// chain (`w.iter().zip(&data.x[i])`, `.zip(row)`).
#[grad(w)]
fn sample_loss(w: &[f64], data: &Samples) -> f64 {
    let mut total = 0.0;
    for (i, (row, &y)) in data.x.iter().zip(&data.y).enumerate() {
        let pred: f64 = w.iter().zip(row).map(|(w, x)| w * x).sum();
        let weight = match &data.weights {
            Some(ws) => ws[i],
            None => 1.0,
        };
        let r = pred - y;
        let l = match data.loss {
            Loss::Squared => r * r,
            Loss::Huber { delta } if r.abs() <= delta => 0.5 * r * r,
            Loss::Huber { delta } => delta * (r.abs() - 0.5 * delta),
            Loss::Scaled(a, b) => a * r * r + b,
        };
        total += weight * l;
    }
    total
}

#[test]
fn match_on_data_that_destructures_it() {
    let w = [0.5, -1.0];
    let samples = |weights: Option<Vec<f64>>, loss: Loss| Samples {
        x: vec![vec![1.0, 2.0], vec![3.0, 0.5]],
        y: vec![-1.0, 2.0],
        weights,
        loss,
    };
    // Residuals: 0.5 - 2 + 1 = -0.5 and 1.5 - 0.5 - 2 = -1.
    let (r0, r1) = (-0.5, -1.0);
    let (value, g) = sample_loss_grad(&w, &samples(None, Loss::Squared));
    assert_eq!(value, 0.25 + 1.0);
    assert_eq!(
        g,
        vec![
            2.0 * r0 * 1.0 + 2.0 * r1 * 3.0,
            2.0 * r0 * 2.0 + 2.0 * r1 * 0.5
        ]
    );
    let weights = Some(vec![2.0, 0.5]);
    let (value, g) = sample_loss_grad(&w, &samples(weights, Loss::Huber { delta: 0.75 }));
    // 2 * 0.5 * 0.25 + 0.5 * 0.75 * (1 - 0.375); d/dr: 2 * r0 (quadratic), 0.5 * -0.75 (linear).
    let d1 = 0.5 * -0.75;
    assert_eq!(value, 0.25 + 0.5 * 0.75 * 0.625);
    assert_eq!(
        g,
        vec![2.0 * r0 * 1.0 + d1 * 3.0, 2.0 * r0 * 2.0 + d1 * 0.5]
    );
    let (value, g) = sample_loss_grad(&w, &samples(None, Loss::Scaled(3.0, 1.0)));
    assert_eq!(value, 3.0 * 0.25 + 1.0 + 3.0 * 1.0 + 1.0);
    assert_eq!(
        g,
        vec![
            6.0 * r0 * 1.0 + 6.0 * r1 * 3.0,
            6.0 * r0 * 2.0 + 6.0 * r1 * 0.5
        ]
    );
}

#[grad]
fn huber(r: f64, delta: f64) -> f64 {
    if r.abs() <= delta {
        0.5 * r * r
    } else {
        delta * (r.abs() - 0.5 * delta)
    }
}

/// The numbers a data enum's variant holds passed to a `#[grad]` function's float
/// parameters, by value (`match *loss`) and behind a reference (`match loss`, `*delta`).
#[grad(w)]
fn robust_loss(w: &[f64], loss: &Loss) -> f64 {
    let r = w[0] - w[1];
    let by_value = match *loss {
        Loss::Squared => r * r,
        Loss::Huber { delta } => huber(r, delta),
        Loss::Scaled(a, b) => a * huber(r, b),
    };
    let by_reference = match loss {
        Loss::Huber { delta } => huber(2.0 * r, *delta),
        _ => 0.0,
    };
    by_value + by_reference
}

#[test]
fn numbers_of_a_data_variant_passed_to_a_call() {
    let w = [3.0, 1.0];
    // r = 2 > delta = 0.5: delta (|r| - delta / 2), slope delta per unit of r; at 2r, twice.
    let (value, g) = robust_loss_grad(&w, &Loss::Huber { delta: 0.5 });
    assert_eq!(value, 0.5 * (2.0 - 0.25) + 0.5 * (4.0 - 0.25));
    assert_eq!(g, vec![0.5 + 1.0, -(0.5 + 1.0)]);
    // a huber(r, b) with r = 2 <= b = 3: a r^2 / 2, slope a r.
    let (value, g) = robust_loss_grad(&w, &Loss::Scaled(2.0, 3.0));
    assert_eq!(value, 2.0 * 0.5 * 4.0);
    assert_eq!(g, vec![4.0, -4.0]);
}

// ----- `if let` and `match` on a reduction of a differentiated array (issue-10 probe) -----
// `if let Some(m) = x.iter().copied().reduce(f64::max)` and `match x.iter().max_by(..) {
// Some(&m) => .., None => .. }` were rejected (an `if let` on a differentiated value): the
// test is whether the reduction has a value, read as data, and the value is the reduction
// unwrapped.

#[grad]
fn largest_doubled(x: &[f64]) -> f64 {
    if let Some(m) = x.iter().copied().reduce(f64::max) {
        2.0 * m
    } else {
        -1.0
    }
}

#[grad]
fn smallest_by_magnitude(x: &[f64]) -> f64 {
    let cube = match x.iter().min_by(|a, b| a.abs().total_cmp(&b.abs())) {
        Some(&m) => m * m * m,
        None => 0.0,
    };
    // `None` first.
    cube + match x.iter().copied().max_by(|a, b| a.total_cmp(b)) {
        None => 0.0,
        Some(m) => 0.5 * m,
    }
}

#[test]
fn if_let_and_match_on_a_reduction() {
    let (value, g) = largest_doubled_grad(&[1.0, 5.0, 2.0]);
    assert_eq!((value, g), (10.0, vec![0.0, 2.0, 0.0]));
    let (value, g) = largest_doubled_grad(&[]);
    assert_eq!((value, g), (-1.0, vec![]));
    let (value, g) = smallest_by_magnitude_grad(&[3.0, -0.5, 2.0]);
    assert_eq!((value, g), (-0.125 + 1.5, vec![0.5, 0.75, 0.0]));
    let (value, g) = smallest_by_magnitude_grad(&[]);
    assert_eq!((value, g), (0.0, vec![]));
}

/// `while let` on data: indices from an iterator over a data slice, and an `Option` counted
/// down in the loop.
// `while let` on `next()` is the construct tested.
#[allow(clippy::while_let_on_iterator)]
#[grad(x)]
fn while_let_on_data(x: &[f64], order: &[usize], steps: Option<usize>) -> f64 {
    let mut it = order.iter();
    let mut s = 0.0;
    while let Some(&i) = it.next() {
        s = s * 0.5 + x[i];
    }
    let mut left = steps;
    while let Some(k) = left {
        s += x[k % x.len()] * x[0];
        left = if k == 0 { None } else { Some(k - 1) };
    }
    s
}

#[test]
fn while_let_on_data_walks_it() {
    let x = [1.0, 2.0, 3.0];
    // x2 / 2 + x0 + x1 x0 + x0 x0: order [2, 0], then k = 1, 0.
    let (value, g) = while_let_on_data_grad(&x, &[2, 0], Some(1));
    assert_eq!(value, 3.0 / 2.0 + 1.0 + 2.0 + 1.0);
    assert_eq!(g, vec![1.0 + 2.0 + 2.0, 1.0, 0.5]);
    assert_eq!(while_let_on_data_grad(&x, &[], None), (0.0, vec![0.0; 3]));
}

/// `split_first`/`split_last` of a differentiated slice tested by `if let`, `let .. else` and
/// `match`: the element and the rest where there is one (Horner's rule from the leading
/// coefficient, as polynomial code writes it).
#[grad(c, x)]
fn horner_from_last(c: &[f64], x: f64) -> f64 {
    if let Some((&last, rest)) = c.split_last() {
        let mut acc = last;
        for &a in rest.iter().rev() {
            acc = acc * x + a;
        }
        acc
    } else {
        0.0
    }
}

#[grad]
fn head_times_tail(v: &[f64]) -> f64 {
    let Some((first, rest)) = v.split_first() else {
        return 0.0;
    };
    let squares: f64 = rest.iter().map(|r| r * r).sum();
    let rest_sum = match rest.split_first() {
        Some((second, _)) => *second,
        None => 1.0,
    };
    *first * squares + rest_sum
}

#[test]
fn split_first_and_last_are_tested_and_bound() {
    let c = [1.0, 2.0, 3.0];
    let (value, (d_c, d_x)) = horner_from_last_grad(&c, 2.0);
    assert_eq!(value, 1.0 + 2.0 * 2.0 + 3.0 * 4.0);
    assert_eq!(d_c, vec![1.0, 2.0, 4.0]);
    assert_eq!(d_x, 2.0 + 2.0 * 3.0 * 2.0);
    assert_eq!(horner_from_last_grad(&[], 2.0), (0.0, (vec![], 0.0)));

    let (value, d_v) = head_times_tail_grad(&[2.0, 1.0, 3.0]);
    assert_eq!(value, 2.0 * 10.0 + 1.0);
    assert_eq!(d_v, vec![10.0, 4.0 + 1.0, 12.0]);
    let (value, d_v) = head_times_tail_grad(&[2.0]);
    assert_eq!((value, d_v), (1.0, vec![0.0]));
    assert_eq!(head_times_tail_grad(&[]), (0.0, vec![]));
}

/// Several elements that may be missing at once: `match (x.first(), x.last())` and `if let
/// (Some(a), Some(b)) = (..)` (probe, session 15: the message named `first`).
#[grad]
fn span(pts: &[f64]) -> f64 {
    match (pts.first(), pts.last()) {
        (Some(&a), Some(&b)) => b - a,
        _ => 0.0,
    }
}

#[grad]
fn first_two_product(pts: &[f64]) -> f64 {
    if let (Some(a), Some(b)) = (pts.first().copied(), pts.get(1).copied()) {
        a * b
    } else {
        1.0
    }
}

#[test]
fn several_elements_that_may_be_missing_are_tested_together() {
    assert_eq!(span_grad(&[1.0, 2.0, 4.0]), (3.0, vec![-1.0, 0.0, 1.0]));
    assert_eq!(span_grad(&[]), (0.0, vec![]));
    assert_eq!(
        first_two_product_grad(&[3.0, 2.0, 4.0]),
        (6.0, vec![2.0, 3.0, 0.0])
    );
    assert_eq!(first_two_product_grad(&[3.0]), (1.0, vec![0.0]));
}

// ----- A name bound by a pattern on data that shadows a differentiated local (probe, session
// 15: a WRONG value and gradient; `Some(x)` read the outer `x`'s value, found it
// differentiated, and was left bound to nothing, read as zero) -----

#[grad(x)]
#[allow(unused_variables, clippy::manual_unwrap_or)] // `x` only shadowed; the match as written
fn shadowing_match(x: f64, o: Option<f64>) -> f64 {
    match o {
        Some(x) => x,
        None => 1.0,
    }
}

#[grad(x)]
fn shadowing_if_let(x: f64, o: Option<f64>) -> f64 {
    let w = x * 3.0;
    let r = if let Some(w) = o { w + 1.0 } else { 0.0 };
    r * w
}

enum Penalty {
    L2(f64),
    Off,
}

#[grad(x, w)]
fn shadowing_variant(x: f64, w: f64, penalty: &Penalty, o: Option<f64>) -> f64 {
    let p = match penalty {
        Penalty::L2(x) => *x,
        Penalty::Off => 0.0,
    };
    let s = match o {
        Some(w) => w * x,
        None => w * 2.0,
    };
    p * x * x + s
}

#[test]
fn a_pattern_on_data_shadowing_a_differentiated_name_reads_the_data() {
    assert_eq!(shadowing_match_grad(0.3, Some(0.5)), (0.5, 0.0));
    assert_eq!(shadowing_match_grad(0.3, None), (1.0, 0.0));
    let (value, d_x) = shadowing_if_let_grad(0.3, Some(0.5));
    assert!((value - 1.5 * 0.9).abs() < 1e-12 && (d_x - 4.5).abs() < 1e-12);
    assert_eq!(shadowing_if_let_grad(0.3, None), (0.0, 0.0));
    let l2 = Penalty::L2(0.5);
    assert_eq!(
        shadowing_variant_grad(2.0, 5.0, &l2, Some(3.0)),
        (2.0 + 6.0, (2.0 + 3.0, 0.0))
    );
    assert_eq!(
        shadowing_variant_grad(2.0, 5.0, &Penalty::Off, None),
        (10.0, (0.0, 2.0))
    );
}

/// hydromodels' GR4J: `if let (Some(a), Some(b)) = (v.last_mut(), w.last())`, a tuple of
/// options tested at once, is the chain of its parts (it was rejected as a test on a
/// differentiated value).
#[grad]
fn last_routed(x: f64) -> f64 {
    let mut a = [0.0; 3];
    let b = [1.0, 2.0, 3.0];
    for i in 0..3 {
        a[i] = x * b[i];
    }
    if let (Some(la), Some(lb)) = (a.last_mut(), b.last()) {
        *la = *lb * x * x;
    }
    let mut pairs = 0.0;
    let (mut left, mut right) = (a.iter(), b.iter());
    while let (Some(&l), Some(&r)) = (left.next(), right.next()) {
        pairs += l * r;
    }
    a[0] + a[2] + pairs
}

#[test]
fn a_tuple_of_options_is_tested_part_by_part() {
    for x in [0.5, 2.0, -1.0] {
        let (value, d_x) = last_routed_grad(x);
        // a = [x, 2x, 3x^2]; pairs = x + 4x + 9x^2.
        assert_eq!(value, last_routed(x));
        assert!((value - (x + 3.0 * x * x + 5.0 * x + 9.0 * x * x)).abs() < 1e-12);
        assert!((d_x - (6.0 + 24.0 * x)).abs() < 1e-12);
    }
}
