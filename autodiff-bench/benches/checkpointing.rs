//! Checkpointed against taped loops: the reverse sweep of the recurrence
//! `x <- sin(x) w_t + 0.5 x` over n = 10^4 and 10^6 steps, with the loop taped (two floats per
//! step) and marked `#[checkpoint]` (ceil(sqrt n) saved states and a tape of one segment, for
//! one more forward run of the loop).
//!
//! - `checkpointing_n{10000,1000000}/{primal,taped,checkpointed}`: the function, and
//!   `NAME_adjoint` (forward and reverse sweep) into a reused gradient buffer.
//! - Before criterion runs, the peak of the heap during one `NAME_adjoint` call of each, from
//!   a counting allocator (the gradient buffer is allocated before and not counted).
//!
//! ```text
//! cargo bench -p autodiff-bench --bench checkpointing
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use autodiff::{grad, Const};
use criterion::{criterion_group, criterion_main, Criterion};

/// x <- sin(x) w_t + 0.5 x, taped (the index loop is what is differentiated).
#[allow(clippy::needless_range_loop)]
#[grad]
fn taped(x0: f64, w: &[f64]) -> f64 {
    let mut x = x0;
    for t in 0..w.len() {
        x = x.sin() * w[t] + 0.5 * x;
    }
    x
}

/// The same, checkpointed.
#[allow(clippy::needless_range_loop)]
#[grad]
fn checkpointed(x0: f64, w: &[f64]) -> f64 {
    let mut x = x0;
    #[checkpoint]
    for t in 0..w.len() {
        x = x.sin() * w[t] + 0.5 * x;
    }
    x
}

/// Live heap bytes and their peak (the benchmark is single-threaded).
struct Peak;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Peak {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Relaxed) + layout.size();
        PEAK.fetch_max(live, Relaxed);
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let live = LIVE.fetch_add(new_size, Relaxed) + new_size;
        PEAK.fetch_max(live, Relaxed);
        LIVE.fetch_sub(layout.size(), Relaxed);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Peak = Peak;

/// The peak heap bytes `f` adds to what is live when it starts.
fn peak_bytes(f: impl FnOnce()) -> usize {
    let before = LIVE.load(Relaxed);
    PEAK.store(before, Relaxed);
    f();
    PEAK.load(Relaxed) - before
}

fn weights(n: usize) -> Vec<f64> {
    (0..n)
        .map(|t| 0.9 + 0.2 * ((t as f64) * 0.37).sin())
        .collect()
}

fn bench_checkpointing(c: &mut Criterion) {
    for n in [10_000, 1_000_000] {
        let w = weights(n);
        let mut d_w = vec![0.0; n];
        let taped_peak = peak_bytes(|| {
            taped_adjoint(0.3, &w, 1.0, Const, &mut d_w[..]);
        });
        let expected = d_w.clone();
        d_w.fill(0.0);
        let checkpointed_peak = peak_bytes(|| {
            checkpointed_adjoint(0.3, &w, 1.0, Const, &mut d_w[..]);
        });
        assert_eq!(expected, d_w, "the checkpointed gradient is the taped one");
        println!(
            "checkpointing_n{n}: peak heap of the reverse sweep: taped {taped_peak} bytes, checkpointed {checkpointed_peak} bytes ({:.0}x less)",
            taped_peak as f64 / checkpointed_peak.max(1) as f64
        );

        let mut g = c.benchmark_group(format!("checkpointing_n{n}"));
        g.sample_size(if n > 100_000 { 20 } else { 50 });
        g.bench_function("primal", |b| {
            b.iter(|| checkpointed(black_box(0.3), black_box(&w)))
        });
        g.bench_function("taped", |b| {
            b.iter(|| taped_adjoint(black_box(0.3), black_box(&w), 1.0, Const, &mut d_w[..]))
        });
        g.bench_function("checkpointed", |b| {
            b.iter(|| checkpointed_adjoint(black_box(0.3), black_box(&w), 1.0, Const, &mut d_w[..]))
        });
        g.finish();
    }
}

criterion_group!(benches, bench_checkpointing);
criterion_main!(benches);
