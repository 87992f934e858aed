//! Forms that probes of public code in more areas found failing. Chemical kinetics
//! (Matthias-Fauconneau/combustion): names a pattern binds that are capitalized as physics
//! writes them (`Some(T)`, `Troe { A, T3 }`), taken for constants and dropped (generated code
//! that did not compile); a capitalized constant inside a pattern still matches its value
//! only; a model destructured in a parameter's place (`&RateConstant { log_a, beta, ea }:
//! &RateConstant`) or a `let` (`let &RateConstant { .. } = rate;`); a row of a data struct's
//! table chosen by an `if` inside the index (`&self.c[if t < 1000.0 { 0 } else { 1 }]`).
//! Hydrology (FAO-56's solar declination from the day of year): a float a plain function
//! returns from integers (`let decl = declination(day);`), passed to a `#[grad]` function,
//! taken for an integer (no shadow: generated code that did not compile). Queueing (an M/M/c
//! model's server count beside its rates): a model's integer field read as an exponent
//! (`r.powi(q.servers)`) or compared with a conversion to an integer (`(n as i32) <
//! q.servers`), taken for a float (generated code that did not compile).
//! Packed and sparse storage (a CSR walk): a running index declared without a type and
//! assigned later from a row pointer (`let mut k; .. k = indptr[i]; .. data[k]`), rejected
//! as a `let` of no type.
//! Audio (fundsp's shaper): a clip range's bounds a variant binds as `min` and `max`,
//! passed to a call, taken for sizes by their names (generated code that did not compile).
//! Recommender systems (BPR and hinge losses over sampled pairs, LambdaRank's NDCG@k):
//! a closure's parameter of stated type (`|(p, n): (usize, usize)|`, a macro panic), the
//! indices a closure takes apart from a slice of index pairs passed to a call (taken for
//! float data), and a parameter `k: Option<usize>` passed on, taken for an integer by its name
//! though the signature writes its type.

#![allow(non_snake_case)] // physics' names, as the sources write them
mod common;

use autodiff::grad;
use common::assert_matches_fd;

#[grad(p)]
fn arrhenius_at(p: &[f64; 2], t_opt: Option<f64>) -> f64 {
    if let Some(T) = t_opt {
        p[0] * (-p[1] / T).exp()
    } else {
        p[0]
    }
}

#[derive(Clone, Copy)]
pub struct Troe {
    pub A: f64,
    pub T3: f64,
}

pub enum Falloff {
    Elementary,
    Troe { k0: f64, troe: Troe },
}

#[grad(x)]
fn falloff_rate(x: f64, model: &Falloff) -> f64 {
    match model {
        Falloff::Elementary => x,
        Falloff::Troe {
            k0,
            troe: Troe { A, T3 },
        } => x * k0 * A + (-x / T3).exp(),
    }
}

const LIMIT: usize = 2;

pub struct Setting {
    pub n: usize,
    pub scale: Option<f64>,
}

/// `LIMIT` inside the pattern is the constant: the arm is taken for `n == 2` only.
#[grad(x)]
fn limited(x: f64, setting: &Setting) -> f64 {
    match setting {
        Setting {
            n: LIMIT,
            scale: Some(s),
        } => x * s * LIMIT as f64,
        Setting { scale: Some(s), .. } => x.sin() * s,
        _ => x,
    }
}

#[test]
fn capitalized_names_bound_by_patterns_are_bindings() {
    let p = [1.3, 2.0];
    let (v, g) = arrhenius_at_grad(&p, Some(3.0));
    assert_eq!(v, arrhenius_at(&p, Some(3.0)));
    assert_matches_fd(
        &|p: &[f64]| arrhenius_at(&[p[0], p[1]], Some(3.0)),
        &p,
        &g,
        "Some(T)",
    );
    assert_eq!(arrhenius_at_grad(&p, None), (1.3, [1.0, 0.0]));

    let troe = Falloff::Troe {
        k0: 2.0,
        troe: Troe { A: 0.5, T3: 4.0 },
    };
    let (v, d) = falloff_rate_grad(1.5, &troe);
    assert!((v - (1.5 + (-0.375f64).exp())).abs() < 1e-14);
    assert!((d - (1.0 - 0.25 * (-0.375f64).exp())).abs() < 1e-14);
    assert_eq!(falloff_rate_grad(1.5, &Falloff::Elementary), (1.5, 1.0));
}

fn setting(n: usize, scale: Option<f64>) -> Setting {
    Setting { n, scale }
}

#[test]
fn a_capitalized_constant_inside_a_pattern_matches_its_value_only() {
    assert_eq!(limited_grad(1.5, &setting(2, Some(3.0))), (9.0, 6.0));
    let (v, d) = limited_grad(1.5, &setting(3, Some(3.0)));
    assert_eq!(v, 1.5f64.sin() * 3.0);
    assert_eq!(d, 1.5f64.cos() * 3.0);
    assert_eq!(limited_grad(1.5, &setting(2, None)), (1.5, 1.0));
}

