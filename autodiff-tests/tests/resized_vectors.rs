//! A local `Vec` assigned whole with a vector of another length: layers of different widths
//! through one `h` (`h = l.forward(&h)`), a vector narrowed in a branch, reassigned outside any
//! loop, returned. The sweeps resize the vector and its adjoint with it; every gradient is
//! checked against central differences, over the model and over the input.

use autodiff::gradcheck::{check_gradient, check_params_gradient};
use autodiff::{grad, Float, Params};

/// A dense layer of any shape: `w` is `outputs x inputs`.
#[derive(Clone, Debug, Params)]
pub struct Linear {
    pub w: Vec<Vec<f64>>,
    pub b: Vec<f64>,
}

#[grad(self, x, modes(tangent))]
impl Linear {
    /// `sum w^2`: weight decay.
    fn penalty(&self) -> f64 {
        self.w.iter().flatten().map(|w| w * w).sum()
    }

    /// `tanh(w x + b)`.
    fn forward(&self, x: &[f64]) -> Vec<f64> {
        self.w
            .iter()
            .zip(&self.b)
            .map(|(row, b)| (row.iter().zip(x).map(|(w, x)| w * x).sum::<f64>() + b).tanh())
            .collect()
    }
}

#[derive(Clone, Debug, Params)]
pub struct Net {
    pub layers: Vec<Linear>,
}

impl Net {
    /// Each layer fed the last one's output, in one local `Vec` whose length changes.
    #[grad(self, x)]
    fn score(&self, x: &[f64]) -> f64 {
        let mut h = x.to_vec();
        for l in &self.layers {
            h = l.forward(&h);
        }
        h.iter().map(|v| v * v).sum::<f64>() + h.len() as f64
    }

    /// The first layer's output starts the vector; the others, a slice of the layers, follow
    /// it.
    #[grad(self)]
    fn first_then_rest(&self, x: &[f64]) -> f64 {
        let mut h = self.layers[0].forward(x);
        for l in &self.layers[1..] {
            h = l.forward(&h);
        }
        h.iter().sum()
    }

    /// The output vector itself, its length the last layer's.
    #[grad(self, x, modes(tangent))]
    fn features(&self, x: &[f64]) -> Vec<f64> {
        let mut h = x.to_vec();
        for l in &self.layers {
            h = l.forward(&h);
        }
        h
    }
}

fn layer(inputs: usize, outputs: usize, seed: f64) -> Linear {
    let value = |i: usize, j: usize| ((seed + 1.3 * i as f64 - 0.7 * j as f64).sin()) * 0.8;
    Linear {
        w: (0..outputs)
            .map(|i| (0..inputs).map(|j| value(i, j)).collect())
            .collect(),
        b: (0..outputs).map(|i| 0.1 * i as f64 - 0.2).collect(),
    }
}

/// Widths 3 -> 5 -> 2 -> 4: the vector grows, shrinks and grows again.
fn net() -> Net {
    Net {
        layers: vec![layer(3, 5, 0.3), layer(5, 2, 1.1), layer(2, 4, -0.4)],
    }
}

const X: [f64; 3] = [0.5, -1.2, 2.0];

/// `f_grad` of `net()` at `X` against `f`: its value, and central differences over the model
/// and over the input.
fn assert_model_and_input_gradients(
    f: impl Fn(&Net, &[f64]) -> f64,
    f_grad: impl Fn(&Net, &[f64]) -> (f64, (Net, Vec<f64>)),
) {
    let net = net();
    let (value, (d_net, d_x)) = f_grad(&net, &X);
    assert_eq!(value, f(&net, &X));
    check_params_gradient(|m: &Net| f(m, &X), &net, &d_net).assert_ok();
    check_gradient(|x: &[f64]| f(&net, x), &X, &d_x).assert_ok();
}

