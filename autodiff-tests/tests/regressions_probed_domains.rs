//! Forms that probes of public code in new areas found failing. Ray marching (Inigo
//! Quilez's distance functions): a torus's radii passed as a tuple literal to a callee under
//! `modes(hvp)` (plain numbers where `_dual_adjoint` takes dual ones), and a smoothing width
//! computed from a data struct's field (`let k = 0.5 * cfg.c;`) taken for an integer by its
//! name. Auctions: a sorted copy matched by its shape through `.as_slice()`. Energy storage:
//! a `#[grad(self)]` block whose state update takes `&mut self` beside the getters. And
//! rows collected from another matrix's rows by index (`(0..k).map(|i| y[i]).collect()` into
//! a `Vec<[f64; 2]>`), whose copies were dropped (zero rows: a wrong value). Epidemic models
//! (exo-cortex/sir_in_rust's RK4): a stage buffer of stated type assigned a call's array
//! mapped (`k = f(&k, b).map(|v| v * dt);`), rejected as a map whose length nothing states.
//! Solar energy (pvlib-rust's `get_sky_diffuse`): an optional input with a computed default
//! (`airmass.unwrap_or_else(|| relative_airmass(zenith))`), rejected as a closure value.
//! Fourier sums written with `(re, im)` tuples: a twiddle factor of data advanced by a
//! `#[grad]` function returning a tuple (`w = cmul(w, step);`), rejected as no tuple.
//! Peak finding (ChronoXtract's `find_peaks` then `peak_prominence`): indices a plain
//! function returns into a `let` of stated type `Vec<usize>`, taken for floats (indexing with
//! them rejected, or lent to a `#[grad]` function with a float shadow that does not compile);
//! a moving window's `i.saturating_sub(half)` in a loop that pushes, whose counter was of no
//! type in the generated code. State estimation: `modes(hvp)` on a const-generic caller of a
//! const-generic function returning an array (`[Dual<f64>; N]: Default` not satisfied).
//! Force-directed layouts: a displacement buffer of literal rows (`vec![[0.0, 0.0]; n]`),
//! rejected as an array literal not bound to a local. Linear algebra (acgetchell/la-stack's
//! LU): a pivot permutation swapped in place (`piv.swap(k, p)` of a local `[usize; 3]`),
//! passed through as written on the reference its code rebinds it as (generated code that
//! did not compile). Classical ML (linfa-ftrl): `x.is_negative()` of `num_traits::Signed`, a
//! predicate, rejected as a method without a derivative rule. Interpolation (Twinklebear's
//! bspline, interp-rs): a knot span a plain search returns as `Option<usize>`, bound with its
//! type (taken for an `Option` of a float: generated code that did not compile) or matched
//! where it is made, and a span index clamped by a method (`prev_index(x, xp).min(n - 2)`),
//! read as indices but taken for floats. A scene's union over its spheres
//! (`self.spheres.iter().map(|s| s.sdf(p)).fold(f64::INFINITY, f64::min)`), rejected as
//! `sdf` having no derivative rule; pid-rs's derivative term matching a local `Option`
//! through `.as_ref()`. From a probe of Rust's syntax: a `match` arm whose pattern binds a
//! name the function already has (`Some(x) if x > 1.0 => .., _ => x * x` beside a parameter
//! `x`) left its binding in scope for the arms tried after its guard failed (a wrong value:
//! the bound number read for the parameter; and `Some(k) if k < 0 => .., Some(k) => ..`
//! did not compile); a kernel's `support(&self) -> Option<(f64, f64)>` beside `evaluate`
//! under a `#[grad]` impl block, rejected as no float result though it has nothing to
//! differentiate (statrs's `kernel.rs`). Kinematics (PistonDevelopers/quaternion's `mul`
//! over generic vecmath helpers): an array a call returns handed on whole to another call
//! in a function generic over its float (`add3(add3(a, b), b)`), whose adjoint was made a
//! number (generated code that did not compile). And `for` loops over a string's items
//! (`spec.chars()`, `line.split_whitespace().enumerate()`, `s.bytes()`: coefficients parsed
//! from a spec), rejected as adaptors of a differentiated chain though they read no float.
//! Gaussian elimination's working copy of a matrix of rows (`let mut a = m.to_vec();` of an
//! `&[Vec<f64>]`, TheAlgorithms' and Numerical Recipes' start), rejected as a copy of rows.
//! An early `return` from a loop over a range Rust types `u64` by a comparison in the body
//! (`let m = 10; for i in 0..m { .. if i == n { return h; } }` with `n: u64`, statrs's
//! exponential integral), whose reverse replay needed an exact size `Range<u64>` lacks.

