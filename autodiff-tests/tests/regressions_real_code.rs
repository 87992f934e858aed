//! Minimal reproducers found by probing code nobody here wrote (TheAlgorithms' float code,
//! hand-written linear algebra, image kernels, meshes, trees, quadrature, interpolation),
//! after `regressions_probed.rs` filled up: one per class of bug (generated code that failed
//! to compile on valid input, or a wrong value), each checked against a hand-derived
//! gradient or finite differences. They are written as they were reported, so some are not
//! how clippy would have them.
#![allow(
    clippy::needless_range_loop,
    clippy::useless_vec,
    clippy::approx_constant,
    clippy::assign_op_pattern,
    clippy::ptr_arg,
    clippy::unnecessary_to_owned,
    clippy::let_and_return,
    unused_assignments
)]

mod common;

use autodiff::grad;
use common::close;

// ----- a float literal with a trailing dot (probe: TheAlgorithms' GELU, `value.powf(3.)`) -----
// The macro gave it the float type's suffix by appending to its digits (`3._f64`, which does
// not lex) and panicked; under `modes(hvp)` a comparison with one (`x < 0.`) did too.

#[grad(modes(hvp, tangent))]
fn trailing_dots(x: f64) -> f64 {
    let table: [f32; 2] = [1., 2.];
    if x < 0. {
        x.powf(3.)
    } else {
        2.0 * x.max(1.) + 2_f64.powf(x) + table[0] as f64
    }
}

#[test]
fn float_literals_with_a_trailing_dot() {
    let ln2 = 2f64.ln();
    // 2 max(x, 1) + 2^x + 1 at 2; x^3 at -2
    assert!(close(trailing_dots_grad(2.0).1, 2.0 + 4.0 * ln2));
    assert_eq!(trailing_dots_grad(-2.0), (-8.0, 12.0));
    let (_, _, hv) = trailing_dots_hvp(2.0, 1.0);
    assert!(close(hv, 4.0 * ln2 * ln2));
}

// ----- slice methods on a row of a local matrix (probe: hand-written linear algebra) -----
// `l[0].swap(0, 1)` (a column pivot), `l[i].copy_from_slice(row)`, `fill`, `reverse`,
// `rotate_left` ran as written in the forward sweep, so the value was right, but the sweeps
// never saw what they wrote: a silently wrong gradient (zeros through a copy) and tangent.

#[grad(modes(tangent))]
fn pivoted_rows(a: &[[f64; 3]; 3], x: &[f64]) -> f64 {
    let mut l = [[0.0; 3]; 3];
    for i in 0..3 {
        l[i].copy_from_slice(&a[i]);
    }
    l[0].swap(0, 2);
    l[1].reverse();
    l[2].rotate_left(1);
    l[2][2] *= 2.0;
    let mut s = 0.0;
    for i in 0..3 {
        for j in 0..3 {
            s += l[i][j] * (1.0 + (i * 3 + j) as f64) * x[j];
        }
    }
    s * l[0][0]
}

#[grad]
fn copied_into_rows(a: &[Vec<f64>], x: &[f64]) -> f64 {
    let n = a.len();
    let mut l = vec![vec![0.0; n]; n];
    for (i, row) in a.iter().enumerate() {
        l[i].clone_from_slice(row);
    }
    l[1].copy_from_slice(x);
    let first = l[0][1];
    l[0].fill(first);
    l[0][0] * l[1][1] + l[0][1] * l[1][0] * l[1][1]
}

#[test]
fn slice_methods_on_rows_of_local_matrices() {
    let mut rng = common::Rng::new(41);
    let a = [0, 1, 2].map(|_| [0, 1, 2].map(|_| rng.uniform(-1.0, 1.0)));
    let x = rng.vec(3, -1.0, 1.0);
    let flat = |a: &[f64]| [[a[0], a[1], a[2]], [a[3], a[4], a[5]], [a[6], a[7], a[8]]];
    let (_, (d_a, d_x)) = pivoted_rows_grad(&a, &x);
    let a_flat: Vec<f64> = a.concat();
    common::assert_matches_fd(&|p| pivoted_rows(&flat(p), &x), &a_flat, &d_a.concat(), "a");
    common::assert_matches_fd(&|p| pivoted_rows(&a, p), &x, &d_x, "x");
    let direction = [[0.3, -0.2, 0.5], [0.1, 0.4, -0.6], [0.7, 0.2, -0.1]];
    let (_, tangent) = pivoted_rows_tangent(&a, &x, &direction, autodiff::Const);
    let along: f64 = d_a
        .concat()
        .iter()
        .zip(direction.concat())
        .map(|(g, d)| g * d)
        .sum();
    assert!(close(tangent, along));

    let rows = vec![vec![0.5, -1.5], vec![2.0, 0.25]];
    let x = [1.25, -0.75];
    let (_, (d_rows, d_x)) = copied_into_rows_grad(&rows, &x);
    // l = [[r01, r01], x]: r01 x1 + r01 x0 x1
    assert_eq!(d_rows, vec![vec![0.0, x[1] + x[0] * x[1]], vec![0.0, 0.0]]);
    assert_eq!(d_x, vec![rows[0][1] * x[1], rows[0][1] + rows[0][1] * x[0]]);
}

// ----- a pattern that binds names its scrutinee reads (probe: image padding) -----
// `if let (Some(x), Some(y)) = (x.checked_sub(1), y.checked_sub(1))`: each name was read
// from the scrutinee after the names before it were bound, so `y.checked_sub(1)` saw the
// new `x` (a wrong value and gradient, an `unreachable!` reached, or E0308 in generated code).

#[grad]
fn shifted_pairs(img: &[f64], i: usize, j: usize) -> f64 {
    let picked = if let (Some(i), j) = (i.checked_sub(1), j + i) {
        img[i] * img[j]
    } else {
        0.0
    };
    let (Some(k), l) = (i.checked_sub(2), i + 1) else {
        return picked;
    };
    let a = k.checked_sub(0);
    let b = l.checked_sub(1);
    let both = if let (Some(a), Some(b)) = (a, b) {
        img[a] + img[b]
    } else {
        0.0
    };
    picked + img[k] * img[l] + both
}

#[grad]
fn up_left_neighbours(img: &[f64], w: usize, h: usize) -> f64 {
    let mut s = 0.0;
    for y in 0..h {
        for x in 0..w {
            if let (Some(x), Some(y)) = (x.checked_sub(1), y.checked_sub(1)) {
                s += img[y * w + x] * img[y * w + x + 1];
            }
        }
    }
    s
}

#[test]
fn patterns_binding_names_their_scrutinee_reads() {
    let img = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7];
    // i = 3, j = 2: img[2] img[5] + img[1] img[4] + img[1] + img[3]
    let (value, gradient) = shifted_pairs_grad(&img, 3, 2);
    assert_eq!(value, shifted_pairs(&img, 3, 2));
    assert_eq!(gradient, vec![0.0, 1.5, 0.6, 1.0, 0.2, 0.3, 0.0]);
    let mut rng = common::Rng::new(43);
    let pixels = rng.vec(12, -1.0, 1.0);
    let (value, gradient) = up_left_neighbours_grad(&pixels, 4, 3);
    assert_eq!(value, up_left_neighbours(&pixels, 4, 3));
    common::assert_matches_fd(&|p| up_left_neighbours(p, 4, 3), &pixels, &gradient, "img");
}

// ----- a vector pushed in a loop over a range of `i32` (probe: TheAlgorithms' geometric
// series) and `f64::midpoint` (interquartile range) -----
// The vector's length was the range's count in the range's type (`i32`), which `vec!` and
// slicing refused inside generated code; `midpoint` had no derivative rule.

