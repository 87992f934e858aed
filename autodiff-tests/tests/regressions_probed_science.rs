//! Forms of scientific code copied from public crates (astronomy's series tables, rating
//! systems, curve geometry) that a probe found failing to compile or rejected, each the
//! minimal form of its class: a `const` table of structs that are not `Copy` iterated with
//! `.iter()` (VSOP87-style terms, astro-rust: its items were moved out, E0508 inside the
//! generated code); a reduction of a closure over the items of a sequence of sub-models
//! through `.enumerate()`, `.skip(n)`, `.rev()` or a slice (the n-body energy of the
//! Benchmarks Game: `bodies.iter().enumerate().fold(..)` around `bodies[i + 1..].iter()
//! .fold(..)`), whose items were taken for structs a call returned and rejected; and a
//! `push` in a loop whose inner loop has a `continue` (MINPACK's Broyden banded function, as
//! Moré-Garbow-Hillstrom's test set writes it), rejected as if the push could be skipped;
//! and a skipped count of a model converted to its float (`let nf = self.n as f64;`, rv's
//! binomial log-density) handed to a function of data, which was called as differentiated
//! (`ln_binom_adjoint` not found, inside the generated code); `rows[0].is_empty()` and
//! `.capacity()` of a differentiated matrix (a CTC loss's guard, RustQuant's trees), rejected
//! as methods without a derivative; and
//! a model built from the arrays calls return and lent to a call (a pose graph's `Pose {
//! rotation, translation }`), its arrays taken for numbers (E0308 inside the generated code);
//! and a skipped dimension compared with an integer literal (`if self.dim > 4`, russell's
//! `Tensor2`), typed a float (E0308 inside the generated code); and a struct of data bound
//! in a loop that sits in a branch and passed to a call (rust-bio's HMM `forward`: `let s =
//! State(k);` in the loop of its first step), rejected as bound in the branch; and a table of
//! a struct the function declares (astro-rust's `nutation`: `struct terms(i8, .., i32);`,
//! `for x in terms_for_nutation.iter()`), its items taken for numbers and their fields
//! rejected; and a model's float field bound to a local that is also truncated to an integer
//! (`let t = m.t; .. (t as i64) as f64 ..`, sgp4's propagator), taken for an integer field:
//! its derivative was silently zero; and a model parameter shadowed by its own field (`let
//! t = t.0;` of sgp4's `t: MinutesSinceEpoch`) read in a condition, where the generated code
//! read the struct (E0369 inside the generated code); and a `match` on an enum of one
//! variant (sgp4's `Method` built without deep space), whose generated code warned of
//! unreachable patterns (an error under `#![deny(warnings)]`, which CI's clippy run is);
//! and a skipped count of a model passed to a call (`matvec(&w.w_z, x, w.input_dim)` of a
//! GRU written from scratch), given a shadow argument (E0061 inside the generated code); and
//! a local vector made by a function of no differentiated input (`let mut h = init_hidden();`)
//! and overwritten by differentiated values, whose `_adjoint` the reverse sweep called
//! (`init_hidden_adjoint` not found); and IAPWS-IF97's coefficient tables of tuples handed to a
//! helper that reads them as data (`poly(pi, tau, &IJn)`: `_adjoint_with_data` not generated,
//! inside the generated code; `let t: &[(i32, f64)] = &IJN;`: given a shadow argument); and a
//! function returning an array that ends with what does not state the array's length (a
//! quaternion's `conjugate(q).map(|c| c / n2)`, SO(3)'s `if near_zero { jl0 } else { jl }`),
//! rejected though the return type states it; and a name bound to the array a call returns,
//! then shadowed by the number another returns (del-geo's `let s0 = cross(..); let s0 =
//! norm(&s0);`), taken for an array at both; and a `let` of a block whose value is the vector
//! a call returns (an LSTM's `let cell_state = { let fg = ..; let ig = ..; vec_add(&fg, &ig)
//! };`), taken for a number; and the Jacobian of a function taking a closure of a type it is
//! generic over (spectral-norm's `mult<F: Fn(usize, usize) -> f64>`), which cloned it
//! (`F: Clone` not satisfied, inside the generated code); and a helper brought in by a `use`
//! inside the function (`use crate::vec3::{dot, cross};`, del-msh), whose `_adjoint` that
//! `use` does not name (not found, inside the generated code); and a deferred `let` of a
//! tuple, its parts assigned later (RustQuant's `let (u, d, p, dt, Df): (f64, ..);`); and a
//! row of a local matrix assigned a local bound to what a call returns (`let h_out =
//! layer(..); h_new[l] = h_out;`, a stacked GRU), the local taken for a number.

use autodiff::gradcheck::check_params_gradient;
use autodiff::{grad, Params};
use num_traits::Float;

/// One term `a cos(b + c τ)` of a truncated VSOP87 series; not `Copy`, as astro-rust's are
/// not.
pub struct Term {
    a: f64,
    b: f64,
    c: f64,
}

const L0: [Term; 2] = [
    Term {
        a: 1.75e8,
        b: 0.0,
        c: 0.0,
    },
    Term {
        a: 3.3e6,
        b: 4.669,
        c: 6283.07,
    },
];

#[grad]
fn series(tau: f64) -> f64 {
    let mut s = 0.0;
    for t in L0.iter() {
        s += t.a * (t.b + t.c * tau).cos();
    }
    s
}

#[grad]
fn series_by_chain(tau: f64) -> f64 {
    L0.iter().map(|t| t.a * (t.b + t.c * tau).cos()).sum()
}