use autodiff::{grad, Params};

#[grad(modes(hvp))]
fn torus(x: f64, radii: (f64, f64)) -> f64 {
    (x * x + radii.0 * radii.0).sqrt() - radii.1
}

#[grad(modes(hvp))]
fn scene(x: f64) -> f64 {
    torus(x, (0.8, 0.15)) * x
}

#[test]
fn a_tuple_literal_to_a_callee_on_dual_numbers() {
    for x in [0.3, -1.2, 2.0] {
        let (value, d, hv) = scene_hvp(x, 1.0);
        let r = (x * x + 0.64).sqrt();
        assert!((value - (r - 0.15) * x).abs() < 1e-14);
        // f = (r - 0.15) x: f' = x^2 / r + r - 0.15, f'' = 3x / r - x^3 / r^3
        assert!((d - (x * x / r + r - 0.15)).abs() < 1e-12);
        assert!((hv - (3.0 * x / r - x.powi(3) / r.powi(3))).abs() < 1e-12);
    }
}

pub struct Config {
    pub complexity: f64,
}

#[grad]
fn smooth_min(a: f64, b: f64, k: f64) -> f64 {
    let h = (0.5 + 0.5 * (b - a) / k).clamp(0.0, 1.0);
    b * (1.0 - h) + a * h - k * h * (1.0 - h)
}

#[grad(x)]
fn blended(x: f64, cfg: &Config) -> f64 {
    let k = 0.5 * cfg.complexity;
    smooth_min(x, 1.0, k)
}

#[test]
fn float_data_named_like_an_index() {
    let cfg = Config { complexity: 0.8 };
    for x in [0.7, 0.9, 1.3] {
        let (value, d) = blended_grad(x, &cfg);
        assert_eq!(value, blended(x, &cfg));
        let h = 1e-6;
        let fd = (blended(x + h, &cfg) - blended(x - h, &cfg)) / (2.0 * h);
        assert!((d - fd).abs() < 1e-6, "{d} vs {fd}");
    }
}

/// The product of the two lowest bids, by the shape of the sorted copy.
#[grad]
fn lowest_pair(bids: &[f64]) -> f64 {
    let mut sorted = bids.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    match sorted.as_slice() {
        [] => 0.0,
        [only] => *only,
        [first, second, ..] => first * second,
    }
}

#[test]
fn a_sorted_copy_matched_through_as_slice() {
    assert_eq!(lowest_pair_grad(&[]), (0.0, vec![]));
    assert_eq!(lowest_pair_grad(&[2.5]), (2.5, vec![1.0]));
    assert_eq!(
        lowest_pair_grad(&[3.0, 0.5, 2.0]),
        (1.0, vec![0.0, 2.0, 0.5])
    );
}

#[derive(Clone, Debug, Params)]
pub struct Battery {
    pub charge: f64,
    pub floor: f64,
    pub capacity: f64,
}

#[grad(self)]
impl Battery {
    pub fn available_energy(&self) -> f64 {
        (self.charge - self.floor) * self.capacity
    }

    pub fn draw(&mut self, power: f64, dt: f64) -> f64 {
        self.charge -= power * dt / self.capacity;
        self.charge
    }
}

#[test]
fn a_state_update_beside_the_getters_is_left_alone() {
    let mut b = Battery {
        charge: 0.9,
        floor: 0.1,
        capacity: 50.0,
    };
    let (value, d) = b.available_energy_grad();
    assert!((value - 40.0).abs() < 1e-12);
    assert_eq!((d.charge, d.floor, d.capacity), (50.0, -50.0, 0.8));
    assert!((b.draw(10.0, 1.0) - 0.7).abs() < 1e-12);
    let mut g = b.zeros_like();
    b.available_energy_adjoint(2.0, &mut g);
    assert_eq!(g.charge, 100.0);
}