#[grad(modes(jacobian))]
fn geometric_series(nth_term: f64, start: f64, ratio: f64) -> Vec<f64> {
    let mut series = Vec::new();
    let mut multiple = 1.0;
    for _ in 0..(nth_term as i32) {
        series.push(start * multiple);
        multiple *= ratio;
    }
    series
}

#[grad(modes(hvp))]
fn midpoint_square(lower: f64, upper: f64) -> f64 {
    let m = lower.midpoint(upper);
    m * m * upper
}

#[test]
fn pushes_over_an_i32_range_and_midpoints() {
    let (series, (d_nth, d_start, d_ratio)) = geometric_series_jacobian(4.0, 1.5, 0.8);
    assert_eq!(series.len(), 4);
    assert_eq!(d_nth, vec![0.0; 4]);
    for k in 0..4 {
        assert!(close(d_start[k], 0.8f64.powi(k as i32)));
        assert!(close(
            d_ratio[k],
            k as f64 * 1.5 * 0.8f64.powi(k as i32 - 1)
        ));
    }
    assert!(geometric_series_jacobian(-2.0, 1.5, 0.8).0.is_empty());
    // m^2 u with m = (l + u) / 2: d/dl = m u, d/du = m u + m^2
    let (value, (d_lower, d_upper)) = midpoint_square_grad(1.0, 3.0);
    assert_eq!((value, d_lower, d_upper), (12.0, 6.0, 10.0));
    // H = [[u/2, u/2 + m], [u/2 + m, u/2 + 2m]] at m = 2, u = 3
    let (_, _, (hv_lower, hv_upper)) = midpoint_square_hvp(1.0, 3.0, 1.0, 0.0);
    assert_eq!((hv_lower, hv_upper), (1.5, 3.5));
}

// ----- validation helpers under `modes(hvp)` (probe: TheAlgorithms' negative log-likelihood,
// margin ranking loss) -----
// A call read as a `bool` (`!in_unit_range(p)`, `a && b`, an `if`) or whose value is dropped
// (`check(x, margin)?;`) was a differentiated call on dual numbers: `in_unit_range_dual_adjoint`
// not found. It is called as written, on the values.

fn in_unit_range(values: &[f64]) -> bool {
    values.iter().all(|&x| (0.0..=1.0).contains(&x))
}

fn checked(values: &[f64], margin: f64) -> Result<(), String> {
    match values.is_empty() || margin < 0.0 {
        true => Err("empty input or negative margin".into()),
        false => Ok(()),
    }
}

#[grad(modes(hvp, tangent))]
fn guarded_nll(y_true: &[f64], y_pred: &[f64], margin: f64) -> Result<f64, String> {
    checked(y_pred, margin)?;
    if !in_unit_range(y_true) || !in_unit_range(y_pred) {
        return Err("outside [0, 1]".into());
    }
    let mut total: f64 = 0.0;
    for (p, a) in y_pred.iter().zip(y_true) {
        total += -a * p.ln() - (1.0 - a) * (1.0 - p).ln();
    }
    Ok(total + margin * margin)
}

#[test]
fn validation_helpers_under_second_order() {
    let (p, a) = (0.3, 0.5);
    let (value, (d_true, d_pred, d_margin)) = guarded_nll_grad(&[a], &[p], 2.0).unwrap();
    assert!(close(value, -a * p.ln() - (1.0 - a) * (1.0 - p).ln() + 4.0));
    assert!(close(d_true[0], -p.ln() + (1.0 - p).ln()));
    assert!(close(d_pred[0], -a / p + (1.0 - a) / (1.0 - p)));
    assert_eq!(d_margin, 4.0);
    let (_, _, (hv_true, hv_pred, hv_margin)) =
        guarded_nll_hvp(&[a], &[p], 2.0, &[0.0][..], &[1.0][..], 1.0).unwrap();
    assert!(close(hv_true[0], -1.0 / p - 1.0 / (1.0 - p)));
    assert!(close(
        hv_pred[0],
        a / (p * p) + (1.0 - a) / ((1.0 - p) * (1.0 - p))
    ));
    assert_eq!(hv_margin, 2.0);
    assert!(guarded_nll_hvp(&[a], &[1.5], 2.0, &[0.0][..], &[1.0][..], 1.0).is_err());
    assert!(guarded_nll_tangent(&[a], &[p], -1.0, &[0.0][..], &[1.0][..], 0.0).is_err());
}

// ----- rows of a local matrix lent to calls (probe: Gram-Schmidt, row norms) -----
// `dot(&q[j], &u)` in a loop that writes `q` after: the row the call saw was kept by a move
// out of a `Vec<Vec<f64>>` (E0507); `rows.iter().map(|v| dot(v, v))`: each row was a copy,
// passed by value where the call takes a reference (E0308).