#[test]
fn a_table_of_terms_that_are_not_copy() {
    for tau in [-0.2, 0.0, 0.3, 1.7] {
        let slope: f64 = L0
            .iter()
            .map(|t| -t.a * t.c * (t.b + t.c * tau).sin())
            .sum();
        let (value, d) = series_grad(tau);
        assert_eq!(value, series(tau));
        assert!(
            (d - slope).abs() <= 1e-12 * slope.abs().max(1.0),
            "{d} vs {slope}"
        );
        let (value, d) = series_by_chain_grad(tau);
        assert_eq!(value, series(tau));
        assert!(
            (d - slope).abs() <= 1e-12 * slope.abs().max(1.0),
            "{d} vs {slope}"
        );
    }
}

#[derive(Clone, Debug, Params)]
pub struct Body {
    x: [f64; 3],
    v: [f64; 3],
    mass: f64,
}

#[derive(Clone, Debug, Params)]
pub struct System {
    bodies: Vec<Body>,
}

/// The Benchmarks Game's n-body `energy`, as written there over `bodies: &[Body]`, here the
/// model's field.
#[grad(sys)]
fn energy(sys: &System) -> f64 {
    sys.bodies.iter().enumerate().fold(0.0, |e, (i, bi)| {
        let e = e + bi.mass * (bi.v[0] * bi.v[0] + bi.v[1] * bi.v[1] + bi.v[2] * bi.v[2]) / 2.0;
        sys.bodies[i + 1..].iter().fold(e, |e, bj| {
            let dx = bi.x[0] - bj.x[0];
            let dy = bi.x[1] - bj.x[1];
            let dz = bi.x[2] - bj.x[2];
            e - bi.mass * bj.mass / (dx * dx + dy * dy + dz * dz).sqrt()
        })
    })
}

#[grad(sys)]
fn weighted(sys: &System) -> f64 {
    let by_index: f64 = sys
        .bodies
        .iter()
        .enumerate()
        .map(|(i, b)| b.mass * b.x[0] * (i + 1) as f64)
        .sum();
    let tail: f64 = sys.bodies.iter().skip(1).map(|b| b.v[1] * b.v[1]).sum();
    let last_first = sys
        .bodies
        .iter()
        .rev()
        .fold(1.0, |p, b| p * b.mass + b.x[2]);
    let masses: f64 = sys.bodies[1..].iter().map(|b| b.mass).product();
    let mut kinetic = 0.0;
    sys.bodies
        .iter()
        .skip(2)
        .for_each(|b| kinetic += b.mass * b.v[0] * b.v[0]);
    by_index + tail + last_first + masses + kinetic
}