#[test]
fn layers_of_different_widths_through_one_vec() {
    assert_model_and_input_gradients(Net::score, Net::score_grad);
    let net = net();
    // The first layer's output starting the vector instead of a copy of the input.
    let (value, d_net) = net.first_then_rest_grad(&X);
    assert_eq!(value, net.first_then_rest(&X));
    check_params_gradient(|m: &Net| m.first_then_rest(&X), &net, &d_net).assert_ok();
    // The vector starting as a copy of a field.
    let seeded = Seeded {
        start: vec![0.4, -0.3, 0.9],
        layers: net.layers.clone(),
    };
    let (value, d) = seeded.run_grad();
    assert_eq!(value, seeded.run());
    check_params_gradient(Seeded::run, &seeded, &d).assert_ok();
}

#[derive(Clone, Debug, Params)]
pub struct Seeded {
    pub start: Vec<f64>,
    pub layers: Vec<Linear>,
}

impl Seeded {
    /// A copy of a field, through every layer.
    #[grad(self)]
    fn run(&self) -> f64 {
        let mut h = self.start.clone();
        for l in &self.layers {
            h = l.forward(&h);
        }
        h.iter().sum()
    }
}

#[test]
fn a_vector_output_of_layers_of_different_widths() {
    let net = net();
    assert_eq!(net.features(&X).len(), 4);
    // The pullback of a cotangent is the gradient of its dot product with the output.
    let d_out = [0.7, -1.1, 0.4, 2.0];
    let dot =
        |m: &Net, x: &[f64]| -> f64 { m.features(x).iter().zip(&d_out).map(|(a, b)| a * b).sum() };
    let mut d_net = net.zeros_like();
    let mut d_x = [0.0; 3];
    let value = net.features_adjoint(&X, &d_out, &mut d_net, &mut d_x);
    assert_eq!(value, net.features(&X));
    check_params_gradient(|m: &Net| dot(m, &X), &net, &d_net).assert_ok();
    check_gradient(|x: &[f64]| dot(&net, x), &X, &d_x).assert_ok();
    // Forward mode along a direction in the model and one in the input: the change of the
    // output there, against central differences.
    let mut t_net = net.clone();
    t_net.for_each_slice_mut(|s| {
        for (k, v) in s.values.iter_mut().enumerate() {
            *v = ((k as f64) * 0.37).cos();
        }
    });
    let v = [0.3, -1.0, 0.5];
    let (value, t) = net.features_tangent(&X, &t_net, &v[..]);
    assert_eq!(value, net.features(&X));
    let moved = |s: f64| {
        let mut m = net.clone();
        m.zip_slices_mut(&t_net, |p, d| {
            for (a, b) in p.values.iter_mut().zip(d) {
                *a += s * b;
            }
        });
        let x: Vec<f64> = X.iter().zip(&v).map(|(a, b)| a + s * b).collect();
        m.features(&x)
    };
    let step = 1e-6;
    let (ahead, behind) = (moved(step), moved(-step));
    for k in 0..4 {
        let fd = (ahead[k] - behind[k]) / (2.0 * step);
        assert!(
            (t[k] - fd).abs() < 1e-7 * (1.0 + fd.abs()),
            "{k}: {} against {fd}",
            t[k]
        );
    }
}

/// A vector that keeps the first `keep` elements of what `squash` gives when it is long.
#[grad(x, modes(tangent))]
fn narrowed(x: &[f64], keep: usize) -> f64 {
    let mut h = squash(x);
    if h.len() > keep {
        h = h[..keep].to_vec();
    }
    h = squash(&h);
    h.iter().enumerate().map(|(i, v)| (i + 1) as f64 * v).sum()
}

/// `x_i^2 + sin(x_{i+1})`, one shorter than `x`.
#[grad(x, modes(tangent))]
fn squash(x: &[f64]) -> Vec<f64> {
    x.windows(2).map(|w| w[0] * w[0] + w[1].sin()).collect()
}

