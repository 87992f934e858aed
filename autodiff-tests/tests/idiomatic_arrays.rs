//! Arrays as numeric crates make them, with `#[grad]` added and nothing else (the rest of such
//! code is in `idiomatic.rs`): `[T; N]::map`, an array an `if`, a `match`, a block or a
//! closure ends in, `copy_from_slice` into a local array, an argsort. Each gradient is checked
//! against a hand-derived one, or against central differences and tangents.
// `vec![..]` literals are what is being tested.
#![allow(clippy::useless_vec)]

mod common;

use autodiff::grad;
use common::{all_close, close};

// ----- `[T; N]::map` (issue-10 probe) -----
// `let y = x.map(|v| ..);` of an array of known length was rejected (`map` taken for an
// unknown method): it is the array `std::array::from_fn(|i| f(x[i]))` makes.

#[grad]
fn mapped_arrays(x: [f64; 3], w: &[f64; 3]) -> f64 {
    let y = x.map(|v| v * 2.0);
    let e = w.map(f64::exp);
    y[0] * y[1] + y[2] * e[2] + e[0]
}

#[test]
fn array_map_of_known_length() {
    let (x, w) = ([1.0, 2.0, 3.0], [0.0, 0.5, 1.0]);
    let (value, (d_x, d_w)) = mapped_arrays_grad(x, &w);
    let e2 = 1.0f64.exp();
    assert!(close(value, 2.0 * 4.0 + 6.0 * e2 + 1.0));
    assert!(all_close(&d_x, &[8.0, 4.0, 2.0 * e2]));
    assert!(all_close(&d_w, &[1.0, 0.0, 6.0 * e2]));
}

#[grad(modes(tangent))]
fn dot3_ref(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

#[grad(modes(tangent))]
fn sum3(a: [f64; 3]) -> f64 {
    a[0] + a[1] + a[2]
}

/// `x.map(..)` where a value is expected (lent to a call, passed by value, a chain's source)
/// was rejected outside a `let`.
#[grad(modes(tangent))]
fn mapped_in_place(x: [f64; 3], w: &[f64; 3]) -> f64 {
    dot3_ref(&x.map(|v| v * 2.0), w) + sum3(w.map(f64::sin)) + x.map(f64::exp).iter().sum::<f64>()
}

#[test]
fn array_map_where_a_value_is_expected() {
    let (x, w) = ([1.0, 2.0, 3.0], [0.0, 0.5, 1.0]);
    let (value, (d_x, d_w)) = mapped_in_place_grad(x, &w);
    let dot: f64 = (0..3).map(|i| 2.0 * x[i] * w[i]).sum();
    let sines: f64 = w.iter().map(|v| v.sin()).sum();
    let exps: f64 = x.iter().map(|v| v.exp()).sum();
    assert!(close(value, dot + sines + exps));
    let by_hand_x: Vec<f64> = (0..3).map(|i| 2.0 * w[i] + x[i].exp()).collect();
    let by_hand_w: Vec<f64> = (0..3).map(|i| 2.0 * x[i] + w[i].cos()).collect();
    assert!(all_close(&d_x, &by_hand_x));
    assert!(all_close(&d_w, &by_hand_w));
    let (_, jv) = mapped_in_place_tangent(x, &w, &[1.0, 0.0, 0.0], &[0.0, 0.0, 1.0]);
    assert!(close(jv, by_hand_x[0] + by_hand_w[2]));
}

// `map` over the rows of a matrix, and a `map` whose closure makes rows, were rejected (`map`
// taken for an unknown method): the matrix `std::array::from_fn` makes, each row literal
// written in place.

#[grad(modes(tangent))]
fn rows_mapped(a: &[[f64; 2]; 3]) -> f64 {
    let sq = a.map(|r| [r[0] * r[0], r[1] * r[1]]);
    let dots = a.map(|r| r[0] * r[1]);
    sq[0][0] + sq[1][1] + sq[2][0] + dots[0] + 2.0 * dots[2]
}

#[grad(modes(tangent))]
fn lifted_to_rows(x: [f64; 3]) -> f64 {
    let p: [[f64; 2]; 3] = x.map(|v| [v, v * v]);
    let t = p.map(|r| {
        let s = r[0] + r[1];
        if s > 0.0 {
            [s, r[0]]
        } else {
            [-s, r[1]]
        }
    });
    p[0][1] + p[2][0] * p[1][1] + t[0][0] * t[1][1]
}

#[grad(modes(tangent))]
fn det2(m: &[[f64; 2]; 2]) -> f64 {
    m[0][0] * m[1][1] - m[0][1] * m[1][0]
}

#[grad(modes(tangent))]
fn rows_mapped_in_place(a: &[[f64; 2]; 2]) -> f64 {
    det2(&a.map(|r| [r[1], r[0] * r[0]]))
}

#[test]
fn map_over_rows_and_into_rows() {
    let a = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]];
    let (value, g) = rows_mapped_grad(&a);
    assert_eq!(value, 1.0 + 16.0 + 25.0 + 2.0 + 60.0);
    assert_eq!(g, [[2.0 + 2.0, 1.0], [0.0, 8.0], [10.0 + 12.0, 10.0]]);
    let (_, jv) = rows_mapped_tangent(&a, &[[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]]);
    assert_eq!(jv, g[0][0] + g[2][1]);

    // p = [[x0, x0^2], [x1, x1^2], [x2, x2^2]]; for x > 0, t0 = [x0 + x0^2, x0] and
    // t1 = [x1 + x1^2, x1]: f = x0^2 + x2 x1^2 + (x0 + x0^2) x1.
    let x = [1.0, 2.0, 3.0];
    let (value, g) = lifted_to_rows_grad(x);
    assert_eq!(value, 1.0 + 12.0 + 2.0 * 2.0);
    assert_eq!(g, [2.0 + 2.0 * 3.0, 12.0 + 2.0, 4.0]);
    // Negative sums (-1 < x < 0) take the other branch: t = [-(x + x^2), x^2].
    let x = [-0.5, -0.25, 0.5];
    let (value, g) = lifted_to_rows_grad(x);
    assert_eq!(value, lifted_to_rows(x));
    let (s0, x1) = (x[0] + x[0] * x[0], x[1]);
    let by_hand = [
        2.0 * x[0] - (1.0 + 2.0 * x[0]) * x1 * x1,
        2.0 * x[2] * x[1] - s0 * 2.0 * x1,
        x[1] * x[1],
    ];
    assert!(all_close(&g, &by_hand));

    // det [[a01, a00^2], [a11, a10^2]] = a01 a10^2 - a00^2 a11.
    let a = [[1.0, 2.0], [3.0, 4.0]];
    let (value, g) = rows_mapped_in_place_grad(&a);
    assert_eq!(value, 2.0 * 9.0 - 4.0);
    assert_eq!(g, [[-8.0, 9.0], [12.0, -1.0]]);
    let (_, jv) = rows_mapped_in_place_tangent(&a, &[[0.0, 1.0], [1.0, 0.0]]);
    assert_eq!(jv, 21.0);
}

