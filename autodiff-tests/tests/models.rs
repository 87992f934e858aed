//! Models as structs: `#[grad]` on functions of a model parameter.
#![allow(clippy::needless_range_loop)] // index loops are what the models read
use autodiff::gradcheck::check_params_gradient;
use autodiff::optim::Params;
use autodiff::{grad, Const};

#[derive(Clone, Debug, Default, PartialEq, autodiff::Params)]
struct Dense {
    w: [[f64; 3]; 2],
    b: [f64; 2],
}

#[derive(Clone, Debug, Default, PartialEq, autodiff::Params)]
struct Net {
    w1: [[f64; 3]; 2],
    b1: [f64; 2],
    w2: [f64; 2],
    b2: f64,
}

#[grad(net)]
fn loss(net: &Net, x: &[f64; 3], y: f64) -> f64 {
    let mut out = net.b2;
    for j in 0..2 {
        let mut z = net.b1[j];
        for k in 0..3 {
            z += net.w1[j][k] * x[k];
        }
        out += net.w2[j] * z.tanh();
    }
    (out - y) * (out - y)
}

fn net() -> Net {
    Net {
        w1: [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]],
        b1: [0.1, -0.1],
        w2: [0.7, -0.8],
        b2: 0.05,
    }
}

#[test]
fn struct_model_gradient() {
    let net = net();
    let x = [1.0, 2.0, -1.0];
    let (v, g) = loss_grad(&net, &x, 0.3);
    let mut acc = Net::default();
    let v2 = loss_adjoint(&net, &x, 0.3, 1.0, &mut acc, Const, Const);
    assert_eq!(v, v2);
    assert_eq!(g, acc);
    let eps = 1e-6;
    let mut p = net.clone();
    p.w1[1][2] += eps;
    let mut m = net.clone();
    m.w1[1][2] -= eps;
    let fd = (loss(&p, &x, 0.3) - loss(&m, &x, 0.3)) / (2.0 * eps);
    assert!((fd - g.w1[1][2]).abs() < 1e-6, "{fd} {}", g.w1[1][2]);
    let mut p = net.clone();
    p.b2 += eps;
    let mut m = net.clone();
    m.b2 -= eps;
    let fd = (loss(&p, &x, 0.3) - loss(&m, &x, 0.3)) / (2.0 * eps);
    assert!((fd - g.b2).abs() < 1e-6, "{fd} {}", g.b2);
}

#[derive(Clone, Debug, Default, PartialEq, autodiff::Params)]
struct Deep {
    l1: Dense,
    l2: Dense,
    out: [f64; 2],
}

#[grad]
fn unit(l: &Dense, x: &[f64; 3], j: usize) -> f64 {
    let mut z = l.b[j];
    for k in 0..3 {
        z += l.w[j][k] * x[k];
    }
    z.tanh()
}

#[grad]
fn score(l: &Dense, x: &[f64; 3]) -> f64 {
    unit(l, x, 0) * unit(l, x, 1)
}

#[grad(net)]
fn deep_loss(net: &Deep, x: &[f64; 3]) -> f64 {
    let a = score(&net.l1, x);
    let b = unit(&net.l2, x, 1);
    let c = net.l2.b[0] * net.out[1];
    a * net.out[0] + b + c
}

#[grad]
fn whole(net: &Deep, x: &[f64; 3]) -> f64 {
    deep_loss(net, x) + net.l1.w[0][0] * net.out[1]
}

/// Checks the gradient `g` of `f` at `m` by central differences, coordinate by coordinate.
fn fd_check<M: Params<Scalar = f64> + Clone>(f: impl Fn(&M) -> f64, m: &M, g: &M) {
    check_params_gradient(f, m, g).assert_ok();
}

/// `m` with every parameter set to a distinct value in (-1, 1), starting at `first`.
fn filled<M: Params<Scalar = f64>>(mut m: M, first: f64) -> M {
    let mut v = first;
    m.for_each_slice_mut(|s| {
        for x in s.values {
            *x = v;
            v = -(v * 1.7 + 0.05) % 1.0;
        }
    });
    m
}

fn deep() -> Deep {
    filled(Deep::default(), 0.1)
}

#[test]
fn nested_models_and_whole_models() {
    let net = deep();
    let x = [0.5, -1.0, 2.0];
    let (_, g) = deep_loss_grad(&net, &x);
    fd_check(|m: &Deep| deep_loss(m, &x), &net, &g);
    let (_, (g, _)) = whole_grad(&net, &x);
    fd_check(|m: &Deep| whole(m, &x), &net, &g);
    let mut acc = Deep::default();
    deep_loss_adjoint(&net, &x, 1.0, Const, &mut [0.0; 3]);
    whole_adjoint(&net, &x, 2.0, &mut acc, Const);
    let (_, (g1, _)) = whole_grad(&net, &x);
    assert!((acc.l1.w[0][1] - 2.0 * g1.l1.w[0][1]).abs() < 1e-12);
}

// ---- generic models, Vec fields, iterator chains over fields ----

#[derive(Clone, Debug, PartialEq, autodiff::Params)]
struct Line<T> {
    w: Vec<T>,
    b: T,
}

#[grad]
fn line_out<T: autodiff::Float>(m: &Line<T>, x: &[T]) -> T {
    let z = m.w.iter().zip(x).fold(m.b, |acc, (w, x)| acc + *w * *x);
    z.tanh() * T::from(m.w.len()).unwrap()
}

#[test]
fn generic_models_in_f32_and_f64() {
    let m = Line {
        w: vec![0.5, -0.25, 0.125],
        b: 0.1,
    };
    let x = [1.0, 2.0, -3.0];
    let (_, (g, _)) = line_out_grad(&m, &x);
    fd_check(|m: &Line<f64>| line_out(m, &x), &m, &g);

    let m32 = Line {
        w: vec![0.5f32, -0.25, 0.125],
        b: 0.1,
    };
    let (v32, (g32, _)) = line_out_grad(&m32, &[1.0, 2.0, -3.0]);
    assert!((f64::from(v32) - line_out(&m, &x)).abs() < 1e-6);
    for (a, b) in g32.w.iter().zip(&g.w) {
        assert!((f64::from(*a) - b).abs() < 1e-5);
    }
    // A `Vec` field of the gradient must be as long as the model's.
    let short = Line {
        w: vec![0.0],
        b: 0.0,
    };
    let result = std::panic::catch_unwind(move || {
        let mut short = short;
        line_out_adjoint(&m, &x, 1.0, &mut short, Const);
    });
    assert!(result.is_err());
}

// ---- by value, aliases, rows lent to calls, `.len()` ----

