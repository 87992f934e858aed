//! Models built from layers that have methods: `self.l1.forward(x)`, `net.head.score(&h)`,
//! `l.forward(&h)` for `l` in `&self.layers`. The sub-model's type is not written in the
//! function, so its method's items are reached by method-call syntax
//! (`self.l1.forward_adjoint(x, d_h, &mut d_self.l1, d_x)`).

// Index loops are how the layers and the hand-derived values are written.
#![allow(clippy::needless_range_loop)]

use autodiff::{grad, Const, Params};

#[derive(Clone, Debug, PartialEq, Params)]
pub struct Dense {
    pub w: [[f64; 2]; 2],
    pub b: [f64; 2],
}

#[grad(self, x, modes(tangent))]
impl Dense {
    /// `w x + b`.
    fn forward(&self, x: &[f64; 2]) -> [f64; 2] {
        let mut out = [0.0; 2];
        for i in 0..2 {
            out[i] = self.b[i] + self.w[i][0] * x[0] + self.w[i][1] * x[1];
        }
        out
    }

    /// `w00 x0 + w11 tanh(x1) + b0`.
    fn score(&self, x: &[f64; 2]) -> f64 {
        self.w[0][0] * x[0] + self.w[1][1] * x[1].tanh() + self.b[0]
    }
}

#[derive(Clone, Debug, Params)]
pub struct Mlp {
    pub l1: Dense,
    pub l2: Dense,
}

impl Mlp {
    /// A layer's output through `tanh`, scored by the next.
    #[grad(self, x, modes(tangent))]
    fn loss(&self, x: &[f64; 2]) -> f64 {
        let h = self.l1.forward(x);
        let a = [h[0].tanh(), h[1].tanh()];
        self.l2.score(&a)
    }
}

impl Mlp {
    /// A layer's output lent straight to the next one's method.
    #[grad(self)]
    fn nested(&self, x: &[f64; 2]) -> f64 {
        self.l2.score(&self.l1.forward(x))
    }
}

/// The same loss as a function of the model.
#[grad(net)]
fn loss_of(net: &Mlp, x: &[f64; 2]) -> f64 {
    let h = net.l1.forward(x);
    net.l2.score(&[h[0].tanh(), h[1].tanh()])
}

#[derive(Clone, Debug, Params)]
pub struct Stack {
    pub layers: Vec<Dense>,
}

impl Stack {
    /// The layers in turn, each fed the last one's output.
    #[grad(self)]
    fn deep(&self, x: &[f64; 2]) -> f64 {
        let mut h = *x;
        for l in &self.layers {
            h = l.forward(&h);
        }
        h[0] * h[1]
    }

    /// Layers picked by index.
    #[grad(self)]
    fn picked(&self, x: &[f64; 2]) -> f64 {
        self.layers[0].score(x) + 2.0 * self.layers[2].score(x)
    }

    /// Every layer scoring the same input.
    #[grad(self)]
    fn total(&self, x: &[f64; 2]) -> f64 {
        let mut s = 0.0;
        for l in self.layers.iter() {
            s += l.score(x);
        }
        s
    }
}

fn dense(seed: f64) -> Dense {
    Dense {
        w: [[0.5 * seed, -0.25], [0.75, -0.5 * seed]],
        b: [0.1 * seed, -0.2],
    }
}

/// `f` at `d` moved by `h` in one coordinate of `pick`, minus `f` moved by `-h`, over `2h`.
fn central(f: impl Fn(&Dense) -> f64, d: &Dense, pick: impl Fn(&mut Dense) -> &mut f64) -> f64 {
    let h = 1e-6;
    let (mut up, mut down) = (d.clone(), d.clone());
    *pick(&mut up) += h;
    *pick(&mut down) -= h;
    (f(&up) - f(&down)) / (2.0 * h)
}

fn assert_close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-7 * (1.0 + b.abs()), "{a} vs {b}");
}

