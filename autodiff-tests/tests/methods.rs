//! `#[grad]` on methods and on whole `impl` blocks, inherent and trait impls: `self` is data
//! unless `#[grad(self, ..)]` names it, then its gradient has the struct's type.

use autodiff::gradcheck::check_params_gradient;
use autodiff::{grad, Const, Float, Params};

/// The log-densities and CDFs below are the textbook ones, written as a distribution crate
/// writes them: methods reading `self`'s fields.
trait Continuous {
    fn ln_pdf(&self, x: f64) -> f64;
    fn cdf(&self, x: f64) -> f64;
    fn ln_sf(&self, x: f64) -> f64;
    fn name(&self) -> &'static str;
}

#[derive(Clone, Debug, PartialEq, Params)]
struct Logistic {
    location: f64,
    scale: f64,
}

// Every method returning a float is differentiated; `name` is left alone.
#[grad(self, x)]
impl Continuous for Logistic {
    fn ln_pdf(&self, x: f64) -> f64 {
        let z = (x - self.location) / self.scale;
        -z - 2.0 * (-z).exp().ln_1p() - self.scale.ln()
    }

    fn cdf(&self, x: f64) -> f64 {
        1.0 / (1.0 + (-(x - self.location) / self.scale).exp())
    }

    /// Another method of `self`: `Self::cdf(self, x)`, differentiated through `cdf_adjoint`.
    fn ln_sf(&self, x: f64) -> f64 {
        (1.0 - self.cdf(x)).ln()
    }

    fn name(&self) -> &'static str {
        "logistic"
    }
}

#[derive(Clone, Debug, PartialEq, Params)]
struct Normal {
    mean: f64,
    std_dev: f64,
}

impl Normal {
    /// `self` is data here: the derivative in `x` only.
    #[grad]
    fn ln_pdf(&self, x: f64) -> f64 {
        let z = (x - self.mean) / self.std_dev;
        -0.5 * z * z - self.std_dev.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln()
    }

    /// The same density, differentiated in its parameters too.
    #[grad(self, x)]
    fn ln_pdf_all(&self, x: f64) -> f64 {
        let z = (x - self.mean) / self.std_dev;
        -0.5 * z * z - self.std_dev.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln()
    }
}

#[derive(Clone, Debug, PartialEq, Params)]
struct Exponential<T> {
    rate: T,
}

#[grad]
impl<T: Float> Exponential<T> {
    /// `-inf` outside the support: an early return.
    #[grad(self, x)]
    fn ln_pdf(&self, x: T) -> T {
        if x < T::zero() {
            return T::neg_infinity();
        }
        self.rate.ln() - self.rate * x
    }

    #[grad(self)]
    fn mean(&self) -> T {
        self.rate.recip()
    }

    #[grad(self)]
    fn variance(&self) -> T {
        self.mean() * self.mean()
    }
}

/// A free function calling a model parameter's methods, in a closure too; `self` as data
/// calling a method with `self` as data.
#[grad(d)]
fn neg_log_likelihood(d: &Normal, xs: &[f64]) -> f64 {
    let first = -d.ln_pdf_all(xs[0]);
    first + xs[1..].iter().map(|&x| -d.ln_pdf_all(x)).sum::<f64>()
}

impl Normal {
    #[grad]
    fn pdf(&self, x: f64) -> f64 {
        self.ln_pdf(x).exp()
    }
}

#[test]
fn methods_call_methods_of_self_and_of_models() {
    let l = Logistic {
        location: 0.5,
        scale: 1.5,
    };
    let (value, (d_l, d_x)) = l.ln_sf_grad(0.25);
    assert_eq!(value, l.ln_sf(0.25));
    check_params_gradient(|m: &Logistic| m.ln_sf(0.25), &l, &d_l).assert_ok();
    // d/dx ln(1 - F) = -f / (1 - F), f = F (1 - F) / s: -F / s.
    assert!((d_x + l.cdf(0.25) / 1.5).abs() < 1e-12);

    let e = Exponential { rate: 2.0_f64 };
    let (variance, d_e) = e.variance_grad();
    assert_eq!(variance, 0.25);
    assert!((d_e.rate + 2.0 / 8.0).abs() < 1e-12); // d/dr r^-2 = -2 r^-3

    let d = Normal {
        mean: 0.25,
        std_dev: 1.25,
    };
    let xs = [0.5, -1.0, 2.0];
    let (value, g) = neg_log_likelihood_grad(&d, &xs);
    assert_eq!(value, neg_log_likelihood(&d, &xs));
    check_params_gradient(|m: &Normal| neg_log_likelihood(m, &xs), &d, &g).assert_ok();

    let (p, d_x) = d.pdf_grad(0.5);
    // d/dx pdf = -pdf (x - mean) / sd^2
    assert!((d_x + p * 0.25 / (1.25 * 1.25)).abs() < 1e-12);
}

