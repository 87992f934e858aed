//! Models built from a sequence of layers whose fields the function reads itself:
//! `l.w[j]` and `l.b` for `l` in `&net.layers`, `net.layers[k].w[i][j]`. The layer's type is
//! not written in the function; each number read is differentiated as a read of the item, its
//! adjoint added into the same place of the item's gradient.

// Index loops are how the layers are written.
#![allow(clippy::needless_range_loop)]

use autodiff::gradcheck::check_params_gradient;
use autodiff::{grad, Const, Float, Params};

#[derive(Clone, Debug, PartialEq, Params)]
pub struct Layer {
    pub w: Vec<f64>,
    pub b: f64,
    /// How many of `w` the layer uses: an integer, read as a loop bound.
    #[params(skip)]
    pub used: usize,
    /// A fixed factor, read as a number but not a parameter.
    #[params(skip)]
    pub gain: f64,
}

#[derive(Clone, Debug, PartialEq, Params)]
pub struct Net {
    pub layers: Vec<Layer>,
    pub out: f64,
}

/// A chain of one-unit layers: `h = tanh(gain * (sum_j w[j] h^(j+1)) + b)`.
#[grad(net, x, modes(tangent))]
fn chain(net: &Net, x: f64) -> f64 {
    let mut h = x;
    for l in &net.layers {
        let mut s = l.b;
        let mut power = h;
        for j in 0..l.used {
            s += l.gain * l.w[j] * power;
            power *= h;
        }
        h = s.tanh();
    }
    net.out * h * h
}

/// The same chain, its layers picked by index, backwards, weighted by their place.
#[grad(net)]
fn indexed(net: &Net, x: f64) -> f64 {
    let mut h = x;
    for k in (0..net.layers.len()).rev() {
        let mut s = net.layers[k].b * (k + 1) as f64;
        for j in 0..net.layers[k].w.len() {
            s += net.layers[k].w[j] * h;
        }
        h = s.sin();
    }
    h + net.out
}

/// `.iter().enumerate().rev()`, `.skip(1)` and a range of the layers, with a running sum.
#[grad(net)]
fn orders(net: &Net, x: f64) -> f64 {
    let mut total = 0.0;
    let mut h = x;
    for (k, l) in net.layers.iter().enumerate().rev() {
        h = (h * l.w[0] + l.b * k as f64).cos();
        total += h;
    }
    for l in net.layers.iter().skip(1) {
        total += l.w[l.w.len() - 1] * l.b;
    }
    for l in &net.layers[..2] {
        total -= 0.5 * l.b * l.b;
    }
    total * net.out
}

fn net(seed: f64) -> Net {
    let layer = |k: f64, n: usize| Layer {
        w: (0..n)
            .map(|j| (0.37 * seed * (k + 1.0) + 0.61 * j as f64).sin())
            .collect(),
        b: (0.29 * seed - 0.5 * k).cos() * 0.4,
        used: n - 1,
        gain: 0.75 + 0.1 * k,
    };
    Net {
        layers: vec![layer(0.0, 3), layer(1.0, 2), layer(2.0, 4)],
        out: 0.8 + 0.1 * seed,
    }
}

#[test]
fn fields_of_each_layer_read_in_a_loop_over_the_layers() {
    for seed in 0..6 {
        let (net, x) = (net(seed as f64), 0.2 + 0.15 * seed as f64);
        let (value, (d_net, d_x)) = chain_grad(&net, x);
        assert_eq!(value, chain(&net, x));
        check_params_gradient(|n: &Net| chain(n, x), &net, &d_net).assert_ok();
        let h = 1e-6;
        let numeric = (chain(&net, x + h) - chain(&net, x - h)) / (2.0 * h);
        assert!((d_x - numeric).abs() < 1e-7, "{d_x} vs {numeric}");
        // The weights past `used` are never read; the gains are not parameters: the
        // gradient keeps the model's own, nothing added.
        for (l, d) in net.layers.iter().zip(&d_net.layers) {
            assert!(d.w[l.used..].iter().all(|&g| g == 0.0));
            assert_eq!((d.gain, d.used), (l.gain, l.used));
        }
    }
}