#[test]
fn a_sub_models_methods_are_differentiated() {
    let net = Mlp {
        l1: dense(1.0),
        l2: dense(2.0),
    };
    let x = [0.3, -0.7];
    let (value, (d_net, _)) = net.loss_grad(&x);
    let h = net.l1.forward(&x);
    let a = [h[0].tanh(), h[1].tanh()];
    assert_eq!(value, net.l2.score(&a));
    // By hand: d/dl2 of w00 a0 + w11 tanh(a1) + b0.
    assert_eq!(d_net.l2.w, [[a[0], 0.0], [0.0, a[1].tanh()]]);
    assert_eq!(d_net.l2.b, [1.0, 0.0]);
    // d/dl1 through a = tanh(h): da0 = w00 (1 - a0^2), da1 = w11 (1 - tanh(a1)^2) (1 - a1^2).
    let dh = [
        net.l2.w[0][0] * (1.0 - a[0] * a[0]),
        net.l2.w[1][1] * (1.0 - a[1].tanh().powi(2)) * (1.0 - a[1] * a[1]),
    ];
    for i in 0..2 {
        assert_close(d_net.l1.b[i], dh[i]);
        for j in 0..2 {
            assert_close(d_net.l1.w[i][j], dh[i] * x[j]);
        }
    }
    // The free function and the method agree, and with central differences.
    let (value_of, d_of) = loss_of_grad(&net, &x);
    assert_eq!(value_of, value);
    assert_eq!(d_of.l1, d_net.l1);
    assert_eq!(d_of.l2, d_net.l2);
    let with_l1 = |l1: &Dense| {
        Mlp {
            l1: l1.clone(),
            l2: net.l2.clone(),
        }
        .loss(&x)
    };
    assert_close(
        d_net.l1.w[1][0],
        central(with_l1, &net.l1, |d| &mut d.w[1][0]),
    );
    // `_adjoint` adds into the sub-models' shadows; the input's derivative through both.
    let mut g = net.zeros_like();
    let mut d_x = [0.0; 2];
    net.loss_adjoint(&x, 2.0, &mut g, &mut d_x);
    assert_eq!(g.l2.w[0][0], 2.0 * d_net.l2.w[0][0]);
    for j in 0..2 {
        let by_hand = 2.0 * (dh[0] * net.l1.w[0][j] + dh[1] * net.l1.w[1][j]);
        assert_close(d_x[j], by_hand);
    }
    // Forward mode: the tangent along x's first coordinate is d_x[0] / 2.
    let (_, t) = net.loss_tangent(&x, Const, &[1.0, 0.0]);
    assert_close(t, d_x[0] / 2.0);
}

#[test]
fn a_layers_output_lent_to_the_next_and_layers_picked_by_index() {
    let net = Mlp {
        l1: dense(1.0),
        l2: dense(2.0),
    };
    let x = [0.3, -0.7];
    let h = net.l1.forward(&x);
    let (value, d) = net.nested_grad(&x);
    assert_eq!(value, net.l2.score(&h));
    assert_eq!(d.l2.w, [[h[0], 0.0], [0.0, h[1].tanh()]]);
    // Through h: d/dh = (w00, w11 (1 - tanh(h1)^2)), and h = w x + b.
    let dh = [net.l2.w[0][0], net.l2.w[1][1] * (1.0 - h[1].tanh().powi(2))];
    assert_eq!(d.l1.b, dh);
    assert_eq!(
        d.l1.w,
        [[dh[0] * x[0], dh[0] * x[1]], [dh[1] * x[0], dh[1] * x[1]]]
    );

    let stack = Stack {
        layers: vec![dense(1.0), dense(-0.5), dense(2.0)],
    };
    let (value, d) = stack.picked_grad(&x);
    assert_eq!(
        value,
        stack.layers[0].score(&x) + 2.0 * stack.layers[2].score(&x)
    );
    let by_hand = |k: f64| ([[k * x[0], 0.0], [0.0, k * x[1].tanh()]], [k, 0.0]);
    for (layer, k) in d.layers.iter().zip([1.0, 0.0, 2.0]) {
        assert_eq!((layer.w, layer.b), by_hand(k));
    }
}

