//! A running index carried through nested loops, as packed storage is walked: the outer
//! loop's iterations each end where the nested loop left the index (`reverse` restores each
//! iteration's end from the next one's start, or, where the outer loop's reverse runs
//! forwards, from its own start: `activity::Resumed`, instead of a tape). Every gradient is
//! checked against central finite differences; `allocations.rs` checks that the packed
//! triangle tapes nothing.

#![allow(clippy::needless_range_loop)] // indexed storage is what is tested
mod common;

use autodiff::grad;
use common::{assert_matches_fd, Rng};

/// `|L x|^2` with the strict lower triangle of `L` packed row after row behind its diagonal.
#[grad(packed)]
fn packed_lower(packed: &[f64], x: &[f64]) -> f64 {
    let d = x.len();
    let mut y = vec![0.0; d];
    for i in 0..d {
        y[i] = packed[i].exp() * x[i];
    }
    let mut l = d;
    for i in 0..d {
        for j in i + 1..d {
            y[j] += packed[l] * x[i];
            l += 1;
        }
    }
    let mut total = 0.0;
    for v in &y {
        total += v * v;
    }
    total
}

/// Interleaved pairs walked with a step of two, the index also read after each row.
#[grad(w)]
fn strided_rows(w: &[f64], rows: usize) -> f64 {
    let mut at = 0;
    let mut total = 0.0;
    for r in 0..rows {
        let mut row = 0.0;
        for _ in 0..r + 1 {
            row += w[at] * w[at + 1].sin();
            at += 2;
        }
        total = 0.8 * total + row.tanh() * w[at % w.len()];
    }
    total
}

/// The index counted down from the end, over rows of a stepped length.
#[grad(w)]
fn from_the_end(w: &[f64], rows: usize) -> f64 {
    let mut at = w.len();
    let mut total = 0.0;
    for r in 0..rows {
        for k in (0..2 * r + 1).step_by(2) {
            at -= 1;
            total += w[at] * (k as f64 + 1.0) * w[at].cos();
        }
        total *= 0.9;
    }
    total
}

/// A nested loop that starts from something else than the index (taped, not restored), and
/// an index read before the nested loop.
#[grad(w)]
fn restarted(w: &[f64], rows: usize) -> f64 {
    let mut at = 0;
    let mut total = 0.0;
    for r in 0..rows {
        let first = w[at];
        let mut inner = at + 1;
        for _ in 0..r {
            total += first * w[inner];
            inner += 1;
        }
        at = inner;
    }
    total
}

/// A packed triangle per example, inside a loss over examples (a fused loop: the triangle's
/// final index is in scope in its reverse there too), the index also read as a number.
#[grad(packed, modes(hvp))]
fn per_example(packed: &[f64], xs: &[f64], d: usize) -> f64 {
    let n = xs.len() / d;
    let mut total = 0.0;
    for e in 0..n {
        let mut l = 0;
        let mut acc = 0.0;
        for i in 0..d {
            let mut row = 0.0;
            for j in i..d {
                row += packed[l] * xs[e * d + j];
                l += 1;
            }
            acc = 0.5 * acc + row.sin() * (l as f64);
        }
        total += acc;
    }
    total
}

/// A packed triangle per component, in a product over components (not fused, so the
/// triangle's final index is out of scope in its reverse): the triangle's reverse runs
/// forwards and walks the index up from the row's start, as ADBench's GMM does.
#[grad(packed)]
fn triangle_per_component(packed: &[f64], x: &[f64], components: usize) -> f64 {
    let d = x.len();
    let mut product = 1.0;
    let mut y = vec![0.0; d];
    for c in 0..components {
        for i in 0..d {
            y[i] = packed[c * d + i] * x[i];
        }
        let mut l = components * d + c * d * (d - 1) / 2;
        for i in 0..d {
            for j in i + 1..d {
                y[j] += packed[l] * x[i];
                l += 1;
            }
        }
        let mut q = 0.0;
        for i in 0..d {
            q += y[i] * y[i];
        }
        product *= 1.0 + 0.1 * q;
    }
    product
}