#[test]
fn trait_impl_methods_differentiate_self_and_arguments() {
    let d = Logistic {
        location: 0.5,
        scale: 1.5,
    };
    assert_eq!(d.name(), "logistic");
    for x in [-2.0, 0.3, 4.0] {
        let (v, (g, dx)) = d.ln_pdf_grad(x);
        assert_eq!(v, d.ln_pdf(x));
        check_params_gradient(|m: &Logistic| m.ln_pdf(x), &d, &g).assert_ok();
        let h = 1e-6;
        assert!((dx - (d.ln_pdf(x + h) - d.ln_pdf(x - h)) / (2.0 * h)).abs() < 1e-7);
        // The CDF's derivative in x is the density.
        let (_, (g, dx)) = d.cdf_grad(x);
        assert!((dx - d.ln_pdf(x).exp()).abs() < 1e-12);
        check_params_gradient(|m: &Logistic| m.cdf(x), &d, &g).assert_ok();
    }
}

#[test]
fn self_is_data_unless_named() {
    let n = Normal {
        mean: 1.0,
        std_dev: 2.0,
    };
    // d/dx ln N(x; μ, σ) = -(x - μ) / σ²
    let (v, dx) = n.ln_pdf_grad(3.0);
    assert_eq!(v, n.ln_pdf(3.0));
    assert_eq!(dx, -0.5);
    let (_, (g, dx_all)) = n.ln_pdf_all_grad(3.0);
    assert_eq!(dx_all, -0.5);
    // d/dμ = (x - μ) / σ², d/dσ = (x - μ)² / σ³ - 1 / σ
    assert_eq!(
        g,
        Normal {
            mean: 0.5,
            std_dev: 0.0
        }
    );
    // Accumulating, and `Const` for `self`.
    let mut acc = n.zeros_like();
    n.ln_pdf_all_adjoint(3.0, 2.0, &mut acc, Const);
    n.ln_pdf_all_adjoint(3.0, 1.0, &mut acc, Const);
    assert_eq!(
        acc,
        Normal {
            mean: 1.5,
            std_dev: 0.0
        }
    );
    let mut dx = 0.0;
    n.ln_pdf_all_adjoint(3.0, 1.0, Const, &mut dx);
    assert_eq!(dx, -0.5);
}

#[test]
fn generic_impl_blocks_in_f32_and_f64() {
    let e = Exponential { rate: 2.0f32 };
    let (v, g) = e.mean_grad();
    assert_eq!((v, g.rate), (0.5, -0.25));
    let e = Exponential { rate: 0.5f64 };
    let (v, (g, dx)) = e.ln_pdf_grad(2.0);
    assert!((v - (0.5f64.ln() - 1.0)).abs() < 1e-15);
    assert_eq!((g.rate, dx), (2.0 - 2.0, -0.5));
    // Outside the support: -inf, no gradient.
    let (v, (g, dx)) = e.ln_pdf_grad(-1.0);
    assert_eq!((v, g.rate, dx), (f64::NEG_INFINITY, 0.0, 0.0));
}

// ---- a block's list applies to each method's own parameters; `Option` results ----

trait Moments {
    fn mean(&self) -> Option<f64>;
    fn ln_pdf_at(&self, x: f64) -> f64;
    fn support(&self) -> (f64, f64);
}

#[derive(Clone, Debug, PartialEq, Params)]
struct Rate {
    rate: f64,
}

// `mean` has no `x`: it is differentiated in `self` only; `support` returns no float.
#[grad(self, x)]
impl Moments for Rate {
    fn mean(&self) -> Option<f64> {
        if self.rate <= 0.0 {
            return None;
        }
        Some(1.0 / self.rate)
    }

    fn ln_pdf_at(&self, x: f64) -> f64 {
        self.rate.ln() - self.rate * x
    }

    fn support(&self) -> (f64, f64) {
        (0.0, f64::INFINITY)
    }
}

#[test]
fn block_lists_fit_each_method() {
    let r = Rate { rate: 2.0 };
    assert_eq!(r.mean_grad(), Some((0.5, Rate { rate: -0.25 })));
    assert_eq!(Rate { rate: -1.0 }.mean_grad(), None);
    assert_eq!(r.ln_pdf_at_grad(1.0).1, (Rate { rate: 0.5 - 1.0 }, -2.0));
    assert_eq!(r.support(), (0.0, f64::INFINITY));
}

