//! Matrices as vectors of rows, `&[Vec<T>]` and `&Vec<Vec<T>>`, the way many crates store a
//! weight matrix: differentiated where `#[grad(..)]` names them (or under a bare `#[grad]`),
//! their gradient a `Vec<Vec<T>>` with rows of the argument's lengths, ragged ones included.
//! Checked against central finite differences.

mod common;

use autodiff::{grad, Const};
use common::{assert_matches_fd, Rng};

#[grad]
fn row_dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(u, v)| u * v).sum()
}

/// A tanh layer summed: rows iterated, zipped with the input.
#[grad(w)]
fn layer_sum(w: &[Vec<f64>], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for row in w {
        let z: f64 = row.iter().zip(x).map(|(a, b)| a * b).sum();
        s += z.tanh();
    }
    s
}

/// Rows lent to a `#[grad]` call, indexed twice, and read through an iterator chain; every
/// float parameter differentiated.
#[grad]
#[allow(clippy::ptr_arg, clippy::needless_range_loop)]
fn mixed_reads(w: &Vec<Vec<f64>>, x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        s += row_dot(&w[i], x).sin() + w[i][0] * w[i].len() as f64;
    }
    let squares: f64 = w.iter().map(|r| r.iter().map(|v| v * v).sum::<f64>()).sum();
    s + squares.sqrt() + x[0] * w[1][1]
}

/// Rows of different lengths, an empty one among them.
#[grad(w)]
fn ragged(w: &[Vec<f64>], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for (i, row) in w.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            s += v * x[j] * (i + 1) as f64;
        }
    }
    s * s
}

fn flatten(rows: &[Vec<f64>]) -> Vec<f64> {
    rows.iter().flatten().copied().collect()
}

/// `flat` cut into rows of the lengths of `like`'s.
fn unflatten(flat: &[f64], like: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut rest = flat;
    like.iter()
        .map(|row| {
            let (head, tail) = rest.split_at(row.len());
            rest = tail;
            head.to_vec()
        })
        .collect()
}

fn random_rows(rng: &mut Rng, lens: &[usize]) -> Vec<Vec<f64>> {
    lens.iter().map(|&n| rng.vec(n, -1.0, 1.0)).collect()
}

#[test]
fn rows_of_vectors_match_finite_differences() {
    let mut rng = Rng::new(31);
    for _ in 0..20 {
        let w = random_rows(&mut rng, &[4, 4, 4]);
        let x = rng.vec(4, -1.5, 1.5);
        let (value, d_w) = layer_sum_grad(&w, &x);
        assert_eq!(value, layer_sum(&w, &x));
        let f = |v: &[f64]| layer_sum(&unflatten(v, &w), &x);
        assert_matches_fd(&f, &flatten(&w), &flatten(&d_w), "layer_sum (w)");

        let (value, (d_w, d_x)) = mixed_reads_grad(&w, &x);
        assert_eq!(value, mixed_reads(&w, &x));
        let f = |v: &[f64]| mixed_reads(&unflatten(v, &w), &x);
        assert_matches_fd(&f, &flatten(&w), &flatten(&d_w), "mixed_reads (w)");
        assert_matches_fd(&|v| mixed_reads(&w, v), &x, &d_x, "mixed_reads (x)");
    }
}

#[test]
fn ragged_rows_get_gradients_of_their_own_lengths() {
    let mut rng = Rng::new(32);
    let w = random_rows(&mut rng, &[1, 3, 0, 2]);
    let x = rng.vec(3, -1.0, 1.0);
    let (_, d_w) = ragged_grad(&w, &x);
    let lens: Vec<usize> = d_w.iter().map(Vec::len).collect();
    assert_eq!(lens, [1, 3, 0, 2]);
    let f = |v: &[f64]| ragged(&unflatten(v, &w), &x);
    assert_matches_fd(&f, &flatten(&w), &flatten(&d_w), "ragged (w)");
    // d/dw[1][2] = 2 s x[2] 2, s the value's root.
    let s: f64 = w
        .iter()
        .enumerate()
        .flat_map(|(i, r)| r.iter().enumerate().map(move |(j, v)| (i, j, v)))
        .map(|(i, j, v)| v * x[j] * (i + 1) as f64)
        .sum();
    assert!((d_w[1][2] - 4.0 * s * x[2]).abs() < 1e-12);

    // The pullback adds into the caller's rows.
    let mut acc = d_w.clone();
    ragged_adjoint(&w, &x, 0.5, &mut acc, Const);
    assert_eq!(acc[3][1], 1.5 * d_w[3][1]);
}

#[test]
#[should_panic(expected = "row 1 of the shadow of `w` has 2 entries but row 1 of `w` has 3")]
fn a_shadow_row_of_the_wrong_length_panics() {
    let w = vec![vec![0.5], vec![0.25, -1.0, 2.0]];
    let mut acc = vec![vec![0.0], vec![0.0; 2]];
    ragged_adjoint(&w, &[1.0, 2.0, 3.0], 1.0, &mut acc, Const);
}

#[test]
#[should_panic(expected = "the shadow of `w` has 1 rows but `w` has 2")]
fn a_shadow_with_missing_rows_panics() {
    let w = vec![vec![0.5], vec![0.25, -1.0, 2.0]];
    let mut acc = vec![vec![0.0]];
    ragged_adjoint(&w, &[1.0, 2.0, 3.0], 1.0, &mut acc, Const);
}

// ---- rows collected from what a call returns, the row type stated (NN probe: queries) ----

#[grad]
fn dot2(a: &[f64; 2], b: &[f64; 2]) -> f64 {
    a[0] * b[0] + a[1] * b[1]
}

#[grad]
fn lift(x: &[f64; 2]) -> [f64; 2] {
    [x[0] * 2.0, x[1].sin()]
}

/// `let q: Vec<[f64; 2]> = xs.iter().map(|x| lift(x)).collect();` (it was taken for a vector
/// of numbers: "supports `&` only on arrays passed to a function").
#[grad]
fn collected_queries(xs: &[[f64; 2]]) -> f64 {
    let q: Vec<[f64; 2]> = xs.iter().map(lift).collect();
    let r: Vec<[f64; 2]> = xs.iter().map(|x| lift(&[x[1], x[0]])).collect();
    let mut s = 0.0;
    for j in 0..q.len() {
        s += dot2(&q[j], &r[0]) + q[j][1] * q[0][0];
    }
    s
}

#[test]
fn rows_collected_from_calls() {
    let mut rng = Rng::new(5);
    for _ in 0..4 {
        let xs: Vec<[f64; 2]> = (0..3)
            .map(|_| [rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)])
            .collect();
        let (_, g) = collected_queries_grad(&xs);
        let flat: Vec<f64> = xs.iter().flatten().copied().collect();
        let f = |p: &[f64]| {
            let rows: Vec<[f64; 2]> = p.chunks(2).map(|c| [c[0], c[1]]).collect();
            collected_queries(&rows)
        };
        let analytic: Vec<f64> = g.iter().flatten().copied().collect();
        assert_matches_fd(&f, &flat, &analytic, "collected_queries");
    }
}