#[grad]
fn dot3(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

#[grad]
fn rows_by_value(m: Dense, x: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    for j in 0..m.w.len() {
        s += dot3(&m.w[j], x) * m.b[j];
    }
    s
}

#[grad]
fn aliases(m: &Dense, x: &[f64; 3]) -> f64 {
    let w = &m.w;
    let mut b = m.b;
    b[1] *= 2.0;
    let mut s = 0.0;
    for j in 0..2 {
        for k in 0..3 {
            s += w[j][k] * x[k] * b[j];
        }
    }
    s + m.b.iter().map(|v| v * v).sum::<f64>()
}

/// A matrix field copied whole (`let mut w = m.w;`), changed, and read by rows; a 1-D field
/// copied beside it and iterated.
#[grad(m, modes(tangent))]
fn copied_matrix(m: &Dense, x: &[f64; 3]) -> f64 {
    let mut w = m.w;
    w[0][0] *= 2.0;
    w[1][2] = w[1][2] * w[0][1] + m.b[0];
    let b = m.b;
    let mut s = 0.0;
    for (row, bj) in w.iter().zip(b.iter()) {
        s += row.iter().zip(x).map(|(a, v)| a * v).sum::<f64>().tanh() * bj;
    }
    s
}

fn dense() -> Dense {
    Dense {
        w: [[1.0, 2.0, 3.0], [0.5, -1.0, 0.25]],
        b: [0.3, -0.7],
    }
}

#[test]
fn models_by_value_aliases_and_rows() {
    let x = [1.0, 0.0, -1.0];
    let (v, (g, _)) = rows_by_value_grad(dense(), &x);
    assert!((v - -0.775).abs() < 1e-12);
    assert_eq!(g.w, [[0.3, 0.0, -0.3], [-0.7, 0.0, 0.7]]);
    assert_eq!(g.b, [-2.0, 0.25]);
    let (_, (g, _)) = aliases_grad(&dense(), &x);
    fd_check(|m: &Dense| aliases(m, &x), &dense(), &g);
}

#[test]
fn a_matrix_field_copied_into_a_local() {
    let x = [0.4, -0.3, 0.8];
    let (v, g) = copied_matrix_grad(&dense(), &x);
    assert_eq!(v, copied_matrix(&dense(), &x));
    fd_check(|m: &Dense| copied_matrix(m, &x), &dense(), &g);
    // The tangent along the gradient is its squared norm.
    let (tv, t) = copied_matrix_tangent(&dense(), &x, &g, Const);
    assert_eq!(tv, v);
    let norm2: f64 = g.w.iter().flatten().chain(&g.b).map(|v| v * v).sum();
    assert!((t - norm2).abs() < 1e-12 * norm2.max(1.0), "{t} vs {norm2}");
}

// ---- sequences of sub-models, data structs beside a model ----

#[derive(Clone, Debug, PartialEq, autodiff::Params)]
struct Stack {
    layers: [Dense; 2],
    scale: f64,
}

/// A data struct: not a model, never differentiated.
struct Config {
    weights: [f64; 2],
    offset: f64,
}

#[grad(net)]
fn stack_loss(net: &Stack, cfg: &Config, x: &[f64; 3]) -> f64 {
    let mut total = cfg.offset;
    for i in 0..2 {
        total += cfg.weights[i] * score(&net.layers[i], x);
    }
    total * net.scale
}

/// The same sum, iterating over the layers.
#[grad(net)]
fn stack_loss_by_iteration(net: &Stack, cfg: &Config, x: &[f64; 3]) -> f64 {
    let mut total = cfg.offset;
    for layer in &net.layers {
        total += cfg.weights[1] * score(layer, x);
    }
    for layer in net.layers.iter() {
        total += 0.5 * unit(layer, x, 1);
    }
    total * net.scale
}

#[test]
fn sequences_of_sub_models_and_data_structs() {
    let net = Stack {
        layers: [
            dense(),
            Dense {
                b: [0.1, 0.2],
                ..dense()
            },
        ],
        scale: 0.5,
    };
    let cfg = Config {
        weights: [1.0, -2.0],
        offset: 0.25,
    };
    let x = [0.2, -0.4, 0.6];
    let (_, g) = stack_loss_grad(&net, &cfg, &x);
    fd_check(|m: &Stack| stack_loss(m, &cfg, &x), &net, &g);
    // The config takes no shadow: the adjoint's shadows are the model's and `x`'s.
    let mut acc = net.zeros_like();
    stack_loss_adjoint(&net, &cfg, &x, 1.0, &mut acc, Const);
    assert_eq!(acc, g);
    let (_, g) = stack_loss_by_iteration_grad(&net, &cfg, &x);
    fd_check(|m: &Stack| stack_loss_by_iteration(m, &cfg, &x), &net, &g);
}

// ---- the struct model against the same loss with positional parameters ----

#[grad]
fn positional_loss(
    w1: &[[f64; 3]; 2],
    b1: &[f64; 2],
    w2: &[f64; 2],
    b2: f64,
    x: &[f64; 3],
    y: f64,
) -> f64 {
    let mut out = b2;
    for j in 0..2 {
        let mut z = b1[j];
        for k in 0..3 {
            z += w1[j][k] * x[k];
        }
        out += w2[j] * z.tanh();
    }
    (out - y) * (out - y)
}

#[test]
fn struct_and_positional_gradients_agree_exactly() {
    let net = net();
    let x = [1.0, 2.0, -1.0];
    let (v, g) = loss_grad(&net, &x, 0.3);
    let (vp, (w1, b1, w2, b2, _, _)) =
        positional_loss_grad(&net.w1, &net.b1, &net.w2, net.b2, &x, 0.3);
    assert_eq!(v, vp);
    assert_eq!(g, Net { w1, b1, w2, b2 });
    // `Const` for the model: only the data's gradient is computed.
    let mut d_x = [0.0; 3];
    loss_adjoint(&net, &x, 0.3, 1.0, Const, &mut d_x, Const);
    let (_, (.., d_x_positional, _)) =
        positional_loss_grad(&net.w1, &net.b1, &net.w2, net.b2, &x, 0.3);
    assert_eq!(d_x, d_x_positional);
}

// ---- destructured models and data structs (found by a probe of real-style code) ----

/// `loss`, its model taken apart by a struct pattern: each field by reference, as Rust binds
/// it, an array indexed, a number read through `*` and through arithmetic on the reference.
#[grad(net)]
fn destructured_loss(net: &Net, x: &[f64; 3], y: f64) -> f64 {
    let Net { w1, b1, w2, b2 } = net;
    let mut out = *b2;
    for j in 0..2 {
        let mut z = b1[j];
        for k in 0..3 {
            z += w1[j][k] * x[k];
        }
        out += w2[j] * z.tanh();
    }
    (out - y) * (out - y)
}

/// The same model read through a tuple of aliases, a field renamed in the pattern.
#[grad(net)]
fn aliased_loss(net: &Net, x: &[f64; 3], y: f64) -> f64 {
    let (w1, b1) = (&net.w1, net.b1);
    let Net {
        w2: out_weights,
        b2: bias,
        ..
    } = net;
    let mut out = bias + 0.0;
    for j in 0..2 {
        let z: f64 = w1[j].iter().zip(x).map(|(w, v)| w * v).sum::<f64>() + b1[j];
        out += out_weights[j] * z.tanh();
    }
    (out - y) * (out - y)
}

impl Dense {
    /// A method taking its model apart, `..` for a field it leaves.
    #[grad(self)]
    fn first_unit(&self, x: &[f64; 3]) -> f64 {
        let Self { w, b } = self;
        let Self { b: bias, .. } = *self;
        (dot3(&w[0], x) + b[0]).tanh() + bias[1]
    }
}

/// A nested pattern, and a sub-model copied out field by field (`[f64; N]` is `Copy`).
#[grad(net)]
fn nested_patterns(net: &Deep, x: &[f64; 3]) -> f64 {
    let Deep {
        l1: Dense { w, .. },
        out,
        ..
    } = net;
    let Dense { w: w2, b: b2 } = net.l2;
    dot3(&w[1], x) * out[0] + w2[0][2] * b2[1] + out[1].exp()
}

/// A data struct taken apart: references the body dereferences (`*offset`), indexes and
/// bounds a loop with.
struct Shifts {
    weights: Vec<f64>,
    offset: f64,
    n: usize,
}

#[grad(x)]
fn shifted(x: &[f64], cfg: &Shifts) -> f64 {
    let Shifts { weights, offset, n } = cfg;
    let count = &cfg.n;
    let mut s = *offset;
    for i in 0..*n {
        s += weights[i] * (x[i] - offset).powi(2);
    }
    s / *count as f64
}

/// Data structs taken apart by position and by name, passed by value, returned by a call,
/// bound `ref` and copied `mut`.
#[derive(Clone, Copy)]
struct Weight(f64, f64, f64);

fn shape(n: usize) -> Shifts {
    Shifts {
        weights: vec![0.5; n],
        offset: 1.0,
        n,
    }
}

#[grad(x)]
fn unpacked(x: &[f64], w: Weight, cfg: &Shifts) -> f64 {
    let Weight(first, ..) = w;
    let Weight(.., last) = w;
    let Weight(_, middle, _) = w;
    let Shifts { weights, mut n, .. } = shape(cfg.n);
    let Shifts { ref offset, .. } = *cfg;
    n -= 1;
    let mut s = 0.0;
    for i in 0..n {
        s += weights[i] * x[i] * first - last * offset * x[i + 1];
    }
    s + middle
}

/// A model's array copied to change (`mut b`), another bound `ref`.
#[grad(m)]
fn changed_copy(m: &Dense, x: &[f64; 3]) -> f64 {
    let Dense { ref w, mut b } = *m;
    b[1] *= 3.0;
    dot3(&w[0], x) + b[1] * b[0]
}

#[test]
fn destructured_models_agree_with_field_reads() {
    let net = net();
    let x = [1.0, 2.0, -1.0];
    let expected = loss_grad(&net, &x, 0.3);
    assert_eq!(destructured_loss_grad(&net, &x, 0.3), expected);
    let (v, g) = aliased_loss_grad(&net, &x, 0.3);
    assert!((v - expected.0).abs() < 1e-15);
    fd_check(|m: &Net| aliased_loss(m, &x, 0.3), &net, &g);
    let mut acc = Net::default();
    aliased_loss_adjoint(&net, &x, 0.3, 2.0, &mut acc, Const, Const);
    fd_check(|m: &Net| 2.0 * aliased_loss(m, &x, 0.3), &net, &acc);

    let (_, g) = dense().first_unit_grad(&x);
    fd_check(|m: &Dense| m.first_unit(&x), &dense(), &g);
    // d/db[1] is 1 (read through the copy `bias`); row 1 of w is never read.
    assert_eq!((g.b[1], g.w[1]), (1.0, [0.0; 3]));

    let net = deep();
    let (_, g) = nested_patterns_grad(&net, &x);
    fd_check(|m: &Deep| nested_patterns(m, &x), &net, &g);
    assert_eq!(
        g.l1.w[1],
        [x[0] * net.out[0], x[1] * net.out[0], x[2] * net.out[0]]
    );
    assert_eq!(g.l2.b[1], net.l2.w[0][2]);

    let (_, g) = changed_copy_grad(&dense(), &x);
    fd_check(|m: &Dense| changed_copy(m, &x), &dense(), &g);
    assert_eq!((g.w[0], g.b), (x, [3.0 * dense().b[1], 3.0 * dense().b[0]]));
}

#[test]
fn destructured_data_structs_stay_data() {
    let cfg = Shifts {
        weights: vec![1.0, 0.5, 2.0, 9.0],
        offset: 0.25,
        n: 3,
    };
    let x = [0.5, -1.0, 2.0, 7.0];
    let (v, g) = shifted_grad(&x, &cfg);
    let by_hand: Vec<f64> = (0..4)
        .map(|i| {
            if i < 3 {
                2.0 * cfg.weights[i] * (x[i] - 0.25) / 3.0
            } else {
                0.0
            }
        })
        .collect();
    for (a, b) in g.iter().zip(&by_hand) {
        assert!((a - b).abs() < 1e-15, "{g:?} {by_hand:?}");
    }
    let sum: f64 = (0..3).map(|i| cfg.weights[i] * (x[i] - 0.25).powi(2)).sum();
    assert!((v - (0.25 + sum) / 3.0).abs() < 1e-15);

    // s = 9 + sum over i < 2 of 0.5 x[i] 2 - 3 0.25 x[i + 1].
    let (v, g) = unpacked_grad(&x, Weight(2.0, 9.0, 3.0), &cfg);
    assert_eq!(g, [1.0, 1.0 - 0.75, -0.75, 0.0]);
    assert!((v - (x[0] + x[1] - 0.75 * (x[1] + x[2]) + 9.0)).abs() < 1e-15);
}

// ---- fields that are not parameters ----

#[derive(Clone, Debug, PartialEq, autodiff::Params)]
struct Poly {
    coefficients: Vec<f64>,
    /// How many coefficients are used: data, never differentiated.
    #[params(skip)]
    degree: usize,
}

#[grad]
fn poly(p: &Poly, x: f64) -> f64 {
    let mut sum = 0.0;
    for k in 0..=p.degree {
        sum += p.coefficients[k] * x.powi(k as i32);
    }
    sum / (p.degree as f64 + 1.0) + p.coefficients[p.degree]
}

#[test]
fn skipped_fields_are_data() {
    let p = Poly {
        coefficients: vec![1.0, -2.0, 0.5, 4.0],
        degree: 2,
    };
    let (_, (g, d_x)) = poly_grad(&p, 1.5);
    assert_eq!(g.degree, 2);
    assert_eq!(
        g.coefficients,
        [1.0 / 3.0, 1.5 / 3.0, 2.25 / 3.0 + 1.0, 0.0]
    );
    assert!((d_x - (-2.0 + 2.0 * 0.5 * 1.5) / 3.0).abs() < 1e-12);
}

// ----- `#[params(skip)]` float fields are data (found by the issue-10 probe of models) -----
// A skipped float field read on the differentiated path got the gradient's derivative added
// into the gradient model (which keeps skipped fields as they are), and its tangent was read
// from the direction (wrong `NAME_tangent`, wrong Jacobian rows).

#[derive(Clone, Debug, autodiff::Params)]
struct Tempered {
    w: [f64; 2],
    #[params(skip)]
    temperature: f64,
    #[params(skip)]
    mask: [f64; 2],
    inner: TemperedInner,
}

#[derive(Clone, Debug, autodiff::Params)]
struct TemperedInner {
    b: f64,
    #[params(skip)]
    shift: Vec<f64>,
}

#[grad(m, modes(tangent))]
fn tempered_score(m: &Tempered, x: &[f64; 2]) -> f64 {
    let z = m.w[0] * x[0] * m.mask[0] + m.w[1] * x[1] * m.mask[1] + m.inner.b + m.inner.shift[0];
    (z / m.temperature).tanh()
}

#[grad(m, modes(jacobian))]
fn tempered_pair(m: &Tempered, x: &[f64; 2]) -> [f64; 2] {
    [
        m.w[0] * x[0] / m.temperature,
        m.inner.b * m.inner.shift[0] * m.mask[1],
    ]
}

#[test]
fn skipped_fields_get_no_gradient_and_no_tangent() {
    let m = Tempered {
        w: [0.4, -0.9],
        temperature: 2.0,
        mask: [1.0, 0.5],
        inner: TemperedInner {
            b: 0.3,
            shift: vec![0.25],
        },
    };
    let x = [1.0, 0.5];
    let z = 0.4 - 0.9 * 0.5 * 0.5 + 0.3 + 0.25;
    let sech2 = 1.0 - (z / 2.0f64).tanh().powi(2);
    let (_, g) = tempered_score_grad(&m, &x);
    // The parameters' gradient, and the skipped fields as the model has them.
    assert!((g.w[0] - sech2 / 2.0).abs() < 1e-14 && (g.w[1] - sech2 * 0.25 / 2.0).abs() < 1e-14);
    assert!((g.inner.b - sech2 / 2.0).abs() < 1e-14);
    assert_eq!(
        (g.temperature, g.mask, &g.inner.shift),
        (2.0, [1.0, 0.5], &vec![0.25])
    );
    // A direction built from the model keeps its skipped values: they are no tangent.
    let mut d = m.zeros_like();
    d.w[0] = 1.0;
    let (_, t) = tempered_score_tangent(&m, &x, &d, Const);
    assert!((t - g.w[0]).abs() < 1e-14, "{t} vs {}", g.w[0]);
    let (_, rows) = tempered_pair_jacobian(&m, &x);
    assert_eq!(rows[0].temperature, 2.0);
    assert_eq!(rows[1].mask, [1.0, 0.5]);
    assert_eq!((rows[0].w[0], rows[1].inner.b), (0.5, 0.125));
}

// A `#[params(skip)]` size read in index arithmetic, as a `vec!` length or through a typed
// local (`o * l.n_in + i`, `vec![0.0; l.n_out]`, `let n: usize = l.n_in`) is an integer, not
// a float field ("cannot index with a float", E0308).
#[derive(Clone, Debug, autodiff::Params)]
struct FlatLayer {
    w: Vec<f64>,
    #[params(skip)]
    n_in: usize,
    #[params(skip)]
    n_out: usize,
}

#[grad(l)]
fn flat_layer(l: &FlatLayer, x: &[f64]) -> f64 {
    let mut y = vec![0.0; l.n_out];
    let n: usize = l.n_in;
    for o in 0..l.n_out {
        for i in 0..n {
            y[o] += l.w[o * l.n_in + i] * x[i];
        }
    }
    y.iter().map(|v| v * v).sum()
}

/// A size computed from a length and a skipped field into an untyped local (`let hd =
/// l.w.len() / l.n_out;`): integer arithmetic, so the field is a size too.
#[grad(l)]
fn per_output_means(l: &FlatLayer, x: &[f64]) -> f64 {
    let per = l.w.len() / l.n_out;
    let mut s = 0.0;
    for o in 0..l.n_out {
        for i in 0..per {
            s += l.w[o * per + i] * x[i] / (per as f64);
        }
    }
    s
}

#[test]
fn skipped_sizes_index_and_size_arrays() {
    let l = FlatLayer {
        w: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        n_in: 2,
        n_out: 3,
    };
    let x = [1.0, -1.0];
    // y = (-1, -1, -1): sum of squares 3; d w[o, i] = 2 y_o x_i
    let (value, g) = flat_layer_grad(&l, &x);
    assert_eq!(value, 3.0);
    assert_eq!(g.w, vec![-2.0, 2.0, -2.0, 2.0, -2.0, 2.0]);
    assert_eq!((g.n_in, g.n_out), (2, 3));
    let (value, g) = per_output_means_grad(&l, &x);
    assert_eq!(value, per_output_means(&l, &x));
    assert_eq!(g.w, vec![0.5, -0.5, 0.5, -0.5, 0.5, -0.5]);
}

// A row of a model's matrix iterated (`net.w[j].iter().zip(x)`, `for v in net.w[1].iter()`):
// the field was taken for a vector ("`.len()` needs an array"; found by the issue-10 probe).
#[derive(Clone, Debug, autodiff::Params)]
struct TwoRows {
    w: [[f64; 2]; 2],
}

#[grad(m)]
fn row_products(m: &TwoRows, x: &[f64; 2]) -> f64 {
    let first: f64 = m.w[0].iter().zip(x.iter()).map(|(a, b)| a * b).sum();
    let mut second = 0.0;
    for v in m.w[1].iter() {
        second += v * v;
    }
    first * second
}

#[test]
fn a_row_of_a_model_matrix_is_iterated() {
    let m = TwoRows {
        w: [[1.0, 2.0], [3.0, 4.0]],
    };
    let x = [0.5, 0.25];
    // first = 1, second = 25
    let (value, g) = row_products_grad(&m, &x);
    assert_eq!(value, 25.0);
    assert_eq!(g.w, [[12.5, 6.25], [6.0, 8.0]]);
}

// Sub-models lent one by one through `.enumerate()`, `.rev()`, `.skip(n)` (the adaptors
// made the loop copy each layer out: E0277 "`Layer: Copy`"; found by the issue-10 probe).
#[derive(Clone, Debug, autodiff::Params)]
struct Gain {
    w: f64,
}

#[derive(Clone, Debug, autodiff::Params)]
struct GainStack {
    layers: Vec<Gain>,
}

#[grad]
fn gain(l: &Gain, x: f64) -> f64 {
    l.w * x
}

#[grad(net)]
fn stack_adaptors(net: &GainStack, x: f64) -> f64 {
    let mut h = x;
    for (k, l) in net.layers.iter().enumerate() {
        h = gain(l, h) + k as f64;
    }
    let mut back = 0.0;
    for l in net.layers.iter().rev() {
        back = gain(l, back + 1.0);
    }
    let mut tail = 0.0;
    for (_, l) in net.layers.iter().enumerate().rev() {
        tail += gain(l, 1.0);
    }
    for l in net.layers.iter().skip(1) {
        tail += gain(l, 2.0);
    }
    h + back + tail
}

#[test]
fn sub_models_are_lent_through_adaptors() {
    let net = GainStack {
        layers: vec![Gain { w: 2.0 }, Gain { w: 3.0 }],
    };
    // h = (2 x + 0) 3 + 1; back = w0 (w1 (0 + 1) + 1); tail = w0 + w1 + 2 w1
    let x = 0.5;
    let (value, g) = stack_adaptors_grad(&net, x);
    assert_eq!(
        value,
        (2.0 * x * 3.0 + 1.0) + 2.0 * (3.0 + 1.0) + (2.0 + 3.0 + 6.0)
    );
    // d/dw0 = 3 x + (w1 + 1) + 1; d/dw1 = 2 x + w0 + 1 + 2
    assert_eq!(g.layers[0].w, 3.0 * x + 4.0 + 1.0);
    assert_eq!(g.layers[1].w, 2.0 * x + 2.0 + 3.0);
}

// Sub-models zipped with numbers (`for (l, s) in net.layers.iter().zip(scales)`): the loop
// copied each layer out (E0277 "`Layer: Copy`"; left open by the issue-10 probe). The
// numbers come from data (`s`, read as `*s` and `s`) or from the model itself (`&s`).
#[derive(Clone, Debug, autodiff::Params)]
struct ScaledStack {
    layers: Vec<Gain>,
    scales: Vec<f64>,
}

#[grad(net)]
fn zipped_stack(net: &ScaledStack, data: &[f64], x: f64) -> f64 {
    let mut h = x;
    for (l, s) in net.layers.iter().zip(data.iter()) {
        h = gain(l, h) * *s + s * 0.5;
    }
    for (l, &s) in net.layers.iter().zip(&net.scales) {
        h += gain(l, s) * s;
    }
    h
}

#[test]
fn sub_models_are_zipped_with_numbers() {
    let net = ScaledStack {
        layers: vec![Gain { w: 2.0 }, Gain { w: 3.0 }, Gain { w: -1.0 }],
        scales: vec![0.5, 4.0],
    };
    let data = [1.5, 2.0];
    let x = 0.25;
    // The zips stop at the shorter side: two layers each time.
    // h1 = 2 x 1.5 + 0.75 = 1.5; h2 = 3 h1 2 + 1 = 10; + w0 0.25 + w1 16
    let (value, g) = zipped_stack_grad(&net, &data, x);
    assert_eq!(value, 10.0 + 0.5 + 48.0);
    // d/dw0 = x 1.5 (3 2) + 0.25 = 2.5; d/dw1 = h1 2 + 16 = 19; w2 is never read
    assert_eq!(
        g.layers.iter().map(|l| l.w).collect::<Vec<_>>(),
        [2.5, 19.0, 0.0]
    );
    // d/ds0 = 2 w0 s0 = 2; d/ds1 = 2 w1 s1 = 24
    assert_eq!(g.scales, [2.0, 24.0]);
}

// ---- matrices as vectors of rows ----

// A `Vec<Vec<f64>>` weight matrix, the way many crates store one: the generated code added
// into the gradient's rows through `MatrixShadow`, which had no impl for it (E0277 inside the
// expansion).
#[derive(Clone, Debug, PartialEq, autodiff::Params)]
struct RowsLayer {
    w: Vec<Vec<f64>>,
    b: Vec<f64>,
}

#[grad(modes(tangent))]
fn row_dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(u, v)| u * v).sum()
}