#[test]
fn one_layer_by_hand() {
    let net = Net {
        layers: vec![Layer {
            w: vec![0.5, 9.0],
            b: 0.25,
            used: 1,
            gain: 2.0,
        }],
        out: 3.0,
    };
    let x = 0.4;
    // h = tanh(2 * 0.5 * 0.4 + 0.25), value 3 h^2.
    let h = (2.0 * 0.5 * 0.4 + 0.25f64).tanh();
    let (value, (d_net, d_x)) = chain_grad(&net, x);
    assert!((value - 3.0 * h * h).abs() < 1e-15);
    let d_s = 6.0 * h * (1.0 - h * h);
    assert!((d_net.layers[0].b - d_s).abs() < 1e-15);
    assert!((d_net.layers[0].w[0] - d_s * 2.0 * x).abs() < 1e-15);
    assert_eq!(d_net.layers[0].w[1], 0.0);
    assert!((d_net.out - h * h).abs() < 1e-15);
    assert!((d_x - d_s * 2.0 * 0.5).abs() < 1e-15);
}

#[test]
fn layers_picked_by_index_and_in_other_orders() {
    for seed in 0..6 {
        let (net, x) = (net(seed as f64), -0.3 + 0.2 * seed as f64);
        let (value, d_net) = indexed_grad(&net, x);
        assert_eq!(value, indexed(&net, x));
        check_params_gradient(|n: &Net| indexed(n, x), &net, &d_net).assert_ok();
        let (value, d_net) = orders_grad(&net, x);
        assert_eq!(value, orders(&net, x));
        check_params_gradient(|n: &Net| orders(n, x), &net, &d_net).assert_ok();
    }
}

#[test]
fn the_adjoint_accumulates_into_the_models_gradient_or_skips_it() {
    let (net, x) = (net(1.0), 0.3);
    let (_, (once, _)) = chain_grad(&net, x);
    let mut twice = net.zeros_like();
    chain_adjoint(&net, x, 1.0, &mut twice, Const);
    let value = chain_adjoint(&net, x, 1.0, &mut twice, Const);
    assert_eq!(value, chain(&net, x));
    for (a, b) in once.layers.iter().zip(&twice.layers) {
        assert_eq!(a.b * 2.0, b.b);
        for (wa, wb) in a.w.iter().zip(&b.w) {
            assert_eq!(wa * 2.0, *wb);
        }
    }
    let mut d_x = 0.0;
    assert_eq!(chain_adjoint(&net, x, 1.0, Const, &mut d_x), chain(&net, x));
    let (_, (_, grad_x)) = chain_grad(&net, x);
    assert_eq!(d_x, grad_x);
}

#[test]
fn forward_mode_reads_the_layers_tangents() {
    let (net, x) = (net(2.0), 0.45);
    let (_, (d_net, d_x)) = chain_grad(&net, x);
    // A direction in the model's parameters (the gains and sizes are not).
    let mut direction = net.clone();
    let mut k = 0.0;
    direction.for_each_slice_mut(|s| {
        for v in s.values.iter_mut() {
            k += 1.0;
            *v = (0.7 * k).cos();
        }
    });
    let mut expected = 0.25 * d_x;
    let mut flat = Vec::new();
    direction.for_each_slice(|s| flat.extend_from_slice(s.values));
    let mut i = 0;
    d_net.for_each_slice(|s| {
        for g in s.values {
            expected += g * flat[i];
            i += 1;
        }
    });
    let (value, tangent) = chain_tangent(&net, x, &direction, 0.25);
    assert_eq!(value, chain(&net, x));
    assert!(
        (tangent - expected).abs() < 1e-12,
        "{tangent} vs {expected}"
    );
    let (_, none) = chain_tangent(&net, x, Const, Const);
    assert_eq!(none, 0.0);
}