/// Rows of a block, each ending with `$row_end` (of the row, the weights and the index),
/// the index counted down by a step the function is given. A row's own reverse runs
/// backwards (it carries `row`, not an accumulator) inside the block's, which runs forwards.
macro_rules! rows_per_block {
    ($(#[$doc:meta])* $name:ident, |$row:ident, $w:ident, $at:ident| $row_end:expr) => {
        $(#[$doc])*
        #[grad(w)]
        fn $name($w: &[f64], blocks: usize, d: usize, step: usize) -> f64 {
            let mut product = 1.0;
            for b in 0..blocks {
                let mut $at = $w.len() - 1 - b;
                let mut acc = 0.0;
                for i in 0..d {
                    let mut $row = 0.0;
                    for _ in i..d {
                        $row = 0.5 * $row + $w[$at].sin();
                        $at -= step;
                    }
                    acc += $row_end;
                }
                product *= 1.0 + 0.2 * acc;
            }
            product
        }
    };
}

rows_per_block!(
    /// The index read after each row: found before the row's reverse.
    rows_per_block,
    |row, w, at| row * w[at]
);

rows_per_block!(
    /// The index not read after its rows: the row's reverse, run backwards, finds where it
    /// ended from where the block's reverse iteration started.
    unread_rows_per_block,
    |row, w, at| row * row
);

#[test]
fn a_packed_triangle_per_component_matches_finite_differences() {
    let mut rng = Rng::new(76);
    for (d, components) in [(1, 1), (2, 3), (3, 2), (5, 4)] {
        let packed = rng.vec(components * d * (d + 1) / 2, -0.8, 0.8);
        let x = rng.vec(d, -1.5, 1.5);
        let (_, g) = triangle_per_component_grad(&packed, &x, components);
        let f = |p: &[f64]| triangle_per_component(p, &x, components);
        let what = format!("triangle_per_component, d = {d}, {components} components");
        assert_matches_fd(&f, &packed, &g, &what);
    }
}

#[test]
fn rows_run_backwards_inside_a_forward_reverse_match_finite_differences() {
    let mut rng = Rng::new(77);
    for (blocks, d, step) in [(1, 1, 1), (2, 3, 1), (3, 3, 2), (2, 4, 3)] {
        // Each block walks d (d + 1) / 2 steps down from w.len() - 1 - b, and reads one more.
        let len = blocks + step * d * (d + 1) / 2 + 1;
        let w = rng.vec(len, -1.0, 1.0);
        let (_, g) = rows_per_block_grad(&w, blocks, d, step);
        let f = |w: &[f64]| rows_per_block(w, blocks, d, step);
        let what = format!("rows_per_block, {blocks} blocks, d = {d}, step {step}");
        assert_matches_fd(&f, &w, &g, &what);
        let (_, g) = unread_rows_per_block_grad(&w, blocks, d, step);
        let f = |w: &[f64]| unread_rows_per_block(w, blocks, d, step);
        assert_matches_fd(&f, &w, &g, &format!("unread_{what}"));
    }
}

#[test]
fn a_packed_triangle_matches_finite_differences() {
    let mut rng = Rng::new(71);
    for d in [0, 1, 2, 5, 9] {
        let packed = rng.vec(d * (d + 1) / 2, -0.8, 0.8);
        let x = rng.vec(d, -1.5, 1.5);
        let (_, g) = packed_lower_grad(&packed, &x);
        let f = |p: &[f64]| packed_lower(p, &x);
        assert_matches_fd(&f, &packed, &g, &format!("packed_lower, d = {d}"));
    }
}

/// `f(w, rows)` against central differences for each row count, with `len(rows)` weights.
fn check_rows(
    seed: u64,
    what: &str,
    len: fn(usize) -> usize,
    f: fn(&[f64], usize) -> f64,
    grad: fn(&[f64], usize) -> (f64, Vec<f64>),
) {
    let mut rng = Rng::new(seed);
    for rows in [0, 1, 3, 4, 7] {
        let w = rng.vec(len(rows), -1.0, 1.0);
        let (_, g) = grad(&w, rows);
        assert_matches_fd(&|w| f(w, rows), &w, &g, &format!("{what}, rows = {rows}"));
    }
}

#[test]
fn a_strided_index_read_after_its_rows_matches_finite_differences() {
    let len = |rows| rows * (rows + 1) + 1;
    check_rows(72, "strided_rows", len, strided_rows, strided_rows_grad);
}

#[test]
fn an_index_counted_down_in_stepped_rows_matches_finite_differences() {
    let len = |rows| rows * rows + 3;
    check_rows(73, "from_the_end", len, from_the_end, from_the_end_grad);
}

#[test]
fn a_nested_loop_started_elsewhere_matches_finite_differences() {
    let len = |rows| rows * (rows + 1) / 2 + rows + 1;
    check_rows(74, "restarted", len, restarted, restarted_grad);
}

#[test]
fn a_triangle_per_example_in_a_loss_matches_finite_differences() {
    let mut rng = Rng::new(75);
    for d in [1, 2, 4] {
        let packed = rng.vec(d * (d + 1) / 2, -1.0, 1.0);
        let xs = rng.vec(3 * d, -1.0, 1.0);
        let (_, g) = per_example_grad(&packed, &xs, d);
        let f = |p: &[f64]| per_example(p, &xs, d);
        assert_matches_fd(&f, &packed, &g, &format!("per_example, d = {d}"));
        // The Hessian-vector product along e_0 is the first column of the Hessian.
        let mut e0 = vec![0.0; packed.len()];
        e0[0] = 1.0;
        let (_, _, hv) = per_example_hvp(&packed, &xs, d, &e0);
        let d0 = |p: &[f64]| per_example_grad(p, &xs, d).1[0];
        let column: Vec<f64> = (0..packed.len())
            .map(|i| common::central(&d0, &packed, i))
            .collect();
        for (a, b) in hv.iter().zip(&column) {
            assert!((a - b).abs() <= 1e-5 * (1.0 + b.abs()), "hvp {a} vs {b}");
        }
    }
}

/// An index from `position` mapped with an integer default (`map_or(0, |i| i + 1)`): data,
/// as `unwrap_or(0)` is (probe, session 15: "a closure used as a value").
#[grad]
fn after_first_positive(x: &[f64]) -> f64 {
    let i = x.iter().position(|&v| v > 0.0).map_or(0, |i| i + 1);
    x[i.min(x.len() - 1)] * 2.0
}

#[test]
fn an_index_from_position_mapped_with_an_integer_default() {
    assert_eq!(
        after_first_positive_grad(&[-1.0, 2.0, 3.0]),
        (6.0, vec![0.0, 0.0, 2.0])
    );
    assert_eq!(
        after_first_positive_grad(&[-1.0, -2.0]),
        (-2.0, vec![2.0, 0.0])
    );
}
