//! A struct or rows parameter is differentiated when `#[grad(..)]` lists it and data when it
//! leaves it out, so whether a function's `_adjoint` takes a shadow for it depends on an
//! attribute its callers cannot see. A caller passing such a parameter of its own whole goes
//! through the callee's `_with_data` item, which takes an argument for it either way: a
//! saliency map (`#[grad(x)]`) can call a model's `#[grad(self, x)]` forward pass, and a
//! caller reading rows as data can hand them to a function that differentiates them. A local
//! struct built from differentiated values is passed whole too (`dist.ln_pdf(x)` of `let dist
//! = Normal { mean: mu, .. }`): rebuilt at the call, with a zeroed struct as its shadow.
#![allow(clippy::needless_range_loop)]

mod common;

use autodiff::{grad, Params};
use common::{all_close, assert_matches_fd, close};

#[derive(Clone, Debug, Params)]
struct Net {
    w: [[f64; 3]; 2],
    b: [f64; 2],
    v: [f64; 2],
}

impl Net {
    /// A two-unit tanh layer and a linear read-out, differentiated in the weights and input.
    #[grad(self, x, modes(tangent))]
    fn forward(&self, x: &[f64; 3]) -> f64 {
        let mut out = 0.0;
        for j in 0..2 {
            let mut z = self.b[j];
            for i in 0..3 {
                z += self.w[j][i] * x[i];
            }
            out += self.v[j] * z.tanh();
        }
        out
    }

    /// `self` is data here: the gradient of the network's output with respect to its input.
    #[grad(x)]
    fn input_gradient_of(&self, x: &[f64; 3]) -> f64 {
        self.forward(x)
    }
}

/// The saliency of the input, through the method, its path form, and a free function that
/// differentiates the model too.
#[grad(x, modes(tangent))]
fn saliency(net: &Net, x: &[f64; 3]) -> f64 {
    let a = net.forward(x);
    let b = Net::forward(net, x);
    0.5 * (a + b) + 0.25 * head(net, x).powi(2)
}

#[grad(net, x, modes(tangent))]
fn head(net: &Net, x: &[f64; 3]) -> f64 {
    net.v[0] * (net.w[0][0] * x[0] + net.w[1][2] * x[2])
}

fn net() -> Net {
    Net {
        w: [[0.3, -0.7, 0.2], [-0.4, 0.5, 0.9]],
        b: [0.1, -0.2],
        v: [1.3, -0.8],
    }
}

fn saliency_of(net: &Net, x: &[f64]) -> f64 {
    saliency(net, &[x[0], x[1], x[2]])
}

#[test]
fn a_model_read_as_data_is_differentiated_by_the_function_it_is_passed_to() {
    let net = net();
    for x in [[0.5, -1.0, 2.0], [-0.3, 0.8, 0.1], [1.5, 0.2, -0.7]] {
        let (value, d_x) = saliency_grad(&net, &x);
        assert!(close(value, saliency(&net, &x)));
        assert_matches_fd(&|x| saliency_of(&net, x), &x, &d_x, "saliency");

        // The method's own gradient in `x`, through `self` read as data and as a model.
        let (_, d_x_method) = net.input_gradient_of_grad(&x);
        let (_, (_, d_x_forward)) = net.forward_grad(&x);
        assert!(all_close(&d_x_method, &d_x_forward));
    }
}

#[test]
fn a_model_read_as_data_has_a_tangent_through_the_function_it_is_passed_to() {
    let net = net();
    let x = [0.5, -1.0, 2.0];
    let t = [0.3, -0.2, 0.7];
    let (value, tangent) = saliency_tangent(&net, &x, &t);
    let (_, d_x) = saliency_grad(&net, &x);
    assert!(close(value, saliency(&net, &x)));
    let along: f64 = d_x.iter().zip(&t).map(|(g, t)| g * t).sum();
    assert!(close(tangent, along), "{tangent} vs {along}");
}

/// Least squares over rows the callee differentiates, called by a function that reads them
/// as data (`#[grad(w)]`), and by one that differentiates them too.
#[grad(w, xs)]
fn squared_error(w: &[f64; 2], xs: &[[f64; 2]], ys: &[f64]) -> f64 {
    let mut total = 0.0;
    for (x, y) in xs.iter().zip(ys) {
        let r = w[0] * x[0] + w[1] * x[1] - y;
        total += r * r;
    }
    total
}