#[grad(net)]
fn rows_layer_loss(net: &RowsLayer, x: &[f64]) -> f64 {
    let mut s = 0.0;
    for (row, b) in net.w.iter().zip(&net.b) {
        let z: f64 = row.iter().zip(x).map(|(a, v)| a * v).sum();
        s += (z + b).tanh();
    }
    s + net.w[0][1] * net.w[1][0]
}

#[grad(net, modes(tangent))]
fn rows_to_calls(net: &RowsLayer, x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..net.w.len() {
        s += row_dot(&net.w[i], x).sin() * net.b[i];
    }
    s
}

/// A field's rows zipped with another field and enumerated in `for` loops, the way a layer
/// is written (the rows were taken for numbers: "`.len()` needs an array").
#[grad(net)]
fn rows_zipped_and_enumerated(net: &RowsLayer, x: &[f64]) -> f64 {
    let mut s = 0.0;
    for (row, b) in net.w.iter().zip(net.b.iter()) {
        let mut z = *b;
        for (wi, xi) in row.iter().zip(x) {
            z += wi * xi;
        }
        s += z.tanh();
    }
    for (i, (row, &b)) in net.w.iter().zip(&net.b).enumerate().rev() {
        s += row[i % row.len()] * b * (i + 1) as f64;
    }
    s
}

