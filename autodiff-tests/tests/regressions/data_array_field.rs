//! A data struct's array field (`cfg.shift`, not differentiated) is rejected or miscompiled
//! where the macro must know it is an array: a copy written by index ("can index only
//! arrays"), a `for` loop or a chain over it in a differentiated loop ("bind anything else to
//! a local first"), passed to a `#[grad]` function (E0277 `f64: SliceShadow<f64>`, E0061),
//! destructured ("supports `let` patterns that are names or tuples"), an element of it as an
//! argument in generic code (E0061; in f64 code it works). `let s = cfg.shift;` read by index
//! works. Found by autodiff-fuzz (models).
#![allow(dead_code)] // the functions are called through their `_grad` and `_adjoint`

use autodiff::grad;

#[derive(Clone, Debug, autodiff::Params)]
struct M {
    a: f64,
}

struct Cfg {
    shift: [f64; 2],
}

#[grad]
fn dot(w: &[f64], x: f64) -> f64 {
    (w[0] + w[1]) * x
}

#[derive(Clone, Debug, autodiff::Params)]
struct GenericM<T> {
    a: T,
}

struct GenericCfg<T> {
    shift: [T; 2],
}

#[grad]
fn scale<T: autodiff::Float>(x: T, s: T) -> T {
    x * s
}

#[grad(m)]
fn copy_written(m: &M, cfg: &Cfg) -> f64 {
    let mut s = cfg.shift;
    s[0] += 1.0;
    m.a * s[0]
}

#[grad(m)]
fn iterated(m: &M, cfg: &Cfg) -> f64 {
    let mut s = 0.0;
    for v in cfg.shift.iter() {
        s += m.a * v;
    }
    s + cfg.shift.iter().map(|v| v * m.a).sum::<f64>()
}

#[grad(m)]
fn passed(m: &M, cfg: &Cfg) -> f64 {
    dot(&cfg.shift, m.a)
}

#[grad(m)]
fn destructured(m: &M, cfg: &Cfg) -> f64 {
    let [p, q] = cfg.shift;
    m.a * p + q
}

#[grad(m)]
fn element_argument<T: autodiff::Float>(m: &GenericM<T>, cfg: &GenericCfg<T>) -> T {
    scale(m.a, cfg.shift[1])
}

/// The class: rows of a data matrix, a `Vec` field copied and lent, a data sequence of models
/// lent one by one, an element of a data field used as an index (kept as written).
#[derive(Clone, Debug, autodiff::Params)]
struct Layer {
    a: f64,
}

struct Data {
    rows: [[f64; 2]; 2],
    v: Vec<f64>,
    layers: Vec<Layer>,
    idx: Vec<usize>,
}

#[grad]
fn layer(l: &Layer, x: f64) -> f64 {
    l.a * x
}

#[grad(x)]
fn data_rows(d: &Data, x: f64) -> f64 {
    let mut s = 0.0;
    for row in d.rows.iter() {
        s += row[0] * x + row[1];
    }
    s
}

#[grad(x)]
fn data_vec(d: &Data, x: f64) -> f64 {
    let mut c = d.v.clone();
    c[0] *= x;
    dot(&d.v, x) + c[0]
}

#[grad(x)]
fn data_layers(d: &Data, x: f64) -> f64 {
    let mut s = 0.0;
    for l in &d.layers {
        s += layer(l, x);
    }
    s
}

#[grad(x)]
fn data_index(d: &Data, x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..d.idx.len() {
        s += x[d.idx[i]] * d.v[i];
    }
    s
}

fn main() {
    let (m, cfg) = (M { a: 3.0 }, Cfg { shift: [0.5, 2.0] });
    // a (shift[0] + 1), 2 a (shift[0] + shift[1]), a (shift[0] + shift[1])
    assert_eq!(copy_written_grad(&m, &cfg).1.a, 1.5);
    let (value, d_m) = iterated_grad(&m, &cfg);
    assert_eq!((value, d_m.a), (15.0, 5.0));
    let (value, d_m) = passed_grad(&m, &cfg);
    assert_eq!((value, d_m.a), (7.5, 2.5));
    // a shift[0] + shift[1], a shift[1]
    let (value, d_m) = destructured_grad(&m, &cfg);
    assert_eq!((value, d_m.a), (3.5, 0.5));
    let generic = (GenericM { a: 3.0 }, GenericCfg { shift: [0.5, 2.0] });
    let (value, d_m) = element_argument_grad(&generic.0, &generic.1);
    assert_eq!((value, d_m.a), (6.0, 2.0));

    let d = Data {
        rows: [[1.0, 2.0], [3.0, 4.0]],
        v: vec![0.5, 2.0],
        layers: vec![Layer { a: 1.0 }, Layer { a: 2.0 }],
        idx: vec![1, 0],
    };
    assert_eq!(data_rows_grad(&d, 2.0), (14.0, 4.0));
    // (v0 + v1) x + v0 x
    assert_eq!(data_vec_grad(&d, 2.0), (6.0, 3.0));
    assert_eq!(data_layers_grad(&d, 2.0), (6.0, 3.0));
    assert_eq!(
        data_index_grad(&d, &[1.0, 10.0]),
        (7.0, vec![2.0, 0.5])
    );
}
