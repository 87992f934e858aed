//! Rows of data reached through a binding (a chunk, a window, a split, `first()`, `last()`,
//! `get(k)`) and handed to a `#[grad]` function: each row is float data, which the callee
//! takes with a shadow (`Const`), by reference as the binding lends it. So are the fields of
//! a `Copy` struct of data reached so: the struct stays behind its reference (a copy was
//! borrowed past its end, E0716), and `*s` still reads it by value.
#![allow(clippy::needless_range_loop)]

mod common;

use autodiff::{grad, Params};
use common::assert_matches_fd;

#[grad(w, x, modes(tangent, hvp))]
fn dot2(w: &[f64; 2], x: &[f64; 2]) -> f64 {
    w[0] * x[0] + w[1] * x[1]
}

#[grad(w, y)]
fn spread(w: &[f64; 2], y: f64) -> f64 {
    (w[0] - y) * (w[1] - y)
}

#[derive(Clone, Debug, Params)]
struct Line {
    w: [f64; 2],
    b: f64,
}

impl Line {
    #[grad(self, x)]
    fn predict(&self, x: &[f64; 2]) -> f64 {
        self.w[0] * x[0] + self.w[1] * x[1] + self.b
    }

    /// Squared error over mini-batches of two.
    #[grad(self)]
    fn batched_loss(&self, xs: &[[f64; 2]], ys: &[f64]) -> f64 {
        let mut total = 0.0;
        for (batch, targets) in xs.chunks(2).zip(ys.chunks(2)) {
            for (x, y) in batch.iter().zip(targets) {
                let e = self.predict(x) - y;
                total += e * e;
            }
        }
        total
    }
}

#[grad(w)]
fn chunked(w: &[f64; 2], xs: &[[f64; 2]]) -> f64 {
    let mut total = 0.0;
    for batch in xs.chunks(2) {
        for x in batch {
            total += dot2(w, x).sin();
        }
    }
    total
}

#[grad(w)]
fn exact_pairs(w: &[f64; 2], xs: &[[f64; 2]]) -> f64 {
    let mut total = 0.0;
    for pair in xs.chunks_exact(2) {
        total += dot2(w, &pair[0]) * dot2(w, &pair[1]);
    }
    total
}

#[grad(w)]
fn windowed(w: &[f64; 2], xs: &[[f64; 2]]) -> f64 {
    let mut total = 0.0;
    for pair in xs.windows(2) {
        for x in pair.iter() {
            total += dot2(w, x);
        }
        let (a, b) = (&pair[0], &pair[1]);
        total += (dot2(w, a) - dot2(w, b)).powi(2);
    }
    total
}

#[grad(w)]
fn split(w: &[f64; 2], xs: &[[f64; 2]]) -> f64 {
    let (head, tail) = xs.split_at(1);
    let rest = &xs[1..];
    let mut total = dot2(w, &head[0]).exp();
    for x in rest {
        total += dot2(w, x).cos();
    }
    total + tail.iter().map(|x| dot2(w, x)).sum::<f64>()
}

#[grad(w)]
fn ends(w: &[f64; 2], xs: &[[f64; 2]], k: usize) -> f64 {
    let last = if let Some(x) = xs.last() {
        dot2(w, x)
    } else {
        0.0
    };
    let nth = match xs.get(k) {
        Some(x) => dot2(w, x).tanh(),
        None => 0.0,
    };
    let copied = xs.first().copied().unwrap();
    last * nth + dot2(w, &copied) * dot2(w, xs.first().unwrap())
}

#[grad(w)]
fn last_or_return(w: &[f64; 2], xs: &[[f64; 2]]) -> f64 {
    let Some(x) = xs.last() else {
        return 0.0;
    };
    dot2(w, x).powi(3)
}

#[grad(w)]
fn ends_of_numbers(w: &[f64; 2], ys: &[f64]) -> f64 {
    let a = if let Some(&y) = ys.last() {
        spread(w, y)
    } else {
        0.0
    };
    let b = match ys.first() {
        Some(y) => spread(w, *y),
        None => 1.0,
    };
    a * b
}

