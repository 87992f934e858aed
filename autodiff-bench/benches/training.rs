//! Training throughput of the `mlp_digits` example: a 64-64-10 MLP (ReLU, softmax
//! cross-entropy, f64) on the 8x8 digits, plain mini-batch SGD with batch 32.
//!
//! - `mlp_digits/epoch`: one epoch with the [`Trainer`] on one thread over the training split
//!   (1438 images, 45 steps), reshuffling included. Compare with
//!   `python3 benches/sklearn_mlp_epoch.py`.
//! - `mlp_digits/step`: one SGD step on a fixed batch of 32: zero the gradient, 32 calls of
//!   `mlp_loss_adjoint` (forward + reverse sweep), the optimizer update.
//! - `mlp_digits/forward`: the primal loss over the same 32 images; `step / forward` is the
//!   cost of a gradient step in forward passes.
//! - `mlp_digits_threads/run5/batch{32,256}/threads{1,2}`: a run of 5 epochs on 1 and 2
//!   threads (the thread pool's start included, once per run as in real use): the
//!   multi-core speedup.
//!
//! ```text
//! cargo bench -p autodiff-bench --bench training
//! ```
// The model (parameters, `#[grad]` loss, `init`) is the example's, shared through
// examples/models/digits_mlp.rs; the data preparation is the example's too.
#[path = "../../examples/models/common.rs"]
mod common;
#[path = "../../examples/models/digits_mlp.rs"]
mod digits_mlp;

use std::hint::black_box;

use autodiff::data::{datasets, Dataset};
use autodiff::optim::{Optimizer, Params, SgdConfig};
use autodiff::train::Trainer;
use autodiff::Const;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use digits_mlp::{mlp_loss, mlp_loss_adjoint, D};

const BATCH: usize = 32;
/// The epochs of a run in `mlp_digits_threads`.
const RUN_EPOCHS: usize = 5;

/// The standardized 80% training split, as in the example.
fn training_split() -> Dataset {
    let (train, _) = common::standardized_split(datasets::digits()).expect("digits split");
    train
}

/// Seeded He/Glorot-uniform weights, as in the example (the values do not matter for timing).
fn init() -> digits_mlp::Mlp {
    digits_mlp::init(3)
}

fn mlp_digits(c: &mut Criterion) {
    let train = training_split();
    let labels = train.labels().expect("labels").to_vec();
    let mut group = c.benchmark_group("mlp_digits");

    // The first epoch, exactly as the example trains (without its held-out evaluation).
    // On one thread, as scikit-learn's comparison runs.
    let trainer = Trainer::new()
        .with_epochs(1)
        .with_batch_size(BATCH)
        .with_threads(1)
        .with_progress(false);
    group.throughput(Throughput::Elements(train.len() as u64));
    group.bench_function("epoch", |b| {
        b.iter(|| black_box(run(&trainer, &train, &labels)))
    });

    // One step vs one forward pass over the same batch.
    let batch: Vec<(&[f64; D], usize)> = (0..BATCH)
        .map(|i| (train.row_array(i), labels[i]))
        .collect();
    let mut model = init();
    let mut grads = init();
    let mut sgd = SgdConfig::new()
        .with_learning_rate(0.1)
        .build()
        .expect("sgd");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("step", |b| {
        b.iter(|| {
            grads.zero();
            let scale = 1.0 / BATCH as f64;
            let mut total = 0.0;
            for &(x, class) in &batch {
                total += mlp_loss_adjoint(&model, black_box(x), class, scale, &mut grads, Const);
            }
            sgd.step(&mut model, &grads);
            black_box(total)
        })
    });
    let model = init();
    group.bench_function("forward", |b| {
        b.iter(|| {
            let m = black_box(&model);
            let mut total = 0.0;
            for &(x, class) in &batch {
                total += mlp_loss(m, black_box(x), class);
            }
            black_box(total / BATCH as f64)
        })
    });
    group.finish();
}

/// One run of `trainer` from the same initial weights and the same shuffles every call, so that
/// every call and every setting does the same work; returns the final loss.
fn run(trainer: &Trainer, train: &Dataset, labels: &[usize]) -> f64 {
    let mut model = init();
    let mut sgd = SgdConfig::new()
        .with_learning_rate(0.1)
        .build()
        .expect("sgd");
    let report = trainer
        .fit(&mut model, &mut sgd, train.len(), |m, g, i, scale| {
            mlp_loss_adjoint(m, train.row_array(i), labels[i], scale, g, Const)
        })
        .expect("training run");
    report.final_loss().unwrap_or(f64::NAN)
}

/// Runs of a few epochs on 1 and 2 threads, for batches of 32 and 256: the multi-core speedup
/// of the trainer's per-worker accumulators (`run5/batch256/threads1` over `.../threads2`).
fn mlp_digits_threads(c: &mut Criterion) {
    let train = training_split();
    let labels = train.labels().expect("labels").to_vec();
    let mut group = c.benchmark_group("mlp_digits_threads");
    group.throughput(Throughput::Elements((RUN_EPOCHS * train.len()) as u64));
    for batch in [32, 256] {
        for threads in [1, 2] {
            let trainer = Trainer::new()
                .with_epochs(RUN_EPOCHS)
                .with_batch_size(batch)
                .with_threads(threads)
                .with_progress(false);
            let id = format!("run{RUN_EPOCHS}/batch{batch}/threads{threads}");
            group.bench_function(id, |b| b.iter(|| black_box(run(&trainer, &train, &labels))));
        }
    }
    group.finish();
}

criterion_group!(benches, mlp_digits, mlp_digits_threads);
criterion_main!(benches);
