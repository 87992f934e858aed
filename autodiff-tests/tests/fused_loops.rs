//! Accumulation loops whose reverse runs inside their forward sweep (the code after the loop
//! is linear in the accumulators), and look-alikes that must not be fused: every gradient
//! checked against central finite differences on random inputs.

#![allow(clippy::needless_range_loop)] // index loops are what is being differentiated
mod common;

use autodiff::{grad, Const};
use common::{assert_close, assert_matches_fd, Rng};

/// The extended Rosenbrock function: one fused pass over the pairs.
#[grad]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut total = 0.0;
    for i in 0..x.len() / 2 {
        let a = x[2 * i];
        let b = x[2 * i + 1];
        total += 100.0 * (b - a * a).powi(2) + (1.0 - a).powi(2);
    }
    total
}

/// A mean over examples with an inner loop per example, scaled after the loop by a value
/// computed after it (hoisted before the fused loop).
#[grad(w, b)]
fn mean_logistic(w: &[f64], b: f64, xs: &[f64], ys: &[f64]) -> f64 {
    let d = w.len();
    let n = ys.len();
    let mut total = 0.0;
    for i in 0..n {
        let mut z = b;
        for j in 0..d {
            z += w[j] * xs[i * d + j];
        }
        total += z.max(0.0) - z * ys[i] + (-z.abs()).exp().ln_1p();
    }
    let count = n as f64;
    total / count
}

/// Two accumulators, one updated in a branch, one subtracted from, mixed linearly after.
#[grad]
#[allow(clippy::assign_op_pattern)] // both spellings of an accumulation are fused
fn two_sums(x: &[f64], c: f64) -> f64 {
    let mut pos = 0.0;
    let mut all = 1.0;
    for i in 0..x.len() {
        if x[i] > 0.0 {
            pos = pos + x[i] * x[i] * c;
        }
        all -= (x[i] * c).sin();
    }
    let half = 0.5 * c;
    3.0 - 2.0 * pos + all * half - (pos - all) / c
}

/// A scratch array declared before the loop, overwritten whole in every iteration before it
/// is read, then passed to a function (ADBench's GMM writes its main term so).
#[grad]
fn log_sum_exp(v: &[f64]) -> f64 {
    let mut mx = v[0];
    for i in 1..v.len() {
        mx = mx.max(v[i]);
    }
    let mut s = 0.0;
    for i in 0..v.len() {
        s += (v[i] - mx).exp();
    }
    s.ln() + mx
}

#[grad(centers, scales)]
fn mixture(centers: &[f64], scales: &[f64], points: &[f64]) -> f64 {
    let k = centers.len();
    let mut term = vec![0.0; k];
    let mut total = 0.0;
    for p in 0..points.len() {
        for j in 0..k {
            let r = (points[p] - centers[j]) * scales[j];
            term[j] = scales[j].ln() - 0.5 * r * r;
        }
        total += log_sum_exp(&term);
    }
    -total
}

/// Looks fused but is not: the scratch array keeps a value from the previous iteration.
#[grad]
fn carries_through_scratch(x: &[f64]) -> f64 {
    let mut last = [0.0; 2];
    let mut total = 0.0;
    for i in 0..x.len() {
        last[1] = last[0] * x[i];
        last[0] = x[i].sin();
        total += last[0] + last[1];
    }
    total
}

/// Looks fused but is not: the result is not linear in the accumulator.
#[grad]
fn log_of_sum(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * x[i];
    }
    (1.0 + s).ln()
}

/// Looks fused but is not: the accumulator feeds the next term.
#[grad]
fn compounding(x: &[f64]) -> f64 {
    let mut s = 1.0;
    for i in 0..x.len() {
        s += s * x[i];
    }
    s
}

/// A value computed before the loop is read inside it: its adjoint exists before the loop
/// and gets the rest of its contributions after.
#[grad]
fn shared_scale(x: &[f64], a: f64) -> f64 {
    let scale = a.exp();
    let mut total = 0.0;
    for i in 0..x.len() {
        total += scale * x[i] * x[i];
    }
    total * 2.0 + scale
}

/// Looks fused but is not: an `Err` after the loop must leave the accumulators untouched, so
/// the loop's reverse cannot run before the forward sweep is over (random-program tester,
/// seed 31337).
#[grad(x)]
fn checked_sum_of_squares(x: &[f64], limit: f64) -> Result<f64, String> {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * x[i];
    }
    if limit < 0.0 {
        return Err(format!("a negative limit: {limit}"));
    }
    Ok(0.5 * s)
}

fn random_inputs(rng: &mut Rng, n: usize) -> Vec<f64> {
    rng.vec(n, -1.5, 1.5)
}