#[grad]
fn middle_rows(x: &[f64]) -> f64 {
    let pairs: Vec<[f64; 2]> = x.iter().map(|v| [v * 2.0, *v]).collect();
    let middle: Vec<[f64; 2]> = (0..2).map(|k| pairs[k + 1]).collect();
    middle.iter().map(|p| p[0] * p[1]).sum()
}

#[test]
fn rows_collected_by_index_are_copied() {
    let (value, d) = middle_rows_grad(&[1.0, 2.0, 3.0]);
    assert_eq!(value, 26.0);
    assert_eq!(d, vec![0.0, 8.0, 12.0]);
}

#[grad]
fn sir_rate(y: &[f64; 3], beta: f64) -> [f64; 3] {
    let infections = beta * y[0] * y[1];
    [-infections, infections - 0.1 * y[1], 0.1 * y[1]]
}

/// Two Runge-Kutta stages in one buffer.
#[grad]
fn two_stages(y: &[f64; 3], beta: f64, dt: f64) -> [f64; 3] {
    let mut k: [f64; 3] = sir_rate(y, beta).map(|v| v * dt);
    k = sir_rate(&[y[0] + k[0], y[1] + k[1], y[2] + k[2]], beta).map(|v| v * dt);
    k
}

#[test]
fn a_stage_buffer_assigned_a_mapped_call() {
    let (y, beta, dt) = ([0.9, 0.1, 0.0], 0.3, 0.1);
    let weights = [1.0, 2.0, 3.0];
    let weighted = |y: &[f64; 3], beta: f64| -> f64 {
        let k = two_stages(y, beta, dt);
        k.iter().zip(&weights).map(|(a, w)| a * w).sum()
    };
    let (mut d_y, mut d_beta) = ([0.0; 3], 0.0);
    let value = two_stages_adjoint(
        &y,
        beta,
        dt,
        &weights,
        &mut d_y,
        &mut d_beta,
        autodiff::Const,
    );
    assert_eq!(value, two_stages(&y, beta, dt));
    let h = 1e-6;
    let fd = (weighted(&y, beta + h) - weighted(&y, beta - h)) / (2.0 * h);
    assert!((d_beta - fd).abs() < 1e-9, "{d_beta} vs {fd}");
    for i in 0..3 {
        let (mut up, mut down) = (y, y);
        up[i] += h;
        down[i] -= h;
        let fd = (weighted(&up, beta) - weighted(&down, beta)) / (2.0 * h);
        assert!((d_y[i] - fd).abs() < 1e-9, "d_y[{i}]: {} vs {fd}", d_y[i]);
    }
}

#[grad]
fn relative_airmass(zenith: f64) -> f64 {
    1.0 / zenith.to_radians().cos()
}

#[grad(dhi, zenith)]
fn sky_diffuse(dhi: f64, zenith: f64, airmass: Option<f64>) -> f64 {
    let am = airmass.unwrap_or_else(|| relative_airmass(zenith));
    dhi * (1.0 + 0.1 * am)
}

#[test]
fn an_optional_input_with_a_computed_default() {
    let (value, (d_dhi, d_zenith)) = sky_diffuse_grad(100.0, 30.0, Some(1.5));
    assert_eq!(
        (value, d_dhi, d_zenith),
        (sky_diffuse(100.0, 30.0, Some(1.5)), 1.15, 0.0)
    );
    let (value, (d_dhi, d_zenith)) = sky_diffuse_grad(100.0, 30.0, None);
    let am = relative_airmass(30.0);
    assert_eq!(value, sky_diffuse(100.0, 30.0, None));
    assert!((d_dhi - (1.0 + 0.1 * am)).abs() < 1e-15);
    // d am / d zenith = sec z tan z (in radians, scaled to degrees)
    let z = 30.0_f64.to_radians();
    let expected = 10.0 * z.tan() / z.cos() * std::f64::consts::PI / 180.0;
    assert!(
        (d_zenith - expected).abs() < 1e-12,
        "{d_zenith} vs {expected}"
    );
}

#[grad]
fn complex_product(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
}

/// The real part of a DFT bin, its twiddle factor advanced by multiplication.
#[grad]
fn dft_bin_real(x: &[f64]) -> f64 {
    let step = (0.6, -0.8);
    let mut w = (1.0, 0.0);
    let mut re = 0.0;
    for &v in x {
        re += v * w.0;
        w = complex_product(w, step);
    }
    re
}

