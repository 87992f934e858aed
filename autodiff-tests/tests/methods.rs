//! `#[grad]` on methods and on whole `impl` blocks, inherent and trait impls: `self` is data
//! unless `#[grad(self, ..)]` names it, then its gradient has the struct's type.

use autodiff::gradcheck::check_params_gradient;
use autodiff::{grad, Const, Float, Params};

/// The log-densities and CDFs below are the textbook ones, written as a distribution crate
/// writes them: methods reading `self`'s fields.
trait Continuous {
    fn ln_pdf(&self, x: f64) -> f64;
    fn cdf(&self, x: f64) -> f64;
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