// ----- arrays an `if`, a `match`, a block or a closure makes (a probe of real-style code) -----
// `let v = if c { [a, b] } else { [b, a] };` and a closure ending in an array literal were
// rejected ("array literals bound to a local"), with a cascade of errors after.

#[grad(modes(tangent))]
fn arrays_from_branches(x: &[f64]) -> f64 {
    let rot = |a: f64| [a.cos(), a.sin()];
    let mut total = 0.0;
    for (i, &xi) in x.iter().enumerate() {
        let v = if xi > 0.0 {
            [xi, 2.0 * xi]
        } else {
            [xi * xi, xi]
        };
        let w = match i % 3 {
            0 => [v[1], v[0]],
            1 => {
                let s = v[0] + v[1];
                [s, s * s]
            }
            _ => continue,
        };
        let u = {
            let e = xi.exp();
            [e, w[0] * e]
        };
        total += w[0] * w[1] + u[1] + rot(xi)[1] * rot(w[0])[0];
    }
    total
}

/// The same sum written with scalars.
fn arrays_from_branches_by_hand(x: &[f64]) -> f64 {
    let mut total = 0.0;
    for (i, &xi) in x.iter().enumerate() {
        let (v0, v1) = if xi > 0.0 {
            (xi, 2.0 * xi)
        } else {
            (xi * xi, xi)
        };
        let (w0, w1) = match i % 3 {
            0 => (v1, v0),
            1 => (v0 + v1, (v0 + v1) * (v0 + v1)),
            _ => continue,
        };
        total += w0 * w1 + w0 * xi.exp() + xi.sin() * w0.cos();
    }
    total
}

#[test]
fn arrays_made_by_branches_blocks_and_closures() {
    let x = [0.7, -0.4, 1.1, -1.3, 0.2];
    let (value, g) = arrays_from_branches_grad(&x);
    assert!(close(value, arrays_from_branches_by_hand(&x)));
    fd_and_tangent_agree(
        x,
        &g,
        |x| arrays_from_branches_by_hand(x),
        |x, t| arrays_from_branches_tangent(x, t).1,
    );
}

/// `g`, a gradient at `x`, against central differences of `f` and against the tangent along
/// each unit direction.
fn fd_and_tangent_agree<const N: usize>(
    x: [f64; N],
    g: &[f64],
    f: impl Fn(&[f64; N]) -> f64,
    tangent: impl Fn(&[f64; N], &[f64; N]) -> f64,
) {
    let h = 1e-6;
    for i in 0..N {
        let (mut up, mut down) = (x, x);
        up[i] += h;
        down[i] -= h;
        let fd = (f(&up) - f(&down)) / (2.0 * h);
        assert!(
            (g[i] - fd).abs() < 1e-6 * (1.0 + fd.abs()),
            "d/dx{i}: {} vs {fd}",
            g[i]
        );
        let mut t = [0.0; N];
        t[i] = 1.0;
        assert!((tangent(&x, &t) - g[i]).abs() < 1e-12, "tangent {i}");
    }
}

/// A closure that fills a local array and returns it, called in a loop, its result assigned
/// whole (a cubic Bézier curve's length by segments).
#[grad(modes(tangent))]
fn bezier_length(p: &[f64; 8]) -> f64 {
    let point = |t: f64| {
        let u = 1.0 - t;
        let basis = [u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t];
        let mut xy = [0.0; 2];
        for k in 0..4 {
            xy[0] += basis[k] * p[2 * k];
            xy[1] += basis[k] * p[2 * k + 1];
        }
        xy
    };
    let mut length = 0.0;
    let mut previous = point(0.0);
    for i in 1..=8 {
        let current = point(i as f64 / 8.0);
        length += ((current[0] - previous[0]).powi(2) + (current[1] - previous[1]).powi(2)).sqrt();
        previous = current;
    }
    length
}

#[test]
fn a_closure_returns_its_local_array() {
    let p = [0.0, 0.0, 0.3, 1.0, 0.7, 1.0, 1.0, 0.0];
    let (value, g) = bezier_length_grad(&p);
    assert!(close(value, bezier_length(&p)));
    fd_and_tangent_agree(p, &g, bezier_length, |p, t| bezier_length_tangent(p, t).1);
}

// ----- `copy_from_slice` into a local array (a probe of real-style code) -----

#[grad(modes(tangent))]
fn assembled(x: &[f64]) -> f64 {
    let mut state = [0.0; 6];
    let a = [x[0], x[1], x[2]];
    let b = [x[2] * 2.0, x[1], x[0].sin()];
    state[..3].copy_from_slice(&a);
    state[3..6].copy_from_slice(&b);
    let mut tail = vec![0.0; 3];
    tail.copy_from_slice(&state[3..]);
    let mut head = [0.0; 2];
    head.copy_from_slice(&x[1..3]);
    state.iter().map(|s| s * s).sum::<f64>() + tail[2] * head[0] + head[1]
}

