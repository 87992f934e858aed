//! A struct or rows parameter is differentiated when `#[grad(..)]` lists it and data when it
//! leaves it out, so whether a function's `_adjoint` takes a shadow for it depends on an
//! attribute its callers cannot see. A caller passing such a parameter of its own whole goes
//! through the callee's `_with_data` item, which takes an argument for it either way: a
//! saliency map (`#[grad(x)]`) can call a model's `#[grad(self, x)]` forward pass, and a
//! caller reading rows as data can hand them to a function that differentiates them.
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
