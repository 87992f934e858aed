//! `grad / hand-written` measured the way an independent harness measures it: per problem,
//! 15 rounds, each timing a batch of `NAME_grad` calls and a batch of hand-written-gradient
//! calls back to back (which goes first alternates), the ratio of the two per round, and the
//! median of the rounds' ratios. Criterion's groups (`benches/gradients.rs`) time one function
//! for seconds, then the next: on a shared machine the two sides of a ratio then see different
//! machine states, and a row moves by 5% from one run to the next. Here they see the same.
//!
//! ```sh
//! cargo bench -p autodiff-bench --bench interleaved
//! cargo bench -p autodiff-bench --bench interleaved -- gmm   # the rows whose name has `gmm`
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

mod problems;

use problems::{dot, gmm_problem, logreg, mlp, recurrence, rosenbrock};

const ROUNDS: usize = 15;
/// How long one batch of calls runs.
const BATCH: Duration = Duration::from_millis(20);

fn time(f: &mut dyn FnMut(), iters: u64) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    start.elapsed()
}

/// Calls of `f` in one batch of about [`BATCH`] (running it warms it up too).
fn batch_size(f: &mut dyn FnMut()) -> u64 {
    let mut n = 1;
    loop {
        let t = time(f, n);
        if t >= BATCH {
            return n;
        }
        let scale = BATCH.as_secs_f64() / t.as_secs_f64().max(1e-9);
        n = ((n as f64 * scale * 1.1) as u64).clamp(n + 1, n * 100);
    }
}

/// The per-round ratios of the time per call of `grad` to that of `hand`.
fn ratios(grad: &mut dyn FnMut(), hand: &mut dyn FnMut()) -> Vec<f64> {
    let (n_grad, n_hand) = (batch_size(grad), batch_size(hand));
    (0..ROUNDS)
        .map(|round| {
            let (g, h) = if round % 2 == 0 {
                let g = time(grad, n_grad);
                (g, time(hand, n_hand))
            } else {
                let h = time(hand, n_hand);
                (time(grad, n_grad), h)
            };
            (g.as_secs_f64() / n_grad as f64) / (h.as_secs_f64() / n_hand as f64)
        })
        .collect()
}

fn report(name: &str, mut r: Vec<f64>) {
    r.sort_by(f64::total_cmp);
    let goal = if r[r.len() / 2] <= 1.10 { "yes" } else { "no" };
    println!(
        "| {name} | {:.3} | {:.3}-{:.3} | {goal} |",
        r[r.len() / 2],
        r[0],
        r[r.len() - 1]
    );
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument is a filter on the row names.
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wanted = |name: &str| filter.as_ref().is_none_or(|f| name.contains(f.as_str()));
    println!("grad / hand-written: median of {ROUNDS} interleaved rounds (goal <= 1.10)\n");
    println!("| problem | grad / hand | range | goal met |");
    println!("|---|---:|---:|---|");
    let row = |name: &str, grad: &mut dyn FnMut(), hand: &mut dyn FnMut()| {
        if wanted(name) {
            report(name, ratios(grad, hand));
        }
    };

    let p = dot::Problem::new();
    row(
        "dot_n1000",
        &mut || {
            black_box(dot::dot_grad(black_box(&p.x), black_box(&p.y)));
        },
        &mut || {
            black_box(dot::hand(black_box(&p.x), black_box(&p.y)));
        },
    );
    let p = mlp::Problem::new();
    row(
        "mlp_30_64_1",
        &mut || {
            black_box(black_box(&p).grad());
        },
        &mut || {
            black_box(black_box(&p).hand());
        },
    );
    let p = logreg::Problem::new();
    let (w, xs, ys) = (&p.w, &*p.xs, &p.ys);
    row(
        "logreg_256x30",
        &mut || {
            black_box(logreg::logreg_loss_grad(
                black_box(w),
                p.b,
                black_box(xs),
                ys,
            ));
        },
        &mut || {
            black_box(logreg::hand(black_box(w), p.b, black_box(xs), ys));
        },
    );
    for (name, input) in [
        ("gmm_d2_K5", gmm_problem::d2_k5()),
        ("gmm_d10_K25", gmm_problem::d10_k25()),
    ] {
        row(
            name,
            &mut || {
                black_box(gmm_problem::grad(black_box(&input)));
            },
            &mut || {
                black_box(gmm_problem::hand(black_box(&input)));
            },
        );
        row(
            &format!("{name}_adbench"),
            &mut || {
                black_box(gmm_problem::grad_adbench(black_box(&input)));
            },
            &mut || {
                black_box(gmm_problem::hand(black_box(&input)));
            },
        );
    }
    let p = recurrence::Problem::new();
    row(
        "recurrence_1000",
        &mut || {
            black_box(recurrence::recurrence_grad(black_box(p.x0), &p.w));
        },
        &mut || {
            black_box(recurrence::hand(black_box(p.x0), &p.w));
        },
    );
    let p = rosenbrock::Problem::new();
    row(
        "rosenbrock_n100",
        &mut || {
            black_box(rosenbrock::rosenbrock_grad(black_box(&p.x)));
        },
        &mut || {
            black_box(rosenbrock::hand(black_box(&p.x)));
        },
    );
}
