//! Zero overhead, counted: straight-line and branchy gradients never touch the heap, loops
//! allocate their tape once per call (never per iteration), and the tape holds only values
//! the loop overwrites and the reverse sweep needs (a dot product tapes nothing). A tape keeps
//! its first entries on the stack: loops over literal ranges (up to 256 entries) and short
//! loops do not allocate at all.
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

/// The largest element found twice, as ADBench's `arr_max` writes it (a branch) and with
/// `f64::max`: each loop keeps the index of its maximum, not a decision or a running value per
/// element.
#[grad]
fn peak_squared(x: &[f64]) -> f64 {
    let mut m = x[0];
    for i in 1..x.len() {
        if m < x[i] {
            m = x[i];
        }
    }
    let mut top = x[0];
    for i in 1..x.len() {
        top = top.max(x[i]);
    }
    m * top
}

#[test]
fn a_running_maximum_tapes_nothing() {
    let n = 100_000;
    let x: Vec<f64> = (0..n).map(|i| ((i * 7919) % n) as f64 / n as f64).collect();
    let mut d_x = vec![0.0; n];
    let (allocs, bytes, v) = count(|| peak_squared_adjoint(&x, 1.0, &mut d_x[..]));
    assert_eq!((allocs, bytes), (0, 0));
    let peak = (n - 1) as f64 / n as f64;
    assert_eq!(v, peak * peak);
    let at = x.iter().position(|&e| e == peak).unwrap();
    assert_eq!(d_x[at], 2.0 * peak);
    assert_eq!(d_x.iter().filter(|&&g| g != 0.0).count(), 1);
}

/// Rows of a packed lower triangle walked with a running index, folded with a decay (so the
/// outer loop is reversed after it, not fused with its reverse).
#[grad(packed)]
fn packed_rows(packed: &[f64], x: &[f64]) -> f64 {
    let mut l = 0;
    let mut total = 0.0;
    for i in 0..x.len() {
        let mut row = 0.0;
        for j in 0..=i {
            row += packed[l] * x[j];
            l += 1;
        }
        total = 0.5 * total + row;
    }
    total
}

#[test]
fn a_running_index_through_nested_loops_is_not_taped() {
    let d = 200;
    let packed = vec![1.0; d * (d + 1) / 2];
    let x = vec![1.0; d];
    let mut d_packed = vec![0.0; packed.len()];
    let (allocs, bytes, _) =
        count(|| packed_rows_adjoint(&packed, &x, 1.0, &mut d_packed[..], Const));
    assert_eq!((allocs, bytes), (0, 0));
    // Row i is weighted by 0.5^(d - 1 - i): the last row's entries by 1.
    assert_eq!(d_packed[packed.len() - 1], 1.0);
    assert_eq!(d_packed[packed.len() - d - 1], 0.5);
}

/// The entries a tape of a loop with a run-time trip count keeps on the stack.
const STACK_ENTRIES: usize = 32;

#[test]
fn a_loop_allocates_its_tape_once_and_only_for_what_it_overwrites() {
    for n in [10, 1000, 100_000] {
        let w = vec![0.3; n];
        let mut d_w = vec![0.0; n];
        let mut d_x0 = 0.0;
        let (allocs, bytes, _) = count(|| recurrence_adjoint(0.1, &w, 1.0, &mut d_x0, &mut d_w));
        // One tape (the old x and sin(x) of each step): on the stack when it fits, else
        // reserved once on the heap, whole.
        let heap = if n > STACK_ENTRIES { n } else { 0 };
        assert_eq!(allocs, usize::from(heap > 0), "n = {n}");
        assert_eq!(bytes, heap * 2 * std::mem::size_of::<f64>(), "n = {n}");
    }
}