#[test]
fn copies_from_slices_into_local_arrays() {
    let x = [0.3, -0.2, 0.5];
    let (value, g) = assembled_grad(&x);
    // x0² + x1² + x2² + 4 x2² + x1² + sin² x0 + sin x0 x1 + x2
    let s = x[0].sin();
    let by_hand = x[0] * x[0] + 2.0 * x[1] * x[1] + 5.0 * x[2] * x[2] + s * s + s * x[1] + x[2];
    assert!(close(value, by_hand));
    let c = x[0].cos();
    let grad = [
        2.0 * x[0] + 2.0 * s * c + c * x[1],
        4.0 * x[1] + s,
        10.0 * x[2] + 1.0,
    ];
    assert!(all_close(&g, &grad));
    let (_, jv) = assembled_tangent(&x, &[0.0, 1.0, 0.0]);
    assert!(close(jv, grad[1]));
}

// ----- an argsort (issue-10 probe) -----
// `idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]))` on a vector of indices was rejected (a
// closure reading a differentiated input passed to a method): the order is data, sorted as
// written, and the elements read through it are differentiated.

#[grad]
fn median_by_argsort(x: &[f64]) -> f64 {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    x[idx[x.len() / 2]] * x[idx[0]]
}

#[test]
fn an_argsort_orders_data() {
    let (value, g) = median_by_argsort_grad(&[3.0, 1.0, 2.0]);
    assert_eq!((value, g), (2.0, vec![0.0, 2.0, 1.0]));
}

/// Linear interpolation in a table `(xs, ys)`, the interval found by a search whose
/// comparisons read the differentiated `x` (no derivative flows through them).
#[grad(ys, x)]
fn interp_partition_point(xs: &[f64], ys: &[f64], x: f64) -> f64 {
    let i = xs.partition_point(|&v| v < x).clamp(1, xs.len() - 1);
    let t = (x - xs[i - 1]) / (xs[i] - xs[i - 1]);
    ys[i - 1] * (1.0 - t) + ys[i] * t
}

/// The same interval from `binary_search_by`, matched on (`Ok(i) | Err(i)`, with the last
/// arm binding, so the `match` ends in `unreachable!()` where Rust needs no arm) and
/// unwrapped (`unwrap_or_else`).
#[grad(ys, x)]
fn interp_binary_search(xs: &[f64], ys: &[f64], x: f64) -> f64 {
    let hi = match xs.binary_search_by(|v| v.partial_cmp(&x).unwrap()) {
        Ok(i) => i + 1,
        Err(i) => i,
    }
    .clamp(1, xs.len() - 1);
    let lo = xs
        .binary_search_by(|v| v.total_cmp(&x))
        .unwrap_or_else(|i| i.max(1) - 1)
        .min(hi - 1);
    let t = (x - xs[lo]) / (xs[hi] - xs[lo]);
    ys[lo] * (1.0 - t) + ys[hi] * t
}

#[test]
fn searches_find_data() {
    let xs = [0.0, 1.0, 2.5, 4.0];
    let ys = [1.0, 3.0, 2.0, 5.0];
    for (x, interval) in [(0.4, 0), (1.7, 1), (3.0, 2), (-0.5, 0), (4.5, 2)] {
        let (lo, hi) = (interval, interval + 1);
        let t = (x - xs[lo]) / (xs[hi] - xs[lo]);
        let value = ys[lo] * (1.0 - t) + ys[hi] * t;
        let mut d_ys = vec![0.0; 4];
        d_ys[lo] = 1.0 - t;
        d_ys[hi] = t;
        let d_x = (ys[hi] - ys[lo]) / (xs[hi] - xs[lo]);
        for (v, (g, dx)) in [
            interp_partition_point_grad(&xs, &ys, x),
            interp_binary_search_grad(&xs, &ys, x),
        ] {
            assert!(close(v, value), "x = {x}: {v} against {value}");
            assert!(all_close(&g, &d_ys), "x = {x}: {g:?} against {d_ys:?}");
            assert!(close(dx, d_x), "x = {x}: {dx} against {d_x}");
        }
    }
}

/// Which entry a term reads, as a data enum whose every variant carries the index.
#[derive(Clone, Copy)]
enum Pick {
    Entry(usize),
    Mirrored(usize),
}

/// A `match` whose arms all bind and give integers: the last arm is the `else` Rust never
/// reaches, and what it stands for has the arms' integer type.
#[grad(x)]
fn picked_square(x: &[f64], pick: Pick) -> f64 {
    let i = match pick {
        Pick::Entry(i) => i,
        Pick::Mirrored(i) => x.len() - 1 - i,
    };
    x[i] * x[i]
}

#[test]
fn a_match_of_indices_ends_in_no_float() {
    let x = [1.0, 2.0, 3.0];
    assert_eq!(
        picked_square_grad(&x, Pick::Entry(0)),
        (1.0, vec![2.0, 0.0, 0.0])
    );
    assert_eq!(
        picked_square_grad(&x, Pick::Mirrored(0)),
        (9.0, vec![0.0, 0.0, 6.0])
    );
}

/// A batch of `(features, label)` pairs: the pattern binds `x` to a `&Vec<f64>` and `y` to
/// a `&f64`, as Rust does through the reference.
#[grad(w)]
fn batch_of_pairs(w: &[f64], data: &[(Vec<f64>, f64)]) -> f64 {
    let mut total = 0.0;
    for (x, y) in data {
        let p: f64 = w.iter().zip(x).map(|(a, b)| a * b).sum();
        total += (p - *y).powi(2) + 0.5 * (p - y) * x[0];
    }
    let (first, scale) = &data[0];
    total / data.len() as f64 + w[0] * first.len() as f64 * scale
}

/// Weights and a count made by a helper, returned as an owned tuple whose `Vec` is not `Copy`.
fn split_weights(n: usize) -> (Vec<f64>, usize) {
    ((0..n).map(|i| i as f64 + 1.0).collect(), n / 2)
}

#[grad(x)]
fn first_half_weighted(x: &[f64], n: usize) -> f64 {
    let (weights, half) = split_weights(n);
    let mut s = 0.0;
    for i in 0..half {
        s += weights[i] * x[i] * x[i];
    }
    s
}

