//! Zero overhead, counted: straight-line and branchy gradients never touch the heap, loops
//! allocate their tape once per call (never per iteration), and the tape holds only values
//! the loop overwrites and the reverse sweep needs (a dot product tapes nothing).
#![allow(clippy::needless_range_loop)] // index loops are what is being differentiated

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use autodiff::{grad, Const};

/// Counts this thread's allocations and bytes (tests run on several threads at once).
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
    static BYTES: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        BYTES.with(|c| c.set(c.get() + layout.size()));
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        BYTES.with(|c| c.set(c.get() + new_size));
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// (allocations, bytes) made by `f` on this thread.
fn count<R>(f: impl FnOnce() -> R) -> (usize, usize, R) {
    let (a0, b0) = (ALLOCATIONS.with(Cell::get), BYTES.with(Cell::get));
    let r = f();
    let (a1, b1) = (ALLOCATIONS.with(Cell::get), BYTES.with(Cell::get));
    (a1 - a0, b1 - b0, r)
}

#[grad]
fn neuron(w: [f64; 3], x: [f64; 2]) -> f64 {
    let z = w[0] * x[0] + w[1] * x[1] + w[2];
    1.0 / (1.0 + (-z).exp())
}

#[grad]
fn branchy(x: f64, y: f64) -> f64 {
    if x > 0.0 {
        return (x * y).sin();
    }
    let t = match (y * 10.0) as i32 {
        0 => x.exp(),
        _ => x * y,
    };
    t.max(y)
}

#[grad]
fn dot(x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * y[i];
    }
    s
}

#[grad]
fn recurrence(x0: f64, w: &[f64]) -> f64 {
    let mut x = x0;
    for t in 0..w.len() {
        x = x.sin() * w[t] + 0.5 * x;
    }
    x
}

#[grad]
fn triangular(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let mut inner: f64 = 0.0;
        for j in 0..=i {
            inner = inner.sin() + x[j];
        }
        s += inner * inner;
    }
    s
}

#[grad]
fn rectangular(x: &[f64], rows: usize) -> f64 {
    let cols = x.len() / rows;
    let mut acc: f64 = 0.0;
    for i in 0..rows {
        for j in 0..cols {
            acc = acc.sin() + x[i * cols + j];
        }
    }
    acc
}

#[test]
fn straight_line_gradients_never_allocate() {
    let (allocs, _, (v, _)) = count(|| neuron_grad([2.0, -3.0, -3.0], [-1.0, -2.0]));
    assert_eq!(allocs, 0);
    assert!(v > 0.7);
    let (allocs, _, _) = count(|| {
        let mut d_w = [0.0; 3];
        neuron_adjoint([2.0, -3.0, -3.0], [-1.0, -2.0], 1.0, &mut d_w, Const)
    });
    assert_eq!(allocs, 0);
}

/// A model as a struct, with a layer that returns its activations as an array.
#[derive(Clone, Debug, Default, autodiff::Params)]
struct Tiny {
    hidden: Layer,
    out: [f64; 2],
    bias: f64,
}

#[derive(Clone, Debug, Default, autodiff::Params)]
struct Layer {
    w: [[f64; 3]; 2],
    b: [f64; 2],
}

#[grad]
fn layer(l: &Layer, x: &[f64; 3]) -> [f64; 2] {
    [
        (l.w[0][0] * x[0] + l.w[0][1] * x[1] + l.w[0][2] * x[2] + l.b[0]).tanh(),
        (l.w[1][0] * x[0] + l.w[1][1] * x[1] + l.w[1][2] * x[2] + l.b[1]).tanh(),
    ]
}

#[grad(net)]
fn tiny_loss(net: &Tiny, x: &[f64; 3], y: f64) -> f64 {
    let h = layer(&net.hidden, x);
    let z = net.out[0] * h[0] + net.out[1] * h[1] + net.bias;
    (z - y) * (z - y)
}

#[test]
fn struct_models_and_array_layers_never_allocate() {
    let net = Tiny {
        hidden: Layer {
            w: [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]],
            b: [0.0, 0.1],
        },
        out: [1.0, -1.0],
        bias: 0.2,
    };
    let mut g = Tiny::default();
    let (allocs, _, _) =
        count(|| tiny_loss_adjoint(&net, &[1.0, 2.0, 3.0], 0.5, 1.0, &mut g, Const, Const));
    assert_eq!(allocs, 0);
    let (allocs, _, (v, d)) = count(|| tiny_loss_grad(&net, &[1.0, 2.0, 3.0], 0.5));
    assert_eq!(allocs, 0);
    assert_eq!(v, tiny_loss(&net, &[1.0, 2.0, 3.0], 0.5));
    assert_eq!(d.bias, g.bias);
}

#[test]
fn branches_and_early_returns_never_allocate() {
    for (x, y) in [(1.0, 0.5), (-1.0, 0.05), (-1.0, 0.5)] {
        let (allocs, _, _) = count(|| branchy_grad(x, y));
        assert_eq!(allocs, 0, "at ({x}, {y})");
    }
}

#[test]
fn a_dot_product_of_a_million_tapes_nothing() {
    let n = 1_000_000;
    let x = vec![0.5; n];
    let y = vec![2.0; n];
    let mut d_x = vec![0.0; n];
    let (allocs, bytes, v) = count(|| dot_adjoint(&x, &y, 1.0, &mut d_x, Const));
    assert_eq!((allocs, bytes), (0, 0));
    assert_eq!(v, n as f64);
    assert!(d_x.iter().all(|&g| g == 2.0));
}

#[test]
fn a_loop_allocates_its_tape_once_and_only_for_what_it_overwrites() {
    for n in [10, 1000, 100_000] {
        let w = vec![0.3; n];
        let mut d_w = vec![0.0; n];
        let mut d_x0 = 0.0;
        let (allocs, bytes, _) = count(|| recurrence_adjoint(0.1, &w, 1.0, &mut d_x0, &mut d_w));
        // One tape, reserved to the trip count: the old x and sin(x) of each step.
        assert_eq!(allocs, 1, "n = {n}");
        assert_eq!(bytes, n * 2 * std::mem::size_of::<f64>(), "n = {n}");
    }
}

#[test]
fn rectangular_nested_loops_reserve_their_tape_once() {
    for rows in [2, 20, 2000] {
        let x = vec![0.1; rows * 8];
        let mut d_x = vec![0.0; rows * 8];
        let (allocs, bytes, _) = count(|| rectangular_adjoint(&x, rows, 1.0, &mut d_x));
        // The inner loop tapes `acc` once per step; the outer loop reserves all of it.
        assert_eq!(allocs, 1, "rows = {rows}");
        assert_eq!(
            bytes,
            rows * 8 * std::mem::size_of::<f64>(),
            "rows = {rows}"
        );
    }
}

#[test]
fn nested_loops_allocate_a_logarithmic_number_of_times_never_per_iteration() {
    let mut counts = Vec::new();
    for n in [10, 100, 1000] {
        let x = vec![0.3; n];
        let mut d_x = vec![0.0; n];
        let (allocs, _, _) = count(|| triangular_adjoint(&x, 1.0, &mut d_x));
        counts.push(allocs);
    }
    eprintln!("allocations for n = 10, 100, 1000: {counts:?}");
    // The inner tape grows by doubling as the outer loop reserves each inner trip count:
    // O(log n) allocations for n^2 / 2 iterations.
    assert!(counts[2] <= 2 * 10 + 2, "allocations {counts:?}");
    assert!(counts[2] < 100);
}
