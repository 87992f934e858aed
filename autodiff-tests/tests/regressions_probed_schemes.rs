//! Numerical schemes from public code that a probe found rejected (computational fluid
//! dynamics): WENO weights collected into a `Vec` and made the array result with
//! `try_into().unwrap()` (tmathis720/Hydra); an HLL flux whose last branch makes its array
//! with `std::array::from_fn` (the function's type gives the length); an HLLC star state from
//! a closure that states its array type (`|..| -> [f64; 3] { .. }`); and a shallow-water flux
//! that copies an edge's index out of a data struct (`let left = edge.left_triangle;`),
//! indexes with it and hands it to a method (skycler/rust-swe), taken for float data. And a
//! comparison of numbers behind `&` (`w_i <= &wp` of an item of `omega.iter()`, `x_val <=
//! &x[0]`: mikemt/ndspec's JONSWAP spectrum and interpolation, a marine probe), rejected as a
//! `&` that is not an array passed to a function. From a radar probe (rf-signals' ITWOM
//! port, r4w's cross sections): locals declared first and assigned later, one from another
//! (`let x; let temp; temp = 1.0 / r; x = temp * temp;`), rejected as untyped; and a `&f64`
//! left out of `#[grad(..)]` handed on dereferenced (`plate(*w, *h, f)`), taken for a struct
//! of data (a `_with_data` the callee does not have). A running value collected into a vector
//! (`.scan(0.0, |acc, ..| { *acc += ..; Some(*acc) }).collect()`: a cumulative comoving
//! distance, a cumulative trapezoid; the cosmology and medical-signal probes), rejected as a
//! chain it cannot collect, is the loop it stands for (`lower/scans.rs`).

use autodiff::{grad, Params};

fn central(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    let h = 1e-6 * x.abs().max(1.0);
    (f(x + h) - f(x - h)) / (2.0 * h)
}

/// Each element of the pullback of `f` at `x` along `d_out` against central differences.
fn check_pullback<const N: usize, const M: usize>(
    f: impl Fn([f64; N]) -> [f64; M],
    x: [f64; N],
    d_out: [f64; M],
    pullback: [f64; N],
) {
    for i in 0..N {
        let along = |v: f64| {
            let mut y = x;
            y[i] = v;
            f(y).iter().zip(&d_out).map(|(a, b)| a * b).sum::<f64>()
        };
        let fd = central(along, x[i]);
        assert!(
            (pullback[i] - fd).abs() < 1e-7 * fd.abs().max(1.0),
            "{i}: {} {fd}",
            pullback[i]
        );
    }
}

#[grad]
fn compute_weights(beta: [f64; 3]) -> [f64; 3] {
    const EPSILON: f64 = 1e-6;
    let alpha: Vec<f64> = beta.iter().map(|b| 1.0 / (EPSILON + b.powi(2))).collect();
    let alpha_sum: f64 = alpha.iter().sum();
    let weights: Vec<f64> = alpha.iter().map(|&a| a / alpha_sum).collect();
    weights.try_into().unwrap()
}

#[test]
fn a_vec_made_the_array_result_by_try_into() {
    let beta = [0.1, 0.2, 0.3];
    let d_out = [1.0, -0.5, 0.25];
    let mut d_beta = [0.0; 3];
    let value = compute_weights_adjoint(beta, &d_out, &mut d_beta);
    assert_eq!(value, compute_weights(beta));
    check_pullback(compute_weights, beta, d_out, d_beta);
}

#[grad]
fn hll(fl: [f64; 3], fr: [f64; 3], sl: f64, sr: f64) -> [f64; 3] {
    if sl >= 0.0 {
        fl
    } else if sr <= 0.0 {
        fr
    } else {
        std::array::from_fn(|k| (sr * fl[k] - sl * fr[k]) / (sr - sl))
    }
}

