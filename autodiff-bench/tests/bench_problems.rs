//! The problems of `benches/gradients.rs`: every way of computing each gradient there (the
//! hand-written one, finite differences, num-dual, echidna's tape) agrees with `NAME_grad`,
//! entry by entry, so the benchmark compares equal work.

#[path = "../benches/problems.rs"]
mod problems;

use problems::{dot, gmm_adbench, gmm_problem, logreg, mlp, recurrence, rosenbrock};

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

/// The GMM in ADBench's C++ structure (scratch buffers, `sqnorm` and `log_sum_exp` calls, the
/// Wishart prior through a const-table `ln_gamma`) has the flat one's value and gradient.
#[test]
fn gmm_adbench_structure_agrees_with_the_flat_objective() {
    for (name, input) in [
        ("d2 K5", gmm_problem::d2_k5()),
        ("d10 K25", gmm_problem::d10_k25()),
    ] {
        let (v, g) = gmm_problem::grad(&input);
        let (va, ga) = gmm_problem::grad_adbench(&input);
        assert_eq!(va, gmm_problem::primal_adbench(&input), "{name}");
        assert_value(&format!("gmm {name}: adbench value"), va, v);
        let (g, ga) = (gmm_problem::flat_grad(&g), gmm_problem::flat_grad(&ga));
        // Relative to each entry's own magnitude, not floored at 1.
        for (i, (a, b)) in ga.iter().zip(&g).enumerate() {
            let rel = (a - b).abs() / a.abs().max(b.abs()).max(1e-300);
            assert!(
                rel <= EXACT || (a - b).abs() <= 1e-14,
                "gmm {name}: adbench gradient[{i}]: {a} vs {b} (relative {rel:e})"
            );
        }
        assert_agree(&format!("gmm {name}: adbench"), &ga, &g, EXACT);
    }
}

/// ADBench's helpers on their own: the Lanczos ln Γ against known values, its derivative
/// (digamma) against finite differences and ψ(1) = -γ, and the log-sum-exp's softmax.
#[test]
fn gmm_adbench_helpers() {
    let euler_gamma = 0.577_215_664_901_532_9;
    assert!(gmm_adbench::ln_gamma(1.0).abs() < 1e-14);
    assert!((gmm_adbench::ln_gamma(5.0) - 24f64.ln()).abs() < 1e-13);
    let (v, d) = gmm_adbench::ln_gamma_grad(1.0);
    assert!(v.abs() < 1e-14);
    assert!((d + euler_gamma).abs() < 1e-12, "digamma(1) = {d}");
    for x in [0.75, 2.5, 7.0, 30.0] {
        let (_, d) = gmm_adbench::ln_gamma_grad(x);
        let h = 1e-5 * x;
        let fd = (gmm_adbench::ln_gamma(x + h) - gmm_adbench::ln_gamma(x - h)) / (2.0 * h);
        assert!(
            (d - fd).abs() < 1e-8,
            "digamma({x}) = {d}, finite differences {fd}"
        );
        assert_eq!(
            gmm_adbench::ln_gamma(x),
            problems::gmm::ln_gamma(x),
            "ln_gamma({x})"
        );
    }
    let (a, p) = (7.5, 10);
    let (v, d) = gmm_adbench::log_gamma_distrib_grad(a, p);
    assert_eq!(v, problems::gmm::log_gamma_distrib(a, p));
    let expected: f64 = (1..=p)
        .map(|j| gmm_adbench::ln_gamma_grad(a + 0.5 * (1.0 - j as f64)).1)
        .sum();
    assert!((d - expected).abs() < 1e-12);
    let xs = [1.0, -2.0, 3.0, 3.0];
    let (v, g) = gmm_adbench::log_sum_exp_grad(&xs);
    let se: f64 = xs.iter().map(|x| x.exp()).sum();
    assert!((v - se.ln()).abs() < 1e-14);
    for (gi, x) in g.iter().zip(&xs) {
        assert!((gi - x.exp() / se).abs() < 1e-15);
    }
    let (v, g) = gmm_adbench::sqnorm_grad(&xs);
    assert_eq!(v, 23.0);
    assert_eq!(g, vec![2.0, -4.0, 6.0, 6.0]);
}