#[test]
fn tuples_of_data_bind_as_rust_binds_them() {
    // weights 1, 2, 3, 4; the first two used.
    assert_eq!(
        first_half_weighted_grad(&[1.0, 2.0, 3.0], 4),
        (9.0, vec![2.0, 8.0, 0.0])
    );
    let data = vec![(vec![1.0, 2.0], 1.0), (vec![-1.0, 0.5], 0.0)];
    let w = [0.5, -0.25];
    let (value, g) = batch_of_pairs_grad(&w, &data);
    // p = 0 and p = -0.625: (p - y)^2 + 0.5 (p - y) x0 for each pair, halved.
    let terms = [(0.0, 1.0, [1.0, 2.0]), (-0.625, 0.0, [-1.0, 0.5])];
    let expected: f64 = terms
        .iter()
        .map(|(p, y, x)| (p - y) * (p - y) + 0.5 * (p - y) * x[0])
        .sum::<f64>()
        / 2.0
        + w[0] * 2.0;
    assert!(close(value, expected), "{value} against {expected}");
    let mut d_w = [2.0, 0.0];
    for (p, y, x) in terms {
        let d_p = (2.0 * (p - y) + 0.5 * x[0]) / 2.0;
        d_w[0] += d_p * x[0];
        d_w[1] += d_p * x[1];
    }
    assert!(all_close(&g, &d_w), "{g:?} against {d_w:?}");
}

/// The index of the largest and of the smallest entry, picked from an enumerated iterator
/// (`.map(|(i, _)| i).unwrap()`, `.unwrap().0`, `.find(..)` after `.rev()`): data, as the
/// comparisons that pick them have no derivative.
#[grad]
fn picked_indices(x: &[f64]) -> f64 {
    let hi = x
        .iter()
        .copied()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
        .unwrap();
    let lo = x
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1))
        .unwrap()
        .0;
    let last_positive = x
        .iter()
        .copied()
        .enumerate()
        .rev()
        .find(|(_, v)| *v > 0.0)
        .map(|(i, _)| i)
        .unwrap_or(0);
    x[hi] * x[lo] + x[last_positive].exp()
}

#[test]
fn indices_picked_by_comparisons_are_data() {
    // hi = 1, lo = 2, last positive = 3.
    let x = [0.5, 3.0, -2.0, 1.0, -0.5];
    let (value, g) = picked_indices_grad(&x);
    assert!(close(value, -6.0 + 1f64.exp()));
    assert!(all_close(&g, &[0.0, -2.0, 3.0, 1f64.exp(), 0.0]), "{g:?}");
}

#[grad(modes(tangent, hvp))]
fn row_dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// A local grid of vectors, `vec![vec![0.0; m]; n]`, overwritten in place three times (its
/// previous values kept for the reverse sweep), its rows lent to a call.
#[grad(modes(tangent, hvp))]
fn grid_of_vectors(x: &[f64], w: &[f64]) -> f64 {
    let (n, m) = (x.len(), w.len());
    let mut u = vec![vec![0.0; m]; n];
    for _ in 0..3 {
        for i in 0..n {
            for j in 0..m {
                u[i][j] = (u[i][j] * 0.5 + x[i] * w[j]).sin();
            }
        }
    }
    let mut s = 0.0;
    for row in &u {
        s += row_dot(row, w) * row.len() as f64;
    }
    s
}

/// A dynamic-programming table of vectors filled from its corner (a soft-min alignment of
/// `x` with its reverse), and one filled with a differentiated value.
#[grad]
#[allow(clippy::needless_range_loop)] // the table's indices, as a DP is written
fn alignment_table(x: &[f64]) -> f64 {
    let n = x.len();
    let mut d = vec![vec![0.0; n + 1]; n + 1];
    for i in 1..=n {
        d[i][0] = i as f64;
        d[0][i] = i as f64;
    }
    for i in 1..=n {
        for j in 1..=n {
            let c = (x[i - 1] - x[n - j]).powi(2);
            let (a, b, e) = (d[i - 1][j] + 1.0, d[i][j - 1] + 1.0, d[i - 1][j - 1] + c);
            d[i][j] = -((-a).exp() + (-b).exp() + (-e).exp()).ln();
        }
    }
    let mut g = vec![vec![x[0]; 3]; n];
    for i in 0..n {
        g[i][i % 3] *= x[i];
    }
    d[n][n]
        + g.iter()
            .map(|row| row.iter().map(|v| v * v).sum::<f64>())
            .sum::<f64>()
}

#[test]
fn local_vectors_of_vectors() {
    use autodiff::gradcheck::assert_gradient;
    let (x, w) = ([0.3, -1.2, 0.7, 2.1], [0.5, -0.2, 0.9]);
    let (value, (d_x, d_w)) = grid_of_vectors_grad(&x, &w);
    assert!(close(value, grid_of_vectors(&x, &w)));
    assert_gradient(|x: &[f64]| grid_of_vectors(x, &w), &x, &d_x);
    assert_gradient(|w: &[f64]| grid_of_vectors(&x, w), &w, &d_w);
    let t = [1.0, 0.0, -1.0, 0.5];
    let (_, tangent) = grid_of_vectors_tangent(&x, &w, &t[..], autodiff::Const);
    let projected: f64 = d_x.iter().zip(&t).map(|(g, t)| g * t).sum();
    assert!(close(tangent, projected), "{tangent} against {projected}");
    // The Hessian along (t, 0) against central differences of the gradient.
    let (_, _, (hv_x, hv_w)) = grid_of_vectors_hvp(&x, &w, &t[..], &[0.0; 3][..]);
    let h = 1e-5;
    let at = |s: f64| {
        let moved: Vec<f64> = x.iter().zip(&t).map(|(x, t)| x + s * t).collect();
        grid_of_vectors_grad(&moved, &w).1
    };
    let ((gx_up, gw_up), (gx_down, gw_down)) = (at(h), at(-h));
    for (hv, (up, down)) in hv_x.iter().chain(&hv_w).zip(
        gx_up
            .iter()
            .chain(&gw_up)
            .zip(gx_down.iter().chain(&gw_down)),
    ) {
        let fd = (up - down) / (2.0 * h);
        assert!(
            (hv - fd).abs() < 1e-6 * (1.0 + fd.abs()),
            "{hv} against {fd}"
        );
    }
    let (_, d_x) = alignment_table_grad(&x);
    assert_gradient(alignment_table, &x, &d_x);
}