#[test]
fn a_branch_makes_its_array_with_from_fn() {
    let (fl, fr) = ([1.0, 2.0, 3.0], [0.5, 1.0, 2.0]);
    let d_out = [1.0, 2.0, -1.0];
    for (sl, sr) in [(-1.0, 1.5), (0.5, 2.0), (-2.0, -0.5)] {
        let (mut d_fl, mut d_fr, mut d_sl, mut d_sr) = ([0.0; 3], [0.0; 3], 0.0, 0.0);
        let value = hll_adjoint(
            fl, fr, sl, sr, &d_out, &mut d_fl, &mut d_fr, &mut d_sl, &mut d_sr,
        );
        assert_eq!(value, hll(fl, fr, sl, sr));
        check_pullback(
            |x| hll([x[0], x[1], x[2]], fr, x[3], x[4]),
            [fl[0], fl[1], fl[2], sl, sr],
            d_out,
            [d_fl[0], d_fl[1], d_fl[2], d_sl, d_sr],
        );
        check_pullback(|f| hll(fl, f, sl, sr), fr, d_out, d_fr);
    }
}

#[grad]
fn hllc_star(r: f64, u: f64, s: f64, s_star: f64) -> f64 {
    let star = |r: f64, u: f64, s: f64| -> [f64; 3] {
        let c = r * (s - u) / (s - s_star);
        [c, c * s_star, c * u]
    };
    let us = star(r, u, s);
    us[0] + us[1] + us[2]
}

#[test]
fn a_closure_states_the_array_it_returns() {
    let x = [1.0, 0.5, -1.0, 0.2];
    let (value, (d_r, d_u, d_s, d_star)) = hllc_star_grad(x[0], x[1], x[2], x[3]);
    assert_eq!(value, hllc_star(x[0], x[1], x[2], x[3]));
    check_pullback(
        |x| [hllc_star(x[0], x[1], x[2], x[3])],
        x,
        [1.0],
        [d_r, d_u, d_s, d_star],
    );
}

#[derive(Clone, Params)]
pub struct State {
    pub h: Vec<f64>,
    pub hu: Vec<f64>,
}

#[grad(self)]
impl State {
    pub fn velocity(&self, i: usize) -> f64 {
        self.hu[i] / self.h[i]
    }
}

pub struct Edge {
    pub left_triangle: usize,
    pub length: f64,
}

#[grad(state)]
fn flux(edge: &Edge, state: &State) -> f64 {
    let left = edge.left_triangle;
    let h_l = state.h[left];
    let u_l = state.velocity(left);
    edge.length * h_l * u_l * u_l
}

#[test]
fn an_index_copied_out_of_data_goes_to_a_method_as_an_integer() {
    let state = State {
        h: vec![1.0, 2.0, 0.5],
        hu: vec![0.5, 0.1, 0.3],
    };
    let edge = Edge {
        left_triangle: 1,
        length: 3.0,
    };
    let (value, d) = flux_grad(&edge, &state);
    assert_eq!(value, flux(&edge, &state));
    // 3 hu^2 / h at h = 2, hu = 0.1.
    assert!((d.h[1] + 3.0 * 0.01 / 4.0).abs() < 1e-15);
    assert_eq!((d.h[0], d.h[2]), (0.0, 0.0));
    assert!((d.hu[1] - 3.0 * 2.0 * 0.1 / 2.0).abs() < 1e-15);
    assert_eq!((d.hu[0], d.hu[2]), (0.0, 0.0));
}

/// The peak-enhancement part of ndspec's JONSWAP `energy`: the width on either side of the
/// peak, chosen by comparing an item of `omega.iter()` with `&wp`.
#[grad]
fn peak_side_sum(omega: &[f64], wp: f64, sigma_a: f64, sigma_b: f64) -> f64 {
    let mut total = 0.0;
    for w_i in omega.iter() {
        let s = if w_i <= &wp { sigma_a } else { sigma_b };
        total += (-0.5 * ((w_i - wp) / (s * wp)).powi(2)).exp();
    }
    total
}

/// ndspec's `linear_interp_vec` at one point: the ends compared by reference.
#[grad]
fn interp(x: &[f64], y: &[f64], at: f64) -> f64 {
    let x_val = &at;
    if x_val <= &x[0] {
        return y[0];
    }
    if x_val >= &x[x.len() - 1] {
        return y[y.len() - 1];
    }
    let mut i = 0;
    while x_val > &x[i + 1] {
        i += 1;
    }
    y[i] + (y[i + 1] - y[i]) * (at - x[i]) / (x[i + 1] - x[i])
}