#[test]
fn a_tuple_of_data_advanced_by_a_call() {
    let x = [0.5, -1.0, 2.0, 0.25];
    let (value, d_x) = dft_bin_real_grad(&x);
    assert_eq!(value, dft_bin_real(&x));
    // the derivatives are the twiddle factors' real parts: cos(k theta), cos theta = 0.6
    let theta = (-0.8_f64).atan2(0.6);
    for (k, d) in d_x.iter().enumerate() {
        assert!((d - (k as f64 * theta).cos()).abs() < 1e-12, "{k}: {d}");
    }
}

/// The interior local maxima (a plain function: its result is data).
fn peaks(x: &[f64]) -> Vec<usize> {
    (1..x.len() - 1)
        .filter(|&i| x[i] > x[i - 1] && x[i] > x[i + 1])
        .collect()
}

#[grad(data)]
fn heights_at(data: &[f64], at: &[usize]) -> f64 {
    at.iter().map(|&i| data[i]).sum()
}

#[grad]
fn peak_heights(x: &[f64]) -> f64 {
    let found: Vec<usize> = peaks(x);
    heights_at(x, &found)
}

#[grad]
fn peak_energy(x: &[f64]) -> f64 {
    let found: Vec<usize> = peaks(x);
    found.iter().map(|&i| x[i] * x[i]).sum()
}

/// Products with the previous sample (the first with itself).
#[grad]
fn lagged_products(x: &[f64]) -> Vec<f64> {
    let mut out = Vec::new();
    for i in 0..x.len() {
        let lo = i.saturating_sub(1);
        out.push(x[lo] * x[i]);
    }
    out
}

#[test]
fn indices_a_plain_function_returns_are_data() {
    let x = [1.0, 3.0, 2.0, 5.0, 1.0];
    assert_eq!(peak_heights_grad(&x), (8.0, vec![0.0, 1.0, 0.0, 1.0, 0.0]));
    assert_eq!(peak_energy_grad(&x), (34.0, vec![0.0, 6.0, 0.0, 10.0, 0.0]));
    let weights = [1.0, 2.0, 3.0, 4.0, 5.0];
    let mut d_x = [0.0; 5];
    let value = lagged_products_adjoint(&x, &weights, &mut d_x[..]);
    assert_eq!(value, lagged_products(&x));
    // sum_i w_i x_{i-1} x_i (x_0 squared): d/dx_k = w_k x_{k-1} + w_{k+1} x_{k+1}
    let expected = [
        2.0 * 1.0 + 2.0 * 3.0,
        2.0 + 3.0 * 2.0,
        3.0 * 3.0 + 4.0 * 5.0,
        4.0 * 2.0 + 5.0,
        5.0 * 5.0,
    ];
    assert_eq!(d_x, expected);
}

#[grad(modes(hvp))]
fn doubled<const N: usize>(a: &[f64; N]) -> [f64; N] {
    let mut t = [0.0; N];
    for i in 0..N {
        t[i] = 2.0 * a[i];
    }
    t
}

#[grad(modes(hvp))]
fn first_products<const N: usize>(x: &[f64; N]) -> f64 {
    let t = doubled(x);
    t[0] * x[0] + t[N - 1] * x[0]
}

#[test]
fn a_const_generic_array_callee_on_dual_numbers() {
    // 2 x0^2 + 2 x2 x0
    let (value, d, hv) = first_products_hvp(&[1.0, 5.0, 2.0], &[1.0, 0.0, -1.0]);
    assert_eq!(value, 2.0 + 4.0);
    assert_eq!(d, [4.0 + 4.0, 0.0, 2.0]);
    // H = [[4, 0, 2], [0, 0, 0], [2, 0, 0]]
    assert_eq!(hv, [4.0 - 2.0, 0.0, 2.0]);
}

/// Fruchterman-Reingold's attraction along edges, its displacements in a buffer of rows.
#[grad]
fn attraction(pos: &[[f64; 2]], edges: &[(usize, usize)], k: f64) -> f64 {
    let mut disp = vec![[0.0, 0.0]; pos.len()];
    for &(u, v) in edges {
        let d = [pos[u][0] - pos[v][0], pos[u][1] - pos[v][1]];
        let dist = (d[0] * d[0] + d[1] * d[1]).sqrt();
        let force = dist * dist / k;
        for c in 0..2 {
            disp[u][c] -= d[c] / dist * force;
            disp[v][c] += d[c] / dist * force;
        }
    }
    disp.iter().map(|r| r[0] * r[0] + r[1] * r[1]).sum()
}

