//! Gradients by `#[grad]` against the alternatives, one criterion group per problem.
//!
//! Rows: `primal` (the function), `grad` (`NAME_grad`), `hand` (a hand-written analytic
//! gradient), `fd` (central finite differences, full gradient), `dual` (num-dual's `Dual64`,
//! one forward pass per input), `tape` (echidna's tape-based reverse mode); the MLP also has
//! `adjoint` (`NAME_adjoint` into reused buffers) and `hand_adjoint` (the hand-written
//! gradient with that convention); the GMMs also have `primal_adbench` and `grad_adbench`
//! (the objective written in ADBench's C++ structure, `benches/gmm_adbench.rs`); the
//! recurrence and Rosenbrock also have `tangent` (`NAME_tangent`: one directional derivative
//! by forward mode, against a whole gradient by `grad`), and `hvp` (`NAME_hvp`: one
//! Hessian-vector product). The `jacobian_*` groups compare `NAME_jacobian` of a tanh layer
//! with the hand-written `diag(1 - y²) W`, in forward mode (8 inputs, 16 outputs) and in
//! reverse mode (16 inputs, 4 outputs). FD and dual
//! are left out of GMM d=10 K=25 (1650 inputs: thousands of objective evaluations, seconds
//! per gradient). `benches/ratios.py` turns the results into the ratio table.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, SamplingMode};

mod problems;

use problems::{dot, gmm_problem, logreg, mlp, recurrence, rosenbrock, tanh_layer};

type Group<'a> = BenchmarkGroup<'a, criterion::measurement::WallTime>;

/// The rows that matter most (primal, grad, hand): more samples, longer measurement.
fn precise(g: &mut Group) {
    g.sampling_mode(SamplingMode::Auto)
        .sample_size(40)
        .warm_up_time(Duration::from_millis(800))
        .measurement_time(Duration::from_secs(3));
}

/// Baselines that are orders of magnitude slower: a few flat samples.
fn coarse(g: &mut Group, secs: u64) {
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(secs));
}

fn bench_dot(c: &mut Criterion) {
    let p = dot::Problem::new();
    let flat = p.flat();
    let mut g = c.benchmark_group("dot_n1000");
    precise(&mut g);
    g.bench_function("primal", |b| {
        b.iter(|| dot::dot(black_box(&p.x), black_box(&p.y)))
    });
    g.bench_function("grad", |b| {
        b.iter(|| dot::dot_grad(black_box(&p.x), black_box(&p.y)))
    });
    g.bench_function("hand", |b| {
        b.iter(|| dot::hand(black_box(&p.x), black_box(&p.y)))
    });
    g.bench_function("tape", |b| b.iter(|| p.tape(black_box(&flat))));
    coarse(&mut g, 2);
    g.bench_function("fd", |b| b.iter(|| black_box(&p).fd()));
    g.bench_function("dual", |b| b.iter(|| p.dual(black_box(&flat))));
    g.finish();
}

fn bench_mlp(c: &mut Criterion) {
    let p = mlp::Problem::new();
    let flat = p.flat();
    let mut g = c.benchmark_group("mlp_30_64_1");
    precise(&mut g);
    g.bench_function("primal", |b| b.iter(|| black_box(&p).primal()));
    g.bench_function("grad", |b| b.iter(|| black_box(&p).grad()));
    g.bench_function("hand", |b| b.iter(|| black_box(&p).hand()));
    // The same two through the pullback's convention: accumulate into reused buffers, no
    // 16 KB tuple to zero and return (the sums grow, harmlessly, over the iterations).
    let mut acc = mlp::zero_grad();
    g.bench_function("adjoint", |b| {
        b.iter(|| black_box(&p).adjoint(black_box(&mut acc)))
    });
    g.bench_function("hand_adjoint", |b| {
        b.iter(|| black_box(&p).hand_adjoint(black_box(&mut acc)))
    });
    // The same loss on the model as a struct (`net.w1[j][k]`), gradient accumulated into a
    // model-shaped value: as fast as the positional `adjoint`.
    let mut model_acc = mlp::zero_model();
    g.bench_function("model_adjoint", |b| {
        b.iter(|| black_box(&p).model_adjoint(black_box(&mut model_acc)))
    });
    g.bench_function("tape", |b| b.iter(|| p.tape(black_box(&flat))));
    coarse(&mut g, 2);
    g.bench_function("fd", |b| b.iter(|| black_box(&p).fd()));
    g.bench_function("dual", |b| b.iter(|| p.dual(black_box(&flat))));
    g.finish();
}

