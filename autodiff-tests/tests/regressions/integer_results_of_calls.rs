//! A plain function that takes a differentiated array and returns an integer (`argmax(x)`,
//! `count_positive(x)`, the width of a model's row) was taken for a differentiated one: the
//! gradient called its missing `_adjoint` (E0425), multiplied by its `usize` (E0277), or an
//! index from it was rejected as a float. A call whose result is read as an integer (an index,
//! an `as` cast, a `let` whose name is an index or is cast, a `let k: usize`) is now called as
//! written. Found by autodiff-fuzz (seed 19191, beside p00169).
use autodiff::grad;

#[derive(Clone, Debug, autodiff::Params)]
pub struct M {
    pub mat: [[f64; 2]; 3],
    pub w: [f64; 2],
}

#[grad]
fn first(w: &[f64]) -> f64 {
    w[0] * w[1]
}

fn width(r: &[f64; 2]) -> usize {
    r.len()
}

fn argmax(v: &[f64]) -> usize {
    let mut k = 0;
    for i in 1..v.len() {
        if v[i] > v[k] {
            k = i;
        }
    }
    k
}

fn count_positive(v: &[f64]) -> u32 {
    v.iter().filter(|x| **x > 0.0).count() as u32
}

#[grad]
fn rows_width(m: &M, x: f64) -> f64 {
    let mut s = 0.0;
    for row in m.mat.iter() {
        s += first(&m.w) * width(row) as f64;
    }
    x * s
}

#[grad]
fn largest_times_first(x: &[f64]) -> f64 {
    let k = argmax(x);
    x[k] * x[0]
}

#[grad]
fn indexed_by_calls(x: &[f64]) -> f64 {
    let k: usize = argmax(x);
    x[argmax(x)] * x[k] + x[k.min(1)]
}

#[grad]
fn mean_of_positive(x: &[f64]) -> f64 {
    let n = count_positive(x);
    let mut s = 0.0;
    for v in x {
        if *v > 0.0 {
            s += v;
        }
    }
    s / n as f64
}

#[grad]
fn counted_loop(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..count_positive(x) as usize {
        s += x[i] * x[i];
    }
    s
}

#[grad]
fn product(x: &[f64]) -> f64 {
    x[0] * x[1]
}

/// A name read as an integer, then bound again to a differentiated result: only the reads
/// before the next `let` of the name count.
#[grad]
fn shadowed_count(x: &[f64]) -> f64 {
    let n = count_positive(x);
    let scale = 1.0 / n as f64;
    let n = product(x);
    n * scale
}

#[grad]
fn argmax_per_row(rows: &[[f64; 3]; 2], w: f64) -> f64 {
    let mut s = 0.0;
    for row in rows {
        let k = argmax(row);
        s += w * row[k];
    }
    s
}

const SCALE: [f64; 4] = [1.0, 0.5, 0.25, 0.125];

fn bucket(x: f64) -> usize {
    ((x.abs() * 2.0) as usize).min(3)
}

/// A `const` table indexed by such a call ("can index only arrays, slices and Vecs").
#[grad]
fn scaled_by_bucket(x: f64) -> f64 {
    SCALE[bucket(x)] * x
}

fn main() {
    let m = M {
        mat: [[1.0, 2.0]; 3],
        w: [0.5, 4.0],
    };
    // x * 3 rows * w0 w1 * 2
    let (value, (d_m, d_x)) = rows_width_grad(&m, 2.0);
    assert_eq!((value, d_x), (24.0, 12.0));
    assert_eq!(d_m.w, [48.0, 6.0]);
    assert_eq!(d_m.mat, [[0.0; 2]; 3]);

    let x = [1.0, 3.0, -2.0];
    // x1 * x0
    assert_eq!(largest_times_first_grad(&x), (3.0, vec![3.0, 1.0, 0.0]));
    // x1 * x1 + x1
    assert_eq!(indexed_by_calls_grad(&x), (12.0, vec![0.0, 7.0, 0.0]));
    // (x0 + x1) / 2
    assert_eq!(mean_of_positive_grad(&x), (2.0, vec![0.5, 0.5, 0.0]));
    // x0^2 + x1^2
    assert_eq!(counted_loop_grad(&x), (10.0, vec![2.0, 6.0, 0.0]));
    // SCALE[2] x
    assert_eq!(scaled_by_bucket_grad(1.2), (0.3, 0.25));
    // x0 x1 / 2
    assert_eq!(shadowed_count_grad(&x), (1.5, vec![1.5, 0.5, 0.0]));
    // w (3 + 5)
    let rows = [[1.0, 3.0, -2.0], [5.0, 0.0, 1.0]];
    let (value, (d_rows, d_w)) = argmax_per_row_grad(&rows, 0.5);
    assert_eq!((value, d_w), (4.0, 8.0));
    assert_eq!(d_rows, [[0.0, 0.5, 0.0], [0.5, 0.0, 0.0]]);
}