#[test]
fn methods_of_each_layer_of_a_sequence() {
    let stack = Stack {
        layers: vec![dense(1.0), dense(-0.5), dense(2.0)],
    };
    let x = [0.4, 0.9];
    let (value, d_stack) = stack.deep_grad(&x);
    let mut h = x;
    for l in &stack.layers {
        h = l.forward(&h);
    }
    assert_eq!(value, h[0] * h[1]);
    // The last layer by hand: d/dw_ij of h0 h1 = (h1, h0)_i * input_j.
    let input = stack.layers[..2].iter().fold(x, |h, l| l.forward(&h));
    let d_out = [h[1], h[0]];
    for i in 0..2 {
        assert_close(d_stack.layers[2].b[i], d_out[i]);
        for j in 0..2 {
            assert_close(d_stack.layers[2].w[i][j], d_out[i] * input[j]);
        }
    }
    // The first layer, against central differences.
    for (i, j) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
        let numeric = central(
            |first| {
                let mut s = stack.clone();
                s.layers[0] = first.clone();
                s.deep(&x)
            },
            &stack.layers[0],
            |d| &mut d.w[i][j],
        );
        assert_close(d_stack.layers[0].w[i][j], numeric);
    }
    let (total, d_total) = stack.total_grad(&x);
    assert_eq!(total, stack.layers.iter().map(|l| l.score(&x)).sum::<f64>());
    for l in &d_total.layers {
        assert_eq!(l.w, [[x[0], 0.0], [0.0, x[1].tanh()]]);
        assert_eq!(l.b, [1.0, 0.0]);
    }
}

/// A layer of any width, its rows read in chains.
#[derive(Clone, Debug, PartialEq, Params)]
pub struct Linear {
    pub w: Vec<Vec<f64>>,
    pub b: Vec<f64>,
}

#[grad(self, x)]
impl Linear {
    /// `w x + b`, a row at a time: the matrix field's rows zipped with the bias.
    fn forward(&self, x: &[f64]) -> Vec<f64> {
        self.w
            .iter()
            .zip(&self.b)
            .map(|(row, b)| row.iter().zip(x).map(|(w, x)| w * x).sum::<f64>() + b)
            .collect()
    }

    /// `sum_i (w x)_i^2`, its rows folded.
    fn energy(&self, x: &[f64]) -> f64 {
        self.w.iter().fold(0.0, |acc, row| {
            let z: f64 = row.iter().zip(x).map(|(w, x)| w * x).sum();
            acc + z * z
        })
    }
}

#[derive(Clone, Debug, Params)]
pub struct Regressor {
    pub hidden: Linear,
}

impl Regressor {
    #[grad(self)]
    fn loss(&self, x: &[f64]) -> f64 {
        let h = self.hidden.forward(x);
        h.iter().map(|v| v * v).sum::<f64>() + self.hidden.energy(x)
    }
}

/// A layer's output iterated in a chain that collects (`self.hidden.forward(x).iter()
/// .map(..).collect()`), and an embedding row copied to a local then indexed (`let e =
/// self.emb[k]; e[0] * e[1]`): were an unsupported adaptor `forward`, and the field taken for
/// numbers.
#[derive(Clone, Debug, Params)]
pub struct Embedded {
    pub hidden: Linear,
    pub emb: Vec<[f64; 2]>,
}

#[grad(self)]
impl Embedded {
    fn relu_sum(&self, x: &[f64], ids: &[usize]) -> f64 {
        let h: Vec<f64> = self.hidden.forward(x).iter().map(|v| v.max(0.0)).collect();
        let mut s: f64 = h.iter().sum();
        for &k in ids {
            let e = self.emb[k];
            s += e[0] * e[1];
        }
        s
    }
}

#[test]
fn a_layers_output_is_collected_and_rows_are_copied() {
    let model = Embedded {
        hidden: Linear {
            w: vec![vec![0.5, -1.0, 0.25], vec![2.0, 0.0, -0.5]],
            b: vec![0.1, -0.3],
        },
        emb: vec![[0.3, -0.4], [0.8, 0.1]],
    };
    let x = [1.0, 2.0, -1.0];
    let (value, d) = model.relu_sum_grad(&x, &[1, 0, 1]);
    assert_eq!(value, model.relu_sum(&x, &[1, 0, 1]));
    // h = (-1.65, 2.2): only the second unit passes; e1 counted twice, e0 once.
    assert_eq!(d.hidden.w, vec![vec![0.0; 3], x.to_vec()]);
    assert_eq!(d.hidden.b, vec![0.0, 1.0]);
    assert_eq!(d.emb, vec![[-0.4, 0.3], [0.2, 1.6]]);
}