#[test]
fn reductions_over_the_items_of_a_sequence_of_sub_models() {
    let body = |s: f64| Body {
        x: [0.4 * s, -1.1 + s, 0.3 * s * s],
        v: [0.2 - s, 0.5 * s, -0.7],
        mass: 1.0 + 0.3 * s,
    };
    let sys = System {
        bodies: (0..5).map(|k| body(k as f64 * 0.9 - 1.3)).collect(),
    };
    let (value, d_sys) = energy_grad(&sys);
    assert_eq!(value, energy(&sys));
    check_params_gradient(energy, &sys, &d_sys).assert_ok();
    // The force on body 0 along x is -dE/dx: the sum of m0 mj (x0 - xj) / r^3 with the sign.
    let b0 = &sys.bodies[0];
    let pull: f64 = sys.bodies[1..]
        .iter()
        .map(|bj| {
            let d = [0, 1, 2].map(|k| b0.x[k] - bj.x[k]);
            let r = (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt();
            b0.mass * bj.mass * d[0] / (r * r * r)
        })
        .sum();
    assert!((d_sys.bodies[0].x[0] - pull).abs() < 1e-12 * pull.abs().max(1.0));
    let (value, d_sys) = weighted_grad(&sys);
    assert_eq!(value, weighted(&sys));
    check_params_gradient(weighted, &sys, &d_sys).assert_ok();
}

#[derive(Clone, Debug, Params)]
pub struct Cell<T: Float> {
    w: [T; 2],
}

#[derive(Clone, Debug, Params)]
pub struct Chain<T: Float> {
    cells: Vec<Cell<T>>,
}

impl<T: Float + std::iter::Sum> Chain<T> {
    /// A sum over enumerated items in a model generic over its float type, which starts
    /// from `T::zero()`.
    #[grad(self)]
    fn ramp(&self) -> T {
        self.cells
            .iter()
            .enumerate()
            .map(|(i, c)| c.w[0] * c.w[1] * T::from(i + 1).unwrap())
            .sum()
    }
}

#[test]
fn a_sum_over_enumerated_items_of_a_generic_model() {
    let chain = Chain {
        cells: vec![Cell { w: [0.5, -1.5] }, Cell { w: [2.0, 0.25] }],
    };
    let (value, d) = chain.ramp_grad();
    assert_eq!(value, 0.5 * -1.5 + 2.0 * 0.25 * 2.0);
    assert_eq!(d.cells[0].w, [-1.5, 0.5]);
    assert_eq!(d.cells[1].w, [0.5, 4.0]);
    let chain32 = Chain {
        cells: vec![Cell { w: [0.5f32, -1.5] }, Cell { w: [2.0, 0.25] }],
    };
    assert_eq!(chain32.ramp_grad().1.cells[1].w, [0.5, 4.0]);
}

/// Moré, Garbow and Hillstrom's Broyden banded function, its residuals pushed: the inner
/// loop's `continue` skips a term, never the push.
#[allow(clippy::needless_range_loop)] // as the test set writes it
#[grad]
fn broyden_banded(x: &[f64]) -> f64 {
    let n = x.len();
    let mut f = Vec::with_capacity(n);
    for i in 0..n {
        let mut sum = 0.0;
        let lo = i.saturating_sub(5);
        let hi = (i + 1).min(n - 1);
        for j in lo..=hi {
            if i == j {
                continue;
            }
            sum += x[j] * (1.0 + x[j]);
        }
        f.push(x[i] * (2.0 + 5.0 * x[i] * x[i]) + 1.0 - sum);
    }
    f.iter().map(|&fi| fi.powi(2)).sum()
}

#[test]
fn a_push_after_an_inner_loop_that_continues() {
    let x: Vec<f64> = (0..9).map(|k| -1.0 + 0.17 * k as f64).collect();
    let (value, d) = broyden_banded_grad(&x);
    assert_eq!(value, broyden_banded(&x));
    // 2 J^T r, with J of the residuals written out.
    let n = x.len();
    let band = |i: usize, j: usize| j + 5 >= i && j <= i + 1 && j < n;
    let r: Vec<f64> = (0..n)
        .map(|i| {
            let sum: f64 = (0..n)
                .filter(|&j| j != i && band(i, j))
                .map(|j| x[j] * (1.0 + x[j]))
                .sum();
            x[i] * (2.0 + 5.0 * x[i] * x[i]) + 1.0 - sum
        })
        .collect();
    for k in 0..n {
        let expected: f64 = (0..n)
            .map(|i| {
                let jac = if i == k {
                    2.0 + 15.0 * x[k] * x[k]
                } else if band(i, k) {
                    -(1.0 + 2.0 * x[k])
                } else {
                    0.0
                };
                2.0 * r[i] * jac
            })
            .sum();
        assert!(
            (d[k] - expected).abs() < 1e-12 * expected.abs().max(1.0),
            "{k}"
        );
    }
}

/// `ln C(n, k)`, a function of data with no derivative.
fn ln_binom(n: f64, k: f64) -> f64 {
    (0..k as u64)
        .map(|i| ((n - i as f64) / (k - i as f64)).ln())
        .sum()
}

#[derive(Clone, Debug, Params)]
pub struct Binomial {
    #[params(skip)]
    n: u64,
    p: f64,
}

impl Binomial {
    /// rv's `ln_f` of a binomial, as written there (with `k` by value).
    #[grad(self)]
    fn ln_f(&self, k: u32) -> f64 {
        let nf = self.n as f64;
        let kf = k as f64;
        ln_binom(nf, kf) + self.p.ln() * kf + (1.0 - self.p).ln() * (nf - kf)
    }
}

#[test]
fn a_count_converted_and_handed_to_a_function_of_data() {
    let b = Binomial { n: 10, p: 0.3 };
    let (value, d) = b.ln_f_grad(4);
    assert_eq!(value, b.ln_f(4));
    assert!((value.exp() - 210.0 * 0.3f64.powi(4) * 0.7f64.powi(6)).abs() < 1e-12);
    // the score: k / p - (n - k) / (1 - p)
    assert!((d.p - (4.0 / 0.3 - 6.0 / 0.7)).abs() < 1e-12);
}

/// The last log-probability of the first row, guarded as a CTC loss guards its input.
#[grad]
fn last_of_first_row(rows: &[Vec<f64>]) -> f64 {
    let k = if !rows[0].is_empty() {
        rows[0].len() - 1
    } else {
        0
    };
    // (no further than its capacity, as RustQuant bounds its trees)
    rows[0][k.min(rows[0].capacity() - 1)] * rows[1][0]
}

#[test]
fn a_row_tested_for_emptiness() {
    let rows = vec![vec![1.5, 2.5], vec![3.0]];
    let (value, d) = last_of_first_row_grad(&rows);
    assert_eq!(value, 7.5);
    assert_eq!(d, vec![vec![0.0, 3.0], vec![2.5]]);
}

#[derive(Clone, Copy, Debug, Params)]
pub struct Pose {
    rotation: [f64; 2],
    translation: [f64; 3],
}

#[grad]
fn pose_cost(t: &Pose) -> f64 {
    t.translation[0] * t.rotation[0] + t.translation[2] * t.rotation[1]
}

#[grad]
fn doubled(a: [f64; 3]) -> [f64; 3] {
    [2.0 * a[0], 2.0 * a[1], 2.0 * a[2]]
}

#[grad]
fn turned(a: f64) -> [f64; 2] {
    [a.cos(), a.sin()]
}

/// A pose composed of what two calls return, then lent whole.
#[grad]
fn composed(t: &[f64; 3], angle: f64) -> f64 {
    let rotation = turned(angle);
    let translation = doubled(*t);
    let err = Pose {
        rotation,
        translation,
    };
    pose_cost(&err)
}

#[test]
fn a_model_built_from_arrays_calls_return() {
    let (t, a) = ([0.5, -1.0, 2.0], 0.3f64);
    let (value, (d_t, d_a)) = composed_grad(&t, a);
    assert_eq!(value, composed(&t, a));
    assert_eq!(value, 2.0 * t[0] * a.cos() + 2.0 * t[2] * a.sin());
    assert_eq!(d_t, [2.0 * a.cos(), 0.0, 2.0 * a.sin()]);
    let slope = -2.0 * t[0] * a.sin() + 2.0 * t[2] * a.cos();
    assert!((d_a - slope).abs() < 1e-15);
}

/// russell's `Tensor2` in Mandel components: 4 in 2D, 6 in 3D.
#[derive(Clone, Debug, Params)]
pub struct Tensor2 {
    vec: Vec<f64>,
    #[params(skip)]
    dim: usize,
}

impl Tensor2 {
    /// The Frobenius norm, as russell writes it.
    #[grad(self)]
    fn norm(&self) -> f64 {
        let mut sum = self.vec[0] * self.vec[0]
            + self.vec[1] * self.vec[1]
            + self.vec[2] * self.vec[2]
            + self.vec[3] * self.vec[3];
        if self.dim > 4 {
            sum += self.vec[4] * self.vec[4] + self.vec[5] * self.vec[5];
        }
        f64::sqrt(sum)
    }
}

#[test]
fn a_dimension_compared_with_an_integer() {
    for dim in [4, 6] {
        let t = Tensor2 {
            vec: vec![1.0, -2.0, 0.5, 3.0, 1.5, -1.0][..dim].to_vec(),
            dim,
        };
        let (value, d) = t.norm_grad();
        let norm = t.vec.iter().map(|v| v * v).sum::<f64>().sqrt();
        assert!((value - norm).abs() < 1e-15);
        for (g, v) in d.vec.iter().zip(&t.vec) {
            assert!((g - v / norm).abs() < 1e-15);
        }
    }
}

/// An HMM state, as rust-bio wraps its index.
#[derive(Clone, Copy)]
pub struct State(usize);

#[grad(log_init)]
fn initial(log_init: &[f64], s: State) -> f64 {
    log_init[s.0]
}

/// The log-likelihood of the first step of a forward pass, rust-bio's shape: the first
/// observation starts from the initial distribution, the others are skipped here.
#[grad(log_init)]
fn first_step(log_init: &[f64], emit: &[f64], obs: &[usize]) -> f64 {
    let mut total = 0.0;
    for (i, &o) in obs.iter().enumerate() {
        if i == 0 {
            let mut sum = 0.0;
            for k in 0..log_init.len() {
                let s = State(k);
                sum += (initial(log_init, s) + emit[k * 2 + o]).exp();
            }
            total += sum.ln();
        }
    }
    total
}

#[test]
fn a_struct_of_data_bound_in_a_loop_in_a_branch() {
    let log_init = [0.2f64.ln(), 0.5f64.ln(), 0.3f64.ln()];
    let emit = [-0.1, -2.0, -0.7, -0.4, -1.2, -0.3];
    let (value, d) = first_step_grad(&log_init, &emit, &[1, 0]);
    let terms: Vec<f64> = (0..3)
        .map(|k| (log_init[k] + emit[k * 2 + 1]).exp())
        .collect();
    let sum: f64 = terms.iter().sum();
    assert!((value - sum.ln()).abs() < 1e-15);
    for k in 0..3 {
        // the posterior of the state
        assert!((d[k] - terms[k] / sum).abs() < 1e-15);
    }
}

/// astro-rust's nutation in longitude, its table cut to three terms: the multiples of the
/// fundamental arguments (D, M, M', F, Ω) and the coefficients in 0.0001", as written there.
#[allow(non_camel_case_types)]
#[grad]
fn nutation_in_longitude(jc: f64) -> f64 {
    struct terms(i8, i8, i8, i8, i8, i32, i32);
    let terms_for_nutation = [
        terms(0, 0, 0, 0, 1, -171996, -1742),
        terms(-2, 0, 0, 2, 2, -13187, -16),
        terms(0, 0, 0, 2, 2, -2274, -2),
    ];
    let d = (297.85036 + 445267.11148 * jc).to_radians();
    let m = (357.52772 + 35999.05034 * jc).to_radians();
    let m1 = (134.96298 + 477198.867398 * jc).to_radians();
    let f = (93.27191 + 483202.017538 * jc).to_radians();
    let om = (125.04452 - 1934.136261 * jc).to_radians();
    let mut nut_in_long = 0.0;
    for x in terms_for_nutation.iter() {
        let arg = (x.0 as f64) * d
            + (x.1 as f64) * m
            + (x.2 as f64) * m1
            + (x.3 as f64) * f
            + (x.4 as f64) * om;
        nut_in_long += ((x.5 as f64) + (x.6 as f64) * jc / 10.0) * arg.sin();
    }
    nut_in_long / 10000.0
}

#[test]
fn a_table_of_a_struct_the_function_declares() {
    // Each term's argument is a line in jc: its slope is the multiples times the rates.
    let rates = [
        445267.11148,
        35999.05034,
        477198.867398,
        483202.017538,
        -1934.136261f64,
    ]
    .map(f64::to_radians);
    let starts = [297.85036, 357.52772, 134.96298, 93.27191, 125.04452f64].map(f64::to_radians);
    let terms: [([f64; 5], f64, f64); 3] = [
        ([0.0, 0.0, 0.0, 0.0, 1.0], -171996.0, -1742.0),
        ([-2.0, 0.0, 0.0, 2.0, 2.0], -13187.0, -16.0),
        ([0.0, 0.0, 0.0, 2.0, 2.0], -2274.0, -2.0),
    ];
    for jc in [-0.3, 0.0, 0.17] {
        let (value, slope) = nutation_in_longitude_grad(jc);
        assert_eq!(value, nutation_in_longitude(jc));
        let expected: f64 = terms
            .iter()
            .map(|(k, c, cj)| {
                let arg: f64 = (0..5).map(|i| k[i] * (starts[i] + rates[i] * jc)).sum();
                let darg: f64 = (0..5).map(|i| k[i] * rates[i]).sum();
                (cj / 10.0 * arg.sin() + (c + cj * jc / 10.0) * arg.cos() * darg) / 10000.0
            })
            .sum();
        assert!(
            (slope - expected).abs() < 1e-9 * expected.abs(),
            "{slope} vs {expected}"
        );
    }
}

#[derive(Clone, Copy, Debug, Params)]
pub struct Epoch {
    minutes: f64,
}

/// Whole days and the fraction of a day, sgp4's way: the local is truncated, and read as the
/// float it is.
#[grad(m)]
fn day_fraction(m: &Epoch) -> f64 {
    let t = m.minutes;
    let days = (t / 1440.0) as i64;
    let whole = days as f64;
    t / 1440.0 - whole + 0.5 * t * t / 1440.0
}

#[grad(m)]
fn sampled(m: &Epoch, table: &[f64]) -> f64 {
    let t = m.minutes;
    table[t as usize] * t
}

#[test]
fn a_float_field_bound_to_a_local_that_is_truncated() {
    let m = Epoch { minutes: 2000.0 };
    let (value, d) = day_fraction_grad(&m);
    assert_eq!(value, day_fraction(&m));
    assert_eq!(d.minutes, 1.0 / 1440.0 + 2000.0 / 1440.0);
    let m = Epoch { minutes: 2.5 };
    let (value, d) = sampled_grad(&m, &[1.0, 2.0, 3.0, 4.0]);
    assert_eq!((value, d.minutes), (7.5, 3.0));
}

#[derive(Clone, Copy, Debug, Params)]
pub struct MinutesSinceEpoch(f64);

#[grad]
fn drag_term(bstar: f64, t: MinutesSinceEpoch) -> f64 {
    let t = t.0;
    assert!(t.is_finite(), "t is not finite");
    if t < 1e9 {
        bstar * t * t
    } else {
        0.0
    }
}

#[test]
fn a_model_shadowed_by_its_own_field() {
    let (value, (d_bstar, d_t)) = drag_term_grad(0.1, MinutesSinceEpoch(2.0));
    assert_eq!(value, drag_term(0.1, MinutesSinceEpoch(2.0)));
    assert_eq!((d_bstar, d_t.0), (4.0, 0.4));
}

/// sgp4's propagation method, built without its deep-space variant.
pub enum Method {
    NearEarth { a0: f64, k2: f64 },
}

#[grad(t)]
fn near_earth(method: &Method, t: f64) -> f64 {
    let (a, k) = match method {
        Method::NearEarth { a0, k2 } => (*a0 * t, *k2),
    };
    a * k
}

#[test]
fn a_match_on_an_enum_of_one_variant() {
    let method = Method::NearEarth { a0: 2.0, k2: 3.0 };
    assert_eq!(near_earth_grad(&method, 1.5), (9.0, 6.0));
}

#[derive(Clone, Debug, Params)]
pub struct Gate {
    w_z: Vec<f64>,
    #[params(skip)]
    input_dim: usize,
}

/// Row `row` of a row-major matrix times `x`.
#[grad(w, x)]
fn matvec_row(w: &[f64], x: &[f64], row: usize, input_dim: usize) -> f64 {
    let mut s = 0.0;
    for j in 0..input_dim {
        s += w[row * input_dim + j] * x[j];
    }
    s
}

#[grad(g, x)]
fn update_gate(g: &Gate, x: &[f64]) -> f64 {
    let z0 = matvec_row(&g.w_z, x, 0, g.input_dim);
    let z1 = matvec_row(&g.w_z, x, 1, g.input_dim);
    1.0 / (1.0 + (-(z0 + z1)).exp())
}

#[test]
fn a_skipped_count_passed_to_a_call() {
    let g = Gate {
        w_z: vec![0.5, -0.25, 1.0, 0.75],
        input_dim: 2,
    };
    let x = [0.4, -0.8];
    let (value, (d_g, d_x)) = update_gate_grad(&g, &x);
    assert_eq!(value, update_gate(&g, &x));
    let s = value * (1.0 - value);
    assert!((d_x[0] - s * (0.5 + 1.0)).abs() < 1e-15);
    assert!((d_x[1] - s * (-0.25 + 0.75)).abs() < 1e-15);
    assert!((d_g.w_z[2] - s * x[0]).abs() < 1e-15);
}

/// The initial hidden state, a function of data with no derivative.
fn init_hidden(n: usize) -> Vec<f64> {
    vec![0.5; n]
}

#[grad(w)]
fn unrolled(w: &[f64], steps: usize) -> f64 {
    let mut h = init_hidden(2);
    for _ in 0..steps {
        let mut next = vec![0.0; 2];
        for i in 0..2 {
            next[i] = (w[i] * h[i] + w[2]).tanh();
        }
        h = next;
    }
    h[0]
}

#[test]
fn a_state_made_by_a_function_of_data_then_overwritten() {
    let w = [0.5, 0.3, 0.2];
    let (value, d) = unrolled_grad(&w, 3);
    assert_eq!(value, unrolled(&w, 3));
    // h0 <- tanh(w0 h0 + w2) three times from 0.5, by forward differentiation by hand
    let (mut h, mut dh_w0, mut dh_w2) = (0.5f64, 0.0, 0.0);
    for _ in 0..3 {
        let next = (w[0] * h + w[2]).tanh();
        let s = 1.0 - next * next;
        (dh_w0, dh_w2) = (s * (h + w[0] * dh_w0), s * (w[0] * dh_w2 + 1.0));
        h = next;
    }
    assert!((value - h).abs() < 1e-15);
    assert!((d[0] - dh_w0).abs() < 1e-15 && (d[2] - dh_w2).abs() < 1e-15);
    assert_eq!(d[1], 0.0);
}

mod if97 {
    use autodiff::grad;

    /// IF97's sum `Σ n (π)^I (τ)^J` over a table of `(I, J, n)`, as RustSEUIF97 writes it.
    #[allow(non_snake_case)]
    #[grad(vi, vj)]
    pub fn poly_powi(vi: f64, vj: f64, IJn: &[(i32, i32, f64)]) -> f64 {
        let mut value: f64 = 0.0;
        for e in IJn {
            value += e.2 * vi.powi(e.0) * vj.powi(e.1);
        }
        value
    }
}
use if97::{poly_powi, poly_powi_adjoint_with_data};

#[allow(non_upper_case_globals)]
const IJn: [(i32, i32, f64); 2] = [(1, 1, 0.15736404855259e-2), (2, 3, 0.22440037409485e-5)];

#[grad]
fn gamma_r_region5(pi: f64, tau: f64) -> f64 {
    poly_powi(pi, tau, &IJn)
}

const IN: [(i32, f64); 2] = [(1, 0.5), (2, 0.25)];

#[grad(x)]
fn power_series(x: f64, c: &[(i32, f64)]) -> f64 {
    let mut v = 0.0;
    for &(power, coefficient) in c {
        v += coefficient * x.powi(power);
    }
    v
}

#[grad]
fn series_of_table(x: f64) -> f64 {
    let t: &[(i32, f64)] = &IN;
    power_series(x, t)
}

#[test]
fn tables_of_tuples_handed_to_a_helper() {
    let (pi, tau) = (0.5, 0.7);
    let (value, (d_pi, d_tau)) = gamma_r_region5_grad(pi, tau);
    let [(_, _, a), (_, _, b)] = IJn;
    assert!((value - (a * pi * tau + b * pi * pi * tau.powi(3))).abs() < 1e-18);
    assert!((d_pi - (a * tau + 2.0 * b * pi * tau.powi(3))).abs() < 1e-18);
    assert!((d_tau - (a * pi + 3.0 * b * pi * pi * tau * tau)).abs() < 1e-18);
    assert_eq!(
        series_of_table_grad(2.0),
        (0.5 * 2.0 + 0.25 * 4.0, 0.5 + 0.5 * 2.0)
    );
}

#[grad(modes(jacobian, tangent))]
fn conjugate(q: &[f64; 4]) -> [f64; 4] {
    [q[0], -q[1], -q[2], -q[3]]
}

/// sophus's quaternion inverse.
#[grad(modes(jacobian))]
fn inverse(q: &[f64; 4]) -> [f64; 4] {
    let n2 = q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3];
    conjugate(q).map(|c| c * (1.0 / n2))
}