#[grad(w)]
fn typed_pair_params(w: &[f64], pairs: &[(usize, usize)]) -> f64 {
    let by_value = pairs
        .iter()
        .copied()
        .map(|(p, n): (usize, usize)| w[p] - w[n])
        .sum::<f64>();
    let by_reference = pairs
        .iter()
        .map(|&(p, n): &(usize, usize)| w[p] * w[n])
        .sum::<f64>();
    by_value + by_reference
}

#[grad(w)]
fn squared(w: &[f64], i: usize) -> f64 {
    w[i] * w[i]
}

#[grad(w)]
fn pairwise_margin(w: &[f64], pairs: &[(usize, usize)]) -> f64 {
    pairs
        .iter()
        .map(|&(p, n)| squared(w, p) - squared(w, n))
        .sum::<f64>()
}

#[grad(x)]
fn top_sum(x: &[f64], k: Option<usize>) -> f64 {
    let k = k.unwrap_or(x.len());
    x[..k].iter().sum()
}

#[grad(x)]
fn twice_top_sum(x: &[f64], k: Option<usize>) -> f64 {
    2.0 * top_sum(x, k)
}

#[test]
fn index_pairs_taken_apart_in_closures_are_indices() {
    let (w, pairs) = ([1.0, 2.0, 3.0], [(0, 1), (2, 0)]);
    // (w0 - w1 + w2 - w0) + (w0 w1 + w2 w0)
    assert_eq!(
        typed_pair_params_grad(&w, &pairs),
        (6.0, vec![5.0, 0.0, 2.0])
    );
    // w2^2 - w1^2
    assert_eq!(
        pairwise_margin_grad(&w, &pairs),
        (5.0, vec![0.0, -4.0, 6.0])
    );
}

#[test]
fn an_optional_size_parameter_is_passed_on_as_its_type_says() {
    assert_eq!(
        twice_top_sum_grad(&[1.0, 2.0, 3.0], Some(2)),
        (6.0, vec![2.0, 2.0, 0.0])
    );
    assert_eq!(twice_top_sum_grad(&[1.0, 2.0], None), (6.0, vec![2.0, 2.0]));
}

#[derive(Clone, Copy, Debug, autodiff::Params)]
pub struct RateConstant {
    pub log_a: f64,
    pub beta: f64,
    pub ea: f64,
}

#[grad]
fn log_arrhenius(&RateConstant { log_a, beta, ea }: &RateConstant, t: f64) -> f64 {
    log_a + beta * f64::ln(t) - ea * (1. / t)
}

#[grad(rate, t)]
fn log_arrhenius_let(rate: &RateConstant, t: f64) -> f64 {
    let &RateConstant { log_a, beta, ea } = rate;
    log_a + beta * f64::ln(t) - ea * (1. / t)
}

pub struct Nasa7 {
    pub c: [[f64; 7]; 2],
}

impl Nasa7 {
    #[grad(t)]
    pub fn specific_heat(&self, t: f64) -> f64 {
        let a = &self.c[if t < 1000. { 0 } else { 1 }];
        a[0] + a[1] * t + a[2] * t * t
    }
}

#[test]
fn a_model_destructured_by_reference_has_its_gradient() {
    let rate = RateConstant {
        log_a: 1.0,
        beta: 0.5,
        ea: 100.0,
    };
    let (v, (d_rate, d_t)) = log_arrhenius_grad(&rate, 300.0);
    assert_eq!(v, log_arrhenius(&rate, 300.0));
    assert_eq!((d_rate.log_a, d_rate.beta), (1.0, 300f64.ln()));
    assert!((d_rate.ea + 1.0 / 300.0).abs() < 1e-15);
    assert!((d_t - (0.5 / 300.0 + 100.0 / 90_000.0)).abs() < 1e-15);
    let (v_let, (d_let, d_t_let)) = log_arrhenius_let_grad(&rate, 300.0);
    assert_eq!((v_let, d_t_let), (v, d_t));
    assert_eq!(
        (d_let.log_a, d_let.beta, d_let.ea),
        (d_rate.log_a, d_rate.beta, d_rate.ea)
    );
}

#[test]
fn a_row_chosen_inside_the_index_is_read() {
    let table = Nasa7 {
        c: [
            [1.0, 0.1, 0.01, 0.0, 0.0, 0.0, 0.0],
            [2.0, 0.2, 0.02, 0.0, 0.0, 0.0, 0.0],
        ],
    };
    for t in [500.0, 1500.0] {
        let row = if t < 1000.0 { table.c[0] } else { table.c[1] };
        let (v, d) = table.specific_heat_grad(t);
        assert_eq!(v, table.specific_heat(t));
        assert!((d - (row[1] + 2.0 * row[2] * t)).abs() < 1e-12);
    }
}

/// A closure written out in code run as written (`g(1.5) as usize`) inside a `match` arm
/// that rebinds what it captured (`n =>`): it reads the `n` it captured (fuzz seed 20261469,
/// rejected as shadowed by a later `let`).
#[grad(x)]
fn arm_rebinds_a_capture(x: f64, n: usize) -> f64 {
    let g = |p: f64| p * (n as f64);
    match n % 2 {
        0 => x,
        n => {
            let m = (g(1.5) as usize) + n;
            x * m as f64
        }
    }
}

