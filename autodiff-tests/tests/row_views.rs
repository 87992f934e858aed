//! Reads at an affine index `a[base + c * i + k]` in a loop over `lo..hi` go through a slice of
//! `a` taken before the loop (`reverse/views.rs`), so that LLVM drops their bounds checks. The slice is taken only when
//! the loop runs: an empty loop whose range starts anywhere (or whose base would underflow)
//! reads nothing and must not panic; a loop that reads past the end must still panic. A local
//! vector a loop writes at its counter goes through a mutable slice of the row, likewise.
//! Every gradient is checked against central finite differences.

#![allow(clippy::needless_range_loop, clippy::identity_op)] // flat indexing is what is tested
mod common;

use autodiff::grad;
use common::{assert_matches_fd, Rng};

/// Rows of a flat `k x d` matrix, each scaled by a row of `scale`, with the row offset computed
/// in the loop (`r * d + j`) as users write it.
#[grad(m, scale)]
fn flat_rows(m: &[f64], scale: &[f64], x: &[f64], d: usize) -> f64 {
    let k = m.len() / d;
    let mut total = 0.0;
    for r in 0..k {
        let mut dot = 0.0;
        for j in 0..d {
            dot += m[r * d + j] * x[j] * scale[r * d + j];
        }
        total += dot.tanh();
    }
    total
}

/// A window that starts at `from`, walked backwards, read from a local copy and a parameter.
#[grad]
fn window_backwards(w: &[f64], from: usize, len: usize) -> f64 {
    let squares: Vec<f64> = w.iter().map(|v| v * v).collect();
    let mut s = 0.0;
    for i in (0..len).rev() {
        s = 0.5 * s + squares[from + i] * w[i + from].sin();
    }
    s
}

/// A range that does not start at zero: `i` runs over `lo..hi` and reads `w[base + i]`.
#[grad]
fn shifted_range(w: &[f64], base: usize, lo: usize, hi: usize) -> f64 {
    let mut s = 0.0;
    for i in lo..hi {
        s += w[base + i] * w[base + i] * (i as f64);
    }
    s
}

/// A base that underflows when the loop does not run (`n - 1` with `n = 0`).
#[grad]
fn tail_from_end(w: &[f64], n: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..n {
        s += w[(n - 1) + i].cos() + w[i];
    }
    s
}

/// Pairs and triples at a stride (`x[2 * i]`, `x[2 * i + 1]`, `x[3 * i + 2]`), from a range
/// that starts at `lo`, with a base.
#[grad]
fn strided(x: &[f64], lo: usize, base: usize) -> f64 {
    let mut s = 0.0;
    for i in lo..x.len() / 3 {
        let a = x[2 * i];
        let b = x[2 * i + 1];
        let c = x[base + 3 * i + 2];
        s += 100.0 * (b - a * a).powi(2) + (1.0 - a).powi(2) + c.sin() * a;
    }
    s
}

/// A local vector written in place at the counter, in the triangle `j in i + 1..n` and over
/// `lo..hi` backwards: the forward sweep writes it through a mutable slice of the row
/// (`begin_row_writes`).
#[grad]
fn rows_written(w: &[f64], lo: usize, hi: usize) -> f64 {
    let n = w.len();
    let mut y = vec![0.0; n];
    for i in 0..n {
        for j in i + 1..n {
            y[j] += w[i] * w[j];
        }
    }
    for j in (lo..hi).rev() {
        y[j] = y[j].sin() + w[j];
    }
    let mut s = 0.0;
    for j in 0..n {
        s += y[j] * y[j];
    }
    s
}

#[test]
fn reads_through_views_match_finite_differences() {
    let mut rng = Rng::new(81);
    for (k, d) in [(1, 1), (3, 2), (4, 5)] {
        let m = rng.vec(k * d, -1.0, 1.0);
        let scale = rng.vec(k * d, 0.5, 1.5);
        let x = rng.vec(d, -1.0, 1.0);
        let (_, (d_m, d_scale)) = flat_rows_grad(&m, &scale, &x, d);
        let p = [&m[..], &scale[..]].concat();
        let f = |p: &[f64]| flat_rows(&p[..k * d], &p[k * d..], &x, d);
        assert_matches_fd(&f, &p, &[d_m, d_scale].concat(), "flat_rows");
    }
    let w = rng.vec(9, -1.0, 1.0);
    for (from, len) in [(0, 9), (2, 5), (8, 1), (4, 0)] {
        let (_, g) = window_backwards_grad(&w, from, len);
        assert_matches_fd(
            &|w| window_backwards(w, from, len),
            &w,
            &g,
            "window_backwards",
        );
    }
    for (base, lo, hi) in [(0, 0, 9), (2, 3, 7), (5, 4, 4)] {
        let (_, g) = shifted_range_grad(&w, base, lo, hi);
        assert_matches_fd(&|w| shifted_range(w, base, lo, hi), &w, &g, "shifted_range");
    }
    let (_, g) = tail_from_end_grad(&w, 4);
    assert_matches_fd(&|w| tail_from_end(w, 4), &w, &g, "tail_from_end");
    for (lo, hi) in [(0, 9), (3, 7), (8, 9), (5, 5)] {
        let (_, g) = rows_written_grad(&w, lo, hi);
        assert_matches_fd(&|w| rows_written(w, lo, hi), &w, &g, "rows_written");
    }
    let x = rng.vec(13, -1.5, 1.5);
    for (lo, base) in [(0, 0), (1, 0), (2, 1), (4, 0)] {
        let (_, g) = strided_grad(&x, lo, base);
        assert_matches_fd(&|x| strided(x, lo, base), &x, &g, "strided");
    }
}

#[test]
fn a_loop_that_does_not_run_reads_nothing() {
    let w = [0.5, -0.25, 2.0];
    // The base is past the end, or the range runs backwards: the loop reads nothing, as the
    // function itself does.
    assert_eq!(shifted_range_grad(&w, 100, 0, 0), (0.0, vec![0.0; 3]));
    assert_eq!(shifted_range_grad(&w, 100, 5, 2), (0.0, vec![0.0; 3]));
    assert_eq!(window_backwards_grad(&w, 7, 0), (0.0, vec![0.0; 3]));
    assert_eq!(strided_grad(&w, 5, 100), (0.0, vec![0.0; 3]));
    // `n - 1` would underflow, but the loop does not run.
    assert_eq!(tail_from_end_grad(&w, 0), (0.0, vec![0.0; 3]));
    // The row written would start past the end, but the loop does not run.
    assert_eq!(rows_written_grad(&w, 7, 7), rows_written_grad(&w, 0, 0));
}

#[test]
#[should_panic]
fn a_loop_that_writes_past_the_end_still_panics() {
    let _ = rows_written_grad(&[0.5, -0.25, 2.0], 1, 4);
}

#[test]
#[should_panic]
fn a_loop_that_reads_past_the_end_still_panics() {
    let w = [0.5, -0.25, 2.0];
    let _ = shifted_range_grad(&w, 1, 0, 3);
}