// Associated functions without `self` in a `#[grad]` impl block: their items are reached
// through `Self::` (E0425 "cannot find value `point`"; found by the issue-10 probe).
struct Huber;

#[grad]
impl Huber {
    const DELTA: f64 = 1.0;

    fn point(r: f64) -> f64 {
        if r.abs() <= Self::DELTA {
            0.5 * r * r
        } else {
            Self::DELTA * (r.abs() - 0.5 * Self::DELTA)
        }
    }

    fn total(r: &[f64]) -> f64 {
        let mut s = 0.0;
        for v in r {
            s += Self::point(*v);
        }
        s
    }
}

#[test]
fn associated_functions_without_self_are_differentiated() {
    assert_eq!(Huber::point_grad(0.5), (0.125, 0.5));
    assert_eq!(Huber::point_grad(-3.0), (2.5, -1.0));
    assert_eq!(Huber::total_grad(&[0.5, -3.0]), (2.625, vec![0.5, -1.0]));
}

/// A logistic model whose `#[grad(self)]` block calls an associated function without `self`
/// (`Self::sigmoid`, `Classifier::sigmoid`): it is differentiated in its own float
/// parameters, since the methods need its derivative; `n_features` returns no float and is
/// left alone.
#[derive(Clone, Debug, PartialEq, Params)]
struct Classifier {
    w: Vec<f64>,
    b: f64,
}

#[grad(self)]
impl Classifier {
    fn logit(&self, x: &[f64]) -> f64 {
        self.w.iter().zip(x).map(|(w, x)| w * x).sum::<f64>() + self.b
    }

    fn prob(&self, x: &[f64]) -> f64 {
        Self::sigmoid(self.logit(x))
    }

    fn sigmoid(z: f64) -> f64 {
        1.0 / (1.0 + (-z).exp())
    }

    fn loss(&self, x: &[f64], y: f64) -> f64 {
        let p = Classifier::sigmoid(self.logit(x));
        -(y * p.ln() + (1.0 - y) * (1.0 - p).ln())
    }

    fn n_features(&self) -> usize {
        self.w.len()
    }
}

/// A block `#[grad]` beside a method's own attribute: the method is the one differentiated,
/// and the associated function it calls gets items too, in the modes the method asks for
/// (E0599 `leaky_adjoint` not found, probe).
#[derive(Clone, Debug, PartialEq, Params)]
struct Neuron {
    w: f64,
}

#[grad]
impl Neuron {
    fn leaky(z: f64) -> f64 {
        if z > 0.0 {
            z
        } else {
            0.01 * z
        }
    }

    #[grad(self, x, modes(tangent))]
    fn forward(&self, x: f64) -> f64 {
        Self::leaky(self.w * x)
    }
}

#[test]
fn helpers_of_a_marked_method_are_differentiated() {
    let n = Neuron { w: 0.5 };
    assert_eq!(n.forward_grad(2.0), (1.0, (Neuron { w: 2.0 }, 0.5)));
    assert_eq!(n.forward_grad(-2.0), (-0.01, (Neuron { w: -0.02 }, 0.005)));
    assert_eq!(Neuron::leaky_tangent(-2.0, 1.0), (-0.02, 0.01));
    let (value, tangent) = n.forward_tangent(2.0, &Neuron { w: 1.0 }, 0.0);
    assert_eq!((value, tangent), (1.0, 2.0));
}

#[test]
fn associated_helpers_the_methods_call_are_differentiated() {
    let m = Classifier {
        w: vec![0.5, -0.3, 0.2],
        b: 0.1,
    };
    let (x, y) = ([1.0, 2.0, -0.5], 1.0);
    let p = m.prob(&x);
    let (value, g) = m.loss_grad(&x, y);
    assert!((value + p.ln()).abs() < 1e-12);
    // d/dz of the cross-entropy is p - y.
    let expected = Classifier {
        w: x.iter().map(|v| (p - y) * v).collect(),
        b: p - y,
    };
    check_params_gradient(|m: &Classifier| m.loss(&x, y), &m, &g).assert_ok();
    assert!((g.b - expected.b).abs() < 1e-12);
    let (_, d_z) = Classifier::sigmoid_grad(0.3);
    let s = Classifier::sigmoid(0.3);
    assert!((d_z - s * (1.0 - s)).abs() < 1e-15);
    assert_eq!(m.n_features(), 3);
}