/// Helper functions declared inside the body and called on differentiated values are
/// differentiated as `#[grad]` would (`sq`, `softplus`); one never called so (`name`) is left
/// alone, and one with a derivative written beside it (`clip_adjoint`) keeps it.
#[grad]
fn nested_helpers(x: &[f64]) -> f64 {
    const EPS: f64 = 1e-8;
    fn sq(v: f64) -> f64 {
        v * v
    }
    fn softplus(z: f64) -> f64 {
        if z > 20.0 {
            z
        } else {
            z.exp().ln_1p()
        }
    }
    fn name() -> &'static str {
        "helpers"
    }
    fn clip(v: f64) -> f64 {
        v.clamp(-1.0, 1.0)
    }
    // A straight-through derivative, written by hand; only the generated sweeps call it.
    #[allow(dead_code)]
    fn clip_adjoint(v: f64, d_out: f64, mut d_v: impl autodiff::Shadow<f64>) -> f64 {
        d_v.add(d_out);
        v.clamp(-1.0, 1.0)
    }
    let n: f64 = x.iter().map(|&v| sq(v)).sum();
    assert!(!name().is_empty());
    (n + EPS).ln() + softplus(x[0]) * sq(x[1]) + clip(x[2])
}

/// The same in forward mode and second order: the helpers get their tangents and dual
/// sweeps too.
#[grad(modes(tangent, hvp))]
fn nested_helpers_modes(x: &[f64]) -> f64 {
    fn cube(v: f64) -> f64 {
        v * v * v
    }
    fn norm(v: &[f64]) -> f64 {
        v.iter().map(|a| a * a).sum::<f64>().sqrt()
    }
    cube(x[0]) + norm(x) * x[1]
}

#[test]
fn helpers_declared_in_the_body_are_differentiated() {
    let x = [0.3, -1.2, 2.5];
    let (_, g) = nested_helpers_grad(&x);
    let n: f64 = x.iter().map(|v| v * v).sum::<f64>() + 1e-8;
    let s = x[0].exp().ln_1p();
    let sigmoid = 1.0 / (1.0 + (-x[0]).exp());
    // clip(2.5) is at its bound: the hand-written derivative passes 1 through anyway.
    let expected = [
        2.0 * x[0] / n + sigmoid * x[1] * x[1],
        2.0 * x[1] / n + s * 2.0 * x[1],
        2.0 * x[2] / n + 1.0,
    ];
    assert!(all_close(&g, &expected), "{g:?} against {expected:?}");

    let x = [0.3, -1.2, 0.7, 2.1];
    let t = [1.0, 0.0, -1.0, 0.5];
    let (_, d_x) = nested_helpers_modes_grad(&x);
    let (_, tangent) = nested_helpers_modes_tangent(&x, &t[..]);
    let projected: f64 = d_x.iter().zip(&t).map(|(g, t)| g * t).sum();
    assert!(close(tangent, projected), "{tangent} against {projected}");
    let (_, _, hv) = nested_helpers_modes_hvp(&x, &t[..]);
    let h = 1e-5;
    let at = |s: f64| {
        let moved: Vec<f64> = x.iter().zip(&t).map(|(x, t)| x + s * t).collect();
        nested_helpers_modes_grad(&moved).1
    };
    let (up, down) = (at(h), at(-h));
    for (hv, (u, d)) in hv.iter().zip(up.iter().zip(&down)) {
        let fd = (u - d) / (2.0 * h);
        assert!(
            (hv - fd).abs() < 1e-6 * (1.0 + fd.abs()),
            "{hv} against {fd}"
        );
    }
}

/// A vector output made by `std::array::from_fn` as the function's last expression: its
/// length comes from the return type.
#[grad(modes(jacobian))]
fn polar_to_cartesian(p: &[f64; 2]) -> [f64; 2] {
    let [r, theta] = *p;
    std::array::from_fn(|i| {
        if i == 0 {
            r * theta.cos()
        } else {
            r * theta.sin()
        }
    })
}

#[grad]
fn chained_residuals(x: &[f64]) -> Vec<f64> {
    x.windows(2).map(|w| 10.0 * (w[1] - w[0] * w[0])).collect()
}

/// A chain over the vector a differentiated call returns, without binding it first.
#[grad]
fn sum_of_squared_residuals(x: &[f64]) -> f64 {
    chained_residuals(x).iter().map(|r| r * r).sum::<f64>()
        + polar_to_cartesian(&[x[0], x[1]]).iter().sum::<f64>()
}

#[test]
fn arrays_made_and_chained_where_they_are_returned() {
    let (r, theta) = (2.0f64, 0.5f64);
    let (value, jacobian) = polar_to_cartesian_jacobian(&[r, theta]);
    assert_eq!(value, [r * theta.cos(), r * theta.sin()]);
    let expected = [
        [theta.cos(), -r * theta.sin()],
        [theta.sin(), r * theta.cos()],
    ];
    for (row, want) in jacobian.iter().zip(&expected) {
        assert!(all_close(row, want), "{row:?} against {want:?}");
    }
    let x = [0.3, -1.2, 0.7];
    let (_, g) = sum_of_squared_residuals_grad(&x);
    autodiff::gradcheck::assert_gradient(sum_of_squared_residuals, &x, &g);
}

mod layers {
    use autodiff::{grad, Float};

    /// A generic unit, called with its type written out.
    #[grad(modes(tangent))]
    pub fn unit<T: Float>(w: &[T], x: &[T], b: T) -> T {
        let mut z = b;
        for i in 0..w.len() {
            z = z + w[i] * x[i];
        }
        z.tanh()
    }
}

/// Calls with a turbofish (`layers::unit::<f64>(..)`): the generated items have a type
/// parameter per shadow after the function's own, so the call's are left to inference.
#[grad(w, modes(tangent))]
fn turbofish_calls(w: &[f64], x: &[f64]) -> f64 {
    let h = layers::unit::<f64>(w, x, 0.1);
    self::layers::unit::<f64>(&w[1..], &x[1..], h) * h
}