/// A Jacobian of SO(3) with its small-angle branch, cut to one entry.
#[grad(modes(jacobian))]
fn left_jacobian(omega: [f64; 3]) -> [[f64; 3]; 3] {
    let theta_sq = omega[0] * omega[0] + omega[1] * omega[1] + omega[2] * omega[2];
    let id = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    let mut jl0 = id;
    jl0[0][1] = -0.5 * omega[2];
    let mut jl = id;
    jl[0][1] = -omega[2].sin() / theta_sq.sqrt();
    if theta_sq <= 1e-6 {
        jl0
    } else {
        jl
    }
}

#[test]
fn an_array_result_whose_length_the_return_type_states() {
    let q = [0.5, -1.0, 2.0, 0.25];
    let n2: f64 = q.iter().map(|v| v * v).sum();
    let (value, j) = inverse_jacobian(&q);
    assert_eq!(value, [0.5 / n2, 1.0 / n2, -2.0 / n2, -0.25 / n2]);
    // d(q0 / n2) / dq1 = -2 q0 q1 / n2^2
    assert!((j[0][1] - (-2.0 * q[0] * q[1] / (n2 * n2))).abs() < 1e-15);
    let (value, j) = left_jacobian_jacobian([1e-4, 0.0, 2e-4]);
    assert_eq!(value[0][1], -0.5 * 2e-4);
    assert_eq!(j[0][1], [0.0, 0.0, -0.5]);
    let (value, j) = left_jacobian_jacobian([0.3, 0.0, 0.4]);
    assert!((value[0][1] + 0.4f64.sin() / 0.5).abs() < 1e-15);
    // d/dw0 of -sin(w2) / |w| = sin(w2) w0 / |w|^3
    assert!((j[0][1][0] - 0.4f64.sin() * 0.3 / 0.125).abs() < 1e-14);
}