#[test]
fn rows_of_a_layers_matrix_read_in_chains() {
    let hidden = Linear {
        w: vec![vec![0.5, -1.0, 0.25], vec![2.0, 0.0, -0.5]],
        b: vec![0.1, -0.3],
    };
    let x = [1.0, 2.0, -1.0];
    let model = Regressor { hidden };
    let (value, d) = model.loss_grad(&x);
    let h = model.hidden.forward(&x);
    let z: Vec<f64> = h.iter().zip(&model.hidden.b).map(|(h, b)| h - b).collect();
    assert_eq!(h, vec![0.5 - 2.0 - 0.25 + 0.1, 2.0 + 0.5 - 0.3]);
    assert_close(
        value,
        h.iter().map(|v| v * v).sum::<f64>() + z.iter().map(|v| v * v).sum::<f64>(),
    );
    // d/dw_ij = (2 h_i + 2 z_i) x_j, d/db_i = 2 h_i.
    for i in 0..2 {
        assert_close(d.hidden.b[i], 2.0 * h[i]);
        for j in 0..3 {
            assert_close(d.hidden.w[i][j], (2.0 * h[i] + 2.0 * z[i]) * x[j]);
        }
    }
}

/// A layer as a trait, implemented for a generic model; the network's method carries its
/// own `#[grad]` inside `impl<T: Float> Net<T>`, whose `T` the attribute does not see.
pub trait Layer<T> {
    fn forward(&self, x: &[T]) -> Vec<T>;
}

#[derive(Clone, Debug, Params)]
pub struct Tanh<T> {
    pub w: Vec<Vec<T>>,
    pub b: Vec<T>,
}

#[grad(self, x)]
impl<T: autodiff::Float + std::iter::Sum> Layer<T> for Tanh<T> {
    fn forward(&self, x: &[T]) -> Vec<T> {
        let mut out = Vec::with_capacity(self.b.len());
        for (row, &b) in self.w.iter().zip(&self.b) {
            let z: T = row.iter().zip(x).map(|(&w, &v)| w * v).sum();
            out.push((z + b).tanh());
        }
        out
    }
}

#[derive(Clone, Debug, Params)]
pub struct Net<T> {
    pub hidden: Tanh<T>,
    pub out: Tanh<T>,
}

impl<T: autodiff::Float + std::iter::Sum> Net<T> {
    #[grad(self)]
    fn loss(&self, x: &[T], y: T) -> T {
        let h = self.hidden.forward(x);
        let o = self.out.forward(&h);
        (o[0] - y).powi(2)
    }
}

#[test]
fn trait_layers_of_a_generic_model() {
    let net = Net {
        hidden: Tanh {
            w: vec![vec![0.1, 0.2], vec![0.3, -0.4]],
            b: vec![0.0, 0.1],
        },
        out: Tanh {
            w: vec![vec![0.5, -0.5]],
            b: vec![0.2],
        },
    };
    let (x, y): ([f64; 2], f64) = ([1.0, 2.0], 0.3);
    let (value, d) = net.loss_grad(&x, y);
    let h = net.hidden.forward(&x);
    let o = net.out.forward(&h)[0];
    assert_eq!(value, (o - y).powi(2));
    // Output layer by hand: d/dz = 2 (o - y) (1 - o^2), d/dw_j = that h_j.
    let dz = 2.0 * (o - y) * (1.0 - o * o);
    assert_close(d.out.b[0], dz);
    assert_close(d.out.w[0][1], dz * h[1]);
    // The hidden layer against central differences, in f64 and through f32.
    for (i, j) in [(0, 0), (1, 0), (1, 1)] {
        let h = 1e-6;
        let (mut up, mut down) = (net.clone(), net.clone());
        up.hidden.w[i][j] += h;
        down.hidden.w[i][j] -= h;
        let numeric = (up.loss(&x, y) - down.loss(&x, y)) / (2.0 * h);
        assert_close(d.hidden.w[i][j], numeric);
    }
    let narrow = Net {
        hidden: Tanh {
            w: vec![vec![0.1f32, 0.2], vec![0.3, -0.4]],
            b: vec![0.0, 0.1],
        },
        out: Tanh {
            w: vec![vec![0.5, -0.5]],
            b: vec![0.2],
        },
    };
    let (value32, _) = narrow.loss_grad(&[1.0, 2.0], 0.3);
    assert!((value32 as f64 - value).abs() < 1e-6);
}