#[test]
fn a_buffer_of_literal_rows() {
    let pos = [[0.0, 0.0], [1.0, 0.5], [0.3, 1.2]];
    let edges = [(0, 1), (1, 2)];
    let (value, (d_pos, d_k)) = attraction_grad(&pos, &edges, 0.7);
    assert_eq!(value, attraction(&pos, &edges, 0.7));
    let h = 1e-6;
    let fd = (attraction(&pos, &edges, 0.7 + h) - attraction(&pos, &edges, 0.7 - h)) / (2.0 * h);
    assert!((d_k - fd).abs() < 1e-6 * (1.0 + fd.abs()), "{d_k} vs {fd}");
    for i in 0..3 {
        for c in 0..2 {
            let (mut up, mut down) = (pos, pos);
            up[i][c] += h;
            down[i][c] -= h;
            let fd = (attraction(&up, &edges, 0.7) - attraction(&down, &edges, 0.7)) / (2.0 * h);
            assert!(
                (d_pos[i][c] - fd).abs() < 1e-6 * (1.0 + fd.abs()),
                "{i},{c}"
            );
        }
    }
}

/// The determinant by LU with partial pivoting, the permutation kept as indices.
#[allow(clippy::needless_range_loop)]
#[grad]
fn lu_determinant(m: &[[f64; 3]; 3]) -> f64 {
    let mut a = *m;
    let mut piv = [0usize; 3];
    for (i, p) in piv.iter_mut().enumerate() {
        *p = i;
    }
    let mut sign = 1.0;
    for k in 0..3 {
        let mut p = k;
        for i in k + 1..3 {
            if a[i][k].abs() > a[p][k].abs() {
                p = i;
            }
        }
        if p != k {
            a.swap(p, k);
            piv.swap(p, k);
            sign = -sign;
        }
        for i in k + 1..3 {
            let f = a[i][k] / a[k][k];
            for j in k..3 {
                a[i][j] -= f * a[k][j];
            }
        }
    }
    // (the permutation's first entry, a check that it was kept: row 2 moved first)
    let moved = if piv[0] == 2 { 1.0 } else { 0.0 };
    sign * a[0][0] * a[1][1] * a[2][2] + moved
}

#[test]
fn a_pivot_permutation_swapped_in_place() {
    let (value, d) = lu_determinant_grad(&PIVOTED);
    assert!((value - (29.75 + 1.0)).abs() < 1e-12, "{value}");
    assert_cofactors(d.iter().map(|row| &row[..]));
}

/// A matrix whose elimination swaps rows (its determinant 29.75).
const PIVOTED: [[f64; 3]; 3] = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.5], [7.0, 8.5, 1.0]];

/// The gradient of `PIVOTED`'s determinant: its cofactor matrix.
fn assert_cofactors<'a>(rows: impl Iterator<Item = &'a [f64]>) {
    let cofactors = [[-50.25, 41.5, -1.0], [23.5, -20.0, 5.5], [-2.0, 5.5, -3.0]];
    for (row, expected) in rows.zip(&cofactors) {
        for (g, c) in row.iter().zip(expected) {
            assert!((g - c).abs() < 1e-12, "{g} vs {c}");
        }
    }
}

/// linfa-ftrl's `stable_sigmoid`, its branch on `num_traits::Signed::is_negative`.
#[grad]
fn stable_sigmoid<F: autodiff::Float + num_traits::Signed>(prediction: F) -> F {
    if prediction.is_negative() {
        let e = prediction.exp();
        e / (F::one() + e)
    } else {
        F::one() / (F::one() + (-prediction).exp())
    }
}

#[test]
fn a_signed_predicate_on_a_float() {
    for x in [-3.0_f64, -0.5, 0.0, 2.0] {
        let (value, d) = stable_sigmoid_grad(x);
        let s = 1.0 / (1.0 + (-x).exp());
        assert!((value - s).abs() < 1e-15);
        assert!((d - s * (1.0 - s)).abs() < 1e-15);
    }
}