#[grad]
fn cross(a: &[f64; 3], b: &[f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

#[grad]
fn norm(a: &[f64; 3]) -> f64 {
    (a[0] * a[0] + a[1] * a[1] + a[2] * a[2]).sqrt()
}

#[grad]
fn dot3(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// del-geo's `tri3::angle` between two edges, as written there.
#[grad]
fn angle(v10: &[f64; 3], v12: &[f64; 3]) -> f64 {
    let s0 = cross(v10, v12);
    let s0 = norm(&s0);
    let c0 = dot3(v10, v12);
    s0.atan2(c0)
}

#[test]
fn an_array_shadowed_by_a_number() {
    let (a, b) = ([1.0, 0.0, 0.0], [0.6, 0.8, 0.0]);
    let (value, (d_a, d_b)) = angle_grad(&a, &b);
    assert!((value - 0.8f64.atan2(0.6)).abs() < 1e-15);
    // the angle turns away from each edge along the other's perpendicular
    assert!((d_a[1] - (-1.0)).abs() < 1e-15 && (d_b[0] - (-0.8)).abs() < 1e-15);
    assert!((d_b[1] - 0.6).abs() < 1e-15 && d_a[2].abs() < 1e-15);
}

#[grad]
fn hadamard(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b.iter()).map(|(x, y)| x * y).collect()
}

#[grad]
fn vec_add(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b.iter()).map(|(x, y)| x + y).collect()
}

/// An LSTM's cell state over two steps, its update a block, as the one found writes it.
#[grad(f, i)]
fn cell(f: &[f64], i: &[f64], c_prev: &[f64], g: &[f64]) -> f64 {
    let mut c = c_prev.to_vec();
    for _ in 0..2 {
        let cell_state = {
            let fg = hadamard(f, &c);
            let ig = hadamard(i, g);
            vec_add(&fg, &ig)
        };
        c = cell_state.clone();
    }
    c.iter().sum()
}

#[test]
fn a_vector_a_block_ends_with() {
    let (f, i, c0, g) = ([0.5, 0.2], [0.1, 0.3], [1.0, -1.0], [0.4, 0.6]);
    let (value, (d_f, d_i)) = cell_grad(&f, &i, &c0, &g);
    assert!((value - 0.486).abs() < 1e-15);
    // c2 = f (f c0 + i g) + i g
    for k in 0..2 {
        assert!((d_f[k] - (2.0 * f[k] * c0[k] + i[k] * g[k])).abs() < 1e-15);
        assert!((d_i[k] - (f[k] * g[k] + g[k])).abs() < 1e-15);
    }
}

/// spectral-norm's product by a matrix given as a function of its indices, cut to a diagonal.
#[grad(v, modes(jacobian))]
fn scaled<F>(v: &[f64], a: F) -> Vec<f64>
where
    F: Fn(usize) -> f64,
{
    let mut out = vec![0.0; v.len()];
    for i in 0..v.len() {
        out[i] = v[i] / a(i);
    }
    out
}

#[test]
fn the_jacobian_of_a_function_of_a_closure() {
    let (value, j) = scaled_jacobian(&[1.0, 2.0], |i| i as f64 + 1.0);
    assert_eq!(value, vec![1.0, 1.0]);
    assert_eq!(j, vec![vec![1.0, 0.0], vec![0.0, 0.5]]);
}

mod vec3 {
    use autodiff::grad;

    #[grad(modes(tangent))]
    pub fn dot(a: &[f64; 3], b: &[f64; 3]) -> f64 {
        a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
    }

    #[grad(modes(tangent))]
    pub fn scale(a: &[f64; 3], s: f64) -> [f64; 3] {
        [a[0] * s, a[1] * s, a[2] * s]
    }
}

#[grad(modes(tangent))]
fn length_of_scaled(a: &[f64; 3], s: f64) -> f64 {
    use crate::vec3::{dot, scale as scaled};
    let b = scaled(a, s);
    dot(&b, &b).sqrt()
}

#[test]
fn helpers_brought_in_inside_the_function() {
    let (a, s) = ([1.0, 2.0, 2.0], 2.0);
    let (value, (d_a, d_s)) = length_of_scaled_grad(&a, s);
    assert_eq!(value, 6.0);
    // s a / |a|
    assert_eq!(d_a, [2.0 / 3.0, 4.0 / 3.0, 4.0 / 3.0]);
    assert_eq!(d_s, 3.0);
    let (_, tangent) = length_of_scaled_tangent(&a, s, &[0.0; 3], 1.0);
    assert_eq!(tangent, 3.0);
}

/// The up and down moves of RustQuant's Cox-Ross-Rubinstein tree, declared as it declares
/// them.
#[allow(non_snake_case)]
#[grad]
fn crr_spread(v: f64, t: f64, n: usize) -> f64 {
    let (u, d, dt, Df): (f64, f64, f64, f64);
    dt = t / n as f64;
    u = (v * dt.sqrt()).exp();
    d = 1.0 / u;
    Df = (-0.01 * dt).exp();
    (u - d) * Df
}

#[test]
fn a_deferred_let_of_a_tuple() {
    let (v, t, n) = (0.3f64, 0.5f64, 10);
    let (value, (d_v, d_t)) = crr_spread_grad(v, t, n);
    assert_eq!(value, crr_spread(v, t, n));
    let dt = t / n as f64;
    let (a, df) = (v * dt.sqrt(), (-0.01 * dt).exp());
    // (e^a - e^-a) Df with a = v sqrt(dt): d/dv = 2 cosh(a) sqrt(dt) Df
    assert!((d_v - 2.0 * a.cosh() * dt.sqrt() * df).abs() < 1e-14);
    let d_dt = 2.0 * a.cosh() * v / (2.0 * dt.sqrt()) * df - 0.01 * 2.0 * a.sinh() * df;
    assert!((d_t - d_dt / n as f64).abs() < 1e-14);
}

#[grad]
fn tanh_layer(w: &[f64], h: &[f64]) -> Vec<f64> {
    w.iter().zip(h).map(|(a, b)| (a * b).tanh()).collect()
}

/// Two stacked layers of states, each step's rows made by a call, as the GRU found does.
#[grad(w)]
fn stacked(w: &[f64], steps: usize) -> f64 {
    let mut h_prev: Vec<Vec<f64>> = vec![vec![0.5; 2]; 2];
    for _ in 0..steps {
        let mut h_new: Vec<Vec<f64>> = vec![vec![0.0; 2]; 2];
        for l in 0..2 {
            let h_out = tanh_layer(w, &h_prev[l]);
            h_new[l] = h_out;
        }
        h_prev = h_new;
    }
    h_prev[1][0]
}

#[test]
fn a_row_assigned_what_a_call_returned() {
    let w = [0.5, 0.3];
    let (value, d) = stacked_grad(&w, 3);
    // h <- tanh(w0 h) three times from 0.5, differentiated forward by hand
    let (mut h, mut dh) = (0.5f64, 0.0);
    for _ in 0..3 {
        let next = (w[0] * h).tanh();
        dh = (1.0 - next * next) * (h + w[0] * dh);
        h = next;
    }
    assert!((value - h).abs() < 1e-15 && (d[0] - dh).abs() < 1e-15);
    assert_eq!(d[1], 0.0);
}

/// A geostatistics service's `semivariance`: an early return, then numbers of a data struct
/// bound to locals and passed to a `#[grad]` model in nested branches. The branch that copies
/// the data exported the copy as a number, the branch around it as an `Option` it did not
/// wrap (E0308 inside the generated code).
mod variogram {
    use autodiff::grad;

    pub struct Variogram {
        pub nugget: f64,
        pub sill: f64,
        pub model: u8,
    }

    #[grad]
    pub fn scaled(h: f64, c: f64) -> f64 {
        h * c
    }

    #[grad(lag)]
    pub fn semivariance(v: &Variogram, lag: f64) -> f64 {
        if lag <= 0.0 {
            return 0.0;
        }
        let Variogram { nugget, sill, .. } = *v;
        if lag > 1.0 {
            if lag > 2.0 {
                scaled(lag, nugget) * lag
            } else {
                0.5 * scaled(lag, sill)
            }
        } else {
            match v.model {
                0 => scaled(lag * lag, nugget),
                _ => lag,
            }
        }
    }
}

#[test]
fn a_copy_of_data_exported_through_nested_branches_is_wrapped_where_it_leaves_the_copy() {
    use variogram::*;
    let v = Variogram {
        nugget: 0.3,
        sill: -0.7,
        model: 0,
    };
    for (lag, slope) in [
        (-1.0, 0.0),
        (0.5, 2.0 * 0.5 * 0.3),
        (1.5, 0.5 * -0.7),
        (2.5, 2.0 * 2.5 * 0.3),
    ] {
        let (value, grad) = semivariance_grad(&v, lag);
        assert_eq!(value, semivariance(&v, lag));
        assert!(
            (grad - slope).abs() < 1e-15,
            "{lag}: {grad} against {slope}"
        );
    }
}

/// A kinetics and thermochemistry module's forms: a NASA polynomial's coefficient set chosen
/// by temperature as a reference (`let a: &[f64; 3] = if t < s.t_mid { &s.low } else {
/// &s.high };`, rejected as an array chosen between calls), and a loop over a `Vec` field of
/// an item of a data parameter bound to a local (`let rxn = &mech.reactions[i]; for &(_k,
/// nu) in &rxn.products`, rejected as an unknown iterator).
mod thermo {
    use autodiff::grad;

    pub struct Species {
        pub t_mid: f64,
        pub low: [f64; 3],
        pub high: [f64; 3],
    }

    #[grad(t)]
    pub fn cp_over_r(s: &Species, t: f64) -> f64 {
        let a: &[f64; 3] = if t < s.t_mid { &s.low } else { &s.high };
        a[0] + t * (a[1] + t * a[2])
    }

    pub struct Reaction {
        pub products: Vec<(usize, f64)>,
    }

    pub struct Mechanism {
        pub reactions: Vec<Reaction>,
    }

    #[grad(t)]
    pub fn products_rate(mech: &Mechanism, rxn_idx: usize, t: f64) -> f64 {
        let rxn = &mech.reactions[rxn_idx];
        let mut acc = 0.0_f64;
        for &(_k, nu) in &rxn.products {
            acc += nu * t * t;
        }
        acc
    }
}

#[test]
fn coefficients_chosen_by_reference_and_items_of_data_fields() {
    use thermo::*;
    let s = Species {
        t_mid: 1000.0,
        low: [1.0, 2.0, 3.0],
        high: [0.5, 0.25, 0.125],
    };
    assert_eq!(cp_over_r_grad(&s, 2.0), (17.0, 14.0));
    assert_eq!(
        cp_over_r_grad(&s, 2000.0),
        (0.5 + 500.0 + 500_000.0, 0.25 + 500.0)
    );
    let mech = Mechanism {
        reactions: vec![
            Reaction { products: vec![] },
            Reaction {
                products: vec![(0, 1.0), (1, 2.0)],
            },
        ],
    };
    assert_eq!(products_rate_grad(&mech, 1, 2.0), (12.0, 12.0));
    assert_eq!(products_rate_grad(&mech, 0, 2.0), (0.0, 0.0));
}

/// Hill-type muscle models name their float constants and fields with words that also name
/// sizes (`FL_WIDTH`, `F_MAX`, `force_length_width`): taken for integers and passed with no
/// shadow (E0277, then E0061 inside the generated code). Such a word names a size only when
/// the name says nothing else (`N`, `MAX_DEPTH`, `N_MAX`).
mod muscle {
    use autodiff::grad;

    pub const FL_WIDTH: f64 = 0.56;
    pub const F_MAX: f64 = 2.0;

    #[grad]
    pub fn gauss(x: f64, width: f64) -> f64 {
        (-(x * x) / (width * width)).exp()
    }

    #[grad]
    pub fn force(l: f64) -> f64 {
        F_MAX * gauss(l - 1.0, FL_WIDTH) + gauss(l, F_MAX)
    }

    pub struct Model {
        pub force_length_width: f64,
    }

    #[grad]
    impl Model {
        pub fn active(&self, l: f64) -> f64 {
            gauss(l - 1.0, self.force_length_width)
        }
    }

    pub struct Image {
        pub data: Vec<u8>,
    }

    impl Image {
        pub fn pixel(&self, i: usize) -> u8 {
            self.data[i]
        }

        /// An image registration's nearest-pixel guard: the differentiated `x` reaches the
        /// call only as an index (`x.round() as usize`), so the call reads data (the image was
        /// taken for float data and rejected as `u8`).
        #[grad(x)]
        pub fn sample(&self, x: f64) -> f64 {
            if x < 1.0 {
                return f64::from(self.pixel(x.round() as usize)) * x;
            }
            x * 2.0
        }
    }
}

#[test]
fn float_constants_named_like_sizes_and_indices_computed_from_floats() {
    use muscle::*;
    let l = 1.2;
    let (value, d_l) = force_grad(l);
    let g = |x: f64, w: f64| (-(x * x) / (w * w)).exp();
    let dg = |x: f64, w: f64| -2.0 * x / (w * w) * g(x, w);
    assert!((value - (F_MAX * g(l - 1.0, FL_WIDTH) + g(l, F_MAX))).abs() < 1e-15);
    assert!((d_l - (F_MAX * dg(l - 1.0, FL_WIDTH) + dg(l, F_MAX))).abs() < 1e-14);
    let m = Model {
        force_length_width: 0.56,
    };
    let (_, d_l) = m.active_grad(l);
    assert!((d_l - dg(l - 1.0, 0.56)).abs() < 1e-14);
    let image = Image {
        data: vec![7, 9, 11],
    };
    assert_eq!(image.sample_grad(0.7), (9.0 * 0.7, 9.0));
    assert_eq!(image.sample_grad(1.5), (3.0, 2.0));
}