/// A data struct's `#[grad]` methods (`self` not differentiated), one by reference and one by
/// value on a `Copy` type.
struct Warp {
    a: f64,
    b: f64,
}

impl Warp {
    #[grad]
    fn apply(&self, x: f64) -> f64 {
        (self.a * x + self.b).tanh()
    }
}

#[derive(Clone, Copy)]
struct Scale(f64);

impl Scale {
    #[grad]
    fn by(self, x: f64) -> f64 {
        self.0 * x * x
    }
}

/// Those methods called on data parameters with differentiated arguments: their adjoints by
/// method-call syntax, the receiver as it is passed.
#[grad(x)]
fn warped(x: &[f64], warp: &Warp, s: Scale, t: &Scale) -> f64 {
    x.iter().map(|&v| warp.apply(v)).sum::<f64>() + s.by(x[1]) + t.by(x[0]) + warp.a
}

#[test]
fn methods_of_data_parameters_on_differentiated_values() {
    let x = [0.3, -1.2, 0.7];
    let warp = Warp { a: 0.5, b: -0.1 };
    let (value, g) = warped_grad(&x, &warp, Scale(2.0), &Scale(3.0));
    assert!((value - warped(&x, &warp, Scale(2.0), &Scale(3.0))).abs() < 1e-15);
    let sech2 = |v: f64| 1.0 - (warp.a * v + warp.b).tanh().powi(2);
    let expected = [
        warp.a * sech2(x[0]) + 6.0 * x[0],
        warp.a * sech2(x[1]) + 4.0 * x[1],
        warp.a * sech2(x[2]),
    ];
    for (g, e) in g.iter().zip(&expected) {
        assert!((g - e).abs() < 1e-12, "{g} against {e}");
    }
}

// ---- a trait impl whose signatures name its associated types (argmin's `CostFunction`) ----

#[derive(Debug, PartialEq)]
pub struct TooShort;

pub trait CostFunction {
    type Param;
    type Output;
    fn cost(&self, param: &Self::Param) -> Result<Self::Output, TooShort>;
}

pub struct ExtendedRosenbrock {
    pub a: f64,
    pub b: f64,
}

// `Self::Param` and `Self::Output` are the types the impl defines, in the generated items
// (an inherent impl, where they would name nothing).
#[grad(param)]
impl CostFunction for ExtendedRosenbrock {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, param: &Self::Param) -> Result<Self::Output, TooShort> {
        if param.len() < 2 {
            return Err(TooShort);
        }
        let total: Self::Output = param
            .windows(2)
            .map(|w| self.b * (w[1] - w[0].powi(2)).powi(2) + (self.a - w[0]).powi(2))
            .sum();
        Ok(total)
    }
}

#[test]
fn associated_types_of_a_trait_impl_are_resolved() {
    let f = ExtendedRosenbrock { a: 1.0, b: 100.0 };
    let x = vec![1.2, 1.0, 0.8];
    let (value, g) = f.cost_grad(&x).unwrap();
    assert_eq!(value, f.cost(&x).unwrap());
    // d/dx_i of b (x_{i+1} - x_i^2)^2 + (a - x_i)^2, and of the term before it.
    let mut by_hand = vec![0.0; 3];
    for i in 0..2 {
        let r = x[i + 1] - x[i] * x[i];
        by_hand[i] += -4.0 * f.b * r * x[i] - 2.0 * (f.a - x[i]);
        by_hand[i + 1] += 2.0 * f.b * r;
    }
    assert!(
        g.iter().zip(&by_hand).all(|(a, b)| (a - b).abs() < 1e-12),
        "{g:?}"
    );
    assert_eq!(f.cost_grad(&vec![1.0]), Err(TooShort));
}

// ----- a trait generic over the float, implemented for types that do not name it -----
// `impl<T: Float> Loss<T> for Mse`: the generated items go into an inherent impl of `Mse`,
// which cannot declare `T` (E0207 inside generated code, probe of smartcore's distances).

pub trait Loss<T> {
    fn loss(&self, pred: &[T], target: &[T]) -> T;
    fn term(&self, pred: T, target: T) -> T;
}

pub struct Mse;

#[grad(modes(tangent, hvp))]
impl<T: Float> Loss<T> for Mse {
    fn loss(&self, pred: &[T], target: &[T]) -> T {
        let mut s = T::zero();
        for i in 0..pred.len() {
            s = s + self.term(pred[i], target[i]);
        }
        s / T::from(pred.len()).unwrap()
    }

