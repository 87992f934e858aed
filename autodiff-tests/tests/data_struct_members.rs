//! Parts of a data struct handed on whole (probe of real model code): a `#[grad]` method
//! called on a field (`cfg.act.apply(z)`, through `let act = &cfg.act;` too), and fields
//! bound to a local of their type (`let act: Act = cfg.act;`, `let inner: &Inner =
//! &cfg.inner;`) as the error for passing them bare says to. Each failed to compile inside
//! generated code (a shadow argument too many).
//! Also a local table of tuples of constants, and rows of a model lent to a call inside
//! `.map(..).collect()`.

// An index loop over the table is one of the forms tested.
#![allow(clippy::needless_range_loop)]

mod common;

use autodiff::{grad, Params};
use common::close;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Act {
    Relu,
    Tanh,
}

#[grad(modes(tangent))]
impl Act {
    pub fn apply(&self, z: f64) -> f64 {
        match self {
            Act::Relu => z.max(0.0),
            Act::Tanh => z.tanh(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Inner {
    pub c: f64,
}

pub struct Cfg {
    pub act: Act,
    pub inner: Inner,
}

#[grad(z, modes(tangent))]
pub fn scaled(z: f64, inner: &Inner) -> f64 {
    z * inner.c
}

#[grad(z)]
pub fn activate(z: f64, act: Act) -> f64 {
    match act {
        Act::Relu => z.max(0.0),
        Act::Tanh => z.tanh(),
    }
}

/// (A struct field passed bare, `scaled(x, &cfg.inner)`, is taken for an array of float data,
/// given a shadow argument the callee may not take: bound to a local of its type, it goes
/// through the callee's `_with_data`, whatever the callee differentiates.)
#[grad(x, modes(tangent))]
fn method_of_field(x: f64, cfg: &Cfg) -> f64 {
    let inner: &Inner = &cfg.inner;
    cfg.act.apply(x) * scaled(x, inner)
}

#[grad(x)]
fn method_of_bound_field(x: f64, cfg: &Cfg) -> f64 {
    let act = &cfg.act;
    act.apply(x) * 2.0
}

#[grad(x)]
fn enum_bound_to_its_type(x: f64, cfg: &Cfg) -> f64 {
    let act: Act = cfg.act;
    activate(x, act) * activate(2.0 * x, act)
}

#[derive(Clone, Debug, Params)]
pub struct Offset {
    pub b: f64,
}

pub struct Holder {
    pub offset: Offset,
}

/// Differentiates its struct parameter, unlike `scaled`.
#[grad]
pub fn shifted(z: f64, offset: &Offset) -> f64 {
    z * z + offset.b
}

#[grad(x)]
fn struct_bound_to_its_type(x: f64, h: &Holder) -> f64 {
    let offset: &Offset = &h.offset;
    shifted(x, offset) * 3.0
}

#[test]
fn parts_of_a_data_struct_handed_on_whole() {
    let h = Holder {
        offset: Offset { b: 0.5 },
    };
    assert_eq!(struct_bound_to_its_type_grad(2.0, &h), (13.5, 12.0));
    let x: f64 = 0.3;
    let (t, sech2) = (x.tanh(), 1.0 - x.tanh().powi(2));
    for act in [Act::Tanh, Act::Relu] {
        let cfg = Cfg {
            act,
            inner: Inner { c: 3.0 },
        };
        let (a, da) = match act {
            Act::Tanh => (t, sech2),
            Act::Relu => (x, 1.0),
        };
        // d/dx [act(x) * 3x] = 3 (act'(x) x + act(x)).
        let (value, g) = method_of_field_grad(x, &cfg);
        assert!(close(value, a * 3.0 * x) && close(g, 3.0 * (da * x + a)));
        assert_eq!(method_of_field_tangent(x, &cfg, 1.0), (value, g));
        let (value, g) = method_of_bound_field_grad(x, &cfg);
        assert!(close(value, 2.0 * a) && close(g, 2.0 * da));
    }
    let cfg = Cfg {
        act: Act::Tanh,
        inner: Inner { c: 3.0 },
    };
    // d/dx [tanh(x) tanh(2x)] = sech²(x) tanh(2x) + 2 tanh(x) sech²(2x).
    let (t2, sech2_2) = ((2.0 * x).tanh(), 1.0 - (2.0 * x).tanh().powi(2));
    let (value, g) = enum_bound_to_its_type_grad(x, &cfg);
    assert!(close(value, t * t2));
    assert!(close(g, sech2 * t2 + 2.0 * t * sech2_2));
}

/// A local table of `(weight, frequency)` constants, iterated, indexed and chained.
#[grad(modes(tangent, hvp))]
fn local_tuple_table(x: f64) -> f64 {
    let pairs = [(1.0, 0.5), (2.0, -0.25), (0.5, 3.0)];
    let mut acc = 0.0;
    for &(a, b) in pairs.iter() {
        acc += a * (b * x).sin();
    }
    for i in 0..pairs.len() {
        let (a, b) = pairs[i];
        acc += a * b * x * x;
    }
    acc + pairs.iter().map(|&(a, b)| a * (b * x).exp()).sum::<f64>()
}

#[test]
fn a_local_table_of_tuples_is_data() {
    let pairs: [(f64, f64); 3] = [(1.0, 0.5), (2.0, -0.25), (0.5, 3.0)];
    let x = 0.3;
    let d: f64 = pairs
        .iter()
        .map(|&(a, b)| a * b * (b * x).cos() + 2.0 * a * b * x + a * b * (b * x).exp())
        .sum();
    let d2: f64 = pairs
        .iter()
        .map(|&(a, b)| -a * b * b * (b * x).sin() + 2.0 * a * b + a * b * b * (b * x).exp())
        .sum();
    let (value, g) = local_tuple_table_grad(x);
    assert!(close(value, local_tuple_table(x)) && close(g, d));
    assert!(close(local_tuple_table_tangent(x, 1.0).1, d));
    assert!(close(local_tuple_table_hvp(x, 1.0).2, d2));
}

#[grad]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[derive(Clone, Debug, Params)]
pub struct Head {
    pub rows: Vec<Vec<f64>>,
    pub mat: [[f64; 2]; 2],
}

/// The rows of a model's fields lent to a call, one output each, collected.
#[grad(head)]
fn logits(head: &Head, h: &[f64]) -> Vec<f64> {
    let a: Vec<f64> = head.rows.iter().map(|row| dot(row, h)).collect();
    let b = head.mat.iter().map(|row| dot(row, h)).collect::<Vec<_>>();
    vec![a[0] + b[0], a[1] * b[1]]
}

/// Rows of data lent to a call, collected.
#[grad(w)]
fn scores(w: &[f64], xs: &[Vec<f64>]) -> Vec<f64> {
    xs.iter().map(|row| dot(row, w)).collect()
}

#[test]
fn rows_lent_to_a_call_inside_a_collected_map() {
    let head = Head {
        rows: vec![vec![0.5, 0.25], vec![-1.0, 2.0]],
        mat: [[1.0, 2.0], [3.0, 4.0]],
    };
    let h = [1.0, 2.0];
    let (value, (jh,)) = (logits(&head, &h), (logits_jacobian_rows(&head, &h),));
    // a = [1, 3], b = [5, 11]: [a0 + b0, a1 * b1] = [6, 33].
    assert_eq!(value, vec![6.0, 33.0]);
    assert_eq!(jh, [[1.0, 2.0, 0.0, 0.0], [0.0, 0.0, 11.0, 22.0]]);
    let xs = vec![vec![0.5, 0.25], vec![-1.0, 2.0]];
    let mut d_w = vec![0.0; 2];
    let value = scores_adjoint(&[1.0, 2.0], &xs, &[1.0, -2.0], &mut d_w[..]);
    assert_eq!(value, scores(&[1.0, 2.0], &xs));
    assert_eq!(value, vec![1.0, 3.0]);
    assert_eq!(d_w, vec![0.5 + 2.0, 0.25 - 4.0]);
}

/// d logits / d head.rows (flattened), from the adjoint with one-hot cotangents.
fn logits_jacobian_rows(head: &Head, h: &[f64]) -> [[f64; 4]; 2] {
    let mut out = [[0.0; 4]; 2];
    for (i, row) in out.iter_mut().enumerate() {
        let mut g = Head {
            rows: vec![vec![0.0; 2]; 2],
            mat: [[0.0; 2]; 2],
        };
        let mut d_out = [0.0; 2];
        d_out[i] = 1.0;
        logits_adjoint(head, h, &d_out, &mut g, autodiff::Const);
        row.copy_from_slice(&[g.rows[0][0], g.rows[0][1], g.rows[1][0], g.rows[1][1]]);
    }
    out
}

#[grad]
fn doubled_first(x: &[f64; 3]) -> [f64; 3] {
    [x[0] * 2.0, x[1], x[2]]
}

/// `map` of an array a call returns, its length stated on the `let`.
#[grad]
fn mapped_result(x: &[f64; 3]) -> f64 {
    let h: [f64; 3] = doubled_first(x);
    let y = h.map(|v| v * v);
    y[0] + y[1]
}

#[test]
fn map_of_a_returned_array_of_stated_length() {
    assert_eq!(mapped_result_grad(&[1.0, 2.0, 3.0]), (8.0, [8.0, 4.0, 0.0]));
}

/// Float data in a struct (ADBench's hand objective reads its model's data so).
pub struct Weights {
    pub xs: Vec<f64>,
    pub c: [f64; 2],
}

#[grad(theta, modes(tangent, hvp))]
fn dotted(theta: &[f64], xs: &[f64]) -> f64 {
    theta.iter().zip(xs).map(|(t, x)| t * x).sum()
}

#[grad(theta, modes(tangent, hvp))]
fn bent_pair(theta: &[f64], c: [f64; 2]) -> f64 {
    (theta[0] * c[0]).sin() + theta[1] * theta[1] * c[1]
}

/// Array fields of data handed on whole, by reference and by value (`w.c` by value failed to
/// compile: the reference it was bound to was passed).
#[grad(theta, modes(tangent, hvp))]
fn fields_passed_whole(theta: &[f64], w: &Weights) -> f64 {
    dotted(theta, &w.xs) + bent_pair(theta, w.c) + dotted(theta, &w.c)
}

#[test]
fn array_fields_of_data_passed_whole_by_value_and_by_reference() {
    let w = Weights {
        xs: vec![0.3, -1.2],
        c: [0.7, 1.9],
    };
    let (t, v) = ([0.4, -0.6], [1.5, -0.25]);
    let [x0, x1] = [w.xs[0], w.xs[1]];
    let [c0, c1] = w.c;
    let value =
        t[0] * x0 + t[1] * x1 + (t[0] * c0).sin() + t[1] * t[1] * c1 + t[0] * c0 + t[1] * c1;
    let grad = [x0 + c0 * (t[0] * c0).cos() + c0, x1 + 2.0 * t[1] * c1 + c1];
    let hv = [-c0 * c0 * (t[0] * c0).sin() * v[0], 2.0 * c1 * v[1]];
    let (f, g) = fields_passed_whole_grad(&t, &w);
    assert!(close(f, value) && common::all_close(&g, &grad), "{f} {g:?}");
    let (_, tangent) = fields_passed_whole_tangent(&t, &w, &v[..]);
    assert!(close(tangent, grad[0] * v[0] + grad[1] * v[1]), "{tangent}");
    let (_, g, h) = fields_passed_whole_hvp(&t, &w, &v);
    assert!(
        common::all_close(&g, &grad) && common::all_close(&h, &hv),
        "{g:?} {h:?}"
    );
}

/// A recommender's rating: indices into the factor tables, and the observed value.
pub struct Rating {
    pub user: usize,
    pub item: usize,
    pub value: f64,
}

#[grad]
fn factor_score(users: &[f64], items: &[f64], u: usize, i: usize) -> f64 {
    users[u] * items[i]
}

/// An integer field named `item` handed to a call (taken for a float before: a shadow
/// argument too many), and one bound to a local named like an index first (`idx`).
#[grad(users, items)]
fn rating_loss(users: &[f64], items: &[f64], r: &Rating) -> f64 {
    let idx = r.item;
    let direct = factor_score(users, items, r.user, r.item);
    let bound = factor_score(users, items, r.user, idx);
    (direct - r.value).powi(2) + 0.5 * bound
}

#[test]
fn index_fields_and_locals_named_like_indices_pass_as_integers() {
    let (users, items) = ([0.5, 2.0], [1.5, -1.0, 3.0]);
    let r = Rating {
        user: 1,
        item: 2,
        value: 4.0,
    };
    let (value, (d_users, d_items)) = rating_loss_grad(&users, &items, &r);
    // s = u1 i2 = 6: (s - 4)^2 + s / 2, ds = 2 (s - 4) + 1/2 = 4.5.
    assert_eq!(value, 4.0 + 3.0);
    assert_eq!(d_users, vec![0.0, 4.5 * 3.0]);
    assert_eq!(d_items, vec![0.0, 0.0, 4.5 * 2.0]);
}