#[test]
fn rosenbrock_has_its_known_values_and_matches_finite_differences() {
    let ones = vec![1.0; 6];
    let (value, grad) = rosenbrock_grad(&ones);
    assert_eq!(value, 0.0);
    assert!(grad.iter().all(|&g| g == 0.0));
    let start: Vec<f64> = [-1.2, 1.0].repeat(3);
    let (value, grad) = rosenbrock_grad(&start);
    assert_close(value, 3.0 * 24.2, 1e-12);
    for pair in grad.chunks(2) {
        assert_close(pair[0], -215.6, 1e-12);
        assert_close(pair[1], -88.0, 1e-12);
    }
    let mut rng = Rng::new(11);
    for n in [2, 4, 10] {
        let x = random_inputs(&mut rng, n);
        let (_, grad) = rosenbrock_grad(&x);
        assert_matches_fd(&|x| rosenbrock(x), &x, &grad, "rosenbrock");
    }
}

#[test]
fn a_mean_with_an_inner_loop_matches_finite_differences() {
    let mut rng = Rng::new(12);
    for (d, n) in [(1, 1), (3, 5), (4, 17)] {
        let xs = random_inputs(&mut rng, d * n);
        let ys: Vec<f64> = (0..n).map(|_| f64::from(rng.below(2) as u8)).collect();
        let mut p = random_inputs(&mut rng, d + 1);
        let (_, (d_w, d_b)) = mean_logistic_grad(&p[..d], p[d], &xs, &ys);
        let f = |p: &[f64]| mean_logistic(&p[..d], p[d], &xs, &ys);
        let mut analytic = d_w;
        analytic.push(d_b);
        assert_matches_fd(&f, &p, &analytic, "mean_logistic");
        p.clear();
    }
}

#[test]
fn two_accumulators_in_branches_match_finite_differences() {
    let mut rng = Rng::new(13);
    for n in [0, 1, 6] {
        let mut p = random_inputs(&mut rng, n + 1);
        p[n] += 2.0; // c away from 0
        let (_, (d_x, d_c)) = two_sums_grad(&p[..n], p[n]);
        let mut analytic = d_x;
        analytic.push(d_c);
        assert_matches_fd(&|p| two_sums(&p[..n], p[n]), &p, &analytic, "two_sums");
    }
}

#[test]
fn a_scratch_array_overwritten_per_point_matches_finite_differences() {
    let mut rng = Rng::new(14);
    for (k, n) in [(1, 3), (3, 7)] {
        let centers = random_inputs(&mut rng, k);
        let scales: Vec<f64> = (0..k).map(|_| rng.uniform(0.5, 2.0)).collect();
        let points = random_inputs(&mut rng, n);
        let (_, (d_centers, d_scales)) = mixture_grad(&centers, &scales, &points);
        let p = [&centers[..], &scales[..]].concat();
        let f = |p: &[f64]| mixture(&p[..k], &p[k..], &points);
        let analytic = [d_centers, d_scales].concat();
        assert_matches_fd(&f, &p, &analytic, "mixture");
    }
}

/// `mixture` with its call pulled back where it runs in the other spellings of an
/// accumulation (`-=`, the accumulator second), and look-alikes where it must not be: the
/// scratch array written after the call in the same iteration, the call's value read twice,
/// a differentiated scalar argument.
#[grad(centers, scales)]
#[allow(clippy::assign_op_pattern)] // the accumulator second is one of the spellings
fn mixture_spellings(centers: &[f64], scales: &[f64], points: &[f64]) -> f64 {
    let k = centers.len();
    let mut term = vec![0.0; k];
    let mut total = 0.0;
    for p in 0..points.len() {
        for j in 0..k {
            let r = (points[p] - centers[j]) * scales[j];
            term[j] = scales[j].ln() - 0.5 * r * r;
        }
        total -= log_sum_exp(&term);
        total = norm_sq(&term) * 0.01 + total;
    }
    total
}

#[grad(centers, scales)]
fn mixture_written_after_call(centers: &[f64], scales: &[f64], points: &[f64]) -> f64 {
    let k = centers.len();
    let mut term = vec![0.0; k];
    let mut total = 0.0;
    for p in 0..points.len() {
        for j in 0..k {
            let r = (points[p] - centers[j]) * scales[j];
            term[j] = scales[j].ln() - 0.5 * r * r;
        }
        total += log_sum_exp(&term);
        term[0] = 2.0 * term[k - 1];
        total += term[0];
    }
    total
}

#[grad]
fn weighted_lse(v: &[f64], w: f64) -> f64 {
    w * log_sum_exp(v)
}