#[grad(net)]
fn fixed_rows_enumerated(net: &Dense, x: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    for (i, row) in net.w.iter().enumerate() {
        for (wi, xi) in row.iter().zip(x) {
            s += (wi * xi).sin() * net.b[i];
        }
    }
    s
}

#[test]
fn vec_of_vec_fields_are_matrices() {
    let net = RowsLayer {
        w: vec![vec![0.3, -0.2, 0.5], vec![0.1, 0.4, -0.6]],
        b: vec![0.1, -0.3],
    };
    let x = [0.7, -1.1, 0.4];
    let (value, g) = rows_layer_loss_grad(&net, &x);
    assert_eq!(value, rows_layer_loss(&net, &x));
    fd_check(|m: &RowsLayer| rows_layer_loss(m, &x), &net, &g);
    // d/dw[0][1] = x[1] (1 - tanh^2(z0 + b0)) + w[1][0]
    let z0 = 0.3 * 0.7 + 0.2 * 1.1 + 0.5 * 0.4 + 0.1;
    let expected = -1.1 * (1.0 - f64::tanh(z0).powi(2)) + 0.1;
    assert!((g.w[0][1] - expected).abs() < 1e-12);

    let (_, g) = rows_to_calls_grad(&net, &x);
    fd_check(|m: &RowsLayer| rows_to_calls(m, &x), &net, &g);
    // The tangent along one weight is that weight's gradient entry.
    for (i, j) in [(0, 0), (0, 2), (1, 1)] {
        let mut t = RowsLayer {
            w: vec![vec![0.0; 3]; 2],
            b: vec![0.0; 2],
        };
        t.w[i][j] = 1.0;
        let (_, jv) = rows_to_calls_tangent(&net, &x, &t, Const);
        assert!((jv - g.w[i][j]).abs() < 1e-12, "w[{i}][{j}]");
    }
    let (_, g_rows) = rows_zipped_and_enumerated_grad(&net, &x);
    fd_check(
        |m: &RowsLayer| rows_zipped_and_enumerated(m, &x),
        &net,
        &g_rows,
    );
    let (_, g_fixed) = fixed_rows_enumerated_grad(&dense(), &x);
    fd_check(|m: &Dense| fixed_rows_enumerated(m, &x), &dense(), &g_fixed);
    // The adjoint adds into the caller's accumulator.
    let mut acc = g.clone();
    rows_to_calls_adjoint(&net, &x, 1.0, &mut acc, Const);
    assert_eq!(acc.w[1][2], 2.0 * g.w[1][2]);
}