/// A layer of a model generic over its float type.
#[derive(Clone, Debug, Params)]
pub struct Unit<T: Float> {
    pub w: [[T; 2]; 2],
    pub b: [T; 2],
}

#[derive(Clone, Debug, Params)]
pub struct Stack<T: Float> {
    pub units: Vec<Unit<T>>,
}

impl<T: Float> Stack<T> {
    /// Two-unit layers, `h = tanh(w h + b)`, read element by element.
    #[grad(self)]
    fn energy(&self, x: [T; 2]) -> T {
        let mut h = x;
        for u in &self.units {
            let mut next = [T::zero(); 2];
            for i in 0..2 {
                next[i] = (u.w[i][0] * h[0] + u.w[i][1] * h[1] + u.b[i]).tanh();
            }
            h = next;
        }
        h[0] * h[1] + self.units[0].b[1]
    }
}

#[test]
fn matrices_of_the_units_of_a_generic_model() {
    let unit = |s: f64| Unit {
        w: [[0.6 * s, -0.4], [0.3, 0.9 * s]],
        b: [0.1 * s, -0.2],
    };
    let stack = Stack {
        units: vec![unit(1.0), unit(-0.5), unit(0.8)],
    };
    let x = [0.35, -0.6];
    let (value, d_stack) = stack.energy_grad(x);
    assert_eq!(value, stack.energy(x));
    check_params_gradient(|s: &Stack<f64>| s.energy(x), &stack, &d_stack).assert_ok();
    // The same in f32, against the f64 gradient.
    let stack32 = Stack {
        units: stack
            .units
            .iter()
            .map(|u| Unit {
                w: u.w.map(|r| r.map(|v| v as f32)),
                b: u.b.map(|v| v as f32),
            })
            .collect(),
    };
    let (_, d32) = stack32.energy_grad([0.35, -0.6]);
    for (a, b) in d_stack.units.iter().zip(&d32.units) {
        for i in 0..2 {
            assert!((a.b[i] - b.b[i] as f64).abs() < 1e-5);
            for j in 0..2 {
                assert!((a.w[i][j] - b.w[i][j] as f64).abs() < 1e-5);
            }
        }
    }
}

#[derive(Clone, Debug, Params)]
pub struct Gate {
    pub w: [f64; 2],
    pub scale: f64,
}

#[grad(self, x)]
impl Gate {
    fn apply(&self, x: f64) -> f64 {
        (self.w[0] * x + self.w[1]).tanh()
    }
}

#[derive(Clone, Debug, Params)]
pub struct Gates {
    pub gates: Vec<Gate>,
}

/// `count` gates of different weights and scales.
fn gates(count: usize) -> Gates {
    Gates {
        gates: (0..count)
            .map(|k| Gate {
                w: [0.5 - 0.2 * k as f64, 0.1 * k as f64],
                scale: 1.0 + 0.25 * k as f64,
            })
            .collect(),
    }
}

/// Each gate lent to its own method and its fields read beside it.
#[grad(g, x)]
fn gated(g: &Gates, x: f64) -> f64 {
    let mut h = x;
    for gate in &g.gates {
        h = gate.scale * gate.apply(h) + gate.w[1] * h;
    }
    h
}

#[test]
fn fields_read_beside_the_items_own_method() {
    let g = gates(4);
    let x = 0.7;
    let (value, (d_g, d_x)) = gated_grad(&g, x);
    assert_eq!(value, gated(&g, x));
    check_params_gradient(|g: &Gates| gated(g, x), &g, &d_g).assert_ok();
    let h = 1e-6;
    let numeric = (gated(&g, x + h) - gated(&g, x - h)) / (2.0 * h);
    assert!((d_x - numeric).abs() < 1e-7, "{d_x} vs {numeric}");
}