#[test]
fn calls_with_a_turbofish() {
    let (w, x) = ([0.3, -1.2, 0.7], [0.5, 0.2, -0.4]);
    let (_, d_w) = turbofish_calls_grad(&w, &x);
    autodiff::gradcheck::assert_gradient(|w: &[f64]| turbofish_calls(w, &x), &w, &d_w);
    let t = [1.0, -0.5, 0.25];
    let (_, tangent) = turbofish_calls_tangent(&w, &x, &t[..], autodiff::Const);
    let projected: f64 = d_w.iter().zip(&t).map(|(g, t)| g * t).sum();
    assert!(close(tangent, projected), "{tangent} against {projected}");
}

/// Copies of parameters bound without `mut` (`x.clone()`, `x.to_owned()`, `w[1].clone()`):
/// arrays of their own, read like the parameter (were rejected as a method without a rule).
#[grad]
#[allow(clippy::clone_on_copy, clippy::ptr_arg)] // `clone()` of a fixed-size array and a `&Vec` is tested
fn cloned_parameters(x: &[f64; 3], v: &Vec<f64>, s: &[f64], w: &[[f64; 2]; 2]) -> f64 {
    let a = x.clone();
    let b = v.clone();
    let c = s.to_owned();
    let r = w[1].clone();
    a[0] * a[1] + a[2] + b.iter().map(|t| t * t).sum::<f64>() + c[0] * c[1] + r[0] * r[1]
}

#[test]
fn clones_of_parameters_are_copies() {
    let (x, v, s, w) = (
        [1.0, 2.0, 3.0],
        vec![0.5, -1.5],
        [2.0, -3.0],
        [[1.0, 2.0], [3.0, 4.0]],
    );
    let (value, (d_x, d_v, d_s, d_w)) = cloned_parameters_grad(&x, &v, &s, &w);
    assert_eq!(value, cloned_parameters(&x, &v, &s, &w));
    assert_eq!(d_x, [2.0, 1.0, 1.0]);
    assert_eq!(d_v, vec![1.0, -3.0]);
    assert_eq!(d_s, vec![-3.0, 2.0]);
    assert_eq!(d_w, [[0.0, 0.0], [4.0, 3.0]]);
}

/// `for row in *xs`: the rows of an array parameter by value (a `mut` one a copy of its own).
#[grad]
fn dereferenced_rows(xs: &[[f64; 2]; 2], v: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    for mut row in *xs {
        row[0] *= 5.0;
        s += row[0] * row[1];
    }
    for a in *v {
        s += a * a;
    }
    s
}

#[test]
fn dereferenced_arrays_are_iterated() {
    let (x, v) = ([[0.3, -1.2], [0.7, 0.4]], [1.0, 2.0, 3.0]);
    let (value, (d_x, d_v)) = dereferenced_rows_grad(&x, &v);
    assert_eq!(value, dereferenced_rows(&x, &v));
    assert_eq!(d_x, [[-6.0, 1.5], [2.0, 3.5]]);
    assert_eq!(d_v, [2.0, 4.0, 6.0]);
}

/// Gaussian elimination with partial pivoting: the pivot row swapped in with `m.swap(i, p)`
/// (a local matrix's rows, in a branch), the determinant the product of the pivots.
#[grad]
#[allow(clippy::needless_range_loop)] // elimination written by indices, as textbooks do
fn pivoted_determinant(a: &[[f64; 3]; 3]) -> f64 {
    let mut m = a.to_vec();
    let n = m.len();
    let mut det = 1.0;
    for i in 0..n {
        let mut p = i;
        for r in i + 1..n {
            if m[r][i].abs() > m[p][i].abs() {
                p = r;
            }
        }
        if p != i {
            m.swap(i, p);
            det = -det;
        }
        det *= m[i][i];
        for r in i + 1..n {
            let f = m[r][i] / m[i][i];
            for c in i..n {
                m[r][c] -= f * m[i][c];
            }
        }
    }
    det
}

#[test]
fn rows_of_a_local_matrix_are_swapped() {
    let a = [[2.0, 1.0, 0.5], [4.0, -1.0, 3.0], [1.0, 2.0, 2.0]];
    let (value, d_a) = pivoted_determinant_grad(&a);
    // d det / d a_ij is the cofactor C_ij.
    let cofactor = |i: usize, j: usize| {
        let (r, c) = ([(i + 1) % 3, (i + 2) % 3], [(j + 1) % 3, (j + 2) % 3]);
        a[r[0]][c[0]] * a[r[1]][c[1]] - a[r[0]][c[1]] * a[r[1]][c[0]]
    };
    let det: f64 = (0..3).map(|j| a[0][j] * cofactor(0, j)).sum();
    assert!(close(value, det), "{value} vs {det}");
    for (i, row) in d_a.iter().enumerate() {
        for (j, d) in row.iter().enumerate() {
            assert!(
                close(*d, cofactor(i, j)),
                "{i} {j}: {d} vs {}",
                cofactor(i, j)
            );
        }
    }
}

/// A matrix made by `std::array::from_fn`: a transpose through an inner `from_fn`, rows as
/// literals, and rows copied (were rejected, or read as 1-D: "too many indices").
#[grad]
fn matrices_from_fn(a: &[[f64; 2]; 3]) -> f64 {
    let t: [[f64; 3]; 2] = std::array::from_fn(|j| std::array::from_fn(|i| a[i][j]));
    let s: [[f64; 2]; 3] = std::array::from_fn(|i| [a[i][0] * 2.0, a[i][1].sin()]);
    let r: [[f64; 2]; 3] = std::array::from_fn(|i| a[2 - i]);
    t[0][2] * t[1][0] + s[1][1] * s[2][0] + r[0][1]
}

#[test]
fn matrices_are_made_by_from_fn() {
    let a = [[0.3, -1.2], [0.7, 0.4], [1.1, -0.5]];
    let (value, d_a) = matrices_from_fn_grad(&a);
    assert_eq!(value, matrices_from_fn(&a));
    // a[2][0] a[0][1] + sin(a[1][1]) 2 a[2][0] + a[2][1]
    let expected = [
        [0.0, a[2][0]],
        [0.0, a[1][1].cos() * 2.0 * a[2][0]],
        [a[0][1] + 2.0 * a[1][1].sin(), 1.0],
    ];
    for (row, e) in d_a.iter().zip(&expected) {
        assert!(all_close(row, e), "{d_a:?} vs {expected:?}");
    }
}