#[test]
fn rectangular_nested_loops_reserve_their_tape_once() {
    for rows in [2, 20, 2000] {
        let x = vec![0.1; rows * 8];
        let mut d_x = vec![0.0; rows * 8];
        let (allocs, bytes, _) = count(|| rectangular_adjoint(&x, rows, 1.0, &mut d_x));
        // The inner loop tapes `acc` once per step; the outer loop reserves all of it.
        let heap = if rows * 8 > STACK_ENTRIES {
            rows * 8
        } else {
            0
        };
        assert_eq!(allocs, usize::from(heap > 0), "rows = {rows}");
        assert_eq!(bytes, heap * std::mem::size_of::<f64>(), "rows = {rows}");
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

// ----- constant trip counts: the goal is no allocation at all -----------------------------------
//
// A loop whose trip count is a literal knows its tape's size at compile time, so the tape
// lives on the stack like the hand-written gradient's arrays (up to 256 entries).

/// A reduction over a fixed-size array: nothing is overwritten that the reverse sweep needs.
#[grad]
fn sum_of_squares_64(x: &[f64; 64]) -> f64 {
    let mut s = 0.0;
    for j in 0..64 {
        s += x[j] * x[j];
    }
    s
}

/// A fixed-size dot product of two parameters.
#[grad]
fn dot_64(x: &[f64; 64], y: &[f64; 64]) -> f64 {
    let mut s = 0.0;
    for j in 0..64 {
        s += x[j] * y[j];
    }
    s
}

/// A recurrence over a fixed-size array: each step overwrites `s`, which the next step's
/// derivative needs (64 values to keep).
#[grad]
fn recurrence_64(x0: f64, w: &[f64; 64]) -> f64 {
    let mut s = x0;
    for j in 0..64 {
        s = s.sin() * w[j] + 0.5 * s;
    }
    s
}

/// One MLP-like layer: 64 ReLU units over 30 inputs, stored in a local `[f64; 64]`, then a
/// linear read-out.
#[grad(w, b, v)]
fn relu_layer_64x30(w: &[[f64; 30]; 64], b: &[f64; 64], v: &[f64; 64], x: &[f64; 30]) -> f64 {
    let mut h = [0.0; 64];
    for j in 0..64 {
        let mut z = b[j];
        for k in 0..30 {
            z += w[j][k] * x[k];
        }
        h[j] = z.max(0.0);
    }
    let mut out = 0.0;
    for j in 0..64 {
        out += v[j] * h[j];
    }
    out
}

/// The same layer with the read-out fused into the loop (the benchmark MLP's form): the
/// pre-activation `z` is overwritten per unit and needed by the ReLU's derivative.
#[grad(w, b, v)]
fn relu_fused_64x30(w: &[[f64; 30]; 64], b: &[f64; 64], v: &[f64; 64], x: &[f64; 30]) -> f64 {
    let mut out = 0.0;
    for j in 0..64 {
        let mut z = b[j];
        for k in 0..30 {
            z += w[j][k] * x[k];
        }
        out += v[j] * z.max(0.0);
    }
    out
}

/// Extended Rosenbrock on a fixed-size array: 50 independent pairs.
#[grad]
fn rosenbrock_100(x: &[f64; 100]) -> f64 {
    let mut s = 0.0;
    for i in 0..50 {
        let a = x[2 * i];
        let b = x[2 * i + 1];
        s += 100.0 * (b - a * a).powi(2) + (1.0 - a).powi(2);
    }
    s
}

/// A fixed-size array smoothed in place: each element is overwritten from its old value.
#[grad]
fn smooth_in_place_64(x: &[f64; 64]) -> f64 {
    let mut h = *x;
    for j in 1..64 {
        h[j] = (h[j] + h[j - 1]).tanh();
    }
    h[63]
}

fn ramp<const N: usize>(lo: f64, hi: f64) -> [f64; N] {
    std::array::from_fn(|i| lo + (hi - lo) * i as f64 / (N - 1) as f64)
}

#[test]
fn a_constant_trip_count_reduction_never_allocates() {
    let x = ramp::<64>(-1.0, 1.0);
    let y = ramp::<64>(2.0, -0.5);
    let mut d_x = [0.0; 64];
    let (allocs, _, _) = count(|| sum_of_squares_64_adjoint(&x, 1.0, &mut d_x));
    assert_eq!(allocs, 0);
    assert_eq!(d_x[5], 2.0 * x[5]);
    let mut d_y = [0.0; 64];
    let (allocs, _, _) = count(|| dot_64_adjoint(&x, &y, 1.0, &mut d_x, &mut d_y));
    assert_eq!(allocs, 0);
    assert_eq!(d_y, x);
    let (allocs, _, _) = count(|| dot_64_grad(&x, &y));
    assert_eq!(allocs, 0);
}

#[test]
fn a_fixed_size_rosenbrock_never_allocates() {
    let x: [f64; 100] = std::array::from_fn(|i| if i % 2 == 0 { -1.2 } else { 1.0 });
    let mut d_x = [0.0; 100];
    let (allocs, _, v) = count(|| rosenbrock_100_adjoint(&x, 1.0, &mut d_x));
    assert_eq!(allocs, 0);
    assert!((v - 50.0 * 24.2).abs() < 1e-10);
    assert!((d_x[0] + 215.6).abs() < 1e-12 && (d_x[1] + 88.0).abs() < 1e-12);
}

#[test]
fn a_constant_trip_count_recurrence_never_allocates() {
    let w = ramp::<64>(0.5, 1.5);
    let mut d_w = [0.0; 64];
    let mut d_x0 = 0.0;
    let (allocs, bytes, _) = count(|| recurrence_64_adjoint(0.3, &w, 1.0, &mut d_x0, &mut d_w));
    assert_eq!((allocs, bytes), (0, 0));
}

#[test]
fn an_mlp_layer_with_a_local_activation_array_never_allocates() {
    let w: [[f64; 30]; 64] = std::array::from_fn(|j| ramp(-0.2 + 0.005 * j as f64, 0.2));
    let b = ramp::<64>(-0.3, 0.3);
    let v = ramp::<64>(1.0, -1.0);
    let x = ramp::<30>(-1.0, 1.0);
    let (mut d_w, mut d_b, mut d_v) = ([[0.0; 30]; 64], [0.0; 64], [0.0; 64]);
    let (allocs, bytes, _) = count(|| {
        relu_layer_64x30_adjoint(&w, &b, &v, &x, 1.0, &mut d_w, &mut d_b, &mut d_v, Const)
    });
    assert_eq!((allocs, bytes), (0, 0));
}

#[test]
fn an_mlp_layer_with_a_fused_read_out_never_allocates() {
    let w: [[f64; 30]; 64] = std::array::from_fn(|j| ramp(-0.2 + 0.005 * j as f64, 0.2));
    let b = ramp::<64>(-0.3, 0.3);
    let v = ramp::<64>(1.0, -1.0);
    let x = ramp::<30>(-1.0, 1.0);
    let (mut d_w, mut d_b, mut d_v) = ([[0.0; 30]; 64], [0.0; 64], [0.0; 64]);
    let (allocs, bytes, _) = count(|| {
        relu_fused_64x30_adjoint(&w, &b, &v, &x, 1.0, &mut d_w, &mut d_b, &mut d_v, Const)
    });
    assert_eq!((allocs, bytes), (0, 0));
}

#[test]
fn a_fixed_size_array_overwritten_in_place_never_allocates() {
    let x = ramp::<64>(-1.0, 1.0);
    let mut d_x = [0.0; 64];
    let (allocs, bytes, _) = count(|| smooth_in_place_64_adjoint(&x, 1.0, &mut d_x));
    assert_eq!((allocs, bytes), (0, 0));
}

// ----- scratch buffers passed to calls inside loops ---------------------------------------------

#[grad]
fn sqnorm(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * x[i];
    }
    s
}

/// A scratch buffer refilled per iteration and passed to a call (ADBench's GMM does this with
/// `Qxcentered` and `main_term`): the call's reverse sweep needs what the buffer held then.
/// The loop accumulates and the result is linear in the sum, so each iteration's reverse runs
/// right after its forward, while the buffer still holds it.
#[grad]
fn scaled_norms(x: &[f64], n: usize) -> f64 {
    let mut buf = vec![0.0; x.len()];
    let mut s = 0.0;
    for i in 0..n {
        for j in 0..x.len() {
            buf[j] = x[j] * i as f64;
        }
        s += sqnorm(&buf);
    }
    s
}

/// The same with a result that is not linear in the sum: the reverse sweep runs after the
/// loop and needs every iteration's buffer.
#[grad]
fn scaled_norms_rms(x: &[f64], n: usize) -> f64 {
    let mut buf = vec![0.0; x.len()];
    let mut s = 0.0;
    for i in 0..n {
        for j in 0..x.len() {
            buf[j] = x[j] * i as f64;
        }
        s += sqnorm(&buf);
    }
    (s / n as f64).sqrt()
}

/// Allocations of `adjoint(n)` for n = 10 and 1000.
fn counts_for(mut adjoint: impl FnMut(usize)) -> Vec<usize> {
    [10, 1000]
        .into_iter()
        .map(|n| count(|| adjoint(n)).0)
        .collect()
}

#[test]
fn a_scratch_buffer_passed_to_a_call_in_an_accumulation_loop_is_not_taped() {
    let x = [1.0, -2.0, 3.0, 0.5, 0.25];
    let mut d_x = [0.0; 5];
    let counts = counts_for(|n| {
        scaled_norms_adjoint(&x, n, 1.0, &mut d_x[..]);
    });
    assert_eq!(
        counts[0], counts[1],
        "allocations for n = 10, 1000: {counts:?}"
    );
}

#[test]
fn a_scratch_buffer_passed_to_a_call_in_a_loop_allocates_per_call_not_per_iteration() {
    let x = [1.0, -2.0, 3.0, 0.5, 0.25];
    let mut d_x = [0.0; 5];
    let counts = counts_for(|n| {
        scaled_norms_rms_adjoint(&x, n, 1.0, &mut d_x[..]);
    });
    assert_eq!(
        counts[0], counts[1],
        "allocations for n = 10, 1000: {counts:?}"
    );
}

// ----- forward mode: no tape, so a tangent never allocates for fixed sizes -------------------

#[grad(modes(tangent))]
fn norm3(v: &[f64; 3]) -> f64 {
    (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt()
}

/// Loops, a local array, a call and a matrix: what a layer does.
#[grad(x, modes(tangent, jacobian))]
fn flow(x: &[f64; 3], w: &[[f64; 3]; 3]) -> [f64; 3] {
    let mut h = [0.0; 3];
    for i in 0..3 {
        let mut z = x[i];
        for j in 0..3 {
            z += w[i][j] * x[j].tanh();
        }
        h[i] = if z > 0.0 { z.sin() } else { z * 0.5 };
    }
    let s = norm3(&h);
    [h[0] * s, h[1] + s, h[2]]
}

#[grad(modes(tangent))]
fn long_recurrence(x0: f64, w: &[f64]) -> f64 {
    let mut x = x0;
    for t in 0..w.len() {
        x = x.sin() * w[t] + 0.5 * x;
    }
    x
}

#[test]
fn forward_mode_never_allocates_for_fixed_sizes() {
    let x = [0.3, -0.2, 0.9];
    let w = [[0.5, -0.1, 0.2], [0.0, 0.3, -0.4], [0.7, 0.1, 0.1]];
    let (allocs, _, (v, t)) = count(|| flow_tangent(&x, &w, &[1.0, 0.0, 0.0], Const));
    assert_eq!(allocs, 0);
    assert_eq!(v, flow(&x, &w));
    let (allocs, _, (_, j)) = count(|| flow_jacobian(&x, &w));
    assert_eq!(allocs, 0);
    for i in 0..3 {
        assert_eq!(j[i][0], t[i]);
    }
}

#[test]
fn forward_mode_tapes_nothing_even_over_a_long_loop() {
    let n = 100_000;
    let w = vec![0.3; n];
    let v = vec![1.0; n];
    let (allocs, bytes, _) = count(|| long_recurrence_tangent(0.5, &w, 1.0, &v));
    assert_eq!((allocs, bytes), (0, 0));
}