#[grad(centers, scale)]
fn mixture_scalar_argument(centers: &[f64], scale: f64, points: &[f64]) -> f64 {
    let k = centers.len();
    let mut term = vec![0.0; k];
    let mut total = 0.0;
    for p in 0..points.len() {
        for j in 0..k {
            term[j] = -(points[p] - centers[j]).powi(2);
        }
        let once = log_sum_exp(&term);
        total += once * once;
        total += weighted_lse(&term, scale);
    }
    total
}

#[test]
fn calls_pulled_back_where_they_run_match_finite_differences() {
    let mut rng = Rng::new(17);
    for (k, n) in [(1, 2), (3, 5)] {
        let centers = random_inputs(&mut rng, k);
        let scales: Vec<f64> = (0..k).map(|_| rng.uniform(0.5, 2.0)).collect();
        let points = random_inputs(&mut rng, n);
        let p = [&centers[..], &scales[..]].concat();
        let (_, (d_centers, d_scales)) = mixture_spellings_grad(&centers, &scales, &points);
        let f = |p: &[f64]| mixture_spellings(&p[..k], &p[k..], &points);
        assert_matches_fd(&f, &p, &[d_centers, d_scales].concat(), "spellings");
        let (_, (d_centers, d_scales)) =
            mixture_written_after_call_grad(&centers, &scales, &points);
        let f = |p: &[f64]| mixture_written_after_call(&p[..k], &p[k..], &points);
        assert_matches_fd(&f, &p, &[d_centers, d_scales].concat(), "written after");
        let p = [&centers[..], &[scales[0]]].concat();
        let (_, (d_centers, d_scale)) = mixture_scalar_argument_grad(&centers, scales[0], &points);
        let f = |p: &[f64]| mixture_scalar_argument(&p[..k], p[k], &points);
        assert_matches_fd(&f, &p, &[&d_centers[..], &[d_scale]].concat(), "scalar");
    }
}

#[grad]
fn norm_sq(v: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..v.len() {
        s += v[i] * v[i];
    }
    s
}

/// Takes `&Vec`: the restored copy is a `Vec`, as the array passed was.
#[grad]
#[allow(clippy::ptr_arg)]
fn softmax_sum(v: &Vec<f64>) -> f64 {
    let mut s = 0.0;
    for i in 0..v.len() {
        s += v[i].exp();
    }
    s.ln()
}

/// Two scratch vectors refilled per step and passed to calls, in a loop whose result is not
/// linear in its accumulator (not fused): the reverse sweep restores both copies from one
/// flat tape, the last step's first, the second copy before the first.
#[grad]
fn two_scratch_copies(x: &[f64], steps: usize) -> f64 {
    let mut a = vec![0.0; x.len()];
    let mut b = vec![0.0; x.len() + 1];
    let mut s = 0.0;
    for t in 0..steps {
        for j in 0..x.len() {
            a[j] = x[j] * (t as f64 + 1.0) + s;
            b[j] = a[j].sin();
        }
        b[x.len()] = s;
        let first = norm_sq(&a);
        s = (s + first * 0.01).tanh() + softmax_sum(&b);
    }
    s * s
}

/// Generic over the float type: the snapshot is read in place as a `&[T]`.
#[grad]
fn weighted_sum<T: num_traits::Float>(v: &[T], w: T) -> T {
    let mut s = T::zero();
    for i in 0..v.len() {
        s = s + w * v[i];
    }
    s
}

/// One scratch vector passed to three callees of three parameter types in one iteration
/// (`&[f64]`, `&Vec<f64>`, generic `&[T]`): each reverse call gets the snapshot as the type it
/// takes, the `Vec` one a copy.
#[grad]
fn one_scratch_three_callees(x: &[f64], steps: usize) -> f64 {
    let mut a = vec![0.0; x.len()];
    let mut s = 0.5;
    for t in 0..steps {
        for j in 0..x.len() {
            a[j] = (x[j] * s + t as f64).sin();
        }
        s = (0.1 * norm_sq(&a)).tanh() + 0.1 * softmax_sum(&a) + weighted_sum(&a, s) * 0.05;
    }
    s * s
}

#[test]
fn scratch_copies_on_a_flat_tape_match_finite_differences() {
    let mut rng = Rng::new(16);
    for (n, steps) in [(1, 1), (3, 4), (5, 40)] {
        let x: Vec<f64> = random_inputs(&mut rng, n).iter().map(|v| 0.3 * v).collect();
        let (_, grad) = two_scratch_copies_grad(&x, steps);
        assert_matches_fd(
            &|x| two_scratch_copies(x, steps),
            &x,
            &grad,
            "two_scratch_copies",
        );
        let (_, grad) = one_scratch_three_callees_grad(&x, steps);
        assert_matches_fd(
            &|x| one_scratch_three_callees(x, steps),
            &x,
            &grad,
            "one_scratch_three_callees",
        );
    }
}

