//! Matrix outputs: `#[grad]` functions that return `[[T; M]; N]` (their `_adjoint` takes
//! `d_out: &[[T; M]; N]` and adds the vector-Jacobian product), and the functions that call
//! them and read the result with two indices, pass it on whole, or assign it to a matrix;
//! matrices written as a literal of rows (`[pts[a], pts[b]]`) or of calls that return rows,
//! and a row of a returned matrix assigned to a local array (`i = r[0];`, a cosmology probe).
#![allow(clippy::needless_range_loop)] // index loops are how matrix code is written
#![allow(clippy::let_and_return)] // `cubed` ends with a named call result on purpose

mod common;

use autodiff::{grad, Const, Float, Shadow};
use common::{assert_matches_fd, close, Rng};

#[grad(modes(tangent))]
fn mat_mul<T: Float>(a: &[[T; 2]; 2], b: &[[T; 2]; 2]) -> [[T; 2]; 2] {
    let mut c = [[T::zero(); 2]; 2];
    for i in 0..2 {
        for j in 0..2 {
            for k in 0..2 {
                c[i][j] = c[i][j] + a[i][k] * b[k][j];
            }
        }
    }
    c
}

#[grad(modes(tangent))]
fn rot_z(t: f64) -> [[f64; 3]; 3] {
    let (s, c) = t.sin_cos();
    [[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]]
}

#[grad(modes(tangent))]
fn outer(a: &[f64; 2], b: &[f64; 2]) -> [[f64; 2]; 2] {
    let mut m = [[0.0; 2]; 2];
    for (i, ai) in a.iter().enumerate() {
        for (j, bj) in b.iter().enumerate() {
            m[i][j] = ai * bj;
        }
    }
    m
}

#[grad]
fn scaled<const N: usize>(a: &[[f64; N]; N], s: f64) -> [[f64; N]; N] {
    let mut out = [[0.0; N]; N];
    for i in 0..N {
        for j in 0..N {
            out[i][j] = a[i][j] * s;
        }
    }
    out
}

/// The product of a matrix parameter with itself: the parameter is lent twice.
#[grad(modes(tangent))]
fn squared(a: &[[f64; 2]; 2]) -> [[f64; 2]; 2] {
    mat_mul(a, a)
}

/// Ends with a call's result bound to a local that is never indexed.
#[grad(modes(tangent))]
fn cubed(a: &[[f64; 2]; 2]) -> [[f64; 2]; 2] {
    let s = squared(a);
    let c = mat_mul(&s, a);
    c
}

fn flat(m: &[[f64; 2]; 2]) -> [f64; 4] {
    [m[0][0], m[0][1], m[1][0], m[1][1]]
}

fn matrix(x: &[f64]) -> [[f64; 2]; 2] {
    [[x[0], x[1]], [x[2], x[3]]]
}

/// `sum(w .* f(x))` for a fixed weight matrix: the scalar whose gradient `f_adjoint` gives
/// with `d_out = w`.
fn weighted<const M: usize, const N: usize>(m: &[[f64; M]; N], w: &[[f64; M]; N]) -> f64 {
    let mut s = 0.0;
    for i in 0..N {
        for j in 0..M {
            s += w[i][j] * m[i][j];
        }
    }
    s
}