const SCALES: [f64; 2] = [0.5, -2.0];

#[derive(Clone, Debug, PartialEq, autodiff::Params)]
struct Counted {
    w: [[f64; 3]; 2],
    b: Vec<f64>,
    c: f64,
}

// Found by the random-program tester: a field whose items the body never reads, zipped with a
// module constant, was taken as read whole and then indexed (`too many indices`).
#[grad(net)]
fn unread_items_zipped_with_a_table(net: &Counted, x: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    for (&_b, &scale) in net.b.iter().zip(SCALES.iter()) {
        s += scale * net.c * x[2];
    }
    for (_row, scale) in net.w.iter().zip(&SCALES) {
        s += scale * net.c;
    }
    s
}

#[test]
fn unread_items_of_a_field_zipped_with_a_constant() {
    let net = Counted {
        w: [[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]],
        b: vec![0.1, -0.3],
        c: 1.5,
    };
    let x = [0.7, -1.1, 0.4];
    let (value, g) = unread_items_zipped_with_a_table_grad(&net, &x);
    assert_eq!(value, unread_items_zipped_with_a_table(&net, &x));
    // d/dc = (0.5 - 2) x[2] + (0.5 - 2); the counted fields get nothing.
    assert!((g.c - (-1.5 * 0.4 - 1.5)).abs() < 1e-15);
    assert_eq!((g.w, g.b), ([[0.0; 3]; 2], vec![0.0; 2]));
}