#[test]
fn look_alikes_that_cannot_be_fused_match_finite_differences() {
    let mut rng = Rng::new(15);
    for n in [1, 2, 7] {
        let x = random_inputs(&mut rng, n);
        let (_, grad) = carries_through_scratch_grad(&x);
        assert_matches_fd(&|x| carries_through_scratch(x), &x, &grad, "scratch");
        let (_, grad) = log_of_sum_grad(&x);
        assert_matches_fd(&|x| log_of_sum(x), &x, &grad, "log_of_sum");
        let (_, grad) = compounding_grad(&x);
        assert_matches_fd(&|x| compounding(x), &x, &grad, "compounding");
    }
}

#[test]
fn a_value_read_in_the_loop_and_after_it_gets_both_contributions() {
    let mut rng = Rng::new(16);
    for n in [0, 3] {
        let p = random_inputs(&mut rng, n + 1);
        let (_, (d_x, d_a)) = shared_scale_grad(&p[..n], p[n]);
        let mut analytic = d_x;
        analytic.push(d_a);
        assert_matches_fd(
            &|p| shared_scale(&p[..n], p[n]),
            &p,
            &analytic,
            "shared_scale",
        );
    }
}

#[test]
fn an_err_after_an_accumulation_loop_leaves_the_accumulators_untouched() {
    let x = [1.0, -2.0, 0.5];
    let mut d_x = [0.25; 3];
    let err = checked_sum_of_squares_adjoint(&x, -1.0, 1.0, &mut d_x, Const);
    assert_eq!(err, Err("a negative limit: -1".to_string()));
    assert_eq!(d_x, [0.25; 3]);
    let ok = checked_sum_of_squares_adjoint(&x, 10.0, 1.0, &mut d_x, Const);
    assert_eq!(ok, Ok(2.625));
    assert_eq!(d_x, [1.25, -1.75, 0.75]);
}

// ----- a pulled call's value comes from its adjoint: the callee runs once per iteration -----

static PRIMAL_CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static ADJOINT_CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A loss with a hand-written adjoint that counts how often each runs.
fn counted_error(p: f64, y: f64) -> f64 {
    PRIMAL_CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    (p - y).powi(2)
}

fn counted_error_adjoint<DP: autodiff::Shadow<f64>, DY: autodiff::Shadow<f64>>(
    p: f64,
    y: f64,
    d_out: f64,
    mut d_p: DP,
    mut d_y: DY,
) -> f64 {
    ADJOINT_CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let r = p - y;
    d_p.add(d_out * 2.0 * r);
    d_y.add(-d_out * 2.0 * r);
    r * r
}

/// Per-example scalars passed to the loss (a prediction, a shifted label also read after the
/// call): the adjoint of each is what the call pulled back plus what the rest of the
/// iteration adds.
#[grad(w)]
fn batch_error(w: f64, xs: &[f64], ys: &[f64]) -> f64 {
    let mut total = 0.0;
    for i in 0..xs.len() {
        let p = w * xs[i];
        let y = ys[i] + 0.1 * w;
        total += counted_error(p, y);
        total += 0.5 * y;
    }
    total / xs.len() as f64
}

#[test]
fn a_call_with_scalar_arguments_in_a_fused_loop_runs_once_per_iteration() {
    use std::sync::atomic::Ordering::Relaxed;
    let (w, xs, ys) = (0.7, [1.0, -2.0, 0.5], [0.3, 0.1, -1.0]);
    let (primal, adjoint) = (PRIMAL_CALLS.load(Relaxed), ADJOINT_CALLS.load(Relaxed));
    let (value, d_w) = batch_error_grad(w, &xs, &ys);
    assert_eq!(
        PRIMAL_CALLS.load(Relaxed) - primal,
        0,
        "the primal ran beside its adjoint"
    );
    assert_eq!(ADJOINT_CALLS.load(Relaxed) - adjoint, xs.len());
    // (1/n) sum 2 r (x - 0.1) + 0.05, r = w x - y - 0.1 w
    let n = xs.len() as f64;
    let expected: f64 = xs
        .iter()
        .zip(&ys)
        .map(|(x, y)| 2.0 * (w * x - y - 0.1 * w) * (x - 0.1) + 0.05)
        .sum::<f64>()
        / n;
    assert_close(d_w, expected, 1e-14);
    assert_close(value, batch_error(w, &xs, &ys), 1e-15);
    // The data's adjoints, through `NAME_adjoint`: -(1/n) 2 r + 0.5 / n per label.
    let mut d_ys = [0.0; 3];
    batch_error_adjoint(w, &xs, &ys, 1.0, Const, Const, &mut d_ys[..]);
    for i in 0..3 {
        let r = w * xs[i] - ys[i] - 0.1 * w;
        assert_close(d_ys[i], (-2.0 * r + 0.5) / n, 1e-14);
    }
}
