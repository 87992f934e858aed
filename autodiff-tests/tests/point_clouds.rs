//! Rows of a runtime count as differentiated parameters: `&[[T; M]]` and `&Vec<[T; M]>` (a
//! point cloud, a batch of fixed-size samples). The gradient is a `Vec<[T; M]>`; the tangent
//! and the Hessian-vector product take the same shape. Checked against central finite
//! differences.

#![allow(clippy::needless_range_loop)]
mod common;

use autodiff::grad;
use common::{assert_close, assert_matches_fd, Rng};

/// Pairwise inverse distances, skipping the diagonal with `continue`.
#[grad(modes(tangent, hvp))]
fn pair_energy(pos: &[[f64; 2]]) -> f64 {
    let mut e = 0.0;
    for i in 0..pos.len() {
        for j in 0..pos.len() {
            if i == j {
                continue;
            }
            let dx = pos[i][0] - pos[j][0];
            let dy = pos[i][1] - pos[j][1];
            e += 1.0 / (dx * dx + dy * dy).sqrt();
        }
    }
    0.5 * e
}

#[grad]
fn sq_dist(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    (0..3).map(|k| (a[k] - b[k]).powi(2)).sum()
}

/// Rows iterated, lent to a call, and read by index; the centre is a fixed array.
#[allow(clippy::ptr_arg)] // `&Vec<[T; M]>` is the shape tested
#[grad]
fn spread(points: &Vec<[f64; 3]>, centre: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    for p in points.iter() {
        s += sq_dist(p, centre);
    }
    s / points.len() as f64 + points[0][2] * centre[1]
}

/// Rows as data under a named list: the samples of a least-squares fit, with no shadow.
#[grad(w)]
fn fit(w: &[f64; 2], xs: &[[f64; 2]], ys: &[f64]) -> f64 {
    let mut total = 0.0;
    for (x, y) in xs.iter().zip(ys) {
        let r = w[0] * x[0] + w[1] * x[1] - y;
        total += r * r;
    }
    total
}

/// A polygon's signed area (shoelace), each vertex paired with the next by a chain that
/// wraps round: a chain over the rows of one array twice (an error about an array-valued
/// `if` the user never wrote, probe).
#[grad(modes(tangent))]
fn shoelace(pts: &[[f64; 2]]) -> f64 {
    0.5 * pts
        .iter()
        .zip(pts.iter().skip(1).chain(pts.iter().take(1)))
        .map(|(a, b)| a[0] * b[1] - b[0] * a[1])
        .sum::<f64>()
}

/// The same rows twice, and a flat array chained with itself.
#[grad]
fn twice(pts: &[[f64; 2]], w: &[f64]) -> f64 {
    let rows: f64 = pts
        .iter()
        .chain(pts.iter().rev())
        .map(|p| p[0] * p[1])
        .sum();
    let flat: f64 = w.iter().chain(w.iter().skip(1)).map(|v| v * v).sum();
    rows * flat
}

fn flatten<const M: usize>(rows: &[[f64; M]]) -> Vec<f64> {
    rows.iter().flatten().copied().collect()
}

fn rows<const M: usize>(flat: &[f64]) -> Vec<[f64; M]> {
    flat.chunks_exact(M)
        .map(|c| std::array::from_fn(|k| c[k]))
        .collect()
}

#[test]
fn pair_energy_matches_finite_differences() {
    let mut rng = Rng::new(11);
    for n in [2, 3, 5] {
        let pos: Vec<[f64; 2]> = rows(&rng.vec(2 * n, -2.0, 2.0));
        let (value, g) = pair_energy_grad(&pos);
        assert_eq!(value, pair_energy(&pos));
        assert_eq!(g.len(), n);
        let f = |v: &[f64]| pair_energy(&rows::<2>(v));
        assert_matches_fd(&f, &flatten(&pos), &flatten(&g), "pair energy");
        // The tangent along the gradient is |g|^2.
        let (_, jv) = pair_energy_tangent(&pos, &g[..]);
        assert_close(jv, flatten(&g).iter().map(|v| v * v).sum(), 1e-9);
        // H v against a difference of gradients.
        let v: Vec<[f64; 2]> = rows(&rng.vec(2 * n, -1.0, 1.0));
        let (_, g_hvp, hv) = pair_energy_hvp(&pos, &v[..]);
        assert_eq!(flatten(&g_hvp), flatten(&g));
        let h = 1e-6;
        let moved = |s: f64| {
            let p: Vec<[f64; 2]> = pos
                .iter()
                .zip(&v)
                .map(|(p, d)| [p[0] + s * h * d[0], p[1] + s * h * d[1]])
                .collect();
            flatten(&pair_energy_grad(&p).1)
        };
        let (plus, minus) = (moved(1.0), moved(-1.0));
        for (k, hv) in flatten(&hv).iter().enumerate() {
            assert_close(*hv, (plus[k] - minus[k]) / (2.0 * h), 1e-5);
        }
    }
}