/// Rows collected from array literals (`.map(|r| [..]).collect::<Vec<[f64; 2]>>()`), over rows
/// and over windows (was "bind the array literal first").
#[grad]
fn collected_rows(a: &[[f64; 2]], x: &[f64]) -> f64 {
    let rows: Vec<[f64; 2]> = a.iter().map(|r| [r[0] * 2.0, r[1].sin()]).collect();
    let pairs = x
        .windows(2)
        .map(|w| [w[0] * w[1], w[1] - w[0]])
        .collect::<Vec<[f64; 2]>>();
    let mut s: f64 = rows.iter().map(|r| r[0] * r[1]).sum();
    for p in &pairs {
        s += p[0] + p[1] * p[1];
    }
    s
}

#[test]
fn rows_of_array_literals_are_collected() {
    let (a, x) = ([[0.3, -1.2], [0.7, 0.4]], [0.3, -1.2, 0.7]);
    let (value, (d_a, d_x)) = collected_rows_grad(&a, &x);
    assert_eq!(value, collected_rows(&a, &x));
    for (d, r) in d_a.iter().zip(&a) {
        assert!(all_close(d, &[2.0 * r[1].sin(), 2.0 * r[0] * r[1].cos()]));
    }
    // sum over windows of x0 x1 + (x1 - x0)^2
    let expected = [
        x[1] - 2.0 * (x[1] - x[0]),
        x[0] + 2.0 * (x[1] - x[0]) + x[2] - 2.0 * (x[2] - x[1]),
        x[1] + 2.0 * (x[2] - x[1]),
    ];
    assert!(all_close(&d_x, &expected), "{d_x:?} vs {expected:?}");
}

/// The standard library's iterators of one value in a chain: `iter::once` to pad the front,
/// `iter::repeat(v).take(k)` and `iter::repeat_n(v, n)` to pad or weight.
#[grad]
fn padded_differences(x: &[f64], pad: f64) -> f64 {
    let padded: Vec<f64> = std::iter::once(pad).chain(x.iter().copied()).collect();
    padded.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum()
}

#[grad]
#[allow(clippy::manual_repeat_n)] // the `repeat(v).take(k)` form is what is tested
fn repeated_padding(x: &[f64], pad: f64, k: usize) -> f64 {
    x.iter()
        .copied()
        .chain(std::iter::repeat(pad).take(k))
        .zip(std::iter::repeat_n(2.0, x.len() + k))
        .map(|(a, b)| a * b * a)
        .sum()
}

#[test]
fn iterators_of_one_value_pad_a_chain() {
    let (value, (d_x, d_pad)) = padded_differences_grad(&[1.0, 2.0], 3.0);
    assert_eq!(value, 4.0 + 1.0);
    assert_eq!((d_x, d_pad), (vec![-4.0 - 2.0, 2.0], 4.0));
    let (value, (d_x, d_pad)) = repeated_padding_grad(&[1.0, 2.0], 3.0, 2);
    assert_eq!(value, 2.0 * (1.0 + 4.0 + 9.0 + 9.0));
    assert_eq!((d_x, d_pad), (vec![4.0, 8.0], 2.0 * 2.0 * 2.0 * 3.0));
}

// ----- `reverse`, `rotate_left`, `rotate_right`, `fill` on a local array (probe) -----
// Each was rejected as a method without a derivative rule: they move or overwrite elements,
// which is what they are lowered to.

/// A time series read backwards, a ring buffer turned, a window reset.
#[grad(w, modes(tangent, hvp))]
fn rearranged(w: &[f64; 4], x: &[f64; 4], k: usize) -> f64 {
    let mut back = *w;
    back.reverse();
    let mut ring = vec![0.0; 4];
    ring.copy_from_slice(w);
    ring.rotate_left(k);
    let mut right = *x;
    right.rotate_right(1);
    let mut acc = 0.0;
    for i in 0..4 {
        acc += back[i] * x[i] + ring[i] * ring[i] * (i as f64 + 1.0) + right[i] * w[i];
    }
    let mut window = [1.0; 4];
    window.fill(w[0] * w[1]);
    window[2] = 0.5;
    let mut odd = vec![0.0; 3];
    odd.copy_from_slice(&w[..3]);
    odd.reverse();
    acc + window.iter().sum::<f64>() + odd[0] * odd[0]
}

#[test]
fn arrays_reversed_rotated_and_filled() {
    let w = [0.5, -1.0, 2.0, 1.5];
    let x = [1.0, 2.0, -0.5, 3.0];
    for k in 0..=4 {
        let by_hand = |w: &[f64; 4]| {
            let mut acc = 0.0;
            for i in 0..4 {
                let ring = w[(i + k) % 4];
                acc += w[3 - i] * x[i] + ring * ring * (i as f64 + 1.0) + x[(i + 3) % 4] * w[i];
            }
            acc + 3.0 * w[0] * w[1] + 0.5 + w[2] * w[2]
        };
        let (value, d_w) = rearranged_grad(&w, &x, k);
        assert!(close(value, rearranged(&w, &x, k)) && close(value, by_hand(&w)));
        let mut expected = [0.0; 4];
        for i in 0..4 {
            let j = (i + k) % 4;
            expected[3 - i] += x[i];
            expected[j] += 2.0 * w[j] * (i as f64 + 1.0);
            expected[i] += x[(i + 3) % 4];
        }
        expected[0] += 3.0 * w[1];
        expected[1] += 3.0 * w[0];
        expected[2] += 2.0 * w[2];
        assert!(
            all_close(&d_w, &expected),
            "{d_w:?} vs {expected:?} at k = {k}"
        );
        let v = [1.0, 0.0, -1.0, 0.5];
        let (_, tangent) = rearranged_tangent(&w, &x, k, &v, autodiff::Const);
        let directional: f64 = (0..4).map(|i| expected[i] * v[i]).sum();
        assert!(close(tangent, directional));
        let (_, _, hv) = rearranged_hvp(&w, &x, k, &v);
        let mut h_v = [0.0; 4];
        for i in 0..4 {
            let j = (i + k) % 4;
            h_v[j] += 2.0 * (i as f64 + 1.0) * v[j];
        }
        h_v[0] += 3.0 * v[1];
        h_v[1] += 3.0 * v[0];
        h_v[2] += 2.0 * v[2];
        assert!(all_close(&hv, &h_v), "{hv:?} vs {h_v:?}");
    }
}

