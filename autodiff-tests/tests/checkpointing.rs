//! `#[checkpoint]` loops: the reverse sweep replays segments of ceil(sqrt(n)) iterations
//! from saved states instead of a tape of all n. Each function here has a twin without the
//! marker: the gradients must be the same, bit for bit, for every loop shape and trip count,
//! and match central differences. The memory test at the end measures the peak of the heap.
#![deny(warnings)]
#![allow(clippy::needless_range_loop)] // index loops are what is being differentiated

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use autodiff::{grad, Const, Float};
use common::{assert_matches_fd, Rng};
use proptest::prelude::*;

/// Defines `$ck` with `#[checkpoint]` on the loop and `$taped` without it.
macro_rules! twins {
    (
        $(#[$attr:meta])*
        fn $ck:ident / $taped:ident $(<$g:ident: $bound:path>)? ($($params:tt)*) -> $ret:tt {
            [$($pre:tt)*]
            $($looped:tt)*
        }
    ) => {
        $(#[$attr])*
        #[grad]
        fn $ck $(<$g: $bound>)? ($($params)*) -> $ret {
            $($pre)*
            #[checkpoint]
            $($looped)*
        }

        $(#[$attr])*
        #[grad]
        fn $taped $(<$g: $bound>)? ($($params)*) -> $ret {
            $($pre)*
            $($looped)*
        }
    };
}

twins! {
    fn recurrence / recurrence_taped(x0: f64, w: &[f64]) -> f64 {
        [
            let mut x = x0;
        ]
        for t in 0..w.len() {
            x = x.sin() * w[t] + 0.5 * x;
        }
        x
    }
}

twins! {
    /// A branch and a call in the body, two carried floats, a carried integer and a bool.
    fn branchy / branchy_taped(x0: f64, w: &[f64], c: f64) -> f64 {
        [
            let mut x = x0;
            let mut y = c;
            let mut flips = 0usize;
            let mut up = true;
        ]
        for t in 0..w.len() {
            if up && x > 0.2 {
                x = (x * w[t]).tanh() + y * 0.1;
                flips += 1;
            } else {
                x = step(x, w[t]) - 0.05 * y;
            }
            up = !up || flips % 3 == 1;
            y = 0.9 * y + x * c;
        }
        x * y + flips as f64 * x
    }
}

#[grad]
fn step(x: f64, w: f64) -> f64 {
    x * x * w * 0.5 + w.sin()
}

twins! {
    /// A state array updated through nested loops, read again after the loop.
    fn rnn / rnn_taped(w: &[[f64; 3]; 3], u: &[f64], h0: &[f64; 3]) -> f64 {
        [
            let mut h = *h0;
            let mut total = 0.0;
        ]
        for t in 0..u.len() {
            let mut z = [0.0; 3];
            for i in 0..3 {
                let mut s = u[t];
                for j in 0..3 {
                    s += w[i][j] * h[j];
                }
                z[i] = s;
            }
            for i in 0..3 {
                h[i] = z[i].tanh();
            }
            total += h[0] * h[1];
        }
        total + h[0] * h[2]
    }
}

twins! {
    /// A `Vec` state, an array written after the loop (the loop's reads must see the old
    /// values), and a `while` inside the body.
    fn vec_state / vec_state_taped(x: &[f64], steps: usize) -> f64 {
        [
            let mut v = x.to_vec();
            let mut scale = vec![1.0; x.len()];
        ]
        for k in 1..=steps {
            let mut j = 0;
            while j < v.len() {
                v[j] = v[j] * scale[j] + (v[(j + 1) % v.len()] / k as f64).sin();
                j += 1;
            }
        }
        scale[0] = 2.0;
        v.iter().zip(scale.iter()).map(|(a, b)| a * b).sum::<f64>()
    }
}

twins! {
    /// Iteration over elements, backwards and stepped.
    fn iterators / iterators_taped(w: &[f64], x0: f64) -> f64 {
        [
            let mut x = x0;
        ]
        for (t, &wt) in w.iter().enumerate().rev() {
            x = (x + wt).sin() * (1.0 + t as f64 * 0.01);
        }
        x
    }
}

twins! {
    fn stepped / stepped_taped(w: &[f64], x0: f64) -> f64 {
        [
            let mut x = x0;
        ]
        for t in (1..w.len()).rev().step_by(2) {
            x = (x * w[t] + w[t - 1]).cos();
        }
        x
    }
}

twins! {
    /// A generic float.
    fn generic / generic_taped<T: Float>(x0: T, w: &[T]) -> T {
        [
            let mut x = x0;
        ]
        for t in 0..w.len() {
            x = x.sin() * w[t] + T::from(0.5).unwrap() * x;
        }
        x
    }
}

twins! {
    /// An accumulation loop is fused with its reverse and keeps no tape: the marker is a no-op.
    fn fused / fused_taped(w: &[f64], xs: &[f64]) -> f64 {
        [
            let mut total = 0.0;
        ]
        for i in 0..xs.len() {
            total += (w[0] * xs[i] + w[1]).powi(2);
        }
        total / (xs.len() + 1) as f64
    }
}

twins! {
    /// A vector output and forward mode.
    #[allow(dead_code)]
    fn vector / vector_taped(x: &[f64; 2], n: usize) -> [f64; 2] {
        [
            let mut p = x[0];
            let mut q = x[1];
        ]
        for _ in 0..n {
            let r = p * 0.9 - q * 0.2;
            q = q * 0.9 + (p * 0.2).sin();
            p = r;
        }
        [p, q]
    }
}

twins! {
    /// `continue`, windows, and a call that reads the state array (a snapshot per call).
    fn windows / windows_taped(x: &[f64], h0: &[f64; 2]) -> f64 {
        [
            let mut h = *h0;
        ]
        for (i, pair) in x.windows(2).enumerate() {
            if i % 3 == 1 {
                continue;
            }
            let s = dot2(&h, pair[0], pair[1]);
            h[0] = (h[1] + s).sin();
            h[1] = s * 0.5;
        }
        h[0] + h[1]
    }
}

#[grad]
fn dot2(a: &[f64; 2], b0: f64, b1: f64) -> f64 {
    a[0] * b0 + a[1] * b1
}

/// A fallible function.
#[grad]
fn fallible(x0: f64, w: &[f64]) -> Result<f64, String> {
    if w.is_empty() {
        return Err("no steps".to_string());
    }
    let mut x = x0;
    #[checkpoint]
    for t in 0..w.len() {
        x = (x * w[t]).sin() + 0.1;
    }
    Ok(x)
}

#[grad]
fn fallible_taped(x0: f64, w: &[f64]) -> Result<f64, String> {
    if w.is_empty() {
        return Err("no steps".to_string());
    }
    let mut x = x0;
    for t in 0..w.len() {
        x = (x * w[t]).sin() + 0.1;
    }
    Ok(x)
}

/// Two checkpointed loops and a taped one in between; `modes(tangent)` too.
#[grad(modes(tangent))]
fn two_loops(x0: f64, w: &[f64]) -> f64 {
    let mut x = x0;
    #[checkpoint]
    for t in 0..w.len() {
        x = (x * w[t]).sin() + x;
    }
    let mut y = 0.0;
    for t in 0..w.len() {
        y = y * 0.5 + x * w[t];
    }
    #[checkpoint]
    for t in 1..=w.len() / 2 {
        y = (y + w[t - 1]).tanh() * x;
    }
    y
}

#[grad]
fn two_loops_taped(x0: f64, w: &[f64]) -> f64 {
    let mut x = x0;
    for t in 0..w.len() {
        x = (x * w[t]).sin() + x;
    }
    let mut y = 0.0;
    for t in 0..w.len() {
        y = y * 0.5 + x * w[t];
    }
    for t in 1..=w.len() / 2 {
        y = (y + w[t - 1]).tanh() * x;
    }
    y
}

#[derive(Clone, autodiff::Params)]
struct Cell2 {
    decay: f64,
}

#[grad(self, x)]
impl Cell2 {
    fn run(&self, x: f64, n: usize) -> f64 {
        let mut h = x;
        #[checkpoint]
        for _ in 0..n {
            h = (h * self.decay).sin() + 0.1;
        }
        h
    }
}

/// The trip counts each shape runs with: none, one, two, squares, primes, around a square.
const TRIPS: [usize; 12] = [0, 1, 2, 3, 4, 5, 9, 16, 17, 31, 100, 101];

fn weights(n: usize, seed: u64) -> Vec<f64> {
    Rng::new(seed).vec(n, -1.2, 1.2)
}

/// Asserts that a checkpointed function and its taped twin give the same value and
/// gradient, bit for bit, on random weights of every length of `TRIPS`.
fn same_for_every_trip_count<G: PartialEq + std::fmt::Debug>(
    seed: u64,
    checkpointed: impl Fn(&[f64]) -> G,
    taped: impl Fn(&[f64]) -> G,
) {
    for n in TRIPS {
        let w = weights(n, seed);
        assert_eq!(checkpointed(&w), taped(&w), "n = {n}");
    }
}

#[test]
fn recurrence_is_the_taped_gradient() {
    same_for_every_trip_count(
        1,
        |w| recurrence_grad(0.7, w),
        |w| recurrence_taped_grad(0.7, w),
    );
}

#[test]
fn branches_calls_and_integers() {
    same_for_every_trip_count(
        2,
        |w| branchy_grad(0.4, w, 0.3),
        |w| branchy_taped_grad(0.4, w, 0.3),
    );
}

#[test]
fn array_state_and_nested_loops() {
    let w = [[0.5, -0.3, 0.2], [0.1, 0.4, -0.6], [-0.2, 0.3, 0.7]];
    let h0 = [0.1, -0.2, 0.3];
    same_for_every_trip_count(3, |u| rnn_grad(&w, u, &h0), |u| rnn_taped_grad(&w, u, &h0));
}

#[test]
fn vec_state_and_arrays_written_after_the_loop() {
    let x = weights(4, 4);
    for steps in TRIPS {
        assert_eq!(vec_state_grad(&x, steps), vec_state_taped_grad(&x, steps));
    }
}

#[test]
fn element_iteration_rev_and_step_by() {
    same_for_every_trip_count(
        5,
        |w| iterators_grad(w, 0.3),
        |w| iterators_taped_grad(w, 0.3),
    );
    same_for_every_trip_count(5, |w| stepped_grad(w, 0.3), |w| stepped_taped_grad(w, 0.3));
}

#[test]
fn generic_and_f32() {
    same_for_every_trip_count(6, |w| generic_grad(0.7, w), |w| recurrence_grad(0.7, w));
    let narrow = |w: &[f64]| w.iter().map(|&v| v as f32).collect::<Vec<f32>>();
    same_for_every_trip_count(
        6,
        |w| generic_grad(0.7f32, &narrow(w)),
        |w| generic_taped_grad(0.7f32, &narrow(w)),
    );
}

#[test]
fn fused_loops_ignore_the_marker() {
    same_for_every_trip_count(
        7,
        |xs| fused_grad(&[0.3, -0.2], xs),
        |xs| fused_taped_grad(&[0.3, -0.2], xs),
    );
}

#[test]
fn vector_outputs_and_forward_mode() {
    for n in TRIPS {
        let x = [0.3, -0.8];
        let (mut a, mut b) = ([0.0; 2], [0.0; 2]);
        let va = vector_adjoint(&x, n, &[1.0, -0.5], &mut a);
        let vb = vector_taped_adjoint(&x, n, &[1.0, -0.5], &mut b);
        assert_eq!((va, a), (vb, b), "n = {n}");
    }
    same_for_every_trip_count(
        8,
        |w| two_loops_grad(0.4, w),
        |w| two_loops_taped_grad(0.4, w),
    );
    for n in TRIPS {
        let w = weights(n, 8);
        let (v, (d_x0, _)) = two_loops_grad(0.4, &w);
        let (tv, t) = two_loops_tangent(0.4, &w, 1.0, Const);
        assert_eq!(tv, v);
        assert!(
            (t - d_x0).abs() <= 1e-12 * (1.0 + d_x0.abs()),
            "{t} vs {d_x0}"
        );
    }
}

#[test]
fn continue_windows_calls_and_results() {
    same_for_every_trip_count(
        10,
        |x| windows_grad(x, &[0.2, -0.4]),
        |x| windows_taped_grad(x, &[0.2, -0.4]),
    );
    same_for_every_trip_count(
        10,
        |x| fallible_grad(0.3, x),
        |x| fallible_taped_grad(0.3, x),
    );
}

#[test]
fn methods() {
    let cell = Cell2 { decay: 0.8 };
    for n in TRIPS {
        let (v, (d_self, d_x)) = cell.run_grad(0.3, n);
        assert_eq!(v, cell.run(0.3, n));
        let h = 1e-6;
        let fd = (cell.run(0.3 + h, n) - cell.run(0.3 - h, n)) / (2.0 * h);
        assert!((d_x - fd).abs() < 1e-6, "{d_x} vs {fd}");
        let up = Cell2 { decay: 0.8 + h }.run(0.3, n);
        let down = Cell2 { decay: 0.8 - h }.run(0.3, n);
        assert!((d_self.decay - (up - down) / (2.0 * h)).abs() < 1e-6);
    }
}

proptest! {
    #[test]
    fn recurrence_matches_fd(seed in 0u64..1000, n in 0usize..40) {
        let mut rng = Rng::new(seed);
        let w = rng.vec(n, -1.5, 1.5);
        let x0 = rng.uniform(-2.0, 2.0);
        let (v, (d_x0, d_w)) = recurrence_grad(x0, &w);
        prop_assert_eq!(v, recurrence(x0, &w));
        let f = |p: &[f64]| recurrence(p[0], &p[1..]);
        let point: Vec<f64> = std::iter::once(x0).chain(w.iter().copied()).collect();
        let analytic: Vec<f64> = std::iter::once(d_x0).chain(d_w).collect();
        assert_matches_fd(&f, &point, &analytic, "recurrence");
    }

    #[test]
    fn rnn_matches_fd(seed in 0u64..1000, n in 0usize..30) {
        let mut rng = Rng::new(seed);
        let u = rng.vec(n, -1.0, 1.0);
        let h0 = [rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)];
        let flat = rng.vec(9, -0.8, 0.8);
        let w = [
            [flat[0], flat[1], flat[2]],
            [flat[3], flat[4], flat[5]],
            [flat[6], flat[7], flat[8]],
        ];
        let (v, (d_w, d_u, d_h0)) = rnn_grad(&w, &u, &h0);
        prop_assert_eq!(v, rnn(&w, &u, &h0));
        let unflat = |p: &[f64]| {
            [[p[0], p[1], p[2]], [p[3], p[4], p[5]], [p[6], p[7], p[8]]]
        };
        let f = |p: &[f64]| rnn(&unflat(p), &p[12..], &[p[9], p[10], p[11]]);
        let point: Vec<f64> = flat.iter().chain(&h0).chain(&u).copied().collect();
        let analytic: Vec<f64> = d_w.iter().flatten().chain(&d_h0).chain(&d_u).copied().collect();
        assert_matches_fd(&f, &point, &analytic, "rnn");
    }
}

// ----- memory --------------------------------------------------------------------------------

/// Tracks this thread's live heap bytes and their peak.
struct Peak;

thread_local! {
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

fn grow(bytes: usize) {
    let live = LIVE.with(|l| {
        l.set(l.get() + bytes);
        l.get()
    });
    PEAK.with(|p| p.set(p.get().max(live)));
}

fn shrink(bytes: usize) {
    LIVE.with(|l| l.set(l.get().saturating_sub(bytes)));
}

unsafe impl GlobalAlloc for Peak {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        shrink(layout.size());
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        grow(new_size);
        shrink(layout.size());
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Peak = Peak;

/// The peak of this thread's live heap bytes while `f` runs, above what was live before.
fn peak_bytes<R>(f: impl FnOnce() -> R) -> (usize, R) {
    let before = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(before));
    let r = f();
    (PEAK.with(Cell::get) - before, r)
}

/// The peak heap bytes of the checkpointed and the taped reverse of the recurrence over `n`
/// steps (the gradient buffer allocated before), after checking they agree.
fn peaks(n: usize) -> (usize, usize) {
    let w = weights(n, 9);
    let (mut d_w, mut d_x0) = (vec![0.0; n], 0.0);
    let (taped, v1) =
        peak_bytes(|| recurrence_taped_adjoint(0.7, &w, 1.0, &mut d_x0, &mut d_w[..]));
    let expected = (v1, d_x0, d_w.clone());
    let (mut d_w, mut d_x0) = (vec![0.0; n], 0.0);
    let (checkpointed, v2) =
        peak_bytes(|| recurrence_adjoint(0.7, &w, 1.0, &mut d_x0, &mut d_w[..]));
    assert_eq!(expected, (v2, d_x0, d_w));
    (checkpointed, taped)
}

#[test]
fn a_checkpointed_recurrence_keeps_o_sqrt_n_bytes() {
    for (n, root) in [(10_000, 100), (1_000_000, 1000)] {
        let (checkpointed, taped) = peaks(n);
        // Taped: two floats per step. Checkpointed: `root` saved states of one float, and a
        // tape of one segment (`root` steps of two floats), each reserved once.
        assert!(taped >= 15 * n, "taped: {taped} bytes for n = {n}");
        assert!(
            checkpointed <= 32 * root + 1024,
            "checkpointed: {checkpointed} bytes for n = {n}"
        );
        println!("n = {n}: checkpointed {checkpointed} bytes, taped {taped} bytes");
    }
}

/// Second order through a checkpointed loop: the replay runs on dual numbers too.
#[grad(modes(hvp))]
fn recurrence_hvp_checkpointed(x0: f64, w: &[f64]) -> f64 {
    let mut x = x0;
    #[checkpoint]
    for t in 0..w.len() {
        x = x.sin() * w[t] + 0.5 * x;
    }
    x * x
}

#[grad(modes(hvp))]
fn recurrence_hvp_taped(x0: f64, w: &[f64]) -> f64 {
    let mut x = x0;
    for t in 0..w.len() {
        x = x.sin() * w[t] + 0.5 * x;
    }
    x * x
}

#[test]
fn hessian_vector_products_through_a_checkpointed_loop_are_the_taped_ones() {
    for n in TRIPS {
        let (w, v) = (weights(n, 9), weights(n, 10));
        assert_eq!(
            recurrence_hvp_checkpointed_hvp(0.6, &w, 0.5, &v),
            recurrence_hvp_taped_hvp(0.6, &w, 0.5, &v),
            "n = {n}"
        );
    }
}