/// The gates' values collected through a chain (`.map(|gate| ..).collect()`): each gate lent
/// to its method and its fields read, as in a loop (the items were taken for numbers).
#[grad(g, x)]
fn collected_gates(g: &Gates, x: f64) -> f64 {
    let outs: Vec<f64> = g
        .gates
        .iter()
        .map(|gate| gate.scale * gate.apply(x))
        .collect();
    let squares = g
        .gates
        .iter()
        .map(|gate| gate.apply(x * x))
        .collect::<Vec<f64>>();
    outs.iter().zip(&squares).map(|(a, b)| a * b).sum()
}

#[test]
fn values_of_items_are_collected() {
    let g = gates(3);
    let x = 0.7;
    let (value, (d_g, d_x)) = collected_gates_grad(&g, x);
    assert_eq!(value, collected_gates(&g, x));
    check_params_gradient(|g: &Gates| collected_gates(g, x), &g, &d_g).assert_ok();
    let h = 1e-6;
    let numeric = (collected_gates(&g, x + h) - collected_gates(&g, x - h)) / (2.0 * h);
    assert!((d_x - numeric).abs() < 1e-7, "{d_x} vs {numeric}");
}

/// The layers zipped with inputs, a layer's fields read in a closure.
#[grad(net, xs)]
fn zipped(net: &Net, xs: &[f64]) -> f64 {
    let mut total = 0.0;
    for (l, &x) in net.layers.iter().zip(xs) {
        let affine = |v: f64| l.b * v + l.w[0];
        total += affine(x) * affine(x);
    }
    total
}

#[test]
fn layers_zipped_with_inputs_and_read_in_a_closure() {
    let (net, xs) = (net(3.0), [0.4, -1.1, 0.9]);
    let (value, (d_net, d_xs)) = zipped_grad(&net, &xs);
    assert_eq!(value, zipped(&net, &xs));
    check_params_gradient(|n: &Net| zipped(n, &xs), &net, &d_net).assert_ok();
    autodiff::gradcheck::assert_gradient(|x: &[f64]| zipped(&net, x), &xs, &d_xs);
}

impl Net {
    /// A penalty on each layer's bias and first weight, as a chain over the layers.
    #[grad(self)]
    fn decay(&self) -> f64 {
        0.5 * self
            .layers
            .iter()
            .map(|l| l.b * l.b + l.w[0] * l.w[0])
            .sum::<f64>()
    }

    /// The layers folded over an input.
    #[grad(self)]
    fn folded(&self, x: f64) -> f64 {
        self.layers.iter().fold(x, |h, l| (l.w[0] * h + l.b).tanh())
    }
}

#[test]
fn chains_over_the_layers_read_their_fields() {
    let net = net(4.0);
    let (value, d_net) = net.decay_grad();
    assert_eq!(value, net.decay());
    for (l, d) in net.layers.iter().zip(&d_net.layers) {
        assert_eq!(d.b, l.b);
        assert_eq!(d.w[0], l.w[0]);
        assert!(d.w[1..].iter().all(|&g| g == 0.0));
    }
    let (value, d_net) = net.folded_grad(0.3);
    assert_eq!(value, net.folded(0.3));
    check_params_gradient(|n: &Net| n.folded(0.3), &net, &d_net).assert_ok();
}

impl Net {
    /// The first and last layers, picked by `first()` and `last()`.
    #[grad(self)]
    fn ends(&self, x: f64) -> f64 {
        let last = self.layers.last().unwrap().w[1];
        self.layers[0].b * x + last * self.layers.first().expect("a layer").b
    }
}

#[test]
fn the_first_and_last_layers() {
    let net = net(5.0);
    let (value, d_net) = net.ends_grad(0.6);
    assert_eq!(value, net.ends(0.6));
    let n = net.layers.len();
    assert_eq!(d_net.layers[0].b, 0.6 + net.layers[n - 1].w[1]);
    assert_eq!(d_net.layers[n - 1].w[1], net.layers[0].b);
    check_params_gradient(|m: &Net| m.ends(0.6), &net, &d_net).assert_ok();
}