#[test]
#[should_panic(expected = "rotating by more than the length")]
fn rotating_by_more_than_the_length_panics_as_the_method_does() {
    rearranged_grad(&[1.0; 4], &[1.0; 4], 5);
}

// ----- Arrays exchanged by a tuple assignment (probe) -----
// `(a, b) = (b, a)` of two arrays bound names for the arrays themselves, so `b` was read after
// `a` changed: both ended up holding `b` (silently wrong value and gradient: 22 for 12).

#[grad(modes(tangent))]
fn exchanged_arrays(x: &[f64; 1]) -> f64 {
    let mut a = *x;
    let mut b = [2.0 * x[0]];
    (a, b) = (b, a);
    a[0] + 10.0 * b[0]
}

/// Double buffers of a stepper, exchanged every step.
#[grad]
fn exchanged_buffers(x: &[f64]) -> f64 {
    let mut a = x.to_vec();
    let mut b = vec![2.0 * x[0]; x.len()];
    for _ in 0..3 {
        (b, a) = (a, b);
        a[0] += 1.0;
    }
    a[0] + 10.0 * b[0]
}

#[test]
fn arrays_exchanged_by_a_tuple_assignment() {
    assert_eq!(exchanged_arrays(&[1.0]), 12.0);
    assert_eq!(exchanged_arrays_grad(&[1.0]), (12.0, [12.0]));
    assert_eq!(exchanged_arrays_tangent(&[1.0], &[1.0]), (12.0, 12.0));
    // a[0] ends as 2 x0 + 2, b[0] as x0 + 1.
    assert_eq!(exchanged_buffers(&[1.0, 2.0]), 24.0);
    assert_eq!(exchanged_buffers_grad(&[1.0, 2.0]), (24.0, vec![12.0, 0.0]));
}

// ----- a `const` table mapped by a closure that reads a differentiated value (probe) -----

const TENORS: [f64; 3] = [1.0, 2.0, 5.0];

/// Discount factors on a fixed tenor grid, and a present value from them.
#[grad(modes(tangent))]
fn discount_factors(z: f64) -> [f64; 3] {
    let d: [f64; 3] = TENORS.map(|t| (-z * t).exp());
    d
}

#[grad]
fn present_value(z: f64, cash: &[f64; 3]) -> f64 {
    let d: [f64; 3] = TENORS.map(|t| (-z * t).exp());
    d.iter().zip(cash).map(|(a, c)| a * c).sum()
}

#[test]
fn const_tables_mapped_with_differentiated_captures() {
    let z = 0.03;
    let (value, tangent) = discount_factors_tangent(z, 1.0);
    for k in 0..3 {
        assert_eq!(value[k], (-z * TENORS[k]).exp());
        assert!((tangent[k] + TENORS[k] * value[k]).abs() < 1e-15);
    }
    let cash = [1.0, 2.0, 3.0];
    let (value, (d_z, d_cash)) = present_value_grad(z, &cash);
    assert_eq!(value, present_value(z, &cash));
    let expected: f64 = (0..3)
        .map(|k| -TENORS[k] * cash[k] * (-z * TENORS[k]).exp())
        .sum();
    assert!((d_z - expected).abs() < 1e-14);
    assert_eq!(d_cash, [0, 1, 2].map(|k| (-z * TENORS[k]).exp()));
}

// ----- a slice made into an array: `x.try_into().unwrap()` (finance probe) -----
// `let [mu, log_sigma]: [f64; 2] = params.try_into().unwrap();` was rejected (`try_into` has
// no derivative rule): it is the array of the slice's elements, its length checked.

#[grad(params, modes(tangent, hvp))]
fn normal_nll(params: &[f64], xs: &[f64]) -> f64 {
    let [mu, log_sigma]: [f64; 2] = params.try_into().unwrap();
    xs.iter()
        .map(|x| 0.5 * ((x - mu) / log_sigma.exp()).powi(2) + log_sigma)
        .sum()
}

/// Sub-slices, `expect`, a length from the pattern, and one from a constant.
#[grad(p)]
fn slices_into_arrays(p: &[f64]) -> f64 {
    let [a, b] = p[1..3].try_into().expect("two entries");
    let c: [f64; 2] = (&p[2..]).try_into().unwrap();
    let h: [f64; HEAD] = p[..HEAD].try_into().unwrap();
    a * b + c[0] * c[1] + h[0] * h[1] * h[2]
}

const HEAD: usize = 3;

#[test]
fn slices_made_into_arrays() {
    let (p, xs) = ([0.1, 0.2], [1.0, -0.5]);
    let s2 = (2.0 * 0.2f64).exp();
    let (v, g) = normal_nll_grad(&p, &xs);
    assert!(close(v, (0.81 + 0.36) / (2.0 * s2) + 0.4), "{v}");
    // d/dmu = -sum (x - mu) / s^2, d/dlog_sigma = -sum (x - mu)^2 / s^2 + n.
    assert!(
        close(g[0], -0.3 / s2) && close(g[1], -1.17 / s2 + 2.0),
        "{g:?}"
    );
    let (_, dv) = normal_nll_tangent(&p, &xs, &[1.0, 0.0], autodiff::Const);
    assert!(close(dv, g[0]));
    let (_, _, hv) = normal_nll_hvp(&p, &xs, &[1.0, 0.0]);
    assert!(
        close(hv[0], 2.0 / s2) && close(hv[1], 2.0 * 0.3 / s2),
        "{hv:?}"
    );
    // 2 * 3 + 3 * 4 + 1 * 2 * 3
    let (v, g) = slices_into_arrays_grad(&[1.0, 2.0, 3.0, 4.0]);
    assert_eq!((v, g), (24.0, vec![6.0, 3.0 + 3.0, 2.0 + 4.0 + 2.0, 3.0]));
    // `p[2..]` of three entries is one long: `try_into` fails, so the gradient panics too.
    assert!(std::panic::catch_unwind(|| slices_into_arrays_grad(&[1.0, 2.0, 3.0])).is_err());
}