/// A layer whose method validates its input: `?` and `.unwrap()` on a sub-model's call.
#[derive(Clone, Debug, Params)]
pub struct Checked {
    pub w: Vec<f64>,
}

#[grad(self, x)]
impl Checked {
    fn forward(&self, x: &[f64]) -> Result<f64, String> {
        if x.len() != self.w.len() {
            return Err(format!("{} inputs for {} weights", x.len(), self.w.len()));
        }
        Ok(self.w.iter().zip(x).map(|(w, v)| w * v).sum())
    }
}

#[derive(Clone, Debug, Params)]
pub struct Pair {
    pub a: Checked,
    pub b: Checked,
}

impl Pair {
    #[grad(self)]
    fn product(&self, x: &[f64]) -> Result<f64, String> {
        let u = self.a.forward(x)?;
        Ok(u * self.b.forward(x).unwrap())
    }
}

#[test]
fn fallible_methods_of_sub_models() {
    let pair = Pair {
        a: Checked { w: vec![1.0, 2.0] },
        b: Checked { w: vec![-1.0, 0.5] },
    };
    let x = [3.0, 4.0];
    let (u, v) = (3.0 + 8.0, -3.0 + 2.0);
    let (value, d) = pair.product_grad(&x).unwrap();
    assert_eq!(value, u * v);
    // d/da = v x, d/db = u x.
    assert_eq!(d.a.w, vec![v * 3.0, v * 4.0]);
    assert_eq!(d.b.w, vec![u * 3.0, u * 4.0]);
    assert_eq!(
        pair.product_grad(&[1.0]).unwrap_err(),
        "1 inputs for 2 weights"
    );
}

impl Mlp {
    /// Elements of the arrays sub-models' methods return, indexed where they are called.
    #[grad(self)]
    fn elements(&self, x: &[f64; 2]) -> f64 {
        self.l1.forward(x)[1] * self.l2.forward(&self.l1.forward(x))[0]
    }
}

#[test]
fn elements_of_returned_arrays() {
    let net = Mlp {
        l1: dense(1.0),
        l2: dense(-2.0),
    };
    let x = [0.5, -1.5];
    let (value, d) = net.elements_grad(&x);
    let h = net.l1.forward(&x);
    let g = net.l2.forward(&h);
    assert_close(value, h[1] * g[0]);
    // d/db2_0 = h_1; d/db1_1 = g_0 + h_1 w2_01.
    assert_close(d.l2.b[0], h[1]);
    assert_close(d.l1.b[1], g[0] + h[1] * net.l2.w[0][1]);
    let by_l1 = |l1: &Dense| {
        Mlp {
            l1: l1.clone(),
            l2: net.l2.clone(),
        }
        .elements(&x)
    };
    assert_close(d.l1.w[1][0], central(by_l1, &net.l1, |m| &mut m.w[1][0]));
}

// ----- an item of a sequence bound to a local (probe) -----
// `let cell = &self.cells[k]; cell.step(h)` was rejected as "not a float method" (`step` has
// `#[grad(self, x)]`); the alias reads the item in place now.

#[derive(Clone, Debug, PartialEq, Params)]
pub struct Cell {
    pub w: f64,
    pub u: f64,
}

#[grad(self, x)]
impl Cell {
    fn step(&self, x: f64) -> f64 {
        (self.w * x + self.u).tanh()
    }
}

#[derive(Clone, Debug, PartialEq, Params)]
pub struct CellStack {
    pub cells: Vec<Cell>,
    pub scale: f64,
}