#[test]
fn numbers_compared_behind_references() {
    let omega = [0.5, 0.6, 0.7];
    let (value, (d_omega, d_wp, d_a, d_b)) = peak_side_sum_grad(&omega, 0.62, 0.07, 0.09);
    assert_eq!(value, peak_side_sum(&omega, 0.62, 0.07, 0.09));
    let f = |v: [f64; 6]| [peak_side_sum(&[v[0], v[1], v[2]], v[3], v[4], v[5])];
    let x = [omega[0], omega[1], omega[2], 0.62, 0.07, 0.09];
    check_pullback(
        f,
        x,
        [1.0],
        [d_omega[0], d_omega[1], d_omega[2], d_wp, d_a, d_b],
    );
    let (xs, ys) = ([0.0, 1.0, 2.0], [1.0, 3.0, 2.0]);
    for at in [-1.0, 0.5, 1.5, 3.0] {
        let (value, (d_x, d_y, d_at)) = interp_grad(&xs, &ys, at);
        assert_eq!(value, interp(&xs, &ys, at));
        let f = |v: [f64; 7]| [interp(&v[..3], &v[3..6], v[6])];
        let x = [xs[0], xs[1], xs[2], ys[0], ys[1], ys[2], at];
        check_pullback(
            f,
            x,
            [1.0],
            [d_x[0], d_x[1], d_x[2], d_y[0], d_y[1], d_y[2], d_at],
        );
    }
}

/// rf-signals' `h0f`, its locals declared first as in the C it was ported from.
#[grad]
#[allow(clippy::needless_late_init)]
fn h0f_like(r: f64) -> f64 {
    let x;
    let temp;
    temp = 1.0 / r;
    x = temp * temp;
    4.343 * (x + 1.0).ln()
}

#[grad]
fn plate(w: f64, h: f64, lambda: f64) -> f64 {
    w * h / lambda
}

#[grad(f)]
fn rcs(f: f64, w: &f64, h: &f64) -> f64 {
    plate(*w, *h, f)
}

#[test]
fn locals_assigned_later_from_each_other_and_numbers_behind_references() {
    for r in [0.5, 2.0, 7.0] {
        let (value, d) = h0f_like_grad(r);
        assert_eq!(value, h0f_like(r));
        assert!((d - central(h0f_like, r)).abs() < 1e-7);
    }
    let (value, d_f) = rcs_grad(2.0, &1.0, &3.0);
    assert_eq!((value, d_f), (1.5, -0.75));
}

/// A cumulative comoving distance (midpoint rule), the function's result.
#[grad]
fn cumulative_distance(om: f64, dz: f64, n: usize) -> Vec<f64> {
    (0..n)
        .scan(0.0, |acc, i| {
            let z = (i as f64 + 0.5) * dz;
            *acc += dz / (om * (1.0 + z).powi(3) + 1.0 - om).sqrt();
            Some(*acc)
        })
        .collect()
}

/// A cumulative trapezoid bound to a local, its state named like a local read after it.
#[grad]
fn trapezoid_total(y: &[f64], h: f64) -> f64 {
    let acc = 2.0;
    let c: Vec<f64> = y
        .windows(2)
        .scan(0.0, |acc: &mut f64, w| {
            *acc += 0.5 * h * (w[0] + w[1]);
            Some(*acc)
        })
        .collect();
    c.iter().sum::<f64>() * acc
}

#[test]
fn a_running_value_collected() {
    let (om, dz, n) = (0.3, 0.1, 5);
    let values = cumulative_distance(om, dz, n);
    let d_out = [0.5, -1.0, 0.0, 2.0, 1.0];
    let (mut d_om, mut d_dz) = (0.0, 0.0);
    let got = cumulative_distance_adjoint(om, dz, n, &d_out, &mut d_om, &mut d_dz);
    assert_eq!(got, values);
    let f = |v: [f64; 2]| {
        let c = cumulative_distance(v[0], v[1], n);
        [c.iter().zip(&d_out).map(|(a, b)| a * b).sum::<f64>()]
    };
    check_pullback(f, [om, dz], [1.0], [d_om, d_dz]);
    let y = [1.0, 2.0, 0.5, -1.0];
    let (value, (d_y, d_h)) = trapezoid_total_grad(&y, 0.25);
    assert_eq!(value, trapezoid_total(&y, 0.25));
    let f = |v: [f64; 5]| [trapezoid_total(&v[..4], v[4])];
    check_pullback(
        f,
        [y[0], y[1], y[2], y[3], 0.25],
        [1.0],
        [d_y[0], d_y[1], d_y[2], d_y[3], d_h],
    );
}