/// Rows of a chunk, one lent from a branch: the reverse sweep reads it where the branch ran.
#[grad(w, modes(tangent, hvp))]
fn rows_of_chunks_in_branches(w: &[f64; 2], xs: &[[f64; 2]], every: bool) -> f64 {
    let mut total = 0.0;
    for batch in xs.chunks(2) {
        if let Some(x) = batch.last() {
            total += dot2(w, x).sin();
        }
        let first = batch[0];
        total += dot2(w, &first).powi(2);
        if every || batch.len() == 2 {
            let row = &batch[0];
            total += dot2(w, row) * dot2(w, row);
        }
    }
    total
}

/// `xs` differentiated: its first row lent as `first()` gives it.
#[grad(w, xs)]
fn first_differentiated(w: &[f64; 2], xs: &[[f64; 2]]) -> f64 {
    dot2(w, xs.first().unwrap()) * dot2(w, xs.last().unwrap())
}

const XS: [[f64; 2]; 5] = [
    [0.3, -1.2],
    [0.8, 0.5],
    [-0.4, 0.9],
    [1.1, 0.2],
    [-0.7, -0.6],
];
const W: [f64; 2] = [0.4, -0.3];

fn fd_of(f: impl Fn(&[f64; 2]) -> f64, grad: [f64; 2], what: &str) {
    assert_matches_fd(&|p: &[f64]| f(&[p[0], p[1]]), &W, &grad, what);
}

#[test]
fn rows_of_a_chunk_window_or_split_are_data_the_callee_takes() {
    let (value, g) = chunked_grad(&W, &XS);
    assert_eq!(value, chunked(&W, &XS));
    fd_of(|w| chunked(w, &XS), g, "chunked");
    let (value, g) = exact_pairs_grad(&W, &XS);
    assert_eq!(value, exact_pairs(&W, &XS));
    fd_of(|w| exact_pairs(w, &XS), g, "exact_pairs");
    let (value, g) = windowed_grad(&W, &XS);
    assert_eq!(value, windowed(&W, &XS));
    fd_of(|w| windowed(w, &XS), g, "windowed");
    let (value, g) = split_grad(&W, &XS);
    assert_eq!(value, split(&W, &XS));
    fd_of(|w| split(w, &XS), g, "split");
}

#[test]
fn first_last_and_get_of_rows_of_data_lend_the_row() {
    for k in [0, 3, 9] {
        let (value, g) = ends_grad(&W, &XS, k);
        assert_eq!(value, ends(&W, &XS, k));
        fd_of(|w| ends(w, &XS, k), g, "ends");
    }
    let (value, g) = last_or_return_grad(&W, &XS);
    assert_eq!(value, last_or_return(&W, &XS));
    fd_of(|w| last_or_return(w, &XS), g, "last_or_return");
    assert_eq!(last_or_return_grad(&W, &[]), (0.0, [0.0; 2]));
    let ys = [0.5, -1.5, 2.0];
    let (value, g) = ends_of_numbers_grad(&W, &ys);
    assert_eq!(value, ends_of_numbers(&W, &ys));
    fd_of(|w| ends_of_numbers(w, &ys), g, "ends_of_numbers");
}

#[test]
fn rows_of_chunks_bound_in_branches() {
    for every in [false, true] {
        let (value, g) = rows_of_chunks_in_branches_grad(&W, &XS, every);
        assert_eq!(value, rows_of_chunks_in_branches(&W, &XS, every));
        fd_of(
            |w| rows_of_chunks_in_branches(w, &XS, every),
            g,
            "in branches",
        );
    }
}

#[test]
fn rows_of_chunks_in_branches_in_forward_mode_and_second_order() {
    let v = [0.6, -1.1];
    for every in [false, true] {
        let (value, g) = rows_of_chunks_in_branches_grad(&W, &XS, every);
        let (tangent_value, tangent) = rows_of_chunks_in_branches_tangent(&W, &XS, every, &v);
        assert_eq!(tangent_value, value);
        common::assert_close(tangent, g[0] * v[0] + g[1] * v[1], 1e-12);
        let (hvp_value, hvp_g, hv) = rows_of_chunks_in_branches_hvp(&W, &XS, every, &v);
        assert_eq!(hvp_value, value);
        assert!(common::all_close(&hvp_g, &g));
        // Hv as the directional derivative of the gradient, by central differences.
        let h = 1e-6;
        let at = |s: f64| {
            rows_of_chunks_in_branches_grad(&[W[0] + s * v[0], W[1] + s * v[1]], &XS, every).1
        };
        let (plus, minus) = (at(h), at(-h));
        for i in 0..2 {
            common::assert_close(hv[i], (plus[i] - minus[i]) / (2.0 * h), 1e-6);
        }
    }
}