#[grad(w)]
fn mean_error(w: &[f64; 2], xs: &[[f64; 2]], ys: &[f64]) -> f64 {
    squared_error(w, xs, ys) / xs.len() as f64
}

#[grad(w, xs)]
fn scaled_error(w: &[f64; 2], xs: &[[f64; 2]], ys: &[f64]) -> f64 {
    3.0 * squared_error(w, xs, ys)
}

#[test]
fn rows_read_as_data_are_passed_to_a_function_that_differentiates_them() {
    let xs = [[1.0, 2.0], [0.5, -1.0], [-2.0, 0.3]];
    let ys = [1.0, -0.5, 0.25];
    let w = [0.7, -0.2];
    let (value, d_w) = mean_error_grad(&w, &xs, &ys);
    assert!(close(value, mean_error(&w, &xs, &ys)));
    assert_matches_fd(
        &|w| mean_error(&[w[0], w[1]], &xs, &ys),
        &w,
        &d_w,
        "mean_error",
    );

    let (_, (d_w3, d_xs3)) = scaled_error_grad(&w, &xs, &ys);
    let (_, (d_w1, d_xs1)) = squared_error_grad(&w, &xs, &ys);
    assert!(all_close(&d_w3, &d_w1.map(|g| 3.0 * g)));
    for (a, b) in d_xs3.iter().zip(&d_xs1) {
        assert!(all_close(a, &b.map(|g| 3.0 * g)));
    }
}

/// A configuration struct, data in both functions, passed whole as before.
#[derive(Clone, Copy)]
struct Smoothing {
    width: f64,
}

#[grad(x)]
fn smoothed(cfg: &Smoothing, x: f64) -> f64 {
    (x / cfg.width).tanh() * cfg.width
}

#[grad(x)]
fn twice_smoothed(cfg: &Smoothing, x: f64) -> f64 {
    smoothed(cfg, smoothed(cfg, x))
}

#[test]
fn data_passed_to_a_function_reading_it_as_data_stays_data() {
    let cfg = Smoothing { width: 1.5 };
    let x = 0.8;
    let (value, d_x) = twice_smoothed_grad(&cfg, x);
    let inner = smoothed(&cfg, x);
    assert!(close(value, smoothed(&cfg, inner)));
    let sech2 = |u: f64| 1.0 - u.tanh().powi(2);
    let expected = sech2(inner / cfg.width) * sech2(x / cfg.width);
    assert!(close(d_x, expected), "{d_x} vs {expected}");
}

/// A config passed to a function generic over it, and on from there to a concrete one.
trait Width {
    fn width(&self) -> f64;
}

impl Width for Smoothing {
    fn width(&self) -> f64 {
        self.width
    }
}

#[grad(x)]
fn wave<C: Width>(cfg: &C, x: f64) -> f64 {
    (x * cfg.width()).sin()
}

#[grad(x)]
fn wave_and_smoothed(cfg: &Smoothing, x: f64) -> f64 {
    wave(cfg, x) + smoothed(cfg, x)
}

#[grad(x)]
fn waves<C: Width>(cfg: &C, concrete: &Smoothing, x: f64) -> f64 {
    wave(cfg, x) * wave_and_smoothed(concrete, x)
}

#[test]
fn data_passed_to_and_from_a_function_generic_over_it_stays_data() {
    let cfg = Smoothing { width: 1.5 };
    for x in [0.3, -0.8, 1.1] {
        let (value, d_x) = waves_grad(&cfg, &cfg, x);
        assert!(close(value, waves(&cfg, &cfg, x)));
        assert_matches_fd(&|x| waves(&cfg, &cfg, x[0]), &[x], &[d_x], "waves");
    }
}

/// A distribution built from differentiated parameters, as statrs-style code builds one.
#[derive(Clone, Copy, Debug, Params)]
struct Normal {
    mean: f64,
    sd: f64,
}

impl Normal {
    #[grad(self, x, modes(tangent))]
    fn ln_pdf(&self, x: f64) -> f64 {
        let z = (x - self.mean) / self.sd;
        -0.5 * z * z - self.sd.ln() - 0.918_938_533_204_672_8
    }
}