/// A model named like a library type (`std::cell::Cell` is always written with its argument,
/// so a bare `Cell` is the user's): a gated recurrent cell, its four weights read as numbers.
#[derive(Clone, Debug, autodiff::Params)]
struct Cell {
    wz: f64,
    uz: f64,
    wh: f64,
    uh: f64,
}

#[grad(cell)]
fn run_cell(cell: &Cell, xs: &[f64]) -> f64 {
    let mut h = 0.0;
    for &x in xs {
        let z = 1.0 / (1.0 + (-(cell.wz * x + cell.uz * h)).exp());
        let candidate = (cell.wh * x + cell.uh * h).tanh();
        h = (1.0 - z) * h + z * candidate;
    }
    h
}

#[test]
fn a_model_named_like_a_library_type() {
    let cell = Cell {
        wz: 0.5,
        uz: -0.3,
        wh: 1.2,
        uh: 0.7,
    };
    let xs = [0.5, -1.0, 2.0];
    let (value, g) = run_cell_grad(&cell, &xs);
    assert_eq!(value, run_cell(&cell, &xs));
    // One step from h = 0: h = z tanh(wh x), z = sigmoid(wz x); d/dwh = z (1 - t^2) x.
    let (z, t) = (1.0 / (1.0 + (-0.5f64 * 0.5).exp()), (1.2f64 * 0.5).tanh());
    let (_, one) = run_cell_grad(&cell, &xs[..1]);
    assert!((one.wh - z * (1.0 - t * t) * 0.5).abs() < 1e-15);
    fd_check(|c: &Cell| run_cell(c, &xs), &cell, &g);
}

// ----- fields read only through `as` (wrong gradient found reviewing issue 10) -----
// A field read only as the operand of `as f64` was passed through as data: right for a count
// or a `#[params(skip)]` field, but a parameter read there lost its derivative without a word.
// The macro cannot tell an integer from a float there; the types do (`__private::cast_shadow`).
// `f64::from(m.temperature)` of a skipped `f32` is the same conversion.

#[derive(Clone, Debug, autodiff::Params)]
struct Tallied {
    w: [f64; 2],
    b: f64,
    #[params(skip)]
    n: usize,
    #[params(skip)]
    temperature: f32,
    inner: TalliedInner,
}

#[derive(Clone, Debug, autodiff::Params)]
struct TalliedInner {
    c: f64,
    #[params(skip)]
    k: i32,
}

// The casts of `f64` fields are the point.
#[allow(clippy::unnecessary_cast)]
#[grad(modes(tangent))]
fn tallied(m: &Tallied, x: &[f64; 2]) -> f64 {
    let mean = 1.0 / m.n as f64;
    let z = (m.w[0] * x[0] + m.w[1] * x[1] + m.b) * mean * (m.n as f32) as f64;
    z / f64::from(m.temperature) + f64::from(m.inner.k) * m.inner.c + m.b as f64 * x[1]
}

// `m.inner.c as f64` alone reads a parameter, `m.b as f64` only compares it.
#[allow(clippy::unnecessary_cast)]
#[grad(m, modes(tangent))]
fn parameter_cast(m: &Tallied, x: &[f64; 2]) -> f64 {
    let c = m.inner.c as f64;
    if (m.b as f64) > 10.0 {
        return 0.0;
    }
    m.w[0] * x[0] * c + m.temperature as f64 * x[1]
}

fn tallied_model() -> Tallied {
    Tallied {
        w: [1.0, 2.0],
        b: 0.5,
        n: 4,
        temperature: 2.0,
        inner: TalliedInner { c: 3.0, k: 2 },
    }
}