#[test]
fn chains_over_rows_match_finite_differences() {
    let triangle = [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]];
    assert_eq!(
        shoelace_grad(&triangle),
        (0.5, vec![[-0.5, -0.5], [0.5, 0.0], [0.0, 0.5]])
    );
    let mut rng = Rng::new(13);
    for n in [1, 2, 5] {
        let pts: Vec<[f64; 2]> = rows(&rng.vec(2 * n, -2.0, 2.0));
        let (value, g) = shoelace_grad(&pts);
        assert_eq!(value, shoelace(&pts));
        let f = |v: &[f64]| shoelace(&rows::<2>(v));
        assert_matches_fd(&f, &flatten(&pts), &flatten(&g), "shoelace");
        let dir: Vec<[f64; 2]> = rows(&rng.vec(2 * n, -1.0, 1.0));
        let (_, jv) = shoelace_tangent(&pts, &dir[..]);
        let expected: f64 = flatten(&g)
            .iter()
            .zip(flatten(&dir))
            .map(|(a, b)| a * b)
            .sum();
        assert_close(jv, expected, 1e-9);

        let w = rng.vec(n + 1, -1.0, 1.0);
        let (value, (d_pts, d_w)) = twice_grad(&pts, &w);
        assert_eq!(value, twice(&pts, &w));
        let f = |v: &[f64]| twice(&rows::<2>(v), &w);
        assert_matches_fd(&f, &flatten(&pts), &flatten(&d_pts), "twice (rows)");
        let f = |v: &[f64]| twice(&pts, v);
        assert_matches_fd(&f, &w, &d_w, "twice (flat)");
    }
}

#[test]
fn spread_matches_finite_differences() {
    let mut rng = Rng::new(12);
    let points: Vec<[f64; 3]> = rows(&rng.vec(12, -1.0, 1.0));
    let centre = [0.25, -0.5, 0.75];
    let (value, (d_points, d_centre)) = spread_grad(&points, &centre);
    assert_eq!(value, spread(&points, &centre));
    let f = |v: &[f64]| spread(&rows::<3>(v), &centre);
    assert_matches_fd(
        &f,
        &flatten(&points),
        &flatten(&d_points),
        "spread (points)",
    );
    let f = |c: &[f64]| spread(&points, &[c[0], c[1], c[2]]);
    assert_matches_fd(&f, &centre, &d_centre, "spread (centre)");
}

#[test]
fn rows_as_data_leave_the_fit_alone() {
    let xs = [[1.0, 2.0], [3.0, -1.0]];
    let ys = [1.0, 0.5];
    let w = [0.5, 0.25];
    let (value, d_w) = fit_grad(&w, &xs, &ys);
    assert_eq!(value, fit(&w, &xs, &ys));
    assert_matches_fd(&|w| fit(&[w[0], w[1]], &xs, &ys), &w, &d_w, "fit");
    // Rows left out of the list have no shadow (`ys`, a slice, has one).
    let mut acc = [0.0; 2];
    let v = fit_adjoint(&w, &xs, &ys, 1.0, &mut acc, autodiff::Const);
    assert_eq!((v, acc), (value, d_w));
}

/// The distance to the nearest point, picked by `min_by` over the rows (geometry probe: it was
/// rejected): the row at the index the comparator picks.
#[grad(modes(tangent))]
fn nearest_distance(q: &[f64; 2], pts: &[[f64; 2]]) -> f64 {
    let best = pts
        .iter()
        .min_by(|a, b| {
            let da = (a[0] - q[0]).powi(2) + (a[1] - q[1]).powi(2);
            let db = (b[0] - q[0]).powi(2) + (b[1] - q[1]).powi(2);
            da.partial_cmp(&db).unwrap()
        })
        .unwrap();
    ((best[0] - q[0]).powi(2) + (best[1] - q[1]).powi(2)).sqrt()
}

/// The highest point by `max_by(..).expect(..)`, destructured.
#[grad]
fn highest_point(pts: &[[f64; 3]], s: f64) -> f64 {
    let &[x, y, z] = pts
        .iter()
        .max_by(|a, b| a[2].total_cmp(&b[2]))
        .expect("points");
    s * x * y + z
}

#[test]
fn rows_picked_by_a_comparator() {
    let mut rng = Rng::new(11);
    for _ in 0..5 {
        let q = [rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)];
        let pts: Vec<[f64; 2]> = (0..6)
            .map(|_| [rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)])
            .collect();
        let (_, (dq, dp)) = nearest_distance_grad(&q, &pts);
        let flat: Vec<f64> = q.iter().chain(pts.iter().flatten()).copied().collect();
        let f = |p: &[f64]| {
            let rows: Vec<[f64; 2]> = p[2..].chunks(2).map(|c| [c[0], c[1]]).collect();
            nearest_distance(&[p[0], p[1]], &rows)
        };
        let analytic: Vec<f64> = dq.iter().chain(dp.iter().flatten()).copied().collect();
        assert_matches_fd(&f, &flat, &analytic, "nearest_distance");
        let (_, dv) = nearest_distance_tangent(&q, &pts, &[1.0, 0.0], autodiff::Const);
        assert_close(dv, dq[0], 1e-12);
    }
    let pts = [[1.0, 2.0, 0.5], [3.0, 4.0, 1.5], [5.0, 6.0, -1.0]];
    let (v, (dp, ds)) = highest_point_grad(&pts, 2.0);
    assert_eq!((v, ds), (25.5, 12.0));
    assert_eq!(dp, vec![[0.0; 3], [8.0, 6.0, 1.0], [0.0; 3]]);
}
