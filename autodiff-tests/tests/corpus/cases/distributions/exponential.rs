//! Exponential distribution: `ln_pdf` returning -∞ outside the support by an early return,
//! `cdf` and `sf` through `exp_m1` and `exp` as `if` expressions, and an `inverse_cdf` in a
//! probability `p`, asserted to be one, with the methods' own attributes in the second impl.

use crate::check::{Case, Reference};
use autodiff::{grad, Const, Params};

#[derive(Debug, PartialEq)]
pub enum ExponentialError {
    RateInvalid,
}

/// Exp(λ): density λ e^{-λx} on x ≥ 0.
#[derive(Clone, Debug, PartialEq, Params)]
pub struct Exponential {
    rate: f64,
}

impl Exponential {
    pub fn new(rate: f64) -> Result<Exponential, ExponentialError> {
        if rate.is_nan() || rate <= 0.0 || rate.is_infinite() {
            Err(ExponentialError::RateInvalid)
        } else {
            Ok(Exponential { rate })
        }
    }
}

pub trait Continuous {
    fn ln_pdf(&self, x: f64) -> f64;
}

pub trait ContinuousCdf {
    fn cdf(&self, x: f64) -> f64;
    /// The survival function 1 - cdf, without the cancellation.
    fn sf(&self, x: f64) -> f64;
    /// The quantile function.
    ///
    /// # Panics
    ///
    /// If `p` is not in [0, 1].
    fn inverse_cdf(&self, p: f64) -> f64;
}

#[grad(self, x)]
impl Continuous for Exponential {
    fn ln_pdf(&self, x: f64) -> f64 {
        if x < 0.0 {
            return f64::NEG_INFINITY;
        }
        self.rate.ln() - self.rate * x
    }
}

#[grad]
impl ContinuousCdf for Exponential {
    #[grad(self, x)]
    fn cdf(&self, x: f64) -> f64 {
        if x < 0.0 {
            0.0
        } else {
            -(-self.rate * x).exp_m1()
        }
    }

    #[grad(self, x)]
    fn sf(&self, x: f64) -> f64 {
        if x < 0.0 {
            1.0
        } else {
            (-self.rate * x).exp()
        }
    }

    #[grad(self, p)]
    fn inverse_cdf(&self, p: f64) -> f64 {
        assert!((0.0..=1.0).contains(&p), "p must be in [0, 1], got {p}");
        -(-p).ln_1p() / self.rate
    }
}

// references.py: LN_PDF (begin)
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const LN_PDF: &[Reference] = &[
    Reference {
        at: &[1.0, 0.5],
        value: -0.5,
        gradient: &[0.5, -1.0],
    },
    Reference {
        at: &[2.5, 1.25],
        value: -2.20870926812584493481647278823,
        gradient: &[-0.85, -2.5],
    },
    Reference {
        at: &[0.125, 10.0],
        value: -3.32944154167983592825169636437,
        gradient: &[-2.0, -0.125],
    },
    Reference {
        at: &[4.0, 0.0625],
        value: 1.13629436111989061883446424292,
        gradient: &[0.1875, -4.0],
    },
];
// references.py: LN_PDF (end)

// references.py: CDF (begin)
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const CDF: &[Reference] = &[
    Reference {
        at: &[1.0, 0.5],
        value: 0.393469340287366576396200465009,
        gradient: &[
            0.303265329856316711801899767496,
            0.606530659712633423603799534991,
        ],
    },
    Reference {
        at: &[2.5, 1.25],
        value: 0.956063066376592582673252318299,
        gradient: &[
            0.0549211670292592716584346021268,
            0.109842334058518543316869204254,
        ],
    },
    Reference {
        at: &[0.125, 10.0],
        value: 0.713495203139809899675114573352,
        gradient: &[
            2.86504796860190100324885426648,
            0.035813099607523762540610678331,
        ],
    },
    Reference {
        at: &[4.0, 0.0625],
        value: 0.221199216928595131754829733022,
        gradient: &[
            0.0486750489419628042653231416861,
            3.11520313228561947298068106791,
        ],
    },
];
// references.py: CDF (end)