#[grad]
fn row_dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[grad]
fn fixed_dot(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

#[grad]
fn gram_schmidt_like(vs: &[Vec<f64>]) -> f64 {
    let n = vs.len();
    let mut q = vec![vec![0.0; n]; n];
    let mut s = 0.0;
    for i in 0..n {
        s += row_dot(&q[0], &vs[i]);
        q[i][0] = vs[i][0];
        q[i][1] = vs[i][1] * vs[i][0];
    }
    s + row_dot(&q[1], &q[0])
}

#[grad]
fn row_norms(p: &[f64]) -> f64 {
    let mut rows = vec![[0.0; 3]; 2];
    for i in 0..2 {
        rows[i] = [p[3 * i], p[3 * i + 1], p[3 * i + 2]];
    }
    let mut fixed = [[0.0; 3]; 2];
    fixed[0] = rows[1];
    fixed[1] = rows[0];
    rows.iter().map(|v| fixed_dot(v, v).sqrt()).sum::<f64>()
        + fixed
            .iter()
            .zip(rows.iter())
            .map(|(a, b)| fixed_dot(a, b))
            .sum::<f64>()
}

#[test]
fn rows_of_local_matrices_lent_to_calls() {
    let mut rng = common::Rng::new(44);
    let vs = vec![rng.vec(2, -1.0, 1.0), rng.vec(2, -1.0, 1.0)];
    let flat: Vec<f64> = vs.concat();
    let (value, gradient) = gram_schmidt_like_grad(&vs);
    assert_eq!(value, gram_schmidt_like(&vs));
    let rows = |p: &[f64]| vec![p[..2].to_vec(), p[2..].to_vec()];
    common::assert_matches_fd(
        &|p| gram_schmidt_like(&rows(p)),
        &flat,
        &gradient.concat(),
        "vs",
    );
    let p = rng.vec(6, -1.0, 1.0);
    let (value, gradient) = row_norms_grad(&p);
    assert_eq!(value, row_norms(&p));
    common::assert_matches_fd(&|p| row_norms(p), &p, &gradient, "p");
}

// ----- the links of a tree passed to a recursive call (probe: arena trees) -----
// `eval(nodes, n.child, x)`: a field of data passed to a call is taken for float data unless
// its name says it is a size or an index; `child`, `node`, `token_id` do now.

pub struct TreeNode {
    pub child: usize,
    pub token_id: usize,
    pub leaf: bool,
}

#[grad(x)]
fn tree_eval(nodes: &[TreeNode], at: usize, x: &[f64]) -> f64 {
    let n = &nodes[at];
    if n.leaf {
        return x[n.token_id];
    }
    x[n.token_id] * tree_eval(nodes, n.child, x)
}

#[test]
fn tree_links_are_indices() {
    let nodes = [
        TreeNode {
            child: 1,
            token_id: 0,
            leaf: false,
        },
        TreeNode {
            child: 2,
            token_id: 2,
            leaf: false,
        },
        TreeNode {
            child: 0,
            token_id: 1,
            leaf: true,
        },
    ];
    // x0 x2 x1
    assert_eq!(
        tree_eval_grad(&nodes, 0, &[2.0, 3.0, 5.0]),
        (30.0, vec![15.0, 10.0, 6.0])
    );
}

// ----- a user's index named like a generated loop's variable (probe: position-based dynamics)
// The same local array lent twice to a call adds the second accumulator after the call in a
// loop whose variables were `j` and `g`: a user's row index `j` there read the loop's, so the
// row's adjoint went to the diagonal (a silently wrong gradient); an index `g`, E0277.

#[grad]
fn difference3(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

#[grad]
fn pulled_towards(p: &[[f64; 3]], i: usize, j: usize, g: usize) -> f64 {
    let mut x = p.to_vec();
    let d = difference3(x[i], x[j]);
    let e = difference3(x[j], x[g]);
    x[i][0] -= d[0] * d[0] + e[1];
    x[i][0]
}

#[test]
fn user_indices_named_like_generated_loop_variables() {
    let p = vec![[0.3, -0.2, 0.5], [1.0, 0.4, -0.7], [2.0, 1.0, 0.0]];
    // x00 - (x00 - x20)^2 - (x21 - x11) at i = 0, j = 2, g = 1
    let (value, gradient) = pulled_towards_grad(&p, 0, 2, 1);
    assert_eq!(value, pulled_towards(&p, 0, 2, 1));
    let d = p[0][0] - p[2][0];
    assert_eq!(
        gradient,
        vec![
            [1.0 - 2.0 * d, 0.0, 0.0],
            [0.0, 1.0, 0.0],
            [2.0 * d, -1.0, 0.0]
        ]
    );
}

// ----- rows copied into locals passed by value (probe: triangle meshes) -----
// `let a = v[0];`, `let [a, b, c] = [v[f[0]], v[f[1]], v[f[2]]];` read the rows in place, and
// a call was lent them by reference where it takes the copy by value (E0308 on the attribute).

#[grad]
fn edge(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [b[0] - a[0], b[1] - a[1], b[2] - a[2]]
}

#[grad]
fn dot_by_value(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

#[grad(v)]
fn corner_products(v: &[[f64; 3]], f: [usize; 3]) -> f64 {
    let [a, b, c] = [v[f[0]], v[f[1]], v[f[2]]];
    let (p, q) = (v[f[1]], v[f[0]]);
    let first = v[0];
    dot_by_value(edge(a, b), edge(a, c)) + dot_by_value(p, q) + dot_by_value(first, first)
}

#[test]
fn rows_copied_into_locals_pass_by_value() {
    let v = vec![[1.0, 2.0, 3.0], [0.5, -1.0, 2.0], [2.0, 0.0, 1.0]];
    let (value, gradient) = corner_products_grad(&v, [0, 1, 2]);
    // (b - a).(c - a) + b.a + a.a
    assert_eq!(value, 7.5 + 4.5 + 14.0);
    assert_eq!(
        gradient,
        vec![[2.0, 8.0, 11.0], [2.0, 0.0, 1.0], [-0.5, -3.0, -1.0]]
    );
}

// ----- a closure or function parameter called on data (probe: TheAlgorithms' quadrature) ----
// `f(i as f64)` reads no differentiated value and is called as written; a `fn(f64) -> f64`
// parameter holds no float to differentiate under a bare `#[grad]`.

#[grad]
fn weighted_samples<F: Fn(f64) -> f64>(w: f64, f: F, n: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..n {
        s += w.powi(i as i32) * f(i as f64);
    }
    s
}

#[grad]
fn scaled_sample(w: f64, f: fn(f64) -> f64) -> f64 {
    w * f(2.0)
}

#[test]
fn closures_and_functions_called_on_data() {
    // sum of w^i (i^2 + 1): 1 + 2w + 5w^2 + 10w^3
    let (value, d_w) = weighted_samples_grad(0.5, |t: f64| t * t + 1.0, 4);
    assert_eq!((value, d_w), (1.0 + 1.0 + 1.25 + 1.25, 2.0 + 5.0 + 7.5));
    assert_eq!(scaled_sample_grad(0.5, |t| t * t), (2.0, 4.0));
}

// ----- two vectors pushed in one loop (probe: TheAlgorithms' Lagrange interpolation) -----
// Only the first vector a loop pushed into was made at the loop's trip count; the second
// one's `let` was left to the loop and never written: `ys` not found inside generated code.

#[grad(x)]
fn interpolated(x: f64, pts: &Vec<(f64, f64)>) -> f64 {
    let mut xs: Vec<f64> = Vec::new();
    let mut ys: Vec<f64> = Vec::new();
    for (a, b) in pts {
        xs.push(*a);
        ys.push(*b);
    }
    let mut s = 0.0;
    for i in 0..xs.len() {
        s += (x - xs[i]) * ys[i];
    }
    s
}

/// Both vectors differentiated: `sq` and `cube` pushed from the same items.
#[grad]
fn powers_weighted(w: &[f64]) -> f64 {
    let mut sq = Vec::with_capacity(w.len());
    let mut cube = Vec::with_capacity(w.len());
    for &v in w {
        sq.push(v * v);
        cube.push(v * v * v);
    }
    sq.iter().zip(&cube).map(|(s, c)| s + 0.5 * c).sum()
}

#[test]
fn two_vectors_pushed_in_one_loop() {
    let pts = vec![(0.0, 1.0), (1.0, 3.0), (2.5, -1.0)];
    let (value, d_x) = interpolated_grad(0.7, &pts);
    assert_eq!(value, interpolated(0.7, &pts));
    assert_eq!(d_x, 1.0 + 3.0 - 1.0);
    let w = [0.5, -1.5, 2.0];
    let (value, d_w) = powers_weighted_grad(&w);
    assert_eq!(value, powers_weighted(&w));
    for (g, v) in d_w.iter().zip(w) {
        assert!(close(*g, 2.0 * v + 1.5 * v * v));
    }
}

// ----- a field of a fold's tuple state (probe: ARMA(1,1) conditional sum of squares) -----
// `.fold((0.0, 0.0), ..).1` was rejected as the field of "a struct computed from
// differentiated values"; binding the fold's result first worked.

#[grad(phi, theta)]
fn arma11_css(phi: f64, theta: f64, y: &[f64]) -> f64 {
    y.iter()
        .zip(y.iter().skip(1))
        .fold((0.0, 0.0), |(e_prev, acc), (&y0, &y1)| {
            let e = y1 - phi * y0 - theta * e_prev;
            (e, acc + e * e)
        })
        .1
}

#[test]
fn fields_of_a_fold_state() {
    let y = [0.1, 0.5, -0.2, 0.3, 0.8, -0.4];
    let (value, (d_phi, d_theta)) = arma11_css_grad(0.5, 0.2, &y);
    assert_eq!(value, arma11_css(0.5, 0.2, &y));
    let f = |p: &[f64]| arma11_css(p[0], p[1], &y);
    common::assert_matches_fd(&f, &[0.5, 0.2], &[d_phi, d_theta], "arma11_css");
}

// ----- layers written as small NN crates write them (probe: LSTM, GRU, attention) -----
// A model's matrix row assigned to a local array (`buf = m.u[j];`) was read as a number:
// "can index only arrays"; a `#[params(skip)]` size bound to a local (`let hs = m.hidden;`)
// was taken for a float parameter: "cannot index with a float" at `m.b[hs + j]`; `.map(f)`
// of the array a call returns was "a closure used as a value".

#[derive(Clone, Debug, autodiff::Params)]
struct Recurrent {
    u: [[f64; 3]; 3],
    b: Vec<f64>,
    #[params(skip)]
    hidden: usize,
}

#[grad(m)]
fn rows_assigned(m: &Recurrent, x: &[f64; 3]) -> f64 {
    let mut buf = [0.0; 3];
    let mut s = 0.0;
    for j in 0..3 {
        buf = m.u[j];
        buf[j] += 1.0;
        s += buf[0] * x[0] + buf[1] * x[1] + buf[2] * x[2];
    }
    s
}

#[grad(m)]
fn halves_paired(m: &Recurrent) -> f64 {
    let hs = m.hidden;
    let mut s = 0.0;
    for j in 0..hs {
        s += m.b[j] * m.b[hs + j];
    }
    s
}

#[grad]
fn affine(w: &[f64; 3], x: &[f64; 3]) -> [f64; 3] {
    let mut y = [0.0; 3];
    for i in 0..3 {
        y[i] = w[i] * x[i] + 1.0;
    }
    y
}

#[grad(w)]
fn squashed(w: &[f64; 3], x: &[f64; 3]) -> f64 {
    let h: [f64; 3] = affine(w, x).map(|v| v.tanh());
    h.iter().sum()
}

#[test]
fn rows_sizes_and_maps_of_layers() {
    let m = Recurrent {
        u: [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]],
        b: vec![1.0, 2.0, 3.0, 4.0],
        hidden: 2,
    };
    let x = [1.0, 2.0, 3.0];
    let (value, g) = rows_assigned_grad(&m, &x);
    assert_eq!(value, 15.0 + 34.0 + 53.0);
    assert_eq!(g.u, [x; 3]);
    let (value, g) = halves_paired_grad(&m);
    assert_eq!(
        (value, g.b),
        (1.0 * 3.0 + 2.0 * 4.0, vec![3.0, 4.0, 1.0, 2.0])
    );
    let w = [0.1, 0.2, 0.3];
    let (value, d_w) = squashed_grad(&w, &x);
    assert_eq!(value, squashed(&w, &x));
    for i in 0..3 {
        let t = (w[i] * x[i] + 1.0).tanh();
        assert!(close(d_w[i], x[i] * (1.0 - t * t)));
    }
}

// ----- numbers of a `Vec` passed by value, bound by `|&v|` (probe: TheAlgorithms' present
// value) -----
// The items of a data vector passed through whole were references: `|(i, &cash_flow)|`
// bound `&f64`, which `Dual::constant` (`modes(hvp)`) and a function taking `f64` refused.

fn discounted(cash_flow: f64, i: usize) -> f64 {
    cash_flow * 0.99f64.powi(i as i32)
}

#[grad(rate, modes(hvp))]
fn present_value(rate: f64, cash_flows: Vec<f64>) -> f64 {
    cash_flows
        .iter()
        .enumerate()
        .map(|(i, &cash_flow)| discounted(cash_flow, i) / (1.0 + rate).powi(i as i32))
        .sum::<f64>()
}

#[test]
fn numbers_of_a_vector_passed_by_value() {
    let flows = vec![1.0, 2.0, -0.5];
    let (value, d_rate, hv) = present_value_hvp(0.05, flows.clone(), 1.0);
    assert_eq!(value, present_value(0.05, flows.clone()));
    // f = sum c_i 0.99^i (1 + r)^-i: f' = -sum i c_i 0.99^i (1 + r)^(-i-1), f'' likewise.
    let (mut first, mut second) = (0.0, 0.0);
    for (i, c) in flows.iter().enumerate() {
        let (i, c) = (i as f64, c * 0.99f64.powi(i as i32));
        first -= i * c * 1.05f64.powf(-i - 1.0);
        second += i * (i + 1.0) * c * 1.05f64.powf(-i - 2.0);
    }
    assert!(close(d_rate, first) && close(hv, second));
}

// ----- rows bound by `&p` passed by value, and an `if` ending in local arrays (probe:
// molecular energies, quaternion slerp with a lerp fallback) -----
// `for &p in pos { vsub(p, c) }` passed the row by reference to a function taking `[f64; 3]`
// (E0308 inside generated code); an `if` whose branches end in a local array and in a
// literal (or in two local arrays) was rejected with advice that led to another error.

#[grad]
fn vsub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

#[grad]
fn spread(pos: &[[f64; 3]], c: [f64; 3]) -> f64 {
    let mut s = 0.0;
    for &p in pos {
        let d = vsub(p, c);
        s += d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
    }
    s + pos.iter().map(|&p| vsub(p, c)[0]).sum::<f64>()
}

#[grad(modes(jacobian))]
fn blended(x: f64, y: f64) -> [f64; 2] {
    if x > 0.0 {
        let mut out = [0.0; 2];
        out[0] = x * y;
        out[1] = y;
        out
    } else {
        [y, x * y]
    }
}

#[grad(modes(jacobian))]
fn blended_named(x: f64, y: f64) -> [f64; 2] {
    if x > 0.0 {
        let mut out = [0.0; 2];
        out[0] = x * y;
        out[1] = y;
        out
    } else {
        let r = [y, x * y];
        r
    }
}

#[grad]
fn blended_sum(x: f64, y: f64) -> f64 {
    let v: [f64; 2] = if x > 0.0 {
        let w = [x * y, y];
        w
    } else {
        let r = [y, x * y];
        r
    };
    v[0] + 3.0 * v[1]
}

#[test]
fn rows_by_value_and_arrays_ending_branches() {
    let pos = vec![[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]];
    let c = [0.1, 0.2, 0.3];
    let (value, (d_pos, d_c)) = spread_grad(&pos, c);
    assert_eq!(value, spread(&pos, c));
    let d: Vec<[f64; 3]> = pos.iter().map(|p| vsub(*p, c)).collect();
    for k in 0..3 {
        let extra = if k == 0 { 1.0 } else { 0.0 };
        assert!(close(d_pos[0][k], 2.0 * d[0][k] + extra));
        assert!(close(d_pos[1][k], 2.0 * d[1][k] + extra));
        assert!(close(d_c[k], -2.0 * (d[0][k] + d[1][k]) - 2.0 * extra));
    }
    for f in [blended_jacobian, blended_named_jacobian] {
        // x > 0: [x y, y]; x <= 0: [y, x y].
        assert_eq!(f(1.5, 2.0), ([3.0, 2.0], ([2.0, 0.0], [1.5, 1.0])));
        assert_eq!(f(-1.5, 2.0), ([2.0, -3.0], ([0.0, 2.0], [1.0, -1.5])));
    }
    assert_eq!(blended_sum_grad(1.5, 2.0), (9.0, (2.0, 4.5)));
    assert_eq!(blended_sum_grad(-1.5, 2.0), (-7.0, (6.0, -3.5)));
}

// ----- a model passed twice to one call (probe: a ray tracer's `Vec3`) -----
// `self.dot(self)` took the model for an array passed twice (`dot(u, u)`), whose second
// accumulator is a `Vec` of its length: `len` not found, and shadows of the wrong type.

#[derive(Clone, Copy, Debug, autodiff::Params)]
struct Vec3 {
    x: f64,
    y: f64,
    z: f64,
}

impl Vec3 {
    #[grad(self, other)]
    fn dot(&self, other: &Vec3) -> f64 {
        self.x * other.x + self.y * other.y + self.z * other.z
    }

    #[grad(self)]
    fn length_squared(&self) -> f64 {
        self.dot(self)
    }
}

#[grad(v)]
fn scaled_length_squared(v: &Vec3, s: f64) -> f64 {
    s * Vec3::dot(v, v) + v.dot(v)
}

#[test]
fn a_model_passed_twice() {
    let v = Vec3 {
        x: 1.0,
        y: 2.0,
        z: 3.0,
    };
    let (value, g) = v.length_squared_grad();
    assert_eq!(value, 14.0);
    assert_eq!((g.x, g.y, g.z), (2.0, 4.0, 6.0));
    let (value, g) = scaled_length_squared_grad(&v, 0.5);
    assert_eq!(value, 21.0);
    assert_eq!((g.x, g.y, g.z), (3.0, 6.0, 9.0));
}

// ----- a matrix chosen by an `if`, and the closest hit of fallible intersections (probe:
// ray tracing in one weekend, 2-D rotations) -----
// `let r = if flip { [[c, -s], [s, c]] } else { .. };` made a vector of the outer length and
// wrote rows into its elements; `.filter_map(|(&z, &r)| hit(z, r))` of a function returning
// `Option<f64>` took its `Option` apart as a local one, rejected as `unwrap` on a number
// (spanned on the attribute).

#[grad]
fn rotated_first_column(a: f64, flip: bool) -> f64 {
    let (s, c) = a.sin_cos();
    let r = if flip {
        [[c, -s], [s, c]]
    } else {
        [[c, s], [-s, c]]
    };
    r[0][0] * 2.0 + r[1][0]
}

#[grad(r)]
fn hit(z: f64, r: f64) -> Option<f64> {
    if r < z {
        return None;
    }
    Some(z - (r * r - z * z).sqrt())
}

#[grad(radii)]
fn nearest(zs: &[f64], radii: &[f64]) -> f64 {
    zs.iter()
        .zip(radii)
        .filter_map(|(&z, &r)| hit(z, r))
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn matrices_chosen_by_if_and_filtered_fallible_calls() {
    let a = 0.3f64;
    assert!(close(
        rotated_first_column_grad(a, true).1,
        -2.0 * a.sin() + a.cos()
    ));
    assert!(close(
        rotated_first_column_grad(a, false).1,
        -2.0 * a.sin() - a.cos()
    ));
    // The second sphere is hit first; the third is missed (r < z).
    let (zs, radii) = ([0.5, 0.2, 0.9], [1.0, 0.9, 0.3]);
    let (value, d_radii) = nearest_grad(&zs, &radii);
    assert_eq!(value, nearest(&zs, &radii));
    let root = (0.81f64 - 0.04).sqrt();
    assert!(close(value, 0.2 - root));
    assert_eq!(d_radii[0], 0.0);
    assert!(close(d_radii[1], -0.9 / root));
    assert_eq!(d_radii[2], 0.0);
}

// ----- an array `let` that shadows the name it reads (probe: Rust idioms) -----
// A wrong gradient: `let x = x.map(|v| v * 2.0);` (and `from_fn`, an `if` of array
// literals) declared the new `x` before making it, so its elements read themselves: value
// 0, gradient 0, in reverse and forward mode. Now made under a name of its own.

#[grad(modes(tangent))]
fn doubled_in_place(x: &[f64; 3]) -> f64 {
    let x = x.map(|v| v * 2.0);
    x[0] + x[1] * x[2]
}

#[grad]
fn squared_from_fn(x: &[f64; 3]) -> f64 {
    let x: [f64; 3] = std::array::from_fn(|i| x[i] * x[i]);
    let x = x.map(|v| v + 1.0);
    x[0] * x[1] + x[2]
}

#[grad(modes(tangent))]
fn swapped_if_positive(x: &[f64; 3]) -> f64 {
    let x: [f64; 3] = if x[0] > 0.0 { [x[1], x[0], x[2]] } else { *x };
    x[0] * 2.0 + x[1] * x[2]
}

#[test]
fn arrays_that_shadow_what_they_read() {
    type Primal = fn(&[f64; 3]) -> f64;
    type Gradient = fn(&[f64; 3]) -> (f64, [f64; 3]);
    let cases: [(Primal, Gradient); 3] = [
        (doubled_in_place, doubled_in_place_grad),
        (squared_from_fn, squared_from_fn_grad),
        (swapped_if_positive, swapped_if_positive_grad),
    ];
    let x = [0.5, -1.5, 2.0];
    for at in [x, [-0.5, -1.5, 2.0]] {
        for (f, f_grad) in cases {
            let (value, gradient) = f_grad(&at);
            assert_eq!(value, f(&at));
            let g = |p: &[f64]| f(&[p[0], p[1], p[2]]);
            common::assert_matches_fd(&g, &at, &gradient, "shadowing array");
        }
    }
    // f = 2 x0 + 4 x1 x2 = 1 - 12: along e1, 4 x2.
    assert_eq!(doubled_in_place_tangent(&x, &[0.0, 1.0, 0.0]), (-11.0, 8.0));
    // x0 > 0: [x1, x0, x2], f = 2 x1 + x0 x2: along e0, x2.
    assert_eq!(
        swapped_if_positive_tangent(&x, &[1.0, 0.0, 0.0]),
        (-2.0, 2.0)
    );
}

// ----- idioms of experienced Rust (probe: Rust idioms mixed in numeric code) -----
// `match` on a slice's shapes was rejected ("expected a number"); `position(..)?` of an index
// was rejected, and then the index taken for a float; a parameter `impl Fn(usize) -> f64`
// called on data was rejected where a generic `F: Fn(..)` was not; `std::mem::replace` of a
// local was "`&mut` only on an element".

#[grad]
fn by_shape(xs: &[f64]) -> f64 {
    match xs {
        [] => 0.0,
        [a] => a.sin(),
        [a, b, rest @ ..] => a * b + rest.iter().map(|v| v * v).sum::<f64>(),
    }
}

#[grad]
fn first_positive(xs: &[f64]) -> Option<f64> {
    let idx = xs.iter().position(|&v| v > 0.0)?;
    Some(xs[idx].sqrt() + xs[0])
}

#[grad]
fn series(x: f64, coef: impl Fn(usize) -> f64) -> f64 {
    (0..4).map(|i| coef(i) * x.powi(i as i32)).sum()
}

#[grad]
fn powers_replaced(x: f64) -> f64 {
    let mut a = x;
    let mut acc = 0.0;
    for _ in 0..3 {
        let next = a * x;
        let old = std::mem::replace(&mut a, next);
        acc += old;
    }
    acc + a
}

#[test]
fn idioms_of_numeric_rust() {
    assert_eq!(by_shape_grad(&[]), (0.0, vec![]));
    assert_eq!(by_shape_grad(&[0.5]), (0.5f64.sin(), vec![0.5f64.cos()]));
    assert_eq!(
        by_shape_grad(&[0.5, 1.0, 2.0, 3.0]),
        (13.5, vec![1.0, 0.5, 4.0, 6.0])
    );
    assert_eq!(
        first_positive_grad(&[-1.0, 4.0]),
        Some((1.0, vec![1.0, 0.25]))
    );
    assert_eq!(first_positive_grad(&[-1.0, -4.0]), None);
    let coef = |i: usize| 1.0 / (i as f64 + 1.0);
    let (value, d_x) = series_grad(0.5, coef);
    assert_eq!(value, series(0.5, coef));
    assert!(close(d_x, 0.5 + 2.0 * 0.5 / 3.0 + 3.0 * 0.25 / 4.0));
    // x + x^2 + x^3 + x^4
    let (value, d_x) = powers_replaced_grad(0.7);
    assert!(close(value, 0.7 + 0.49 + 0.343 + 0.2401));
    assert!(close(d_x, 1.0 + 1.4 + 1.47 + 1.372));
}

// ----- a model's field passed by value to a function (probe: signed distance fields) -----
// `dot(self.center, p)` with `fn dot(a: [f64; 3], b: [f64; 3])`: the macro cannot see whether
// the field is a number or an array (`[f64; 3]` is `Copy`), and took it for a number: errors
// inside the generated code in a method, for a nested model's field (`scene.light.center`)
// and for an item of a `Vec` of sub-models (`s.center`). Such a field is handed on whole, its
// place lent to the callee's `_adjoint` (and its tangent to `_tangent`) as the callee takes it.

#[derive(Clone, Debug, autodiff::Params)]
struct Ball {
    center: [f64; 3],
    r: f64,
}

#[derive(Clone, Debug, autodiff::Params)]
struct Balls {
    items: Vec<Ball>,
    light: Ball,
    k: f64,
}

#[grad(modes(tangent))]
fn dot3(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

#[grad(modes(tangent))]
fn scaled(x: f64, k: f64) -> f64 {
    x * k.exp()
}

impl Ball {
    #[grad(self, modes(tangent))]
    fn dist(&self, p: [f64; 3]) -> f64 {
        dot3(self.center, p).sqrt() - self.r
    }
}

#[grad(scene, modes(tangent))]
fn lit(scene: &Balls, p: [f64; 3]) -> f64 {
    scene.light.dist(p) + scaled(dot3(p, scene.light.center), scene.k)
}

#[grad(scene)]
fn nearest_ball(scene: &Balls, p: [f64; 3]) -> f64 {
    let mut best = f64::INFINITY;
    for s in scene.items.iter() {
        best = best.min(dot3(p, s.center) - s.r);
    }
    best + scaled(best, scene.k)
}

fn balls() -> Balls {
    let ball = |center, r| Ball { center, r };
    Balls {
        items: vec![ball([0.1, 0.2, 0.3], 0.5), ball([0.4, -0.2, 0.3], 0.2)],
        light: ball([1.0, 2.0, 3.0], 0.5),
        k: 0.3,
    }
}

#[test]
fn model_fields_passed_by_value() {
    use autodiff::gradcheck::check_params_gradient;
    let scene = balls();
    for p in [[1.0, -0.5, 0.25], [-0.3, 0.8, 0.6], [0.2, 0.1, 0.9]] {
        let (value, d_scene) = lit_grad(&scene, p);
        assert_eq!(value, lit(&scene, p));
        check_params_gradient(|m: &Balls| lit(m, p), &scene, &d_scene).assert_ok();
        let (value, d_scene) = nearest_ball_grad(&scene, p);
        assert_eq!(value, nearest_ball(&scene, p));
        check_params_gradient(|m: &Balls| nearest_ball(m, p), &scene, &d_scene).assert_ok();
        let (value, d_ball) = scene.light.dist_grad(p);
        assert_eq!(value, scene.light.dist(p));
        check_params_gradient(|b: &Ball| b.dist(p), &scene.light, &d_ball).assert_ok();
        // The tangent along a direction of the model is the gradient's inner product with it.
        let direction = Balls {
            items: Vec::new(),
            light: Ball {
                center: [0.1, -0.2, 0.3],
                r: 0.5,
            },
            k: -1.0,
        };
        let (_, d_scene) = lit_grad(&scene, p);
        let expected = (0..3)
            .map(|i| d_scene.light.center[i] * direction.light.center[i])
            .sum::<f64>()
            + d_scene.light.r * direction.light.r
            + d_scene.k * direction.k;
        let (value, tangent) = lit_tangent(&scene, p, &direction, autodiff::Const);
        assert_eq!(value, lit(&scene, p));
        assert!(close(tangent, expected), "{tangent} vs {expected}");
    }
}

// ----- receivers and associated functions (probe: generic geometry code) -----
// A method taking `self` by value (`fn length(self)` of a `Copy` vector, as glam writes it)
// called on a `&Vec3` parameter: the call was written `Vec3::length(a)`, which does not
// dereference (E0308 inside the generated code); it is a method call now, as written.
// `#[grad]` on an associated function without `self` inside an `impl` (not on the block)
// named its items without `Self::` (E0425): a function that names `Self` is in an `impl`.

#[derive(Clone, Copy, Debug, autodiff::Params)]
struct V3 {
    x: f64,
    y: f64,
    z: f64,
}

impl V3 {
    #[grad(self)]
    fn length(self) -> f64 {
        (self.x * self.x + self.y * self.y + self.z * self.z).sqrt()
    }

    const G: f64 = 9.81;

    #[grad]
    fn energy(theta: f64, omega: f64, len: f64) -> f64 {
        0.5 * len * len * omega * omega + Self::G * len * (1.0 - theta.cos())
    }
}

#[grad]
fn twice_the_length(a: &V3) -> f64 {
    a.length() * 2.0
}

#[test]
fn receivers_and_associated_functions() {
    let a = V3 {
        x: 1.0,
        y: 2.0,
        z: 2.0,
    };
    let (value, d_a) = twice_the_length_grad(&a);
    assert_eq!(value, 6.0);
    assert!(close(d_a.x, 2.0 / 3.0) && close(d_a.y, 4.0 / 3.0) && close(d_a.z, 4.0 / 3.0));
    let (value, (d_theta, d_omega, d_len)) = V3::energy_grad(0.3, 0.1, 1.5);
    assert_eq!(value, V3::energy(0.3, 0.1, 1.5));
    assert!(close(d_theta, V3::G * 1.5 * 0.3f64.sin()));
    assert!(close(d_omega, 1.5 * 1.5 * 0.1));
    assert!(close(d_len, 1.5 * 0.01 + V3::G * (1.0 - 0.3f64.cos())));
}

// ----- simulations (probe: ODE integrators and parameter fits) -----
// A trajectory of states pushed once per step (`traj.push(y)` of a `[f64; 2]`) was rejected
// (the rows were taken for numbers); it is made at the trip count as a vector of floats is,
// its rows written at the step's index, the row type written (`Vec<[f64; 2]>`) or taken from
// the pushed array. `x_prev = std::mem::replace(&mut x, x_next);` (leapfrog) was rejected as
// `&mut` on a local: it is the read and the assignment it stands for, as its `let` form.

#[grad(theta)]
fn trajectory_fit(theta: &[f64; 2], obs: &[[f64; 2]]) -> f64 {
    let mut traj: Vec<[f64; 2]> = Vec::with_capacity(obs.len());
    let mut y = [1.0, 0.0];
    for _ in 0..obs.len() {
        y = [
            y[0] + 0.1 * y[1],
            y[1] - 0.1 * theta[0] * y[0] - 0.1 * theta[1] * y[1],
        ];
        traj.push(y);
    }
    let mut states = Vec::new();
    let mut z = [1.0, 0.0];
    for _ in 0..obs.len() {
        z = [z[0] * theta[1], z[1] + z[0]];
        states.push([z[0], z[1] * z[1]]);
    }
    let mut l = 0.0;
    for i in 0..obs.len() {
        l += (traj[i][0] - obs[i][0]).powi(2);
    }
    l + traj
        .iter()
        .zip(&states)
        .map(|(s, t)| s[1] * t[1] + t[0])
        .sum::<f64>()
}

#[grad(k)]
fn leapfrog(k: f64, x0: f64, dt: f64, n: usize) -> f64 {
    let mut x_prev = x0;
    let mut x = x0 + 0.5 * dt * dt * (-k * x0);
    for _ in 0..n {
        let x_next = 2.0 * x - x_prev + dt * dt * (-k * x);
        x_prev = std::mem::replace(&mut x, x_next);
    }
    x * x + x_prev * x_prev
}

#[test]
fn simulations() {
    use common::assert_matches_fd;
    let obs = [[0.9, -0.1], [0.8, -0.2], [0.7, -0.25]];
    for theta in [[1.0, 0.1], [0.5, 0.9], [2.0, -0.4]] {
        let (value, d_theta) = trajectory_fit_grad(&theta, &obs);
        assert_eq!(value, trajectory_fit(&theta, &obs));
        assert_matches_fd(
            &|t| trajectory_fit(&[t[0], t[1]], &obs),
            &theta,
            &d_theta,
            "trajectory",
        );
    }
    for k in [0.5, 2.0, 3.5] {
        let (value, d_k) = leapfrog_grad(k, 1.0, 0.05, 50);
        assert_eq!(value, leapfrog(k, 1.0, 0.05, 50));
        assert_matches_fd(&|v| leapfrog(v[0], 1.0, 0.05, 50), &[k], &[d_k], "leapfrog");
    }
}

// ----- ports of C and Fortran (probe: special functions, Numerical Recipes style) -----
// `let del;` / `let mut aa;` without a type, assigned later, were rejected asking for a type:
// one assigned a float (or a local holding one) is a float now, one assigned integers an
// integer. A tail `if` whose branches
// all leave (`return` in a loop, then `panic!`) was "expected a value here".

#[grad(a, b)]
fn continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    let qab = a + b;
    let qap = a + 1.0;
    let mut c = 1.0;
    let mut d = 1.0 / (1.0 - qab * x / qap);
    let mut h = d;
    let mut m = 1;
    let del;
    let mut aa;
    loop {
        let m2 = 2 * m;
        aa = m as f64 * (b - m as f64) * x / ((a - 1.0 + m2 as f64) * (a + m2 as f64));
        d = 1.0 / (1.0 + aa * d);
        c = 1.0 + aa / c;
        h *= d * c;
        aa = -(a + m as f64) * (qab + m as f64) * x / ((a + m2 as f64) * (qap + m2 as f64));
        d = 1.0 / (1.0 + aa * d);
        c = 1.0 + aa / c;
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() < 1e-14 || m > 200 {
            del = step;
            break;
        }
        m += 1;
    }
    h * del
}

#[grad]
#[allow(clippy::needless_late_init)]
fn middle_pair(x: &[f64], n: usize) -> f64 {
    let k;
    if n > 2 {
        k = n / 2;
    } else {
        k = 0;
    }
    let j;
    j = k + 1;
    x[k] * x[j]
}

#[grad]
#[allow(clippy::needless_return)]
fn series_or_panic(x: f64, n: usize) -> f64 {
    let mut s = 0.0;
    if x > 1.0 {
        for i in 0..n {
            s += x.powi(i as i32);
            if s > 100.0 {
                return s;
            }
        }
        panic!("no convergence");
    } else {
        match n {
            0 => return x,
            _ => panic!("x <= 1 needs n = 0"),
        }
    }
}

#[test]
fn ports_of_c() {
    use common::assert_matches_fd;
    for (a, b, x) in [(2.0, 3.3, 0.4), (0.7, 1.9, 0.2), (4.5, 2.2, 0.6)] {
        let (value, (d_a, d_b)) = continued_fraction_grad(a, b, x);
        assert_eq!(value, continued_fraction(a, b, x));
        assert_matches_fd(
            &|v| continued_fraction(v[0], v[1], x),
            &[a, b],
            &[d_a, d_b],
            "continued fraction",
        );
    }
    // 1 + 2 + .. + 64 at 2, then the derivative of the same sum; x at n = 0
    assert_eq!(series_or_panic_grad(2.0, 10), (127.0, 321.0));
    assert_eq!(series_or_panic_grad(0.5, 0), (0.5, 1.0));
    // integers assigned later: k = 2, j = 3
    let (value, d_x) = middle_pair_grad(&[1.0, 2.0, 3.0, 4.0], 4);
    assert_eq!((value, d_x), (12.0, vec![0.0, 0.0, 4.0, 3.0]));
}

// `std::mem::swap(&mut cur, &mut next)` of two `Vec` buffers made at one length (the heat
// equation's two time levels) was rejected as a swap of `Vec`s, whose lengths it may exchange:
// made at one length, exchanging their elements is the swap.

#[grad(alpha)]
fn heat_equation(alpha: f64, u0: &[f64], steps: usize) -> f64 {
    let n = u0.len();
    let mut cur = u0.to_vec();
    let mut next = vec![0.0; n];
    for _ in 0..steps {
        for i in 1..n - 1 {
            next[i] = cur[i] + alpha * (cur[i - 1] - 2.0 * cur[i] + cur[i + 1]);
        }
        next[0] = cur[0];
        next[n - 1] = cur[n - 1];
        std::mem::swap(&mut cur, &mut next);
    }
    cur.iter().map(|v| v * v).sum()
}

#[test]
fn buffers_swapped_each_step() {
    use common::assert_matches_fd;
    let u0 = [0.1, 1.0, 3.0, 2.0, 0.5, -0.2];
    for (alpha, steps) in [(0.2, 10), (0.05, 3), (0.3, 7)] {
        let (value, d_alpha) = heat_equation_grad(alpha, &u0, steps);
        assert_eq!(value, heat_equation(alpha, &u0, steps));
        assert_matches_fd(
            &|v| heat_equation(v[0], &u0, steps),
            &[alpha],
            &[d_alpha],
            "heat",
        );
    }
}

// A struct's method named as a float's (`z.abs()`, the modulus of a complex number, as
// num-complex names it; `midpoint`, `to_degrees`) was lowered as the float method ("expected
// a number here" on a model, "does not pass it whole" on a local struct). A struct has no
// float methods: it is the struct's own.

#[derive(Clone, Copy, Debug, autodiff::Params)]
struct Cplx {
    re: f64,
    im: f64,
}

#[grad(self)]
impl Cplx {
    fn abs(&self) -> f64 {
        self.re.hypot(self.im)
    }

    #[allow(clippy::wrong_self_convention)]
    fn to_degrees(&self) -> f64 {
        self.im.atan2(self.re).to_degrees()
    }
}

#[grad]
fn modulus_and_angle(z: &Cplx) -> f64 {
    z.abs() * 2.0 + z.to_degrees()
}

#[grad]
fn modulus_of_local(a: f64, b: f64) -> f64 {
    let z = Cplx {
        re: a * b,
        im: a - b,
    };
    z.abs() + 1.0
}

#[test]
fn struct_methods_named_as_float_methods() {
    let (value, d_z) = modulus_and_angle_grad(&Cplx { re: 3.0, im: 4.0 });
    let degrees = 180.0 / std::f64::consts::PI;
    assert!(close(value, 10.0 + 4f64.atan2(3.0) * degrees));
    assert!(close(d_z.re, 1.2 - 4.0 / 25.0 * degrees));
    assert!(close(d_z.im, 1.6 + 3.0 / 25.0 * degrees));
    // |(ab, a - b)| at (1, 2): sqrt(5); its slopes (2b - 1) / sqrt(5) and (2a + 1) / sqrt(5)
    let (value, (d_a, d_b)) = modulus_of_local_grad(1.0, 2.0);
    assert!(close(value, 5f64.sqrt() + 1.0));
    assert!(close(d_a, 3.0 / 5f64.sqrt()) && close(d_b, 3.0 / 5f64.sqrt()));
}

// ----- graphs and sequences (probe: sparse matrices, GNNs, CTC) -----
// Integer data the body builds or reads, which no derivative touches, was taken for floats:
// a local `HashMap<usize, usize>` of degrees counted through `*deg.entry(u).or_insert(0) +=
// 1` ("writing through a reference"), a `Vec<usize>` of labels pushed a label and a blank per
// item (CTC's extended labels: "cannot differentiate `.push(..)`", then "cannot index with a
// float"), an element of a `#[params(skip)] indices: Vec<usize>` field as an index
// (`x[m.indices[k]]`), and the items of `nbrs.iter().chain(std::iter::once(&i))`. A local
// whose type holds no float is data, run as written; a skipped field read as an index is an
// array of integers; `once(&i)` is the value.

#[grad(x)]
fn normalized_laplacian(edges: &[(usize, usize)], x: &[f64]) -> f64 {
    let mut deg: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for &(u, v) in edges {
        *deg.entry(u).or_insert(0) += 1;
        *deg.entry(v).or_insert(0) += 1;
    }
    let mut s = 0.0;
    for &(u, v) in edges {
        let d = x[u] / (deg[&u] as f64).sqrt() - x[v] / (deg[&v] as f64).sqrt();
        s += d * d;
    }
    s
}

#[grad(lp)]
fn extended_labels(lp: &[f64], labels: &[usize], blank: usize) -> f64 {
    let mut ext: Vec<usize> = Vec::with_capacity(2 * labels.len() + 1);
    ext.push(blank);
    for &l in labels {
        ext.push(l);
        ext.push(blank);
    }
    ext.iter().map(|&k| lp[k]).sum::<f64>() * lp[ext[1]]
}

#[derive(Clone, Debug, autodiff::Params)]
struct Csr {
    #[params(skip)]
    indptr: Vec<usize>,
    #[params(skip)]
    indices: Vec<usize>,
    values: Vec<f64>,
}

#[grad(m, x)]
fn csr_quadratic(m: &Csr, x: &[f64]) -> f64 {
    let mut loss = 0.0;
    for i in 0..m.indptr.len() - 1 {
        for k in m.indptr[i]..m.indptr[i + 1] {
            loss += m.values[k] * x[m.indices[k]] * x[i];
        }
    }
    loss
}

#[grad(x)]
fn self_loop_mean(adj: &[Vec<usize>], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for (i, nbrs) in adj.iter().enumerate() {
        let mean: f64 = nbrs
            .iter()
            .chain(std::iter::once(&i))
            .map(|&j| x[j])
            .sum::<f64>()
            / (nbrs.len() + 1) as f64;
        s += mean.tanh();
    }
    s
}

#[test]
fn integer_data_of_graphs() {
    use common::assert_matches_fd;
    let x = [1.0, 2.0, 4.0];
    let edges = [(0, 1), (1, 2)];
    let (value, d_x) = normalized_laplacian_grad(&edges, &x);
    assert_eq!(value, normalized_laplacian(&edges, &x));
    assert_matches_fd(&|v| normalized_laplacian(&edges, v), &x, &d_x, "laplacian");
    // labels [2]: ext = [0, 2, 0], (lp0 + lp2 + lp0) lp2
    let (value, d_lp) = extended_labels_grad(&x, &[2], 0);
    assert_eq!(value, (1.0 + 4.0 + 1.0) * 4.0);
    assert_eq!(d_lp, vec![8.0, 0.0, 4.0 + 6.0]);
    let m = Csr {
        indptr: vec![0, 2, 3, 4],
        indices: vec![1, 2, 0, 2],
        values: vec![0.5, -1.0, 2.0, 0.25],
    };
    let (value, (d_m, d_x)) = csr_quadratic_grad(&m, &x);
    assert_eq!(value, csr_quadratic(&m, &x));
    assert_eq!(d_m.indices, m.indices);
    let values = |v: &[f64]| {
        let mut n = m.clone();
        n.values = v.to_vec();
        csr_quadratic(&n, &x)
    };
    assert_matches_fd(&values, &m.values, &d_m.values, "csr values");
    assert_matches_fd(&|v| csr_quadratic(&m, v), &x, &d_x, "csr x");
    let adj = vec![vec![1], vec![0, 2], vec![1]];
    let x = [0.1, 0.2, 0.3];
    let (value, d_x) = self_loop_mean_grad(&adj, &x);
    assert_eq!(value, self_loop_mean(&adj, &x));
    assert_matches_fd(&|v| self_loop_mean(&adj, v), &x, &d_x, "self loops");
}

// A copy or a reference of a whole model (`let p = *a;`, `let p = a;`, `let q = *self;` of a
// `Copy` vector) was "a struct computed from differentiated values": it is the model, read
// and lent where the copy is.

impl V3 {
    #[grad(self)]
    fn scaled_length(&self, s: f64) -> f64 {
        let q = *self;
        q.length() * s + q.x
    }
}

#[grad]
#[allow(clippy::clone_on_copy)]
fn copies_of_models(a: &V3) -> f64 {
    let p = *a;
    let r = a.clone();
    p.x * p.y + r.length() + twice_the_length(&p)
}

#[test]
fn copies_of_models_are_the_models() {
    let a = V3 {
        x: 1.0,
        y: 2.0,
        z: 2.0,
    };
    let (value, d_a) = copies_of_models_grad(&a);
    assert_eq!(value, 2.0 + 3.0 + 6.0);
    // x y + 3 |a|: [y + 3 x / |a|, x + 3 y / |a|, 3 z / |a|]
    assert!(close(d_a.x, 3.0) && close(d_a.y, 3.0) && close(d_a.z, 2.0));
    let (value, d_self) = a.scaled_length_grad(2.0);
    assert_eq!(value, 7.0);
    assert!(close(d_self.x, 2.0 / 3.0 + 1.0) && close(d_self.z, 4.0 / 3.0));
}

// `<Dense<f64>>::score(d, x)`, a method of a generic model named through a qualified path,
// was written `Dense<f64>::score` in the generated code, which does not parse in an
// expression ("comparison operators cannot be chained"; probe: project structure).

#[derive(Clone, Debug, autodiff::Params)]
struct GenericDense<T> {
    w: Vec<T>,
    b: T,
}

#[grad(self)]
impl GenericDense<f64> {
    fn score(&self, x: &[f64]) -> f64 {
        self.w.iter().zip(x).map(|(&a, &b)| a * b).sum::<f64>() + self.b
    }
}

#[grad(d)]
fn qualified_score(d: &GenericDense<f64>, x: &[f64]) -> f64 {
    <GenericDense<f64>>::score(d, x).tanh()
}

#[test]
fn methods_named_through_a_qualified_path() {
    let d = GenericDense {
        w: vec![0.5, -0.25],
        b: 0.1,
    };
    let x = [1.0, 2.0];
    let (value, d_d) = qualified_score_grad(&d, &x);
    let slope = 1.0 - value * value;
    assert!(close(value, 0.1f64.tanh()));
    assert!(close(d_d.w[0], slope) && close(d_d.w[1], 2.0 * slope) && close(d_d.b, slope));
}