#[test]
fn adjoint_is_the_vector_jacobian_product() {
    let mut rng = Rng::new(41);
    for _ in 0..20 {
        let x = rng.vec(8, -2.0, 2.0);
        let (a, b) = (matrix(&x[..4]), matrix(&x[4..]));
        let w = matrix(&rng.vec(4, -1.0, 1.0));
        let mut d_a = [[0.5; 2]; 2];
        let mut d_b = [[0.0; 2]; 2];
        let value = mat_mul_adjoint(&a, &b, &w, &mut d_a, &mut d_b);
        assert_eq!(value, mat_mul(&a, &b));
        // Added into the shadow, never written over it.
        let mut analytic = flat(&d_a).map(|g| g - 0.5).to_vec();
        analytic.extend(flat(&d_b));
        let f = |x: &[f64]| weighted(&mat_mul(&matrix(&x[..4]), &matrix(&x[4..])), &w);
        assert_matches_fd(&f, &x, &analytic, "mat_mul_adjoint");

        let t = rng.uniform(-3.0, 3.0);
        let w3 = [[0.3, -1.0, 2.0], [0.5, 0.25, -0.75], [1.5, 1.0, 4.0]];
        let mut d_t = 0.0;
        rot_z_adjoint(t, &w3, &mut d_t);
        assert_matches_fd(
            &|x| weighted(&rot_z(x[0]), &w3),
            &[t],
            &[d_t],
            "rot_z_adjoint",
        );

        let s = rng.uniform(-2.0, 2.0);
        let mut d_a = [[0.0; 2]; 2];
        let mut d_s = 0.0;
        scaled_adjoint(&a, s, &w, &mut d_a, &mut d_s);
        let mut analytic = flat(&d_a).to_vec();
        analytic.push(d_s);
        let mut at = x[..4].to_vec();
        at.push(s);
        let f = |x: &[f64]| weighted(&scaled(&matrix(x), x[4]), &w);
        assert_matches_fd(&f, &at, &analytic, "scaled_adjoint (const generic)");
    }
}

#[test]
fn tangent_is_the_jacobian_vector_product() {
    let mut rng = Rng::new(42);
    for _ in 0..20 {
        let x = rng.vec(4, -1.5, 1.5);
        let a = matrix(&x);
        let v = matrix(&rng.vec(4, -1.0, 1.0));
        let w = matrix(&rng.vec(4, -1.0, 1.0));
        // <w, J v> from the tangent against <J^T w, v> from the adjoint.
        let (value, t) = cubed_tangent(&a, &v);
        assert_eq!(value, cubed(&a));
        let mut d_a = [[0.0; 2]; 2];
        cubed_adjoint(&a, &w, &mut d_a);
        assert!(close(weighted(&t, &w), weighted(&d_a, &v)));
        let f = |x: &[f64]| weighted(&cubed(&matrix(x)), &w);
        assert_matches_fd(&f, &x, &flat(&d_a), "cubed_adjoint");
        let (_, t) = outer_tangent(&[x[0], x[1]], &[x[2], x[3]], &[1.0, 0.0], Const);
        assert!(close(t[0][1], x[3]) && close(t[1][0], 0.0));
    }
}

/// What a matrix-valued call returns, read with two indices.
#[grad]
fn rotated_x(t: f64, p: &[f64; 3]) -> f64 {
    let r: [[f64; 3]; 3] = rot_z(t);
    r[0][0] * p[0] + r[0][1] * p[1] + r[0][2] * p[2]
}

/// Unannotated, read in a loop.
#[grad]
fn rotated_products(t: f64, p: &[f64; 3]) -> f64 {
    let r = rot_z(2.0 * t);
    let mut s = 0.0;
    for i in 0..3 {
        s += r[1][i] * p[i] * r[0][i];
    }
    s
}

/// A call's result passed on whole, twice, then read.
#[grad(modes(tangent))]
fn outer_trace(a: &[f64; 2], b: &[f64; 2]) -> f64 {
    let m = outer(a, b);
    let m2 = mat_mul(&m, &m);
    m2[0][0] * m2[1][1] - m2[0][1].sin()
}

/// A covariance propagated through `P <- F P F^T + Q`: a matrix assigned what a call
/// returns, in a loop.
#[grad(q, modes(tangent))]
fn propagated(q: f64, p0: &[[f64; 2]; 2], steps: usize) -> f64 {
    let f = [[1.0, 0.1], [0.0, 1.0]];
    let ft = [[1.0, 0.0], [0.1, 1.0]];
    let mut p = *p0;
    for _ in 0..steps {
        let fp = mat_mul(&f, &p);
        p = mat_mul(&fp, &ft);
        p[0][0] += q;
        p[1][1] += q * q;
    }
    p[0][0] + p[1][1] + p[0][1] * p[1][0]
}

#[grad]
fn det_cubed(a: &[[f64; 2]; 2]) -> f64 {
    let c = cubed(a);
    c[0][0] * c[1][1] - c[0][1] * c[1][0]
}