#[test]
fn a_closure_reads_what_it_captured_where_an_arm_rebinds_it() {
    assert_eq!(arm_rebinds_a_capture_grad(2.0, 3), (10.0, 5.0));
    assert_eq!(arm_rebinds_a_capture_grad(2.0, 4), (2.0, 1.0));
}

/// The same in a comparator, the capture a float a later `let` shadows (a UI test before:
/// rejected).
#[grad]
fn nearest_to_the_first_s(x: &[f64], s: f64) -> f64 {
    let distance = |i: usize| (x[i] - s).abs();
    let s = -2.0 * s;
    let k = (0..x.len())
        .min_by(|&a, &b| distance(a).total_cmp(&distance(b)))
        .unwrap();
    s * x[k]
}

#[test]
fn a_comparator_reads_what_its_closure_captured() {
    // Nearest to s = 1.0 is x[2] = 0.9 (nearest to -2.0 would be x[0]).
    let (v, (d_x, d_s)) = nearest_to_the_first_s_grad(&[-1.8, 3.0, 0.9], 1.0);
    assert_eq!(v, -2.0 * 0.9);
    assert_eq!(d_x, vec![0.0, 0.0, -2.0]);
    assert_eq!(d_s, -2.0 * 0.9);
}

#[grad]
fn scaled(a: f64, b: f64) -> f64 {
    a * b
}

fn declination(day: u16) -> f64 {
    0.409 * (2.0 * std::f64::consts::PI / 365.0 * f64::from(day) - 1.39).sin()
}

#[grad]
fn scaled_by_declination(x: f64, day: u16) -> f64 {
    let decl = declination(day);
    scaled(x, decl)
}

#[derive(Clone, Debug, autodiff::Params)]
pub struct Queue {
    pub r: f64,
    pub servers: i32,
}

#[grad]
fn power_of_servers(q: &Queue) -> f64 {
    q.r.powi(q.servers)
}

#[grad]
fn below_servers(q: &Queue, n: u32) -> f64 {
    if (n as i32) < q.servers {
        q.r
    } else {
        2.0 * q.r
    }
}

#[test]
fn a_float_from_integers_passed_on_has_a_shadow() {
    let decl = declination(172);
    assert_eq!(scaled_by_declination_grad(2.0, 172), (2.0 * decl, decl));
}

#[test]
fn a_models_integer_field_read_as_an_integer_is_data() {
    let q = Queue { r: 0.5, servers: 3 };
    let (v, d) = power_of_servers_grad(&q);
    assert_eq!((v, d.r), (0.125, 0.75));
    let (v, d) = below_servers_grad(&q, 2);
    assert_eq!((v, d.r), (0.5, 1.0));
    let (v, d) = below_servers_grad(&q, 3);
    assert_eq!((v, d.r), (1.0, 2.0));
}

#[grad(data)]
fn csr_row_maxima(indptr: &[usize], data: &[f64]) -> f64 {
    let mut k;
    let mut total = 0.0;
    for i in 0..indptr.len() - 1 {
        k = indptr[i];
        let mut m = f64::NEG_INFINITY;
        while k < indptr[i + 1] {
            m = m.max(data[k]);
            k += 1;
        }
        total += m;
    }
    total
}

#[grad(x)]
#[allow(clippy::needless_late_init)] // the form the probe found
fn first_indexed(idx: &[usize], x: &[f64]) -> f64 {
    let k;
    k = idx[0];
    x[k] * x[k]
}

#[test]
fn an_index_declared_first_and_assigned_later_is_an_integer() {
    assert_eq!(
        csr_row_maxima_grad(&[0, 2, 3], &[1.0, 3.0, 2.0]),
        (5.0, vec![0.0, 1.0, 1.0])
    );
    assert_eq!(first_indexed_grad(&[1], &[1.0, 2.0]), (4.0, vec![0.0, 4.0]));
}

#[derive(Clone, Copy)]
pub enum Shape {
    ClipTo(f64, f64),
    Tanh(f64),
}

#[grad]
fn clamp_to(x0: f64, x1: f64, x: f64) -> f64 {
    x.max(x0).min(x1)
}

#[grad(input)]
fn shaped(shape: Shape, input: f64) -> f64 {
    match shape {
        Shape::ClipTo(min, max) => clamp_to(min, max, input),
        Shape::Tanh(hardness) => (input * hardness).tanh(),
    }
}

#[test]
fn bounds_named_min_and_max_are_numbers() {
    assert_eq!(shaped_grad(Shape::ClipTo(-1.0, 1.0), 0.5), (0.5, 1.0));
    assert_eq!(shaped_grad(Shape::ClipTo(-1.0, 1.0), 2.0), (1.0, 0.0));
    let (v, d) = shaped_grad(Shape::Tanh(2.0), 0.5);
    assert_eq!(v, 1f64.tanh());
    assert!((d - 2.0 * (1.0 - v * v)).abs() < 1e-15);
}
