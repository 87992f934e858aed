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
//! python3 autodiff-bench/benches/instructions.py             # instruction counts instead
//! ```

use std::hint::black_box;
use std::rc::Rc;
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

/// One problem: `NAME_grad` and the hand-written gradient, each a call on the problem's data.
struct Row {
    name: String,
    grad: Box<dyn FnMut()>,
    hand: Box<dyn FnMut()>,
}

fn row(name: &str, grad: impl FnMut() + 'static, hand: impl FnMut() + 'static) -> Row {
    Row {
        name: name.to_string(),
        grad: Box::new(grad),
        hand: Box::new(hand),
    }
}

/// The problems of `benches/gradients.rs`, in its order; each one's data is shared by its two
/// calls.
fn rows() -> Vec<Row> {
    let mut rows = Vec::new();
    let p = Rc::new(dot::Problem::new());
    let q = Rc::clone(&p);
    rows.push(row(
        "dot_n1000",
        move || {
            black_box(dot::dot_grad(black_box(&p.x), black_box(&p.y)));
        },
        move || {
            black_box(dot::hand(black_box(&q.x), black_box(&q.y)));
        },
    ));
    let p = Rc::new(mlp::Problem::new());
    let q = Rc::clone(&p);
    rows.push(row(
        "mlp_30_64_1",
        move || {
            black_box(black_box(&*p).grad());
        },
        move || {
            black_box(black_box(&*q).hand());
        },
    ));
    let p = Rc::new(logreg::Problem::new());
    let q = Rc::clone(&p);
    rows.push(row(
        "logreg_256x30",
        move || {
            black_box(logreg::logreg_loss_grad(
                black_box(&p.w),
                p.b,
                black_box(&*p.xs),
                &p.ys,
            ));
        },
        move || {
            black_box(logreg::hand(black_box(&q.w), q.b, black_box(&*q.xs), &q.ys));
        },
    ));
    for (name, input) in [
        ("gmm_d2_K5", gmm_problem::d2_k5()),
        ("gmm_d10_K25", gmm_problem::d10_k25()),
    ] {
        let input = Rc::new(input);
        let [a, b, c, d] = [(); 4].map(|()| Rc::clone(&input));
        rows.push(row(
            name,
            move || {
                black_box(gmm_problem::grad(black_box(&a)));
            },
            move || {
                black_box(gmm_problem::hand(black_box(&b)));
            },
        ));
        rows.push(row(
            &format!("{name}_adbench"),
            move || {
                black_box(gmm_problem::grad_adbench(black_box(&c)));
            },
            move || {
                black_box(gmm_problem::hand(black_box(&d)));
            },
        ));
    }
    let p = Rc::new(recurrence::Problem::new());
    let q = Rc::clone(&p);
    rows.push(row(
        "recurrence_1000",
        move || {
            black_box(recurrence::recurrence_grad(black_box(p.x0), &p.w));
        },
        move || {
            black_box(recurrence::hand(black_box(q.x0), &q.w));
        },
    ));
    let p = Rc::new(rosenbrock::Problem::new());
    let q = Rc::clone(&p);
    rows.push(row(
        "rosenbrock_n100",
        move || {
            black_box(rosenbrock::rosenbrock_grad(black_box(&p.x)));
        },
        move || {
            black_box(rosenbrock::hand(black_box(&q.x)));
        },
    ));
    rows
}

/// `--calls N ROW grad|hand`: exactly `N` calls of one side of one row and nothing else, for an
/// instruction counter (`benches/instructions.py` runs it under callgrind and takes the
/// difference of two call counts, which cancels building the problems).
fn count_calls(args: &[String]) {
    let usage = "usage: interleaved --calls N ROW grad|hand";
    let [calls, name, side] = args else {
        panic!("{usage}");
    };
    let calls: u64 = calls.parse().expect(usage);
    let mut rows = rows();
    let Some(r) = rows.iter_mut().find(|r| r.name == *name) else {
        panic!("no row named {name}");
    };
    let f = match side.as_str() {
        "grad" => &mut r.grad,
        "hand" => &mut r.hand,
        _ => panic!("{usage}"),
    };
    for _ in 0..calls {
        f();
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `--calls` asks for a fixed number of calls, `--list` for
    // the row names; any other argument is a filter on the row names.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if let Some(at) = args.iter().position(|a| a == "--calls") {
        return count_calls(&args[at + 1..]);
    }
    if args.iter().any(|a| a == "--list") {
        return rows().iter().for_each(|r| println!("{}", r.name));
    }
    let filter = args.iter().find(|a| !a.starts_with('-'));
    println!("grad / hand-written: median of {ROUNDS} interleaved rounds (goal <= 1.10)\n");
    println!("| problem | grad / hand | range | goal met |");
    println!("|---|---:|---:|---|");
    for mut r in rows() {
        if filter.is_none_or(|f| r.name.contains(f.as_str())) {
            report(&r.name, ratios(&mut r.grad, &mut r.hand));
        }
    }
}