#[test]
fn callers_of_matrix_functions_match_finite_differences() {
    let mut rng = Rng::new(43);
    for _ in 0..20 {
        let x = rng.vec(4, -1.5, 1.5);
        let t = x[0];
        let p = [x[1], x[2], x[3]];
        let (_, (d_t, d_p)) = rotated_x_grad(t, &p);
        let mut analytic = vec![d_t];
        analytic.extend(d_p);
        assert_matches_fd(
            &|x| rotated_x(x[0], &[x[1], x[2], x[3]]),
            &x,
            &analytic,
            "rotated_x",
        );
        let (_, (d_t, d_p)) = rotated_products_grad(t, &p);
        let mut analytic = vec![d_t];
        analytic.extend(d_p);
        let f = |x: &[f64]| rotated_products(x[0], &[x[1], x[2], x[3]]);
        assert_matches_fd(&f, &x, &analytic, "rotated_products");

        let (a, b) = ([x[0], x[1]], [x[2], x[3]]);
        let (_, (d_a, d_b)) = outer_trace_grad(&a, &b);
        let mut analytic = d_a.to_vec();
        analytic.extend(d_b);
        let f = |x: &[f64]| outer_trace(&[x[0], x[1]], &[x[2], x[3]]);
        assert_matches_fd(&f, &x, &analytic, "outer_trace");
        let (_, t) = outer_trace_tangent(&a, &b, &[1.0, 0.0], Const);
        assert!(close(t, d_a[0]));

        let a = matrix(&x);
        let (_, d_a) = det_cubed_grad(&a);
        assert_matches_fd(&|x| det_cubed(&matrix(x)), &x, &flat(&d_a), "det_cubed");

        let (q, p0) = (x[0], [[1.0 + x[1].abs(), 0.2], [0.3, 2.0 + x[2].abs()]]);
        let (_, d_q) = propagated_grad(q, &p0, 5);
        assert_matches_fd(&|x| propagated(x[0], &p0, 5), &[q], &[d_q], "propagated");
        let (_, t) = propagated_tangent(q, &p0, 5, 1.0, Const);
        assert!(close(t, d_q));
    }
}

/// A matrix-valued helper with a hand-written pullback.
fn rot_x(t: f64) -> [[f64; 3]; 3] {
    let (s, c) = t.sin_cos();
    [[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]]
}

fn rot_x_adjoint<DT: Shadow<f64>>(t: f64, d_out: &[[f64; 3]; 3], mut d_t: DT) -> [[f64; 3]; 3] {
    let (s, c) = t.sin_cos();
    d_t.add(-s * d_out[1][1] - c * d_out[1][2] + c * d_out[2][1] - s * d_out[2][2]);
    rot_x(t)
}

#[grad]
fn rotated_z(t: f64, p: &[f64; 3]) -> f64 {
    let r: [[f64; 3]; 3] = rot_x(t);
    r[2][0] * p[0] + r[2][1] * p[1] + r[2][2] * p[2]
}

#[test]
fn hand_written_matrix_pullbacks_are_called() {
    let p = [0.5, -1.0, 2.0];
    for t in [-1.0, 0.2, 2.5] {
        let (value, (d_t, d_p)) = rotated_z_grad(t, &p);
        assert!(close(value, rotated_z(t, &p)));
        assert!(close(d_t, p[1] * t.cos() - p[2] * t.sin()));
        assert!(close(d_p[1], t.sin()) && close(d_p[2], t.cos()) && d_p[0] == 0.0);
    }
}

#[grad]
fn frobenius_dot(a: &[[f64; 2]; 2], b: &[[f64; 2]; 2]) -> f64 {
    let mut s = 0.0;
    for i in 0..2 {
        for j in 0..2 {
            s += a[i][j] * b[i][j];
        }
    }
    s
}

/// A matrix parameter lent twice to a function that returns a number: two accumulators of
/// the matrix's shape, added up (it took a vector's before, which did not compile).
#[grad]
fn frobenius_norm_squared(a: &[[f64; 2]; 2], rows: &[[f64; 3]]) -> f64 {
    frobenius_dot(a, a) + rows.iter().map(|r| r[0] * r[2]).sum::<f64>()
}