/// The first knot above `t` (a plain search: its result is data).
fn upper_bound(knots: &[f64], t: f64) -> Option<usize> {
    knots.iter().position(|&k| k > t)
}

fn previous_index(x: &[f64], xp: f64) -> usize {
    x.partition_point(|&p| p < xp).saturating_sub(1)
}

#[grad]
fn doubled_at(c: &[f64], i: usize) -> f64 {
    c[i] * 2.0
}

#[grad]
fn span_typed(c: &[f64], knots: &[f64], t: f64) -> f64 {
    let found: Option<usize> = upper_bound(knots, t);
    let i = match found {
        Some(i) => i,
        None => knots.len() - 1,
    };
    t * doubled_at(c, i)
}

#[grad]
fn span_matched(knots: &[f64], t: f64) -> f64 {
    let i = match upper_bound(knots, t) {
        Some(0) => 1,
        Some(i) => i,
        None => knots.len() - 1,
    };
    t * knots[i]
}

#[grad]
fn linear_interpolation(x: &[f64], y: &[f64], xp: f64) -> f64 {
    let i = previous_index(x, xp).min(x.len() - 2);
    let s = (xp - x[i]) / (x[i + 1] - x[i]);
    y[i] + s * (y[i + 1] - y[i])
}

#[test]
fn indices_of_plain_searches_are_data() {
    let knots = [0.0, 1.0, 2.0, 3.0];
    assert_eq!(
        span_typed_grad(&knots, &knots, 1.5),
        (6.0, (vec![0.0, 0.0, 3.0, 0.0], vec![0.0; 4], 4.0))
    );
    assert_eq!(
        span_matched_grad(&knots, 1.5),
        (3.0, (vec![0.0, 0.0, 1.5, 0.0], 2.0))
    );
    assert_eq!(
        span_matched_grad(&knots, -1.0),
        (-1.0, (vec![0.0, -1.0, 0.0, 0.0], 1.0))
    );
    let y = [1.0, 4.0, 2.0, 8.0];
    let (value, (d_x, d_y, d_xp)) = linear_interpolation_grad(&knots, &y, 1.25);
    assert_eq!(value, 3.5);
    assert_eq!(d_y, vec![0.0, 0.75, 0.25, 0.0]);
    assert_eq!(d_xp, -2.0);
    // s = (xp - x1) / (x2 - x1) = 0.25 over a unit gap, y2 - y1 = -2:
    // d/dx1 = (y2 - y1)(s - 1) = 1.5, d/dx2 = -(y2 - y1) s = 0.5
    assert_eq!(d_x, vec![0.0, 1.5, 0.5, 0.0]);
}

#[derive(Clone, Debug, Params)]
pub struct Sphere {
    pub center: [f64; 3],
    pub radius: f64,
}

#[grad(self)]
impl Sphere {
    pub fn distance(&self, p: &[f64; 3]) -> f64 {
        let d = [
            p[0] - self.center[0],
            p[1] - self.center[1],
            p[2] - self.center[2],
        ];
        (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt() - self.radius
    }
}

#[derive(Clone, Debug, Params)]
pub struct Scene {
    pub spheres: Vec<Sphere>,
}

#[grad(self)]
impl Scene {
    pub fn union(&self, p: &[f64; 3]) -> f64 {
        self.spheres
            .iter()
            .map(|s| s.distance(p))
            .fold(f64::INFINITY, f64::min)
    }