#[grad]
fn gated(cell: &Cell, h: f64) -> f64 {
    cell.u * h * h
}

#[grad(self, x)]
impl CellStack {
    /// Every cell in turn, each bound to a local first; the last one's field read through
    /// its alias, and the alias handed to a function, also borrowed again as people write.
    #[allow(clippy::needless_borrow)]
    fn run(&self, x: f64) -> f64 {
        let mut h = x;
        for k in 0..self.cells.len() {
            let cell = &self.cells[k];
            h = cell.step(h) + 0.5 * cell.w;
        }
        let last = &self.cells[self.cells.len() - 1];
        self.scale * h + last.u * h + gated(last, h) + gated(&last, 0.5)
    }
}

#[test]
fn items_bound_to_locals_read_in_place() {
    let stack = CellStack {
        cells: vec![
            Cell { w: 0.7, u: -0.2 },
            Cell { w: -1.1, u: 0.4 },
            Cell { w: 0.3, u: 0.1 },
        ],
        scale: 1.5,
    };
    let x = 0.8;
    let (value, (d_stack, d_x)) = stack.run_grad(x);
    assert_eq!(value, stack.run(x));
    let h = 1e-6;
    // central differences, parameter by parameter
    let mut flat = vec![stack.scale];
    for c in &stack.cells {
        flat.extend([c.w, c.u]);
    }
    let rebuild = |v: &[f64]| CellStack {
        scale: v[0],
        cells: (0..3)
            .map(|k| Cell {
                w: v[1 + 2 * k],
                u: v[2 + 2 * k],
            })
            .collect(),
    };
    let mut analytic = vec![d_stack.scale];
    for c in &d_stack.cells {
        analytic.extend([c.w, c.u]);
    }
    let f = |v: &[f64]| rebuild(v).run(x);
    for i in 0..flat.len() {
        let (mut a, mut b) = (flat.clone(), flat.clone());
        a[i] += h;
        b[i] -= h;
        let fd = (f(&a) - f(&b)) / (2.0 * h);
        assert!(
            (analytic[i] - fd).abs() < 1e-7,
            "{i}: {} vs {fd}",
            analytic[i]
        );
    }
    let fd_x = (stack.run(x + h) - stack.run(x - h)) / (2.0 * h);
    assert!((d_x - fd_x).abs() < 1e-7);
}

// ----- an item named like its method (probe: ensembles of Q functions) -----
// `for q in &e.qs { q.q(x) }`: the method's name was counted as a use of the item, so the
// loop was not taken for one lending the items to their method.

#[derive(Clone, Debug, PartialEq, Params)]
pub struct QHead {
    w: [f64; 2],
}

#[grad(self)]
impl QHead {
    pub fn q(&self, x: &[f64; 2]) -> f64 {
        self.w[0] * x[0] + self.w[1] * x[1]
    }
}

#[derive(Clone, Debug, PartialEq, Params)]
pub struct QEnsemble {
    qs: Vec<QHead>,
}

#[grad(e)]
fn ensemble_min(e: &QEnsemble, x: &[f64; 2]) -> f64 {
    let mut m = f64::INFINITY;
    for q in &e.qs {
        m = m.min(q.q(x));
    }
    m
}

#[test]
fn items_named_like_their_method() {
    let e = QEnsemble {
        qs: vec![QHead { w: [1.0, 2.0] }, QHead { w: [-1.0, 0.5] }],
    };
    let (value, g) = ensemble_min_grad(&e, &[2.0, 1.0]);
    assert_eq!(value, -1.5);
    assert_eq!(g.qs, vec![QHead { w: [0.0, 0.0] }, QHead { w: [2.0, 1.0] }]);
}

// ---- a chain over a model's rows zipped with its bias, rows lent to a helper (NN probe) ----
// `w.iter().zip(&b).map(|(row, b)| dot(row, x) + b)` took the rows for numbers (E0277 in the
// generated code): in a chain, an item only handed to calls is a row.

#[grad]
fn dot2(a: &[f64; 2], b: &[f64; 2]) -> f64 {
    a[0] * b[0] + a[1] * b[1]
}

