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

#[test]
fn struct_model_gradient() {
    let net = Net {
        w1: [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]],
        b1: [0.1, -0.1],
        w2: [0.7, -0.8],
        b2: 0.05,
    };
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

fn deep() -> Deep {
    let mut d = Deep::default();
    let mut v = 0.1;
    d.for_each_slice_mut(|s| {
        for x in s.values {
            *x = v;
            v = -(v * 1.7 + 0.05) % 1.0;
        }
    });
    d
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