#[test]
fn counts_and_skipped_fields_cast_with_as_are_data() {
    let m = tallied_model();
    let x = [3.0, 4.0];
    let (value, (g, d_x)) = tallied_grad(&m, &x);
    // z = (3 + 8 + 0.5) / 4 * 4 = 11.5; z / 2 + 2 * 3 + 0.5 * 4
    assert_eq!(value, 11.5 / 2.0 + 6.0 + 2.0);
    assert_eq!(g.w, [1.5, 2.0]);
    // b: 1 / 2 through z, and x[1] = 4 through `m.b as f64`, which also reads it as a number.
    assert_eq!(g.b, 0.5 + 4.0);
    assert_eq!(g.inner.c, 2.0);
    assert_eq!((g.n, g.temperature, g.inner.k), (4, 2.0, 2));
    assert_eq!(d_x, [0.5, 1.0 + 0.5]);
    let t = Tallied {
        w: [1.0, 0.0],
        b: 1.0,
        n: 9,
        temperature: 9.0,
        inner: TalliedInner { c: 1.0, k: 7 },
    };
    let (_, tangent) = tallied_tangent(&m, &x, &t, Const);
    assert_eq!(tangent, 1.5 + 0.5 + 4.0 + 2.0);
}

#[test]
fn parameters_read_only_through_as_are_differentiated() {
    let m = tallied_model();
    let x = [3.0, 4.0];
    let (value, g) = parameter_cast_grad(&m, &x);
    assert_eq!(value, 1.0 * 3.0 * 3.0 + 2.0 * 4.0);
    assert_eq!(g.w, [9.0, 0.0]);
    assert_eq!((g.inner.c, g.b), (3.0, 0.0));
    // A comparison passes no derivative.
    assert_eq!((g.n, g.temperature, g.inner.k), (4, 2.0, 2));
    let mut t = tallied_model();
    t.w = [0.0, 0.0];
    t.inner.c = 1.0;
    t.temperature = 5.0;
    let (_, tangent) = parameter_cast_tangent(&m, &x, &t, Const);
    // The skipped temperature's direction is ignored.
    assert_eq!(tangent, 3.0);
}

// ---- one sub-model type both nested deeper and held directly ----

/// `Dense` sits inside `Residual` and beside it: the head-last order once overflowed the
/// trait solver (E0275) through the derive's bounds.
#[derive(Clone, Debug, Default, autodiff::Params)]
struct Residual {
    inner: Dense,
}

#[derive(Clone, Debug, Default, autodiff::Params)]
struct Tower {
    blocks: Vec<Residual>,
    pair: [Residual; 2],
    head: Dense,
}

#[grad(block)]
fn residual(block: &Residual, x: &[f64; 3]) -> f64 {
    unit(&block.inner, x, 1) + block.inner.b[0]
}

#[grad(net)]
fn tower_loss(net: &Tower, x: &[f64; 3]) -> f64 {
    let mut total = score(&net.head, x);
    for block in &net.blocks {
        total += residual(block, x);
    }
    total + residual(&net.pair[1], x) * residual(&net.pair[0], x)
}

#[test]
fn a_sub_model_type_nested_and_held_directly() {
    let net = Tower {
        blocks: vec![Residual::default(); 3],
        ..Tower::default()
    };
    let net = filled(net, 0.3);
    let x = [0.4, -0.8, 1.5];
    let (_, g) = tower_loss_grad(&net, &x);
    fd_check(|m: &Tower| tower_loss(m, &x), &net, &g);
}

// ---- a part of an item lent whole: `dense(&block.l1, &h)`, `block.inner.d.forward(&h)` ----

#[derive(Clone, Debug, Default, autodiff::Params)]
struct Square {
    w: [[f64; 2]; 2],
    b: [f64; 2],
}

#[derive(Clone, Debug, Default, autodiff::Params)]
struct Gated {
    d: Square,
    scale: Vec<f64>,
}

#[derive(Clone, Debug, Default, autodiff::Params)]
struct Stage {
    l1: Square,
    inner: Gated,
    gate: [f64; 2],
}

#[derive(Clone, Debug, Default, autodiff::Params)]
struct Stages {
    stages: Vec<Stage>,
    head: Square,
}

#[grad(l, modes(tangent))]
fn square_layer(l: &Square, x: &[f64; 2]) -> [f64; 2] {
    let mut y = l.b;
    for i in 0..2 {
        for j in 0..2 {
            y[i] += l.w[i][j] * x[j];
        }
        y[i] = y[i].tanh();
    }
    y
}

#[grad]
fn dot2(a: &[f64; 2], b: &[f64; 2]) -> f64 {
    a[0] * b[0] + a[1] * b[1]
}

#[grad]
fn total(a: &[f64]) -> f64 {
    a.iter().sum()
}

#[grad(self, modes(tangent))]
impl Square {
    fn forward(&self, x: &[f64; 2]) -> [f64; 2] {
        square_layer(self, x)
    }
}

#[grad(self)]
impl Stages {
    /// Sub-models, an array and a `Vec` inside each stage, lent to functions and methods.
    fn run(&self, x: &[f64; 2]) -> f64 {
        let mut h = *x;
        for (k, stage) in self.stages.iter().enumerate() {
            h = stage.inner.d.forward(&h);
            h = square_layer(&stage.l1, &h);
            let g = dot2(&stage.gate, &h) + total(&stage.inner.scale);
            h[0] += g * (k as f64 + 1.0);
        }
        let o = self.head.forward(&h);
        o[0] * o[1] + square_layer(&self.stages[0].inner.d, x)[1]
    }
}

#[grad(net, modes(tangent))]
fn stages_reversed(net: &Stages, x: &[f64; 2]) -> f64 {
    let mut h = *x;
    for stage in net.stages.iter().rev() {
        h = stage.l1.forward(&h);
    }
    h[0] * h[1] + net.stages.len() as f64
}

#[grad]
fn pair_of_squares(a: &Square, b: &Square) -> f64 {
    a.b[0] * b.b[1] + a.w[0][1] * b.w[1][0]
}

/// Two parts of one item, the same part twice, parts of two items: in one call each.
#[grad(net)]
fn shared_parts(net: &Stages) -> f64 {
    let mut s = 0.0;
    for stage in &net.stages {
        s += pair_of_squares(&stage.l1, &stage.inner.d) + dot2(&stage.gate, &stage.gate);
        s += pair_of_squares(&stage.l1, &stage.l1);
    }
    s + pair_of_squares(&net.stages[0].l1, &net.stages[1].inner.d)
}