    fn term(&self, pred: T, target: T) -> T {
        (pred - target) * (pred - target)
    }
}

/// A const generic of the impl and a `where` clause, both moved.
pub struct ScaledHuber<const K: usize> {
    pub delta: f64,
}

#[grad]
impl<T, const K: usize> Loss<T> for ScaledHuber<K>
where
    T: Float,
{
    fn loss(&self, pred: &[T], target: &[T]) -> T {
        let mut s = T::zero();
        for i in 0..pred.len() {
            s = s + self.term(pred[i], target[i]);
        }
        s * T::from(K).unwrap()
    }

    fn term(&self, pred: T, target: T) -> T {
        let d = T::from(self.delta).unwrap();
        let r = (pred - target).abs();
        if r <= d {
            r * r / (d + d)
        } else {
            r - d / (T::one() + T::one())
        }
    }
}

/// smartcore's distances: the trait's type parameters are the compared type and the float.
pub trait Distance<V, F> {
    fn distance(&self, a: &V, b: &V) -> F;
}

pub struct Manhattan;

#[grad]
#[allow(clippy::ptr_arg)] // smartcore's signature, as written
impl<T: Float> Distance<Vec<T>, T> for Manhattan {
    fn distance(&self, x: &Vec<T>, y: &Vec<T>) -> T {
        let mut dist = T::zero();
        for i in 0..x.len() {
            dist = dist + (x[i] - y[i]).abs();
        }
        dist
    }
}

#[grad]
fn total_loss(p: &[f64], t: &[f64]) -> f64 {
    Mse.loss(p, t) + ScaledHuber::<2> { delta: 1.0 }.loss(p, t)
}

#[test]
fn impl_generics_only_the_trait_names() {
    let (p, t) = ([1.0f64, 3.5], [0.0, 3.0]);
    // (1 + 0.25) / 2
    assert_eq!(
        Mse.loss_grad(&p, &t),
        (0.625, ([1.0, 0.5].to_vec(), [-1.0, -0.5].to_vec()))
    );
    let (_, (gp, _), (hv, _)) = Mse.loss_hvp(&p, &t, &[1.0, 0.0], &[0.0, 0.0]);
    assert_eq!((gp, hv), (vec![1.0, 0.5], vec![1.0, 0.0]));
    let (value, tangent) = Mse.loss_tangent(&[1.0f32, 3.5], &[0.0, 3.0], &[0.0, 2.0][..], Const);
    assert_eq!((value, tangent), (0.625, 1.0));
    // |r| <= 1: r^2 / 2; beyond: |r| - 1/2; times K = 2: (1/2 + 1/8) * 2
    let huber = ScaledHuber::<2> { delta: 1.0 };
    assert_eq!(
        huber.loss_grad(&p, &t),
        (1.25, (vec![2.0, 1.0], vec![-2.0, -1.0]))
    );
    assert_eq!(
        Manhattan.distance_grad(&vec![1.0, 2.0], &vec![0.0, 3.0]),
        (2.0, (vec![1.0, -1.0], vec![-1.0, 1.0]))
    );
    let (value, (d_p, d_t)) = total_loss_grad(&p, &t);
    assert_eq!(value, total_loss(&p, &t));
    assert_eq!((d_p, d_t), (vec![3.0, 1.5], vec![-3.0, -1.5]));
}

// ---- the array a method returns, destructured (signal probe: a biquad's `step`) ----

#[derive(Clone, Debug, PartialEq, Params)]
struct Gains {
    a: f64,
    b: f64,
}

impl Gains {
    #[grad(self, x)]
    fn pair(&self, x: f64) -> [f64; 2] {
        [self.a * x, self.b * x]
    }

    /// `let [u, v] = self.pair(x);` inside another method of the model.
    #[grad(self)]
    fn product_plus(&self, x: f64) -> f64 {
        let [u, v] = self.pair(x);
        u * v + x
    }
}

#[grad(g)]
fn product_of_pair(g: &Gains, x: f64) -> f64 {
    let [u, v] = g.pair(x);
    u * v
}

#[test]
fn a_methods_array_is_destructured() {
    let g = Gains { a: 1.0, b: 2.0 };
    // u v = a b x^2: d/da = b x^2, d/db = a x^2.
    let want = Gains { a: 18.0, b: 9.0 };
    assert_eq!(product_of_pair_grad(&g, 3.0), (18.0, want.clone()));
    assert_eq!(g.product_plus_grad(3.0), (21.0, want));
}