#[test]
fn a_vector_narrowed_in_a_branch_and_reassigned_outside_loops() {
    let x = [0.4, -0.9, 1.3, 0.2, -0.6, 0.8];
    for keep in [2, 3, 10] {
        let (value, d_x) = narrowed_grad(&x, keep);
        assert_eq!(value, narrowed(&x, keep));
        check_gradient(|x: &[f64]| narrowed(x, keep), &x, &d_x).assert_ok();
        // Forward mode: the gradient along a direction.
        let v = [0.3, -1.0, 0.5, 0.25, -0.75, 1.5];
        let (value, t) = narrowed_tangent(&x, keep, &v[..]);
        assert_eq!(value, narrowed(&x, keep));
        let along: f64 = d_x.iter().zip(&v).map(|(a, b)| a * b).sum();
        assert!((t - along).abs() < 1e-12, "{t} against {along}");
    }
}

/// Sums of neighbours, one shorter than `x`: `x_i + x_{i+1}^2 / 2`.
#[grad(x, modes(tangent))]
fn pairwise(x: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; x.len() - 1];
    for i in 0..out.len() {
        out[i] = x[i] + 0.5 * x[i + 1] * x[i + 1];
    }
    out
}

/// Shortens a vector until one number is left: the length changes each pass of a `while`.
#[grad(x, modes(tangent))]
fn reduce_to_one(x: &[f64]) -> f64 {
    let mut h = x.to_vec();
    while h.len() > 1 {
        h = pairwise(&h);
    }
    h[0]
}

/// The same with the next vector made in the loop and assigned from a local, to second order.
#[grad(x, modes(hvp))]
fn reduce_locally(x: &[f64]) -> f64 {
    let mut h = x.to_vec();
    while h.len() > 1 {
        let next: Vec<f64> = h.windows(2).map(|w| w[0] * w[1].cos()).collect();
        h = next;
    }
    h[0]
}

/// Shrinks the vector only on some passes (a branch in the loop), then reads it whole.
#[grad(x)]
fn shrink_some(x: &[f64], every: usize) -> f64 {
    let mut h = x.to_vec();
    for pass in 0..x.len() - 1 {
        if pass % every == 0 {
            h = pairwise(&h);
        }
        for v in h.iter_mut() {
            *v = v.sin();
        }
    }
    h.iter().sum()
}

/// The same shrinking loop, checkpointed: each segment replays its passes in the reverse.
#[grad(x)]
fn shrink_checkpointed(x: &[f64]) -> f64 {
    let mut h = x.to_vec();
    #[checkpoint]
    for _ in 0..4 {
        h = pairwise(&h);
        h[0] = h[0].cos();
    }
    h.iter().map(|v| v * v).sum()
}

#[test]
fn a_vector_shrunk_in_a_while_loop_a_branch_and_a_checkpointed_loop() {
    let x = [0.3, -0.8, 0.5, 1.1, -0.2, 0.9];
    let (value, d_x) = reduce_to_one_grad(&x);
    assert_eq!(value, reduce_to_one(&x));
    check_gradient(reduce_to_one, &x, &d_x).assert_ok();
    let v = [1.0, -0.5, 0.25, 0.75, -1.25, 0.5];
    let (value, t) = reduce_to_one_tangent(&x, &v[..]);
    assert_eq!(value, reduce_to_one(&x));
    let along: f64 = d_x.iter().zip(&v).map(|(a, b)| a * b).sum();
    assert!((t - along).abs() < 1e-12, "{t} against {along}");
    // Second order: the Hessian along `v` is the change of the gradient along it.
    let (value, d_x) = reduce_locally_grad(&x);
    assert_eq!(value, reduce_locally(&x));
    check_gradient(reduce_locally, &x, &d_x).assert_ok();
    let (value, g, hv) = reduce_locally_hvp(&x, &v[..]);
    assert_eq!((value, g), (reduce_locally(&x), d_x));
    let step = 1e-5;
    let at = |s: f64| -> Vec<f64> { x.iter().zip(&v).map(|(a, b)| a + s * b).collect() };
    let (ahead, behind) = (
        reduce_locally_grad(&at(step)).1,
        reduce_locally_grad(&at(-step)).1,
    );
    for i in 0..x.len() {
        let fd = (ahead[i] - behind[i]) / (2.0 * step);
        assert!(
            (hv[i] - fd).abs() < 1e-6 * (1.0 + fd.abs()),
            "{i}: {} against {fd}",
            hv[i]
        );
    }
    for every in [1, 2, 3] {
        let (value, d_x) = shrink_some_grad(&x, every);
        assert_eq!(value, shrink_some(&x, every));
        check_gradient(|x: &[f64]| shrink_some(x, every), &x, &d_x).assert_ok();
    }
    let (value, d_x) = shrink_checkpointed_grad(&x);
    assert_eq!(value, shrink_checkpointed(&x));
    check_gradient(shrink_checkpointed, &x, &d_x).assert_ok();
}