#[grad(dist, x)]
fn density(dist: &Normal, x: f64) -> f64 {
    dist.ln_pdf(x).exp()
}

/// The negative log-likelihood of samples, the scale on a log scale.
#[grad(mu, log_sd, modes(tangent))]
fn nll(mu: f64, log_sd: f64, xs: &[f64]) -> f64 {
    let dist = Normal {
        mean: mu,
        sd: log_sd.exp(),
    };
    let mut total = 0.0;
    for &x in xs {
        total -= dist.ln_pdf(x);
    }
    total
}

/// The same struct lent to a function, built in the argument, changed between calls, and
/// a struct of data with a differentiated argument.
#[grad(mu)]
fn mixed(mu: f64, x: f64) -> f64 {
    let mut d = Normal { mean: mu, sd: 2.0 };
    let a = density(&d, x)
        + density(
            &Normal {
                mean: 0.5,
                sd: mu * mu + 1.0,
            },
            x,
        );
    d.sd = mu.exp();
    let unit = Normal { mean: 0.0, sd: 1.0 };
    a + d.ln_pdf(x) + unit.ln_pdf(mu * x)
}

#[test]
fn a_local_struct_of_differentiated_values_is_passed_whole() {
    let xs = [0.3, -1.2, 2.5, 0.9];
    for (mu, log_sd) in [(0.4, 0.2), (-1.0, -0.5), (2.0, 0.7)] {
        let (value, (d_mu, d_log_sd)) = nll_grad(mu, log_sd, &xs);
        assert!(close(value, nll(mu, log_sd, &xs)));
        assert_matches_fd(
            &|p| nll(p[0], p[1], &xs),
            &[mu, log_sd],
            &[d_mu, d_log_sd],
            "nll",
        );
        // Closed form: d/dmu = -sum(x - mu) / sd^2, d/dlog_sd = n - sum((x - mu)^2) / sd^2.
        let var = (2.0 * log_sd).exp();
        let expected_mu = -xs.iter().map(|x| x - mu).sum::<f64>() / var;
        let expected_sd = xs.len() as f64 - xs.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / var;
        assert!(close(d_mu, expected_mu), "{d_mu} vs {expected_mu}");
        assert!(close(d_log_sd, expected_sd), "{d_log_sd} vs {expected_sd}");

        let (_, tangent) = nll_tangent(mu, log_sd, &xs, 0.3, -0.6, autodiff::Const);
        assert!(close(tangent, 0.3 * d_mu - 0.6 * d_log_sd));
    }
    for (mu, x) in [(0.4, 1.1), (-0.7, 0.2), (1.3, -2.0)] {
        let (value, d_mu) = mixed_grad(mu, x);
        assert!(close(value, mixed(mu, x)));
        assert_matches_fd(&|p| mixed(p[0], x), &[mu], &[d_mu], "mixed");
    }
}

/// Structs and variants of data built in place or bound to a local from a tuple-struct
/// literal, handed to functions that read them as data (probe, session 15: E0061 inside
/// generated code, the struct taken for float data).
#[derive(Clone, Copy)]
struct Meters(f64);

enum Penalty {
    L2(f64),
    Off,
}

#[grad(x)]
fn scaled_by(x: f64, m: Meters) -> f64 {
    x * m.0
}

#[grad(x)]
fn smoothed_by(x: f64, cfg: &Smoothing) -> f64 {
    x * cfg.width
}

#[grad(x)]
fn penalized(x: f64, penalty: &Penalty) -> f64 {
    match penalty {
        Penalty::L2(l) => l * x * x,
        Penalty::Off => 0.0,
    }
}

#[grad]
fn built_in_place(x: f64) -> f64 {
    let m = Meters(2.0);
    scaled_by(x, m)
        + scaled_by(x, Meters(3.0))
        + smoothed_by(x, &Smoothing { width: 4.0 })
        + penalized(x, &Penalty::L2(0.5))
        + penalized(x, &Penalty::Off)
}

#[test]
fn data_built_in_place_is_passed_as_data() {
    assert_eq!(
        built_in_place_grad(2.0),
        (4.0 + 6.0 + 8.0 + 2.0, 2.0 + 3.0 + 4.0 + 2.0)
    );
}