    pub fn smooth_union(&self, p: &[f64; 3]) -> f64 {
        self.spheres
            .iter()
            .map(|s| s.distance(p))
            .fold(0.0, |acc, d| acc + (-d).exp())
    }
}

#[test]
fn a_union_folded_over_sub_models() {
    let scene = Scene {
        spheres: vec![
            Sphere {
                center: [0.0; 3],
                radius: 1.0,
            },
            Sphere {
                center: [2.0, 0.0, 0.0],
                radius: 0.5,
            },
        ],
    };
    let p = [1.8, 0.1, 0.0];
    let (value, d) = scene.union_grad(&p);
    let r = (0.04_f64 + 0.01).sqrt();
    assert!((value - (r - 0.5)).abs() < 1e-15);
    assert_eq!((d.spheres[0].center, d.spheres[0].radius), ([0.0; 3], 0.0));
    assert!((d.spheres[1].center[0] - 0.2 / r).abs() < 1e-15);
    assert!((d.spheres[1].center[1] + 0.1 / r).abs() < 1e-15);
    assert_eq!(d.spheres[1].radius, -1.0);
    let (value, d) = scene.smooth_union_grad(&p);
    let (d0, d1) = (scene.spheres[0].distance(&p), scene.spheres[1].distance(&p));
    assert!((value - ((-d0).exp() + (-d1).exp())).abs() < 1e-15);
    assert!((d.spheres[0].radius - (-d0).exp()).abs() < 1e-15);
    assert!((d.spheres[1].radius - (-d1).exp()).abs() < 1e-15);
}

/// pid-rs's `next_control_output` derivative term, over a rollout.
#[grad]
fn derivative_energy(kd: f64, measurements: &[f64]) -> f64 {
    let mut prev_measurement: Option<f64> = None;
    let mut energy = 0.0;
    for &measurement in measurements {
        let d_term = -match prev_measurement.as_ref() {
            Some(prev_measurement) => measurement - *prev_measurement,
            None => 0.0,
        } * kd;
        energy += d_term * d_term;
        prev_measurement = Some(measurement);
    }
    energy
}

#[test]
fn a_local_option_matched_through_as_ref() {
    let (value, (d_kd, d_m)) = derivative_energy_grad(0.5, &[1.0, 3.0, 2.0]);
    // kd^2 ((m1 - m0)^2 + (m2 - m1)^2) = 0.25 * 5
    assert_eq!(value, 1.25);
    assert_eq!(d_kd, 5.0);
    assert_eq!(d_m, vec![-1.0, 1.5, -0.5]);
}

#[grad(x)]
fn guarded_shadow(x: f64, o: Option<f64>) -> f64 {
    match o {
        Some(x) if x > 1.0 => x * 2.0,
        _ => x * x,
    }
}

#[grad(x)]
fn guarded_repeat(x: f64, k: Option<i32>) -> f64 {
    match k {
        Some(k) if k < 0 => x,
        Some(k) => x * k as f64,
        None => 0.0,
    }
}

#[grad(x)]
fn guarded_local(x: f64, o: Option<f64>) -> f64 {
    let y = x * x;
    match o {
        Some(y) if y > 1.0 => y,
        _ => y,
    }
}

#[test]
fn a_failed_guard_leaves_the_outer_names() {
    for (x, o) in [
        (1.5, Some(0.5)),
        (0.4, Some(0.5)),
        (1.5, Some(1.7)),
        (0.3, None),
    ] {
        let (value, d) = guarded_shadow_grad(x, o);
        assert_eq!(value, guarded_shadow(x, o));
        let expected = match o {
            Some(v) if v > 1.0 => 0.0,
            _ => 2.0 * x,
        };
        assert_eq!(d, expected);
        let (value, d) = guarded_local_grad(x, o);
        assert_eq!(value, guarded_local(x, o));
        assert_eq!(d, expected);
    }
    for (k, expected) in [(Some(-1), 1.0), (Some(3), 3.0), (None, 0.0)] {
        assert_eq!(guarded_repeat_grad(2.0, k).1, expected);
    }
}

pub trait Kernel {
    fn evaluate(&self, x: f64) -> f64;
    fn support(&self) -> Option<(f64, f64)> {
        None
    }
}

pub struct Epanechnikov;

#[grad]
impl Kernel for Epanechnikov {
    fn evaluate(&self, x: f64) -> f64 {
        0.75 * (1.0 - x * x)
    }