/// A layer that starts from its bias and adds each row's product with the input.
#[derive(Clone, Debug, Params)]
pub struct Affine {
    pub w: Vec<Vec<f64>>,
    pub b: Vec<f64>,
}

#[grad(self, x)]
impl Affine {
    fn forward(&self, x: &[f64]) -> Vec<f64> {
        let mut out = self.b.clone();
        for (o, row) in out.iter_mut().zip(&self.w) {
            *o += row.iter().zip(x).map(|(w, v)| w * v).sum::<f64>();
        }
        out
    }
}

#[derive(Clone, Debug, Params)]
pub struct Relu {
    pub layers: Vec<Affine>,
}

impl Relu {
    /// ReLU between layers of different widths, applied in place to the one vector.
    #[grad(self)]
    fn predict(&self, x: &[f64]) -> f64 {
        let mut h = x.to_vec();
        for (k, layer) in self.layers.iter().enumerate() {
            h = layer.forward(&h);
            if k + 1 < self.layers.len() {
                for v in h.iter_mut() {
                    *v = v.max(0.0);
                }
            }
        }
        h[0]
    }
}

#[test]
fn relu_between_layers_of_different_widths() {
    let affine = |inputs: usize, outputs: usize, seed: f64| {
        let l = layer(inputs, outputs, seed);
        Affine { w: l.w, b: l.b }
    };
    let net = Relu {
        layers: vec![affine(3, 4, 0.2), affine(4, 2, -0.9), affine(2, 1, 0.6)],
    };
    let (value, d_net) = net.predict_grad(&X);
    assert_eq!(value, net.predict(&X));
    check_params_gradient(|m: &Relu| m.predict(&X), &net, &d_net).assert_ok();
}

impl Net {
    /// A batch loss: each example's vector declared in the loop over examples (an
    /// accumulator's loop, whose reverse runs with each iteration).
    #[grad(self)]
    fn batch_loss(&self, xs: &[Vec<f64>], ys: &[f64]) -> f64 {
        let mut total = 0.0;
        for (x, y) in xs.iter().zip(ys) {
            let mut h = x.clone();
            for l in &self.layers {
                h = l.forward(&h);
            }
            total += (h[0] - y).powi(2);
        }
        total / xs.len() as f64
    }

    /// The same, each example's output also carried to the next example (a loop whose
    /// reverse runs backwards over the examples), and a vector declared in a branch.
    #[grad(self)]
    fn chained_loss(&self, xs: &[Vec<f64>], deep: bool) -> f64 {
        let mut carry = 0.0;
        for x in xs {
            let mut h = x.clone();
            h[0] += carry;
            for l in &self.layers {
                h = l.forward(&h);
            }
            carry = h.iter().sum::<f64>().sin();
            if deep {
                let mut g = h.clone();
                g = self.layers[0].forward(&g[..3]);
                carry += g[1];
            }
        }
        carry
    }
}

