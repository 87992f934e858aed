//! Methods and models from public crates that a probe found failing to compile: a row of a
//! data matrix that a method returns passed to a `#[grad]` function (`row_dot(self.x.row(i),
//! beta)`, nextstat's ordinal regression), which got no shadow (E0061 inside the generated
//! code); a `#[params(skip)]` field of `bool`s read as a condition in a differentiated method
//! (a normalizing flow's coupling mask, `if self.mask[i]`), whose shadow was checked as one
//! of floats (E0277 inside the generated code); and the items of a sequence of structs in a
//! field of a `self` read as data handed to their own `#[grad]` method (RealNVP's `for layer
//! in &self.layers { t += layer.log_det_jacobian(z); }`), called through the plain `_adjoint`
//! with a shadow it does not take (E0061 inside the generated code).

#![allow(clippy::needless_range_loop)]

use autodiff::{grad, Params};

fn central(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    let h = 1e-6 * x.abs().max(1.0);
    (f(x + h) - f(x - h)) / (2.0 * h)
}

pub struct DenseX {
    pub p: usize,
    pub data: Vec<f64>,
}

impl DenseX {
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.p..(i + 1) * self.p]
    }
}

#[grad]
pub fn row_dot(x_row: &[f64], beta: &[f64]) -> f64 {
    x_row.iter().zip(beta).map(|(&x, &b)| x * b).sum()
}

pub struct Ordinal {
    x: DenseX,
}

impl Ordinal {
    #[grad(beta)]
    fn eta(&self, i: usize, beta: &[f64]) -> f64 {
        row_dot(self.x.row(i), beta).tanh()
    }
}

#[grad(beta)]
fn eta_free(x: &DenseX, i: usize, beta: &[f64]) -> f64 {
    row_dot(x.row(i), beta).tanh()
}

#[test]
fn a_row_a_method_returns_is_float_data_for_the_callee() {
    let m = Ordinal {
        x: DenseX {
            p: 2,
            data: vec![1.0, 2.0, 3.0, -4.0],
        },
    };
    let beta = [0.3, -0.2];
    for i in 0..2 {
        let (value, grad) = m.eta_grad(i, &beta);
        let (free_value, free_grad) = eta_free_grad(&m.x, i, &beta);
        let row = m.x.row(i);
        let dot = row[0] * beta[0] + row[1] * beta[1];
        let slope = 1.0 - dot.tanh().powi(2);
        assert_eq!((value, free_value), (dot.tanh(), dot.tanh()));
        for k in 0..2 {
            assert!((grad[k] - slope * row[k]).abs() < 1e-15);
            assert_eq!(grad[k], free_grad[k]);
        }
    }
}

#[derive(Clone, Debug, Params)]
pub struct Coupling {
    #[params(skip)]
    pub mask: Vec<bool>,
    pub s: Vec<f64>,
}

#[grad(self, z, modes(tangent))]
impl Coupling {
    pub fn log_det(&self, z: &[f64]) -> f64 {
        let mut t = 0.0;
        for i in 0..z.len() {
            if self.mask[i] {
                t += (self.s[i] * z[i]).sin();
            }
        }
        t
    }
}

#[test]
fn a_skipped_field_of_bools_read_as_a_condition_has_no_shadow_to_check() {
    let c = Coupling {
        mask: vec![true, false, true],
        s: vec![0.5, 2.0, -1.5],
    };
    let z = [0.3, 0.7, -0.2];
    let (value, (d_c, d_z)) = c.log_det_grad(&z);
    assert_eq!(value, c.log_det(&z));
    for i in 0..3 {
        let on = if c.mask[i] { 1.0 } else { 0.0 };
        let cos = (c.s[i] * z[i]).cos();
        assert!((d_c.s[i] - on * cos * z[i]).abs() < 1e-15);
        assert!((d_z[i] - on * cos * c.s[i]).abs() < 1e-15);
    }
    assert_eq!(d_c.mask, c.mask);
    // The tangent along the parameters' direction: the gradient dotted with it.
    let direction = Coupling {
        mask: vec![true; 3],
        s: vec![1.0, -1.0, 0.5],
    };
    let t_z = [0.25, 1.0, -1.0];
    let (tangent_value, tangent) = c.log_det_tangent(&z, &direction, &t_z[..]);
    let expected: f64 = (0..3)
        .map(|i| d_c.s[i] * direction.s[i] + d_z[i] * t_z[i])
        .sum();
    assert_eq!(tangent_value, value);
    assert!((tangent - expected).abs() < 1e-15);
}