    fn support(&self) -> Option<(f64, f64)> {
        Some((-1.0, 1.0))
    }
}

#[test]
fn a_method_of_self_alone_is_left_alone_on_a_block() {
    assert_eq!(Epanechnikov.evaluate_grad(0.5), (0.5625, -0.75));
    assert_eq!(Epanechnikov.support(), Some((-1.0, 1.0)));
}

#[grad]
fn add3<T: autodiff::Float>(a: [T; 3], b: [T; 3]) -> [T; 3] {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}

#[grad]
fn scale3<T: autodiff::Float>(s: T, a: [T; 3]) -> [T; 3] {
    [s * a[0], s * a[1], s * a[2]]
}

#[grad]
fn nested_sums<T: autodiff::Float>(a: [T; 3], b: [T; 3], s: T) -> T {
    let v = add3(scale3(s, add3(a, b)), b);
    v[0] * v[1] + v[2]
}

#[test]
fn arrays_handed_on_in_a_generic_function() {
    let (a, b, s) = ([1.0, 2.0, 3.0], [0.5, -0.5, 1.0], 2.0);
    let (value, (d_a, d_b, d_s)) = nested_sums_grad(a, b, s);
    // v = s (a + b) + b = [3.5, 2.5, 9]
    assert_eq!(value, 3.5 * 2.5 + 9.0);
    assert_eq!(d_a, [2.0 * 2.5, 2.0 * 3.5, 2.0]);
    assert_eq!(d_b, [3.0 * 2.5, 3.0 * 3.5, 3.0]);
    assert_eq!(d_s, 1.5 * 2.5 + 1.5 * 3.5 + 4.0);
    let (value_f32, _) = nested_sums_grad([1.0_f32, 2.0, 3.0], [0.5, -0.5, 1.0], 2.0);
    assert_eq!(value_f32, 17.75);
}

/// `+` adds `x`, anything else takes `x^2` away.
#[grad(x)]
fn signs_from_spec(x: f64, spec: &str) -> f64 {
    let mut acc = 0.0;
    for ch in spec.chars() {
        if ch == '+' {
            acc += x;
        } else {
            acc -= x * x;
        }
    }
    acc
}

/// A polynomial whose coefficients are parsed from a line.
#[grad(x)]
fn parsed_polynomial(x: f64, line: &str) -> f64 {
    let mut acc = 0.0;
    for (k, token) in line.split_whitespace().enumerate() {
        let c: f64 = token.parse().unwrap();
        acc += c * x.powi(k as i32);
    }
    acc
}

#[grad(x)]
fn digit_product(x: f64, digits: &str) -> f64 {
    let mut acc = 1.0;
    for b in digits.bytes() {
        acc *= x + (b - b'0') as f64;
    }
    acc
}

#[test]
fn loops_over_the_items_of_a_string() {
    assert_eq!(signs_from_spec_grad(2.0, "+-+"), (0.0, -2.0));
    assert_eq!(parsed_polynomial_grad(2.0, "1 2 3"), (17.0, 14.0));
    assert_eq!(digit_product_grad(2.0, "12"), (12.0, 7.0));
}

/// The determinant by Gaussian elimination with partial pivoting on a copy of the rows.
#[allow(clippy::needless_range_loop)]
#[grad]
fn determinant_of_rows(m: &[Vec<f64>]) -> f64 {
    let mut a = m.to_vec();
    let n = a.len();
    let mut det = 1.0;
    for k in 0..n {
        let mut p = k;
        for i in k + 1..n {
            if a[i][k].abs() > a[p][k].abs() {
                p = i;
            }
        }
        if p != k {
            a.swap(p, k);
            det = -det;
        }
        det *= a[k][k];
        for i in k + 1..n {
            let f = a[i][k] / a[k][k];
            for j in k..n {
                a[i][j] -= f * a[k][j];
            }
        }
    }
    det
}

#[test]
fn a_working_copy_of_rows() {
    let m: Vec<Vec<f64>> = PIVOTED.iter().map(|row| row.to_vec()).collect();
    let (value, d) = determinant_of_rows_grad(&m);
    assert!((value - 29.75).abs() < 1e-12);
    assert_cofactors(d.iter().map(|row| &row[..]));
}

#[test]
#[should_panic(expected = "copies a matrix whose rows have one length")]
fn a_copy_of_ragged_rows_is_refused() {
    let _ = determinant_of_rows_grad(&[vec![1.0, 2.0], vec![3.0]]);
}

#[grad(x)]
fn halved_until(x: f64, n: u64) -> f64 {
    let m = 10;
    let mut h = x;
    for i in 0..m {
        h *= 0.5;
        if i == n {
            return h;
        }
    }
    h
}

#[test]
fn an_early_return_from_a_range_of_u64() {
    assert_eq!(halved_until_grad(2.0, 3), (0.125, 0.0625));
    assert_eq!(halved_until_grad(2.0, 30), (2.0 / 1024.0, 1.0 / 1024.0));
}