// references.py: SF (begin)
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const SF: &[Reference] = &[
    Reference {
        at: &[1.0, 0.5],
        value: 0.606530659712633423603799534991,
        gradient: &[
            -0.303265329856316711801899767496,
            -0.606530659712633423603799534991,
        ],
    },
    Reference {
        at: &[2.5, 1.25],
        value: 0.0439369336234074173267476817015,
        gradient: &[
            -0.0549211670292592716584346021268,
            -0.109842334058518543316869204254,
        ],
    },
    Reference {
        at: &[0.125, 10.0],
        value: 0.286504796860190100324885426648,
        gradient: &[
            -2.86504796860190100324885426648,
            -0.035813099607523762540610678331,
        ],
    },
    Reference {
        at: &[4.0, 0.0625],
        value: 0.778800783071404868245170266978,
        gradient: &[
            -0.0486750489419628042653231416861,
            -3.11520313228561947298068106791,
        ],
    },
];
// references.py: SF (end)

// references.py: INVERSE_CDF (begin)
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const INVERSE_CDF: &[Reference] = &[
    Reference {
        at: &[1.0, 0.5],
        value: 0.693147180559945309417232121458,
        gradient: &[-0.693147180559945309417232121458, 2.0],
    },
    Reference {
        at: &[2.5, 0.125],
        value: 0.0534125570498090492585374483725,
        gradient: &[
            -0.021365022819923619703414979349,
            0.457142857142857142857142857143,
        ],
    },
    Reference {
        at: &[0.125, 0.9375],
        value: 22.1807097779182499013514278867,
        gradient: &[-177.445678223345999210811423093, 128.0],
    },
    Reference {
        at: &[4.0, 0.001953125],
        value: 4.88758708950837639406873060467e-4,
        gradient: &[
            -1.22189677237709409851718265117e-4,
            0.250489236790606653620352250489,
        ],
    },
];
// references.py: INVERSE_CDF (end)

/// Closed forms: f64 rounding of a handful of operations.
const TOL: f64 = 1e-12;

/// A method on the flat inputs, its hand gradient and its references.
type Method = (
    &'static str,
    fn(&[f64]) -> f64,
    fn(&[f64]) -> Vec<f64>,
    &'static [Reference],
);

/// The flat inputs `[rate, x]` (or `[rate, p]`).
fn split(p: &[f64]) -> (Exponential, f64) {
    (Exponential::new(p[0]).unwrap(), p[1])
}

fn join(g: &Exponential, dx: f64) -> Vec<f64> {
    vec![g.rate, dx]
}

fn ln_pdf(p: &[f64]) -> f64 {
    let (d, x) = split(p);
    d.ln_pdf(x)
}

/// d/dλ = 1/λ - x, d/dx = -λ
fn ln_pdf_hand(p: &[f64]) -> Vec<f64> {
    let (d, x) = split(p);
    vec![1.0 / d.rate - x, -d.rate]
}

fn cdf(p: &[f64]) -> f64 {
    let (d, x) = split(p);
    d.cdf(x)
}

/// d/dλ = x e^{-λx}, d/dx = λ e^{-λx}
fn cdf_hand(p: &[f64]) -> Vec<f64> {
    let (d, x) = split(p);
    let e = (-d.rate * x).exp();
    vec![x * e, d.rate * e]
}

fn sf(p: &[f64]) -> f64 {
    let (d, x) = split(p);
    d.sf(x)
}

fn sf_hand(p: &[f64]) -> Vec<f64> {
    cdf_hand(p).iter().map(|g| -g).collect()
}

fn inverse_cdf(p: &[f64]) -> f64 {
    let (d, q) = split(p);
    d.inverse_cdf(q)
}

/// x = -ln(1 - p)/λ: d/dλ = -x/λ, d/dp = 1/(λ (1 - p))
fn inverse_cdf_hand(p: &[f64]) -> Vec<f64> {
    let (d, q) = split(p);
    let x = d.inverse_cdf(q);
    vec![-x / d.rate, 1.0 / (d.rate * (1.0 - q))]
}

fn case(name: &'static str) -> Case {
    Case::ranges(name, &[(0.2, 4.0), (0.05, 5.0)])
}

fn inverse_cdf_case() -> Case {
    Case::ranges("exponential.inverse_cdf", &[(0.2, 4.0), (0.01, 0.99)])
}

#[test]
fn validation() {
    assert_eq!(Exponential::new(0.0), Err(ExponentialError::RateInvalid));
    assert_eq!(
        Exponential::new(f64::NAN),
        Err(ExponentialError::RateInvalid)
    );
    let d = Exponential::new(2.0).unwrap();
    assert_eq!(d.ln_pdf(-1.0), f64::NEG_INFINITY);
    assert_eq!((d.cdf(-1.0), d.sf(-1.0)), (0.0, 1.0));
}

