//! Forms that probes of public code found failing. Hand-written neural networks (shorelark's
//! `propagate(&self, inputs: Vec<f32>)`, layer structs holding their activation): an input
//! `Vec` taken by value as data and bound to another name before an iterator chain reads it
//! (`let output = input;`, moved by the generated code: it did not compile); a method called
//! on a `#[params(skip)]` field of a model (`self.activation.apply(z)`, an enum whose block
//! reads `self` as data), given the field's shadow (generated code that did not compile).
//! Generic numeric code (a Gauss-Legendre rule choosing its tables by order): a `let` whose
//! written type makes the branches' tables of different lengths one type (`let w: &[f64] =
//! if n == 2 { &[..2] } else { &[..3] };`), the type dropped (generated code that did not
//! compile). Gaussian splatting (gsplat-rs's projection of a splat's covariance): a model's
//! field bound to a `let` of no type and only handed on to calls (`let c00 = cov.xx;
//! quad(c00, c01)`), copied as if an array (rejected with a message about indices); a
//! function returning a matrix whose guard clause returns `[[0.0; 2]; 2]` before a local
//! matrix (rejected: the result was taken for a vector). Physically based rendering
//! (rs_pbrt's microfacet distributions behind an enum): a `#[grad]` method called on what a
//! data enum's arm binds (`if let Distrib::Beckmann(d) = dist { d.d(w) }`, enum dispatch),
//! taken for a number (rejected as a method without a derivative). Optimal transport and
//! sorting networks (fynch's comparator lists): a `for` loop over what a plain function returns
//! (`for (a, b) in pairs(n)`, a `Vec`), collected as if an iterator (generated code that did
//! not compile). Structural design codes (emsdesign's Eurocode 3 module): an inner
//! `#![allow(..)]` at the top of a body, copied onto the generated items as an inner attribute
//! (did not compile); a getter of data passed to a `#[grad]` function (`phi(curve.alpha(),
//! lambda)`), given no shadow (did not compile); a variant lent to a call (`f_y(fy,
//! &LimitState::K)`), taken for a float constant (rejected at compile time). Time series
//! (augurs' ETS): a data enum compared with a variant behind `&` (`if kind == &Kind::Mul`),
//! the `&` dropped (did not compile); a local `Option` assigned what a function returning
//! one gives (`b = updated_growth(b, v);`), rejected. Image processing (a contrast over a
//! ragged `Vec<Vec<f64>>` image): a count summed over a chain on a differentiated array
//! (`img.iter().map(|r| r.len()).sum::<usize>()`), taken for a float sum (did not compile).
//! Magnetotellurics (the Wait recursion on complex impedances as `(re, im)`): a mutable tuple a
//! call starts (`let mut z: (f64, f64) = cmul(a, b); z = cmul(z, z);`), rejected as not
//! assignable. Signal detection (per-category bounds of a rating ROC): a deferred `let` of a
//! tuple of names without a type (`let (lo, hi);`), rejected. Geodesy (the `geodesy` crate's
//! `horner`): a reversed iterator kept in a local (`let mut it = c.iter().rev(); let mut
//! value = *it.next().unwrap(); for c in it { .. }`), rejected. Pipe networks (epanet-rs's
//! `Pipe::resistance`): a `match` on a model's `#[params(skip)]` enum field that is not `Copy`
//! (`match p.formula { .. }`), moved out by the generated code (did not compile); `l.q.abs()`
//! of a link's flow in a sequence of link models, rejected as if the field were an array; a
//! model whose field a `matches!` asks about (`matches!(p.formula, ..)`), taken for an enum
//! (data: "finds nothing to differentiate"). The fuzzer (seed 20261478): a model's field read
//! only as an argument, passed twice to one call (`h(self.a0, self.a0)`), given a second
//! accumulator of a shape a number has not (did not compile). Seed 20261482: a sub-model and
//! a number of the same model lent to one call (`h1(&self.inner, self.a0)`), the number's
//! shadow passed as `&mut` of its `Option` (did not compile) where the model is also lent whole.

mod common;

use autodiff::{grad, Params};
use common::{assert_close, assert_matches_fd, Rng};

#[grad(w)]
fn weighted_sum(w: &[f64], input: Vec<f64>) -> f64 {
    let output = input;
    output.iter().zip(w).map(|(a, b)| a * b).sum()
}