#[test]
fn parts_of_items_are_lent_to_calls_and_methods() {
    let net = Stages {
        stages: vec![
            Stage {
                inner: Gated {
                    scale: vec![0.0; 3],
                    ..Gated::default()
                },
                ..Stage::default()
            };
            3
        ],
        head: Square::default(),
    };
    let net = filled(net, 0.3);
    let x = [0.4, -0.8];
    let (_, g) = net.run_grad(&x);
    fd_check(|n: &Stages| n.run(&x), &net, &g);
    let (_, g) = shared_parts_grad(&net);
    fd_check(shared_parts, &net, &g);
    let (_, g) = stages_reversed_grad(&net, &x);
    fd_check(|n: &Stages| stages_reversed(n, &x), &net, &g);
    // The adjoint adds into what the shadow holds.
    let mut twice = g.clone();
    stages_reversed_adjoint(&net, &x, 1.0, &mut twice, Const);
    assert_eq!(twice.stages[1].l1.w[0][1], 2.0 * g.stages[1].l1.w[0][1]);
    // The tangent along the gradient is its squared norm.
    let (_, tangent) = stages_reversed_tangent(&net, &x, &g, Const);
    let mut norm = 0.0;
    g.for_each_slice(|s| norm += s.values.iter().map(|v| v * v).sum::<f64>());
    assert!((tangent - norm).abs() < 1e-12 * norm.max(1.0));
}

// ---- items lent through `take`, `step_by`, `.rev().enumerate()`; scalar methods of parts ----

#[derive(Clone, Debug, autodiff::Params)]
struct Unit {
    w: f64,
}

#[grad(self, x)]
impl Unit {
    fn fwd(&self, x: f64) -> f64 {
        (self.w * x).tanh()
    }
}

#[derive(Clone, Debug, autodiff::Params)]
struct UnitPair {
    a: Unit,
    m: Unit,
}

#[derive(Clone, Debug, autodiff::Params)]
struct Units {
    cells: Vec<Unit>,
    pairs: Vec<UnitPair>,
    rows: Vec<[f64; 2]>,
    #[params(skip)]
    n: usize,
}

#[grad]
fn unit_value(l: &Unit, x: f64) -> f64 {
    l.w * x
}

#[grad]
fn dot_row(a: &[f64; 2], x: &[f64; 2]) -> f64 {
    a[0] * x[0] + a[1] * x[1]
}

#[grad(net)]
fn adapted_items(net: &Units, x: &[f64; 2]) -> f64 {
    let mut s = 0.0;
    for row in net.rows.iter().take(2) {
        s += dot_row(row, x);
    }
    for row in net.rows.iter().skip(1).step_by(2) {
        s += dot_row(row, x);
    }
    for (k, l) in net.cells.iter().take(net.n).enumerate() {
        s += unit_value(l, x[0]) * (k as f64 + 1.0);
    }
    for l in net.cells.iter().skip(1).take(5).rev() {
        s *= unit_value(l, x[1]);
    }
    for (k, l) in net.cells.iter().rev().enumerate() {
        s += unit_value(l, s) * k as f64;
    }
    for l in net.cells.iter().step_by(2).rev() {
        s += unit_value(l, s);
    }
    s
}

/// A part's own method that returns a number, in a statement, an `if` and a closure.
#[grad(net)]
fn scalar_part_methods(net: &Units, x: f64) -> f64 {
    let mut h = x;
    for (k, p) in net.pairs.iter().rev().enumerate() {
        h = p.a.fwd(h) + k as f64;
        h = if h > 0.5 {
            p.m.fwd(h)
        } else {
            unit_value(&p.a, h)
        };
        let f = |v: f64| p.m.fwd(v) * v;
        h = f(h) + f(0.5 * h);
    }
    h
}

#[test]
fn items_through_adaptors_and_scalar_methods_of_parts() {
    let cell = |w| Unit { w };
    let net = Units {
        cells: vec![cell(0.5), cell(1.5), cell(-0.25)],
        pairs: vec![
            UnitPair {
                a: cell(0.5),
                m: cell(-0.7),
            },
            UnitPair {
                a: cell(1.5),
                m: cell(0.2),
            },
            UnitPair {
                a: cell(2.5),
                m: cell(0.9),
            },
        ],
        rows: vec![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]],
        n: 2,
    };
    let x = [0.4, -0.8];
    let (_, g) = adapted_items_grad(&net, &x);
    fd_check(|n: &Units| adapted_items(n, &x), &net, &g);
    let (_, g) = scalar_part_methods_grad(&net, 0.3);
    fd_check(|n: &Units| scalar_part_methods(n, 0.3), &net, &g);
}

// ----- rows of a model's matrix zipped with rows of data, lent to calls (probe: embeddings) --
// `for (row, x) in m.keys.iter().zip(xs) { s += dot(row, x) }`, and the same as a chain: the
// field was taken for a vector of numbers (`[f64; 3] + [f64; 3]` in generated code).

#[derive(Clone, Debug, PartialEq, autodiff::Params)]
struct Keys {
    keys: [[f64; 3]; 2],
    table: Vec<[f64; 3]>,
}

#[grad(m)]
fn zipped_rows(m: &Keys, xs: &[[f64; 3]]) -> f64 {
    let mut s = 0.0;
    for (row, x) in m.keys.iter().zip(xs) {
        s += dot3(row, x) * x[0];
    }
    s + m
        .table
        .iter()
        .zip(xs.iter())
        .map(|(row, x)| dot3(row, x).tanh())
        .sum::<f64>()
}

#[test]
fn model_rows_zipped_with_data_rows() {
    let m = filled(
        Keys {
            keys: [[0.0; 3]; 2],
            table: vec![[0.0; 3]; 3],
        },
        -0.7,
    );
    let xs = [[0.5, -1.0, 0.25], [1.5, 0.75, -0.5]];
    let (value, g) = zipped_rows_grad(&m, &xs);
    assert_eq!(value, zipped_rows(&m, &xs));
    // the third row of the table has no data row to meet
    assert_eq!(g.table[2], [0.0; 3]);
    check_params_gradient(|m: &Keys| zipped_rows(m, &xs), &m, &g).assert_ok();
}

// ----- a closure parameter named like a local (probe: a two-layer network) -----
// `|(w, h)| w * h` beside `let mut h = net.b1;`: the analyses that know locals by name took the
// closure's number `h` for the array, and the copy of the field for a number.

#[derive(Clone, Debug, PartialEq, autodiff::Params)]
struct Hidden {
    b1: [f64; 3],
    w2: [f64; 3],
}

#[grad(net)]
fn shadowed_in_closure(net: &Hidden, x: &[f64; 3]) -> f64 {
    let mut h = net.b1;
    for j in 0..3 {
        h[j] = (h[j] * x[j]).tanh();
    }
    net.w2.iter().zip(h.iter()).map(|(w, h)| w * h).sum::<f64>()
}

#[test]
fn closure_parameters_named_like_locals() {
    let net = Hidden {
        b1: [0.3, -0.2, 0.5],
        w2: [1.0, 2.0, 3.0],
    };
    let x = [1.0, 2.0, -1.0];
    let (value, g) = shadowed_in_closure_grad(&net, &x);
    assert_eq!(value, shadowed_in_closure(&net, &x));
    check_params_gradient(|n: &Hidden| shadowed_in_closure(n, &x), &net, &g).assert_ok();
}