#[grad]
fn row_products(rows: &[[f64; 3]]) -> f64 {
    row_dot(rows, rows)
}

#[grad]
fn row_dot(p: &[[f64; 3]], q: &[[f64; 3]]) -> f64 {
    let mut s = 0.0;
    for (a, b) in p.iter().zip(q) {
        s += a[0] * b[1] + a[2] * b[2];
    }
    s
}

#[test]
fn matrix_parameters_lent_twice() {
    let a = [[1.0, -2.0], [0.5, 3.0]];
    let rows = [[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]];
    let (_, (d_a, d_rows)) = frobenius_norm_squared_grad(&a, &rows);
    assert_eq!(d_a, [[2.0, -4.0], [1.0, 6.0]]);
    assert_eq!(d_rows, vec![[3.0, 0.0, 1.0], [2.0, 0.0, -1.0]]);
    let (_, d_rows) = row_products_grad(&rows);
    let flat_rows: Vec<f64> = rows.iter().flatten().copied().collect();
    let analytic: Vec<f64> = d_rows.iter().flatten().copied().collect();
    let f = |x: &[f64]| row_products(&[[x[0], x[1], x[2]], [x[3], x[4], x[5]]]);
    assert_matches_fd(&f, &flat_rows, &analytic, "row_products");
}