/// A struct built as the receiver of a method (`Warp { k: 2.0 }.apply(x)`, probe, session
/// 15: "cannot differentiate the method"), of data or of differentiated values.
#[derive(Clone, Copy, Params)]
struct Warp {
    k: f64,
}

#[grad(self, x)]
impl Warp {
    fn apply(&self, x: f64) -> f64 {
        self.k * x.sin()
    }
}

#[grad]
fn warped_twice(x: f64, k: f64) -> f64 {
    Warp { k: 2.0 }.apply(x) + Warp { k: k * k }.apply(x)
}

#[test]
fn a_struct_built_as_a_receiver() {
    let (value, (d_x, d_k)) = warped_twice_grad(0.5, 3.0);
    assert!(close(value, 11.0 * 0.5f64.sin()));
    assert!(close(d_x, 11.0 * 0.5f64.cos()) && close(d_k, 6.0 * 0.5f64.sin()));
}

/// A record of data and a count, handed by a `#[grad(self)]` method to another with `self`
/// whole: the item of a loop, an element, a local reference, the path form. `_with_data`
/// takes an argument for every parameter, so the caller need not tell a struct of data (`r`)
/// from an integer (`k`): both take `Const` (was E0061 inside generated code).
struct Record {
    x: [f64; 2],
    y: f64,
}

#[derive(Clone, Debug, Params)]
struct Line {
    w: [f64; 2],
    b: f64,
}

impl Line {
    #[grad(self)]
    fn residual(&self, r: &Record, k: usize) -> f64 {
        (self.w[0] * r.x[0] + self.w[1] * r.x[1] + self.b - r.y).powi(2) * (k + 1) as f64
    }

    #[grad(self)]
    fn total(&self, records: &[Record]) -> f64 {
        let mut t = 0.0;
        for (k, r) in records.iter().enumerate() {
            t += self.residual(r, k);
        }
        let first = &records[0];
        t + self.residual(&records[1], 0) + Self::residual(self, first, 2)
    }
}

#[test]
fn a_method_hands_records_and_counts_to_another() {
    let records = [
        Record {
            x: [1.0, 2.0],
            y: 0.5,
        },
        Record {
            x: [-1.0, 0.5],
            y: 2.0,
        },
        Record {
            x: [0.3, 0.7],
            y: -1.0,
        },
    ];
    let line = Line {
        w: [0.4, -0.6],
        b: 0.2,
    };
    let (value, g) = line.total_grad(&records);
    assert_eq!(value, line.total(&records));
    let f = |p: &[f64]| {
        Line {
            w: [p[0], p[1]],
            b: p[2],
        }
        .total(&records)
    };
    assert_matches_fd(&f, &[0.4, -0.6, 0.2], &[g.w[0], g.w[1], g.b], "total");
}

// ----- Values of enums and tuple structs passed to a `#[grad]` function (probe) -----
// `Some(2.0)`, `None`, `Act::Scaled(0.5)` and `Length(3.0)` were taken for float data by
// the float literal inside, and given a shadow the callee does not take (E0061).

#[derive(Clone, Copy)]
enum Act {
    Tanh,
    Scaled(f64),
}

#[derive(Clone, Copy)]
struct Length(f64);

#[grad(w)]
fn tagged(w: f64, tag: Option<f64>, act: Act, length: Length) -> f64 {
    let base = match tag {
        Some(t) => w * t,
        None => w * w,
    };
    let shaped = match act {
        Act::Tanh => base.tanh(),
        Act::Scaled(k) => base * k,
    };
    shaped * length.0
}

#[grad(w)]
fn tagged_callers(w: f64) -> f64 {
    tagged(w, Some(2.0), Act::Scaled(0.5), Length(3.0)) + tagged(w, None, Act::Tanh, Length(1.0))
}

#[test]
fn enum_and_tuple_struct_values_passed_as_data() {
    for w in [-0.7, 0.3, 1.2] {
        let (value, slope) = tagged_callers_grad(w);
        let by_hand = 3.0 * w + (w * w).tanh();
        let sech2 = 1.0 - (w * w).tanh().powi(2);
        assert!((value - by_hand).abs() < 1e-14);
        assert!((value - tagged_callers(w)).abs() < 1e-14);
        assert!((slope - (3.0 + 2.0 * w * sech2)).abs() < 1e-14);
    }
}
