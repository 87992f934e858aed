//! Training throughput of the `mlp_digits` example: a 64-64-10 MLP (ReLU, softmax
//! cross-entropy, f64) on the 8x8 digits, plain mini-batch SGD with batch 32.
//!
//! - `mlp_digits/epoch`: one epoch with the [`Trainer`] over the training split (1438 images,
//!   45 steps), reshuffling included. Compare with `python3 benches/sklearn_mlp_epoch.py`.
//! - `mlp_digits/step`: one SGD step on a fixed batch of 32: zero the gradient, 32 calls of
//!   `mlp_loss_adjoint` (forward + reverse sweep), the optimizer update.
//! - `mlp_digits/forward`: the primal loss over the same 32 images; `step / forward` is the
//!   cost of a gradient step in forward passes.
//!
//! ```text
//! cargo bench --bench training
//! ```
// Index loops are what `#[grad]` differentiates, and it copies a parameter array into a local
// one with a loop (`let mut z1 = *b1;` is rejected), which clippy would rather see as a memcpy.
#![allow(clippy::needless_range_loop, clippy::manual_memcpy)]

use std::hint::black_box;

use autodiff::data::{datasets, Dataset, Standardizer};
use autodiff::init::Init;
use autodiff::optim::{Optimizer, Params, SgdConfig};
use autodiff::train::Trainer;
use autodiff::{activation, grad, loss, params, Const};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const D: usize = 64;
const H: usize = 64;
const K: usize = 10;
const BATCH: usize = 32;

#[derive(Clone)]
struct Mlp {
    w1: [[f64; H]; D],
    b1: [f64; H],
    w2: [[f64; K]; H],
    b2: [f64; K],
}
params!(Mlp: f64 { w1, b1, w2, b2 });

/// As in examples/mlp_digits.rs (weights input-major: `w1[k][j]` links pixel `k` to unit `j`).
#[grad]
fn mlp_loss(
    w1: &[[f64; H]; D],
    b1: &[f64; H],
    w2: &[[f64; K]; H],
    b2: &[f64; K],
    x: &[f64; D],
    class: usize,
) -> f64 {
    // z1 = W1 x + b1
    let mut z1 = [0.0; H];
    for j in 0..H {
        z1[j] = b1[j];
    }
    for k in 0..D {
        for j in 0..H {
            z1[j] += x[k] * w1[k][j];
        }
    }
    // z2 = W2 relu(z1) + b2
    let mut z2 = [0.0; K];
    for c in 0..K {
        z2[c] = b2[c];
    }
    for j in 0..H {
        let a = activation::relu(z1[j]);
        for c in 0..K {
            z2[c] += a * w2[j][c];
        }
    }
    loss::softmax_cross_entropy(&z2, class)
}

/// The standardized 80% training split, as in the example.
fn training_split() -> Dataset {
    let (train, _) = datasets::digits()
        .stratified_split(0.2, 42)
        .expect("digits split");
    Standardizer::fit(&train)
        .transform(&train)
        .expect("standardize")
}

/// Seeded He/Glorot-uniform weights, as in the example (the values do not matter for timing).
fn init() -> Mlp {
    let mut mlp = Mlp {
        w1: [[0.0; H]; D],
        b1: [0.0; H],
        w2: [[0.0; K]; H],
        b2: [0.0; K],
    };
    Init::new(3)
        .he_uniform(&mut mlp.w1, D)
        .glorot_uniform(&mut mlp.w2, H, K);
    mlp
}

fn example_adjoint(m: &Mlp, g: &mut Mlp, x: &[f64; D], class: usize, scale: f64) -> f64 {
    mlp_loss_adjoint(
        &m.w1, &m.b1, &m.w2, &m.b2, x, class, scale, &mut g.w1, &mut g.b1, &mut g.w2, &mut g.b2,
        Const,
    )
}

fn mlp_digits(c: &mut Criterion) {
    let train = training_split();
    let labels = train.labels().expect("labels").to_vec();
    let mut group = c.benchmark_group("mlp_digits");

    // One epoch, exactly as the example trains (without its held-out evaluation).
    let mut model = init();
    let mut sgd = SgdConfig::new()
        .with_learning_rate(0.1)
        .build()
        .expect("sgd");
    let trainer = Trainer::new()
        .with_epochs(1)
        .with_batch_size(BATCH)
        .with_progress(false);
    let mut seed = 0;
    group.throughput(Throughput::Elements(train.len() as u64));
    group.bench_function("epoch", |b| {
        b.iter(|| {
            seed += 1;
            let report = trainer
                .clone()
                .with_seed(seed)
                .fit(&mut model, &mut sgd, train.len(), |m, g, i, scale| {
                    example_adjoint(m, g, train.row_array(i), labels[i], scale)
                })
                .expect("training epoch");
            black_box(report.final_loss())
        })
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
                total += example_adjoint(&model, &mut grads, black_box(x), class, scale);
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
                total += mlp_loss(&m.w1, &m.b1, &m.w2, &m.b2, black_box(x), class);
            }
            black_box(total / BATCH as f64)
        })
    });
    group.finish();
}

criterion_group!(benches, mlp_digits);
criterion_main!(benches);