pub struct Flow {
    pub s: f64,
}

#[grad(z)]
impl Flow {
    pub fn apply(&self, z: f64) -> f64 {
        (self.s * z).sin() + z
    }
}

pub struct RealNvp {
    pub layers: Vec<Flow>,
}

#[grad(z)]
impl RealNvp {
    /// Each layer's value added up: a loop whose iterations only add.
    pub fn total(&self, z: f64) -> f64 {
        let mut t = 0.0;
        for layer in &self.layers {
            t += layer.apply(z);
        }
        t
    }

    /// The layers composed, last first: each iteration's input is the previous output.
    pub fn forward(&self, z: f64) -> f64 {
        let mut h = z;
        for layer in self.layers.iter().rev() {
            h = layer.apply(h) * h;
        }
        h
    }
}

#[test]
fn items_of_a_data_field_go_to_their_methods_whole() {
    let flow = RealNvp {
        layers: vec![Flow { s: 0.7 }, Flow { s: -1.3 }, Flow { s: 0.4 }],
    };
    for z in [-0.9, 0.2, 0.8] {
        let (value, grad) = flow.total_grad(z);
        assert_eq!(value, flow.total(z));
        assert!((grad - central(|v| flow.total(v), z)).abs() < 1e-8);
        let (value, grad) = flow.forward_grad(z);
        assert_eq!(value, flow.forward(z));
        assert!((grad - central(|v| flow.forward(v), z)).abs() < 1e-8);
    }
}

pub struct Obstacle {
    pub x: f64,
}

pub struct Planner {
    pub obstacles: Vec<Obstacle>,
}

impl Planner {
    /// rust_robotics' CHOMP obstacle cost: the numbers of the items of a `Vec` of structs in
    /// a `self` read as data are data (they were rejected as unmarked fields of sub-models).
    #[grad(traj)]
    fn obstacle_cost(&self, traj: &[f64]) -> f64 {
        let mut c = 0.0;
        for p in traj {
            for obs in &self.obstacles {
                c += (p - obs.x).powi(2);
            }
        }
        c
    }
}

pub struct Reaction {
    pub k: f64,
}

pub struct Mechanism {
    pub reactions: Vec<Reaction>,
}

/// A kinetics module's production rate: the items of a data parameter's `Vec` of structs,
/// enumerated.
#[grad(t)]
fn total_rate(mech: &Mechanism, t: f64) -> f64 {
    let mut acc = 0.0_f64;
    for (i, rxn) in mech.reactions.iter().enumerate() {
        acc += rxn.k * t * t * (i as f64 + 1.0);
    }
    acc
}

#[test]
fn numbers_of_items_of_data_are_data() {
    let planner = Planner {
        obstacles: vec![Obstacle { x: 1.0 }, Obstacle { x: 3.0 }],
    };
    let (value, gradient) = planner.obstacle_cost_grad(&[0.0, 2.0]);
    assert_eq!((value, gradient), (12.0, vec![-8.0, 0.0]));
    let mech = Mechanism {
        reactions: vec![Reaction { k: 1.0 }, Reaction { k: 2.0 }],
    };
    assert_eq!(total_rate_grad(&mech, 2.0), (20.0, 20.0));
}

pub struct Profile {
    pub times: [f64; 3],
}

impl Profile {
    /// rust_robotics' eta³ velocity profile: a closure that states its return type, whose
    /// body sums data (`self.times[..n].iter().sum()`), lost the type where it was inlined
    /// (E0282 inside the generated code).
    #[grad(x)]
    fn query(&self, x: f64) -> f64 {
        let cum_time = |n: usize| -> f64 { self.times[..n].iter().sum() };
        let pair = |a: f64| -> (f64, f64) { (a * a, a) };
        if x <= self.times[0] {
            x
        } else {
            let d = x - cum_time(2);
            let (sq, _) = pair(d);
            sq
        }
    }
}

#[test]
fn a_closure_s_stated_return_type_types_its_body() {
    let p = Profile {
        times: [0.5, 1.0, 2.0],
    };
    assert_eq!(p.query_grad(2.0), (0.25, 1.0));
    assert_eq!(p.query_grad(0.25), (0.25, 1.0));
}