#[test]
fn a_vec_taken_by_value_as_data_bound_to_another_name() {
    let (w, input) = (vec![0.5, -2.0, 1.5], vec![3.0, 4.0, -1.0]);
    let (value, d_w) = weighted_sum_grad(&w, input.clone());
    assert_close(value, 1.5 - 8.0 - 1.5, 1e-12);
    assert_eq!(d_w, input);
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Activation {
    Relu,
    Tanh,
    Sigmoid,
}

#[grad(modes(tangent))]
impl Activation {
    fn apply(&self, z: f64) -> f64 {
        match self {
            Activation::Relu => z.max(0.0),
            Activation::Tanh => z.tanh(),
            Activation::Sigmoid => 1.0 / (1.0 + (-z).exp()),
        }
    }
}

#[derive(Clone, Debug, Params)]
struct Layer {
    weights: Vec<f64>,
    bias: f64,
    #[params(skip)]
    activation: Activation,
}

#[grad(self, modes(tangent))]
impl Layer {
    fn forward(&self, x: &[f64]) -> f64 {
        let z: f64 = self.weights.iter().zip(x).map(|(w, v)| w * v).sum::<f64>() + self.bias;
        self.activation.apply(z)
    }
}

#[derive(Clone, Debug, Params)]
struct Network {
    layers: Vec<Layer>,
    head: Layer,
}

#[grad(self, modes(tangent))]
impl Network {
    fn score(&self, x: &[f64]) -> f64 {
        let mut hidden = Vec::new();
        for layer in &self.layers {
            hidden.push(layer.forward(x));
        }
        self.head.forward(&hidden)
    }
}

fn network(flat: &[f64]) -> Network {
    let layer = |k: usize, activation| Layer {
        weights: flat[3 * k..3 * k + 2].to_vec(),
        bias: flat[3 * k + 2],
        activation,
    };
    Network {
        layers: vec![layer(0, Activation::Tanh), layer(1, Activation::Relu)],
        head: layer(2, Activation::Sigmoid),
    }
}

fn flat(g: &Network) -> Vec<f64> {
    let mut out = Vec::new();
    for l in g.layers.iter().chain([&g.head]) {
        out.extend(&l.weights);
        out.push(l.bias);
    }
    out
}

#[test]
fn a_method_of_a_skipped_field_reads_it_as_data() {
    let mut rng = Rng::new(7);
    for _ in 0..20 {
        let p = rng.vec(9, -1.0, 1.0);
        let x = rng.vec(2, -2.0, 2.0);
        let net = network(&p);
        let (value, d_net) = net.score_grad(&x);
        assert_close(value, net.score(&x), 1e-15);
        // The skipped fields are copied into the gradient as they are.
        assert_eq!(d_net.head.activation, Activation::Sigmoid);
        let g = flat(&d_net);
        assert_matches_fd(&|q: &[f64]| network(q).score(&x), &p, &g, "network");
        // Forward mode agrees: the tangent along the model's own parameters.
        let direction = network(&rng.vec(9, -1.0, 1.0));
        let (_, tangent) = net.score_tangent(&x, &direction, autodiff::Const);
        let along: f64 = g.iter().zip(flat(&direction)).map(|(a, b)| a * b).sum();
        assert_close(tangent, along, 1e-12);
    }
}

#[grad]
fn gauss_legendre(x: f64, n: usize) -> f64 {
    let w: &[f64] = if n == 2 {
        &[1.0, 1.0]
    } else {
        &[5.0 / 9.0, 8.0 / 9.0, 5.0 / 9.0]
    };
    let (nodes, half): (&[f64], &[f64]) = match n {
        2 => (&[-0.577_350_269_189_625_8, 0.577_350_269_189_625_8], &[0.5]),
        _ => (
            &[-0.774_596_669_241_483_4, 0.0, 0.774_596_669_241_483_4],
            &[0.5, 0.5],
        ),
    };
    // ∫_0^x t² dt by the rule on [0, x]: exact for both orders.
    let mut sum = 0.0;
    for (wi, ti) in w.iter().zip(nodes) {
        let t = half[0] * x * (ti + 1.0);
        sum += wi * t * t;
    }
    half[0] * x * sum
}

#[test]
fn tables_chosen_by_a_branch_of_their_written_type() {
    for n in [2, 3] {
        for x in [0.5, 1.0, 2.5] {
            let (value, d_x) = gauss_legendre_grad(x, n);
            assert_close(value, x * x * x / 3.0, 1e-12);
            assert_close(d_x, x * x, 1e-12);
        }
    }
}

#[derive(Clone, Copy, Debug, Params)]
struct Covariance {
    xx: f64,
    xy: f64,
    yy: f64,
}

#[grad]
fn determinant(a: f64, b: f64, c: f64) -> f64 {
    a * c - b * b
}

#[grad]
fn conditioned(cov: &Covariance) -> f64 {
    let c00 = cov.xx;
    let c01 = cov.xy;
    let c11 = cov.yy;
    determinant(c00 + 0.3, c01, c11 + 0.3) * determinant(c00, c01, c11)
}

#[test]
fn a_field_under_another_name_handed_on() {
    let cov = Covariance {
        xx: 2.0,
        xy: 0.5,
        yy: 1.5,
    };
    let (value, d) = conditioned_grad(&cov);
    assert_close(value, conditioned(&cov), 1e-15);
    let at = |p: &[f64]| {
        conditioned(&Covariance {
            xx: p[0],
            xy: p[1],
            yy: p[2],
        })
    };
    assert_matches_fd(&at, &[2.0, 0.5, 1.5], &[d.xx, d.xy, d.yy], "conditioned");
}

#[grad]
#[allow(clippy::let_and_return)] // as gsplat-rs writes it
fn projected(a: f64, b: f64) -> [[f64; 2]; 2] {
    if a <= 0.0 {
        return [[0.0; 2]; 2];
    }
    let cov2 = [[a * a, b], [b, a + b]];
    cov2
}

#[test]
fn a_matrix_after_a_guard_clause() {
    let (mut d_a, mut d_b) = (0.0, 0.0);
    let value = projected_adjoint(2.0, 3.0, &[[1.0, 0.5], [2.0, 1.0]], &mut d_a, &mut d_b);
    assert_eq!(value, [[4.0, 3.0], [3.0, 5.0]]);
    // d/da: 2a * 1 + 1 * 1; d/db: 0.5 + 2 + 1.
    assert_close(d_a, 5.0, 1e-15);
    assert_close(d_b, 3.5, 1e-15);
    let (mut d_a, mut d_b) = (0.0, 0.0);
    let value = projected_adjoint(-1.0, 3.0, &[[1.0; 2]; 2], &mut d_a, &mut d_b);
    assert_eq!((value, d_a, d_b), ([[0.0; 2]; 2], 0.0, 0.0));
}

#[derive(Clone, Debug, Params)]
struct Microfacet {
    alpha_x: f64,
    alpha_y: f64,
}

#[grad(self, w)]
impl Microfacet {
    fn d(&self, w: &[f64; 3]) -> f64 {
        let tan2 = (w[0] * w[0] / (self.alpha_x * self.alpha_x)
            + w[1] * w[1] / (self.alpha_y * self.alpha_y))
            / (w[2] * w[2]);
        1.0 / (1.0 + tan2).powi(2)
    }
}

/// Reads `self` as data: a bare `#[grad]` on its block.
struct Lambert {
    albedo: f64,
}

#[grad]
impl Lambert {
    fn f(&self, w: &[f64; 3]) -> f64 {
        self.albedo * w[2].max(0.0)
    }
}

enum Distribution {
    Beckmann(Microfacet),
    TrowbridgeReitz(Microfacet),
    Diffuse(Lambert),
}

#[grad(w)]
fn dispatched(dist: &Distribution, w: &[f64; 3]) -> f64 {
    match dist {
        Distribution::Beckmann(d) => d.d(w),
        Distribution::TrowbridgeReitz(d) => 0.5 * d.d(w),
        Distribution::Diffuse(l) => l.f(w),
    }
}

#[grad(w)]
fn beckmann_only(dist: &Distribution, w: &[f64; 3]) -> f64 {
    if let Distribution::Beckmann(d) = dist {
        d.d(w)
    } else {
        0.0
    }
}

#[test]
fn methods_on_what_a_data_enum_binds() {
    let facet = || Microfacet {
        alpha_x: 0.3,
        alpha_y: 0.6,
    };
    let w = [0.2, -0.4, 0.8];
    for dist in [
        Distribution::Beckmann(facet()),
        Distribution::TrowbridgeReitz(facet()),
        Distribution::Diffuse(Lambert { albedo: 0.7 }),
    ] {
        let (value, d_w) = dispatched_grad(&dist, &w);
        assert_close(value, dispatched(&dist, &w), 1e-15);
        let at = |x: &[f64]| dispatched(&dist, &[x[0], x[1], x[2]]);
        assert_matches_fd(&at, &w, &d_w, "dispatched");
        let (value, d_w) = beckmann_only_grad(&dist, &w);
        assert_close(value, beckmann_only(&dist, &w), 1e-15);
        let at = |x: &[f64]| beckmann_only(&dist, &[x[0], x[1], x[2]]);
        assert_matches_fd(&at, &w, &d_w, "beckmann_only");
    }
}

struct Warp {
    k: f64,
}

#[grad]
impl Warp {
    fn apply(&self, x: f64) -> f64 {
        self.k * x.sin()
    }
}

/// A struct of data bound inside a branch, its method called there (once rejected: now
/// what the arm binds in `dispatched` is too).
#[grad]
fn warped(x: f64, c: bool) -> f64 {
    if c {
        let w = Warp { k: 2.0 };
        w.apply(x)
    } else {
        x
    }
}

#[test]
fn a_method_of_a_struct_bound_in_a_branch() {
    for x in [-0.7, 0.4, 1.9] {
        assert_eq!(warped_grad(x, true), (2.0 * x.sin(), 2.0 * x.cos()));
        assert_eq!(warped_grad(x, false), (x, 1.0));
    }
}

fn comparators(n: usize) -> Vec<(usize, usize)> {
    (0..n.saturating_sub(1)).map(|i| (i, i + 1)).collect()
}

fn reversed(n: usize) -> Vec<usize> {
    (0..n).rev().collect()
}

#[grad]
fn adjacent_products(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for (a, b) in comparators(x.len()) {
        s += x[a] * x[b];
    }
    for i in reversed(x.len()) {
        s += 0.5 * x[i] * x[i];
    }
    s
}

#[test]
fn a_loop_over_a_vec_a_plain_function_returns() {
    let x = [1.0, -2.0, 3.0, 0.5];
    let (value, d_x) = adjacent_products_grad(&x);
    assert_close(value, adjacent_products(&x), 1e-15);
    assert_matches_fd(&adjacent_products, &x, &d_x, "adjacent_products");
}

#[grad]
fn imperfection(alpha: f64, lambda: f64) -> f64 {
    #![allow(clippy::suboptimal_flops)]
    0.5 * (1.0 + alpha * (lambda - 0.2) + lambda.powi(2))
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum BuckleCurve {
    A,
    B,
}

impl BuckleCurve {
    fn alpha(&self) -> f64 {
        match self {
            BuckleCurve::A => 0.21,
            BuckleCurve::B => 0.34,
        }
    }
}

#[derive(Clone, Copy)]
enum LimitState {
    K,
    D,
}

#[grad(fy)]
fn yield_strength(fy: f64, state: &LimitState) -> f64 {
    match state {
        LimitState::K => fy,
        LimitState::D => fy / 1.05,
    }
}

#[grad(lambda, fy)]
fn reduction(lambda: f64, fy: f64, curve: &BuckleCurve) -> f64 {
    let phi = imperfection(curve.alpha(), lambda);
    let multiplicative = if curve == &BuckleCurve::B { 2.0 } else { 1.0 };
    multiplicative * yield_strength(fy, &LimitState::D)
        / (phi + (phi * phi - lambda * lambda).sqrt())
        + yield_strength(fy, &LimitState::K)
}

#[test]
fn design_code_getters_variants_and_attributes() {
    let (value, d_alpha) = imperfection_grad(0.3, 1.2);
    assert_close(value, 1.37, 1e-12);
    assert_close(d_alpha.0, 0.5, 1e-12);
    for curve in [BuckleCurve::A, BuckleCurve::B] {
        let p = [0.8, 235.0];
        let (value, (d_lambda, d_fy)) = reduction_grad(p[0], p[1], &curve);
        assert_close(value, reduction(p[0], p[1], &curve), 1e-12);
        let at = |q: &[f64]| reduction(q[0], q[1], &curve);
        assert_matches_fd(&at, &p, &[d_lambda, d_fy], "reduction");
    }
}

#[grad]
fn updated_growth(b: f64, r: f64) -> Option<f64> {
    if r < 0.0 {
        return None;
    }
    Some(b + 0.5 * (r - b))
}

#[grad]
fn damped_trend(b0: f64, y: &[f64]) -> f64 {
    let mut b = Some(b0);
    let mut s = 0.0;
    for &v in y {
        if let Some(bb) = b {
            s += bb * v;
            b = updated_growth(bb, v);
        }
    }
    s
}

#[test]
fn an_option_assigned_from_a_call() {
    for y in [[1.0, 2.0, -1.0, 3.0], [0.5, 1.5, 2.0, 0.25]] {
        let p = [0.5, y[0], y[1], y[2], y[3]];
        let (value, (d_b0, d_y)) = damped_trend_grad(p[0], &y);
        assert_close(value, damped_trend(p[0], &y), 1e-15);
        let at = |q: &[f64]| damped_trend(q[0], &q[1..]);
        let g: Vec<f64> = [d_b0].into_iter().chain(d_y).collect();
        assert_matches_fd(&at, &p, &g, "damped_trend");
    }
}

#[grad]
fn contrast(img: &[Vec<f64>]) -> f64 {
    let n = img.iter().map(|r| r.len()).sum::<usize>();
    let rows: usize = img.iter().map(|_| 1).sum();
    let mean = img.iter().flatten().sum::<f64>() / n as f64;
    let mut var = 0.0;
    for row in img {
        for &v in row {
            var += (v - mean) * (v - mean);
        }
    }
    (var / n as f64).sqrt() * rows as f64
}

#[test]
fn a_count_summed_over_a_differentiated_chain() {
    let img = vec![vec![0.2, 0.9, 0.4], vec![0.7], vec![0.1, 0.5]];
    let (value, d_img) = contrast_grad(&img);
    assert_close(value, contrast(&img), 1e-15);
    let flat: Vec<f64> = img.iter().flatten().copied().collect();
    let at = |p: &[f64]| contrast(&[p[..3].to_vec(), p[3..4].to_vec(), p[4..].to_vec()]);
    let g: Vec<f64> = d_img.iter().flatten().copied().collect();
    assert_matches_fd(&at, &flat, &g, "contrast");
}

#[grad]
fn cmul(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
}

#[grad]
fn impedance(x: f64, depth: usize) -> f64 {
    let mut z: (f64, f64) = cmul((x, 1.0), (x, 1.0));
    for _ in 0..depth {
        z = cmul(z, (0.5, x));
    }
    let mut w = cmul(z, z);
    w = (w.0 * x, w.1);
    z.0 + w.0 - w.1
}

#[grad]
fn category_width(x: f64, first: bool) -> f64 {
    let (lo, hi);
    if first {
        lo = 0.0;
        hi = x;
    } else {
        lo = x;
        hi = 2.0 * x * x;
    }
    hi - lo
}

#[test]
fn mutable_tuples_a_call_starts_and_deferred_tuple_lets() {
    for x in [0.3, 0.7, 1.4] {
        let (value, d_x) = impedance_grad(x, 3);
        assert_close(value, impedance(x, 3), 1e-15);
        assert_matches_fd(&|p: &[f64]| impedance(p[0], 3), &[x], &[d_x], "impedance");
        assert_eq!(category_width_grad(x, true), (x, 1.0));
        assert_close(category_width_grad(x, false).1, 4.0 * x - 1.0, 1e-15);
    }
}

#[grad]
fn horner(arg: f64, coefficients: &[f64]) -> f64 {
    let mut it = coefficients.iter().rev();
    let mut value = *it.next().unwrap();
    for c in it {
        value = value.mul_add(arg, *c);
    }
    value + 0.5 * *coefficients.iter().rev().nth(1).unwrap()
}

#[test]
fn a_reversed_iterator_kept_in_a_local() {
    let c = [1.0, 3.0, 5.0, -2.0];
    for x in [-1.5, 0.5, 2.0] {
        let (value, (d_x, d_c)) = horner_grad(x, &c);
        assert_close(value, horner(x, &c), 1e-15);
        let p = [x, c[0], c[1], c[2], c[3]];
        let g: Vec<f64> = [d_x].into_iter().chain(d_c).collect();
        assert_matches_fd(&|q: &[f64]| horner(q[0], &q[1..]), &p, &g, "horner");
    }
}

#[derive(Debug, Clone, PartialEq)] // not `Copy`
enum HeadlossFormula {
    HazenWilliams,
    DarcyWeisbach,
}

#[derive(Clone, Debug, Params)]
struct Pipe {
    diameter: f64,
    roughness: f64,
    #[params(skip)]
    formula: HeadlossFormula,
}

#[grad]
fn resistance(p: &Pipe) -> f64 {
    match p.formula {
        HeadlossFormula::HazenWilliams => {
            10.67 * p.roughness.powf(-1.852) * p.diameter.powf(-4.871)
        }
        HeadlossFormula::DarcyWeisbach => 0.0826 * p.roughness * p.diameter.powi(-5),
    }
}

#[grad]
fn darcy_weisbach_only(p: &Pipe) -> f64 {
    if matches!(p.formula, HeadlossFormula::DarcyWeisbach) {
        0.0826 * p.roughness * p.diameter.powi(-5)
    } else {
        0.0
    }
}

#[test]
fn a_match_on_a_skipped_enum_field_that_is_not_copy() {
    for formula in [
        HeadlossFormula::HazenWilliams,
        HeadlossFormula::DarcyWeisbach,
    ] {
        let pipe = |q: &[f64]| Pipe {
            diameter: q[0],
            roughness: q[1],
            formula: formula.clone(),
        };
        let p = [0.3, 120.0];
        let (value, d) = resistance_grad(&pipe(&p));
        assert_close(value, resistance(&pipe(&p)), 1e-15);
        assert_eq!(d.formula, formula);
        assert_matches_fd(
            &|q: &[f64]| resistance(&pipe(q)),
            &p,
            &[d.diameter, d.roughness],
            "resistance",
        );
        let (_, d) = darcy_weisbach_only_grad(&pipe(&p));
        let g = [d.diameter, d.roughness];
        let at = |q: &[f64]| darcy_weisbach_only(&pipe(q));
        assert_matches_fd(&at, &p, &g, "darcy_weisbach_only");
    }
}

#[derive(Clone, Debug, Params)]
struct Link {
    r: f64,
    q: f64,
}

#[derive(Clone, Debug, Params)]
struct Network2 {
    links: Vec<Link>,
}

#[grad]
fn content_energy(net: &Network2) -> f64 {
    let mut e = 0.0;
    for l in &net.links {
        e += l.r * l.q.abs() * l.q.signum() * l.q;
    }
    e
}

#[test]
fn abs_and_signum_of_a_field_of_a_sequence_item() {
    let net = Network2 {
        links: vec![Link { r: 2.0, q: -3.0 }, Link { r: 0.5, q: 4.0 }],
    };
    let (value, d) = content_energy_grad(&net);
    assert_close(value, content_energy(&net), 1e-15);
    let at = |p: &[f64]| {
        content_energy(&Network2 {
            links: vec![Link { r: p[0], q: p[1] }, Link { r: p[2], q: p[3] }],
        })
    };
    let g = [d.links[0].r, d.links[0].q, d.links[1].r, d.links[1].q];
    assert_matches_fd(&at, &[2.0, -3.0, 0.5, 4.0], &g, "content_energy");
}

#[grad]
fn product(x: f64, y: f64) -> f64 {
    x * y.sin()
}

#[derive(Clone, Debug, Params)]
struct Twice {
    a: f64,
    b: f64,
}

#[grad(self)]
impl Twice {
    fn value(&self) -> f64 {
        product(self.a, self.a) + product(self.b, 2.0)
    }
}

#[test]
fn a_field_passed_twice_to_one_call() {
    let m = Twice { a: 0.7, b: -1.2 };
    let (value, d) = m.value_grad();
    assert_close(value, m.value(), 1e-15);
    assert_close(d.a, 0.7f64.sin() + 0.7 * 0.7f64.cos(), 1e-15);
    assert_close(d.b, 2.0f64.sin(), 1e-15);
}

#[derive(Clone, Debug, Params)]
struct Scaled {
    a: f64,
    inner: Twice,
}

#[grad]
fn shifted(l: &Twice, x: f64) -> f64 {
    (x + l.a).sin() * l.b
}

#[grad]
fn whole(m: &Scaled) -> f64 {
    m.inner.b * m.inner.b
}

#[grad(self)]
impl Scaled {
    fn value(&self) -> f64 {
        // (`self.a` only handed on: a field of a type the function does not see; `self`
        // lent whole too, which makes its fields' shadows projections of its own)
        shifted(&self.inner, self.a) + whole(self)
    }
}

#[test]
fn a_sub_model_and_a_number_of_one_model_lent_to_one_call() {
    let m = Scaled {
        a: 0.4,
        inner: Twice { a: -0.3, b: 1.7 },
    };
    let (value, d) = m.value_grad();
    assert_close(value, m.value(), 1e-15);
    let at = |p: &[f64]| {
        Scaled {
            a: p[0],
            inner: Twice { a: p[1], b: p[2] },
        }
        .value()
    };
    assert_matches_fd(
        &at,
        &[0.4, -0.3, 1.7],
        &[d.a, d.inner.a, d.inner.b],
        "scaled",
    );
}