#[grad]
fn triangle_area(p: &[[f64; 3]; 3]) -> f64 {
    let u: [f64; 3] = std::array::from_fn(|k| p[1][k] - p[0][k]);
    let v: [f64; 3] = std::array::from_fn(|k| p[2][k] - p[0][k]);
    let c = [
        u[1] * v[2] - u[2] * v[1],
        u[2] * v[0] - u[0] * v[2],
        u[0] * v[1] - u[1] * v[0],
    ];
    0.5 * c.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// A triangle's corners gathered from a point cloud into a matrix literal (a probe of mesh
/// code: each row was taken for a number).
#[grad(pts)]
fn surface_energy(pts: &[[f64; 3]], tris: &[[usize; 3]], gamma: f64) -> f64 {
    let mut a = 0.0;
    for t in tris {
        let tri = [pts[t[0]], pts[t[1]], pts[t[2]]];
        a += triangle_area(&tri);
    }
    gamma * a
}

/// Local vectors stacked into a matrix, read by rows and by element.
#[grad(modes(tangent, hvp))]
fn stacked(x: &[f64; 2], y: f64) -> f64 {
    let u = [x[0] * y, x[1]];
    let v = [y, x[0] - x[1]];
    let m = [u, v];
    let mut s = 0.0;
    for row in m.iter() {
        s += row[0] * row[1].sin();
    }
    s + m[1][0] * m[0][1]
}

#[test]
fn matrix_literals_of_rows() {
    let pts = [
        [0.0, 0.1, 0.2],
        [1.0, 0.3, -0.2],
        [0.2, 1.1, 0.4],
        [0.9, 0.8, 1.3],
    ];
    let tris = [[0, 1, 2], [1, 3, 2]];
    let (_, d_pts) = surface_energy_grad(&pts, &tris, 1.5);
    let flat_pts: Vec<f64> = pts.iter().flatten().copied().collect();
    let analytic: Vec<f64> = d_pts.iter().flatten().copied().collect();
    let f = |x: &[f64]| {
        let rows: Vec<[f64; 3]> = x.chunks(3).map(|c| [c[0], c[1], c[2]]).collect();
        surface_energy(&rows, &tris, 1.5)
    };
    assert_matches_fd(&f, &flat_pts, &analytic, "surface_energy");

    let mut rng = Rng::new(44);
    for _ in 0..10 {
        let x = rng.vec(3, -2.0, 2.0);
        let (_, (d_x, d_y)) = stacked_grad(&[x[0], x[1]], x[2]);
        let f = |x: &[f64]| stacked(&[x[0], x[1]], x[2]);
        assert_matches_fd(&f, &x, &[d_x[0], d_x[1], d_y], "stacked");
        let (_, t) = stacked_tangent(&[x[0], x[1]], x[2], &[0.0, 1.0], 0.0);
        assert!(close(t, d_x[1]));
        // Hv along x[0] against differences of the gradient.
        let (_, _, (hv_x, hv_y)) = stacked_hvp(&[x[0], x[1]], x[2], &[1.0, 0.0], 0.0);
        let h = 1e-5;
        let (_, (gp, gyp)) = stacked_grad(&[x[0] + h, x[1]], x[2]);
        let (_, (gm, gym)) = stacked_grad(&[x[0] - h, x[1]], x[2]);
        let numeric = [
            (gp[0] - gm[0]) / (2.0 * h),
            (gp[1] - gm[1]) / (2.0 * h),
            (gyp - gym) / (2.0 * h),
        ];
        for (a, n) in [hv_x[0], hv_x[1], hv_y].iter().zip(numeric) {
            assert!((a - n).abs() < 1e-6 * (1.0 + n.abs()), "{a} vs {n}");
        }
    }
}

// ----- found by a probe of matrix-heavy code (robotics, Kalman filters) -------------------------

#[grad]
fn rotation(t: f64) -> [[f64; 2]; 2] {
    [[t.cos(), -t.sin()], [t.sin(), t.cos()]]
}

#[grad]
fn counter_rotation(t: f64) -> [[f64; 2]; 2] {
    [[t.cos(), t.sin()], [-t.sin(), t.cos()]]
}

#[grad]
fn weighted_dot(a: &[f64; 2], b: &[f64; 2]) -> f64 {
    a[0] * b[0] + 3.0 * a[1] * b[1]
}

#[grad]
fn inverse(a: &[[f64; 2]; 2]) -> [[f64; 2]; 2] {
    let d = a[0][0] * a[1][1] - a[0][1] * a[1][0];
    [[a[1][1] / d, -a[0][1] / d], [-a[1][0] / d, a[0][0] / d]]
}

/// An element of a matrix a call returns, read without a `let`.
#[grad]
fn element_of_call(t: f64) -> f64 {
    rotation(t)[1][0] * 2.0
}

/// The rows of a matrix a call returns, destructured, with and without the `let`'s type.
#[grad]
fn destructured_rows(t: f64) -> f64 {
    let [r0, r1] = rotation(t);
    let [s0, s1]: [[f64; 2]; 2] = counter_rotation(t);
    r0[1] * r1[0] + s0[0] * s1[1]
}

/// A row bound by value, and rows lent to a call.
#[grad]
fn rows_of_call(t: f64) -> f64 {
    let r = rotation(t);
    let r1 = r[1];
    r1[0] * r1[1] + weighted_dot(&r[0], &r[1])
}

/// The rows of a matrix a call returns, iterated.
#[grad]
fn inverse_frobenius(a: &[[f64; 2]; 2]) -> f64 {
    let b = inverse(a);
    let mut s = 0.0;
    for row in b.iter() {
        for v in row.iter() {
            s += v * v;
        }
    }
    s
}

/// A matrix an `if` chooses between calls, its type on the `let`, multiplied in a loop.
#[grad]
fn alternating_rotations(q: &[f64; 3]) -> f64 {
    let mut r = [[1.0, 0.0], [0.0, 1.0]];
    for i in 0..3 {
        let j: [[f64; 2]; 2] = if i % 2 == 0 {
            rotation(q[i])
        } else {
            counter_rotation(q[i])
        };
        r = mat_mul(&r, &j);
    }
    r[0][1]
}

#[derive(Clone, Debug, autodiff::Params)]
struct Pose {
    r: [[f64; 2]; 2],
}

#[grad]
fn trace_product(a: &[[f64; 2]; 2], b: &[[f64; 2]; 2]) -> f64 {
    a[0][0] * b[0][0] + a[1][1] * b[1][1]
}

/// A model's matrix field lent twice.
#[grad]
fn pose_energy(m: &Pose) -> f64 {
    trace_product(&m.r, &m.r)
}

/// A matrix of a data array of matrices (a parameter the macro does not look into) lent to a
/// call, with a `Const` shadow.
#[grad(a)]
fn against_reference(a: &[[f64; 2]; 2], references: &[[[f64; 2]; 2]; 3]) -> f64 {
    trace_product(a, &references[1])
}

#[test]
fn matrices_from_calls_read_by_rows() {
    let mut rng = Rng::new(45);
    for _ in 0..10 {
        let t = rng.uniform(-2.0, 2.0);
        for (name, f, g) in [
            (
                "element_of_call",
                element_of_call as fn(f64) -> f64,
                element_of_call_grad as fn(f64) -> (f64, f64),
            ),
            (
                "destructured_rows",
                destructured_rows,
                destructured_rows_grad,
            ),
            ("rows_of_call", rows_of_call, rows_of_call_grad),
        ] {
            assert_matches_fd(&|x| f(x[0]), &[t], &[g(t).1], name);
        }
        let x = [
            rng.uniform(1.0, 2.0),
            rng.uniform(-0.5, 0.5),
            rng.uniform(-0.5, 0.5),
            rng.uniform(1.0, 2.0),
        ];
        let (_, d_a) = inverse_frobenius_grad(&matrix(&x));
        assert_matches_fd(
            &|x| inverse_frobenius(&matrix(x)),
            &x,
            &flat(&d_a),
            "inverse_frobenius",
        );
        let q = [x[0], x[1], x[2]];
        let (_, d_q) = alternating_rotations_grad(&q);
        // A rotation by q0 - q1 + q2: r[0][1] = -sin(q0 - q1 + q2).
        let c = -(q[0] - q[1] + q[2]).cos();
        assert!(close(d_q[0], c) && close(d_q[1], -c) && close(d_q[2], c));
    }
    let (_, d_pose) = pose_energy_grad(&Pose {
        r: [[1.0, 2.0], [3.0, 4.0]],
    });
    assert_eq!(d_pose.r, [[2.0, 0.0], [0.0, 8.0]]);
    let references = [
        [[1.0, 0.5], [0.2, 0.3]],
        [[2.0, 1.0], [0.0, 3.0]],
        [[0.0; 2]; 2],
    ];
    let (_, d_a) = against_reference_grad(&[[1.0, 2.0], [3.0, 4.0]], &references);
    assert_eq!(d_a, [[2.0, 0.0], [0.0, 3.0]]);
}

// ----- Jacobians of matrix outputs: entry `[i][c]` is the gradient of output `[i][c]` --------

/// 5 input coordinates, 6 outputs: by tangents.
#[grad(modes(jacobian))]
fn weighted_outer(a: &[f64; 2], b: &[f64; 3]) -> [[f64; 3]; 2] {
    let mut m = [[0.0; 3]; 2];
    for i in 0..2 {
        for j in 0..3 {
            m[i][j] = a[i] * b[j] * b[j];
        }
    }
    m
}

/// 6 input coordinates, 4 outputs: by adjoints.
#[grad(modes(jacobian))]
fn pair_products(x: &[f64; 6]) -> [[f64; 2]; 2] {
    [[x[0] * x[1], x[2].sin()], [x[3] * x[4] * x[5], x[0] + x[5]]]
}

/// A slice: the cheaper way chosen at run time.
#[grad(modes(jacobian))]
fn slice_products(a: &[f64], s: f64) -> [[f64; 2]; 2] {
    [[a[0] * s, a[1] * s], [a[0] * a[1], s * s]]
}

#[test]
fn jacobians_of_matrix_outputs_match_finite_differences() {
    let mut rng = Rng::new(46);
    for _ in 0..10 {
        let x = rng.vec(6, -1.5, 1.5);
        let (a, b) = ([x[0], x[1]], [x[2], x[3], x[4]]);
        let (value, (j_a, j_b)) = weighted_outer_jacobian(&a, &b);
        assert_eq!(value, weighted_outer(&a, &b));
        let fixed: [f64; 6] = [x[0], x[1], x[2], x[3], x[4], x[5]];
        let (_, j_x) = pair_products_jacobian(&fixed);
        let (_, (j_s, j_t)) = slice_products_jacobian(&x[..2], x[2]);
        for i in 0..2 {
            for c in 0..3 {
                let mut analytic = j_a[i][c].to_vec();
                analytic.extend(j_b[i][c]);
                let f = |y: &[f64]| weighted_outer(&[y[0], y[1]], &[y[2], y[3], y[4]])[i][c];
                assert_matches_fd(&f, &x[..5], &analytic, "weighted_outer");
            }
            for c in 0..2 {
                let f = |y: &[f64]| pair_products(&[y[0], y[1], y[2], y[3], y[4], y[5]])[i][c];
                assert_matches_fd(&f, &x, &j_x[i][c], "pair_products");
                let mut analytic = j_s[i][c].clone();
                analytic.push(j_t[i][c]);
                let f = |y: &[f64]| slice_products(&y[..2], y[2])[i][c];
                assert_matches_fd(&f, &x[..3], &analytic, "slice_products");
            }
        }
    }
}

// ----- matrices taken by value (`fn det(m: [[f64; 3]; 3])`, a probe of robotics code) ---------

#[grad(modes(tangent, hvp))]
fn determinant(m: [[f64; 3]; 3]) -> f64 {
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
        - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
}

#[grad(modes(tangent, jacobian, hvp))]
fn transposed(m: [[f64; 2]; 2]) -> [[f64; 2]; 2] {
    [[m[0][0], m[1][0]], [m[0][1], m[1][1]]]
}

#[grad(modes(hvp))]
fn squared_norm(a: [[f64; 2]; 2]) -> f64 {
    let mut s = 0.0;
    for row in a.iter() {
        for v in row {
            s += v * v;
        }
    }
    s
}

/// A `mut` matrix parameter written in place, then passed on by value.
#[grad]
fn scaled_norm(mut a: [[f64; 2]; 2], s: f64) -> f64 {
    for i in 0..2 {
        for j in 0..2 {
            a[i][j] *= s;
        }
    }
    squared_norm(a) + a[0][1]
}

/// A matrix a call returns handed on whole by value, and a literal passed by value, under
/// second order too.
#[grad(modes(hvp))]
fn handed_on_matrices(x: &[f64; 4]) -> f64 {
    let m = [[x[0], x[1]], [x[2], x[3]]];
    let t = transposed(m);
    squared_norm(t) * x[0] + squared_norm([[x[0], 1.0], [2.0, x[3]]])
}

#[test]
fn matrices_by_value() {
    let mut rng = Rng::new(47);
    for _ in 0..10 {
        let x = rng.vec(9, -1.5, 1.5);
        let m = [[x[0], x[1], x[2]], [x[3], x[4], x[5]], [x[6], x[7], x[8]]];
        let (value, d_m) = determinant_grad(m);
        assert_eq!(value, determinant(m));
        let analytic: Vec<f64> = d_m.iter().flatten().copied().collect();
        let f =
            |y: &[f64]| determinant([[y[0], y[1], y[2]], [y[3], y[4], y[5]], [y[6], y[7], y[8]]]);
        assert_matches_fd(&f, &x, &analytic, "determinant");
        let v = [[1.0, 0.0, 0.5], [0.0, -1.0, 0.0], [0.25, 0.0, 2.0]];
        let (_, t) = determinant_tangent(m, &v);
        let along: f64 = (0..3)
            .map(|i| (0..3).map(|j| d_m[i][j] * v[i][j]).sum::<f64>())
            .sum();
        assert!(close(t, along));
        // Hv along `v` against differences of the gradient.
        let (_, _, hv) = determinant_hvp(m, &v);
        let h = 1e-5;
        let shifted = |s: f64| -> [[f64; 3]; 3] {
            std::array::from_fn(|i| std::array::from_fn(|j| m[i][j] + s * v[i][j]))
        };
        let (gp, gm) = (
            determinant_grad(shifted(h)).1,
            determinant_grad(shifted(-h)).1,
        );
        for i in 0..3 {
            for j in 0..3 {
                let numeric = (gp[i][j] - gm[i][j]) / (2.0 * h);
                assert!((hv[i][j] - numeric).abs() < 1e-6 * (1.0 + numeric.abs()));
            }
        }

        let a = matrix(&x[..4]);
        let s = x[4];
        let (_, (d_a, d_s)) = scaled_norm_grad(a, s);
        let mut analytic = flat(&d_a).to_vec();
        analytic.push(d_s);
        let f = |y: &[f64]| scaled_norm(matrix(y), y[4]);
        assert_matches_fd(&f, &x[..5], &analytic, "scaled_norm");

        let four = [x[0], x[1], x[2], x[3]];
        let (_, d_x) = handed_on_matrices_grad(&four);
        let f = |y: &[f64]| handed_on_matrices(&[y[0], y[1], y[2], y[3]]);
        assert_matches_fd(&f, &four, &d_x, "handed_on_matrices");
        let (_, _, hv) = handed_on_matrices_hvp(&four, &[1.0, 0.0, 0.0, 0.0]);
        let (gp, gm) = (
            handed_on_matrices_grad(&[x[0] + h, x[1], x[2], x[3]]).1,
            handed_on_matrices_grad(&[x[0] - h, x[1], x[2], x[3]]).1,
        );
        for k in 0..4 {
            let numeric = (gp[k] - gm[k]) / (2.0 * h);
            assert!((hv[k] - numeric).abs() < 1e-6 * (1.0 + numeric.abs()));
        }
    }
    let (_, j) = transposed_jacobian([[1.0, 2.0], [3.0, 4.0]]);
    assert_eq!(j[0][1], [[0.0, 0.0], [1.0, 0.0]]);
}

/// Rosetta Code's orbital elements (a cosmology probe): a rotation of two basis vectors
/// returned as a literal of two array-valued calls, read back a row at a time.
#[grad]
fn mul_add3(v1: [f64; 3], x1: f64, v2: [f64; 3], x2: f64) -> [f64; 3] {
    [
        v1[0] * x1 + v2[0] * x2,
        v1[1] * x1 + v2[1] * x2,
        v1[2] * x1 + v2[2] * x2,
    ]
}

#[grad]
fn rotate_basis(i: [f64; 3], j: [f64; 3], alpha: f64) -> [[f64; 3]; 2] {
    [
        mul_add3(i, alpha.cos(), j, alpha.sin()),
        mul_add3(i, -alpha.sin(), j, alpha.cos()),
    ]
}

#[grad]
fn turned_row(alpha: f64) -> f64 {
    let mut i = [1.0, 0.0, 0.0];
    let j = [0.0, 1.0, 0.0];
    let r = rotate_basis(i, j, alpha);
    i = r[0];
    i[0] + 2.0 * i[1]
}

#[grad]
fn turned_pattern(alpha: f64) -> f64 {
    let mut i = [1.0, 0.0, 0.0];
    let j = [0.0, 1.0, 0.0];
    let [i1, _] = rotate_basis(i, j, alpha);
    i = i1;
    let p = mul_add3(i, 2.0, j, 3.0);
    p[0] + 2.0 * p[1]
}

#[test]
fn a_matrix_of_calls_rows_and_its_rows_assigned() {
    let (i, j) = ([1.0, 0.5, -0.25], [0.0, 1.0, 2.0]);
    let d_out = [[1.0, -2.0, 0.5], [0.25, 3.0, -1.0]];
    let (mut d_i, mut d_j, mut d_alpha) = ([0.0; 3], [0.0; 3], 0.0);
    for alpha in [0.3, -1.2] {
        let value = rotate_basis_adjoint(i, j, alpha, &d_out, &mut d_i, &mut d_j, &mut d_alpha);
        assert_eq!(value, rotate_basis(i, j, alpha));
        let (s, c) = alpha.sin_cos();
        let mut expected = 0.0;
        for k in 0..3 {
            expected += d_out[0][k] * (-i[k] * s + j[k] * c) + d_out[1][k] * (-i[k] * c - j[k] * s);
        }
        assert!((d_alpha - expected).abs() < 1e-14, "{d_alpha} {expected}");
        d_alpha = 0.0;
    }
    for alpha in [0.3, 2.0] {
        let (s, c) = alpha.sin_cos();
        let (value, d) = turned_row_grad(alpha);
        assert_eq!(value, c + 2.0 * s);
        assert!((d - (-s + 2.0 * c)).abs() < 1e-15);
        let (value, d) = turned_pattern_grad(alpha);
        assert!((value - (2.0 * c + 2.0 * (2.0 * s + 3.0))).abs() < 1e-14);
        assert!((d - (-2.0 * s + 4.0 * c)).abs() < 1e-14);
    }
}