#[test]
#[should_panic(expected = "p must be in [0, 1], got 1.5")]
fn inverse_cdf_outside_unit_interval_panics() {
    Exponential::new(1.0).unwrap().inverse_cdf(1.5);
}

#[test]
fn reference() {
    let methods: [Method; 3] = [
        ("exponential.ln_pdf", ln_pdf, ln_pdf_hand, LN_PDF),
        ("exponential.cdf", cdf, cdf_hand, CDF),
        ("exponential.sf", sf, sf_hand, SF),
    ];
    for (name, f, hand, table) in methods {
        case(name).reference(f, hand);
        case(name).high_precision("value, hand gradient", table, |p| (f(p), hand(p)), TOL);
    }
    inverse_cdf_case().reference(inverse_cdf, inverse_cdf_hand);
    inverse_cdf_case().high_precision(
        "value, hand gradient",
        INVERSE_CDF,
        |p| (inverse_cdf(p), inverse_cdf_hand(p)),
        TOL,
    );
}

// ---- generated ----

fn grad_of(
    method: impl Fn(&Exponential, f64) -> (f64, (Exponential, f64)),
) -> impl Fn(&[f64]) -> (f64, Vec<f64>) {
    move |p| {
        let (d, x) = split(p);
        let (v, (g, dx)) = method(&d, x);
        (v, join(&g, dx))
    }
}

fn adjoint_of(
    method: impl Fn(&Exponential, f64, f64, &mut Exponential, &mut f64) -> f64,
) -> impl Fn(&[f64], f64, &mut [f64]) -> f64 {
    move |p, d_out, acc| {
        let (d, x) = split(p);
        let mut g = Exponential { rate: acc[0] };
        let mut dx = acc[1];
        let v = method(&d, x, d_out, &mut g, &mut dx);
        acc.copy_from_slice(&join(&g, dx));
        v
    }
}

#[test]
fn generated() {
    let name = "exponential.ln_pdf";
    let grad = grad_of(|d, x| d.ln_pdf_grad(x));
    let adjoint = adjoint_of(|d, x, d_out, g, dx| d.ln_pdf_adjoint(x, d_out, g, dx));
    case(name).generated(ln_pdf, ln_pdf_hand, &grad, adjoint);
    case(name).high_precision("ln_pdf_grad", LN_PDF, grad, TOL);

    let name = "exponential.cdf";
    let grad = grad_of(|d, x| d.cdf_grad(x));
    let adjoint = adjoint_of(|d, x, d_out, g, dx| d.cdf_adjoint(x, d_out, g, dx));
    case(name).generated(cdf, cdf_hand, &grad, adjoint);
    case(name).high_precision("cdf_grad", CDF, grad, TOL);

    let name = "exponential.sf";
    let grad = grad_of(|d, x| d.sf_grad(x));
    let adjoint = adjoint_of(|d, x, d_out, g, dx| d.sf_adjoint(x, d_out, g, dx));
    case(name).generated(sf, sf_hand, &grad, adjoint);
    case(name).high_precision("sf_grad", SF, grad, TOL);

    let grad = grad_of(|d, q| d.inverse_cdf_grad(q));
    let adjoint = adjoint_of(|d, q, d_out, g, dq| d.inverse_cdf_adjoint(q, d_out, g, dq));
    inverse_cdf_case().generated(inverse_cdf, inverse_cdf_hand, &grad, adjoint);
    inverse_cdf_case().high_precision("inverse_cdf_grad", INVERSE_CDF, grad, TOL);
}

#[test]
fn generated_outside_the_support() {
    let d = Exponential::new(2.0).unwrap();
    let (v, (g, dx)) = d.ln_pdf_grad(-1.0);
    assert_eq!((v, g.rate, dx), (f64::NEG_INFINITY, 0.0, 0.0));
    let (v, (g, dx)) = d.cdf_grad(-1.0);
    assert_eq!((v, g.rate, dx), (0.0, 0.0, 0.0));
}

#[test]
fn generated_rate_only() {
    case("exponential.ln_pdf").partially_active(ln_pdf_hand, &[true, false], |p, d_out, acc| {
        let (d, x) = split(p);
        let mut g = Exponential { rate: acc[0] };
        let v = d.ln_pdf_adjoint(x, d_out, &mut g, Const);
        acc[0] = g.rate;
        v
    });
}
