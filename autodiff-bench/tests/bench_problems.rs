//! The problems of `benches/gradients.rs`: every way of computing each gradient there (the
//! hand-written one, finite differences, num-dual, echidna's tape) agrees with `NAME_grad`,
//! entry by entry, so the benchmark compares equal work.

#[path = "../benches/problems.rs"]
mod problems;

use problems::{dot, gmm_problem, logreg, mlp, recurrence};

/// `a` and `b` agree entry by entry within `rel` (relative to the larger magnitude, floor 1),
/// and the gradient is not trivially zero.
#[track_caller]
fn assert_agree(what: &str, a: &[f64], b: &[f64], rel: f64) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(x.is_finite() && y.is_finite(), "{what}[{i}]: {x} vs {y}");
        let tol = rel * x.abs().max(y.abs()).max(1.0);
        assert!(
            (x - y).abs() <= tol,
            "{what}[{i}]: {x} vs {y} (tolerance {tol})"
        );
    }
    let norm: f64 = a.iter().map(|v| v * v).sum::<f64>().sqrt();
    assert!(
        norm > 1e-3,
        "{what}: gradient norm {norm} is suspiciously small"
    );
}

#[track_caller]
fn assert_value(what: &str, a: f64, b: f64) {
    assert!(
        (a - b).abs() <= 1e-12 * a.abs().max(1.0),
        "{what}: value {a} vs {b}"
    );
}

/// Analytic methods differ by rounding only; finite differences by their truncation error.
const EXACT: f64 = 1e-10;
const FD: f64 = 1e-6;

#[test]
fn dot_product() {
    let p = dot::Problem::new();
    let (v, g) = dot::dot_grad(&p.x, &p.y);
    assert_eq!(v, dot::dot(&p.x, &p.y));
    // The gradient of x.y is exactly (y, x).
    assert_eq!(g, (p.y.clone(), p.x.clone()));
    let (vh, gh) = dot::hand(&p.x, &p.y);
    assert_eq!((vh, &gh), (v, &g));
    let g = dot::flat_grad(&g);
    let flat = p.flat();
    assert_eq!(dot::generic(&flat), v);
    assert_agree("dot: dual", &p.dual(&flat), &g, EXACT);
    assert_agree("dot: tape", &p.tape(&flat), &g, EXACT);
    assert_agree("dot: fd", &p.fd(), &g, FD);
}

#[test]
fn mlp_30_64_1() {
    let p = mlp::Problem::new();
    let (v, g) = p.grad();
    assert_eq!(v, p.primal());
    assert!(v > 0.1 && v < 5.0, "loss {v}");
    let (vh, gh) = p.hand();
    assert_value("mlp: hand", vh, v);
    let g = mlp::flat_grad(&g);
    assert_eq!(g.len(), mlp::PARAMS);
    // About half of the hidden units are active: both branches of ReLU are exercised.
    let active = (0..mlp::H)
        .filter(|&j| g[mlp::H * mlp::I + j] != 0.0)
        .count();
    assert!((10..55).contains(&active), "{active} active hidden units");
    assert_agree("mlp: hand", &mlp::flat_grad(&gh), &g, EXACT);
    let flat = p.flat();
    assert_value("mlp: generic", mlp::generic(&flat, &p.x, p.y), v);
    assert_agree("mlp: dual", &p.dual(&flat), &g, EXACT);
    assert_agree("mlp: tape", &p.tape(&flat), &g, EXACT);
    assert_agree("mlp: fd", &p.fd(), &g, FD);
}

#[test]
fn logistic_regression_256x30() {
    let p = logreg::Problem::new();
    let (v, g) = logreg::logreg_loss_grad(&p.w, p.b, &p.xs, &p.ys);
    assert_eq!(v, logreg::logreg_loss(&p.w, p.b, &p.xs, &p.ys));
    assert!(v > 0.3 && v < 1.0, "loss {v}");
    let (vh, gh) = logreg::hand(&p.w, p.b, &p.xs, &p.ys);
    assert_value("logreg: hand", vh, v);
    let g = logreg::flat_grad(&g);
    assert_agree("logreg: hand", &logreg::flat_grad(&gh), &g, EXACT);
    let flat = p.flat();
    assert_value("logreg: generic", logreg::generic(&flat, &p.xs, &p.ys), v);
    assert_agree("logreg: dual", &p.dual(&flat), &g, EXACT);
    assert_agree("logreg: tape", &p.tape(&flat), &g, EXACT);
    assert_agree("logreg: fd", &p.fd(), &g, FD);
}