#[test]
fn vectors_declared_in_loop_bodies_and_branches_change_their_lengths() {
    let net = net();
    let xs = vec![
        vec![0.5, -1.2, 2.0],
        vec![1.0, 0.3, -0.7],
        vec![-0.2, 0.8, 0.1],
    ];
    let ys = [0.3, -0.1, 0.6];
    let (value, d_net) = net.batch_loss_grad(&xs, &ys);
    assert_eq!(value, net.batch_loss(&xs, &ys));
    check_params_gradient(|m: &Net| m.batch_loss(&xs, &ys), &net, &d_net).assert_ok();
    for deep in [false, true] {
        let (value, d_net) = net.chained_loss_grad(&xs, deep);
        assert_eq!(value, net.chained_loss(&xs, deep));
        check_params_gradient(|m: &Net| m.chained_loss(&xs, deep), &net, &d_net).assert_ok();
    }
}

impl Net {
    /// The layers folded over the input (`fold(x.to_vec(), |h, l| l.forward(&h))`), plus
    /// each layer's decay summed through a chain (`map(|l| l.penalty()).sum()`).
    #[grad(self, x)]
    fn folded(&self, x: &[f64]) -> f64 {
        let out = self.layers.iter().fold(x.to_vec(), |h, l| l.forward(&h));
        let decay: f64 = self.layers.iter().map(|l| l.penalty()).sum();
        out.iter().sum::<f64>() + 0.01 * decay
    }
}

#[test]
fn layers_folded_and_summed_through_chains() {
    assert_model_and_input_gradients(Net::folded, Net::folded_grad);
}

// ---- an empty vector assigned later ----

/// `Vec::new()` written with its type, replaced by a collected vector.
#[grad]
#[allow(unused_assignments)]
fn collected_later(x: &[f64]) -> f64 {
    let mut v: Vec<f64> = Vec::new();
    v = x.iter().map(|a| a * a.sin()).collect();
    v.iter().sum()
}

/// Without a type (the element type is the function's float, since a differentiated vector is
/// assigned to it), replaced in a branch only.
#[grad]
fn replaced_in_branch(x: &[f64], replace: bool) -> f64 {
    let mut v = Vec::with_capacity(x.len());
    if replace {
        v = x.to_vec();
    }
    v.iter().map(|a| a * a).sum::<f64>() + v.len() as f64
}

/// Replaced in every iteration, after the iteration reads what the one before left.
#[grad]
fn previous_iteration<T: Float>(x: &[T]) -> T {
    let mut prev = Vec::<T>::new();
    let mut s = T::zero();
    for k in 0..3 {
        if !prev.is_empty() {
            s = s + prev.iter().fold(T::zero(), |acc, &p| acc + p * p);
        }
        let scale = T::from(k + 1).unwrap();
        prev = x.iter().map(|&a| a * scale).collect();
    }
    s
}

#[test]
fn an_empty_vector_assigned_later_is_an_empty_array() {
    let x = [0.3, -0.8, 0.5, 1.1];
    let (value, d_x) = collected_later_grad(&x);
    assert_eq!(value, collected_later(&x));
    check_gradient(collected_later, &x, &d_x).assert_ok();
    for replace in [false, true] {
        let (value, d_x) = replaced_in_branch_grad(&x, replace);
        assert_eq!(value, replaced_in_branch(&x, replace));
        check_gradient(|x: &[f64]| replaced_in_branch(x, replace), &x, &d_x).assert_ok();
    }
    let (value, d_x) = previous_iteration_grad(&x);
    assert_eq!(value, previous_iteration(&x));
    // s = (1 + 4) |x|^2: 10 x.
    for (d, a) in d_x.iter().zip(&x) {
        assert!((d - 10.0 * a).abs() < 1e-12, "{d} against {}", 10.0 * a);
    }
}