#[grad]
fn dot_slice(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| p * q).sum()
}

#[derive(Clone, Debug, Params)]
pub struct Affine {
    pub w: [[f64; 2]; 2],
    pub b: [f64; 2],
}

#[derive(Clone, Debug, Params)]
pub struct AffineVec {
    pub w: Vec<Vec<f64>>,
    pub b: Vec<f64>,
}

#[grad(net)]
fn zipped_rows_and_bias(net: &Affine, x: &[f64; 2]) -> f64 {
    net.w
        .iter()
        .zip(&net.b)
        .map(|(row, b)| (dot2(row, x) + b).tanh())
        .sum()
}

#[grad(self, x)]
impl Affine {
    /// The bias first, zipped with the rows.
    fn score(&self, x: &[f64; 2]) -> f64 {
        self.b
            .iter()
            .zip(&self.w)
            .map(|(b, row)| (dot2(row, x) + b).tanh())
            .sum()
    }

    /// Enumerated rows, the bias read at the index.
    fn enumerated(&self, x: &[f64; 2]) -> f64 {
        self.w
            .iter()
            .enumerate()
            .map(|(i, row)| (dot2(row, x) + self.b[i]).powi(2))
            .sum()
    }
}

#[grad(net)]
fn zipped_vec_rows(net: &AffineVec, x: &[f64]) -> f64 {
    net.w
        .iter()
        .zip(&net.b)
        .map(|(row, b)| (dot_slice(row, x) + b).sin())
        .sum()
}

#[test]
fn rows_zipped_with_a_bias_are_lent_to_helpers() {
    use autodiff::gradcheck::check_params_gradient;
    let net = Affine {
        w: [[1.0, 2.0], [-0.5, 0.25]],
        b: [0.5, -0.3],
    };
    let x = [0.1, -0.2];
    let (_, g) = zipped_rows_and_bias_grad(&net, &x);
    check_params_gradient(|m: &Affine| zipped_rows_and_bias(m, &x), &net, &g).assert_ok();
    let (v, (g, _)) = net.score_grad(&x);
    assert_eq!(v, zipped_rows_and_bias(&net, &x));
    check_params_gradient(|m: &Affine| m.score(&x), &net, &g).assert_ok();
    let (_, (g, _)) = net.enumerated_grad(&x);
    check_params_gradient(|m: &Affine| m.enumerated(&x), &net, &g).assert_ok();
    let net = AffineVec {
        w: vec![vec![1.0, 2.0, 0.5], vec![-0.5, 0.25, 1.5]],
        b: vec![0.5, -0.3],
    };
    let x = [0.3, -0.2, 0.7];
    let (_, g) = zipped_vec_rows_grad(&net, &x);
    check_params_gradient(|m: &AffineVec| zipped_vec_rows(m, &x), &net, &g).assert_ok();
}

// ---- a skipped integer field read through a local used as an index (NN probe) ----

#[derive(Clone, Debug, PartialEq, Params)]
pub struct Strided {
    pub w: Vec<f64>,
    #[params(skip)]
    pub stride: usize,
}

impl Strided {
    /// `let start = t * self.stride;` then `x[start]`: `stride` is an integer, as it is in
    /// `x[t * self.stride]` (it was taken for a float: "cannot index with a float").
    #[grad(self, x)]
    fn strided(&self, x: &[f64]) -> f64 {
        let mut s = 0.0;
        for t in 0..self.w.len() {
            let start = t * self.stride;
            s += self.w[t] * x[start] * x[start + 1];
        }
        s
    }
}

#[test]
fn a_skipped_size_read_through_an_index_local() {
    let m = Strided {
        w: vec![1.0, 2.0],
        stride: 2,
    };
    let x = [1.0, 2.0, 3.0, 4.0];
    // w0 x0 x1 + w1 x2 x3
    let (v, (g, dx)) = m.strided_grad(&x);
    assert_eq!(v, 2.0 + 24.0);
    assert_eq!(g.w, vec![2.0, 12.0]);
    assert_eq!(dx, vec![2.0, 1.0, 8.0, 6.0]);
}