#[test]
fn gmm_d2_k5() {
    let input = gmm_problem::d2_k5();
    let (v, g) = gmm_problem::grad(&input);
    assert_eq!(v, gmm_problem::primal(&input));
    let (vh, gh) = gmm_problem::hand(&input);
    assert_value("gmm d2: hand", vh, v);
    let g = gmm_problem::flat_grad(&g);
    assert_eq!(g.len(), 5 + 5 * 2 + 5 * 3);
    assert_agree("gmm d2: hand", &gmm_problem::flat_grad(&gh), &g, EXACT);
    let flat = gmm_problem::flat(&input);
    assert_value("gmm d2: generic", gmm_problem::generic(&input, &flat), v);
    assert_agree("gmm d2: dual", &gmm_problem::dual(&input, &flat), &g, EXACT);
    assert_agree("gmm d2: tape", &gmm_problem::tape(&input, &flat), &g, EXACT);
    assert_agree("gmm d2: fd", &gmm_problem::fd(&input), &g, FD);
}

#[test]
fn gmm_d10_k25() {
    let input = gmm_problem::d10_k25();
    let (v, g) = gmm_problem::grad(&input);
    let (vh, gh) = gmm_problem::hand(&input);
    assert_value("gmm d10: hand", vh, v);
    let g = gmm_problem::flat_grad(&g);
    assert_eq!(g.len(), 25 + 25 * 10 + 25 * 55);
    assert_agree("gmm d10: hand", &gmm_problem::flat_grad(&gh), &g, EXACT);
    let flat = gmm_problem::flat(&input);
    assert_agree(
        "gmm d10: tape",
        &gmm_problem::tape(&input, &flat),
        &g,
        EXACT,
    );
}

#[test]
fn recurrence_1000_steps() {
    let p = recurrence::Problem::new();
    let (v, g) = recurrence::recurrence_grad(p.x0, &p.w);
    assert_eq!(v, recurrence::recurrence(p.x0, &p.w));
    let (vh, gh) = recurrence::hand(p.x0, &p.w);
    assert_eq!(vh, v);
    let g = recurrence::flat_grad(&g);
    assert_agree("recurrence: hand", &recurrence::flat_grad(&gh), &g, EXACT);
    let flat = p.flat();
    assert_eq!(recurrence::generic(&flat), v);
    assert_agree("recurrence: dual", &p.dual(&flat), &g, EXACT);
    assert_agree("recurrence: tape", &p.tape(&flat), &g, EXACT);
    assert_agree("recurrence: fd", &p.fd(), &g, FD);
}

#[test]
fn mlp_adjoints_accumulate() {
    let p = mlp::Problem::new();
    let (v, g) = p.grad();
    let (mut a, mut h) = (mlp::zero_grad(), mlp::zero_grad());
    let mut m = mlp::zero_model();
    for _ in 0..2 {
        assert_eq!(p.adjoint(&mut a), v);
        assert_eq!(p.model_adjoint(&mut m), v);
        assert_value("mlp: hand_adjoint", p.hand_adjoint(&mut h), v);
    }
    // The struct model's gradient is the positional one, field by field.
    assert_eq!((m.w1, m.b1, m.w2, m.b2), a);
    let twice: Vec<f64> = mlp::flat_grad(&g).iter().map(|x| 2.0 * x).collect();
    assert_agree("mlp: adjoint twice", &mlp::flat_grad(&a), &twice, EXACT);
    assert_agree(
        "mlp: hand_adjoint twice",
        &mlp::flat_grad(&h),
        &twice,
        EXACT,
    );
}