// ----- item fields cast with `as` to the function's float -----
// `l.b as f64` (a parameter), `l.used as f64` (a count), `l.gain as f64` (a skipped float):
// the macro cannot tell them apart, so the field's type decides (`__private::cast_shadow`).
// `l.b as f64` was a compile error (`l.b` taken for an integer).

#[allow(clippy::unnecessary_cast)]
#[grad(net, modes(tangent))]
fn casts(net: &Net, x: f64) -> f64 {
    let mut total = 0.0;
    for l in &net.layers {
        total += (l.b as f64) * x * l.used as f64 + l.gain as f64 * l.w[0];
    }
    total * net.out
}

#[test]
fn item_fields_cast_with_as() {
    for seed in 0..4 {
        let (net, x) = (net(seed as f64), 0.3 + 0.2 * seed as f64);
        let (value, d_net) = casts_grad(&net, x);
        assert_eq!(value, casts(&net, x));
        check_params_gradient(|n: &Net| casts(n, x), &net, &d_net).assert_ok();
        for (l, d) in net.layers.iter().zip(&d_net.layers) {
            assert!((d.b - x * l.used as f64 * net.out).abs() < 1e-12);
            assert!((d.w[0] - l.gain * net.out).abs() < 1e-12);
            assert_eq!((d.gain, d.used), (l.gain, l.used));
        }
        let mut t = net.clone();
        for l in &mut t.layers {
            l.w.iter_mut().for_each(|w| *w = 0.0);
            l.gain = 100.0;
            l.used = 100;
        }
        t.out = 0.0;
        let (_, tangent) = casts_tangent(&net, x, &t, Const);
        let expected: f64 = net
            .layers
            .iter()
            .zip(&t.layers)
            .map(|(l, tl)| tl.b * x * l.used as f64)
            .sum::<f64>()
            * net.out;
        assert!(
            (tangent - expected).abs() < 1e-12,
            "{tangent} vs {expected}"
        );
    }
}

// ---- a float method of an item's field (geo's ring area, probe) ----

#[derive(Clone, Copy, Debug, PartialEq, Params)]
struct Coord {
    x: f64,
    y: f64,
    #[params(skip)]
    n: usize,
}

#[derive(Clone, Debug, PartialEq, Params)]
struct Ring {
    pts: Vec<Coord>,
}

/// `p.x.sin()`, `ring.pts[1].x.to_radians()`: the field's number, its method differentiated
/// (it was taken for an array field used whole); `p.n.max(1)` stays an integer's.
#[grad]
fn spherical_excess(ring: &Ring) -> f64 {
    let mut s = ring.pts[1].x.to_radians().cos();
    for p in &ring.pts {
        s += p.x.sin() * p.y.to_radians().cos() / p.n.max(1) as f64 + p.y.max(0.0);
    }
    s
}

#[test]
fn float_methods_of_item_fields() {
    let ring = Ring {
        pts: vec![
            Coord {
                x: 0.5,
                y: 30.0,
                n: 0,
            },
            Coord {
                x: 20.0,
                y: 60.0,
                n: 2,
            },
        ],
    };
    let (value, d) = spherical_excess_grad(&ring);
    assert_eq!(value, spherical_excess(&ring));
    check_params_gradient(spherical_excess, &ring, &d).assert_ok();
    let c = 60f64.to_radians().cos();
    let expected = 20f64.cos() * c / 2.0 - 20f64.to_radians().sin().to_radians();
    assert!((d.pts[1].x - expected).abs() < 1e-12);
    assert!(
        (d.pts[0].y - (1.0 - 0.5f64.sin() * 30f64.to_radians().sin().to_radians())).abs() < 1e-12
    );
}