fn bench_logreg(c: &mut Criterion) {
    let p = logreg::Problem::new();
    let flat = p.flat();
    let (w, xs, ys) = (&p.w, &*p.xs, &p.ys);
    let mut g = c.benchmark_group("logreg_256x30");
    precise(&mut g);
    g.bench_function("primal", |b| {
        b.iter(|| logreg::logreg_loss(black_box(w), black_box(p.b), black_box(xs), black_box(ys)))
    });
    g.bench_function("grad", |b| {
        b.iter(|| {
            logreg::logreg_loss_grad(black_box(w), black_box(p.b), black_box(xs), black_box(ys))
        })
    });
    g.bench_function("hand", |b| {
        b.iter(|| logreg::hand(black_box(w), black_box(p.b), black_box(xs), black_box(ys)))
    });
    // One Hessian-vector product along (w, b) itself; the 256x30 data are lifted per call.
    g.bench_function("hvp", |b| {
        b.iter(|| logreg::logreg_loss_hvp(black_box(w), black_box(p.b), xs, ys, w, p.b))
    });
    g.bench_function("tape", |b| b.iter(|| p.tape(black_box(&flat))));
    coarse(&mut g, 2);
    g.bench_function("fd", |b| b.iter(|| black_box(&p).fd()));
    g.bench_function("dual", |b| b.iter(|| p.dual(black_box(&flat))));
    g.finish();
}

fn bench_gmm(c: &mut Criterion) {
    for (name, input, baselines) in [
        ("gmm_d2_K5", gmm_problem::d2_k5(), true),
        ("gmm_d10_K25", gmm_problem::d10_k25(), false),
    ] {
        let flat = gmm_problem::flat(&input);
        let mut g = c.benchmark_group(name);
        precise(&mut g);
        g.bench_function("primal", |b| {
            b.iter(|| gmm_problem::primal(black_box(&input)))
        });
        g.bench_function("grad", |b| b.iter(|| gmm_problem::grad(black_box(&input))));
        g.bench_function("hand", |b| b.iter(|| gmm_problem::hand(black_box(&input))));
        // The same objective written as ADBench's C++ is (benches/gmm_adbench.rs).
        g.bench_function("primal_adbench", |b| {
            b.iter(|| gmm_problem::primal_adbench(black_box(&input)))
        });
        g.bench_function("grad_adbench", |b| {
            b.iter(|| gmm_problem::grad_adbench(black_box(&input)))
        });
        coarse(&mut g, 3);
        g.bench_function("tape", |b| {
            b.iter(|| gmm_problem::tape(&input, black_box(&flat)))
        });
        if baselines {
            g.bench_function("fd", |b| b.iter(|| gmm_problem::fd(black_box(&input))));
            g.bench_function("dual", |b| {
                b.iter(|| gmm_problem::dual(&input, black_box(&flat)))
            });
        }
        g.finish();
    }
}

fn bench_recurrence(c: &mut Criterion) {
    let p = recurrence::Problem::new();
    let flat = p.flat();
    let mut g = c.benchmark_group("recurrence_1000");
    precise(&mut g);
    g.bench_function("primal", |b| {
        b.iter(|| recurrence::recurrence(black_box(p.x0), black_box(&p.w)))
    });
    g.bench_function("grad", |b| {
        b.iter(|| recurrence::recurrence_grad(black_box(p.x0), black_box(&p.w)))
    });
    g.bench_function("hand", |b| {
        b.iter(|| recurrence::hand(black_box(p.x0), black_box(&p.w)))
    });
    // One directional derivative by forward mode (the direction: 1 for x0, w itself for w).
    g.bench_function("tangent", |b| {
        b.iter(|| recurrence::recurrence_tangent(black_box(p.x0), black_box(&p.w), 1.0, &p.w[..]))
    });
    // One Hessian-vector product (forward over reverse), along the same direction.
    g.bench_function("hvp", |b| {
        b.iter(|| recurrence::recurrence_hvp(black_box(p.x0), black_box(&p.w), 1.0, &p.w[..]))
    });
    g.bench_function("tape", |b| b.iter(|| p.tape(black_box(&flat))));
    coarse(&mut g, 2);
    g.bench_function("fd", |b| b.iter(|| black_box(&p).fd()));
    g.bench_function("dual", |b| b.iter(|| p.dual(black_box(&flat))));
    g.finish();
}

