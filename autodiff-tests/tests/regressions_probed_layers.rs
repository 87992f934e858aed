//! Forms that probes of public code found failing. Hand-written neural networks (shorelark's
//! `propagate(&self, inputs: Vec<f32>)`, layer structs holding their activation): an input
//! `Vec` taken by value as data and bound to another name before an iterator chain reads it
//! (`let output = input;`, moved by the generated code: it did not compile); a method called
//! on a `#[params(skip)]` field of a model (`self.activation.apply(z)`, an enum whose block
//! reads `self` as data), given the field's shadow (generated code that did not compile).
//! Generic numeric code (a Gauss-Legendre rule choosing its tables by order): a `let` whose
//! written type makes the branches' tables of different lengths one type (`let w: &[f64] =
//! if n == 2 { &[..2] } else { &[..3] };`), the type dropped (generated code that did not
//! compile).

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