#[test]
fn first_and_last_of_differentiated_rows() {
    let (value, (g_w, g_xs)) = first_differentiated_grad(&W, &XS);
    assert_eq!(value, first_differentiated(&W, &XS));
    fd_of(
        |w| first_differentiated(w, &XS),
        g_w,
        "first_differentiated w",
    );
    let flat: Vec<f64> = XS.iter().flatten().copied().collect();
    let rows = |p: &[f64]| -> Vec<[f64; 2]> { p.chunks(2).map(|r| [r[0], r[1]]).collect() };
    let g_flat: Vec<f64> = g_xs.iter().flatten().copied().collect();
    assert_matches_fd(
        &|p: &[f64]| first_differentiated(&W, &rows(p)),
        &flat,
        &g_flat,
        "first_differentiated xs",
    );
}

#[test]
fn a_model_method_over_mini_batches_of_rows() {
    let line = Line {
        w: [0.7, -0.2],
        b: 0.1,
    };
    let ys = [1.0, -0.5, 0.25, 2.0, 0.0];
    let (value, g) = line.batched_loss_grad(&XS, &ys);
    assert_eq!(value, line.batched_loss(&XS, &ys));
    let loss = |p: &[f64]| {
        Line {
            w: [p[0], p[1]],
            b: p[2],
        }
        .batched_loss(&XS, &ys)
    };
    assert_matches_fd(
        &loss,
        &[0.7, -0.2, 0.1],
        &[g.w[0], g.w[1], g.b],
        "batched_loss",
    );
}

#[derive(Clone, Copy, Debug)]
struct Sample {
    x: [f64; 2],
    y: f64,
}

fn weight(s: Sample) -> f64 {
    1.0 + s.y * s.y
}

#[grad(w)]
fn copy_samples(w: &[f64; 2], samples: &[Sample], k: usize) -> f64 {
    let head = match samples.first() {
        Some(s) => dot2(w, &s.x) * s.y,
        None => 0.0,
    };
    let Some(picked) = samples.get(k) else {
        return head;
    };
    let mut total = head + dot2(w, &picked.x).powi(2);
    for batch in samples.chunks(2) {
        for s in batch {
            total += (dot2(w, &s.x) - s.y).powi(2) * weight(*s);
        }
    }
    let (first, rest) = samples.split_at(1);
    for s in rest.iter().chain(first) {
        total += dot2(w, &s.x).sin();
    }
    total
}

/// A field of data lent through a local reference (`let x = &s.x;`): lent as it is (was
/// read as the array behind it, E0308 inside generated code).
#[grad(w)]
fn lent_fields(w: &[f64; 2], head: &Sample, samples: &[Sample]) -> f64 {
    let x = &head.x;
    let mut total = dot2(w, x);
    for s in samples {
        let features = &s.x;
        total += dot2(w, features) * s.y;
    }
    total
}

#[test]
fn fields_of_copy_structs_of_data_reached_through_bindings() {
    let samples = [
        Sample {
            x: [1.0, 2.0],
            y: 0.5,
        },
        Sample {
            x: [-1.0, 0.5],
            y: 2.0,
        },
        Sample {
            x: [0.3, 0.7],
            y: -1.0,
        },
    ];
    for k in [0, 2, 5] {
        let (value, g) = copy_samples_grad(&W, &samples, k);
        assert_eq!(value, copy_samples(&W, &samples, k));
        fd_of(|w| copy_samples(w, &samples, k), g, "copy_samples");
    }
    let (value, g) = lent_fields_grad(&W, &samples[1], &samples);
    assert_eq!(value, lent_fields(&W, &samples[1], &samples));
    fd_of(|w| lent_fields(w, &samples[1], &samples), g, "lent_fields");
}