fn bench_rosenbrock(c: &mut Criterion) {
    let p = rosenbrock::Problem::new();
    let mut g = c.benchmark_group("rosenbrock_n100");
    precise(&mut g);
    g.bench_function("primal", |b| {
        b.iter(|| rosenbrock::rosenbrock(black_box(&p.x)))
    });
    g.bench_function("grad", |b| {
        b.iter(|| rosenbrock::rosenbrock_grad(black_box(&p.x)))
    });
    g.bench_function("hand", |b| b.iter(|| rosenbrock::hand(black_box(&p.x))));
    // One directional derivative by forward mode (the direction: x itself).
    g.bench_function("tangent", |b| {
        b.iter(|| rosenbrock::rosenbrock_tangent(black_box(&p.x), &p.x[..]))
    });
    g.bench_function("hvp", |b| {
        b.iter(|| rosenbrock::rosenbrock_hvp(black_box(&p.x), &p.x[..]))
    });
    g.bench_function("tape", |b| b.iter(|| p.tape(black_box(&p.x))));
    coarse(&mut g, 2);
    g.bench_function("fd", |b| b.iter(|| black_box(&p).fd()));
    g.bench_function("dual", |b| b.iter(|| p.dual(black_box(&p.x))));
    g.finish();
}

fn bench_jacobian(c: &mut Criterion) {
    use tanh_layer::{Problem, IN, NARROW, OUT};
    let wide = Problem::<IN, OUT>::new(3);
    let narrow = Problem::<OUT, NARROW>::new(4);
    // What is timed is right: the generated Jacobians are the hand-written ones.
    let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-14);
    let (_, j) = tanh_layer::wide_jacobian(&wide.x, &wide.w, &wide.b);
    let (_, h) = tanh_layer::hand(&wide.x, &wide.w, &wide.b);
    assert!(
        close(j.as_flattened(), h.as_flattened()),
        "jacobian_8_to_16"
    );
    let (_, j) = tanh_layer::narrow_jacobian(&narrow.x, &narrow.w, &narrow.b);
    let (_, h) = tanh_layer::hand(&narrow.x, &narrow.w, &narrow.b);
    assert!(
        close(j.as_flattened(), h.as_flattened()),
        "jacobian_16_to_4"
    );
    let mut g = c.benchmark_group("jacobian_8_to_16");
    precise(&mut g);
    g.bench_function("primal", |b| {
        b.iter(|| tanh_layer::wide(black_box(&wide.x), &wide.w, &wide.b))
    });
    g.bench_function("jacobian", |b| {
        b.iter(|| tanh_layer::wide_jacobian(black_box(&wide.x), &wide.w, &wide.b))
    });
    g.bench_function("hand", |b| {
        b.iter(|| tanh_layer::hand(black_box(&wide.x), &wide.w, &wide.b))
    });
    g.finish();
    let mut g = c.benchmark_group("jacobian_16_to_4");
    precise(&mut g);
    g.bench_function("primal", |b| {
        b.iter(|| tanh_layer::narrow(black_box(&narrow.x), &narrow.w, &narrow.b))
    });
    g.bench_function("jacobian", |b| {
        b.iter(|| tanh_layer::narrow_jacobian(black_box(&narrow.x), &narrow.w, &narrow.b))
    });
    g.bench_function("hand", |b| {
        b.iter(|| tanh_layer::hand(black_box(&narrow.x), &narrow.w, &narrow.b))
    });
    g.finish();
}

criterion_group!(
    benches,
    bench_dot,
    bench_mlp,
    bench_logreg,
    bench_gmm,
    bench_recurrence,
    bench_rosenbrock,
    bench_jacobian
);
criterion_main!(benches);