#[test]
fn rosenbrock_n100() {
    let p = rosenbrock::Problem::new();
    let (v, g) = rosenbrock::rosenbrock_grad(&p.x);
    assert_eq!(v, rosenbrock::rosenbrock(&p.x));
    assert_eq!(g.len(), rosenbrock::N);
    let (vh, gh) = rosenbrock::hand(&p.x);
    assert_value("rosenbrock: hand", vh, v);
    assert_agree("rosenbrock: hand", &gh, &g, EXACT);
    let (vc, gc) = rosenbrock::rosenbrock_pairs_grad(&p.x);
    assert_value("rosenbrock: chunks_exact", vc, v);
    assert_agree("rosenbrock: chunks_exact", &gc, &g, EXACT);
    assert_value("rosenbrock: generic", rosenbrock::generic(&p.x), v);
    assert_agree("rosenbrock: dual", &p.dual(&p.x), &g, EXACT);
    assert_agree("rosenbrock: tape", &p.tape(&p.x), &g, EXACT);
    assert_agree("rosenbrock: fd", &p.fd(), &g, FD);
    // The benchmarked tangent, in the direction x: the gradient dotted with it.
    let (vt, t) = rosenbrock::rosenbrock_tangent(&p.x, &p.x[..]);
    assert_eq!(vt, v);
    let expected: f64 = g.iter().zip(&p.x).map(|(a, b)| a * b).sum();
    assert_agree("rosenbrock: tangent", &[t], &[expected], EXACT);
}

/// The known values: the minimum at (1, .., 1), and the classic start (-1.2, 1) per pair,
/// value 24.2 and gradient (-215.6, -88).
#[test]
fn rosenbrock_known_values() {
    let n = rosenbrock::N;
    let ones = vec![1.0; n];
    let (v, g) = rosenbrock::rosenbrock_grad(&ones);
    assert_eq!(v, 0.0);
    assert!(g.iter().all(|&d| d == 0.0), "{g:?}");
    assert_eq!(rosenbrock::hand(&ones), (v, g.clone()));
    assert_eq!(rosenbrock::rosenbrock_pairs_grad(&ones), (v, g));
    let start: Vec<f64> = (0..n)
        .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
        .collect();
    let pairs = (n / 2) as f64;
    for (what, (v, g)) in [
        ("grad", rosenbrock::rosenbrock_grad(&start)),
        ("hand", rosenbrock::hand(&start)),
        ("chunks_exact", rosenbrock::rosenbrock_pairs_grad(&start)),
        (
            "tape",
            (
                rosenbrock::generic(&start),
                rosenbrock::Problem { x: start.clone() }.tape(&start),
            ),
        ),
    ] {
        assert!((v - 24.2 * pairs).abs() < 1e-11, "{what}: value {v}");
        for pair in g.chunks_exact(2) {
            assert!((pair[0] + 215.6).abs() < 1e-12, "{what}: {pair:?}");
            assert!((pair[1] + 88.0).abs() < 1e-12, "{what}: {pair:?}");
        }
    }
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
    // The benchmarked tangent, in the direction (1, w): the gradient dotted with it.
    let (vt, t) = recurrence::recurrence_tangent(p.x0, &p.w, 1.0, &p.w[..]);
    assert_eq!(vt, v);
    let direction: Vec<f64> = std::iter::once(1.0).chain(p.w.iter().copied()).collect();
    let expected: f64 = g.iter().zip(&direction).map(|(a, b)| a * b).sum();
    assert_agree("recurrence: tangent", &[t], &[expected], EXACT);
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
